namespace imbolc::protocol
{

namespace
{
    // The schema stores model enums by value: these catch a schema and a model that drift apart.
    static_assert ((int) fb::NodeKind::MAX == (int) model::NodeKind::master);
    static_assert ((int) fb::ParamGroup::MAX == (int) model::ParamGroup::send);
    static_assert ((int) fb::Backend::MAX == (int) model::Backend::superCollider);
    static_assert ((int) fb::SourceKind::MAX == (int) model::SourceKind::audioClips);
    static_assert ((int) fb::BuiltInSource::MAX + 1 == model::numBuiltInSources);
    static_assert ((int) fb::PluginFormat::MAX == (int) model::PluginFormat::lv2);
    static_assert ((int) fb::StageKind::MAX == (int) model::StageKind::effect);
    static_assert ((int) fb::FilterType::MAX + 1 == model::numFilterTypes);
    static_assert ((int) fb::EffectType::MAX == (int) model::EffectType::plugin);
    static_assert ((int) fb::LfoShape::MAX == (int) model::LfoShape::triangle);
    static_assert ((int) fb::ArpMode::MAX == (int) model::ArpMode::random);
    static_assert ((int) fb::CurveType::MAX == (int) model::CurveType::sCurve);
    static_assert ((int) fb::AutomationTargetKind::MAX == (int) model::AutomationTargetKind::swing);
    static_assert ((int) fb::PlayMode::MAX == (int) model::PlayMode::song);
    static_assert ((int) fb::Scale::MAX + 1 == model::numScales);

