namespace imbolc::model
{

const char* toString (PluginIsolation isolation) noexcept
{
    static constexpr const char* names[] = { "in process", "one sandbox per plugin", "one shared sandbox" };
    const auto i = (std::size_t) isolation;
    return i < std::size (names) ? names[i] : "unknown";
}

namespace
{
    struct Range
    {
        float minValue, maxValue;
    };

    // Ranges of the fixed (non-list) parameters, by group and index.
    constexpr Range ampRanges[] = { { 0.005f, 10.0f }, { 0.0f, 10.0f }, { 0.0f, 1.0f }, { 0.005f, 20.0f } };
    constexpr Range lfoRanges[] = { { 0.01f, 50.0f }, { 0.0f, 1.0f } };
    constexpr Range stripRanges[] = { { 0.0f, 2.0f }, { -1.0f, 1.0f } };
    constexpr Range sendRange { 0.0f, 2.0f };

    /** A resolved parameter: where its value is stored and its range. */
    template <typename FloatType>
    struct ParamRef
    {
        FloatType* value = nullptr;
        float minValue = 0, maxValue = 0;
        const char* name = "";
    };

    /** A parameter with a fixed place in a struct (amp, LFO, strip): the field, its range, its name. */
    template <typename FloatType, std::size_t N>
    ParamRef<FloatType> fixedParam (std::uint16_t index, FloatType* const (&fields)[N], const Range (&ranges)[N], const char* const (&names)[N])
    {
        if (index >= N)
            return {};
        return { fields[index], ranges[index].minValue, ranges[index].maxValue, names[index] };
    }

    template <typename FloatType, typename ParamList>
    ParamRef<FloatType> fromList (ParamList& params, std::uint16_t index)
    {
        if (index >= params.size())
            return {};
        auto& p = params[index];
        return { &p.value, p.minValue, p.maxValue, p.name.c_str() };
    }

    template <typename FloatType, typename Chain>
    ParamRef<FloatType> fromChain (Chain& chain, const ParamAddress& a)
    {
        auto* stage = findStage (chain, StageId { a.itemId });
        return stage != nullptr ? fromList<FloatType> (stage->params, a.index) : ParamRef<FloatType> {};
    }

    constexpr const char* stripNames[] = { "level", "pan" };

    /** Resolves an address's group and index inside one instrument (the node part is the caller's). */
    template <typename InstrumentType, typename FloatType = std::conditional_t<std::is_const_v<InstrumentType>, const float, float>>
    ParamRef<FloatType> resolveIn (InstrumentType& inst, const ParamAddress& a)
    {
        switch (a.group)
        {
            case ParamGroup::source:
                return fromList<FloatType> (inst.source.params, a.index);
            case ParamGroup::stage:
                return fromChain<FloatType> (inst.chain, a);
            case ParamGroup::amp:
            {
                FloatType* const fields[] = { &inst.amp.attack, &inst.amp.decay, &inst.amp.sustain, &inst.amp.release };
                static constexpr const char* names[] = { "attack", "decay", "sustain", "release" };
                return fixedParam (a.index, fields, ampRanges, names);
            }
            case ParamGroup::lfo:
            {
                FloatType* const fields[] = { &inst.lfo.rate, &inst.lfo.depth };
                static constexpr const char* names[] = { "lfo rate", "lfo depth" };
                return fixedParam (a.index, fields, lfoRanges, names);
            }
            case ParamGroup::strip:
            {
                FloatType* const fields[] = { &inst.strip.level, &inst.strip.pan };
                return fixedParam (a.index, fields, stripRanges, stripNames);
            }
            case ParamGroup::send:
                if (a.index == 0)
                    for (auto& send : inst.strip.sends)
                        if (send.bus.value == a.itemId)
                            return { &send.level, sendRange.minValue, sendRange.maxValue, "send level" };
                return {};
        }
        return {};
    }

