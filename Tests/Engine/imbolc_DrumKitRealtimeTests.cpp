// A drum kit's playback under the real-time harness: the pattern's cycles, loop wraps and locates,
// step, pattern and pad edits while it plays, a sample pad, and live notes, on a real audio thread
// marked real-time for its whole life.

#include "imbolc_RealtimeTestSupport.h"
#include "imbolc_SourceTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

TEST_CASE ("realtime drum kit: pattern playback with live edits makes no allocation or lock", "[engine][realtime][drums]")
{
    REQUIRE (realtimeHarnessActive());
    TempFolder temp;
    REQUIRE (writeTone (temp / "clap.wav", 48000.0, 0.2, { 700.0, 900.0 })); // a stereo sample pad

    EngineRig rig;
    model::Source drums;
    drums.builtIn = model::BuiltInSource::drumKit;
    const model::InstrumentId kit { rig.act (model::action::AddInstrument { "Kit", drums, model::Backend::internal, { EngineRig::effect (model::EffectType::delay) } }) };
    auto clap = rig.session.instruments.find (kit)->drums.pads[3];
    clap.kind = model::DrumPadKind::sample;
    clap.samplePath = (temp / "clap.wav").getFullPathName().toStdString();
    rig.act (model::action::SetDrumPad { kit, 3, clap });
    REQUIRE (rig.engine.getNodeFactory().takeWarnings().empty());

    // Every pad busy: 64 steps at 8 a beat, swung, with velocities and probabilities.
    rig.act (model::action::SetDrumPattern { kit, 64, 8, 0.4f });
    std::vector<model::action::DrumStepEdit> cells;
    for (int p = 0; p < model::DrumKit::numPads; ++p)
        for (int s = p % 3; s < 64; s += 3)
            cells.push_back ({ p, s, { true, (std::uint8_t) (30 + (s * 7 + p) % 97), s % 5 == 0 ? 0.5f : 1.0f } });
    rig.act (model::action::SetDrumSteps { kit, cells });
    rig.act (model::action::SetLoop { { true, 0, 3 * 480 } }); // wraps mid-pattern
    rig.act (model::action::SetBpm { 160.0 });
    rig.act (model::action::Play {});
    rig.engine.update();

    RealtimeAudioThread audio (rig.engine, 3000);
    audio.allow (200);
    audio.waitUntilCaughtUp();

    // Edits while it plays: each step, drag, pattern or pad-level edit swaps a sequence or sets a
    // parameter on the audio thread; live notes play pads directly.
    juce::Random random (16);
    for (int i = 0; i < 60; ++i)
    {
        const auto steps = rig.session.instruments.find (kit)->drums.steps;
        rig.act (model::action::SetDrumStep { kit, random.nextInt (12), random.nextInt (steps), { random.nextBool(), (std::uint8_t) (1 + random.nextInt (127)), 1.0f } });
        if (i % 7 == 0)
            rig.act (model::action::SetDrumSteps { kit, { { 6, 0, { true, 127, 1.0f } }, { 6, 1, { true, 90, 0.5f } }, { 0, 2, { false, 100, 1.0f } } } });
        if (i % 11 == 0)
            rig.act (model::action::SetDrumPattern { kit, i % 22 == 0 ? 32 : 64, model::DrumKit::stepsPerBeatChoices[random.nextInt (5)], random.nextFloat() });
        if (i % 5 == 0)
        {
            auto pad = rig.session.instruments.find (kit)->drums.pads[(std::size_t) (i % 12)];
            pad.level = random.nextFloat() * 2.0f;
            pad.tune = random.nextFloat() * 24.0f - 12.0f;
            pad.decay = 0.05f + random.nextFloat();
            rig.act (model::action::SetDrumPad { kit, i % 12, pad });
        }
        if (i % 13 == 0)
            rig.act (model::action::Locate { random.nextInt (4000) });
        rig.engine.noteOn (kit, 36 + random.nextInt (14), 0.8f);
        audio.render (4);
    }
    rig.act (model::action::Stop {});
    checkRealtimeSafe (audio.finish (20));

    // It really played.
    CHECK (peak (audio.getLeft(), 0, audio.getLeft().size()) > 0.05f);
    CHECK (peak (audio.getRight(), 0, audio.getRight().size()) > 0.05f);
}
