namespace imbolc::protocol
{

namespace
{
    // The schema's unions mirror the C++ variants one to one (type index = variant index + 1). These,
    // and the per-alternative checks in unionTypeOf's callers, catch a schema and a model that drift.
    static_assert (std::variant_size_v<Message> == (std::size_t) fb::Payload::MAX, "protocol::Message and the schema's Payload union differ");
    static_assert (std::variant_size_v<model::Action> == (std::size_t) fb::ActionBody::MAX, "model::Action and the schema's ActionBody union differ");
    static_assert ((int) fb::NoteOpKind::MAX == (int) model::NoteOp::Kind::update);
    static_assert ((int) fb::PointOpKind::MAX == (int) model::PointOp::Kind::remove);

    /** The table type an encoder returned (only used inside decltype). */
    template <typename Table>
    Table* wireTableOf (flatbuffers::Offset<Table>);

    /** The union type value the schema gives a table. */
    template <typename UnionType, typename Table>
    constexpr UnionType unionTypeOf()
    {
        if constexpr (std::is_same_v<UnionType, fb::Payload>)
            return fb::PayloadTraits<Table>::enum_value;
        else
            return fb::ActionBodyTraits<Table>::enum_value;
    }

    /** The position of a type among a variant's alternatives. */
    template <typename T, typename Variant>
    struct WireAlternativeIndex;

    template <typename T, typename... Ts>
    struct WireAlternativeIndex<T, std::variant<Ts...>>
    {
        static constexpr std::size_t value = []
        {
            constexpr bool same[] = { std::is_same_v<T, Ts>... };
            std::size_t i = 0;
            while (! same[i])
                ++i;
            return i;
        }();
    };

    constexpr std::size_t frameLengthBytes = 4;

    enum class WireFraming
    {
        bare, ///< the FlatBuffers buffer alone (decodeMessage's input)
        lengthPrefixed ///< one complete frame for a socket
    };

    //==============================================================================
    /** Writes one fb::StatePatch table part by part. Call the parts in the StatePatch struct's
        declaration order (each at most once, absent parts skipped), then finish(): the bytes then
        equal those of encodeMessage (StatePatch) for the same values, which calls exactly these.

        An update list (instrumentUpdates, trackUpdates, laneUpdates, busUpdates) takes any range of
        items or of pointers to items; an empty one is left out, as the value path leaves out an empty
        vector. A whole subsystem (instruments, pianoRoll, automation, ...) is written even when empty:
        present-and-empty means "now empty".
    */
    class PatchEncoder
    {
    public:
        explicit PatchEncoder (flatbuffers::FlatBufferBuilder& b)
            : codec (b) {}

        void settings (const model::SessionSettings& s) { settingsOffset = codec.settings (s); }
        void transport (const model::Transport& t) { transportOffset = codec.transport (t); }
        void instruments (const model::Instruments& all) { instrumentsOffset = codec.tables (all, &CodecEncoder::instrument); }

        template <typename Range>
        void instrumentUpdates (const Range& items)
        {
            updates (items, &CodecEncoder::instrument, instrumentUpdatesOffset);
        }

        void pianoRoll (const model::PianoRoll& all) { pianoRollOffset = codec.tables (all, &CodecEncoder::track); }

        template <typename Range>
        void trackUpdates (const Range& items)
        {
            updates (items, &CodecEncoder::track, trackUpdatesOffset);
        }

        /** Ops as a range of model::NoteOp or of pointers to them. */
        template <typename Range>
        void noteOps (const Range& ops)
        {
            operations<fb::NoteOp> (ops, noteOpsOffset, [] (const model::NoteOp& op)
                                    { return fb::NoteOp ((std::uint32_t) op.note.tick, (std::uint32_t) op.note.duration, op.note.id.value, op.instrument.value, op.note.probability, op.note.pitch, op.note.velocity, toFb<fb::NoteOpKind> (op.kind)); });
        }

        void automation (const model::Automation& all) { automationOffset = codec.tables (all, &CodecEncoder::lane); }

        template <typename Range>
        void laneUpdates (const Range& items)
        {
            updates (items, &CodecEncoder::lane, laneUpdatesOffset);
        }

        template <typename Range>
        void pointOps (const Range& ops)
        {
            operations<fb::PointOp> (ops, pointOpsOffset, [] (const model::PointOp& op)
                                     { return fb::PointOp (toFb<fb::PointOpKind> (op.kind), op.lane.value, CodecEncoder::point (op.point)); });
        }

        void arrangement (const model::Arrangement& a) { arrangementOffset = codec.arrangement (a); }
        void mixer (const model::Mixer& m) { mixerOffset = codec.mixer (m); }

