namespace imbolc::engine::dsp
{

namespace
{
    /** The zeroth-order modified Bessel function of the first kind (for the Kaiser window). */
    double besselI0 (double x)
    {
        double sum = 1.0, term = 1.0;
        for (int k = 1; k < 50; ++k)
        {
            term *= (x / (2.0 * k)) * (x / (2.0 * k));
            sum += term;
            if (term < 1e-12 * sum)
                break;
        }
        return sum;
    }
} // namespace

const BlepTables& BlepTables::get()
{
    static const BlepTables tables;
    return tables;
}

BlepTables::BlepTables()
{
    // The kernel: a sinc cut off at 0.438 of the sample rate under a Kaiser window (beta 6.2) spanning
    // +-halfWidth samples. Transition about 0.124 fs wide, so the stopband (over 60 dB down) starts at
    // half the sample rate: harmonics above Nyquist are removed before they can fold back.
    constexpr double cutoff = 0.438;
    constexpr double beta = 6.2;
    constexpr int oversample = 8; // integration steps per table step
    const int fine = halfWidth * resolution * oversample;
    const double du = 1.0 / (resolution * oversample);
    const double i0Beta = besselI0 (beta);

    auto kernel = [&] (double u)
    {
        const double r = u / halfWidth;
        if (std::abs (r) >= 1.0)
            return 0.0;
        const double window = besselI0 (beta * std::sqrt (1.0 - r * r)) / i0Beta;
        const double x = 2.0 * cutoff * u;
        const double sinc = std::abs (x) < 1e-12 ? 1.0 : std::sin (juce::MathConstants<double>::pi * x) / (juce::MathConstants<double>::pi * x);
        return 2.0 * cutoff * sinc * window;
    };

    // T on the fine grid, integrating h from the far end back to 0 (trapezoids), then normalised so the
    // whole kernel integrates to 1 (T(0) = 0.5 by symmetry).
    std::vector<double> t ((std::size_t) fine + 1, 0.0);
    for (int i = fine - 1; i >= 0; --i)
        t[(std::size_t) i] = t[(std::size_t) i + 1] + 0.5 * du * (kernel (i * du) + kernel ((i + 1) * du));
    const double norm = 0.5 / t[0];
    for (auto& v : t)
        v *= norm;

    std::vector<double> u ((std::size_t) fine + 1, 0.0);
    for (int i = fine - 1; i >= 0; --i)
        u[(std::size_t) i] = u[(std::size_t) i + 1] + 0.5 * du * (t[(std::size_t) i] + t[(std::size_t) i + 1]);

    for (int i = 0; i <= halfWidth * resolution; ++i)
    {
        stepTable[(std::size_t) i] = (float) t[(std::size_t) (i * oversample)];
        rampTable[(std::size_t) i] = (float) u[(std::size_t) (i * oversample)];
    }
    stepTable[(std::size_t) tableSize - 1] = 0.0f;
    rampTable[(std::size_t) tableSize - 1] = 0.0f;
}

} // namespace imbolc::engine::dsp
