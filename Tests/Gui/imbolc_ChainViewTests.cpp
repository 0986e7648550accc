// The chain view on the demo session through real mouse and key events: knobs emit SetParam and show
// the session's value, typed values go through paramtext and the dispatcher, the stage buttons and the
// add menu edit the chain, a tweak updates one knob in place, a bus's chain shows its stages, and a
// real LV2 plugin stage (Debian's mda-lv2) opens its editor in a window of its own.

#include "imbolc_GuiTestSupport.h"

using namespace imbolc;

namespace
{
const model::Instrument& instrumentNamed (const model::Session& s, const std::string& name)
{
    for (const auto& inst : s.instruments)
        if (inst.name == name)
            return inst;
    FAIL ("the demo session has an instrument named " << name);
    return *s.instruments.begin();
}

model::BusId busNamed (const model::Session& s, const std::string& name)
{
    for (const auto& bus : s.mixer.buses)
        if (bus.name == name)
            return bus.id;
    FAIL ("the demo session has a bus named " << name);
    return {};
}

/** The id of a menu item by its text (the menu window itself is not clicked: menus are asynchronous). */
int menuItemId (const juce::PopupMenu& menu, const juce::String& text)
{
    for (juce::PopupMenu::MenuItemIterator it (menu, true); it.next();)
        if (it.getItem().text == text)
            return it.getItem().itemID;
    FAIL ("no menu item " << text);
    return 0;
}

/** A chain view on the demo session showing "Saw lead" (a low-pass filter and a delay), on the desktop. */
struct ChainRig
{
    ChainRig()
    {
        view.setLookAndFeel (&lookAndFeel); // what the window sets on its content
        f.context.onMessage = [this] (const juce::String& s)
        { messages.add (s); };
        f.context.selection.selectInstrument (instrumentNamed (f.host.getSession(), "Saw lead").id);
    }

    const model::Instrument& instrument() { return *f.host.getSession().instruments.find (id); }
    model::ParamAddress stageParam (std::size_t stage, std::uint16_t index)
    {
        return model::ParamAddress::stage (model::NodeKind::instrument, id.value, instrument().chain.at (stage).id, index);
    }
    float valueOf (const model::ParamAddress& a) { return model::findParam (f.host.getSession(), a)->value; }

    /** The knob of a parameter, scrolled into view (a person scrolls the chain to reach it). */
    gui::ParamKnob& knob (const model::ParamAddress& a)
    {
        auto* k = view.findKnob (a);
        REQUIRE (k != nullptr);
        reveal (*k);
        return *k;
    }

    void reveal (juce::Component& c)
    {
        auto* viewport = test::findComponent<juce::Viewport> (view, "chainViewport");
        REQUIRE (viewport != nullptr);
        const auto x = viewport->getViewedComponent()->getLocalPoint (&c, juce::Point<int>()).x;
        if (x < viewport->getViewPositionX() || x + c.getWidth() > viewport->getViewPositionX() + viewport->getViewWidth())
            viewport->setViewPosition (juce::jmax (0, x - 20), 0);
        test::pumpMessages (5);
    }

    juce::Component& panelOf (model::StageId stage)
    {
        auto* p = test::findComponent (view, "stage." + juce::String (stage.value));
        REQUIRE (p != nullptr);
        return *p;
    }

    template <typename T = juce::Button>
    T& childOf (juce::Component& parent, const juce::String& id)
    {
        auto* c = test::findComponent<T> (parent, id);
        REQUIRE (c != nullptr);
        return *c;
    }

    ~ChainRig() { view.setLookAndFeel (nullptr); }

    test::GuiFixture f;
    model::InstrumentId id = instrumentNamed (f.host.getSession(), "Saw lead").id;
    juce::StringArray messages;
    gui::LookAndFeel lookAndFeel;
    gui::ChainView view { f.context };
    test::UiDriver ui { view, 1020, 470 };
};
} // namespace

