#include "imbolc_TestHelpers.h"

using namespace imbolc;
using namespace imbolc::model;
using test::applyOk;

namespace
{
ParamAddress levelOf (InstrumentId id)
{
    return ParamAddress::instrument (id, ParamGroup::strip, (std::uint16_t) StripParam::level);
}

std::string refusal (Dispatcher& d, const Action& a)
{
    const auto before = d.getSession();
    const auto depth = d.getHistory().undoDepth();
    const auto r = d.apply (a);
    CHECK (d.getSession() == before);
    CHECK (d.getHistory().undoDepth() == depth);
    return r.error;
}

bool hasEffect (const ApplyResult& r, AudioEffect::Kind kind)
{
    return std::any_of (r.changes.audio.begin(), r.changes.audio.end(), [kind] (const AudioEffect& e)
                        { return e.kind == kind; });
}
} // namespace

TEST_CASE ("SetMacro maps a macro in one session-scope step that undo and redo take back and forth", "[model][macros]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    const Macro mapped { true, levelOf (a), 1.5f, 0.25f }; // inverted: from > to

    const auto r = applyOk (f.dispatcher, action::SetMacro { 4, mapped });
    CHECK (f.session.macros[4] == mapped);
    CHECK (f.session.macros[4].valueFor (0.0f) == 1.5f);
    CHECK (f.session.macros[4].valueFor (1.0f) == 0.25f);
    CHECK (f.session.macros[4].valueFor (0.5f) == Approx (0.875f));
    // The engine and the network hear of it; nothing else changed.
    REQUIRE (r.changes.audio.size() == 1);
    CHECK (r.changes.audio[0].kind == AudioEffect::Kind::updateMacros);
    NetDirty expected;
    expected.macros = true;
    CHECK (r.changes.net == expected);
    CHECK (r.changes.undoScope == UndoScope { UndoScopeKind::session, 0 });
    CHECK (f.history.peekUndoName() == "Map Macro 5");

    const auto undo = applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.macros[4] == Macro {});
    CHECK (hasEffect (undo, AudioEffect::Kind::updateMacros));
    CHECK (undo.changes.net.macros);
    CHECK_FALSE (hasEffect (undo, AudioEffect::Kind::fullRebuild));

    const auto redo = applyOk (f.dispatcher, action::Redo {});
    CHECK (f.session.macros[4] == mapped);
    CHECK (redo.changes.net.macros);

    // Clearing is a SetMacro too, and undoes to the mapping.
    applyOk (f.dispatcher, action::SetMacro { 4, Macro {} });
    CHECK_FALSE (f.session.macros[4].assigned);
    CHECK (f.history.peekUndoName() == "Unmap Macro 5");
    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.macros[4] == mapped);
}

TEST_CASE ("A parameter drives one macro: mapping it to another slot moves it in the same step", "[model][macros]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    applyOk (f.dispatcher, action::SetMacro { 0, Macro { true, levelOf (a), 0.0f, 1.0f } });
    CHECK (findMacro (f.session, levelOf (a)) == 0);

    applyOk (f.dispatcher, action::SetMacro { 7, Macro { true, levelOf (a), 0.5f, 1.0f } });
    CHECK_FALSE (f.session.macros[0].assigned);
    CHECK (findMacro (f.session, levelOf (a)) == 7);

    applyOk (f.dispatcher, action::Undo {});
    CHECK (findMacro (f.session, levelOf (a)) == 0);
    CHECK_FALSE (f.session.macros[7].assigned);
}

