#include "imbolc_SequencerProbe.h"

#include <catch2/catch.hpp>

using namespace imbolc;
using namespace imbolc::test;

TEST_CASE ("A note at tick T starts at exactly the sample T maps to", "[engine][sequencer]")
{
    for (double bpm : { 120.0, 137.0, 93.5 })
    {
        ProbeRig p;
        const auto id = p.add();
        p.rig.act (model::action::SetBpm { bpm });
        const std::vector<model::Tick> ticks { 0, 1, 479, 1000, 1234, 9601, 48000 };
        for (auto t : ticks)
            p.note (id, t, 120, 60 + (int) (t % 24));
        p.rig.act (model::action::Play {});
        p.renderSamples (expectedSample (48000 + 200, bpm));

        const auto ons = p.eventsOf (0, true);
        REQUIRE (ons.size() == ticks.size());
        for (std::size_t i = 0; i < ticks.size(); ++i)
        {
            INFO ("bpm " << bpm << " tick " << ticks[i]);
            CHECK (ons[i].sample == expectedSample ((double) ticks[i], bpm));
            CHECK (ons[i].pitch == 60 + (int) (ticks[i] % 24));
        }
        const auto offs = p.eventsOf (0, false);
        REQUIRE (offs.size() == ticks.size());
        for (std::size_t i = 0; i < ticks.size(); ++i)
            CHECK (offs[i].sample == expectedSample ((double) (ticks[i] + 120), bpm));
    }
}

TEST_CASE ("Tempo automation moves note starts by the integrated tempo", "[engine][sequencer]")
{
    ProbeRig p;
    const auto id = p.add();
    const model::LaneId lane { p.rig.act (model::action::AddLane { { model::AutomationTargetKind::bpm, {} } }) };
    // 120 BPM for the first beat, then a step to 240 BPM.
    p.rig.act (model::action::SetPoint { lane, { 0, 120.0f, model::CurveType::step } });
    p.rig.act (model::action::SetPoint { lane, { 480, 240.0f, model::CurveType::step } });
    p.note (id, 1920, 10); // beat 4: one beat at 120 then three at 240 = 0.5 + 0.75 s
    p.rig.act (model::action::Play {});
    p.renderSamples (70000);
    const auto ons = p.eventsOf (0, true);
    REQUIRE (ons.size() == 1);
    // The tempo is read once per block, so the change lands within one block of beat 1.
    const double expected = 1.25 * EngineRig::sampleRate;
    CHECK (std::abs ((double) ons[0].sample - expected) <= EngineRig::blockSize);
    CHECK (std::abs ((double) ons[0].sample - 2.0 * EngineRig::sampleRate) > 10000.0); // not the 120 BPM position
}

TEST_CASE ("The loop region wraps and replays its notes on the same samples each pass", "[engine][sequencer]")
{
    ProbeRig p;
    const auto id = p.add();
    p.note (id, 480, 240, 64);
    p.note (id, 900, 200, 67); // crosses the loop end at 960: released at the wrap
    p.rig.act (model::action::SetLoop { { true, 0, 960 } });
    p.rig.act (model::action::Play {});
    const std::int64_t loopSamples = expectedSample (960, 120.0); // 48,000 at 120 BPM
    p.renderSamples (3 * loopSamples + 100); // 96,000 is a block boundary: the wrap lands exactly on one

    const auto ons = p.eventsOf (0, true);
    REQUIRE (ons.size() == 6);
    for (int pass = 0; pass < 3; ++pass)
    {
        CHECK (ons[(std::size_t) (2 * pass)].sample == pass * loopSamples + expectedSample (480, 120.0));
        CHECK (ons[(std::size_t) (2 * pass + 1)].sample == pass * loopSamples + expectedSample (900, 120.0));
    }
    int releasedAtWrap = 0;
    for (const auto& e : p.eventsOf (0, false))
        if (e.pitch == 67)
            releasedAtWrap += (e.sample % loopSamples == 0) ? 1 : 0;
    CHECK (releasedAtWrap == 3);
}