        template <typename Range>
        void busUpdates (const Range& items)
        {
            updates (items, &CodecEncoder::bus, busUpdatesOffset);
        }

        void master (const model::Master& m) { masterOffset = codec.master (m); }
        void ownership (const Ownership& o) { ownershipOffset = encodeOwnership (codec.builder, o); }

        flatbuffers::Offset<fb::StatePatch> finish (Seq seq, std::uint32_t nextId)
        {
            return fb::CreateStatePatch (codec.builder, seq, nextId, noteOpsOffset, pointOpsOffset, settingsOffset, transportOffset, instrumentsOffset, instrumentUpdatesOffset, pianoRollOffset, trackUpdatesOffset, automationOffset, laneUpdatesOffset, arrangementOffset, mixerOffset, busUpdatesOffset, masterOffset, ownershipOffset);
        }

        /** Writes every part of a patch value, in order. */
        flatbuffers::Offset<fb::StatePatch> write (const StatePatch& p)
        {
            if (p.settings)
                settings (*p.settings);
            if (p.transport)
                transport (*p.transport);
            if (p.instruments)
                instruments (*p.instruments);
            instrumentUpdates (p.instrumentUpdates);
            if (p.pianoRoll)
                pianoRoll (*p.pianoRoll);
            trackUpdates (p.trackUpdates);
            noteOps (p.noteOps);
            if (p.automation)
                automation (*p.automation);
            laneUpdates (p.laneUpdates);
            pointOps (p.pointOps);
            if (p.arrangement)
                arrangement (*p.arrangement);
            if (p.mixer)
                mixer (*p.mixer);
            busUpdates (p.busUpdates);
            if (p.master)
                master (*p.master);
            if (p.ownership)
                ownership (*p.ownership);
            return finish (p.seq, p.nextId);
        }

        static flatbuffers::Offset<fb::Ownership> encodeOwnership (flatbuffers::FlatBufferBuilder& builder, const Ownership& o)
        {
            std::vector<fb::Owner> owners;
            owners.reserve (o.owners.size());
            for (const auto& owner : o.owners)
                owners.emplace_back (owner.instrument.value, owner.client);
            const auto ownersOffset = builder.CreateVectorOfStructs (owners);
            return fb::CreateOwnership (builder, ownersOffset, o.privilegedClient);
        }

    private:
        template <typename Table>
        using TablesOffset = flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<Table>>>;

        template <typename Range, typename Item, typename Table>
        void updates (const Range& items, flatbuffers::Offset<Table> (CodecEncoder::*part) (const Item&), TablesOffset<Table>& offset)
        {
            if (std::begin (items) != std::end (items))
                offset = codec.tables (items, part);
        }

        template <typename Struct, typename Range, typename Convert>
        void operations (const Range& ops, flatbuffers::Offset<flatbuffers::Vector<const Struct*>>& offset, Convert convert)
        {
            if (std::begin (ops) == std::end (ops))
                return;
            std::vector<Struct> structs;
            structs.reserve ((std::size_t) std::distance (std::begin (ops), std::end (ops)));
            for (const auto& op : ops)
            {
                if constexpr (std::is_pointer_v<std::decay_t<decltype (op)>>)
                    structs.push_back (convert (*op));
                else
                    structs.push_back (convert (op));
            }
            offset = codec.builder.CreateVectorOfStructs (structs);
        }

        CodecEncoder codec;
        flatbuffers::Offset<fb::Settings> settingsOffset;
        flatbuffers::Offset<fb::Transport> transportOffset;
        flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Instrument>>> instrumentsOffset, instrumentUpdatesOffset;
        flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Track>>> pianoRollOffset, trackUpdatesOffset;
        flatbuffers::Offset<flatbuffers::Vector<const fb::NoteOp*>> noteOpsOffset;
        flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Lane>>> automationOffset, laneUpdatesOffset;
        flatbuffers::Offset<flatbuffers::Vector<const fb::PointOp*>> pointOpsOffset;
        flatbuffers::Offset<fb::Arrangement> arrangementOffset;
        flatbuffers::Offset<fb::Mixer> mixerOffset;
        flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Bus>>> busUpdatesOffset;
        flatbuffers::Offset<fb::Master> masterOffset;
        flatbuffers::Offset<fb::Ownership> ownershipOffset;
    };

    //==============================================================================
    /** Writes messages and actions. One body() per message and action type; the union's type value
        follows from the table body() returns.
    */
    class WireEncoder
    {
    public:
        explicit WireEncoder (flatbuffers::FlatBufferBuilder& b)
            : builder (b), codec (b) {}

