namespace imbolc::protocol
{

namespace
{
    //==============================================================================
    // makePatch and encodePatchFrame share one plan, so the value and the frame always carry the same parts.

    /** A subsystem travels whole on a structural change, when more than half of its items changed, or
        when a changed item is no longer there (only a structural change removes items, so the dirty set
        and the session disagree: whole is the one safe answer).
    */
    template <typename Map, typename IdSet>
    bool patchSendsWhole (bool structural, const IdSet& changed, const Map& items)
    {
        if (structural || changed.size() * 2 > items.size())
            return true;
        return std::any_of (changed.begin(), changed.end(), [&items] (auto id)
                            { return ! items.contains (id); });
    }

    bool noteOpFitsTheWire (const model::Note& n) noexcept
    {
        constexpr auto limit = (model::Tick) std::numeric_limits<std::uint32_t>::max();
        return n.tick >= 0 && n.tick <= limit && n.duration >= 0 && n.duration <= limit;
    }

    /** Which parts a patch carries, pointing into the session (no copies). */
    struct PatchPlan
    {
        bool instrumentsWhole = false, pianoRollWhole = false, automationWhole = false, mixerWhole = false;
        std::vector<const model::Instrument*> instruments;
        std::vector<const model::Track*> tracks;
        std::vector<const model::NoteOp*> noteOps;
        std::vector<const model::Lane*> lanes;
        std::vector<const model::PointOp*> pointOps;
        std::vector<const model::Bus*> buses;
        bool master = false;

        PatchPlan (const model::Session& s, const model::NetDirty& d)
        {
            instrumentsWhole = patchSendsWhole (d.instrumentsStructural, d.instruments, s.instruments);
            pianoRollWhole = patchSendsWhole (d.pianoRollStructural, d.tracks, s.pianoRoll);
            automationWhole = patchSendsWhole (d.automationStructural, d.lanes, s.automation);
            mixerWhole = patchSendsWhole (d.mixerStructural, d.buses, s.mixer.buses);

            // An op on an item the session no longer has cannot be replayed: send that subsystem whole.
            pianoRollWhole = pianoRollWhole || std::any_of (d.noteOps.begin(), d.noteOps.end(), [&s] (const model::NoteOp& op)
                                                            { return ! s.pianoRoll.contains (op.instrument); });
            automationWhole = automationWhole || std::any_of (d.pointOps.begin(), d.pointOps.end(), [&s] (const model::PointOp& op)
                                                              { return ! s.automation.contains (op.lane); });

            if (! instrumentsWhole)
                for (auto id : d.instruments)
                    instruments.push_back (s.instruments.find (id));

            if (! pianoRollWhole)
            {
                // A note op carries 32-bit ticks: a track with an op beyond them travels whole instead.
                auto wholeTracks = d.tracks;
                for (const auto& op : d.noteOps)
                    if (! noteOpFitsTheWire (op.note))
                        wholeTracks.insert (op.instrument);

                for (auto id : wholeTracks)
                    tracks.push_back (s.pianoRoll.find (id));
                // An op on a track sent whole is already in that track.
                for (const auto& op : d.noteOps)
                    if (wholeTracks.count (op.instrument) == 0)
                        noteOps.push_back (&op);
            }

            if (! automationWhole)
            {
                for (auto id : d.lanes)
                    lanes.push_back (s.automation.find (id));
                for (const auto& op : d.pointOps)
                    if (d.lanes.count (op.lane) == 0)
                        pointOps.push_back (&op);
            }

            if (! mixerWhole)
            {
                for (auto id : d.buses)
                    buses.push_back (s.mixer.buses.find (id));
                master = d.master;
            }
        }
    };

    template <typename T>
    std::vector<T> copiesOf (const std::vector<const T*>& items)
    {
        std::vector<T> result;
        result.reserve (items.size());
        for (const auto* item : items)
            result.push_back (*item);
        return result;
    }

    //==============================================================================
    // applyPatch: every part is applied to staged copies of what it touches; the mirror changes only
    // once everything is checked, by moving the staged copies in.

