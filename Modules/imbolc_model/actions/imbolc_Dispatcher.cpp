#include "imbolc_DispatcherContext.h"

namespace imbolc::model
{

//==============================================================================
Dispatcher::Dispatcher (Session& s, UndoHistory& h)
    : session (s)
    , history (h)
{
}

ApplyResult Dispatcher::apply (const Action& action)
{
    return apply (action, history);
}

ApplyResult Dispatcher::apply (const Action& action, UndoHistory& recordIn)
{
    Context context { session, recordIn, {}, action };
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
        "AddInstrument", "DeleteInstrument", "DuplicateInstrument", "RenameInstrument", "SetSource", "SetBackend", "SetVoiceCap", "SetParam", "SetLfo", "SetGroove", "AddStage", "RemoveStage", "MoveStage", "SetStageBypass", "SetPluginState", "SetMute", "SetSolo", "SetOutput", "AddSend", "RemoveSend", "SetSendTap", "AddBus", "RemoveBus", "RenameBus", "AddNote", "DeleteNote", "MoveNote", "ResizeNote", "SetNoteVelocity", "AddLane", "RemoveLane", "SetLaneEnabled", "SetPoint", "DeletePoint", "MovePoint", "AddClip", "DeleteClip", "RenameClip", "AddPlacement", "MovePlacement", "ResizePlacement", "DeletePlacement", "SetPlayMode", "RenameSession", "SetBpm", "SetTimeSignature", "SetKey", "SetSwing", "SetLoop", "Play", "Stop", "Locate", "SetRecording", "SetAutomationRecording", "Undo", "Redo", "MoveInstrument", "EditNotes", "EditPoints", "SetClipLength", "SetDrumStep", "SetDrumSteps", "SetDrumPad", "SetDrumPattern", "SetMacro", "SetMidiChannel", "SetRecordArm", "SetRecordOptions", "AddMidiMapping", "ChangeMidiMapping", "RemoveMidiMapping", "SetMidiOutput", "EditAudioClip", "SetPluginIsolation"
    };
    static_assert (std::size (names) == std::variant_size_v<Action>);
    return names[action.index()];
}

std::string editName (const Session& session, const Action& action)
{
    // A parameter is named after itself ("Set Cutoff"); every other edit after its kind, in words.
    if (const auto* set = std::get_if<action::SetParam> (&action))
    {
        static constexpr const char* amp[] = { "Attack", "Decay", "Sustain", "Release" };
        static constexpr const char* lfo[] = { "LFO Rate", "LFO Depth" };
        static constexpr const char* strip[] = { "Level", "Pan" };
        const auto& p = set->param;
        std::string name;
        if (p.group == ParamGroup::amp && p.index < std::size (amp))
            name = amp[p.index];
        else if (p.group == ParamGroup::lfo && p.index < std::size (lfo))
            name = lfo[p.index];
        else if (p.group == ParamGroup::strip && p.index < std::size (strip))
            name = strip[p.index];
        else if (p.group == ParamGroup::send)
            name = "Send Level";
        else if (const auto ref = resolve (session, p); ref.value != nullptr && ref.name != nullptr)
            name = ref.name;
        if (! name.empty())
        {
            name[0] = (char) std::toupper ((unsigned char) name[0]);
            return "Set " + name;
        }
    }
    if (const auto* bypass = std::get_if<action::SetStageBypass> (&action))
        return bypass->bypassed ? "Bypass Stage" : "Enable Stage";
    if (std::holds_alternative<action::SetBpm> (action))
        return "Set Tempo";
    if (const auto* edit = std::get_if<action::EditNotes> (&action))
    {
        const auto n = edit->add.size() + edit->change.size() + edit->remove.size();
        const char* what = n == edit->add.size() ? "Add" : (n == edit->remove.size() ? "Delete" : "Edit");
        return std::string (what) + (n == 1 ? " Note" : " Notes");
    }
    if (std::holds_alternative<action::EditPoints> (action))
        return "Edit Automation";
    if (const auto* clip = std::get_if<action::EditAudioClip> (&action))
        return clip->remove ? "Delete Audio Clip" : "Edit Audio Clip";
    if (const auto* macro = std::get_if<action::SetMacro> (&action))
        return (macro->macro.assigned ? "Map Macro " : "Unmap Macro ") + std::to_string (macro->index + 1);

    std::string words;
    for (const char* c = actionName (action); *c != 0; ++c)
    {
        if (std::isupper ((unsigned char) *c) && ! words.empty())
            words += ' ';
        words += *c;
    }
    // "Set MIDI Output", as the menus spell it.
    if (const auto midi = words.find ("Midi"); midi != std::string::npos)
        words.replace (midi, 4, "MIDI");
    return words;
}

//==============================================================================
bool NetDirty::empty() const noexcept
{
    return ! settings && ! transport && ! instrumentsStructural && instruments.empty() && ! pianoRollStructural && tracks.empty()
           && noteOps.empty() && ! automationStructural && lanes.empty() && pointOps.empty() && ! arrangement && ! mixerStructural
           && buses.empty() && ! master && ! macros;
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
    macros |= o.macros;
}

NetDirty NetDirty::everything()
{
    NetDirty d;
    d.settings = d.transport = d.instrumentsStructural = d.pianoRollStructural = true;
    d.automationStructural = d.arrangement = d.mixerStructural = d.master = d.macros = true;
    return d;
}

} // namespace imbolc::model
