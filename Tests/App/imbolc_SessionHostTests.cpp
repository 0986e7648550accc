// The application core: one SessionHost for local and network edits, the same interface over a joined
// seat, saving and autosave, and the hosted audio output a plugin drives. Real sockets on loopback, real
// files in a temporary folder, the real engine.

#include "imbolc_NetTestSupport.h"
#include "imbolc_RealtimeHarness.h"

#include <imbolc_app/imbolc_app.h>

#include <future>

using namespace imbolc;

namespace
{
struct ChangeRecorder final : app::SessionAccess::Listener
{
    std::vector<app::SessionChange> changes;
    void sessionChanged (const app::SessionChange& c) override { changes.push_back (c); }

    bool sawInstrument (model::InstrumentId id) const
    {
        return std::any_of (changes.begin(), changes.end(), [id] (const auto& c)
                            { return c.touchesInstrument (id); });
    }
    bool sawSettings() const
    {
        return std::any_of (changes.begin(), changes.end(), [] (const auto& c)
                            { return c.items.settings; });
    }
};

/** Two instruments, each with a low-pass filter: the edits below move their cutoffs. */
model::Session twoInstruments()
{
    model::Session session;
    model::UndoHistory scratch;
    model::Dispatcher dispatcher (session, scratch);
    for (const auto* name : { "one", "two" })
    {
        model::Source source;
        source.builtIn = model::BuiltInSource::saw;
        model::Stage filter;
        filter.kind = model::StageKind::filter;
        REQUIRE (dispatcher.apply (model::action::AddInstrument { name, source, model::Backend::internal, { filter } }).ok());
    }
    return session;
}

model::ParamAddress cutoffOf (const model::Session& session, std::size_t index)
{
    const auto& inst = *std::next (session.instruments.begin(), (std::ptrdiff_t) index);
    return model::ParamAddress::stage (model::NodeKind::instrument, inst.id.value, inst.chain.at (0).id, 0);
}

float valueOf (const model::Session& session, const model::ParamAddress& p)
{
    const auto* inst = session.instruments.find (model::InstrumentId { p.nodeId });
    REQUIRE (inst != nullptr);
    return inst->chain.at (0).params.at (p.index).value;
}

/** Connects a client while the test's thread keeps the host's loop going (the host owns the session). */
void connect (net::SessionClient& client, app::SessionHost& host)
{
    auto pending = std::async (std::launch::async, [&]
                               { return client.connect (5000); });
    while (pending.wait_for (std::chrono::milliseconds (0)) != std::future_status::ready)
        host.tick (5);
    const auto result = pending.get();
    INFO (result.getErrorMessage());
    REQUIRE (result.wasOk());
}

bool until (app::SessionAccess& access, const std::function<bool()>& condition, int timeoutMs = 5000)
{
    return test::eventually ([&]
                             {
                                 access.tick (2);
                                 return condition(); },
                             timeoutMs);
}

/** Lets the engine take its commands: one block rendered on this thread, which is the audio thread here. */
void renderOneBlock (engine::Engine& engine)
{
    engine.update();
    std::vector<float> l (512), r (512);
    float* outs[] = { l.data(), r.data() };
    engine.process (outs, 2, 512);
}
} // namespace

