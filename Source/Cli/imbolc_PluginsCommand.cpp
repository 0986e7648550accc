// imbolc plugins: scans for VST3 and LV2 plugins and lists them.
//
// The scan runs in child processes (this same binary, `imbolc plugins --scan-worker`) supervised by the
// application core's PluginScanSupervisor, so a plugin that crashes takes down only a child; this file
// prints what the supervisor reports.

#include "imbolc_Cli.h"

#include <iostream>

namespace imbolc::cli
{
namespace
{
    constexpr const char* workerFlag = "--scan-worker";

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
        return app::runPluginScanWorker (std::cout);

    const auto executable = juce::File::getSpecialLocation (juce::File::currentExecutableFile);
    app::PluginScanSupervisor supervisor ({ executable.getFullPathName(), "plugins", workerFlag });
    supervisor.onProgress = [] (int index, int total, const juce::String& item, bool skipped)
    {
        std::cout << (skipped ? "Skipping " : "Scanning ") << index << "/" << total << ": " << item
                  << (skipped ? " (crashed a previous scan)" : "") << std::endl;
    };
    supervisor.onCrash = [] (const juce::String& item)
    { std::cout << "The scan crashed while loading " << item << "; it is skipped from now on." << std::endl; };
    if (const auto result = supervisor.scan (rescan); result.failed())
    {
        std::cerr << result.getErrorMessage() << std::endl;
        return 1;
    }
    printTable (*supervisor.readList());
    return 0;
}

} // namespace imbolc::cli
