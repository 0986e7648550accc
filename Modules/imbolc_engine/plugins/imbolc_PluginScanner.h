#pragma once

namespace imbolc::engine
{

/** The list of installed VST3 and LV2 plugins, found with juce::PluginDirectoryScanner and kept in a
    juce::KnownPluginList saved as XML in a configuration folder (by default $XDG_CONFIG_HOME/imbolc,
    else ~/.config/imbolc).

    Survives crashing plugins with JUCE's dead-man's pedal: before a plugin is loaded its file (or LV2
    URI) is written to a pedal file and afterwards removed, so if a plugin takes the process down, the
    next scan finds it there, puts it on the list's blacklist and never loads it again. The list is
    saved after every plugin, so a crash loses nothing already found.

    LV2 plugins are found by URI, not by file: lilv loads every bundle on the search path and the
    scanner works through the URIs, so the pedal and the blacklist hold URIs for LV2.

    Message thread (scanning loads plugins).
*/
class PluginScanner
{
public:
    explicit PluginScanner (juce::File configDirectory = defaultDirectory());

    /** $XDG_CONFIG_HOME/imbolc, or ~/.config/imbolc when XDG_CONFIG_HOME is unset. Any thread. */
    static juce::File defaultDirectory();

    juce::File getListFile() const { return directory.getChildFile ("plugins.xml"); }
    juce::File getPedalFile() const { return directory.getChildFile ("plugin-scan-pedal.txt"); }

    /** Reads the saved list, and blacklists whatever the pedal says crashed the last scan. */
    void load();

    /** Forgets every plugin found and every crash (the next scan tries crashed plugins again). */
    void forget();

    /** Called before each plugin with its 1-based position, the total, its file or URI, and whether
        it is skipped because it crashed a scan before. */
    using Progress = std::function<void (int index, int total, const juce::String& fileOrIdentifier, bool skipped)>;

    /** Scans the default folders of both formats and IMBOLC_PLUGIN_PATH. Plugins whose listing is
        up to date are not loaded again. Returns false, with one sentence in `error`, if the list
        cannot be saved. */
    bool scan (PluginHost&, const Progress& progress, juce::String& error);

    const juce::KnownPluginList& getList() const noexcept { return list; }

    /** Files (VST3) and URIs (LV2) skipped because they crashed a scan. */
    juce::StringArray getCrashed() const { return list.getBlacklistedFiles(); }

    /** What was being loaded when a scan died, according to the pedal; empty after a clean scan. */
    juce::StringArray readPedal() const;

private:
    bool save (juce::String& error) const;

    juce::File directory;
    juce::KnownPluginList list;
};

} // namespace imbolc::engine
