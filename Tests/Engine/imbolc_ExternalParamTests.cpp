// SuperCollider-backend instruments' automation and LFO in the engine: what their lanes and LFO drive
// comes out as ExternalNoteEvent::Kind::param events beside their notes, one value per parameter per
// block at most, only when it changed, on the block's last sample.

#include "imbolc_SequencerProbe.h"

#include <catch2/catch.hpp>

using namespace imbolc;
using namespace imbolc::test;
using engine::ExternalNoteEvent;
using model::ParamAddress;
using model::ParamGroup;

namespace
{
std::vector<ExternalNoteEvent> drainAll (engine::Engine& e)
{
    std::vector<ExternalNoteEvent> out;
    e.getExternalNotes().drain ([&] (const ExternalNoteEvent& ev)
                                { out.push_back (ev); });
    return out;
}

std::vector<ExternalNoteEvent> paramsOf (const std::vector<ExternalNoteEvent>& events, ParamGroup group, int index, std::uint32_t item = 0)
{
    std::vector<ExternalNoteEvent> out;
    for (const auto& e : events)
        if (e.kind == ExternalNoteEvent::Kind::param && e.group == group && e.index == index && e.item == item)
            out.push_back (e);
    return out;
}

model::InstrumentId addExternal (EngineRig& rig, std::vector<model::Stage> chain = {})
{
    model::Source s;
    s.builtIn = model::BuiltInSource::saw;
    return model::InstrumentId { rig.act (model::action::AddInstrument { "sc", s, model::Backend::superCollider, std::move (chain) }) };
}

model::LaneId addLane (EngineRig& rig, ParamAddress target)
{
    return model::LaneId { rig.act (model::action::AddLane { { model::AutomationTargetKind::parameter, target } }) };
}

constexpr std::uint16_t sawLevel = 2; // tune, fine, level
} // namespace

TEST_CASE ("Automation lanes of a SuperCollider instrument come out as timed parameter values beside its notes", "[engine][external]")
{
    EngineRig rig;
    const auto sc = addExternal (rig, { EngineRig::effect (model::EffectType::gain) });
    const auto stage = rig.session.instruments.find (sc)->chain[0].id;

    // The source's level steps from 0.5 to 1.5 on tick 960, where a note starts; the stage's gain
    // ramps from 0 to 2 over the first 1920 ticks; the strip's level is flat.
    const auto level = addLane (rig, ParamAddress::instrument (sc, ParamGroup::source, sawLevel));
    rig.act (model::action::SetPoint { level, { 0, 0.5f, model::CurveType::step } });
    rig.act (model::action::SetPoint { level, { 960, 1.5f, model::CurveType::step } });
    const auto gain = addLane (rig, ParamAddress::stage (model::NodeKind::instrument, sc.value, stage, 0));
    rig.act (model::action::SetPoint { gain, { 0, 0.0f, model::CurveType::linear } });
    rig.act (model::action::SetPoint { gain, { 1920, 2.0f, model::CurveType::linear } });
    const auto strip = addLane (rig, ParamAddress::instrument (sc, ParamGroup::strip, (std::uint16_t) model::StripParam::level));
    rig.act (model::action::SetPoint { strip, { 0, 0.7f, model::CurveType::linear } });
    model::Note note;
    note.tick = 960;
    note.pitch = 60;
    note.duration = 480;
    note.velocity = 100;
    rig.act (model::action::AddNote { sc, note });
    rig.act (model::action::Play {});

    std::vector<float> l, r;
    rig.render (400, l, r); // 102,400 samples: past tick 1920 at 120 BPM
    const auto events = drainAll (rig.engine);
    CHECK (rig.engine.getExternalNotes().getDropped() == 0);
    CHECK (rig.engine.getExternalNotes().getParamsDropped() == 0);

    const auto noteOn = std::find_if (events.begin(), events.end(), [] (const ExternalNoteEvent& e)
                                      { return e.kind == ExternalNoteEvent::Kind::note && e.on; });
    REQUIRE (noteOn != events.end());
    const auto noteSample = expectedSample (960.0, 120.0);
    CHECK (noteOn->sampleTime == noteSample);

    // The step lane: its two values only, the second in the block of the note (on its last sample).
    const auto levels = paramsOf (events, ParamGroup::source, sawLevel);
    REQUIRE (levels.size() == 2);
    CHECK (levels[0].value == 0.5f);
    CHECK (levels[0].sampleTime == EngineRig::blockSize - 1);
    CHECK (levels[1].value == 1.5f);
    CHECK (levels[1].sampleTime >= noteSample);
    CHECK (levels[1].sampleTime < noteSample + EngineRig::blockSize);
    CHECK ((levels[1].sampleTime + 1) % EngineRig::blockSize == 0);
    CHECK (levels[1].instrument == sc);

    // The ramp: one value per block while it moves (the value the engine reaches at the block's end),
    // rising, then nothing once it holds at 2.
    const auto gains = paramsOf (events, ParamGroup::stage, 0, stage.value);
    const auto rampBlocks = (int) (expectedSample (1920.0, 120.0) / EngineRig::blockSize);
    CHECK ((int) gains.size() >= rampBlocks - 1);
    CHECK ((int) gains.size() <= rampBlocks + 2);
    for (std::size_t i = 1; i < gains.size(); ++i)
    {
        CHECK (gains[i].value > gains[i - 1].value);
        CHECK (gains[i].sampleTime - gains[i - 1].sampleTime == EngineRig::blockSize);
    }
    REQUIRE_FALSE (gains.empty());
    CHECK (gains.back().value == Approx (2.0f));
    const auto halfway = (std::size_t) (rampBlocks / 2);
    const auto expected = 2.0 * (double) (gains[halfway].sampleTime + 1) / (double) expectedSample (1920.0, 120.0);
    CHECK (gains[halfway].value == Approx (expected).margin (1.0e-3));

    // The flat strip lane: sent once.
    const auto strips = paramsOf (events, ParamGroup::strip, (int) model::StripParam::level);
    REQUIRE (strips.size() == 1);
    CHECK (strips[0].value == Approx (0.7f));
}

