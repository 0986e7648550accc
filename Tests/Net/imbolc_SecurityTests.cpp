#include "imbolc_NetTestSupport.h"

using namespace imbolc;
using net::security::Bytes;
using test::fromHex;

namespace
{

Bytes fromText (std::string_view text) { return Bytes (text.begin(), text.end()); }

Bytes hmac (const Bytes& key, const Bytes& data) { return net::security::hmacSha256 (key.data(), key.size(), data.data(), data.size()); }

Bytes counting (std::uint8_t first, std::size_t count)
{
    Bytes out (count);
    for (std::size_t i = 0; i < count; ++i)
        out[i] = static_cast<std::uint8_t> (first + i);
    return out;
}

// Fixed nonces for the proof vectors: the expected values below were computed independently with
// Python's hmac module, so they pin the wire format (labels, order, no terminator), not just our code.
const Bytes serverNonce = counting (0x00, protocol::nonceBytes);
const Bytes clientNonce = counting (0x10, protocol::nonceBytes);
const Bytes token = counting (0xa0, protocol::tokenBytes);
const std::string passphrase = "correct horse";
} // namespace

TEST_CASE ("HMAC-SHA256 matches the RFC 4231 test vectors", "[net][security]")
{
    SECTION ("test case 1: 20-byte key")
    {
        CHECK (hmac (Bytes (20, 0x0b), fromText ("Hi There"))
               == fromHex ("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
    }
    SECTION ("test case 2: key shorter than the digest")
    {
        CHECK (hmac (fromText ("Jefe"), fromText ("what do ya want for nothing?"))
               == fromHex ("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    }
    SECTION ("test case 3: 50 bytes of 0xdd")
    {
        CHECK (hmac (Bytes (20, 0xaa), Bytes (50, 0xdd))
               == fromHex ("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"));
    }
    SECTION ("test case 4: 25-byte key")
    {
        CHECK (hmac (counting (0x01, 25), Bytes (50, 0xcd))
               == fromHex ("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"));
    }
    SECTION ("test case 6: key larger than the block is hashed first")
    {
        CHECK (hmac (Bytes (131, 0xaa), fromText ("Test Using Larger Than Block-Size Key - Hash Key First"))
               == fromHex ("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
    }
    SECTION ("test case 7: key and data larger than the block")
    {
        CHECK (hmac (Bytes (131, 0xaa),
                     fromText ("This is a test using a larger than block-size key and a larger than block-size data. "
                               "The key needs to be hashed before being used by the HMAC algorithm."))
               == fromHex ("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"));
    }
}

TEST_CASE ("randomBytes draws the requested length and differs between draws", "[net][security]")
{
    CHECK (net::security::randomBytes (0).empty());
    CHECK (net::security::randomBytes (1).size() == 1);
    CHECK (net::security::randomBytes (protocol::tokenBytes).size() == protocol::tokenBytes);
    CHECK (net::security::randomBytes (1000).size() == 1000); // over getrandom's 256-byte uninterruptible size

    // Two 128-bit draws collide with probability 2^-128: equality means a broken or seeded source.
    const auto first = net::security::randomBytes (16);
    const auto second = net::security::randomBytes (16);
    CHECK (first != second);
    CHECK (first != Bytes (16, 0));
}

TEST_CASE ("randomBytes spreads every byte value evenly over 64 KiB", "[net][security]")
{
    constexpr std::size_t total = 64 * 1024;
    const auto bytes = net::security::randomBytes (total);
    REQUIRE (bytes.size() == total);

    std::array<std::size_t, 256> counts {};
    for (auto b : bytes)
        ++counts[b];

    // Expected 256 per value with a standard deviation of about 16: [128, 384] is an 8-sigma bound,
    // so a good source never fails, while a stuck, zero-filled or 7-bit source always does.
    for (std::size_t value = 0; value < counts.size(); ++value)
    {
        INFO ("byte value " << value);
        CHECK (counts[value] >= 128);
        CHECK (counts[value] <= 384);
    }
}

TEST_CASE ("constantTimeEqual compares contents and lengths", "[net][security]")
{
    const auto a = counting (0x40, 32);
    CHECK (net::security::constantTimeEqual (a, a));
    CHECK (net::security::constantTimeEqual (a, Bytes (a)));
    CHECK (net::security::constantTimeEqual (Bytes {}, Bytes {}));

    for (std::size_t position : { std::size_t (0), std::size_t (15), std::size_t (31) })
    {
        auto b = a;
        b[position] ^= 0x01; // one bit, anywhere
        INFO ("differs at " << position);
        CHECK_FALSE (net::security::constantTimeEqual (a, b));
    }

    // A prefix is not equal: a truncated proof must never pass.
    CHECK_FALSE (net::security::constantTimeEqual (a, Bytes (a.begin(), a.begin() + 16)));
    CHECK_FALSE (net::security::constantTimeEqual (Bytes {}, a));
    CHECK_FALSE (net::security::constantTimeEqual (a, Bytes (33, 0x40)));
}

TEST_CASE ("Proofs follow the documented construction and depend on every input", "[net][security]")
{
    using namespace net::security;

    SECTION ("passphraseProof")
    {
        const auto proof = passphraseProof (passphrase, serverNonce, clientNonce);
        REQUIRE (proof.size() == protocol::proofBytes);
        CHECK (proof == fromHex ("2497034e4b87642d69a4112321a6191b662f0eb0cce0297702e4cc7f698a59ce"));

        CHECK (passphraseProof (passphrase, serverNonce, clientNonce) == proof); // deterministic
        CHECK (passphraseProof ("correct horsf", serverNonce, clientNonce) != proof);
        CHECK (passphraseProof ("", serverNonce, clientNonce) != proof);
        CHECK (passphraseProof (passphrase, counting (0x01, protocol::nonceBytes), clientNonce) != proof);
        CHECK (passphraseProof (passphrase, serverNonce, counting (0x11, protocol::nonceBytes)) != proof);
        // The nonces are not interchangeable: a reflected challenge gives another proof.
        CHECK (passphraseProof (passphrase, clientNonce, serverNonce) != proof);
    }

    SECTION ("tokenProof")
    {
        const auto proof = tokenProof (token, serverNonce, clientNonce);
        REQUIRE (proof.size() == protocol::proofBytes);
        CHECK (proof == fromHex ("4c87c3a999ab6ffdb8b3ea94b65fcddb4d7f7c920de34fb27870bb88f1d45a4a"));

        auto otherToken = token;
        otherToken.back() ^= 0x80;
        CHECK (tokenProof (otherToken, serverNonce, clientNonce) != proof);
        CHECK (tokenProof (token, counting (0x01, protocol::nonceBytes), clientNonce) != proof);
        CHECK (tokenProof (token, serverNonce, counting (0x11, protocol::nonceBytes)) != proof);
    }

    SECTION ("the labels separate the two proofs for the same key bytes")
    {
        const std::string tokenAsText (token.begin(), token.end());
        CHECK (passphraseProof (tokenAsText, serverNonce, clientNonce) != tokenProof (token, serverNonce, clientNonce));
    }
}

TEST_CASE ("maskToken is an involution that hides the token only when there is a passphrase", "[net][security]")
{
    using namespace net::security;

    const auto masked = maskToken (token, passphrase, serverNonce, clientNonce);
    REQUIRE (masked.size() == token.size());
    CHECK (masked == fromHex ("d3b908576dccacb33307a0b93af37442"));
    CHECK (masked != token);
    CHECK (maskToken (masked, passphrase, serverNonce, clientNonce) == token);

    // The mask changes with each handshake's nonces and with the passphrase.
    CHECK (maskToken (token, passphrase, counting (0x01, protocol::nonceBytes), clientNonce) != masked);
    CHECK (maskToken (token, passphrase, serverNonce, counting (0x11, protocol::nonceBytes)) != masked);
    CHECK (maskToken (token, "another passphrase", serverNonce, clientNonce) != masked);

    // A random token round-trips too.
    const auto fresh = randomBytes (protocol::tokenBytes);
    CHECK (maskToken (maskToken (fresh, passphrase, serverNonce, clientNonce), passphrase, serverNonce, clientNonce) == fresh);

    // Loopback-only session: nothing to mask with.
    CHECK (maskToken (token, "", serverNonce, clientNonce) == token);
}
