#pragma once

namespace imbolc::engine
{

/** A linear fade of a whole chain, so arrivals and departures never click. Audio thread, except
    setLength (while the chain is not yet installed). */
class ChainFade
{
public:
    void setLength (int samples) noexcept { length = juce::jmax (1, samples); }
    void startIn() noexcept;
    void startOut() noexcept;

    bool isFadingOut() const noexcept { return out; }
    /** True once a fade-out has reached silence: the chain can be retired. */
    bool isFinished() const noexcept { return out && remaining == 0; }

    /** Multiplies the first n samples of every channel by the fade. */
    void apply (juce::AudioBuffer<float>&, int n) noexcept;

private:
    float gain = 1.0f, step = 0.0f;
    int remaining = 0, length = 480;
    bool out = false;
};

/** One processing stage of a chain: its node and a bypass that crossfades instead of clicking. */
struct StageSlot
{
    std::unique_ptr<NodeProcessor> node;
    std::uint32_t stageId = 0;
    bool bypassed = false;
    juce::SmoothedValue<float> wet { 1.0f };
};

/** Scratch buffers an instrument chain renders in. The single-threaded renderer shares one across all
    chains, so a chain's audio stays in the L1 cache from source to mix (rendering into per-chain buffers
    measured 2 to 10 % slower per block at 128 chains in imbolc bench engine). A parallel renderer gives each worker its
    own workspace and mix buffers, summed in a fixed order. Prepared off the audio thread. */
struct RenderWorkspace
{
    juce::AudioBuffer<float> main, dry, preTap;

    void prepare (int maxBlockSize)
    {
        for (auto* b : { &main, &dry, &preTap })
        {
            b->setSize (2, maxBlockSize);
            b->clear();
        }
    }
};

/** What instrument, bus and master chains share: stages in user order, a strip, a fade, a meter.

    Built and prepared on the message thread, then owned by the audio thread from the moment it is
    installed until it is retired back to the message thread for destruction.

    Nodes are addressed by index: 0 is the source (instruments only), 1..n the stages, n + 1 the strip.
*/
class ChainBase
{
public:
    ChainBase (std::uint32_t serial, std::vector<StageSlot> stages, std::unique_ptr<StripNode> strip);
    virtual ~ChainBase();

    /** Allocates buffers and prepares every node. Never on the audio thread. */
    virtual void prepare (double sampleRate, int maxBlockSize, int fadeSamples);

    std::uint32_t getSerial() const noexcept { return serial; }

    /** The node at `index` (see the class comment), or nullptr. Audio thread. */
    virtual NodeProcessor* getNode (int index) noexcept;
    int getNumStages() const noexcept { return (int) stages.size(); }
    StripNode& getStrip() noexcept { return *strip; }

    /** Audio thread. */
    void setBypass (int nodeIndex, bool bypassed) noexcept;

    ChainFade& getFade() noexcept { return fade; }

    /** The chain's rendered output for this block (after strip and fade). Audio thread. */
    const juce::AudioBuffer<float>& getOutput() const noexcept { return buffer; }

    /** Peak since the last call, per channel, then reset. Audio thread. */
    std::pair<float, float> takePeaks() noexcept;

    //==============================================================================
    // Delay compensation.

    /** The chain's compensation delays: for instruments 0 delays the output, 1 the pre-insert send tap;
        for buses 0 delays the output, and 1 delays it again when it goes to a direct output
        (delayForDirectOutput). nullptr for other lines. Audio thread (or before install). */
    CompensationDelay* getCompensation (int line) noexcept { return juce::isPositiveAndBelow (line, (int) compensation.size()) ? &compensation[(std::size_t) line] : nullptr; }

    /** True once a fade-out has reached silence and the compensation delays have played out what they
        held: the chain can be retired without cutting its delayed tail. Audio thread. */
    bool isFinished() const noexcept;
    //==============================================================================

    int slot = 0; ///< set by the message thread before install
    int runningIndex = -1; ///< position in the audio thread's running list
    bool removing = false; ///< fading out towards retirement

