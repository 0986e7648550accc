namespace imbolc::engine
{

namespace
{
    /** A source's node parameters: the plugin's, then the amp envelope's four (see NodeFactory). */
    std::vector<model::Parameter> pluginNodeParameters (const std::vector<model::Parameter>& pluginParams, bool isSource)
    {
        return isSource ? withAmpPlaceholders (pluginParams) : pluginParams;
    }

    bool isSteppedParameter (const juce::AudioProcessorParameter& p)
    {
        const int steps = p.getNumSteps();
        return p.isBoolean() || (p.isDiscrete() && steps > 1 && steps < juce::AudioProcessor::getDefaultNumParameterSteps());
    }
} // namespace

PluginNode::PluginNode (std::unique_ptr<juce::AudioPluginInstance> plugin, model::PluginRef pluginRef, const std::vector<model::Parameter>& pluginParams, bool isSource)
    : HostedPluginNode (plugin->getName(), pluginNodeParameters (pluginParams, isSource), isSource)
    , instance (std::move (plugin))
    , ref (std::move (pluginRef))
    , isSourceNode (isSource)
{
    const auto& all = instance->getParameters();
    const int count = juce::jmin ((int) pluginParams.size(), all.size());
    mapped.resize ((std::size_t) count);
    for (int i = 0; i < count; ++i)
    {
        mapped[(std::size_t) i].parameter = all[i];
        mapped[(std::size_t) i].stepped = isSteppedParameter (*all[i]);
    }
    chooseBusLayout();
    latency.samples.store (instance->getLatencySamples(), std::memory_order_relaxed);
    instance->addListener (&latency);
}

PluginNode::~PluginNode()
{
    instance->releaseResources();
    instance->removeListener (&latency);
}

void PluginNode::chooseBusLayout()
{
    // An LV2 plugin's channels are its audio ports, fixed by its description; JUCE's LV2 host accepts
    // any channel count for ports without a port group, but only ever connects the ports that exist.
    // So only VST3 plugins are asked for stereo.
    const auto current = instance->getBusesLayout();
    auto wanted = current;
    if (instance->getPluginDescription().pluginFormatName == juce::VST3PluginFormat::getFormatName())
    {
        if (! wanted.outputBuses.isEmpty())
            wanted.outputBuses.getReference (0) = juce::AudioChannelSet::stereo();
        if (! isSourceNode && ! wanted.inputBuses.isEmpty())
            wanted.inputBuses.getReference (0) = juce::AudioChannelSet::stereo();
    }
    // A plugin that refuses stereo keeps the layout it declared; processNode maps its channels.
    if (wanted != current)
        instance->setBusesLayout (wanted);

    mainIns = instance->getMainBusNumInputChannels();
    mainOuts = instance->getMainBusNumOutputChannels();
    const int totalIns = instance->getTotalNumInputChannels(), totalOuts = instance->getTotalNumOutputChannels();
    inPlace = totalOuts == 2 && mainOuts == 2 && (isSourceNode ? totalIns == 0 : (totalIns == 2 && mainIns == 2));
}

void PluginNode::prepareNode (double sampleRate, int maximumBlockSize)
{
    instance->setPlayHead (nullptr);
    instance->setNonRealtime (false);
    instance->prepareToPlay (sampleRate, maximumBlockSize);

    const int channels = juce::jmax (2, instance->getTotalNumInputChannels(), instance->getTotalNumOutputChannels());
    scratch.setSize (channels, maximumBlockSize);
    scratch.clear();
    midi.ensureSize ((std::size_t) midiCapacityBytes);
    midi.clear();

    // The model's values win over whatever the plugin's state said (the model is what the user and
    // automation set last); values the plugin already has are left alone, so nothing jitters.
    for (int i = 0; i < (int) mapped.size(); ++i)
    {
        auto& m = mapped[(std::size_t) i];
        const float v = getParameterValue (i);
        if (std::abs (m.parameter->getValue() - v) > 1.0e-6f)
            m.parameter->setValue (v);
        m.lastSent = v;
    }

    // One block of silence here, on the message thread, so that whatever the format host grows on its
    // first process call (JUCE's VST3 host grows its event list and bus pointer vectors) is grown now,
    // not on the audio thread. An instrument also gets a note-off for every key, the most events a
    // block is likely to bring, and harmless to a synth that plays nothing yet.
    juce::MidiBuffer warmUp;
    if (instance->acceptsMidi())
        for (int note = 0; note < 128; ++note)
            warmUp.addEvent (juce::MidiMessage::noteOff (1, note), 0);
    juce::AudioBuffer<float> view (scratch.getArrayOfWritePointers(), channels, maximumBlockSize);
    instance->processBlock (view, warmUp);
    scratch.clear();
    // Prepared and run once on this thread: an LV2 plugin's latency port has been read by now.
    latency.samples.store (instance->getLatencySamples(), std::memory_order_relaxed);
}

void PluginNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& chainMidi) noexcept
{
    const int n = buffer.getNumSamples();

    // Block-rate parameters: the plugin formats' setValue takes one value per block (JUCE's hosts send
    // it ahead of the block), so a ramp reaches the plugin in block-sized steps.
    for (int i = 0; i < (int) mapped.size(); ++i)
    {
        auto& m = mapped[(std::size_t) i];
        const float value = skipValue (i, n);
        const float send = m.stepped ? getParameterTarget (i) : value;
        if (send != m.lastSent)
        {
            m.parameter->setValue (send);
            m.lastSent = send;
        }
    }

    // An instrument takes the chain's MIDI (which the chain clears after the block); an effect gets an
    // empty buffer of its own, so MIDI a plugin writes back never lands in a buffer shared by stages.
    auto& events = isSourceNode ? chainMidi : midi;

    if (inPlace)
    {
        instance->processBlock (buffer, events);
        midi.clear();
        return;
    }

    const int channels = scratch.getNumChannels();
    for (int c = 0; c < channels; ++c)
        juce::FloatVectorOperations::clear (scratch.getWritePointer (c), n);
    const auto* inL = buffer.getReadPointer (0);
    const auto* inR = buffer.getReadPointer (1);
    if (! isSourceNode && mainIns >= 2)
    {
        juce::FloatVectorOperations::copy (scratch.getWritePointer (0), inL, n);
        juce::FloatVectorOperations::copy (scratch.getWritePointer (1), inR, n);
    }
    else if (! isSourceNode && mainIns == 1)
    {
        auto* mono = scratch.getWritePointer (0);
        juce::FloatVectorOperations::copy (mono, inL, n);
        juce::FloatVectorOperations::add (mono, inR, n);
        juce::FloatVectorOperations::multiply (mono, 0.5f, n);
    }

    juce::AudioBuffer<float> view (scratch.getArrayOfWritePointers(), channels, n);
    instance->processBlock (view, events);
    midi.clear();

    if (mainOuts >= 2)
    {
        buffer.copyFrom (0, 0, scratch, 0, 0, n);
        buffer.copyFrom (1, 0, scratch, 1, 0, n);
    }
    else if (mainOuts == 1)
    {
        buffer.copyFrom (0, 0, scratch, 0, 0, n);
        buffer.copyFrom (1, 0, scratch, 0, 0, n);
    }
    else if (isSourceNode)
    {
        buffer.clear (0, n); // an instrument with no audio output is silent; an effect without one passes through
    }
}

std::vector<std::uint8_t> PluginNode::captureState()
{
    return PluginHost::captureState (*instance);
}

} // namespace imbolc::engine
