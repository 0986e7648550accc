namespace imbolc::gui
{

namespace
{
    const char* const keyNames[] = { "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B" };
    const char* const scaleNames[] = { "major", "minor", "dorian", "phrygian", "lydian", "mixolydian", "locrian", "harmonic minor",
                                       "melodic minor", "major pentatonic", "minor pentatonic", "blues", "chromatic" };
    static_assert (std::size (scaleNames) == (std::size_t) model::numScales);
    const int denominators[] = { 1, 2, 4, 8, 16, 32 };

    /** "112", "112.5": no trailing zeros, at most `decimals`. */
    juce::String formatNumber (double v, int decimals)
    {
        auto s = juce::String (v, decimals);
        if (s.containsChar ('.'))
            s = s.trimCharactersAtEnd ("0").trimCharactersAtEnd (".");
        return s;
    }

    /** A typed number, with an optional unit after it ("140", "140 bpm", "12 %"); nullopt if it is not one. */
    std::optional<double> parseNumber (const juce::String& typed)
    {
        const auto t = typed.trim();
        // The number is everything up to the first character that cannot be part of it.
        int end = 0;
        while (end < t.length() && juce::String ("0123456789.-+eE").containsChar (t[end]))
            ++end;
        const auto number = t.substring (0, end);
        const auto unit = t.substring (end).trim();
        if (number.isEmpty() || ! number.containsAnyOf ("0123456789") || unit.containsAnyOf ("0123456789"))
            return std::nullopt;
        const auto v = number.getDoubleValue();
        if (! std::isfinite (v))
            return std::nullopt;
        return v;
    }

    juce::String twoDigits (juce::int64 v) { return juce::String (v).paddedLeft ('0', 2); }
} // namespace

//==============================================================================
DragValueField::DragValueField()
{
    label.setJustificationType (juce::Justification::centred);
    label.setColour (juce::Label::textColourId, LookAndFeel::Palette::text);
    label.setFont (juce::Font (15.0f));
    // The field takes the mouse (drag or click); the label only shows the text and its editor.
    label.setInterceptsMouseClicks (false, true);
    label.onTextChange = [this]
    {
        if (onTextTyped)
            onTextTyped (label.getText());
    };
    addAndMakeVisible (label);
    setMouseCursor (juce::MouseCursor::UpDownResizeCursor);
    setWantsKeyboardFocus (false);
}

void DragValueField::setDragRange (double lo, double hi, double unitsPerPixel, double interval)
{
    dragLo = lo;
    dragHi = juce::jmax (lo, hi);
    dragUnitsPerPixel = unitsPerPixel;
    dragInterval = interval;
}

void DragValueField::setValue (double v)
{
    if (label.isBeingEdited())
        return;
    value = v;
    label.setText (format ? format (v) : formatNumber (v, 2), juce::dontSendNotification);
}

void DragValueField::paint (juce::Graphics& g)
{
    const auto r = getLocalBounds().toFloat().reduced (0.5f);
    g.setColour (dragging ? LookAndFeel::Palette::selection : LookAndFeel::Palette::panelLight);
    g.fillRoundedRectangle (r, 3.0f);
    g.setColour (LookAndFeel::Palette::outline);
    g.drawRoundedRectangle (r, 3.0f, 1.0f);
}

void DragValueField::resized()
{
    label.setBounds (getLocalBounds());
}

void DragValueField::mouseDown (const juce::MouseEvent& e)
{
    valueOnMouseDown = lastDragValue = value;
    dragging = false;
    menuClick = e.mods.isPopupMenu() && onPopupMenu != nullptr;
    if (menuClick)
        onPopupMenu();
}

void DragValueField::mouseDrag (const juce::MouseEvent& e)
{
    if (menuClick || (! dragging && std::abs (e.getDistanceFromDragStartY()) < 3))
        return;
    if (! dragging)
    {
        dragging = true;
        repaint();
    }
    const auto perPixel = e.mods.isShiftDown() ? dragUnitsPerPixel * 0.1 : dragUnitsPerPixel;
    auto v = valueOnMouseDown - e.getDistanceFromDragStartY() * perPixel;
    // Shift drags finely, so it does not snap to the coarse interval.
    if (dragInterval > 0.0 && ! e.mods.isShiftDown())
        v = std::round (v / dragInterval) * dragInterval;
    v = juce::jlimit (dragLo, dragHi, v);
    if (v != lastDragValue)
    {
        lastDragValue = v;
        if (onDrag)
            onDrag (v);
    }
}

void DragValueField::mouseUp (const juce::MouseEvent& e)
{
    if (std::exchange (menuClick, false))
        return;
    if (dragging)
    {
        dragging = false;
        repaint();
        return;
    }
    if (e.mouseWasClicked() && e.mods.isLeftButtonDown())
        showEditor();
}

//==============================================================================
/** The transport's buttons: drawn icons, lit when on (playing, loop enabled). */
class TransportBar::IconButton final : public juce::Button
{
public:
    enum class Icon
    {
        locate,
        play,
        stop,
        autoRecord,
        loop,
        record
    };

    IconButton (const juce::String& name, Icon i, juce::Colour onColour)
        : juce::Button (name),
          icon (i),
          lit (onColour)
    {
        setComponentID (name);
        setTooltip (name);
    }

    void paintButton (juce::Graphics& g, bool highlighted, bool down) override
    {
        const auto r = getLocalBounds().toFloat().reduced (1.0f);
        const bool on = getToggleState();
        auto fill = on ? lit.withAlpha (0.85f) : LookAndFeel::Palette::panelLight;
        if (down)
            fill = fill.darker (0.2f);
        else if (highlighted)
            fill = fill.brighter (0.12f);
        g.setColour (fill);
        g.fillRoundedRectangle (r, 4.0f);
        g.setColour (LookAndFeel::Palette::outline);
        g.drawRoundedRectangle (r, 4.0f, 1.0f);

        g.setColour (on ? LookAndFeel::Palette::background : LookAndFeel::Palette::text);
        const auto c = r.getCentre();
        const auto s = juce::jmin (r.getWidth(), r.getHeight()) * 0.22f;
        juce::Path p;
        switch (icon)
        {
            case Icon::play:
                p.addTriangle (c.x - s * 0.8f, c.y - s, c.x - s * 0.8f, c.y + s, c.x + s * 1.1f, c.y);
                g.fillPath (p);
                break;
            case Icon::stop:
                g.fillRect (juce::Rectangle<float> (s * 1.8f, s * 1.8f).withCentre (c));
                break;
            case Icon::locate:
                g.fillRect (c.x - s * 1.1f, c.y - s, s * 0.35f, s * 2.0f);
                p.addTriangle (c.x + s * 0.9f, c.y - s, c.x + s * 0.9f, c.y + s, c.x - s * 0.6f, c.y);
                g.fillPath (p);
                break;
            case Icon::record:
                g.fillEllipse (juce::Rectangle<float> (s * 2.0f, s * 2.0f).withCentre (c));
                break;
            case Icon::autoRecord:
            {
                // A record dot beside a rising automation line.
                g.fillEllipse (juce::Rectangle<float> (s * 1.3f, s * 1.3f).withCentre ({ c.x - s * 0.7f, c.y - s * 0.35f }));
                juce::Path line;
                line.startNewSubPath (c.x - s * 1.3f, c.y + s * 1.1f);
                line.lineTo (c.x - s * 0.1f, c.y + s * 1.1f);
                line.lineTo (c.x + s * 1.2f, c.y - s * 0.9f);
                g.strokePath (line, juce::PathStrokeType (1.6f));
                break;
            }
            case Icon::loop:
            {
                // Two arrows chasing each other round a rounded rectangle.
                const auto box = juce::Rectangle<float> (s * 2.6f, s * 1.7f).withCentre (c);
                p.addRoundedRectangle (box, s * 0.6f);
                g.strokePath (p, juce::PathStrokeType (1.6f));
                juce::Path heads;
                heads.addTriangle (box.getCentreX() - s * 0.1f, box.getY() - s * 0.45f, box.getCentreX() - s * 0.1f, box.getY() + s * 0.45f,
                                   box.getCentreX() + s * 0.55f, box.getY());
                heads.addTriangle (box.getCentreX() + s * 0.1f, box.getBottom() - s * 0.45f, box.getCentreX() + s * 0.1f, box.getBottom() + s * 0.45f,
                                   box.getCentreX() - s * 0.55f, box.getBottom());
                g.fillPath (heads);
                break;
            }
        }
    }

private:
    Icon icon;
    juce::Colour lit;
};

//==============================================================================
TransportBar::TransportBar (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("TransportBar");
    setOpaque (true);

    using Icon = IconButton::Icon;
    locateButton = std::make_unique<IconButton> ("LocateStart", Icon::locate, LookAndFeel::Palette::accent);
    playButton = std::make_unique<IconButton> ("Play", Icon::play, LookAndFeel::Palette::meterLow);
    stopButton = std::make_unique<IconButton> ("Stop", Icon::stop, LookAndFeel::Palette::accent);
    autoRecordButton = std::make_unique<IconButton> ("AutomationRecord", Icon::autoRecord, LookAndFeel::Palette::meterHigh);
    autoRecordButton->setTooltip ("Automation record: while playing, moving a knob or fader writes its lane");
    loopButton = std::make_unique<IconButton> ("Loop", Icon::loop, LookAndFeel::Palette::accent);
    recordButton = std::make_unique<IconButton> ("Record", Icon::record, LookAndFeel::Palette::meterHigh);
    recordButton->setTooltip ("Record: with Play, what is played into the armed (or selected) instrument becomes notes");
    for (auto* b : { locateButton.get(), playButton.get(), stopButton.get(), recordButton.get(), autoRecordButton.get(), loopButton.get() })
    {
        // The buttons show the session's state; a click only asks for the change.
        b->setClickingTogglesState (false);
        b->setWantsKeyboardFocus (false);
        addAndMakeVisible (*b);
    }
    locateButton->onClick = [this] { context.perform (model::action::Locate { 0 }); };
    playButton->onClick = [this] { context.perform (model::action::Play {}); };
    stopButton->onClick = [this] { context.perform (model::action::Stop {}); };
    recordButton->onClick = [this]
    { context.perform (model::action::SetRecording { ! context.getSession().transport.recording }); };
    autoRecordButton->onClick = [this]
    { context.perform (model::action::SetAutomationRecording { ! context.getSession().transport.automationRecording }); };
    loopButton->onClick = [this]
    {
        auto loop = context.getSession().settings.loop;
        loop.enabled = ! loop.enabled;
        setLoop (loop);
    };

    // Ableton Link is the app's, not the session's: the button asks the app, and shows what Link says.
    linkButton.setComponentID ("Link");
    linkButton.setClickingTogglesState (false);
    linkButton.setWantsKeyboardFocus (false);
    linkButton.onClick = [this]
    {
        if (context.linkStatus != nullptr && context.setLinkEnabled != nullptr)
            context.setLinkEnabled (! context.linkStatus().enabled);
        refreshLink();
    };
    addAndMakeVisible (linkButton);
    refreshLink();

    const auto setUpField = [this] (DragValueField& f, const char* id, const char* tooltip)
    {
        f.setComponentID (id);
        f.setTooltip (tooltip);
        addAndMakeVisible (f);
    };
    setUpField (loopStart, "LoopStart", "Loop start (bar; drag or click to type)");
    setUpField (loopEnd, "LoopEnd", "Loop end (bar; drag or click to type)");
    setUpField (bpm, "Bpm", "Tempo in beats per minute (drag, shift-drag finely, or click to type)");
    setUpField (swing, "Swing", "Swing: how far every second eighth is delayed");

    for (auto* f : { &loopStart, &loopEnd })
    {
        f->format = [this] (double v) { return formatBars ((model::Tick) v, beatsPerBar()); };
        f->onDrag = [this, isStart = f == &loopStart] (double v)
        {
            auto loop = context.getSession().settings.loop;
            (isStart ? loop.start : loop.end) = (model::Tick) v;
            setLoop (loop);
        };
        f->onTextTyped = [this, isStart = f == &loopStart] (const juce::String& t) { typedLoopPoint (t, isStart); };
    }

    bpm.format = [] (double v) { return formatNumber (v, 2); };
    bpm.setDragRange (20.0, 999.0, 0.5, 1.0);
    bpm.onDrag = [this] (double v) { context.perform (model::action::SetBpm { v }); };
    bpm.onTextTyped = [this] (const juce::String& t) { typedBpm (t); };
    bpm.onPopupMenu = [this]
    { automation::showMenu (context, automation::tempo(), "Tempo", bpm); };

    swing.format = [] (double v) { return formatNumber (v * 100.0, 1) + " %"; };
    swing.setDragRange (0.0, 1.0, 0.005, 0.01);
    swing.onDrag = [this] (double v) { context.perform (model::action::SetSwing { (float) v }); };
    swing.onTextTyped = [this] (const juce::String& t) { typedSwing (t); };
    swing.onPopupMenu = [this]
    { automation::showMenu (context, automation::swing(), "Swing", swing); };

    position.setComponentID ("Position");
    position.setFont (juce::Font (juce::Font::getDefaultMonospacedFontName(), 20.0f, juce::Font::bold));
    position.setColour (juce::Label::textColourId, LookAndFeel::Palette::text);
    position.setJustificationType (juce::Justification::centredLeft);
    position.setTooltip ("Play head: bar:beat:tick");
    time.setComponentID ("Time");
    time.setFont (juce::Font (juce::Font::getDefaultMonospacedFontName(), 13.0f, juce::Font::plain));
    time.setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
    time.setJustificationType (juce::Justification::centredLeft);
    time.setTooltip ("Play head: minutes:seconds.milliseconds");
    for (auto* l : { &position, &time })
    {
        l->setBorderSize ({});
        l->setInterceptsMouseClicks (false, false);
        addAndMakeVisible (*l);
    }

    for (int n = 1; n <= 32; ++n)
        numerator.addItem (juce::String (n), n);
    for (auto d : denominators)
        denominator.addItem (juce::String (d), d);
    for (int k = 0; k < 12; ++k)
        key.addItem (keyNames[k], k + 1);
    for (int s = 0; s < model::numScales; ++s)
        scale.addItem (scaleNames[s], s + 1);
    numerator.setComponentID ("TimeSigNumerator");
    denominator.setComponentID ("TimeSigDenominator");
    key.setComponentID ("Key");
    scale.setComponentID ("Scale");
    numerator.setTooltip ("Beats per bar");
    denominator.setTooltip ("Beat value");
    numerator.onChange = [this] { sendTimeSignature(); };
    denominator.onChange = [this] { sendTimeSignature(); };
    key.onChange = [this] { sendKey(); };
    scale.onChange = [this] { sendKey(); };
    countIn.addItem ("No count-in", 1);
    countIn.addItem ("1 bar", 2);
    countIn.addItem ("2 bars", 3);
    recordMode.addItem ("Overdub", 1);
    recordMode.addItem ("Replace", 2);
    countIn.setComponentID ("CountIn");
    recordMode.setComponentID ("RecordMode");
    countIn.setTooltip ("Count-in: the song starts this many bars before the record position, with a click");
    recordMode.setTooltip ("Loop recording: each pass adds its notes (overdub) or replaces the earlier passes' notes");
    countIn.onChange = [this] { sendRecordOptions(); };
    recordMode.onChange = [this] { sendRecordOptions(); };
    for (auto* box : { &numerator, &denominator, &key, &scale, &countIn, &recordMode })
    {
        box->setWantsKeyboardFocus (false);
        addAndMakeVisible (*box);
    }

    audioLoad.setComponentID ("AudioLoad");
    serverLoad.setComponentID ("ServerLoad");
    audioLoad.setTooltip ("The audio callback's share of its time, and the device's over- and underruns");
    serverLoad.setTooltip ("The SuperCollider server playing the session's SC instruments");
    for (auto* l : { &audioLoad, &serverLoad })
    {
        l->setFont (juce::Font (13.0f));
        l->setJustificationType (juce::Justification::centredRight);
        l->setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
        l->setInterceptsMouseClicks (false, false);
        addChildComponent (*l);
    }

    refreshSettings();
    refreshTransport();
    context.meters.addListener (this);
    metersUpdated (context.meters.latest());
}

TransportBar::~TransportBar()
{
    context.meters.removeListener (this);
}

int TransportBar::beatsPerBar() const
{
    return juce::jmax (1, (int) context.getSession().settings.timeSigNumerator);
}

//==============================================================================
juce::String TransportBar::formatPosition (model::Tick tick, int beatsPerBar)
{
    tick = std::max<model::Tick> (0, tick);
    const auto barTicks = (model::Tick) model::ticksPerBeat * std::max (1, beatsPerBar);
    const auto inBar = tick % barTicks;
    return juce::String (tick / barTicks + 1) + ":" + juce::String (inBar / model::ticksPerBeat + 1) + ":"
         + juce::String (inBar % model::ticksPerBeat);
}

juce::String TransportBar::formatTime (model::Tick tick, double bpm)
{
    const auto ms = bpm > 0.0 ? (juce::int64) std::llround ((double) std::max<model::Tick> (0, tick) * 60000.0 / ((double) model::ticksPerBeat * bpm)) : 0;
    return juce::String (ms / 60000) + ":" + twoDigits ((ms / 1000) % 60) + "." + juce::String (ms % 1000).paddedLeft ('0', 3);
}

juce::String TransportBar::formatBars (model::Tick tick, int beatsPerBar)
{
    const auto barTicks = (model::Tick) model::ticksPerBeat * std::max (1, beatsPerBar);
    if (tick >= 0 && tick % barTicks == 0)
        return juce::String (tick / barTicks + 1);
    const auto full = formatPosition (tick, beatsPerBar);
    return tick % model::ticksPerBeat == 0 ? full.upToLastOccurrenceOf (":", false, false) : full;
}

std::optional<model::Tick> TransportBar::parseBars (const juce::String& typed, int beatsPerBar)
{
    juce::StringArray parts;
    parts.addTokens (typed.trim(), ":.", "");
    if (parts.isEmpty() || parts.size() > 3)
        return std::nullopt;
    std::int64_t values[3] = { 1, 1, 0 };
    for (int i = 0; i < parts.size(); ++i)
    {
        const auto p = parts[i].trim();
        if (p.isEmpty() || ! p.substring (p[0] == '-' ? 1 : 0).containsOnly ("0123456789") || p.length() > 9)
            return std::nullopt;
        values[i] = p.getLargeIntValue();
    }
    // Bar 0 or less is kept as typed (a negative tick): the dispatcher refuses it with its sentence.
    const auto barTicks = (model::Tick) model::ticksPerBeat * std::max (1, beatsPerBar);
    return (values[0] - 1) * barTicks + (values[1] - 1) * model::ticksPerBeat + values[2];
}

//==============================================================================
void TransportBar::sessionChanged (const app::SessionChange& change)
{
    if (change.everything || change.items.settings)
        refreshSettings();
    if (change.everything || change.items.transport)
        refreshTransport();
}

void TransportBar::refreshSettings()
{
    const auto& s = context.getSession().settings;
    const auto barTicks = (model::Tick) model::ticksPerBeat * beatsPerBar();

    bpm.setValue (s.bpm);
    swing.setValue (s.swing);
    // A dragged loop point moves by bars and never past the other one, so a drag cannot make an
    // empty loop; a typed one can, and the dispatcher says why it refuses.
    loopStart.setDragRange (0.0, (double) (((s.loop.end - 1) / barTicks) * barTicks), (double) barTicks / 12.0, (double) barTicks);
    loopEnd.setDragRange ((double) ((s.loop.start / barTicks + 1) * barTicks), (double) (barTicks * 9999), (double) barTicks / 12.0, (double) barTicks);
    loopStart.setValue ((double) s.loop.start);
    loopEnd.setValue ((double) s.loop.end);
    loopButton->setToggleState (s.loop.enabled, juce::dontSendNotification);

    numerator.setSelectedId (s.timeSigNumerator, juce::dontSendNotification);
    denominator.setSelectedId (s.timeSigDenominator, juce::dontSendNotification);
    key.setSelectedId (s.key + 1, juce::dontSendNotification);
    scale.setSelectedId ((int) s.scale + 1, juce::dontSendNotification);
    countIn.setSelectedId (s.countInBars + 1, juce::dontSendNotification);
    recordMode.setSelectedId ((int) s.recordMode + 1, juce::dontSendNotification);

    // Tempo and bar length change what the play head's position reads as.
    refreshPosition();
}

void TransportBar::refreshTransport()
{
    playButton->setToggleState (context.getSession().transport.playing, juce::dontSendNotification);
    autoRecordButton->setToggleState (context.getSession().transport.automationRecording, juce::dontSendNotification);
    recordButton->setToggleState (context.getSession().transport.recording, juce::dontSendNotification);
}

void TransportBar::sendRecordOptions()
{
    const auto& s = context.getSession().settings;
    const auto bars = countIn.getSelectedId() > 0 ? countIn.getSelectedId() - 1 : s.countInBars;
    const auto mode = recordMode.getSelectedId() > 0 ? (model::RecordMode) (recordMode.getSelectedId() - 1) : s.recordMode;
    if (bars != s.countInBars || mode != s.recordMode)
        context.perform (model::action::SetRecordOptions { mode, bars });
    refreshSettings(); // a refusal puts the boxes back
}

juce::PopupMenu TransportBar::getTempoMenu() const
{
    return automation::makeMenu (context.getSession(), automation::tempo(), "Tempo");
}

void TransportBar::tempoMenuItemChosen (int itemId)
{
    automation::menuItemChosen (context, automation::tempo(), itemId);
}

juce::PopupMenu TransportBar::getSwingMenu() const
{
    return automation::makeMenu (context.getSession(), automation::swing(), "Swing");
}

void TransportBar::swingMenuItemChosen (int itemId)
{
    automation::menuItemChosen (context, automation::swing(), itemId);
}

void TransportBar::refreshPosition()
{
    // Label::setText repaints only when the text differs, so an idle play head costs no painting.
    position.setText (formatPosition (playhead, beatsPerBar()), juce::dontSendNotification);
    time.setText (formatTime (playhead, context.getSession().settings.bpm), juce::dontSendNotification);
}

void TransportBar::refreshLink()
{
    const bool available = context.linkStatus != nullptr && context.setLinkEnabled != nullptr;
    linkButton.setEnabled (available);
    if (! available)
    {
        linkButton.setToggleState (false, juce::dontSendNotification);
        linkButton.setButtonText ("Link");
        linkButton.setTooltip (context.linkUnavailable);
        return;
    }
    const auto status = context.linkStatus();
    linkButton.setToggleState (status.enabled, juce::dontSendNotification);
    // "Link 2": on, with two other Link apps in the session.
    linkButton.setButtonText (status.enabled ? "Link " + juce::String (status.peers) : juce::String ("Link"));
    linkButton.setTooltip (status.enabled ? "Ableton Link is on: " + juce::String (status.peers) + (status.peers == 1 ? " peer" : " peers") + " share the tempo, the bar's phase and start/stop (click: off)"
                                          : juce::String ("Ableton Link: share the tempo, the bar's phase and start/stop with other apps on the network (click: on)"));
}

void TransportBar::metersUpdated (const MeterFrame& frame)
{
    refreshLink();
    if (frame.metering.playhead != playhead)
    {
        playhead = frame.metering.playhead;
        refreshPosition();
    }

    audioLoad.setVisible (frame.hasLocalAudio);
    if (frame.hasLocalAudio)
    {
        auto text = "CPU " + juce::String (frame.cpuLoad * 100.0f, 1) + " %";
        if (frame.droppedBlocks > 0)
            text << ", " << frame.droppedBlocks << " dropped";
        audioLoad.setText (text, juce::dontSendNotification);
        const bool trouble = frame.droppedBlocks > 0 || frame.cpuLoad > 0.9f;
        audioLoad.setColour (juce::Label::textColourId, trouble ? LookAndFeel::Palette::warning : LookAndFeel::Palette::textDim);
    }

    using State = protocol::ServerMeter::State;
    const auto& server = frame.metering.server;
    serverLoad.setVisible (server.state != State::none);
    if (server.state == State::running)
    {
        serverLoad.setText ("scsynth: " + juce::String (server.averageCpu, 1) + " % / " + juce::String (server.synths) + " synths", juce::dontSendNotification);
        serverLoad.setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
    }
    else if (server.state == State::lost)
    {
        serverLoad.setText ("scsynth lost", juce::dontSendNotification);
        serverLoad.setColour (juce::Label::textColourId, LookAndFeel::Palette::warning);
    }
}

//==============================================================================
void TransportBar::typedBpm (const juce::String& typed)
{
    if (const auto v = parseNumber (typed))
        context.perform (model::action::SetBpm { *v });
    else
        context.showMessage ("\"" + typed.trim() + "\" is not a tempo: type beats per minute, 20 to 999.");
    // Accepted, the field shows the session's new value; refused, it goes back to the old one.
    refreshSettings();
}

void TransportBar::typedSwing (const juce::String& typed)
{
    if (const auto v = parseNumber (typed))
        context.perform (model::action::SetSwing { (float) (*v / 100.0) });
    else
        context.showMessage ("\"" + typed.trim() + "\" is not a swing amount: type a percentage, 0 to 100.");
    refreshSettings();
}

void TransportBar::typedLoopPoint (const juce::String& typed, bool isStart)
{
    if (const auto tick = parseBars (typed, beatsPerBar()))
    {
        auto loop = context.getSession().settings.loop;
        (isStart ? loop.start : loop.end) = *tick;
        setLoop (loop);
    }
    else
    {
        context.showMessage ("\"" + typed.trim() + "\" is not a position: type a bar (\"5\"), or bar:beat (\"4:3\").");
    }
    refreshSettings();
}

void TransportBar::setLoop (model::LoopRegion loop)
{
    context.perform (model::action::SetLoop { loop });
}

void TransportBar::sendTimeSignature()
{
    const auto& s = context.getSession().settings;
    const auto n = numerator.getSelectedId() > 0 ? numerator.getSelectedId() : s.timeSigNumerator;
    const auto d = denominator.getSelectedId() > 0 ? denominator.getSelectedId() : s.timeSigDenominator;
    if (n != s.timeSigNumerator || d != s.timeSigDenominator)
        context.perform (model::action::SetTimeSignature { n, d });
    refreshSettings();
}

void TransportBar::sendKey()
{
    const auto& s = context.getSession().settings;
    const auto k = key.getSelectedId() > 0 ? key.getSelectedId() - 1 : s.key;
    const auto sc = scale.getSelectedId() > 0 ? (model::Scale) (scale.getSelectedId() - 1) : s.scale;
    if (k != s.key || sc != s.scale)
        context.perform (model::action::SetKey { k, sc });
    refreshSettings();
}

//==============================================================================
void TransportBar::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
    g.setColour (LookAndFeel::Palette::outline);
    g.fillRect (getLocalBounds().removeFromBottom (1));

    // Captions sit over their fields; they are fixed, so only a resize repaints them.
    g.setColour (LookAndFeel::Palette::textDim);
    g.setFont (juce::Font (11.0f));
    const auto caption = [&g] (const juce::Component& over, const char* text, int width = 0)
    {
        g.drawText (text, over.getX(), 2, width > 0 ? width : over.getWidth(), 15, juce::Justification::centredLeft, false);
    };
    caption (*loopButton, "Loop", loopEnd.getRight() - loopButton->getX());
    caption (position, "Position");
    caption (bpm, "BPM");
    caption (numerator, "Time sig.", denominator.getRight() - numerator.getX());
    caption (key, "Key", scale.getRight() - key.getX());
    caption (swing, "Swing");
    caption (countIn, "Recording", recordMode.getRight() - countIn.getX());

    g.setColour (LookAndFeel::Palette::textDim);
    g.setFont (juce::Font (14.0f));
    g.drawText ("-", loopStart.getRight(), loopStart.getY(), loopEnd.getX() - loopStart.getRight(), loopStart.getHeight(), juce::Justification::centred, false);
    g.drawText ("/", numerator.getRight(), numerator.getY(), denominator.getX() - numerator.getRight(), numerator.getHeight(), juce::Justification::centred, false);
}