    /** False from the moment the audio thread hands this chain's block to the render workers until
        the thread that rendered it is done with it (AudioGraph::setRenderWorkers): while false, only
        that thread may touch the chain. Audio thread and render workers. */
    bool isRenderDone() const noexcept { return renderDone.load (std::memory_order_acquire); }
    void setRenderDone (bool done) noexcept { renderDone.store (done, std::memory_order_release); }

    /** Whether stages at rest skip blocks of exact silence (NodeProcessor::processSilence): on unless
        turned off, which only the bench and the tests that prove the two give the same bytes do. Any
        thread; takes effect from the next block. */
    static void setRestingAllowed (bool allowed) noexcept { restingAllowed.store (allowed, std::memory_order_relaxed); }
    static bool isRestingAllowed() noexcept { return restingAllowed.load (std::memory_order_relaxed); }

protected:
    /** Stages, strip, fade and metering over the first n samples of `work`. Audio thread. */
    void processStagesAndStrip (juce::AudioBuffer<float>& work, juce::AudioBuffer<float>& dryScratch, int n) noexcept;
    juce::AudioBuffer<float> view (juce::AudioBuffer<float>& b, int n) noexcept { return { b.getArrayOfWritePointers(), b.getNumChannels(), n }; }

    std::uint32_t serial;
    std::vector<StageSlot> stages;
    static inline std::atomic<bool> restingAllowed { true };
    std::unique_ptr<StripNode> strip;
    juce::AudioBuffer<float> buffer, dry;
    juce::MidiBuffer noMidi;
    ChainFade fade;
    float peakLeft = 0.0f, peakRight = 0.0f;
    std::atomic<bool> renderDone { true };

    /** Counts the samples rendered after the fade-out finished (call once per block, with whether
        the fade had finished when the block began). */
    void countSilence (bool finishedBefore, int n) noexcept { silentSamples = finishedBefore ? silentSamples + n : 0; }
    std::array<CompensationDelay, 2> compensation;
    int silentSamples = 0;
};

/** An instrument's chain: source, stages, strip, and where its output and sends go. */
class InstrumentChain final : public ChainBase
{
public:
    InstrumentChain (model::InstrumentId, std::uint32_t serial, std::unique_ptr<NodeProcessor> source, std::vector<StageSlot> stages, std::unique_ptr<StripNode> strip, const RoutingSpec& routing, std::unique_ptr<InstrumentSequence> sequence = {});
    ~InstrumentChain() override;

    void prepare (double sampleRate, int maxBlockSize, int fadeSamples) override;
    NodeProcessor* getNode (int index) noexcept override;

    model::InstrumentId getInstrumentId() const noexcept { return id; }

    /** The source when the instrument is rendered outside the engine (its notes go out as
        ExternalNoteEvents), else nullptr. Any thread. */
    ExternalSourceNode* getExternalSource() const noexcept { return external; }

    /** Queue a MIDI event for the next block at a sample offset within it. Audio thread. */
    void addMidi (const juce::uint8* data, int numBytes, int samplePosition = 0) noexcept;

    /** Replaces what the chain plays and returns the previous sequence, for the caller to hand back
        to the message thread. Notes already sounding end on time: note-offs are kept by the chain,
        not looked up in the sequence. Audio thread. */
    InstrumentSequence* exchangeSequence (InstrumentSequence*) noexcept;

    /** The instrument's LFO, resolved to one node parameter of this chain. */
    struct LfoSettings
    {
        bool enabled = false;
        model::LfoShape shape = model::LfoShape::sine;
        float rate = 1.0f; ///< Hz
        float depth = 0.0f; ///< 0..1: full depth swings the whole range of the target
        int node = -1, index = -1;
    };

    /** Audio thread. A new target (or disabling) removes the modulation from the old one. */
    void setLfo (const LfoSettings&) noexcept;

    /** Puts this block's sequenced notes into the chain's MIDI at their exact sample offsets, ramps
        automated parameters to their values at the block's last tick, and advances the LFO. Audio
        thread, before render(). */
    void schedule (const BlockPlan&, int n) noexcept;

    /** Note-ons the sequencer has sent since install (tests and meters). Audio thread, or while stopped. */
    std::int64_t getSequencedNoteCount() const noexcept { return sequencedNotes; }

