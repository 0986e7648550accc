// The instrument rack driven through the window peer: adding from its menu, mute and solo, renaming in
// place, deleting and duplicating from a row's menu, the selection, ownership marks, and which rows
// repaint after a change.

#include "imbolc_GuiTestSupport.h"

using namespace imbolc;

namespace
{

/** The id of the menu item with this text, searching sub-menus too (the menu window is not opened:
    menus are asynchronous, so the test calls the handler with the id the menu would return). */
int findItem (const juce::PopupMenu& menu, const juce::String& text)
{
    for (juce::PopupMenu::MenuItemIterator it (menu, true); it.next();)
        if (it.getItem().text == text)
            return it.getItem().itemID;
    return 0;
}

/** The top-level item with this text (a built-in is both in the menu and in "On SuperCollider"). */
int findTopItem (const juce::PopupMenu& menu, const juce::String& text)
{
    for (juce::PopupMenu::MenuItemIterator it (menu, false); it.next();)
        if (it.getItem().text == text)
            return it.getItem().itemID;
    return 0;
}

const juce::PopupMenu* findSubMenu (const juce::PopupMenu& menu, const juce::String& text)
{
    for (juce::PopupMenu::MenuItemIterator it (menu, false); it.next();)
        if (it.getItem().text == text)
            return it.getItem().subMenu.get();
    return nullptr;
}

/** A window around a view with a strip of its own that the view does not cover: it is painted only when
    the whole window is (an X expose), which the repaint tests must tell apart from the view's repaints. */
struct ExposeWatch final : public juce::Component
{
    explicit ExposeWatch (juce::Component& view)
    {
        setOpaque (true);
        addAndMakeVisible (view);
    }
    void resized() override { getChildComponent (0)->setBounds (getLocalBounds().withTrimmedBottom (2)); }
    void paint (juce::Graphics& g) override
    {
        ++exposures;
        g.fillAll (juce::Colours::black);
    }
    int exposures = 0;
};

/** Waits until the window manager has given the test window the keyboard focus (a text editor can only
    take it then), up to two seconds. */
void waitForWindowFocus (test::UiDriver& ui)
{
    for (int waited = 0; ! ui.peer().isFocused() && waited < 2000; waited += 20)
        test::pumpMessages (20);
}

model::InstrumentId instrumentAt (const test::GuiFixture& f, std::size_t i)
{
    return f.host.getSession().instruments.asVector().at (i).id;
}
} // namespace

TEST_CASE ("Rack: a row per instrument in session order, showing its name and source", "[gui][rack]")
{
    test::GuiFixture f;
    gui::InstrumentRack rack (f.context);
    test::UiDriver ui (rack, 260, 700);

    const auto& instruments = f.host.getSession().instruments;
    REQUIRE (rack.getNumRows() == (int) instruments.size());
    for (std::size_t i = 0; i < instruments.size(); ++i)
    {
        auto* row = rack.getRow (instruments[i].id);
        REQUIRE (row != nullptr);
        CHECK (row->getY() == (int) i * row->getHeight());
        CHECK (row->getShown().name == juce::String (instruments[i].name));
        CHECK (row->getShown().source == model::toString (instruments[i].source.builtIn));
        CHECK_FALSE (row->getShown().superCollider);
        CHECK (row->getShown().seat.isEmpty());
        CHECK (row->getShown().editable);
    }

    // A click selects; a selection made elsewhere moves the highlight.
    auto* second = rack.getRow (instruments[1].id);
    ui.click (*second, juce::Point<int> (40, 30));
    CHECK (f.context.selection.getInstrument() == instruments[1].id);
    CHECK (second->isSelected());
    f.context.selection.selectInstrument (instruments[4].id);
    CHECK_FALSE (second->isSelected());
    CHECK (rack.getRow (instruments[4].id)->isSelected());
    CHECK (f.context.takeRecordedActions().empty());
}

