// The audio thread's side of the plugin sandbox under the real-time harness: handing blocks over,
// waiting for answers (spin, then futex), the pipeline's ring, a missed deadline and a dead sandbox's
// fade make no allocation, free or lock. Everything the plugins do runs in other processes, so nothing
// here is exempt.

#include "imbolc_SandboxTests.h"
#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;
using model::ParamAddress;
using model::ParamGroup;

namespace
{
void playThroughACrash (bool pipelined, bool shared = false)
{
    REQUIRE (realtimeHarnessActive());
    auto options = shared ? sharedSandboxOptions (pipelined, 4.0) : sandboxOptions (pipelined, 4.0);
    options.maxRestarts = 0;
    PluginRig rig (nullptr, engineOptions (options));
    const auto synth = rig.addPluginInstrument (testSynthRef(), { rig.pluginStage (faultyRef()) });
    auto faultySource = rig.pluginSource (faultyRef());
    faultySource.params[0].value = faultValue (Fault::crash);
    const auto doomed = model::InstrumentId { rig.act (model::action::AddInstrument { "doomed", faultySource }) };
    const auto sine = rig.addInstrument (model::BuiltInSource::sine);
    REQUIRE (rig.engine.takeWarnings().empty());
    rig.engine.update();

    std::vector<juce::String> warnings;
    RealtimeAudioThread audio (rig.engine, 2000);
    audio.render (10);
    juce::Random random (3);
    for (int step = 0; step < 120; ++step)
    {
        rig.engine.noteOn (synth, 48 + step % 24, 0.6f);
        rig.engine.noteOn (sine, 60 + step % 12, 0.3f);
        rig.setParam (ParamAddress::instrument (synth, ParamGroup::source, 0), random.nextFloat());
        if (step == 60)
            rig.engine.noteOn (doomed, 0, 1.0f); // crashes its sandbox: misses, fade, silence
        audio.render (2);
        rig.engine.noteOff (synth, 48 + step % 24);
        rig.engine.noteOff (sine, 60 + step % 12);
        for (auto& w : rig.engine.takeWarnings())
            warnings.push_back (w);
    }
    const auto violations = audio.finish (20);
    for (int i = 0; i < 50 && warnings.empty(); ++i)
    {
        std::this_thread::sleep_for (std::chrono::milliseconds (10));
        rig.engine.update();
        for (auto& w : rig.engine.takeWarnings())
            warnings.push_back (w);
    }

    checkRealtimeSafe (violations);
    if (shared)
    {
        // The synth, the Faulty stage after it and the doomed Faulty shared one process: all three went.
        REQUIRE (warnings.size() == 3);
        for (const auto& w : warnings)
            CHECK (w.contains ("the shared sandbox it runs in (with 2 other plugins) crashed (signal 11"));
    }
    else
    {
        REQUIRE (warnings.size() == 1);
        CHECK (warnings[0].contains ("crashed (signal 11"));
    }
    CHECK (peakOf (audio.getLeft()) > 0.1f); // the sandboxed synth and the sine really played
}
} // namespace

TEST_CASE ("realtime sandboxed plugins, zero latency: handing blocks over, missing them and a crash make no allocation or lock", "[plugins][realtime][sandbox]")
{
    playThroughACrash (false);
}

TEST_CASE ("realtime sandboxed plugins, pipelined: handing blocks over, missing them and a crash make no allocation or lock", "[plugins][realtime][sandbox]")
{
    playThroughACrash (true);
}

TEST_CASE ("realtime sandboxed plugins in one shared sandbox, zero latency: handing blocks over, missing them and a crash make no allocation or lock", "[plugins][realtime][sandbox][shared]")
{
    playThroughACrash (false, true);
}

TEST_CASE ("realtime sandboxed plugins in one shared sandbox, pipelined: handing blocks over, missing them and a crash make no allocation or lock", "[plugins][realtime][sandbox][shared]")
{
    playThroughACrash (true, true);
}
