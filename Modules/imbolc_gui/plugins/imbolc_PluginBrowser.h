#pragma once

namespace imbolc::gui
{

/** The scanned plugins (`context.knownPlugins`) as a table: format, name, maker, kind; a search box that
    filters by name or maker; sorting by any column; plugins that crashed a scan listed as skipped.

    An instrument is added as a new instrument, an effect as a stage at the end of the chain shown
    (`context.selection.getChainSubject()`), by double-click, Return or the Add button. The plugin's
    model::PluginRef and parameters come from app::inspectPlugin (the LV2 URI, or the VST3 bundle path and
    JUCE's identifier string, as the engine resolves them; the parameters read by loading it once).

    Rescan runs the real scan through app::PluginScanSupervisor (child processes, so a crashing plugin
    only takes down a child) on a thread of its own; progress and the plugin being scanned are posted to
    the message thread, and the list is replaced when the scan is over. The message thread never waits
    for a scan, and closing the browser during one lets the scan finish on its own.

    Message thread.
*/
class PluginBrowser final : public SessionView,
                            private juce::TableListBoxModel,
                            private juce::ChangeListener,
                            private Selection::Listener
{
public:
    explicit PluginBrowser (GuiContext&);
    ~PluginBrowser() override;

    enum ColumnId
    {
        formatColumn = 1,
        nameColumn,
        makerColumn,
        kindColumn
    };

    /** One line of the table: a scanned plugin, or a file or URI skipped because it crashed a scan. */
    struct Row
    {
        juce::String format, name, maker, kind;
        std::optional<juce::PluginDescription> plugin; ///< nullopt: skipped
        bool isSkipped() const noexcept { return ! plugin.has_value(); }
    };

    /** The rows shown, filtered and sorted as the table shows them. */
    const std::vector<Row>& getRows() const noexcept { return rows; }

    /** Re-reads `context.knownPlugins` (the browser also follows its change messages). */
    void refresh();

    //==============================================================================
    /** What Rescan runs: the program and arguments of the scan worker (e.g. { "/usr/bin/imbolc", "plugins",
        "--scan-worker" }) and the folder holding the plugin list the worker writes (the worker's own
        default, app::pluginListDirectory(), unless the app runs it elsewhere). Until this
        is set, Rescan is disabled (a plugin editor has no scan of its own). */
    void setScanWorker (juce::StringArray workerCommand, juce::File listDirectory = app::pluginListDirectory());

    /** Starts a scan in the background unless one is running. `forgetPrevious` forgets every plugin found
        and every crash first (what Rescan does), so plugins that crashed are tried again. */
    void startScan (bool forgetPrevious = true);
    bool isScanning() const noexcept { return scanning; }

    /** The scan's progress, 0..1 (-1 while it is starting), and what the status line says. */
    double getScanProgress() const noexcept { return progress; }
    juce::String getStatusText() const { return status.getText(); }

    /** Called when a scan is over (after the list was updated), with the supervisor's result. */
    std::function<void (const juce::Result&)> onScanFinished;

    //==============================================================================
    /** Adds the plugin of row `row` (an instrument as a new instrument, an effect to the chain shown).
        Returns the applied result; a refusal or a plugin that cannot be loaded is shown to the user. */
    model::ApplyResult addRow (int row);

    //==============================================================================
    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;
    void resized() override;

private:
    // TableListBoxModel
    int getNumRows() override { return (int) rows.size(); }
    void paintRowBackground (juce::Graphics&, int row, int width, int height, bool selected) override;
    void paintCell (juce::Graphics&, int row, int column, int width, int height, bool selected) override;
    void cellDoubleClicked (int row, int column, const juce::MouseEvent&) override;
    void returnKeyPressed (int lastRowSelected) override;
    void sortOrderChanged (int newSortColumnId, bool isForwards) override;
    void selectedRowsChanged (int lastRowSelected) override;
    juce::String getCellTooltip (int row, int column) override;

    void changeListenerCallback (juce::ChangeBroadcaster*) override { refresh(); }
    void selectionChanged() override { updateAddButton(); }

    void rebuildRows();
    void updateAddButton();
    juce::String chainSubjectName() const;

    void scanProgressed (int index, int total, const juce::String& item, bool skipped);
    void scanCrashed (const juce::String& item);
    void scanFinished (const juce::Result&, std::unique_ptr<juce::XmlElement> list);
    void showSummary();

    std::vector<Row> allRows, rows;

    juce::TextEditor search;
    juce::TableListBox table { "Plugins", this };
    juce::TextButton addButton, rescanButton { "Rescan" };
    double progress = 0.0;
    juce::ProgressBar progressBar { progress };
    juce::Label status;

    juce::StringArray workerCommand;
    juce::File listDirectory;
    bool scanning = false;
    juce::String scanError;


    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (PluginBrowser)
};

} // namespace imbolc::gui
