// Where plugins run as the session's choice (SessionSettings::pluginIsolation, SetPluginIsolation):
// through a real SessionHost, with Imbolc Faulty (a real VST3 built here) moved between the host's
// process and a real sandbox process (the imbolc CLI built here) while it keeps its state.

#include <imbolc_app/imbolc_app.h>
#include "imbolc_SandboxTests.h"

#include <unistd.h>

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;

TEST_CASE ("sandbox: the session's choice moves a plugin into a sandbox with its state, and undo moves it back", "[plugins][sandbox][app]")
{
    app::SessionHost::Options options;
    options.engine.pluginSandbox = sandboxOptions (false, 4.0); // the worker and deadline; the session sets the mode
    app::SessionHost host (options);
    const auto source = faultySource (host.getEngine().getNodeFactory().getPluginHost(), Fault::none);
    const auto added = host.apply (model::action::AddInstrument { "faulty", source });
    REQUIRE (added.ok());
    const auto id = model::InstrumentId { added.createdId };
    auto& engine = host.getEngine();

    // A new session runs its plugins in process.
    REQUIRE (host.getSession().settings.pluginIsolation == model::PluginIsolation::inProcess);
    CHECK (engine.findSandbox (NodeKind::instrument, id.value) == nullptr);
    REQUIRE (engine.findPlugin (NodeKind::instrument, id.value) != nullptr);
    CHECK_FALSE (host.openSandboxedEditor (NodeKind::instrument, id.value).has_value()); // a window of this process instead

    // Three notes heard in process (this thread is the audio thread).
    std::vector<float> l (512), r (512);
    float* outs[] = { l.data(), r.data() };
    for (int note : { 60, 64, 67 })
    {
        engine.noteOn (id, note, 0.8f);
        engine.process (outs, 2, 512);
        engine.noteOff (id, note);
        engine.process (outs, 2, 512);
    }
    host.tick();
    CHECK (notesHeard (engine::PluginHost::captureState (*engine.findPlugin (NodeKind::instrument, id.value))) == 3);

    // Into a sandbox: another process, the same state, and it plays there.
    REQUIRE (host.apply (model::action::SetPluginIsolation { model::PluginIsolation::perPlugin }).ok());
    auto* box = engine.findSandbox (NodeKind::instrument, id.value);
    REQUIRE (box != nullptr);
    CHECK (box->isRunning());
    CHECK (box->getProcessId() != (int) ::getpid());
    CHECK (engine.findPlugin (NodeKind::instrument, id.value) == nullptr); // no instance in this process
    {
        // Its editor is the sandbox's to open (a window of that process, where the display allows one).
        const auto opened = host.openSandboxedEditor (NodeKind::instrument, id.value);
        REQUIRE (opened.has_value());
        if (opened->wasOk())
            CHECK (box->isEditorOpen());
        else
            CHECK (opened->getErrorMessage().endsWith ("."));
        CHECK_FALSE (host.openSandboxedEditor (NodeKind::instrument, 999).has_value());
    }
    CHECK (notesHeard (box->captureState()) == 3);
    engine.noteOn (id, 72, 0.8f);
    for (int i = 0; i < 4; ++i)
    {
        engine.process (outs, 2, 512);
        host.tick();
    }
    CHECK (notesHeard (box->captureState()) == 4);

    // Undone, it comes back into this process with what it heard in the sandbox.
    REQUIRE (host.apply (model::action::Undo {}).ok());
    CHECK (host.getSession().settings.pluginIsolation == model::PluginIsolation::inProcess);
    CHECK (engine.findSandbox (NodeKind::instrument, id.value) == nullptr);
    auto* plugin = engine.findPlugin (NodeKind::instrument, id.value);
    REQUIRE (plugin != nullptr);
    CHECK (notesHeard (engine::PluginHost::captureState (*plugin)) == 4);
}

TEST_CASE ("sandbox: the session's choice of one shared sandbox runs every plugin in one process, with its state and no warning", "[plugins][sandbox][shared][app]")
{
    app::SessionHost::Options options;
    options.engine.pluginSandbox = sandboxOptions (false, 4.0);
    app::SessionHost host (options);
    std::vector<juce::String> warnings;
    host.onWarning = [&] (const juce::String& w)
    { warnings.push_back (w); };
    const auto source = faultySource (host.getEngine().getNodeFactory().getPluginHost(), Fault::none);
    const auto first = model::InstrumentId { host.apply (model::action::AddInstrument { "first", source }).createdId };
    const auto second = model::InstrumentId { host.apply (model::action::AddInstrument { "second", source }).createdId };
    auto& engine = host.getEngine();

    // Two notes heard in process by the first.
    std::vector<float> l (512), r (512);
    float* outs[] = { l.data(), r.data() };
    for (int note : { 60, 64 })
    {
        engine.noteOn (first, note, 0.8f);
        engine.process (outs, 2, 512);
        engine.noteOff (first, note);
        engine.process (outs, 2, 512);
    }
    host.tick();

    REQUIRE (host.apply (model::action::SetPluginIsolation { model::PluginIsolation::shared }).ok());
    host.tick();
    auto* a = engine.findSandbox (NodeKind::instrument, first.value);
    auto* b = engine.findSandbox (NodeKind::instrument, second.value);
    REQUIRE ((a != nullptr && b != nullptr));
    CHECK ((a->isRunning() && b->isRunning()));
    CHECK (a->getProcessId() == b->getProcessId());
    CHECK (a->getProcessId() != (int) ::getpid());
    CHECK (a->getSlot() != b->getSlot());
    CHECK (notesHeard (a->captureState()) == 2);
    CHECK (notesHeard (b->captureState()) == 0);
    CHECK (warnings.empty()); // a choice like the others, no "not built" fallback

    // Back to one sandbox each: two processes, the states along.
    REQUIRE (host.apply (model::action::SetPluginIsolation { model::PluginIsolation::perPlugin }).ok());
    a = engine.findSandbox (NodeKind::instrument, first.value);
    b = engine.findSandbox (NodeKind::instrument, second.value);
    REQUIRE ((a != nullptr && b != nullptr));
    CHECK (a->getProcessId() != b->getProcessId());
    CHECK (notesHeard (a->captureState()) == 2);
}
