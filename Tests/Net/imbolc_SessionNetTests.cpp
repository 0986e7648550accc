#include "imbolc_NetTestSupport.h"

#include <sys/socket.h>

using namespace imbolc;
using namespace imbolc::test;
namespace msg = imbolc::protocol::msg;

namespace
{
model::InstrumentId instrumentAt (const model::Session& s, std::size_t i) { return s.instruments[i].id; }

bool converged (ServerFixture& server, const std::vector<net::SessionClient*>& clients)
{
    const auto seq = server.seq();
    const auto hash = server.hash();
    for (auto* c : clients)
        if (c->getSeq() != seq || c->getSessionHash() != hash)
            return false;
    return true;
}
} // namespace

TEST_CASE ("A seat joins: Welcome then a full sync that equals the server's session", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto first = instrumentAt (server.session, 0);

    auto options = clientOptions (server.port(), "Ana");
    options.requestedInstruments = { first };
    options.requestPrivilege = true;
    net::SessionClient ana (options);
    const auto result = ana.connect();
    INFO (result.getErrorMessage());
    REQUIRE (result.wasOk());

    CHECK (ana.getClientId() != 0);
    CHECK (ana.hasPrivilege());
    CHECK (ana.getToken().size() == protocol::tokenBytes);
    CHECK (ana.getSessionHash() == server.hash());
    CHECK (ana.getSession() == server.onServer ([&]
                                                { return server.session; }));

    // The ownership the server broadcasts names Ana for the instrument she asked for.
    REQUIRE (eventually ([&]
                         { return ! ana.getOwnership().owners.empty(); }));
    const auto ownership = ana.getOwnership();
    CHECK (ownership.owners.front().instrument == first);
    CHECK (ownership.owners.front().client == ana.getClientId());
    CHECK (ownership.privilegedClient == ana.getClientId());

    // Her edit reaches the server and comes back as a patch: both sides agree.
    REQUIRE (ana.send (someNote (first, 96)) != 0);
    REQUIRE (eventually ([&]
                         { return converged (server, { &ana }) && server.seq() > 1; }));
    CHECK (ana.getStats().gaps == 0);
    CHECK (ana.getStats().patchFailures == 0);
}

TEST_CASE ("Contested ownership: the first seat gets the instrument and the other seat's edits of it are rejected", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto contested = instrumentAt (server.session, 0);
    const auto other = instrumentAt (server.session, 1);

    auto optionsA = clientOptions (server.port(), "Ana");
    optionsA.requestedInstruments = { contested };
    net::SessionClient ana (optionsA);
    REQUIRE (ana.connect().wasOk());

    auto optionsB = clientOptions (server.port(), "Ben");
    optionsB.requestedInstruments = { contested, other };
    net::SessionClient ben (optionsB);

    std::mutex mutex;
    std::vector<msg::ActionRejected> rejections;
    ben.onMessage = [&] (const protocol::Message& m)
    {
        if (auto* r = std::get_if<msg::ActionRejected> (&m))
        {
            const std::lock_guard lock (mutex);
            rejections.push_back (*r);
        }
    };
    REQUIRE (ben.connect().wasOk());

    REQUIRE (eventually ([&]
                         { return ben.getOwnership().owners.size() == 2; }));
    for (const auto& owner : ben.getOwnership().owners)
        CHECK (owner.client == (owner.instrument == contested ? ana.getClientId() : ben.getClientId()));

    const auto before = server.hash();
    const auto noteId = server.onServer ([&]
                                         { return server.session.pianoRoll.find (contested)->notes.front().id; });
    const auto rejectedNote = ben.send (someNote (contested, 0));
    const auto rejectedMove = ben.send (model::action::MoveNote { contested, noteId, 960, 61 });
    const auto rejectedParam = ben.send (model::action::SetParam { model::ParamAddress::instrument (contested, model::ParamGroup::strip, 0), 0.1f });
    REQUIRE (eventually ([&]
                         { const std::lock_guard lock (mutex); return rejections.size() == 3; }));
    {
        const std::lock_guard lock (mutex);
        CHECK (rejections[0].requestId == rejectedNote);
        CHECK (rejections[1].requestId == rejectedMove);
        CHECK (rejections[2].requestId == rejectedParam);
        for (const auto& r : rejections)
            CHECK_THAT (r.reason, Catch::Contains ("belongs to seat") && Catch::Contains ("Ana"));
    }
    CHECK (server.hash() == before);

    // Ben's own instrument is his to edit; session-wide changes need the privilege nobody gave him.
    ben.send (someNote (other, 480));
    ben.send (model::action::SetBpm { 90.0 });
    REQUIRE (eventually ([&]
                         { const std::lock_guard lock (mutex); return rejections.size() == 4; }));
    {
        const std::lock_guard lock (mutex);
        CHECK_THAT (rejections.back().reason, Catch::Contains ("privilege"));
    }
    REQUIRE (eventually ([&]
                         { return converged (server, { &ana, &ben }); }));
    CHECK (server.hash() != before);
    CHECK (server.onServer ([&]
                            { return server.session.settings.bpm; })
           != 90.0);
}

