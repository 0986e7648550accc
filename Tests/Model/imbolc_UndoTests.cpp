#include "imbolc_TestHelpers.h"

using namespace imbolc;
using namespace imbolc::model;
using test::applyOk;

namespace
{
ParamAddress cutoffOf (test::Fixture& f, InstrumentId id)
{
    return ParamAddress::stage (NodeKind::instrument, id.value, f.firstStage (id), 0);
}

float valueOf (const Session& s, const ParamAddress& p) { return findParam (s, p)->value; }
} // namespace

TEST_CASE ("Undo and redo restore each scope exactly", "[model][undo]")
{
    test::Fixture f;
    auto& d = f.dispatcher;
    const auto a = f.addInstrument();
    const auto b = f.addInstrument();

    SECTION ("instrument scope: a parameter tweak, undone with a targeted effect")
    {
        const auto cutoff = cutoffOf (f, a);
        const auto before = f.session;
        applyOk (d, action::SetParam { cutoff, 5000.0f });
        CHECK (f.history.peekScope() == UndoScope { UndoScopeKind::instrument, a.value });

        const auto undo = applyOk (d, action::Undo {});
        CHECK (f.session == before);
        REQUIRE (undo.changes.audio.size() == 1);
        CHECK (undo.changes.audio[0] == AudioEffect::forParam (cutoff, 2000.0f)); // no rebuild for a value change
        CHECK (undo.changes.net.instruments == std::set<InstrumentId> { a });

        applyOk (d, action::Redo {});
        CHECK (valueOf (f.session, cutoff) == 5000.0f);
    }

    SECTION ("instrument scope: a structural change is undone with a rebuild of only that instrument")
    {
        Stage chorus;
        chorus.kind = StageKind::effect;
        chorus.effect = EffectType::chorus;
        const auto before = f.session;
        applyOk (d, action::AddStage { NodeKind::instrument, b.value, chorus });
        const auto undo = applyOk (d, action::Undo {});
        CHECK (f.session.instruments == before.instruments);
        REQUIRE (undo.changes.audio.size() == 1);
        CHECK (undo.changes.audio[0] == AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, b.value));
    }

    SECTION ("track scope: notes")
    {
        const auto before = f.session;
        applyOk (d, action::AddNote { a, Note { {}, 0, 480, 60, 100, 1.0f } });
        CHECK (f.history.peekScope() == UndoScope { UndoScopeKind::track, a.value });
        applyOk (d, action::Undo {});
        CHECK (f.session.pianoRoll == before.pianoRoll);
        applyOk (d, action::Redo {});
        CHECK (f.session.pianoRoll.find (a)->notes.size() == 1);
    }

    SECTION ("lane scope: automation points")
    {
        const auto lane = LaneId { applyOk (d, action::AddLane { { AutomationTargetKind::parameter, cutoffOf (f, a) } }).createdId };
        applyOk (d, action::SetPoint { lane, Point { 0, 100.0f, CurveType::linear } });
        CHECK (f.history.peekScope() == UndoScope { UndoScopeKind::lane, lane.value });
        applyOk (d, action::Undo {});
        CHECK (f.session.automation.find (lane)->points.points.empty());
        applyOk (d, action::Undo {});
        CHECK (f.session.automation.find (lane) == nullptr); // adding the lane was a session-scope edit
    }

    SECTION ("session scope: tempo")
    {
        applyOk (d, action::SetBpm { 90.0 });
        CHECK (f.history.peekScope() == UndoScope { UndoScopeKind::session, 0 });
        const auto undo = applyOk (d, action::Undo {});
        CHECK (f.session.settings.bpm == 120.0);
        CHECK (std::find (undo.changes.audio.begin(), undo.changes.audio.end(), AudioEffect::forId (AudioEffect::Kind::updateTiming, 0))
               != undo.changes.audio.end());
        applyOk (d, action::Redo {});
        CHECK (f.session.settings.bpm == 90.0);
    }

    SECTION ("full scope: add and delete instrument, with ids kept")
    {
        const auto before = f.session;
        const auto c = f.addInstrument();
        applyOk (d, action::DeleteInstrument { a });
        applyOk (d, action::Undo {});
        CHECK (f.session.instruments.contains (a));
        applyOk (d, action::Undo {});
        CHECK_FALSE (f.session.instruments.contains (c));
        CHECK (f.session.instruments == before.instruments);
        CHECK (f.session.nextId > before.nextId); // ids are not handed out again
        applyOk (d, action::Redo {});
        CHECK (f.session.instruments.contains (c)); // same id back
        const auto d2 = f.addInstrument();
        CHECK (d2.value > c.value);
        CHECK_FALSE (f.history.canRedo()); // a new action clears redo
    }
    CHECK (validate (f.session).empty());
}

