#pragma once

namespace imbolc::gui
{

/** The session's learned MIDI controllers (model::SessionSettings::midiMappings), one row each: the
    parameter it drives and what it listens to ("Lead: Cutoff", "CC 74"), its channel (Any, 1..16),
    its range as Min and Max boxes in the parameter's own units, its curve (Linear, Exponential,
    Logarithmic) and Delete. Mappings are made by "MIDI Learn" on a knob's or fader's right-click
    menu; here each edit is one ChangeMidiMapping (a refused one puts the row back) and Delete one
    RemoveMidiMapping. Mappings are session-wide: a joined seat edits them with the session privilege.

    The rows are rebuilt (after the edit that changed them has returned, so a row never goes away
    inside its own callback) when the mappings or the names they show change.

    Component IDs: "MidiMappingRow1".., and in each row "Channel", "Min", "Max", "Curve" and "Delete".

    Message thread.
*/
class MidiMappingPanel final : public SessionView,
                               private juce::AsyncUpdater
{
public:
    explicit MidiMappingPanel (GuiContext&);
    ~MidiMappingPanel() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;
    void resized() override;

    static constexpr int rowHeight = 28;
    static constexpr int headerHeight = 24;

    class Row;

    int getNumRows() const noexcept { return (int) rows.size(); }
    /** Row `index` (0-based, in the session's order). */
    Row& getRow (int index) const { return *rows[(std::size_t) index]; }

    /** Rebuilds now what a pending change would (tests; normally it happens on the next message). */
    void refreshNow() { handleAsyncUpdate(); }

private:
    void handleAsyncUpdate() override;

    std::vector<std::unique_ptr<Row>> rows;
    std::vector<model::MidiMapping> shownMappings;
    std::vector<juce::String> shownNames;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (MidiMappingPanel)
};

//==============================================================================
class MidiMappingPanel::Row final : public juce::Component,
                                    public juce::SettableTooltipClient
{
public:
    Row (GuiContext&, const model::MidiMapping&, int index);

    const model::MidiMapping& getMapping() const noexcept { return mapping; }
    juce::ComboBox& getChannelBox() noexcept { return channel; }
    juce::ComboBox& getCurveBox() noexcept { return curve; }
    juce::TextEditor& getMinBox() noexcept { return minBox; }
    juce::TextEditor& getMaxBox() noexcept { return maxBox; }
    juce::TextButton& getDeleteButton() noexcept { return deleteButton; }
    juce::String getText() const { return text; }

    void paint (juce::Graphics&) override;
    void resized() override;

private:
    void send (const model::MidiMapping&);
    void commitRange (bool isMin);

    GuiContext& context;
    model::MidiMapping mapping;
    juce::String text;
    juce::ComboBox channel, curve;
    juce::TextEditor minBox, maxBox;
    juce::TextButton deleteButton { "Delete" };

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (Row)
};

} // namespace imbolc::gui
