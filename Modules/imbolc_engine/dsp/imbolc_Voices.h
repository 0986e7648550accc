#pragma once

namespace imbolc::engine
{

/** A voice's amp envelope: linear attack to 1, linear decay to the sustain level, sustain, linear
    release to 0 (the shape juce::ADSR has), plus the short fade a stolen voice leaves with.

    The node hands it the segment rates once per control chunk; sustain may glide within a chunk
    (start and per-sample step), so a sustain tweak never steps. Audio thread; no allocation.
*/
struct AmpEnvelope
{
    enum class Stage : std::uint8_t
    {
        idle,
        attack,
        decay,
        sustain,
        release
    };

    /** Segment rates for one control chunk, shared by every voice of a node. */
    struct Rates
    {
        float attackStep = 1.0f; ///< per sample
        float decaySeconds = 0.1f;
        float sustainStart = 0.8f, sustainStep = 0.0f; ///< sustain at the chunk's first sample, and its per-sample change
        float releaseSamplesPerUnit = 9600.0f; ///< samples a release from 1 takes (release time x rate)
        float decaySamplesPerUnit = 4800.0f; ///< samples a decay from 1 to 0 takes
    };

    Stage stage = Stage::idle;
    float level = 0.0f;
    float releaseStep = 0.0f;

    void start() noexcept { stage = Stage::attack; } // from wherever the level is (0 for a fresh voice)

    /** Enters the release from the current level, to reach 0 after the release time. */
    void release (const Rates& r) noexcept
    {
        if (stage == Stage::idle || stage == Stage::release)
            return;
        stage = Stage::release;
        releaseStep = level / juce::jmax (1.0f, r.releaseSamplesPerUnit);
    }

    void reset() noexcept
    {
        stage = Stage::idle;
        level = 0.0f;
    }

    bool isActive() const noexcept { return stage != Stage::idle; }

    /** Writes the envelope's next n values into `out` (each the level after that sample's step).
        Returns false once the envelope has ended (the rest of `out` is 0). */
    bool process (float* out, int n, const Rates& r) noexcept
    {
        for (int i = 0; i < n; ++i)
        {
            switch (stage)
            {
                case Stage::attack:
                    level += r.attackStep;
                    if (level >= 1.0f)
                    {
                        level = 1.0f;
                        stage = Stage::decay;
                    }
                    break;
                case Stage::decay:
                {
                    const float sustain = r.sustainStart + r.sustainStep * (float) i;
                    level -= (1.0f - sustain) / juce::jmax (1.0f, r.decaySamplesPerUnit);
                    if (level <= sustain || r.decaySamplesPerUnit <= 1.0f)
                    {
                        level = sustain;
                        stage = Stage::sustain;
                    }
                    break;
                }
                case Stage::sustain:
                    level = r.sustainStart + r.sustainStep * (float) i;
                    break;
                case Stage::release:
                    level -= releaseStep;
                    if (level <= 0.0f)
                    {
                        level = 0.0f;
                        stage = Stage::idle;
                    }
                    break;
                case Stage::idle:
                    for (; i < n; ++i)
                        out[i] = 0.0f;
                    return false;
            }
            out[i] = level;
        }
        return stage != Stage::idle;
    }
};

/** The voice cap and stealing policy live in the model, shared with the SuperCollider backend. */
using VoiceAllocator = model::VoiceAllocator;

} // namespace imbolc::engine
