// imbolc bench plugin: Imbolc's own VST3 plugin (Builds/<preset>/Plugin/VST3/Imbolc.vst3) loaded by
// JUCE's VST3 host, as any JUCE host would load it, against the same session in the standalone engine
// (an app::SessionHost), measured in the same run.

#include "imbolc_BenchSupport.h"

#include <imbolc_app/imbolc_app.h>

#include <cmath>
#include <cstring>

namespace imbolc::cli::bench
{
namespace
{
    constexpr double rate = 48000.0;
    constexpr int block = 256;
    constexpr int rounds = 3; ///< passes over the song, each side in turn
    constexpr int restoreRuns = 5;

    /** The host's transport as the plugin reads it: playing, the song's tempo, the position moved on
        by the bench after every block. */
    class BenchPlayHead final : public juce::AudioPlayHead
    {
    public:
        juce::Optional<PositionInfo> getPosition() const override
        {
            PositionInfo info;
            info.setIsPlaying (playing);
            info.setBpm (bpm);
            info.setPpqPosition (ppq);
            info.setTimeInSamples (samples);
            info.setTimeInSeconds ((double) samples / rate);
            info.setTimeSignature (TimeSignature { 4, 4 });
            return info;
        }

        engine::HostTransport transport() const { return { playing, ppq, bpm }; }

        void start()
        {
            playing = true;
            ppq = 0.0;
            samples = 0;
        }

        void advance (int numSamples)
        {
            samples += numSamples;
            ppq += (double) numSamples / rate * bpm / 60.0;
        }

        bool playing = false;
        double bpm = 120.0;
        double ppq = 0.0;
        std::int64_t samples = 0;
    };

    double percentile (std::vector<double> times, double fraction)
    {
        std::sort (times.begin(), times.end());
        return times[juce::jmin (times.size() - 1, (std::size_t) ((double) times.size() * fraction))];
    }

    double nanosSince (Clock::time_point start)
    {
        return (double) std::chrono::duration_cast<std::chrono::nanoseconds> (Clock::now() - start).count();
    }

    /** JUCE's VST3 host keeps a plugin's state as XML around the component's bytes (base64). A host
        restoring a saved Imbolc session hands back such a state with the project file's bytes as the
        component's: `fresh` is an instance's own state, whose wrapping is kept. Empty if it is not that. */
    juce::MemoryBlock vst3StateHolding (const juce::MemoryBlock& fresh, const std::vector<std::uint8_t>& project)
    {
        auto xml = juce::AudioProcessor::getXmlFromBinary (fresh.getData(), (int) fresh.getSize());
        auto* component = xml != nullptr ? xml->getChildByName ("IComponent") : nullptr;
        if (component == nullptr)
            return {};
        component->deleteAllTextElements();
        component->addTextElement (juce::MemoryBlock (project.data(), project.size()).toBase64Encoding());
        juce::MemoryBlock out;
        juce::AudioProcessor::copyXmlToBinary (*xml, out);
        return out;
    }

    /** Whether a VST3 state (as vst3StateHolding makes) holds `project` as its component's bytes
        (JUCE's VST3 wrapper may append its own data after them). */
    bool vst3StateHolds (const juce::MemoryBlock& state, const std::vector<std::uint8_t>& project)
    {
        const auto xml = juce::AudioProcessor::getXmlFromBinary (state.getData(), (int) state.getSize());
        const auto* component = xml != nullptr ? xml->getChildByName ("IComponent") : nullptr;
        juce::MemoryBlock bytes;
        if (component == nullptr || ! bytes.fromBase64Encoding (component->getAllSubText()) || bytes.getSize() < project.size())
            return false;
        return std::memcmp (bytes.getData(), project.data(), project.size()) == 0;
    }

