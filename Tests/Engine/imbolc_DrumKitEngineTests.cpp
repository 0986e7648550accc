// The drum kit in the engine: its pattern's steps on their exact samples (swing, probability, loop,
// locate, live edits), measured at the source with the sequencer probe; then the kit's own sound
// rendered offline, onsets found on the samples they belong on.

#include "imbolc_SequencerProbe.h"
#include "imbolc_SourceTestSupport.h"

#include <catch2/catch.hpp>

using namespace imbolc;
using namespace imbolc::test;
using model::DrumStep;
using model::action::DrumStepEdit;

namespace
{
constexpr std::int64_t samplesPerStep = 6000; // a sixteenth at 120 BPM and 48 kHz: 120 ticks of 50 samples

model::InstrumentId addKit (EngineRig& rig)
{
    model::Source s;
    s.builtIn = model::BuiltInSource::drumKit;
    return model::InstrumentId { rig.act (model::action::AddInstrument { "Kit", s }) };
}

void steps (EngineRig& rig, model::InstrumentId kit, int pad, std::initializer_list<int> at, DrumStep value = { true, 100, 1.0f })
{
    std::vector<DrumStepEdit> edits;
    for (int s : at)
        edits.push_back ({ pad, s, value });
    rig.act (model::action::SetDrumSteps { kit, edits });
}

std::vector<std::int64_t> onSamples (const ProbeRig& p, int pitch = -1)
{
    std::vector<std::int64_t> out;
    for (const auto& e : p.eventsOf (0, true))
        if (pitch < 0 || e.pitch == pitch)
            out.push_back (e.sample);
    return out;
}

/** Where a sound starts: the first sample above `threshold` after at least `gap` samples at or below
    it (the start of the signal counts as such a gap). */
std::vector<std::int64_t> onsets (const std::vector<float>& x, float threshold = 1.0e-6f, std::size_t gap = 1000)
{
    std::vector<std::int64_t> out;
    std::size_t quiet = gap;
    for (std::size_t i = 0; i < x.size(); ++i)
    {
        if (std::abs (x[i]) > threshold)
        {
            if (quiet >= gap)
                out.push_back ((std::int64_t) i);
            quiet = 0;
        }
        else
            ++quiet;
    }
    return out;
}

/** An engine with a drum kit whose pads are short (so each hit has died away before the next), its
    chain faded in, stopped at tick 0: play() starts the pattern on the first sample recorded. */
struct KitRig
{
    EngineRig rig;
    model::InstrumentId kit = addKit (rig);
    std::vector<float> left, right;

    KitRig()
    {
        for (int p = 0; p < model::DrumKit::numPads; ++p)
        {
            auto pad = rig.session.instruments.find (kit)->drums.pads[(std::size_t) p];
            pad.decay = 0.05f; // 80 dB down (the voice's end) in 67 ms: well inside a step
            rig.act (model::action::SetDrumPad { kit, p, pad });
        }
        rig.render (20, left, right);
        REQUIRE (peak (left, 0, left.size()) == 0.0f);
    }

    void play (int blocks)
    {
        left.clear();
        right.clear();
        rig.act (model::action::Play {});
        rig.render (blocks, left, right);
    }
};
} // namespace

TEST_CASE ("Drum pattern: steps play on their exact samples, every cycle, from tick 0", "[engine][drums]")
{
    ProbeRig p;
    const auto kit = addKit (p.rig);
    steps (p.rig, kit, 0, { 0, 4, 8, 12 }, { true, 110, 1.0f }); // kick
    steps (p.rig, kit, 6, { 2, 6, 10, 14 }, { true, 70, 1.0f }); // closed hat
    p.rig.act (model::action::Play {});
    p.renderSamples (3 * 16 * samplesPerStep - 100); // three cycles, not the fourth's first step

    const auto kicks = onSamples (p, 36);
    REQUIRE (kicks.size() == 12);
    for (std::size_t i = 0; i < kicks.size(); ++i)
        CHECK (kicks[i] == (std::int64_t) i * 4 * samplesPerStep); // 0, 24000, 48000, ... across cycles
    const auto hats = onSamples (p, 42);
    REQUIRE (hats.size() == 12);
    for (std::size_t i = 0; i < hats.size(); ++i)
        CHECK (hats[i] == (std::int64_t) (2 + 4 * i) * samplesPerStep);
    for (const auto& e : p.eventsOf (0, true))
        CHECK (e.velocity == (e.pitch == 36 ? 110 : 70));
    // The same tick maps to the same sample as a piano-roll note there would (expectedSample).
    CHECK (kicks[5] == expectedSample (5 * 480.0, 120.0));
}

