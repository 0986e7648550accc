// One shared sandbox (PluginSandboxMode::shared): every sandboxed plugin of the engine in one real
// `imbolc plugin-sandbox` process (the CLI built here), each in a slot with its own shared block and
// processing thread. Real plugins (the VST3 test synth, Debian's mda JX10, Imbolc Faulty, which really
// crashes or hangs), the same samples as in process, a crash and a hang taking the whole process and
// every plugin in it restarting together from its own state, and plugins coming and going while the
// process runs.

#include "imbolc_SandboxTests.h"

#include <unistd.h>

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;

namespace
{
constexpr int block = EngineRig::blockSize;

std::vector<float> slice (const std::vector<float>& v, std::size_t from, std::size_t to)
{
    return { v.begin() + (std::ptrdiff_t) from, v.begin() + (std::ptrdiff_t) to };
}

std::string joined (const std::vector<juce::String>& warnings)
{
    return juce::StringArray (warnings.data(), (int) warnings.size()).joinIntoString ("\n").toStdString();
}

/** The test synth, JX10 and Imbolc Faulty (a pass-through: silent as a source) as three instruments,
    each hearing notes: the left channel, and the sandbox processes they ran in (0: in process). */
struct Played
{
    std::vector<float> left;
    std::vector<int> pids;
    std::vector<juce::String> warnings;
};

Played playThree (const engine::Engine::Options& options)
{
    PluginRig rig (nullptr, options);
    const auto synth = rig.addPluginInstrument (testSynthRef());
    const auto jx10 = rig.addPluginInstrument (lv2Ref (jx10Uri));
    const auto faulty = rig.addPluginInstrument (faultyRef());
    Played p;
    p.warnings = rig.engine.takeWarnings();
    for (const auto id : { synth, jx10, faulty })
    {
        auto* box = rig.engine.findSandbox (NodeKind::instrument, id.value);
        p.pids.push_back (box == nullptr ? 0 : box->getProcessId());
    }
    p.left = rig.renderSeconds (0.05);
    rig.engine.noteOn (synth, 57, 0.6f);
    rig.engine.noteOn (jx10, 64, 0.6f);
    rig.engine.noteOn (faulty, 60, 0.6f);
    auto held = rig.renderSeconds (0.3);
    rig.engine.noteOff (synth, 57);
    rig.engine.noteOff (jx10, 64);
    rig.engine.noteOff (faulty, 60);
    const auto tail = rig.renderSeconds (0.2);
    p.left.insert (p.left.end(), held.begin(), held.end());
    p.left.insert (p.left.end(), tail.begin(), tail.end());
    return p;
}

void checkOneProcess (const std::vector<int>& pids)
{
    REQUIRE (pids.size() >= 2);
    CHECK (pids[0] > 0);
    CHECK (pids[0] != (int) ::getpid());
    for (auto pid : pids)
        CHECK (pid == pids[0]);
}

/** Imbolc Faulty as a source that faults on note 0 (`fault`), or never (Fault::none). */
model::InstrumentId addFaulty (PluginRig& rig, Fault fault)
{
    auto source = rig.pluginSource (faultyRef());
    source.params[0].value = faultValue (fault);
    return model::InstrumentId { rig.act (model::action::AddInstrument { "faulty", source }) };
}
} // namespace

//==============================================================================
TEST_CASE ("shared sandbox: the test synth, JX10 and Faulty run in one process and give the in-process samples exactly, and one block later pipelined", "[plugins][sandbox][shared][lv2]")
{
    const auto inProcess = playThree ({});
    REQUIRE (peakOf (inProcess.left) > 0.1f);
    CHECK (inProcess.pids == std::vector<int> { 0, 0, 0 });

    const auto shared = playThree (engineOptions (sharedSandboxOptions()));
    INFO (joined (shared.warnings));
    CHECK (shared.warnings.empty());
    checkOneProcess (shared.pids);
    CHECK (sameSamples (shared.left, inProcess.left));

    const auto pipelined = playThree (engineOptions (sharedSandboxOptions (true)));
    checkOneProcess (pipelined.pids);
    CHECK (pipelined.pids[0] != shared.pids[0]); // the first engine's process ended with it
    REQUIRE (pipelined.left.size() == inProcess.left.size());
    CHECK (sameSamples (slice (pipelined.left, block, pipelined.left.size()), slice (inProcess.left, 0, inProcess.left.size() - block)));
    CHECK (peakOf (slice (pipelined.left, 0, block)) == 0.0f);

    // One sandbox per plugin, for contrast: three processes.
    const auto perPlugin = playThree (engineOptions (sandboxOptions()));
    CHECK (sameSamples (perPlugin.left, inProcess.left));
    CHECK (perPlugin.pids[0] != perPlugin.pids[1]);
    CHECK (perPlugin.pids[1] != perPlugin.pids[2]);
}

