#pragma once

namespace imbolc::engine
{

/** Tunes this process's C library allocator (glibc) for an engine whose chains come and go all session
    long: blocks up to 64 MiB stay on the heap instead of each getting its own mmap, and freed memory is
    kept in the process instead of being given back to the system. Chains hold big buffers (delay lines
    of megabytes); without this every new chain faults its pages in afresh, and adding an instrument
    gets dearer the longer a session runs. With it, a new chain reuses pages already mapped.

    It changes the allocator of the whole process, so only a program that owns its process calls it
    (the imbolc tool, the test runners, a standalone app), first thing in main(); a plugin never does,
    since its host's allocator is not its to change. The Engine never calls it.

    Message thread, before the first engine is built (chains built earlier keep their own mmaps).
    Idempotent: the settings are made once per process, and
    every call returns the same answer: true if they are in effect, false where the C library has no
    such settings (not glibc) or refused them. */
bool tuneProcessAllocatorForRealtime();

/** The audio engine: turns the dispatcher's audio effects into chains and commands, and renders.

    Threads:
    - the message thread (the one that owns the Session) calls everything except process();
    - the audio thread calls process() only. It never allocates, frees, locks or blocks: it receives
      commands and ready-built chains through preallocated lock-free queues (priority first, then
      normal) and hands retired chains back through another, to be destroyed by update().

    Targeted: a parameter tweak is one small command to the one node that owns it; adding or deleting
    an instrument builds or frees only that instrument's chain; a bus edit rebuilds only that bus.

    Bounded: the queues never grow. When a burst outruns them (10,000 parameter changes before one
    block, a project load of thousands of chains), the excess waits on the message thread in a backlog
    (CommandBacklog) that update() drains as the audio thread consumes. Parameter changes in the backlog
    coalesce, so the newest value of every parameter arrives and nothing waiting is reordered.

    The engine leaves the process's allocator alone: a program that owns its process calls
    tuneProcessAllocatorForRealtime() first.
*/
class Engine
{
public:
    struct Options
    {
        int instrumentSlots = (int) model::Session::maxInstruments;
        int busSlots = 4 * (int) model::Mixer::maxBuses; ///< deleted buses keep their slot while fading
        int priorityQueueSize = 4096;
        int normalQueueSize = 1024;
        double fadeSeconds = 0.01; ///< how long an added, deleted or replaced chain takes to fade
        double meterIntervalSeconds = 1.0 / 30.0;
        int externalNoteCapacity = 8192; ///< events of external-backend instruments waiting for their consumer
        int midiOutCapacity = 8192; ///< MIDI messages for MIDI outputs waiting for their sender
        /** Render threads helping the audio thread (AudioGraph::setRenderWorkers): -1 is one per extra
            core (RenderWorkers::workersForThisMachine), 0 renders on the audio thread alone (a plugin:
            its host owns the cores). The output is bit-identical whatever the number. */
        int renderWorkers = -1;
        /** True: the audio thread always waits for every chain a worker renders (offline render, exact
            tests). False (live audio): at most until 70 % of the block, leaving a late chain out. */
        bool waitForLateWorkers = true;
        /** Where hosted plugins run: in process (the default), or in sandbox processes that may crash
            or hang without taking the engine along (see PluginSandbox, setPluginSandbox). */
        PluginSandboxOptions pluginSandbox;
    };

    struct Meter
    {
        float left = 0.0f, right = 0.0f;
    };

    /** Message thread. A null factory means the built-in NodeFactory. */
    Engine();
    Engine (std::unique_ptr<NodeFactory> factory, Options options);

    /** Message thread, with the audio thread stopped for good. Every chain is destroyed here. */
    ~Engine();

    /** Sets the sample rate and largest block, re-preparing every chain (a full rebuild of state: voices
        and tails restart, nothing is left stuck). Message thread, while process() is not running. */
    void prepare (double sampleRate, int maxBlockSize);

    /** Replaces everything with the chains of `session` (project load). Old chains fade out. Message thread. */
    void loadSession (const model::Session& session);

