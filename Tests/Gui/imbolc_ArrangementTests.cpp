// The arrangement view driven through the window peer: placements selected, moved, resized, copied,
// deleted and duplicated; a clip made by a double-click; the mode switch; the ruler's loop; the wheel
// and the zoom keys; the automation lanes' points, curves and shapes; and the "Automate" menus of a
// knob, the tempo and a fader. Every gesture is checked in the recorded actions and in the session.

#include "imbolc_GuiTestSupport.h"

using namespace imbolc;

namespace
{
constexpr model::Tick beat = model::ticksPerBeat, bar = 4 * beat;

int findItem (const juce::PopupMenu& menu, const juce::String& text)
{
    for (juce::PopupMenu::MenuItemIterator it (menu, true); it.next();)
        if (it.getItem().text == text)
            return it.getItem().itemID;
    return 0;
}

bool hasItem (const juce::PopupMenu& menu, const juce::String& text) { return findItem (menu, text) != 0; }

void waitForWindowFocus (test::UiDriver& ui)
{
    for (int waited = 0; ! ui.peer().isFocused() && waited < 2000; waited += 20)
        test::pumpMessages (20);
}

const model::Instrument& instrumentNamed (const model::Session& s, const std::string& name)
{
    for (const auto& inst : s.instruments)
        if (inst.name == name)
            return inst;
    FAIL ("no instrument " << name);
    return *s.instruments.begin();
}

model::ClipId clipNamed (const model::Session& s, const std::string& name)
{
    for (const auto& c : s.arrangement.clips)
        if (c.name == name)
            return c.id;
    FAIL ("no clip " << name);
    return {};
}

/** The placement of `clip` that starts at `start`. */
model::PlacementId placementAt (const model::Session& s, model::ClipId clip, model::Tick start)
{
    for (const auto& p : s.arrangement.placements)
        if (p.clip == clip && p.start == start)
            return p.id;
    FAIL ("no placement of clip " << clip.value << " at " << start);
    return {};
}

template <typename ActionType>
std::vector<ActionType> actionsOf (const std::vector<model::Action>& actions)
{
    std::vector<ActionType> out;
    for (const auto& a : actions)
        if (const auto* x = std::get_if<ActionType> (&a))
            out.push_back (*x);
    return out;
}

/** The demo session in an arrangement view on the desktop, tall enough to show every track and lane. */
struct Rig
{
    explicit Rig (model::Session session = model::makeReferenceSession (model::ReferenceSize::small), int width = 1280, int height = 1000)
        : f (std::move (session)), ui (view, width, height)
    {
        f.context.onMessage = [this] (const juce::String& s)
        { messages.add (s); };
        view.setLookAndFeel (&lookAndFeel);
        test::pumpMessages (20);
    }
    ~Rig() { view.setLookAndFeel (nullptr); }

    const model::Session& session() const { return f.host.getSession(); }
    juce::Component& tracks() { return view.getTrackArea(); }
    std::size_t undoDepth() { return f.host.getHistory().undoDepth(); }
    const model::Placement& placement (model::PlacementId id) { return *session().arrangement.placements.find (id); }

    /** A point inside a placement, `dx` pixels from its left edge, in the clip area's coordinates. */
    juce::Point<int> inside (model::PlacementId id, int dx = 10)
    {
        const auto b = view.getPlacementBounds (id);
        REQUIRE_FALSE (b.isEmpty());
        return { b.getX() + dx, b.getCentreY() };
    }

    template <typename T = juce::Component>
    T& child (const juce::String& id)
    {
        auto* c = test::findComponent<T> (view, id);
        REQUIRE (c != nullptr);
        return *c;
    }

    gui::AutomationLaneView& lane (model::LaneId id)
    {
        auto* l = view.findLaneView (id);
        REQUIRE (l != nullptr);
        return *l;
    }

    /** Adds a lane as the "+ Lane" menu does (its item chosen) and returns it. */
    model::LaneId addLaneFromMenu (const juce::String& item)
    {
        const auto menu = view.getAddLaneMenu();
        const auto id = findItem (menu, item);
        REQUIRE (id != 0);
        view.addLaneMenuItemChosen (id);
        const auto& lanes = session().automation;
        REQUIRE_FALSE (lanes.empty());
        return lanes[lanes.size() - 1].id;
    }

    test::GuiFixture f;
    gui::LookAndFeel lookAndFeel;
    gui::ArrangementView view { f.context };
    test::UiDriver ui;
    juce::StringArray messages;
};

/** Moves the mouse onto `at` of `target`, lets the window settle (a lane that just appeared or scrolled
    there gets its enter and move events), then moves by a pixel, as a hand does: what the view shows
    is then what it shows for the mouse there, whatever came in between. */
void hover (test::UiDriver& ui, juce::Component& target, juce::Point<int> at)
{
    ui.moveTo (ui.toWindow (target, at.translated (-1, 0)));
    test::pumpMessages (20);
    ui.moveTo (ui.toWindow (target, at));
}

/** A wheel turn with modifier keys held (the driver's wheel uses the current modifiers). */
void wheelWith (test::UiDriver& ui, juce::Component& target, float deltaY, juce::ModifierKeys mods, juce::Point<int> at)
{
    juce::ModifierKeys::currentModifiers = mods;
    ui.wheel (target, deltaY, at);
    juce::ModifierKeys::currentModifiers = {};
}
} // namespace

//==============================================================================
TEST_CASE ("Arrangement: a track per instrument, the placements where they are, and the mode switch with pattern mode explained", "[gui][arrangement]")
{
    Rig r;
    const auto& s = r.session();
    REQUIRE (s.arrangement.mode == model::PlayMode::pattern);

    // A row per instrument in rack order, each placement on its clip's instrument's row at its time.
    for (std::size_t i = 0; i < s.instruments.size(); ++i)
        CHECK (r.view.getTrackBounds (s.instruments[i].id).getY() == (int) i * gui::ArrangementView::trackHeight);
    for (const auto& p : s.arrangement.placements)
    {
        const auto* clip = s.arrangement.clips.find (p.clip);
        const auto b = r.view.getPlacementBounds (p.id);
        const auto row = r.view.getTrackBounds (clip->instrument);
        CHECK (row.contains (b.getCentre()));
        CHECK (std::abs (b.getX() - (int) r.view.getAxis().xForTick ((double) p.start)) <= 1);
        const auto length = p.length > 0 ? p.length : clip->length;
        CHECK (std::abs (b.getRight() - (int) std::ceil (r.view.getAxis().xForTick ((double) (p.start + length)))) <= 1);
    }

    // Pattern mode says what it means; the clips are dimmed.
    auto& note = r.child<juce::Label> ("PatternNote");
    CHECK (note.isVisible());
    CHECK (note.getText().contains ("switch to Song"));
    auto& song = r.child<juce::Button> ("ModeSong");
    auto& pattern = r.child<juce::Button> ("ModePattern");
    CHECK (pattern.getToggleState());
    test::saveScreenshot (r.view, "arrangement-pattern-mode");

    r.ui.click (song);
    CHECK (r.f.takeActionNames() == std::vector<std::string> { "SetPlayMode" });
    CHECK (s.arrangement.mode == model::PlayMode::song);
    CHECK (song.getToggleState());
    CHECK_FALSE (pattern.getToggleState());
    CHECK_FALSE (note.isVisible());
    test::pumpMessages (30);
    test::saveScreenshot (r.view, "arrangement-song-mode");

    r.ui.click (pattern);
    CHECK (s.arrangement.mode == model::PlayMode::pattern);
    CHECK (note.isVisible());

    // A click on a header selects its instrument.
    const auto bass = instrumentNamed (s, "Square bass").id;
    r.ui.click (r.view.getTrackHeaders(), r.view.getTrackBounds (bass).getCentre().withX (40));
    CHECK (r.f.context.selection.getInstrument() == bass);
}

