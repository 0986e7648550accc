#pragma once

namespace imbolc::app
{

/** Ableton Link for a session this process hosts: other Link apps on the network share its tempo, its
    beat phase (quantum: the bar, the session's meter in quarter notes) and its start/stop.

    - Tempo: a tempo a peer sets reaches the session as a change nobody undoes
      (SessionHost::applyUnrecorded, so joined seats see it as usual); a tempo set in the session (by the
      person or a seat) goes to Link.
    - Locate while Link plays: the song goes to the start of the bar located to on the next bar line,
      keeping Link's phase (a locate while stopped moves where the next start begins, as usual).
    - Start/stop: while Link is on, Play and Stop are requests to Link (SessionHost::transportRequests);
      the engine starts when Link plays, on the bar (a peer's session already playing: the next bar line),
      and the session shows it playing then. A peer's start or stop plays or stops the session the same way.
    - The audio thread reads Link only through getTransport() (Link's real-time-safe audio session state).

    ableton::Link stays inside this class's implementation: the engine only sees engine::HostTransport.
    In a network session only the hosting seat has one (joined seats follow the host's tempo).

    Message thread: everything but getTransport().fill, which is the audio thread's.
*/
class LinkSession
{
public:
    /** Link starts disabled (no network traffic until setEnabled (true)). The host must outlive it; its
        transportRequests hook is this session's while it exists. */
    explicit LinkSession (SessionHost&);
    ~LinkSession();

    /** Joins or leaves the Link session on the network. On: the session's tempo is offered to Link if
        Link has no peers yet (else the peers' tempo wins); a playing session asks Link to play. */
    void setEnabled (bool);
    bool isEnabled() const noexcept;

    struct Status
    {
        bool enabled = false;
        int peers = 0; ///< other Link apps in the session
        double bpm = 0.0; ///< Link's tempo
        bool playing = false; ///< Link's transport
    };
    /** What the transport bar shows. Message thread (any thread but the audio thread). */
    Status getStatus() const;

    /** Moves tempo and start/stop between Link and the session: call it often (the app's tick, every
        few tens of milliseconds; tests call it in their loops). Message thread. */
    void update();

    /** The last block getTransport() filled: when it is heard (Link's clock read in that block, plus the
        output latency; microseconds), the song
        position the engine was given for its first sample, and whether it played. For tests and the
        bench, which compare peers at one time. Any thread but the audio thread. */
    struct Block
    {
        std::int64_t hostMicros = 0;
        double ppq = 0.0;
        bool playing = false;
    };
    Block getLastBlock() const noexcept;

    /** Link's clock now, in microseconds (the clock every Link peer on this machine shares). */
    std::int64_t nowMicros() const;

    /** Link's beat phase in the bar (0..quantum) at a time on Link's clock. Message thread. */
    double getLinkPhase (std::int64_t hostMicros) const;

    /** The per-block conversion for AudioOutput::setTransportSource: Link's audio session state turned
        into the engine::HostTransport the engine follows. */
    TransportSource& getTransport() noexcept;

    /** Process-wide, before any LinkSession is enabled: Link talks on the loopback interface only (tests
        and `imbolc bench link`, which must keep their traffic on this machine). Off: every interface,
        as Link apps do. Any thread. */
    static void setLoopbackOnly (bool);

    /** The Link tempo's limits (Link clamps to them too). */
    static constexpr double minBpm = 20.0, maxBpm = 999.0;

private:
    struct Impl;
    std::unique_ptr<Impl> impl;

    JUCE_DECLARE_NON_COPYABLE (LinkSession)
};

} // namespace imbolc::app
