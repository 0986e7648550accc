#pragma once

namespace imbolc::model
{

struct Bus
{
    BusId id;
    std::string name;
    float level = 0.8f;
    float pan = 0.0f;
    bool mute = false;
    bool solo = false;
    std::vector<Stage> chain;
    bool operator== (const Bus&) const = default;
};

/** The master strip. The engine always ends it in a safety limiter that is not part of the model. */
struct Master
{
    float level = 1.0f;
    bool mute = false;
    std::vector<Stage> chain;
    bool operator== (const Master&) const = default;
};

struct Mixer
{
    IdMap<BusId, Bus, &Bus::id> buses;
    Master master;
    bool operator== (const Mixer&) const = default;

    static constexpr std::size_t maxBuses = 32;
};

enum class Scale : std::uint8_t
{
    major,
    minor,
    dorian,
    phrygian,
    lydian,
    mixolydian,
    locrian,
    harmonicMinor,
    melodicMinor,
    majorPentatonic,
    minorPentatonic,
    blues,
    chromatic
};
constexpr int numScales = 13;

struct LoopRegion
{
    bool enabled = false;
    Tick start = 0;
    Tick end = 16 * ticksPerBeat;
    bool operator== (const LoopRegion&) const = default;
};

/** What a MIDI mapping listens to: a control change (one controller number) or pitch bend. */
enum class MidiSource : std::uint8_t
{
    controller,
    pitchBend
};

/** How a MIDI mapping bends its controller's travel before spreading it over its range. */
enum class MidiCurve : std::uint8_t
{
    linear,
    exponential, ///< slow at the bottom, fast at the top (fine control of small values)
    logarithmic ///< the inverse: fast at the bottom, slow at the top
};
constexpr int numMidiCurves = 3;

/** A learned controller: a CC (or pitch bend) on a channel drives one parameter of the session over a
    range, through a curve. A parameter follows at most one mapping; one controller may drive many.

    A value x (0..1: CC value / 127, pitch bend / 16383) sets the parameter to
    min + curve (x) * (max - min); min > max inverts it. */
struct MidiMapping
{
    MidiSource source = MidiSource::controller;
    std::int32_t channel = 0; ///< 0 = any channel, 1..16
    std::int32_t controller = 1; ///< the CC number 0..127 (ignored for pitch bend)
    ParamAddress param;
    float min = 0.0f;
    float max = 1.0f;
    MidiCurve curve = MidiCurve::linear;

    static constexpr double curveSteepness = 4.0; ///< how far the exponential and logarithmic curves bend

    /** The curve alone: 0..1 to 0..1, with 0 and 1 fixed. Any thread; no allocation (audio thread too). */
    static float shape (MidiCurve c, float x) noexcept
    {
        x = x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x);
        const auto k = curveSteepness;
        switch (c)
        {
            case MidiCurve::exponential:
                return (float) ((std::exp (k * x) - 1.0) / (std::exp (k) - 1.0));
            case MidiCurve::logarithmic:
                return (float) (std::log1p ((std::exp (k) - 1.0) * x) / k);
            case MidiCurve::linear:
                break;
        }
        return x;
    }

    /** The parameter value for controller position x (0..1). Any thread; no allocation. */
    float valueFor (float x) const noexcept { return min + shape (curve, x) * (max - min); }

    /** True if a message from `src` on `messageChannel` (1..16) with controller `number` drives this. */
    bool hears (MidiSource src, int messageChannel, int number) const noexcept
    {
        return src == source && (channel == 0 || channel == messageChannel) && (source == MidiSource::pitchBend || controller == number);
    }

    bool operator== (const MidiMapping&) const = default;
};

/** How many MIDI mappings a session may hold (the engine keeps that many targets in a fixed array). */
constexpr int maxMidiMappings = 128;

/** What a recording pass does to the notes earlier passes of the same take recorded in the loop span. */
enum class RecordMode : std::uint8_t
{
    overdub, ///< every pass adds its notes
    replace ///< a new pass replaces what the earlier passes recorded
};

