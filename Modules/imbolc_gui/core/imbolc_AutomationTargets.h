#pragma once

namespace imbolc::gui
{

/** What the views need to know about an automation target: its name for people, its range and unit,
    its lane, and the "Automate <name>" menu that a control (a knob, a fader, the tempo) offers on a
    right-click.

    Message thread (they read the session).
*/
namespace automation
{
    /** The lane that automates `target`, or an invalid id if there is none. */
    model::LaneId findLane (const model::Session&, const model::AutomationTarget&);

    /** A parameter as a knob shows it: its name, the session's value and range, and a default (the
        value itself where the model keeps none). nullopt when the address names nothing. */
    std::optional<model::Parameter> findParameter (const model::Session&, const model::ParamAddress&);

    /** True for a plugin's parameters: the model keeps them normalised, so they show as plain numbers. */
    bool isPlainParameter (const model::Session&, const model::ParamAddress&);

    /** Whose parameter it is: the instrument's or the bus's name, or "Master". */
    juce::String ownerName (const model::Session&, const model::ParamAddress&);

    /** The parameter's name for people ("Cutoff", "Level", "Send to Reverb"); empty if it names nothing. */
    juce::String parameterName (const model::Session&, const model::ParamAddress&);

    /** "Tempo", "Swing", "Lead: Cutoff"; a target that names nothing falls back to model::describe. */
    juce::String targetName (const model::Session&, const model::AutomationTarget&);

    /** A lane's value as text in its unit: "1.20 kHz", "128.0 BPM", "12 %". */
    juce::String formatValue (const model::Session&, const model::AutomationTarget&, float value);

    /** The values a point of `target` may take (the dispatcher refuses others): the parameter's range,
        20..999 for the tempo, 0..1 for swing. nullopt when the target names nothing. */
    std::optional<juce::Range<float>> valueRange (const model::Session&, const model::AutomationTarget&);

    /** Item ids of the menu below. */
    enum MenuItem
    {
        automateItem = 0x4101, ///< adds a lane for the target and shows it
        showLaneItem = 0x4102, ///< shows the target's lane
        firstMacroItem = 0x4110, ///< "Map to Macro > Macro k+1" is firstMacroItem + k
        unmapMacroItem = 0x4130, ///< unmaps the macro that drives the target
        midiLearnItem = 0x4131, ///< the next controller played live maps the target (SessionAccess::learnMidi)
        forgetMidiItem = 0x4132 ///< removes the MIDI mapping that drives the target
    };

    /** "CC 74, channel 3" or "Pitch bend, any channel": what a MIDI mapping listens to. */
    juce::String midiSourceText (const model::MidiMapping&);

    /** "Macro 3", or "Macro 3: Lead: Cutoff" for a slot that drives a parameter (what the Map to Macro
        menu and the macro panel call a slot). */
    juce::String macroItemText (const model::Session&, int slot);

    /** A control's right-click menu for its target: "Automate <name>" when it has no lane yet, "Show
        Its Lane" when it has one; for a parameter, "Map to Macro >" with the 16 slots (the one that
        drives it ticked, a taken slot naming its parameter) and "Unmap from Macro N" when one does, then
        "MIDI Learn" and "Forget MIDI Mapping (CC 74, channel 3)" when a controller drives it. */
    juce::PopupMenu makeMenu (const model::Session&, const model::AutomationTarget&, const juce::String& name);

    /** Does what the chosen item says: AddLane (then selects the new lane), or selects the existing
        lane (Selection::selectLane; the arrangement scrolls to it); SetMacro for a macro item (a slot
        newly given the parameter spans its whole range, or the span of the slot that drove it), or
        SetMacro with an unassigned macro to unmap it; MIDI Learn waits for the next controller (a
        message in the status line says so, or that this seat hears no MIDI); Forget emits
        RemoveMidiMapping. Other ids do nothing. Returns the lane selected,
        or an invalid id. */
    model::LaneId menuItemChosen (GuiContext&, const model::AutomationTarget&, int itemId);

    /** Shows makeMenu at `target` asynchronously and calls menuItemChosen with the choice if `owner`
        still exists then. */
    void showMenu (GuiContext&, const model::AutomationTarget&, const juce::String& name, juce::Component& owner);

    inline model::AutomationTarget parameter (const model::ParamAddress& a) { return { model::AutomationTargetKind::parameter, a }; }
    inline model::AutomationTarget tempo() { return { model::AutomationTargetKind::bpm, {} }; }
    inline model::AutomationTarget swing() { return { model::AutomationTargetKind::swing, {} }; }
} // namespace automation

/** A slider that gives a right-click (a popup-menu click) to `onPopupMenu` instead of moving: a plain
    juce::Slider would start a drag, and a linear one would jump to the clicked value. With onPopupMenu
    unset it is a plain slider. Message thread. */
class MenuSlider : public juce::Slider
{
public:
    using juce::Slider::Slider;

    std::function<void()> onPopupMenu;

    void mouseDown (const juce::MouseEvent&) override;
    void mouseDrag (const juce::MouseEvent&) override;
    void mouseUp (const juce::MouseEvent&) override;
    void mouseDoubleClick (const juce::MouseEvent&) override;

private:
    bool menuClick = false;
};

} // namespace imbolc::gui
