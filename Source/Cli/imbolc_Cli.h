#pragma once

#include <imbolc_app/imbolc_app.h>

#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

namespace imbolc::cli
{

/** A command-line mistake: printed as one sentence, exit code 2. */
struct UsageError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

/** Splits arguments into positionals and --options that take a value. Rejects what it does not know. */
struct Args
{
    std::vector<std::string> positional;
    std::map<std::string, std::string> options;

    static Args parse (const std::vector<std::string>& raw, const std::set<std::string>& valueOptions, const std::string& command)
    {
        Args args;
        for (std::size_t i = 0; i < raw.size(); ++i)
        {
            const auto& a = raw[i];
            if (a.size() > 1 && a[0] == '-' && a != "-")
            {
                if (valueOptions.count (a) == 0)
                    throw UsageError ("imbolc " + command + " does not know the option '" + a + "'; see 'imbolc --help'.");
                if (i + 1 >= raw.size())
                    throw UsageError ("The option " + a + " needs a value.");
                if (args.options.count (a) != 0)
                    throw UsageError ("The option " + a + " is given twice.");
                args.options[a] = raw[++i];
            }
            else
            {
                args.positional.push_back (a);
            }
        }
        return args;
    }

    void expectPositionals (std::size_t count, const std::string& usage) const
    {
        if (positional.size() != count)
            throw UsageError ("usage: " + usage);
    }
};

inline juce::File fileArgument (const std::string& path)
{
    if (path.empty())
        throw UsageError ("An empty file name was given.");
    return juce::File::getCurrentWorkingDirectory().getChildFile (juce::String (path));
}

inline std::optional<juce::MemoryBlock> readFile (const juce::File& file)
{
    if (! file.existsAsFile())
    {
        std::cerr << "There is no file at " << file.getFullPathName() << ".\n";
        return std::nullopt;
    }
    juce::MemoryBlock data;
    if (! file.loadFileAsData (data))
    {
        std::cerr << "Could not read " << file.getFullPathName() << ".\n";
        return std::nullopt;
    }
    return data;
}

/** The value of a whole-number option in [lo, hi], or the fallback when it is absent. */
struct Endpoint
{
    juce::String address;
    int port = 0;
};

/** ADDR:PORT, or :PORT (loopback), or ADDR (the default port); `what` names the option in the error. */
inline Endpoint parseEndpoint (const std::string& text, const std::string& what, int defaultPort = 9999)
{
    const juce::String s (text);
    Endpoint e { "127.0.0.1", defaultPort };
    const auto colon = s.lastIndexOfChar (':');
    const auto host = colon >= 0 ? s.substring (0, colon) : s;
    if (host.isNotEmpty())
        e.address = host;
    if (colon >= 0)
    {
        const auto port = s.substring (colon + 1);
        if (port.isEmpty() || ! port.containsOnly ("0123456789") || port.length() > 5 || port.getIntValue() > 65535)
            throw UsageError (what + " must be ADDRESS:PORT with a port from 0 to 65535, not '" + text + "'.");
        e.port = port.getIntValue();
    }
    if (e.address.containsAnyOf (" /\\"))
        throw UsageError (what + " must be ADDRESS:PORT, not '" + text + "'.");
    return e;
}

inline int integerOption (const Args& args, const std::string& name, int fallback, int lo, int hi)
{
    auto it = args.options.find (name);
    if (it == args.options.end())
        return fallback;
    const juce::String text (it->second);
    if (! text.containsOnly ("0123456789") || text.isEmpty() || text.length() > 7 || text.getIntValue() < lo || text.getIntValue() > hi)
        throw UsageError (name + " must be a whole number from " + std::to_string (lo) + " to " + std::to_string (hi) + ", not '" + it->second + "'.");
    return text.getIntValue();
}

/** Reads and decodes a session file, printing one sentence on failure. */
std::optional<model::Session> loadSessionFile (const juce::File&);

/** Prints the application core's warnings as "warning: ..." lines on stderr. */
void printWarning (const juce::String& sentence);

/** Ctrl-C (and SIGTERM) set a flag instead of killing the process, so commands finish cleanly. */
void installInterruptHandler();
bool wasInterrupted() noexcept;

/** `imbolc render` and `imbolc play`; each returns the exit code. */
int renderCommand (const std::vector<std::string>& args);
int playCommand (const std::vector<std::string>& args);

/** `imbolc serve` and `imbolc join`; each returns the exit code. Main thread. */
int serveCommand (const std::vector<std::string>& args);
int joinCommand (const std::vector<std::string>& args);

/** Runs `imbolc bench [SUITE...]`; returns the exit code. */
int runBench (const std::vector<std::string>& suites);

/** Runs `imbolc plugins [--rescan]`; returns the exit code. Message thread (main). */
int runPlugins (const std::vector<std::string>& args);

/** The suites `imbolc bench` knows, for help and checking. */
const std::vector<std::string>& benchSuites();

} // namespace imbolc::cli
