namespace imbolc::app
{

/** Plays the engine on a device: the device's thread is the audio thread. */
struct AudioOutput::DeviceCallback final : juce::AudioIODeviceCallback
{
    DeviceCallback (AudioOutput& o, engine::Engine& e)
        : owner (o), target (e) {}

    void audioDeviceIOCallbackWithContext (const float* const* inputs, int numInputs, float* const* outputs, int numOutputs, int numSamples, const juce::AudioIODeviceCallbackContext&) override
    {
        owner.render (target, inputs, numInputs, outputs, numOutputs, numSamples, latencySeconds);
    }

    /** A device (re)starts: after a person picked another device, rate or block size. JUCE calls this
        before the device's first callback, on the thread that started it (the message thread, where the
        device selector runs), so the engine can be prepared here as the rule for prepare() asks. */
    void audioDeviceAboutToStart (juce::AudioIODevice* d) override
    {
        owner.device = d;
        const auto rate = d->getCurrentSampleRate();
        const auto block = d->getCurrentBufferSizeSamples();
        if (rate > 0.0 && block > 0 && (rate != target.getSampleRate() || block > target.getMaxBlockSize()))
            target.prepare (rate, block);
        owner.rate = rate;
        owner.block = block;
        // What the device adds after our callback: its own output latency plus the block it is filling.
        latencySeconds = rate > 0.0 ? (d->getOutputLatencyInSamples() + block) / rate : 0.0;
        owner.outputLatency.store (latencySeconds, std::memory_order_relaxed);
        // A take is placed this much earlier than the song position it was recorded at: the time from
        // the engine's output to the speaker plus the time from the microphone to the engine's input.
        owner.latency = juce::jmax (0, d->getInputLatencyInSamples()) + juce::jmax (0, d->getOutputLatencyInSamples());
        target.setRecordingLatency (owner.latency);
        if (owner.midiInputs != nullptr)
            owner.midiInputs->prepare (rate, block);
    }
    void audioDeviceStopped() override {}

