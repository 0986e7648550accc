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
