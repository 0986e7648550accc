namespace imbolc::engine
{

std::shared_ptr<const SampleData> loadSample (juce::AudioFormatManager& formats, const juce::File& file, juce::String& problem, bool& truncated)
{
    truncated = false;
    if (! file.existsAsFile())
    {
        problem = file.isDirectory() ? "is a folder, not a file" : "does not exist";
        return nullptr;
    }
    std::unique_ptr<juce::AudioFormatReader> reader (formats.createReaderFor (file));
    if (reader == nullptr)
    {
        problem = "is not an audio file it can read (WAV, FLAC, AIFF or Ogg Vorbis)";
        return nullptr;
    }
    if (reader->sampleRate <= 0.0 || reader->numChannels == 0 || reader->lengthInSamples <= 0)
    {
        problem = "holds no audio";
        return nullptr;
    }
    const auto longest = (juce::int64) (maxSampleSeconds * reader->sampleRate);
    truncated = reader->lengthInSamples > longest;
    const int length = (int) juce::jmin (reader->lengthInSamples, longest);
    const int channels = (int) juce::jmin (2u, reader->numChannels);

    auto data = std::make_shared<SampleData>();
    data->sampleRate = reader->sampleRate;
    data->audio.setSize (channels, length);
    if (! reader->read (&data->audio, 0, length, 0, true, channels > 1))
    {
        problem = "could not be decoded";
        return nullptr;
    }
    return data;
}

juce::Result writeDemoSample (const juce::File& file)
{
    constexpr double rate = 48000.0;
    constexpr int length = 24000; // 0.5 s
    constexpr double f0 = 261.6255653005986; // C4
    juce::AudioBuffer<float> audio (1, length);
    auto* out = audio.getWritePointer (0);

    // A plucked string: harmonic partials, each decaying faster than the one below, brighter at the
    // start; a 1 ms attack and a 20 ms fade to silence at the end. All in double: the same bytes on
    // every run.
    double peak = 0.0;
    std::vector<double> samples ((std::size_t) length);
    for (int i = 0; i < length; ++i)
    {
        const double t = i / rate;
        double v = 0.0;
        for (int k = 1; k <= 12; ++k)
        {
            const double amplitude = std::pow ((double) k, -1.15) * (k % 2 == 0 ? 0.8 : 1.0);
            const double decay = 2.5 + 1.6 * k * k;
            v += amplitude * std::exp (-decay * t) * std::sin (juce::MathConstants<double>::twoPi * k * f0 * t);
        }
        const double attack = juce::jmin (1.0, t / 0.001);
        const double release = juce::jmin (1.0, (length - 1 - i) / (0.02 * rate));
        samples[(std::size_t) i] = v * attack * release;
        peak = juce::jmax (peak, std::abs (samples[(std::size_t) i]));
    }
    for (int i = 0; i < length; ++i)
        out[i] = (float) (0.8 * samples[(std::size_t) i] / peak);

    model::AtomicSave save;
    if (auto started = save.begin (file, model::AtomicSave::MissingFolder::make); started.failed())
        return started;
    const auto failed = juce::Result::fail ("Could not write the demo sample " + save.getTarget().getFullPathName() + ".");
    {
        auto stream = std::make_unique<juce::FileOutputStream> (save.getFile());
        if (! stream->openedOk())
            return failed;
        juce::WavAudioFormat wav;
        std::unique_ptr<juce::AudioFormatWriter> writer (wav.createWriterFor (stream.get(), rate, 1, 24, {}, 0));
        if (writer == nullptr)
            return failed;
        stream.release(); // the writer owns it now
        if (! writer->writeFromAudioSampleBuffer (audio, 0, length) || ! writer->flush())
            return failed;
    }
    return save.commit();
}

//==============================================================================
SamplerSynth::Shared::Shared (const SourceNode& n, Setup setup)
    : rootNote (n.sourceParam ("rootNote")), start (n.sourceParam ("start")), loop (n.sourceParam ("loop")), sample (std::move (setup.sample))
{
    if (sample != nullptr && sample->getLength() > 0)
    {
        length = sample->getLength();
        numChannels = juce::jmin (2, sample->getNumChannels());
        for (int c = 0; c < numChannels; ++c)
            channels[c] = sample->audio.getReadPointer (c);
    }
}

void SamplerSynth::Shared::prepare (double sr)
{
    sampleRate = sr;
    rateRatio = sample != nullptr ? sample->sampleRate / sr : 1.0;
    endFadeFrames = sample != nullptr ? juce::jmax (1.0, 0.002 * sample->sampleRate) : 1.0;
    lastRoot = -1.0f;
}

void SamplerSynth::Shared::update (const SourceNode& n) noexcept
{
    const float root = n.chunkValue (rootNote);
    if (root != lastRoot)
    {
        lastRoot = root;
        rootRatio = std::exp2 ((60.0 - root) / 12.0);
    }
    startFrame = juce::jlimit (0.0, juce::jmax (0.0, length - 1.0), (double) n.chunkValue (start) * length);
    looping = n.chunkValue (loop) >= 0.5f && length - startFrame >= 2.0;
}

float SamplerSynth::Shared::frame (int c, std::int64_t i) const noexcept
{
    if (i >= 0 && i < length)
        return channels[c][i];
    if (! looping || i < 0)
        return 0.0f;
    const auto loopStart = (std::int64_t) startFrame;
    const auto loopLength = (std::int64_t) length - loopStart;
    return channels[c][loopStart + (i - loopStart) % loopLength];
}

void SamplerSynth::Voice::start (const Shared& s, int note, float, std::uint32_t) noexcept
{
    noteRatio = std::exp2 ((note - 60) / 12.0);
    position = s.startFrame;
}

bool SamplerSynth::Voice::render (const Shared& s, float* left, float* right, int n) noexcept
{
    if (s.length == 0)
    {
        std::fill (left, left + n, 0.0f);
        if (right != nullptr)
            std::fill (right, right + n, 0.0f);
        return false;
    }
    const double increment = noteRatio * s.rootRatio * s.rateRatio;
    const double length = s.length;
    const int channels = s.numChannels;
    float* outs[2] = { left, right };

    for (int i = 0; i < n; ++i)
    {
        if (position >= length)
        {
            if (! s.looping)
            {
                for (int c = 0; c < channels; ++c)
                    std::fill (outs[c] + i, outs[c] + n, 0.0f);
                return false;
            }
            position = s.startFrame + std::fmod (position - s.startFrame, length - s.startFrame);
        }
        const auto index = (std::int64_t) position;
        const float t = (float) (position - (double) index);
        const bool inside = index >= 1 && index + 2 < s.length;
        const float fade = s.looping ? 1.0f : (float) juce::jmin (1.0, (length - position) / s.endFadeFrames);
        for (int c = 0; c < channels; ++c)
        {
            float xm1, x0, x1, x2;
            if (inside)
            {
                const float* d = s.channels[c] + index;
                xm1 = d[-1], x0 = d[0], x1 = d[1], x2 = d[2];
            }
            else
            {
                xm1 = s.frame (c, index - 1), x0 = s.frame (c, index), x1 = s.frame (c, index + 1), x2 = s.frame (c, index + 2);
            }
            // Catmull-Rom cubic through the four frames around the read position.
            const float c1 = 0.5f * (x1 - xm1);
            const float c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
            const float c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
            outs[c][i] = (((c3 * t + c2) * t + c1) * t + x0) * fade;
        }
        position += increment;
    }
    return true;
}

} // namespace imbolc::engine
