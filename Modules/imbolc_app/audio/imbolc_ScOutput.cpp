namespace imbolc::app
{

ScOutput::ScOutput (engine::Engine& e, sc::ScBackend::Options options)
    : engine (e), backend (std::move (options))
{
}

ScOutput::~ScOutput()
{
    running = false;
    if (sender.joinable())
        sender.join();
}

juce::Result ScOutput::start (const model::Session& session)
{
    auto result = backend.start (session);
    if (result.failed())
        return result;
    running = true;
    sender = std::thread ([this]
                          { send(); });
    return result;
}

void ScOutput::send()
{
    auto& notes = engine.getExternalNotes();
    engine::ExternalClock clock (engine.getSampleRate());
    // The engine computes a block one device buffer before it is heard: scsynth's notes are due
    // then too, so both backends sound together.
    const auto heardAfter = engine.getMaxBlockSize() / engine.getSampleRate();
    while (running.load())
    {
        clock.observe (notes);
        if (clock.isAnchored())
        {
            // The clock is in steady-clock seconds; OSC timetags are NTP wall-clock seconds.
            const auto steadyToNtp = sc::ScsynthClient::ntpNow() - engine::ExternalNotes::nowSeconds() + heardAfter;
            notes.drain ([&] (const engine::ExternalNoteEvent& e)
                         {
                             const auto due = clock.toSeconds (e.sampleTime) + steadyToNtp;
                             if (e.kind == engine::ExternalNoteEvent::Kind::param)
                                 backend.automate (e.instrument, e.group, e.item, e.index, e.value, due);
                             else if (e.kind == engine::ExternalNoteEvent::Kind::allNotesOff)
                                 backend.allNotesOff (e.instrument, due);
                             else if (e.on)
                             {
                                 backend.noteOn (e.instrument, e.note, e.velocity, due);
                                 ++notesSent;
                             }
                             else
                                 backend.noteOff (e.instrument, e.note, due); });
        }
        std::this_thread::sleep_for (std::chrono::milliseconds (1));
    }
}

void ScOutput::update (const model::Session& session)
{
    backend.update (session);
}

std::vector<juce::String> ScOutput::takeWarnings()
{
    std::vector<juce::String> out;
    for (const auto& w : backend.takeWarnings())
        out.emplace_back (w);
    return out;
}

juce::String ScOutput::describe() const
{
    const auto m = backend.getMeters();
    juce::String text = "scsynth: " + juce::String (notesSent.load()) + " notes";
    if (m.state == sc::ScBackend::State::lost)
        return text + ", server lost";
    return text + ", CPU " + juce::String (m.status.averageCpu, 1) + " %, " + juce::String (m.status.synths) + " synths";
}

protocol::ServerMeter ScOutput::getServerMeter() const
{
    const auto meters = backend.getMeters();
    return { meters.state == sc::ScBackend::State::lost ? protocol::ServerMeter::State::lost : protocol::ServerMeter::State::running,
             meters.status.averageCpu,
             meters.status.peakCpu,
             meters.status.synths,
             meters.status.ugens };
}

} // namespace imbolc::app
