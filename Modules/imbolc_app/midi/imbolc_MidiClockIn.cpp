namespace imbolc::app
{

namespace
{
    constexpr double clockBeats = 1.0 / 24.0;
    constexpr double jumpBeats = 0.5; ///< further than this from the clocks, the position jumps
    constexpr double leanSeconds = 0.15; ///< a smaller error is removed over this long
    constexpr double maxLean = 0.08; ///< by a tempo at most this much off the clock's
    constexpr int followIntervals = 6, showIntervals = 24;
} // namespace

MidiClockFollower::MidiClockFollower (SessionHost* h)
    : host (h)
{
}

MidiClockFollower::~MidiClockFollower()
{
    setEnabled (false);
}

void MidiClockFollower::setEnabled (bool on)
{
    enabled.store (on, std::memory_order_release);
    if (host != nullptr)
        // The tempo the session shows is ours to set (update(), to a hundredth): the engine's, which
        // leans towards the clock block by block, would flood the seats with tempo changes.
        host->setFollowsHostTiming (! on);
    if (! on)
    {
        statusReceiving.store (false);
        statusPlaying.store (false);
    }
}

MidiClockFollower::Status MidiClockFollower::getStatus() const noexcept
{
    return { statusReceiving.load (std::memory_order_relaxed), statusPlaying.load (std::memory_order_relaxed), statusBpm.load (std::memory_order_relaxed), statusPpq.load (std::memory_order_relaxed) };
}

void MidiClockFollower::update()
{
    if (host == nullptr || ! enabled.load())
        return;
    host->setFollowsHostTiming (false);
    const auto status = getStatus();
    if (! status.receiving)
        return;
    const auto& session = host->getSession();
    if (status.bpm >= 20.0 && status.bpm <= 999.0 && std::abs (status.bpm - session.settings.bpm) >= 0.05)
        host->applyUnrecorded (model::action::SetBpm { std::round (status.bpm * 100.0) / 100.0 });
    // The session shows what the engine does: it plays when the clock's start reached it.
    const auto enginePlaying = host->getEngine().isPlaying();
    if (status.playing && enginePlaying && ! session.transport.playing)
        host->applyUnrecorded (model::action::Play {});
    else if (! status.playing && session.transport.playing)
        host->applyUnrecorded (model::action::Stop {});
}

void MidiClockFollower::reset() noexcept
{
    heard = jumpPending = startPending = false;
    state = State::stopped;
    numClocks = clockHead = 0;
    stoppedBeat = position = 0.0;
}

void MidiClockFollower::midiSystem (const TimedMidi& m, int offset) noexcept
{
    if (! filling)
        return; // not followed (off): nothing to keep
    const auto at = blockStart + offset;
    // A clock or a start is a master; a lone stop or song position (a keyboard's transport buttons) is not.
    heard = heard || m.data[0] == 0xf8 || m.data[0] == 0xfa || m.data[0] == 0xfb;
    lastActivity = at;
    switch (m.data[0])
    {
        case 0xf8:
            clocks[(std::size_t) clockHead] = at;
            clockHead = (clockHead + 1) % clockWindow;
            numClocks = juce::jmin (numClocks + 1, clockWindow);
            if (state == State::armed)
            {
                state = State::playing;
                lastClockBeat = stoppedBeat;
                startPending = true;
            }
            else if (state == State::playing)
            {
                lastClockBeat = jumpPending ? jumpBeat : lastClockBeat + clockBeats;
            }
            jumpPending = false;
            lastClockAt = at;
            break;
        case 0xfa:
            state = State::armed;
            stoppedBeat = 0.0;
            jumpPending = false;
            numClocks = 0; // the pause before it is no interval: the tempo known so far holds until clocks come
            break;
        case 0xfb:
            // From where it stopped, or where a song position pointer put it since.
            if (state == State::stopped)
            {
                state = State::armed;
                numClocks = 0;
            }
            break;
        case 0xfc:
            if (state == State::playing)
                stoppedBeat = lastClockBeat + clockBeats; // the clocks received so far: the next is here
            state = State::stopped;
            break;
        case 0xf2:
            if (m.size == 3)
            {
                const auto beat = (double) ((m.data[1] & 0x7f) | (m.data[2] & 0x7f) << 7) / 4.0;
                if (state == State::playing)
                {
                    // A master that moves while playing (not all stop first): the next clock is there.
                    jumpPending = true;
                    jumpBeat = beat;
                }
                else
                {
                    stoppedBeat = beat;
                }
            }
            break;
        default:
            break;
    }
}

double MidiClockFollower::estimateBpm (double sampleRate, int intervals) const noexcept
{
    const auto n = juce::jmin (intervals, numClocks - 1);
    if (n < 1)
        return 0.0;
    // The newest clock and the one n intervals before it: their distance over n.
    const auto newest = clocks[(std::size_t) ((clockHead + clockWindow - 1) % clockWindow)];
    const auto oldest = clocks[(std::size_t) ((clockHead + clockWindow - 1 - n) % clockWindow)];
    const auto samples = (double) (newest - oldest);
    if (samples <= 0.0)
        return 0.0;
    const auto bpm = 60.0 * sampleRate * (double) n / (24.0 * samples);
    return std::isfinite (bpm) && bpm >= 10.0 && bpm <= 1000.0 ? bpm : 0.0;
}

bool MidiClockFollower::fill (engine::HostTransport& out, int numSamples, double sampleRate, double) noexcept
{
    if (! enabled.load (std::memory_order_acquire) || sampleRate <= 0.0)
    {
        if (filling)
        {
            filling = false;
            reset();
            statusReceiving.store (false, std::memory_order_relaxed);
        }
        return false;
    }
    filling = true;
    const auto start = blockStart;
    blockStart += numSamples;

    // The clocks' tempo (before two clocks came: the one known before, 120 at first), and how long a clock
    // may be late before the master is taken for gone (8 intervals, at least a quarter of a second).
    if (const auto bpm = estimateBpm (sampleRate, followIntervals); bpm > 0.0)
        lastBpm = bpm;
    if (const auto bpm = estimateBpm (sampleRate, showIntervals); bpm > 0.0)
        shownBpm = bpm;
    const auto interval = 60.0 * sampleRate / (24.0 * lastBpm);
    if (state == State::playing && (double) (start - lastClockAt) > juce::jmax (0.25 * sampleRate, 8.0 * interval))
    {
        state = State::stopped;
        stoppedBeat = lastClockBeat + clockBeats;
    }
    if (heard && state != State::playing && (double) (start - lastActivity) > 2.0 * sampleRate)
        reset(); // the clock went away: the session has its own time again
    if (! heard)
    {
        statusReceiving.store (false, std::memory_order_relaxed);
        return false;
    }

    const auto beatsPerSample = lastBpm / (60.0 * sampleRate);
    out.bpm = lastBpm;
    out.looping = false;
    if (state == State::playing)
    {
        // Where the clocks put this block's first sample, never past the next clock not yet come. The
        // first clock of a start may lie inside this block: the position is then before it (the engine
        // reaches the start on that sample).
        const auto target = juce::jmin (lastClockBeat + (double) (start - lastClockAt) * beatsPerSample, lastClockBeat + clockBeats * 0.999);
        auto tempo = lastBpm;
        if (startPending || std::abs (target - position) > jumpBeats)
        {
            position = target;
            startPending = false;
        }
        else
        {
            // Lean towards the clocks: the error goes in leanSeconds, at a tempo at most maxLean off.
            const auto lean = juce::jlimit (-maxLean, maxLean, (target - position) / leanSeconds * 60.0 / lastBpm);
            tempo = lastBpm * (1.0 + lean);
        }
        out.playing = true;
        out.ppqPosition = position;
        out.bpm = tempo;
        position += (double) numSamples * tempo / (60.0 * sampleRate);
    }
    else
    {
        out.playing = false;
        out.ppqPosition = stoppedBeat;
        position = stoppedBeat;
    }
    statusReceiving.store (true, std::memory_order_relaxed);
    statusPlaying.store (out.playing, std::memory_order_relaxed);
    statusBpm.store (shownBpm, std::memory_order_relaxed);
    statusPpq.store (out.ppqPosition, std::memory_order_relaxed);
    return true;
}

} // namespace imbolc::app
