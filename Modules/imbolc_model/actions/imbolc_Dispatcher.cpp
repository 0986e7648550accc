namespace imbolc::model
{

namespace
{
    // sentence() comes from imbolc_Session.cpp: the module is one translation unit.

    std::string nodeName (NodeKind node, std::uint32_t id)
    {
        switch (node)
        {
            case NodeKind::instrument:
                return "instrument " + std::to_string (id);
            case NodeKind::bus:
                return "bus " + std::to_string (id);
            case NodeKind::master:
                return "the master";
        }
        return "node " + std::to_string (id);
    }

    bool targetsNode (const AutomationTarget& t, NodeKind node, std::uint32_t id)
    {
        return t.kind == AutomationTargetKind::parameter && t.param.node == node && t.param.nodeId == id;
    }
} // namespace

//==============================================================================
/** The state of one apply(): handlers check first, then call edit() once, then change things. */
struct Dispatcher::Context
{
    Session& session;
    UndoHistory& history;
    ApplyResult result;

    //==========================================================================
    void edit (UndoScope scope, CoalesceKey key = {})
    {
        history.record (session, scope, key);
        result.changes.undoScope = scope;
    }

    void audio (AudioEffect e) { result.changes.audio.push_back (e); }
    NetDirty& net() { return result.changes.net; }

    static UndoScope instrumentScope (InstrumentId id) { return { UndoScopeKind::instrument, id.value }; }
    static UndoScope sessionScope() { return { UndoScopeKind::session, 0 }; }
    static UndoScope fullScope() { return { UndoScopeKind::full, 0 }; }

    //==========================================================================
    Instrument* instrument (InstrumentId id, std::string& error)
    {
        auto* inst = session.instruments.find (id);
        if (inst == nullptr)
            error = sentence ("There is no instrument ", id.value, ".");
        return inst;
    }

    std::vector<Stage>* chainOf (NodeKind node, std::uint32_t id, std::string& error)
    {
        switch (node)
        {
            case NodeKind::instrument:
                if (auto* inst = instrument (InstrumentId { id }, error))
                    return &inst->chain;
                return nullptr;
            case NodeKind::bus:
                if (auto* bus = session.mixer.buses.find (BusId { id }))
                    return &bus->chain;
                error = sentence ("There is no bus ", id, ".");
                return nullptr;
            case NodeKind::master:
                return &session.mixer.master.chain;
        }
        error = "Unknown node kind.";
        return nullptr;
    }

    UndoScope chainScope (NodeKind node, std::uint32_t id) const
    {
        return node == NodeKind::instrument ? instrumentScope (InstrumentId { id }) : sessionScope();
    }

    /** The effects and dirty marks of a changed chain. */
    void chainChanged (NodeKind node, std::uint32_t id)
    {
        switch (node)
        {
            case NodeKind::instrument:
                audio (AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, id));
                net().instruments.insert (InstrumentId { id });
                break;
            case NodeKind::bus:
                audio (AudioEffect::forId (AudioEffect::Kind::rebuildBus, id, NodeKind::bus));
                net().buses.insert (BusId { id });
                break;
            case NodeKind::master:
                audio (AudioEffect::forId (AudioEffect::Kind::rebuildMaster, 0, NodeKind::master));
                net().master = true;
                break;
        }
    }

    void nodeDirty (NodeKind node, std::uint32_t id)
    {
        switch (node)
        {
            case NodeKind::instrument:
                net().instruments.insert (InstrumentId { id });
                break;
            case NodeKind::bus:
                net().buses.insert (BusId { id });
                break;
            case NodeKind::master:
                net().master = true;
                break;
        }
    }

    /** Gives a stage its id and default parameters, then checks it. */
    std::string prepareStage (Stage& st, const std::string& owner)
    {
        st.id = {};
        if (st.params.empty() && ! (st.kind == StageKind::effect && st.effect == EffectType::plugin))
        {
            switch (st.kind)
            {
                case StageKind::filter:
                    st.params = makeFilterParameters (st.filter);
                    break;
                case StageKind::eq:
                    st.params = makeEqParameters();
                    break;
                case StageKind::effect:
                    st.params = makeEffectParameters (st.effect);
                    break;
            }
        }
        return checks::stage (owner, st);
    }

    std::string prepareSource (Source& src, const std::string& owner)
    {
        if (src.params.empty() && src.kind == SourceKind::builtIn && (int) src.builtIn < numBuiltInSources)
            src.params = makeParameters (src.builtIn);
        return checks::source (owner, src);
    }

    Note* findNote (Track& track, NoteId id)
    {
        auto it = std::find_if (track.notes.begin(), track.notes.end(), [id] (const Note& n)
                                { return n.id == id; });
        return it == track.notes.end() ? nullptr : &*it;
    }

    /** Removes automation lanes aimed at a node that is going away; reports them. */
    void removeLanesOf (NodeKind node, std::uint32_t id)
    {
        std::vector<LaneId> doomed;
        for (const auto& lane : session.automation)
            if (targetsNode (lane.target, node, id))
                doomed.push_back (lane.id);
        for (auto laneId : doomed)
        {
            session.automation.erase (laneId);
            audio (AudioEffect::forId (AudioEffect::Kind::updateLane, laneId.value));
            net().automationStructural = true;
        }

        bool clipsChanged = false;
        for (auto& clip : session.arrangement.clips)
        {
            const auto before = clip.automation.size();
            std::erase_if (clip.automation, [&] (const ClipLane& l)
                           { return targetsNode (l.target, node, id); });
            clipsChanged |= clip.automation.size() != before;
        }
        if (clipsChanged)
            arrangementChanged();
    }

    void arrangementChanged()
    {
        audio (AudioEffect::forId (AudioEffect::Kind::updateArrangement, 0));
        net().arrangement = true;
    }

    void timingChanged()
    {
        audio (AudioEffect::forId (AudioEffect::Kind::updateTiming, 0));
        net().settings = true;
    }

    /** id 1 marks a locate: the engine jumps even when the tick equals the last one located to. */
    void transportChanged (bool located = false)
    {
        audio (AudioEffect::forId (AudioEffect::Kind::transport, located ? 1u : 0u));
        net().transport = true;
    }

    std::string checkPointValue (const AutomationTarget& target, const Point& p)
    {
        if (p.tick < 0)
            return "An automation point cannot be at a negative tick.";
        if ((int) p.curve > (int) CurveType::sCurve)
            return "Unknown automation curve.";
        if (! std::isfinite (p.value))
            return "An automation value must be a finite number.";
        switch (target.kind)
        {
            case AutomationTargetKind::bpm:
                return checks::bpm (p.value);
            case AutomationTargetKind::swing:
                return p.value >= 0.0f && p.value <= 1.0f ? std::string() : sentence ("A swing value of ", p.value, " is outside 0 to 1.");
            case AutomationTargetKind::parameter:
                if (auto info = findParam (session, target.param))
                    if (p.value < info->minValue || p.value > info->maxValue)
                        return sentence ("The value ", p.value, " is outside the range of ", describe (session, target.param), " (", info->minValue, " to ", info->maxValue, ").");
                return {};
        }
        return "Unknown automation target.";
    }

    //==========================================================================
    // Instruments

    std::string handle (const action::AddInstrument& a)
    {
        if (auto e = checks::name ("The instrument name", a.name); ! e.empty())
            return e;
        if ((int) a.backend > (int) Backend::superCollider)
            return "Unknown backend.";
        Instrument inst;
        inst.name = a.name;
        inst.backend = a.backend;
        inst.source = a.source;
        if (auto e = prepareSource (inst.source, "The new instrument"); ! e.empty())
            return e;
        inst.chain = a.chain;
        for (auto& st : inst.chain)
            if (auto e = prepareStage (st, "The new instrument"); ! e.empty())
                return e;

        edit (fullScope());
        inst.id = session.allocateId<InstrumentId>();
        for (auto& st : inst.chain)
            st.id = session.allocateId<StageId>();
        if (inst.name.empty())
            inst.name = "Instrument " + std::to_string (inst.id.value);
        result.createdId = inst.id.value;
        session.pianoRoll.add (Track { inst.id, {} });
        session.instruments.add (std::move (inst));

        audio (AudioEffect::forId (AudioEffect::Kind::addInstrument, result.createdId));
        net().instrumentsStructural = true;
        net().pianoRollStructural = true;
        return {};
    }

    std::string handle (const action::DeleteInstrument& a)
    {
        std::string error;
        if (instrument (a.instrument, error) == nullptr)
            return error;

        edit (fullScope());
        session.instruments.erase (a.instrument);
        session.pianoRoll.erase (a.instrument);
        removeLanesOf (NodeKind::instrument, a.instrument.value);

        std::vector<ClipId> clips;
        for (const auto& clip : session.arrangement.clips)
            if (clip.instrument == a.instrument)
                clips.push_back (clip.id);
        if (! clips.empty())
        {
            for (auto clipId : clips)
                eraseClip (clipId);
            arrangementChanged();
        }

        audio (AudioEffect::forId (AudioEffect::Kind::deleteInstrument, a.instrument.value));
        net().instrumentsStructural = true;
        net().pianoRollStructural = true;
        return {};
    }

    std::string handle (const action::DuplicateInstrument& a)
    {
        std::string error;
        auto* original = instrument (a.instrument, error);
        if (original == nullptr)
            return error;
        auto copy = *original;
        auto track = *session.pianoRoll.find (a.instrument);
        const auto position = (std::size_t) session.instruments.indexOf (a.instrument) + 1;
        copy.name = copy.name.substr (0, checks::maxNameLength - 5) + " copy";

        edit (fullScope());
        copy.id = session.allocateId<InstrumentId>();
        std::unordered_map<std::uint32_t, std::uint32_t> stageMap;
        for (auto& st : copy.chain)
        {
            const auto old = st.id.value;
            st.id = session.allocateId<StageId>();
            stageMap[old] = st.id.value;
        }
        copy.lfo.target.nodeId = copy.id.value;
        if (copy.lfo.target.group == ParamGroup::stage)
            copy.lfo.target.itemId = stageMap.count (copy.lfo.target.itemId) ? stageMap[copy.lfo.target.itemId] : 0;

        track.instrument = copy.id;
        for (auto& n : track.notes)
            n.id = session.allocateId<NoteId>(); // ids grow with tick order, so the order is unchanged
        std::sort (track.notes.begin(), track.notes.end(), noteOrder);

        result.createdId = copy.id.value;
        session.instruments.insert (position, std::move (copy));
        session.pianoRoll.add (std::move (track));

        audio (AudioEffect::forId (AudioEffect::Kind::addInstrument, result.createdId));
        audio (AudioEffect::forId (AudioEffect::Kind::updateTrack, result.createdId));
        net().instrumentsStructural = true;
        net().pianoRollStructural = true;
        return {};
    }

    std::string handle (const action::RenameInstrument& a)
    {
        std::string error;
        auto* inst = instrument (a.instrument, error);
        if (inst == nullptr)
            return error;
        if (auto e = checks::name ("The instrument name", a.name); ! e.empty())
            return e;
        edit (instrumentScope (a.instrument));
        inst->name = a.name;
        net().instruments.insert (a.instrument);
        return {};
    }

    std::string handle (const action::SetSource& a)
    {
        std::string error;
        auto* inst = instrument (a.instrument, error);
        if (inst == nullptr)
            return error;
        auto source = a.source;
        if (auto e = prepareSource (source, "Instrument " + std::to_string (a.instrument.value)); ! e.empty())
            return e;
        edit (instrumentScope (a.instrument));
        inst->source = std::move (source);
        audio (AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, a.instrument.value));
        net().instruments.insert (a.instrument);
        return {};
    }

    std::string handle (const action::SetBackend& a)
    {
        std::string error;
        auto* inst = instrument (a.instrument, error);
        if (inst == nullptr)
            return error;
        if ((int) a.backend > (int) Backend::superCollider)
            return "Unknown backend.";
        edit (instrumentScope (a.instrument));
        inst->backend = a.backend;
        audio (AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, a.instrument.value));
        net().instruments.insert (a.instrument);
        return {};
    }

    std::string handle (const action::SetVoiceCap& a)
    {
        std::string error;
        auto* inst = instrument (a.instrument, error);
        if (inst == nullptr)
            return error;
        if (a.voiceCap < 1 || a.voiceCap > Instrument::maxVoiceCap)
            return sentence ("A voice cap of ", a.voiceCap, " is outside 1 to ", Instrument::maxVoiceCap, ".");
        edit (instrumentScope (a.instrument));
        inst->voiceCap = a.voiceCap;
        audio (AudioEffect::forId (AudioEffect::Kind::updateInstrument, a.instrument.value));
        net().instruments.insert (a.instrument);
        return {};
    }

    std::string handle (const action::SetParam& a)
    {
        auto info = findParam (session, a.param);
        if (! info)
            return sentence ("There is no parameter ", describe (session, a.param), ".");
        if (! std::isfinite (a.value))
            return sentence ("The value for ", describe (session, a.param), " is not a finite number.");
        if (a.value < info->minValue || a.value > info->maxValue)
            return sentence ("The value ", a.value, " is outside the range of ", describe (session, a.param), " (", info->minValue, " to ", info->maxValue, ").");

        const bool isInstrument = a.param.node == NodeKind::instrument;
        const CoalesceKey key { isInstrument ? CoalesceKey::Kind::instrumentParams : CoalesceKey::Kind::sessionParams,
                                isInstrument ? a.param.nodeId : 0 };
        // Recording automation writes a lane too, so the edit spans instruments and automation.
        const bool recording = session.transport.playing && session.transport.automationRecording;
        edit (recording ? fullScope() : (isInstrument ? instrumentScope (InstrumentId { a.param.nodeId }) : sessionScope()), key);

        *findParamValue (session, a.param) = a.value;
        audio (AudioEffect::forParam (a.param, a.value));
        nodeDirty (a.param.node, a.param.nodeId);

        if (recording)
            recordAutomation (a.param, a.value);
        return {};
    }

    void recordAutomation (const ParamAddress& param, float value)
    {
        const AutomationTarget target { AutomationTargetKind::parameter, param };
        Lane* lane = nullptr;
        for (auto& l : session.automation)
            if (l.target == target)
                lane = &l;
        if (lane == nullptr)
        {
            session.automation.add (Lane { session.allocateId<LaneId>(), target, true, {} });
            lane = &session.automation[session.automation.size() - 1];
            net().automationStructural = true;
        }
        const Point p { session.transport.position, value, CurveType::linear };
        lane->points.set (p);
        net().pointOps.push_back ({ PointOp::Kind::set, lane->id, p });
        audio (AudioEffect::forId (AudioEffect::Kind::updateLane, lane->id.value));
    }

    std::string handle (const action::SetLfo& a)
    {
        std::string error;
        auto* inst = instrument (a.instrument, error);
        if (inst == nullptr)
            return error;
        if ((int) a.shape > (int) LfoShape::triangle)
            return "Unknown LFO shape.";
        if (a.enabled
            && (a.target.node != NodeKind::instrument || a.target.nodeId != a.instrument.value || a.target.group == ParamGroup::lfo
                || ! findParam (session, a.target)))
            return sentence ("An LFO can only modulate a parameter of its own instrument (other than the LFO's own).");
        edit (instrumentScope (a.instrument));
        inst->lfo.enabled = a.enabled;
        inst->lfo.shape = a.shape;
        inst->lfo.target = a.target;
        audio (AudioEffect::forId (AudioEffect::Kind::updateInstrument, a.instrument.value));
        net().instruments.insert (a.instrument);
        return {};
    }

    std::string handle (const action::SetGroove& a)
    {
        std::string error;
        auto* inst = instrument (a.instrument, error);
        if (inst == nullptr)
            return error;
        if (auto e = checks::groove ("The groove", a.groove); ! e.empty())
            return e;
        edit (instrumentScope (a.instrument));
        inst->groove = a.groove;
        audio (AudioEffect::forId (AudioEffect::Kind::updateInstrument, a.instrument.value));
        net().instruments.insert (a.instrument);
        return {};
    }

    //==========================================================================
    // Chains

    std::string handle (const action::AddStage& a)
    {
        std::string error;
        auto* chain = chainOf (a.node, a.nodeId, error);
        if (chain == nullptr)
            return error;
        if (a.position < -1 || a.position > (int) chain->size())
            return sentence ("Position ", a.position, " is outside the chain of ", nodeName (a.node, a.nodeId), ".");
        if (chain->size() >= 64)
            return "A chain holds at most 64 stages.";
        auto stage = a.stage;
        if (auto e = prepareStage (stage, "The new stage"); ! e.empty())
            return e;

        edit (chainScope (a.node, a.nodeId));
        stage.id = session.allocateId<StageId>();
        result.createdId = stage.id.value;
        chain->insert (a.position < 0 ? chain->end() : chain->begin() + a.position, std::move (stage));
        chainChanged (a.node, a.nodeId);
        return {};
    }

    std::string handle (const action::RemoveStage& a)
    {
        std::string error;
        auto* chain = chainOf (a.node, a.nodeId, error);
        if (chain == nullptr)
            return error;
        if (findStage (*chain, a.stage) == nullptr)
            return sentence (nodeName (a.node, a.nodeId), " has no stage ", a.stage.value, ".");
        edit (chainScope (a.node, a.nodeId));
        std::erase_if (*chain, [&] (const Stage& s)
                       { return s.id == a.stage; });
        chainChanged (a.node, a.nodeId);
        return {};
    }

    std::string handle (const action::MoveStage& a)
    {
        std::string error;
        auto* chain = chainOf (a.node, a.nodeId, error);
        if (chain == nullptr)
            return error;
        auto it = std::find_if (chain->begin(), chain->end(), [&] (const Stage& s)
                                { return s.id == a.stage; });
        if (it == chain->end())
            return sentence (nodeName (a.node, a.nodeId), " has no stage ", a.stage.value, ".");
        if (a.position < 0 || a.position >= (int) chain->size())
            return sentence ("Position ", a.position, " is outside the chain of ", nodeName (a.node, a.nodeId), ".");
        edit (chainScope (a.node, a.nodeId));
        auto stage = std::move (*it);
        chain->erase (it);
        chain->insert (chain->begin() + a.position, std::move (stage));
        chainChanged (a.node, a.nodeId);
        return {};
    }

    std::string handle (const action::SetStageBypass& a)
    {
        std::string error;
        auto* chain = chainOf (a.node, a.nodeId, error);
        if (chain == nullptr)
            return error;
        auto* stage = findStage (*chain, a.stage);
        if (stage == nullptr)
            return sentence (nodeName (a.node, a.nodeId), " has no stage ", a.stage.value, ".");
        edit (chainScope (a.node, a.nodeId));
        stage->bypassed = a.bypassed;
        AudioEffect e = AudioEffect::forId (AudioEffect::Kind::setBypass, a.nodeId, a.node);
        e.param = ParamAddress::stage (a.node, a.nodeId, a.stage, 0);
        e.value = a.bypassed ? 1.0f : 0.0f;
        audio (e);
        nodeDirty (a.node, a.nodeId);
        return {};
    }

    std::string handle (const action::SetPluginState& a)
    {
        std::string error;
        PluginRef* plugin = nullptr;
        if (! a.stage.isValid())
        {
            if (a.node != NodeKind::instrument)
                return "Only an instrument has a source plugin.";
            auto* inst = instrument (InstrumentId { a.nodeId }, error);
            if (inst == nullptr)
                return error;
            if (inst->source.kind != SourceKind::plugin)
                return sentence ("Instrument ", a.nodeId, "'s source is not a plugin.");
            plugin = &inst->source.plugin;
        }
        else
        {
            auto* chain = chainOf (a.node, a.nodeId, error);
            if (chain == nullptr)
                return error;
            auto* stage = findStage (*chain, a.stage);
            if (stage == nullptr || stage->kind != StageKind::effect || stage->effect != EffectType::plugin)
                return sentence (nodeName (a.node, a.nodeId), " has no plugin stage ", a.stage.value, ".");
            plugin = &stage->plugin;
        }
        if (a.state.size() > checks::maxPluginStateBytes)
            return sentence ("Plugin state of ", a.state.size(), " bytes is larger than the limit of ", checks::maxPluginStateBytes, ".");
        edit (chainScope (a.node, a.nodeId));
        plugin->state = a.state;
        // The state comes from the running plugin, so the engine already has it: no audio effect.
        nodeDirty (a.node, a.nodeId);
        return {};
    }

    //==========================================================================
    // Mixer

    std::string handle (const action::SetMute& a) { return setSwitch (a.node, a.nodeId, a.mute, false); }
    std::string handle (const action::SetSolo& a) { return setSwitch (a.node, a.nodeId, a.solo, true); }

    std::string setSwitch (NodeKind node, std::uint32_t id, bool on, bool solo)
    {
        std::string error;
        bool* flag = nullptr;
        switch (node)
        {
            case NodeKind::instrument:
                if (auto* inst = instrument (InstrumentId { id }, error))
                    flag = solo ? &inst->strip.solo : &inst->strip.mute;
                break;
            case NodeKind::bus:
                if (auto* bus = session.mixer.buses.find (BusId { id }))
                    flag = solo ? &bus->solo : &bus->mute;
                else
                    error = sentence ("There is no bus ", id, ".");
                break;
            case NodeKind::master:
                if (solo)
                    error = "The master cannot be soloed.";
                else
                    flag = &session.mixer.master.mute;
                break;
        }
        if (flag == nullptr)
            return error.empty() ? "Unknown node kind." : error;
        edit (chainScope (node, id));
        *flag = on;
        audio (AudioEffect::forId (AudioEffect::Kind::setStripSwitches, id, node));
        nodeDirty (node, id);
        return {};
    }

    std::string handle (const action::SetOutput& a)
    {
        std::string error;
        auto* inst = instrument (a.instrument, error);
        if (inst == nullptr)
            return error;
        if (a.bus.isValid() && ! session.mixer.buses.contains (a.bus))
            return sentence ("There is no bus ", a.bus.value, ".");
        edit (instrumentScope (a.instrument));
        inst->strip.output = a.bus;
        rerouted (a.instrument);
        return {};
    }

    void rerouted (InstrumentId id)
    {
        audio (AudioEffect::forId (AudioEffect::Kind::reroute, id.value));
        net().instruments.insert (id);
    }

    Send* findSend (Instrument& inst, BusId bus)
    {
        for (auto& s : inst.strip.sends)
            if (s.bus == bus)
                return &s;
        return nullptr;
    }

    std::string handle (const action::AddSend& a)
    {
        std::string error;
        auto* inst = instrument (a.instrument, error);
        if (inst == nullptr)
            return error;
        if (! session.mixer.buses.contains (a.bus))
            return sentence ("There is no bus ", a.bus.value, ".");
        if (findSend (*inst, a.bus) != nullptr)
            return sentence ("Instrument ", a.instrument.value, " already sends to bus ", a.bus.value, ".");
        if (! std::isfinite (a.level) || a.level < 0.0f || a.level > 2.0f)
            return sentence ("A send level of ", a.level, " is outside 0 to 2.");
        edit (instrumentScope (a.instrument));
        inst->strip.sends.push_back ({ a.bus, a.level, a.preInsert });
        rerouted (a.instrument);
        return {};
    }

    std::string handle (const action::RemoveSend& a)
    {
        std::string error;
        auto* inst = instrument (a.instrument, error);
        if (inst == nullptr)
            return error;
        if (findSend (*inst, a.bus) == nullptr)
            return sentence ("Instrument ", a.instrument.value, " has no send to bus ", a.bus.value, ".");
        edit (instrumentScope (a.instrument));
        std::erase_if (inst->strip.sends, [&] (const Send& s)
                       { return s.bus == a.bus; });
        rerouted (a.instrument);
        return {};
    }

    std::string handle (const action::SetSendTap& a)
    {
        std::string error;
        auto* inst = instrument (a.instrument, error);
        if (inst == nullptr)
            return error;
        auto* send = findSend (*inst, a.bus);
        if (send == nullptr)
            return sentence ("Instrument ", a.instrument.value, " has no send to bus ", a.bus.value, ".");
        edit (instrumentScope (a.instrument));
        send->preInsert = a.preInsert;
        rerouted (a.instrument);
        return {};
    }

    std::string handle (const action::AddBus& a)
    {
        if (session.mixer.buses.size() >= Mixer::maxBuses)
            return sentence ("The mixer already has the maximum of ", Mixer::maxBuses, " buses.");
        if (auto e = checks::name ("The bus name", a.name); ! e.empty())
            return e;
        edit (fullScope());
        Bus bus;
        bus.id = session.allocateId<BusId>();
        bus.name = a.name.empty() ? "Bus " + std::to_string (session.mixer.buses.size() + 1) : a.name;
        result.createdId = bus.id.value;
        session.mixer.buses.add (std::move (bus));
        audio (AudioEffect::forId (AudioEffect::Kind::addBus, result.createdId, NodeKind::bus));
        net().mixerStructural = true;
        return {};
    }

    std::string handle (const action::RemoveBus& a)
    {
        if (! session.mixer.buses.contains (a.bus))
            return sentence ("There is no bus ", a.bus.value, ".");
        edit (fullScope());
        session.mixer.buses.erase (a.bus);
        for (auto& inst : session.instruments)
        {
            const bool wasOutput = inst.strip.output == a.bus;
            if (wasOutput)
                inst.strip.output = {};
            const auto removed = std::erase_if (inst.strip.sends, [&] (const Send& s)
                                                { return s.bus == a.bus; });
            if (wasOutput || removed > 0)
                rerouted (inst.id);
        }
        removeLanesOf (NodeKind::bus, a.bus.value);
        audio (AudioEffect::forId (AudioEffect::Kind::deleteBus, a.bus.value, NodeKind::bus));
        net().mixerStructural = true;
        return {};
    }

    std::string handle (const action::RenameBus& a)
    {
        auto* bus = session.mixer.buses.find (a.bus);
        if (bus == nullptr)
            return sentence ("There is no bus ", a.bus.value, ".");
        if (auto e = checks::name ("The bus name", a.name); ! e.empty())
            return e;
        edit (sessionScope());
        bus->name = a.name;
        net().buses.insert (a.bus);
        return {};
    }

    //==========================================================================
    // Piano roll

    Track* track (InstrumentId id, std::string& error)
    {
        auto* t = session.pianoRoll.find (id);
        if (t == nullptr)
            error = sentence ("There is no instrument ", id.value, ".");
        return t;
    }

    void noteEdited (NoteOp::Kind kind, InstrumentId id, const Note& n)
    {
        audio (AudioEffect::forId (AudioEffect::Kind::updateTrack, id.value));
        net().noteOps.push_back ({ kind, id, n });
    }

    static constexpr std::size_t maxNotesPerTrack = 1 << 20;

    std::string handle (const action::AddNote& a)
    {
        std::string error;
        auto* t = track (a.instrument, error);
        if (t == nullptr)
            return error;
        if (t->notes.size() >= maxNotesPerTrack)
            return sentence ("Instrument ", a.instrument.value, "'s track is full (", maxNotesPerTrack, " notes).");
        auto note = a.note;
        note.id = {};
        if (auto e = checks::note ("The new note", note); ! e.empty())
            return e;
        edit ({ UndoScopeKind::track, a.instrument.value });
        note.id = session.allocateId<NoteId>();
        result.createdId = note.id.value;
        t->insert (note);
        noteEdited (NoteOp::Kind::add, a.instrument, note);
        return {};
    }

    std::string handle (const action::DeleteNote& a)
    {
        std::string error;
        auto* t = track (a.instrument, error);
        if (t == nullptr)
            return error;
        if (t->find (a.note) == nullptr)
            return sentence ("Instrument ", a.instrument.value, " has no note ", a.note.value, ".");
        edit ({ UndoScopeKind::track, a.instrument.value });
        noteEdited (NoteOp::Kind::remove, a.instrument, *t->remove (a.note));
        return {};
    }

    /** Validates a changed copy of a note, then re-inserts it in order. */
    std::string changeNote (InstrumentId id, NoteId noteId, const std::function<void (Note&)>& change)
    {
        std::string error;
        auto* t = track (id, error);
        if (t == nullptr)
            return error;
        auto* existing = t->find (noteId);
        if (existing == nullptr)
            return sentence ("Instrument ", id.value, " has no note ", noteId.value, ".");
        auto note = *existing;
        change (note);
        if (auto e = checks::note ("The edited note", note); ! e.empty())
            return e;
        edit ({ UndoScopeKind::track, id.value });
        t->remove (noteId);
        t->insert (note);
        noteEdited (NoteOp::Kind::update, id, note);
        return {};
    }

    std::string handle (const action::MoveNote& a)
    {
        return changeNote (a.instrument, a.note, [&] (Note& n)
                           { n.tick = a.tick; n.pitch = a.pitch; });
    }

    std::string handle (const action::ResizeNote& a)
    {
        return changeNote (a.instrument, a.note, [&] (Note& n)
                           { n.duration = a.duration; });
    }

    std::string handle (const action::SetNoteVelocity& a)
    {
        return changeNote (a.instrument, a.note, [&] (Note& n)
                           { n.velocity = a.velocity; n.probability = a.probability; });
    }

    //==========================================================================
    // Automation

    std::string checkTarget (const AutomationTarget& t)
    {
        if ((int) t.kind > (int) AutomationTargetKind::swing)
            return "Unknown automation target.";
        if (t.kind == AutomationTargetKind::parameter && ! findParam (session, t.param))
            return sentence ("There is no parameter ", describe (session, t.param), " to automate.");
        return {};
    }

    std::string handle (const action::AddLane& a)
    {
        if (auto e = checkTarget (a.target); ! e.empty())
            return e;
        for (const auto& lane : session.automation)
            if (lane.target == a.target)
                return sentence ("Lane ", lane.id.value, " already automates that target.");
        edit (sessionScope());
        const auto id = session.allocateId<LaneId>();
        result.createdId = id.value;
        session.automation.add (Lane { id, a.target, true, {} });
        audio (AudioEffect::forId (AudioEffect::Kind::updateLane, id.value));
        net().automationStructural = true;
        return {};
    }

    std::string handle (const action::RemoveLane& a)
    {
        if (! session.automation.contains (a.lane))
            return sentence ("There is no automation lane ", a.lane.value, ".");
        edit (sessionScope());
        session.automation.erase (a.lane);
        audio (AudioEffect::forId (AudioEffect::Kind::updateLane, a.lane.value));
        net().automationStructural = true;
        return {};
    }

    Lane* lane (LaneId id, std::string& error)
    {
        auto* l = session.automation.find (id);
        if (l == nullptr)
            error = sentence ("There is no automation lane ", id.value, ".");
        return l;
    }

    void laneEdited (LaneId id)
    {
        audio (AudioEffect::forId (AudioEffect::Kind::updateLane, id.value));
    }

    std::string handle (const action::SetLaneEnabled& a)
    {
        std::string error;
        auto* l = lane (a.lane, error);
        if (l == nullptr)
            return error;
        edit ({ UndoScopeKind::lane, a.lane.value });
        l->enabled = a.enabled;
        laneEdited (a.lane);
        net().lanes.insert (a.lane);
        return {};
    }

    std::string handle (const action::SetPoint& a)
    {
        std::string error;
        auto* l = lane (a.lane, error);
        if (l == nullptr)
            return error;
        if (auto e = checkPointValue (l->target, a.point); ! e.empty())
            return e;
        edit ({ UndoScopeKind::lane, a.lane.value });
        l->points.set (a.point);
        laneEdited (a.lane);
        net().pointOps.push_back ({ PointOp::Kind::set, a.lane, a.point });
        return {};
    }

    std::string handle (const action::DeletePoint& a)
    {
        std::string error;
        auto* l = lane (a.lane, error);
        if (l == nullptr)
            return error;
        if (l->points.find (a.tick) == nullptr)
            return sentence ("Lane ", a.lane.value, " has no point at tick ", a.tick, ".");
        edit ({ UndoScopeKind::lane, a.lane.value });
        net().pointOps.push_back ({ PointOp::Kind::remove, a.lane, *l->points.remove (a.tick) });
        laneEdited (a.lane);
        return {};
    }

    std::string handle (const action::MovePoint& a)
    {
        std::string error;
        auto* l = lane (a.lane, error);
        if (l == nullptr)
            return error;
        if (l->points.find (a.from) == nullptr)
            return sentence ("Lane ", a.lane.value, " has no point at tick ", a.from, ".");
        if (auto e = checkPointValue (l->target, a.to); ! e.empty())
            return e;
        edit ({ UndoScopeKind::lane, a.lane.value });
        net().pointOps.push_back ({ PointOp::Kind::remove, a.lane, *l->points.remove (a.from) });
        l->points.set (a.to);
        net().pointOps.push_back ({ PointOp::Kind::set, a.lane, a.to });
        laneEdited (a.lane);
        return {};
    }

    //==========================================================================
    // Arrangement

    void eraseClip (ClipId id)
    {
        std::vector<PlacementId> doomed;
        for (const auto& p : session.arrangement.placements)
            if (p.clip == id)
                doomed.push_back (p.id);
        for (auto p : doomed)
            session.arrangement.placements.erase (p);
        session.arrangement.clips.erase (id);
    }

    std::string handle (const action::AddClip& a)
    {
        std::string error;
        auto* t = track (a.instrument, error);
        if (t == nullptr)
            return error;
        if (a.length <= 0)
            return "A clip must have a positive length.";
        if (auto e = checks::name ("The clip name", a.name); ! e.empty())
            return e;
        edit (sessionScope());
        Clip clip;
        clip.id = session.allocateId<ClipId>();
        clip.name = a.name.empty() ? "Clip " + std::to_string (clip.id.value) : a.name;
        clip.instrument = a.instrument;
        clip.length = a.length;
        if (a.capture)
            for (auto i = t->firstAtOrAfter (0); i < t->notes.size() && t->notes[i].tick < a.length; ++i)
            {
                auto n = t->notes[i];
                n.id = session.allocateId<NoteId>();
                clip.notes.push_back (n);
            }
        std::sort (clip.notes.begin(), clip.notes.end(), noteOrder);
        result.createdId = clip.id.value;
        session.arrangement.clips.add (std::move (clip));
        arrangementChanged();
        return {};
    }

    std::string handle (const action::DeleteClip& a)
    {
        if (! session.arrangement.clips.contains (a.clip))
            return sentence ("There is no clip ", a.clip.value, ".");
        edit (sessionScope());
        eraseClip (a.clip);
        arrangementChanged();
        return {};
    }

    std::string handle (const action::RenameClip& a)
    {
        auto* clip = session.arrangement.clips.find (a.clip);
        if (clip == nullptr)
            return sentence ("There is no clip ", a.clip.value, ".");
        if (auto e = checks::name ("The clip name", a.name); ! e.empty())
            return e;
        edit (sessionScope());
        clip->name = a.name;
        net().arrangement = true;
        return {};
    }

    std::string handle (const action::AddPlacement& a)
    {
        if (! session.arrangement.clips.contains (a.clip))
            return sentence ("There is no clip ", a.clip.value, ".");
        if (a.start < 0 || a.length < 0)
            return "A placement cannot start before zero or have a negative length.";
        edit (sessionScope());
        const auto id = session.allocateId<PlacementId>();
        result.createdId = id.value;
        session.arrangement.placements.add ({ id, a.clip, a.start, a.length });
        arrangementChanged();
        return {};
    }

    Placement* placement (PlacementId id, std::string& error)
    {
        auto* p = session.arrangement.placements.find (id);
        if (p == nullptr)
            error = sentence ("There is no placement ", id.value, ".");
        return p;
    }

    std::string handle (const action::MovePlacement& a)
    {
        std::string error;
        auto* p = placement (a.placement, error);
        if (p == nullptr)
            return error;
        if (a.start < 0)
            return "A placement cannot start before zero.";
        edit (sessionScope());
        p->start = a.start;
        arrangementChanged();
        return {};
    }

    std::string handle (const action::ResizePlacement& a)
    {
        std::string error;
        auto* p = placement (a.placement, error);
        if (p == nullptr)
            return error;
        if (a.length < 0)
            return "A placement cannot have a negative length.";
        edit (sessionScope());
        p->length = a.length;
        arrangementChanged();
        return {};
    }

    std::string handle (const action::DeletePlacement& a)
    {
        std::string error;
        if (placement (a.placement, error) == nullptr)
            return error;
        edit (sessionScope());
        session.arrangement.placements.erase (a.placement);
        arrangementChanged();
        return {};
    }

    std::string handle (const action::SetPlayMode& a)
    {
        if ((int) a.mode > (int) PlayMode::song)
            return "Unknown play mode.";
        edit (sessionScope());
        session.arrangement.mode = a.mode;
        arrangementChanged();
        return {};
    }

    //==========================================================================
    // Session settings

    static constexpr CoalesceKey sessionKey { CoalesceKey::Kind::sessionParams, 0 };

    std::string handle (const action::RenameSession& a)
    {
        if (auto e = checks::name ("The session name", a.name); ! e.empty())
            return e;
        edit (sessionScope());
        session.settings.name = a.name;
        net().settings = true;
        return {};
    }

    std::string handle (const action::SetBpm& a)
    {
        if (auto e = checks::bpm (a.bpm); ! e.empty())
            return e;
        edit (sessionScope(), sessionKey);
        session.settings.bpm = a.bpm;
        timingChanged();
        return {};
    }

    std::string handle (const action::SetTimeSignature& a)
    {
        if (auto e = checks::timeSignature (a.numerator, a.denominator); ! e.empty())
            return e;
        edit (sessionScope());
        session.settings.timeSigNumerator = a.numerator;
        session.settings.timeSigDenominator = a.denominator;
        timingChanged();
        return {};
    }

    std::string handle (const action::SetKey& a)
    {
        if (a.key < 0 || a.key > 11)
            return sentence ("Key ", a.key, " is not a pitch class (0 to 11).");
        if ((int) a.scale >= numScales)
            return "Unknown scale.";
        edit (sessionScope());
        session.settings.key = a.key;
        session.settings.scale = a.scale;
        net().settings = true;
        return {};
    }

    std::string handle (const action::SetSwing& a)
    {
        if (! std::isfinite (a.swing) || a.swing < 0.0f || a.swing > 1.0f)
            return sentence ("A swing of ", a.swing, " is outside 0 to 1.");
        edit (sessionScope(), sessionKey);
        session.settings.swing = a.swing;
        timingChanged();
        return {};
    }

    std::string handle (const action::SetLoop& a)
    {
        if (auto e = checks::loop (a.loop); ! e.empty())
            return e;
        edit (sessionScope());
        session.settings.loop = a.loop;
        timingChanged();
        return {};
    }

    //==========================================================================
    // Transport: live state, not undoable

    std::string handle (const action::Play&)
    {
        session.transport.playing = true;
        transportChanged();
        return {};
    }

    std::string handle (const action::Stop&)
    {
        session.transport.playing = false;
        session.transport.recording = false;
        transportChanged();
        return {};
    }

    std::string handle (const action::Locate& a)
    {
        if (a.tick < 0)
            return "The playhead cannot move before the start.";
        session.transport.position = a.tick;
        transportChanged (true);
        return {};
    }

    std::string handle (const action::SetRecording& a)
    {
        session.transport.recording = a.recording;
        transportChanged();
        return {};
    }

    std::string handle (const action::SetAutomationRecording& a)
    {
        session.transport.automationRecording = a.enabled;
        transportChanged();
        return {};
    }

    //==========================================================================
    // History

    std::string handle (const action::Undo&) { return restore (true); }
    std::string handle (const action::Redo&) { return restore (false); }

    std::string restore (bool isUndo)
    {
        if (isUndo ? ! history.canUndo() : ! history.canRedo())
            return isUndo ? "There is nothing to undo." : "There is nothing to redo.";

        // Keep the part about to be replaced (the same scope, so a tweak's undo copies one instrument)
        // to work out the narrowest effects.
        const auto scope = isUndo ? *history.peekScope() : *history.peekRedoScope();
        const auto before = UndoHistory::snapshot (session, scope);
        isUndo ? history.undo (session) : history.redo (session);
        result.changes.undoScope = scope;
        describeRestore (before, scope);
        return {};
    }

    void describeRestore (const UndoHistory::Entry& before, UndoScope scope)
    {
        switch (scope.kind)
        {
            case UndoScopeKind::none:
                break;
            case UndoScopeKind::instrument:
            {
                const InstrumentId id { scope.id };
                instrumentRestored (std::get<Instrument> (before.data), *session.instruments.find (id));
                net().instruments.insert (id);
                break;
            }
            case UndoScopeKind::track:
                audio (AudioEffect::forId (AudioEffect::Kind::updateTrack, scope.id));
                net().tracks.insert (InstrumentId { scope.id });
                break;
            case UndoScopeKind::lane:
                laneEdited (LaneId { scope.id });
                net().lanes.insert (LaneId { scope.id });
                break;
            case UndoScopeKind::session:
                sessionRestored (std::get<UndoHistory::SessionPart> (before.data));
                break;
            case UndoScopeKind::full:
                audio (AudioEffect::forId (AudioEffect::Kind::fullRebuild, 0));
                net() = NetDirty::everything();
                break;
        }
    }

    /** Emits per-parameter effects when only values changed, else one rebuild of the instrument. */
    void instrumentRestored (const Instrument& was, const Instrument& now)
    {
        auto normalised = was;
        std::vector<AudioEffect> effects;
        forEachParam (now, [&] (const ParamAddress& p)
                      {
            auto* target = findParamValue (normalised, p);
            const auto* value = findParamValue (const_cast<Instrument&> (now), p);
            if (target != nullptr && value != nullptr && *target != *value)
            {
                *target = *value;
                effects.push_back (AudioEffect::forParam (p, *value));
            } });

        const auto& a = normalised.strip;
        const auto& b = now.strip;
        if (a.mute != b.mute || a.solo != b.solo)
        {
            effects.push_back (AudioEffect::forId (AudioEffect::Kind::setStripSwitches, now.id.value));
            normalised.strip.mute = b.mute;
            normalised.strip.solo = b.solo;
        }
        if (a.output != b.output || a.sends != b.sends)
        {
            effects.push_back (AudioEffect::forId (AudioEffect::Kind::reroute, now.id.value));
            normalised.strip.output = b.output;
            normalised.strip.sends = b.sends;
        }
        if (normalised.lfo != now.lfo || normalised.groove != now.groove || normalised.voiceCap != now.voiceCap)
        {
            effects.push_back (AudioEffect::forId (AudioEffect::Kind::updateInstrument, now.id.value));
            normalised.lfo = now.lfo;
            normalised.groove = now.groove;
            normalised.voiceCap = now.voiceCap;
        }
        normalised.name = now.name;
        for (auto& st : normalised.chain)
            if (auto* other = now.findStage (st.id); other != nullptr && other->bypassed != st.bypassed)
                st.bypassed = other->bypassed;
        normalised.source.plugin.state = now.source.plugin.state;

        if (normalised == now)
        {
            for (const auto& st : now.chain)
                if (auto* old = was.findStage (st.id); old != nullptr && old->bypassed != st.bypassed)
                {
                    auto e = AudioEffect::forId (AudioEffect::Kind::setBypass, now.id.value);
                    e.param = ParamAddress::stage (NodeKind::instrument, now.id.value, st.id, 0);
                    e.value = st.bypassed ? 1.0f : 0.0f;
                    effects.push_back (e);
                }
            for (auto& e : effects)
                audio (e);
        }
        else
        {
            audio (AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, now.id.value));
        }
    }

    void sessionRestored (const UndoHistory::SessionPart& before)
    {
        if (before.settings != session.settings)
            timingChanged();
        if (! (before.arrangement == session.arrangement))
            arrangementChanged();
        if (! (before.automation == session.automation))
        {
            // Lanes may have been added or removed: tell the engine about every lane on either side.
            std::set<std::uint32_t> ids;
            for (const auto& l : before.automation)
                ids.insert (l.id.value);
            for (const auto& l : session.automation)
                ids.insert (l.id.value);
            for (auto id : ids)
                audio (AudioEffect::forId (AudioEffect::Kind::updateLane, id));
            net().automationStructural = true;
        }
        for (const auto& bus : session.mixer.buses)
        {
            const auto* old = before.mixer.buses.find (bus.id);
            if (old == nullptr || *old == bus)
                continue;
            if (old->chain != bus.chain)
                audio (AudioEffect::forId (AudioEffect::Kind::rebuildBus, bus.id.value, NodeKind::bus));
            else
            {
                if (old->level != bus.level)
                    audio (AudioEffect::forParam ({ NodeKind::bus, bus.id.value, ParamGroup::strip, 0, 0 }, bus.level));
                if (old->pan != bus.pan)
                    audio (AudioEffect::forParam ({ NodeKind::bus, bus.id.value, ParamGroup::strip, 0, 1 }, bus.pan));
                if (old->mute != bus.mute || old->solo != bus.solo)
                    audio (AudioEffect::forId (AudioEffect::Kind::setStripSwitches, bus.id.value, NodeKind::bus));
            }
            net().buses.insert (bus.id);
        }
        const auto& m = session.mixer.master;
        const auto& om = before.mixer.master;
        if (! (om == m))
        {
            if (om.chain != m.chain)
                audio (AudioEffect::forId (AudioEffect::Kind::rebuildMaster, 0, NodeKind::master));
            if (om.level != m.level)
                audio (AudioEffect::forParam ({ NodeKind::master, 0, ParamGroup::strip, 0, 0 }, m.level));
            if (om.mute != m.mute)
                audio (AudioEffect::forId (AudioEffect::Kind::setStripSwitches, 0, NodeKind::master));
            net().master = true;
        }
    }
};

