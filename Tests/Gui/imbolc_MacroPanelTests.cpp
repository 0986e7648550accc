// Macros and MIDI channels in the views: a knob's and a fader's "Map to Macro" menu, the macro panel
// (its rows show the session; typing a span or clicking Clear emits SetMacro; only a changed row
// repaints), and the rack's "MIDI Channel" menu and its "ch N" mark. Every gesture is checked in the
// recorded actions and in the session.

#include "imbolc_GuiTestSupport.h"

using namespace imbolc;

namespace
{
/** The item with this text (sub-menus searched too), or nullptr. The menu window is not opened: menus
    are asynchronous, so the test calls the handler with the id the menu would return. */
const juce::PopupMenu::Item* findMenuItem (const juce::PopupMenu& menu, const juce::String& text)
{
    for (juce::PopupMenu::MenuItemIterator it (menu, true); it.next();)
        if (it.getItem().text == text)
            return &it.getItem();
    return nullptr;
}

int itemId (const juce::PopupMenu& menu, const juce::String& text)
{
    const auto* item = findMenuItem (menu, text);
    return item != nullptr ? item->itemID : 0;
}

const juce::PopupMenu* subMenu (const juce::PopupMenu& menu, const juce::String& text)
{
    for (juce::PopupMenu::MenuItemIterator it (menu, false); it.next();)
        if (it.getItem().text == text)
            return it.getItem().subMenu.get();
    return nullptr;
}

const model::Instrument& instrumentNamed (const model::Session& s, const std::string& name)
{
    for (const auto& inst : s.instruments)
        if (inst.name == name)
            return inst;
    FAIL ("no instrument " << name);
    return *s.instruments.begin();
}

template <typename ActionType>
ActionType onlyAction (gui::GuiContext& context)
{
    const auto actions = context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    REQUIRE (std::holds_alternative<ActionType> (actions[0]));
    return std::get<ActionType> (actions[0]);
}

void waitForWindowFocus (test::UiDriver& ui)
{
    for (int waited = 0; ! ui.peer().isFocused() && waited < 2000; waited += 20)
        test::pumpMessages (20);
}

model::ParamAddress levelOf (model::InstrumentId id)
{
    return model::ParamAddress::instrument (id, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level);
}
} // namespace

TEST_CASE ("Map to Macro: a knob's menu maps its parameter to a macro, moves it, shows taken slots and unmaps it", "[gui][macros]")
{
    test::GuiFixture f;
    const auto& s = f.host.getSession();
    const auto& lead = instrumentNamed (s, "Saw lead");
    const auto address = model::ParamAddress::stage (model::NodeKind::instrument, lead.id.value, lead.chain[0].id, 0);
    const auto& cutoff = lead.chain[0].params[0];
    gui::ParamKnob knob (f.context, address, cutoff);
    test::UiDriver ui (knob, gui::ParamKnob::preferredWidth, gui::ParamKnob::preferredHeight);
    f.context.takeRecordedActions();

    // The right-click opens the menu and changes nothing.
    ui.rightClick (knob.getSlider());
    CHECK (f.context.takeRecordedActions().empty());
    juce::PopupMenu::dismissAllActiveMenus();
    test::pumpMessages (20);

    auto menu = knob.getContextMenu();
    const auto* macros = subMenu (menu, "Map to Macro");
    REQUIRE (macros != nullptr);
    CHECK (macros->getNumItems() == model::numMacros);
    CHECK (findMenuItem (menu, "Automate Cutoff") != nullptr);
    CHECK (findMenuItem (menu, "Unmap from Macro 3") == nullptr);
    for (int k = 1; k <= model::numMacros; ++k)
    {
        const auto* item = findMenuItem (*macros, "Macro " + juce::String (k));
        REQUIRE (item != nullptr);
        CHECK_FALSE (item->isTicked);
    }

    // Macro 3: the whole range of the cutoff.
    knob.contextMenuItemChosen (itemId (menu, "Macro 3"));
    const auto mapped = onlyAction<model::action::SetMacro> (f.context);
    CHECK (mapped == model::action::SetMacro { 2, model::Macro { true, address, cutoff.minValue, cutoff.maxValue } });
    CHECK (s.macros[2] == mapped.macro);

    // Now Macro 3 is ticked and names it, and it can be unmapped.
    menu = knob.getContextMenu();
    const auto* ticked = findMenuItem (menu, "Macro 3: Saw lead: Cutoff");
    REQUIRE (ticked != nullptr);
    CHECK (ticked->isTicked);
    CHECK (findMenuItem (menu, "Unmap from Macro 3") != nullptr);

    // Choosing its own slot again changes nothing; another slot moves it with its span.
    knob.contextMenuItemChosen (itemId (menu, "Macro 3: Saw lead: Cutoff"));
    CHECK (f.context.takeRecordedActions().empty());
    REQUIRE (f.context.perform (model::action::SetMacro { 2, model::Macro { true, address, 200.0f, 2000.0f } }).ok());
    f.context.takeRecordedActions();
    knob.contextMenuItemChosen (itemId (knob.getContextMenu(), "Macro 16"));
    CHECK (onlyAction<model::action::SetMacro> (f.context) == model::action::SetMacro { 15, model::Macro { true, address, 200.0f, 2000.0f } });
    CHECK_FALSE (s.macros[2].assigned);
    CHECK (model::findMacro (s, address) == 15);

    // A slot another parameter drives shows it, unticked, in this knob's menu.
    REQUIRE (f.context.perform (model::action::SetMacro { 0, model::Macro { true, levelOf (lead.id), 0.0f, 1.0f } }).ok());
    menu = knob.getContextMenu();
    const auto* taken = findMenuItem (menu, "Macro 1: Saw lead: Level");
    REQUIRE (taken != nullptr);
    CHECK_FALSE (taken->isTicked);

    // Unmap.
    f.context.takeRecordedActions();
    knob.contextMenuItemChosen (itemId (menu, "Unmap from Macro 16"));
    CHECK (onlyAction<model::action::SetMacro> (f.context) == model::action::SetMacro { 15, model::Macro {} });
    CHECK (model::findMacro (s, address) == -1);
    CHECK (findMenuItem (knob.getContextMenu(), "Unmap from Macro 16") == nullptr);
}