    /** Carries out the audio effects of one applied action. `session` is the session after the action.
        Message thread. */
    void apply (const model::Session& session, const std::vector<model::AudioEffect>& effects);
    void apply (const model::Session& session, const model::ChangeSet& changes) { apply (session, changes.audio); }

    /** Live notes for an instrument (keyboard, network, tests). Message thread. */
    void noteOn (model::InstrumentId, int noteNumber, float velocity);
    void noteOff (model::InstrumentId, int noteNumber);
    void allNotesOff (model::InstrumentId);

    /** Sends what waits in the backlogs, destroys retired chains, reads meters and the playhead.
        Call often (a timer on the message thread). Message thread. */
    void update();

    /** Renders the next block. `input` is what a plugin host hands in besides the buffers: the block's
        MIDI (played on the MIDI input instrument), its transport (followed) and any direct bus outputs
        (a bus given one is written there instead of into the master; see ProcessInput). Audio thread only. */
    void process (float* const* outputs, int numChannels, int numSamples, const ProcessInput& input = {}) noexcept { graph.process (outputs, numChannels, numSamples, input); }

    /** The instrument that MIDI input plays (a plugin host's MIDI, later MIDI devices); an invalid id or
        an instrument that is not there plays nothing. It follows the instrument through rebuilds.
        MIDI on a channel that an instrument claims (model::Instrument::midiChannel) plays that
        instrument instead, whatever this is. Message thread. */
    void setMidiInputInstrument (model::InstrumentId);

    /** One MIDI message played live (ProcessInput::midi: a plugin host's MIDI or a MIDI device), as the
        message thread receives it: for recording (notes at the exact tick of their sample) and MIDI
        learn (controllers and pitch bend). */
    struct LiveMidi
    {
        CapturedMidi::Kind kind = CapturedMidi::Kind::noteOn;
        int channel = 1; ///< 1..16
        int number = 0; ///< note or controller number (0 for pitch bend)
        int value = 0; ///< velocity 1..127, controller value 0..127, pitch bend 0..16383
        model::InstrumentId instrument; ///< the instrument that played it (invalid: none did)
        double tick = 0.0; ///< the song position at its sample
        bool playing = false; ///< the transport was playing then
        bool countingIn = false; ///< during a count-in (before the record position)
        std::uint32_t pass = 0; ///< loop wraps since play
        std::int64_t sampleTime = 0; ///< its sample on the engine's sample clock
    };

    /** Every live MIDI message played since the last call, oldest first. The audio thread reports them
        through a preallocated lock-free queue and drops (and counts) what does not fit, so call it
        often (SessionHost::tick does). Message thread; the only consumer. */
    std::vector<LiveMidi> takeLiveMidi();

    /** Live MIDI messages lost because nobody drained them in time. Any thread. */
    std::uint64_t getLiveMidiDrops() const noexcept { return graph.getCapturedMidiDrops(); }

    /** Starts the song `bars` bars (of the session's meter) before where it stands now (the record
        position, on the audio thread: after any locate already sent) and clicks each beat until it gets
        there (the engine has no metronome; this click is the count-in's own). Before the song's start
        the position runs negative, playing silence. Send it before the Play action, which then only
        confirms that the song plays. Message thread. */
    void startCountIn (const model::Session&, int bars);

    /** What the engine last heard of a plugin host's tempo and meter (AudioGraph::getHostTiming). Any thread. */
    AudioGraph::HostTiming getHostTiming() const noexcept { return graph.getHostTiming(); }

    //==============================================================================
    /** The newest meter readings the audio thread reported (peaks since the previous report). Message thread. */
    Meter getInstrumentMeter (model::InstrumentId) const;
    Meter getBusMeter (model::BusId) const;
    Meter getMasterMeter() const noexcept { return masterMeter; }

    /** Loudness (EBU R128), spectrum bands and scope of the master output. A view that shows them calls
        setEnabled() with what it shows (any thread) and polls the read functions (message thread);
        with nothing enabled they cost the audio thread one atomic load per block. */
    AnalysisMeters& getAnalysis() noexcept { return graph.getAnalysisMeters(); }
    double getPlayheadTicks() const noexcept { return playheadTicks; }
    bool isPlaying() const noexcept { return playing; }

