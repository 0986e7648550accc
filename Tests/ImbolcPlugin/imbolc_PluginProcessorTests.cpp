// Imbolc's plugin processor and editor compiled into the test (same JUCE, same process): the real-time
// harness inside processBlock, the editor as a host shows it, the host's timing shown in the session,
// and a network session hosted and joined from inside the plugin, over real loopback sockets.

#include "imbolc_PluginEditor.h"

#include "../Gui/imbolc_GuiTestSupport.h"
#include "../Net/imbolc_NetTestSupport.h"
#include "imbolc_RealtimeHarness.h"

#include <future>

using namespace imbolc;
using plugin::ImbolcProcessor;

namespace
{
/** A host's play head the test moves. */
struct HostClock final : juce::AudioPlayHead
{
    bool playing = true;
    double ppq = 0.0, bpm = 120.0;
    int numerator = 4, denominator = 4;
    bool looping = false;
    double loopStart = 0.0, loopEnd = 0.0;

    juce::Optional<PositionInfo> getPosition() const override
    {
        PositionInfo info;
        info.setIsPlaying (playing);
        info.setPpqPosition (ppq);
        info.setBpm (bpm);
        info.setTimeSignature (juce::AudioPlayHead::TimeSignature { numerator, denominator });
        info.setIsLooping (looping);
        info.setLoopPoints (juce::AudioPlayHead::LoopPoints { loopStart, loopEnd });
        return info;
    }

    void advance (int n, double rate)
    {
        if (! playing)
            return;
        ppq += n / rate * bpm / 60.0;
        if (looping && ppq >= loopEnd)
            ppq = loopStart + (ppq - loopEnd);
    }
};

model::Session twoSynths()
{
    model::Session session;
    model::UndoHistory scratch;
    model::Dispatcher dispatcher (session, scratch);
    model::Source source;
    source.builtIn = model::BuiltInSource::saw;
    REQUIRE (dispatcher.apply (model::action::AddInstrument { "Lead", source, model::Backend::internal, {} }).ok());
    REQUIRE (dispatcher.apply (model::action::AddInstrument { "Bass", source, model::Backend::internal, {} }).ok());
    const auto lead = session.instruments.begin()->id;
    for (int n = 0; n < 16; ++n)
        REQUIRE (dispatcher.apply (model::action::AddNote { lead, { {}, n * 240, 120, (std::uint8_t) (60 + n % 5), 100, 1.0f } }).ok());
    return session;
}

void restore (ImbolcProcessor& p, const model::Session& session)
{
    const auto bytes = protocol::encodeProject (session);
    p.setStateInformation (bytes.data(), (int) bytes.size());
}

float peakOf (const juce::AudioBuffer<float>& b)
{
    float peak = 0.0f;
    for (int ch = 0; ch < b.getNumChannels(); ++ch)
        peak = juce::jmax (peak, b.getMagnitude (ch, 0, b.getNumSamples()));
    return peak;
}
} // namespace