        /** A variant as a union member: its type value and its table. */
        template <typename UnionType, typename Variant>
        std::pair<UnionType, flatbuffers::Offset<void>> unionMember (const Variant& v)
        {
            return std::visit ([this] (const auto& alternative)
                               {
                                   const auto offset = body (alternative);
                                   using Table = std::remove_pointer_t<decltype (wireTableOf (offset))>;
                                   constexpr auto type = unionTypeOf<UnionType, Table>();
                                   static_assert ((std::size_t) type == WireAlternativeIndex<std::decay_t<decltype (alternative)>, Variant>::value + 1,
                                                  "a schema union member is out of the variant's order");
                                   return std::pair { type, offset.Union() }; },
                               v);
        }

        flatbuffers::Offset<fb::FullStateSync> fullSync (Seq seq, const model::Session& session, const Ownership& ownership)
        {
            const auto sessionOffset = codec.session (session);
            const auto ownershipOffset = PatchEncoder::encodeOwnership (builder, ownership);
            return fb::CreateFullStateSync (builder, seq, sessionOffset, ownershipOffset);
        }

        //==============================================================================
        // Messages
        flatbuffers::Offset<fb::Challenge> body (const msg::Challenge& m)
        {
            const auto nonce = bytes (m.serverNonce);
            const auto name = text (m.sessionName);
            return fb::CreateChallenge (builder, m.protocolVersion, nonce, m.passphraseRequired, name);
        }

        flatbuffers::Offset<fb::Hello> body (const msg::Hello& m)
        {
            const auto name = text (m.name);
            const auto requested = ids (m.requestedInstruments);
            const auto nonce = bytes (m.clientNonce);
            const auto proof = bytes (m.passphraseProof);
            const auto reconnectProof = bytes (m.reconnectProof);
            return fb::CreateHello (builder, m.protocolVersion, name, requested, m.requestPrivilege, nonce, proof, m.reconnectClientId, reconnectProof);
        }

        flatbuffers::Offset<fb::Welcome> body (const msg::Welcome& m)
        {
            const auto granted = ids (m.grantedInstruments);
            const auto token = bytes (m.token);
            return fb::CreateWelcome (builder, m.clientId, granted, m.privilege, token);
        }

        flatbuffers::Offset<fb::Action> body (const msg::Action& m)
        {
            const auto [type, offset] = unionMember<fb::ActionBody> (m.action);
            return fb::CreateAction (builder, m.requestId, type, offset);
        }

        flatbuffers::Offset<fb::ActionRejected> body (const msg::ActionRejected& m)
        {
            const auto reason = text (m.reason);
            return fb::CreateActionRejected (builder, m.requestId, reason);
        }

        flatbuffers::Offset<fb::StatePatch> body (const StatePatch& m) { return PatchEncoder (builder).write (m); }
        flatbuffers::Offset<fb::FullStateSync> body (const msg::FullStateSync& m) { return fullSync (m.seq, m.session, m.ownership); }

        flatbuffers::Offset<fb::Metering> body (const msg::Metering& m)
        {
            std::vector<fb::StripPeak> strips;
            strips.reserve (m.strips.size());
            for (const auto& s : m.strips)
                strips.emplace_back (toFb<fb::NodeKind> (s.node), s.id, s.left, s.right);
            const auto stripsOffset = strips.empty() ? 0 : builder.CreateVectorOfStructs (strips);
            const fb::ServerMeter server ((std::uint8_t) m.server.state, m.server.averageCpu, m.server.peakCpu, m.server.synths, m.server.ugens);
            return fb::CreateMetering (builder, m.playhead, m.bpm, m.playing, m.masterLeft, m.masterRight, stripsOffset, m.server.state == ServerMeter::State::none ? nullptr : &server);
        }

        flatbuffers::Offset<fb::Ping> body (const msg::Ping& m) { return fb::CreatePing (builder, m.nonce); }
        flatbuffers::Offset<fb::Pong> body (const msg::Pong& m) { return fb::CreatePong (builder, m.nonce); }
        flatbuffers::Offset<fb::RequestFullSync> body (const msg::RequestFullSync& m) { return fb::CreateRequestFullSync (builder, m.haveSeq); }
        flatbuffers::Offset<fb::RequestPrivilege> body (const msg::RequestPrivilege&) { return fb::CreateRequestPrivilege (builder); }
        flatbuffers::Offset<fb::PrivilegeGranted> body (const msg::PrivilegeGranted&) { return fb::CreatePrivilegeGranted (builder); }
        flatbuffers::Offset<fb::PrivilegeDenied> body (const msg::PrivilegeDenied& m) { return fb::CreatePrivilegeDenied (builder, text (m.reason)); }
        flatbuffers::Offset<fb::PrivilegeRevoked> body (const msg::PrivilegeRevoked& m) { return fb::CreatePrivilegeRevoked (builder, m.newHolder); }

