#pragma once

namespace imbolc::net
{

/** The server's writer thread: it owns the write half of every client socket and each client's Outbox.

    The main loop hands it frames (serialized once, shared by every recipient) and never touches a
    socket's write half itself, so a slow or stalled client costs the main loop nothing. Writes never
    block: each pass writes what every socket takes at once, then waits at most the send timeout
    (10 ms) for any socket to take more. A client whose outbox overflows its bound, or whose socket takes
    no byte for the stall timeout, is reported stalled and dropped; the others never wait for it.
*/
class Writer
{
public:
    struct Options
    {
        Outbox::Limits limits;
        int sendTimeoutMs = 10;
        int stallTimeoutMs = 2000;
    };

    /** What the writer tells the main loop (called on the writer thread: queue it, don't act there). */
    struct Feedback
    {
        enum class Kind : std::uint8_t
        {
            stalled, ///< outbox overflow or no progress: the connection was dropped
            failed, ///< the socket failed (peer gone): the connection was dropped
            needsFullSync, ///< a patch was superseded: send this client a full sync
            closed ///< a closeAfterFlush finished
        };
        Kind kind;
        std::uint32_t connection;
    };

    Writer (Options, std::function<void (Feedback)> feedback);

    /** Sends what it can of the remaining frames (at most 100 ms), then stops the thread. */
    ~Writer();

    /** The main loop's calls; any thread. */
    void add (ConnectionPtr);
    void send (std::uint32_t connection, FrameKind, SharedFrame);
    void broadcast (const std::vector<std::uint32_t>& connections, FrameKind, SharedFrame);
    /** Sends what is queued (at most `timeoutMs`), then shuts the connection down and reports closed. */
    void closeAfterFlush (std::uint32_t connection, int timeoutMs);
    /** Forgets the connection at once (what is queued is dropped). */
    void remove (std::uint32_t connection);

    /** Frames handed over and bytes written so far (for the benchmark). */
    std::uint64_t getFramesQueued() const noexcept { return framesQueued.load(); }
    std::uint64_t getBytesWritten() const noexcept { return bytesWritten.load(); }
    std::uint64_t getFramesDropped() const noexcept { return framesDropped.load(); }

private:
    struct Command
    {
        enum class Kind : std::uint8_t
        {
            add,
            send,
            close,
            remove
        };

        explicit Command (Kind k)
            : kind (k)
        {
        }

        Kind kind;
        std::uint32_t connection = 0;
        ConnectionPtr added;
        FrameKind frameKind = FrameKind::control;
        SharedFrame frame;
        int timeoutMs = 0;
    };

    struct Client
    {
        ConnectionPtr connection;
        Outbox outbox;
        std::uint32_t lastProgressMs = 0;
        std::optional<std::uint32_t> closeDeadlineMs;
    };

    void post (Command&&);
    void run();
    void drainCommands (std::map<std::uint32_t, Client>& clients);
    void flush (std::map<std::uint32_t, Client>& clients, std::uint32_t nowMs);
    void drop (std::map<std::uint32_t, Client>& clients, std::uint32_t id, Feedback::Kind why);

    const Options options;
    const std::function<void (Feedback)> feedback;

    std::mutex mutex;
    std::vector<Command> commands;
    int wakeHandle = -1;
    std::atomic<bool> quit { false };
    std::atomic<std::uint64_t> framesQueued { 0 }, bytesWritten { 0 }, framesDropped { 0 };
    std::thread thread;
};

} // namespace imbolc::net
