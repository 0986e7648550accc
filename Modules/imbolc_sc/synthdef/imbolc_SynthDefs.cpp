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

    // The controls are the model's own parameter names (Source::params, Adsr), so a tweak is one /n_set
    // of the model's name and value to the instrument's voice group, with no conversion on our side.
    SynthDefBuilder d (voiceDefinitionName (source));
    const auto c = d.controls ({ { "out", 0.0f }, { "note", 69.0f }, { "amp", 0.5f }, { "gate", 1.0f }, { "tune", 0.0f }, { "fine", 0.0f }, { "level", 0.8f }, { "width", 0.5f }, { "pwmRate", 0.0f }, { "pwmDepth", 0.0f }, { "colour", 0.0f }, { "attack", 0.005f }, { "decay", 0.1f }, { "sustain", 0.8f }, { "release", 0.2f } });
    const auto out = c[0], note = c[1], amp = c[2], gate = c[3], tune = c[4], fine = c[5], level = c[6];
    const auto width = c[7], pwmRate = c[8], pwmDepth = c[9], colour = c[10];
    const auto attack = c[11], decay = c[12], sustain = c[13], release = c[14];

    // freq = midicps (note + tune + fine / 100), so tune and fine glide sounding voices too.
    const auto pitch = d.add (note, d.add (tune, d.mul (fine, d.constant (0.01f))));
    const auto freq = d.unary (UnaryOp::midiCps, pitch);

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
        {
            // width + pwmDepth * sin (pwmRate), as the internal pulse modulates it.
            const auto lfo = d.ugen ("SinOsc", Rate::control, { pwmRate, d.constant (0.0f) });
            const auto modulated = d.add (width, d.mul (lfo, pwmDepth));
            oscillator = d.ugen ("Pulse", Rate::audio, { freq, modulated });
            break;
        }
        case B::triangle:
            oscillator = d.ugen ("LFTri", Rate::audio, { freq, d.constant (0.0f) });
            break;
        case B::sine:
            oscillator = d.ugen ("SinOsc", Rate::audio, { freq, d.constant (0.0f) });
            break;
        case B::noise:
        {
            // colour 0 white .. 1 pink, a crossfade as the internal noise source does.
            const auto white = d.ugen ("WhiteNoise", Rate::audio, {});
            const auto pink = d.ugen ("PinkNoise", Rate::audio, {});
            const auto whiteShare = d.sub (d.constant (1.0f), colour);
            oscillator = d.add (d.mul (white, whiteShare), d.mul (pink, colour));
            break;
        }
        default:
            return std::nullopt;
    }

    // Env.adsr as EnvGen reads it: initial level, segment count, release node, loop node (-99: none),
    // then per segment target level, time, shape (5: curve) and curvature (-4, sclang's default).
    const auto curveShape = d.constant (5.0f), curve = d.constant (-4.0f), zero = d.constant (0.0f), one = d.constant (1.0f);
    // A release that reaches scsynth in the same control block as its /s_new (a very short note, or
    // a note handed over late) would find the envelope not yet started, and the voice would hang
    // silent forever: the gate is held open for the first control period, so it always starts.
    const auto firstPeriod = d.ugen ("Trig1", Rate::control, { d.constant (1.0f), d.ugen ("ControlDur", Rate::scalar, {}) });
    const auto heldGate = d.binary (BinaryOp::max, gate, firstPeriod);
    const auto envelope = d.ugen ("EnvGen", Rate::control, { heldGate, one, zero, one, d.constant (2.0f), // gate, levelScale, levelBias, timeScale, doneAction 2
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

    // Mono voice, the same signal on both channels of the instrument's bus: the strip pans.
    const auto gain = d.mul (amp, level);
    const auto shaped = d.mul (d.mul (oscillator, envelope), gain);
    d.ugen ("Out", Rate::audio, { out, shaped, shaped }, 0);
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