TEST_CASE ("Drum pattern: steps per beat and length set the grid, another tempo moves it", "[engine][drums]")
{
    ProbeRig p;
    const auto kit = addKit (p.rig);
    p.rig.act (model::action::SetDrumPattern { kit, 24, 3, 0.0f }); // triplet eighths: 160 ticks a step
    steps (p.rig, kit, 2, { 0, 1, 23 });
    p.rig.act (model::action::SetBpm { 93.0 });
    p.rig.act (model::action::Play {});
    const double cycle = 24 * 160.0;
    p.renderSamples (expectedSample (2 * cycle - 10, 93.0));
    const auto on = onSamples (p, 38);
    REQUIRE (on.size() == 6);
    const double ticks[] = { 0, 160, 23 * 160, cycle, cycle + 160, cycle + 23 * 160 };
    for (std::size_t i = 0; i < 6; ++i)
        CHECK (on[i] == expectedSample (ticks[i], 93.0));
}

TEST_CASE ("Drum pattern: swing delays the odd steps by swing x half a step", "[engine][drums]")
{
    for (float swing : { 0.0f, 0.5f, 1.0f })
    {
        ProbeRig p;
        const auto kit = addKit (p.rig);
        p.rig.act (model::action::SetDrumPattern { kit, 16, 4, swing });
        steps (p.rig, kit, 6, { 0, 1, 2, 3, 15 });
        p.rig.act (model::action::Play {});
        p.renderSamples (16 * samplesPerStep + 100);
        const auto on = onSamples (p, 42);
        INFO ("swing " << swing);
        REQUIRE (on.size() == 6);
        const auto delay = (std::int64_t) std::lround (swing * samplesPerStep / 2); // 0, 1500, 3000
        CHECK (on[0] == 0);
        CHECK (on[1] == samplesPerStep + delay);
        CHECK (on[2] == 2 * samplesPerStep);
        CHECK (on[3] == 3 * samplesPerStep + delay);
        CHECK (on[4] == 15 * samplesPerStep + delay);
        CHECK (on[5] == 16 * samplesPerStep); // the next cycle
    }
}

TEST_CASE ("Drum pattern: probability 0 never plays, 1 always, and a half plays some cycles the same way every run", "[engine][drums]")
{
    auto run = []
    {
        ProbeRig p;
        const auto kit = addKit (p.rig);
        steps (p.rig, kit, 0, { 0 }, { true, 100, 1.0f });
        steps (p.rig, kit, 1, { 4 }, { true, 100, 0.0f });
        steps (p.rig, kit, 2, { 8 }, { true, 100, 0.5f });
        p.rig.act (model::action::Play {});
        p.renderSamples (40 * 16 * samplesPerStep);
        return std::make_pair (onSamples (p, 36).size(), onSamples (p, 37).size() * 1000 + onSamples (p, 38).size());
    };
    const auto [always, others] = run();
    CHECK (always == 40);
    CHECK (others / 1000 == 0); // probability 0: silent
    const auto half = others % 1000;
    CHECK (half > 8); // about 20 of 40, rolled anew every cycle
    CHECK (half < 32);
    CHECK (run().second == others); // deterministic
}

