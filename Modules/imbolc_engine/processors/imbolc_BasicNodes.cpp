namespace imbolc::engine
{

namespace
{
    std::vector<model::Parameter> stripParameters (float level, float pan)
    {
        return { { "level", level, 0.0f, 2.0f, 0.8f }, { "pan", pan, -1.0f, 1.0f, 0.0f } };
    }
} // namespace

//==============================================================================
GainNode::GainNode (const std::vector<model::Parameter>& params)
    : NodeProcessor ("Gain", params, false) {}

void GainNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    const int n = buffer.getNumSamples();
    const int channels = buffer.getNumChannels();
    for (int i = 0; i < n; ++i)
    {
        const float g = nextValue (0);
        for (int c = 0; c < channels; ++c)
            buffer.getWritePointer (c)[i] *= g;
    }
}

bool GainNode::isAtRest() const noexcept
{
    return getParameterRange (0).getStart() >= 0.0f; // silence times a gain that is never negative is +0
}

void GainNode::advanceAtRest (int n) noexcept
{
    advanceValue (0, n);
}

//==============================================================================
DelayNode::DelayNode (const std::vector<model::Parameter>& params)
    : NodeProcessor ("Delay", params, false)
{
    if (! params.empty())
        maxSeconds = params[0].maxValue;
}

double DelayNode::getTailLengthSeconds() const
{
    // Feedback below 0.98 falls under -60 dB within about 340 repeats of the longest time; report a
    // practical bound rather than infinity so hosts can still stop rendering.
    return (double) maxSeconds * 8.0;
}

void DelayNode::prepareNode (double sampleRate, int maximumBlockSize)
{
    length = (int) std::ceil (maxSeconds * sampleRate) + maximumBlockSize + 2;
    const auto total = (std::size_t) length * 2;
    line.malloc (total);
    for (std::size_t i = 0; i < total; i += 1024) // one write per 4 KiB page
        line[i] = 0.0f;
    writeIndex = 0;
    written = 0;
    silentRun = 0;
}

void DelayNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    const int n = buffer.getNumSamples();
    const int channels = juce::jmin (2, buffer.getNumChannels());
    float* lines[2] = { line.get(), line.get() + length };
    float* io[2] = { buffer.getWritePointer (0), channels > 1 ? buffer.getWritePointer (1) : nullptr };

    for (int i = 0; i < n; ++i)
    {
        const float delaySamples = juce::jlimit (1.0f, (float) (length - 2), nextValue (0) * (float) currentSampleRate);
        const float feedback = nextValue (1);
        const float mix = nextValue (2);

        // Linear interpolation between the two samples around the (fractional) read position; until
        // the line has been written that far back, the echo is silence.
        float readPos = (float) writeIndex - delaySamples;
        if (readPos < 0.0f)
            readPos += (float) length;
        const int r0 = (int) readPos;
        const int r1 = r0 + 1 < length ? r0 + 1 : 0;
        const float frac = readPos - (float) r0;
        const bool valid = (float) written >= delaySamples + 1.0f;

        for (int c = 0; c < 2; ++c)
        {
            float* ch = io[c] != nullptr ? io[c] : io[0];
            const float dry = ch[i];
            const float wet = valid ? lines[c][r0] + frac * (lines[c][r1] - lines[c][r0]) : 0.0f;
            lines[c][writeIndex] = dry + wet * feedback;
            if (io[c] != nullptr)
                ch[i] = dry * (1.0f - mix) + wet * mix;
        }
        if (++writeIndex >= length)
            writeIndex = 0;
        if (written < length)
            ++written;
    }
    noteSilentWrites (n);
}

void DelayNode::noteSilentWrites (int n) noexcept
{
    // How many of the newest samples in the line are +0 (both sides), counted back from the write
    // head over this block's writes: the line is silent once the run covers all it has written.
    int run = 0;
    for (int k = 1; k <= n; ++k)
    {
        const int at = writeIndex - k < 0 ? writeIndex - k + length : writeIndex - k;
        if (! isPositiveZero (line[at]) || ! isPositiveZero (line[length + at]))
            break;
        ++run;
    }
    silentRun = run == n ? juce::jmin (length, silentRun + n) : run;
}

