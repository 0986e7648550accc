// Engine, continued: building chains (instruments, buses, the master) and handing them to the audio
// thread. Each build makes only the chain it is asked for; the audio thread swaps it in with a fade.

namespace imbolc::engine
{

void Engine::carryPluginState (model::PluginRef& ref, std::uint32_t stageId, const std::vector<std::pair<std::uint32_t, HostedPluginNode*>>& previousPlugins)
{
    // A rebuilt chain gets new plugin instances. When the model still holds the state it held when the
    // old instance was made (so the model has not asked for another), the new one starts from the old
    // one's live state: what the plugin changed in itself meanwhile (beyond its parameters) is kept,
    // however many rebuilds (or moves into and out of a sandbox) it goes through.
    for (const auto& [id, node] : previousPlugins)
        if (id == stageId)
        {
            const auto& old = node->getRef();
            if (old.format == ref.format && old.identifier == ref.identifier && node->getModelState() == ref.state)
                ref.state = node->captureState();
            return;
        }
}

std::vector<StageSlot> Engine::buildStages (const std::vector<model::Stage>& chain, ChainRef& ref, const std::vector<std::pair<std::uint32_t, HostedPluginNode*>>& previousPlugins, bool placeholders)
{
    std::vector<StageSlot> stages;
    stages.reserve (chain.size());
    ref.stageNodes.clear();
    for (const auto& stage : chain)
    {
        StageSlot slot;
        if (placeholders)
        {
            slot.node = std::make_unique<PassThroughNode> ("External stage", stage.params);
        }
        else if (stage.kind == model::StageKind::effect && stage.effect == model::EffectType::plugin && ! previousPlugins.empty())
        {
            auto live = stage;
            carryPluginState (live.plugin, stage.id.value, previousPlugins);
            slot.node = factory->createStage (live);
        }
        else
        {
            slot.node = factory->createStage (stage);
        }
        if (auto* plugin = dynamic_cast<HostedPluginNode*> (slot.node.get()))
        {
            plugin->setModelState (stage.plugin.state);
            ref.plugins.emplace_back (stage.id.value, plugin);
        }
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

void Engine::warnIfSourceIsSilent (const model::Instrument& inst)
{
    juce::String warning;
    if (inst.backend == model::Backend::superCollider && (inst.source.kind == model::SourceKind::audioInput || inst.source.kind == model::SourceKind::audioClips))
        warning = "Instrument '" + juce::String (inst.name) + "' plays " + (inst.source.kind == model::SourceKind::audioInput ? "audio input" : "audio clips")
                  + ", which only the internal engine can play: set its backend to internal.";
    else if (inst.source.kind == model::SourceKind::synthDef && inst.backend == model::Backend::internal)
        warning = "Instrument '" + juce::String (inst.name) + "' plays the SynthDef '" + juce::String (inst.source.synthDef)
                  + "', which only SuperCollider can play: set its backend to SuperCollider.";

    // Once per instrument and source: a stage edit or a full rebuild builds the same source again.
    const auto it = silentSourceWarnings.find (inst.id.value);
    if (warning.isEmpty())
    {
        if (it != silentSourceWarnings.end())
            silentSourceWarnings.erase (it);
    }
    else if (it == silentSourceWarnings.end() || it->second != warning)
    {
        warnings.push_back (warning);
        silentSourceWarnings[inst.id.value] = warning;
    }
}

std::unique_ptr<NodeProcessor> Engine::makeAudioSource (const model::Instrument& inst)
{
    // Made here rather than by the factory: they read the graph's live block (device input, song plan).
    if (inst.source.kind == model::SourceKind::audioInput)
        return std::make_unique<AudioInputNode> (inst, graph.getLiveBlock());
    std::vector<LoadedAudioClip> clips;
    clips.reserve (inst.source.clips.size());
    for (std::size_t i = 0; i < inst.source.clips.size(); ++i)
    {
        const auto& clip = inst.source.clips[i];
        LoadedAudioClip loaded { factory->readAudioFile (clip.path, "audio clip " + juce::String ((int) i + 1) + " of instrument '" + juce::String (inst.name) + "'"), clip.start, clip.offset, clip.length, clip.gain };
        if (loaded.data != nullptr && std::abs (loaded.data->sampleRate - sampleRate) > 0.5)
            warnings.push_back ("Audio clip " + juce::String ((int) i + 1) + " of instrument '" + juce::String (inst.name) + "' was recorded at " + juce::String (juce::roundToInt (loaded.data->sampleRate))
                                + " Hz and plays unconverted at the engine's " + juce::String (juce::roundToInt (sampleRate)) + " Hz.");
        clips.push_back (std::move (loaded));
    }
    return std::make_unique<AudioClipNode> (inst, graph.getLiveBlock(), std::move (clips));
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
            // Reachable when Options::instrumentSlots is below Session::maxInstruments: say so.
            warnings.push_back ("Instrument '" + juce::String (inst.name) + "' is not played: the engine has no instrument slot left (it has "
                                + juce::String (options.instrumentSlots) + ").");
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
    ref.midiChannel = inst.midiChannel;
    ref.midiOutputChannel = inst.midiOutputChannel;
    instrumentIdBySerial[ref.serial] = inst.id.value;
    warnIfSourceIsSilent (inst);

    const auto previousPlugins = std::exchange (ref.plugins, {});
    const bool external = inst.backend == model::Backend::superCollider;
    std::unique_ptr<NodeProcessor> source;
    if (external)
    {
        // Made here rather than by the factory, so every factory (tests' included) sequences external
        // instruments the same way; nothing of the factory's (plugins, samples) is wanted for them.
        source = std::make_unique<ExternalSourceNode> (inst, externalNotes);
    }
    else if (inst.source.kind == model::SourceKind::audioInput || inst.source.kind == model::SourceKind::audioClips)
    {
        source = makeAudioSource (inst);
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
    if (auto* plugin = dynamic_cast<HostedPluginNode*> (source.get()))
    {
        plugin->setModelState (inst.source.plugin.state);
        ref.plugins.emplace_back (0, plugin);
    }
    ref.compensation = {}; // a new chain: no delay line has memory or delay yet
    ref.compensation.source = source.get();
    ref.compensation.external = external;
    // An external instrument's stages run on its renderer: here each is a placeholder that keeps the
    // stage's parameters and does nothing, so changes, lanes and the LFO resolve on it as on an
    // internal chain, and the chain sends the driven values on (InstrumentChain::publishExternalParams).
    auto stages = buildStages (inst.chain, ref, previousPlugins, external);

    auto strip = std::make_unique<StripNode> (inst.strip.level, inst.strip.pan, true);
    strip->setMuted (ref.muted);
    auto routing = buildRouting (inst, ref);
    ref.compensation.setStages (stages);
    ref.compensation.preSends = std::any_of (routing.sends.begin(), routing.sends.begin() + routing.numSends, [] (const auto& send)
                                             { return send.preInsert; });
    // The sequence's lanes resolve against ref.stageNodes, which buildStages has just filled.
    auto chain = std::make_unique<InstrumentChain> (inst.id, ref.serial, std::move (source), std::move (stages), std::move (strip), routing, makeSequence (session, inst));
    chain->slot = ref.slot;
    chain->setMidiChannel (inst.midiChannel); // before install: it is still this thread's
    chain->setMidiOutputChannel (inst.midiOutputChannel);
    chain->prepare (sampleRate, maxBlockSize, fadeSamples());
    presetCompensation (*chain, ref.compensation, compensationFor (ref.compensation, false));

    Command c;
    c.type = Command::Type::installInstrument;
    c.slot = ref.slot;
    c.serial = ref.serial;
    c.object = chain.release();
    sendNormal (c, &ref);
    if (inst.lfo.enabled)
        sendLfo (inst);
    if (inst.id == midiInput)
        sendMidiTarget(); // the new chain has a new serial: MIDI follows it
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
            warnings.push_back ("Bus '" + juce::String (bus.name) + "' is not played: all of the engine's " + juce::String (options.busSlots)
                                + " bus slots are taken (a deleted bus keeps its slot while it fades out).");
            buses.erase (bus.id.value);
            return;
        }
    }
    busIdBySerial.erase (ref.serial);
    ref.serial = nextSerial();
    busIdBySerial[ref.serial] = bus.id.value;

    auto strip = std::make_unique<StripNode> (bus.level, bus.pan, true);
    strip->setMuted (ref.muted);
    auto stages = buildStages (bus.chain, ref, std::exchange (ref.plugins, {}));
    ref.compensation = {};
    ref.compensation.setStages (stages);
    auto chain = std::make_unique<BusChain> (bus.id, ref.serial, std::move (stages), std::move (strip));
    chain->slot = ref.slot;
    ref.mixerIndex = session.mixer.buses.indexOf (bus.id);
    chain->mixerIndex = ref.mixerIndex;
    chain->prepare (sampleRate, maxBlockSize, fadeSamples());
    presetCompensation (*chain, ref.compensation, compensationFor (ref.compensation, true));
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

void Engine::syncBusOrder (const model::Session& session)
{
    // Called after every applied action: when the order is unchanged (nearly always) this is one
    // comparison of at most Mixer::maxBuses ids. Otherwise each bus whose position moved (buses after
    // a deleted one, a reorder) gets one small command; no chain is rebuilt.
    const auto& mixerBuses = session.mixer.buses;
    const bool same = busOrder.size() == mixerBuses.size()
                      && std::equal (busOrder.begin(), busOrder.end(), mixerBuses.begin(), [] (std::uint32_t id, const model::Bus& b)
                                     { return id == b.id.value; });
    if (same)
        return;
    busOrder.clear();
    for (int i = 0; i < (int) mixerBuses.size(); ++i)
    {
        const auto id = mixerBuses[(std::size_t) i].id.value;
        busOrder.push_back (id);
        auto* ref = refFor (model::NodeKind::bus, id);
        if (ref == nullptr || ref->mixerIndex == i)
            continue;
        ref->mixerIndex = i;
        Command c;
        c.type = Command::Type::setBusIndex;
        c.chain = ChainKind::bus;
        c.slot = ref->slot;
        c.serial = ref->serial;
        c.position = i;
        sendNormal (c, ref); // behind the bus's install, which it must find
    }
}

void Engine::rebuildMaster (const model::Master& m)
{
    masterRef.serial = nextSerial();
    masterRef.slot = 0;
    auto strip = std::make_unique<StripNode> (m.level, 0.0f, false);
    strip->setMuted (m.mute);
    masterRef.muted = m.mute;
    auto stages = buildStages (m.chain, masterRef, std::exchange (masterRef.plugins, {}));
    masterStages.clear();
    for (const auto& s : stages)
        masterStages.push_back ({ s.stageId, s.node.get(), s.bypassed });
    auto chain = std::make_unique<MasterChain> (masterRef.serial, std::move (stages), std::move (strip));
    chain->prepare (sampleRate, maxBlockSize, fadeSamples());

    Command c;
    c.type = Command::Type::installMaster;
    c.chain = ChainKind::master;
    c.serial = masterRef.serial;
    c.object = chain.release();
    sendNormal (c, &masterRef);
}

} // namespace imbolc::engine
