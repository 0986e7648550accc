#include "imbolc_GuiTestSupport.h"

#include <future>

using namespace imbolc;
using test::UiDriver;

// The piano roll driven with real mouse and key events through the window's peer, each gesture checked
// in the actions it emitted and in the session afterwards.

namespace
{
struct RollFixture
{
    RollFixture()
    {
        // An instrument of its own with an empty track, so every note here is the test's.
        const auto r = f.context.perform (model::action::AddInstrument { "Keys", model::Source {} });
        REQUIRE (r.ok());
        inst = model::InstrumentId { r.createdId };
        roll.setFollowsSelection (false);
        roll.setSubject ({ inst, {}, {} });
        roll.setFollowsPlayhead (false);
        f.takeActionNames();
    }

    const std::vector<model::Note>& notes() const { return f.host.getSession().pianoRoll.find (inst)->notes; }
    const model::Note* note (model::NoteId id) const { return f.host.getSession().pianoRoll.find (inst)->find (id); }

    /** Adds notes as another seat would (straight to the host), returning their ids. */
    std::vector<model::NoteId> add (std::vector<model::Note> list)
    {
        const auto r = f.host.apply (model::action::EditNotes { inst, {}, {}, {}, list });
        REQUIRE (r.ok());
        std::vector<model::NoteId> ids;
        for (std::uint32_t i = 0; i < list.size(); ++i)
            ids.push_back (model::NoteId { r.createdId + i });
        return ids;
    }

    /** The middle of a note as drawn, `dx` pixels right of its start. */
    juce::Point<int> on (model::NoteId id, int dx = -1) const
    {
        const auto r = roll.getNoteBounds (id);
        return { dx < 0 ? r.getCentreX() : r.getX() + dx, r.getCentreY() };
    }

    void placeView()
    {
        roll.scrollToTick (0.0);
        roll.scrollToPitch (64);
        test::pumpMessages (10);
    }

    test::GuiFixture f;
    model::InstrumentId inst;
    gui::PianoRollView roll { f.context };
};

bool isEditNotes (const std::vector<std::string>& names)
{
    return ! names.empty() && std::all_of (names.begin(), names.end(), [] (const std::string& n) { return n == "EditNotes"; });
}
} // namespace