TEST_CASE ("Automation reaches each value on its tick", "[engine][sequencer]")
{
    ProbeRig p;
    const auto id = p.add ({ EngineRig::effect (model::EffectType::gain) });
    const auto stage = p.rig.session.instruments.find (id)->chain[0].id;
    const auto target = model::ParamAddress::stage (model::NodeKind::instrument, id.value, stage, 0);
    const model::LaneId lane { p.rig.act (model::action::AddLane { { model::AutomationTargetKind::parameter, target } }) };
    p.rig.act (model::action::SetPoint { lane, { 0, 0.0f, model::CurveType::linear } });
    p.rig.act (model::action::SetPoint { lane, { 960, 2.0f, model::CurveType::sCurve } });
    p.rig.act (model::action::SetPoint { lane, { 1920, 1.0f, model::CurveType::step } });
    p.rig.act (model::action::SetPoint { lane, { 2400, 3.0f, model::CurveType::linear } });
    p.rig.act (model::action::Play {});

    const auto& points = p.rig.session.automation.find (lane)->points;
    const double ticksPerBlock = EngineRig::blockSize * 120.0 * model::ticksPerBeat / 60.0 / EngineRig::sampleRate;
    std::vector<float> l, r;
    int checked = 0;
    for (int b = 1; b <= 600; ++b)
    {
        p.rig.render (1, l, r);
        const double endTick = b * ticksPerBlock;
        const auto value = p.rig.engine.getParameterValueWhileStopped (target);
        REQUIRE (value.has_value());
        const auto expected = *points.valueAtTick (endTick);
        INFO ("block " << b << " tick " << endTick);
        REQUIRE (*value == Approx (expected).margin (1.0e-4));
        ++checked;
    }
    CHECK (checked == 600);
    // And the value really moved through the curve, not stuck at one point.
    CHECK (*points.valueAtTick (600 * ticksPerBlock) == Approx (3.0f));
}

TEST_CASE ("Bus and master parameters follow their lanes", "[engine][sequencer]")
{
    ProbeRig p;
    p.add();
    const model::BusId bus { p.rig.act (model::action::AddBus { "Bus" }) };
    p.rig.act (model::action::AddStage { model::NodeKind::bus, bus.value, EngineRig::effect (model::EffectType::gain) });
    const auto stage = p.rig.session.mixer.buses.find (bus)->chain[0].id;
    const auto target = model::ParamAddress::stage (model::NodeKind::bus, bus.value, stage, 0);
    const model::LaneId lane { p.rig.act (model::action::AddLane { { model::AutomationTargetKind::parameter, target } }) };
    p.rig.act (model::action::SetPoint { lane, { 0, 0.25f, model::CurveType::linear } });
    p.rig.act (model::action::SetPoint { lane, { 480, 1.75f, model::CurveType::linear } });
    p.rig.act (model::action::Play {});
    p.renderSamples (24000 + 10 * EngineRig::blockSize);
    CHECK (*p.rig.engine.getParameterValueWhileStopped (target) == Approx (1.75f));
}

TEST_CASE ("Swing delays the second eighth of every beat", "[engine][sequencer]")
{
    ProbeRig p;
    const auto id = p.add();
    p.note (id, 0, 100, 60);
    p.note (id, 240, 100, 62);
    p.note (id, 480 + 240, 100, 64);
    p.rig.act (model::action::SetSwing { 0.5f });
    p.rig.act (model::action::Play {});
    p.renderSamples (60000);
    const auto ons = p.eventsOf (0, true);
    REQUIRE (ons.size() == 3);
    CHECK (ons[0].sample == 0);
    CHECK (ons[1].sample == expectedSample (240 + 60, 120.0)); // half a sixteenth later
    CHECK (ons[2].sample == expectedSample (480 + 240 + 60, 120.0));
    CHECK (engine::swingTick (240, 1.0f) == Approx (360.0));
    CHECK (engine::swingTick (480, 1.0f) == Approx (480.0)); // beats stay on the grid
}

