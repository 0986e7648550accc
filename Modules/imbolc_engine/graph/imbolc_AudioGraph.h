#pragma once

namespace imbolc::engine
{

using CommandQueue = moodycamel::ReaderWriterQueue<Command>;
using EventQueue = moodycamel::ReaderWriterQueue<Event>;
using StatusQueue = moodycamel::ReaderWriterQueue<Status>;

/** The audio thread's side of the engine: every chain currently sounding, in fixed-capacity arrays,
    fed by the command queues and reporting through the event and status queues.

    Nothing here is shared with the message thread except through those queues and a few atomics.
    Adding or removing a chain is O(1) on the audio thread (a pointer stored in a slot and appended to
    the running list; removal is a fade then a swap-remove), whatever the number of chains, and no
    other chain is touched.

    Instrument chains are independent: each renders into a workspace and then adds itself into bus
    inputs and the master. With render workers (setRenderWorkers), the chains of a block are rendered
    on the workers and the audio thread at once, each thread in its own workspace, each chain keeping
    its result; the audio thread then mixes them in running order, exactly the additions the single
    thread makes, so the output is bit-identical whatever the number of threads. Buses render in
    parallel the same way.
*/
class AudioGraph
{
public:
    struct Queues
    {
        CommandQueue& priority;
        CommandQueue& normal;
        EventQueue& events;
        StatusQueue& status;
        std::atomic<std::uint64_t>& normalConsumed;
        ExternalNotes& externalNotes; ///< what external-backend sources play, on the graph's sample clock
        MidiOutQueue& midiOut; ///< what instruments' MIDI outputs and MIDI clock out send, on the same clock
    };

    struct Capacity
    {
        int instrumentSlots = 1024;
        int busSlots = 64;
        int runningInstruments = 2048; ///< live chains plus chains fading out
        int runningBuses = 256;
        int runningMasters = 8;
        int pendingEvents = 8192;
        int capturedMidi = 4096; ///< live MIDI messages waiting for the message thread (popCapturedMidi)
    };

    /** Message thread, before any audio runs. Allocates everything the audio thread will use. */
    AudioGraph (const Capacity&, const Queues&);

    /** Destroys every chain still installed. Only once the audio thread has stopped for good. */
    ~AudioGraph();

    /** (Re)allocates buffers and re-prepares every installed chain for a new rate or block size. Not on
        the audio thread, and only while process() is not running. */
    void prepare (double sampleRate, int maxBlockSize, int fadeSamples, int meterIntervalSamples);

    /** Render workers that help the audio thread (RenderWorkers; 0: it renders alone). With
        `waitForLate` false (live audio), the audio thread waits for a worker's chain at most until 70 %
        of the block's duration has passed since process() began: a chain still rendering then is left
        out of that block (silence from it), and until it is done the graph renders alone, applies no
        commands and retires nothing, so nobody touches that chain. With it true (offline render, tests
        of exact output), every chain is always waited for. Message thread, while process() is not
        running; takes effect at once. */
    void setRenderWorkers (int count, bool waitForLate);
    int getNumRenderWorkers() const noexcept { return workers.getNumWorkers(); }

    /** Blocks in which a late render worker's chain was left out, since prepare. Any thread. */
    std::int64_t getLateRenderBlocks() const noexcept { return lateBlocks.load (std::memory_order_relaxed); }

    /** Renders numSamples into numChannels outputs (the stereo mix goes to the first two; others are
        cleared). Applies queued commands first: priority, then normal; then follows the host's transport,
        sets every macro whose host value changed (or whose target did) at this call's first sample,
        and plays the host's MIDI: on the instruments whose MIDI channel is the event's, or on the MIDI
        target when no instrument claims that channel. A bus whose pair `input` gives in busOutputs is
        written there (post-fader, after its chain) instead of into the master; every non-null
        busOutputs channel is numSamples long and is written in full (silence where no bus fills it).
        Audio thread. */
    void process (float* const* outputs, int numChannels, int numSamples, const ProcessInput& input = {}) noexcept;

    /** Applies every queued command without rendering. While the audio thread is stopped only. */
    void drainCommands() noexcept;

