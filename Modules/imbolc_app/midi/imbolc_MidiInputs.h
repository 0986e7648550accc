#pragma once

namespace imbolc::app
{

/** Live MIDI from outside, turned into each audio block's MidiBuffer with every event on its sample.

    Sources:
    - JUCE MIDI input devices (ALSA sequencer ports on Linux) enabled in a juce::AudioDeviceManager
      (its MIDI input settings: the audio settings dialog's list); attach() listens to all of them;
    - Imbolc's JACK MIDI input port (JackMidi; this is its InputSink).

    Each producer thread (JUCE's MIDI thread, the JACK process thread) parses what it gets
    (MidiByteParser: running status resolved, system exclusive and floods dropped and counted) and
    pushes timestamped messages into its own preallocated single-producer queue; a full queue drops
    and counts, never blocks or grows.

    The audio thread drains both in fill(): it maps each event's steady-clock time to a sample of the
    block with a smooth line through its own callback times (CallbackClock: a late callback does
    not move notes) and a constant latency of one block, so events keep their spacing to the
    sample. An event not yet due stays queued for a later block.

    Notes never hang: what live input holds is remembered per channel, and note-offs for all of it are
    added when the transport stops, an input goes away (a device disabled or removed, the JACK port
    disconnected or JACK gone) or releaseHeldNotes() asks. A new MIDI target instrument gets the
    engine's own care (AudioGraph ends the old target's live notes).

    Real-time bytes (clock, start, continue, stop) and song position pointers do not enter the
    MidiBuffer: they go to the RealtimeListener, if any, on the audio thread with their sample offset
    (MIDI clock in: MidiClockFollower).

    Threads: construct, attach, detach, prepare on the message thread (prepare with the audio thread
    stopped); fill on the audio thread; releaseHeldNotes and getStats from any thread. */
class MidiInputs final : public JackMidi::InputSink,
                         private juce::MidiInputCallback,
                         private juce::ChangeListener
{
public:
    struct Options
    {
        int queueSize = 2048; ///< messages waiting per producer
        int maxEventsPerBlock = 1024; ///< more wait for the next block
    };

    /** Receives real-time bytes and song position pointers on the audio thread during fill(). */
    struct RealtimeListener
    {
        virtual ~RealtimeListener() = default;
        /** `message`: 0xf8, 0xfa, 0xfb or 0xfc alone, or 0xf2 and its two data bytes, with its
            steady-clock time; `offset`: its sample in the block being filled. */
        virtual void midiSystem (const TimedMidi& message, int offset) noexcept = 0;
    };

    MidiInputs()
        : MidiInputs (Options {}) {}
    explicit MidiInputs (Options);
    ~MidiInputs() override;

    /** Plays the devices `devices` has enabled (now and as the person changes them). Message thread. */
    void attach (juce::AudioDeviceManager& devices);
    void detach();

    /** The rate and block the audio thread will run at. Message thread, audio stopped. */
    void prepare (double sampleRate, int blockSize);

    /** Set before audio starts (or while it is stopped). */
    void setRealtimeListener (RealtimeListener* l) noexcept { realtime = l; }

    /** The block's live MIDI, `numSamples` long. `transportPlaying`: the song plays now (a stop ends
        held notes). Never allocates, locks or blocks. Audio thread. */
    const juce::MidiBuffer& fill (int numSamples, bool transportPlaying) noexcept;

    /** Ends every note live input holds, at the next block's first sample. Any thread. */
    void releaseHeldNotes() noexcept { releaseRequested.store (true, std::memory_order_release); }

    struct Stats
    {
        std::int64_t received = 0; ///< messages queued by producers
        std::int64_t dropped = 0; ///< lost to full queues (floods)
        std::int64_t filtered = 0; ///< system exclusive, system common and stray bytes
        std::int64_t late = 0; ///< played at a block's first sample because they came too late
    };
    Stats getStats() const noexcept;

    /** The latency fill() adds, in samples (one block). */
    int getLatencySamples() const noexcept { return latency; }

    /** How much later than its time stamp a producer's events can reach the queue, in seconds, added to
        that producer's latency so its events are never late (0: JUCE devices, 1: JACK). JACK delivers
        a cycle's events during the cycle after their frames, so JACK's is its period plus a margin for
        scheduling (JackMidi says it). Any thread; takes effect at the next block. */
    void setProducerDelay (int producer, double seconds) noexcept;

    // JackMidi::InputSink: the JACK threads.
    void jackMidiIn (const juce::uint8* data, std::size_t size, double seconds) noexcept override;
    void jackInputLost() noexcept override;

    /** Pushes bytes as the named producer would (0: JUCE devices, 1: JACK). For a producer thread. */
    void pushFromProducer (int producer, const juce::uint8* data, std::size_t size, double seconds) noexcept;

private:
    using Queue = moodycamel::ReaderWriterQueue<TimedMidi>;
    struct Producer
    {
        explicit Producer (int size)
            : queue ((std::size_t) size) {}
        Queue queue;
        MidiByteParser parser;
        std::atomic<std::int64_t> received { 0 }, dropped { 0 }, filtered { 0 };
        std::atomic<double> delay { 0.0 };
    };

    void handleIncomingMidiMessage (juce::MidiInput*, const juce::MidiMessage&) override;
    void changeListenerCallback (juce::ChangeBroadcaster*) override;
    void drain (Producer&, double blockStart, int numSamples) noexcept;
    void add (const juce::uint8* data, int size, int offset) noexcept;
    void releaseAll() noexcept;
    juce::StringArray enabledDevices() const;

    const Options options;
    Producer juceDevices, jack;
    juce::SpinLock juceProducerLock; ///< JUCE may call from one thread per device on some systems
    juce::AudioDeviceManager* devices = nullptr;
    juce::StringArray lastEnabled;
    RealtimeListener* realtime = nullptr;
    std::atomic<bool> releaseRequested { false };

    // The audio thread's.
    juce::MidiBuffer buffer;
    CallbackClock clock;
    double rate = 48000.0;
    int latency = 512;
    std::int64_t sampleTime = 0;
    int eventsThisBlock = 0;
    bool wasPlaying = false;
    std::array<std::array<std::uint64_t, 2>, 16> held {};
    std::atomic<std::int64_t> late { 0 };

    JUCE_DECLARE_NON_COPYABLE (MidiInputs)
};

} // namespace imbolc::app
