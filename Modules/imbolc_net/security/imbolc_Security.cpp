namespace imbolc::net
{

namespace security
{
    namespace
    {
        constexpr std::size_t sha256BlockSize = 64;
        constexpr std::size_t sha256DigestSize = 32;

        Bytes sha256Digest (const void* data, std::size_t size)
        {
            const auto block = juce::SHA256 (data, size).getRawData();
            jassert (block.getSize() == sha256DigestSize);
            const auto* first = static_cast<const std::uint8_t*> (block.getData());
            return Bytes (first, first + block.getSize());
        }

        /** HMAC-SHA256(key, label | serverNonce | clientNonce): the one message shape every proof and
            mask uses, so the label domain-separates them (a tokenProof can never pass as a passphrase proof). */
        Bytes labelledHmac (const std::uint8_t* key, std::size_t keySize, std::string_view label, const Bytes& serverNonce, const Bytes& clientNonce)
        {
            Bytes message;
            message.reserve (label.size() + serverNonce.size() + clientNonce.size());
            message.insert (message.end(), label.begin(), label.end());
            message.insert (message.end(), serverNonce.begin(), serverNonce.end());
            message.insert (message.end(), clientNonce.begin(), clientNonce.end());
            return hmacSha256 (key, keySize, message.data(), message.size());
        }

        const std::uint8_t* bytesOf (const std::string& s) noexcept { return reinterpret_cast<const std::uint8_t*> (s.data()); }
    } // namespace

    Bytes randomBytes (std::size_t count)
    {
        Bytes out (count);
        std::size_t filled = 0;

        // getrandom(2) may return fewer bytes than asked (requests over 256 bytes can be interrupted) or
        // fail with EINTR: loop until full. It blocks only until the kernel pool is first initialised.
        while (filled < count)
        {
            const auto got = ::getrandom (out.data() + filled, count - filled, 0);
            if (got > 0)
            {
                filled += static_cast<std::size_t> (got);
                continue;
            }
            if (got < 0 && errno == EINTR)
                continue;

            // No OS randomness (ENOSYS on an ancient kernel, a seccomp filter, ...): a predictable token
            // would let anyone on the LAN take a seat, so refuse to run rather than fall back to a PRNG.
            std::fprintf (stderr, "imbolc: the OS random source (getrandom) failed: %s\n", std::strerror (errno));
            std::terminate();
        }
        return out;
    }

    Bytes hmacSha256 (const std::uint8_t* key, std::size_t keySize, const std::uint8_t* data, std::size_t dataSize)
    {
        // RFC 2104: keys longer than the block are hashed first, shorter ones are zero-padded.
        std::array<std::uint8_t, sha256BlockSize> paddedKey {};
        if (keySize > sha256BlockSize)
        {
            const auto hashedKey = sha256Digest (key, keySize);
            std::copy (hashedKey.begin(), hashedKey.end(), paddedKey.begin());
        }
        else if (keySize > 0)
        {
            std::copy (key, key + keySize, paddedKey.begin());
        }

        Bytes inner (sha256BlockSize + dataSize);
        for (std::size_t i = 0; i < sha256BlockSize; ++i)
            inner[i] = static_cast<std::uint8_t> (paddedKey[i] ^ 0x36u);
        if (dataSize > 0)
            std::copy (data, data + dataSize, inner.begin() + sha256BlockSize);
        const auto innerDigest = sha256Digest (inner.data(), inner.size());

        Bytes outer (sha256BlockSize + sha256DigestSize);
        for (std::size_t i = 0; i < sha256BlockSize; ++i)
            outer[i] = static_cast<std::uint8_t> (paddedKey[i] ^ 0x5cu);
        std::copy (innerDigest.begin(), innerDigest.end(), outer.begin() + sha256BlockSize);

        auto mac = sha256Digest (outer.data(), outer.size());

        // The padded key is secret material: don't leave it in freed stack or heap memory.
        juce::zeromem (paddedKey.data(), paddedKey.size());
        juce::zeromem (inner.data(), sha256BlockSize);
        juce::zeromem (outer.data(), sha256BlockSize);
        return mac;
    }

    bool constantTimeEqual (const Bytes& a, const Bytes& b) noexcept
    {
        if (a.size() != b.size())
            return false;

        // volatile keeps the compiler from turning the loop into an early-exit memcmp.
        volatile std::uint8_t difference = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            difference = static_cast<std::uint8_t> (difference | (a[i] ^ b[i]));
        return difference == 0;
    }

    Bytes passphraseProof (const std::string& passphrase, const Bytes& serverNonce, const Bytes& clientNonce)
    {
        return labelledHmac (bytesOf (passphrase), passphrase.size(), "imbolc-passphrase", serverNonce, clientNonce);
    }

    Bytes tokenProof (const Bytes& token, const Bytes& serverNonce, const Bytes& clientNonce)
    {
        return labelledHmac (token.data(), token.size(), "imbolc-reconnect", serverNonce, clientNonce);
    }

    Bytes maskToken (const Bytes& token, const std::string& passphrase, const Bytes& serverNonce, const Bytes& clientNonce)
    {
        // A loopback-only session has no passphrase, so there is no shared secret to mask with.
        if (passphrase.empty())
            return token;

        // The key stream is one HMAC (32 bytes): enough for any token the protocol defines.
        jassert (token.size() == protocol::tokenBytes);
        const auto key = labelledHmac (bytesOf (passphrase), passphrase.size(), "imbolc-token", serverNonce, clientNonce);
        jassert (token.size() <= key.size());

        auto masked = token;
        for (std::size_t i = 0; i < masked.size(); ++i)
            masked[i] = static_cast<std::uint8_t> (masked[i] ^ key[i % key.size()]);
        return masked;
    }
} // namespace security

} // namespace imbolc::net
