namespace imbolc::gui
{

namespace
{
    constexpr const char* browserSkippedKind = "skipped (crashed a scan)";

    PluginBrowser::Row browserRowOfPlugin (const juce::PluginDescription& d)
    {
        return { d.pluginFormatName, d.name, d.manufacturerName, d.isInstrument ? "instrument" : "effect", d };
    }

    /** A blacklisted file (VST3 bundle) or URI (LV2), as the CLI's table lists it. */
    PluginBrowser::Row browserRowOfCrashed (const juce::String& item)
    {
        const bool isFile = juce::File::isAbsolutePath (item);
        const bool isVst3 = item.endsWithIgnoreCase (".vst3");
        return { isVst3 ? juce::VST3PluginFormat::getFormatName() : juce::LV2PluginFormat::getFormatName(),
                 isFile ? juce::File (item).getFileNameWithoutExtension() : item, {}, browserSkippedKind, std::nullopt };
    }

    /** A scanned item as the status line names it: a bundle by its file name, an LV2 plugin by its URI. */
    juce::String browserShortItem (const juce::String& item)
    {
        return juce::File::isAbsolutePath (item) ? juce::File (item).getFileName() : item;
    }

    const juce::String& browserColumnText (const PluginBrowser::Row& r, int column)
    {
        switch (column)
        {
            case PluginBrowser::formatColumn:
                return r.format;
            case PluginBrowser::makerColumn:
                return r.maker;
            case PluginBrowser::kindColumn:
                return r.kind;
            default:
                return r.name;
        }
    }
} // namespace

PluginBrowser::PluginBrowser (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("PluginBrowser");

    search.setComponentID ("PluginSearch");
    search.setTextToShowWhenEmpty ("Search by name or maker", LookAndFeel::Palette::textDim);
    search.setEscapeAndReturnKeysConsumed (false);
    search.onTextChange = [this] { rebuildRows(); };
    addAndMakeVisible (search);

    auto& header = table.getHeader();
    const auto flags = juce::TableHeaderComponent::visible | juce::TableHeaderComponent::resizable | juce::TableHeaderComponent::sortable;
    header.addColumn ("Format", formatColumn, 70, 50, 120, flags);
    header.addColumn ("Name", nameColumn, 260, 80, 1000, flags);
    header.addColumn ("Maker", makerColumn, 180, 60, 600, flags);
    header.addColumn ("Kind", kindColumn, 170, 60, 400, flags);
    header.setStretchToFitActive (true);
    // V4's header is light grey: dark like the rest of the window.
    header.setColour (juce::TableHeaderComponent::backgroundColourId, LookAndFeel::Palette::panelLight);
    header.setColour (juce::TableHeaderComponent::textColourId, LookAndFeel::Palette::text);
    header.setColour (juce::TableHeaderComponent::outlineColourId, LookAndFeel::Palette::outline);
    header.setColour (juce::TableHeaderComponent::highlightColourId, LookAndFeel::Palette::selection);
    header.setSortColumnId (nameColumn, true);
    table.setComponentID ("PluginTable");
    table.setRowHeight (24);
    table.setMultipleSelectionEnabled (false);
    table.setColour (juce::ListBox::outlineColourId, LookAndFeel::Palette::outline);
    table.setOutlineThickness (1);
    addAndMakeVisible (table);

    addButton.setComponentID ("PluginAdd");
    addButton.onClick = [this] { addRow (table.getSelectedRow()); };
    addAndMakeVisible (addButton);

    rescanButton.setComponentID ("PluginRescan");
    rescanButton.setTooltip ("Scans every plugin folder again, in a separate process: a plugin that crashes is skipped from then on");
    rescanButton.onClick = [this] { startScan (true); };
    rescanButton.setEnabled (false);
    addAndMakeVisible (rescanButton);

    progressBar.setComponentID ("PluginScanProgress");
    progressBar.setColour (juce::ProgressBar::foregroundColourId, LookAndFeel::Palette::accent);
    progressBar.setColour (juce::ProgressBar::backgroundColourId, LookAndFeel::Palette::panelLight);
    addChildComponent (progressBar);

    status.setComponentID ("PluginStatus");
    status.setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
    status.setMinimumHorizontalScale (0.7f);
    addAndMakeVisible (status);

    context.knownPlugins.addChangeListener (this);
    context.selection.addListener (this);
    refresh();
    setSize (760, 480);
}

PluginBrowser::~PluginBrowser()
{
    context.selection.removeListener (this);
    context.knownPlugins.removeChangeListener (this);
}

//==============================================================================
void PluginBrowser::refresh()
{
    allRows.clear();
    for (const auto& d : context.knownPlugins.getTypes())
        allRows.push_back (browserRowOfPlugin (d));
    for (const auto& crashed : context.knownPlugins.getBlacklistedFiles())
        allRows.push_back (browserRowOfCrashed (crashed));
    rebuildRows();
}

void PluginBrowser::rebuildRows()
{
    // Keep the selected plugin selected when the rows move under it (sorting, filtering, a new list).
    const auto selectedRow = table.getSelectedRow();
    const auto previous = juce::isPositiveAndBelow (selectedRow, (int) rows.size()) ? std::optional<Row> (rows[(size_t) selectedRow]) : std::nullopt;

    const auto query = search.getText().trim();
    rows.clear();
    for (const auto& r : allRows)
        if (query.isEmpty() || r.name.containsIgnoreCase (query) || r.maker.containsIgnoreCase (query))
            rows.push_back (r);

    const auto column = table.getHeader().getSortColumnId();
    const auto forwards = table.getHeader().isSortedForwards();
    std::stable_sort (rows.begin(), rows.end(), [column, forwards] (const Row& a, const Row& b)
                      {
                          // Ties fall back on the name, so equal kinds or makers still read alphabetically.
                          auto order = browserColumnText (a, column).compareNatural (browserColumnText (b, column));
                          if (order == 0)
                              order = a.name.compareNatural (b.name);
                          return forwards ? order < 0 : order > 0; });

    table.updateContent();
    int reselect = -1;
    if (previous)
        for (int i = 0; i < (int) rows.size(); ++i)
            if (rows[(size_t) i].name == previous->name && rows[(size_t) i].format == previous->format && rows[(size_t) i].kind == previous->kind)
                reselect = i;
    if (reselect >= 0)
        table.selectRow (reselect);
    else
        table.deselectAllRows();
    table.repaint();
    updateAddButton();
    if (! scanning) // a scan's status line says what it is doing
        showSummary();
}

void PluginBrowser::sortOrderChanged (int, bool)
{
    rebuildRows();
}

void PluginBrowser::selectedRowsChanged (int)
{
    updateAddButton();
}

juce::String PluginBrowser::chainSubjectName() const
{
    const auto subject = context.selection.getChainSubject();
    const auto& session = context.getSession();
    switch (subject.node)
    {
        case model::NodeKind::instrument:
            if (const auto* inst = session.instruments.find (model::InstrumentId { subject.id }))
                return juce::String (inst->name);
            return {};
        case model::NodeKind::bus:
            if (const auto* bus = session.mixer.buses.find (model::BusId { subject.id }))
                return juce::String (bus->name);
            return {};
        case model::NodeKind::master:
            return "Master";
    }
    return {};
}

void PluginBrowser::updateAddButton()
{
    const auto selected = table.getSelectedRow();
    const auto* row = juce::isPositiveAndBelow (selected, (int) rows.size()) ? &rows[(size_t) selected] : nullptr;
    if (row == nullptr || row->isSkipped())
    {
        addButton.setButtonText ("Add");
        addButton.setEnabled (false);
        addButton.setTooltip (row == nullptr ? "Select a plugin to add" : "This plugin crashed a scan: it is not loaded");
        resized();
        return;
    }
    if (row->plugin->isInstrument)
    {
        addButton.setButtonText ("Add Instrument");
        addButton.setEnabled (true);
        addButton.setTooltip ("Adds " + row->name + " as a new instrument");
        resized();
        return;
    }
    const auto target = chainSubjectName();
    addButton.setButtonText (target.isEmpty() ? "Add Effect" : "Add to " + target);
    addButton.setEnabled (target.isNotEmpty());
    addButton.setTooltip (target.isEmpty() ? "Select an instrument, a bus or the master to add an effect to"
                                           : "Adds " + row->name + " at the end of " + target + "'s chain");
    resized(); // the button is as wide as its text
}

//==============================================================================
model::ApplyResult PluginBrowser::addRow (int rowIndex)
{
    model::ApplyResult refused;
    if (! juce::isPositiveAndBelow (rowIndex, (int) rows.size()))
        return refused;
    const auto row = rows[(size_t) rowIndex];
    if (row.isSkipped())
    {
        refused.error = (row.name + " crashed a plugin scan, so it is not loaded; Rescan tries it again.").toStdString();
        context.showMessage (juce::String (refused.error));
        return refused;
    }

    const auto& description = *row.plugin;

    // The chain must exist before the plugin is loaded for it: loading can take a moment.
    const auto subject = context.selection.getChainSubject();
    if (! description.isInstrument && chainSubjectName().isEmpty())
    {
        refused.error = "Select an instrument, a bus or the master to add " + description.name.toStdString() + " to.";
        context.showMessage (juce::String (refused.error));
        return refused;
    }

    juce::String error;
    const auto inspection = app::inspectPlugin (description, error);
    if (! inspection)
    {
        refused.error = error.isNotEmpty() ? error.toStdString() : "The plugin " + description.name.toStdString() + " could not be loaded.";
        context.showMessage (juce::String (refused.error));
        return refused;
    }

    if (description.isInstrument)
    {
        model::Source source;
        source.kind = model::SourceKind::plugin;
        source.plugin = inspection->ref;
        source.params = inspection->params;
        auto result = context.perform (model::action::AddInstrument { description.name.toStdString(), std::move (source) });
        // A joined seat's edit arrives later, with the host's id; a hosted one can be selected now.
        if (result.ok() && result.createdId != 0)
            context.selection.selectInstrument (model::InstrumentId { result.createdId });
        return result;
    }

    model::Stage stage;
    stage.kind = model::StageKind::effect;
    stage.effect = model::EffectType::plugin;
    stage.plugin = inspection->ref;
    stage.params = inspection->params;
    return context.perform (model::action::AddStage { subject.node, subject.id, std::move (stage) });
}

void PluginBrowser::cellDoubleClicked (int row, int, const juce::MouseEvent&)
{
    addRow (row);
}

void PluginBrowser::returnKeyPressed (int lastRowSelected)
{
    addRow (lastRowSelected);
}

//==============================================================================
void PluginBrowser::setScanWorker (juce::StringArray command, juce::File directory)
{
    workerCommand = std::move (command);
    listDirectory = std::move (directory);
    rescanButton.setEnabled (! workerCommand.isEmpty() && ! scanning);
}

void PluginBrowser::startScan (bool forgetPrevious)
{
    if (scanning || workerCommand.isEmpty())
        return;
    scanning = true;
    scanError.clear();
    progress = -1.0; // the bar spins until the worker names its first plugin
    progressBar.setTextToDisplay ("Starting the scan...");
    progressBar.setVisible (true);
    rescanButton.setEnabled (false);
    status.setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
    status.setText ("Starting the plugin scan...", juce::sendNotificationSync);
    resized();

    // The scan blocks on child processes for as long as it takes, so it runs on its own thread, which
    // owns everything it touches; the browser hears of it only through messages it may never receive
    // (if it was closed meanwhile, the SafePointer is null and the scan simply ends).
    const juce::Component::SafePointer<PluginBrowser> safe (this);
    std::thread ([safe, command = workerCommand, directory = listDirectory, forgetPrevious]
                 {
                     app::PluginScanSupervisor supervisor (command, directory);
                     supervisor.onProgress = [safe] (int index, int total, const juce::String& item, bool skipped)
                     {
                         juce::MessageManager::callAsync ([safe, index, total, item, skipped]
                                                          {
                                                              if (auto* b = safe.getComponent())
                                                                  b->scanProgressed (index, total, item, skipped); });
                     };
                     supervisor.onCrash = [safe] (const juce::String& item)
                     {
                         juce::MessageManager::callAsync ([safe, item]
                                                          {
                                                              if (auto* b = safe.getComponent())
                                                                  b->scanCrashed (item); });
                     };
                     const auto result = supervisor.scan (forgetPrevious);
                     // Read here, not on the message thread: the list file can be large.
                     std::shared_ptr<juce::XmlElement> list (supervisor.readList()->getList().createXml());
                     juce::MessageManager::callAsync ([safe, result, list]
                                                      {
                                                          if (auto* b = safe.getComponent())
                                                              b->scanFinished (result, list != nullptr ? std::make_unique<juce::XmlElement> (*list) : nullptr); });
                 })
        .detach();
}

void PluginBrowser::scanProgressed (int index, int total, const juce::String& item, bool skipped)
{
    progress = total > 0 ? juce::jlimit (0.0, 1.0, (double) (index - 1) / (double) total) : -1.0;
    progressBar.setTextToDisplay (juce::String (index) + " / " + juce::String (total));
    status.setText ((skipped ? "Skipping " : "Scanning ") + browserShortItem (item) + (skipped ? " (it crashed a scan before)" : juce::String()),
                    juce::sendNotificationSync);
}

void PluginBrowser::scanCrashed (const juce::String& item)
{
    status.setText (browserShortItem (item) + " crashed the scan; it is skipped from now on.", juce::sendNotificationSync);
}

void PluginBrowser::scanFinished (const juce::Result& result, std::unique_ptr<juce::XmlElement> list)
{
    scanning = false;
    progress = 1.0;
    progressBar.setVisible (false);
    rescanButton.setEnabled (! workerCommand.isEmpty());
    // Even a failed scan saved what it found up to its failure: show that.
    if (list != nullptr)
        context.knownPlugins.recreateFromXml (*list);
    scanError = result.failed() ? result.getErrorMessage() : juce::String();
    refresh();
    if (result.failed())
        context.showMessage (result.getErrorMessage());
    resized();
    if (onScanFinished)
        onScanFinished (result);
}

void PluginBrowser::showSummary()
{
    // A failed scan's sentence stays until the next scan: the list below it may be incomplete.
    if (scanError.isNotEmpty())
    {
        status.setColour (juce::Label::textColourId, LookAndFeel::Palette::warning);
        status.setText (scanError, juce::sendNotificationSync);
        return;
    }
    const auto found = context.knownPlugins.getNumTypes();
    const auto skipped = context.knownPlugins.getBlacklistedFiles().size();
    auto text = juce::String (found) + (found == 1 ? " plugin" : " plugins");
    if (skipped > 0)
        text << ", " << skipped << " skipped because " << (skipped == 1 ? "it" : "they") << " crashed a scan";
    if (rows.size() != allRows.size())
        text << " (" << (int) rows.size() << " shown)";
    status.setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
    status.setText (text + ".", juce::sendNotificationSync);
}

//==============================================================================
void PluginBrowser::sessionChanged (const app::SessionChange& change)
{
    // Only the Add button names something of the session: the chain an effect goes to.
    const auto subject = context.selection.getChainSubject();
    const bool touched = change.everything || change.items.mixerStructural
                         || (subject.node == model::NodeKind::bus && change.items.buses.count (model::BusId { subject.id }) != 0)
                         || (subject.node == model::NodeKind::instrument && change.touchesInstrument (model::InstrumentId { subject.id }));
    if (touched)
        updateAddButton();
}

void PluginBrowser::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
}

