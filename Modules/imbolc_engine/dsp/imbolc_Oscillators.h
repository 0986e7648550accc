#pragma once

namespace imbolc::engine::dsp
{

/** The residuals that turn a naive waveform's corners into band-limited ones (BLEP and BLAMP).

    A naive saw, pulse or triangle is a polynomial between its corners; filtering it with a low-pass
    kernel h and then sampling it changes nothing but the few samples around each corner. So a band-
    limited oscillator is the naive one plus, at every sample within `halfWidth` samples of a corner,
    the jump times the step residual (BLEP) or the change of slope times the ramp residual (BLAMP).

    The classic 2-point PolyBLEP uses a triangle for h (its residual is the familiar polynomial
    (1 - a)^2 / 2). That kernel is gentle: at MIDI 100 (2.6 kHz at 48 kHz) it leaves a saw's fold-back
    only 28 dB under its harmonics (measured). This one uses the same phase-domain scheme (each sample
    asks how far it is from the corners before and after it, so the corner ahead is predicted from the
    phase and nothing is delayed) with a Kaiser-windowed sinc of 2 x 16 samples, tabulated: flat to
    about 17.5 kHz at 48 kHz and more than 60 dB down from half the sample rate on, so harmonics above
    Nyquist no longer fold back (88 dB or more under the harmonics at MIDI 100, measured).

    T(a) = integral of h from a to infinity (the step residual, a >= 0 samples from the corner, 0.5 at
    the corner, 0 from halfWidth on); U(a) = integral of T from a to infinity (the ramp residual).
    A sample `a` samples after a jump J gets -J * T(a); one `b` samples before it gets +J * T(b). A
    change of slope S (per sample) adds S * U(distance) on both sides.

    The tables are built once, on first use: call get() from the message thread before audio runs
    (every source node does so in its constructor). After that, any thread; no allocation.
*/
class BlepTables
{
public:
    static constexpr int halfWidth = 16; ///< samples of support on each side of a corner
    static constexpr int resolution = 128; ///< table points per sample

    static const BlepTables& get();

    /** T(a) for 0 <= a (samples); 0 beyond halfWidth. */
    float step (float a) const noexcept { return lookup (stepTable.data(), a); }

    /** U(a) for 0 <= a (samples); 0 beyond halfWidth. */
    float ramp (float a) const noexcept { return lookup (rampTable.data(), a); }

    /** Sum over every corner of a once-per-cycle jump at phase 0 of [T(after) - T(before)], for a sample
        at phase t (0..1) of an oscillator whose period is `period` samples (1 / its increment). A jump J
        there adds -J times this. */
    float stepSum (float t, float period) const noexcept
    {
        float sum = 0.0f;
        for (float a = t * period; a < (float) halfWidth; a += period)
            sum += step (a);
        for (float b = (1.0f - t) * period; b < (float) halfWidth; b += period)
            sum -= step (b);
        return sum;
    }

    /** The same for a change of slope at phase 0: sum of U over the corners on both sides. A slope change
        S (per sample) adds S times this. */
    float rampSum (float t, float period) const noexcept
    {
        float sum = 0.0f;
        for (float a = t * period; a < (float) halfWidth; a += period)
            sum += ramp (a);
        for (float b = (1.0f - t) * period; b < (float) halfWidth; b += period)
            sum += ramp (b);
        return sum;
    }

private:
    BlepTables();

    static constexpr int tableSize = halfWidth * resolution + 2;

    static float lookup (const float* table, float a) noexcept
    {
        const float x = a * (float) resolution;
        if (! (x < (float) (halfWidth * resolution)))
            return 0.0f;
        const int i = (int) x;
        const float f = x - (float) i;
        return table[i] + f * (table[i + 1] - table[i]);
    }

    std::array<float, tableSize> stepTable {}, rampTable {};
};

//==============================================================================
/** sin (2 pi p) for p in (-1000, 1000), to about 1e-7: reduction to a quarter cycle and an 11th-order
    polynomial, without a branch (an FM voice's phases are as good as random, so a branch would miss
    half the time). Several times cheaper than std::sin, and exact enough for a sine or FM voice. */
inline float sin2pi (float p) noexcept
{
    p -= (float) (int) (p + 1024.5f) - 1024.0f; // about [-0.5, 0.5]
    const float a = 0.25f - std::abs (std::abs (p) - 0.25f); // folded into [0, 0.25] ...
    const float x = std::copysign (a, p) * juce::MathConstants<float>::twoPi; // ... with p's sign
    const float x2 = x * x;
    return x * (1.0f + x2 * (-1.0f / 6.0f + x2 * (1.0f / 120.0f + x2 * (-1.0f / 5040.0f + x2 * (1.0f / 362880.0f + x2 * (-1.0f / 39916800.0f))))));
}

/** A fast deterministic white-noise generator (xorshift32), uniform in [-1, 1). */
struct Noise
{
    std::uint32_t state = 0x9e3779b9u;

