namespace imbolc::engine
{

PluginScanner::PluginScanner (juce::File configDirectory)
    : directory (std::move (configDirectory))
{
}

juce::File PluginScanner::defaultDirectory()
{
    const auto xdg = juce::SystemStats::getEnvironmentVariable ("XDG_CONFIG_HOME", {});
    const auto base = xdg.isNotEmpty() && juce::File::isAbsolutePath (xdg) ? juce::File (xdg)
                                                                           : juce::File::getSpecialLocation (juce::File::userHomeDirectory).getChildFile (".config");
    return base.getChildFile ("imbolc");
}

void PluginScanner::load()
{
    list.clear();
    list.clearBlacklistedFiles();
    if (auto xml = juce::parseXML (getListFile()))
        list.recreateFromXml (*xml);
    juce::PluginDirectoryScanner::applyBlacklistingsFromDeadMansPedal (list, getPedalFile());
}

void PluginScanner::forget()
{
    list.clear();
    list.clearBlacklistedFiles();
    getListFile().deleteFile();
    getPedalFile().deleteFile();
}

juce::StringArray PluginScanner::readPedal() const
{
    juce::StringArray lines;
    getPedalFile().readLines (lines);
    lines.removeEmptyStrings();
    return lines;
}

bool PluginScanner::save (juce::String& error) const
{
    if (auto r = directory.createDirectory(); r.failed())
    {
        error = "Could not create the folder " + directory.getFullPathName() + " for the plugin list (" + r.getErrorMessage() + ").";
        return false;
    }
    auto xml = list.createXml();
    if (xml == nullptr || ! xml->writeTo (getListFile()))
    {
        error = "Could not write the plugin list to " + getListFile().getFullPathName() + ".";
        return false;
    }
    return true;
}

bool PluginScanner::scan (PluginHost& host, const Progress& progress, juce::String& error)
{
    if (! save (error)) // also proves the folder is writable before any plugin is loaded
        return false;

    struct Pass
    {
        model::PluginFormat format;
        juce::StringArray items;
    };
    std::vector<Pass> passes;
    int total = 0;
    for (auto format : { model::PluginFormat::vst3, model::PluginFormat::lv2 })
    {
        auto items = host.findAllPlugins (format);
        total += items.size();
        passes.push_back ({ format, items });
    }

    int index = 0;
    for (auto& pass : passes)
    {
        if (pass.items.isEmpty())
            continue;
        auto& format = host.getFormat (pass.format);
        // Given no folders (the items were found above, with the total known up front): the scanner
        // then only orders them and applies the pedal's blacklisting.
        juce::PluginDirectoryScanner scanner (list, format, {}, true, getPedalFile(), false);
        scanner.setFilesOrIdentifiersToScan (pass.items);
        for (bool more = true; more;)
        {
            const auto next = scanner.getNextPluginFileThatWillBeScanned();
            if (progress)
                progress (++index, total, next, list.getBlacklistedFiles().contains (next));
            juce::String name;
            more = scanner.scanNextFile (true, name);
            if (! save (error))
                return false;
        }
    }

    // Plugins that were uninstalled since the last scan leave the list.
    for (const auto& type : list.getTypes())
    {
        auto* format = type.pluginFormatName == juce::VST3PluginFormat::getFormatName()  ? &host.getFormat (model::PluginFormat::vst3)
                       : type.pluginFormatName == juce::LV2PluginFormat::getFormatName() ? &host.getFormat (model::PluginFormat::lv2)
                                                                                         : nullptr;
        if (format == nullptr || ! format->doesPluginStillExist (type))
            list.removeType (type);
    }
    return save (error);
}

} // namespace imbolc::engine
