namespace imbolc::app
{

namespace
{
    /** Whether an edit changed what a save would keep: playing, stopping and moving the playhead do not. */
    bool changesContent (const model::NetDirty& dirty)
    {
        auto withoutTransport = dirty;
        withoutTransport.transport = false;
        return ! withoutTransport.empty();
    }
} // namespace

SessionHost::SessionHost (Options o)
    : options (std::move (o))
{
    engine = std::make_unique<engine::Engine> (std::make_unique<engine::NodeFactory>(), options.engine);
    engine->prepare (options.sampleRate, options.blockSize);
    loadIntoEngine();
}

SessionHost::~SessionHost()
{
    stopHosting();
    stopSuperCollider();
    saver.waitUntilIdle();
}

//==============================================================================
model::ApplyResult SessionHost::apply (const model::Action& action)
{
    // While hosting, the host's own edits pass through the server too: it broadcasts them and keeps the
    // seats' undo histories from overwriting them, then calls applyWith like for any seat.
    history.setGesture (getGesture());
    if (offerTransportRequest (action))
        return {};
    // Recording from a stopped transport with a count-in: the engine starts the song that many bars
    // early and clicks them before the Play goes through (the engine then already plays).
    if (std::holds_alternative<model::action::Play> (action) && session.transport.recording && ! session.transport.playing
        && session.settings.countInBars > 0)
        engine->startCountIn (session, session.settings.countInBars);
    if (server != nullptr)
        return server->applyLocal (action);
    return applyWith (action, history);
}

bool SessionHost::offerTransportRequest (const model::Action& action)
{
    if (applyingUnrecorded || transportRequests == nullptr)
        return false;
    if (! std::holds_alternative<model::action::Play> (action) && ! std::holds_alternative<model::action::Stop> (action)
        && ! std::holds_alternative<model::action::Locate> (action))
        return false;
    return transportRequests (action);
}

model::ApplyResult SessionHost::applyUnrecorded (const model::Action& action)
{
    const juce::ScopedValueSetter<bool> unrecorded (applyingUnrecorded, true);
    hostTimingHistory.clear();
    if (server != nullptr)
        return server->applyLocal (action, hostTimingHistory);
    return applyWith (action, hostTimingHistory);
}

model::ApplyResult SessionHost::applyWith (const model::Action& action, model::UndoHistory& seatHistory)
{
    auto result = dispatcher.apply (action, seatHistory);
    if (result.ok())
        afterApplied (result.changes);
    return result;
}

std::optional<juce::Result> SessionHost::openSandboxedEditor (model::NodeKind node, std::uint32_t nodeId, model::StageId stage)
{
    if (engine->findSandbox (node, nodeId, stage) == nullptr)
        return std::nullopt;
    return engine->openPluginEditor (node, nodeId, stage);
}

void SessionHost::followPluginIsolation()
{
    // The session says where its plugins run; the engine's other sandbox options (timeouts, pipelining)
    // are this host's.
    auto options = engine->getPluginSandbox();
    if (options.mode != session.settings.pluginIsolation)
    {
        options.mode = session.settings.pluginIsolation;
        engine->setPluginSandbox (options);
    }
}

void SessionHost::afterApplied (const model::ChangeSet& changes)
{
    followPluginIsolation(); // before the edit's rebuilds, so rebuilt plugins start where they now run
    engine->apply (session, changes);
    if (superCollider != nullptr)
        superCollider->apply (session, changes);
    if (changesContent (changes.net))
        ++editGeneration;
    SessionChange change;
    change.items = changes.net;
    notify (change);
}

void SessionHost::tick (int waitMs)
{
    if (server != nullptr)
        server->poll (waitMs);
    else if (waitMs > 0)
        juce::Thread::sleep (waitMs);

    engine->update();
    addRecordedTakes();
    refreshMidiTarget();
    takeLiveMidi();
    if (superCollider != nullptr)
        superCollider->update (session);
    collectWarnings();
    showHostTiming();

    if (const auto ownership = getOwnership(); ownership != lastOwnership)
    {
        lastOwnership = ownership;
        SessionChange change;
        change.ownership = true;
        notify (change);
    }

    if (autosave.intervalMs > 0 && juce::Time::getMillisecondCounter() - lastAutosaveMs >= (juce::uint32) autosave.intervalMs)
        autosaveNow (false);
    reportSaves();
}

bool SessionHost::learnMidi (const model::ParamAddress& param)
{
    if (! model::findParam (session, param))
        return false;
    learnTarget = param;
    return true;
}

void SessionHost::takeLiveMidi()
{
    const auto live = engine->takeLiveMidi();
    if (learnTarget)
        for (const auto& e : live)
        {
            using K = engine::CapturedMidi::Kind;
            if (e.kind != K::controller && e.kind != K::pitchBend)
                continue;
            const auto info = model::findParam (session, *learnTarget);
            if (! info)
            {
                learnTarget.reset(); // its parameter went away while waiting
                break;
            }
            model::MidiMapping m;
            m.source = e.kind == K::pitchBend ? model::MidiSource::pitchBend : model::MidiSource::controller;
            m.channel = e.channel;
            m.controller = e.kind == K::pitchBend ? 0 : e.number;
            m.param = *learnTarget;
            m.min = info->minValue;
            m.max = info->maxValue;
            learnTarget.reset();
            if (auto result = apply (model::action::AddMidiMapping { m }); ! result.ok())
                warn (result.error);
            break;
        }
    recorder.process (session, midiInstrument, live, { engine->isPlaying(), engine->getPlayheadTicks() });
}

void SessionHost::showHostTiming()
{
    if (! followHostTiming)
        return;
    const auto timing = engine->getHostTiming();
    if (! timing.active)
        return;
    auto applyTiming = [this] (const model::Action& action)
    { applyUnrecorded (action); };
    const auto& settings = session.settings;
    // The engine plays at the host's exact tempo already; the session shows it to a hundredth of a BPM.
    if (timing.bpm >= 20.0 && timing.bpm <= 999.0 && std::abs (timing.bpm - settings.bpm) >= 0.005)
        applyTiming (model::action::SetBpm { timing.bpm });
    if (timing.timeSigNumerator > 0 && (timing.timeSigNumerator != settings.timeSigNumerator || timing.timeSigDenominator != settings.timeSigDenominator))
        applyTiming (model::action::SetTimeSignature { timing.timeSigNumerator, timing.timeSigDenominator });
}

protocol::msg::Metering SessionHost::getMetering() const
{
    protocol::msg::Metering m;
    if (superCollider != nullptr)
        m.server = superCollider->getServerMeter();
    m.playhead = (model::Tick) engine->getPlayheadTicks();
    m.bpm = session.settings.bpm;
    m.playing = engine->isPlaying();
    const auto master = engine->getMasterMeter();
    m.masterLeft = master.left;
    m.masterRight = master.right;
    m.strips.reserve (session.instruments.size() + session.mixer.buses.size());
    for (const auto& instrument : session.instruments)
    {
        const auto meter = engine->getInstrumentMeter (instrument.id);
        m.strips.push_back ({ model::NodeKind::instrument, instrument.id.value, meter.left, meter.right });
    }
    for (const auto& bus : session.mixer.buses)
    {
        const auto meter = engine->getBusMeter (bus.id);
        m.strips.push_back ({ model::NodeKind::bus, bus.id.value, meter.left, meter.right });
    }
    return m;
}

SessionAccess::UndoState SessionHost::getUndoState() const
{
    return { history.canUndo(), history.canRedo(), juce::String (history.peekUndoName()), juce::String (history.peekRedoName()) };
}

void SessionHost::auditionNote (model::InstrumentId id, int noteNumber, float velocity, bool on)
{
    if (! session.instruments.contains (id) || noteNumber < 0 || noteNumber > 127)
        return;
    if (on)
        engine->noteOn (id, noteNumber, juce::jlimit (0.0f, 1.0f, velocity));
    else
        engine->noteOff (id, noteNumber);
}

protocol::Ownership SessionHost::getOwnership() const
{
    return server != nullptr ? server->getOwnership().toWire() : protocol::Ownership {};
}

//==============================================================================
void SessionHost::setSession (model::Session replacement, const juce::File& newFile, bool edited)
{
    session = std::move (replacement);
    history.clear();
    file = newFile;
    ++editGeneration;
    savedGeneration = autosavedGeneration = editGeneration;
    if (edited)
        --savedGeneration;
    loadIntoEngine();
    if (superCollider != nullptr)
    {
        model::ChangeSet rebuild;
        rebuild.audio.push_back (model::AudioEffect {}); // a full rebuild
        superCollider->apply (session, rebuild);
    }
    if (server != nullptr)
        server->resetSession();
    SessionChange change;
    change.everything = true;
    change.ownership = true;
    notify (change);
}

juce::Result SessionHost::open (const juce::File& target)
{
    auto loaded = loadSessionFile (target);
    if (! loaded.ok())
        return juce::Result::fail (loaded.error);
    setSession (std::move (*loaded.session), target);
    return juce::Result::ok();
}

juce::File SessionHost::recordingFolderFor (const juce::File& project)
{
    if (project == juce::File())
        return juce::File::getSpecialLocation (juce::File::tempDirectory).getChildFile ("Imbolc recordings");
    return project.getParentDirectory().getChildFile (project.getFileNameWithoutExtension() + " Audio");
}

void SessionHost::addRecordedTakes()
{
    for (const auto& take : engine->takeRecordedTakes())
    {
        // Beside the project, the clip names its file relative to the project's folder, so the two move
        // together; a take of a session with no file yet keeps its absolute path.
        const auto base = file != juce::File() ? file.getParentDirectory() : juce::File();
        const auto path = base != juce::File() && take.file.isAChildOf (base) ? take.file.getRelativePathFrom (base) : take.file.getFullPathName();
        const auto clip = take.toClip (path.toStdString());
        if (clip.length <= 0)
        {
            warn ("The take '" + take.file.getFileName() + "' holds no audio after the song's start: no clip was made.");
            continue;
        }
        const auto* from = session.instruments.find (take.instrument);
        model::action::AddInstrument add;
        add.name = (from != nullptr ? from->name : std::string ("Audio")) + " take";
        add.source.kind = model::SourceKind::audioClips;
        add.source.clips = { clip };
        // One edit, one undo step: a new audio track holding the take.
        if (const auto result = apply (add); ! result.ok())
            warn ("The take '" + take.file.getFileName() + "' could not become an audio track: " + juce::String (result.error));
    }
}

void SessionHost::loadIntoEngine()
{
    engine->setRecordingFolder (recordingFolderFor (file));
    engine->getNodeFactory().setBaseDirectory (file != juce::File() ? file.getParentDirectory() : juce::File::getCurrentWorkingDirectory());
    followPluginIsolation();
    engine->loadSession (session);
    liveMidiTarget = {};
    refreshMidiTarget();
    engine->setMidiInputInstrument (liveMidiTarget); // also when invalid: the loaded session's ids are new
    engine->update();
    collectWarnings();
}

void SessionHost::prepare (double sampleRate, int blockSize)
{
    options.sampleRate = sampleRate;
    options.blockSize = blockSize;
    engine->prepare (sampleRate, blockSize);
    loadIntoEngine();
}

void SessionHost::setMidiInputInstrument (model::InstrumentId id)
{
    midiInstrument = id;
    refreshMidiTarget();
}

void SessionHost::refreshMidiTarget()
{
    // An armed instrument that plays notes wins over the selection: the person armed it to play and
    // record it, whichever instrument they are looking at (the first armed one in rack order).
    auto target = midiInstrument;
    for (const auto& inst : session.instruments)
        if (inst.recordArmed && inst.source.kind != model::SourceKind::audioInput && inst.source.kind != model::SourceKind::audioClips)
        {
            target = inst.id;
            break;
        }
    if (target != liveMidiTarget)
    {
        liveMidiTarget = target;
        engine->setMidiInputInstrument (target);
    }
}

void SessionHost::collectWarnings()
{
    for (const auto& w : engine->takeWarnings())
    {
        warn (w);
        // Every seat hears what went wrong with the host's audio (a plugin that crashed there).
        if (server != nullptr)
            server->broadcastNotice (w.toStdString());
    }
    if (superCollider != nullptr)
        for (const auto& w : superCollider->takeWarnings())
            warn (w);
}

//==============================================================================
juce::Result SessionHost::save()
{
    if (file == juce::File())
        return juce::Result::fail ("This session has no file yet: save it under a name first.");
    return saveTo (file);
}

juce::Result SessionHost::saveAs (const juce::File& target)
{
    auto result = saveTo (target);
    if (result.wasOk() && target != file)
    {
        file = target;
        engine->getNodeFactory().setBaseDirectory (file.getParentDirectory());
        engine->setRecordingFolder (recordingFolderFor (file));
    }
    return result;
}

void SessionHost::capturePluginStates()
{
    // Through apply(): the captured states are edits like any other, so seats receive them too.
    for (const auto& capture : engine->capturePluginStates (session))
        apply (capture);
}

std::vector<SessionHost::MovedClip> SessionHost::gatherTakes (const juce::File& target)
{
    const auto base = target.getParentDirectory();
    const auto folder = recordingFolderFor (target);
    // Where relative paths are found now: the project's folder before a Save As to another one.
    const auto oldBase = engine->getNodeFactory().getBaseDirectory();
    std::map<juce::String, juce::String> copied; // source file -> its relative path, each copied once
    std::vector<MovedClip> moved;
    for (const auto& inst : session.instruments)
    {
        if (inst.source.kind != model::SourceKind::audioClips)
            continue;
        for (const auto& clip : inst.source.clips)
        {
            const juce::String path (clip.path);
            const bool absolute = juce::File::isAbsolutePath (path);
            if (! absolute && oldBase == base)
                continue; // beside the project already
            const auto from = absolute ? juce::File (path) : oldBase.getChildFile (path);
            auto relative = copied.find (from.getFullPathName());
            if (relative == copied.end())
            {
                juce::String now;
                if (from.isAChildOf (base))
                {
                    now = from.getRelativePathFrom (base); // already in the project's folder: nothing to copy
                }
                else if (! from.existsAsFile())
                {
                    warn ("The audio file '" + from.getFullPathName() + "' is missing, so it could not be copied beside the project; its clip still names it there.");
                    copied[from.getFullPathName()] = {};
                    continue;
                }
                else
                {
                    // The same name in the folder: the same file if the bytes are equal (saved before), else a new name.
                    auto to = folder.getChildFile (from.getFileName());
                    if (to.existsAsFile() && ! (to.getSize() == from.getSize() && to.hasIdenticalContentTo (from)))
                        to = folder.getNonexistentChildFile (from.getFileNameWithoutExtension(), from.getFileExtension(), false);
                    if (! to.existsAsFile())
                    {
                        // Through a temporary file, so a full disk leaves no half-written take behind.
                        const auto made = folder.createDirectory();
                        juce::TemporaryFile temp (to);
                        if (made.failed() || ! from.copyFileTo (temp.getFile()) || temp.getFile().getSize() != from.getSize() || ! temp.overwriteTargetFileWithTemporary())
                        {
                            warn ("The audio file '" + from.getFullPathName() + "' could not be copied to '" + folder.getFullPathName() + "' (is the disk full?), so its clip still names it where it was.");
                            copied[from.getFullPathName()] = {};
                            continue;
                        }
                    }
                    now = to.getRelativePathFrom (base);
                }
                relative = copied.emplace (from.getFullPathName(), now).first;
            }
            if (relative->second.isEmpty())
                continue; // missing or not copied: warned once
            auto after = clip;
            after.path = relative->second.toStdString();
            moved.push_back ({ inst.id, clip, after });
        }
    }
    return moved;
}

juce::Result SessionHost::saveTo (const juce::File& target)
{
    capturePluginStates();

    // Takes recorded before the session had a file live outside it: copied beside the project first,
    // their clips then name the copies relative to the project's folder, which the engine reads them
    // from (saveAs makes it the base for good; a failed save puts back the base and the old paths).
    const auto moved = gatherTakes (target);
    const auto oldBase = engine->getNodeFactory().getBaseDirectory();
    if (! moved.empty())
        engine->getNodeFactory().setBaseDirectory (target.getParentDirectory());
    for (const auto& m : moved)
        applyUnrecorded (model::action::EditAudioClip { m.instrument, m.before, m.after });

    const auto generation = editGeneration;
    auto outcome = std::make_shared<juce::Result> (juce::Result::fail ("The save did not finish."));
    saver.saveAsync (session, target, [outcome] (const juce::File&, juce::Result r)
                     { *outcome = r; });
    saver.waitUntilIdle();
    reportSaves();
    if (outcome->failed())
    {
        if (! moved.empty())
        {
            engine->getNodeFactory().setBaseDirectory (oldBase);
            for (auto m = moved.rbegin(); m != moved.rend(); ++m)
                applyUnrecorded (model::action::EditAudioClip { m->instrument, m->after, m->before });
        }
        return *outcome;
    }

    savedGeneration = autosavedGeneration = generation;
    // The side file held edits that are now in the file itself.
    const auto side = autosaveFileFor (target);
    if (side.existsAsFile())
        side.deleteFile();
    if (file == juce::File() && autosave.untitledFile.existsAsFile())
        autosave.untitledFile.deleteFile(); // an untitled session's edits now have a file of their own
    return juce::Result::ok();
}

void SessionHost::setAutosave (Autosave a)
{
    autosave = a;
    lastAutosaveMs = juce::Time::getMillisecondCounter();
}

model::Session SessionHost::snapshotWithPluginStates()
{
    // The plugins' current states go into the snapshot, not into the session: a snapshot must not
    // leave entries in anybody's undo history.
    auto snapshot = session;
    model::UndoHistory scratch;
    model::Dispatcher onSnapshot (snapshot, scratch);
    for (const auto& capture : engine->capturePluginStates (session))
        onSnapshot.apply (capture);
    return snapshot;
}

void SessionHost::autosaveNow (bool wait)
{
    lastAutosaveMs = juce::Time::getMillisecondCounter();
    const auto sideFile = file != juce::File() ? autosaveFileFor (file) : autosave.untitledFile;
    if (sideFile == juce::File() || editGeneration == autosavedGeneration)
        return;

    auto snapshot = snapshotWithPluginStates();
    const auto generation = editGeneration;
    const bool toSessionFile = autosave.toSessionFile && file != juce::File();
    saver.saveAsync (std::move (snapshot), toSessionFile ? file : sideFile, [this, generation, toSessionFile] (const juce::File& f, juce::Result r)
                     {
                         const std::lock_guard lock (outcomeMutex);
                         outcomes.push_back ({ f, r, generation, toSessionFile }); });
    autosavedGeneration = generation;
    if (wait)
    {
        saver.waitUntilIdle();
        reportSaves();
    }
}

void SessionHost::reportSaves()
{
    std::vector<SaveOutcome> done;
    {
        const std::lock_guard lock (outcomeMutex);
        done.swap (outcomes);
    }
    for (const auto& o : done)
    {
        if (o.result.wasOk())
        {
            if (o.sessionFile && o.generation > savedGeneration)
                savedGeneration = o.generation;
            log ("Saved " + o.target.getFullPathName());
        }
        else
        {
            autosavedGeneration = 0; // try again at the next interval
            warn ("Could not save " + o.target.getFullPathName() + ": " + o.result.getErrorMessage());
        }
    }
}

//==============================================================================
juce::Result SessionHost::startSuperCollider (sc::ScBackend::Options scOptions)
{
    stopSuperCollider();
    // A sampler's relative sample path is found where the internal engine finds it: the project's folder.
    if (scOptions.sampleFolder == juce::File())
        scOptions.sampleFolder = engine->getNodeFactory().getBaseDirectory();
    auto output = std::make_unique<ScOutput> (*engine, std::move (scOptions));
    auto result = output->start (session);
    for (const auto& w : output->takeWarnings())
        warn (w);
    if (result.wasOk())
        superCollider = std::move (output);
    return result;
}

void SessionHost::stopSuperCollider()
{
    superCollider.reset();
}

juce::Result SessionHost::startHosting (net::ServerOptions serverOptions)
{
    stopHosting();
    const auto address = juce::String (serverOptions.address);
    auto next = std::make_unique<net::SessionServer> (
        session, std::move (serverOptions), [this] (const model::Action& action, model::UndoHistory& seatHistory)
        {
            // A seat's Play and Stop go where the host's own go (Ableton Link, while it is on).
            if (&seatHistory != &history && offerTransportRequest (action))
                return model::ApplyResult {};
            return applyWith (action, seatHistory); },
        history);
    next->onLog = [this] (const juce::String& line)
    { log (line); };
    next->meteringSource = [this]
    { return getMetering(); };
    if (auto started = next->start(); started.failed())
        return started;
    server = std::move (next);

    // Other machines find the session on the LAN; a loopback-only session is not announced.
    if (! address.startsWith ("127.") && address != "localhost" && address != "::1")
        advertiser = std::make_unique<net::discovery::Advertiser> (session.settings.name, server->getPort());
    return juce::Result::ok();
}

void SessionHost::stopHosting()
{
    advertiser.reset();
    server.reset();
}

void SessionHost::log (const juce::String& line)
{
    if (onLog)
        onLog (line);
}

} // namespace imbolc::app
