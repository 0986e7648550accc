#pragma once

namespace imbolc::engine
{

/** Which kind of chain a command or report is about. */
enum class ChainKind : std::uint8_t
{
    instrument,
    bus,
    master
};

/** One message from the message thread to the audio thread: a small POD, so parameter tweaks and
    notes never carry state copies or strings. Objects (new chains, routing) travel as pointers whose
    ownership passes to the audio thread and comes back through the event queue to be destroyed.

    A command names its chain by slot and serial. Slots are small indices into fixed arrays (O(1) on the
    audio thread); the serial is unique per chain object, so a command for a chain that has since been
    replaced or deleted is recognised and dropped instead of reaching the wrong chain.
*/
struct Command
{
    enum class Type : std::uint8_t
    {
        // Priority queue: drained first at the start of every block.
        setParam, ///< chain, node (0 source, 1.. stages, last strip), index, value
        setSendLevel, ///< instrument chain, index = send position, value = linear gain
        noteOn, ///< instrument chain, index = note number, value = velocity 0..1
        noteOff, ///< instrument chain, index = note number
        allNotesOff, ///< instrument chain
        setVoiceLimit, ///< instrument chain, value = the voice cap
        setMuted, ///< chain, value 1 = muted (solo already resolved by the message thread)
        setBypass, ///< chain, node = stage node, value 1 = bypassed
        setTempo, ///< value = beats per minute
        play,
        stop,
        locate, ///< position = ticks
        setLfo, ///< instrument chain; node, index = target; value = rate; value2 = depth; position = shape | enabled << 8
        setMidiTarget, ///< instrument slot and serial that MIDI input plays; slot -1 = none
        setMidiChannel, ///< instrument chain, value = the MIDI channel that plays it (0 none, 1..16)
        countIn, ///< position = minus the count-in's length in ticks, value = its length, value2 = a beat in ticks, index = beats per bar: go back that far from where the song stands, play, and click each beat until back there
        setMidiOutput, ///< instrument chain, value = the MIDI channel its notes leave on (0 none, 1..16)
        setMacro, ///< position = macro slot | MacroTarget::Kind << 8 (a MIDI mapping's target: | 1 << 16, and its source packed above, see MidiMapTarget); chain, slot, serial, node, index = what it drives; value = from, value2 = to (sent through the normal queue, behind the installs it names)

        // Normal queue: structure, in order.
        installInstrument, ///< slot, object = InstrumentChain*
        removeInstrument, ///< slot, serial: fade out, then retire
        setRouting, ///< instrument slot, serial, object = RoutingSpec*
        installBus, ///< slot, object = BusChain* (a chain already there fades out)
        removeBus, ///< slot, serial
        installMaster, ///< object = MasterChain* (the old master chain fades out)
        setSequence, ///< instrument slot, serial, object = InstrumentSequence* (the old one is handed back)
        setGlobalSequence, ///< object = GlobalSequence* (the old one is handed back)
        setBusIndex, ///< bus slot, serial, position = the bus's index in the mixer order (its direct output pair)
        attachRecorder, ///< index = recorder slot, object = InputRecorder* (written while the song plays)
        detachRecorder, ///< index = recorder slot: the recorder is handed back (Event::retiredRecorder)

        // Delay compensation (normal queue, so it follows the install of the chain it names).
        setCompensation ///< position = delay in samples of line `index` of: chain instrument (slot, serial; 0 output, 1 pre-insert tap), bus (slot, serial; 0 output), master (index 0: the instruments that go straight to the master; index 1: no line, the total output latency, which external notes and MIDI out are offset by); object = CompensationDelay::Memory* to take first (the old one is handed back), or null
    };

