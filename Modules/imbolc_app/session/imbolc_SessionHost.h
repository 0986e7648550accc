#pragma once

namespace imbolc::app
{

/** A session this process owns and plays: the Session, its undo history, the one Dispatcher every edit
    goes through, the Engine, and when asked the SuperCollider output and a SessionServer for other
    seats. What `imbolc play` and `imbolc serve`, the desktop app and the plugin all are underneath.

    One edit path: apply() for the host's own edits, and the server hands every seat's accepted edit to
    the same function (with that seat's undo history; ownership and per-seat undo stay in the server).
    After each applied edit the engine, the SuperCollider output and the listeners hear of exactly what
    changed.

    Message thread: everything (the thread that created it; tick() from a juce::Timer or a loop). The
    engine's process() is the audio thread's, called by an AudioOutput.
*/
class SessionHost final : public SessionAccess
{
public:
    struct Options
    {
        /** Live audio: a render worker that is late costs its own chain, never the device's block. */
        engine::Engine::Options engine = []
        {
            engine::Engine::Options o;
            o.waitForLateWorkers = false;
            return o;
        }();
        double sampleRate = 48000.0; ///< until prepare() says otherwise
        int blockSize = 512;
    };

    explicit SessionHost (Options);
    SessionHost()
        : SessionHost (Options {}) {}
    ~SessionHost() override;

    //==============================================================================
    const model::Session& getSession() const override { return session; }
    model::ApplyResult apply (const model::Action&) override;
    void tick (int waitMs = 0) override;
    protocol::msg::Metering getMetering() const override;
    protocol::Ownership getOwnership() const override;
    std::uint32_t getSeatId() const override { return 0; }
    UndoState getUndoState() const override;
    engine::AnalysisMeters* getAnalysis() noexcept override { return &engine->getAnalysis(); }
    juce::AudioPluginInstance* findPlugin (model::NodeKind n, std::uint32_t id, model::StageId s = {}) override { return engine->findPlugin (n, id, s); }
    std::optional<juce::Result> openSandboxedEditor (model::NodeKind, std::uint32_t nodeId, model::StageId = {}) override;
    void auditionNote (model::InstrumentId, int noteNumber, float velocity, bool on) override;
    bool learnMidi (const model::ParamAddress&) override;
    void cancelMidiLearn() override { learnTarget.reset(); }
    std::optional<model::ParamAddress> getMidiLearnTarget() const override { return learnTarget; }
    /** What turns live MIDI into notes while the transport records (fed by tick()). Message thread. */
    const MidiRecorder& getMidiRecorder() const noexcept { return recorder; }

    //==============================================================================
    /** Replaces the session (new, demo, a plugin host's saved state): undo is cleared, the engine loads
        it, seats get a full sync, listeners hear `everything`. `file` is where save() writes (none:
        saveAs first); samples are found beside it. The new session is not dirty, unless `edited` says
        it holds edits its file does not (a session recovered from an autosave). */
    void setSession (model::Session, const juce::File& file = {}, bool edited = false);

    /** Opens a project file. On failure the current session stays as it was and the sentence says why. */
    juce::Result open (const juce::File&);

    /** Writes the session to its file (plugin states captured first), waiting for the disk; the
        encoding and writing happen on the saver's thread. Then the session is clean and its autosave
        side file is removed. One sentence on failure (and it stays dirty). */
    juce::Result save();

    /** save() to another file, which becomes the session's file. */
    juce::Result saveAs (const juce::File&);

    juce::File getFile() const { return file; }

    /** A copy of the session with every hosted plugin's current state captured into it: what a save
        writes, without editing the session (no undo entry, nobody notified). A plugin host's save is
        protocol::encodeProject of it. Message thread. */
    model::Session snapshotWithPluginStates();

    /** Counts the edits that change what a save keeps (not transport moves): a cache of the encoded
        session is current while this has not moved. Message thread. */
    std::uint64_t getEditGeneration() const noexcept { return editGeneration; }

    /** True if something was edited since the session was opened or last saved (transport moves do
        not count). */
    bool isDirty() const noexcept { return editGeneration != savedGeneration; }

    /** Autosave: every `intervalMs` while there are unsaved edits, a snapshot is written in the
        background, to the side file (autosaveFileFor) or, with `toSessionFile`, to the session file
        itself (a headless server keeps a rehearsal's edits that way). Results arrive through onLog and
        onWarning during tick(). 0 turns it off. */
    struct Autosave
    {
        int intervalMs = 0;
        bool toSessionFile = false;
        /** Where a session that has no file yet is autosaved (the app's own folder); none: such a
            session is not autosaved. */
        juce::File untitledFile;
    };
    void setAutosave (Autosave);

    /** Writes a background save now if there are edits the autosave has not written (what tick() does
        when the interval is up); `wait` blocks until it is on disk. */
    void autosaveNow (bool wait);

    //==============================================================================
    /** (Re)prepares the engine for an output's rate and block (a full rebuild of audio state). Only
        while no AudioOutput is running the engine. */
    void prepare (double sampleRate, int blockSize);

    engine::Engine& getEngine() noexcept { return *engine; }
    model::UndoHistory& getHistory() noexcept { return history; }

    /** A plugin host's tempo and meter are the song's while the engine follows its transport: tick()
        shows them in the session (and so to every seat and view), as changes nobody can undo. On by
        default; only the plugin's engine ever follows a host. */
    void setFollowsHostTiming (bool follows) noexcept { followHostTiming = follows; }