    /** The latency (samples) of everything the engine outputs: what a listener hears late by. The
        engine compensates delay (see syncCompensation): every instrument's path is delayed to the most
        latent instrument's latency (its source's plus its stages'; pre-insert sends tap before the
        stages), every bus's output to the most latent bus's (instruments that go straight to the master
        wait as long), so this is the most latent instrument's latency, plus the most latent bus's, plus
        the sum of the master chain's stages (a look-ahead limiter's look-ahead, what a hosted plugin
        reports), at the prepared sample rate. A bypassed stage counts nothing (a bypassed stage does
        not run); a SuperCollider-backend instrument (whose stages run on its renderer) counts nothing.
        External notes and MIDI out are offset by it (ExternalNotes::setLatency), so an external synth
        sounds with the rest. It follows rebuilds and bypass changes at once, a hosted plugin's latency
        change as soon as the plugin reports it, and a new rate after prepare(); the audio thread
        follows once update() or apply() has sent the new delays.

        Message thread, with the audio thread running or not: it reads only the message thread's own
        bookkeeping and the latencies nodes publish atomically (NodeProcessor::getPublishedLatencySamples). */
    int getOutputLatencySamples() const noexcept;

    double getSampleRate() const noexcept { return sampleRate; }
    int getMaxBlockSize() const noexcept { return maxBlockSize; }

    struct Stats
    {
        std::size_t backloggedCommands = 0; ///< waiting on the message thread for queue space
        int liveChains = 0; ///< chains handed to the audio thread and not yet destroyed
        std::int64_t destroyedChains = 0; ///< chains retired and destroyed by update()
        std::int64_t coalescedChanges = 0; ///< parameter changes superseded while waiting in the backlog
    };
    Stats getStats() const noexcept;

    /** The value the node owning `param` is gliding to, or nullopt if no installed node owns it.
        Reads audio-thread state: only while process() is not running (tests, tools). */
    std::optional<float> getParameterTargetWhileStopped (const model::ParamAddress& param);

    /** The value the node owning `param` has now (ramp, automation and LFO included). Same rules. */
    std::optional<float> getParameterValueWhileStopped (const model::ParamAddress& param);

    /** Sentences about things that were built but not as the session asks (a sample file that could
        not be read, a plugin that would not load, a source this version cannot play) or not built at
        all (no slot left for an instrument or bus), since the last call. Message thread. */
    std::vector<juce::String> takeWarnings();

    /** The installed source node of an instrument (a SourceNode for built-in sources), or nullptr.
        Audio-thread state: only while process() is not running (tests, tools). */
    NodeProcessor* getSourceWhileStopped (model::InstrumentId);

    /** The notes of every SuperCollider-backend instrument, at exact sample times on the engine's sample
        clock, with that clock's mapping to wall time (see ExternalNotes).

        Such an instrument's chain is sequenced like any other (piano roll or arrangement, swing,
        probability, loop, tempo lane, live noteOn/noteOff/allNotesOff), but its source is an
        ExternalSourceNode that outputs silence and its stages are parameter-only placeholders: the
        external renderer plays its notes and runs its chain. What its automation lanes and LFO drive
        (source, amp, stage, strip and send parameters) goes out too, as Kind::param events of the
        block-end value on the block's last sample, when it changed. Stop and locate end its sequenced notes with note-offs;
        removing or rebuilding its chain (deleting the instrument, SetSource, SetBackend, project
        load) ends all its notes with one allNotesOff.

        The audio thread produces; exactly one non-real-time consumer thread may call pop, drain,
        getDropped and readClock. The engine keeps it for its whole life. */
    ExternalNotes& getExternalNotes() noexcept { return externalNotes; }

    /** What leaves Imbolc as MIDI: the notes of instruments with a MIDI output channel
        (model::Instrument::midiOutputChannel; sequenced and live, moved to that channel, ended with
        note-offs when the channel changes or the chain goes) and MIDI clock out (setMidiClockOut), at
        exact sample times on the engine's sample clock (ExternalNotes' clock maps them to wall time).
        The audio thread produces; exactly one non-real-time consumer thread may pop. */
    MidiOutQueue& getMidiOut() noexcept { return midiOut; }

