#include "imbolc_Cli.h"

namespace imbolc::cli
{

bool hasSuperColliderInstruments (const model::Session& session)
{
    return std::any_of (session.instruments.begin(), session.instruments.end(), [] (const auto& i)
                        { return i.backend == model::Backend::superCollider; });
}

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
    for (const auto& w : backend.takeWarnings())
        std::cerr << "warning: " << w << "\n";
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
                             if (e.kind == engine::ExternalNoteEvent::Kind::allNotesOff)
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
    for (const auto& w : backend.takeWarnings())
        std::cerr << "\nwarning: " << w << "\n";
}

juce::String ScOutput::describe() const
{
    const auto m = backend.getMeters();
    juce::String text = "scsynth: " + juce::String (notesSent.load()) + " notes";
    if (m.state == sc::ScBackend::State::lost)
        return text + ", server lost";
    return text + ", CPU " + juce::String (m.status.averageCpu, 1) + " %, " + juce::String (m.status.synths) + " synths";
}

} // namespace imbolc::cli
