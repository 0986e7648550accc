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
        bool operator== (const AddInstrument&) const = default;
    };
    struct DeleteInstrument
    {
        InstrumentId instrument;
        bool operator== (const DeleteInstrument&) const = default;
    };
    /** Copies an instrument with its chain, strip and notes under new ids, right after the original. */
    struct DuplicateInstrument
    {
        InstrumentId instrument;
        bool operator== (const DuplicateInstrument&) const = default;
    };
    struct RenameInstrument
    {
        InstrumentId instrument;
        std::string name;
        bool operator== (const RenameInstrument&) const = default;
    };
    struct SetSource
    {
        InstrumentId instrument;
        Source source;
        bool operator== (const SetSource&) const = default;
    };
    struct SetBackend
    {
        InstrumentId instrument;
        Backend backend;
        bool operator== (const SetBackend&) const = default;
    };
    struct SetVoiceCap
    {
        InstrumentId instrument;
        std::int32_t voiceCap;
        bool operator== (const SetVoiceCap&) const = default;
    };
    /** Sets any continuous parameter: source, stage, amp, LFO, strip, send, bus or master. */
    struct SetParam
    {
        ParamAddress param;
        float value;
        bool operator== (const SetParam&) const = default;
    };
    struct SetLfo
    {
        InstrumentId instrument;
        bool enabled;
        LfoShape shape;
        ParamAddress target;
        bool operator== (const SetLfo&) const = default;
    };
    struct SetGroove
    {
        InstrumentId instrument;
        Groove groove;
        bool operator== (const SetGroove&) const = default;
    };

    // Chains (instrument, bus or master) -------------------------------------
    struct AddStage
    {
        NodeKind node;
        std::uint32_t nodeId;
        Stage stage;
        std::int32_t position = -1;
        bool operator== (const AddStage&) const = default;
    };
    struct RemoveStage
    {
        NodeKind node;
        std::uint32_t nodeId;
        StageId stage;
        bool operator== (const RemoveStage&) const = default;
    };
    struct MoveStage
    {
        NodeKind node;
        std::uint32_t nodeId;
        StageId stage;
        std::int32_t position;
        bool operator== (const MoveStage&) const = default;
    };
    struct SetStageBypass
    {
        NodeKind node;
        std::uint32_t nodeId;
        StageId stage;
        bool bypassed;
        bool operator== (const SetStageBypass&) const = default;
    };
    /** Stores a hosted plugin's state; stage invalid means the instrument's source plugin. */
    struct SetPluginState
    {
        NodeKind node;
        std::uint32_t nodeId;
        StageId stage;
        std::vector<std::uint8_t> state;
        bool operator== (const SetPluginState&) const = default;
    };

    // Mixer ------------------------------------------------------------------
    struct SetMute
    {
        NodeKind node;
        std::uint32_t nodeId;
        bool mute;
        bool operator== (const SetMute&) const = default;
    };
    struct SetSolo
    {
        NodeKind node;
        std::uint32_t nodeId;
        bool solo;
        bool operator== (const SetSolo&) const = default;
    };
    /** Routes an instrument to a bus, or to the master when bus is invalid. */
    struct SetOutput
    {
        InstrumentId instrument;
        BusId bus;
        bool operator== (const SetOutput&) const = default;
    };
    struct AddSend
    {
        InstrumentId instrument;
        BusId bus;
        float level;
        bool preInsert = false;
        bool operator== (const AddSend&) const = default;
    };
    struct RemoveSend
    {
        InstrumentId instrument;
        BusId bus;
        bool operator== (const RemoveSend&) const = default;
    };
    struct SetSendTap
    {
        InstrumentId instrument;
        BusId bus;
        bool preInsert;
        bool operator== (const SetSendTap&) const = default;
    };
    struct AddBus
    {
        std::string name;
        bool operator== (const AddBus&) const = default;
    };
    /** Removes a bus; instruments routed to it fall back to the master and their sends to it go. */
    struct RemoveBus
    {
        BusId bus;
        bool operator== (const RemoveBus&) const = default;
    };
    struct RenameBus
    {
        BusId bus;
        std::string name;
        bool operator== (const RenameBus&) const = default;
    };

    // Piano roll -------------------------------------------------------------
    /** Adds a note; its id is assigned by the dispatcher. */
    struct AddNote
    {
        InstrumentId instrument;
        Note note;
        bool operator== (const AddNote&) const = default;
    };
    struct DeleteNote
    {
        InstrumentId instrument;
        NoteId note;
        bool operator== (const DeleteNote&) const = default;
    };
    struct MoveNote
    {
        InstrumentId instrument;
        NoteId note;
        Tick tick;
        std::uint8_t pitch;
        bool operator== (const MoveNote&) const = default;
    };
    struct ResizeNote
    {
        InstrumentId instrument;
        NoteId note;
        Tick duration;
        bool operator== (const ResizeNote&) const = default;
    };
    struct SetNoteVelocity
    {
        InstrumentId instrument;
        NoteId note;
        std::uint8_t velocity;
        float probability;
        bool operator== (const SetNoteVelocity&) const = default;
    };

    // Automation -------------------------------------------------------------
    struct AddLane
    {
        AutomationTarget target;
        bool operator== (const AddLane&) const = default;
    };
    struct RemoveLane
    {
        LaneId lane;
        bool operator== (const RemoveLane&) const = default;
    };
    struct SetLaneEnabled
    {
        LaneId lane;
        bool enabled;
        bool operator== (const SetLaneEnabled&) const = default;
    };
    /** Adds a point, or replaces the point at the same tick. */
    struct SetPoint
    {
        LaneId lane;
        Point point;
        bool operator== (const SetPoint&) const = default;
    };
    struct DeletePoint
    {
        LaneId lane;
        Tick tick;
        bool operator== (const DeletePoint&) const = default;
    };
    struct MovePoint
    {
        LaneId lane;
        Tick from;
        Point to;
        bool operator== (const MovePoint&) const = default;
    };

    // Arrangement ------------------------------------------------------------
    /** Adds a clip; with capture, it takes the instrument's piano-roll notes inside [0, length). */
    struct AddClip
    {
        InstrumentId instrument;
        std::string name;
        Tick length;
        bool capture = false;
        bool operator== (const AddClip&) const = default;
    };
    struct DeleteClip
    {
        ClipId clip;
        bool operator== (const DeleteClip&) const = default;
    };
    struct RenameClip
    {
        ClipId clip;
        std::string name;
        bool operator== (const RenameClip&) const = default;
    };
    struct AddPlacement
    {
        ClipId clip;
        Tick start;
        Tick length = 0;
        bool operator== (const AddPlacement&) const = default;
    };
    struct MovePlacement
    {
        PlacementId placement;
        Tick start;
        bool operator== (const MovePlacement&) const = default;
    };
    struct ResizePlacement
    {
        PlacementId placement;
        Tick length;
        bool operator== (const ResizePlacement&) const = default;
    };
    struct DeletePlacement
    {
        PlacementId placement;
        bool operator== (const DeletePlacement&) const = default;
    };
    struct SetPlayMode
    {
        PlayMode mode;
        bool operator== (const SetPlayMode&) const = default;
    };

    // Session ----------------------------------------------------------------
    struct RenameSession
    {
        std::string name;
        bool operator== (const RenameSession&) const = default;
    };
    struct SetBpm
    {
        double bpm;
        bool operator== (const SetBpm&) const = default;
    };
    struct SetTimeSignature
    {
        std::int32_t numerator, denominator;
        bool operator== (const SetTimeSignature&) const = default;
    };
    struct SetKey
    {
        std::int32_t key;
        Scale scale;
        bool operator== (const SetKey&) const = default;
    };
    struct SetSwing
    {
        float swing;
        bool operator== (const SetSwing&) const = default;
    };
    struct SetLoop
    {
        LoopRegion loop;
        bool operator== (const SetLoop&) const = default;
    };

    // Transport --------------------------------------------------------------
    struct Play
    {
        bool operator== (const Play&) const = default;
    };
    struct Stop
    {
        bool operator== (const Stop&) const = default;
    };
    struct Locate
    {
        Tick tick;
        bool operator== (const Locate&) const = default;
    };
    struct SetRecording
    {
        bool recording;
        bool operator== (const SetRecording&) const = default;
    };
    struct SetAutomationRecording
    {
        bool enabled;
        bool operator== (const SetAutomationRecording&) const = default;
    };

    // History ----------------------------------------------------------------
    struct Undo
    {
        bool operator== (const Undo&) const = default;
    };
    struct Redo
    {
        bool operator== (const Redo&) const = default;
    };

    // Instruments, added later ---------------------------------------------------
    // New kinds go at the end of the variant (after Undo and Redo), because the schema's ActionBody
    // union follows the variant's order and may only grow at its end: older peers must still
    // decode every kind they know under the same type value.

    /** Moves an instrument to `position` in the rack (0 = first; a position past the end = last). The
        other instruments keep their order. */
    struct MoveInstrument
    {
        InstrumentId instrument;
        std::int32_t position;
        bool operator== (const MoveInstrument&) const = default;
    };

    // Editors, added later ----------------------------------------------------------

    /** Many note edits of one track or one clip as one edit (one undo step, one message): what an
        editor's gesture on a selection makes (move, resize, paste, quantize, transpose, velocity).

        `clip` invalid edits the instrument's piano-roll track; otherwise the clip, which must belong to
        `instrument` (its note ticks are relative to its start and must lie inside its length). Notes
        in `remove` go first, then `change` replaces notes by id, then `add` inserts new notes, which
        get consecutive new ids in order: the first is the result's createdId. Every note is checked
        before anything changes. */
    struct EditNotes
    {
        InstrumentId instrument;
        ClipId clip;
        std::vector<NoteId> remove = {};
        std::vector<Note> change = {};
        std::vector<Note> add = {};
        bool operator== (const EditNotes&) const = default;
    };
    /** Many point edits of one lane as one edit: the points at the ticks in `remove` go, then each of
        `set` is added or replaces the point at its tick. */
    struct EditPoints
    {
        LaneId lane;
        std::vector<Tick> remove = {};
        std::vector<Point> set = {};
        bool operator== (const EditPoints&) const = default;
    };
    /** Sets a clip's length; notes past the new end stay in the clip but do not play. */
    struct SetClipLength
    {
        ClipId clip;
        Tick length;
        bool operator== (const SetClipLength&) const = default;
    };

    // Drum kits, added later ---------------------------------------------------
    // Each edits the DrumKit of an instrument whose source is the built-in drum kit (one snapshot of the
    // instrument undoes it), refusing any other instrument.

    /** One cell of a drum kit's pattern: pad `pad`'s step `step` and what it is set to. */
    struct DrumStepEdit
    {
        std::int32_t pad = 0; ///< 0..DrumKit::numPads-1
        std::int32_t step = 0; ///< 0..the pattern's length-1
        DrumStep value;
        bool operator== (const DrumStepEdit&) const = default;
    };

    /** Sets one step of a drum kit's pattern: on or off, its velocity and its probability. */
    struct SetDrumStep
    {
        InstrumentId instrument;
        std::int32_t pad = 0;
        std::int32_t step = 0;
        DrumStep value;
        bool operator== (const SetDrumStep&) const = default;
    };

    /** Sets many steps of one kit at once, so that a drag painting across the grid is one edit and one
        undo step. Checked whole before any is set; applied in order (a cell named twice ends with its
        later value); at most DrumKit::numPads * DrumKit::maxSteps of them. */
    struct SetDrumSteps
    {
        InstrumentId instrument;
        std::vector<DrumStepEdit> steps;
        bool operator== (const SetDrumSteps&) const = default;
    };

    /** Sets the sound of pad `pad` (0..DrumKit::numPads-1): kind, name, sample file, level, tune, decay.
        Its steps are untouched. */
    struct SetDrumPad
    {
        InstrumentId instrument;
        std::int32_t pad = 0;
        DrumPad sound;
        bool operator== (const SetDrumPad&) const = default;
    };

    /** Sets the pattern's length (DrumKit::minSteps..maxSteps steps), its steps per beat (2, 3, 4, 6 or
        8) and its swing (0..1). Steps past a shortened length keep their values and come back when it
        grows again. */
    struct SetDrumPattern
    {
        InstrumentId instrument;
        std::int32_t steps = DrumKit::minSteps;
        std::int32_t stepsPerBeat = DrumKit::defaultStepsPerBeat;
        float swing = 0.0f;
        bool operator== (const SetDrumPattern&) const = default;
    };

    // Macros and MIDI channels, added later -------------------------------------------

    /** Sets macro slot `index` (0..numMacros-1; "Macro 1" is 0): the parameter a host's macro drives
        and its span, or (macro.assigned false) no parameter. An assigned macro's parameter must exist
        and from and to lie in its range. A parameter drives at most one macro: assigning it to this
        slot unassigns any other slot that drove it, in the same edit. Session-wide, one undo step. */
    struct SetMacro
    {
        std::int32_t index = 0;
        Macro macro;
        bool operator== (const SetMacro&) const = default;
    };

    /** Sets the MIDI channel that plays an instrument: 0 = none (it follows the selection), 1..16. */
    struct SetMidiChannel
    {
        InstrumentId instrument;
        std::int32_t channel = 0;
        bool operator== (const SetMidiChannel&) const = default;
    };

    // Live playing, added later ------------------------------------------------------

    /** Arms or disarms an instrument for recording (Instrument::recordArmed). Like the transport, no
        undo entry. */
    struct SetRecordArm
    {
        InstrumentId instrument;
        bool armed = false;
        bool operator== (const SetRecordArm&) const = default;
    };

    // MIDI recording and MIDI learn, added later ------------------------------------------

    /** Sets how recording behaves: overdub or replace on each loop pass, and the count-in before a
        recording starts (0..SessionSettings::maxCountInBars bars). Session-wide, one undo step. */
    struct SetRecordOptions
    {
        RecordMode mode = RecordMode::overdub;
        std::int32_t countInBars = 0;
        bool operator== (const SetRecordOptions&) const = default;
    };

    /** Adds a learned MIDI controller (checks::midiMapping). A parameter follows one mapping: one that
        drove mapping.param is replaced in the same edit. At most maxMidiMappings. Session-wide. */
    struct AddMidiMapping
    {
        MidiMapping mapping;
        bool operator== (const AddMidiMapping&) const = default;
    };

    /** Changes the mapping that drives mapping.param: its source, channel, controller, range or curve. */
    struct ChangeMidiMapping
    {
        MidiMapping mapping;
        bool operator== (const ChangeMidiMapping&) const = default;
    };

    /** Removes the mapping that drives `param` ("Forget MIDI Mapping"). */
    struct RemoveMidiMapping
    {
        ParamAddress param;
        bool operator== (const RemoveMidiMapping&) const = default;
    };

    // MIDI output, added later ------------------------------------------------------------

    /** Sends an instrument's notes out as MIDI on `channel` (Instrument::midiOutputChannel; 0 stops).
        An instrument edit: undoable, nothing rebuilt. */
    struct SetMidiOutput
    {
        InstrumentId instrument;
        std::int32_t channel = 0;
        bool operator== (const SetMidiOutput&) const = default;
    };

    // Audio clips, added later ------------------------------------------------------------

    /** Edits one clip of an audio track (SourceKind::audioClips) without sending the whole source: the
        first clip equal to `clip` is replaced by `edited` (moved, trimmed, its gain or file changed;
        the clips are kept sorted by start) or, with `remove`, deleted. Naming the clip by its value, not
        its position, makes an edit that raced another (a seat moved or deleted it first) a refusal
        rather than an edit of the wrong clip. `edited` must pass checks::audioClips; one undo step of
        the instrument. */
    struct EditAudioClip
    {
        InstrumentId instrument;
        AudioClip clip;
        AudioClip edited = {};
        bool remove = false;
        bool operator== (const EditAudioClip&) const = default;
    };

    // Plugin sandboxes, added later ---------------------------------------------------------

    /** Sets where the session's plugins run (SessionSettings::pluginIsolation). The engine moves every
        plugin there with its current state. Session-wide, one undo step. */
    struct SetPluginIsolation
    {
        PluginIsolation isolation = PluginIsolation::inProcess;
        bool operator== (const SetPluginIsolation&) const = default;
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
    action::Redo,
    action::MoveInstrument,
    action::EditNotes,
    action::EditPoints,
    action::SetClipLength,
    action::SetDrumStep,
    action::SetDrumSteps,
    action::SetDrumPad,
    action::SetDrumPattern,
    action::SetMacro,
    action::SetMidiChannel,
    action::SetRecordArm,
    action::SetRecordOptions,
    action::AddMidiMapping,
    action::ChangeMidiMapping,
    action::RemoveMidiMapping,
    action::SetMidiOutput,
    action::EditAudioClip,
    action::SetPluginIsolation>;

/** A short name of the action's kind, for logs and error messages. */
const char* actionName (const Action&) noexcept;

/** What a person calls the edit, for "Undo Set Cutoff": the parameter's name for a SetParam, the kind in
    words otherwise ("Add Instrument"). `session` is the session the action applies to. Any thread that
    owns the session. */
std::string editName (const Session& session, const Action& action);

} // namespace imbolc::model
