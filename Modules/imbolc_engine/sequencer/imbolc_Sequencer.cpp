namespace imbolc::engine
{

void Sequencer::prepare (double rate) noexcept
{
    // Keep the musical position across a rate change: only the tick-to-sample mapping changes.
    const auto here = positionAt (elapsed);
    sampleRate = rate > 0.0 ? rate : 48000.0;
    reanchor (here);
}

void Sequencer::reanchor (double tick) noexcept
{
    anchorTick = tick;
    elapsed = 0;
    ticksPerSample = tempo / 60.0 * (double) model::ticksPerBeat / sampleRate;
}

double Sequencer::tempoAt (double tick) const noexcept
{
    if (hostFollowing && hostBpm > 0.0)
        return juce::jlimit (20.0, 999.0, hostBpm);
    if (global != nullptr)
        if (auto v = global->tempoLane.valueAtTick (tick))
            return juce::jlimit (20.0, 999.0, (double) *v);
    return baseTempo;
}

void Sequencer::play() noexcept
{
    if (! playing)
    {
        playing = true;
        pass = 0;
        reanchor (positionAt (elapsed));
    }
}

void Sequencer::stop() noexcept
{
    if (playing)
    {
        playing = false;
        jumped = true;
    }
}

void Sequencer::locate (double tick) noexcept
{
    if (! std::isfinite (tick))
        return;
    reanchor (juce::jmax (0.0, tick));
    pass = 0;
    jumped = true;
}

void Sequencer::locateForCountIn (double tick) noexcept
{
    if (! std::isfinite (tick))
        return;
    reanchor (tick);
    pass = 0;
    jumped = true;
}

void Sequencer::setTempo (double bpm) noexcept
{
    if (std::isfinite (bpm) && bpm > 0.0)
        baseTempo = juce::jlimit (20.0, 999.0, bpm);
}

void Sequencer::setHostTiming (bool following, double bpm, bool useLoop, double loopStart, double loopEnd) noexcept
{
    hostFollowing = following;
    hostBpm = following && std::isfinite (bpm) ? bpm : 0.0;
    hostLoopOverride = following && useLoop;
    const bool valid = std::isfinite (loopStart) && std::isfinite (loopEnd) && loopStart >= 0.0 && loopEnd > loopStart;
    hostLoopStart = valid ? loopStart : 0.0;
    hostLoopEnd = valid ? loopEnd : 0.0;
}

GlobalSequence* Sequencer::exchangeGlobal (GlobalSequence* next) noexcept
{
    auto* old = global;
    global = next;
    if (global != nullptr)
        setTempo (global->bpm);
    return old;
}

const BlockPlan& Sequencer::plan (int n) noexcept
{
    current.releaseAll = jumped;
    jumped = false;
    current.playing = playing;
    current.numSpans = 0;

    // The tempo holds for the block (read at its start); the anchor moves only when it changes, so
    // at a steady tempo every note lands on its exact sample however long the song has played.
    const auto start = positionAt (elapsed);
    if (const auto t = tempoAt (start); t != tempo)
    {
        tempo = t;
        reanchor (start);
    }

    if (! playing)
    {
        current.endTick = start;
        return current;
    }

    // The host's loop, while it plays its own timeline, or the session's.
    double loopStart = 0.0, loopEnd = 0.0;
    if (hostLoopOverride)
    {
        loopStart = hostLoopStart;
        loopEnd = hostLoopEnd;
    }
    else if (global != nullptr && global->loopEnabled)
    {
        loopStart = (double) global->loopStart;
        loopEnd = (double) global->loopEnd;
    }
    const bool looping = loopEnd > loopStart;
    bool release = false;
    int offset = 0, wrapsLeft = BlockPlan::maxSpans - 1; // bounded even for a loop shorter than a sample
    while (offset < n)
    {
        const auto tick = positionAt (elapsed);
        int length = n - offset;
        bool wraps = false;
        // A block may end exactly on the loop end: the next one then starts on it and wraps at once.
        if (looping && tick < loopEnd + 1.0e-6 * ticksPerSample && current.numSpans < BlockPlan::maxSpans - 1 && wrapsLeft > 0)
        {
            // The first sample at or past the loop end belongs to the next pass.
            const auto toEnd = juce::jmax (0, (int) std::ceil ((loopEnd - tick) / ticksPerSample - 1.0e-6));
            if (toEnd < length)
            {
                length = juce::jmax (0, toEnd);
                wraps = true;
            }
        }
        if (length > 0)
        {
            auto& span = current.spans[(std::size_t) current.numSpans++];
            span = { offset, length, tick, ticksPerSample, release, pass };
            release = false;
            elapsed += length;
            offset += length;
        }
        if (wraps)
        {
            --wrapsLeft;
            reanchor (loopStart);
            ++pass;
            release = true;
        }
    }
    current.endTick = positionAt (elapsed);
    return current;
}

} // namespace imbolc::engine
