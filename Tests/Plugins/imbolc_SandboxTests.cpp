// Plugins in sandbox processes (engine::PluginSandbox, SandboxedPluginNode, `imbolc plugin-sandbox`):
// the same samples as in process, the one-block pipeline, and a real crash and a real hang (Imbolc
// Faulty, built in Tests/Plugins) as an instrument's source and as a stage while a song plays on a
// real audio thread.

#include "imbolc_NetTestSupport.h"
#include <imbolc_app/imbolc_app.h>
#include "imbolc_SandboxTests.h"

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;

namespace
{
constexpr int block = EngineRig::blockSize;

/** One instrument playing `ref` (a plugin source): 50 ms of silence, a chord held 0.3 s, 0.2 s of release. */
std::vector<float> playPlugin (const engine::Engine::Options& options, const model::PluginRef& ref, std::vector<juce::String>* warnings = nullptr)
{
    PluginRig rig (nullptr, options);
    const auto id = rig.addPluginInstrument (ref);
    auto w = rig.engine.takeWarnings();
    if (warnings != nullptr)
        *warnings = w;
    rig.renderSeconds (0.05);
    rig.engine.noteOn (id, 57, 0.8f);
    rig.engine.noteOn (id, 64, 0.6f);
    auto out = rig.renderSeconds (0.3);
    rig.engine.noteOff (id, 57);
    rig.engine.noteOff (id, 64);
    const auto tail = rig.renderSeconds (0.2);
    out.insert (out.end(), tail.begin(), tail.end());
    return out;
}

//==============================================================================
/** Where the misbehaving plugin goes in a session with two internal instruments playing. */
enum class Placement
{
    none,
    source,
    stage
};

struct SessionRun
{
    std::vector<float> left, right;
    std::vector<juce::String> warnings;
    std::vector<std::uint8_t> projectBefore, projectAfter;
    bool stillRunning = true;
    int restarts = 0;
};

constexpr int sessionBlocks = 2400; // 12.8 s at most: a death, a restart, a second death and giving up take 2 to 3

SessionRun playSession (Placement placement, Fault fault)
{
    auto sandbox = sandboxOptions (false, 4.0); // a missed block holds the audio thread up 21 ms at most
    sandbox.maxRestarts = 1;
    PluginRig rig (nullptr, engineOptions (sandbox));
    const auto sine = rig.addInstrument (model::BuiltInSource::sine);
    const auto saw = rig.addInstrument (model::BuiltInSource::saw, { EngineRig::effect (model::EffectType::gain) });
    model::InstrumentId bad;
    if (placement != Placement::none)
    {
        const float faultParams[] = { faultValue (fault), 40.0f / 1000.0f }; // after 40 blocks
        if (placement == Placement::source)
        {
            auto source = rig.pluginSource (faultyRef());
            for (int i = 0; i < 2; ++i)
                source.params[(std::size_t) i].value = faultParams[i];
            bad = model::InstrumentId { rig.act (model::action::AddInstrument { "faulty", source }) };
        }
        else
        {
            // A stage on an instrument that plays no note: its input is silence, and so its output.
            auto stage = rig.pluginStage (faultyRef());
            for (int i = 0; i < 2; ++i)
                stage.params[(std::size_t) i].value = faultParams[i];
            bad = rig.addInstrument (model::BuiltInSource::triangle, { stage });
        }
    }
    SessionRun run;
    run.warnings = rig.engine.takeWarnings();
    REQUIRE (run.warnings.empty());
    run.projectBefore = protocol::encodeProject (rig.session);
    auto* box = placement == Placement::none ? nullptr : rig.engine.findSandbox (NodeKind::instrument, bad.value, placement == Placement::stage ? rig.session.instruments.find (bad)->chain[0].id : model::StageId {});
    REQUIRE ((placement == Placement::none || box != nullptr));

    {
        AudioThread audio (rig.engine, block, sessionBlocks);
        audio.render (8);
        rig.engine.noteOn (sine, 60, 0.7f);
        rig.engine.noteOn (saw, 43, 0.5f);
        // Paced like a device (8 blocks, 43 ms, every 40 ms or so) so the message thread supervises
        // while the song plays, as it would.
        // The reference (no bad plugin) renders every block as fast as it can; the run with the bad
        // plugin until it has been given up, and 40 blocks more.
        int stopAt = sessionBlocks;
        for (int done = 8; done < stopAt; done += 8)
        {
            if (done == 400)
                rig.engine.noteOff (sine, 60);
            audio.render (8);
            if (box == nullptr)
                continue;
            std::this_thread::sleep_for (std::chrono::milliseconds (35));
            if (stopAt == sessionBlocks && ! box->isRunning() && box->getRestartCount() == 1 && done >= 400)
                stopAt = done + 48;
        }
        audio.stop();
        const auto rendered = (std::size_t) audio.blocksRendered() * block;
        run.left.assign (audio.getLeft().begin(), audio.getLeft().begin() + (std::ptrdiff_t) rendered);
        run.right.assign (audio.getRight().begin(), audio.getRight().begin() + (std::ptrdiff_t) rendered);
    }
    // Give a death the audio thread saw last a moment to be noticed.
    for (int i = 0; i < 20; ++i)
    {
        rig.engine.update();
        std::this_thread::sleep_for (std::chrono::milliseconds (20));
    }
    run.warnings = rig.engine.takeWarnings();
    run.projectAfter = protocol::encodeProject (rig.session);
    if (box != nullptr)
    {
        run.stillRunning = box->isRunning();
        run.restarts = box->getRestartCount();
    }
    return run;
}

const SessionRun& referenceRun()
{
    static const SessionRun reference = playSession (Placement::none, Fault::none);
    return reference;
}

void checkSurvived (Placement placement, Fault fault)
{
    const auto& reference = referenceRun();
    REQUIRE (peakOf (reference.left) > 0.05f);
    const auto run = playSession (placement, fault);

    // The other instruments' output, sample for sample, as if the bad plugin had never been there
    // (the reference's first blocks, as many as this run played).
    REQUIRE (run.left.size() < reference.left.size());
    CHECK (run.left.size() > 400 * (std::size_t) block);
    CHECK (sameSamples (run.left, std::vector<float> (reference.left.begin(), reference.left.begin() + (std::ptrdiff_t) run.left.size())));
    CHECK (sameSamples (run.right, std::vector<float> (reference.right.begin(), reference.right.begin() + (std::ptrdiff_t) run.right.size())));
    // Died, restarted once from its state, died again, given up: one warning each time, naming it.
    INFO (juce::StringArray (run.warnings.data(), (int) run.warnings.size()).joinIntoString ("\n"));
    REQUIRE (run.warnings.size() == 2);
    const auto how = fault == Fault::crash ? juce::String ("crashed (signal 11") : juce::String ("stopped answering for 0.5 s");
    for (const auto& w : run.warnings)
    {
        CHECK (w.startsWith ("The plugin \"Imbolc Faulty\" ("));
        CHECK (w.contains (how));
    }
    CHECK (run.warnings[0].contains ("restart 1 of 1"));
    CHECK (run.warnings[1].contains ("stays silent until it is restarted by hand"));
    CHECK_FALSE (run.stillRunning);
    // The session is what it was: nothing was changed or lost for the crash.
    CHECK (run.projectAfter == run.projectBefore);
}
} // namespace

