#pragma once

namespace imbolc::model
{

/** Every edit of a session is one of these. The GUI, the network and scripts all speak Actions;
    the Dispatcher is the only code that changes a Session.

    Actions are plain values so they can be queued, sent over the network and logged.
*/
namespace action
{
    // Instruments ------------------------------------------------------------
    /** Adds an instrument at the end of the rack. Empty built-in source params get the defaults;
        stage ids in the chain are assigned by the dispatcher. */
    struct AddInstrument
    {
        std::string name;
        Source source;
        Backend backend = Backend::internal;
        std::vector<Stage> chain = {};
    };
    struct DeleteInstrument
    {
        InstrumentId instrument;
    };
    /** Copies an instrument with its chain, strip and notes under new ids, right after the original. */
    struct DuplicateInstrument
    {
        InstrumentId instrument;
    };
    struct RenameInstrument
    {
        InstrumentId instrument;
        std::string name;
    };
    struct SetSource
    {
        InstrumentId instrument;
        Source source;
    };
    struct SetBackend
    {
        InstrumentId instrument;
        Backend backend;
    };
    struct SetVoiceCap
    {
        InstrumentId instrument;
        std::int32_t voiceCap;
    };
    /** Sets any continuous parameter: source, stage, amp, LFO, strip, send, bus or master. */
    struct SetParam
    {
        ParamAddress param;
        float value;
    };
    struct SetLfo
    {
        InstrumentId instrument;
        bool enabled;
        LfoShape shape;
        ParamAddress target;
    };
    struct SetGroove
    {
        InstrumentId instrument;
        Groove groove;
    };

    // Chains (instrument, bus or master) -------------------------------------
    struct AddStage
    {
        NodeKind node;
        std::uint32_t nodeId;
        Stage stage;
        std::int32_t position = -1;
    };
    struct RemoveStage
    {
        NodeKind node;
        std::uint32_t nodeId;
        StageId stage;
    };
    struct MoveStage
    {
        NodeKind node;
        std::uint32_t nodeId;
        StageId stage;
        std::int32_t position;
    };
    struct SetStageBypass
    {
        NodeKind node;
        std::uint32_t nodeId;
        StageId stage;
        bool bypassed;
    };
    /** Stores a hosted plugin's state; stage invalid means the instrument's source plugin. */
    struct SetPluginState
    {
        NodeKind node;
        std::uint32_t nodeId;
        StageId stage;
        std::vector<std::uint8_t> state;
    };

    // Mixer ------------------------------------------------------------------
    struct SetMute
    {
        NodeKind node;
        std::uint32_t nodeId;
        bool mute;
    };
    struct SetSolo
    {
        NodeKind node;
        std::uint32_t nodeId;
        bool solo;
    };
    /** Routes an instrument to a bus, or to the master when bus is invalid. */
    struct SetOutput
    {
        InstrumentId instrument;
        BusId bus;
    };
    struct AddSend
    {
        InstrumentId instrument;
        BusId bus;
        float level;
        bool preInsert = false;
    };
    struct RemoveSend
    {
        InstrumentId instrument;
        BusId bus;
    };
    struct SetSendTap
    {
        InstrumentId instrument;
        BusId bus;
        bool preInsert;
    };
    struct AddBus
    {
        std::string name;
    };
    /** Removes a bus; instruments routed to it fall back to the master and their sends to it go. */
    struct RemoveBus
    {
        BusId bus;
    };
    struct RenameBus
    {
        BusId bus;
        std::string name;
    };

    // Piano roll -------------------------------------------------------------
    /** Adds a note; its id is assigned by the dispatcher. */
    struct AddNote
    {
        InstrumentId instrument;
        Note note;
    };
    struct DeleteNote
    {
        InstrumentId instrument;
        NoteId note;
    };
    struct MoveNote
    {
        InstrumentId instrument;
        NoteId note;
        Tick tick;
        std::uint8_t pitch;
    };
    struct ResizeNote
    {
        InstrumentId instrument;
        NoteId note;
        Tick duration;
    };
    struct SetNoteVelocity
    {
        InstrumentId instrument;
        NoteId note;
        std::uint8_t velocity;
        float probability;
    };

