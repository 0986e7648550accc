#pragma once

namespace imbolc::gui
{

/** The session's 16 host-automatable macros, one row each: the macro's number, the parameter it drives
    ("Lead: Cutoff"; the full address as the row's tooltip), its span as From and To value boxes in that
    parameter's own units, and Clear. A plugin host automates "Macro 1".."Macro 16"; a host value v in
    0..1 sets the parameter to From + v * (To - From), so To below From inverts the macro.

    A macro is mapped from a knob's or fader's right-click menu ("Map to Macro"); here its span is typed
    (Return or leaving the box applies it; text that is not a value of that parameter puts the box back)
    and it is cleared. Every edit is a SetMacro. Macros are session-wide: a joined seat edits them only
    while it holds the session privilege (the boxes are read-only otherwise).

    It repaints only what changed: each row compares what it shows with the session's on every change
    that can touch it (the macros, the names of instruments and buses, ownership) and repaints only when
    that differs.

    Component IDs: "MacroRow1".."MacroRow16", and in each row "From", "To" and "Clear".

    Message thread.
*/
class MacroPanel final : public SessionView
{
public:
    explicit MacroPanel (GuiContext&);
    ~MacroPanel() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;
    void resized() override;

    static constexpr int rowHeight = 28;
    static constexpr int headerHeight = 24;
    static constexpr int preferredWidth = 620;
    static constexpr int preferredHeight = headerHeight + model::numMacros * rowHeight + 8;

    class Row;

    /** The row of macro slot `slot` (0..numMacros-1; "Macro 1" is 0). */
    Row& getRow (int slot) const;

private:
    void refresh();
    bool canEdit() const;

    std::vector<std::unique_ptr<Row>> rows;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (MacroPanel)
};

//==============================================================================
class MacroPanel::Row final : public juce::Component,
                              public juce::SettableTooltipClient
{
public:
    Row (GuiContext&, int slot);

    /** What the row shows of its macro; it repaints (and its boxes change) only when this changes. */
    struct Shown
    {
        bool assigned = false, editable = true;
        juce::String parameter; ///< the parameter's name for people; empty when unassigned
        juce::String description; ///< model::describe of its address (the tooltip)
        juce::String from, to; ///< the span as text in the parameter's unit
        bool operator== (const Shown&) const = default;
    };
    void show (const Shown&);
    const Shown& getShown() const noexcept { return shown; }

    /** What the session's macro `slot` looks like in a row. */
    static Shown describe (const model::Session&, int slot, bool editable);

    juce::TextEditor& getFromBox() noexcept { return fromBox; }
    juce::TextEditor& getToBox() noexcept { return toBox; }
    juce::TextButton& getClearButton() noexcept { return clearButton; }

    /** How often the row itself was painted: tests prove an edit repainted only its row. */
    int paintCount = 0;

    void paint (juce::Graphics&) override;
    void resized() override;

private:
    /** Applies what a box holds (From when `isFrom`), or puts the box back if it is not a value. */
    void commit (bool isFrom);

    GuiContext& context;
    int slot;
    Shown shown;
    bool shownOnce = false;
    juce::TextEditor fromBox, toBox;
    juce::TextButton clearButton { "Clear" };

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (Row)
};

} // namespace imbolc::gui