void TransportBar::resized()
{
    auto area = getLocalBounds().reduced (8, 0);
    const int fieldY = 19, fieldH = 28;
    const auto take = [&area] (int width, int gapAfter)
    {
        auto r = area.removeFromLeft (juce::jmin (width, area.getWidth()));
        area.removeFromLeft (juce::jmin (gapAfter, area.getWidth()));
        return r;
    };
    const auto field = [&] (int width, int gapAfter) { return take (width, gapAfter).withY (fieldY).withHeight (fieldH); };
    const auto button = [&] (int width, int gapAfter) { return take (width, gapAfter).withSizeKeepingCentre (width, 34); };

    // Narrow gaps between groups: with recording's and Link's controls the bar holds 20 of them, and at
    // 1280 pixels every one still shows (the load figures take what is left on the right: all of them
    // in the app's 1400-pixel window).
    locateButton->setBounds (button (36, 4));
    playButton->setBounds (button (42, 4));
    stopButton->setBounds (button (36, 4));
    recordButton->setBounds (button (36, 4));
    autoRecordButton->setBounds (button (36, 12));

    loopButton->setBounds (field (34, 6));
    loopStart.setBounds (field (56, 0));
    take (14, 0);
    loopEnd.setBounds (field (56, 14));

    auto pos = take (116, 12);
    position.setBounds (pos.withY (16).withHeight (22));
    time.setBounds (pos.withY (37).withHeight (16));

    // Link beside the tempo it shares.
    linkButton.setBounds (field (52, 6));
    bpm.setBounds (field (72, 12));
    numerator.setBounds (field (52, 0));
    take (12, 0);
    denominator.setBounds (field (52, 12));
    key.setBounds (field (56, 4));
    scale.setBounds (field (100, 12));
    swing.setBounds (field (72, 12));
    countIn.setBounds (field (96, 4));
    recordMode.setBounds (field (88, 12));

    // What is left on the right holds the load figures, one above the other.
    auto loads = area.reduced (0, 6);
    audioLoad.setBounds (loads.removeFromTop (loads.getHeight() / 2));
    serverLoad.setBounds (loads);
}

} // namespace imbolc::gui
