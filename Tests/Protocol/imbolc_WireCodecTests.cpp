#include "imbolc_ProtocolTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

namespace
{
using protocol::Bytes;
using protocol::Message;
namespace msg = protocol::msg;

Bytes filled (std::size_t size, std::uint8_t seed)
{
    Bytes b (size);
    for (std::size_t i = 0; i < size; ++i)
        b[i] = (std::uint8_t) (seed * 31 + i * 7);
    return b;
}

protocol::Ownership exampleOwnership()
{
    return { { { model::InstrumentId { 2 }, 4 }, { model::InstrumentId { 5 }, 9 } }, 4 };
}

model::Source pluginSource()
{
    model::Source s;
    s.kind = model::SourceKind::plugin;
    s.builtIn = model::BuiltInSource::fm;
    s.plugin = { model::PluginFormat::lv2, "urn:example:synth", "Example synth", { 0, 1, 254, 255 } };
    s.inputChannel = 2;
    s.params = { { "cutoff", 0.5f, 0.0f, 1.0f, 0.25f } };
    // The fields appended for audio input and audio tracks travel with every source.
    s.monitoring = false;
    s.clips = { { "Song Audio/Mic-take.wav", 1920, 17, 48000, 0.5f }, { "/tmp/other.wav", 3840, 0, 12, 1.0f } };
    return s;
}

model::Stage reverbStage()
{
    model::Stage st;
    st.id = model::StageId { 9 };
    st.kind = model::StageKind::effect;
    st.effect = model::EffectType::reverb;
    st.bypassed = true;
    st.params = { { "mix", 0.5f, 0.0f, 1.0f, 0.25f } };
    return st;
}

/** One action of every kind, at its variant index, each with values other than the defaults. A new
    action kind without an example here leaves a default (AddInstrument) in its slot and fails. */
std::array<model::Action, std::variant_size_v<model::Action>> exampleActions()
{
    using namespace model;
    using namespace model::action;
    const InstrumentId inst { 7 };
    const BusId bus { 3 };
    const NoteId note { 11 };
    const LaneId lane { 12 };
    const ClipId clip { 13 };
    const PlacementId placement { 14 };
    const StageId stage { 9 };

    return { {
        AddInstrument { "Lead", pluginSource(), Backend::superCollider, { reverbStage() } },
        DeleteInstrument { inst },
        DuplicateInstrument { inst },
        RenameInstrument { inst, "Bass" },
        SetSource { inst, pluginSource() },
        SetBackend { inst, Backend::superCollider },
        SetVoiceCap { inst, 12 },
        SetParam { ParamAddress::stage (NodeKind::bus, bus.value, stage, 2), 0.75f },
        SetLfo { inst, true, LfoShape::saw, ParamAddress::instrument (inst, ParamGroup::amp, 1) },
        SetGroove { inst, { 0.5f, 0.25f, true, ArpMode::upDown, 8, 3 } },
        AddStage { NodeKind::bus, bus.value, reverbStage(), 2 },
        RemoveStage { NodeKind::master, 0, stage },
        MoveStage { NodeKind::instrument, inst.value, stage, 1 },
        SetStageBypass { NodeKind::bus, bus.value, stage, true },
        SetPluginState { NodeKind::instrument, inst.value, stage, { 0, 1, 254, 255 } },
        SetMute { NodeKind::bus, bus.value, true },
        SetSolo { NodeKind::instrument, inst.value, true },
        SetOutput { inst, bus },
        AddSend { inst, bus, 0.5f, true },
        RemoveSend { inst, bus },
        SetSendTap { inst, bus, true },
        AddBus { "Drums" },
        RemoveBus { bus },
        RenameBus { bus, "Verb" },
        AddNote { inst, Note { note, 960, 240, 64, 90, 0.5f } },
        DeleteNote { inst, note },
        MoveNote { inst, note, 1920, 72 },
        ResizeNote { inst, note, 120 },
        SetNoteVelocity { inst, note, 17, 0.25f },
        AddLane { { AutomationTargetKind::parameter, ParamAddress::instrument (inst, ParamGroup::strip, 1) } },
        RemoveLane { lane },
        SetLaneEnabled { lane, true },
        SetPoint { lane, { 480, 0.5f, CurveType::sCurve } },
        DeletePoint { lane, 480 },
        MovePoint { lane, 480, { 960, 0.25f, CurveType::step } },
        AddClip { inst, "Riff", 1920, true },
        DeleteClip { clip },
        RenameClip { clip, "Hook" },
        AddPlacement { clip, 3840, 960 },
        MovePlacement { placement, 7680 },
        ResizePlacement { placement, 480 },
        DeletePlacement { placement },
        SetPlayMode { PlayMode::song },
        RenameSession { "Rehearsal" },
        SetBpm { 97.5 },
        SetTimeSignature { 7, 8 },
        SetKey { 9, Scale::blues },
        SetSwing { 0.25f },
        SetLoop { { true, 480, 7680 } },
        Play {},
        Stop {},
        Locate { 1440 },
        SetRecording { true },
        SetAutomationRecording { true },
        Undo {},
        Redo {},
        MoveInstrument { inst, 4 },
        EditNotes { inst, clip, { note, NoteId { 77 } }, { Note { NoteId { 78 }, 480, 120, 61, 99, 0.75f } }, { Note { {}, 0, 60, 40, 1, 0.0f }, Note { {}, 1 << 20, 960, 127, 127, 1.0f } } },
        EditPoints { lane, { 480, 960 }, { Point { 0, 0.25f, CurveType::exponential, -40 }, Point { 1920, 1.0f, CurveType::sCurve, 100 } } },
        SetClipLength { clip, 7680 },
        SetDrumStep { inst, 3, 5, { true, 90, 0.25f } },
        SetDrumSteps { inst, { { 0, 0, { true, 127, 1.0f } }, { 11, 63, { false, 1, 0.0f } }, { 6, 2, { true, 100, 1.0f } } } },
        SetDrumPad { inst, 4, DrumPad { DrumPadKind::sample, "Clap", "samples/clap.wav", 0.5f, -3.0f, 1.25f } },
        SetDrumPattern { inst, 48, 6, 0.75f },
        SetMacro { 15, Macro { true, ParamAddress::stage (NodeKind::bus, bus.value, stage, 2), 0.75f, -0.25f } },
        SetMidiChannel { inst, 16 },
        SetRecordArm { inst, true },
        SetRecordOptions { RecordMode::replace, 2 },
        AddMidiMapping { MidiMapping { MidiSource::pitchBend, 0, 0, ParamAddress::stage (NodeKind::bus, bus.value, stage, 2), 0.75f, -0.25f, MidiCurve::exponential } },
        ChangeMidiMapping { MidiMapping { MidiSource::controller, 16, 127, ParamAddress::instrument (inst, ParamGroup::strip, 1), -1.0f, 1.0f, MidiCurve::logarithmic } },
        RemoveMidiMapping { ParamAddress::instrument (inst, ParamGroup::send, 0, bus.value) },
        SetMidiOutput { inst, 10 },
        EditAudioClip { inst, AudioClip { "Song Audio/Take 1.wav", 1920, 441, 96000, 0.5f }, AudioClip { "/tmp/Take 2.wav", 0, 0, 1, 4.0f }, true },
        SetPluginIsolation { PluginIsolation::shared },
    } };
}

/** A patch with every part present, from the every-field session. */
protocol::StatePatch examplePatch()
{
    using namespace model;
    const auto s = makeEveryFieldSession();
    protocol::StatePatch p;
    p.seq = 9;
    p.nextId = s.nextId;
    p.settings = s.settings;
    p.transport = s.transport;
    p.instruments = s.instruments;
    p.instrumentUpdates = { s.instruments[1], s.instruments[0] };
    p.pianoRoll = s.pianoRoll;
    p.trackUpdates = { s.pianoRoll[1] };
    const auto track = s.pianoRoll[0].instrument;
    p.noteOps = { { NoteOp::Kind::add, track, { NoteId { 40 }, 480, 120, 61, 99, 0.75f } },
                  { NoteOp::Kind::update, track, { NoteId { 40 }, 960, 240, 62, 98, 1.0f } },
                  { NoteOp::Kind::remove, track, { NoteId { 40 }, 960, 240, 62, 98, 1.0f } } };
    p.automation = s.automation;
    p.laneUpdates = { s.automation[2] };
    p.pointOps = { { PointOp::Kind::set, s.automation[0].id, { 720, 150.0f, CurveType::exponential } },
                   { PointOp::Kind::remove, s.automation[0].id, { 480, 0.0f, CurveType::linear } } };
    p.arrangement = s.arrangement;
    p.mixer = s.mixer;
    p.busUpdates = { s.mixer.buses[1] };
    p.master = s.mixer.master;
    p.ownership = exampleOwnership();
    p.macros = s.macros;
    return p;
}

/** One message of every kind, at its variant index, each with values other than the defaults. */
std::array<Message, std::variant_size_v<Message>> exampleMessages()
{
    using model::InstrumentId;
    return { {
        msg::Challenge { 3, filled (protocol::nonceBytes, 1), true, "Rehearsal" },
        msg::Hello { 3, "Ada", { InstrumentId { 3 }, InstrumentId { 5 } }, true, filled (protocol::nonceBytes, 2), filled (protocol::proofBytes, 3), 4, filled (protocol::proofBytes, 4) },
        msg::Welcome { 4, { InstrumentId { 3 } }, true, filled (protocol::tokenBytes, 5) },
        msg::Action { 77, model::action::SetBpm { 97.5 } },
        msg::ActionRejected { 77, "There is no instrument 3." },
        examplePatch(),
        msg::FullStateSync { 42, makeEveryFieldSession(), exampleOwnership() },
        msg::Metering { 1920, 97.5, true, 0.5f, 0.25f, { { model::NodeKind::bus, 3, 0.125f, 1.5f }, { model::NodeKind::instrument, 7, 0.0f, 0.75f } }, { protocol::ServerMeter::State::running, 3.5f, 7.25f, 12, 340 } },
        msg::Ping { 0x0123456789abcdefull },
        msg::Pong { 0xfedcba9876543210ull },
        msg::RequestFullSync { 41 },
        msg::RequestPrivilege {},
        msg::PrivilegeGranted {},
        msg::PrivilegeDenied { "Ada holds the privilege." },
        msg::PrivilegeRevoked { 5 },
        msg::ReconnectSuccessful { 4, { InstrumentId { 3 }, InstrumentId { 8 } }, true, filled (protocol::tokenBytes, 6) },
        msg::ReconnectFailed { "The reconnect proof does not match." },
        msg::Goodbye {},
        msg::Shutdown { "The host closed the session." },
        msg::Error { "Protocol version 2 is not supported." },
        msg::Notice { "The plugin \"JX10\" (instrument 3) crashed; it is starting again." },
    } };
}

Message decodeOk (const Bytes& bytes, const protocol::DecodeLimits& limits = {})
{
    auto decoded = protocol::decodeMessage (bytes.data(), bytes.size(), limits);
    INFO (decoded.error);
    REQUIRE (decoded.ok());
    REQUIRE (decoded.error.empty());
    return std::move (*decoded.message);
}

std::string decodeError (const Bytes& bytes, const protocol::DecodeLimits& limits = {})
{
    const auto decoded = protocol::decodeMessage (bytes.data(), bytes.size(), limits);
    REQUIRE_FALSE (decoded.ok());
    REQUIRE_FALSE (decoded.error.empty());
    return decoded.error;
}

bool contains (const std::string& text, const std::string& part) { return text.find (part) != std::string::npos; }

Bytes payloadOf (const Bytes& frame)
{
    REQUIRE (frame.size() >= 4);
    REQUIRE (protocol::readFrameLength (frame.data()) == frame.size() - 4);
    return { frame.begin() + 4, frame.end() };
}
} // namespace