TEST_CASE ("One SessionHost applies local edits and two seats' edits through one path, each seat with its own undo", "[app][net]")
{
    app::SessionHost host;
    host.setSession (twoInstruments());
    ChangeRecorder recorder;
    host.addListener (&recorder);

    const auto cutoffOne = cutoffOf (host.getSession(), 0);
    const auto cutoffTwo = cutoffOf (host.getSession(), 1);
    const auto originalOne = valueOf (host.getSession(), cutoffOne);
    const auto originalTwo = valueOf (host.getSession(), cutoffTwo);

    REQUIRE (host.startHosting (test::fastServerOptions()).wasOk());
    const int port = host.getServer()->getPort();
    auto optionsA = test::clientOptions (port, "A");
    optionsA.requestedInstruments = { model::InstrumentId { cutoffOne.nodeId } };
    auto optionsB = test::clientOptions (port, "B");
    optionsB.requestedInstruments = { model::InstrumentId { cutoffTwo.nodeId } };
    net::SessionClient a (optionsA), b (optionsB);
    connect (a, host);
    connect (b, host);

    // At once: the host's own edit and one edit from each seat, on what each may edit.
    REQUIRE (host.apply (model::action::SetBpm { 100.0 }).ok());
    REQUIRE (a.send (model::action::SetParam { cutoffOne, 1000.0f }) != 0);
    REQUIRE (b.send (model::action::SetParam { cutoffTwo, 3000.0f }) != 0);
    REQUIRE (until (host, [&]
                    { return valueOf (host.getSession(), cutoffOne) == 1000.0f && valueOf (host.getSession(), cutoffTwo) == 3000.0f; }));
    CHECK (host.getSession().settings.bpm == 100.0);

    // Every edit went through the host's one apply path: its listeners heard all three ...
    CHECK (recorder.sawSettings());
    CHECK (recorder.sawInstrument (model::InstrumentId { cutoffOne.nodeId }));
    CHECK (recorder.sawInstrument (model::InstrumentId { cutoffTwo.nodeId }));
    CHECK (host.isDirty());
    // ... and so did the engine.
    renderOneBlock (host.getEngine());
    CHECK (host.getEngine().getParameterTargetWhileStopped (cutoffOne) == 1000.0f);
    CHECK (host.getEngine().getParameterTargetWhileStopped (cutoffTwo) == 3000.0f);

    // Both seats see the same session as the host.
    const auto hostHash = protocol::sessionHash (host.getSession());
    REQUIRE (until (host, [&]
                    { return a.getSessionHash() == hostHash && b.getSessionHash() == hostHash; }));

    // Seat A's undo takes back A's edit only: B's and the host's stay.
    REQUIRE (a.send (model::action::Undo {}) != 0);
    REQUIRE (until (host, [&]
                    { return valueOf (host.getSession(), cutoffOne) == originalOne; }));
    CHECK (valueOf (host.getSession(), cutoffTwo) == 3000.0f);
    CHECK (host.getSession().settings.bpm == 100.0);

    // The host's undo takes back the host's edit only.
    REQUIRE (host.apply (model::action::Undo {}).ok());
    CHECK (host.getSession().settings.bpm == 120.0);
    CHECK (valueOf (host.getSession(), cutoffTwo) == 3000.0f);

    // B's undo, then the engine has every undo too.
    REQUIRE (b.send (model::action::Undo {}) != 0);
    REQUIRE (until (host, [&]
                    { return valueOf (host.getSession(), cutoffTwo) == originalTwo; }));
    renderOneBlock (host.getEngine());
    CHECK (host.getEngine().getParameterTargetWhileStopped (cutoffOne) == originalOne);
    CHECK (host.getEngine().getParameterTargetWhileStopped (cutoffTwo) == originalTwo);

    // A seat may not edit the other's instrument: refused by the server, nothing applied.
    const auto before = protocol::sessionHash (host.getSession());
    REQUIRE (a.send (model::action::SetParam { cutoffTwo, 500.0f }) != 0);
    REQUIRE (until (host, [&]
                    { return a.getStats().rejections == 1; }));
    CHECK (protocol::sessionHash (host.getSession()) == before);

    host.removeListener (&recorder);
    a.disconnect();
    b.disconnect();
}

