#include "imbolc_TestHelpers.h"

using namespace imbolc;
using namespace imbolc::model;
using test::applyOk;

namespace
{
/** Records which action kinds a test applied and rejected, to prove every kind is covered. */
struct Coverage
{
    std::set<std::size_t> applied, rejected;
};

/** The rejection contract: an error sentence, and no change at all (session and undo history). */
void expectRejected (Dispatcher& d, const Action& a, Coverage& coverage, const std::string& fragment = {})
{
    const auto before = d.getSession();
    const auto historyBefore = d.getHistory();
    const auto r = d.apply (a);
    INFO (actionName (a));
    REQUIRE_FALSE (r.ok());
    CHECK_FALSE (r.error.empty());
    CHECK (r.error.back() == '.');
    if (! fragment.empty())
        CHECK_THAT (r.error, Catch::Contains (fragment));
    CHECK (d.getSession() == before);
    CHECK (d.getHistory().hasSameEntries (historyBefore)); // not only the depths: no entry replaced either
    coverage.rejected.insert (a.index());
}

ApplyResult expectApplied (Dispatcher& d, const Action& a, Coverage& coverage)
{
    auto r = applyOk (d, a);
    CHECK (validate (d.getSession()).empty());
    coverage.applied.insert (a.index());
    return r;
}

const float notANumber = std::numeric_limits<float>::quiet_NaN();
} // namespace

