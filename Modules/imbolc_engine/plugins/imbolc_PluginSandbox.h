#pragma once

namespace imbolc::engine
{

/** Where hosted plugins run: the session's setting (SessionSettings::pluginIsolation), which the app
    hands to the engine (Engine::setPluginSandbox). */
using PluginSandboxMode = model::PluginIsolation;

/** How sandboxed plugins are run. Any thread may copy one; the engine takes it on the message thread. */
struct PluginSandboxOptions
{
    PluginSandboxMode mode = PluginSandboxMode::inProcess;

    /** The program and arguments that run a sandbox: `imbolc plugin-sandbox` (runPluginSandboxWorker).
        The sandbox's control socket is handed over as descriptor 3, and "--control-fd 3" is appended
        (each plugin's shared block follows over that socket with the request that loads it). Empty:
        this executable's folder's `imbolc`, then `imbolc` on the PATH (defaultWorkerCommand). */
    juce::StringArray workerCommand;

    /** False (zero latency): each block is handed over and its answer awaited in the same block.
        True (pipelined): the answer to a block is played one block later (a block of maxBlockSize
        samples, published as latency so delay compensation covers it) and the sandbox has a whole
        block period to give it. */
    bool pipelined = false;

    /** The longest the audio thread waits for a sandbox's answer, as a fraction of the block's
        duration. A block not answered by then is silent (faded) for that plugin; the others play on. */
    double deadlineFraction = 0.5;

    /** A sandbox that has not answered for this long (blocks' worth of audio, or time spent waiting) is
        treated as dead and killed. */
    double hangSeconds = 0.5;

    /** An offline render (OfflineRenderer): no block has a deadline, each is waited for until it is
        answered or hangSeconds have passed (a hang), so the render never loses a block to a busy
        machine; a block that is lost anyway is counted (PluginSandbox::getLostBlocks) for the render
        to stop on. */
    bool offline = false;

    /** Automatic restarts after a sandbox died, with the plugin's last captured state; after this
        many the plugin stays silent until restarted by hand (Engine::restartPlugin). Counted per
        plugin, also in one shared sandbox (where every plugin in it restarts with it). */
    int maxRestarts = 3;

    /** How often the plugin's state is asked of a running sandbox (what a restart starts from). */
    double stateCaptureSeconds = 2.0;

    /** How long a sandbox may take to start, load its plugin or answer a control request. */
    int controlTimeoutMs = 20000;

    /** `imbolc` next to this executable (or a few folders above it, as a build tree has it), then on
        the PATH, with "plugin-sandbox"; empty if there is none. Any thread. */
    static juce::StringArray defaultWorkerCommand();
};

namespace sandbox
{
    //==========================================================================
    /** The shared block between the engine and one plugin in a sandbox (POSIX shared memory, mapped
        by both; one per plugin, also when several plugins share a sandbox process). Fixed size:
        nothing in it says how big anything is but counts that the reader checks against these
        capacities. The engine writes the header; the sandbox refuses a block whose header is not
        exactly this version's, or that names another slot than the request that brought it. */
    constexpr std::uint32_t sharedMagic = 0x494d5342; // "IMSB"
    constexpr std::uint32_t sharedVersion = 2;
    constexpr int maxBlockSamples = 8192;
    constexpr int numChannels = 2;
    constexpr int maxMidiEvents = 1024;
    constexpr int maxParameters = 2048;

    struct MidiEvent
    {
        std::int32_t sample;
        std::uint8_t size; ///< 1..3: longer messages (sysex) do not cross
        std::uint8_t bytes[3];
    };

    struct SharedBlock
    {
        std::uint32_t magic, version, size;
        std::uint32_t slot; ///< the slot (the plugin's place in its sandbox process) this block serves

        /** The newest request's sequence number, written by the engine after the request (futex word). */
        alignas (64) std::atomic<std::uint32_t> request;
        /** The sequence number of the newest request the sandbox answered (futex word). */
        alignas (64) std::atomic<std::uint32_t> reply;
        std::atomic<std::int32_t> latency; ///< the plugin's latency (samples) as of the newest reply
        std::atomic<std::uint32_t> rejected; ///< requests the sandbox refused as malformed

