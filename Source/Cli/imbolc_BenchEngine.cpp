// imbolc bench engine: our engine against a stock juce::AudioProcessorGraph 7.0.5 holding the same
// processors, measured in the same run.

#include "imbolc_BenchSupport.h"

#include <imbolc_engine/imbolc_engine.h>

#include <map>
#include <thread>
#include <unistd.h>

namespace imbolc::cli::bench
{
namespace
{
    constexpr double sampleRate = 48000.0;
    constexpr int blockSize = 256;
    constexpr double stockCapNanos = 3.0e9; ///< stock runs past this are not repeated (or not attempted at the next size)

    model::Stage effectStage (model::EffectType type)
    {
        model::Stage s;
        s.kind = model::StageKind::effect;
        s.effect = type;
        s.params = model::makeEffectParameters (type);
        return s;
    }

    /** The benchmark instrument: a saw source, a gain and a delay, and the strip: four nodes. */
    model::action::AddInstrument benchInstrument()
    {
        model::Source source;
        source.builtIn = model::BuiltInSource::saw;
        source.params = model::makeParameters (source.builtIn);
        return { "bench", source, model::Backend::internal, { effectStage (model::EffectType::gain), effectStage (model::EffectType::delay) } };
    }

    /** The same four processors, as the stock graph gets them. */
    std::vector<std::unique_ptr<juce::AudioProcessor>> benchProcessors()
    {
        const auto spec = benchInstrument();
        model::Instrument inst;
        inst.source = spec.source;
        engine::NodeFactory factory;
        std::vector<std::unique_ptr<juce::AudioProcessor>> nodes;
        nodes.push_back (factory.createSource (inst));
        nodes.push_back (factory.createStage (spec.chain[0]));
        nodes.push_back (factory.createStage (spec.chain[1]));
        nodes.push_back (std::make_unique<engine::StripNode> (0.8f, 0.0f, true));
        return nodes;
    }

    //==============================================================================
    /** Our engine with N instruments, driven the way the app drives it (dispatcher -> engine). */
    struct Ours
    {
        model::Session session;
        model::UndoHistory history;
        model::Dispatcher dispatcher { session, history };
        engine::Engine engine;
        std::vector<float> left = std::vector<float> (blockSize), right = std::vector<float> (blockSize);

        static engine::Engine::Options withWorkers (int workers)
        {
            engine::Engine::Options o;
            o.renderWorkers = workers;
            return o;
        }

        /** `workers`: render threads beside the audio thread (-1: one per extra core, as the app). */
        explicit Ours (int n, int workers = -1)
            : engine (nullptr, withWorkers (workers))
        {
            engine.prepare (sampleRate, blockSize);
            for (int i = 0; i < n; ++i)
                add();
            settle();
        }

        model::InstrumentId add()
        {
            auto r = dispatcher.apply (benchInstrument());
            engine.apply (session, r.changes);
            return model::InstrumentId { r.createdId };
        }

        void block()
        {
            float* outs[] = { left.data(), right.data() };
            engine.process (outs, 2, blockSize);
            engine.update();
        }

        /** Runs blocks until every handover and retirement has completed. */
        void settle()
        {
            for (int i = 0; i < 10000 && engine.getStats().backloggedCommands > 0; ++i)
                block();
            for (int i = 0; i < 8; ++i) // fades (10 ms = 2 blocks) and retirements
                block();
        }

        /** Plays the engine on its own thread, a block every 5.33 ms, as a device would. */
        void startAudioThread() { audio = std::make_unique<PacedAudioThread> (engine, sampleRate, blockSize); }

        /** Waits on the message thread, as its timer would, until the audio thread has taken
            everything handed over and given back what it retired. */
        void waitForAudio (int blocks)
        {
            const auto until = Clock::now() + std::chrono::microseconds ((int) (blocks * 1.0e6 * blockSize / sampleRate));
            while (Clock::now() < until || engine.getStats().backloggedCommands > 0)
            {
                engine.update();
                std::this_thread::sleep_for (std::chrono::milliseconds (1));
            }
            engine.update();
        }

