// The analysis panel: the engine computes spectrum, loudness and scope only while the panel is on screen,
// the panel shows what the engine measured on the demo song, and a joined seat is told where analysis
// plays.

#include "imbolc_GuiTestSupport.h"

using namespace imbolc;

namespace
{
/** A parent to put the panel in, so the panel can be hidden or destroyed while the window stays. */
struct Holder final : juce::Component
{
    void resized() override
    {
        for (auto* c : getChildren())
            c->setBounds (getLocalBounds());
    }
};
} // namespace

TEST_CASE ("Analysis: computed only while the panel is on screen", "[gui][analysis]")
{
    test::GuiFixture f;
    auto* analysis = f.host.getAnalysis();
    REQUIRE (analysis != nullptr);
    Holder holder;
    auto panel = std::make_unique<gui::AnalysisPanel> (f.context);
    holder.addAndMakeVisible (*panel);
    CHECK (analysis->getEnabled() == engine::AnalysisMeters::none); // made, but not on screen

    test::UiDriver ui (holder, 320, 600);
    CHECK (panel->isAnalysing());
    CHECK (analysis->getEnabled() == engine::AnalysisMeters::all);

    panel->setVisible (false);
    CHECK_FALSE (panel->isAnalysing());
    CHECK (analysis->getEnabled() == engine::AnalysisMeters::none);

    panel->setVisible (true);
    CHECK (analysis->getEnabled() == engine::AnalysisMeters::all);

    panel.reset(); // destroyed while showing
    CHECK (analysis->getEnabled() == engine::AnalysisMeters::none);
}

TEST_CASE ("Analysis: View > Analysis in the window switches the analyses on and off", "[gui][analysis]")
{
    test::GuiFixture f;
    juce::ApplicationCommandManager commands;
    gui::MainComponent main (f.context, commands);
    commands.registerAllCommandsForTarget (&main);
    commands.setFirstCommandTarget (&main);
    test::UiDriver ui (main);
    auto* analysis = f.host.getAnalysis();
    CHECK (analysis->getEnabled() == engine::AnalysisMeters::none);
    REQUIRE (commands.invokeDirectly (gui::commands::viewAnalysis, false));
    CHECK (main.isAnalysisVisible());
    CHECK (analysis->getEnabled() == engine::AnalysisMeters::all);
    REQUIRE (commands.invokeDirectly (gui::commands::viewAnalysis, false));
    CHECK (analysis->getEnabled() == engine::AnalysisMeters::none);
}

TEST_CASE ("Analysis: the demo song's loudness, spectrum and scope, read on the meter clock", "[gui][analysis]")
{
    test::GuiFixture f;
    gui::LookAndFeel lookAndFeel;
    gui::AnalysisPanel panel (f.context);
    panel.setLookAndFeel (&lookAndFeel);
    test::UiDriver ui (panel, 320, 620);
    REQUIRE (panel.isAnalysing());
    auto* momentary = test::findComponent<juce::Label> (panel, "Momentary");
    auto* shortTerm = test::findComponent<juce::Label> (panel, "ShortTerm");
    auto* integrated = test::findComponent<juce::Label> (panel, "Integrated");
    REQUIRE ((momentary != nullptr && shortTerm != nullptr && integrated != nullptr));
    CHECK (momentary->getText() == "-inf");

    REQUIRE (f.context.perform (model::action::Play {}).ok());
    test::renderBlocks (f.host, 160); // 1.7 s: past the 400 ms momentary window
    f.context.meters.updateNow();

    const auto read = panel.getFramesRead();
    CHECK (read.loudness == 1);
    CHECK (read.spectrum == 1);
    CHECK (read.scope == 1);
    const auto& loudness = panel.getLoudness();
    REQUIRE (std::isfinite (loudness.momentaryLufs));
    CHECK (loudness.momentaryLufs < 0.0f);
    CHECK (loudness.momentaryLufs > -70.0f);
    CHECK (momentary->getText() == gui::AnalysisPanel::lufsText (loudness.momentaryLufs));
    CHECK (momentary->getText().getFloatValue() < 0.0f);
    CHECK (shortTerm->getText() != "-inf");
    CHECK (integrated->getText() != "-inf");
    const auto& bands = panel.getSpectrum().fineDb;
    CHECK (*std::max_element (bands.begin(), bands.end()) > -60.0f);
    const auto& scope = panel.getScope();
    CHECK (*std::max_element (scope.left.begin(), scope.left.end()) > 0.001f);

    // No new frame: nothing read, nothing to repaint.
    f.context.meters.updateNow();
    CHECK (panel.getFramesRead().loudness == read.loudness);
    CHECK (panel.getFramesRead().spectrum == read.spectrum);
    CHECK (panel.getFramesRead().scope == read.scope);

    test::pumpMessages (30);
    test::saveScreenshot (panel, "analysis-demo");

    // Reset: the values start over.
    ui.click (*test::findComponent (panel, "ResetLoudness"));
    CHECK (integrated->getText() == "-inf");
    test::renderBlocks (f.host, 60);
    f.context.meters.updateNow();
    CHECK (panel.getLoudness().measuredSeconds < 1.0);
    panel.setLookAndFeel (nullptr);
}

TEST_CASE ("Analysis: a joined seat is told that analysis plays where the session is hosted", "[gui][analysis]")
{
    test::GuiFixture f;
    test::SeatView seat (f.host, 2);
    gui::GuiContext context (seat);
    gui::AnalysisPanel panel (context);
    test::UiDriver ui (panel, 320, 600);
    auto* note = test::findComponent<juce::Label> (panel, "AnalysisUnavailable");
    REQUIRE (note != nullptr);
    CHECK (note->isShowing());
    CHECK (note->getText() == "Analysis plays where the session is hosted");
    CHECK_FALSE (panel.isAnalysing());
    CHECK_FALSE (test::findComponent (panel, "Spectrum")->isVisible());
    context.meters.updateNow(); // polls nothing, and does not crash without analysis
    CHECK (panel.getFramesRead().loudness == 0);
}
