namespace imbolc::gui
{

namespace
{
    /** A macro's From or To as text in its parameter's unit (a plugin's parameters as plain numbers). */
    juce::String macroValueText (const model::Session& session, const model::Macro& m, float value)
    {
        return automation::formatValue (session, automation::parameter (m.param), value);
    }

    /** What a person typed into a macro's box, in the parameter's units; nullopt if it is not a value. */
    std::optional<float> parseMacroValue (const model::Session& session, const model::Macro& m, const juce::String& text, float current)
    {
        auto p = automation::findParameter (session, m.param);
        if (! p)
            return std::nullopt;
        p->value = current; // a time is read in the unit its value is shown in
        return automation::isPlainParameter (session, m.param) ? paramtext::parsePlain (text, *p) : paramtext::parse (text, *p);
    }

    constexpr int numberWidth = 34, boxWidth = 96, arrowWidth = 22, clearWidth = 60, gap = 6;
} // namespace

//==============================================================================
MacroPanel::Row::Row (GuiContext& c, int k)
    : context (c), slot (k)
{
    setComponentID ("MacroRow" + juce::String (slot + 1));
    setOpaque (true); // it fills itself: a row's repaint must not repaint the panel behind it
    for (auto* box : { &fromBox, &toBox })
    {
        box->setComponentID (box == &fromBox ? "From" : "To");
        box->setJustification (juce::Justification::centredRight);
        box->setSelectAllWhenFocused (true);
        box->setIndents (4, 4);
        box->setColour (juce::TextEditor::backgroundColourId, LookAndFeel::Palette::background);
        box->setColour (juce::TextEditor::outlineColourId, LookAndFeel::Palette::outline);
        box->setColour (juce::TextEditor::textColourId, LookAndFeel::Palette::text);
        const bool isFrom = box == &fromBox;
        box->onReturnKey = [this, isFrom]
        { commit (isFrom); };
        box->onFocusLost = [this, isFrom]
        { commit (isFrom); };
        box->onEscapeKey = [this, box, isFrom]
        {
            box->setText (isFrom ? shown.from : shown.to, false);
            unfocusAllComponents();
        };
        addAndMakeVisible (*box);
    }
    fromBox.setTooltip ("The parameter's value at host value 0");
    toBox.setTooltip ("The parameter's value at host value 1 (below From inverts the macro)");
    clearButton.setComponentID ("Clear");
    clearButton.onClick = [this]
    { context.perform (model::action::SetMacro { slot, model::Macro {} }); };
    addAndMakeVisible (clearButton);
    show (shown); // the unassigned look until the panel shows the session
}

MacroPanel::Row::Shown MacroPanel::Row::describe (const model::Session& session, int k, bool editable)
{
    Shown s;
    s.editable = editable;
    const auto& m = session.macros[(std::size_t) k];
    s.assigned = m.assigned;
    if (! m.assigned)
        return s;
    s.parameter = automation::targetName (session, automation::parameter (m.param));
    s.description = juce::String (model::describe (session, m.param));
    s.from = macroValueText (session, m, m.from);
    s.to = macroValueText (session, m, m.to);
    return s;
}

void MacroPanel::Row::show (const Shown& s)
{
    if (s == shown && shownOnce)
        return;
    shownOnce = true;
    shown = s;
    setTooltip (shown.description);
    // A box being typed in keeps what the person typed; it shows the session again when they are done.
    if (! fromBox.hasKeyboardFocus (true))
        fromBox.setText (shown.from, false);
    if (! toBox.hasKeyboardFocus (true))
        toBox.setText (shown.to, false);
    const bool boxes = shown.assigned && shown.editable;
    fromBox.setReadOnly (! boxes);
    toBox.setReadOnly (! boxes);
    fromBox.setVisible (shown.assigned);
    toBox.setVisible (shown.assigned);
    clearButton.setVisible (shown.assigned);
    clearButton.setEnabled (boxes);
    repaint();
}

void MacroPanel::Row::commit (bool isFrom)
{
    auto& box = isFrom ? fromBox : toBox;
    const auto& session = context.getSession();
    const auto macro = session.macros[(std::size_t) slot];
    const auto restore = [&]
    { box.setText (isFrom ? shown.from : shown.to, false); };
    if (! macro.assigned || ! shown.editable)
        return restore();
    const auto current = isFrom ? macro.from : macro.to;
    const auto typed = parseMacroValue (session, macro, box.getText(), current);
    if (! typed || *typed == current)
        return restore();
    auto edited = macro;
    (isFrom ? edited.from : edited.to) = *typed;
    // A value outside the parameter's range is refused with the dispatcher's sentence (shown in the
    // status line). Either way the box then shows the span the session has, in its unit ("2k" typed
    // reads "2.00 kHz"): the row skipped the box while it was being typed in.
    context.perform (model::action::SetMacro { slot, edited });
    restore();
}

void MacroPanel::Row::paint (juce::Graphics& g)
{
    ++paintCount;
    g.fillAll (slot % 2 == 0 ? LookAndFeel::Palette::panel : LookAndFeel::Palette::panelLight.withAlpha (0.55f));
    auto area = getLocalBounds().reduced (gap, 0);

    g.setColour (shown.assigned ? LookAndFeel::Palette::accent : LookAndFeel::Palette::textDim);
    g.setFont (juce::Font (13.0f, juce::Font::bold));
    g.drawText (juce::String (slot + 1), area.removeFromLeft (numberWidth), juce::Justification::centred, false);
    area.removeFromLeft (gap);

    if (! shown.assigned)
    {
        g.setColour (LookAndFeel::Palette::textDim);
        g.setFont (juce::Font (13.0f, juce::Font::italic));
        g.drawText ("Not mapped", area, juce::Justification::centredLeft, true);
        return;
    }
    const auto nameArea = area.withRight (fromBox.getX() - gap);
    g.setColour (LookAndFeel::Palette::text);
    g.setFont (juce::Font (13.0f));
    g.drawFittedText (shown.parameter, nameArea, juce::Justification::centredLeft, 1, 0.85f);
    // From -> To: an arrow between the boxes says which way the host's value drives it.
    g.setColour (LookAndFeel::Palette::textDim);
    g.drawText (juce::String (juce::CharPointer_UTF8 ("\xe2\x86\x92")), juce::Rectangle<int> (fromBox.getRight(), 0, toBox.getX() - fromBox.getRight(), getHeight()), juce::Justification::centred, false);
}

void MacroPanel::Row::resized()
{
    auto area = getLocalBounds().reduced (gap, 3);
    clearButton.setBounds (area.removeFromRight (clearWidth));
    area.removeFromRight (gap);
    toBox.setBounds (area.removeFromRight (boxWidth));
    area.removeFromRight (arrowWidth);
    fromBox.setBounds (area.removeFromRight (boxWidth));
}

//==============================================================================
MacroPanel::MacroPanel (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("MacroPanel");
    setOpaque (true);
    for (int k = 0; k < model::numMacros; ++k)
    {
        rows.push_back (std::make_unique<Row> (context, k));
        addAndMakeVisible (*rows.back());
    }
    setSize (preferredWidth, preferredHeight);
    refresh();
}

MacroPanel::~MacroPanel() = default;

MacroPanel::Row& MacroPanel::getRow (int slot) const
{
    return *rows[(std::size_t) juce::jlimit (0, model::numMacros - 1, slot)];
}

bool MacroPanel::canEdit() const
{
    // Session-wide, like the tempo: the host, or the seat that holds the privilege.
    const auto seat = context.session.getSeatId();
    return seat == 0 || context.session.getOwnership().privilegedClient == seat;
}

void MacroPanel::refresh()
{
    const auto& session = context.getSession();
    const bool editable = canEdit();
    for (int k = 0; k < model::numMacros; ++k)
        rows[(std::size_t) k]->show (Row::describe (session, k, editable));
}

void MacroPanel::sessionChanged (const app::SessionChange& change)
{
    // What a row shows comes from the macros, the names (and parameters) of what they drive, and who may
    // edit: anything else (notes, points, the transport) cannot change it. Each row repaints only if its
    // own text changed.
    const auto& d = change.items;
    if (change.everything || change.ownership || d.macros || d.instrumentsStructural || ! d.instruments.empty() || d.mixerStructural
        || ! d.buses.empty() || d.master)
        refresh();
}

void MacroPanel::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::background);
    auto header = getLocalBounds().removeFromTop (headerHeight).reduced (gap, 0);
    g.setColour (LookAndFeel::Palette::textDim);
    g.setFont (juce::Font (12.0f, juce::Font::bold));
    g.drawText ("Macro", header.removeFromLeft (numberWidth + gap + 4), juce::Justification::centredLeft, false);
    header.removeFromRight (clearWidth + gap);
    // The boxes' columns, as the rows lay them out.
    const auto toArea = header.removeFromRight (boxWidth + gap);
    header.removeFromRight (arrowWidth);
    const auto fromArea = header.removeFromRight (boxWidth);
    g.drawText ("From (host 0)", fromArea, juce::Justification::centredRight, false);
    g.drawText ("To (host 1)", toArea, juce::Justification::centredRight, false);
    // How a macro gets its parameter, said once rather than in every empty row.
    g.drawText ("Parameter", header, juce::Justification::centredLeft, false);
    g.setFont (juce::Font (11.0f, juce::Font::italic));
    g.drawFittedText ("map one from a knob's or fader's right-click menu", header.withTrimmedLeft (72).withTrimmedRight (gap), juce::Justification::centredLeft, 1, 0.8f);
}

void MacroPanel::resized()
{
    auto area = getLocalBounds();
    area.removeFromTop (headerHeight);
    for (auto& row : rows)
        row->setBounds (area.removeFromTop (rowHeight));
}

} // namespace imbolc::gui