        /** Time of one add on the message thread (build, prepare, hand over) while the audio thread
            plays; then the instrument is installed, deleted and retired again so N stays N. */
        double timeOneAdd()
        {
            const auto spec = benchInstrument();
            auto r = dispatcher.apply (spec); // the model's work is not the engine's: untimed
            const auto start = Clock::now();
            engine.apply (session, r.changes);
            const auto nanos = (double) std::chrono::duration_cast<std::chrono::nanoseconds> (Clock::now() - start).count();
            waitForAudio (2);
            engine.apply (session, dispatcher.apply (model::action::DeleteInstrument { model::InstrumentId { r.createdId } }).changes);
            waitForAudio (4); // the 10 ms fade, then retirement
            return nanos;
        }

        std::unique_ptr<PacedAudioThread> audio;
    };

    //==============================================================================
    /** A pass-through stage that, once armed, sleeps `stallMs` the first time a render worker (not the
        audio thread) runs it: a worker the system deschedules mid-chain, on cue. */
    class StallNode final : public engine::NodeProcessor
    {
    public:
        explicit StallNode (const model::Stage& stage)
            : NodeProcessor ("Stall", stage.params, false) {}

        static inline std::atomic<bool> armed { false }, stalled { false };
        static inline std::atomic<std::thread::id> audioThread {};
        static constexpr int stallMs = 50;

    private:
        void prepareNode (double, int) override {}
        void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override
        {
            if (std::this_thread::get_id() != audioThread.load() && armed.exchange (false))
            {
                stalled = true;
                std::this_thread::sleep_for (std::chrono::milliseconds (stallMs));
            }
        }
    };

    struct StallFactory final : engine::NodeFactory
    {
        std::unique_ptr<engine::NodeProcessor> createStage (const model::Stage& stage) override
        {
            if (stage.kind == model::StageKind::effect && stage.effect == model::EffectType::gain)
                return std::make_unique<StallNode> (stage);
            return NodeFactory::createStage (stage);
        }
    };

    /** The worst callback, in ns, over 20 blocks in which a render worker stalls once inside a chain;
        0 when this machine has no worker to stall. Live settings (the audio thread waits for a worker
        until 70 % of the block at most). */
    double worstCallbackWithStalledWorker()
    {
        engine::Engine::Options o;
        o.waitForLateWorkers = false;
        engine::Engine engine (std::make_unique<StallFactory>(), o);
        if (engine.getAudioGraph().getNumRenderWorkers() == 0)
            return 0.0;
        engine.prepare (sampleRate, blockSize);
        model::Session session;
        model::UndoHistory history;
        model::Dispatcher dispatcher { session, history };
        for (int i = 0; i < 32; ++i)
        {
            auto r = dispatcher.apply (benchInstrument()); // gain, delay: the gain is the stall node
            engine.apply (session, r.changes);
            engine.noteOn (model::InstrumentId { r.createdId }, 48, 0.8f);
        }
        std::vector<float> left ((std::size_t) blockSize), right ((std::size_t) blockSize);
        float* outs[] = { left.data(), right.data() };
        for (int i = 0; i < 200 && engine.getStats().backloggedCommands > 0; ++i)
        {
            engine.process (outs, 2, blockSize);
            engine.update();
        }
        StallNode::audioThread = std::this_thread::get_id();
        StallNode::stalled = false;
        StallNode::armed = true;
        double worst = 0.0;
        for (int b = 0, after = 0; b < 400 && after < 20; ++b)
        {
            const auto start = Clock::now();
            engine.process (outs, 2, blockSize);
            worst = std::max (worst, (double) std::chrono::duration_cast<std::chrono::nanoseconds> (Clock::now() - start).count());
            after += StallNode::stalled.load() ? 1 : 0;
        }
        StallNode::armed = false;
        std::this_thread::sleep_for (std::chrono::milliseconds (StallNode::stallMs + 20)); // the worker is through before the engine goes
        return worst;
    }

    //==============================================================================
    /** A stock juce::AudioProcessorGraph holding N chains of the same four processors, each chain in
        series to the graph's audio output, every source fed by the graph's MIDI input. */
    struct Stock
    {
        juce::AudioProcessorGraph graph;
        juce::AudioProcessorGraph::NodeID audioOut, midiIn;
        juce::AudioBuffer<float> buffer { 2, blockSize };
        juce::MidiBuffer midi;

        using Graph = juce::AudioProcessorGraph;
        using IO = Graph::AudioGraphIOProcessor;

