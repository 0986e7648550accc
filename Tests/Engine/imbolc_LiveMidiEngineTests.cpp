// Live MIDI in the engine: what ProcessInput::midi plays is reported to the message thread (notes with
// the song position of their exact sample, controllers, pitch bend); learned MIDI mappings set their
// parameter at the controller's sample; a count-in clicks each beat before the record position.

#include "imbolc_EngineTestSupport.h"

using namespace imbolc;
using namespace imbolc::model;
using test::EngineRig;

namespace
{
constexpr int block = EngineRig::blockSize;
// 120 BPM at 48 kHz: 2 beats a second, 480 ticks a beat.
constexpr double ticksPerSample = 120.0 / 60.0 * ticksPerBeat / EngineRig::sampleRate;

ParamAddress levelOf (InstrumentId id)
{
    return ParamAddress::instrument (id, ParamGroup::strip, (std::uint16_t) StripParam::level);
}

void renderWith (EngineRig& rig, std::vector<float>& out, int n, const juce::MidiBuffer* midi)
{
    std::vector<float> l ((std::size_t) n), r ((std::size_t) n);
    float* outs[] = { l.data(), r.data() };
    engine::ProcessInput input;
    input.midi = midi;
    rig.engine.process (outs, 2, n, input);
    out.insert (out.end(), l.begin(), l.end());
}

InstrumentId playingSaw (EngineRig& rig, float level)
{
    const auto id = rig.addInstrument (BuiltInSource::saw);
    rig.setParam (levelOf (id), level);
    rig.engine.noteOn (id, 45, 0.5f);
    std::vector<float> ignored;
    for (int b = 0; b < 20; ++b)
        renderWith (rig, ignored, block, nullptr);
    rig.engine.update();
    return id;
}
} // namespace

TEST_CASE ("Live MIDI reaches the message thread with the tick of its exact sample, its instrument and its kind", "[engine][livemidi]")
{
    EngineRig rig;
    const auto id = rig.addInstrument (BuiltInSource::saw);
    const auto other = rig.addInstrument (BuiltInSource::sine);
    rig.act (action::SetMidiChannel { other, 5 });
    rig.engine.setMidiInputInstrument (id);

    std::vector<float> out;
    renderWith (rig, out, block, nullptr); // stopped
    rig.act (action::Play {});
    // Played from tick 0 at the first sample of the next call.
    const std::int64_t playStart = rig.engine.getAudioGraph().getSampleTime();

    juce::MidiBuffer first, second;
    first.addEvent (juce::MidiMessage::noteOn (1, 60, (juce::uint8) 100), 17);
    first.addEvent (juce::MidiMessage::controllerEvent (3, 74, 99), 200);
    second.addEvent (juce::MidiMessage::noteOn (1, 60, (juce::uint8) 0), 3); // a note-on of velocity 0 ends the note
    second.addEvent (juce::MidiMessage::pitchWheel (2, 12345), 100);
    second.addEvent (juce::MidiMessage::noteOn (5, 64, (juce::uint8) 80), 250); // channel 5 plays `other`
    renderWith (rig, out, block, &first);
    renderWith (rig, out, block, &second);
    // A call of 1.5 blocks is rendered in two chunks: the event in the second chunk keeps its sample.
    juce::MidiBuffer third;
    third.addEvent (juce::MidiMessage::noteOff (5, 64), block + 40);
    renderWith (rig, out, block + block / 2, &third);
    rig.engine.update();

    const auto live = rig.engine.takeLiveMidi();
    REQUIRE (live.size() == 6);
    using K = engine::CapturedMidi::Kind;
    auto expectAt = [&] (const engine::Engine::LiveMidi& m, std::int64_t sample)
    {
        CHECK (m.sampleTime == playStart + sample);
        CHECK (m.tick == Approx ((double) sample * ticksPerSample).margin (1.0e-6));
        CHECK (m.playing);
    };
    CHECK (live[0].kind == K::noteOn);
    CHECK (live[0].number == 60);
    CHECK (live[0].value == 100);
    CHECK (live[0].instrument == id);
    expectAt (live[0], 17);
    CHECK (live[1].kind == K::controller);
    CHECK (live[1].channel == 3);
    CHECK (live[1].number == 74);
    CHECK (live[1].value == 99);
    expectAt (live[1], 200);
    CHECK (live[2].kind == K::noteOff);
    expectAt (live[2], block + 3);
    CHECK (live[3].kind == K::pitchBend);
    CHECK (live[3].channel == 2);
    CHECK (live[3].value == 12345);
    expectAt (live[3], block + 100);
    CHECK (live[4].kind == K::noteOn);
    CHECK (live[4].instrument == other);
    expectAt (live[4], block + 250);
    // The last one was in the second chunk of the long call.
    CHECK (live[5].kind == K::noteOff);
    CHECK (live[5].instrument == other);
    expectAt (live[5], 3 * block + 40);
    CHECK (rig.engine.getLiveMidiDrops() == 0);
    CHECK (rig.engine.takeLiveMidi().empty());
}