    constexpr std::array<std::uint32_t, 256> makeCrcTable() noexcept
    {
        std::array<std::uint32_t, 256> table {};
        for (std::uint32_t i = 0; i < 256; ++i)
        {
            auto c = i;
            for (int bit = 0; bit < 8; ++bit)
                c = (c & 1u) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    constexpr auto crcTable = makeCrcTable();

    template <typename FbEnum, typename ModelEnum>
    FbEnum toFb (ModelEnum e) noexcept
    {
        return static_cast<FbEnum> (static_cast<std::underlying_type_t<ModelEnum>> (e));
    }

    //==============================================================================
    /** Writes a session into a builder, field by field in model order, so the bytes depend only on the
        session.
    */
    class CodecEncoder
    {
    public:
        explicit CodecEncoder (flatbuffers::FlatBufferBuilder& b)
            : builder (b) {}

        flatbuffers::Offset<fb::Session> session (const model::Session& s)
        {
            const auto settingsOffset = settings (s.settings);

            const auto instrumentsOffset = tables (s.instruments, &CodecEncoder::instrument);
            const auto tracksOffset = tables (s.pianoRoll, &CodecEncoder::track);
            const auto arrangementOffset = arrangement (s.arrangement);
            const auto lanesOffset = tables (s.automation, &CodecEncoder::lane);
            const auto mixerOffset = mixer (s.mixer);
            const auto transportOffset = transport (s.transport);
            // Left out while every slot is the default, so a session without macros encodes as before.
            const auto macrosOffset = std::all_of (s.macros.begin(), s.macros.end(), [] (const model::Macro& m)
                                                   { return m == model::Macro {}; })
                                          ? flatbuffers::Offset<flatbuffers::Vector<const fb::Macro*>> {}
                                          : macros (s.macros);

            return fb::CreateSession (builder, settingsOffset, instrumentsOffset, tracksOffset, arrangementOffset, lanesOffset, mixerOffset, transportOffset, s.nextId, macrosOffset);
        }

        /** Every macro slot, in order (sessions and patches). */
        flatbuffers::Offset<flatbuffers::Vector<const fb::Macro*>> macros (const model::Macros& all)
        {
            std::vector<fb::Macro> out;
            out.reserve (all.size());
            for (const auto& m : all)
                out.emplace_back (paramAddress (m.param), m.from, m.to, m.assigned);
            return builder.CreateVectorOfStructs (out);
        }

        // The parts below are public so the wire codec (same translation unit) encodes patches and
        // actions exactly as the project file does.
        static fb::ParamAddress paramAddress (const model::ParamAddress& a)
        {
            return { toFb<fb::NodeKind> (a.node), toFb<fb::ParamGroup> (a.group), a.index, a.nodeId, a.itemId };
        }

        static fb::AutomationTarget automationTarget (const model::AutomationTarget& t)
        {
            return { toFb<fb::AutomationTargetKind> (t.kind), paramAddress (t.param) };
        }

        flatbuffers::Offset<flatbuffers::String> string (const std::string& s)
        {
            return builder.CreateString (s.data(), s.size());
        }

        flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Parameter>>> parameters (const std::vector<model::Parameter>& params)
        {
            std::vector<flatbuffers::Offset<fb::Parameter>> offsets;
            offsets.reserve (params.size());
            for (const auto& p : params)
            {
                const auto name = string (p.name);
                offsets.push_back (fb::CreateParameter (builder, name, p.value, p.minValue, p.maxValue, p.defaultValue));
            }
            return builder.CreateVector (offsets);
        }

        flatbuffers::Offset<fb::PluginRef> plugin (const model::PluginRef& p)
        {
            const auto identifier = string (p.identifier);
            const auto name = string (p.name);
            const auto state = builder.CreateVector (p.state);
            return fb::CreatePluginRef (builder, toFb<fb::PluginFormat> (p.format), identifier, name, state);
        }

        flatbuffers::Offset<fb::Stage> stage (const model::Stage& st)
        {
            const auto pluginOffset = plugin (st.plugin);
            const auto params = parameters (st.params);
            return fb::CreateStage (builder, st.id.value, toFb<fb::StageKind> (st.kind), toFb<fb::FilterType> (st.filter), toFb<fb::EffectType> (st.effect), pluginOffset, st.bypassed, params);
        }

        flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Stage>>> chain (const std::vector<model::Stage>& stages)
        {
            std::vector<flatbuffers::Offset<fb::Stage>> offsets;
            offsets.reserve (stages.size());
            for (const auto& st : stages)
                offsets.push_back (stage (st));
            return builder.CreateVector (offsets);
        }

        static fb::Note note (const model::Note& n)
        {
            return { n.id.value, n.pitch, n.velocity, n.probability, n.tick, n.duration };
        }

        // The shape was added in the struct's former padding; the layout must not have moved.
        static_assert (sizeof (fb::Point) == 16);

        static fb::Point point (const model::Point& p)
        {
            return { p.tick, p.value, toFb<fb::CurveType> (p.curve), p.shape };
        }

        flatbuffers::Offset<flatbuffers::Vector<const fb::Note*>> notes (const std::vector<model::Note>& list)
        {
            std::vector<fb::Note> structs;
            structs.reserve (list.size());
            for (const auto& n : list)
                structs.push_back (note (n));
            return builder.CreateVectorOfStructs (structs);
        }

        flatbuffers::Offset<flatbuffers::Vector<const fb::Point*>> points (const model::PointList& list)
        {
            std::vector<fb::Point> structs;
            structs.reserve (list.points.size());
            for (const auto& p : list.points)
                structs.push_back (point (p));
            return builder.CreateVectorOfStructs (structs);
        }

        flatbuffers::Offset<fb::Settings> settings (const model::SessionSettings& s)
        {
            const auto name = string (s.name);
            const fb::LoopRegion loop { s.loop.enabled, s.loop.start, s.loop.end };
            // Left out while empty, so a session without mappings encodes as before.
            flatbuffers::Offset<flatbuffers::Vector<const fb::MidiMapping*>> mappings;
            if (! s.midiMappings.empty())
            {
                std::vector<fb::MidiMapping> out;
                out.reserve (s.midiMappings.size());
                for (const auto& m : s.midiMappings)
                    out.push_back (midiMapping (m));
                mappings = builder.CreateVectorOfStructs (out);
            }
            return fb::CreateSettings (builder, name, s.bpm, s.timeSigNumerator, s.timeSigDenominator, s.key, toFb<fb::Scale> (s.scale), s.ticksPerBeat, s.swing, &loop,
                                       (std::uint8_t) s.recordMode, s.countInBars, mappings, (std::uint8_t) s.pluginIsolation);
        }

        static fb::MidiMapping midiMapping (const model::MidiMapping& m)
        {
            return { paramAddress (m.param), m.min, m.max, m.channel, m.controller, (std::uint8_t) m.source, (std::uint8_t) m.curve };
        }

        /** A vector of tables, one per item of any range (items, or pointers to items), each written by
            `part` (one of the members below). */
        template <typename Range, typename Item, typename Table>
        flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<Table>>> tables (const Range& items, flatbuffers::Offset<Table> (CodecEncoder::*part) (const Item&))
        {
            std::vector<flatbuffers::Offset<Table>> offsets;
            offsets.reserve ((std::size_t) std::distance (std::begin (items), std::end (items)));
            for (const auto& item : items)
            {
                if constexpr (std::is_pointer_v<std::decay_t<decltype (item)>>)
                    offsets.push_back ((this->*part) (*item));
                else
                    offsets.push_back ((this->*part) (item));
            }
            return builder.CreateVector (offsets);
        }

        flatbuffers::Offset<fb::Source> source (const model::Source& src)
        {
            const auto sourcePlugin = plugin (src.plugin);
            const auto synthDef = string (src.synthDef);
            const auto samplePath = string (src.samplePath);
            const auto sourceParams = parameters (src.params);
            flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::AudioClip>>> clips;
            if (! src.clips.empty())
            {
                std::vector<flatbuffers::Offset<fb::AudioClip>> list;
                list.reserve (src.clips.size());
                for (const auto& c : src.clips)
                    list.push_back (fb::CreateAudioClip (builder, string (c.path), c.start, c.offset, c.length, c.gain));
                clips = builder.CreateVector (list);
            }
            return fb::CreateSource (builder, toFb<fb::SourceKind> (src.kind), toFb<fb::BuiltInSource> (src.builtIn), sourcePlugin, synthDef, samplePath, src.inputChannel, sourceParams, src.monitoring, clips);
        }

        flatbuffers::Offset<fb::Groove> groove (const model::Groove& g)
        {
            return fb::CreateGroove (builder, g.humanizeVelocity, g.humanizeTiming, g.arpEnabled, toFb<fb::ArpMode> (g.arpMode), g.arpRate, g.arpOctaves);
        }

        flatbuffers::Offset<fb::Track> track (const model::Track& t)
        {
            const auto notesOffset = notes (t.notes);
            return fb::CreateTrack (builder, t.instrument.value, notesOffset);
        }

        flatbuffers::Offset<fb::Lane> lane (const model::Lane& l)
        {
            const auto pointsOffset = points (l.points);
            const auto target = automationTarget (l.target);
            return fb::CreateLane (builder, l.id.value, &target, l.enabled, pointsOffset);
        }

        flatbuffers::Offset<fb::Transport> transport (const model::Transport& t)
        {
            return fb::CreateTransport (builder, t.playing, t.recording, t.automationRecording, t.position);
        }

        flatbuffers::Offset<fb::Bus> bus (const model::Bus& b)
        {
            const auto name = string (b.name);
            const auto chainOffset = chain (b.chain);
            return fb::CreateBus (builder, b.id.value, name, b.level, b.pan, b.mute, b.solo, chainOffset);
        }

        flatbuffers::Offset<fb::Master> master (const model::Master& m)
        {
            const auto masterChain = chain (m.chain);
            return fb::CreateMaster (builder, m.level, m.mute, masterChain);
        }

        flatbuffers::Offset<fb::Instrument> instrument (const model::Instrument& inst)
        {
            const auto name = string (inst.name);
            const auto sourceOffset = source (inst.source);

            const auto chainOffset = chain (inst.chain);

            const auto lfoTarget = paramAddress (inst.lfo.target);
            const auto lfoOffset = fb::CreateLfo (builder, inst.lfo.enabled, toFb<fb::LfoShape> (inst.lfo.shape), inst.lfo.rate, inst.lfo.depth, &lfoTarget);

            const fb::Adsr amp { inst.amp.attack, inst.amp.decay, inst.amp.sustain, inst.amp.release };

            std::vector<fb::Send> sends;
            sends.reserve (inst.strip.sends.size());
            for (const auto& send : inst.strip.sends)
                sends.emplace_back (send.bus.value, send.level, send.preInsert);
            const auto sendsOffset = builder.CreateVectorOfStructs (sends);
            const auto& strip = inst.strip;
            const auto stripOffset = fb::CreateStrip (builder, strip.level, strip.pan, strip.mute, strip.solo, strip.output.value, sendsOffset);

            const auto grooveOffset = groove (inst.groove);
            const auto drumsOffset = encodeDrumKit (builder, inst.drums);

            return fb::CreateInstrument (builder, inst.id.value, name, toFb<fb::Backend> (inst.backend), sourceOffset, chainOffset, lfoOffset, &amp, inst.voiceCap, stripOffset, grooveOffset, drumsOffset, inst.midiChannel, inst.recordArmed, inst.midiOutputChannel);
        }

        flatbuffers::Offset<fb::Arrangement> arrangement (const model::Arrangement& a)
        {
            std::vector<flatbuffers::Offset<fb::Clip>> clips;
            clips.reserve (a.clips.size());
            for (const auto& clip : a.clips)
            {
                const auto name = string (clip.name);
                const auto notesOffset = notes (clip.notes);

                std::vector<flatbuffers::Offset<fb::ClipLane>> lanes;
                lanes.reserve (clip.automation.size());
                for (const auto& lane : clip.automation)
                {
                    const auto pointsOffset = points (lane.points);
                    const auto target = automationTarget (lane.target);
                    lanes.push_back (fb::CreateClipLane (builder, &target, pointsOffset));
                }
                const auto lanesOffset = builder.CreateVector (lanes);

                clips.push_back (fb::CreateClip (builder, clip.id.value, name, clip.instrument.value, clip.length, notesOffset, lanesOffset));
            }
            const auto clipsOffset = builder.CreateVector (clips);

            std::vector<fb::Placement> placements;
            placements.reserve (a.placements.size());
            for (const auto& p : a.placements)
                placements.emplace_back (p.id.value, p.clip.value, p.start, p.length);
            const auto placementsOffset = builder.CreateVectorOfStructs (placements);

            return fb::CreateArrangement (builder, toFb<fb::PlayMode> (a.mode), clipsOffset, placementsOffset);
        }

        flatbuffers::Offset<fb::Mixer> mixer (const model::Mixer& m)
        {
            const auto busesOffset = tables (m.buses, &CodecEncoder::bus);
            const auto masterOffset = master (m.master);
            return fb::CreateMixer (builder, busesOffset, masterOffset);
        }

        flatbuffers::FlatBufferBuilder& builder;
    };

    //==============================================================================
    /** Reads a verified fb::Session into a fresh model::Session. Absent tables, structs and strings
        read as the model's defaults; enum values outside the schema and duplicate ids are errors.
        Keeps the first error as one sentence.
    */
    class CodecDecoder
    {
    public:
        std::optional<model::Session> run (const fb::Session& in)
        {
            model::Session s;
            s.settings = settings (in.settings());

            s.instruments = instruments (in.instruments());
            s.pianoRoll = pianoRoll (in.piano_roll());
            s.arrangement = arrangement (in.arrangement());
            s.automation = automation (in.automation());
            s.mixer = mixer (in.mixer());
            s.transport = transport (in.transport());

            s.nextId = in.next_id();
            s.macros = macros (in.macros());

            if (! error.empty())
                return std::nullopt;
            return s;
        }

        std::string error;
        bool keepTransport = false; ///< false for files (always load stopped), true for the network

        // The parts below are public so the wire codec (same translation unit) decodes patches and
        // actions with exactly the project file's rules.
        template <typename... Parts>
        void fail (Parts&&... parts)
        {
            if (! error.empty())
                return;
            std::ostringstream s;
            (s << ... << parts);
            error = s.str();
        }

        /** The model value of a stored enum, or an error if the schema does not know the value. */
        template <typename ModelEnum, typename FbEnum>
        ModelEnum enumValue (FbEnum v, const char* what)
        {
            using Underlying = std::underlying_type_t<FbEnum>;
            if (static_cast<Underlying> (v) > static_cast<Underlying> (FbEnum::MAX))
            {
                fail (what, " has an unknown value ", (int) static_cast<Underlying> (v), ".");
                return ModelEnum {};
            }
            return static_cast<ModelEnum> (static_cast<Underlying> (v));
        }

        /** Bytes of the buffer that decoding may still account for. Every string and vector read is
            charged at least the bytes it occupies in the buffer, so data read once never runs out; a
            buffer whose offsets point at the same data over and over, to make the reader allocate far
            more than was sent, does, and fails before it allocates. Unlimited unless set. */
        std::size_t budget = std::numeric_limits<std::size_t>::max();

        bool spend (std::size_t bytes)
        {
            if (bytes <= budget)
            {
                budget -= bytes;
                return true;
            }
            budget = 0;
            fail ("It refers to the same data more than once (it would decode to more than its own size), so it is corrupt.");
            return false;
        }

        /** Charges a vector: its length field and `elementBytes` per element (8 for tables: the offset
            and the table's own offset to its vtable). False (and nothing may be read) when spent, or
            when its elements are misaligned: FlatBuffers 2.0.8's verifier checks only the alignment
            of a vector's length, so a forged buffer can put 8-byte structs (notes, points) 4 bytes off,
            and reading them in place would be undefined behaviour. A builder never writes that, except
            for an empty vector (it skips the padding when there is nothing to pad for): nothing is
            read from one, so it may lie anywhere. */
        template <typename T>
        bool spendVector (const flatbuffers::Vector<T>* v, std::size_t elementBytes)
        {
            if (v == nullptr)
                return true;
            constexpr auto alignment = std::is_pointer_v<T> ? alignof (std::remove_pointer_t<T>) : alignof (T);
            if (v->size() > 0 && reinterpret_cast<std::uintptr_t> (v->Data()) % alignment != 0)
            {
                budget = 0;
                fail ("A list in it is not aligned for its elements, which FlatBuffers never writes, so it is corrupt.");
                return false;
            }
            return spend (sizeof (flatbuffers::uoffset_t) + (std::size_t) v->size() * elementBytes);
        }

        static constexpr std::size_t tableBytes = 8;

        std::string string (const flatbuffers::String* s, const std::string& fallback = {})
        {
            if (s == nullptr)
                return fallback;
            if (! spend (sizeof (flatbuffers::uoffset_t) + s->size() + 1))
                return {};
            return std::string (s->c_str(), s->size());
        }

        model::ParamAddress paramAddress (const fb::ParamAddress& a)
        {
            model::ParamAddress out;
            out.node = enumValue<model::NodeKind> (a.node(), "A parameter address's node kind");
            out.nodeId = a.node_id();
            out.group = enumValue<model::ParamGroup> (a.group(), "A parameter address's group");
            out.itemId = a.item_id();
            out.index = a.index();
            return out;
        }

        /** The macro slots a list holds (an absent list: all unassigned); more than numMacros is an error.
            Their values are model::validate's (or the patch's checks) to judge. */
        model::Macros macros (const flatbuffers::Vector<const fb::Macro*>* list)
        {
            model::Macros out {};
            if (list == nullptr || ! spendVector (list, sizeof (fb::Macro)))
                return out;
            if (list->size() > (flatbuffers::uoffset_t) model::numMacros)
            {
                fail ("It has ", list->size(), " macros (at most ", model::numMacros, ").");
                return out;
            }
            for (flatbuffers::uoffset_t k = 0; k < list->size(); ++k)
            {
                const auto* m = list->Get (k);
                out[k] = model::Macro { m->assigned(), paramAddress (m->param()), m->from(), m->to() };
            }
            return out;
        }

        model::AutomationTarget automationTarget (const fb::AutomationTarget& t)
        {
            model::AutomationTarget out;
            out.kind = enumValue<model::AutomationTargetKind> (t.kind(), "An automation target's kind");
            out.param = paramAddress (t.param());
            return out;
        }

        std::vector<model::Parameter> parameters (const flatbuffers::Vector<flatbuffers::Offset<fb::Parameter>>* list)
        {
            std::vector<model::Parameter> out;
            if (list == nullptr || ! spendVector (list, tableBytes))
                return out;
            out.reserve (list->size());
            for (const auto* p : *list)
                out.push_back ({ string (p->name()), p->value(), p->min_value(), p->max_value(), p->default_value() });
            return out;
        }

        model::PluginRef plugin (const fb::PluginRef* p)
        {
            model::PluginRef out;
            if (p == nullptr)
                return out;
            out.format = enumValue<model::PluginFormat> (p->format(), "A plugin's format");
            out.identifier = string (p->identifier());
            out.name = string (p->name());
            if (const auto* state = p->state(); state != nullptr && spendVector (state, 1))
                out.state.assign (state->begin(), state->end());
            return out;
        }

        model::Source source (const fb::Source* src)
        {
            model::Source out;
            if (src == nullptr)
                return out;
            out.kind = enumValue<model::SourceKind> (src->kind(), "A source's kind");
            out.builtIn = enumValue<model::BuiltInSource> (src->built_in(), "A built-in source");
            out.plugin = plugin (src->plugin());
            out.synthDef = string (src->synth_def());
            out.samplePath = string (src->sample_path());
            out.inputChannel = src->input_channel();
            out.params = parameters (src->params());
            out.monitoring = src->monitoring();
            if (const auto* clips = src->clips(); clips != nullptr && spendVector (clips, tableBytes))
            {
                out.clips.reserve (clips->size());
                for (const auto* c : *clips)
                    out.clips.push_back ({ string (c->path()), c->start(), c->offset(), c->length(), c->gain() });
            }
            return out;
        }

        std::vector<model::Stage> chain (const flatbuffers::Vector<flatbuffers::Offset<fb::Stage>>* list)
        {
            std::vector<model::Stage> out;
            if (list == nullptr || ! spendVector (list, tableBytes))
                return out;
            out.reserve (list->size());
            for (const auto* st : *list)
                out.push_back (stage (*st));
            return out;
        }

        model::Stage stage (const fb::Stage& st)
        {
            model::Stage out;
            out.id = model::StageId { st.id() };
            out.kind = enumValue<model::StageKind> (st.kind(), "A stage's kind");
            out.filter = enumValue<model::FilterType> (st.filter(), "A stage's filter type");
            out.effect = enumValue<model::EffectType> (st.effect(), "A stage's effect type");
            out.plugin = plugin (st.plugin());
            out.bypassed = st.bypassed();
            out.params = parameters (st.params());
            return out;
        }

        std::vector<model::Note> notes (const flatbuffers::Vector<const fb::Note*>* list)
        {
            std::vector<model::Note> out;
            if (list == nullptr || ! spendVector (list, sizeof (fb::Note)))
                return out;
            out.reserve (list->size());
            for (const auto* n : *list)
                out.push_back (note (*n));
            return out;
        }

        static model::Note note (const fb::Note& n)
        {
            return { model::NoteId { n.id() }, n.tick(), n.duration(), n.pitch(), n.velocity(), n.probability() };
        }

        model::Point point (const fb::Point& p)
        {
            // The shape's range is the model's to check (checks::points), like every other value.
            return { p.tick(), p.value(), enumValue<model::CurveType> (p.curve(), "An automation point's curve"), p.shape() };
        }

        model::PointList points (const flatbuffers::Vector<const fb::Point*>* list)
        {
            model::PointList out;
            if (list == nullptr || ! spendVector (list, sizeof (fb::Point)))
                return out;
            out.points.reserve (list->size());
            for (const auto* p : *list)
                out.points.push_back (point (*p));
            return out;
        }

        model::SessionSettings settings (const fb::Settings* in)
        {
            model::SessionSettings out;
            if (in == nullptr)
                return out;
            out.name = string (in->name(), out.name);
            out.bpm = in->bpm();
            out.timeSigNumerator = in->time_sig_numerator();
            out.timeSigDenominator = in->time_sig_denominator();
            out.key = in->key();
            out.scale = enumValue<model::Scale> (in->scale(), "The scale");
            out.ticksPerBeat = in->ticks_per_beat();
            out.swing = in->swing();
            if (const auto* loop = in->loop())
                out.loop = { loop->enabled(), loop->start(), loop->end() };
            out.recordMode = (model::RecordMode) in->record_mode();
            out.countInBars = in->count_in_bars();
            out.pluginIsolation = (model::PluginIsolation) in->plugin_isolation(); // validated with the session
            if (const auto* list = in->midi_mappings(); list != nullptr && spendVector (list, sizeof (fb::MidiMapping)))
            {
                if (list->size() > (flatbuffers::uoffset_t) model::maxMidiMappings)
                    fail ("It has ", list->size(), " MIDI mappings (at most ", model::maxMidiMappings, ").");
                else
                    for (const auto* m : *list)
                        out.midiMappings.push_back (midiMapping (*m));
            }
            return out;
        }

        /** A mapping as written; its values are model::validate's (or the dispatcher's) to judge. */
        model::MidiMapping midiMapping (const fb::MidiMapping& m)
        {
            model::MidiMapping out;
            out.param = paramAddress (m.param());
            out.min = m.min();
            out.max = m.max();
            out.channel = m.channel();
            out.controller = m.controller();
            out.source = (model::MidiSource) m.source();
            out.curve = (model::MidiCurve) m.curve();
            return out;
        }

        model::Instruments instruments (const flatbuffers::Vector<flatbuffers::Offset<fb::Instrument>>* list)
        {
            model::Instruments out;
            if (list != nullptr && spendVector (list, tableBytes))
                for (const auto* inst : *list)
                    if (! out.add (instrument (*inst)))
                        fail ("Instrument id ", inst->id(), " appears twice.");
            return out;
        }

        model::Track track (const fb::Track& t)
        {
            return { model::InstrumentId { t.instrument() }, notes (t.notes()) };
        }

        model::PianoRoll pianoRoll (const flatbuffers::Vector<flatbuffers::Offset<fb::Track>>* list)
        {
            model::PianoRoll out;
            if (list != nullptr && spendVector (list, tableBytes))
                for (const auto* t : *list)
                    if (! out.add (track (*t)))
                        fail ("The piano roll has two tracks for instrument ", t->instrument(), ".");
            return out;
        }

        model::Lane lane (const fb::Lane& l)
        {
            model::Lane out;
            out.id = model::LaneId { l.id() };
            if (const auto* target = l.target())
                out.target = automationTarget (*target);
            out.enabled = l.enabled();
            out.points = points (l.points());
            return out;
        }

        model::Automation automation (const flatbuffers::Vector<flatbuffers::Offset<fb::Lane>>* list)
        {
            model::Automation out;
            if (list != nullptr && spendVector (list, tableBytes))
                for (const auto* l : *list)
                    if (! out.add (lane (*l)))
                        fail ("Automation lane id ", l->id(), " appears twice.");
            return out;
        }

        model::Transport transport (const fb::Transport* t)
        {
            // A loaded file always starts stopped, whatever the writer was doing (the defaults).
            model::Transport out;
            if (t == nullptr)
                return out;
            out.automationRecording = t->automation_recording();
            out.position = t->position();
            // A state sync is the live session and keeps its transport.
            out.playing = keepTransport && t->playing();
            out.recording = keepTransport && t->recording();
            return out;
        }

        model::Groove groove (const fb::Groove& g)
        {
            model::Groove out;
            out.humanizeVelocity = g.humanize_velocity();
            out.humanizeTiming = g.humanize_timing();
            out.arpEnabled = g.arp_enabled();
            out.arpMode = enumValue<model::ArpMode> (g.arp_mode(), "An arpeggiator's mode");
            out.arpRate = g.arp_rate();
            out.arpOctaves = g.arp_octaves();
            return out;
        }

        model::Bus bus (const fb::Bus& b)
        {
            model::Bus out;
            out.id = model::BusId { b.id() };
            out.name = string (b.name());
            out.level = b.level();
            out.pan = b.pan();
            out.mute = b.mute();
            out.solo = b.solo();
            out.chain = chain (b.chain());
            return out;
        }

        model::Master master (const fb::Master* m)
        {
            model::Master out;
            if (m == nullptr)
                return out;
            out.level = m->level();
            out.mute = m->mute();
            out.chain = chain (m->chain());
            return out;
        }

        model::Instrument instrument (const fb::Instrument& in)
        {
            model::Instrument out;
            out.id = model::InstrumentId { in.id() };
            out.name = string (in.name());
            out.backend = enumValue<model::Backend> (in.backend(), "An instrument's backend");
            out.source = source (in.source());
            out.chain = chain (in.chain());

            if (const auto* lfo = in.lfo())
            {
                out.lfo.enabled = lfo->enabled();
                out.lfo.shape = enumValue<model::LfoShape> (lfo->shape(), "An LFO's shape");
                out.lfo.rate = lfo->rate();
                out.lfo.depth = lfo->depth();
                if (const auto* target = lfo->target())
                    out.lfo.target = paramAddress (*target);
            }

            if (const auto* amp = in.amp())
                out.amp = { amp->attack(), amp->decay(), amp->sustain(), amp->release() };

            out.voiceCap = in.voice_cap();

            if (const auto* strip = in.strip())
            {
                out.strip.level = strip->level();
                out.strip.pan = strip->pan();
                out.strip.mute = strip->mute();
                out.strip.solo = strip->solo();
                out.strip.output = model::BusId { strip->output() };
                if (const auto* sends = strip->sends(); sends != nullptr && spendVector (sends, sizeof (fb::Send)))
                {
                    out.strip.sends.reserve (sends->size());
                    for (const auto* send : *sends)
                        out.strip.sends.push_back ({ model::BusId { send->bus() }, send->level(), send->pre_insert() });
                }
            }

            if (const auto* g = in.groove())
                out.groove = groove (*g);
            out.drums = decodeDrumKit (*this, in.drums());
            out.midiChannel = in.midi_channel();
            out.recordArmed = in.record_armed();
            out.midiOutputChannel = in.midi_output_channel();
            return out;
        }

        model::Arrangement arrangement (const fb::Arrangement* in)
        {
            model::Arrangement out;
            if (in == nullptr)
                return out;
            out.mode = enumValue<model::PlayMode> (in->mode(), "The play mode");

            if (const auto* clips = in->clips(); clips != nullptr && spendVector (clips, tableBytes))
            {
                for (const auto* c : *clips)
                {
                    model::Clip clip;
                    clip.id = model::ClipId { c->id() };
                    clip.name = string (c->name());
                    clip.instrument = model::InstrumentId { c->instrument() };
                    clip.length = c->length();
                    clip.notes = notes (c->notes());
                    if (const auto* lanes = c->automation(); lanes != nullptr && spendVector (lanes, tableBytes))
                    {
                        clip.automation.reserve (lanes->size());
                        for (const auto* l : *lanes)
                        {
                            model::ClipLane lane;
                            if (const auto* target = l->target())
                                lane.target = automationTarget (*target);
                            lane.points = points (l->points());
                            clip.automation.push_back (std::move (lane));
                        }
                    }
                    if (! out.clips.add (std::move (clip)))
                        fail ("Clip id ", c->id(), " appears twice.");
                }
            }

            if (const auto* placements = in->placements(); placements != nullptr && spendVector (placements, sizeof (fb::Placement)))
                for (const auto* p : *placements)
                    if (! out.placements.add ({ model::PlacementId { p->id() }, model::ClipId { p->clip() }, p->start(), p->length() }))
                        fail ("Placement id ", p->id(), " appears twice.");
            return out;
        }

        model::Mixer mixer (const fb::Mixer* in)
        {
            model::Mixer out;
            if (in == nullptr)
                return out;

            if (const auto* buses = in->buses(); buses != nullptr && spendVector (buses, tableBytes))
                for (const auto* b : *buses)
                    if (! out.buses.add (bus (*b)))
                        fail ("Bus id ", b->id(), " appears twice.");

            out.master = master (in->master());
            return out;
        }
    };

    /** Just the root table's own scalars, so that the version and checksum can be read (through the
        verifier's bounds checks) before the expensive full verification, whose result would mean
        nothing for a newer schema or a damaged file.
    */
    struct ProjectHeader : private flatbuffers::Table
    {
        bool Verify (flatbuffers::Verifier& verifier) const
        {
            return VerifyTableStart (verifier)
                   && VerifyField<std::uint32_t> (verifier, fb::Project::VT_SCHEMA_VERSION, 4)
                   && VerifyField<std::uint32_t> (verifier, fb::Project::VT_CHECKSUM, 4)
                   && verifier.EndTable();
        }

        std::uint32_t schemaVersion() const { return GetField<std::uint32_t> (fb::Project::VT_SCHEMA_VERSION, 0); }
        const std::uint8_t* checksumAddress() const { return GetAddressOf (fb::Project::VT_CHECKSUM); }
    };

    flatbuffers::Verifier::Options projectVerifierOptions()
    {
        flatbuffers::Verifier::Options options;
        options.max_depth = maxVerifierDepth;
        options.max_tables = maxVerifierTables;
        return options;
    }

    DecodeResult decodeFailure (std::string sentence)
    {
        return { std::nullopt, std::move (sentence) };
    }
} // namespace

//==============================================================================
std::uint32_t crc32 (const std::uint8_t* data, std::size_t size, std::uint32_t crc) noexcept
{
    crc = ~crc;
    for (std::size_t i = 0; i < size; ++i)
        crc = crcTable[(crc ^ data[i]) & 0xffu] ^ (crc >> 8);
    return ~crc;
}

std::vector<std::uint8_t> encodeProject (const model::Session& session)
{
    flatbuffers::FlatBufferBuilder builder (64 * 1024);
    const auto sessionOffset = CodecEncoder (builder).session (session);

    fb::ProjectBuilder project (builder);
    project.add_session (sessionOffset);
    project.add_schema_version (currentSchemaVersion);
    // The checksum must always be present (a zero default would be left out) so that it can be
    // patched in place once the bytes it covers are final.
    builder.ForceDefaults (true);
    project.add_checksum (0);
    builder.ForceDefaults (false);
    builder.Finish (project.Finish(), projectFileIdentifier);

    std::vector<std::uint8_t> bytes (builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize());
    const auto checksum = crc32 (bytes.data(), bytes.size());
    const bool patched = fb::GetMutableProject (bytes.data())->mutate_checksum (checksum);
    jassertquiet (patched);
    return bytes;
}

DecodeResult decodeProject (const std::uint8_t* data, std::size_t size, ChecksumPolicy policy)
{
    if (data == nullptr || size == 0)
        return decodeFailure ("The file is empty.");
    if (size < 8)
        return decodeFailure ("The file is truncated or not an Imbolc project (too short).");
    if (size > maxProjectBytes)
        return decodeFailure ("The file is too large to be an Imbolc project (" + std::to_string (size) + " bytes; at most "
                              + std::to_string (maxProjectBytes) + ").");
    if (! flatbuffers::BufferHasIdentifier (data, projectFileIdentifier))
        return decodeFailure ("This is not an Imbolc project file (wrong file identifier).");

    const auto options = projectVerifierOptions();
    const auto verificationFailure = "The project file is truncated or corrupt (it fails FlatBuffers verification); restore it from a backup.";

    {
        flatbuffers::Verifier headerVerifier (data, size, options);
        if (! headerVerifier.VerifyBuffer<ProjectHeader> (projectFileIdentifier))
            return decodeFailure (verificationFailure);
    }
    const auto* header = flatbuffers::GetRoot<ProjectHeader> (data);

    const auto version = header->schemaVersion();
    if (version > currentSchemaVersion)
        return decodeFailure ("The project was written by a newer Imbolc (schema version " + std::to_string (version)
                              + "; this build reads up to " + std::to_string (currentSchemaVersion) + "); update Imbolc to open it.");

    if (policy == ChecksumPolicy::verify)
    {
        const auto* field = header->checksumAddress();
        if (field == nullptr)
            return decodeFailure ("The project file is corrupt (it has no checksum).");

        const auto stored = flatbuffers::ReadScalar<std::uint32_t> (field);
        const auto offset = (std::size_t) (field - data);
        const std::uint8_t zeros[4] = {};
        auto crc = crc32 (data, offset);
        crc = crc32 (zeros, sizeof (zeros), crc);
        crc = crc32 (data + offset + sizeof (zeros), size - offset - sizeof (zeros), crc);
        if (crc != stored)
            return decodeFailure ("The project file is truncated or corrupt (its checksum does not match); restore it from a backup.");
    }

    {
        flatbuffers::Verifier verifier (data, size, options);
        if (! fb::VerifyProjectBuffer (verifier))
            return decodeFailure (verificationFailure);
    }

    const auto* root = fb::GetProject (data);
    if (root->session() == nullptr)
        return decodeFailure ("The project file is invalid: it holds no session.");

    CodecDecoder decoder;
    decoder.budget = size;
    auto session = decoder.run (*root->session());
    if (! session.has_value())
        return decodeFailure ("The project file is invalid: " + decoder.error);

    if (auto problem = model::validate (*session); ! problem.empty())
        return decodeFailure ("The project file is invalid: " + problem);

    return { std::move (session), {} };
}

} // namespace imbolc::protocol
