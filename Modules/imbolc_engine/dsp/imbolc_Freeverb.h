#pragma once

namespace imbolc::engine::fx
{

/** Freeverb with exactly juce::Reverb's arithmetic, rendered a block at a time: the same samples, bit
    for bit, in about a third of the time.

    Why our own: juce::Reverb runs its 16 combs and 8 all-passes one sample at a time and advances
    every delay line with an integer modulo, 24 divisions per stereo sample; it was the largest single
    cost of rendering a busy session (28.7 % of the large reference session's render). A comb reads
    what it wrote a whole line length ago, so within a chunk no longer than its shortest line every
    read is of an older chunk and the lines need no per-sample bookkeeping:
    - the combs' one-pole recursions run side by side in SIMD lanes (one comb per lane);
    - the all-passes run over the chunk one after the other, as plain vectorisable loops.
    Every sample goes through the same floating-point operations, in the same order, as in
    juce::Reverb (JUCE_UNDENORMALISE's rounding included), and its parameter smoothing is juce's own
    SmoothedValue, so the output is identical (Tests/Engine/imbolc_FreeverbTests.cpp compares the two).

    Threads: setSampleRate allocates (message thread, before audio runs); setParameters, reset and
    the process calls are the audio thread's, allocation- and lock-free.
*/
class Freeverb
{
public:
    using Parameters = juce::Reverb::Parameters;

    Freeverb();

    /** As juce::Reverb::setParameters: the levels and damping glide to the new values over 10 ms. */
    void setParameters (const Parameters& newParams) noexcept;
    const Parameters& getParameters() const noexcept { return parameters; }

    /** As juce::Reverb::setSampleRate: sizes the lines (clearing them) and the 10 ms glides. */
    void setSampleRate (double sampleRate);

    /** Clears the lines (not the glides), as juce::Reverb::reset. */
    void reset() noexcept;

    void processStereo (float* left, float* right, int numSamples) noexcept;

    /** True when every line and every comb's filter holds +0.0f: silence in is then silence out
        (JUCE_UNDENORMALISE's rounding takes a dying tail to exact zero a few seconds after it falls
        silent). Audio thread. */
    bool isSilent() const noexcept;

    /** What processStereo (stereo) or processMono would do on numSamples of silence while isSilent():
        the glides move on sample by sample and the lines' positions with them; the lines stay zero.
        Audio thread. */
    void advanceSilence (int numSamples, bool stereo) noexcept;
    void processMono (float* samples, int numSamples) noexcept;

private:
    static constexpr int numCombs = 8, numAllPasses = 4, maxChunk = 128;

    struct Line
    {
        juce::HeapBlock<float> buffer;
        int size = 0, index = 0;

        void setSize (int newSize);
        void clear() noexcept { buffer.clear ((size_t) size); }
        /** Moves the position on by `count` (at most one length). */
        void advance (int count) noexcept
        {
            index += count;
            if (index >= size)
                index -= size;
        }
    };

    template <int channels>
    void combs (int length) noexcept;
    void allPasses (int channel, float* samples, int length) noexcept;

    Parameters parameters;
    float gain = 0.015f;
    Line comb[2][numCombs], allPass[2][numAllPasses];
    alignas (32) float combLast[2 * numCombs] {};
    int chunk = maxChunk; ///< no longer than the shortest line, so a chunk never reads its own writes
    juce::SmoothedValue<float> damping, feedback, dryGain, wetGain1, wetGain2;

    // Per chunk: the input, the glides' values and the combs' sums.
    alignas (32) float input[maxChunk] {}, dampings[maxChunk] {}, feedbacks[maxChunk] {};
    alignas (32) float sums[2][maxChunk] {};

    JUCE_DECLARE_NON_COPYABLE (Freeverb)
};

} // namespace imbolc::engine::fx
