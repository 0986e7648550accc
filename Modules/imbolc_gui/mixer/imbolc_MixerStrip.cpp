// One mixer strip (fader, pan, mute, solo, output, sends) and its level meter.
// Included before imbolc_MixerView.cpp in the module's one translation unit, which shares its helpers.

namespace imbolc::gui
{

namespace
{
    using Palette = LookAndFeel::Palette;

    float mixerGainToDb (float gain) noexcept
    {
        return gain > 0.0f ? 20.0f * std::log10 (gain) : -std::numeric_limits<float>::infinity();
    }

    float mixerDbToGain (float db) noexcept
    {
        return std::isfinite (db) ? std::pow (10.0f, db / 20.0f) : 0.0f;
    }

    /** Faders and send knobs move in a cubic law: unity sits at 79 % of the travel and the bottom fifth
        covers -inf to -40 dB, which is how a mixer fader feels. */
    constexpr double mixerFaderSkew = 1.0 / 3.0;

    /** A send added from the menu starts at -6 dB: audible, and below the dry signal. */
    constexpr float mixerNewSendLevel = 0.5f;

    juce::String mixerPanText (double pan)
    {
        const auto percent = juce::roundToInt (pan * 100.0);
        if (percent == 0)
            return "C";
        return (percent < 0 ? "L " : "R ") + juce::String (std::abs (percent));
    }

    double mixerTextToPan (const juce::String& text)
    {
        const auto t = text.trim().toUpperCase();
        const auto amount = t.retainCharacters ("0123456789.").getDoubleValue() / 100.0;
        if (t.startsWith ("L"))
            return -amount;
        if (t.startsWith ("R"))
            return amount;
        return t.getDoubleValue() / 100.0;
    }

    void mixerStyleSmallButton (juce::TextButton& b, juce::Colour onColour)
    {
        b.setColour (juce::TextButton::buttonOnColourId, onColour);
        b.setColour (juce::TextButton::textColourOnId, juce::Colours::black);
        b.setColour (juce::TextButton::buttonColourId, Palette::panel);
        b.setColour (juce::TextButton::textColourOffId, Palette::text);
    }

    /** A small "x" that removes something: a shape, so it stays legible in a 14 px button. */
    void mixerMakeCross (juce::ShapeButton& b)
    {
        juce::Path cross;
        cross.addLineSegment ({ 0.0f, 0.0f, 1.0f, 1.0f }, 0.22f);
        cross.addLineSegment ({ 0.0f, 1.0f, 1.0f, 0.0f }, 0.22f);
        b.setShape (cross, false, true, false);
        b.setColours (Palette::textDim, Palette::warning, Palette::warning.darker (0.3f));
        b.setBorderSize ({ 4, 4, 4, 4 });
    }

