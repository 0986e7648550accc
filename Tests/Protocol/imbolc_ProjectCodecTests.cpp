#include "imbolc_ProtocolTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

namespace
{
model::Session decodeOk (const std::vector<std::uint8_t>& bytes, protocol::ChecksumPolicy policy = protocol::ChecksumPolicy::verify)
{
    auto decoded = protocol::decodeProject (bytes.data(), bytes.size(), policy);
    INFO (decoded.error);
    REQUIRE (decoded.ok());
    REQUIRE (decoded.error.empty());
    return std::move (*decoded.session);
}

std::string decodeError (const std::uint8_t* data, std::size_t size, protocol::ChecksumPolicy policy = protocol::ChecksumPolicy::verify)
{
    const auto decoded = protocol::decodeProject (data, size, policy);
    REQUIRE_FALSE (decoded.ok());
    REQUIRE_FALSE (decoded.session.has_value());
    REQUIRE_FALSE (decoded.error.empty());
    return decoded.error;
}

std::string decodeError (const std::vector<std::uint8_t>& bytes, protocol::ChecksumPolicy policy = protocol::ChecksumPolicy::verify)
{
    return decodeError (bytes.data(), bytes.size(), policy);
}

bool startsWith (const std::string& s, const std::string& prefix) { return s.rfind (prefix, 0) == 0; }

void requireRoundTrip (const model::Session& session)
{
    REQUIRE (model::validate (session).empty());
    const auto first = protocol::encodeProject (session);
    const auto second = protocol::encodeProject (session);
    REQUIRE (first == second);

    const auto decoded = decodeOk (first);
    REQUIRE (decoded == stopped (session));

    // Decoding and encoding again gives the same file: nothing is lost or reordered.
    REQUIRE (protocol::encodeProject (decoded) == protocol::encodeProject (stopped (session)));
}
} // namespace

TEST_CASE ("crc32 gives the IEEE check value and chains across blocks", "[protocol]")
{
    const std::string text = "123456789";
    const auto* bytes = reinterpret_cast<const std::uint8_t*> (text.data());
    REQUIRE (protocol::crc32 (bytes, text.size()) == 0xCBF43926u);
    REQUIRE (protocol::crc32 (bytes, 0) == 0u);

    for (std::size_t split = 0; split <= text.size(); ++split)
        REQUIRE (protocol::crc32 (bytes + split, text.size() - split, protocol::crc32 (bytes, split)) == 0xCBF43926u);
}

TEST_CASE ("the small reference session round-trips and encodes deterministically", "[protocol]")
{
    requireRoundTrip (smallReference());
}

TEST_CASE ("the large reference session round-trips and encodes deterministically", "[protocol]")
{
    requireRoundTrip (largeReference());
}

TEST_CASE ("a session setting every field round-trips and loading stops the transport", "[protocol]")
{
    const auto session = makeEveryFieldSession();
    INFO (model::validate (session));
    REQUIRE (model::validate (session).empty());
    requireRoundTrip (session);

    const auto decoded = decodeOk (protocol::encodeProject (session));
    REQUIRE_FALSE (decoded.transport.playing);
    REQUIRE_FALSE (decoded.transport.recording);
    REQUIRE (decoded.transport.automationRecording);
    REQUIRE (decoded.transport.position == 960);
    REQUIRE (decoded.instruments[0].source.plugin.state == std::vector<std::uint8_t> { 0, 1, 2, 3, 0, 254, 255 });
    REQUIRE (decoded.mixer.buses[1].chain[0].effect == model::EffectType::plugin);
    REQUIRE (decoded.instruments[1].strip.sends[0].preInsert == false);
    REQUIRE (decoded.instruments[1].strip.sends[1].preInsert == true);
    REQUIRE (decoded.nextId == session.nextId);

    // A session differing in one field encodes differently: every field reaches the bytes.
    auto changed = session;
    changed.instruments[0].lfo.target.index = 1;
    REQUIRE (protocol::encodeProject (changed) != protocol::encodeProject (session));
}

TEST_CASE ("project files carry the IMBC identifier and foreign identifiers are refused", "[protocol]")
{
    auto bytes = protocol::encodeProject (smallReference());
    REQUIRE (bytes.size() > 8);
    REQUIRE (std::string (bytes.begin() + 4, bytes.begin() + 8) == "IMBC");
    REQUIRE (std::string (protocol::projectFileIdentifier) == "IMBC");

    bytes[7] = 'X';
    REQUIRE (decodeError (bytes) == "This is not an Imbolc project file (wrong file identifier).");
    REQUIRE (decodeError (bytes, protocol::ChecksumPolicy::ignore) == "This is not an Imbolc project file (wrong file identifier).");
}

