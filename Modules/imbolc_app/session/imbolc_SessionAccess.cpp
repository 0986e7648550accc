namespace imbolc::app
{

bool SessionChange::touchesTrack (model::InstrumentId id) const
{
    if (everything || items.pianoRollStructural || items.tracks.count (id) != 0)
        return true;
    return std::any_of (items.noteOps.begin(), items.noteOps.end(), [id] (const model::NoteOp& op)
                        { return op.instrument == id; });
}

void SessionAccess::beginGesture() noexcept
{
    // A new id per outermost gesture: the history starts a new entry when the id changes.
    if (gestureDepth++ == 0)
        gesture = gesture == std::numeric_limits<std::uint32_t>::max() ? 1 : gesture + 1;
}

void SessionAccess::endGesture() noexcept
{
    if (gestureDepth > 0)
        --gestureDepth;
}

bool SessionAccess::canEditInstrument (model::InstrumentId id) const
{
    if (! getSession().instruments.contains (id))
        return false;
    const auto ownership = getOwnership();
    const auto seat = getSeatId();
    for (const auto& owner : ownership.owners)
        if (owner.instrument == id)
            return owner.client == seat;
    // Nobody owns it: the host edits it directly; a joined seat needs the privilege (the server decides).
    return seat == 0 || ownership.privilegedClient == seat;
}

void SessionAccess::addListener (Listener* l)
{
    if (l != nullptr && std::find (listeners.begin(), listeners.end(), l) == listeners.end())
        listeners.push_back (l);
}

void SessionAccess::removeListener (Listener* l)
{
    listeners.erase (std::remove (listeners.begin(), listeners.end(), l), listeners.end());
}

void SessionAccess::notify (const SessionChange& change)
{
    // A listener may add or remove listeners (a view closing itself): call those registered when the
    // change happened and still registered when their turn comes.
    const auto registered = listeners;
    for (auto* l : registered)
        if (std::find (listeners.begin(), listeners.end(), l) != listeners.end())
            l->sessionChanged (change);
}

void SessionAccess::warn (const juce::String& sentence)
{
    if (onWarning)
        onWarning (sentence);
}

} // namespace imbolc::app
