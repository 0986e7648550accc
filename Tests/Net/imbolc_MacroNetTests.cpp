#include "imbolc_NetTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
namespace msg = imbolc::protocol::msg;

namespace
{
bool sameState (ServerFixture& server, const std::vector<net::SessionClient*>& clients)
{
    const auto seq = server.seq();
    const auto hash = server.hash();
    for (auto* c : clients)
        if (c->getSeq() != seq || c->getSessionHash() != hash)
            return false;
    return true;
}

model::ParamAddress levelOf (model::InstrumentId id)
{
    return model::ParamAddress::instrument (id, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level);
}

/** Collects a client's ActionRejected messages (its reader thread calls onMessage). */
struct Rejections
{
    explicit Rejections (net::SessionClient& client)
    {
        client.onMessage = [this] (const protocol::Message& m)
        {
            if (const auto* r = std::get_if<msg::ActionRejected> (&m))
            {
                const std::lock_guard lock (mutex);
                list.push_back (*r);
            }
        };
    }

    std::vector<msg::ActionRejected> take()
    {
        const std::lock_guard lock (mutex);
        return list;
    }

    std::size_t size()
    {
        const std::lock_guard lock (mutex);
        return list.size();
    }

    std::mutex mutex;
    std::vector<msg::ActionRejected> list;
};
} // namespace

TEST_CASE ("A joined seat sees the host's macro mapping and MIDI channel over real loopback", "[net][macros]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto [first, second] = server.onServer ([&]
                                                  { return std::pair { server.session.instruments[0].id, server.session.instruments[1].id }; });

    net::SessionClient seat (clientOptions (server.port(), "Ana"));
    REQUIRE (seat.connect().wasOk());
    REQUIRE (eventually ([&]
                         { return sameState (server, { &seat }); }));
    CHECK_FALSE (seat.getSession().macros[2].assigned);

    // The host (seat 0) maps Macro 3 to the first instrument's level, inverted, and puts the second
    // instrument on MIDI channel 7.
    const model::Macro macro { true, levelOf (first), 1.5f, 0.25f };
    REQUIRE (server.apply (model::action::SetMacro { 2, macro }).ok());
    REQUIRE (server.apply (model::action::SetMidiChannel { second, 7 }).ok());

    REQUIRE (eventually ([&]
                         { return seat.getSession().instruments.find (second)->midiChannel == 7 && sameState (server, { &seat }); }));
    const auto seen = seat.getSession();
    CHECK (seen.macros[2] == macro);
    CHECK (seen.instruments.find (first)->midiChannel == 0);
    CHECK (seen == server.onServer ([&]
                                    { return server.session; }));

    // Deleting the instrument unassigns the macro on the seat too.
    REQUIRE (server.apply (model::action::DeleteInstrument { first }).ok());
    REQUIRE (eventually ([&]
                         { return ! seat.getSession().instruments.contains (first) && sameState (server, { &seat }); }));
    CHECK_FALSE (seat.getSession().macros[2].assigned);

    // A seat that joins now gets both in its first full sync.
    net::SessionClient late (clientOptions (server.port(), "Ben"));
    REQUIRE (late.connect().wasOk());
    REQUIRE (eventually ([&]
                         { return sameState (server, { &late }); }));
    CHECK (late.getSession().instruments.find (second)->midiChannel == 7);
    CHECK (seat.getStats().patchFailures == 0);
    CHECK (late.getStats().patchFailures == 0);
}