TEST_CASE ("hasSameEntries tells apart histories of one depth whose entries differ", "[model][undo]")
{
    test::FakeClock clock;
    const auto session = test::sessionWithInstruments (1);
    const UndoScope scope { UndoScopeKind::instrument, session.instruments[0].id.value };
    auto changed = session;
    changed.instruments[0].strip.level = 0.25f;

    UndoHistory a { clock.function() }, b { clock.function() }, c { clock.function() };
    CHECK (a.hasSameEntries (b));
    a.record (session, scope, {});
    b.record (session, scope, {});
    c.record (changed, scope, {});
    REQUIRE (c.undoDepth() == a.undoDepth());
    CHECK (a.hasSameEntries (b));
    CHECK_FALSE (a.hasSameEntries (c)); // an entry replaced by another of the same scope

    // The redo side counts too: undoing over different live states leaves different redo entries.
    auto liveA = session, liveB = changed;
    a.undo (liveA);
    b.undo (liveB);
    REQUIRE (a.redoDepth() == b.redoDepth());
    REQUIRE (a.undoDepth() == b.undoDepth());
    CHECK_FALSE (a.hasSameEntries (b));
}

TEST_CASE ("A 30-step sweep within the window is one undo entry and a gap over 500 ms starts another", "[model][undo]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    const auto cutoff = cutoffOf (f, a);
    const auto baseDepth = f.history.undoDepth();

    for (int step = 0; step < 30; ++step)
    {
        applyOk (f.dispatcher, action::SetParam { cutoff, 100.0f + 50.0f * (float) step });
        f.clock.now += 16;
    }
    CHECK (f.history.undoDepth() == baseDepth + 1);

    f.clock.now += 501;
    applyOk (f.dispatcher, action::SetParam { cutoff, 9000.0f });
    CHECK (f.history.undoDepth() == baseDepth + 2);

    // One undo takes the whole sweep back to where it started.
    applyOk (f.dispatcher, action::Undo {});
    CHECK (valueOf (f.session, cutoff) == 100.0f + 50.0f * 29.0f);
    applyOk (f.dispatcher, action::Undo {});
    CHECK (valueOf (f.session, cutoff) == 2000.0f);
}

TEST_CASE ("Coalescing keys: another instrument or another kind of edit starts a new entry", "[model][undo]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    const auto b = f.addInstrument();
    const auto base = f.history.undoDepth();

    applyOk (f.dispatcher, action::SetParam { cutoffOf (f, a), 300.0f });
    applyOk (f.dispatcher, action::SetParam { cutoffOf (f, a), 400.0f });
    CHECK (f.history.undoDepth() == base + 1);
    applyOk (f.dispatcher, action::SetParam { cutoffOf (f, b), 400.0f });
    CHECK (f.history.undoDepth() == base + 2);
    applyOk (f.dispatcher, action::SetBpm { 100.0 });
    applyOk (f.dispatcher, action::SetBpm { 101.0 });
    applyOk (f.dispatcher, action::SetSwing { 0.2f }); // session parameters share a key
    CHECK (f.history.undoDepth() == base + 3);
    applyOk (f.dispatcher, action::AddNote { a, Note {} });
    applyOk (f.dispatcher, action::SetParam { cutoffOf (f, a), 500.0f });
    CHECK (f.history.undoDepth() == base + 5);
}