    /** Sets the output and sends; a send to the same bus keeps its current (smoothed) level. Audio thread. */
    void setRouting (const RoutingSpec&) noexcept;
    void setSendLevel (int sendIndex, float level) noexcept;
    /** Sets a send's level at once, without the glide setSendLevel makes: a macro's value lands on the
        sample its host put it at. Audio thread. */
    void setSendLevelNow (int sendIndex, float level) noexcept;

    /** The MIDI channel (1..16) whose host MIDI this chain plays whatever is selected; 0: none. The
        message thread sets it before install; after that, the audio thread (setMidiChannel command). */
    int getMidiChannel() const noexcept { return midiChannel; }
    void setMidiChannel (int channel) noexcept { midiChannel = (std::int8_t) juce::jlimit (0, 16, channel); }

    /** The MIDI channel (1..16) the chain's notes also leave on (model::Instrument::midiOutputChannel);
        0: none. Set like the MIDI channel: before install, then by the audio thread, which first ends
        the notes sent on the old channel (endMidiOutput). */
    int getMidiOutputChannel() const noexcept { return midiOutputChannel; }
    void setMidiOutputChannel (int channel) noexcept { midiOutputChannel = (std::int8_t) juce::jlimit (0, 16, channel); }

    /** Sends what the chain plays in this chunk (its scheduled and live MIDI: notes, controllers, pitch
        bend, pressure, program changes) to `out` on its MIDI output channel, at `chunkStart` plus each
        message's sample, and remembers the notes it holds there. Audio thread, after schedule(). */
    void sendMidiOutput (MidiOutQueue& out, std::int64_t chunkStart) noexcept;

    /** Note-offs, at `sampleTime`, for every note the chain's MIDI output holds (its channel changes, the
        chain goes): an external synth is never left with a hanging note. Audio thread. */
    void endMidiOutput (MidiOutQueue& out, std::int64_t sampleTime) noexcept;

    /** Renders source, stages and strip into `ws`, touching nothing shared but the workspace, so
        chains can be rendered on several threads, each with its own. Audio thread (or a render worker). */
    void render (RenderWorkspace& ws, int n) noexcept;

    /** Adds the block just rendered (`main`, and `preTap` for pre-insert sends: a workspace's, or what
        keepOutput kept) into its destinations. busInputs[slot] may be null for a slot with no bus.
        Audio thread, after render. */
    void mixInto (const juce::AudioBuffer<float>& main, const juce::AudioBuffer<float>& preTap, juce::AudioBuffer<float>& master, juce::AudioBuffer<float>* const* busInputs, int numBusSlots, int n) noexcept;

    /** Keeps the block just rendered in `ws` in the chain's own buffers, so the workspace can take the
        next chain while this one waits to be mixed in order (parallel rendering). Same thread as render. */
    void keepOutput (const RenderWorkspace& ws, int n) noexcept;

    /** mixInto with what keepOutput kept. Audio thread. */
    void mixKept (juce::AudioBuffer<float>& master, juce::AudioBuffer<float>* const* busInputs, int numBusSlots, int n) noexcept { mixInto (buffer, dry, master, busInputs, numBusSlots, n); }

    /** Called in the destructor with the destroying thread, for tests that prove chains die off the audio thread. */
    static inline std::atomic<void (*) (std::thread::id)> onDestroyed { nullptr };

private:
    struct Send
    {
        std::int32_t busSlot = -1;
        std::uint32_t busId = 0;
        bool preInsert = false;
        juce::SmoothedValue<float> level;
    };

    static constexpr int midiCapacityBytes = 8192;

    void releaseSequenced (int samplePosition) noexcept;
    void sendNote (bool on, int pitch, int velocity, int samplePosition) noexcept;
    /** Starts a sequenced note (a pattern's: `tickOffset` is its cycle's start) and remembers its end. */
    void startSequenced (const SequencedNote&, double tickOffset, int samplePosition) noexcept;
    /** The drum pattern's steps in this span, cycle by cycle. */
    void schedulePattern (const BlockPlan::Span&) noexcept;

