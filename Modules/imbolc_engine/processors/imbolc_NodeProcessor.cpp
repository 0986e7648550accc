namespace imbolc::engine
{

NodeProcessor::NodeProcessor (juce::String nodeName, const std::vector<model::Parameter>& modelParams, bool isSource)
    : juce::AudioProcessor (BusesProperties()
                                .withInput ("Input", juce::AudioChannelSet::stereo(), ! isSource)
                                .withOutput ("Output", juce::AudioChannelSet::stereo(), true))
    , name (std::move (nodeName))
    , source (isSource)
{
    params.reserve (modelParams.size());
    for (const auto& p : modelParams)
    {
        Param param { p.minValue, p.maxValue, juce::jlimit (p.minValue, p.maxValue, p.value) };
        param.current = param.target;
        params.push_back (param);
    }
}

NodeProcessor::~NodeProcessor() = default;

std::vector<model::Parameter> withAmpPlaceholders (std::vector<model::Parameter> params)
{
    for (const char* name : { "attack", "decay", "sustain", "release" })
        params.push_back ({ name, 0.0f, 0.0f, 20.0f, 0.0f });
    return params;
}

void NodeProcessor::setParameterTarget (int index, float value) noexcept
{
    if (! juce::isPositiveAndBelow (index, (int) params.size()) || ! std::isfinite (value))
        return;
    auto& p = params[(std::size_t) index];
    const auto v = juce::jlimit (p.minValue, p.maxValue, value);
    if (v != p.target || p.remaining > 0)
        p.rampTo (v, smoothingSamples);
}

void NodeProcessor::setParameterRamp (int index, float value, int samples) noexcept
{
    if (! juce::isPositiveAndBelow (index, (int) params.size()) || ! std::isfinite (value))
        return;
    auto& p = params[(std::size_t) index];
    p.rampTo (juce::jlimit (p.minValue, p.maxValue, value), samples);
}

void NodeProcessor::setParameterModulation (int index, float offset, int samples) noexcept
{
    if (! juce::isPositiveAndBelow (index, (int) params.size()) || ! std::isfinite (offset))
        return;
    auto& p = params[(std::size_t) index];
    p.modTarget = offset;
    p.modRemaining = juce::jmax (0, samples);
    if (p.modRemaining == 0)
        p.modulation = offset;
    else
        p.modStep = (offset - p.modulation) / (float) p.modRemaining;
}

float NodeProcessor::getParameterValue (int index) const noexcept
{
    return juce::isPositiveAndBelow (index, (int) params.size()) ? params[(std::size_t) index].value() : 0.0f;
}

juce::Range<float> NodeProcessor::getParameterRange (int index) const noexcept
{
    if (! juce::isPositiveAndBelow (index, (int) params.size()))
        return {};
    return { params[(std::size_t) index].minValue, params[(std::size_t) index].maxValue };
}

float NodeProcessor::getParameterTarget (int index) const noexcept
{
    return juce::isPositiveAndBelow (index, (int) params.size()) ? params[(std::size_t) index].target : 0.0f;
}

void NodeProcessor::prepareToPlay (double sampleRate, int maximumExpectedSamplesPerBlock)
{
    currentSampleRate = sampleRate > 0.0 ? sampleRate : 48000.0;
    setRateAndBufferSizeDetails (currentSampleRate, maximumExpectedSamplesPerBlock);
    smoothingSamples = juce::jmax (1, juce::roundToInt (currentSampleRate * smoothingSeconds));
    for (auto& p : params)
        p.rampTo (p.target, 0);
    resting = false;
    prepareNode (currentSampleRate, maximumExpectedSamplesPerBlock);
    // Read on the thread that set it (prepareNode's), so readers elsewhere never touch the plain int.
    publishedLatency.store (getLatencySamples(), std::memory_order_relaxed);
}

void NodeProcessor::processBlock (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi)
{
    resting = false; // whatever came in may have woken it
    processNode (buffer, midi);
}

bool NodeProcessor::processSilence (int numSamples) noexcept
{
    // Asked once per stretch of rest: while it rests, skipped blocks keep it at rest, so the check
    // (a scan of a reverb's lines, say) is not repeated every block.
    if (! resting)
        resting = isAtRest();
    if (resting && numSamples > 0)
        advanceAtRest (numSamples);
    return resting;
}

bool NodeProcessor::isPositiveZero (const float* x, int n) noexcept
{
    // Sixteen at a time, OR-ed as bits (vectorises), so a block that is not silent is found early.
    int i = 0;
    for (; i + 16 <= n; i += 16)
    {
        std::uint32_t bits = 0;
        for (int j = 0; j < 16; ++j)
            bits |= std::bit_cast<std::uint32_t> (x[i + j]);
        if (bits != 0)
            return false;
    }
    std::uint32_t bits = 0;
    for (; i < n; ++i)
        bits |= std::bit_cast<std::uint32_t> (x[i]);
    return bits == 0;
}

bool NodeProcessor::isExactSilence (const juce::AudioBuffer<float>& buffer, int numSamples) noexcept
{
    for (int c = 0; c < buffer.getNumChannels(); ++c)
        if (! isPositiveZero (buffer.getReadPointer (c), numSamples))
            return false;
    return true;
}

void NodeProcessor::getStateInformation (juce::MemoryBlock& block)
{
    // Parameter targets as little-endian floats: enough for a built-in node to round-trip through a
    // host that saves processor state (the session file stores them in the model, not here).
    juce::MemoryOutputStream out (block, false);
    for (const auto& p : params)
        out.writeFloat (p.target);
}

void NodeProcessor::setStateInformation (const void* data, int sizeInBytes)
{
    juce::MemoryInputStream in (data, (std::size_t) juce::jmax (0, sizeInBytes), false);
    for (int i = 0; i < (int) params.size() && in.getNumBytesRemaining() >= 4; ++i)
    {
        const auto v = in.readFloat();
        setParameterRamp (i, v, 0);
    }
}

} // namespace imbolc::engine
