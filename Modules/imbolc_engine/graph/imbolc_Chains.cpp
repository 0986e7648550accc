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
    for (auto& line : compensation)
    {
        line.setFadeLength (fadeSamples);
        line.reset();
    }
    silentSamples = 0;
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

bool ChainBase::isFinished() const noexcept
{
    if (! fade.isFinished())
        return false;
    // Summed: a bus's two lines run one after the other on its way to a direct output (an
    // instrument's run side by side, so this waits a little longer than it must).
    int longest = 0;
    for (const auto& line : compensation)
        longest += line.getTargetDelay();
    return silentSamples >= longest;
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
    // A stage at rest given exact silence gives it back unchanged (NodeProcessor::processSilence): the
    // silent stretches of a song cost its chains next to nothing, and the output stays bit for bit.
    const bool mayRest = isRestingAllowed();
    bool silent = mayRest && NodeProcessor::isExactSilence (block, n);
    for (auto& s : stages)
    {
        if (! s.wet.isSmoothing())
        {
            if (s.bypassed)
                continue; // fully bypassed: the stage does not run (its tail waits until it is back)
            if (silent && s.node->processSilence (n))
                continue;
            s.node->processBlock (block, noMidi);
            silent = mayRest && NodeProcessor::isExactSilence (block, n); // a tail ended, or still rings
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
        silent = mayRest && NodeProcessor::isExactSilence (block, n);
    }
    strip->processBlock (block, noMidi);
    fade.apply (buffer, n);
    peakLeft = juce::jmax (peakLeft, buffer.getMagnitude (0, 0, n));
    peakRight = juce::jmax (peakRight, buffer.getMagnitude (1, 0, n));
}

//==============================================================================
InstrumentChain::InstrumentChain (model::InstrumentId instrument, std::uint32_t s, std::unique_ptr<NodeProcessor> src, std::vector<StageSlot> st, std::unique_ptr<StripNode> str, const RoutingSpec& routing, std::unique_ptr<InstrumentSequence> seq)
    : ChainBase (s, std::move (st), std::move (str)), id (instrument), source (std::move (src)), sequence (std::move (seq))
{
    jassert (source != nullptr);
    external = dynamic_cast<ExternalSourceNode*> (source.get());
    soundingEnd.fill (-1.0);
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
    // The source's voices restart on prepare, so nothing the sequencer started is sounding any more.
    soundingEnd.fill (-1.0);
    numSounding = 0;
    lfoPhase = 0.0;
    numExternalSent = 0; // an external renderer gets every driven value again
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

void InstrumentChain::addMidi (const juce::uint8* data, int numBytes, int samplePosition) noexcept
{
    // Dropped rather than grown if a flood ever exceeds the reserved space (8 KiB of events per block).
    if (midi.data.size() + numBytes + (int) sizeof (std::int32_t) + (int) sizeof (std::uint16_t) <= midiCapacityBytes)
        midi.addEvent (data, numBytes, juce::jmax (0, samplePosition));
}

InstrumentSequence* InstrumentChain::exchangeSequence (InstrumentSequence* next) noexcept
{
    auto* old = sequence.release();
    sequence.reset (next);
    return old;
}

void InstrumentChain::sendMidiOutput (MidiOutQueue& out, std::int64_t chunkStart) noexcept
{
    if (midiOutputChannel <= 0)
        return;
    const auto channel = (std::uint8_t) (midiOutputChannel - 1);
    for (const auto m : midi)
    {
        // Channel voice messages only (nothing else reaches a chain's MIDI), moved to the output channel.
        if (m.numBytes < 2 || m.numBytes > 3 || m.data[0] < 0x80 || m.data[0] >= 0xf0)
            continue;
        const auto type = (std::uint8_t) (m.data[0] & 0xf0);
        const std::uint8_t bytes[3] = { (std::uint8_t) (type | channel), (std::uint8_t) (m.data[1] & 0x7f), (std::uint8_t) (m.numBytes == 3 ? m.data[2] & 0x7f : 0) };
        if (m.numBytes == 3 && (type == 0x80 || type == 0x90))
        {
            const auto bit = std::uint64_t { 1 } << (bytes[1] & 63);
            auto& word = midiOutputHeld[(std::size_t) (bytes[1] >> 6)];
            word = type == 0x90 && bytes[2] > 0 ? (word | bit) : (word & ~bit);
        }
        else if (m.numBytes == 3 && type == 0xb0 && (bytes[1] == 120 || bytes[1] == 123))
        {
            midiOutputHeld = {};
        }
        out.push (chunkStart + m.samplePosition, bytes, m.numBytes);
    }
}

void InstrumentChain::endMidiOutput (MidiOutQueue& out, std::int64_t sampleTime) noexcept
{
    if (midiOutputChannel <= 0)
        return;
    const auto channel = (std::uint8_t) (midiOutputChannel - 1);
    for (int p = 0; p < 128; ++p)
        if ((midiOutputHeld[(std::size_t) (p >> 6)] & (std::uint64_t { 1 } << (p & 63))) != 0)
        {
            const std::uint8_t off[3] = { (std::uint8_t) (0x80 | channel), (std::uint8_t) p, 64 };
            out.push (sampleTime, off, 3);
        }
    midiOutputHeld = {};
}

void InstrumentChain::sendNote (bool on, int pitch, int velocity, int samplePosition) noexcept
{
    const juce::uint8 bytes[3] = { (juce::uint8) (on ? 0x90 : 0x80), (juce::uint8) pitch, (juce::uint8) (on ? juce::jlimit (1, 127, velocity) : 64) };
    addMidi (bytes, 3, samplePosition);
}

void InstrumentChain::releaseSequenced (int samplePosition) noexcept
{
    for (int p = 0; p < 128 && numSounding > 0; ++p)
        if (soundingEnd[(std::size_t) p] >= 0.0)
        {
            sendNote (false, p, 0, samplePosition);
            soundingEnd[(std::size_t) p] = -1.0;
            --numSounding;
        }
    numSounding = 0;
}

void InstrumentChain::setLfo (const LfoSettings& next) noexcept
{
    if (lfo.enabled && (! next.enabled || next.node != lfo.node || next.index != lfo.index))
    {
        if (auto* node = getNode (lfo.node))
            node->setParameterModulation (lfo.index, 0.0f, 0);
        lfoRestore = { lfo.node, lfo.index }; // an external renderer is told too (publishExternalParams)
    }
    lfo = next;
    lfoOffset = 0.0f;
}

namespace
{
    /** The sample (within its span) at which a tick falls: the first sample at or after it. */
    float lfoShapeValue (model::LfoShape shape, double phase) noexcept
    {
        const auto p = (float) phase;
        switch (shape)
        {
            case model::LfoShape::sine:
                return std::sin (p * juce::MathConstants<float>::twoPi);
            case model::LfoShape::square:
                return p < 0.5f ? 1.0f : -1.0f;
            case model::LfoShape::saw:
                return 2.0f * p - 1.0f;
            case model::LfoShape::triangle:
                return 1.0f - 4.0f * std::abs (p - 0.5f);
        }
        return 0.0f;
    }
} // namespace

void InstrumentChain::startSequenced (const SequencedNote& note, double tickOffset, int samplePosition) noexcept
{
    auto& end = soundingEnd[note.pitch];
    if (end >= 0.0)
        sendNote (false, note.pitch, 0, samplePosition); // same pitch again: retrigger
    else
        ++numSounding;
    sendNote (true, note.pitch, note.velocity, samplePosition);
    end = note.endTick + tickOffset;
    ++sequencedNotes;
}

void InstrumentChain::schedulePattern (const BlockPlan::Span& span) noexcept
{
    // The pattern holds one cycle; the span may cover the end of one cycle and the start of the next
    // (or, at a very low tempo and a large block, several). Each cycle's steps are found by binary
    // search, offset by the cycle's start: nothing is allocated or copied.
    const auto& pattern = sequence->pattern;
    const auto period = sequence->patternTicks;
    if (pattern.empty() || period <= 0.0)
        return;
    const auto from = span.startTick - 1.0e-6 * span.ticksPerSample;
    const auto spanEnd = span.startTick + span.length * span.ticksPerSample;
    for (auto cycle = std::floor (from / period); cycle * period < spanEnd; cycle += 1.0)
    {
        const auto base = cycle * period;
        const auto pass = patternPass (span.pass, (std::int64_t) cycle);
        auto it = std::lower_bound (pattern.begin(), pattern.end(), from - base, [] (const SequencedNote& note, double t)
                                    { return note.tick < t; });
        for (; it != pattern.end(); ++it)
        {
            const int at = span.sampleAt (base + it->tick);
            if (at >= span.length)
                return; // later cycles start later still
            if (notePasses (*it, pass))
                startSequenced (*it, base, span.offset + juce::jmax (0, at));
        }
    }
}

void InstrumentChain::schedule (const BlockPlan& plan, int n) noexcept
{
    if (plan.releaseAll && numSounding > 0)
        releaseSequenced (0);

    if (plan.playing && sequence != nullptr)
    {
        const auto& notes = sequence->notes;
        for (int s = 0; s < plan.numSpans; ++s)
        {
            const auto& span = plan.spans[(std::size_t) s];
            if (span.releaseFirst && numSounding > 0)
                releaseSequenced (span.offset);

            // Binary search for the first note of the span, then walk while notes fall inside it.
            const auto from = span.startTick - 1.0e-6 * span.ticksPerSample;
            auto it = std::lower_bound (notes.begin(), notes.end(), from, [] (const SequencedNote& note, double t)
                                        { return note.tick < t; });
            for (; it != notes.end(); ++it)
            {
                const int at = span.sampleAt (it->tick);
                if (at >= span.length)
                    break;
                if (notePasses (*it, span.pass))
                    startSequenced (*it, 0.0, span.offset + juce::jmax (0, at));
            }
            schedulePattern (span);

            // Note-offs come from what is sounding, not from the sequence, so replacing the sequence
            // (a note edit mid-play) never strands a note.
            const auto spanEnd = span.startTick + span.length * span.ticksPerSample;
            for (int p = 0; p < 128 && numSounding > 0; ++p)
            {
                auto& end = soundingEnd[(std::size_t) p];
                if (end < 0.0 || end >= spanEnd)
                    continue;
                if (const int at = span.sampleAt (end); at < span.length)
                {
                    sendNote (false, p, 0, span.offset + juce::jmax (0, at));
                    end = -1.0;
                    --numSounding;
                }
            }
        }

        for (const auto& lane : sequence->lanes)
            if (auto v = lane.points.valueAtTick (plan.endTick))
            {
                if (lane.kind == ParamLane::Kind::sendLevel)
                    setSendLevel (lane.index, *v);
                else if (auto* node = getNode (lane.node))
                    node->setParameterRamp (lane.index, *v, n);
            }
    }

    if (lfo.enabled)
        if (auto* node = getNode (lfo.node))
        {
            lfoPhase += (double) n * (double) lfo.rate / sampleRate;
            lfoPhase -= std::floor (lfoPhase);
            const auto range = node->getParameterRange (lfo.index);
            const auto offset = lfoShapeValue (lfo.shape, lfoPhase) * lfo.depth * range.getLength() * 0.5f;
            node->setParameterModulation (lfo.index, offset, n);
            lfoOffset = offset;
        }

    if (external != nullptr)
        publishExternalParams (plan, n);
}

//==============================================================================
// SuperCollider-backend chains: what the lanes and the LFO set on this chain's placeholder nodes is
// sent on to the external renderer as timed parameter events, beside the chain's notes.
bool InstrumentChain::addressOf (int node, int index, ExternalParamKey& key) const noexcept
{
    key = { node, index, model::ParamGroup::source, 0, index };
    if (node == 0)
    {
        if (external == nullptr)
            return false;
        const auto sourceParams = external->getNumSourceParams();
        if (index >= sourceParams)
            key.group = model::ParamGroup::amp, key.modelIndex = index - sourceParams;
        return key.modelIndex < 4 || key.group == model::ParamGroup::source;
    }
    if (node <= (int) stages.size())
    {
        key.group = model::ParamGroup::stage;
        key.item = stages[(std::size_t) node - 1].stageId;
        return true;
    }
    if (node == (int) stages.size() + 1)
    {
        key.group = model::ParamGroup::strip;
        return true;
    }
    return false;
}

void InstrumentChain::publishExternal (const ExternalParamKey& key, float value, int offset) noexcept
{
    // One value per parameter per block at most, and only when it changed: a flat lane sends nothing.
    SentValue* memory = nullptr;
    for (int i = 0; i < numExternalSent; ++i)
        if (externalSent[(std::size_t) i].node == key.node && externalSent[(std::size_t) i].index == key.index)
            memory = &externalSent[(std::size_t) i];
    if (memory != nullptr && memory->value == value)
        return;
    if (memory == nullptr && numExternalSent < (int) externalSent.size())
    {
        memory = &externalSent[(std::size_t) numExternalSent++];
        *memory = { key.node, key.index, std::numeric_limits<float>::quiet_NaN() };
    }
    if (external->getNotes().pushParam (id, key.group, key.item, key.modelIndex, value, offset) && memory != nullptr)
        memory->value = value;
}

void InstrumentChain::publishExternalParams (const BlockPlan& plan, int n) noexcept
{
    if (external->isDetached())
        return;
    // Each value is the one the internal engine reaches at the end of this block (where the lane's
    // ramp lands), stamped on the block's last sample.
    const int last = juce::jmax (0, n - 1);
    const auto endValue = [this] (int node, int index) noexcept
    {
        auto* p = getNode (node);
        if (p == nullptr)
            return std::numeric_limits<float>::quiet_NaN();
        auto v = p->getParameterTarget (index);
        if (lfo.enabled && node == lfo.node && index == lfo.index)
            v = p->getParameterRange (index).clipValue (v + lfoOffset);
        return v;
    };

    if (plan.playing && sequence != nullptr)
        for (const auto& lane : sequence->lanes)
        {
            if (lane.kind == ParamLane::Kind::sendLevel)
            {
                if (juce::isPositiveAndBelow (lane.index, numSends))
                    if (auto v = lane.points.valueAtTick (plan.endTick))
                        publishExternal ({ -1, lane.index, model::ParamGroup::send, sends[(std::size_t) lane.index].busId, 0 }, juce::jlimit (0.0f, 2.0f, *v), last);
                continue;
            }
            if (ExternalParamKey key; addressOf (lane.node, lane.index, key))
                if (const auto v = endValue (lane.node, lane.index); std::isfinite (v))
                    publishExternal (key, v, last);
        }

    if (lfoRestore.node >= 0)
    {
        // The LFO was switched off or moved: its old target goes back to its own value.
        if (! (lfo.enabled && lfo.node == lfoRestore.node && lfo.index == lfoRestore.index))
            if (ExternalParamKey key; addressOf (lfoRestore.node, lfoRestore.index, key))
                if (auto* p = getNode (lfoRestore.node))
                    publishExternal (key, p->getParameterTarget (lfoRestore.index), 0);
        lfoRestore = {};
    }
    if (lfo.enabled)
        if (ExternalParamKey key; addressOf (lfo.node, lfo.index, key))
            if (const auto v = endValue (lfo.node, lfo.index); std::isfinite (v))
                publishExternal (key, v, last);
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

void InstrumentChain::setSendLevelNow (int sendIndex, float level) noexcept
{
    if (juce::isPositiveAndBelow (sendIndex, numSends) && std::isfinite (level))
        sends[(std::size_t) sendIndex].level.setCurrentAndTargetValue (juce::jlimit (0.0f, 2.0f, level));
}

void InstrumentChain::render (RenderWorkspace& ws, int n) noexcept
{
    const bool finishedBefore = fade.isFinished();
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
    // Delay compensation: the output and the pre-insert tap reach their summing points together with
    // the most latent instrument's (an idle line returns at once).
    compensation[0].process (ws.main, n);
    if (hasPreSends)
        compensation[1].process (ws.preTap, n);
    countSilence (finishedBefore, n);
}

void InstrumentChain::keepOutput (const RenderWorkspace& ws, int n) noexcept
{
    // ChainBase's buffer and dry are free in an instrument chain: it renders in a workspace.
    for (int c = 0; c < 2; ++c)
        buffer.copyFrom (c, 0, ws.main, c, 0, n);
    if (hasPreSends)
        for (int c = 0; c < 2; ++c)
            dry.copyFrom (c, 0, ws.preTap, c, 0, n);
}

void InstrumentChain::mixInto (const juce::AudioBuffer<float>& main, const juce::AudioBuffer<float>& preTap, juce::AudioBuffer<float>& master, juce::AudioBuffer<float>* const* busInputs, int numBusSlots, int n) noexcept
{
    auto* target = &master;
    if (juce::isPositiveAndBelow (outputBusSlot, numBusSlots) && busInputs[outputBusSlot] != nullptr)
        target = busInputs[outputBusSlot];
    for (int c = 0; c < 2; ++c)
        target->addFrom (c, 0, main, c, 0, n);

    for (int i = 0; i < numSends; ++i)
    {
        auto& s = sends[(std::size_t) i];
        const float start = s.level.getCurrentValue();
        const float end = s.level.skip (n);
        if (! juce::isPositiveAndBelow (s.busSlot, numBusSlots) || busInputs[s.busSlot] == nullptr || (start == 0.0f && end == 0.0f))
            continue;
        const auto& from = s.preInsert ? preTap : main;
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
    const bool finishedBefore = fade.isFinished();
    for (int c = 0; c < 2; ++c)
        buffer.copyFrom (c, 0, input, c, 0, n);
    processStagesAndStrip (buffer, dry, n);
    // Delay compensation: every bus's output reaches the master together with the most latent bus's.
    compensation[0].process (buffer, n);
    countSilence (finishedBefore, n);
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
