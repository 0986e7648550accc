namespace imbolc::engine
{

namespace
{
    /** The model's default for one of a built-in drum's parameters. Message thread (construction). */
    float drumDefault (model::BuiltInSource kind, const char* name)
    {
        for (const auto& p : model::makeParameters (kind))
            if (p.name == name)
                return p.defaultValue;
        jassertfalse;
        return 0.0f;
    }

    /** A parameter the kit's node has and the model's source does not: its value never comes from a
        source parameter, so the drum synths read it as a fixed value (ParamRef's fallback). */
    ParamRef fixed (float value) noexcept { return { -1, value }; }
} // namespace

std::vector<model::Parameter> DrumKitSynth::extraParameters (const model::Instrument& inst)
{
    std::vector<model::Parameter> params;
    params.reserve ((std::size_t) (numPads * numPadParameters));
    for (int p = 0; p < numPads; ++p)
    {
        const auto pad = inst.drums.hasPads() ? inst.drums.pads[(std::size_t) p] : model::makeDefaultDrumPad (p);
        const auto prefix = "pad" + std::to_string (p + 1) + ".";
        params.push_back ({ prefix + "level", pad.level, 0.0f, model::DrumPad::maxLevel, 1.0f });
        params.push_back ({ prefix + "tune", pad.tune, -model::DrumPad::maxTune, model::DrumPad::maxTune, 0.0f });
        params.push_back ({ prefix + "decay", pad.decay, model::DrumPad::minDecay, model::DrumPad::maxDecay, 0.3f });
    }
    return params;
}

DrumKitSynth::Pad::Pad (const SourceNode& n, int index, model::DrumPadKind k, std::shared_ptr<const SampleData> sampleData)
    : kind (k), kick (n, {}), snare (n, {}), hat (n, {}), sample (n, { std::move (sampleData) })
{
    using B = model::BuiltInSource;
    const int offset = n.getAmpParameterOffset();
    level = { padParameterIndex (offset, index, padLevel), 1.0f };
    tune = { padParameterIndex (offset, index, padTune), 0.0f };
    decay = { padParameterIndex (offset, index, padDecay), 0.3f };

    // The drum synths' own settings at their defaults; pitch, tone and decay follow the pad's tune and
    // decay (update), and the sample always starts at its beginning and never loops.
    kickPitch = drumDefault (B::kick, "pitch");
    kick.pitch = fixed (kickPitch);
    kick.sweep = fixed (drumDefault (B::kick, "sweep"));
    kick.click = fixed (drumDefault (B::kick, "click"));
    kick.decay = fixed (drumDefault (B::kick, "decay"));
    snareTone = drumDefault (B::snare, "tone");
    snare.tone = fixed (snareTone);
    snare.snappy = fixed (drumDefault (B::snare, "snappy"));
    snare.decay = fixed (drumDefault (B::snare, "decay"));
    hatTone = drumDefault (B::hat, "tone");
    hat.tone = fixed (hatTone);
    hat.decay = fixed (drumDefault (B::hat, "decay"));
    sample.rootNote = fixed (60.0f);
    sample.start = fixed (0.0f);
    sample.loop = fixed (0.0f);
}

DrumKitSynth::Shared::Shared (const SourceNode& n, Setup setup)
{
    pads.reserve ((std::size_t) numPads);
    for (int p = 0; p < numPads; ++p)
    {
        const auto kind = setup.kinds[(std::size_t) p];
        auto sample = kind == model::DrumPadKind::sample ? std::move (setup.samples[(std::size_t) p]) : nullptr;
        pads.emplace_back (n, p, kind, std::move (sample));
        stereo = stereo || pads.back().sample.isStereo();
    }
}

void DrumKitSynth::Shared::prepare (double sr)
{
    sampleRate = sr;
    for (auto& p : pads)
    {
        p.kick.prepare (sr);
        p.snare.prepare (sr);
        p.hat.prepare (sr);
        p.sample.prepare (sr);
        p.lastTune = -1000.0f; // the next update sets every pad's synth up for this rate
        p.lastDecay = -1.0f;
    }
}

void DrumKitSynth::Shared::update (const SourceNode& n) noexcept
{
    for (auto& p : pads)
    {
        p.gainStart = n.chunkValue (p.level);
        p.gainEnd = n.chunkEndValue (p.level);
        const float t = n.chunkValue (p.tune), d = n.chunkValue (p.decay);
        if (t == p.lastTune && d == p.lastDecay)
            continue;
        p.lastTune = t;
        p.lastDecay = d;
        const float ratio = std::exp2 (t / 12.0f);
        switch (p.kind)
        {
            case model::DrumPadKind::kick:
                p.kick.pitch.fallback = juce::jlimit (5.0f, 2000.0f, p.kickPitch * ratio);
                p.kick.decay.fallback = d;
                p.kick.update (n);
                break;
            case model::DrumPadKind::snare:
                p.snare.tone.fallback = juce::jlimit (20.0f, 4000.0f, p.snareTone * ratio);
                p.snare.decay.fallback = d;
                p.snare.update (n);
                break;
            case model::DrumPadKind::hat:
                // Below Nyquist, where the high-pass stays stable.
                p.hat.tone.fallback = juce::jlimit (500.0f, (float) (0.45 * sampleRate), p.hatTone * ratio);
                p.hat.decay.fallback = d;
                p.hat.update (n);
                break;
            case model::DrumPadKind::sample:
                // A note of 60 plays the sample as recorded; a root note t below it plays t semitones up.
                p.sample.rootNote.fallback = 60.0f - t;
                p.sample.update (n);
                break;
        }
    }
}

void DrumKitSynth::Voice::start (const Shared& s, int note, float velocity, std::uint32_t seed) noexcept
{
    pad = model::DrumKit::padForNote (note);
    if (pad < 0)
        return;
    const auto& p = s.pads[(std::size_t) pad];
    kind = p.kind;
    switch (kind)
    {
        case model::DrumPadKind::kick:
            kick.start (p.kick, note, velocity, seed);
            break;
        case model::DrumPadKind::snare:
            snare.start (p.snare, note, velocity, seed);
            break;
        case model::DrumPadKind::hat:
            hat.start (p.hat, note, velocity, seed);
            break;
        case model::DrumPadKind::sample:
            sample.start (p.sample, 60, velocity, seed);
            break;
    }
}

bool DrumKitSynth::Voice::render (const Shared& s, float* left, float* right, int n) noexcept
{
    if (pad < 0)
    {
        std::fill (left, left + n, 0.0f);
        std::fill (right, right + n, 0.0f);
        return false;
    }
    const auto& p = s.pads[(std::size_t) pad];
    bool running = true;
    bool wroteRight = false;
    switch (kind)
    {
        case model::DrumPadKind::kick:
            running = kick.render (p.kick, left, right, n);
            break;
        case model::DrumPadKind::snare:
            running = snare.render (p.snare, left, right, n);
            break;
        case model::DrumPadKind::hat:
            running = hat.render (p.hat, left, right, n);
            break;
        case model::DrumPadKind::sample:
            running = sample.render (p.sample, left, right, n);
            wroteRight = p.sample.isStereo();
            break;
    }

    // The pad's level, ramped across the chunk so a moving fader never zippers.
    const float g0 = p.gainStart;
    const float step = (p.gainEnd - g0) / (float) n;
    for (int i = 0; i < n; ++i)
        left[i] *= g0 + step * (float) (i + 1);
    if (s.stereo)
    {
        if (wroteRight)
            for (int i = 0; i < n; ++i)
                right[i] *= g0 + step * (float) (i + 1);
        else
            std::copy (left, left + n, right); // a mono pad in a stereo kit: the same on both sides
    }
    return running;
}

} // namespace imbolc::engine