TEST_CASE ("Piano roll: draw, select, move, copy and resize notes with the mouse, each gesture one undo step", "[gui][pianoroll]")
{
    RollFixture r;
    UiDriver ui (r.roll, 1100, 600);
    r.placeView();
    REQUIRE (r.roll.getSnap().step() == 120); // a sixteenth

    // A double-click on empty space draws a note there, on the grid, a grid step long.
    ui.doubleClick (r.roll, r.roll.pointFor (480 + 30, 60));
    REQUIRE (r.notes().size() == 1);
    const auto first = r.notes()[0];
    CHECK (first.tick == 480);
    CHECK (first.pitch == 60);
    CHECK (first.duration == 120);
    CHECK (isEditNotes (r.f.takeActionNames()));
    CHECK (r.roll.getSelectedNotes() == std::vector<model::NoteId> { first.id });

    // In draw mode a click draws, and dragging sets the length, snapped: one gesture, one undo step.
    r.roll.setDrawMode (true);
    const auto depth = r.f.host.getUndoState();
    ui.drag (r.roll, r.roll.pointFor (960 + 5, 62), r.roll.pointFor (1440, 62));
    r.roll.setDrawMode (false);
    REQUIRE (r.notes().size() == 2);
    const auto second = *std::find_if (r.notes().begin(), r.notes().end(), [] (const model::Note& n) { return n.pitch == 62; });
    CHECK (second.tick == 960);
    CHECK (second.duration == 1560 - 960); // its end snapped to the nearest sixteenth of 1080 + 475
    CHECK (isEditNotes (r.f.takeActionNames()));
    r.f.context.perform (model::action::Undo {});
    CHECK (r.notes().size() == 1); // the drawing and the stretching were one step
    r.f.context.perform (model::action::Redo {});
    REQUIRE (r.notes().size() == 2);
    r.f.takeActionNames();
    (void) depth;

    // Click selects; Shift+click adds.
    ui.click (r.roll, r.on (first.id));
    CHECK (r.roll.getSelectedNotes() == std::vector<model::NoteId> { first.id });
    ui.click (r.roll, r.on (second.id), juce::ModifierKeys::shiftModifier);
    CHECK (r.roll.getSelectedNotes().size() == 2);
    CHECK (r.f.takeActionNames().empty()); // selecting edits nothing

    // Dragging one moves both: half a beat later and four semitones up, one undo step.
    const auto from = r.on (first.id);
    ui.drag (r.roll, from, from + juce::Point<int> ((int) (240 * r.roll.getAxis().pixelsPerTick), -4 * (int) r.roll.getRowHeight()));
    CHECK (r.note (first.id)->tick == 720);
    CHECK (r.note (first.id)->pitch == 64);
    CHECK (r.note (second.id)->tick == 1200);
    CHECK (r.note (second.id)->pitch == 66);
    CHECK (isEditNotes (r.f.takeActionNames()));
    r.f.context.perform (model::action::Undo {});
    CHECK (r.note (first.id)->tick == 480);
    CHECK (r.note (second.id)->pitch == 62);
    r.f.context.perform (model::action::Redo {});
    CHECK (r.note (first.id)->tick == 720);
    r.f.takeActionNames();

    // Ctrl+drag copies: the originals stay, the copies move a beat; undo takes the copies away.
    const auto at = r.on (first.id);
    ui.drag (r.roll, at, at + juce::Point<int> ((int) (480 * r.roll.getAxis().pixelsPerTick), 0), 8, juce::ModifierKeys::commandModifier);
    REQUIRE (r.notes().size() == 4);
    CHECK (r.note (first.id)->tick == 720);
    CHECK (std::count_if (r.notes().begin(), r.notes().end(), [] (const model::Note& n) { return n.tick == 1200 && n.pitch == 64; }) == 1);
    CHECK (std::count_if (r.notes().begin(), r.notes().end(), [] (const model::Note& n) { return n.tick == 1680 && n.pitch == 66; }) == 1);
    CHECK (std::find (r.roll.getSelectedNotes().begin(), r.roll.getSelectedNotes().end(), first.id) == r.roll.getSelectedNotes().end());
    r.f.context.perform (model::action::Undo {});
    CHECK (r.notes().size() == 2);
    r.f.takeActionNames();

    // The right end resizes (both selected notes by the same amount), the left end moves the start.
    ui.click (r.roll, r.on (first.id));
    const auto bounds = r.roll.getNoteBounds (first.id);
    const auto px = [&r] (model::Tick t) { return (int) std::lround ((double) t * r.roll.getAxis().pixelsPerTick); };
    ui.drag (r.roll, { bounds.getRight() - 2, bounds.getCentreY() }, { bounds.getRight() - 2 + px (240), bounds.getCentreY() });
    CHECK (r.note (first.id)->duration == 360);
    CHECK (r.note (first.id)->tick == 720);
    const auto wide = r.roll.getNoteBounds (first.id);
    ui.drag (r.roll, { wide.getX() + 2, wide.getCentreY() }, { wide.getX() + 2 + px (120), wide.getCentreY() });
    CHECK (r.note (first.id)->tick == 840);
    CHECK (r.note (first.id)->duration == 240); // the end stayed at 1080
    CHECK (isEditNotes (r.f.takeActionNames()));

    // A box drag on empty space selects what it touches.
    ui.drag (r.roll, r.roll.pointFor (100, 70), r.roll.pointFor (2000, 56));
    CHECK (r.roll.getSelectedNotes().size() == 2);
    ui.click (r.roll, r.roll.pointFor (3000, 52));
    CHECK (r.roll.getSelectedNotes().empty());

    // A double-click on a note deletes it.
    ui.doubleClick (r.roll, r.on (second.id));
    CHECK (r.note (second.id) == nullptr);
    test::saveScreenshot (r.roll, "pianoroll-gestures");
}