TEST_CASE ("Privilege moves on request when idle and is denied while its holder is using it", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));

    auto optionsA = clientOptions (server.port(), "Ana");
    optionsA.requestPrivilege = true;
    net::SessionClient ana (optionsA);
    std::atomic<int> revoked { 0 };
    ana.onMessage = [&] (const protocol::Message& m)
    { revoked += std::holds_alternative<msg::PrivilegeRevoked> (m) ? 1 : 0; };
    REQUIRE (ana.connect().wasOk());
    REQUIRE (ana.hasPrivilege());

    net::SessionClient ben (clientOptions (server.port(), "Ben"));
    std::atomic<int> granted { 0 }, denied { 0 };
    ben.onMessage = [&] (const protocol::Message& m)
    {
        granted += std::holds_alternative<msg::PrivilegeGranted> (m) ? 1 : 0;
        denied += std::holds_alternative<msg::PrivilegeDenied> (m) ? 1 : 0;
    };
    REQUIRE (ben.connect().wasOk());
    CHECK_FALSE (ben.hasPrivilege());

    // Ana is changing the tempo right now: Ben is told no.
    ana.send (model::action::SetBpm { 100.0 });
    REQUIRE (eventually ([&]
                         { return server.onServer ([&]
                                                   { return server.session.settings.bpm; })
                                  == 100.0; }));
    ben.requestPrivilege();
    REQUIRE (eventually ([&]
                         { return denied.load() == 1; }));
    CHECK (granted.load() == 0);
    CHECK (ana.hasPrivilege());

    // After the hold time it moves, explicitly: Ben granted, Ana revoked, everyone sees the new holder.
    juce::Thread::sleep (400);
    ben.requestPrivilege();
    REQUIRE (eventually ([&]
                         { return granted.load() == 1 && revoked.load() == 1; }));
    REQUIRE (eventually ([&]
                         { return ben.hasPrivilege() && ! ana.hasPrivilege(); }));
    REQUIRE (eventually ([&]
                         { return ana.getOwnership().privilegedClient == ben.getClientId(); }));

    // Now Ana's tempo change is refused and Ben's goes through.
    ana.send (model::action::SetBpm { 110.0 });
    ben.send (model::action::SetBpm { 125.0 });
    REQUIRE (eventually ([&]
                         { return ana.getSession().settings.bpm == 125.0; }));
    REQUIRE (eventually ([&]
                         { return ana.getStats().rejections == 1; }));
    REQUIRE (eventually ([&]
                         { return converged (server, { &ana, &ben }); }));
}

TEST_CASE ("Reconnect twice in a row with the rotated token and get a full sync each time", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto mine = instrumentAt (server.session, 2);

    auto options = clientOptions (server.port(), "Ana");
    options.requestedInstruments = { mine };
    options.requestPrivilege = true;
    net::SessionClient ana (options);
    REQUIRE (ana.connect().wasOk());
    const auto id = ana.getClientId();

    std::vector<protocol::Bytes> tokens { ana.getToken() };
    for (int round = 1; round <= 2; ++round)
    {
        const auto fullSyncs = ana.getStats().fullSyncs;
        // An edit made while the seat is away must reach it through the full sync on return.
        ana.dropConnection();
        REQUIRE (eventually ([&]
                             { return ana.getState() == net::SessionClient::State::reconnecting; }));
        server.apply (model::action::SetBpm { 100.0 + round });
        REQUIRE (eventually ([&]
                             { return ana.getState() == net::SessionClient::State::connected && ana.getStats().fullSyncs == fullSyncs + 1; }));

        CHECK (ana.getClientId() == id);
        CHECK (ana.getStats().reconnects == (std::uint64_t) round);
        CHECK (ana.hasPrivilege());
        tokens.push_back (ana.getToken());
        CHECK (tokens.back().size() == protocol::tokenBytes);
        CHECK (tokens.back() != tokens[tokens.size() - 2]); // rotated
        REQUIRE (eventually ([&]
                             { return converged (server, { &ana }); }));
        CHECK (ana.getSession().settings.bpm == 100.0 + round);
    }

    // Still the owner: the instrument was kept through both reconnects.
    const auto owners = ana.getOwnership().owners;
    REQUIRE (owners.size() == 1);
    CHECK (owners.front().instrument == mine);
    CHECK (owners.front().client == id);

    // The first token is spent: a reconnect that proves it fails.
    RawPeer thief (server.port());
    auto challenge = thief.receiveA<msg::Challenge>();
    REQUIRE (challenge.has_value());
    msg::Hello hello;
    hello.name = "Ana";
    hello.clientNonce = net::security::randomBytes (protocol::nonceBytes);
    hello.reconnectClientId = id;
    hello.reconnectProof = net::security::tokenProof (tokens.front(), challenge->serverNonce, hello.clientNonce);
    thief.send (hello);
    auto failed = thief.receiveA<msg::ReconnectFailed>();
    REQUIRE (failed.has_value());
    CHECK_THAT (failed->reason, Catch::Contains ("token"));
    CHECK (thief.waitForClose());
    CHECK (ana.getState() == net::SessionClient::State::connected);
}

TEST_CASE ("A forged reconnect token is refused and the seat keeps its instruments", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto mine = instrumentAt (server.session, 0);

    auto options = clientOptions (server.port(), "Ana");
    options.requestedInstruments = { mine };
    net::SessionClient ana (options);
    REQUIRE (ana.connect().wasOk());

    for (int attempt = 0; attempt < 3; ++attempt)
    {
        RawPeer forger (server.port());
        auto challenge = forger.receiveA<msg::Challenge>();
        REQUIRE (challenge.has_value());
        msg::Hello hello;
        hello.name = "Mallory";
        hello.clientNonce = net::security::randomBytes (protocol::nonceBytes);
        hello.reconnectClientId = ana.getClientId();
        // A random token, a proof made with no token at all, and a replay of a proof for other nonces.
        const auto guess = net::security::randomBytes (protocol::tokenBytes);
        hello.reconnectProof = attempt == 0   ? net::security::tokenProof (guess, challenge->serverNonce, hello.clientNonce)
                               : attempt == 1 ? protocol::Bytes (protocol::proofBytes, 0)
                                              : net::security::tokenProof (ana.getToken(), hello.clientNonce, challenge->serverNonce);
        forger.send (hello);
        auto failed = forger.receiveA<msg::ReconnectFailed>();
        REQUIRE (failed.has_value());
        CHECK (forger.waitForClose());
    }

    CHECK (ana.getState() == net::SessionClient::State::connected);
    ana.send (someNote (mine, 0, 72));
    REQUIRE (eventually ([&]
                         { return converged (server, { &ana }) && ana.getStats().patchesApplied >= 1; }));
    CHECK (ana.getOwnership().owners.front().client == ana.getClientId());
}

