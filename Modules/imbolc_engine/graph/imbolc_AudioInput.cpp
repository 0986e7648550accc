namespace imbolc::engine
{

AudioInputNode::AudioInputNode (const model::Instrument& inst, const LiveBlock& block)
    : NodeProcessor ("Audio input", withAmpPlaceholders (inst.source.params), true),
      live (block),
      channel (inst.source.inputChannel),
      monitoring (inst.source.monitoring)
{
}

void AudioInputNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    const int n = buffer.getNumSamples();
    const float* left = monitoring ? live.input (channel) : nullptr;
    if (left == nullptr)
    {
        buffer.clear();
        return;
    }
    const float* right = live.input (channel + 1);
    buffer.copyFrom (0, 0, left, n);
    if (buffer.getNumChannels() > 1)
        buffer.copyFrom (1, 0, right != nullptr ? right : left, n);
}

//==============================================================================
AudioClipNode::AudioClipNode (const model::Instrument& inst, const LiveBlock& block, std::vector<LoadedAudioClip> loaded)
    : NodeProcessor ("Audio clips", withAmpPlaceholders (inst.source.params), true),
      live (block),
      clips (std::move (loaded))
{
}

void AudioClipNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    buffer.clear();
    const auto* plan = live.plan;
    if (plan == nullptr || ! plan->playing)
        return;
    const int outChannels = juce::jmin (2, buffer.getNumChannels());
    for (int s = 0; s < plan->numSpans; ++s)
    {
        const auto& span = plan->spans[(std::size_t) s];
        if (span.length <= 0 || span.ticksPerSample <= 0.0)
            continue;
        const double spanEndTick = span.startTick + span.length * span.ticksPerSample;
        for (const auto& clip : clips)
        {
            // Sorted by start: nothing later starts inside this span.
            if ((double) clip.start >= spanEndTick)
                break;
            if (clip.data == nullptr)
                continue;
            // The clip's sample at the span's first sample: exact on the engine's sample grid, so rounding
            // only removes floating-point noise.
            const auto first = (std::int64_t) std::llround ((span.startTick - (double) clip.start) / span.ticksPerSample);
            const auto available = juce::jmin (clip.length, (std::int64_t) clip.data->getLength() - clip.offset);
            const auto from = juce::jmax ((std::int64_t) 0, -first);
            const auto to = juce::jmin ((std::int64_t) span.length, available - first);
            if (to <= from)
                continue;
            const int count = (int) (to - from);
            const auto fileStart = (int) (clip.offset + first + from);
            const int dataChannels = clip.data->getNumChannels();
            for (int ch = 0; ch < outChannels; ++ch)
                buffer.addFrom (ch, span.offset + (int) from, clip.data->audio, juce::jmin (ch, dataChannels - 1), fileStart, count, clip.gain);
        }
    }
}

//==============================================================================
model::AudioClip RecordedTake::toClip (const std::string& path) const
{
    model::AudioClip clip;
    clip.path = path;
    if (ticksPerSample <= 0.0 || samples <= 0)
        return clip;
    // Where the file's first sample belongs on the song: what the person played along to left the output
    // latencySamples before the input heard them play to it.
    const double exact = firstTick - (double) latencySamples * ticksPerSample;
    std::int64_t skip = 0;
    if (exact >= 0.0)
    {
        clip.start = (model::Tick) std::ceil (exact - 1.0e-9);
        skip = std::llround (((double) clip.start - exact) / ticksPerSample);
    }
    else
    {
        clip.start = 0; // the part before the song's start cannot play
        skip = std::llround (-exact / ticksPerSample);
    }
    clip.offset = skip;
    clip.length = juce::jmax ((std::int64_t) 0, samples - skip);
    return clip;
}

