namespace imbolc::sc
{

ScBackend::ScBackend (Options o)
    : options (std::move (o)), latency (options.latencySeconds >= 0.0 ? options.latencySeconds : ScsynthClient::defaultLatencySeconds (options.sampleRate, options.blockSize)), client (options.server)
{
}

ScBackend::~ScBackend()
{
    // A server may be shared and outlive us: take our nodes (voices, chains, strips) with us.
    if (state.load() == State::running)
    {
        std::vector<OscMessage> free;
        for (auto group : ScsynthClient::groupLayout)
            free.push_back ({ "/n_free", { client.nodeBase() + group } });
        client.sendNow (free);
        client.sync();
    }
}

std::int32_t ScBackend::layoutGroup (std::size_t index) const
{
    return client.nodeBase() + ScsynthClient::groupLayout[index];
}

void ScBackend::warn (std::string sentence)
{
    const std::lock_guard l (warningLock);
    warnings.push_back (std::move (sentence));
}

std::vector<std::string> ScBackend::takeWarnings()
{
    std::vector<std::string> taken;
    {
        const std::lock_guard l (lock);
        if (mirror != nullptr)
            taken = mirror->takeWarnings();
    }
    const std::lock_guard l (warningLock);
    taken.insert (taken.begin(), warnings.begin(), warnings.end());
    warnings.clear();
    return taken;
}

juce::Result ScBackend::bootstrap (const model::Session& session)
{
    // Whatever this client left on a server that only went quiet must not be doubled: free our
    // layout groups first (on a fresh server these fail harmlessly).
    if (auto r = client.connect(); r.failed())
        return r;
    // Buses are split by client id as node ids are, so clients never share one.
    const auto firstBus = options.firstPrivateBus + client.getClientId() * options.busesPerClient;
    if (firstBus + options.busesPerClient > options.audioBusChannels)
        return juce::Result::fail ("scsynth gave this client id " + juce::String (client.getClientId()) + ", whose " + juce::String (options.busesPerClient)
                                   + " audio buses would pass the server's " + juce::String (options.audioBusChannels) + ": start scsynth with more buses (-a) or fewer clients (-l).");
    std::vector<OscMessage> clear { { "/error", { (std::int32_t) -1 } } }; // quiet, for this bundle only
    for (auto group : ScsynthClient::groupLayout)
        clear.push_back ({ "/n_free", { client.nodeBase() + group } });
    client.sendNow (clear);

    if (auto r = client.createGroups(); r.failed())
        return r;
    auto definitions = allVoiceDefinitions();
    for (auto& d : allProcessingDefinitions())
        definitions.push_back (std::move (d));
    if (auto r = client.loadDefinitions (synthDefFile (definitions)); r.failed())
        return r;

    SessionMirror::Range range;
    range.nodeBase = client.nodeBase();
    range.firstBus = firstBus;
    range.busCount = options.busesPerClient;
    range.hardwareOut = options.hardwareOut;
    auto fresh = std::make_unique<SessionMirror> (range);
    const auto messages = fresh->build (session);

    const std::lock_guard l (lock);
    client.takeEndedNodes(); // from before: those voices belonged to the old tree
    mirror = std::move (fresh);
    client.sendNow (messages);
    if (! client.sync())
        return juce::Result::fail ("scsynth stopped answering while the session was being built.");
    return juce::Result::ok();
}

juce::Result ScBackend::start (const model::Session& session)
{
    auto result = bootstrap (session);
    if (result.wasOk())
    {
        state = State::running;
        startedMs = lastRequestMs = juce::Time::getMillisecondCounterHiRes();
        client.requestStatus();
    }
    return result;
}

void ScBackend::apply (const model::Session& session, const std::vector<model::AudioEffect>& effects)
{
    const std::lock_guard l (lock);
    if (mirror == nullptr)
        return;
    const auto messages = mirror->apply (session, effects);
    // While the server is lost the mirror still follows the session; recovery rebuilds from it anyway.
    if (state.load() == State::running)
        client.sendNow (messages);
}

void ScBackend::update (const model::Session& session)
{
    const auto now = juce::Time::getMillisecondCounterHiRes();
    const auto current = state.load();
    if (current == State::stopped)
        return;

    {
        const std::lock_guard l (lock);
        reclaimEndedVoices();
    }

    const auto newest = client.latestStatus();
    const auto heard = newest.has_value() ? newest->second : startedMs;

    if (current == State::running && now - heard > options.silenceBeforeLostMs)
    {
        state = State::lost;
        lostSinceMs = now;
        const auto& o = client.getOptions();
        warn ("scsynth at " + o.host.toStdString() + ":" + std::to_string (o.port) + " stopped answering (no status for "
              + std::to_string ((int) (now - heard)) + " ms): SuperCollider instruments are silent until it is back, and Imbolc reconnects by itself.");
    }
    else if (current == State::lost && heard > lostSinceMs)
    {
        // It answers again. A restarted server knows nothing of us: register and rebuild from the session.
        if (auto r = bootstrap (session); r.wasOk())
        {
            state = State::running;
            ++recoveries;
            startedMs = now;
            warn ("scsynth is back: the session was rebuilt on it.");
        }
        else
            lostSinceMs = juce::Time::getMillisecondCounterHiRes(); // try again after the next status reply
    }

    if (now - lastRequestMs >= options.statusIntervalMs)
    {
        lastRequestMs = now;
        client.requestStatus();
    }
}

void ScBackend::reclaimEndedVoices()
{
    if (mirror == nullptr)
        return;
    for (auto node : client.takeEndedNodes())
        mirror->nodeEnded (node);
}

void ScBackend::sendTimed (double ntpSeconds, const SessionMirror::Messages& messages)
{
    // Never less than the latency ahead of now: a note handed over after its time (a drain that
    // came late) is played a little late rather than sent as a bundle scsynth reports late.
    client.sendAt (std::max (ntpSeconds, ScsynthClient::ntpNow()) + latency, messages);
}

void ScBackend::noteOn (model::InstrumentId id, int note, float velocity, double ntpSeconds)
{
    if (state.load() != State::running)
    {
        ++notesDropped;
        return;
    }
    const std::lock_guard l (lock);
    if (mirror == nullptr)
        return;
    reclaimEndedVoices();
    sendTimed (ntpSeconds, mirror->noteOn (id, note, velocity, ++noteCounter));
}

void ScBackend::noteOff (model::InstrumentId id, int note, double ntpSeconds)
{
    if (state.load() != State::running)
        return;
    const std::lock_guard l (lock);
    if (mirror != nullptr)
        sendTimed (ntpSeconds, mirror->noteOff (id, note, ++noteCounter));
}

void ScBackend::allNotesOff (model::InstrumentId id, double ntpSeconds)
{
    if (state.load() != State::running)
        return;
    const std::lock_guard l (lock);
    if (mirror != nullptr)
        sendTimed (ntpSeconds, mirror->allNotesOff (id));
}

ScBackend::Meters ScBackend::getMeters() const
{
    Meters m;
    m.state = state.load();
    if (const auto s = client.latestStatus())
        m.status = s->first;
    {
        const std::lock_guard l (lock);
        m.liveVoices = mirror != nullptr ? mirror->liveVoices() : 0;
    }
    m.recoveries = recoveries.load();
    m.notesDropped = notesDropped.load();
    return m;
}

std::optional<SessionMirror::InstrumentNodes> ScBackend::findInstrument (model::InstrumentId id) const
{
    const std::lock_guard l (lock);
    if (mirror != nullptr)
        if (const auto* n = mirror->findInstrument (id))
            return *n;
    return std::nullopt;
}

} // namespace imbolc::sc