//==============================================================================
TEST_CASE ("Wire every message kind round trips with deterministic bytes", "[protocol][wire]")
{
    // The schema's names, written out here so that messageName is checked against an independent list.
    const std::array<const char*, std::variant_size_v<Message>> names {
        "Challenge", "Hello", "Welcome", "Action", "ActionRejected", "StatePatch", "FullStateSync", "Metering", "Ping", "Pong", "RequestFullSync", "RequestPrivilege", "PrivilegeGranted", "PrivilegeDenied", "PrivilegeRevoked", "ReconnectSuccessful", "ReconnectFailed", "Goodbye", "Shutdown", "Error", "Notice"
    };

    const auto messages = exampleMessages();
    for (std::size_t i = 0; i < messages.size(); ++i)
    {
        const auto& m = messages[i];
        INFO ("message " << i << " " << protocol::messageName (m));
        REQUIRE (m.index() == i);
        CHECK (std::string (protocol::messageName (m)) == names[i]);

        const auto bytes = protocol::encodeMessage (m);
        CHECK (flatbuffers::BufferHasIdentifier (bytes.data(), protocol::wireIdentifier));
        CHECK (protocol::encodeMessage (m) == bytes);
        CHECK (protocol::encodeMessage (Message (m)) == bytes); // a copy encodes the same

        const auto decoded = decodeOk (bytes);
        CHECK (decoded.index() == i);
        CHECK (decoded == m);
        CHECK (protocol::encodeMessage (decoded) == bytes);

        const auto frame = protocol::encodeFrame (m);
        CHECK (payloadOf (frame) == bytes);
    }
}

