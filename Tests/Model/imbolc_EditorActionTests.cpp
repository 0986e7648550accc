#include "imbolc_TestHelpers.h"

using namespace imbolc;
using namespace imbolc::model;
using test::applyOk;

// The editors' batched edits (EditNotes, EditPoints, SetClipLength), gestures in the undo history and the
// shape of automation segments.

namespace
{
std::vector<Note> grid (int count, Tick step = 120)
{
    std::vector<Note> notes;
    for (int i = 0; i < count; ++i)
        notes.push_back (Note { {}, i * step, step, (std::uint8_t) (36 + i % 48), 100, 1.0f });
    return notes;
}
} // namespace

TEST_CASE ("EditNotes adds a selection with consecutive ids, changes and removes it as one undo step each", "[model][editors]")
{
    test::Fixture f;
    const auto inst = f.addInstrument();
    const auto depth = f.history.undoDepth();

    const auto added = applyOk (f.dispatcher, action::EditNotes { inst, {}, {}, {}, grid (200) });
    const auto& track = *f.session.pianoRoll.find (inst);
    REQUIRE (track.notes.size() == 200);
    CHECK (track.isSorted());
    CHECK (f.history.undoDepth() == depth + 1);
    CHECK (f.history.peekUndoName() == "Add Notes");
    for (std::uint32_t i = 0; i < 200; ++i)
        CHECK (track.notes[i].id.value == added.createdId + i); // in order, so a paste knows its ids
    CHECK (added.changes.audio == std::vector<AudioEffect> { AudioEffect::forId (AudioEffect::Kind::updateTrack, inst.value) });
    CHECK (added.changes.undoScope == UndoScope { UndoScopeKind::track, inst.value });
    // 200 operations are more than a quarter of the track: the track goes whole instead.
    CHECK (added.changes.net.tracks == std::set<InstrumentId> { inst });
    CHECK (added.changes.net.noteOps.empty());

    // Move the whole selection an octave up and a beat later; drop two notes; all one step.
    const auto before = track.notes;
    action::EditNotes move { inst, {} };
    for (const auto& n : before)
    {
        if (n.id.value == added.createdId || n.id.value == added.createdId + 7)
        {
            move.remove.push_back (n.id);
            continue;
        }
        auto m = n;
        m.tick += ticksPerBeat;
        m.pitch = (std::uint8_t) (m.pitch + 12);
        move.change.push_back (m);
    }
    applyOk (f.dispatcher, move);
    CHECK (track.notes.size() == 198);
    CHECK (track.isSorted());
    CHECK (track.find (NoteId { added.createdId + 1 })->tick == 120 + ticksPerBeat);
    CHECK (track.find (NoteId { added.createdId + 1 })->pitch == 37 + 12);
    CHECK (track.find (NoteId { added.createdId + 7 }) == nullptr);
    CHECK (f.history.peekUndoName() == "Edit Notes");

    applyOk (f.dispatcher, action::Undo {});
    CHECK (track.notes == before);
    applyOk (f.dispatcher, action::Undo {});
    CHECK (track.notes.empty());
    CHECK (f.history.undoDepth() == depth);
}

TEST_CASE ("EditNotes sends a small edit as note operations", "[model][editors]")
{
    test::Fixture f;
    const auto inst = f.addInstrument();
    const auto first = NoteId { applyOk (f.dispatcher, action::EditNotes { inst, {}, {}, {}, grid (100) }).createdId };
    auto n = *f.session.pianoRoll.find (inst)->find (first);
    n.velocity = 20;
    const auto r = applyOk (f.dispatcher, action::EditNotes { inst, {}, { NoteId { first.value + 1 } }, { n }, { Note { {}, 5, 10, 90, 64, 0.5f } } });
    REQUIRE (r.changes.net.noteOps.size() == 3);
    CHECK (r.changes.net.tracks.empty());
    CHECK (r.changes.net.noteOps[0].kind == NoteOp::Kind::remove);
    CHECK (r.changes.net.noteOps[1] == NoteOp { NoteOp::Kind::update, inst, n });
    CHECK (r.changes.net.noteOps[2].kind == NoteOp::Kind::add);
    CHECK (r.changes.net.noteOps[2].note.id.value == r.createdId);
}

