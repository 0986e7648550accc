#pragma once

// Shared by the tests of stages at rest (NodeProcessor::processSilence): every built-in stage with
// the parameters the tests move, and how they move them.

#include "imbolc_EffectTestSupport.h"

namespace imbolc::test::fx
{
using model::EffectType;
using model::FilterType;

/** A stage, and which of its parameters the test moves. Those left still set how long a tail lasts
    (a delay's time and feedback, a reverb's size, a compressor's times, a filter's resonance and an
    EQ band's q): moved at random they could ring for minutes, and the test wants each node to fall
    silent and rest within its silences. */
struct RestCase
{
    model::Stage stage;
    std::vector<int> moved;
    /** Whether it comes to rest again once sound has gone through it. Not all do, and rest is exact,
        never a threshold: a reverb keeps a floor near -130 dB (JUCE's undenormalising rounds its
        filters onto a grid that sustains it), and an EQ band's or the distortion's filters, left still,
        settle into a cycle just above the smallest normal float (flushing denormals to zero takes away
        the terms that would decay it). Those are processed for as long as they ring. */
    bool restsAfterSound = true;
};

inline std::vector<RestCase> everyRestingStage()
{
    std::vector<RestCase> cases;
    for (auto type : { FilterType::lowPass, FilterType::highPass, FilterType::bandPass, FilterType::notch })
        cases.push_back ({ filterStage (type, 1000.0f, 0.5f, 0.3f), { 0, 2 } });
    cases.push_back ({ eqStage ({ { 0, 120.0f, 4.0f, 1.0f }, { 2, 2500.0f, -6.0f, 3.0f } }), { 0, 1, 3, 4, 6, 7, 9, 10 }, false });
    cases.push_back ({ effectStage (EffectType::delay, { { 0, 0.05f }, { 1, 0.3f } }), { 2 } });
    cases.push_back ({ effectStage (EffectType::reverb, { { 0, 0.3f } }), { 1, 2, 3 }, false });
    cases.push_back ({ effectStage (EffectType::chorus), { 0, 1, 2 } });
    cases.push_back ({ effectStage (EffectType::compressor, { { 0, -40.0f }, { 3, 0.02f } }), { 0, 1, 4 } });
    cases.push_back ({ effectStage (EffectType::distortion), { 0, 1, 2 }, false });
    cases.push_back ({ effectStage (EffectType::limiter, { { 0, -12.0f } }), { 0, 1 } });
    cases.push_back ({ effectStage (EffectType::gain), { 0 } });
    return cases;
}

/** Moves every parameter in `moved` one way or another (a target, a ramp, an LFO offset or none). */
inline void moveParameters (engine::NodeProcessor& node, const std::vector<int>& moved, juce::Random& random, int blockIndex)
{
    for (int p : moved)
    {
        const auto range = node.getParameterRange (p);
        const float value = range.getStart() + random.nextFloat() * range.getLength();
        switch ((blockIndex + p) % 5)
        {
            case 0:
                node.setParameterTarget (p, value);
                break;
            case 1:
                node.setParameterRamp (p, value, random.nextInt (3 * block));
                break;
            case 2:
                node.setParameterModulation (p, (random.nextFloat() - 0.5f) * 0.3f * range.getLength(), random.nextInt (2 * block));
                break;
            case 3:
                node.setParameterModulation (p, 0.0f);
                break;
            default:
                break; // left alone: the ramp runs out, or it stays still
        }
    }
}

/** The first burst's sample: a second of silence comes first, which a fresh node rests through. */
constexpr std::int64_t firstSound = (std::int64_t) rate;

/** What the signal is at sample i: bursts of noise with long exact silences between them. */
inline float signalAt (std::int64_t i, const std::vector<float>& burst)
{
    constexpr std::int64_t period = (std::int64_t) (14.0 * rate), burstLength = (std::int64_t) (0.4 * rate);
    if (i < firstSound)
        return 0.0f;
    const auto at = (i - firstSound) % period;
    return at < burstLength ? burst[(std::size_t) at % burst.size()] : 0.0f;
}
} // namespace imbolc::test::fx
