#include "imbolc_GuiTestSupport.h"

using namespace imbolc;

namespace
{
model::InstrumentId drumMachineOf (const model::Session& s)
{
    for (const auto& inst : s.instruments)
        if (inst.source.isDrumKit())
            return inst.id;
    FAIL ("the reference session has no drum kit");
    return {};
}

const model::DrumKit& kitOf (test::GuiFixture& f, model::InstrumentId id) { return f.host.getSession().instruments.find (id)->drums; }

juce::Point<int> above (juce::Rectangle<int> r, int pixels) { return r.getCentre().translated (0, -pixels); }
} // namespace

TEST_CASE ("Step sequencer: a click toggles a step, a drag paints a row as one undo step, Shift- and Alt-drags set velocity and probability", "[gui][drums]")
{
    test::GuiFixture f;
    const auto kit = drumMachineOf (f.host.getSession());
    gui::StepSequencerView view (f.context);
    view.setInstrument (kit);
    test::UiDriver ui (view, 1100, 500);
    REQUIRE (view.getKit() != nullptr);
    REQUIRE (view.getMessage().isEmpty());
    REQUIRE_FALSE (kitOf (f, kit).rows[0][0].on);

    // A click on a cell turns it on, a second click off: one SetDrumStep each.
    ui.click (view, view.getCellBounds (0, 0).getCentre());
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetDrumStep" });
    CHECK (kitOf (f, kit).rows[0][0] == model::DrumStep { true, 100, 1.0f });
    ui.click (view, view.getCellBounds (0, 0).getCentre());
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetDrumStep" });
    CHECK_FALSE (kitOf (f, kit).rows[0][0].on);

    // A drag along the kick's row paints every step it crosses, as one action and one undo step.
    ui.drag (view, view.getCellBounds (0, 0).getCentre(), view.getCellBounds (0, 7).getCentre(), 24);
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetDrumSteps" });
    for (int s = 0; s < 8; ++s)
        CHECK (kitOf (f, kit).rows[0][(std::size_t) s].on);
    CHECK_FALSE (kitOf (f, kit).rows[0][8].on);
    CHECK (f.host.getUndoState().undoName == "Set Drum Steps");
    f.host.apply (model::action::Undo {});
    for (int s = 0; s < 8; ++s)
        CHECK_FALSE (kitOf (f, kit).rows[0][(std::size_t) s].on);
    f.host.apply (model::action::Redo {});
    CHECK (kitOf (f, kit).rows[0][7].on);

    // A drag that starts on a step that is on paints off.
    ui.drag (view, view.getCellBounds (0, 6).getCentre(), view.getCellBounds (0, 7).getCentre(), 6);
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetDrumSteps" });
    CHECK_FALSE (kitOf (f, kit).rows[0][6].on);
    CHECK_FALSE (kitOf (f, kit).rows[0][7].on);
    CHECK (kitOf (f, kit).rows[0][5].on);

    // Shift-drag up: a louder step; Alt-drag down: a less likely one. One action each.
    ui.drag (view, view.getCellBounds (0, 4).getCentre(), above (view.getCellBounds (0, 4), 20), 5, juce::ModifierKeys::shiftModifier);
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetDrumStep" });
    CHECK (kitOf (f, kit).rows[0][4] == model::DrumStep { true, 120, 1.0f });
    ui.drag (view, view.getCellBounds (0, 4).getCentre(), above (view.getCellBounds (0, 4), -40), 5, juce::ModifierKeys::altModifier);
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetDrumStep" });
    CHECK (kitOf (f, kit).rows[0][4].probability == Approx (0.6f));
    CHECK (kitOf (f, kit).rows[0][4].velocity == 120);

    // The velocity lane shows the selected pad (clicking a name selects it): a drag across it draws
    // the velocities of the steps that are on, as one action.
    ui.click (view, view.getPadNameBounds (0).getCentre());
    CHECK (view.getSelectedPad() == 0);
    f.takeActionNames();
    const auto lane = view.getVelocityBounds (0);
    ui.drag (view, { view.getVelocityBounds (0).getCentreX(), lane.getY() + lane.getHeight() / 2 }, { view.getVelocityBounds (5).getCentreX(), lane.getY() + lane.getHeight() / 2 }, 20);
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetDrumSteps" });
    for (int s = 0; s < 6; ++s)
        CHECK (std::abs ((int) kitOf (f, kit).rows[0][(std::size_t) s].velocity - 64) <= 4); // half-way up the lane
    CHECK (kitOf (f, kit).rows[0][4].probability == Approx (0.6f)); // only the velocity changed
    CHECK (kitOf (f, kit).rows[0][6] == model::DrumStep { false, 100, 1.0f }); // a step that is off is left alone
}

