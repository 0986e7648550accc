// Recording and MIDI learn in the views: the rack's record arm button, the transport bar's Record
// button and record options, a knob's "MIDI Learn" and "Forget MIDI Mapping", and the MIDI mappings
// panel. Clicks go through the window peer; the learned controller is real MIDI played through the
// host's engine (ProcessInput::midi, what a MIDI device or a plugin host feeds it).

#include "imbolc_GuiTestSupport.h"

using namespace imbolc;

namespace
{
int itemId (const juce::PopupMenu& menu, const juce::String& text)
{
    for (juce::PopupMenu::MenuItemIterator it (menu, true); it.next();)
        if (it.getItem().text == text)
            return it.getItem().itemID;
    return 0;
}

const model::Instrument& instrumentNamed (const model::Session& s, const std::string& name)
{
    for (const auto& inst : s.instruments)
        if (inst.name == name)
            return inst;
    FAIL ("no instrument " << name);
    return *s.instruments.begin();
}

/** One block through the host's engine with `midi`, then the host's timer tick. */
void playMidi (test::GuiFixture& f, const juce::MidiBuffer& midi)
{
    juce::AudioBuffer<float> buffer (2, 512);
    engine::ProcessInput input;
    input.midi = &midi;
    f.host.getEngine().process (buffer.getArrayOfWritePointers(), 2, 512, input);
    f.host.tick();
}
} // namespace

TEST_CASE ("Rack: the record arm button arms and disarms its instrument and shows it", "[gui][rack][record]")
{
    test::GuiFixture f;
    gui::InstrumentRack rack (f.context);
    test::UiDriver ui (rack, 260, 700);
    const auto id = f.host.getSession().instruments.begin()->id;
    auto* row = rack.getRow (id);
    REQUIRE (row != nullptr);
    auto* arm = test::findComponent<juce::Button> (*row, "RecordArm");
    REQUIRE (arm != nullptr);
    CHECK_FALSE (arm->getToggleState());
    ui.click (*arm);
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetRecordArm" });
    CHECK (f.host.getSession().instruments.find (id)->recordArmed);
    CHECK (arm->getToggleState());
    ui.click (*arm);
    CHECK_FALSE (f.host.getSession().instruments.find (id)->recordArmed);
    CHECK_FALSE (arm->getToggleState());
}

TEST_CASE ("Transport bar: Record, the count-in and the loop record mode emit their actions and show the session", "[gui][transport][record]")
{
    test::GuiFixture f;
    gui::TransportBar bar (f.context);
    test::UiDriver ui (bar, 1500, 56);
    auto* record = test::findComponent<juce::Button> (bar, "Record");
    auto* countIn = test::findComponent<juce::ComboBox> (bar, "CountIn");
    auto* mode = test::findComponent<juce::ComboBox> (bar, "RecordMode");
    REQUIRE (record != nullptr);
    REQUIRE (countIn != nullptr);
    REQUIRE (mode != nullptr);
    CHECK (countIn->getText() == "No count-in");
    CHECK (mode->getText() == "Overdub");

    ui.click (*record);
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetRecording" });
    CHECK (f.host.getSession().transport.recording);
    CHECK (record->getToggleState());

    countIn->setSelectedId (3, juce::sendNotificationSync); // "2 bars", as a person's choice in the box sends it
    auto actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetRecordOptions> (actions[0]) == model::action::SetRecordOptions { model::RecordMode::overdub, 2 });
    mode->setSelectedId (2, juce::sendNotificationSync);
    actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetRecordOptions> (actions[0]) == model::action::SetRecordOptions { model::RecordMode::replace, 2 });
    CHECK (f.host.getSession().settings.recordMode == model::RecordMode::replace);

    // Undone elsewhere: the boxes follow the session.
    REQUIRE (f.context.perform (model::action::Undo {}).ok());
    CHECK (mode->getText() == "Overdub");
    CHECK (countIn->getText() == "2 bars");
}