        // The request, written by the engine before it bumps `request`.
        std::int32_t numSamples, numMidi, numParams;
        std::int32_t replySamples; ///< written by the sandbox: numSamples it rendered, 0 if refused
        float values[maxParameters]; ///< mapped parameter i's value for this block
        float targets[maxParameters]; ///< and the value it glides to (discrete parameters jump there)
        MidiEvent midi[maxMidiEvents];
        float audioIn[numChannels][maxBlockSamples];
        float audioOut[numChannels][maxBlockSamples];
    };

    /** Wakes whoever waits on `word` in any process. Any thread (one syscall, no lock, no allocation). */
    void futexWake (std::atomic<std::uint32_t>& word) noexcept;

    /** Sleeps while `word` still holds `expected`, at most `timeoutNs`; returns at once if it does not.
        Shared futex (no FUTEX_PRIVATE_FLAG): the other process's futexWake reaches it. */
    void futexWait (std::atomic<std::uint32_t>& word, std::uint32_t expected, std::int64_t timeoutNs) noexcept;

    /** One engine's side of a shared block: created under a name unlinked at once (nothing is left in
        /dev/shm whoever dies), sized, mapped, its header written for `slot`. Message thread. */
    struct SharedMemory
    {
        SharedMemory() = default;
        ~SharedMemory();
        /** False and one sentence if the system would not give it. */
        bool create (std::uint32_t slot, juce::String& error);

        int fd = -1; ///< handed to the sandbox with the request that loads the slot's plugin
        SharedBlock* block = nullptr;

        JUCE_DECLARE_NON_COPYABLE (SharedMemory)
    };

    //==========================================================================
    /** Control messages (a stream socket): a 20-byte header, magic, version, type, request id, slot
        and payload length (little-endian), then the payload. The reader checks magic, version, type
        and length (at most maxPayloadBytes) before it reads a payload byte, and every field of a
        payload against what is left of it. The slot says which of the sandbox's plugins a request is
        for (a reply or notice: which it is about; 0: the sandbox as a whole); the sandbox refuses a
        request for a slot it does not have. A load request, and only it, carries one descriptor
        (SCM_RIGHTS): the new slot's shared block. */
    constexpr std::uint32_t controlMagic = 0x494d5343; // "IMSC"
    constexpr std::uint16_t controlVersion = 2;
    constexpr std::uint32_t maxPayloadBytes = 64u << 20;
    /** The most plugins one sandbox process serves at once. */
    constexpr std::size_t maxSlots = 256;

    enum class MessageType : std::uint16_t
    {
        load = 1, ///< format u8, identifier, state, mapped parameter count, isSource u8, rate f64, block u32; one descriptor
        prepare, ///< rate f64, block u32, parameter values (count, floats)
        getState,
        openEditor,
        closeEditor,
        quit, ///< slot 0: the whole sandbox ends
        unload, ///< the slot's plugin is let go (its editor closed, its processing thread ended)
        reply = 100, ///< ok u8, text (an error sentence, or the plugin's name), bytes (state), ints
        notice ///< unasked: text (a sentence for the engine's warnings), or "editor-closed"
    };

    struct Frame
    {
        MessageType type = MessageType::reply;
        std::uint32_t id = 0, slot = 0;
        juce::MemoryBlock payload;
        /** Written: descriptors sent along (the writer keeps its own). Read: descriptors that came
            along, owned by the reader, which closes them; -1 stands for any that did not fit. */
        std::vector<int> fds;
    };

    /** Closes a frame's descriptors (a reader that has no use for them). */
    void closeDescriptors (Frame&) noexcept;

    enum class ReadResult
    {
        ok,
        timeout,
        closed,
        malformed
    };

    /** Writes one frame (its descriptors with its first byte); false if the other side is gone.
        Blocks until written. */
    bool writeFrame (int fd, const Frame&);

    /** Reads one frame, waiting at most `timeoutMs` (-1: for ever) for its first byte. `error` says in
        one sentence what was wrong with a malformed frame. */
    ReadResult readFrame (int fd, Frame&, int timeoutMs, juce::String& error);

