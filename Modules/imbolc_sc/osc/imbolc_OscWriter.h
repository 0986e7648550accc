#pragma once

namespace imbolc::sc
{

/** One OSC argument: int32, float32, string, blob, or (only in replies: scsynth's /status.reply has
    them, and juce_osc cannot read them) float64. */
using OscArgument = std::variant<std::int32_t, float, std::string, Bytes, double>;

/** An OSC message: an address and its arguments. */
struct OscMessage
{
    std::string address;
    std::vector<OscArgument> arguments;
};

/** Encodes OSC 1.0 messages and bundles to bytes.

    Our own rather than juce_osc's: juce_osc sends messages over UDP but does not hand out their bytes
    (an NRT score file is made of exactly those bytes), and it cannot read the float64 arguments of
    scsynth's /status.reply. So the module needs only juce_core (the UDP socket). The encoding is small:
    big-endian scalars, strings and blobs padded to four bytes. Any thread.
*/
namespace osc
{
    Bytes encodeMessage (const OscMessage&);

    /** The timetag OSC reserves for "immediately" (whole 0, fraction 1), as seconds for encodeBundle. */
    constexpr double immediately = 1.0 / 4294967296.0;

    /** A bundle at `seconds` (NTP fixed point: whole seconds and a 32-bit fraction). */
    Bytes encodeBundle (double seconds, const std::vector<OscMessage>&);

    /** Decodes one OSC message (not a bundle) with argument types i, f, s, b, d, h (read as int32 when
        it fits), T, F (as int32 1/0). Returns nullopt for anything malformed or of another type: a
        reply from the network is checked, never trusted. */
    std::optional<OscMessage> decodeMessage (const std::uint8_t* data, std::size_t size);
} // namespace osc

} // namespace imbolc::sc
