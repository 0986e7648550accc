// Plugin hosting on real plugins, through the real engine: Debian's mda-lv2 (LV2) and the VST3 test
// synth built in Tests/Plugins/TestSynth. No mocks: every assertion is on rendered samples, plugin
// parameter values or state bytes.

#include "imbolc_PluginTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;
using model::ParamAddress;
using model::ParamGroup;

namespace
{
bool isOneSentence (const juce::String& s)
{
    return s.isNotEmpty() && s.endsWithChar ('.') && ! s.containsChar ('\n') && ! s.dropLastCharacters (1).contains (". ");
}

std::vector<model::Stage> chainOf (const model::Stage& s) { return { s }; }

/** The session file round trip the app does: encode to a real file, read it back. */
model::Session throughProjectFile (const model::Session& session)
{
    juce::TemporaryFile file (".imbolc");
    REQUIRE (protocol::saveProject (session, file.getFile()).wasOk());
    auto loaded = protocol::loadProject (file.getFile());
    INFO (loaded.error);
    REQUIRE (loaded.ok());
    return *loaded.session;
}

std::vector<model::Action> captured (PluginRig& rig) { return rig.engine.capturePluginStates (rig.session); }

/** The test synth's state as JUCE's VST3 host stores it: the plugin's own bytes (magic, gain, transpose,
    tuning reference) as the IComponent state inside the host's XML. */
std::vector<std::uint8_t> testSynthState (float gain, float transpose, float referenceHz)
{
    juce::MemoryBlock raw;
    {
        juce::MemoryOutputStream out (raw, false);
        out.writeInt (0x49545359);
        out.writeFloat (gain);
        out.writeFloat (transpose);
        out.writeFloat (referenceHz);
    }
    juce::XmlElement xml ("VST3PluginState");
    xml.createNewChildElement ("IComponent")->addTextElement (raw.toBase64Encoding());
    juce::MemoryBlock wrapped;
    juce::AudioProcessor::copyXmlToBinary (xml, wrapped);
    const auto* bytes = static_cast<const std::uint8_t*> (wrapped.getData());
    return { bytes, bytes + wrapped.getSize() };
}
} // namespace

//==============================================================================
TEST_CASE ("plugins LV2 mda JX10 as an instrument plays a note and decays after note off", "[plugins][lv2]")
{
    PluginRig rig;
    const auto id = rig.addPluginInstrument (lv2Ref (jx10Uri));
    CHECK (rig.engine.getNodeFactory().takePluginWarnings().empty());
    REQUIRE (rig.engine.findPlugin (NodeKind::instrument, id.value) != nullptr);
    CHECK (rig.engine.findPlugin (NodeKind::instrument, id.value)->getName() == "MDA JX10");

    const auto before = rig.renderSeconds (0.1);
    CHECK (peak (before, 0, before.size()) < 1.0e-4f);

    rig.engine.noteOn (id, 60, 0.9f);
    std::vector<float> right;
    const auto held = rig.renderSeconds (0.5, &right);
    const auto heldPeak = peak (held, samplesFor (0.1), held.size());
    CHECK (heldPeak > 0.05f);
    CHECK (peak (right, samplesFor (0.1), right.size()) > 0.05f); // JX10 is stereo: both sides sound

    rig.engine.noteOff (id, 60);
    const auto released = rig.renderSeconds (3.0);
    const auto early = rms (released, 0, samplesFor (0.05));
    const auto late = rms (released, samplesFor (2.5), samplesFor (3.0));
    INFO ("held peak " << heldPeak << ", rms right after note off " << early << ", 2.5 s later " << late);
    CHECK (early > 0.01);
    CHECK (late < early * 0.05);
}