    template <typename SessionType, typename FloatType = std::conditional_t<std::is_const_v<SessionType>, const float, float>>
    ParamRef<FloatType> resolve (SessionType& session, const ParamAddress& a)
    {
        switch (a.node)
        {
            case NodeKind::instrument:
            {
                auto* inst = session.instruments.find (InstrumentId { a.nodeId });
                return inst != nullptr ? resolveIn (*inst, a) : ParamRef<FloatType> {};
            }
            case NodeKind::bus:
            {
                auto* bus = session.mixer.buses.find (BusId { a.nodeId });
                if (bus == nullptr)
                    return {};
                if (a.group == ParamGroup::stage)
                    return fromChain<FloatType> (bus->chain, a);
                if (a.group == ParamGroup::strip)
                {
                    FloatType* const fields[] = { &bus->level, &bus->pan };
                    return fixedParam (a.index, fields, stripRanges, stripNames);
                }
                return {};
            }
            case NodeKind::master:
            {
                if (a.nodeId != 0)
                    return {};
                if (a.group == ParamGroup::stage)
                    return fromChain<FloatType> (session.mixer.master.chain, a);
                if (a.group == ParamGroup::strip && a.index == (std::uint16_t) StripParam::level)
                    return { &session.mixer.master.level, stripRanges[0].minValue, stripRanges[0].maxValue, "level" };
                return {};
            }
        }
        return {};
    }

    bool nodeExists (const Session& session, const ParamAddress& a)
    {
        switch (a.node)
        {
            case NodeKind::instrument:
                return session.instruments.contains (InstrumentId { a.nodeId });
            case NodeKind::bus:
                return session.mixer.buses.contains (BusId { a.nodeId });
            case NodeKind::master:
                return a.nodeId == 0;
        }
        return false;
    }

    template <typename... Parts>
    std::string sentence (Parts&&... parts)
    {
        std::ostringstream s;
        (s << ... << parts);
        return s.str();
    }

    std::string rangeError (const std::string& what, double v, double lo, double hi)
    {
        if (std::isfinite (v) && v >= lo && v <= hi)
            return {};
        return sentence (what, " is ", v, " (must be ", lo, " to ", hi, ").");
    }

    //==============================================================================
    /** Collects the first invariant violation as one sentence. */
    class Checker
    {
    public:
        explicit Checker (const Session& s)
            : session (s) {}

        std::string run()
        {
            checkSettings();
            checkIds();
            if (session.instruments.size() > Session::maxInstruments)
                fail ("The session has ", session.instruments.size(), " instruments (at most ", Session::maxInstruments, ").");
            for (const auto& inst : session.instruments)
                checkInstrument (inst);
            checkPianoRoll();
            checkAutomation();
            checkArrangement();
            checkMixer();
            checkMacros();
            checkMidiMappings();
            return error;
        }

    private:
        bool ok() const { return error.empty(); }

        void fail (const std::string& message)
        {
            if (ok())
                error = message;
        }

        template <typename... Parts>
        void fail (Parts&&... parts)
        {
            if (! ok())
                return;
            std::ostringstream s;
            (s << ... << parts);
            error = s.str();
        }

        static bool finiteIn (double v, double lo, double hi) { return std::isfinite (v) && v >= lo && v <= hi; }

        void checkRange (const std::string& what, float v, float lo, float hi)
        {
            if (! finiteIn (v, lo, hi))
                fail (what, " is ", v, " (must be ", lo, " to ", hi, ").");
        }

        template <typename E>
        void checkEnum (const std::string& what, E e, int count)
        {
            if ((int) e >= count)
                fail (what, " has an unknown value ", (int) e, ".");
        }

        void checkSettings()
        {
            const auto& s = session.settings;
            fail (checks::name ("The session name", s.name));
            fail (checks::bpm (s.bpm));
            fail (checks::timeSignature (s.timeSigNumerator, s.timeSigDenominator));
            if (s.key < 0 || s.key > 11)
                fail ("The key is ", s.key, " (must be a pitch class 0 to 11).");
            checkEnum ("The scale", s.scale, numScales);
            if (s.ticksPerBeat != ticksPerBeat)
                fail ("The session has ", s.ticksPerBeat, " ticks per beat (Imbolc uses ", ticksPerBeat, ").");
            checkRange ("Swing", s.swing, 0.0f, 1.0f);
            fail (checks::loop (s.loop));
            if (session.transport.position < 0)
                fail ("The transport position is negative.");
        }

