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
    auto loaded = app::loadSessionFile (file);
    if (! loaded.ok())
    {
        std::cerr << loaded.error << "\n";
        return std::nullopt;
    }
    return std::move (loaded.session);
}

void printWarning (const juce::String& sentence)
{
    std::cerr << "warning: " << sentence << std::endl;
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

namespace
{
    /** `imbolc render --backend supercollider`: an OSC score rendered by `scsynth -N`. */
    int renderOnSuperCollider (const model::Session& session, const juce::File& input, const juce::File& output, const engine::OfflineRenderer::Options& engineOptions)
    {
        sc::ScoreRenderer::Options options;
        options.sampleRate = engineOptions.sampleRate;
        options.blockSize = engineOptions.blockSize;
        options.bitsPerSample = engineOptions.bitsPerSample;

        // Every instrument is played by scsynth here, so the engine's sequencer hands every note out
        // (tempo lane, swing, probability, song mode), exactly as it plays them live.
        auto onSuperCollider = session;
        for (auto& instrument : onSuperCollider.instruments)
        {
            instrument.backend = model::Backend::superCollider;
            // scsynth reads a sampler's sample itself: a path relative to the project is made whole.
            auto& path = instrument.source.samplePath;
            if (! path.empty() && ! juce::File::isAbsolutePath (path))
                path = input.getParentDirectory().getChildFile (path).getFullPathName().toStdString();
        }

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
        return renderOnSuperCollider (*session, input, output, options);

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
    app::AudioOutput output;
    app::SessionHost host ({ {}, output.getSampleRate(), output.getBlockSize() });
    host.onWarning = printWarning;

    session->transport.playing = true;
    session->transport.position = 0;
    host.setSession (std::move (*session), input);
    auto& engine = host.getEngine();

    // From here on Ctrl-C ends the command cleanly (connecting to scsynth may take its timeout).
    installInterruptHandler();

    // SuperCollider instruments play on scsynth; without one the rest of the session still plays.
    if (app::hasSuperColliderInstruments (host.getSession()) || args.options.count ("--scsynth") != 0)
    {
        sc::ScBackend::Options options;
        options.server = { scsynth.address, scsynth.port, 2000 };
        options.sampleRate = output.getSampleRate();
        options.blockSize = output.getBlockSize();
        options.latencySeconds = latencyMs >= 0 ? latencyMs / 1000.0 : -1.0;
        if (auto r = host.startSuperCollider (options); r.failed())
            std::cerr << r.getErrorMessage() << " The SuperCollider instruments stay silent.\n";
    }
    auto* superCollider = host.getSuperCollider();
    const auto& played = host.getSession();

    const auto endTick = (double) engine.getSongEndTick (played);
    const double songSeconds = endTick / (played.settings.bpm / 60.0 * model::ticksPerBeat);

    std::cout << "Playing " << input.getFileName() << " " << output.describe() << ". Ctrl-C stops.\n";
    output.start (engine);

    ProgressPrinter bar ("Playing");
    double quietSince = -1.0;
    while (! wasInterrupted())
    {
        host.tick (20);
        const auto ticks = engine.getPlayheadTicks();
        const auto seconds = ticks / (played.settings.bpm / 60.0 * model::ticksPerBeat);
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
