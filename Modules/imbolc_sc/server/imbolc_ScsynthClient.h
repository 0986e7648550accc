#pragma once

namespace imbolc::sc
{

/** A connection to a running scsynth over UDP: notifications, status, readiness and the group layout.

    One UDP socket both sends and receives, because scsynth answers to the address a command came from.
    A receiver thread decodes replies (with our own decoder: juce_osc cannot read the float64 arguments
    of /status.reply) and hands them to whoever waits for them.

    Node and group ids never collide with another client of the same server: each client owns the
    range that starts at its client id (from /notify) shifted left by 26 bits, as sclang does.

    Any thread may call the public functions; they block at most their timeout.
*/
class ScsynthClient
{
public:
    struct Options
    {
        juce::String host = "127.0.0.1";
        int port = 57110;
        int timeoutMs = 2000;
    };

    explicit ScsynthClient (Options);
    ~ScsynthClient();

    /** Registers for notifications (/notify 1: the reply gives our client id) and waits until the
        server has done it (/sync). One sentence when the server is absent or does not answer. */
    juce::Result connect();

    int getClientId() const noexcept { return clientId; }

    /** The first node id of this client's range (groups live at nodeBase() + 100 ...). */
    std::int32_t nodeBase() const noexcept { return (std::int32_t) ((std::uint32_t) clientId << 26); }

    /** The fixed group layout, each group added to the tail of the root node, in this order. */
    static constexpr std::array<std::int32_t, 6> groupLayout { 100, 200, 300, 350, 400, 999 };

    /** Creates the group layout (idempotent on a fresh server) and waits for /sync. */
    juce::Result createGroups();

    struct Status
    {
        int ugens = 0, synths = 0, groups = 0, definitions = 0;
        float averageCpu = 0.0f, peakCpu = 0.0f;
        double nominalSampleRate = 0.0, actualSampleRate = 0.0;
    };
    /** /status, answered by /status.reply; nullopt if the server did not answer in time. */
    std::optional<Status> queryStatus();

    /** /sync: true once every command sent before it has been done. */
    bool sync();

    /** Sends definitions (/d_recv) and waits for /done. */
    juce::Result loadDefinitions (const Bytes& synthDefFile);

    /** Has the server read a sound file into buffer `buffer` (/b_allocRead; /b_allocReadChannel with
        `channels` when only some are wanted) and waits for its /done. The path is the server's: only
        for a server on this machine. One sentence when scsynth fails or does not answer. */
    juce::Result allocRead (std::int32_t buffer, const std::string& path, const std::vector<std::int32_t>& channels = {});

    /** Sends audio into buffer `buffer` over the connection (/b_alloc, then /b_setn in chunks of
        setnChunk floats, small enough for any UDP datagram), pausing for /sync every few chunks so the
        server's receive buffer never overflows, and waits until it is all in. `interleaved` holds
        frames * channels floats, frame by frame. For a server that cannot read our files (remote). */
    juce::Result sendBuffer (std::int32_t buffer, int frames, int channels, const float* interleaved);
    static constexpr int setnChunk = 1024;

    /** `count` samples (interleaved frames) of buffer `buffer` from sample `start`, as scsynth holds
        them (/b_getn, answered by /b_setn; at most setnChunk per call, so the reply fits a datagram);
        nullopt if the server did not answer or the range is not in the buffer. */
    std::optional<std::vector<float>> getBuffer (std::int32_t buffer, int start, int count);

    /** The node tree below `group` as scsynth reports it (/g_queryTree), depth first: node id, and for
        a group its child count, for a synth -1. */
    struct TreeNode
    {
        std::int32_t id;
        std::int32_t children; ///< -1 for a synth
    };
    std::optional<std::vector<TreeNode>> queryTree (std::int32_t group = 0);

    /** A control's current value on a node (/s_get, answered by /n_set); nullopt if the node does not
        exist or the server did not answer. */
    std::optional<float> getControl (std::int32_t node, const std::string& name);

    /** The checked contents of a /status.reply or a /g_queryTree.reply; nullopt for anything else or
        anything malformed (a reply from the network is checked, never trusted). Any thread. */
    static std::optional<Status> parseStatusReply (const OscMessage&);
    static std::optional<std::vector<TreeNode>> parseTreeReply (const OscMessage&);

    /** Sends one message (no reply awaited). */
    bool send (const OscMessage&);

    /** Sends messages to be done at once and in order: packed into as few immediate bundles as fit a
        datagram (a message too big for a bundle goes alone). */
    bool sendNow (const std::vector<OscMessage>&);

    /** Sends messages as one bundle timetagged `ntpSeconds` (see ntpNow()). */
    bool sendAt (double ntpSeconds, const std::vector<OscMessage>&);

    /** Asks for /status without waiting; the reply lands in latestStatus(). */
    void requestStatus();

    /** The newest /status.reply and when it arrived (juce::Time::getMillisecondCounterHiRes()). */
    std::optional<std::pair<Status, double>> latestStatus() const;

    /** Nodes scsynth reported ended (/n_end) since the last call. */
    std::vector<std::int32_t> takeEndedNodes();

    const Options& getOptions() const noexcept { return options; }

    //==============================================================================
    /** Now on the NTP clock OSC timetags use (seconds since 1900). */
    static double ntpNow();

    /** The schedule-ahead latency for a local server: one block plus 5 ms, at least 10 ms. A remote
        server wants more (200 ms is sensible). */
    static double defaultLatencySeconds (double sampleRate, int blockSize) { return std::max (blockSize / sampleRate + 0.005, 0.010); }

    /** Starts a voice: one bundle, timetagged `latencySeconds` ahead, holding its /s_new (node id from
        this client's range, added to the head of `group`). Returns the node id. */
    std::int32_t startVoice (const std::string& definition, std::int32_t group, const std::vector<std::pair<std::string, float>>& controls, double latencySeconds);

    /** Releases a voice (gate 0) in a bundle `latencySeconds` ahead; its envelope frees it. */
    void releaseVoice (std::int32_t node, double latencySeconds);

    /** Waits for scsynth's notification that a node started (/n_go) or ended (/n_end). */
    bool waitForNode (std::int32_t node, bool ended, int timeoutMs);

    /** The nodes this client started that scsynth has not yet reported ended. */
    std::size_t liveVoices() const;

private:
    void receive();
    std::optional<OscMessage> waitFor (const std::function<bool (const OscMessage&)>& matches, int timeoutMs);

    const Options options;
    juce::DatagramSocket socket { false };
    std::atomic<bool> quit { false };
    std::thread receiver;
    std::mutex mutex;
    std::condition_variable arrived;
    std::deque<OscMessage> replies;
    int clientId = 0;
    bool registered = false; ///< /notify 1 succeeded: say goodbye (/notify 0) at the end
    std::atomic<std::int32_t> nextSyncId { 1 };
    std::atomic<std::int32_t> nextNode { 1000 };
    mutable std::mutex voiceMutex;
    std::set<std::int32_t> voices; ///< started by startVoice, not yet ended (from /n_end)
    std::vector<std::int32_t> endedNodes; ///< every /n_end since takeEndedNodes()
    std::optional<std::pair<Status, double>> newestStatus;
};

} // namespace imbolc::sc
