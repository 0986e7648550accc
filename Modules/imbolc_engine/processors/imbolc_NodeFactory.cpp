namespace imbolc::engine
{

NodeFactory::NodeFactory() = default;
NodeFactory::~NodeFactory() = default;

std::unique_ptr<NodeProcessor> NodeFactory::createSource (const model::Instrument& inst)
{
    using model::BuiltInSource;
    using Wave = OscillatorNode::Wave;

    if (inst.source.kind == model::SourceKind::plugin)
        if (auto node = createPluginNode (inst.source.plugin, inst.source.params, true, "instrument " + juce::String (inst.id.value) + " (\"" + juce::String (inst.name) + "\")"))
            return node;

    if (inst.source.kind != model::SourceKind::builtIn)
    {
        // Audio inputs and SynthDefs are rendered elsewhere (the device input, scsynth), and a plugin
        // that failed to load has nothing to render; the chain keeps a silent source so its stages
        // and strip still run and its parameters still resolve.
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
    if (stage.kind == model::StageKind::effect)
    {
        if (stage.effect == model::EffectType::gain)
            return std::make_unique<GainNode> (stage.params);
        if (stage.effect == model::EffectType::delay)
            return std::make_unique<DelayNode> (stage.params);
        if (stage.effect == model::EffectType::plugin)
            if (auto node = createPluginNode (stage.plugin, stage.params, false, "stage " + juce::String (stage.id.value)))
                return node;
        return std::make_unique<PassThroughNode> (model::toString (stage.effect), stage.params);
    }
    if (stage.kind == model::StageKind::filter)
        return std::make_unique<PassThroughNode> (model::toString (stage.filter), stage.params);
    return std::make_unique<PassThroughNode> ("EQ", stage.params);
}

//==============================================================================
std::vector<juce::String> NodeFactory::takePluginWarnings()
{
    return std::exchange (pluginWarnings, {});
}

PluginHost& NodeFactory::getPluginHost()
{
    if (pluginHost == nullptr)
        pluginHost = std::make_unique<PluginHost>();
    return *pluginHost;
}

void NodeFactory::setPluginDefaults (double sampleRate, int blockSize) noexcept
{
    pluginSampleRate = sampleRate;
    pluginBlockSize = blockSize;
}

std::unique_ptr<NodeProcessor> NodeFactory::createPluginNode (const model::PluginRef& ref, const std::vector<model::Parameter>& params, bool isSource, const juce::String& owner)
{
    juce::String problem;
    auto instance = getPluginHost().createInstance (ref, pluginSampleRate, pluginBlockSize, problem);
    if (instance == nullptr)
    {
        pluginWarnings.push_back (problem.trimCharactersAtEnd (".") + ", so " + owner + (isSource ? " stays silent." : " passes audio through unchanged."));
        return nullptr;
    }
    if (problem.isNotEmpty())
        pluginWarnings.push_back (problem); // the plugin runs, from its defaults
    return std::make_unique<PluginNode> (std::move (instance), ref, params, isSource);
}

} // namespace imbolc::engine