TEST_CASE ("The plugin's processBlock never allocates or locks: playing, host jumps and loops, MIDI, macros, changing block sizes, bypass", "[plugin][rt]")
{
#if IMBOLC_HAS_REALTIME_HARNESS
    constexpr double rate = 48000.0;
    ImbolcProcessor processor;
    restore (processor, twoSynths());
    processor.prepareToPlay (rate, 1024);
    HostClock clock;
    clock.looping = true;
    clock.loopStart = 0.5;
    clock.loopEnd = 2.25;
    processor.setPlayHead (&clock);

    juce::AudioBuffer<float> buffer (processor.getTotalNumOutputChannels(), 1024);
    juce::MidiBuffer midi;
    midi.ensureSize (4096);
    for (int i = 0; i < 20; ++i) // the first blocks take the session the message thread built
    {
        juce::AudioBuffer<float> block (buffer.getArrayOfWritePointers(), buffer.getNumChannels(), 256);
        processor.processBlock (block, midi);
        clock.advance (256, rate);
    }
    test::pumpMessages (50);

    const int sizes[] = { 1024, 1, 333, 64, 1000, 17 };
    float loudest = 0.0f;
    test::resetRealtimeViolations();
    for (int i = 0; i < 600; ++i)
    {
        const int n = sizes[i % 6];
        juce::AudioBuffer<float> block (buffer.getArrayOfWritePointers(), buffer.getNumChannels(), n);
        if (i % 5 == 0)
            midi.addEvent (juce::MidiMessage::noteOn (1 + i % 3, 48 + i % 24, (juce::uint8) 100), n / 2);
        if (i % 5 == 2)
            midi.addEvent (juce::MidiMessage::noteOff (1 + (i - 2) % 3, 48 + (i - 2) % 24), 0);
        if (i == 300)
            clock.ppq = 0.0; // the host jumps
        processor.getMacro (i % ImbolcProcessor::numMacros)->setValueNotifyingHost ((float) (i % 10) / 10.0f);
        {
            test::ScopedRealtimeThread audioThread;
            if (i >= 400 && i < 450)
                processor.processBlockBypassed (block, midi);
            else
                processor.processBlock (block, midi);
        }
        midi.clear();
        loudest = juce::jmax (loudest, peakOf (block));
        clock.advance (n, rate);
        if (i % 50 == 0)
            test::pumpMessages (1); // the message thread's housekeeping runs beside the audio thread
    }
    const auto violations = test::realtimeViolations();
    INFO ("first violation: " << violations.first);
    CHECK (violations.allocations == 0);
    CHECK (violations.deallocations == 0);
    CHECK (violations.locks == 0);
    CHECK (loudest > 0.01f); // it played
    processor.releaseResources();
#else
    WARN ("No real-time harness in this build (sanitizers own malloc): nothing is checked here.");
    CHECK (false);
#endif
}

TEST_CASE ("The plugin shows the host's tempo and meter in its session, as changes nobody undoes, without a tempo it keeps its own", "[plugin]")
{
    constexpr double rate = 48000.0;
    ImbolcProcessor processor;
    restore (processor, twoSynths());
    processor.prepareToPlay (rate, 256);
    HostClock clock;
    clock.bpm = 93.5;
    clock.numerator = 7;
    clock.denominator = 8;
    processor.setPlayHead (&clock);
    juce::AudioBuffer<float> buffer (2, 256);
    juce::MidiBuffer midi;
    for (int i = 0; i < 8; ++i)
    {
        processor.processBlock (buffer, midi);
        clock.advance (256, rate);
    }
    test::pumpMessages (100); // the processor's timer
    const auto& settings = processor.getHost().getSession().settings;
    CHECK (settings.bpm == Approx (93.5));
    CHECK (settings.timeSigNumerator == 7);
    CHECK (settings.timeSigDenominator == 8);
    CHECK_FALSE (processor.getHost().getHistory().canUndo());
    CHECK (processor.getHost().getEngine().getPlayheadTicks() == Approx (clock.ppq * model::ticksPerBeat).margin (0.3 * model::ticksPerBeat));

    // A host without a play head: the session plays on its own tempo, which stays as it was.
    processor.setPlayHead (nullptr);
    for (int i = 0; i < 8; ++i)
        processor.processBlock (buffer, midi);
    test::pumpMessages (100);
    CHECK (processor.getHost().getSession().settings.bpm == Approx (93.5));
    processor.releaseResources();
}