TEST_CASE ("Wire every action kind round trips inside an Action message", "[protocol][wire]")
{
    const auto actions = exampleActions();
    for (std::size_t i = 0; i < actions.size(); ++i)
    {
        INFO ("action " << i << " " << model::actionName (actions[i]));
        REQUIRE (actions[i].index() == i);

        const Message m = msg::Action { (std::uint32_t) (1000 + i), actions[i] };
        const auto bytes = protocol::encodeMessage (m);
        CHECK (protocol::encodeMessage (m) == bytes);

        const auto decoded = decodeOk (bytes);
        REQUIRE (std::holds_alternative<msg::Action> (decoded));
        CHECK (std::get<msg::Action> (decoded).action.index() == i);
        CHECK (decoded == m);
    }

    // Every action kind encodes to different bytes than every other (no two share a union slot).
    std::unordered_set<std::string> distinct;
    for (const auto& a : actions)
    {
        const auto bytes = protocol::encodeMessage (msg::Action { 1, a });
        distinct.emplace (bytes.begin(), bytes.end());
    }
    CHECK (distinct.size() == actions.size());
}

TEST_CASE ("Wire msg::Action equality compares request id and action", "[protocol][wire]")
{
    const msg::Action a { 1, model::action::SetBpm { 100.0 } };
    CHECK (a == msg::Action { 1, model::action::SetBpm { 100.0 } });
    CHECK_FALSE (a == msg::Action { 2, model::action::SetBpm { 100.0 } });
    CHECK_FALSE (a == msg::Action { 1, model::action::SetBpm { 101.0 } });
    CHECK_FALSE (a == msg::Action { 1, model::action::SetSwing { 0.5f } });
}

TEST_CASE ("Wire a state patch keeps an empty subsystem apart from an absent one", "[protocol][wire]")
{
    protocol::StatePatch p;
    p.seq = 3;
    p.instruments = model::Instruments {}; // the rack is now empty
    p.mixer = model::Mixer {};

    const auto decoded = decodeOk (protocol::encodeMessage (p));
    const auto& back = std::get<protocol::StatePatch> (decoded);
    CHECK (back == p);
    CHECK (back.instruments.has_value());
    CHECK (back.mixer.has_value());
    CHECK_FALSE (back.pianoRoll.has_value());
    CHECK_FALSE (back.settings.has_value());
    CHECK_FALSE (back.ownership.has_value());

    // And a patch with no parts is smaller than one that says "the rack is now empty".
    protocol::StatePatch none;
    none.seq = 3;
    CHECK (protocol::encodeMessage (none).size() < protocol::encodeMessage (p).size());
}

TEST_CASE ("Wire a full state sync of the large reference session round trips", "[protocol][wire]")
{
    const auto& session = largeReference();
    const auto ownership = exampleOwnership();

    const auto frame = protocol::encodeFullSyncFrame (77, session, ownership);
    const msg::FullStateSync expected { 77, session, ownership };
    CHECK (frame == protocol::encodeFrame (expected)); // no copy, same bytes

    const auto decoded = decodeOk (payloadOf (frame));
    REQUIRE (std::holds_alternative<msg::FullStateSync> (decoded));
    const auto& sync = std::get<msg::FullStateSync> (decoded);
    CHECK (sync.seq == 77);
    CHECK (sync.ownership == ownership);
    CHECK (sync.session == session);
}

TEST_CASE ("Wire a full state sync keeps the live transport", "[protocol][wire]")
{
    auto session = makeEveryFieldSession();
    REQUIRE (session.transport.playing);
    REQUIRE (session.transport.recording);
    const auto decoded = decodeOk (payloadOf (protocol::encodeFullSyncFrame (1, session, {})));
    CHECK (std::get<msg::FullStateSync> (decoded).session.transport == session.transport);
}

TEST_CASE ("Wire decode rejects empty truncated foreign and oversize buffers", "[protocol][wire]")
{
    CHECK (contains (decodeError ({}), "empty"));
    CHECK_FALSE (protocol::decodeMessage (nullptr, 0).ok());

    const auto bytes = protocol::encodeMessage (msg::Hello { 1, "Ada", {}, false, filled (protocol::nonceBytes, 1), {}, 0, {} });

    // Every proper prefix fails, with a sentence, and never crashes.
    for (std::size_t n = 1; n < bytes.size(); ++n)
    {
        INFO ("prefix of " << n << " bytes");
        const Bytes prefix (bytes.begin(), bytes.begin() + (std::ptrdiff_t) n);
        decodeError (prefix);
    }

    // A project file is not a message, nor is a message with another identifier.
    const auto project = protocol::encodeProject (smallReference());
    CHECK (contains (decodeError (project), "identifier"));
    auto foreign = bytes;
    foreign[4] = 'X';
    CHECK (contains (decodeError (foreign), "identifier"));

    // Oversize against the configured limit, checked before anything else.
    protocol::DecodeLimits tight;
    tight.maxFrameBytes = bytes.size() - 1;
    CHECK (contains (decodeError (bytes, tight), "limit"));
    tight.maxFrameBytes = bytes.size();
    decodeOk (bytes, tight);
}