TEST_CASE ("Live MIDI while stopped is reported at the stopped position, a full queue drops and counts", "[engine][livemidi]")
{
    EngineRig rig;
    const auto id = rig.addInstrument (BuiltInSource::saw);
    rig.engine.setMidiInputInstrument (id);
    rig.act (action::Locate { 960 });
    std::vector<float> out;
    juce::MidiBuffer midi;
    midi.addEvent (juce::MidiMessage::noteOn (1, 50, (juce::uint8) 70), 10);
    renderWith (rig, out, block, &midi);
    auto live = rig.engine.takeLiveMidi();
    REQUIRE (live.size() == 1);
    CHECK_FALSE (live[0].playing);
    CHECK (live[0].tick == Approx (960.0));

    // Nobody drains: 100 blocks of 200 controllers (20,000) overflow the queue (it holds at least its
    // capacity, rounded up to its block size); the rest are counted.
    juce::MidiBuffer flood;
    for (int i = 0; i < 200; ++i)
        flood.addEvent (juce::MidiMessage::controllerEvent (1, 1, i % 128), i);
    for (int b = 0; b < 100; ++b)
        renderWith (rig, out, block, &flood);
    const auto received = rig.engine.takeLiveMidi().size();
    CHECK (received >= (std::size_t) engine::AudioGraph::Capacity {}.capturedMidi);
    CHECK (received < 20000);
    CHECK (received + rig.engine.getLiveMidiDrops() == 20000);
}

TEST_CASE ("A learned controller sets its parameter at the controller's exact sample, through its range and curve", "[engine][livemidi][midilearn]")
{
    EngineRig rig, reference;
    const auto id = playingSaw (rig, 0.8f);
    playingSaw (reference, 1.0f);

    const auto curve = GENERATE (MidiCurve::linear, MidiCurve::exponential, MidiCurve::logarithmic);
    MidiMapping mapping;
    mapping.source = MidiSource::controller;
    mapping.channel = 2;
    mapping.controller = 7;
    mapping.param = levelOf (id);
    mapping.min = 0.2f;
    mapping.max = 1.5f;
    mapping.curve = curve;
    rig.act (action::AddMidiMapping { mapping });

    // Controller 7 on channel 2 at samples 100 and 300 (the second chunk of a 1.5-block call), and
    // two that must not move it: controller 8, and controller 7 on channel 3.
    juce::MidiBuffer midi;
    midi.addEvent (juce::MidiMessage::controllerEvent (2, 7, 32), 100);
    midi.addEvent (juce::MidiMessage::controllerEvent (2, 8, 127), 150);
    midi.addEvent (juce::MidiMessage::controllerEvent (3, 7, 127), 160);
    midi.addEvent (juce::MidiMessage::controllerEvent (2, 7, 127), 300);
    const int n = block + block / 2;
    std::vector<float> out, ref;
    renderWith (rig, out, n, &midi);
    renderWith (reference, ref, n, nullptr);

    const auto at100 = mapping.valueFor (32.0f / 127.0f);
    const auto at300 = mapping.valueFor (1.0f);
    int compared = 0;
    for (int i = 0; i < n; ++i)
    {
        if (std::abs (ref[(std::size_t) i]) < 1.0e-3f)
            continue;
        const float expected = i < 100 ? 0.8f : (i < 300 ? at100 : at300);
        INFO ("sample " << i);
        REQUIRE (out[(std::size_t) i] / ref[(std::size_t) i] == Approx (expected).epsilon (1.0e-4));
        ++compared;
    }
    CHECK (compared > n * 9 / 10);
    // The value is the curve's: at 32/127 of the travel, the exponential curve stays low and the
    // logarithmic one is past the middle.
    const auto x = 32.0f / 127.0f;
    const auto shaped = (at100 - 0.2f) / 1.3f;
    if (curve == MidiCurve::linear)
        CHECK (shaped == Approx (x).epsilon (1.0e-5));
    else if (curve == MidiCurve::exponential)
        CHECK (shaped < x * 0.5f);
    else
        CHECK (shaped > 0.5f);
    CHECK (rig.engine.getParameterValueWhileStopped (levelOf (id)) == Approx (1.5f));
}

