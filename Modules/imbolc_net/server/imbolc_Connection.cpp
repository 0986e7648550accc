namespace imbolc::net
{

Connection::Connection (std::uint32_t connectionId, std::unique_ptr<juce::StreamingSocket> s)
    : id (connectionId)
    , socket (std::move (s))
    , handle (socket->getRawSocketHandle())
{
}

Connection::~Connection()
{
    shutdown();
    socket->close();
}

juce::String Connection::describe() const
{
    // The peer's own address and port (an accepted juce::StreamingSocket knows only the host name).
    sockaddr_storage address {};
    socklen_t length = sizeof (address);
    char host[INET6_ADDRSTRLEN] = {};
    if (::getpeername (handle, reinterpret_cast<sockaddr*> (&address), &length) == 0)
    {
        if (address.ss_family == AF_INET)
        {
            const auto& in = reinterpret_cast<const sockaddr_in&> (address);
            ::inet_ntop (AF_INET, &in.sin_addr, host, sizeof (host));
            return juce::String (host) + ":" + juce::String (ntohs (in.sin_port));
        }
        if (address.ss_family == AF_INET6)
        {
            const auto& in6 = reinterpret_cast<const sockaddr_in6&> (address);
            ::inet_ntop (AF_INET6, &in6.sin6_addr, host, sizeof (host));
            return "[" + juce::String (host) + "]:" + juce::String (ntohs (in6.sin6_port));
        }
    }
    return socket->getHostName();
}

void Connection::shutdown() noexcept
{
    if (! closed.exchange (true) && handle >= 0)
        ::shutdown (handle, SHUT_RDWR);
}

int Connection::read (std::uint8_t* buffer, std::size_t size, int timeoutMs)
{
    if (closed.load() || handle < 0)
        return -1;

    pollfd fd { handle, POLLIN, 0 };
    const auto ready = ::poll (&fd, 1, timeoutMs);
    if (ready == 0)
        return 0;
    if (ready < 0)
        return errno == EINTR ? 0 : -1;

    const auto n = ::recv (handle, buffer, size, 0);
    if (n > 0)
        return (int) n;
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    return -1;
}

long Connection::writeSome (const std::uint8_t* data, std::size_t size) noexcept
{
    if (closed.load() || handle < 0)
        return -1;

    // MSG_DONTWAIT: the writer thread never waits on one client; MSG_NOSIGNAL: a vanished peer is an
    // error code, not a SIGPIPE that kills the server.
    const auto n = ::send (handle, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0)
        return (long) n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return -1;
}

bool writeAll (Connection& connection, const protocol::Bytes& frame, int timeoutMs)
{
    const auto deadline = juce::Time::getMillisecondCounter() + (juce::uint32) timeoutMs;
    std::size_t written = 0;

    while (written < frame.size())
    {
        const auto n = connection.writeSome (frame.data() + written, frame.size() - written);
        if (n < 0)
            return false;
        written += (std::size_t) n;
        if (written == frame.size())
            break;

        const auto now = juce::Time::getMillisecondCounter();
        if (now >= deadline)
            return false;
        pollfd fd { connection.getHandle(), POLLOUT, 0 };
        ::poll (&fd, 1, (int) (deadline - now));
    }
    return true;
}

} // namespace imbolc::net