TEST_CASE ("Wire decode survives every single bit flip", "[protocol][wire]")
{
    const std::vector<Message> samples {
        msg::Hello { 1, "Ada", { model::InstrumentId { 3 } }, true, filled (protocol::nonceBytes, 1), filled (protocol::proofBytes, 2), 0, {} },
        msg::Action { 5, exampleActions()[0] },
        msg::Action { 6, model::action::SetParam { model::ParamAddress::instrument (model::InstrumentId { 2 }, model::ParamGroup::strip, 0), 0.5f } },
        msg::Metering { 10, 120.0, true, 0.5f, 0.5f, { { model::NodeKind::bus, 3, 0.25f, 0.5f } }, {} },
    };

    std::size_t rejected = 0, accepted = 0;
    for (const auto& m : samples)
    {
        const auto bytes = protocol::encodeMessage (m);
        for (std::size_t i = 0; i < bytes.size(); ++i)
        {
            for (int bit = 0; bit < 8; ++bit)
            {
                auto flipped = bytes;
                flipped[i] ^= (std::uint8_t) (1u << bit);
                const auto decoded = protocol::decodeMessage (flipped.data(), flipped.size());
                // Either one sentence or a whole message that encodes again: never both, never neither.
                CHECK (decoded.ok() == decoded.error.empty());
                if (decoded.ok())
                {
                    ++accepted;
                    const auto again = protocol::encodeMessage (*decoded.message);
                    CHECK (protocol::decodeMessage (again.data(), again.size()).ok());
                }
                else
                {
                    ++rejected;
                }
            }
        }
    }
    // Flips in the identifier, offsets and enums are caught; flips inside a float may give another valid message.
    CHECK (rejected > 0);
    CHECK (accepted > 0);
}

TEST_CASE ("Wire decode survives random corruption of every message kind", "[protocol][wire]")
{
    // Several bytes at once, at random places, from a fixed seed: the cases single flips cannot reach.
    std::mt19937 random (20240605);
    std::size_t rejected = 0;
    for (const auto& m : exampleMessages())
    {
        const auto bytes = protocol::encodeMessage (m);
        std::uniform_int_distribution<std::size_t> at (0, bytes.size() - 1);
        for (int round = 0; round < 300; ++round)
        {
            auto corrupt = bytes;
            for (int n = 0; n < 4; ++n)
                corrupt[at (random)] = (std::uint8_t) random();
            const auto decoded = protocol::decodeMessage (corrupt.data(), corrupt.size());
            CHECK (decoded.ok() == decoded.error.empty());
            rejected += decoded.ok() ? 0 : 1;
        }
    }
    CHECK (rejected > 0);
}

TEST_CASE ("Wire decode rejects unknown union types", "[protocol][wire]")
{
    // Written by hand, as a newer peer would: a payload kind and an action kind this build lacks.
    auto finished = [] (flatbuffers::FlatBufferBuilder& builder, flatbuffers::Offset<fb::Message> root)
    {
        builder.Finish (root, protocol::wireIdentifier);
        return Bytes (builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize());
    };
    {
        flatbuffers::FlatBufferBuilder builder;
        const auto ping = fb::CreatePing (builder, 7);
        const auto bytes = finished (builder, fb::CreateMessage (builder, (fb::Payload) 200, ping.Union()));
        CHECK (contains (decodeError (bytes), "does not know"));
    }
    {
        flatbuffers::FlatBufferBuilder builder;
        const auto locate = fb::CreateLocate (builder, 10);
        const auto action = fb::CreateAction (builder, 1, (fb::ActionBody) 250, locate.Union());
        const auto bytes = finished (builder, fb::CreateMessage (builder, fb::Payload::Action, action.Union()));
        CHECK (contains (decodeError (bytes), "does not know"));
    }
    {
        // The same bytes with a known action kind decode: only the kind was wrong.
        flatbuffers::FlatBufferBuilder builder;
        const auto locate = fb::CreateLocate (builder, 10);
        const auto action = fb::CreateAction (builder, 1, fb::ActionBody::Locate, locate.Union());
        const auto bytes = finished (builder, fb::CreateMessage (builder, fb::Payload::Action, action.Union()));
        CHECK (decodeOk (bytes) == Message (msg::Action { 1, model::action::Locate { 10 } }));
    }

    // A Message without a payload is not a message.
    flatbuffers::FlatBufferBuilder builder;
    builder.Finish (fb::CreateMessage (builder), protocol::wireIdentifier);
    const Bytes empty (builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize());
    CHECK (contains (decodeError (empty), "empty"));
}

TEST_CASE ("Wire decode rejects nonces tokens and proofs of the wrong length", "[protocol][wire]")
{
    msg::Hello hello { 1, "Ada", {}, false, filled (protocol::nonceBytes, 1), {}, 0, {} };
    decodeOk (protocol::encodeMessage (hello)); // proofs may be absent

    auto shortNonce = hello;
    shortNonce.clientNonce.pop_back();
    CHECK (contains (decodeError (protocol::encodeMessage (shortNonce)), "client nonce is 15 bytes"));

    auto noNonce = hello;
    noNonce.clientNonce.clear();
    CHECK (contains (decodeError (protocol::encodeMessage (noNonce)), "client nonce"));

    auto longProof = hello;
    longProof.passphraseProof = filled (protocol::proofBytes + 1, 2);
    CHECK (contains (decodeError (protocol::encodeMessage (longProof)), "passphrase proof"));

    auto shortReconnect = hello;
    shortReconnect.reconnectProof = filled (protocol::proofBytes - 1, 3);
    CHECK (contains (decodeError (protocol::encodeMessage (shortReconnect)), "reconnect proof"));

    CHECK (contains (decodeError (protocol::encodeMessage (msg::Welcome { 1, {}, false, {} })), "token"));
    CHECK (contains (decodeError (protocol::encodeMessage (msg::ReconnectSuccessful { 1, {}, false, filled (8, 1) })), "token"));
    CHECK (contains (decodeError (protocol::encodeMessage (msg::Challenge { 1, filled (17, 1), false, "x" })), "server nonce"));
}

