// imbolc: the command-line tool. Entry point only: the work is in the modules.

#include "imbolc_Cli.h"

#include <iostream>

namespace imbolc::cli
{
namespace
{
    constexpr const char* usageText = R"(imbolc - the Imbolc audio engine's command-line tool

usage:
  imbolc demo [-o FILE] [--size small|large]   write a reference session (default demo.imbolc, small)
  imbolc dump FILE                             print a session as JSON on stdout
  imbolc load-json IN.json -o FILE             turn that JSON back into a session file
  imbolc render FILE -o OUT.wav [--sample-rate N] [--block N] [--bits 16|24|32]
               [--backend internal|supercollider]
                                               render the song offline to a WAV file (supercollider:
                                               an OSC score rendered by scsynth -N, no device needed)
  imbolc play FILE [--scsynth ADDR:PORT] [--latency MS]
                                               play on the default audio device (or a null device);
                                               SuperCollider instruments on scsynth (default
                                               127.0.0.1:57110, latency one block + 5 ms)
  imbolc serve FILE [--listen ADDR:PORT] [--passphrase P] [--scsynth ADDR:PORT] [--play yes]
                                               host a session for other seats (engine + server;
                                               default 127.0.0.1:9999; other addresses need a passphrase;
                                               the transport stays stopped until a seat plays, or --play yes)
  imbolc join ADDR:PORT --name N [--passphrase P] [--instruments ID,ID] [--privilege yes]
              [--for SECONDS] [--json yes]     join a session as a headless seat and print what arrives
  imbolc join --find SECONDS                   list the sessions announced on the LAN
  imbolc plugins [--rescan]                    scan for VST3 and LV2 plugins and list them
                                               (--rescan forgets the saved list, crashed plugins included)
  imbolc bench [SUITE...]                      run benchmarks (suites: model, engine, voices, effects, plugins,
                                               plugin: needs the Imbolc VST3 built, net, sc,
                                               gui: needs an X display)
  imbolc --help | --version

Plugins are looked for in the formats' default folders and in IMBOLC_PLUGIN_PATH (colon-separated);
the list is kept in $XDG_CONFIG_HOME/imbolc (default ~/.config/imbolc).
Errors go to stderr as one sentence; the exit code is 1 for a failed operation, 2 for a usage mistake.
)";

    /** One line per subsystem, for people. */
    void printSummary (const model::Session& s, const juce::File& file, std::size_t bytes)
    {
        std::size_t notes = 0, points = 0;
        for (const auto& t : s.pianoRoll)
            notes += t.notes.size();
        for (const auto& l : s.automation)
            points += l.points.points.size();
        std::size_t stages = s.mixer.master.chain.size();
        for (const auto& i : s.instruments)
            stages += i.chain.size();
        for (const auto& b : s.mixer.buses)
            stages += b.chain.size();

        std::cout << "Wrote " << file.getFullPathName() << " (" << bytes << " bytes)\n"
                  << "  session:     \"" << s.settings.name << "\", " << s.settings.bpm << " BPM, "
                  << s.settings.timeSigNumerator << "/" << s.settings.timeSigDenominator << "\n"
                  << "  instruments: " << s.instruments.size() << " (" << stages << " processing stages in all chains)\n"
                  << "  notes:       " << notes << "\n"
                  << "  automation:  " << s.automation.size() << " lanes, " << points << " points\n"
                  << "  mixer:       " << s.mixer.buses.size() << " buses + master\n"
                  << "  arrangement: " << s.arrangement.clips.size() << " clips, " << s.arrangement.placements.size()
                  << " placements, " << (s.arrangement.mode == model::PlayMode::song ? "song" : "pattern") << " mode\n";
    }

    int demo (const std::vector<std::string>& raw)
    {
        auto args = Args::parse (raw, { "-o", "--size" }, "demo");
        args.expectPositionals (0, "imbolc demo [-o FILE] [--size small|large]");
        const auto size = args.options.count ("--size") ? args.options["--size"] : std::string ("small");
        if (size != "small" && size != "large")
            throw UsageError ("--size must be small or large, not '" + size + "'.");
        const auto file = fileArgument (args.options.count ("-o") ? args.options["-o"] : std::string ("demo.imbolc"));

        const auto session = model::makeReferenceSession (size == "small" ? model::ReferenceSize::small : model::ReferenceSize::large);
        std::vector<juce::File> written;
        if (auto r = app::writeDemoSession (session, file, written); r.failed())
        {
            std::cerr << r.getErrorMessage() << "\n";
            return 1;
        }
        printSummary (session, file, (std::size_t) file.getSize());
        // The sampler instruments play a sample beside the project, written with it.
        for (std::size_t i = 1; i < written.size(); ++i)
            std::cout << "  sample:      " << written[i].getFullPathName() << "\n";
        return 0;
    }

