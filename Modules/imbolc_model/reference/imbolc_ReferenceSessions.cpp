namespace imbolc::model
{

namespace
{
    /** Deterministic everywhere: mt19937's sequence is fixed by the standard (distributions are not). */
    class Dice
    {
    public:
        explicit Dice (std::uint32_t seed)
            : engine (seed) {}
        std::uint32_t below (std::uint32_t n) { return engine() % n; }
        float unit() { return (float) (engine() >> 8) / (float) (1u << 24); }

    private:
        std::mt19937 engine;
    };

    /** Applies an action that must succeed; a failure here is a bug in the generator. */
    std::uint32_t must (Dispatcher& d, const Action& a)
    {
        auto r = d.apply (a);
        if (! r.ok())
            throw std::logic_error (std::string ("reference session: ") + actionName (a) + ": " + r.error);
        return r.createdId;
    }

    Stage filterStage (FilterType t)
    {
        Stage s;
        s.kind = StageKind::filter;
        s.filter = t;
        return s;
    }
    Stage effectStage (EffectType t)
    {
        Stage s;
        s.kind = StageKind::effect;
        s.effect = t;
        return s;
    }
    Stage eqStage()
    {
        Stage s;
        s.kind = StageKind::eq;
        return s;
    }

    Source builtIn (BuiltInSource b)
    {
        Source s;
        s.kind = SourceKind::builtIn;
        s.builtIn = b;
        if (b == BuiltInSource::sampler)
            s.samplePath = "samples/demo-piano-c4.wav";
        return s;
    }

    const StageId stageAt (const Session& s, InstrumentId id, std::size_t i) { return s.instruments.find (id)->chain.at (i).id; }

    Session makeSmall()
    {
        Session session;
        UndoHistory history;
        Dispatcher d (session, history);
        must (d, action::RenameSession { "Imbolc demo" });
        must (d, action::SetBpm { 112.0 });
        must (d, action::SetKey { 9, Scale::minor });
        must (d, action::SetSwing { 0.12f });
        must (d, action::SetLoop { { true, 0, 16 * ticksPerBeat } });

        const auto reverbBus = BusId { must (d, action::AddBus { "Reverb" }) };
        must (d, action::AddStage { NodeKind::bus, reverbBus.value, effectStage (EffectType::reverb) });
        const auto drumBus = BusId { must (d, action::AddBus { "Drums" }) };
        must (d, action::AddStage { NodeKind::bus, drumBus.value, effectStage (EffectType::compressor) });
        must (d, action::AddStage { NodeKind::master, 0, eqStage() });
        must (d, action::AddStage { NodeKind::master, 0, effectStage (EffectType::limiter) });

        struct Voice
        {
            const char* name;
            BuiltInSource source;
            std::vector<Stage> chain;
        };
        const std::vector<Voice> voices = {
            { "Saw lead", BuiltInSource::saw, { filterStage (FilterType::lowPass), effectStage (EffectType::delay) } },
            { "Square bass", BuiltInSource::square, { filterStage (FilterType::lowPass), effectStage (EffectType::distortion) } },
            { "Pulse keys", BuiltInSource::pulse, { filterStage (FilterType::bandPass), effectStage (EffectType::chorus) } },
            { "Triangle pluck", BuiltInSource::triangle, { filterStage (FilterType::highPass), eqStage() } },
            { "Sine sub", BuiltInSource::sine, { effectStage (EffectType::gain) } },
            { "Noise wash", BuiltInSource::noise, { filterStage (FilterType::notch), effectStage (EffectType::reverb) } },
            { "Supersaw pad", BuiltInSource::supersaw, { filterStage (FilterType::lowPass), effectStage (EffectType::chorus) } },
            { "FM bell", BuiltInSource::fm, { eqStage(), effectStage (EffectType::delay) } },
            { "Piano sample", BuiltInSource::sampler, { effectStage (EffectType::compressor) } },
            { "Kick", BuiltInSource::kick, { effectStage (EffectType::distortion) } },
            { "Snare", BuiltInSource::snare, { filterStage (FilterType::highPass) } },
            { "Hat", BuiltInSource::hat, { filterStage (FilterType::highPass), effectStage (EffectType::limiter) } },
        };

        std::vector<InstrumentId> ids;
        for (const auto& v : voices)
            ids.push_back (InstrumentId { must (d, action::AddInstrument { v.name, builtIn (v.source), Backend::internal, v.chain }) });

        const auto lead = ids[0], bass = ids[1], keys = ids[2], pad = ids[6], bell = ids[7];
        const auto kick = ids[9], snare = ids[10], hat = ids[11];
        for (auto drum : { kick, snare, hat })
            must (d, action::SetOutput { drum, drumBus });
        for (auto wet : { lead, keys, pad, bell })
            must (d, action::AddSend { wet, reverbBus, 0.35f, false });
        must (d, action::SetSendTap { pad, reverbBus, true });
        must (d, action::SetLfo { lead, true, LfoShape::sine, ParamAddress::stage (NodeKind::instrument, lead.value, stageAt (session, lead, 0), 0) });
        must (d, action::SetParam { ParamAddress::instrument (lead, ParamGroup::lfo, (std::uint16_t) LfoParam::depth), 0.3f });
        must (d, action::SetParam { ParamAddress::instrument (bass, ParamGroup::strip, (std::uint16_t) StripParam::pan), -0.2f });
        must (d, action::SetParam { ParamAddress::instrument (pad, ParamGroup::amp, (std::uint16_t) AmpParam::attack), 0.8f });
        must (d, action::SetVoiceCap { pad, 12 });
        must (d, action::SetGroove { hat, Groove { 0.3f, 0.2f, false, ArpMode::up, 4, 1 } });
        must (d, action::SetGroove { keys, Groove { 0.0f, 0.0f, true, ArpMode::upDown, 4, 2 } });

        // Four bars in A minor: Am F C G. A bar is 4 beats.
        const Tick beat = ticksPerBeat, bar = 4 * beat;
        const std::uint8_t roots[] = { 57, 53, 48, 55 };
        const std::uint8_t thirds[] = { 3, 4, 4, 4 };
        auto note = [&] (InstrumentId i, Tick t, Tick len, int pitch, int vel)
        {
            must (d, action::AddNote { i, Note { {}, t, len, (std::uint8_t) pitch, (std::uint8_t) vel, 1.0f } });
        };
        for (int b = 0; b < 4; ++b)
        {
            const Tick t0 = b * bar;
            const int root = roots[b];
            note (bass, t0, 2 * beat, root - 12, 110);
            note (bass, t0 + 2 * beat, beat, root - 12, 90);
            note (bass, t0 + 3 * beat, beat, root - 5, 95);
            for (int k : { 0, (int) thirds[b], 7 })
                note (pad, t0, bar, root + k, 70);
            note (keys, t0, bar, root + 12, 80);
            note (ids[3], t0 + beat / 2, beat / 2, root + 19, 75);
            note (ids[4], t0, bar, root - 24, 100);
            note (ids[5], t0, 2 * bar, 60, 40);
            note (bell, t0 + 3 * beat, beat, root + 24, 64);
            note (ids[8], t0 + 2 * beat, beat, root + 12, 85);
            for (int q = 0; q < 4; ++q)
                note (kick, t0 + q * beat, beat / 2, 36, 120);
            note (snare, t0 + beat, beat / 2, 38, 110);
            note (snare, t0 + 3 * beat, beat / 2, 38, 115);
            for (int e = 0; e < 8; ++e)
                note (hat, t0 + e * beat / 2, beat / 4, 42, e % 2 ? 70 : 95);
            static constexpr int melody[] = { 0, 3, 7, 10, 12, 10, 7, 3 };
            for (int e = 0; e < 8; ++e)
                note (lead, t0 + e * beat / 2, beat / 2, root + 12 + melody[(e + b) % 8], 90 + (e % 3) * 10);
        }

        const auto cutoffLane = LaneId { must (d, action::AddLane { { AutomationTargetKind::parameter, ParamAddress::stage (NodeKind::instrument, pad.value, stageAt (session, pad, 0), 0) } }) };
        for (int i = 0; i <= 8; ++i)
            must (d, action::SetPoint { cutoffLane, Point { i * 2 * beat, 400.0f + 400.0f * (float) i, i % 2 ? CurveType::sCurve : CurveType::exponential } });
        const auto busLane = LaneId { must (d, action::AddLane { { AutomationTargetKind::parameter, { NodeKind::bus, reverbBus.value, ParamGroup::strip, 0, 0 } } }) };
        must (d, action::SetPoint { busLane, Point { 0, 0.4f, CurveType::linear } });
        must (d, action::SetPoint { busLane, Point { 16 * beat, 0.9f, CurveType::step } });

        const auto leadClip = ClipId { must (d, action::AddClip { lead, "Lead riff", 4 * bar, true }) };
        const auto drumClip = ClipId { must (d, action::AddClip { kick, "Four on the floor", bar, true }) };
        for (int b = 0; b < 4; ++b)
            must (d, action::AddPlacement { drumClip, b * bar, 0 });
        must (d, action::AddPlacement { leadClip, 4 * bar, 0 });
        must (d, action::AddPlacement { leadClip, 8 * bar, 2 * bar });

        // Last, so every id above stays what it was before drum kits: a kit on the drum bus with a
        // swung 16-step pattern of rim, pedal hat and open hat, and a tom fill that plays now and then.
        const auto kit = InstrumentId { must (d, action::AddInstrument { "Drum machine", builtIn (BuiltInSource::drumKit), Backend::internal, { effectStage (EffectType::gain) } }) };
        must (d, action::SetOutput { kit, drumBus });
        must (d, action::SetDrumPattern { kit, 16, 4, 0.25f });
        std::vector<action::DrumStepEdit> steps;
        auto step = [&] (int pad, int s, int velocity, float probability = 1.0f)
        {
            steps.push_back ({ pad, s, DrumStep { true, (std::uint8_t) velocity, probability } });
        };
        for (int s : { 3, 7, 11 })
            step (1, s, 70); // rim
        for (int s = 1; s < 16; s += 2)
            step (8, s, 50 + 10 * (s % 3)); // pedal hat on the off-beats
        step (10, 14, 80); // open hat
        step (5, 13, 90, 0.5f); // toms: a fill every other bar or so
        step (9, 14, 95, 0.5f);
        step (11, 15, 100, 0.5f);
        must (d, action::SetDrumSteps { kit, steps });
        return session;
    }

    Session makeLarge()
    {
        Session session;
        UndoHistory history (nullptr, 1); // the generator never undoes: keep just one entry
        Dispatcher d (session, history);
        Dice dice (20261124u);
        must (d, action::RenameSession { "Imbolc large reference" });
        must (d, action::SetBpm { 128.0 });

        std::vector<BusId> buses;
        for (int b = 0; b < 8; ++b)
        {
            buses.push_back (BusId { must (d, action::AddBus { "Bus " + std::to_string (b + 1) }) });
            must (d, action::AddStage { NodeKind::bus, buses.back().value, effectStage (b % 2 ? EffectType::delay : EffectType::reverb) });
            must (d, action::AddStage { NodeKind::bus, buses.back().value, effectStage (EffectType::compressor) });
        }
        must (d, action::AddStage { NodeKind::master, 0, effectStage (EffectType::limiter) });

        std::vector<InstrumentId> ids;
        for (int i = 0; i < 64; ++i)
        {
            // The twelve sources there were before the drum kit, so the benchmark session stays the same.
            const auto source = (BuiltInSource) (i % 12);
            std::vector<Stage> chain { filterStage ((FilterType) (i % numFilterTypes)), eqStage(), effectStage ((EffectType) (i % numBuiltInEffectTypes)), effectStage ((EffectType) ((i + 3) % numBuiltInEffectTypes)) };
            const auto id = InstrumentId { must (d, action::AddInstrument { "Instrument " + std::to_string (i + 1), builtIn (source), Backend::internal, chain }) };
            ids.push_back (id);
            must (d, action::AddSend { id, buses[(std::size_t) i % buses.size()], 0.25f, i % 3 == 0 });
            if (i % 4 == 0)
                must (d, action::SetOutput { id, buses[(std::size_t) (i / 4) % buses.size()] });
        }

        // Bulk data goes straight into the model, sorted, then the whole session is validated: routing
        // 74,000 edits through the dispatcher would measure undo snapshots, not the session.
        for (int n = 0; n < 10000; ++n)
        {
            auto& track = *session.pianoRoll.find (ids[dice.below ((std::uint32_t) ids.size())]);
            Note note { session.allocateId<NoteId>(), (Tick) dice.below (256 * 4) * (ticksPerBeat / 4), (Tick) (1 + dice.below (8)) * (ticksPerBeat / 4), (std::uint8_t) (36 + dice.below (60)), (std::uint8_t) (40 + dice.below (88)), dice.below (10) == 0 ? 0.5f : 1.0f };
            track.insert (note);
        }

        for (int l = 0; l < 64; ++l)
        {
            const auto inst = ids[(std::size_t) l];
            const auto target = ParamAddress::stage (NodeKind::instrument, inst.value, stageAt (session, inst, 0), 0);
            const auto lane = LaneId { must (d, action::AddLane { { AutomationTargetKind::parameter, target } }) };
            auto& points = session.automation.find (lane)->points.points;
            points.reserve (1000);
            for (int p = 0; p < 1000; ++p)
                points.push_back ({ (Tick) p * ticksPerBeat, 20.0f + 19980.0f * dice.unit(), (CurveType) (p % 4) });
        }

        for (int c = 0; c < 16; ++c)
        {
            const auto clip = ClipId { must (d, action::AddClip { ids[(std::size_t) c * 4], "Clip " + std::to_string (c + 1), 8 * ticksPerBeat, true }) };
            for (int p = 0; p < 8; ++p)
                must (d, action::AddPlacement { clip, (Tick) (c * 8 + p) * 8 * ticksPerBeat, 0 });
        }
        must (d, action::SetPlayMode { PlayMode::song });

        if (auto e = validate (session); ! e.empty())
            throw std::logic_error ("reference session is invalid: " + e);
        return session;
    }
} // namespace

Session makeReferenceSession (ReferenceSize size)
{
    auto session = size == ReferenceSize::small ? makeSmall() : makeLarge();
    session.transport = {};
    return session;
}

} // namespace imbolc::model