//==============================================================================
TEST_CASE ("sandbox: the VST3 test synth in a sandbox gives the in-process samples exactly, and one block later pipelined", "[plugins][sandbox]")
{
    std::vector<juce::String> warnings;
    const auto inProcess = playPlugin ({}, testSynthRef());
    const auto sandboxed = playPlugin (engineOptions (sandboxOptions()), testSynthRef(), &warnings);
    CHECK (warnings.empty());
    REQUIRE (peakOf (inProcess) > 0.1f);
    CHECK (sameSamples (sandboxed, inProcess));

    PluginRig pipelinedRig (nullptr, engineOptions (sandboxOptions (true)));
    pipelinedRig.addPluginInstrument (testSynthRef());
    CHECK (pipelinedRig.engine.getOutputLatencySamples() == block); // delay compensation is told
    const auto pipelined = playPlugin (engineOptions (sandboxOptions (true)), testSynthRef());
    REQUIRE (pipelined.size() == inProcess.size());
    const std::vector<float> shifted (pipelined.begin() + block, pipelined.end());
    const std::vector<float> expected (inProcess.begin(), inProcess.end() - block);
    CHECK (sameSamples (shifted, expected));
    CHECK (peakOf (std::vector<float> (pipelined.begin(), pipelined.begin() + block)) == 0.0f);
}