    /** Sends MIDI clock, start, continue, stop and song position to the MIDI output (MidiClockOut).
        Not part of the session: a setting of this machine's studio. Any thread. */
    void setMidiClockOut (bool on) noexcept { graph.getMidiClockOut().setEnabled (on); }
    bool isMidiClockOut() noexcept { return graph.getMidiClockOut().isEnabled(); }

    /** The audio side, for timing and tests. */
    AudioGraph& getAudioGraph() noexcept { return graph; }

    /** The tick the song's last note ends on in the active play mode (how long a render runs). Message thread. */
    model::Tick getSongEndTick (const model::Session& session) { return songEndTick (session, arrangement); }

    /** The flattened arrangement (tests prove it is flattened once per clip or placement change). Message thread. */
    const ArrangementCache& getArrangementCache() const noexcept { return arrangement; }

    /** The factory that makes every node (and hosts plugins, see NodeFactory::takePluginWarnings).
        Message thread. */
    NodeFactory& getNodeFactory() noexcept { return *factory; }

    //==============================================================================
    /** Audio recording. While the session's transport plays with recording on, the input pair of every
        armed audio-input instrument (model::Instrument::recordArmed, SourceKind::audioInput, internal
        backend) is written to its own WAV file in the recording folder, from the first sample the song
        plays to the last; when playing or recording stops, each file is closed on the message thread
        and becomes a RecordedTake (takeRecordedTakes), for the app to turn into an audio clip.

        The folder where takes are written (made when the first take starts); until set, a folder
        "Imbolc recordings" in the system's temporary folder. Message thread. */
    void setRecordingFolder (const juce::File&);
    juce::File getRecordingFolder() const;

    /** The device's input plus output latency in samples: how much earlier than the engine's song
        position a take's clip is placed (RecordedTake::toClip), together with the engine's own output
        latency when the take ends (getOutputLatencySamples: the player heard the song that much later
        too). Message thread. */
    void setRecordingLatency (int samples) noexcept { recordingLatency = juce::jmax (0, samples); }
    int getRecordingLatency() const noexcept { return recordingLatency; }

    /** True while takes are being written. Message thread. */
    bool isRecordingAudio() const noexcept { return recordingActive; }

    /** The takes finished since the last call (update() finishes them once the audio thread has let
        go of their recorders), oldest first; the list is emptied. Message thread. */
    std::vector<RecordedTake> takeRecordedTakes() { return std::exchange (recordedTakes, {}); }

    //==============================================================================
    /** Every hosted plugin's current state, as the actions that store it in the model: one
        SetPluginState for each plugin whose state differs from what `session` holds. Apply them
        before writing a project file, so the file reloads to the same sound.

        Plugin parameters are not read back: the model's parameter values are applied over the state
        whenever a plugin is loaded, so a change a plugin makes to its own parameters (its editor, a
        preset) must reach the model as a SetParam to be kept.

        Message thread, with audio running or not: JUCE's VST3 and LV2 hosts read a plugin's state on
        the message thread while it processes, which both formats allow. */
    std::vector<model::Action> capturePluginStates (const model::Session& session);

    /** The plugin hosted as instrument `nodeId`'s source (`stage` invalid) or as `stage` of an
        instrument's, bus's or the master's chain; nullptr if there is none (or it failed to load).
        Valid until that chain is rebuilt or removed. Its parameters may be read from any thread;
        everything else is the message thread's. Message thread. */
    juce::AudioPluginInstance* findPlugin (model::NodeKind node, std::uint32_t nodeId, model::StageId stage = {});

    //==============================================================================
    /** Plugin sandboxing (issue 20). Where plugins loaded from now on run: in process, one sandbox
        process per plugin, or (PluginSandboxMode::shared) one process for all of them, where one
        plugin's crash or hang takes the others in it along (they all restart together). Plugins
        already loaded keep where they run until their chain is rebuilt (the app reloads the session, or
        rebuilds the chains, to move them). Supervision (a sandbox that crashed or hangs is killed, its
        plugins silenced, each named in one warning through takeWarnings, and restarted from its last
        captured state up to options.maxRestarts times) runs in update(). Message thread. */
    void setPluginSandbox (const PluginSandboxOptions&);
    const PluginSandboxOptions& getPluginSandbox() const noexcept;

