namespace imbolc::net
{

namespace
{
    juce::Result failWith (const std::string& sentence) { return juce::Result::fail (sentence); }

    /** The marker of a refusal that reconnecting cannot fix (wrong passphrase, seat gone). */
    constexpr const char* refusedPrefix = "refused: ";
} // namespace

SessionClient::SessionClient (ClientOptions o)
    : options (std::move (o))
    , frames (options.maxFrameBytes)
{
}

SessionClient::~SessionClient()
{
    disconnect();
}

void SessionClient::log (const juce::String& line)
{
    if (onLog)
        onLog (line);
}

void SessionClient::setError (const std::string& sentence)
{
    const std::lock_guard lock (stateMutex);
    error = sentence;
}

std::string SessionClient::getError() const
{
    const std::lock_guard lock (stateMutex);
    return error;
}

bool SessionClient::writeMessage (const protocol::Message& message)
{
    ConnectionPtr c;
    {
        const std::lock_guard lock (connectionMutex);
        c = connection;
    }
    if (c == nullptr)
        return false;
    const auto frame = protocol::encodeFrame (message);
    const std::lock_guard lock (writeMutex);
    return writeAll (*c, frame, 2000);
}

//==============================================================================
juce::Result SessionClient::connect (int timeoutMs)
{
    if (state.load() != State::idle)
        return failWith ("This client is already connected or has been used; make a new one.");

    state = State::connecting;
    auto result = openAndHandshake (false, timeoutMs);
    if (result.failed())
    {
        auto message = result.getErrorMessage().toStdString();
        if (message.rfind (refusedPrefix, 0) == 0)
            message = message.substr (std::strlen (refusedPrefix));
        setError (message);
        state = State::failed;
        const std::lock_guard lock (connectionMutex);
        if (connection != nullptr)
            connection->shutdown();
        return failWith (message);
    }

    state = State::connected;
    thread = std::thread ([this]
                          { run(); });
    return juce::Result::ok();
}

juce::Result SessionClient::openAndHandshake (bool reconnecting, int timeoutMs)
{
    namespace msg = protocol::msg;
    const auto where = options.host + ":" + juce::String (options.port);
    const auto deadline = juce::Time::getMillisecondCounter() + (juce::uint32) timeoutMs;

    auto socket = std::make_unique<juce::StreamingSocket>();
    if (! socket->connect (options.host, options.port, std::max (100, std::min (timeoutMs, options.connectTimeoutMs))))
        return failWith ("Could not reach a session at " + where.toStdString() + ": is `imbolc serve` running there?");

    auto c = std::make_shared<Connection> (0, std::move (socket));
    {
        const std::lock_guard lock (connectionMutex);
        connection = c;
    }
    frames = protocol::FrameReader (options.maxFrameBytes);
    protocol::DecodeLimits limits;
    limits.maxFrameBytes = options.maxFrameBytes;

    // Reads the next message, waiting until the deadline.
    std::vector<std::uint8_t> buffer (64 * 1024);
    protocol::Bytes payload;
    auto next = [&] (protocol::Message& out, std::string& why) -> bool
    {
        while (true)
        {
            if (frames.next (payload))
            {
                if (onRawFrame)
                    onRawFrame (payload.data(), payload.size());
                auto decoded = protocol::decodeMessage (payload.data(), payload.size(), limits);
                if (! decoded.ok())
                {
                    why = "The server sent a frame this seat cannot read: " + decoded.error;
                    return false;
                }
                out = std::move (*decoded.message);
                return true;
            }
            if (! frames.error().empty())
            {
                why = "The server sent a broken stream: " + frames.error();
                return false;
            }
            const auto now = juce::Time::getMillisecondCounter();
            if (now >= deadline || stopping.load())
            {
                why = "The session at " + where.toStdString() + " did not complete the handshake in time.";
                return false;
            }
            const auto n = c->read (buffer.data(), buffer.size(), (int) std::min<juce::uint32> (deadline - now, 250));
            if (n < 0)
            {
                why = "The session at " + where.toStdString() + " closed the connection during the handshake.";
                return false;
            }
            if (n > 0)
            {
                frames.feed (buffer.data(), (std::size_t) n);
                const std::lock_guard lock (stateMutex);
                stats.bytesReceived += (std::uint64_t) n;
            }
        }
    };

    protocol::Message message;
    std::string why;
    if (! next (message, why))
        return failWith (why);

    const auto* challenge = std::get_if<msg::Challenge> (&message);
    if (challenge == nullptr)
    {
        if (auto* e = std::get_if<msg::Error> (&message))
            return failWith (std::string (refusedPrefix) + e->message);
        return failWith ("The server at " + where.toStdString() + " did not start with a Challenge: is it an Imbolc session?");
    }
    if (challenge->protocolVersion != protocol::protocolVersion)
        return failWith (std::string (refusedPrefix) + "The session speaks protocol version " + std::to_string (challenge->protocolVersion)
                         + ", this seat " + std::to_string (protocol::protocolVersion) + ": use the same Imbolc version on both.");
    if (challenge->passphraseRequired && options.passphrase.empty())
        return failWith (std::string (refusedPrefix) + "The session needs a passphrase, and this seat gave none.");

    const auto serverNonce = challenge->serverNonce;
    msg::Hello hello;
    hello.name = options.name;
    hello.requestedInstruments = options.requestedInstruments;
    hello.requestPrivilege = options.requestPrivilege;
    hello.clientNonce = security::randomBytes (protocol::nonceBytes);
    if (challenge->passphraseRequired)
        hello.passphraseProof = security::passphraseProof (options.passphrase, serverNonce, hello.clientNonce);
    if (reconnecting)
    {
        const std::lock_guard lock (stateMutex);
        hello.reconnectClientId = clientId.load();
        hello.reconnectProof = security::tokenProof (token, serverNonce, hello.clientNonce);
    }
    if (! writeMessage (hello))
        return failWith ("The session at " + where.toStdString() + " closed the connection during the handshake.");

    if (! next (message, why))
        return failWith (why);

    auto adoptToken = [&] (const protocol::Bytes& masked)
    {
        const std::lock_guard lock (stateMutex);
        token = security::maskToken (masked, challenge->passphraseRequired ? options.passphrase : std::string(), serverNonce, hello.clientNonce);
    };

    if (auto* welcome = std::get_if<msg::Welcome> (&message))
    {
        clientId = welcome->clientId;
        privilege = welcome->privilege;
        adoptToken (welcome->token);
    }
    else if (auto* back = std::get_if<msg::ReconnectSuccessful> (&message))
    {
        clientId = back->clientId;
        privilege = back->privilege;
        adoptToken (back->token);
    }
    else if (auto* failed = std::get_if<msg::ReconnectFailed> (&message))
        return failWith (std::string (refusedPrefix) + failed->reason);
    else if (auto* e = std::get_if<msg::Error> (&message))
        return failWith (std::string (refusedPrefix) + e->message);
    else
        return failWith (std::string ("The server answered the Hello with ") + protocol::messageName (message) + ".");

    if (onMessage)
        onMessage (message);

    {
        const std::lock_guard lock (stateMutex);
        awaitingFullSync = true;
    }

    // The full sync follows at once; anything before it is handled as usual.
    while (true)
    {
        if (! next (message, why))
            return failWith (why);
        Outcome outcome = Outcome::lost;
        if (! handle (message, outcome))
            return failWith (outcome == Outcome::finished ? std::string (refusedPrefix) + getError() : getError());
        if (std::holds_alternative<msg::FullStateSync> (message))
            return juce::Result::ok();
    }
}

//==============================================================================
void SessionClient::run()
{
    while (! stopping.load())
    {
        const auto outcome = serve();
        if (stopping.load() || outcome == Outcome::finished)
        {
            state = State::closed;
            return;
        }
        if (outcome == Outcome::refused)
        {
            state = State::failed;
            return;
        }

        state = State::reconnecting;
        const auto started = juce::Time::getMillisecondCounter();
        auto delay = options.backoffInitialMs;
        while (true)
        {
            const auto elapsed = (int) (juce::Time::getMillisecondCounter() - started);
            if (elapsed + delay > options.reconnectForMs)
            {
                setError ("Lost the connection to " + (options.host + ":" + juce::String (options.port)).toStdString() + " and could not reconnect within "
                          + std::to_string (options.reconnectForMs / 1000) + " s.");
                log (getError());
                state = State::failed;
                return;
            }

            log ("Connection lost; reconnecting in " + juce::String (delay / 1000.0, 1) + " s.");
            {
                std::unique_lock lock (stopMutex);
                if (stopSignal.wait_for (lock, std::chrono::milliseconds (delay), [this]
                                         { return stopping.load(); }))
                {
                    state = State::closed;
                    return;
                }
            }

            const auto result = openAndHandshake (true, options.connectTimeoutMs);
            if (result.wasOk())
            {
                {
                    const std::lock_guard lock (stateMutex);
                    ++stats.reconnects;
                }
                state = State::connected;
                log ("Reconnected as seat " + juce::String (clientId.load()) + ".");
                break;
            }

            auto message = result.getErrorMessage().toStdString();
            if (message.rfind (refusedPrefix, 0) == 0)
            {
                setError (message.substr (std::strlen (refusedPrefix)));
                log ("Could not reconnect: " + juce::String (getError()));
                state = State::failed;
                return;
            }
            delay = std::min (delay * 2, options.backoffMaxMs);
        }
    }
    state = State::closed;
}

SessionClient::Outcome SessionClient::serve()
{
    ConnectionPtr c;
    {
        const std::lock_guard lock (connectionMutex);
        c = connection;
    }
    if (c == nullptr)
        return Outcome::lost;

    protocol::DecodeLimits limits;
    limits.maxFrameBytes = options.maxFrameBytes;
    std::vector<std::uint8_t> buffer (64 * 1024);
    protocol::Bytes payload;
    auto lastHeard = juce::Time::getMillisecondCounter();

    while (! stopping.load())
    {
        while (frames.next (payload))
        {
            lastHeard = juce::Time::getMillisecondCounter();
            if (onRawFrame)
                onRawFrame (payload.data(), payload.size());
            auto decoded = protocol::decodeMessage (payload.data(), payload.size(), limits);
            if (! decoded.ok())
            {
                log ("The server sent a frame this seat cannot read (" + juce::String (decoded.error) + "); reconnecting.");
                c->shutdown();
                return Outcome::lost;
            }
            Outcome outcome = Outcome::lost;
            if (! handle (*decoded.message, outcome))
            {
                c->shutdown();
                return outcome;
            }
        }
        if (! frames.error().empty())
        {
            log ("The server sent a broken stream (" + juce::String (frames.error()) + "); reconnecting.");
            c->shutdown();
            return Outcome::lost;
        }

        const auto n = c->read (buffer.data(), buffer.size(), 250);
        if (n < 0)
            return stopping.load() ? Outcome::finished : Outcome::lost;
        if (n > 0)
        {
            frames.feed (buffer.data(), (std::size_t) n);
            const std::lock_guard lock (stateMutex);
            stats.bytesReceived += (std::uint64_t) n;
        }
        else if (juce::Time::getMillisecondCounter() - lastHeard > (juce::uint32) options.silenceTimeoutMs)
        {
            log ("Nothing heard from the server for " + juce::String (options.silenceTimeoutMs / 1000) + " s.");
            c->shutdown();
            return Outcome::lost;
        }
    }
    return Outcome::finished;
}

bool SessionClient::handle (const protocol::Message& message, Outcome& outcome)
{
    namespace msg = protocol::msg;
    bool keepGoing = true;
    bool stateChanged = false;
    bool askForFullSync = false;
    protocol::Seq newSeq = 0;

    if (const auto* patch = std::get_if<protocol::StatePatch> (&message))
    {
        const std::lock_guard lock (stateMutex);
        const auto last = lastSeq.load();
        if (awaitingFullSync || patch->seq <= last)
            ++stats.patchesIgnored;
        else if (patch->seq != last + 1)
        {
            ++stats.gaps;
            awaitingFullSync = askForFullSync = true;
        }
        else if (auto problem = protocol::applyPatch (mirror, *patch); ! problem.empty())
        {
            ++stats.patchFailures;
            awaitingFullSync = askForFullSync = true;
            error = "A state patch did not apply (" + problem + "); asked for a full sync.";
        }
        else
        {
            ++stats.patchesApplied;
            lastSeq = newSeq = patch->seq;
            if (patch->ownership.has_value())
            {
                ownership = *patch->ownership;
                privilege = ownership.privilegedClient != 0 && ownership.privilegedClient == clientId.load();
            }
            stateChanged = true;
        }
    }
    else if (const auto* sync = std::get_if<msg::FullStateSync> (&message))
    {
        const std::lock_guard lock (stateMutex);
        mirror = sync->session;
        ownership = sync->ownership;
        privilege = ownership.privilegedClient != 0 && ownership.privilegedClient == clientId.load();
        lastSeq = newSeq = sync->seq;
        awaitingFullSync = false;
        ++stats.fullSyncs;
        stateChanged = true;
    }
    else if (const auto* meter = std::get_if<msg::Metering> (&message))
    {
        const std::lock_guard lock (stateMutex);
        metering = *meter;
    }
    else if (const auto* ping = std::get_if<msg::Ping> (&message))
        writeMessage (msg::Pong { ping->nonce });
    else if (std::holds_alternative<msg::ActionRejected> (message))
    {
        const std::lock_guard lock (stateMutex);
        ++stats.rejections;
    }
    else if (std::holds_alternative<msg::PrivilegeGranted> (message))
        privilege = true;
    else if (std::holds_alternative<msg::PrivilegeRevoked> (message))
        privilege = false;
    else if (const auto* shutdown = std::get_if<msg::Shutdown> (&message))
    {
        setError (shutdown->reason);
        log ("The session ended: " + juce::String (shutdown->reason));
        outcome = Outcome::finished;
        keepGoing = false;
    }
    else if (std::holds_alternative<msg::Goodbye> (message))
    {
        outcome = Outcome::finished;
        keepGoing = false;
    }
    else if (const auto* e = std::get_if<msg::Error> (&message))
    {
        setError (e->message);
        log ("The server says: " + juce::String (e->message));
    }
    else if (const auto* failed = std::get_if<msg::ReconnectFailed> (&message))
    {
        setError (failed->reason);
        outcome = Outcome::refused;
        keepGoing = false;
    }

    if (askForFullSync)
        writeMessage (msg::RequestFullSync { lastSeq.load() });
    if (stateChanged && onStateChanged)
        onStateChanged (newSeq);
    if (onMessage)
        onMessage (message);
    return keepGoing;
}

//==============================================================================
void SessionClient::disconnect()
{
    if (state.load() == State::connected)
        writeMessage (protocol::msg::Goodbye {});

    {
        const std::lock_guard lock (stopMutex);
        stopping = true;
    }
    stopSignal.notify_all();
    {
        const std::lock_guard lock (connectionMutex);
        if (connection != nullptr)
            connection->shutdown();
    }
    if (thread.joinable())
        thread.join();
    if (state.load() != State::failed)
        state = State::closed;
}

void SessionClient::dropConnection()
{
    const std::lock_guard lock (connectionMutex);
    if (connection != nullptr)
        connection->shutdown();
}

std::uint32_t SessionClient::send (const model::Action& action, std::uint32_t gesture)
{
    if (state.load() != State::connected)
        return 0;
    const auto id = nextRequestId++;
    return writeMessage (protocol::msg::Action { id, action, gesture }) ? id : 0;
}

void SessionClient::requestPrivilege()
{
    writeMessage (protocol::msg::RequestPrivilege {});
}

void SessionClient::requestFullSync()
{
    writeMessage (protocol::msg::RequestFullSync { lastSeq.load() });
}

//==============================================================================
model::Session SessionClient::getSession() const
{
    const std::lock_guard lock (stateMutex);
    return mirror;
}

std::uint64_t SessionClient::getSessionHash() const
{
    const std::lock_guard lock (stateMutex);
    return protocol::sessionHash (mirror);
}

protocol::Ownership SessionClient::getOwnership() const
{
    const std::lock_guard lock (stateMutex);
    return ownership;
}

std::optional<protocol::msg::Metering> SessionClient::getLatestMetering() const
{
    const std::lock_guard lock (stateMutex);
    return metering;
}

void SessionClient::withSession (const std::function<void (const model::Session&)>& fn) const
{
    const std::lock_guard lock (stateMutex);
    fn (mirror);
}

SessionClient::Stats SessionClient::getStats() const
{
    const std::lock_guard lock (stateMutex);
    return stats;
}

protocol::Bytes SessionClient::getToken() const
{
    const std::lock_guard lock (stateMutex);
    return token;
}

} // namespace imbolc::net
