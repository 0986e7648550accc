// Ableton Link's headers (and the standalone asio they use) are compiled here only: nothing else in
// Imbolc sees them.
#include <ableton/platforms/Config.hpp>

namespace imbolc::app::linkdetail
{
/** LinkSession::setLoopbackOnly: read by Link's interface scan on its own thread. */
inline std::atomic<bool> loopbackOnly { false };
} // namespace imbolc::app::linkdetail

/** Link scans every interface that is up, every few seconds, and talks on each (UDP multicast). Tests and
    the bench keep their traffic on this machine: with loopbackOnly, the scan reports the loopback
    addresses only. The one Link configuration this process uses is specialised, before Link.hpp uses it. */
template <>
inline std::vector<::asio::ip::address> ableton::link::platform::IoContext::scanNetworkInterfaces()
{
    auto addresses = mScanIpIfAddrs();
    if (imbolc::app::linkdetail::loopbackOnly.load())
        addresses.erase (std::remove_if (addresses.begin(), addresses.end(), [] (const ::asio::ip::address& a)
                                         { return ! a.is_loopback(); }),
                         addresses.end());
    return addresses;
}

#include <ableton/Link.hpp>
#include <ableton/link/HostTimeFilter.hpp>

namespace imbolc::app
{

struct LinkSession::Impl final : TransportSource
{
    using Clock = ableton::link::platform::Clock;

    explicit Impl (SessionHost& h)
        : host (h), link (juce::jlimit (minBpm, maxBpm, h.getSession().settings.bpm))
    {
        link.enableStartStopSync (true);
    }

    //==============================================================================
    // The audio thread.
    bool fill (engine::HostTransport& out, int numSamples, double sampleRate, double outputLatencySeconds) noexcept override
    {
        if (! enabled.load (std::memory_order_acquire))
        {
            filling = false;
            return false;
        }
        if (! filling)
        {
            // (Re)started: the sample clock starts again, and so does the filter that maps it to Link's
            // clock (its points are kept in place: no allocation).
            filling = true;
            filter.reset();
            sampleTime = 0.0;
            linkWasPlaying = false;
            started = false;
            songOffset = 0.0;
        }
        // Callbacks jitter; Link's host time filter fits a line through (samples rendered, host time), so
        // the beat each block gets advances as smoothly as the samples do. 128 points (0.7 s of 256-sample
        // blocks) rather than Link's default 512: a device (or the null device) that fell behind and
        // caught up is followed within a second instead of drifting for seconds.
        const auto latency = std::chrono::microseconds (juce::roundToInt (outputLatencySeconds * 1.0e6));
        const auto now = filter.sampleTimeToHostTime (sampleTime);
        sampleTime += numSamples;
        const auto heard = now + latency;

        auto state = link.captureAudioSessionState();
        const auto q = quantum.load (std::memory_order_relaxed);
        out.bpm = state.tempo();
        const auto m = meter.load (std::memory_order_relaxed);
        out.timeSigNumerator = m >> 8;
        out.timeSigDenominator = m & 0xff;
        out.looping = false;

        if (state.isPlaying())
        {
            if (! linkWasPlaying)
            {
                // Link started (here or at a peer): the song starts where the session stands, on the bar.
                // Alone, that beat is mapped to the start; with peers, to the next time whose phase in
                // the bar is the song position's (a session playing already: the next such bar line).
                linkWasPlaying = true;
                started = false;
                songOffset = 0.0;
                jumpTo.store (-1.0, std::memory_order_relaxed);
                startPpq = songPpq.load (std::memory_order_relaxed);
                state.requestBeatAtTime (startPpq, std::max (state.timeForIsPlaying(), heard), q);
                link.commitAudioSessionState (state);
            }
            const auto beat = state.beatAtTime (heard, q);
            // Before the start (waiting for the bar): stopped where it will start.
            started = started || beat >= startPpq;
            auto song = beat + songOffset;
            // A locate while Link plays: on the bar line this block reaches, the song goes to the start
            // of the bar located to, so the bar keeps Link's phase. The block's position is set that far
            // before it, so the engine reaches the new bar on the bar line's own sample.
            if (const auto to = jumpTo.load (std::memory_order_relaxed); started && to >= 0.0 && sampleRate > 0.0)
            {
                const auto blockBeats = (double) numSamples * out.bpm / (60.0 * sampleRate);
                const auto barLine = std::ceil (song / q - 1.0e-9) * q;
                if (barLine < song + blockBeats)
                {
                    songOffset += std::floor (to / q + 1.0e-9) * q - barLine;
                    song = beat + songOffset;
                    jumpTo.store (-1.0, std::memory_order_relaxed);
                }
            }
            out.playing = started;
            out.ppqPosition = started ? song : startPpq;
        }
        else
        {
            if (linkWasPlaying)
            {
                // Stopped: the play head stays where the music stopped, and the session starts from there
                // next time unless the person moves it.
                linkWasPlaying = false;
                const auto stoppedAt = juce::jmax (0.0, state.beatAtTime (heard, q) + songOffset);
                songPpq.store (stoppedAt, std::memory_order_relaxed);
            }
            out.playing = false;
            out.ppqPosition = songPpq.load (std::memory_order_relaxed);
        }
        // Just before a jump to the song's start the position is a little below 0 (the engine reaches 0 on
        // the bar line's sample); only a position that makes no sense stops.
        if (! std::isfinite (out.ppqPosition) || out.ppqPosition < (out.playing ? -q : 0.0))
        {
            out.playing = false;
            out.ppqPosition = 0.0;
        }
        // Published against the clock as read now, not the filtered time: what a test or the bench compares
        // between peers then includes the filter's error (how far this block's position is from Link's
        // timeline at the moment the block really is heard).
        publish ((link.clock().micros() + latency).count(), out.ppqPosition, out.playing);
        return true;
    }