TEST_CASE ("SetMacro and SetMidiChannel refuse what is not valid with one sentence and no trace", "[model][macros]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    const auto nan = std::numeric_limits<float>::quiet_NaN();
    auto& d = f.dispatcher;

    CHECK (refusal (d, action::SetMacro { -1, Macro { true, levelOf (a), 0.0f, 1.0f } }) == "There is no macro 0 (macros are 1 to 16).");
    CHECK (refusal (d, action::SetMacro { 16, Macro {} }) == "There is no macro 17 (macros are 1 to 16).");
    CHECK_THAT (refusal (d, action::SetMacro { 0, Macro { true, levelOf (InstrumentId { 999 }), 0.0f, 1.0f } }),
                Catch::Matches ("Macro 1 cannot drive instrument 999 strip parameter 0: there is no such parameter\\."));
    CHECK (refusal (d, action::SetMacro { 2, Macro { true, levelOf (a), nan, 1.0f } }) == "Macro 3's span must be finite numbers.");
    CHECK (refusal (d, action::SetMacro { 2, Macro { false, {}, 0.0f, std::numeric_limits<float>::infinity() } }) == "Macro 3's span must be finite numbers.");
    CHECK_THAT (refusal (d, action::SetMacro { 3, Macro { true, levelOf (a), -0.5f, 1.0f } }),
                Catch::StartsWith ("Macro 4's span -0.5 to 1 is outside the range of instrument ") && Catch::EndsWith ("(level) (0 to 2)."));

    CHECK (refusal (d, action::SetMidiChannel { a, 17 }) == "MIDI channel 17 does not exist (0 for none, or 1 to 16).");
    CHECK (refusal (d, action::SetMidiChannel { a, -1 }) == "MIDI channel -1 does not exist (0 for none, or 1 to 16).");
    CHECK (refusal (d, action::SetMidiChannel { InstrumentId { 999 }, 1 }) == "There is no instrument 999.");

    // The edges are accepted.
    applyOk (d, action::SetMacro { 15, Macro { true, levelOf (a), 0.0f, 2.0f } });
    applyOk (d, action::SetMidiChannel { a, 16 });
    applyOk (d, action::SetMidiChannel { a, 0 });
}

TEST_CASE ("SetMidiChannel is an instrument edit: targeted, undoable, no rebuild", "[model][macros]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    const auto b = f.addInstrument();

    const auto r = applyOk (f.dispatcher, action::SetMidiChannel { a, 2 });
    CHECK (f.session.instruments.find (a)->midiChannel == 2);
    CHECK (f.session.instruments.find (b)->midiChannel == 0);
    REQUIRE (r.changes.audio.size() == 1);
    CHECK (r.changes.audio[0] == AudioEffect::forId (AudioEffect::Kind::updateInstrument, a.value));
    NetDirty expected;
    expected.instruments = { a };
    CHECK (r.changes.net == expected);
    CHECK (r.changes.undoScope == UndoScope { UndoScopeKind::instrument, a.value });

    const auto undo = applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.instruments.find (a)->midiChannel == 0);
    REQUIRE (undo.changes.audio.size() == 1);
    CHECK (undo.changes.audio[0] == AudioEffect::forId (AudioEffect::Kind::updateInstrument, a.value));
    applyOk (f.dispatcher, action::Redo {});
    CHECK (f.session.instruments.find (a)->midiChannel == 2);
}