    model::InstrumentId patchKeyOf (const model::Instrument& i) { return i.id; }
    model::InstrumentId patchKeyOf (const model::Track& t) { return t.instrument; }
    model::LaneId patchKeyOf (const model::Lane& l) { return l.id; }
    model::BusId patchKeyOf (const model::Bus& b) { return b.id; }

    /** One IdMap subsystem as the patch leaves it: either a whole replacement, or copies of the items
        the patch edits (the rest stay shared with the mirror, uncopied).
    */
    template <typename Map, typename Id>
    class StagedMap
    {
    public:
        using Item = typename Map::value_type;

        explicit StagedMap (const Map& mirrorItems)
            : current (mirrorItems) {}

        void replaceAll (const Map& items) { whole = items; }
        bool isWhole() const noexcept { return whole.has_value(); }
        bool touched() const noexcept { return whole.has_value() || ! edits.empty(); }

        /** The item as the patch leaves it, or nullptr if there is none. */
        const Item* find (Id id) const
        {
            if (whole)
                return whole->find (id);
            if (auto it = edits.find (id); it != edits.end())
                return &it->second;
            return current.find (id);
        }

        /** A modifiable staged copy of an existing item, or nullptr if there is none. */
        Item* edit (Id id)
        {
            if (whole)
                return whole->find (id);
            if (auto it = edits.find (id); it != edits.end())
                return &it->second;
            const auto* existing = current.find (id);
            return existing == nullptr ? nullptr : &edits.emplace (id, *existing).first->second;
        }

        /** Replaces an existing item; false if there is none with its id. */
        bool replace (const Item& item)
        {
            const auto id = patchKeyOf (item);
            if (whole)
                return whole->replace (item);
            if (! current.contains (id))
                return false;
            edits.insert_or_assign (id, item);
            return true;
        }

        template <typename Fn>
        void forEachEdit (Fn&& fn) const
        {
            for (const auto& [id, item] : edits)
                fn (item);
        }

        /** Moves the staged state into a map holding what the mirror holds. Cannot fail. */
        void commitTo (Map& target)
        {
            if (whole)
                target = std::move (*whole);
            for (auto& [id, item] : edits)
                target.replace (std::move (item));
        }

    private:
        const Map& current;
        std::optional<Map> whole;
        std::map<Id, Item> edits;
    };

    template <typename... Parts>
    std::string patchSentence (Parts&&... parts)
    {
        std::ostringstream s;
        (s << ... << parts);
        return s.str();
    }

    /** Stages a patch against a mirror and checks it. */
    class PatchStager
    {
    public:
        PatchStager (const model::Session& m, const StatePatch& p)
            : mirror (m), patch (p), instruments (m.instruments), pianoRoll (m.pianoRoll), automation (m.automation), buses (m.mixer.buses)
        {
        }

        /** Stages every part in the patch's order; the first problem as one sentence. */
        std::string stage()
        {
            if (patch.nextId < mirror.nextId)
                return patchSentence ("The patch moves the id counter back from ", mirror.nextId, " to ", patch.nextId, ".");

            if (patch.instruments)
                instruments.replaceAll (*patch.instruments);
            for (const auto& inst : patch.instrumentUpdates)
                if (! instruments.replace (inst))
                    return patchSentence ("The patch updates instrument ", inst.id.value, ", which does not exist.");

            if (patch.pianoRoll)
                pianoRoll.replaceAll (*patch.pianoRoll);
            for (const auto& track : patch.trackUpdates)
            {
                if (auto e = checkTrack (track); ! e.empty())
                    return e;
                if (! pianoRoll.replace (track))
                    return patchSentence ("The patch updates the track of instrument ", track.instrument.value, ", which does not exist.");
            }
            for (const auto& op : patch.noteOps)
                if (auto e = applyNoteOp (op); ! e.empty())
                    return e;

            if (patch.automation)
                automation.replaceAll (*patch.automation);
            for (const auto& lane : patch.laneUpdates)
            {
                if (auto e = checkLane (lane); ! e.empty())
                    return e;
                if (! automation.replace (lane))
                    return patchSentence ("The patch updates automation lane ", lane.id.value, ", which does not exist.");
            }
            for (const auto& op : patch.pointOps)
                if (auto e = applyPointOp (op); ! e.empty())
                    return e;

            if (patch.mixer)
                buses.replaceAll (patch.mixer->buses);
            for (const auto& bus : patch.busUpdates)
                if (! buses.replace (bus))
                    return patchSentence ("The patch updates bus ", bus.id.value, ", which does not exist.");

            if (patch.macros)
                if (auto e = checkMacros (*patch.macros); ! e.empty())
                    return e;
            if (patch.settings)
                if (auto e = checkMidiMappings (patch.settings->midiMappings); ! e.empty())
                    return e;

            return structural() || ! bringsInOnlyFreshIds() ? checkWholeSession() : checkEditedItems();
        }

