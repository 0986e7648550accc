#pragma once

namespace imbolc::sc
{

/** One OSC argument: int32, float32, string or blob. */
using OscArgument = std::variant<std::int32_t, float, std::string, Bytes>;

/** An OSC message: an address and its arguments. */
struct OscMessage
{
    std::string address;
    std::vector<OscArgument> arguments;
};

/** Encodes OSC 1.0 messages and bundles to bytes.

    juce_osc sends messages over UDP but does not hand out their bytes, and an NRT score file is made
    of exactly those bytes, so the encoding is here (it is small: big-endian scalars, strings and blobs
    padded to four bytes). Any thread.
*/
namespace osc
{
    Bytes encodeMessage (const OscMessage&);

    /** A bundle at `seconds` (NTP fixed point: whole seconds and a 32-bit fraction). */
    Bytes encodeBundle (double seconds, const std::vector<OscMessage>&);
} // namespace osc

} // namespace imbolc::sc
