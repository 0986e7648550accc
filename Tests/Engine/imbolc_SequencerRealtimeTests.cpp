// Playback under the real-time harness: the sequencer, automation, the LFO, loop wraps and sequence
// swaps (note and lane edits while playing) on a real audio thread marked real-time for its whole life.

#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;
using model::ParamAddress;
using model::ParamGroup;

TEST_CASE ("realtime playback with sequencing automation and live edits makes no allocation or lock", "[engine][realtime][sequencer]")
{
    REQUIRE (realtimeHarnessActive());

    EngineRig rig;
    std::vector<model::InstrumentId> instruments;
    for (auto kind : { model::BuiltInSource::saw, model::BuiltInSource::sine, model::BuiltInSource::noise })
        instruments.push_back (rig.addInstrument (kind, { EngineRig::effect (model::EffectType::gain), EngineRig::effect (model::EffectType::delay) }));

    // Dense notes (chords, overlaps, same-pitch retriggers), a loop, swing and probability.
    for (std::size_t i = 0; i < instruments.size(); ++i)
        for (int n = 0; n < 64; ++n)
        {
            model::Note note;
            note.tick = n * 60;
            note.duration = 45 + (n % 5) * 70;
            note.pitch = (std::uint8_t) (40 + (n * 7 + (int) i) % 36);
            note.probability = n % 3 == 0 ? 0.5f : 1.0f;
            rig.act (model::action::AddNote { instruments[i], note });
        }
    rig.act (model::action::SetLoop { { true, 0, 2 * 960 } });
    rig.act (model::action::SetSwing { 0.3f });

    // Automation on a stage parameter, a strip parameter, the tempo, and a bus; an LFO on pan.
    const auto stage = rig.session.instruments.find (instruments[0])->chain[0].id;
    const model::LaneId gainLane { rig.act (model::action::AddLane { { model::AutomationTargetKind::parameter, ParamAddress::stage (NodeKind::instrument, instruments[0].value, stage, 0) } }) };
    const model::LaneId levelLane { rig.act (model::action::AddLane { { model::AutomationTargetKind::parameter, ParamAddress::instrument (instruments[1], ParamGroup::strip, 0) } }) };
    const model::LaneId tempoLane { rig.act (model::action::AddLane { { model::AutomationTargetKind::bpm, {} } }) };
    for (int p = 0; p < 16; ++p)
    {
        rig.act (model::action::SetPoint { gainLane, { p * 120, 0.5f + 0.1f * (float) (p % 7), model::CurveType::sCurve } });
        rig.act (model::action::SetPoint { levelLane, { p * 120, 0.2f + 0.05f * (float) (p % 5), model::CurveType::linear } });
        rig.act (model::action::SetPoint { tempoLane, { p * 120, 100.0f + 10.0f * (float) (p % 4), model::CurveType::step } });
    }
    rig.setParam (ParamAddress::instrument (instruments[2], ParamGroup::lfo, (std::uint16_t) model::LfoParam::rate), 3.0f);
    rig.setParam (ParamAddress::instrument (instruments[2], ParamGroup::lfo, (std::uint16_t) model::LfoParam::depth), 0.8f);
    rig.act (model::action::SetLfo { instruments[2], true, model::LfoShape::triangle, ParamAddress::instrument (instruments[2], ParamGroup::strip, (std::uint16_t) model::StripParam::pan) });
    rig.act (model::action::Play {});
    rig.engine.update();

    RealtimeAudioThread audio (rig.engine, 3000);
    audio.allow (200); // several loop passes
    audio.waitUntilCaughtUp();

    // Live edits while playing: each swaps a sequence or the global sequence on the audio thread.
    for (int i = 0; i < 40; ++i)
    {
        model::Note note;
        note.tick = (i * 97) % 1900;
        note.duration = 100;
        note.pitch = (std::uint8_t) (50 + i % 20);
        rig.act (model::action::AddNote { instruments[(std::size_t) i % 3], note });
        rig.act (model::action::SetPoint { gainLane, { (i * 53) % 1900, 0.3f, model::CurveType::linear } });
        if (i % 10 == 0)
            rig.act (model::action::SetBpm { 90.0 + i });
        if (i % 13 == 0)
            rig.act (model::action::Locate { (i * 31) % 1900 });
        audio.render (5);
    }
    rig.act (model::action::Stop {});
    checkRealtimeSafe (audio.finish (20));

    // It really played: sound came out and the sequencer sent notes.
    CHECK (peak (audio.getLeft(), 0, audio.getLeft().size()) > 0.01f);
}
