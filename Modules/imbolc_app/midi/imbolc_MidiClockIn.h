#pragma once

namespace imbolc::app
{

/** MIDI clock in: the session follows an external MIDI clock (a drum machine, a hardware sequencer, another
    DAW) the way it follows a plugin host: its tempo, its start, continue and stop, and its song position
    pointer.

    The clock's messages come from live MIDI input (MidiInputs: JUCE devices and Imbolc's JACK port) on the
    audio thread, each on the sample of the block it belongs to, and become the engine::HostTransport the
    engine follows (AudioOutput::setTransportSource):

    - Tempo: the engine plays at the tempo of the last 6 clock intervals (a sixteenth note: a tempo change
      is followed within one), the session shows that of the last 24 (a beat: steadier). A start or
      continue keeps the tempo known before it.
    - Position: start (0xfa) plays from the song's start, continue (0xfb) from where it stopped or from the
      last song position pointer; the first clock after either is that position, on its sample (the song
      may start inside a block). Each clock is 1/24 of a beat further. The engine is given a position that
      moves at the tempo it is given, and that tempo leans (at most 8 %) towards the clocks' positions, so
      the song never jumps (a jump would cut the notes it holds) unless the master does (more than half a
      beat away: a song position pointer while playing, a restart).
    - Stop (0xfc) stops; so does a master that falls silent while playing (no clock for 8 expected
      intervals, at least 0.25 s).
    - Before any clock or start, and 2 s after the last message while stopped, it says nothing: the
      session keeps its own time and its Play button.

    Message thread: construction, setEnabled, update, getStatus. Audio thread: midiSystem (called by
    MidiInputs::fill, which AudioOutput runs before it asks for the transport) and fill. */
class MidiClockFollower final : public TransportSource,
                                public MidiInputs::RealtimeListener
{
public:
    /** `host`: the session whose tempo display and play state update() keeps with the clock's (null:
        none, for tests of the audio side). It must outlive this. */
    explicit MidiClockFollower (SessionHost* host = nullptr);
    ~MidiClockFollower() override;

    /** On: the clock is followed from the next block. Off: the session has its own time again. Message thread. */
    void setEnabled (bool);
    bool isEnabled() const noexcept { return enabled.load (std::memory_order_relaxed); }

    struct Status
    {
        bool receiving = false; ///< a clock is followed now
        bool playing = false;
        double bpm = 0.0; ///< the clock's tempo (0 before two clocks)
        double ppq = 0.0; ///< where the last block started, in quarter notes
    };
    /** Any thread. */
    Status getStatus() const noexcept;

    /** Shows the clock's tempo in the session (to a hundredth of a BPM, no undo entry, to every seat) and
        its play state (the session shows playing while the clock plays). Call it from the app's tick.
        Message thread. */
    void update();

    // The audio thread.
    void midiSystem (const TimedMidi&, int offset) noexcept override;
    bool fill (engine::HostTransport&, int numSamples, double sampleRate, double outputLatencySeconds) noexcept override;

private:
    enum class State
    {
        stopped,
        armed, ///< start or continue came; the next clock is the position
        playing
    };

    /** The tempo of the last `intervals` clock intervals (fewer while fewer came); 0 without two clocks. */
    double estimateBpm (double sampleRate, int intervals) const noexcept;
    void reset() noexcept;

    SessionHost* host;
    std::atomic<bool> enabled { false };
    std::atomic<bool> statusReceiving { false }, statusPlaying { false };
    std::atomic<double> statusBpm { 0.0 }, statusPpq { 0.0 };

    // The audio thread's.
    bool filling = false, heard = false, jumpPending = false, startPending = false;
    State state = State::stopped;
    std::int64_t blockStart = 0, lastActivity = 0, lastClockAt = 0;
    double lastClockBeat = 0.0, stoppedBeat = 0.0, jumpBeat = 0.0, position = 0.0, lastBpm = 120.0, shownBpm = 120.0;
    static constexpr int clockWindow = 25; ///< 24 intervals: one beat
    std::array<std::int64_t, (std::size_t) clockWindow> clocks {};
    int numClocks = 0, clockHead = 0;

    JUCE_DECLARE_NON_COPYABLE (MidiClockFollower)
};

} // namespace imbolc::app
