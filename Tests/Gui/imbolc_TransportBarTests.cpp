// The transport bar driven through the window peer: its buttons, typed and dragged tempo, typed loop
// points and swing, the position read from the engine's play head, and the load figures.

#include "imbolc_GuiTestSupport.h"

using namespace imbolc;

namespace
{

/** Lets the engine report its play head (the audio thread does so every 1600 samples) and reads the meters. */
void processAndMeter (test::GuiFixture& f, gui::GuiContext& context)
{
    juce::AudioBuffer<float> buffer (2, 512);
    for (int block = 0; block < 4; ++block)
        f.host.getEngine().process (buffer.getArrayOfWritePointers(), 2, 512);
    f.host.getEngine().update();
    context.meters.updateNow();
}

/** Waits until the window manager has given the test window the keyboard focus (a text editor can only
    take it then), up to two seconds. */
void waitForWindowFocus (test::UiDriver& ui)
{
    for (int waited = 0; ! ui.peer().isFocused() && waited < 2000; waited += 20)
        test::pumpMessages (20);
}

juce::String textOf (juce::Component& root, const juce::String& id)
{
    if (auto* label = test::findComponent<juce::Label> (root, id))
        return label->getText();
    if (auto* field = test::findComponent<gui::DragValueField> (root, id))
        return field->getText();
    FAIL ("no label or field " << id);
    return {};
}
} // namespace

TEST_CASE ("Transport bar: play, stop, loop and locate clicks emit their actions and show the session", "[gui][transport]")
{
    test::GuiFixture f;
    gui::TransportBar bar (f.context);
    test::UiDriver ui (bar, 1280, 56);

    auto* play = test::findComponent<juce::Button> (bar, "Play");
    auto* stop = test::findComponent<juce::Button> (bar, "Stop");
    auto* loop = test::findComponent<juce::Button> (bar, "Loop");
    auto* locate = test::findComponent<juce::Button> (bar, "LocateStart");
    REQUIRE (play != nullptr);
    REQUIRE (stop != nullptr);
    REQUIRE (loop != nullptr);
    REQUIRE (locate != nullptr);
    CHECK_FALSE (play->getToggleState());

    ui.click (*play);
    CHECK (f.takeActionNames() == std::vector<std::string> { "Play" });
    CHECK (f.host.getSession().transport.playing);
    CHECK (play->getToggleState());

    ui.click (*stop);
    CHECK (f.takeActionNames() == std::vector<std::string> { "Stop" });
    CHECK_FALSE (f.host.getSession().transport.playing);
    CHECK_FALSE (play->getToggleState());

    // The demo session loops; the loop button flips only the enabled flag.
    const auto before = f.host.getSession().settings.loop;
    REQUIRE (before.enabled);
    CHECK (loop->getToggleState());
    ui.click (*loop);
    auto actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    auto expected = before;
    expected.enabled = false;
    CHECK (std::get<model::action::SetLoop> (actions[0]).loop == expected);
    CHECK (f.host.getSession().settings.loop == expected);
    CHECK_FALSE (loop->getToggleState());
    ui.click (*loop);
    CHECK (f.host.getSession().settings.loop == before);
    CHECK (loop->getToggleState());
    f.context.takeRecordedActions();

    REQUIRE (f.context.perform (model::action::Locate { 3 * model::ticksPerBeat }).ok());
    f.context.takeRecordedActions();
    ui.click (*locate);
    actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::Locate> (actions[0]).tick == 0);
    CHECK (f.host.getSession().transport.position == 0);
}

TEST_CASE ("Transport bar: a typed tempo is set, one out of range is refused with the dispatcher's sentence", "[gui][transport]")
{
    test::GuiFixture f;
    juce::StringArray messages;
    f.context.onMessage = [&messages] (const juce::String& m) { messages.add (m); };
    gui::TransportBar bar (f.context);
    test::UiDriver ui (bar, 1280, 56);

    auto* bpm = test::findComponent<gui::DragValueField> (bar, "Bpm");
    REQUIRE (bpm != nullptr);
    CHECK (bpm->getText() == "112");
    waitForWindowFocus (ui);

    ui.click (*bpm);
    REQUIRE (bpm->isEditing());
    ui.typeReplacing ("140");
    auto actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetBpm> (actions[0]).bpm == 140.0);
    CHECK (f.host.getSession().settings.bpm == 140.0);
    CHECK_FALSE (bpm->isEditing());
    CHECK (bpm->getText() == "140");
    CHECK (messages.isEmpty());

    // Out of range: the value reaches the dispatcher as typed (the field does not clamp it), the refusal
    // is shown, and the field goes back to the session's tempo.
    ui.click (*bpm);
    ui.typeReplacing ("5000");
    actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetBpm> (actions[0]).bpm == 5000.0);
    CHECK (f.host.getSession().settings.bpm == 140.0);
    REQUIRE (messages.size() == 1);
    CHECK (messages[0] == juce::String (model::checks::bpm (5000.0)));
    CHECK (messages[0].isNotEmpty());
    CHECK (bpm->getText() == "140");

    // Text that is no number is not sent; the person is told what to type.
    ui.click (*bpm);
    ui.typeReplacing ("fast");
    CHECK (f.context.takeRecordedActions().empty());
    CHECK (messages.size() == 2);
    CHECK (messages[1].contains ("fast"));
    CHECK (bpm->getText() == "140");

    // Escape leaves it as it was.
    ui.click (*bpm);
    ui.type ("99");
    ui.pressKey (juce::KeyPress (juce::KeyPress::escapeKey));
    CHECK (f.context.takeRecordedActions().empty());
    CHECK (bpm->getText() == "140");
}