TEST_CASE ("sandbox: mda JX10 (LV2) in a sandbox gives the in-process samples exactly, and one block later pipelined", "[plugins][sandbox][lv2]")
{
    const auto inProcess = playPlugin ({}, lv2Ref (jx10Uri));
    const auto sandboxed = playPlugin (engineOptions (sandboxOptions()), lv2Ref (jx10Uri));
    REQUIRE (peakOf (inProcess) > 0.05f);
    CHECK (sameSamples (sandboxed, inProcess));
    const auto pipelined = playPlugin (engineOptions (sandboxOptions (true)), lv2Ref (jx10Uri));
    const std::vector<float> shifted (pipelined.begin() + block, pipelined.end());
    const std::vector<float> expected (inProcess.begin(), inProcess.end() - block);
    CHECK (sameSamples (shifted, expected));
}

TEST_CASE ("sandbox: a plugin that crashes while the song plays, as a source, takes nothing else with it", "[plugins][sandbox][crash]")
{
    checkSurvived (Placement::source, Fault::crash);
}

TEST_CASE ("sandbox: a plugin that crashes while the song plays, as a stage, takes nothing else with it", "[plugins][sandbox][crash]")
{
    checkSurvived (Placement::stage, Fault::crash);
}

TEST_CASE ("sandbox: a plugin that hangs while the song plays, as a source, is killed and takes nothing else with it", "[plugins][sandbox][hang]")
{
    checkSurvived (Placement::source, Fault::hang);
}

TEST_CASE ("sandbox: a plugin that hangs while the song plays, as a stage, is killed and takes nothing else with it", "[plugins][sandbox][hang]")
{
    checkSurvived (Placement::stage, Fault::hang);
}

TEST_CASE ("sandbox: a restart, automatic or by hand, brings the plugin back with its last captured state", "[plugins][sandbox][restart]")
{
    PluginRig rig (nullptr, engineOptions (sandboxOptions()));
    auto source = rig.pluginSource (faultyRef());
    source.params[0].value = faultValue (Fault::crash); // on note 0 only
    const auto id = model::InstrumentId { rig.act (model::action::AddInstrument { "faulty", source }) };
    auto* box = rig.engine.findSandbox (NodeKind::instrument, id.value);
    REQUIRE (box != nullptr);
    REQUIRE (box->isRunning());
    const auto firstProcess = box->getProcessId();

    // The plugin counts the notes it hears: state that is not a parameter.
    for (int note : { 60, 62, 64 })
    {
        rig.engine.noteOn (id, note, 0.5f);
        rig.renderSeconds (0.02);
        rig.engine.noteOff (id, note);
    }
    rig.renderSeconds (0.02);
    const auto state = box->captureState(); // what the engine asks every few seconds
    CHECK (notesHeard (state) == 3);

    // Note 0 crashes it; the audio thread goes silent, update() notices, warns and restarts.
    rig.engine.noteOn (id, 0, 0.5f);
    for (int i = 0; i < 200 && box->getRestartCount() == 0; ++i)
    {
        rig.renderSeconds (0.01);
        std::this_thread::sleep_for (std::chrono::milliseconds (5));
    }
    const auto warnings = rig.engine.takeWarnings();
    REQUIRE (warnings.size() == 1);
    CHECK (warnings[0].contains ("crashed (signal 11"));
    CHECK (warnings[0].contains ("restart 1 of 3"));
    REQUIRE (box->isRunning());
    CHECK (box->getProcessId() != firstProcess);
    CHECK (box->captureState() == state); // read back from the new process
    CHECK (notesHeard (box->captureState()) == 3);

    // By hand: another process, the same state, and it plays again.
    const auto secondProcess = box->getProcessId();
    REQUIRE (rig.engine.restartPlugin (NodeKind::instrument, id.value).wasOk());
    CHECK (box->getProcessId() != secondProcess);
    CHECK (box->getRestartCount() == 0);
    CHECK (box->captureState() == state);
    CHECK_FALSE (rig.engine.restartPlugin (NodeKind::instrument, 999).wasOk());
}

