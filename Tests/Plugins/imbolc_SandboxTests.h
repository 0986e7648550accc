#pragma once

// The plugin sandbox tests: real sandbox processes (the imbolc CLI built here, IMBOLC_CLI_PATH), real
// plugins (the VST3 test synth, Imbolc Faulty, which really crashes or hangs, and Debian's mda JX10),
// a real audio thread (test::AudioThread).

#include "imbolc_PluginTestSupport.h"

#include <cerrno>
#include <cstring>
#include <signal.h>

namespace imbolc::test
{

inline model::PluginRef faultyRef()
{
    model::PluginRef ref;
    ref.format = model::PluginFormat::vst3;
    ref.identifier = IMBOLC_FAULTY_VST3;
    return ref;
}

/** Imbolc Faulty's parameters, normalized: "Fault" (none 0, crash 0.5, hang 1) and "After blocks" (/1000). */
enum class Fault
{
    none,
    crash,
    hang
};

inline float faultValue (Fault f) { return f == Fault::none ? 0.0f : (f == Fault::crash ? 0.5f : 1.0f); }

/** Imbolc Faulty as an instrument's source, as the plugin browser puts a plugin into the model (its
    ref and parameters as `plugins` inspects them), with its fault set. */
inline model::Source faultySource (engine::PluginHost& plugins, Fault fault)
{
    juce::String error;
    auto info = plugins.inspect (faultyRef(), error);
    INFO (error);
    REQUIRE (info.has_value());
    model::Source source;
    source.kind = model::SourceKind::plugin;
    source.plugin = info->ref;
    source.params = info->params;
    source.params[0].value = faultValue (fault);
    return source;
}

/** How many notes Imbolc Faulty heard, read from its saved state (negative: not Faulty's state). JUCE's
    VST3 host keeps the plugin's 16 bytes ("TUAF", fault, after, notes heard) as JUCE's base64 in an XML
    document after an 8-byte header. */
inline int notesHeard (const std::vector<std::uint8_t>& s)
{
    if (s.size() < 8)
        return -1;
    const auto xml = juce::parseXML (juce::String::fromUTF8 (reinterpret_cast<const char*> (s.data() + 8), (int) s.size() - 8));
    juce::MemoryBlock component;
    if (xml == nullptr || ! component.fromBase64Encoding (xml->getChildElementAllSubText ("IComponent", {})))
        return -2;
    const auto* begin = static_cast<const std::uint8_t*> (component.getData());
    const auto* end = begin + component.getSize();
    const std::uint8_t magic[] = { 'T', 'U', 'A', 'F' };
    const auto* at = std::search (begin, end, std::begin (magic), std::end (magic));
    return end - at < 16 ? -3 : (int) juce::ByteOrder::littleEndianInt (at + 12);
}

/** Sandboxes run by the CLI built with the tests. `deadlineFraction` long by default: an exact
    comparison must not lose a block to a busy two-core machine. */
inline engine::PluginSandboxOptions sandboxOptions (bool pipelined = false, double deadlineFraction = 40.0)
{
    engine::PluginSandboxOptions o;
    o.mode = engine::PluginSandboxMode::perPlugin;
    o.workerCommand = { IMBOLC_CLI_PATH, "plugin-sandbox" };
    o.pipelined = pipelined;
    o.deadlineFraction = deadlineFraction;
    return o;
}

/** The same, all plugins in one shared sandbox process. */
inline engine::PluginSandboxOptions sharedSandboxOptions (bool pipelined = false, double deadlineFraction = 40.0)
{
    auto o = sandboxOptions (pipelined, deadlineFraction);
    o.mode = engine::PluginSandboxMode::shared;
    return o;
}

/** Bit for bit. */
inline bool sameSamples (const std::vector<float>& a, const std::vector<float>& b)
{
    return a.size() == b.size() && std::memcmp (a.data(), b.data(), a.size() * sizeof (float)) == 0;
}

inline float peakOf (const std::vector<float>& v)
{
    float p = 0.0f;
    for (auto x : v)
        p = std::max (p, std::abs (x));
    return p;
}

/** True while a process with that id exists (not yet reaped). */
inline bool processExists (int pid)
{
    return pid > 0 && (::kill ((pid_t) pid, 0) == 0 || errno != ESRCH);
}

inline engine::Engine::Options engineOptions (engine::PluginSandboxOptions sandbox)
{
    engine::Engine::Options o;
    o.pluginSandbox = std::move (sandbox);
    return o;
}

struct ScopedEnvironment
{
    ScopedEnvironment (const char* n, const char* value)
        : name (n)
    {
        if (const auto* old = std::getenv (n))
            previous = std::string (old);
        if (value != nullptr)
            ::setenv (n, value, 1);
        else
            ::unsetenv (n);
    }
    ~ScopedEnvironment()
    {
        if (previous)
            ::setenv (name, previous->c_str(), 1);
        else
            ::unsetenv (name);
    }
    const char* name;
    std::optional<std::string> previous;
};

} // namespace imbolc::test