TEST_CASE ("Piano roll: keys select all, nudge, transpose, quantize, duplicate, copy and paste at the play head, delete", "[gui][pianoroll]")
{
    RollFixture r;
    UiDriver ui (r.roll, 1100, 600);
    const auto ids = r.add ({ { {}, 130, 100, 60, 100, 1.0f }, { {}, 250, 170, 64, 90, 1.0f }, { {}, 490, 50, 67, 80, 1.0f } });
    r.placeView();
    ui.click (r.roll, r.roll.pointFor (3000, 52)); // focus, nothing selected
    const auto key = [&ui] (int code, juce::ModifierKeys mods = {}, juce::juce_wchar c = 0) { ui.pressKey (juce::KeyPress (code, mods, c)); };
    const auto cmd = juce::ModifierKeys::commandModifier;

    key ('a', cmd, 'a');
    CHECK (r.roll.getSelectedNotes().size() == 3);
    key (juce::KeyPress::rightKey);
    CHECK (r.note (ids[0])->tick == 250);
    key (juce::KeyPress::leftKey);
    key (juce::KeyPress::leftKey);
    CHECK (r.note (ids[0])->tick == 10);
    key (juce::KeyPress::leftKey); // the earliest would pass 0: the selection stops there together
    CHECK (r.note (ids[0])->tick == 0);
    CHECK (r.note (ids[1])->tick == 120);
    key (juce::KeyPress::upKey);
    CHECK (r.note (ids[0])->pitch == 61);
    key (juce::KeyPress::downKey, juce::ModifierKeys::shiftModifier);
    CHECK (r.note (ids[0])->pitch == 49);
    CHECK (r.note (ids[2])->pitch == 56);
    CHECK (isEditNotes (r.f.takeActionNames()));

    // Quantize: starts, then with "+Length" lengths too.
    r.f.host.apply (model::action::EditNotes { r.inst, {}, {}, { model::Note { ids[2], 370, 50, 56, 80, 1.0f } } });
    key ('q', {}, 'q');
    CHECK (r.note (ids[2])->tick == 360);
    CHECK (r.note (ids[2])->duration == 50);
    r.roll.setQuantizesLength (true);
    key ('q', {}, 'q');
    CHECK (r.note (ids[2])->duration == 120);
    CHECK (r.note (ids[1])->duration == 120); // 170 rounds to a sixteenth

    // Copy, move the play head, paste there (snapped down to the grid).
    key ('c', cmd, 'c');
    CHECK (isEditNotes (r.f.takeActionNames()));
    REQUIRE (r.f.context.perform (model::action::Locate { 1930 }).ok());
    test::renderBlocks (r.f.host, 10); // the engine reports its play head with its meters
    r.f.context.meters.updateNow();
    INFO ("play head " << r.f.context.meters.latest().metering.playhead);
    r.f.takeActionNames();
    const auto before = r.notes().size();
    key ('v', cmd, 'v');
    REQUIRE (r.notes().size() == before + 3);
    CHECK (std::count_if (r.notes().begin(), r.notes().end(), [] (const model::Note& n) { return n.tick == 1920 && n.pitch == 49; }) == 1);
    CHECK (r.roll.getSelectedNotes().size() == 3); // the pasted notes
    // Duplicate puts a copy right after the selection.
    key ('d', cmd, 'd');
    CHECK (r.notes().size() == before + 6);
    CHECK (std::count_if (r.notes().begin(), r.notes().end(), [] (const model::Note& n) { return n.tick == 1920 + 480 && n.pitch == 49; }) == 1);
    // Delete takes the selection away; with nothing selected the key is the window's.
    key (juce::KeyPress::deleteKey);
    CHECK (r.notes().size() == before + 3);
    CHECK (r.roll.getSelectedNotes().empty());
    CHECK_FALSE (r.roll.keyPressed (juce::KeyPress (juce::KeyPress::deleteKey)));
    CHECK (isEditNotes (r.f.takeActionNames()));

    key ('x', cmd, 'x'); // nothing selected: nothing cut
    CHECK (r.notes().size() == before + 3);
}