TEST_CASE ("The undo stack keeps at most 500 entries dropping the oldest", "[model][undo]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    for (int i = 0; i < 600; ++i)
        applyOk (f.dispatcher, action::AddNote { a, Note { {}, i * 10, 10, 60, 100, 1.0f } });
    CHECK (f.history.undoDepth() == UndoHistory::defaultMaxDepth);

    int undone = 0;
    while (f.dispatcher.apply (action::Undo {}).ok())
        ++undone;
    CHECK (undone == 500);
    // The first 100 notes (and the instrument) are beyond the reach of undo.
    CHECK (f.session.pianoRoll.find (a)->notes.size() == 100);
    CHECK (f.history.redoDepth() == 500);
}

TEST_CASE ("A new action clears redo", "[model][undo]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    applyOk (f.dispatcher, action::AddNote { a, Note {} });
    applyOk (f.dispatcher, action::Undo {});
    REQUIRE (f.history.canRedo());
    applyOk (f.dispatcher, action::RenameInstrument { a, "x" });
    CHECK_FALSE (f.history.canRedo());
}

TEST_CASE ("A tweak during playback stays single-instrument unless automation recording is on", "[model][undo]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    const auto cutoff = cutoffOf (f, a);
    applyOk (f.dispatcher, action::Play {});

    auto r = applyOk (f.dispatcher, action::SetParam { cutoff, 700.0f });
    CHECK (r.changes.undoScope == UndoScope { UndoScopeKind::instrument, a.value });
    CHECK (f.session.automation.empty());

    applyOk (f.dispatcher, action::SetAutomationRecording { true });
    applyOk (f.dispatcher, action::Locate { 960 });
    r = applyOk (f.dispatcher, action::SetParam { cutoff, 800.0f });
    CHECK (r.changes.undoScope.kind == UndoScopeKind::full);
    REQUIRE (f.session.automation.size() == 1);
    const auto& lane = f.session.automation[0];
    CHECK (lane.target.param == cutoff);
    REQUIRE (lane.points.find (960) != nullptr);
    CHECK (lane.points.find (960)->value == 800.0f);
    CHECK (r.changes.net.automationStructural);

    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.automation.empty());
    CHECK (valueOf (f.session, cutoff) == 700.0f);
    CHECK (f.session.transport.playing); // undo never moves the transport
}

//==============================================================================
// Per-seat undo: every seat of a shared session has its own UndoHistory and Dispatcher over the one
// Session, and after each accepted action the other seats forget what it overwrote (as the server does).

namespace Catch
{
template <>
struct StringMaker<imbolc::model::UndoScope>
{
    static std::string convert (const imbolc::model::UndoScope& scope)
    {
        static const char* const kinds[] = { "none", "instrument", "track", "lane", "session", "full" };
        return std::string (kinds[static_cast<std::size_t> (scope.kind)]) + " " + std::to_string (scope.id);
    }
};
} // namespace Catch

namespace
{
struct TwoSeats
{
    test::FakeClock clock;
    Session session;
    UndoHistory historyA { clock.function() }, historyB { clock.function() };
    Dispatcher seatA { session, historyA }, seatB { session, historyB };

    ApplyResult apply (Dispatcher& seat, const Action& action)
    {
        auto result = applyOk (seat, action);
        otherHistory (seat).forgetConflicting (result.changes.undoScope);
        clock.now += 1000; // separate gestures: no coalescing unless a test wants it
        return result;
    }

    UndoHistory& otherHistory (Dispatcher& seat) { return &seat == &seatA ? historyB : historyA; }

    InstrumentId addInstrument (Dispatcher& seat)
    {
        Source source;
        source.builtIn = BuiltInSource::saw;
        Stage filter;
        filter.kind = StageKind::filter;
        return InstrumentId { apply (seat, action::AddInstrument { "synth", source, Backend::internal, { filter } }).createdId };
    }

    ParamAddress cutoff (InstrumentId id)
    {
        return ParamAddress::stage (NodeKind::instrument, id.value, session.instruments.find (id)->chain.at (0).id, 0);
    }
};

/** The scopes of a history's undo entries, newest first (undone on a copy, so nothing changes). */
std::vector<UndoScope> undoScopes (UndoHistory history, Session session)
{
    std::vector<UndoScope> scopes;
    while (auto scope = history.undo (session))
        scopes.push_back (*scope);
    return scopes;
}
} // namespace

