#pragma once

namespace imbolc::model
{

/** Where a parameter lives. One address names exactly one value the engine can set on one node. */
enum class NodeKind : std::uint8_t
{
    instrument,
    bus,
    master
};

/** Which part of a node a parameter belongs to. */
enum class ParamGroup : std::uint8_t
{
    source, ///< index into Source::params (instruments only)
    stage, ///< itemId = StageId, index into Stage::params
    amp, ///< index: AmpParam (instruments only)
    lfo, ///< index: LfoParam (instruments only)
    strip, ///< index: StripParam
    send ///< itemId = the send's BusId; index 0 is the send level (instruments only)
};

enum class AmpParam : std::uint16_t
{
    attack,
    decay,
    sustain,
    release
};
enum class LfoParam : std::uint16_t
{
    rate,
    depth
};
enum class StripParam : std::uint16_t
{
    level,
    pan
};

struct ParamAddress
{
    NodeKind node = NodeKind::instrument;
    std::uint32_t nodeId = 0; ///< InstrumentId or BusId value; 0 for the master
    ParamGroup group = ParamGroup::source;
    std::uint32_t itemId = 0; ///< StageId value for stage, BusId value for send, else 0
    std::uint16_t index = 0;

    bool operator== (const ParamAddress&) const = default;

    static ParamAddress instrument (InstrumentId id, ParamGroup g, std::uint16_t i, std::uint32_t item = 0)
    {
        return { NodeKind::instrument, id.value, g, item, i };
    }
    static ParamAddress stage (NodeKind n, std::uint32_t nodeId, StageId s, std::uint16_t i)
    {
        return { n, nodeId, ParamGroup::stage, s.value, i };
    }
};

//==============================================================================
enum class Backend : std::uint8_t
{
    internal,
    superCollider
};
enum class SourceKind : std::uint8_t
{
    builtIn,
    plugin,
    synthDef,
    audioInput, ///< a device input channel pair (Source::inputChannel) through the chain
    audioClips ///< an audio track: plays its recorded clips (Source::clips) at their song positions
};
enum class PluginFormat : std::uint8_t
{
    vst3,
    lv2
};

/** A hosted plugin: which one, and its opaque state as the plugin saved it. */
struct PluginRef
{
    PluginFormat format = PluginFormat::vst3;
    std::string identifier; ///< the format's unique id (VST3 file + uid, LV2 URI)
    std::string name;
    std::vector<std::uint8_t> state;

    bool operator== (const PluginRef&) const = default;
};

/** A stretch of an audio file that an audio track (SourceKind::audioClips) plays on the song's
    timeline: the file's sample `offset` sounds at tick `start`, and `length` samples of it follow, at
    the file's own rate (no time stretching: a tempo change moves where a clip starts, not its speed). */
struct AudioClip
{
    /** The WAV (or any format the engine reads), relative to the project file's folder (a recording
        beside the project: "Song Audio/Take 1.wav"), or absolute (a take of a session not saved yet). */
    std::string path;
    std::int64_t start = 0; ///< a model::Tick (declared after this header)
    std::int64_t offset = 0; ///< first sample of the file that plays, >= 0
    std::int64_t length = 0; ///< samples that play, > 0
    float gain = 1.0f; ///< linear, 0..4

    static constexpr float maxGain = 4.0f;
    static constexpr std::size_t maxClips = 4096; ///< per audio track

    bool operator== (const AudioClip&) const = default;
};

struct Source
{
    SourceKind kind = SourceKind::builtIn;
    BuiltInSource builtIn = BuiltInSource::saw;
    PluginRef plugin; ///< kind == plugin
    std::string synthDef; ///< kind == synthDef: the SuperCollider SynthDef name
    std::string samplePath; ///< builtIn == sampler
    std::int32_t inputChannel = 0; ///< kind == audioInput: the first channel of the pair it plays (0-based)
    std::vector<Parameter> params;
    /** kind == audioInput: the chain hears the input (true) or silence (false: a person listens to the
        direct signal elsewhere, or records without hearing themselves twice). Recording does not
        depend on it. */
    bool monitoring = true;
    std::vector<AudioClip> clips; ///< kind == audioClips, sorted by start

    /** True for the built-in drum kit, which plays the instrument's DrumKit. */
    bool isDrumKit() const noexcept { return kind == SourceKind::builtIn && builtIn == BuiltInSource::drumKit; }

