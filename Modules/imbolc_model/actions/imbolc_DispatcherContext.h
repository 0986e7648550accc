#pragma once

// Private to the dispatcher: included by its .cpp files, never by imbolc_model.h. The module is one
// translation unit (imbolc_model.cpp), so sentence() comes from imbolc_Session.cpp.

namespace imbolc::model
{

namespace
{
    std::string nodeName (NodeKind node, std::uint32_t id)
    {
        switch (node)
        {
            case NodeKind::instrument:
                return "instrument " + std::to_string (id);
            case NodeKind::bus:
                return "bus " + std::to_string (id);
            case NodeKind::master:
                return "the master";
        }
        return "node " + std::to_string (id);
    }

    bool targetsNode (const AutomationTarget& t, NodeKind node, std::uint32_t id)
    {
        return t.kind == AutomationTargetKind::parameter && t.param.node == node && t.param.nodeId == id;
    }
} // namespace

//==============================================================================
/** The state of one apply(): handlers check first, then call edit() once, then change things. */
struct Dispatcher::Context
{
    Session& session;
    UndoHistory& history;
    ApplyResult result;
    const Action& action; ///< what is being applied, for the undo entry's name

    //==========================================================================
    void edit (UndoScope scope, CoalesceKey key = {})
    {
        // Named only when it makes an entry: a knob sweep's coalesced steps cost no string.
        if (history.record (session, scope, key))
            history.nameNewest (editName (session, action));
        result.changes.undoScope = scope;
    }

    void audio (AudioEffect e) { result.changes.audio.push_back (e); }
    NetDirty& net() { return result.changes.net; }

    static UndoScope instrumentScope (InstrumentId id) { return { UndoScopeKind::instrument, id.value }; }
    static UndoScope sessionScope() { return { UndoScopeKind::session, 0 }; }
    static UndoScope fullScope() { return { UndoScopeKind::full, 0 }; }

    //==========================================================================
    // Instruments (imbolc_DispatcherInstruments.cpp)

    Instrument* instrument (InstrumentId id, std::string& error);
    std::string prepareSource (Source& src, const std::string& owner);
    /** The refusal of an action that would add an instrument beyond Session::maxInstruments, or empty. */
    std::string roomForInstrument() const;
    std::string handle (const action::AddInstrument& a);
    std::string handle (const action::DeleteInstrument& a);
    std::string handle (const action::DuplicateInstrument& a);
    std::string handle (const action::RenameInstrument& a);
    std::string handle (const action::SetSource& a);
    std::string handle (const action::SetBackend& a);
    std::string handle (const action::SetVoiceCap& a);
    std::string handle (const action::SetLfo& a);
    std::string handle (const action::SetGroove& a);
    std::string handle (const action::MoveInstrument& a);
    std::string handle (const action::EditAudioClip& a);

    //==========================================================================
    // Chains and mixer: stages, parameters, strips, sends, buses (imbolc_DispatcherMixer.cpp)

    std::vector<Stage>* chainOf (NodeKind node, std::uint32_t id, std::string& error);
    UndoScope chainScope (NodeKind node, std::uint32_t id) const;
    /** The effects and dirty marks of a changed chain. */
    void chainChanged (NodeKind node, std::uint32_t id);
    void nodeDirty (NodeKind node, std::uint32_t id);
    /** Gives a stage its id and default parameters, then checks it. */
    std::string prepareStage (Stage& st, const std::string& owner);
    std::string handle (const action::SetParam& a);
    void recordAutomation (const ParamAddress& param, float value);
    std::string handle (const action::AddStage& a);
    std::string handle (const action::RemoveStage& a);
    std::string handle (const action::MoveStage& a);
    std::string handle (const action::SetStageBypass& a);
    std::string handle (const action::SetPluginState& a);
    std::string handle (const action::SetMute& a);
    std::string handle (const action::SetSolo& a);
    std::string setSwitch (NodeKind node, std::uint32_t id, bool on, bool solo);
    std::string handle (const action::SetOutput& a);
    void rerouted (InstrumentId id);
    Send* findSend (Instrument& inst, BusId bus);
    std::string handle (const action::AddSend& a);
    std::string handle (const action::RemoveSend& a);
    std::string handle (const action::SetSendTap& a);
    std::string handle (const action::AddBus& a);
    std::string handle (const action::RemoveBus& a);
    std::string handle (const action::RenameBus& a);

    //==========================================================================
    // Notes (the piano roll) and automation lanes (imbolc_DispatcherNotes.cpp)

    /** Removes automation lanes aimed at a node that is going away; reports them. */
    void removeLanesOf (NodeKind node, std::uint32_t id);
    std::string checkPointValue (const AutomationTarget& target, const Point& p);
    Track* track (InstrumentId id, std::string& error);
    void noteEdited (NoteOp::Kind kind, InstrumentId id, const Note& n);
    static constexpr std::size_t maxNotesPerTrack = 1 << 20;
    std::string handle (const action::AddNote& a);
    std::string handle (const action::DeleteNote& a);
    /** Validates a changed copy of a note, then re-inserts it in order. */
    std::string changeNote (InstrumentId id, NoteId noteId, const std::function<void (Note&)>& change);
    std::string handle (const action::MoveNote& a);
    std::string handle (const action::ResizeNote& a);
    std::string handle (const action::SetNoteVelocity& a);
    std::string checkTarget (const AutomationTarget& t);
    std::string handle (const action::AddLane& a);
    std::string handle (const action::RemoveLane& a);
    Lane* lane (LaneId id, std::string& error);
    void laneEdited (LaneId id);
    std::string handle (const action::SetLaneEnabled& a);
    std::string handle (const action::SetPoint& a);
    std::string handle (const action::DeletePoint& a);
    std::string handle (const action::MovePoint& a);
    std::string handle (const action::EditNotes& a);
    std::string handle (const action::EditPoints& a);

