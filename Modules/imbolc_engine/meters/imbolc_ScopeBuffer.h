#pragma once

namespace imbolc::engine
{

/** The last N stereo samples written: an oscilloscope's memory, and the spectrum analyser's FFT input.

    A ring of two channels allocated once in the constructor. Not thread-safe: one thread (the audio
    thread) pushes and copies; AnalysisMeters hands copies to other threads.
*/
class ScopeBuffer
{
public:
    /** Allocates room for `capacity` stereo samples, all zero. Not on the audio thread. */
    explicit ScopeBuffer (int capacity);

    int getCapacity() const noexcept { return capacity; }

    /** Zeros the samples and the position. Same thread as push(); no allocation. */
    void reset() noexcept;

    /** Appends n samples of each channel; only the last getCapacity() of a longer run are kept. Audio
        thread; no allocation or lock. */
    void push (const float* left, const float* right, int n) noexcept;

    /** Copies the newest `count` (at most getCapacity()) samples of each channel, oldest first; samples
        from before the reset read as zero. Same thread as push(); no allocation or lock. */
    void copyLatest (float* left, float* right, int count) const noexcept;

    /** Samples pushed since the reset: the position just after the newest sample. Same thread as push(). */
    std::uint64_t getPosition() const noexcept { return position; }

private:
    int capacity;
    std::vector<float> left, right;
    int writeIndex = 0; ///< where the next sample goes, which is also the oldest one kept
    std::uint64_t position = 0;
};

} // namespace imbolc::engine