TEST_CASE ("Pitch bend drives its mapping on any channel, forgetting the mapping or deleting its instrument stops it", "[engine][livemidi][midilearn]")
{
    EngineRig rig;
    const auto id = playingSaw (rig, 0.8f);
    MidiMapping mapping;
    mapping.source = MidiSource::pitchBend;
    mapping.channel = 0;
    mapping.param = levelOf (id);
    mapping.min = 1.0f;
    mapping.max = 0.0f; // inverted
    rig.act (action::AddMidiMapping { mapping });

    std::vector<float> out;
    juce::MidiBuffer midi;
    midi.addEvent (juce::MidiMessage::pitchWheel (9, 16383 / 4), 5);
    renderWith (rig, out, block, &midi);
    CHECK (rig.engine.getParameterValueWhileStopped (levelOf (id)) == Approx (1.0f - (float) (16383 / 4) / 16383.0f));
    CHECK (rig.engine.getAudioGraph().getMidiMapTarget (0).source == MidiSource::pitchBend);

    rig.act (action::RemoveMidiMapping { levelOf (id) });
    juce::MidiBuffer again;
    again.addEvent (juce::MidiMessage::pitchWheel (9, 0), 5);
    renderWith (rig, out, block, &again);
    CHECK (rig.engine.getParameterValueWhileStopped (levelOf (id)) == Approx (1.0f - (float) (16383 / 4) / 16383.0f));
    CHECK (rig.engine.getAudioGraph().getMidiMapTarget (0).target.kind == engine::MacroTarget::Kind::none);

    // Undo brings it back (the engine hears of it); deleting the instrument takes it away in the same step.
    rig.act (action::Undo {});
    renderWith (rig, out, block, nullptr);
    CHECK (rig.engine.getAudioGraph().getMidiMapTarget (0).target.kind != engine::MacroTarget::Kind::none);
    rig.act (action::DeleteInstrument { id });
    CHECK (rig.session.settings.midiMappings.empty());
    renderWith (rig, out, block, nullptr);
    CHECK (rig.engine.getAudioGraph().getMidiMapTarget (0).target.kind == engine::MacroTarget::Kind::none);
}

