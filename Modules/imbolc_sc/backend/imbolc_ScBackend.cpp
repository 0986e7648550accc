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
    range.firstBuffer = client.getClientId() * options.buffersPerClient;
    range.bufferCount = options.buffersPerClient;
    auto fresh = std::make_unique<SessionMirror> (range);
    const auto messages = fresh->build (session);

    std::vector<SessionMirror::SampleLoad> loads;
    {
        const std::lock_guard l (lock);
        client.takeEndedNodes(); // from before: those voices belonged to the old tree
        mirror = std::move (fresh);
        client.sendNow (messages);
        if (! client.sync())
            return juce::Result::fail ("scsynth stopped answering while the session was being built.");
        loads = mirror->takeSampleLoads();
    }
    loadSamples (std::move (loads));
    return juce::Result::ok();
}

bool ScBackend::serverReadsSamples() const
{
    using U = Options::SampleUpload;
    if (options.sampleUpload != U::automatic)
        return options.sampleUpload == U::serverReads;
    const auto host = options.server.host.trim().toLowerCase();
    return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.startsWith ("127.");
}

void ScBackend::loadSamples (std::vector<SessionMirror::SampleLoad> loads)
{
    for (const auto& load : loads)
    {
        // The header is read here either way: its channel count picks the voice definition, and a
        // file that cannot be read is one sentence here rather than a silent voice there.
        const juce::String path (load.path);
        const auto file = juce::File::isAbsolutePath (path) ? juce::File (path) : (options.sampleFolder != juce::File() ? options.sampleFolder : juce::File::getCurrentWorkingDirectory()).getChildFile (path);
        juce::AudioFormatManager formats;
        formats.registerBasicFormats();
        std::unique_ptr<juce::AudioFormatReader> reader (file.existsAsFile() ? formats.createReaderFor (file) : nullptr);
        juce::Result loaded = juce::Result::ok();
        bool readable = false;
        int channels = 0;
        float rateScale = 1.0f;
        if (reader == nullptr || reader->lengthInSamples <= 0 || reader->numChannels == 0)
        {
            loaded = juce::Result::fail (juce::String ("\"") + load.path + "\" " + (file.existsAsFile() ? "is not an audio file Imbolc can read" : "does not exist"));
        }
        else
        {
            readable = true;
            channels = juce::jmin (2, (int) reader->numChannels);
            // As the internal sampler: at most maxSampleSeconds (600 s) of it.
            const auto frames = (int) std::min<juce::int64> (reader->lengthInSamples, (juce::int64) (600.0 * reader->sampleRate));
            if (serverReadsSamples())
            {
                const std::vector<std::int32_t> firstTwo = reader->numChannels > 2 ? std::vector<std::int32_t> { 0, 1 } : std::vector<std::int32_t> {};
                loaded = client.allocRead (load.buffer, file.getFullPathName().toStdString(), firstTwo);
            }
            else
            {
                juce::AudioBuffer<float> audio (channels, frames);
                reader->read (&audio, 0, frames, 0, true, channels > 1);
                std::vector<float> interleaved ((std::size_t) frames * (std::size_t) channels);
                for (int f = 0; f < frames; ++f)
                    for (int c = 0; c < channels; ++c)
                        interleaved[(std::size_t) f * (std::size_t) channels + (std::size_t) c] = audio.getSample (c, f);
                loaded = client.sendBuffer (load.buffer, frames, channels, interleaved.data());
                // scsynth takes a buffer it did not read as being at its own rate.
                const auto status = client.latestStatus();
                const auto serverRate = status.has_value() && status->first.nominalSampleRate > 0.0 ? status->first.nominalSampleRate : options.sampleRate;
                rateScale = (float) (reader->sampleRate / serverRate);
            }
        }
        if (loaded.failed())
        {
            const auto why = loaded.getErrorMessage().trimCharactersAtEnd (".");
            warn (load.owner + " is silent on SuperCollider: its sample " + (readable ? "\"" + load.path + "\" could not be loaded there (" + why.toStdString() + ")" : why.toStdString()) + ".");
            channels = 0;
        }
        const std::lock_guard l (lock);
        if (mirror != nullptr)
            mirror->setSampleVoice (load.instrument, channels, rateScale);
    }
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
    std::vector<SessionMirror::SampleLoad> loads;
    {
        const std::lock_guard l (lock);
        if (mirror == nullptr)
            return;
        const auto messages = mirror->apply (session, effects);
        loads = mirror->takeSampleLoads();
        // While the server is lost the mirror still follows the session; recovery rebuilds from it anyway.
        if (state.load() != State::running)
            return;
        client.sendNow (messages);
    }
    loadSamples (std::move (loads));
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

void ScBackend::automate (model::InstrumentId id, model::ParamGroup group, std::uint32_t item, int index, float value, double ntpSeconds)
{
    if (state.load() != State::running)
        return;
    const std::lock_guard l (lock);
    if (mirror == nullptr)
        return;
    if (const auto messages = mirror->automate (id, group, item, index, value); ! messages.empty())
        sendTimed (ntpSeconds, messages);
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