    /** Builds a payload. */
    struct PayloadWriter
    {
        juce::MemoryOutputStream out;
        void u8 (std::uint8_t v) { out.writeByte ((char) v); }
        void u32 (std::uint32_t v) { out.writeInt ((int) v); }
        void i32 (std::int32_t v) { out.writeInt (v); }
        void f64 (double v) { out.writeDouble (v); }
        void f32 (float v) { out.writeFloat (v); }
        void bytes (const void* data, std::size_t size);
        void text (const juce::String& s);
        juce::MemoryBlock take() { return out.getMemoryBlock(); }
    };

    /** Reads a payload, never past its end: every read returns false once anything is missing. */
    struct PayloadReader
    {
        explicit PayloadReader (const juce::MemoryBlock& b)
            : data (static_cast<const std::uint8_t*> (b.getData())), size (b.getSize()) {}
        bool u8 (std::uint8_t&);
        bool u32 (std::uint32_t&);
        bool i32 (std::int32_t&);
        bool f64 (double&);
        bool f32 (float&);
        bool bytes (std::vector<std::uint8_t>&);
        bool text (juce::String&);
        bool atEnd() const noexcept { return pos == size; }

    private:
        bool take (void* dest, std::size_t n);
        const std::uint8_t* data;
        std::size_t size, pos = 0;
    };
} // namespace sandbox

class PluginSandbox;

//==============================================================================
/** One `imbolc plugin-sandbox` process (runPluginSandboxWorker) and its control socket, serving the
    PluginSandboxes attached to it, one slot each: one plugin (PluginSandboxMode::perPlugin) or every
    sandboxed plugin of an engine (PluginSandboxMode::shared: less memory and fewer processes, at the
    price that one plugin's crash takes the others in it along). Each slot has a shared block and a
    processing thread of its own in the process, so its plugins render in parallel and one that is slow
    does not hold up the others' answers. Slots come and go while the process runs.

    Supervision (supervise()) is the process's: a process that ended or closed its socket, or any of its
    plugins that stopped answering (a hang of one slot's thread cannot be killed alone), is a death of
    the whole process. It is killed, every plugin in it is silenced (their nodes fade) and gets a
    warning naming it, and one new process is started with every plugin loaded again from its own last
    captured state (restart limits are each plugin's). restart() does that by hand.

    Held by shared_ptr by the PluginSandboxes in it (and weakly by the factory, which hands a shared one
    to every new plugin): it ends when the last of them goes. Message thread.
*/
class SandboxProcess
{
public:
    SandboxProcess (PluginSandboxOptions, bool shared);
    ~SandboxProcess();

    /** True for the one shared sandbox of PluginSandboxMode::shared (warnings say so). */
    bool isShared() const noexcept { return shared; }
    /** The process's id while one runs, 0 otherwise. */
    int getProcessId() const noexcept { return pid; }
    /** True while a process runs and its control socket can be used. */
    bool isHealthy() const noexcept { return controlFd >= 0 && broken.isEmpty(); }

    /** Handles a death or hang (see above) and captures states now and then; the warnings go to each
        plugin's PluginSandbox (takeWarnings). */
    void supervise();

    /** Kills the process and starts a new one with every plugin in it from its current state (or its
        last captured one if it does not answer); `byHand`'s count of automatic restarts starts again
        and, if it had stopped for good, it comes back. Its own failure as one sentence. */
    juce::Result restart (PluginSandbox& byHand);

    /** Sends a raw frame and waits for the next frame (tests). False and one sentence if none came. */
    bool requestForTest (const sandbox::Frame& request, sandbox::Frame& reply, juce::String& error);

private:
    friend class PluginSandbox;

