// The mixer with the demo session, driven by real mouse and key events through the window peer: faders,
// typed levels, pan, mute and solo, routing, sends, buses, the FX button, the meters fed by the one meter
// clock, and that an edit refreshes only the strip it touched.

#include "imbolc_GuiTestSupport.h"

using namespace imbolc;

namespace
{
/** The mixer on the desktop with the app's look, as the window shows it. */
struct MixerFixture
{
    MixerFixture()
    {
        mixer.setLookAndFeel (&lookAndFeel);
    }
    ~MixerFixture() { mixer.setLookAndFeel (nullptr); }

    gui::MixerStrip& strip (model::NodeKind kind, std::uint32_t id)
    {
        auto* s = mixer.findStrip (kind, id);
        REQUIRE (s != nullptr);
        return *s;
    }

    template <typename T = juce::Component>
    T& child (juce::Component& parent, const juce::String& componentId)
    {
        auto* c = test::findComponent<T> (parent, componentId);
        REQUIRE (c != nullptr);
        return *c;
    }

    /** Scrolls the strip row so that `s` is on screen, where a click can reach it. */
    void scrollTo (gui::MixerStrip& s)
    {
        if (s.getNode() == model::NodeKind::master)
            return;
        child<juce::Viewport> (mixer, "MixerViewport").setViewPosition (s.getX(), 0);
        test::pumpMessages (10);
    }

    const model::Session& session() const { return f.host.getSession(); }

    model::InstrumentId instrumentAt (std::size_t index) const
    {
        REQUIRE (session().instruments.size() > index);
        auto it = session().instruments.begin();
        std::advance (it, (std::ptrdiff_t) index);
        return it->id;
    }

    model::BusId busNamed (const std::string& name) const
    {
        for (const auto& b : session().mixer.buses)
            if (b.name == name)
                return b.id;
        FAIL ("the demo session has a bus named " << name);
        return {};
    }

    test::GuiFixture f;
    gui::LookAndFeel lookAndFeel;
    gui::MixerView mixer { f.context };
};

const model::action::SetParam& asSetParam (const model::Action& a)
{
    REQUIRE (std::holds_alternative<model::action::SetParam> (a));
    return std::get<model::action::SetParam> (a);
}

} // namespace

TEST_CASE ("Mixer: a strip per instrument, bus and the master, in session order", "[gui][mixer]")
{
    MixerFixture m;
    test::UiDriver ui (m.mixer, 1280, 250);
    const auto strips = m.mixer.getStrips();
    REQUIRE (strips.size() == m.session().instruments.size() + m.session().mixer.buses.size() + 1);
    std::size_t i = 0;
    for (const auto& inst : m.session().instruments)
    {
        CHECK (strips[i]->getNode() == model::NodeKind::instrument);
        CHECK (strips[i]->getId() == inst.id.value);
        CHECK (m.child<juce::Label> (*strips[i], "Name").getText() == juce::String (inst.name));
        CHECK (m.child<juce::Slider> (*strips[i], "Fader").getValue() == Approx (inst.strip.level));
        CHECK (m.child<juce::Slider> (*strips[i], "Pan").getValue() == Approx (inst.strip.pan));
        ++i;
    }
    for (const auto& bus : m.session().mixer.buses)
    {
        CHECK (strips[i]->getNode() == model::NodeKind::bus);
        CHECK (m.child<juce::Label> (*strips[i], "Name").getText() == juce::String (bus.name));
        ++i;
    }
    CHECK (strips.back()->getNode() == model::NodeKind::master);
    CHECK (test::findComponent (*strips.back(), "Solo") == nullptr);
    CHECK (test::findComponent (*strips.back(), "Pan") == nullptr);
    // The drum bus names what feeds it.
    const auto drums = m.busNamed ("Drums");
    CHECK (m.child<juce::Label> (m.strip (model::NodeKind::bus, drums.value), "Inputs").getText().contains ("Kick, Snare, Hat"));
}

