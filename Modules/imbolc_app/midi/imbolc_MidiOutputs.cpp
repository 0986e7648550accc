namespace imbolc::app
{

MidiOutputs::MidiOutputs (engine::Engine& e)
    : engine (e)
{
}

MidiOutputs::~MidiOutputs()
{
    stop();
}

void MidiOutputs::setJack (JackMidi* j)
{
    jack.store (j, std::memory_order_release);
}

juce::Result MidiOutputs::setDevice (const juce::String& identifier)
{
    std::unique_ptr<juce::MidiOutput> next;
    if (identifier.isNotEmpty())
    {
        next = juce::MidiOutput::openDevice (identifier);
        if (next == nullptr)
            return juce::Result::fail ("The MIDI output " + identifier + " could not be opened: choose another in Options > Audio Settings.");
        // JUCE's own thread sends each message at its time.
        next->startBackgroundThread();
    }
    std::unique_ptr<juce::MidiOutput> old;
    {
        const std::lock_guard<std::mutex> l (deviceLock);
        old = std::exchange (device, std::move (next));
    }
    return juce::Result::ok();
}

juce::String MidiOutputs::getDeviceName() const
{
    const std::lock_guard<std::mutex> l (deviceLock);
    return device != nullptr ? device->getName() : juce::String();
}

void MidiOutputs::start()
{
    if (running.exchange (true))
        return;
    sender = std::thread ([this]
                          { run(); });
}

void MidiOutputs::stop()
{
    running = false;
    if (sender.joinable())
        sender.join();
}

MidiOutputs::Stats MidiOutputs::getStats() const noexcept
{
    Stats s;
    s.sent = sent.load (std::memory_order_relaxed);
    s.dropped = engine.getMidiOut().getDropped();
    if (auto* j = jack.load (std::memory_order_acquire))
        s.dropped += j->getDroppedOutput();
    return s;
}

void MidiOutputs::send (const engine::MidiOutEvent& e, double seconds)
{
    if (auto* j = jack.load (std::memory_order_acquire); j != nullptr && j->isOpen())
    {
        TimedMidi m;
        m.seconds = seconds;
        m.data = e.data;
        m.size = e.size;
        j->send (m);
    }
    const std::lock_guard<std::mutex> l (deviceLock);
    if (device != nullptr)
    {
        // JUCE's background sender counts in Time::getMillisecondCounterHiRes; the two clocks are tied
        // here, at the moment of sending, so they need not share an origin.
        const auto dueMs = juce::Time::getMillisecondCounterHiRes() + (seconds - engine::ExternalNotes::nowSeconds()) * 1000.0;
        juce::MidiBuffer one;
        one.addEvent (e.data.data(), e.size, 0);
        device->sendBlockOfMessages (one, dueMs, 1000.0);
    }
    sent.fetch_add (1, std::memory_order_relaxed);
}

void MidiOutputs::run()
{
    auto& queue = engine.getMidiOut();
    auto& notes = engine.getExternalNotes();
    CallbackClock clock (engine.getSampleRate());
    std::int64_t lastReading = -1;
    std::vector<engine::MidiOutEvent> batch;
    batch.reserve (4096);
    while (running.load())
    {
        // The engine's callbacks against the steady clock: the earliest readings draw the line (a late
        // callback does not move the messages after it).
        if (engine::ExternalNotes::ClockPoint p; notes.readClock (p) && p.sampleTime != lastReading)
        {
            if (clock.getSampleRate() != notes.getSampleRate() && notes.getSampleRate() > 0.0)
                clock = CallbackClock (notes.getSampleRate());
            clock.observe (p.sampleTime, p.seconds);
            lastReading = p.sampleTime;
        }
        batch.clear();
        for (engine::MidiOutEvent e; queue.pop (e);)
            batch.push_back (e);
        if (! batch.empty() && clock.isAnchored())
        {
            // A chunk's clock comes before its instruments' notes, each instrument's in order: one time
            // order for outputs that want one (JACK).
            std::stable_sort (batch.begin(), batch.end(), [] (const engine::MidiOutEvent& a, const engine::MidiOutEvent& b)
                              { return a.sampleTime < b.sampleTime; });
            const auto heardAfter = latency.load (std::memory_order_relaxed);
            for (const auto& e : batch)
                send (e, clock.toSeconds (e.sampleTime) + heardAfter);
        }
        std::this_thread::sleep_for (std::chrono::milliseconds (1));
    }
}

} // namespace imbolc::app