TEST_CASE ("Piano roll: the lane below draws velocities, or probabilities, of the notes under the mouse", "[gui][pianoroll]")
{
    RollFixture r;
    UiDriver ui (r.roll, 1100, 600);
    const auto ids = r.add ({ { {}, 0, 120, 60, 100, 1.0f }, { {}, 480, 120, 62, 100, 1.0f }, { {}, 960, 120, 64, 100, 1.0f } });
    r.placeView();
    auto& lane = r.roll.getVelocityLane();
    const auto xOf = [&r] (model::NoteId id) { return r.roll.getVelocityBarBounds (id).getCentreX(); };
    const auto yFor = [&lane] (float value) { return lane.getY() + lane.getHeight() - (int) std::lround (value * ((float) lane.getHeight() - 6.0f)); };

    // One stroke across two bars sets both, one undo step.
    ui.drag (r.roll, { xOf (ids[0]), yFor (0.25f) }, { xOf (ids[1]), yFor (0.25f) });
    CHECK (r.note (ids[0])->velocity == Approx (32).margin (2));
    CHECK (r.note (ids[1])->velocity == Approx (32).margin (2));
    CHECK (r.note (ids[2])->velocity == 100);
    CHECK (isEditNotes (r.f.takeActionNames()));
    r.f.context.perform (model::action::Undo {});
    CHECK (r.note (ids[0])->velocity == 100);
    CHECK (r.note (ids[1])->velocity == 100);

    // With a selection only the selected notes change; in probability mode the same stroke sets that.
    r.roll.setSelectedNotes ({ ids[2] });
    r.roll.setLaneShowsProbability (true);
    ui.drag (r.roll, { xOf (ids[0]), yFor (0.5f) }, { xOf (ids[2]), yFor (0.5f) });
    CHECK (r.note (ids[0])->probability == 1.0f);
    CHECK (r.note (ids[2])->probability == Approx (0.5f).margin (0.02f));
    CHECK (r.note (ids[2])->velocity == 100);
    test::saveScreenshot (r.roll, "pianoroll-probability");
}

TEST_CASE ("Piano roll: a key of the keyboard plays the instrument through the engine's live note path", "[gui][pianoroll]")
{
    RollFixture r;
    UiDriver ui (r.roll, 1100, 600);
    r.placeView();
    test::renderBlocks (r.f.host, 4);
    r.f.context.meters.updateNow();
    REQUIRE (r.f.context.meters.latest().metering.masterLeft == 0.0f); // stopped and silent

    auto& keys = r.roll.getKeyboard();
    const auto at = keys.getLocalPoint (&r.roll, r.roll.pointFor (0, 60)).withX (10);
    ui.press (ui.toWindow (keys, at));
    test::renderBlocks (r.f.host, 8);
    r.f.context.meters.updateNow();
    CHECK (r.f.context.meters.latest().metering.masterLeft > 0.01f);
    ui.release (ui.toWindow (keys, at));
    test::renderBlocks (r.f.host, 200); // past the release
    r.f.context.meters.updateNow();
    CHECK (r.f.context.meters.latest().metering.masterLeft < 0.001f);
    CHECK (r.f.takeActionNames().empty()); // auditioning is not an edit
}

TEST_CASE ("Piano roll: zoom and scroll with the wheel and keys keep the tick under the mouse", "[gui][pianoroll]")
{
    RollFixture r;
    UiDriver ui (r.roll, 1100, 600);
    r.placeView();
    auto& grid = r.roll.getGrid();
    const auto before = r.roll.getAxis();
    const juce::Point<int> mouse (300, 100);
    const auto tickUnder = before.tickForX (mouse.x);

    ui.moveTo (ui.toWindow (grid, mouse), juce::ModifierKeys::commandModifier);
    juce::ModifierKeys::currentModifiers = juce::ModifierKeys::commandModifier;
    ui.wheel (grid, 0.5f, mouse);
    juce::ModifierKeys::currentModifiers = {};
    CHECK (r.roll.getAxis().pixelsPerTick > before.pixelsPerTick * 1.1);
    CHECK (r.roll.getAxis().tickForX (mouse.x) == Approx (tickUnder).margin (1.0));

    const auto zoomed = r.roll.getAxis().pixelsPerTick;
    r.roll.keyPressed (juce::KeyPress ('-', {}, '-'));
    CHECK (r.roll.getAxis().pixelsPerTick == Approx (zoomed * 0.8));

    // The plain wheel scrolls pitch; Alt+wheel zooms it.
    const auto top = r.roll.getTopPitch();
    ui.wheel (grid, -0.5f, mouse);
    CHECK (r.roll.getTopPitch() == top - 6);
    const auto rows = r.roll.getRowHeight();
    ui.moveTo (ui.toWindow (grid, mouse), juce::ModifierKeys::altModifier);
    juce::ModifierKeys::currentModifiers = juce::ModifierKeys::altModifier;
    ui.wheel (grid, 0.5f, mouse);
    juce::ModifierKeys::currentModifiers = {};
    CHECK (r.roll.getRowHeight() == Approx (rows * 1.15f));
    r.roll.keyPressed (juce::KeyPress ('=', juce::ModifierKeys::altModifier, '='));
    CHECK (r.roll.getRowHeight() == Approx (rows * 1.15f * 1.2f));
}

