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
        Param param { p.minValue, p.maxValue, juce::jlimit (p.minValue, p.maxValue, p.value), {} };
        param.smoothed.setCurrentAndTargetValue (param.target);
        params.push_back (param);
    }
}

NodeProcessor::~NodeProcessor() = default;

void NodeProcessor::setParameterTarget (int index, float value) noexcept
{
    if (! juce::isPositiveAndBelow (index, (int) params.size()) || ! std::isfinite (value))
        return;
    auto& p = params[(std::size_t) index];
    p.target = juce::jlimit (p.minValue, p.maxValue, value);
    p.smoothed.setTargetValue (p.target);
}

float NodeProcessor::getParameterTarget (int index) const noexcept
{
    return juce::isPositiveAndBelow (index, (int) params.size()) ? params[(std::size_t) index].target : 0.0f;
}

void NodeProcessor::prepareToPlay (double sampleRate, int maximumExpectedSamplesPerBlock)
{
    currentSampleRate = sampleRate > 0.0 ? sampleRate : 48000.0;
    setRateAndBufferSizeDetails (currentSampleRate, maximumExpectedSamplesPerBlock);
    for (auto& p : params)
    {
        p.smoothed.reset (currentSampleRate, smoothingSeconds);
        p.smoothed.setCurrentAndTargetValue (p.target);
    }
    prepareNode (currentSampleRate, maximumExpectedSamplesPerBlock);
}

void NodeProcessor::processBlock (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi)
{
    processNode (buffer, midi);
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
        setParameterTarget (i, v);
        params[(std::size_t) i].smoothed.setCurrentAndTargetValue (params[(std::size_t) i].target);
    }
}

} // namespace imbolc::engine