    /** Hands back every owned chain through the event queue and pending list; call only while stopped,
        before destroying the engine or reloading. Returns the objects that could not be queued. */
    std::vector<Event> releaseEverything();

    /** Worst time (ns) one block spent applying structural commands and retiring chains, since the
        last reset. Read from any thread; reset from any thread. */
    std::int64_t getMaxStructuralNanos() const noexcept { return maxStructuralNanos.load (std::memory_order_relaxed); }
    void resetMaxStructuralNanos() noexcept { maxStructuralNanos.store (0, std::memory_order_relaxed); }

    /** Chains currently rendering (including those fading out). Audio thread, or while stopped. */
    int getNumRunningInstruments() const noexcept { return numRunning; }

    const Capacity& getCapacity() const noexcept { return capacity; }

    /** Loudness, spectrum and scope of the master output, computed only while enabled (see
        AnalysisMeters for which thread may call what). */
    AnalysisMeters& getAnalysisMeters() noexcept { return *analysis; }

    /** The engine's sample clock: samples rendered since the last prepare, i.e. the sample time of
        the next block (ExternalNoteEvent::sampleTime counts on it). Audio thread, or while stopped. */
    std::int64_t getSampleTime() const noexcept { return sampleTime; }

    /** The transport. Audio thread, or while stopped (tests). */
    const Sequencer& getSequencer() const noexcept { return sequencer; }

    /** What the engine last heard of a plugin host's timing, for the session's display: whether a host
        transport is followed, its tempo (0: none) and meter (0: none). Any thread. */
    struct HostTiming
    {
        bool active = false;
        double bpm = 0.0;
        int timeSigNumerator = 0, timeSigDenominator = 0;
    };
    HostTiming getHostTiming() const noexcept;

    /** MIDI clock out (its enable switch is any thread's). */
    MidiClockOut& getMidiClockOut() noexcept { return clockOut; }

    /** The installed chain in `slot` if its serial matches, else nullptr. Audio thread, or while stopped. */
    ChainBase* findChain (ChainKind, std::int32_t slot, std::uint32_t serial) noexcept;

    /** The device input and plan of the chunk being rendered, for audio sources (AudioInputNode,
        AudioClipNode) built with a reference to it. The reference is valid for the graph's life;
        the contents are the audio thread's. */
    const LiveBlock& getLiveBlock() const noexcept { return live; }

    /** Input recorders written at once (one per armed audio-input instrument). */
    static constexpr int maxRecorders = 32;

    /** What macro slot `k` drives now, as the last setMacro command left it. Audio thread, or while
        stopped (tests). */
    const MacroTarget& getMacroTarget (int k) const noexcept { return macroTargets[(std::size_t) juce::jlimit (0, model::numMacros - 1, k)]; }

    /** What MIDI mapping slot `k` listens to and drives now. Audio thread, or while stopped (tests). */
    const MidiMapTarget& getMidiMapTarget (int k) const noexcept { return midiMaps[(std::size_t) juce::jlimit (0, model::maxMidiMappings - 1, k)]; }

    /** The next MIDI message played from ProcessInput::midi (notes, controllers, pitch bend), oldest
        first; false when none waits. The audio thread pushes them into a preallocated queue and never
        waits: when the queue is full, messages are dropped and counted (getCapturedMidiDrops). One
        consumer thread only (the message thread, Engine::takeLiveMidi). */
    bool popCapturedMidi (CapturedMidi& out) noexcept { return capturedMidi.try_dequeue (out); }

    /** Messages dropped because the capture queue was full. Any thread. */
    std::uint64_t getCapturedMidiDrops() const noexcept { return capturedMidiDrops.load (std::memory_order_relaxed); }

    /** True while a count-in clicks (Command::countIn). Audio thread, or while stopped (tests). */
    bool isCountingIn() const noexcept { return countIn.active; }

    /** How many times a call may be split at a mapped controller's sample; later ones in the same call
        apply at the start of the chunk they fall in (a controller flood costs bounded work). */
    static constexpr int maxMidiSplitsPerCall = 64;

    //==============================================================================
    // Delay compensation.

    /** The total output latency the engine last told the audio thread (samples: the most latent
        instrument's, plus the most latent bus's, plus the master's), by which external notes and MIDI
        out are offset. Any thread. */
    int getOutputLatency() const noexcept { return outputLatency.load (std::memory_order_relaxed); }