    void seed (std::uint32_t s) noexcept { state = s != 0 ? s : 0x9e3779b9u; }

    float next() noexcept
    {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return (float) (std::int32_t) state * (1.0f / 2147483648.0f);
    }
};

/** A cheap per-voice hash, for seeding noise and phases deterministically. */
inline std::uint32_t hash32 (std::uint32_t x) noexcept
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

//==============================================================================
/** A band-limited sawtooth (rising, -1..1). */
struct BlepSaw
{
    float phase = 0.0f;

    /** One sample at the current phase, then advance by dt (cycles per sample, 0 < dt < 0.5; period =
        1 / dt, worked out once per chunk rather than per sample). */
    float next (float dt, float period, const BlepTables& blep) noexcept
    {
        const float t = phase;
        float y = 2.0f * t - 1.0f;
        y += 2.0f * blep.stepSum (t, period); // a jump of -2 at every wrap
        phase += dt;
        if (phase >= 1.0f)
            phase -= 1.0f;
        return y;
    }
};

/** A band-limited pulse (+1 for phase < width, else -1). width is clamped away from the edges so both
    corners stay distinct; a square is width 0.5. */
struct BlepPulse
{
    float phase = 0.0f;

    float next (float dt, float period, float width, const BlepTables& blep) noexcept
    {
        const float t = phase;
        float y = t < width ? 1.0f : -1.0f;
        // +2 at phase 0, -2 at phase `width`.
        float tw = t - width;
        if (tw < 0.0f)
            tw += 1.0f;
        y += 2.0f * (blep.stepSum (tw, period) - blep.stepSum (t, period));
        phase += dt;
        if (phase >= 1.0f)
            phase -= 1.0f;
        return y;
    }
};

/** A band-limited triangle (-1 at phase 0, +1 at phase 0.5): the naive one plus BLAMP residuals at
    both corners (slope +-4 per cycle, so each corner changes it by 8 dt per sample). */
struct BlampTriangle
{
    float phase = 0.0f;

    float next (float dt, float period, const BlepTables& blep) noexcept
    {
        const float t = phase;
        float y = t < 0.5f ? 4.0f * t - 1.0f : 3.0f - 4.0f * t;
        float th = t + 0.5f;
        if (th >= 1.0f)
            th -= 1.0f;
        y += 8.0f * dt * (blep.rampSum (t, period) - blep.rampSum (th, period));
        phase += dt;
        if (phase >= 1.0f)
            phase -= 1.0f;
        return y;
    }
};

//==============================================================================
/** A topology-preserving state-variable filter (Simper's form), per voice. Coefficients are set per
    control chunk, never per sample. */
struct Svf
{
    float g = 0.0f, k = 1.0f, a1 = 1.0f, a2 = 0.0f, a3 = 0.0f;
    float ic1 = 0.0f, ic2 = 0.0f;

    void setup (float cutoffHz, float q, double sampleRate) noexcept
    {
        const float fc = juce::jlimit (10.0f, (float) (0.49 * sampleRate), cutoffHz);
        g = std::tan (juce::MathConstants<float>::pi * fc / (float) sampleRate);
        k = 1.0f / q;
        a1 = 1.0f / (1.0f + g * (g + k));
        a2 = g * a1;
        a3 = g * a2;
    }

    void reset() noexcept { ic1 = ic2 = 0.0f; }

    struct Out
    {
        float low, band, high;
    };

    Out process (float v0) noexcept
    {
        const float v3 = v0 - ic2;
        const float v1 = a1 * ic1 + a2 * v3;
        const float v2 = ic2 + a2 * ic1 + a3 * v3;
        ic1 = 2.0f * v1 - ic1;
        ic2 = 2.0f * v2 - ic2;
        return { v2, v1, v0 - k * v1 - v2 };
    }
};

} // namespace imbolc::engine::dsp