TEST_CASE ("Map to Macro: a mixer fader maps its level, the tempo, which is no parameter, has no macro menu", "[gui][macros]")
{
    test::GuiFixture f;
    gui::MixerView mixer (f.context);
    test::UiDriver ui (mixer, 1280, 600);
    const auto& s = f.host.getSession();
    const auto& bass = instrumentNamed (s, "Square bass");
    auto* strip = mixer.findStrip (model::NodeKind::instrument, bass.id.value);
    REQUIRE (strip != nullptr);
    f.context.takeRecordedActions();

    strip->faderMenuItemChosen (itemId (strip->getFaderMenu(), "Macro 7"));
    CHECK (onlyAction<model::action::SetMacro> (f.context) == model::action::SetMacro { 6, model::Macro { true, levelOf (bass.id), 0.0f, 2.0f } });
    CHECK (findMenuItem (strip->getFaderMenu(), "Macro 7: Square bass: Level")->isTicked);

    gui::TransportBar bar (f.context);
    CHECK (subMenu (bar.getTempoMenu(), "Map to Macro") == nullptr);
    CHECK (findMenuItem (bar.getTempoMenu(), "Automate Tempo") != nullptr);
}

TEST_CASE ("MacroPanel: shows the session's macros, and a typed span or Clear emits SetMacro, only the changed row repaints", "[gui][macros]")
{
    test::GuiFixture f;
    const auto& s = f.host.getSession();
    const auto& lead = instrumentNamed (s, "Saw lead");
    const auto& bass = instrumentNamed (s, "Square bass");
    const auto cutoff = model::ParamAddress::stage (model::NodeKind::instrument, lead.id.value, lead.chain[0].id, 0);
    REQUIRE (f.context.perform (model::action::SetMacro { 0, model::Macro { true, cutoff, 8000.0f, 200.0f } }).ok());
    REQUIRE (f.context.perform (model::action::SetMacro { 4, model::Macro { true, levelOf (bass.id), 0.0f, 1.0f } }).ok());

    gui::MacroPanel panel (f.context);
    test::UiDriver ui (panel, gui::MacroPanel::preferredWidth, gui::MacroPanel::preferredHeight);
    waitForWindowFocus (ui);
    f.context.takeRecordedActions();

    // What the rows show: the parameter and its span in its unit; unmapped rows show neither.
    auto& first = panel.getRow (0);
    CHECK (first.getShown().assigned);
    CHECK (first.getShown().parameter == "Saw lead: Cutoff");
    CHECK (first.getShown().description == juce::String (model::describe (s, cutoff)));
    CHECK (first.getFromBox().getText() == "8.00 kHz");
    CHECK (first.getToBox().getText() == "200 Hz");
    CHECK (first.getFromBox().isVisible());
    auto& fifth = panel.getRow (4);
    CHECK (fifth.getShown().parameter == "Square bass: Level");
    CHECK (fifth.getToBox().getText() == "0.0 dB");
    CHECK_FALSE (panel.getRow (1).getShown().assigned);
    CHECK_FALSE (panel.getRow (1).getFromBox().isVisible());
    CHECK_FALSE (panel.getRow (1).getClearButton().isVisible());
    CHECK (test::findComponent<juce::TextEditor> (panel, "From") != nullptr);

    // Typing a To of 2 kHz into row 1: one SetMacro with the span changed, in Hz.
    ui.click (first.getToBox());
    ui.typeReplacing ("2k");
    CHECK (onlyAction<model::action::SetMacro> (f.context) == model::action::SetMacro { 0, model::Macro { true, cutoff, 8000.0f, 2000.0f } });
    CHECK (s.macros[0].to == 2000.0f);
    test::pumpMessages (50);
    CHECK (first.getToBox().getText() == "2.00 kHz");

    // A level typed in dB: -6 dB is a gain of about 0.5.
    ui.click (fifth.getFromBox());
    ui.typeReplacing ("-6");
    const auto level = onlyAction<model::action::SetMacro> (f.context);
    CHECK (level.index == 4);
    CHECK (level.macro.from == Approx (0.501f).margin (0.001f));
    CHECK (level.macro.to == 1.0f);

    // Text that is no value, and a value outside the range, change nothing and put the box back.
    ui.click (first.getFromBox());
    ui.typeReplacing ("loud");
    CHECK (f.context.takeRecordedActions().empty());
    CHECK (first.getFromBox().getText() == "8.00 kHz");
    ui.click (first.getFromBox());
    ui.typeReplacing ("99k");
    CHECK (f.context.takeRecordedActions().size() == 1); // sent, and refused by the dispatcher
    CHECK (s.macros[0].from == 8000.0f);
    CHECK (first.getFromBox().getText() == "8.00 kHz");

    // Clear.
    ui.click (fifth.getClearButton());
    CHECK (onlyAction<model::action::SetMacro> (f.context) == model::action::SetMacro { 4, model::Macro {} });
    CHECK_FALSE (fifth.getShown().assigned);
    CHECK_FALSE (fifth.getClearButton().isVisible());

    // A change from elsewhere (another view, a seat, undo) shows in its row.
    REQUIRE (f.context.perform (model::action::SetMacro { 9, model::Macro { true, levelOf (lead.id), 0.25f, 0.5f } }).ok());
    CHECK (panel.getRow (9).getShown().parameter == "Saw lead: Level");
    REQUIRE (f.context.perform (model::action::SetMacro { 11, model::Macro { true, levelOf (bass.id), 2.0f, 0.0f } }).ok()); // inverted
    juce::Component::unfocusAllComponents(); // no box shows its typing state in the picture
    test::pumpMessages (50);
    const auto file = test::saveScreenshot (panel, "macro-panel");
    CHECK (file.existsAsFile());
    CHECK (test::countColours (test::snapshot (panel)) > 8);
    REQUIRE (f.context.perform (model::action::Undo {}).ok());
    REQUIRE (f.context.perform (model::action::AddNote { lead.id, { {}, 0, 240, 70, 100, 1.0f } }).ok());
    // Renaming the instrument renames its rows.
    REQUIRE (f.context.perform (model::action::RenameInstrument { lead.id, "Lead" }).ok());
    CHECK (panel.getRow (0).getShown().parameter == "Lead: Cutoff");
    CHECK (panel.getRow (9).getShown().parameter == "Lead: Level");

    // Undo brings the rows back with the session.
    REQUIRE (f.context.perform (model::action::Undo {}).ok()); // the rename
    REQUIRE (f.context.perform (model::action::Undo {}).ok()); // the note
    REQUIRE (f.context.perform (model::action::Undo {}).ok()); // Macro 10
    CHECK_FALSE (panel.getRow (9).getShown().assigned);
}