        void checkIds()
        {
            std::unordered_set<std::uint32_t> seen;
            auto claim = [&] (std::uint32_t id, const char* kind)
            {
                if (id == 0 || id >= session.nextId)
                    fail ("A ", kind, " has id ", id, ", outside the ids handed out so far (1 to ", session.nextId - 1, ").");
                else if (! seen.insert (id).second)
                    fail ("Id ", id, " is used twice (", kind, ").");
            };

            if (! session.instruments.isConsistent() || ! session.pianoRoll.isConsistent() || ! session.automation.isConsistent()
                || ! session.mixer.buses.isConsistent() || ! session.arrangement.clips.isConsistent()
                || ! session.arrangement.placements.isConsistent())
                fail ("The session has duplicate ids.");

            for (const auto& inst : session.instruments)
            {
                claim (inst.id.value, "instrument");
                for (const auto& st : inst.chain)
                    claim (st.id.value, "stage");
            }
            for (const auto& bus : session.mixer.buses)
            {
                claim (bus.id.value, "bus");
                for (const auto& st : bus.chain)
                    claim (st.id.value, "stage");
            }
            for (const auto& st : session.mixer.master.chain)
                claim (st.id.value, "stage");
            for (const auto& track : session.pianoRoll)
                for (const auto& n : track.notes)
                    claim (n.id.value, "note");
            for (const auto& lane : session.automation)
                claim (lane.id.value, "automation lane");
            for (const auto& clip : session.arrangement.clips)
            {
                claim (clip.id.value, "clip");
                for (const auto& n : clip.notes)
                    claim (n.id.value, "note");
            }
            for (const auto& p : session.arrangement.placements)
                claim (p.id.value, "placement");
        }

        void checkChain (const std::string& owner, const std::vector<Stage>& chain)
        {
            for (const auto& st : chain)
                fail (checks::stage (owner, st));
        }

        void checkInstrument (const Instrument& inst)
        {
            const auto what = "Instrument " + std::to_string (inst.id.value);
            fail (checks::name (what + " name", inst.name));
            checkEnum (what + " backend", inst.backend, 2);
            fail (checks::source (what, inst.source));
            checkChain (what, inst.chain);

            for (std::uint16_t i = 0; i < 4; ++i)
                checkParam (ParamAddress::instrument (inst.id, ParamGroup::amp, i), what);
            for (std::uint16_t i = 0; i < 2; ++i)
                checkParam (ParamAddress::instrument (inst.id, ParamGroup::lfo, i), what);
            for (std::uint16_t i = 0; i < 2; ++i)
                checkParam (ParamAddress::instrument (inst.id, ParamGroup::strip, i), what);

            checkEnum (what + " LFO shape", inst.lfo.shape, 4);
            if (inst.lfo.enabled)
            {
                const auto& t = inst.lfo.target;
                // The parameter itself may be gone (a removed stage): the LFO then idles, as a lane does.
                if (t.node != NodeKind::instrument || t.nodeId != inst.id.value || t.group == ParamGroup::lfo)
                    fail (what, " has an LFO aimed outside its own parameters.");
            }

            if (inst.voiceCap < 1 || inst.voiceCap > Instrument::maxVoiceCap)
                fail (what, " has a voice cap of ", inst.voiceCap, " (must be 1 to ", Instrument::maxVoiceCap, ").");

            if (inst.strip.output.isValid() && ! session.mixer.buses.contains (inst.strip.output))
                fail (what, " outputs to bus ", inst.strip.output.value, ", which does not exist.");

            std::unordered_set<BusId> sendBuses;
            for (const auto& send : inst.strip.sends)
            {
                if (! session.mixer.buses.contains (send.bus))
                    fail (what, " sends to bus ", send.bus.value, ", which does not exist.");
                if (! sendBuses.insert (send.bus).second)
                    fail (what, " has two sends to bus ", send.bus.value, ".");
                checkRange (what + " send level", send.level, sendRange.minValue, sendRange.maxValue);
            }

            fail (checks::groove (what, inst.groove));

            fail (checks::midiChannel (inst.midiChannel));
            fail (checks::midiChannel (inst.midiOutputChannel));
            fail (checks::drumKit (what, inst.drums));
            if (inst.source.isDrumKit() && ! inst.drums.hasPads())
                fail (what, " is a drum kit without its ", DrumKit::numPads, " pads.");
            // A drum kit on SuperCollider (the dispatcher refuses to make one) is not invalid: like a
            // sampler there, it is silent with a warning (an SC render switches every instrument over).
        }

