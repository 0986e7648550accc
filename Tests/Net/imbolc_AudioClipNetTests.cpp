// Audio clip edits (EditAudioClip) travel between seats: real server and clients on loopback.

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

const model::AudioClip take { "Song Audio/Take 1.wav", 480, 0, 96000, 1.0f };

model::Session withAudioTrack()
{
    auto s = model::makeReferenceSession (model::ReferenceSize::small);
    model::Source audio;
    audio.kind = model::SourceKind::audioClips;
    audio.clips = { take };
    model::UndoHistory history;
    model::Dispatcher dispatcher (s, history);
    REQUIRE (dispatcher.apply (model::action::AddInstrument { "Vocal take", audio }).ok());
    return s;
}

const std::vector<model::AudioClip>& clipsOf (const model::Session& s, model::InstrumentId id) { return s.instruments.find (id)->source.clips; }
} // namespace

TEST_CASE ("Audio clips: a seat's clip move, trim and delete reach the other seat, a stale or foreign edit is refused", "[net][audioclips]")
{
    ServerFixture server (withAudioTrack());
    const auto track = server.onServer ([&]
                                        { return server.session.instruments.asVector().back().id; });

    // Ben owns the audio track; Ana owns nothing.
    auto optionsB = clientOptions (server.port(), "Ben");
    optionsB.requestedInstruments = { track };
    net::SessionClient ben (optionsB);
    net::SessionClient ana (clientOptions (server.port(), "Ana"));
    std::mutex mutex;
    std::vector<msg::ActionRejected> rejections;
    auto collect = [&] (const protocol::Message& m)
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
    REQUIRE (ana.connect().wasOk());
    REQUIRE (eventually ([&]
                         { return ana.getOwnership().owners.size() == 1 && sameState (server, { &ana, &ben }); }));

    // Ben drags the take two beats later in three steps (one gesture), then trims its start.
    auto now = take;
    for (int step = 1; step <= 3; ++step)
    {
        auto next = now;
        next.start = take.start + step * 320;
        REQUIRE (ben.send (model::action::EditAudioClip { track, now, next }, 5) != 0);
        now = next;
    }
    auto trimmed = now;
    trimmed.start += 480;
    trimmed.offset += 24000;
    trimmed.length -= 24000;
    REQUIRE (ben.send (model::action::EditAudioClip { track, now, trimmed }) != 0);
    REQUIRE (eventually ([&]
                         { return clipsOf (ana.getSession(), track) == std::vector<model::AudioClip> { trimmed } && sameState (server, { &ana, &ben }); }));
    CHECK (ana.getSession() == server.onServer ([&]
                                                { return server.session; }));

    // Ana may not edit Ben's track; Ben's edit of the clip as it was before the trim names a clip that is gone.
    const auto before = server.hash();
    const auto foreign = ana.send (model::action::EditAudioClip { track, trimmed, {}, true });
    const auto stale = ben.send (model::action::EditAudioClip { track, now, take });
    REQUIRE (eventually ([&]
                         {
                             const std::lock_guard lock (mutex);
                             return rejections.size() == 2; }));
    {
        const std::lock_guard lock (mutex);
        for (const auto& r : rejections)
        {
            if (r.requestId == foreign)
                CHECK_THAT (r.reason, Catch::Contains ("belongs to seat") && Catch::Contains ("Ben"));
            else
                CHECK_THAT (r.reason, Catch::Contains ("no such audio clip"));
        }
        CHECK (rejections[0].requestId != rejections[1].requestId);
        CHECK ((rejections[0].requestId == stale || rejections[1].requestId == stale));
    }
    CHECK (server.hash() == before);

    // Ben deletes it: gone on every seat.
    REQUIRE (ben.send (model::action::EditAudioClip { track, trimmed, {}, true }) != 0);
    REQUIRE (eventually ([&]
                         { return clipsOf (ana.getSession(), track).empty() && sameState (server, { &ana, &ben }); }));
    CHECK (ana.getStats().patchFailures == 0);
    CHECK (ben.getStats().patchFailures == 0);
}
