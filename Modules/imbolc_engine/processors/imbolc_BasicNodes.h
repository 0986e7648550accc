#pragma once

namespace imbolc::engine
{

/** Linear gain with a smoothed gain parameter (model::EffectType::gain). */
class GainNode final : public NodeProcessor
{
public:
    explicit GainNode (const std::vector<model::Parameter>& params);

private:
    void prepareNode (double, int) override {}
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;
    bool isAtRest() const noexcept override;
    void advanceAtRest (int numSamples) noexcept override;
};

/** A stereo feedback delay (model::EffectType::delay: time, feedback, mix). Its buffer is allocated in
    prepareToPlay for the longest time the parameter allows, so changing the time never allocates. */
class DelayNode final : public NodeProcessor
{
public:
    explicit DelayNode (const std::vector<model::Parameter>& params);
    double getTailLengthSeconds() const override;

private:
    void prepareNode (double sampleRate, int maximumBlockSize) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;
    bool isAtRest() const noexcept override;
    void advanceAtRest (int numSamples) noexcept override;
    void noteSilentWrites (int n) noexcept;

    // The line holds up to the longest time the parameter allows (4 s: 1.5 MB stereo at 48 kHz). It is
    // not zeroed: samples older than `written` are read as silence instead, so preparing costs one
    // touch per page (to fault the pages in here, never on the audio thread), not a 1.5 MB memset.
    juce::HeapBlock<float> line;
    int length = 0;
    int writeIndex = 0;
    int written = 0;
    int silentRun = 0; ///< how many of the newest samples written are +0 on both sides (at most length)
    float maxSeconds = 4.0f;
};

/** A stage whose built-in DSP has not landed yet: it keeps its parameters (so targeted changes land
    and are observable) and passes audio through unchanged. */
class PassThroughNode final : public NodeProcessor
{
public:
    PassThroughNode (juce::String name, const std::vector<model::Parameter>& params);

private:
    void prepareNode (double, int) override {}
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override {}
};

/** A mixer strip: level and balance (model::StripParam order), and a mute that fades instead of
    clicking. Instruments, buses and the master each end in one. */
class StripNode final : public NodeProcessor
{
public:
    StripNode (float level, float pan, bool hasPan);

    /** Audio thread. */
    void setMuted (bool muted) noexcept;
    bool isMuted() const noexcept { return muted; }

private:
    void prepareNode (double sampleRate, int) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;

    juce::SmoothedValue<float> muteGain { 1.0f };
    bool muted = false;
    bool hasPan;
};

/** The master's last word: a peak limiter with instant attack, so nothing above the ceiling reaches
    the device, and non-finite samples are replaced by silence. Not part of the model. */
class SafetyLimiterNode final : public NodeProcessor
{
public:
    SafetyLimiterNode();

    static constexpr float ceiling = 0.966f; ///< -0.3 dBFS

private:
    void prepareNode (double sampleRate, int) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;

    float gain = 1.0f;
    float releaseCoefficient = 0.0f;
};

} // namespace imbolc::engine
