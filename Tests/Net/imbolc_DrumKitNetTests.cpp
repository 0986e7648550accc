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

const model::DrumKit& kitOf (const model::Session& s, model::InstrumentId id) { return s.instruments.find (id)->drums; }
} // namespace

TEST_CASE ("Drum kit: a seat's painted steps and pad edit reach the other seat's mirror, a seat that may not edit it is refused", "[net][drums]")
{
    ServerFixture server (model::makeReferenceSession (model::ReferenceSize::small));
    const auto kit = server.onServer ([&]
                                      { return server.session.instruments.asVector().back().id; });
    REQUIRE (server.onServer ([&]
                              { return server.session.instruments.find (kit)->source.isDrumKit(); }));

    // Ben owns the drum machine; Ana owns nothing.
    auto optionsB = clientOptions (server.port(), "Ben");
    optionsB.requestedInstruments = { kit };
    net::SessionClient ben (optionsB);
    net::SessionClient ana (clientOptions (server.port(), "Ana"));
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
    REQUIRE (ben.connect().wasOk());
    REQUIRE (ana.connect().wasOk());
    REQUIRE (eventually ([&]
                         { return ana.getOwnership().owners.size() == 1 && sameState (server, { &ana, &ben }); }));
    CHECK_FALSE (kitOf (ana.getSession(), kit).rows[0][0].on);

    // Ben paints four kicks in one drag and turns the clap into a quieter, longer one.
    std::vector<model::action::DrumStepEdit> drag;
    for (int s : { 0, 4, 8, 12 })
        drag.push_back ({ 0, s, { true, (std::uint8_t) (100 + s), 1.0f } });
    REQUIRE (ben.send (model::action::SetDrumSteps { kit, drag }) != 0);
    auto clap = kitOf (ben.getSession(), kit).pads[3];
    clap.level = 0.5f;
    clap.decay = 0.75f;
    REQUIRE (ben.send (model::action::SetDrumPad { kit, 3, clap }) != 0);
    REQUIRE (ben.send (model::action::SetDrumPattern { kit, 32, 4, 0.5f }) != 0);

    REQUIRE (eventually ([&]
                         { return kitOf (ana.getSession(), kit).steps == 32 && sameState (server, { &ana, &ben }); }));
    const auto anaSees = ana.getSession();
    const auto& seen = kitOf (anaSees, kit);
    for (int s : { 0, 4, 8, 12 })
        CHECK (seen.rows[0][(std::size_t) s] == model::DrumStep { true, (std::uint8_t) (100 + s), 1.0f });
    CHECK_FALSE (seen.rows[0][1].on);
    CHECK (seen.pads[3] == clap);
    CHECK (seen.swing == 0.5f);
    CHECK (ana.getSession() == server.onServer ([&]
                                                { return server.session; }));

    // Ana may not edit Ben's kit: refused by the ownership rules, nothing changes anywhere.
    const auto before = server.hash();
    const auto seqBefore = server.seq();
    const auto request = ana.send (model::action::SetDrumStep { kit, 2, 4, { true, 100, 1.0f } });
    REQUIRE (request != 0);
    REQUIRE (eventually ([&]
                         {
                             const std::lock_guard lock (mutex);
                             return rejections.size() == 1; }));
    {
        const std::lock_guard lock (mutex);
        CHECK (rejections[0].requestId == request);
        CHECK_THAT (rejections[0].reason, Catch::Contains ("belongs to seat") && Catch::Contains ("Ben"));
    }
    CHECK (server.hash() == before);
    CHECK (server.seq() == seqBefore);
    CHECK_FALSE (kitOf (ben.getSession(), kit).rows[2][4].on);
    CHECK (ana.getStats().patchFailures == 0);
    CHECK (ben.getStats().patchFailures == 0);
}