TEST_CASE ("Step sequencer: pads, pattern controls, the play head, and a sentence for an instrument that is not a kit", "[gui][drums]")
{
    test::GuiFixture f;
    const auto kit = drumMachineOf (f.host.getSession());
    gui::StepSequencerView view (f.context);
    test::UiDriver ui (view, 1100, 500);
    CHECK (view.getMessage() == "Choose a drum-kit instrument to edit its pattern here.");
    const auto lead = f.host.getSession().instruments[0].id;
    view.setInstrument (lead);
    CHECK (view.getMessage() == "Saw lead is not a drum kit: make the drum kit its source to edit steps here.");
    CHECK (view.getCellBounds (0, 0).isEmpty());
    view.setInstrument (kit);
    CHECK (view.getMessage().isEmpty());

    // Level and tune: drag up; double-click for the default. One SetDrumPad per gesture.
    ui.drag (view, view.getPadLevelBounds (2).getCentre(), above (view.getPadLevelBounds (2), 30), 6);
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetDrumPad" });
    CHECK (kitOf (f, kit).pads[2].level == Approx (0.9f + 0.3f));
    ui.drag (view, view.getPadTuneBounds (2).getCentre(), above (view.getPadTuneBounds (2), 20), 6);
    CHECK (kitOf (f, kit).pads[2].tune == 5.0f);
    ui.doubleClick (view, view.getPadTuneBounds (2).getCentre());
    CHECK (kitOf (f, kit).pads[2].tune == 0.0f);

    // The pad menu: another kind, a decay, a sample file.
    view.padMenuItemChosen (2, gui::StepSequencerView::hatItem);
    CHECK (kitOf (f, kit).pads[2].kind == model::DrumPadKind::hat);
    view.padMenuItemChosen (2, gui::StepSequencerView::decayItemBase + 4);
    CHECK (kitOf (f, kit).pads[2].decay == 0.5f);
    const auto sample = juce::File::getSpecialLocation (juce::File::tempDirectory).getChildFile ("imbolc-clap.wav");
    view.loadSample (2, sample);
    CHECK (kitOf (f, kit).pads[2].kind == model::DrumPadKind::sample);
    CHECK (kitOf (f, kit).pads[2].samplePath == sample.getFullPathName().toStdString());
    CHECK (kitOf (f, kit).pads[2].name == "imbolc-clap");
    f.host.tick();

    // A step's menu: a preset velocity and probability.
    view.stepMenuItemChosen (9, 3, gui::StepSequencerView::velocityItemBase + 3);
    CHECK (kitOf (f, kit).rows[9][3] == model::DrumStep { true, 60, 1.0f });
    view.stepMenuItemChosen (9, 3, gui::StepSequencerView::probabilityItemBase + 2);
    CHECK (kitOf (f, kit).rows[9][3].probability == 0.5f);

    // The pattern's controls.
    auto* steps = test::findComponent<juce::Slider> (view, "steps");
    auto* perBeat = test::findComponent<juce::ComboBox> (view, "stepsPerBeat");
    auto* swing = test::findComponent<juce::Slider> (view, "swing");
    REQUIRE (steps != nullptr);
    REQUIRE (perBeat != nullptr);
    REQUIRE (swing != nullptr);
    CHECK (steps->getValue() == 16.0);
    CHECK (swing->getValue() == Approx (0.25));
    f.takeActionNames();
    steps->setValue (32.0, juce::sendNotificationSync);
    perBeat->setSelectedId (8, juce::sendNotificationSync);
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetDrumPattern", "SetDrumPattern" });
    CHECK (kitOf (f, kit).steps == 32);
    CHECK (kitOf (f, kit).stepsPerBeat == 8);
    CHECK_FALSE (view.getCellBounds (0, 31).isEmpty());
    CHECK (view.getCellBounds (0, 31).getRight() <= view.getWidth());

    // An edit from elsewhere shows, and the controls follow the session.
    f.host.apply (model::action::SetDrumPattern { kit, 24, 3, 0.5f });
    CHECK (steps->getValue() == 24.0);
    CHECK (perBeat->getSelectedId() == 3);
    CHECK (swing->getValue() == Approx (0.5));

    // Clear turns every step off, as one undo step.
    auto* clear = test::findComponent<juce::TextButton> (view, "clear");
    REQUIRE (clear != nullptr);
    ui.click (*clear);
    CHECK (f.takeActionNames() == std::vector<std::string> { "SetDrumSteps" });
    CHECK_FALSE (kitOf (f, kit).hasSteps());
    f.host.apply (model::action::Undo {});
    CHECK (kitOf (f, kit).hasSteps());

    // A change to another instrument does not repaint the grid.
    test::pumpMessages (50);
    const auto painted = view.getGridPaintCount();
    f.host.apply (model::action::SetParam { model::ParamAddress::instrument (lead, model::ParamGroup::strip, 0), 0.3f });
    test::pumpMessages (50);
    CHECK (view.getGridPaintCount() == painted);

    // The play head lights the step it is on, from the meter hub's frame.
    f.host.apply (model::action::Play {});
    test::renderBlocks (f.host, 100); // 51,200 samples at 120 BPM: tick 1024, step 6 of 160-tick steps
    f.host.tick();
    f.context.meters.updateNow();
    const auto playhead = f.host.getMetering().playhead;
    REQUIRE (playhead > 0);
    CHECK (view.getPlayingStep() == kitOf (f, kit).stepAt ((double) playhead));
    CHECK (view.getPlayingStep() > 0);
    f.host.apply (model::action::Stop {});
    test::renderBlocks (f.host, 10); // until the engine next reports its play head (30 times a second)
    f.host.tick();
    f.context.meters.updateNow();
    CHECK (view.getPlayingStep() == -1);

    // When the instrument stops being a drum kit, the view says so.
    f.host.apply (model::action::SetSource { kit, model::Source {} });
    CHECK (view.getMessage().contains ("is not a drum kit"));
    CHECK (view.getKit() == nullptr);
}

