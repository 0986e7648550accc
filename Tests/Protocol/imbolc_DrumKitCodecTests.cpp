#include "imbolc_ProtocolTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

namespace
{
/** A project file written with the schema as it was before drum kits (commit 10a35d1): two instruments,
    a kick and a hat, and one note. Made with that schema's own compiler, not this codec:
        git show 10a35d1:Modules/imbolc_protocol/schema/imbolc.fbs > old.fbs
        flatc -b old.fbs before-drums.json     (the JSON is the session below, checksum 1)
        xxd -i before-drums.imbolc
    Its checksum is rewritten by the test (flatc does not compute it). */
// clang-format off
const std::vector<std::uint8_t> projectBeforeDrums {
  0x18, 0x00, 0x00, 0x00, 0x49, 0x4d, 0x42, 0x43, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x0a, 0x00, 0x10, 0x00, 0x04, 0x00, 0x08, 0x00, 0x0c, 0x00,
  0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x18, 0x00, 0x00, 0x00, 0x14, 0x00, 0x18, 0x00, 0x04, 0x00, 0x08, 0x00,
  0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x14, 0x00,
  0x14, 0x00, 0x00, 0x00, 0x64, 0x01, 0x00, 0x00, 0x7c, 0x00, 0x00, 0x00,
  0x24, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0xfe, 0xfe, 0xff, 0xff, 0x00, 0x00, 0x80, 0x3f,
  0x02, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0xf0, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0c, 0x00, 0x04, 0x00, 0x08, 0x00,
  0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x24, 0x64, 0x00, 0x00,
  0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x02, 0x00, 0x00, 0x00, 0x78, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x16, 0x00, 0x28, 0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00,
  0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x20, 0x00, 0x24, 0x00,
  0x16, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00,
  0x24, 0x00, 0x00, 0x00, 0x0a, 0xd7, 0xa3, 0x3b, 0xcd, 0xcc, 0xcc, 0x3d,
  0xcd, 0xcc, 0x4c, 0x3f, 0xcd, 0xcc, 0x4c, 0x3e, 0x18, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0xa6, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x3f,
  0xa0, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x0b, 0x03, 0x00, 0x00, 0x00,
  0x48, 0x61, 0x74, 0x00, 0x00, 0x00, 0x16, 0x00, 0x2a, 0x00, 0x04, 0x00,
  0x08, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
  0x20, 0x00, 0x24, 0x00, 0x16, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x40, 0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00, 0x0a, 0xd7, 0xa3, 0x3b,
  0xcd, 0xcc, 0xcc, 0x3d, 0xcd, 0xcc, 0x4c, 0x3f, 0xcd, 0xcc, 0x4c, 0x3e,
  0x18, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00,
  0x08, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, 0xcd, 0xcc, 0x4c, 0x3f,
  0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x07, 0x00, 0x08, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x09, 0x04, 0x00, 0x00, 0x00, 0x4b, 0x69, 0x63, 0x6b,
  0x00, 0x00, 0x16, 0x00, 0x34, 0x00, 0x04, 0x00, 0x2c, 0x00, 0x08, 0x00,
  0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x14, 0x00,
  0x16, 0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0xe0, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x5e, 0x40, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00,
  0x42, 0x65, 0x66, 0x6f, 0x72, 0x65, 0x20, 0x64, 0x72, 0x75, 0x6d, 0x73,
  0x00, 0x00, 0x00, 0x00
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

/** A session with one drum kit whose pattern and pads are all changed from the defaults. */
model::Session sessionWithKit()
{
    using namespace model;
    test::Fixture f;
    Source drums;
    drums.builtIn = BuiltInSource::drumKit;
    const auto kit = InstrumentId { applyOk (f.dispatcher, action::AddInstrument { "Kit", drums }).createdId };
    applyOk (f.dispatcher, action::SetDrumPattern { kit, 32, 8, 0.375f });
    applyOk (f.dispatcher, action::SetDrumSteps { kit, { { 0, 0, { true, 127, 1.0f } }, { 0, 8, { true, 64, 0.5f } }, { 11, 31, { true, 1, 0.0f } } } });
    applyOk (f.dispatcher, action::SetDrumPad { kit, 3, { DrumPadKind::sample, "Clap", "samples/clap.wav", 0.5f, 12.0f, 2.0f } });
    return f.session;
}
} // namespace

TEST_CASE ("A project written before drum kits loads: no instrument has a kit, everything else is as written", "[protocol][drums]")
{
    auto bytes = projectBeforeDrums;
    rewriteChecksum (bytes);
    const auto session = decodeProjectOk (bytes);

    REQUIRE (session.instruments.size() == 2);
    const auto& kick = session.instruments[0];
    CHECK (kick.name == "Kick");
    CHECK (kick.source.builtIn == model::BuiltInSource::kick);
    CHECK (kick.drums == model::DrumKit {});
    CHECK (session.instruments[1].source.builtIn == model::BuiltInSource::hat);
    CHECK (session.instruments[1].drums == model::DrumKit {});
    REQUIRE (session.pianoRoll.find (kick.id)->notes.size() == 1);
    CHECK (session.pianoRoll.find (kick.id)->notes[0].pitch == 36);
    CHECK (session.settings.name == "Before drums");
    CHECK (session.nextId == 4);

    // The old Instrument tables really are the old layout: their vtables end before the drums field.
    const auto* instruments = fb::GetProject (bytes.data())->session()->instruments();
    for (const auto* inst : *instruments)
        CHECK (inst->drums() == nullptr);

    // It becomes a drum kit like any instrument, and then saves and loads with its kit.
    model::Session edited = session;
    model::UndoHistory history;
    model::Dispatcher d (edited, history);
    model::Source drums;
    drums.builtIn = model::BuiltInSource::drumKit;
    applyOk (d, model::action::SetSource { kick.id, drums });
    applyOk (d, model::action::SetDrumStep { kick.id, 0, 0, { true, 100, 1.0f } });
    const auto again = decodeProjectOk (protocol::encodeProject (edited));
    CHECK (again == edited);
    CHECK (again.instruments[0].drums.rows[0][0].on);
}

TEST_CASE ("A drum kit round-trips through the project file, sparsely, and an instrument without one writes nothing new", "[protocol][drums]")
{
    const auto session = sessionWithKit();
    REQUIRE (model::validate (session).empty());
    const auto bytes = protocol::encodeProject (session);
    CHECK (decodeProjectOk (bytes) == session);
    CHECK (protocol::encodeProject (decodeProjectOk (bytes)) == bytes);

    // Only the three non-empty steps are stored, not 12 x 64.
    const auto* kit = fb::GetProject (bytes.data())->session()->instruments()->Get (0)->drums();
    REQUIRE (kit != nullptr);
    REQUIRE (kit->rows()->size() == 12);
    std::size_t stored = 0;
    for (const auto* row : *kit->rows())
        stored += row->steps() != nullptr ? row->steps()->size() : 0;
    CHECK (stored == 3);
    CHECK (kit->rows()->Get (11)->steps()->Get (0)->index() == 31);

    // A kit costs its pads and a few bytes a step; an instrument with none costs nothing.
    auto withoutKit = session;
    withoutKit.instruments[0].source = {};
    withoutKit.instruments[0].drums = {};
    const auto plain = protocol::encodeProject (withoutKit);
    CHECK (fb::GetProject (plain.data())->session()->instruments()->Get (0)->drums() == nullptr);
    CHECK (bytes.size() - plain.size() < 1200);

    // The JSON text form carries it too, and reads back to the same file.
    std::string error;
    const auto json = protocol::projectToJson (bytes.data(), bytes.size(), error);
    INFO (error);
    REQUIRE (error.empty());
    CHECK (json.find ("\"steps_per_beat\": 8") != std::string::npos);
    CHECK (json.find ("\"sample_path\": \"samples/clap.wav\"") != std::string::npos);
    CHECK (protocol::projectFromJson (json, error) == bytes);
}

TEST_CASE ("A drum kit the model cannot hold is refused on load with one sentence", "[protocol][drums]")
{
    const auto session = sessionWithKit();

    SECTION ("a step index past a row")
    {
        auto bytes = protocol::encodeProject (session);
        auto* row = fb::GetMutableProject (bytes.data())->mutable_session()->mutable_instruments()->GetMutableObject (0)->mutable_drums()->mutable_rows()->GetMutableObject (0);
        row->mutable_steps()->GetMutableObject (1)->mutate_index (64);
        rewriteChecksum (bytes);
        CHECK (decodeProjectError (bytes) == "The project file is invalid: A drum step's index 64 is outside 0 to 63.");
    }
    SECTION ("one step twice")
    {
        auto bytes = protocol::encodeProject (session);
        auto* row = fb::GetMutableProject (bytes.data())->mutable_session()->mutable_instruments()->GetMutableObject (0)->mutable_drums()->mutable_rows()->GetMutableObject (0);
        row->mutable_steps()->GetMutableObject (1)->mutate_index (0);
        rewriteChecksum (bytes);
        CHECK (decodeProjectError (bytes) == "The project file is invalid: Drum step 0 appears twice in a row.");
    }
    SECTION ("a pad kind this build does not know")
    {
        auto bytes = protocol::encodeProject (session);
        auto* pad = fb::GetMutableProject (bytes.data())->mutable_session()->mutable_instruments()->GetMutableObject (0)->mutable_drums()->mutable_pads()->GetMutableObject (3);
        REQUIRE (pad->mutate_kind ((fb::DrumPadKind) 9));
        rewriteChecksum (bytes);
        CHECK (decodeProjectError (bytes) == "The project file is invalid: A drum pad's kind has an unknown value 9.");
    }
    SECTION ("a value out of range is the model's to refuse")
    {
        auto broken = session;
        broken.instruments[0].drums.stepsPerBeat = 5;
        const auto id = std::to_string (broken.instruments[0].id.value);
        CHECK (decodeProjectError (protocol::encodeProject (broken)) == "The project file is invalid: Instrument " + id + " drum pattern has 5 steps per beat (must be 2, 3, 4, 6 or 8).");
    }
}