TEST_CASE ("plugins LV2 mda Delay as an effect stage adds echoes after the dry note has ended", "[plugins][lv2]")
{
    auto renderWith = [] (bool withDelay)
    {
        PluginRig rig;
        std::vector<model::Stage> chain;
        if (withDelay)
            chain.push_back (rig.pluginStage (lv2Ref (delayUri)));
        const auto id = rig.addInstrument (model::BuiltInSource::sine, chain);
        REQUIRE (rig.engine.getNodeFactory().takePluginWarnings().empty());
        if (withDelay)
            REQUIRE (rig.engine.findPlugin (NodeKind::instrument, id.value, rig.session.instruments.find (id)->chain[0].id) != nullptr);
        return rig.playNote (id, 69, 1.0f, 0.2, 1.5);
    };
    const auto dry = renderWith (false);
    const auto wet = renderWith (true);
    // The built-in sine's release is 0.2 s: 0.6 s after note off the dry signal is gone; echoes are not.
    const auto from = samplesFor (0.25 + 0.6), to = samplesFor (0.25 + 1.2);
    INFO ("dry tail peak " << peak (dry, from, to) << ", wet tail peak " << peak (wet, from, to));
    CHECK (peak (dry, from, to) < 1.0e-4f);
    CHECK (peak (wet, from, to) > 0.01f);
    // And while the note sounds the mix changes the signal too.
    CHECK (std::abs (rms (wet, samplesFor (0.1), samplesFor (0.2)) - rms (dry, samplesFor (0.1), samplesFor (0.2))) > 0.005);
}

TEST_CASE ("plugins LV2 parameters match lv2info for JX10 and Delay", "[plugins][lv2]")
{
    // lilv-utils' lv2info is the reference LV2 host's view of a plugin: its control input ports, in
    // port order, are the parameters a host offers.
    auto lv2infoControlInputs = [] (const char* uri)
    {
        juce::ChildProcess p;
        REQUIRE (p.start (juce::StringArray { "lv2info", uri }, juce::ChildProcess::wantStdOut));
        const auto text = p.readAllProcessOutput();
        REQUIRE (p.getExitCode() == 0);
        juce::StringArray names;
        juce::String types, name;
        bool inPort = false;
        auto flush = [&]
        {
            if (inPort && types.contains ("#ControlPort") && types.contains ("#InputPort"))
                names.add (name);
            types = name = {};
        };
        for (const auto& raw : juce::StringArray::fromLines (text))
        {
            const auto line = raw.trim();
            if (line.startsWith ("Port ") && line.endsWithChar (':'))
            {
                flush();
                inPort = true;
            }
            else if (inPort && line.startsWith ("Type:"))
                types += line;
            else if (inPort && line.startsWith ("http://lv2plug.in/ns/"))
                types += line; // the continuation lines of a port's types
            else if (inPort && line.startsWith ("Name:"))
                name = line.fromFirstOccurrenceOf ("Name:", false, false).trim();
        }
        flush();
        return names;
    };

    PluginRig rig;
    for (const char* uri : { jx10Uri, delayUri })
    {
        const auto reference = lv2infoControlInputs (uri);
        const auto ours = rig.inspect (lv2Ref (uri)).params;
        juce::StringArray ourNames;
        for (const auto& p : ours)
            ourNames.add (p.name);
        INFO (uri << ": lv2info " << reference.joinIntoString (", ") << " / ours " << ourNames.joinIntoString (", "));
        CHECK (reference.size() > 0);
        // The same parameters; JUCE's LV2 host orders them its own way (not by port index), and that
        // order is what node parameter indices follow.
        auto sortedReference = reference, sortedOurs = ourNames;
        sortedReference.sort (false);
        sortedOurs.sort (false);
        CHECK (sortedOurs == sortedReference);
    }
}