TEST_CASE ("EditNotes refuses a bad edit whole and changes nothing", "[model][editors]")
{
    test::Fixture f;
    const auto inst = f.addInstrument(), other = f.addInstrument();
    const auto first = NoteId { applyOk (f.dispatcher, action::EditNotes { inst, {}, {}, {}, grid (4) }).createdId };
    const auto clip = ClipId { applyOk (f.dispatcher, action::AddClip { inst, "Riff", 1920 }).createdId };
    const auto session = f.session;
    const auto depth = f.history.undoDepth();

    auto good = *f.session.pianoRoll.find (inst)->find (first);
    auto badPitch = good;
    badPitch.pitch = 128;
    const std::vector<std::pair<action::EditNotes, std::string>> cases {
        { { inst, {} }, "no notes" },
        { { InstrumentId { 404 }, {}, { first } }, "no instrument 404" },
        { { inst, {}, { NoteId { 9999 } } }, "no note 9999" },
        { { inst, {}, { first }, { good } }, "twice" },
        { { inst, {}, { NoteId { first.value + 1 } }, { badPitch } }, "pitch" }, // the removal must not happen either
        { { inst, {}, {}, {}, { Note { {}, 0, 0, 60, 100, 1.0f } } }, "" },
        { { inst, ClipId { 77 }, {}, {}, grid (1) }, "no clip 77" },
        { { other, clip, {}, {}, grid (1) }, "belongs to instrument" },
        { { inst, clip, {}, {}, { Note { {}, 1920, 10, 60, 100, 1.0f } } }, "past the end of clip" },
    };
    for (const auto& [edit, fragment] : cases)
    {
        const auto r = f.dispatcher.apply (edit);
        INFO (fragment);
        REQUIRE_FALSE (r.ok());
        CHECK_THAT (r.error, Catch::Contains (fragment));
        CHECK (f.session == session);
        CHECK (f.history.undoDepth() == depth);
    }
}

TEST_CASE ("EditNotes edits a clip's notes, which the arrangement plays", "[model][editors]")
{
    test::Fixture f;
    const auto inst = f.addInstrument();
    const auto clip = ClipId { applyOk (f.dispatcher, action::AddClip { inst, "Riff", 1920 }).createdId };
    const auto r = applyOk (f.dispatcher, action::EditNotes { inst, clip, {}, {}, grid (16) });
    const auto& c = *f.session.arrangement.clips.find (clip);
    REQUIRE (c.notes.size() == 16);
    CHECK (std::is_sorted (c.notes.begin(), c.notes.end(), noteOrder));
    CHECK (f.session.pianoRoll.find (inst)->notes.empty()); // the track is untouched
    CHECK (r.changes.net.arrangement);
    CHECK (r.changes.audio == std::vector<AudioEffect> { AudioEffect::forId (AudioEffect::Kind::updateArrangement, 0) });
    CHECK (validate (f.session).empty());

    applyOk (f.dispatcher, action::SetClipLength { clip, 960 });
    CHECK (c.length == 960);
    // Undo swaps the arrangement whole: look the clip up again.
    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.arrangement.clips.find (clip)->length == 1920);
    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.arrangement.clips.find (clip)->notes.empty());
}

TEST_CASE ("EditPoints moves a selection of points as one step and refuses a bad one whole", "[model][editors]")
{
    test::Fixture f;
    const auto lane = LaneId { applyOk (f.dispatcher, action::AddLane { { AutomationTargetKind::swing, {} } }).createdId };
    std::vector<Point> points;
    for (int i = 0; i < 10; ++i)
        points.push_back ({ i * 480, 0.1f * (float) i, CurveType::linear });
    applyOk (f.dispatcher, action::EditPoints { lane, {}, points });
    const auto& list = f.session.automation.find (lane)->points;
    REQUIRE (list.points == points);

    // Drag points 2..4 one beat later: they land on 3..5, replacing what was there.
    action::EditPoints drag { lane };
    for (int i = 2; i <= 4; ++i)
    {
        drag.remove.push_back (i * 480);
        drag.set.push_back ({ (i + 1) * 480, 0.1f * (float) i, CurveType::sCurve, 30 });
    }
    const auto r = applyOk (f.dispatcher, drag);
    CHECK (list.isSorted());
    CHECK (list.points.size() == 9);
    CHECK (list.find (2 * 480) == nullptr);
    CHECK (list.find (5 * 480)->value == Approx (0.4f));
    CHECK (list.find (5 * 480)->shape == 30);
    CHECK (r.changes.net.pointOps.size() == 6);
    CHECK (r.changes.undoScope == UndoScope { UndoScopeKind::lane, lane.value });

    const auto session = f.session;
    for (const auto& bad : { action::EditPoints { lane, { 1 } }, action::EditPoints { lane, { 0, 0 } },
                             action::EditPoints { lane, {}, { Point { 0, 2.0f } } }, action::EditPoints { lane, {}, { Point { 0, 0.5f }, Point { 0, 0.6f } } },
                             action::EditPoints { lane, {}, { Point { 0, 0.5f, CurveType::linear, -101 } } }, action::EditPoints { LaneId { 99 }, { 0 } } })
    {
        CHECK_FALSE (f.dispatcher.apply (bad).ok());
        CHECK (f.session == session);
    }
    applyOk (f.dispatcher, action::Undo {});
    CHECK (list.points == points);
}