    int dump (const std::vector<std::string>& raw)
    {
        auto args = Args::parse (raw, {}, "dump");
        args.expectPositionals (1, "imbolc dump FILE");
        const auto data = readFile (fileArgument (args.positional[0]));
        if (! data)
            return 1;
        std::string error;
        const auto json = protocol::projectToJson ((const std::uint8_t*) data->getData(), data->getSize(), error);
        if (json.empty())
        {
            std::cerr << error << "\n";
            return 1;
        }
        std::cout << json;
        std::cout.flush();
        return std::cout.good() ? 0 : 1;
    }

    int loadJson (const std::vector<std::string>& raw)
    {
        auto args = Args::parse (raw, { "-o" }, "load-json");
        args.expectPositionals (1, "imbolc load-json IN.json -o FILE");
        if (args.options.count ("-o") == 0)
            throw UsageError ("imbolc load-json needs -o FILE to say where the session goes.");
        const auto data = readFile (fileArgument (args.positional[0]));
        if (! data)
            return 1;
        std::string error;
        const auto bytes = protocol::projectFromJson (data->toString().toStdString(), error);
        if (bytes.empty())
        {
            std::cerr << error << "\n";
            return 1;
        }
        if (auto r = protocol::writeFileAtomically (fileArgument (args.options["-o"]), bytes.data(), bytes.size()); r.failed())
        {
            std::cerr << r.getErrorMessage() << "\n";
            return 1;
        }
        return 0;
    }

    /** `imbolc plugin-sandbox --control-fd N` (engine::runPluginSandboxWorker; each plugin's shared
        block comes over that socket). */
    int pluginSandboxCommand (const std::vector<std::string>& raw)
    {
        const auto args = Args::parse (raw, { "--control-fd" }, "plugin-sandbox");
        args.expectPositionals (0, "imbolc plugin-sandbox --control-fd N (started by the engine, not by hand)");
        auto descriptor = [&] (const std::string& option)
        {
            const auto it = args.options.find (option);
            if (it == args.options.end() || it->second.empty() || ! juce::String (it->second).containsOnly ("0123456789") || it->second.size() > 6)
                throw UsageError ("imbolc plugin-sandbox needs " + option + " with a descriptor number.");
            return std::stoi (it->second);
        };
        return engine::runPluginSandboxWorker (descriptor ("--control-fd"));
    }

    int bench (const std::vector<std::string>& raw)
    {
        const auto& suites = benchSuites();
        for (const auto& suite : raw)
            if (std::find (suites.begin(), suites.end(), suite) == suites.end())
            {
                std::string names;
                for (const auto& s : suites)
                    names += (names.empty() ? "" : ", ") + s;
                throw UsageError ("There is no benchmark suite '" + suite + "'; the suites are: " + names + ".");
            }
        return runBench (raw);
    }

    int run (const std::vector<std::string>& args)
    {
        if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help")
        {
            std::cout << usageText;
            return args.empty() ? 2 : 0;
        }
        if (args[0] == "--version")
        {
            std::cout << "imbolc " << IMBOLC_VERSION_STRING << "\n";
            return 0;
        }

        const auto& command = args[0];
        const std::vector<std::string> rest (args.begin() + 1, args.end());
        if (command == "demo")
            return demo (rest);
        if (command == "dump")
            return dump (rest);
        if (command == "load-json")
            return loadJson (rest);
        if (command == "bench")
            return bench (rest);
        if (command == "render")
            return renderCommand (rest);
        if (command == "play")
            return playCommand (rest);
        if (command == "plugins")
            return runPlugins (rest);
        if (command == "serve")
            return serveCommand (rest);
        if (command == "join")
            return joinCommand (rest);
        // Hidden: the engine starts this itself to run one hosted plugin in a process of its own.
        if (command == "plugin-sandbox")
            return pluginSandboxCommand (rest);
        throw UsageError ("Unknown command '" + command + "'; run 'imbolc --help' for the list.");
    }
} // namespace
} // namespace imbolc::cli

int main (int argc, char* argv[])
{
    imbolc::engine::tuneProcessAllocatorForRealtime(); // the tool owns its process; a plugin never calls this
    std::vector<std::string> args (argv + 1, argv + argc);
    try
    {
        return imbolc::cli::run (args);
    }
    catch (const imbolc::cli::UsageError& e)
    {
        std::cerr << e.what() << "\n";
        return 2;
    }
    catch (const std::exception& e)
    {
        std::cerr << "imbolc failed: " << e.what() << "\n";
        return 1;
    }
}