        explicit Stock (int n)
        {
            graph.setPlayConfigDetails (0, 2, sampleRate, blockSize);
            graph.prepareToPlay (sampleRate, blockSize);
            audioOut = graph.addNode (std::make_unique<IO> (IO::audioOutputNode), {}, Graph::UpdateKind::async)->nodeID;
            midiIn = graph.addNode (std::make_unique<IO> (IO::midiInputNode), {}, Graph::UpdateKind::async)->nodeID;
            for (int i = 0; i < n; ++i)
                addChain (i + 1 < n ? Graph::UpdateKind::async : Graph::UpdateKind::sync);
        }

        /** Adds one chain; with sync, the last change rebuilds the render sequence, as JUCE does. */
        std::vector<Graph::NodeID> addChain (Graph::UpdateKind last)
        {
            const auto async = Graph::UpdateKind::async;
            std::vector<Graph::NodeID> ids;
            for (auto& p : benchProcessors())
                ids.push_back (graph.addNode (std::move (p), {}, async)->nodeID);
            graph.addConnection ({ { midiIn, Graph::midiChannelIndex }, { ids[0], Graph::midiChannelIndex } }, async);
            for (std::size_t i = 0; i + 1 < ids.size(); ++i)
                for (int ch = 0; ch < 2; ++ch)
                    graph.addConnection ({ { ids[i], ch }, { ids[i + 1], ch } }, async);
            graph.addConnection ({ { ids.back(), 0 }, { audioOut, 0 } }, async);
            graph.addConnection ({ { ids.back(), 1 }, { audioOut, 1 } }, last);
            return ids;
        }

        double timeOneAdd()
        {
            const auto start = Clock::now();
            const auto ids = addChain (Graph::UpdateKind::sync);
            const auto nanos = (double) std::chrono::duration_cast<std::chrono::nanoseconds> (Clock::now() - start).count();
            for (std::size_t i = 0; i < ids.size(); ++i)
                graph.removeNode (ids[i], i + 1 < ids.size() ? Graph::UpdateKind::async : Graph::UpdateKind::sync);
            return nanos;
        }

        void block()
        {
            buffer.clear();
            graph.processBlock (buffer, midi);
            midi.clear();
        }
    };

    /** A transient status line on a terminal's stderr (erased by the next); nothing when redirected. */
    void progress (const std::string& text)
    {
        if (isatty (2))
            std::cerr << "\r\033[K" << text << std::flush;
    }

