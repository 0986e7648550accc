namespace imbolc::engine
{

std::unique_ptr<CompensationDelay::Memory> CompensationDelay::makeMemory (int delaySamples, int maxBlockSize)
{
    const int length = juce::nextPowerOfTwo (juce::jlimit (1, maxDelaySamples, delaySamples) + juce::jmax (1, maxBlockSize));
    auto m = std::make_unique<Memory> (2, length);
    m->clear();
    return m;
}

CompensationDelay::Memory* CompensationDelay::exchangeMemory (Memory* next) noexcept
{
    auto* old = memory.release();
    memory.reset (next);
    const int oldMask = mask;
    mask = next != nullptr ? next->getNumSamples() - 1 : 0;
    // The history both memories can hold comes along (a grown line keeps all of it), at the same ring
    // positions relative to the sample counter.
    const auto history = juce::jmin<std::uint64_t> (written - validFrom, (std::uint64_t) juce::jmin (oldMask, mask));
    if (old != nullptr && next != nullptr)
        for (int c = 0; c < 2; ++c)
        {
            const auto* from = old->getReadPointer (c);
            auto* to = next->getWritePointer (c);
            for (std::uint64_t t = written - history; t < written; ++t)
                to[t & (std::uint64_t) mask] = from[t & (std::uint64_t) oldMask];
        }
    validFrom = written - history;
    // What no longer fits is not read: the delays stand within the new memory.
    const int longest = delayFor (mask + (next != nullptr ? 1 : 0));
    current = juce::jmin (current, longest);
    target = juce::jmin (target, longest);
    if (pending >= 0)
        pending = juce::jmin (pending, longest);
    return old;
}

void CompensationDelay::setDelay (int samples) noexcept
{
    const int longest = memory != nullptr ? delayFor (mask + 1) : 0;
    const int next = juce::jlimit (0, longest, samples);
    if (current != target)
    {
        pending = next == target ? -1 : next; // after the fade under way
        return;
    }
    if (next == current)
        return;
    if (isIdle())
    {
        // Starting from nothing: no history yet; what is written from now on ramps in.
        validFrom = written;
        rampIn = fadeLength;
    }
    target = next;
    fadePosition = 0;
}

void CompensationDelay::reset() noexcept
{
    const int wanted = getTargetDelay();
    current = target = wanted;
    pending = -1;
    fadePosition = 0;
    validFrom = written;
    rampIn = wanted > 0 ? fadeLength : 0;
}

float CompensationDelay::read (int channel, float input, int delay, std::uint64_t at) const noexcept
{
    if (delay == 0)
        return input;
    const auto t = at - (std::uint64_t) delay;
    if (at < (std::uint64_t) delay || t < validFrom)
        return 0.0f;
    return memory->getSample (channel, (int) (t & (std::uint64_t) mask));
}

void CompensationDelay::process (juce::AudioBuffer<float>& buffer, int n) noexcept
{
    if (isIdle() || memory == nullptr)
        return;
    // Steady (no fade, no ramp, history as long as the delay) and room for the block beside the delay:
    // the block goes into the ring and the delayed block comes out, as whole copies.
    if (current == target && rampIn == 0 && written - validFrom >= (std::uint64_t) current && current + n <= mask + 1)
    {
        const auto length = (std::uint64_t) mask + 1;
        for (int c = 0; c < 2; ++c)
        {
            auto* io = buffer.getWritePointer (c);
            auto* ring = memory->getWritePointer (c);
            for (int done = 0; done < n;)
            {
                const auto at = (written + (std::uint64_t) done) & (std::uint64_t) mask;
                const int count = (int) juce::jmin ((std::uint64_t) (n - done), length - at);
                std::copy (io + done, io + done + count, ring + at);
                done += count;
            }
            for (int done = 0; done < n;)
            {
                const auto at = (written + (std::uint64_t) done - (std::uint64_t) current) & (std::uint64_t) mask;
                const int count = (int) juce::jmin ((std::uint64_t) (n - done), length - at);
                std::copy (ring + at, ring + at + count, io + done);
                done += count;
            }
        }
        written += (std::uint64_t) n;
        return;
    }
    auto* io0 = buffer.getWritePointer (0);
    auto* io1 = buffer.getWritePointer (1);
    auto* ring0 = memory->getWritePointer (0);
    auto* ring1 = memory->getWritePointer (1);
    const auto m = (std::uint64_t) mask;
    for (int i = 0; i < n; ++i)
    {
        const float x0 = io0[i], x1 = io1[i];
        float g = 1.0f;
        if (rampIn > 0)
            g = 1.0f - (float) rampIn-- / (float) fadeLength;
        ring0[written & m] = x0 * g;
        ring1[written & m] = x1 * g;
        float y0 = read (0, x0, current, written), y1 = read (1, x1, current, written);
        if (target != current)
        {
            const float w = (float) ++fadePosition / (float) fadeLength;
            y0 += w * (read (0, x0, target, written) - y0);
            y1 += w * (read (1, x1, target, written) - y1);
            if (fadePosition >= fadeLength)
            {
                current = target;
                fadePosition = 0;
                if (pending >= 0)
                {
                    target = pending;
                    pending = -1;
                }
            }
        }
        io0[i] = y0;
        io1[i] = y1;
        ++written;
    }
}

} // namespace imbolc::engine
