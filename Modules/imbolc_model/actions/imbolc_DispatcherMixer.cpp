#include "imbolc_DispatcherContext.h"

namespace imbolc::model
{

std::vector<Stage>* Dispatcher::Context::chainOf (NodeKind node, std::uint32_t id, std::string& error)
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

UndoScope Dispatcher::Context::chainScope (NodeKind node, std::uint32_t id) const
{
    return node == NodeKind::instrument ? instrumentScope (InstrumentId { id }) : sessionScope();
}

void Dispatcher::Context::chainChanged (NodeKind node, std::uint32_t id)
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

void Dispatcher::Context::nodeDirty (NodeKind node, std::uint32_t id)
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

std::string Dispatcher::Context::prepareStage (Stage& st, const std::string& owner)
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

//==============================================================================
// Instruments

std::string Dispatcher::Context::handle (const action::SetParam& a)
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

void Dispatcher::Context::recordAutomation (const ParamAddress& param, float value)
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

//==============================================================================
// Chains

std::string Dispatcher::Context::handle (const action::AddStage& a)
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

std::string Dispatcher::Context::handle (const action::RemoveStage& a)
{
    std::string error;
    auto* chain = chainOf (a.node, a.nodeId, error);
    if (chain == nullptr)
        return error;
    if (findStage (*chain, a.stage) == nullptr)
        return sentence (nodeName (a.node, a.nodeId), " has no stage ", a.stage.value, ".");
    // A macro on the stage is unassigned in the same undo step. An instrument's own scope does not hold
    // the session's macros, so that (rare) removal is a full-scope step; a bus's or the master's
    // session scope holds them already.
    const auto onStage = [&] (const ParamAddress& p)
    { return onNode (p, a.node, a.nodeId) && p.group == ParamGroup::stage && p.itemId == a.stage.value; };
    const bool dropsMacro = anyMacroDrives (onStage);
    edit (dropsMacro && a.node == NodeKind::instrument ? fullScope() : chainScope (a.node, a.nodeId));
    std::erase_if (*chain, [&] (const Stage& s)
                   { return s.id == a.stage; });
    chainChanged (a.node, a.nodeId);
    unassignMacros (onStage);
    return {};
}

std::string Dispatcher::Context::handle (const action::MoveStage& a)
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

std::string Dispatcher::Context::handle (const action::SetStageBypass& a)
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

std::string Dispatcher::Context::handle (const action::SetPluginState& a)
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

//==============================================================================
// Mixer

std::string Dispatcher::Context::handle (const action::SetMute& a)
{
    return setSwitch (a.node, a.nodeId, a.mute, false);
}

std::string Dispatcher::Context::handle (const action::SetSolo& a)
{
    return setSwitch (a.node, a.nodeId, a.solo, true);
}

std::string Dispatcher::Context::setSwitch (NodeKind node, std::uint32_t id, bool on, bool solo)
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

std::string Dispatcher::Context::handle (const action::SetOutput& a)
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

void Dispatcher::Context::rerouted (InstrumentId id)
{
    audio (AudioEffect::forId (AudioEffect::Kind::reroute, id.value));
    net().instruments.insert (id);
}

Send* Dispatcher::Context::findSend (Instrument& inst, BusId bus)
{
    for (auto& s : inst.strip.sends)
        if (s.bus == bus)
            return &s;
    return nullptr;
}

std::string Dispatcher::Context::handle (const action::AddSend& a)
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

std::string Dispatcher::Context::handle (const action::RemoveSend& a)
{
    std::string error;
    auto* inst = instrument (a.instrument, error);
    if (inst == nullptr)
        return error;
    if (findSend (*inst, a.bus) == nullptr)
        return sentence ("Instrument ", a.instrument.value, " has no send to bus ", a.bus.value, ".");
    // As for a stage: a macro on the send level goes in the same (then full-scope) undo step.
    const auto onSend = [&] (const ParamAddress& p)
    { return onNode (p, NodeKind::instrument, a.instrument.value) && p.group == ParamGroup::send && p.itemId == a.bus.value; };
    edit (anyMacroDrives (onSend) ? fullScope() : instrumentScope (a.instrument));
    std::erase_if (inst->strip.sends, [&] (const Send& s)
                   { return s.bus == a.bus; });
    rerouted (a.instrument);
    unassignMacros (onSend);
    return {};
}

std::string Dispatcher::Context::handle (const action::SetSendTap& a)
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

std::string Dispatcher::Context::handle (const action::AddBus& a)
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

std::string Dispatcher::Context::handle (const action::RemoveBus& a)
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
    // The bus's own parameters and every send level to it are gone.
    unassignMacros ([&] (const ParamAddress& p)
                    { return onNode (p, NodeKind::bus, a.bus.value) || (p.node == NodeKind::instrument && p.group == ParamGroup::send && p.itemId == a.bus.value); });
    audio (AudioEffect::forId (AudioEffect::Kind::deleteBus, a.bus.value, NodeKind::bus));
    net().mixerStructural = true;
    return {};
}

std::string Dispatcher::Context::handle (const action::RenameBus& a)
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

} // namespace imbolc::model