TEST_CASE ("Rack: the add menu adds a built-in, a SuperCollider instrument and a plugin under unique names, and selects it", "[gui][rack]")
{
    test::GuiFixture f;
    gui::InstrumentRack rack (f.context);
    test::UiDriver ui (rack, 260, 700);
    const auto count = f.host.getSession().instruments.size();

    auto menu = rack.getAddMenu();
    for (int i = 0; i < model::numBuiltInSources; ++i)
        CHECK (findTopItem (menu, model::toString ((model::BuiltInSource) i)) != 0);

    const auto saw = findTopItem (menu, "saw");
    REQUIRE (saw != 0);
    rack.addMenuItemChosen (saw);
    auto actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    const auto& add = std::get<model::action::AddInstrument> (actions[0]);
    CHECK (add.source.kind == model::SourceKind::builtIn);
    CHECK (add.source.builtIn == model::BuiltInSource::saw);
    CHECK (add.backend == model::Backend::internal);
    CHECK (add.name == "saw");
    REQUIRE (f.host.getSession().instruments.size() == count + 1);
    const auto added = f.host.getSession().instruments.asVector().back();
    CHECK (added.name == "saw");
    CHECK (f.context.selection.getInstrument() == added.id);
    REQUIRE (rack.getRow (added.id) != nullptr);
    CHECK (rack.getRow (added.id)->isSelected());
    CHECK (rack.getRow (added.id)->getShown().name == "saw");

    // The same again gets a free name.
    rack.addMenuItemChosen (findTopItem (rack.getAddMenu(), "saw"));
    CHECK (f.host.getSession().instruments.asVector().back().name == "saw 2");

    // On SuperCollider: the same sources, another backend, marked "SC".
    menu = rack.getAddMenu();
    const auto* sc = findSubMenu (menu, "On SuperCollider");
    REQUIRE (sc != nullptr);
    const auto kick = findItem (*sc, "kick");
    REQUIRE (kick != 0);
    f.context.takeRecordedActions();
    rack.addMenuItemChosen (kick);
    actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::AddInstrument> (actions[0]).backend == model::Backend::superCollider);
    CHECK (std::get<model::action::AddInstrument> (actions[0]).source.builtIn == model::BuiltInSource::kick);
    const auto scId = f.host.getSession().instruments.asVector().back().id;
    CHECK (f.host.getSession().instruments.find (scId)->backend == model::Backend::superCollider);
    CHECK (f.context.selection.getInstrument() == scId);
    CHECK (rack.getRow (scId)->getShown().superCollider);

    // A scanned plugin instrument is named the way the engine's plugin host loads it.
    juce::PluginDescription synth;
    synth.name = "Test Synth";
    synth.pluginFormatName = "VST3";
    synth.fileOrIdentifier = "/nonexistent/TestSynth.vst3";
    synth.uniqueId = 0x1234;
    synth.deprecatedUid = 0x1234;
    synth.isInstrument = true;
    juce::PluginDescription effect = synth;
    effect.name = "Test Echo";
    effect.isInstrument = false;
    effect.fileOrIdentifier = "/nonexistent/TestEcho.vst3";
    effect.uniqueId = effect.deprecatedUid = 0x5678;
    f.context.knownPlugins.addType (synth);
    f.context.knownPlugins.addType (effect);
    menu = rack.getAddMenu();
    const auto* plugins = findSubMenu (menu, "Plugins");
    REQUIRE (plugins != nullptr);
    CHECK (findItem (*plugins, "Test Echo (VST3)") == 0);
    const auto pluginItem = findItem (*plugins, "Test Synth (VST3)");
    REQUIRE (pluginItem != 0);
    // That plugin is not installed: it cannot be loaded for its parameters, so nothing is added and the
    // message names it.
    juce::StringArray messages;
    f.context.onMessage = [&messages] (const juce::String& m) { messages.add (m); };
    const auto instrumentsBefore = f.host.getSession().instruments.size();
    rack.addMenuItemChosen (pluginItem);
    CHECK (f.context.takeRecordedActions().empty());
    CHECK (f.host.getSession().instruments.size() == instrumentsBefore);
    REQUIRE (messages.size() == 1);
    CHECK (messages[0].contains ("TestSynth"));

    // A real one (mda JX10 from Debian's mda-lv2) is added with its parameters, as the engine loads it.
    juce::PluginDescription jx10;
    jx10.name = "MDA JX10";
    jx10.pluginFormatName = "LV2";
    jx10.fileOrIdentifier = "http://drobilla.net/plugins/mda/JX10";
    jx10.isInstrument = true;
    f.context.knownPlugins.addType (jx10);
    menu = rack.getAddMenu();
    const auto jx10Item = findItem (*findSubMenu (menu, "Plugins"), "MDA JX10 (LV2)");
    REQUIRE (jx10Item != 0);
    rack.addMenuItemChosen (jx10Item);
    actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    const auto& plugin = std::get<model::action::AddInstrument> (actions[0]);
    CHECK (plugin.source.kind == model::SourceKind::plugin);
    CHECK (plugin.source.plugin.format == model::PluginFormat::lv2);
    CHECK (plugin.source.plugin.identifier == "http://drobilla.net/plugins/mda/JX10");
    CHECK (plugin.source.params.size() > 10); // JX10's parameters, read by loading it
    CHECK (plugin.name == "MDA JX10");
    const auto pluginId = f.host.getSession().instruments.asVector().back().id;
    CHECK (rack.getRow (pluginId)->getShown().source == "MDA JX10");
    CHECK (f.context.selection.getInstrument() == pluginId);
}

