#pragma once

namespace imbolc::gui
{

/** The notes of one instrument's track (pattern mode), or of one clip (song mode), to edit: a keyboard
    on the left, the note grid, a velocity (or probability) lane below, and a toolbar.

    Every edit is one action: a selection moved, resized, pasted, quantized or transposed is one
    EditNotes, and a drag is one gesture, so it undoes as one step however many mouse moves it took.
    What it shows comes from the session alone, so another seat's edits appear as they arrive.

    Drawing costs what is on screen, not what is in the track: the notes are sorted by start, so the
    visible ones are found by binary search (notes longer than the view reach back at most the
    track's longest note), and a change repaints only the rectangles of the notes it touched.

    Keys (with the grid focused): Delete/Backspace delete, Ctrl+A select all, Ctrl+D duplicate,
    Ctrl+C/X/V copy, cut and paste at the play head, Left/Right nudge by the grid (Shift: a bar),
    Up/Down transpose a semitone (Shift: an octave), Q quantize, B draw mode, +/- zoom in time
    (Alt: in pitch), F follow the play head.

    Mouse: click a note to select it (Shift adds or removes), drag it to move the selection (Ctrl or
    Alt: a copy), drag either end to resize, drag on empty space to select a box, double-click empty
    space (or click in draw mode) to draw a note (drag to set its length), double-click a note to
    delete it. Wheel scrolls pitch, Shift+wheel time, Ctrl+wheel zooms time at the mouse, Alt+wheel
    zooms pitch.

    Message thread.
*/
class PianoRollView final : public SessionView,
                            private MeterHub::Listener,
                            private Selection::Listener,
                            private juce::ScrollBar::Listener
{
public:
    explicit PianoRollView (GuiContext&);
    ~PianoRollView() override;

    /** What is edited: an instrument's track (clip invalid) or a clip of that instrument, opened from a
        placement (to show the play head inside it and the notes around it) or not. */
    struct Subject
    {
        model::InstrumentId instrument;
        model::ClipId clip;
        model::PlacementId placement;
        bool operator== (const Subject&) const = default;
    };

    /** Edits a track or a clip. While `followsSelection` (the default), selecting an instrument in the
        rack edits its track. */
    void setSubject (Subject);
    const Subject& getSubject() const noexcept { return subject; }
    void setFollowsSelection (bool);

    /** The notes being edited (the track's or the clip's), or nullptr when there is nothing to edit. */
    const std::vector<model::Note>* getNotes() const;

    //==============================================================================
    /** The selection, sorted by id. */
    const std::vector<model::NoteId>& getSelectedNotes() const noexcept { return selected; }
    void setSelectedNotes (std::vector<model::NoteId>);
    bool isSelected (model::NoteId) const;

    void deleteSelection();
    void duplicateSelection();
    void copySelection();
    void cutSelection();
    /** Pastes what was copied with its earliest note at the play head (snapped down to the grid). */
    void pasteAtPlayhead();
    /** Moves the selection by `steps` grid steps (a sixteenth when the grid is off). */
    void nudgeSelection (int steps, bool byBars = false);
    void transposeSelection (int semitones);
    /** Snaps the selection's starts (and its lengths, when setQuantizesLength) to the grid; the whole
        track when nothing is selected. */
    void quantizeSelection();
    void selectAll();

    //==============================================================================
    void setSnap (SnapGrid);
    const SnapGrid& getSnap() const noexcept { return snap; }
    void setQuantizesLength (bool);
    bool getQuantizesLength() const noexcept { return quantizeLength; }
    void setDrawMode (bool);
    bool isDrawMode() const noexcept { return drawMode; }
    void setShowsGhostNotes (bool);
    bool showsGhostNotes() const noexcept { return ghostNotes; }
    void setFollowsPlayhead (bool);
    bool followsPlayhead() const noexcept { return followPlayhead; }
    /** What the lane under the grid edits. */
    void setLaneShowsProbability (bool);
    bool laneShowsProbability() const noexcept { return laneProbability; }

    const TimeAxis& getAxis() const noexcept { return axis; }
    /** Zooms time by `factor` around x in the grid (the view's middle when negative). */
    void zoomTime (double factor, float gridX = -1.0f);
    void zoomPitch (float factor);
    void scrollToTick (double tick);
    /** Scrolls so `pitch` is in the middle of the grid. */
    void scrollToPitch (int pitch);
    float getRowHeight() const noexcept { return rowHeight; }
    int getTopPitch() const noexcept { return topPitch; }

    //==============================================================================
    /** Where a note is drawn, in this view's coordinates (empty if not on screen); for tests. */
    juce::Rectangle<int> getNoteBounds (model::NoteId) const;
    /** The point of the grid at a tick and pitch, in this view's coordinates. */
    juce::Point<int> pointFor (double tick, int pitch) const;
    /** The bar at the left of the velocity lane for a note, in this view's coordinates. */
    juce::Rectangle<int> getVelocityBarBounds (model::NoteId) const;
    juce::Component& getGrid() noexcept;
    juce::Component& getKeyboard() noexcept;
    juce::Component& getVelocityLane() noexcept;
    /** The automation lanes of the edited instrument's parameters, under the velocity lane, sharing the
        grid's time axis (added from a parameter's Automate menu). */
    std::vector<AutomationLaneView*> getLaneViews() const;

    /** Notes drawn by the last paint of the grid (with the culling off, every note: the bench's baseline). */
    int getPaintedNoteCount() const noexcept { return paintedNotes; }
    /** The area the grid last painted (its clip), in the grid's coordinates: tests check that a change
        repainted only what it touched. */
    juce::Rectangle<int> getLastGridPaintArea() const noexcept { return lastPaintArea; }
    void setCullingEnabled (bool shouldCull);

    static constexpr int keyboardWidth = 56;
    static constexpr int toolbarHeight = 30;
    static constexpr int velocityLaneHeight = 80;

    //==============================================================================
    void resized() override;
    void paint (juce::Graphics&) override;
    bool keyPressed (const juce::KeyPress&) override;
    void sessionChanged (const app::SessionChange&) override;

private:
    class Grid;
    class Keyboard;
    class VelocityLane;
    friend class Grid;
    friend class Keyboard;
    friend class VelocityLane;

    void metersUpdated (const MeterFrame&) override;
    void selectionChanged() override;
    void scrollBarMoved (juce::ScrollBar*, double newRangeStart) override;

    /** Applies one edit of the subject's notes; returns the dispatcher's result. */
    model::ApplyResult edit (model::action::EditNotes);
    model::action::EditNotes newEdit() const { return { subject.instrument, subject.clip }; }
    std::vector<model::Note> selectedNotes() const;
    const model::Note* findNote (model::NoteId) const;

    /** Where the subject lies on the song: the placement's start (clip) or 0 (track). */
    model::Tick subjectOffset() const;
    /** The end of what is edited: the clip's length, or the end of the track's last note. */
    model::Tick subjectLength() const;
    /** The notes of the other instruments to draw ghosted, in the subject's time. */
    void collectGhosts();
    void refreshCaches();
    void updateScrollBars();
    void updateHeader();
    void axisChanged();
    void scrollPitchBy (int rows);
    void centreOnSubject();
    /** Makes a lane view for each session lane aimed at the subject instrument, keeping those it has. */
    void rebuildLanes();
    juce::Rectangle<int> gridArea() const;

    // Grid geometry (grid coordinates).
    float yForPitch (int pitch) const noexcept { return ((float) topPitch - (float) pitch) * rowHeight; }
    int pitchAt (float y) const noexcept;
    juce::Rectangle<float> noteRect (const model::Note&) const noexcept;
    /** The range of notes that may be visible between two ticks: [first, last). */
    std::pair<std::size_t, std::size_t> visibleRange (const std::vector<model::Note>&, double fromTick, double toTick) const;

    Subject subject;
    bool followSelection = true;
    std::vector<model::NoteId> selected;
    std::vector<model::Note> shown; ///< the notes as last drawn: a change repaints where they were
    model::Tick longestNote = 0; ///< of `shown`: how far back a visible note can start
    std::vector<model::Note> ghosts;
    model::Tick longestGhost = 0;

    SnapGrid snap;
    TimeAxis axis;
    float rowHeight = 12.0f;
    int topPitch = 84;
    bool quantizeLength = false, drawMode = false, ghostNotes = false, followPlayhead = true;
    bool laneProbability = false, culling = true, centred = false;
    model::Tick newNoteLength = model::ticksPerBeat / 4;
    double playhead = -1.0;
    int paintedNotes = 0;
    juce::Rectangle<int> lastPaintArea;

    std::unique_ptr<Grid> grid;
    std::unique_ptr<Keyboard> keyboard;
    std::unique_ptr<VelocityLane> lane;
    std::vector<std::unique_ptr<AutomationLaneView>> laneViews;
    juce::Component laneHolder;
    juce::Viewport laneViewport;
    static constexpr int automationLaneHeight = 64;
    TimeRuler ruler;
    juce::ScrollBar hScroll { false }, vScroll { true };
    juce::Label title;
    juce::ComboBox snapBox;
    juce::TextButton quantizeButton { "Quantize" }, drawButton { "Draw" }, ghostButton { "Ghosts" }, followButton { "Follow" },
        lengthButton { "+Length" }, laneButton { "Velocity" };

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (PianoRollView)
};

} // namespace imbolc::gui