TEST_CASE ("Drum pattern: a loop region replays its part of the pattern, and a locate lands mid-pattern", "[engine][drums]")
{
    SECTION ("loop")
    {
        ProbeRig p;
        const auto kit = addKit (p.rig);
        steps (p.rig, kit, 0, { 0, 4, 8, 12 });
        p.rig.act (model::action::SetLoop { { true, 0, 960 } }); // two beats: steps 0 to 7
        p.rig.act (model::action::Play {});
        const std::int64_t loop = 8 * samplesPerStep;
        p.renderSamples (3 * loop - EngineRig::blockSize); // not the fourth pass's first step
        const auto on = onSamples (p, 36);
        REQUIRE (on.size() == 6);
        for (int pass = 0; pass < 3; ++pass)
        {
            CHECK (on[(std::size_t) (2 * pass)] == pass * loop);
            CHECK (on[(std::size_t) (2 * pass + 1)] == pass * loop + 4 * samplesPerStep);
        }
    }
    SECTION ("a loop that starts mid-cycle plays the steps under it")
    {
        ProbeRig p;
        const auto kit = addKit (p.rig);
        steps (p.rig, kit, 0, { 0, 4, 8, 12 });
        p.rig.act (model::action::SetLoop { { true, 1920 + 960, 1920 + 1920 } }); // the second half of cycle 2
        p.rig.act (model::action::Locate { 1920 + 960 });
        p.rig.act (model::action::Play {});
        const std::int64_t loop = 8 * samplesPerStep;
        p.renderSamples (2 * loop - 100);
        const auto on = onSamples (p, 36);
        REQUIRE (on.size() == 4); // steps 8 and 12, twice
        CHECK (on[0] == 0);
        CHECK (on[1] == 4 * samplesPerStep);
        CHECK (on[2] == loop);
        CHECK (on[3] == loop + 4 * samplesPerStep);
    }
    SECTION ("locate")
    {
        ProbeRig p;
        const auto kit = addKit (p.rig);
        steps (p.rig, kit, 0, { 0, 8 });
        p.rig.act (model::action::Locate { 10 * 1920 + 600 }); // cycle 10, step 5
        p.rig.act (model::action::Play {});
        p.renderSamples (16 * samplesPerStep);
        const auto on = onSamples (p, 36);
        REQUIRE (on.size() == 2);
        CHECK (on[0] == expectedSample (960 - 600, 120.0)); // step 8
        CHECK (on[1] == expectedSample (1920 - 600, 120.0)); // step 0 of the next cycle
    }
}

TEST_CASE ("Drum pattern: plays in song mode too, beside the piano roll's notes, and edits mid-play rebuild only the sequence", "[engine][drums]")
{
    ProbeRig p;
    const auto kit = addKit (p.rig);
    steps (p.rig, kit, 0, { 0 });
    p.note (kit, 480, 120, 50); // a piano-roll note on the kit (pad 14 does not exist: it is silent, but sent)
    p.rig.act (model::action::Play {});
    p.renderSamples (16 * samplesPerStep);
    CHECK (onSamples (p, 36) == std::vector<std::int64_t> { 0 });
    CHECK (onSamples (p, 50) == std::vector<std::int64_t> { expectedSample (480, 120.0) });

    const auto chainsBefore = p.rig.engine.getStats().destroyedChains;
    const auto* source = p.rig.engine.getSourceWhileStopped (kit);
    steps (p.rig, kit, 0, { 2 }); // at 16 * 6000 + 2 * 6000 in the second cycle
    p.rig.act (model::action::SetPlayMode { model::PlayMode::song });
    p.renderSamples (16 * samplesPerStep + 100);
    CHECK (onSamples (p, 36) == std::vector<std::int64_t> { 0, 16 * samplesPerStep, 18 * samplesPerStep, 32 * samplesPerStep });
    CHECK (onSamples (p, 50).size() == 1); // song mode: the piano roll is not what plays
    CHECK (p.rig.engine.getSourceWhileStopped (kit) == source); // same node: nothing rebuilt
    CHECK (p.rig.engine.getStats().destroyedChains == chainsBefore);

    // An instrument that is not a drum kit plays no pattern, even with a kit kept from before.
    p.rig.act (model::action::SetSource { kit, model::Source {} });
    p.rig.act (model::action::Stop {});
    p.rig.act (model::action::Locate { 0 });
    p.rig.act (model::action::Play {});
    p.renderSamples (16 * samplesPerStep);
    REQUIRE (p.probes.size() == 2); // the saw's chain
    CHECK (p.eventsOf (1, true).empty());
}