TEST_CASE ("A count-in clicks each beat of its bars before the record position, then the song plays from there", "[engine][livemidi][countin]")
{
    EngineRig rig;
    // Nothing else sounds: every sample of the output is the click's.
    const int bars = GENERATE (1, 2);
    rig.act (action::Locate { 0 });
    rig.engine.startCountIn (rig.session, bars);
    rig.act (action::Play {});
    const int beatSamples = 24000; // a beat at 120 BPM: half a second
    const int total = bars * 4 * beatSamples + beatSamples;
    std::vector<float> out;
    while ((int) out.size() < total)
        renderWith (rig, out, block, nullptr);
    rig.engine.update();

    // A click starts on each beat's sample (whatever latency the master's safety limiter adds, the
    // same for all), the bar's first one louder; nothing sounds once the record position is reached.
    std::vector<std::size_t> onsets;
    std::vector<float> peaks;
    for (std::size_t i = 0; i < out.size(); ++i)
        if (std::abs (out[i]) > 1.0e-4f && (onsets.empty() || i > onsets.back() + (std::size_t) beatSamples / 2))
        {
            onsets.push_back (i);
            float p = 0.0f;
            for (auto j = i; j < std::min (out.size(), i + 480); ++j)
                p = std::max (p, std::abs (out[j]));
            peaks.push_back (p);
        }
    REQUIRE (onsets.size() == (std::size_t) bars * 4);
    CHECK (onsets[0] < 64);
    for (std::size_t k = 0; k < onsets.size(); ++k)
    {
        INFO ("beat " << k);
        CHECK (onsets[k] - onsets[0] == k * (std::size_t) beatSamples);
        CHECK (peaks[k] > (k % 4 == 0 ? 0.4f : 0.25f));
        if (k % 4 != 0)
            CHECK (peaks[k] < peaks[k - k % 4]);
        // Each click dies away long before the next.
        for (auto j = onsets[k] + 6000; j < onsets[k] + (std::size_t) beatSamples - 64 && j < out.size(); ++j)
            REQUIRE (std::abs (out[j]) < 1.0e-4f);
    }
    float after = 0.0f;
    for (auto i = onsets.back() + 6000; i < out.size(); ++i)
        after = std::max (after, std::abs (out[i]));
    CHECK (after < 1.0e-4f);
    CHECK_FALSE (rig.engine.getAudioGraph().isCountingIn());
    // The song is where the samples say: the count-in's length before, plus what played since.
    CHECK (rig.engine.getAudioGraph().getSequencer().getPositionTicks()
           == Approx ((double) out.size() * ticksPerSample - bars * 4 * ticksPerBeat).margin (1.0e-6));
}

TEST_CASE ("A count-in clicks as late as delay compensation makes the song, so the two keep time", "[engine][livemidi][countin][latency]")
{
    // The same count-in without and with a look-ahead limiter on a silent instrument: the engine's
    // output latency is then the limiter's look-ahead, the song is heard that much after its samples,
    // and so is every click.
    auto onsetsWith = [] (bool latent, int& latency)
    {
        EngineRig rig;
        if (latent)
            rig.addInstrument (model::BuiltInSource::saw, { EngineRig::effect (model::EffectType::limiter) });
        rig.act (action::Locate { 0 });
        rig.engine.update();
        latency = rig.engine.getOutputLatencySamples();
        rig.engine.startCountIn (rig.session, 1);
        rig.act (action::Play {});
        std::vector<float> out;
        while ((int) out.size() < 5 * 24000)
            renderWith (rig, out, block, nullptr);
        std::vector<std::size_t> onsets;
        for (std::size_t i = 0; i < out.size(); ++i)
            if (std::abs (out[i]) > 1.0e-4f && (onsets.empty() || i > onsets.back() + 12000))
                onsets.push_back (i);
        return onsets;
    };
    int none = -1, some = -1;
    const auto plain = onsetsWith (false, none);
    const auto delayed = onsetsWith (true, some);
    CHECK (none == 0);
    REQUIRE (some > 0);
    REQUIRE (plain.size() == 4);
    REQUIRE (delayed.size() == 4);
    for (std::size_t k = 0; k < 4; ++k)
        CHECK (delayed[k] - plain[k] == (std::size_t) some);
}

TEST_CASE ("Stop during a count-in puts the play head back on the record position, and the clicks stop", "[engine][livemidi][countin]")
{
    EngineRig rig;
    rig.act (action::Locate { 960 });
    std::vector<float> out;
    renderWith (rig, out, block, nullptr);
    rig.engine.startCountIn (rig.session, 1);
    rig.act (action::Play {});
    while ((int) out.size() < block + 30000) // past the count-in's first beat, into its second
        renderWith (rig, out, block, nullptr);
    REQUIRE (rig.engine.getAudioGraph().isCountingIn());
    CHECK (rig.engine.getAudioGraph().getSequencer().getPositionTicks() < 0.0);

    rig.act (action::Stop {});
    out.clear();
    for (int b = 0; b < 200; ++b) // 1 s: two more beats would have clicked
        renderWith (rig, out, block, nullptr);
    CHECK_FALSE (rig.engine.getAudioGraph().isCountingIn());
    CHECK (rig.engine.getAudioGraph().getSequencer().getPositionTicks() == 960.0);
    float late = 0.0f;
    for (std::size_t i = 6000; i < out.size(); ++i) // a click sounding at the stop rings out
        late = std::max (late, std::abs (out[i]));
    CHECK (late < 1.0e-4f);
}