        flatbuffers::Offset<fb::ReconnectSuccessful> body (const msg::ReconnectSuccessful& m)
        {
            const auto restored = ids (m.restoredInstruments);
            const auto token = bytes (m.token);
            return fb::CreateReconnectSuccessful (builder, m.clientId, restored, m.privilege, token);
        }

        flatbuffers::Offset<fb::ReconnectFailed> body (const msg::ReconnectFailed& m) { return fb::CreateReconnectFailed (builder, text (m.reason)); }
        flatbuffers::Offset<fb::Goodbye> body (const msg::Goodbye&) { return fb::CreateGoodbye (builder); }
        flatbuffers::Offset<fb::Shutdown> body (const msg::Shutdown& m) { return fb::CreateShutdown (builder, text (m.reason)); }
        flatbuffers::Offset<fb::Error> body (const msg::Error& m) { return fb::CreateError (builder, text (m.message)); }

        //==============================================================================
        // Actions
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
            const auto state = bytes (a.state);
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

    private:
        // Empty strings and vectors are left out (they read back empty): fewer bytes, same value.
        flatbuffers::Offset<flatbuffers::String> text (const std::string& s)
        {
            return s.empty() ? 0 : codec.string (s);
        }

        flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> bytes (const Bytes& b)
        {
            return b.empty() ? 0 : builder.CreateVector (b);
        }

        flatbuffers::Offset<flatbuffers::Vector<std::uint32_t>> ids (const std::vector<model::InstrumentId>& list)
        {
            if (list.empty())
                return 0;
            std::vector<std::uint32_t> values;
            values.reserve (list.size());
            for (const auto id : list)
                values.push_back (id.value);
            return builder.CreateVector (values);
        }

        flatbuffers::FlatBufferBuilder& builder;
        CodecEncoder codec;
    };

    /** The table type WireEncoder writes for a message or action type. */
    template <typename Value>
    using WireTableFor = std::remove_pointer_t<decltype (wireTableOf (std::declval<WireEncoder&>().body (std::declval<const Value&>())))>;

    /** Finishes a Message around a payload with the wire identifier, optionally behind its frame length. */
    Bytes finishWireMessage (flatbuffers::FlatBufferBuilder& builder, fb::Payload type, flatbuffers::Offset<void> payload, WireFraming framing)
    {
        builder.Finish (fb::CreateMessage (builder, type, payload), wireIdentifier);
        const auto size = (std::size_t) builder.GetSize();
        const auto prefix = framing == WireFraming::lengthPrefixed ? frameLengthBytes : 0;
        Bytes out (prefix + size);
        if (prefix != 0)
            writeFrameLength (out.data(), (std::uint32_t) size);
        std::memcpy (out.data() + prefix, builder.GetBufferPointer(), size);
        return out;
    }

    Bytes encodeWireMessage (const Message& m, WireFraming framing)
    {
        flatbuffers::FlatBufferBuilder builder (std::holds_alternative<msg::FullStateSync> (m) ? 64 * 1024 : 1024);
        const auto [type, payload] = WireEncoder (builder).unionMember<fb::Payload> (m);
        return finishWireMessage (builder, type, payload, framing);
    }

    //==============================================================================
    /** Reads a verified Message into values, checking what the verifier cannot see: union and enum
        values this build does not know, byte strings of the wrong length, names and texts in the
        handshake and the server's messages, and a full sync's session (model::validate). An action's
        values are the Dispatcher's to check, a patch's applyPatch's. Keeps the first problem as one
        sentence (in codec.error).
    */
    class WireDecoder
    {
    public:
        WireDecoder() { codec.keepTransport = true; }

        CodecDecoder codec;

        /** The variant alternative a union member holds; nullopt (and an error) if there is none. */
        template <typename Variant, typename UnionType>
        std::optional<Variant> unionMember (UnionType type, const void* table, const char* what)
        {
            if (type == UnionType::NONE || table == nullptr)
            {
                codec.fail (what, " is empty.");
                return std::nullopt;
            }
            if ((std::size_t) type > (std::size_t) UnionType::MAX)
            {
                codec.fail (what, " is of a kind this build does not know (", (int) type, "); the peer runs a newer protocol.");
                return std::nullopt;
            }
            std::optional<Variant> out;
            alternative<Variant> ((std::size_t) type - 1, table, out, std::make_index_sequence<std::variant_size_v<Variant>>());
            return out;
        }