TEST_CASE ("Mixer: dragging a fader sets the instrument's strip level, and a typed dB value sets it exactly", "[gui][mixer]")
{
    MixerFixture m;
    test::UiDriver ui (m.mixer, 1280, 250);
    const auto id = m.instrumentAt (0);
    auto& strip = m.strip (model::NodeKind::instrument, id.value);
    auto& fader = m.child<juce::Slider> (strip, "Fader");
    const auto before = m.session().instruments.find (id)->strip.level;
    const auto levelAddress = model::ParamAddress::instrument (id, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level);

    const auto x = fader.getWidth() / 2;
    ui.drag (fader, { x, fader.getHeight() / 2 }, { x, 12 });
    const auto actions = m.f.context.takeRecordedActions();
    REQUIRE_FALSE (actions.empty());
    for (const auto& a : actions)
        CHECK (asSetParam (a).param == levelAddress);
    const auto after = m.session().instruments.find (id)->strip.level;
    CHECK (after > before);
    CHECK (after == asSetParam (actions.back()).value);
    CHECK (fader.getValue() == Approx (after));
    auto& valueBox = *test::findAll<juce::Label> (fader).at (0);
    CHECK (valueBox.getText() == gui::MixerStrip::gainToText (after));

    // Typed: "-6" is -6 dB.
    ui.click (valueBox);
    ui.typeReplacing ("-6");
    const auto typed = m.f.context.takeRecordedActions();
    REQUIRE (typed.size() == 1);
    CHECK (asSetParam (typed[0]).param == levelAddress);
    CHECK (asSetParam (typed[0]).value == Approx (0.501187f).epsilon (1e-4));
    CHECK (m.session().instruments.find (id)->strip.level == Approx (0.501187f).epsilon (1e-4));
    CHECK (valueBox.getText() == "-6.0 dB");

    // The pan knob: dragging up turns it right.
    auto& pan = m.child<juce::Slider> (strip, "Pan");
    ui.drag (pan, { pan.getWidth() / 2, 20 }, { pan.getWidth() / 2, 0 });
    const auto panActions = m.f.context.takeRecordedActions();
    REQUIRE_FALSE (panActions.empty());
    for (const auto& a : panActions)
        CHECK (asSetParam (a).param == model::ParamAddress::instrument (id, model::ParamGroup::strip, (std::uint16_t) model::StripParam::pan));
    CHECK (m.session().instruments.find (id)->strip.pan > 0.0f);
    CHECK (pan.getValue() == Approx (m.session().instruments.find (id)->strip.pan));
}

TEST_CASE ("Mixer: mute and solo buttons switch the strip of an instrument, a bus and the master", "[gui][mixer]")
{
    MixerFixture m;
    test::UiDriver ui (m.mixer, 1280, 250);
    const auto id = m.instrumentAt (1);
    auto& strip = m.strip (model::NodeKind::instrument, id.value);
    auto& mute = m.child<juce::Button> (strip, "Mute");
    auto& solo = m.child<juce::Button> (strip, "Solo");

    ui.click (mute);
    CHECK (m.session().instruments.find (id)->strip.mute);
    CHECK (mute.getToggleState());
    ui.click (solo);
    CHECK (m.session().instruments.find (id)->strip.solo);
    CHECK (solo.getToggleState());
    ui.click (mute);
    CHECK_FALSE (m.session().instruments.find (id)->strip.mute);
    CHECK_FALSE (mute.getToggleState());
    auto actions = m.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 3);
    CHECK (std::get<model::action::SetMute> (actions[0]) == model::action::SetMute { model::NodeKind::instrument, id.value, true });
    CHECK (std::get<model::action::SetSolo> (actions[1]) == model::action::SetSolo { model::NodeKind::instrument, id.value, true });
    CHECK (std::get<model::action::SetMute> (actions[2]) == model::action::SetMute { model::NodeKind::instrument, id.value, false });

    const auto reverb = m.busNamed ("Reverb");
    auto& busStrip = m.strip (model::NodeKind::bus, reverb.value);
    m.scrollTo (busStrip);
    ui.click (m.child<juce::Button> (busStrip, "Solo"));
    CHECK (m.session().mixer.buses.find (reverb)->solo);
    CHECK (m.child<juce::Button> (busStrip, "Solo").getToggleState());

    auto& master = m.strip (model::NodeKind::master, 0);
    ui.click (m.child<juce::Button> (master, "Mute"));
    CHECK (m.session().mixer.master.mute);
    CHECK (m.child<juce::Button> (master, "Mute").getToggleState());
    actions = m.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 2);
    CHECK (std::get<model::action::SetSolo> (actions[0]) == model::action::SetSolo { model::NodeKind::bus, reverb.value, true });
    CHECK (std::get<model::action::SetMute> (actions[1]) == model::action::SetMute { model::NodeKind::master, 0, true });

    // A bus fader addresses the bus's strip level.
    auto& busFader = m.child<juce::Slider> (busStrip, "Fader");
    ui.drag (busFader, { busFader.getWidth() / 2, busFader.getHeight() / 2 }, { busFader.getWidth() / 2, busFader.getHeight() - 30 });
    actions = m.f.context.takeRecordedActions();
    REQUIRE_FALSE (actions.empty());
    CHECK (asSetParam (actions.back()).param == model::ParamAddress { model::NodeKind::bus, reverb.value, model::ParamGroup::strip, 0, 0 });
    CHECK (m.session().mixer.buses.find (reverb)->level == Approx (busFader.getValue()));
}