TEST_CASE ("Every action kind applies and every action that can be invalid is rejected without a trace", "[model]")
{
    test::Fixture f;
    auto& d = f.dispatcher;
    auto& s = f.session;
    Coverage cov;
    const InstrumentId ghost { 999999 };

    // Instruments -------------------------------------------------------------
    Source saw;
    const auto a = InstrumentId { expectApplied (d, action::AddInstrument { "A", saw }, cov).createdId };
    REQUIRE (s.instruments.find (a)->source.params.size() == makeParameters (BuiltInSource::saw).size());
    Source bad;
    bad.builtIn = (BuiltInSource) 99;
    expectRejected (d, action::AddInstrument { "bad", bad }, cov, "unknown built-in source");
    expectRejected (d, action::AddInstrument { std::string (300, 'x'), saw }, cov, "bytes long");

    const auto b = InstrumentId { expectApplied (d, action::DuplicateInstrument { a }, cov).createdId };
    CHECK (s.instruments.find (b)->name == "A copy");
    CHECK (s.instruments.indexOf (b) == s.instruments.indexOf (a) + 1);
    expectRejected (d, action::DuplicateInstrument { ghost }, cov, "no instrument");

    expectApplied (d, action::RenameInstrument { b, "B" }, cov);
    CHECK (s.instruments.find (b)->name == "B");
    expectRejected (d, action::RenameInstrument { ghost, "x" }, cov);

    expectApplied (d, action::MoveInstrument { b, 0 }, cov);
    CHECK (s.instruments.indexOf (b) == 0);
    expectApplied (d, action::MoveInstrument { b, 99 }, cov); // past the end: last, which is where it was
    CHECK (s.instruments.indexOf (b) == s.instruments.indexOf (a) + 1);
    expectRejected (d, action::MoveInstrument { ghost, 0 }, cov, "no instrument 999999");
    expectRejected (d, action::MoveInstrument { b, -1 }, cov, "Position -1");

    Source fm;
    fm.builtIn = BuiltInSource::fm;
    expectApplied (d, action::SetSource { b, fm }, cov);
    CHECK (s.instruments.find (b)->source.builtIn == BuiltInSource::fm);
    Source nanSource = fm;
    nanSource.params = makeParameters (BuiltInSource::fm);
    nanSource.params[0].value = notANumber;
    expectRejected (d, action::SetSource { b, nanSource }, cov);

    expectApplied (d, action::SetBackend { b, Backend::superCollider }, cov);
    expectRejected (d, action::SetBackend { b, (Backend) 9 }, cov);

    expectApplied (d, action::SetVoiceCap { a, 8 }, cov);
    CHECK (s.instruments.find (a)->voiceCap == 8);
    expectRejected (d, action::SetVoiceCap { a, 0 }, cov);

    const auto level = ParamAddress::instrument (a, ParamGroup::strip, (std::uint16_t) StripParam::level);
    expectApplied (d, action::SetParam { level, 0.5f }, cov);
    CHECK (s.instruments.find (a)->strip.level == 0.5f);
    expectRejected (d, action::SetParam { level, 7.0f }, cov, "outside the range");
    expectRejected (d, action::SetParam { level, notANumber }, cov, "not a finite number");
    expectRejected (d, action::SetParam { ParamAddress::instrument (ghost, ParamGroup::strip, 0), 0.5f }, cov, "no parameter");

    const auto detune = ParamAddress::instrument (a, ParamGroup::source, 1);
    expectApplied (d, action::SetLfo { a, true, LfoShape::triangle, detune }, cov);
    CHECK (s.instruments.find (a)->lfo.target == detune);
    expectRejected (d, action::SetLfo { a, true, LfoShape::sine, ParamAddress::instrument (b, ParamGroup::source, 0) }, cov, "own instrument");

    expectApplied (d, action::SetGroove { a, Groove { 0.5f, 0.5f, true, ArpMode::down, 8, 2 } }, cov);
    expectRejected (d, action::SetGroove { a, Groove { 2.0f, 0.0f, false, ArpMode::up, 4, 1 } }, cov);

    // Chains --------------------------------------------------------------------
    Stage lowPass;
    lowPass.kind = StageKind::filter;
    const auto filter = StageId { expectApplied (d, action::AddStage { NodeKind::instrument, a.value, lowPass }, cov).createdId };
    Stage delay;
    delay.kind = StageKind::effect;
    delay.effect = EffectType::delay;
    const auto echo = StageId { expectApplied (d, action::AddStage { NodeKind::instrument, a.value, delay, 0 }, cov).createdId };
    CHECK (s.instruments.find (a)->chain.front().id == echo);
    expectRejected (d, action::AddStage { NodeKind::instrument, a.value, delay, 5 }, cov, "outside the chain");

    expectApplied (d, action::MoveStage { NodeKind::instrument, a.value, echo, 1 }, cov);
    CHECK (s.instruments.find (a)->chain.back().id == echo);
    expectRejected (d, action::MoveStage { NodeKind::instrument, a.value, StageId { 424242 }, 0 }, cov, "no stage");

    expectApplied (d, action::SetStageBypass { NodeKind::instrument, a.value, echo, true }, cov);
    CHECK (s.instruments.find (a)->findStage (echo)->bypassed);
    expectRejected (d, action::SetStageBypass { NodeKind::bus, 31337, echo, true }, cov, "no bus");

    expectApplied (d, action::RemoveStage { NodeKind::instrument, a.value, echo }, cov);
    CHECK (s.instruments.find (a)->findStage (echo) == nullptr);
    expectRejected (d, action::RemoveStage { NodeKind::instrument, a.value, echo }, cov);

    Source plugin;
    plugin.kind = SourceKind::plugin;
    plugin.plugin = { PluginFormat::lv2, "http://drobilla.net/plugins/mda/JX10", "JX10", {} };
    const auto p = InstrumentId { expectApplied (d, action::AddInstrument { "Plugin", plugin }, cov).createdId };
    expectApplied (d, action::SetPluginState { NodeKind::instrument, p.value, {}, { 1, 2, 3 } }, cov);
    CHECK (s.instruments.find (p)->source.plugin.state == std::vector<std::uint8_t> { 1, 2, 3 });
    expectRejected (d, action::SetPluginState { NodeKind::instrument, a.value, {}, { 1 } }, cov, "not a plugin");

    // Mixer ---------------------------------------------------------------------
    const auto bus = BusId { expectApplied (d, action::AddBus { "Verb" }, cov).createdId };
    expectRejected (d, action::AddBus { std::string (1000, 'b') }, cov);
    expectApplied (d, action::RenameBus { bus, "Reverb" }, cov);
    expectRejected (d, action::RenameBus { BusId { 4 }, "x" }, cov);

    expectApplied (d, action::SetMute { NodeKind::instrument, a.value, true }, cov);
    CHECK (s.instruments.find (a)->strip.mute);
    expectRejected (d, action::SetMute { NodeKind::bus, 123456, true }, cov);
    expectApplied (d, action::SetSolo { NodeKind::bus, bus.value, true }, cov);
    CHECK (s.mixer.buses.find (bus)->solo);
    expectRejected (d, action::SetSolo { NodeKind::master, 0, true }, cov, "cannot be soloed");

    expectApplied (d, action::SetOutput { a, bus }, cov);
    CHECK (s.instruments.find (a)->strip.output == bus);
    expectRejected (d, action::SetOutput { a, BusId { 777777 } }, cov);

    expectApplied (d, action::AddSend { b, bus, 0.4f, false }, cov);
    expectRejected (d, action::AddSend { b, bus, 0.4f, false }, cov, "already sends");
    expectApplied (d, action::SetSendTap { b, bus, true }, cov);
    CHECK (s.instruments.find (b)->strip.sends.at (0).preInsert);
    expectRejected (d, action::SetSendTap { a, bus, true }, cov, "no send");
    const auto sendLevel = ParamAddress::instrument (b, ParamGroup::send, 0, bus.value);
    expectApplied (d, action::SetParam { sendLevel, 1.5f }, cov);
    CHECK (s.instruments.find (b)->strip.sends.at (0).level == 1.5f);
    expectApplied (d, action::RemoveSend { b, bus }, cov);
    expectRejected (d, action::RemoveSend { b, bus }, cov);

    // Piano roll ----------------------------------------------------------------
    const auto n1 = NoteId { expectApplied (d, action::AddNote { a, Note { {}, 960, 240, 64, 100, 1.0f } }, cov).createdId };
    const auto n2 = NoteId { expectApplied (d, action::AddNote { a, Note { {}, 0, 240, 60, 100, 1.0f } }, cov).createdId };
    CHECK (s.pianoRoll.find (a)->notes.front().id == n2);
    expectRejected (d, action::AddNote { a, Note { {}, 0, 240, 200, 100, 1.0f } }, cov, "pitch");
    expectRejected (d, action::AddNote { a, Note { {}, -5, 240, 60, 100, 1.0f } }, cov);
    expectApplied (d, action::MoveNote { a, n1, 0, 50 }, cov);
    CHECK (s.pianoRoll.find (a)->notes.front().id == n1); // (0, 50) sorts before (0, 60)
    CHECK (s.pianoRoll.find (a)->isSorted());
    expectRejected (d, action::MoveNote { a, NoteId { 55555 }, 0, 50 }, cov, "no note");
    expectApplied (d, action::ResizeNote { a, n1, 960 }, cov);
    CHECK (s.pianoRoll.find (a)->find (n1)->duration == 960);
    expectRejected (d, action::ResizeNote { a, n1, 0 }, cov);
    expectApplied (d, action::SetNoteVelocity { a, n1, 30, 0.5f }, cov);
    expectRejected (d, action::SetNoteVelocity { a, n1, 0, 0.5f }, cov);
    expectRejected (d, action::SetNoteVelocity { a, n1, 30, notANumber }, cov);
    expectApplied (d, action::DeleteNote { a, n2 }, cov);
    expectRejected (d, action::DeleteNote { a, n2 }, cov);
    const auto n3 = NoteId { expectApplied (d, action::EditNotes { a, {}, {}, {}, { Note { {}, 480, 120, 67, 90, 1.0f } } }, cov).createdId };
    CHECK (s.pianoRoll.find (a)->find (n3)->pitch == 67);
    expectRejected (d, action::EditNotes { a, {}, { n3, n3 } }, cov, "twice");

    // Automation ----------------------------------------------------------------
    const AutomationTarget cutoff { AutomationTargetKind::parameter, ParamAddress::stage (NodeKind::instrument, a.value, filter, 0) };
    const auto lane = LaneId { expectApplied (d, action::AddLane { cutoff }, cov).createdId };
    expectRejected (d, action::AddLane { cutoff }, cov, "already automates");
    expectApplied (d, action::SetPoint { lane, Point { 0, 500.0f, CurveType::linear } }, cov);
    expectApplied (d, action::SetPoint { lane, Point { 480, 900.0f, CurveType::sCurve } }, cov);
    expectRejected (d, action::SetPoint { lane, Point { 0, 50000.0f, CurveType::linear } }, cov, "outside the range");
    expectApplied (d, action::MovePoint { lane, 480, Point { 960, 800.0f, CurveType::step } }, cov);
    CHECK (s.automation.find (lane)->points.find (960)->value == 800.0f);
    CHECK (s.automation.find (lane)->points.find (480) == nullptr);
    expectRejected (d, action::MovePoint { lane, 480, Point { 960, 800.0f, CurveType::step } }, cov, "no point");
    expectApplied (d, action::DeletePoint { lane, 960 }, cov);
    expectRejected (d, action::DeletePoint { lane, 960 }, cov);
    expectApplied (d, action::EditPoints { lane, { 0 }, { Point { 240, 700.0f, CurveType::exponential, 50 } } }, cov);
    CHECK (s.automation.find (lane)->points.points == std::vector<Point> { Point { 240, 700.0f, CurveType::exponential, 50 } });
    expectRejected (d, action::EditPoints { lane, { 0 } }, cov, "no point at tick 0");
    expectApplied (d, action::SetLaneEnabled { lane, false }, cov);
    expectRejected (d, action::SetLaneEnabled { LaneId { 31 }, false }, cov);
    const auto bpmLane = LaneId { expectApplied (d, action::AddLane { { AutomationTargetKind::bpm, {} } }, cov).createdId };
    expectRejected (d, action::SetPoint { bpmLane, Point { 0, 5.0f, CurveType::linear } }, cov, "tempo");
    expectApplied (d, action::RemoveLane { bpmLane }, cov);
    expectRejected (d, action::RemoveLane { bpmLane }, cov);

    // Arrangement ---------------------------------------------------------------
    const auto clip = ClipId { expectApplied (d, action::AddClip { a, "Riff", 1920, true }, cov).createdId };
    CHECK (s.arrangement.clips.find (clip)->notes.size() == s.pianoRoll.find (a)->notes.size());
    expectRejected (d, action::AddClip { a, "Riff", 0, true }, cov, "positive length");
    expectApplied (d, action::RenameClip { clip, "Hook" }, cov);
    expectApplied (d, action::SetClipLength { clip, 3840 }, cov);
    CHECK (s.arrangement.clips.find (clip)->length == 3840);
    expectRejected (d, action::SetClipLength { clip, -1 }, cov, "positive length");
    expectRejected (d, action::RenameClip { ClipId { 2 }, "x" }, cov);
    const auto place = PlacementId { expectApplied (d, action::AddPlacement { clip, 1920 }, cov).createdId };
    expectRejected (d, action::AddPlacement { clip, -1 }, cov);
    expectApplied (d, action::MovePlacement { place, 3840 }, cov);
    CHECK (s.arrangement.placements.find (place)->start == 3840);
    expectRejected (d, action::MovePlacement { place, -3840 }, cov);
    expectApplied (d, action::ResizePlacement { place, 960 }, cov);
    expectRejected (d, action::ResizePlacement { PlacementId { 3 }, 960 }, cov);
    expectApplied (d, action::SetPlayMode { PlayMode::song }, cov);
    expectRejected (d, action::SetPlayMode { (PlayMode) 3 }, cov);
    expectApplied (d, action::DeletePlacement { place }, cov);
    expectRejected (d, action::DeletePlacement { place }, cov);
    expectApplied (d, action::AddPlacement { clip, 0 }, cov);
    expectApplied (d, action::DeleteClip { clip }, cov);
    CHECK (s.arrangement.placements.empty()); // its placements went with it
    expectRejected (d, action::DeleteClip { clip }, cov);

    // Session -------------------------------------------------------------------
    expectApplied (d, action::RenameSession { "Song" }, cov);
    expectRejected (d, action::RenameSession { std::string ("a\0b", 3) }, cov, "NUL");
    expectApplied (d, action::SetBpm { 140.0 }, cov);
    expectRejected (d, action::SetBpm { 0.0 }, cov, "tempo");
    expectRejected (d, action::SetBpm { std::numeric_limits<double>::infinity() }, cov);
    expectApplied (d, action::SetTimeSignature { 7, 8 }, cov);
    expectRejected (d, action::SetTimeSignature { 4, 3 }, cov, "denominator");
    expectApplied (d, action::SetKey { 2, Scale::dorian }, cov);
    expectRejected (d, action::SetKey { 12, Scale::major }, cov);
    expectApplied (d, action::SetSwing { 0.25f }, cov);
    expectRejected (d, action::SetSwing { 1.5f }, cov);
    expectApplied (d, action::SetLoop { { true, 480, 960 } }, cov);
    expectRejected (d, action::SetLoop { { true, 960, 480 } }, cov, "loop");

    // Transport -----------------------------------------------------------------
    expectApplied (d, action::Play {}, cov);
    CHECK (s.transport.playing);
    expectApplied (d, action::Locate { 1234 }, cov);
    CHECK (s.transport.position == 1234);
    expectRejected (d, action::Locate { -1 }, cov);
    expectApplied (d, action::SetRecording { true }, cov);
    expectApplied (d, action::SetAutomationRecording { true }, cov);
    expectApplied (d, action::SetAutomationRecording { false }, cov);
    expectApplied (d, action::Stop {}, cov);
    CHECK_FALSE (s.transport.playing);
    CHECK_FALSE (s.transport.recording);

    // Drum kits (imbolc_DrumKitTests.cpp has the rest) ----------------------------
    Source drums;
    drums.builtIn = BuiltInSource::drumKit;
    const auto kit = InstrumentId { expectApplied (d, action::AddInstrument { "Kit", drums }, cov).createdId };
    expectApplied (d, action::SetDrumStep { kit, 0, 4, { true, 90, 1.0f } }, cov);
    expectRejected (d, action::SetDrumStep { kit, 12, 0, { true, 90, 1.0f } }, cov, "Pad 12");
    expectApplied (d, action::SetDrumSteps { kit, { { 1, 0, { true, 100, 0.5f } }, { 1, 1, { true, 100, 0.5f } } } }, cov);
    expectRejected (d, action::SetDrumSteps { kit, { { 1, 2, { true, 100, 1.0f } }, { 1, 16, { true, 100, 1.0f } } } }, cov, "Step 16");
    auto pad = s.instruments.find (kit)->drums.pads[2];
    pad.level = 0.5f;
    expectApplied (d, action::SetDrumPad { kit, 2, pad }, cov);
    pad.tune = notANumber;
    expectRejected (d, action::SetDrumPad { kit, 2, pad }, cov, "tune");
    expectApplied (d, action::SetDrumPattern { kit, 32, 4, 0.5f }, cov);
    expectRejected (d, action::SetDrumPattern { kit, 65, 4, 0.0f }, cov, "65 steps");

    // Macros and MIDI channels (imbolc_MacroTests.cpp has the rest) ---------------
    const auto macroLevel = ParamAddress::instrument (a, ParamGroup::strip, (std::uint16_t) StripParam::level);
    expectApplied (d, action::SetMacro { 0, Macro { true, macroLevel, 0.0f, 1.5f } }, cov);
    CHECK (s.macros[0] == Macro { true, macroLevel, 0.0f, 1.5f });
    expectRejected (d, action::SetMacro { 16, Macro { true, macroLevel, 0.0f, 1.0f } }, cov, "no macro 17");
    expectRejected (d, action::SetMacro { 1, Macro { true, macroLevel, 0.0f, 3.0f } }, cov, "outside the range");
    expectApplied (d, action::SetMidiChannel { a, 3 }, cov);
    CHECK (s.instruments.find (a)->midiChannel == 3);
    expectRejected (d, action::SetMidiChannel { a, 17 }, cov, "MIDI channel 17");
    expectApplied (d, action::SetRecordArm { a, true }, cov);
    CHECK (s.instruments.find (a)->recordArmed);
    expectRejected (d, action::SetRecordArm { InstrumentId { 999 }, true }, cov, "no instrument 999");

    // Record options and MIDI mappings (imbolc_MidiMappingTests.cpp has the rest) ---------------
    expectApplied (d, action::SetRecordOptions { RecordMode::replace, 2 }, cov);
    CHECK (s.settings.recordMode == RecordMode::replace);
    CHECK (s.settings.countInBars == 2);
    expectRejected (d, action::SetRecordOptions { RecordMode::overdub, 3 }, cov, "count-in of 3 bars");

    // Where plugins run: a session-wide setting that moves every plugin --------------------
    {
        const auto r = expectApplied (d, action::SetPluginIsolation { PluginIsolation::perPlugin }, cov);
        CHECK (s.settings.pluginIsolation == PluginIsolation::perPlugin);
        CHECK (r.changes.audio == std::vector<AudioEffect> { AudioEffect::forId (AudioEffect::Kind::pluginIsolation, 0) });
        CHECK (r.changes.net.settings);
        CHECK (editName (s, action::SetPluginIsolation {}) == "Set Plugin Isolation");
    }
    expectRejected (d, action::SetPluginIsolation { (PluginIsolation) 3 }, cov, "Unknown plugin isolation");
    CHECK (s.settings.pluginIsolation == PluginIsolation::perPlugin);
    {
        // Undone, the plugins move back.
        const auto r = d.apply (action::Undo {});
        REQUIRE (r.ok());
        CHECK (s.settings.pluginIsolation == PluginIsolation::inProcess);
        CHECK (std::count (r.changes.audio.begin(), r.changes.audio.end(), AudioEffect::forId (AudioEffect::Kind::pluginIsolation, 0)) == 1);
        REQUIRE (d.apply (action::Redo {}).ok());
        CHECK (s.settings.pluginIsolation == PluginIsolation::perPlugin);
    }
    MidiMapping learned;
    learned.controller = 74;
    learned.param = macroLevel;
    expectApplied (d, action::AddMidiMapping { learned }, cov);
    CHECK (s.settings.midiMappings.size() == 1);
    auto badChannel = learned;
    badChannel.channel = 17;
    expectRejected (d, action::AddMidiMapping { badChannel }, cov, "MIDI channel 17");
    learned.curve = MidiCurve::logarithmic;
    expectApplied (d, action::ChangeMidiMapping { learned }, cov);
    CHECK (s.settings.midiMappings[0].curve == MidiCurve::logarithmic);
    auto unmapped = learned;
    unmapped.param = ParamAddress::instrument (a, ParamGroup::strip, (std::uint16_t) StripParam::pan);
    expectRejected (d, action::ChangeMidiMapping { unmapped }, cov, "No MIDI controller drives");
    expectApplied (d, action::RemoveMidiMapping { macroLevel }, cov);
    CHECK (s.settings.midiMappings.empty());
    expectRejected (d, action::RemoveMidiMapping { macroLevel }, cov, "No MIDI controller drives");
    expectApplied (d, action::SetMidiOutput { a, 10 }, cov);
    CHECK (s.instruments.find (a)->midiOutputChannel == 10);
    expectRejected (d, action::SetMidiOutput { a, 17 }, cov, "MIDI channel 17");

    // Audio clips (imbolc_AudioClipEditTests.cpp has the rest) ---------------------------------
    {
        Source track;
        track.kind = SourceKind::audioClips;
        track.clips = { AudioClip { "Song Audio/Take 1.wav", 0, 0, 48000, 1.0f } };
        const auto audio = InstrumentId { expectApplied (d, action::AddInstrument { "Audio", track }, cov).createdId };
        auto moved = track.clips[0];
        moved.start = 1920;
        expectApplied (d, action::EditAudioClip { audio, track.clips[0], moved }, cov);
        CHECK (s.instruments.find (audio)->source.clips == std::vector<AudioClip> { moved });
        auto loud = moved;
        loud.gain = 5.0f;
        expectRejected (d, action::EditAudioClip { audio, moved, loud }, cov, "gain of 5");
        expectRejected (d, action::EditAudioClip { audio, track.clips[0], moved }, cov, "no such audio clip");
        expectApplied (d, action::DeleteInstrument { audio }, cov);
    }

    // Removing a bus re-routes what used it; removing an instrument takes its track and lanes.
    expectApplied (d, action::RemoveBus { bus }, cov);
    CHECK_FALSE (s.instruments.find (a)->strip.output.isValid());
    expectRejected (d, action::RemoveBus { bus }, cov);
    expectApplied (d, action::DeleteInstrument { a }, cov);
    CHECK (s.pianoRoll.find (a) == nullptr);
    CHECK (s.automation.find (lane) == nullptr);
    CHECK_FALSE (s.macros[0].assigned); // and its macro
    expectRejected (d, action::DeleteInstrument { a }, cov);

    // History -------------------------------------------------------------------
    expectApplied (d, action::Undo {}, cov);
    CHECK (s.instruments.contains (a));
    expectApplied (d, action::Redo {}, cov);
    CHECK_FALSE (s.instruments.contains (a));
    expectRejected (d, action::Redo {}, cov, "nothing to redo");
    {
        test::Fixture empty;
        expectRejected (empty.dispatcher, action::Undo {}, cov, "nothing to undo");
    }

    // Coverage: every kind was applied; every kind that can be invalid was rejected.
    CHECK (cov.applied.size() == std::variant_size_v<Action>);
    const std::set<std::size_t> cannotFail { Action (action::Play {}).index(), Action (action::Stop {}).index(), Action (action::SetRecording {}).index(), Action (action::SetAutomationRecording {}).index() };
    for (std::size_t i = 0; i < std::variant_size_v<Action>; ++i)
        if (cannotFail.count (i) == 0)
        {
            INFO ("action kind " << i << " was never rejected");
            CHECK (cov.rejected.count (i) == 1);
        }
}

