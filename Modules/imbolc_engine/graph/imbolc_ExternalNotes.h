#pragma once

namespace imbolc::engine
{

/** One note event of an instrument that the engine sequences but does not render: a SuperCollider
    backend instrument (model::Backend::superCollider). Small and trivially copyable, so it travels
    a preallocated lock-free queue from the audio thread.

    sampleTime counts samples on the engine's own clock: 0 is the first sample rendered after the
    last Engine::prepare, and it advances by every sample the engine renders (playing or not, in
    real time or offline). A note on tick T of a song played from the top has exactly the sample
    time the sequencer maps T to, the same sample an internal instrument starts that note on.
*/
struct ExternalNoteEvent
{
    enum class Kind : std::uint8_t
    {
        note, ///< one note on (on) or off (! on)
        allNotesOff, ///< every note of the instrument ends (its chain was removed or rebuilt, or allNotesOff)
        param ///< an automated or LFO-modulated parameter's value from this sample on (group, item, index, value)
    };

    model::InstrumentId instrument;
    std::uint8_t note = 0; ///< MIDI note number 0..127 (0 for allNotesOff)
    float velocity = 0.0f; ///< 0..1 (the MIDI velocity / 127); 0 for note-offs and allNotesOff
    bool on = false; ///< true only for a note-on
    Kind kind = Kind::note;
    std::int64_t sampleTime = 0; ///< on the engine's sample clock (see above)

    // Kind::param only: which of the instrument's parameters, as the model addresses it.
    model::ParamGroup group = model::ParamGroup::source; ///< source, amp, stage, strip or send
    std::uint16_t index = 0; ///< the parameter's index in its group (model::ParamAddress::index)
    std::uint32_t item = 0; ///< the StageId (stage) or the send's BusId (send), else 0
    float value = 0.0f; ///< in the parameter's own units, clamped to its range

    bool operator== (const ExternalNoteEvent&) const = default;
};

static_assert (std::is_trivially_copyable_v<ExternalNoteEvent>);

/** The engine's external-note output: what SuperCollider-backend instruments play (notes, and the
    values of their automated and LFO-modulated parameters), as timed events for a renderer outside
    the engine (scsynth), plus the clock that relates their sample times to
    wall time.

    One producer, the audio thread (whichever thread calls Engine::process), and one consumer, a
    single non-real-time thread that polls pop() or drain(). The queue is a readerwriterqueue
    preallocated for exactly getCapacity() events: the producer only ever try_enqueues, so when the
    consumer falls behind the newest events are dropped and counted (getDropped()), never blocked on
    and never allocated for.

    Order: events arrive block by block, so across blocks in time order; within one block they come
    instrument by instrument, each instrument's in time order (a note-off before a retrigger on the
    same sample, an allNotesOff before the notes of the chain that replaced it). A consumer that needs
    one time order sorts what it holds stably by sampleTime.

    The clock: once per audio callback the audio thread publishes the callback's first sample time
    and the steady-clock time it started at (a seqlock: the consumer never sees a torn pair, the audio
    thread never waits). That reading has the jitter of the audio callback (scheduling delays, a
    device that processes in bursts); mapping each event through the newest reading would move notes
    by that jitter. Feed the readings to an ExternalClock instead, which keeps a smooth mapping and
    re-anchors only on a real discontinuity.
*/
class ExternalNotes
{
public:
    /** Message thread, before any audio runs: allocates room for exactly `capacity` events. */
    explicit ExternalNotes (int capacity);

    //==============================================================================
    // Consumer: one non-real-time thread.

    /** Takes the oldest event, if any. Consumer thread. */
    bool pop (ExternalNoteEvent&) noexcept;

    /** Calls f (const ExternalNoteEvent&) for every event waiting, oldest first; returns how many.
        Consumer thread. */
    template <typename F>
    int drain (F&& f)
    {
        int count = 0;
        for (ExternalNoteEvent e; pop (e); ++count)
            f (static_cast<const ExternalNoteEvent&> (e));
        return count;
    }

    /** Events the producer could not queue because it was full, since construction. Any thread. */
    std::int64_t getDropped() const noexcept { return dropped.load (std::memory_order_relaxed); }

    /** The most events the queue holds at once. Any thread. */
    int getCapacity() const noexcept { return capacity; }

    /** One reading of the engine's sample clock against the steady clock. */
    struct ClockPoint
    {
        std::int64_t sampleTime = 0; ///< the first sample of an audio callback
        double seconds = 0.0; ///< nowSeconds() when that callback began
    };

    /** The newest reading the audio thread published; false before the first audio callback.
        Consumer thread (any non-real-time thread: it may retry while the audio thread writes). */
    bool readClock (ClockPoint&) const noexcept;

    /** The sample rate of sampleTime (set by Engine::prepare). Any thread. */
    double getSampleRate() const noexcept { return sampleRate.load (std::memory_order_relaxed); }

    /** The steady clock ClockPoint::seconds is read from (std::chrono::steady_clock, in seconds).
        Any thread; costs one vDSO clock read, no system call. */
    static double nowSeconds() noexcept;

    //==============================================================================
    // Producer: the audio thread (or, while no audio runs, the thread driving the engine).

    /** Queues an event, or counts it as dropped when the queue is full. Audio thread. */
    bool push (const ExternalNoteEvent&) noexcept;

    /** Queues a note at `offset` samples into the block being rendered (plus the latency, see
        setLatency). Audio thread. */
    bool pushNote (model::InstrumentId, int note, float velocity, bool on, int offset) noexcept;

