// The plugin browser over the real plugins on this machine: Debian's mda-lv2, described in process by
// JUCE's LV2 format, and for the rescan the real scan (the imbolc CLI as the supervisor's worker, in child
// processes) of the test plugin folder, whose crasher takes a child down and is then listed as skipped.

#include "imbolc_GuiTestSupport.h"
#include "imbolc_TestHelpers.h"

#include <cstdlib>

using namespace imbolc;

namespace
{
constexpr const char* mdaPrefix = "http://drobilla.net/plugins/mda/";

/** Every mda plugin lilv knows, described once by JUCE's LV2 format (loading lilv's world is slow). */
const std::vector<juce::PluginDescription>& mdaPlugins()
{
    static const auto plugins = []
    {
        std::vector<juce::PluginDescription> out;
        juce::LV2PluginFormat lv2;
        for (const auto& uri : lv2.searchPathsForPlugins ({}, true, false))
            if (uri.startsWith (mdaPrefix))
            {
                juce::OwnedArray<juce::PluginDescription> found;
                lv2.findAllTypesForFile (found, uri);
                for (auto* d : found)
                    out.push_back (*d);
            }
        return out;
    }();
    return plugins;
}

void fillWithMda (juce::KnownPluginList& list)
{
    for (const auto& d : mdaPlugins())
        list.addType (d);
}

const gui::PluginBrowser::Row* findRow (const gui::PluginBrowser& b, const juce::String& name)
{
    for (const auto& r : b.getRows())
        if (r.name == name)
            return &r;
    return nullptr;
}

int rowIndex (const gui::PluginBrowser& b, const juce::String& name)
{
    const auto& rows = b.getRows();
    for (int i = 0; i < (int) rows.size(); ++i)
        if (rows[(size_t) i].name == name)
            return i;
    return -1;
}

juce::StringArray names (const gui::PluginBrowser& b)
{
    juce::StringArray out;
    for (const auto& r : b.getRows())
        out.add (r.name);
    return out;
}

/** Clicks the header of `column` (a real click on the table's header component). */
void clickHeader (test::UiDriver& ui, juce::TableListBox& table, int columnId)
{
    auto& header = table.getHeader();
    const auto cell = header.getColumnPosition (header.getIndexOfColumnId (columnId, true));
    ui.click (header, cell.getCentre());
    test::pumpMessages (30); // the header re-sorts asynchronously
}

/** A fresh folder, removed with everything in it at the end of the test. */
struct TempFolder
{
    TempFolder() { REQUIRE (folder.createDirectory().wasOk()); }
    ~TempFolder() { folder.deleteRecursively(); }
    const juce::File folder = juce::File::getSpecialLocation (juce::File::tempDirectory).getNonexistentChildFile ("imbolc-gui-scan", {});
};

/** Sets an environment variable for one test and puts the old value back. */
struct ScopedEnv
{
    ScopedEnv (const char* n, const juce::String& value)
        : name (n)
    {
        if (const auto* old = std::getenv (n))
            previous = juce::String (old);
        ::setenv (n, value.toRawUTF8(), 1);
    }
    ~ScopedEnv()
    {
        if (previous)
            ::setenv (name, previous->toRawUTF8(), 1);
        else
            ::unsetenv (name);
    }
    const char* name;
    std::optional<juce::String> previous;
};
} // namespace

