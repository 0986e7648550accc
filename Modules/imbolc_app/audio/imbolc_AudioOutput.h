#pragma once

namespace imbolc::app
{

/** A clock outside the session that drives the engine's transport block by block, as a plugin host's
    play head does (Ableton Link: LinkSession::getTransport). */
class TransportSource
{
public:
    virtual ~TransportSource() = default;

    /** Fills `transport` for the block about to render: `numSamples` long at `sampleRate`, heard
        `outputLatencySeconds` after now. False: the source has nothing to say this block (off), the
        session keeps its own time. Never allocates, locks or blocks. The audio thread. */
    virtual bool fill (engine::HostTransport& transport, int numSamples, double sampleRate, double outputLatencySeconds) noexcept = 0;
};

/** Several transport sources, asked in order each block: the first with something to say drives the
    engine (Ableton Link while it is on, else MIDI clock in while a clock comes). */
class TransportSources final : public TransportSource
{
public:
    TransportSources (std::initializer_list<TransportSource*> list) noexcept
    {
        for (auto* s : list)
            if (s != nullptr && count < (int) sources.size())
                sources[(std::size_t) count++] = s;
    }

    bool fill (engine::HostTransport& transport, int numSamples, double sampleRate, double outputLatencySeconds) noexcept override
    {
        for (int i = 0; i < count; ++i)
            if (sources[(std::size_t) i]->fill (transport, numSamples, sampleRate, outputLatencySeconds))
                return true;
        return false;
    }

private:
    std::array<TransportSource*, 4> sources {};
    int count = 0;
};

/** Where the engine's audio goes, in one of three modes:

    - **device**: the default (or a chosen) audio device through a juce::AudioDeviceManager; the device's
      thread is the audio thread, and the device's input channels reach the engine (ProcessInput::inputs)
      for audio-input instruments. Where there is no device it falls back to a null device (unless told
      not to), so a headless machine still plays at the right pace (with silent inputs).
    - **null**: a thread that renders at a device's pace and discards the audio, so the engine runs
      exactly as it would on hardware (servers, CI, machines without a sound card).
    - **hosted**: a plugin host owns the audio thread; the plugin hands each block in with its MIDI and
      the host's play head (processHosted), as Tracktion's HostedAudioDeviceInterface does.

    Threads: everything on the message thread except processHosted (the host's audio thread).
*/
class AudioOutput
{
public:
    enum class Mode : std::uint8_t
    {
        device,
        null,
        hosted
    };

    struct Options
    {
        /** The defaults with another mode (`AudioOutput (Options::with (Mode::hosted))`). */
        static Options with (Mode m)
        {
            Options o;
            o.mode = m;
            return o;
        }

        Mode mode = Mode::device;
        bool fallBackToNull = true; ///< device mode with no device: play on a null device
        double sampleRate = 48000.0; ///< null and hosted: until the host says otherwise
        int blockSize = 512;
        /** Device mode: input channels to open (audio-input instruments play them, numbered from 0 in
            the order the device gives its active inputs); a device with fewer opens what it has. */
        int inputChannels = 2;
        /** Device mode: the device setup a person chose before (juce::AudioDeviceManager::createStateXml),
            tried first; the default device when it is empty or no longer there. */
        juce::String savedDeviceState;
        /** Device and null modes: called on the audio thread after every block with what it rendered
            (tests record the output of the real device path this way). Must not allocate, lock or block. */
        std::function<void (const float* const* channels, int numChannels, int numSamples)> onRendered;
    };

    /** Device mode opens the default output device, so it needs a juce::MessageManager
        (ScopedJuceInitialiser_GUI, or a running app). Message thread. */
    explicit AudioOutput (Options);
    AudioOutput()
        : AudioOutput (Options {}) {}
    ~AudioOutput();

    /** The mode in effect: device mode without a device reports null. */
    Mode getMode() const noexcept { return mode; }
    double getSampleRate() const noexcept { return rate; }
    int getBlockSize() const noexcept { return block; }

    /** Device mode: the running device's input plus output latency in samples (0 in the other modes),
        which start() gives the engine (Engine::setRecordingLatency) so recorded takes line up. */
    int getDeviceLatencySamples() const noexcept { return latency; }