TEST_CASE ("Arrangement: click selects, Shift adds and removes, a box selects, Ctrl+A all, none of it edits", "[gui][arrangement]")
{
    Rig r;
    const auto& s = r.session();
    const auto drums = clipNamed (s, "Four on the floor");
    const model::PlacementId p[] = { placementAt (s, drums, 0), placementAt (s, drums, bar), placementAt (s, drums, 2 * bar), placementAt (s, drums, 3 * bar) };

    r.ui.click (r.tracks(), r.inside (p[0]));
    CHECK (r.view.getSelectedPlacements() == std::set { p[0] });
    r.ui.click (r.tracks(), r.inside (p[1]), juce::ModifierKeys::shiftModifier);
    CHECK (r.view.getSelectedPlacements() == std::set { p[0], p[1] });
    r.ui.click (r.tracks(), r.inside (p[0]), juce::ModifierKeys::shiftModifier);
    CHECK (r.view.getSelectedPlacements() == std::set { p[1] });

    // A click on empty space clears; a drag there selects what the box touches.
    const auto row = r.view.getTrackBounds (s.arrangement.clips.find (drums)->instrument);
    r.ui.click (r.tracks(), juce::Point<int> (r.tracks().getWidth() - 20, row.getCentreY()));
    CHECK (r.view.getSelectedPlacements().empty());
    const auto from = juce::Point<int> (r.view.getPlacementBounds (p[1]).getCentreX(), row.getY() - 20);
    const auto to = juce::Point<int> (r.view.getPlacementBounds (p[3]).getX() + 5, row.getBottom() + 5);
    r.ui.drag (r.tracks(), from, to);
    CHECK (r.view.getSelectedPlacements() == std::set { p[1], p[2], p[3] });

    r.ui.pressKey (juce::KeyPress ('a', juce::ModifierKeys::commandModifier, 0));
    CHECK (r.view.getSelectedPlacements().size() == s.arrangement.placements.size());
    r.ui.pressKey (juce::KeyPress (juce::KeyPress::escapeKey));
    CHECK (r.view.getSelectedPlacements().empty());
    CHECK (r.f.context.takeRecordedActions().empty());
}

TEST_CASE ("Arrangement: dragging moves the selected placements to the snapped tick along their own track, as one undo step", "[gui][arrangement]")
{
    Rig r;
    const auto& s = r.session();
    const auto lead = clipNamed (s, "Lead riff");
    const auto leadRow = r.view.getTrackBounds (s.arrangement.clips.find (lead)->instrument);
    const auto moved = placementAt (s, lead, 4 * bar);
    const auto depth = r.undoDepth();
    r.f.context.takeRecordedActions();

    // 37 pixels right (1110 ticks at 16 pixels a beat) and 120 down, onto other tracks: the grab lands
    // on the nearest quarter (1110 -> 960 ticks later), and the placement stays on the lead's track.
    const auto at = r.inside (moved, 20);
    REQUIRE (r.view.getSnap().step() == beat);
    r.ui.drag (r.tracks(), at, at.translated (37, 120));
    const auto moves = actionsOf<model::action::MovePlacement> (r.f.context.takeRecordedActions());
    REQUIRE_FALSE (moves.empty());
    CHECK (moves.back() == model::action::MovePlacement { moved, 4 * bar + 2 * beat });
    CHECK (r.placement (moved).start == 4 * bar + 2 * beat);
    CHECK (r.placement (moved).clip == lead);
    CHECK (leadRow.contains (r.view.getPlacementBounds (moved).getCentre()));
    CHECK (r.view.getSelectedPlacements() == std::set { moved });
    CHECK (r.undoDepth() == depth + 1);
    REQUIRE (r.f.context.perform (model::action::Undo {}).ok());
    CHECK (r.placement (moved).start == 4 * bar);

    // Two selected move together, keeping their distance; dragging left stops at zero.
    const auto drums = clipNamed (s, "Four on the floor");
    const auto a = placementAt (s, drums, 0), b = placementAt (s, drums, bar);
    r.view.setSelectedPlacements ({ a, b });
    r.ui.drag (r.tracks(), r.inside (b), r.inside (b).translated (64, 0));
    CHECK (r.placement (a).start == bar);
    CHECK (r.placement (b).start == 2 * bar);
    CHECK (r.undoDepth() == depth + 1); // the undone step went; this drag is one
    // (b now starts where the third drum placement does, on top of it: grab a.)
    r.ui.drag (r.tracks(), r.inside (a), r.inside (a).translated (-400, 0));
    CHECK (r.placement (a).start == 0);
    CHECK (r.placement (b).start == bar);
    CHECK (r.undoDepth() == depth + 2);
}

TEST_CASE ("Arrangement: dragging the right edge resizes a placement, and the clip repeats in it", "[gui][arrangement]")
{
    Rig r;
    const auto& s = r.session();
    REQUIRE (r.f.context.perform (model::action::SetPlayMode { model::PlayMode::song }).ok());
    const auto drums = clipNamed (s, "Four on the floor");
    const auto last = placementAt (s, drums, 3 * bar);
    const auto b = r.view.getPlacementBounds (last);
    const auto depth = r.undoDepth();
    r.f.context.takeRecordedActions();

    // Grab within the edge's few pixels, drag two bars right: three bars of a one-bar clip.
    const juce::Point<int> edge (b.getRight() - 3, b.getCentreY());
    r.ui.drag (r.tracks(), edge, edge.translated (128, 0));
    const auto resizes = actionsOf<model::action::ResizePlacement> (r.f.context.takeRecordedActions());
    REQUIRE_FALSE (resizes.empty());
    CHECK (resizes.back() == model::action::ResizePlacement { last, 3 * bar });
    CHECK (r.placement (last).length == 3 * bar);
    CHECK (r.placement (last).start == 3 * bar);
    CHECK (std::abs (r.view.getPlacementBounds (last).getWidth() - 3 * b.getWidth()) <= 2);
    CHECK (r.undoDepth() == depth + 1);
    test::pumpMessages (30);
    test::saveScreenshot (r.view, "arrangement-resized-repeats");

    // It never shrinks below one grid step.
    const auto nb = r.view.getPlacementBounds (last);
    r.ui.drag (r.tracks(), juce::Point<int> (nb.getRight() - 3, nb.getCentreY()), juce::Point<int> (nb.getX() - 200, nb.getCentreY()));
    CHECK (r.placement (last).length == beat);
}