TEST_CASE ("empty and too short buffers are refused with their own sentences", "[protocol]")
{
    REQUIRE (decodeError (nullptr, 0) == "The file is empty.");
    const std::vector<std::uint8_t> empty;
    REQUIRE (decodeError (empty) == "The file is empty.");

    const auto bytes = protocol::encodeProject (smallReference());
    for (std::size_t n = 1; n < 8; ++n)
        REQUIRE (decodeError (bytes.data(), n) == "The file is truncated or not an Imbolc project (too short).");
}

TEST_CASE ("every truncated project is refused", "[protocol]")
{
    SECTION ("every length of the small session")
    {
        const auto bytes = protocol::encodeProject (smallReference());
        for (std::size_t n = 0; n < bytes.size(); ++n)
        {
            const auto decoded = protocol::decodeProject (bytes.data(), n);
            INFO ("length " << n);
            REQUIRE_FALSE (decoded.ok());
            REQUIRE_FALSE (decoded.error.empty());
        }
    }

    SECTION ("the first 4096 lengths and 200 random ones of the large session")
    {
        const auto bytes = protocol::encodeProject (largeReference());
        std::vector<std::size_t> lengths;
        for (std::size_t n = 0; n <= std::min<std::size_t> (bytes.size() - 1, 4096); ++n)
            lengths.push_back (n);
        std::mt19937 rng (1234);
        for (int i = 0; i < 200; ++i)
            lengths.push_back (rng() % bytes.size());
        lengths.push_back (bytes.size() - 1);

        for (auto n : lengths)
        {
            const auto decoded = protocol::decodeProject (bytes.data(), n);
            INFO ("length " << n);
            REQUIRE_FALSE (decoded.ok());
            REQUIRE_FALSE (decoded.error.empty());
        }
    }
}

TEST_CASE ("every single-byte change to a project file is refused", "[protocol]")
{
    const auto original = protocol::encodeProject (smallReference());
    std::mt19937 rng (20261124u);
    int caughtByChecksum = 0;

    for (int i = 0; i < 2000; ++i)
    {
        auto bytes = original;
        const auto position = rng() % bytes.size();
        const auto flip = (std::uint8_t) (1 + rng() % 255);
        bytes[position] ^= flip;

        const auto decoded = protocol::decodeProject (bytes.data(), bytes.size());
        INFO ("position " << position << " xor " << (int) flip);
        REQUIRE_FALSE (decoded.ok());
        REQUIRE_FALSE (decoded.error.empty());
        if (decoded.error == "The project file is truncated or corrupt (its checksum does not match); restore it from a backup.")
            ++caughtByChecksum;
    }

    // Most bytes are data the verifier cannot judge (floats, ids, notes): the checksum is what catches them.
    REQUIRE (caughtByChecksum > 1800);
}

TEST_CASE ("a project from a newer schema is refused with both versions named", "[protocol]")
{
    auto bytes = protocol::encodeProject (smallReference());
    REQUIRE (fb::GetProject (bytes.data())->schema_version() == protocol::currentSchemaVersion);

    REQUIRE (fb::GetMutableProject (bytes.data())->mutate_schema_version (protocol::currentSchemaVersion + 1));
    rewriteChecksum (bytes);

    const auto expected = "The project was written by a newer Imbolc (schema version " + std::to_string (protocol::currentSchemaVersion + 1)
                          + "; this build reads up to " + std::to_string (protocol::currentSchemaVersion) + "); update Imbolc to open it.";
    REQUIRE (decodeError (bytes) == expected);
    REQUIRE (decodeError (bytes, protocol::ChecksumPolicy::ignore) == expected);
}

TEST_CASE ("the checksum covers the whole buffer and a missing checksum is corruption unless checks are ignored", "[protocol]")
{
    auto bytes = protocol::encodeProject (smallReference());
    const auto stored = fb::GetProject (bytes.data())->checksum();
    REQUIRE (stored != 0);

    // The stored value is the CRC of the buffer with the checksum field read as zero.
    auto zeroed = bytes;
    REQUIRE (fb::GetMutableProject (zeroed.data())->mutate_checksum (0));
    REQUIRE (protocol::crc32 (zeroed.data(), zeroed.size()) == stored);

    REQUIRE (decodeError (zeroed) == "The project file is truncated or corrupt (its checksum does not match); restore it from a backup.");
    REQUIRE (decodeOk (zeroed, protocol::ChecksumPolicy::ignore) == smallReference());

    // A project without the checksum field at all, as another writer might produce it.
    flatbuffers::FlatBufferBuilder builder;
    const auto session = fb::CreateSession (builder, 0, 0, 0, 0, 0, 0, 0, 1);
    builder.Finish (fb::CreateProject (builder, protocol::currentSchemaVersion, 0, session), protocol::projectFileIdentifier);
    const std::vector<std::uint8_t> bare (builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize());
    REQUIRE (decodeError (bare) == "The project file is corrupt (it has no checksum).");

    // Absent tables and strings read as the model's defaults.
    REQUIRE (decodeOk (bare, protocol::ChecksumPolicy::ignore) == model::Session {});
}

