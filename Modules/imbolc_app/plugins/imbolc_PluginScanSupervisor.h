#pragma once

namespace imbolc::app
{

/** Scans for plugins in child processes, so a plugin that crashes takes down only a child.

    The child (this same program, started with `workerArguments`) runs runPluginScanWorker(): JUCE's
    PluginDirectoryScanner with its dead-man's pedal, which names the plugin being loaded when the child
    died. The supervisor then reports that plugin and starts a new child, which blacklists it from the
    pedal and carries on; every later scan skips it. The child reports progress as lines on its standard
    output (see runPluginScanWorker); the supervisor turns them into callbacks.

    Message thread (or any one thread); scan() blocks until the scan is over, so a GUI runs it on a
    background thread and posts the callbacks to the message thread.
*/
class PluginScanSupervisor
{
public:
    /** `workerCommand`: the program and arguments that run runPluginScanWorker in a child
        (e.g. { "/usr/bin/imbolc", "plugins", "--scan-worker" }). */
    explicit PluginScanSupervisor (juce::StringArray workerCommand, juce::File configDirectory = engine::PluginScanner::defaultDirectory());

    /** Before each plugin: its 1-based position, the total, its file or URI, and whether it is skipped
        because it crashed a scan before. */
    std::function<void (int index, int total, const juce::String& item, bool skipped)> onProgress;

    /** A child died while loading `item`: it is skipped from now on. */
    std::function<void (const juce::String& item)> onCrash;

    /** Runs the scan to its end. `rescan` forgets every plugin found and every crash first. One sentence
        if the scan could not start, could not save its list, or kept failing. */
    juce::Result scan (bool rescan);

    /** The list as the scan left it (found plugins and crashed ones), read from the configuration folder. */
    std::unique_ptr<engine::PluginScanner> readList() const;

private:
    bool runWorker (bool& failedToStart, juce::String& error);

    juce::StringArray command;
    juce::File directory;
};

/** What the model stores for a scanned plugin (the PluginRef of an AddInstrument or AddStage), or
    nullopt when Imbolc cannot host its format. Views use this instead of the engine's plugin host.
    Any thread. */
std::optional<model::PluginRef> pluginRefFor (const juce::PluginDescription&);

/** A scanned plugin as a new source or stage needs it: its reference and its parameters, read by loading
    it once; nullopt and one sentence in `error` when Imbolc cannot host its format or it does not load.
    Loads the plugin, so it takes a moment. Message thread. */
using PluginInspection = engine::PluginHost::Inspection;
std::optional<PluginInspection> inspectPlugin (const juce::PluginDescription&, juce::String& error);

/** How a plugin is named in a session file and in messages (the LV2 URI, or the VST3 file and id). Any thread. */
juce::String pluginIdentifier (const juce::PluginDescription&);

/** Where the scanned plugin list is kept ($XDG_CONFIG_HOME/imbolc). Any thread. */
inline juce::File pluginListDirectory() { return engine::PluginScanner::defaultDirectory(); }

/** The child's side: scans with JUCE's dead-man's pedal and prints one line per plugin and a last line
    saying it finished, flushed line by line so the supervisor sees everything before a crash. Returns
    the child's exit code. Message thread of the child. */
int runPluginScanWorker (std::ostream& out, juce::File configDirectory = engine::PluginScanner::defaultDirectory());

} // namespace imbolc::app
