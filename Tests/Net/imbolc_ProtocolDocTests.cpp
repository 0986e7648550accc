// docs/PROTOCOL.md is what a third party writes a seat client from. Its constants and worked example
// vectors (lines "constant: NAME = VALUE" and "vector: NAME = HEX") are read here and checked against
// the code, so the document and the code cannot drift apart.

#include "imbolc_NetTestSupport.h"

#include <regex>

using namespace imbolc;
using namespace imbolc::test;
namespace msg = imbolc::protocol::msg;
using protocol::Bytes;

namespace
{
struct ProtocolDoc
{
    std::map<std::string, std::string> constants, vectors;
    std::vector<std::string> repeated; ///< names defined twice

    std::string constant (const std::string& name) const
    {
        INFO ("constant: " << name);
        const auto it = constants.find (name);
        REQUIRE (it != constants.end());
        return it->second;
    }

    long long number (const std::string& name) const { return std::stoll (constant (name)); }

    Bytes vector (const std::string& name) const
    {
        INFO ("vector: " << name);
        const auto it = vectors.find (name);
        REQUIRE (it != vectors.end());
        return fromHex (it->second);
    }
};

const ProtocolDoc& protocolDoc()
{
    static const auto doc = []
    {
        const juce::File file (IMBOLC_PROTOCOL_DOC);
        INFO (IMBOLC_PROTOCOL_DOC);
        REQUIRE (file.existsAsFile());

        juce::StringArray lines;
        file.readLines (lines);
        const std::regex line (R"(^\s*(constant|vector):\s*([a-z0-9_]+)\s*=\s*(\S+)\s*$)");
        ProtocolDoc d;
        for (const auto& text : lines)
        {
            const auto s = text.toStdString();
            std::smatch m;
            if (! std::regex_match (s, m, line))
                continue;
            auto& table = m[1] == "constant" ? d.constants : d.vectors;
            if (! table.emplace (m[2], m[3]).second)
                d.repeated.push_back (m[2]);
        }
        return d;
    }();
    return doc;
}

Bytes ascii (const std::string& text) { return Bytes (text.begin(), text.end()); }

Bytes concat (std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const auto& p : parts)
        out.insert (out.end(), p.begin(), p.end());
    return out;
}

Bytes hmac (const Bytes& key, const Bytes& data) { return net::security::hmacSha256 (key.data(), key.size(), data.data(), data.size()); }

/** The bytes of a documented vector equal what the code computed (both shown in hex when not). */
void checkVector (const std::string& name, const Bytes& computed)
{
    const auto documented = protocolDoc().vector (name);
    INFO ("vector: " << name << "\n  documented " << toHex (documented) << "\n  the code   " << toHex (computed));
    CHECK (documented == computed);
}

/** A documented frame is what the encoder writes for the message, and decodes back to it. */
void checkFrame (const std::string& name, const protocol::Message& message)
{
    checkVector (name, protocol::encodeFrame (message));

    const auto frame = protocolDoc().vector (name);
    REQUIRE (frame.size() > protocol::frameLengthBytes + 8);
    CHECK (protocol::readFrameLength (frame.data()) == frame.size() - protocol::frameLengthBytes);
    const auto* payload = frame.data() + protocol::frameLengthBytes;
    CHECK (std::string (reinterpret_cast<const char*> (payload) + 4, 4) == protocolDoc().constant ("wire_identifier"));
    const auto decoded = protocol::decodeMessage (payload, frame.size() - protocol::frameLengthBytes);
    INFO (decoded.error);
    REQUIRE (decoded.ok());
    CHECK (*decoded.message == message);
}
} // namespace

TEST_CASE ("The protocol document names every constant and vector once", "[net][doc]")
{
    const auto& doc = protocolDoc();
    std::string repeated;
    for (const auto& name : doc.repeated)
        repeated += " " + name;
    INFO ("defined twice:" << repeated);
    CHECK (doc.repeated.empty());
    CHECK (doc.constants.size() >= 20);
    CHECK (doc.vectors.size() >= 12);
}

