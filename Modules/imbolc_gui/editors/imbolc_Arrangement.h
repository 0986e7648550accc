#pragma once

namespace imbolc::gui
{

/** The song timeline: a toolbar, the bar ruler, a track per instrument with the clips placed on it, and
    the session's automation lanes below.

    Toolbar: Pattern/Song (SetPlayMode), the snap grid, zoom out/in, follow the play head, "+ Lane"
    (tempo, swing, or a parameter of the selected instrument). A track's header shows the instrument's
    name; a click selects the instrument. A placement is drawn as a block with its clip's name and its
    notes in miniature, the clip repeated where the placement is longer than it.

    Gestures on the tracks: click selects a placement (Shift adds or removes; a drag on empty space
    selects a box; Ctrl+A all); a drag moves the selected placements along their tracks, snapped (a
    clip belongs to its instrument, so a placement never changes track); a drag of a right edge resizes
    (the clip repeats); Alt- or Ctrl-drag copies; Delete or Backspace deletes; Ctrl+D duplicates right
    after the selection; a double-click on empty space makes a one-bar clip there (one undo step); a
    double-click on a placement calls onOpenClip; a right-click offers Rename Clip, Set Clip Length,
    Duplicate and Delete. Wheel scrolls the tracks, Shift+wheel scrolls the time, Ctrl+wheel zooms
    around the mouse, + and - zoom. Every drag is one gesture (one undo step).

    An audio track's row (SourceKind::audioClips) shows its clips at their start and length (the file's
    samples at its own rate and the session's tempo) in the track's colour, with the file's name and a
    waveform overview (AudioClipFiles: read in the background, never while painting); a clip whose file
    is missing is drawn hatched and marked "missing". A click selects an audio clip; a drag moves it
    (snapped, along its track), a drag of its left or right edge trims it (start and offset, or
    length); Delete or Backspace deletes it; a right-click offers its gain and Delete. Each is
    EditAudioClip, each gesture one undo step.

    It repaints only what a change touched: a track whose placements or clips changed, a lane whose
    points changed (each lane is its own component), the strips the play head crossed. The play head
    and following it come from the context's MeterHub; the view has no timer.

    Component IDs: "Arrangement", "ModePattern", "ModeSong", "Snap", "ZoomOut", "ZoomIn", "Follow",
    "AddLane", "PatternNote", "ruler", "TrackHeaders", "Tracks" (the clip area), "ClipNameEditor",
    "TimeScroll", "TrackScroll", and each lane's "Lane.<id>".

    Message thread.
*/
class ArrangementView final : public SessionView,
                              private Selection::Listener,
                              private MeterHub::Listener,
                              private juce::ScrollBar::Listener
{
public:
    explicit ArrangementView (GuiContext&);
    ~ArrangementView() override;

    /** Called when a person asks to edit a clip (a double-click on one of its placements): the owner
        opens it in the piano roll. */
    std::function<void (model::ClipId, model::PlacementId)> onOpenClip;

    //==============================================================================
    const TimeAxis& getAxis() const noexcept { return axis; }
    /** Scrolls or zooms the tracks, the ruler and the lanes together. */
    void setAxis (const TimeAxis&);
    /** Zooms by `factor` (>1: in) around the play head when it is in view, else the view's middle. */
    void zoomBy (double factor);

    const SnapGrid& getSnap() const noexcept { return snap; }
    void setSnap (const SnapGrid&);

    /** Scrolls the tracks and lanes vertically so that `y` (in the scrolled content: 0 is the first
        track's top) is at the top, as the wheel and the scroll bar do. */
    void scrollTracksTo (int y);
    int getTracksScrollPosition() const noexcept { return scrollY; }

    /** Keeps the play head in view while playing, a page at a time. */
    void setFollowPlayhead (bool);
    bool isFollowingPlayhead() const noexcept { return follow; }

    //==============================================================================
    const std::set<model::PlacementId>& getSelectedPlacements() const noexcept { return selected; }
    void setSelectedPlacements (std::set<model::PlacementId>);
    void selectAllPlacements();
    /** Deletes the selected placements (one undo step). */
    void deleteSelectedPlacements();
    /** Places the selected placements' clips again right after the selection (one undo step) and
        selects the copies. */
    void duplicateSelectedPlacements();

    //==============================================================================
    /** One audio clip of an audio track, named as EditAudioClip names it: by its value. */
    struct AudioClipRef
    {
        model::InstrumentId instrument;
        model::AudioClip clip;
        bool operator== (const AudioClipRef&) const = default;
    };
    const std::optional<AudioClipRef>& getSelectedAudioClip() const noexcept { return selectedAudio; }
    /** Selects one audio clip (nullopt: none), which deselects the placements. */
    void setSelectedAudioClip (std::optional<AudioClipRef>);
    /** Deletes the selected audio clip (one undo step). */
    void deleteSelectedAudioClip();
    /** Where audio clip `index` of an audio track is drawn in the clip area (empty if there is none). */
    juce::Rectangle<int> getAudioClipBounds (model::InstrumentId, std::size_t index) const;
    /** The files the audio clips play, as the view has read them. */
    const AudioClipFiles& getAudioClipFiles() const noexcept { return audioFiles; }

    /** An audio clip's right-click menu: its gain and Delete. */
    juce::PopupMenu getAudioClipMenu (const AudioClipRef&);
    void audioClipMenuItemChosen (const AudioClipRef&, int itemId);
    enum AudioClipMenuItem
    {
        deleteAudioClipItem = 1,
        audioClipGainItemBase = 200 ///< + index into audioClipGainChoicesDb()
    };
    /** The gains the menu offers, in dB (-100: silent). */
    static const std::vector<float>& audioClipGainChoicesDb();

    //==============================================================================
    /** The clip area (x 0 is the time axis's x 0) and the track headers, for tests and tools. */
    juce::Component& getTrackArea() noexcept;
    juce::Component& getTrackHeaders() noexcept;
    /** Where a placement is drawn in the clip area (empty if it is not on a track). */
    juce::Rectangle<int> getPlacementBounds (model::PlacementId) const;
    /** A track's row in the clip area (empty if the instrument has no row). */
    juce::Rectangle<int> getTrackBounds (model::InstrumentId) const;
    /** How many times the clip area was painted (tests check what a change repaints). */
    int getTrackAreaPaintCount() const noexcept;

    AutomationLaneView* findLaneView (model::LaneId) const;
    std::vector<AutomationLaneView*> getLaneViews() const;

    //==============================================================================
    /** The "+ Lane" menu: Tempo, Swing, and the selected instrument's parameters by part; a target
        that has a lane is ticked, and choosing it shows that lane. */
    juce::PopupMenu getAddLaneMenu();
    void addLaneMenuItemChosen (int itemId);

    /** A placement's right-click menu. */
    juce::PopupMenu getPlacementMenu (model::PlacementId);
    void placementMenuItemChosen (model::PlacementId, int itemId);
    enum PlacementMenuItem
    {
        renameClipItem = 1,
        duplicatePlacementItem,
        deletePlacementItem,
        clipLengthItemBase = 100 ///< + the length in bars (1, 2, 4, 8)
    };

    /** Edits the name of a placement's clip in place: Return renames (RenameClip), Escape cancels. */
    void beginRenameClip (model::PlacementId);

    //==============================================================================
    /** Draws only the notes, placements and points in view (true, the default), or everything (false:
        the bench's baseline). */
    void setCullsToVisibleRange (bool);

    static constexpr int headerWidth = 150;
    static constexpr int trackHeight = 56;
    static constexpr int toolbarHeight = 34;
    static constexpr int noteHeight = 22; ///< the pattern-mode note under the toolbar
    static constexpr int lanesCaptionHeight = 22;
    static constexpr int scrollBarThickness = 12;

    //==============================================================================
    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;
    void resized() override;
    bool keyPressed (const juce::KeyPress&) override;
    void mouseWheelMove (const juce::MouseEvent&, const juce::MouseWheelDetails&) override;

private:
    class TrackArea;
    class TrackHeaders;

    /** What a track row shows, kept to tell whether a change touched it. */
    struct ClipShown
    {
        model::Clip clip;
        int lowPitch = 60, highPitch = 60;
        model::Tick longestNote = 0;
        bool operator== (const ClipShown& o) const { return clip == o.clip; }
    };
    struct Row
    {
        model::InstrumentId instrument;
        juce::String name;
        std::vector<model::Placement> placements; ///< by start
        std::map<model::ClipId, ClipShown> clips; ///< every clip of the instrument
        bool audioTrack = false; ///< SourceKind::audioClips
        std::vector<model::AudioClip> audioClips; ///< an audio track's, by start
        bool operator== (const Row&) const = default;
    };

    void selectionChanged() override;
    void metersUpdated (const MeterFrame&) override;
    void scrollBarMoved (juce::ScrollBar*, double newRangeStart) override;

    void rebuildRows();
    void refreshRows();
    void refreshNames();
    std::vector<Row> makeRows() const;
    void repaintPlacement (model::PlacementId);
    void syncLanes();
    void layoutContent();
    void axisChanged();
    void updateTimeScrollBar();
    void refreshToolbar();
    void showLane (model::LaneId);
    int rowIndexOf (model::InstrumentId) const;
    model::Tick placementLength (const model::Placement&) const;
    /** The file an audio clip plays, as far as audioFiles has read it (nullptr before it was opened). */
    const AudioClipFiles::File* audioFileOf (const model::AudioClip&) const;
    /** Samples of an audio clip's file per tick at the session's tempo (the file's own rate; 48 kHz when
        the file is missing). */
    double samplesPerTick (const model::AudioClip&) const;
    /** Where an audio clip ends on the song, in ticks. */
    double audioClipEnd (const model::AudioClip&) const;
    /** Opens the files of the rows' audio clips (outside painting) and forgets the others. */
    void openAudioFiles();
    void refreshAudioRows (const std::set<model::InstrumentId>&);
    model::Tick barTicks() const;

    TimeAxis axis;
    SnapGrid snap { 4, false };
    bool follow = false;
    bool culls = true;
    double playhead = -1.0;
    int scrollY = 0;

    std::vector<Row> rows;
    std::unordered_map<model::InstrumentId, std::size_t> rowIndex;
    std::set<model::PlacementId> selected;
    model::PlayMode shownMode = model::PlayMode::pattern;
    BarGrid shownBars;
    model::InstrumentId shownInstrument; ///< the selected instrument as the headers show it
    Selection::ChainSubject shownChainSubject;
    int contentHeight = 0;

    juce::TextButton patternButton { "Pattern" }, songButton { "Song" };
    juce::ComboBox snapBox;
    juce::TextButton zoomOutButton { juce::CharPointer_UTF8 ("\xe2\x88\x92") }, zoomInButton { "+" };
    juce::TextButton followButton { "Follow" }, addLaneButton { "+ Lane" };
    juce::Label patternNote, lanesCaption;
    TimeRuler ruler;
    juce::Component body, content;
    std::unique_ptr<TrackHeaders> headers;
    std::unique_ptr<TrackArea> tracks;
    std::vector<std::unique_ptr<AutomationLaneView>> lanes;
    juce::ScrollBar timeScroll { false }, trackScroll { true };
    std::vector<model::AutomationTarget> addLaneTargets; ///< what the last "+ Lane" menu offered
    std::optional<AudioClipRef> selectedAudio;
    AudioClipFiles audioFiles; ///< repaints the tracks as more of a file's waveform is read

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (ArrangementView)
};

} // namespace imbolc::gui