namespace
{
/** A window around a view with a strip of its own that the view does not cover: it is painted only when
    the whole window is (an X expose), which the repaint test must tell apart from the view's repaints. */
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
} // namespace

TEST_CASE ("MacroPanel: a macro's change repaints only its row, a change it does not show repaints none", "[gui][macros]")
{
    test::GuiFixture f;
    const auto& s = f.host.getSession();
    const auto lead = s.instruments.begin()->id;
    gui::MacroPanel panel (f.context);
    ExposeWatch watch (panel);
    test::UiDriver ui (watch, gui::MacroPanel::preferredWidth, gui::MacroPanel::preferredHeight + 2);
    // The window manager exposes a new window again a moment after it appears: wait for that first.
    for (int waited = 0; watch.exposures < 2 && waited < 3000; waited += 50)
        test::pumpMessages (50);
    test::pumpMessages (50);

    std::vector<int> before ((std::size_t) model::numMacros);
    // Runs a step and lets the window paint; false if an expose repainted the whole window meanwhile
    // (which says nothing about the panel), so the step is tried again.
    const auto quietly = [&] (const std::function<void (int)>& step)
    {
        for (int attempt = 0; attempt < 5; ++attempt)
        {
            for (int k = 0; k < model::numMacros; ++k)
                before[(std::size_t) k] = panel.getRow (k).paintCount;
            const auto exposures = watch.exposures;
            step (attempt);
            test::pumpMessages (150);
            if (watch.exposures == exposures)
                return true;
        }
        return false;
    };
    for (int k = 0; k < model::numMacros; ++k)
        REQUIRE (panel.getRow (k).paintCount > 0);

    REQUIRE (quietly ([&] (int attempt)
                      { REQUIRE (f.context.perform (model::action::SetMacro { 9, model::Macro { true, levelOf (lead), 0.25f, 0.5f + 0.1f * (float) attempt } }).ok()); }));
    for (int k = 0; k < model::numMacros; ++k)
    {
        INFO ("row " << k + 1);
        if (k == 9)
            CHECK (panel.getRow (k).paintCount > before[(std::size_t) k]);
        else
            CHECK (panel.getRow (k).paintCount == before[(std::size_t) k]);
    }

    // Notes and parameter values show nowhere in the panel: no row repaints.
    REQUIRE (quietly ([&] (int attempt)
                      {
        REQUIRE (f.context.perform (model::action::AddNote { lead, { {}, 0, 240, (std::uint8_t) (70 + attempt), 100, 1.0f } }).ok());
        REQUIRE (f.context.perform (model::action::SetParam { levelOf (lead), 0.3f + 0.01f * (float) attempt }).ok()); }));
    for (int k = 0; k < model::numMacros; ++k)
        CHECK (panel.getRow (k).paintCount == before[(std::size_t) k]);
    CHECK (s.macros[9].assigned);
}