TEST_CASE ("Transport bar: dragging the tempo up raises it in whole steps, inside the range", "[gui][transport]")
{
    test::GuiFixture f;
    gui::TransportBar bar (f.context);
    test::UiDriver ui (bar, 1280, 56);
    auto* bpm = test::findComponent<gui::DragValueField> (bar, "Bpm");
    REQUIRE (bpm != nullptr);

    const auto centre = bpm->getLocalBounds().getCentre();
    ui.drag (*bpm, centre, centre.translated (0, -40), 10);
    const auto names = f.takeActionNames();
    REQUIRE_FALSE (names.empty());
    CHECK (std::all_of (names.begin(), names.end(), [] (const auto& n) { return n == "SetBpm"; }));
    // 0.5 per pixel: 40 pixels up is 20 more.
    CHECK (f.host.getSession().settings.bpm == Approx (132.0));
    CHECK (bpm->getText() == "132");
    CHECK_FALSE (bpm->isEditing()); // a drag is not a click: no text editor

    // Far down: it stops at 20, it does not ask for less.
    ui.drag (*bpm, centre, centre.translated (0, 400), 10);
    CHECK (f.host.getSession().settings.bpm == 20.0);
    CHECK (bpm->getText() == "20");
    for (const auto& a : f.context.takeRecordedActions())
        CHECK (std::get<model::action::SetBpm> (a).bpm >= 20.0);
}

TEST_CASE ("Transport bar: the position shows the engine's play head as bars:beats:ticks and as time", "[gui][transport]")
{
    CHECK (gui::TransportBar::formatPosition (0, 4) == "1:1:0");
    CHECK (gui::TransportBar::formatPosition ((2 * 4 + 1) * model::ticksPerBeat + 120, 4) == "3:2:120");
    CHECK (gui::TransportBar::formatPosition (7 * model::ticksPerBeat, 3) == "3:2:0");
    CHECK (gui::TransportBar::formatTime (0, 120.0) == "0:00.000");
    CHECK (gui::TransportBar::formatTime (150 * model::ticksPerBeat + model::ticksPerBeat / 4, 120.0) == "1:15.125");

    test::GuiFixture f;
    gui::TransportBar bar (f.context);
    test::UiDriver ui (bar, 1280, 56);

    const model::Tick tick = (2 * 4 + 1) * model::ticksPerBeat + 120; // bar 3, beat 2, tick 120 in 4/4
    REQUIRE (f.context.perform (model::action::Locate { tick }).ok());
    processAndMeter (f, f.context);
    CHECK (textOf (bar, "Position") == "3:2:120");
    // 9.25 beats at the demo's 112 bpm: 4.955 s.
    CHECK (textOf (bar, "Time") == "0:04.955");

    // A tempo change re-reads the same play head as another time, without a meter frame.
    REQUIRE (f.context.perform (model::action::SetBpm { 60.0 }).ok());
    CHECK (textOf (bar, "Time") == "0:09.250");
    // A 3/4 bar makes the same tick another bar.
    REQUIRE (f.context.perform (model::action::SetTimeSignature { 3, 4 }).ok());
    CHECK (textOf (bar, "Position") == "4:1:120");

    auto* locate = test::findComponent<juce::Button> (bar, "LocateStart");
    REQUIRE (locate != nullptr);
    ui.click (*locate);
    processAndMeter (f, f.context);
    CHECK (textOf (bar, "Position") == "1:1:0");
    CHECK (textOf (bar, "Time") == "0:00.000");
}