bool DelayNode::isAtRest() const noexcept
{
    // Every sample it could read back is +0: echoes of silence are silence, and so is what it writes.
    return silentRun >= written;
}

void DelayNode::advanceAtRest (int n) noexcept
{
    for (int p = 0; p < 3; ++p)
        advanceValue (p, n);
    // Write the zeros processing would write where the line has not been written yet (reads treat
    // those places as silence only until `written` reaches them); the rest already holds zeros.
    if (silentRun < length)
        for (int k = 0, at = writeIndex; k < juce::jmin (n, length); ++k, at = at + 1 < length ? at + 1 : 0)
            line[at] = line[length + at] = 0.0f;
    writeIndex = (int) ((writeIndex + (std::int64_t) n) % length);
    written = (int) juce::jmin ((std::int64_t) length, (std::int64_t) written + n);
    silentRun = (int) juce::jmin ((std::int64_t) length, (std::int64_t) silentRun + n);
}

//==============================================================================
PassThroughNode::PassThroughNode (juce::String name, const std::vector<model::Parameter>& params)
    : NodeProcessor (std::move (name), params, false)
{
}

//==============================================================================
StripNode::StripNode (float level, float pan, bool withPan)
    : NodeProcessor ("Strip", stripParameters (level, pan), false), hasPan (withPan)
{
}

void StripNode::prepareNode (double sampleRate, int)
{
    muteGain.reset (sampleRate, smoothingSeconds);
    muteGain.setCurrentAndTargetValue (muted ? 0.0f : 1.0f);
}

void StripNode::setMuted (bool shouldMute) noexcept
{
    muted = shouldMute;
    muteGain.setTargetValue (muted ? 0.0f : 1.0f);
}

void StripNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    const int n = buffer.getNumSamples();
    auto* left = buffer.getWritePointer (0);
    auto* right = buffer.getNumChannels() > 1 ? buffer.getWritePointer (1) : nullptr;
    if (! isSmoothing (0) && ! (hasPan && isSmoothing (1)) && ! muteGain.isSmoothing())
    {
        // Nothing moves (most blocks): the per-sample loop below would compute these same two gains
        // for every sample, so multiplying by them gives the very same samples, vectorised.
        const float g = nextValue (0) * muteGain.getNextValue();
        const float pan = hasPan ? nextValue (1) : 0.0f;
        juce::FloatVectorOperations::multiply (left, g * juce::jmin (1.0f, 1.0f - pan), n);
        if (right != nullptr)
            juce::FloatVectorOperations::multiply (right, g * juce::jmin (1.0f, 1.0f + pan), n);
        return;
    }
    for (int i = 0; i < n; ++i)
    {
        const float g = nextValue (0) * muteGain.getNextValue();
        const float pan = hasPan ? nextValue (1) : 0.0f;
        // Balance law: the centre is unity, turning one way only attenuates the other side.
        left[i] *= g * juce::jmin (1.0f, 1.0f - pan);
        if (right != nullptr)
            right[i] *= g * juce::jmin (1.0f, 1.0f + pan);
    }
}

//==============================================================================
SafetyLimiterNode::SafetyLimiterNode()
    : NodeProcessor ("Safety limiter", {}, false) {}

void SafetyLimiterNode::prepareNode (double sampleRate, int)
{
    gain = 1.0f;
    releaseCoefficient = (float) std::exp (-1.0 / (0.05 * sampleRate)); // 50 ms back to unity
}

void SafetyLimiterNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    const int n = buffer.getNumSamples();
    const int channels = buffer.getNumChannels();
    for (int i = 0; i < n; ++i)
    {
        float peak = 0.0f;
        for (int c = 0; c < channels; ++c)
        {
            auto& s = buffer.getWritePointer (c)[i];
            if (! std::isfinite (s))
                s = 0.0f;
            peak = juce::jmax (peak, std::abs (s));
        }
        // Instant attack (never above what this sample allows), exponential release towards unity.
        const float allowed = peak > ceiling ? ceiling / peak : 1.0f;
        gain = juce::jmin (allowed, 1.0f - (1.0f - gain) * releaseCoefficient);
        for (int c = 0; c < channels; ++c)
            buffer.getWritePointer (c)[i] *= gain;
    }
}

} // namespace imbolc::engine