    AudioOutput& owner;
    engine::Engine& target;
    double latencySeconds = 0.0;
};

void AudioOutput::render (engine::Engine& target, const float* const* inputs, int numInputs, float* const* outputs, int numOutputs, int numSamples, double latencySeconds) noexcept
{
    engine::HostTransport transport;
    engine::ProcessInput input;
    // The device's active input channels, in order: what audio-input instruments play and record.
    input.inputs = numInputs > 0 ? inputs : nullptr;
    input.numInputChannels = juce::jmax (0, numInputs);
    // Live MIDI first: the MIDI clock it carries (MidiClockFollower) is part of this block's transport.
    if (midiInputs != nullptr)
    {
        input.midi = &midiInputs->fill (numSamples, target.getAudioGraph().getSequencer().isPlaying());
        input.midiBlockSamples = numSamples;
    }
    // What is heard of this block comes out later still by the engine's own latency (delay
    // compensation): a source that aligns the song with the world (Link) counts it too.
    const auto heardAfter = latencySeconds + (rate > 0.0 ? target.getAudioGraph().getOutputLatency() / rate : 0.0);
    if (transportSource != nullptr && transportSource->fill (transport, numSamples, rate, heardAfter))
        input.transport = &transport;
    target.process (outputs, numOutputs, numSamples, input);
    if (onRendered)
        onRendered (outputs, numOutputs, numSamples);
}

AudioOutput::AudioOutput (Options options)
    : mode (options.mode), rate (options.sampleRate), block (options.blockSize), onRendered (std::move (options.onRendered))
{
    if (mode != Mode::device)
        return;
    devices = std::make_unique<juce::AudioDeviceManager>();
    // A remembered setup that is damaged or names a device that is gone falls back to the default.
    const auto saved = options.savedDeviceState.isNotEmpty() ? juce::parseXML (options.savedDeviceState) : nullptr;
    deviceError = devices->initialise (juce::jmax (0, options.inputChannels), 2, saved.get(), true);
    device = devices->getCurrentAudioDevice();
    if (device != nullptr)
    {
        rate = device->getCurrentSampleRate();
        block = device->getCurrentBufferSizeSamples();
    }
    else if (options.fallBackToNull)
    {
        mode = Mode::null;
    }
}

AudioOutput::~AudioOutput()
{
    stop();
    if (devices != nullptr)
        devices->closeAudioDevice();
}

juce::String AudioOutput::describe() const
{
    const auto format = juce::String ((int) rate) + " Hz, " + juce::String (block) + " samples";
    switch (mode)
    {
        case Mode::device:
            return device != nullptr ? "on " + device->getName() + " (" + format + ")" : "on no device (" + deviceError + ")";
        case Mode::null:
            return "on a null device (" + format + (devices != nullptr ? ", no audio device" + (deviceError.isNotEmpty() ? ": " + deviceError : juce::String()) : juce::String()) + ")";
        case Mode::hosted:
            return "hosted (" + format + ")";
    }
    return {};
}

void AudioOutput::start (engine::Engine& target)
{
    stop();
    engine = &target;
    if (mode == Mode::hosted)
        return;
    if (midiInputs != nullptr)
        midiInputs->prepare (rate, block);
    if (mode == Mode::device)
    {
        callback = std::make_unique<DeviceCallback> (*this, target);
        if (device != nullptr)
            devices->addAudioCallback (callback.get());
        return;
    }
    startNullDevice();
}

void AudioOutput::startNullDevice()
{
    nullRunning = true;
    outputLatency.store (block / rate, std::memory_order_relaxed);
    nullDevice = std::thread ([this, &target = *engine.load()]
                              {
        std::vector<float> l ((std::size_t) block), r ((std::size_t) block);
        float* outs[] = { l.data(), r.data() };
#if JUCE_LINUX || JUCE_MAC || JUCE_BSD
        // Real-time scheduling where the system grants it (as a device's thread has it): on a busy
        // machine an ordinary thread is late by whole blocks, and live MIDI's timing with it. Below
        // JACK's default (10), whose clients feed this thread. Refused: it runs as it is.
        sched_param param {};
        param.sched_priority = 8;
        pthread_setschedparam (pthread_self(), SCHED_FIFO, &param);
#endif
        const auto period = std::chrono::duration<double> (block / rate);
        auto next = std::chrono::steady_clock::now();
        while (nullRunning.load())
        {
            const auto started = std::chrono::steady_clock::now();
            // The block is heard one period from now, when the next one starts.
            render (target, nullptr, 0, outs, 2, block, block / rate);
            // The same smoothing JUCE's device manager gives its CPU figure.
            const auto used = std::chrono::duration<double> (std::chrono::steady_clock::now() - started) / period;
            nullLoad.store ((float) (0.8 * nullLoad.load (std::memory_order_relaxed) + 0.2 * used), std::memory_order_relaxed);
            next += std::chrono::duration_cast<std::chrono::steady_clock::duration> (period);
            std::this_thread::sleep_until (next);
        } });
}

void AudioOutput::setMidiInputs (MidiInputs* inputs)
{
    jassert (! isRunning());
    midiInputs = inputs;
}

void AudioOutput::stop()
{
    if (devices != nullptr && callback != nullptr)
        devices->removeAudioCallback (callback.get());
    nullRunning = false;
    if (nullDevice.joinable())
        nullDevice.join();
    callback.reset();
    // Hosted: the host may be inside processHosted right now; it reads `engine` once per block, and the
    // plugin stops the output only from releaseResources or its destructor, when the host has stopped
    // calling it.
    engine = nullptr;
}

AudioOutput::Load AudioOutput::getLoad() const
{
    if (mode == Mode::device && devices != nullptr)
    {
        auto* current = devices->getCurrentAudioDevice();
        return { (float) devices->getCpuUsage(), current != nullptr ? current->getXRunCount() : -1 };
    }
    if (mode == Mode::null)
        return { nullLoad.load (std::memory_order_relaxed), 0 };
    return { 0.0f, -1 };
}

void AudioOutput::setHostedFormat (double sampleRate, int maxBlockSize)
{
    jassert (mode == Mode::hosted && ! isRunning());
    rate = sampleRate;
    block = maxBlockSize;
}

std::optional<engine::HostTransport> AudioOutput::readPlayHead (juce::AudioPlayHead* playHead, double sampleRate) noexcept
{
    if (playHead == nullptr)
        return std::nullopt;
    const auto position = playHead->getPosition();
    if (! position.hasValue())
        return std::nullopt;
    // A host without a tempo keeps the session's; an absurd one is not followed.
    const auto bpm = position->getBpm();
    const auto tempo = bpm.hasValue() && std::isfinite (*bpm) && *bpm >= 1.0 && *bpm <= 999.0 ? *bpm : 0.0;
    auto ppq = position->getPpqPosition();
    // JUCE 7's LV2 wrapper takes the position in quarter notes from time:beat alone, which Ardour and jalv
    // do not send (they send time:frame, time:bar and time:barBeat): from the position in samples at the
    // host's tempo it is exact while that tempo holds from the host's zero.
    if (! ppq.hasValue() && tempo > 0.0 && sampleRate > 0.0)
        if (const auto samples = position->getTimeInSamples(); samples.hasValue())
            ppq = (double) *samples / sampleRate * tempo / 60.0;
    if (! ppq.hasValue() || ! std::isfinite (*ppq))
        return std::nullopt;
    engine::HostTransport t;
    t.playing = position->getIsPlaying();
    t.ppqPosition = *ppq;
    // Before the song's start (a pre-roll, a count-in; Ardour's export begins with a block at -240
    // samples) the session waits at its start: the engine would clamp the position to zero and play the
    // first notes that much early. It starts with the first block at or past zero.
    if (t.ppqPosition < 0.0)
    {
        t.playing = false;
        t.ppqPosition = 0.0;
    }
    t.bpm = tempo;
    // A loop that is on and makes sense is followed; anything else plays straight on.
    if (position->getIsLooping())
        if (const auto loop = position->getLoopPoints(); loop.hasValue() && std::isfinite (loop->ppqStart) && std::isfinite (loop->ppqEnd) && loop->ppqStart >= 0.0 && loop->ppqEnd > loop->ppqStart)
        {
            t.looping = true;
            t.loopStartPpq = loop->ppqStart;
            t.loopEndPpq = loop->ppqEnd;
        }
    if (const auto sig = position->getTimeSignature(); sig.hasValue() && sig->numerator >= 1 && sig->numerator <= 32 && (sig->denominator == 1 || sig->denominator == 2 || sig->denominator == 4 || sig->denominator == 8 || sig->denominator == 16 || sig->denominator == 32))
    {
        t.timeSigNumerator = sig->numerator;
        t.timeSigDenominator = sig->denominator;
    }
    return t;
}

void AudioOutput::processHosted (juce::AudioBuffer<float>& buffer, const juce::MidiBuffer& midi, juce::AudioPlayHead* playHead, engine::ProcessInput input) noexcept
{
    auto* target = engine.load();
    const int numChannels = buffer.getNumChannels();
    const int numSamples = buffer.getNumSamples();
    if (target == nullptr || numChannels == 0)
    {
        buffer.clear();
        for (int i = 0; i < input.numBusOutputs; ++i)
            if (auto* out = input.busOutputs[i])
                std::fill (out, out + numSamples, 0.0f);
        return;
    }
    const auto transport = readPlayHead (playHead, rate);
    input.midi = &midi;
    input.midiStart = 0;
    input.midiBlockSamples = numSamples;
    input.transport = transport.has_value() ? &*transport : nullptr;
    // The engine renders stereo; a mono bus gets the left channel, further channels silence.
    const int rendered = juce::jmin (2, numChannels);
    target->process (buffer.getArrayOfWritePointers(), rendered, numSamples, input);
    for (int ch = rendered; ch < numChannels; ++ch)
        buffer.clear (ch, 0, numSamples);
}

} // namespace imbolc::app