TEST_CASE ("chain view: dragging a knob emits SetParam on its address and updates only that knob", "[gui][chain]")
{
    ChainRig r;
    const auto cutoff = r.stageParam (0, 0);
    auto& knob = r.knob (cutoff);
    const auto before = r.valueOf (cutoff);
    const auto knobsBefore = r.view.getKnobs();
    REQUIRE (knobsBefore.size() >= 10); // source, filter, delay, amp and LFO knobs
    std::map<gui::ParamKnob*, int> updatesBefore;
    std::map<gui::ParamKnob*, juce::String> textBefore;
    for (auto* k : knobsBefore)
    {
        updatesBefore[k] = k->getDisplayUpdateCount();
        textBefore[k] = k->getValueLabel().getText();
    }
    const auto rebuilds = r.view.getRebuildCount();

    auto& slider = knob.getSlider();
    const auto centre = slider.getLocalBounds().getCentre();
    r.ui.drag (slider, centre, centre.translated (0, -60));

    const auto actions = r.f.context.takeRecordedActions();
    REQUIRE_FALSE (actions.empty());
    for (const auto& a : actions)
    {
        const auto* set = std::get_if<model::action::SetParam> (&a);
        REQUIRE (set != nullptr);
        CHECK (set->param == cutoff);
    }
    const auto after = r.valueOf (cutoff);
    CHECK (after > before);
    CHECK (std::get<model::action::SetParam> (actions.back()).value == after);
    CHECK ((float) slider.getValue() == after);
    CHECK (knob.getValueLabel().getText() == gui::paramtext::format (r.instrument().chain[0].params[0]));
    CHECK (knob.getValueLabel().getText() != textBefore[&knob]);

    // The same knob objects, none rebuilt; only the dragged one showed anything new.
    CHECK (r.view.getRebuildCount() == rebuilds);
    CHECK (r.view.getKnobs() == knobsBefore);
    for (auto* k : knobsBefore)
    {
        if (k == &knob)
        {
            CHECK (k->getDisplayUpdateCount() > updatesBefore[k]);
            continue;
        }
        INFO (k->getComponentID());
        CHECK (k->getDisplayUpdateCount() == updatesBefore[k]);
        CHECK (k->getValueLabel().getText() == textBefore[k]);
    }
    // One drag is one undo step.
    CHECK (r.f.host.getUndoState().undoName == "Set Cutoff");
}

TEST_CASE ("chain view: a double-click returns a knob to its default", "[gui][chain]")
{
    ChainRig r;
    const auto cutoff = r.stageParam (0, 0);
    REQUIRE (r.f.context.perform (model::action::SetParam { cutoff, 500.0f }).ok());
    r.f.context.takeRecordedActions();
    auto& knob = r.knob (cutoff);
    CHECK (knob.getValueLabel().getText() == "500 Hz");

    r.ui.doubleClick (knob.getSlider());

    const auto actions = r.f.context.takeRecordedActions();
    REQUIRE_FALSE (actions.empty());
    CHECK (std::get<model::action::SetParam> (actions.back()) == model::action::SetParam { cutoff, 2000.0f });
    CHECK (r.valueOf (cutoff) == 2000.0f);
    CHECK (knob.getValueLabel().getText() == "2.00 kHz");
}