TEST_CASE ("Mixer: the output selector routes an instrument to a bus or the master", "[gui][mixer]")
{
    MixerFixture m;
    test::UiDriver ui (m.mixer, 1280, 250);
    const auto id = m.instrumentAt (0);
    const auto drums = m.busNamed ("Drums");
    auto& output = m.child<juce::ComboBox> (m.strip (model::NodeKind::instrument, id.value), "Output");
    CHECK (output.getText() == "Master");
    CHECK (output.getNumItems() == 1 + (int) m.session().mixer.buses.size());

    // The combo box's own change path (its popup is an async menu window, not clicked here).
    output.setSelectedId (gui::MixerStrip::outputItemId (drums), juce::sendNotificationSync);
    auto actions = m.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetOutput> (actions[0]) == model::action::SetOutput { id, drums });
    CHECK (m.session().instruments.find (id)->strip.output == drums);
    CHECK (output.getText() == "Drums");

    output.setSelectedId (1, juce::sendNotificationSync);
    actions = m.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetOutput> (actions[0]) == model::action::SetOutput { id, model::BusId {} });
    CHECK_FALSE (m.session().instruments.find (id)->strip.output.isValid());
    CHECK (output.getText() == "Master");
}

TEST_CASE ("Mixer: add a send from the menu, turn its level, switch pre/post, remove it", "[gui][mixer]")
{
    MixerFixture m;
    test::UiDriver ui (m.mixer, 1280, 250);
    const auto bass = m.instrumentAt (1); // the demo's bass has no send
    REQUIRE (m.session().instruments.find (bass)->strip.sends.empty());
    const auto reverb = m.busNamed ("Reverb");
    auto& strip = m.strip (model::NodeKind::instrument, bass.value);

    // The menu lists every bus without a send yet; its item is chosen through the menu's handler (the
    // menu window itself is not clicked).
    const auto menu = strip.getAddSendMenu();
    int reverbItem = 0, items = 0;
    for (juce::PopupMenu::MenuItemIterator it (menu); it.next();)
    {
        ++items;
        if (it.getItem().text == "Send to Reverb")
            reverbItem = it.getItem().itemID;
    }
    CHECK (items == (int) m.session().mixer.buses.size());
    REQUIRE (reverbItem != 0);
    strip.addSendMenuItemChosen (reverbItem);
    auto actions = m.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    const auto& add = std::get<model::action::AddSend> (actions[0]);
    CHECK (add.instrument == bass);
    CHECK (add.bus == reverb);
    CHECK_FALSE (add.preInsert);
    REQUIRE (m.session().instruments.find (bass)->strip.sends.size() == 1);
    auto& row = m.child (strip, "Send." + juce::String (reverb.value));
    CHECK (m.child<juce::Label> (row, "SendName").getText() == "Reverb");
    const auto menuAfter = strip.getAddSendMenu();
    for (juce::PopupMenu::MenuItemIterator it (menuAfter); it.next();)
        CHECK (it.getItem().text != "Send to Reverb");

    // Level knob: dragging up raises the send.
    auto& knob = m.child<juce::Slider> (row, "SendLevel");
    const auto before = m.session().instruments.find (bass)->strip.sends[0].level;
    ui.drag (knob, knob.getLocalBounds().getCentre(), knob.getLocalBounds().getCentre() - juce::Point<int> (0, 40));
    actions = m.f.context.takeRecordedActions();
    REQUIRE_FALSE (actions.empty());
    CHECK (asSetParam (actions.back()).param == model::ParamAddress::instrument (bass, model::ParamGroup::send, 0, reverb.value));
    const auto after = m.session().instruments.find (bass)->strip.sends[0].level;
    CHECK (after > before);
    CHECK (knob.getValue() == Approx (after));
    CHECK (m.child<juce::Label> (row, "SendValue").getText() == gui::MixerStrip::gainToText (after));

    // Pre/post.
    auto& tap = m.child<juce::Button> (row, "SendTap");
    CHECK (tap.getButtonText() == "post");
    ui.click (tap);
    actions = m.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::SetSendTap> (actions[0]) == model::action::SetSendTap { bass, reverb, true });
    CHECK (m.session().instruments.find (bass)->strip.sends[0].preInsert);
    CHECK (tap.getButtonText() == "pre");

    // Remove.
    ui.click (m.child<juce::Button> (row, "RemoveSend"));
    test::pumpMessages (10);
    actions = m.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::RemoveSend> (actions[0]) == model::action::RemoveSend { bass, reverb });
    CHECK (m.session().instruments.find (bass)->strip.sends.empty());
    CHECK (test::findComponent (strip, "Send." + juce::String (reverb.value)) == nullptr);
}