TEST_CASE ("plugins LV2 state of a source and a stage survives the project file", "[plugins][lv2]")
{
    PluginRig a;
    const auto id = a.addPluginInstrument (lv2Ref (jx10Uri), chainOf (a.pluginStage (lv2Ref (delayUri))));
    const auto stage = a.session.instruments.find (id)->chain[0].id;
    constexpr std::uint16_t vcfFreq = 6, fxMix = 4;

    // A parameter change through the engine reaches the plugin (on its next block).
    a.setParam (ParamAddress::instrument (id, ParamGroup::source, vcfFreq), 0.3f);
    a.setParam (ParamAddress::stage (NodeKind::instrument, id.value, stage, fxMix), 0.8f);
    a.renderSeconds (0.1);
    auto* jx10 = a.engine.findPlugin (NodeKind::instrument, id.value);
    auto* delay = a.engine.findPlugin (NodeKind::instrument, id.value, stage);
    REQUIRE (jx10 != nullptr);
    REQUIRE (delay != nullptr);
    CHECK (jx10->getParameters()[vcfFreq]->getValue() == Approx (0.3f).margin (1.0e-4));
    CHECK (delay->getParameters()[fxMix]->getValue() == Approx (0.8f).margin (1.0e-4));

    // Capture: one SetPluginState per plugin, applied to the model; afterwards the model is current.
    const auto actions = captured (a);
    REQUIRE (actions.size() == 2);
    a.applyAll (actions);
    CHECK (captured (a).empty());
    const auto& inst = *a.session.instruments.find (id);
    CHECK (juce::String (std::string (inst.source.plugin.state.begin(), inst.source.plugin.state.end())).contains ("vcf_freq"));
    CHECK (! inst.chain[0].plugin.state.empty());

    const auto loaded = throughProjectFile (a.session);
    const auto& loadedInst = *loaded.instruments.find (id);
    CHECK (loadedInst.source.plugin.state == inst.source.plugin.state);
    CHECK (loadedInst.chain[0].plugin.state == inst.chain[0].plugin.state);

    // A fresh engine from the file: same parameter values in the plugins, same state, same sound as a
    // fresh engine from the session in memory, and a different sound from the default settings.
    auto renderNote = [id] (PluginRig& rig)
    { return rig.playNote (id, 57, 0.8f, 0.6, 0.6); };
    PluginRig fromFile, fromMemory, defaults;
    fromFile.session = loaded;
    fromFile.engine.loadSession (fromFile.session);
    fromMemory.session = a.session;
    fromMemory.engine.loadSession (fromMemory.session);
    defaults.addPluginInstrument (lv2Ref (jx10Uri), chainOf (defaults.pluginStage (lv2Ref (delayUri))));
    CHECK (fromFile.engine.getNodeFactory().takePluginWarnings().empty());

    auto* loadedJx10 = fromFile.engine.findPlugin (NodeKind::instrument, id.value);
    auto* loadedDelay = fromFile.engine.findPlugin (NodeKind::instrument, id.value, stage);
    REQUIRE (loadedJx10 != nullptr);
    REQUIRE (loadedDelay != nullptr);
    CHECK (loadedJx10->getParameters()[vcfFreq]->getValue() == Approx (0.3f).margin (1.0e-4));
    CHECK (loadedDelay->getParameters()[fxMix]->getValue() == Approx (0.8f).margin (1.0e-4));
    CHECK (engine::PluginHost::captureState (*loadedJx10) == inst.source.plugin.state);
    CHECK (engine::PluginHost::captureState (*loadedDelay) == inst.chain[0].plugin.state);
    CHECK (captured (fromFile).empty());

    const auto fileOut = renderNote (fromFile);
    const auto memoryOut = renderNote (fromMemory);
    const auto defaultOut = renderNote (defaults);
    CHECK (peak (fileOut, 0, fileOut.size()) > 0.05f);
    CHECK (fileOut == memoryOut);
    CHECK (fileOut != defaultOut);
}

//==============================================================================
TEST_CASE ("plugins VST3 test synth plays the MIDI note's pitch on both channels", "[plugins][vst3]")
{
    PluginRig rig;
    const auto id = rig.addPluginInstrument (testSynthRef());
    CHECK (rig.engine.getNodeFactory().takePluginWarnings().empty());
    auto* synth = rig.engine.findPlugin (NodeKind::instrument, id.value);
    REQUIRE (synth != nullptr);
    CHECK (synth->getName() == "Imbolc Test Synth");
    CHECK (synth->getMainBusNumOutputChannels() == 1); // mono: the node maps it to both sides

    for (const auto& [note, hz] : { std::pair { 57, 220.0 }, std::pair { 69, 440.0 }, std::pair { 81, 880.0 } })
    {
        rig.engine.noteOn (id, note, 1.0f);
        std::vector<float> right;
        const auto left = rig.renderSeconds (0.5, &right);
        rig.engine.noteOff (id, note);
        rig.renderSeconds (0.05);
        const auto from = samplesFor (0.05);
        INFO ("note " << note);
        CHECK (frequencyOf (left, from, left.size(), EngineRig::sampleRate) == Approx (hz).epsilon (0.01));
        CHECK (peak (left, from, left.size()) > 0.1f);
        CHECK (left == right);
    }
}