TEST_CASE ("MacroPanel in a seat without the session privilege is read-only", "[gui][macros]")
{
    test::GuiFixture f;
    const auto& s = f.host.getSession();
    REQUIRE (f.host.apply (model::action::SetMacro { 0, model::Macro { true, levelOf (s.instruments.begin()->id), 0.0f, 1.0f } }).ok());
    test::SeatView seat (f.host, 2);
    gui::GuiContext context (seat);
    gui::MacroPanel panel (context);
    CHECK (panel.getRow (0).getShown().assigned);
    CHECK_FALSE (panel.getRow (0).getShown().editable);
    CHECK (panel.getRow (0).getFromBox().isReadOnly());
    CHECK_FALSE (panel.getRow (0).getClearButton().isEnabled());

    // Given the privilege, it may edit.
    protocol::Ownership o;
    o.privilegedClient = 2;
    seat.setOwnership (o);
    CHECK (panel.getRow (0).getShown().editable);
    CHECK_FALSE (panel.getRow (0).getFromBox().isReadOnly());
}

TEST_CASE ("Rack: the MIDI Channel menu sets an instrument's channel and the row shows it", "[gui][macros][rack]")
{
    test::GuiFixture f;
    gui::InstrumentRack rack (f.context);
    test::UiDriver ui (rack, 320, 600);
    const auto& s = f.host.getSession();
    const auto id = s.instruments.begin()->id;
    f.context.takeRecordedActions();

    auto menu = rack.getRowMenu (id);
    const auto* channels = subMenu (menu, "MIDI Channel");
    REQUIRE (channels != nullptr);
    CHECK (channels->getNumItems() == 17);
    const auto* none = findMenuItem (*channels, "None (follows selection)");
    REQUIRE (none != nullptr);
    CHECK (none->isTicked);

    auto* row = rack.getRow (id);
    REQUIRE (row != nullptr);
    const auto painted = row->paintCount;
    rack.rowMenuItemChosen (id, itemId (*channels, "3"));
    CHECK (onlyAction<model::action::SetMidiChannel> (f.context) == model::action::SetMidiChannel { id, 3 });
    CHECK (s.instruments.find (id)->midiChannel == 3);
    CHECK (row->getShown().midiChannel == 3);
    for (int waited = 0; row->paintCount == painted && waited < 2000; waited += 20)
        test::pumpMessages (20);
    CHECK (row->paintCount > painted);

    menu = rack.getRowMenu (id);
    CHECK (findMenuItem (*subMenu (menu, "MIDI Channel"), "3")->isTicked);
    CHECK_FALSE (findMenuItem (*subMenu (menu, "MIDI Channel"), "None (follows selection)")->isTicked);
    // The same channel again emits nothing.
    rack.rowMenuItemChosen (id, itemId (*subMenu (menu, "MIDI Channel"), "3"));
    CHECK (f.context.takeRecordedActions().empty());

    test::saveScreenshot (rack, "rack-midi-channel");
    rack.rowMenuItemChosen (id, itemId (*subMenu (menu, "MIDI Channel"), "None (follows selection)"));
    CHECK (onlyAction<model::action::SetMidiChannel> (f.context) == model::action::SetMidiChannel { id, 0 });
    CHECK (row->getShown().midiChannel == 0);
}