TEST_CASE ("The plugin browser lists the mda plugins with format, name, maker and kind, search filters and headers sort", "[gui][plugins]")
{
    REQUIRE (mdaPlugins().size() > 20); // mda-lv2 is installed (/usr/lib/lv2/mda.lv2)
    test::GuiFixture f;
    fillWithMda (f.context.knownPlugins);
    gui::LookAndFeel lookAndFeel;
    gui::PluginBrowser browser (f.context);
    browser.setLookAndFeel (&lookAndFeel);
    test::UiDriver ui (browser, 760, 520);
    auto* search = test::findComponent<juce::TextEditor> (browser, "PluginSearch");
    auto* table = test::findComponent<juce::TableListBox> (browser, "PluginTable");
    REQUIRE (search != nullptr);
    REQUIRE (table != nullptr);

    // Every mda plugin, one row each, with the columns the scan recorded.
    CHECK (browser.getRows().size() == mdaPlugins().size());
    CHECK (table->getNumRows() == (int) mdaPlugins().size());
    const auto* jx10 = findRow (browser, "MDA JX10");
    REQUIRE (jx10 != nullptr);
    CHECK (jx10->format == "LV2");
    CHECK (jx10->maker == "David Robillard");
    CHECK (jx10->kind == "instrument");
    const auto* delay = findRow (browser, "MDA Delay");
    REQUIRE (delay != nullptr);
    CHECK (delay->kind == "effect");
    CHECK (browser.getStatusText() == juce::String ((int) mdaPlugins().size()) + " plugins.");
    // Sorted by name at first, as the header shows.
    auto shown = names (browser);
    auto sorted = shown;
    sorted.sortNatural();
    CHECK (shown == sorted);
    CHECK (table->getHeader().getSortColumnId() == gui::PluginBrowser::nameColumn);

    test::saveScreenshot (browser, "plugin-browser-mda");

    // Search: case-insensitive, by name...
    ui.click (*search);
    ui.type ("jx1");
    CHECK (names (browser) == juce::StringArray { "MDA JX10" });
    CHECK (browser.getStatusText().contains ("(1 shown)"));
    ui.typeReplacing ("ePiAnO");
    CHECK (names (browser) == juce::StringArray { "MDA ePiano" });
    // ... and by maker.
    ui.typeReplacing ("robillard");
    CHECK (browser.getRows().size() == mdaPlugins().size());
    ui.typeReplacing ("no such plugin");
    CHECK (browser.getRows().empty());
    ui.pressKey (juce::KeyPress ('a', juce::ModifierKeys::commandModifier, 0));
    ui.pressKey (juce::KeyPress (juce::KeyPress::backspaceKey));
    CHECK (search->getText().isEmpty());
    CHECK (browser.getRows().size() == mdaPlugins().size());

    // Sort by kind: effects first, then reversed by a second click; names stay alphabetical within a kind.
    clickHeader (ui, *table, gui::PluginBrowser::kindColumn);
    CHECK (table->getHeader().getSortColumnId() == gui::PluginBrowser::kindColumn);
    CHECK (browser.getRows().front().kind == "effect");
    CHECK (browser.getRows().back().kind == "instrument");
    clickHeader (ui, *table, gui::PluginBrowser::kindColumn);
    CHECK_FALSE (table->getHeader().isSortedForwards());
    CHECK (browser.getRows().front().kind == "instrument");
    CHECK (browser.getRows().back().kind == "effect");

    // Sort by name, backwards after a second click.
    clickHeader (ui, *table, gui::PluginBrowser::nameColumn);
    CHECK (names (browser) == sorted);
    clickHeader (ui, *table, gui::PluginBrowser::nameColumn);
    auto reversed = sorted;
    std::reverse (reversed.begin(), reversed.end());
    CHECK (names (browser) == reversed);
    CHECK (f.takeActionNames().empty()); // browsing edits nothing
}

