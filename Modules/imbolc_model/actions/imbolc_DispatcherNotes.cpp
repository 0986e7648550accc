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
    if (std::abs ((int) p.shape) > Point::maxShape)
        return sentence ("A curve shape of ", (int) p.shape, " is outside -100 to 100.");
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

//==============================================================================
// Batched edits from the editors

namespace
{
    /** True if the ids hold a repeat; sorts them. */
    template <typename T>
    bool sortAndFindRepeat (std::vector<T>& ids)
    {
        std::sort (ids.begin(), ids.end());
        return std::adjacent_find (ids.begin(), ids.end()) != ids.end();
    }

    /** Past this many operations, and a quarter of the item, the network sends the item whole: one
        vector of notes is smaller than the same notes as operations, and the receiver sorts once. */
    constexpr std::size_t opsBeforeWhole = 64;
} // namespace

std::string Dispatcher::Context::handle (const action::EditNotes& a)
{
    std::string error;
    auto* t = track (a.instrument, error);
    if (t == nullptr)
        return error;

    Clip* clip = nullptr;
    if (a.clip.isValid())
    {
        clip = session.arrangement.clips.find (a.clip);
        if (clip == nullptr)
            return sentence ("There is no clip ", a.clip.value, ".");
        if (clip->instrument != a.instrument)
            return sentence ("Clip ", a.clip.value, " belongs to instrument ", clip->instrument.value, ", not ", a.instrument.value, ".");
    }
    auto& notes = clip != nullptr ? clip->notes : t->notes;
    const auto owner = clip != nullptr ? sentence ("Clip ", a.clip.value) : sentence ("Instrument ", a.instrument.value, "'s track");

    if (a.remove.empty() && a.change.empty() && a.add.empty())
        return "The note edit has no notes in it.";

    // Check everything first: ids exist, none is named twice, every resulting note is valid.
    std::vector<std::uint32_t> named;
    named.reserve (a.remove.size() + a.change.size());
    for (auto id : a.remove)
        named.push_back (id.value);
    for (const auto& n : a.change)
        named.push_back (n.id.value);
    if (sortAndFindRepeat (named))
        return sentence ("The note edit names a note of ", owner, " twice.");

    std::vector<std::uint32_t> present;
    present.reserve (notes.size());
    for (const auto& n : notes)
        present.push_back (n.id.value);
    std::sort (present.begin(), present.end());
    for (auto id : named)
        if (! std::binary_search (present.begin(), present.end(), id))
            return sentence (owner, " has no note ", id, ".");

    const auto checkNote = [&] (const Note& n, const char* what) -> std::string
    {
        if (auto e = checks::note (what, n); ! e.empty())
            return e;
        if (clip != nullptr && n.tick >= clip->length)
            return sentence (what, " starts at tick ", n.tick, ", past the end of clip ", a.clip.value, " (", clip->length, " ticks).");
        return {};
    };
    for (const auto& n : a.change)
        if (auto e = checkNote (n, "An edited note"); ! e.empty())
            return e;
    for (const auto& n : a.add)
        if (auto e = checkNote (n, "A new note"); ! e.empty())
            return e;
    if (notes.size() - a.remove.size() + a.add.size() > maxNotesPerTrack)
        return sentence (owner, " would hold more than ", maxNotesPerTrack, " notes.");

    edit (clip != nullptr ? sessionScope() : UndoScope { UndoScopeKind::track, a.instrument.value });

    // One pass keeps the untouched notes, then the changed and added ones go in and one sort restores
    // the order: O(n log n) for any size of edit, where note-by-note inserts would be O(n) each.
    std::vector<NoteOp> ops;
    const bool sendOps = clip == nullptr;
    std::vector<Note> kept;
    kept.reserve (notes.size() + a.add.size());
    std::vector<std::uint32_t> removed;
    for (auto id : a.remove)
        removed.push_back (id.value);
    std::sort (removed.begin(), removed.end());
    for (auto& n : notes)
    {
        if (std::binary_search (named.begin(), named.end(), n.id.value))
        {
            if (sendOps && std::binary_search (removed.begin(), removed.end(), n.id.value))
                ops.push_back ({ NoteOp::Kind::remove, a.instrument, n });
            continue;
        }
        kept.push_back (n);
    }
    for (const auto& n : a.change)
    {
        kept.push_back (n);
        if (sendOps)
            ops.push_back ({ NoteOp::Kind::update, a.instrument, n });
    }
    for (std::size_t i = 0; i < a.add.size(); ++i)
    {
        auto n = a.add[i];
        n.id = session.allocateId<NoteId>();
        if (i == 0)
            result.createdId = n.id.value;
        kept.push_back (n);
        if (sendOps)
            ops.push_back ({ NoteOp::Kind::add, a.instrument, n });
    }
    std::sort (kept.begin(), kept.end(), noteOrder);
    notes = std::move (kept);

    if (clip != nullptr)
    {
        arrangementChanged();
        return {};
    }
    audio (AudioEffect::forId (AudioEffect::Kind::updateTrack, a.instrument.value));
    if (ops.size() > opsBeforeWhole && ops.size() > notes.size() / 4)
        net().tracks.insert (a.instrument);
    else
        net().noteOps.insert (net().noteOps.end(), ops.begin(), ops.end());
    return {};
}

std::string Dispatcher::Context::handle (const action::EditPoints& a)
{
    std::string error;
    auto* l = lane (a.lane, error);
    if (l == nullptr)
        return error;
    if (a.remove.empty() && a.set.empty())
        return "The automation edit has no points in it.";

    auto removed = a.remove;
    if (sortAndFindRepeat (removed))
        return sentence ("The automation edit removes a point of lane ", a.lane.value, " twice.");
    for (auto tick : removed)
        if (l->points.find (tick) == nullptr)
            return sentence ("Lane ", a.lane.value, " has no point at tick ", tick, ".");
    std::vector<Tick> setTicks;
    setTicks.reserve (a.set.size());
    for (const auto& p : a.set)
    {
        if (auto e = checkPointValue (l->target, p); ! e.empty())
            return e;
        setTicks.push_back (p.tick);
    }
    if (sortAndFindRepeat (setTicks))
        return sentence ("The automation edit sets two points of lane ", a.lane.value, " at one tick.");
    if (l->points.points.size() - removed.size() + a.set.size() > checks::maxPointsPerLane)
        return sentence ("Lane ", a.lane.value, " would hold more than ", checks::maxPointsPerLane, " points.");

    edit ({ UndoScopeKind::lane, a.lane.value });
    std::vector<PointOp> ops;
    auto& points = l->points.points;
    std::vector<Point> kept;
    kept.reserve (points.size() + a.set.size());
    for (const auto& p : points)
    {
        if (std::binary_search (removed.begin(), removed.end(), p.tick))
            ops.push_back ({ PointOp::Kind::remove, a.lane, p });
        else if (! std::binary_search (setTicks.begin(), setTicks.end(), p.tick))
            kept.push_back (p);
    }
    for (const auto& p : a.set)
    {
        kept.push_back (p);
        ops.push_back ({ PointOp::Kind::set, a.lane, p });
    }
    std::sort (kept.begin(), kept.end(), [] (const Point& x, const Point& y)
               { return x.tick < y.tick; });
    points = std::move (kept);

    laneEdited (a.lane);
    if (ops.size() > opsBeforeWhole && ops.size() > points.size() / 4)
        net().lanes.insert (a.lane);
    else
        net().pointOps.insert (net().pointOps.end(), ops.begin(), ops.end());
    return {};
}

} // namespace imbolc::model