    /** The delay of the instruments that go straight to the master (the most latent bus's latency).
        Audio thread, or while stopped (tests). */
    const CompensationDelay& getDirectDelay() const noexcept { return directDelay; }
    //==============================================================================

private:
    void applyCompensation (const Command&) noexcept;
    void renderChunk (float* const* outputs, int numChannels, int offset, int n) noexcept;
    /** Schedules, renders and mixes every instrument chain; what goes to the master goes to `masterTarget`. */
    void renderInstruments (const BlockPlan&, int n, juce::AudioBuffer<float>& masterTarget) noexcept;
    void renderInstrumentsInParallel (const BlockPlan&, int n, juce::AudioBuffer<float>& masterTarget) noexcept;
    void renderBuses (int offset, int n) noexcept;
    void mixBus (BusChain&, int offset, int n) noexcept;
    static void renderInstrumentJob (void* graph, int index, RenderWorkspace&) noexcept;
    /** Mixes the chains from mixNext on, in running order, while each has finished and kept its output. */
    void mixFinishedChains() noexcept;
    static void renderBusJob (void* graph, int index, RenderWorkspace&) noexcept;
    /** Forgets the late chains whose worker has finished; true while any is still rendering. */
    bool refreshLateChains() noexcept;
    std::optional<std::chrono::steady_clock::time_point> renderDeadline() const noexcept;
    void followHost (const HostTransport&) noexcept;
    void leaveHost() noexcept;
    void deliverMidi (const BlockPlan&, int offset, int n) noexcept;
    void releaseTargetNotes() noexcept;
    int midiPosition (const juce::MidiMessageMetadata&) const noexcept;
    bool drivesMapping (const juce::uint8* data, int numBytes) const noexcept;
    int untilMappedMidi (int offset, int n) const noexcept;
    void applyMappings (const juce::uint8* data, int channel) noexcept;
    void captureMidi (const juce::uint8* data, int numBytes, int channel, const InstrumentChain* playedBy, const BlockPlan&, int sampleInChunk) noexcept;
    void applyTarget (const MacroTarget&, float value) noexcept;
    void renderCountIn (const BlockPlan&, int n) noexcept;
    float* const* directOutputFor (const BusChain&) const noexcept;
    void applyMacros (const ProcessInput&) noexcept;
    void applyPriority (const Command&) noexcept;
    void applyNormal (const Command&) noexcept;
    void drainNormal() noexcept;
    void retireFinished() noexcept;
    void startRemoving (InstrumentChain*) noexcept;
    void postEvent (const Event&) noexcept;
    void flushPendingEvents() noexcept;
    void postMeters() noexcept;
    void applyGlobalLanes (const BlockPlan&, int n) noexcept;
    InstrumentChain* findInstrument (std::int32_t slot, std::uint32_t serial) noexcept;

    Capacity capacity;
    Queues queues;

    std::vector<InstrumentChain*> instrumentSlots;
    std::vector<InstrumentChain*> running;
    int numRunning = 0;
    std::vector<InstrumentChain*> fadingOut; ///< the running chains being removed: retirement looks only here
    int numFadingOut = 0;

    std::vector<BusChain*> busSlots;
    std::vector<int> busChainsPerSlot;
    std::vector<BusChain*> runningBuses;
    int numRunningBuses = 0;
    std::vector<std::unique_ptr<juce::AudioBuffer<float>>> busInputs;
    std::vector<juce::AudioBuffer<float>*> busInputTargets; ///< null where no live bus takes input

    MasterChain* master = nullptr;
    std::vector<MasterChain*> runningMasters;
    int numRunningMasters = 0;

