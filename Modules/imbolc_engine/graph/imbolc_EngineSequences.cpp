// Engine, continued: building the sequences (notes, automation lanes, the LFO) that the audio thread
// plays, per instrument and global, and rebuilding only those an edit touches.

namespace imbolc::engine
{

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

} // namespace imbolc::engine