        /** Moves everything staged into the mirror. Only after stage() succeeded; cannot fail. */
        void commit (model::Session& target)
        {
            if (candidate)
            {
                target = std::move (*candidate);
                return;
            }
            if (patch.settings)
                target.settings = *patch.settings;
            if (patch.transport)
                target.transport = *patch.transport;
            instruments.commitTo (target.instruments);
            pianoRoll.commitTo (target.pianoRoll);
            automation.commitTo (target.automation);
            buses.commitTo (target.mixer.buses);
            if (patch.master)
                target.mixer.master = *patch.master;
            if (patch.macros)
                target.macros = *patch.macros;
            target.nextId = patch.nextId;
        }

    private:
        /** Whole subsystems can add and remove items, so everything that refers to them must be checked:
            model::validate on the session as the patch leaves it. */
        bool structural() const noexcept
        {
            return patch.instruments || patch.pianoRoll || patch.automation || patch.arrangement || patch.mixer;
        }

        std::string checkWholeSession()
        {
            candidate.emplace (mirror);
            auto& c = *candidate;
            if (patch.settings)
                c.settings = *patch.settings;
            if (patch.transport)
                c.transport = *patch.transport;
            instruments.commitTo (c.instruments);
            pianoRoll.commitTo (c.pianoRoll);
            automation.commitTo (c.automation);
            if (patch.arrangement)
                c.arrangement = *patch.arrangement;
            if (patch.mixer)
                c.mixer.master = patch.mixer->master;
            buses.commitTo (c.mixer.buses);
            if (patch.master)
                c.mixer.master = *patch.master;
            if (patch.macros)
                c.macros = *patch.macros;
            c.nextId = patch.nextId;

            auto problem = model::validate (c);
            if (! problem.empty())
                candidate.reset();
            return problem;
        }

        /** Ids an edited item did not have before (a new stage, an added note) could be in use anywhere
            in the session, which an item checked on its own cannot see. Ids from the mirror's id counter
            on were never handed out before it, so they are safe if they are unique among themselves; an
            older one (undo brings a deleted note or stage back) or a repeated one sends the patch to the
            whole-session check, which validate decides.
        */
        bool bringsInOnlyFreshIds() const
        {
            std::unordered_set<std::uint32_t> fresh;
            bool onlyFresh = true;
            auto bringIn = [&] (std::uint32_t id)
            { onlyFresh = onlyFresh && id >= mirror.nextId && fresh.insert (id).second; };
            auto stagesBroughtIn = [&] (const std::vector<model::Stage>& before, const std::vector<model::Stage>& after)
            {
                for (const auto& stage : after)
                    if (std::none_of (before.begin(), before.end(), [&stage] (const model::Stage& b)
                                      { return b.id == stage.id; }))
                        bringIn (stage.id.value);
            };

            instruments.forEachEdit ([&] (const model::Instrument& inst)
                                     { stagesBroughtIn (mirror.instruments.find (inst.id)->chain, inst.chain); });
            buses.forEachEdit ([&] (const model::Bus& bus)
                               { stagesBroughtIn (mirror.mixer.buses.find (bus.id)->chain, bus.chain); });
            if (patch.master)
                stagesBroughtIn (mirror.mixer.master.chain, patch.master->chain);
            pianoRoll.forEachEdit ([&] (const model::Track& track)
                                   {
                const auto& before = mirror.pianoRoll.find (track.instrument)->notes;
                std::unordered_set<std::uint32_t> had;
                had.reserve (before.size());
                for (const auto& n : before)
                    had.insert (n.id.value);
                for (const auto& n : track.notes)
                    if (had.count (n.id.value) == 0)
                        bringIn (n.id.value); });
            return onlyFresh;
        }