//==============================================================================
InputRecorder::InputRecorder (model::InstrumentId id, int inputChannel, const juce::File& target, double rate, int maxBlockSize, juce::TimeSliceThread& t)
    : instrument (id),
      channel (inputChannel),
      file (target),
      sampleRate (rate),
      thread (t),
      fifo (juce::jmax (maxBlockSize * 4, juce::roundToInt (bufferSeconds * rate))),
      ring (2, fifo.getTotalSize()),
      silence ((std::size_t) juce::jmax (1, maxBlockSize), 0.0f)
{
    if (const auto made = file.getParentDirectory().createDirectory(); made.failed())
    {
        error = "the folder " + file.getParentDirectory().getFullPathName() + " could not be made (" + made.getErrorMessage() + ")";
        return;
    }
    file.deleteFile();
    auto stream = file.createOutputStream();
    if (stream == nullptr)
    {
        error = "the file " + file.getFullPathName() + " could not be opened for writing";
        return;
    }
    juce::WavAudioFormat wav;
    // 32 bits: IEEE float, so the file holds the device's samples exactly.
    writer.reset (wav.createWriterFor (stream.get(), sampleRate, 2, 32, {}, 0));
    if (writer == nullptr)
    {
        error = "no WAV writer could be made for " + file.getFullPathName();
        return;
    }
    stream.release(); // the writer owns it now
    thread.addTimeSliceClient (this);
    draining = true;
}

InputRecorder::~InputRecorder()
{
    if (draining)
        finish (0);
}

void InputRecorder::write (const LiveBlock& live, const BlockPlan& plan, int n) noexcept
{
    if (writer == nullptr || n <= 0 || n > (int) silence.size())
        return;
    if (! started)
    {
        started = true;
        const auto& span = plan.spans[0];
        ticksPerSample = span.ticksPerSample;
        firstTick = span.startTick - span.offset * span.ticksPerSample;
    }
    const float* left = live.input (channel);
    const float* right = live.input (channel + 1);
    if (left == nullptr)
        left = silence.data();
    if (right == nullptr)
        right = left == silence.data() ? silence.data() : left; // a device with one channel: both sides
    int start1 = 0, size1 = 0, start2 = 0, size2 = 0;
    fifo.prepareToWrite (n, start1, size1, start2, size2);
    if (size1 + size2 < n)
    {
        // The disk fell bufferSeconds behind: nothing is waited for on this thread. The block is lost;
        // the take says how much.
        dropped += n;
        return;
    }
    const float* sources[] = { left, right };
    for (int ch = 0; ch < 2; ++ch)
    {
        if (size1 > 0)
            ring.copyFrom (ch, start1, sources[ch], size1);
        if (size2 > 0)
            ring.copyFrom (ch, start2, sources[ch] + size1, size2);
    }
    fifo.finishedWrite (size1 + size2);
    written += n;
}

int InputRecorder::drain (bool all)
{
    do
    {
        const auto scope = fifo.read (fifo.getNumReady());
        if (scope.blockSize1 + scope.blockSize2 == 0)
            return 10;
        if (scope.blockSize1 > 0)
            writer->writeFromAudioSampleBuffer (ring, scope.startIndex1, scope.blockSize1);
        if (scope.blockSize2 > 0)
            writer->writeFromAudioSampleBuffer (ring, scope.startIndex2, scope.blockSize2);
        onDisk += scope.blockSize1 + scope.blockSize2;
    } while (all);
    return 5;
}

int InputRecorder::useTimeSlice()
{
    return drain (false);
}

RecordedTake InputRecorder::finish (int latencySamples)
{
    RecordedTake take;
    take.instrument = instrument;
    take.file = file;
    take.sampleRate = sampleRate;
    take.latencySamples = latencySamples;
    if (draining)
    {
        draining = false;
        thread.removeTimeSliceClient (this); // waits for a drain in progress
        drain (true);
        writer.reset(); // completes the WAV header
    }
    take.firstTick = firstTick;
    take.ticksPerSample = started ? ticksPerSample : 0.0;
    take.samples = onDisk;
    take.droppedSamples = dropped;
    return take;
}

} // namespace imbolc::engine