TEST_CASE ("A passphrase session admits only seats that prove the passphrase", "[net]")
{
    auto options = fastServerOptions();
    options.passphrase = "correct horse";
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small), options);

    auto good = clientOptions (server.port(), "Ana");
    good.passphrase = "correct horse";
    net::SessionClient ana (good);
    REQUIRE (ana.connect().wasOk());
    CHECK (ana.getSessionHash() == server.hash());

    auto wrong = clientOptions (server.port(), "Mallory");
    wrong.passphrase = "correct horse battery";
    net::SessionClient mallory (wrong);
    const auto refused = mallory.connect();
    REQUIRE (refused.failed());
    CHECK (refused.getErrorMessage().contains ("passphrase"));

    net::SessionClient none (clientOptions (server.port(), "Nobody"));
    const auto missing = none.connect();
    REQUIRE (missing.failed());
    CHECK (missing.getErrorMessage().contains ("needs a passphrase"));
    CHECK_FALSE (missing.getErrorMessage().contains ("--")); // modules do not name the tool's flags

    // The passphrase is never on the wire: a raw peer sees only nonces and the masked token, and the
    // token it would need is not the masked bytes.
    RawPeer peer (server.port());
    auto challenge = peer.receiveA<msg::Challenge>();
    REQUIRE (challenge.has_value());
    CHECK (challenge->passphraseRequired);
    const auto frame = protocol::encodeFrame (*challenge);
    const std::string bytes (frame.begin(), frame.end());
    CHECK (bytes.find ("correct horse") == std::string::npos);
    CHECK (ana.getToken().size() == protocol::tokenBytes);
}

TEST_CASE ("A non-loopback server without a passphrase does not start", "[net]")
{
    model::Session session;
    auto options = fastServerOptions();
    options.address = "0.0.0.0";
    net::SessionServer server (session, options);
    const auto result = server.start();
    REQUIRE (result.failed());
    CHECK (result.getErrorMessage().contains ("passphrase"));
}

TEST_CASE ("A stalled seat is suspended while a fast seat receives every patch on time", "[net]")
{
    auto options = fastServerOptions();
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::large), options);
    const auto target = instrumentAt (server.session, 0);

    // The stalled seat joins by hand and then never reads again.
    RawPeer stalled (server.port());
    stalled.join ("Stalled");

    net::SessionClient fast (clientOptions (server.port(), "Fast"));
    REQUIRE (fast.connect (10000).wasOk());

    // 100 edits per second for 2 s from the host; the fast seat stamps when each becomes visible.
    std::mutex mutex;
    std::map<std::uint64_t, std::uint32_t> seenAt; // seq -> ms
    fast.onStateChanged = [&] (protocol::Seq seq)
    {
        const std::lock_guard lock (mutex);
        seenAt[seq] = juce::Time::getMillisecondCounter();
    };
    const auto firstSeq = fast.getSeq();
    std::vector<std::pair<std::uint32_t, float>> edits; // (ms, value)
    for (int i = 0; i < 200; ++i)
    {
        const auto value = 0.3f + 0.001f * (float) i;
        edits.emplace_back (juce::Time::getMillisecondCounter(), value);
        REQUIRE (server.apply (model::action::SetParam { model::ParamAddress::instrument (target, model::ParamGroup::strip, 0), value }).ok());
        juce::Thread::sleep (10);
    }

    REQUIRE (eventually ([&]
                         { return converged (server, { &fast }); },
                         10000));

    // Every patch arrived, in order, with no gap and no full sync after the first.
    const auto stats = fast.getStats();
    CHECK (stats.gaps == 0);
    CHECK (stats.fullSyncs == 1);
    CHECK (stats.patchesApplied == server.seq() - firstSeq);

    // On time: the fast seat saw each patch within a few patch intervals of the previous one, however
    // far behind the stalled seat fell (a ratio to the 33 ms interval, not an absolute figure).
    {
        const std::lock_guard lock (mutex);
        REQUIRE (seenAt.size() >= 20);
        std::uint32_t worstGap = 0;
        for (auto it = std::next (seenAt.begin()); it != seenAt.end(); ++it)
            worstGap = std::max (worstGap, it->second - std::prev (it)->second);
        INFO ("worst gap between patches at the fast seat: " << worstGap << " ms");
        CHECK (worstGap < (std::uint32_t) (10 * options.patchIntervalMs));
    }

    // The stalled seat was suspended (its socket shut), not allowed to hold anyone up.
    REQUIRE (eventually ([&]
                         { return server.onServer ([&]
                                                   { return server.server.getStats().suspensions; })
                                  >= 1; },
                         5000));
    const auto seats = server.onServer ([&]
                                        { return server.server.getSeats(); });
    for (const auto& seat : seats)
        CHECK (seat.connected == (seat.name == "Fast"));
}

