// imbolc bench plugins: a real LV2 synth (mda JX10, Debian's mda-lv2) hosted in our chain, against the
// same plugin driven directly through JUCE's AudioPluginInstance, measured in the same run.

#include "imbolc_BenchSupport.h"

#include <imbolc_engine/imbolc_engine.h>

namespace imbolc::cli::bench
{
namespace
{
    constexpr double pluginSampleRate = 48000.0;
    constexpr int pluginBlockSize = 256;
    constexpr const char* jx10Uri = "http://drobilla.net/plugins/mda/JX10";
    constexpr int voices = 8; // JX10's polyphony
    constexpr int notes[voices] = { 48, 52, 55, 59, 60, 64, 67, 71 };
} // namespace

int benchPlugins()
{
    engine::PluginHost host;
    model::PluginRef ref;
    ref.format = model::PluginFormat::lv2;
    ref.identifier = jx10Uri;
    juce::String error;
    const auto inspection = host.inspect (ref, error);
    if (! inspection)
    {
        std::cerr << error << " (install Debian's mda-lv2 package for this benchmark)\n";
        return 1;
    }

    //==========================================================================
    header ("bench plugins: loading mda JX10 (LV2)", "bare JUCE");
    // Baseline: what any JUCE host does, instantiate and prepare. Ours: the same through PluginHost and a
    // PluginNode as the engine's factory makes it (state and parameters applied, buses chosen, prepared,
    // and the warm-up block that keeps first-block allocations off the audio thread).
    const auto description = host.describe (ref, error);
    const auto bareNs = medianNanos (21, [&]
                                     {
        juce::String message;
        auto p = host.getFormatManager().createPluginInstance (*description, pluginSampleRate, pluginBlockSize, message);
        p->prepareToPlay (pluginSampleRate, pluginBlockSize); });
    const auto oursNs = medianNanos (21, [&]
                                     {
        juce::String message;
        engine::PluginNode node (host.createInstance (inspection->ref, pluginSampleRate, pluginBlockSize, message), inspection->ref, inspection->params, true);
        node.setPlayConfigDetails (0, 2, pluginSampleRate, pluginBlockSize);
        node.prepareToPlay (pluginSampleRate, pluginBlockSize); });
    row ("load and prepare", human (oursNs), human (bareNs), bareNs / oursNs);

    //==========================================================================
    header ("bench plugins: one 256-sample block of JX10 with 8 voices", "direct");
    // Baseline: the plugin instance alone, processBlock on a stereo buffer.
    juce::String message;
    auto direct = host.getFormatManager().createPluginInstance (*description, pluginSampleRate, pluginBlockSize, message);
    direct->prepareToPlay (pluginSampleRate, pluginBlockSize);
    juce::AudioBuffer<float> buffer (2, pluginBlockSize);
    juce::MidiBuffer midi;
    for (auto note : notes)
        midi.addEvent (juce::MidiMessage::noteOn (1, note, 0.8f), 0);
    buffer.clear();
    direct->processBlock (buffer, midi);
    midi.clear();
    const auto directNs = medianNanos (4001, [&]
                                       { direct->processBlock (buffer, midi); });

    // Ours: a whole engine with one JX10 instrument (source, strip, master, safety limiter), the
    // notes sent as the keyboard sends them.
    model::Session session;
    model::UndoHistory history;
    model::Dispatcher dispatcher { session, history };
    engine::Engine engine;
    engine.prepare (pluginSampleRate, pluginBlockSize);
    model::Source source;
    source.kind = model::SourceKind::plugin;
    source.plugin = inspection->ref;
    source.params = inspection->params;
    auto result = dispatcher.apply (model::action::AddInstrument { "JX10", source });
    engine.apply (session, result.changes);
    const auto id = model::InstrumentId { result.createdId };
    for (const auto& w : engine.getNodeFactory().takePluginWarnings())
        std::cerr << w << "\n";
    std::vector<float> left ((std::size_t) pluginBlockSize), right ((std::size_t) pluginBlockSize);
    float* outs[] = { left.data(), right.data() };
    engine.process (outs, 2, pluginBlockSize);
    engine.update();
    for (auto note : notes)
        engine.noteOn (id, note, 0.8f);
    engine.process (outs, 2, pluginBlockSize);
    engine.update();
    const auto chainNs = medianNanos (4001, [&]
                                      { engine.process (outs, 2, pluginBlockSize); });

    // What the engine costs around any source: the same session with a silent source instead.
    model::Source silent;
    silent.kind = model::SourceKind::audioInput;
    auto silentResult = dispatcher.apply (model::action::SetSource { id, silent });
    engine.apply (session, silentResult.changes);
    for (int i = 0; i < 8; ++i)
    {
        engine.process (outs, 2, pluginBlockSize);
        engine.update();
    }
    const auto emptyNs = medianNanos (4001, [&]
                                      { engine.process (outs, 2, pluginBlockSize); });

    row ("block, 8 voices", human (chainNs), human (directNs), directNs / chainNs);
    row ("our overhead per block", human (chainNs - directNs), "-", std::nullopt);
    row ("  of which the engine around any source", human (emptyNs), "-", std::nullopt);
    row ("  of which hosting (PluginNode)", human (chainNs - directNs - emptyNs), "-", std::nullopt);

    //==========================================================================
    // The same JX10 session with the plugin in a sandbox process (issue 20), beside in process.
    header ("bench plugins: JX10 with 8 voices in a sandbox process, same run", "in process");
    struct SandboxFigures
    {
        double blockNs = 0.0, roundTripNs = 0.0;
        std::int64_t missed = 0;
    };
    auto sandboxed = [&] (bool pipelined, engine::PluginSandboxMode mode) -> std::optional<SandboxFigures>
    {
        engine::Engine::Options options;
        options.pluginSandbox.mode = mode;
        options.pluginSandbox.workerCommand = { juce::File::getSpecialLocation (juce::File::currentExecutableFile).getFullPathName(), "plugin-sandbox" };
        options.pluginSandbox.pipelined = pipelined;
        // Blocks come back to back here, far faster than a device asks: a generous deadline, so
        // what is timed is the round trip, not a missed block (missed blocks are counted).
        options.pluginSandbox.deadlineFraction = 10.0;
        model::Session sandboxSession;
        model::UndoHistory sandboxHistory;
        model::Dispatcher sandboxDispatcher { sandboxSession, sandboxHistory };
        engine::Engine sandboxEngine (nullptr, options);
        sandboxEngine.prepare (pluginSampleRate, pluginBlockSize);
        auto added = sandboxDispatcher.apply (model::action::AddInstrument { "JX10", source });
        sandboxEngine.apply (sandboxSession, added.changes);
        const auto sandboxId = model::InstrumentId { added.createdId };
        for (const auto& w : sandboxEngine.takeWarnings())
            std::cerr << w << "\n";
        sandboxEngine.process (outs, 2, pluginBlockSize); // installs the chain
        sandboxEngine.update();
        auto* node = dynamic_cast<engine::SandboxedPluginNode*> (sandboxEngine.getSourceWhileStopped (sandboxId));
        if (node == nullptr)
            return std::nullopt;
        for (auto note : notes)
            sandboxEngine.noteOn (sandboxId, note, 0.8f);
        sandboxEngine.process (outs, 2, pluginBlockSize);
        sandboxEngine.update();
        const auto before = node->getTiming();
        SandboxFigures f;
        f.blockNs = medianNanos (4001, [&]
                                 { sandboxEngine.process (outs, 2, pluginBlockSize); });
        const auto after = node->getTiming();
        const auto answered = after.answered - before.answered;
        f.roundTripNs = answered > 0 ? (after.roundTripSum - before.roundTripSum) / (double) answered * 1.0e9 : 0.0;
        f.missed = after.missed - before.missed;
        return f;
    };
    const auto zeroLatency = sandboxed (false, engine::PluginSandboxMode::perPlugin);
    const auto pipelinedRun = sandboxed (true, engine::PluginSandboxMode::perPlugin);
    // The same in the one shared sandbox (a SandboxProcess serving slots): JX10 is its only slot here,
    // so the difference to the rows above is what serving slots costs, not other plugins' load.
    const auto sharedZero = sandboxed (false, engine::PluginSandboxMode::shared);
    const auto sharedPipelined = sandboxed (true, engine::PluginSandboxMode::shared);
    if (zeroLatency && pipelinedRun && sharedZero && sharedPipelined)
    {
        row ("block, sandbox, zero latency", human (zeroLatency->blockNs), human (chainNs), chainNs / zeroLatency->blockNs);
        row ("  round trip (request to answer), mean", human (zeroLatency->roundTripNs), "-", std::nullopt);
        row ("block, sandbox, pipelined (+1 block latency)", human (pipelinedRun->blockNs), human (chainNs), chainNs / pipelinedRun->blockNs);
        row ("  send to answer read a block later, mean", human (pipelinedRun->roundTripNs), "-", std::nullopt);
        row ("  blocks missed (of 4001 each)", std::to_string (zeroLatency->missed) + " / " + std::to_string (pipelinedRun->missed), "-", std::nullopt);
        row ("block, shared sandbox, zero latency", human (sharedZero->blockNs), human (chainNs), chainNs / sharedZero->blockNs);
        row ("  round trip (request to answer), mean", human (sharedZero->roundTripNs), "-", std::nullopt);
        row ("block, shared sandbox, pipelined", human (sharedPipelined->blockNs), human (chainNs), chainNs / sharedPipelined->blockNs);
        row ("  blocks missed (of 4001 each)", std::to_string (sharedZero->missed) + " / " + std::to_string (sharedPipelined->missed), "-", std::nullopt);
    }
    else
    {
        std::cerr << "The sandbox rows are left out: the plugin did not load in a sandbox.\n";
    }

    std::cout << "\n  Ratios are baseline / imbolc: 1.0x would mean no cost over the bare plugin. The chain adds\n"
                 "  the strip, the master and its safety limiter (timed alone with a silent source in the\n"
                 "  plugin's place); hosting itself is the rest. Loading adds the state check, the parameter\n"
                 "  push and one warm-up block (JUCE's LV2 host instantiates again in prepareToPlay, in both).\n"
                 "  The sandbox rows run the whole engine with JX10 in an `imbolc plugin-sandbox` process, against\n"
                 "  the in-process block above: the difference is the hand-over (shared memory, two futex wakes\n"
                 "  and the other process's scheduling). Pipelined, the sandbox renders while the engine goes on,\n"
                 "  so the wait is mostly gone, for one block of latency that delay compensation covers. The shared\n"
                 "  sandbox rows run JX10 as a slot of the one process all plugins share (All in One Sandbox).\n";
    return 0;
}

} // namespace imbolc::cli::bench
