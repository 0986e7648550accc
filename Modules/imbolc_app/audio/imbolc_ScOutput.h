#pragma once

namespace imbolc::app
{

/** The SuperCollider side of a live session: a ScBackend following the session, fed by a thread that
    drains the engine's external notes every millisecond and sends each as a bundle timetagged when the
    internal engine's same sample is heard (computed, plus one device buffer) plus the backend's
    latency. The engine's sample clock is mapped to wall time by an ExternalClock, so callback jitter
    does not move notes.

    Message thread, except the sender thread it owns.
*/
class ScOutput
{
public:
    ScOutput (engine::Engine&, sc::ScBackend::Options);
    ~ScOutput();

    /** Connects and builds the session on scsynth, then starts sending notes. Message thread. */
    juce::Result start (const model::Session&);

    void apply (const model::Session& session, const model::ChangeSet& changes) { backend.apply (session, changes); }

    /** Status polling and recovery. Message thread. */
    void update (const model::Session&);

    /** The backend's sentences (server lost, definitions refused, ...) since the last call. Message thread. */
    std::vector<juce::String> takeWarnings();

    /** "scsynth: 12 notes, CPU 3.1 %, 7 synths" */
    juce::String describe() const;

    /** The scsynth part of the session's metering. Message thread. */
    protocol::ServerMeter getServerMeter() const;

    sc::ScBackend& getBackend() noexcept { return backend; }

private:
    void send();

    engine::Engine& engine;
    sc::ScBackend backend;
    std::atomic<bool> running { false };
    std::atomic<std::int64_t> notesSent { 0 };
    std::thread sender;
};

} // namespace imbolc::app
