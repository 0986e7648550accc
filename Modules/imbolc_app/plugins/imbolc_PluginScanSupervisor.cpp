namespace imbolc::app
{

namespace
{
    // The worker's lines. Progress: "imbolc-scan-worker: scanning|skipping INDEX TOTAL ITEM".
    constexpr const char* workerPrefix = "imbolc-scan-worker: ";
    constexpr const char* workerDone = "imbolc-scan-worker: done";
    constexpr const char* workerError = "imbolc-scan-worker: error: ";
    constexpr int maxWorkerRestarts = 100;

    bool parseProgress (const juce::String& line, int& index, int& total, juce::String& item, bool& skipped)
    {
        auto rest = line.fromFirstOccurrenceOf (workerPrefix, false, false);
        const auto verb = rest.upToFirstOccurrenceOf (" ", false, false);
        if (verb != "scanning" && verb != "skipping")
            return false;
        rest = rest.fromFirstOccurrenceOf (" ", false, false);
        const auto indexText = rest.upToFirstOccurrenceOf (" ", false, false);
        rest = rest.fromFirstOccurrenceOf (" ", false, false);
        const auto totalText = rest.upToFirstOccurrenceOf (" ", false, false);
        item = rest.fromFirstOccurrenceOf (" ", false, false);
        if (! indexText.containsOnly ("0123456789") || ! totalText.containsOnly ("0123456789") || indexText.isEmpty() || totalText.isEmpty() || item.isEmpty())
            return false;
        index = indexText.getIntValue();
        total = totalText.getIntValue();
        skipped = verb == "skipping";
        return true;
    }
} // namespace

PluginScanSupervisor::PluginScanSupervisor (juce::StringArray workerCommand, juce::File configDirectory)
    : command (std::move (workerCommand)), directory (std::move (configDirectory))
{
}

std::unique_ptr<engine::PluginScanner> PluginScanSupervisor::readList() const
{
    auto scanner = std::make_unique<engine::PluginScanner> (directory);
    scanner->load();
    return scanner;
}

bool PluginScanSupervisor::runWorker (bool& failedToStart, juce::String& error)
{
    juce::ChildProcess child;
    // Only its stdout: what plugins and lilv print on stderr while being scanned is noise here.
    failedToStart = ! child.start (command, juce::ChildProcess::wantStdOut);
    if (failedToStart)
        return false;

    bool done = false;
    std::string pending;
    auto handleLine = [&] (const juce::String& line)
    {
        int index = 0, total = 0;
        bool skipped = false;
        juce::String item;
        if (line == workerDone)
            done = true;
        else if (line.startsWith (workerError))
            error = line.fromFirstOccurrenceOf (workerError, false, false);
        else if (parseProgress (line, index, total, item, skipped) && onProgress)
            onProgress (index, total, item, skipped);
    };
    // One byte per read: readProcessOutput is fread(), which waits until the whole buffer is full, so a
    // larger buffer would deliver progress in bursts (or only when the child exits).
    char byte = 0;
    while (child.readProcessOutput (&byte, 1) > 0)
    {
        // Bytes until a whole line: a UTF-8 path may have a character split across reads.
        if (byte != '\n')
        {
            pending.push_back (byte);
            continue;
        }
        handleLine (juce::String::fromUTF8 (pending.data(), (int) pending.size()));
        pending.clear();
    }
    if (! pending.empty())
        handleLine (juce::String::fromUTF8 (pending.data(), (int) pending.size()));
    child.waitForProcessToFinish (10000);
    return done && child.getExitCode() == 0;
}

juce::Result PluginScanSupervisor::scan (bool rescan)
{
    engine::PluginScanner scanner (directory);
    if (rescan)
        scanner.forget();

    for (int attempt = 0;; ++attempt)
    {
        bool failedToStart = false;
        juce::String error;
        if (runWorker (failedToStart, error))
            return juce::Result::ok();
        const auto crashed = scanner.readPedal();
        if (failedToStart)
            return juce::Result::fail ("Could not start the plugin scan (" + command[0] + ").");
        if (error.isNotEmpty())
            return juce::Result::fail (error);
        if (crashed.isEmpty())
            return juce::Result::fail ("The plugin scan failed before it could finish.");
        if (attempt >= maxWorkerRestarts)
            return juce::Result::fail ("The plugin scan crashed " + juce::String (maxWorkerRestarts) + " times; it was given up.");
        for (const auto& c : crashed)
            if (onCrash)
                onCrash (c);
    }
}

int runPluginScanWorker (std::ostream& out, juce::File configDirectory)
{
    engine::PluginHost host;
    engine::PluginScanner scanner (std::move (configDirectory));
    scanner.load();
    juce::String error;
    const bool ok = scanner.scan (
        host, [&out] (int index, int total, const juce::String& item, bool skipped)
        {
            // Flushed line by line: the supervisor shows progress as it comes, and if a plugin takes
            // this process down, everything before it has been seen.
            out << workerPrefix << (skipped ? "skipping " : "scanning ") << index << " " << total << " " << item << std::endl; },
        error);
    if (! ok)
    {
        out << workerError << error << std::endl;
        return 1;
    }
    out << workerDone << std::endl;
    return 0;
}

std::optional<model::PluginRef> pluginRefFor (const juce::PluginDescription& description)
{
    if (! engine::PluginHost::formatOf (description).has_value())
        return std::nullopt;
    return engine::PluginHost::makeRef (description);
}

std::optional<PluginInspection> inspectPlugin (const juce::PluginDescription& description, juce::String& error)
{
    const auto ref = pluginRefFor (description);
    if (! ref)
    {
        error = "Imbolc hosts VST3 and LV2 plugins; " + description.name + " is a " + description.pluginFormatName + " plugin.";
        return std::nullopt;
    }
    // A host of its own: the engine's is the audio side's, and this runs between edits.
    engine::PluginHost host;
    return host.inspect (*ref, error);
}

juce::String pluginIdentifier (const juce::PluginDescription& description)
{
    return engine::PluginHost::makeIdentifier (description);
}

} // namespace imbolc::app
