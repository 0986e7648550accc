// imbolc render and imbolc play: the offline renderer and the live engine on an audio device.

#include "imbolc_Cli.h"

#include <juce_audio_devices/juce_audio_devices.h>

#include <csignal>
#include <thread>
#include <unistd.h>

namespace imbolc::cli
{

std::optional<model::Session> loadSessionFile (const juce::File& file)
{
    const auto data = readFile (file);
    if (! data)
        return std::nullopt;
    auto decoded = protocol::decodeProject ((const std::uint8_t*) data->getData(), data->getSize());
    if (! decoded.ok())
    {
        std::cerr << decoded.error << "\n";
        return std::nullopt;
    }
    return std::move (decoded.session);
}

namespace
{
    /** A progress bar redrawn in place on a terminal; plain lines every 10 % when not a terminal. */
    class ProgressPrinter
    {
    public:
        explicit ProgressPrinter (const juce::String& verb)
            : tty (isatty (STDERR_FILENO) != 0), what (verb) {}

        void show (double fraction, const juce::String& detail)
        {
            const int percent = juce::jlimit (0, 100, (int) std::floor (fraction * 100.0));
            if (tty)
            {
                constexpr int width = 30;
                const int filled = percent * width / 100;
                std::cerr << "\r" << what << " [" << std::string ((std::size_t) filled, '#') << std::string ((std::size_t) (width - filled), '.') << "] "
                          << percent << "%  " << detail << "   " << std::flush;
            }
            else if (percent / 10 > lastDecile)
            {
                lastDecile = percent / 10;
                std::cerr << what << " " << percent << "%  " << detail << "\n";
            }
        }

        void finish()
        {
            if (tty)
                std::cerr << "\n";
        }

    private:
        bool tty;
        juce::String what;
        int lastDecile = -1;
    };

} // namespace

//==============================================================================
namespace
{
    std::atomic<bool> interrupted { false };
    extern "C" void onInterrupt (int) { interrupted = true; }
} // namespace

void installInterruptHandler()
{
    interrupted = false;
    std::signal (SIGINT, onInterrupt);
    std::signal (SIGTERM, onInterrupt);
}

bool wasInterrupted() noexcept
{
    return interrupted.load();
}

/** Plays the engine on a device: the device's thread is the audio thread. */
struct EngineOutput::DeviceCallback final : juce::AudioIODeviceCallback
{
    explicit DeviceCallback (engine::Engine& e)
        : engine (e) {}

    void audioDeviceIOCallbackWithContext (const float* const*, int, float* const* outputs, int numOutputs, int numSamples, const juce::AudioIODeviceCallbackContext&) override
    {
        engine.process (outputs, numOutputs, numSamples);
    }
    void audioDeviceAboutToStart (juce::AudioIODevice*) override {}
    void audioDeviceStopped() override {}