TEST_CASE ("plugins VST3 parameters set through the engine reach the plugin and change the sound", "[plugins][vst3]")
{
    PluginRig rig;
    const auto id = rig.addPluginInstrument (testSynthRef());
    const auto& params = rig.session.instruments.find (id)->source.params;
    REQUIRE (params.size() >= 2);
    CHECK (params[synthGain].name == "Gain");
    CHECK (params[synthGain].value == Approx (0.5f));
    CHECK (params[synthTranspose].name == "Transpose");
    auto* synth = rig.engine.findPlugin (NodeKind::instrument, id.value);
    REQUIRE (synth != nullptr);

    rig.engine.noteOn (id, 69, 1.0f);
    const auto before = rig.renderSeconds (0.3);

    rig.setParam (ParamAddress::instrument (id, ParamGroup::source, synthGain), 0.25f);
    rig.setParam (ParamAddress::instrument (id, ParamGroup::source, synthTranspose), 0.5f + 12.0f / 24.0f); // +12 semitones
    const auto after = rig.renderSeconds (0.3);
    CHECK (synth->getParameters()[synthGain]->getValue() == Approx (0.25f).margin (1.0e-5));
    CHECK (synth->getParameters()[synthTranspose]->getValue() == Approx (1.0f).margin (1.0e-5));

    const auto from = samplesFor (0.1);
    CHECK (frequencyOf (before, from, before.size(), EngineRig::sampleRate) == Approx (440.0).epsilon (0.01));
    CHECK (frequencyOf (after, from, after.size(), EngineRig::sampleRate) == Approx (880.0).epsilon (0.01));
    CHECK (peak (after, from, after.size()) / peak (before, from, before.size()) == Approx (0.5).epsilon (0.01));

    // An amp parameter of a plugin source resolves (the address stays valid) but does not touch the plugin.
    rig.setParam (ParamAddress::instrument (id, ParamGroup::amp, (std::uint16_t) model::AmpParam::release), 1.5f);
    rig.renderSeconds (0.05);
    CHECK (synth->getParameters()[synthGain]->getValue() == Approx (0.25f).margin (1.0e-5));
}

TEST_CASE ("plugins VST3 state survives the project file and a rebuilt chain keeps live state", "[plugins][vst3]")
{
    PluginRig a;
    const auto id = a.addPluginInstrument (testSynthRef());
    a.setParam (ParamAddress::instrument (id, ParamGroup::source, synthGain), 0.2f);
    a.renderSeconds (0.05);

    // The tuning reference is state, not a parameter: set it as the plugin's own editor or a preset
    // would, then check it sounds (A4 at 432 Hz).
    auto* synth = a.engine.findPlugin (NodeKind::instrument, id.value);
    REQUIRE (synth != nullptr);
    const auto tuned = testSynthState (0.2f, 0.5f, 432.0f);
    synth->setStateInformation (tuned.data(), (int) tuned.size());
    a.engine.noteOn (id, 69, 1.0f);
    const auto at432 = a.renderSeconds (0.3);
    a.engine.noteOff (id, 69);
    CHECK (frequencyOf (at432, samplesFor (0.05), at432.size(), EngineRig::sampleRate) == Approx (432.0).epsilon (0.005));

    // Rebuilding the chain (a stage added) makes a new instance; it keeps the old one's state.
    const auto beforeRebuild = engine::PluginHost::captureState (*synth);
    a.act (model::action::AddStage { NodeKind::instrument, id.value, EngineRig::effect (model::EffectType::gain) });
    auto* rebuilt = a.engine.findPlugin (NodeKind::instrument, id.value);
    REQUIRE (rebuilt != nullptr);
    CHECK (rebuilt != synth);
    CHECK (engine::PluginHost::captureState (*rebuilt) == beforeRebuild);

    const auto actions = captured (a);
    REQUIRE (actions.size() == 1);
    a.applyAll (actions);
    CHECK (captured (a).empty());
    const auto stored = a.session.instruments.find (id)->source.plugin.state;
    auto xml = juce::AudioProcessor::getXmlFromBinary (stored.data(), (int) stored.size());
    REQUIRE (xml != nullptr);
    CHECK (xml->hasTagName ("VST3PluginState"));

    const auto loaded = throughProjectFile (a.session);
    CHECK (loaded.instruments.find (id)->source.plugin.state == stored);
    PluginRig b;
    b.session = loaded;
    b.engine.loadSession (b.session);
    CHECK (b.engine.getNodeFactory().takePluginWarnings().empty());
    auto* loadedSynth = b.engine.findPlugin (NodeKind::instrument, id.value);
    REQUIRE (loadedSynth != nullptr);
    CHECK (loadedSynth->getParameters()[synthGain]->getValue() == Approx (0.2f).margin (1.0e-5));
    CHECK (engine::PluginHost::captureState (*loadedSynth) == stored);

    b.engine.noteOn (id, 69, 1.0f);
    a.engine.noteOn (id, 69, 1.0f);
    const auto outB = b.renderSeconds (0.3);
    const auto outA = a.renderSeconds (0.3);
    CHECK (peak (outB, samplesFor (0.1), outB.size()) == Approx (peak (outA, samplesFor (0.1), outA.size())).epsilon (0.001));
    CHECK (frequencyOf (outB, samplesFor (0.05), outB.size(), EngineRig::sampleRate) == Approx (432.0).epsilon (0.005));
}

