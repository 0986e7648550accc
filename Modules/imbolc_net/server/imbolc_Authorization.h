#pragma once

namespace imbolc::net
{

/** Who may do what in a shared session: the server's rules, applied to every action before the
    dispatcher sees it (note edits included: the original let any seat edit any piano roll).

    - A seat edits the instruments it owns: their settings, chains, strips, sends, notes, clips and the
      automation lanes that target them. The privileged seat may also edit instruments nobody owns.
    - Session-wide things need the privilege: tempo, signature, key, swing, loop, transport, recording,
      buses and the master, lanes on tempo/swing/buses, the play mode.
    - Any seat may add an instrument; it owns what it adds.
    - Deleting, duplicating or moving an instrument in the rack needs the right to edit that instrument.
    - Undo and redo act on the seat's own history; they are allowed when the seat may still make the
      edit the entry would restore.

    Message thread (the thread that owns the session).
*/
struct Seats
{
    std::map<model::InstrumentId, std::uint32_t> owners; ///< instrument -> seat; absent = nobody
    std::uint32_t privileged = 0; ///< the seat with the privilege; 0 = nobody

    std::uint32_t ownerOf (model::InstrumentId id) const noexcept
    {
        auto it = owners.find (id);
        return it == owners.end() ? 0 : it->second;
    }

    /** The wire form (sorted by instrument id). */
    protocol::Ownership toWire() const;
};

/** The verdict on one action. */
struct Authorization
{
    std::string refusal; ///< empty: allowed; otherwise one sentence naming what is missing
    bool usesPrivilege = false; ///< allowed because the seat holds the privilege

    bool allowed() const noexcept { return refusal.empty(); }
};

/** Whether `seat` may apply `action`; a refusal names what is missing ("Instrument 4 belongs to seat 2
    (Ana).", "Changing the tempo needs the session privilege; request it first."). `history` is the
    seat's own undo history (for Undo/Redo). `seatName` resolves seat ids to names for the sentence.
    Message thread. */
Authorization authorize (const model::Session&, const Seats&, std::uint32_t seat, const model::Action&, const model::UndoHistory& history, const std::function<std::string (std::uint32_t)>& seatName);

} // namespace imbolc::net