TEST_CASE ("Arrangement: Alt- and Ctrl-drag copy the placement (AddPlacement of the same clip), one undo step each", "[gui][arrangement]")
{
    Rig r;
    const auto& s = r.session();
    const auto lead = clipNamed (s, "Lead riff");
    const auto original = placementAt (s, lead, 4 * bar);
    const auto count = s.arrangement.placements.size();
    const auto depth = r.undoDepth();
    r.f.context.takeRecordedActions();

    const auto at = r.inside (original);
    r.ui.drag (r.tracks(), at, at.translated (8 * 64, 0), 8, juce::ModifierKeys::altModifier);
    auto adds = actionsOf<model::action::AddPlacement> (r.f.context.takeRecordedActions());
    REQUIRE (adds.size() == 1);
    CHECK (adds[0] == model::action::AddPlacement { lead, 12 * bar, 0 });
    CHECK (s.arrangement.placements.size() == count + 1);
    CHECK (r.placement (original).start == 4 * bar); // the original stays
    const auto copy = placementAt (s, lead, 12 * bar);
    CHECK (r.view.getSelectedPlacements() == std::set { copy });
    CHECK (r.undoDepth() == depth + 1);

    const auto at2 = r.inside (copy);
    r.ui.drag (r.tracks(), at2, at2.translated (4 * 64, 0), 8, juce::ModifierKeys::ctrlModifier);
    adds = actionsOf<model::action::AddPlacement> (r.f.context.takeRecordedActions());
    REQUIRE (adds.size() == 1);
    CHECK (adds[0] == model::action::AddPlacement { lead, 16 * bar, 0 });
    CHECK (s.arrangement.placements.size() == count + 2);
    CHECK (r.undoDepth() == depth + 2);

    // A copy-drag that ends where it started copies nothing.
    r.ui.drag (r.tracks(), at2, at2.translated (2, 0), 4, juce::ModifierKeys::altModifier);
    CHECK (actionsOf<model::action::AddPlacement> (r.f.context.takeRecordedActions()).empty());
}

TEST_CASE ("Arrangement: Delete removes the selection, Ctrl+D duplicates it right after, each one undo step", "[gui][arrangement]")
{
    Rig r;
    const auto& s = r.session();
    waitForWindowFocus (r.ui);
    const auto drums = clipNamed (s, "Four on the floor");
    const auto lead = clipNamed (s, "Lead riff");
    const auto count = s.arrangement.placements.size();
    const auto depth = r.undoDepth();
    r.f.context.takeRecordedActions();

    // Ctrl+D on the lead placement at bar 5 (four bars long): a copy at bar 9.
    const auto leadAt4 = placementAt (s, lead, 4 * bar);
    r.ui.click (r.tracks(), r.inside (leadAt4));
    r.ui.pressKey (juce::KeyPress ('d', juce::ModifierKeys::commandModifier, 0));
    auto actions = r.f.context.takeRecordedActions();
    REQUIRE (actionsOf<model::action::AddPlacement> (actions).size() == 1);
    CHECK (actionsOf<model::action::AddPlacement> (actions)[0] == model::action::AddPlacement { lead, 8 * bar, 0 });
    REQUIRE (r.view.getSelectedPlacements().size() == 1);
    const auto leadCopy = *r.view.getSelectedPlacements().begin();
    CHECK (r.placement (leadCopy).start == 8 * bar);
    CHECK (r.placement (leadCopy).clip == lead);

    // Two drum placements (bars 1 and 2) duplicate as a group after themselves, in one step.
    const auto a = placementAt (s, drums, 0), b = placementAt (s, drums, bar);
    r.ui.click (r.tracks(), r.inside (a));
    r.ui.click (r.tracks(), r.inside (b), juce::ModifierKeys::shiftModifier);
    r.ui.pressKey (juce::KeyPress ('d', juce::ModifierKeys::commandModifier, 0));
    actions = r.f.context.takeRecordedActions();
    CHECK (actionsOf<model::action::AddPlacement> (actions)
           == std::vector { model::action::AddPlacement { drums, 2 * bar, 0 }, model::action::AddPlacement { drums, 3 * bar, 0 } });
    CHECK (s.arrangement.placements.size() == count + 3);
    CHECK (r.undoDepth() == depth + 2);
    CHECK (r.view.getSelectedPlacements().size() == 2);

    // Delete takes the two copies away in one step; Backspace the next selection.
    const auto copies = r.view.getSelectedPlacements();
    r.ui.pressKey (juce::KeyPress (juce::KeyPress::deleteKey));
    actions = r.f.context.takeRecordedActions();
    CHECK (actionsOf<model::action::DeletePlacement> (actions).size() == 2);
    for (auto id : copies)
        CHECK_FALSE (s.arrangement.placements.contains (id));
    CHECK (r.view.getSelectedPlacements().empty());
    CHECK (r.undoDepth() == depth + 3);
    r.ui.click (r.tracks(), r.inside (a));
    r.ui.pressKey (juce::KeyPress (juce::KeyPress::backspaceKey));
    CHECK (actionsOf<model::action::DeletePlacement> (r.f.context.takeRecordedActions()) == std::vector { model::action::DeletePlacement { a } });
    CHECK_FALSE (s.arrangement.placements.contains (a));
    CHECK (s.arrangement.placements.size() == count);
}

