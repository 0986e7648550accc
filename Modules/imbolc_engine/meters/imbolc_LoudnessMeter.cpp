namespace imbolc::engine
{

LoudnessMeter::KWeighting LoudnessMeter::kWeightingFor (double sampleRate) noexcept
{
    // The analog prototypes behind BS.1770's 48 kHz table (the derivation libebur128 and pyloudnorm use):
    // a second-order high shelf of about +4 dB above 1.7 kHz and a second-order high-pass at 38 Hz.
    // Prewarped by the bilinear transform, they give the table's coefficients at 48 kHz and the same
    // response at any other rate.
    KWeighting k;
    {
        constexpr double f0 = 1681.974450955533, gainDb = 3.999843853973347, q = 0.7071752369554196;
        const auto kk = std::tan (juce::MathConstants<double>::pi * f0 / sampleRate);
        const auto vh = std::pow (10.0, gainDb / 20.0);
        const auto vb = std::pow (vh, 0.4996667741545416);
        const auto a0 = 1.0 + kk / q + kk * kk;
        k.shelf = { (vh + vb * kk / q + kk * kk) / a0,
                    2.0 * (kk * kk - vh) / a0,
                    (vh - vb * kk / q + kk * kk) / a0,
                    2.0 * (kk * kk - 1.0) / a0,
                    (1.0 - kk / q + kk * kk) / a0 };
    }
    {
        constexpr double f0 = 38.13547087602444, q = 0.5003270373238773;
        const auto kk = std::tan (juce::MathConstants<double>::pi * f0 / sampleRate);
        const auto a0 = 1.0 + kk / q + kk * kk;
        // The standard fixes the numerator at 1, -2, 1 (unnormalised), as in its table.
        k.highPass = { 1.0, -2.0, 1.0, 2.0 * (kk * kk - 1.0) / a0, (1.0 - kk / q + kk * kk) / a0 };
    }
    return k;
}

float LoudnessMeter::energyToLufs (double energy) noexcept
{
    if (! (energy > 0.0))
        return -std::numeric_limits<float>::infinity();
    return (float) (-0.691 + 10.0 * std::log10 (energy));
}

LoudnessMeter::LoudnessMeter()
    : histogram ((std::size_t) numHistogramBins)
{
    prepare (48000.0);
}

void LoudnessMeter::prepare (double sampleRate) noexcept
{
    jassert (sampleRate > 0.0);
    coefficients = kWeightingFor (sampleRate);
    stepLength = std::max (1, juce::roundToInt (sampleRate * 0.1));
    reset();
}

void LoudnessMeter::reset() noexcept
{
    filterStates = {};
    stepPosition = 0;
    stepSum = 0.0;
    stepEnergies = {};
    newestStep = stepsPerShortTerm - 1;
    stepsDone = 0;
    std::fill (histogram.begin(), histogram.end(), Bin {});
    gatedCount = 0;
    gatedEnergySum = 0.0;
}

double LoudnessMeter::weightAndSquare (const float* left, const float* right, int n, const KWeighting& k, std::array<FilterState, 2>& states) noexcept
{
    // Both channels in one loop: each channel's filters are a serial chain of dependent multiply-adds, so
    // interleaving two independent chains nearly halves the time. Locals keep the state in registers.
    const auto& a = k.shelf;
    const auto& b = k.highPass;
    auto [ls1, ls2, lh1, lh2] = states[0];
    auto [rs1, rs2, rh1, rh2] = states[1];
    double sum = 0.0;

    for (int i = 0; i < n; ++i)
    {
        const double xl = left[i], xr = right[i];
        const double yl = a.b0 * xl + ls1, yr = a.b0 * xr + rs1;
        ls1 = a.b1 * xl - a.a1 * yl + ls2;
        rs1 = a.b1 * xr - a.a1 * yr + rs2;
        ls2 = a.b2 * xl - a.a2 * yl;
        rs2 = a.b2 * xr - a.a2 * yr;

        const double zl = b.b0 * yl + lh1, zr = b.b0 * yr + rh1;
        lh1 = b.b1 * yl - b.a1 * zl + lh2;
        rh1 = b.b1 * yr - b.a1 * zr + rh2;
        lh2 = b.b2 * yl - b.a2 * zl;
        rh2 = b.b2 * yr - b.a2 * zr;

        sum += zl * zl + zr * zr;
    }

    states[0] = { ls1, ls2, lh1, lh2 };
    states[1] = { rs1, rs2, rh1, rh2 };
    return sum;
}

bool LoudnessMeter::process (const float* left, const float* right, int n) noexcept
{
    // After a long silence the filter state decays into denormals, which are very slow on x86.
    const juce::ScopedNoDenormals noDenormals;
    bool stepped = false;

    for (int done = 0; done < n;)
    {
        const int m = std::min (n - done, stepLength - stepPosition);
        stepSum += weightAndSquare (left + done, right + done, m, coefficients, filterStates);

        done += m;
        stepPosition += m;
        if (stepPosition == stepLength)
        {
            endStep();
            stepped = true;
        }
    }
    return stepped;
}

void LoudnessMeter::endStep() noexcept
{
    // BS.1770 channel weights are 1 for left and right, so z is the plain sum of the channels' mean squares.
    newestStep = (newestStep + 1) % stepsPerShortTerm;
    stepEnergies[(std::size_t) newestStep] = stepSum / (double) stepLength;
    stepSum = 0.0;
    stepPosition = 0;
    ++stepsDone;

    // Gating blocks are 400 ms long and overlap by 75 %: one ends with every 100 ms step once four exist.
    if (stepsDone < (std::uint64_t) stepsPerMomentary)
        return;

    const auto blockEnergy = windowEnergy (stepsPerMomentary);
    if (! (blockEnergy > 0.0))
        return;

    const auto lufs = -0.691 + 10.0 * std::log10 (blockEnergy);
    if (lufs <= absoluteGateLufs)
        return;

    const auto bin = std::min (numHistogramBins - 1, (int) ((lufs - absoluteGateLufs) / histogramBinLu));
    auto& b = histogram[(std::size_t) bin];
    ++b.count;
    b.energySum += blockEnergy;
    ++gatedCount;
    gatedEnergySum += blockEnergy;
}

double LoudnessMeter::windowEnergy (int steps) const noexcept
{
    double sum = 0.0;
    for (int i = 0; i < steps; ++i)
        sum += stepEnergies[(std::size_t) ((newestStep - i + stepsPerShortTerm) % stepsPerShortTerm)];
    return sum / (double) steps;
}

float LoudnessMeter::getIntegratedLufs() const noexcept
{
    if (gatedCount == 0)
        return -std::numeric_limits<float>::infinity();

    const auto threshold = -0.691 + 10.0 * std::log10 (gatedEnergySum / (double) gatedCount) + relativeGateLu;

    // Keep the bins whose centre is at or above the relative threshold.
    const auto first = std::clamp ((int) std::ceil ((threshold - absoluteGateLufs) / histogramBinLu - 0.5), 0, numHistogramBins);
    std::uint64_t count = 0;
    double energy = 0.0;
    for (auto b = histogram.begin() + first; b != histogram.end(); ++b)
    {
        count += b->count;
        energy += b->energySum;
    }
    return count == 0 ? -std::numeric_limits<float>::infinity() : energyToLufs (energy / (double) count);
}

} // namespace imbolc::engine