        //==============================================================================
        // Messages
        void body (const fb::Challenge& in, msg::Challenge& out)
        {
            out.protocolVersion = in.protocol_version();
            out.serverNonce = exactBytes (in.server_nonce(), nonceBytes, false, "The server nonce");
            out.passphraseRequired = in.passphrase_required();
            out.sessionName = name (in.session_name(), "The session name");
        }

        void body (const fb::Hello& in, msg::Hello& out)
        {
            out.protocolVersion = in.protocol_version();
            out.name = name (in.name(), "The client name");
            out.requestedInstruments = ids (in.requested_instruments(), "A requested instrument");
            out.requestPrivilege = in.request_privilege();
            out.clientNonce = exactBytes (in.client_nonce(), nonceBytes, false, "The client nonce");
            out.passphraseProof = exactBytes (in.passphrase_proof(), proofBytes, true, "The passphrase proof");
            out.reconnectClientId = in.reconnect_client_id();
            out.reconnectProof = exactBytes (in.reconnect_proof(), proofBytes, true, "The reconnect proof");
        }

        void body (const fb::Welcome& in, msg::Welcome& out)
        {
            out.clientId = in.client_id();
            out.grantedInstruments = ids (in.granted_instruments(), "A granted instrument");
            out.privilege = in.privilege();
            out.token = exactBytes (in.token(), tokenBytes, false, "The session token");
        }

        void body (const fb::Action& in, msg::Action& out)
        {
            out.requestId = in.request_id();
            if (auto a = unionMember<model::Action> (in.body_type(), in.body(), "The action"))
                out.action = std::move (*a);
        }

        void body (const fb::ActionRejected& in, msg::ActionRejected& out)
        {
            out.requestId = in.request_id();
            out.reason = text (in.reason(), "The rejection reason");
        }

        /** Every part of a patch; their consistency with a session is applyPatch's to check. */
        void body (const fb::StatePatch& in, StatePatch& out)
        {
            out.seq = in.seq();
            out.nextId = in.next_id();
            if (const auto* s = in.settings())
                out.settings = codec.settings (s);
            if (const auto* t = in.transport())
                out.transport = codec.transport (t);
            if (const auto* list = in.instruments())
                out.instruments = codec.instruments (list);
            if (const auto* list = in.instrument_updates(); list != nullptr && codec.spendVector (list, CodecDecoder::tableBytes))
                for (const auto* inst : *list)
                    out.instrumentUpdates.push_back (codec.instrument (*inst));
            if (const auto* list = in.piano_roll())
                out.pianoRoll = codec.pianoRoll (list);
            if (const auto* list = in.track_updates(); list != nullptr && codec.spendVector (list, CodecDecoder::tableBytes))
                for (const auto* t : *list)
                    out.trackUpdates.push_back (codec.track (*t));
            if (const auto* list = in.note_ops(); list != nullptr && codec.spendVector (list, sizeof (fb::NoteOp)))
            {
                out.noteOps.reserve (list->size());
                for (const auto* op : *list)
                {
                    model::Note note;
                    note.id = model::NoteId { op->id() };
                    note.tick = op->tick();
                    note.duration = op->duration();
                    note.pitch = op->pitch();
                    note.velocity = op->velocity();
                    note.probability = op->probability();
                    out.noteOps.push_back ({ codec.enumValue<model::NoteOp::Kind> (op->kind(), "A note operation's kind"), model::InstrumentId { op->instrument() }, note });
                }
            }
            if (const auto* list = in.automation())
                out.automation = codec.automation (list);
            if (const auto* list = in.lane_updates(); list != nullptr && codec.spendVector (list, CodecDecoder::tableBytes))
                for (const auto* l : *list)
                    out.laneUpdates.push_back (codec.lane (*l));
            if (const auto* list = in.point_ops(); list != nullptr && codec.spendVector (list, sizeof (fb::PointOp)))
            {
                out.pointOps.reserve (list->size());
                for (const auto* op : *list)
                    out.pointOps.push_back ({ codec.enumValue<model::PointOp::Kind> (op->kind(), "A point operation's kind"), model::LaneId { op->lane() }, codec.point (op->point()) });
            }
            if (const auto* a = in.arrangement())
                out.arrangement = codec.arrangement (a);
            if (const auto* m = in.mixer())
                out.mixer = codec.mixer (m);
            if (const auto* list = in.bus_updates(); list != nullptr && codec.spendVector (list, CodecDecoder::tableBytes))
                for (const auto* b : *list)
                    out.busUpdates.push_back (codec.bus (*b));
            if (const auto* m = in.master())
                out.master = codec.master (m);
            if (const auto* o = in.ownership())
                out.ownership = ownership (*o);
        }