TEST_CASE ("chain view: a typed value is read with its unit, a bad one is refused and changes nothing", "[gui][chain]")
{
    ChainRig r;
    const auto cutoff = r.stageParam (0, 0);
    auto& knob = r.knob (cutoff);
    auto& label = knob.getValueLabel();

    r.ui.click (label);
    REQUIRE (label.isBeingEdited());
    r.ui.typeReplacing ("1.2k");
    CHECK_FALSE (label.isBeingEdited());
    CHECK (r.valueOf (cutoff) == 1200.0f);
    auto actions = r.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetParam> (actions[0]) == model::action::SetParam { cutoff, 1200.0f });
    CHECK (label.getText() == "1.20 kHz");
    CHECK ((float) knob.getSlider().getValue() == 1200.0f);

    // Out of range: the dispatcher's sentence is shown, the session and the knob keep 1200.
    r.ui.click (label);
    r.ui.typeReplacing ("30k");
    CHECK (r.valueOf (cutoff) == 1200.0f);
    REQUIRE (r.messages.size() == 1);
    CHECK (r.messages[0].contains ("outside the range"));
    CHECK (r.f.takeActionNames() == std::vector<std::string> { "SetParam" }); // sent, and refused
    CHECK (label.getText() == "1.20 kHz");
    CHECK ((float) knob.getSlider().getValue() == 1200.0f);

    // Not a value at all: nothing is sent, one sentence says why.
    r.ui.click (label);
    r.ui.typeReplacing ("loud");
    CHECK (r.valueOf (cutoff) == 1200.0f);
    CHECK (r.f.takeActionNames().empty());
    REQUIRE (r.messages.size() == 2);
    CHECK (r.messages[1] == "\"loud\" is not a value Cutoff can take.");
    CHECK (label.getText() == "1.20 kHz");

    // A delay's mix is stored 0..1 and shown in %: "45" means 0.45.
    const auto mix = r.stageParam (1, 2);
    auto& mixLabel = r.knob (mix).getValueLabel();
    r.ui.click (mixLabel);
    r.ui.typeReplacing ("45");
    CHECK (r.valueOf (mix) == Approx (0.45f));
    CHECK (mixLabel.getText() == "45 %");
}

TEST_CASE ("chain view: the add menu adds a stage and a new panel appears", "[gui][chain]")
{
    ChainRig r;
    const auto menu = r.view.getAddMenu();
    for (const auto* text : { "Low-pass filter", "High-pass filter", "Band-pass filter", "Notch filter", "EQ (4 bands)", "Delay", "Reverb", "Chorus", "Compressor", "Distortion", "Limiter", "Gain" })
        CHECK (menuItemId (menu, text) > 0);

    const auto count = r.instrument().chain.size();
    const auto rebuilds = r.view.getRebuildCount();
    r.view.addMenuItemChosen (menuItemId (menu, "Delay"));

    const auto actions = r.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    const auto& add = std::get<model::action::AddStage> (actions[0]);
    CHECK (add.node == model::NodeKind::instrument);
    CHECK (add.nodeId == r.id.value);
    CHECK (add.stage.kind == model::StageKind::effect);
    CHECK (add.stage.effect == model::EffectType::delay);

    REQUIRE (r.instrument().chain.size() == count + 1);
    const auto& added = r.instrument().chain.back();
    CHECK (added.effect == model::EffectType::delay);
    CHECK (r.view.getRebuildCount() == rebuilds + 1);
    auto& panel = r.panelOf (added.id);
    CHECK (panel.isVisible());
    CHECK (test::findAll<gui::ParamKnob> (panel).size() == added.params.size());
    CHECK (r.view.findKnob (model::ParamAddress::stage (model::NodeKind::instrument, r.id.value, added.id, 0)) != nullptr);

    // The button shows the menu (asynchronously, so only that it does not edit anything by itself).
    r.ui.click (r.childOf (r.view, "addStage"));
    CHECK (r.f.takeActionNames().empty());
    juce::PopupMenu::dismissAllActiveMenus();
    test::pumpMessages (20);
}