TEST_CASE ("Malformed frames close only their own connection with an Error", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto mine = instrumentAt (server.session, 0);

    auto options = clientOptions (server.port(), "Good");
    options.requestedInstruments = { mine };
    net::SessionClient good (options);
    REQUIRE (good.connect().wasOk());
    const auto hashBefore = server.hash();

    auto validHello = []
    {
        msg::Hello hello;
        hello.name = "Bad";
        hello.clientNonce = net::security::randomBytes (protocol::nonceBytes);
        return protocol::encodeMessage (hello);
    };
    auto framed = [] (protocol::Bytes payload, std::uint32_t length)
    {
        protocol::Bytes out (4 + payload.size());
        protocol::writeFrameLength (out.data(), length);
        std::copy (payload.begin(), payload.end(), out.begin() + 4);
        return out;
    };

    struct Case
    {
        const char* what;
        protocol::Bytes bytes;
        bool thenCloseSending = false; ///< shut the sending side after the bytes (the peer still reads)
    };
    auto hello = validHello();
    auto wrongIdentifier = hello;
    wrongIdentifier[4] = 'X';
    auto badUnion = hello;
    // Corrupt every byte after the identifier that the verifier must catch: garbage in the vtable area.
    for (std::size_t i = 8; i < badUnion.size(); ++i)
        badUnion[i] = (std::uint8_t) (0xA5 ^ i);
    std::mt19937 random (7);
    protocol::Bytes garbage (300);
    for (auto& b : garbage)
        b = (std::uint8_t) random();
    const auto project = protocol::encodeProject (server.onServer ([&]
                                                                   { return server.session; }));

    std::vector<Case> cases {
        { "oversize length", framed ({}, (std::uint32_t) protocol::defaultMaxFrameBytes + 1) },
        { "zero length", framed ({}, 0) },
        { "garbage payload", framed (garbage, (std::uint32_t) garbage.size()) },
        { "wrong identifier", framed (wrongIdentifier, (std::uint32_t) wrongIdentifier.size()) },
        { "unverifiable buffer", framed (badUnion, (std::uint32_t) badUnion.size()) },
        { "a project file instead of a message", framed (project, (std::uint32_t) project.size()) },
        { "an action before Hello", protocol::encodeFrame (msg::Action { 1, model::action::SetBpm { 99.0 } }) },
        { "truncated frame then close", [&]
          { auto f = framed (hello, (std::uint32_t) hello.size()); f.resize (f.size() / 2); return f; }(),
          true },
    };
    const std::vector<std::string> expectedErrors {
        "more than the limit",
        "length zero",
        "wrong identifier",
        "wrong identifier",
        "verification",
        "wrong identifier",
        "The first message must be Hello, not Action.",
        "in the middle of a frame",
    };
    REQUIRE (expectedErrors.size() == cases.size());

    for (std::size_t i = 0; i < cases.size(); ++i)
    {
        const auto& c = cases[i];
        INFO (c.what);
        RawPeer bad (server.port());
        REQUIRE (bad.receiveA<msg::Challenge>().has_value());
        bad.sendBytes (c.bytes);
        if (c.thenCloseSending)
            REQUIRE (::shutdown (bad.socket.getRawSocketHandle(), SHUT_WR) == 0);

        // Every kind of bad frame is answered with an Error saying what was wrong, then the close.
        auto error = bad.receiveA<msg::Error>();
        REQUIRE (error.has_value());
        INFO (error->message);
        CHECK_THAT (error->message, Catch::Contains (expectedErrors[i]));
        CHECK (bad.waitForClose());

        // The good seat is untouched and still served.
        const auto seq = good.getSeq();
        good.send (someNote (mine, 48 * (model::Tick) (seq + 1), 64));
        REQUIRE (eventually ([&]
                             { return good.getSeq() > seq && converged (server, { &good }); }));
        CHECK (good.getState() == net::SessionClient::State::connected);
    }

    // A seat that misbehaves after joining loses only its own connection too.
    RawPeer joined (server.port());
    joined.join ("Later");
    joined.sendBytes (framed (garbage, (std::uint32_t) garbage.size()));
    REQUIRE (joined.receiveA<msg::Error>().has_value());
    CHECK (joined.waitForClose());
    CHECK (good.getState() == net::SessionClient::State::connected);
    CHECK (server.hash() != hashBefore); // the good seat's notes, and nothing was lost
    // Seven of the cases and the joined seat's garbage; the action before Hello is a valid frame, refused
    // for where it came.
    CHECK (server.onServer ([&]
                            { return server.server.getStats().framesRefused; })
           == 8);
}

TEST_CASE ("A seat refused with an Error for a message it may not send is suspended and keeps its reservation", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto held = instrumentAt (server.session, 0);

    RawPeer peer (server.port());
    const auto welcome = peer.join ("Twice", { held });
    REQUIRE (welcome.grantedInstruments == std::vector<model::InstrumentId> { held });
    REQUIRE (peer.receiveA<msg::FullStateSync>().has_value());

    // A second Hello on a joined connection is a valid frame the seat may not send.
    msg::Hello again;
    again.name = "Twice";
    again.clientNonce = net::security::randomBytes (protocol::nonceBytes);
    peer.send (again);
    const auto error = peer.receiveA<msg::Error>();
    REQUIRE (error.has_value());
    CHECK (error->message == "A seat may not send Hello.");
    CHECK (peer.waitForClose());

    // Suspended, not left "connected" to a closed socket: it keeps its instrument for the reservation...
    auto seats = [&]
    { return server.onServer ([&]
                              { return server.server.getSeats(); }); };
    REQUIRE (eventually ([&]
                         { const auto s = seats(); return s.size() == 1 && ! s[0].connected; }));
    CHECK (seats()[0].instruments == std::vector<model::InstrumentId> { held });
    CHECK (server.onServer ([&]
                            { return server.server.getStats().suspensions; })
           == 1);

    // ... and loses it when the reservation ends (3 s in the tests' options).
    REQUIRE (eventually ([&]
                         { return seats().empty(); },
                         6000));
    CHECK (server.onServer ([&]
                            { return server.server.getOwnership().ownerOf (held); })
           == 0);
}

