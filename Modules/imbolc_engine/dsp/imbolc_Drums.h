#pragma once

namespace imbolc::engine
{

/** Synthesized drums: one-shot voices. Every note plays the same drum (the pitch is ignored, as on a
    drum machine) at its velocity; a note off does not cut it: it rings out over its own decay. The amp
    envelope still shapes it (attack, decay to sustain) and all notes off releases it through the amp
    release. A voice ends by itself once its decay is 80 dB down.

    `decay` is the time to fall 60 dB. */
struct DrumShared
{
    double sampleRate = 48000.0;

    /** Per-sample multiplier for an exponential fall of 60 dB over `seconds`. */
    float decayCoefficient (float seconds) const noexcept
    {
        return (float) std::exp (std::log (0.001) / juce::jmax (1.0, (double) seconds * sampleRate));
    }

    bool isStereo() const noexcept { return false; }

    static constexpr float endLevel = 1.0e-4f; ///< -80 dB: the voice is over
};

/** Kick: a sine swept down from up to 10x `pitch` to `pitch` (`sweep` sets how far and how slowly),
    decaying over `decay`, with a short filtered-noise `click` on top. */
struct KickSynth
{
    static constexpr const char* name = "Kick";
    static constexpr bool oneShot = true;
    using Setup = NoSetup;

    struct Shared : DrumShared
    {
        ParamRef pitch, sweep, decay, click;
        float pitchHz = 50.0f, sweepAmount = 0.6f, decayCoef = 0.999f, clickAmount = 0.3f;
        float sweepCoef = 0.999f, clickCoef = 0.9f;

        Shared (const SourceNode& n, Setup)
            : pitch (n.sourceParam ("pitch")), sweep (n.sourceParam ("sweep")), decay (n.sourceParam ("decay")), click (n.sourceParam ("click")) {}

        void prepare (double sr)
        {
            sampleRate = sr;
            clickCoef = (float) std::exp (-1.0 / (0.0012 * sr)); // 1.2 ms
        }

        void update (const SourceNode& n) noexcept
        {
            pitchHz = n.chunkValue (pitch);
            sweepAmount = n.chunkValue (sweep);
            decayCoef = decayCoefficient (n.chunkValue (decay));
            clickAmount = n.chunkValue (click);
            // The sweep's time constant grows with it: 10 ms at none, 50 ms at full.
            sweepCoef = (float) std::exp (-1.0 / ((0.01 + 0.04 * sweepAmount) * sampleRate));
        }
    };

    struct Voice
    {
        float phase = 0.0f, sweepEnv = 1.0f, ampEnv = 1.0f, clickEnv = 1.0f, clickState = 0.0f;
        dsp::Noise noise;

        void start (const Shared&, int, float, std::uint32_t seed) noexcept
        {
            phase = 0.0f;
            sweepEnv = ampEnv = clickEnv = 1.0f;
            clickState = 0.0f;
            noise.seed (dsp::hash32 (seed ^ 0x4b1c4u));
        }

        bool render (const Shared& s, float* out, float*, int n) noexcept
        {
            const float startMultiple = 9.0f * s.sweepAmount;
            const float cyclesPerHz = (float) (1.0 / s.sampleRate);
            for (int i = 0; i < n; ++i)
            {
                const float hz = s.pitchHz * (1.0f + startMultiple * sweepEnv);
                const float body = dsp::sin2pi (phase) * ampEnv;
                phase += juce::jmin (0.49f, hz * cyclesPerHz);
                phase -= (float) (int) phase;
                // The click: noise through a one-pole high-pass, about a millisecond long.
                const float white = noise.next();
                const float hp = white - clickState;
                clickState += 0.35f * hp;
                out[i] = body + s.clickAmount * hp * clickEnv;
                sweepEnv *= s.sweepCoef;
                ampEnv *= s.decayCoef;
                clickEnv *= s.clickCoef;
            }
            // Exponential envelopes never reach 0: flush them before they turn denormal (and slow).
            clickEnv = clickEnv < 1.0e-7f ? 0.0f : clickEnv;
            sweepEnv = sweepEnv < 1.0e-7f ? 0.0f : sweepEnv;
            if (ampEnv < DrumShared::endLevel)
                return false; // 80 dB down: the voice ends after this chunk
            return true;
        }
    };
};

/** Snare: a two-mode drum body at `tone` (and 1.47x, the shell's next mode) with a slight pitch drop,
    plus noise through a band-pass around 5 kHz and a high-pass, `snappy` trading body for noise.
    The noise decays over `decay`, the body over half of it. */
struct SnareSynth
{
    static constexpr const char* name = "Snare";
    static constexpr bool oneShot = true;
    using Setup = NoSetup;

    struct Shared : DrumShared
    {
        ParamRef tone, snappy, decay;
        float toneHz = 180.0f, snappyAmount = 0.6f, noiseCoef = 0.999f, bodyCoef = 0.999f, dropCoef = 0.99f;
        dsp::Svf bandTemplate, highTemplate;

        Shared (const SourceNode& n, Setup)
            : tone (n.sourceParam ("tone")), snappy (n.sourceParam ("snappy")), decay (n.sourceParam ("decay")) {}

        void prepare (double sr)
        {
            sampleRate = sr;
            bandTemplate.setup (5000.0f, 0.7f, sr);
            highTemplate.setup (1200.0f, 0.7f, sr);
            dropCoef = (float) std::exp (-1.0 / (0.012 * sr));
        }

        void update (const SourceNode& n) noexcept
        {
            toneHz = n.chunkValue (tone);
            snappyAmount = n.chunkValue (snappy);
            const float d = n.chunkValue (decay);
            noiseCoef = decayCoefficient (d);
            bodyCoef = decayCoefficient (0.5f * d);
        }
    };