TEST_CASE ("Mapping a macro needs the session privilege, a MIDI channel needs the instrument", "[net][macros]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto [first, second] = server.onServer ([&]
                                                  { return std::pair { server.session.instruments[0].id, server.session.instruments[1].id }; });

    // Ben owns the first instrument and has no privilege; Ana holds the privilege and owns nothing.
    auto benOptions = clientOptions (server.port(), "Ben");
    benOptions.requestedInstruments = { first };
    net::SessionClient ben (benOptions);
    auto anaOptions = clientOptions (server.port(), "Ana");
    anaOptions.requestPrivilege = true;
    net::SessionClient ana (anaOptions);
    Rejections benRejected (ben), anaRejected (ana);
    REQUIRE (ben.connect().wasOk());
    REQUIRE (ana.connect().wasOk());
    REQUIRE (eventually ([&]
                         { return ana.getOwnership().privilegedClient != 0 && ben.getOwnership().owners.size() == 1 && sameState (server, { &ana, &ben }); }));

    // Ben may set his instrument's channel, not map a macro, even to his own instrument's level.
    REQUIRE (ben.send (model::action::SetMidiChannel { first, 3 }) != 0);
    const auto macroRequest = ben.send (model::action::SetMacro { 0, model::Macro { true, levelOf (first), 0.0f, 1.0f } });
    REQUIRE (macroRequest != 0);
    // Nor the channel of an instrument he does not own.
    const auto channelRequest = ben.send (model::action::SetMidiChannel { second, 4 });
    REQUIRE (eventually ([&]
                         { return benRejected.size() == 2 && ben.getSession().instruments.find (first)->midiChannel == 3; }));
    const auto refusals = benRejected.take();
    CHECK (refusals[0].requestId == macroRequest);
    CHECK (refusals[0].reason == "Mapping a macro needs the session privilege; request it first.");
    CHECK (refusals[1].requestId == channelRequest);
    CHECK_THAT (refusals[1].reason, Catch::Contains ("Instrument " + std::to_string (second.value) + " belongs to nobody"));

    // Ana, with the privilege, maps a macro to Ben's instrument (session-wide, whatever it drives) and
    // sets the channel of an instrument nobody owns; she may not set Ben's instrument's channel.
    REQUIRE (ana.send (model::action::SetMacro { 5, model::Macro { true, levelOf (first), 0.5f, 1.0f } }) != 0);
    REQUIRE (ana.send (model::action::SetMidiChannel { second, 12 }) != 0);
    const auto anaOnBen = ana.send (model::action::SetMidiChannel { first, 9 });
    REQUIRE (eventually ([&]
                         { return anaRejected.size() == 1 && ben.getSession().macros[5].assigned && ben.getSession().instruments.find (second)->midiChannel == 12
                                  && sameState (server, { &ana, &ben }); }));
    CHECK (anaRejected.take()[0].requestId == anaOnBen);
    CHECK_THAT (anaRejected.take()[0].reason, Catch::Contains ("belongs to seat") && Catch::Contains ("Ben"));
    const auto final = server.onServer ([&]
                                        { return server.session; });
    CHECK (final.instruments.find (first)->midiChannel == 3);
    CHECK_FALSE (final.macros[0].assigned);
    CHECK (final.macros[5] == model::Macro { true, levelOf (first), 0.5f, 1.0f });
}

TEST_CASE ("An instrument's MIDI output travels to every seat and needs the right to edit that instrument", "[net][midiout]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto [first, second] = server.onServer ([&]
                                                  { return std::pair { server.session.instruments[0].id, server.session.instruments[1].id }; });
    auto benOptions = clientOptions (server.port(), "Ben");
    benOptions.requestedInstruments = { first };
    net::SessionClient ben (benOptions);
    net::SessionClient ana (clientOptions (server.port(), "Ana"));
    Rejections benRejected (ben);
    REQUIRE (ben.connect().wasOk());
    REQUIRE (ana.connect().wasOk());
    REQUIRE (eventually ([&]
                         { return ben.getOwnership().owners.size() == 1 && sameState (server, { &ana, &ben }); }));

    REQUIRE (ben.send (model::action::SetMidiOutput { first, 7 }) != 0);
    const auto refused = ben.send (model::action::SetMidiOutput { second, 2 });
    REQUIRE (eventually ([&]
                         { return benRejected.size() == 1 && ana.getSession().instruments.find (first)->midiOutputChannel == 7 && sameState (server, { &ana, &ben }); }));
    const auto refusals = benRejected.take();
    CHECK (refusals[0].requestId == refused);
    CHECK_THAT (refusals[0].reason, Catch::Contains ("belongs to nobody"));
    const auto final = server.onServer ([&]
                                        { return server.session; });
    CHECK (final.instruments.find (first)->midiOutputChannel == 7);
    CHECK (final.instruments.find (second)->midiOutputChannel == 0);
}