TEST_CASE ("A parameter tweak is targeted: one setParam one dirty instrument instrument undo scope", "[model]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    const auto other = f.addInstrument();
    const auto cutoff = ParamAddress::stage (NodeKind::instrument, a.value, f.firstStage (a), 0);

    const auto r = applyOk (f.dispatcher, action::SetParam { cutoff, 1234.0f });
    REQUIRE (r.changes.audio.size() == 1);
    CHECK (r.changes.audio[0] == AudioEffect::forParam (cutoff, 1234.0f));

    NetDirty expected;
    expected.instruments = { a };
    CHECK (r.changes.net == expected);
    CHECK (r.changes.undoScope == UndoScope { UndoScopeKind::instrument, a.value });
    CHECK_FALSE (r.changes.net.instruments.count (other));

    // Its undo entry holds one Instrument, not the session.
    auto entry = UndoHistory::snapshot (f.session, r.changes.undoScope);
    CHECK (std::holds_alternative<Instrument> (entry.data));
}

TEST_CASE ("A note add reports the note as an operation not the track", "[model]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    for (int i = 0; i < 100; ++i)
        applyOk (f.dispatcher, action::AddNote { a, Note { {}, i * 120, 120, 60, 100, 1.0f } });

    const Note note { {}, 480, 240, 67, 90, 0.75f };
    const auto r = applyOk (f.dispatcher, action::AddNote { a, note });
    REQUIRE (r.changes.audio.size() == 1);
    CHECK (r.changes.audio[0] == AudioEffect::forId (AudioEffect::Kind::updateTrack, a.value));

    REQUIRE (r.changes.net.noteOps.size() == 1);
    const auto& op = r.changes.net.noteOps[0];
    CHECK (op.kind == NoteOp::Kind::add);
    CHECK (op.instrument == a);
    CHECK (op.note.id == NoteId { r.createdId });
    CHECK (op.note.tick == 480);
    CHECK (op.note.pitch == 67);
    CHECK (r.changes.net.tracks.empty());
    CHECK_FALSE (r.changes.net.pianoRollStructural);
    CHECK_FALSE (r.changes.net.instrumentsStructural);
    CHECK (r.changes.undoScope == UndoScope { UndoScopeKind::track, a.value });
}