TEST_CASE ("Piano roll: ten thousand notes draw only what is on screen, and another seat's edit repaints only its note", "[gui][pianoroll]")
{
    RollFixture r;
    std::vector<model::Note> many;
    for (int i = 0; i < 10000; ++i)
        many.push_back ({ {}, (model::Tick) i * 60, 90, (std::uint8_t) (48 + (i * 7) % 36), (std::uint8_t) (40 + i % 80), 1.0f });
    r.add (many);
    UiDriver ui (r.roll, 1100, 600);
    r.placeView();
    r.roll.scrollToTick (240000.0);
    test::pumpMessages (20);

    // What the screen can show, counted independently of the view's search.
    auto& grid = r.roll.getGrid();
    const auto& axis = r.roll.getAxis();
    int visible = 0;
    for (const auto& n : r.notes())
    {
        const auto x1 = axis.xForTick ((double) n.tick), x2 = axis.xForTick ((double) (n.tick + n.duration));
        const auto y = ((float) r.roll.getTopPitch() - (float) n.pitch) * r.roll.getRowHeight();
        if (x2 > 0.0f && x1 < (float) grid.getWidth() && y + r.roll.getRowHeight() > 0.0f && y < (float) grid.getHeight())
            ++visible;
    }
    REQUIRE (visible > 20);
    // A snapshot paints the whole grid now, whatever the display's pace (the window's own paint may
    // wait for the previous blit on a busy machine).
    test::snapshot (grid);
    CHECK (r.roll.getPaintedNoteCount() == visible);
    r.roll.setCullingEnabled (false);
    test::snapshot (grid);
    CHECK (r.roll.getPaintedNoteCount() == 10000);
    r.roll.setCullingEnabled (true);
    test::pumpMessages (20);

    // Another seat moves one note that is on screen: the grid repaints around it, not whole.
    const model::Note* target = nullptr;
    for (const auto& n : r.notes())
        if (axis.xForTick ((double) n.tick) > 100.0f && n.pitch > 55 && n.pitch < 70)
        {
            target = &n;
            break;
        }
    REQUIRE (target != nullptr);
    auto moved = *target;
    moved.pitch = (std::uint8_t) (moved.pitch + 1);
    // A one-pixel marker paint, repeated until it is painted alone (what was pending has been painted),
    // so the next paint seen is the edit's alone.
    const juce::Rectangle<int> marker (0, 0, 1, 1);
    for (int i = 0; i < 200 && r.roll.getLastGridPaintArea() != marker; ++i)
    {
        grid.repaint (marker);
        test::pumpMessages (10);
    }
    INFO ("the marker painted as " << r.roll.getLastGridPaintArea().toString());
    REQUIRE (r.roll.getLastGridPaintArea() == marker);
    REQUIRE (r.f.host.apply (model::action::EditNotes { r.inst, {}, {}, { moved } }).ok());
    for (int i = 0; i < 200 && r.roll.getLastGridPaintArea() == marker; ++i)
        test::pumpMessages (10);
    const auto area = r.roll.getLastGridPaintArea();
    CHECK (area != juce::Rectangle<int> (0, 0, 1, 1));
    CHECK (area.getWidth() < grid.getWidth() / 4);
    CHECK (area.getHeight() < grid.getHeight() / 4);
    CHECK (r.roll.getNoteBounds (moved.id).getCentreY() < r.roll.pointFor (0, moved.pitch - 1).y);
    test::saveScreenshot (r.roll, "pianoroll-10000-notes");
}