    void mixerStyleRotary (juce::Slider& s)
    {
        s.setRotaryParameters (juce::MathConstants<float>::pi * 1.25f, juce::MathConstants<float>::pi * 2.75f, true);
        s.setColour (juce::Slider::textBoxOutlineColourId, juce::Colours::transparentBlack);
        s.setColour (juce::Slider::textBoxTextColourId, Palette::textDim);
    }
} // namespace

//==============================================================================
LevelMeter::LevelMeter()
{
    setComponentID ("Meter");
    setOpaque (true);
    setInterceptsMouseClicks (false, false);
}

float LevelMeter::proportionOf (float db) noexcept
{
    if (! std::isfinite (db) || db <= minDb)
        return 0.0f;
    return juce::jlimit (0.0f, 1.0f, (db - minDb) / (maxDb - minDb));
}

void LevelMeter::setPeaks (float left, float right, double nowMs)
{
    const auto elapsedSeconds = lastReadingMs < 0.0 ? 0.0 : juce::jmax (0.0, (nowMs - lastReadingMs) / 1000.0);
    lastReadingMs = nowMs;

    const float peaks[] = { left, right };
    for (int c = 0; c < 2; ++c)
    {
        auto& ch = channels[(std::size_t) c];
        ch.levelDb = mixerGainToDb (std::abs (peaks[c]));
        if (ch.levelDb >= ch.holdDb)
        {
            ch.holdDb = ch.levelDb;
            ch.holdSinceMs = nowMs;
        }
        else if (nowMs - ch.holdSinceMs > holdMs)
        {
            // Below the scale the hold has nowhere to fall to: drop it, so a silent meter draws no line.
            // It falls only for the part of the interval after the hold time ran out.
            const auto fallSeconds = juce::jmin (elapsedSeconds, (nowMs - ch.holdSinceMs - holdMs) / 1000.0);
            ch.holdDb = juce::jmax (ch.levelDb, ch.holdDb - fallDbPerSecond * (float) fallSeconds);
            if (ch.holdDb <= minDb)
                ch.holdDb = ch.levelDb;
        }
    }

    const auto now = computeDrawn();
    if (now == drawn)
        return;
    drawn = now;
    ++repaintRequests;
    repaint();
}

float LevelMeter::getLevel (int channel) const noexcept
{
    return mixerDbToGain (channels[(std::size_t) juce::jlimit (0, 1, channel)].levelDb);
}

float LevelMeter::getHold (int channel) const noexcept
{
    return mixerDbToGain (channels[(std::size_t) juce::jlimit (0, 1, channel)].holdDb);
}

LevelMeter::Drawn LevelMeter::computeDrawn() const noexcept
{
    Drawn d;
    const auto h = (float) juce::jmax (0, getHeight() - 2);
    for (std::size_t c = 0; c < 2; ++c)
    {
        d.bar[c] = juce::roundToInt (proportionOf (channels[c].levelDb) * h);
        const auto hold = proportionOf (channels[c].holdDb);
        d.hold[c] = hold > 0.0f ? juce::roundToInt (hold * h) : -1;
    }
    return d;
}

void LevelMeter::resized()
{
    drawn = computeDrawn();
}

void LevelMeter::paint (juce::Graphics& g)
{
    g.fillAll (Palette::background);
    const auto inner = getLocalBounds().reduced (1);
    const auto barWidth = (inner.getWidth() - 1) / 2;
    const auto bottom = (float) inner.getBottom();
    const auto h = (float) inner.getHeight();
    const auto yOf = [&] (float db)
    { return bottom - proportionOf (db) * h; };
    const auto yMid = yOf (-18.0f), yHigh = yOf (-6.0f);

    for (std::size_t c = 0; c < 2; ++c)
    {
        const auto x = (float) (inner.getX() + (int) c * (barWidth + 1));
        const auto top = bottom - (float) drawn.bar[c];
        // Colour by zone, so the colour at a height always means the same level.
        const std::pair<float, float> zones[] = { { juce::jmax (top, yMid), bottom }, { juce::jmax (top, yHigh), yMid }, { top, yHigh } };
        const juce::Colour colours[] = { Palette::meterLow, Palette::meterMid, Palette::meterHigh };
        for (std::size_t z = 0; z < 3; ++z)
            if (zones[z].first < zones[z].second)
            {
                g.setColour (colours[z]);
                g.fillRect (x, zones[z].first, (float) barWidth, zones[z].second - zones[z].first);
            }

        if (drawn.hold[c] >= 0)
        {
            const auto y = bottom - (float) drawn.hold[c];
            g.setColour (y <= yOf (0.0f) ? Palette::meterHigh : Palette::text);
            g.fillRect (x, juce::jmax ((float) inner.getY(), y - 1.0f), (float) barWidth, 2.0f);
        }
    }

    // 0 dB tick: where clipping starts.
    g.setColour (Palette::outline);
    g.fillRect ((float) inner.getX(), yOf (0.0f), (float) inner.getWidth(), 1.0f);
}

//==============================================================================
/** One send of an instrument strip: level knob, bus name and level, pre/post toggle, remove. */
class MixerStrip::SendRow final : public juce::Component
{
public:
    static constexpr int height = 24;