    std::uint32_t attach (PluginSandbox&);
    void detach (PluginSandbox&);
    bool spawn (juce::String& error);
    void kill();
    bool request (std::uint32_t slot, sandbox::MessageType, juce::MemoryBlock payload, int fd, sandbox::Frame& reply, int timeoutMs, juce::String& error);
    void handleNotice (sandbox::Frame&);
    PluginSandbox* slotFor (std::uint32_t slot) const noexcept;
    /** Kills the process and restarts what was running in it; `what` says how it died. */
    void recover (const juce::String& what, PluginSandbox* culprit);
    /** Starts a process and loads `plugins` into it; those that would not load, with why. */
    std::vector<std::pair<PluginSandbox*, juce::String>> startWith (std::vector<PluginSandbox*> plugins);
    juce::String describeDeath (const PluginSandbox&, const juce::String& what, const PluginSandbox* culprit) const;

    PluginSandboxOptions options;
    bool shared;
    int controlFd = -1, pid = 0;
    std::uint32_t nextId = 1, nextSlot = 1;
    juce::String broken; ///< why the control socket cannot be used any more (a death supervise() handles)
    std::vector<PluginSandbox*> slots;

    JUCE_DECLARE_NON_COPYABLE (SandboxProcess)
};

//==============================================================================
/** One plugin running in a sandbox process (a slot of a SandboxProcess): `imbolc plugin-sandbox`
    loads it with PluginHost into a PluginNode, exactly as the engine would in process, and renders the
    blocks the engine hands it through the plugin's own shared block (sandbox::SharedBlock). Control
    (load with state, prepare, state, editor, unload) goes over the process's socket, on the message
    thread of each side.

    The engine's side of it: the audio thread (SandboxedPluginNode) writes a block and wakes the
    sandbox, and waits a bounded time for the answer; the message thread starts the process (or joins
    the shared one), loads and prepares the plugin, captures its state now and then, and supervises
    (supervise()): a process that ended, or a plugin that has not answered for `hangSeconds`, is dead.
    It is killed, the plugin (every plugin in that process) is silent (the node fades), one warning
    names it (each of them), and it is restarted from its last captured state, up to `maxRestarts`
    times; restart() starts it again by hand (with the others in its process).

    Message thread for everything but the audio-side functions (beginAudio, endAudio, getShared,
    reportMiss, reportAnswer), which are the audio thread's.
*/
class PluginSandbox
{
public:
    /** `owner` names the plugin's place in warnings (e.g. "instrument 3 (\"Lead\")"). `process`: the
        shared sandbox to run in; none: a process of its own. */
    PluginSandbox (PluginSandboxOptions, model::PluginRef ref, int numMappedParameters, bool isSource, juce::String owner, std::shared_ptr<SandboxProcess> process = {});
    ~PluginSandbox();

    /** Starts the process (or joins the running one) and loads the plugin (with ref.state). On failure
        false and one sentence. */
    bool start (double sampleRate, int blockSize, juce::String& error);

    /** Prepares the plugin with the current parameter values (node parameters 0..n-1), and starts
        the sandbox's processing thread. Remembered for restarts. */
    bool prepare (double sampleRate, int maxBlockSize, const std::vector<float>& values, juce::String& error);

    /** The plugin's state, asked of the sandbox; the last state it gave if it cannot answer now. */
    std::vector<std::uint8_t> captureState();

    /** Supervises its process (SandboxProcess::supervise) and hands on this plugin's warnings. */
    void supervise (std::vector<juce::String>& warnings);
    /** Moves the sentences about this plugin (deaths, restarts, notices) into `warnings`. */
    void takeWarnings (std::vector<juce::String>& warnings);

    /** Kills the sandbox if it runs and starts a new one from the last captured state (the count of
        automatic restarts starts again); in the shared sandbox every plugin in it restarts too. One
        sentence if it could not start. */
    juce::Result restart();

    /** Opens the plugin's editor in a window of the sandbox process (it has a display of its own to
        find: DISPLAY). One sentence if it cannot. */
    juce::Result openEditor();
    juce::Result closeEditor();
    bool isEditorOpen() const noexcept { return editorOpen; }