        /** Item edits that bring in only fresh ids (see above) keep every id unique and references
            between subsystems resolving: each edited item is checked on its own. Settings, transport,
            instruments and the mixer are checked by model::validate on a small session holding just them
            (and every bus, which instruments refer to), so the rules are exactly the loader's. Note ids
            are checked within their track only.
        */
        std::string checkEditedItems()
        {
            if (! (patch.settings || patch.transport || ! patch.instrumentUpdates.empty() || ! patch.busUpdates.empty() || patch.master))
                return {};

            model::Session small;
            small.settings = patch.settings ? *patch.settings : mirror.settings;
            // Mappings name instruments and buses this small session may not hold: checkMidiMappings
            // judged their nodes against the patched state; validate judges the rest, nodes aside.
            small.settings.midiMappings.clear();
            small.transport = patch.transport ? *patch.transport : mirror.transport;
            small.nextId = patch.nextId;
            if (! patch.instrumentUpdates.empty() || ! patch.busUpdates.empty() || patch.master)
            {
                small.mixer.master = patch.master ? *patch.master : mirror.mixer.master;
                for (const auto& bus : mirror.mixer.buses)
                    small.mixer.buses.add (*buses.find (bus.id));
                instruments.forEachEdit ([&small] (const model::Instrument& inst)
                                         {
                    small.instruments.add (inst);
                    small.pianoRoll.add (model::Track { inst.id, {} }); });
            }
            return model::validate (small);
        }

        std::string checkNoteId (const std::string& owner, model::NoteId id) const
        {
            if (id.value == 0 || id.value >= patch.nextId)
                return patchSentence (owner, " has note id ", id.value, ", outside the ids handed out (1 to ", patch.nextId - 1, ").");
            return {};
        }

        std::string checkTrack (const model::Track& track) const
        {
            const auto owner = "The track of instrument " + std::to_string (track.instrument.value);
            if (! track.isSorted())
                return owner + " has notes out of order.";
            std::unordered_set<std::uint32_t> ids;
            ids.reserve (track.notes.size());
            for (const auto& n : track.notes)
            {
                if (auto e = model::checks::note (owner, n); ! e.empty())
                    return e;
                if (auto e = checkNoteId (owner, n.id); ! e.empty())
                    return e;
                if (! ids.insert (n.id.value).second)
                    return patchSentence (owner, " has note id ", n.id.value, " twice.");
            }
            return {};
        }

        std::string applyNoteOp (const model::NoteOp& op)
        {
            auto* track = pianoRoll.edit (op.instrument);
            if (track == nullptr)
                return patchSentence ("The patch edits a note of instrument ", op.instrument.value, ", which has no track.");

            const auto owner = "The track of instrument " + std::to_string (op.instrument.value);
            const auto& n = op.note;
            switch (op.kind)
            {
                case model::NoteOp::Kind::add:
                    if (auto e = model::checks::note (owner, n); ! e.empty())
                        return e;
                    if (auto e = checkNoteId (owner, n.id); ! e.empty())
                        return e;
                    if (track->find (n.id) != nullptr)
                        return patchSentence ("The patch adds note ", n.id.value, " to the track of instrument ", op.instrument.value, ", which already has it.");
                    track->insert (n);
                    return {};
                case model::NoteOp::Kind::remove:
                    if (! track->remove (n.id))
                        return patchSentence ("The patch removes note ", n.id.value, " from the track of instrument ", op.instrument.value, ", which does not have it.");
                    return {};
                case model::NoteOp::Kind::update:
                    if (auto e = model::checks::note (owner, n); ! e.empty())
                        return e;
                    // Its tick or pitch may have changed: take it out and put it back in order.
                    if (! track->remove (n.id))
                        return patchSentence ("The patch updates note ", n.id.value, " in the track of instrument ", op.instrument.value, ", which does not have it.");
                    track->insert (n);
                    return {};
            }
            return patchSentence ("The patch has a note operation of unknown kind ", (int) op.kind, ".");
        }

