namespace imbolc::engine
{

namespace
{
    constexpr int maxOutstandingRoutings = 1024;

    AudioGraph::Capacity capacityFor (const Engine::Options& o)
    {
        AudioGraph::Capacity c;
        c.instrumentSlots = o.instrumentSlots;
        c.busSlots = o.busSlots;
        c.runningInstruments = 2 * o.instrumentSlots;
        c.runningBuses = 2 * o.busSlots;
        c.runningMasters = 8;
        c.pendingEvents = c.runningInstruments + c.runningBuses + c.runningMasters + maxOutstandingRoutings;
        return c;
    }

    CommandBacklog::Limits limitsFor (const AudioGraph::Capacity& c)
    {
        return { c.runningInstruments, c.runningBuses, c.runningMasters, maxOutstandingRoutings };
    }
} // namespace

bool tuneProcessAllocatorForRealtime()
{
#if defined(__GLIBC__)
    // Made once per process (a static's initialisation is thread-safe); every later call reports it.
    static const bool tuned = []
    {
        const bool mmapThreshold = mallopt (M_MMAP_THRESHOLD, 64 * 1024 * 1024) == 1;
        const bool trimThreshold = mallopt (M_TRIM_THRESHOLD, 1024 * 1024 * 1024) == 1;
        return mmapThreshold && trimThreshold;
    }();
    return tuned;
#else
    return false;
#endif
}

Engine::Engine()
    : Engine (nullptr, Options {}) {}

Engine::Engine (std::unique_ptr<NodeFactory> f, Options o)
    : options (o), factory (f != nullptr ? std::move (f) : std::make_unique<NodeFactory>()), priorityQueue ((std::size_t) o.priorityQueueSize), normalQueue ((std::size_t) o.normalQueueSize), eventQueue ((std::size_t) capacityFor (o).pendingEvents), statusQueue ((std::size_t) (2 * (o.instrumentSlots + o.busSlots) + 64)), commands (priorityQueue, normalQueue, normalConsumed, limitsFor (capacityFor (o))), externalNotes (o.externalNoteCapacity), midiOut (o.midiOutCapacity), graph (capacityFor (o), { priorityQueue, normalQueue, eventQueue, statusQueue, normalConsumed, externalNotes, midiOut }), busChainsOutstanding ((std::size_t) o.busSlots, 0), busSlotAbandoned ((std::size_t) o.busSlots, false)
{
    for (int s = o.instrumentSlots; --s >= 0;)
        freeInstrumentSlots.push_back (s);
    for (int s = o.busSlots; --s >= 0;)
        freeBusSlots.push_back (s);
    graph.setRenderWorkers (o.renderWorkers < 0 ? RenderWorkers::workersForThisMachine() : juce::jmin (o.renderWorkers, RenderWorkers::maxWorkers), o.waitForLateWorkers);
    factory->setPluginSandbox (o.pluginSandbox);
    prepare (sampleRate, maxBlockSize);
    rebuildMaster ({});
}

Engine::~Engine()
{
    // The audio thread has stopped: drive the graph from here until everything has come back.
    for (int guard = 0; guard < 1000 && commands.hasBacklog(); ++guard)
    {
        commands.flush();
        graph.drainCommands();
        Event e;
        while (eventQueue.try_dequeue (e))
            handleEvent (e);
    }
    for (const auto& c : commands.takeUnsentObjects())
        destroyObject ({ c.type == Command::Type::installInstrument   ? Event::Type::retiredInstrument
                         : c.type == Command::Type::installBus        ? Event::Type::retiredBus
                         : c.type == Command::Type::installMaster     ? Event::Type::retiredMaster
                         : c.type == Command::Type::setSequence       ? Event::Type::retiredSequence
                         : c.type == Command::Type::setGlobalSequence ? Event::Type::retiredGlobalSequence
                         : c.type == Command::Type::attachRecorder    ? Event::Type::retiredRecorder
                         : c.type == Command::Type::setCompensation   ? Event::Type::retiredDelayMemory
                                                                      : Event::Type::retiredRouting,
                         c.slot,
                         c.object });
    for (const auto& e : graph.releaseEverything())
        destroyObject (e);
    Event e;
    while (eventQueue.try_dequeue (e))
        destroyObject (e);
}

void Engine::prepare (double newSampleRate, int newMaxBlockSize)
{
    jassert (newSampleRate > 0.0 && newMaxBlockSize > 0);
    // Everything still waiting was built for the old settings: hand it all over first (the audio thread
    // is stopped, so the graph can be driven from here), then re-prepare what is installed.
    for (int guard = 0; guard < 100000 && commands.hasBacklog(); ++guard)
    {
        commands.flush();
        graph.drainCommands();
        Event e;
        while (eventQueue.try_dequeue (e))
            handleEvent (e);
    }
    sampleRate = newSampleRate > 0.0 ? newSampleRate : 48000.0;
    maxBlockSize = juce::jmax (1, newMaxBlockSize);
    factory->setPluginDefaults (sampleRate, maxBlockSize);
    graph.prepare (sampleRate, maxBlockSize, fadeSamples(), juce::jmax (1, juce::roundToInt (options.meterIntervalSeconds * sampleRate)));
    update();
}

//==============================================================================
void Engine::destroyObject (const Event& e)
{
    switch (e.type)
    {
        case Event::Type::retiredInstrument:
            delete static_cast<InstrumentChain*> (e.object);
            ++destroyedChains;
            return;
        case Event::Type::retiredBus:
            delete static_cast<BusChain*> (e.object);
            ++destroyedChains;
            return;
        case Event::Type::retiredMaster:
            delete static_cast<MasterChain*> (e.object);
            ++destroyedChains;
            return;
        case Event::Type::retiredRouting:
            delete static_cast<RoutingSpec*> (e.object);
            return;
        case Event::Type::retiredSequence:
            delete static_cast<InstrumentSequence*> (e.object);
            return;
        case Event::Type::retiredGlobalSequence:
            delete static_cast<GlobalSequence*> (e.object);
            return;
        case Event::Type::retiredDelayMemory:
            delete static_cast<CompensationDelay::Memory*> (e.object);
            return;
        case Event::Type::retiredRecorder:
        {
            std::unique_ptr<InputRecorder> recorder (static_cast<InputRecorder*> (e.object));
            // The player heard the song late by the engine's latency too (delay compensation).
            auto take = recorder->finish (recordingLatency + getOutputLatencySamples());
            if (take.droppedSamples > 0)
                warnings.push_back ("The take '" + take.file.getFileName() + "' lost " + juce::String (take.droppedSamples) + " samples: the disk could not keep up.");
            recordedTakes.push_back (std::move (take));
            return;
        }
    }
}

void Engine::handleEvent (const Event& e)
{
    commands.objectReturned (e.type);
    if (e.type == Event::Type::retiredBus && juce::isPositiveAndBelow (e.slot, options.busSlots))
    {
        auto& count = busChainsOutstanding[(std::size_t) e.slot];
        if (--count == 0 && busSlotAbandoned[(std::size_t) e.slot])
        {
            busSlotAbandoned[(std::size_t) e.slot] = false;
            freeBusSlots.push_back (e.slot);
        }
    }
    destroyObject (e);
}

void Engine::update()
{
    // Sandboxed plugins that crashed or hang: silenced by their nodes already, killed, named, restarted.
    factory->superviseSandboxes();

    Event e;
    while (eventQueue.try_dequeue (e))
        handleEvent (e);

    // A hosted plugin may have reported a new latency since: the delays follow.
    syncCompensation();
    commands.flush();

    Status s;
    while (statusQueue.try_dequeue (s))
    {
        if (s.type == Status::Type::playhead)
        {
            playheadTicks = s.ticks;
            playing = s.playing;
            continue;
        }
        const Meter m { s.left, s.right };
        if (s.chain == ChainKind::master)
            masterMeter = m;
        else if (s.chain == ChainKind::instrument)
        {
            if (auto it = instrumentIdBySerial.find (s.serial); it != instrumentIdBySerial.end())
                if (auto* ref = refFor (model::NodeKind::instrument, it->second); ref != nullptr && ref->serial == s.serial)
                    ref->meter = m;
        }
        else if (auto it = busIdBySerial.find (s.serial); it != busIdBySerial.end())
        {
            if (auto* ref = refFor (model::NodeKind::bus, it->second); ref != nullptr && ref->serial == s.serial)
                ref->meter = m;
        }
    }
}

Engine::Meter Engine::getInstrumentMeter (model::InstrumentId id) const
{
    auto it = instruments.find (id.value);
    return it != instruments.end() ? it->second.meter : Meter {};
}

Engine::Meter Engine::getBusMeter (model::BusId id) const
{
    auto it = buses.find (id.value);
    return it != buses.end() ? it->second.meter : Meter {};
}

std::vector<juce::String> Engine::takeWarnings()
{
    // The factory reports as it builds: samples and plugins that could not be loaded.
    auto all = factory->takeWarnings();
    for (auto& w : factory->takePluginWarnings())
        all.push_back (std::move (w));
    for (auto& w : std::exchange (warnings, {}))
        all.push_back (std::move (w));
    return all;
}

int Engine::getOutputLatencySamples() const noexcept
{
    return measureLatencies().total();
}

Engine::Stats Engine::getStats() const noexcept
{
    return { commands.getNumWaiting(), commands.getNumChainsOut(), destroyedChains, commands.getNumCoalesced() };
}

//==============================================================================
Engine::ChainRef* Engine::refFor (model::NodeKind kind, std::uint32_t id)
{
    switch (kind)
    {
        case model::NodeKind::instrument:
        {
            auto it = instruments.find (id);
            return it != instruments.end() && it->second.slot >= 0 ? &it->second : nullptr;
        }
        case model::NodeKind::bus:
        {
            auto it = buses.find (id);
            return it != buses.end() && it->second.slot >= 0 ? &it->second : nullptr;
        }
        case model::NodeKind::master:
            return &masterRef;
    }
    return nullptr;
}

//==============================================================================
std::optional<Command> Engine::resolveParam (const model::ParamAddress& a, float value)
{
    using model::ParamGroup;
    auto* ref = refFor (a.node, a.nodeId);
    if (ref == nullptr)
        return std::nullopt;

    Command c;
    c.type = Command::Type::setParam;
    c.chain = a.node == model::NodeKind::instrument ? ChainKind::instrument : a.node == model::NodeKind::bus ? ChainKind::bus
                                                                                                             : ChainKind::master;
    c.slot = ref->slot;
    c.serial = ref->serial;
    c.value = value;
    c.index = a.index;

    switch (a.group)
    {
        case ParamGroup::source:
            if (a.node != model::NodeKind::instrument)
                return std::nullopt;
            c.node = 0;
            return c;
        case ParamGroup::amp:
            if (a.node != model::NodeKind::instrument)
                return std::nullopt;
            c.node = 0;
            c.index = (std::uint16_t) (ref->ampOffset + a.index);
            return c;
        case ParamGroup::stage:
        {
            auto it = ref->stageNodes.find (a.itemId);
            if (it == ref->stageNodes.end())
                return std::nullopt;
            c.node = (std::uint16_t) it->second;
            return c;
        }
        case ParamGroup::strip:
            c.node = (std::uint16_t) (ref->numStages + 1);
            return c;
        case ParamGroup::send:
        {
            auto it = std::find (ref->sendBuses.begin(), ref->sendBuses.end(), a.itemId);
            if (it == ref->sendBuses.end())
                return std::nullopt;
            c.type = Command::Type::setSendLevel;
            c.index = (std::uint16_t) (it - ref->sendBuses.begin());
            return c;
        }
        case ParamGroup::lfo:
            // The LFO is rendered by the built-in instruments (the sound issue); nothing to set yet.
            return std::nullopt;
    }
    return std::nullopt;
}

void Engine::setParam (const model::ParamAddress& a, float value)
{
    if (auto c = resolveParam (a, value))
        sendPriority (*c, refFor (a.node, a.nodeId));
}

std::optional<float> Engine::getParameterTargetWhileStopped (const model::ParamAddress& a)
{
    return readParameterWhileStopped (a, false);
}

std::optional<float> Engine::getParameterValueWhileStopped (const model::ParamAddress& a)
{
    return readParameterWhileStopped (a, true);
}

std::optional<float> Engine::readParameterWhileStopped (const model::ParamAddress& a, bool current)
{
    auto c = resolveParam (a, 0.0f);
    if (! c || c->type != Command::Type::setParam)
        return std::nullopt;
    if (auto* chain = graph.findChain (c->chain, c->slot, c->serial))
        if (auto* node = chain->getNode (c->node))
            return current ? node->getParameterValue (c->index) : node->getParameterTarget (c->index);
    return std::nullopt;
}

void Engine::setBypass (const model::AudioEffect& e)
{
    if (e.node == model::NodeKind::master)
        for (auto& stage : masterStages)
            if (stage.stageId == e.param.itemId)
                stage.bypassed = e.value > 0.5f;
    auto* ref = refFor (e.node, e.id);
    if (ref == nullptr)
        return;
    ref->compensation.setBypassed (e.param.itemId, e.value > 0.5f);
    auto it = ref->stageNodes.find (e.param.itemId);
    if (it == ref->stageNodes.end())
        return;
    Command c;
    c.type = Command::Type::setBypass;
    c.chain = e.node == model::NodeKind::instrument ? ChainKind::instrument : e.node == model::NodeKind::bus ? ChainKind::bus
                                                                                                             : ChainKind::master;
    c.slot = ref->slot;
    c.serial = ref->serial;
    c.node = (std::uint16_t) it->second;
    c.value = e.value;
    sendPriority (c, ref);
}

void Engine::reroute (const model::Session& session, model::InstrumentId id)
{
    const auto* inst = session.instruments.find (id);
    auto* ref = refFor (model::NodeKind::instrument, id.value);
    if (inst == nullptr || ref == nullptr)
        return;
    Command c;
    c.type = Command::Type::setRouting;
    c.slot = ref->slot;
    c.serial = ref->serial;
    auto* routing = new RoutingSpec (buildRouting (*inst, *ref));
    ref->compensation.preSends = std::any_of (routing->sends.begin(), routing->sends.begin() + routing->numSends, [] (const auto& send)
                                              { return send.preInsert; });
    c.object = routing;
    sendNormal (c, ref);
}

bool Engine::noteSolo (model::NodeKind kind, std::uint32_t id, bool solo)
{
    auto& soloed = kind == model::NodeKind::instrument ? soloedInstruments : soloedBuses;
    const bool before = soloed.empty();
    if (solo)
        soloed.insert (id);
    else
        soloed.erase (id);
    return before != soloed.empty();
}

bool Engine::effectiveMute (model::NodeKind kind, bool mute, bool solo) const
{
    // Solo is resolved here, so the audio thread only ever sees "muted or not" per chain.
    const auto& soloed = kind == model::NodeKind::instrument ? soloedInstruments : soloedBuses;
    return mute || (! soloed.empty() && ! solo);
}

void Engine::sendMute (model::NodeKind kind, std::uint32_t id, bool muted)
{
    auto* ref = refFor (kind, id);
    if (ref == nullptr || ref->muted == muted)
        return;
    ref->muted = muted;
    Command c;
    c.type = Command::Type::setMuted;
    c.chain = kind == model::NodeKind::instrument ? ChainKind::instrument : kind == model::NodeKind::bus ? ChainKind::bus
                                                                                                         : ChainKind::master;
    c.slot = ref->slot;
    c.serial = ref->serial;
    c.value = muted ? 1.0f : 0.0f;
    sendPriority (c, ref);
}

void Engine::refreshMutes (const model::Session& session, model::NodeKind kind)
{
    // Only when solo appears or disappears for a kind: every chain of that kind may change.
    if (kind == model::NodeKind::instrument)
        for (const auto& inst : session.instruments)
            sendMute (kind, inst.id.value, effectiveMute (kind, inst.strip.mute, inst.strip.solo));
    else if (kind == model::NodeKind::bus)
        for (const auto& bus : session.mixer.buses)
            sendMute (kind, bus.id.value, effectiveMute (kind, bus.mute, bus.solo));
}

void Engine::updateSwitches (const model::Session& session, model::NodeKind kind, std::uint32_t id)
{
    if (kind == model::NodeKind::master)
    {
        sendMute (kind, 0, session.mixer.master.mute);
        return;
    }
    bool mute = false, solo = false;
    if (kind == model::NodeKind::instrument)
    {
        const auto* inst = session.instruments.find (model::InstrumentId { id });
        if (inst == nullptr)
            return;
        mute = inst->strip.mute;
        solo = inst->strip.solo;
    }
    else
    {
        const auto* bus = session.mixer.buses.find (model::BusId { id });
        if (bus == nullptr)
            return;
        mute = bus->mute;
        solo = bus->solo;
    }
    if (noteSolo (kind, id, solo))
        refreshMutes (session, kind);
    else
        sendMute (kind, id, effectiveMute (kind, mute, solo));
}

void Engine::sendTransport (const model::Session& session)
{
    if (session.settings.bpm != lastSentTempo)
    {
        lastSentTempo = session.settings.bpm;
        Command c;
        c.type = Command::Type::setTempo;
        c.value = (float) session.settings.bpm;
        sendPriority (c, nullptr);
    }
    if (session.transport.position != lastSentPosition)
    {
        lastSentPosition = session.transport.position;
        Command c;
        c.type = Command::Type::locate;
        c.position = session.transport.position;
        sendPriority (c, nullptr);
    }
    if (session.transport.playing != lastSentPlaying)
    {
        lastSentPlaying = session.transport.playing;
        Command c;
        c.type = session.transport.playing ? Command::Type::play : Command::Type::stop;
        sendPriority (c, nullptr);
    }
}

//==============================================================================
void Engine::setRecordingFolder (const juce::File& folder)
{
    recordingFolder = folder;
}

juce::File Engine::getRecordingFolder() const
{
    return recordingFolder != juce::File() ? recordingFolder : juce::File::getSpecialLocation (juce::File::tempDirectory).getChildFile ("Imbolc recordings");
}

void Engine::syncRecording (const model::Session& session)
{
    const bool wanted = session.transport.playing && session.transport.recording;
    if (wanted == recordingActive)
        return;
    recordingActive = wanted;
    if (! wanted)
    {
        // Behind the stop in the same block (priority commands are applied first): the last sample
        // written is the last one the song played.
        for (const int slot : std::exchange (recorderSlots, {}))
        {
            Command c;
            c.type = Command::Type::detachRecorder;
            c.index = (std::uint16_t) slot;
            sendNormal (c, nullptr);
        }
        return;
    }
    if (diskThread == nullptr)
    {
        diskThread = std::make_unique<juce::TimeSliceThread> ("Imbolc recorder");
        diskThread->startThread();
    }
    const auto folder = getRecordingFolder();
    for (const auto& inst : session.instruments)
    {
        if (! inst.recordArmed || inst.source.kind != model::SourceKind::audioInput || inst.backend != model::Backend::internal)
            continue;
        if ((int) recorderSlots.size() >= AudioGraph::maxRecorders)
        {
            warnings.push_back ("Instrument '" + juce::String (inst.name) + "' is not recorded: at most " + juce::String (AudioGraph::maxRecorders) + " inputs record at once.");
            continue;
        }
        const auto name = juce::File::createLegalFileName (juce::String (inst.name).trim()).replaceCharacter (' ', '-');
        const auto file = folder.getNonexistentChildFile ((name.isEmpty() ? juce::String ("Input") : name) + "-take", ".wav", false);
        auto recorder = std::make_unique<InputRecorder> (inst.id, inst.source.inputChannel, file, sampleRate, maxBlockSize, *diskThread);
        if (! recorder->isOpen())
        {
            warnings.push_back ("Instrument '" + juce::String (inst.name) + "' is not recorded: " + recorder->getError() + ".");
            continue;
        }
        const int slot = (int) recorderSlots.size();
        recorderSlots.push_back (slot);
        Command c;
        c.type = Command::Type::attachRecorder;
        c.index = (std::uint16_t) slot;
        c.object = recorder.release();
        sendNormal (c, nullptr);
    }
}

//==============================================================================
void Engine::loadSession (const model::Session& session)
{
    arrangement.invalidate(); // before any chain is built: each one's sequence reads it
    std::vector<std::uint32_t> oldInstruments, oldBuses;
    for (const auto& [id, ref] : instruments)
        oldInstruments.push_back (id);
    for (const auto& [id, ref] : buses)
        oldBuses.push_back (id);
    for (auto id : oldInstruments)
        removeInstrument (session, model::InstrumentId { id });
    for (auto id : oldBuses)
        removeBus (session, model::BusId { id });

    rebuildMaster (session.mixer.master);
    // Solo first, so every chain is built with its final mute and no refresh is needed.
    for (const auto& bus : session.mixer.buses)
        noteSolo (model::NodeKind::bus, bus.id.value, bus.solo);
    for (const auto& inst : session.instruments)
        noteSolo (model::NodeKind::instrument, inst.id.value, inst.strip.solo);
    for (const auto& bus : session.mixer.buses)
        addOrRebuildBus (session, bus);
    for (const auto& inst : session.instruments)
        addInstrument (session, inst);

    laneTargets.clear();
    for (const auto& lane : session.automation)
        laneTargets[lane.id.value] = lane.target;
    rebuildGlobal (session);

    lastSentTempo = 0.0;
    lastSentPosition = -1;
    lastSentPlaying = ! session.transport.playing;
    sendTransport (session);
    syncBusOrder (session);
    refreshMacros (session);
    syncRecording (session);
    syncCompensation();
}

void Engine::apply (const model::Session& session, const std::vector<model::AudioEffect>& effects)
{
    using K = model::AudioEffect::Kind;
    // Macros name chains by slot and serial and sends by position: any edit that rebuilds, removes or
    // reroutes a chain (or the map itself) re-resolves them once, after the edit's own commands.
    bool macrosMayMove = false;
    for (const auto& e : effects)
    {
        switch (e.kind)
        {
            case K::reroute:
            case K::rebuildInstrument:
            case K::addInstrument:
            case K::deleteInstrument:
            case K::addBus:
            case K::deleteBus:
            case K::rebuildBus:
            case K::rebuildMaster:
            case K::fullRebuild:
            case K::updateMacros:
            case K::pluginIsolation:
                macrosMayMove = true;
                break;
            default:
                break;
        }
        switch (e.kind)
        {
            case K::setParam:
                if (e.param.group == model::ParamGroup::lfo)
                {
                    if (const auto* inst = session.instruments.find (model::InstrumentId { e.param.nodeId }))
                        sendLfo (*inst);
                }
                else
                {
                    setParam (e.param, e.value);
                }
                break;
            case K::setStripSwitches:
                updateSwitches (session, e.node, e.id);
                break;
            case K::setBypass:
                setBypass (e);
                break;
            case K::reroute:
                reroute (session, model::InstrumentId { e.id });
                break;
            case K::updateInstrument:
                // Voice cap and LFO: one small command each; the chain itself is unchanged.
                if (const auto* inst = session.instruments.find (model::InstrumentId { e.id }))
                {
                    setVoiceLimit (*inst);
                    sendLfo (*inst);
                    sendMidiChannel (*inst);
                    sendMidiOutput (*inst);
                }
                break;
            case K::addInstrument:
            case K::rebuildInstrument:
                if (const auto* inst = session.instruments.find (model::InstrumentId { e.id }))
                    addInstrument (session, *inst);
                break;
            case K::deleteInstrument:
                removeInstrument (session, model::InstrumentId { e.id });
                break;
            case K::addBus:
            case K::rebuildBus:
                if (const auto* bus = session.mixer.buses.find (model::BusId { e.id }))
                    addOrRebuildBus (session, *bus);
                rebuildGlobal (session); // bus lanes address the bus's new chain
                break;
            case K::deleteBus:
                removeBus (session, model::BusId { e.id });
                rebuildGlobal (session);
                break;
            case K::rebuildMaster:
                rebuildMaster (session.mixer.master);
                rebuildGlobal (session);
                break;
            case K::updateTrack:
                // One track's notes changed: only that instrument's sequence is rebuilt (in song mode
                // the piano roll is not what plays, so there is nothing to do).
                if (session.arrangement.mode == model::PlayMode::pattern)
                    rebuildSequence (session, model::InstrumentId { e.id });
                break;
            case K::updateLane:
                laneChanged (session, model::LaneId { e.id });
                break;
            case K::updateArrangement:
                arrangement.invalidate();
                rebuildAllSequences (session);
                rebuildGlobal (session);
                break;
            case K::updateTiming:
                // Swing is baked into the sequences; tempo and loop live in the global sequence.
                rebuildAllSequences (session);
                rebuildGlobal (session);
                sendTransport (session);
                break;
            case K::transport:
                if (e.id == 1)
                    lastSentPosition = -1; // a locate jumps even to the tick it jumped to before
                sendTransport (session);
                break;
            case K::fullRebuild:
                loadSession (session);
                break;
            case K::updateDrumPattern:
                // The pattern plays in both play modes: its sequence is rebuilt whichever is active.
                rebuildSequence (session, model::InstrumentId { e.id });
                break;
            case K::setDrumPad:
                setDrumPad (session, model::InstrumentId { e.id }, e.param.index);
                break;
            case K::updateMacros:
                break; // refreshMacros below
            case K::pluginIsolation:
                rebuildPluginChains (session);
                break;
        }
    }
    // Buses' direct outputs follow the mixer order, which any bus edit may have shifted.
    syncBusOrder (session);
    syncRecording (session);
    if (macrosMayMove)
        refreshMacros (session);
    syncCompensation();
}

void Engine::rebuildPluginChains (const model::Session& session)
{
    auto holdsPlugin = [] (const std::vector<model::Stage>& chain)
    {
        return std::any_of (chain.begin(), chain.end(), [] (const model::Stage& s)
                            { return s.kind == model::StageKind::effect && s.effect == model::EffectType::plugin; });
    };
    for (const auto& inst : session.instruments)
        if (inst.source.kind == model::SourceKind::plugin || holdsPlugin (inst.chain))
            addInstrument (session, inst);
    bool busesChanged = false;
    for (const auto& bus : session.mixer.buses)
        if (holdsPlugin (bus.chain))
        {
            addOrRebuildBus (session, bus);
            busesChanged = true;
        }
    if (holdsPlugin (session.mixer.master.chain))
    {
        rebuildMaster (session.mixer.master);
        busesChanged = true;
    }
    if (busesChanged)
        rebuildGlobal (session); // bus and master lanes address the new chains
}

MacroTarget Engine::resolveMacro (const model::Session& session, const model::Macro& m)
{
    if (! m.assigned)
        return {};
    return resolveTarget (session, m.param, m.from, m.to);
}

MacroTarget Engine::resolveTarget (const model::Session& session, const model::ParamAddress& param, float from, float to)
{
    MacroTarget t;
    // The model's range, not the node's: the span is clamped into it so the audio thread only
    // interpolates (a source change may have left an older span outside a new range).
    const auto info = model::findParam (session, param);
    auto c = info ? resolveParam (param, 0.0f) : std::nullopt;
    if (! c)
        return t; // a parameter the engine has no node for (an LFO's, a stale stage): it drives nothing
    t.kind = c->type == Command::Type::setSendLevel ? MacroTarget::Kind::sendLevel : MacroTarget::Kind::nodeParam;
    t.chain = c->chain;
    t.slot = c->slot;
    t.serial = c->serial;
    t.node = c->node;
    t.index = c->index;
    t.from = juce::jlimit (info->minValue, info->maxValue, from);
    t.to = juce::jlimit (info->minValue, info->maxValue, to);
    return t;
}

void Engine::refreshMacros (const model::Session& session)
{
    for (int k = 0; k < model::numMacros; ++k)
    {
        const auto target = resolveMacro (session, session.macros[(std::size_t) k]);
        auto& sent = sentMacros[(std::size_t) k];
        if (target == sent)
            continue;
        sent = target;
        Command c;
        c.type = Command::Type::setMacro;
        c.chain = target.chain;
        c.slot = target.slot;
        c.serial = target.serial;
        c.node = target.node;
        c.index = target.index;
        c.value = target.from;
        c.value2 = target.to;
        c.position = (std::int64_t) k | ((std::int64_t) target.kind << 8);
        // Behind the installs of the chains it names, which are normal commands too.
        sendNormal (c, nullptr);
    }

    // MIDI mappings are macros driven by a controller instead of a host: the same targets, resolved
    // and re-resolved the same way, in slots of their own.
    const auto& mappings = session.settings.midiMappings;
    for (int k = 0; k < model::maxMidiMappings; ++k)
    {
        MidiMapTarget m;
        if (k < (int) mappings.size())
        {
            const auto& mapping = mappings[(std::size_t) k];
            m.target = resolveTarget (session, mapping.param, mapping.min, mapping.max);
            m.source = mapping.source;
            m.channel = (std::uint8_t) juce::jlimit (0, 16, (int) mapping.channel);
            m.controller = (std::uint8_t) juce::jlimit (0, 127, (int) mapping.controller);
            m.curve = mapping.curve;
        }
        auto& sent = sentMidiMaps[(std::size_t) k];
        if (m == sent)
            continue;
        sent = m;
        Command c;
        c.type = Command::Type::setMacro;
        c.chain = m.target.chain;
        c.slot = m.target.slot;
        c.serial = m.target.serial;
        c.node = m.target.node;
        c.index = m.target.index;
        c.value = m.target.from;
        c.value2 = m.target.to;
        c.position = m.pack (k);
        sendNormal (c, nullptr);
    }
}

std::vector<Engine::LiveMidi> Engine::takeLiveMidi()
{
    std::vector<LiveMidi> out;
    CapturedMidi m;
    while (graph.popCapturedMidi (m))
    {
        LiveMidi live;
        live.kind = m.kind;
        live.channel = m.channel;
        live.number = m.number;
        live.value = m.value;
        live.tick = m.tick;
        live.playing = m.playing;
        live.countingIn = m.countingIn;
        live.pass = m.pass;
        live.sampleTime = m.sampleTime;
        // By serial; a chain replaced since (its serial forgotten) leaves the message without one.
        if (m.slot >= 0)
            if (auto it = instrumentIdBySerial.find (m.serial); it != instrumentIdBySerial.end())
                live.instrument = model::InstrumentId { it->second };
        out.push_back (live);
    }
    return out;
}

void Engine::startCountIn (const model::Session& session, int bars)
{
    const auto& s = session.settings;
    const auto beatTicks = (double) model::ticksPerBeat * 4.0 / (double) juce::jmax (1, s.timeSigDenominator);
    const auto beatsPerBar = juce::jmax (1, s.timeSigNumerator);
    const auto length = beatTicks * beatsPerBar * juce::jmax (0, bars);
    Command c;
    c.type = Command::Type::countIn;
    c.position = -(model::Tick) std::llround (length); // from where the song stands
    c.value = (float) length;
    c.value2 = (float) beatTicks;
    c.index = (std::uint16_t) beatsPerBar;
    sendPriority (c, nullptr);
    // The engine now plays: the Play action that follows must not be taken for a change.
    lastSentPlaying = true;
}

void Engine::sendMidiChannel (const model::Instrument& inst)
{
    sendChannel (inst.id, Command::Type::setMidiChannel, &ChainRef::midiChannel, inst.midiChannel);
}

void Engine::sendMidiOutput (const model::Instrument& inst)
{
    sendChannel (inst.id, Command::Type::setMidiOutput, &ChainRef::midiOutputChannel, inst.midiOutputChannel);
}

void Engine::sendChannel (model::InstrumentId id, Command::Type type, int ChainRef::*lastSent, int channel)
{
    auto* ref = refFor (model::NodeKind::instrument, id.value);
    if (ref == nullptr || ref->*lastSent == channel)
        return;
    ref->*lastSent = channel;
    Command c;
    c.type = type;
    c.slot = ref->slot;
    c.serial = ref->serial;
    c.value = (float) channel;
    sendPriority (c, ref);
}

void Engine::setDrumPad (const model::Session& session, model::InstrumentId id, int pad)
{
    const auto* inst = session.instruments.find (id);
    auto* ref = refFor (model::NodeKind::instrument, id.value);
    if (inst == nullptr || ref == nullptr || ! inst->source.isDrumKit() || ! inst->drums.hasPads() || inst->backend != model::Backend::internal
        || pad < 0 || pad >= DrumKitSynth::numPads)
        return;
    // Three targeted parameter changes to the kit's node (index 0 of the chain): nothing is rebuilt,
    // sounding voices glide to the new level, and a new tune or decay applies from the next chunk.
    const auto& settings = inst->drums.pads[(std::size_t) pad];
    const std::pair<DrumKitSynth::PadParameter, float> values[] = { { DrumKitSynth::padLevel, settings.level },
                                                                    { DrumKitSynth::padTune, settings.tune },
                                                                    { DrumKitSynth::padDecay, settings.decay } };
    for (const auto& [which, value] : values)
    {
        Command c;
        c.type = Command::Type::setParam;
        c.chain = ChainKind::instrument;
        c.slot = ref->slot;
        c.serial = ref->serial;
        c.node = 0;
        c.index = (std::uint16_t) DrumKitSynth::padParameterIndex (ref->ampOffset, pad, which);
        c.value = value;
        sendPriority (c, ref);
    }
}

void Engine::setVoiceLimit (const model::Instrument& inst)
{
    auto* ref = refFor (model::NodeKind::instrument, inst.id.value);
    if (ref == nullptr || ref->voiceCap == inst.voiceCap)
        return;
    ref->voiceCap = inst.voiceCap;
    Command c;
    c.type = Command::Type::setVoiceLimit;
    c.slot = ref->slot;
    c.serial = ref->serial;
    c.value = (float) inst.voiceCap;
    sendPriority (c, ref);
}

NodeProcessor* Engine::getSourceWhileStopped (model::InstrumentId id)
{
    auto* ref = refFor (model::NodeKind::instrument, id.value);
    if (ref == nullptr)
        return nullptr;
    auto* chain = graph.findChain (ChainKind::instrument, ref->slot, ref->serial);
    return chain != nullptr ? chain->getNode (0) : nullptr;
}

void Engine::noteOn (model::InstrumentId id, int noteNumber, float velocity)
{
    if (auto* ref = refFor (model::NodeKind::instrument, id.value))
    {
        Command c;
        c.type = Command::Type::noteOn;
        c.slot = ref->slot;
        c.serial = ref->serial;
        c.index = (std::uint16_t) juce::jlimit (0, 127, noteNumber);
        c.value = juce::jlimit (0.0f, 1.0f, velocity);
        sendPriority (c, ref);
    }
}

void Engine::noteOff (model::InstrumentId id, int noteNumber)
{
    if (auto* ref = refFor (model::NodeKind::instrument, id.value))
    {
        Command c;
        c.type = Command::Type::noteOff;
        c.slot = ref->slot;
        c.serial = ref->serial;
        c.index = (std::uint16_t) juce::jlimit (0, 127, noteNumber);
        sendPriority (c, ref);
    }
}

void Engine::allNotesOff (model::InstrumentId id)
{
    if (auto* ref = refFor (model::NodeKind::instrument, id.value))
    {
        Command c;
        c.type = Command::Type::allNotesOff;
        c.slot = ref->slot;
        c.serial = ref->serial;
        sendPriority (c, ref);
    }
}

//==============================================================================
std::vector<model::Action> Engine::capturePluginStates (const model::Session& session)
{
    std::vector<model::Action> actions;
    auto captureChain = [&] (model::NodeKind kind, std::uint32_t id, const ChainRef& ref, const model::Source* source, const std::vector<model::Stage>& chain)
    {
        for (const auto& [stageId, node] : ref.plugins)
        {
            const model::PluginRef* stored = nullptr;
            if (stageId == 0)
                stored = source != nullptr && source->kind == model::SourceKind::plugin ? &source->plugin : nullptr;
            else if (const auto* stage = model::findStage (chain, model::StageId { stageId }); stage != nullptr && stage->effect == model::EffectType::plugin)
                stored = &stage->plugin;
            // A node the model no longer has (its removal is still on its way) has nothing to store into.
            if (stored == nullptr || stored->identifier != node->getRef().identifier)
                continue;
            auto state = node->captureState();
            if (state != stored->state)
                actions.push_back (model::action::SetPluginState { kind, id, model::StageId { stageId }, std::move (state) });
        }
    };
    for (const auto& inst : session.instruments)
        if (auto it = instruments.find (inst.id.value); it != instruments.end())
            captureChain (model::NodeKind::instrument, inst.id.value, it->second, &inst.source, inst.chain);
    for (const auto& bus : session.mixer.buses)
        if (auto it = buses.find (bus.id.value); it != buses.end())
            captureChain (model::NodeKind::bus, bus.id.value, it->second, nullptr, bus.chain);
    captureChain (model::NodeKind::master, 0, masterRef, nullptr, session.mixer.master.chain);
    return actions;
}

juce::AudioPluginInstance* Engine::findPlugin (model::NodeKind kind, std::uint32_t nodeId, model::StageId stage)
{
    if (auto* ref = refFor (kind, nodeId))
        for (const auto& [stageId, node] : ref->plugins)
            if (stageId == stage.value)
                return node->getInProcessInstance();
    return nullptr;
}

void Engine::setPluginSandbox (const PluginSandboxOptions& o)
{
    factory->setPluginSandbox (o);
}

const PluginSandboxOptions& Engine::getPluginSandbox() const noexcept
{
    return factory->getPluginSandbox();
}

PluginSandbox* Engine::findSandbox (model::NodeKind kind, std::uint32_t nodeId, model::StageId stage)
{
    if (auto* ref = refFor (kind, nodeId))
        for (const auto& [stageId, node] : ref->plugins)
            if (stageId == stage.value)
                return node->getSandbox();
    return nullptr;
}

juce::Result Engine::restartPlugin (model::NodeKind kind, std::uint32_t nodeId, model::StageId stage)
{
    if (auto* box = findSandbox (kind, nodeId, stage))
        return box->restart();
    return juce::Result::fail ("There is no sandboxed plugin there to restart.");
}

juce::Result Engine::openPluginEditor (model::NodeKind kind, std::uint32_t nodeId, model::StageId stage)
{
    if (auto* box = findSandbox (kind, nodeId, stage))
        return box->openEditor();
    return juce::Result::fail ("There is no sandboxed plugin there (a plugin in process shows its editor in the app).");
}

juce::Result Engine::closePluginEditor (model::NodeKind kind, std::uint32_t nodeId, model::StageId stage)
{
    if (auto* box = findSandbox (kind, nodeId, stage))
        return box->closeEditor();
    return juce::Result::fail ("There is no sandboxed plugin there.");
}

//==============================================================================
void Engine::setMidiInputInstrument (model::InstrumentId id)
{
    midiInput = id;
    sendMidiTarget();
}

void Engine::sendMidiTarget()
{
    // Through the normal queue, so it lands after the install of the chain it names.
    Command c;
    c.type = Command::Type::setMidiTarget;
    c.slot = -1;
    if (auto it = instruments.find (midiInput.value); midiInput.isValid() && it != instruments.end() && it->second.slot >= 0)
    {
        c.slot = it->second.slot;
        c.serial = it->second.serial;
    }
    sendNormal (c, nullptr);
}

} // namespace imbolc::engine