        void checkParam (const ParamAddress& a, const std::string& owner)
        {
            auto ref = resolve (session, a);
            if (ref.value != nullptr)
                checkRange (owner + " " + ref.name, *ref.value, ref.minValue, ref.maxValue);
        }

        void checkNotes (const std::string& owner, const std::vector<Note>& notes)
        {
            if (! std::is_sorted (notes.begin(), notes.end(), noteOrder))
                fail (owner, " has notes out of order.");
            for (const auto& n : notes)
                fail (checks::note (owner, n));
        }

        void checkPianoRoll()
        {
            if (session.pianoRoll.size() != session.instruments.size())
                fail ("The piano roll has ", session.pianoRoll.size(), " tracks for ", session.instruments.size(), " instruments.");
            for (const auto& track : session.pianoRoll)
            {
                if (! session.instruments.contains (track.instrument))
                    fail ("The piano roll has a track for instrument ", track.instrument.value, ", which does not exist.");
                checkNotes ("The track of instrument " + std::to_string (track.instrument.value), track.notes);
            }
        }

        void checkTarget (const std::string& owner, const AutomationTarget& t)
        {
            // A lane may outlive its parameter (a removed stage, a plugin that lost a parameter): the
            // engine skips it, and undoing the removal brings it back to life. Its node must exist.
            checkEnum (owner + " target", t.kind, 3);
            if (t.kind == AutomationTargetKind::parameter && ! nodeExists (session, t.param))
                fail (owner, " automates a node that does not exist.");
        }

        void checkPoints (const std::string& owner, const PointList& list)
        {
            fail (checks::points (owner, list));
        }

        void checkAutomation()
        {
            for (const auto& lane : session.automation)
            {
                const auto what = "Automation lane " + std::to_string (lane.id.value);
                checkTarget (what, lane.target);
                checkPoints (what, lane.points);
            }
        }

        void checkArrangement()
        {
            checkEnum ("The play mode", session.arrangement.mode, 2);
            for (const auto& clip : session.arrangement.clips)
            {
                const auto what = "Clip " + std::to_string (clip.id.value);
                if (! session.instruments.contains (clip.instrument))
                    fail (what, " belongs to instrument ", clip.instrument.value, ", which does not exist.");
                if (clip.length <= 0)
                    fail (what, " has no length.");
                checkNotes (what, clip.notes);
                for (const auto& lane : clip.automation)
                {
                    checkTarget (what + " automation", lane.target);
                    checkPoints (what + " automation", lane.points);
                }
            }
            for (const auto& p : session.arrangement.placements)
            {
                if (! session.arrangement.clips.contains (p.clip))
                    fail ("Placement ", p.id.value, " places clip ", p.clip.value, ", which does not exist.");
                if (p.start < 0 || p.length < 0)
                    fail ("Placement ", p.id.value, " has a negative start or length.");
            }
        }

        void checkMixer()
        {
            if (session.mixer.buses.size() > Mixer::maxBuses)
                fail ("The mixer has ", session.mixer.buses.size(), " buses (at most ", Mixer::maxBuses, ").");
            for (const auto& bus : session.mixer.buses)
            {
                const auto what = "Bus " + std::to_string (bus.id.value);
                checkRange (what + " level", bus.level, 0.0f, 2.0f);
                checkRange (what + " pan", bus.pan, -1.0f, 1.0f);
                checkChain (what, bus.chain);
            }
            checkRange ("The master level", session.mixer.master.level, 0.0f, 2.0f);
            checkChain ("The master", session.mixer.master.chain);
        }