TEST_CASE ("The plugin's editor is the app's window content under a menu bar, resizable, and shows a refused state's sentence", "[plugin][gui]")
{
    ImbolcProcessor processor;
    restore (processor, twoSynths());
    processor.prepareToPlay (48000.0, 256);

    // A host that restored bad bytes before opening the editor.
    const char garbage[] = "definitely not an imbolc session";
    processor.setStateInformation (garbage, (int) sizeof (garbage));
    CHECK (processor.getStateError().contains ("could not be loaded"));
    CHECK (processor.getHost().getSession().instruments.size() == 2); // the valid session stays

    std::unique_ptr<juce::AudioProcessorEditor> editor (processor.createEditorIfNeeded());
    REQUIRE (editor != nullptr);
    auto* imbolcEditor = dynamic_cast<plugin::ImbolcEditor*> (editor.get());
    REQUIRE (imbolcEditor != nullptr);
    editor->addToDesktop (juce::ComponentPeer::windowHasTitleBar);
    editor->setVisible (true);
    test::pumpMessages (50);

    auto* content = imbolcEditor->getContent();
    REQUIRE (content != nullptr);
    CHECK (content->getLastMessage().contains ("could not be loaded"));
    CHECK (content->getRack().getNumRows() == 2);
    CHECK (editor->isResizable());
    CHECK (content->getBottom() == editor->getHeight());
    CHECK (content->getY() > 0); // the menu bar above

    editor->setSize (1000, 700);
    test::pumpMessages (30);
    CHECK (content->getWidth() == 1000);
    CHECK (content->getBottom() == 700);
    test::saveScreenshot (*editor, "plugin_editor");

    // The selected instrument is what the host's MIDI plays.
    const auto second = std::next (processor.getHost().getSession().instruments.begin())->id;
    imbolcEditor->getContext()->selection.selectInstrument (second);
    CHECK (processor.getMidiInstrument() == second);

    // A refusal while the editor is open shows too.
    content->showMessage ("something else", false);
    processor.setStateInformation (garbage, 5);
    CHECK (content->getLastMessage().contains ("could not be loaded"));

    // Closing and reopening keeps the size.
    editor.reset();
    std::unique_ptr<juce::AudioProcessorEditor> again (processor.createEditorIfNeeded());
    CHECK (again->getWidth() == 1000);
    CHECK (again->getHeight() == 700);
    again.reset();
    processor.releaseResources();
}

TEST_CASE ("A network session is hosted and joined from inside the plugin, over loopback", "[plugin][net]")
{
    // The plugin hosts: a seat joins and sees its session.
    {
        ImbolcProcessor processor;
        restore (processor, twoSynths());
        processor.prepareToPlay (48000.0, 256);
        juce::String sentence;
        REQUIRE (processor.getSeat().startHosting (test::fastServerOptions(), sentence).wasOk());
        CHECK (sentence.startsWith ("Hosting on"));
        const int port = processor.getHost().getServer()->getPort();

        app::RemoteSession seat (test::clientOptions (port, "guest"));
        std::future<juce::Result> joined = std::async (std::launch::async, [&] { return seat.connect (5000); });
        while (joined.wait_for (std::chrono::milliseconds (5)) != std::future_status::ready)
            test::pumpMessages (5); // the plugin's timer serves the seat
        REQUIRE (joined.get().wasOk());
        CHECK (seat.getSession().instruments.size() == 2);
        CHECK (processor.getSeat().connectionState() == "hosting, 1 seats");
        seat.disconnect();
        CHECK (processor.leave().startsWith ("Stopped hosting"));
    }

    // The plugin joins another host: the editor shows that session, and the plugin is silent.
    app::SessionHost remoteHost;
    auto other = twoSynths();
    other.settings.name = "Rehearsal";
    remoteHost.setSession (other);
    REQUIRE (remoteHost.startHosting (test::fastServerOptions()).wasOk());
    const int port = remoteHost.getServer()->getPort();

    ImbolcProcessor processor;
    processor.prepareToPlay (48000.0, 256);
    std::unique_ptr<juce::AudioProcessorEditor> editor (processor.createEditorIfNeeded());
    auto* imbolcEditor = dynamic_cast<plugin::ImbolcEditor*> (editor.get());
    REQUIRE (imbolcEditor != nullptr);
    CHECK (imbolcEditor->getContent()->getRack().getNumRows() == 1); // the plugin's own starting session

    std::future<juce::Result> joined = std::async (std::launch::async, [&] { return processor.join (test::clientOptions (port, "plugin")); });
    while (joined.wait_for (std::chrono::milliseconds (5)) != std::future_status::ready)
        remoteHost.tick (5);
    REQUIRE (joined.get().wasOk());
    for (int i = 0; i < 20; ++i)
    {
        remoteHost.tick (2);
        test::pumpMessages (5);
    }
    CHECK (processor.isJoined());
    REQUIRE (processor.getSeat().getRemote() != nullptr);
    CHECK (processor.getSeat().getRemote()->getSession().settings.name == "Rehearsal");
    CHECK (imbolcEditor->getContent()->getRack().getNumRows() == 2); // the editor shows the joined session

    juce::AudioBuffer<float> buffer (2, 256);
    juce::MidiBuffer midi;
    midi.addEvent (juce::MidiMessage::noteOn (1, 60, (juce::uint8) 120), 0);
    for (int i = 0; i < 4; ++i)
        processor.processBlock (buffer, midi);
    CHECK (peakOf (buffer) == 0.0f); // the joined session plays where it is hosted

    CHECK (processor.leave().startsWith ("Left the network session"));
    test::pumpMessages (30);
    CHECK_FALSE (processor.isJoined());
    CHECK (imbolcEditor->getContent()->getRack().getNumRows() == 1);
    editor.reset();
    processor.releaseResources();
}

