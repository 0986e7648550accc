// Audio input in the engine (ProcessInput::inputs): an `audio input` instrument plays its device input
// pair through its chain; monitoring off makes it silent; an armed one records exactly its input to a
// WAV while the song plays; the take becomes a clip placed earlier by the stated latency, which plays
// back aligned to the input it recorded (a null test), and undo takes it away. The inputs are
// deterministic noise fed through ProcessInput as a device would feed them.

#include "imbolc_AudioInputTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

TEST_CASE ("An audio input plays its device input pair through the chain sample for sample", "[engine][audioin]")
{
    EngineRig rig;
    const auto mic = addAudioInput (rig, 2);
    InputFeed feed (4, 48000, 7);
    // Calls of one and a half blocks: every call is split into chunks, which must read the inputs at
    // their offsets.
    constexpr int callSize = EngineRig::blockSize * 3 / 2;
    Rendered out = feed.render (rig.engine, 100, callSize);

    // The strip's level is 0.8 and its centre pan unity; nothing else touches the signal. From after the
    // chain's fade-in on, each output sample is exactly its input sample times the level.
    const std::size_t settled = 2048;
    std::size_t mismatches = 0;
    for (std::size_t i = settled; i < out.left.size(); ++i)
    {
        mismatches += out.left[i] != feed.at (2, i) * 0.8f ? 1 : 0;
        mismatches += out.right[i] != feed.at (3, i) * 0.8f ? 1 : 0;
    }
    CHECK (mismatches == 0);
    CHECK (rms (out.left, settled, out.left.size()) > 0.1f);

    // A device with only the pair's first channel gives it to both sides.
    InputFeed mono (3, 48000, 8);
    out = mono.render (rig.engine, 20, callSize);
    std::size_t monoMismatches = 0;
    for (std::size_t i = 0; i < out.left.size(); ++i)
        monoMismatches += (out.left[i] != mono.at (2, i) * 0.8f || out.right[i] != mono.at (2, i) * 0.8f) ? 1 : 0;
    CHECK (monoMismatches == 0);
    (void) mic;
}

TEST_CASE ("An audio input with monitoring off is silent, and heard again when it is back on", "[engine][audioin]")
{
    EngineRig rig;
    const auto mic = addAudioInput (rig, 0);
    InputFeed feed (2, 96000, 9);
    auto out = feed.render (rig.engine, 20, EngineRig::blockSize);
    REQUIRE (rms (out.left, 2048, out.left.size()) > 0.1f);

    auto source = rig.session.instruments.find (mic)->source;
    source.monitoring = false;
    rig.act (model::action::SetSource { mic, source });
    out = feed.render (rig.engine, 40, EngineRig::blockSize);
    // The old chain fades out over the engine's fade (10 ms); after that, exact silence.
    CHECK (peak (out.left, 1024, out.left.size()) == 0.0f);
    CHECK (peak (out.right, 1024, out.right.size()) == 0.0f);

    rig.act (model::action::Undo {});
    REQUIRE (rig.session.instruments.find (mic)->source.monitoring);
    out = feed.render (rig.engine, 40, EngineRig::blockSize);
    CHECK (rms (out.left, 2048, out.left.size()) > 0.1f);
}

TEST_CASE ("Recording writes exactly the armed input's samples to a WAV, from the song's first sample to its last", "[engine][audioin]")
{
    TempFolder folder;
    EngineRig rig;
    rig.engine.setRecordingFolder (folder.get());
    const auto mic = addAudioInput (rig, 1);
    const auto other = addAudioInput (rig, 0); // not armed: not recorded
    rig.act (model::action::SetRecordArm { mic, true });
    rig.act (model::action::SetRecording { true });
    InputFeed feed (3, 200000, 11);
    constexpr int callSize = 300; // not a block multiple: chunks of 256 and 44

    feed.render (rig.engine, 5, callSize); // stopped: nothing is recorded
    REQUIRE (rig.engine.takeRecordedTakes().empty());
    const auto firstRecorded = feed.position();
    rig.act (model::action::Play {});
    CHECK (rig.engine.isRecordingAudio());
    constexpr int recordedCalls = 160; // one second
    feed.render (rig.engine, recordedCalls, callSize);
    rig.act (model::action::Stop {});
    feed.render (rig.engine, 3, callSize);
    CHECK_FALSE (rig.engine.isRecordingAudio());

    const auto takes = rig.engine.takeRecordedTakes();
    REQUIRE (takes.size() == 1);
    const auto& take = takes[0];
    CHECK (take.instrument == mic);
    CHECK (take.file.getParentDirectory() == folder.get());
    CHECK (take.samples == recordedCalls * callSize);
    CHECK (take.droppedSamples == 0);
    CHECK (take.firstTick == 0.0);
    CHECK (take.ticksPerSample == Approx (model::ticksPerBeat * 2.0 / EngineRig::sampleRate));

    const auto wav = readWav (take.file);
    REQUIRE (wav.getNumChannels() == 2);
    REQUIRE (wav.getNumSamples() == recordedCalls * callSize);
    std::size_t mismatches = 0;
    for (int i = 0; i < wav.getNumSamples(); ++i)
    {
        mismatches += wav.getSample (0, i) != feed.at (1, firstRecorded + (std::size_t) i) ? 1 : 0;
        mismatches += wav.getSample (1, i) != feed.at (2, firstRecorded + (std::size_t) i) ? 1 : 0;
    }
    CHECK (mismatches == 0);
    CHECK (folder.get().getNumberOfChildFiles (juce::File::findFiles) == 1); // the unarmed input wrote nothing
    (void) other;
}