    /** A node parameter of this chain as the model addresses it (for an external renderer). */
    struct ExternalParamKey
    {
        int node = 0, index = 0;
        model::ParamGroup group = model::ParamGroup::source;
        std::uint32_t item = 0;
        int modelIndex = 0;
    };
    bool addressOf (int node, int index, ExternalParamKey&) const noexcept;
    /** An external chain: queues the block-end values of what its lanes and LFO drive. Audio thread. */
    void publishExternalParams (const BlockPlan&, int n) noexcept;
    void publishExternal (const ExternalParamKey&, float value, int offset) noexcept;

    model::InstrumentId id;
    std::unique_ptr<NodeProcessor> source;
    ExternalSourceNode* external = nullptr; ///< source, when it is one
    std::unique_ptr<InstrumentSequence> sequence;
    std::array<double, 128> soundingEnd; ///< per pitch: the tick its sequenced note ends, or -1
    int numSounding = 0;
    std::int64_t sequencedNotes = 0;
    LfoSettings lfo;
    double lfoPhase = 0.0;
    float lfoOffset = 0.0f; ///< the modulation the LFO set last block (natural units)
    // External (SuperCollider) chains only: the last value sent per driven parameter, so an unchanged
    // value is not sent again; and the LFO's previous target, to restore once it stops.
    struct SentValue
    {
        int node = 0, index = 0;
        float value = 0.0f;
    };
    std::array<SentValue, 32> externalSent {};
    int numExternalSent = 0;
    struct
    {
        int node = -1, index = -1;
    } lfoRestore;
    juce::MidiBuffer midi;
    bool hasPreSends = false;
    std::int32_t outputBusSlot = -1;
    int numSends = 0;
    std::array<Send, (std::size_t) RoutingSpec::maxSends> sends;
    double sampleRate = 48000.0;
    std::int8_t midiChannel = 0;
    std::int8_t midiOutputChannel = 0;
    std::array<std::uint64_t, 2> midiOutputHeld {}; ///< pitches the MIDI output holds, one bit each
};

/** A bus: stages and strip over the sum of what instruments send it; ends in the master. */
class BusChain final : public ChainBase
{
public:
    BusChain (model::BusId, std::uint32_t serial, std::vector<StageSlot> stages, std::unique_ptr<StripNode> strip);

    model::BusId getBusId() const noexcept { return id; }

    /** Processes this block's input (shared by every chain of the slot). Audio thread. */
    void render (const juce::AudioBuffer<float>& input, int n) noexcept;

    /** Delays this block's output by the master's stages' latency (compensation line 1), for a bus
        that goes to its own direct output instead of through the master: the host compensates every
        output by the one latency the plugin reports, which includes the master's stages. Audio thread. */
    void delayForDirectOutput (int n) noexcept { compensation[1].process (buffer, n); }

    /** For a block that goes through the master: feeds that line a copy of the output (and drops what
        it gives back), so its history is in place, with no ramp from silence, if the bus goes to a
        direct output later. Nothing while the line has no delay. Audio thread. */
    void feedDirectOutputDelay (int n) noexcept
    {
        if (compensation[1].isIdle())
            return;
        for (int c = 0; c < 2; ++c)
            dry.copyFrom (c, 0, buffer, c, 0, n);
        compensation[1].process (dry, n);
    }

    /** The bus's position in the session's mixer order, which names its direct output pair
        (ProcessInput::busOutputs); -1 for none. Set by the message thread before install, then by
        the audio thread (Command::setBusIndex) when buses before it come or go. A chain being removed
        keeps its last index, so its fade-out ends where it was heard. */
    int mixerIndex = -1;

private:
    model::BusId id;
};

/** The master strip: stages and level over the sum of everything. (The safety limiter after it
    belongs to the graph, so it survives master rebuilds.) */
class MasterChain final : public ChainBase
{
public:
    MasterChain (std::uint32_t serial, std::vector<StageSlot> stages, std::unique_ptr<StripNode> strip);

    /** Audio thread. */
    void render (const juce::AudioBuffer<float>& input, int n) noexcept;
};

} // namespace imbolc::engine
