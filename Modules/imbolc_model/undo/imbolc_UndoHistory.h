#pragma once

namespace imbolc::model
{

/** Scoped undo and redo with coalescing.

    An entry holds a snapshot of only the part of the session its edit touched (UndoScope): a parameter
    tweak copies one Instrument, a note edit one Track, a point edit one Lane; only adding or removing an
    instrument or a bus copies the whole session. Undo swaps the snapshot with the live part, so redo
    costs the same.

    Edits with the same CoalesceKey that follow each other within the coalescing window (500 ms) share
    the entry of the first, so a knob sweep is one undo step. The clock is injectable for tests.

    Message thread only.
*/
class UndoHistory
{
public:
    /** Milliseconds on a monotonic clock. */
    using Clock = std::function<std::int64_t()>;

    static constexpr std::size_t defaultMaxDepth = 500;
    static constexpr std::int64_t coalesceWindowMs = 500;

    explicit UndoHistory (Clock clock = {}, std::size_t maxDepth = defaultMaxDepth);

    /** Called by the dispatcher before an edit changes `session`. Snapshots the scope unless the edit
        coalesces with the previous one; clears the redo stack either way. Returns true if it made a new
        entry (then nameNewest gives it its name; a coalesced run keeps its first edit's name). */
    bool record (const Session& session, UndoScope scope, CoalesceKey key);

    /** What a person calls the newest entry's edit ("Set Cutoff"), shown as "Undo Set Cutoff". */
    void nameNewest (std::string name);

    /** Restores the newest entry into `session`; returns its scope, or nullopt if there is none. */
    std::optional<UndoScope> undo (Session& session);
    std::optional<UndoScope> redo (Session& session);

    bool canUndo() const noexcept { return ! undoStack.empty(); }
    bool canRedo() const noexcept { return ! redoStack.empty(); }
    std::size_t undoDepth() const noexcept { return undoStack.size(); }
    std::size_t redoDepth() const noexcept { return redoStack.size(); }
    std::size_t maxDepth() const noexcept { return depthLimit; }

    /** Another seat made a change of scope `changedByOther`: drops every undo and redo entry whose
        restore would overwrite that change, keeping the others in order. Each seat of a shared session
        has its own history, and undo must never take back someone else's later edit. Message thread. */
    void forgetConflicting (UndoScope changedByOther);

    /** True when restoring a snapshot of `entry` would overwrite part of a change to `changedByOther`.
        Any thread. */
    static bool restoreOverwrites (UndoScope entry, UndoScope changedByOther) noexcept;

    /** Starts (nonzero) or ends (0) a gesture: a drag, a knob turn, a painted row of steps. While the
        same gesture lasts, every edit of the scope of the newest entry joins that entry, however long
        the gesture takes, so the gesture undoes as one step. A new gesture, or none, starts a new
        entry. The id is the caller's (a seat numbers its own gestures). Message thread. */
    void setGesture (std::uint32_t gesture) noexcept;
    std::uint32_t getGesture() const noexcept { return currentGesture; }

    /** Ends the current coalescing run, so the next edit gets its own entry. */
    void breakCoalescing() noexcept
    {
        lastKey = {};
        lastGesture = 0;
    }
    void clear();

    /** Scope of the newest undo entry, and of the newest redo entry (for the dispatcher and the GUI). */
    std::optional<UndoScope> peekScope() const;
    std::optional<UndoScope> peekRedoScope() const;

    /** The name of the edit undo() would take back, and of the one redo() would make again; empty when
        there is none (or it has no name). */
    std::string peekUndoName() const { return undoStack.empty() ? std::string {} : undoStack.back().name; }
    std::string peekRedoName() const { return redoStack.empty() ? std::string {} : redoStack.back().name; }

    /** True when both histories hold equal undo and redo entries in the same order (the clocks and
        coalescing runs are not compared). A depth alone cannot tell an entry replaced by another.
        Compares every snapshot, so it costs as much as the snapshots are large: for tests and
        checks, not per edit. Message thread. */
    bool hasSameEntries (const UndoHistory& other) const;

    /** What a snapshot of this scope holds. */
    struct SessionPart
    {
        SessionSettings settings;
        Arrangement arrangement;
        Automation automation;
        Mixer mixer;
        Macros macros {};
        bool operator== (const SessionPart&) const = default;
    };

    struct Entry
    {
        UndoScope scope;
        std::variant<std::monostate, Instrument, Track, Lane, SessionPart, Session> data;
        std::string name; ///< the edit's name for people, which travels between the stacks
        bool operator== (const Entry&) const = default;
    };

    /** Copies the scope's part of a session. Public for the benchmark. */
    static Entry snapshot (const Session&, UndoScope);

private:
    /** Puts the entry's data into the session and returns the data it replaced. */
    static Entry swapInto (Session&, Entry&&);

    Clock clock;
    std::size_t depthLimit;
    std::deque<Entry> undoStack, redoStack;
    CoalesceKey lastKey;
    std::int64_t lastTime = 0;
    std::uint32_t currentGesture = 0; ///< the gesture edits now belong to (0: none)
    std::uint32_t lastGesture = 0; ///< the gesture the newest entry was made in (0: none)
};

} // namespace imbolc::model
