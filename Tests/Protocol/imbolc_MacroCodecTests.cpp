#include "imbolc_ProtocolTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using protocol::Message;
namespace msg = protocol::msg;

namespace
{
/** A project file written with the schema as it was before macros and MIDI channels (commit 5cfefcc):
    two instruments and one note. Made with that schema's own compiler, not this codec:
        git show 5cfefcc:Modules/imbolc_protocol/schema/imbolc.fbs > old.fbs
        flatc -b old.fbs before-macros.json     (the JSON is the session below, checksum 1)
        xxd -i before-macros.imbolc
    Its checksum is rewritten by the test (flatc does not compute it). */
// clang-format off
const std::vector<std::uint8_t> projectBeforeMacros {
  0x18, 0x00, 0x00, 0x00, 0x49, 0x4d, 0x42, 0x43, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x0a, 0x00, 0x10, 0x00, 0x04, 0x00, 0x08, 0x00, 0x0c, 0x00,
  0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x18, 0x00, 0x00, 0x00, 0x14, 0x00, 0x18, 0x00, 0x04, 0x00, 0x08, 0x00,
  0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x14, 0x00,
  0x14, 0x00, 0x00, 0x00, 0xac, 0x01, 0x00, 0x00, 0x78, 0x00, 0x00, 0x00,
  0x24, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0xae, 0xfe, 0xff, 0xff, 0x00, 0x00, 0x80, 0x3f,
  0x02, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0xc2, 0xfe, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0c, 0x00,
  0x04, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
  0x40, 0x64, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
  0x94, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x8c, 0xff, 0xff, 0xff,
  0x02, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x54, 0x00, 0x00, 0x00,
  0x38, 0x00, 0x00, 0x00, 0x0a, 0xd7, 0xa3, 0x3b, 0xcd, 0xcc, 0xcc, 0x3d,
  0xcd, 0xcc, 0x4c, 0x3f, 0xcd, 0xcc, 0x4c, 0x3e, 0x08, 0x00, 0x00, 0x00,
  0x28, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x74, 0xff, 0xff, 0xff,
  0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00,
  0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x0a, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x80, 0x3f, 0x62, 0xff, 0xff, 0xff, 0x00, 0x00, 0x40, 0x3f,
  0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x07, 0x00, 0x08, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x42, 0x61, 0x73, 0x73,
  0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x30, 0x00, 0x04, 0x00, 0x08, 0x00,
  0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x10, 0x00, 0x14, 0x00, 0x24, 0x00,
  0x28, 0x00, 0x2c, 0x00, 0x18, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x70, 0x00, 0x00, 0x00, 0x68, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00,
  0x0a, 0xd7, 0xa3, 0x3b, 0xcd, 0xcc, 0xcc, 0x3d, 0xcd, 0xcc, 0x4c, 0x3f,
  0xcd, 0xcc, 0x4c, 0x3e, 0x18, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,
  0x14, 0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x08, 0x00, 0x10, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00,
  0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x0a, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x06, 0x00, 0x08, 0x00, 0x04, 0x00,
  0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x04, 0x00, 0x04, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x4c, 0x65, 0x61, 0x64,
  0x00, 0x00, 0x16, 0x00, 0x34, 0x00, 0x04, 0x00, 0x2c, 0x00, 0x08, 0x00,
  0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x14, 0x00,
  0x16, 0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0xe0, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x80, 0x5b, 0x40, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00,
  0x42, 0x65, 0x66, 0x6f, 0x72, 0x65, 0x20, 0x6d, 0x61, 0x63, 0x72, 0x6f,
  0x73, 0x00, 0x00, 0x00
};
// clang-format on

model::Session decodeProjectOk (const std::vector<std::uint8_t>& bytes)
{
    auto decoded = protocol::decodeProject (bytes.data(), bytes.size());
    INFO (decoded.error);
    REQUIRE (decoded.ok());
    return std::move (*decoded.session);
}

std::string decodeProjectError (const std::vector<std::uint8_t>& bytes)
{
    const auto decoded = protocol::decodeProject (bytes.data(), bytes.size());
    REQUIRE_FALSE (decoded.ok());
    return decoded.error;
}

model::ParamAddress levelOf (model::InstrumentId id)
{
    return model::ParamAddress::instrument (id, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level);
}
} // namespace

