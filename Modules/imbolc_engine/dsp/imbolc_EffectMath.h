#pragma once

/** Small building blocks shared by the built-in filters and effects: cheap approximations of the
    transcendental functions they need per sample, a soft clipper, and the Zavalishin TPT
    state-variable filter core. Everything here is allocation-free and noexcept. */
namespace imbolc::engine::fx
{

/** tan(x) for 0 <= x < pi/2 (the prewarped cutoff of a bilinear filter), relative error below 2e-8:
    a [5/4] Padé approximant on [0, pi/4], reflected through tan(x) = 1 / tan(pi/2 - x) above it.
    About five times cheaper than std::tan, so the cutoff can move every sample. */
inline float fastTan (float x) noexcept
{
    constexpr float quarterPi = 0.785398163f, halfPi = 1.570796327f;
    const bool reflect = x > quarterPi;
    const float y = reflect ? halfPi - x : x;
    const float y2 = y * y;
    const float num = y * (945.0f - 105.0f * y2 + y2 * y2);
    const float den = 945.0f - 420.0f * y2 + 15.0f * y2 * y2;
    return reflect ? den / num : num / den;
}

/** fastTan as a fraction num / den (no division), for callers that fold it into a later division. */
inline void fastTanParts (float x, float& num, float& den) noexcept
{
    constexpr float quarterPi = 0.785398163f, halfPi = 1.570796327f;
    const float y = std::min (x, halfPi - x);
    const float y2 = y * y;
    const float n = y * (945.0f - 105.0f * y2 + y2 * y2);
    const float d = 945.0f - 420.0f * y2 + 15.0f * y2 * y2;
    const auto reflect = (float) (x > quarterPi); // arithmetic, not a branch: loops over it vectorise
    num = n + reflect * (d - n);
    den = d + reflect * (n - d);
}

/** 2^x for |x| < 126 (the caller guarantees it), relative error below 3e-6 (0.00003 dB). Free of
    branches and clamps, so loops over it vectorise. */
inline float fastExp2Unclamped (float x) noexcept
{
    const int whole = (int) (x + 126.5f) - 126; // round to nearest (the sum is positive, so truncation floors)
    const float f = x - (float) whole; // [-0.5, 0.5]
    // Taylor series of 2^f = e^(f ln 2) to the sixth power: the seventh term is below 3e-6 here.
    constexpr float c1 = 0.693147181f, c2 = 0.240226507f, c3 = 0.0555041087f, c4 = 0.00961812911f, c5 = 0.00133335581f, c6 = 0.000154035304f;
    const float p = 1.0f + f * (c1 + f * (c2 + f * (c3 + f * (c4 + f * (c5 + f * c6)))));
    return p * std::bit_cast<float> ((std::uint32_t) (whole + 127) << 23);
}

/** 2^x, relative error below 3e-6 (0.00003 dB); x is clamped to +-126. */
inline float fastExp2 (float x) noexcept
{
    return fastExp2Unclamped (juce::jlimit (-126.0f, 126.0f, x));
}

/** log2(x) for x > 0 (finite, normal), absolute error below 3e-6 and exact at powers of two: the
    exponent from the bits, log2 of the mantissa from a least-squares polynomial (no division). */
inline float fastLog2 (float x) noexcept
{
    const auto bits = std::bit_cast<std::uint32_t> (x);
    const auto exponent = (float) ((int) ((bits >> 23) & 0xff) - 127);
    const float t = std::bit_cast<float> ((bits & 0x007fffffu) | 0x3f800000u) - 1.0f; // [0, 1)
    constexpr float c1 = 1.44253478f, c2 = -0.718033587f, c3 = 0.457158108f, c4 = -0.277341620f, c5 = 0.121472925f, c6 = -0.0257923371f;
    return exponent + t * (c1 + t * (c2 + t * (c3 + t * (c4 + t * (c5 + t * c6)))));
}

inline float fastDbToGain (float db) noexcept { return fastExp2 (db * 0.166096405f); } // log2(10) / 20
inline float fastGainToDb (float gain) noexcept { return 6.020599913f * fastLog2 (gain); } // 20 / log2(10)

/** A tanh-like soft clipper: slope 1 at 0, flat at +-1 beyond |x| = 3 (continuous slope there too). */
inline float softClip (float x) noexcept
{
    x = juce::jlimit (-3.0f, 3.0f, x);
    const float x2 = x * x;
    return x * (27.0f + x2) / (27.0f + 9.0f * x2);
}

/** sin(2 pi phase) for any phase in [0, 1), error below 2e-4: ample for an LFO. */
inline float lfoSine (float phase) noexcept
{
    float q = phase - 0.5f; // sin(2 pi p) = -sin(2 pi (p - 1/2)), q in [-1/2, 1/2)
    if (q > 0.25f)
        q = 0.5f - q;
    else if (q < -0.25f)
        q = -0.5f - q;
    const float z = q * juce::MathConstants<float>::twoPi; // [-pi/2, pi/2]
    const float z2 = z * z;
    return -z * (1.0f - z2 * (1.0f / 6.0f - z2 * (1.0f / 120.0f - z2 * (1.0f / 5040.0f))));
}

/** True when none of the n samples is infinite or NaN (an exponent test on the bits: vectorises). */
inline bool allFinite (const float* x, int n) noexcept
{
    std::uint32_t bad = 0;
    for (int i = 0; i < n; ++i)
        bad |= (~std::bit_cast<std::uint32_t> (x[i]) & 0x7f800000u) == 0 ? 1u : 0u;
    return bad == 0;
}

//==============================================================================
/** Coefficients of a TPT (topology-preserving, trapezoidal) state-variable filter in Zavalishin's
    form as written by Andrew Simper: g = tan(pi fc / fs), k = 1 / Q. Cheap to recompute, and its
    state stays meaningful when they change every sample, so a modulated cutoff neither zippers nor
    blows up. */
struct SvfCoefficients
{
    float k = 1.41421356f, a1 = 1.0f, a2 = 0.0f, a3 = 0.0f;