        void checkMacros()
        {
            for (int k = 0; k < numMacros; ++k)
            {
                const auto& m = session.macros[(std::size_t) k];
                const auto what = "Macro " + std::to_string (k + 1);
                if (! std::isfinite (m.from) || ! std::isfinite (m.to))
                    fail (what, " has a span that is not a finite number.");
                // Like a lane, a macro may outlive its parameter (a plugin that lost one, a source that
                // changed): the engine skips it. Deleting its node unassigns it, so the node must exist.
                if (m.assigned)
                {
                    checkEnum (what + " node kind", m.param.node, 3);
                    checkEnum (what + " parameter group", m.param.group, 6);
                    if (! nodeExists (session, m.param))
                        fail (what, " drives a node that does not exist.");
                }
            }
        }

        void checkMidiMappings()
        {
            const auto& s = session.settings;
            fail (checks::recordOptions (s.recordMode, s.countInBars));
            fail (checks::pluginIsolation (s.pluginIsolation));
            if (s.midiMappings.size() > (std::size_t) maxMidiMappings)
                fail ("The session has ", s.midiMappings.size(), " MIDI mappings (at most ", maxMidiMappings, ").");
            for (std::size_t i = 0; i < s.midiMappings.size() && error.empty(); ++i)
            {
                const auto& m = s.midiMappings[i];
                const auto what = "MIDI mapping " + std::to_string (i + 1);
                checkEnum (what + " source", m.source, 2);
                checkEnum (what + " curve", m.curve, numMidiCurves);
                checkEnum (what + " node kind", m.param.node, 3);
                checkEnum (what + " parameter group", m.param.group, 6);
                if (m.channel < 0 || m.channel > Instrument::maxMidiChannel)
                    fail (what, " listens on channel ", m.channel, " (0 for any, or 1 to ", Instrument::maxMidiChannel, ").");
                if (m.controller < 0 || m.controller > 127)
                    fail (what, " listens to controller ", m.controller, " (0 to 127).");
                if (! std::isfinite (m.min) || ! std::isfinite (m.max))
                    fail (what, " has a range that is not a finite number.");
                // Like a macro it may outlive its parameter, not its node (deleting the node removes it).
                if (error.empty() && ! nodeExists (session, m.param))
                    fail (what, " drives a node that does not exist.");
                for (std::size_t j = 0; j < i; ++j)
                    if (s.midiMappings[j].param == m.param)
                        fail (what, " drives the same parameter as MIDI mapping ", j + 1, ".");
            }
        }

        const Session& session;
        std::string error;
    };
} // namespace

namespace checks
{
    std::string name (const std::string& what, const std::string& value)
    {
        if (value.size() > maxNameLength)
            return sentence (what, " is ", value.size(), " bytes long (at most ", maxNameLength, ").");
        if (value.find ('\0') != std::string::npos)
            return sentence (what, " contains a NUL character.");
        // Names travel as FlatBuffers strings and JSON text, which are UTF-8 by definition.
        if (! juce::CharPointer_UTF8::isValidString (value.data(), (int) value.size()))
            return sentence (what, " is not valid UTF-8 text.");
        return {};
    }

    std::string parameters (const std::string& owner, const std::vector<Parameter>& params)
    {
        for (const auto& p : params)
        {
            const auto what = owner + " parameter '" + p.name + "'";
            if (auto e = name (what + " name", p.name); ! e.empty())
                return e;
            if (! std::isfinite (p.minValue) || ! std::isfinite (p.maxValue) || p.minValue > p.maxValue)
                return what + " has an invalid range.";
            if (auto e = rangeError (what, p.value, p.minValue, p.maxValue); ! e.empty())
                return e;
            if (auto e = rangeError (what + " default", p.defaultValue, p.minValue, p.maxValue); ! e.empty())
                return e;
        }
        return {};
    }

