// Audio tracks in the model: an audio-input source's monitoring switch and an audio track's clips
// (model::Source::monitoring, model::Source::clips, SourceKind::audioClips), edited through SetSource
// and AddInstrument (one undo step each), and refused whole when a clip is malformed.

#include "imbolc_TestHelpers.h"

using namespace imbolc;
using namespace imbolc::model;
using test::applyOk;

namespace
{
Source audioTrack (std::vector<AudioClip> clips)
{
    Source s;
    s.kind = SourceKind::audioClips;
    s.clips = std::move (clips);
    return s;
}

std::string refusal (Dispatcher& d, const Action& a)
{
    const auto before = d.getSession();
    const auto depth = d.getHistory().undoDepth();
    const auto r = d.apply (a);
    CHECK (d.getSession() == before);
    CHECK (d.getHistory().undoDepth() == depth);
    return r.error;
}
} // namespace

TEST_CASE ("An audio track with a recorded take is added in one undo step and undo removes it", "[model][audioin]")
{
    test::Fixture f;
    const AudioClip take { "Song Audio/Mic-take.wav", 954, 17, 48000, 1.0f };
    const auto before = f.session;
    const auto id = InstrumentId { applyOk (f.dispatcher, action::AddInstrument { "Mic take", audioTrack ({ take }) }).createdId };
    const auto* inst = f.session.instruments.find (id);
    REQUIRE (inst != nullptr);
    CHECK (inst->source.kind == SourceKind::audioClips);
    REQUIRE (inst->source.clips.size() == 1);
    CHECK (inst->source.clips[0] == take);
    CHECK (validate (f.session).empty());

    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.instruments.find (id) == nullptr);
    CHECK (f.session.instruments == before.instruments);
    applyOk (f.dispatcher, action::Redo {});
    REQUIRE (f.session.instruments.find (id) != nullptr);
    CHECK (f.session.instruments.find (id)->source.clips == std::vector<AudioClip> { take });
}

TEST_CASE ("Monitoring of an audio input is switched by SetSource and undone", "[model][audioin]")
{
    test::Fixture f;
    Source input;
    input.kind = SourceKind::audioInput;
    input.inputChannel = 2;
    CHECK (input.monitoring); // a new input is heard
    const auto id = InstrumentId { applyOk (f.dispatcher, action::AddInstrument { "Mic", input }).createdId };
    auto off = input;
    off.monitoring = false;
    const auto r = applyOk (f.dispatcher, action::SetSource { id, off });
    CHECK_FALSE (f.session.instruments.find (id)->source.monitoring);
    CHECK (std::any_of (r.changes.audio.begin(), r.changes.audio.end(), [] (const AudioEffect& e)
                        { return e.kind == AudioEffect::Kind::rebuildInstrument; }));
    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.instruments.find (id)->source.monitoring);
}

TEST_CASE ("Malformed audio clips are refused with one sentence and change nothing", "[model][audioin]")
{
    test::Fixture f;
    const auto id = InstrumentId { applyOk (f.dispatcher, action::AddInstrument { "Track", audioTrack ({ { "a.wav", 0, 0, 10, 1.0f } }) }).createdId };
    const AudioClip good { "a.wav", 480, 0, 100, 1.0f };

    auto with = [] (AudioClip c, auto change)
    {
        change (c);
        return c;
    };
    const std::vector<std::pair<std::vector<AudioClip>, std::string>> cases {
        { { with (good, [] (AudioClip& c) { c.path.clear(); }) }, "audio clip 1 has no file" },
        { { with (good, [] (AudioClip& c) { c.path = std::string ("a\0b", 3); }) }, "audio clip 1 has no file" },
        { { with (good, [] (AudioClip& c) { c.start = -1; }) }, "audio clip 1 starts before the song" },
        { { with (good, [] (AudioClip& c) { c.offset = -5; }) }, "audio clip 1 starts before the song" },
        { { with (good, [] (AudioClip& c) { c.length = 0; }) }, "has no length" },
        { { with (good, [] (AudioClip& c) { c.offset = std::numeric_limits<std::int64_t>::max(); }) }, "ends beyond any file" },
        { { with (good, [] (AudioClip& c) { c.gain = std::numeric_limits<float>::quiet_NaN(); }) }, "has a gain of" },
        { { with (good, [] (AudioClip& c) { c.gain = 5.0f; }) }, "(must be 0 to 4)" },
        { { good, with (good, [] (AudioClip& c) { c.start = 0; }) }, "audio clips are not sorted" },
    };
    for (const auto& [clips, expected] : cases)
    {
        const auto error = refusal (f.dispatcher, action::SetSource { id, audioTrack (clips) });
        INFO (error);
        CHECK (error.find (expected) != std::string::npos);
        CHECK (error.find ("Instrument " + std::to_string (id.value)) == 0); // names the instrument
        CHECK (error.back() == '.');
    }
    std::vector<AudioClip> tooMany (AudioClip::maxClips + 1, good);
    CHECK (refusal (f.dispatcher, action::AddInstrument { "Many", audioTrack (tooMany) }).find ("audio clips (at most 4096)") != std::string::npos);

    // validate() (project load) applies the same rules.
    auto session = f.session;
    session.instruments[0].source.clips[0].length = -1;
    CHECK (validate (session).find ("has no length") != std::string::npos);
}