TEST_CASE ("Arrangement: a double-click on empty track space makes a one-bar clip there in one undo step, on a placement it opens the clip", "[gui][arrangement]")
{
    Rig r;
    const auto& s = r.session();
    const auto bass = instrumentNamed (s, "Square bass").id;
    const auto clips = s.arrangement.clips.size();
    const auto depth = r.undoDepth();
    r.f.context.takeRecordedActions();

    // 660 pixels is tick 19800: the bar's quarter at or before it is 19680.
    const auto row = r.view.getTrackBounds (bass);
    r.ui.doubleClick (r.tracks(), juce::Point<int> (660, row.getCentreY()));
    const auto actions = r.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 2);
    CHECK (std::get<model::action::AddClip> (actions[0]) == model::action::AddClip { bass, {}, bar, false });
    const auto& clip = s.arrangement.clips[s.arrangement.clips.size() - 1];
    CHECK (clip.instrument == bass);
    CHECK (clip.length == bar);
    CHECK (std::get<model::action::AddPlacement> (actions[1]) == model::action::AddPlacement { clip.id, 19680, 0 });
    const auto placed = placementAt (s, clip.id, 19680);
    CHECK (r.view.getSelectedPlacements() == std::set { placed });
    CHECK (row.contains (r.view.getPlacementBounds (placed).getCentre()));
    CHECK (r.undoDepth() == depth + 1);
    REQUIRE (r.f.context.perform (model::action::Undo {}).ok());
    CHECK (s.arrangement.clips.size() == clips);
    CHECK_FALSE (s.arrangement.placements.contains (placed));
    r.f.context.takeRecordedActions();

    std::optional<std::pair<model::ClipId, model::PlacementId>> opened;
    r.view.onOpenClip = [&] (model::ClipId c, model::PlacementId p)
    { opened = std::pair { c, p }; };
    const auto lead = clipNamed (s, "Lead riff");
    const auto leadAt4 = placementAt (s, lead, 4 * bar);
    r.ui.doubleClick (r.tracks(), r.inside (leadAt4));
    REQUIRE (opened.has_value());
    CHECK (opened->first == lead);
    CHECK (opened->second == leadAt4);
    CHECK (r.f.context.takeRecordedActions().empty());
}

TEST_CASE ("Arrangement: a placement's menu renames its clip, sets the clip's length, duplicates and deletes", "[gui][arrangement]")
{
    Rig r;
    const auto& s = r.session();
    waitForWindowFocus (r.ui);
    const auto lead = clipNamed (s, "Lead riff");
    const auto leadAt4 = placementAt (s, lead, 4 * bar);
    r.f.context.takeRecordedActions();

    // The right-click shows the menu (asynchronously) and selects the placement; it edits nothing.
    r.ui.rightClick (r.tracks(), r.inside (leadAt4));
    CHECK (r.view.getSelectedPlacements() == std::set { leadAt4 });
    CHECK (r.f.context.takeRecordedActions().empty());
    juce::PopupMenu::dismissAllActiveMenus();
    test::pumpMessages (20);

    auto menu = r.view.getPlacementMenu (leadAt4);
    REQUIRE (hasItem (menu, "Rename Clip"));
    REQUIRE (hasItem (menu, "Duplicate"));
    REQUIRE (hasItem (menu, "Delete"));
    for (auto* length : { "1 bar", "2 bars", "4 bars", "8 bars" })
        CHECK (hasItem (menu, length));

    r.view.placementMenuItemChosen (leadAt4, findItem (menu, "Rename Clip"));
    auto& editor = r.child<juce::TextEditor> ("ClipNameEditor");
    REQUIRE (editor.isVisible());
    CHECK (editor.getText() == "Lead riff");
    r.ui.typeReplacing ("Verse lead");
    CHECK (r.f.context.takeRecordedActions() == std::vector<model::Action> { model::action::RenameClip { lead, "Verse lead" } });
    CHECK (s.arrangement.clips.find (lead)->name == "Verse lead");
    CHECK_FALSE (editor.isVisible());

    r.view.placementMenuItemChosen (leadAt4, findItem (r.view.getPlacementMenu (leadAt4), "2 bars"));
    CHECK (r.f.context.takeRecordedActions() == std::vector<model::Action> { model::action::SetClipLength { lead, 2 * bar } });
    CHECK (s.arrangement.clips.find (lead)->length == 2 * bar);
    CHECK (r.view.getPlacementBounds (leadAt4).getWidth() <= 2 * 64 + 2);

    r.view.placementMenuItemChosen (leadAt4, findItem (r.view.getPlacementMenu (leadAt4), "Duplicate"));
    CHECK (r.f.context.takeRecordedActions() == std::vector<model::Action> { model::action::AddPlacement { lead, 6 * bar, 0 } });
    const auto copy = placementAt (s, lead, 6 * bar);
    r.view.placementMenuItemChosen (copy, findItem (r.view.getPlacementMenu (copy), "Delete"));
    CHECK (r.f.context.takeRecordedActions() == std::vector<model::Action> { model::action::DeletePlacement { copy } });
    CHECK_FALSE (s.arrangement.placements.contains (copy));
}

TEST_CASE ("Arrangement: the wheel scrolls the tracks, Shift+wheel the time, Ctrl+wheel zooms around the mouse, + and - zoom", "[gui][arrangement]")
{
    Rig r (model::makeReferenceSession (model::ReferenceSize::small), 1280, 500);
    auto& tracks = r.tracks();
    // The mouse stays over the same place of the window (the tracks scroll under it).
    const auto mouse = juce::Point<int> (gui::ArrangementView::headerWidth + 300, 300);
    const auto topBefore = r.view.getLocalPoint (&tracks, juce::Point<int>()).y;
    r.ui.wheel (r.view, -0.5f, mouse);
    const auto topAfter = r.view.getLocalPoint (&tracks, juce::Point<int>()).y;
    CHECK (topAfter < topBefore);

    const auto startBefore = r.view.getAxis().startTick;
    wheelWith (r.ui, r.view, -0.5f, juce::ModifierKeys::shiftModifier, mouse);
    CHECK (r.view.getAxis().startTick > startBefore);
    CHECK (r.view.getLocalPoint (&tracks, juce::Point<int>()).y == topAfter); // time only

    // The tick under the mouse stays under it.
    const auto mouseX = mouse.x - gui::ArrangementView::headerWidth;
    const auto pptBefore = r.view.getAxis().pixelsPerTick;
    const auto tickUnder = r.view.getAxis().tickForX (mouseX);
    wheelWith (r.ui, r.view, 0.4f, juce::ModifierKeys::ctrlModifier, mouse);
    CHECK (r.view.getAxis().pixelsPerTick > pptBefore * 1.5);
    CHECK (std::abs (r.view.getAxis().xForTick (tickUnder) - (float) mouseX) < 1.0f);

    const auto ppt = r.view.getAxis().pixelsPerTick;
    r.ui.pressKey (juce::KeyPress ('-', {}, '-'));
    CHECK (r.view.getAxis().pixelsPerTick == Approx (ppt / 1.5));
    r.ui.pressKey (juce::KeyPress ('+', juce::ModifierKeys::shiftModifier, '+'));
    CHECK (r.view.getAxis().pixelsPerTick == Approx (ppt));
    r.ui.click (r.child<juce::Button> ("ZoomIn"));
    CHECK (r.view.getAxis().pixelsPerTick == Approx (ppt * 1.5));
    CHECK (r.f.context.takeRecordedActions().empty());
}

