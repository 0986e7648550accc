#pragma once

namespace imbolc::protocol
{

/** Builds the patch that brings a mirror from the state before `dirty` accumulated to `session`.
    Fine-grained: note and point edits travel as operations (tens of bytes each); changed items travel
    whole; a subsystem travels whole only on a structural change or when more than half of its items
    changed. `ownership` is included when non-null. Server main loop (the thread that owns the session).
*/
StatePatch makePatch (const model::Session& session, const model::NetDirty& dirty, Seq seq, const Ownership* ownership = nullptr);

/** Encodes a patch straight from the session and dirty set, without building the StatePatch value
    first (the broadcast path: serialized once, shared by every client). Gives the same bytes as
    encodeFrame (makePatch (...)). Server main loop.
*/
Bytes encodePatchFrame (const model::Session& session, const model::NetDirty& dirty, Seq seq, const Ownership* ownership = nullptr);

/** Applies a patch to a mirrored session, all or nothing: every part is decoded and checked (ids that
    must exist, ids that must not, values in range, sorted and unique notes and points, references
    that resolve) before the session changes. Returns an empty string on success, otherwise one
    sentence, and the session is exactly as it was. The patch's seq is not checked here (see
    SessionMirror), nor its ownership, which is not part of the session: the caller takes it.
    Cost: only what the patch touches is copied. A patch with a whole subsystem (instruments, piano
    roll, automation, arrangement, mixer) is checked with model::validate on the resulting session
    (about 3 ms for the large reference session); item edits and operations are checked on their own
    (a note operation well under a microsecond), note ids within their track. Client thread that owns
    the mirror.
*/
std::string applyPatch (model::Session& mirror, const StatePatch& patch);

/** A 64-bit hash of the session's canonical encoding (its project bytes): equal sessions hash equal,
    on every machine. For convergence checks. Any thread.
*/
std::uint64_t sessionHash (const model::Session&);

} // namespace imbolc::protocol