        /** Whether the node a lane automates exists once the patch is applied. */
        bool targetExists (const model::AutomationTarget& t) const
        {
            if (t.kind != model::AutomationTargetKind::parameter)
                return true;
            switch (t.param.node)
            {
                case model::NodeKind::instrument:
                    return instruments.find (model::InstrumentId { t.param.nodeId }) != nullptr;
                case model::NodeKind::bus:
                    return buses.find (model::BusId { t.param.nodeId }) != nullptr;
                case model::NodeKind::master:
                    return t.param.nodeId == 0;
            }
            return false;
        }

        /** The macros as model::validate judges them, against the instruments and buses as the patch
            leaves them (a whole-session check repeats this through validate). */
        std::string checkMacros (const model::Macros& macros) const
        {
            for (int k = 0; k < model::numMacros; ++k)
            {
                const auto& m = macros[(std::size_t) k];
                if (! std::isfinite (m.from) || ! std::isfinite (m.to))
                    return patchSentence ("Macro ", k + 1, " has a span that is not a finite number.");
                if (m.assigned && ! targetExists ({ model::AutomationTargetKind::parameter, m.param }))
                    return patchSentence ("Macro ", k + 1, " drives a node that does not exist.");
            }
            return {};
        }

        /** The MIDI mappings' nodes, against the instruments and buses as the patch leaves them (the
            rest of each mapping is model::validate's, on the small or the whole session). */
        std::string checkMidiMappings (const std::vector<model::MidiMapping>& mappings) const
        {
            if (mappings.size() > (std::size_t) model::maxMidiMappings)
                return patchSentence ("The patch has ", mappings.size(), " MIDI mappings (at most ", model::maxMidiMappings, ").");
            for (std::size_t i = 0; i < mappings.size(); ++i)
            {
                const auto& m = mappings[i];
                if ((int) m.param.node > (int) model::NodeKind::master || ! targetExists ({ model::AutomationTargetKind::parameter, m.param }))
                    return patchSentence ("MIDI mapping ", i + 1, " drives a node that does not exist.");
                if ((int) m.source > (int) model::MidiSource::pitchBend || (int) m.curve >= model::numMidiCurves || m.channel < 0
                    || m.channel > model::Instrument::maxMidiChannel || m.controller < 0 || m.controller > 127 || ! std::isfinite (m.min)
                    || ! std::isfinite (m.max))
                    return patchSentence ("MIDI mapping ", i + 1, " has a source, curve, channel, controller or range out of bounds.");
                for (std::size_t j = 0; j < i; ++j)
                    if (mappings[j].param == m.param)
                        return patchSentence ("MIDI mapping ", i + 1, " drives the same parameter as MIDI mapping ", j + 1, ".");
            }
            return {};
        }

        std::string checkLane (const model::Lane& lane) const
        {
            const auto owner = "Automation lane " + std::to_string (lane.id.value);
            if ((int) lane.target.kind > (int) model::AutomationTargetKind::swing)
                return owner + " has a target of unknown kind.";
            if (! targetExists (lane.target))
                return owner + " automates a node that does not exist.";
            return model::checks::points (owner, lane.points);
        }

        std::string applyPointOp (const model::PointOp& op)
        {
            auto* lane = automation.edit (op.lane);
            if (lane == nullptr)
                return patchSentence ("The patch edits a point of automation lane ", op.lane.value, ", which does not exist.");

            switch (op.kind)
            {
                case model::PointOp::Kind::set:
                    if (auto e = model::checks::point ("Automation lane " + std::to_string (op.lane.value), op.point); ! e.empty())
                        return e;
                    if (lane->points.points.size() >= model::checks::maxPointsPerLane && lane->points.find (op.point.tick) == nullptr)
                        return patchSentence ("Automation lane ", op.lane.value, " would have more than ", model::checks::maxPointsPerLane, " points.");
                    lane->points.set (op.point);
                    return {};
                case model::PointOp::Kind::remove:
                    if (! lane->points.remove (op.point.tick))
                        return patchSentence ("The patch removes the point at tick ", op.point.tick, " of automation lane ", op.lane.value, ", which has none there.");
                    return {};
            }
            return patchSentence ("The patch has a point operation of unknown kind ", (int) op.kind, ".");
        }