TEST_CASE ("The plugin reports the master chain's latency to the host, and its change", "[plugin]")
{
    ImbolcProcessor processor;
    auto session = twoSynths();
    {
        model::UndoHistory scratch;
        model::Dispatcher dispatcher (session, scratch);
        model::Stage limiter;
        limiter.kind = model::StageKind::effect;
        limiter.effect = model::EffectType::limiter;
        limiter.params = model::makeEffectParameters (model::EffectType::limiter);
        REQUIRE (dispatcher.apply (model::action::AddStage { model::NodeKind::master, 0, limiter }).ok());
    }
    restore (processor, session);
    processor.prepareToPlay (48000.0, 256);
    const int lookAhead = (int) std::round (engine::LimiterNode::lookAheadSeconds * 48000.0);
    CHECK (processor.getLatencySamples() == lookAhead);

    // The person removes the limiter: the host hears of it from the processor's timer.
    const auto stage = processor.getHost().getSession().mixer.master.chain.front().id;
    REQUIRE (processor.getHost().apply (model::action::RemoveStage { model::NodeKind::master, 0, stage }).ok());
    juce::AudioBuffer<float> buffer (2, 256);
    juce::MidiBuffer midi;
    for (int i = 0; i < 20 && processor.getLatencySamples() != 0; ++i)
    {
        processor.processBlock (buffer, midi);
        test::pumpMessages (40);
    }
    CHECK (processor.getLatencySamples() == 0);
    processor.releaseResources();
}