TEST_CASE ("A gesture is one undo step however long it lasts, and only while it lasts", "[model][editors][undo]")
{
    test::Fixture f;
    const auto inst = f.addInstrument();
    const auto level = ParamAddress::instrument (inst, ParamGroup::strip, (std::uint16_t) StripParam::level);
    const auto depth = f.history.undoDepth();

    // Without a gesture, a pause longer than the coalescing window splits a knob turn in two.
    applyOk (f.dispatcher, action::SetParam { level, 0.5f });
    f.clock.now += 2000;
    applyOk (f.dispatcher, action::SetParam { level, 0.6f });
    CHECK (f.history.undoDepth() == depth + 2);

    // In a gesture, it does not.
    f.history.setGesture (7);
    for (int i = 0; i < 10; ++i)
    {
        f.clock.now += 2000;
        applyOk (f.dispatcher, action::SetParam { level, 0.1f * (float) i });
    }
    CHECK (f.history.undoDepth() == depth + 3);
    // A note drawn in the same gesture has another scope: its own entry, and then the gesture goes on.
    applyOk (f.dispatcher, action::AddNote { inst, Note {} });
    CHECK (f.history.undoDepth() == depth + 4);

    // The next gesture starts a new step even for the same parameter within the window.
    f.history.setGesture (8);
    applyOk (f.dispatcher, action::SetParam { level, 1.0f });
    applyOk (f.dispatcher, action::SetParam { level, 1.1f });
    CHECK (f.history.undoDepth() == depth + 5);
    f.history.setGesture (0);
    f.clock.now += 2000;
    applyOk (f.dispatcher, action::SetParam { level, 1.2f });
    CHECK (f.history.undoDepth() == depth + 6);

    applyOk (f.dispatcher, action::Undo {});
    applyOk (f.dispatcher, action::Undo {});
    // The second gesture was one step: undoing it leaves the first gesture's last value.
    CHECK (f.session.instruments.find (inst)->strip.level == Approx (0.9f));
}

TEST_CASE ("Recording automation in a gesture writes points and undoes as one step", "[model][editors][undo]")
{
    test::Fixture f;
    const auto inst = f.addInstrument();
    const auto level = ParamAddress::instrument (inst, ParamGroup::strip, (std::uint16_t) StripParam::level);
    applyOk (f.dispatcher, action::SetAutomationRecording { true });
    applyOk (f.dispatcher, action::Play {});
    const auto before = f.session;
    const auto depth = f.history.undoDepth();

    f.history.setGesture (1);
    for (int i = 0; i < 8; ++i)
    {
        f.session.transport.position = i * 240; // the engine moves the play head between moves
        f.clock.now += 700;
        applyOk (f.dispatcher, action::SetParam { level, 0.1f * (float) (i + 1) });
    }
    f.history.setGesture (0);
    REQUIRE (f.session.automation.size() == 1);
    const auto& lane = f.session.automation[0];
    CHECK (lane.target == AutomationTarget { AutomationTargetKind::parameter, level });
    REQUIRE (lane.points.points.size() == 8);
    CHECK (lane.points.points[7].tick == 7 * 240);
    CHECK (lane.points.points[7].value == Approx (0.8f));
    CHECK (f.history.undoDepth() == depth + 1);

    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.automation.size() == 0);
    CHECK (f.session.instruments == before.instruments);
}

TEST_CASE ("A segment's shape bends it monotonically, and shape 0 is the curve as it was", "[model][editors]")
{
    for (auto curve : { CurveType::linear, CurveType::exponential, CurveType::sCurve })
        for (int shape : { -100, -50, -1, 0, 1, 60, 100 })
        {
            INFO ((int) curve << " " << shape);
            CHECK (shapeSegment (curve, shape, 0.0) == Approx (0.0).margin (1e-12));
            CHECK (shapeSegment (curve, shape, 1.0) == Approx (1.0));
            double previous = 0.0;
            for (int i = 1; i <= 100; ++i)
            {
                const auto y = shapeSegment (curve, shape, i / 100.0);
                CHECK (y >= previous - 1e-12);
                previous = y;
            }
        }
    CHECK (shapeSegment (CurveType::linear, 0, 0.3) == Approx (0.3));
    CHECK (shapeSegment (CurveType::exponential, 0, 0.5) == Approx (0.125));
    CHECK (shapeSegment (CurveType::sCurve, 0, 0.25) == Approx (0.15625));
    CHECK (shapeSegment (CurveType::step, 80, 0.9) == 0.0);
    // Positive shapes rise early, negative ones late, and the S-curve steepens.
    CHECK (shapeSegment (CurveType::linear, 100, 0.5) > 0.9);
    CHECK (shapeSegment (CurveType::linear, -100, 0.5) < 0.01);
    CHECK (shapeSegment (CurveType::sCurve, 100, 0.4) < shapeSegment (CurveType::sCurve, 0, 0.4));

    PointList list;
    list.set ({ 0, 0.0f, CurveType::linear, 50 });
    list.set ({ 1000, 1.0f });
    CHECK (*list.valueAt (250) == Approx ((float) std::pow (0.25, std::exp2 (-1.5))));
}
