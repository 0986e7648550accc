namespace imbolc::sc
{

namespace
{
    using Signal = SynthDefBuilder::Input;

    /** Up to 9 saws, a centre one and detuned side ones, with the internal supersaw's detune spread,
        its continuous `voices` (a side saw fades in as the count passes it) and its mix curves
        (Szabo's JP-8000 fit), normalised to constant power. */
    Signal supersaw (SynthDefBuilder& d, Signal freq, Signal detune, Signal voices, Signal mix)
    {
        static constexpr float offsets[] = { 0.0f, -0.34f, 0.35f, -1.09f, 1.08f, -1.9f, 1.85f, -1.5f, 1.45f };
        const auto curve = d.mul (detune, d.add (d.constant (0.1f), d.mul (d.constant (0.9f), detune)));
        const auto centre = d.add (d.mul (d.constant (-0.55366f), mix), d.constant (0.99785f));
        const auto side = d.add (d.add (d.mul (d.constant (-0.73764f), d.mul (mix, mix)), d.mul (d.constant (1.2841f), mix)), d.constant (0.044372f));
        Signal sum {}, power = d.mul (centre, centre);
        for (int j = 0; j < 9; ++j)
        {
            const auto ratio = d.unary (UnaryOp::midiRatio, d.mul (curve, d.constant (offsets[j])));
            const auto saw = d.ugen ("Saw", Rate::audio, { d.mul (freq, ratio) });
            if (j == 0)
            {
                sum = d.mul (saw, centre);
                continue;
            }
            const auto presence = d.binary (BinaryOp::min, d.constant (1.0f), d.binary (BinaryOp::max, d.constant (0.0f), d.sub (voices, d.constant ((float) j))));
            const auto gain = d.mul (side, presence);
            power = d.add (power, d.mul (gain, gain));
            sum = d.add (sum, d.mul (saw, gain));
        }
        return d.mul (sum, d.unary (UnaryOp::recip, d.unary (UnaryOp::sqrt, d.binary (BinaryOp::max, power, d.constant (1.0e-6f)))));
    }

    /** Two-operator FM as the internal one: a sine carrier phase-modulated `index` radians deep by a
        sine at `ratio` times its frequency, fed back on itself (SinOscFB), the index held under the
        one whose sidebands would pass Nyquist (fc + (2 I + 3) fm (1 + 5 feedback) < sr / 2). */
    Signal fm (SynthDefBuilder& d, Signal freq, Signal ratio, Signal index, Signal feedback)
    {
        const auto modulatorHz = d.mul (freq, ratio);
        const auto modulator = d.ugen ("SinOscFB", Rate::audio, { modulatorHz, feedback });
        const auto nyquist = d.mul (d.ugen ("SampleRate", Rate::scalar, {}), d.constant (0.5f));
        const auto spread = d.mul (modulatorHz, d.add (d.constant (1.0f), d.mul (d.constant (5.0f), feedback)));
        const auto limit = d.binary (BinaryOp::max, d.constant (0.0f), d.mul (d.sub (d.binary (BinaryOp::div, d.sub (nyquist, freq), d.binary (BinaryOp::max, spread, d.constant (1.0e-3f))), d.constant (3.0f)), d.constant (0.5f)));
        const auto depth = d.binary (BinaryOp::min, index, limit);
        return d.ugen ("SinOsc", Rate::audio, { freq, d.mul (modulator, depth) });
    }

    /** An exponential fall from 1 with a 60 dB time of `seconds`, starting at the voice's start. */
    Signal fall (SynthDefBuilder& d, Signal seconds)
    {
        return d.ugen ("Decay", Rate::audio, { d.ugen ("Impulse", Rate::audio, { d.constant (0.0f), d.constant (0.0f) }), seconds });
    }

    /** The drums, after the internal ones: one-shot voices that ignore the note and ring out over
        `decay` (60 dB), freed 80 dB down (XLine's doneAction 2). */
    Signal drum (SynthDefBuilder& d, model::BuiltInSource source, Signal pitch, Signal sweep, Signal click, Signal tone, Signal snappy, Signal decay)
    {
        const auto amp = d.ugen ("XLine", Rate::audio, { d.constant (1.0f), d.constant (1.0e-4f), d.mul (decay, d.constant (4.0f / 3.0f)), d.constant (2.0f) });
        const auto noise = d.ugen ("WhiteNoise", Rate::audio, {});
        constexpr float ln1000 = 6.9077553f; // a time constant t falls 60 dB in t ln 1000
        switch (source)
        {
            case model::BuiltInSource::kick:
            {
                // A sine swept down from up to 10x pitch (time constant 10 to 50 ms), and a 1.2 ms click.
                const auto constant = d.add (d.constant (0.01f), d.mul (d.constant (0.04f), sweep));
                const auto sweepEnv = fall (d, d.mul (constant, d.constant (ln1000)));
                const auto hz = d.mul (pitch, d.add (d.constant (1.0f), d.mul (d.mul (d.constant (9.0f), sweep), sweepEnv)));
                const auto body = d.mul (d.ugen ("SinOsc", Rate::audio, { hz, d.constant (0.0f) }), amp);
                const auto clickEnv = fall (d, d.constant (0.0012f * ln1000));
                return d.add (body, d.mul (d.mul (d.ugen ("HPF", Rate::audio, { noise, d.constant (3000.0f) }), clickEnv), click));
            }
            case model::BuiltInSource::snare:
            {
                // A two-mode body (tone and 1.47x) with a slight drop, decaying over half the decay,
                // and noise band-passed around 5 kHz, high-passed at 1.2 kHz; snappy trades one for the other.
                const auto drop = fall (d, d.constant (0.012f * ln1000));
                const auto hz = d.mul (tone, d.add (d.constant (1.0f), d.mul (d.constant (0.1f), drop)));
                const auto bodyEnv = fall (d, d.mul (decay, d.constant (0.5f)));
                const auto body = d.mul (d.add (d.ugen ("SinOsc", Rate::audio, { hz, d.constant (0.0f) }), d.mul (d.ugen ("SinOsc", Rate::audio, { d.mul (hz, d.constant (1.47f)), d.constant (0.0f) }), d.constant (0.5f))), bodyEnv);
                const auto rattle = d.ugen ("HPF", Rate::audio, { d.ugen ("BPF", Rate::audio, { noise, d.constant (5000.0f), d.constant (1.4f) }), d.constant (1200.0f) });
                const auto snap = d.mul (d.mul (rattle, amp), d.constant (2.0f));
                return d.add (d.mul (body, d.sub (d.constant (1.0f), snappy)), d.mul (snap, snappy));
            }
            case model::BuiltInSource::hat:
            {
                // Six square waves at the TR-808's inharmonic ratios, band-passed at `tone`, with noise.
                static constexpr float ratios[] = { 1.0f, 1.4826f, 1.8004f, 2.5461f, 2.6304f, 3.8968f };
                const auto base = d.mul (tone, d.constant (205.3f / 8000.0f));
                Signal metal = d.ugen ("Pulse", Rate::audio, { base, d.constant (0.5f) });
                for (int k = 1; k < 6; ++k)
                    metal = d.add (metal, d.ugen ("Pulse", Rate::audio, { d.mul (base, d.constant (ratios[k])), d.constant (0.5f) }));
                const auto bright = d.ugen ("HPF", Rate::audio, { d.ugen ("BPF", Rate::audio, { metal, tone, d.constant (0.5f) }), d.mul (tone, d.constant (0.8f)) });
                const auto hiss = d.ugen ("HPF", Rate::audio, { noise, tone });
                return d.mul (d.add (d.mul (bright, d.constant (0.6f)), d.mul (hiss, d.constant (0.4f))), amp);
            }
            default:
                return d.constant (0.0f);
        }
    }
    /** The amp envelope every voice has: Env.adsr through EnvGen, freeing the voice when its release
        ends (doneAction 2). */
    Signal adsr (SynthDefBuilder& d, Signal gate, Signal attack, Signal decay, Signal sustain, Signal release)
    {
        // Env.adsr as EnvGen reads it: initial level, segment count, release node, loop node (-99: none),
        // then per segment target level, time, shape (5: curve) and curvature (-4, sclang's default).
        const auto curveShape = d.constant (5.0f), curve = d.constant (-4.0f), zero = d.constant (0.0f), one = d.constant (1.0f);
        // A release that reaches scsynth in the same control block as its /s_new (a very short note, or
        // a note handed over late) would find the envelope not yet started, and the voice would hang
        // silent forever: the gate is held open for the first control period, so it always starts.
        const auto firstPeriod = d.ugen ("Trig1", Rate::control, { d.constant (1.0f), d.ugen ("ControlDur", Rate::scalar, {}) });
        const auto heldGate = d.binary (BinaryOp::max, gate, firstPeriod);
        return d.ugen ("EnvGen", Rate::control, { heldGate, one, zero, one, d.constant (2.0f), // gate, levelScale, levelBias, timeScale, doneAction 2
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
    }
} // namespace

std::string voiceDefinitionName (model::BuiltInSource source)
{
    return "imbolc_" + std::string (model::toString (source));
}

std::optional<SynthDefBuilder> voiceDefinition (model::BuiltInSource source)
{
    using B = model::BuiltInSource;
    if (source == B::sampler)
        return samplerDefinition (1);
    if (source == B::drumKit || (int) source >= model::numBuiltInSources)
        return std::nullopt; // a drum kit plays on the internal engine only

    // The controls are the model's own parameter names (Source::params, Adsr), so a tweak is one /n_set
    // of the model's name and value to the instrument's voice group, with no conversion on our side.
    SynthDefBuilder d (voiceDefinitionName (source));
    const auto c = d.controls ({ { "out", 0.0f }, { "note", 69.0f }, { "amp", 0.5f }, { "gate", 1.0f }, { "tune", 0.0f }, { "fine", 0.0f }, { "level", 0.8f }, { "width", 0.5f }, { "pwmRate", 0.0f }, { "pwmDepth", 0.0f }, { "colour", 0.0f }, { "detune", 0.3f }, { "voices", 7.0f }, { "mix", 0.7f }, { "ratio", 2.0f }, { "index", 2.0f }, { "feedback", 0.0f }, { "pitch", 50.0f }, { "sweep", 0.6f }, { "click", 0.3f }, { "tone", 180.0f }, { "snappy", 0.6f }, { "decay", 0.4f }, { "ampAttack", 0.005f }, { "ampDecay", 0.1f }, { "ampSustain", 0.8f }, { "ampRelease", 0.2f } });
    const auto out = c[0], note = c[1], amp = c[2], gate = c[3], tune = c[4], fine = c[5], level = c[6];
    const auto width = c[7], pwmRate = c[8], pwmDepth = c[9], colour = c[10];
    const auto detune = c[11], voices = c[12], mix = c[13], ratio = c[14], index = c[15], feedback = c[16];
    const auto drumPitch = c[17], sweep = c[18], click = c[19], tone = c[20], snappy = c[21];
    const auto drumDecay = c[22]; // the drums' own 60 dB fall: the model calls it "decay"
    const auto attack = c[23], decay = c[24], sustain = c[25], release = c[26];

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
        case B::supersaw:
            oscillator = supersaw (d, freq, detune, voices, mix);
            break;
        case B::fm:
            oscillator = fm (d, freq, ratio, index, feedback);
            break;
        case B::kick:
        case B::snare:
        case B::hat:
            oscillator = drum (d, source, drumPitch, sweep, click, tone, snappy, drumDecay);
            break;
        default:
            return std::nullopt;
    }

    const auto envelope = adsr (d, gate, attack, decay, sustain, release);

    // Mono voice, the same signal on both channels of the instrument's bus: the strip pans.
    const auto gain = d.mul (amp, level);
    const auto shaped = d.mul (d.mul (oscillator, envelope), gain);
    d.ugen ("Out", Rate::audio, { out, shaped, shaped }, 0);
    return d;
}

std::string samplerDefinitionName (int channels)
{
    return channels > 1 ? "imbolc_sampler2" : "imbolc_sampler";
}

SynthDefBuilder samplerDefinition (int channels)
{
    // The sampler's controls are the model's (rootNote, start, loop, level) plus the buffer and a rate
    // correction for a buffer whose rate scsynth does not know (one sent with /b_setn).
    channels = channels > 1 ? 2 : 1;
    SynthDefBuilder d (samplerDefinitionName (channels));
    const auto c = d.controls ({ { "out", 0.0f }, { "note", 60.0f }, { "amp", 0.5f }, { "gate", 1.0f }, { "rootNote", 60.0f }, { "start", 0.0f }, { "loop", 0.0f }, { "level", 1.0f }, { "buf", 0.0f }, { "rateScale", 1.0f }, { "ampAttack", 0.005f }, { "ampDecay", 0.1f }, { "ampSustain", 0.8f }, { "ampRelease", 0.2f } });
    const auto out = c[0], note = c[1], amp = c[2], gate = c[3], rootNote = c[4], start = c[5], loop = c[6], level = c[7];
    const auto buf = c[8], rateScale = c[9], attack = c[10], decay = c[11], sustain = c[12], release = c[13];

    // A semitone per note from the root (fractional roots fine-tune), at the file's own rate:
    // BufRateScale for a buffer scsynth read, rateScale for one we sent.
    const auto rate = d.mul (d.mul (d.ugen ("BufRateScale", Rate::control, { buf }), rateScale), d.unary (UnaryOp::midiRatio, d.sub (note, rootNote)));
    const auto startFrame = d.mul (start, d.ugen ("BufFrames", Rate::control, { buf }));
    // PlayBuf truncates its loop input: the model loops from 0.5 up. Without a loop the voice ends with
    // the sample (doneAction 2), as the internal sampler's does.
    const auto looping = d.binary (BinaryOp::ge, loop, d.constant (0.5f));
    const auto played = d.ugen ("PlayBuf", Rate::audio, { buf, rate, d.constant (1.0f), startFrame, looping, d.constant (2.0f) }, channels);

    const auto envelope = adsr (d, gate, attack, decay, sustain, release);
    const auto gain = d.mul (d.mul (amp, level), envelope);
    const auto left = d.mul (played, gain);
    const auto right = channels > 1 ? d.mul (SynthDefBuilder::Input { played.ugen, 1 }, gain) : left;
    d.ugen ("Out", Rate::audio, { out, left, right }, 0);
    return d;
}

std::vector<SynthDefBuilder> allVoiceDefinitions()
{
    std::vector<SynthDefBuilder> all;
    for (int i = 0; i < model::numBuiltInSources; ++i)
        if (auto d = voiceDefinition ((model::BuiltInSource) i))
            all.push_back (std::move (*d));
    all.push_back (samplerDefinition (2)); // a stereo sample's voice (the mono one is the sampler's own)
    return all;
}

} // namespace imbolc::sc