TEST_CASE ("A RemoteSession shows the host's session and edits it through the same interface", "[app][net]")
{
    app::SessionHost host;
    host.setSession (twoInstruments());
    REQUIRE (host.startHosting (test::fastServerOptions()).wasOk());
    const auto cutoffOne = cutoffOf (host.getSession(), 0);
    const auto cutoffTwo = cutoffOf (host.getSession(), 1);

    auto options = test::clientOptions (host.getServer()->getPort(), "remote");
    options.requestedInstruments = { model::InstrumentId { cutoffOne.nodeId } };
    app::RemoteSession remote (options);
    std::vector<juce::String> warnings;
    remote.onWarning = [&] (const juce::String& w)
    { warnings.push_back (w); };
    ChangeRecorder recorder;
    remote.addListener (&recorder);

    auto pending = std::async (std::launch::async, [&]
                               { return remote.connect (5000); });
    while (pending.wait_for (std::chrono::milliseconds (0)) != std::future_status::ready)
        host.tick (5);
    REQUIRE (pending.get().wasOk());

    app::SessionAccess& view = remote; // what a view holds
    CHECK (view.getSession().instruments.size() == 2);
    CHECK (view.getSeatId() != 0);
    CHECK (view.canEditInstrument (model::InstrumentId { cutoffOne.nodeId }));
    CHECK_FALSE (view.canEditInstrument (model::InstrumentId { cutoffTwo.nodeId })); // nobody owns it, and this seat has no privilege

    // The host's edit of instrument two reaches the view, which is told that instrument two changed.
    recorder.changes.clear();
    REQUIRE (host.apply (model::action::SetParam { cutoffTwo, 4000.0f }).ok());
    REQUIRE (test::eventually ([&]
                               {
                                   host.tick (2);
                                   view.tick();
                                   return valueOf (view.getSession(), cutoffTwo) == 4000.0f; }));
    CHECK (recorder.sawInstrument (model::InstrumentId { cutoffTwo.nodeId }));
    CHECK_FALSE (recorder.sawInstrument (model::InstrumentId { cutoffOne.nodeId }));

    // The view's own edit travels to the host and back.
    REQUIRE (view.apply (model::action::SetParam { cutoffOne, 900.0f }).ok());
    REQUIRE (test::eventually ([&]
                               {
                                   host.tick (2);
                                   view.tick();
                                   return valueOf (view.getSession(), cutoffOne) == 900.0f; }));
    CHECK (valueOf (host.getSession(), cutoffOne) == 900.0f);

    // A session-wide edit without the privilege is refused, and the view says why.
    REQUIRE (view.apply (model::action::SetBpm { 90.0 }).ok()); // sent
    REQUIRE (test::eventually ([&]
                               {
                                   host.tick (2);
                                   view.tick();
                                   return ! warnings.empty(); }));
    CHECK (warnings.front().contains ("privilege"));
    CHECK (host.getSession().settings.bpm == 120.0);

    // What goes wrong on the host's side (a plugin that crashed there) reaches every seat as a Notice.
    warnings.clear();
    host.getServer()->broadcastNotice ("The plugin \"Synth\" crashed.");
    REQUIRE (test::eventually ([&]
                               {
                                   host.tick (2);
                                   view.tick();
                                   return ! warnings.empty(); }));
    CHECK (warnings.front() == "On the host: The plugin \"Synth\" crashed.");

    remote.removeListener (&recorder);
    remote.disconnect();
    CHECK (view.apply (model::action::SetBpm { 90.0 }).error == "Not connected to the session: the edit was not sent.");
}

TEST_CASE ("SessionHost saves, knows when it is dirty, and autosaves to a side file", "[app][files]")
{
    const juce::TemporaryFile folderName;
    const auto folder = folderName.getFile();
    REQUIRE (folder.createDirectory().wasOk());
    const auto file = folder.getChildFile ("song.imbolc");
    const auto side = app::autosaveFileFor (file);
    CHECK (side.getFileName() == "song.imbolc.autosave");

    app::SessionHost host;
    std::vector<juce::String> warnings;
    host.onWarning = [&] (const juce::String& w)
    { warnings.push_back (w); };
    host.setSession (twoInstruments());
    CHECK_FALSE (host.isDirty());
    CHECK (host.save().getErrorMessage() == "This session has no file yet: save it under a name first.");

    // Moving the transport is not an edit worth saving; a tempo change is.
    REQUIRE (host.apply (model::action::Play {}).ok());
    CHECK_FALSE (host.isDirty());
    REQUIRE (host.apply (model::action::Stop {}).ok());
    CHECK_FALSE (host.isDirty());
    REQUIRE (host.apply (model::action::SetBpm { 100.0 }).ok());
    CHECK (host.isDirty());

    REQUIRE (host.saveAs (file).wasOk());
    CHECK_FALSE (host.isDirty());
    CHECK (host.getFile() == file);
    auto loaded = app::loadSessionFile (file);
    REQUIRE (loaded.ok());
    CHECK (protocol::sessionHash (*loaded.session) == protocol::sessionHash (host.getSession()));

    // Autosave writes the side file, never the session file, and the session stays dirty.
    host.setAutosave ({ 50, false, {} });
    REQUIRE (host.apply (model::action::SetBpm { 130.0 }).ok());
    REQUIRE (test::eventually ([&]
                               {
                                   host.tick (5);
                                   return side.existsAsFile(); }));
    host.autosaveNow (true); // nothing new: no second write needed, and waits for the first
    auto autosaved = app::loadSessionFile (side);
    REQUIRE (autosaved.ok());
    CHECK (autosaved.session->settings.bpm == 130.0);
    CHECK (app::loadSessionFile (file).session->settings.bpm == 100.0);
    CHECK (host.isDirty());

    // Saving for real makes the side file stale: it goes.
    REQUIRE (host.save().wasOk());
    CHECK_FALSE (side.exists());
    CHECK (app::loadSessionFile (file).session->settings.bpm == 130.0);

    // A file that is not a session is refused with a sentence, and the session stays as it was.
    const auto bad = folder.getChildFile ("bad.imbolc");
    REQUIRE (bad.replaceWithText ("not a session"));
    const auto hash = protocol::sessionHash (host.getSession());
    const auto refused = host.open (bad);
    CHECK (refused.failed());
    CHECK (refused.getErrorMessage().isNotEmpty());
    CHECK (protocol::sessionHash (host.getSession()) == hash);
    CHECK (host.getFile() == file);

    // Opening tells views to redraw everything.
    ChangeRecorder recorder;
    host.addListener (&recorder);
    REQUIRE (host.open (file).wasOk());
    REQUIRE (recorder.changes.size() == 1);
    CHECK (recorder.changes[0].everything);
    CHECK_FALSE (host.isDirty());
    host.removeListener (&recorder);
    CHECK (warnings.empty());
}