        void body (const fb::FullStateSync& in, msg::FullStateSync& out)
        {
            out.seq = in.seq();
            if (in.session() == nullptr)
                return codec.fail ("The state sync holds no session.");
            if (auto session = codec.run (*in.session()))
            {
                if (auto problem = model::validate (*session); ! problem.empty())
                    return codec.fail ("The state sync's session is invalid: ", problem);
                out.session = std::move (*session);
            }
            if (const auto* o = in.ownership())
                out.ownership = ownership (*o);
        }

        void body (const fb::Metering& in, msg::Metering& out)
        {
            out.playhead = in.playhead();
            out.bpm = in.bpm();
            out.playing = in.playing();
            out.masterLeft = in.master_left();
            out.masterRight = in.master_right();
            if (! std::isfinite (out.bpm) || ! std::isfinite (out.masterLeft) || ! std::isfinite (out.masterRight))
                codec.fail ("The metering holds a tempo or master level that is not a finite number.");
            if (const auto* strips = in.strips(); strips != nullptr && codec.spendVector (strips, sizeof (fb::StripPeak)))
            {
                out.strips.reserve (strips->size());
                for (const auto* s : *strips)
                {
                    const StripPeak peak { codec.enumValue<model::NodeKind> (s->node(), "A metered strip's node kind"), s->id(), s->left(), s->right() };
                    if (! std::isfinite (peak.left) || ! std::isfinite (peak.right))
                        codec.fail ("The metering of strip ", peak.id, " is not a finite number.");
                    out.strips.push_back (peak);
                }
            }
            if (const auto* server = in.server())
            {
                if (server->state() > (std::uint8_t) ServerMeter::State::lost)
                    codec.fail ("The metering names a server state ", (int) server->state(), " that does not exist.");
                out.server = { (ServerMeter::State) server->state(), server->average_cpu(), server->peak_cpu(), server->synths(), server->ugens() };
                if (! std::isfinite (out.server.averageCpu) || ! std::isfinite (out.server.peakCpu) || out.server.synths < 0 || out.server.ugens < 0)
                    codec.fail ("The metering of the synthesis server holds a CPU load that is not a finite number or a negative count.");
            }
        }

        void body (const fb::Ping& in, msg::Ping& out) { out.nonce = in.nonce(); }
        void body (const fb::Pong& in, msg::Pong& out) { out.nonce = in.nonce(); }
        void body (const fb::RequestFullSync& in, msg::RequestFullSync& out) { out.haveSeq = in.have_seq(); }
        void body (const fb::RequestPrivilege&, msg::RequestPrivilege&) {}
        void body (const fb::PrivilegeGranted&, msg::PrivilegeGranted&) {}
        void body (const fb::PrivilegeDenied& in, msg::PrivilegeDenied& out) { out.reason = text (in.reason(), "The reason privilege was denied"); }
        void body (const fb::PrivilegeRevoked& in, msg::PrivilegeRevoked& out) { out.newHolder = in.new_holder(); }

        void body (const fb::ReconnectSuccessful& in, msg::ReconnectSuccessful& out)
        {
            out.clientId = in.client_id();
            out.restoredInstruments = ids (in.restored_instruments(), "A restored instrument");
            out.privilege = in.privilege();
            out.token = exactBytes (in.token(), tokenBytes, false, "The session token");
        }

        void body (const fb::ReconnectFailed& in, msg::ReconnectFailed& out) { out.reason = text (in.reason(), "The reason the reconnect failed"); }
        void body (const fb::Goodbye&, msg::Goodbye&) {}
        void body (const fb::Shutdown& in, msg::Shutdown& out) { out.reason = text (in.reason(), "The shutdown reason"); }
        void body (const fb::Error& in, msg::Error& out) { out.message = text (in.message(), "The error message"); }

        //==============================================================================
        // Actions: only what the verifier cannot see and the model cannot hold (an absent union
        // member, an enum value this build does not know) is a decoding error. Every value the
        // Dispatcher checks anyway (names, ranges, NaN, notes, sources, stages) is left to it, so a
        // well-formed action with a bad value gets ActionRejected with its reason, and the connection
        // stays open.
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

        //==============================================================================
        Ownership ownership (const fb::Ownership& in)
        {
            Ownership out;
            out.privilegedClient = in.privileged_client();
            if (const auto* owners = in.owners(); owners != nullptr && codec.spendVector (owners, sizeof (fb::Owner)))
            {
                out.owners.reserve (owners->size());
                for (const auto* o : *owners)
                {
                    const Ownership::Owner owner { model::InstrumentId { o->instrument() }, o->client() };
                    if (! owner.instrument.isValid() || owner.client == 0)
                        codec.fail ("The ownership names instrument ", owner.instrument.value, " and client ", owner.client, " (neither may be 0).");
                    else if (! out.owners.empty() && ! (out.owners.back().instrument < owner.instrument))
                        codec.fail ("The ownership list is not sorted by instrument, or names instrument ", owner.instrument.value, " twice.");
                    out.owners.push_back (owner);
                }
            }
            return out;
        }

