#pragma once

namespace imbolc::sc
{

/** Plays a session's SuperCollider-backend instruments on a running scsynth, local or remote.

    It follows the session through the dispatcher's audio effects, exactly as the internal engine does
    (apply), with targeted OSC from a SessionMirror: a tweak is one /n_set to one node, adding or
    deleting an instrument creates or frees only its nodes. Notes come from the engine's sequencer (or
    a keyboard) with the wall-clock time they are due; each is one bundle timetagged that time plus the
    schedule-ahead latency, so scsynth starts it on the right sample whatever the network's jitter.

    Health: update() polls /status (CPU and counts for the meters). A server silent for longer than
    Options::silenceBeforeLostMs is reported lost, with a sentence in takeWarnings(); while lost, notes
    are dropped and update() keeps asking. When the server answers again (restarted, or back on the
    network) the backend registers again, rebuilds the group layout, loads the definitions and rebuilds
    every node from the session: the session recovers by itself.

    Threads: start, apply and update on the message thread (the one that owns the Session); noteOn,
    noteOff and allNotesOff on any one thread (the thread that drains the engine's external notes).
    An internal mutex orders the two; neither is the audio thread.
*/
class ScBackend
{
public:
    struct Options
    {
        ScsynthClient::Options server;
        double latencySeconds = -1.0; ///< < 0: ScsynthClient::defaultLatencySeconds (sampleRate, blockSize)
        double sampleRate = 48000.0;
        int blockSize = 512;
        std::int32_t firstPrivateBus = 16; ///< scsynth's default: 8 outputs + 8 inputs
        std::int32_t busesPerClient = 240; ///< channels per client id: client n uses [first + n * this, ...)
        std::int32_t audioBusChannels = 1024; ///< the server's audio buses (scsynth -a; 1024 is its default)
        std::int32_t hardwareOut = 0;
        int statusIntervalMs = 250;
        int silenceBeforeLostMs = 1500;

        /** How a sampler's sample reaches the server: read by scsynth from our path (/b_allocRead:
            the same machine), or sent over the connection (/b_alloc + /b_setn: a remote server).
            automatic reads for a server on localhost and sends otherwise. */
        enum class SampleUpload
        {
            automatic,
            serverReads,
            send
        };
        SampleUpload sampleUpload = SampleUpload::automatic;
        juce::File sampleFolder; ///< where relative sample paths are found (the project's folder); unset: the working directory
        std::int32_t buffersPerClient = 128; ///< buffer numbers per client id (scsynth -b 1024, its default, holds 8 clients)
    };

    enum class State
    {
        stopped,
        running,
        lost
    };

    struct Meters
    {
        State state = State::stopped;
        ScsynthClient::Status status; ///< the newest /status.reply
        std::size_t liveVoices = 0;
        int recoveries = 0; ///< times the session was rebuilt on a server that came back
        std::int64_t notesDropped = 0; ///< notes that came while the server was lost
    };

    explicit ScBackend (Options);

    /** Frees this client's nodes on the server (it may be shared and outlive us). Message thread. */
    ~ScBackend();

    /** Connects (/notify), creates the group layout, loads every definition and builds the session's
        nodes. One sentence when the server is absent. Message thread. */
    juce::Result start (const model::Session&);

    /** Follows one applied action. Message thread. */
    void apply (const model::Session&, const std::vector<model::AudioEffect>&);
    void apply (const model::Session& session, const model::ChangeSet& changes) { apply (session, changes.audio); }

    /** Polls the server's status, notices loss and recovers. Call often (a timer). Message thread. */
    void update (const model::Session&);

    /** A note due at `ntpSeconds` (ScsynthClient::ntpNow() clock) is sent timetagged that time plus
        the latency, and never less than the latency ahead of now. One draining thread. */
    void noteOn (model::InstrumentId, int note, float velocity, double ntpSeconds);
    void noteOff (model::InstrumentId, int note, double ntpSeconds);
    void allNotesOff (model::InstrumentId, double ntpSeconds);

    /** An automated or LFO-modulated parameter value (engine::ExternalNoteEvent::Kind::param) due at
        `ntpSeconds`: a timed /n_set (SessionMirror::automate), with exactly the notes' timing, so a
        value and a note due together reach scsynth in the same control period. The thread of the notes. */
    void automate (model::InstrumentId, model::ParamGroup, std::uint32_t item, int index, float value, double ntpSeconds);

    double getLatencySeconds() const noexcept { return latency; }
    State getState() const noexcept { return state.load(); }
    Meters getMeters() const;

    /** Sentences for the user (server lost, recovered; what scsynth cannot play), since the last call. Any thread. */
    std::vector<std::string> takeWarnings();

    /** A copy of an instrument's nodes (tests, tools). Any thread. */
    std::optional<SessionMirror::InstrumentNodes> findInstrument (model::InstrumentId) const;

    /** The connection, for queries (tests, tools). */
    ScsynthClient& getClient() noexcept { return client; }

    /** This client's layout group (SessionMirror::LayoutIndex). */
    std::int32_t layoutGroup (std::size_t index) const;

private:
    juce::Result bootstrap (const model::Session&);
    void reclaimEndedVoices();
    /** Loads what the mirror asked for (SessionMirror::takeSampleLoads). Without the lock held: it
        waits for the server's replies. */
    void loadSamples (std::vector<SessionMirror::SampleLoad>);
    bool serverReadsSamples() const;
    void sendTimed (double ntpSeconds, const SessionMirror::Messages&);
    void warn (std::string);

    const Options options;
    const double latency;
    ScsynthClient client;
    mutable std::mutex lock; ///< mirror, sends
    std::unique_ptr<SessionMirror> mirror;
    std::atomic<State> state { State::stopped };
    double lastRequestMs = 0.0, lostSinceMs = 0.0, startedMs = 0.0;
    std::atomic<int> recoveries { 0 };
    std::atomic<std::int64_t> notesDropped { 0 };
    std::int64_t noteCounter = 0;
    mutable std::mutex warningLock;
    std::vector<std::string> warnings;
};

} // namespace imbolc::sc
