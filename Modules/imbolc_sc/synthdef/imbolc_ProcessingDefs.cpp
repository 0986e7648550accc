namespace imbolc::sc
{

namespace
{
    using Signal = SynthDefBuilder::Input;

    struct StereoPair
    {
        Signal left, right;
    };

    /** A definition's controls by name. */
    class NamedControls
    {
    public:
        NamedControls (SynthDefBuilder& d, const std::vector<std::pair<std::string, float>>& namesAndDefaults)
            : names (namesAndDefaults), inputs (d.controls (namesAndDefaults))
        {
        }

        Signal operator[] (const std::string& name) const
        {
            for (std::size_t i = 0; i < names.size(); ++i)
                if (names[i].first == name)
                    return inputs[i];
            missing = true;
            return inputs.front();
        }

        /** Whether every name asked for was there: false when the model has renamed or dropped a
            parameter the definition reads, and the definition is then not to be used. */
        bool allFound() const noexcept { return ! missing; }

    private:
        std::vector<std::pair<std::string, float>> names;
        std::vector<Signal> inputs;
        mutable bool missing = false;
    };

    /** `bus`, then the model's parameters with their defaults: the stage's controls. */
    NamedControls stageControls (SynthDefBuilder& d, const std::vector<model::Parameter>& params)
    {
        std::vector<std::pair<std::string, float>> spec { { "bus", 0.0f } };
        for (const auto& p : params)
            spec.emplace_back (p.name, p.defaultValue);
        return { d, spec };
    }

    StereoPair readPair (SynthDefBuilder& d, Signal bus)
    {
        const auto in = d.ugen ("In", Rate::audio, { bus }, 2);
        return { in, { in.ugen, 1 } };
    }

    void replacePair (SynthDefBuilder& d, Signal bus, StereoPair x)
    {
        d.ugen ("ReplaceOut", Rate::audio, { bus, x.left, x.right }, 0);
    }

    template <typename Function>
    StereoPair eachSide (StereoPair x, Function&& f)
    {
        return { f (x.left), f (x.right) };
    }

    /** dry + mix * (wet - dry): mix 0 is exactly dry. */
    Signal dryWet (SynthDefBuilder& d, Signal dry, Signal wet, Signal mix)
    {
        return d.add (dry, d.mul (mix, d.sub (wet, dry)));
    }

    /** A frequency control held below 0.45 of the sample rate, where the filters stay stable. */
    Signal belowNyquist (SynthDefBuilder& d, Signal hz)
    {
        const auto sampleRate = d.ugen ("SampleRate", Rate::scalar, {});
        return d.binary (BinaryOp::min, hz, d.mul (sampleRate, d.constant (0.45f)));
    }

    /** Glide time of the strip's and send's level, mute and pan (Lag: to -60 dB in this time). */
    constexpr float controlGlideSeconds = 0.01f;

    Signal glide (SynthDefBuilder& d, Signal control)
    {
        return d.ugen ("Lag", Rate::control, { control, d.constant (controlGlideSeconds) });
    }

    const char* filterUGen (model::FilterType type)
    {
        switch (type)
        {
            case model::FilterType::lowPass:
                return "RLPF";
            case model::FilterType::highPass:
                return "RHPF";
            case model::FilterType::bandPass:
                return "BPF";
            case model::FilterType::notch:
                return "BRF";
        }
        return "RLPF";
    }

    bool buildFilter (SynthDefBuilder& d, model::FilterType type)
    {
        const auto c = stageControls (d, model::makeFilterParameters (type));
        const auto cutoff = belowNyquist (d, c["cutoff"]), resonance = c["resonance"], drive = c["drive"];

        // The internal engine's law: 1 / Q = sqrt 2 * (1 / (25 sqrt 2))^resonance, exponential from
        // Butterworth (Q 0.707) to Q 25; ln (1 / (25 sqrt 2)) = -3.5654494.
        const auto rq = d.mul (d.constant (1.41421356f), d.unary (UnaryOp::exp, d.mul (d.constant (-3.5654494f), resonance)));

        // Drive: a blend towards the signal 18 dB hotter through tanh, brought back by 9 dB, so drive 0
        // is exactly clean and full drive is about as loud as clean.
        const auto hotter = d.unary (UnaryOp::dbAmp, d.mul (d.constant (18.0f), drive));
        const auto back = d.unary (UnaryOp::dbAmp, d.mul (d.constant (-9.0f), drive));

        const auto in = readPair (d, c["bus"]);
        const auto out = eachSide (in, [&] (Signal x)
                                   {
                                       const auto clipped = d.mul (d.unary (UnaryOp::tanh, d.mul (x, hotter)), back);
                                       const auto driven = d.add (x, d.mul (drive, d.sub (clipped, x)));
                                       return d.ugen (filterUGen (type), Rate::audio, { driven, cutoff, rq }); });
        replacePair (d, c["bus"], out);
        return c.allFound();
    }

    bool buildEq (SynthDefBuilder& d)
    {
        const auto c = stageControls (d, model::makeEqParameters());
        struct Band
        {
            Signal freq, rq, db;
        };
        std::vector<Band> bands;
        for (int b = 1; b <= model::eqBandCount; ++b)
        {
            const auto prefix = "band" + std::to_string (b) + ".";
            bands.push_back ({ belowNyquist (d, c[prefix + "freq"]), d.unary (UnaryOp::recip, c[prefix + "q"]), c[prefix + "gain"] });
        }

        const auto in = readPair (d, c["bus"]);
        const auto out = eachSide (in, [&] (Signal x)
                                   {
                                       for (const auto& band : bands)
                                           x = d.ugen ("BPeakEQ", Rate::audio, { x, band.freq, band.rq, band.db });
                                       return x; });
        replacePair (d, c["bus"], out);
        return c.allFound();
    }

    bool buildDelay (SynthDefBuilder& d)
    {
        const auto params = model::makeEffectParameters (model::EffectType::delay);
        const auto c = stageControls (d, params);
        const auto time = c["time"], mix = c["mix"];

        // CombC's feedback is 0.001^(time / decay): for a feedback f, decay = time * ln 0.001 / ln f.
        // f is kept above 1e-6 (-120 dB) so the logarithm stays finite.
        const auto feedback = d.binary (BinaryOp::max, c["feedback"], d.constant (1.0e-6f));
        const auto decay = d.mul (time, d.binary (BinaryOp::div, d.constant (-6.90775528f), d.unary (UnaryOp::log, feedback)));
        // The delay line holds the model's longest time (CombC allocates it when the node starts).
        const auto longest = std::find_if (params.begin(), params.end(), [] (const model::Parameter& p)
                                           { return p.name == "time"; });
        const auto maxSeconds = d.constant (longest != params.end() ? longest->maxValue : 4.0f);

        const auto in = readPair (d, c["bus"]);
        const auto out = eachSide (in, [&] (Signal x)
                                   { return dryWet (d, x, d.ugen ("CombC", Rate::audio, { x, maxSeconds, time, decay }), mix); });
        replacePair (d, c["bus"], out);
        return c.allFound();
    }

    bool buildReverb (SynthDefBuilder& d)
    {
        const auto c = stageControls (d, model::makeEffectParameters (model::EffectType::reverb));
        const auto in = readPair (d, c["bus"]);
        const auto verb = d.ugen ("FreeVerb2", Rate::audio, { in.left, in.right, d.constant (1.0f), c["size"], c["damping"] }, 2);

        // Width on the wet signal by mid/side: left = l (1 + w) / 2 + r (1 - w) / 2, as juce::Reverb.
        const auto half = d.constant (0.5f);
        const auto mid = d.mul (d.add (verb, { verb.ugen, 1 }), half);
        const auto side = d.mul (d.mul (d.sub (verb, { verb.ugen, 1 }), half), c["width"]);
        const StereoPair wet { d.add (mid, side), d.sub (mid, side) };

        // Equal-power mix, as the internal reverb.
        const auto angle = d.mul (c["mix"], d.constant (1.57079633f));
        const auto dryGain = d.unary (UnaryOp::cos, angle), wetGain = d.unary (UnaryOp::sin, angle);
        replacePair (d, c["bus"], { d.add (d.mul (in.left, dryGain), d.mul (wet.left, wetGain)), d.add (d.mul (in.right, dryGain), d.mul (wet.right, wetGain)) });
        return c.allFound();
    }

    bool buildChorus (SynthDefBuilder& d)
    {
        const auto c = stageControls (d, model::makeEffectParameters (model::EffectType::chorus));
        // The internal chorus's geometry: a 10 ms centre, swept up to +-7 ms.
        constexpr float centreSeconds = 0.010f, sweepSeconds = 0.007f;
        const auto sweep = d.mul (c["depth"], d.constant (sweepSeconds));
        const auto in = readPair (d, c["bus"]);

        auto side = [&] (Signal x, float phase)
        {
            const auto lfo = d.ugen ("SinOsc", Rate::audio, { c["rate"], d.constant (phase) });
            const auto delay = d.add (d.mul (lfo, sweep), d.constant (centreSeconds));
            const auto wet = d.ugen ("DelayC", Rate::audio, { x, d.constant (centreSeconds + sweepSeconds + 0.001f), delay });
            return dryWet (d, x, wet, c["mix"]);
        };
        replacePair (d, c["bus"], { side (in.left, 0.0f), side (in.right, 1.57079633f) });
        return c.allFound();
    }

    bool buildCompressor (SynthDefBuilder& d)
    {
        const auto c = stageControls (d, model::makeEffectParameters (model::EffectType::compressor));
        const auto threshold = d.unary (UnaryOp::dbAmp, c["threshold"]);
        const auto slopeAbove = d.unary (UnaryOp::recip, c["ratio"]);
        const auto makeup = d.unary (UnaryOp::dbAmp, c["makeup"]);
        const auto one = d.constant (1.0f);

        const auto in = readPair (d, c["bus"]);
        // Both sides follow the louder one, so the stereo image stays put.
        const auto key = d.binary (BinaryOp::max, d.unary (UnaryOp::abs, in.left), d.unary (UnaryOp::abs, in.right));
        const auto out = eachSide (in, [&] (Signal x)
                                   {
                                       const auto compressed = d.ugen ("Compander", Rate::audio, { x, key, threshold, one, slopeAbove, c["attack"], c["release"] });
                                       return d.mul (compressed, makeup); });
        replacePair (d, c["bus"], out);
        return c.allFound();
    }

    bool buildDistortion (SynthDefBuilder& d)
    {
        const auto c = stageControls (d, model::makeEffectParameters (model::EffectType::distortion));
        const auto drive = c["drive"];

        // The internal engine's curve: up to 30 dB into the clipper, back down by half of that, with a
        // bias growing with drive for even harmonics (its offset taken out again).
        const auto hotter = d.unary (UnaryOp::dbAmp, d.mul (d.constant (30.0f), drive));
        const auto back = d.unary (UnaryOp::dbAmp, d.mul (d.constant (-15.0f), drive));
        const auto bias = d.add (d.mul (d.constant (0.2f), drive), d.constant (0.1f));
        const auto biasOffset = d.unary (UnaryOp::tanh, bias);

        // DC blocker at 10 Hz: LeakDC's coefficient 1 - 2 pi 10 / sample rate.
        const auto sampleRate = d.ugen ("SampleRate", Rate::scalar, {});
        const auto dcCoefficient = d.sub (d.constant (1.0f), d.binary (BinaryOp::div, d.constant (62.8318531f), sampleRate));

        // Tone: 500 Hz * 40^tone, from 500 Hz to 20 kHz.
        const auto toneHz = belowNyquist (d, d.mul (d.constant (500.0f), d.binary (BinaryOp::pow, d.constant (40.0f), c["tone"])));

        const auto in = readPair (d, c["bus"]);
        const auto out = eachSide (in, [&] (Signal x)
                                   {
                                       const auto shaped = d.mul (d.sub (d.unary (UnaryOp::tanh, d.add (d.mul (x, hotter), bias)), biasOffset), back);
                                       const auto blocked = d.ugen ("LeakDC", Rate::audio, { shaped, dcCoefficient });
                                       const auto wet = d.ugen ("LPF", Rate::audio, { blocked, toneHz });
                                       return dryWet (d, x, wet, c["mix"]); });
        replacePair (d, c["bus"], out);
        return c.allFound();
    }

    bool buildLimiter (SynthDefBuilder& d)
    {
        const auto c = stageControls (d, model::makeEffectParameters (model::EffectType::limiter));
        const auto ceiling = d.unary (UnaryOp::dbAmp, c["ceiling"]);
        const auto lookahead = d.constant (limiterLookaheadSeconds);
        const auto in = readPair (d, c["bus"]);
        replacePair (d, c["bus"], eachSide (in, [&] (Signal x)
                                            { return d.ugen ("Limiter", Rate::audio, { x, ceiling, lookahead }); }));
        return c.allFound();
    }

    bool buildGain (SynthDefBuilder& d)
    {
        const auto c = stageControls (d, model::makeEffectParameters (model::EffectType::gain));
        const auto in = readPair (d, c["bus"]);
        replacePair (d, c["bus"], eachSide (in, [&] (Signal x)
                                            { return d.mul (x, c["gain"]); }));
        return c.allFound();
    }

    /** "low-pass" -> "lowpass": scsynth's names stay plain identifiers. */
    std::string withoutDashes (std::string s)
    {
        s.erase (std::remove (s.begin(), s.end(), '-'), s.end());
        return s;
    }
} // namespace

std::string stageDefinitionName (const model::Stage& stage)
{
    switch (stage.kind)
    {
        case model::StageKind::filter:
            return "imbolc_filter_" + withoutDashes (model::toString (stage.filter));
        case model::StageKind::eq:
            return "imbolc_eq";
        case model::StageKind::effect:
            return stage.effect == model::EffectType::plugin ? std::string() : "imbolc_fx_" + std::string (model::toString (stage.effect));
    }
    return {};
}

std::optional<SynthDefBuilder> stageDefinition (const model::Stage& stage)
{
    const auto name = stageDefinitionName (stage);
    if (name.empty())
        return std::nullopt;

    SynthDefBuilder d (name);
    bool built = false;
    if (stage.kind == model::StageKind::filter)
        built = buildFilter (d, stage.filter);
    else if (stage.kind == model::StageKind::eq)
        built = buildEq (d);
    else
        switch (stage.effect)
        {
            case model::EffectType::delay:
                built = buildDelay (d);
                break;
            case model::EffectType::reverb:
                built = buildReverb (d);
                break;
            case model::EffectType::chorus:
                built = buildChorus (d);
                break;
            case model::EffectType::compressor:
                built = buildCompressor (d);
                break;
            case model::EffectType::distortion:
                built = buildDistortion (d);
                break;
            case model::EffectType::limiter:
                built = buildLimiter (d);
                break;
            case model::EffectType::gain:
                built = buildGain (d);
                break;
            case model::EffectType::plugin:
                break;
        }
    jassert (built); // only a plugin, or a definition reading a parameter the model no longer has
    if (! built)
        return std::nullopt;
    return d;
}

SynthDefBuilder stripDefinition()
{
    SynthDefBuilder d ("imbolc_strip");
    const NamedControls c (d, { { "in", 0.0f }, { "out", 0.0f }, { "level", 0.8f }, { "pan", 0.0f }, { "mute", 0.0f } });
    const auto one = d.constant (1.0f);
    const auto gain = d.mul (glide (d, c["level"]), glide (d, d.sub (one, c["mute"])));
    const auto pan = glide (d, c["pan"]);

    // Balance, as the internal strip: left * min (1, 1 - pan), right * min (1, 1 + pan).
    const auto leftGain = d.mul (gain, d.binary (BinaryOp::min, one, d.sub (one, pan)));
    const auto rightGain = d.mul (gain, d.binary (BinaryOp::min, one, d.add (one, pan)));
    const auto in = readPair (d, c["in"]);
    d.ugen ("Out", Rate::audio, { c["out"], d.mul (in.left, leftGain), d.mul (in.right, rightGain) }, 0);
    return d;
}

SynthDefBuilder sendDefinition()
{
    SynthDefBuilder d ("imbolc_send");
    const NamedControls c (d, { { "in", 0.0f }, { "out", 0.0f }, { "level", 0.0f } });
    const auto level = glide (d, c["level"]);
    const auto in = readPair (d, c["in"]);
    d.ugen ("Out", Rate::audio, { c["out"], d.mul (in.left, level), d.mul (in.right, level) }, 0);
    return d;
}

SynthDefBuilder safetyDefinition()
{
    // As the internal engine's safety limiter: instant attack and no look-ahead, so it adds no
    // latency (a Limiter would delay every SuperCollider instrument by twice its look-ahead). The
    // peak follower (Amplitude, attack 0) is at least |x| on every sample, so x * min (1, ceiling /
    // peak) never passes the ceiling; the gain recovers over 50 ms.
    SynthDefBuilder d ("imbolc_safety");
    const NamedControls c (d, { { "bus", 0.0f } });
    const auto ceiling = d.constant (safetyCeiling);
    const auto in = readPair (d, c["bus"]);
    const auto peak = d.binary (BinaryOp::max,
                                d.binary (BinaryOp::max, d.ugen ("Amplitude", Rate::audio, { in.left, d.constant (0.0f), d.constant (0.05f) }), d.ugen ("Amplitude", Rate::audio, { in.right, d.constant (0.0f), d.constant (0.05f) })),
                                d.constant (1.0e-6f));
    const auto gain = d.binary (BinaryOp::min, d.constant (1.0f), d.binary (BinaryOp::div, ceiling, peak));
    replacePair (d, c["bus"], eachSide (in, [&] (Signal x)
                                        { return d.mul (x, gain); }));
    return d;
}

std::vector<SynthDefBuilder> allProcessingDefinitions()
{
    std::vector<model::Stage> stages;
    for (int i = 0; i < model::numFilterTypes; ++i)
    {
        model::Stage s;
        s.kind = model::StageKind::filter;
        s.filter = (model::FilterType) i;
        stages.push_back (s);
    }
    model::Stage eq;
    eq.kind = model::StageKind::eq;
    stages.push_back (eq);
    for (int i = 0; i < model::numBuiltInEffectTypes; ++i)
    {
        model::Stage s;
        s.kind = model::StageKind::effect;
        s.effect = (model::EffectType) i;
        stages.push_back (s);
    }

    std::vector<SynthDefBuilder> all;
    for (const auto& s : stages)
        if (auto d = stageDefinition (s))
            all.push_back (std::move (*d));
    all.push_back (stripDefinition());
    all.push_back (sendDefinition());
    all.push_back (safetyDefinition());
    return all;
}

} // namespace imbolc::sc
