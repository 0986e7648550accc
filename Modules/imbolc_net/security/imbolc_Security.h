#pragma once

namespace imbolc::net
{

/** The session network's secrets. The passphrase and the session tokens never cross the wire in clear:
    a seat proves it knows them with HMAC-SHA256 over both sides' fresh nonces (challenge-response), and
    a token sent to its owner is masked with a key only passphrase holders can derive.
*/
namespace security
{
    using Bytes = protocol::Bytes;

    /** `count` bytes from the OS random source (getrandom(2)), never a seeded PRNG. Any thread.
        Terminates the process if the OS cannot supply them: a guessable token is worse than no server. */
    Bytes randomBytes (std::size_t count);

    /** HMAC-SHA256 (RFC 2104) over juce::SHA256. Any thread. */
    Bytes hmacSha256 (const std::uint8_t* key, std::size_t keySize, const std::uint8_t* data, std::size_t dataSize);

    /** Compares in time that depends only on the lengths, never on where the bytes differ. Any thread. */
    bool constantTimeEqual (const Bytes& a, const Bytes& b) noexcept;

    /** The Hello's proof of the passphrase: HMAC-SHA256(passphrase, "imbolc-passphrase" | server nonce | client nonce). */
    Bytes passphraseProof (const std::string& passphrase, const Bytes& serverNonce, const Bytes& clientNonce);

    /** The Hello's proof of a session token on reconnect: HMAC-SHA256(token, "imbolc-reconnect" | server nonce | client nonce). */
    Bytes tokenProof (const Bytes& token, const Bytes& serverNonce, const Bytes& clientNonce);

    /** Masks (and, applied again, unmasks) a token for the wire: XOR with the first tokenBytes of
        HMAC-SHA256(passphrase, "imbolc-token" | server nonce | client nonce). Without a passphrase (a
        loopback-only session) the token is returned unchanged. */
    Bytes maskToken (const Bytes& token, const std::string& passphrase, const Bytes& serverNonce, const Bytes& clientNonce);
} // namespace security

} // namespace imbolc::net
