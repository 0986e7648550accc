namespace imbolc::app
{

bool MidiRecorder::records (const model::Session& session, model::InstrumentId selected, model::InstrumentId who) const
{
    if (! who.isValid())
        return false;
    const bool anyArmed = std::any_of (session.instruments.begin(), session.instruments.end(), [] (const model::Instrument& i)
                                       { return i.recordArmed; });
    if (anyArmed)
    {
        const auto* inst = session.instruments.find (who);
        return inst != nullptr && inst->recordArmed;
    }
    return who == selected && session.instruments.find (who) != nullptr;
}

void MidiRecorder::endHeld (double atTick, const model::LoopRegion& loop)
{
    for (const auto& [key, note] : held)
    {
        model::Note n;
        n.tick = (model::Tick) std::llround (note.startTick);
        // Ending before it began: the loop wrapped since (with no note played after the wrap), so it
        // ends at the loop's end, like a note held over a wrap.
        const auto end = atTick < note.startTick && loop.enabled ? (double) loop.end : atTick;
        n.duration = juce::jmax<model::Tick> (1, (model::Tick) std::llround (end) - n.tick);
        n.pitch = (std::uint8_t) key.second;
        n.velocity = (std::uint8_t) juce::jlimit (1, 127, note.velocity);
        pending[key.first].push_back (n);
    }
    held.clear();
}

void MidiRecorder::process (const model::Session& session, model::InstrumentId selected, const std::vector<engine::Engine::LiveMidi>& live, EngineState engine)
{
    using K = engine::CapturedMidi::Kind;
    const bool recording = session.transport.recording;
    const auto& loop = session.settings.loop;
    for (const auto& e : live)
    {
        if (! e.playing || e.countingIn || (e.kind != K::noteOn && e.kind != K::noteOff))
            continue;
        if (! active)
        {
            // A recording starts with its first note played while the transport records.
            if (! recording || e.kind != K::noteOn)
                continue;
            active = true;
            pass = e.pass;
            recorded.clear();
        }
        if (e.pass != pass)
        {
            // The loop wrapped: what the last pass played is a take; notes held over the wrap end at
            // the loop's end.
            endHeld ((double) loop.end, loop);
            commitPass (session);
            pass = e.pass;
        }
        if (! records (session, selected, e.instrument))
            continue;
        const auto key = std::make_pair (e.instrument.value, e.number);
        if (e.kind == K::noteOn)
        {
            if (auto it = held.find (key); it != held.end())
            {
                // The same key again before its note-off: the first note ends where the second starts.
                model::Note n;
                n.tick = (model::Tick) std::llround (it->second.startTick);
                n.duration = juce::jmax<model::Tick> (1, (model::Tick) std::llround (e.tick) - n.tick);
                n.pitch = (std::uint8_t) e.number;
                n.velocity = (std::uint8_t) juce::jlimit (1, 127, it->second.velocity);
                pending[key.first].push_back (n);
            }
            held[key] = { e.tick, e.value };
        }
        else if (auto it = held.find (key); it != held.end())
        {
            model::Note n;
            n.tick = (model::Tick) std::llround (it->second.startTick);
            n.duration = juce::jmax<model::Tick> (1, (model::Tick) std::llround (e.tick) - n.tick);
            n.pitch = (std::uint8_t) e.number;
            n.velocity = (std::uint8_t) juce::jlimit (1, 127, it->second.velocity);
            pending[key.first].push_back (n);
            held.erase (it);
        }
    }

    if (! active)
        return;
    // Stopped: held notes end where the transport stopped, once the engine reports it has (it then
    // stands there). Punched out while playing: where the play head is.
    const bool stopped = ! session.transport.playing && ! engine.playing;
    const bool punchedOut = session.transport.playing && ! recording;
    if (stopped || punchedOut)
    {
        endHeld (engine.playheadTicks, session.settings.loop);
        commitPass (session);
        active = false;
        recorded.clear();
    }
}

void MidiRecorder::commitPass (const model::Session& session)
{
    const bool replace = session.settings.recordMode == model::RecordMode::replace;
    bool committed = false;
    for (auto& [instrumentValue, notes] : pending)
    {
        if (notes.empty())
            continue;
        const model::InstrumentId instrument { instrumentValue };
        if (session.instruments.find (instrument) == nullptr)
            continue; // deleted while recording
        model::action::EditNotes edit;
        edit.instrument = instrument;

        if (session.arrangement.mode == model::PlayMode::song)
        {
            // The clip of this instrument under the take's first note.
            const auto first = std::min_element (notes.begin(), notes.end(), [] (const model::Note& a, const model::Note& b)
                                                 { return a.tick < b.tick; })
                                   ->tick;
            const model::Placement* under = nullptr;
            for (const auto& p : session.arrangement.placements)
                if (const auto* clip = session.arrangement.clips.find (p.clip); clip != nullptr && clip->instrument == instrument)
                {
                    const auto length = p.length > 0 ? p.length : clip->length;
                    if (first >= p.start && first < p.start + length)
                        under = &p;
                }
            if (under == nullptr)
                continue;
            const auto* clip = session.arrangement.clips.find (under->clip);
            edit.clip = clip->id;
            for (auto n : notes)
            {
                n.tick -= under->start;
                if (n.tick < 0 || n.tick >= clip->length)
                    continue;
                n.duration = juce::jmin (n.duration, clip->length - n.tick);
                edit.add.push_back (n);
            }
        }
        else
        {
            edit.add = notes;
        }
        if (edit.add.empty())
            continue;

        auto& earlier = recorded[instrumentValue];
        if (replace && earlier.first == edit.clip)
        {
            // Only the earlier passes' notes that are still there (a person may have deleted some).
            const auto* track = edit.clip.isValid() ? nullptr : session.pianoRoll.find (instrument);
            const auto* clip = edit.clip.isValid() ? session.arrangement.clips.find (edit.clip) : nullptr;
            const auto& existing = track != nullptr ? track->notes : (clip != nullptr ? clip->notes : std::vector<model::Note> {});
            for (const auto id : earlier.second)
                if (std::any_of (existing.begin(), existing.end(), [id] (const model::Note& n)
                                 { return n.id == id; }))
                    edit.remove.push_back (id);
            earlier.second.clear();
        }
        const auto count = edit.add.size();
        const auto clip = edit.clip;
        const auto result = apply (edit);
        if (! result.ok())
            continue;
        committed = true;
        if (earlier.first != clip)
            earlier = { clip, {} };
        for (std::size_t i = 0; i < count; ++i)
            earlier.second.push_back (model::NoteId { result.createdId + (std::uint32_t) i });
    }
    pending.clear();
    if (committed)
        ++committedTakes;
}

} // namespace imbolc::app
