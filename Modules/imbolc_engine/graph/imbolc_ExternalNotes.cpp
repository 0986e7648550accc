namespace imbolc::engine
{

ExternalNotes::ExternalNotes (int c)
    : capacity (juce::jmax (1, c)), queue ((std::size_t) juce::jmax (1, c))
{
}

bool ExternalNotes::push (const ExternalNoteEvent& e) noexcept
{
    // Exactly `capacity`, whatever room the queue rounded up to: the consumer's count can only grow
    // while we read it, so a full reading here is never wrong for long, and never blocks.
    const auto inFlight = pushed.load (std::memory_order_relaxed) - popped.load (std::memory_order_acquire);
    if (inFlight >= capacity || ! queue.try_enqueue (e))
    {
        dropped.fetch_add (1, std::memory_order_relaxed);
        return false;
    }
    pushed.fetch_add (1, std::memory_order_relaxed);
    return true;
}

bool ExternalNotes::pushNote (model::InstrumentId id, int note, float velocity, bool on, int offset) noexcept
{
    ExternalNoteEvent e;
    e.instrument = id;
    e.note = (std::uint8_t) juce::jlimit (0, 127, note);
    e.velocity = on ? juce::jlimit (0.0f, 1.0f, velocity) : 0.0f;
    e.on = on;
    e.kind = ExternalNoteEvent::Kind::note;
    e.sampleTime = blockStart + latency + juce::jmax (0, offset);
    return push (e);
}

bool ExternalNotes::pushAllNotesOff (model::InstrumentId id, int offset) noexcept
{
    ExternalNoteEvent e;
    e.instrument = id;
    e.kind = ExternalNoteEvent::Kind::allNotesOff;
    e.sampleTime = blockStart + latency + juce::jmax (0, offset);
    return push (e);
}

bool ExternalNotes::pushParam (model::InstrumentId id, model::ParamGroup group, std::uint32_t item, int index, float value, int offset) noexcept
{
    // Notes keep the last quarter of the queue to themselves: automation only ever loses a value
    // (the next block sends a newer one), a lost note would hang or go missing.
    const auto inFlight = pushed.load (std::memory_order_relaxed) - popped.load (std::memory_order_acquire);
    if (inFlight >= capacity - capacity / 4 || ! std::isfinite (value))
    {
        paramsDropped.fetch_add (1, std::memory_order_relaxed);
        return false;
    }
    ExternalNoteEvent e;
    e.instrument = id;
    e.kind = ExternalNoteEvent::Kind::param;
    e.group = group;
    e.item = item;
    e.index = (std::uint16_t) juce::jlimit (0, 65535, index);
    e.value = value;
    e.sampleTime = blockStart + latency + juce::jmax (0, offset); // with the notes it shapes
    if (! push (e))
    {
        paramsDropped.fetch_add (1, std::memory_order_relaxed);
        return false;
    }
    return true;
}

bool ExternalNotes::pop (ExternalNoteEvent& e) noexcept
{
    if (! queue.try_dequeue (e))
        return false;
    popped.fetch_add (1, std::memory_order_release);
    return true;
}

double ExternalNotes::nowSeconds() noexcept
{
    // steady_clock reads the vDSO clock: no system call, no lock, safe on the audio thread.
    return std::chrono::duration<double> (std::chrono::steady_clock::now().time_since_epoch()).count();
}

void ExternalNotes::beginCallback (std::int64_t sampleTime) noexcept
{
    blockStart = sampleTime;
    const auto seconds = nowSeconds();
    // Seqlock write: odd while the pair changes, so a reader retries instead of pairing old and new.
    const auto sequence = clockSequence.load (std::memory_order_relaxed);
    clockSequence.store (sequence + 1, std::memory_order_relaxed);
    std::atomic_thread_fence (std::memory_order_release);
    clockSample.store (sampleTime, std::memory_order_relaxed);
    clockSeconds.store (seconds, std::memory_order_relaxed);
    clockSequence.store (sequence + 2, std::memory_order_release);
}

bool ExternalNotes::readClock (ClockPoint& p) const noexcept
{
    for (;;)
    {
        const auto before = clockSequence.load (std::memory_order_acquire);
        if (before == 0)
            return false;
        if ((before & 1) != 0)
        {
            std::this_thread::yield(); // the audio thread is between two stores: a few nanoseconds
            continue;
        }
        const auto sample = clockSample.load (std::memory_order_relaxed);
        const auto seconds = clockSeconds.load (std::memory_order_relaxed);
        std::atomic_thread_fence (std::memory_order_acquire);
        if (clockSequence.load (std::memory_order_relaxed) == before)
        {
            p = { sample, seconds };
            return true;
        }
    }
}

//==============================================================================
ExternalClock::ExternalClock (double rate)
    : ExternalClock (rate, Options {})
{
}

ExternalClock::ExternalClock (double rate, Options o)
    : sampleRate (rate > 0.0 ? rate : 48000.0), options (o)
{
}

bool ExternalClock::observe (std::int64_t sampleTime, double seconds) noexcept
{
    const bool restarted = anchored && sampleTime < lastSample;
    const auto error = anchored ? seconds - toSeconds (sampleTime) : 0.0;
    lastSample = sampleTime;
    if (! anchored || restarted || std::abs (error) > options.reanchorSeconds)
    {
        anchored = true;
        anchorSample = sampleTime;
        anchorSeconds = seconds;
        ++reanchors;
        return true;
    }
    anchorSeconds += options.slew * error;
    return false;
}

bool ExternalClock::observe (const ExternalNotes& notes) noexcept
{
    ExternalNotes::ClockPoint p;
    return notes.readClock (p) && observe (p);
}

double ExternalClock::toSeconds (std::int64_t sampleTime) const noexcept
{
    return anchorSeconds + (double) (sampleTime - anchorSample) / sampleRate;
}

void ExternalClock::setSampleRate (double rate) noexcept
{
    if (! (rate > 0.0) || rate == sampleRate)
        return;
    if (anchored)
    {
        // Keep the mapping continuous where it was last observed; only the slope changes from there.
        anchorSeconds = toSeconds (lastSample);
        anchorSample = lastSample;
    }
    sampleRate = rate;
}

} // namespace imbolc::engine
