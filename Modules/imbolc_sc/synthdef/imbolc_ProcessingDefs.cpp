namespace imbolc::sc
{

namespace
{
    using In = SynthDefBuilder::Input;

    // Operator selectors of SuperCollider's BinaryOpUGen and UnaryOpUGen (its Opcodes table).
    namespace op
    {
        constexpr std::int16_t sub = 1, div = 4, max = 13;
        constexpr std::int16_t log = 25, dbamp = 21, tanh = 36;
    } // namespace op

    In binary (SynthDefBuilder& d, std::int16_t selector, In a, In b, Rate rate = Rate::audio) { return d.ugen ("BinaryOpUGen", rate, { a, b }, 1, selector); }
    In unary (SynthDefBuilder& d, std::int16_t selector, In a, Rate rate = Rate::control) { return d.ugen ("UnaryOpUGen", rate, { a }, 1, selector); }
    In second (In first) { return { first.ugen, first.index + 1 }; }

    /** A definition with a `bus` control then the model's parameters (names and defaults). */
    struct StageDef
    {
        SynthDefBuilder d;
        In bus;
        std::map<std::string, In> params;

        StageDef (std::string name, const std::vector<model::Parameter>& parameters)
            : d (std::move (name))
        {
            std::vector<std::pair<std::string, float>> controls { { "bus", 0.0f } };
            for (const auto& p : parameters)
                controls.emplace_back (p.name, p.defaultValue);
            const auto inputs = d.controls (controls);
            bus = inputs[0];
            for (std::size_t i = 0; i < parameters.size(); ++i)
                params[parameters[i].name] = inputs[i + 1];
        }

        In operator[] (const std::string& name) const { return params.at (name); }

        /** dry * (1 - mix) + wet * mix */
        In mix (In dry, In wet, In amount)
        {
            const auto dryShare = binary (d, op::sub, d.constant (1.0f), amount, Rate::control);
            return d.add (d.mul (dry, dryShare), d.mul (wet, amount));
        }
    };

    /** Reads the stereo bus, processes each channel with `channel` (0 or 1), writes it back in place. */
    template <typename PerChannel>
    SynthDefBuilder inPlace (StageDef& s, PerChannel&& channel)
    {
        const auto input = s.d.ugen ("In", Rate::audio, { s.bus }, 2);
        const auto left = channel (input, 0);
        const auto right = channel (second (input), 1);
        s.d.ugen ("ReplaceOut", Rate::audio, { s.bus, left, right }, 0);
        return std::move (s.d);
    }

    SynthDefBuilder filterDefinition (model::FilterType type, const std::string& name)
    {
        StageDef s (name, model::makeFilterParameters (type));
        auto& d = s.d;
        // resonance 0..1 to rq 1..0.05; drive 0..1 blends in tanh saturation at up to 10x gain, so
        // drive 0 is clean.
        const auto rq = binary (d, op::sub, d.constant (1.0f), d.mul (s["resonance"], d.constant (0.95f), Rate::control), Rate::control);
        const auto gain = d.add (d.constant (1.0f), d.mul (s["drive"], d.constant (9.0f), Rate::control), Rate::control);
        static constexpr const char* classes[] = { "RLPF", "RHPF", "BPF", "BRF" };
        return inPlace (s, [&] (In x, int)
                        {
                            const auto saturated = unary (d, op::tanh, d.mul (x, gain), Rate::audio);
                            const auto driven = s.mix (x, saturated, s["drive"]);
                            return d.ugen (classes[(int) type], Rate::audio, { driven, s["cutoff"], rq }); });
    }

    SynthDefBuilder eqDefinition()
    {
        StageDef s ("imbolc_eq", model::makeEqParameters());
        auto& d = s.d;
        return inPlace (s, [&] (In x, int)
                        {
                            for (int band = 1; band <= model::eqBandCount; ++band)
                            {
                                const auto prefix = "band" + std::to_string (band) + ".";
                                const auto rq = binary (d, op::div, d.constant (1.0f), s[prefix + "q"], Rate::control);
                                x = d.ugen ("BPeakEQ", Rate::audio, { x, s[prefix + "freq"], rq, s[prefix + "gain"] });
                            }
                            return x; });
    }

    SynthDefBuilder effectDefinition (model::EffectType type, const std::string& name)
    {
        StageDef s (name, model::makeEffectParameters (type));
        auto& d = s.d;
        using E = model::EffectType;
        switch (type)
        {
            case E::delay:
            {
                // A feedback delay is a comb filter: the decay time that makes `feedback` per repeat
                // is time * ln (0.001) / ln (feedback) (60 dB down).
                const auto feedback = binary (d, op::max, s["feedback"], d.constant (1.0e-4f), Rate::control);
                const auto decay = d.mul (s["time"], binary (d, op::div, d.constant (-6.9077553f), unary (d, op::log, feedback), Rate::control), Rate::control);
                return inPlace (s, [&] (In x, int)
                                { return s.mix (x, d.ugen ("CombC", Rate::audio, { x, d.constant (4.0f), s["time"], decay }), s["mix"]); });
            }
            case E::reverb:
            {
                // FreeVerb2's wet signal (mix 1), its side scaled by width, then blended with the dry.
                const auto input = d.ugen ("In", Rate::audio, { s.bus }, 2);
                const auto wet = d.ugen ("FreeVerb2", Rate::audio, { input, second (input), d.constant (1.0f), s["size"], s["damping"] }, 2);
                const auto half = d.constant (0.5f);
                const auto mid = d.mul (d.add (wet, second (wet)), half);
                const auto side = d.mul (d.mul (binary (d, op::sub, wet, second (wet)), half), s["width"]);
                const auto left = s.mix (input, d.add (mid, side), s["mix"]);
                const auto right = s.mix (second (input), binary (d, op::sub, mid, side), s["mix"]);
                d.ugen ("ReplaceOut", Rate::audio, { s.bus, left, right }, 0);
                return std::move (d);
            }
            case E::chorus:
            {
                // 10 ms +- up to 8 ms, the right channel's LFO a quarter cycle behind the left's.
                return inPlace (s, [&] (In x, int channel)
                                {
                                    const auto lfo = d.ugen ("SinOsc", Rate::control, { s["rate"], d.constant (channel == 0 ? 0.0f : 1.5707964f) });
                                    const auto delay = d.add (d.constant (0.010f), d.mul (d.mul (lfo, s["depth"], Rate::control), d.constant (0.008f), Rate::control), Rate::control);
                                    return s.mix (x, d.ugen ("DelayC", Rate::audio, { x, d.constant (0.03f), delay }), s["mix"]); });
            }
            case E::compressor:
            {
                const auto threshold = unary (d, op::dbamp, s["threshold"]);
                const auto slope = binary (d, op::div, d.constant (1.0f), s["ratio"], Rate::control);
                const auto makeup = unary (d, op::dbamp, s["makeup"]);
                return inPlace (s, [&] (In x, int)
                                { return d.mul (d.ugen ("Compander", Rate::audio, { x, x, threshold, d.constant (1.0f), slope, s["attack"], s["release"] }), makeup); });
            }
            case E::distortion:
            {
                // Drive up to 30x into tanh, then a low-pass from 500 Hz (tone 0) to 16 kHz (tone 1).
                const auto gain = d.add (d.constant (1.0f), d.mul (s["drive"], d.constant (29.0f), Rate::control), Rate::control);
                const auto cutoff = d.add (d.constant (500.0f), d.mul (s["tone"], d.constant (15500.0f), Rate::control), Rate::control);
                return inPlace (s, [&] (In x, int)
                                {
                                    const auto shaped = unary (d, op::tanh, d.mul (x, gain), Rate::audio);
                                    return s.mix (x, d.ugen ("LPF", Rate::audio, { shaped, cutoff }), s["mix"]); });
            }
            case E::limiter:
            {
                // Limiter's look-ahead is fixed when the synth starts, so `release` cannot reach it:
                // scsynth's limiter recovers over its 10 ms look-ahead whatever `release` says.
                const auto ceiling = unary (d, op::dbamp, s["ceiling"]);
                return inPlace (s, [&] (In x, int)
                                { return d.ugen ("Limiter", Rate::audio, { x, ceiling, d.constant (0.01f) }); });
            }
            case E::gain:
                return inPlace (s, [&] (In x, int)
                                { return d.mul (x, s["gain"]); });
            case E::plugin:
                break;
        }
        return std::move (d);
    }

    std::string slug (std::string text)
    {
        std::replace (text.begin(), text.end(), ' ', '_');
        return text;
    }
} // namespace

std::string stageDefinitionName (const model::Stage& stage)
{
    switch (stage.kind)
    {
        case model::StageKind::filter:
            return "imbolc_filter_" + slug (model::toString (stage.filter));
        case model::StageKind::eq:
            return "imbolc_eq";
        case model::StageKind::effect:
            return "imbolc_fx_" + slug (model::toString (stage.effect));
    }
    return {};
}

std::optional<SynthDefBuilder> stageDefinition (const model::Stage& stage)
{
    switch (stage.kind)
    {
        case model::StageKind::filter:
            if ((int) stage.filter < model::numFilterTypes)
                return filterDefinition (stage.filter, stageDefinitionName (stage));
            return std::nullopt;
        case model::StageKind::eq:
            return eqDefinition();
        case model::StageKind::effect:
            if (stage.effect == model::EffectType::plugin || (int) stage.effect >= model::numBuiltInEffectTypes)
                return std::nullopt;
            return effectDefinition (stage.effect, stageDefinitionName (stage));
    }
    return std::nullopt;
}

SynthDefBuilder stripDefinition()
{
    SynthDefBuilder d ("imbolc_strip");
    const auto c = d.controls ({ { "in", 0.0f }, { "out", 0.0f }, { "level", 0.8f }, { "pan", 0.0f }, { "mute", 0.0f } });
    const auto gain = d.mul (c[2], binary (d, op::sub, d.constant (1.0f), c[4], Rate::control), Rate::control);
    const auto smooth = d.ugen ("Lag", Rate::control, { gain, d.constant (0.01f) });
    const auto input = d.ugen ("In", Rate::audio, { c[0] }, 2);
    const auto panned = d.ugen ("Balance2", Rate::audio, { input, second (input), c[3], smooth }, 2);
    d.ugen ("Out", Rate::audio, { c[1], panned, second (panned) }, 0);
    return d;
}

SynthDefBuilder sendDefinition()
{
    SynthDefBuilder d ("imbolc_send");
    const auto c = d.controls ({ { "in", 0.0f }, { "out", 0.0f }, { "level", 0.0f } });
    const auto smooth = d.ugen ("Lag", Rate::control, { c[2], d.constant (0.01f) });
    const auto input = d.ugen ("In", Rate::audio, { c[0] }, 2);
    d.ugen ("Out", Rate::audio, { c[1], d.mul (input, smooth), d.mul (second (input), smooth) }, 0);
    return d;
}

SynthDefBuilder safetyDefinition()
{
    SynthDefBuilder d ("imbolc_safety");
    const auto c = d.controls ({ { "bus", 0.0f } });
    const auto input = d.ugen ("In", Rate::audio, { c[0] }, 2);
    const auto ceiling = d.constant (0.977f); // -0.2 dBFS
    const auto left = d.ugen ("Limiter", Rate::audio, { input, ceiling, d.constant (0.005f) });
    const auto right = d.ugen ("Limiter", Rate::audio, { second (input), ceiling, d.constant (0.005f) });
    d.ugen ("ReplaceOut", Rate::audio, { c[0], left, right }, 0);
    return d;
}

std::vector<SynthDefBuilder> allProcessingDefinitions()
{
    std::vector<SynthDefBuilder> all;
    model::Stage stage;
    stage.kind = model::StageKind::filter;
    for (int f = 0; f < model::numFilterTypes; ++f)
    {
        stage.filter = (model::FilterType) f;
        all.push_back (*stageDefinition (stage));
    }
    stage.kind = model::StageKind::eq;
    all.push_back (*stageDefinition (stage));
    stage.kind = model::StageKind::effect;
    for (int e = 0; e < model::numBuiltInEffectTypes; ++e)
    {
        stage.effect = (model::EffectType) e;
        all.push_back (*stageDefinition (stage));
    }
    all.push_back (stripDefinition());
    all.push_back (sendDefinition());
    all.push_back (safetyDefinition());
    return all;
}

} // namespace imbolc::sc
