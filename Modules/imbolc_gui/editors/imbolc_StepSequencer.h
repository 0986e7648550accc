#pragma once

namespace imbolc::gui
{

/** The drum step sequencer: one drum-kit instrument's 12 pads and its step pattern.

    Each pad is a row: its name (click to hear it; right-click for its kind, a sample file or its
    decay), its level and tune (drag up or down; double-click for the default), then one cell per step.
    A click on a cell turns it on or off; a drag paints every cell it crosses on or off (as the first
    one became), as one edit and one undo step; Shift-drag up or down on a cell sets its velocity,
    Alt-drag its probability; right-click a cell for preset velocities and probabilities. Beats are
    shaded, bars ruled, and while the transport plays the step under the play head is lit. Under the
    grid, the selected pad's velocities as bars: drag across them to draw. Above it: the pattern's
    length (16 to 64 steps), its steps per beat, its swing, and Clear.

    A gesture shows at once and becomes one Action when it ends. What a change touched is all that
    repaints: an edit repaints the cells it changed, the play head the two columns it left and entered
    (read from the meter hub's frames: this view has no timer of its own). When the instrument is not
    a drum kit, or there is none, the view says so in one sentence. A seat that may not edit the
    instrument sees the pattern but cannot change it.

    Component IDs: "stepGrid", "velocityLane", "steps", "stepsPerBeat", "swing", "clear".

    Message thread.
*/
class StepSequencerView final : public SessionView,
                                private MeterHub::Listener
{
public:
    explicit StepSequencerView (GuiContext&);
    ~StepSequencerView() override;

    /** Shows instrument `id`'s kit (invalid: none). */
    void setInstrument (model::InstrumentId id);
    model::InstrumentId getInstrument() const noexcept { return instrument; }

    /** The kit shown, or nullptr when the instrument is not a drum kit (then getMessage() says why). */
    const model::DrumKit* getKit() const;

    /** The sentence shown instead of the grid, or empty while a kit is shown. */
    juce::String getMessage() const;

    /** The pad whose velocities the lane shows (clicking a pad's name selects it). */
    int getSelectedPad() const noexcept { return selectedPad; }
    void selectPad (int pad);

    /** The step under the play head, or -1 while stopped. */
    int getPlayingStep() const noexcept { return playingStep; }

    //==============================================================================
    // Geometry, in this view's coordinates (for tests and tools): empty when not shown.

    juce::Rectangle<int> getCellBounds (int pad, int step) const;
    juce::Rectangle<int> getPadNameBounds (int pad) const;
    juce::Rectangle<int> getPadLevelBounds (int pad) const;
    juce::Rectangle<int> getPadTuneBounds (int pad) const;
    /** The column of `step` in the velocity lane. */
    juce::Rectangle<int> getVelocityBounds (int step) const;

    //==============================================================================
    /** A pad's right-click menu: Kick, Snare, Hat, Load Sample..., its decay, Reset Level and Tune. */
    juce::PopupMenu getPadMenu (int pad) const;
    void padMenuItemChosen (int pad, int itemId);

    /** A cell's right-click menu: on or off, velocities, probabilities. */
    juce::PopupMenu getStepMenu (int pad, int step) const;
    void stepMenuItemChosen (int pad, int step, int itemId);

    /** Makes pad `pad` play `file` (what Load Sample's file chooser does with the file it chose). */
    void loadSample (int pad, const juce::File& file);

    enum PadMenuItem
    {
        kickItem = 1,
        snareItem,
        hatItem,
        loadSampleItem,
        resetItem,
        decayItemBase = 100 ///< + the index into decayChoices
    };
    static constexpr float decayChoices[] = { 0.03f, 0.06f, 0.12f, 0.25f, 0.5f, 1.0f, 2.0f };

    enum StepMenuItem
    {
        toggleItem = 1,
        velocityItemBase = 100, ///< + the index into velocityChoices
        probabilityItemBase = 200 ///< + the index into probabilityChoices
    };
    static constexpr int velocityChoices[] = { 127, 100, 80, 60, 40, 20 };
    static constexpr float probabilityChoices[] = { 1.0f, 0.75f, 0.5f, 0.25f, 0.1f };

    //==============================================================================
    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;
    void resized() override;

    /** How often the grid and the lane were painted (tests prove an edit repaints only what it changed). */
    int getGridPaintCount() const noexcept;

private:
    class Grid;
    class VelocityLane;
    friend class Grid;
    friend class VelocityLane;

    void metersUpdated (const MeterFrame&) override;
    void refresh();
    void repaintCell (int pad, int step);
    void repaintStepColumn (int step);

    /** A cell as shown: a gesture's preview over the session's value. */
    model::DrumStep cellValue (int pad, int step) const;
    /** A pad as shown: a level or tune drag's preview over the session's value. */
    model::DrumPad padValue (int pad) const;
    bool canEdit() const;
    /** Sends the cells a gesture changed as one Action (nothing if none changed) and ends the preview. */
    void commitCells();
    void setCell (int pad, int step, model::DrumStep);
    void setPad (int pad, model::DrumPad);
    void setPattern (int steps, int stepsPerBeat, float swing);
    void audition (int pad, bool on);
    void chooseSample (int pad);

    model::InstrumentId instrument;
    int selectedPad = 0, playingStep = -1, auditioning = -1;
    std::map<std::pair<int, int>, model::DrumStep> preview; ///< (pad, step): a gesture in progress
    std::optional<std::pair<int, model::DrumPad>> padPreview; ///< a level or tune drag in progress
    model::DrumKit shown; ///< the kit as last painted, to repaint only what changed
    juce::String message, shownName;

    juce::Label stepsLabel { {}, "Steps" }, perBeatLabel { {}, "Per beat" }, swingLabel { {}, "Swing" };
    juce::Slider steps { juce::Slider::IncDecButtons, juce::Slider::TextBoxLeft };
    juce::ComboBox stepsPerBeat;
    juce::Slider swing { juce::Slider::LinearHorizontal, juce::Slider::TextBoxRight };
    juce::TextButton clear { "Clear" };
    std::unique_ptr<Grid> grid;
    std::unique_ptr<VelocityLane> lane;
    std::unique_ptr<juce::FileChooser> chooser;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (StepSequencerView)
};

} // namespace imbolc::gui
