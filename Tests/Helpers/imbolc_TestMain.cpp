// The test runner: Catch2's session. It has no JUCE in it, so one compiled copy serves every test
// binary whatever modules it links; JUCE's leak detector and assertions are live in each module library.
// Binaries that run the engine also get imbolc_AllocatorSetup.cpp, which tunes the allocator as the tool does.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

int main (int argc, char* argv[])
{
    return Catch::Session().run (argc, argv);
}