    SendRow (MixerStrip& s, model::BusId b)
        : strip (s),
          bus (b)
    {
        setComponentID ("Send." + juce::String (bus.value));

        level.setComponentID ("SendLevel");
        level.setRange (0.0, 2.0);
        level.setSkewFactor (mixerFaderSkew);
        level.setDoubleClickReturnValue (true, 1.0);
        mixerStyleRotary (level);
        level.onValueChange = [this]
        { strip.perform (model::action::SetParam { model::ParamAddress::instrument (model::InstrumentId { strip.id }, model::ParamGroup::send, 0, bus.value), (float) level.getValue() }); };
        addAndMakeVisible (level);

        name.setComponentID ("SendName");
        name.setFont (juce::Font (11.0f));
        name.setColour (juce::Label::textColourId, Palette::text);
        name.setBorderSize ({});
        name.setMinimumHorizontalScale (0.7f);
        name.setInterceptsMouseClicks (false, false);
        addAndMakeVisible (name);

        value.setComponentID ("SendValue");
        value.setFont (juce::Font (10.0f));
        value.setColour (juce::Label::textColourId, Palette::textDim);
        value.setBorderSize ({});
        value.setInterceptsMouseClicks (false, false);
        addAndMakeVisible (value);

        tap.setComponentID ("SendTap");
        tap.setTooltip ("Tap the send before the processing chain (pre) or after it (post)");
        mixerStyleSmallButton (tap, Palette::accent);
        tap.onClick = [this]
        {
            if (const auto* send = findSend())
                strip.perform (model::action::SetSendTap { model::InstrumentId { strip.id }, bus, ! send->preInsert });
        };
        addAndMakeVisible (tap);

        remove.setComponentID ("RemoveSend");
        remove.setTooltip ("Remove this send");
        mixerMakeCross (remove);
        remove.onClick = [this]
        {
            // Removing the send destroys this row: act after the click has unwound.
            juce::Component::SafePointer<MixerStrip> safe (&strip);
            const auto instrument = model::InstrumentId { strip.id };
            const auto target = bus;
            juce::MessageManager::callAsync ([safe, instrument, target]
                                             {
                                                 if (safe != nullptr)
                                                     safe->perform (model::action::RemoveSend { instrument, target }); });
        };
        addAndMakeVisible (remove);
    }

    void show (const model::Send& send, const juce::String& busName)
    {
        level.setValue (send.level, juce::dontSendNotification);
        name.setText (busName, juce::dontSendNotification);
        value.setText (gainToText (send.level), juce::dontSendNotification);
        tap.setButtonText (send.preInsert ? "pre" : "post");
        tap.setToggleState (send.preInsert, juce::dontSendNotification);
    }

    void setBusName (const juce::String& busName) { name.setText (busName, juce::dontSendNotification); }

    void resized() override
    {
        auto r = getLocalBounds();
        level.setBounds (r.removeFromLeft (height));
        remove.setBounds (r.removeFromRight (16).withSizeKeepingCentre (16, 16));
        r.removeFromRight (2);
        tap.setBounds (r.removeFromRight (28).withSizeKeepingCentre (28, 16));
        r.removeFromLeft (2);
        name.setBounds (r.removeFromTop (r.getHeight() / 2));
        value.setBounds (r);
    }