//==============================================================================
namespace
{
/** A sine (built in) playing while sandboxed plugins may crash: the left channel, rendered inline a
    block at a time with update() between blocks. With `plugins`, the test synth and JX10 (which hear
    no note, so they add exact silence) and Faulty (silent: a pass-through source) share one sandbox;
    Faulty hears three notes, then note 0 at `crashAt` blocks, which crashes (or hangs) the sandbox. */
struct CrashRun
{
    std::vector<float> left;
    std::vector<juce::String> warnings;
    std::vector<int> pidsBefore, pidsAfter, restarts;
    std::vector<std::int64_t> missed; ///< blocks each plugin's node did not get in time, over the run
    int notesBefore = -1, notesAfter = -1;
    int detectedAfterBlocks = -1;
    double detectedAfterSeconds = -1.0;
    bool stateAfterRestartByHand = false, oneProcessAfterRestartByHand = false;
};

constexpr int crashAt = 60, crashRunBlocks = 400;

CrashRun playThroughSharedDeath (bool plugins, Fault fault)
{
    auto sandbox = sharedSandboxOptions (false, 4.0);
    sandbox.maxRestarts = 3;
    PluginRig rig (nullptr, engineOptions (sandbox));
    const auto sine = rig.addInstrument (model::BuiltInSource::sine);
    std::vector<model::InstrumentId> ids;
    model::InstrumentId faulty;
    if (plugins)
    {
        ids.push_back (rig.addPluginInstrument (testSynthRef()));
        ids.push_back (rig.addPluginInstrument (lv2Ref (jx10Uri)));
        faulty = addFaulty (rig, fault);
        ids.push_back (faulty);
    }
    CrashRun run;
    auto warnings = rig.engine.takeWarnings();
    INFO (joined (warnings));
    REQUIRE (warnings.empty());
    std::vector<engine::PluginSandbox*> boxes;
    for (const auto id : ids)
    {
        boxes.push_back (rig.engine.findSandbox (NodeKind::instrument, id.value));
        REQUIRE (boxes.back() != nullptr);
        run.pidsBefore.push_back (boxes.back()->getProcessId());
    }

    std::vector<float> right;
    rig.render (8, run.left, right);
    rig.engine.noteOn (sine, 60, 0.4f);
    for (int b = 8; b < crashAt; b += 4)
    {
        if (plugins && b < 8 + 3 * 4)
            rig.engine.noteOn (faulty, 60 + b, 0.5f); // three notes Faulty counts (state, not a parameter)
        rig.render (4, run.left, right);
    }
    if (plugins)
    {
        run.notesBefore = notesHeard (boxes.back()->captureState()); // as the engine asks every 2 s
        rig.engine.noteOn (faulty, 0, 1.0f);
    }
    const auto noteSent = std::chrono::steady_clock::now();
    int blocks = crashAt;
    for (; blocks < crashRunBlocks; ++blocks)
    {
        const auto before = std::chrono::steady_clock::now();
        rig.render (1, run.left, right);
        for (auto& w : rig.engine.takeWarnings())
            warnings.push_back (w);
        if (plugins && run.detectedAfterBlocks < 0 && ! warnings.empty())
        {
            run.detectedAfterBlocks = blocks + 1 - crashAt;
            run.detectedAfterSeconds = std::chrono::duration<double> (before - noteSent).count();
        }
    }
    run.warnings = warnings;
    if (plugins)
    {
        for (auto* box : boxes)
        {
            run.pidsAfter.push_back (box->getProcessId());
            run.restarts.push_back (box->getRestartCount());
        }
        run.notesAfter = notesHeard (boxes.back()->captureState());
        for (const auto id : ids)
        {
            auto* node = dynamic_cast<engine::SandboxedPluginNode*> (rig.engine.getSourceWhileStopped (id));
            REQUIRE (node != nullptr);
            run.missed.push_back (node->getTiming().missed);
        }

        // By hand, on one of them: the whole process again, every plugin with what it has now.
        REQUIRE (rig.engine.restartPlugin (NodeKind::instrument, ids[0].value).wasOk());
        run.stateAfterRestartByHand = notesHeard (boxes.back()->captureState()) == run.notesAfter;
        run.oneProcessAfterRestartByHand = true;
        for (auto* box : boxes)
            run.oneProcessAfterRestartByHand = run.oneProcessAfterRestartByHand && box->isRunning() && box->getProcessId() == boxes[0]->getProcessId()
                                               && box->getProcessId() != run.pidsAfter[0];
        CHECK (boxes[0]->getRestartCount() == 0);
    }
    return run;
}

void checkSharedDeath (Fault fault)
{
    static const auto reference = playThroughSharedDeath (false, Fault::none);
    REQUIRE (peakOf (reference.left) > 0.1f);
    const auto run = playThroughSharedDeath (true, fault);

    // The sine, sample for sample, as if the plugins had never been there: their crash (or hang) took
    // nothing of the engine along.
    CHECK (sameSamples (run.left, reference.left));

    // One process before, all three in it; one new process after, all three in it again.
    checkOneProcess (run.pidsBefore);
    checkOneProcess (run.pidsAfter);
    CHECK (run.pidsAfter[0] != run.pidsBefore[0]);
    CHECK_FALSE (processExists (run.pidsBefore[0]));
    CHECK (run.restarts == std::vector<int> { 1, 1, 1 }); // restarted once, together

    // Each plugin named in a warning of its own.
    INFO (joined (run.warnings));
    REQUIRE (run.warnings.size() == 3);
    const char* names[] = { "Imbolc Test Synth", "MDA JX10", "Imbolc Faulty" };
    for (int i = 0; i < 3; ++i)
    {
        const auto& w = run.warnings[(std::size_t) i];
        CHECK (std::count_if (run.warnings.begin(), run.warnings.end(), [&] (const juce::String& s)
                              { return s.startsWith ("The plugin \"" + juce::String (names[i])); })
               == 1);
        CHECK (w.contains ("restart 1 of 3"));
        if (fault == Fault::crash)
            CHECK (w.contains ("the shared sandbox it runs in (with 2 other plugins) crashed (signal 11"));
        else if (w.startsWith ("The plugin \"Imbolc Faulty\""))
            CHECK (w.contains ("stopped answering for 0.5 s, so the shared sandbox it runs in was killed (with 2 other plugins)"));
        else
            CHECK (w.contains ("went silent: the shared sandbox it runs in was killed because \"Imbolc Faulty\" (instrument "));
    }

    // Faulty's state (the notes it heard) came back in the new process.
    CHECK (run.notesBefore == 3);
    CHECK (run.notesAfter == 3);
    CHECK (run.stateAfterRestartByHand);
    CHECK (run.oneProcessAfterRestartByHand);

    // A hang loses only Faulty's blocks: the others' slots have threads of their own in the process and
    // answer every block until it is killed. (A crash is seen between two blocks here, the others
    // having answered the one it died in, and all three are back before the next.)
    REQUIRE (run.missed.size() == 3);
    CHECK (run.missed[2] > 0);
    if (fault == Fault::hang)
        CHECK ((run.missed[0] == 0 && run.missed[1] == 0));

    // Noticed at once for a crash; for a hang within the hang time (0.5 s of unanswered audio, as
    // blocks, and as time on this thread, which renders as fast as it can).
    CHECK (run.detectedAfterBlocks > 0);
    if (fault == Fault::hang)
    {
        CHECK (run.detectedAfterBlocks <= (int) std::ceil (0.5 * EngineRig::sampleRate / block) + 2);
        CHECK (run.detectedAfterSeconds < 0.5 + 0.25);
    }
    else
    {
        CHECK (run.detectedAfterBlocks < 20);
    }
}
} // namespace