TEST_CASE ("Wire decode leaves an action's values to the dispatcher, which refuses them with its reason", "[protocol][wire]")
{
    using namespace model::action;
    Fixture f;
    const auto inst = f.addInstrument();
    const auto note = model::NoteId { applyOk (f.dispatcher, AddNote { inst, { {}, 0, 480, 60, 100, 1.0f } }).createdId };
    const auto lane = model::LaneId { applyOk (f.dispatcher, AddLane { { model::AutomationTargetKind::swing, {} } }).createdId };
    const auto bus = model::BusId { applyOk (f.dispatcher, AddBus { "Verb" }).createdId };
    const auto clip = model::ClipId { applyOk (f.dispatcher, AddClip { inst, "Riff", 1920 }).createdId };
    const auto cutoff = model::ParamAddress::stage (model::NodeKind::instrument, inst.value, f.firstStage (inst), 0);
    const auto nan = std::numeric_limits<float>::quiet_NaN();

    auto badGroove = model::Groove {};
    badGroove.arpRate = 99;
    auto badSource = pluginSource();
    badSource.inputChannel = 999;
    const auto kit = f.addInstrument (model::BuiltInSource::drumKit);
    auto badPad = model::makeDefaultDrumPad (0);
    badPad.level = nan;

    const std::vector<std::pair<model::Action, std::string>> cases {
        { SetBpm { -5.0 }, "The tempo is -5" },
        { SetBpm { std::numeric_limits<double>::quiet_NaN() }, "The tempo" },
        { SetBpm { 5000.0 }, "The tempo" },
        { SetParam { cutoff, std::numeric_limits<float>::infinity() }, "not a finite number" },
        { SetParam { cutoff, nan }, "not a finite number" },
        { SetVoiceCap { inst, 0 }, "voice cap" },
        { AddNote { inst, { {}, 0, 480, 200, 100, 1.0f } }, "pitch" },
        { SetNoteVelocity { inst, note, 0, 1.0f }, "velocity" },
        { ResizeNote { inst, note, 0 }, "no length" },
        { RenameInstrument { inst, "bad \xff name" }, "UTF-8" },
        { AddBus { std::string (300, 'x') }, "bytes long" },
        { AddSend { inst, bus, nan, false }, "send level" },
        { SetTimeSignature { 4, 3 }, "denominator" },
        { SetKey { 12, model::Scale::major }, "pitch class" },
        { SetSwing { 1.5f }, "swing" },
        { SetLoop { { true, 960, 480 } }, "loop region" },
        { SetPoint { lane, { 0, nan, model::CurveType::linear } }, "finite" },
        { SetGroove { inst, badGroove }, "arpeggiator" },
        { SetSource { inst, badSource }, "input channel" },
        { MoveInstrument { inst, -3 }, "Position -3" },
        { EditNotes { inst, {}, {}, {}, { model::Note { {}, 0, 480, 200, 100, 1.0f } } }, "pitch" },
        { EditPoints { lane, {}, { model::Point { 0, 0.5f, model::CurveType::linear, 101 } } }, "shape" },
        { SetClipLength { clip, 0 }, "positive length" },
        { SetDrumStep { kit, 12, 0, { true, 100, 1.0f } }, "Pad 12 is outside" },
        { SetDrumStep { kit, 0, 0, { true, 100, nan } }, "probability is nan" },
        { SetDrumStep { inst, 0, 0, { true, 100, 1.0f } }, "is not a drum kit" },
        { SetDrumSteps { kit, { { 0, 1, { true, 100, 1.0f } }, { 0, 99, { true, 100, 1.0f } } } }, "Step 99 is outside" },
        { SetDrumPad { kit, 0, badPad }, "level is nan" },
        { SetDrumPattern { kit, 8, 4, 0.0f }, "8 steps" },
        { SetDrumPattern { kit, 16, 4, nan }, "swing is nan" },
        { SetMacro { 16, model::Macro { true, cutoff, 100.0f, 200.0f } }, "no macro 17" },
        { SetMacro { 0, model::Macro { true, cutoff, nan, 200.0f } }, "must be finite" },
        { SetMacro { 0, model::Macro { true, cutoff, 100.0f, 1.0e9f } }, "outside the range" },
        { SetMacro { 0, model::Macro { true, model::ParamAddress::instrument (model::InstrumentId { 999 }, model::ParamGroup::strip, 0), 0.0f, 1.0f } }, "no such parameter" },
        { SetMidiChannel { inst, 17 }, "MIDI channel 17" },
        { SetMidiChannel { inst, -3 }, "MIDI channel -3" },
        { SetMidiOutput { inst, 17 }, "MIDI channel 17" },
        { SetMidiOutput { inst, -1 }, "MIDI channel -1" },
    };

    for (const auto& [action, reason] : cases)
    {
        INFO (model::actionName (action) << ", expecting \"" << reason << "\"");
        const auto bytes = protocol::encodeMessage (msg::Action { 1, action });
        const auto decoded = decodeOk (bytes);
        CHECK (protocol::encodeMessage (decoded) == bytes); // the value arrives as sent, NaN included

        const auto before = f.session;
        const auto result = f.dispatcher.apply (std::get<msg::Action> (decoded).action);
        INFO (result.error);
        CHECK_FALSE (result.ok());
        CHECK (contains (result.error, reason));
        CHECK (f.session == before);
    }

    // An enum value the schema does not know, written by hand.
    flatbuffers::FlatBufferBuilder builder;
    const auto body = fb::CreateSetPlayMode (builder, (fb::PlayMode) 9);
    builder.Finish (fb::CreateMessage (builder, fb::Payload::Action, fb::CreateAction (builder, 1, fb::ActionBody::SetPlayMode, body.Union()).Union()), protocol::wireIdentifier);
    const Bytes unknownEnum (builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize());
    CHECK (contains (decodeError (unknownEnum), "unknown value 9"));
}

TEST_CASE ("Wire decode rejects bad metering ownership and sessions", "[protocol][wire]")
{
    CHECK (contains (decodeError (protocol::encodeMessage (msg::Metering { 0, std::numeric_limits<double>::quiet_NaN(), false, 0.0f, 0.0f, {}, {} })), "finite"));
    CHECK (contains (decodeError (protocol::encodeMessage (msg::Metering { 0, 120.0, false, 0.0f, 0.0f, { { model::NodeKind::bus, 1, std::numeric_limits<float>::infinity(), 0.0f } }, {} })), "finite"));
    CHECK (contains (decodeError (protocol::encodeMessage (msg::Metering { 0, 120.0, false, 0.0f, 0.0f, {}, { protocol::ServerMeter::State::lost, std::numeric_limits<float>::quiet_NaN(), 0.0f, 0, 0 } })), "synthesis server"));
    CHECK (contains (decodeError (protocol::encodeMessage (msg::Metering { 0, 120.0, false, 0.0f, 0.0f, {}, { (protocol::ServerMeter::State) 7, 1.0f, 1.0f, 0, 0 } })), "server state"));

    protocol::Ownership unsorted { { { model::InstrumentId { 5 }, 1 }, { model::InstrumentId { 2 }, 1 } }, 0 };
    CHECK (contains (decodeError (payloadOf (protocol::encodeFullSyncFrame (1, smallReference(), unsorted))), "sorted"));
    protocol::Ownership nobody { { { model::InstrumentId { 5 }, 0 } }, 0 };
    CHECK (contains (decodeError (payloadOf (protocol::encodeFullSyncFrame (1, smallReference(), nobody))), "0"));

    auto broken = makeEveryFieldSession();
    broken.pianoRoll[0].notes[0].velocity = 0;
    CHECK (contains (decodeError (payloadOf (protocol::encodeFullSyncFrame (1, broken, {}))), "invalid"));
}

