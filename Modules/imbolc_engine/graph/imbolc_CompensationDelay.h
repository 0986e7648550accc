#pragma once

namespace imbolc::engine
{

/** Plugin delay compensation for one stereo path: delays it so that it reaches a summing point
    together with a later (more latent) path.

    The delay line's memory is handed in from outside (CompensationDelay::makeMemory on the message
    thread) and grows only there: a path that needs no delay owns no memory and costs nothing, and the
    audio thread never allocates. A new length is reached by crossfading the old read position into
    the new one over the fade length, never by a jump, so a latency change mid-play does not click; a
    change that arrives during a fade waits until it ends.

    History written before the line was last started (a path that had no delay does not write) reads
    as silence, and the first fade length of samples written after a start ramps in from silence, so
    a line that starts delaying from nothing fades its signal out and the delayed signal back in.

    Threads: makeMemory on any non-real-time thread; everything else on the audio thread, or on the
    message thread while the owning chain is not installed (before install, in prepare). */
class CompensationDelay
{
public:
    /** Two channels of a power-of-two length. */
    using Memory = juce::AudioBuffer<float>;

    /** The most samples any path is delayed by (a few seconds at 48 kHz): a plugin reporting more is
        compensated only up to this. */
    static constexpr int maxDelaySamples = 1 << 18;

    /** Memory that holds a delay of `delaySamples` (at most maxDelaySamples), with room for a block of
        `maxBlockSize` beside it (so a steady line moves whole blocks). Allocates: never on the audio
        thread. */
    static std::unique_ptr<Memory> makeMemory (int delaySamples, int maxBlockSize);

    /** The longest delay `Memory` of this many samples holds. */
    static int delayFor (int memorySamples) noexcept { return juce::jmax (0, memorySamples - 1); }

    /** Takes `next` as the line's memory, keeping as much of the history as both hold, and returns the
        previous memory (or nullptr) for the caller to destroy off the audio thread. */
    Memory* exchangeMemory (Memory* next) noexcept;

    /** Sets the fade length (samples) for later changes. */
    void setFadeLength (int samples) noexcept { fadeLength = juce::jmax (1, samples); }

    /** Moves the read position to `samples` behind the input (clamped to what the memory holds), by a
        crossfade from where it reads now. */
    void setDelay (int samples) noexcept;

    /** Forgets the history and stands at the delay last asked for, without a fade (a re-prepare). */
    void reset() noexcept;

    /** The delay last asked for (samples), whether or not a fade has reached it yet. */
    int getTargetDelay() const noexcept { return pending >= 0 ? pending : target; }

    /** True while the line passes its input through untouched (no delay, no fade): process() returns
        at once. */
    bool isIdle() const noexcept { return current == 0 && target == 0 && pending < 0; }

    /** Delays the first n samples of the first two channels of `buffer`, in place. */
    void process (juce::AudioBuffer<float>& buffer, int n) noexcept;

private:
    float read (int channel, float input, int delay, std::uint64_t at) const noexcept;

    std::unique_ptr<Memory> memory;
    int mask = 0; ///< memory length - 1 (0: no memory)
    std::uint64_t written = 0; ///< samples written since the line was made (indexes the ring)
    std::uint64_t validFrom = 0; ///< the first sample of the current history
    int current = 0, target = 0, pending = -1;
    int fadePosition = 0, fadeLength = 480;
    int rampIn = 0; ///< samples left of the ramp-in of history after a start
};

} // namespace imbolc::engine