    /** The last block's output time and position, for tests and the bench: a sequence lock, so a reader
        never sees one block's time with another's position. */
    void publish (std::int64_t micros, double ppq, bool playing) noexcept
    {
        const auto s = sequence.load (std::memory_order_relaxed);
        sequence.store (s + 1, std::memory_order_relaxed);
        std::atomic_thread_fence (std::memory_order_release);
        lastMicros.store (micros, std::memory_order_relaxed);
        lastPpq.store (ppq, std::memory_order_relaxed);
        lastPlaying.store (playing, std::memory_order_relaxed);
        sequence.store (s + 2, std::memory_order_release);
    }

    //==============================================================================
    // The message thread.
    void setEnabled (bool on)
    {
        if (on == enabled.load())
            return;
        if (on)
        {
            syncSettings();
            link.enable (true);
            // Alone in the Link session, ours is the tempo; joining peers, theirs wins (update() brings it
            // into the session).
            auto state = link.captureAppSessionState();
            if (link.numPeers() == 0)
            {
                state.setTempo (juce::jlimit (minBpm, maxBpm, host.getSession().settings.bpm), link.clock().micros());
                link.commitAppSessionState (state);
            }
            syncedBpm = host.getSession().settings.bpm;
            linkTempo = link.captureAppSessionState().tempo();
            linkPlaying = link.captureAppSessionState().isPlaying();
            enabled.store (true, std::memory_order_release);
            host.setFollowsHostTiming (false); // the tempo is ours to move (update), not the host follower's
            host.transportRequests = [this] (const model::Action& action)
            {
                if (const auto* locate = std::get_if<model::action::Locate> (&action))
                    return requestLocate ((double) locate->tick / (double) model::ticksPerBeat);
                return requestTransport (std::holds_alternative<model::action::Play> (action));
            };
            if (host.getSession().transport.playing && ! linkPlaying)
                requestTransport (true);
        }
        else
        {
            host.transportRequests = nullptr;
            host.setFollowsHostTiming (true);
            enabled.store (false, std::memory_order_release);
            link.enable (false);
        }
    }

    /** A locate while Link plays: the song goes to the start of that bar on the next bar line (the audio
        thread does it), so it stays in phase with every peer. Stopped: an ordinary locate (false). */
    bool requestLocate (double ppq)
    {
        if (! linkPlaying || ! host.getEngine().isPlaying() || ! std::isfinite (ppq))
            return false;
        jumpTo.store (juce::jmax (0.0, ppq), std::memory_order_relaxed);
        return true;
    }

    /** Play or Stop while Link is on: asks Link; the session follows when the engine does (update). */
    bool requestTransport (bool play)
    {
        auto state = link.captureAppSessionState();
        const auto now = link.clock().micros();
        if (play)
            state.setIsPlayingAndRequestBeatAtTime (true, now, songPpq.load(), quantum.load());
        else
            state.setIsPlaying (false, now);
        link.commitAppSessionState (state);
        return true;
    }

    void syncSettings()
    {
        const auto& settings = host.getSession().settings;
        const auto num = juce::jlimit (1, 32, (int) settings.timeSigNumerator);
        const auto den = juce::jlimit (1, 32, (int) settings.timeSigDenominator);
        quantum.store (num * 4.0 / den, std::memory_order_relaxed);
        meter.store (num << 8 | den, std::memory_order_relaxed);
    }

