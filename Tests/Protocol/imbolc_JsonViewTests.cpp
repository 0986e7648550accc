#include "imbolc_ProtocolTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

namespace
{
std::string toJson (const std::vector<std::uint8_t>& bytes)
{
    std::string error = "stale";
    auto json = protocol::projectToJson (bytes.data(), bytes.size(), error);
    INFO (error);
    REQUIRE (error.empty());
    REQUIRE_FALSE (json.empty());
    return json;
}

std::vector<std::uint8_t> fromJson (const std::string& json)
{
    std::string error = "stale";
    auto bytes = protocol::projectFromJson (json, error);
    INFO (error);
    REQUIRE (error.empty());
    REQUIRE_FALSE (bytes.empty());
    return bytes;
}

std::string fromJsonError (const std::string& json)
{
    std::string error;
    const auto bytes = protocol::projectFromJson (json, error);
    REQUIRE (bytes.empty());
    REQUIRE_FALSE (error.empty());
    return error;
}

model::Session decodeOk (const std::vector<std::uint8_t>& bytes)
{
    auto decoded = protocol::decodeProject (bytes.data(), bytes.size());
    INFO (decoded.error);
    REQUIRE (decoded.ok());
    return std::move (*decoded.session);
}

/** Session -> file -> JSON -> file -> session. */
model::Session throughJson (const model::Session& s)
{
    return decodeOk (fromJson (toJson (protocol::encodeProject (s))));
}

bool startsWith (const std::string& s, const std::string& prefix) { return s.rfind (prefix, 0) == 0; }

/** Replaces the value of the first `"key": value` in the JSON text. */
std::string replaceValue (std::string json, const std::string& key, const std::string& value)
{
    const auto keyText = "\"" + key + "\": ";
    const auto at = json.find (keyText);
    REQUIRE (at != std::string::npos);
    const auto start = at + keyText.size();
    const auto end = json.find_first_of (",\n}", start);
    REQUIRE (end != std::string::npos);
    return json.replace (start, end - start, value);
}

void requireJsonReproducesItself (const model::Session& session)
{
    const auto j1 = toJson (protocol::encodeProject (session));
    const auto b2 = fromJson (j1);
    const auto j2 = toJson (b2);
    REQUIRE (j1 == j2);

    // What comes back is a complete project file: checksum verified, identifier in place.
    REQUIRE (protocol::decodeProject (b2.data(), b2.size(), protocol::ChecksumPolicy::verify).ok());
    REQUIRE (std::string (b2.begin() + 4, b2.begin() + 8) == "IMBC");
}
} // namespace

TEST_CASE ("JSON of a project reproduces itself byte for byte", "[protocol]")
{
    SECTION ("small reference") { requireJsonReproducesItself (smallReference()); }
    SECTION ("large reference") { requireJsonReproducesItself (largeReference()); }
    // Stopped: loading always stops the transport, so a playing session's second dump would differ there.
    SECTION ("every field") { requireJsonReproducesItself (stopped (makeEveryFieldSession())); }
}

TEST_CASE ("a session survives the trip through JSON", "[protocol]")
{
    SECTION ("small reference: its values are short decimals, so it comes back equal")
    {
        REQUIRE (throughJson (smallReference()) == smallReference());
    }

    SECTION ("every field")
    {
        const auto session = makeEveryFieldSession();
        REQUIRE (throughJson (session) == stopped (session));
    }

    SECTION ("large reference: after one trip, further trips change nothing")
    {
        const auto once = throughJson (largeReference());
        const auto twice = throughJson (once);
        REQUIRE (twice == once);
        REQUIRE (once.instruments.size() == largeReference().instruments.size());
        REQUIRE (once.automation.size() == largeReference().automation.size());

        // Six decimals are far finer than a float at these magnitudes: nothing moved further than that.
        const auto& before = largeReference().automation[0].points.points;
        const auto& after = once.automation[0].points.points;
        REQUIRE (before.size() == after.size());
        for (std::size_t i = 0; i < before.size(); ++i)
            REQUIRE (std::abs (before[i].value - after[i].value) <= 1.0e-6f * std::max (1.0f, std::abs (before[i].value)));
    }
}

