namespace imbolc::model
{

const char* toString (DrumPadKind k) noexcept
{
    static constexpr const char* names[] = { "kick", "snare", "hat", "sample" };
    const auto i = (std::size_t) k;
    return i < std::size (names) ? names[i] : "unknown";
}

bool DrumKit::isStepsPerBeat (std::int32_t n) noexcept
{
    return std::find (std::begin (stepsPerBeatChoices), std::end (stepsPerBeatChoices), n) != std::end (stepsPerBeatChoices);
}

std::int64_t DrumKit::stepTicks() const noexcept
{
    // Every choice divides 480, so a step is a whole number of ticks and cycles never drift.
    return ticksPerBeat / juce::jmax (1, stepsPerBeat);
}

std::int64_t DrumKit::cycleTicks() const noexcept
{
    return stepTicks() * steps;
}

double DrumKit::stepStart (int step) const noexcept
{
    const auto length = (double) stepTicks();
    return step * length + ((step & 1) != 0 ? (double) swing * length * 0.5 : 0.0);
}

int DrumKit::stepAt (double tick) const noexcept
{
    if (tick < 0.0 || steps <= 0)
        return -1;
    const auto cycle = (double) cycleTicks();
    const auto t = tick - std::floor (tick / cycle) * cycle;
    auto step = juce::jlimit (0, steps - 1, (int) (t / (double) stepTicks()));
    // A swung (odd) step starts late: until it does, the even step before it is still sounding.
    if (t < stepStart (step))
        --step;
    return juce::jmax (0, step);
}

bool DrumKit::hasSteps() const noexcept
{
    for (const auto& row : rows)
        for (int s = 0; s < steps && s < maxSteps; ++s)
            if (row[(std::size_t) s].on)
                return true;
    return false;
}

DrumPad makeDefaultDrumPad (int index)
{
    struct Preset
    {
        const char* name;
        DrumPadKind kind;
        float tune, decay, level;
    };
    // General MIDI's drum map from note 36, played by the three drum synths: toms are kicks tuned up,
    // the rim and the clap short bright snares, the pedal and open hats the hat with other decays.
    static constexpr Preset presets[DrumKit::numPads] = {
        { "Kick", DrumPadKind::kick, 0.0f, 0.4f, 1.0f },
        { "Rim", DrumPadKind::snare, 12.0f, 0.05f, 0.7f },
        { "Snare", DrumPadKind::snare, 0.0f, 0.2f, 0.9f },
        { "Clap", DrumPadKind::snare, 7.0f, 0.12f, 0.8f },
        { "Snare 2", DrumPadKind::snare, -3.0f, 0.3f, 0.9f },
        { "Low Tom", DrumPadKind::kick, 9.0f, 0.45f, 0.9f },
        { "Closed Hat", DrumPadKind::hat, 0.0f, 0.06f, 0.7f },
        { "Low-Mid Tom", DrumPadKind::kick, 12.0f, 0.4f, 0.9f },
        { "Pedal Hat", DrumPadKind::hat, -2.0f, 0.04f, 0.6f },
        { "Mid Tom", DrumPadKind::kick, 16.0f, 0.35f, 0.9f },
        { "Open Hat", DrumPadKind::hat, 0.0f, 0.5f, 0.6f },
        { "High Tom", DrumPadKind::kick, 20.0f, 0.3f, 0.9f },
    };
    const auto& p = presets[(std::size_t) juce::jlimit (0, DrumKit::numPads - 1, index)];
    DrumPad pad;
    pad.kind = p.kind;
    pad.name = p.name;
    pad.tune = p.tune;
    pad.decay = p.decay;
    pad.level = p.level;
    return pad;
}

DrumKit makeDefaultDrumKit()
{
    DrumKit kit;
    for (int i = 0; i < DrumKit::numPads; ++i)
        kit.pads.push_back (makeDefaultDrumPad (i));
    kit.rows.resize ((std::size_t) DrumKit::numPads);
    return kit;
}

namespace checks
{
    std::string drumPad (const std::string& owner, const DrumPad& pad)
    {
        if ((int) pad.kind >= numDrumPadKinds)
            return sentence (owner, " has an unknown kind ", (int) pad.kind, ".");
        if (auto e = name (owner + " name", pad.name); ! e.empty())
            return e;
        if (pad.samplePath.size() > 4096)
            return owner + " has a sample path longer than 4096 bytes.";
        if (pad.samplePath.find ('\0') != std::string::npos)
            return owner + " has a sample path that contains a NUL character.";
        if (auto e = rangeError (owner + " level", pad.level, 0.0, DrumPad::maxLevel); ! e.empty())
            return e;
        if (auto e = rangeError (owner + " tune", pad.tune, -DrumPad::maxTune, DrumPad::maxTune); ! e.empty())
            return e;
        return rangeError (owner + " decay", pad.decay, DrumPad::minDecay, DrumPad::maxDecay);
    }

    std::string drumStep (const std::string& owner, const DrumStep& step)
    {
        if (step.velocity < 1 || step.velocity > 127)
            return sentence (owner, " has velocity ", (int) step.velocity, " (must be 1 to 127).");
        return rangeError (owner + " probability", step.probability, 0.0, 1.0);
    }

    std::string drumPattern (const std::string& owner, std::int32_t steps, std::int32_t stepsPerBeat, float swing)
    {
        if (steps < DrumKit::minSteps || steps > DrumKit::maxSteps)
            return sentence (owner, " has ", steps, " steps (must be ", DrumKit::minSteps, " to ", DrumKit::maxSteps, ").");
        if (! DrumKit::isStepsPerBeat (stepsPerBeat))
            return sentence (owner, " has ", stepsPerBeat, " steps per beat (must be 2, 3, 4, 6 or 8).");
        return rangeError (owner + " swing", swing, 0.0, 1.0);
    }

    std::string drumKit (const std::string& owner, const DrumKit& kit)
    {
        if (auto e = drumPattern (owner + " drum pattern", kit.steps, kit.stepsPerBeat, kit.swing); ! e.empty())
            return e;
        if (kit.pads.empty() && kit.rows.empty())
            return {};
        if (! kit.hasPads())
            return sentence (owner, " has a drum kit of ", kit.pads.size(), " pads and ", kit.rows.size(), " rows (must be none or ", DrumKit::numPads, " of each).");
        for (std::size_t p = 0; p < kit.pads.size(); ++p)
        {
            const auto what = owner + " pad " + std::to_string (p);
            if (auto e = drumPad (what, kit.pads[p]); ! e.empty())
                return e;
            for (std::size_t s = 0; s < kit.rows[p].size(); ++s)
                if (auto e = drumStep (what + " step " + std::to_string (s), kit.rows[p][s]); ! e.empty())
                    return e;
        }
        return {};
    }

    std::string drumKitBackend (const std::string& owner, const Source& source, Backend backend)
    {
        if (source.isDrumKit() && backend == Backend::superCollider)
            return owner + " is a drum kit, which only the internal engine plays: SuperCollider has no drum-kit voice.";
        return {};
    }
} // namespace checks

} // namespace imbolc::model