TEST_CASE ("Per-seat undo reverts only the seat's own edit and leaves the other seat's", "[model][undo][seats]")
{
    TwoSeats seats;
    const auto one = seats.addInstrument (seats.seatA);
    const auto two = seats.addInstrument (seats.seatA);
    const auto cutoffOne = seats.cutoff (one);
    const auto cutoffTwo = seats.cutoff (two);

    seats.apply (seats.seatA, action::SetParam { cutoffOne, 3000.0f });
    seats.apply (seats.seatB, action::SetParam { cutoffTwo, 4000.0f });

    const auto undo = seats.apply (seats.seatA, action::Undo {});
    CHECK (undo.changes.undoScope == UndoScope { UndoScopeKind::instrument, one.value });
    CHECK (valueOf (seats.session, cutoffOne) == 2000.0f);
    CHECK (valueOf (seats.session, cutoffTwo) == 4000.0f); // B's edit stays

    // A's two full-scope entries (adding the instruments) would have overwritten B's edit: forgotten.
    CHECK_FALSE (seats.historyA.canUndo());
    CHECK (seats.session.instruments.contains (one));
    CHECK (seats.session.instruments.contains (two));

    // B's own undo still works, and A's undo of instrument one did not touch it.
    seats.apply (seats.seatB, action::Undo {});
    CHECK (valueOf (seats.session, cutoffTwo) == 2000.0f);
    CHECK (valueOf (seats.session, cutoffOne) == 2000.0f);
    CHECK (validate (seats.session).empty());
}

TEST_CASE ("A full-scope entry is forgotten when another seat edits what it would overwrite", "[model][undo][seats]")
{
    SECTION ("nothing older: A has nothing left to undo")
    {
        TwoSeats seats;
        const auto added = seats.addInstrument (seats.seatA);
        REQUIRE (seats.historyA.peekScope() == UndoScope { UndoScopeKind::full, 0 });

        seats.apply (seats.seatB, action::AddNote { added, Note { {}, 0, 480, 60, 100, 1.0f } });
        CHECK_FALSE (seats.historyA.canUndo());

        const auto undo = seats.seatA.apply (action::Undo {});
        CHECK (undo.error == "There is nothing to undo.");
        CHECK (seats.session.instruments.contains (added));
        REQUIRE (seats.session.pianoRoll.find (added) != nullptr);
        CHECK (seats.session.pianoRoll.find (added)->notes.size() == 1); // B's note survives
    }

    SECTION ("an older non-conflicting entry is what A undoes")
    {
        TwoSeats seats;
        const auto first = seats.addInstrument (seats.seatB);
        const auto cutoffFirst = seats.cutoff (first);
        seats.apply (seats.seatA, action::SetParam { cutoffFirst, 3000.0f });
        const auto second = seats.addInstrument (seats.seatA);
        REQUIRE (seats.historyA.undoDepth() == 2);

        seats.apply (seats.seatB, action::AddNote { second, Note { {}, 0, 480, 60, 100, 1.0f } });
        REQUIRE (seats.historyA.undoDepth() == 1);
        CHECK (seats.historyA.peekScope() == UndoScope { UndoScopeKind::instrument, first.value });

        seats.apply (seats.seatA, action::Undo {});
        CHECK (valueOf (seats.session, cutoffFirst) == 2000.0f);
        CHECK (seats.session.instruments.contains (second)); // A's add is no longer undoable
        CHECK (seats.session.pianoRoll.find (second)->notes.size() == 1);
    }
}