    private:
        template <typename Variant, std::size_t... I>
        void alternative (std::size_t index, const void* table, std::optional<Variant>& out, std::index_sequence<I...>)
        {
            (void) ((index == I ? (decodeAlternative<Variant, I> (table, out), true) : false) || ...);
        }

        template <typename Variant, std::size_t I>
        void decodeAlternative (const void* table, std::optional<Variant>& out)
        {
            using Value = std::variant_alternative_t<I, Variant>;
            using Table = WireTableFor<Value>;
            using UnionType = std::conditional_t<std::is_same_v<Variant, Message>, fb::Payload, fb::ActionBody>;
            static_assert ((std::size_t) unionTypeOf<UnionType, Table>() == I + 1, "a schema union member is out of the variant's order");

            Value value {};
            body (*static_cast<const Table*> (table), value);
            if (codec.error.empty())
                out.emplace (std::in_place_index<I>, std::move (value));
        }

        /** Any text: it must be UTF-8 (JSON and the GUI show it). */
        std::string text (const flatbuffers::String* s, const char* what)
        {
            auto out = codec.string (s);
            if (! juce::CharPointer_UTF8::isValidString (out.data(), (int) std::min<std::size_t> (out.size(), (std::size_t) std::numeric_limits<int>::max())))
                codec.fail (what, " is not valid UTF-8 text.");
            return out;
        }

        std::string name (const flatbuffers::String* s, const char* what)
        {
            auto out = codec.string (s);
            if (auto problem = model::checks::name (what, out); ! problem.empty())
                codec.fail (problem);
            return out;
        }

        Bytes exactBytes (const flatbuffers::Vector<std::uint8_t>* v, std::size_t expected, bool mayBeEmpty, const char* what)
        {
            const std::size_t size = v != nullptr ? v->size() : 0;
            if (size != expected && ! (mayBeEmpty && size == 0))
            {
                codec.fail (what, " is ", size, " bytes long (it must be ", expected, mayBeEmpty ? " bytes, or absent)." : " bytes).");
                return {};
            }
            if (v == nullptr || ! codec.spendVector (v, 1))
                return {};
            return { v->begin(), v->end() };
        }

        std::vector<model::InstrumentId> ids (const flatbuffers::Vector<std::uint32_t>* v, const char* what)
        {
            std::vector<model::InstrumentId> out;
            if (v == nullptr || ! codec.spendVector (v, sizeof (std::uint32_t)))
                return out;
            out.reserve (v->size());
            for (const auto id : *v)
            {
                if (id == 0)
                    codec.fail (what, " has id 0, which names no instrument.");
                out.push_back (model::InstrumentId { id });
            }
            return out;
        }

        model::ParamAddress paramAddress (const fb::ParamAddress* a)
        {
            return a != nullptr ? codec.paramAddress (*a) : model::ParamAddress {};
        }

        model::Point point (const fb::Point* p)
        {
            return p != nullptr ? codec.point (*p) : model::Point {};
        }
    };

    /** Decoding needs 8-byte alignment (FlatBuffers reads scalars in place); a buffer that lacks it is
        copied once. */
    struct AlignedWireBuffer
    {
        AlignedWireBuffer (const std::uint8_t* data, std::size_t size)
        {
            if (reinterpret_cast<std::uintptr_t> (data) % alignof (std::uint64_t) == 0)
            {
                bytes = data;
                return;
            }
            storage.resize ((size + sizeof (std::uint64_t) - 1) / sizeof (std::uint64_t));
            std::memcpy (storage.data(), data, size);
            bytes = reinterpret_cast<const std::uint8_t*> (storage.data());
        }

        const std::uint8_t* bytes = nullptr;
        std::vector<std::uint64_t> storage;
    };

    /** The JSON view's parser, rooted at Message and writing the wire identifier. */
    std::unique_ptr<flatbuffers::Parser> makeMessageJsonParser (std::string& error)
    {
        auto parser = makeJsonParser (error);
        if (parser == nullptr)
            return {};
        if (! parser->SetRootType ("Message"))
        {
            error = "The embedded schema has no Message table; this build is broken.";
            return {};
        }
        parser->file_identifier_ = wireIdentifier;
        return parser;
    }

    MessageDecodeResult wireDecodeFailure (std::string sentence)
    {
        return { std::nullopt, std::move (sentence) };
    }