TEST_CASE ("shared sandbox: a crash takes every plugin in the process along, the engine plays on, and they restart once together with their states", "[plugins][sandbox][shared][crash][lv2]")
{
    checkSharedDeath (Fault::crash);
}

TEST_CASE ("shared sandbox: a plugin that hangs is noticed within the hang time and the process restarts once with every plugin's state", "[plugins][sandbox][shared][hang][lv2]")
{
    checkSharedDeath (Fault::hang);
}

TEST_CASE ("shared sandbox: after a crash every plugin in it goes silent, the built-in instrument plays on bit for bit", "[plugins][sandbox][shared][crash]")
{
    // The test synth plays beside a sine, Faulty in the same process crashes, no restart is allowed:
    // from a few blocks after the crash (the fade and the master's look-ahead) the output is exactly
    // the sine alone.
    auto render = [] (bool plugins, std::vector<juce::String>* warnings, std::vector<bool>* running)
    {
        auto sandbox = sharedSandboxOptions (false, 4.0);
        sandbox.maxRestarts = 0;
        PluginRig rig (nullptr, engineOptions (sandbox));
        const auto sine = rig.addInstrument (model::BuiltInSource::sine);
        model::InstrumentId synth, faulty;
        if (plugins)
        {
            synth = rig.addPluginInstrument (testSynthRef());
            faulty = addFaulty (rig, Fault::crash);
        }
        std::vector<float> left, right;
        rig.render (4, left, right);
        rig.engine.noteOn (sine, 67, 0.3f);
        if (plugins)
            rig.engine.noteOn (synth, 48, 0.3f);
        rig.render (crashAt - 4, left, right);
        if (plugins)
            rig.engine.noteOn (faulty, 0, 1.0f);
        rig.render (120, left, right);
        if (plugins)
        {
            *warnings = rig.engine.takeWarnings();
            for (const auto id : { synth, faulty })
                running->push_back (rig.engine.findSandbox (NodeKind::instrument, id.value)->isRunning());
        }
        return left;
    };
    const auto reference = render (false, nullptr, nullptr);
    std::vector<juce::String> warnings;
    std::vector<bool> running;
    const auto run = render (true, &warnings, &running);
    REQUIRE (run.size() == reference.size());
    const auto crash = (std::size_t) crashAt * block;
    CHECK_FALSE (sameSamples (slice (run, 0, crash), slice (reference, 0, crash))); // the synth played
    const auto after = crash + 20 * (std::size_t) block;
    CHECK (sameSamples (slice (run, after, run.size()), slice (reference, after, reference.size())));
    CHECK (running == std::vector<bool> { false, false });
    INFO (joined (warnings));
    REQUIRE (warnings.size() == 2);
    auto named = [&] (const juce::String& name)
    {
        return std::count_if (warnings.begin(), warnings.end(), [&] (const juce::String& w)
                              { return w.startsWith ("The plugin \"" + name + "\" (instrument "); });
    };
    CHECK (named ("Imbolc Test Synth") == 1);
    CHECK (named ("Imbolc Faulty") == 1);
    for (const auto& w : warnings)
    {
        CHECK (w.contains ("the shared sandbox it runs in (with 1 other plugin) crashed (signal 11"));
        CHECK (w.contains ("stays silent until it is restarted by hand"));
    }
}