void PluginBrowser::resized()
{
    auto area = getLocalBounds().reduced (8);
    auto top = area.removeFromTop (28);
    rescanButton.setBounds (top.removeFromRight (90));
    top.removeFromRight (6);
    addButton.setBounds (top.removeFromRight (juce::jlimit (120, 220, addButton.getBestWidthForHeight (28) + 16)));
    top.removeFromRight (8);
    search.setBounds (top);
    area.removeFromTop (6);

    auto bottom = area.removeFromBottom (24);
    if (progressBar.isVisible())
    {
        progressBar.setBounds (bottom.removeFromRight (juce::jmin (220, bottom.getWidth() / 3)));
        bottom.removeFromRight (6);
    }
    status.setBounds (bottom);
    area.removeFromBottom (6);
    table.setBounds (area);
}

void PluginBrowser::paintRowBackground (juce::Graphics& g, int row, int, int, bool selected)
{
    if (selected)
        g.fillAll (LookAndFeel::Palette::selection);
    else if (row % 2 == 1)
        g.fillAll (LookAndFeel::Palette::panelLight.withAlpha (0.5f));
}

void PluginBrowser::paintCell (juce::Graphics& g, int row, int column, int width, int height, bool selected)
{
    if (! juce::isPositiveAndBelow (row, (int) rows.size()))
        return;
    const auto& r = rows[(size_t) row];
    auto colour = selected ? juce::Colours::white : LookAndFeel::Palette::text;
    if (r.isSkipped())
        colour = column == kindColumn ? LookAndFeel::Palette::warning : LookAndFeel::Palette::textDim;
    else if (column == formatColumn || column == makerColumn)
        colour = selected ? juce::Colours::white : LookAndFeel::Palette::textDim;
    g.setColour (colour);
    g.setFont (juce::Font (14.0f));
    const auto text = r.isSkipped() && column == makerColumn ? juce::String ("-") : browserColumnText (r, column);
    g.drawText (text, 6, 0, width - 10, height, juce::Justification::centredLeft, true);
}

juce::String PluginBrowser::getCellTooltip (int row, int)
{
    if (! juce::isPositiveAndBelow (row, (int) rows.size()))
        return {};
    const auto& r = rows[(size_t) row];
    return r.isSkipped() ? r.name + " crashed a scan and is not loaded; Rescan tries it again."
                         : app::pluginIdentifier (*r.plugin);
}

} // namespace imbolc::gui