namespace
{
/** A plugin host's play head, as a test sets it. */
struct TestPlayHead final : juce::AudioPlayHead
{
    bool playing = false;
    double ppq = 0.0, bpm = 120.0;

    juce::Optional<PositionInfo> getPosition() const override
    {
        PositionInfo info;
        info.setIsPlaying (playing);
        info.setPpqPosition (ppq);
        info.setBpm (bpm);
        return info;
    }
};

float peakOf (const juce::AudioBuffer<float>& b, int from = 0)
{
    float peak = 0.0f;
    for (int ch = 0; ch < b.getNumChannels(); ++ch)
        for (int i = from; i < b.getNumSamples(); ++i)
            peak = juce::jmax (peak, std::abs (b.getSample (ch, i)));
    return peak;
}
} // namespace

TEST_CASE ("A hosted output plays the host's MIDI at its sample on the MIDI input instrument, and follows the host's play head, without allocating or locking", "[app][rt]")
{
    constexpr double rate = 48000.0;
    constexpr int block = 256;
    app::SessionHost host;
    host.setSession (twoInstruments());
    app::AudioOutput output (app::AudioOutput::Options::with (app::AudioOutput::Mode::hosted));
    CHECK (output.getMode() == app::AudioOutput::Mode::hosted);
    output.setHostedFormat (rate, block);
    host.prepare (rate, block);
    host.setMidiInputInstrument (host.getSession().instruments.begin()->id);
    output.start (host.getEngine());
    host.tick();

    juce::AudioBuffer<float> buffer (2, block);
    juce::MidiBuffer midi;
    TestPlayHead head;

    auto render = [&] (int blocks)
    {
        float peak = 0.0f;
        for (int i = 0; i < blocks; ++i)
        {
            {
                test::ScopedRealtimeThread audioThread;
                output.processHosted (buffer, midi, &head);
            }
            midi.clear();
            peak = juce::jmax (peak, peakOf (buffer));
        }
        return peak;
    };

    test::resetRealtimeViolations();
    CHECK (render (8) == 0.0f); // no notes, no sound

    // A note at sample 100 of a block: silence before it, sound after.
    midi.addEvent (juce::MidiMessage::noteOn (1, 60, (juce::uint8) 100), 100);
    {
        test::ScopedRealtimeThread audioThread;
        output.processHosted (buffer, midi, &head);
    }
    midi.clear();
    CHECK (peakOf (buffer) > 0.0f);
    float before = 0.0f;
    for (int ch = 0; ch < 2; ++ch)
        for (int i = 0; i < 100; ++i)
            before = juce::jmax (before, std::abs (buffer.getSample (ch, i)));
    CHECK (before == 0.0f);
    CHECK (render (8) > 0.01f);

    // The host plays from quarter note 8 at 90 BPM: the engine follows.
    head.playing = true;
    head.ppq = 8.0;
    head.bpm = 90.0;
    for (int i = 0; i < 20; ++i)
    {
        render (1);
        head.ppq += block / rate * 90.0 / 60.0;
    }
    host.tick();
    CHECK (host.getEngine().isPlaying());
    const auto expected = head.ppq * model::ticksPerBeat;
    CHECK (host.getEngine().getPlayheadTicks() == Approx (expected).margin (0.25 * model::ticksPerBeat));
    CHECK (host.getEngine().getPlayheadTicks() > 8.0 * model::ticksPerBeat);

    // The host jumps back: the engine locates.
    head.ppq = 2.0;
    for (int i = 0; i < 20; ++i)
    {
        render (1);
        head.ppq += block / rate * 90.0 / 60.0;
    }
    host.tick();
    CHECK (host.getEngine().getPlayheadTicks() == Approx (head.ppq * model::ticksPerBeat).margin (0.25 * model::ticksPerBeat));

    // The host stops: so does the engine.
    head.playing = false;
    render (20);
    host.tick();
    CHECK_FALSE (host.getEngine().isPlaying());

    const auto violations = test::realtimeViolations();
    INFO ("first violation: " << violations.first);
    CHECK (violations.allocations == 0);
    CHECK (violations.deallocations == 0);
    CHECK (violations.locks == 0);

    // Without a MIDI input instrument the host's notes play nothing.
    midi.addEvent (juce::MidiMessage::noteOff (1, 60), 0);
    render (1);
    render (400); // the release rings out
    CHECK (peakOf (buffer) < 1.0e-4f);
    host.setMidiInputInstrument ({});
    host.tick();
    midi.addEvent (juce::MidiMessage::noteOn (1, 64, (juce::uint8) 100), 0);
    CHECK (render (8) < 1.0e-4f);

    // A stopped output clears what the host hands it and calls no engine.
    output.stop();
    juce::AudioBuffer<float> after (2, block);
    after.applyGain (0.0f);
    after.setSample (0, 10, 1.0f);
    output.processHosted (after, midi, nullptr);
    CHECK (peakOf (after) == 0.0f);
}