TEST_CASE ("Rack: mute and solo clicks set the strip's switches and the buttons show them", "[gui][rack]")
{
    test::GuiFixture f;
    gui::InstrumentRack rack (f.context);
    test::UiDriver ui (rack, 260, 700);
    const auto id = instrumentAt (f, 2);
    auto* row = rack.getRow (id);
    REQUIRE (row != nullptr);
    auto* mute = test::findComponent<juce::Button> (*row, "Mute");
    auto* solo = test::findComponent<juce::Button> (*row, "Solo");
    REQUIRE (mute != nullptr);
    REQUIRE (solo != nullptr);

    ui.click (*mute);
    auto actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetMute> (actions[0]) == model::action::SetMute { model::NodeKind::instrument, id.value, true });
    CHECK (f.host.getSession().instruments.find (id)->strip.mute);
    CHECK (mute->getToggleState());

    ui.click (*solo);
    actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetSolo> (actions[0]) == model::action::SetSolo { model::NodeKind::instrument, id.value, true });
    CHECK (f.host.getSession().instruments.find (id)->strip.solo);
    CHECK (solo->getToggleState());

    ui.click (*mute);
    CHECK_FALSE (f.host.getSession().instruments.find (id)->strip.mute);
    CHECK_FALSE (mute->getToggleState());
    // An undo elsewhere shows on the button.
    REQUIRE (f.context.perform (model::action::Undo {}).ok());
    CHECK (mute->getToggleState());
}

TEST_CASE ("Rack: a double-click on the name renames in place, Return commits, Escape cancels", "[gui][rack]")
{
    test::GuiFixture f;
    gui::InstrumentRack rack (f.context);
    test::UiDriver ui (rack, 260, 700);
    const auto id = instrumentAt (f, 1);
    const auto oldName = f.host.getSession().instruments.find (id)->name;
    auto* row = rack.getRow (id);
    REQUIRE (row != nullptr);
    auto* editor = test::findComponent<juce::TextEditor> (*row, "NameEditor");
    REQUIRE (editor != nullptr);
    CHECK_FALSE (editor->isVisible());

    waitForWindowFocus (ui);
    ui.doubleClick (*row, row->getNameArea().getCentre());
    REQUIRE (row->isRenaming());
    CHECK (editor->isVisible());
    CHECK (editor->hasKeyboardFocus (false));
    CHECK (editor->getText() == juce::String (oldName));
    ui.type ("Wobble");
    ui.pressKey (juce::KeyPress (juce::KeyPress::escapeKey));
    CHECK_FALSE (row->isRenaming());
    CHECK_FALSE (editor->isVisible());
    CHECK (f.context.takeRecordedActions().empty());
    CHECK (f.host.getSession().instruments.find (id)->name == oldName);

    ui.doubleClick (*row, row->getNameArea().getCentre());
    REQUIRE (row->isRenaming());
    ui.typeReplacing ("Wobble bass");
    auto actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::RenameInstrument> (actions[0]) == model::action::RenameInstrument { id, "Wobble bass" });
    CHECK (f.host.getSession().instruments.find (id)->name == "Wobble bass");
    CHECK_FALSE (editor->isVisible());
    CHECK (row->getShown().name == "Wobble bass");

    // Edit > Rename goes through beginRename; the row menu's Rename too.
    rack.rowMenuItemChosen (id, findItem (rack.getRowMenu (id), "Rename"));
    REQUIRE (row->isRenaming());
    ui.typeReplacing ("Bass");
    CHECK (f.host.getSession().instruments.find (id)->name == "Bass");
}