//==============================================================================
Dispatcher::Dispatcher (Session& s, UndoHistory& h)
    : session (s)
    , history (h)
{
}

ApplyResult Dispatcher::apply (const Action& action)
{
    Context context { session, history, {} };
    auto error = std::visit ([&] (const auto& a)
                             { return context.handle (a); },
                             action);
    if (! error.empty())
        return ApplyResult { std::move (error), {}, 0 };
    return std::move (context.result);
}

//==============================================================================
const char* actionName (const Action& action) noexcept
{
    static constexpr const char* names[] = {
        "AddInstrument", "DeleteInstrument", "DuplicateInstrument", "RenameInstrument", "SetSource", "SetBackend", "SetVoiceCap", "SetParam", "SetLfo", "SetGroove", "AddStage", "RemoveStage", "MoveStage", "SetStageBypass", "SetPluginState", "SetMute", "SetSolo", "SetOutput", "AddSend", "RemoveSend", "SetSendTap", "AddBus", "RemoveBus", "RenameBus", "AddNote", "DeleteNote", "MoveNote", "ResizeNote", "SetNoteVelocity", "AddLane", "RemoveLane", "SetLaneEnabled", "SetPoint", "DeletePoint", "MovePoint", "AddClip", "DeleteClip", "RenameClip", "AddPlacement", "MovePlacement", "ResizePlacement", "DeletePlacement", "SetPlayMode", "RenameSession", "SetBpm", "SetTimeSignature", "SetKey", "SetSwing", "SetLoop", "Play", "Stop", "Locate", "SetRecording", "SetAutomationRecording", "Undo", "Redo"
    };
    static_assert (std::size (names) == std::variant_size_v<Action>);
    return names[action.index()];
}

