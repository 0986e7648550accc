// Audio recording in the app core (SessionHost): a take recorded while the transport records becomes
// a new audio track in one undo step, its file beside the project ("NAME Audio/"), named relative to
// the project; the project keeps the clip across save and open; a missing take file on open is one
// warning and the session still loads. The engine is driven on this thread with a device-like input.

#include "imbolc_AudioInputTestSupport.h"
#include <imbolc_app/imbolc_app.h>

using namespace imbolc;
using namespace imbolc::test;

namespace
{
/** Renders `calls` blocks of the host's engine with the feed's next input, ticking the host after each. */
void play (app::SessionHost& host, InputFeed& feed, int calls)
{
    for (int c = 0; c < calls; ++c)
    {
        feed.render (host.getEngine(), 1, EngineRig::blockSize);
        host.tick();
    }
}

model::InstrumentId applyCreated (app::SessionHost& host, const model::Action& a)
{
    const auto r = host.apply (a);
    INFO (r.error);
    REQUIRE (r.ok());
    return model::InstrumentId { r.createdId };
}
} // namespace

TEST_CASE ("A recorded take becomes an audio track beside the project in one undo step", "[app][audioin]")
{
    juce::ScopedJuceInitialiser_GUI juce;
    TempFolder folder;
    const auto project = folder.get().getChildFile ("Song.imbolc");
    app::SessionHost host;
    host.prepare (EngineRig::sampleRate, EngineRig::blockSize);
    host.setSession (model::Session {}, project);
    std::vector<juce::String> warnings;
    host.onWarning = [&] (const juce::String& w)
    { warnings.push_back (w); };
    REQUIRE (host.saveAs (project).wasOk());

    model::Source input;
    input.kind = model::SourceKind::audioInput;
    const auto mic = applyCreated (host, model::action::AddInstrument { "Mic", input });
    REQUIRE (host.apply (model::action::SetRecordArm { mic, true }).ok());
    REQUIRE (host.apply (model::action::SetRecording { true }).ok());
    const auto undoDepth = host.getHistory().undoDepth();

    InputFeed feed (2, 96000, 31);
    play (host, feed, 4);
    const auto firstRecorded = feed.position();
    REQUIRE (host.apply (model::action::Play {}).ok());
    play (host, feed, 100);
    REQUIRE (host.apply (model::action::Stop {}).ok());
    play (host, feed, 3);

    const auto& session = host.getSession();
    REQUIRE (session.instruments.size() == 2);
    const auto& track = session.instruments[1];
    CHECK (track.name == "Mic take");
    REQUIRE (track.source.kind == model::SourceKind::audioClips);
    REQUIRE (track.source.clips.size() == 1);
    const auto& clip = track.source.clips[0];
    CHECK (clip.path == "Song Audio/Mic-take.wav");
    CHECK (clip.start == 0);
    CHECK (clip.offset == 0); // no device: no latency
    CHECK (clip.length == 100 * EngineRig::blockSize);
    CHECK (host.getHistory().undoDepth() == undoDepth + 1);

    const auto wav = readWav (folder.get().getChildFile ("Song Audio/Mic-take.wav"));
    REQUIRE (wav.getNumSamples() == 100 * EngineRig::blockSize);
    CHECK (wav.getSample (0, 0) == feed.at (0, firstRecorded));
    CHECK (wav.getSample (1, 999) == feed.at (1, firstRecorded + 999));
    CHECK (warnings.empty());

    // The project keeps the take.
    REQUIRE (host.save().wasOk());
    app::SessionHost reopened;
    reopened.prepare (EngineRig::sampleRate, EngineRig::blockSize);
    REQUIRE (reopened.open (project).wasOk());
    REQUIRE (reopened.getSession().instruments.size() == 2);
    CHECK (reopened.getSession().instruments[1].source.clips == track.source.clips);

    // Undo removes the take's track (the file stays, for redo).
    REQUIRE (host.apply (model::action::Undo {}).ok());
    CHECK (host.getSession().instruments.size() == 1);
    REQUIRE (host.apply (model::action::Redo {}).ok());
    CHECK (host.getSession().instruments.size() == 2);

    // A take file that went missing: the session opens, with one warning naming it.
    folder.get().getChildFile ("Song Audio/Mic-take.wav").deleteFile();
    app::SessionHost lost;
    lost.prepare (EngineRig::sampleRate, EngineRig::blockSize);
    std::vector<juce::String> lostWarnings;
    lost.onWarning = [&] (const juce::String& w)
    { lostWarnings.push_back (w); };
    REQUIRE (lost.open (project).wasOk());
    CHECK (lost.getSession().instruments.size() == 2);
    REQUIRE (lostWarnings.size() == 1);
    CHECK (lostWarnings[0].contains ("Mic-take.wav"));
}