TEST_CASE ("chain view: bypass, move and remove edit the chain and the panels follow", "[gui][chain]")
{
    ChainRig r;
    const auto filter = r.instrument().chain[0].id;
    const auto delay = r.instrument().chain[1].id;

    auto& bypass = r.childOf (r.panelOf (filter), "bypass");
    r.ui.click (bypass);
    CHECK (r.f.takeActionNames() == std::vector<std::string> { "SetStageBypass" });
    CHECK (r.instrument().chain[0].bypassed);
    CHECK (bypass.getToggleState());
    r.ui.click (bypass);
    CHECK_FALSE (r.instrument().chain[0].bypassed);
    CHECK_FALSE (bypass.getToggleState());
    r.f.takeActionNames();

    // The first stage cannot move earlier; moving it later swaps the two.
    CHECK_FALSE (r.childOf (r.panelOf (filter), "moveLeft").isEnabled());
    r.ui.click (r.childOf (r.panelOf (filter), "moveRight"));
    auto actions = r.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::MoveStage> (actions[0]) == model::action::MoveStage { model::NodeKind::instrument, r.id.value, filter, 1 });
    REQUIRE (r.instrument().chain.size() == 2);
    CHECK (r.instrument().chain[0].id == delay);
    CHECK (r.instrument().chain[1].id == filter);
    CHECK (r.panelOf (delay).getX() < r.panelOf (filter).getX());

    // Dragging a panel by its title puts it where it is let go.
    auto& delayPanel = r.panelOf (delay);
    const auto filterCentre = r.panelOf (filter).getBounds().getCentreX();
    r.ui.drag (delayPanel, { 30, 12 }, { 30 + filterCentre - delayPanel.getBounds().getCentreX() + 40, 12 });
    actions = r.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::MoveStage> (actions[0]) == model::action::MoveStage { model::NodeKind::instrument, r.id.value, delay, 1 });
    CHECK (r.instrument().chain[1].id == delay);
    CHECK (r.panelOf (filter).getX() < r.panelOf (delay).getX());
    r.ui.drag (r.panelOf (delay), { 30, 12 }, { 30 - (r.panelOf (delay).getX() - r.panelOf (filter).getX()), 12 });
    CHECK (r.f.takeActionNames() == std::vector<std::string> { "MoveStage" });
    CHECK (r.instrument().chain[0].id == delay);
    // A short drag is not a move.
    r.ui.drag (r.panelOf (delay), { 30, 12 }, { 33, 12 });
    CHECK (r.f.takeActionNames().empty());

    r.ui.click (r.childOf (r.panelOf (delay), "remove"));
    CHECK (r.f.takeActionNames() == std::vector<std::string> { "RemoveStage" });
    REQUIRE (r.instrument().chain.size() == 1);
    CHECK (r.instrument().chain[0].id == filter);
    CHECK (test::findComponent (r.view, "stage." + juce::String (delay.value)) == nullptr);
    CHECK (r.view.findKnob (model::ParamAddress::stage (model::NodeKind::instrument, r.id.value, delay, 0)) == nullptr);
}