TEST_CASE ("sandbox: a plugin that cannot be found in a sandbox warns once and leaves the source silent", "[plugins][sandbox]")
{
    PluginRig rig (nullptr, engineOptions (sandboxOptions()));
    model::Source source;
    source.kind = model::SourceKind::plugin;
    source.plugin = faultyRef();
    source.plugin.identifier = "/nowhere/Missing.vst3";
    rig.act (model::action::AddInstrument { "missing", source });
    const auto warnings = rig.engine.takeWarnings();
    REQUIRE (warnings.size() == 1);
    CHECK (warnings[0].contains ("Missing.vst3"));
    CHECK (warnings[0].endsWith ("stays silent."));
}

TEST_CASE ("sandbox: malformed control messages and shared blocks are refused with one sentence", "[plugins][sandbox][validation]")
{
    namespace sb = engine::sandbox;

    SECTION ("frames from the socket")
    {
        // A malformed frame is the end of a stream (the reader cannot find the next one): one socket each.
        auto check = [&] (std::vector<std::uint8_t> bytes, const char* expected)
        {
            int each[2];
            REQUIRE (::socketpair (AF_UNIX, SOCK_STREAM, 0, each) == 0);
            REQUIRE (::write (each[0], bytes.data(), bytes.size()) == (ssize_t) bytes.size());
            sb::Frame frame;
            juce::String error;
            CHECK (sb::readFrame (each[1], frame, 1000, error) == sb::ReadResult::malformed);
            CHECK (error.contains (expected));
            CHECK (error.endsWith ("."));
            CHECK_FALSE (error.trimCharactersAtEnd (".").contains ("."));
            ::close (each[0]);
            ::close (each[1]);
        };
        auto header = [] (std::uint32_t magic, std::uint16_t version, std::uint16_t type, std::uint32_t length)
        {
            std::vector<std::uint8_t> b (20);
            juce::MemoryOutputStream out; // little-endian, as the wire is
            out.writeInt ((int) magic);
            out.writeShort ((short) version);
            out.writeShort ((short) type);
            out.writeInt (1); // id
            out.writeInt (3); // slot
            out.writeInt ((int) length);
            std::memcpy (b.data(), out.getData(), 20);
            return b;
        };
        check (header (0xdeadbeef, sb::controlVersion, 1, 0), "magic number");
        check (header (sb::controlMagic, 7, 1, 0), "version 7");
        check (header (sb::controlMagic, 1, 1, 0), "version 1, not 2"); // the one-plugin protocol before slots
        check (header (sb::controlMagic, sb::controlVersion, 55, 0), "unknown type 55");
        check (header (sb::controlMagic, sb::controlVersion, 1, 0x7fffffff), "more than the limit");

        // Nonsense shorter than a header is named by its first four bytes, without waiting for more.
        check ({ 'n', 'o', 'p', 'e', '!' }, "magic number");

        // A well-formed frame: its slot and the descriptor sent along arrive with it.
        int pair[2];
        REQUIRE (::socketpair (AF_UNIX, SOCK_STREAM, 0, pair) == 0);
        int pipeFds[2];
        REQUIRE (::pipe (pipeFds) == 0);
        sb::Frame out;
        out.type = sb::MessageType::load;
        out.id = 9;
        out.slot = 4;
        out.payload.append ("abc", 3);
        out.fds.push_back (pipeFds[0]);
        REQUIRE (sb::writeFrame (pair[0], out));
        sb::Frame in;
        juce::String error;
        REQUIRE (sb::readFrame (pair[1], in, 1000, error) == sb::ReadResult::ok);
        CHECK (in.slot == 4);
        CHECK (in.id == 9);
        CHECK (in.payload == out.payload);
        REQUIRE (in.fds.size() == 1);
        CHECK (in.fds[0] != pipeFds[0]); // a descriptor of its own for the same pipe
        REQUIRE (::write (pipeFds[1], "x", 1) == 1);
        char c = 0;
        CHECK (::read (in.fds[0], &c, 1) == 1);
        CHECK (c == 'x');
        sb::closeDescriptors (in);
        CHECK (in.fds.empty());
        ::close (pipeFds[0]);
        ::close (pipeFds[1]);
        ::close (pair[0]);
        ::close (pair[1]);
    }

    SECTION ("a sandbox that speaks nonsense does not start")
    {
        auto options = sandboxOptions();
        options.workerCommand = { "/bin/sh", "-c", "printf 'not a frame at all' >&3; sleep 5", "sandbox" };
        engine::PluginSandbox box (options, testSynthRef(), 2, true, "instrument 1 (\"x\")");
        juce::String error;
        CHECK_FALSE (box.start (48000.0, 256, error));
        CHECK (error == "The plugin \"" + juce::String (IMBOLC_TEST_SYNTH_VST3) + "\" could not be loaded in its sandbox (A plugin sandbox control message does not start with Imbolc's magic number).");
        CHECK_FALSE (box.isRunning());
    }

    SECTION ("requests with bad payloads, and blocks with bad counts")
    {
        PluginRig rig (nullptr, engineOptions (sandboxOptions()));
        const auto id = rig.addPluginInstrument (testSynthRef());
        auto* box = rig.engine.findSandbox (NodeKind::instrument, id.value);
        REQUIRE (box != nullptr);

        sb::Frame request, reply;
        request.type = sb::MessageType::load;
        request.id = 77;
        request.slot = box->getSlot() + 100; // a slot it does not have yet
        request.payload.append ("\x01\xff\xff", 3); // a format, then a string length past the end
        juce::String error;
        REQUIRE (box->requestForTest (request, reply, error));
        CHECK (reply.type == sb::MessageType::reply);
        CHECK (reply.id == 77);
        CHECK (reply.slot == request.slot);
        sb::PayloadReader r (reply.payload);
        std::uint8_t ok = 1;
        juce::String sentence;
        CHECK ((r.u8 (ok) && r.text (sentence)));
        CHECK (ok == 0);
        CHECK (sentence == "The request to load a plugin is malformed.");

        // The shared block: the engine's audio side is not running here, so the test writes a request
        // itself, with a sample count far past the block the sandbox was prepared for.
        auto& shared = box->getShared();
        REQUIRE (box->beginAudio());
        shared.numSamples = 100000;
        shared.numMidi = 0;
        shared.numParams = 0;
        const auto seq = shared.request.load() + 1;
        shared.request.store (seq);
        sb::futexWake (shared.request);
        for (int i = 0; i < 500 && shared.reply.load() != seq; ++i)
            std::this_thread::sleep_for (std::chrono::milliseconds (2));
        CHECK (shared.reply.load() == seq);
        CHECK (shared.replySamples == 0);
        INFO ("reply samples " << shared.replySamples << ", rejected " << shared.rejected.load());
        CHECK (shared.rejected.load() == 1);
        shared.numSamples = 64;
        shared.numMidi = 3;
        shared.midi[1].size = 200;
        shared.request.store (seq + 1);
        sb::futexWake (shared.request);
        for (int i = 0; i < 500 && shared.reply.load() != seq + 1; ++i)
            std::this_thread::sleep_for (std::chrono::milliseconds (2));
        CHECK (shared.replySamples == 0);
        box->endAudio();

        std::vector<juce::String> warnings;
        for (int i = 0; i < 100 && warnings.empty(); ++i)
        {
            std::this_thread::sleep_for (std::chrono::milliseconds (20));
            rig.engine.update();
            warnings = rig.engine.takeWarnings();
        }
        REQUIRE (! warnings.empty());
        CHECK (warnings[0].startsWith ("The plugin \"Imbolc Test Synth\" (instrument "));
        CHECK (warnings[0].contains ("the sandbox refused a block whose"));
        CHECK (box->isRunning()); // refused, not dead
    }
}