TEST_CASE ("plugins VST3 state that is not the plugin's own is refused whole", "[plugins][vst3]")
{
    PluginRig rig;
    auto ref = testSynthRef();
    ref.state = { 'n', 'o', 't', ' ', 's', 't', 'a', 't', 'e' };
    const auto id = rig.addPluginInstrument (ref);
    const auto warnings = rig.engine.getNodeFactory().takePluginWarnings();
    REQUIRE (warnings.size() == 1);
    CHECK (warnings[0].contains ("cannot be read"));
    CHECK (isOneSentence (warnings[0]));
    // It still plays, from its defaults.
    auto* synth = rig.engine.findPlugin (NodeKind::instrument, id.value);
    REQUIRE (synth != nullptr);
    CHECK (synth->getParameters()[synthGain]->getValue() == Approx (0.5f));
    rig.engine.noteOn (id, 69, 1.0f);
    const auto out = rig.renderSeconds (0.2);
    CHECK (peak (out, samplesFor (0.05), out.size()) > 0.1f);
}

//==============================================================================
TEST_CASE ("plugins that cannot be loaded leave a silent source or a pass-through stage and one warning", "[plugins]")
{
    PluginRig rig;
    auto missing = lv2Ref ("http://example.org/plugins/not-installed");
    missing.name = "Ghost";
    model::Source source;
    source.kind = model::SourceKind::plugin;
    source.plugin = missing;
    source.params = { { "cutoff", 0.5f, 0.0f, 1.0f, 0.5f } };
    const auto ghost = model::InstrumentId { rig.act (model::action::AddInstrument { "ghost", source }) };

    model::PluginRef notAUri;
    notAUri.format = model::PluginFormat::lv2;
    notAUri.identifier = "no scheme here";
    model::Stage brokenStage;
    brokenStage.kind = model::StageKind::effect;
    brokenStage.effect = model::EffectType::plugin;
    brokenStage.plugin = notAUri;
    model::PluginRef noBundle;
    noBundle.format = model::PluginFormat::vst3;
    noBundle.identifier = "/nonexistent/Nothing.vst3|VST3-Nothing-0-1";
    model::Stage missingVst3 = brokenStage;
    missingVst3.plugin = noBundle;
    const auto sine = rig.addInstrument (model::BuiltInSource::sine, { brokenStage, missingVst3 });

    const auto warnings = rig.engine.getNodeFactory().takePluginWarnings();
    REQUIRE (warnings.size() == 3);
    CHECK (warnings[0].contains ("There is no LV2 plugin \"Ghost\""));
    CHECK (warnings[0].contains ("stays silent"));
    CHECK (warnings[1].contains ("is not a URI"));
    CHECK (warnings[1].contains ("passes audio through unchanged"));
    CHECK (warnings[2].contains ("There is no VST3 plugin"));
    for (const auto& w : warnings)
        CHECK (isOneSentence (w));
    CHECK (rig.engine.getNodeFactory().takePluginWarnings().empty());
    CHECK (rig.engine.findPlugin (NodeKind::instrument, ghost.value) == nullptr);

    // The ghost's parameter still resolves (the model keeps it); its instrument is silent.
    rig.setParam (ParamAddress::instrument (ghost, ParamGroup::source, 0), 0.75f);
    rig.renderSeconds (0.01);
    CHECK (rig.engine.getParameterTargetWhileStopped (ParamAddress::instrument (ghost, ParamGroup::source, 0)) == Approx (0.75f));
    rig.engine.noteOn (ghost, 60, 1.0f);
    rig.engine.noteOn (sine, 69, 1.0f);
    const auto withStages = rig.renderSeconds (0.3);

    // The sine through two pass-through stages sounds exactly as without them.
    PluginRig plain;
    const auto plainSine = plain.addInstrument (model::BuiltInSource::sine);
    plain.engine.noteOn (plainSine, 69, 1.0f);
    const auto withoutStages = plain.renderSeconds (0.3);
    CHECK (peak (withStages, 0, withStages.size()) > 0.1f);
    CHECK (withStages == withoutStages);
}