    /** The song's length in blocks at `bpm` (at least a few seconds, at most a minute). */
    int songBlocks (app::SessionHost& host, double bpm)
    {
        const auto endTick = (double) host.getEngine().getSongEndTick (host.getSession());
        const auto seconds = endTick / (double) model::ticksPerBeat * 60.0 / bpm;
        return juce::jlimit (1000, 12000, (int) std::ceil (seconds * rate / block));
    }
} // namespace

juce::File pluginBenchBundle()
{
    return juce::File::getSpecialLocation (juce::File::currentExecutableFile).getParentDirectory().getChildFile ("Plugin/VST3/Imbolc.vst3");
}

bool pluginBenchBundleBuilt()
{
    // Configuring makes the bundle's folders; only a build puts the module (Contents/<arch>-linux/Imbolc.so) in.
    return ! pluginBenchBundle().getChildFile ("Contents").findChildFiles (juce::File::findFiles, true, "*.so").isEmpty();
}

std::string pluginBenchMissingSentence()
{
    return "imbolc bench plugin needs Imbolc's VST3 plugin at " + pluginBenchBundle().getFullPathName().toStdString()
           + ": build it with 'cmake --build --preset release --target imbolc_plugin_VST3'.";
}

int benchPlugin()
{
    const auto bundle = pluginBenchBundle();
    if (! pluginBenchBundleBuilt())
    {
        std::cerr << pluginBenchMissingSentence() << "\n";
        return 1;
    }

    // JUCE's VST3 host runs on a message thread (it checks), and loading a module needs the
    // MessageManager: this thread is it. No window opens.
    juce::ScopedJuceInitialiser_GUI juce;
    juce::MessageManager::getInstance()->setCurrentThreadAsMessageThread();

    juce::AudioPluginFormatManager formats;
    formats.addFormat (new juce::VST3PluginFormat());
    juce::OwnedArray<juce::PluginDescription> found;
    juce::VST3PluginFormat().findAllTypesForFile (found, bundle.getFullPathName());
    if (found.isEmpty())
    {
        std::cerr << "JUCE's VST3 host found no plugin in " << bundle.getFullPathName() << ".\n";
        return 1;
    }
    const auto description = *found[0];
    auto instantiate = [&] (juce::String& error)
    { return formats.createPluginInstance (description, rate, block, error); };

    const auto demo = model::makeReferenceSession (model::ReferenceSize::small);
    const auto large = model::makeReferenceSession (model::ReferenceSize::large);

    // A first instance loads the module (once per process, untimed) and gives the state wrapping.
    juce::String error;
    auto plugin = instantiate (error);
    if (plugin == nullptr)
    {
        std::cerr << "Imbolc's VST3 plugin did not load: " << error << "\n";
        return 1;
    }
    juce::MemoryBlock fresh;
    plugin->getStateInformation (fresh);
    const auto demoState = vst3StateHolding (fresh, protocol::encodeProject (demo));
    const auto largeProject = protocol::encodeProject (large);
    const auto largeState = vst3StateHolding (fresh, largeProject);
    if (demoState.isEmpty() || largeState.isEmpty())
    {
        std::cerr << "Imbolc's VST3 plugin's state is not the XML JUCE's VST3 host writes, so no session can be restored into it.\n";
        return 1;
    }

    //==========================================================================
    // The demo song, block by block: the plugin through JUCE's VST3 host (its wrapper, the host's
    // play head turned into the plugin's), and the standalone engine given the same transport.
    std::cout << "\nbench plugin: playing the demo song..." << std::flush;
    BenchPlayHead playHead;
    playHead.bpm = demo.settings.bpm;
    plugin->setPlayHead (&playHead);
    plugin->prepareToPlay (rate, block);
    plugin->setStateInformation (demoState.getData(), (int) demoState.getSize());
    juce::MemoryBlock restored;
    plugin->getStateInformation (restored);
    if (! vst3StateHolds (restored, protocol::encodeProject (demo)))
    {
        std::cerr << "\nImbolc's VST3 plugin did not take the demo session as its state.\n";
        return 1;
    }

    app::SessionHost standalone;
    standalone.prepare (rate, block);
    standalone.setSession (demo);
    const int blocksPerPass = songBlocks (standalone, playHead.bpm);

    juce::AudioBuffer<float> buffer (2, block);
    juce::MidiBuffer midi;
    std::vector<float> left ((std::size_t) block), right ((std::size_t) block);
    float* outs[] = { left.data(), right.data() };

    // Stopped, a few blocks each: every chain installed and faded in before the first timed block.
    for (int i = 0; i < 16; ++i)
    {
        plugin->processBlock (buffer, midi);
        const auto transport = playHead.transport();
        engine::ProcessInput input;
        input.midi = &midi;
        input.transport = &transport;
        standalone.getEngine().process (outs, 2, block, input);
        standalone.tick();
    }

    std::vector<double> pluginTimes, standaloneTimes;
    pluginTimes.reserve ((std::size_t) (rounds * blocksPerPass));
    standaloneTimes.reserve ((std::size_t) (rounds * blocksPerPass));
    float pluginPeak = 0.0f, standalonePeak = 0.0f;
    for (int round = 0; round < rounds; ++round)
    {
        // The standalone engine's housekeeping runs between blocks at the plugin's timer rate (30 Hz);
        // the plugin's runs on its own message thread (JUCE's VST3 wrapper starts one on Linux).
        playHead.start();
        auto lastTick = Clock::now();
        for (int i = 0; i < blocksPerPass; ++i)
        {
            const auto transport = playHead.transport();
            engine::ProcessInput input;
            input.midi = &midi;
            input.transport = &transport;
            const auto start = Clock::now();
            standalone.getEngine().process (outs, 2, block, input);
            standaloneTimes.push_back (nanosSince (start));
            for (const auto sample : left)
                standalonePeak = juce::jmax (standalonePeak, std::abs (sample));
            playHead.advance (block);
            if (Clock::now() - lastTick > std::chrono::milliseconds (33))
            {
                standalone.tick();
                lastTick = Clock::now();
            }
        }

        playHead.start();
        for (int i = 0; i < blocksPerPass; ++i)
        {
            const auto start = Clock::now();
            plugin->processBlock (buffer, midi);
            pluginTimes.push_back (nanosSince (start));
            pluginPeak = juce::jmax (pluginPeak, buffer.getMagnitude (0, 0, block));
            midi.clear();
            playHead.advance (block);
        }
    }
    std::cout << " done.\n";
    plugin->releaseResources();
    plugin.reset();

    const auto seconds = (double) blocksPerPass * block / rate;
    header ("bench plugin: the demo song (" + fixed (seconds, 1) + " s, " + std::to_string (rounds) + " passes), 256-sample blocks at 48 kHz", "standalone");
    const auto pluginMedian = percentile (pluginTimes, 0.5), standaloneMedian = percentile (standaloneTimes, 0.5);
    const auto pluginP99 = percentile (pluginTimes, 0.99), standaloneP99 = percentile (standaloneTimes, 0.99);
    row ("block, median", human (pluginMedian), human (standaloneMedian), standaloneMedian / pluginMedian);
    row ("block, 99th percentile", human (pluginP99), human (standaloneP99), standaloneP99 / pluginP99);
    row ("block budget used (median / 5.33 ms)", fixed (100.0 * pluginMedian / (1.0e9 * block / rate), 2) + " %",
         fixed (100.0 * standaloneMedian / (1.0e9 * block / rate), 2) + " %", std::nullopt);
    row ("peak level heard (silent would mean no song)", fixed (pluginPeak, 3), fixed (standalonePeak, 3), std::nullopt);

    //==========================================================================
    std::cout << "\nbench plugin: restoring the large session..." << std::flush;
    std::vector<double> pluginTotal, pluginRestore, standaloneTotal, standaloneRestore;
    for (int run = 0; run < restoreRuns; ++run)
    {
        {
            auto start = Clock::now();
            auto instance = instantiate (error);
            if (instance == nullptr)
            {
                std::cerr << "\nImbolc's VST3 plugin did not load: " << error << "\n";
                return 1;
            }
            instance->prepareToPlay (rate, block);
            const auto restoreStart = Clock::now();
            instance->setStateInformation (largeState.getData(), (int) largeState.getSize());
            pluginRestore.push_back (nanosSince (restoreStart));
            pluginTotal.push_back (nanosSince (start));
            if (run == 0)
            {
                juce::MemoryBlock state;
                instance->getStateInformation (state);
                if (! vst3StateHolds (state, largeProject))
                {
                    std::cerr << "\nImbolc's VST3 plugin did not take the large session as its state.\n";
                    return 1;
                }
            }
            instance->releaseResources();
        }
        {
            const auto start = Clock::now();
            app::SessionHost host;
            host.prepare (rate, block);
            const auto restoreStart = Clock::now();
            host.setSession (large);
            standaloneRestore.push_back (nanosSince (restoreStart));
            standaloneTotal.push_back (nanosSince (start));
        }
    }
    std::cout << " done.\n";

    header ("bench plugin: the large session (" + std::to_string (large.instruments.size()) + " instruments), median of " + std::to_string (restoreRuns), "standalone");
    const auto total = percentile (pluginTotal, 0.5), baselineTotal = percentile (standaloneTotal, 0.5);
    const auto restore = percentile (pluginRestore, 0.5), baselineRestore = percentile (standaloneRestore, 0.5);
    row ("instantiate + prepare + restore", human (total), human (baselineTotal), baselineTotal / total);
    row ("  restore (setStateInformation / setSession)", human (restore), human (baselineRestore), baselineRestore / restore);
    // What the plugin's restore does that setSession does not: decode and validate the project file
    // (the rest is JUCE's VST3 state wrapping, XML and base64, on the host's side and the plugin's).
    const auto decode = medianNanos (restoreRuns, [&]
                                     { auto r = protocol::decodeProject (largeProject.data(), largeProject.size()); (void) r; });
    row ("    of which decoding the project file (" + bytes ((double) largeProject.size()) + ")", human (decode), "-", std::nullopt);

    std::cout << "\n  Ratios are standalone / plugin: 1.0x would mean the plugin costs nothing over the engine it\n"
                 "  wraps. The plugin is Imbolc.vst3 in JUCE's VST3 host, its session restored as a host restores\n"
                 "  saved state (the project file's bytes in JUCE's VST3 state), its transport from the host's\n"
                 "  play head; the standalone side is an app::SessionHost given the same session and transport.\n"
                 "  Instantiating the plugin includes its default session; the standalone side is a SessionHost\n"
                 "  made and prepared. Samples the demo's sampler reads beside a project file are absent in both.\n";
    return 0;
}

} // namespace imbolc::cli::bench