TEST_CASE ("forgetConflicting drops exactly the entries whose restore overwrites the other seat's change", "[model][undo][seats]")
{
    // One seat's history holding an entry of every scope, oldest first.
    TwoSeats seats;
    auto& a = seats.seatA;
    const auto one = seats.addInstrument (seats.seatB);
    const auto two = seats.addInstrument (seats.seatB);
    const auto laneOne = LaneId { seats.apply (seats.seatB, action::AddLane { { AutomationTargetKind::parameter, seats.cutoff (one) } }).createdId };
    const auto laneTwo = LaneId { seats.apply (seats.seatB, action::AddLane { { AutomationTargetKind::parameter, seats.cutoff (two) } }).createdId };

    seats.apply (a, action::SetParam { seats.cutoff (one), 3000.0f });
    seats.apply (a, action::AddNote { one, Note { {}, 0, 480, 60, 100, 1.0f } });
    seats.apply (a, action::SetPoint { laneOne, Point { 0, 100.0f, CurveType::linear } });
    seats.apply (a, action::SetBpm { 90.0 });
    seats.addInstrument (a);
    seats.apply (a, action::SetParam { seats.cutoff (two), 3000.0f });
    seats.apply (a, action::AddNote { two, Note { {}, 0, 480, 60, 100, 1.0f } });
    seats.apply (a, action::SetPoint { laneTwo, Point { 0, 200.0f, CurveType::linear } });

    const UndoScope instOne { UndoScopeKind::instrument, one.value }, instTwo { UndoScopeKind::instrument, two.value };
    const UndoScope trackOne { UndoScopeKind::track, one.value }, trackTwo { UndoScopeKind::track, two.value };
    const UndoScope lane1 { UndoScopeKind::lane, laneOne.value }, lane2 { UndoScopeKind::lane, laneTwo.value };
    const UndoScope session { UndoScopeKind::session, 0 }, full { UndoScopeKind::full, 0 }, none {};

    const std::vector<UndoScope> all { lane2, trackTwo, instTwo, full, session, lane1, trackOne, instOne };
    REQUIRE (undoScopes (seats.historyA, seats.session) == all);

    struct Rule
    {
        const char* name;
        UndoScope changedByOther;
        std::vector<UndoScope> kept; // newest first
    };
    const Rule rules[] = {
        { "a change with no scope conflicts with nothing", none, all },
        { "a full change conflicts with every entry", full, {} },
        { "a session change conflicts with session and full entries and every lane", session, { trackTwo, instTwo, trackOne, instOne } },
        { "a lane change conflicts with that lane and session and full entries", lane1, { lane2, trackTwo, instTwo, trackOne, instOne } },
        { "an instrument change conflicts with that instrument and full entries", instOne, { lane2, trackTwo, instTwo, session, lane1, trackOne } },
        { "a track change conflicts with that track and full entries", trackTwo, { lane2, instTwo, session, lane1, trackOne, instOne } },
    };

    for (const auto& rule : rules)
    {
        INFO (rule.name);
        auto history = seats.historyA;
        history.forgetConflicting (rule.changedByOther);
        CHECK (undoScopes (history, seats.session) == rule.kept);
        CHECK (history.undoDepth() == rule.kept.size());
    }

    // The rules as pairs, for the cases a single history cannot hold side by side.
    CHECK (UndoHistory::restoreOverwrites (full, instOne));
    CHECK (UndoHistory::restoreOverwrites (instOne, full));
    CHECK_FALSE (UndoHistory::restoreOverwrites (instOne, instTwo));
    CHECK_FALSE (UndoHistory::restoreOverwrites (instOne, trackOne)); // same id, different part
    CHECK_FALSE (UndoHistory::restoreOverwrites (session, instOne)); // the session part holds no instruments
    CHECK_FALSE (UndoHistory::restoreOverwrites (lane1, lane2));
    CHECK_FALSE (UndoHistory::restoreOverwrites (full, none));
}

TEST_CASE ("Redo entries that would overwrite another seat's change are forgotten too", "[model][undo][seats]")
{
    TwoSeats seats;
    const auto one = seats.addInstrument (seats.seatA);
    const auto cutoffOne = seats.cutoff (one);
    seats.apply (seats.seatA, action::SetParam { cutoffOne, 3000.0f });
    seats.apply (seats.seatA, action::AddNote { one, Note { {}, 0, 480, 60, 100, 1.0f } });
    seats.apply (seats.seatA, action::Undo {});
    seats.apply (seats.seatA, action::Undo {});
    REQUIRE (seats.historyA.redoDepth() == 2);
    REQUIRE (valueOf (seats.session, cutoffOne) == 2000.0f);

    seats.apply (seats.seatB, action::SetParam { cutoffOne, 5000.0f });
    CHECK (seats.historyA.redoDepth() == 1);
    CHECK (seats.historyA.peekRedoScope() == UndoScope { UndoScopeKind::track, one.value });

    seats.apply (seats.seatA, action::Redo {});
    CHECK (seats.session.pianoRoll.find (one)->notes.size() == 1);
    CHECK (valueOf (seats.session, cutoffOne) == 5000.0f); // B's value, not A's redone 3000
    CHECK (seats.seatA.apply (action::Redo {}).error == "There is nothing to redo.");
}