TEST_CASE ("MIDI Learn on a knob: the next controller played maps it, Forget removes the mapping", "[gui][midilearn]")
{
    test::GuiFixture f;
    const auto& s = f.host.getSession();
    const auto& lead = instrumentNamed (s, "Saw lead");
    const auto address = model::ParamAddress::stage (model::NodeKind::instrument, lead.id.value, lead.chain[0].id, 0);
    const auto cutoff = lead.chain[0].params[0];
    gui::ParamKnob knob (f.context, address, cutoff);
    test::UiDriver ui (knob, gui::ParamKnob::preferredWidth, gui::ParamKnob::preferredHeight);
    juce::String message;
    f.context.onMessage = [&message] (const juce::String& m) { message = m; };

    auto menu = knob.getContextMenu();
    REQUIRE (itemId (menu, "MIDI Learn") != 0);
    CHECK (itemId (menu, "Forget MIDI Mapping (CC 74, channel 3)") == 0);
    knob.contextMenuItemChosen (itemId (menu, "MIDI Learn"));
    CHECK (message == "Move a controller to map Saw lead: Cutoff.");
    CHECK (f.host.getMidiLearnTarget() == address);
    CHECK (f.context.takeRecordedActions().empty()); // nothing is mapped until a controller moves

    juce::MidiBuffer midi;
    midi.addEvent (juce::MidiMessage::controllerEvent (3, 74, 127), 40);
    playMidi (f, midi);
    const auto& mappings = s.settings.midiMappings;
    REQUIRE (mappings.size() == 1);
    CHECK (mappings[0].channel == 3);
    CHECK (mappings[0].controller == 74);
    CHECK (mappings[0].min == cutoff.minValue);
    CHECK (mappings[0].max == cutoff.maxValue);
    // Now the controller at the top of its travel takes the cutoff to the top of its range.
    playMidi (f, midi);
    CHECK (f.host.getEngine().getParameterValueWhileStopped (address) == Approx (cutoff.maxValue));

    menu = knob.getContextMenu();
    const auto forget = itemId (menu, "Forget MIDI Mapping (CC 74, channel 3)");
    REQUIRE (forget != 0);
    knob.contextMenuItemChosen (forget);
    auto actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::RemoveMidiMapping> (actions[0]).param == address);
    CHECK (mappings.empty());
}

TEST_CASE ("MIDI mappings panel: one row per mapping, channel, curve and range edits and Delete emit one action each", "[gui][midilearn]")
{
    test::GuiFixture f;
    const auto& s = f.host.getSession();
    const auto& lead = instrumentNamed (s, "Saw lead");
    const auto level = model::ParamAddress::instrument (lead.id, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level);
    const auto pan = model::ParamAddress::instrument (lead.id, model::ParamGroup::strip, (std::uint16_t) model::StripParam::pan);
    gui::MidiMappingPanel panel (f.context);
    test::UiDriver ui (panel, 720, 300);
    CHECK (panel.getNumRows() == 0);

    model::MidiMapping a;
    a.controller = 7;
    a.param = level;
    model::MidiMapping b;
    b.source = model::MidiSource::pitchBend;
    b.param = pan;
    b.min = -1.0f;
    REQUIRE (f.context.perform (model::action::AddMidiMapping { a }).ok());
    REQUIRE (f.context.perform (model::action::AddMidiMapping { b }).ok());
    f.context.takeRecordedActions();
    test::pumpMessages (30);
    REQUIRE (panel.getNumRows() == 2);
    CHECK (panel.getRow (0).getText() == "Saw lead: Level  (CC 7)");
    CHECK (panel.getRow (1).getText() == "Saw lead: Pan  (pitch bend)");

    // Channel 5, then the logarithmic curve: one ChangeMidiMapping each.
    panel.getRow (0).getChannelBox().setSelectedId (6, juce::sendNotificationSync);
    auto actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    auto changed = a;
    changed.channel = 5;
    CHECK (std::get<model::action::ChangeMidiMapping> (actions[0]).mapping == changed);
    test::pumpMessages (30);
    panel.getRow (0).getCurveBox().setSelectedId (3, juce::sendNotificationSync);
    actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    changed.curve = model::MidiCurve::logarithmic;
    CHECK (std::get<model::action::ChangeMidiMapping> (actions[0]).mapping == changed);
    CHECK (s.settings.midiMappings[0] == changed);

    // A max outside the level's range is refused: nothing changes and the box shows the session again.
    test::pumpMessages (30);
    auto& maxBox = panel.getRow (0).getMaxBox();
    maxBox.setText ("50");
    maxBox.onReturnKey();
    CHECK (s.settings.midiMappings[0].max == 1.0f);
    CHECK (maxBox.getText() == "1.000");
    f.context.takeRecordedActions();
    maxBox.setText ("0.5");
    maxBox.onReturnKey();
    CHECK (s.settings.midiMappings[0].max == 0.5f);
    CHECK (f.context.takeRecordedActions().size() == 1);

    // Delete the second.
    test::pumpMessages (30);
    ui.click (panel.getRow (1).getDeleteButton());
    actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::RemoveMidiMapping> (actions[0]).param == pan);
    test::pumpMessages (30);
    CHECK (panel.getNumRows() == 1);
}
