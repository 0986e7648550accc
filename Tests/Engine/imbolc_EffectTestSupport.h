#pragma once

// Shared by the filter and effect tests: stages as the model makes them, a node made by the real
// factory and run block by block, and measurements on the rendered samples.

#include "imbolc_EngineTestSupport.h"

#include <complex>
#include <numeric>

namespace imbolc::test::fx
{

constexpr double rate = 48000.0;
constexpr int block = 256;

inline model::Stage filterStage (model::FilterType type, float cutoff, float resonance = 0.0f, float drive = 0.0f)
{
    model::Stage st;
    st.kind = model::StageKind::filter;
    st.filter = type;
    st.params = model::makeFilterParameters (type);
    st.params[0].value = cutoff;
    st.params[1].value = resonance;
    st.params[2].value = drive;
    return st;
}

/** An EQ with every band at 0 dB, then `bands` as {band (0-based), freq, gain dB, q}. */
struct EqBand
{
    int band;
    float freq, gainDb, q;
};

inline model::Stage eqStage (std::vector<EqBand> bands = {})
{
    model::Stage st;
    st.kind = model::StageKind::eq;
    st.params = model::makeEqParameters();
    for (const auto& b : bands)
    {
        st.params[(std::size_t) b.band * 3].value = b.freq;
        st.params[(std::size_t) b.band * 3 + 1].value = b.gainDb;
        st.params[(std::size_t) b.band * 3 + 2].value = b.q;
    }
    return st;
}

inline model::Stage effectStage (model::EffectType type, std::vector<std::pair<int, float>> values = {})
{
    return EngineRig::effect (type, std::move (values));
}

/** A node made by the engine's own factory, prepared for stereo at 48 kHz. */
struct NodeRun
{
    std::unique_ptr<engine::NodeProcessor> node;
    juce::AudioBuffer<float> buffer { 2, block };
    juce::MidiBuffer midi;

    explicit NodeRun (const model::Stage& stage, double sampleRate = rate)
        : node (engine::NodeFactory().createStage (stage))
    {
        node->setPlayConfigDetails (2, 2, sampleRate, block);
        node->prepareToPlay (sampleRate, block);
    }

    /** Processes left/right in place, `size`-sample blocks; `beforeBlock(index)` runs before each. */
    template <typename Fn>
    void process (std::vector<float>& left, std::vector<float>& right, int size, Fn&& beforeBlock)
    {
        int index = 0;
        for (std::size_t start = 0; start < left.size(); start += (std::size_t) size, ++index)
        {
            const int n = (int) std::min<std::size_t> ((std::size_t) size, left.size() - start);
            beforeBlock (index);
            buffer.setSize (2, n, false, false, true);
            buffer.copyFrom (0, 0, left.data() + start, n);
            buffer.copyFrom (1, 0, right.data() + start, n);
            node->processBlock (buffer, midi);
            std::copy (buffer.getReadPointer (0), buffer.getReadPointer (0) + n, left.data() + start);
            std::copy (buffer.getReadPointer (1), buffer.getReadPointer (1) + n, right.data() + start);
        }
    }

    void process (std::vector<float>& left, std::vector<float>& right, int size = block)
    {
        process (left, right, size, [] (int) {});
    }
};

inline std::vector<float> sine (double hz, float amplitude, double seconds, double sampleRate = rate)
{
    std::vector<float> v ((std::size_t) (seconds * sampleRate));
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = amplitude * (float) std::sin (juce::MathConstants<double>::twoPi * hz * (double) i / sampleRate);
    return v;
}

inline std::vector<float> noise (double seconds, float amplitude, int seed)
{
    juce::Random random (seed);
    std::vector<float> v ((std::size_t) (seconds * rate));
    for (auto& s : v)
        s = amplitude * (random.nextFloat() * 2.0f - 1.0f);
    return v;
}

inline double db (double ratio) { return 20.0 * std::log10 (std::max (ratio, 1.0e-12)); }

/** Amplitude of the `hz` component over [from, to) (a single-bin DFT with a Hann window). */
inline double amplitudeAt (const std::vector<float>& v, double hz, std::size_t from, std::size_t to, double sampleRate = rate)
{
    std::complex<double> acc;
    double windowSum = 0.0;
    const auto n = (double) (to - from);
    for (auto i = from; i < to; ++i)
    {
        const double t = (double) (i - from);
        const double w = 0.5 - 0.5 * std::cos (juce::MathConstants<double>::twoPi * t / n);
        acc += (double) v[i] * w * std::polar (1.0, -juce::MathConstants<double>::twoPi * hz * (double) i / sampleRate);
        windowSum += w;
    }
    return 2.0 * std::abs (acc) / windowSum;
}

inline bool allFinite (const std::vector<float>& v)
{
    return std::all_of (v.begin(), v.end(), [] (float s)
                        { return std::isfinite (s); });
}

inline float maxDifference (const std::vector<float>& a, const std::vector<float>& b)
{
    float m = 0.0f;
    for (std::size_t i = 0; i < std::min (a.size(), b.size()); ++i)
        m = std::max (m, std::abs (a[i] - b[i]));
    return m;
}

} // namespace imbolc::test::fx
