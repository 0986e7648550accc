#pragma once

namespace imbolc::net
{

/** How a session server listens and paces itself. The defaults are the product's; tests shorten the
    timers. */
struct ServerOptions
{
    juce::String address = "127.0.0.1"; ///< loopback unless asked; anything else needs a passphrase
    int port = 9999; ///< 0 picks a free port (see SessionServer::getPort)
    std::string passphrase; ///< empty: none (loopback only)
    std::size_t maxFrameBytes = protocol::defaultMaxFrameBytes;

    int patchIntervalMs = 33; ///< at most one state patch per interval; dirt accumulates between
    int meteringIntervalMs = 33; ///< 30 Hz
    int pingIntervalMs = 5000;
    int silenceTimeoutMs = 15000; ///< a seat silent this long is suspended
    int reservationMs = 60000; ///< a suspended seat keeps its instruments and privilege this long
    int privilegeHoldMs = 2000; ///< a holder who used the privilege this recently keeps it on request
    Writer::Options writer;
};

/** The session host's network side: accepts seats, checks and applies their actions, broadcasts.

    Threads:
    - a listener thread accepts connections;
    - a reader thread per connection decodes and verifies frames (a bad frame closes that connection
      only) and queues the messages;
    - the thread that owns the session (the "main loop": the message thread in the app, the serve
      command's loop) calls poll(), which handles queued messages, applies actions through the
      dispatcher, and serializes patches, full syncs and metering once each;
    - the Writer thread owns every socket's write half and each seat's outbox.

    Every seat has its own undo history over the shared session (per-seat undo). Seats own instruments;
    one seat at a time holds the session privilege (see authorize()).
*/
class SessionServer
{
public:
    /** How the server applies an action it accepted: the host's one edit path (its dispatcher, then the
        engine and the views), with the undo history of the seat that sent it (the host's own for
        applyLocal). Seat ownership and per-seat undo stay here; applying is the host's. Main loop thread. */
    using Applier = std::function<model::ApplyResult (const model::Action&, model::UndoHistory& history)>;

    /** The session is owned by the caller and changed only through `applier`, inside poll() and
        applyLocal(), on the caller's thread. `hostHistory` is the host's own undo history (seat 0);
        it must outlive the server. */
    SessionServer (model::Session& session, ServerOptions options, Applier applier, model::UndoHistory& hostHistory);

    /** A server that applies actions with a dispatcher and host history of its own: for a process that
        is nothing but a server (tests, tools). Main loop thread. */
    SessionServer (model::Session& session, ServerOptions options);

    /** Tells every seat the session is over (Shutdown), then closes everything. Main loop thread. */
    ~SessionServer();

    /** Binds and listens. Refuses, with one sentence, a non-loopback address without a passphrase, a bad
        address, or a port in use. Main loop thread. */
    juce::Result start();

    /** The port actually bound (useful with port 0). */
    int getPort() const noexcept { return boundPort; }

    /** Handles everything that arrived, waiting up to `waitMs` for the first event; broadcasts when due.
        Main loop thread. */
    void poll (int waitMs);

    /** An edit made on the host itself (seat 0: owns nothing, holds the privilege implicitly). It is
        broadcast like any other. Main loop thread. */
    model::ApplyResult applyLocal (const model::Action&);

    /** applyLocal with another undo history than the host's own: for changes nobody made by hand and
        nobody should undo (a plugin host's tempo and meter, followed by the session). Main loop thread. */
    model::ApplyResult applyLocal (const model::Action&, model::UndoHistory& history);

    /** The session was replaced wholesale (a project opened while hosting): every seat's undo history
        is cleared, instruments that no longer exist lose their owners, and every seat gets a full sync.
        Main loop thread. */
    void resetSession();

    /** Tells every joined seat `sentence`: an Error message that does not close the connection, about a
        problem on the host every seat should know of (a hosted plugin that crashed, say). A seat's
        RemoteSession shows it as a warning. Main loop thread. */
    void tellSeats (const std::string& sentence);