/** Where the session's hosted plugins (VST3, LV2) run. A plugin that crashes or hangs inside Imbolc's
    own process takes the whole session with it; in a sandbox process only its own sound stops, and
    the engine restarts it with its last state. A sandbox costs a round trip per block (and a block of
    latency where the round trip does not fit in one). */
enum class PluginIsolation : std::uint8_t
{
    inProcess, ///< in Imbolc's own process: the cheapest, and what sessions before sandboxes did
    perPlugin, ///< each plugin in a sandbox process of its own: a crash costs that plugin only
    shared ///< every plugin in one sandbox process: a crash silences them all, fewer processes
};

/** "in process", "one sandbox per plugin" or "one shared sandbox". */
const char* toString (PluginIsolation) noexcept;

struct SessionSettings
{
    std::string name = "Untitled";
    double bpm = 120.0; ///< 20..999
    std::int32_t timeSigNumerator = 4; ///< 1..32
    std::int32_t timeSigDenominator = 4; ///< 1, 2, 4, 8, 16 or 32
    std::int32_t key = 0; ///< pitch class 0 (C) .. 11 (B)
    Scale scale = Scale::major;
    std::int32_t ticksPerBeat = model::ticksPerBeat;
    float swing = 0.0f; ///< 0..1: how far every second eighth is delayed
    LoopRegion loop;
    /** Recording: overdub or replace on each loop pass, and the count-in before a recording starts
        (0, 1 or 2 bars). Added with MIDI recording. */
    RecordMode recordMode = RecordMode::overdub;
    std::int32_t countInBars = 0;
    /** The learned MIDI controllers, at most maxMidiMappings, at most one per parameter. Kept with the
        settings (session-wide, undone with them, saved and sent to seats with them). */
    std::vector<MidiMapping> midiMappings;
    /** Where plugins run (added with plugin sandboxes; older files load as inProcess). */
    PluginIsolation pluginIsolation = PluginIsolation::inProcess;
    static constexpr std::int32_t maxCountInBars = 2;
    bool operator== (const SessionSettings&) const = default;
};

/** Live transport state. Part of the session for the network; a loaded file always starts stopped. */
struct Transport
{
    bool playing = false;
    bool recording = false;
    bool automationRecording = false;
    Tick position = 0;
    bool operator== (const Transport&) const = default;
};

using Instruments = IdMap<InstrumentId, Instrument, &Instrument::id>;

/** How many host-automatable macros a session has: a plugin host sees exactly this many parameters
    ("Macro 1".."Macro 16"), whatever the session maps them to. */
constexpr int numMacros = 16;

/** One host-automatable macro: which parameter of the session it drives, and over which span.

    A host value v (0..1) sets the parameter to from + v * (to - from), in the parameter's own units;
    from > to inverts the macro. An unassigned macro drives nothing (its from and to are kept, so
    reassigning it in the same session is one click). */
struct Macro
{
    bool assigned = false;
    ParamAddress param;
    float from = 0.0f;
    float to = 1.0f;

    /** The parameter value for host value `v` (clamped to 0..1). Any thread; no allocation. */
    float valueFor (float v) const noexcept
    {
        const auto t = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
        return from + t * (to - from);
    }

    bool operator== (const Macro&) const = default;
};

using Macros = std::array<Macro, (std::size_t) numMacros>;

/** Everything a session is. A plain value: copy it to snapshot it.

    Owned and changed by the message thread only, through the Dispatcher. Other threads get copies
    (the saver) or commands derived from changes (the engine, the network).
*/
struct Session
{
    SessionSettings settings;
    Instruments instruments;
    PianoRoll pianoRoll;
    Arrangement arrangement;
    Automation automation;
    Mixer mixer;
    Transport transport;
    /** The host-automatable macros, by slot (Macro 1 is macros[0]). Session-wide, like the tempo. */
    Macros macros {};

    /** The next id to hand out. Only grows, so ids are never reused (see Id). */
    std::uint32_t nextId = 1;

    /** The most instruments a session holds: the engine has a chain slot for each of them, so the
        dispatcher refuses more and a loaded file with more is invalid. */
    static constexpr std::size_t maxInstruments = 1024;

