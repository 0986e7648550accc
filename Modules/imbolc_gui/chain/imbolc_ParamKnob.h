#pragma once

namespace imbolc::gui
{

/** One continuous parameter as a knob: its name, a rotary slider over the model's range, and its value
    with its unit.

    Dragging emits SetParam (the undo history folds a drag into one step); a double-click returns to
    the default; a click on the value opens an editor whose text is read with paramtext::parse. A value
    that cannot be read or that the dispatcher refuses is reported in one sentence and the knob keeps the
    session's value. A right-click offers "Automate <name>" (a new lane for the parameter) or, when it
    has a lane, "Show Its Lane".

    Component IDs: the knob is "knob.<group>.<item>.<index>" (group: source, stage, amp, lfo; item: the
    stage id or 0), its children "slider" and "value".

    Message thread.
*/
class ParamKnob final : public juce::Component
{
public:
    /** `plain`: the value is shown as a number without a unit (a plugin's normalised parameters). */
    ParamKnob (GuiContext&, const model::ParamAddress&, const model::Parameter&, bool plain = false);

    /** Shows the session's value of this parameter; repaints only if it differs from what is shown. */
    void setParameter (const model::Parameter&);

    const model::ParamAddress& getAddress() const noexcept { return address; }
    const model::Parameter& getParameter() const noexcept { return parameter; }
    juce::Slider& getSlider() noexcept { return slider; }
    juce::Label& getValueLabel() noexcept { return value; }

    /** How many times setParameter changed what is shown (tests check that a tweak touches one knob). */
    int getDisplayUpdateCount() const noexcept { return displayUpdates; }

    static juce::String idFor (const model::ParamAddress&);

    /** The right-click menu (automation::makeMenu for this parameter). */
    juce::PopupMenu getContextMenu() const;
    /** Does what the right-click menu's item says (automation::menuItemChosen). */
    void contextMenuItemChosen (int itemId);

    static constexpr int preferredWidth = 80;
    static constexpr int preferredHeight = 86;

    void resized() override;
    void mouseDown (const juce::MouseEvent&) override;

private:
    void showContextMenu();
    void sliderMoved();
    void textTyped();
    void showSessionValue();
    juce::String text() const;

    GuiContext& context;
    const model::ParamAddress address;
    model::Parameter parameter;
    const bool plain;
    int displayUpdates = 0;
    Gesture gesture { context.session };

    juce::Label name;
    MenuSlider slider;
    juce::Label value;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (ParamKnob)
};

} // namespace imbolc::gui
