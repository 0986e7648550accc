#pragma once

#include "imbolc_TestHelpers.h"

#include <imbolc_engine/imbolc_engine.h>

#include <cmath>
#include <vector>

namespace imbolc::test
{

inline float dbfs (double db) { return (float) std::pow (10.0, db / 20.0); }

/** A stereo sine handed to a sink in blocks, its phase continuous from one call to the next so that
    sections of different levels join without a click. */
struct SineSignal
{
    explicit SineSignal (double rate = 48000.0, double hz = 1000.0)
        : sampleRate (rate), frequency (hz) {}

    double sampleRate, frequency;
    int blockSize = 333; ///< deliberately not a divisor of a 100 ms step, so steps end mid-block

    /** Calls sink (left, right, n) with `seconds` of sine at the given peak amplitudes. */
    template <typename Sink>
    void play (double seconds, float leftGain, float rightGain, Sink&& sink)
    {
        left.resize ((std::size_t) blockSize);
        right.resize ((std::size_t) blockSize);
        const auto increment = juce::MathConstants<double>::twoPi * frequency / sampleRate;
        for (auto remaining = (std::int64_t) std::llround (seconds * sampleRate); remaining > 0;)
        {
            const auto n = (int) std::min<std::int64_t> (remaining, blockSize);
            for (int i = 0; i < n; ++i)
            {
                const auto s = std::sin (phase);
                left[(std::size_t) i] = (float) (leftGain * s);
                right[(std::size_t) i] = (float) (rightGain * s);
                phase = std::fmod (phase + increment, juce::MathConstants<double>::twoPi);
            }
            sink (left.data(), right.data(), n);
            remaining -= n;
        }
    }

    double phase = 0.0;
    std::vector<float> left, right;
};

/** The scope test pattern: every sample names its own position exactly (a float holds these integers
    divided by a power of two without rounding), so a frame that mixed two writes is caught. */
inline float scopePattern (std::uint64_t position) { return (float) (position % 8192) / 8192.0f; }

/** Fills the blocks of a pattern run starting at `position`: left is scopePattern, right its negation. */
inline void fillScopePattern (std::uint64_t position, float* left, float* right, int n)
{
    for (int i = 0; i < n; ++i)
    {
        left[i] = scopePattern (position + (std::uint64_t) i);
        right[i] = -left[i];
    }
}

/** True if every sample of the frame is the pattern at its position (zero before position 0). */
inline bool scopeFrameMatchesPattern (const engine::ScopeFrame& frame)
{
    for (int i = 0; i < engine::ScopeFrame::size; ++i)
    {
        const auto position = (std::int64_t) frame.endPosition - engine::ScopeFrame::size + i;
        const auto expected = position < 0 ? 0.0f : scopePattern ((std::uint64_t) position);
        if (frame.left[(std::size_t) i] != expected || frame.right[(std::size_t) i] != -expected)
            return false;
    }
    return true;
}

} // namespace imbolc::test