    /** True while a sandbox process serves the plugin. */
    bool isRunning() const noexcept { return alive.load(); }
    /** How many times it was restarted automatically since it was loaded or restarted by hand. */
    int getRestartCount() const noexcept { return restarts; }
    /** The sandbox process's id, 0 if none. */
    int getProcessId() const noexcept { return process->getProcessId(); }
    /** The process it runs in (shared with the engine's other plugins in PluginSandboxMode::shared). */
    SandboxProcess& getProcess() noexcept { return *process; }
    /** Its slot in that process (the control messages' slot id). */
    std::uint32_t getSlot() const noexcept { return slot; }
    /** The plugin's name as it gave it when loaded. */
    const juce::String& getPluginName() const noexcept { return pluginName; }
    const model::PluginRef& getRef() const noexcept { return ref; }
    const PluginSandboxOptions& getOptions() const noexcept { return options; }

    /** Sends a raw frame and waits for its reply (tests: a malformed request is answered with one
        sentence). False and one sentence if no well-formed reply came. */
    bool requestForTest (const sandbox::Frame& request, sandbox::Frame& reply, juce::String& error) { return process->requestForTest (request, reply, error); }

    /** "The plugin \"Name\" (where it is)": how sentences about it begin. */
    juce::String describe() const { return "The plugin \"" + pluginName + "\" (" + owner + ")"; }

    /** A sentence about this plugin for the next supervise() to hand on (prefixed with its name). */
    void addNotice (const juce::String& text) { notices.push_back (describe() + ": " + text + "."); }

    //==============================================================================
    /** Audio thread: true if the shared block may be used until endAudio() (a sandbox is serving). */
    bool beginAudio() noexcept;
    void endAudio() noexcept { inUse.store (false, std::memory_order_seq_cst); }
    sandbox::SharedBlock& getShared() noexcept { return *memory.block; }
    /** Audio thread: the sandbox has not answered for `seconds` more (hang detection). */
    void reportMiss (double seconds) noexcept;
    /** Audio thread: an answer came (the hang clock starts again). */
    void reportAnswer() noexcept { unanswered.store (0.0, std::memory_order_relaxed); }
    /** Audio thread: a block the plugin did not give (faded or silent instead). */
    void reportLost() noexcept { lostBlocks.fetch_add (1, std::memory_order_relaxed); }
    /** Blocks lost since it was made (reportLost). Any thread. */
    std::int64_t getLostBlocks() const noexcept { return lostBlocks.load (std::memory_order_relaxed); }
    /** Audio thread: a reply that did not match the request (a broken sandbox). */
    void reportBadReply() noexcept { badReply.store (true, std::memory_order_relaxed); }
    /** Audio thread: the sandbox generation, which changes whenever a new process attaches (the node
        then forgets what it was waiting for). */
    std::uint32_t getGeneration() const noexcept { return generation.load (std::memory_order_acquire); }

private:
    friend class SandboxProcess;

    /** "The plugin "name" (owner)". */
    bool loadAndPrepare (juce::String& error);
    bool sendPrepare (juce::String& error);
    /** Asks the sandbox for the plugin's state (into lastState); false if it did not answer in time. */
    bool askState (int timeoutMs);
    static constexpr int stateTimeoutMs = 2000;
    void park() noexcept;
    bool request (sandbox::MessageType, juce::MemoryBlock payload, sandbox::Frame& reply, int timeoutMs, juce::String& error);
    void handleNotice (const juce::String& text);

    PluginSandboxOptions options;
    model::PluginRef ref;
    int numMapped;
    bool isSource;
    juce::String owner, pluginName;

    std::shared_ptr<SandboxProcess> process;
    std::uint32_t slot = 0;
    sandbox::SharedMemory memory;
    bool loaded = false; ///< loaded in the running process (or to be loaded again when it restarts)
    bool loadSent = false; ///< a load went to the running process (its slot may exist there)

    double sampleRate = 0.0;
    int blockSize = 0;
    std::vector<float> preparedValues;
    bool prepared = false;

    std::vector<std::uint8_t> lastState;
    juce::uint32 lastCaptureMs = 0;
    int restarts = 0;
    bool gaveUp = false, editorOpen = false, badReplyWarned = false;
    std::vector<juce::String> notices;

    std::atomic<bool> alive { false }, inUse { false }, badReply { false };
    std::atomic<double> unanswered { 0.0 };
    std::atomic<std::int64_t> lostBlocks { 0 };
    std::atomic<std::uint32_t> generation { 0 };