TEST_CASE ("Step sequencer: a screenshot of a busy pattern", "[gui][drums]")
{
    test::GuiFixture f;
    const auto kit = drumMachineOf (f.host.getSession());
    std::vector<model::action::DrumStepEdit> cells;
    for (int s = 0; s < 16; s += 4)
        cells.push_back ({ 0, s, { true, 120, 1.0f } });
    for (int s : { 4, 12 })
        cells.push_back ({ 2, s, { true, 110, 1.0f } });
    for (int s = 0; s < 16; s += 2)
        cells.push_back ({ 6, s, { true, (std::uint8_t) (s % 4 == 0 ? 100 : 55), 1.0f } });
    cells.push_back ({ 3, 15, { true, 90, 0.5f } });
    f.host.apply (model::action::SetDrumSteps { kit, cells });
    gui::StepSequencerView view (f.context);
    view.setInstrument (kit);
    view.selectPad (6);
    test::UiDriver ui (view, 1000, 480);
    f.host.apply (model::action::Locate { 840 });
    f.host.apply (model::action::Play {});
    test::renderBlocks (f.host, 6); // past the engine's next play-head report
    f.host.tick();
    f.context.meters.updateNow();
    test::pumpMessages (50);
    CHECK (view.getPlayingStep() == 7);
    CHECK (test::countColours (test::snapshot (view)) > 20);
    const auto file = test::saveScreenshot (view, "step-sequencer");
    CHECK (file.existsAsFile());
    f.host.apply (model::action::Stop {});

    // The longest pattern still fits, its cells narrower.
    f.host.apply (model::action::SetDrumPattern { kit, 64, 8, 0.0f });
    test::pumpMessages (50);
    CHECK (view.getCellBounds (0, 63).getRight() <= view.getWidth());
    CHECK (view.getCellBounds (0, 63).getWidth() >= 8);
    CHECK (test::saveScreenshot (view, "step-sequencer-64-steps").existsAsFile());
}

TEST_CASE ("Step sequencer: a seat that may not edit the kit sees its pattern, and its clicks and drags change nothing", "[gui][drums]")
{
    test::GuiFixture f;
    const auto kit = drumMachineOf (f.host.getSession());
    test::SeatView seat (f.host, 2);
    seat.setOwnership ({ { { kit, 1 } }, 0 }); // seat 1 owns the drum machine
    gui::GuiContext context (seat);
    context.setRecordingActions (true);
    gui::StepSequencerView view (context);
    view.setInstrument (kit);
    test::UiDriver ui (view, 1000, 480);
    REQUIRE (view.getKit() != nullptr);
    CHECK_FALSE (test::findComponent<juce::Slider> (view, "steps")->isEnabled());

    const auto before = f.host.getSession();
    ui.click (view, view.getCellBounds (0, 0).getCentre());
    ui.drag (view, view.getCellBounds (6, 0).getCentre(), view.getCellBounds (6, 9).getCentre(), 12);
    ui.drag (view, view.getPadLevelBounds (0).getCentre(), above (view.getPadLevelBounds (0), 30), 6);
    CHECK (context.takeRecordedActions().empty());
    CHECK (f.host.getSession() == before);

    // Its owner's edits still show.
    f.host.apply (model::action::SetDrumStep { kit, 0, 0, { true, 100, 1.0f } });
    CHECK (view.getKit()->rows[0][0].on);
}