TEST_CASE ("Transport bar: loop points are typed as bars, swing as a percentage, signature and key chosen", "[gui][transport]")
{
    test::GuiFixture f;
    juce::StringArray messages;
    f.context.onMessage = [&messages] (const juce::String& m) { messages.add (m); };
    gui::TransportBar bar (f.context);
    test::UiDriver ui (bar, 1280, 56);

    auto* loopStart = test::findComponent<gui::DragValueField> (bar, "LoopStart");
    auto* loopEnd = test::findComponent<gui::DragValueField> (bar, "LoopEnd");
    auto* swing = test::findComponent<gui::DragValueField> (bar, "Swing");
    REQUIRE (loopStart != nullptr);
    REQUIRE (loopEnd != nullptr);
    REQUIRE (swing != nullptr);
    // The demo loops 16 beats: bars 1 to 5.
    CHECK (loopStart->getText() == "1");
    CHECK (loopEnd->getText() == "5");
    waitForWindowFocus (ui);
    const auto barTicks = 4 * model::ticksPerBeat;

    ui.click (*loopEnd);
    ui.typeReplacing ("9");
    auto actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetLoop> (actions[0]).loop.end == 8 * barTicks);
    CHECK (f.host.getSession().settings.loop.end == 8 * barTicks);
    CHECK (loopEnd->getText() == "9");

    ui.click (*loopStart);
    ui.typeReplacing ("2:3");
    CHECK (f.host.getSession().settings.loop.start == barTicks + 2 * model::ticksPerBeat);
    CHECK (loopStart->getText() == "2:3");

    // An end before the start is the dispatcher's to refuse; the field goes back.
    f.context.takeRecordedActions();
    ui.click (*loopEnd);
    ui.typeReplacing ("1");
    CHECK (f.context.takeRecordedActions().size() == 1);
    REQUIRE (messages.size() == 1);
    CHECK (messages[0] == juce::String (model::checks::loop ({ true, barTicks + 2 * model::ticksPerBeat, 0 })));
    CHECK (f.host.getSession().settings.loop.end == 8 * barTicks);
    CHECK (loopEnd->getText() == "9");

    CHECK (swing->getText() == "12 %");
    ui.click (*swing);
    ui.typeReplacing ("25");
    actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetSwing> (actions[0]).swing == Approx (0.25f));
    CHECK (f.host.getSession().settings.swing == Approx (0.25f));
    CHECK (swing->getText() == "25 %");

    // The combo boxes' pop-up menus are not clicked (they are asynchronous windows); choosing an item
    // is what the menu would do.
    auto* numerator = test::findComponent<juce::ComboBox> (bar, "TimeSigNumerator");
    auto* denominator = test::findComponent<juce::ComboBox> (bar, "TimeSigDenominator");
    auto* key = test::findComponent<juce::ComboBox> (bar, "Key");
    auto* scale = test::findComponent<juce::ComboBox> (bar, "Scale");
    REQUIRE (numerator != nullptr);
    REQUIRE (denominator != nullptr);
    REQUIRE (key != nullptr);
    REQUIRE (scale != nullptr);
    CHECK (numerator->getText() == "4");
    CHECK (key->getText() == "A");
    CHECK (scale->getText() == "minor");
    numerator->setSelectedId (7, juce::sendNotificationSync);
    denominator->setSelectedId (8, juce::sendNotificationSync);
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetTimeSignature", "SetTimeSignature" });
    CHECK (f.host.getSession().settings.timeSigNumerator == 7);
    CHECK (f.host.getSession().settings.timeSigDenominator == 8);
    // Bars are 7 beats now: the loop points read differently.
    CHECK (loopEnd->getText() == gui::TransportBar::formatBars (8 * barTicks, 7));
    CHECK (loopEnd->getText() == "5:5");
    key->setSelectedId (3, juce::sendNotificationSync);
    scale->setSelectedId ((int) model::Scale::dorian + 1, juce::sendNotificationSync);
    actions = f.context.takeRecordedActions();
    REQUIRE (actions.size() == 2);
    CHECK (std::get<model::action::SetKey> (actions[1]) == model::action::SetKey { 2, model::Scale::dorian });
    CHECK (f.host.getSession().settings.key == 2);
    CHECK (f.host.getSession().settings.scale == model::Scale::dorian);

    // An undo elsewhere shows here.
    REQUIRE (f.context.perform (model::action::Undo {}).ok());
    CHECK (scale->getText() == "minor");
}