TEST_CASE ("Piano roll: a clip in song mode is edited in its own time, named in the title, with the other parts ghosted", "[gui][pianoroll]")
{
    RollFixture r;
    auto& ctx = r.f.context;
    const auto clip = model::ClipId { ctx.perform (model::action::AddClip { r.inst, "Hook", 1920 }).createdId };
    const auto placement = model::PlacementId { ctx.perform (model::action::AddPlacement { clip, 3840 }).createdId };
    REQUIRE (ctx.perform (model::action::SetPlayMode { model::PlayMode::song }).ok());
    // Another instrument's clip playing at the same time, to ghost.
    const auto other = model::InstrumentId { ctx.perform (model::action::AddInstrument { "Bass", model::Source {} }).createdId };
    const auto otherClip = model::ClipId { ctx.perform (model::action::AddClip { other, "Bass line", 1920 }).createdId };
    REQUIRE (ctx.perform (model::action::EditNotes { other, otherClip, {}, {}, { model::Note { {}, 240, 480, 60, 100, 1.0f } } }).ok());
    REQUIRE (ctx.perform (model::action::AddPlacement { otherClip, 3840 }).ok());

    r.roll.setSubject ({ r.inst, clip, placement });
    UiDriver ui (r.roll, 1100, 600);
    r.placeView();
    CHECK (test::findComponent<juce::Label> (r.roll, "pianoRoll.title")->getText().contains ("Clip \"Hook\""));

    ui.doubleClick (r.roll, r.roll.pointFor (480 + 30, 67));
    const auto& c = *r.f.host.getSession().arrangement.clips.find (clip);
    REQUIRE (c.notes.size() == 1);
    CHECK (c.notes[0].tick == 480); // in the clip's time, not the song's
    CHECK (r.f.host.getSession().pianoRoll.find (r.inst)->notes.empty());
    // Past the clip's end nothing is drawn: those notes would never play.
    ui.doubleClick (r.roll, r.roll.pointFor (1920 + 60, 67));
    CHECK (r.f.host.getSession().arrangement.clips.find (clip)->notes.size() == 1);

    // Ghosts: the bass note at 240..720, pitch 60, shows only when asked for.
    const auto ghostPoint = r.roll.pointFor (480, 60);
    const auto pixel = [&] { return test::snapshot (r.roll).getPixelAt (ghostPoint.x, ghostPoint.y); };
    const auto without = pixel();
    r.roll.setShowsGhostNotes (true);
    test::pumpMessages (20);
    CHECK (pixel() != without);
    test::saveScreenshot (r.roll, "pianoroll-clip-song-mode");
}

