namespace imbolc::protocol
{

namespace
{
    static_assert ((int) fb::NoteOpKind::MAX == (int) model::NoteOp::Kind::update);
    static_assert ((int) fb::PointOpKind::MAX == (int) model::PointOp::Kind::remove);

    /** Who owns what, as the schema's Ownership table (patches and full syncs). */
    flatbuffers::Offset<fb::Ownership> encodeOwnership (flatbuffers::FlatBufferBuilder& builder, const Ownership& o)
    {
        std::vector<fb::Owner> owners;
        owners.reserve (o.owners.size());
        for (const auto& owner : o.owners)
            owners.emplace_back (owner.instrument.value, owner.client);
        const auto ownersOffset = builder.CreateVectorOfStructs (owners);
        return fb::CreateOwnership (builder, ownersOffset, o.privilegedClient);
    }

    /** Reads an Ownership table, refusing a 0 id and a list that is not sorted by instrument. */
    Ownership decodeOwnership (CodecDecoder& codec, const fb::Ownership& in)
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
        void macros (const model::Macros& m) { macrosOffset = codec.macros (m); }

        flatbuffers::Offset<fb::StatePatch> finish (Seq seq, std::uint32_t nextId)
        {
            return fb::CreateStatePatch (codec.builder, seq, nextId, noteOpsOffset, pointOpsOffset, settingsOffset, transportOffset, instrumentsOffset, instrumentUpdatesOffset, pianoRollOffset, trackUpdatesOffset, automationOffset, laneUpdatesOffset, arrangementOffset, mixerOffset, busUpdatesOffset, masterOffset, ownershipOffset, macrosOffset);
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
            if (p.macros)
                macros (*p.macros);
            return finish (p.seq, p.nextId);
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
        flatbuffers::Offset<flatbuffers::Vector<const fb::Macro*>> macrosOffset;
    };

    //==============================================================================
    /** Reads every part of a verified StatePatch table, with the decoder (and budget) of its message.
        A patch's values are checked against the mirror they change, by applyPatch, not here. */
    void decodePatch (CodecDecoder& codec, const fb::StatePatch& in, StatePatch& out)
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
            out.ownership = decodeOwnership (codec, *o);
        if (const auto* list = in.macros())
            out.macros = codec.macros (list);
    }
} // namespace

} // namespace imbolc::protocol