TEST_CASE ("sandbox: requests for slots it does not have, and loads without exactly one good shared block, are refused with one sentence", "[plugins][sandbox][shared][validation]")
{
    namespace sb = engine::sandbox;
    PluginRig rig (nullptr, engineOptions (sharedSandboxOptions()));
    const auto id = rig.addPluginInstrument (testSynthRef());
    auto* box = rig.engine.findSandbox (NodeKind::instrument, id.value);
    REQUIRE (box != nullptr);
    REQUIRE (box->isRunning());
    const auto pid = box->getProcessId();
    const auto freeSlot = box->getSlot() + 500;

    // Answered with ok 0 and one sentence, for the slot asked about.
    std::uint32_t nextId = 1000;
    auto refused = [&] (sb::MessageType type, std::uint32_t slot, juce::MemoryBlock payload, std::vector<int> fds)
    {
        sb::Frame request, reply;
        request.type = type;
        request.id = ++nextId;
        request.slot = slot;
        request.payload = std::move (payload);
        request.fds = std::move (fds);
        juce::String error;
        REQUIRE (box->requestForTest (request, reply, error));
        CHECK (reply.type == sb::MessageType::reply);
        CHECK (reply.id == request.id);
        CHECK (reply.slot == slot);
        CHECK (reply.fds.empty());
        sb::PayloadReader r (reply.payload);
        std::uint8_t ok = 1;
        juce::String sentence;
        CHECK ((r.u8 (ok) && r.text (sentence)));
        CHECK (ok == 0);
        CHECK (sentence.endsWith ("."));
        return sentence.toStdString();
    };
    auto loadPayload = []
    {
        sb::PayloadWriter w;
        w.u8 ((std::uint8_t) model::PluginFormat::vst3);
        w.text (IMBOLC_TEST_SYNTH_VST3);
        w.bytes (nullptr, 0);
        w.u32 (2);
        w.u8 (1);
        w.f64 (48000.0);
        w.u32 (256);
        return w.take();
    };

    CHECK (refused (sb::MessageType::getState, freeSlot, {}, {}) == "This sandbox has no plugin in slot " + std::to_string (freeSlot) + ".");
    CHECK (refused (sb::MessageType::prepare, 0, {}, {}) == "This sandbox has no plugin in slot 0.");
    CHECK (refused (sb::MessageType::unload, freeSlot, {}, {}) == "This sandbox has no plugin in slot " + std::to_string (freeSlot) + ".");
    CHECK (refused (sb::MessageType::quit, box->getSlot(), {}, {}) == "A request to quit is for the whole sandbox, slot 0, not slot " + std::to_string (box->getSlot()) + ".");
    CHECK (refused (sb::MessageType::load, 0, loadPayload(), {}) == "A plugin cannot be loaded into slot 0, which stands for the whole sandbox.");

    sb::SharedMemory good, other, wrongSlot;
    juce::String error;
    REQUIRE (good.create (freeSlot, error));
    REQUIRE (other.create (freeSlot, error));
    REQUIRE (wrongSlot.create (freeSlot + 1, error));
    CHECK (refused (sb::MessageType::load, box->getSlot(), loadPayload(), { good.fd }) == "Slot " + std::to_string (box->getSlot()) + " of this sandbox already has a plugin loaded.");
    CHECK (refused (sb::MessageType::load, freeSlot, loadPayload(), {}) == "The request to load a plugin must carry exactly one descriptor (its shared block), not 0.");
    CHECK (refused (sb::MessageType::load, freeSlot, loadPayload(), { good.fd, other.fd }) == "The request to load a plugin must carry exactly one descriptor (its shared block), not 2.");
    int pipeFds[2];
    REQUIRE (::pipe (pipeFds) == 0);
    CHECK (refused (sb::MessageType::load, freeSlot, loadPayload(), { pipeFds[0] }) == "The shared block sent with the request to load a plugin is not " + std::to_string (sizeof (sb::SharedBlock)) + " bytes of shared memory.");
    ::close (pipeFds[0]);
    ::close (pipeFds[1]);
    CHECK (refused (sb::MessageType::load, freeSlot, loadPayload(), { wrongSlot.fd }) == "The shared block sent with the request to load a plugin is not a version 2 Imbolc sandbox block for slot " + std::to_string (freeSlot) + ".");
    good.block->version = 1;
    CHECK (refused (sb::MessageType::load, freeSlot, loadPayload(), { good.fd }) == "The shared block sent with the request to load a plugin is not a version 2 Imbolc sandbox block for slot " + std::to_string (freeSlot) + ".");
    CHECK (refused (sb::MessageType::getState, box->getSlot(), {}, { other.fd }) == "Only a request to load a plugin carries a descriptor; this one carries 1.");
    CHECK (refused (sb::MessageType::load, freeSlot, {}, { other.fd }) == "The request to load a plugin is malformed.");

    // Refused, not dead: the plugin in it still answers, from the same process.
    CHECK (box->isRunning());
    CHECK (box->getProcessId() == pid);
    CHECK_FALSE (box->captureState().empty());
    rig.renderSeconds (0.05);
    rig.engine.update();
    CHECK (rig.engine.takeWarnings().empty());
    CHECK (box->getProcessId() == pid);
}