    engine::Engine& engine;
};

EngineOutput::EngineOutput()
{
    deviceError = devices.initialiseWithDefaultDevices (0, 2);
    device = devices.getCurrentAudioDevice();
    rate = device != nullptr ? device->getCurrentSampleRate() : 48000.0;
    block = device != nullptr ? device->getCurrentBufferSizeSamples() : 512;
}

EngineOutput::~EngineOutput()
{
    stop();
    devices.closeAudioDevice();
}

juce::String EngineOutput::describe() const
{
    if (device != nullptr)
        return "on " + device->getName() + " (" + juce::String ((int) rate) + " Hz, " + juce::String (block) + " samples)";
    return "on a null device (no audio device" + (deviceError.isNotEmpty() ? ": " + deviceError : juce::String()) + ")";
}

void EngineOutput::start (engine::Engine& engine)
{
    stop();
    callback = std::make_unique<DeviceCallback> (engine);
    if (device != nullptr)
    {
        devices.addAudioCallback (callback.get());
        return;
    }

    // With no device, a null device: a thread that renders at the device's pace and discards the audio,
    // so the engine runs exactly as it would on hardware.
    nullRunning = true;
    nullDevice = std::thread ([this, &engine]
                              {
        std::vector<float> l ((std::size_t) block), r ((std::size_t) block);
        float* outs[] = { l.data(), r.data() };
        const auto period = std::chrono::duration<double> (block / rate);
        auto next = std::chrono::steady_clock::now();
        while (nullRunning.load())
        {
            engine.process (outs, 2, block);
            next += std::chrono::duration_cast<std::chrono::steady_clock::duration> (period);
            std::this_thread::sleep_until (next);
        } });
}

std::unique_ptr<engine::Engine> EngineOutput::makeEngine (const juce::File& sessionFile, const model::Session& session) const
{
    auto factory = std::make_unique<engine::NodeFactory>();
    factory->setBaseDirectory (sessionFile.getParentDirectory());
    auto engine = std::make_unique<engine::Engine> (std::move (factory), engine::Engine::Options {});
    engine->prepare (rate, block);
    engine->loadSession (session);
    engine->update();
    for (const auto& w : engine->takeWarnings())
        std::cerr << "warning: " << w << "\n";
    return engine;
}

void EngineOutput::stop()
{
    if (device != nullptr && callback != nullptr)
        devices.removeAudioCallback (callback.get());
    nullRunning = false;
    if (nullDevice.joinable())
        nullDevice.join();
    callback.reset();
}

namespace
{
    /** `imbolc render --backend supercollider`: an OSC score rendered by `scsynth -N`. */
    int renderOnSuperCollider (const model::Session& session, const juce::File& output, const engine::OfflineRenderer::Options& engineOptions)
    {
        sc::ScoreRenderer::Options options;
        options.sampleRate = engineOptions.sampleRate;
        options.blockSize = engineOptions.blockSize;
        options.bitsPerSample = engineOptions.bitsPerSample;

        // Every instrument is played by scsynth here, so the engine's sequencer hands every note out
        // (tempo lane, swing, probability, song mode), exactly as it plays them live.
        auto onSuperCollider = session;
        for (auto& instrument : onSuperCollider.instruments)
            instrument.backend = model::Backend::superCollider;

        std::cerr << "Rendering on SuperCollider (scsynth -N)...\n";
        const auto started = juce::Time::getMillisecondCounterHiRes();
        const auto played = engine::collectExternalNotes (onSuperCollider, options.sampleRate, options.blockSize);
        if (! played.ok())
        {
            std::cerr << played.error << "\n";
            return 1;
        }
        const auto result = sc::ScoreRenderer::render (onSuperCollider, sc::scheduledNotes (played.events, played.sampleRate), output, options);
        for (const auto& w : result.warnings)
            std::cerr << "warning: " << w << "\n";
        if (! result.ok())
        {
            std::cerr << result.error << "\n";
            return 1;
        }
        const auto wall = (juce::Time::getMillisecondCounterHiRes() - started) / 1000.0;
        std::cout << "Wrote " << output.getFullPathName() << ": " << juce::String (result.seconds, 2) << " s at " << (int) options.sampleRate
                  << " Hz on SuperCollider, rendered in " << juce::String (wall, 2) << " s\n";
        return 0;
    }
} // namespace

int renderCommand (const std::vector<std::string>& raw)
{
    auto args = Args::parse (raw, { "-o", "--sample-rate", "--block", "--bits", "--backend" }, "render");
    args.expectPositionals (1, "imbolc render FILE -o OUT.wav [--sample-rate N] [--block N] [--bits 16|24|32] [--backend internal|supercollider]");
    if (args.options.count ("-o") == 0)
        throw UsageError ("imbolc render needs -o OUT.wav to say where the audio goes.");

    engine::OfflineRenderer::Options options;
    options.sampleRate = integerOption (args, "--sample-rate", 48000, 8000, 384000);
    options.blockSize = integerOption (args, "--block", 512, 16, 8192);
    options.bitsPerSample = integerOption (args, "--bits", 24, 16, 32);
    if (auto e = engine::OfflineRenderer::checkOptions (options); e.isNotEmpty())
        throw UsageError (e.toStdString());

    const auto backend = args.options.count ("--backend") != 0 ? args.options["--backend"] : std::string ("internal");
    if (backend != "internal" && backend != "supercollider")
        throw UsageError ("--backend must be internal or supercollider, not '" + backend + "'.");

    const auto input = fileArgument (args.positional[0]);
    const auto output = fileArgument (args.options["-o"]);
    const auto session = loadSessionFile (input);
    if (! session)
        return 1;

    if (backend == "supercollider")
        return renderOnSuperCollider (*session, output, options);

    auto factory = std::make_unique<engine::NodeFactory>();
    factory->setBaseDirectory (input.getParentDirectory());
    engine::OfflineRenderer renderer (options, std::move (factory));

    ProgressPrinter bar ("Rendering");
    const auto result = renderer.renderToWav (*session, output, [&] (const engine::OfflineRenderer::Progress& p)
                                              { bar.show (p.fraction, juce::String (p.renderedSeconds, 1) + " s" + (p.inTail ? " (tail)" : "")); });
    bar.finish();
    for (const auto& w : result.warnings)
        std::cerr << "warning: " << w << "\n";
    if (! result.ok())
    {
        std::cerr << result.error << "\n";
        return 1;
    }
    std::cout << "Wrote " << output.getFullPathName() << ": " << juce::String (result.audioSeconds, 2) << " s at "
              << (int) options.sampleRate << " Hz, rendered in " << juce::String (result.wallSeconds, 2) << " s ("
              << juce::String (result.realTimeFactor(), 1) << "x real time)\n";
    return 0;
}

int playCommand (const std::vector<std::string>& raw)
{
    auto args = Args::parse (raw, { "--scsynth", "--latency" }, "play");
    args.expectPositionals (1, "imbolc play FILE [--scsynth ADDR:PORT] [--latency MS]");
    const auto scsynth = parseEndpoint (args.options.count ("--scsynth") != 0 ? args.options["--scsynth"] : std::string ("127.0.0.1:57110"), "--scsynth", 57110);
    const auto latencyMs = integerOption (args, "--latency", -1, 0, 2000);
    const auto input = fileArgument (args.positional[0]);
    auto session = loadSessionFile (input);
    if (! session)
        return 1;

    // The device manager posts change messages: it needs a message manager, not a window.
    juce::ScopedJuceInitialiser_GUI juce;
    EngineOutput output;

    session->transport.playing = true;
    session->transport.position = 0;
    const auto enginePointer = output.makeEngine (input, *session);
    auto& engine = *enginePointer;

    // From here on Ctrl-C ends the command cleanly (connecting to scsynth may take its timeout).
    installInterruptHandler();

    // SuperCollider instruments play on scsynth; without one the rest of the session still plays.
    std::unique_ptr<ScOutput> superCollider;
    if (hasSuperColliderInstruments (*session) || args.options.count ("--scsynth") != 0)
    {
        sc::ScBackend::Options options;
        options.server = { scsynth.address, scsynth.port, 2000 };
        options.sampleRate = output.sampleRate();
        options.blockSize = output.blockSize();
        options.latencySeconds = latencyMs >= 0 ? latencyMs / 1000.0 : -1.0;
        superCollider = std::make_unique<ScOutput> (engine, options);
        if (auto r = superCollider->start (*session); r.failed())
        {
            std::cerr << r.getErrorMessage() << " The SuperCollider instruments stay silent.\n";
            superCollider.reset();
        }
    }

    const auto endTick = (double) engine.getSongEndTick (*session);
    const double songSeconds = endTick / (session->settings.bpm / 60.0 * model::ticksPerBeat);

    std::cout << "Playing " << input.getFileName() << " " << output.describe() << ". Ctrl-C stops.\n";
    output.start (engine);

    ProgressPrinter bar ("Playing");
    double quietSince = -1.0;
    while (! wasInterrupted())
    {
        std::this_thread::sleep_for (std::chrono::milliseconds (20));
        engine.update();
        if (superCollider != nullptr)
            superCollider->update (*session);
        const auto ticks = engine.getPlayheadTicks();
        const auto seconds = ticks / (session->settings.bpm / 60.0 * model::ticksPerBeat);
        bar.show (endTick > 0.0 ? ticks / endTick : 1.0, juce::String (seconds, 1) + " of " + juce::String (songSeconds, 1) + " s" + (superCollider != nullptr ? " (" + superCollider->describe() + ")" : juce::String()));
        if (ticks >= endTick)
        {
            // The song is over: let the tails ring out until the master is quiet (or 10 s).
            const auto m = engine.getMasterMeter();
            const auto now = juce::Time::getMillisecondCounterHiRes() / 1000.0;
            if (quietSince < 0.0)
                quietSince = now;
            if ((juce::jmax (m.left, m.right) < 3.2e-5f && now - quietSince > 0.25) || now - quietSince > 10.0)
                break;
        }
    }
    bar.finish();

    output.stop();
    if (superCollider != nullptr)
        std::cout << superCollider->describe() << "\n";
    std::cout << (wasInterrupted() ? "Stopped.\n" : "Finished.\n");
    return 0;
}

} // namespace imbolc::cli