namespace
{
/** JUCE's VST3 host keeps a plugin's state as XML with the component's bytes in base64, and JUCE's VST3
    wrapper may append its own private data after the plugin's bytes; the project file inside is found by
    decoding (its checksum makes a wrong length fail). */
std::optional<model::Session> sessionInVst3State (const juce::MemoryBlock& state)
{
    const auto xml = juce::AudioProcessor::getXmlFromBinary (state.getData(), (int) state.getSize());
    if (xml == nullptr || xml->getChildByName ("IComponent") == nullptr)
        return std::nullopt;
    juce::MemoryBlock component;
    if (! component.fromBase64Encoding (xml->getChildByName ("IComponent")->getAllSubText()))
        return std::nullopt;
    const auto* bytes = (const std::uint8_t*) component.getData();
    for (std::size_t n = component.getSize(); n > 0 && n + 4096 > component.getSize(); --n)
        if (auto decoded = protocol::decodeProject (bytes, n); decoded.ok())
            return std::move (decoded.session);
    return std::nullopt;
}

/** `state` with the component's bytes replaced, as a host would restore a saved session. */
juce::MemoryBlock vst3StateWith (const juce::MemoryBlock& state, const void* data, std::size_t size)
{
    auto xml = juce::AudioProcessor::getXmlFromBinary (state.getData(), (int) state.getSize());
    REQUIRE (xml != nullptr);
    auto* component = xml->getChildByName ("IComponent");
    REQUIRE (component != nullptr);
    component->deleteAllTextElements();
    component->addTextElement (juce::MemoryBlock (data, size).toBase64Encoding());
    juce::MemoryBlock out;
    juce::AudioProcessor::copyXmlToBinary (*xml, out);
    return out;
}

/** Imbolc's own plugin, as built here, loaded by JUCE's plugin hosting (the engine's PluginHost) the way
    a JUCE host would: it plays the host's MIDI on its session's first instrument and keeps its session
    as the project file's bytes (checked through VST3, whose host state this test can open). */
void checkOwnPlugin (const model::PluginRef& ref)
{
    ::setenv ("IMBOLC_PLUGIN_PATH", (juce::String (IMBOLC_PLUGIN_DIR) + "/LV2:" + IMBOLC_PLUGIN_DIR + "/VST3").toRawUTF8(), 1);
    engine::PluginHost pluginHost;
    juce::String error;
    auto plugin = pluginHost.createInstance (ref, 48000.0, 256, error);
    INFO (error);
    REQUIRE (plugin != nullptr);
    CHECK (plugin->getName() == "Imbolc");
    CHECK (plugin->acceptsMidi());
    REQUIRE (plugin->getTotalNumOutputChannels() == 2);

    plugin->prepareToPlay (48000.0, 256);
    juce::AudioBuffer<float> buffer (2, 256);
    juce::MidiBuffer midi;
    auto render = [&] (int blocks)
    {
        float peak = 0.0f;
        for (int i = 0; i < blocks; ++i)
        {
            buffer.clear();
            plugin->processBlock (buffer, midi);
            midi.clear();
            peak = juce::jmax (peak, peakOf (buffer));
        }
        return peak;
    };
    CHECK (render (4) == 0.0f);
    midi.addEvent (juce::MidiMessage::noteOn (1, 57, (juce::uint8) 110), 0);
    CHECK (render (8) > 0.01f);

    if (ref.format == model::PluginFormat::vst3)
    {
        // Its state is a project file holding its session (inside JUCE's VST3 host's wrapping).
        juce::MemoryBlock state;
        plugin->getStateInformation (state);
        const auto session = sessionInVst3State (state);
        REQUIRE (session.has_value());
        REQUIRE (session->instruments.size() == 1);
        CHECK (session->instruments.begin()->name == "Synth");

        // Bytes that are not a session change nothing (imbolc_PluginInHostTests.cpp has the details); a
        // session handed back replaces it.
        const char garbage[] = "not a session at all";
        const auto withGarbage = vst3StateWith (state, garbage, sizeof (garbage));
        plugin->setStateInformation (withGarbage.getData(), (int) withGarbage.getSize());
        CHECK (render (8) > 0.01f);
        const auto two = protocol::encodeProject (twoInstruments());
        const auto withTwo = vst3StateWith (state, two.data(), two.size());
        plugin->setStateInformation (withTwo.getData(), (int) withTwo.getSize());
        juce::MemoryBlock after;
        plugin->getStateInformation (after);
        const auto reloaded = sessionInVst3State (after);
        REQUIRE (reloaded.has_value());
        CHECK (protocol::sessionHash (*reloaded) == protocol::sessionHash (twoInstruments()));
    }
    plugin->releaseResources();
}
} // namespace

