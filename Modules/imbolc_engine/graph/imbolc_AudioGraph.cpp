namespace imbolc::engine
{

namespace
{
    std::int64_t nowNanos() noexcept
    {
        // steady_clock reads the vDSO clock: no system call, no lock, safe on the audio thread.
        return std::chrono::duration_cast<std::chrono::nanoseconds> (std::chrono::steady_clock::now().time_since_epoch()).count();
    }

    template <typename T>
    void swapRemove (std::vector<T*>& list, int& count, int index) noexcept
    {
        list[(std::size_t) index] = list[(std::size_t) count - 1];
        list[(std::size_t) index]->runningIndex = index;
        list[(std::size_t) --count] = nullptr;
    }
} // namespace

AudioGraph::AudioGraph (const Capacity& c, const Queues& q)
    : capacity (c), queues (q), instrumentSlots ((std::size_t) c.instrumentSlots, nullptr), running ((std::size_t) c.runningInstruments, nullptr), fadingOut ((std::size_t) c.runningInstruments, nullptr), busSlots ((std::size_t) c.busSlots, nullptr), busChainsPerSlot ((std::size_t) c.busSlots, 0), runningBuses ((std::size_t) c.runningBuses, nullptr), busInputTargets ((std::size_t) c.busSlots, nullptr), runningMasters ((std::size_t) c.runningMasters, nullptr), channelChains ((std::size_t) c.runningInstruments, nullptr), capturedMidi ((std::size_t) juce::jmax (16, c.capturedMidi)), pendingEvents ((std::size_t) c.pendingEvents), instrumentJobs ((std::size_t) c.runningInstruments, nullptr), jobRunningIndex ((std::size_t) c.runningInstruments, 0), busJobs ((std::size_t) c.runningBuses, nullptr), lateChains ((std::size_t) (c.runningInstruments + c.runningBuses), nullptr)
{
    // No host value has been applied yet: the first one of every slot is a change.
    macroValues.fill (std::numeric_limits<float>::quiet_NaN());
    for (int i = 0; i < c.busSlots; ++i)
        busInputs.push_back (std::make_unique<juce::AudioBuffer<float>>());
    prepare (sampleRate, maxBlock, 480, meterInterval);
}

AudioGraph::~AudioGraph()
{
    workers.stop(); // a late worker finishes its chain before any chain is destroyed
    for (const auto& e : releaseEverything())
    {
        // Only reached when the engine is torn down without draining: destroy here (not the audio thread).
        if (e.type == Event::Type::retiredRouting)
            delete static_cast<RoutingSpec*> (e.object);
        else if (e.type == Event::Type::retiredSequence)
            delete static_cast<InstrumentSequence*> (e.object);
        else if (e.type == Event::Type::retiredGlobalSequence)
            delete static_cast<GlobalSequence*> (e.object);
        else if (e.type == Event::Type::retiredRecorder)
            delete static_cast<InputRecorder*> (e.object); // closes its file
        else if (e.type == Event::Type::retiredDelayMemory)
            delete static_cast<CompensationDelay::Memory*> (e.object);
        else
            delete static_cast<ChainBase*> (e.object);
    }
}

void AudioGraph::setRenderWorkers (int count, bool waitForLate)
{
    waitForLateWorkers = waitForLate;
    workers.start (count, maxBlock);
}

void AudioGraph::prepare (double rate, int block, int fadeSamples, int meterSamples)
{
    // Joined first: a worker still inside a late chain finishes it before the chain is re-prepared.
    const int numWorkers = workers.getNumWorkers();
    workers.stop();
    for (int i = 0; i < numLate; ++i)
        lateChains[(std::size_t) i]->setRenderDone (true);
    numLate = 0;
    drainCommands();
    sampleRate = rate;
    maxBlock = juce::jmax (1, block);
    // The sample clock restarts with every prepare (its rate may have changed).
    sampleTime = 0;
    queues.externalNotes.setSampleRate (rate);
    queues.externalNotes.beginBlock (0);
    meterInterval = juce::jmax (1, meterSamples);
    for (auto& input : busInputs)
    {
        input->setSize (2, maxBlock);
        input->clear();
    }
    masterInput.setSize (2, maxBlock);
    directInput.setSize (2, maxBlock);
    directInput.clear();
    directDelay.setFadeLength (fadeSamples);
    directDelay.reset();
    mix.setSize (2, maxBlock);
    workspace.prepare (maxBlock);
    noMidi.ensureSize (16);
    sequencer.prepare (rate);
    analysis->prepare (rate);
    limiter.setPlayConfigDetails (2, 2, rate, maxBlock);
    limiter.prepareToPlay (rate, maxBlock);

    // A new rate or block size re-prepares every chain: state (voices, tails) restarts, so nothing can
    // be left stuck; chains that were fading out are simply finished.
    for (int i = 0; i < numRunning; ++i)
        running[(std::size_t) i]->prepare (rate, maxBlock, fadeSamples);
    for (int i = 0; i < numRunningBuses; ++i)
        runningBuses[(std::size_t) i]->prepare (rate, maxBlock, fadeSamples);
    for (int i = 0; i < numRunningMasters; ++i)
        runningMasters[(std::size_t) i]->prepare (rate, maxBlock, fadeSamples);
    workers.start (numWorkers, maxBlock);
}

//==============================================================================
void AudioGraph::postEvent (const Event& e) noexcept
{
    if (numPendingEvents == 0 && queues.events.try_enqueue (e))
        return;
    // The message thread bounds how many objects it has handed over, so this never overflows; if it
    // somehow did, the object would leak rather than be freed here on the audio thread.
    if (numPendingEvents < (int) pendingEvents.size())
        pendingEvents[(std::size_t) numPendingEvents++] = e;
}

void AudioGraph::flushPendingEvents() noexcept
{
    int sent = 0;
    while (sent < numPendingEvents && queues.events.try_enqueue (pendingEvents[(std::size_t) sent]))
        ++sent;
    if (sent == 0)
        return;
    std::copy (pendingEvents.begin() + sent, pendingEvents.begin() + numPendingEvents, pendingEvents.begin());
    numPendingEvents -= sent;
}

InstrumentChain* AudioGraph::findInstrument (std::int32_t slot, std::uint32_t serial) noexcept
{
    if (! juce::isPositiveAndBelow (slot, capacity.instrumentSlots))
        return nullptr;
    auto* chain = instrumentSlots[(std::size_t) slot];
    return chain != nullptr && chain->getSerial() == serial ? chain : nullptr;
}

ChainBase* AudioGraph::findChain (ChainKind kind, std::int32_t slot, std::uint32_t serial) noexcept
{
    switch (kind)
    {
        case ChainKind::instrument:
            return findInstrument (slot, serial);
        case ChainKind::bus:
            if (juce::isPositiveAndBelow (slot, capacity.busSlots))
                if (auto* bus = busSlots[(std::size_t) slot]; bus != nullptr && bus->getSerial() == serial)
                    return bus;
            return nullptr;
        case ChainKind::master:
            return master != nullptr && master->getSerial() == serial ? master : nullptr;
    }
    return nullptr;
}

void AudioGraph::applyPriority (const Command& c) noexcept
{
    using T = Command::Type;
    switch (c.type)
    {
        case T::setParam:
            if (auto* chain = findChain (c.chain, c.slot, c.serial))
                if (auto* node = chain->getNode (c.node))
                    node->setParameterTarget (c.index, c.value);
            return;
        case T::setSendLevel:
            if (auto* chain = findInstrument (c.slot, c.serial))
                chain->setSendLevel (c.index, c.value);
            return;
        case T::noteOn:
        case T::noteOff:
        case T::allNotesOff:
            if (auto* chain = findInstrument (c.slot, c.serial))
            {
                const auto note = (juce::uint8) juce::jlimit (0, 127, (int) c.index);
                const auto velocity = (juce::uint8) juce::jlimit (1, 127, juce::roundToInt (c.value * 127.0f));
                juce::uint8 bytes[3] = { 0xb0, 123, 0 }; // all notes off
                if (c.type == T::noteOn)
                    bytes[0] = 0x90, bytes[1] = note, bytes[2] = velocity;
                else if (c.type == T::noteOff)
                    bytes[0] = 0x80, bytes[1] = note, bytes[2] = 64;
                chain->addMidi (bytes, 3);
            }
            return;
        case T::setVoiceLimit:
            if (auto* chain = findInstrument (c.slot, c.serial))
                if (auto* source = chain->getNode (0))
                    source->setVoiceLimit (juce::roundToInt (c.value));
            return;
        case T::setMuted:
            if (auto* chain = findChain (c.chain, c.slot, c.serial))
                chain->getStrip().setMuted (c.value > 0.5f);
            return;
        case T::setBypass:
            if (auto* chain = findChain (c.chain, c.slot, c.serial))
                chain->setBypass (c.node, c.value > 0.5f);
            return;
        case T::setTempo:
            sequencer.setTempo (c.value);
            return;
        case T::setMidiTarget:
            if (c.slot != midiTargetSlot || c.serial != midiTargetSerial)
                releaseTargetNotes();
            midiTargetSlot = c.slot;
            midiTargetSerial = c.serial;
            return;
        case T::setMidiChannel:
            if (auto* chain = findInstrument (c.slot, c.serial))
                chain->setMidiChannel (juce::roundToInt (c.value));
            return;
        case T::setMidiOutput:
            if (auto* chain = findInstrument (c.slot, c.serial); chain != nullptr && chain->getMidiOutputChannel() != juce::roundToInt (c.value))
            {
                chain->endMidiOutput (queues.midiOut, sampleTime);
                chain->setMidiOutputChannel (juce::roundToInt (c.value));
            }
            return;
        case T::countIn:
            // Before the record position by the count-in's length: the song plays from there (silence
            // before its start), and each beat clicks until the count-in ends.
            {
                const auto recordAt = sequencer.getPositionTicks();
                sequencer.locateForCountIn (recordAt + (double) c.position);
                sequencer.play();
                countIn.active = std::isfinite (c.value) && c.value > 0.0f;
                countIn.start = recordAt + (double) c.position;
                countIn.end = countIn.start + (double) c.value;
                countIn.beatTicks = std::isfinite (c.value2) && c.value2 >= 1.0f ? (double) c.value2 : (double) model::ticksPerBeat;
                countIn.beatsPerBar = juce::jmax (1, (int) c.index);
                countIn.numDue = 0;
                return;
            }
        case T::setMacro:
        {
            if (((c.position >> 16) & 1) != 0)
            {
                // A MIDI mapping's slot: its source and curve ride above the macro fields.
                const auto k = (int) (c.position & 0xff);
                if (! juce::isPositiveAndBelow (k, model::maxMidiMappings))
                    return;
                const auto kind = (int) ((c.position >> 8) & 0xff);
                MidiMapTarget m;
                m.target.kind = kind <= (int) MacroTarget::Kind::sendLevel ? (MacroTarget::Kind) kind : MacroTarget::Kind::none;
                m.target.chain = c.chain;
                m.target.node = c.node;
                m.target.index = c.index;
                m.target.slot = c.slot;
                m.target.serial = c.serial;
                m.target.from = c.value;
                m.target.to = c.value2;
                m.source = ((c.position >> 20) & 0xf) == 1 ? model::MidiSource::pitchBend : model::MidiSource::controller;
                m.channel = (std::uint8_t) juce::jlimit<std::int64_t> (0, 16, (c.position >> 24) & 0xff);
                m.controller = (std::uint8_t) ((c.position >> 32) & 0x7f);
                const auto curve = (int) ((c.position >> 40) & 0xff);
                m.curve = curve < model::numMidiCurves ? (model::MidiCurve) curve : model::MidiCurve::linear;
                midiMaps[(std::size_t) k] = m;
                // The slots below numMidiMaps are looked at for every controller: keep it tight.
                if (m.target.kind != MacroTarget::Kind::none)
                    numMidiMaps = juce::jmax (numMidiMaps, k + 1);
                else
                    while (numMidiMaps > 0 && midiMaps[(std::size_t) numMidiMaps - 1].target.kind == MacroTarget::Kind::none)
                        --numMidiMaps;
                return;
            }
            const auto k = (int) (c.position & 0xff);
            if (! juce::isPositiveAndBelow (k, model::numMacros))
                return;
            const auto kind = (int) ((c.position >> 8) & 0xff);
            MacroTarget t;
            t.kind = kind <= (int) MacroTarget::Kind::sendLevel ? (MacroTarget::Kind) kind : MacroTarget::Kind::none;
            t.chain = c.chain;
            t.node = c.node;
            t.index = c.index;
            t.slot = c.slot;
            t.serial = c.serial;
            t.from = c.value;
            t.to = c.value2;
            macroTargets[(std::size_t) k] = t;
            // A new target (a rebuilt chain, a new mapping or span) takes the host's current value at
            // once, even if the value itself did not move.
            macroPending[(std::size_t) k] = true;
            return;
        }
        case T::play:
            sequencer.play();
            return;
        case T::stop:
        {
            // Stopped during a count-in: the play head goes back to where the recording was to start,
            // not somewhere before the song (where the next Play would start in silence).
            const bool countingIn = countIn.active && sequencer.getPositionTicks() < countIn.end;
            sequencer.stop();
            if (countingIn)
            {
                sequencer.locate (countIn.end);
                countIn.active = false;
                countIn.numDue = 0;
            }
            else if (sequencer.getPositionTicks() < 0.0)
            {
                sequencer.locate (0.0);
            }
            return;
        }
        case T::locate:
            sequencer.locate ((double) juce::jmax<std::int64_t> (0, c.position));
            return;
        case T::setLfo:
            if (auto* chain = findInstrument (c.slot, c.serial))
            {
                InstrumentChain::LfoSettings lfo;
                lfo.enabled = ((c.position >> 8) & 1) != 0;
                lfo.shape = (model::LfoShape) juce::jlimit (0, 3, (int) (c.position & 0xff));
                lfo.rate = std::isfinite (c.value) ? juce::jlimit (0.0f, 100.0f, c.value) : 0.0f;
                lfo.depth = std::isfinite (c.value2) ? juce::jlimit (0.0f, 1.0f, c.value2) : 0.0f;
                lfo.node = c.node;
                lfo.index = c.index;
                chain->setLfo (lfo);
            }
            return;
        case T::installInstrument:
        case T::removeInstrument:
        case T::setRouting:
        case T::installBus:
        case T::removeBus:
        case T::installMaster:
        case T::setSequence:
        case T::setGlobalSequence:
        case T::setBusIndex:
        case T::attachRecorder:
        case T::detachRecorder:
        case T::setCompensation:
            applyNormal (c); // structure never travels the priority queue; accept it rather than leak
            return;
    }
}

void AudioGraph::applyNormal (const Command& c) noexcept
{
    using T = Command::Type;
    switch (c.type)
    {
        case T::installInstrument:
        {
            auto* chain = static_cast<InstrumentChain*> (c.object);
            if (! juce::isPositiveAndBelow (c.slot, capacity.instrumentSlots) || numRunning >= capacity.runningInstruments)
            {
                postEvent ({ Event::Type::retiredInstrument, c.slot, chain });
                return;
            }
            if (auto* old = instrumentSlots[(std::size_t) c.slot])
                startRemoving (old);
            chain->slot = c.slot;
            instrumentSlots[(std::size_t) c.slot] = chain;
            chain->runningIndex = numRunning;
            running[(std::size_t) numRunning++] = chain;
            return;
        }
        case T::removeInstrument:
            if (auto* chain = findInstrument (c.slot, c.serial))
            {
                instrumentSlots[(std::size_t) c.slot] = nullptr;
                startRemoving (chain);
            }
            return;
        case T::setRouting:
            if (auto* chain = findInstrument (c.slot, c.serial))
                chain->setRouting (*static_cast<const RoutingSpec*> (c.object));
            postEvent ({ Event::Type::retiredRouting, c.slot, c.object });
            return;
        case T::setSequence:
        {
            // A sequence for a chain that has since been replaced goes straight back.
            auto* next = static_cast<InstrumentSequence*> (c.object);
            if (auto* chain = findInstrument (c.slot, c.serial))
                next = chain->exchangeSequence (next);
            if (next != nullptr)
                postEvent ({ Event::Type::retiredSequence, c.slot, next });
            return;
        }
        case T::setGlobalSequence:
            if (auto* old = sequencer.exchangeGlobal (static_cast<GlobalSequence*> (c.object)))
                postEvent ({ Event::Type::retiredGlobalSequence, 0, old });
            return;
        case T::installBus:
        {
            auto* chain = static_cast<BusChain*> (c.object);
            if (! juce::isPositiveAndBelow (c.slot, capacity.busSlots) || numRunningBuses >= capacity.runningBuses)
            {
                postEvent ({ Event::Type::retiredBus, c.slot, chain });
                return;
            }
            if (auto* old = busSlots[(std::size_t) c.slot])
            {
                old->removing = true;
                old->getFade().startOut();
                chain->getFade().startIn(); // replacing a bus's effects crossfades old into new
            }
            chain->slot = c.slot;
            busSlots[(std::size_t) c.slot] = chain;
            busInputTargets[(std::size_t) c.slot] = busInputs[(std::size_t) c.slot].get();
            ++busChainsPerSlot[(std::size_t) c.slot];
            chain->runningIndex = numRunningBuses;
            runningBuses[(std::size_t) numRunningBuses++] = chain;
            return;
        }
        case T::removeBus:
            if (auto* chain = static_cast<BusChain*> (findChain (ChainKind::bus, c.slot, c.serial)))
            {
                busSlots[(std::size_t) c.slot] = nullptr;
                busInputTargets[(std::size_t) c.slot] = nullptr;
                chain->removing = true;
                chain->getFade().startOut();
            }
            return;
        case T::setBusIndex:
            if (auto* chain = static_cast<BusChain*> (findChain (ChainKind::bus, c.slot, c.serial)))
                chain->mixerIndex = (int) juce::jlimit<std::int64_t> (-1, capacity.busSlots, c.position);
            return;
        case T::installMaster:
        {
            auto* chain = static_cast<MasterChain*> (c.object);
            if (numRunningMasters >= capacity.runningMasters)
            {
                postEvent ({ Event::Type::retiredMaster, 0, chain });
                return;
            }
            if (master != nullptr)
            {
                master->removing = true;
                master->getFade().startOut();
                chain->getFade().startIn();
            }
            master = chain;
            chain->runningIndex = numRunningMasters;
            runningMasters[(std::size_t) numRunningMasters++] = chain;
            return;
        }
        case T::attachRecorder:
        case T::detachRecorder:
        {
            const auto k = (std::size_t) c.index;
            if (k >= recorders.size())
            {
                if (c.type == T::attachRecorder && c.object != nullptr)
                    postEvent ({ Event::Type::retiredRecorder, c.index, c.object });
                return;
            }
            if (recorders[k] != nullptr)
                postEvent ({ Event::Type::retiredRecorder, c.index, recorders[k] });
            recorders[k] = c.type == T::attachRecorder ? static_cast<InputRecorder*> (c.object) : nullptr;
            return;
        }
        case T::setCompensation:
            applyCompensation (c);
            return;
        case T::setParam:
        case T::setSendLevel:
        case T::noteOn:
        case T::noteOff:
        case T::allNotesOff:
        case T::setVoiceLimit:
        case T::setMuted:
        case T::setBypass:
        case T::setTempo:
        case T::play:
        case T::stop:
        case T::locate:
        case T::setLfo:
        case T::setMidiTarget:
        case T::setMidiChannel:
        case T::setMidiOutput:
        case T::setMacro:
        case T::countIn:
            // Sent through the normal queue to stay ordered after the install of their chain.
            applyPriority (c);
            return;
    }
}

void AudioGraph::drainNormal() noexcept
{
    Command c;
    while (queues.normal.try_dequeue (c))
    {
        applyNormal (c);
        queues.normalConsumed.fetch_add (1, std::memory_order_release);
    }
}

void AudioGraph::drainCommands() noexcept
{
    Command c;
    while (queues.priority.try_dequeue (c))
        applyPriority (c);
    drainNormal();
}

void AudioGraph::applyCompensation (const Command& c) noexcept
{
    CompensationDelay* line = nullptr;
    if (c.chain == ChainKind::master)
    {
        if (c.index == 0)
            line = &directDelay;
        else if (c.index == 1)
        {
            const auto total = (int) juce::jlimit<std::int64_t> (0, std::numeric_limits<int>::max(), c.position);
            outputLatency.store (total, std::memory_order_relaxed);
            queues.externalNotes.setLatency (total);
            queues.midiOut.setLatency (total);
        }
    }
    else if (auto* chain = findChain (c.chain, c.slot, c.serial))
    {
        line = chain->getCompensation (c.index);
    }
    if (auto* memory = static_cast<CompensationDelay::Memory*> (c.object))
    {
        // The old memory (or the new one, when its chain has gone) goes back to be freed.
        if (line != nullptr)
            memory = line->exchangeMemory (memory);
        if (memory != nullptr)
            postEvent ({ Event::Type::retiredDelayMemory, c.slot, memory });
    }
    if (line != nullptr)
        line->setDelay ((int) juce::jlimit<std::int64_t> (0, CompensationDelay::maxDelaySamples, c.position));
}

void AudioGraph::startRemoving (InstrumentChain* chain) noexcept
{
    if (chain->removing)
        return;
    chain->removing = true;
    chain->getFade().startOut();
    // An external renderer has no fade: its notes end now, and the fading chain sends no more.
    if (auto* external = chain->getExternalSource())
        external->detach();
    // Nor has an external synth: what the chain's MIDI output holds ends now, and it sends no more.
    chain->endMidiOutput (queues.midiOut, sampleTime);
    chain->setMidiOutputChannel (0);
    fadingOut[(std::size_t) numFadingOut++] = chain; // bounded: every fading chain is also running
}

void AudioGraph::retireFinished() noexcept
{
    // O(chains fading out), not O(chains): a delete costs the same with 8 instruments or 1,000.
    for (int i = numFadingOut; --i >= 0;)
    {
        auto* chain = fadingOut[(std::size_t) i];
        if (! chain->isFinished())
            continue;
        fadingOut[(std::size_t) i] = fadingOut[(std::size_t) --numFadingOut];
        fadingOut[(std::size_t) numFadingOut] = nullptr;
        swapRemove (running, numRunning, chain->runningIndex);
        postEvent ({ Event::Type::retiredInstrument, chain->slot, chain });
    }
    for (int i = numRunningBuses; --i >= 0;)
    {
        auto* chain = runningBuses[(std::size_t) i];
        if (chain->removing && chain->isFinished())
        {
            swapRemove (runningBuses, numRunningBuses, i);
            --busChainsPerSlot[(std::size_t) chain->slot];
            postEvent ({ Event::Type::retiredBus, chain->slot, chain });
        }
    }
    for (int i = numRunningMasters; --i >= 0;)
    {
        auto* chain = runningMasters[(std::size_t) i];
        if (chain->removing && chain->getFade().isFinished())
        {
            swapRemove (runningMasters, numRunningMasters, i);
            postEvent ({ Event::Type::retiredMaster, 0, chain });
        }
    }
}

//==============================================================================
void AudioGraph::process (float* const* outputs, int numChannels, int numSamples, const ProcessInput& input) noexcept
{
    // Decaying tails (envelopes, reverbs, filters) reach denormal floats, which cost x86 up to 100x per
    // operation; flushing them to zero for the whole block keeps every node's cost flat.
    const juce::ScopedNoDenormals noDenormals;
    // The callback's first sample against the wall clock, for consumers of external notes; it is also
    // the block that chains removed by this callback's commands end their external notes in.
    queues.externalNotes.beginCallback (sampleTime);
    flushPendingEvents();
    processStart = std::chrono::steady_clock::now();
    processSeconds = (double) numSamples / sampleRate;

    // While a render worker is still inside a chain it was late with, nothing may touch that chain:
    // commands wait in their queues and nothing retires until it is done (a block or so).
    const bool workerLate = numLate > 0 && refreshLateChains();

    Command c;
    while (! workerLate && queues.priority.try_dequeue (c))
        applyPriority (c);

    const auto structuralStart = nowNanos();
    if (! workerLate)
        drainNormal();
    auto structural = nowNanos() - structuralStart;

    // A plugin host's transport wins over the session's own for this block: it is what the person hears
    // the rest of their song at.
    if (input.transport != nullptr)
        followHost (*input.transport);
    else if (hostTiming.active.load (std::memory_order_relaxed))
        leaveHost(); // the host has no play head (any more): the session keeps its own time
    hostMidi = input.midi;
    live.inputs = input.inputs;
    live.numInputs = input.inputs != nullptr ? juce::jmax (0, input.numInputChannels) : 0;
    hostMidiStart = input.midiStart;
    hostMidiSamples = input.midiBlockSamples > 0 ? input.midiBlockSamples : numSamples;
    // Before anything renders: a host splits its block where an automation point is, so this call's
    // first sample is where the macro's new value belongs.
    applyMacros (input);

    // Direct outputs start silent: a pair whose bus does not exist (or is half given) stays so, and
    // the chunks below add each bus at its offset.
    busOutputs = input.busOutputs;
    numBusOutputPairs = busOutputs != nullptr ? juce::jmax (0, input.numBusOutputs) / 2 : 0;
    for (int i = 0; busOutputs != nullptr && i < input.numBusOutputs; ++i)
        if (auto* channel = busOutputs[i])
            juce::FloatVectorOperations::clear (channel, numSamples);

    // A mapped controller sets its parameter at its own sample: the call is split there (a bounded
    // number of times), so the chunk that starts on it is the first to render with the new value.
    int splits = 0;
    for (int offset = 0; offset < numSamples;)
    {
        int n = juce::jmin (maxBlock, numSamples - offset);
        if (numMidiMaps > 0 && hostMidi != nullptr && splits < maxMidiSplitsPerCall)
            if (const int until = untilMappedMidi (offset, n); until < n)
            {
                n = until;
                ++splits;
            }
        renderChunk (outputs, numChannels, offset, n);
        offset += n;
    }
    hostMidi = nullptr;
    live = {};
    busOutputs = nullptr;
    numBusOutputPairs = 0;

    const auto retireStart = nowNanos();
    if (numLate == 0)
        retireFinished();
    structural += nowNanos() - retireStart;

    auto previous = maxStructuralNanos.load (std::memory_order_relaxed);
    while (structural > previous && ! maxStructuralNanos.compare_exchange_weak (previous, structural, std::memory_order_relaxed))
    {
    }

    samplesSinceMeter += numSamples;
    if (samplesSinceMeter >= meterInterval)
    {
        samplesSinceMeter = 0;
        postMeters();
    }
}

//==============================================================================
void AudioGraph::renderInstruments (const BlockPlan& plan, int n, juce::AudioBuffer<float>& masterTarget) noexcept
{
    if (workers.getNumWorkers() > 0 && numLate == 0 && numRunning > 1)
    {
        renderInstrumentsInParallel (plan, n, masterTarget);
        return;
    }
    // Alone, each chain renders into the one workspace (touching nothing another chain touches) and is
    // mixed at once, in running order, while its audio is still in the cache.
    for (int i = 0; i < numRunning; ++i)
    {
        auto* chain = running[(std::size_t) i];
        if (! chain->isRenderDone())
            continue; // a late worker's: left out until it is done
        chain->schedule (plan, n);
        chain->sendMidiOutput (queues.midiOut, chunkStartSample);
        chain->render (workspace, n);
        chain->mixInto (workspace.main, workspace.preTap, masterTarget, busInputTargets.data(), capacity.busSlots, n);
    }
}

void AudioGraph::renderInstrumentsInParallel (const BlockPlan& plan, int n, juce::AudioBuffer<float>& masterTarget) noexcept
{
    // Scheduling and MIDI output write queues with one producer: they stay on this thread, in running
    // order, as does rendering a chain whose source feeds the external-note queue.
    int numJobs = 0;
    for (int i = 0; i < numRunning; ++i)
    {
        auto* chain = running[(std::size_t) i];
        chain->schedule (plan, n);
        chain->sendMidiOutput (queues.midiOut, chunkStartSample);
        if (chain->getExternalSource() != nullptr)
        {
            chain->render (workspace, n);
            chain->keepOutput (workspace, n);
            continue;
        }
        chain->setRenderDone (false);
        jobRunningIndex[(std::size_t) numJobs] = i;
        instrumentJobs[(std::size_t) numJobs++] = chain;
    }

    // The audio thread mixes as it goes (renderInstrumentJob), in running order: its own range of the
    // jobs comes first, so it mixes each of its chains straight from its workspace, as rendering alone
    // does, and what the workers kept is mixed once every chain before it is. Only this thread mixes:
    // a worker late past the deadline never holds a mix target.
    jobSamples = n;
    mixNext = 0;
    mixMaster = &masterTarget;
    const bool allDone = workers.run (numJobs, renderInstrumentJob, this, workspace, renderDeadline());
    mixFinishedChains();

    // The same additions, in the same order, as rendering alone: the mix is bit-identical. A chain a
    // worker is still inside is left out of this block.
    for (int i = mixNext; i < numRunning; ++i)
    {
        auto* chain = running[(std::size_t) i];
        if (chain->isRenderDone())
            chain->mixKept (masterTarget, busInputTargets.data(), capacity.busSlots, n);
        else
            lateChains[(std::size_t) numLate++] = chain;
    }
    mixMaster = nullptr;
    if (! allDone)
        lateBlocks.fetch_add (1, std::memory_order_relaxed);
}

void AudioGraph::mixFinishedChains() noexcept
{
    for (; mixNext < numRunning; ++mixNext)
    {
        auto* chain = running[(std::size_t) mixNext];
        if (! chain->isRenderDone())
            return;
        chain->mixKept (*mixMaster, busInputTargets.data(), capacity.busSlots, jobSamples);
    }
}

void AudioGraph::renderInstrumentJob (void* graph, int index, RenderWorkspace& ws) noexcept
{
    auto& g = *static_cast<AudioGraph*> (graph);
    auto* chain = g.instrumentJobs[(std::size_t) index];
    chain->render (ws, g.jobSamples);
    if (&ws == &g.workspace) // the audio thread
    {
        g.mixFinishedChains();
        if (g.mixNext == g.jobRunningIndex[(std::size_t) index])
        {
            chain->mixInto (ws.main, ws.preTap, *g.mixMaster, g.busInputTargets.data(), g.capacity.busSlots, g.jobSamples);
            ++g.mixNext;
            chain->setRenderDone (true);
            return;
        }
    }
    chain->keepOutput (ws, g.jobSamples);
    chain->setRenderDone (true);
}

void AudioGraph::renderBuses (int offset, int n) noexcept
{
    if (workers.getNumWorkers() == 0 || numLate > 0 || numRunningBuses < 2)
    {
        for (int i = 0; i < numRunningBuses; ++i)
        {
            auto* bus = runningBuses[(std::size_t) i];
            if (! bus->isRenderDone())
                continue;
            bus->render (*busInputs[(std::size_t) bus->slot], n);
            mixBus (*bus, offset, n);
        }
        return;
    }

    // Every bus renders its own input into its own buffer: they are independent of each other.
    for (int i = 0; i < numRunningBuses; ++i)
    {
        auto* bus = runningBuses[(std::size_t) i];
        bus->setRenderDone (false);
        busJobs[(std::size_t) i] = bus;
    }
    jobSamples = n;
    const bool allDone = workers.run (numRunningBuses, renderBusJob, this, workspace, renderDeadline());
    for (int i = 0; i < numRunningBuses; ++i)
    {
        auto* bus = runningBuses[(std::size_t) i];
        if (bus->isRenderDone())
            mixBus (*bus, offset, n);
        else
            lateChains[(std::size_t) numLate++] = bus;
    }
    if (! allDone)
        lateBlocks.fetch_add (1, std::memory_order_relaxed);
}

void AudioGraph::renderBusJob (void* graph, int index, RenderWorkspace&) noexcept
{
    auto& g = *static_cast<AudioGraph*> (graph);
    auto* bus = g.busJobs[(std::size_t) index];
    bus->render (*g.busInputs[(std::size_t) bus->slot], g.jobSamples);
    bus->setRenderDone (true);
}

void AudioGraph::mixBus (BusChain& bus, int offset, int n) noexcept
{
    // Added, not copied: while a bus's effects are replaced, its old and new chains crossfade into the
    // same output.
    if (auto* const* direct = directOutputFor (bus))
    {
        bus.delayForDirectOutput (n);
        for (int ch = 0; ch < 2; ++ch)
            juce::FloatVectorOperations::add (direct[ch] + offset, bus.getOutput().getReadPointer (ch), n);
    }
    else
    {
        bus.feedDirectOutputDelay (n);
        for (int ch = 0; ch < 2; ++ch)
            masterInput.addFrom (ch, 0, bus.getOutput(), ch, 0, n);
    }
}

bool AudioGraph::refreshLateChains() noexcept
{
    for (int i = numLate; --i >= 0;)
        if (lateChains[(std::size_t) i]->isRenderDone())
            lateChains[(std::size_t) i] = lateChains[(std::size_t) --numLate];
    return numLate > 0;
}

std::optional<std::chrono::steady_clock::time_point> AudioGraph::renderDeadline() const noexcept
{
    if (waitForLateWorkers)
        return std::nullopt;
    // 70 % of the callback's duration from its start: what is left covers the buses, the master and
    // the device's own work, so a worker that is late costs its chain, never the whole block.
    return processStart + std::chrono::duration_cast<std::chrono::steady_clock::duration> (std::chrono::duration<double> (0.7 * processSeconds));
}

void AudioGraph::followHost (const HostTransport& host) noexcept
{
    const auto hostTick = host.ppqPosition * (double) model::ticksPerBeat;
    // While the host plays, its timeline is the song's: its tempo (when it has one) and its loop, which the
    // sequencer wraps on the exact sample, inside a block too. Stopped, a person may still play the session
    // on its own transport (at the host's tempo), from where the host stands.
    sequencer.setHostTiming (true, host.bpm, host.playing && host.looping, host.loopStartPpq * (double) model::ticksPerBeat, host.loopEndPpq * (double) model::ticksPerBeat);
    if (host.playing)
    {
        if (! sequencer.isPlaying())
        {
            // A source that starts the song inside this block (MIDI clock in: the first clock after a
            // start falls on some sample of it) gives a position before the start: the song then
            // reaches its tick 0 on that sample, as after a count-in.
            if (hostTick < 0.0)
                sequencer.locateForCountIn (hostTick);
            else
                sequencer.locate (hostTick);
            sequencer.play();
        }
        // The host jumped (a locate, a scrub, a loop it wrapped where we did not): follow. Within a tick
        // the two clocks agree; rounding in the host's ppq is far below that.
        else if (std::abs (sequencer.getPositionTicks() - hostTick) > 1.0)
        {
            sequencer.locate (hostTick);
        }
    }
    else if (hostWasPlaying)
    {
        sequencer.stop();
        sequencer.locate (hostTick);
    }
    else if (hostTick != lastHostTick && ! sequencer.isPlaying())
    {
        sequencer.locate (hostTick); // the host moved its stopped play head
    }
    hostWasPlaying = host.playing;
    lastHostTick = hostTick;

    hostTiming.bpm.store (host.bpm, std::memory_order_relaxed);
    hostTiming.meter.store ((host.timeSigNumerator > 0 && host.timeSigDenominator > 0) ? (host.timeSigNumerator << 8 | (host.timeSigDenominator & 0xff)) : 0, std::memory_order_relaxed);
    hostTiming.active.store (true, std::memory_order_release);
}

void AudioGraph::leaveHost() noexcept
{
    sequencer.setHostTiming (false, 0.0, false, 0.0, 0.0);
    hostWasPlaying = false;
    hostTiming.active.store (false, std::memory_order_release);
}

AudioGraph::HostTiming AudioGraph::getHostTiming() const noexcept
{
    HostTiming t;
    t.active = hostTiming.active.load (std::memory_order_acquire);
    t.bpm = hostTiming.bpm.load (std::memory_order_relaxed);
    const auto meter = hostTiming.meter.load (std::memory_order_relaxed);
    t.timeSigNumerator = meter >> 8;
    t.timeSigDenominator = meter & 0xff;
    return t;
}

void AudioGraph::applyMacros (const ProcessInput& input) noexcept
{
    if (input.macros == nullptr)
        return; // a target that changed meanwhile stays pending until the host sends values
    const int count = juce::jmin (input.numMacros, model::numMacros);
    for (int k = 0; k < count; ++k)
    {
        const auto raw = input.macros[k];
        if (! std::isfinite (raw))
            continue;
        const auto v = juce::jlimit (0.0f, 1.0f, raw);
        auto& pending = macroPending[(std::size_t) k];
        if (! pending && v == macroValues[(std::size_t) k])
            continue;
        pending = false;
        macroValues[(std::size_t) k] = v;

        const auto& t = macroTargets[(std::size_t) k];
        if (t.kind == MacroTarget::Kind::none)
            continue;
        applyTarget (t, t.from + v * (t.to - t.from));
    }
}

void AudioGraph::applyTarget (const MacroTarget& t, float value) noexcept
{
    auto* chain = findChain (t.chain, t.slot, t.serial);
    if (chain == nullptr)
        return; // stale: the chain was replaced; the message thread sends the new target
    if (t.kind == MacroTarget::Kind::sendLevel)
    {
        if (t.chain == ChainKind::instrument)
            static_cast<InstrumentChain*> (chain)->setSendLevelNow (t.index, value);
    }
    else if (auto* node = chain->getNode (t.node))
    {
        // Immediate, not the 20 ms glide a knob gets: the host (or the controller) decided where the
        // value changes (Ardour and others split the block at each automation point and interpolate
        // their own curves into such steps), and a glide would put the value late by as much. A step
        // in a level is what the host's own automation of a level does.
        node->setParameterRamp (t.index, value, 0);
    }
}

int AudioGraph::midiPosition (const juce::MidiMessageMetadata& event) const noexcept
{
    // Events a host put before or past its block play at its first or last sample.
    return juce::jlimit (0, juce::jmax (0, hostMidiSamples - 1), event.samplePosition) - hostMidiStart;
}

bool AudioGraph::drivesMapping (const juce::uint8* data, int numBytes) const noexcept
{
    if (numBytes != 3)
        return false;
    const auto type = data[0] & 0xf0;
    if (type != 0xb0 && type != 0xe0)
        return false;
    const auto source = type == 0xe0 ? model::MidiSource::pitchBend : model::MidiSource::controller;
    const int channel = (data[0] & 0x0f) + 1;
    for (int k = 0; k < numMidiMaps; ++k)
    {
        const auto& m = midiMaps[(std::size_t) k];
        if (m.target.kind != MacroTarget::Kind::none && m.source == source && (m.channel == 0 || m.channel == channel)
            && (source == model::MidiSource::pitchBend || m.controller == (data[1] & 0x7f)))
            return true;
    }
    return false;
}

int AudioGraph::untilMappedMidi (int offset, int n) const noexcept
{
    int until = n;
    for (const auto event : *hostMidi)
    {
        const int at = midiPosition (event) - offset;
        if (at > 0 && at < until && drivesMapping (event.data, event.numBytes))
            until = at;
    }
    return until;
}

void AudioGraph::applyMappings (const juce::uint8* data, int channel) noexcept
{
    const auto source = (data[0] & 0xf0) == 0xe0 ? model::MidiSource::pitchBend : model::MidiSource::controller;
    const int number = data[1] & 0x7f;
    const float x = source == model::MidiSource::pitchBend ? (float) (number | (data[2] & 0x7f) << 7) / 16383.0f : (float) (data[2] & 0x7f) / 127.0f;
    for (int k = 0; k < numMidiMaps; ++k)
    {
        const auto& m = midiMaps[(std::size_t) k];
        if (m.target.kind == MacroTarget::Kind::none || m.source != source || (m.channel != 0 && m.channel != channel)
            || (source == model::MidiSource::controller && m.controller != number))
            continue;
        applyTarget (m.target, m.target.from + model::MidiMapping::shape (m.curve, x) * (m.target.to - m.target.from));
    }
}

void AudioGraph::captureMidi (const juce::uint8* data, int numBytes, int channel, const InstrumentChain* playedBy, const BlockPlan& plan, int sampleInChunk) noexcept
{
    if (numBytes != 3)
        return;
    CapturedMidi m;
    const auto type = data[0] & 0xf0;
    const auto d1 = (std::uint8_t) (data[1] & 0x7f), d2 = (std::uint8_t) (data[2] & 0x7f);
    if (type == 0x90 && d2 > 0)
        m.kind = CapturedMidi::Kind::noteOn;
    else if (type == 0x80 || type == 0x90)
        m.kind = CapturedMidi::Kind::noteOff; // a note-on of velocity 0 is a note-off
    else if (type == 0xb0)
        m.kind = CapturedMidi::Kind::controller;
    else if (type == 0xe0)
        m.kind = CapturedMidi::Kind::pitchBend;
    else
        return;
    m.channel = (std::uint8_t) channel;
    m.number = m.kind == CapturedMidi::Kind::pitchBend ? 0 : d1;
    m.value = m.kind == CapturedMidi::Kind::pitchBend ? (std::uint16_t) (d1 | d2 << 7) : d2;
    if (playedBy != nullptr)
    {
        m.slot = playedBy->slot;
        m.serial = playedBy->getSerial();
    }
    m.sampleTime = chunkStartSample + sampleInChunk;
    m.playing = plan.playing;
    m.tick = plan.endTick;
    if (plan.playing)
        for (int i = 0; i < plan.numSpans; ++i)
        {
            const auto& span = plan.spans[(std::size_t) i];
            if (sampleInChunk >= span.offset && (sampleInChunk < span.offset + span.length || i == plan.numSpans - 1))
            {
                m.tick = span.startTick + (double) (sampleInChunk - span.offset) * span.ticksPerSample;
                m.pass = span.pass;
                break;
            }
        }
    m.countingIn = countIn.active && plan.playing && m.tick < countIn.end;
    // Never waits and never grows: a full queue (nobody drains it) drops the message and counts it.
    if (! capturedMidi.try_enqueue (m))
        capturedMidiDrops.fetch_add (1, std::memory_order_relaxed);
}

void AudioGraph::deliverMidi (const BlockPlan& plan, int offset, int n) noexcept
{
    if (hostMidi == nullptr || hostMidi->getNumEvents() == 0)
        return;

    // The chains that claim a MIDI channel, gathered once per chunk into a preallocated list (most
    // sessions have a few, so each event looks at those, not at every chain), and the channels they claim.
    int numChannelChains = 0;
    std::uint32_t claimed = 0;
    for (int i = 0; i < numRunning; ++i)
    {
        auto* chain = running[(std::size_t) i];
        if (const int channel = chain->getMidiChannel(); channel > 0 && ! chain->removing)
        {
            channelChains[(std::size_t) numChannelChains++] = chain;
            claimed |= 1u << (channel - 1);
        }
    }
    auto* target = midiTargetSlot >= 0 ? findInstrument (midiTargetSlot, midiTargetSerial) : nullptr;

    for (const auto event : *hostMidi)
    {
        // Channel messages only: system exclusive would crowd the chain's fixed MIDI space.
        if (event.numBytes > 3 || event.numBytes < 1)
            continue;
        const int position = midiPosition (event);
        if (position < offset || position >= offset + n)
            continue;
        const auto status = event.data[0];
        const int channel = status >= 0x80 && status < 0xf0 ? (status & 0x0f) + 1 : 0;
        const InstrumentChain* playedBy = nullptr;
        if (channel > 0 && (claimed & (1u << (channel - 1))) != 0)
        {
            for (int i = 0; i < numChannelChains; ++i)
                if (channelChains[(std::size_t) i]->getMidiChannel() == channel)
                {
                    channelChains[(std::size_t) i]->addMidi (event.data, event.numBytes, position - offset);
                    if (playedBy == nullptr)
                        playedBy = channelChains[(std::size_t) i];
                }
        }
        else if (target != nullptr)
        {
            target->addMidi (event.data, event.numBytes, position - offset);
            playedBy = target;
            // What the target holds, so a new target does not leave these notes sounding on this one.
            const auto type = status & 0xf0;
            if (event.numBytes == 3 && (type == 0x80 || type == 0x90))
            {
                const auto bit = std::uint64_t { 1 } << (event.data[1] & 63);
                auto& word = targetHeld[(std::size_t) ((event.data[1] >> 6) & 1)];
                word = type == 0x90 && event.data[2] > 0 ? (word | bit) : (word & ~bit);
            }
            else if (event.numBytes == 3 && type == 0xb0 && (event.data[1] == 120 || event.data[1] == 123))
            {
                targetHeld = {};
            }
        }
        if (channel == 0 || event.numBytes != 3)
            continue;
        // A mapped controller sets its parameters now: the call was split so that this chunk starts on
        // its sample (past maxMidiSplitsPerCall, on the start of the chunk it falls in).
        if (numMidiMaps > 0 && ((status & 0xf0) == 0xb0 || (status & 0xf0) == 0xe0))
            applyMappings (event.data, channel);
        captureMidi (event.data, event.numBytes, channel, playedBy, plan, position - offset);
    }
}

void AudioGraph::releaseTargetNotes() noexcept
{
    if (targetHeld[0] == 0 && targetHeld[1] == 0)
        return;
    if (auto* old = midiTargetSlot >= 0 ? findInstrument (midiTargetSlot, midiTargetSerial) : nullptr)
        for (int p = 0; p < 128; ++p)
            if ((targetHeld[(std::size_t) (p >> 6)] & (std::uint64_t { 1 } << (p & 63))) != 0)
            {
                const juce::uint8 off[3] = { 0x80, (juce::uint8) p, 64 };
                old->addMidi (off, 3, 0);
            }
    targetHeld = {};
}

float* const* AudioGraph::directOutputFor (const BusChain& bus) const noexcept
{
    const int k = bus.mixerIndex;
    if (! juce::isPositiveAndBelow (k, numBusOutputPairs))
        return nullptr;
    auto* const* pair = busOutputs + 2 * k;
    return pair[0] != nullptr && pair[1] != nullptr ? pair : nullptr;
}

void AudioGraph::renderChunk (float* const* outputs, int numChannels, int offset, int n) noexcept
{
    masterInput.clear (0, n);
    for (int s = 0; s < capacity.busSlots; ++s)
        if (busChainsPerSlot[(std::size_t) s] > 0)
            busInputs[(std::size_t) s]->clear (0, n);

    queues.externalNotes.beginBlock (sampleTime);
    chunkStartSample = sampleTime;
    sampleTime += n;

    const auto& plan = sequencer.plan (n);
    if (plan.playing)
        applyGlobalLanes (plan, n);

    live.offset = offset;
    live.plan = &plan;
    // Recording follows the song: what the input gave while it played, sample for sample.
    if (plan.playing && plan.numSpans > 0)
        for (auto* recorder : recorders)
            if (recorder != nullptr)
                recorder->write (live, plan, n);

    deliverMidi (plan, offset, n);
    clockOut.process (plan, chunkStartSample, queues.midiOut);

    // Delay compensation: with no bus latency, instruments mix straight into the master input.
    auto& directTarget = directDelay.isIdle() ? masterInput : directInput;
    if (&directTarget == &directInput)
        directInput.clear (0, n);

    renderInstruments (plan, n, directTarget);

    // Delay compensation: the instruments that go straight to the master wait for the most latent bus.
    if (&directTarget == &directInput)
    {
        directDelay.process (directInput, n);
        for (int ch = 0; ch < 2; ++ch)
            masterInput.addFrom (ch, 0, directInput, ch, 0, n);
    }

    renderBuses (offset, n);

    mix.clear (0, n);
    for (int i = 0; i < numRunningMasters; ++i)
    {
        auto* m = runningMasters[(std::size_t) i];
        m->render (masterInput, n);
        for (int ch = 0; ch < 2; ++ch)
            mix.addFrom (ch, 0, m->getOutput(), ch, 0, n);
    }

    renderCountIn (plan, n);

    juce::AudioBuffer<float> block (mix.getArrayOfWritePointers(), 2, n);
    limiter.processBlock (block, noMidi);
    analysis->process (mix.getReadPointer (0), mix.getReadPointer (1), n); // what the device gets; free when no view asks

    for (int ch = 0; ch < numChannels; ++ch)
    {
        if (outputs[ch] == nullptr)
            continue;
        if (ch < 2)
            std::copy (mix.getReadPointer (ch), mix.getReadPointer (ch) + n, outputs[ch] + offset);
        else
            std::fill (outputs[ch] + offset, outputs[ch] + offset + n, 0.0f);
    }
}

void AudioGraph::renderCountIn (const BlockPlan& plan, int n) noexcept
{
    auto& c = countIn;
    if (! c.active && c.samplesLeft <= 0 && c.numDue == 0)
        return;
    if (! plan.playing)
    {
        c.active = false; // stopped during the count-in: no more clicks (one sounding rings out)
        c.numDue = 0;
    }

    // The beats that fall in this chunk (a few at most), each due to click the output latency after
    // its sample: the song's notes reach the output that much after theirs (delay compensation), so
    // the click keeps time with what is heard.
    const auto latency = (std::int64_t) outputLatency.load (std::memory_order_relaxed);
    std::array<std::pair<int, bool>, 4> starts {};
    int numStarts = 0;
    for (int i = 0; c.active && i < plan.numSpans; ++i)
    {
        const auto& span = plan.spans[(std::size_t) i];
        const auto spanEnd = span.startTick + span.length * span.ticksPerSample;
        if (span.startTick >= c.end)
        {
            c.active = false;
            break;
        }
        auto beat = std::ceil ((span.startTick - c.start) / c.beatTicks - 1.0e-9);
        for (auto tick = c.start + beat * c.beatTicks; tick < spanEnd && tick < c.end && numStarts < (int) starts.size(); tick += c.beatTicks, beat += 1.0)
        {
            const int at = span.offset + juce::jlimit (0, span.length - 1, (int) std::ceil ((tick - span.startTick) / span.ticksPerSample - 1.0e-9));
            starts[(std::size_t) numStarts++] = { at, ((long long) beat % c.beatsPerBar) == 0 };
        }
        if (spanEnd >= c.end)
            c.active = false;
    }

    for (int i = 0; i < numStarts && c.numDue < (int) c.due.size(); ++i)
        c.due[(std::size_t) c.numDue++] = { chunkStartSample + starts[(std::size_t) i].first + latency, starts[(std::size_t) i].second };

    auto* left = mix.getWritePointer (0);
    auto* right = mix.getWritePointer (1);
    for (int s = 0; s < n; ++s)
    {
        if (c.numDue > 0 && c.due[0].first <= chunkStartSample + s)
        {
            // A short sine ping: higher on the bar's first beat.
            const bool downbeat = c.due[0].second;
            std::copy (c.due.begin() + 1, c.due.begin() + c.numDue, c.due.begin());
            --c.numDue;
            c.phase = 0.0f;
            c.step = juce::MathConstants<float>::twoPi * (downbeat ? 1760.0f : 1320.0f) / (float) sampleRate;
            c.level = downbeat ? 0.5f : 0.35f;
            c.decay = std::exp (-1.0f / (0.012f * (float) sampleRate));
            c.samplesLeft = (int) (0.06 * sampleRate);
        }
        if (c.samplesLeft <= 0)
            continue;
        const auto v = c.level * std::sin (c.phase);
        left[s] += v;
        right[s] += v;
        c.phase += c.step;
        if (c.phase > juce::MathConstants<float>::twoPi)
            c.phase -= juce::MathConstants<float>::twoPi;
        c.level *= c.decay;
        --c.samplesLeft;
    }
}

void AudioGraph::applyGlobalLanes (const BlockPlan& plan, int n) noexcept
{
    const auto* global = sequencer.getGlobal();
    if (global == nullptr)
        return;
    for (const auto& l : global->lanes)
    {
        ChainBase* chain = nullptr;
        if (l.chain == ChainKind::master)
            chain = master;
        else if (juce::isPositiveAndBelow (l.slot, capacity.busSlots))
            chain = busSlots[(std::size_t) l.slot];
        if (chain == nullptr)
            continue;
        if (auto v = l.lane.points.valueAtTick (plan.endTick))
            if (auto* node = chain->getNode (l.lane.node))
                node->setParameterRamp (l.lane.index, *v, n);
    }
}

void AudioGraph::postMeters() noexcept
{
    const bool playing = sequencer.isPlaying();
    const double positionTicks = sequencer.getPositionTicks();
    // Lossy on purpose: when nobody reads, the queue fills and meters are skipped, never blocked on.
    for (int i = 0; i < numRunning; ++i)
    {
        auto* chain = running[(std::size_t) i];
        if (! chain->isRenderDone())
            continue;
        const auto [l, r] = chain->takePeaks();
        if (! chain->removing)
            queues.status.try_enqueue ({ Status::Type::meter, ChainKind::instrument, playing, chain->slot, chain->getSerial(), l, r, positionTicks });
    }
    for (int i = 0; i < numRunningBuses; ++i)
    {
        auto* chain = runningBuses[(std::size_t) i];
        if (! chain->isRenderDone())
            continue;
        const auto [l, r] = chain->takePeaks();
        if (! chain->removing)
            queues.status.try_enqueue ({ Status::Type::meter, ChainKind::bus, playing, chain->slot, chain->getSerial(), l, r, positionTicks });
    }
    if (master != nullptr)
    {
        const auto [l, r] = master->takePeaks();
        queues.status.try_enqueue ({ Status::Type::meter, ChainKind::master, playing, 0, master->getSerial(), l, r, positionTicks });
    }
    queues.status.try_enqueue ({ Status::Type::playhead, ChainKind::master, playing, 0, 0, 0.0f, 0.0f, positionTicks });
}

std::vector<Event> AudioGraph::releaseEverything()
{
    drainCommands();
    std::vector<Event> left;
    auto give = [&] (const Event& e)
    {
        if (! queues.events.try_enqueue (e))
            left.push_back (e);
    };
    flushPendingEvents();
    for (int i = 0; i < numPendingEvents; ++i)
        left.push_back (pendingEvents[(std::size_t) i]);
    numPendingEvents = 0;
    for (int i = 0; i < numRunning; ++i)
        give ({ Event::Type::retiredInstrument, running[(std::size_t) i]->slot, running[(std::size_t) i] });
    for (int i = 0; i < numRunningBuses; ++i)
        give ({ Event::Type::retiredBus, runningBuses[(std::size_t) i]->slot, runningBuses[(std::size_t) i] });
    for (int i = 0; i < numRunningMasters; ++i)
        give ({ Event::Type::retiredMaster, 0, runningMasters[(std::size_t) i] });
    if (auto* global = sequencer.exchangeGlobal (nullptr))
        give ({ Event::Type::retiredGlobalSequence, 0, global });
    for (auto& recorder : recorders)
        if (recorder != nullptr)
            give ({ Event::Type::retiredRecorder, 0, std::exchange (recorder, nullptr) });
    std::fill (instrumentSlots.begin(), instrumentSlots.end(), nullptr);
    std::fill (running.begin(), running.end(), nullptr);
    std::fill (fadingOut.begin(), fadingOut.end(), nullptr);
    numFadingOut = 0;
    std::fill (busSlots.begin(), busSlots.end(), nullptr);
    std::fill (busInputTargets.begin(), busInputTargets.end(), nullptr);
    std::fill (busChainsPerSlot.begin(), busChainsPerSlot.end(), 0);
    std::fill (runningBuses.begin(), runningBuses.end(), nullptr);
    std::fill (runningMasters.begin(), runningMasters.end(), nullptr);
    numRunning = numRunningBuses = numRunningMasters = 0;
    master = nullptr;
    return left;
}

} // namespace imbolc::engine