TEST_CASE ("Drum kit sound: kicks on steps 0, 4, 8 and 12 start on samples 0, 24000, 48000 and 72000", "[engine][drums]")
{
    KitRig k;
    steps (k.rig, k.kit, 0, { 0, 4, 8, 12 });
    k.play (16 * samplesPerStep / EngineRig::blockSize + 1);
    const auto found = onsets (k.left);
    CHECK (found == std::vector<std::int64_t> { 0, 24000, 48000, 72000, 96000 });
    CHECK (peak (k.left, 0, 3000) > 0.2f); // a real kick, not a whisper
    CHECK (peak (k.left, 5000, 24000) == 0.0f); // and it ended long before the next
}

TEST_CASE ("Drum kit sound: swing moves the odd steps' onsets, a probability-0 step is silent", "[engine][drums]")
{
    KitRig k;
    k.rig.act (model::action::SetDrumPattern { k.kit, 16, 4, 0.5f });
    steps (k.rig, k.kit, 2, { 0, 1, 5 });
    steps (k.rig, k.kit, 2, { 8 }, { true, 100, 0.0f });
    k.play (16 * samplesPerStep / EngineRig::blockSize + 1);
    CHECK (onsets (k.left) == std::vector<std::int64_t> { 0, 6000 + 1500, 5 * 6000 + 1500, 96000 });
    CHECK (peak (k.left, 8 * 6000 - 100, 9 * 6000) == 0.0f);
}

TEST_CASE ("Drum kit sound: velocity scales a pad, its level scales it without a rebuild, tune transposes a sample pad", "[engine][drums]")
{
    TempFolder temp;
    REQUIRE (writeTone (temp / "tone.wav", 48000.0, 0.05, { 1000.0 }));
    KitRig k;
    auto pad = k.rig.session.instruments.find (k.kit)->drums.pads[4];
    pad.kind = model::DrumPadKind::sample;
    pad.samplePath = (temp / "tone.wav").getFullPathName().toStdString();
    pad.tune = 0.0f; // (the pad was "Snare 2", tuned down and a little quieter)
    pad.level = 1.0f;
    k.rig.act (model::action::SetDrumPad { k.kit, 4, pad });
    REQUIRE (k.rig.engine.getNodeFactory().takeWarnings().empty());
    std::vector<float> fade, unused;
    k.rig.render (20, fade, unused); // the rebuilt chain fades in

    steps (k.rig, k.kit, 4, { 0 }, { true, 127, 1.0f });
    steps (k.rig, k.kit, 4, { 4 }, { true, 64, 1.0f });
    k.play (8 * samplesPerStep / EngineRig::blockSize);
    // The tone's first sample is sin 0 = 0: it is heard from the one after the step's.
    REQUIRE (onsets (k.left) == std::vector<std::int64_t> { 1, 24001 });
    const auto loud = peak (k.left, 0, 2400), soft = peak (k.left, 24000, 26400);
    CHECK (loud > 0.2f);
    CHECK (soft / loud == Approx (64.0 / 127.0).epsilon (0.01));
    // The sample plays as recorded: 1 kHz, for its 50 ms.
    CHECK (frequencyOf (k.left, 100, 2300, 48000.0) == Approx (1000.0).epsilon (0.03)); // zero crossings: within 3 %
    CHECK (peak (k.left, 2500, 24000) == 0.0f);

    // Half the level, then an octave up: targeted parameters of the same node, no rebuild.
    const auto* source = k.rig.engine.getSourceWhileStopped (k.kit);
    const auto replay = [&]
    {
        k.rig.act (model::action::Stop {});
        k.rig.act (model::action::Locate { 0 });
        k.rig.render (4, fade, unused); // past the parameter's 20 ms glide
        k.play (8 * samplesPerStep / EngineRig::blockSize);
        CHECK (k.rig.engine.getSourceWhileStopped (k.kit) == source);
        REQUIRE (onsets (k.left) == std::vector<std::int64_t> { 1, 24001 });
    };
    pad.level = 0.5f;
    k.rig.act (model::action::SetDrumPad { k.kit, 4, pad });
    replay();
    CHECK (peak (k.left, 0, 2400) == Approx (loud * 0.5f).epsilon (0.01));
    CHECK (peak (k.left, 24000, 26400) == Approx (soft * 0.5f).epsilon (0.01));

    pad.tune = 12.0f;
    k.rig.act (model::action::SetDrumPad { k.kit, 4, pad });
    replay();
    CHECK (frequencyOf (k.left, 50, 1150, 48000.0) == Approx (2000.0).epsilon (0.03));
    CHECK (peak (k.left, 1300, 24000) == 0.0f); // an octave up it lasts half as long
}

