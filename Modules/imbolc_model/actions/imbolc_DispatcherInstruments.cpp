#include "imbolc_DispatcherContext.h"

namespace imbolc::model
{

Instrument* Dispatcher::Context::instrument (InstrumentId id, std::string& error)
{
    auto* inst = session.instruments.find (id);
    if (inst == nullptr)
        error = sentence ("There is no instrument ", id.value, ".");
    return inst;
}

std::string Dispatcher::Context::prepareSource (Source& src, const std::string& owner)
{
    if (src.params.empty() && src.kind == SourceKind::builtIn && (int) src.builtIn < numBuiltInSources)
        src.params = makeParameters (src.builtIn);
    return checks::source (owner, src);
}

std::string Dispatcher::Context::roomForInstrument() const
{
    if (session.instruments.size() >= Session::maxInstruments)
        return sentence ("The session already has the maximum of ", Session::maxInstruments, " instruments.");
    return {};
}

//==============================================================================
// Instruments

std::string Dispatcher::Context::handle (const action::AddInstrument& a)
{
    if (auto e = roomForInstrument(); ! e.empty())
        return e;
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
    if (auto e = checks::drumKitBackend ("The new instrument", inst.source, inst.backend); ! e.empty())
        return e;
    if (inst.source.isDrumKit())
        inst.drums = makeDefaultDrumKit();
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

std::string Dispatcher::Context::handle (const action::DeleteInstrument& a)
{
    std::string error;
    if (instrument (a.instrument, error) == nullptr)
        return error;

    edit (fullScope());
    session.instruments.erase (a.instrument);
    session.pianoRoll.erase (a.instrument);
    removeLanesOf (NodeKind::instrument, a.instrument.value);
    unassignMacros ([&] (const ParamAddress& p)
                    { return onNode (p, NodeKind::instrument, a.instrument.value); });

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

std::string Dispatcher::Context::handle (const action::DuplicateInstrument& a)
{
    std::string error;
    auto* original = instrument (a.instrument, error);
    if (original == nullptr)
        return error;
    if (auto e = roomForInstrument(); ! e.empty())
        return e;
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

std::string Dispatcher::Context::handle (const action::RenameInstrument& a)
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

std::string Dispatcher::Context::handle (const action::SetSource& a)
{
    std::string error;
    auto* inst = instrument (a.instrument, error);
    if (inst == nullptr)
        return error;
    auto source = a.source;
    const auto owner = "Instrument " + std::to_string (a.instrument.value);
    if (auto e = prepareSource (source, owner); ! e.empty())
        return e;
    if (auto e = checks::drumKitBackend (owner, source, inst->backend); ! e.empty())
        return e;
    edit (instrumentScope (a.instrument));
    inst->source = std::move (source);
    // A kit the instrument already has (it was a drum kit before) is kept: switching back finds it.
    if (inst->source.isDrumKit() && ! inst->drums.hasPads())
        inst->drums = makeDefaultDrumKit();
    audio (AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, a.instrument.value));
    net().instruments.insert (a.instrument);
    return {};
}

std::string Dispatcher::Context::handle (const action::EditAudioClip& a)
{
    std::string error;
    auto* inst = instrument (a.instrument, error);
    if (inst == nullptr)
        return error;
    const auto owner = "Instrument " + std::to_string (a.instrument.value);
    if (inst->source.kind != SourceKind::audioClips)
        return owner + " is not an audio track: it has no audio clips to edit.";
    auto& clips = inst->source.clips;
    const auto found = std::find (clips.begin(), clips.end(), a.clip);
    if (found == clips.end())
        return owner + " has no such audio clip (another edit moved or deleted it).";
    if (! a.remove)
    {
        if (auto e = checks::audioClips (owner + "'s edited", { a.edited }); ! e.empty())
            return e;
        if (a.edited == a.clip)
            return {}; // nothing changes: no undo entry, nothing sent
    }
    edit (instrumentScope (a.instrument));
    const auto index = found - clips.begin();
    clips.erase (clips.begin() + index);
    if (! a.remove)
    {
        // After the clips that start at the same tick, as a recording adds a take: the order stays
        // what checks::audioClips expects (sorted by start).
        const auto at = std::upper_bound (clips.begin(), clips.end(), a.edited.start, [] (std::int64_t start, const AudioClip& c)
                                          { return start < c.start; });
        clips.insert (at, a.edited);
    }
    // The chain rebuilds with the clips' new positions (the files stay cached by the node factory).
    audio (AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, a.instrument.value));
    net().instruments.insert (a.instrument);
    return {};
}

std::string Dispatcher::Context::handle (const action::SetBackend& a)
{
    std::string error;
    auto* inst = instrument (a.instrument, error);
    if (inst == nullptr)
        return error;
    if ((int) a.backend > (int) Backend::superCollider)
        return "Unknown backend.";
    if (auto e = checks::drumKitBackend ("Instrument " + std::to_string (a.instrument.value), inst->source, a.backend); ! e.empty())
        return e;
    edit (instrumentScope (a.instrument));
    inst->backend = a.backend;
    audio (AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, a.instrument.value));
    net().instruments.insert (a.instrument);
    return {};
}

std::string Dispatcher::Context::handle (const action::SetVoiceCap& a)
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

std::string Dispatcher::Context::handle (const action::SetLfo& a)
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

std::string Dispatcher::Context::handle (const action::SetGroove& a)
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

std::string Dispatcher::Context::handle (const action::MoveInstrument& a)
{
    std::string error;
    if (instrument (a.instrument, error) == nullptr)
        return error;
    if (a.position < 0)
        return sentence ("Position ", a.position, " is before the start of the rack.");
    const auto to = std::min ((std::size_t) a.position, session.instruments.size() - 1);
    if ((std::size_t) session.instruments.indexOf (a.instrument) == to)
        return {}; // already there: nothing to undo, nothing to send

    // The order belongs to the whole session (an instrument snapshot does not hold it), as for adding,
    // duplicating and deleting. The engine does not depend on the order (chains sit in slots by id and
    // are summed in a fixed order, solo is a set), so there is no audio effect.
    edit (fullScope());
    session.instruments.move (a.instrument, to);
    net().instrumentsStructural = true;
    return {};
}

} // namespace imbolc::model
