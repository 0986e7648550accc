namespace imbolc::gui
{

namespace
{
    const char* groupName (model::ParamGroup g)
    {
        switch (g)
        {
            case model::ParamGroup::source:
                return "source";
            case model::ParamGroup::stage:
                return "stage";
            case model::ParamGroup::amp:
                return "amp";
            case model::ParamGroup::lfo:
                return "lfo";
            case model::ParamGroup::strip:
                return "strip";
            case model::ParamGroup::send:
                return "send";
        }
        return "param";
    }

    /** Frequencies and times are heard on a log scale: the knob's middle is their geometric middle. */
    void setKnobSkew (juce::Slider& s, const model::Parameter& p, bool plain)
    {
        const auto unit = paramtext::unitFor (p.name);
        const bool logLike = ! plain && ((unit == "Hz" && p.maxValue > 1.0f) || unit == "s");
        if (! logLike || p.maxValue <= p.minValue)
            return;
        const auto mid = p.minValue > 0.0f ? std::sqrt ((double) p.minValue * (double) p.maxValue)
                                           : (double) p.minValue + ((double) p.maxValue - (double) p.minValue) * 0.1;
        if (mid > p.minValue && mid < p.maxValue)
            s.setSkewFactorFromMidPoint (mid);
    }
} // namespace

ParamKnob::ParamKnob (GuiContext& c, const model::ParamAddress& a, const model::Parameter& p, bool isPlain)
    : context (c), address (a), parameter (p), plain (isPlain)
{
    setComponentID (idFor (a));

    name.setText (paramtext::displayName (p.name), juce::dontSendNotification);
    name.setJustificationType (juce::Justification::centred);
    name.setFont (juce::Font (12.0f));
    name.setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
    name.setInterceptsMouseClicks (false, false);
    name.setMinimumHorizontalScale (0.7f);
    addAndMakeVisible (name);

    slider.setComponentID ("slider");
    slider.setSliderStyle (juce::Slider::RotaryHorizontalVerticalDrag);
    slider.setTextBoxStyle (juce::Slider::NoTextBox, true, 0, 0);
    slider.setRange (p.minValue, juce::jmax (p.maxValue, p.minValue + 1.0e-6f), 0.0);
    setKnobSkew (slider, p, plain);
    slider.setValue (p.value, juce::dontSendNotification);
    slider.setDoubleClickReturnValue (true, juce::jlimit (p.minValue, p.maxValue, p.defaultValue));
    slider.setPopupMenuEnabled (false);
    slider.onPopupMenu = [this]
    { showContextMenu(); };
    slider.setTooltip (paramtext::displayName (p.name) + ": double-click for the default, click the value to type one, right-click to automate");
    slider.onValueChange = [this]
    { sliderMoved(); };
    // A drag is one gesture: one undo step however long it lasts (and one when recording automation).
    slider.onDragStart = [this]
    { gesture.begin(); };
    slider.onDragEnd = [this]
    { gesture.end(); };
    addAndMakeVisible (slider);

    value.setComponentID ("value");
    value.setText (text(), juce::dontSendNotification);
    value.setJustificationType (juce::Justification::centred);
    value.setFont (juce::Font (12.5f));
    value.setColour (juce::Label::textColourId, LookAndFeel::Palette::text);
    value.setColour (juce::Label::backgroundWhenEditingColourId, LookAndFeel::Palette::background);
    value.setColour (juce::Label::textWhenEditingColourId, LookAndFeel::Palette::text);
    value.setColour (juce::Label::outlineWhenEditingColourId, LookAndFeel::Palette::accent);
    value.setMinimumHorizontalScale (0.7f);
    value.setEditable (true, false, true);
    value.setTooltip ("Click to type a value");
    value.onTextChange = [this]
    { textTyped(); };
    addAndMakeVisible (value);

    setSize (preferredWidth, preferredHeight);
}

juce::String ParamKnob::idFor (const model::ParamAddress& a)
{
    return juce::String ("knob.") + groupName (a.group) + "." + juce::String (a.itemId) + "." + juce::String (a.index);
}

juce::String ParamKnob::text() const
{
    return plain ? paramtext::formatPlain (parameter) : paramtext::format (parameter);
}

juce::PopupMenu ParamKnob::getContextMenu() const
{
    return automation::makeMenu (context.getSession(), automation::parameter (address), paramtext::displayName (parameter.name));
}

void ParamKnob::contextMenuItemChosen (int itemId)
{
    automation::menuItemChosen (context, automation::parameter (address), itemId);
}

void ParamKnob::showContextMenu()
{
    automation::showMenu (context, automation::parameter (address), paramtext::displayName (parameter.name), *this);
}

void ParamKnob::mouseDown (const juce::MouseEvent& e)
{
    // The name above the knob does not take the mouse: a right-click there comes here.
    if (e.mods.isPopupMenu())
        showContextMenu();
}

void ParamKnob::resized()
{
    auto r = getLocalBounds();
    name.setBounds (r.removeFromTop (15));
    value.setBounds (r.removeFromBottom (18));
    slider.setBounds (r.reduced (2));
}

void ParamKnob::setParameter (const model::Parameter& p)
{
    if (p == parameter)
        return;
    const bool rangeChanged = p.minValue != parameter.minValue || p.maxValue != parameter.maxValue || p.name != parameter.name;
    parameter = p;
    if (rangeChanged)
    {
        slider.setRange (p.minValue, juce::jmax (p.maxValue, p.minValue + 1.0e-6f), 0.0);
        name.setText (paramtext::displayName (p.name), juce::dontSendNotification);
    }
    slider.setDoubleClickReturnValue (true, juce::jlimit (p.minValue, p.maxValue, p.defaultValue));
    ++displayUpdates;
    showSessionValue();
}

void ParamKnob::showSessionValue()
{
    // The slider holds a double and the model a float: compare as the model does, so the echo of the
    // knob's own edit does not move it under the mouse.
    if ((float) slider.getValue() != parameter.value)
        slider.setValue (parameter.value, juce::dontSendNotification);
    if (! value.isBeingEdited())
        value.setText (text(), juce::dontSendNotification);
}

void ParamKnob::sliderMoved()
{
    const auto v = (float) slider.getValue();
    if (v == parameter.value)
        return;
    const auto result = context.perform (model::action::SetParam { address, v });
    if (! result.ok())
        showSessionValue(); // refused (another seat's instrument, a stale address): back to the truth
}

void ParamKnob::textTyped()
{
    const auto typed = value.getText();
    const auto parsed = plain ? paramtext::parsePlain (typed, parameter) : paramtext::parse (typed, parameter);
    if (! parsed)
        context.showMessage ("\"" + typed.trim() + "\" is not a value " + paramtext::displayName (parameter.name) + " can take.");
    else if (*parsed != parameter.value)
        context.perform (model::action::SetParam { address, *parsed }); // the dispatcher refuses out-of-range values
    // After an accepted edit the session change has already updated `parameter`; either way show it.
    value.setText (text(), juce::dontSendNotification);
    if ((float) slider.getValue() != parameter.value)
        slider.setValue (parameter.value, juce::dontSendNotification);
}

} // namespace imbolc::gui
