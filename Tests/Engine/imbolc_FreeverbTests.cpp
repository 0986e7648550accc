// fx::Freeverb (Modules/imbolc_engine/dsp/imbolc_Freeverb.*) against the juce::Reverb it replaces:
// the same input, parameter moves and block sizes through both must give the same bits, so sessions
// and renders sound exactly as they did.

#include <catch2/catch.hpp>

#include <imbolc_engine/imbolc_engine.h>

#include <cstring>
#include <random>

using imbolc::engine::fx::Freeverb;

namespace
{
/** Index of the first sample where the two differ bit for bit, or -1. */
int firstDifference (const std::vector<float>& a, const std::vector<float>& b)
{
    for (size_t i = 0; i < a.size(); ++i)
        if (std::memcmp (&a[i], &b[i], sizeof (float)) != 0)
            return (int) i;
    return -1;
}

juce::Reverb::Parameters parametersFor (int step)
{
    // A walk through the parameter space, freeze included, one setting per step.
    juce::Reverb::Parameters p;
    p.roomSize = (float) ((step * 37) % 101) / 100.0f;
    p.damping = (float) ((step * 53) % 101) / 100.0f;
    p.wetLevel = (float) ((step * 29) % 34) / 100.0f;
    p.dryLevel = (float) ((step * 17) % 51) / 100.0f;
    p.width = (float) ((step * 11) % 101) / 100.0f;
    p.freezeMode = step % 7 == 3 ? 1.0f : 0.0f;
    return p;
}

struct Outcome
{
    std::vector<float> left, right, inputLeft;
};

/** Noise with silent stretches and loud bursts through a reverb, block by block of varying sizes,
    with a new setting every `settingEvery` blocks (0: never) and a reset now and then. */
template <typename Reverb>
Outcome run (double sampleRate, bool stereo, int settingEvery, std::uint32_t seed)
{
    Reverb reverb;
    reverb.setSampleRate (sampleRate);
    reverb.setParameters (parametersFor (1));

    std::mt19937 random (seed);
    std::uniform_real_distribution<float> noise (-1.0f, 1.0f);
    std::uniform_int_distribution<int> blockSize (1, 700);
    const int total = (int) (sampleRate * 1.5);
    Outcome out;
    out.left.resize ((size_t) total);
    out.right.resize ((size_t) total);
    for (int i = 0; i < total; ++i)
    {
        const float level = (i / 4000) % 3 == 1 ? 0.0f : ((i / 4000) % 3 == 2 ? 8.0f : 0.5f);
        out.left[(size_t) i] = noise (random) * level;
        out.right[(size_t) i] = noise (random) * level;
    }

    out.inputLeft = out.left;

    int block = 0;
    for (int start = 0; start < total; ++block)
    {
        const int n = juce::jmin (block % 5 == 0 ? 256 : blockSize (random), total - start);
        if (settingEvery > 0 && block % settingEvery == 0)
            reverb.setParameters (parametersFor (block / settingEvery + 2));
        if (block == 97)
            reverb.reset();
        if (stereo)
            reverb.processStereo (out.left.data() + start, out.right.data() + start, n);
        else
            reverb.processMono (out.left.data() + start, n);
        start += n;
    }
    return out;
}
} // namespace

TEST_CASE ("Freeverb gives juce::Reverb's samples bit for bit", "[effects][reverb]")
{
    const juce::ScopedNoDenormals noDenormals; // as the engine runs every node
    for (const double sampleRate : { 22050.0, 44100.0, 48000.0, 96000.0 })
        for (const bool stereo : { true, false })
            for (const int settingEvery : { 0, 1, 9 })
            {
                INFO ("rate " << sampleRate << (stereo ? " stereo" : " mono") << ", new setting every " << settingEvery << " blocks");
                const auto seed = (std::uint32_t) (sampleRate + settingEvery * 7 + (stereo ? 1 : 0));
                const auto ours = run<Freeverb> (sampleRate, stereo, settingEvery, seed);
                const auto juces = run<juce::Reverb> (sampleRate, stereo, settingEvery, seed);

                CHECK (firstDifference (ours.left, juces.left) == -1);
                if (stereo)
                    CHECK (firstDifference (ours.right, juces.right) == -1);

                // The comparison means something only if the reverb changed the signal.
                int changed = 0;
                for (size_t i = 0; i < ours.left.size(); ++i)
                    changed += ours.left[i] != ours.inputLeft[i] ? 1 : 0;
                CHECK (changed > (int) ours.left.size() / 2);
            }
}

TEST_CASE ("Freeverb's tail is juce::Reverb's after the input stops", "[effects][reverb]")
{
    const juce::ScopedNoDenormals noDenormals;
    Freeverb ours;
    juce::Reverb theirs;
    ours.setSampleRate (48000.0);
    theirs.setSampleRate (48000.0);
    juce::Reverb::Parameters p;
    p.roomSize = 0.9f;
    p.damping = 0.2f;
    p.wetLevel = 1.0f / 3.0f;
    p.dryLevel = 0.0f;
    ours.setParameters (p);
    theirs.setParameters (p);

    // An impulse, then ten seconds of silence in 256-sample blocks: the tank rings down identically.
    std::vector<float> a (256, 0.0f), b (256, 0.0f), c (256, 0.0f), d (256, 0.0f);
    a[0] = b[0] = c[0] = d[0] = 1.0f;
    double tailEnergy = 0.0;
    for (int block = 0; block < 48000 * 10 / 256; ++block)
    {
        ours.processStereo (a.data(), b.data(), 256);
        theirs.processStereo (c.data(), d.data(), 256);
        REQUIRE (firstDifference (a, c) == -1);
        REQUIRE (firstDifference (b, d) == -1);
        if (block > 48000 / 256)
            for (float s : a)
                tailEnergy += std::abs (s);
        std::fill (a.begin(), a.end(), 0.0f);
        std::fill (b.begin(), b.end(), 0.0f);
        std::fill (c.begin(), c.end(), 0.0f);
        std::fill (d.begin(), d.end(), 0.0f);
    }
    CHECK (tailEnergy > 0.0); // still ringing after a second: the tail was compared, not silence
}
