#pragma once

namespace imbolc::engine
{

/** What the chunk being rendered hears besides MIDI: the device's input channels at the chunk's position
    and the song's plan for it. AudioGraph fills it before its chains render each chunk; audio sources
    (AudioInputNode, AudioClipNode) read it in processNode. Audio thread only. */
struct LiveBlock
{
    const float* const* inputs = nullptr; ///< ProcessInput::inputs of the current process() call
    int numInputs = 0;
    int offset = 0; ///< the chunk's first sample within each input channel
    const BlockPlan* plan = nullptr; ///< the chunk's plan; null outside rendering

    /** Input `channel` from the chunk's first sample, or nullptr where the device gives none. */
    const float* input (int channel) const noexcept
    {
        if (inputs == nullptr || ! juce::isPositiveAndBelow (channel, numInputs) || inputs[channel] == nullptr)
            return nullptr;
        return inputs[channel] + offset;
    }
};

/** The `audio input` source (model::SourceKind::audioInput): plays the device input pair
    (inputChannel, inputChannel + 1) through the instrument's chain; a device with only the first of the
    two gives it to both sides. With monitoring off, or no such input, the chain hears silence.
    Construction: message thread; processing: audio thread. */
class AudioInputNode final : public NodeProcessor
{
public:
    AudioInputNode (const model::Instrument&, const LiveBlock&);

    bool writesEveryOutputSample() const noexcept override { return true; }

private:
    void prepareNode (double, int) override {}
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;

    const LiveBlock& live;
    int channel = 0;
    bool monitoring = true;
};

/** An audio file's samples and where they play, for AudioClipNode: model::AudioClip with the file read. */
struct LoadedAudioClip
{
    std::shared_ptr<const SampleData> data; ///< null: the file could not be read (the clip is silent)
    model::Tick start = 0;
    std::int64_t offset = 0, length = 0;
    float gain = 1.0f;
};

/** An audio track's source (model::SourceKind::audioClips): while the song plays, each clip's file
    sample `offset + k` sounds at the sample `k` after the clip's start tick, in every span of the block
    (loop wraps included), so a clip lines up with the notes around it to the sample. Files are read on
    the message thread before the node is built (NodeFactory::readAudioFile); the node only copies.
    Construction: message thread; processing: audio thread. */
class AudioClipNode final : public NodeProcessor
{
public:
    AudioClipNode (const model::Instrument&, const LiveBlock&, std::vector<LoadedAudioClip>);

    bool writesEveryOutputSample() const noexcept override { return true; }

private:
    void prepareNode (double, int) override {}
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;

    const LiveBlock& live;
    std::vector<LoadedAudioClip> clips;
};

//==============================================================================
/** What one recording of an input pair left behind, for the app to turn into an audio clip. */
struct RecordedTake
{
    model::InstrumentId instrument; ///< the armed audio-input instrument it was recorded from
    juce::File file;
    double firstTick = 0.0; ///< the song position of the file's first sample, as the engine played it
    double ticksPerSample = 0.0; ///< the song's speed then (ticks per sample)
    std::int64_t samples = 0; ///< frames in the file
    std::int64_t droppedSamples = 0; ///< frames lost because the disk fell behind (0 normally)
    double sampleRate = 48000.0;
    int latencySamples = 0; ///< the device's input + output latency when recording stopped

    /** The clip that plays this take where the person heard themselves play it: moved earlier by
        latencySamples (what they played along to left the output that long before the input heard
        them), with the part before the song's start cut off; `path` is what the clip names the file by.
        An empty clip (length 0) when nothing of the take is left. Any thread. */
    model::AudioClip toClip (const std::string& path) const;
};

/** Writes one input pair to a WAV file (32-bit float, so the file holds exactly the samples the device
    gave) while the song plays.

    The audio thread only copies into a preallocated lock-free FIFO (juce::AbstractFifo); a
    juce::TimeSliceThread client drains it to the file. (juce::AudioFormatWriter::ThreadedWriter is not
    used: its write() calls TimeSliceThread::notify(), which locks a mutex.) The FIFO holds
    `bufferSeconds` of audio; if the disk falls that far behind, the overflowing blocks are counted in
    RecordedTake::droppedSamples rather than waited for.

    Construction and finish(): message thread. write(): audio thread. */
class InputRecorder final : private juce::TimeSliceClient
{
public:
    static constexpr double bufferSeconds = 8.0;

    /** Opens `file` (replacing it) for a stereo recording at `sampleRate`; check isOpen(). */
    InputRecorder (model::InstrumentId, int inputChannel, const juce::File& file, double sampleRate, int maxBlockSize, juce::TimeSliceThread&);
    ~InputRecorder() override;

    bool isOpen() const noexcept { return writer != nullptr; }
    const juce::String& getError() const noexcept { return error; }
    model::InstrumentId getInstrument() const noexcept { return instrument; }

    /** Appends the live block's input pair (n samples) and, on the first call, remembers the song position
        of its first sample. Never allocates, locks or waits. Audio thread. */
    void write (const LiveBlock&, const BlockPlan&, int n) noexcept;

    /** Once the audio thread has let go of it: writes what is left, closes the file and says what it
        holds. Message thread. */
    RecordedTake finish (int latencySamples);

private:
    int useTimeSlice() override;
    int drain (bool all);

    model::InstrumentId instrument;
    int channel = 0;
    juce::File file;
    double sampleRate = 48000.0;
    juce::String error;
    juce::TimeSliceThread& thread;
    std::unique_ptr<juce::AudioFormatWriter> writer;
    juce::AbstractFifo fifo;
    juce::AudioBuffer<float> ring;
    std::vector<float> silence;
    bool started = false; ///< audio thread until finish()
    double firstTick = 0.0, ticksPerSample = 0.0;
    std::int64_t written = 0; ///< audio thread until finish()
    std::int64_t dropped = 0;
    std::int64_t onDisk = 0; ///< the drain's; finish() reads it after removing the client
    bool draining = false;
};

} // namespace imbolc::engine
