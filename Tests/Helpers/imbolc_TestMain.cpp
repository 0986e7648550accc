// The test runner: Catch2's session, with JUCE's leak detector and assertions live for every test.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <imbolc_protocol/imbolc_protocol.h>

int main (int argc, char* argv[])
{
    return Catch::Session().run (argc, argv);
}