    // Automation -------------------------------------------------------------
    struct AddLane
    {
        AutomationTarget target;
    };
    struct RemoveLane
    {
        LaneId lane;
    };
    struct SetLaneEnabled
    {
        LaneId lane;
        bool enabled;
    };
    /** Adds a point, or replaces the point at the same tick. */
    struct SetPoint
    {
        LaneId lane;
        Point point;
    };
    struct DeletePoint
    {
        LaneId lane;
        Tick tick;
    };
    struct MovePoint
    {
        LaneId lane;
        Tick from;
        Point to;
    };

    // Arrangement ------------------------------------------------------------
    /** Adds a clip; with capture, it takes the instrument's piano-roll notes inside [0, length). */
    struct AddClip
    {
        InstrumentId instrument;
        std::string name;
        Tick length;
        bool capture = false;
    };
    struct DeleteClip
    {
        ClipId clip;
    };
    struct RenameClip
    {
        ClipId clip;
        std::string name;
    };
    struct AddPlacement
    {
        ClipId clip;
        Tick start;
        Tick length = 0;
    };
    struct MovePlacement
    {
        PlacementId placement;
        Tick start;
    };
    struct ResizePlacement
    {
        PlacementId placement;
        Tick length;
    };
    struct DeletePlacement
    {
        PlacementId placement;
    };
    struct SetPlayMode
    {
        PlayMode mode;
    };

    // Session ----------------------------------------------------------------
    struct RenameSession
    {
        std::string name;
    };
    struct SetBpm
    {
        double bpm;
    };
    struct SetTimeSignature
    {
        std::int32_t numerator, denominator;
    };
    struct SetKey
    {
        std::int32_t key;
        Scale scale;
    };
    struct SetSwing
    {
        float swing;
    };
    struct SetLoop
    {
        LoopRegion loop;
    };

    // Transport --------------------------------------------------------------
    struct Play
    {
    };
    struct Stop
    {
    };
    struct Locate
    {
        Tick tick;
    };
    struct SetRecording
    {
        bool recording;
    };
    struct SetAutomationRecording
    {
        bool enabled;
    };

    // History ----------------------------------------------------------------
    struct Undo
    {
    };
    struct Redo
    {
    };
} // namespace action

using Action = std::variant<
    action::AddInstrument,
    action::DeleteInstrument,
    action::DuplicateInstrument,
    action::RenameInstrument,
    action::SetSource,
    action::SetBackend,
    action::SetVoiceCap,
    action::SetParam,
    action::SetLfo,
    action::SetGroove,
    action::AddStage,
    action::RemoveStage,
    action::MoveStage,
    action::SetStageBypass,
    action::SetPluginState,
    action::SetMute,
    action::SetSolo,
    action::SetOutput,
    action::AddSend,
    action::RemoveSend,
    action::SetSendTap,
    action::AddBus,
    action::RemoveBus,
    action::RenameBus,
    action::AddNote,
    action::DeleteNote,
    action::MoveNote,
    action::ResizeNote,
    action::SetNoteVelocity,
    action::AddLane,
    action::RemoveLane,
    action::SetLaneEnabled,
    action::SetPoint,
    action::DeletePoint,
    action::MovePoint,
    action::AddClip,
    action::DeleteClip,
    action::RenameClip,
    action::AddPlacement,
    action::MovePlacement,
    action::ResizePlacement,
    action::DeletePlacement,
    action::SetPlayMode,
    action::RenameSession,
    action::SetBpm,
    action::SetTimeSignature,
    action::SetKey,
    action::SetSwing,
    action::SetLoop,
    action::Play,
    action::Stop,
    action::Locate,
    action::SetRecording,
    action::SetAutomationRecording,
    action::Undo,
    action::Redo>;

/** A short name of the action's kind, for logs and error messages. */
const char* actionName (const Action&) noexcept;

} // namespace imbolc::model
