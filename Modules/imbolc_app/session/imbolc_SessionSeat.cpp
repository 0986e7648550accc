namespace imbolc::app
{

SessionAccess& SessionSeat::shown() noexcept
{
    return remote != nullptr ? static_cast<SessionAccess&> (*remote) : host;
}

juce::Result SessionSeat::startHosting (net::ServerOptions options, juce::String& sentence)
{
    const auto address = options.address;
    auto started = host.startHosting (std::move (options));
    if (started.wasOk())
        sentence = "Hosting on " + address + ":" + juce::String (host.getServer()->getPort()) + ": other seats can join.";
    return started;
}

juce::Result SessionSeat::join (net::ClientOptions options, int timeoutMs)
{
    if (remote != nullptr)
        return juce::Result::fail ("This seat is in a network session already: leave it first.");
    auto seat = std::make_unique<RemoteSession> (std::move (options));
    if (auto joined = seat->connect (timeoutMs); joined.failed())
        return joined;
    remote = std::move (seat);
    return juce::Result::ok();
}

juce::String SessionSeat::leave()
{
    if (remote != nullptr)
    {
        remote->disconnect();
        remote.reset();
        return "Left the network session; this is your own session again.";
    }
    if (host.getServer() == nullptr)
        return "Not in a network session.";
    host.stopHosting();
    return "Stopped hosting: the seats were told the session is over.";
}

juce::String SessionSeat::connectionState() const
{
    if (remote == nullptr)
        return host.getServer() != nullptr ? "hosting, " + juce::String ((int) host.getServer()->getSeats().size()) + " seats" : "not in a network session";
    using State = net::SessionClient::State;
    switch (remote->getState())
    {
        case State::idle:
        case State::connecting:
            return "connecting";
        case State::connected:
            return "connected";
        case State::reconnecting:
            return "reconnecting...";
        case State::failed:
            return "lost: " + juce::String (remote->getClient().getError());
        case State::closed:
            return "the session is over";
    }
    return {};
}

juce::String SessionSeat::seatName (std::uint32_t seat) const
{
    if (remote == nullptr && host.getServer() != nullptr)
        for (const auto& s : host.getServer()->getSeats())
            if (s.id == seat)
                return juce::String (s.name);
    return seat == 0 ? "host" : "seat " + juce::String (seat);
}

} // namespace imbolc::app