    MixerStrip& strip;
    const model::BusId bus;
    juce::Slider level { juce::Slider::RotaryHorizontalVerticalDrag, juce::Slider::NoTextBox };
    juce::Label name, value;
    juce::TextButton tap { "post" };
    juce::ShapeButton remove { "RemoveSend", {}, {}, {} };

private:
    const model::Send* findSend() const
    {
        if (const auto* inst = strip.findInstrument())
            for (const auto& s : inst->strip.sends)
                if (s.bus == bus)
                    return &s;
        return nullptr;
    }
};

//==============================================================================
MixerStrip::MixerStrip (GuiContext& c, model::NodeKind kind, std::uint32_t nodeId)
    : context (c),
      node (kind),
      id (kind == model::NodeKind::master ? 0u : nodeId),
      removeButton ("RemoveBus", {}, {}, {})
{
    static constexpr const char* kindNames[] = { "instrument", "bus", "master" };
    setComponentID (node == model::NodeKind::master ? juce::String ("Strip.master")
                                                    : juce::String ("Strip.") + kindNames[(int) node] + "." + juce::String (id));

    name.setComponentID ("Name");
    name.setFont (juce::Font (13.0f, juce::Font::bold));
    name.setJustificationType (juce::Justification::centred);
    name.setColour (juce::Label::textColourId, Palette::text);
    name.setMinimumHorizontalScale (0.6f);
    name.addMouseListener (this, false);
    if (node == model::NodeKind::bus)
    {
        name.setEditable (false, true, false);
        name.setTooltip ("Double-click to rename the bus");
        name.onTextChange = [this]
        { perform (model::action::RenameBus { model::BusId { id }, name.getText().trim().toStdString() }); };
    }
    addAndMakeVisible (name);

    fader.setComponentID ("Fader");
    fader.setRange (0.0, 2.0);
    fader.setSkewFactor (mixerFaderSkew);
    fader.setDoubleClickReturnValue (true, 1.0);
    fader.setTextBoxStyle (juce::Slider::TextBoxBelow, false, 56, 16);
    fader.setColour (juce::Slider::textBoxOutlineColourId, Palette::outline);
    fader.setColour (juce::Slider::textBoxTextColourId, Palette::text);
    fader.setColour (juce::Slider::textBoxBackgroundColourId, Palette::background);
    fader.textFromValueFunction = [] (double v)
    { return gainToText (v); };
    // Typed text is taken as dB; the slider clamps it to its range like a drag would.
    fader.valueFromTextFunction = [] (const juce::String& t)
    { return textToGain (t); };
    fader.updateText();
    fader.setTooltip ("Level (type a value in dB below; double-click for 0 dB; right-click to automate)");
    fader.onPopupMenu = [this]
    { automation::showMenu (context, automation::parameter (levelAddress()), "Level", fader); };
    fader.onValueChange = [this]
    { setParam (model::StripParam::level, fader.getValue()); };
    addAndMakeVisible (fader);
    addAndMakeVisible (meter);

    if (node != model::NodeKind::master)
    {
        pan.setComponentID ("Pan");
        pan.setRange (-1.0, 1.0);
        pan.setDoubleClickReturnValue (true, 0.0);
        pan.setTextBoxStyle (juce::Slider::TextBoxBelow, true, 44, 14);
        mixerStyleRotary (pan);
        pan.textFromValueFunction = [] (double v)
        { return mixerPanText (v); };
        pan.valueFromTextFunction = [] (const juce::String& t)
        { return mixerTextToPan (t); };
        pan.updateText(); // the box was made before the text function: show "C", not "0.0"
        pan.setTooltip ("Pan (double-click to centre)");
        pan.onValueChange = [this]
        { setParam (model::StripParam::pan, pan.getValue()); };
        addAndMakeVisible (pan);

        solo.setComponentID ("Solo");
        solo.setTooltip ("Solo");
        mixerStyleSmallButton (solo, Palette::solo);
        solo.onClick = [this]
        {
            bool soloed = false;
            if (const auto* inst = findInstrument())
                soloed = inst->strip.solo;
            else if (const auto* bus = findBus())
                soloed = bus->solo;
            perform (model::action::SetSolo { node, id, ! soloed });
        };
        addAndMakeVisible (solo);
    }

    mute.setComponentID ("Mute");
    mute.setTooltip ("Mute");
    mixerStyleSmallButton (mute, Palette::mute);
    mute.onClick = [this]
    {
        bool muted = context.getSession().mixer.master.mute;
        if (const auto* inst = findInstrument())
            muted = inst->strip.mute;
        else if (const auto* bus = findBus())
            muted = bus->mute;
        perform (model::action::SetMute { node, id, ! muted });
    };
    addAndMakeVisible (mute);

    if (node == model::NodeKind::instrument)
    {
        output.setComponentID ("Output");
        output.setTooltip ("Where this instrument's strip goes: the master or a bus");
        output.onChange = [this]
        {
            const auto chosen = output.getSelectedId();
            if (chosen > 0)
                perform (model::action::SetOutput { model::InstrumentId { id }, model::BusId { (std::uint32_t) (chosen - 1) } });
        };
        addAndMakeVisible (output);

        sendsHeader.setText ("Sends", juce::dontSendNotification);
        sendsHeader.setFont (juce::Font (11.0f));
        sendsHeader.setColour (juce::Label::textColourId, Palette::textDim);
        sendsHeader.setBorderSize ({});
        addAndMakeVisible (sendsHeader);

        addSend.setComponentID ("AddSend");
        addSend.setTooltip ("Send this instrument to a bus");
        mixerStyleSmallButton (addSend, Palette::accent);
        addSend.onClick = [this]
        {
            juce::Component::SafePointer<MixerStrip> safe (this);
            getAddSendMenu().showMenuAsync (juce::PopupMenu::Options().withTargetComponent (&addSend),
                                            [safe] (int chosen)
                                            {
                                                if (safe != nullptr)
                                                    safe->addSendMenuItemChosen (chosen);
                                            });
        };
        addAndMakeVisible (addSend);

        sendsViewport.setViewedComponent (&sendsContent, false);
        sendsViewport.setScrollBarsShown (true, false);
        sendsViewport.setScrollBarThickness (6);
        addAndMakeVisible (sendsViewport);
    }
    else
    {
        fxButton.setComponentID ("FX");
        fxButton.setTooltip ("Show this strip's effect chain");
        mixerStyleSmallButton (fxButton, Palette::accent);
        fxButton.onClick = [this]
        { showChain(); };
        addAndMakeVisible (fxButton);

        inputs.setComponentID ("Inputs");
        inputs.setFont (juce::Font (11.0f));
        inputs.setColour (juce::Label::textColourId, Palette::textDim);
        inputs.setJustificationType (juce::Justification::topLeft);
        inputs.setBorderSize ({ 1, 2, 1, 2 });
        inputs.setInterceptsMouseClicks (false, false);
        addAndMakeVisible (inputs);
    }

    if (node == model::NodeKind::bus)
    {
        removeButton.setComponentID ("RemoveBus");
        removeButton.setTooltip ("Remove this bus (what goes to it goes to the master)");
        mixerMakeCross (removeButton);
        removeButton.onClick = [this]
        {
            // Removing the bus destroys this strip: act after the click has unwound.
            juce::Component::SafePointer<MixerStrip> safe (this);
            const auto bus = model::BusId { id };
            juce::MessageManager::callAsync ([safe, bus]
                                             {
                                                 if (safe != nullptr)
                                                     safe->perform (model::action::RemoveBus { bus }); });
        };
        addAndMakeVisible (removeButton);
    }

    if (node == model::NodeKind::master)
        name.setText ("Master", juce::dontSendNotification);
}

MixerStrip::~MixerStrip()
{
    name.removeMouseListener (this);
}

const model::Instrument* MixerStrip::findInstrument() const
{
    return node == model::NodeKind::instrument ? context.getSession().instruments.find (model::InstrumentId { id }) : nullptr;
}

const model::Bus* MixerStrip::findBus() const
{
    return node == model::NodeKind::bus ? context.getSession().mixer.buses.find (model::BusId { id }) : nullptr;
}

void MixerStrip::perform (const model::Action& action)
{
    // A refused edit leaves the session as it was: show the model's values again.
    if (! context.perform (action).ok())
        refresh();
}

void MixerStrip::showChain()
{
    context.selection.showChainOf (node, id);
}

void MixerStrip::setParam (model::StripParam which, double value)
{
    const model::ParamAddress address { node, id, model::ParamGroup::strip, 0, (std::uint16_t) which };
    perform (model::action::SetParam { address, (float) value });
}

juce::String MixerStrip::gainToText (double gain)
{
    if (gain <= 0.0)
        return "-inf dB";
    return juce::String (20.0 * std::log10 (gain), 1) + " dB";
}

double MixerStrip::textToGain (const juce::String& text)
{
    const auto t = text.trim().toLowerCase();
    if (t.startsWith ("-inf"))
        return 0.0;
    return (double) mixerDbToGain ((float) t.getDoubleValue());
}

bool MixerStrip::refresh()
{
    const auto& session = context.getSession();
    switch (node)
    {
        case model::NodeKind::instrument:
        {
            const auto* inst = findInstrument();
            if (inst == nullptr)
                return false;
            name.setText (inst->name, juce::dontSendNotification);
            fader.setValue (inst->strip.level, juce::dontSendNotification);
            pan.setValue (inst->strip.pan, juce::dontSendNotification);
            mute.setToggleState (inst->strip.mute, juce::dontSendNotification);
            solo.setToggleState (inst->strip.solo, juce::dontSendNotification);
            refreshBusNames();
            output.setSelectedId (outputItemId (inst->strip.output), juce::dontSendNotification);

            bool sameSends = sendRows.size() == inst->strip.sends.size();
            for (std::size_t i = 0; sameSends && i < sendRows.size(); ++i)
                sameSends = sendRows[i]->bus == inst->strip.sends[i].bus;
            if (! sameSends)
                rebuildSendRows (inst->strip.sends);
            for (std::size_t i = 0; i < sendRows.size(); ++i)
            {
                const auto* bus = session.mixer.buses.find (sendRows[i]->bus);
                sendRows[i]->show (inst->strip.sends[i], bus != nullptr ? juce::String (bus->name) : juce::String ("?"));
            }
            refreshEditable();

            Feeds now { inst->name, inst->strip.output, {} };
            for (const auto& send : inst->strip.sends)
                now.sends.push_back (send.bus);
            if (now == shownFeeds)
                return false;
            shownFeeds = std::move (now);
            return true;
        }
        case model::NodeKind::bus:
        {
            const auto* bus = findBus();
            if (bus == nullptr)
                return false;
            if (! name.isBeingEdited())
                name.setText (bus->name, juce::dontSendNotification);
            fader.setValue (bus->level, juce::dontSendNotification);
            pan.setValue (bus->pan, juce::dontSendNotification);
            mute.setToggleState (bus->mute, juce::dontSendNotification);
            solo.setToggleState (bus->solo, juce::dontSendNotification);
            break;
        }
        case model::NodeKind::master:
            fader.setValue (session.mixer.master.level, juce::dontSendNotification);
            mute.setToggleState (session.mixer.master.mute, juce::dontSendNotification);
            break;
    }
    return false;
}

void MixerStrip::refreshBusNames()
{
    if (node != model::NodeKind::instrument)
        return;
    const auto& buses = context.getSession().mixer.buses;
    std::vector<std::pair<model::BusId, std::string>> now;
    now.reserve (buses.size());
    for (const auto& b : buses)
        now.emplace_back (b.id, b.name);
    if (now == shownBuses)
        return;
    shownBuses = std::move (now);
    rebuildOutputItems();
    for (auto& row : sendRows)
        if (const auto* bus = buses.find (row->bus))
            row->setBusName (bus->name);
}

void MixerStrip::rebuildOutputItems()
{
    const auto selected = output.getSelectedId();
    output.clear (juce::dontSendNotification);
    output.addItem ("Master", 1);
    for (const auto& [busId, busName] : shownBuses)
        output.addItem (busName, outputItemId (busId));
    output.setSelectedId (selected, juce::dontSendNotification);
}

void MixerStrip::refreshEditable()
{
    if (node != model::NodeKind::instrument)
        return;
    const bool editable = context.session.canEditInstrument (model::InstrumentId { id });
    setEnabled (editable);
    setAlpha (editable ? 1.0f : 0.45f);
    name.setTooltip (editable ? juce::String() : juce::String ("Another seat owns this instrument"));
}

void MixerStrip::setInputsText (const juce::String& text)
{
    inputs.setText (text, juce::dontSendNotification);
}

void MixerStrip::setShowingChain (bool shouldShow)
{
    if (shouldShow == showingChain)
        return;
    showingChain = shouldShow;
    repaint();
}

void MixerStrip::rebuildSendRows (const std::vector<model::Send>& sends)
{
    sendRows.clear();
    for (const auto& send : sends)
    {
        auto row = std::make_unique<SendRow> (*this, send.bus);
        sendsContent.addAndMakeVisible (*row);
        sendRows.push_back (std::move (row));
    }
    layoutSendRows();
}

void MixerStrip::layoutSendRows()
{
    const auto rowsHeight = (int) sendRows.size() * SendRow::height;
    const auto w = sendsViewport.getWidth() - (rowsHeight > sendsViewport.getHeight() ? sendsViewport.getScrollBarThickness() : 0);
    sendsContent.setSize (juce::jmax (0, w), rowsHeight);
    for (std::size_t i = 0; i < sendRows.size(); ++i)
        sendRows[i]->setBounds (0, (int) i * SendRow::height, sendsContent.getWidth(), SendRow::height);
}

juce::PopupMenu MixerStrip::getAddSendMenu() const
{
    juce::PopupMenu menu;
    const auto* inst = findInstrument();
    if (inst == nullptr)
        return menu;
    for (const auto& bus : context.getSession().mixer.buses)
    {
        const bool sending = std::any_of (inst->strip.sends.begin(), inst->strip.sends.end(), [&] (const model::Send& s)
                                          { return s.bus == bus.id; });
        if (! sending)
            menu.addItem ((int) bus.id.value, "Send to " + juce::String (bus.name));
    }
    if (menu.getNumItems() == 0)
        menu.addItem (-1, context.getSession().mixer.buses.empty() ? "No buses: add one first" : "Already sends to every bus", false);
    return menu;
}

juce::PopupMenu MixerStrip::getFaderMenu() const
{
    return automation::makeMenu (context.getSession(), automation::parameter (levelAddress()), "Level");
}

void MixerStrip::faderMenuItemChosen (int itemId)
{
    automation::menuItemChosen (context, automation::parameter (levelAddress()), itemId);
}

void MixerStrip::addSendMenuItemChosen (int busId)
{
    if (busId <= 0)
        return;
    perform (model::action::AddSend { model::InstrumentId { id }, model::BusId { (std::uint32_t) busId }, mixerNewSendLevel, false });
}

void MixerStrip::mouseDown (const juce::MouseEvent& e)
{
    // A click on the strip's face (or its name) makes it the chain view's subject, as FX does.
    if (e.eventComponent == this || e.eventComponent == &name)
        showChain();
}

void MixerStrip::paint (juce::Graphics& g)
{
    const auto r = getLocalBounds().toFloat().reduced (2.0f, 1.0f);
    g.setColour (node == model::NodeKind::master ? Palette::panelLight.brighter (0.05f) : Palette::panelLight);
    g.fillRoundedRectangle (r, 4.0f);
    g.setColour (showingChain ? Palette::accent : Palette::outline);
    g.drawRoundedRectangle (r.reduced (0.5f), 4.0f, showingChain ? 2.0f : 1.0f);
}

void MixerStrip::resized()
{
    auto area = getLocalBounds().reduced (6, 5);
    name.setBounds (area.removeFromTop (18));
    area.removeFromTop (2);

    auto route = area.removeFromTop (20);
    if (node == model::NodeKind::instrument)
        output.setBounds (route);
    else
    {
        if (node == model::NodeKind::bus)
            removeButton.setBounds (route.removeFromRight (20));
        route.removeFromRight (4);
        fxButton.setBounds (route);
    }
    area.removeFromTop (4);

    auto middle = area.removeFromTop (16 + 2 * SendRow::height);
    if (node == model::NodeKind::instrument)
    {
        auto header = middle.removeFromTop (16);
        addSend.setBounds (header.removeFromRight (20));
        sendsHeader.setBounds (header);
        sendsViewport.setBounds (middle);
        layoutSendRows();
    }
    else
        inputs.setBounds (middle);
    area.removeFromTop (4);

    // The bottom: fader and its dB box, the meter beside the fader's travel, and pan, mute, solo.
    auto column = area.removeFromRight (40);
    if (node != model::NodeKind::master)
    {
        pan.setBounds (column.removeFromTop (50));
        column.removeFromTop (4);
        solo.setBounds (column.removeFromBottom (20));
        column.removeFromBottom (4);
    }
    mute.setBounds (column.removeFromBottom (20));
    area.removeFromRight (4);

    auto meterArea = area.removeFromRight (12);
    area.removeFromRight (2);
    fader.setTextBoxStyle (juce::Slider::TextBoxBelow, false, area.getWidth(), 16);
    fader.setBounds (area);
    // Beside the fader's travel: above its text box, inset by the thumb's radius at both ends.
    meter.setBounds (meterArea.withTrimmedBottom (18).reduced (0, 6));
}

} // namespace imbolc::gui