TEST_CASE ("A well-formed action with a bad value gets the dispatcher's reason and the seat stays connected", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto mine = instrumentAt (server.session, 0);

    auto options = clientOptions (server.port(), "Ana");
    options.requestedInstruments = { mine };
    options.requestPrivilege = true;
    net::SessionClient ana (options);
    std::mutex mutex;
    std::vector<msg::ActionRejected> rejections;
    ana.onMessage = [&] (const protocol::Message& m)
    {
        if (const auto* r = std::get_if<msg::ActionRejected> (&m))
        {
            const std::lock_guard lock (mutex);
            rejections.push_back (*r);
        }
    };
    REQUIRE (ana.connect().wasOk());
    REQUIRE (ana.hasPrivilege());
    const auto rejected = [&]
    {
        const std::lock_guard lock (mutex);
        return rejections;
    };

    // A tempo the dispatcher refuses, and a parameter that is not a number: both are valid frames.
    const auto attack = model::ParamAddress::instrument (mine, model::ParamGroup::amp, (std::uint16_t) model::AmpParam::attack);
    const auto bpmRequest = ana.send (model::action::SetBpm { -5.0 });
    const auto nanRequest = ana.send (model::action::SetParam { attack, std::numeric_limits<float>::quiet_NaN() });
    REQUIRE (bpmRequest != 0);
    REQUIRE (nanRequest != 0);
    REQUIRE (eventually ([&]
                         { return rejected().size() == 2; }));
    const auto answers = rejected();
    CHECK (answers[0].requestId == bpmRequest);
    CHECK (answers[0].reason == model::checks::bpm (-5.0));
    CHECK_THAT (answers[0].reason, Catch::StartsWith ("The tempo is -5"));
    CHECK (answers[1].requestId == nanRequest);
    CHECK_THAT (answers[1].reason, Catch::Contains ("is not a finite number"));

    // The seat is still connected and served: its next, valid action is applied everywhere.
    CHECK (ana.getState() == net::SessionClient::State::connected);
    REQUIRE (ana.send (model::action::SetBpm { 131.0 }) != 0);
    REQUIRE (eventually ([&]
                         { return ana.getSession().settings.bpm == 131.0 && converged (server, { &ana }); }));
    CHECK (ana.getStats().rejections == 2);
    CHECK (ana.getStats().reconnects == 0);
    const auto stats = server.onServer ([&]
                                        { return server.server.getStats(); });
    CHECK (stats.actionsRejected == 2);
    CHECK (stats.framesRefused == 0);
    CHECK (stats.suspensions == 0);
}

TEST_CASE ("Every RequestFullSync is answered, even one whose have_seq predates the full sync the seat already has", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    RawPeer peer (server.port());
    peer.join ("Raw");
    const auto first = peer.receiveA<msg::FullStateSync>();
    REQUIRE (first.has_value());
    REQUIRE (first->seq > 0); // the join's ownership patch came first, so have_seq 0 is older

    for (int round = 1; round <= 3; ++round)
    {
        INFO ("request " << round);
        // The state moves on, and the seat asks with a have_seq older than the full sync it applied.
        REQUIRE (server.apply (model::action::SetBpm { 100.0 + round }).ok());
        REQUIRE (eventually ([&]
                             { return server.seq() > first->seq + (protocol::Seq) round - 1; }));
        const auto seqAsked = server.seq();
        peer.send (msg::RequestFullSync { 0 });

        const auto answer = peer.receiveA<msg::FullStateSync> (2000);
        REQUIRE (answer.has_value());
        CHECK (answer->seq >= seqAsked);
        CHECK (answer->session.settings.bpm == 100.0 + round);
        CHECK (protocol::sessionHash (answer->session) == server.hash());
        CHECK (answer->ownership.owners.empty());
    }
    CHECK (server.onServer ([&]
                            { return server.server.getStats().fullSyncRequests; })
           == 3);
}