TEST_CASE ("An enabled bus output carries that bus alone, and the main output the rest", "[plugin]")
{
    // Two instruments, the second on a bus; the host enables "Bus 1".
    auto session = twoSynths();
    {
        model::UndoHistory scratch;
        model::Dispatcher dispatcher (session, scratch);
        REQUIRE (dispatcher.apply (model::action::AddBus { "Drums" }).ok());
        const auto bus = session.mixer.buses.begin()->id;
        const auto bass = std::next (session.instruments.begin())->id;
        REQUIRE (dispatcher.apply (model::action::SetOutput { bass, bus }).ok());
    }
    ImbolcProcessor processor;
    auto layout = processor.getBusesLayout();
    layout.outputBuses.getReference (1) = juce::AudioChannelSet::stereo();
    REQUIRE (processor.setBusesLayout (layout));
    REQUIRE (processor.getTotalNumOutputChannels() == 4);
    restore (processor, session);
    processor.prepareToPlay (48000.0, 256);
    const auto bassId = std::next (processor.getHost().getSession().instruments.begin())->id;
    processor.setMidiInstrument (bassId); // the host's MIDI plays the bass, on the bus

    juce::AudioBuffer<float> buffer (4, 256);
    juce::MidiBuffer midi;
    midi.addEvent (juce::MidiMessage::noteOn (1, 40, (juce::uint8) 120), 0);
    float main = 0.0f, direct = 0.0f;
    for (int i = 0; i < 20; ++i)
    {
        buffer.clear();
        processor.processBlock (buffer, midi);
        midi.clear();
        main = juce::jmax (main, buffer.getMagnitude (0, 0, 256), buffer.getMagnitude (1, 0, 256));
        direct = juce::jmax (direct, buffer.getMagnitude (2, 0, 256), buffer.getMagnitude (3, 0, 256));
    }
    CHECK (direct > 0.01f); // the bass, on its bus's output
    CHECK (main == 0.0f); // and not in the main mix (the song is stopped: nothing else plays)
    processor.releaseResources();
}

TEST_CASE ("A host macro drives the parameter the session maps it to from the first sample of its block, and starts where that parameter stands", "[plugin]")
{
    ImbolcProcessor processor;
    restore (processor, twoSynths());
    processor.prepareToPlay (48000.0, 256);
    const auto lead = processor.getHost().getSession().instruments.begin()->id;
    const auto level = model::ParamAddress::instrument (lead, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level);
    const auto before = model::findParam (processor.getHost().getSession(), level);
    REQUIRE (before.has_value());
    REQUIRE (processor.getHost().apply (model::action::SetMacro { 2, model::Macro { true, level, 0.0f, 1.0f } }).ok());
    test::pumpMessages (80); // the processor's timer: Macro 3 now shows the level
    CHECK (processor.getMacro (2)->get() == Approx (before->value).margin (1.0e-3));

    // A held note; the host turns Macro 3 down to 0 before block 10 and back up before block 20.
    juce::AudioBuffer<float> buffer (2, 256);
    juce::MidiBuffer midi;
    midi.addEvent (juce::MidiMessage::noteOn (1, 57, (juce::uint8) 120), 0);
    std::vector<float> peaks;
    for (int i = 0; i < 30; ++i)
    {
        if (i == 10)
            processor.getMacro (2)->setValueNotifyingHost (0.0f);
        if (i == 20)
            processor.getMacro (2)->setValueNotifyingHost (1.0f);
        processor.processBlock (buffer, midi);
        midi.clear();
        peaks.push_back (buffer.getMagnitude (0, 0, 256));
        if (i == 10)
            CHECK (std::abs (buffer.getSample (0, 0)) < 1.0e-6f); // silent from the block's first sample
    }
    CHECK (peaks[9] > 0.01f);
    for (int i = 10; i < 20; ++i)
        CHECK (peaks[(std::size_t) i] == 0.0f);
    CHECK (peaks[20] > peaks[9]); // full level is above where the level stood
    processor.releaseResources();
}

