// MIDI mappings and record options travel to seats: real server and client on loopback.

#include "imbolc_NetTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

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
} // namespace

TEST_CASE ("A joined seat receives the host's MIDI mappings and record options over real loopback", "[net][midilearn]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto first = server.onServer ([&]
                                        { return server.session.instruments[0].id; });
    net::SessionClient seat (clientOptions (server.port(), "Ana"));
    REQUIRE (seat.connect().wasOk());
    REQUIRE (eventually ([&]
                         { return sameState (server, { &seat }); }));
    CHECK (seat.getSession().settings.midiMappings.empty());

    model::MidiMapping m;
    m.source = model::MidiSource::controller;
    m.channel = 4;
    m.controller = 21;
    m.param = model::ParamAddress::instrument (first, model::ParamGroup::strip, (std::uint16_t) model::StripParam::pan);
    m.min = 1.0f;
    m.max = -1.0f;
    m.curve = model::MidiCurve::exponential;
    REQUIRE (server.apply (model::action::AddMidiMapping { m }).ok());
    REQUIRE (server.apply (model::action::SetRecordOptions { model::RecordMode::replace, 1 }).ok());
    REQUIRE (eventually ([&]
                         { return seat.getSession().settings.midiMappings.size() == 1 && sameState (server, { &seat }); }));
    CHECK (seat.getSession().settings.midiMappings[0] == m);
    CHECK (seat.getSession().settings.recordMode == model::RecordMode::replace);
    CHECK (seat.getSession().settings.countInBars == 1);

    // Deleting the instrument removes the mapping on the seat too; a seat joining later gets the rest.
    REQUIRE (server.apply (model::action::DeleteInstrument { first }).ok());
    REQUIRE (eventually ([&]
                         { return ! seat.getSession().instruments.contains (first) && sameState (server, { &seat }); }));
    CHECK (seat.getSession().settings.midiMappings.empty());
    REQUIRE (server.apply (model::action::Undo {}).ok());
    REQUIRE (eventually ([&]
                         { return seat.getSession().settings.midiMappings.size() == 1 && sameState (server, { &seat }); }));

    net::SessionClient late (clientOptions (server.port(), "Ben"));
    REQUIRE (late.connect().wasOk());
    REQUIRE (eventually ([&]
                         { return sameState (server, { &late }); }));
    CHECK (late.getSession().settings.midiMappings.size() == 1);
    CHECK (seat.getStats().patchFailures == 0);
    CHECK (late.getStats().patchFailures == 0);
}
