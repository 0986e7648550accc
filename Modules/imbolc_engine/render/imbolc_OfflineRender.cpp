namespace imbolc::engine
{

namespace
{
    /** The session as a render plays it: the whole song from the top, stopped sessions playing, the
        loop region not holding the playhead. */
    model::Session fromTheTop (const model::Session& original)
    {
        auto session = original;
        session.settings.loop.enabled = false;
        session.transport.position = 0;
        session.transport.playing = true;
        return session;
    }

    Engine::Options renderEngineOptions (const model::Session& session, int renderWorkers, const PluginSandboxOptions& sandbox)
    {
        Engine::Options o;
        o.instrumentSlots = juce::jmax (64, (int) session.instruments.size() + 8);
        o.renderWorkers = renderWorkers;
        o.waitForLateWorkers = true; // no deadline offline: every chain of every block, whatever it takes
        o.pluginSandbox = sandbox;
        o.pluginSandbox.mode = session.settings.pluginIsolation;
        o.pluginSandbox.offline = true;
        o.pluginSandbox.pipelined = false; // nothing to gain offline, and the same samples as in process
        return o;
    }
} // namespace

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

    const auto session = fromTheTop (original);
    Engine engine (std::move (factory), renderEngineOptions (session, options.renderWorkers, options.pluginSandbox));
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
    // Delay compensation delays every path by the session's total latency: the render leaves out that
    // many samples at the start, so its first sample is the song's first (as every DAW's bounce).
    int toSkip = engine.getOutputLatencySamples();
    bool inTail = endTick <= 0.0;
    double lastReport = -1.0;

    for (;;)
    {
        float* outs[] = { block.getWritePointer (0), block.getWritePointer (1) };
        engine.process (outs, 2, options.blockSize);
        engine.update();
        if (const auto lost = engine.getNodeFactory().findSandboxThatLostBlocks(); lost.isNotEmpty())
        {
            // A block it did not give would be a hole in the file: the render stops instead.
            result.error = lost + " crashed or stopped answering during the render, so the render was stopped; "
                                  "the session is unharmed. Render again, or render with that plugin replaced or bypassed.";
            result.warnings = engine.takeWarnings();
            return result;
        }
        const int skipped = juce::jmin (toSkip, options.blockSize);
        toSkip -= skipped;
        if (skipped < options.blockSize)
        {
            float* kept[] = { block.getWritePointer (0) + skipped, block.getWritePointer (1) + skipped };
            const juce::AudioBuffer<float> rest (kept, 2, options.blockSize - skipped);
            if (! sink (rest, options.blockSize - skipped))
            {
                result.error = "Could not write the rendered audio; check the disk has space.";
                return result;
            }
            result.samples += options.blockSize - skipped;
        }
        if (options.shouldCancel && options.shouldCancel())
        {
            result.error = "The render was cancelled.";
            return result;
        }

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
    auto result = render (
        session, [&] (const juce::AudioBuffer<float>& b, int n)
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
    model::AtomicSave save;
    if (auto started = save.begin (file, model::AtomicSave::MissingFolder::refuse); started.failed())
    {
        result.error = started.getErrorMessage();
        return result;
    }

    {
        auto stream = std::make_unique<juce::FileOutputStream> (save.getFile());
        if (! stream->openedOk())
        {
            result.error = "Could not write to " + save.getTarget().getParentDirectory().getFullPathName() + "; check its permissions.";
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

        result = render (
            session, [&] (const juce::AudioBuffer<float>& b, int n)
            { return writer->writeFromAudioSampleBuffer (b, 0, n); },
            progress);
        if (! result.ok())
            return result;
        if (! writer->flush())
        {
            result.error = "Could not finish writing the WAV file; check the disk has space.";
            return result;
        }
    } // the writer closes the file here: its header is final before the rename
    if (auto moved = save.commit(); moved.failed())
        result.error = moved.getErrorMessage();
    return result;
}

//==============================================================================
namespace
{
    /** Sequencing without sound: sources and stages keep their parameters (so lanes and changes
        resolve as in a real render) and do nothing. */
    class SilentNodeFactory final : public NodeFactory
    {
    public:
        std::unique_ptr<NodeProcessor> createSource (const model::Instrument& inst) override
        {
            return std::make_unique<PassThroughNode> ("Silent source", withAmpPlaceholders (inst.source.params));
        }

        std::unique_ptr<NodeProcessor> createStage (const model::Stage& stage) override
        {
            return std::make_unique<PassThroughNode> ("Silent stage", stage.params);
        }
    };
} // namespace

ExternalNoteScore collectExternalNotes (const model::Session& original, double sampleRate, int blockSize)
{
    ExternalNoteScore score;
    OfflineRenderer::Options check;
    check.sampleRate = sampleRate;
    check.blockSize = blockSize;
    if (auto e = OfflineRenderer::checkOptions (check); e.isNotEmpty())
    {
        score.error = e;
        return score;
    }
    if (auto e = model::validate (original); ! e.empty())
    {
        score.error = "The session cannot be rendered: " + juce::String (e);
        return score;
    }

    auto session = fromTheTop (original);
    auto engineOptions = renderEngineOptions (session, 0, {}); // silent nodes: nothing to share out
    engineOptions.pluginSandbox.mode = PluginSandboxMode::inProcess; // and no plugin to run anywhere
    // One block of one chain carries at most ~900 events (its MIDI buffer's 8 KiB), and the queue is
    // drained after every block: room for 1,024 per external instrument can never fill.
    int external = 0;
    for (const auto& inst : session.instruments)
        external += inst.backend == model::Backend::superCollider ? 1 : 0;
    engineOptions.externalNoteCapacity = juce::jmax (engineOptions.externalNoteCapacity, 1024 * (external + 1));

    Engine engine (std::make_unique<SilentNodeFactory>(), engineOptions);
    engine.prepare (sampleRate, blockSize);
    engine.loadSession (session);
    engine.update();

    auto& notes = engine.getExternalNotes();
    const auto collect = [&score] (const ExternalNoteEvent& e)
    { score.events.push_back (e); };
    const auto endTick = (double) engine.getSongEndTick (session);
    const auto& sequencer = engine.getAudioGraph().getSequencer();
    juce::AudioBuffer<float> block (2, blockSize);
    float* outs[] = { block.getWritePointer (0), block.getWritePointer (1) };
    const auto run = [&]
    {
        engine.process (outs, 2, blockSize);
        engine.update();
        notes.drain (collect);
        score.samples += blockSize;
    };

    // Bounded by the song's length at the slowest tempo the sequencer allows (20 BPM), whatever happens.
    const auto maxSamples = (std::int64_t) (endTick / model::ticksPerBeat * 3.0 * sampleRate) + 4 * blockSize;
    while (sequencer.getPositionTicks() < endTick && score.samples < maxSamples)
        run();

    // Stopping releases whatever is still held (a note ending exactly on the last block's edge) on
    // the sample the song ends.
    session.transport.playing = false;
    engine.apply (session, { model::AudioEffect::forId (model::AudioEffect::Kind::transport, 0) });
    run();

    std::stable_sort (score.events.begin(), score.events.end(), [] (const ExternalNoteEvent& a, const ExternalNoteEvent& b)
                      { return a.sampleTime < b.sampleTime; });
    score.sampleRate = sampleRate;
    if (const auto dropped = notes.getDropped(); dropped > 0)
        score.error = "The engine dropped " + juce::String (dropped) + " external note events; the score would be incomplete.";
    return score;
}

} // namespace imbolc::engine