    void set (float g, float newK) noexcept
    {
        k = newK;
        a1 = 1.0f / (1.0f + g * (g + k));
        a2 = g * a1;
        a3 = g * a2;
    }

    /** The same from g = num / den, with one division in all (for per-sample updates). */
    void set (float num, float den, float newK) noexcept
    {
        k = newK;
        const float inv = 1.0f / (den * den + num * (num + newK * den));
        a1 = den * den * inv;
        a2 = num * den * inv;
        a3 = num * num * inv;
    }
};

/** One channel's state. tick returns the band-pass (v1) and low-pass (v2) outputs; the rest follow:
    high-pass = x - k v1 - v2, notch = x - k v1, unity-peak band-pass = k v1, bell = x + m1 v1. */
struct SvfState
{
    float ic1 = 0.0f, ic2 = 0.0f;

    void tick (float x, const SvfCoefficients& c, float& bp, float& lp) noexcept
    {
        const float v3 = x - ic2;
        const float v1 = c.a1 * ic1 + c.a2 * v3;
        const float v2 = ic2 + c.a2 * ic1 + c.a3 * v3;
        ic1 = 2.0f * v1 - ic1;
        ic2 = 2.0f * v2 - ic2;
        bp = v1;
        lp = v2;
    }

    void reset() noexcept { ic1 = ic2 = 0.0f; }

    /** True when a non-finite input got in; the node resets the state instead of staying broken. */
    bool isBroken() const noexcept { return ! (std::isfinite (ic1) && std::isfinite (ic2)); }
};

/** The model's parameters for a stage, completed with the defaults for any missing tail (an older
    file, or a hand-edited one), so a node's fixed indices always exist. */
inline std::vector<model::Parameter> withDefaultTail (std::vector<model::Parameter> given, const std::vector<model::Parameter>& defaults)
{
    for (std::size_t i = given.size(); i < defaults.size(); ++i)
        given.push_back (defaults[i]);
    return given;
}

} // namespace imbolc::engine::fx
