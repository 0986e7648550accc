namespace imbolc::engine
{

void ArrangementCache::ensure (const model::Session& session)
{
    if (valid)
        return;
    valid = true;
    ++flattenCount;
    notes.clear();
    clipLanes.clear();
    end = 0;

    for (const auto& placement : session.arrangement.placements)
    {
        const auto* clip = session.arrangement.clips.find (placement.clip);
        if (clip == nullptr || clip->length <= 0)
            continue;
        const auto length = placement.length > 0 ? placement.length : clip->length;
        const auto placementEnd = placement.start + length;
        end = std::max (end, placementEnd);

        // A placement longer than its clip repeats the clip; notes are cut at the placement's end.
        auto& out = notes[clip->instrument.value];
        for (model::Tick repeat = 0; repeat < length; repeat += clip->length)
        {
            for (const auto& note : clip->notes)
            {
                auto n = note;
                n.tick = placement.start + repeat + note.tick;
                if (n.tick >= placementEnd)
                    break;
                n.duration = std::min (n.duration, placementEnd - n.tick);
                out.push_back (n);
            }
            for (const auto& lane : clip->automation)
            {
                auto it = std::find_if (clipLanes.begin(), clipLanes.end(), [&] (const Lane& l)
                                        { return l.target == lane.target; });
                if (it == clipLanes.end())
                    it = clipLanes.insert (clipLanes.end(), Lane { lane.target, {} });
                for (const auto& p : lane.points.points)
                    if (p.tick < clip->length && placement.start + repeat + p.tick < placementEnd)
                        it->points.set ({ placement.start + repeat + p.tick, p.value, p.curve });
            }
        }
    }
    for (auto& [id, list] : notes)
        std::sort (list.begin(), list.end(), model::noteOrder);
}

const std::vector<model::Note>& ArrangementCache::notesFor (const model::Session& session, model::InstrumentId id)
{
    ensure (session);
    auto it = notes.find (id.value);
    return it != notes.end() ? it->second : none;
}

const std::vector<ArrangementCache::Lane>& ArrangementCache::lanes (const model::Session& session)
{
    ensure (session);
    return clipLanes;
}

model::Tick ArrangementCache::getEnd (const model::Session& session)
{
    ensure (session);
    return end;
}

//==============================================================================
double swingTick (model::Tick tick, float swing) noexcept
{
    if (swing <= 0.0f)
        return (double) tick;
    const auto beat = (double) model::ticksPerBeat;
    const auto half = beat / 2.0;
    const auto beatStart = std::floor ((double) tick / beat) * beat;
    const auto t = (double) tick - beatStart;
    const auto mid = half + (double) juce::jlimit (0.0f, 1.0f, swing) * beat / 4.0;
    return beatStart + (t <= half ? t * mid / half : mid + (t - half) * (beat - mid) / half);
}

namespace
{
    /** Every lane that plays in the current mode: the session's lanes, then (song mode) the clips'. */
    template <typename Fn>
    void forEachActiveLane (const model::Session& session, ArrangementCache& arrangement, Fn&& fn)
    {
        for (const auto& lane : session.automation)
            if (lane.enabled)
                fn (lane.target, lane.points);
        if (session.arrangement.mode == model::PlayMode::song)
            for (const auto& lane : arrangement.lanes (session))
                fn (lane.target, lane.points);
    }

    const model::PointList* findSwingLane (const model::Session& session, ArrangementCache& arrangement)
    {
        const model::PointList* found = nullptr;
        forEachActiveLane (session, arrangement, [&] (const model::AutomationTarget& t, const model::PointList& points)
                           {
            if (t.kind == model::AutomationTargetKind::swing && ! points.points.empty())
                found = &points; });
        return found;
    }
} // namespace

void buildDrumPattern (const model::Instrument& inst, InstrumentSequence& seq)
{
    seq.pattern.clear();
    seq.patternTicks = 0.0;
    const auto& kit = inst.drums;
    if (! inst.source.isDrumKit() || ! kit.hasPads() || ! kit.hasSteps())
        return;

    // Steps in order, pads in order within a step: sorted by tick, since swing moves an odd step by
    // less than a step. A step's note lasts half a step (the pads are one-shots; it only shows the gate).
    const auto gate = 0.5 * (double) kit.stepTicks();
    for (int s = 0; s < kit.steps; ++s)
        for (int p = 0; p < model::DrumKit::numPads; ++p)
        {
            const auto& step = kit.rows[(std::size_t) p][(std::size_t) s];
            if (! step.on)
                continue;
            SequencedNote n;
            n.tick = kit.stepStart (s);
            n.endTick = n.tick + gate;
            // Seeds the probability roll: different for every cell of every kit, the same every run.
            n.noteId = (inst.id.value * 0x01000193u) ^ (std::uint32_t) (0x40000000 | p << 8 | s);
            n.pitch = (std::uint8_t) (model::DrumKit::firstNote + p);
            n.velocity = (std::uint8_t) juce::jlimit (1, 127, (int) step.velocity);
            n.probability = step.probability;
            seq.pattern.push_back (n);
        }
    seq.patternTicks = (double) kit.cycleTicks();
}

std::unique_ptr<InstrumentSequence> buildInstrumentSequence (const model::Session& session, const model::Instrument& inst, ArrangementCache& arrangement, const LaneResolver& resolve)
{
    auto seq = std::make_unique<InstrumentSequence>();
    buildDrumPattern (inst, *seq);

    const std::vector<model::Note>* source = nullptr;
    if (session.arrangement.mode == model::PlayMode::song)
        source = &arrangement.notesFor (session, inst.id);
    else if (const auto* track = session.pianoRoll.find (inst.id))
        source = &track->notes;

    if (source != nullptr)
    {
        // Swing (constant or automated) is applied here, once, so the audio thread only maps ticks.
        const auto* swingLane = findSwingLane (session, arrangement);
        seq->notes.reserve (source->size());
        for (const auto& n : *source)
        {
            float swing = session.settings.swing;
            if (swingLane != nullptr)
                swing = swingLane->valueAtTick ((double) n.tick).value_or (swing);
            SequencedNote s;
            s.tick = swingTick (n.tick, swing);
            s.endTick = s.tick + (double) std::max<model::Tick> (1, n.duration);
            s.noteId = n.id.value;
            s.pitch = (std::uint8_t) juce::jlimit (0, 127, (int) n.pitch);
            s.velocity = (std::uint8_t) juce::jlimit (1, 127, (int) n.velocity);
            s.probability = n.probability;
            seq->notes.push_back (s);
        }
        // Swing keeps the order within a beat, but keep the binary search's precondition explicit.
        std::stable_sort (seq->notes.begin(), seq->notes.end(), [] (const SequencedNote& a, const SequencedNote& b)
                          { return a.tick < b.tick; });
    }

    forEachActiveLane (session, arrangement, [&] (const model::AutomationTarget& t, const model::PointList& points)
                       {
        if (t.kind != model::AutomationTargetKind::parameter || t.param.node != model::NodeKind::instrument
            || t.param.nodeId != inst.id.value || points.points.empty())
            return;
        if (auto lane = resolve (t.param))
        {
            lane->points = points;
            seq->lanes.push_back (std::move (*lane));
        } });
    return seq;
}

std::unique_ptr<GlobalSequence> buildGlobalSequence (const model::Session& session, ArrangementCache& arrangement, const ChainLaneResolver& resolve)
{
    auto global = std::make_unique<GlobalSequence>();
    global->bpm = session.settings.bpm;
    global->loopEnabled = session.settings.loop.enabled;
    global->loopStart = (double) session.settings.loop.start;
    global->loopEnd = (double) session.settings.loop.end;
    forEachActiveLane (session, arrangement, [&] (const model::AutomationTarget& t, const model::PointList& points)
                       {
        if (points.points.empty())
            return;
        if (t.kind == model::AutomationTargetKind::bpm)
            global->tempoLane = points;
        else if (t.kind == model::AutomationTargetKind::parameter && t.param.node != model::NodeKind::instrument)
            if (auto lane = resolve (t.param))
            {
                lane->lane.points = points;
                global->lanes.push_back (std::move (*lane));
            } });
    return global;
}

model::Tick songEndTick (const model::Session& session, ArrangementCache& arrangement)
{
    model::Tick end = 0;
    if (session.arrangement.mode == model::PlayMode::song)
    {
        end = arrangement.getEnd (session);
    }
    else
    {
        for (const auto& track : session.pianoRoll)
            for (const auto& n : track.notes)
                end = std::max (end, n.tick + n.duration);
    }
    // A pattern plays in either mode: a render hears at least one whole cycle of it.
    for (const auto& inst : session.instruments)
        if (inst.source.isDrumKit() && inst.drums.hasPads() && inst.drums.hasSteps())
            end = std::max (end, (model::Tick) inst.drums.cycleTicks());
    return end;
}

} // namespace imbolc::engine