TEST_CASE ("Double-clicking an instrument adds it as a new instrument, an effect goes to the chain shown", "[gui][plugins]")
{
    test::GuiFixture f;
    fillWithMda (f.context.knownPlugins);
    gui::LookAndFeel lookAndFeel;
    gui::PluginBrowser browser (f.context);
    browser.setLookAndFeel (&lookAndFeel);
    test::UiDriver ui (browser, 760, 520);
    auto* search = test::findComponent<juce::TextEditor> (browser, "PluginSearch");
    auto* table = test::findComponent<juce::TableListBox> (browser, "PluginTable");
    auto* add = test::findComponent<juce::TextButton> (browser, "PluginAdd");
    REQUIRE ((search != nullptr && table != nullptr && add != nullptr));
    const auto instrumentsBefore = f.host.getSession().instruments.size();

    // An instrument: double-click its row.
    ui.click (*search);
    ui.type ("JX10");
    REQUIRE (browser.getRows().size() == 1);
    ui.doubleClick (*table, table->getCellPosition (gui::PluginBrowser::nameColumn, 0, true).getCentre());
    CHECK (f.takeActionNames() == std::vector<std::string> { "AddInstrument" });
    const auto& session = f.host.getSession();
    REQUIRE (session.instruments.size() == instrumentsBefore + 1);
    const auto jx10Id = f.context.selection.getInstrument(); // the new instrument is selected
    const auto* jx10 = session.instruments.find (jx10Id);
    REQUIRE (jx10 != nullptr);
    CHECK (jx10->name == "MDA JX10");
    CHECK (jx10->source.kind == model::SourceKind::plugin);
    CHECK (jx10->source.plugin.format == model::PluginFormat::lv2);
    CHECK (jx10->source.plugin.identifier == "http://drobilla.net/plugins/mda/JX10");
    CHECK (jx10->source.params.size() > 10); // JX10's parameters, read by loading it
    // The engine resolves the same identifier: the plugin is loaded as the instrument's source.
    CHECK (f.host.findPlugin (model::NodeKind::instrument, jx10Id.value) != nullptr);

    // An effect: select its row with a click, then Add, which names the chain it goes to.
    ui.click (*search);
    ui.typeReplacing ("mda delay");
    REQUIRE (browser.getRows().size() == 1);
    CHECK_FALSE (add->isEnabled()); // nothing selected yet
    ui.click (*table, table->getCellPosition (gui::PluginBrowser::nameColumn, 0, true).getCentre());
    CHECK (add->isEnabled());
    CHECK (add->getButtonText() == "Add to MDA JX10");
    ui.click (*add);
    CHECK (f.takeActionNames() == std::vector<std::string> { "AddStage" });
    jx10 = f.host.getSession().instruments.find (jx10Id);
    REQUIRE (jx10 != nullptr);
    REQUIRE (jx10->chain.size() == 1);
    CHECK (jx10->chain[0].kind == model::StageKind::effect);
    CHECK (jx10->chain[0].effect == model::EffectType::plugin);
    CHECK (jx10->chain[0].plugin.identifier == "http://drobilla.net/plugins/mda/Delay");
    CHECK (jx10->chain[0].plugin.name == "MDA Delay");
    CHECK_FALSE (jx10->chain[0].params.empty());
    CHECK (f.host.findPlugin (model::NodeKind::instrument, jx10Id.value, jx10->chain[0].id) != nullptr);

    // With the master's chain shown, the effect goes there (Return on the selected row adds too).
    const auto masterBefore = f.host.getSession().mixer.master.chain.size();
    f.context.selection.showChainOf (model::NodeKind::master, 0);
    CHECK (add->getButtonText() == "Add to Master");
    table->grabKeyboardFocus();
    ui.pressKey (juce::KeyPress (juce::KeyPress::returnKey));
    CHECK (f.takeActionNames() == std::vector<std::string> { "AddStage" });
    const auto& master = f.host.getSession().mixer.master.chain;
    REQUIRE (master.size() == masterBefore + 1);
    CHECK (master.back().plugin.identifier == "http://drobilla.net/plugins/mda/Delay");
    CHECK (f.host.getSession().instruments.find (jx10Id)->chain.size() == 1);
}