TEST_CASE ("Wire decode enforces depth and table limits", "[protocol][wire]")
{
    const auto bytes = payloadOf (protocol::encodeFullSyncFrame (1, makeEveryFieldSession(), exampleOwnership()));
    decodeOk (bytes);

    protocol::DecodeLimits shallow;
    shallow.maxDepth = 3;
    CHECK (contains (decodeError (bytes, shallow), "verification"));

    protocol::DecodeLimits few;
    few.maxTables = 5;
    CHECK (contains (decodeError (bytes, few), "verification"));
}

TEST_CASE ("Wire decode reads a buffer at any alignment", "[protocol][wire]")
{
    const auto bytes = protocol::encodeMessage (exampleMessages()[5]);
    Bytes shifted (bytes.size() + 1);
    std::copy (bytes.begin(), bytes.end(), shifted.begin() + 1);
    const auto decoded = protocol::decodeMessage (shifted.data() + 1, bytes.size());
    INFO (decoded.error);
    REQUIRE (decoded.ok());
    CHECK (*decoded.message == exampleMessages()[5]);
}

// Found by the fuzz target (Tests/Fuzz): FlatBuffers' verifier checks only a vector's length field for
// alignment, so a forged buffer could put 8-byte structs (here point operations) 4 bytes off, and the
// decoder read them in place (undefined behaviour; UBSan: "misaligned address for type PointOp").
TEST_CASE ("Wire decode refuses a vector of structs that is not aligned for them", "[protocol][wire]")
{
    protocol::StatePatch patch;
    patch.seq = 1;
    patch.nextId = 100;
    patch.pointOps = { { model::PointOp::Kind::set, model::LaneId { 5 }, { 240, 0.5f, model::CurveType::linear } } };
    const auto good = protocol::encodeMessage (patch);
    decodeOk (good);

    // The same vector again at the end, its elements 4 bytes past an 8-byte boundary, and the patch's
    // point_ops field pointed at it.
    Bytes forged (good);
    forged.resize ((forged.size() + 7) / 8 * 8);
    const auto vectorAt = forged.size();
    const auto* original = flatbuffers::GetRoot<fb::Message> (good.data())->payload_as_StatePatch()->point_ops();
    const auto* vectorBytes = reinterpret_cast<const std::uint8_t*> (original);
    forged.insert (forged.end(), vectorBytes, vectorBytes + 4 + sizeof (fb::PointOp));
    REQUIRE ((vectorAt + 4) % alignof (fb::PointOp) != 0);

    // Generated tables inherit flatbuffers::Table privately; the cast is how FlatBuffers reaches it too.
    const auto* table = reinterpret_cast<const flatbuffers::Table*> (flatbuffers::GetRoot<fb::Message> (forged.data())->payload_as_StatePatch());
    const auto* field = table->GetAddressOf (fb::StatePatch::VT_POINT_OPS);
    REQUIRE (field != nullptr);
    const auto fieldAt = (std::size_t) (field - forged.data());
    flatbuffers::WriteScalar<flatbuffers::uoffset_t> (forged.data() + fieldAt, (flatbuffers::uoffset_t) (vectorAt - fieldAt));

    // Still a well-formed buffer to the verifier: only the alignment check refuses it.
    flatbuffers::Verifier verifier (forged.data(), forged.size());
    REQUIRE (verifier.VerifyBuffer<fb::Message> (protocol::wireIdentifier));
    CHECK (contains (decodeError (forged), "not aligned"));

    // An empty vector holds nothing to misread, and FlatBuffers' builder leaves empty vectors of structs
    // unpadded (the fuzz target's round trip found one): it must still decode.
    flatbuffers::WriteScalar<flatbuffers::uoffset_t> (forged.data() + vectorAt, 0);
    const auto decoded = decodeOk (forged);
    CHECK (std::get<protocol::StatePatch> (decoded).pointOps.empty());
}

//==============================================================================
TEST_CASE ("Wire FrameReader splits a byte stream delivered byte by byte", "[protocol][wire]")
{
    const auto messages = exampleMessages();
    Bytes stream;
    for (const auto& m : messages)
    {
        const auto frame = protocol::encodeFrame (m);
        stream.insert (stream.end(), frame.begin(), frame.end());
    }

    protocol::FrameReader reader;
    std::vector<Bytes> payloads;
    Bytes payload;
    for (const auto byte : stream)
    {
        reader.feed (&byte, 1);
        while (reader.next (payload))
            payloads.push_back (payload);
        REQUIRE (reader.error().empty());
    }
    CHECK (reader.buffered() == 0);
    REQUIRE (payloads.size() == messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i)
        CHECK (decodeOk (payloads[i]) == messages[i]);
}

TEST_CASE ("Wire FrameReader returns several frames fed at once in order", "[protocol][wire]")
{
    Bytes stream;
    for (std::uint64_t i = 0; i < 100; ++i)
    {
        const auto frame = protocol::encodeFrame (msg::Ping { i });
        stream.insert (stream.end(), frame.begin(), frame.end());
    }
    // Half a frame more: kept until the rest arrives.
    const auto tail = protocol::encodeFrame (msg::Pong { 1234 });
    stream.insert (stream.end(), tail.begin(), tail.begin() + 6);

    protocol::FrameReader reader;
    reader.feed (stream.data(), stream.size());
    Bytes payload;
    for (std::uint64_t i = 0; i < 100; ++i)
    {
        REQUIRE (reader.next (payload));
        CHECK (decodeOk (payload) == Message (msg::Ping { i }));
    }
    CHECK_FALSE (reader.next (payload));
    CHECK (reader.buffered() == 6);

    reader.feed (tail.data() + 6, tail.size() - 6);
    REQUIRE (reader.next (payload));
    CHECK (decodeOk (payload) == Message (msg::Pong { 1234 }));
    CHECK (reader.buffered() == 0);
    CHECK (reader.error().empty());
}

