namespace imbolc::model
{

VoiceAllocator::VoiceAllocator (int l)
{
    setLimit (l);
    reset();
}

void VoiceAllocator::reset() noexcept
{
    for (auto& s : slots)
        s = Slot {};
    numUsed = 0;
    numActive = 0;
    numFree = capacity;
    // Popped from the back: slot 0 first.
    for (int i = 0; i < capacity; ++i)
        freeStack[(std::size_t) i] = capacity - 1 - i;
    orderCounter = 0;
}

void VoiceAllocator::setLimit (int l) noexcept
{
    limit = juce::jlimit (1, maxVoices, l);
}

int VoiceAllocator::pickPolicy (const float* levels) const noexcept
{
    // Released voices first, the one whose release began earliest; then held voices, the oldest,
    // tie-broken by the quietest, then by note-on order.
    int best = -1;
    for (int i = 0; i < numUsed; ++i)
    {
        const int s = usedList[(std::size_t) i];
        const auto& c = slots[(std::size_t) s];
        if (c.state != State::released && c.state != State::held)
            continue;
        if (best < 0)
        {
            best = s;
            continue;
        }
        const auto& b = slots[(std::size_t) best];
        if (c.state != b.state)
        {
            if (c.state == State::released)
                best = s;
            continue;
        }
        const auto cTime = c.state == State::released ? c.offTime : c.onTime;
        const auto bTime = b.state == State::released ? b.offTime : b.onTime;
        if (cTime != bTime)
        {
            if (cTime < bTime)
                best = s;
            continue;
        }
        const float cl = levels != nullptr ? levels[s] : 0.0f;
        const float bl = levels != nullptr ? levels[best] : 0.0f;
        if (cl != bl)
        {
            if (cl < bl)
                best = s;
            continue;
        }
        if (c.order < b.order)
            best = s;
    }
    return best;
}

int VoiceAllocator::chooseVictim (int note, const float* levels) const noexcept
{
    for (int i = 0; i < numUsed; ++i)
    {
        const int s = usedList[(std::size_t) i];
        const auto& c = slots[(std::size_t) s];
        if ((c.state == State::held || c.state == State::released) && c.note == note)
            return s;
    }
    return numActive >= limit ? pickPolicy (levels) : -1;
}

int VoiceAllocator::chooseVictimOverLimit (const float* levels) const noexcept
{
    return numActive > limit ? pickPolicy (levels) : -1;
}

int VoiceAllocator::acquire() noexcept
{
    if (numFree == 0)
        return -1;
    const int s = freeStack[(std::size_t) --numFree];
    usedIndex[(std::size_t) s] = numUsed;
    usedList[(std::size_t) numUsed++] = s;
    slots[(std::size_t) s].state = State::stolen; // not active until start()
    return s;
}

int VoiceAllocator::quietestStolen (const float* levels) const noexcept
{
    int best = -1;
    for (int i = 0; i < numUsed; ++i)
    {
        const int s = usedList[(std::size_t) i];
        if (slots[(std::size_t) s].state == State::stolen && (best < 0 || (levels != nullptr && levels[s] < levels[best])))
            best = s;
    }
    return best;
}

void VoiceAllocator::start (int slot, int note, std::int64_t time) noexcept
{
    auto& c = slots[(std::size_t) slot];
    jassert (c.state == State::stolen); // freshly acquired
    c.state = State::held;
    c.note = (std::int16_t) note;
    c.onTime = time;
    c.offTime = 0;
    c.order = ++orderCounter;
    ++numActive;
}

void VoiceAllocator::release (int slot, std::int64_t time) noexcept
{
    auto& c = slots[(std::size_t) slot];
    if (c.state != State::held)
        return;
    c.state = State::released;
    c.offTime = time;
}

void VoiceAllocator::steal (int slot) noexcept
{
    auto& c = slots[(std::size_t) slot];
    if (c.state != State::held && c.state != State::released)
        return;
    c.state = State::stolen;
    --numActive;
}

void VoiceAllocator::free (int slot) noexcept
{
    auto& c = slots[(std::size_t) slot];
    if (c.state == State::free)
        return;
    if (c.state == State::held || c.state == State::released)
        --numActive;
    c = Slot {};
    const int at = usedIndex[(std::size_t) slot];
    const int last = usedList[(std::size_t) --numUsed];
    usedList[(std::size_t) at] = last;
    usedIndex[(std::size_t) last] = at;
    freeStack[(std::size_t) numFree++] = slot;
}

} // namespace imbolc::model