    double median (std::vector<double> v)
    {
        std::sort (v.begin(), v.end());
        return v[v.size() / 2];
    }
} // namespace

int benchEngine()
{
    // The stock graph asks whether it is on the message thread: make this thread the message thread.
    juce::MessageManager::getInstance()->setCurrentThreadAsMessageThread();

    header ("bench engine: add one 4-node instrument with N already there", "stock graph");
    std::map<int, double> oursAdd, stockAdd;
    std::map<int, std::int64_t> oursWorstAudio;
    bool stockTooSlow = false;
    for (const int n : { 8, 64, 128, 256 })
    {
        progress ("  (N = " + std::to_string (n) + ": measuring...)");
        Ours ours (n);
        ours.startAudioThread();
        std::vector<double> times;
        ours.engine.getAudioGraph().resetMaxStructuralNanos();
        for (int i = 0; i < 21; ++i)
            times.push_back (ours.timeOneAdd());
        oursAdd[n] = median (times);
        oursWorstAudio[n] = ours.engine.getAudioGraph().getMaxStructuralNanos();

        std::string stockText = "skipped";
        std::optional<double> ratio;
        if (! stockTooSlow)
        {
            Stock stock (n);
            std::vector<double> stockTimes;
            for (int i = 0; i < 5; ++i)
            {
                stockTimes.push_back (stock.timeOneAdd());
                if (stockTimes.back() * 2 > stockCapNanos)
                    break; // one more would blow the cap: keep what we have
            }
            stockAdd[n] = median (stockTimes);
            stockText = human (stockAdd[n]) + (stockTimes.size() < 5 ? "*" : "");
            ratio = stockAdd[n] / oursAdd[n];
            // Rebuilds grow at least linearly: if this size came near the cap, the next would exceed it.
            stockTooSlow = stockAdd[n] * 2 > stockCapNanos;
        }
        progress ("");
        row ("N = " + std::to_string (n), human (oursAdd[n]), stockText, ratio);
    }
    if (stockTooSlow)
        std::cout << "  stock skipped where marked: its previous size already took over half the "
                  << human (stockCapNanos) << " cap per add.\n";
    std::cout << "  * fewer than 5 stock runs: each was over half the cap.\n";
    row ("ours at N = 256 / ours at N = 8 (target <= 2)", juce::String (oursAdd[256] / oursAdd[8], 2).toStdString() + "x", "-", std::nullopt);
    if (stockAdd.count (128) != 0)
        row ("stock / ours at N = 128 (target >= 300)", "-", "-", stockAdd[128] / oursAdd[128]);

    //==============================================================================
    header ("bench engine: audio-thread time per add or delete (worst block)", "ours at N = 8");
    for (const int n : { 8, 256 })
        row ("N = " + std::to_string (n) + ", worst of 21 adds and deletes", human ((double) oursWorstAudio[n]), human ((double) oursWorstAudio[8]), (double) oursWorstAudio[8] / (double) juce::jmax<std::int64_t> (1, oursWorstAudio[n]));

    //==============================================================================
    header ("bench engine: one 256-sample block, 128 instruments x 4 nodes, all playing", "stock graph");
    {
        // The same engine alone on the audio thread and with one render worker per extra core (the
        // stock graph renders on one thread only), all three measured in turns of 16 blocks; one thread
        // takes its turns on each core in turn. Bit-identical output either way.
        const int workers = engine::RenderWorkers::workersForThisMachine();
        Ours alone (128, 0), helped (128, workers);
        for (auto* ours : { &alone, &helped })
        {
            for (const auto& inst : ours->session.instruments)
                ours->engine.noteOn (inst.id, 48, 0.8f);
            ours->settle();
        }
        Stock stock (128);
        stock.midi.addEvent (juce::MidiMessage::noteOn (1, 48, 0.8f), 0);
        for (int i = 0; i < 8; ++i)
            stock.block();
        const auto process = [] (Ours& ours)
        {
            float* outs[] = { ours.left.data(), ours.right.data() };
            ours.engine.process (outs, 2, blockSize);
        };
        // The machine's own two-against-one ratio, in the same turns: a VM's two vCPUs are not always
        // two cores' worth (see ParallelArithmetic).
        ParallelArithmetic arithmetic;
        const auto times = interleavedTimes (24, 16, { { [&]
                                                         { process (alone); },
                                                         true },
                                                       { [&]
                                                         { process (helped); },
                                                         false },
                                                       { [&]
                                                         { stock.block(); },
                                                         true },
                                                       { [&]
                                                         { arithmetic.alone(); },
                                                         true },
                                                       { [&]
                                                         { arithmetic.split(); },
                                                         false } });
        const auto one = times[0].median(), many = workers > 0 ? times[1].median() : one, stockBlock = times[2].median();
        row ("process one block, 1 thread", human (one), human (stockBlock), stockBlock / one);
        if (workers > 0)
        {
            for (int core = 0; core < 4 && times[0].median (core) > 0.0; ++core)
                row ("  of which on core " + std::to_string (core), human (times[0].median (core)), human (times[2].median (core)), times[2].median (core) / times[0].median (core));
            row ("process one block, " + std::to_string (workers + 1) + " threads", human (many), human (stockBlock), stockBlock / many);
        }
        row (std::to_string (workers + 1) + " threads against 1 (target <= 0.6)", juce::String (many / one, 2).toStdString(), "1.00", one / many);
        if (workers > 0)
        {
            // Round by round: the rounds in which the machine itself gave two threads' worth.
            const auto machine = times[4].median() / times[3].median();
            std::vector<int> twoCores;
            for (int r = 0; r < 24; ++r)
            {
                const auto inRound = [r] (int x)
                { return x == r; };
                if (times[4].median (-2, inRound) <= 0.55 * times[3].median (-2, inRound))
                    twoCores.push_back (r);
            }
            const auto inTwoCores = [&] (int x)
            { return std::find (twoCores.begin(), twoCores.end(), x) != twoCores.end(); };
            row ("the machine's own 2 threads against 1", juce::String (machine, 2).toStdString(), "0.50", 0.5 / machine);
            std::cout << "  (arithmetic split over two threads against one, in the same turns: 0.50 is two real cores)\n";
            if (! twoCores.empty())
            {
                const auto ratio = times[1].median (-2, inTwoCores) / times[0].median (-2, inTwoCores);
                row (std::to_string (workers + 1) + " threads against 1, " + std::to_string (twoCores.size()) + " of 24 rounds", juce::String (ratio, 2).toStdString(), "1.00", 1.0 / ratio);
                std::cout << "  (the rounds in which the machine's own ratio was at most 0.55)\n";
            }
        }
        row ("share of the 5.33 ms block budget", juce::String (100.0 * many / 5.333e6, 1).toStdString() + " %", juce::String (100.0 * stockBlock / 5.333e6, 1).toStdString() + " %", std::nullopt);
    }

    header ("bench engine: a render worker descheduled for 50 ms inside a chain, 32 instruments", "block duration");
    if (const auto worst = worstCallbackWithStalledWorker(); worst > 0.0)
    {
        const double blockNanos = 1.0e9 * blockSize / sampleRate;
        row ("worst callback over 20 blocks", human (worst), human (blockNanos), blockNanos / worst);
    }
    else
    {
        std::cout << "  (no render worker on this machine: one core)\n";
    }

    {
        const int workers = engine::RenderWorkers::workersForThisMachine();
        header ("bench engine: offline render of the large session (64 instruments, 10,000 notes, 64 lanes)", "real time");
        const auto session = model::makeReferenceSession (model::ReferenceSize::large);
        double audioSeconds = 0.0;
        // Keyed by workers and by whether stages at rest skip silence (the engine's way) or every stage
        // processes every block (how it rendered before: the baseline that shows what resting gives).
        std::map<std::pair<int, bool>, double> factor;
        for (const bool resting : { true, false })
            for (const int w : { 0, workers })
            {
                if (factor.count ({ w, resting }) != 0)
                    continue;
                engine::ChainBase::setRestingAllowed (resting);
                engine::OfflineRenderer::Options options;
                options.maxSeconds = 60.0; // the first minute: long enough to be steady, short enough to run often
                options.renderWorkers = w;
                juce::AudioBuffer<float> out;
                std::vector<double> factors;
                for (int run = 0; run < 3; ++run)
                {
                    engine::OfflineRenderer renderer (options);
                    const auto result = renderer.renderToBuffer (session, out);
                    if (! result.ok())
                    {
                        engine::ChainBase::setRestingAllowed (true);
                        std::cerr << result.error << "\n";
                        return 1;
                    }
                    factors.push_back (result.realTimeFactor());
                    audioSeconds = result.audioSeconds;
                }
                std::sort (factors.begin(), factors.end());
                factor[{ w, resting }] = factors[1];
            }
        engine::ChainBase::setRestingAllowed (true);
        const auto first = "first " + std::to_string (juce::roundToInt (audioSeconds)) + " s, median of 3";
        const auto rested = [&] (int w)
        { return factor[{ w, true }]; };
        const auto processed = [&] (int w)
        { return factor[{ w, false }]; };
        row ("real-time factor, 1 core (" + first + ")", juce::String (rested (0), 1).toStdString() + "x", "1.0x", rested (0));
        row ("real-time factor, " + std::to_string (workers + 1) + " cores (target >= 20x)", juce::String (rested (workers), 1).toStdString() + "x", "1.0x", rested (workers));
        row (std::to_string (workers + 1) + " cores against 1", juce::String (rested (workers) / rested (0), 2).toStdString() + "x", "1.00x", rested (workers) / rested (0));
        row ("1 core: resting stages / every stage processed", juce::String (rested (0), 1).toStdString() + "x", juce::String (processed (0), 1).toStdString() + "x", rested (0) / processed (0));
        row (std::to_string (workers + 1) + " cores: resting stages / every stage processed", juce::String (rested (workers), 1).toStdString() + "x", juce::String (processed (workers), 1).toStdString() + "x", rested (workers) / processed (workers));
    }

    std::cout << "\n  Ratios are baseline / imbolc: above 1 means Imbolc is faster. Adds are timed on the message\n"
                 "  thread (ours: build, prepare, hand over, while our audio thread plays a block every 5.33 ms;\n"
                 "  stock: addNode/addConnection and the render-sequence rebuild JUCE does on the last change).\n"
                 "  Medians; N counts instruments already playing.\n";
    return 0;
}

} // namespace imbolc::cli::bench
