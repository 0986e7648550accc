namespace imbolc::engine
{

//==============================================================================
void ChainFade::startIn() noexcept
{
    out = false;
    gain = 0.0f;
    remaining = length;
    step = 1.0f / (float) length;
}

void ChainFade::startOut() noexcept
{
    if (out)
        return;
    out = true;
    // Fades down from wherever a fade-in had got to, so a quick add-then-delete never jumps.
    remaining = juce::jmax (1, (int) std::ceil (gain * (float) length));
    step = -gain / (float) remaining;
}

void ChainFade::apply (juce::AudioBuffer<float>& b, int n) noexcept
{
    if (remaining == 0)
    {
        if (out)
            b.clear (0, n);
        return;
    }
    const int channels = b.getNumChannels();
    for (int i = 0; i < n; ++i)
    {
        if (remaining > 0)
        {
            gain += step;
            if (--remaining == 0)
                gain = out ? 0.0f : 1.0f;
        }
        for (int c = 0; c < channels; ++c)
            b.getWritePointer (c)[i] *= gain;
    }
}

//==============================================================================
ChainBase::ChainBase (std::uint32_t s, std::vector<StageSlot> st, std::unique_ptr<StripNode> str)
    : serial (s), stages (std::move (st)), strip (std::move (str))
{
    jassert (strip != nullptr);
}

ChainBase::~ChainBase() = default;

void ChainBase::prepare (double sampleRate, int maxBlockSize, int fadeSamples)
{
    buffer.setSize (2, maxBlockSize);
    dry.setSize (2, maxBlockSize);
    buffer.clear();
    dry.clear();
    noMidi.ensureSize (16);
    fade.setLength (fadeSamples);
    for (auto& s : stages)
    {
        s.node->setPlayConfigDetails (2, 2, sampleRate, maxBlockSize);
        s.node->prepareToPlay (sampleRate, maxBlockSize);
        s.wet.reset (sampleRate, NodeProcessor::smoothingSeconds);
        s.wet.setCurrentAndTargetValue (s.bypassed ? 0.0f : 1.0f);
    }
    strip->setPlayConfigDetails (2, 2, sampleRate, maxBlockSize);
    strip->prepareToPlay (sampleRate, maxBlockSize);
}

NodeProcessor* ChainBase::getNode (int index) noexcept
{
    if (index >= 1 && index <= (int) stages.size())
        return stages[(std::size_t) index - 1].node.get();
    if (index == (int) stages.size() + 1)
        return strip.get();
    return nullptr;
}

void ChainBase::setBypass (int nodeIndex, bool bypassed) noexcept
{
    if (nodeIndex < 1 || nodeIndex > (int) stages.size())
        return;
    auto& s = stages[(std::size_t) nodeIndex - 1];
    s.bypassed = bypassed;
    s.wet.setTargetValue (bypassed ? 0.0f : 1.0f);
}

std::pair<float, float> ChainBase::takePeaks() noexcept
{
    const auto peaks = std::make_pair (peakLeft, peakRight);
    peakLeft = peakRight = 0.0f;
    return peaks;
}

void ChainBase::processStagesAndStrip (juce::AudioBuffer<float>& work, juce::AudioBuffer<float>& dryScratch, int n) noexcept
{
    auto& buffer = work;
    auto& dry = dryScratch;
    auto block = view (buffer, n);
    for (auto& s : stages)
    {
        if (! s.wet.isSmoothing())
        {
            if (s.bypassed)
                continue; // fully bypassed: the stage does not run (its tail waits until it is back)
            s.node->processBlock (block, noMidi);
            continue;
        }
        // Crossfading between dry and processed while the bypass switch ramps.
        for (int c = 0; c < 2; ++c)
            dry.copyFrom (c, 0, buffer, c, 0, n);
        s.node->processBlock (block, noMidi);
        for (int i = 0; i < n; ++i)
        {
            const float w = s.wet.getNextValue();
            for (int c = 0; c < 2; ++c)
            {
                auto* out = buffer.getWritePointer (c);
                out[i] = dry.getSample (c, i) + w * (out[i] - dry.getSample (c, i));
            }
        }
    }
    strip->processBlock (block, noMidi);
    fade.apply (buffer, n);
    peakLeft = juce::jmax (peakLeft, buffer.getMagnitude (0, 0, n));
    peakRight = juce::jmax (peakRight, buffer.getMagnitude (1, 0, n));
}

//==============================================================================
InstrumentChain::InstrumentChain (model::InstrumentId instrument, std::uint32_t s, std::unique_ptr<NodeProcessor> src, std::vector<StageSlot> st, std::unique_ptr<StripNode> str, const RoutingSpec& routing)
    : ChainBase (s, std::move (st), std::move (str)), id (instrument), source (std::move (src))
{
    jassert (source != nullptr);
    setRouting (routing);
    for (int i = 0; i < numSends; ++i)
        sends[(std::size_t) i].level.setCurrentAndTargetValue (routing.sends[(std::size_t) i].level);
}

InstrumentChain::~InstrumentChain()
{
    if (auto* hook = onDestroyed.load())
        hook (std::this_thread::get_id());
}

void InstrumentChain::prepare (double rate, int maxBlockSize, int fadeSamples)
{
    ChainBase::prepare (rate, maxBlockSize, fadeSamples);
    sampleRate = rate;
    source->setPlayConfigDetails (0, 2, rate, maxBlockSize);
    source->prepareToPlay (rate, maxBlockSize);
    // Room for far more events than one block can carry, so adding one never allocates.
    midi.ensureSize ((std::size_t) midiCapacityBytes);
    midi.clear();
    for (auto& s : sends)
    {
        const auto target = s.level.getTargetValue();
        s.level.reset (rate, NodeProcessor::smoothingSeconds);
        s.level.setCurrentAndTargetValue (target);
    }
}

NodeProcessor* InstrumentChain::getNode (int index) noexcept
{
    return index == 0 ? source.get() : ChainBase::getNode (index);
}

void InstrumentChain::addMidi (const juce::uint8* data, int numBytes) noexcept
{
    // Dropped rather than grown if a flood ever exceeds the reserved space (8 KiB of events per block).
    if (midi.data.size() + numBytes + (int) sizeof (std::int32_t) + (int) sizeof (std::uint16_t) <= midiCapacityBytes)
        midi.addEvent (data, numBytes, 0);
}

void InstrumentChain::setRouting (const RoutingSpec& r) noexcept
{
    outputBusSlot = r.outputBusSlot;
    std::array<Send, (std::size_t) RoutingSpec::maxSends> next;
    const int count = juce::jlimit (0, RoutingSpec::maxSends, r.numSends);
    hasPreSends = false;
    for (int i = 0; i < count; ++i)
    {
        const auto& spec = r.sends[(std::size_t) i];
        auto& s = next[(std::size_t) i];
        s.busSlot = spec.busSlot;
        s.busId = spec.busId;
        s.preInsert = spec.preInsert;
        hasPreSends = hasPreSends || spec.preInsert;
        s.level.reset (sampleRate, NodeProcessor::smoothingSeconds);
        s.level.setCurrentAndTargetValue (0.0f);
        for (int j = 0; j < numSends; ++j)
            if (sends[(std::size_t) j].busId == spec.busId)
                s.level.setCurrentAndTargetValue (sends[(std::size_t) j].level.getCurrentValue());
        s.level.setTargetValue (spec.level);
    }
    sends = next;
    numSends = count;
}

void InstrumentChain::setSendLevel (int sendIndex, float level) noexcept
{
    if (juce::isPositiveAndBelow (sendIndex, numSends) && std::isfinite (level))
        sends[(std::size_t) sendIndex].level.setTargetValue (juce::jlimit (0.0f, 2.0f, level));
}

void InstrumentChain::render (RenderWorkspace& ws, int n) noexcept
{
    if (! source->writesEveryOutputSample())
        ws.main.clear (0, n);
    auto block = view (ws.main, n);
    source->processBlock (block, midi);
    midi.clear();
    if (hasPreSends)
    {
        for (int c = 0; c < 2; ++c)
            ws.preTap.copyFrom (c, 0, ws.main, c, 0, n);
        // Pre-insert sends fade with the chain too, so a deleted instrument never clicks on a bus. The
        // fade advances once per block (in processStagesAndStrip); a copy gives the tap the same ramp.
        auto tap = view (ws.preTap, n);
        ChainFade copy = fade;
        copy.apply (tap, n);
    }
    processStagesAndStrip (ws.main, ws.dry, n);
}

void InstrumentChain::mixInto (const RenderWorkspace& ws, juce::AudioBuffer<float>& master, juce::AudioBuffer<float>* const* busInputs, int numBusSlots, int n) noexcept
{
    auto* target = &master;
    if (juce::isPositiveAndBelow (outputBusSlot, numBusSlots) && busInputs[outputBusSlot] != nullptr)
        target = busInputs[outputBusSlot];
    for (int c = 0; c < 2; ++c)
        target->addFrom (c, 0, ws.main, c, 0, n);

    for (int i = 0; i < numSends; ++i)
    {
        auto& s = sends[(std::size_t) i];
        const float start = s.level.getCurrentValue();
        const float end = s.level.skip (n);
        if (! juce::isPositiveAndBelow (s.busSlot, numBusSlots) || busInputs[s.busSlot] == nullptr || (start == 0.0f && end == 0.0f))
            continue;
        const auto& from = s.preInsert ? ws.preTap : ws.main;
        for (int c = 0; c < 2; ++c)
            busInputs[s.busSlot]->addFromWithRamp (c, 0, from.getReadPointer (c), n, start, end);
    }
}

//==============================================================================
BusChain::BusChain (model::BusId bus, std::uint32_t s, std::vector<StageSlot> st, std::unique_ptr<StripNode> str)
    : ChainBase (s, std::move (st), std::move (str)), id (bus)
{
}

void BusChain::render (const juce::AudioBuffer<float>& input, int n) noexcept
{
    for (int c = 0; c < 2; ++c)
        buffer.copyFrom (c, 0, input, c, 0, n);
    processStagesAndStrip (buffer, dry, n);
}

//==============================================================================
MasterChain::MasterChain (std::uint32_t s, std::vector<StageSlot> st, std::unique_ptr<StripNode> str)
    : ChainBase (s, std::move (st), std::move (str))
{
}

void MasterChain::render (const juce::AudioBuffer<float>& input, int n) noexcept
{
    for (int c = 0; c < 2; ++c)
        buffer.copyFrom (c, 0, input, c, 0, n);
    processStagesAndStrip (buffer, dry, n);
}

} // namespace imbolc::engine
