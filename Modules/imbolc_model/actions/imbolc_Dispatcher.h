#pragma once

namespace imbolc::model
{

/** The outcome of one action: either an error sentence (and nothing changed), or what changed. */
struct ApplyResult
{
    std::string error;
    ChangeSet changes;
    std::uint32_t createdId = 0; ///< the id of what the action added, if it added something

    bool ok() const noexcept { return error.empty(); }
};

/** Applies Actions to a Session: the one place a session changes.

    Every action is checked completely before anything is touched, so a rejected action (unknown id,
    value out of range, NaN, ...) leaves the session and the undo history exactly as they were.
    An accepted action records undo (scoped, coalesced), changes the session, and reports the audio
    effects, the network dirty set and the undo scope.

    Message thread only.
*/
class Dispatcher
{
public:
    Dispatcher (Session& session, UndoHistory& history);

    ApplyResult apply (const Action& action);

    /** The same, recording undo in (and undoing from) `history` instead of the dispatcher's own: one
        dispatcher serves every seat of a network session, each with its undo history. */
    ApplyResult apply (const Action& action, UndoHistory& history);

    Session& getSession() noexcept { return session; }
    UndoHistory& getHistory() noexcept { return history; }

private:
    struct Context;

    Session& session;
    UndoHistory& history;
};

} // namespace imbolc::model