TEST_CASE ("An instrument add builds only that instrument and is a structural full-scope change", "[model]")
{
    test::Fixture f;
    f.addInstrument();
    Source s;
    s.builtIn = BuiltInSource::kick;
    const auto r = applyOk (f.dispatcher, action::AddInstrument { "Kick", s });
    REQUIRE (r.changes.audio.size() == 1);
    CHECK (r.changes.audio[0] == AudioEffect::forId (AudioEffect::Kind::addInstrument, r.createdId));
    CHECK (r.changes.net.instrumentsStructural);
    CHECK (r.changes.net.pianoRollStructural);
    CHECK_FALSE (r.changes.net.mixerStructural);
    CHECK (r.changes.undoScope.kind == UndoScopeKind::full);
    CHECK (f.session.pianoRoll.find (InstrumentId { r.createdId }) != nullptr);
}

namespace
{
std::vector<InstrumentId> rackOrder (const Session& s)
{
    std::vector<InstrumentId> ids;
    for (const auto& inst : s.instruments)
        ids.push_back (inst.id);
    return ids;
}

/** What a move, and the undo or redo of one, report: a rack sent whole and nothing for the engine. */
void checkOnlyTheRackTravels (const ApplyResult& r)
{
    CHECK (r.changes.audio.empty()); // the engine does not depend on the order
    NetDirty rack;
    rack.instrumentsStructural = true;
    CHECK (r.changes.net == rack);
    CHECK (r.changes.undoScope.kind == UndoScopeKind::full);
}
} // namespace