    /** Applies an edit that comes from a clock outside the session (a plugin host's tempo, Ableton
        Link's tempo and start/stop): like apply(), through the server while hosting so every seat sees
        it, but with no undo entry and never offered to transportRequests. Message thread. */
    model::ApplyResult applyUnrecorded (const model::Action&);

    /** While set, Play, Stop and Locate (this host's own and every seat's) are offered to it first: returning
        true means it took the request (Ableton Link starts or stops on the bar, and the session follows
        when the music does, through applyUnrecorded), and the action is not applied. Message thread. */
    std::function<bool (const model::Action&)> transportRequests;

    /** The MIDI a plugin host or a live MIDI device sends plays this instrument (the GUI sets it to the
        selected one), unless an instrument is armed for recording: then the first armed instrument (in
        rack order) that plays notes hears it. An invalid id plays nothing. Message thread. */
    void setMidiInputInstrument (model::InstrumentId);

    //==============================================================================
    /** Plays the session's SuperCollider instruments on the scsynth `options.server` names, following
        every edit. The engine must be prepared. One sentence if the server cannot be reached (the rest
        of the session still plays). */
    juce::Result startSuperCollider (sc::ScBackend::Options options);
    void stopSuperCollider();
    ScOutput* getSuperCollider() noexcept { return superCollider.get(); }

    //==============================================================================
    /** Lets other seats join: listens as `options` says (a non-loopback address needs a passphrase) and,
        beyond loopback, announces the session on the LAN. One sentence on failure. */
    juce::Result startHosting (net::ServerOptions options);

    /** Tells every seat the session is over and closes the server. Edits stay. */
    void stopHosting();

    net::SessionServer* getServer() noexcept { return server.get(); }

    /** Where takes of the session saved as `project` are recorded: the folder "NAME Audio" beside it;
        for a session with no file, "Imbolc recordings" in the system's temporary folder (such takes keep
        absolute paths until the session is saved: save() and saveAs() copy every clip file named by an
        absolute path, and saveAs() to another folder every clip file, into the saved project's folder,
        so the project's folder holds all its audio).
        Any thread. */
    static juce::File recordingFolderFor (const juce::File& project);

    /** Lines worth telling the person running the session: seats joining and leaving, saves. Unset:
        dropped. Message thread. */
    std::function<void (const juce::String&)> onLog;

private:
    model::ApplyResult applyWith (const model::Action&, model::UndoHistory&);
    bool offerTransportRequest (const model::Action&);
    void afterApplied (const model::ChangeSet&);
    /** Hands the session's pluginIsolation to the engine, for the plugins it loads from then on. */
    void followPluginIsolation();
    void loadIntoEngine();
    void collectWarnings();
    /** Turns every take the engine finished into a new audio track (one AddInstrument each). */
    void addRecordedTakes();
    juce::Result saveTo (const juce::File&);
    /** A clip's path before and after gatherTakes() moved it into the project's folder. */
    struct MovedClip
    {
        model::InstrumentId instrument;
        model::AudioClip before, after;
    };
    /** Copies the file of every audio clip named by an absolute path, or (a Save As to another folder)
        relative to the old project folder, into the folder of the project `target` ("NAME Audio", or
        where it already is inside the project's folder) and names it by its path relative to the
        project's folder, through EditAudioClip (no undo entry: the copy is the same audio). A file that
        is missing or cannot be copied is one warning, and its clip keeps its path. */
    std::vector<MovedClip> gatherTakes (const juce::File& target);
    void capturePluginStates();
    void log (const juce::String&);

    Options options;
    model::Session session;
    model::UndoHistory history;
    model::Dispatcher dispatcher { session, history };
    std::unique_ptr<engine::Engine> engine;
    std::unique_ptr<ScOutput> superCollider;
    std::unique_ptr<net::SessionServer> server;
    std::unique_ptr<net::discovery::Advertiser> advertiser;
    protocol::Ownership lastOwnership;

    juce::File file;
    std::uint64_t editGeneration = 0, savedGeneration = 0, autosavedGeneration = 0;
    Autosave autosave;
    juce::uint32 lastAutosaveMs = 0;

    /** Background saves finish on the saver's thread; tick() reports them here. */
    struct SaveOutcome
    {
        juce::File target;
        juce::Result result;
        std::uint64_t generation;
        bool sessionFile;
    };
    std::mutex outcomeMutex;
    std::vector<SaveOutcome> outcomes;
    void reportSaves();

    // Last, so it is destroyed first: its destructor finishes every save, whose callbacks use the above.
    protocol::ProjectSaver saver;

    model::InstrumentId midiInstrument; ///< the selected instrument (setMidiInputInstrument)
    model::InstrumentId liveMidiTarget; ///< what the engine's MIDI input plays: the first armed one, or midiInstrument
    void refreshMidiTarget();
    bool followHostTiming = true;
    bool applyingUnrecorded = false;
    std::optional<model::ParamAddress> learnTarget; ///< MIDI learn: the parameter the next controller maps
    MidiRecorder recorder { [this] (const model::Action& a)
                            { return apply (a); } };
    void takeLiveMidi();
    model::UndoHistory hostTimingHistory; ///< where the host's tempo and meter changes go: never undone
    void showHostTiming();

    JUCE_DECLARE_NON_COPYABLE (SessionHost)
};

} // namespace imbolc::app
