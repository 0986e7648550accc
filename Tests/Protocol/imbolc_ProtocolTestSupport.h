#pragma once

#include <imbolc_TestHelpers.h>
#include <imbolc_protocol/imbolc_protocol.h>
#include <imbolc_generated.h>

#include <random>

namespace imbolc::test
{

/** The reference sessions, built once per test run (the large one takes a moment). */
inline const model::Session& smallReference()
{
    static const auto session = model::makeReferenceSession (model::ReferenceSize::small);
    return session;
}

inline const model::Session& largeReference()
{
    static const auto session = model::makeReferenceSession (model::ReferenceSize::large);
    return session;
}

/** A valid session that sets every field the schema has, each to something other than its default
    where it can: plugin, SynthDef and audio-input sources, a plugin effect, an enabled LFO, groove, pre
    and post sends, a bus output, clips with automation, placements, a loop, every curve type, and a
    running transport (which loading must stop). Values are short decimals so that JSON reproduces them.
*/
inline model::Session makeEveryFieldSession()
{
    using namespace model;
    Session s;
    s.settings.name = "Every field";
    s.settings.bpm = 97.5;
    s.settings.timeSigNumerator = 7;
    s.settings.timeSigDenominator = 8;
    s.settings.key = 4;
    s.settings.scale = Scale::dorian;
    s.settings.swing = 0.25f;
    s.settings.loop = { true, 480, 7680 };

    const auto verb = s.allocateId<BusId>();
    const auto pluginBus = s.allocateId<BusId>();
    {
        Stage reverb;
        reverb.id = s.allocateId<StageId>();
        reverb.kind = StageKind::effect;
        reverb.effect = EffectType::reverb;
        reverb.bypassed = true;
        reverb.params = makeEffectParameters (EffectType::reverb);
        s.mixer.buses.add ({ verb, "Verb", 0.5f, 0.25f, true, false, { reverb } });

        Stage hosted;
        hosted.id = s.allocateId<StageId>();
        hosted.kind = StageKind::effect;
        hosted.effect = EffectType::plugin;
        hosted.plugin = { PluginFormat::lv2, "urn:example:plugin", "Example FX", { 0, 1, 2, 255 } };
        hosted.params = { { "mix", 0.5f, 0.0f, 1.0f, 0.25f } };
        s.mixer.buses.add ({ pluginBus, "Plugin bus", 1.75f, -1.0f, false, true, { hosted } });

        Stage eq;
        eq.id = s.allocateId<StageId>();
        eq.kind = StageKind::eq;
        eq.params = makeEqParameters();
        s.mixer.master = { 1.5f, true, { eq } };
    }

    // A hosted synth with its opaque state, a filter, an LFO on that filter, and every strip field.
    Instrument synth;
    synth.id = s.allocateId<InstrumentId>();
    synth.name = "Plugin synth";
    synth.source.kind = SourceKind::plugin;
    synth.source.plugin = { PluginFormat::vst3, "Example.vst3|0123456789ABCDEF", "Example Synth", { 0, 1, 2, 3, 0, 254, 255 } };
    synth.source.params = { { "cutoff", 0.5f, 0.0f, 1.0f, 0.75f }, { "drive", -3.0f, -12.0f, 12.0f, 0.0f } };
    {
        Stage filter;
        filter.id = s.allocateId<StageId>();
        filter.kind = StageKind::filter;
        filter.filter = FilterType::highPass;
        filter.params = makeFilterParameters (FilterType::highPass);
        synth.chain.push_back (filter);
    }
    synth.lfo = { true, LfoShape::triangle, 2.5f, 0.75f, ParamAddress::stage (NodeKind::instrument, synth.id.value, synth.chain[0].id, 0) };
    synth.amp = { 0.01f, 0.2f, 0.5f, 1.5f };
    synth.voiceCap = 16;
    synth.strip = { 1.25f, -0.5f, false, true, verb, { { pluginBus, 0.5f, true } } };
    synth.groove = { 0.5f, 0.25f, true, ArpMode::random, 8, 3 };
    synth.midiChannel = 5;
    synth.recordArmed = true;
    synth.midiOutputChannel = 12;

    // A SuperCollider SynthDef with a hosted effect and two sends, one pre and one post.
    Instrument scsynth;
    scsynth.id = s.allocateId<InstrumentId>();
    scsynth.name = "SynthDef voice";
    scsynth.backend = Backend::superCollider;
    scsynth.source.kind = SourceKind::synthDef;
    scsynth.source.synthDef = "imbolc_fm";
    {
        Stage hosted;
        hosted.id = s.allocateId<StageId>();
        hosted.kind = StageKind::effect;
        hosted.effect = EffectType::plugin;
        hosted.plugin = { PluginFormat::vst3, "Chorus.vst3|FEDCBA9876543210", "Chorus", { 42 } };
        hosted.params = { { "rate", 1.5f, 0.1f, 10.0f, 1.0f } };
        scsynth.chain.push_back (hosted);
    }
    scsynth.strip.sends = { { verb, 1.0f, false }, { pluginBus, 0.125f, true } };
    scsynth.lfo.shape = LfoShape::square;

    // A live input with a sampler setting and the master as output.
    Instrument input;
    input.id = s.allocateId<InstrumentId>();
    input.name = "Mic";
    input.source.kind = SourceKind::audioInput;
    input.source.builtIn = BuiltInSource::sampler;
    input.source.samplePath = "samples/unused.wav";
    input.source.inputChannel = 3;
    input.source.monitoring = false;
    // An audio track's clips, kept while it is an input (for undo and switching back).
    input.source.clips = { { "Song Audio/Mic-take.wav", 954, 17, 48000, 0.5f }, { "/tmp/Imbolc recordings/Mic-take-2.wav", 9600, 0, 10, 1.0f } };
    input.groove.arpMode = ArpMode::upDown;
    // It was a drum kit once, and keeps the kit for switching back: every drum field, a sample pad,
    // a step past the length, and steps with and without velocity and probability.
    input.drums = makeDefaultDrumKit();
    input.drums.steps = 24;
    input.drums.stepsPerBeat = 3;
    input.drums.swing = 0.5f;
    input.drums.pads[4] = { DrumPadKind::sample, "Clap sample", "samples/clap.wav", 1.5f, -2.5f, 0.75f };
    input.drums.pads[11].name = "";
    input.drums.rows[0][0] = { true, 127, 1.0f };
    input.drums.rows[0][23] = { true, 1, 0.25f };
    input.drums.rows[4][63] = { true, 64, 0.5f };
    input.drums.rows[9][5] = { false, 33, 0.75f };
    input.midiChannel = 16;

    s.instruments.add (synth);
    s.instruments.add (scsynth);
    s.instruments.add (input);

    auto note = [&s] (Tick tick, Tick duration, int pitch, int velocity, float probability)
    {
        return Note { s.allocateId<NoteId>(), tick, duration, (std::uint8_t) pitch, (std::uint8_t) velocity, probability };
    };

    Track synthTrack { synth.id, {} };
    synthTrack.insert (note (0, 240, 60, 100, 1.0f));
    synthTrack.insert (note (0, 480, 64, 90, 0.5f));
    synthTrack.insert (note (960, 120, 127, 1, 0.0f));
    s.pianoRoll.add (synthTrack);
    Track scTrack { scsynth.id, {} };
    scTrack.insert (note (1440, 960, 0, 127, 0.25f));
    s.pianoRoll.add (scTrack);
    s.pianoRoll.add (Track { input.id, {} });

    const auto cutoff = ParamAddress::stage (NodeKind::instrument, synth.id.value, synth.chain[0].id, 0);
    Lane cutoffLane { s.allocateId<LaneId>(), { AutomationTargetKind::parameter, cutoff }, true, {} };
    cutoffLane.points.points = { { 0, 100.0f, CurveType::linear },
                                 { 480, 200.0f, CurveType::exponential },
                                 { 960, 300.0f, CurveType::step },
                                 { 1440, 400.0f, CurveType::sCurve } };
    s.automation.add (cutoffLane);
    Lane tempoLane { s.allocateId<LaneId>(), { AutomationTargetKind::bpm, {} }, false, {} };
    tempoLane.points.points = { { 0, 90.0f, CurveType::step }, { 3840, 140.5f, CurveType::linear } };
    s.automation.add (tempoLane);
    Lane swingLane { s.allocateId<LaneId>(), { AutomationTargetKind::swing, {} }, true, {} };
    swingLane.points.points = { { 100, 0.125f, CurveType::sCurve } };
    s.automation.add (swingLane);
    const auto busPan = ParamAddress { NodeKind::bus, pluginBus.value, ParamGroup::strip, 0, (std::uint16_t) StripParam::pan };
    s.automation.add (Lane { s.allocateId<LaneId>(), { AutomationTargetKind::parameter, busPan }, true, { { { 0, -0.5f, CurveType::exponential } } } });

    Clip riff;
    riff.id = s.allocateId<ClipId>();
    riff.name = "Riff";
    riff.instrument = synth.id;
    riff.length = 1920;
    riff.notes = { note (0, 240, 67, 80, 1.0f), note (240, 240, 69, 81, 0.75f) };
    riff.automation = { { { AutomationTargetKind::parameter, ParamAddress::instrument (synth.id, ParamGroup::amp, (std::uint16_t) AmpParam::attack) },
                          { { { 0, 0.5f, CurveType::linear }, { 960, 1.0f, CurveType::sCurve } } } },
                        { { AutomationTargetKind::bpm, {} }, { { { 0, 120.0f, CurveType::step } } } } };
    s.arrangement.clips.add (riff);

    Clip empty;
    empty.id = s.allocateId<ClipId>();
    empty.name = "";
    empty.instrument = input.id;
    empty.length = 1;
    s.arrangement.clips.add (empty);

    s.arrangement.placements.add ({ s.allocateId<PlacementId>(), riff.id, 0, 0 });
    s.arrangement.placements.add ({ s.allocateId<PlacementId>(), riff.id, 1920, 960 });
    s.arrangement.placements.add ({ s.allocateId<PlacementId>(), empty.id, 3840, 0 });
    s.arrangement.mode = PlayMode::song;

    // Macros: an inverted one on the synth's filter, one on a bus's pan at the last slot, and an
    // unassigned slot that keeps a span.
    s.macros[0] = { true, cutoff, 8000.0f, 40.0f };
    s.macros[3] = { false, {}, 0.25f, 0.75f };
    s.macros[15] = { true, busPan, -1.0f, 0.5f };

    // Record options and two learned controllers: pitch bend inverted on the filter, a CC on a bus's pan.
    s.settings.recordMode = RecordMode::replace;
    s.settings.countInBars = 2;
    s.settings.pluginIsolation = PluginIsolation::perPlugin;
    s.settings.midiMappings.push_back ({ MidiSource::pitchBend, 0, 0, cutoff, 8000.0f, 40.0f, MidiCurve::exponential });
    s.settings.midiMappings.push_back ({ MidiSource::controller, 16, 74, busPan, -1.0f, 1.0f, MidiCurve::logarithmic });

    s.transport = { true, true, true, 960 };
    s.nextId += 5; // ids handed out and since deleted: nextId is stored as it is, not recomputed
    return s;
}

/** What loading a session gives back: the same session, stopped. */
inline model::Session stopped (model::Session s)
{
    s.transport.playing = false;
    s.transport.recording = false;
    return s;
}

/** Rewrites a project buffer's checksum after a test edited it, so that only the check under test fires. */
inline void rewriteChecksum (std::vector<std::uint8_t>& bytes)
{
    auto* project = fb::GetMutableProject (bytes.data());
    REQUIRE (project->mutate_checksum (0));
    REQUIRE (project->mutate_checksum (protocol::crc32 (bytes.data(), bytes.size())));
}

/** A fresh folder under the system temp folder, deleted with everything in it at the end of the test. */
struct TempFolder
{
    TempFolder()
    {
        folder = juce::File::getSpecialLocation (juce::File::tempDirectory)
                     .getNonexistentChildFile ("imbolc-protocol-test-" + juce::String (::getpid()), "", false);
        REQUIRE (folder.createDirectory().wasOk());
    }

    ~TempFolder() { folder.deleteRecursively(); }

    juce::File file (const juce::String& name) const { return folder.getChildFile (name); }

    /** Names of everything in the folder, sorted. */
    std::vector<std::string> names() const
    {
        std::vector<std::string> result;
        for (const auto& entry : juce::RangedDirectoryIterator (folder, false, "*", juce::File::findFilesAndDirectories | juce::File::ignoreHiddenFiles))
            result.push_back (entry.getFile().getFileName().toStdString());
        std::sort (result.begin(), result.end());
        return result;
    }

    std::vector<juce::File> temporaryFiles() const
    {
        std::vector<juce::File> result;
        for (const auto& entry : juce::RangedDirectoryIterator (folder, false, "*.tmp-*"))
            result.push_back (entry.getFile());
        return result;
    }

    juce::File folder;
};

inline std::vector<std::uint8_t> readBytes (const juce::File& f)
{
    juce::MemoryBlock block;
    REQUIRE (f.loadFileAsData (block));
    const auto* p = static_cast<const std::uint8_t*> (block.getData());
    return { p, p + block.getSize() };
}

} // namespace imbolc::test