TEST_CASE ("Arrangement: the ruler's drag sets the loop region, a click locates", "[gui][arrangement]")
{
    Rig r;
    auto& ruler = r.child ("ruler");
    r.f.context.takeRecordedActions();
    // Bars are 64 pixels: from bar 3 to bar 7.
    r.ui.drag (ruler, juce::Point<int> (2 * 64 + 5, 12), juce::Point<int> (6 * 64 + 3, 12));
    const auto loops = actionsOf<model::action::SetLoop> (r.f.context.takeRecordedActions());
    REQUIRE_FALSE (loops.empty());
    const auto& loop = r.session().settings.loop;
    CHECK (loop.start % beat == 0);
    CHECK (loop.start == 2 * bar);
    CHECK (loop.end == 6 * bar);
    CHECK (loop.enabled);
    CHECK (loops.back().loop == loop);

    // Its end edge drags alone; Shift-drag in the middle moves the whole region.
    r.ui.drag (ruler, juce::Point<int> (6 * 64, 12), juce::Point<int> (8 * 64 + 2, 12));
    CHECK (loop.start == 2 * bar);
    CHECK (loop.end == 8 * bar);
    r.ui.drag (ruler, juce::Point<int> (4 * 64 + 8, 12), juce::Point<int> (5 * 64 + 8, 12), 8, juce::ModifierKeys::shiftModifier);
    CHECK (loop.start == 3 * bar);
    CHECK (loop.end == 9 * bar);
    r.f.context.takeRecordedActions();

    r.ui.click (ruler, juce::Point<int> (10 * 64 + 2, 12));
    CHECK (actionsOf<model::action::Locate> (r.f.context.takeRecordedActions()) == std::vector { model::action::Locate { 10 * bar } });
}

TEST_CASE ("Arrangement: following the play head turns the page while playing, from the meter frames", "[gui][arrangement]")
{
    Rig r;
    REQUIRE (r.f.context.perform (model::action::SetPlayMode { model::PlayMode::song }).ok());
    REQUIRE (r.f.context.perform (model::action::Locate { 40 * bar }).ok());
    REQUIRE (r.f.context.perform (model::action::Play {}).ok());
    test::renderBlocks (r.f.host, 8);
    r.f.context.meters.updateNow();
    CHECK (r.view.getAxis().startTick == 0.0); // not following: the view stays

    r.ui.click (r.child<juce::Button> ("Follow"));
    CHECK (r.view.isFollowingPlayhead());
    test::renderBlocks (r.f.host, 8);
    r.f.context.meters.updateNow();
    const auto head = (double) r.f.context.meters.latest().metering.playhead;
    REQUIRE (head > 40.0 * bar - 1);
    const auto x = r.view.getAxis().xForTick (head);
    CHECK (x >= 0.0f);
    CHECK (x < (float) r.tracks().getWidth());
    REQUIRE (r.f.context.perform (model::action::Stop {}).ok());
}

//==============================================================================
TEST_CASE ("Automation lane: a click adds a point with the height's value, a drag moves it snapped, a double-click deletes it", "[gui][arrangement]")
{
    Rig r;
    const auto id = r.addLaneFromMenu ("Tempo");
    CHECK (r.session().automation.find (id)->target.kind == model::AutomationTargetKind::bpm);
    CHECK (r.f.context.selection.getLane() == id);
    test::pumpMessages (20);
    auto& lane = r.lane (id);
    CHECK (lane.getDisplayRange().lo == 40.0f);
    CHECK (lane.getDisplayRange().hi == 240.0f);
    r.f.context.takeRecordedActions();
    const auto depth = r.undoDepth();

    // The curve area starts right of the header; its height spans 40..240 BPM.
    const auto area = lane.getCurveArea().reduced (0, 6);
    const auto yFor = [&] (float bpm)
    { return juce::roundToInt ((float) area.getBottom() - (bpm - 40.0f) / 200.0f * (float) area.getHeight()); };
    r.ui.click (lane, juce::Point<int> (area.getX() + 100, yFor (140.0f))); // 3000 ticks -> 2880 on the quarter grid
    auto sets = actionsOf<model::action::SetPoint> (r.f.context.takeRecordedActions());
    REQUIRE (sets.size() == 1);
    CHECK (sets[0].lane == id);
    CHECK (sets[0].point.tick == 2880);
    CHECK (sets[0].point.value == Approx (140.0f).margin (2.0f));
    const auto& points = r.session().automation.find (id)->points.points;
    REQUIRE (points.size() == 1);
    CHECK (points[0].tick == 2880);
    CHECK (lane.getSelectedPoints() == std::set<model::Tick> { 2880 });
    CHECK (r.undoDepth() == depth + 1);

    // Drag it a bar right and up: the tick lands on the grid, the value follows the height.
    const auto handle = lane.getHandlePosition (points[0]).roundToInt();
    const auto valueBefore = points[0].value;
    r.ui.drag (lane, handle, handle.translated (64, -12));
    CHECK_FALSE (actionsOf<model::action::EditPoints> (r.f.context.takeRecordedActions()).empty());
    REQUIRE (points.size() == 1);
    CHECK (points[0].tick == 2880 + bar);
    CHECK (points[0].value == Approx (valueBefore + 12.0f * 200.0f / (float) area.getHeight()).margin (0.5f));
    CHECK (r.undoDepth() == depth + 2);
    CHECK (lane.getReadout().endsWith (" BPM"));

    // A double-click on empty space adds one point (the second click does not delete it) ...
    r.ui.doubleClick (lane, juce::Point<int> (area.getX() + 400, yFor (100.0f)));
    REQUIRE (points.size() == 2);
    CHECK (points[1].tick == 12000);
    // ... and a double-click on a point deletes it.
    r.f.context.takeRecordedActions();
    r.ui.doubleClick (lane, lane.getHandlePosition (points[1]).roundToInt());
    CHECK (actionsOf<model::action::DeletePoint> (r.f.context.takeRecordedActions()) == std::vector { model::action::DeletePoint { id, 12000 } });
    REQUIRE (points.size() == 1);
    CHECK (points[0].tick == 2880 + bar);
}