TEST_CASE ("the JSON is complete and readable", "[protocol]")
{
    const auto json = toJson (protocol::encodeProject (smallReference()));
    REQUIRE (json.find ("\"bpm\": 112.0") != std::string::npos);
    REQUIRE (json.find ("\"name\": \"Imbolc demo\"") != std::string::npos);
    REQUIRE (json.find ("\"scale\": \"Minor\"") != std::string::npos);
    // Default values are printed too, so every field is visible for editing.
    REQUIRE (json.find ("\"playing\": false") != std::string::npos);
    REQUIRE (json.find ("\"schema_version\": " + std::to_string (protocol::currentSchemaVersion)) != std::string::npos);
    REQUIRE (json.find ("\n  \"session\": {") != std::string::npos);
}

TEST_CASE ("the JSON view refuses what the decoder refuses", "[protocol]")
{
    auto bytes = protocol::encodeProject (smallReference());
    bytes[bytes.size() / 2] ^= 0x5a;

    std::string error;
    const auto json = protocol::projectToJson (bytes.data(), bytes.size(), error);
    REQUIRE (json.empty());
    REQUIRE (error == protocol::decodeProject (bytes.data(), bytes.size()).error);
    REQUIRE (startsWith (error, "The project file is truncated or corrupt"));
}

TEST_CASE ("JSON that does not parse against the schema is refused", "[protocol]")
{
    const auto json = toJson (protocol::encodeProject (smallReference()));

    SECTION ("a syntax error")
    {
        auto broken = json;
        broken.erase (broken.find (':'), 1);
        const auto error = fromJsonError (broken);
        REQUIRE (startsWith (error, "The JSON is not a valid Imbolc project: line 2, column "));
        REQUIRE (error.back() != '\n');
    }

    SECTION ("a field the schema does not have")
    {
        auto unknown = json;
        unknown.insert (unknown.find ("\"bpm\""), "\"beats_per_minute\": 100.0, ");
        REQUIRE (startsWith (fromJsonError (unknown), "The JSON is not a valid Imbolc project: "));
    }

    SECTION ("an enum name the schema does not have")
    {
        REQUIRE (startsWith (fromJsonError (replaceValue (json, "scale", "\"Klezmer\"")), "The JSON is not a valid Imbolc project: "));
    }

    SECTION ("not JSON at all")
    {
        REQUIRE (startsWith (fromJsonError ("this is not json"), "The JSON is not a valid Imbolc project: "));
    }
}

TEST_CASE ("JSON holding an invalid session is refused with validate's sentence", "[protocol]")
{
    const auto json = toJson (protocol::encodeProject (smallReference()));

    SECTION ("a tempo out of range")
    {
        const auto error = fromJsonError (replaceValue (json, "bpm", "5000.0"));
        auto expected = smallReference();
        expected.settings.bpm = 5000.0;
        REQUIRE (error == "The project file is invalid: " + model::validate (expected));
        REQUIRE (error.find ("tempo") != std::string::npos);
    }

    SECTION ("a newer schema version")
    {
        const auto error = fromJsonError (replaceValue (json, "schema_version", "99"));
        REQUIRE (startsWith (error, "The project was written by a newer Imbolc (schema version 99;"));
    }

    SECTION ("an edited checksum is ignored, and the result carries a correct one")
    {
        const auto bytes = fromJson (replaceValue (json, "checksum", "12345"));
        REQUIRE (fb::GetProject (bytes.data())->checksum() != 12345u);
        REQUIRE (decodeOk (bytes) == smallReference());
    }
}

TEST_CASE ("a name that is not UTF-8 is refused by the model and a file holding one is refused on load", "[protocol]")
{
    auto session = smallReference();
    session.settings.name = "bad \xff\xfe bytes";
    REQUIRE_THAT (model::validate (session), Catch::Contains ("not valid UTF-8"));
    const auto bytes = protocol::encodeProject (session);

    const auto decoded = protocol::decodeProject (bytes.data(), bytes.size());
    REQUIRE_FALSE (decoded.ok());
    REQUIRE_THAT (decoded.error, Catch::Contains ("not valid UTF-8"));

    std::string error;
    REQUIRE (protocol::projectToJson (bytes.data(), bytes.size(), error).empty());
    REQUIRE_THAT (error, Catch::Contains ("not valid UTF-8"));
}