TEST_CASE ("MoveInstrument reorders the rack and one undo step restores the order", "[model]")
{
    test::Fixture f;
    auto& d = f.dispatcher;
    const auto a = f.addInstrument(), b = f.addInstrument(), c = f.addInstrument(), e = f.addInstrument();
    using Order = std::vector<InstrumentId>;
    REQUIRE (rackOrder (f.session) == Order { a, b, c, e });
    const auto depth = f.history.undoDepth();

    // First to last.
    checkOnlyTheRackTravels (applyOk (d, action::MoveInstrument { a, 3 }));
    CHECK (rackOrder (f.session) == Order { b, c, e, a });
    CHECK (f.history.undoDepth() == depth + 1);
    CHECK (f.history.peekUndoName() == "Move Instrument");
    CHECK (f.session.instruments.isConsistent());
    CHECK (validate (f.session).empty());

    // Undo and redo restore each order, still without an engine rebuild.
    checkOnlyTheRackTravels (applyOk (d, action::Undo {}));
    CHECK (rackOrder (f.session) == Order { a, b, c, e });
    CHECK (f.history.undoDepth() == depth);
    checkOnlyTheRackTravels (applyOk (d, action::Redo {}));
    CHECK (rackOrder (f.session) == Order { b, c, e, a });

    // Last to first; then a position past the end is the last.
    applyOk (d, action::MoveInstrument { a, 0 });
    CHECK (rackOrder (f.session) == Order { a, b, c, e });
    applyOk (d, action::MoveInstrument { b, 1000 });
    CHECK (rackOrder (f.session) == Order { a, c, e, b });
    applyOk (d, action::MoveInstrument { e, 1 });
    CHECK (rackOrder (f.session) == Order { a, e, c, b });
    CHECK (f.session.instruments.isConsistent());

    // Each move is its own undo step, taken back newest first.
    applyOk (d, action::Undo {});
    CHECK (rackOrder (f.session) == Order { a, c, e, b });
    applyOk (d, action::Undo {});
    CHECK (rackOrder (f.session) == Order { a, b, c, e });
    applyOk (d, action::Undo {});
    CHECK (rackOrder (f.session) == Order { b, c, e, a });

    // A move to where the instrument already is changes nothing: no undo entry, nothing to send.
    const auto history = f.history;
    const auto r = applyOk (d, action::MoveInstrument { c, 1 });
    CHECK (rackOrder (f.session) == Order { b, c, e, a });
    CHECK (r.changes.net.empty());
    CHECK (r.changes.audio.empty());
    CHECK (f.history.hasSameEntries (history));

    // Refusals leave the session and the history (redo entries included) alone.
    Coverage unused;
    REQUIRE (f.history.redoDepth() == 3);
    expectRejected (d, action::MoveInstrument { InstrumentId { 999999 }, 0 }, unused, "There is no instrument 999999.");
    expectRejected (d, action::MoveInstrument { a, -1 }, unused, "Position -1 is before the start of the rack.");
    CHECK (f.history.redoDepth() == 3);
}

