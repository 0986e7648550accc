#pragma once

namespace imbolc::app
{

/** Imbolc's own JACK MIDI ports: one input (`midi_in`) and one output (`midi_out`) on a libjack
    client. JUCE's MIDI devices on Linux are ALSA sequencer ports only; this is how JACK MIDI sources
    (other apps, a2jmidid's bridged hardware, jack_midiseq) play Imbolc, and how Imbolc plays JACK
    synths and sends them clock.

    Timing: each event's frame is mapped to the steady clock (engine::ExternalNotes::nowSeconds) on a
    smooth line through the cycles' start frames and callback times (engine::ExternalClock), so event
    spacing is JACK's frame spacing to the sample, and an output event is written at the frame that line
    gives for its time.

    Threads: open, close, setInputSink on the message thread (the sink before open); the JACK process
    thread calls the sink and drains the output queue; send() from one producer thread at a time (the
    MIDI output sender). */
class JackMidi
{
public:
    /** Receives input on the JACK process thread (real-time: no allocation, no locks). */
    struct InputSink
    {
        virtual ~InputSink() = default;
        /** Raw bytes of one JACK MIDI event (may be anything: parse it), with its steady-clock time. */
        virtual void jackMidiIn (const juce::uint8* data, std::size_t size, double seconds) noexcept = 0;
        /** The input lost a connection or JACK went away: notes held through it must end. Called on a
            JACK notification thread. */
        virtual void jackInputLost() noexcept = 0;
    };

    struct Options
    {
        juce::String clientName = "Imbolc";
        juce::String serverName; ///< empty: JACK's default (JACK_DEFAULT_SERVER)
        int outputQueueSize = 4096;
        double inputMarginSeconds = 0.002; ///< see getInputDelaySeconds
    };

    JackMidi();
    ~JackMidi();

    /** Opens the client and its two ports without starting a server. One sentence on failure (no
        server runs). Message thread. */
    juce::Result open (Options);
    void close();
    bool isOpen() const noexcept { return client != nullptr; }

    /** Set before open(); null: input is read and dropped. Message thread. */
    void setInputSink (InputSink* s) noexcept { sink = s; }

    /** Full port names, e.g. "Imbolc:midi_in", for jack_connect. Empty while closed. */
    juce::String getInputPortName() const;
    juce::String getOutputPortName() const;

    /** JACK's sample rate (0 while closed). */
    double getSampleRate() const noexcept;

    /** How long after its frame's time an input event can reach the sink: one JACK period (a cycle's
        events are read during that cycle, whose frames' times start when it starts) plus a margin for
        the process thread's scheduling. 0 while closed. */
    double getInputDelaySeconds() const noexcept;

    /** Queues one message (1..3 bytes) to leave the output port at steady-clock time `seconds`
        (a time already past leaves at the next cycle's first frame). False, counted, when the queue is
        full or the client is closed. One producer thread. */
    bool send (const TimedMidi&) noexcept;
    std::int64_t getDroppedOutput() const noexcept { return droppedOut.load (std::memory_order_relaxed); }

private:
    static int processCallback (std::uint32_t numFrames, void* self);
    static void connectCallback (std::uint32_t a, std::uint32_t b, int connect, void* self);
    static void shutdownCallback (void* self);
    int process (std::uint32_t numFrames) noexcept;

    void* client = nullptr; ///< jack_client_t*
    void* inPort = nullptr; ///< jack_port_t*
    void* outPort = nullptr;
    std::atomic<InputSink*> sink { nullptr };
    std::unique_ptr<moodycamel::ReaderWriterQueue<TimedMidi>> outQueue;
    std::atomic<std::int64_t> droppedOut { 0 };
    double inputMarginSeconds = 0.002;
    // The process thread's frame line.
    engine::ExternalClock frameClock { 48000.0 };
    bool framesStarted = false;
    std::uint32_t lastCycleStart = 0;
    std::int64_t frames = 0;

    JUCE_DECLARE_NON_COPYABLE (JackMidi)
};

} // namespace imbolc::app