//==============================================================================
TEST_CASE ("shared sandbox: plugins join and leave the running process while the others keep answering", "[plugins][sandbox][shared][lv2]")
{
    // The same edits in process and in the shared sandbox: the same samples means no block of the synth
    // was lost while JX10 and Faulty came and went (JX10 hears no note: exact silence).
    struct Edited
    {
        std::vector<float> left;
        std::vector<int> pids;
        int pidAtEnd = 0;
        bool endedWithLastPlugin = false;
        std::vector<juce::String> warnings;
    };
    auto play = [] (const engine::Engine::Options& options)
    {
        PluginRig rig (nullptr, options);
        Edited e;
        std::vector<float> right;
        const auto synth = rig.addPluginInstrument (testSynthRef());
        auto pidOf = [&] (model::InstrumentId id)
        {
            auto* box = rig.engine.findSandbox (NodeKind::instrument, id.value);
            return box == nullptr ? 0 : box->getProcessId();
        };
        e.pids.push_back (pidOf (synth));
        rig.render (4, e.left, right);
        rig.engine.noteOn (synth, 60, 0.5f);
        rig.render (20, e.left, right);
        const auto jx10 = rig.addPluginInstrument (lv2Ref (jx10Uri));
        e.pids.push_back (pidOf (jx10));
        rig.render (20, e.left, right);
        const auto faulty = addFaulty (rig, Fault::none);
        e.pids.push_back (pidOf (faulty));
        rig.engine.noteOn (synth, 67, 0.5f);
        rig.render (20, e.left, right);
        rig.act (model::action::DeleteInstrument { jx10 });
        rig.render (20, e.left, right);
        rig.engine.noteOff (synth, 60);
        rig.act (model::action::DeleteInstrument { faulty });
        rig.render (20, e.left, right);
        const auto again = rig.addPluginInstrument (lv2Ref (jx10Uri));
        e.pids.push_back (pidOf (again));
        rig.render (20, e.left, right);
        e.pids.push_back (pidOf (synth));
        e.warnings = rig.engine.takeWarnings();

        // The last plugin leaves: the process ends with it.
        e.pidAtEnd = pidOf (synth);
        rig.act (model::action::DeleteInstrument { again });
        rig.act (model::action::DeleteInstrument { synth });
        for (int i = 0; i < 200 && processExists (e.pidAtEnd); ++i)
        {
            rig.render (1, e.left, right);
            std::this_thread::sleep_for (std::chrono::milliseconds (5));
        }
        e.endedWithLastPlugin = ! processExists (e.pidAtEnd);
        return e;
    };
    const auto inProcess = play ({});
    const auto shared = play (engineOptions (sharedSandboxOptions()));
    INFO (joined (shared.warnings));
    CHECK (shared.warnings.empty());
    REQUIRE (peakOf (inProcess.left) > 0.1f);
    const auto compared = std::min (inProcess.left.size(), shared.left.size()); // the process's end takes a while
    CHECK (compared >= 124 * (std::size_t) block);
    CHECK (sameSamples (slice (shared.left, 0, compared), slice (inProcess.left, 0, compared)));
    checkOneProcess (shared.pids);
    CHECK (shared.endedWithLastPlugin);
}
