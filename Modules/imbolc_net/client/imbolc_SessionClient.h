#pragma once

namespace imbolc::net
{

struct ClientOptions
{
    juce::String host = "127.0.0.1";
    int port = 9999;
    std::string name;
    std::vector<model::InstrumentId> requestedInstruments;
    bool requestPrivilege = false;
    std::string passphrase;
    std::size_t maxFrameBytes = protocol::defaultMaxFrameBytes;

    int connectTimeoutMs = 3000;
    int backoffInitialMs = 500; ///< reconnect delays: 0.5 s doubling ...
    int backoffMaxMs = 8000; ///< ... to 8 s ...
    int reconnectForMs = 60000; ///< ... for up to 60 s (the server keeps the seat that long)
    int silenceTimeoutMs = 15000; ///< nothing heard this long: the connection is dead, reconnect
};

/** A seat: connects to a session server, keeps a mirror of the session, sends actions.

    A network thread reads frames, answers pings, applies patches and full syncs to the mirror (patches
    in sequence: a stale one is ignored, a gap asks for a full sync), and reconnects with backoff when
    the connection is lost, proving its rotated token without sending it.

    Thread safety: every public function may be called from any thread. Callbacks run on the network
    thread; don't block in them.
*/
class SessionClient
{
public:
    explicit SessionClient (ClientOptions);

    /** Says Goodbye (if connected) and stops. */
    ~SessionClient();

    /** Connects and completes the handshake (Welcome and the first full sync), waiting at most
        `timeoutMs`, then keeps the connection in the background. One sentence on failure. */
    juce::Result connect (int timeoutMs = 5000);

    /** Leaves the session (Goodbye: the server frees this seat's instruments) and stops. */
    void disconnect();

    /** Sends an action, as part of `gesture` when nonzero (the host keeps one gesture's edits as one undo
        step); returns its request id (ActionRejected names it). 0 if not connected. */
    std::uint32_t send (const model::Action&, std::uint32_t gesture = 0);
    void requestPrivilege();
    void requestFullSync();

    //==============================================================================
    enum class State : std::uint8_t
    {
        idle,
        connecting,
        connected,
        reconnecting,
        failed, ///< gave up (see getError)
        closed ///< left, or the server shut the session down
    };
    State getState() const noexcept { return state.load(); }
    std::string getError() const;

    std::uint32_t getClientId() const noexcept { return clientId.load(); }
    protocol::Seq getSeq() const noexcept { return lastSeq.load(); }
    bool hasPrivilege() const noexcept { return privilege.load(); }

    /** A copy of the mirrored session, its hash, and the ownership the server last sent. */
    model::Session getSession() const;
    std::uint64_t getSessionHash() const;
    protocol::Ownership getOwnership() const;
    std::optional<protocol::msg::Metering> getLatestMetering() const;

    /** Runs fn with the mirror under the client's lock (no copy). Don't block in fn. */
    void withSession (const std::function<void (const model::Session&)>& fn) const;

    struct Stats
    {
        std::uint64_t patchesApplied = 0;
        std::uint64_t patchesIgnored = 0; ///< stale (seq not newer)
        std::uint64_t gaps = 0; ///< patch sequence gaps (each asked for a full sync)
        std::uint64_t patchFailures = 0; ///< patches that did not apply (each asked for a full sync)
        std::uint64_t fullSyncs = 0;
        std::uint64_t rejections = 0;
        std::uint64_t reconnects = 0;
        std::uint64_t bytesReceived = 0;
    };
    Stats getStats() const;

    /** Every decoded message, after the client handled it (network thread). */
    std::function<void (const protocol::Message&)> onMessage;
    /** A patch or full sync was applied to the mirror (network thread). */
    std::function<void (protocol::Seq seq)> onStateChanged;
    /** Status lines for people: "connection lost; reconnecting in 0.5 s" (network thread). */
    std::function<void (const juce::String&)> onLog;

    /** The frame payloads as received, for the JSON debug view (network thread). */
    std::function<void (const std::uint8_t*, std::size_t)> onRawFrame;

    /** Cuts the connection without a Goodbye, as a network failure would (tests). */
    void dropConnection();

    /** The current session token (tests: it rotates on every reconnect). */
    protocol::Bytes getToken() const;

private:
    enum class Outcome : std::uint8_t
    {
        lost, ///< the connection failed: reconnect
        refused, ///< the server refused us for good (wrong passphrase, reconnect failed)
        finished ///< Goodbye or Shutdown
    };

    void run();
    juce::Result openAndHandshake (bool reconnecting, int timeoutMs);
    Outcome serve();
    bool handle (const protocol::Message&, Outcome& outcome);
    bool writeMessage (const protocol::Message&);
    void setError (const std::string&);
    void log (const juce::String&);

    const ClientOptions options;

    mutable std::mutex stateMutex; ///< guards the mirror, ownership, metering, token, error, stats
    model::Session mirror;
    protocol::Ownership ownership;
    std::optional<protocol::msg::Metering> metering;
    protocol::Bytes token;
    std::string error;
    Stats stats;
    bool awaitingFullSync = true;

    std::mutex writeMutex; ///< one writer at a time on the socket
    ConnectionPtr connection;
    std::mutex connectionMutex; ///< guards `connection` (swapped on reconnect)

    std::atomic<State> state { State::idle };
    std::atomic<std::uint32_t> clientId { 0 };
    std::atomic<protocol::Seq> lastSeq { 0 };
    std::atomic<bool> privilege { false };
    std::atomic<bool> stopping { false };
    std::atomic<std::uint32_t> nextRequestId { 1 };
    std::atomic<bool> firstSyncDone { false };

    protocol::FrameReader frames;
    std::thread thread;
    std::condition_variable stopSignal;
    std::mutex stopMutex;
};

} // namespace imbolc::net
