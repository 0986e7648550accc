// Saving a session whose takes were recorded before it had a file (SessionHost::saveAs / save): the takes
// are copied into the project's "NAME Audio" folder and their clips then name the copies relative to the
// project, so the project folder is self-contained; a file that is missing or cannot be copied is one
// warning and loses nothing (the session still saves, the clip keeps its old path). The take is a real
// recording of the engine, driven on this thread with a device-like input.

#include "imbolc_AudioInputTestSupport.h"
#include <imbolc_app/imbolc_app.h>

using namespace imbolc;
using namespace imbolc::test;

namespace
{
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

float peak (const std::vector<float>& v)
{
    float p = 0.0f;
    for (auto x : v)
        p = std::max (p, std::abs (x));
    return p;
}
} // namespace

TEST_CASE ("Saving an untitled session copies its recorded take beside the project and names it relatively", "[app][audioin][audioclips]")
{
    juce::ScopedJuceInitialiser_GUI juce;
    TempFolder untitled, projectFolder;
    app::SessionHost host;
    host.prepare (EngineRig::sampleRate, EngineRig::blockSize);
    host.setSession (model::Session {}, juce::File());
    // Where an untitled session records (normally "Imbolc recordings" in the temporary folder): a
    // private folder, so parallel test runs do not share it.
    host.getEngine().setRecordingFolder (untitled.get());
    std::vector<juce::String> warnings;
    host.onWarning = [&] (const juce::String& w)
    { warnings.push_back (w); };

    model::Source input;
    input.kind = model::SourceKind::audioInput;
    const auto mic = applyCreated (host, model::action::AddInstrument { "Mic", input });
    REQUIRE (host.apply (model::action::SetRecordArm { mic, true }).ok());
    REQUIRE (host.apply (model::action::SetRecording { true }).ok());
    InputFeed feed (2, 96000, 7);
    REQUIRE (host.apply (model::action::Play {}).ok());
    play (host, feed, 60);
    REQUIRE (host.apply (model::action::Stop {}).ok());
    play (host, feed, 3);

    REQUIRE (host.getSession().instruments.size() == 2);
    const auto takeTrack = host.getSession().instruments[1].id;
    const auto recorded = host.getSession().instruments[1].source.clips;
    REQUIRE (recorded.size() == 1);
    const juce::File original (recorded[0].path);
    REQUIRE (juce::File::isAbsolutePath (recorded[0].path));
    REQUIRE (original.isAChildOf (untitled.get()));
    REQUIRE (original.existsAsFile());
    const auto undoDepth = host.getHistory().undoDepth();

    const auto project = projectFolder.get().getChildFile ("Song.imbolc");
    REQUIRE (host.saveAs (project).wasOk());
    CHECK (warnings.empty());

    // The clip names the copy relative to the project; everything else about it is unchanged.
    const auto& saved = host.getSession().instruments.find (takeTrack)->source.clips;
    REQUIRE (saved.size() == 1);
    CHECK (saved[0].path == "Song Audio/" + original.getFileName().toStdString());
    auto expected = recorded[0];
    expected.path = saved[0].path;
    CHECK (saved[0] == expected);
    const auto copy = projectFolder.get().getChildFile (juce::String (saved[0].path));
    REQUIRE (copy.existsAsFile());
    CHECK (copy.hasIdenticalContentTo (original));
    CHECK (original.existsAsFile()); // copied, not moved: undo history may still name it
    CHECK (host.getHistory().undoDepth() == undoDepth); // saving is not an edit
    CHECK_FALSE (host.isDirty());

    // Saving again copies nothing new and changes nothing.
    REQUIRE (host.save().wasOk());
    CHECK (projectFolder.get().getChildFile ("Song Audio").getNumberOfChildFiles (juce::File::findFiles) == 1);
    CHECK (host.getSession().instruments.find (takeTrack)->source.clips == saved);

    // Save As into another folder takes the audio along: the new project's folder holds it all too.
    {
        TempFolder elsewhere;
        app::SessionHost copyHost;
        copyHost.prepare (EngineRig::sampleRate, EngineRig::blockSize);
        REQUIRE (copyHost.open (project).wasOk());
        const auto moved = elsewhere.get().getChildFile ("Song 2.imbolc");
        REQUIRE (copyHost.saveAs (moved).wasOk());
        const auto& there = copyHost.getSession().instruments[1].source.clips;
        REQUIRE (there.size() == 1);
        CHECK (there[0].path == "Song 2 Audio/" + original.getFileName().toStdString());
        CHECK (elsewhere.get().getChildFile (juce::String (there[0].path)).hasIdenticalContentTo (copy));
    }

    // Without the original, the reopened project loads its take from the project's folder and plays it.
    REQUIRE (original.deleteFile());
    app::SessionHost reopened;
    reopened.prepare (EngineRig::sampleRate, EngineRig::blockSize);
    std::vector<juce::String> reopenWarnings;
    reopened.onWarning = [&] (const juce::String& w)
    { reopenWarnings.push_back (w); };
    REQUIRE (reopened.open (project).wasOk());
    CHECK (reopenWarnings.empty()); // a missing clip file would be a warning
    REQUIRE (reopened.getSession().instruments.size() == 2);
    CHECK (reopened.getSession().instruments[1].source.clips == saved);
    // Only the take sounds: the microphone instrument goes, and the input is silent anyway.
    REQUIRE (reopened.apply (model::action::DeleteInstrument { reopened.getSession().instruments[0].id }).ok());
    REQUIRE (reopened.apply (model::action::Play {}).ok());
    std::vector<float> left;
    std::vector<float> l ((std::size_t) EngineRig::blockSize), r ((std::size_t) EngineRig::blockSize);
    float* outs[] = { l.data(), r.data() };
    for (int c = 0; c < 40; ++c)
    {
        reopened.getEngine().process (outs, 2, EngineRig::blockSize);
        reopened.getEngine().update();
        reopened.tick();
        left.insert (left.end(), l.begin(), l.end());
    }
    CHECK (peak (left) > 0.05f); // the recorded noise peaks near 0.45

    // The same project without its audio folder is silent: the sound came from the copy.
    projectFolder.get().getChildFile ("Song Audio").deleteRecursively();
    app::SessionHost without;
    without.prepare (EngineRig::sampleRate, EngineRig::blockSize);
    std::vector<juce::String> withoutWarnings;
    without.onWarning = [&] (const juce::String& w)
    { withoutWarnings.push_back (w); };
    REQUIRE (without.open (project).wasOk());
    CHECK (withoutWarnings.size() == 1);
}