TEST_CASE ("chain view: the voice cap, the LFO and the amp envelope", "[gui][chain]")
{
    ChainRig r;
    auto& voiceCap = r.childOf<juce::Slider> (r.view, "voiceCap");
    CHECK ((int) voiceCap.getValue() == r.instrument().voiceCap);
    const auto cap = r.instrument().voiceCap;
    auto buttons = test::findAll<juce::Button> (voiceCap);
    REQUIRE (buttons.size() == 2);
    auto* increment = buttons[0]->getX() > buttons[1]->getX() ? buttons[0] : buttons[1];
    r.ui.click (*increment);
    auto actions = r.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetVoiceCap> (actions[0]) == model::action::SetVoiceCap { r.id, cap + 1 });
    CHECK (r.instrument().voiceCap == cap + 1);

    // Switching the LFO on without a target aims it at the filter's cutoff.
    auto& lfoOn = r.childOf (r.view, "lfoEnabled");
    auto& target = r.childOf<juce::ComboBox> (r.view, "lfoTarget");
    // The demo's lead has its LFO on: the toggle shows it; a session edit that clears it shows too.
    REQUIRE (r.instrument().lfo.enabled);
    CHECK (lfoOn.getToggleState());
    CHECK (target.getSelectedId() > 0);
    REQUIRE (r.f.context.perform (model::action::SetLfo { r.id, false, model::LfoShape::sine, {} }).ok());
    CHECK_FALSE (lfoOn.getToggleState());
    CHECK (target.getSelectedId() == 0);
    r.f.takeActionNames();
    r.reveal (lfoOn);
    r.ui.click (lfoOn);
    actions = r.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    const auto& set = std::get<model::action::SetLfo> (actions[0]);
    CHECK (set.enabled);
    CHECK (set.target == r.stageParam (0, 0));
    CHECK (r.instrument().lfo.enabled);
    CHECK (r.instrument().lfo.target == r.stageParam (0, 0));
    CHECK (target.getText() == "Low-pass filter: Cutoff");

    // The shape and target combo boxes open menus (asynchronous): their selection is set as the menu would.
    auto& shape = r.childOf<juce::ComboBox> (r.view, "lfoShape");
    shape.setSelectedId ((int) model::LfoShape::triangle + 1, juce::sendNotificationSync);
    CHECK (r.instrument().lfo.shape == model::LfoShape::triangle);
    target.setSelectedItemIndex (0, juce::sendNotificationSync); // the source's first parameter
    CHECK (r.instrument().lfo.target == model::ParamAddress::instrument (r.id, model::ParamGroup::source, 0));
    r.f.takeActionNames();

    // Rate is a knob in the LFO group; the amp's attack one in the amp group.
    const auto rate = model::ParamAddress::instrument (r.id, model::ParamGroup::lfo, (std::uint16_t) model::LfoParam::rate);
    auto& rateKnob = r.knob (rate);
    r.ui.click (rateKnob.getValueLabel());
    r.ui.typeReplacing ("4 Hz");
    CHECK (r.instrument().lfo.rate == 4.0f);
    CHECK (rateKnob.getValueLabel().getText() == "4.00 Hz");

    const auto attack = model::ParamAddress::instrument (r.id, model::ParamGroup::amp, (std::uint16_t) model::AmpParam::attack);
    auto& attackKnob = r.knob (attack);
    r.ui.click (attackKnob.getValueLabel());
    r.ui.typeReplacing ("250ms");
    CHECK (r.instrument().amp.attack == Approx (0.25f));
    CHECK (attackKnob.getValueLabel().getText() == "250 ms");
    r.ui.doubleClick (attackKnob.getSlider());
    CHECK (r.instrument().amp.attack == model::Adsr {}.attack);
    CHECK (r.f.takeActionNames() == std::vector<std::string> { "SetParam", "SetParam", "SetParam" });
}

TEST_CASE ("chain view: changing the source type keeps what it can and rebuilds the source knobs", "[gui][chain]")
{
    ChainRig r;
    const auto tune = model::ParamAddress::instrument (r.id, model::ParamGroup::source, 0);
    REQUIRE (r.f.context.perform (model::action::SetParam { tune, 7.0f }).ok());
    r.f.takeActionNames();
    auto& type = r.childOf<juce::ComboBox> (r.view, "sourceType");
    CHECK (type.getText() == "Saw");

    type.setSelectedId ((int) model::BuiltInSource::pulse + 1, juce::sendNotificationSync); // as its menu would
    CHECK (r.f.takeActionNames() == std::vector<std::string> { "SetSource" });
    const auto& src = r.instrument().source;
    CHECK (src.builtIn == model::BuiltInSource::pulse);
    REQUIRE (src.params.size() == model::makeParameters (model::BuiltInSource::pulse).size());
    CHECK (src.params[0].value == 7.0f); // tune carried over
    CHECK (r.view.findKnob (model::ParamAddress::instrument (r.id, model::ParamGroup::source, 5)) != nullptr); // pwmDepth

    // The source panel was rebuilt for the new type: its selector is a new one.
    auto& newType = r.childOf<juce::ComboBox> (r.view, "sourceType");
    CHECK (newType.getText() == "Pulse");
    newType.setSelectedId ((int) model::BuiltInSource::sampler + 1, juce::sendNotificationSync);
    CHECK (r.instrument().source.builtIn == model::BuiltInSource::sampler);
    auto& path = r.childOf<juce::Label> (r.view, "samplePath");
    CHECK (path.getText() == "no sample");
}