    MessageDecodeResult decodeWireMessage (const std::uint8_t* data, std::size_t size, const DecodeLimits& limits)
    {
        if (data == nullptr || size == 0)
            return wireDecodeFailure ("The message is empty.");
        if (size > limits.maxFrameBytes || size >= FLATBUFFERS_MAX_BUFFER_SIZE)
            return wireDecodeFailure ("The message is " + std::to_string (size) + " bytes long, more than the limit of " + std::to_string (limits.maxFrameBytes) + ".");
        if (size < 8)
            return wireDecodeFailure ("The message is truncated (" + std::to_string (size) + " bytes).");
        if (! flatbuffers::BufferHasIdentifier (data, wireIdentifier))
            return wireDecodeFailure ("This is not an Imbolc session message (wrong identifier).");

        const AlignedWireBuffer buffer (data, size);

        flatbuffers::Verifier::Options options;
        options.max_depth = limits.maxDepth;
        options.max_tables = limits.maxTables;
        options.check_alignment = true;
        flatbuffers::Verifier verifier (buffer.bytes, size, options);
        if (! verifier.VerifyBuffer<fb::Message> (wireIdentifier))
            return wireDecodeFailure ("The message is truncated or corrupt (it fails FlatBuffers verification).");

        const auto* root = flatbuffers::GetRoot<fb::Message> (buffer.bytes);
        WireDecoder decoder;
        decoder.codec.budget = size;
        auto message = decoder.unionMember<Message> (root->payload_type(), root->payload(), "The message");
        if (! decoder.codec.error.empty())
            return wireDecodeFailure (decoder.codec.error);
        return { std::move (message), {} };
    }
} // namespace

//==============================================================================
bool msg::Action::operator== (const Action& other) const
{
    return requestId == other.requestId && action == other.action;
}

const char* messageName (const Message& m) noexcept
{
    return fb::EnumNamePayload ((fb::Payload) (m.index() + 1));
}

Bytes encodeMessage (const Message& m)
{
    return encodeWireMessage (m, WireFraming::bare);
}

Bytes encodeFrame (const Message& m)
{
    return encodeWireMessage (m, WireFraming::lengthPrefixed);
}

Bytes encodeFullSyncFrame (Seq seq, const model::Session& session, const Ownership& ownership)
{
    flatbuffers::FlatBufferBuilder builder (64 * 1024);
    const auto body = WireEncoder (builder).fullSync (seq, session, ownership);
    return finishWireMessage (builder, fb::Payload::FullStateSync, body.Union(), WireFraming::lengthPrefixed);
}

MessageDecodeResult decodeMessage (const std::uint8_t* data, std::size_t size, const DecodeLimits& limits)
{
    try
    {
        return decodeWireMessage (data, size, limits);
    }
    catch (const std::bad_alloc&)
    {
        return wireDecodeFailure ("The message could not be decoded: out of memory.");
    }
    catch (const std::exception& e)
    {
        return wireDecodeFailure (std::string ("The message could not be decoded: ") + e.what() + ".");
    }
}

//==============================================================================
std::string messageToJson (const std::uint8_t* data, std::size_t size, std::string& error)
{
    error.clear();

    // Only messages that decode are printed: the text generator trusts what it reads.
    const auto decoded = decodeMessage (data, size);
    if (! decoded.ok())
    {
        error = decoded.error;
        return {};
    }

    // One parser per thread, kept: parsing the schema costs far more than printing a message (a seat
    // printing every frame), and GenerateText only reads the parser.
    thread_local std::unique_ptr<flatbuffers::Parser> parser;
    if (parser == nullptr)
        parser = makeMessageJsonParser (error);
    if (parser == nullptr)
        return {};

    const AlignedWireBuffer buffer (data, size);
    std::string json;
    if (! flatbuffers::GenerateText (*parser, buffer.bytes, &json))
    {
        error = "The message cannot be shown as JSON: a text in it is not valid UTF-8.";
        return {};
    }
    return json;
}

Bytes messageFromJson (const std::string& json, std::string& error)
{
    error.clear();

    auto parser = makeMessageJsonParser (error);
    if (parser == nullptr)
        return {};

    // ParseJson, not Parse: the text may hold only JSON, never schema statements (include, root_type).
    if (! parser->ParseJson (json.c_str()))
    {
        error = "The JSON is not a valid Imbolc session message: " + describeJsonError (parser->error_);
        return {};
    }

    const auto decoded = decodeMessage (parser->builder_.GetBufferPointer(), parser->builder_.GetSize());
    if (! decoded.ok())
    {
        error = decoded.error;
        return {};
    }

    // Encoded afresh, so the bytes are exactly what encodeMessage gives for this message.
    return encodeMessage (*decoded.message);
}

} // namespace imbolc::protocol
