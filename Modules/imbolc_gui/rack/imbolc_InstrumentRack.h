#pragma once

namespace imbolc::gui
{

/** Every instrument of the session in rack order, with add, delete, duplicate, rename, mute, solo, a
    level meter and the selection.

    The rows are rebuilt only when instruments are added, removed or reordered (or the session is
    replaced); any other change updates the rows of the instruments it touched, and a row repaints only
    when what it shows changed. Meters come from the meter hub: a row's meter repaints only when its
    peak changed.

    Component IDs: "AddInstrument" (the add button), "InstrumentRow<id>" per row and, inside a row,
    "Mute", "Solo", "RecordArm" (SetRecordArm: what is played live into it is recorded while the
    transport records), "Meter" and "NameEditor" (shown while renaming).

    Message thread.
*/
class InstrumentRack final : public SessionView,
                             private Selection::Listener,
                             private MeterHub::Listener
{
public:
    explicit InstrumentRack (GuiContext&);
    ~InstrumentRack() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;
    void resized() override;

    /** Starts editing the name of instrument `id` in place (Edit > Rename): Return renames, Escape
        cancels. Says why in the status line if this seat may not edit it. */
    void beginRename (model::InstrumentId id);

    //==============================================================================
    /** The add button's menu: every built-in source, the scanned plugin instruments, and the built-in
        sources on the SuperCollider server. Built fresh each time (the plugin list may have changed). */
    juce::PopupMenu getAddMenu();

    /** Adds what the add menu's item `itemId` names (from the last getAddMenu()), under a name not yet
        used, and selects it. 0 (dismissed) does nothing. */
    void addMenuItemChosen (int itemId);

    /** A row's right-click menu: Rename, Duplicate, Move Up, Move Down, "MIDI Channel >" (None, which
        follows the selection, and 1..16, the current one ticked), Delete. */
    juce::PopupMenu getRowMenu (model::InstrumentId);
    void rowMenuItemChosen (model::InstrumentId, int itemId);

    enum RowMenuItem
    {
        renameItem = 1,
        duplicateItem,
        deleteItem,
        moveUpItem,
        moveDownItem,
        midiChannelItem = 0x100, ///< + the channel: 0 (none) .. 16; emits SetMidiChannel
        midiOutputItem = 0x200 ///< + the channel: 0 (none) .. 16; emits SetMidiOutput
    };

    /** Dragging a row: where it would land if dropped now (the row index it would take), shown as a
        line; the drop moves the instrument there (MoveInstrument). Called by the rows. */
    void dragRow (model::InstrumentId, juce::Point<int> positionInRack);
    void dropRow (model::InstrumentId);
    int getDropIndex() const noexcept { return dropIndex; }

    /** One instrument's row. */
    class Row;

    /** The row of instrument `id`, or nullptr (for tests and keyboard navigation). */
    Row* getRow (model::InstrumentId id) const;
    int getNumRows() const noexcept { return (int) rows.size(); }

private:
    class LevelMeter;

    void selectionChanged() override;
    void metersUpdated (const MeterFrame&) override;
    void rebuildRows();
    void layoutRows();
    void refreshOwnership();
    void updateHighlight();
    model::InstrumentId neighbourOf (model::InstrumentId gone) const;
    juce::String uniqueName (const juce::String& base) const;
    void addInstrument (const juce::String& baseName, model::Source, model::Backend);
    void showRowMenu (model::InstrumentId);
    int indexOf (model::InstrumentId) const;
    void moveInstrument (model::InstrumentId, int position);
    void paintOverChildren (juce::Graphics&) override;

    juce::TextButton addButton { "+ Add" };
    juce::Viewport viewport;
    juce::Component content;
    std::vector<std::unique_ptr<Row>> rows;
    std::unordered_map<model::InstrumentId, std::size_t> rowIndex;
    std::vector<float> framePeaks; ///< per row, reused every meter frame
    model::InstrumentId highlighted;
    std::vector<juce::PluginDescription> addMenuPlugins;
    int dropIndex = -1; ///< while a row is dragged: the index it would take

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (InstrumentRack)
};

//==============================================================================
class InstrumentRack::Row final : public juce::Component,
                                  public juce::SettableTooltipClient
{
public:
    Row (InstrumentRack&, model::InstrumentId);
    ~Row() override;

    model::InstrumentId getId() const noexcept { return id; }

    /** What the row shows of its instrument; it repaints only when this changes. */
    struct Shown
    {
        juce::String name, source, seat;
        int midiChannel = 0; ///< shown as "ch 3" when set
        int midiOutputChannel = 0; ///< shown as "out 5" when set
        bool superCollider = false, editable = true, mute = false, solo = false, recordArmed = false;
        bool operator== (const Shown&) const = default;
    };
    void show (const Shown&);
    const Shown& getShown() const noexcept { return shown; }

    void setSelected (bool);
    bool isSelected() const noexcept { return selected; }

    /** The meter's peak (0..; 1 is full scale). Repaints only the meter, and only if it changed. */
    void setPeak (float);

    /** Where the name is drawn (a double-click there renames). */
    juce::Rectangle<int> getNameArea() const;

    void startRename();
    bool isRenaming() const noexcept { return renaming; }

    /** How often this row (not its meter) was painted: tests prove a change repainted only its row. */
    int paintCount = 0;
    /** How often its meter was painted. */
    int meterPaintCount() const noexcept;

    void paint (juce::Graphics&) override;
    void resized() override;
    void mouseDown (const juce::MouseEvent&) override;
    void mouseDrag (const juce::MouseEvent&) override;
    void mouseUp (const juce::MouseEvent&) override;
    void mouseDoubleClick (const juce::MouseEvent&) override;

private:
    void finishRename (bool commit);

    InstrumentRack& rack;
    model::InstrumentId id;
    Shown shown;
    bool selected = false, renaming = false;
    juce::TextButton mute { "M" }, solo { "S" }, recordArm { "R" };
    std::unique_ptr<LevelMeter> meter;
    juce::TextEditor nameEditor;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (Row)
};

} // namespace imbolc::gui
