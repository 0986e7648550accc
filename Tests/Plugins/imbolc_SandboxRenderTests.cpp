// An offline render (an export, `imbolc render`) runs plugins where the session says, as playing
// does: in real sandbox processes (the imbolc CLI built here), with the samples a render in process
// gives, and a plugin that crashes or hangs during the render (Imbolc Faulty, which really does) ends
// the render with a sentence naming it, leaves no file, and takes nothing else along.

#include "imbolc_SandboxTests.h"

#include <cstring>

using namespace imbolc;
using namespace imbolc::test;

namespace
{
engine::OfflineRenderer::Options renderOptions (double seconds, double hangSeconds = 10.0)
{
    engine::OfflineRenderer::Options o;
    o.maxSeconds = seconds;
    o.renderWorkers = 0;
    o.pluginSandbox.workerCommand = { IMBOLC_CLI_PATH, "plugin-sandbox" };
    o.pluginSandbox.hangSeconds = hangSeconds;
    return o;
}

engine::OfflineRenderer::Result renderWith (model::Session session, model::PluginIsolation isolation, juce::AudioBuffer<float>& out, engine::OfflineRenderer::Options options)
{
    session.settings.pluginIsolation = isolation;
    engine::OfflineRenderer renderer (options);
    return renderer.renderToBuffer (session, out);
}

bool sameBytes (const juce::AudioBuffer<float>& a, const juce::AudioBuffer<float>& b)
{
    if (a.getNumSamples() != b.getNumSamples() || a.getNumChannels() != b.getNumChannels())
        return false;
    for (int c = 0; c < a.getNumChannels(); ++c)
        if (std::memcmp (a.getReadPointer (c), b.getReadPointer (c), sizeof (float) * (std::size_t) a.getNumSamples()) != 0)
            return false;
    return true;
}

void addNotes (PluginRig& rig, model::InstrumentId id, int first)
{
    for (int i = 0; i < 6; ++i)
    {
        model::Note n;
        n.tick = (model::Tick) (i * model::ticksPerBeat / 2);
        n.duration = model::ticksPerBeat / 3;
        n.pitch = (std::uint8_t) (first + 2 * i);
        REQUIRE (rig.act (model::action::AddNote { id, n }) != 0);
    }
}
} // namespace

TEST_CASE ("sandbox: an offline render runs plugins where the session says, with the samples of a render in process", "[plugins][sandbox][render]")
{
    PluginRig rig;
    const auto synth = rig.addPluginInstrument (testSynthRef());
    addNotes (rig, synth, 60);
    const auto jx10 = rig.addPluginInstrument (lv2Ref (jx10Uri));
    addNotes (rig, jx10, 48);
    const auto session = rig.session;

    juce::AudioBuffer<float> inProcess, perPlugin, shared;
    REQUIRE (renderWith (session, model::PluginIsolation::inProcess, inProcess, renderOptions (3.0)).ok());
    const auto each = renderWith (session, model::PluginIsolation::perPlugin, perPlugin, renderOptions (3.0));
    const auto one = renderWith (session, model::PluginIsolation::shared, shared, renderOptions (3.0));
    INFO (each.error << one.error);
    REQUIRE (each.ok());
    REQUIRE (one.ok());
    CHECK (each.warnings.empty());
    CHECK (one.warnings.empty());
    REQUIRE (inProcess.getMagnitude (0, inProcess.getNumSamples()) > 0.05f);
    CHECK (sameBytes (inProcess, perPlugin));
    CHECK (sameBytes (inProcess, shared));

    // The sandboxes were really used: with no sandbox to run them in, the plugins are silent and say so.
    auto nowhere = renderOptions (3.0);
    nowhere.pluginSandbox.workerCommand = { "/nonexistent/imbolc", "plugin-sandbox" };
    juce::AudioBuffer<float> silent;
    const auto lost = renderWith (session, model::PluginIsolation::perPlugin, silent, nowhere);
    REQUIRE (lost.ok());
    INFO (juce::StringArray (lost.warnings.data(), (int) lost.warnings.size()).joinIntoString ("\n"));
    CHECK_FALSE (lost.warnings.empty());
    CHECK (silent.getMagnitude (0, silent.getNumSamples()) == 0.0f);
}

TEST_CASE ("sandbox: a plugin that crashes or hangs during an offline render ends it with a sentence naming it and leaves no file", "[plugins][sandbox][render][crash]")
{
    const auto fault = GENERATE (Fault::crash, Fault::hang);
    const auto isolation = GENERATE (model::PluginIsolation::perPlugin, model::PluginIsolation::shared);
    INFO ((fault == Fault::crash ? "crash" : "hang") << (isolation == model::PluginIsolation::shared ? ", shared" : ", per plugin"));
    PluginRig rig;
    const auto sine = rig.addInstrument (model::BuiltInSource::sine);
    addNotes (rig, sine, 60);
    auto source = rig.pluginSource (faultyRef());
    source.params[0].value = faultValue (fault);
    source.params[1].value = 40.0f / 1000.0f; // after 40 blocks
    REQUIRE (rig.act (model::action::AddInstrument { "faulty", source }) != 0);
    const auto synth = rig.addPluginInstrument (testSynthRef()); // shares the process in shared mode
    addNotes (rig, synth, 72);
    auto session = rig.session;
    session.settings.pluginIsolation = isolation;

    const juce::TemporaryFile temporary (".wav");
    const auto target = temporary.getFile();
    REQUIRE_FALSE (target.exists());
    auto options = renderOptions (4.0, 1.0);
    engine::OfflineRenderer renderer (options);
    const auto started = juce::Time::getMillisecondCounterHiRes();
    const auto result = renderer.renderToWav (session, target);
    const auto seconds = (juce::Time::getMillisecondCounterHiRes() - started) / 1000.0;

    INFO (result.error);
    REQUIRE_FALSE (result.ok());
    // Named by the first plugin that lost a block: in one shared sandbox the others die with it.
    if (isolation == model::PluginIsolation::perPlugin)
        CHECK (result.error.startsWith ("The plugin \"Imbolc Faulty\" ("));
    else
        CHECK (result.error.startsWith ("The plugin \""));
    CHECK (result.error.contains ("the render was stopped"));
    CHECK (result.error.endsWith ("."));
    CHECK_FALSE (target.exists());
    // A hang is waited out for the hang time, not for ever (nor for the render's whole length).
    CHECK (seconds < 30.0);
}
