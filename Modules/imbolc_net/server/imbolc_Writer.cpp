namespace imbolc::net
{

Writer::Writer (Options o, std::function<void (Feedback)> fb)
    : options (o)
    , feedback (std::move (fb))
    , wakeHandle (::eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    thread = std::thread ([this]
                          { run(); });
}

Writer::~Writer()
{
    quit = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto ignored = ::write (wakeHandle, &one, sizeof (one));
    thread.join();
    ::close (wakeHandle);
}

void Writer::post (Command&& command)
{
    {
        const std::lock_guard lock (mutex);
        commands.push_back (std::move (command));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto ignored = ::write (wakeHandle, &one, sizeof (one));
}

void Writer::add (ConnectionPtr connection)
{
    Command c (Command::Kind::add);
    c.connection = connection->getId();
    c.added = std::move (connection);
    post (std::move (c));
}

void Writer::send (std::uint32_t connection, FrameKind kind, SharedFrame frame)
{
    Command c (Command::Kind::send);
    c.connection = connection;
    c.frameKind = kind;
    c.frame = std::move (frame);
    post (std::move (c));
}

void Writer::broadcast (const std::vector<std::uint32_t>& connections, FrameKind kind, SharedFrame frame)
{
    if (connections.empty())
        return;
    {
        const std::lock_guard lock (mutex);
        for (auto id : connections)
        {
            Command c (Command::Kind::send);
            c.connection = id;
            c.frameKind = kind;
            c.frame = frame; // shared: the bytes exist once, whatever the number of clients
            commands.push_back (std::move (c));
        }
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto ignored = ::write (wakeHandle, &one, sizeof (one));
}

void Writer::closeAfterFlush (std::uint32_t connection, int timeoutMs)
{
    Command c (Command::Kind::close);
    c.connection = connection;
    c.timeoutMs = timeoutMs;
    post (std::move (c));
}

void Writer::remove (std::uint32_t connection)
{
    Command c (Command::Kind::remove);
    c.connection = connection;
    post (std::move (c));
}

void Writer::drop (std::map<std::uint32_t, Client>& clients, std::uint32_t id, Feedback::Kind why)
{
    auto it = clients.find (id);
    if (it == clients.end())
        return;
    it->second.connection->shutdown();
    framesDropped += it->second.outbox.frameCount();
    clients.erase (it);
    feedback ({ why, id });
}

void Writer::drainCommands (std::map<std::uint32_t, Client>& clients)
{
    std::vector<Command> batch;
    {
        const std::lock_guard lock (mutex);
        batch.swap (commands);
    }

    const auto now = juce::Time::getMillisecondCounter();
    for (auto& c : batch)
    {
        auto it = clients.find (c.connection);
        switch (c.kind)
        {
            case Command::Kind::add:
                clients.insert_or_assign (c.connection, Client { std::move (c.added), Outbox (options.limits), now, std::nullopt });
                break;

            case Command::Kind::send:
                if (it == clients.end() || it->second.closeDeadlineMs.has_value())
                    break;
                ++framesQueued;
                if (! it->second.outbox.hasData())
                    it->second.lastProgressMs = now;
                // The bound is checked after the socket has had its chance (flush): a burst handed over
                // in one go is not an overflow if the client takes it at once.
                it->second.outbox.push (c.frameKind, std::move (c.frame));
                if (it->second.outbox.needsFullSync())
                {
                    it->second.outbox.clearNeedsFullSync();
                    feedback ({ Feedback::Kind::needsFullSync, c.connection });
                }
                break;

            case Command::Kind::close:
                if (it != clients.end() && ! it->second.closeDeadlineMs.has_value())
                    it->second.closeDeadlineMs = now + (std::uint32_t) std::max (0, c.timeoutMs);
                break;

            case Command::Kind::remove:
                if (it != clients.end())
                {
                    it->second.connection->shutdown();
                    clients.erase (it);
                }
                break;
        }
    }
}

void Writer::flush (std::map<std::uint32_t, Client>& clients, std::uint32_t now)
{
    std::vector<std::pair<std::uint32_t, Feedback::Kind>> toDrop;

    for (auto& [id, client] : clients)
    {
        auto& outbox = client.outbox;
        while (outbox.hasData())
        {
            const auto pending = outbox.pending();
            const auto n = client.connection->writeSome (pending.data(), pending.size());
            if (n < 0)
            {
                toDrop.emplace_back (id, Feedback::Kind::failed);
                break;
            }
            if (n == 0)
                break;
            outbox.consumed ((std::size_t) n);
            bytesWritten += (std::uint64_t) n;
            client.lastProgressMs = now;
        }

        if (! toDrop.empty() && toDrop.back().first == id)
            continue;
        if (client.closeDeadlineMs.has_value() && (! outbox.hasData() || now >= *client.closeDeadlineMs))
            toDrop.emplace_back (id, Feedback::Kind::closed);
        else if (outbox.isOverBound() || (outbox.hasData() && now - client.lastProgressMs > (std::uint32_t) options.stallTimeoutMs))
            toDrop.emplace_back (id, Feedback::Kind::stalled);
    }

    for (auto [id, why] : toDrop)
        drop (clients, id, why);
}

void Writer::run()
{
    std::map<std::uint32_t, Client> clients;
    std::vector<pollfd> fds;

    while (true)
    {
        drainCommands (clients);
        flush (clients, juce::Time::getMillisecondCounter());

        if (quit.load())
        {
            // Give queued frames (a Shutdown message, say) a last short chance, then go.
            const auto deadline = juce::Time::getMillisecondCounter() + 100;
            while (juce::Time::getMillisecondCounter() < deadline
                   && std::any_of (clients.begin(), clients.end(), [] (auto& c)
                                   { return c.second.outbox.hasData(); }))
            {
                drainCommands (clients);
                flush (clients, juce::Time::getMillisecondCounter());
                ::poll (nullptr, 0, 1);
            }
            for (auto& [id, client] : clients)
                client.connection->shutdown();
            return;
        }

        // Wait for new work, or for any socket with unsent bytes to take more: at most the send timeout,
        // so stalls and close deadlines are noticed on time.
        fds.clear();
        fds.push_back ({ wakeHandle, POLLIN, 0 });
        for (auto& [id, client] : clients)
            if (client.outbox.hasData())
                fds.push_back ({ client.connection->getHandle(), POLLOUT, 0 });

        const bool anyClosing = std::any_of (clients.begin(), clients.end(), [] (auto& c)
                                             { return c.second.closeDeadlineMs.has_value(); });
        const int timeout = fds.size() > 1 || anyClosing ? options.sendTimeoutMs : 500;
        ::poll (fds.data(), (nfds_t) fds.size(), timeout);

        if ((fds[0].revents & POLLIN) != 0)
        {
            std::uint64_t count = 0;
            [[maybe_unused]] const auto ignored = ::read (wakeHandle, &count, sizeof (count));
        }
    }
}

} // namespace imbolc::net
