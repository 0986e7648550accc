namespace imbolc::sc
{

namespace
{
    /** scsynth's add actions (/s_new, /g_new). */
    struct AddAction
    {
        static constexpr std::int32_t head = 0, tail = 1, before = 2;
    };

    /** EnvGen's forced release: a gate of -1 - t releases linearly over t seconds. A stolen voice
        leaves over 5 ms, as the internal engine's stolen voices fade. */
    constexpr float stealGate = -1.005f;

    OscMessage newSynth (const std::string& definition, std::int32_t node, std::int32_t addAction, std::int32_t target)
    {
        return { "/s_new", { definition, node, addAction, target } };
    }

    void addControl (OscMessage& m, std::string name, float value)
    {
        m.arguments.emplace_back (std::move (name));
        m.arguments.emplace_back (value);
    }

    OscMessage setControl (std::int32_t node, std::string name, float value)
    {
        return { "/n_set", { node, std::move (name), value } };
    }

    const std::string stripName = "imbolc_strip";
    const std::string sendName = "imbolc_send";
    const std::string safetyName = "imbolc_safety";
} // namespace

struct SessionMirror::Voices
{
    explicit Voices (int cap)
        : allocator (cap) {}

    model::VoiceAllocator allocator;
    std::array<std::int32_t, (std::size_t) model::VoiceAllocator::capacity> nodes {};
    std::array<float, (std::size_t) model::VoiceAllocator::capacity> levels {}; ///< velocity: scsynth does not report envelope levels
};

SessionMirror::SessionMirror (Range r)
    : range (r)
{
}

SessionMirror::~SessionMirror() = default;
SessionMirror::SessionMirror (SessionMirror&&) noexcept = default;

bool SessionMirror::plays (const model::Instrument& i) const noexcept
{
    return range.everyInstrument || i.backend == model::Backend::superCollider;
}

std::int32_t SessionMirror::allocateBus()
{
    if (freeBuses.empty())
        return -1;
    const auto bus = freeBuses.back();
    freeBuses.pop_back();
    return bus;
}

void SessionMirror::freeBus (std::int32_t bus)
{
    if (bus < 0)
        return;
    freeBuses.push_back (bus);
    // Lowest last, so allocation is deterministic (the same session always gets the same buses).
    std::sort (freeBuses.begin(), freeBuses.end(), std::greater<>());
}

std::int32_t SessionMirror::busChannel (model::BusId id) const
{
    if (id.isValid())
        if (const auto it = buses.find (id.value); it != buses.end())
            return it->second.bus;
    return master.bus;
}

std::vector<std::pair<std::string, float>> SessionMirror::voiceControlsOf (const model::Instrument& i)
{
    std::vector<std::pair<std::string, float>> controls;
    for (const auto& p : i.source.params)
        controls.emplace_back (p.name, p.value);
    controls.emplace_back ("ampAttack", i.amp.attack);
    controls.emplace_back ("ampDecay", i.amp.decay);
    controls.emplace_back ("ampSustain", i.amp.sustain);
    controls.emplace_back ("ampRelease", i.amp.release);
    return controls;
}

bool SessionMirror::isOneShot (const model::Instrument& i) noexcept
{
    using B = model::BuiltInSource;
    return i.source.kind == model::SourceKind::builtIn && (i.source.builtIn == B::kick || i.source.builtIn == B::snare || i.source.builtIn == B::hat);
}

std::int32_t SessionMirror::allocateBuffer()
{
    for (auto b = range.firstBuffer; b < range.firstBuffer + range.bufferCount; ++b)
        if (usedBuffers.insert (b).second)
            return b;
    return -1;
}

void SessionMirror::refreshVoice (const model::Instrument& instrument, Instrument& mirror, Messages& m, bool warnSilent)
{
    const auto owner = "Instrument \"" + instrument.name + "\"";
    auto& n = mirror.nodes;
    mirror.voiceControls = voiceControlsOf (instrument);
    mirror.numSourceParams = instrument.source.params.size();
    mirror.oneShot = isOneShot (instrument);
    mirror.stageParams.clear();
    for (const auto& stage : instrument.chain)
    {
        std::vector<std::string> names;
        for (const auto& p : stage.params)
            names.push_back (p.name);
        mirror.stageParams.emplace_back (stage.id.value, std::move (names));
    }

    const bool sampler = instrument.source.kind == model::SourceKind::builtIn && instrument.source.builtIn == model::BuiltInSource::sampler;
    const auto path = sampler ? instrument.source.samplePath : std::string();
    if (n.buffer >= 0 && path != mirror.samplePath)
    {
        // Another sample (or no sampler any more): the old buffer goes once the old voices are told to leave.
        m.push_back ({ "/b_free", { n.buffer } });
        usedBuffers.erase (n.buffer);
        n.buffer = -1;
        mirror.samplePath.clear();
    }
    n.voiceDefinition.clear();

    if (sampler)
    {
        if (path.empty())
        {
            if (warnSilent)
                warnings.push_back (owner + " is silent on SuperCollider: its sampler has no sample.");
            return;
        }
        if (n.buffer < 0)
        {
            n.buffer = allocateBuffer();
            if (n.buffer < 0)
            {
                warnings.push_back (owner + " is silent on SuperCollider: this client has no buffer left for its sample.");
                return;
            }
            mirror.samplePath = path;
            mirror.sampleChannels = 1;
            mirror.rateScale = 1.0f;
            sampleLoads.push_back ({ instrument.id, owner, n.buffer, path });
        }
        if (mirror.sampleChannels > 0)
            n.voiceDefinition = samplerDefinitionName (mirror.sampleChannels);
        mirror.voiceControls.emplace_back ("buf", (float) n.buffer);
        mirror.voiceControls.emplace_back ("rateScale", mirror.rateScale);
        return;
    }

    if (instrument.source.kind == model::SourceKind::builtIn && voiceDefinition (instrument.source.builtIn).has_value())
        n.voiceDefinition = voiceDefinitionName (instrument.source.builtIn);
    else if (warnSilent)
        warnings.push_back (owner + " is silent on SuperCollider: its source ("
                            + (instrument.source.kind == model::SourceKind::builtIn ? std::string (model::toString (instrument.source.builtIn)) : std::string ("not a built-in"))
                            + ") has no SuperCollider voice yet.");
}

std::vector<SessionMirror::SampleLoad> SessionMirror::takeSampleLoads()
{
    return std::exchange (sampleLoads, {});
}

void SessionMirror::setSampleVoice (model::InstrumentId id, int channels, float rateScale)
{
    const auto it = instruments.find (id.value);
    if (it == instruments.end() || it->second.nodes.buffer < 0)
        return;
    auto& mirror = it->second;
    mirror.sampleChannels = juce::jlimit (0, 2, channels);
    mirror.rateScale = rateScale;
    mirror.nodes.voiceDefinition = mirror.sampleChannels > 0 ? samplerDefinitionName (mirror.sampleChannels) : std::string();
    for (auto& [name, value] : mirror.voiceControls)
        if (name == "rateScale")
            value = rateScale;
}

SessionMirror::Messages SessionMirror::automate (model::InstrumentId id, model::ParamGroup group, std::uint32_t item, int index, float value)
{
    using G = model::ParamGroup;
    Messages m;
    const auto it = instruments.find (id.value);
    if (it == instruments.end() || index < 0 || ! std::isfinite (value))
        return m;
    auto& mirror = it->second;
    auto& n = mirror.nodes;
    const auto setVoices = [&] (std::size_t control)
    {
        if (control >= mirror.voiceControls.size())
            return;
        // Stored too, so a voice that starts later starts at the value it has then.
        mirror.voiceControls[control].second = value;
        m.push_back (setControl (n.voiceGroup, mirror.voiceControls[control].first, value));
    };
    switch (group)
    {
        case G::source:
            if ((std::size_t) index < mirror.numSourceParams)
                setVoices ((std::size_t) index);
            break;
        case G::amp:
            if (index < 4)
                setVoices (mirror.numSourceParams + (std::size_t) index);
            break;
        case G::stage:
            for (const auto& [stageId, names] : mirror.stageParams)
                if (stageId == item && (std::size_t) index < names.size())
                    for (const auto& [playedId, node] : n.stages)
                        if (playedId == item)
                            m.push_back (setControl (node, names[(std::size_t) index], value));
            break;
        case G::strip:
            if (index <= (int) model::StripParam::pan)
                m.push_back (setControl (n.strip, index == (int) model::StripParam::pan ? "pan" : "level", value));
            break;
        case G::send:
            for (const auto& [busId, node] : n.sends)
                if (busId == item)
                    m.push_back (setControl (node, "level", value));
            break;
        case G::lfo:
            break;
    }
    return m;
}

//==============================================================================
SessionMirror::Messages SessionMirror::build (const model::Session& session)
{
    Messages m;
    instruments.clear();
    buses.clear();
    busOrder.clear();
    voiceNodes.clear();
    usedBuffers.clear();
    sampleLoads.clear();
    freeBuses.clear();
    for (auto bus = range.firstBus + (range.busCount / 2 - 1) * 2; bus >= range.firstBus; bus -= 2)
        freeBuses.push_back (bus);

    master = {};
    master.bus = allocateBus();
    master.group = nextNode();
    m.push_back ({ "/g_new", { master.group, AddAction::tail, layoutGroup (busProcessing) } });
    buildMaster (session.mixer.master, m);

    for (const auto& bus : session.mixer.buses)
        addBus (bus, m, master.group);
    for (const auto& instrument : session.instruments)
        addInstrument (session, instrument, m);

    safetyNode = nextNode();
    auto safety = newSynth (safetyName, safetyNode, AddAction::tail, layoutGroup (LayoutIndex::safety));
    addControl (safety, "bus", (float) range.hardwareOut);
    m.push_back (std::move (safety));

    refreshMutes (session, m);
    return m;
}

void SessionMirror::buildStages (const std::vector<model::Stage>& chain, std::int32_t bus, std::int32_t group, std::vector<std::pair<std::uint32_t, std::int32_t>>& nodes, Messages& m, const std::string& owner)
{
    nodes.clear();
    for (const auto& stage : chain)
    {
        if (! stageDefinition (stage).has_value())
        {
            warnings.push_back (owner + ": its " + (stage.kind == model::StageKind::effect ? std::string (model::toString (stage.effect)) : std::string ("stage"))
                                + " stage has no SuperCollider definition, so it is left out there.");
            continue;
        }
        const auto node = nextNode();
        auto s = newSynth (stageDefinitionName (stage), node, AddAction::tail, group);
        addControl (s, "bus", (float) bus);
        for (const auto& p : stage.params)
            addControl (s, p.name, p.value);
        m.push_back (std::move (s));
        if (stage.bypassed)
            m.push_back ({ "/n_run", { node, (std::int32_t) 0 } });
        nodes.emplace_back (stage.id.value, node);
    }
}

void SessionMirror::addInstrument (const model::Session& session, const model::Instrument& instrument, Messages& m)
{
    if (! plays (instrument) || instruments.count (instrument.id.value) != 0)
        return;

    const auto owner = "Instrument \"" + instrument.name + "\"";
    Instrument mirror;
    auto& n = mirror.nodes;
    n.bus = allocateBus();
    if (n.bus < 0)
    {
        warnings.push_back (owner + " is not played on SuperCollider: this client has no audio bus left (start scsynth with more buses, -a).");
        return;
    }

    n.voiceGroup = nextNode();
    n.chainGroup = nextNode();
    n.strip = nextNode();
    m.push_back ({ "/g_new", { n.voiceGroup, AddAction::tail, layoutGroup (sources) } });
    m.push_back ({ "/g_new", { n.chainGroup, AddAction::tail, layoutGroup (processing) } });
    buildStages (instrument.chain, n.bus, n.chainGroup, n.stages, m, owner);

    auto strip = newSynth (stripName, n.strip, AddAction::tail, layoutGroup (output));
    addControl (strip, "in", (float) n.bus);
    addControl (strip, "out", (float) busChannel (instrument.strip.output));
    addControl (strip, "level", instrument.strip.level);
    addControl (strip, "pan", instrument.strip.pan);
    m.push_back (std::move (strip));

    refreshVoice (instrument, mirror, m, true);
    mirror.voices = std::make_unique<Voices> (instrument.voiceCap);
    auto& stored = instruments.emplace (instrument.id.value, std::move (mirror)).first->second;
    buildSends (instrument, stored, m);
    juce::ignoreUnused (session);
}

void SessionMirror::buildSends (const model::Instrument& instrument, Instrument& mirror, Messages& m)
{
    auto& n = mirror.nodes;
    for (const auto& [busId, node] : n.sends)
        m.push_back ({ "/n_free", { node } });
    n.sends.clear();
    for (const auto& send : instrument.strip.sends)
    {
        const auto target = buses.find (send.bus.value);
        if (target == buses.end())
            continue;
        const auto node = nextNode();
        auto s = send.preInsert ? newSynth (sendName, node, AddAction::head, n.chainGroup) : newSynth (sendName, node, AddAction::tail, layoutGroup (output));
        addControl (s, "in", (float) n.bus);
        addControl (s, "out", (float) target->second.bus);
        addControl (s, "level", send.level);
        m.push_back (std::move (s));
        n.sends.emplace_back (send.bus.value, node);
    }
}

void SessionMirror::removeInstrument (model::InstrumentId id, Messages& m)
{
    const auto it = instruments.find (id.value);
    if (it == instruments.end())
        return;
    auto& n = it->second.nodes;
    // Freeing a group frees its voices and stages (pre-insert sends included).
    OscMessage free { "/n_free", { n.voiceGroup, n.chainGroup, n.strip } };
    for (const auto& [busId, node] : n.sends)
        free.arguments.emplace_back (node);
    m.push_back (std::move (free));
    if (n.buffer >= 0)
    {
        m.push_back ({ "/b_free", { n.buffer } }); // after its voices: none reads it any more
        usedBuffers.erase (n.buffer);
        std::erase_if (sampleLoads, [&] (const SampleLoad& l)
                       { return l.buffer == n.buffer; });
    }
    for (auto v = voiceNodes.begin(); v != voiceNodes.end();)
        v = v->second.first == id.value ? voiceNodes.erase (v) : std::next (v);
    freeBus (n.bus);
    instruments.erase (it);
}

void SessionMirror::rebuildInstrument (const model::Session& session, const model::Instrument& instrument, Messages& m)
{
    const auto it = instruments.find (instrument.id.value);
    if (it == instruments.end() || ! plays (instrument))
    {
        removeInstrument (instrument.id, m);
        addInstrument (session, instrument, m);
        return;
    }

    // The source may have changed: sounding voices leave quickly, new notes use the new definition.
    auto& mirror = it->second;
    auto& voices = *mirror.voices;
    for (int i = voices.allocator.getNumUsed(); --i >= 0;)
    {
        const auto slot = voices.allocator.used()[i];
        if (voices.allocator[slot].state != model::VoiceAllocator::State::stolen)
            releaseVoice (mirror, slot, stealGate, m);
    }

    auto& n = mirror.nodes;
    refreshVoice (instrument, mirror, m, false);
    voices.allocator.setLimit (instrument.voiceCap);

    m.push_back ({ "/g_freeAll", { n.chainGroup } });
    std::erase_if (n.sends, [&] (const auto& s)
                   { return std::any_of (instrument.strip.sends.begin(), instrument.strip.sends.end(), [&] (const model::Send& send)
                                         { return send.bus.value == s.first && send.preInsert; }); });
    buildStages (instrument.chain, n.bus, n.chainGroup, n.stages, m, "Instrument \"" + instrument.name + "\"");
    buildSends (instrument, mirror, m);
}

void SessionMirror::addBus (const model::Bus& bus, Messages& m, std::int32_t beforeNode)
{
    if (buses.count (bus.id.value) != 0)
        return;
    BusNodes n;
    n.bus = allocateBus();
    if (n.bus < 0)
    {
        warnings.push_back ("Bus \"" + bus.name + "\" is not built on SuperCollider: this client has no audio bus left (start scsynth with more buses, -a).");
        return;
    }
    n.group = nextNode();
    n.strip = nextNode();
    m.push_back ({ "/g_new", { n.group, AddAction::before, beforeNode } });
    buildStages (bus.chain, n.bus, n.group, n.stages, m, "Bus \"" + bus.name + "\"");
    auto strip = newSynth (stripName, n.strip, AddAction::tail, n.group);
    addControl (strip, "in", (float) n.bus);
    addControl (strip, "out", (float) master.bus);
    addControl (strip, "level", bus.level);
    addControl (strip, "pan", bus.pan);
    m.push_back (std::move (strip));
    buses.emplace (bus.id.value, std::move (n));
    busOrder.push_back (bus.id.value);
}

void SessionMirror::removeBus (model::BusId id, Messages& m)
{
    const auto it = buses.find (id.value);
    if (it == buses.end())
        return;
    m.push_back ({ "/n_free", { it->second.group } });
    freeBus (it->second.bus);
    buses.erase (it);
    std::erase (busOrder, id.value);
}

void SessionMirror::buildMaster (const model::Master& model, Messages& m)
{
    m.push_back ({ "/g_freeAll", { master.group } });
    buildStages (model.chain, master.bus, master.group, master.stages, m, "The master");
    master.strip = nextNode();
    auto strip = newSynth (stripName, master.strip, AddAction::tail, master.group);
    addControl (strip, "in", (float) master.bus);
    addControl (strip, "out", (float) range.hardwareOut);
    addControl (strip, "level", model.level);
    addControl (strip, "pan", 0.0f);
    addControl (strip, "mute", model.mute ? 1.0f : 0.0f);
    master.muted = model.mute;
    m.push_back (std::move (strip));
}

void SessionMirror::refreshMutes (const model::Session& session, Messages& m)
{
    // Solo as the internal engine has it: while any instrument is soloed, the others are muted
    // (and the same among buses).
    const bool anyInstrumentSolo = std::any_of (session.instruments.begin(), session.instruments.end(), [] (const auto& i)
                                                { return i.strip.solo; });
    for (const auto& instrument : session.instruments)
        if (const auto it = instruments.find (instrument.id.value); it != instruments.end())
        {
            // Only a change is sent: a strip starts unmuted.
            const bool muted = instrument.strip.mute || (anyInstrumentSolo && ! instrument.strip.solo);
            if (muted != it->second.muted)
                m.push_back (setControl (it->second.nodes.strip, "mute", muted ? 1.0f : 0.0f));
            it->second.muted = muted;
        }

    const bool anyBusSolo = std::any_of (session.mixer.buses.begin(), session.mixer.buses.end(), [] (const auto& b)
                                         { return b.solo; });
    const auto update = [&] (BusNodes& n, bool muted)
    {
        if (muted != n.muted)
            m.push_back (setControl (n.strip, "mute", muted ? 1.0f : 0.0f));
        n.muted = muted;
    };
    for (const auto& bus : session.mixer.buses)
        if (const auto it = buses.find (bus.id.value); it != buses.end())
            update (it->second, bus.mute || (anyBusSolo && ! bus.solo));
    update (master, session.mixer.master.mute);
}

//==============================================================================
SessionMirror::Messages SessionMirror::apply (const model::Session& session, const std::vector<model::AudioEffect>& effects)
{
    using K = model::AudioEffect::Kind;
    Messages m;
    for (const auto& e : effects)
    {
        switch (e.kind)
        {
            case K::setParam:
                setParam (session, e.param, e.value, m);
                break;
            case K::setStripSwitches:
                refreshMutes (session, m);
                break;
            case K::setBypass:
                setBypass (e, m);
                break;
            case K::reroute:
                if (const auto* instrument = session.instruments.find (model::InstrumentId { e.id }))
                    if (const auto it = instruments.find (e.id); it != instruments.end())
                    {
                        m.push_back (setControl (it->second.nodes.strip, "out", (float) busChannel (instrument->strip.output)));
                        std::erase_if (it->second.nodes.sends, [&] (const auto& s)
                                       {
                                           m.push_back ({ "/n_free", { s.second } });
                                           return true; });
                        buildSends (*instrument, it->second, m);
                    }
                break;
            case K::updateInstrument:
                if (const auto* instrument = session.instruments.find (model::InstrumentId { e.id }))
                    if (const auto it = instruments.find (e.id); it != instruments.end())
                    {
                        auto& voices = *it->second.voices;
                        voices.allocator.setLimit (instrument->voiceCap);
                        for (int victim; (victim = voices.allocator.chooseVictimOverLimit (voices.levels.data())) >= 0;)
                            releaseVoice (it->second, victim, stealGate, m);
                    }
                break;
            case K::rebuildInstrument:
                if (const auto* instrument = session.instruments.find (model::InstrumentId { e.id }))
                    rebuildInstrument (session, *instrument, m);
                break;
            case K::addInstrument:
                if (const auto* instrument = session.instruments.find (model::InstrumentId { e.id }))
                {
                    addInstrument (session, *instrument, m);
                    refreshMutes (session, m);
                }
                break;
            case K::deleteInstrument:
                removeInstrument (model::InstrumentId { e.id }, m);
                refreshMutes (session, m);
                break;
            case K::addBus:
                if (const auto* bus = session.mixer.buses.find (model::BusId { e.id }))
                {
                    addBus (*bus, m, master.group);
                    // Instruments may already name it (an undone delete): route them to it again.
                    for (const auto& instrument : session.instruments)
                        if (auto it = instruments.find (instrument.id.value); it != instruments.end())
                            if (instrument.strip.output == bus->id || std::any_of (instrument.strip.sends.begin(), instrument.strip.sends.end(), [&] (const auto& s)
                                                                                   { return s.bus == bus->id; }))
                            {
                                m.push_back (setControl (it->second.nodes.strip, "out", (float) busChannel (instrument.strip.output)));
                                buildSends (instrument, it->second, m);
                            }
                    refreshMutes (session, m);
                }
                break;
            case K::deleteBus:
            {
                const auto gone = buses.find (e.id);
                const auto channel = gone != buses.end() ? gone->second.bus : -2;
                removeBus (model::BusId { e.id }, m);
                for (auto& [id, mirror] : instruments)
                {
                    std::erase_if (mirror.nodes.sends, [&] (const auto& s)
                                   {
                                       if (s.first != e.id)
                                           return false;
                                       m.push_back ({ "/n_free", { s.second } });
                                       return true; });
                    if (const auto* instrument = session.instruments.find (model::InstrumentId { id }); instrument != nullptr && busChannel (instrument->strip.output) != channel)
                        m.push_back (setControl (mirror.nodes.strip, "out", (float) busChannel (instrument->strip.output)));
                }
                break;
            }
            case K::rebuildBus:
                if (const auto* bus = session.mixer.buses.find (model::BusId { e.id }))
                    if (auto it = buses.find (e.id); it != buses.end())
                    {
                        // Only this bus's group: its stages are rebuilt, its strip kept.
                        auto& n = it->second;
                        for (const auto& [stageId, node] : n.stages)
                            m.push_back ({ "/n_free", { node } });
                        Messages stages;
                        buildStages (bus->chain, n.bus, n.group, n.stages, stages, "Bus \"" + bus->name + "\"");
                        for (auto& s : stages) // before the strip, in chain order
                        {
                            if (s.address == "/s_new")
                                s.arguments[2] = AddAction::before, s.arguments[3] = n.strip;
                            m.push_back (std::move (s));
                        }
                    }
                break;
            case K::rebuildMaster:
                buildMaster (session.mixer.master, m);
                break;
            case K::fullRebuild:
            {
                for (std::size_t g = 0; g < ScsynthClient::groupLayout.size(); ++g)
                    m.push_back ({ "/g_freeAll", { layoutGroup (g) } });
                auto all = build (session);
                m.insert (m.end(), std::make_move_iterator (all.begin()), std::make_move_iterator (all.end()));
                break;
            }
            case K::updateTrack:
            case K::updateLane:
            case K::updateArrangement:
            case K::updateTiming:
            case K::transport:
            case K::updateDrumPattern:
                break; // the engine's sequencer plays these; notes reach us as noteOn/noteOff
            case K::setDrumPad:
                break; // a drum kit plays on the internal engine only (the dispatcher refuses one here)
            case K::updateMacros:
                break; // a plugin host's macro values drive the internal engine's nodes, not scsynth's
            case K::pluginIsolation:
                break; // plugins run on the internal engine only
        }
    }
    return m;
}

void SessionMirror::setParam (const model::Session& session, const model::ParamAddress& p, float value, Messages& m)
{
    using G = model::ParamGroup;
    const auto stageNode = [] (const std::vector<std::pair<std::uint32_t, std::int32_t>>& stages, std::uint32_t id)
    {
        for (const auto& [stageId, node] : stages)
            if (stageId == id)
                return node;
        return 0;
    };
    const auto stageParamName = [&] (const std::vector<model::Stage>& chain) -> std::string
    {
        if (const auto* stage = model::findStage (chain, model::StageId { p.itemId }); stage != nullptr && p.index < stage->params.size())
            return stage->params[p.index].name;
        return {};
    };

    if (p.node == model::NodeKind::instrument)
    {
        const auto it = instruments.find (p.nodeId);
        const auto* instrument = session.instruments.find (model::InstrumentId { p.nodeId });
        if (it == instruments.end() || instrument == nullptr)
            return;
        auto& mirror = it->second;
        const auto setVoices = [&] (const std::string& name)
        {
            for (auto& [control, stored] : mirror.voiceControls)
                if (control == name)
                    stored = value;
            m.push_back (setControl (mirror.nodes.voiceGroup, name, value));
        };
        switch (p.group)
        {
            case G::source:
                if (p.index < instrument->source.params.size())
                    setVoices (instrument->source.params[p.index].name);
                return;
            case G::amp:
            {
                static const char* names[] = { "ampAttack", "ampDecay", "ampSustain", "ampRelease" };
                if (p.index < 4)
                    setVoices (names[p.index]);
                return;
            }
            case G::stage:
                if (const auto node = stageNode (mirror.nodes.stages, p.itemId); node != 0)
                    if (const auto name = stageParamName (instrument->chain); ! name.empty())
                        m.push_back (setControl (node, name, value));
                return;
            case G::strip:
                m.push_back (setControl (mirror.nodes.strip, p.index == (std::uint16_t) model::StripParam::pan ? "pan" : "level", value));
                return;
            case G::send:
                for (const auto& [busId, node] : mirror.nodes.sends)
                    if (busId == p.itemId)
                        m.push_back (setControl (node, "level", value));
                return;
            case G::lfo:
                return; // the LFO is the internal engine's: scsynth voices are not modulated by it
        }
        return;
    }

    const bool isBus = p.node == model::NodeKind::bus;
    const BusNodes* nodes = isBus ? findBus (model::BusId { p.nodeId }) : &master;
    if (nodes == nullptr)
        return;
    if (p.group == G::strip)
        m.push_back (setControl (nodes->strip, p.index == (std::uint16_t) model::StripParam::pan ? "pan" : "level", value));
    else if (p.group == G::stage)
    {
        const auto* bus = isBus ? session.mixer.buses.find (model::BusId { p.nodeId }) : nullptr;
        const auto& chain = isBus ? (bus != nullptr ? bus->chain : session.mixer.master.chain) : session.mixer.master.chain;
        if (isBus && bus == nullptr)
            return;
        if (const auto node = stageNode (nodes->stages, p.itemId); node != 0)
            if (const auto name = stageParamName (chain); ! name.empty())
                m.push_back (setControl (node, name, value));
    }
}

void SessionMirror::setBypass (const model::AudioEffect& e, Messages& m)
{
    const std::vector<std::pair<std::uint32_t, std::int32_t>>* stages = nullptr;
    if (e.node == model::NodeKind::instrument)
    {
        if (const auto it = instruments.find (e.id); it != instruments.end())
            stages = &it->second.nodes.stages;
    }
    else if (e.node == model::NodeKind::bus)
    {
        if (const auto* bus = findBus (model::BusId { e.id }))
            stages = &bus->stages;
    }
    else
        stages = &master.stages;
    if (stages == nullptr)
        return;
    // A paused in-place stage writes nothing, so its bus passes through untouched.
    for (const auto& [stageId, node] : *stages)
        if (stageId == e.param.itemId)
            m.push_back ({ "/n_run", { node, (std::int32_t) (e.value > 0.5f ? 0 : 1) } });
}

//==============================================================================
void SessionMirror::releaseVoice (Instrument& mirror, int slot, float gate, Messages& m)
{
    auto& voices = *mirror.voices;
    m.push_back (setControl (voices.nodes[(std::size_t) slot], "gate", gate));
    if (gate < 0.0f)
        voices.allocator.steal (slot);
    else
        voices.allocator.release (slot, 0);
}

SessionMirror::Messages SessionMirror::noteOn (model::InstrumentId id, int note, float velocity, std::int64_t time)
{
    Messages m;
    const auto it = instruments.find (id.value);
    if (it == instruments.end() || it->second.nodes.voiceDefinition.empty())
        return m;
    auto& mirror = it->second;
    auto& voices = *mirror.voices;
    note = juce::jlimit (0, 127, note);

    if (const auto victim = voices.allocator.chooseVictim (note, voices.levels.data()); victim >= 0)
        releaseVoice (mirror, victim, stealGate, m);

    auto slot = voices.allocator.acquire();
    if (slot < 0)
        if (const auto quietest = voices.allocator.quietestStolen (voices.levels.data()); quietest >= 0)
        {
            const auto node = voices.nodes[(std::size_t) quietest];
            m.push_back ({ "/n_free", { node } });
            voiceNodes.erase (node);
            voices.allocator.free (quietest);
            slot = voices.allocator.acquire();
        }
    if (slot < 0)
        return m;

    const auto node = nextNode();
    voices.allocator.start (slot, note, time);
    voices.nodes[(std::size_t) slot] = node;
    voices.levels[(std::size_t) slot] = velocity;
    voiceNodes[node] = { id.value, slot };

    auto s = newSynth (mirror.nodes.voiceDefinition, node, AddAction::head, mirror.nodes.voiceGroup);
    addControl (s, "out", (float) mirror.nodes.bus);
    addControl (s, "note", (float) note);
    addControl (s, "amp", juce::jlimit (0.0f, 1.0f, velocity));
    for (const auto& [name, value] : mirror.voiceControls)
        addControl (s, name, value);
    m.push_back (std::move (s));
    return m;
}

SessionMirror::Messages SessionMirror::releaseHeld (model::InstrumentId id, int note, std::int64_t time, bool allNotes)
{
    Messages m;
    const auto it = instruments.find (id.value);
    if (it == instruments.end())
        return m;
    auto& voices = *it->second.voices;
    for (int i = voices.allocator.getNumUsed(); --i >= 0;)
    {
        const auto slot = voices.allocator.used()[i];
        if (voices.allocator[slot].state != model::VoiceAllocator::State::held || (! allNotes && voices.allocator[slot].note != note))
            continue;
        // A drum rings out over its own decay: its note off ends the note for the voice policy only.
        // All notes off releases it through the amp envelope, as the internal engine does.
        if (allNotes || ! it->second.oneShot)
            m.push_back (setControl (voices.nodes[(std::size_t) slot], "gate", 0.0f));
        voices.allocator.release (slot, allNotes ? voices.allocator[slot].onTime : time);
    }
    return m;
}

SessionMirror::Messages SessionMirror::noteOff (model::InstrumentId id, int note, std::int64_t time)
{
    return releaseHeld (id, note, time, false);
}

SessionMirror::Messages SessionMirror::allNotesOff (model::InstrumentId id)
{
    return releaseHeld (id, -1, 0, true);
}

void SessionMirror::nodeEnded (std::int32_t node)
{
    const auto it = voiceNodes.find (node);
    if (it == voiceNodes.end())
        return;
    const auto [instrumentId, slot] = it->second;
    voiceNodes.erase (it);
    if (const auto inst = instruments.find (instrumentId); inst != instruments.end())
        if (inst->second.voices->allocator[slot].state != model::VoiceAllocator::State::free)
            inst->second.voices->allocator.free (slot);
}

std::vector<std::string> SessionMirror::takeWarnings()
{
    return std::exchange (warnings, {});
}

const SessionMirror::InstrumentNodes* SessionMirror::findInstrument (model::InstrumentId id) const
{
    const auto it = instruments.find (id.value);
    return it != instruments.end() ? &it->second.nodes : nullptr;
}

const SessionMirror::BusNodes* SessionMirror::findBus (model::BusId id) const
{
    const auto it = buses.find (id.value);
    return it != buses.end() ? &it->second : nullptr;
}

std::size_t SessionMirror::liveVoices() const noexcept
{
    return voiceNodes.size();
}

} // namespace imbolc::sc