TEST_CASE ("Transport bar: audio load shows with local audio only, scsynth's state when it has one", "[gui][transport]")
{
    test::GuiFixture f;
    test::SeatView session (f.host);
    session.ownership = f.host.getOwnership();
    gui::GuiContext context (session);
    gui::TransportBar bar (context);
    test::UiDriver ui (bar, 1280, 56);

    auto* audio = test::findComponent<juce::Label> (bar, "AudioLoad");
    auto* server = test::findComponent<juce::Label> (bar, "ServerLoad");
    REQUIRE (audio != nullptr);
    REQUIRE (server != nullptr);
    context.meters.updateNow();
    CHECK_FALSE (audio->isVisible());
    CHECK_FALSE (server->isVisible());

    context.meters.audioLoad = [] { return gui::MeterHub::AudioLoad { 0.253f, 0 }; };
    context.meters.updateNow();
    CHECK (audio->isVisible());
    CHECK (audio->getText() == "CPU 25.3 %");
    CHECK (audio->findColour (juce::Label::textColourId) == gui::LookAndFeel::Palette::textDim);
    context.meters.audioLoad = [] { return gui::MeterHub::AudioLoad { 0.5f, 3 }; };
    context.meters.updateNow();
    CHECK (audio->getText() == "CPU 50.0 %, 3 dropped");
    CHECK (audio->findColour (juce::Label::textColourId) == gui::LookAndFeel::Palette::warning);

    session.server.state = protocol::ServerMeter::State::running;
    session.server.averageCpu = 4.1f;
    session.server.synths = 12;
    context.meters.updateNow();
    CHECK (server->isVisible());
    CHECK (server->getText() == "scsynth: 4.1 % / 12 synths");
    CHECK (server->findColour (juce::Label::textColourId) != gui::LookAndFeel::Palette::warning);
    session.server.state = protocol::ServerMeter::State::lost;
    context.meters.updateNow();
    CHECK (server->getText() == "scsynth lost");
    CHECK (server->findColour (juce::Label::textColourId) == gui::LookAndFeel::Palette::warning);
}

TEST_CASE ("Transport bar screenshot with the demo session", "[gui][transport][screenshot]")
{
    test::GuiFixture f;
    test::SeatView session (f.host);
    session.ownership = f.host.getOwnership();
    gui::GuiContext context (session);
    gui::LookAndFeel lookAndFeel;
    gui::TransportBar bar (context);
    bar.setLookAndFeel (&lookAndFeel);
    test::UiDriver ui (bar, 1280, 56);

    REQUIRE (context.perform (model::action::Locate { (2 * 4 + 1) * model::ticksPerBeat + 120 }).ok());
    REQUIRE (context.perform (model::action::Play {}).ok());
    context.meters.audioLoad = [] { return gui::MeterHub::AudioLoad { 0.123f, 0 }; };
    session.server.state = protocol::ServerMeter::State::running;
    session.server.averageCpu = 4.1f;
    session.server.synths = 12;
    processAndMeter (f, context);
    test::pumpMessages (30);

    const auto file = test::saveScreenshot (bar, "transport-bar");
    CHECK (file.existsAsFile());
    CHECK (test::countColours (test::snapshot (bar)) > 10);
    bar.setLookAndFeel (nullptr);
}

TEST_CASE ("Transport bar: the Link button asks the app to turn Link on and off and shows its peers, a joined seat's is disabled", "[gui][transport][link]")
{
    test::GuiFixture f;
    // What the app wires (Source/App: an app::LinkSession beside the hosted session). The views see only
    // these two functions, so this stands in for the app side; the Link tests drive real Link peers.
    app::LinkSession::Status status;
    std::vector<bool> asked;
    f.context.linkStatus = [&]
    { return status; };
    f.context.setLinkEnabled = [&] (bool on)
    {
        asked.push_back (on);
        status.enabled = on;
    };
    gui::TransportBar bar (f.context);
    test::UiDriver ui (bar, 1280, 56);

    auto* link = test::findComponent<juce::Button> (bar, "Link");
    REQUIRE (link != nullptr);
    f.context.meters.updateNow();
    CHECK (link->isEnabled());
    CHECK_FALSE (link->getToggleState());
    CHECK (link->getButtonText() == "Link");

    ui.click (*link);
    CHECK (asked == std::vector<bool> { true });
    CHECK (link->getToggleState());
    CHECK (link->getButtonText() == "Link 0");
    CHECK (f.takeActionNames().empty()); // an app-level command: no edit of the session

    status.peers = 2; // two other Link apps joined
    f.context.meters.updateNow();
    CHECK (link->getButtonText() == "Link 2");
    CHECK (link->getTooltip().contains ("2 peers"));

    ui.click (*link);
    CHECK (asked == std::vector<bool> { true, false });
    CHECK_FALSE (link->getToggleState());
    CHECK (link->getButtonText() == "Link");

    // A joined seat (or anything that does not host the session here) has no Link: disabled, and says why.
    test::GuiFixture seatLike;
    gui::TransportBar seatBar (seatLike.context);
    test::UiDriver seatUi (seatBar, 1280, 56);
    auto* seatLink = test::findComponent<juce::Button> (seatBar, "Link");
    REQUIRE (seatLink != nullptr);
    seatLike.context.meters.updateNow();
    CHECK_FALSE (seatLink->isEnabled());
    CHECK (seatLink->getTooltip().contains ("joined seat follows the host's tempo"));
    seatUi.click (*seatLink);
    CHECK (seatLike.takeActionNames().empty());
}