TEST_CASE ("A take that is missing or cannot be copied is one warning, the session saves and the clip keeps its path", "[app][audioin][audioclips]")
{
    juce::ScopedJuceInitialiser_GUI juce;
    TempFolder scratch, projectFolder;
    app::SessionHost host;
    host.prepare (EngineRig::sampleRate, EngineRig::blockSize);
    host.setSession (model::Session {}, juce::File());
    std::vector<juce::String> warnings;
    host.onWarning = [&] (const juce::String& w)
    { warnings.push_back (w); };

    // A real WAV to copy, and a path where nothing is.
    const auto wav = scratch.get().getChildFile ("Take 1.wav");
    {
        juce::WavAudioFormat format;
        std::unique_ptr<juce::AudioFormatWriter> writer (format.createWriterFor (new juce::FileOutputStream (wav), EngineRig::sampleRate, 1, 16, {}, 0));
        REQUIRE (writer != nullptr);
        juce::AudioBuffer<float> tone (1, 4800);
        for (int i = 0; i < tone.getNumSamples(); ++i)
            tone.setSample (0, i, 0.25f * std::sin ((float) i * 0.05f));
        REQUIRE (writer->writeFromAudioSampleBuffer (tone, 0, tone.getNumSamples()));
    }
    const auto missing = scratch.get().getChildFile ("Gone.wav").getFullPathName().toStdString();
    model::Source track;
    track.kind = model::SourceKind::audioClips;
    track.clips = { model::AudioClip { wav.getFullPathName().toStdString(), 0, 0, 4800, 1.0f }, model::AudioClip { missing, 960, 0, 4800, 1.0f } };
    const auto id = applyCreated (host, model::action::AddInstrument { "Takes", track });
    host.tick();
    // The engine warns of the missing file whenever it loads the track; only the save's own warnings count.
    auto saveWarnings = [&]
    {
        std::vector<juce::String> out;
        for (const auto& w : std::exchange (warnings, {}))
            if (w.contains ("could not be copied"))
                out.push_back (w);
        return out;
    };
    warnings.clear();

    // "Song Audio" is a file, not a folder: the copy cannot be made.
    const auto project = projectFolder.get().getChildFile ("Song.imbolc");
    REQUIRE (projectFolder.get().getChildFile ("Song Audio").replaceWithText ("in the way"));
    REQUIRE (host.saveAs (project).wasOk());
    const auto first = saveWarnings();
    REQUIRE (first.size() == 2);
    CHECK (first[0].contains ("Take 1.wav"));
    CHECK (first[0].contains ("disk full"));
    CHECK (first[1].contains ("Gone.wav"));
    CHECK (first[1].contains ("missing"));
    for (const auto& w : first)
        CHECK (w.trimEnd().endsWith ("."));
    CHECK (host.getSession().instruments.find (id)->source.clips == track.clips);
    CHECK_FALSE (host.isDirty());

    // Once the way is clear, the next save copies the file that exists; the missing one stays named.
    REQUIRE (projectFolder.get().getChildFile ("Song Audio").deleteFile());
    REQUIRE (host.save().wasOk());
    const auto second = saveWarnings();
    REQUIRE (second.size() == 1);
    CHECK (second[0].contains ("Gone.wav"));
    const auto& clips = host.getSession().instruments.find (id)->source.clips;
    REQUIRE (clips.size() == 2);
    CHECK (clips[0].path == "Song Audio/Take 1.wav");
    CHECK (clips[1].path == missing);
    CHECK (projectFolder.get().getChildFile ("Song Audio/Take 1.wav").hasIdenticalContentTo (wav));
}