TEST_CASE ("The protocol document's constants are the code's", "[net][doc]")
{
    const auto& doc = protocolDoc();
    CHECK (doc.number ("protocol_version") == protocol::protocolVersion);
    CHECK (doc.number ("project_schema_version") == protocol::currentSchemaVersion);
    CHECK (doc.constant ("wire_identifier") == protocol::wireIdentifier);
    CHECK (doc.constant ("project_identifier") == protocol::projectFileIdentifier);
    CHECK (doc.number ("frame_length_bytes") == (long long) protocol::frameLengthBytes);
    CHECK (doc.number ("max_frame_bytes") == (long long) protocol::defaultMaxFrameBytes);
    CHECK (doc.number ("nonce_bytes") == (long long) protocol::nonceBytes);
    CHECK (doc.number ("token_bytes") == (long long) protocol::tokenBytes);
    CHECK (doc.number ("proof_bytes") == (long long) protocol::proofBytes);
    CHECK (doc.number ("max_name_bytes") == (long long) model::checks::maxNameLength);
    // A kind's ActionBody type value is its variant index + 1 (the codec's static_asserts hold the two together).
    CHECK (doc.number ("action_body_move_instrument") == (long long) model::Action (model::action::MoveInstrument {}).index() + 1);
    CHECK (doc.number ("action_body_set_clip_length") == (long long) model::Action (model::action::SetClipLength {}).index() + 1);
    CHECK (doc.number ("action_body_set_drum_step") == (long long) model::Action (model::action::SetDrumStep {}).index() + 1);
    CHECK (doc.number ("action_body_set_drum_steps") == (long long) model::Action (model::action::SetDrumSteps {}).index() + 1);
    CHECK (doc.number ("action_body_set_drum_pad") == (long long) model::Action (model::action::SetDrumPad {}).index() + 1);
    CHECK (doc.number ("action_body_set_drum_pattern") == (long long) model::Action (model::action::SetDrumPattern {}).index() + 1);
    CHECK (doc.number ("action_body_set_macro") == (long long) model::Action (model::action::SetMacro {}).index() + 1);
    CHECK (doc.number ("action_body_set_midi_channel") == (long long) model::Action (model::action::SetMidiChannel {}).index() + 1);
    CHECK (doc.number ("action_body_set_record_arm") == (long long) model::Action (model::action::SetRecordArm {}).index() + 1);
    CHECK (doc.number ("action_body_set_record_options") == (long long) model::Action (model::action::SetRecordOptions {}).index() + 1);
    CHECK (doc.number ("action_body_add_midi_mapping") == (long long) model::Action (model::action::AddMidiMapping {}).index() + 1);
    CHECK (doc.number ("action_body_change_midi_mapping") == (long long) model::Action (model::action::ChangeMidiMapping {}).index() + 1);
    CHECK (doc.number ("action_body_remove_midi_mapping") == (long long) model::Action (model::action::RemoveMidiMapping {}).index() + 1);
    CHECK (doc.number ("action_body_set_midi_output") == (long long) model::Action (model::action::SetMidiOutput {}).index() + 1);
    CHECK (doc.number ("action_body_edit_audio_clip") == (long long) model::Action (model::action::EditAudioClip {}).index() + 1);
    CHECK (doc.number ("action_body_set_plugin_isolation") == (long long) model::Action (model::action::SetPluginIsolation {}).index() + 1);

    const net::ServerOptions server;
    CHECK (doc.number ("default_port") == server.port);
    CHECK (doc.number ("patch_interval_ms") == server.patchIntervalMs);
    CHECK (doc.number ("metering_interval_ms") == server.meteringIntervalMs);
    CHECK (doc.number ("ping_interval_ms") == server.pingIntervalMs);
    CHECK (doc.number ("silence_timeout_ms") == server.silenceTimeoutMs);
    CHECK (doc.number ("reservation_ms") == server.reservationMs);
    CHECK (doc.number ("privilege_hold_ms") == server.privilegeHoldMs);
    CHECK (doc.number ("stall_timeout_ms") == server.writer.stallTimeoutMs);
    CHECK (doc.number ("outbox_max_frames") == (long long) server.writer.limits.maxFrames);
    CHECK (doc.number ("outbox_max_bytes") == (long long) server.writer.limits.maxBytes);

    const net::ClientOptions client;
    CHECK (doc.number ("client_backoff_initial_ms") == client.backoffInitialMs);
    CHECK (doc.number ("client_backoff_max_ms") == client.backoffMaxMs);
    CHECK (doc.number ("client_reconnect_for_ms") == client.reconnectForMs);
    CHECK (doc.number ("client_silence_timeout_ms") == client.silenceTimeoutMs);

    CHECK (doc.number ("discovery_port") == net::discovery::defaultBroadcastPort);
    CHECK (doc.constant ("discovery_service") == net::discovery::serviceType);
}

