#pragma once

namespace imbolc::engine
{

/** Band levels of a stereo signal from a Hann-windowed 2048-point FFT (juce::dsp::FFT) of the newest
    samples, computed at most a set number of times per second however small the blocks.

    Seven bands with the original Imbolc's edges (20, 60, 250, 500, 2k, 4k, 6k, 20k Hz) and a finer view of
    32 bands spaced logarithmically from 20 Hz to 20 kHz. A band's level is the power of the FFT bins whose
    centre frequency lies in it, averaged over the two channels and scaled so that a sine of peak amplitude A
    reads 20 log10 A dBFS in its band (0 dBFS for a full-scale sine). A fine band narrower than one bin
    (the lowest ones) shows the bin nearest its centre; a band above Nyquist reads floorDb.

    Not thread-safe: one thread (the audio thread) calls prepare(), reset(), process() and getFrame().
*/
class SpectrumAnalyser
{
public:
    static constexpr int fftOrder = 11, fftSize = 1 << fftOrder;
    static constexpr int numBands = 7, numFineBands = 32;
    static constexpr std::array<float, numBands + 1> bandEdgesHz { 20.0f, 60.0f, 250.0f, 500.0f, 2000.0f, 4000.0f, 6000.0f, 20000.0f };
    static constexpr float fineLowHz = 20.0f, fineHighHz = 20000.0f;
    static constexpr float floorDb = -200.0f; ///< what an empty or silent band reads

    /** One analysis, in dBFS (see the class comment for the scale). */
    struct Frame
    {
        std::array<float, numBands> bandsDb {};
        std::array<float, numFineBands> fineDb {};
    };

    /** Lower edge of fine band i (0 <= i <= numFineBands; i = numFineBands gives the top edge). Any thread. */
    static float fineBandEdgeHz (int i) noexcept;

    /** Allocates the FFT, the window and the buffers. Not on the audio thread. */
    SpectrumAnalyser();

    /** Sets the sample rate and the most analyses per second, maps bands to bins and resets.
        Allocation-free, but not while process() may run on another thread. */
    void prepare (double sampleRate, double framesPerSecond) noexcept;

    /** Forgets the input history (it reads as silence) and restarts the rate limit. Same thread as process(). */
    void reset() noexcept;

    /** Appends n samples of each channel; returns true if a new frame was computed (at most one per call,
        at most framesPerSecond on average). Audio thread; no allocation and no mutex (juce::dsp::FFT's
        fallback engine works on the stack and takes only its own SpinLock, which nothing else contends); one 2048-point complex FFT (about 30 us) whenever a frame is due,
        otherwise a copy. */
    bool process (const float* left, const float* right, int n) noexcept;

    /** The newest frame computed. Same thread as process(). */
    const Frame& getFrame() const noexcept { return frame; }

private:
    struct BinRange
    {
        int first = 0, end = 0;
    };

    void computeFrame() noexcept;
    BinRange binsFor (float lowHz, float highHz) const noexcept;
    float bandDb (BinRange) const noexcept;

    juce::dsp::FFT fft { fftOrder };
    ScopeBuffer history { fftSize };
    std::vector<float> window, left, right, power;
    std::vector<std::complex<float>> fftIn, fftOut;
    float powerScale = 1.0f; ///< maps summed bin power to the squared peak amplitude of a sine
    double sampleRate = 48000.0;
    int hop = 1600;
    int samplesSinceFrame = 0;
    std::array<BinRange, numBands> bandBins {};
    std::array<BinRange, numFineBands> fineBins {};
    Frame frame;
};

} // namespace imbolc::engine
