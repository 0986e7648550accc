#pragma once

namespace imbolc::engine
{

/** Loudness of a stereo signal as ITU-R BS.1770-4 and EBU R128 define it: K-weighting, then momentary
    (400 ms window, updated every 100 ms), short-term (3 s window) and integrated (gated at -70 LUFS
    absolute and 10 LU below the ungated mean, relative) loudness, in LUFS.

    Level convention (EBU Tech 3341): a sine of peak amplitude A in both channels reads about 20 log10 A
    LUFS, so the -23 dBFS stereo 1 kHz sine of Tech 3341 test 1 (peak 10^(-23/20) in each channel, not an
    RMS level) reads -23.0 LUFS; a 0 dBFS 997 Hz sine in one channel only reads -3.01 LUFS.

    Integrated loudness needs every 400 ms gating block since the last reset. Instead of a growing list,
    block loudnesses go into a fixed histogram of 0.01 LU bins from -70 to +10 LUFS that keeps, per bin,
    the count and the exact sum of the blocks' energies; so memory is fixed however long it runs, and the
    only approximation is that blocks in the one bin straddling the relative gate are all kept or all
    dropped (at most 0.01 LU from the threshold, a negligible change to the result).

    Not thread-safe: one thread (the audio thread) calls prepare(), reset(), process() and the getters.
    AnalysisMeters is the cross-thread wrapper.
*/
class LoudnessMeter
{
public:
    /** One biquad section, normalised so a0 = 1: y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2. */
    struct Biquad
    {
        double b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0;
    };

    /** The two K-weighting stages of BS.1770-4: the high shelf (head effects) and the RLB high-pass. */
    struct KWeighting
    {
        Biquad shelf, highPass;
    };

    /** BS.1770's K-weighting for any sample rate, by the bilinear transform of the analog prototype that
        reproduces the standard's 48 kHz table (to 1e-15). Pure; any thread. */
    static KWeighting kWeightingFor (double sampleRate) noexcept;

    static constexpr double absoluteGateLufs = -70.0, relativeGateLu = -10.0;
    static constexpr double histogramTopLufs = 10.0, histogramBinLu = 0.01;
    static constexpr int numHistogramBins = 8000; ///< (top - absolute gate) / bin width
    static constexpr int stepsPerMomentary = 4, stepsPerShortTerm = 30; ///< 100 ms steps in 400 ms and 3 s

    /** Allocates the gating histogram. Not on the audio thread. */
    LoudnessMeter();

    /** Sets the sample rate and resets. Allocation-free, but not while process() may run on another thread. */
    void prepare (double sampleRate) noexcept;

    /** Forgets everything measured (filter state, windows, gating history). Same thread as process();
        clears the 128 KB histogram, so a few microseconds. */
    void reset() noexcept;

    /** Measures n samples of each channel. Returns true if at least one 100 ms step ended inside this call,
        i.e. the momentary, short-term and integrated values changed. The audio thread; no allocation,
        lock or I/O; about two biquads per channel per sample, plus a histogram scan (8000 bins) per step. */
    bool process (const float* left, const float* right, int n) noexcept;

    /** Loudness of the last 400 ms in LUFS (time before the reset counts as silence); -inf for silence.
        Same thread as process(). */
    float getMomentaryLufs() const noexcept { return energyToLufs (windowEnergy (stepsPerMomentary)); }

    /** Loudness of the last 3 s in LUFS; -inf for silence. Same thread as process(). */
    float getShortTermLufs() const noexcept { return energyToLufs (windowEnergy (stepsPerShortTerm)); }

    /** Gated loudness of everything since the reset, in LUFS; -inf until a 400 ms block above -70 LUFS has
        been measured. Scans the histogram (8000 bins). Same thread as process(). */
    float getIntegratedLufs() const noexcept;

    /** Seconds of audio measured since the reset, counted in whole 100 ms steps. Same thread as process(). */
    double getMeasuredSeconds() const noexcept { return (double) stepsDone * 0.1; }

    /** Momentary loudness of the energy sum the standard calls z: -0.691 + 10 log10 z, or -inf at zero. */
    static float energyToLufs (double energy) noexcept;

private:
    void endStep() noexcept;
    double windowEnergy (int steps) const noexcept;

    /** Transposed direct form II state of both stages for one channel. */
    struct FilterState
    {
        double shelf1 = 0.0, shelf2 = 0.0, highPass1 = 0.0, highPass2 = 0.0;
    };

    /** K-weights both channels and returns the sum of their squares, advancing the filter states. */
    static double weightAndSquare (const float* left, const float* right, int n, const KWeighting&, std::array<FilterState, 2>&) noexcept;

    KWeighting coefficients;
    std::array<FilterState, 2> filterStates {};

    int stepLength = 4800; ///< samples in 100 ms
    int stepPosition = 0;
    double stepSum = 0.0; ///< sum over channels of squared K-weighted samples in the current step

    std::array<double, stepsPerShortTerm> stepEnergies {}; ///< ring of mean-square sums per 100 ms step
    int newestStep = stepsPerShortTerm - 1;
    std::uint64_t stepsDone = 0;

    struct Bin
    {
        std::uint32_t count = 0;
        double energySum = 0.0;
    };
    std::vector<Bin> histogram;
    std::uint64_t gatedCount = 0; ///< blocks above the absolute gate
    double gatedEnergySum = 0.0; ///< and their summed energies, for the relative threshold in O(1)
};

} // namespace imbolc::engine