TEST_CASE ("sandbox: the editor opens in the sandbox's own window, closes, and a sandbox without a display says so", "[plugins][sandbox][editor]")
{
    SECTION ("no display")
    {
        const ScopedEnvironment noDisplay ("DISPLAY", nullptr);
        const ScopedEnvironment noWayland ("WAYLAND_DISPLAY", nullptr);
        PluginRig rig (nullptr, engineOptions (sandboxOptions()));
        const auto id = rig.addPluginInstrument (faultyRef());
        const auto result = rig.engine.openPluginEditor (NodeKind::instrument, id.value);
        CHECK (result.failed());
        CHECK (result.getErrorMessage() == "The plugin sandbox has no display (DISPLAY is not set), so it cannot show the editor of \"Imbolc Faulty\".");
        CHECK (rig.engine.openPluginEditor (NodeKind::instrument, 12345).failed());
    }

    SECTION ("on a display (Xvfb with openbox)")
    {
        // A display of the sandbox's own, with a window manager as a desktop has (JUCE's windows need
        // its atoms); both are this test's children and killed at its end.
        // A display number no other server holds (its lock file is how X servers claim one).
        int free = 70 + (int) (::getpid() % 100);
        while (juce::File ("/tmp/.X" + juce::String (free) + "-lock").exists() || juce::File ("/tmp/.X11-unix/X" + juce::String (free)).exists())
            ++free;
        const auto number = juce::String (free);
        const auto display = ":" + number;
        juce::ChildProcess server, windowManager;
        struct KillAtEnd // after the sandbox (declared later, so gone first) let go of the display
        {
            juce::ChildProcess& a;
            juce::ChildProcess& b;
            ~KillAtEnd()
            {
                b.kill();
                a.kill();
            }
        } killAtEnd { server, windowManager };
        REQUIRE (server.start (juce::StringArray { "Xvfb", display, "-nolisten", "tcp", "-screen", "0", "1024x768x24" }, 0));
        const juce::File socket ("/tmp/.X11-unix/X" + number);
        for (int i = 0; i < 200 && ! socket.exists(); ++i)
            std::this_thread::sleep_for (std::chrono::milliseconds (25));
        REQUIRE (server.isRunning());
        const ScopedEnvironment onDisplay ("DISPLAY", display.toRawUTF8());
        REQUIRE (windowManager.start (juce::StringArray { "openbox", "--sm-disable" }, 0));
        bool managed = false;
        for (int i = 0; i < 200 && ! managed; ++i)
        {
            juce::ChildProcess probe;
            managed = probe.start (juce::StringArray { "xprop", "-root", "_NET_SUPPORTING_WM_CHECK" }) && probe.readAllProcessOutput().contains ("window id");
            if (! managed)
                std::this_thread::sleep_for (std::chrono::milliseconds (25));
        }
        REQUIRE (managed);

        {
            PluginRig rig (nullptr, engineOptions (sandboxOptions()));
            const auto id = rig.addPluginInstrument (faultyRef());
            auto* box = rig.engine.findSandbox (NodeKind::instrument, id.value);
            REQUIRE (box != nullptr);
            const auto opened = rig.engine.openPluginEditor (NodeKind::instrument, id.value);
            INFO (opened.getErrorMessage());
            CHECK (opened.wasOk());
            CHECK (box->isEditorOpen());
            // The sandbox still plays while its editor is open.
            rig.renderSeconds (0.05);
            CHECK (box->isRunning());
            CHECK (rig.engine.closePluginEditor (NodeKind::instrument, id.value).wasOk());
            CHECK_FALSE (box->isEditorOpen());
            CHECK (box->isRunning());
        }

        // In the shared sandbox: two plugins' editors, windows of the one process, each opened and
        // closed on its own.
        PluginRig rig (nullptr, engineOptions (sharedSandboxOptions()));
        const auto first = rig.addPluginInstrument (faultyRef());
        const auto second = rig.addPluginInstrument (faultyRef());
        auto* a = rig.engine.findSandbox (NodeKind::instrument, first.value);
        auto* b = rig.engine.findSandbox (NodeKind::instrument, second.value);
        REQUIRE ((a != nullptr && b != nullptr));
        CHECK (a->getProcessId() == b->getProcessId());
        const auto openedA = rig.engine.openPluginEditor (NodeKind::instrument, first.value);
        const auto openedB = rig.engine.openPluginEditor (NodeKind::instrument, second.value);
        INFO (openedA.getErrorMessage() << " / " << openedB.getErrorMessage());
        CHECK (openedA.wasOk());
        CHECK (openedB.wasOk());
        CHECK ((a->isEditorOpen() && b->isEditorOpen()));
        rig.renderSeconds (0.05);
        CHECK (rig.engine.closePluginEditor (NodeKind::instrument, first.value).wasOk());
        CHECK_FALSE (a->isEditorOpen());
        CHECK (b->isEditorOpen());
        rig.renderSeconds (0.05);
        CHECK ((a->isRunning() && b->isRunning()));
        CHECK (rig.engine.takeWarnings().empty());
        CHECK (rig.engine.closePluginEditor (NodeKind::instrument, second.value).wasOk());
        CHECK_FALSE (b->isEditorOpen());
    }
}