//==============================================================================
bool NetDirty::empty() const noexcept
{
    return ! settings && ! transport && ! instrumentsStructural && instruments.empty() && ! pianoRollStructural && tracks.empty()
           && noteOps.empty() && ! automationStructural && lanes.empty() && pointOps.empty() && ! arrangement && ! mixerStructural
           && buses.empty() && ! master;
}

void NetDirty::merge (const NetDirty& o)
{
    settings |= o.settings;
    transport |= o.transport;
    instrumentsStructural |= o.instrumentsStructural;
    instruments.insert (o.instruments.begin(), o.instruments.end());
    pianoRollStructural |= o.pianoRollStructural;
    tracks.insert (o.tracks.begin(), o.tracks.end());
    noteOps.insert (noteOps.end(), o.noteOps.begin(), o.noteOps.end());
    automationStructural |= o.automationStructural;
    lanes.insert (o.lanes.begin(), o.lanes.end());
    pointOps.insert (pointOps.end(), o.pointOps.begin(), o.pointOps.end());
    arrangement |= o.arrangement;
    mixerStructural |= o.mixerStructural;
    buses.insert (o.buses.begin(), o.buses.end());
    master |= o.master;
}

NetDirty NetDirty::everything()
{
    NetDirty d;
    d.settings = d.transport = d.instrumentsStructural = d.pianoRollStructural = true;
    d.automationStructural = d.arrangement = d.mixerStructural = d.master = true;
    return d;
}

} // namespace imbolc::model