TEST_CASE ("Mixer: add a bus, rename it by double-clicking its name, remove it", "[gui][mixer]")
{
    MixerFixture m;
    test::UiDriver ui (m.mixer, 1280, 250);
    const auto busesBefore = m.session().mixer.buses.size();
    auto& addBus = m.child<juce::Button> (m.mixer, "AddBus");
    auto& viewport = m.child<juce::Viewport> (m.mixer, "MixerViewport");
    viewport.setViewPosition (addBus.getX(), 0);
    test::pumpMessages (10);
    ui.click (addBus);
    auto actions = m.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::holds_alternative<model::action::AddBus> (actions[0]));
    REQUIRE (m.session().mixer.buses.size() == busesBefore + 1);
    const auto newBus = std::prev (m.session().mixer.buses.end())->id;
    auto& strip = m.strip (model::NodeKind::bus, newBus.value);
    auto& name = m.child<juce::Label> (strip, "Name");
    CHECK (name.getText() == juce::String (m.session().mixer.buses.find (newBus)->name));

    m.scrollTo (strip);
    ui.doubleClick (name);
    REQUIRE (name.isBeingEdited());
    ui.typeReplacing ("Echo");
    actions = m.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::RenameBus> (actions[0]) == model::action::RenameBus { newBus, "Echo" });
    CHECK (m.session().mixer.buses.find (newBus)->name == "Echo");
    CHECK (name.getText() == "Echo");
    // Every instrument's output menu follows the new name.
    auto& output = m.child<juce::ComboBox> (m.strip (model::NodeKind::instrument, m.instrumentAt (0).value), "Output");
    CHECK (output.getItemText (output.indexOfItemId (gui::MixerStrip::outputItemId (newBus))) == "Echo");

    ui.click (m.child<juce::Button> (strip, "RemoveBus"));
    test::pumpMessages (10);
    actions = m.f.context.takeRecordedActions();
    REQUIRE (actions.size() == 1);
    CHECK (std::get<model::action::RemoveBus> (actions[0]) == model::action::RemoveBus { newBus });
    CHECK_FALSE (m.session().mixer.buses.contains (newBus));
    CHECK (m.mixer.findStrip (model::NodeKind::bus, newBus.value) == nullptr);
    // Removing a bus rebuilds the strips (a structural change): the menu is looked up again, since
    // `output` belonged to a strip that is gone (reading it was use after free).
    auto& outputAfter = m.child<juce::ComboBox> (m.strip (model::NodeKind::instrument, m.instrumentAt (0).value), "Output");
    CHECK (outputAfter.getNumItems() == 1 + (int) busesBefore);
}

TEST_CASE ("Mixer: the FX button of a bus and of the master shows its chain in the chain view", "[gui][mixer]")
{
    MixerFixture m;
    test::UiDriver ui (m.mixer, 1280, 250);
    const auto drums = m.busNamed ("Drums");
    auto& busStrip = m.strip (model::NodeKind::bus, drums.value);
    m.scrollTo (busStrip);
    ui.click (m.child<juce::Button> (busStrip, "FX"));
    CHECK (m.f.context.selection.getChainSubject() == gui::Selection::ChainSubject { model::NodeKind::bus, drums.value });

    ui.click (m.child<juce::Button> (m.strip (model::NodeKind::master, 0), "FX"));
    CHECK (m.f.context.selection.getChainSubject() == gui::Selection::ChainSubject { model::NodeKind::master, 0 });
    CHECK (m.f.takeActionNames().empty()); // showing a chain is no edit
}

