#pragma once

namespace imbolc::engine
{

/** Reverb (model::EffectType::reverb): Freeverb (eight damped combs and four all-passes per side),
    fx::Freeverb, which gives juce::Reverb's samples in a third of its time, driven from the model's
    parameters.

    Parameters: size (room size), damping, width (stereo spread of the wet signal) and mix, an
    equal-power crossfade (mix 0 is exactly the dry signal). Values are handed to the reverb per
    32-sample sub-block while they move; it smooths them itself.
*/
class ReverbNode final : public NodeProcessor
{
public:
    explicit ReverbNode (const std::vector<model::Parameter>& params);

    /** The time the tank takes to fall 60 dB at the current size (longest comb, undamped). Any thread. */
    double getTailLengthSeconds() const override { return tailSeconds.load (std::memory_order_relaxed); }

    static constexpr int subBlock = 32;

private:
    void prepareNode (double sampleRate, int maximumBlockSize) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;
    bool isAtRest() const noexcept override;
    void advanceAtRest (int numSamples) noexcept override;
    void apply (float size, float damping, float width, float mix) noexcept;

    fx::Freeverb reverb;
    float size = -1.0f, damping = -1.0f, width = -1.0f, mix = -1.0f;
    std::atomic<float> tailSeconds { 0.0f };
};

/** Chorus (model::EffectType::chorus): a stereo modulated delay, 10 ms centre swept by up to +-7 ms
    by a sine LFO (the right side a quarter cycle behind the left), read with cubic interpolation.

    Parameters: rate (Hz), depth (0..1 of the sweep) and mix (linear; 0 is exactly dry, 0.5 the classic
    equal blend, 1 pure vibrato), read per 32-sample slice (depth and mix interpolated across it).
*/
class ChorusNode final : public NodeProcessor
{
public:
    explicit ChorusNode (const std::vector<model::Parameter>& params);
    double getTailLengthSeconds() const override { return (centreMs + sweepMs) * 0.001; }

    static constexpr float centreMs = 10.0f, sweepMs = 7.0f;
    static constexpr int subBlock = 32;

private:
    void prepareNode (double sampleRate, int maximumBlockSize) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;
    bool isAtRest() const noexcept override;
    void advanceAtRest (int numSamples) noexcept override;

    juce::HeapBlock<float> line; // two power-of-two rings, one per side
    int mask = 0, writeIndex = 0;
    float phase = 0.0f, msToSamples = 48.0f;
};

/** Compressor (model::EffectType::compressor): feed-forward and stereo-linked. The peak level in dB
    goes through a gain computer (threshold, ratio, 6 dB soft knee); the gain reduction is smoothed in
    the log domain by a decoupled peak detector (release, then attack: Giannoulis, Massberg & Reiss),
    and the makeup gain is added after.

    Parameters: threshold (dB), ratio, attack (s), release (s), makeup (dB). The detector's are read
    per 32-sample slice; the makeup is interpolated across it.
*/
class CompressorNode final : public NodeProcessor
{
public:
    explicit CompressorNode (const std::vector<model::Parameter>& params);

    static constexpr float kneeDb = 6.0f;
    static constexpr int subBlock = 32;

    /** The gain reduction now, in dB (positive). Audio thread, or any thread while stopped. */
    float getGainReductionDb() const noexcept { return smoothed; }

private:
    void prepareNode (double sampleRate, int maximumBlockSize) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;
    bool isAtRest() const noexcept override;
    void advanceAtRest (int numSamples) noexcept override;
    void setTimes (float attackSeconds, float releaseSeconds) noexcept;

    float attack = -1.0f, release = -1.0f, attackCoeff = 0.0f, releaseCoeff = 0.0f;
    float held = 0.0f, smoothed = 0.0f;
};

/** Distortion (model::EffectType::distortion): up to +30 dB into a slightly asymmetric soft clipper
    (even as well as odd harmonics), a DC blocker, then the tone control, a 12 dB/octave low-pass from
    500 Hz (tone 0) to 20 kHz (tone 1). The clipped signal is scaled by 1 / sqrt(drive gain), so loud
    material does not jump in level as the drive goes up.

    Parameters: drive, tone, mix (linear; 0 is exactly dry).
*/
class DistortionNode final : public NodeProcessor
{
public:
    explicit DistortionNode (const std::vector<model::Parameter>& params);

private:
    void prepareNode (double sampleRate, int maximumBlockSize) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;
    bool isAtRest() const noexcept override;
    void advanceAtRest (int numSamples) noexcept override;
    void setDriveAndTone (float drive, float tone) noexcept;

    float drive = -1.0f, gain = 1.0f, outGain = 1.0f, bias = 0.0f, biasOffset = 0.0f;
    float tone = -1.0f;
    float dcCoeff = 0.0f, dcIn[2] = {}, dcOut[2] = {};
    fx::SvfCoefficients toneCoeffs;
    fx::SvfState toneState[2];
};

/** Limiter (model::EffectType::limiter): a look-ahead peak limiter whose output never exceeds the
    ceiling. Per sample the gain that would keep the (stereo-linked) peak at the ceiling is taken,
    released exponentially, held as a sliding minimum over the 1 ms look-ahead window and smoothed by a
    moving average over the same window: every gain applied to a delayed sample is then at most the
    gain that sample needed, and the gain moves in straight 1 ms ramps instead of jumping. A last
    clamp at the ceiling absorbs float rounding.

    Parameters: ceiling (dBFS), release (s). Latency: the look-ahead (reported by getLatencySamples).
*/
class LimiterNode final : public NodeProcessor
{
public:
    explicit LimiterNode (const std::vector<model::Parameter>& params);
    double getTailLengthSeconds() const override { return lookAheadSeconds; }

    static constexpr double lookAheadSeconds = 0.001;

    /** The gain applied to the last sample (1 = none). Audio thread, or any thread while stopped. */
    float getCurrentGain() const noexcept { return lastGain; }

private:
    void prepareNode (double sampleRate, int maximumBlockSize) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;
    bool isAtRest() const noexcept override;
    void advanceAtRest (int numSamples) noexcept override;
    void setCeilingAndRelease (float ceilingDb, float releaseSeconds) noexcept;
    bool isGainSettled() const noexcept;

    int window = 1; // look-ahead + 1 samples
    juce::HeapBlock<float> delayed; // two rings of `window` samples
    juce::HeapBlock<float> averaged; // the last `window` sliding minima, for the moving average
    juce::HeapBlock<float> minValues; // the sliding minimum's monotonic queue (a power-of-two ring)
    juce::HeapBlock<std::uint32_t> minTimes;
    int minHead = 0, minCount = 0, minMask = 0;
    int position = 0;
    std::uint32_t now = 0;
    double sum = 0.0;
    float envelope = 1.0f, release = -1.0f, releaseCoeff = 0.0f, lastGain = 1.0f;
    float ceilingDb = 1.0f, ceiling = 1.0f;
    juce::AudioBuffer<float> silence; ///< what advanceAtRest processes while the gain still moves (stays +0)
};

} // namespace imbolc::engine