TEST_CASE ("Rack: the MIDI Output menu sends an instrument's notes out on a channel and the row shows it", "[gui][midiout][rack]")
{
    test::GuiFixture f;
    gui::InstrumentRack rack (f.context);
    test::UiDriver ui (rack, 320, 600);
    const auto& s = f.host.getSession();
    const auto id = s.instruments.begin()->id;
    f.context.takeRecordedActions();

    auto menu = rack.getRowMenu (id);
    const auto* outputs = subMenu (menu, "MIDI Output");
    REQUIRE (outputs != nullptr);
    CHECK (outputs->getNumItems() == 17);
    REQUIRE (findMenuItem (*outputs, "None") != nullptr);
    CHECK (findMenuItem (*outputs, "None")->isTicked);

    auto* row = rack.getRow (id);
    REQUIRE (row != nullptr);
    const auto painted = row->paintCount;
    rack.rowMenuItemChosen (id, itemId (*outputs, "Channel 10"));
    CHECK (onlyAction<model::action::SetMidiOutput> (f.context) == model::action::SetMidiOutput { id, 10 });
    CHECK (s.instruments.find (id)->midiOutputChannel == 10);
    CHECK (row->getShown().midiOutputChannel == 10);
    for (int waited = 0; row->paintCount == painted && waited < 2000; waited += 20)
        test::pumpMessages (20);
    CHECK (row->paintCount > painted);

    menu = rack.getRowMenu (id);
    CHECK (findMenuItem (*subMenu (menu, "MIDI Output"), "Channel 10")->isTicked);
    rack.rowMenuItemChosen (id, itemId (*subMenu (menu, "MIDI Output"), "Channel 10"));
    CHECK (f.context.takeRecordedActions().empty()); // the same channel again emits nothing
    test::saveScreenshot (rack, "rack-midi-output");

    // The mark is drawn: the row's pixels change when the output is set back to none.
    const auto withMark = row->createComponentSnapshot (row->getLocalBounds());
    rack.rowMenuItemChosen (id, itemId (*subMenu (menu, "MIDI Output"), "None"));
    CHECK (onlyAction<model::action::SetMidiOutput> (f.context) == model::action::SetMidiOutput { id, 0 });
    CHECK (row->getShown().midiOutputChannel == 0);
    const auto withoutMark = row->createComponentSnapshot (row->getLocalBounds());
    int differing = 0;
    for (int y = 0; y < withMark.getHeight(); ++y)
        for (int x = 0; x < withMark.getWidth(); ++x)
            differing += withMark.getPixelAt (x, y) != withoutMark.getPixelAt (x, y) ? 1 : 0;
    CHECK (differing > 20);
}
