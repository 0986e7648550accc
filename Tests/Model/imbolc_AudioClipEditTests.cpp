// Per-clip edits of an audio track (model::action::EditAudioClip): move, trim, gain and delete, each one
// undo step, the clips kept sorted, bad values and stale clips refused whole with one sentence, and the
// action's wire round trip (what carries it to network seats).

#include "imbolc_TestHelpers.h"

using namespace imbolc;
using namespace imbolc::model;
using test::applyOk;

namespace
{
struct AudioTrackFixture
{
    test::Fixture f;
    const AudioClip first { "Song Audio/Take 1.wav", 0, 0, 48000, 1.0f };
    const AudioClip second { "Song Audio/Take 2.wav", 1920, 100, 24000, 0.5f };
    InstrumentId id;

    AudioTrackFixture()
    {
        Source s;
        s.kind = SourceKind::audioClips;
        s.clips = { first, second };
        id = InstrumentId { applyOk (f.dispatcher, action::AddInstrument { "Mic take", s }).createdId };
    }

    const std::vector<AudioClip>& clips() const { return f.session.instruments.find (id)->source.clips; }
};
} // namespace

TEST_CASE ("EditAudioClip moves a clip past another, re-sorted, and one undo puts it back", "[model][audioclips]")
{
    AudioTrackFixture t;
    const auto before = t.f.session;
    const auto depth = t.f.dispatcher.getHistory().undoDepth();
    auto moved = t.first;
    moved.start = 3840;
    const auto r = applyOk (t.f.dispatcher, action::EditAudioClip { t.id, t.first, moved });
    CHECK (t.clips() == std::vector<AudioClip> { t.second, moved });
    CHECK (validate (t.f.session).empty());
    CHECK (t.f.dispatcher.getHistory().undoDepth() == depth + 1);
    CHECK (editName (t.f.session, action::EditAudioClip { t.id, t.first, moved }) == "Edit Audio Clip");
    // The engine rebuilds only this instrument; the network sends only this instrument.
    CHECK (r.changes.audio == std::vector<AudioEffect> { AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, t.id.value) });
    CHECK (r.changes.net.instruments == std::set<InstrumentId> { t.id });
    CHECK_FALSE (r.changes.net.instrumentsStructural);

    applyOk (t.f.dispatcher, action::Undo {});
    CHECK (t.f.session.instruments == before.instruments);
    applyOk (t.f.dispatcher, action::Redo {});
    CHECK (t.clips() == std::vector<AudioClip> { t.second, moved });
}

TEST_CASE ("EditAudioClip trims a clip's start and end and sets its gain", "[model][audioclips]")
{
    AudioTrackFixture t;
    // Trim the start by 480 ticks (12000 samples at 120 bpm, 48 kHz): start, offset and length move together.
    auto trimmed = t.second;
    trimmed.start += 480;
    trimmed.offset += 12000;
    trimmed.length -= 12000;
    applyOk (t.f.dispatcher, action::EditAudioClip { t.id, t.second, trimmed });
    auto quieter = trimmed;
    quieter.gain = 0.25f;
    quieter.length = 6000; // and the end
    applyOk (t.f.dispatcher, action::EditAudioClip { t.id, trimmed, quieter });
    CHECK (t.clips() == std::vector<AudioClip> { t.first, quieter });

    // An edit that changes nothing makes no undo entry.
    const auto depth = t.f.dispatcher.getHistory().undoDepth();
    applyOk (t.f.dispatcher, action::EditAudioClip { t.id, quieter, quieter });
    CHECK (t.f.dispatcher.getHistory().undoDepth() == depth);
}

TEST_CASE ("EditAudioClip with remove deletes the clip in one undo step", "[model][audioclips]")
{
    AudioTrackFixture t;
    const auto before = t.clips();
    applyOk (t.f.dispatcher, action::EditAudioClip { t.id, t.first, {}, true });
    CHECK (t.clips() == std::vector<AudioClip> { t.second });
    CHECK (editName (t.f.session, action::EditAudioClip { t.id, t.first, {}, true }) == "Delete Audio Clip");
    applyOk (t.f.dispatcher, action::Undo {});
    CHECK (t.clips() == before);
}

TEST_CASE ("EditAudioClip refuses bad values, a clip that is not there and other instruments whole", "[model][audioclips]")
{
    AudioTrackFixture t;
    auto refused = [&] (const action::EditAudioClip& a)
    {
        const auto before = t.f.session;
        const auto depth = t.f.dispatcher.getHistory().undoDepth();
        const auto r = t.f.dispatcher.apply (a);
        CHECK_FALSE (r.ok());
        CHECK (t.f.session == before);
        CHECK (t.f.dispatcher.getHistory().undoDepth() == depth);
        CHECK (std::count (r.error.begin(), r.error.end(), '.') >= 1);
        CHECK (r.error.back() == '.');
        return r.error;
    };
    auto with = [&] (auto change)
    {
        auto c = t.first;
        change (c);
        return action::EditAudioClip { t.id, t.first, c };
    };
    CHECK_THAT (refused (with ([] (AudioClip& c)
                               { c.gain = 4.5f; })),
                Catch::Contains ("gain of 4.5"));
    CHECK_THAT (refused (with ([] (AudioClip& c)
                               { c.gain = std::numeric_limits<float>::quiet_NaN(); })),
                Catch::Contains ("gain"));
    CHECK_THAT (refused (with ([] (AudioClip& c)
                               { c.length = 0; })),
                Catch::Contains ("no length"));
    CHECK_THAT (refused (with ([] (AudioClip& c)
                               { c.offset = -1; })),
                Catch::Contains ("starts before"));
    CHECK_THAT (refused (with ([] (AudioClip& c)
                               { c.start = -480; })),
                Catch::Contains ("starts before"));
    CHECK_THAT (refused (with ([] (AudioClip& c)
                               { c.path.clear(); })),
                Catch::Contains ("no file"));
    CHECK_THAT (refused (with ([] (AudioClip& c)
                               { c.offset = std::numeric_limits<std::int64_t>::max(); })),
                Catch::Contains ("beyond any file"));

    // A clip another seat moved first: named by its old value, it is no longer there.
    auto stale = t.first;
    stale.start = 5;
    CHECK_THAT (refused ({ t.id, stale, t.first }), Catch::Contains ("no such audio clip"));
    CHECK_THAT (refused ({ t.id, stale, {}, true }), Catch::Contains ("no such audio clip"));
    CHECK_THAT (refused ({ InstrumentId { 4242 }, t.first, t.first }), Catch::Contains ("4242"));

    const auto synth = InstrumentId { applyOk (t.f.dispatcher, action::AddInstrument { "Saw", Source {} }).createdId };
    CHECK_THAT (refused ({ synth, t.first, t.first }), Catch::Contains ("not an audio track"));
}

TEST_CASE ("Gesture edits of one clip (a drag) undo as one step", "[model][audioclips]")
{
    AudioTrackFixture t;
    const auto before = t.clips();
    auto& history = t.f.dispatcher.getHistory();
    const auto depth = history.undoDepth();
    auto now = t.first;
    history.setGesture (7);
    for (int step = 1; step <= 5; ++step)
    {
        auto next = now;
        next.start = step * 240;
        applyOk (t.f.dispatcher, action::EditAudioClip { t.id, now, next });
        now = next;
    }
    history.setGesture (0);
    CHECK (history.undoDepth() == depth + 1);
    applyOk (t.f.dispatcher, action::Undo {});
    CHECK (t.clips() == before);
}