    /** How long after the engine renders a block its first sample is heard: the device's output latency
        plus the block it fills (device mode), one block (the null device), 0 (hosted). What MIDI
        outputs wait, so an external synth sounds with the engine. The engine's own latency (delay
        compensation) is not in it: the engine already puts its MIDI out and external notes that much
        later (Engine::getOutputLatencySamples). Any thread. */
    double getOutputLatencySeconds() const noexcept { return outputLatency.load (std::memory_order_relaxed); }

    /** "on DEVICE (48000 Hz, 512 samples)", "on a null device (no audio device: ...)", or "hosted (...)". */
    juce::String describe() const;

    /** Device and null modes: starts calling engine.process on the audio thread. The engine must be
        prepared for getSampleRate() and getBlockSize(). Hosted mode: remembers the engine for
        processHosted. Message thread. */
    void start (engine::Engine&);

    /** Stops the audio thread's calls; when it returns, process() is not running and will not run again
        until start(). Message thread. */
    void stop();

    bool isRunning() const noexcept { return engine.load() != nullptr; }

    /** Device and null modes: every block asks `source` for the transport the engine follows (null:
        none, the session's own). Only while the output is stopped; the source must outlive its use
        (until the next stop()). Message thread. */
    void setTransportSource (TransportSource* source) noexcept
    {
        jassert (! isRunning());
        transportSource = source;
    }

    /** Device and null modes: live MIDI (devices, JACK) that every block plays, on the engine's MIDI
        input instrument and per-channel instruments at each event's sample; null: none. Prepared here
        and whenever the device's format changes. Message thread, while stopped. */
    void setMidiInputs (MidiInputs*);

    /** Hosted mode: the host's sample rate and largest block (prepareToPlay). Call it with the output
        stopped, then prepare the engine for the same. Message thread. */
    void setHostedFormat (double sampleRate, int maxBlockSize);

    /** Hosted mode: renders one block into `buffer` (every channel; channels beyond two are cleared),
        playing the block's MIDI on the engine's MIDI input instrument and following the host's play
        head when it has one. `extras` carries the block's macro values and extra outputs (its midi and
        transport are filled here). Never allocates or locks. The host's audio thread. */
    void processHosted (juce::AudioBuffer<float>& buffer, const juce::MidiBuffer& midi, juce::AudioPlayHead* playHead, engine::ProcessInput extras = {}) noexcept;

    /** Device mode: the device manager, for a device selector (null in the other modes). When the device,
        its rate or its block size change there, the running engine is prepared for the new format before
        the device calls it again. Message thread. */
    juce::AudioDeviceManager* getDeviceManager() noexcept { return devices.get(); }

    /** How hard the audio thread works: its share of the time each block allows (0..1, averaged), and the
        blocks the device dropped since it started (-1 when the device cannot tell). Any thread. */
    struct Load
    {
        float cpu = 0.0f;
        int droppedBlocks = 0;
    };
    Load getLoad() const;

    /** The host's play head as the engine reads it; nullopt when the host gives no position. A host that
        gives its position only in samples has it turned into quarter notes at its tempo and
        `sampleRate`. Any thread. */
    static std::optional<engine::HostTransport> readPlayHead (juce::AudioPlayHead*, double sampleRate = 0.0) noexcept;

private:
    struct DeviceCallback;

    /** One block of the device or null thread: device inputs, live MIDI and the transport source's
        play head in, the engine, the onRendered tap. Audio thread. */
    void render (engine::Engine&, const float* const* inputs, int numInputs, float* const* outputs, int numOutputs, int numSamples, double latencySeconds) noexcept;

    void startNullDevice();

    Mode mode;
    std::unique_ptr<juce::AudioDeviceManager> devices;
    juce::String deviceError;
    juce::AudioIODevice* device = nullptr;
    double rate = 48000.0;
    int block = 512;
    int latency = 0;
    std::atomic<double> outputLatency { 0.0 };
    std::unique_ptr<DeviceCallback> callback;
    TransportSource* transportSource = nullptr;
    std::function<void (const float* const*, int, int)> onRendered;
    MidiInputs* midiInputs = nullptr;
    std::atomic<engine::Engine*> engine { nullptr };
    std::atomic<bool> nullRunning { false };
    std::atomic<float> nullLoad { 0.0f };
    std::thread nullDevice;

    JUCE_DECLARE_NON_COPYABLE (AudioOutput)
};

} // namespace imbolc::app