    //==========================================================================
    // Arrangement (imbolc_DispatcherArrangement.cpp)

    void arrangementChanged();
    void eraseClip (ClipId id);
    std::string handle (const action::AddClip& a);
    std::string handle (const action::DeleteClip& a);
    std::string handle (const action::RenameClip& a);
    std::string handle (const action::SetClipLength& a);
    std::string handle (const action::AddPlacement& a);
    Placement* placement (PlacementId id, std::string& error);
    std::string handle (const action::MovePlacement& a);
    std::string handle (const action::ResizePlacement& a);
    std::string handle (const action::DeletePlacement& a);
    std::string handle (const action::SetPlayMode& a);

    //==========================================================================
    // Session settings and transport (imbolc_DispatcherSession.cpp)

    void timingChanged();
    /** id 1 marks a locate: the engine jumps even when the tick equals the last one located to. */
    void transportChanged (bool located = false);
    static constexpr CoalesceKey sessionKey { CoalesceKey::Kind::sessionParams, 0 };
    std::string handle (const action::RenameSession& a);
    std::string handle (const action::SetBpm& a);
    std::string handle (const action::SetTimeSignature& a);
    std::string handle (const action::SetKey& a);
    std::string handle (const action::SetSwing& a);
    std::string handle (const action::SetLoop& a);
    std::string handle (const action::Play&);
    std::string handle (const action::Stop&);
    std::string handle (const action::Locate& a);
    std::string handle (const action::SetRecording& a);
    std::string handle (const action::SetAutomationRecording& a);

    //==========================================================================
    // Drum kits: pads and pattern (imbolc_DispatcherDrums.cpp)

    /** The kit of a drum-kit instrument, or nullptr with the refusal in `error`. */
    DrumKit* drumKit (InstrumentId id, std::string& error);
    std::string checkDrumCell (const DrumKit& kit, std::int32_t pad, std::int32_t step, const DrumStep& value);
    void drumPatternChanged (InstrumentId id);
    std::string handle (const action::SetDrumStep& a);
    std::string handle (const action::SetDrumSteps& a);
    std::string handle (const action::SetDrumPad& a);
    std::string handle (const action::SetDrumPattern& a);
    /** For undo and redo: adds the targeted effects of what changed in the kit (the pattern, a pad's
        level, tune or decay; a pad's name needs none) and makes `normalised` equal `now` there, so that
        only a changed pad kind or sample is left to ask for a rebuild. */
    void drumKitRestored (Instrument& normalised, const Instrument& now, std::vector<AudioEffect>& effects);

    //==========================================================================
    // Macros and MIDI channels (imbolc_DispatcherMacros.cpp)

    std::string handle (const action::SetMacro& a);
    std::string handle (const action::SetMidiChannel& a);
    /** SetMidiChannel's and SetMidiOutput's edit: one of the instrument's channel fields. */
    std::string setChannel (InstrumentId, std::int32_t channel, std::int8_t Instrument::*field);
    std::string handle (const action::SetRecordArm& a);
    std::string handle (const action::SetMidiOutput& a);
    // MIDI recording options and MIDI mappings (imbolc_DispatcherMidi.cpp)
    std::string handle (const action::SetRecordOptions& a);
    std::string handle (const action::SetPluginIsolation& a);
    std::string handle (const action::AddMidiMapping& a);
    std::string handle (const action::ChangeMidiMapping& a);
    std::string handle (const action::RemoveMidiMapping& a);
    void midiMappingsChanged();
    void macrosChanged();
    /** True when an assigned macro drives a parameter that `matches` (a ParamAddress predicate). */
    template <typename Predicate>
    bool anyMacroDrives (Predicate&& matches) const
    {
        return std::any_of (session.macros.begin(), session.macros.end(), [&] (const Macro& m)
                            { return m.assigned && matches (m.param); })
               || std::any_of (session.settings.midiMappings.begin(), session.settings.midiMappings.end(), [&] (const MidiMapping& m)
                               { return matches (m.param); });
    }
    /** Unassigns every macro whose parameter `matches`, reporting the change: what deleting the thing
        that parameter lives in does, in the deletion's undo step. */
    template <typename Predicate>
    void unassignMacros (Predicate&& matches)
    {
        bool changed = false;
        for (auto& m : session.macros)
            if (m.assigned && matches (m.param))
            {
                m = Macro {};
                changed = true;
            }
        // MIDI mappings of the parameter go the same way (they live in the settings, beside the macros).
        if (std::erase_if (session.settings.midiMappings, [&] (const MidiMapping& m)
                           { return matches (m.param); })
            > 0)
        {
            changed = true;
            net().settings = true;
        }
        if (changed)
            macrosChanged();
    }
    static bool onNode (const ParamAddress& p, NodeKind node, std::uint32_t id) { return p.node == node && p.nodeId == id; }

    //==========================================================================
    // History: undo and redo (imbolc_DispatcherHistory.cpp)

    std::string handle (const action::Undo&);
    std::string handle (const action::Redo&);
    std::string restore (bool isUndo);
    void describeRestore (const UndoHistory::Entry& before, UndoScope scope);
    /** Emits per-parameter effects when only values changed, else one rebuild of the instrument. */
    void instrumentRestored (const Instrument& was, const Instrument& now);
    void sessionRestored (const UndoHistory::SessionPart& before);
};

} // namespace imbolc::model
