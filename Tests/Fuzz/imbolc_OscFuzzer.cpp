// libFuzzer target for what a SuperCollider server (or anything answering on its port) sends back: the
// input is one UDP datagram. Beyond "no crash, no leak, no undefined behaviour" (ASan, UBSan) it checks
// what the decoder promises, and aborts (a finding) when a promise breaks:
//   - a message that decodes re-encodes to bytes that decode to the same bytes again (a fixed point);
//   - the reply parsers (status, node tree) accept only what they can read: counts not negative, CPU
//     loads finite, every tree entry an id and a child count.

#include <imbolc_sc/imbolc_sc.h>

#include <cstdio>
#include <cstdlib>

namespace
{
using namespace imbolc;

[[noreturn]] void finding (const char* what)
{
    std::fprintf (stderr, "\nimbolc fuzz finding: %s\n", what);
    std::fflush (stderr);
    std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput (const std::uint8_t* data, std::size_t size)
{
    const auto decoded = sc::osc::decodeMessage (data, size);
    if (! decoded.has_value())
        return 0;

    const auto once = sc::osc::encodeMessage (*decoded);
    const auto again = sc::osc::decodeMessage (once.data(), once.size());
    if (! again.has_value())
        finding ("a decoded message re-encodes to bytes that do not decode");
    if (sc::osc::encodeMessage (*again) != once)
        finding ("a decoded message is not a fixed point of encode and decode");

    if (const auto status = sc::ScsynthClient::parseStatusReply (*decoded))
        if (status->synths < 0 || status->ugens < 0 || ! std::isfinite (status->averageCpu))
            finding ("a status reply passed with a negative count or a CPU load that is not finite");
    if (const auto tree = sc::ScsynthClient::parseTreeReply (*decoded))
        for (const auto& node : *tree)
            if (node.children < -1)
                finding ("a node tree passed with a negative child count");
    return 0;
}
