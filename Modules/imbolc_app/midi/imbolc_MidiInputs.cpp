namespace imbolc::app
{

namespace
{
    /** Bytes one event takes in a juce::MidiBuffer (its sample position, its size, its data). */
    constexpr int midiBufferEventBytes = (int) (sizeof (std::int32_t) + sizeof (std::uint16_t)) + 3;
} // namespace

MidiInputs::MidiInputs (Options o)
    : options (o), juceDevices (o.queueSize), jack (o.queueSize)
{
    // Room for a full block of events plus a note-off for every note of every channel: addEvent never
    // grows the buffer on the audio thread.
    buffer.ensureSize ((std::size_t) ((options.maxEventsPerBlock + 16 * 128) * midiBufferEventBytes));
}

MidiInputs::~MidiInputs()
{
    detach();
}

void MidiInputs::attach (juce::AudioDeviceManager& d)
{
    detach();
    devices = &d;
    lastEnabled = enabledDevices();
    devices->addMidiInputDeviceCallback ({}, this);
    devices->addChangeListener (this);
}

void MidiInputs::detach()
{
    if (devices == nullptr)
        return;
    devices->removeChangeListener (this);
    devices->removeMidiInputDeviceCallback ({}, this);
    devices = nullptr;
    releaseHeldNotes();
}

juce::StringArray MidiInputs::enabledDevices() const
{
    juce::StringArray enabled;
    if (devices != nullptr)
        for (const auto& info : juce::MidiInput::getAvailableDevices())
            if (devices->isMidiInputDeviceEnabled (info.identifier))
                enabled.add (info.identifier);
    return enabled;
}

void MidiInputs::changeListenerCallback (juce::ChangeBroadcaster*)
{
    // A device the person disabled (or unplugged) may have been holding notes.
    const auto now = enabledDevices();
    for (const auto& id : lastEnabled)
        if (! now.contains (id))
            releaseHeldNotes();
    lastEnabled = now;
}

void MidiInputs::prepare (double sampleRate, int blockSize)
{
    rate = sampleRate > 0.0 ? sampleRate : 48000.0;
    latency = juce::jmax (1, blockSize);
    clock = CallbackClock (rate);
    sampleTime = 0;
}

void MidiInputs::handleIncomingMidiMessage (juce::MidiInput*, const juce::MidiMessage& message)
{
    // JUCE's time stamp is Time::getMillisecondCounterHiRes() / 1000 at reception: CLOCK_MONOTONIC, the
    // steady clock's, on Linux. Elsewhere it is not promised to be, so reception time is taken there.
#if JUCE_LINUX
    const auto seconds = message.getTimeStamp() > 0.0 ? message.getTimeStamp() : engine::ExternalNotes::nowSeconds();
#else
    const auto seconds = engine::ExternalNotes::nowSeconds();
#endif
    const juce::SpinLock::ScopedLockType lock (juceProducerLock);
    pushFromProducer (0, message.getRawData(), (std::size_t) message.getRawDataSize(), seconds);
}

void MidiInputs::jackMidiIn (const juce::uint8* data, std::size_t size, double seconds) noexcept
{
    pushFromProducer (1, data, size, seconds);
}

void MidiInputs::jackInputLost() noexcept
{
    releaseHeldNotes();
}

void MidiInputs::pushFromProducer (int producer, const juce::uint8* data, std::size_t size, double seconds) noexcept
{
    auto& p = producer == 0 ? juceDevices : jack;
    const auto filteredBefore = p.parser.getDropped();
    p.parser.feed (data, size, [&] (const juce::uint8* bytes, int n)
                   {
                       TimedMidi m;
                       m.seconds = seconds;
                       m.size = (std::uint8_t) n;
                       std::copy (bytes, bytes + n, m.data.begin());
                       if (p.queue.try_enqueue (m))
                           p.received.fetch_add (1, std::memory_order_relaxed);
                       else
                           p.dropped.fetch_add (1, std::memory_order_relaxed); });
    if (const auto filtered = p.parser.getDropped() - filteredBefore; filtered > 0)
        p.filtered.fetch_add (filtered, std::memory_order_relaxed);
}

const juce::MidiBuffer& MidiInputs::fill (int numSamples, bool transportPlaying) noexcept
{
    buffer.clear();
    eventsThisBlock = 0;
    clock.observe (sampleTime, engine::ExternalNotes::nowSeconds());
    const auto blockStart = clock.toSeconds (sampleTime);
    sampleTime += numSamples;

    if (releaseRequested.exchange (false, std::memory_order_acq_rel) || (wasPlaying && ! transportPlaying))
        releaseAll();
    wasPlaying = transportPlaying;

    drain (jack, blockStart, numSamples);
    drain (juceDevices, blockStart, numSamples);
    return buffer;
}

void MidiInputs::setProducerDelay (int producer, double seconds) noexcept
{
    (producer == 0 ? juceDevices : jack).delay.store (juce::jmax (0.0, seconds), std::memory_order_relaxed);
}

void MidiInputs::drain (Producer& producer, double blockStart, int numSamples) noexcept
{
    auto& queue = producer.queue;
    const auto delay = producer.delay.load (std::memory_order_relaxed);
    while (const auto* e = queue.peek())
    {
        if (eventsThisBlock >= options.maxEventsPerBlock)
            return; // a flood: the rest plays from the next block on
        // One block late, always: what happened during the previous block's time plays in this one, on
        // the same distance from its start.
        const auto position = std::floor ((e->seconds + delay - blockStart) * rate + 0.5) + (double) latency;
        if (position >= (double) numSamples)
            return; // not due yet (each producer's events come in time order)
        int offset = (int) position;
        if (position < 0.0)
        {
            offset = 0;
            late.fetch_add (1, std::memory_order_relaxed);
        }
        if (e->isSystem())
        {
            if (realtime != nullptr)
                realtime->midiSystem (*e, offset);
        }
        else
        {
            add (e->data.data(), e->size, offset);
        }
        queue.pop();
    }
}

void MidiInputs::add (const juce::uint8* data, int size, int offset) noexcept
{
    const auto type = data[0] & 0xf0;
    const auto channel = (std::size_t) (data[0] & 0x0f);
    if (size == 3 && (type == 0x80 || type == 0x90))
    {
        const auto bit = std::uint64_t { 1 } << (data[1] & 63);
        auto& word = held[channel][(std::size_t) ((data[1] >> 6) & 1)];
        word = type == 0x90 && data[2] > 0 ? (word | bit) : (word & ~bit);
    }
    else if (size == 3 && type == 0xb0 && (data[1] == 120 || data[1] == 123))
    {
        held[channel] = {};
    }
    buffer.addEvent (data, size, offset);
    ++eventsThisBlock;
}

void MidiInputs::releaseAll() noexcept
{
    for (std::size_t channel = 0; channel < 16; ++channel)
        for (int pitch = 0; pitch < 128; ++pitch)
            if ((held[channel][(std::size_t) (pitch >> 6)] & (std::uint64_t { 1 } << (pitch & 63))) != 0)
            {
                const juce::uint8 off[3] = { (juce::uint8) (0x80 | channel), (juce::uint8) pitch, 0 };
                buffer.addEvent (off, 3, 0);
            }
    held = {};
}

MidiInputs::Stats MidiInputs::getStats() const noexcept
{
    Stats s;
    for (const auto* p : { &juceDevices, &jack })
    {
        s.received += p->received.load (std::memory_order_relaxed);
        s.dropped += p->dropped.load (std::memory_order_relaxed);
        s.filtered += p->filtered.load (std::memory_order_relaxed);
    }
    s.late = late.load (std::memory_order_relaxed);
    return s;
}

} // namespace imbolc::app