TEST_CASE ("sandbox: a network seat hears that a sandboxed plugin crashed on the host", "[plugins][sandbox][net]")
{
    app::SessionHost::Options options;
    options.engine.pluginSandbox = sandboxOptions (false, 4.0);
    app::SessionHost host (options);
    const auto source = faultySource (host.getEngine().getNodeFactory().getPluginHost(), Fault::crash); // on note 0
    // Where plugins run is the session's choice (the engine options only set the sandbox's deadline):
    // without it this plugin would load in process, and note 0 would end this test's process.
    REQUIRE (host.apply (model::action::SetPluginIsolation { model::PluginIsolation::perPlugin }).ok());
    const auto added = host.apply (model::action::AddInstrument { "faulty", source });
    REQUIRE (added.ok());
    const auto id = model::InstrumentId { added.createdId };
    REQUIRE (host.getEngine().findSandbox (NodeKind::instrument, id.value) != nullptr);
    REQUIRE (host.startHosting (test::fastServerOptions()).wasOk());

    app::RemoteSession remote (test::clientOptions (host.getServer()->getPort(), "listener"));
    std::vector<juce::String> seatWarnings, hostWarnings;
    remote.onWarning = [&] (const juce::String& w)
    { seatWarnings.push_back (w); };
    host.onWarning = [&] (const juce::String& w)
    { hostWarnings.push_back (w); };
    std::atomic<bool> connected { false };
    juce::Result joined = juce::Result::ok();
    std::thread joining ([&]
                         {
                             joined = remote.connect (5000);
                             connected = true; });
    while (! connected)
        host.tick (5);
    joining.join();
    REQUIRE (joined.wasOk());

    // The host's audio thread is this one: note 0 crashes the plugin's sandbox.
    std::vector<float> l (512), r (512);
    float* outs[] = { l.data(), r.data() };
    host.getEngine().noteOn (id, 0, 1.0f);
    REQUIRE (test::eventually ([&]
                               {
                                   host.getEngine().process (outs, 2, 512);
                                   host.tick (2);
                                   remote.tick();
                                   return ! seatWarnings.empty(); },
                               10000));
    REQUIRE (hostWarnings.size() == 1);
    CHECK (hostWarnings[0].startsWith ("The plugin \"Imbolc Faulty\" (instrument "));
    CHECK (hostWarnings[0].contains ("crashed (signal 11"));
    REQUIRE (seatWarnings.size() == 1);
    CHECK (seatWarnings[0] == "On the host: " + hostWarnings[0]);
    remote.disconnect();
}