TEST_CASE ("The host's MIDI plays the instrument set to its channel, whatever is selected", "[plugin]")
{
    ImbolcProcessor processor;
    restore (processor, twoSynths());
    processor.prepareToPlay (48000.0, 256);
    const auto lead = processor.getHost().getSession().instruments.begin()->id;
    const auto bass = std::next (processor.getHost().getSession().instruments.begin())->id;
    REQUIRE (processor.getHost().apply (model::action::SetMidiChannel { bass, 2 }).ok());
    processor.setMidiInstrument (lead); // what the editor selected
    juce::AudioBuffer<float> buffer (2, 256);
    juce::MidiBuffer midi;
    // Which instrument sounded, by the engine's meters of each (read on the message thread).
    auto play = [&] (int channel)
    {
        midi.addEvent (juce::MidiMessage::noteOn (channel, 45, (juce::uint8) 120), 100);
        std::pair<float, float> loudest;
        for (int i = 0; i < 40; ++i)
        {
            processor.processBlock (buffer, midi);
            if (i == 0)
                CHECK (buffer.getMagnitude (0, 0, 100) == 0.0f); // nothing before the event's sample
            midi.clear();
            processor.getHost().tick();
            const auto& engine = processor.getHost().getEngine();
            loudest.first = juce::jmax (loudest.first, engine.getInstrumentMeter (lead).left);
            loudest.second = juce::jmax (loudest.second, engine.getInstrumentMeter (bass).left);
        }
        midi.addEvent (juce::MidiMessage::allNotesOff (channel), 0);
        for (int i = 0; i < 200; ++i)
        {
            processor.processBlock (buffer, midi);
            midi.clear();
        }
        processor.getHost().tick();
        return loudest;
    };
    const auto one = play (1); // channel 1 is nobody's: the selected lead plays it
    CHECK (one.first > 0.01f);
    CHECK (one.second == 0.0f);
    const auto two = play (2); // channel 2 is the bass's, whatever is selected
    CHECK (two.first == 0.0f);
    CHECK (two.second > 0.01f);
    processor.releaseResources();
}

TEST_CASE ("In the plugin, MIDI learn maps a controller of the host's MIDI, and View > MIDI Mappings lists it", "[plugin][gui][midi]")
{
    ImbolcProcessor processor;
    restore (processor, twoSynths());
    processor.prepareToPlay (48000.0, 256);
    const auto lead = processor.getHost().getSession().instruments.begin()->id;
    const auto level = model::ParamAddress::instrument (lead, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level);

    std::unique_ptr<juce::AudioProcessorEditor> editor (processor.createEditorIfNeeded());
    auto* imbolcEditor = dynamic_cast<plugin::ImbolcEditor*> (editor.get());
    REQUIRE (imbolcEditor != nullptr);
    editor->addToDesktop (juce::ComponentPeer::windowHasTitleBar);
    editor->setVisible (true);
    test::pumpMessages (50);

    // Learn, then the host sends controller 74 on channel 3: the mapping is made from it.
    REQUIRE (processor.getHost().learnMidi (level));
    juce::AudioBuffer<float> buffer (2, 256);
    juce::MidiBuffer midi;
    midi.addEvent (juce::MidiMessage::controllerEvent (3, 74, 64), 10);
    processor.processBlock (buffer, midi);
    processor.getHost().tick();
    const auto& mappings = processor.getHost().getSession().settings.midiMappings;
    REQUIRE (mappings.size() == 1);
    CHECK (mappings[0].channel == 3);
    CHECK (mappings[0].controller == 74);
    CHECK (mappings[0].param == level);

    // The View menu lists MIDI Mappings; the command opens the panel in a window of its own.
    auto& commands = imbolcEditor->getCommandManager();
    const auto view = imbolcEditor->getMenuForIndex (3, "View");
    bool listed = false;
    for (juce::PopupMenu::MenuItemIterator it (view); it.next();)
        listed = listed || it.getItem().commandManager == &commands && it.getItem().itemID == gui::commands::viewMidiMappings;
    CHECK (listed);
    REQUIRE (commands.invokeDirectly (gui::commands::viewMidiMappings, false));
    test::pumpMessages (50);
    gui::MidiMappingPanel* panel = nullptr;
    for (int i = 0; i < juce::Desktop::getInstance().getNumComponents() && panel == nullptr; ++i)
        if (auto* window = dynamic_cast<juce::DocumentWindow*> (juce::Desktop::getInstance().getComponent (i)))
            panel = dynamic_cast<gui::MidiMappingPanel*> (window->getContentComponent());
    REQUIRE (panel != nullptr);
    CHECK (panel->getNumRows() == 1);
    test::saveScreenshot (*panel, "plugin_midi_mappings");

    editor.reset();
    processor.releaseResources();
}