TEST_CASE ("Undoing a full-scope edit that is more than a reorder still rebuilds the engine", "[model]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    f.addInstrument();
    applyOk (f.dispatcher, action::MoveInstrument { a, 1 });
    applyOk (f.dispatcher, action::DuplicateInstrument { a });
    const auto r = applyOk (f.dispatcher, action::Undo {});
    REQUIRE (r.changes.audio.size() == 1);
    CHECK (r.changes.audio[0].kind == AudioEffect::Kind::fullRebuild);
    CHECK (r.changes.net == NetDirty::everything());
}

TEST_CASE ("Bus chain edits rebuild only that bus", "[model]")
{
    test::Fixture f;
    f.addInstrument();
    const auto bus = applyOk (f.dispatcher, action::AddBus { "Verb" }).createdId;
    Stage reverb;
    reverb.kind = StageKind::effect;
    reverb.effect = EffectType::reverb;
    const auto r = applyOk (f.dispatcher, action::AddStage { NodeKind::bus, bus, reverb });
    REQUIRE (r.changes.audio.size() == 1);
    CHECK (r.changes.audio[0] == AudioEffect::forId (AudioEffect::Kind::rebuildBus, bus, NodeKind::bus));
    CHECK (r.changes.net.buses == std::set<BusId> { BusId { bus } });
    CHECK (r.changes.undoScope.kind == UndoScopeKind::session);
}

