// The audio thread stays real-time safe while the window runs: the whole main window is on screen,
// its meters read the engine every frame, and a person's edits (knob drags, mutes, transport, undo)
// go through the views, while a real audio thread renders under the real-time harness.

#include "imbolc_GuiTestSupport.h"

#if IMBOLC_HAS_REALTIME_HARNESS
    #include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;

TEST_CASE ("The audio thread neither allocates nor locks while the window shows meters and a person edits", "[gui][rt]")
{
    test::GuiFixture f;
    juce::ApplicationCommandManager commands;
    gui::MainComponent main (f.context, commands);
    commands.registerAllCommandsForTarget (&main);
    commands.setFirstCommandTarget (&main);
    main.setAnalysisVisible (true);
    test::UiDriver ui (main);

    const auto& session = f.host.getSession();
    const auto first = session.instruments.begin()->id;
    f.context.selection.selectInstrument (first);
    test::pumpMessages (20);

    test::RealtimeAudioThread audio (f.host.getEngine(), 4000);
    REQUIRE (f.context.perform (model::action::Play {}).ok());

    // Every slider on screen gets dragged once (chain knobs, faders, pans: whatever the views show),
    // and every few edits the meters run a frame and the engine does its housekeeping.
    auto sliders = test::findAll<juce::Slider> (main);
    int edits = 0;
    for (auto* slider : sliders)
    {
        if (! slider->isShowing() || ! slider->isEnabled())
            continue;
        const auto b = slider->getLocalBounds();
        ui.drag (*slider, b.getCentre(), b.getCentre() + juce::Point<int> (12, -12), 4);
        ++edits;
        audio.allow (4);
        f.host.tick (0);
        f.context.meters.updateNow();
        test::pumpMessages (2);
    }
    for (int i = 0; i < 10; ++i)
    {
        REQUIRE (f.context.perform (model::action::SetMute { model::NodeKind::instrument, first.value, i % 2 == 0 }).ok());
        commands.invokeDirectly (gui::commands::editUndo, false);
        audio.allow (8);
        f.host.tick (0);
        f.context.meters.updateNow();
        test::pumpMessages (2);
    }
    audio.waitUntilCaughtUp();
    INFO ("sliders dragged: " << edits);
    CHECK (edits > 10);
    CHECK (audio.blocksRendered() > 40);

    const auto violations = audio.finish (16);
    test::checkRealtimeSafe (violations);
    // The views did edit the session (a harness that saw no work would prove nothing).
    CHECK (f.host.getHistory().undoDepth() > 0);
}

#endif