TEST_CASE ("Convergence: 8 seats fire 2000 random actions and end equal to the server", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto instruments = server.onServer ([&]
                                              {
        std::vector<model::InstrumentId> ids;
        for (const auto& i : server.session.instruments)
            ids.push_back (i.id);
        return ids; });

    std::vector<std::unique_ptr<net::SessionClient>> seats;
    for (int i = 0; i < 8; ++i)
    {
        auto options = clientOptions (server.port(), "Seat " + std::to_string (i));
        if ((std::size_t) i < instruments.size())
            options.requestedInstruments = { instruments[(std::size_t) i] };
        options.requestPrivilege = i == 0;
        seats.push_back (std::make_unique<net::SessionClient> (options));
        REQUIRE (seats.back()->connect().wasOk());
    }

    std::mt19937 random (2026);
    auto pick = [&] (int n)
    { return (int) (random() % (unsigned) n); };
    int sent = 0;
    for (int i = 0; i < 2000; ++i)
    {
        auto& seat = *seats[(std::size_t) pick (8)];
        const auto instrument = instruments[(std::size_t) pick ((int) instruments.size())]; // often not the seat's own: rejected
        const auto session = seat.getSession();
        const auto* track = session.pianoRoll.find (instrument);
        model::Action action = model::action::SetBpm { 60.0 + pick (120) };
        switch (pick (7))
        {
            case 0:
                action = someNote (instrument, pick (64) * 120, (std::uint8_t) (36 + pick (48)));
                break;
            case 1:
                if (track != nullptr && ! track->notes.empty())
                    action = model::action::MoveNote { instrument, track->notes[(std::size_t) pick ((int) track->notes.size())].id, pick (64) * 120, (std::uint8_t) (36 + pick (48)) };
                break;
            case 2:
                if (track != nullptr && ! track->notes.empty())
                    action = model::action::DeleteNote { instrument, track->notes[(std::size_t) pick ((int) track->notes.size())].id };
                break;
            case 3:
                action = model::action::SetParam { model::ParamAddress::instrument (instrument, model::ParamGroup::strip, 0), (float) pick (100) / 100.0f };
                break;
            case 4:
                action = model::action::SetParam { model::ParamAddress::instrument (instrument, model::ParamGroup::strip, 0), 7.0f };
                break; // out of range
            case 5:
                action = model::action::Undo {};
                break;
            default:
                break;
        }
        if (seat.send (action) != 0)
            ++sent;
        if (i % 50 == 0)
            juce::Thread::sleep (5); // let patches interleave with actions
    }
    CHECK (sent == 2000);

    std::vector<net::SessionClient*> all;
    for (auto& s : seats)
        all.push_back (s.get());
    REQUIRE (eventually ([&]
                         { return converged (server, all); },
                         20000));

    std::uint64_t rejected = 0, applied = 0;
    for (auto* s : all)
    {
        rejected += s->getStats().rejections;
        CHECK (s->getStats().patchFailures == 0);
    }
    applied = server.onServer ([&]
                               { return server.server.getStats().actionsApplied; });
    INFO ("applied " << applied << ", rejected " << rejected);
    CHECK (rejected > 100); // the mix really was contested
    CHECK (applied > 100);
    CHECK (applied + rejected == 2000);
}

TEST_CASE ("A note edit in the large session travels as an operation under 100 bytes", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::large));
    const auto instrument = instrumentAt (server.session, 5);
    const auto note = server.onServer ([&]
                                       { return server.session.pianoRoll.find (instrument)->notes[3]; });

    auto options = clientOptions (server.port(), "Ana");
    options.requestedInstruments = { instrument };
    net::SessionClient ana (options);
    REQUIRE (ana.connect (10000).wasOk());
    REQUIRE (eventually ([&]
                         { return converged (server, { &ana }); }));

    std::mutex mutex;
    std::vector<std::size_t> patchSizes;
    ana.onRawFrame = [&] (const std::uint8_t* data, std::size_t size)
    {
        auto decoded = protocol::decodeMessage (data, size);
        if (decoded.ok() && std::holds_alternative<protocol::StatePatch> (*decoded.message))
        {
            const std::lock_guard lock (mutex);
            patchSizes.push_back (size + 4);
        }
    };

    const auto seq = ana.getSeq();
    ana.send (model::action::MoveNote { instrument, note.id, note.tick + 240, (std::uint8_t) (note.pitch + 1) });
    REQUIRE (eventually ([&]
                         { return ana.getSeq() == seq + 1 && converged (server, { &ana }); }));

    const std::lock_guard lock (mutex);
    REQUIRE (patchSizes.size() == 1);
    INFO ("patch frame: " << patchSizes.front() << " bytes");
    CHECK (patchSizes.front() < 100);
}

TEST_CASE ("A silent seat is suspended and its instruments come free when its reservation ends", "[net]")
{
    auto options = fastServerOptions();
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small), options);
    const auto held = instrumentAt (server.session, 0);

    net::SessionClient watcher (clientOptions (server.port(), "Watcher"));
    REQUIRE (watcher.connect().wasOk());

    // Joins by hand, then never answers a ping (but keeps the socket open).
    RawPeer silent (server.port());
    const auto welcome = silent.join ("Silent", { held });
    REQUIRE (welcome.grantedInstruments == std::vector<model::InstrumentId> { held });
    REQUIRE (eventually ([&]
                         { return watcher.getOwnership().owners.size() == 1; }));

    const auto joinedAt = juce::Time::getMillisecondCounter();
    REQUIRE (eventually ([&]
                         { return server.onServer ([&]
                                                   { return server.server.getStats().suspensions; })
                                  == 1; },
                         5000));
    const auto suspendedAfter = juce::Time::getMillisecondCounter() - joinedAt;
    INFO ("suspended after " << suspendedAfter << " ms; silence timeout " << options.silenceTimeoutMs << " ms");
    CHECK (suspendedAfter + 100 >= (juce::uint32) options.silenceTimeoutMs); // never before the timeout

    // Still reserved: the instrument is the silent seat's while it may come back. (Asked at once:
    // waiting for the close first could, on a busy machine, outlast the reservation.)
    const auto seats = server.onServer ([&]
                                        { return server.server.getSeats(); });
    for (const auto& seat : seats)
        UNSCOPED_INFO ("seat " << seat.id << " " << seat.name << (seat.connected ? " connected" : " suspended"));
    REQUIRE (seats.size() == 2);
    CHECK (watcher.getOwnership().owners.size() == 1);
    CHECK (silent.waitForClose());

    // After the reservation it is free, and every seat is told.
    REQUIRE (eventually ([&]
                         { return watcher.getOwnership().owners.empty(); },
                         options.reservationMs + 3000));
    CHECK (server.onServer ([&]
                            { return server.server.getSeats().size(); })
           == 1);
    CHECK (watcher.getState() == net::SessionClient::State::connected); // the watcher answered every ping
}