    bool operator== (const Source&) const = default;
};

enum class StageKind : std::uint8_t
{
    filter,
    eq,
    effect
};

/** One processing stage of a chain, in user order. */
struct Stage
{
    StageId id;
    StageKind kind = StageKind::filter;
    FilterType filter = FilterType::lowPass; ///< kind == filter
    EffectType effect = EffectType::delay; ///< kind == effect
    PluginRef plugin; ///< effect == plugin
    bool bypassed = false;
    std::vector<Parameter> params;

    bool operator== (const Stage&) const = default;
};

enum class LfoShape : std::uint8_t
{
    sine,
    square,
    saw,
    triangle
};

struct Lfo
{
    bool enabled = false;
    LfoShape shape = LfoShape::sine;
    float rate = 1.0f; ///< Hz
    float depth = 0.0f; ///< 0..1 of the target's range
    ParamAddress target; ///< a parameter of the same instrument

    bool operator== (const Lfo&) const = default;
};

struct Adsr
{
    float attack = 0.005f, decay = 0.1f, sustain = 0.8f, release = 0.2f; ///< seconds, sustain 0..1
    bool operator== (const Adsr&) const = default;
};

struct Send
{
    BusId bus;
    float level = 0.0f; ///< linear gain
    bool preInsert = false; ///< tap before the processing chain instead of after it
    bool operator== (const Send&) const = default;
};

/** A mixer strip of an instrument. output invalid means the master. */
struct Strip
{
    float level = 0.8f; ///< linear gain 0..2
    float pan = 0.0f; ///< -1..1
    bool mute = false;
    bool solo = false;
    BusId output;
    std::vector<Send> sends;

    bool operator== (const Strip&) const = default;
};

enum class ArpMode : std::uint8_t
{
    up,
    down,
    upDown,
    random
};

/** Performance shaping applied as notes are played. */
struct Groove
{
    float humanizeVelocity = 0.0f; ///< 0..1, of +-30 velocity steps
    float humanizeTiming = 0.0f; ///< 0..1, of +-20 ms
    bool arpEnabled = false;
    ArpMode arpMode = ArpMode::up;
    std::int32_t arpRate = 4; ///< steps per beat, 1..16
    std::int32_t arpOctaves = 1; ///< 1..4

    bool operator== (const Groove&) const = default;
};

struct Instrument
{
    InstrumentId id;
    std::string name;
    Backend backend = Backend::internal;
    Source source;
    std::vector<Stage> chain;
    Lfo lfo;
    Adsr amp;
    std::int32_t voiceCap = defaultVoiceCap;
    Strip strip;
    Groove groove;
    DrumKit drums; ///< the pads and pattern a drum-kit source plays (kept when the source changes, for undo and switching back)
    /** The MIDI channel that plays this instrument: 0 = none (it hears MIDI only while it is the MIDI
        input instrument, the selection), 1..16 = host or live MIDI on that channel plays it, whatever
        is selected. A channel no instrument claims plays the MIDI input instrument. */
    std::int8_t midiChannel = 0;
    /** Armed for recording: while the transport records, what is played live into this instrument
        (its notes, or its audio input) is recorded as a take. A performance switch like the transport,
        not an edit: it has no undo entry, and undoing an edit of the instrument leaves it as it is. */
    bool recordArmed = false;
    /** 0 = none, 1..16: the notes this instrument plays (sequenced and live, with live controllers and
        pitch bend) also leave Imbolc as MIDI on this channel, for an external synth (the MIDI output
        device and Imbolc's JACK MIDI output). Paired with an audio input instrument that monitors the
        synth's return, it is an external instrument track. */
    std::int8_t midiOutputChannel = 0;

    static constexpr int maxMidiChannel = 16;

    static constexpr std::int32_t defaultVoiceCap = 24;
    static constexpr std::int32_t maxVoiceCap = 256;

    const Stage* findStage (StageId) const noexcept;
    Stage* findStage (StageId) noexcept;

    bool operator== (const Instrument&) const = default;
};

namespace checks
{
    /** The refusal of a drum-kit source on the SuperCollider backend (it has no drum-kit voice: the kit
        plays only on the internal engine), or empty. */
    std::string drumKitBackend (const std::string& owner, const Source&, Backend);
} // namespace checks

/** Finds a stage in a chain by id; nullptr if absent. */
const Stage* findStage (const std::vector<Stage>& chain, StageId) noexcept;
Stage* findStage (std::vector<Stage>& chain, StageId) noexcept;

} // namespace imbolc::model
