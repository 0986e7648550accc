#pragma once

namespace imbolc::engine
{

/** A loudness reading (BS.1770-4 / EBU R128), in LUFS; -inf for silence or before anything was measured. */
struct Loudness
{
    float momentaryLufs = -std::numeric_limits<float>::infinity();
    float shortTermLufs = -std::numeric_limits<float>::infinity();
    float integratedLufs = -std::numeric_limits<float>::infinity();
    double measuredSeconds = 0.0; ///< audio measured since the meter was enabled or reset
};

using SpectrumFrame = SpectrumAnalyser::Frame;

/** The newest samples of the master for an oscilloscope. */
struct ScopeFrame
{
    static constexpr int size = 2048;
    std::array<float, size> left {}, right {}; ///< oldest first
    std::uint64_t endPosition = 0; ///< samples analysed since the scope was enabled, up to just after right[size - 1]
};

/** The analyses that cost something (loudness, spectrum, scope) on one stereo signal, computed on the
    audio thread only while a view asks for them, and handed to the message thread without locks.

    The owner calls setEnabled() with the analyses its open views show (the union, if several are open);
    the audio thread calls process() on the master mix every block, which returns at once when nothing is
    enabled; the message thread polls readLoudness() / readSpectrum() / readScope(), which copy the newest
    result out of a triple buffer. An analysis that is switched on starts from a clean state (integrated
    loudness counts from then; the scope and the FFT history start silent), since the audio it skipped
    was never seen.

    Results are published at most: loudness every 100 ms, the spectrum and the scope at the rates given
    to prepare().

    Threads: the constructor and prepare() off the audio thread while process() is not running;
    setEnabled(), getEnabled() and requestLoudnessReset() any thread; process() one audio thread; the read
    functions one reader thread (the message thread). Allocates about 300 KB, all in the constructor.
*/
class AnalysisMeters
{
public:
    using Flags = std::uint32_t;
    static constexpr Flags none = 0, loudness = 1 << 0, spectrum = 1 << 1, scope = 1 << 2,
                           all = loudness | spectrum | scope;

    /** Allocates everything the audio thread will use. Not on the audio thread. */
    AnalysisMeters();

    /** Sets the sample rate and how many spectrum and scope frames to publish per second at most, and
        resets every analysis. Not on the audio thread, and only while process() is not running. */
    void prepare (double sampleRate, double spectrumFramesPerSecond = 30.0, double scopeFramesPerSecond = 60.0) noexcept;

    /** Which analyses to compute from the next process() on (a bitwise or of the flags). Any thread;
        lock-free. */
    void setEnabled (Flags) noexcept;

    /** The flags last set. Any thread. */
    Flags getEnabled() const noexcept { return enabled.load (std::memory_order_relaxed); }

    /** Restarts loudness measurement (integrated, short-term, momentary) at the next process(), as a
        "reset" button does. Any thread; lock-free. */
    void requestLoudnessReset() noexcept { loudnessResetRequested.store (true, std::memory_order_relaxed); }

    /** Analyses n samples of each channel for every enabled analysis and publishes what is due. With no
        analysis enabled it returns after one atomic load. Audio thread; never allocates, locks or blocks. */
    void process (const float* left, const float* right, int n) noexcept;

    /** Copies the newest loudness reading into `out` and returns true if one was published since the last
        read; false (and `out` untouched) otherwise. The one reader thread; wait-free. */
    bool readLoudness (Loudness& out) noexcept { return loudnessOut.read (out); }

    /** As readLoudness(), for the newest spectrum frame. The one reader thread; wait-free. */
    bool readSpectrum (SpectrumFrame& out) noexcept { return spectrumOut.read (out); }

    /** As readLoudness(), for the newest scope frame (a 16 KB copy). The one reader thread; wait-free. */
    bool readScope (ScopeFrame& out) noexcept { return scopeOut.read (out); }

private:
    std::atomic<Flags> enabled { none };
    std::atomic<bool> loudnessResetRequested { false };
    static_assert (std::atomic<Flags>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);

    // Audio thread's own.
    Flags running = none; ///< the flags process() last acted on, to see which were switched on
    LoudnessMeter loudnessMeter;
    SpectrumAnalyser spectrumAnalyser;
    ScopeBuffer scopeBuffer { ScopeFrame::size };
    int scopeHop = 800, samplesSinceScope = 0;

    TripleBuffer<Loudness> loudnessOut;
    TripleBuffer<SpectrumFrame> spectrumOut;
    TripleBuffer<ScopeFrame> scopeOut;
};

} // namespace imbolc::engine
