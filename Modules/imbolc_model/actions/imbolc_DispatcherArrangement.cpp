#include "imbolc_DispatcherContext.h"

namespace imbolc::model
{

void Dispatcher::Context::arrangementChanged()
{
    audio (AudioEffect::forId (AudioEffect::Kind::updateArrangement, 0));
    net().arrangement = true;
}

//==============================================================================
// Arrangement

void Dispatcher::Context::eraseClip (ClipId id)
{
    std::vector<PlacementId> doomed;
    for (const auto& p : session.arrangement.placements)
        if (p.clip == id)
            doomed.push_back (p.id);
    for (auto p : doomed)
        session.arrangement.placements.erase (p);
    session.arrangement.clips.erase (id);
}

std::string Dispatcher::Context::handle (const action::AddClip& a)
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

std::string Dispatcher::Context::handle (const action::DeleteClip& a)
{
    if (! session.arrangement.clips.contains (a.clip))
        return sentence ("There is no clip ", a.clip.value, ".");
    edit (sessionScope());
    eraseClip (a.clip);
    arrangementChanged();
    return {};
}

std::string Dispatcher::Context::handle (const action::RenameClip& a)
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

std::string Dispatcher::Context::handle (const action::SetClipLength& a)
{
    auto* clip = session.arrangement.clips.find (a.clip);
    if (clip == nullptr)
        return sentence ("There is no clip ", a.clip.value, ".");
    if (a.length <= 0)
        return "A clip must have a positive length.";
    edit (sessionScope());
    clip->length = a.length;
    arrangementChanged();
    return {};
}

std::string Dispatcher::Context::handle (const action::AddPlacement& a)
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

Placement* Dispatcher::Context::placement (PlacementId id, std::string& error)
{
    auto* p = session.arrangement.placements.find (id);
    if (p == nullptr)
        error = sentence ("There is no placement ", id.value, ".");
    return p;
}

std::string Dispatcher::Context::handle (const action::MovePlacement& a)
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

std::string Dispatcher::Context::handle (const action::ResizePlacement& a)
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

std::string Dispatcher::Context::handle (const action::DeletePlacement& a)
{
    std::string error;
    if (placement (a.placement, error) == nullptr)
        return error;
    edit (sessionScope());
    session.arrangement.placements.erase (a.placement);
    arrangementChanged();
    return {};
}

std::string Dispatcher::Context::handle (const action::SetPlayMode& a)
{
    if ((int) a.mode > (int) PlayMode::song)
        return "Unknown play mode.";
    edit (sessionScope());
    session.arrangement.mode = a.mode;
    arrangementChanged();
    return {};
}

} // namespace imbolc::model