    void update()
    {
        if (! enabled.load())
            return;
        syncSettings();
        const auto& session = host.getSession();
        auto& engine = host.getEngine();
        const auto enginePlaying = engine.isPlaying();

        // Where the next start begins: the engine's play head while it stands (a person may move it).
        if (! enginePlaying)
        {
            const auto playhead = engine.getPlayheadTicks() / (double) model::ticksPerBeat;
            if (playhead != lastPlayhead)
                songPpq.store (juce::jmax (0.0, playhead), std::memory_order_relaxed);
            lastPlayhead = playhead;
        }

        // Tempo: a change in the session (a person, a seat) goes to Link; a change in Link (a peer) comes
        // to the session, with no undo entry. The session's own change wins when both moved.
        auto state = link.captureAppSessionState();
        const auto bpm = session.settings.bpm;
        if (std::abs (bpm - syncedBpm) > 1.0e-9)
        {
            state.setTempo (juce::jlimit (minBpm, maxBpm, bpm), link.clock().micros());
            link.commitAppSessionState (state);
            syncedBpm = bpm;
            linkTempo = state.tempo();
        }
        // Link sends a tempo as whole microseconds per beat (133 BPM arrives as 132.99995): changes
        // below a ten-thousandth of a BPM are that rounding, not a peer's edit.
        else if (std::abs (state.tempo() - linkTempo) > 1.0e-4)
        {
            linkTempo = state.tempo();
            host.applyUnrecorded (model::action::SetBpm { linkTempo });
            syncedBpm = session.settings.bpm;
        }

        // Start/stop: the session shows playing once the engine plays Link's start (on the bar), and
        // stopped when Link stops.
        linkPlaying = state.isPlaying();
        if (linkPlaying && enginePlaying && ! session.transport.playing)
            host.applyUnrecorded (model::action::Play {});
        else if (! linkPlaying && session.transport.playing)
            host.applyUnrecorded (model::action::Stop {});
    }

    SessionHost& host;
    ableton::Link link;

    std::atomic<bool> enabled { false };
    std::atomic<double> quantum { 4.0 }, songPpq { 0.0 };
    std::atomic<int> meter { 4 << 8 | 4 };

    // The audio thread's own.
    ableton::link::BasicHostTimeFilter<Clock, double, 128> filter;
    double sampleTime = 0.0, startPpq = 0.0;
    double songOffset = 0.0; ///< whole bars the song is ahead of Link's beat (locates while playing)
    bool filling = false, linkWasPlaying = false, started = false;
    std::atomic<double> jumpTo { -1.0 }; ///< a locate waiting for the next bar line (beats), or -1

    std::atomic<std::uint32_t> sequence { 0 };
    std::atomic<std::int64_t> lastMicros { 0 };
    std::atomic<double> lastPpq { 0.0 };
    std::atomic<bool> lastPlaying { false };

    // The message thread's own.
    double syncedBpm = 0.0, linkTempo = 0.0, lastPlayhead = -1.0;
    bool linkPlaying = false;
};

//==============================================================================
LinkSession::LinkSession (SessionHost& host)
    : impl (std::make_unique<Impl> (host))
{
}

LinkSession::~LinkSession()
{
    impl->setEnabled (false);
}

void LinkSession::setEnabled (bool on) { impl->setEnabled (on); }
bool LinkSession::isEnabled() const noexcept { return impl->enabled.load(); }
void LinkSession::update() { impl->update(); }
TransportSource& LinkSession::getTransport() noexcept { return *impl; }
void LinkSession::setLoopbackOnly (bool only) { linkdetail::loopbackOnly.store (only); }

LinkSession::Status LinkSession::getStatus() const
{
    Status s;
    s.enabled = impl->enabled.load();
    s.peers = (int) impl->link.numPeers();
    const auto state = impl->link.captureAppSessionState();
    s.bpm = state.tempo();
    s.playing = state.isPlaying();
    return s;
}

LinkSession::Block LinkSession::getLastBlock() const noexcept
{
    for (;;)
    {
        const auto before = impl->sequence.load (std::memory_order_acquire);
        Block b;
        b.hostMicros = impl->lastMicros.load (std::memory_order_relaxed);
        b.ppq = impl->lastPpq.load (std::memory_order_relaxed);
        b.playing = impl->lastPlaying.load (std::memory_order_relaxed);
        std::atomic_thread_fence (std::memory_order_acquire);
        if ((before & 1) == 0 && impl->sequence.load (std::memory_order_relaxed) == before)
            return b;
    }
}

std::int64_t LinkSession::nowMicros() const { return impl->link.clock().micros().count(); }

double LinkSession::getLinkPhase (std::int64_t hostMicros) const
{
    const auto state = impl->link.captureAppSessionState();
    return state.phaseAtTime (std::chrono::microseconds (hostMicros), impl->quantum.load());
}

} // namespace imbolc::app