TEST_CASE ("Automation lane: Shift-click and a box select several points, a drag moves them together, Delete removes them", "[gui][arrangement]")
{
    Rig r;
    waitForWindowFocus (r.ui);
    const auto id = r.addLaneFromMenu ("Swing");
    for (auto [tick, value] : { std::pair { 0, 0.1f }, { bar, 0.5f }, { 2 * bar, 0.2f }, { 3 * bar, 0.6f } })
        REQUIRE (r.f.context.perform (model::action::SetPoint { id, { tick, value } }).ok());
    test::pumpMessages (20);
    auto& lane = r.lane (id);
    const auto& points = r.session().automation.find (id)->points.points;
    REQUIRE (points.size() == 4);
    r.f.context.takeRecordedActions();
    const auto depth = r.undoDepth();

    r.ui.click (lane, lane.getHandlePosition (points[1]).roundToInt());
    r.ui.click (lane, lane.getHandlePosition (points[2]).roundToInt(), juce::ModifierKeys::shiftModifier);
    CHECK (lane.getSelectedPoints() == std::set<model::Tick> { bar, 2 * bar });
    CHECK (r.f.context.takeRecordedActions().empty());

    // Half a bar right (snapped to the quarter grid) and a little down: both move, one undo step.
    const auto area = lane.getCurveArea().reduced (0, 6);
    const auto dy = (float) area.getHeight() * 0.1f;
    const auto grab = lane.getHandlePosition (points[1]).roundToInt();
    r.ui.drag (lane, grab, grab.translated (33, juce::roundToInt (dy)));
    CHECK_FALSE (actionsOf<model::action::EditPoints> (r.f.context.takeRecordedActions()).empty());
    REQUIRE (points.size() == 4);
    CHECK (points[0].tick == 0);
    CHECK (points[1].tick == bar + 2 * beat);
    CHECK (points[1].value == Approx (0.4f).margin (0.02f));
    CHECK (points[2].tick == 2 * bar + 2 * beat);
    CHECK (points[2].value == Approx (0.1f).margin (0.02f));
    CHECK (points[3].tick == 3 * bar);
    CHECK (lane.getSelectedPoints() == std::set<model::Tick> { bar + 2 * beat, 2 * bar + 2 * beat });
    CHECK (r.undoDepth() == depth + 1);

    // A box from empty space catches the last three; Delete removes them in one edit.
    const auto from = juce::Point<int> ((int) lane.getHandlePosition (points[1]).x - 8, area.getY() + 1);
    const auto to = juce::Point<int> ((int) lane.getHandlePosition (points[3]).x + 8, area.getBottom() - 1);
    r.ui.drag (lane, from, to);
    CHECK (lane.getSelectedPoints() == std::set<model::Tick> { bar + 2 * beat, 2 * bar + 2 * beat, 3 * bar });
    CHECK (r.f.context.takeRecordedActions().empty());
    r.ui.pressKey (juce::KeyPress (juce::KeyPress::deleteKey));
    const auto edits = actionsOf<model::action::EditPoints> (r.f.context.takeRecordedActions());
    REQUIRE (edits.size() == 1);
    CHECK (edits[0].remove == std::vector<model::Tick> { bar + 2 * beat, 2 * bar + 2 * beat, 3 * bar });
    REQUIRE (points.size() == 1);
    CHECK (points[0].tick == 0);
}

TEST_CASE ("Automation lane: a right-click picks a segment's curve, Alt-drag or its middle handle bends it", "[gui][arrangement]")
{
    Rig r;
    const auto id = r.addLaneFromMenu ("Tempo");
    REQUIRE (r.f.context.perform (model::action::SetPoint { id, { 0, 100.0f } }).ok());
    REQUIRE (r.f.context.perform (model::action::SetPoint { id, { 8 * bar, 180.0f } }).ok());
    test::pumpMessages (20);
    auto& lane = r.lane (id);
    const auto& points = r.session().automation.find (id)->points.points;
    r.f.context.takeRecordedActions();

    // The right-click only opens the menu.
    const auto middle = juce::Point<int> ((int) lane.xForTick (4.0 * bar), lane.getCurveArea().getY() + 10);
    r.ui.rightClick (lane, middle);
    CHECK (r.f.context.takeRecordedActions().empty());
    juce::PopupMenu::dismissAllActiveMenus();
    test::pumpMessages (20);

    const auto menu = lane.getSegmentMenu (0);
    for (auto* kind : { "Linear", "Exponential", "Step", "S-Curve" })
        CHECK (hasItem (menu, kind));
    lane.segmentMenuItemChosen (0, findItem (menu, "Step"));
    CHECK (r.f.context.takeRecordedActions() == std::vector<model::Action> { model::action::SetPoint { id, { 0, 100.0f, model::CurveType::step, 0 } } });
    CHECK (points[0].curve == model::CurveType::step);
    lane.segmentMenuItemChosen (0, findItem (lane.getSegmentMenu (0), "S-Curve"));
    CHECK (points[0].curve == model::CurveType::sCurve);
    lane.segmentMenuItemChosen (0, findItem (lane.getSegmentMenu (0), "Linear"));
    CHECK (points[0].curve == model::CurveType::linear);
    r.f.context.takeRecordedActions();
    const auto depth = r.undoDepth();

    // Alt-drag up anywhere on the segment bends it up: 20 pixels of the curve's height in shape.
    const auto height = (float) lane.getCurveArea().reduced (0, 6).getHeight();
    r.ui.drag (lane, middle, middle.translated (0, -20), 8, juce::ModifierKeys::altModifier);
    const auto expected = juce::roundToInt (20.0f / height * 200.0f);
    CHECK ((int) points[0].shape == expected);
    CHECK (points[0].tick == 0);
    CHECK (points[0].value == 100.0f);
    CHECK (r.undoDepth() == depth + 1);
    CHECK (r.session().automation.find (id)->points.valueAt (4 * bar).value() > 140.0f); // rises early

    // The handle in the segment's middle bends it without Alt: down, past straight.
    const auto handle = lane.getBendHandlePosition (0);
    REQUIRE (handle.has_value());
    r.ui.drag (lane, handle->roundToInt(), handle->roundToInt().translated (0, 40));
    CHECK ((int) points[0].shape == juce::jlimit (-100, 100, expected - juce::roundToInt (40.0f / height * 200.0f)));
    CHECK (r.undoDepth() == depth + 2);
    const auto sets = actionsOf<model::action::SetPoint> (r.f.context.takeRecordedActions());
    REQUIRE_FALSE (sets.empty());
    CHECK (sets.back().point.shape == points[0].shape);
    test::saveScreenshot (lane, "automation-lane-bent");
}