TEST_CASE ("Mixer: an edit refreshes only the strip it touched, adding a bus rebuilds the strips", "[gui][mixer]")
{
    MixerFixture m;
    test::UiDriver ui (m.mixer, 1280, 250);
    const auto strips = m.mixer.getStrips();
    const auto rebuilds = m.mixer.getRebuildCount();
    std::vector<double> faders;
    for (auto* s : strips)
        faders.push_back (m.child<juce::Slider> (*s, "Fader").getValue());

    // A level change of the 7th instrument (as another seat or a script would make it).
    const auto target = m.instrumentAt (6);
    REQUIRE (m.f.context.perform (model::action::SetParam { model::ParamAddress::instrument (target, model::ParamGroup::strip, 0), 1.5f }).ok());
    CHECK (m.mixer.getRebuildCount() == rebuilds);
    CHECK (m.mixer.getStrips() == strips);
    for (std::size_t i = 0; i < strips.size(); ++i)
    {
        const auto value = m.child<juce::Slider> (*strips[i], "Fader").getValue();
        if (strips[i]->getNode() == model::NodeKind::instrument && strips[i]->getId() == target.value)
            CHECK (value == Approx (1.5));
        else
            CHECK (value == faders[i]);
    }

    // The master's level reaches the master strip only.
    REQUIRE (m.f.context.perform (model::action::SetParam { model::ParamAddress { model::NodeKind::master, 0, model::ParamGroup::strip, 0, 0 }, 0.5f }).ok());
    CHECK (m.child<juce::Slider> (*strips.back(), "Fader").getValue() == Approx (0.5));
    CHECK (m.mixer.getStrips() == strips);

    // An instrument's new name reaches the bus it feeds, without a rebuild.
    const auto kick = m.instrumentAt (9);
    REQUIRE (m.session().instruments.find (kick)->name == "Kick");
    REQUIRE (m.f.context.perform (model::action::RenameInstrument { kick, "Big kick" }).ok());
    CHECK (m.child<juce::Label> (m.strip (model::NodeKind::bus, m.busNamed ("Drums").value), "Inputs").getText().contains ("Big kick, Snare, Hat"));
    CHECK (m.child<juce::Label> (m.strip (model::NodeKind::instrument, kick.value), "Name").getText() == "Big kick");
    CHECK (m.mixer.getStrips() == strips);
    CHECK (m.mixer.getRebuildCount() == rebuilds);

    REQUIRE (m.f.context.perform (model::action::AddBus { "Extra" }).ok());
    CHECK (m.mixer.getRebuildCount() == rebuilds + 1);
    CHECK (m.mixer.getStrips().size() == strips.size() + 1);
}

