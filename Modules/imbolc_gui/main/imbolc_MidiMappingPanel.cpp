namespace imbolc::gui
{

namespace
{
    juce::String mappingName (const model::Session& session, const model::MidiMapping& m)
    {
        return automation::targetName (session, automation::parameter (m.param));
    }
} // namespace

MidiMappingPanel::MidiMappingPanel (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("MidiMappingPanel");
    handleAsyncUpdate();
}

MidiMappingPanel::~MidiMappingPanel() = default;

void MidiMappingPanel::sessionChanged (const app::SessionChange& change)
{
    if (change.everything || change.items.settings || change.items.instrumentsStructural || ! change.items.instruments.empty()
        || change.items.mixerStructural || ! change.items.buses.empty())
        triggerAsyncUpdate();
}

void MidiMappingPanel::handleAsyncUpdate()
{
    cancelPendingUpdate();
    const auto& session = context.getSession();
    const auto& mappings = session.settings.midiMappings;
    std::vector<juce::String> names;
    for (const auto& m : mappings)
        names.push_back (mappingName (session, m));
    if (mappings == shownMappings && names == shownNames && rows.size() == mappings.size())
        return;
    shownMappings = mappings;
    shownNames = names;
    rows.clear();
    for (std::size_t i = 0; i < mappings.size(); ++i)
    {
        rows.push_back (std::make_unique<Row> (context, mappings[i], (int) i));
        addAndMakeVisible (*rows.back());
    }
    resized();
    repaint();
}

void MidiMappingPanel::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::background);
    g.setColour (LookAndFeel::Palette::textDim);
    g.setFont (juce::Font (12.0f));
    if (rows.empty())
    {
        g.drawFittedText ("No MIDI mappings. Right-click a knob or fader and choose MIDI Learn, then move a controller.", getLocalBounds().reduced (12),
                          juce::Justification::centredTop, 3);
        return;
    }
    auto header = getLocalBounds().removeFromTop (headerHeight).reduced (8, 0);
    g.drawText ("Parameter and controller", header.removeFromLeft (240), juce::Justification::centredLeft, false);
    g.drawText ("Channel", header.removeFromLeft (80), juce::Justification::centredLeft, false);
    g.drawText ("Min", header.removeFromLeft (80), juce::Justification::centredLeft, false);
    g.drawText ("Max", header.removeFromLeft (80), juce::Justification::centredLeft, false);
    g.drawText ("Curve", header.removeFromLeft (110), juce::Justification::centredLeft, false);
}

void MidiMappingPanel::resized()
{
    auto area = getLocalBounds().withTrimmedTop (headerHeight);
    for (auto& row : rows)
        row->setBounds (area.removeFromTop (rowHeight));
}

//==============================================================================
MidiMappingPanel::Row::Row (GuiContext& c, const model::MidiMapping& m, int index)
    : context (c), mapping (m)
{
    setComponentID ("MidiMappingRow" + juce::String (index + 1));
    const auto& session = context.getSession();
    text = mappingName (session, m) + "  (" + (m.source == model::MidiSource::pitchBend ? juce::String ("pitch bend") : "CC " + juce::String (m.controller)) + ")";
    setTooltip (juce::String (model::describe (session, m.param)));

    channel.setComponentID ("Channel");
    channel.addItem ("Any", 1);
    for (int ch = 1; ch <= model::Instrument::maxMidiChannel; ++ch)
        channel.addItem (juce::String (ch), ch + 1);
    channel.setSelectedId (m.channel + 1, juce::dontSendNotification);
    channel.onChange = [this]
    {
        auto edited = mapping;
        edited.channel = juce::jmax (0, channel.getSelectedId() - 1);
        send (edited);
    };

    curve.setComponentID ("Curve");
    curve.addItem ("Linear", 1);
    curve.addItem ("Exponential", 2);
    curve.addItem ("Logarithmic", 3);
    curve.setSelectedId ((int) m.curve + 1, juce::dontSendNotification);
    curve.onChange = [this]
    {
        auto edited = mapping;
        edited.curve = (model::MidiCurve) juce::jlimit (0, model::numMidiCurves - 1, curve.getSelectedId() - 1);
        send (edited);
    };

    const auto setUpBox = [this] (juce::TextEditor& box, const char* id, float value, bool isMin)
    {
        box.setComponentID (id);
        box.setText (juce::String (value, 3), false);
        box.onReturnKey = [this, isMin] { commitRange (isMin); };
        box.onFocusLost = [this, isMin] { commitRange (isMin); };
        addAndMakeVisible (box);
    };
    setUpBox (minBox, "Min", m.min, true);
    setUpBox (maxBox, "Max", m.max, false);

    deleteButton.setComponentID ("Delete");
    deleteButton.onClick = [this] { context.perform (model::action::RemoveMidiMapping { mapping.param }); };

    for (auto* box : { &channel, &curve })
    {
        box->setWantsKeyboardFocus (false);
        addAndMakeVisible (*box);
    }
    addAndMakeVisible (deleteButton);
}

void MidiMappingPanel::Row::send (const model::MidiMapping& edited)
{
    if (edited == mapping)
        return;
    // The panel rebuilds its rows after this returns (asynchronously); a refusal rebuilds nothing, so
    // the row shows the session's values again at once.
    if (! context.perform (model::action::ChangeMidiMapping { edited }).ok())
    {
        channel.setSelectedId (mapping.channel + 1, juce::dontSendNotification);
        curve.setSelectedId ((int) mapping.curve + 1, juce::dontSendNotification);
        minBox.setText (juce::String (mapping.min, 3), false);
        maxBox.setText (juce::String (mapping.max, 3), false);
        return;
    }
    mapping = edited;
}

void MidiMappingPanel::Row::commitRange (bool isMin)
{
    auto& box = isMin ? minBox : maxBox;
    const auto typed = box.getText().trim();
    auto edited = mapping;
    if (! typed.containsOnly ("0123456789.-+eE") || typed.isEmpty())
    {
        box.setText (juce::String (isMin ? mapping.min : mapping.max, 3), false);
        return;
    }
    (isMin ? edited.min : edited.max) = typed.getFloatValue();
    send (edited);
}

void MidiMappingPanel::Row::paint (juce::Graphics& g)
{
    g.setColour (LookAndFeel::Palette::text);
    g.setFont (juce::Font (13.0f));
    g.drawFittedText (text, getLocalBounds().withTrimmedLeft (8).removeFromLeft (232), juce::Justification::centredLeft, 1, 0.8f);
}

void MidiMappingPanel::Row::resized()
{
    auto area = getLocalBounds().reduced (8, 3);
    area.removeFromLeft (240);
    channel.setBounds (area.removeFromLeft (72));
    area.removeFromLeft (8);
    minBox.setBounds (area.removeFromLeft (72));
    area.removeFromLeft (8);
    maxBox.setBounds (area.removeFromLeft (72));
    area.removeFromLeft (8);
    curve.setBounds (area.removeFromLeft (110));
    area.removeFromLeft (8);
    deleteButton.setBounds (area.removeFromLeft (64));
}

} // namespace imbolc::gui