TEST_CASE ("a project without a session is refused", "[protocol]")
{
    flatbuffers::FlatBufferBuilder builder;
    fb::ProjectBuilder project (builder);
    project.add_schema_version (protocol::currentSchemaVersion);
    builder.ForceDefaults (true);
    project.add_checksum (0);
    builder.Finish (project.Finish(), protocol::projectFileIdentifier);
    std::vector<std::uint8_t> bytes (builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize());
    rewriteChecksum (bytes);

    REQUIRE (decodeError (bytes) == "The project file is invalid: it holds no session.");
}

TEST_CASE ("a checksummed project holding an invalid session is refused whole", "[protocol]")
{
    auto session = smallReference();
    auto& notes = session.pianoRoll[0].notes;
    REQUIRE (notes.size() >= 2);
    REQUIRE (notes.front().tick != notes.back().tick);
    std::swap (notes.front(), notes.back());
    REQUIRE_FALSE (model::validate (session).empty());

    const auto bytes = protocol::encodeProject (session);
    const auto error = decodeError (bytes);
    REQUIRE (error == "The project file is invalid: " + model::validate (session));
    REQUIRE (error.find ("out of order") != std::string::npos);
}

TEST_CASE ("a project holding more instruments than a session may is refused", "[protocol]")
{
    const auto atTheLimit = sessionWithInstruments (model::Session::maxInstruments);
    CHECK (decodeOk (protocol::encodeProject (atTheLimit)).instruments.size() == model::Session::maxInstruments);

    const auto error = decodeError (protocol::encodeProject (sessionWithInstruments (model::Session::maxInstruments + 1)));
    CHECK (error == "The project file is invalid: The session has 1025 instruments (at most 1024).");
}

TEST_CASE ("enum values the schema does not know are refused", "[protocol]")
{
    SECTION ("a stage kind")
    {
        auto bytes = protocol::encodeProject (smallReference());
        auto* chain = fb::GetMutableProject (bytes.data())->mutable_session()->mutable_instruments()->GetMutableObject (0)->mutable_chain();
        // Only a stored field can be patched: the stage kind is stored when it is not the default (filter).
        fb::Stage* stage = nullptr;
        for (flatbuffers::uoffset_t i = 0; i < chain->size() && stage == nullptr; ++i)
            if (chain->Get (i)->kind() != fb::StageKind::Filter)
                stage = chain->GetMutableObject (i);
        REQUIRE (stage != nullptr);
        REQUIRE (stage->mutate_kind ((fb::StageKind) 200));
        rewriteChecksum (bytes);

        const auto error = decodeError (bytes);
        REQUIRE (startsWith (error, "The project file is invalid: "));
        REQUIRE (error.find ("unknown value 200") != std::string::npos);
    }

    SECTION ("an automation curve")
    {
        auto bytes = protocol::encodeProject (smallReference());
        auto* lane = fb::GetMutableProject (bytes.data())->mutable_session()->mutable_automation()->GetMutableObject (0);
        lane->mutable_points()->GetMutableObject (0)->mutate_curve ((fb::CurveType) 4);
        rewriteChecksum (bytes);

        const auto error = decodeError (bytes);
        REQUIRE (startsWith (error, "The project file is invalid: "));
        REQUIRE (error.find ("curve has an unknown value 4") != std::string::npos);
    }

    SECTION ("a parameter group, which model::validate alone would not look at")
    {
        const auto session = makeEveryFieldSession();
        auto bytes = protocol::encodeProject (session);
        auto* lfo = fb::GetMutableProject (bytes.data())->mutable_session()->mutable_instruments()->GetMutableObject (0)->mutable_lfo();
        lfo->mutable_target()->mutate_group ((fb::ParamGroup) 77);
        rewriteChecksum (bytes);

        const auto error = decodeError (bytes);
        REQUIRE (error == "The project file is invalid: A parameter address's group has an unknown value 77.");
    }
}

TEST_CASE ("duplicate ids are refused", "[protocol]")
{
    auto bytes = protocol::encodeProject (smallReference());
    auto* buses = fb::GetMutableProject (bytes.data())->mutable_session()->mutable_mixer()->mutable_buses();
    REQUIRE (buses->size() >= 2);
    const auto firstId = buses->Get (0)->id();
    REQUIRE (buses->GetMutableObject (1)->mutate_id (firstId));
    rewriteChecksum (bytes);

    REQUIRE (decodeError (bytes) == "The project file is invalid: Bus id " + std::to_string (firstId) + " appears twice.");
}