TEST_CASE ("Drum kit sound: piano-roll notes and live notes on 36 + pad play the pads, other notes nothing", "[engine][drums]")
{
    SourceRig rig (SourceRig::makeInstrument (model::BuiltInSource::drumKit));
    rig.noteOn (60, 1.0f, 0); // not a pad
    rig.noteOn (38, 1.0f, 4800); // the snare
    rig.noteOn (47, 1.0f, 48000); // the high tom
    rig.render (96000);
    CHECK (onsets (rig.left) == std::vector<std::int64_t> { 4800, 48000 });
    CHECK (peak (rig.left, 0, 4800) == 0.0f);

    // Each pad is its own sound: the high tom's pitch is the kick's tuned up 20 semitones.
    // (Measured from 200 ms on, when the kick's downward sweep has settled within 2 %.)
    const auto tom = peakFrequency (rig.left, 48000 + 9600, 8192, 60.0, 400.0, 48000.0);
    CHECK (tom == Approx (50.0 * std::exp2 (20.0 / 12.0)).epsilon (0.03));
}

TEST_CASE ("Drum kit: a render hears at least one cycle of a pattern with no notes anywhere", "[engine][drums]")
{
    EngineRig rig;
    const auto kit = addKit (rig);
    CHECK (rig.engine.getSongEndTick (rig.session) == 0);
    steps (rig, kit, 0, { 12 });
    CHECK (rig.engine.getSongEndTick (rig.session) == 16 * 120);
    rig.act (model::action::SetDrumPattern { kit, 64, 8, 0.0f });
    CHECK (rig.engine.getSongEndTick (rig.session) == 64 * 60);
}

TEST_CASE ("Drum kit: a sample pad without a readable file plays silence and says which pad in one sentence", "[engine][drums]")
{
    EngineRig rig;
    const auto kit = addKit (rig);
    auto pad = rig.session.instruments.find (kit)->drums.pads[3];
    pad.kind = model::DrumPadKind::sample;
    rig.act (model::action::SetDrumPad { kit, 3, pad });
    CHECK (rig.engine.getNodeFactory().takeWarnings() == std::vector<juce::String> { "Pad 4 ('Clap') of instrument 'Kit' is a sample pad with no file: it plays silence. Choose a sample." });
    pad.samplePath = "no/such/clap.wav";
    rig.act (model::action::SetDrumPad { kit, 3, pad });
    CHECK (rig.engine.getNodeFactory().takeWarnings()
           == std::vector<juce::String> { "Sample file 'no/such/clap.wav' for pad 4 ('Clap') of instrument 'Kit' could not be read (it does not exist): it plays silence. Check the path." });

    steps (rig, kit, 3, { 0 });
    steps (rig, kit, 0, { 8 });
    std::vector<float> left, right;
    rig.render (20, left, right);
    left.clear();
    rig.act (model::action::Play {});
    rig.render (16 * samplesPerStep / EngineRig::blockSize, left, right);
    CHECK (onsets (left) == std::vector<std::int64_t> { 8 * samplesPerStep }); // the kick plays, the clap is silent
}
