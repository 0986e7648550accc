// libFuzzer target for everything a peer can send: the input is read as a byte stream of frames (fed to
// a FrameReader in input-dependent chunks) and as one frame payload. Beyond "no crash, no leak, no
// undefined behaviour" (ASan, UBSan) it checks what the protocol promises, and aborts (a finding) when
// a promise breaks:
//   - the FrameReader splits a stream the same way however it arrives;
//   - a message that decodes re-encodes and decodes to itself, and decodes under tight limits only if
//     it also decodes under the default ones;
//   - a StatePatch either applies to the small reference session and leaves it valid, or is refused
//     and leaves it exactly as it was; a FullStateSync carries a valid session.

#include <imbolc_protocol/imbolc_protocol.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace
{
using namespace imbolc;

[[noreturn]] void finding (const std::string& what)
{
    std::fprintf (stderr, "\nimbolc fuzz finding: %s\n", what.c_str());
    std::fflush (stderr);
    std::abort();
}

const model::Session& smallSession()
{
    static const auto session = model::makeReferenceSession (model::ReferenceSize::small);
    return session;
}

constexpr std::size_t readerLimit = 1u << 20;

/** Tighter than a server would set, so the limit paths run too. */
const protocol::DecodeLimits tightLimits { 64 * 1024, 8, 512 };

/** Equal values, or equal encodings: a StatePatch is range-checked by applyPatch, not by decoding, so
    it may carry a NaN (a note's probability), and NaN != NaN. Encoding is a function of the value, so
    equal bytes mean the messages differ at most in NaNs. */
bool sameMessage (const protocol::Message& a, const protocol::Message& b)
{
    return a == b || protocol::encodeMessage (a) == protocol::encodeMessage (b);
}

void checkMessage (const protocol::Message& message)
{
    const auto bytes = protocol::encodeMessage (message);
    const auto again = protocol::decodeMessage (bytes.data(), bytes.size());
    if (! again.ok())
        finding (std::string ("a decoded ") + protocol::messageName (message) + " does not decode once re-encoded: " + again.error);
    if (! sameMessage (*again.message, message))
        finding (std::string ("a decoded ") + protocol::messageName (message) + " re-encoded and decoded is not the same message");

    if (const auto* patch = std::get_if<protocol::StatePatch> (&message))
    {
        auto mirror = smallSession();
        if (const auto problem = protocol::applyPatch (mirror, *patch); problem.empty())
        {
            if (const auto invalid = model::validate (mirror); ! invalid.empty())
                finding ("an applied patch left an invalid session: " + invalid);
        }
        else if (! (mirror == smallSession()))
            finding ("a refused patch changed the session (" + problem + ")");
    }
    else if (const auto* sync = std::get_if<protocol::msg::FullStateSync> (&message))
    {
        if (const auto invalid = model::validate (sync->session); ! invalid.empty())
            finding ("a decoded full sync carries an invalid session: " + invalid);
    }
}

void decodePayload (const std::uint8_t* data, std::size_t size)
{
    const auto decoded = protocol::decodeMessage (data, size);
    const auto tight = protocol::decodeMessage (data, size, tightLimits);
    if (! decoded.ok() && decoded.error.empty())
        finding ("a refused message has no sentence saying why");
    if (tight.ok() && (! decoded.ok() || ! sameMessage (*tight.message, *decoded.message)))
        finding (std::string ("a message decodes under tight limits but not the same under the default ones (")
                 + (decoded.ok() ? "a different message" : decoded.error) + ")");
    if (! decoded.ok())
        return;

    checkMessage (*decoded.message);
}

/** The frames in `data` as one contiguous read would find them: the reference for the FrameReader. */
std::vector<protocol::Bytes> splitAtOnce (const std::uint8_t* data, std::size_t size, bool& broken)
{
    std::vector<protocol::Bytes> frames;
    broken = false;
    std::size_t pos = 0;
    while (size - pos >= 4)
    {
        const auto length = protocol::readFrameLength (data + pos);
        if (length == 0 || length > readerLimit)
        {
            broken = true;
            break;
        }
        if (size - pos - 4 < length)
            break;
        frames.emplace_back (data + pos + 4, data + pos + 4 + length);
        pos += 4 + length;
    }
    return frames;
}

void readStream (const std::uint8_t* data, std::size_t size)
{
    protocol::FrameReader reader (readerLimit);
    std::vector<protocol::Bytes> frames;
    protocol::Bytes payload;
    for (std::size_t pos = 0; pos < size;)
    {
        // Chunk sizes from the data itself, so the fuzzer explores how frames straddle reads.
        const auto chunk = std::min<std::size_t> (size - pos, 1 + (data[pos] * 131u + pos) % 509u);
        reader.feed (data + pos, chunk);
        pos += chunk;
        while (reader.next (payload))
            frames.push_back (payload);
    }

    bool broken = false;
    if (splitAtOnce (data, size, broken) != frames)
        finding ("the FrameReader split a stream differently from one contiguous read");
    if (broken == reader.error().empty())
        finding ("the FrameReader's error does not match the stream (a zero or oversize length)");
    if (broken && reader.next (payload))
        finding ("a failed FrameReader gave another payload");

    for (const auto& f : frames)
        decodePayload (f.data(), f.size());
}

/** The fuzz test's self-check (fuzz.detects_bugs) sets this: an input starting with the canary then
    reads past a heap buffer, and the sanitizers must catch it. Never set while fuzzing. */
bool canaryArmed = false;
constexpr char canary[] = "IMBOLC-FUZZ-CANARY";

} // namespace

extern "C" int LLVMFuzzerInitialize (int*, char***)
{
    canaryArmed = std::getenv ("IMBOLC_FUZZ_CANARY") != nullptr;
    smallSession(); // built once, before the first input, so its cost is not charged to one
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput (const std::uint8_t* data, std::size_t size)
{
    if (canaryArmed && size >= sizeof (canary) - 1 && std::memcmp (data, canary, sizeof (canary) - 1) == 0)
    {
        const auto copy = std::make_unique<std::uint8_t[]> (size);
        std::memcpy (copy.get(), data, size);
        volatile std::uint8_t past = copy[size]; // one byte out of bounds: ASan must report it
        (void) past;
    }

    readStream (data, size);
    decodePayload (data, size);
    return 0;
}
