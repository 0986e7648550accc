namespace imbolc::engine
{

std::unique_ptr<NodeProcessor> NodeFactory::createSource (const model::Instrument& inst)
{
    using model::BuiltInSource;
    using Wave = OscillatorNode::Wave;

    if (inst.source.kind != model::SourceKind::builtIn)
    {
        // Plugin instruments, audio inputs and SynthDefs are rendered elsewhere (plugin hosting,
        // the device input, scsynth); the chain keeps a silent source so its stages and strip
        // still run and its parameters still resolve.
        auto params = inst.source.params;
        for (const char* name : { "attack", "decay", "sustain", "release" })
            params.push_back ({ name, 0.0f, 0.0f, 20.0f, 0.0f });
        return std::make_unique<PassThroughNode> ("Silent source", params);
    }

    Wave wave = Wave::sine;
    switch (inst.source.builtIn)
    {
        case BuiltInSource::saw:
        case BuiltInSource::supersaw:
            wave = Wave::saw;
            break;
        case BuiltInSource::square:
        case BuiltInSource::pulse:
            wave = Wave::square;
            break;
        case BuiltInSource::triangle:
            wave = Wave::triangle;
            break;
        case BuiltInSource::noise:
        case BuiltInSource::hat:
        case BuiltInSource::snare:
            wave = Wave::noise;
            break;
        case BuiltInSource::sine:
        case BuiltInSource::fm:
        case BuiltInSource::sampler:
        case BuiltInSource::kick:
            wave = Wave::sine;
            break;
    }
    return std::make_unique<OscillatorNode> (wave, inst.source.params, inst.amp);
}

std::unique_ptr<NodeProcessor> NodeFactory::createStage (const model::Stage& stage)
{
    switch (stage.kind)
    {
        case model::StageKind::filter:
            return std::make_unique<FilterNode> (stage.filter, stage.params);
        case model::StageKind::eq:
            return std::make_unique<EqNode> (stage.params);
        case model::StageKind::effect:
            break;
    }
    switch (stage.effect)
    {
        case model::EffectType::gain:
            return std::make_unique<GainNode> (stage.params);
        case model::EffectType::delay:
            return std::make_unique<DelayNode> (stage.params);
        case model::EffectType::reverb:
            return std::make_unique<ReverbNode> (stage.params);
        case model::EffectType::chorus:
            return std::make_unique<ChorusNode> (stage.params);
        case model::EffectType::compressor:
            return std::make_unique<CompressorNode> (stage.params);
        case model::EffectType::distortion:
            return std::make_unique<DistortionNode> (stage.params);
        case model::EffectType::limiter:
            return std::make_unique<LimiterNode> (stage.params);
        case model::EffectType::plugin:
            break; // hosted plugins are loaded elsewhere; until then the stage keeps its parameters and passes audio
    }
    return std::make_unique<PassThroughNode> (model::toString (stage.effect), stage.params);
}

} // namespace imbolc::engine