    /** Queues an all-notes-off at `offset` samples into the block being rendered (plus the latency).
        Audio thread. */
    bool pushAllNotesOff (model::InstrumentId, int offset) noexcept;

    /** Queues a parameter value (Kind::param) at `offset` samples into the block being rendered. The
        queue is shared with notes so both keep one order and one clock; parameters never take its
        last quarter, so a flood of automation drops parameter values (counted), never a note.
        Audio thread. */
    bool pushParam (model::InstrumentId, model::ParamGroup, std::uint32_t item, int index, float value, int offset) noexcept;

    /** Parameter values pushParam could not queue (its share of the queue was full). Any thread. */
    std::int64_t getParamsDropped() const noexcept { return paramsDropped.load (std::memory_order_relaxed); }

    /** The sample time of the block being rendered (what pushNote's offsets count from). Audio thread. */
    std::int64_t getBlockStart() const noexcept { return blockStart; }

    /** Publishes the start of an audio callback: its first sample time and the steady clock now.
        Also starts a block there. Audio thread. */
    void beginCallback (std::int64_t sampleTime) noexcept;

    /** Starts a block (a callback longer than the engine's block size is rendered in several).
        Audio thread. */
    void beginBlock (std::int64_t sampleTime) noexcept { blockStart = sampleTime; }

    /** Message thread, while no audio runs (Engine::prepare). */
    void setSampleRate (double rate) noexcept { sampleRate.store (rate, std::memory_order_relaxed); }

    /** Delay compensation: the engine's output latency (samples), added to the sample time of every
        note queued from now on, so an external synth sounds together with the internal instruments the
        engine delays by as much. Audio thread (Command::setCompensation). */
    void setLatency (int samples) noexcept { latency = juce::jmax (0, samples); }

private:
    const int capacity;
    moodycamel::ReaderWriterQueue<ExternalNoteEvent> queue;
    // The underlying queue may round its room up; these two counts hold it to exactly `capacity`.
    std::atomic<std::int64_t> pushed { 0 }, popped { 0 };
    std::atomic<std::int64_t> dropped { 0 };
    std::atomic<std::int64_t> paramsDropped { 0 };
    std::int64_t blockStart = 0; ///< audio thread only
    std::int64_t latency = 0; ///< audio thread only (setLatency)

    // The clock seqlock: odd while the audio thread writes.
    std::atomic<std::uint64_t> clockSequence { 0 };
    std::atomic<std::int64_t> clockSample { 0 };
    std::atomic<double> clockSeconds { 0.0 };
    std::atomic<double> sampleRate { 48000.0 };

    static_assert (std::atomic<std::int64_t>::is_always_lock_free && std::atomic<double>::is_always_lock_free);

    JUCE_DECLARE_NON_COPYABLE (ExternalNotes)
};

/** Maps the engine's sample clock to steady-clock seconds for a consumer of ExternalNotes (e.g. to
    timestamp OSC bundles for scsynth), smoothly.

    Each audio-callback reading says "sample S began at wall time W", but W carries the callback's
    jitter: a callback that starts 3 ms late says nothing about when its samples will be heard (the
    device buffer absorbs it). So the clock keeps one anchor (s0, t0) and maps
        seconds (s) = t0 + (s - s0) / sampleRate,
    a straight line that jitter does not bend. Each reading is compared with that line:
    - within `reanchorSeconds` (jitter, or the slow drift of the device's crystal against the
      system's), the anchor is nudged toward it by `slew` of the error, a first-order filter: jitter
      averages out over ~1/slew readings, a steady drift of a few ppm is followed without a jump;
    - beyond it (the device stopped, an xrun, a prepare restarted the sample clock), the line is
      re-anchored on the reading at once.

    Mapped times are when the engine computed a sample, not when it is heard: a consumer scheduling
    ahead adds its latency (at least one device buffer plus the callback jitter) to them.

    Not thread-safe: one consumer thread owns it.
*/
class ExternalClock
{
public:
    struct Options
    {
        double reanchorSeconds = 0.02; ///< errors beyond this re-anchor instead of slewing
        double slew = 0.01; ///< fraction of a small error corrected per reading (0: never)
    };

    explicit ExternalClock (double sampleRate);
    ExternalClock (double sampleRate, Options);

    /** Takes one reading. Returns true if it (re-)anchored the mapping on it: the first reading, a
        jump beyond reanchorSeconds, or a sample time earlier than the anchor (the clock restarted). */
    bool observe (std::int64_t sampleTime, double seconds) noexcept;
    bool observe (const ExternalNotes::ClockPoint& p) noexcept { return observe (p.sampleTime, p.seconds); }

    /** Reads the engine's newest published reading, if any, and observes it. */
    bool observe (const ExternalNotes& notes) noexcept;

    /** Steady-clock seconds of a sample time; meaningless before the first reading. */
    double toSeconds (std::int64_t sampleTime) const noexcept;

    bool isAnchored() const noexcept { return anchored; }
    int getReanchorCount() const noexcept { return reanchors; }

    /** A new rate keeps the current mapping at the anchor and changes its slope; it takes effect
        from the anchor on (a prepare also restarts the sample clock, which re-anchors). */
    void setSampleRate (double) noexcept;
    double getSampleRate() const noexcept { return sampleRate; }

private:
    double sampleRate;
    Options options;
    bool anchored = false;
    std::int64_t anchorSample = 0;
    double anchorSeconds = 0.0;
    std::int64_t lastSample = 0;
    int reanchors = 0;
};

} // namespace imbolc::engine