    template <typename IdType>
    IdType allocateId() noexcept
    {
        return IdType { nextId++ };
    }

    bool operator== (const Session&) const = default;
};

/** Checks every invariant of a session: unique ids below nextId, one track per instrument, sorted notes
    and points, values in range and finite, references (outputs, sends, clips, lane targets) that
    resolve, no routing cycles. Used on load so that a file is accepted whole or not at all.
    Returns an empty string when valid, otherwise one sentence naming the first problem. Any thread.
*/
std::string validate (const Session&);

/** Checks of single values, shared by validate() and the dispatcher so both accept exactly the same
    things. Each returns an empty string when fine, otherwise one sentence. Any thread. */
namespace checks
{
    std::string name (const std::string& what, const std::string& value);
    std::string parameters (const std::string& owner, const std::vector<Parameter>&);
    std::string stage (const std::string& owner, const Stage&);
    std::string source (const std::string& owner, const Source&);
    /** An audio track's clips: at most AudioClip::maxClips, sorted by start, each with a file, a start
        and offset that are not negative, a length, and a finite gain of 0..AudioClip::maxGain. */
    std::string audioClips (const std::string& owner, const std::vector<AudioClip>&);
    std::string note (const std::string& owner, const Note&);
    /** One automation point: a tick that is not negative, a finite value, a known curve. */
    std::string point (const std::string& owner, const Point&);
    /** A lane's or clip lane's points: at most maxPointsPerLane, sorted by tick, one per tick, each valid. */
    std::string points (const std::string& owner, const PointList&);
    std::string groove (const std::string& owner, const Groove&);
    std::string loop (const LoopRegion&);
    std::string bpm (double);
    std::string timeSignature (std::int32_t numerator, std::int32_t denominator);
    /** A macro as the dispatcher accepts it into slot `index`: finite from and to; when assigned, a
        parameter that exists and from and to inside its range. */
    std::string macro (const Session&, int index, const Macro&);
    /** An instrument's MIDI channel: 0 (none) or 1..16. */
    std::string midiChannel (int channel);
    /** A MIDI mapping as the dispatcher accepts it: a known source and curve, channel 0..16, CC 0..127,
        a parameter that exists and min and max finite and inside its range. */
    std::string midiMapping (const Session&, const MidiMapping&);
    /** Record options: a known mode and a count-in of 0..SessionSettings::maxCountInBars bars. */
    std::string recordOptions (RecordMode, std::int32_t countInBars);
    /** One of the PluginIsolation values. */
    std::string pluginIsolation (PluginIsolation);

    constexpr std::size_t maxNameLength = 256;
    constexpr std::size_t maxPluginStateBytes = 64 * 1024 * 1024;
    constexpr std::size_t maxPointsPerLane = 1 << 20;
} // namespace checks

/** Calls fn(ParamAddress) for every continuous parameter of an instrument. */
void forEachParam (const Instrument&, const std::function<void (const ParamAddress&)>& fn);

/** Resolves a parameter address to the parameter's current value and range; nullopt if it names
    nothing. Any thread that owns the session.
*/
struct ParamInfo
{
    float value, minValue, maxValue;
};
std::optional<ParamInfo> findParam (const Session&, const ParamAddress&);

/** Where a parameter's value is stored, or nullptr. For the dispatcher and undo: the message thread. */
float* findParamValue (Session&, const ParamAddress&);

/** The same inside one instrument, ignoring the address's node (for undo's before/after comparison). */
float* findParamValue (Instrument&, const ParamAddress&);

/** The slot (0..numMacros-1) of the assigned macro that drives `param`, or -1. Any thread that owns
    the session. */
int findMacro (const Session&, const ParamAddress&) noexcept;

/** The index in settings.midiMappings of the mapping that drives `param`, or -1. Any thread that owns
    the session. */
int findMidiMapping (const Session&, const ParamAddress&) noexcept;

/** Describes a parameter address for people, e.g. "instrument 3 stage 7 parameter 0 (cutoff)". */
std::string describe (const Session&, const ParamAddress&);

} // namespace imbolc::model