        const model::Session& mirror;
        const StatePatch& patch;
        StagedMap<model::Instruments, model::InstrumentId> instruments;
        StagedMap<model::PianoRoll, model::InstrumentId> pianoRoll;
        StagedMap<model::Automation, model::LaneId> automation;
        StagedMap<decltype (model::Mixer::buses), model::BusId> buses;
        std::optional<model::Session> candidate; ///< the whole session as the patch leaves it (structural patches)
    };

    //==============================================================================
} // namespace

//==============================================================================
StatePatch makePatch (const model::Session& session, const model::NetDirty& dirty, Seq seq, const Ownership* ownership)
{
    const PatchPlan plan (session, dirty);

    StatePatch patch;
    patch.seq = seq;
    patch.nextId = session.nextId;
    if (dirty.settings)
        patch.settings = session.settings;
    if (dirty.transport)
        patch.transport = session.transport;
    if (plan.instrumentsWhole)
        patch.instruments = session.instruments;
    patch.instrumentUpdates = copiesOf (plan.instruments);
    if (plan.pianoRollWhole)
        patch.pianoRoll = session.pianoRoll;
    patch.trackUpdates = copiesOf (plan.tracks);
    patch.noteOps = copiesOf (plan.noteOps);
    if (plan.automationWhole)
        patch.automation = session.automation;
    patch.laneUpdates = copiesOf (plan.lanes);
    patch.pointOps = copiesOf (plan.pointOps);
    if (dirty.arrangement)
        patch.arrangement = session.arrangement;
    if (plan.mixerWhole)
        patch.mixer = session.mixer;
    patch.busUpdates = copiesOf (plan.buses);
    if (plan.master)
        patch.master = session.mixer.master;
    if (ownership != nullptr)
        patch.ownership = *ownership;
    if (dirty.macros)
        patch.macros = session.macros;
    return patch;
}

Bytes encodePatchFrame (const model::Session& session, const model::NetDirty& dirty, Seq seq, const Ownership* ownership)
{
    const PatchPlan plan (session, dirty);

    // The parts in PatchEncoder::write's order, straight from the session: the same bytes as
    // encodeFrame (makePatch (...)) without copying the items into a StatePatch first.
    flatbuffers::FlatBufferBuilder builder (1024);
    PatchEncoder encoder (builder);
    if (dirty.settings)
        encoder.settings (session.settings);
    if (dirty.transport)
        encoder.transport (session.transport);
    if (plan.instrumentsWhole)
        encoder.instruments (session.instruments);
    encoder.instrumentUpdates (plan.instruments);
    if (plan.pianoRollWhole)
        encoder.pianoRoll (session.pianoRoll);
    encoder.trackUpdates (plan.tracks);
    encoder.noteOps (plan.noteOps);
    if (plan.automationWhole)
        encoder.automation (session.automation);
    encoder.laneUpdates (plan.lanes);
    encoder.pointOps (plan.pointOps);
    if (dirty.arrangement)
        encoder.arrangement (session.arrangement);
    if (plan.mixerWhole)
        encoder.mixer (session.mixer);
    encoder.busUpdates (plan.buses);
    if (plan.master)
        encoder.master (session.mixer.master);
    if (ownership != nullptr)
        encoder.ownership (*ownership);
    if (dirty.macros)
        encoder.macros (session.macros);
    const auto patch = encoder.finish (seq, session.nextId);
    return finishWireMessage (builder, fb::Payload::StatePatch, patch.Union(), WireFraming::lengthPrefixed);
}

std::string applyPatch (model::Session& mirror, const StatePatch& patch)
{
    PatchStager stager (mirror, patch);
    if (auto problem = stager.stage(); ! problem.empty())
        return problem;
    stager.commit (mirror);
    return {};
}

std::uint64_t sessionHash (const model::Session& session)
{
    // FNV-1a 64 of the project encoding. That encoding is a pure function of the session and, unlike
    // loading, keeps the whole transport (playing and recording included), which mirrors must match.
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (auto byte : encodeProject (session))
    {
        hash ^= byte;
        hash *= 0x100000001b3ull;
    }
    return hash;
}

} // namespace imbolc::protocol
