namespace imbolc::app
{

SessionChange changeOfPatch (const protocol::StatePatch& patch)
{
    SessionChange change;
    auto& d = change.items;
    d.settings = patch.settings.has_value();
    d.transport = patch.transport.has_value();
    d.instrumentsStructural = patch.instruments.has_value();
    for (const auto& i : patch.instrumentUpdates)
        d.instruments.insert (i.id);
    d.pianoRollStructural = patch.pianoRoll.has_value();
    for (const auto& t : patch.trackUpdates)
        d.tracks.insert (t.instrument);
    d.noteOps = patch.noteOps;
    d.automationStructural = patch.automation.has_value();
    for (const auto& l : patch.laneUpdates)
        d.lanes.insert (l.id);
    d.pointOps = patch.pointOps;
    d.arrangement = patch.arrangement.has_value();
    d.mixerStructural = patch.mixer.has_value();
    for (const auto& b : patch.busUpdates)
        d.buses.insert (b.id);
    d.master = patch.master.has_value();
    d.macros = patch.macros.has_value();
    change.ownership = patch.ownership.has_value();
    return change;
}

RemoteSession::RemoteSession (net::ClientOptions options)
    : client (std::move (options))
{
    client.onMessage = [this] (const protocol::Message& m)
    { received (m); };
}

RemoteSession::~RemoteSession()
{
    disconnect();
    client.onMessage = nullptr;
}

juce::Result RemoteSession::connect (int timeoutMs)
{
    auto result = client.connect (timeoutMs);
    if (result.wasOk())
        tick();
    return result;
}

void RemoteSession::disconnect()
{
    leaving = true;
    if (client.getState() != net::SessionClient::State::idle && client.getState() != net::SessionClient::State::closed)
        client.disconnect();
}

void RemoteSession::received (const protocol::Message& m)
{
    namespace msg = protocol::msg;
    const std::lock_guard lock (pendingMutex);
    if (const auto* patch = std::get_if<protocol::StatePatch> (&m))
    {
        const auto c = changeOfPatch (*patch);
        pending.items.merge (c.items);
        pending.ownership = pending.ownership || c.ownership;
        changed = true;
    }
    else if (std::holds_alternative<msg::FullStateSync> (m) || std::holds_alternative<msg::Welcome> (m) || std::holds_alternative<msg::ReconnectSuccessful> (m))
    {
        pending.everything = pending.ownership = changed = true;
    }
    else if (const auto* rejected = std::get_if<msg::ActionRejected> (&m))
        pendingWarnings.push_back ("The session refused an edit: " + juce::String (rejected->reason));
    else if (const auto* denied = std::get_if<msg::PrivilegeDenied> (&m))
        pendingWarnings.push_back ("The privilege was not granted: " + juce::String (denied->reason));
    else if (std::holds_alternative<msg::PrivilegeRevoked> (m) || std::holds_alternative<msg::PrivilegeGranted> (m))
        pending.ownership = changed = true;
    else if (const auto* shutdown = std::get_if<msg::Shutdown> (&m))
        pendingWarnings.push_back ("The session ended: " + juce::String (shutdown->reason));
    else if (const auto* error = std::get_if<msg::Error> (&m))
        pendingWarnings.push_back ("The session host reported an error: " + juce::String (error->message));
    else if (const auto* notice = std::get_if<msg::Notice> (&m))
        pendingWarnings.push_back ("On the host: " + juce::String (notice->text));
}

void RemoteSession::tick (int waitMs)
{
    if (waitMs > 0)
        juce::Thread::sleep (waitMs);

    SessionChange change;
    bool any = false;
    std::vector<juce::String> warnings;
    {
        const std::lock_guard lock (pendingMutex);
        std::swap (change, pending);
        std::swap (any, changed);
        warnings.swap (pendingWarnings);
    }
    if (any)
    {
        // One copy per tick, however many patches arrived since the last one.
        snapshot = client.getSession();
        ownership = client.getOwnership();
        notify (change);
    }
    for (const auto& w : warnings)
        warn (w);
    reportConnection();
}

void RemoteSession::reportConnection()
{
    // What a person must know about the link to the host, once per change.
    using State = net::SessionClient::State;
    const auto state = client.getState();
    if (state == lastState)
        return;
    const auto previous = std::exchange (lastState, state);
    if (state == State::reconnecting)
        warn ("The connection to the host was lost: reconnecting (edits are not sent until it is back).");
    else if (state == State::connected && previous == State::reconnecting)
        warn ("Reconnected to the host.");
    else if (state == State::failed && previous != State::idle)
        warn ("The connection to the host is lost: " + juce::String (client.getError()) + " Edits made before it was lost are on the host.");
    else if (state == State::closed && ! leaving)
        warn ("The host ended the session.");
}

model::ApplyResult RemoteSession::apply (const model::Action& action)
{
    model::ApplyResult result;
    if (client.getState() != net::SessionClient::State::connected || client.send (action, getGesture()) == 0)
        result.error = "Not connected to the session: the edit was not sent.";
    return result;
}

protocol::msg::Metering RemoteSession::getMetering() const
{
    return client.getLatestMetering().value_or (protocol::msg::Metering {});
}

} // namespace imbolc::app