TEST_CASE ("Rack: the row menu deletes (the selection moves to the neighbour) and duplicates", "[gui][rack]")
{
    test::GuiFixture f;
    gui::InstrumentRack rack (f.context);
    test::UiDriver ui (rack, 260, 700);
    const auto count = f.host.getSession().instruments.size();
    const auto victim = instrumentAt (f, 3);
    const auto next = instrumentAt (f, 4);
    ui.click (*rack.getRow (victim), juce::Point<int> (40, 30));
    REQUIRE (f.context.selection.getInstrument() == victim);

    const auto menu = rack.getRowMenu (victim);
    const auto deleteId = findItem (menu, "Delete");
    REQUIRE (deleteId != 0);
    rack.rowMenuItemChosen (victim, deleteId);
    auto actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::DeleteInstrument> (actions[0]).instrument == victim);
    CHECK_FALSE (f.host.getSession().instruments.contains (victim));
    CHECK (rack.getNumRows() == (int) count - 1);
    CHECK (rack.getRow (victim) == nullptr);
    CHECK (f.context.selection.getInstrument() == next);
    CHECK (rack.getRow (next)->isSelected());

    // The last row's neighbour is the one before it.
    const auto last = f.host.getSession().instruments.asVector().back().id;
    const auto beforeLast = f.host.getSession().instruments.asVector().at (f.host.getSession().instruments.size() - 2).id;
    f.context.selection.selectInstrument (last);
    rack.rowMenuItemChosen (last, deleteId);
    CHECK (f.context.selection.getInstrument() == beforeLast);

    f.context.takeRecordedActions();
    rack.rowMenuItemChosen (next, findItem (rack.getRowMenu (next), "Duplicate"));
    actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::DuplicateInstrument> (actions[0]).instrument == next);
    const auto& instruments = f.host.getSession().instruments;
    const auto copy = instruments[(std::size_t) instruments.indexOf (next) + 1].id;
    CHECK (f.context.selection.getInstrument() == copy);
    CHECK (rack.getRow (copy)->isSelected());
    CHECK (rack.getRow (copy)->getY() == rack.getRow (next)->getBottom());
}

