// Audio tracks in the project file: monitoring and audio clips (appended Source fields and the AudioClip
// table) round-trip; a file with a malformed clip is refused whole with one sentence.

#include "imbolc_TestHelpers.h"
#include <imbolc_protocol/imbolc_protocol.h>

using namespace imbolc;

namespace
{
model::Session sessionWithAudio()
{
    model::Session s;
    model::Instrument mic;
    mic.id = s.allocateId<model::InstrumentId>();
    mic.name = "Mic";
    mic.source.kind = model::SourceKind::audioInput;
    mic.source.inputChannel = 2;
    mic.source.monitoring = false;
    s.instruments.add (mic);
    s.pianoRoll.add ({ mic.id, {} });

    model::Instrument track;
    track.id = s.allocateId<model::InstrumentId>();
    track.name = "Mic take";
    track.source.kind = model::SourceKind::audioClips;
    track.source.clips = { { "Song Audio/Mic-take.wav", 954, 17, 48000, 1.0f }, { "Song Audio/Mic-take-2.wav", 9600, 0, 123456789012, 0.25f } };
    s.instruments.add (track);
    s.pianoRoll.add ({ track.id, {} });
    return s;
}
} // namespace

TEST_CASE ("A project with an audio input and an audio track round-trips", "[protocol][audioin]")
{
    const auto session = sessionWithAudio();
    REQUIRE (model::validate (session).empty());
    const auto bytes = protocol::encodeProject (session);
    auto decoded = protocol::decodeProject (bytes.data(), bytes.size());
    INFO (decoded.error);
    REQUIRE (decoded.ok());
    CHECK (*decoded.session == session);
    CHECK_FALSE (decoded.session->instruments[0].source.monitoring);
    CHECK (decoded.session->instruments[1].source.clips[1].length == 123456789012);

    // The JSON text form carries them too (imbolc dump / load-json).
    std::string error;
    const auto json = protocol::projectToJson (bytes.data(), bytes.size(), error);
    INFO (error);
    CHECK (json.find ("\"clips\"") != std::string::npos);
    CHECK (json.find ("Mic-take-2.wav") != std::string::npos);
}

TEST_CASE ("A project file with a malformed audio clip is refused whole", "[protocol][audioin]")
{
    auto session = sessionWithAudio();
    session.instruments[1].source.clips[0].offset = -3;
    const auto bytes = protocol::encodeProject (session);
    const auto decoded = protocol::decodeProject (bytes.data(), bytes.size());
    REQUIRE_FALSE (decoded.ok());
    CHECK (decoded.error == "The project file is invalid: Instrument 2 audio clip 1 starts before the song or the file, or has no length.");
}
