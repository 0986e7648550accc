// The GUI tests' runner: Catch2's session inside a running JUCE GUI (message manager, desktop), as
// pamplejuce's test main does. Run through imbolc_with_xvfb.sh, so there is a display.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <juce_gui_basics/juce_gui_basics.h>

int main (int argc, char* argv[])
{
    juce::ScopedJuceInitialiser_GUI juce;
    juce::MessageManager::getInstance()->setCurrentThreadAsMessageThread();
    return Catch::Session().run (argc, argv);
}