TEST_CASE ("Rack: a change to one instrument repaints only its row, meters repaint only themselves", "[gui][rack]")
{
    test::GuiFixture f;
    gui::InstrumentRack rack (f.context);
    ExposeWatch watch (rack);
    test::UiDriver ui (watch, 260, 702);
    // The window manager exposes a new window again a second or so after it appears (the X server then
    // repaints all of it); wait for that before counting.
    for (int waited = 0; watch.exposures < 2 && waited < 3000; waited += 50)
        test::pumpMessages (50);
    test::pumpMessages (50);

    const auto& instruments = f.host.getSession().instruments;
    const auto tweaked = instruments[2].id;
    std::map<std::uint32_t, int> before, meters;
    const auto remember = [&]
    {
        for (const auto& inst : instruments)
        {
            before[inst.id.value] = rack.getRow (inst.id)->paintCount;
            meters[inst.id.value] = rack.getRow (inst.id)->meterPaintCount();
        }
    };
    // Runs a step and lets the window paint; false if an expose repainted the whole window meanwhile,
    // which says nothing about the rack, so the step is tried again.
    const auto quietly = [&] (const std::function<void (int)>& step)
    {
        for (int attempt = 0; attempt < 5; ++attempt)
        {
            remember();
            const auto exposures = watch.exposures;
            step (attempt);
            test::pumpMessages (150);
            if (watch.exposures == exposures)
                return true;
        }
        return false;
    };

    for (const auto& inst : instruments)
        REQUIRE (rack.getRow (inst.id)->paintCount > 0); // every visible row was painted

    REQUIRE (quietly ([&] (int attempt) { REQUIRE (f.context.perform (model::action::RenameInstrument { tweaked, "Keys " + std::to_string (attempt) }).ok()); }));
    for (const auto& inst : instruments)
    {
        INFO ("row of " << inst.name);
        if (inst.id == tweaked)
            CHECK (rack.getRow (inst.id)->paintCount > before[inst.id.value]);
        else
            CHECK (rack.getRow (inst.id)->paintCount == before[inst.id.value]);
    }

    // A change that shows nothing in the rack (a parameter) repaints no row at all.
    const auto param = model::ParamAddress::instrument (tweaked, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level);
    REQUIRE (quietly ([&] (int attempt) { REQUIRE (f.context.perform (model::action::SetParam { param, 0.5f + 0.01f * (float) attempt }).ok()); }));
    for (const auto& inst : instruments)
        CHECK (rack.getRow (inst.id)->paintCount == before[inst.id.value]);

    // Play the demo for a moment: the meters that got a new peak repaint, the rows stay as they are.
    REQUIRE (f.context.perform (model::action::Play {}).ok());
    juce::AudioBuffer<float> buffer (2, 512);
    REQUIRE (quietly ([&] (int)
                      {
                          for (int block = 0; block < 40; ++block)
                          {
                              f.host.getEngine().process (buffer.getArrayOfWritePointers(), 2, 512);
                              f.host.getEngine().update();
                          }
                          f.context.meters.updateNow();
                      }));
    int metersRepainted = 0;
    for (const auto& inst : instruments)
    {
        INFO ("meter of " << inst.name);
        REQUIRE (f.context.meters.latest().findStrip (model::NodeKind::instrument, inst.id.value) != nullptr);
        CHECK (rack.getRow (inst.id)->paintCount == before[inst.id.value]);
        metersRepainted += rack.getRow (inst.id)->meterPaintCount() > meters[inst.id.value] ? 1 : 0;
    }
    CHECK (metersRepainted > 0);

    // The same frame again repaints no meter.
    REQUIRE (quietly ([&] (int) { f.context.meters.updateNow(); }));
    for (const auto& inst : instruments)
        CHECK (rack.getRow (inst.id)->meterPaintCount() == meters[inst.id.value]);
    REQUIRE (f.context.perform (model::action::Stop {}).ok());
}