TEST_CASE ("The LFO of a SuperCollider instrument swings the value sent on and its end restores it", "[engine][external]")
{
    EngineRig rig;
    const auto sc = addExternal (rig);
    rig.setParam (ParamAddress::instrument (sc, ParamGroup::source, sawLevel), 0.8f);
    rig.setParam (ParamAddress::instrument (sc, ParamGroup::lfo, (std::uint16_t) model::LfoParam::rate), 10.0f);
    rig.setParam (ParamAddress::instrument (sc, ParamGroup::lfo, (std::uint16_t) model::LfoParam::depth), 0.5f);
    rig.act (model::action::SetLfo { sc, true, model::LfoShape::square, ParamAddress::instrument (sc, ParamGroup::source, sawLevel) });

    std::vector<float> l, r;
    rig.render ((int) (EngineRig::sampleRate / EngineRig::blockSize), l, r); // one second: ten cycles
    auto events = paramsOf (drainAll (rig.engine), ParamGroup::source, sawLevel);
    // A square at full depth 0.5 swings a quarter of the level's range (0..2) either way: 1.3 and 0.3,
    // sent only when it flips (twice a cycle).
    REQUIRE (events.size() >= 18);
    CHECK (events.size() <= 22);
    for (std::size_t i = 0; i < events.size(); ++i)
    {
        CHECK (events[i].value == Approx (i % 2 == 0 ? 1.3f : 0.3f));
        if (i > 0)
            CHECK (std::abs ((double) (events[i].sampleTime - events[i - 1].sampleTime) - EngineRig::sampleRate / 20.0) <= EngineRig::blockSize);
    }

    rig.act (model::action::SetLfo { sc, false, model::LfoShape::square, ParamAddress::instrument (sc, ParamGroup::source, sawLevel) });
    rig.render (8, l, r);
    events = paramsOf (drainAll (rig.engine), ParamGroup::source, sawLevel);
    REQUIRE (events.size() == 1);
    CHECK (events[0].value == Approx (0.8f));
}

TEST_CASE ("Parameter values never take the last quarter of the external queue from notes", "[engine][external]")
{
    engine::ExternalNotes notes (16);
    int params = 0;
    while (notes.pushParam (model::InstrumentId { 1 }, ParamGroup::source, 0, 0, 0.5f, 0))
        ++params;
    CHECK (params == 12);
    CHECK (notes.getParamsDropped() == 1);
    int more = 0;
    while (notes.pushNote (model::InstrumentId { 1 }, 60, 0.5f, true, 0))
        ++more;
    CHECK (more == 4);
    CHECK (notes.getDropped() == 1); // the note that found the queue full
}

TEST_CASE ("A SuperCollider instrument's parameter values leave as late as its notes under delay compensation", "[engine][external][latency]")
{
    // An internal instrument with a look-ahead limiter (ceiling 0 dBFS: latency only) makes the engine's
    // mix 48 samples late at 48 kHz: the SC instrument's notes and its parameter values both move by it,
    // so a value due with a note still reaches scsynth with that note.
    engine::Engine::Options options;
    options.renderWorkers = GENERATE (0, 1);
    EngineRig rig (nullptr, options);
    model::Source saw;
    saw.builtIn = model::BuiltInSource::saw;
    rig.act (model::action::AddInstrument { "latent", saw, model::Backend::internal, { EngineRig::effect (model::EffectType::limiter, { { 0, 0.0f } }) } });
    const auto sc = addExternal (rig);
    const auto level = addLane (rig, ParamAddress::instrument (sc, ParamGroup::source, sawLevel));
    rig.act (model::action::SetPoint { level, { 0, 0.5f, model::CurveType::step } });
    rig.act (model::action::SetPoint { level, { 960, 1.5f, model::CurveType::step } });
    model::Note note;
    note.tick = 960;
    note.pitch = 60;
    note.duration = 480;
    note.velocity = 100;
    rig.act (model::action::AddNote { sc, note });
    rig.act (model::action::Play {});
    std::vector<float> l, r;
    rig.render (250, l, r); // 64,000 samples: past tick 960 at 120 BPM
    const int latency = rig.engine.getOutputLatencySamples();
    REQUIRE (latency == 48);

    const auto events = drainAll (rig.engine);
    const auto noteOn = std::find_if (events.begin(), events.end(), [] (const ExternalNoteEvent& e)
                                      { return e.kind == ExternalNoteEvent::Kind::note && e.on; });
    REQUIRE (noteOn != events.end());
    const auto noteSample = expectedSample (960.0, 120.0);
    CHECK (noteOn->sampleTime == noteSample + latency);
    const auto levels = paramsOf (events, ParamGroup::source, sawLevel);
    REQUIRE (levels.size() == 2);
    CHECK (levels[0].sampleTime == EngineRig::blockSize - 1 + latency);
    CHECK (levels[1].value == 1.5f);
    CHECK (levels[1].sampleTime >= noteSample + latency);
    CHECK (levels[1].sampleTime < noteSample + latency + EngineRig::blockSize);
}
