namespace imbolc::engine
{

float SpectrumAnalyser::fineBandEdgeHz (int i) noexcept
{
    return fineLowHz * std::pow (fineHighHz / fineLowHz, (float) i / (float) numFineBands);
}

SpectrumAnalyser::SpectrumAnalyser()
    : window ((std::size_t) fftSize)
    , left ((std::size_t) fftSize)
    , right ((std::size_t) fftSize)
    , power ((std::size_t) fftSize / 2 + 1)
    , fftIn ((std::size_t) fftSize)
    , fftOut ((std::size_t) fftSize)
{
    juce::dsp::WindowingFunction<float>::fillWindowingTables (window.data(), (std::size_t) fftSize, juce::dsp::WindowingFunction<float>::hann, false);

    // Parseval: a windowed sine of peak amplitude A puts A^2 / 4 * N * sum(w^2) into the positive-frequency
    // bins, so this scale makes a band read A^2, whatever the window.
    double windowEnergy = 0.0;
    for (auto w : window)
        windowEnergy += (double) w * w;
    powerScale = (float) (4.0 / ((double) fftSize * windowEnergy));

    prepare (48000.0, 30.0);
}

SpectrumAnalyser::BinRange SpectrumAnalyser::binsFor (float lowHz, float highHz) const noexcept
{
    const auto binHz = sampleRate / fftSize;
    const int nyquistBin = fftSize / 2;
    if (lowHz >= sampleRate / 2.0)
        return {};

    // Bins whose centre k * binHz lies in [low, high); never DC.
    BinRange r { std::max (1, (int) std::ceil (lowHz / binHz)), std::min (nyquistBin + 1, (int) std::ceil (highHz / binHz)) };
    if (r.first < r.end)
        return r;

    const auto nearest = std::clamp (juce::roundToInt (std::sqrt ((double) lowHz * highHz) / binHz), 1, nyquistBin);
    return { nearest, nearest + 1 };
}

void SpectrumAnalyser::prepare (double newSampleRate, double framesPerSecond) noexcept
{
    jassert (newSampleRate > 0.0 && framesPerSecond > 0.0);
    sampleRate = newSampleRate;
    hop = std::max (1, juce::roundToInt (sampleRate / framesPerSecond));

    for (int b = 0; b < numBands; ++b)
        bandBins[(std::size_t) b] = binsFor (bandEdgesHz[(std::size_t) b], bandEdgesHz[(std::size_t) b + 1]);
    for (int b = 0; b < numFineBands; ++b)
        fineBins[(std::size_t) b] = binsFor (fineBandEdgeHz (b), fineBandEdgeHz (b + 1));

    reset();
}

void SpectrumAnalyser::reset() noexcept
{
    history.reset();
    samplesSinceFrame = 0;
    frame.bandsDb.fill (floorDb);
    frame.fineDb.fill (floorDb);
}

bool SpectrumAnalyser::process (const float* newLeft, const float* newRight, int n) noexcept
{
    history.push (newLeft, newRight, n);
    samplesSinceFrame += n;
    if (samplesSinceFrame < hop)
        return false;

    // Keep the remainder, so blocks that do not divide the hop still average the requested rate.
    samplesSinceFrame %= hop;
    computeFrame();
    return true;
}

void SpectrumAnalyser::computeFrame() noexcept
{
    history.copyLatest (left.data(), right.data(), fftSize);

    // Both channels in one complex FFT, left as the real part and right as the imaginary part: with
    // Z = L + jR, the spectra are L[k] = (Z[k] + Z*[N-k]) / 2 and R[k] = (Z[k] - Z*[N-k]) / 2j, so the mean
    // of their powers is (|Z[k]|^2 + |Z[N-k]|^2) / 4. Half the work of two real transforms (JUCE's fallback
    // engine computes a real one as a full complex one), and averaging powers rather than summing the
    // channels first keeps anti-phase content from cancelling.
    for (int i = 0; i < fftSize; ++i)
        fftIn[(std::size_t) i] = { left[(std::size_t) i] * window[(std::size_t) i], right[(std::size_t) i] * window[(std::size_t) i] };
    fft.perform (fftIn.data(), fftOut.data(), false);

    for (int k = 0; k < (int) power.size(); ++k)
        power[(std::size_t) k] = 0.25f * powerScale * (std::norm (fftOut[(std::size_t) k]) + std::norm (fftOut[(std::size_t) ((fftSize - k) % fftSize)]));

    for (int b = 0; b < numBands; ++b)
        frame.bandsDb[(std::size_t) b] = bandDb (bandBins[(std::size_t) b]);
    for (int b = 0; b < numFineBands; ++b)
        frame.fineDb[(std::size_t) b] = bandDb (fineBins[(std::size_t) b]);
}

float SpectrumAnalyser::bandDb (BinRange range) const noexcept
{
    double sum = 0.0;
    for (int k = range.first; k < range.end; ++k)
        sum += power[(std::size_t) k];
    return sum > 0.0 ? std::max (floorDb, (float) (10.0 * std::log10 (sum))) : floorDb;
}

} // namespace imbolc::engine
