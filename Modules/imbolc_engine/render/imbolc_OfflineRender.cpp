namespace imbolc::engine
{

OfflineRenderer::OfflineRenderer (const Options& o, std::unique_ptr<NodeFactory> f)
    : options (o), factory (std::move (f))
{
}

juce::String OfflineRenderer::checkOptions (const Options& o)
{
    if (! std::isfinite (o.sampleRate) || o.sampleRate < 8000.0 || o.sampleRate > 384000.0)
        return "The sample rate must be between 8000 and 384000 Hz.";
    if (o.blockSize < 16 || o.blockSize > 8192)
        return "The block size must be between 16 and 8192 samples.";
    if (o.bitsPerSample != 16 && o.bitsPerSample != 24 && o.bitsPerSample != 32)
        return "The WAV bit depth must be 16, 24 or 32.";
    if (! std::isfinite (o.maxSeconds) || o.maxSeconds < 0.0)
        return "The render length must be zero (the whole song) or more seconds.";
    if (! std::isfinite (o.maxTailSeconds) || o.maxTailSeconds < 0.0)
        return "The tail length must be zero or more seconds.";
    return {};
}

template <typename Sink>
OfflineRenderer::Result OfflineRenderer::render (const model::Session& original, Sink&& sink, const ProgressCallback& progress)
{
    Result result;
    if (auto e = checkOptions (options); e.isNotEmpty())
    {
        result.error = e;
        return result;
    }
    if (auto e = model::validate (original); ! e.empty())
    {
        result.error = "The session cannot be rendered: " + juce::String (e);
        return result;
    }

    const auto started = juce::Time::getMillisecondCounterHiRes();

    // The whole song from the top: stopped sessions play, the loop region does not hold the playhead.
    auto session = original;
    session.settings.loop.enabled = false;
    session.transport.position = 0;
    session.transport.playing = true;

    Engine::Options engineOptions;
    engineOptions.instrumentSlots = juce::jmax (64, (int) session.instruments.size() + 8);
    Engine engine (std::move (factory), engineOptions);
    engine.prepare (options.sampleRate, options.blockSize);
    engine.loadSession (session);
    engine.update();

    const auto endTick = (double) engine.getSongEndTick (session);
    const auto& sequencer = engine.getAudioGraph().getSequencer();
    const double songSeconds = endTick / (session.settings.bpm / 60.0 * model::ticksPerBeat); // nominal, for progress
    const auto maxTailSamples = (std::int64_t) (options.maxTailSeconds * options.sampleRate);
    const auto quietNeeded = (std::int64_t) (0.25 * options.sampleRate);
    constexpr float quiet = 3.2e-5f; // -90 dBFS

    juce::AudioBuffer<float> block (2, options.blockSize);
    std::int64_t tailSamples = 0, quietSamples = 0;
    bool inTail = endTick <= 0.0;
    double lastReport = -1.0;

    for (;;)
    {
        float* outs[] = { block.getWritePointer (0), block.getWritePointer (1) };
        engine.process (outs, 2, options.blockSize);
        engine.update();
        if (! sink (block, options.blockSize))
        {
            result.error = "Could not write the rendered audio; check the disk has space.";
            return result;
        }
        result.samples += options.blockSize;

        if (options.maxSeconds > 0.0 && (double) result.samples >= options.maxSeconds * options.sampleRate)
            break;
        if (! inTail && sequencer.getPositionTicks() >= endTick)
            inTail = true;
        if (inTail)
        {
            tailSamples += options.blockSize;
            const auto level = juce::jmax (block.getMagnitude (0, 0, options.blockSize), block.getMagnitude (1, 0, options.blockSize));
            quietSamples = level < quiet ? quietSamples + options.blockSize : 0;
            if (quietSamples >= quietNeeded || tailSamples >= maxTailSamples)
                break;
        }

        if (progress)
        {
            Progress p;
            p.renderedSeconds = (double) result.samples / options.sampleRate;
            p.songSeconds = songSeconds;
            p.fraction = endTick > 0.0 ? juce::jlimit (0.0, 1.0, sequencer.getPositionTicks() / endTick) : 1.0;
            p.inTail = inTail;
            // A report per percent is plenty for a bar, and costs nothing against the rendering.
            if (p.fraction - lastReport >= 0.01 || (inTail && tailSamples == options.blockSize))
            {
                lastReport = p.fraction;
                progress (p);
            }
        }
    }

    result.audioSeconds = (double) result.samples / options.sampleRate;
    result.wallSeconds = (juce::Time::getMillisecondCounterHiRes() - started) / 1000.0;
    result.warnings = engine.takeWarnings();
    if (progress)
        progress ({ 1.0, result.audioSeconds, songSeconds, true });
    return result;
}

OfflineRenderer::Result OfflineRenderer::renderToBuffer (const model::Session& session, juce::AudioBuffer<float>& out, const ProgressCallback& progress)
{
    std::vector<float> left, right;
    auto result = render (session, [&] (const juce::AudioBuffer<float>& b, int n)
                          {
        left.insert (left.end(), b.getReadPointer (0), b.getReadPointer (0) + n);
        right.insert (right.end(), b.getReadPointer (1), b.getReadPointer (1) + n);
        return true; },
                          progress);
    out.setSize (2, (int) left.size());
    if (! left.empty())
    {
        out.copyFrom (0, 0, left.data(), (int) left.size());
        out.copyFrom (1, 0, right.data(), (int) right.size());
    }
    return result;
}

OfflineRenderer::Result OfflineRenderer::renderToWav (const model::Session& session, const juce::File& file, const ProgressCallback& progress)
{
    Result result;
    if (auto e = checkOptions (options); e.isNotEmpty())
    {
        result.error = e;
        return result;
    }
    if (file.isDirectory())
    {
        result.error = "The output " + file.getFullPathName() + " is a directory; give a file name ending in .wav.";
        return result;
    }
    if (! file.getParentDirectory().isDirectory())
    {
        result.error = "The folder " + file.getParentDirectory().getFullPathName() + " does not exist; create it first.";
        return result;
    }

    juce::TemporaryFile temp (file);
    {
        auto stream = std::make_unique<juce::FileOutputStream> (temp.getFile());
        if (! stream->openedOk())
        {
            result.error = "Could not write to " + file.getParentDirectory().getFullPathName() + "; check its permissions.";
            return result;
        }
        juce::WavAudioFormat wav;
        std::unique_ptr<juce::AudioFormatWriter> writer (wav.createWriterFor (stream.get(), options.sampleRate, 2, options.bitsPerSample, {}, 0));
        if (writer == nullptr)
        {
            result.error = "Could not start a WAV file at " + juce::String (options.sampleRate) + " Hz and " + juce::String (options.bitsPerSample) + " bits.";
            return result;
        }
        stream.release(); // the writer owns it now

        result = render (session, [&] (const juce::AudioBuffer<float>& b, int n)
                         { return writer->writeFromAudioSampleBuffer (b, 0, n); },
                         progress);
        if (! result.ok())
            return result;
        if (! writer->flush())
        {
            result.error = "Could not finish writing the WAV file; check the disk has space.";
            return result;
        }
    }
    if (! temp.overwriteTargetFileWithTemporary())
        result.error = "Could not move the finished render to " + file.getFullPathName() + ".";
    return result;
}

} // namespace imbolc::engine