TEST_CASE ("Piano roll in a joined seat: its drag is one undo step on the host, and the host's edits appear live", "[gui][pianoroll][net]")
{
    app::SessionHost host;
    host.setSession (model::makeReferenceSession (model::ReferenceSize::small));
    net::ServerOptions serverOptions;
    serverOptions.port = 0;
    REQUIRE (host.startHosting (serverOptions).wasOk());
    const auto inst = host.getSession().instruments.begin()->id;

    net::ClientOptions options;
    options.port = host.getServer()->getPort();
    options.name = "keys";
    options.requestedInstruments = { inst };
    app::RemoteSession seat (options);
    juce::Result joined = juce::Result::fail ("not tried");
    auto joining = std::async (std::launch::async, [&] { joined = seat.connect (10000); });
    while (joining.wait_for (std::chrono::milliseconds (2)) != std::future_status::ready)
        host.tick (0);
    REQUIRE (joined.wasOk());
    const auto tickUntil = [&] (auto done)
    {
        const auto end = juce::Time::getMillisecondCounter() + 5000;
        while (juce::Time::getMillisecondCounter() < end)
        {
            host.tick (0);
            seat.tick (2);
            test::pumpMessages (1);
            if (done())
                return true;
        }
        return false;
    };

    // Start from an empty track, so the notes are the test's.
    model::action::EditNotes clear { inst, {} };
    for (const auto& n : host.getSession().pianoRoll.find (inst)->notes)
        clear.remove.push_back (n.id);
    REQUIRE (host.apply (clear).ok());
    const auto first = model::NoteId { host.apply (model::action::EditNotes { inst, {}, {}, {}, { model::Note { {}, 480, 240, 60, 100, 1.0f } } }).createdId };
    REQUIRE (tickUntil ([&] { return seat.getSession().pianoRoll.find (inst)->notes.size() == 1; }));

    gui::GuiContext context (seat);
    gui::PianoRollView roll (context);
    roll.setFollowsSelection (false);
    roll.setSubject ({ inst, {}, {} });
    roll.setFollowsPlayhead (false);
    UiDriver ui (roll, 1100, 600);
    roll.scrollToTick (0.0);
    roll.scrollToPitch (64);
    test::pumpMessages (20);
    REQUIRE_FALSE (roll.getNoteBounds (first).isEmpty());

    // The seat drags the note a bar later in eight steps: eight EditNotes, one gesture. The host keeps them
    // as one step of the seat's history, so the seat's undo takes the whole drag back.
    const auto from = roll.getNoteBounds (first).getCentre();
    const auto px = (int) std::lround (1920 * roll.getAxis().pixelsPerTick);
    ui.drag (roll, from, from + juce::Point<int> (px, 0), 8);
    REQUIRE (tickUntil ([&] { const auto* n = host.getSession().pianoRoll.find (inst)->find (first); return n != nullptr && n->tick == 480 + 1920; }));
    REQUIRE (tickUntil ([&] { return seat.getSession().pianoRoll.find (inst)->find (first)->tick == 480 + 1920; }));
    REQUIRE (context.perform (model::action::Undo {}).ok());
    CHECK (tickUntil ([&] { return host.getSession().pianoRoll.find (inst)->find (first)->tick == 480; }));
    CHECK (tickUntil ([&] { return seat.getSession().pianoRoll.find (inst)->find (first)->tick == 480; }));

    // The host draws a note: it appears in the seat's piano roll as the patch arrives.
    const auto hosts = model::NoteId { host.apply (model::action::EditNotes { inst, {}, {}, {}, { model::Note { {}, 960, 120, 64, 100, 1.0f } } }).createdId };
    CHECK (tickUntil ([&] { return ! roll.getNoteBounds (hosts).isEmpty(); }));
    test::saveScreenshot (roll, "pianoroll-joined-seat");
    host.stopHosting();
}

TEST_CASE ("Piano roll: the instrument's automation lanes sit under the notes on the same time axis", "[gui][pianoroll]")
{
    RollFixture r;
    UiDriver ui (r.roll, 1100, 700);
    r.placeView();
    CHECK (r.roll.getLaneViews().empty());

    // A lane for the instrument's level (what "Automate Level" adds), and one of another instrument.
    const auto level = model::ParamAddress::instrument (r.inst, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level);
    const auto lane = model::LaneId { r.f.context.perform (model::action::AddLane { { model::AutomationTargetKind::parameter, level } }).createdId };
    const auto other = r.f.host.getSession().instruments.begin()->id;
    REQUIRE (other != r.inst);
    r.f.context.perform (model::action::AddLane { { model::AutomationTargetKind::parameter, model::ParamAddress::instrument (other, model::ParamGroup::strip, 0) } });
    test::pumpMessages (20);
    const auto views = r.roll.getLaneViews();
    REQUIRE (views.size() == 1);
    CHECK (views[0]->getLane() == lane);

    // A click in the lane at the x of beat 2 of the grid adds a point at tick 960: the lane's curve and
    // the notes share one axis.
    auto& view = *views[0];
    const auto gridPoint = r.roll.pointFor (960, 60);
    const auto inLane = view.getLocalPoint (&r.roll, gridPoint).withY (view.getHeight() / 2);
    r.f.takeActionNames();
    ui.click (view, inLane);
    const auto& points = r.f.host.getSession().automation.find (lane)->points.points;
    REQUIRE (points.size() == 1);
    CHECK (points[0].tick == 960);

    // Zooming the roll moves the lane's points with the notes.
    const auto before = view.getHandlePosition (points[0]);
    r.roll.zoomTime (2.0, 0.0f);
    test::pumpMessages (10);
    const auto after = view.getHandlePosition (points[0]);
    CHECK (after.x - (float) view.getHeaderWidth() == Approx ((before.x - (float) view.getHeaderWidth()) * 2.0f).margin (1.5f));
    test::saveScreenshot (r.roll, "pianoroll-automation-lane");
}