TEST_CASE ("Rescan runs the real scan in child processes without blocking, shows progress, and lists the crashed plugin as skipped", "[gui][plugins][scan]")
{
    const TempFolder config;
    const ScopedEnv xdg ("XDG_CONFIG_HOME", config.folder.getFullPathName());
    const ScopedEnv path ("IMBOLC_PLUGIN_PATH", IMBOLC_TEST_PLUGIN_DIR);
    const juce::File cli (IMBOLC_CLI_PATH);
    REQUIRE (cli.existsAsFile());

    test::GuiFixture f;
    gui::LookAndFeel lookAndFeel;
    gui::PluginBrowser browser (f.context);
    browser.setLookAndFeel (&lookAndFeel);
    test::UiDriver ui (browser, 760, 520);
    auto* rescan = test::findComponent<juce::TextButton> (browser, "PluginRescan");
    auto* progressBar = test::findComponent<juce::ProgressBar> (browser, "PluginScanProgress");
    REQUIRE ((rescan != nullptr && progressBar != nullptr));
    CHECK (browser.getRows().empty());
    CHECK_FALSE (rescan->isEnabled()); // no worker yet: a plugin editor has no scan of its own

    browser.setScanWorker ({ cli.getFullPathName(), "plugins", "--scan-worker" }, app::pluginListDirectory());
    CHECK (rescan->isEnabled());
    std::optional<juce::Result> finished;
    browser.onScanFinished = [&] (const juce::Result& r) { finished = r; };

    // Every text the status line shows (a Label listener sees each one, however fast they come).
    struct StatusRecorder final : juce::Label::Listener
    {
        juce::StringArray texts;
        void labelTextChanged (juce::Label* l) override { texts.add (l->getText()); }
    } recorder;
    auto* statusLabel = test::findComponent<juce::Label> (browser, "PluginStatus");
    REQUIRE (statusLabel != nullptr);
    statusLabel->addListener (&recorder);
    const auto& statuses = recorder.texts;

    const auto before = juce::Time::getMillisecondCounterHiRes();
    ui.click (*rescan);
    // The click returned at once: the scan runs on its own thread and child processes.
    CHECK (juce::Time::getMillisecondCounterHiRes() - before < 1000.0);
    CHECK (browser.isScanning());
    CHECK (progressBar->isVisible());
    CHECK_FALSE (rescan->isEnabled());

    double maxProgress = -1.0;
    const auto deadline = juce::Time::getMillisecondCounter() + 180000;
    while (! finished && juce::Time::getMillisecondCounter() < deadline)
    {
        test::pumpMessages (10);
        maxProgress = juce::jmax (maxProgress, browser.getScanProgress());
    }
    REQUIRE (finished.has_value());
    INFO (finished->getErrorMessage());
    CHECK (finished->wasOk());
    CHECK_FALSE (browser.isScanning());
    CHECK_FALSE (progressBar->isVisible());
    CHECK (rescan->isEnabled());

    // Progress named the plugins being scanned, and the crash as it happened.
    CHECK (maxProgress > 0.5);
    const auto sawStatus = [&] (const juce::String& fragment)
    {
        for (const auto& s : statuses)
            if (s.contains (fragment))
                return true;
        return false;
    };
    CHECK (sawStatus ("Scanning http://drobilla.net/plugins/mda/JX10"));
    CHECK (sawStatus ("Scanning Imbolc Test Synth.vst3"));
    CHECK (sawStatus ("Imbolc Crasher.vst3 crashed the scan; it is skipped from now on."));

    // The list: the crasher skipped, the VST3 test synth and the mda plugins found.
    const auto* crasher = findRow (browser, "Imbolc Crasher");
    REQUIRE (crasher != nullptr);
    CHECK (crasher->isSkipped());
    CHECK (crasher->format == "VST3");
    CHECK (crasher->kind == "skipped (crashed a scan)");
    CHECK (f.context.knownPlugins.getBlacklistedFiles().size() == 1);
    const auto* synth = findRow (browser, "Imbolc Test Synth");
    REQUIRE (synth != nullptr);
    CHECK (synth->format == "VST3");
    CHECK (synth->kind == "instrument");
    CHECK (findRow (browser, "MDA JX10") != nullptr);
    CHECK (findRow (browser, "MDA Delay") != nullptr);
    CHECK (browser.getStatusText() == juce::String (f.context.knownPlugins.getNumTypes()) + " plugins, 1 skipped because it crashed a scan.");
    statusLabel->removeListener (&recorder);
    test::saveScreenshot (browser, "plugin-browser-after-scan");

    // The skipped plugin cannot be added: Add stays off and a double-click only says why.
    auto* table = test::findComponent<juce::TableListBox> (browser, "PluginTable");
    auto* add = test::findComponent<juce::TextButton> (browser, "PluginAdd");
    REQUIRE ((table != nullptr && add != nullptr));
    const auto row = rowIndex (browser, "Imbolc Crasher");
    table->scrollToEnsureRowIsOnscreen (row);
    test::pumpMessages (20);
    ui.click (*table, table->getCellPosition (gui::PluginBrowser::nameColumn, row, true).getCentre());
    CHECK (table->getSelectedRow() == row);
    CHECK_FALSE (add->isEnabled());
    const auto instruments = f.host.getSession().instruments.size();
    ui.doubleClick (*table, table->getCellPosition (gui::PluginBrowser::nameColumn, row, true).getCentre());
    CHECK (f.takeActionNames().empty());
    CHECK (f.host.getSession().instruments.size() == instruments);

    // The VST3 test synth is added with the identifier the engine resolves (bundle path | JUCE's id).
    const auto synthRow = rowIndex (browser, "Imbolc Test Synth");
    table->scrollToEnsureRowIsOnscreen (synthRow);
    test::pumpMessages (20);
    ui.doubleClick (*table, table->getCellPosition (gui::PluginBrowser::nameColumn, synthRow, true).getCentre());
    CHECK (f.takeActionNames() == std::vector<std::string> { "AddInstrument" });
    const auto* added = f.host.getSession().instruments.find (f.context.selection.getInstrument());
    REQUIRE (added != nullptr);
    CHECK (added->source.plugin.format == model::PluginFormat::vst3);
    CHECK (juce::String (added->source.plugin.identifier).startsWith (juce::String (IMBOLC_TEST_PLUGIN_DIR) + "/Imbolc Test Synth.vst3|VST3-"));
    CHECK (f.host.findPlugin (model::NodeKind::instrument, added->id.value) != nullptr);
}

