#pragma once

namespace imbolc::model
{

/** What a drum pad plays: one of the built-in drum synths, or a sample file. */
enum class DrumPadKind : std::uint8_t
{
    kick,
    snare,
    hat,
    sample
};
constexpr int numDrumPadKinds = 4;

const char* toString (DrumPadKind) noexcept;

/** The sound of one pad of a drum kit. Its steps live in the kit's pattern (DrumKit::rows). */
struct DrumPad
{
    DrumPadKind kind = DrumPadKind::kick;
    std::string name;
    std::string samplePath; ///< kind == sample: the file (relative paths resolve against the project's folder); empty is silent
    float level = 1.0f; ///< linear gain, 0..maxLevel
    float tune = 0.0f; ///< semitones, -maxTune..maxTune: a drum synth's pitch or tone, a sample's playback rate
    float decay = 0.3f; ///< seconds to fall 60 dB (the drum synths; a sample plays to its end), minDecay..maxDecay

    static constexpr float maxLevel = 2.0f;
    static constexpr float maxTune = 24.0f;
    static constexpr float minDecay = 0.01f, maxDecay = 4.0f;

    bool operator== (const DrumPad&) const = default;
};

/** One step of one pad's row. */
struct DrumStep
{
    bool on = false;
    std::uint8_t velocity = 100; ///< 1..127
    float probability = 1.0f; ///< 0..1: the chance it plays on each pass (rolled the same way every run)

    bool operator== (const DrumStep&) const = default;
};

/** A 12-pad drum kit and its step pattern: what an instrument whose source is BuiltInSource::drumKit
    plays. Pad p plays on MIDI note firstNote + p (General MIDI's drum map starts with the kick on 36),
    so piano-roll notes and live MIDI play the kit too.

    The pattern loops every `steps` steps from tick 0 while the transport plays, `stepsPerBeat` steps to
    the beat (4: sixteenths); `swing` delays every second step (the odd ones) by up to half a step. Each
    pad's row holds maxSteps steps whatever the length, so shortening the pattern and lengthening it again
    brings the hidden steps back.

    A plain value inside Instrument: an instrument that has never been a drum kit has no pads and no rows
    (so it costs nothing), one that is or was one has numPads of each. Any thread that owns it.
*/
struct DrumKit
{
    static constexpr int numPads = 12;
    static constexpr int minSteps = 16, maxSteps = 64;
    static constexpr int firstNote = 36;
    static constexpr int defaultStepsPerBeat = 4;
    static constexpr int stepsPerBeatChoices[] = { 2, 3, 4, 6, 8 };

    using Row = std::array<DrumStep, (std::size_t) maxSteps>;

    std::vector<DrumPad> pads; ///< numPads of them, or none
    std::vector<Row> rows; ///< one per pad
    std::int32_t steps = minSteps; ///< minSteps..maxSteps
    std::int32_t stepsPerBeat = defaultStepsPerBeat; ///< one of stepsPerBeatChoices
    float swing = 0.0f; ///< 0..1

    bool hasPads() const noexcept { return pads.size() == (std::size_t) numPads && rows.size() == (std::size_t) numPads; }

    static bool isStepsPerBeat (std::int32_t) noexcept;

    /** The pad a MIDI note plays, or -1. */
    static int padForNote (int note) noexcept { return note >= firstNote && note < firstNote + numPads ? note - firstNote : -1; }

    /** Ticks in one step, and in one cycle of the pattern (model::Tick). */
    std::int64_t stepTicks() const noexcept;
    std::int64_t cycleTicks() const noexcept;

    /** Where step `step` starts within a cycle, in ticks, swing included. */
    double stepStart (int step) const noexcept;

    /** The step sounding at `tick` (any tick of the song: the pattern repeats from tick 0), swing
        included; -1 for a negative tick. */
    int stepAt (double tick) const noexcept;

    /** True if any step within the length is on. */
    bool hasSteps() const noexcept;

    bool operator== (const DrumKit&) const = default;
};

/** A ready kit, its pads in General MIDI order (36 kick, 37 rim, 38 snare, 39 clap, 40 snare 2,
    41 low tom, 42 closed hat, 43 low-mid tom, 44 pedal hat, 45 mid tom, 46 open hat, 47 high tom), all
    on the built-in drum synths, with an empty 16-step pattern. Any thread. */
DrumKit makeDefaultDrumKit();

/** The pad a new kit starts with at `index` (0..numPads-1). Any thread. */
DrumPad makeDefaultDrumPad (int index);

namespace checks
{
    /** One pad: a known kind, a valid name, a sample path of at most 4096 bytes, and level, tune and
        decay finite and in range. */
    std::string drumPad (const std::string& owner, const DrumPad&);

    /** One step: velocity 1..127, probability finite 0..1. */
    std::string drumStep (const std::string& owner, const DrumStep&);

    /** A pattern's length (minSteps..maxSteps), steps per beat (a stepsPerBeatChoices value) and swing. */
    std::string drumPattern (const std::string& owner, std::int32_t steps, std::int32_t stepsPerBeat, float swing);

    /** A whole kit: no pads or numPads pads and rows, each pad, each step and the pattern. */
    std::string drumKit (const std::string& owner, const DrumKit&);
} // namespace checks

} // namespace imbolc::model
