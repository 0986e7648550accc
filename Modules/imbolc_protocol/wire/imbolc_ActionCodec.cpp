namespace imbolc::protocol
{

namespace
{
    //==============================================================================
    /** Writes model actions as the schema's ActionBody tables: one body() per action type, in model
        order; the union's type value follows from the table body() returns (encodeUnionMember).
    */
    class ActionEncoder
    {
    public:
        explicit ActionEncoder (flatbuffers::FlatBufferBuilder& b)
            : builder (b), codec (b) {}

        /** The action as an ActionBody union member: its type value and its table. */
        std::pair<fb::ActionBody, flatbuffers::Offset<void>> encode (const model::Action& a)
        {
            return encodeUnionMember<fb::ActionBody> (*this, a);
        }

        flatbuffers::Offset<fb::AddInstrument> body (const model::action::AddInstrument& a)
        {
            const auto name = codec.string (a.name);
            const auto source = codec.source (a.source);
            const auto chain = codec.chain (a.chain);
            return fb::CreateAddInstrument (builder, name, source, toFb<fb::Backend> (a.backend), chain);
        }

        flatbuffers::Offset<fb::DeleteInstrument> body (const model::action::DeleteInstrument& a) { return fb::CreateDeleteInstrument (builder, a.instrument.value); }
        flatbuffers::Offset<fb::DuplicateInstrument> body (const model::action::DuplicateInstrument& a) { return fb::CreateDuplicateInstrument (builder, a.instrument.value); }

        flatbuffers::Offset<fb::RenameInstrument> body (const model::action::RenameInstrument& a)
        {
            const auto name = codec.string (a.name);
            return fb::CreateRenameInstrument (builder, a.instrument.value, name);
        }

        flatbuffers::Offset<fb::SetSource> body (const model::action::SetSource& a)
        {
            const auto source = codec.source (a.source);
            return fb::CreateSetSource (builder, a.instrument.value, source);
        }

        flatbuffers::Offset<fb::SetBackend> body (const model::action::SetBackend& a) { return fb::CreateSetBackend (builder, a.instrument.value, toFb<fb::Backend> (a.backend)); }
        flatbuffers::Offset<fb::SetVoiceCap> body (const model::action::SetVoiceCap& a) { return fb::CreateSetVoiceCap (builder, a.instrument.value, a.voiceCap); }

        flatbuffers::Offset<fb::SetParam> body (const model::action::SetParam& a)
        {
            const auto param = CodecEncoder::paramAddress (a.param);
            return fb::CreateSetParam (builder, &param, a.value);
        }

        flatbuffers::Offset<fb::SetLfo> body (const model::action::SetLfo& a)
        {
            const auto target = CodecEncoder::paramAddress (a.target);
            return fb::CreateSetLfo (builder, a.instrument.value, a.enabled, toFb<fb::LfoShape> (a.shape), &target);
        }

        flatbuffers::Offset<fb::SetGroove> body (const model::action::SetGroove& a)
        {
            const auto groove = codec.groove (a.groove);
            return fb::CreateSetGroove (builder, a.instrument.value, groove);
        }

        flatbuffers::Offset<fb::AddStage> body (const model::action::AddStage& a)
        {
            const auto stage = codec.stage (a.stage);
            return fb::CreateAddStage (builder, toFb<fb::NodeKind> (a.node), a.nodeId, stage, a.position);
        }

        flatbuffers::Offset<fb::RemoveStage> body (const model::action::RemoveStage& a) { return fb::CreateRemoveStage (builder, toFb<fb::NodeKind> (a.node), a.nodeId, a.stage.value); }
        flatbuffers::Offset<fb::MoveStage> body (const model::action::MoveStage& a) { return fb::CreateMoveStage (builder, toFb<fb::NodeKind> (a.node), a.nodeId, a.stage.value, a.position); }
        flatbuffers::Offset<fb::SetStageBypass> body (const model::action::SetStageBypass& a) { return fb::CreateSetStageBypass (builder, toFb<fb::NodeKind> (a.node), a.nodeId, a.stage.value, a.bypassed); }

        flatbuffers::Offset<fb::SetPluginState> body (const model::action::SetPluginState& a)
        {
            const auto state = a.state.empty() ? 0 : builder.CreateVector (a.state);
            return fb::CreateSetPluginState (builder, toFb<fb::NodeKind> (a.node), a.nodeId, a.stage.value, state);
        }

        flatbuffers::Offset<fb::SetMute> body (const model::action::SetMute& a) { return fb::CreateSetMute (builder, toFb<fb::NodeKind> (a.node), a.nodeId, a.mute); }
        flatbuffers::Offset<fb::SetSolo> body (const model::action::SetSolo& a) { return fb::CreateSetSolo (builder, toFb<fb::NodeKind> (a.node), a.nodeId, a.solo); }
        flatbuffers::Offset<fb::SetOutput> body (const model::action::SetOutput& a) { return fb::CreateSetOutput (builder, a.instrument.value, a.bus.value); }
        flatbuffers::Offset<fb::AddSend> body (const model::action::AddSend& a) { return fb::CreateAddSend (builder, a.instrument.value, a.bus.value, a.level, a.preInsert); }
        flatbuffers::Offset<fb::RemoveSend> body (const model::action::RemoveSend& a) { return fb::CreateRemoveSend (builder, a.instrument.value, a.bus.value); }
        flatbuffers::Offset<fb::SetSendTap> body (const model::action::SetSendTap& a) { return fb::CreateSetSendTap (builder, a.instrument.value, a.bus.value, a.preInsert); }
        flatbuffers::Offset<fb::AddBus> body (const model::action::AddBus& a) { return fb::CreateAddBus (builder, codec.string (a.name)); }
        flatbuffers::Offset<fb::RemoveBus> body (const model::action::RemoveBus& a) { return fb::CreateRemoveBus (builder, a.bus.value); }

        flatbuffers::Offset<fb::RenameBus> body (const model::action::RenameBus& a)
        {
            const auto name = codec.string (a.name);
            return fb::CreateRenameBus (builder, a.bus.value, name);
        }

        flatbuffers::Offset<fb::AddNote> body (const model::action::AddNote& a)
        {
            const auto note = CodecEncoder::note (a.note);
            return fb::CreateAddNote (builder, a.instrument.value, &note);
        }

        flatbuffers::Offset<fb::DeleteNote> body (const model::action::DeleteNote& a) { return fb::CreateDeleteNote (builder, a.instrument.value, a.note.value); }
        flatbuffers::Offset<fb::MoveNote> body (const model::action::MoveNote& a) { return fb::CreateMoveNote (builder, a.instrument.value, a.note.value, a.tick, a.pitch); }
        flatbuffers::Offset<fb::ResizeNote> body (const model::action::ResizeNote& a) { return fb::CreateResizeNote (builder, a.instrument.value, a.note.value, a.duration); }
        flatbuffers::Offset<fb::SetNoteVelocity> body (const model::action::SetNoteVelocity& a) { return fb::CreateSetNoteVelocity (builder, a.instrument.value, a.note.value, a.velocity, a.probability); }

        flatbuffers::Offset<fb::AddLane> body (const model::action::AddLane& a)
        {
            const auto target = CodecEncoder::automationTarget (a.target);
            return fb::CreateAddLane (builder, &target);
        }

        flatbuffers::Offset<fb::RemoveLane> body (const model::action::RemoveLane& a) { return fb::CreateRemoveLane (builder, a.lane.value); }
        flatbuffers::Offset<fb::SetLaneEnabled> body (const model::action::SetLaneEnabled& a) { return fb::CreateSetLaneEnabled (builder, a.lane.value, a.enabled); }

        flatbuffers::Offset<fb::SetPoint> body (const model::action::SetPoint& a)
        {
            const auto point = CodecEncoder::point (a.point);
            return fb::CreateSetPoint (builder, a.lane.value, &point);
        }

        flatbuffers::Offset<fb::DeletePoint> body (const model::action::DeletePoint& a) { return fb::CreateDeletePoint (builder, a.lane.value, a.tick); }

        flatbuffers::Offset<fb::MovePoint> body (const model::action::MovePoint& a)
        {
            const auto to = CodecEncoder::point (a.to);
            return fb::CreateMovePoint (builder, a.lane.value, a.from, &to);
        }

        flatbuffers::Offset<fb::AddClip> body (const model::action::AddClip& a)
        {
            const auto name = codec.string (a.name);
            return fb::CreateAddClip (builder, a.instrument.value, name, a.length, a.capture);
        }

        flatbuffers::Offset<fb::DeleteClip> body (const model::action::DeleteClip& a) { return fb::CreateDeleteClip (builder, a.clip.value); }

        flatbuffers::Offset<fb::RenameClip> body (const model::action::RenameClip& a)
        {
            const auto name = codec.string (a.name);
            return fb::CreateRenameClip (builder, a.clip.value, name);
        }

        flatbuffers::Offset<fb::AddPlacement> body (const model::action::AddPlacement& a) { return fb::CreateAddPlacement (builder, a.clip.value, a.start, a.length); }
        flatbuffers::Offset<fb::MovePlacement> body (const model::action::MovePlacement& a) { return fb::CreateMovePlacement (builder, a.placement.value, a.start); }
        flatbuffers::Offset<fb::ResizePlacement> body (const model::action::ResizePlacement& a) { return fb::CreateResizePlacement (builder, a.placement.value, a.length); }
        flatbuffers::Offset<fb::DeletePlacement> body (const model::action::DeletePlacement& a) { return fb::CreateDeletePlacement (builder, a.placement.value); }
        flatbuffers::Offset<fb::SetPlayMode> body (const model::action::SetPlayMode& a) { return fb::CreateSetPlayMode (builder, toFb<fb::PlayMode> (a.mode)); }
        flatbuffers::Offset<fb::RenameSession> body (const model::action::RenameSession& a) { return fb::CreateRenameSession (builder, codec.string (a.name)); }
        flatbuffers::Offset<fb::SetBpm> body (const model::action::SetBpm& a) { return fb::CreateSetBpm (builder, a.bpm); }
        flatbuffers::Offset<fb::SetTimeSignature> body (const model::action::SetTimeSignature& a) { return fb::CreateSetTimeSignature (builder, a.numerator, a.denominator); }
        flatbuffers::Offset<fb::SetKey> body (const model::action::SetKey& a) { return fb::CreateSetKey (builder, a.key, toFb<fb::Scale> (a.scale)); }
        flatbuffers::Offset<fb::SetSwing> body (const model::action::SetSwing& a) { return fb::CreateSetSwing (builder, a.swing); }

        flatbuffers::Offset<fb::SetLoop> body (const model::action::SetLoop& a)
        {
            const fb::LoopRegion loop { a.loop.enabled, a.loop.start, a.loop.end };
            return fb::CreateSetLoop (builder, &loop);
        }

        flatbuffers::Offset<fb::Play> body (const model::action::Play&) { return fb::CreatePlay (builder); }
        flatbuffers::Offset<fb::Stop> body (const model::action::Stop&) { return fb::CreateStop (builder); }
        flatbuffers::Offset<fb::Locate> body (const model::action::Locate& a) { return fb::CreateLocate (builder, a.tick); }
        flatbuffers::Offset<fb::SetRecording> body (const model::action::SetRecording& a) { return fb::CreateSetRecording (builder, a.recording); }
        flatbuffers::Offset<fb::SetAutomationRecording> body (const model::action::SetAutomationRecording& a) { return fb::CreateSetAutomationRecording (builder, a.enabled); }
        flatbuffers::Offset<fb::Undo> body (const model::action::Undo&) { return fb::CreateUndo (builder); }
        flatbuffers::Offset<fb::Redo> body (const model::action::Redo&) { return fb::CreateRedo (builder); }
        flatbuffers::Offset<fb::MoveInstrument> body (const model::action::MoveInstrument& a) { return fb::CreateMoveInstrument (builder, a.instrument.value, a.position); }

        flatbuffers::Offset<fb::EditNotes> body (const model::action::EditNotes& a)
        {
            std::vector<std::uint32_t> removed;
            removed.reserve (a.remove.size());
            for (auto id : a.remove)
                removed.push_back (id.value);
            const auto removeOffset = builder.CreateVector (removed);
            const auto changeOffset = codec.notes (a.change);
            const auto addOffset = codec.notes (a.add);
            return fb::CreateEditNotes (builder, a.instrument.value, a.clip.value, removeOffset, changeOffset, addOffset);
        }

        flatbuffers::Offset<fb::EditPoints> body (const model::action::EditPoints& a)
        {
            const auto removeOffset = builder.CreateVector (a.remove);
            const auto setOffset = codec.points (model::PointList { a.set });
            return fb::CreateEditPoints (builder, a.lane.value, removeOffset, setOffset);
        }

        flatbuffers::Offset<fb::SetClipLength> body (const model::action::SetClipLength& a) { return fb::CreateSetClipLength (builder, a.clip.value, a.length); }

        flatbuffers::Offset<fb::SetDrumStep> body (const model::action::SetDrumStep& a)
        {
            return fb::CreateSetDrumStep (builder, a.instrument.value, a.pad, a.step, a.value.on, a.value.velocity, a.value.probability);
        }

        flatbuffers::Offset<fb::SetDrumSteps> body (const model::action::SetDrumSteps& a)
        {
            std::vector<fb::DrumStepEdit> steps;
            steps.reserve (a.steps.size());
            for (const auto& e : a.steps)
                steps.emplace_back (e.pad, e.step, e.value.probability, e.value.velocity, e.value.on);
            return fb::CreateSetDrumSteps (builder, a.instrument.value, builder.CreateVectorOfStructs (steps));
        }

        flatbuffers::Offset<fb::SetDrumPad> body (const model::action::SetDrumPad& a)
        {
            const auto sound = encodeDrumPad (builder, a.sound);
            return fb::CreateSetDrumPad (builder, a.instrument.value, a.pad, sound);
        }

        flatbuffers::Offset<fb::SetDrumPattern> body (const model::action::SetDrumPattern& a) { return fb::CreateSetDrumPattern (builder, a.instrument.value, a.steps, a.stepsPerBeat, a.swing); }

        flatbuffers::Offset<fb::SetMacro> body (const model::action::SetMacro& a)
        {
            const fb::Macro macro (CodecEncoder::paramAddress (a.macro.param), a.macro.from, a.macro.to, a.macro.assigned);
            return fb::CreateSetMacro (builder, a.index, &macro);
        }

        flatbuffers::Offset<fb::SetMidiChannel> body (const model::action::SetMidiChannel& a) { return fb::CreateSetMidiChannel (builder, a.instrument.value, a.channel); }
        flatbuffers::Offset<fb::SetRecordArm> body (const model::action::SetRecordArm& a) { return fb::CreateSetRecordArm (builder, a.instrument.value, a.armed); }
        flatbuffers::Offset<fb::SetMidiOutput> body (const model::action::SetMidiOutput& a) { return fb::CreateSetMidiOutput (builder, a.instrument.value, a.channel); }

        flatbuffers::Offset<fb::SetRecordOptions> body (const model::action::SetRecordOptions& a) { return fb::CreateSetRecordOptions (builder, (std::uint8_t) a.mode, a.countInBars); }

        flatbuffers::Offset<fb::AddMidiMapping> body (const model::action::AddMidiMapping& a)
        {
            const auto m = CodecEncoder::midiMapping (a.mapping);
            return fb::CreateAddMidiMapping (builder, &m);
        }

        flatbuffers::Offset<fb::ChangeMidiMapping> body (const model::action::ChangeMidiMapping& a)
        {
            const auto m = CodecEncoder::midiMapping (a.mapping);
            return fb::CreateChangeMidiMapping (builder, &m);
        }

        flatbuffers::Offset<fb::RemoveMidiMapping> body (const model::action::RemoveMidiMapping& a)
        {
            const auto p = CodecEncoder::paramAddress (a.param);
            return fb::CreateRemoveMidiMapping (builder, &p);
        }

        flatbuffers::Offset<fb::EditAudioClip> body (const model::action::EditAudioClip& a)
        {
            const auto clip = audioClip (a.clip);
            const auto edited = audioClip (a.edited);
            return fb::CreateEditAudioClip (builder, a.instrument.value, clip, edited, a.remove);
        }

        flatbuffers::Offset<fb::SetPluginIsolation> body (const model::action::SetPluginIsolation& a)
        {
            return fb::CreateSetPluginIsolation (builder, (std::uint8_t) a.isolation);
        }

    private:
        flatbuffers::Offset<fb::AudioClip> audioClip (const model::AudioClip& c)
        {
            const auto path = codec.string (c.path);
            return fb::CreateAudioClip (builder, path, c.start, c.offset, c.length, c.gain);
        }

        flatbuffers::FlatBufferBuilder& builder;
        CodecEncoder codec;
    };

    //==============================================================================
    /** Reads a verified ActionBody union member into a model action, with the decoder (and budget) of
        the message it is part of.

        Only what the verifier cannot see and the model cannot hold (an absent union member, an enum
        value this build does not know) is a decoding error. Every value the Dispatcher checks anyway
        (names, ranges, NaN, notes, sources, stages) is left to it, so a well-formed action with a bad
        value gets ActionRejected with its reason, and the connection stays open.
    */
    class ActionDecoder
    {
    public:
        explicit ActionDecoder (CodecDecoder& c)
            : codec (c) {}

        /** The action, or nullopt with the sentence in codec.error. */
        std::optional<model::Action> decode (fb::ActionBody type, const void* table)
        {
            return decodeUnionMember<model::Action, ActionEncoder> (*this, codec, type, table, "The action");
        }

        void body (const fb::AddInstrument& in, model::action::AddInstrument& out)
        {
            out.name = codec.string (in.name());
            out.source = codec.source (in.source());
            out.backend = codec.enumValue<model::Backend> (in.backend(), "An instrument's backend");
            out.chain = codec.chain (in.chain());
        }

        void body (const fb::DeleteInstrument& in, model::action::DeleteInstrument& out) { out.instrument = model::InstrumentId { in.instrument() }; }
        void body (const fb::DuplicateInstrument& in, model::action::DuplicateInstrument& out) { out.instrument = model::InstrumentId { in.instrument() }; }

        void body (const fb::RenameInstrument& in, model::action::RenameInstrument& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.name = codec.string (in.name());
        }

        void body (const fb::SetSource& in, model::action::SetSource& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.source = codec.source (in.source());
        }

        void body (const fb::SetBackend& in, model::action::SetBackend& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.backend = codec.enumValue<model::Backend> (in.backend(), "An instrument's backend");
        }

        void body (const fb::SetVoiceCap& in, model::action::SetVoiceCap& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.voiceCap = in.voice_cap();
        }

        void body (const fb::SetParam& in, model::action::SetParam& out)
        {
            out.param = paramAddress (in.param());
            out.value = in.value();
        }

        void body (const fb::SetLfo& in, model::action::SetLfo& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.enabled = in.enabled();
            out.shape = codec.enumValue<model::LfoShape> (in.shape(), "An LFO's shape");
            out.target = paramAddress (in.target());
        }

        void body (const fb::SetGroove& in, model::action::SetGroove& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            if (const auto* g = in.groove())
                out.groove = codec.groove (*g);
        }

        void body (const fb::AddStage& in, model::action::AddStage& out)
        {
            out.node = codec.enumValue<model::NodeKind> (in.node(), "A chain's node kind");
            out.nodeId = in.node_id();
            if (const auto* st = in.stage())
                out.stage = codec.stage (*st);
            out.position = in.position();
        }

        void body (const fb::RemoveStage& in, model::action::RemoveStage& out)
        {
            out.node = codec.enumValue<model::NodeKind> (in.node(), "A chain's node kind");
            out.nodeId = in.node_id();
            out.stage = model::StageId { in.stage() };
        }

        void body (const fb::MoveStage& in, model::action::MoveStage& out)
        {
            out.node = codec.enumValue<model::NodeKind> (in.node(), "A chain's node kind");
            out.nodeId = in.node_id();
            out.stage = model::StageId { in.stage() };
            out.position = in.position();
        }

        void body (const fb::SetStageBypass& in, model::action::SetStageBypass& out)
        {
            out.node = codec.enumValue<model::NodeKind> (in.node(), "A chain's node kind");
            out.nodeId = in.node_id();
            out.stage = model::StageId { in.stage() };
            out.bypassed = in.bypassed();
        }

        void body (const fb::SetPluginState& in, model::action::SetPluginState& out)
        {
            out.node = codec.enumValue<model::NodeKind> (in.node(), "A chain's node kind");
            out.nodeId = in.node_id();
            out.stage = model::StageId { in.stage() };
            // The frame limit bounds the size; the Dispatcher refuses state beyond its own limit.
            if (const auto* state = in.state(); state != nullptr && codec.spendVector (state, 1))
                out.state.assign (state->begin(), state->end());
        }

        void body (const fb::SetMute& in, model::action::SetMute& out)
        {
            out.node = codec.enumValue<model::NodeKind> (in.node(), "A mixer strip's node kind");
            out.nodeId = in.node_id();
            out.mute = in.mute();
        }

        void body (const fb::SetSolo& in, model::action::SetSolo& out)
        {
            out.node = codec.enumValue<model::NodeKind> (in.node(), "A mixer strip's node kind");
            out.nodeId = in.node_id();
            out.solo = in.solo();
        }

        void body (const fb::SetOutput& in, model::action::SetOutput& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.bus = model::BusId { in.bus() };
        }

        void body (const fb::AddSend& in, model::action::AddSend& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.bus = model::BusId { in.bus() };
            out.level = in.level();
            out.preInsert = in.pre_insert();
        }

        void body (const fb::RemoveSend& in, model::action::RemoveSend& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.bus = model::BusId { in.bus() };
        }

        void body (const fb::SetSendTap& in, model::action::SetSendTap& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.bus = model::BusId { in.bus() };
            out.preInsert = in.pre_insert();
        }

        void body (const fb::AddBus& in, model::action::AddBus& out) { out.name = codec.string (in.name()); }
        void body (const fb::RemoveBus& in, model::action::RemoveBus& out) { out.bus = model::BusId { in.bus() }; }

        void body (const fb::RenameBus& in, model::action::RenameBus& out)
        {
            out.bus = model::BusId { in.bus() };
            out.name = codec.string (in.name());
        }

        void body (const fb::AddNote& in, model::action::AddNote& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            if (const auto* n = in.note())
                out.note = CodecDecoder::note (*n);
        }

        void body (const fb::DeleteNote& in, model::action::DeleteNote& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.note = model::NoteId { in.note() };
        }

        void body (const fb::MoveNote& in, model::action::MoveNote& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.note = model::NoteId { in.note() };
            out.tick = in.tick();
            out.pitch = in.pitch();
        }

        void body (const fb::ResizeNote& in, model::action::ResizeNote& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.note = model::NoteId { in.note() };
            out.duration = in.duration();
        }

        void body (const fb::SetNoteVelocity& in, model::action::SetNoteVelocity& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.note = model::NoteId { in.note() };
            out.velocity = in.velocity();
            out.probability = in.probability();
        }

        void body (const fb::AddLane& in, model::action::AddLane& out)
        {
            if (const auto* t = in.target())
                out.target = codec.automationTarget (*t);
        }

        void body (const fb::RemoveLane& in, model::action::RemoveLane& out) { out.lane = model::LaneId { in.lane() }; }

        void body (const fb::SetLaneEnabled& in, model::action::SetLaneEnabled& out)
        {
            out.lane = model::LaneId { in.lane() };
            out.enabled = in.enabled();
        }

        void body (const fb::SetPoint& in, model::action::SetPoint& out)
        {
            out.lane = model::LaneId { in.lane() };
            out.point = point (in.point());
        }

        void body (const fb::DeletePoint& in, model::action::DeletePoint& out)
        {
            out.lane = model::LaneId { in.lane() };
            out.tick = in.tick();
        }

        void body (const fb::MovePoint& in, model::action::MovePoint& out)
        {
            out.lane = model::LaneId { in.lane() };
            out.from = in.from();
            out.to = point (in.to());
        }

        void body (const fb::AddClip& in, model::action::AddClip& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.name = codec.string (in.name());
            out.length = in.length();
            out.capture = in.capture();
        }

        void body (const fb::DeleteClip& in, model::action::DeleteClip& out) { out.clip = model::ClipId { in.clip() }; }

        void body (const fb::RenameClip& in, model::action::RenameClip& out)
        {
            out.clip = model::ClipId { in.clip() };
            out.name = codec.string (in.name());
        }

        void body (const fb::AddPlacement& in, model::action::AddPlacement& out)
        {
            out.clip = model::ClipId { in.clip() };
            out.start = in.start();
            out.length = in.length();
        }

        void body (const fb::MovePlacement& in, model::action::MovePlacement& out)
        {
            out.placement = model::PlacementId { in.placement() };
            out.start = in.start();
        }

        void body (const fb::ResizePlacement& in, model::action::ResizePlacement& out)
        {
            out.placement = model::PlacementId { in.placement() };
            out.length = in.length();
        }

        void body (const fb::DeletePlacement& in, model::action::DeletePlacement& out) { out.placement = model::PlacementId { in.placement() }; }
        void body (const fb::SetPlayMode& in, model::action::SetPlayMode& out) { out.mode = codec.enumValue<model::PlayMode> (in.mode(), "The play mode"); }
        void body (const fb::RenameSession& in, model::action::RenameSession& out) { out.name = codec.string (in.name()); }
        void body (const fb::SetBpm& in, model::action::SetBpm& out) { out.bpm = in.bpm(); }

        void body (const fb::SetTimeSignature& in, model::action::SetTimeSignature& out)
        {
            out.numerator = in.numerator();
            out.denominator = in.denominator();
        }

        void body (const fb::SetKey& in, model::action::SetKey& out)
        {
            out.key = in.key();
            out.scale = codec.enumValue<model::Scale> (in.scale(), "The scale");
        }

        void body (const fb::SetSwing& in, model::action::SetSwing& out) { out.swing = in.swing(); }

        void body (const fb::SetLoop& in, model::action::SetLoop& out)
        {
            if (const auto* l = in.loop())
                out.loop = { l->enabled(), l->start(), l->end() };
        }

        void body (const fb::Play&, model::action::Play&) {}
        void body (const fb::Stop&, model::action::Stop&) {}
        void body (const fb::Locate& in, model::action::Locate& out) { out.tick = in.tick(); }
        void body (const fb::SetRecording& in, model::action::SetRecording& out) { out.recording = in.recording(); }
        void body (const fb::SetAutomationRecording& in, model::action::SetAutomationRecording& out) { out.enabled = in.enabled(); }
        void body (const fb::Undo&, model::action::Undo&) {}
        void body (const fb::Redo&, model::action::Redo&) {}

        void body (const fb::MoveInstrument& in, model::action::MoveInstrument& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.position = in.position(); // a negative one is the dispatcher's to refuse
        }

        // The notes' and points' values are the dispatcher's to check; the decoder charges every list.
        void body (const fb::EditNotes& in, model::action::EditNotes& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.clip = model::ClipId { in.clip() };
            if (const auto* removed = in.remove(); removed != nullptr && codec.spendVector (removed, sizeof (std::uint32_t)))
                for (auto id : *removed)
                    out.remove.push_back (model::NoteId { id });
            out.change = codec.notes (in.change());
            out.add = codec.notes (in.add());
        }

        void body (const fb::EditPoints& in, model::action::EditPoints& out)
        {
            out.lane = model::LaneId { in.lane() };
            if (const auto* removed = in.remove(); removed != nullptr && codec.spendVector (removed, sizeof (std::int64_t)))
                out.remove.assign (removed->begin(), removed->end());
            out.set = codec.points (in.set()).points;
        }

        void body (const fb::SetClipLength& in, model::action::SetClipLength& out)
        {
            out.clip = model::ClipId { in.clip() };
            out.length = in.length();
        }

        // Drum kits: pads, steps and values out of range are the dispatcher's to refuse.
        void body (const fb::SetDrumStep& in, model::action::SetDrumStep& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.pad = in.pad();
            out.step = in.step();
            out.value = { in.on(), in.velocity(), in.probability() };
        }

        void body (const fb::SetDrumSteps& in, model::action::SetDrumSteps& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            if (const auto* steps = in.steps(); steps != nullptr && codec.spendVector (steps, sizeof (fb::DrumStepEdit)))
            {
                out.steps.reserve (steps->size());
                for (const auto* e : *steps)
                    out.steps.push_back ({ e->pad(), e->step(), { e->on(), e->velocity(), e->probability() } });
            }
        }

        void body (const fb::SetDrumPad& in, model::action::SetDrumPad& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.pad = in.pad();
            out.sound = decodeDrumPad (codec, in.sound());
        }

        void body (const fb::SetDrumPattern& in, model::action::SetDrumPattern& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.steps = in.steps();
            out.stepsPerBeat = in.steps_per_beat();
            out.swing = in.swing();
        }

        // Macros and MIDI channels: slots, spans and channels out of range are the dispatcher's to refuse.
        void body (const fb::SetMacro& in, model::action::SetMacro& out)
        {
            out.index = in.index();
            if (const auto* m = in.macro())
                out.macro = { m->assigned(), codec.paramAddress (m->param()), m->from(), m->to() };
        }

        void body (const fb::SetMidiChannel& in, model::action::SetMidiChannel& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.channel = in.channel();
        }
        void body (const fb::SetRecordArm& in, model::action::SetRecordArm& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.armed = in.armed();
        }
        void body (const fb::SetMidiOutput& in, model::action::SetMidiOutput& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.channel = in.channel();
        }

        // MIDI recording options and mappings: out-of-range values are the dispatcher's to refuse.
        void body (const fb::SetRecordOptions& in, model::action::SetRecordOptions& out)
        {
            out.mode = (model::RecordMode) in.mode();
            out.countInBars = in.count_in_bars();
        }

        void body (const fb::AddMidiMapping& in, model::action::AddMidiMapping& out)
        {
            if (const auto* m = in.mapping())
                out.mapping = codec.midiMapping (*m);
        }

        void body (const fb::ChangeMidiMapping& in, model::action::ChangeMidiMapping& out)
        {
            if (const auto* m = in.mapping())
                out.mapping = codec.midiMapping (*m);
        }

        void body (const fb::RemoveMidiMapping& in, model::action::RemoveMidiMapping& out) { out.param = paramAddress (in.param()); }

        // Audio clips: a clip that is not there, or values out of range, are the dispatcher's to refuse.
        void body (const fb::EditAudioClip& in, model::action::EditAudioClip& out)
        {
            out.instrument = model::InstrumentId { in.instrument() };
            out.clip = audioClip (in.clip());
            out.edited = audioClip (in.edited());
            out.remove = in.remove();
        }

        // Where plugins run: an unknown value is the dispatcher's to refuse.
        void body (const fb::SetPluginIsolation& in, model::action::SetPluginIsolation& out) { out.isolation = (model::PluginIsolation) in.isolation(); }

    private:
        model::AudioClip audioClip (const fb::AudioClip* c)
        {
            return c != nullptr ? model::AudioClip { codec.string (c->path()), c->start(), c->offset(), c->length(), c->gain() } : model::AudioClip {};
        }

        model::ParamAddress paramAddress (const fb::ParamAddress* a)
        {
            return a != nullptr ? codec.paramAddress (*a) : model::ParamAddress {};
        }

        model::Point point (const fb::Point* p)
        {
            return p != nullptr ? codec.point (*p) : model::Point {};
        }

        CodecDecoder& codec;
    };
} // namespace

} // namespace imbolc::protocol