TEST_CASE ("plugins LV2 state that is corrupt or another plugin's is refused whole", "[plugins][lv2]")
{
    PluginRig rig;
    auto delayState = [&]
    {
        juce::String error;
        auto instance = rig.host().createInstance (lv2Ref (delayUri), 48000.0, 256, error);
        REQUIRE (instance != nullptr);
        return engine::PluginHost::captureState (*instance);
    }();

    auto garbage = lv2Ref (jx10Uri);
    garbage.state = { 0xde, 0xad, 0xbe, 0xef, '@', 'p', 'r', 'e', 'f', 'i', 'x' };
    auto foreign = lv2Ref (jx10Uri);
    foreign.state = delayState;
    auto truncated = lv2Ref (jx10Uri);
    {
        PluginRig other;
        const auto id = other.addPluginInstrument (lv2Ref (jx10Uri));
        other.setParam (ParamAddress::instrument (id, ParamGroup::source, 6), 0.1f);
        other.renderSeconds (0.02);
        other.applyAll (captured (other));
        const auto& good = other.session.instruments.find (id)->source.plugin.state;
        REQUIRE (good.size() > 40);
        CHECK (engine::PluginHost::checkState (truncated, good).isEmpty());
        truncated.state.assign (good.begin(), good.begin() + (std::ptrdiff_t) good.size() / 2);
    }

    for (const auto& [ref, expected] : { std::pair { garbage, "cannot be read" }, std::pair { foreign, "belongs to another plugin" }, std::pair { truncated, "cannot be read" } })
    {
        const auto id = rig.addPluginInstrument (ref);
        const auto warnings = rig.engine.getNodeFactory().takePluginWarnings();
        REQUIRE (warnings.size() == 1);
        CHECK (warnings[0].contains (expected));
        CHECK (isOneSentence (warnings[0]));
        auto* jx10 = rig.engine.findPlugin (NodeKind::instrument, id.value);
        REQUIRE (jx10 != nullptr);
        CHECK (jx10->getParameters()[6]->getValue() == Approx (0.9f).margin (1.0e-4)); // VCF Freq's default
    }
}

TEST_CASE ("plugins parameters follow automation lanes on their ticks while the song plays", "[plugins][automation]")
{
    for (const auto& ref : { testSynthRef(), lv2Ref (jx10Uri) })
    {
        PluginRig rig;
        const auto id = rig.addPluginInstrument (ref);
        auto* plugin = rig.engine.findPlugin (NodeKind::instrument, id.value);
        REQUIRE (plugin != nullptr);
        const auto target = model::ParamAddress::instrument (id, model::ParamGroup::source, 0);
        const model::LaneId lane { rig.act (model::action::AddLane { { model::AutomationTargetKind::parameter, target } }) };
        rig.act (model::action::SetPoint { lane, { 0, 0.1f, model::CurveType::linear } });
        rig.act (model::action::SetPoint { lane, { 1920, 0.9f, model::CurveType::sCurve } });
        rig.act (model::action::Play {});

        const auto& points = rig.session.automation.find (lane)->points;
        const double ticksPerBlock = EngineRig::blockSize * 120.0 * model::ticksPerBeat / 60.0 / EngineRig::sampleRate;
        std::vector<float> l, r;
        for (int b = 1; b <= 400; ++b)
        {
            rig.render (1, l, r);
            if (b % 25 != 0)
                continue;
            // The plugin takes one value per block: the lane's value at the block's last tick.
            INFO (plugin->getName() << " block " << b);
            CHECK (plugin->getParameters()[0]->getValue() == Approx (*points.valueAtTick (b * ticksPerBlock)).margin (2.0e-3));
        }
        CHECK (plugin->getParameters()[0]->getValue() == Approx (0.9f).margin (2.0e-3)); // the lane's end
    }
}