TEST_CASE ("A project written before macros loads: no macro is mapped and no instrument has a MIDI channel", "[protocol][macros]")
{
    auto bytes = projectBeforeMacros;
    rewriteChecksum (bytes);
    const auto session = decodeProjectOk (bytes);

    REQUIRE (session.instruments.size() == 2);
    CHECK (session.settings.name == "Before macros");
    CHECK (session.settings.bpm == 110.0);
    CHECK (session.instruments[0].name == "Lead");
    CHECK (session.instruments[1].voiceCap == 8);
    CHECK (session.instruments[0].midiChannel == 0);
    CHECK (session.instruments[1].midiChannel == 0);
    CHECK (session.macros == model::Macros {});
    REQUIRE (session.pianoRoll.find (model::InstrumentId { 1 })->notes.size() == 1);
    CHECK (session.nextId == 4);

    // The old tables really are the old layout: no macros vector, no MIDI channel field.
    const auto* root = fb::GetProject (bytes.data())->session();
    CHECK (root->macros() == nullptr);
    // (An absent field reads as its default; the vtable of an old table is too short to hold it.)
    const auto* table = reinterpret_cast<const flatbuffers::Table*> (root->instruments()->Get (0));
    CHECK_FALSE (table->CheckField (fb::Instrument::VT_MIDI_CHANNEL));

    // Mapped and channelled like any session, it saves and loads with both.
    model::Session edited = session;
    model::UndoHistory history;
    model::Dispatcher d (edited, history);
    applyOk (d, model::action::SetMacro { 6, model::Macro { true, levelOf (model::InstrumentId { 2 }), 0.0f, 2.0f } });
    applyOk (d, model::action::SetMidiChannel { model::InstrumentId { 1 }, 10 });
    const auto again = decodeProjectOk (protocol::encodeProject (edited));
    CHECK (again == edited);
    CHECK (again.macros[6].assigned);
    CHECK (again.instruments[0].midiChannel == 10);
}

TEST_CASE ("Macros and MIDI channels round-trip through the project file, a session without them writes nothing new", "[protocol][macros]")
{
    const auto every = makeEveryFieldSession();
    REQUIRE (model::validate (every).empty());
    const auto bytes = protocol::encodeProject (every);
    const auto loaded = decodeProjectOk (bytes);
    CHECK (loaded == stopped (every));
    CHECK (loaded.macros[0] == every.macros[0]);
    CHECK (loaded.macros[3] == model::Macro { false, {}, 0.25f, 0.75f }); // an unassigned slot keeps its span
    CHECK (loaded.instruments[0].midiChannel == 5);
    const auto* stored = fb::GetProject (bytes.data())->session()->macros();
    REQUIRE (stored != nullptr);
    CHECK (stored->size() == 16);

    // Default macros and channels leave the file as it was before them.
    auto plain = every;
    plain.macros = {};
    for (auto& inst : plain.instruments)
        inst.midiChannel = 0;
    const auto plainBytes = protocol::encodeProject (plain);
    CHECK (fb::GetProject (plainBytes.data())->session()->macros() == nullptr);
    CHECK (plainBytes.size() + 16 * sizeof (fb::Macro) + 4 <= bytes.size());
    CHECK (decodeProjectOk (plainBytes) == stopped (plain));
}

TEST_CASE ("A project with a macro or MIDI channel that is not valid is refused with one sentence", "[protocol][macros]")
{
    auto session = makeEveryFieldSession();
    session.macros[9] = { true, levelOf (model::InstrumentId { 4242 }), 0.0f, 1.0f };
    CHECK (decodeProjectError (protocol::encodeProject (session)) == "The project file is invalid: Macro 10 drives a node that does not exist.");

    session = makeEveryFieldSession();
    session.macros[2].to = std::numeric_limits<float>::infinity();
    CHECK (decodeProjectError (protocol::encodeProject (session)) == "The project file is invalid: Macro 3 has a span that is not a finite number.");

    session = makeEveryFieldSession();
    session.instruments[1].midiChannel = -2;
    CHECK_THAT (decodeProjectError (protocol::encodeProject (session)), Catch::Contains ("MIDI channel -2"));

    session = makeEveryFieldSession();
    session.instruments[0].midiOutputChannel = 40;
    CHECK_THAT (decodeProjectError (protocol::encodeProject (session)), Catch::Contains ("MIDI channel 40"));

    // More slots than a session has, written by hand.
    flatbuffers::FlatBufferBuilder builder;
    std::vector<fb::Macro> seventeen (17);
    const auto macros = builder.CreateVectorOfStructs (seventeen);
    const auto s = fb::CreateSession (builder, 0, 0, 0, 0, 0, 0, 0, 1, macros);
    builder.Finish (fb::CreateProject (builder, protocol::currentSchemaVersion, 1, s), protocol::projectFileIdentifier);
    std::vector<std::uint8_t> tooMany (builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize());
    rewriteChecksum (tooMany);
    CHECK (decodeProjectError (tooMany) == "The project file is invalid: It has 17 macros (at most 16).");
}

