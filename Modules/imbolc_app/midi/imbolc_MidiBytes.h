#pragma once

namespace imbolc::app
{

/** One MIDI message from outside with the steady-clock time it happened at: a channel message of 1 to
    3 bytes, a single real-time byte (clock, start, continue, stop) or a song position pointer (0xf2 and
    its two data bytes). Small and trivially copyable, so it travels preallocated lock-free queues
    between threads. */
struct TimedMidi
{
    double seconds = 0.0; ///< engine::ExternalNotes::nowSeconds() time (std::chrono::steady_clock)
    std::array<juce::uint8, 3> data {};
    std::uint8_t size = 0;

    bool isRealtime() const noexcept { return size == 1 && data[0] >= 0xf8; }
    /** Real-time bytes and the song position pointer: what MIDI clock in follows, not notes. */
    bool isSystem() const noexcept { return size >= 1 && data[0] >= 0xf0; }
};

static_assert (std::is_trivially_copyable_v<TimedMidi>);

/** Turns MIDI bytes from outside (a JACK MIDI port, a device) into whole messages a synth can take,
    whatever the sender did:

    - running status is resolved (data bytes after a channel message repeat its status);
    - system exclusive, system common (quarter frames, song select, ...) and stray data bytes are
      dropped and counted: a sysex flood costs a byte compare each and reaches nothing;
    - a song position pointer (0xf2, two data bytes) is passed on whole, for MIDI clock in;
    - real-time bytes (0xf8 clock, 0xfa start, 0xfb continue, 0xfc stop) are passed on as one-byte
      messages wherever they fall, also inside another message, without breaking it (as MIDI allows);
      active sensing and reset are dropped.

    Keeps the running status across calls, so a sender that splits messages over events still works.
    No allocation, no locks: any one thread at a time (each producer owns its own parser). */
class MidiByteParser
{
public:
    /** Feeds `size` bytes; calls onMessage (const juce::uint8* data, int size) for each whole message. */
    template <typename F>
    void feed (const juce::uint8* bytes, std::size_t size, F&& onMessage) noexcept
    {
        for (std::size_t i = 0; i < size; ++i)
        {
            const auto b = bytes[i];
            if (b >= 0xf8)
            {
                if (b == 0xf8 || b == 0xfa || b == 0xfb || b == 0xfc)
                    onMessage (&b, 1);
                continue;
            }
            if (b == 0xf0)
            {
                inSysex = true;
                running = 0;
                songPosition = false;
                ++dropped;
                continue;
            }
            if (b == 0xf7)
            {
                inSysex = false;
                continue;
            }
            if (b >= 0xf1)
            {
                // System common: its data bytes (if any) fall on no running status and are dropped, but
                // for the song position pointer's, which MIDI clock in needs.
                inSysex = false;
                running = 0;
                songPosition = b == 0xf2;
                have = 0;
                if (! songPosition)
                    ++dropped;
                continue;
            }
            if (b >= 0x80)
            {
                inSysex = false;
                songPosition = false;
                running = b;
                have = 0;
                const auto type = b & 0xf0;
                need = type == 0xc0 || type == 0xd0 ? 1 : 2;
                continue;
            }
            if (inSysex)
                continue;
            if (songPosition)
            {
                pending[(std::size_t) have++] = b;
                if (have == 2)
                {
                    const juce::uint8 message[3] = { 0xf2, pending[0], pending[1] };
                    onMessage (message, 3);
                    have = 0;
                    songPosition = false;
                }
                continue;
            }
            if (running == 0)
            {
                ++dropped;
                continue;
            }
            pending[(std::size_t) have++] = b;
            if (have == need)
            {
                const juce::uint8 message[3] = { running, pending[0], pending[1] };
                onMessage (message, need + 1);
                have = 0;
            }
        }
    }

    /** Forgets the running status and any half message (a port reconnected, a device reopened). */
    void reset() noexcept
    {
        running = 0;
        have = 0;
        inSysex = false;
        songPosition = false;
    }

    /** System exclusive and system common messages and stray data bytes dropped so far. */
    std::int64_t getDropped() const noexcept { return dropped; }

private:
    juce::uint8 running = 0;
    std::array<juce::uint8, 2> pending {};
    int have = 0, need = 2;
    bool inSysex = false;
    bool songPosition = false; ///< collecting a song position pointer's two data bytes
    std::int64_t dropped = 0;
};

/** A smooth map from a callback-driven sample clock (an audio device's, JACK's frames) to the steady
    clock, robust to scheduling delays: each callback reads the time it runs at, which is the true time
    of its first sample plus a delay that is never negative (a thread woken late, a busy machine) and
    often large. So the line follows the earliest readings: a reading before the line moves it there at
    once; a later one pulls it up by only `slew` of the difference (the device's crystal drifting
    against the system's); one beyond `reanchorSeconds` (the device stopped, a restart, a skipped stretch)
    re-anchors. engine::ExternalClock averages instead, which suits its consumer's latency budget, but
    here a late wake-up of 20 ms on a loaded machine would move every note after it.

    No allocation, no locks: one thread owns it (the callback's). */
class CallbackClock
{
public:
    struct Options
    {
        double reanchorSeconds = 0.5;
        double slew = 0.002;
    };

    explicit CallbackClock (double sampleRate = 48000.0) noexcept
        : CallbackClock (sampleRate, Options {}) {}
    CallbackClock (double sampleRate, Options o) noexcept
        : rate (sampleRate > 0.0 ? sampleRate : 48000.0), options (o) {}

    /** One reading: sample `sampleTime` began no later than `seconds`. */
    void observe (std::int64_t sampleTime, double seconds) noexcept
    {
        if (! anchored || sampleTime < lastSample)
            return anchor (sampleTime, seconds);
        lastSample = sampleTime;
        const auto error = seconds - toSeconds (sampleTime);
        if (error < 0.0 || error > options.reanchorSeconds)
            return anchor (sampleTime, seconds);
        anchorSeconds += error * options.slew;
    }

    /** The steady-clock time of a sample; meaningless before the first reading. */
    double toSeconds (std::int64_t sampleTime) const noexcept { return anchorSeconds + (double) (sampleTime - anchorSample) / rate; }

    double getSampleRate() const noexcept { return rate; }
    bool isAnchored() const noexcept { return anchored; }

private:
    void anchor (std::int64_t sampleTime, double seconds) noexcept
    {
        anchored = true;
        anchorSample = lastSample = sampleTime;
        anchorSeconds = seconds;
    }

    double rate;
    Options options;
    bool anchored = false;
    std::int64_t anchorSample = 0, lastSample = 0;
    double anchorSeconds = 0.0;
};

} // namespace imbolc::app