TEST_CASE ("Ids are never reused even after deletes and undo", "[model]")
{
    test::Fixture f;
    std::set<std::uint32_t> seen;
    for (int round = 0; round < 20; ++round)
    {
        const auto id = f.addInstrument();
        REQUIRE (seen.insert (id.value).second);
        REQUIRE (seen.insert (f.firstStage (id).value).second);
        if (round % 3 == 0)
            applyOk (f.dispatcher, action::DeleteInstrument { id });
        if (round % 4 == 0)
            applyOk (f.dispatcher, action::Undo {});
    }
    CHECK (validate (f.session).empty());
}

TEST_CASE ("No action takes a session past its maximum of instruments, undo and redo included", "[model]")
{
    test::FakeClock clock;
    auto session = test::sessionWithInstruments (Session::maxInstruments);
    REQUIRE (validate (session).empty());
    UndoHistory history { clock.function() };
    Dispatcher d { session, history };
    Coverage unused;
    const std::string full = "The session already has the maximum of 1024 instruments.";
    const auto first = session.instruments[0].id;

    applyOk (d, action::RenameInstrument { first, "Lead" }); // a history the refusals must leave alone
    CHECK (d.apply (action::AddInstrument { "One too many", Source {} }).error == full);
    expectRejected (d, action::AddInstrument { "One too many", Source {} }, unused, full);
    expectRejected (d, action::DuplicateInstrument { first }, unused, full);
    expectRejected (d, action::DuplicateInstrument { InstrumentId { 999999 } }, unused, "no instrument"); // the unknown id is named first

    // A delete makes room for one; undo and redo only go back to states that were within the limit.
    applyOk (d, action::DeleteInstrument { first });
    const auto added = InstrumentId { applyOk (d, action::AddInstrument { "New", Source {} }).createdId };
    CHECK (session.instruments.size() == Session::maxInstruments);
    expectRejected (d, action::AddInstrument { "Again", Source {} }, unused, full);

    applyOk (d, action::Undo {});
    CHECK (session.instruments.size() == Session::maxInstruments - 1);
    CHECK_FALSE (session.instruments.contains (added));
    applyOk (d, action::Undo {});
    CHECK (session.instruments.size() == Session::maxInstruments);
    CHECK (session.instruments.contains (first));
    REQUIRE (history.redoDepth() == 2);
    expectRejected (d, action::DuplicateInstrument { first }, unused, full); // the redo entries survive the refusal

    applyOk (d, action::Redo {});
    applyOk (d, action::Redo {});
    CHECK (session.instruments.size() == Session::maxInstruments);
    CHECK (session.instruments.contains (added));
    CHECK_FALSE (session.instruments.contains (first));
    CHECK (validate (session).empty());
}
