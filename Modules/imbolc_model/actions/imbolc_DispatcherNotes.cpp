#include "imbolc_DispatcherContext.h"

namespace imbolc::model
{

void Dispatcher::Context::removeLanesOf (NodeKind node, std::uint32_t id)
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

std::string Dispatcher::Context::checkPointValue (const AutomationTarget& target, const Point& p)
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

//==============================================================================
// Piano roll

Track* Dispatcher::Context::track (InstrumentId id, std::string& error)
{
    auto* t = session.pianoRoll.find (id);
    if (t == nullptr)
        error = sentence ("There is no instrument ", id.value, ".");
    return t;
}

void Dispatcher::Context::noteEdited (NoteOp::Kind kind, InstrumentId id, const Note& n)
{
    audio (AudioEffect::forId (AudioEffect::Kind::updateTrack, id.value));
    net().noteOps.push_back ({ kind, id, n });
}

std::string Dispatcher::Context::handle (const action::AddNote& a)
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

std::string Dispatcher::Context::handle (const action::DeleteNote& a)
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

std::string Dispatcher::Context::changeNote (InstrumentId id, NoteId noteId, const std::function<void (Note&)>& change)
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

std::string Dispatcher::Context::handle (const action::MoveNote& a)
{
    return changeNote (a.instrument, a.note, [&] (Note& n)
                       { n.tick = a.tick; n.pitch = a.pitch; });
}

std::string Dispatcher::Context::handle (const action::ResizeNote& a)
{
    return changeNote (a.instrument, a.note, [&] (Note& n)
                       { n.duration = a.duration; });
}

std::string Dispatcher::Context::handle (const action::SetNoteVelocity& a)
{
    return changeNote (a.instrument, a.note, [&] (Note& n)
                       { n.velocity = a.velocity; n.probability = a.probability; });
}

//==============================================================================
// Automation

std::string Dispatcher::Context::checkTarget (const AutomationTarget& t)
{
    if ((int) t.kind > (int) AutomationTargetKind::swing)
        return "Unknown automation target.";
    if (t.kind == AutomationTargetKind::parameter && ! findParam (session, t.param))
        return sentence ("There is no parameter ", describe (session, t.param), " to automate.");
    return {};
}

std::string Dispatcher::Context::handle (const action::AddLane& a)
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

std::string Dispatcher::Context::handle (const action::RemoveLane& a)
{
    if (! session.automation.contains (a.lane))
        return sentence ("There is no automation lane ", a.lane.value, ".");
    edit (sessionScope());
    session.automation.erase (a.lane);
    audio (AudioEffect::forId (AudioEffect::Kind::updateLane, a.lane.value));
    net().automationStructural = true;
    return {};
}

Lane* Dispatcher::Context::lane (LaneId id, std::string& error)
{
    auto* l = session.automation.find (id);
    if (l == nullptr)
        error = sentence ("There is no automation lane ", id.value, ".");
    return l;
}

void Dispatcher::Context::laneEdited (LaneId id)
{
    audio (AudioEffect::forId (AudioEffect::Kind::updateLane, id.value));
}

std::string Dispatcher::Context::handle (const action::SetLaneEnabled& a)
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

std::string Dispatcher::Context::handle (const action::SetPoint& a)
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

std::string Dispatcher::Context::handle (const action::DeletePoint& a)
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

std::string Dispatcher::Context::handle (const action::MovePoint& a)
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

} // namespace imbolc::model