TEST_CASE ("Imbolc's LV2 plugin loads in JUCE's LV2 host and plays MIDI", "[app][plugin][lv2]")
{
    model::PluginRef ref;
    ref.format = model::PluginFormat::lv2;
    ref.identifier = "http://imbolc.audio/plugins/imbolc";
    checkOwnPlugin (ref);
}

TEST_CASE ("Imbolc's VST3 plugin loads in JUCE's VST3 host, plays MIDI and keeps its session", "[app][plugin][vst3]")
{
    model::PluginRef ref;
    ref.format = model::PluginFormat::vst3;
    ref.identifier = std::string (IMBOLC_PLUGIN_DIR) + "/VST3/Imbolc.vst3";
    checkOwnPlugin (ref);
}

TEST_CASE ("An untitled session autosaves to the app's side file, which a save under a name removes, a recovered session is dirty", "[app][files]")
{
    const auto folder = juce::File::createTempFile ("untitled-autosave");
    REQUIRE (folder.createDirectory());
    const auto side = folder.getChildFile ("untitled.imbolc.autosave");
    app::SessionHost host;
    host.setSession (twoInstruments());
    host.setAutosave ({ 60000, false, side });
    CHECK_FALSE (host.isDirty());

    const auto cutoff = cutoffOf (host.getSession(), 0);
    REQUIRE (host.apply (model::action::SetParam { cutoff, 900.0f }).ok());
    CHECK (host.isDirty());
    host.autosaveNow (true);
    REQUIRE (side.existsAsFile());
    const auto autosaved = app::loadSessionFile (side);
    REQUIRE (autosaved.ok());
    CHECK (*autosaved.session == host.getSession());
    CHECK (host.isDirty()); // an autosave is no save

    // Recovering it: the same session, not yet saved anywhere.
    app::SessionHost recovered;
    recovered.setSession (*autosaved.session, {}, true);
    CHECK (recovered.isDirty());
    CHECK (recovered.getSession() == host.getSession());

    const auto named = folder.getChildFile ("named.imbolc");
    REQUIRE (host.saveAs (named).wasOk());
    CHECK_FALSE (host.isDirty());
    CHECK_FALSE (side.existsAsFile());
    CHECK (app::autosaveFileFor (named) != side);
    folder.deleteRecursively();
}
