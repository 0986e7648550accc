#pragma once

namespace imbolc::protocol
{

/** The schema version this build writes, and the newest it reads. Bump when a reader must know. */
constexpr std::uint32_t currentSchemaVersion = 1;

/** The four bytes at offset 4 of every project file. */
constexpr const char* projectFileIdentifier = "IMBC";

/** Limits the verifier enforces before any field is read: generous for the largest real session,
    small enough that a hostile buffer cannot make the reader recurse or loop without bound. */
constexpr std::uint32_t maxVerifierDepth = 64;
constexpr std::uint32_t maxVerifierTables = 4'000'000;
constexpr std::size_t maxProjectBytes = 1024u * 1024u * 1024u;

/** Encodes a session as a complete project file: file identifier, schema version, CRC-32.
    The output is a pure function of the session (same session -> same bytes). Any thread.
*/
std::vector<std::uint8_t> encodeProject (const model::Session&);

/** The result of decoding: a session, or one sentence saying why not. */
struct DecodeResult
{
    std::optional<model::Session> session;
    std::string error;

    bool ok() const noexcept { return session.has_value(); }
};

/** How strictly to read. Files are checked for their checksum; JSON that a person may have edited is not. */
enum class ChecksumPolicy
{
    verify,
    ignore
};

/** Decodes a project buffer. Rejects, with one sentence and no partial result: an empty, truncated,
    oversize or foreign buffer (wrong identifier), a newer schema version, a checksum mismatch, a
    buffer that fails the FlatBuffers verifier, and a session that fails model::validate().
    The loaded session's transport is always stopped. Any thread.
*/
DecodeResult decodeProject (const std::uint8_t* data, std::size_t size, ChecksumPolicy = ChecksumPolicy::verify);

/** CRC-32 (IEEE 802.3, the zlib polynomial). */
std::uint32_t crc32 (const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0) noexcept;

} // namespace imbolc::protocol