    /** The sandbox running the plugin at that place (as findPlugin), or nullptr if it runs in process
        or is not there. Valid while its chain lives. Message thread. */
    PluginSandbox* findSandbox (model::NodeKind node, std::uint32_t nodeId, model::StageId stage = {});

    /** Restarts a sandboxed plugin by hand from its last captured state (after it stopped for good,
        or to start afresh); the count of automatic restarts starts again. In the shared sandbox that
        restarts the process, with every plugin in it (each from its current state). One sentence if
        there is no sandboxed plugin there or it could not start. Message thread. */
    juce::Result restartPlugin (model::NodeKind node, std::uint32_t nodeId, model::StageId stage = {});

    /** Opens (closes) a sandboxed plugin's editor in a window of its sandbox process. A plugin in
        process has no such call: its editor is the app's to show (findPlugin, createEditor). One
        sentence if it cannot (not sandboxed, not running, no editor, the sandbox has no display).
        Message thread. */
    juce::Result openPluginEditor (model::NodeKind node, std::uint32_t nodeId, model::StageId stage = {});
    juce::Result closePluginEditor (model::NodeKind node, std::uint32_t nodeId, model::StageId stage = {});

private:
    //==============================================================================
    // Delay compensation (imbolc_EngineLatency.cpp).
    struct ChainRef;

    /** What one chain's latency is made of (its newest chain's nodes, safe to read here for the same
        reason as ChainRef::plugins) and the compensation its delay lines were last sent. */
    struct Compensation
    {
        struct Stage
        {
            std::uint32_t stageId = 0;
            const NodeProcessor* node = nullptr;
            bool bypassed = false;
        };
        const NodeProcessor* source = nullptr; ///< instruments: the source node
        std::vector<Stage> stages;
        bool external = false; ///< an external renderer plays it: no audio here to delay
        bool preSends = false; ///< some send taps before the stages
        std::array<int, 2> delay {}; ///< per line (CompensationDelay): the delay last sent
        std::array<int, 2> memory {}; ///< per line: the longest delay the memory handed over holds

        int stagesLatency() const noexcept;
        void setBypassed (std::uint32_t stageId, bool bypassed) noexcept;
        template <typename Slots>
        void setStages (const Slots& built)
        {
            stages.clear();
            for (const auto& s : built)
                stages.push_back ({ s.stageId, s.node.get(), s.bypassed });
        }
    };

    /** The latencies (samples) the compensation lines paths up to. */
    struct Latencies
    {
        int instruments = 0; ///< the most latent instrument's
        int buses = 0; ///< the most latent bus's
        int master = 0; ///< the master chain's stages'
        int total() const noexcept { return instruments + buses + master; }
    };
    Latencies measureLatencies() const noexcept;
    /** Sends every delay line whose delay changed its new delay (with larger memory when it needs it)
        and the total to the audio thread. Called after every applied action and by update(). */
    void syncCompensation();
    void sendCompensation (ChainKind, ChainRef*, Compensation&, int line, int delay);
    /** The delays a chain's lines need now (instrument: output and pre-insert tap; bus: output). */
    std::array<int, 2> compensationFor (const Compensation&, bool bus) const noexcept;
    /** Gives a chain not yet installed its lines' memory and delays, without a fade. */
    void presetCompensation (ChainBase&, Compensation&, std::array<int, 2> delays);
    //==============================================================================

    struct ChainRef
    {
        std::int32_t slot = -1;
        std::uint32_t serial = 0;
        CommandBacklog::ChainOrder order; ///< where the last normal command about this chain stands
        std::unordered_map<std::uint32_t, int> stageNodes; ///< StageId -> node index
        int numStages = 0;
        int ampOffset = 0;
        int voiceCap = model::Instrument::defaultVoiceCap; ///< as last sent to the source
        int midiChannel = 0; ///< as last given to the chain
        int midiOutputChannel = 0; ///< as last given to the chain
        std::vector<std::uint32_t> sendBuses; ///< send position -> BusId
        /** The newest chain's hosted plugins (stageId 0: the source). The nodes belong to the chain,
            which lives until update() destroys it on this thread after the audio thread retired it,
            and a rebuild or removal replaces these first: so they are always safe to use here. */
        std::vector<std::pair<std::uint32_t, HostedPluginNode*>> plugins;
        bool muted = false;
        int mixerIndex = -1; ///< buses: the position in the mixer order the audio thread last heard of
        Meter meter;
        Compensation compensation; ///< delay compensation: what the chain's latency is made of
    };

