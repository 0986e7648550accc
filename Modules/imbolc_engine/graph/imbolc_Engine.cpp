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

    /** Chains come and go all session long, and their big buffers (delay lines) are megabytes. glibc
        would hand such blocks to mmap and give freed memory back to the system, so every new chain
        would fault its pages in afresh. Keeping freed memory in the process lets a new chain reuse
        pages that are already mapped: adding an instrument stays cheap however long the session runs.
        Process-wide, once; a no-op where glibc's mallopt is absent. */
    void keepFreedMemoryMapped()
    {
#if defined(__GLIBC__)
        static std::once_flag once;
        std::call_once (once, []
                        {
            mallopt (M_MMAP_THRESHOLD, 64 * 1024 * 1024);
            mallopt (M_TRIM_THRESHOLD, 1024 * 1024 * 1024); });
#endif
    }
} // namespace

Engine::Engine()
    : Engine (nullptr, Options {}) {}

Engine::Engine (std::unique_ptr<NodeFactory> f, Options o)
    : options (o), factory (f != nullptr ? std::move (f) : std::make_unique<NodeFactory>()), priorityQueue ((std::size_t) o.priorityQueueSize), normalQueue ((std::size_t) o.normalQueueSize), eventQueue ((std::size_t) capacityFor (o).pendingEvents), statusQueue ((std::size_t) (2 * (o.instrumentSlots + o.busSlots) + 64)), commands (priorityQueue, normalQueue, normalConsumed, limitsFor (capacityFor (o))), externalNotes (o.externalNoteCapacity), graph (capacityFor (o), { priorityQueue, normalQueue, eventQueue, statusQueue, normalConsumed, externalNotes }), busChainsOutstanding ((std::size_t) o.busSlots, 0), busSlotAbandoned ((std::size_t) o.busSlots, false)
{
    keepFreedMemoryMapped();
    for (int s = o.instrumentSlots; --s >= 0;)
        freeInstrumentSlots.push_back (s);
    for (int s = o.busSlots; --s >= 0;)
        freeBusSlots.push_back (s);
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
    Event e;
    while (eventQueue.try_dequeue (e))
        handleEvent (e);

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
    return all;
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

void Engine::carryPluginState (model::PluginRef& ref, std::uint32_t stageId, const std::vector<std::pair<std::uint32_t, PluginNode*>>& previousPlugins)
{
    // A rebuilt chain gets new plugin instances. When the model still holds the state the old instance
    // was loaded from (so the model has not asked for another), the new one starts from the old one's
    // live state: what the plugin changed in itself meanwhile (beyond its parameters) is kept.
    for (const auto& [id, node] : previousPlugins)
        if (id == stageId)
        {
            const auto& old = node->getRef();
            if (old.format == ref.format && old.identifier == ref.identifier && old.state == ref.state)
                ref.state = node->captureState();
            return;
        }
}

std::vector<StageSlot> Engine::buildStages (const std::vector<model::Stage>& chain, ChainRef& ref, const std::vector<std::pair<std::uint32_t, PluginNode*>>& previousPlugins)
{
    std::vector<StageSlot> stages;
    stages.reserve (chain.size());
    ref.stageNodes.clear();
    for (const auto& stage : chain)
    {
        StageSlot slot;
        if (stage.kind == model::StageKind::effect && stage.effect == model::EffectType::plugin && ! previousPlugins.empty())
        {
            auto live = stage;
            carryPluginState (live.plugin, stage.id.value, previousPlugins);
            slot.node = factory->createStage (live);
        }
        else
        {
            slot.node = factory->createStage (stage);
        }
        if (auto* plugin = dynamic_cast<PluginNode*> (slot.node.get()))
            ref.plugins.emplace_back (stage.id.value, plugin);
        slot.stageId = stage.id.value;
        slot.bypassed = stage.bypassed;
        ref.stageNodes[stage.id.value] = (int) stages.size() + 1;
        stages.push_back (std::move (slot));
    }
    ref.numStages = (int) stages.size();
    return stages;
}

RoutingSpec Engine::buildRouting (const model::Instrument& inst, ChainRef& ref) const
{
    RoutingSpec r;
    if (inst.strip.output.isValid())
        if (auto it = buses.find (inst.strip.output.value); it != buses.end())
            r.outputBusSlot = it->second.slot;
    ref.sendBuses.clear();
    for (const auto& send : inst.strip.sends)
    {
        auto it = buses.find (send.bus.value);
        if (it == buses.end() || it->second.slot < 0 || r.numSends >= RoutingSpec::maxSends)
            continue;
        r.sends[(std::size_t) r.numSends++] = { it->second.slot, send.bus.value, send.level, send.preInsert };
        ref.sendBuses.push_back (send.bus.value);
    }
    return r;
}

void Engine::addInstrument (const model::Session& session, const model::Instrument& inst)
{
    const bool soloChanged = noteSolo (model::NodeKind::instrument, inst.id.value, inst.strip.solo);
    auto& ref = instruments[inst.id.value];
    ref.muted = effectiveMute (model::NodeKind::instrument, inst.strip.mute, inst.strip.solo);
    if (ref.slot < 0)
    {
        if (freeInstrumentSlots.empty())
        {
            jassertfalse; // more live instruments than slots: Options::instrumentSlots is too small
            instruments.erase (inst.id.value);
            return;
        }
        ref.slot = freeInstrumentSlots.back();
        freeInstrumentSlots.pop_back();
    }
    instrumentIdBySerial.erase (ref.serial);
    ref.serial = nextSerial();
    ref.ampOffset = (int) inst.source.params.size();
    ref.voiceCap = inst.voiceCap;
    instrumentIdBySerial[ref.serial] = inst.id.value;

    const auto previousPlugins = std::exchange (ref.plugins, {});
    const bool external = inst.backend == model::Backend::superCollider;
    std::unique_ptr<NodeProcessor> source;
    if (external)
    {
        // Made here rather than by the factory, so every factory (tests' included) sequences external
        // instruments the same way; nothing of the factory's (plugins, samples) is wanted for them.
        source = std::make_unique<ExternalSourceNode> (inst, externalNotes);
    }
    else if (inst.source.kind == model::SourceKind::plugin && ! previousPlugins.empty())
    {
        auto live = inst;
        carryPluginState (live.source.plugin, 0, previousPlugins);
        source = factory->createSource (live);
    }
    else
    {
        source = factory->createSource (inst);
    }
    if (auto* plugin = dynamic_cast<PluginNode*> (source.get()))
        ref.plugins.emplace_back (0, plugin);
    // An external instrument's stages run on its renderer: here they would only process silence. Its
    // stage parameters then resolve to nothing, so their changes and lanes send nothing to this chain.
    auto stages = buildStages (external ? std::vector<model::Stage> {} : inst.chain, ref, previousPlugins);

    auto strip = std::make_unique<StripNode> (inst.strip.level, inst.strip.pan, true);
    strip->setMuted (ref.muted);
    auto routing = buildRouting (inst, ref);
    // The sequence's lanes resolve against ref.stageNodes, which buildStages has just filled.
    auto chain = std::make_unique<InstrumentChain> (inst.id, ref.serial, std::move (source), std::move (stages), std::move (strip), routing, makeSequence (session, inst));
    chain->slot = ref.slot;
    chain->prepare (sampleRate, maxBlockSize, fadeSamples());

    Command c;
    c.type = Command::Type::installInstrument;
    c.slot = ref.slot;
    c.serial = ref.serial;
    c.object = chain.release();
    sendNormal (c, &ref);
    if (inst.lfo.enabled)
        sendLfo (inst);
    if (soloChanged)
        refreshMutes (session, model::NodeKind::instrument);
}

void Engine::removeInstrument (const model::Session& session, model::InstrumentId id)
{
    auto it = instruments.find (id.value);
    if (it == instruments.end())
        return;
    const bool soloChanged = noteSolo (model::NodeKind::instrument, id.value, false);
    auto& ref = it->second;
    if (ref.slot >= 0)
    {
        Command c;
        c.type = Command::Type::removeInstrument;
        c.slot = ref.slot;
        c.serial = ref.serial;
        sendNormal (c, &ref);
        // The slot can be reused at once: the removal is ahead of any reuse in the normal queue, and
        // the serial check turns away stray commands for the old chain.
        freeInstrumentSlots.push_back (ref.slot);
    }
    instrumentIdBySerial.erase (ref.serial);
    instruments.erase (it);
    if (soloChanged)
        refreshMutes (session, model::NodeKind::instrument);
}

int Engine::allocateBusSlot()
{
    if (freeBusSlots.empty())
        update(); // slots of deleted buses come back as their fading chains retire
    if (freeBusSlots.empty())
        return -1;
    const int slot = freeBusSlots.back();
    freeBusSlots.pop_back();
    return slot;
}

void Engine::addOrRebuildBus (const model::Session& session, const model::Bus& bus)
{
    const bool soloChanged = noteSolo (model::NodeKind::bus, bus.id.value, bus.solo);
    auto& ref = buses[bus.id.value];
    ref.muted = effectiveMute (model::NodeKind::bus, bus.mute, bus.solo);
    if (ref.slot < 0)
    {
        ref.slot = allocateBusSlot();
        if (ref.slot < 0)
        {
            jassertfalse; // every bus slot is held by a fading bus: Options::busSlots is too small
            buses.erase (bus.id.value);
            return;
        }
    }
    busIdBySerial.erase (ref.serial);
    ref.serial = nextSerial();
    busIdBySerial[ref.serial] = bus.id.value;

    auto strip = std::make_unique<StripNode> (bus.level, bus.pan, true);
    strip->setMuted (ref.muted);
    auto chain = std::make_unique<BusChain> (bus.id, ref.serial, buildStages (bus.chain, ref, std::exchange (ref.plugins, {})), std::move (strip));
    chain->slot = ref.slot;
    chain->prepare (sampleRate, maxBlockSize, fadeSamples());
    ++busChainsOutstanding[(std::size_t) ref.slot];

    Command c;
    c.type = Command::Type::installBus;
    c.chain = ChainKind::bus;
    c.slot = ref.slot;
    c.serial = ref.serial;
    c.object = chain.release();
    sendNormal (c, &ref);
    if (soloChanged)
        refreshMutes (session, model::NodeKind::bus);
}

void Engine::removeBus (const model::Session& session, model::BusId id)
{
    auto it = buses.find (id.value);
    if (it == buses.end())
        return;
    const bool soloChanged = noteSolo (model::NodeKind::bus, id.value, false);
    auto& ref = it->second;
    if (ref.slot >= 0)
    {
        Command c;
        c.type = Command::Type::removeBus;
        c.chain = ChainKind::bus;
        c.slot = ref.slot;
        c.serial = ref.serial;
        sendNormal (c, &ref);
        // A fading bus chain still reads its slot's input, so the slot waits for its chains to retire.
        busSlotAbandoned[(std::size_t) ref.slot] = true;
    }
    busIdBySerial.erase (ref.serial);
    buses.erase (it);
    if (soloChanged)
        refreshMutes (session, model::NodeKind::bus);
}

void Engine::rebuildMaster (const model::Master& m)
{
    masterRef.serial = nextSerial();
    masterRef.slot = 0;
    auto strip = std::make_unique<StripNode> (m.level, 0.0f, false);
    strip->setMuted (m.mute);
    masterRef.muted = m.mute;
    auto chain = std::make_unique<MasterChain> (masterRef.serial, buildStages (m.chain, masterRef, std::exchange (masterRef.plugins, {})), std::move (strip));
    chain->prepare (sampleRate, maxBlockSize, fadeSamples());

    Command c;
    c.type = Command::Type::installMaster;
    c.chain = ChainKind::master;
    c.serial = masterRef.serial;
    c.object = chain.release();
    sendNormal (c, &masterRef);
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
    auto* ref = refFor (e.node, e.id);
    if (ref == nullptr)
        return;
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
    c.object = new RoutingSpec (buildRouting (*inst, *ref));
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
}

//==============================================================================
std::unique_ptr<InstrumentSequence> Engine::makeSequence (const model::Session& session, const model::Instrument& inst)
{
    return buildInstrumentSequence (session, inst, arrangement, [this] (const model::ParamAddress& a) -> std::optional<ParamLane>
                                    {
        auto c = resolveParam (a, 0.0f);
        if (! c)
            return std::nullopt;
        ParamLane lane;
        lane.kind = c->type == Command::Type::setSendLevel ? ParamLane::Kind::sendLevel : ParamLane::Kind::nodeParam;
        lane.node = c->node;
        lane.index = c->index;
        return lane; });
}

void Engine::rebuildSequence (const model::Session& session, model::InstrumentId id)
{
    const auto* inst = session.instruments.find (id);
    auto* ref = refFor (model::NodeKind::instrument, id.value);
    if (inst == nullptr || ref == nullptr)
        return;
    Command c;
    c.type = Command::Type::setSequence;
    c.slot = ref->slot;
    c.serial = ref->serial;
    c.object = makeSequence (session, *inst).release();
    sendNormal (c, ref);
}

void Engine::rebuildAllSequences (const model::Session& session)
{
    for (const auto& inst : session.instruments)
        rebuildSequence (session, inst.id);
}

void Engine::rebuildGlobal (const model::Session& session)
{
    auto global = buildGlobalSequence (session, arrangement, [this] (const model::ParamAddress& a) -> std::optional<ChainLane>
                                       {
        auto c = resolveParam (a, 0.0f);
        if (! c || c->type != Command::Type::setParam)
            return std::nullopt;
        ChainLane lane;
        lane.chain = c->chain;
        lane.slot = c->slot;
        lane.lane.node = c->node;
        lane.lane.index = c->index;
        return lane; });
    Command c;
    c.type = Command::Type::setGlobalSequence;
    c.object = global.release();
    sendNormal (c, nullptr);
}

void Engine::rebuildForTarget (const model::Session& session, const model::AutomationTarget& target)
{
    switch (target.kind)
    {
        case model::AutomationTargetKind::parameter:
            if (target.param.node == model::NodeKind::instrument)
                rebuildSequence (session, model::InstrumentId { target.param.nodeId });
            else
                rebuildGlobal (session);
            return;
        case model::AutomationTargetKind::bpm:
            rebuildGlobal (session);
            return;
        case model::AutomationTargetKind::swing:
            rebuildAllSequences (session);
            return;
    }
}

void Engine::laneChanged (const model::Session& session, model::LaneId id)
{
    // Rebuild what the lane drove before the change and what it drives now (a retarget touches both;
    // a deleted lane only the old one).
    std::optional<model::AutomationTarget> before, after;
    if (auto it = laneTargets.find (id.value); it != laneTargets.end())
        before = it->second;
    if (const auto* lane = session.automation.find (id))
    {
        after = lane->target;
        laneTargets[id.value] = lane->target;
    }
    else
    {
        laneTargets.erase (id.value);
    }
    if (before)
        rebuildForTarget (session, *before);
    if (after && ! (before && *before == *after))
        rebuildForTarget (session, *after);
}

void Engine::sendLfo (const model::Instrument& inst)
{
    auto* ref = refFor (model::NodeKind::instrument, inst.id.value);
    if (ref == nullptr)
        return;
    Command c;
    c.type = Command::Type::setLfo;
    c.slot = ref->slot;
    c.serial = ref->serial;
    c.value = inst.lfo.rate;
    c.value2 = inst.lfo.depth;
    bool enabled = inst.lfo.enabled;
    // The target is a parameter of this instrument; it resolves like any parameter change.
    auto target = inst.lfo.target;
    target.node = model::NodeKind::instrument;
    target.nodeId = inst.id.value;
    auto resolved = enabled ? resolveParam (target, 0.0f) : std::nullopt;
    if (! resolved || resolved->type != Command::Type::setParam)
        enabled = false;
    else
        c.node = resolved->node, c.index = resolved->index;
    c.position = (std::int64_t) inst.lfo.shape | (enabled ? 0x100 : 0);
    sendPriority (c, ref);
}

void Engine::apply (const model::Session& session, const std::vector<model::AudioEffect>& effects)
{
    using K = model::AudioEffect::Kind;
    for (const auto& e : effects)
    {
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
        }
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
                return &node->getInstance();
    return nullptr;
}

} // namespace imbolc::engine