TEST_CASE ("chain view: a bus's and the master's chains show their stages only", "[gui][chain]")
{
    ChainRig r;
    const auto reverb = busNamed (r.f.host.getSession(), "Reverb");
    r.f.context.selection.showChainOf (model::NodeKind::bus, reverb.value);

    const auto& chain = r.f.host.getSession().mixer.buses.find (reverb)->chain;
    REQUIRE (chain.size() == 1);
    auto& panel = r.panelOf (chain[0].id);
    CHECK (test::findAll<gui::ParamKnob> (panel).size() == chain[0].params.size());
    CHECK (test::findComponent (r.view, "source") == nullptr);
    CHECK (test::findComponent (r.view, "amp") == nullptr);
    CHECK (test::findComponent (r.view, "lfo") == nullptr);
    CHECK (r.childOf<juce::Label> (r.view, "chainTitle").getText() == "Bus Reverb");

    // A knob of a bus stage is addressed on the bus.
    const auto mix = model::ParamAddress::stage (model::NodeKind::bus, reverb.value, chain[0].id, 3);
    auto& mixLabel = r.knob (mix).getValueLabel();
    r.ui.click (mixLabel);
    r.ui.typeReplacing ("60%");
    CHECK (model::findParam (r.f.host.getSession(), mix)->value == Approx (0.6f));

    r.view.addMenuItemChosen (menuItemId (r.view.getAddMenu(), "Compressor"));
    r.f.takeActionNames();
    const auto& after = r.f.host.getSession().mixer.buses.find (reverb)->chain;
    REQUIRE (after.size() == 2);
    CHECK (after[1].effect == model::EffectType::compressor);
    r.panelOf (after[1].id);
    test::pumpMessages (30);
    test::saveScreenshot (r.view, "chain-bus-reverb");

    r.f.context.selection.showChainOf (model::NodeKind::master, 0);
    const auto& master = r.f.host.getSession().mixer.master.chain;
    REQUIRE (master.size() == 2);
    r.panelOf (master[0].id);
    r.panelOf (master[1].id);
    CHECK (r.childOf<juce::Label> (r.view, "chainTitle").getText() == "Master");
}

TEST_CASE ("chain view: the screenshot of a demo instrument with several stages", "[gui][chain]")
{
    ChainRig r;
    for (const auto* item : { "EQ (4 bands)", "Compressor", "Reverb" })
        r.view.addMenuItemChosen (menuItemId (r.view.getAddMenu(), item));
    REQUIRE (r.instrument().chain.size() == 5);
    REQUIRE (r.f.context.perform (model::action::SetStageBypass { model::NodeKind::instrument, r.id.value, r.instrument().chain[3].id, true }).ok());
    test::pumpMessages (30);
    const auto file = test::saveScreenshot (r.view, "chain-instrument");
    CHECK (file.existsAsFile());
    CHECK (test::countColours (test::snapshot (r.view)) > 20);

    // The chain is wider than the view: the viewport scrolls it.
    auto* viewport = test::findComponent<juce::Viewport> (r.view, "chainViewport");
    REQUIRE (viewport != nullptr);
    CHECK (viewport->getViewedComponent()->getWidth() > viewport->getWidth());
    CHECK (viewport->canScrollHorizontally());
    r.reveal (*test::findComponent (r.view, "lfo"));
    CHECK (viewport->getViewPositionX() > 0);
    test::saveScreenshot (r.view, "chain-instrument-end");
}