TEST_CASE ("Rack: an instrument another seat owns shows the seat and cannot be edited here", "[gui][rack]")
{
    test::GuiFixture f;
    test::SeatView session (f.host);
    session.seat = 3;
    gui::GuiContext context (session);
    context.setRecordingActions (true);
    juce::StringArray messages;
    context.onMessage = [&messages] (const juce::String& m) { messages.add (m); };
    gui::InstrumentRack rack (context);
    test::UiDriver ui (rack, 260, 700);

    const auto theirs = instrumentAt (f, 0), mine = instrumentAt (f, 1);
    session.setOwnership ({ { { theirs, 2 }, { mine, 3 } }, 0 });
    auto* row = rack.getRow (theirs);
    CHECK (row->getShown().seat == "seat 2");
    CHECK_FALSE (row->getShown().editable);
    CHECK (rack.getRow (mine)->getShown().seat.isEmpty());
    CHECK (rack.getRow (mine)->getShown().editable);
    // Nobody owns the others, and this seat has no privilege: greyed, without a seat.
    CHECK_FALSE (rack.getRow (instrumentAt (f, 2))->getShown().editable);

    auto* mute = test::findComponent<juce::Button> (*row, "Mute");
    REQUIRE (mute != nullptr);
    CHECK_FALSE (mute->isEnabled());
    ui.click (*mute);
    CHECK (context.takeRecordedActions().empty());

    ui.doubleClick (*row, row->getNameArea().getCentre());
    CHECK_FALSE (row->isRenaming());
    REQUIRE (messages.size() == 1);
    CHECK (messages[0].contains ("seat 2"));
    CHECK (findItem (rack.getRowMenu (theirs), "Delete") != 0);
    const auto theirMenu = rack.getRowMenu (theirs);
    juce::PopupMenu::MenuItemIterator it (theirMenu);
    while (it.next())
        if (it.getItem().text == "Delete" || it.getItem().text == "Rename")
            CHECK_FALSE (it.getItem().isEnabled);

    // The owner leaves: the row is editable again.
    session.seat = 0;
    session.setOwnership ({});
    CHECK (row->getShown().editable);
    CHECK (row->getShown().seat.isEmpty());
    CHECK (mute->isEnabled());
}

TEST_CASE ("Rack in the window: Edit > Delete moves the selection to the neighbour, Edit > Rename edits in place", "[gui][rack]")
{
    test::GuiFixture f;
    juce::ApplicationCommandManager commands;
    gui::MainComponent main (f.context, commands);
    commands.registerAllCommandsForTarget (&main);
    commands.setFirstCommandTarget (&main);
    test::UiDriver ui (main);
    auto& rack = main.getRack();

    const auto victim = instrumentAt (f, 5), next = instrumentAt (f, 6);
    ui.click (*rack.getRow (victim), juce::Point<int> (40, 30));
    REQUIRE (f.context.selection.getInstrument() == victim);
    REQUIRE (commands.invokeDirectly (gui::commands::editDelete, false));
    CHECK_FALSE (f.host.getSession().instruments.contains (victim));
    CHECK (f.context.selection.getInstrument() == next);
    CHECK (rack.getRow (next)->isSelected());

    waitForWindowFocus (ui);
    REQUIRE (commands.invokeDirectly (gui::commands::editRename, false));
    auto* row = rack.getRow (next);
    REQUIRE (row->isRenaming());
    ui.typeReplacing ("Renamed");
    CHECK (f.host.getSession().instruments.find (next)->name == "Renamed");
    CHECK (row->getShown().name == "Renamed");
    CHECK (f.takeActionNames() == std::vector<std::string> { "DeleteInstrument", "RenameInstrument" });
}

TEST_CASE ("Rack screenshot with the demo session", "[gui][rack][screenshot]")
{
    test::GuiFixture f;
    test::SeatView session (f.host);
    gui::GuiContext context (session);
    gui::LookAndFeel lookAndFeel;
    gui::InstrumentRack rack (context);
    rack.setLookAndFeel (&lookAndFeel);
    test::UiDriver ui (rack, 260, 720);

    const auto& instruments = f.host.getSession().instruments;
    rack.addMenuItemChosen (findItem (*findSubMenu (rack.getAddMenu(), "On SuperCollider"), "fm"));
    context.selection.selectInstrument (instruments[1].id);
    REQUIRE (context.perform (model::action::SetMute { model::NodeKind::instrument, instruments[3].id.value, true }).ok());
    session.setOwnership ({ { { instruments[4].id, 2 } }, 0 });

    REQUIRE (context.perform (model::action::Play {}).ok());
    juce::AudioBuffer<float> buffer (2, 512);
    for (int block = 0; block < 40; ++block)
    {
        f.host.getEngine().process (buffer.getArrayOfWritePointers(), 2, 512);
        f.host.getEngine().update();
    }
    context.meters.updateNow();
    test::pumpMessages (50);

    const auto file = test::saveScreenshot (rack, "instrument-rack");
    CHECK (file.existsAsFile());
    CHECK (test::countColours (test::snapshot (rack)) > 10);
    rack.setLookAndFeel (nullptr);
}