    JUCE_DECLARE_NON_COPYABLE (PluginSandbox)
};

//==============================================================================
/** A hosted plugin as a chain node, run in a PluginSandbox: the same parameters, channels and MIDI as
    a PluginNode (the sandbox runs a PluginNode), its blocks crossing the shared block.

    Audio thread (processNode): writes the block's input, MIDI and parameter values, wakes the sandbox
    and waits at most options.deadlineFraction of the block's duration (spin, then a futex wait); no
    allocation, lock or log. Zero latency: the answer is this block's output. Pipelined: the answer to
    the previous block is played, from a ring holding exactly maxBlockSize samples of delay, published
    as latency. A block not answered in time, or a dead sandbox, gives a short fade (2 ms, from the
    last sample played) to silence; a sandbox that answers again fades back in.

    Construction, prepareNode, captureState: message thread.
*/
class SandboxedPluginNode final : public HostedPluginNode
{
public:
    /** `sandbox` is started (its plugin loaded); `pluginParams` as for PluginNode. Message thread. */
    SandboxedPluginNode (std::shared_ptr<PluginSandbox>, const std::vector<model::Parameter>& pluginParams, bool isSource);
    ~SandboxedPluginNode() override;

    const model::PluginRef& getRef() const noexcept override { return sandbox->getRef(); }
    std::vector<std::uint8_t> captureState() override { return sandbox->captureState(); }
    PluginSandbox* getSandbox() noexcept override { return sandbox.get(); }

    /** The plugin's latency (as the sandbox last reported it) plus the pipeline's block. Any thread. */
    int getPublishedLatencySamples() const noexcept override;

    /** Round trips (request written to answer read) of answered blocks, for the bench. Audio thread
        writes; read while process() is not running. */
    struct Timing
    {
        std::int64_t answered = 0, missed = 0;
        double lastRoundTripSeconds = 0.0, roundTripSum = 0.0;
    };
    const Timing& getTiming() const noexcept { return timing; }

private:
    void prepareNode (double sampleRate, int maximumBlockSize) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;

    void writeRequest (sandbox::SharedBlock&, const juce::AudioBuffer<float>&, const juce::MidiBuffer&, int n) noexcept;
    enum class Answer
    {
        answered,
        missed, ///< not in time
        wrong ///< in time, but not the samples asked for
    };
    Answer awaitReply (sandbox::SharedBlock&, int n) noexcept;
    void fadeOut (juce::AudioBuffer<float>&, int n) noexcept;
    void play (juce::AudioBuffer<float>&, const float* const* source, int n) noexcept;

    std::shared_ptr<PluginSandbox> sandbox;
    int numMapped;
    bool isSourceNode;
    bool pipelined;
    int pipelineSamples = 0;
    std::atomic<int> pipelineLatency { 0 };

    // Audio thread.
    std::uint32_t generation = 0, sequence = 0;
    bool pending = false; ///< a request has not been answered yet
    int pendingSamples = 0;
    bool answering = false; ///< the last block came from the sandbox (false: faded or silent)
    bool silenced = false; ///< some block was lost since prepare (the next answer fades in)
    float lastSample[sandbox::numChannels] {};
    int fadeSamples = 96, fadeRemaining = 0, fadeInRemaining = 0;
    std::vector<float> values, targets; ///< this block's parameter values, sized in prepareNode
    juce::AudioBuffer<float> ring; ///< pipelined: the answers waiting to be played
    int ringRead = 0, ringFill = 0;
    juce::AudioBuffer<float> scratch;
    std::chrono::steady_clock::time_point sentAt;
    Timing timing;
};

/** The sandbox process's side (`imbolc plugin-sandbox --control-fd N`): serves the plugins the engine
    loads into it (each with its shared block, a processing thread of its own, and its editor) until
    told to quit or its control socket closes. Runs a JUCE message loop on the calling thread. Returns
    the process's exit code (2: its arguments were unusable). */
int runPluginSandboxWorker (int controlFd);

} // namespace imbolc::engine