TEST_CASE ("SetMacro and SetMidiChannel come after the drum kits in ActionBody, round-trip, and read as JSON", "[protocol][wire][macros]")
{
    CHECK ((int) fb::ActionBody::SetDrumPattern == 64);
    CHECK ((int) fb::ActionBody::SetMacro == 65);
    CHECK ((int) fb::ActionBody::SetMidiChannel == 66);
    CHECK (fb::ActionBody::SetMidiChannel < fb::ActionBody::MAX); // live playing's actions came after
    CHECK (sizeof (fb::Macro) == 24);

    const auto level = levelOf (model::InstrumentId { 3 });
    const Message macro = msg::Action { 5, model::action::SetMacro { 12, model::Macro { true, level, 1.75f, 0.25f } } };
    const auto bytes = protocol::encodeMessage (macro);
    CHECK (bytes.size() <= 100); // one small frame per mapping
    auto decoded = protocol::decodeMessage (bytes.data(), bytes.size());
    INFO (decoded.error);
    REQUIRE (decoded.ok());
    CHECK (*decoded.message == macro);

    std::string error;
    const auto json = protocol::messageToJson (bytes.data(), bytes.size(), error);
    INFO (error);
    REQUIRE (error.empty());
    CHECK (json.find ("\"body_type\": \"SetMacro\"") != std::string::npos);
    CHECK (json.find ("\"index\": 12") != std::string::npos);
    CHECK (json.find ("\"assigned\": true") != std::string::npos);
    CHECK (protocol::messageFromJson (json, error) == bytes);

    const Message channel = msg::Action { 6, model::action::SetMidiChannel { model::InstrumentId { 3 }, 9 } };
    const auto channelBytes = protocol::encodeMessage (channel);
    decoded = protocol::decodeMessage (channelBytes.data(), channelBytes.size());
    REQUIRE (decoded.ok());
    CHECK (*decoded.message == channel);
    const auto channelJson = protocol::messageToJson (channelBytes.data(), channelBytes.size(), error);
    CHECK (channelJson.find ("\"channel\": 9") != std::string::npos);

    // A macro's parameter address with an enum value the schema does not know is a bad frame.
    flatbuffers::FlatBufferBuilder builder;
    const fb::Macro bad (fb::ParamAddress ((fb::NodeKind) 7, fb::ParamGroup::Strip, 0, 3, 0), 0.0f, 1.0f, true);
    const auto body = fb::CreateSetMacro (builder, 0, &bad);
    builder.Finish (fb::CreateMessage (builder, fb::Payload::Action, fb::CreateAction (builder, 1, fb::ActionBody::SetMacro, body.Union()).Union()), protocol::wireIdentifier);
    const auto refused = protocol::decodeMessage (builder.GetBufferPointer(), builder.GetSize());
    REQUIRE_FALSE (refused.ok());
    CHECK_THAT (refused.error, Catch::Contains ("unknown value 7"));
}

TEST_CASE ("A macro or MIDI channel edit travels in a small patch that a mirror applies, and a bad one is refused whole", "[protocol][patch][macros]")
{
    Fixture server;
    const auto a = server.addInstrument();
    server.addInstrument();
    server.addInstrument(); // so that one instrument's edit travels alone, not the rack whole
    auto mirror = server.session;

    const auto r = applyOk (server.dispatcher, model::action::SetMacro { 1, model::Macro { true, levelOf (a), 0.0f, 1.5f } });
    const auto patch = protocol::makePatch (server.session, r.changes.net, 1);
    REQUIRE (patch.macros.has_value());
    CHECK_FALSE (patch.instruments.has_value());
    CHECK (patch.instrumentUpdates.empty());
    const auto frame = protocol::encodePatchFrame (server.session, r.changes.net, 1);
    CHECK (frame == protocol::encodeFrame (patch));
    CHECK (frame.size() < 500);
    CHECK (protocol::applyPatch (mirror, patch).empty());
    CHECK (mirror == server.session);

    const auto channel = applyOk (server.dispatcher, model::action::SetMidiChannel { a, 4 });
    const auto channelPatch = protocol::makePatch (server.session, channel.changes.net, 2);
    CHECK_FALSE (channelPatch.macros.has_value());
    REQUIRE (channelPatch.instrumentUpdates.size() == 1);
    CHECK (protocol::applyPatch (mirror, channelPatch).empty());
    CHECK (mirror.instruments.find (a)->midiChannel == 4);
    CHECK (mirror == server.session);

    // A patch whose macro names a node the mirror does not have, or whose instrument has channel 20,
    // changes nothing.
    auto bad = patch;
    (*bad.macros)[5] = { true, levelOf (model::InstrumentId { 999 }), 0.0f, 1.0f };
    const auto before = mirror;
    CHECK (protocol::applyPatch (mirror, bad) == "Macro 6 drives a node that does not exist.");
    CHECK (mirror == before);
    auto badChannel = channelPatch;
    badChannel.instrumentUpdates[0].midiChannel = 20;
    CHECK_THAT (protocol::applyPatch (mirror, badChannel), Catch::Contains ("MIDI channel 20"));
    CHECK (mirror == before);

    // Deleting the instrument unassigns its macro: the structural patch carries the macros too.
    const auto del = applyOk (server.dispatcher, model::action::DeleteInstrument { a });
    const auto delPatch = protocol::makePatch (server.session, del.changes.net, 3);
    REQUIRE (delPatch.macros.has_value());
    CHECK_FALSE ((*delPatch.macros)[1].assigned);
    CHECK (protocol::applyPatch (mirror, delPatch).empty());
    CHECK (mirror == server.session);
}
