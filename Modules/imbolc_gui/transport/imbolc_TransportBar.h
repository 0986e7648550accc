#pragma once

namespace imbolc::gui
{

/** A number a person drags (up: more) or clicks to type.

    Dragged values stay inside the drag range and snap to its interval; a typed value is handed on as
    typed, so the dispatcher can refuse it with its own sentence. The field only shows what setValue()
    says (the session's value): after an edit, its owner sets it from the session again.

    Message thread.
*/
class DragValueField final : public juce::Component,
                             public juce::SettableTooltipClient
{
public:
    DragValueField();

    /** How the value is shown ("112", "12 %", "5"). */
    std::function<juce::String (double)> format;
    /** Called for every step of a drag with the new value. */
    std::function<void (double)> onDrag;
    /** Called with the text a person typed and confirmed (Return or a click elsewhere). */
    std::function<void (const juce::String&)> onTextTyped;
    /** Called on a right-click (a popup-menu click), which then neither drags nor edits. */
    std::function<void()> onPopupMenu;

    /** Dragging moves `unitsPerPixel` per pixel (a tenth of it with shift), snapped to `interval`
        (0: no snapping), inside lo..hi. */
    void setDragRange (double lo, double hi, double unitsPerPixel, double interval);

    /** Shows `v` (also while not changed, so a typed, refused text goes back to the value). Does
        nothing while the person is typing, so a change elsewhere does not take their text away. */
    void setValue (double v);
    double getValue() const noexcept { return value; }

    /** The text shown (the typed text while editing). */
    juce::String getText() const { return label.getText (true); }
    bool isEditing() const noexcept { return label.isBeingEdited(); }

    /** Opens the text editor over the field (a click does this). */
    void showEditor() { label.showEditor(); }

    void paint (juce::Graphics&) override;
    void resized() override;
    void mouseDown (const juce::MouseEvent&) override;
    void mouseDrag (const juce::MouseEvent&) override;
    void mouseUp (const juce::MouseEvent&) override;

private:
    juce::Label label;
    double value = 0.0;
    double dragLo = 0.0, dragHi = 1.0, dragUnitsPerPixel = 0.01, dragInterval = 0.0;
    double valueOnMouseDown = 0.0, lastDragValue = 0.0;
    bool dragging = false, menuClick = false;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (DragValueField)
};

/** The transport bar: play, stop, automation record, loop, position, tempo, time signature, key, swing,
    load.

    Settings and the play state come from the session (repainted when a change touches them), the
    position and the load from the meter hub's frames (repainted only when their text changed). A
    right-click on the tempo or the swing offers to automate it (or to show its lane).

    Recording: "Record" turns the transport's recording on and off (with Play, what is played live into
    the armed or selected instrument becomes notes), "CountIn" (Off, 1 Bar, 2 Bars) and "RecordMode"
    (Overdub, Replace: what a loop pass does to the earlier passes' notes) set the record options.

    Component IDs for tests and automation: "LocateStart", "Play", "Stop", "Record", "CountIn",
    "RecordMode", "AutomationRecord", "Loop",
    "LoopStart", "LoopEnd", "Position", "Time", "Bpm", "TimeSigNumerator", "TimeSigDenominator", "Key",
    "Scale", "Swing", "AudioLoad", "ServerLoad", "Link" (Ableton Link on/off, with the number of peers;
    disabled where the session is not hosted here: GuiContext::linkStatus).

    Message thread.
*/
class TransportBar final : public SessionView,
                           private MeterHub::Listener
{
public:
    explicit TransportBar (GuiContext&);
    ~TransportBar() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;
    void resized() override;

    /** "3:2:120": 1-based bar and beat, then the tick within the beat. Any thread. */
    static juce::String formatPosition (model::Tick, int beatsPerBar);
    /** "1:05.250": minutes, seconds and milliseconds at a constant tempo. Any thread. */
    static juce::String formatTime (model::Tick, double bpm);
    /** A loop point as bars: "5" on a bar line, "4:3" on a beat, "4:3:240" otherwise. Any thread. */
    static juce::String formatBars (model::Tick, int beatsPerBar);
    /** The tick of typed bars ("5", "4:3", "4:3:240"; 1-based), or nullopt if it is not a position. Any thread. */
    static std::optional<model::Tick> parseBars (const juce::String&, int beatsPerBar);

    /** The tempo's and the swing's right-click menus (automation::makeMenu), and what their items do. */
    juce::PopupMenu getTempoMenu() const;
    void tempoMenuItemChosen (int itemId);
    juce::PopupMenu getSwingMenu() const;
    void swingMenuItemChosen (int itemId);

private:
    class IconButton;

    void metersUpdated (const MeterFrame&) override;
    void refreshSettings();
    void refreshTransport();
    void refreshPosition();
    void refreshLink();
    void typedBpm (const juce::String&);
    void typedSwing (const juce::String&);
    void typedLoopPoint (const juce::String&, bool isStart);
    void setLoop (model::LoopRegion);
    void sendTimeSignature();
    void sendKey();
    int beatsPerBar() const;

    std::unique_ptr<IconButton> locateButton, playButton, stopButton, recordButton, autoRecordButton, loopButton;
    DragValueField loopStart, loopEnd, bpm, swing;
    juce::Label position, time, audioLoad, serverLoad;
    juce::TextButton linkButton { "Link" };
    juce::ComboBox numerator, denominator, key, scale, countIn, recordMode;
    void sendRecordOptions();

    model::Tick playhead = 0;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (TransportBar)
};

} // namespace imbolc::gui
