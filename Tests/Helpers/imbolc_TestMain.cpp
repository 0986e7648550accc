// The test runner: Catch2's session, with JUCE's leak detector and assertions live for every test, and
// the process's allocator tuned as the imbolc tool tunes it, so tests see the product's allocator.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <imbolc_engine/imbolc_engine.h>
#include <imbolc_protocol/imbolc_protocol.h>

int main (int argc, char* argv[])
{
    imbolc::engine::tuneProcessAllocatorForRealtime();
    return Catch::Session().run (argc, argv);
}