TEST_CASE ("A seat that leaves with Goodbye frees its instruments at once and the server's Shutdown ends every seat", "[net]")
{
    auto fixture = std::make_unique<ServerFixture> (model::makeReferenceSession (model::ReferenceSize::small));
    const auto held = instrumentAt (fixture->session, 1);

    auto options = clientOptions (fixture->port(), "Ana");
    options.requestedInstruments = { held };
    net::SessionClient ana (options);
    REQUIRE (ana.connect().wasOk());
    net::SessionClient ben (clientOptions (fixture->port(), "Ben"));
    REQUIRE (ben.connect().wasOk());
    REQUIRE (eventually ([&]
                         { return ben.getOwnership().owners.size() == 1; }));

    ana.disconnect();
    CHECK (ana.getState() == net::SessionClient::State::closed);
    REQUIRE (eventually ([&]
                         { return ben.getOwnership().owners.empty(); }));

    fixture.reset(); // the host ends the session
    REQUIRE (eventually ([&]
                         { return ben.getState() == net::SessionClient::State::closed; }));
    CHECK_THAT (ben.getError(), Catch::Contains ("stopped the session"));
}

TEST_CASE ("Sessions are found on the LAN by their announcement", "[net]")
{
    // A private broadcast port, so parallel test runs and real sessions do not meet.
    const int broadcastPort = 20000 + (int) (juce::Random::getSystemRandom().nextInt (20000));
    if (! net::discovery::canAnnounce())
    {
        // A machine with no broadcast-capable interface cannot announce anything: say so, loudly.
        WARN ("No network interface with a broadcast address here: LAN discovery cannot be exercised.");
        FAIL_CHECK ("LAN discovery needs a broadcast-capable interface.");
        return;
    }

    net::discovery::Advertiser advertiser ("Rehearsal", 45678, broadcastPort);
    const auto found = net::discovery::findSessions (2500, broadcastPort);
    REQUIRE (found.size() == 1);
    CHECK (found[0].name == "Rehearsal");
    CHECK (found[0].port == 45678);
    CHECK (found[0].address.isNotEmpty());
}

TEST_CASE ("A seat owns the instrument it adds and undo undoes only that seat's own edits", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto anasInstrument = instrumentAt (server.session, 0);
    const auto bensInstrument = instrumentAt (server.session, 1);
    const auto level = [] (model::InstrumentId id)
    { return model::ParamAddress::instrument (id, model::ParamGroup::strip, 0); };

    auto optionsA = clientOptions (server.port(), "Ana");
    optionsA.requestedInstruments = { anasInstrument };
    net::SessionClient ana (optionsA);
    REQUIRE (ana.connect().wasOk());
    auto optionsB = clientOptions (server.port(), "Ben");
    optionsB.requestedInstruments = { bensInstrument };
    net::SessionClient ben (optionsB);
    REQUIRE (ben.connect().wasOk());

    // Ben adds an instrument: it is his.
    model::Source source;
    source.builtIn = model::BuiltInSource::square;
    const auto rackBefore = server.onServer ([&]
                                             { return server.session.instruments.size(); });
    ben.send (model::action::AddInstrument { "Ben's lead", source });
    REQUIRE (eventually ([&]
                         { return ben.getSession().instruments.size() == rackBefore + 1 && ben.getOwnership().owners.size() == 3; }));
    const auto added = ben.getSession().instruments.asVector().back().id;
    for (const auto& owner : ben.getOwnership().owners)
        if (owner.instrument == added)
            CHECK (owner.client == ben.getClientId());
    ana.send (someNote (added, 0));
    ben.send (someNote (added, 480));
    REQUIRE (eventually ([&]
                         { return ana.getStats().rejections == 1 && converged (server, { &ana, &ben }); }));
    CHECK (ana.getSession().pianoRoll.find (added)->notes.size() == 1);

    // Ana and Ben each change their own level; Ana's undo reverts only hers.
    const auto anaBefore = model::findParam (ana.getSession(), level (anasInstrument))->value;
    ana.send (model::action::SetParam { level (anasInstrument), 0.25f });
    REQUIRE (eventually ([&]
                         { return converged (server, { &ana, &ben }) && model::findParam (ana.getSession(), level (anasInstrument))->value == 0.25f; }));
    ben.send (model::action::SetParam { level (bensInstrument), 0.35f });
    REQUIRE (eventually ([&]
                         { return converged (server, { &ana, &ben }) && model::findParam (ana.getSession(), level (bensInstrument))->value == 0.35f; }));
    ana.send (model::action::Undo {});
    REQUIRE (eventually ([&]
                         { return converged (server, { &ana, &ben }) && model::findParam (ben.getSession(), level (anasInstrument))->value == anaBefore; }));
    CHECK (model::findParam (ben.getSession(), level (bensInstrument))->value == 0.35f);
}