TEST_CASE ("The protocol document's handshake vectors are what the code computes", "[net][doc]")
{
    const auto& doc = protocolDoc();
    const auto passphraseBytes = doc.vector ("passphrase");
    const std::string passphrase (passphraseBytes.begin(), passphraseBytes.end());
    const auto serverNonce = doc.vector ("server_nonce");
    const auto clientNonce = doc.vector ("client_nonce");
    const auto token = doc.vector ("token");
    REQUIRE (serverNonce.size() == protocol::nonceBytes);
    REQUIRE (clientNonce.size() == protocol::nonceBytes);
    REQUIRE (token.size() == protocol::tokenBytes);

    SECTION ("the passphrase proof: HMAC-SHA256 (passphrase, label | server nonce | client nonce)")
    {
        const auto input = concat ({ ascii (doc.constant ("passphrase_label")), serverNonce, clientNonce });
        checkVector ("passphrase_proof_input", input);
        checkVector ("passphrase_proof", net::security::passphraseProof (passphrase, serverNonce, clientNonce));
        // The documented input is what the code hashes: HMAC over it gives the code's proof.
        checkVector ("passphrase_proof", hmac (passphraseBytes, doc.vector ("passphrase_proof_input")));
    }

    SECTION ("the reconnect proof: HMAC-SHA256 (token, label | server nonce | client nonce)")
    {
        const auto input = concat ({ ascii (doc.constant ("reconnect_label")), serverNonce, clientNonce });
        checkVector ("reconnect_proof_input", input);
        checkVector ("reconnect_proof", net::security::tokenProof (token, serverNonce, clientNonce));
        checkVector ("reconnect_proof", hmac (token, doc.vector ("reconnect_proof_input")));
    }

    SECTION ("the token mask: token XOR the first 16 bytes of HMAC-SHA256 (passphrase, label | nonces)")
    {
        const auto input = concat ({ ascii (doc.constant ("token_label")), serverNonce, clientNonce });
        checkVector ("token_mask_input", input);
        const auto key = hmac (passphraseBytes, doc.vector ("token_mask_input"));
        checkVector ("token_mask_key", key);

        Bytes xored (token.size());
        for (std::size_t i = 0; i < token.size(); ++i)
            xored[i] = (std::uint8_t) (token[i] ^ key[i]);
        checkVector ("masked_token", xored);
        checkVector ("masked_token", net::security::maskToken (token, passphrase, serverNonce, clientNonce));
        // The same operation unmasks.
        CHECK (net::security::maskToken (doc.vector ("masked_token"), passphrase, serverNonce, clientNonce) == token);
    }
}

TEST_CASE ("The protocol document's example frames are what the encoder writes and decode back", "[net][doc]")
{
    const auto& doc = protocolDoc();

    checkFrame ("frame_ping", msg::Ping { 0x0102030405060708ull });
    checkFrame ("frame_request_full_sync", msg::RequestFullSync { 41 });

    msg::Hello hello;
    hello.name = "Ada";
    hello.requestedInstruments = { model::InstrumentId { 3 } };
    hello.requestPrivilege = true;
    hello.clientNonce = doc.vector ("client_nonce");
    hello.passphraseProof = doc.vector ("passphrase_proof");
    checkFrame ("frame_hello", hello);

    checkFrame ("frame_welcome", msg::Welcome { 1, { model::InstrumentId { 3 } }, true, doc.vector ("masked_token") });
    checkFrame ("frame_action_set_bpm", msg::Action { 7, model::action::SetBpm { 128.0 } });
    checkFrame ("frame_action_move_instrument", msg::Action { 8, model::action::MoveInstrument { model::InstrumentId { 3 }, 0 } });
    checkFrame ("frame_action_set_drum_step", msg::Action { 9, model::action::SetDrumStep { model::InstrumentId { 3 }, 0, 4, { true, 100, 1.0f } } });
    const auto level = model::ParamAddress::instrument (model::InstrumentId { 3 }, model::ParamGroup::strip, 0);
    checkFrame ("frame_action_set_macro", msg::Action { 10, model::action::SetMacro { 2, model::Macro { true, level, 0.25f, 1.5f } } });
    checkFrame ("frame_action_set_midi_channel", msg::Action { 11, model::action::SetMidiChannel { model::InstrumentId { 3 }, 2 } });
}
