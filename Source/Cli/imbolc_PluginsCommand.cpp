// imbolc plugins: scans for VST3 and LV2 plugins and lists them.
//
// The scan runs in a child process (this same binary, `imbolc plugins --scan-worker`), so a plugin that
// crashes takes down only the child. The child scans with JUCE's PluginDirectoryScanner, whose dead-man's
// pedal file names the plugin it was loading when it died; the parent reports it and starts a new child,
// which blacklists that plugin from the pedal and carries on. Every later scan skips it.

#include "imbolc_Cli.h"

#include <imbolc_engine/imbolc_engine.h>

#include <iostream>

namespace imbolc::cli
{
namespace
{
    constexpr const char* workerFlag = "--scan-worker";
    constexpr const char* workerDone = "imbolc-scan-worker: done";
    constexpr const char* workerError = "imbolc-scan-worker: error: ";
    constexpr int maxWorkerRestarts = 100;

    int scanWorker()
    {
        engine::PluginHost host;
        engine::PluginScanner scanner;
        scanner.load();
        juce::String error;
        const bool ok = scanner.scan (
            host, [] (int index, int total, const juce::String& item, bool skipped)
            {
                // Flushed line by line: the parent shows progress as it comes, and if a plugin takes
                // this process down, everything before it has been seen.
                std::cout << (skipped ? "Skipping " : "Scanning ") << index << "/" << total << ": " << item
                          << (skipped ? " (crashed a previous scan)" : "") << std::endl; },
            error);
        if (! ok)
        {
            std::cout << workerError << error << std::endl;
            return 1;
        }
        std::cout << workerDone << std::endl;
        return 0;
    }

    /** Runs one worker, echoing its output; true if it finished its scan. `error` gets the sentence a
        worker that failed (rather than crashed) reported. */
    bool runWorker (const juce::File& executable, bool& failedToStart, juce::String& error)
    {
        juce::ChildProcess child;
        // Only its stdout: what plugins and lilv print on stderr while being scanned is noise here.
        failedToStart = ! child.start (juce::StringArray { executable.getFullPathName(), "plugins", workerFlag }, juce::ChildProcess::wantStdOut);
        if (failedToStart)
            return false;

        bool done = false;
        juce::String pending;
        char buffer[4096];
        for (int n; (n = child.readProcessOutput (buffer, (int) sizeof (buffer))) > 0;)
        {
            pending += juce::String::fromUTF8 (buffer, n);
            for (int newline; (newline = pending.indexOfChar ('\n')) >= 0;)
            {
                const auto line = pending.substring (0, newline);
                pending = pending.substring (newline + 1);
                if (line == workerDone)
                    done = true;
                else if (line.startsWith (workerError))
                    error = line.fromFirstOccurrenceOf (workerError, false, false);
                else
                    std::cout << line << std::endl;
            }
        }
        if (pending.isNotEmpty())
            std::cout << pending << std::endl;
        child.waitForProcessToFinish (10000);
        return done && child.getExitCode() == 0;
    }

    const char* kindOf (const juce::PluginDescription& d) { return d.isInstrument ? "instrument" : "effect"; }

    void printTable (const engine::PluginScanner& scanner)
    {
        struct Row
        {
            juce::String format, name, manufacturer, kind, identifier;
        };
        std::vector<Row> rows;
        auto types = scanner.getList().getTypes();
        std::sort (types.begin(), types.end(), [] (const auto& a, const auto& b)
                   { return std::tie (a.pluginFormatName, a.name) < std::tie (b.pluginFormatName, b.name); });
        for (const auto& d : types)
            rows.push_back ({ d.pluginFormatName, d.name, d.manufacturerName, kindOf (d), engine::PluginHost::makeIdentifier (d) });
        for (const auto& crashed : scanner.getCrashed())
            rows.push_back ({ crashed.endsWithIgnoreCase (".vst3") ? "VST3" : "LV2", juce::File::isAbsolutePath (crashed) ? juce::File (crashed).getFileNameWithoutExtension() : crashed, "-", "skipped (crashed a previous scan)", crashed });

        const Row heading { "format", "name", "manufacturer", "kind", "identifier" };
        std::array<int, 4> widths { heading.format.length(), heading.name.length(), heading.manufacturer.length(), heading.kind.length() };
        for (const auto& r : rows)
            widths = { juce::jmax (widths[0], r.format.length()), juce::jmax (widths[1], r.name.length()), juce::jmax (widths[2], r.manufacturer.length()), juce::jmax (widths[3], r.kind.length()) };

        auto print = [&] (const Row& r)
        {
            std::cout << r.format.paddedRight (' ', widths[0] + 2) << r.name.paddedRight (' ', widths[1] + 2)
                      << r.manufacturer.paddedRight (' ', widths[2] + 2) << r.kind.paddedRight (' ', widths[3] + 2)
                      << r.identifier << "\n";
        };
        std::cout << "\n";
        print (heading);
        for (const auto& r : rows)
            print (r);
        std::cout << "\n"
                  << types.size() << " plugins found, " << scanner.getCrashed().size() << " skipped because they crashed a scan"
                  << " (list: " << scanner.getListFile().getFullPathName() << ").\n";
    }
} // namespace

int runPlugins (const std::vector<std::string>& args)
{
    bool rescan = false, worker = false;
    for (const auto& a : args)
    {
        if (a == "--rescan")
            rescan = true;
        else if (a == workerFlag)
            worker = true;
        else
            throw UsageError ("imbolc plugins does not know the argument '" + a + "'; see 'imbolc --help'.");
    }
    if (worker)
        return scanWorker();

    engine::PluginScanner scanner;
    if (rescan)
        scanner.forget();

    const auto executable = juce::File::getSpecialLocation (juce::File::currentExecutableFile);
    for (int attempt = 0;; ++attempt)
    {
        bool failedToStart = false;
        juce::String error;
        if (runWorker (executable, failedToStart, error))
            break;
        const auto crashed = scanner.readPedal();
        if (failedToStart || error.isNotEmpty() || crashed.isEmpty() || attempt >= maxWorkerRestarts)
        {
            std::cerr << (failedToStart ? juce::String ("Could not start the plugin scan.") : error.isNotEmpty() ? error
                                                                                                                 : juce::String ("The plugin scan failed before it could finish."))
                      << std::endl;
            return 1;
        }
        for (const auto& c : crashed)
            std::cout << "The scan crashed while loading " << c << "; it is skipped from now on." << std::endl;
    }

    scanner.load();
    printTable (scanner);
    return 0;
}

} // namespace imbolc::cli