    std::string plugin (const std::string& owner, const PluginRef& p)
    {
        if ((int) p.format > (int) PluginFormat::lv2)
            return owner + " has an unknown plugin format.";
        if (p.state.size() > maxPluginStateBytes)
            return sentence (owner, " has ", p.state.size(), " bytes of plugin state (at most ", maxPluginStateBytes, ").");
        if (auto e = name (owner + " plugin name", p.name); ! e.empty())
            return e;
        if (p.identifier.size() > 4096)
            return owner + " has a plugin identifier longer than 4096 bytes.";
        return {};
    }

    std::string stage (const std::string& owner, const Stage& st)
    {
        const auto what = owner + " stage " + std::to_string (st.id.value);
        if ((int) st.kind > (int) StageKind::effect)
            return what + " has an unknown kind.";
        if ((int) st.filter >= numFilterTypes)
            return what + " has an unknown filter type.";
        if ((int) st.effect > (int) EffectType::plugin)
            return what + " has an unknown effect type.";
        if (auto e = plugin (what, st.plugin); ! e.empty())
            return e;
        return parameters (what, st.params);
    }

    std::string audioClips (const std::string& owner, const std::vector<AudioClip>& clips)
    {
        if (clips.size() > AudioClip::maxClips)
            return sentence (owner, " has ", clips.size(), " audio clips (at most ", AudioClip::maxClips, ").");
        for (std::size_t i = 0; i < clips.size(); ++i)
        {
            const auto& c = clips[i];
            const auto what = sentence (owner, " audio clip ", i + 1);
            if (c.path.empty() || c.path.size() > 4096 || c.path.find ('\0') != std::string::npos)
                return what + " has no file, or a path that is too long.";
            if (c.start < 0 || c.offset < 0 || c.length <= 0)
                return what + " starts before the song or the file, or has no length.";
            if (c.offset > std::numeric_limits<std::int64_t>::max() - c.length)
                return what + " ends beyond any file.";
            if (! std::isfinite (c.gain) || c.gain < 0.0f || c.gain > AudioClip::maxGain)
                return sentence (what, " has a gain of ", c.gain, " (must be 0 to ", AudioClip::maxGain, ").");
            if (i > 0 && c.start < clips[i - 1].start)
                return owner + " audio clips are not sorted by their start.";
        }
        return {};
    }

    std::string source (const std::string& owner, const Source& src)
    {
        if ((int) src.kind > (int) SourceKind::audioClips)
            return owner + " has an unknown source kind.";
        if ((int) src.builtIn >= numBuiltInSources)
            return owner + " has an unknown built-in source.";
        if (src.inputChannel < 0 || src.inputChannel > 255)
            return sentence (owner, " listens to input channel ", src.inputChannel, " (must be 0 to 255).");
        if (auto e = plugin (owner, src.plugin); ! e.empty())
            return e;
        if (src.synthDef.size() > checks::maxNameLength || src.samplePath.size() > 4096)
            return owner + " has a SynthDef name or sample path that is too long.";
        if (auto e = audioClips (owner, src.clips); ! e.empty())
            return e;
        return parameters (owner + " source", src.params);
    }

    std::string note (const std::string& owner, const Note& n)
    {
        if (n.tick < 0 || n.duration <= 0)
            return sentence (owner, " has note ", n.id.value, " with a negative start or no length.");
        if (n.pitch > 127 || n.velocity < 1 || n.velocity > 127)
            return sentence (owner, " has note ", n.id.value, " with pitch or velocity outside MIDI's range (pitch 0 to 127, velocity 1 to 127).");
        return rangeError (owner + " note probability", n.probability, 0.0, 1.0);
    }

    std::string point (const std::string& owner, const Point& p)
    {
        if (p.tick < 0 || ! std::isfinite (p.value))
            return owner + " has a point at a negative tick or with a value that is not a number.";
        if ((int) p.curve > (int) CurveType::sCurve)
            return sentence (owner, " curve has an unknown value ", (int) p.curve, ".");
        if (std::abs ((int) p.shape) > Point::maxShape)
            return sentence (owner, " curve has a shape of ", (int) p.shape, ", outside -100 to 100.");
        return {};
    }