TEST_CASE ("Mixer: meters follow the engine through the one meter clock, hold their peak, and repaint only on change", "[gui][mixer]")
{
    MixerFixture m;
    test::UiDriver ui (m.mixer, 1280, 250);
    REQUIRE (m.f.context.perform (model::action::Play {}).ok());
    test::renderBlocks (m.f.host, 60); // about 0.6 s of the demo song
    m.f.context.meters.updateNow();

    // The loudest instrument strip shows what the frame read.
    const auto& frame = m.f.context.meters.latest();
    const protocol::StripPeak* loudest = nullptr;
    for (const auto& s : frame.metering.strips)
        if (s.node == model::NodeKind::instrument && (loudest == nullptr || juce::jmax (s.left, s.right) > juce::jmax (loudest->left, loudest->right)))
            loudest = &s;
    REQUIRE (loudest != nullptr);
    const auto peak = *loudest;
    REQUIRE (juce::jmax (peak.left, peak.right) > 0.0f);
    auto& strip = m.strip (model::NodeKind::instrument, peak.id);
    auto& meter = strip.getMeter();
    CHECK (meter.getLevel (0) == Approx (peak.left));
    CHECK (meter.getLevel (1) == Approx (peak.right));
    CHECK (m.strip (model::NodeKind::master, 0).getMeter().getLevel (0) > 0.0f);
    const auto holdLeft = meter.getHold (0);
    CHECK (holdLeft >= meter.getLevel (0));
    test::pumpMessages (30);
    test::saveScreenshot (m.mixer, "mixer-demo-meters");
    auto& viewport = m.child<juce::Viewport> (m.mixer, "MixerViewport");
    viewport.setViewPosition (viewport.getViewedComponent()->getWidth(), 0);
    test::pumpMessages (30);
    test::saveScreenshot (m.mixer, "mixer-demo-buses");

    // Nothing new from the engine: no meter asks for a repaint.
    std::vector<int> requests;
    for (auto* s : m.mixer.getStrips())
        requests.push_back (s->getMeter().getRepaintRequests());
    m.f.context.meters.updateNow();
    m.f.context.meters.updateNow();
    for (std::size_t i = 0; i < requests.size(); ++i)
        CHECK (m.mixer.getStrips()[i]->getMeter().getRepaintRequests() == requests[i]);

    // Muted, the strip's level drops; its peak hold keeps the maximum.
    m.scrollTo (strip);
    ui.click (m.child<juce::Button> (strip, "Mute"));
    REQUIRE (m.session().instruments.find (model::InstrumentId { peak.id })->strip.mute);
    test::renderBlocks (m.f.host, 12);
    m.f.context.meters.updateNow();
    CHECK (meter.getLevel (0) < holdLeft * 0.5f);
    CHECK (meter.getHold (0) == Approx (holdLeft));
}

TEST_CASE ("Mixer: a level meter holds its peak for 1.5 s, then lets it fall, repainting only when the drawing moves", "[gui][mixer]")
{
    gui::LevelMeter meter;
    meter.setSize (12, 200);
    const double t0 = 10000.0;
    meter.setPeaks (0.9f, 0.5f, t0);
    CHECK (meter.getRepaintRequests() == 1);
    meter.setPeaks (0.9f, 0.5f, t0 + 33.0);
    meter.setPeaks (0.8999f, 0.5f, t0 + 66.0); // less than a pixel lower
    CHECK (meter.getRepaintRequests() == 1);

    meter.setPeaks (0.1f, 0.1f, t0 + 1000.0);
    CHECK (meter.getLevel (0) == Approx (0.1f));
    CHECK (meter.getHold (0) == Approx (0.9f));
    meter.setPeaks (0.1f, 0.1f, t0 + 1400.0);
    CHECK (meter.getHold (0) == Approx (0.9f));
    meter.setPeaks (0.1f, 0.1f, t0 + 1733.0); // the hold (from t0 + 33) ran out 0.2 s ago: 4 dB lower
    CHECK (juce::Decibels::gainToDecibels (meter.getHold (0)) == Approx (juce::Decibels::gainToDecibels (0.9f) - 4.0f).margin (0.01));
    meter.setPeaks (0.1f, 0.1f, t0 + 5000.0);
    CHECK (meter.getHold (0) == Approx (0.1f));
}

TEST_CASE ("Mixer: an instrument another seat owns is greyed and cannot be edited", "[gui][mixer]")
{
    test::GuiFixture f;
    test::SeatView seat (f.host, 3);
    const auto owned = seat.getSession().instruments.begin()->id;
    seat.ownership.owners.push_back ({ owned, 7 });
    seat.ownership.privilegedClient = 3;
    gui::GuiContext context (seat);
    context.setRecordingActions (true);
    gui::MixerView mixer (context);
    test::UiDriver ui (mixer, 1280, 250);

    auto* strip = mixer.findStrip (model::NodeKind::instrument, owned.value);
    REQUIRE (strip != nullptr);
    CHECK_FALSE (strip->isEnabled());
    CHECK (strip->getAlpha() < 1.0f);
    auto* other = mixer.findStrip (model::NodeKind::instrument, std::next (seat.getSession().instruments.begin())->id.value);
    REQUIRE (other != nullptr);
    CHECK (other->isEnabled());

    ui.click (*test::findComponent (*strip, "Mute"));
    CHECK (context.takeRecordedActions().empty());
    ui.click (*test::findComponent (*other, "Mute"));
    CHECK (context.takeRecordedActions().size() == 1);
}
