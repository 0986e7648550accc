#include "imbolc_DispatcherContext.h"

namespace imbolc::model
{

namespace
{
    /** True when two sessions hold the same instruments (equal, under the same ids), perhaps in another
        order, and the same everything else (transport and the next id aside, which undo never takes
        back): what undoing or redoing a MoveInstrument leaves. */
    bool onlyInstrumentOrderDiffers (const Session& was, const Session& now)
    {
        if (! (was.settings == now.settings) || ! (was.pianoRoll == now.pianoRoll) || ! (was.arrangement == now.arrangement)
            || ! (was.automation == now.automation) || ! (was.mixer == now.mixer) || was.macros != now.macros
            || was.instruments.size() != now.instruments.size())
            return false;
        return std::all_of (now.instruments.begin(), now.instruments.end(), [&was] (const Instrument& inst)
                            {
                                const auto* old = was.instruments.find (inst.id);
                                return old != nullptr && *old == inst; });
    }
} // namespace

//==============================================================================
// History

std::string Dispatcher::Context::handle (const action::Undo&)
{
    return restore (true);
}

std::string Dispatcher::Context::handle (const action::Redo&)
{
    return restore (false);
}

std::string Dispatcher::Context::restore (bool isUndo)
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

void Dispatcher::Context::describeRestore (const UndoHistory::Entry& before, UndoScope scope)
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
            // A reorder of the rack is all some full-scope entries restore: the engine does not care
            // about the order, so it needs no rebuild, and only the instruments travel.
            if (onlyInstrumentOrderDiffers (std::get<Session> (before.data), session))
            {
                net().instrumentsStructural = true;
                break;
            }
            audio (AudioEffect::forId (AudioEffect::Kind::fullRebuild, 0));
            net() = NetDirty::everything();
            break;
    }
}

void Dispatcher::Context::instrumentRestored (const Instrument& was, const Instrument& now)
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
    if (normalised.lfo != now.lfo || normalised.groove != now.groove || normalised.voiceCap != now.voiceCap || normalised.midiChannel != now.midiChannel
        || normalised.midiOutputChannel != now.midiOutputChannel)
    {
        effects.push_back (AudioEffect::forId (AudioEffect::Kind::updateInstrument, now.id.value));
        normalised.lfo = now.lfo;
        normalised.groove = now.groove;
        normalised.voiceCap = now.voiceCap;
        normalised.midiChannel = now.midiChannel;
        normalised.midiOutputChannel = now.midiOutputChannel;
    }
    normalised.name = now.name;
    normalised.recordArmed = now.recordArmed; // not an edit: undo leaves the arm switch alone
    drumKitRestored (normalised, now, effects);
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

void Dispatcher::Context::sessionRestored (const UndoHistory::SessionPart& before)
{
    if (before.macros != session.macros || before.settings.midiMappings != session.settings.midiMappings)
        macrosChanged();
    if (before.settings != session.settings)
        timingChanged();
    if (before.settings.pluginIsolation != session.settings.pluginIsolation)
        audio (AudioEffect::forId (AudioEffect::Kind::pluginIsolation, 0));
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

} // namespace imbolc::model