TEST_CASE ("Automation lane: the header's toggle enables the lane, its button removes it, values show in the target's unit", "[gui][arrangement]")
{
    Rig r;
    const auto& s = r.session();
    // The demo's pad cutoff lane: a frequency, shown in Hz on a log scale.
    const auto cutoffLane = s.automation[0].id;
    auto& lane = r.lane (cutoffLane);
    CHECK (lane.getDisplayRange().logarithmic);
    hover (r.ui, lane, lane.getHandlePosition (s.automation[0].points.points[2]).roundToInt());
    CHECK (lane.getReadout().endsWith ("Hz"));

    auto& enabled = *test::findComponent<juce::Button> (lane, "LaneEnabled");
    CHECK (enabled.getToggleState());
    r.f.context.takeRecordedActions();
    r.ui.click (enabled);
    CHECK (r.f.context.takeRecordedActions() == std::vector<model::Action> { model::action::SetLaneEnabled { cutoffLane, false } });
    CHECK_FALSE (s.automation.find (cutoffLane)->enabled);
    CHECK_FALSE (enabled.getToggleState());
    test::pumpMessages (20);
    test::saveScreenshot (r.view, "arrangement-lanes");

    const auto swing = r.addLaneFromMenu ("Swing");
    hover (r.ui, r.lane (swing), r.lane (swing).getCurveArea().getCentre());

    CHECK (r.lane (swing).getReadout().endsWith ("%"));

    r.f.context.takeRecordedActions();
    const auto lanes = r.view.getLaneViews().size();
    r.ui.click (*test::findComponent<juce::Button> (lane, "LaneRemove"));
    test::pumpMessages (20);
    CHECK (r.f.context.takeRecordedActions() == std::vector<model::Action> { model::action::RemoveLane { cutoffLane } });
    CHECK_FALSE (s.automation.contains (cutoffLane));
    CHECK (r.view.getLaneViews().size() == lanes - 1);
    CHECK (r.view.findLaneView (cutoffLane) == nullptr);
}

TEST_CASE ("Automation lane: a change of one lane repaints only that lane", "[gui][arrangement]")
{
    Rig r;
    const auto& s = r.session();
    // Let the window's first exposures pass.
    test::pumpMessages (600);
    const auto a = s.automation[0].id, b = s.automation[1].id;
    auto& laneA = r.lane (a);
    auto& laneB = r.lane (b);
    REQUIRE (laneA.getPaintCount() > 0);
    REQUIRE (laneB.getPaintCount() > 0);

    bool quiet = false;
    for (int attempt = 0; attempt < 5 && ! quiet; ++attempt)
    {
        const auto paintsA = laneA.getPaintCount(), paintsB = laneB.getPaintCount(), paintsTracks = r.view.getTrackAreaPaintCount();
        REQUIRE (r.f.context.perform (model::action::SetPoint { a, { 3 * beat + attempt, 1000.0f } }).ok());
        test::pumpMessages (100);
        // An expose of the whole window (the window manager's) repaints everything: try again.
        if (laneB.getPaintCount() != paintsB && r.view.getTrackAreaPaintCount() != paintsTracks)
            continue;
        quiet = true;
        CHECK (laneA.getPaintCount() > paintsA);
        CHECK (laneB.getPaintCount() == paintsB);
        CHECK (r.view.getTrackAreaPaintCount() == paintsTracks);
    }
    CHECK (quiet);

    // A knob turn on an instrument shows nowhere here: no lane, no track repaints.
    const auto level = model::ParamAddress::instrument (s.instruments[0].id, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level);
    quiet = false;
    for (int attempt = 0; attempt < 5 && ! quiet; ++attempt)
    {
        const auto paintsA = laneA.getPaintCount(), paintsB = laneB.getPaintCount(), paintsTracks = r.view.getTrackAreaPaintCount();
        REQUIRE (r.f.context.perform (model::action::SetParam { level, 0.5f + 0.01f * (float) attempt }).ok());
        test::pumpMessages (100);
        if (laneA.getPaintCount() != paintsA && laneB.getPaintCount() != paintsB && r.view.getTrackAreaPaintCount() != paintsTracks)
            continue; // an expose
        quiet = true;
        CHECK (laneA.getPaintCount() == paintsA);
        CHECK (laneB.getPaintCount() == paintsB);
        CHECK (r.view.getTrackAreaPaintCount() == paintsTracks);
    }
    CHECK (quiet);
}

//==============================================================================
TEST_CASE ("Automate menus: a knob's right-click adds its parameter's lane, or shows the lane it has, without moving the knob", "[gui][arrangement]")
{
    test::GuiFixture f;
    const auto& s = f.host.getSession();
    const auto& lead = instrumentNamed (s, "Saw lead");
    const auto address = model::ParamAddress::stage (model::NodeKind::instrument, lead.id.value, lead.chain[0].id, 0);
    gui::ParamKnob knob (f.context, address, lead.chain[0].params[0]);
    test::UiDriver ui (knob, gui::ParamKnob::preferredWidth, gui::ParamKnob::preferredHeight);
    const auto value = lead.chain[0].params[0].value;
    f.context.takeRecordedActions();

    ui.rightClick (knob.getSlider());
    CHECK (f.context.takeRecordedActions().empty());
    CHECK ((float) knob.getSlider().getValue() == value);
    juce::PopupMenu::dismissAllActiveMenus();
    test::pumpMessages (20);

    const auto lanes = s.automation.size();
    auto menu = knob.getContextMenu();
    REQUIRE (hasItem (menu, "Automate Cutoff"));
    knob.contextMenuItemChosen (findItem (menu, "Automate Cutoff"));
    const auto actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::AddLane> (actions[0]).target == model::AutomationTarget { model::AutomationTargetKind::parameter, address });
    REQUIRE (s.automation.size() == lanes + 1);
    const auto added = s.automation[lanes].id;
    CHECK (f.context.selection.getLane() == added);

    // Now it has a lane: the menu shows it instead.
    menu = knob.getContextMenu();
    CHECK_FALSE (hasItem (menu, "Automate Cutoff"));
    REQUIRE (hasItem (menu, "Show Its Lane"));
    f.context.selection.selectLane ({});
    knob.contextMenuItemChosen (findItem (menu, "Show Its Lane"));
    CHECK (f.context.takeRecordedActions().empty());
    CHECK (f.context.selection.getLane() == added);

    // The knob still drags as before.
    const auto centre = knob.getSlider().getLocalBounds().getCentre();
    ui.drag (knob.getSlider(), centre, centre.translated (0, -30));
    CHECK (model::findParam (s, address)->value > value);
}

TEST_CASE ("Automate menus: \"Show Its Lane\" scrolls the arrangement to the lane and marks it", "[gui][arrangement]")
{
    Rig r (model::makeReferenceSession (model::ReferenceSize::small), 1280, 420);
    const auto& s = r.session();
    const auto& pad = instrumentNamed (s, "Supersaw pad");
    const auto address = model::ParamAddress::stage (model::NodeKind::instrument, pad.id.value, pad.chain[0].id, 0);
    const auto laneId = gui::automation::findLane (s, gui::automation::parameter (address));
    REQUIRE (laneId == s.automation[0].id);
    auto& lane = r.lane (laneId);
    auto& body = *r.tracks().getParentComponent()->getParentComponent();
    const auto visible = [&]
    { return body.getLocalBounds().contains (body.getLocalArea (&lane, lane.getLocalBounds())); };
    CHECK_FALSE (visible());

    gui::ParamKnob knob (r.f.context, address, pad.chain[0].params[0]);
    knob.contextMenuItemChosen (findItem (knob.getContextMenu(), "Show Its Lane"));
    CHECK (r.f.context.selection.getLane() == laneId);
    CHECK (visible());
}