TEST_CASE ("Note probability is rolled the same way on every render", "[engine][sequencer]")
{
    auto run = []
    {
        ProbeRig p;
        const auto id = p.add();
        for (int i = 0; i < 64; ++i)
            p.note (id, i * 120, 60, 60, 0.5f);
        p.rig.act (model::action::Play {});
        p.renderSamples (64 * 6000 + 1000);
        std::vector<std::int64_t> starts;
        for (const auto& e : p.eventsOf (0, true))
            starts.push_back (e.sample);
        return starts;
    };
    const auto a = run();
    const auto b = run();
    CHECK (a == b);
    CHECK (a.size() > 16); // half of 64, give or take
    CHECK (a.size() < 48);
}

TEST_CASE ("Stop and note edits never leave a sequenced note hanging", "[engine][sequencer]")
{
    ProbeRig p;
    const auto id = p.add();
    const auto held = p.note (id, 0, 4 * 480, 60);
    p.note (id, 0, 8 * 480, 72);
    p.rig.act (model::action::Play {});
    p.renderSamples (10000);
    // Deleting a sounding note mid-play: its note-off still arrives at its end.
    p.rig.act (model::action::DeleteNote { id, held });
    p.renderSamples (expectedSample (4 * 480, 120.0) + 1000 - 10240);
    auto offs = p.eventsOf (0, false);
    REQUIRE (offs.size() == 1);
    CHECK (offs[0].pitch == 60);
    CHECK (offs[0].sample == expectedSample (4 * 480, 120.0));
    // Stop ends the other at once.
    p.rig.act (model::action::Stop {});
    p.renderSamples (EngineRig::blockSize);
    offs = p.eventsOf (0, false);
    REQUIRE (offs.size() == 2);
    CHECK (offs[1].pitch == 72);
}

TEST_CASE ("The arrangement is flattened once per clip or placement change", "[engine][sequencer]")
{
    ProbeRig p;
    const auto id = p.add();
    p.note (id, 0, 100, 60);
    p.note (id, 480, 100, 62);
    const model::ClipId clip { p.rig.act (model::action::AddClip { id, "A", 960, true }) };
    p.rig.act (model::action::AddPlacement { clip, 1920, 0 });
    p.rig.act (model::action::AddPlacement { clip, 4800, 1440 }); // longer than the clip: it repeats
    p.rig.act (model::action::SetPlayMode { model::PlayMode::song });
    const int afterSetup = p.rig.engine.getArrangementCache().getFlattenCount();

    // Unrelated edits do not flatten again.
    p.rig.act (model::action::SetBpm { 120.0 });
    p.rig.act (model::action::SetParam { model::ParamAddress::instrument (id, model::ParamGroup::strip, 0), 0.5f });
    p.note (id, 3000, 10, 90); // the piano roll does not play in song mode
    CHECK (p.rig.engine.getArrangementCache().getFlattenCount() == afterSetup);

    p.rig.act (model::action::Play {});
    p.renderSamples (expectedSample (6400, 120.0));
    auto ons = p.eventsOf (0, true);
    std::vector<std::int64_t> got, want;
    for (const auto& e : ons)
        got.push_back (e.sample);
    for (model::Tick t : { 1920, 1920 + 480, 4800, 4800 + 480, 4800 + 960 }) // the repeat is cut at 1440
        want.push_back (expectedSample ((double) t, 120.0));
    CHECK (got == want);

    // Moving a placement flattens once more and the notes follow.
    const auto placement = p.rig.session.arrangement.placements.begin()->id;
    p.rig.act (model::action::MovePlacement { placement, 960 });
    CHECK (p.rig.engine.getArrangementCache().getFlattenCount() == afterSetup + 1);
    p.rig.act (model::action::Locate { 0 });
    const auto before = p.eventsOf (0, true).size();
    p.renderSamples (expectedSample (1500, 120.0));
    ons = p.eventsOf (0, true);
    REQUIRE (ons.size() == before + 2);
    CHECK (ons[before].sample - ons[before - 1].sample > 0);
}