    std::string points (const std::string& owner, const PointList& list)
    {
        if (list.points.size() > maxPointsPerLane)
            return sentence (owner, " has more than ", checks::maxPointsPerLane, " points.");
        if (! list.isSorted())
            return owner + " has points out of order or two at one tick.";
        for (const auto& p : list.points)
            if (auto e = point (owner, p); ! e.empty())
                return e;
        return {};
    }

    std::string groove (const std::string& owner, const Groove& g)
    {
        if (auto e = rangeError (owner + " humanize velocity", g.humanizeVelocity, 0.0, 1.0); ! e.empty())
            return e;
        if (auto e = rangeError (owner + " humanize timing", g.humanizeTiming, 0.0, 1.0); ! e.empty())
            return e;
        if ((int) g.arpMode > (int) ArpMode::random)
            return owner + " has an unknown arpeggiator mode.";
        if (g.arpRate < 1 || g.arpRate > 16 || g.arpOctaves < 1 || g.arpOctaves > 4)
            return owner + " has an arpeggiator rate (1 to 16) or octave count (1 to 4) out of range.";
        return {};
    }

    std::string loop (const LoopRegion& l)
    {
        if (l.start < 0 || l.end <= l.start)
            return sentence ("The loop region ", l.start, " to ", l.end, " is empty or negative.");
        return {};
    }

    std::string bpm (double v)
    {
        return rangeError ("The tempo", v, 20.0, 999.0);
    }

    std::string timeSignature (std::int32_t num, std::int32_t den)
    {
        if (num < 1 || num > 32)
            return sentence ("The time signature numerator is ", num, " (must be 1 to 32).");
        if (den != 1 && den != 2 && den != 4 && den != 8 && den != 16 && den != 32)
            return sentence ("The time signature denominator is ", den, " (must be 1, 2, 4, 8, 16 or 32).");
        return {};
    }

    std::string macro (const Session& session, int index, const Macro& m)
    {
        if (index < 0 || index >= numMacros)
            return sentence ("There is no macro ", index + 1, " (macros are 1 to ", numMacros, ").");
        if (! std::isfinite (m.from) || ! std::isfinite (m.to))
            return sentence ("Macro ", index + 1, "'s span must be finite numbers.");
        if (! m.assigned)
            return {};
        const auto info = findParam (session, m.param);
        if (! info)
            return sentence ("Macro ", index + 1, " cannot drive ", describe (session, m.param), ": there is no such parameter.");
        if (m.from < info->minValue || m.from > info->maxValue || m.to < info->minValue || m.to > info->maxValue)
            return sentence ("Macro ", index + 1, "'s span ", m.from, " to ", m.to, " is outside the range of ", describe (session, m.param), " (", info->minValue, " to ", info->maxValue, ").");
        return {};
    }

    std::string midiMapping (const Session& session, const MidiMapping& m)
    {
        if ((int) m.source > (int) MidiSource::pitchBend)
            return "A MIDI mapping has an unknown source.";
        if ((int) m.curve >= numMidiCurves)
            return "A MIDI mapping has an unknown curve.";
        if (m.channel < 0 || m.channel > Instrument::maxMidiChannel)
            return sentence ("MIDI channel ", m.channel, " does not exist (0 for any, or 1 to ", Instrument::maxMidiChannel, ").");
        if (m.controller < 0 || m.controller > 127)
            return sentence ("MIDI controller ", m.controller, " does not exist (0 to 127).");
        if (! std::isfinite (m.min) || ! std::isfinite (m.max))
            return "A MIDI mapping's range must be finite numbers.";
        const auto info = findParam (session, m.param);
        if (! info)
            return sentence ("A MIDI controller cannot drive ", describe (session, m.param), ": there is no such parameter.");
        if (m.min < info->minValue || m.min > info->maxValue || m.max < info->minValue || m.max > info->maxValue)
            return sentence ("The MIDI mapping's range ", m.min, " to ", m.max, " is outside the range of ", describe (session, m.param), " (",
                             info->minValue, " to ", info->maxValue, ").");
        return {};
    }