TEST_CASE ("Deleting what a macro drives unassigns the macro in the same undo step", "[model][macros]")
{
    test::Fixture f;
    auto& s = f.session;
    const auto a = f.addInstrument();
    const auto other = f.addInstrument();
    const auto bus = BusId { applyOk (f.dispatcher, action::AddBus { "Verb" }).createdId };
    applyOk (f.dispatcher, action::AddSend { other, bus, 0.5f });
    Stage gain;
    gain.kind = StageKind::effect;
    gain.effect = EffectType::gain;
    const auto busStage = StageId { applyOk (f.dispatcher, action::AddStage { NodeKind::bus, bus.value, gain }).createdId };

    const auto stageParam = ParamAddress::stage (NodeKind::instrument, a.value, f.firstStage (a), 0);
    const auto busStageParam = ParamAddress::stage (NodeKind::bus, bus.value, busStage, 0);
    const auto sendParam = ParamAddress::instrument (other, ParamGroup::send, 0, bus.value);
    const auto busLevel = ParamAddress { NodeKind::bus, bus.value, ParamGroup::strip, 0, 0 };
    const auto stageRange = *findParam (s, stageParam);
    applyOk (f.dispatcher, action::SetMacro { 0, Macro { true, levelOf (a), 0.0f, 1.0f } });
    applyOk (f.dispatcher, action::SetMacro { 1, Macro { true, stageParam, stageRange.minValue, stageRange.maxValue } });
    applyOk (f.dispatcher, action::SetMacro { 2, Macro { true, sendParam, 0.0f, 1.0f } });
    applyOk (f.dispatcher, action::SetMacro { 3, Macro { true, busLevel, 0.0f, 1.0f } });
    applyOk (f.dispatcher, action::SetMacro { 4, Macro { true, busStageParam, findParam (s, busStageParam)->minValue, findParam (s, busStageParam)->maxValue } });
    applyOk (f.dispatcher, action::SetMacro { 5, Macro { true, levelOf (other), 0.0f, 1.0f } });
    const auto mapped = s.macros;

    SECTION ("an instrument's stage")
    {
        const auto r = applyOk (f.dispatcher, action::RemoveStage { NodeKind::instrument, a.value, f.firstStage (a) });
        CHECK_FALSE (s.macros[1].assigned);
        CHECK (s.macros[0] == mapped[0]);
        CHECK (r.changes.net.macros);
        CHECK (hasEffect (r, AudioEffect::Kind::updateMacros));
        CHECK (hasEffect (r, AudioEffect::Kind::rebuildInstrument));
        CHECK (validate (s).empty());
        applyOk (f.dispatcher, action::Undo {});
        CHECK (s.macros == mapped);
        CHECK (s.instruments.find (a)->chain.size() == 1);
    }
    SECTION ("a send")
    {
        applyOk (f.dispatcher, action::RemoveSend { other, bus });
        CHECK_FALSE (s.macros[2].assigned);
        applyOk (f.dispatcher, action::Undo {});
        CHECK (s.macros == mapped);
        CHECK (s.instruments.find (other)->strip.sends.size() == 1);
    }
    SECTION ("a bus's stage")
    {
        applyOk (f.dispatcher, action::RemoveStage { NodeKind::bus, bus.value, busStage });
        CHECK_FALSE (s.macros[4].assigned);
        CHECK (s.macros[3].assigned);
        applyOk (f.dispatcher, action::Undo {});
        CHECK (s.macros == mapped);
    }
    SECTION ("a bus: its parameters and every send to it")
    {
        const auto r = applyOk (f.dispatcher, action::RemoveBus { bus });
        CHECK_FALSE (s.macros[2].assigned);
        CHECK_FALSE (s.macros[3].assigned);
        CHECK_FALSE (s.macros[4].assigned);
        CHECK (s.macros[0].assigned);
        CHECK (r.changes.net.macros);
        CHECK (validate (s).empty());
        applyOk (f.dispatcher, action::Undo {});
        CHECK (s.macros == mapped);
    }
    SECTION ("an instrument")
    {
        const auto r = applyOk (f.dispatcher, action::DeleteInstrument { a });
        CHECK_FALSE (s.macros[0].assigned);
        CHECK_FALSE (s.macros[1].assigned);
        CHECK (s.macros[5] == mapped[5]);
        CHECK (r.changes.net.macros);
        CHECK (validate (s).empty());
        CHECK (f.history.undoDepth() == 12); // the deletion is one step
        applyOk (f.dispatcher, action::Undo {});
        CHECK (s.macros == mapped);
        CHECK (s.instruments.contains (a));
        applyOk (f.dispatcher, action::Redo {});
        CHECK_FALSE (s.macros[0].assigned);
    }
    SECTION ("a stage no macro drives keeps its instrument's narrow undo scope")
    {
        Stage filter;
        filter.kind = StageKind::filter;
        const auto spare = StageId { applyOk (f.dispatcher, action::AddStage { NodeKind::instrument, a.value, filter }).createdId };
        const auto r = applyOk (f.dispatcher, action::RemoveStage { NodeKind::instrument, a.value, spare });
        CHECK (r.changes.undoScope == UndoScope { UndoScopeKind::instrument, a.value });
        CHECK_FALSE (r.changes.net.macros);
        CHECK (s.macros == mapped);
    }
}

TEST_CASE ("validate checks macros and MIDI channels", "[model][macros]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    auto s = f.session;
    REQUIRE (validate (s).empty());

    s.macros[2] = Macro { true, levelOf (InstrumentId { 77 }), 0.0f, 1.0f };
    CHECK (validate (s) == "Macro 3 drives a node that does not exist.");
    s.macros[2] = Macro { false, {}, std::numeric_limits<float>::quiet_NaN(), 1.0f };
    CHECK (validate (s) == "Macro 3 has a span that is not a finite number.");
    s.macros[2] = Macro {};
    s.instruments.find (a)->midiChannel = 17;
    CHECK (validate (s) == "MIDI channel 17 does not exist (0 for none, or 1 to 16).");
    s.instruments.find (a)->midiChannel = 16;
    CHECK (validate (s).empty());
}
