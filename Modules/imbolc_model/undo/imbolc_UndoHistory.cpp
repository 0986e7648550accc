namespace imbolc::model
{

namespace
{
    std::int64_t steadyMilliseconds()
    {
        using namespace std::chrono;
        return duration_cast<milliseconds> (steady_clock::now().time_since_epoch()).count();
    }
} // namespace

UndoHistory::UndoHistory (Clock c, std::size_t maxDepth)
    : clock (c ? std::move (c) : Clock (steadyMilliseconds))
    , depthLimit (std::max<std::size_t> (1, maxDepth))
{
}

bool UndoHistory::record (const Session& session, UndoScope scope, CoalesceKey key)
{
    if (scope.kind == UndoScopeKind::none)
        return false;

    redoStack.clear();
    const auto now = clock();

    const bool sameScope = ! undoStack.empty() && undoStack.back().scope == scope;
    const bool inGesture = currentGesture != 0 && currentGesture == lastGesture && sameScope;
    const bool coalesces = inGesture
                           || (key.kind != CoalesceKey::Kind::none && key == lastKey && sameScope
                               && now - lastTime <= coalesceWindowMs);
    lastKey = key;
    lastTime = now;
    lastGesture = currentGesture;

    if (coalesces)
        return false;

    undoStack.push_back (snapshot (session, scope));
    if (undoStack.size() > depthLimit)
        undoStack.pop_front();
    return true;
}

void UndoHistory::setGesture (std::uint32_t gesture) noexcept
{
    if (gesture != currentGesture)
        breakCoalescing();
    currentGesture = gesture;
}

void UndoHistory::nameNewest (std::string name)
{
    if (! undoStack.empty())
        undoStack.back().name = std::move (name);
}

std::optional<UndoScope> UndoHistory::undo (Session& session)
{
    if (undoStack.empty())
        return std::nullopt;
    auto entry = std::move (undoStack.back());
    undoStack.pop_back();
    const auto scope = entry.scope;
    redoStack.push_back (swapInto (session, std::move (entry)));
    breakCoalescing();
    return scope;
}

std::optional<UndoScope> UndoHistory::redo (Session& session)
{
    if (redoStack.empty())
        return std::nullopt;
    auto entry = std::move (redoStack.back());
    redoStack.pop_back();
    const auto scope = entry.scope;
    undoStack.push_back (swapInto (session, std::move (entry)));
    if (undoStack.size() > depthLimit)
        undoStack.pop_front();
    breakCoalescing();
    return scope;
}

void UndoHistory::clear()
{
    undoStack.clear();
    redoStack.clear();
    breakCoalescing();
}

bool UndoHistory::restoreOverwrites (UndoScope entry, UndoScope other) noexcept
{
    if (other.kind == UndoScopeKind::none)
        return false;

    // A full change may have touched anything (and removed ids), so every scope overlaps it.
    if (entry.kind == UndoScopeKind::full || other.kind == UndoScopeKind::full)
        return entry.kind != UndoScopeKind::none;

    switch (entry.kind)
    {
        case UndoScopeKind::none:
        case UndoScopeKind::full:
            break;
        case UndoScopeKind::session:
            // The session part holds every automation lane, so it overlaps any lane edit.
            return other.kind == UndoScopeKind::session || other.kind == UndoScopeKind::lane;
        case UndoScopeKind::instrument:
        case UndoScopeKind::track:
            return other == entry;
        case UndoScopeKind::lane:
            return other == entry || other.kind == UndoScopeKind::session;
    }
    return false;
}

void UndoHistory::forgetConflicting (UndoScope changedByOther)
{
    const auto conflicts = [changedByOther] (const Entry& e)
    { return restoreOverwrites (e.scope, changedByOther); };

    const auto forgotten = std::erase_if (undoStack, conflicts) + std::erase_if (redoStack, conflicts);

    // The next edit must not merge into an entry that is gone (or into one older than the other
    // seat's change): start a new run.
    if (forgotten > 0)
        breakCoalescing();
}

std::optional<UndoScope> UndoHistory::peekScope() const
{
    if (undoStack.empty())
        return std::nullopt;
    return undoStack.back().scope;
}

std::optional<UndoScope> UndoHistory::peekRedoScope() const
{
    if (redoStack.empty())
        return std::nullopt;
    return redoStack.back().scope;
}

bool UndoHistory::hasSameEntries (const UndoHistory& other) const
{
    return undoStack == other.undoStack && redoStack == other.redoStack;
}

UndoHistory::Entry UndoHistory::snapshot (const Session& s, UndoScope scope)
{
    Entry e { scope, {}, {} };
    switch (scope.kind)
    {
        case UndoScopeKind::none:
            break;
        case UndoScopeKind::instrument:
            if (auto* inst = s.instruments.find (InstrumentId { scope.id }))
                e.data = *inst;
            break;
        case UndoScopeKind::track:
            if (auto* track = s.pianoRoll.find (InstrumentId { scope.id }))
                e.data = *track;
            break;
        case UndoScopeKind::lane:
            if (auto* lane = s.automation.find (LaneId { scope.id }))
                e.data = *lane;
            break;
        case UndoScopeKind::session:
            e.data = SessionPart { s.settings, s.arrangement, s.automation, s.mixer, s.macros };
            break;
        case UndoScopeKind::full:
            e.data = s;
            break;
    }
    return e;
}

UndoHistory::Entry UndoHistory::swapInto (Session& s, Entry&& entry)
{
    auto previous = snapshot (s, entry.scope);
    previous.name = std::move (entry.name);

    if (auto* inst = std::get_if<Instrument> (&entry.data))
        s.instruments.replace (std::move (*inst));
    else if (auto* track = std::get_if<Track> (&entry.data))
        s.pianoRoll.replace (std::move (*track));
    else if (auto* lane = std::get_if<Lane> (&entry.data))
        s.automation.replace (std::move (*lane));
    else if (auto* part = std::get_if<SessionPart> (&entry.data))
    {
        s.settings = std::move (part->settings);
        s.arrangement = std::move (part->arrangement);
        s.automation = std::move (part->automation);
        s.mixer = std::move (part->mixer);
        s.macros = part->macros;
    }
    else if (auto* whole = std::get_if<Session> (&entry.data))
    {
        // Transport is live state and ids only grow: neither goes back in time.
        const auto transport = s.transport;
        const auto nextId = std::max (s.nextId, whole->nextId);
        s = std::move (*whole);
        s.transport = transport;
        s.nextId = nextId;
    }
    return previous;
}

} // namespace imbolc::model
