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
    Context context { session, recordIn, {} };
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