    struct Voice
    {
        float phase1 = 0.0f, phase2 = 0.0f, drop = 1.0f, bodyEnv = 1.0f, noiseEnv = 1.0f;
        dsp::Noise noise;
        dsp::Svf band, high;

        void start (const Shared& s, int, float, std::uint32_t seed) noexcept
        {
            phase1 = phase2 = 0.0f;
            drop = bodyEnv = noiseEnv = 1.0f;
            noise.seed (dsp::hash32 (seed ^ 0x5a4e3u));
            band = s.bandTemplate;
            high = s.highTemplate;
            band.reset();
            high.reset();
        }

        bool render (const Shared& s, float* out, float*, int n) noexcept
        {
            const float bodyGain = 1.0f - 0.6f * s.snappyAmount;
            const float noiseGain = 1.5f * s.snappyAmount;
            const float cyclesPerHz = (float) (1.0 / s.sampleRate);
            for (int i = 0; i < n; ++i)
            {
                const float hz = s.toneHz * (1.0f + 0.15f * drop);
                const float body = (dsp::sin2pi (phase1) + 0.5f * dsp::sin2pi (phase2)) * (1.0f / 1.5f);
                phase1 += juce::jmin (0.49f, hz * cyclesPerHz);
                phase1 -= (float) (int) phase1;
                phase2 += juce::jmin (0.49f, 1.47f * hz * cyclesPerHz);
                phase2 -= (float) (int) phase2;
                const float white = noise.next();
                const float shaped = high.process (white + 1.5f * band.process (white).band).high;
                out[i] = bodyGain * body * bodyEnv + noiseGain * shaped * noiseEnv;
                drop *= s.dropCoef;
                bodyEnv *= s.bodyCoef;
                noiseEnv *= s.noiseCoef;
            }
            drop = drop < 1.0e-7f ? 0.0f : drop;
            bodyEnv = bodyEnv < 1.0e-7f ? 0.0f : bodyEnv;
            noiseEnv = noiseEnv < 1.0e-7f ? 0.0f : noiseEnv;
            if (noiseEnv < DrumShared::endLevel && bodyEnv < DrumShared::endLevel)
                return false; // 80 dB down: the voice ends after this chunk
            return true;
        }
    };
};

/** Hat: six band-limited square waves at the TR-808's inharmonic ratios (the metallic part) mixed with
    noise, high-passed at `tone` (2 to 16 kHz) with a little resonance, decaying over `decay`. */
struct HatSynth
{
    static constexpr const char* name = "Hat";
    static constexpr bool oneShot = true;
    using Setup = NoSetup;
    static constexpr int numSquares = 6;

    struct Shared : DrumShared
    {
        ParamRef tone, decay;
        float decayCoef = 0.999f;
        dsp::Svf highTemplate;
        float lastTone = -1.0f;
        std::array<float, numSquares> increments {}, periods {};
        const dsp::BlepTables* blep = &dsp::BlepTables::get();

        Shared (const SourceNode& n, Setup)
            : tone (n.sourceParam ("tone")), decay (n.sourceParam ("decay")) {}

        void prepare (double sr)
        {
            sampleRate = sr;
            lastTone = -1.0f;
            // The 808's six oscillators (Hz), scaled up so their upper harmonics land in the hat's band.
            static constexpr float hz[numSquares] = { 205.3f, 304.4f, 369.6f, 522.7f, 540.0f, 800.0f };
            for (int i = 0; i < numSquares; ++i)
            {
                increments[(std::size_t) i] = juce::jmin (0.45f, (float) (2.0 * hz[i] / sr));
                periods[(std::size_t) i] = 1.0f / increments[(std::size_t) i];
            }
        }

        void update (const SourceNode& n) noexcept
        {
            const float t = n.chunkValue (tone);
            if (t != lastTone)
            {
                lastTone = t;
                highTemplate.setup (t, 1.2f, sampleRate);
            }
            decayCoef = decayCoefficient (n.chunkValue (decay));
        }
    };

    struct Voice
    {
        std::array<dsp::BlepPulse, numSquares> squares;
        dsp::Noise noise;
        dsp::Svf high;
        float env = 1.0f;

        void start (const Shared& s, int, float, std::uint32_t seed) noexcept
        {
            for (int i = 0; i < numSquares; ++i)
                squares[(std::size_t) i].phase = (float) i / (float) numSquares;
            noise.seed (dsp::hash32 (seed ^ 0x4a7u));
            high = s.highTemplate;
            high.reset();
            env = 1.0f;
        }

        bool render (const Shared& s, float* out, float*, int n) noexcept
        {
            // Follow the tone knob without resetting the filter's state.
            high.g = s.highTemplate.g;
            high.k = s.highTemplate.k;
            high.a1 = s.highTemplate.a1;
            high.a2 = s.highTemplate.a2;
            high.a3 = s.highTemplate.a3;
            for (int i = 0; i < n; ++i)
            {
                float metal = 0.0f;
                for (int q = 0; q < numSquares; ++q)
                    metal += squares[(std::size_t) q].next (s.increments[(std::size_t) q], s.periods[(std::size_t) q], 0.5f, *s.blep);
                const float x = metal * (1.0f / numSquares) + 0.6f * noise.next();
                out[i] = 1.6f * high.process (x).high * env;
                env *= s.decayCoef;
            }
            if (env < DrumShared::endLevel)
                return false; // 80 dB down: the voice ends after this chunk
            return true;
        }
    };
};

} // namespace imbolc::engine