    juce::AudioBuffer<float> masterInput, mix;
    RenderWorkspace workspace;
    SafetyLimiterNode limiter;
    juce::MidiBuffer noMidi;
    const juce::MidiBuffer* hostMidi = nullptr; ///< this block's MIDI from a plugin host (during process only)
    float* const* busOutputs = nullptr; ///< this call's direct bus outputs (during process only)
    int numBusOutputPairs = 0;
    int hostMidiStart = 0; ///< where this call's part of hostMidi starts (a split host block)
    int hostMidiSamples = 0; ///< the block's length, to place events a host put past its end
    bool hostWasPlaying = false;
    double lastHostTick = -1.0;
    struct
    {
        std::atomic<bool> active { false };
        std::atomic<double> bpm { 0.0 };
        std::atomic<int> meter { 0 }; // numerator << 8 | denominator
    } hostTiming;
    std::int32_t midiTargetSlot = -1; ///< the instrument chain MIDI input plays (setMidiTarget)
    std::uint32_t midiTargetSerial = 0;
    /** The notes MIDI input started on the target and has not ended (a bit per pitch): when the target
        changes, the old one gets their note-offs, so no note a person still holds hangs there. */
    std::array<std::uint64_t, 2> targetHeld {};
    std::vector<InstrumentChain*> channelChains; ///< this chunk's running chains with a MIDI channel (preallocated)

    std::array<MacroTarget, (std::size_t) model::numMacros> macroTargets {};
    std::array<float, (std::size_t) model::numMacros> macroValues {}; ///< the host value last applied per slot
    std::array<bool, (std::size_t) model::numMacros> macroPending {}; ///< the target changed: apply even an unchanged value

    std::array<MidiMapTarget, (std::size_t) model::maxMidiMappings> midiMaps {};
    int numMidiMaps = 0; ///< the slots below this may be set

    moodycamel::ReaderWriterQueue<CapturedMidi> capturedMidi;
    std::atomic<std::uint64_t> capturedMidiDrops { 0 };

    /** The count-in's click: from `start` to `end` ticks while playing, one click per beat. */
    struct
    {
        bool active = false;
        double start = 0.0, end = 0.0, beatTicks = (double) model::ticksPerBeat;
        int beatsPerBar = 4;
        int samplesLeft = 0; ///< of the click sounding now
        float phase = 0.0f, step = 0.0f, level = 0.0f, decay = 0.0f;
        /** Beats due but not clicked yet: when (on the sample clock, the output latency after the
            beat's own sample, so the click lines up with the song as it is heard) and whether it is
            a bar's first. */
        std::array<std::pair<std::int64_t, bool>, 8> due {};
        int numDue = 0;
    } countIn;
    MidiClockOut clockOut;

    std::vector<Event> pendingEvents;
    int numPendingEvents = 0;

    int maxBlock = 512;
    double sampleRate = 48000.0;
    std::int64_t sampleTime = 0;
    std::int64_t chunkStartSample = 0; ///< the sample clock at the chunk being rendered
    int meterInterval = 1600;
    int samplesSinceMeter = 0;

    Sequencer sequencer;
    LiveBlock live;
    std::array<InputRecorder*, (std::size_t) maxRecorders> recorders {};
    std::unique_ptr<AnalysisMeters> analysis = std::make_unique<AnalysisMeters>();

    std::atomic<std::int64_t> maxStructuralNanos { 0 };

    //==============================================================================
    // Delay compensation: instruments that go straight to the master are summed here and delayed
    // by the most latent bus's latency (Command::setCompensation), only while that is not zero.
    juce::AudioBuffer<float> directInput;
    CompensationDelay directDelay;
    std::atomic<int> outputLatency { 0 };

    // Parallel rendering (setRenderWorkers).
    std::vector<InstrumentChain*> instrumentJobs; ///< this chunk's chains for the workers (preallocated)
    std::vector<int> jobRunningIndex; ///< each job's place in `running` (preallocated)
    int mixNext = 0; ///< the first chain in running order not mixed yet (audio thread)
    juce::AudioBuffer<float>* mixMaster = nullptr; ///< this chunk's master target, while jobs run
    std::vector<BusChain*> busJobs;
    std::vector<ChainBase*> lateChains; ///< left out of a block while a worker still renders them
    int numLate = 0;
    int jobSamples = 0;
    bool waitForLateWorkers = true;
    std::chrono::steady_clock::time_point processStart;
    double processSeconds = 0.0;
    std::atomic<std::int64_t> lateBlocks { 0 };
    RenderWorkers workers; ///< last: stopped (joined) before anything it renders is destroyed
};

} // namespace imbolc::engine