TEST_CASE ("Wire FrameReader does not hold what it has returned", "[protocol][wire]")
{
    // A long connection in odd-sized pieces: the reader never holds more than one partial frame plus a piece.
    Bytes stream;
    for (std::uint64_t i = 0; i < 2000; ++i)
    {
        const auto frame = protocol::encodeFrame (msg::Ping { i });
        stream.insert (stream.end(), frame.begin(), frame.end());
    }
    const auto frameSize = protocol::encodeFrame (msg::Ping { 1 }).size();

    protocol::FrameReader reader;
    Bytes payload;
    std::uint64_t count = 0;
    std::size_t mostBuffered = 0;
    for (std::size_t at = 0; at < stream.size(); at += 13)
    {
        reader.feed (stream.data() + at, std::min<std::size_t> (13, stream.size() - at));
        mostBuffered = std::max (mostBuffered, reader.buffered());
        while (reader.next (payload))
            CHECK (decodeOk (payload) == Message (msg::Ping { count++ }));
    }
    CHECK (count == 2000);
    CHECK (mostBuffered < frameSize + 13);
}

TEST_CASE ("Wire FrameReader fails at once on a zero or oversize length", "[protocol][wire]")
{
    {
        protocol::FrameReader reader;
        const std::uint8_t zero[4] = {};
        reader.feed (zero, 4);
        CHECK (contains (reader.error(), "zero"));
        Bytes payload;
        CHECK_FALSE (reader.next (payload));
    }
    {
        // Only the length has arrived: the error comes before any of the payload.
        protocol::FrameReader reader (1000);
        std::uint8_t header[4];
        protocol::writeFrameLength (header, 1001);
        reader.feed (header, 2);
        CHECK (reader.error().empty());
        reader.feed (header + 2, 2);
        CHECK (contains (reader.error(), "1001"));
        CHECK (reader.buffered() == 0);

        // And it stays failed: a good frame after that is not returned.
        const auto good = protocol::encodeFrame (msg::Ping { 1 });
        reader.feed (good.data(), good.size());
        Bytes payload;
        CHECK_FALSE (reader.next (payload));
        CHECK_FALSE (reader.error().empty());
    }
    {
        // A bad length behind a good frame fails once the good one has been taken.
        protocol::FrameReader reader (64);
        auto stream = protocol::encodeFrame (msg::Ping { 1 });
        const std::uint8_t huge[4] = { 0xff, 0xff, 0xff, 0xff };
        stream.insert (stream.end(), huge, huge + 4);
        reader.feed (stream.data(), stream.size());
        Bytes payload;
        REQUIRE (reader.next (payload));
        CHECK (decodeOk (payload) == Message (msg::Ping { 1 }));
        CHECK_FALSE (reader.error().empty());
        CHECK_FALSE (reader.next (payload));
    }
}

//==============================================================================
TEST_CASE ("Wire MoveInstrument is appended to ActionBody so every older kind keeps its type value", "[protocol][wire]")
{
    // Old project files and peers read these numbers: a kind added anywhere but the end would renumber
    // every kind after it.
    CHECK ((int) fb::ActionBody::AddInstrument == 1);
    CHECK ((int) fb::ActionBody::SetAutomationRecording == 54);
    CHECK ((int) fb::ActionBody::Undo == 55);
    CHECK ((int) fb::ActionBody::Redo == 56);
    CHECK ((int) fb::ActionBody::MoveInstrument == 57);
    CHECK ((int) fb::ActionBody::EditNotes == 58);
    CHECK ((int) fb::ActionBody::EditPoints == 59);
    CHECK ((int) fb::ActionBody::SetClipLength == 60);
    CHECK (std::string (model::actionName (model::action::MoveInstrument {})) == "MoveInstrument");

    // The bytes name the kind by that value; the JSON view names it, and parses back to it.
    const Message m = msg::Action { 5, model::action::MoveInstrument { model::InstrumentId { 7 }, 2 } };
    const auto bytes = protocol::encodeMessage (m);
    const auto* action = flatbuffers::GetRoot<fb::Message> (bytes.data())->payload_as_Action();
    REQUIRE (action != nullptr);
    CHECK (action->body_type() == fb::ActionBody::MoveInstrument);
    REQUIRE (action->body_as_MoveInstrument() != nullptr);
    CHECK (action->body_as_MoveInstrument()->instrument() == 7);
    CHECK (action->body_as_MoveInstrument()->position() == 2);

    std::string error;
    const auto json = protocol::messageToJson (bytes.data(), bytes.size(), error);
    INFO (error);
    REQUIRE (error.empty());
    CHECK (contains (json, "\"body_type\": \"MoveInstrument\""));
    CHECK (contains (json, "\"position\": 2"));
    const auto back = protocol::messageFromJson (json, error);
    INFO (error);
    REQUIRE (error.empty());
    CHECK (back == bytes);
    CHECK (decodeOk (back) == m);
}

TEST_CASE ("Wire drum-kit actions are appended to ActionBody after the editors' kinds, and read as JSON", "[protocol][wire][drums]")
{
    CHECK ((int) fb::ActionBody::MoveInstrument == 57);
    CHECK ((int) fb::ActionBody::SetClipLength == 60); // the editors' kinds came first
    CHECK ((int) fb::ActionBody::SetDrumStep == 61);
    CHECK ((int) fb::ActionBody::SetDrumSteps == 62);
    CHECK ((int) fb::ActionBody::SetDrumPad == 63);
    CHECK ((int) fb::ActionBody::SetDrumPattern == 64);
    CHECK ((int) fb::BuiltInSource::DrumKit == (int) model::BuiltInSource::drumKit);
    CHECK ((int) fb::BuiltInSource::DrumKit == 12); // after Hat: every older source keeps its value

    // A painted drag is one small frame: 16 bytes a cell.
    std::vector<model::action::DrumStepEdit> cells;
    for (int s = 0; s < 16; ++s)
        cells.push_back ({ 6, s, { true, (std::uint8_t) (60 + s), 1.0f } });
    const Message m = msg::Action { 5, model::action::SetDrumSteps { model::InstrumentId { 7 }, cells } };
    const auto bytes = protocol::encodeMessage (m);
    CHECK (bytes.size() <= 16 * 16 + 96); // the cells and a small message around them
    const auto* action = flatbuffers::GetRoot<fb::Message> (bytes.data())->payload_as_Action();
    REQUIRE (action != nullptr);
    REQUIRE (action->body_as_SetDrumSteps() != nullptr);
    CHECK (action->body_as_SetDrumSteps()->steps()->size() == 16);
    CHECK (action->body_as_SetDrumSteps()->steps()->Get (3)->velocity() == 63);

    std::string error;
    const auto json = protocol::messageToJson (bytes.data(), bytes.size(), error);
    INFO (error);
    REQUIRE (error.empty());
    CHECK (contains (json, "\"body_type\": \"SetDrumSteps\""));
    const auto back = protocol::messageFromJson (json, error);
    INFO (error);
    REQUIRE (error.empty());
    CHECK (back == bytes);
    CHECK (decodeOk (back) == m);
}

