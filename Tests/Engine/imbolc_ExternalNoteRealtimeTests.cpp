// SuperCollider-backend instruments on a real audio thread marked real-time for its whole life: their
// notes become ExternalNoteEvents (sequenced, live, released by stop, locate and rebuilds) with no
// allocation or lock, while a consumer thread drains them.

#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

TEST_CASE ("realtime external notes make no allocation or lock on the audio thread", "[engine][realtime][external]")
{
    REQUIRE (realtimeHarnessActive());

    EngineRig rig;
    model::Source saw;
    const auto addExternal = [&]
    { return model::InstrumentId { rig.act (model::action::AddInstrument { "sc", saw, model::Backend::superCollider, { EngineRig::effect (model::EffectType::delay) } }) }; };
    const auto sc = addExternal();
    const auto other = addExternal();
    const auto internal = rig.addInstrument (model::BuiltInSource::saw);

    // Dense notes (chords, overlaps, same-pitch retriggers, probability) in a swung loop.
    for (auto id : { sc, other, internal })
        for (int n = 0; n < 64; ++n)
            rig.act (model::action::AddNote { id, { {}, n * 60, 45 + (n % 5) * 70, (std::uint8_t) (40 + (n * 7) % 36), 100, n % 3 == 0 ? 0.5f : 1.0f } });
    rig.act (model::action::SetLoop { { true, 0, 2 * 960 } });
    rig.act (model::action::SetSwing { 0.3f });
    rig.act (model::action::Play {});
    rig.engine.update();

    std::atomic<bool> quit { false };
    std::atomic<std::int64_t> received { 0 }, allNotesOff { 0 };
    std::thread consumer ([&]
                          {
        auto count = [&] (const engine::ExternalNoteEvent& e)
        {
            received.fetch_add (1);
            if (e.kind == engine::ExternalNoteEvent::Kind::allNotesOff)
                allNotesOff.fetch_add (1);
        };
        while (! quit.load())
            if (rig.engine.getExternalNotes().drain (count) == 0)
                std::this_thread::sleep_for (std::chrono::microseconds (200));
        rig.engine.getExternalNotes().drain (count); });

    RealtimeAudioThread audio (rig.engine, 3000);
    audio.render (200);

    // Live notes, note edits, locates, and chains rebuilt (a new source, the backend switched both
    // ways, an external instrument deleted): each rebuild ends its notes with an allNotesOff.
    int rebuilds = 0;
    for (int i = 0; i < 30; ++i)
    {
        rig.engine.noteOn (sc, 60 + i % 12, 0.7f);
        rig.act (model::action::AddNote { sc, { {}, (i * 97) % 1900, 100, (std::uint8_t) (50 + i % 20), 90, 1.0f } });
        if (i % 7 == 0)
            rig.act (model::action::Locate { (i * 31) % 1900 });
        if (i % 5 == 0)
        {
            model::Source s;
            s.builtIn = i % 2 == 0 ? model::BuiltInSource::square : model::BuiltInSource::saw;
            rig.act (model::action::SetSource { sc, s });
            ++rebuilds;
        }
        if (i % 10 == 3)
        {
            rig.act (model::action::SetBackend { other, model::Backend::internal });
            rig.act (model::action::SetBackend { other, model::Backend::superCollider });
            ++rebuilds;
        }
        audio.render (4);
        rig.engine.noteOff (sc, 60 + i % 12);
    }
    rig.engine.allNotesOff (sc);
    rig.act (model::action::DeleteInstrument { other });
    ++rebuilds;
    rig.act (model::action::Stop {});
    const auto violations = audio.finish (20);
    quit = true;
    consumer.join();
    checkRealtimeSafe (violations);

    // It really played: events came out, none was lost, every rebuild released its notes.
    CHECK (rig.engine.getExternalNotes().getDropped() == 0);
    CHECK (received.load() > 100);
    CHECK (allNotesOff.load() >= rebuilds + 1); // + the live allNotesOff
    CHECK (peak (audio.getLeft(), 0, audio.getLeft().size()) > 0.01f); // the internal instrument sounds
}

