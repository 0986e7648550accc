#pragma once

namespace imbolc::engine
{

/** One MIDI message the engine sends out: an instrument's note or controller on its MIDI output
    channel (model::Instrument::midiOutputChannel), or MIDI clock (0xf8), start (0xfa), continue
    (0xfb), stop (0xfc) or a song position pointer (0xf2). Trivially copyable, for a preallocated
    lock-free queue. */
struct MidiOutEvent
{
    /** On the engine's sample clock (ExternalNoteEvent::sampleTime's): the sample the message belongs
        to, the one an internal instrument plays the same note on. */
    std::int64_t sampleTime = 0;
    std::array<std::uint8_t, 3> data {};
    std::uint8_t size = 0;
};

static_assert (std::is_trivially_copyable_v<MidiOutEvent>);

/** What the engine sends to MIDI outputs, as timed messages for a sender outside the audio thread (the
    app's MidiOutputs, which turns the sample times into wall-clock times with the clock ExternalNotes
    publishes, and hands them to a MIDI device and JACK).

    One producer, the audio thread, which only try_enqueues into room allocated at construction: when
    nobody drains (offline render, no MIDI output in use) or the consumer falls behind, the newest
    messages are dropped and counted, never waited for. One consumer thread. Messages come chunk by
    chunk, within a chunk clock first and then instrument by instrument; a consumer that needs one time
    order sorts what it took stably by sampleTime. */
class MidiOutQueue
{
public:
    /** Message thread, before audio runs. */
    explicit MidiOutQueue (int capacity)
        : queue ((std::size_t) juce::jmax (16, capacity)) {}

    /** Queues one message (1..3 bytes) at `sampleTime` plus the latency (setLatency); false (counted)
        when full. Audio thread. */
    bool push (std::int64_t sampleTime, const std::uint8_t* data, int size) noexcept
    {
        MidiOutEvent e;
        e.sampleTime = sampleTime + latency;
        e.size = (std::uint8_t) juce::jlimit (0, 3, size);
        std::copy (data, data + e.size, e.data.begin());
        if (e.size > 0 && queue.try_enqueue (e))
            return true;
        dropped.fetch_add (1, std::memory_order_relaxed);
        return false;
    }

    /** Delay compensation: the engine's output latency (samples), added to the sample time of every
        message pushed from now on, so an external synth sounds together with the internal instruments
        the engine delays by as much. Audio thread (Command::setCompensation). */
    void setLatency (int samples) noexcept { latency = juce::jmax (0, samples); }

    /** Takes the oldest message. The consumer thread. */
    bool pop (MidiOutEvent& e) noexcept { return queue.try_dequeue (e); }

    /** Messages lost to a full queue. Any thread. */
    std::int64_t getDropped() const noexcept { return dropped.load (std::memory_order_relaxed); }

private:
    moodycamel::ReaderWriterQueue<MidiOutEvent> queue;
    std::atomic<std::int64_t> dropped { 0 };
    std::int64_t latency = 0; ///< audio thread only (setLatency)
};

/** MIDI clock out, on the audio thread: 24 clocks per quarter note on the exact samples the transport
    reaches each 20th tick, with start, continue, stop and song position as a hardware sequencer or a
    DAW following Imbolc expects them:

    - Play from the song's start (or a count-in before it): start (0xfa) then the first clock, on the
      sample of tick 0, so a receiver's first beat is Imbolc's.
    - Play from elsewhere, a locate while playing, a loop wrap: a receiver that ran is stopped (0xfc) at
      the jump; at the next sixteenth note the song reaches, a song position pointer names it, then
      continue (0xfb) and that sixteenth's clock (the pointer counts sixteenths, so a receiver can
      resume only on one).
    - Stop: 0xfc at the block's first sample; a locate while stopped: a song position pointer.
    - No clock while stopped (a receiver that wants the tempo before the start gets it with the first
      clocks, as from most DAWs).

    Turning it off while playing stops the receiver. setEnabled from any thread; process on the audio
    thread only (no allocation, no locks). */
class MidiClockOut
{
public:
    void setEnabled (bool on) noexcept { enabled.store (on, std::memory_order_relaxed); }
    bool isEnabled() const noexcept { return enabled.load (std::memory_order_relaxed); }

    /** The chunk's clock messages, `plan` being its plan and `chunkStart` its first sample's time. */
    void process (const BlockPlan& plan, std::int64_t chunkStart, MidiOutQueue& out) noexcept;

    static constexpr double ticksPerClock = (double) model::ticksPerBeat / 24.0;
    static constexpr double ticksPerSixteenth = (double) model::ticksPerBeat / 4.0;

private:
    void push (MidiOutQueue& out, std::int64_t at, std::uint8_t byte) noexcept { out.push (at, &byte, 1); }
    void pushPosition (MidiOutQueue& out, std::int64_t at, double tick) noexcept;

    std::atomic<bool> enabled { false };
    // The audio thread's.
    bool running = false; ///< the receiver was started (start or continue sent) and not stopped since
    bool pending = false; ///< waiting for the sixteenth (pendingTick) to start the receiver on
    double pendingTick = 0.0;
    double positionSent = -1.0; ///< the last song position sent while stopped
};

} // namespace imbolc::engine