    Type type = Type::setParam;
    ChainKind chain = ChainKind::instrument;
    std::uint16_t node = 0;
    std::uint16_t index = 0;
    std::int32_t slot = 0;
    std::uint32_t serial = 0;
    float value = 0.0f;
    float value2 = 0.0f;
    std::int64_t position = 0;
    void* object = nullptr;
};

static_assert (std::is_trivially_copyable_v<Command>);

/** Something the audio thread hands back that must not be lost: an object to destroy. */
struct Event
{
    enum class Type : std::uint8_t
    {
        retiredInstrument,
        retiredBus,
        retiredMaster,
        retiredRouting,
        retiredSequence,
        retiredGlobalSequence,
        retiredRecorder, ///< an InputRecorder the audio thread no longer writes: finish the take
        retiredDelayMemory ///< a CompensationDelay::Memory replaced by a larger one
    };
    Type type = Type::retiredInstrument;
    std::int32_t slot = 0;
    void* object = nullptr;
};

/** Something the audio thread reports that may be dropped when nobody reads it: only the newest matters. */
struct Status
{
    enum class Type : std::uint8_t
    {
        meter, ///< chain, slot, serial, left and right peak since the last meter report
        playhead ///< position in ticks, playing
    };
    Type type = Type::meter;
    ChainKind chain = ChainKind::instrument;
    bool playing = false;
    std::int32_t slot = 0;
    std::uint32_t serial = 0;
    float left = 0.0f, right = 0.0f;
    double ticks = 0.0;
};

/** What one macro slot drives inside the graph, resolved on the message thread from the session's
    model::Macro the way automation lanes are: (chain kind, slot, serial, node, index). A target whose
    chain has since been replaced or removed is stale and skipped until the message thread sends the
    new one. Plain data, kept in a fixed array on the audio thread. */
struct MacroTarget
{
    enum class Kind : std::uint8_t
    {
        none, ///< unassigned, or its parameter resolves to nothing in the engine
        nodeParam, ///< node, index: a NodeProcessor parameter
        sendLevel ///< index: an instrument chain's send position
    };

    Kind kind = Kind::none;
    ChainKind chain = ChainKind::instrument;
    std::uint16_t node = 0;
    std::uint16_t index = 0;
    std::int32_t slot = -1;
    std::uint32_t serial = 0;
    float from = 0.0f, to = 1.0f; ///< already inside the parameter's range

    bool operator== (const MacroTarget&) const = default;
};

/** What one MIDI mapping listens to and drives inside the graph: the model::MidiMapping's source and
    curve, and its parameter resolved like a macro's (MacroTarget; from and to are the mapping's range).
    Plain data, kept in a fixed array on the audio thread. */
struct MidiMapTarget
{
    MacroTarget target;
    model::MidiSource source = model::MidiSource::controller;
    std::uint8_t channel = 0; ///< 0 any, 1..16
    std::uint8_t controller = 0;
    model::MidiCurve curve = model::MidiCurve::linear;

    /** The setMacro command's position for mapping slot k: k | kind << 8 | 1 << 16 | source << 20 |
        channel << 24 | controller << 32 | curve << 40. */
    std::int64_t pack (int k) const noexcept
    {
        return (std::int64_t) k | ((std::int64_t) target.kind << 8) | ((std::int64_t) 1 << 16) | ((std::int64_t) source << 20)
               | ((std::int64_t) channel << 24) | ((std::int64_t) controller << 32) | ((std::int64_t) curve << 40);
    }

    bool operator== (const MidiMapTarget&) const = default;
};

/** One MIDI message the engine played from ProcessInput::midi (a plugin host's or a live device's), as
    the audio thread reports it to the message thread for recording and MIDI learn: what it was, which
    instrument chain played it, and where the song stood at its exact sample. Plain data. */
struct CapturedMidi
{
    enum class Kind : std::uint8_t
    {
        noteOn,
        noteOff,
        controller,
        pitchBend
    };
    Kind kind = Kind::noteOn;
    std::uint8_t channel = 1; ///< 1..16
    std::uint8_t number = 0; ///< note or controller number
    std::uint16_t value = 0; ///< velocity 1..127, controller value 0..127, pitch bend 0..16383
    bool playing = false; ///< the transport was playing at that sample
    bool countingIn = false; ///< a count-in was clicking (the song has not reached the record position)
    std::uint32_t pass = 0; ///< loop wraps since play
    std::int32_t slot = -1; ///< the instrument chain that played it (-1: none did)
    std::uint32_t serial = 0;
    double tick = 0.0; ///< the song position at its sample
    std::int64_t sampleTime = 0; ///< its sample on the engine's sample clock (AudioGraph::getSampleTime)
};

static_assert (std::is_trivially_copyable_v<CapturedMidi>);

/** Where an instrument's output and sends go, built on the message thread and handed over whole. */
struct RoutingSpec
{
    static constexpr int maxSends = (int) model::Mixer::maxBuses;

    struct SendSpec
    {
        std::int32_t busSlot = -1;
        std::uint32_t busId = 0;
        float level = 0.0f;
        bool preInsert = false;
    };

    std::int32_t outputBusSlot = -1; ///< -1: the master
    std::int32_t numSends = 0;
    std::array<SendSpec, (std::size_t) maxSends> sends {};
};

} // namespace imbolc::engine
