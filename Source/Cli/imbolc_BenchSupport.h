#pragma once

// Shared by the bench suites: timing and the table every suite prints (ours, baseline, ratio).

#include "imbolc_Cli.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

namespace imbolc::cli::bench
{
using Clock = std::chrono::steady_clock;

/** Median wall time of `runs` calls, in nanoseconds: the median shrugs off a noisy neighbour. */
template <typename Fn>
inline double medianNanos (int runs, Fn&& fn)
{
    std::vector<double> times;
    times.reserve ((std::size_t) runs);
    for (int i = 0; i < runs; ++i)
    {
        const auto start = Clock::now();
        fn();
        times.push_back ((double) std::chrono::duration_cast<std::chrono::nanoseconds> (Clock::now() - start).count());
    }
    std::sort (times.begin(), times.end());
    return times[times.size() / 2];
}

inline std::string human (double nanos)
{
    char text[64];
    if (nanos < 1e3)
        std::snprintf (text, sizeof (text), "%.0f ns", nanos);
    else if (nanos < 1e6)
        std::snprintf (text, sizeof (text), "%.2f us", nanos / 1e3);
    else if (nanos < 1e9)
        std::snprintf (text, sizeof (text), "%.2f ms", nanos / 1e6);
    else
        std::snprintf (text, sizeof (text), "%.2f s", nanos / 1e9);
    return text;
}

inline std::string bytes (double b)
{
    char text[64];
    if (b < 1024)
        std::snprintf (text, sizeof (text), "%.0f B", b);
    else if (b < 1024 * 1024)
        std::snprintf (text, sizeof (text), "%.1f KiB", b / 1024);
    else
        std::snprintf (text, sizeof (text), "%.2f MiB", b / (1024 * 1024));
    return text;
}

inline std::string fixed (double value, int decimals)
{
    char text[32];
    std::snprintf (text, sizeof (text), "%.*f", decimals, value);
    return text;
}

/** One row: what, ours, the baseline, and baseline / ours (higher is better for us). */
inline void row (const std::string& what, const std::string& ours, const std::string& baseline, std::optional<double> ratio)
{
    char ratioText[32] = "-";
    if (ratio)
        std::snprintf (ratioText, sizeof (ratioText), *ratio < 0.1 ? "%.3fx" : "%.1fx", *ratio); // 0.0x would say nothing
    char text[512];
    std::snprintf (text, sizeof (text), "  %-44s %14s %14s %10s\n", what.c_str(), ours.c_str(), baseline.c_str(), ratioText);
    std::cout << text;
}

inline void header (const std::string& suite, const std::string& baselineName)
{
    char text[512];
    std::snprintf (text, sizeof (text), "\n%s\n  %-44s %14s %14s %10s\n", suite.c_str(), "figure", "imbolc", baselineName.c_str(), "ratio");
    std::cout << text;
}

/** The engine rendering on its own thread at a device's pace (a block every blockSize / sampleRate
    seconds), so what the message thread does is measured on its own core and caches, as in the app.
    Far behind (more than 4 blocks), it does not burst to catch up. Construct and destroy on the
    message thread. */
class PacedAudioThread
{
public:
    PacedAudioThread (engine::Engine& engine, double sampleRate, int blockSize)
    {
        thread = std::thread ([this, &engine, sampleRate, blockSize]
                              {
            std::vector<float> l ((std::size_t) blockSize), r ((std::size_t) blockSize);
            float* outs[] = { l.data(), r.data() };
            const auto period = std::chrono::microseconds ((int) (1.0e6 * blockSize / sampleRate));
            auto next = Clock::now();
            while (! quit.load())
            {
                engine.process (outs, 2, blockSize);
                blocks.fetch_add (1);
                next += period;
                if (next < Clock::now() - 4 * period)
                    next = Clock::now();
                std::this_thread::sleep_until (next);
            } });
    }
    ~PacedAudioThread()
    {
        quit = true;
        thread.join();
    }
    std::int64_t blocksRendered() const { return blocks.load(); }

private:
    std::thread thread;
    std::atomic<bool> quit { false };
    std::atomic<std::int64_t> blocks { 0 };
};

/** One suite each; return the exit status. Message thread (main). */
int benchModel();
int benchEngine();
int benchPlugins();
int benchSc();
int benchVoices();
int benchEffects();
int benchNet();
/** Ableton Link: two peers' beat phase on loopback, and the audio thread's cost of Link per block. */
int benchLink();
/** The plugin suite needs Imbolc's VST3 plugin built beside the tool (pluginBenchBundle): without
    it, benchPlugin prints pluginBenchMissingSentence and returns 1. */
int benchPlugin();
juce::File pluginBenchBundle();
bool pluginBenchBundleBuilt();
std::string pluginBenchMissingSentence();
/** The gui suite needs an X display: without one it prints guiNeedsDisplaySentence and returns 1. */
int benchGui();
bool guiBenchHasDisplay();
extern const char* const guiNeedsDisplaySentence;
} // namespace imbolc::cli::bench