    void sendPriority (const Command& c, ChainRef* ref) { commands.sendPriority (c, ref != nullptr ? &ref->order : nullptr); }
    void sendNormal (const Command& c, ChainRef* ref) { commands.sendNormal (c, ref != nullptr ? &ref->order : nullptr); }
    void handleEvent (const Event&);
    void destroyObject (const Event&);

    // Chains: imbolc_EngineChains.cpp.
    /** `placeholders`: parameter-only nodes for an external (SuperCollider) instrument's stages. */
    std::vector<StageSlot> buildStages (const std::vector<model::Stage>&, ChainRef&, const std::vector<std::pair<std::uint32_t, HostedPluginNode*>>& previousPlugins, bool placeholders = false);
    static void carryPluginState (model::PluginRef&, std::uint32_t stageId, const std::vector<std::pair<std::uint32_t, HostedPluginNode*>>& previousPlugins);
    RoutingSpec buildRouting (const model::Instrument&, ChainRef&) const;
    void addInstrument (const model::Session&, const model::Instrument&);
    void warnIfSourceIsSilent (const model::Instrument&);
    void removeInstrument (const model::Session&, model::InstrumentId);
    int allocateBusSlot();
    void addOrRebuildBus (const model::Session&, const model::Bus&);
    void removeBus (const model::Session&, model::BusId);
    void syncBusOrder (const model::Session&);
    void rebuildMaster (const model::Master&);
    /** Rebuilds every chain that holds a plugin (where plugins run changed). */
    void rebuildPluginChains (const model::Session&);
    std::unique_ptr<NodeProcessor> makeAudioSource (const model::Instrument&);
    void syncRecording (const model::Session&);

    // Sequences: imbolc_EngineSequences.cpp.
    std::unique_ptr<InstrumentSequence> makeSequence (const model::Session&, const model::Instrument&);
    void rebuildSequence (const model::Session&, model::InstrumentId);
    void rebuildAllSequences (const model::Session&);
    void rebuildGlobal (const model::Session&);
    void rebuildForTarget (const model::Session&, const model::AutomationTarget&);
    void laneChanged (const model::Session&, model::LaneId);
    void sendLfo (const model::Instrument&);
    void sendMidiTarget();
    void sendMidiChannel (const model::Instrument&);
    void sendMidiOutput (const model::Instrument&);
    /** A MIDI channel setting of an instrument's chain (its input or output channel), sent when it
        differs from what the chain last heard (`lastSent`). */
    void sendChannel (model::InstrumentId, Command::Type, int ChainRef::*lastSent, int channel);
    /** Resolves every macro of `session` to what it drives in the graph now and sends the slots whose
        target changed (a new mapping or span, a rebuilt or removed chain, a reroute). */
    void refreshMacros (const model::Session&);
    MacroTarget resolveMacro (const model::Session&, const model::Macro&);
    MacroTarget resolveTarget (const model::Session&, const model::ParamAddress&, float from, float to);

    // Parameters, switches and the transport: imbolc_Engine.cpp.
    void setParam (const model::ParamAddress&, float value);
    void setVoiceLimit (const model::Instrument&);
    void setDrumPad (const model::Session&, model::InstrumentId, int pad);
    std::optional<Command> resolveParam (const model::ParamAddress&, float value);
    void setBypass (const model::AudioEffect&);
    void reroute (const model::Session&, model::InstrumentId);
    bool noteSolo (model::NodeKind, std::uint32_t id, bool solo);
    bool effectiveMute (model::NodeKind, bool mute, bool solo) const;
    void sendMute (model::NodeKind, std::uint32_t id, bool muted);
    void refreshMutes (const model::Session&, model::NodeKind);
    void updateSwitches (const model::Session&, model::NodeKind, std::uint32_t id);
    void sendTransport (const model::Session&);
    std::optional<float> readParameterWhileStopped (const model::ParamAddress&, bool current);
    ChainRef* refFor (model::NodeKind, std::uint32_t id);
    std::uint32_t nextSerial() noexcept { return ++serialCounter; }
    int fadeSamples() const noexcept { return juce::jmax (1, juce::roundToInt (options.fadeSeconds * sampleRate)); }

