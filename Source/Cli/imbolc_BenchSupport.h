#pragma once

// Shared by the bench suites: timing and the table every suite prints (ours, baseline, ratio).

#include "imbolc_Cli.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
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

/** One candidate of interleavedTimes: what one call does, and whether its turns alternate between the
    machine's cores (pinned to core `round % cores` for the turn) or leave the threads to the scheduler. */
struct Candidate
{
    std::function<void()> call;
    bool alternateCores = false;
};

/** Every counted call of one candidate: its wall time and the core it was pinned to (-1: none). */
struct CandidateTimes
{
    std::vector<double> nanos;
    std::vector<int> cores;
    std::vector<int> rounds;

    /** The median over the calls on `core` (-2: over all of them) in the rounds `inRound` accepts
        (none given: all); 0 if there are none. */
    double median (int core = -2, const std::function<bool (int)>& inRound = {}) const
    {
        std::vector<double> picked;
        for (std::size_t i = 0; i < nanos.size(); ++i)
            if ((core == -2 || cores[i] == core) && (! inRound || inRound (rounds[i])))
                picked.push_back (nanos[i]);
        if (picked.empty())
            return 0.0;
        std::sort (picked.begin(), picked.end());
        return picked[picked.size() / 2];
    }
};

/** Wall times of several candidates measured in turns: `callsPerTurn` calls of one, then of the next,
    round after round. A neighbour that comes and goes then weighs on every candidate alike, so a ratio
    between them says something about the code rather than about the minute each ran in (on a shared VM,
    one candidate measured after another was seen to move by 2x between runs). A candidate that
    alternates cores is timed on each core in turn: a VM's cores need not be equally fast (one was seen
    at half the other's speed while a neighbour used its host core), and one thread measured on the
    fast one only would make any use of the slow one look poor. The first call of each turn finds the
    caches full of the previous candidate's data and is not counted. Main thread. */
inline std::vector<CandidateTimes> interleavedTimes (int rounds, int callsPerTurn, const std::vector<Candidate>& candidates)
{
    const int cores = juce::jlimit (1, 32, juce::SystemStats::getNumCpus());
    const auto allCores = cores >= 32 ? ~juce::uint32 (0) : (juce::uint32 (1) << cores) - 1;
    std::vector<CandidateTimes> times (candidates.size());
    for (int round = 0; round < rounds; ++round)
        for (std::size_t c = 0; c < candidates.size(); ++c)
        {
            const int core = candidates[c].alternateCores && cores > 1 ? round % cores : -1;
            juce::Thread::setCurrentThreadAffinityMask (core >= 0 ? juce::uint32 (1) << core : allCores);
            candidates[c].call();
            for (int i = 0; i < callsPerTurn; ++i)
            {
                const auto start = Clock::now();
                candidates[c].call();
                times[c].nanos.push_back ((double) std::chrono::duration_cast<std::chrono::nanoseconds> (Clock::now() - start).count());
                times[c].cores.push_back (core);
                times[c].rounds.push_back (round);
            }
        }
    juce::Thread::setCurrentThreadAffinityMask (allCores);
    return times;
}

/** The machine's own parallel capacity, measured beside parallel code: a fixed amount of independent
    arithmetic done by the calling thread alone, or split between it and one helper thread. Its
    two-against-one ratio is the best any parallel code could reach on these cores at that moment: 0.5
    on two real cores, near 1.0 when a VM's two vCPUs share one physical core (seen here, now and then,
    for minutes). The helper spins briefly between calls, as a render worker does between back-to-back
    blocks, and then sleeps, so it leaves the other candidates' turns alone. Main thread. */
class ParallelArithmetic
{
public:
    ParallelArithmetic()
        : helper ([this]
                  { helperLoop(); })
    {
    }

    ~ParallelArithmetic()
    {
        quit.store (true);
        go.fetch_add (1);
        go.notify_one();
        helper.join();
    }

    /** All of the work on the calling thread. */
    void alone() { sink += work (iterations, sink); }

    /** Half on the calling thread, half on the helper; returns when both halves are done. */
    void split()
    {
        const auto ticket = go.fetch_add (1) + 1;
        go.notify_one();
        sink += work (iterations / 2, sink);
        while (done.load (std::memory_order_acquire) != ticket)
        {
        }
    }

private:
    /** 16 independent multiply-add chains: arithmetic only, no memory. The count is read through a
        volatile and the start comes from the last result, so no compiler can work it out beforehand;
        one copy of the code for both threads (inlined, each was vectorised differently). */
    [[gnu::noinline]] static float work (int count, float seed) noexcept
    {
        float lanes[16];
        for (int k = 0; k < 16; ++k)
            lanes[k] = 1.0f + 0.001f * (float) k + 1.0e-9f * seed;
        for (int i = 0; i < count; ++i)
            for (auto& v : lanes)
                v = v * 0.9999999f + 1.0e-7f;
        float sum = 0.0f;
        for (auto v : lanes)
            sum += v;
        return sum;
    }

    void helperLoop()
    {
        std::uint32_t seen = 0;
        for (;;)
        {
            const auto spinUntil = Clock::now() + std::chrono::microseconds (200);
            while (go.load (std::memory_order_acquire) == seen && Clock::now() < spinUntil)
            {
            }
            go.wait (seen);
            if (quit.load())
                return;
            seen = go.load (std::memory_order_acquire);
            helperSink += work (iterations / 2, helperSink);
            done.store (seen, std::memory_order_release);
        }
    }

    volatile int iterations = 200000;
    std::atomic<std::uint32_t> go { 0 }, done { 0 };
    std::atomic<bool> quit { false };
    float sink = 0.0f, helperSink = 0.0f;
    std::thread helper;
};

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