TEST_CASE ("realtime external automation and LFO values make no allocation or lock on the audio thread", "[engine][realtime][external]")
{
    REQUIRE (realtimeHarnessActive());

    EngineRig rig;
    model::Source saw;
    const auto sc = model::InstrumentId { rig.act (model::action::AddInstrument { "sc", saw, model::Backend::superCollider, { EngineRig::effect (model::EffectType::gain), EngineRig::effect (model::EffectType::delay) } }) };
    const auto bus = model::BusId { rig.act (model::action::AddBus { "fx" }) };
    rig.act (model::action::AddSend { sc, bus, 0.5f });
    const auto stage = rig.session.instruments.find (sc)->chain[0].id;
    using model::ParamAddress;
    using model::ParamGroup;

    // Lanes on every group an external instrument's values go out for: source, amp, stage, strip, send.
    const model::ParamAddress targets[] = { ParamAddress::instrument (sc, ParamGroup::source, 2),
                                            ParamAddress::instrument (sc, ParamGroup::amp, (std::uint16_t) model::AmpParam::release),
                                            ParamAddress::stage (model::NodeKind::instrument, sc.value, stage, 0),
                                            ParamAddress::instrument (sc, ParamGroup::strip, (std::uint16_t) model::StripParam::pan),
                                            ParamAddress::instrument (sc, ParamGroup::send, 0, bus.value) };
    std::vector<model::LaneId> lanes;
    for (const auto& t : targets)
        lanes.push_back (model::LaneId { rig.act (model::action::AddLane { { model::AutomationTargetKind::parameter, t } }) });
    for (int p = 0; p < 16; ++p)
        for (std::size_t i = 0; i < lanes.size(); ++i)
            rig.act (model::action::SetPoint { lanes[i], { p * 120, 0.1f + 0.05f * (float) ((p + (int) i) % 7), p % 2 == 0 ? model::CurveType::linear : model::CurveType::sCurve } });
    for (int n = 0; n < 16; ++n)
        rig.act (model::action::AddNote { sc, { {}, n * 120, 100, (std::uint8_t) (48 + n), 100, 1.0f } });
    rig.setParam (ParamAddress::instrument (sc, ParamGroup::lfo, (std::uint16_t) model::LfoParam::rate), 7.0f);
    rig.setParam (ParamAddress::instrument (sc, ParamGroup::lfo, (std::uint16_t) model::LfoParam::depth), 0.4f);
    rig.act (model::action::SetLfo { sc, true, model::LfoShape::sine, ParamAddress::stage (model::NodeKind::instrument, sc.value, stage, 0) });
    rig.act (model::action::SetLoop { { true, 0, 2 * 960 } });
    rig.act (model::action::Play {});
    rig.engine.update();

    std::atomic<bool> quit { false };
    std::atomic<std::int64_t> params { 0 };
    std::thread consumer ([&]
                          {
        auto count = [&] (const engine::ExternalNoteEvent& e)
        {
            if (e.kind == engine::ExternalNoteEvent::Kind::param)
                params.fetch_add (1);
        };
        while (! quit.load())
            if (rig.engine.getExternalNotes().drain (count) == 0)
                std::this_thread::sleep_for (std::chrono::microseconds (200));
        rig.engine.getExternalNotes().drain (count); });

    RealtimeAudioThread audio (rig.engine, 3000);
    audio.render (200);

    // Edits while it plays: points move, the LFO changes target, shape and goes off and on, the
    // chain is rebuilt (a new source), a locate.
    for (int i = 0; i < 30; ++i)
    {
        rig.act (model::action::SetPoint { lanes[(std::size_t) i % lanes.size()], { (i * 53) % 1900, 0.3f, model::CurveType::linear } });
        const bool on = i % 4 != 3;
        rig.act (model::action::SetLfo { sc, on, i % 2 == 0 ? model::LfoShape::square : model::LfoShape::triangle, targets[(std::size_t) i % 3] });
        if (i % 10 == 5)
        {
            model::Source s;
            s.builtIn = i % 20 == 5 ? model::BuiltInSource::square : model::BuiltInSource::saw;
            rig.act (model::action::SetSource { sc, s });
        }
        if (i % 7 == 0)
            rig.act (model::action::Locate { (i * 31) % 1900 });
        audio.render (4);
    }
    rig.act (model::action::Stop {});
    const auto violations = audio.finish (20);
    quit = true;
    consumer.join();
    checkRealtimeSafe (violations);

    // It really sent values, and nothing was lost.
    CHECK (rig.engine.getExternalNotes().getDropped() == 0);
    CHECK (rig.engine.getExternalNotes().getParamsDropped() == 0);
    CHECK (params.load() > 300);
}