namespace
{
/** The demo session as a seat sees it when another seat owns "Saw lead". */
} // namespace

TEST_CASE ("chain view: another seat's instrument is shown greyed out", "[gui][chain]")
{
    app::SessionHost host;
    host.setSession (model::makeReferenceSession (model::ReferenceSize::small));
    const auto owned = instrumentNamed (host.getSession(), "Saw lead").id;
    test::SeatView access (host);
    access.ownership = { { { owned, 7 } }, 0 };
    gui::GuiContext context (access);
    context.selection.selectInstrument (owned);
    gui::ChainView view (context);
    view.setSize (1000, 460);

    REQUIRE_FALSE (access.canEditInstrument (owned));
    auto* knob = view.findKnob (model::ParamAddress::instrument (owned, model::ParamGroup::source, 0));
    REQUIRE (knob != nullptr);
    CHECK_FALSE (knob->isEnabled());
    CHECK_FALSE (test::findComponent (view, "addStage")->isEnabled());
    CHECK (test::findComponent<juce::Label> (view, "chainTitle")->getText().contains ("read only"));

    // Another instrument is this seat's to edit.
    const auto other = instrumentNamed (host.getSession(), "Kick").id;
    context.selection.selectInstrument (other);
    knob = view.findKnob (model::ParamAddress::instrument (other, model::ParamGroup::source, 0));
    REQUIRE (knob != nullptr);
    CHECK (knob->isEnabled());
}

TEST_CASE ("chain view: an LV2 plugin stage from the scanned list opens its editor in a window", "[gui][chain][plugins]")
{
    const juce::String delayUri = "http://drobilla.net/plugins/mda/Delay";
    if (! juce::File ("/usr/lib/lv2/mda.lv2/Delay.ttl").existsAsFile())
    {
        WARN ("mda-lv2 is not installed: the plugin window is not tested");
        return;
    }
    ChainRig r;
    juce::PluginDescription d;
    d.name = "MDA Delay";
    d.manufacturerName = "mda";
    d.pluginFormatName = "LV2";
    d.fileOrIdentifier = delayUri;
    d.isInstrument = false;
    r.f.context.knownPlugins.addType (d);
    juce::PluginDescription synth = d;
    synth.name = "MDA JX10";
    synth.fileOrIdentifier = "http://drobilla.net/plugins/mda/JX10";
    synth.isInstrument = true;
    r.f.context.knownPlugins.addType (synth);

    const auto menu = r.view.getAddMenu();
    bool listsSynth = false;
    for (juce::PopupMenu::MenuItemIterator it (menu, true); it.next();)
        listsSynth = listsSynth || it.getItem().text.contains ("JX10");
    CHECK_FALSE (listsSynth); // instruments are sources, not stages
    r.view.addMenuItemChosen (menuItemId (menu, "MDA Delay (mda, LV2)"));

    auto actions = r.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    const auto& add = std::get<model::action::AddStage> (actions[0]);
    CHECK (add.stage.effect == model::EffectType::plugin);
    CHECK (add.stage.plugin.format == model::PluginFormat::lv2);
    CHECK (add.stage.plugin.identifier == delayUri.toStdString());
    REQUIRE (r.instrument().chain.size() == 3);
    const auto stage = r.instrument().chain[2].id;
    CHECK (r.instrument().chain[2].plugin.name == "MDA Delay");

    auto& panel = r.panelOf (stage);
    auto& edit = r.childOf (panel, "edit");
    auto* plugin = r.f.host.findPlugin (model::NodeKind::instrument, r.id.value, stage);
    INFO ("the engine loads " << delayUri);
    REQUIRE (plugin != nullptr);
    CHECK (edit.isEnabled());

    r.ui.click (edit);
    test::pumpMessages (50);
    auto* window = r.view.findPluginWindow (model::NodeKind::instrument, r.id.value, stage);
    REQUIRE (window != nullptr);
    CHECK (window->isOnDesktop());
    CHECK (window->isVisible());
    REQUIRE (window->getContentComponent() != nullptr);
    CHECK (dynamic_cast<juce::AudioProcessorEditor*> (window->getContentComponent()) != nullptr);
    CHECK (window->getContentComponent()->getWidth() > 0);

    // A rebuild of the chain (another stage) replaces the plugin instance: the window follows it.
    r.view.addMenuItemChosen (menuItemId (r.view.getAddMenu(), "Gain"));
    auto* rebuilt = r.f.host.findPlugin (model::NodeKind::instrument, r.id.value, stage);
    REQUIRE (rebuilt != nullptr);
    window = r.view.findPluginWindow (model::NodeKind::instrument, r.id.value, stage);
    REQUIRE (window != nullptr);
    CHECK (dynamic_cast<juce::AudioProcessorEditor*> (window->getContentComponent())->getAudioProcessor() == rebuilt);

    // Removing the stage closes its window.
    r.ui.click (r.childOf (r.panelOf (stage), "remove"));
    CHECK (r.instrument().chain.size() == 3);
    CHECK (r.view.findPluginWindow (model::NodeKind::instrument, r.id.value, stage) == nullptr);

    // A plugin that is not on this machine has no editor to open: the button says so.
    model::Stage missing;
    missing.kind = model::StageKind::effect;
    missing.effect = model::EffectType::plugin;
    missing.plugin.format = model::PluginFormat::lv2;
    missing.plugin.identifier = "http://example.org/no-such-plugin";
    REQUIRE (r.f.context.perform (model::action::AddStage { model::NodeKind::instrument, r.id.value, missing, -1 }).ok());
    auto& missingEdit = r.childOf (r.panelOf (r.instrument().chain.back().id), "edit");
    CHECK_FALSE (missingEdit.isEnabled());
    CHECK (missingEdit.getTooltip().contains ("not loaded"));
    CHECK_FALSE (r.view.openPluginWindow (r.instrument().chain.back().id));
}