TEST_CASE ("Wire JSON shows a message and parses back to it", "[protocol][wire]")
{
    const msg::Hello hello { 1, "Ada Lovelace", { model::InstrumentId { 3 } }, true, filled (protocol::nonceBytes, 1), {}, 0, {} };
    const auto bytes = protocol::encodeMessage (hello);

    std::string error = "stale";
    const auto json = protocol::messageToJson (bytes.data(), bytes.size(), error);
    INFO (error);
    REQUIRE (error.empty());
    CHECK (contains (json, "\"Ada Lovelace\""));
    CHECK (contains (json, "\"payload_type\": \"Hello\""));

    error = "stale";
    const auto back = protocol::messageFromJson (json, error);
    INFO (error);
    REQUIRE (error.empty());
    CHECK (back == bytes);
    CHECK (decodeOk (back) == Message (hello));
}

TEST_CASE ("Wire JSON round trips every message kind", "[protocol][wire]")
{
    for (const auto& m : exampleMessages())
    {
        INFO (protocol::messageName (m));
        const auto bytes = protocol::encodeMessage (m);
        std::string error;
        const auto json = protocol::messageToJson (bytes.data(), bytes.size(), error);
        INFO (error);
        REQUIRE (error.empty());
        const auto back = protocol::messageFromJson (json, error);
        INFO (error);
        REQUIRE (error.empty());
        CHECK (decodeOk (back) == m);
    }
}

TEST_CASE ("Wire JSON refuses what the decoder refuses", "[protocol][wire]")
{
    std::string error;
    CHECK (protocol::messageToJson (nullptr, 0, error).empty());
    CHECK (contains (error, "empty"));

    const auto project = protocol::encodeProject (smallReference());
    CHECK (protocol::messageToJson (project.data(), project.size(), error).empty());
    CHECK (contains (error, "identifier"));

    CHECK (protocol::messageFromJson ("{ \"payload_type\": \"Nope\" }", error).empty());
    CHECK_FALSE (error.empty());

    // Schema statements are not JSON: no include can make the parser read a file.
    CHECK (protocol::messageFromJson ("include \"/etc/passwd\";", error).empty());
    CHECK_FALSE (error.empty());

    // Well-formed JSON that the decoder refuses: a nonce of the wrong length.
    CHECK (protocol::messageFromJson (R"({ "payload_type": "Hello", "payload": { "client_nonce": [ 1, 2, 3 ] } })", error).empty());
    CHECK (contains (error, "client nonce is 3 bytes"));

    // An action's out-of-range value is the dispatcher's to refuse, so its JSON parses.
    const auto bytes = protocol::messageFromJson (R"({ "payload_type": "Action", "payload": { "body_type": "SetBpm", "body": { "bpm": 5000.0 } } })", error);
    INFO (error);
    CHECK (bytes == protocol::encodeMessage (msg::Action { 0, model::action::SetBpm { 5000.0 } }));
}

TEST_CASE ("Wire decode refuses buffers that point at the same data over and over", "[protocol][wire]")
{
    auto finish = [] (flatbuffers::FlatBufferBuilder& builder, fb::Payload type, flatbuffers::Offset<void> payload)
    {
        builder.Finish (fb::CreateMessage (builder, type, payload), protocol::wireIdentifier);
        return Bytes (builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize());
    };

    // 1000 parameter tables that share one long name: a few kilobytes that would decode to a megabyte.
    {
        flatbuffers::FlatBufferBuilder builder;
        const auto name = builder.CreateSharedString (std::string (1000, 'n'));
        std::vector<flatbuffers::Offset<fb::Parameter>> params;
        for (int i = 0; i < 1000; ++i)
            params.push_back (fb::CreateParameter (builder, name, 0.5f, 0.0f, 1.0f, (float) i / 1000.0f));
        const auto source = fb::CreateSource (builder, fb::SourceKind::BuiltIn, fb::BuiltInSource::Saw, 0, 0, 0, 0, builder.CreateVector (params));
        const auto body = fb::CreateAddInstrument (builder, 0, source);
        const auto bytes = finish (builder, fb::Payload::Action, fb::CreateAction (builder, 1, fb::ActionBody::AddInstrument, body.Union()).Union());
        REQUIRE (bytes.size() < 100'000);
        CHECK (contains (decodeError (bytes), "more than once"));
    }

    // One instrument table listed 2000 times as an update.
    {
        flatbuffers::FlatBufferBuilder builder;
        const auto instrument = fb::CreateInstrument (builder, 5, builder.CreateString (std::string (200, 'i')));
        const std::vector<flatbuffers::Offset<fb::Instrument>> updates (2000, instrument);
        const auto updatesOffset = builder.CreateVector (updates);
        fb::StatePatchBuilder patch (builder);
        patch.add_seq (1);
        patch.add_instrument_updates (updatesOffset);
        const auto bytes = finish (builder, fb::Payload::StatePatch, patch.Finish().Union());
        CHECK (contains (decodeError (bytes), "more than once"));
    }

    // The same shapes without the sharing decode: only the repetition is refused.
    {
        flatbuffers::FlatBufferBuilder builder;
        std::vector<flatbuffers::Offset<fb::Parameter>> params;
        for (int i = 0; i < 100; ++i)
        {
            const auto name = builder.CreateString ("p" + std::to_string (i));
            params.push_back (fb::CreateParameter (builder, name, 0.5f, 0.0f, 1.0f, 0.25f));
        }
        const auto source = fb::CreateSource (builder, fb::SourceKind::BuiltIn, fb::BuiltInSource::Saw, 0, 0, 0, 0, builder.CreateVector (params));
        const auto body = fb::CreateAddInstrument (builder, builder.CreateString ("Lead"), source);
        const auto decoded = decodeOk (finish (builder, fb::Payload::Action, fb::CreateAction (builder, 1, fb::ActionBody::AddInstrument, body.Union()).Union()));
        CHECK (std::get<model::action::AddInstrument> (std::get<msg::Action> (decoded).action).source.params.size() == 100);
    }
}
