namespace imbolc::sc
{

std::string voiceDefinitionName (model::BuiltInSource source)
{
    return "imbolc_" + std::string (model::toString (source));
}

std::optional<SynthDefBuilder> voiceDefinition (model::BuiltInSource source)
{
    using B = model::BuiltInSource;
    if (source != B::saw && source != B::square && source != B::pulse && source != B::triangle && source != B::sine && source != B::noise)
        return std::nullopt;

    SynthDefBuilder d (voiceDefinitionName (source));
    const auto c = d.controls ({ { "out", 0.0f }, { "freq", 440.0f }, { "amp", 0.1f }, { "gate", 1.0f }, { "pan", 0.0f }, { "width", 0.5f }, { "attack", 0.005f }, { "decay", 0.1f }, { "sustain", 0.8f }, { "release", 0.2f } });
    const auto out = c[0], freq = c[1], amp = c[2], gate = c[3], pan = c[4], width = c[5];
    const auto attack = c[6], decay = c[7], sustain = c[8], release = c[9];

    SynthDefBuilder::Input oscillator;
    switch (source)
    {
        case B::saw:
            oscillator = d.ugen ("Saw", Rate::audio, { freq });
            break;
        case B::square:
            oscillator = d.ugen ("Pulse", Rate::audio, { freq, d.constant (0.5f) });
            break;
        case B::pulse:
            oscillator = d.ugen ("Pulse", Rate::audio, { freq, width });
            break;
        case B::triangle:
            oscillator = d.ugen ("LFTri", Rate::audio, { freq, d.constant (0.0f) });
            break;
        case B::sine:
            oscillator = d.ugen ("SinOsc", Rate::audio, { freq, d.constant (0.0f) });
            break;
        case B::noise:
            oscillator = d.ugen ("WhiteNoise", Rate::audio, {});
            break;
        default:
            return std::nullopt;
    }

    // Env.adsr as EnvGen reads it: initial level, segment count, release node, loop node (-99: none),
    // then per segment target level, time, shape (5: curve) and curvature (-4, sclang's default).
    const auto curveShape = d.constant (5.0f), curve = d.constant (-4.0f), zero = d.constant (0.0f), one = d.constant (1.0f);
    const auto envelope = d.ugen ("EnvGen", Rate::control, { gate, one, zero, one, d.constant (2.0f), // gate, levelScale, levelBias, timeScale, doneAction 2
                                                             zero,
                                                             d.constant (3.0f),
                                                             d.constant (2.0f),
                                                             d.constant (-99.0f),
                                                             one,
                                                             attack,
                                                             curveShape,
                                                             curve,
                                                             sustain,
                                                             decay,
                                                             curveShape,
                                                             curve,
                                                             zero,
                                                             release,
                                                             curveShape,
                                                             curve });

    const auto shaped = d.mul (oscillator, envelope);
    const auto stereo = d.ugen ("Pan2", Rate::audio, { shaped, pan, amp }, 2);
    d.ugen ("Out", Rate::audio, { out, stereo, { stereo.ugen, 1 } }, 0);
    return d;
}

std::vector<SynthDefBuilder> allVoiceDefinitions()
{
    std::vector<SynthDefBuilder> all;
    for (int i = 0; i < model::numBuiltInSources; ++i)
        if (auto d = voiceDefinition ((model::BuiltInSource) i))
            all.push_back (std::move (*d));
    return all;
}

} // namespace imbolc::sc