TEST_CASE ("A scan that cannot start says so in the status line and the window's message", "[gui][plugins]")
{
    test::GuiFixture f;
    fillWithMda (f.context.knownPlugins);
    juce::StringArray messages;
    f.context.onMessage = [&] (const juce::String& m) { messages.add (m); };
    gui::PluginBrowser browser (f.context);
    test::UiDriver ui (browser, 760, 520);
    const auto missing = juce::File::getSpecialLocation (juce::File::tempDirectory).getNonexistentChildFile ("no-imbolc-here", {});
    browser.setScanWorker ({ missing.getFullPathName(), "plugins", "--scan-worker" },
                           juce::File::getSpecialLocation (juce::File::tempDirectory).getNonexistentChildFile ("imbolc-gui-noscan", {}));
    std::optional<juce::Result> finished;
    browser.onScanFinished = [&] (const juce::Result& r) { finished = r; };
    auto* rescan = test::findComponent<juce::TextButton> (browser, "PluginRescan");
    REQUIRE (rescan != nullptr);
    ui.click (*rescan);
    REQUIRE (test::eventually ([&]
                               {
                                   test::pumpMessages (10);
                                   return finished.has_value(); },
                               10000));
    CHECK (finished->failed());
    // The supervisor's sentence (the child is forked, so a missing program shows as a worker that died).
    const auto sentence = finished->getErrorMessage();
    CHECK (sentence.isNotEmpty());
    test::pumpMessages (50); // the list's own change message comes later and must not hide the sentence
    CHECK (browser.getStatusText() == sentence);
    auto* status = test::findComponent<juce::Label> (browser, "PluginStatus");
    REQUIRE (status != nullptr);
    CHECK (status->findColour (juce::Label::textColourId) == gui::LookAndFeel::Palette::warning);
    CHECK (messages.contains (sentence));
    // Rescan forgets the saved list before it starts, so the browser shows what is left: nothing.
    CHECK (browser.getRows().empty());
    CHECK (rescan->isEnabled());
}

TEST_CASE ("The status line names the plugin being scanned while the worker is still on it", "[gui][plugins]")
{
    // A stand-in worker that speaks the supervisor's protocol and takes its time over the first plugin,
    // as a slow plugin would: the browser must name it then, not when the child is done.
    const TempFolder config;
    test::GuiFixture f;
    gui::PluginBrowser browser (f.context);
    test::UiDriver ui (browser, 760, 520);
    browser.setScanWorker ({ "/bin/sh", "-c",
                             "echo 'imbolc-scan-worker: scanning 1 2 /plugins/Slow Synth.vst3'; sleep 3; "
                             "echo 'imbolc-scan-worker: scanning 2 2 http://example.org/fast'; echo 'imbolc-scan-worker: done'" },
                           config.folder);
    std::optional<juce::Result> finished;
    browser.onScanFinished = [&] (const juce::Result& r) { finished = r; };
    auto* rescan = test::findComponent<juce::TextButton> (browser, "PluginRescan");
    REQUIRE (rescan != nullptr);
    const auto start = juce::Time::getMillisecondCounter();
    ui.click (*rescan);
    REQUIRE (test::eventually ([&]
                               {
                                   test::pumpMessages (10);
                                   return browser.getStatusText() == "Scanning Slow Synth.vst3"; },
                               2500));
    CHECK (juce::Time::getMillisecondCounter() - start < 2500);
    CHECK (browser.isScanning());
    CHECK (browser.getScanProgress() == 0.0); // the first of two
    test::saveScreenshot (browser, "plugin-browser-scanning");
    REQUIRE (test::eventually ([&]
                               {
                                   test::pumpMessages (10);
                                   return finished.has_value(); },
                               10000));
    CHECK (finished->wasOk());
    CHECK_FALSE (browser.isScanning());
    CHECK (browser.getStatusText() == "0 plugins.");
}