TEST_CASE ("The LFO sweeps its target around the user's value", "[engine][sequencer]")
{
    ProbeRig p;
    const auto id = p.add ({ EngineRig::effect (model::EffectType::gain) });
    const auto stage = p.rig.session.instruments.find (id)->chain[0].id;
    const auto target = model::ParamAddress::stage (model::NodeKind::instrument, id.value, stage, 0);
    p.rig.setParam (target, 2.0f);
    p.rig.setParam (model::ParamAddress::instrument (id, model::ParamGroup::lfo, (std::uint16_t) model::LfoParam::rate), 5.0f);
    p.rig.setParam (model::ParamAddress::instrument (id, model::ParamGroup::lfo, (std::uint16_t) model::LfoParam::depth), 0.25f); // ±0.25 × half the 0..4 range = ±0.5
    p.rig.act (model::action::SetLfo { id, true, model::LfoShape::sine, target });

    std::vector<float> l, r;
    float lo = 10.0f, hi = -10.0f;
    p.rig.render (10, l, r); // let the user's 20 ms glide to 2.0 finish first
    for (int b = 0; b < 200; ++b)
    {
        p.rig.render (1, l, r);
        const auto v = *p.rig.engine.getParameterValueWhileStopped (target);
        lo = std::min (lo, v);
        hi = std::max (hi, v);
    }
    CHECK (lo == Approx (1.5f).margin (0.02f));
    CHECK (hi == Approx (2.5f).margin (0.02f));
    CHECK (*p.rig.engine.getParameterTargetWhileStopped (target) == Approx (2.0f)); // the user's value is untouched

    p.rig.act (model::action::SetLfo { id, false, model::LfoShape::sine, target });
    p.rig.render (2, l, r);
    CHECK (*p.rig.engine.getParameterValueWhileStopped (target) == Approx (2.0f));
}

TEST_CASE ("Master loudness spectrum and scope are computed only while asked for", "[engine][meters]")
{
    EngineRig rig;
    const auto id = rig.addInstrument (model::BuiltInSource::sine);
    // 997 Hz (B5 + 16 cents), where K-weighting's gain cancels BS.1770's -0.691 dB offset.
    rig.setParam (model::ParamAddress::instrument (id, model::ParamGroup::source, 1), 16.05f);
    rig.engine.noteOn (id, 83, 1.0f);
    std::vector<float> l, r;
    auto& analysis = rig.engine.getAnalysis();
    engine::Loudness loudness;
    engine::SpectrumFrame spectrum;
    engine::ScopeFrame scope;

    rig.render (400, l, r); // ~2 s with nothing enabled
    CHECK_FALSE (analysis.readLoudness (loudness));
    CHECK_FALSE (analysis.readSpectrum (spectrum));
    CHECK_FALSE (analysis.readScope (scope));

    analysis.setEnabled (engine::AnalysisMeters::all);
    rig.render (400, l, r);
    REQUIRE (analysis.readLoudness (loudness));
    REQUIRE (analysis.readSpectrum (spectrum));
    REQUIRE (analysis.readScope (scope));
    // The scope holds the master output's last samples, exactly.
    const auto n = (std::size_t) engine::ScopeFrame::size;
    for (std::size_t i = 0; i < n; i += 97)
        CHECK (scope.left[i] == l[l.size() - n + i]);
    // A steady 997 Hz sine of peak A in both channels reads 20 log10 A (EBU Tech 3341's convention).
    const auto a = peak (l, l.size() - 48000, l.size());
    CHECK (loudness.momentaryLufs == Approx (20.0f * std::log10 (a)).margin (0.1f));
}
