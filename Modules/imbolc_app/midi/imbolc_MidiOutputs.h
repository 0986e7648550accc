#pragma once

namespace imbolc::app
{

/** Sends what the engine puts out as MIDI (engine::Engine::getMidiOut: instruments' MIDI output channels
    and MIDI clock out) to the MIDI output device chosen in the audio settings (a juce::MidiOutput) and to
    Imbolc's JACK MIDI output port.

    A sender thread drains the engine's queue every millisecond, sorts each batch by sample time, and
    turns sample times into steady-clock times on a CallbackClock through the engine's published
    callback times (ExternalNotes::readClock), plus the output's latency: a message leaves when the
    engine's same sample is heard, so an external synth plays with the internal instruments. JACK gets
    each message for the frame of that time (JackMidi::send); the device gets it through JUCE's own
    timed background sender (MidiOutput::sendBlockOfMessages).

    Threads: everything on the message thread but the sender thread it owns. */
class MidiOutputs
{
public:
    explicit MidiOutputs (engine::Engine&);
    ~MidiOutputs();

    /** Imbolc's JACK MIDI client (null: none). It must outlive this or be unset first. Message thread. */
    void setJack (JackMidi*);

    /** Opens the MIDI output device with this identifier (juce::MidiOutput::getAvailableDevices; empty:
        none). One sentence on failure. Message thread. */
    juce::Result setDevice (const juce::String& identifier);
    juce::String getDeviceName() const;

    /** How long after the engine renders a sample it is heard (AudioOutput::getOutputLatencySeconds).
        Any thread. */
    void setLatencySeconds (double seconds) noexcept { latency.store (juce::jmax (0.0, seconds), std::memory_order_relaxed); }

    /** Starts or stops the sender thread. Message thread. */
    void start();
    void stop();

    struct Stats
    {
        std::int64_t sent = 0; ///< messages handed to an output
        std::int64_t dropped = 0; ///< lost in the engine's full queue or JACK's
    };
    Stats getStats() const noexcept;

private:
    void run();
    void send (const engine::MidiOutEvent&, double seconds);

    engine::Engine& engine;
    std::atomic<JackMidi*> jack { nullptr };
    mutable std::mutex deviceLock; ///< the device against the sender thread (neither is real-time)
    std::unique_ptr<juce::MidiOutput> device;
    std::atomic<double> latency { 0.0 };
    std::atomic<bool> running { false };
    std::atomic<std::int64_t> sent { 0 };
    std::thread sender;

    JUCE_DECLARE_NON_COPYABLE (MidiOutputs)
};

} // namespace imbolc::app