TEST_CASE ("A seat that falls behind loses patches to its outbox and is caught up by a full sync", "[net]")
{
    auto options = fastServerOptions();
    options.writer.stallTimeoutMs = 5000; // slow, not stalled: it must be caught up, not suspended
    options.silenceTimeoutMs = 10000;
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::large), options);
    const auto instruments = server.onServer ([&]
                                              {
        std::vector<model::InstrumentId> ids;
        for (const auto& i : server.session.instruments)
            ids.push_back (i.id);
        return ids; });

    net::SessionClient slow (clientOptions (server.port(), "Slow"));
    REQUIRE (slow.connect (10000).wasOk());
    std::atomic<bool> stallOnce { false };
    slow.onMessage = [&] (const protocol::Message&)
    {
        if (stallOnce.exchange (false))
            juce::Thread::sleep (800); // its network thread stops reading for a while
    };
    stallOnce = true;

    // Patches of most of the rack (more than half changed: the rack whole, tens of KiB each) until the
    // socket is full and the seat's outbox has to drop them.
    for (int round = 0; round < 25; ++round)
    {
        server.onServer ([&]
                         {
            for (std::size_t i = 0; i < instruments.size() * 3 / 4; ++i)
                server.server.applyLocal (model::action::SetParam { model::ParamAddress::instrument (instruments[i], model::ParamGroup::strip, 0), 0.2f + 0.01f * (float) round });
            return 0; });
        juce::Thread::sleep (35);
    }

    REQUIRE (eventually ([&]
                         { return converged (server, { &slow }); },
                         15000));
    const auto stats = slow.getStats();
    const auto serverStats = server.onServer ([&]
                                              { return server.server.getStats(); });
    INFO ("gaps " << stats.gaps << ", full syncs received " << stats.fullSyncs << ", sent " << serverStats.fullSyncsSent
                  << ", full syncs requested " << serverStats.fullSyncRequests);
    // It fell behind: the writer dropped patches from its outbox and the server sent full syncs instead.
    CHECK (serverStats.fullSyncsSent >= 2);
    CHECK (stats.fullSyncs >= 2);
    // A full sync queued behind another unsent one replaces it: the seat receives fewer than were sent.
    CHECK (stats.fullSyncs <= serverStats.fullSyncsSent);
    // No patch ever failed to apply: a gap (a patch already being written when its predecessor was
    // dropped) waits for a full sync, never applies out of order.
    CHECK (stats.patchFailures == 0);
    CHECK (serverStats.suspensions == 0);
}

TEST_CASE ("MoveInstrument: the privileged seat and an owner reorder the rack, every mirror follows, others are refused", "[net]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto rack = [] (const model::Session& s)
    {
        std::vector<model::InstrumentId> ids;
        for (const auto& inst : s.instruments)
            ids.push_back (inst.id);
        return ids;
    };
    const auto start = server.onServer ([&]
                                        { return rack (server.session); });
    REQUIRE (start.size() >= 3);
    const auto nobodys = start[0], bens = start[1], alsoNobodys = start[2];

    // Ana holds the privilege and owns nothing; Ben owns one instrument and has no privilege.
    auto optionsA = clientOptions (server.port(), "Ana");
    optionsA.requestPrivilege = true;
    net::SessionClient ana (optionsA);
    REQUIRE (ana.connect().wasOk());
    REQUIRE (ana.hasPrivilege());
    auto optionsB = clientOptions (server.port(), "Ben");
    optionsB.requestedInstruments = { bens };
    net::SessionClient ben (optionsB);
    std::mutex mutex;
    std::vector<msg::ActionRejected> rejections;
    const auto collect = [&] (const protocol::Message& m)
    {
        if (const auto* r = std::get_if<msg::ActionRejected> (&m))
        {
            const std::lock_guard lock (mutex);
            rejections.push_back (*r);
        }
    };
    ana.onMessage = collect;
    ben.onMessage = collect;
    REQUIRE (ben.connect().wasOk());
    REQUIRE (eventually ([&]
                         { return ben.getOwnership().owners.size() == 1 && converged (server, { &ana, &ben }); }));
    const auto rejected = [&]
    {
        const std::lock_guard lock (mutex);
        return rejections;
    };

    // The privileged seat moves an instrument nobody owns to the end (a position past it): Ben's mirror
    // shows the new order.
    auto expected = start;
    expected.erase (expected.begin());
    expected.push_back (nobodys);
    REQUIRE (ana.send (model::action::MoveInstrument { nobodys, 1000 }) != 0);
    REQUIRE (eventually ([&]
                         { return rack (ben.getSession()) == expected && converged (server, { &ana, &ben }); }));
    CHECK (rack (ana.getSession()) == expected);
    CHECK (ben.getSession() == server.onServer ([&]
                                                { return server.session; }));

    // Without the right, the server refuses before the dispatcher sees the action; nothing changes.
    const auto before = server.hash();
    const auto seqBefore = server.seq();
    const auto benMovesNobodys = ben.send (model::action::MoveInstrument { alsoNobodys, 0 });
    const auto anaMovesBens = ana.send (model::action::MoveInstrument { bens, 0 });
    REQUIRE (eventually ([&]
                         { return rejected().size() == 2; }));
    {
        const auto answers = rejected();
        for (const auto& r : answers)
        {
            if (r.requestId == benMovesNobodys)
                CHECK_THAT (r.reason, Catch::Contains ("belongs to nobody") && Catch::Contains ("privilege"));
            else
                CHECK_THAT (r.reason, Catch::Contains ("belongs to seat") && Catch::Contains ("Ben"));
        }
        CHECK (answers[0].requestId != answers[1].requestId);
        CHECK ((answers[0].requestId == anaMovesBens || answers[1].requestId == anaMovesBens));
    }
    CHECK (server.hash() == before);
    CHECK (server.seq() == seqBefore);

    // An owner moves its own instrument without the privilege; Ana's mirror follows.
    expected.erase (std::find (expected.begin(), expected.end(), bens));
    expected.insert (expected.begin(), bens);
    REQUIRE (ben.send (model::action::MoveInstrument { bens, 0 }) != 0);
    REQUIRE (eventually ([&]
                         { return rack (ana.getSession()) == expected && converged (server, { &ana, &ben }); }));
    CHECK (rack (server.onServer ([&]
                                  { return server.session; }))
           == expected);
    CHECK (rejected().size() == 2);
    CHECK (ana.getStats().patchFailures == 0);
    CHECK (ben.getStats().patchFailures == 0);
}