    /** Called after every applied action with its changes. Main loop thread. */
    std::function<void (const model::ChangeSet&)> onApplied;

    /** Supplies metering for the 30 Hz broadcast; unset = no metering. Main loop thread. */
    std::function<protocol::msg::Metering()> meteringSource;

    /** One line per event worth telling the person running the server (joins, refusals, suspensions).
        Main loop thread. */
    std::function<void (const juce::String&)> onLog;

    //==============================================================================
    struct SeatInfo
    {
        std::uint32_t id;
        std::string name;
        bool connected;
        bool privileged;
        std::vector<model::InstrumentId> instruments;
    };
    /** Main loop thread. */
    std::vector<SeatInfo> getSeats() const;
    const Seats& getOwnership() const noexcept { return seats; }
    protocol::Seq getSeq() const noexcept { return seq; }

    struct Stats
    {
        std::uint64_t patchesBroadcast = 0; ///< broadcasts of a patch
        std::uint64_t patchSerializations = 0; ///< times a patch was encoded (one per broadcast)
        std::uint64_t fullSyncsSent = 0;
        std::uint64_t fullSyncSerializations = 0;
        std::uint64_t fullSyncRequests = 0; ///< RequestFullSync messages (each is answered by a full sync)
        std::uint64_t actionsApplied = 0;
        std::uint64_t actionsRejected = 0;
        std::uint64_t framesRefused = 0; ///< malformed frames (each closed its connection)
        std::uint64_t suspensions = 0;
        std::uint64_t bytesWritten = 0;
    };
    Stats getStats() const noexcept;

private:
    struct Event;
    struct Seat;
    struct Link;

    void listen();
    void readLoop (ConnectionPtr);
    void pushEvent (Event&&);

    void handle (Event&);
    void handleHello (Link&, protocol::msg::Hello&);
    void handleFromSeat (Link&, Seat&, protocol::Message&);
    void handleAction (Link&, Seat&, protocol::msg::Action&);
    void handleRequestPrivilege (Seat&);
    void applyFrom (std::uint32_t seatId, model::UndoHistory&, const model::Action&, model::ApplyResult&);

    void sendControl (std::uint32_t connection, const protocol::Message&);
    void refuse (Link&, const std::string& sentence, const protocol::Message* reply = nullptr);
    void closeLink (std::uint32_t connection);
    void suspend (Seat&, const juce::String& why);
    void keepReserved (Seat&, const juce::String& why);
    void releaseSeat (Seat&);
    void broadcastDue (bool force);
    void heartbeat();
    void log (const juce::String&);
    std::uint32_t nowMs() const;
    std::vector<std::uint32_t> activeConnections (bool includeNeedingFullSync) const;
    std::string seatName (std::uint32_t) const;

    model::Session& session;
    const ServerOptions options;

    std::unique_ptr<juce::StreamingSocket> listener;
    std::thread listenerThread;
    int boundPort = 0;
    std::atomic<bool> stopping { false };
    std::atomic<std::uint32_t> nextConnectionId { 1 };

    std::mutex eventMutex;
    std::condition_variable eventReady;
    std::deque<Event> events;

    std::unique_ptr<Writer> writer;

    std::map<std::uint32_t, std::unique_ptr<Link>> links; ///< by connection id
    std::map<std::uint32_t, std::unique_ptr<Seat>> seats_; ///< by seat id
    Seats seats;
    std::uint32_t nextSeatId = 1;

    std::unique_ptr<model::UndoHistory> ownHostHistory; ///< only when the server applies by itself
    model::UndoHistory& hostHistory;
    Applier applier;
    model::NetDirty dirty;
    bool ownershipDirty = false;
    protocol::Seq seq = 0;
    std::uint32_t lastPatchMs = 0, lastMeteringMs = 0, lastPingMs = 0;
    std::uint64_t pingNonce = 0;
    Stats stats;
};

} // namespace imbolc::net
