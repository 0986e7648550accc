namespace imbolc::engine
{

void MidiClockOut::pushPosition (MidiOutQueue& out, std::int64_t at, double tick) noexcept
{
    // Sixteenth notes since the song's start, 14 bits (a song longer than 4,096 beats is told its last).
    const auto sixteenths = juce::jlimit (0, 16383, (int) std::floor (tick / ticksPerSixteenth + 1.0e-9));
    const std::uint8_t bytes[3] = { 0xf2, (std::uint8_t) (sixteenths & 0x7f), (std::uint8_t) (sixteenths >> 7) };
    out.push (at, bytes, 3);
}

void MidiClockOut::process (const BlockPlan& plan, std::int64_t chunkStart, MidiOutQueue& out) noexcept
{
    if (! enabled.load (std::memory_order_relaxed))
    {
        if (running || pending)
            push (out, chunkStart, 0xfc);
        running = pending = false;
        positionSent = -1.0;
        return;
    }
    if (! plan.playing || plan.numSpans == 0)
    {
        if (running || pending)
            push (out, chunkStart, 0xfc);
        running = pending = false;
        // Where a person put the stopped play head, so a receiver shows (and later continues from) it.
        const auto at = juce::jmax (0.0, plan.endTick);
        if (at != positionSent)
        {
            pushPosition (out, chunkStart, at);
            positionSent = at;
        }
        return;
    }
    positionSent = -1.0;

    for (int s = 0; s < plan.numSpans; ++s)
    {
        const auto& span = plan.spans[(std::size_t) s];
        if (span.length <= 0 || span.ticksPerSample <= 0.0)
            continue;
        if ((! running && ! pending) || span.releaseFirst)
        {
            // Started, or the song jumped (a locate, a loop wrap): a running receiver stops here and
            // resumes on the first sixteenth the song reaches (the song's start during a count-in).
            if (running)
                push (out, chunkStart + span.offset, 0xfc);
            running = false;
            pending = true;
            pendingTick = juce::jmax (0.0, std::ceil (span.startTick / ticksPerSixteenth - 1.0e-9) * ticksPerSixteenth);
        }
        auto from = span.startTick;
        if (pending)
        {
            // On the sample the sequenced notes of that tick play on (a later span's, if it is past this one).
            const auto sample = span.sampleAt (pendingTick);
            if (sample >= span.length)
                continue;
            const auto at = chunkStart + span.offset + juce::jmax (0, sample);
            if (pendingTick == 0.0)
            {
                push (out, at, 0xfa);
            }
            else
            {
                pushPosition (out, at, pendingTick);
                push (out, at, 0xfb);
            }
            running = true;
            pending = false;
            from = pendingTick;
        }
        for (auto tick = std::ceil (from / ticksPerClock - 1.0e-9) * ticksPerClock;; tick += ticksPerClock)
        {
            const auto sample = span.sampleAt (tick);
            if (sample >= span.length)
                break;
            push (out, chunkStart + span.offset + juce::jmax (0, sample), 0xf8);
        }
    }
}

} // namespace imbolc::engine