TEST_CASE ("Automate menus: the tempo's right-click automates the tempo, the record arm switches automation recording", "[gui][arrangement]")
{
    test::GuiFixture f;
    gui::TransportBar bar (f.context);
    test::UiDriver ui (bar, 1280, 56);
    const auto& s = f.host.getSession();
    f.context.takeRecordedActions();

    auto* bpm = test::findComponent<gui::DragValueField> (bar, "Bpm");
    REQUIRE (bpm != nullptr);
    const auto tempo = s.settings.bpm;
    ui.rightClick (*bpm);
    CHECK (f.context.takeRecordedActions().empty());
    CHECK (s.settings.bpm == tempo);
    CHECK_FALSE (bpm->isEditing());
    juce::PopupMenu::dismissAllActiveMenus();
    test::pumpMessages (20);

    bar.tempoMenuItemChosen (findItem (bar.getTempoMenu(), "Automate Tempo"));
    const auto actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::AddLane> (actions[0]).target.kind == model::AutomationTargetKind::bpm);
    CHECK (gui::automation::findLane (s, gui::automation::tempo()).isValid());
    CHECK (hasItem (bar.getTempoMenu(), "Show Its Lane"));
    bar.swingMenuItemChosen (findItem (bar.getSwingMenu(), "Automate Swing"));
    CHECK (gui::automation::findLane (s, gui::automation::swing()).isValid());
    f.context.takeRecordedActions();

    auto* arm = test::findComponent<juce::Button> (bar, "AutomationRecord");
    REQUIRE (arm != nullptr);
    CHECK_FALSE (arm->getToggleState());
    ui.click (*arm);
    CHECK (f.context.takeRecordedActions() == std::vector<model::Action> { model::action::SetAutomationRecording { true } });
    CHECK (s.transport.automationRecording);
    CHECK (arm->getToggleState());
    ui.click (*arm);
    CHECK_FALSE (s.transport.automationRecording);
    CHECK_FALSE (arm->getToggleState());
}

TEST_CASE ("Automate menus: a mixer fader offers \"Automate Level\", a right-click on it leaves the level alone", "[gui][arrangement]")
{
    test::GuiFixture f;
    gui::MixerView mixer (f.context);
    test::UiDriver ui (mixer, 1280, 600);
    const auto& s = f.host.getSession();
    const auto& bass = instrumentNamed (s, "Square bass");
    auto* strip = mixer.findStrip (model::NodeKind::instrument, bass.id.value);
    REQUIRE (strip != nullptr);
    auto* fader = test::findComponent<juce::Slider> (*strip, "Fader");
    REQUIRE (fader != nullptr);
    const auto level = bass.strip.level;
    f.context.takeRecordedActions();

    ui.rightClick (*fader, fader->getLocalBounds().getCentre().translated (0, 30));
    CHECK (f.context.takeRecordedActions().empty());
    CHECK (s.instruments.find (bass.id)->strip.level == level);
    juce::PopupMenu::dismissAllActiveMenus();
    test::pumpMessages (20);

    strip->faderMenuItemChosen (findItem (strip->getFaderMenu(), "Automate Level"));
    const auto target = gui::automation::parameter ({ model::NodeKind::instrument, bass.id.value, model::ParamGroup::strip, 0, (std::uint16_t) model::StripParam::level });
    const auto laneId = gui::automation::findLane (s, target);
    REQUIRE (laneId.isValid());
    CHECK (f.context.selection.getLane() == laneId);
    CHECK (hasItem (strip->getFaderMenu(), "Show Its Lane"));

    // The master's fader too.
    auto* master = mixer.findStrip (model::NodeKind::master, 0);
    REQUIRE (master != nullptr);
    master->faderMenuItemChosen (findItem (master->getFaderMenu(), "Automate Level"));
    CHECK (gui::automation::findLane (s, gui::automation::parameter ({ model::NodeKind::master, 0, model::ParamGroup::strip, 0, 0 })).isValid());
}

TEST_CASE ("Automate menus: with recording armed and playing, a knob drag writes its lane as one undo step", "[gui][arrangement]")
{
    test::GuiFixture f;
    const auto& s = f.host.getSession();
    const auto& lead = instrumentNamed (s, "Saw lead");
    const auto address = model::ParamAddress::stage (model::NodeKind::instrument, lead.id.value, lead.chain[0].id, 0);
    gui::ParamKnob knob (f.context, address, lead.chain[0].params[0]);
    test::UiDriver ui (knob, gui::ParamKnob::preferredWidth, gui::ParamKnob::preferredHeight);
    REQUIRE (f.context.perform (model::action::SetAutomationRecording { true }).ok());
    REQUIRE (f.context.perform (model::action::Play {}).ok());
    const auto depth = f.host.getHistory().undoDepth();

    const auto centre = knob.getSlider().getLocalBounds().getCentre();
    ui.drag (knob.getSlider(), centre, centre.translated (0, -40));
    const auto laneId = gui::automation::findLane (s, gui::automation::parameter (address));
    REQUIRE (laneId.isValid());
    const auto& points = s.automation.find (laneId)->points.points;
    REQUIRE_FALSE (points.empty());
    CHECK (points.back().value == model::findParam (s, address)->value);
    CHECK (f.host.getHistory().undoDepth() == depth + 1);
    REQUIRE (f.context.perform (model::action::Stop {}).ok());
}

//==============================================================================
TEST_CASE ("Arrangement: the large session's 64 tracks and lanes, with a look at it", "[gui][arrangement][screenshot]")
{
    Rig r (model::makeReferenceSession (model::ReferenceSize::large), 1400, 880);
    const auto& s = r.session();
    CHECK (r.view.getLaneViews().size() == s.automation.size());
    for (const auto& p : s.arrangement.placements)
        CHECK_FALSE (r.view.getPlacementBounds (p.id).isEmpty());
    r.f.context.selection.selectInstrument (s.instruments[0].id);
    r.view.setSelectedPlacements ({ s.arrangement.placements[1].id });
    test::pumpMessages (50);
    test::saveScreenshot (r.view, "arrangement-large");

    // The "+ Lane" menu lists the selected instrument's parameters by part.
    const auto menu = r.view.getAddLaneMenu();
    CHECK (hasItem (menu, "Tempo"));
    CHECK (hasItem (menu, "Swing"));
    CHECK (hasItem (menu, "Level"));
    CHECK (hasItem (menu, "Attack"));
}
