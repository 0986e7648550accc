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

    std::cout << "\n  Ratios are baseline / imbolc: 1.0x would mean no cost over the bare plugin. The chain adds\n"
                 "  the strip, the master and its safety limiter (timed alone with a silent source in the\n"
                 "  plugin's place); hosting itself is the rest. Loading adds the state check, the parameter\n"
                 "  push and one warm-up block (JUCE's LV2 host instantiates again in prepareToPlay, in both).\n";
    return 0;
}

} // namespace imbolc::cli::bench