TEST_CASE ("Forgetting entries ends the coalescing run", "[model][undo][seats]")
{
    // A knob gesture whose edits change scope mid-run (automation recording turns a tweak into a full
    // edit) with the same key: if the newest entry is forgotten, the next tweak must not merge into the
    // older entry under it, or one undo would take back edits on both sides of the other seat's change.
    test::FakeClock clock;
    Session session;
    UndoHistory history { clock.function() };
    const CoalesceKey knob { CoalesceKey::Kind::instrumentParams, 1 };
    const UndoScope instrument { UndoScopeKind::instrument, 1 }, full { UndoScopeKind::full, 0 };

    history.record (session, instrument, knob);
    clock.now += 10;
    history.record (session, full, knob);
    REQUIRE (history.undoDepth() == 2);

    history.forgetConflicting ({ UndoScopeKind::instrument, 2 }); // drops only the full entry
    REQUIRE (history.undoDepth() == 1);

    clock.now += 10;
    history.record (session, instrument, knob);
    CHECK (history.undoDepth() == 2);

    // Without a drop the same sequence coalesces: the check above is the reset, not the window.
    history.clear();
    history.record (session, instrument, knob);
    clock.now += 10;
    history.record (session, instrument, knob);
    CHECK (history.undoDepth() == 1);
}

TEST_CASE ("Undo entries carry the edit's name for people, which travels to redo and stays with a coalesced sweep", "[model][undo]")
{
    std::int64_t now = 0;
    model::Session session;
    model::UndoHistory history ([&now] { return now; });
    model::Dispatcher dispatcher (session, history);
    model::Stage filter;
    filter.kind = model::StageKind::filter;
    REQUIRE (dispatcher.apply (model::action::AddInstrument { "lead", {}, model::Backend::internal, { filter } }).ok());
    CHECK (history.peekUndoName() == "Add Instrument");

    const auto& inst = *session.instruments.begin();
    const auto cutoff = model::ParamAddress::stage (model::NodeKind::instrument, inst.id.value, inst.chain.at (0).id, 0);
    for (int step = 0; step < 5; ++step, now += 20)
        REQUIRE (dispatcher.apply (model::action::SetParam { cutoff, 500.0f + 100.0f * (float) step }).ok());
    CHECK (history.undoDepth() == 2); // the sweep is one entry
    CHECK (history.peekUndoName() == "Set Cutoff");
    REQUIRE (dispatcher.apply (model::action::SetMute { model::NodeKind::instrument, inst.id.value, true }).ok());
    CHECK (history.peekUndoName() == "Set Mute");
    REQUIRE (dispatcher.apply (model::action::SetParam { model::ParamAddress::instrument (inst.id, model::ParamGroup::strip, 1), 0.5f }).ok());
    CHECK (history.peekUndoName() == "Set Pan");

    REQUIRE (dispatcher.apply (model::action::Undo {}).ok());
    CHECK (history.peekRedoName() == "Set Pan");
    CHECK (history.peekUndoName() == "Set Mute");
    REQUIRE (dispatcher.apply (model::action::Undo {}).ok());
    REQUIRE (dispatcher.apply (model::action::Undo {}).ok());
    CHECK (history.peekRedoName() == "Set Cutoff");
    CHECK (history.peekUndoName() == "Add Instrument");
    REQUIRE (dispatcher.apply (model::action::Redo {}).ok());
    CHECK (history.peekUndoName() == "Set Cutoff");
    CHECK (model::editName (session, model::action::SetBpm { 100.0 }) == "Set Tempo");
    CHECK (model::editName (session, model::action::DuplicateInstrument { inst.id }) == "Duplicate Instrument");
}