TEST_CASE ("chain view: an audio input's pair, monitoring and record arm are set in its source panel", "[gui][chain][audioin]")
{
    ChainRig r;
    r.f.takeActionNames();
    auto& type = r.childOf<juce::ComboBox> (r.view, "sourceType");
    type.setSelectedItemIndex (type.getNumItems() - 1, juce::sendNotificationSync); // "Audio input", as its menu would
    CHECK (r.f.takeActionNames() == std::vector<std::string> { "SetSource" });
    REQUIRE (r.instrument().source.kind == model::SourceKind::audioInput);
    CHECK (r.childOf<juce::ComboBox> (r.view, "sourceType").getText() == "Audio input");

    auto& pair = r.childOf<juce::ComboBox> (r.view, "inputPair");
    CHECK (pair.getText() == "In 1/2");
    pair.setSelectedId (3, juce::sendNotificationSync); // In 3/4
    CHECK (r.f.takeActionNames() == std::vector<std::string> { "SetSource" });
    CHECK (r.instrument().source.inputChannel == 2);

    auto& monitor = r.childOf<juce::ToggleButton> (r.view, "monitoring");
    CHECK (monitor.getToggleState());
    r.reveal (monitor);
    r.ui.click (monitor);
    CHECK (r.f.takeActionNames() == std::vector<std::string> { "SetSource" });
    CHECK_FALSE (r.instrument().source.monitoring);

    auto& arm = r.childOf<juce::ToggleButton> (r.view, "recordArm");
    CHECK_FALSE (arm.getToggleState());
    r.reveal (arm);
    r.ui.click (arm);
    CHECK (r.f.takeActionNames() == std::vector<std::string> { "SetRecordArm" });
    CHECK (r.instrument().recordArmed);
    test::pumpMessages (5);
    CHECK (r.childOf<juce::ToggleButton> (r.view, "recordArm").getToggleState());
}