    Options options;
    std::unique_ptr<NodeFactory> factory;

    CommandQueue priorityQueue, normalQueue;
    EventQueue eventQueue;
    StatusQueue statusQueue;
    std::atomic<std::uint64_t> normalConsumed { 0 };
    CommandBacklog commands;
    ExternalNotes externalNotes;
    MidiOutQueue midiOut;
    /** Drains input recorders to disk; made with the first take. Before the graph, so it outlives the
        recorders the graph may still hold when it is destroyed. */
    std::unique_ptr<juce::TimeSliceThread> diskThread;
    AudioGraph graph;

    double sampleRate = 48000.0;
    int maxBlockSize = 512;
    std::uint32_t serialCounter = 0;

    std::unordered_map<std::uint32_t, ChainRef> instruments; ///< by InstrumentId
    std::unordered_map<std::uint32_t, ChainRef> buses; ///< by BusId
    std::unordered_map<std::uint32_t, std::uint32_t> busIdBySerial, instrumentIdBySerial;
    ChainRef masterRef;
    /** The newest master chain's stages, for getOutputLatencySamples. The nodes belong to that chain,
        which lives until update() destroys it after the audio thread retired it, and rebuildMaster
        replaces these first (as ChainRef::plugins). */
    struct LatencyStage
    {
        std::uint32_t stageId = 0;
        const NodeProcessor* node = nullptr;
        bool bypassed = false;
    };
    std::vector<LatencyStage> masterStages;
    Compensation directCompensation; ///< the line of instruments that go straight to the master
    int sentOutputLatency = 0; ///< the total the audio thread was last told
    std::vector<int> freeInstrumentSlots, freeBusSlots;
    std::vector<int> busChainsOutstanding; ///< per bus slot: chains handed over and not yet retired
    std::vector<bool> busSlotAbandoned; ///< per bus slot: its bus is gone; free it once its chains are retired
    std::vector<std::uint32_t> busOrder; ///< BusIds in the mixer order the audio thread has (see syncBusOrder)

    std::unordered_set<std::uint32_t> soloedInstruments, soloedBuses; ///< live chains whose solo is on
    bool lastSentPlaying = false;
    model::Tick lastSentPosition = -1;
    double lastSentTempo = 0.0;

    std::vector<juce::String> warnings; ///< the engine's own, for takeWarnings (the factory keeps its)
    /** By InstrumentId: the warning last given about its silent source, so a rebuild does not repeat
        it. Kept when the instrument goes, so undoing a delete (a full rebuild) does not repeat it either. */
    std::unordered_map<std::uint32_t, juce::String> silentSourceWarnings;

    ArrangementCache arrangement;
    std::unordered_map<std::uint32_t, model::AutomationTarget> laneTargets; ///< by LaneId: what each lane drove when last built

    model::InstrumentId midiInput; ///< what MIDI input plays (setMidiInputInstrument)
    std::array<MacroTarget, (std::size_t) model::numMacros> sentMacros {}; ///< what each macro slot drives, as last sent
    std::array<MidiMapTarget, (std::size_t) model::maxMidiMappings> sentMidiMaps {}; ///< what each MIDI mapping slot drives, as last sent

    juce::File recordingFolder;
    int recordingLatency = 0;
    bool recordingActive = false;
    std::vector<int> recorderSlots; ///< the graph's recorder slots in use by the current takes
    std::vector<RecordedTake> recordedTakes;

    Meter masterMeter;
    double playheadTicks = 0.0;
    bool playing = false;
    std::int64_t destroyedChains = 0;

    JUCE_DECLARE_NON_COPYABLE (Engine)
};

} // namespace imbolc::engine
