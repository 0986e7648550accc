namespace imbolc::net
{

namespace
{
    bool isLoopbackAddress (const juce::String& address)
    {
        return address == "127.0.0.1" || address == "localhost" || address == "::1" || address.startsWith ("127.");
    }

    /** A connection that has not said Hello within this time is closed (it holds a thread). */
    constexpr std::uint32_t helloTimeoutMs = 10000;
    /** How long an Error or refusal may take to reach a peer before the connection goes anyway. */
    constexpr int closeFlushMs = 200;
} // namespace

//==============================================================================
struct SessionServer::Event
{
    enum class Kind : std::uint8_t
    {
        accepted,
        message,
        badFrame,
        readerDone,
        writer
    };

    Event (Kind k, std::uint32_t c)
        : kind (k)
        , connection (c)
    {
    }

    Kind kind;
    std::uint32_t connection = 0;
    ConnectionPtr accepted;
    std::optional<protocol::Message> message;
    std::string error;
    Writer::Feedback::Kind feedback = Writer::Feedback::Kind::closed;
};

struct SessionServer::Seat
{
    std::uint32_t id = 0;
    std::string name;
    protocol::Bytes token;
    model::UndoHistory history;
    std::uint32_t connection = 0; ///< 0 while suspended
    std::uint32_t suspendedAtMs = 0;
    std::uint32_t lastPrivilegeUseMs = 0;
    bool needsFullSync = false;
};

struct SessionServer::Link
{
    ConnectionPtr connection;
    std::thread reader;
    protocol::Bytes serverNonce;
    std::uint32_t seat = 0; ///< 0 until the Hello is accepted
    std::uint32_t openedMs = 0, lastHeardMs = 0;
    bool closing = false, readerDone = false, writerDone = false;
};

//==============================================================================
SessionServer::SessionServer (model::Session& s, ServerOptions o, Applier a, model::UndoHistory& h)
    : session (s)
    , options (std::move (o))
    , hostHistory (h)
    , applier (std::move (a))
{
    jassert (applier != nullptr);
}

SessionServer::SessionServer (model::Session& s, ServerOptions o)
    : session (s)
    , options (std::move (o))
    , ownHostHistory (std::make_unique<model::UndoHistory>())
    , hostHistory (*ownHostHistory)
    , applier ([&s] (const model::Action& action, model::UndoHistory& history)
               { return model::Dispatcher (s, history).apply (action); })
{
}

SessionServer::~SessionServer()
{
    stopping = true;

    if (writer != nullptr)
        for (auto& [id, link] : links)
            if (link->seat != 0 && ! link->closing)
                sendControl (id, protocol::msg::Shutdown { "The session host has stopped the session." });

    if (listener != nullptr)
        listener->close();
    if (listenerThread.joinable())
        listenerThread.join();

    writer.reset(); // sends what it can of the Shutdown frames (100 ms at most), then shuts sockets

    for (auto& [id, link] : links)
    {
        link->connection->shutdown();
        if (link->reader.joinable())
            link->reader.join();
    }
}

juce::Result SessionServer::start()
{
    if (! isLoopbackAddress (options.address) && options.passphrase.empty())
        return juce::Result::fail ("Listening on " + options.address
                                   + " lets other machines in: set a passphrase of at least 8 characters, or listen on 127.0.0.1.");
    if (options.port < 0 || options.port > 65535)
        return juce::Result::fail ("The port must be between 0 and 65535, not " + juce::String (options.port) + ".");

    listener = std::make_unique<juce::StreamingSocket>();
    if (! listener->createListener (options.port, options.address == "localhost" ? juce::String ("127.0.0.1") : options.address))
        return juce::Result::fail ("Could not listen on " + options.address + ":" + juce::String (options.port)
                                   + ": the port is in use or the address is not one of this machine's.");
    boundPort = listener->getBoundPort();

    writer = std::make_unique<Writer> (options.writer, [this] (Writer::Feedback f)
                                       {
        Event e { Event::Kind::writer, f.connection };
        e.feedback = f.kind;
        pushEvent (std::move (e)); });

    const auto now = nowMs();
    lastPatchMs = lastMeteringMs = lastPingMs = now;
    listenerThread = std::thread ([this]
                                  { listen(); });
    log ("Serving \"" + juce::String (session.settings.name) + "\" on " + options.address + ":" + juce::String (boundPort)
         + (options.passphrase.empty() ? "" : " (passphrase required)"));
    return juce::Result::ok();
}

std::uint32_t SessionServer::nowMs() const
{
    return juce::Time::getMillisecondCounter();
}

void SessionServer::log (const juce::String& line)
{
    if (onLog)
        onLog (line);
}

std::string SessionServer::seatName (std::uint32_t id) const
{
    auto it = seats_.find (id);
    return it == seats_.end() ? std::string ("gone") : it->second->name;
}

//==============================================================================
void SessionServer::listen()
{
    while (! stopping.load())
    {
        std::unique_ptr<juce::StreamingSocket> socket (listener->waitForNextConnection());
        if (socket == nullptr)
        {
            if (stopping.load() || ! listener->isConnected())
                return;
            continue;
        }
        if (stopping.load())
            return;

        Event e { Event::Kind::accepted, nextConnectionId++ };
        e.accepted = std::make_shared<Connection> (e.connection, std::move (socket));
        pushEvent (std::move (e));
    }
}

void SessionServer::readLoop (ConnectionPtr connection)
{
    protocol::FrameReader frames (options.maxFrameBytes);
    // A seat sends small things (Hello, actions, pings): far fewer tables than a session has, so a
    // hostile frame cannot make the decoder build millions of objects before it is refused.
    protocol::DecodeLimits limits;
    limits.maxFrameBytes = options.maxFrameBytes;
    limits.maxTables = 100'000;
    std::vector<std::uint8_t> buffer (64 * 1024);
    protocol::Bytes payload;

    const auto id = connection->getId();
    while (! stopping.load())
    {
        const auto n = connection->read (buffer.data(), buffer.size(), 250);
        if (n < 0)
        {
            // The peer closed its sending side inside a frame: that frame can never complete, so it
            // is refused like any other bad frame, and the Error still reaches a peer that reads on.
            if (frames.buffered() > 0 && frames.error().empty() && ! connection->isShutdown())
            {
                Event e { Event::Kind::badFrame, id };
                e.error = "The peer closed the connection in the middle of a frame (" + std::to_string (frames.buffered()) + " bytes of it arrived).";
                pushEvent (std::move (e));
                return;
            }
            break;
        }
        if (n == 0)
            continue;

        frames.feed (buffer.data(), (std::size_t) n);
        while (frames.next (payload))
        {
            auto decoded = protocol::decodeMessage (payload.data(), payload.size(), limits);
            if (! decoded.ok())
            {
                Event e { Event::Kind::badFrame, id };
                e.error = decoded.error;
                pushEvent (std::move (e));
                return; // nothing more is read from a connection that sent garbage
            }
            Event e { Event::Kind::message, id };
            e.message = std::move (decoded.message);
            pushEvent (std::move (e));
        }
        if (! frames.error().empty())
        {
            Event e { Event::Kind::badFrame, id };
            e.error = frames.error();
            pushEvent (std::move (e));
            return;
        }
    }
    pushEvent ({ Event::Kind::readerDone, id });
}

void SessionServer::pushEvent (Event&& e)
{
    {
        const std::lock_guard lock (eventMutex);
        events.push_back (std::move (e));
    }
    eventReady.notify_one();
}

//==============================================================================
void SessionServer::poll (int waitMs)
{
    std::deque<Event> batch;
    {
        std::unique_lock lock (eventMutex);
        if (events.empty() && waitMs > 0)
        {
            // Wake in time for the next broadcast, whatever else happens.
            const auto untilPatch = (int) options.patchIntervalMs - (int) (nowMs() - lastPatchMs);
            const auto wait = std::clamp (std::min (waitMs, untilPatch), 0, waitMs);
            eventReady.wait_for (lock, std::chrono::milliseconds (wait), [this]
                                 { return ! events.empty(); });
        }
        batch.swap (events);
    }

    for (auto& e : batch)
        handle (e);

    heartbeat();
    broadcastDue (false);
}

void SessionServer::handle (Event& e)
{
    if (e.kind == Event::Kind::accepted)
    {
        if (stopping.load())
            return;
        auto link = std::make_unique<Link>();
        link->connection = e.accepted;
        link->serverNonce = security::randomBytes (protocol::nonceBytes);
        link->openedMs = link->lastHeardMs = nowMs();
        writer->add (e.accepted);
        link->reader = std::thread ([this, c = e.accepted]
                                    { readLoop (c); });
        links[e.connection] = std::move (link);

        protocol::msg::Challenge challenge;
        challenge.serverNonce = links[e.connection]->serverNonce;
        challenge.passphraseRequired = ! options.passphrase.empty();
        challenge.sessionName = session.settings.name;
        sendControl (e.connection, challenge);
        return;
    }

    auto it = links.find (e.connection);
    if (it == links.end())
        return;
    auto& link = *it->second;

    switch (e.kind)
    {
        case Event::Kind::message:
        {
            if (link.closing)
                break;
            link.lastHeardMs = nowMs();
            auto& message = *e.message;
            if (link.seat == 0)
            {
                if (auto* hello = std::get_if<protocol::msg::Hello> (&message))
                    handleHello (link, *hello);
                else
                    refuse (link, std::string ("The first message must be Hello, not ") + protocol::messageName (message) + ".");
                break;
            }
            if (auto seat = seats_.find (link.seat); seat != seats_.end())
                handleFromSeat (link, *seat->second, message);
            break;
        }

        case Event::Kind::badFrame:
            ++stats.framesRefused;
            link.readerDone = true;
            log ("Closed " + link.connection->describe() + ": " + e.error);
            refuse (link, "The connection was closed because it sent a frame the server cannot accept: " + e.error);
            break;

        case Event::Kind::readerDone:
            link.readerDone = true;
            if (! link.closing)
            {
                if (auto seat = seats_.find (link.seat); seat != seats_.end() && seat->second->connection == e.connection)
                    suspend (*seat->second, "its connection was lost");
                link.closing = true;
                writer->remove (e.connection);
                link.writerDone = true;
            }
            break;

        case Event::Kind::writer:
            switch (e.feedback)
            {
                case Writer::Feedback::Kind::needsFullSync:
                    if (auto seat = seats_.find (link.seat); seat != seats_.end())
                        seat->second->needsFullSync = true;
                    break;
                case Writer::Feedback::Kind::stalled:
                case Writer::Feedback::Kind::failed:
                    link.writerDone = true;
                    if (auto seat = seats_.find (link.seat); seat != seats_.end() && seat->second->connection == e.connection)
                        suspend (*seat->second, e.feedback == Writer::Feedback::Kind::stalled ? "it stopped reading (its outbox overflowed)" : "its socket failed");
                    link.closing = true;
                    break;
                case Writer::Feedback::Kind::closed:
                    link.writerDone = true;
                    break;
            }
            break;

        case Event::Kind::accepted:
            break;
    }

    if (link.readerDone && link.writerDone)
    {
        link.connection->shutdown();
        if (link.reader.joinable())
            link.reader.join();
        links.erase (it);
    }
}

//==============================================================================
void SessionServer::sendControl (std::uint32_t connection, const protocol::Message& message)
{
    writer->send (connection, FrameKind::control, std::make_shared<const protocol::Bytes> (protocol::encodeFrame (message)));
}

void SessionServer::refuse (Link& link, const std::string& sentence, const protocol::Message* reply)
{
    const auto id = link.connection->getId();
    if (link.closing)
        return;
    // A seat refused after joining is suspended, as if its connection were lost: it keeps its
    // reservation and may reconnect with its token. (The link is closing from here on, so losing the
    // connection later no longer suspends it.)
    if (auto seat = seats_.find (link.seat); seat != seats_.end() && seat->second->connection == id)
        keepReserved (*seat->second, "it was refused: " + juce::String (sentence));
    sendControl (id, reply != nullptr ? *reply : protocol::Message (protocol::msg::Error { sentence }));
    link.closing = true;
    writer->closeAfterFlush (id, closeFlushMs);
}

void SessionServer::tellSeats (const std::string& sentence)
{
    for (const auto id : activeConnections (true))
        sendControl (id, protocol::Message (protocol::msg::Error { sentence }));
}

void SessionServer::closeLink (std::uint32_t connection)
{
    auto it = links.find (connection);
    if (it == links.end() || it->second->closing)
        return;
    it->second->closing = true;
    writer->closeAfterFlush (connection, closeFlushMs);
}

void SessionServer::keepReserved (Seat& seat, const juce::String& why)
{
    seat.connection = 0;
    seat.suspendedAtMs = nowMs();
    ++stats.suspensions;
    log ("Seat " + juce::String (seat.id) + " (" + juce::String (seat.name) + ") suspended: " + why + "; its instruments are kept for "
         + juce::String (options.reservationMs / 1000) + " s.");
}

void SessionServer::suspend (Seat& seat, const juce::String& why)
{
    if (seat.connection == 0)
        return;
    const auto connection = seat.connection;
    keepReserved (seat, why);

    if (auto it = links.find (connection); it != links.end() && ! it->second->closing)
    {
        it->second->closing = true;
        it->second->writerDone = true;
        writer->remove (connection);
        it->second->connection->shutdown();
    }
}

void SessionServer::releaseSeat (Seat& seat)
{
    for (auto it = seats.owners.begin(); it != seats.owners.end();)
        it = it->second == seat.id ? seats.owners.erase (it) : std::next (it);
    if (seats.privileged == seat.id)
        seats.privileged = 0;
    ownershipDirty = true;
}

//==============================================================================
void SessionServer::handleHello (Link& link, protocol::msg::Hello& hello)
{
    namespace msg = protocol::msg;

    if (hello.protocolVersion != protocol::protocolVersion)
        return refuse (link, "This server speaks protocol version " + std::to_string (protocol::protocolVersion) + ", the seat " + std::to_string (hello.protocolVersion) + ": use the same Imbolc version on both.");
    if (hello.clientNonce.size() != protocol::nonceBytes)
        return refuse (link, "The Hello must carry a " + std::to_string (protocol::nonceBytes) + "-byte nonce.");

    if (! options.passphrase.empty())
    {
        const auto expected = security::passphraseProof (options.passphrase, link.serverNonce, hello.clientNonce);
        if (! security::constantTimeEqual (expected, hello.passphraseProof))
        {
            log ("Refused " + link.connection->describe() + ": wrong passphrase.");
            return refuse (link, "The passphrase is wrong.");
        }
    }

    const auto now = nowMs();

    if (hello.reconnectClientId != 0)
    {
        auto found = seats_.find (hello.reconnectClientId);
        const auto proofOk = found != seats_.end()
                             && security::constantTimeEqual (security::tokenProof (found->second->token, link.serverNonce, hello.clientNonce), hello.reconnectProof);
        if (! proofOk)
        {
            const msg::ReconnectFailed failed { found == seats_.end() ? "Seat " + std::to_string (hello.reconnectClientId)
                                                                            + " is not reserved any more (a seat is kept " + std::to_string (options.reservationMs / 1000)
                                                                            + " s); join again."
                                                                      : std::string ("The reconnect token is not valid.") };
            log ("Refused a reconnect to seat " + juce::String (hello.reconnectClientId) + " from " + link.connection->describe() + ": "
                 + juce::String (failed.reason));
            const protocol::Message reply (failed);
            return refuse (link, failed.reason, &reply);
        }

        auto& seat = *found->second;
        if (seat.connection != 0)
            suspend (seat, "it reconnected on a new connection");

        seat.token = security::randomBytes (protocol::tokenBytes); // rotated on every reconnect
        seat.connection = link.connection->getId();
        seat.needsFullSync = true;
        link.seat = seat.id;

        msg::ReconnectSuccessful ok;
        ok.clientId = seat.id;
        for (auto [instrument, owner] : seats.owners)
            if (owner == seat.id)
                ok.restoredInstruments.push_back (instrument);
        ok.privilege = seats.privileged == seat.id;
        ok.token = security::maskToken (seat.token, options.passphrase, link.serverNonce, hello.clientNonce);
        sendControl (seat.connection, ok);
        log ("Seat " + juce::String (seat.id) + " (" + juce::String (seat.name) + ") reconnected.");
        broadcastDue (true); // its full sync goes at once, not at the next tick
        return;
    }

    if (auto problem = model::checks::name ("The seat's name", hello.name); ! problem.empty())
        return refuse (link, problem);

    auto seat = std::make_unique<Seat>();
    seat->id = nextSeatId++;
    seat->name = hello.name;
    seat->token = security::randomBytes (protocol::tokenBytes);
    seat->connection = link.connection->getId();
    seat->needsFullSync = true;
    seat->lastPrivilegeUseMs = now - (std::uint32_t) options.privilegeHoldMs;
    link.seat = seat->id;

    msg::Welcome welcome;
    welcome.clientId = seat->id;
    for (auto instrument : hello.requestedInstruments)
    {
        if (session.instruments.contains (instrument) && seats.ownerOf (instrument) == 0)
        {
            seats.owners[instrument] = seat->id;
            welcome.grantedInstruments.push_back (instrument);
        }
    }
    if (hello.requestPrivilege && seats.privileged == 0)
        seats.privileged = seat->id;
    welcome.privilege = seats.privileged == seat->id;
    welcome.token = security::maskToken (seat->token, options.passphrase, link.serverNonce, hello.clientNonce);
    ownershipDirty = true;

    sendControl (seat->connection, welcome);
    log ("Seat " + juce::String (seat->id) + " (" + juce::String (seat->name) + ") joined from " + link.connection->describe() + " with "
         + juce::String ((int) welcome.grantedInstruments.size()) + " of " + juce::String ((int) hello.requestedInstruments.size())
         + " requested instruments" + (welcome.privilege ? " and the privilege." : "."));
    seats_[seat->id] = std::move (seat);
    broadcastDue (true);
}

void SessionServer::handleFromSeat (Link& link, Seat& seat, protocol::Message& message)
{
    namespace msg = protocol::msg;

    if (seat.connection != link.connection->getId())
        return;

    if (auto* action = std::get_if<msg::Action> (&message))
        return handleAction (link, seat, *action);

    if (auto* ping = std::get_if<msg::Ping> (&message))
        return sendControl (seat.connection, msg::Pong { ping->nonce });

    if (std::holds_alternative<msg::Pong> (message))
        return;

    if (std::holds_alternative<msg::RequestFullSync> (message))
    {
        // Always answered, whatever have_seq says: a full sync already written may have reached the
        // seat before it asked (it waits forever if that one is taken as the answer). The new one
        // replaces a full sync still unwritten in the seat's outbox, so the seat gets one, not two,
        // when the writer had already queued one for a lost patch.
        seat.needsFullSync = true;
        ++stats.fullSyncRequests;
        return;
    }

    if (std::holds_alternative<msg::RequestPrivilege> (message))
        return handleRequestPrivilege (seat);

    if (std::holds_alternative<msg::Goodbye> (message))
    {
        log ("Seat " + juce::String (seat.id) + " (" + juce::String (seat.name) + ") left.");
        releaseSeat (seat);
        closeLink (seat.connection);
        seats_.erase (seat.id);
        return;
    }

    refuse (link, std::string ("A seat may not send ") + protocol::messageName (message) + ".");
}

void SessionServer::handleAction (Link&, Seat& seat, protocol::msg::Action& request)
{
    const auto verdict = authorize (session, seats, seat.id, request.action, seat.history, [this] (std::uint32_t id)
                                    { return seatName (id); });
    if (! verdict.allowed())
    {
        ++stats.actionsRejected;
        return sendControl (seat.connection, protocol::msg::ActionRejected { request.requestId, verdict.refusal });
    }

    model::ApplyResult result;
    seat.history.setGesture (request.gesture);
    applyFrom (seat.id, seat.history, request.action, result);
    if (! result.ok())
    {
        ++stats.actionsRejected;
        return sendControl (seat.connection, protocol::msg::ActionRejected { request.requestId, result.error });
    }
    if (verdict.usesPrivilege)
        seat.lastPrivilegeUseMs = nowMs();
}

model::ApplyResult SessionServer::applyLocal (const model::Action& action)
{
    return applyLocal (action, hostHistory);
}

model::ApplyResult SessionServer::applyLocal (const model::Action& action, model::UndoHistory& history)
{
    model::ApplyResult result;
    applyFrom (0, history, action, result);
    return result;
}

void SessionServer::applyFrom (std::uint32_t seatId, model::UndoHistory& history, const model::Action& action, model::ApplyResult& result)
{
    // Which instruments exist before: adding, deleting, undo and redo change who owns what.
    const bool mayChangeInstruments = std::holds_alternative<model::action::AddInstrument> (action)
                                      || std::holds_alternative<model::action::DuplicateInstrument> (action)
                                      || std::holds_alternative<model::action::DeleteInstrument> (action)
                                      || std::holds_alternative<model::action::Undo> (action) || std::holds_alternative<model::action::Redo> (action);
    std::set<model::InstrumentId> before;
    if (mayChangeInstruments)
        for (const auto& instrument : session.instruments)
            before.insert (instrument.id);

    result = applier (action, history);
    if (! result.ok())
        return;

    ++stats.actionsApplied;
    dirty.merge (result.changes.net);

    // Per-seat undo: another seat's snapshot must never overwrite this edit.
    for (auto& [id, other] : seats_)
        if (id != seatId)
            other->history.forgetConflicting (result.changes.undoScope);
    if (seatId != 0)
        hostHistory.forgetConflicting (result.changes.undoScope);

    if (mayChangeInstruments)
    {
        for (auto it = seats.owners.begin(); it != seats.owners.end();)
        {
            if (! session.instruments.contains (it->first))
            {
                it = seats.owners.erase (it);
                ownershipDirty = true;
            }
            else
                ++it;
        }
        // What this seat's action brought into being (added, duplicated, restored) is this seat's.
        if (seatId != 0)
            for (const auto& instrument : session.instruments)
                if (before.count (instrument.id) == 0 && seats.ownerOf (instrument.id) == 0)
                {
                    seats.owners[instrument.id] = seatId;
                    ownershipDirty = true;
                }
    }

    if (onApplied)
        onApplied (result.changes);
}

void SessionServer::resetSession()
{
    hostHistory.clear();
    for (auto& [id, seat] : seats_)
    {
        seat->history.clear();
        seat->needsFullSync = true;
    }
    for (auto it = seats.owners.begin(); it != seats.owners.end();)
        it = session.instruments.contains (it->first) ? std::next (it) : seats.owners.erase (it);
    ownershipDirty = true;
    // Whatever patch was accumulating describes the old session; the full syncs replace it.
    dirty = {};
    broadcastDue (true);
}

void SessionServer::handleRequestPrivilege (Seat& seat)
{
    namespace msg = protocol::msg;

    if (seats.privileged == seat.id)
        return sendControl (seat.connection, msg::PrivilegeGranted {});

    const auto holderId = seats.privileged;
    if (holderId != 0)
    {
        auto& holder = *seats_.at (holderId);
        if (holder.connection != 0 && nowMs() - holder.lastPrivilegeUseMs < (std::uint32_t) options.privilegeHoldMs)
            return sendControl (seat.connection, msg::PrivilegeDenied { "Seat " + std::to_string (holder.id) + " (" + holder.name + ") is using the privilege right now; ask again in a moment." });
        if (holder.connection != 0)
            sendControl (holder.connection, msg::PrivilegeRevoked { seat.id });
    }

    seats.privileged = seat.id;
    seat.lastPrivilegeUseMs = nowMs() - (std::uint32_t) options.privilegeHoldMs;
    ownershipDirty = true;
    sendControl (seat.connection, msg::PrivilegeGranted {});
    log ("Seat " + juce::String (seat.id) + " (" + juce::String (seat.name) + ") now holds the privilege"
         + (holderId != 0 ? " (from seat " + juce::String (holderId) + ")." : "."));
}

//==============================================================================
std::vector<std::uint32_t> SessionServer::activeConnections (bool includeNeedingFullSync) const
{
    std::vector<std::uint32_t> ids;
    for (const auto& [id, seat] : seats_)
        if (seat->connection != 0 && (includeNeedingFullSync || ! seat->needsFullSync))
            ids.push_back (seat->connection);
    return ids;
}

void SessionServer::broadcastDue (bool force)
{
    const auto now = nowMs();
    const bool patchDue = force || now - lastPatchMs >= (std::uint32_t) options.patchIntervalMs;

    if (patchDue)
    {
        if (! dirty.empty() || ownershipDirty)
        {
            ++seq;
            const auto ownership = seats.toWire();
            auto frame = std::make_shared<const protocol::Bytes> (protocol::encodePatchFrame (session, dirty, seq, ownershipDirty ? &ownership : nullptr));
            ++stats.patchSerializations;
            ++stats.patchesBroadcast;
            writer->broadcast (activeConnections (false), FrameKind::patch, std::move (frame));
            dirty = {};
            ownershipDirty = false;
        }
        lastPatchMs = now;

        // Seats that join, reconnect, ask, or lost a patch get the whole session at the current seq,
        // encoded once for all of them.
        SharedFrame fullSync;
        for (auto& [id, seat] : seats_)
        {
            if (seat->connection == 0 || ! seat->needsFullSync)
                continue;
            if (fullSync == nullptr)
            {
                fullSync = std::make_shared<const protocol::Bytes> (protocol::encodeFullSyncFrame (seq, session, seats.toWire()));
                ++stats.fullSyncSerializations;
            }
            writer->send (seat->connection, FrameKind::fullSync, fullSync);
            seat->needsFullSync = false;
            ++stats.fullSyncsSent;
        }
    }

    if (meteringSource && now - lastMeteringMs >= (std::uint32_t) options.meteringIntervalMs)
    {
        lastMeteringMs = now;
        const auto targets = activeConnections (true);
        if (! targets.empty())
            writer->broadcast (targets, FrameKind::metering, std::make_shared<const protocol::Bytes> (protocol::encodeFrame (meteringSource())));
    }
}

namespace
{
    /** Milliseconds from `then` to `now` on the wrapping 32-bit counter; negative when `then` is the
        later one. `now` is read once per pass, so a stamp taken during the pass (a suspension) is
        later than it: an unsigned difference would turn that into 49 days, and a seat suspended a
        moment ago would lose its reservation at once. */
    std::int64_t elapsed (std::uint32_t now, std::uint32_t then) noexcept
    {
        return (std::int32_t) (now - then);
    }
} // namespace

void SessionServer::heartbeat()
{
    const auto now = nowMs();

    if (now - lastPingMs >= (std::uint32_t) options.pingIntervalMs)
    {
        lastPingMs = now;
        const auto frame = std::make_shared<const protocol::Bytes> (protocol::encodeFrame (protocol::msg::Ping { ++pingNonce }));
        writer->broadcast (activeConnections (true), FrameKind::control, frame);
    }

    for (auto& [id, link] : links)
    {
        if (link->closing)
            continue;
        if (link->seat == 0 && now - link->openedMs > helloTimeoutMs)
            refuse (*link, "No Hello arrived within " + std::to_string (helloTimeoutMs / 1000) + " s.");
        else if (link->seat != 0 && elapsed (now, link->lastHeardMs) > options.silenceTimeoutMs)
            if (auto seat = seats_.find (link->seat); seat != seats_.end() && seat->second->connection == id)
                suspend (*seat->second, "it was silent for " + juce::String (options.silenceTimeoutMs / 1000.0, 1) + " s");
    }

    for (auto it = seats_.begin(); it != seats_.end();)
    {
        auto& seat = *it->second;
        if (seat.connection == 0 && elapsed (now, seat.suspendedAtMs) > options.reservationMs)
        {
            log ("Seat " + juce::String (seat.id) + " (" + juce::String (seat.name) + ") did not come back: its instruments are free.");
            releaseSeat (seat);
            it = seats_.erase (it);
        }
        else
            ++it;
    }
}

//==============================================================================
std::vector<SessionServer::SeatInfo> SessionServer::getSeats() const
{
    std::vector<SeatInfo> out;
    for (const auto& [id, seat] : seats_)
    {
        SeatInfo info { id, seat->name, seat->connection != 0, seats.privileged == id, {} };
        for (auto [instrument, owner] : seats.owners)
            if (owner == id)
                info.instruments.push_back (instrument);
        out.push_back (std::move (info));
    }
    return out;
}

SessionServer::Stats SessionServer::getStats() const noexcept
{
    auto s = stats;
    if (writer != nullptr)
        s.bytesWritten = writer->getBytesWritten();
    return s;
}

} // namespace imbolc::net