    std::string recordOptions (RecordMode mode, std::int32_t countInBars)
    {
        if ((int) mode > (int) RecordMode::replace)
            return "Unknown record mode (overdub or replace).";
        if (countInBars < 0 || countInBars > SessionSettings::maxCountInBars)
            return sentence ("A count-in of ", countInBars, " bars is not offered (0 to ", SessionSettings::maxCountInBars, ").");
        return {};
    }

    std::string pluginIsolation (PluginIsolation isolation)
    {
        if ((int) isolation > (int) PluginIsolation::shared)
            return "Unknown plugin isolation (in process, one sandbox per plugin, or one shared sandbox).";
        return {};
    }

    std::string midiChannel (int channel)
    {
        if (channel < 0 || channel > Instrument::maxMidiChannel)
            return sentence ("MIDI channel ", channel, " does not exist (0 for none, or 1 to ", Instrument::maxMidiChannel, ").");
        return {};
    }
} // namespace checks

int findMacro (const Session& session, const ParamAddress& param) noexcept
{
    for (int k = 0; k < numMacros; ++k)
        if (session.macros[(std::size_t) k].assigned && session.macros[(std::size_t) k].param == param)
            return k;
    return -1;
}

int findMidiMapping (const Session& session, const ParamAddress& param) noexcept
{
    const auto& all = session.settings.midiMappings;
    for (std::size_t i = 0; i < all.size(); ++i)
        if (all[i].param == param)
            return (int) i;
    return -1;
}

void forEachParam (const Instrument& inst, const std::function<void (const ParamAddress&)>& fn)
{
    for (std::uint16_t i = 0; i < inst.source.params.size(); ++i)
        fn (ParamAddress::instrument (inst.id, ParamGroup::source, i));
    for (const auto& st : inst.chain)
        for (std::uint16_t i = 0; i < st.params.size(); ++i)
            fn (ParamAddress::stage (NodeKind::instrument, inst.id.value, st.id, i));
    for (std::uint16_t i = 0; i < 4; ++i)
        fn (ParamAddress::instrument (inst.id, ParamGroup::amp, i));
    for (std::uint16_t i = 0; i < 2; ++i)
        fn (ParamAddress::instrument (inst.id, ParamGroup::lfo, i));
    for (std::uint16_t i = 0; i < 2; ++i)
        fn (ParamAddress::instrument (inst.id, ParamGroup::strip, i));
    for (const auto& send : inst.strip.sends)
        fn (ParamAddress::instrument (inst.id, ParamGroup::send, 0, send.bus.value));
}

std::string validate (const Session& session)
{
    return Checker (session).run();
}

std::optional<ParamInfo> findParam (const Session& session, const ParamAddress& a)
{
    auto ref = resolve (session, a);
    if (ref.value == nullptr)
        return std::nullopt;
    return ParamInfo { *ref.value, ref.minValue, ref.maxValue };
}

float* findParamValue (Session& session, const ParamAddress& a)
{
    return resolve (session, a).value;
}

float* findParamValue (Instrument& instrument, const ParamAddress& a)
{
    return resolveIn (instrument, a).value;
}

std::string describe (const Session& session, const ParamAddress& a)
{
    static constexpr const char* nodes[] = { "instrument", "bus", "master" };
    static constexpr const char* groups[] = { "source", "stage", "amp", "lfo", "strip", "send" };
    std::ostringstream s;
    s << ((std::size_t) a.node < 3 ? nodes[(std::size_t) a.node] : "node");
    if (a.node != NodeKind::master)
        s << ' ' << a.nodeId;
    s << ' ' << ((std::size_t) a.group < 6 ? groups[(std::size_t) a.group] : "group");
    if (a.group == ParamGroup::stage || a.group == ParamGroup::send)
        s << ' ' << a.itemId;
    s << " parameter " << a.index;
    auto ref = resolve (session, a);
    if (ref.value != nullptr)
        s << " (" << ref.name << ')';
    return s.str();
}

} // namespace imbolc::model
