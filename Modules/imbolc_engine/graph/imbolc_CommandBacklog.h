#pragma once

namespace imbolc::engine
{

/** The message thread's end of the two command queues: it sends every command to the audio thread,
    in order, and keeps what does not fit yet.

    Threads: the message thread calls everything here and is the queues' only producer. The audio
    thread (AudioGraph) is their only consumer: it pops the priority queue, then the normal queue, and
    counts every normal command it has applied in `normalConsumed`. Nothing here blocks or waits for
    the audio thread.

    Bounded: the queues are preallocated and never grow, and objects (chains, routings, sequences) are
    handed over only while the audio thread has room to run them and hand them back (Limits). What
    does not fit waits in a backlog on the message thread, which flush() sends on as the audio thread
    consumes and hands objects back. While anything waits in a queue's backlog, later commands for
    that queue wait behind it, so nothing overtakes.

    Ordered: a command about a chain whose normal commands (its install above all) the audio thread
    has not consumed yet goes through the normal queue behind them, because the priority queue would
    overtake the install. Changes that set a value (setParam, setSendLevel, setMuted, setBypass,
    setTempo, setVoiceLimit) coalesce while they wait in the priority backlog: a newer change to the
    same thing on the same chain object writes its value into the waiting one, in that one's place. So
    the newest value of every parameter arrives and the waiting commands keep their order. Structural
    commands never coalesce, and a change for a replaced chain (a new serial) never merges with one for
    its predecessor.

    One gap is known: a change sent behind a chain's pending normal command can overtake an older
    change about the same chain that still waits in the priority backlog (it takes a full priority
    queue and a structural edit of that chain, such as a reroute, within one burst).
*/
class CommandBacklog
{
public:
    /** How many objects of each kind the audio thread may hold at once: running, fading out, or on
        their way back. Sized to what its preallocated arrays and event queue can take. */
    struct Limits
    {
        int instruments = 0;
        int buses = 0;
        int masters = 0;
        int smallObjects = 0; ///< routings and sequences, which share one budget
    };

    /** Where the newest normal command about one chain stands; the caller keeps one per chain, with
        the chain's other bookkeeping, and passes it with every command about that chain. */
    struct ChainOrder
    {
        std::uint64_t lastNormalSeq = 0;
    };

    /** The queues and counter must outlive this; `normalConsumed` is the audio thread's count of
        normal commands applied. Message thread. */
    CommandBacklog (CommandQueue& priority, CommandQueue& normal, const std::atomic<std::uint64_t>& normalConsumed, Limits);

    /** Sends a change applied at the start of the next block (priority queue), or behind the normal
        commands still pending for `chain` (see the class comment). `chain`: the chain's ChainOrder,
        or nullptr for commands about no chain (tempo, transport). Message thread. */
    void sendPriority (const Command&, ChainOrder* chain);

    /** Sends a structural command, applied after every normal command sent before it. Ownership of
        the command's object passes to the audio thread once it is sent (until then takeUnsentObjects()
        gives it back). `chain`, if given, remembers it for later sendPriority() calls. Message thread. */
    void sendNormal (const Command&, ChainOrder* chain);

    /** Sends what waits, as far as queue space and the limits allow. Call often. Message thread. */
    void flush();

    /** The audio thread has handed back an object of this kind (an Event): its place in the limits is
        free again. Message thread. */
    void objectReturned (Event::Type);

    /** Ends every wait: clears both backlogs and returns the waiting commands that carry an object,
        which never reached the audio thread and are the caller's to destroy. Message thread. */
    std::vector<Command> takeUnsentObjects();

    /** Whether anything waits for queue space. Message thread. */
    bool hasBacklog() const noexcept { return ! normalBacklog.empty() || ! priorityBacklog.empty(); }

    /** Commands waiting for queue space, in both backlogs. Message thread. */
    std::size_t getNumWaiting() const noexcept { return normalBacklog.size() + priorityBacklog.size(); }

    /** Changes superseded by a newer one while they waited (so never sent). Message thread. */
    std::int64_t getNumCoalesced() const noexcept { return coalesced; }

    /** Chains (instrument, bus, master) handed to the audio thread and not handed back yet. Message thread. */
    int getNumChainsOut() const noexcept { return outstandingInstruments + outstandingBuses + outstandingMasters; }

private:
    bool trySendNormalNow (const Command&);

    CommandQueue& priorityQueue;
    CommandQueue& normalQueue;
    const std::atomic<std::uint64_t>& normalConsumed;
    Limits limits;

    // Objects handed to the audio thread and not yet returned, per kind: never more than it can hold.
    int outstandingInstruments = 0, outstandingBuses = 0, outstandingMasters = 0, outstandingSmallObjects = 0;

    std::uint64_t normalAccepted = 0;
    std::deque<Command> normalBacklog;
    std::deque<Command> priorityBacklog;
    std::uint64_t priorityBacklogFront = 0; ///< absolute index of priorityBacklog.front()
    std::unordered_map<std::uint64_t, std::uint64_t> priorityBacklogIndex; ///< coalescing key -> absolute index
    std::int64_t coalesced = 0;

    JUCE_DECLARE_NON_COPYABLE (CommandBacklog)
};

} // namespace imbolc::engine