TEST_CASE ("A take's clip lands at the latency-compensated tick and plays back aligned with the input it recorded", "[engine][audioin]")
{
    TempFolder folder;
    EngineRig rig;
    rig.engine.setRecordingFolder (folder.get());
    constexpr int latency = 317; // the device's input + output latency, as AudioOutput would state it
    rig.engine.setRecordingLatency (latency);
    const auto mic = addAudioInput (rig, 0);
    rig.act (model::action::SetRecordArm { mic, true });
    rig.act (model::action::SetRecording { true });
    constexpr model::Tick recordFrom = model::ticksPerBeat * 2; // one second in at 120 BPM
    rig.act (model::action::Locate { recordFrom });

    InputFeed feed (2, 400000, 12);
    feed.render (rig.engine, 2, EngineRig::blockSize);
    const auto firstRecorded = feed.position();
    rig.act (model::action::Play {});
    feed.render (rig.engine, 200, EngineRig::blockSize);
    rig.act (model::action::Stop {});
    feed.render (rig.engine, 2, EngineRig::blockSize);
    auto takes = rig.engine.takeRecordedTakes();
    REQUIRE (takes.size() == 1);
    const auto& take = takes[0];
    CHECK (take.latencySamples == latency);
    CHECK (take.firstTick == Approx ((double) recordFrom).margin (1e-9));

    // 317 samples at 50 samples per tick is 6.34 ticks: the clip starts on tick 954 (953.66 rounded up)
    // and skips the file's first 17 samples, which belong 0.34 ticks before it.
    const auto clip = take.toClip (take.file.getFullPathName().toStdString());
    CHECK (clip.start == 954);
    CHECK (clip.offset == 17);
    CHECK (clip.length == take.samples - 17);

    // The input instrument goes; an audio track with the take comes, at unity level.
    rig.act (model::action::DeleteInstrument { mic });
    model::Source track;
    track.kind = model::SourceKind::audioClips;
    track.clips = { clip };
    const auto trackId = model::InstrumentId { rig.act (model::action::AddInstrument { "Mic take", track }) };
    rig.setParam (model::ParamAddress::instrument (trackId, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level), 1.0f);
    rig.act (model::action::Locate { 0 });
    feed.render (rig.engine, 10, EngineRig::blockSize); // the glide to unity ends while stopped
    rig.act (model::action::Play {});
    const int songSamples = 48000 + 200 * EngineRig::blockSize;
    const auto played = feed.render (rig.engine, songSamples / EngineRig::blockSize + 4, EngineRig::blockSize);

    // The null test: song sample m carries what the input gave at song sample m + latency, from the
    // clip's start (tick 954, sample 47,700: the 17 samples before it, under a tick, are cut) to the
    // take's end.
    const auto recordedAt = (std::size_t) (48000 - latency); // where the take's first sample belongs
    const auto clipStart = (std::size_t) (954 * 50);
    double residual = 0.0, signal = 0.0;
    std::size_t outsideNonZero = 0;
    for (std::size_t m = 0; m < played.left.size(); ++m)
    {
        const bool inside = m >= clipStart && m - recordedAt < (std::size_t) take.samples;
        const float expected = inside ? feed.at (0, firstRecorded + (m - recordedAt)) : 0.0f;
        if (! inside)
            outsideNonZero += played.left[m] != 0.0f ? 1 : 0;
        residual = std::max (residual, (double) std::abs (played.left[m] - expected));
        signal = std::max (signal, (double) std::abs (expected));
    }
    CHECK (signal > 0.3);
    CHECK (residual == 0.0);
    CHECK (outsideNonZero == 0);

    // Undo takes the track away (the level change first, then the track): the song is silent again.
    rig.act (model::action::Undo {});
    rig.act (model::action::Undo {});
    CHECK (rig.session.instruments.find (trackId) == nullptr);
    rig.act (model::action::Stop {});
    rig.act (model::action::Locate { 950 });
    rig.act (model::action::Play {});
    const auto after = feed.render (rig.engine, 200, EngineRig::blockSize);
    CHECK (peak (after.left, 1024, after.left.size()) == 0.0f);
}

TEST_CASE ("An audio clip whose file is missing is one warning, the session still plays", "[engine][audioin]")
{
    EngineRig rig;
    model::Source track;
    track.kind = model::SourceKind::audioClips;
    track.clips = { { "no such folder/gone.wav", 0, 0, 1000, 1.0f } };
    rig.act (model::action::AddInstrument { "Lost take", track });
    const auto synth = rig.addInstrument (model::BuiltInSource::saw);
    rig.engine.loadSession (rig.session);
    const auto warnings = rig.engine.takeWarnings();
    REQUIRE (warnings.size() == 1);
    CHECK (warnings[0].contains ("gone.wav"));
    CHECK (warnings[0].contains ("audio clip 1 of instrument 'Lost take'"));

    rig.engine.noteOn (synth, 60, 0.8f);
    std::vector<float> left, right;
    rig.render (20, left, right);
    CHECK (rms (left, 1024, left.size()) > 0.01f);
}
