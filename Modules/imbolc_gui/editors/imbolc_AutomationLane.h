#pragma once

namespace imbolc::gui
{

/** One automation lane of the session: a header (the target's name, an enable toggle, a remove button)
    and the lane's curve over a time axis it shares with its owner (the arrangement, or a piano roll).

    The curve follows each segment's kind and shape (model::shapeSegment); points are handles. A click on
    empty space adds a point (snapped, its value from the height in the target's range); dragging a
    point moves it in time and value, Shift-click or a box drag on empty space selects several and a
    drag moves them together (one gesture, EditPoints); Delete or Backspace removes the selected points;
    a double-click on a point deletes it; a right-click on a segment picks its curve kind; Alt-drag on a
    segment, or a drag of the handle in its middle, bends its shape. The value under the mouse or of the
    dragged handle is shown in the target's unit.

    It repaints only when its own lane (or what its header names) changed, and paints only the points
    in view. The play head comes from the context's MeterHub.

    Component IDs: "Lane.<id>" (the lane), and inside it "LaneEnabled" and "LaneRemove".

    Message thread.
*/
class AutomationLaneView final : public SessionView,
                                 private MeterHub::Listener,
                                 private Selection::Listener
{
public:
    /** `axis` and `snap` belong to the owner and outlive the view; call axisChanged() after changing
        the axis. The time axis's x 0 is at the left edge of the curve area (see setHeaderWidth). */
    AutomationLaneView (GuiContext&, const TimeAxis&, const SnapGrid&, model::LaneId);
    ~AutomationLaneView() override;

    model::LaneId getLane() const noexcept { return laneId; }

    /** Width of the header on the left; the curve area starts right of it (default 150). */
    void setHeaderWidth (int);
    int getHeaderWidth() const noexcept { return headerWidth; }

    /** Repaints the curve after the owner scrolled or zoomed the shared axis. */
    void axisChanged();

    /** Draws every point, not only those in view (the bench's baseline). */
    void setCullsToVisibleRange (bool shouldCull);

    //==============================================================================
    /** The selected points, by tick. */
    const std::set<model::Tick>& getSelectedPoints() const noexcept { return selected; }
    void setSelectedPoints (std::set<model::Tick>);

    /** Removes the selected points (one EditPoints). */
    void deleteSelectedPoints();

    /** The values shown from the bottom to the top of the curve area: the target's range, or for the
        tempo 40..240 BPM widened to any point outside it. Logarithmic for frequencies and times. */
    struct DisplayRange
    {
        float lo = 0.0f, hi = 1.0f;
        bool logarithmic = false;
        bool operator== (const DisplayRange&) const = default;
    };
    const DisplayRange& getDisplayRange() const noexcept { return shownRange; }

    /** Where a value is drawn (y in this component), and the value a y means (inside the range the
        model accepts for the target). */
    float yForValue (float value) const;
    float valueForY (float y) const;
    /** The x of a tick in this component (the axis's x plus the header's width). */
    float xForTick (double tick) const;

    /** The curve area: right of the header. */
    juce::Rectangle<int> getCurveArea() const;

    /** A point's handle centre in this component. */
    juce::Point<float> getHandlePosition (const model::Point&) const;
    /** The middle of the segment that starts at `tick` (the handle a drag bends its shape with). */
    std::optional<juce::Point<float>> getBendHandlePosition (model::Tick segmentStart) const;

    /** The right-click menu of the segment starting at the point at `tick`: its curve kinds. */
    juce::PopupMenu getSegmentMenu (model::Tick segmentStart) const;
    void segmentMenuItemChosen (model::Tick segmentStart, int itemId);
    enum SegmentMenuItem
    {
        linearItem = 1, // item id = CurveType + 1
        exponentialItem,
        stepItem,
        sCurveItem,
        deletePointItem = 10
    };

    /** What the lane shows in its value readout ("1.20 kHz"), empty when nothing is shown. */
    juce::String getReadout() const { return readout; }

    /** How many times the lane was painted (tests check that another lane's edit leaves it alone). */
    int getPaintCount() const noexcept { return paintCount; }

    static constexpr int preferredHeight = 76;
    static constexpr int defaultHeaderWidth = 150;

    //==============================================================================
    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;
    void resized() override;
    void mouseMove (const juce::MouseEvent&) override;
    void mouseExit (const juce::MouseEvent&) override;
    void mouseDown (const juce::MouseEvent&) override;
    void mouseDrag (const juce::MouseEvent&) override;
    void mouseUp (const juce::MouseEvent&) override;
    void mouseDoubleClick (const juce::MouseEvent&) override;
    bool keyPressed (const juce::KeyPress&) override;

private:
    void metersUpdated (const MeterFrame&) override;
    void selectionChanged() override;

    const model::Lane* findLane() const;
    void refreshHeader();
    bool refreshShown();
    void refreshRange();
    bool touchesTarget (const app::SessionChange&) const;
    const model::Point* pointAt (juce::Point<float>) const;
    std::optional<model::Tick> segmentAt (float x) const;
    std::optional<model::Tick> bendHandleAt (juce::Point<float>) const;
    DisplayRange computeDisplayRange() const;
    float normalise (float value, const DisplayRange&) const;
    float clampToModel (float value) const;
    void setDesiredPoints (std::vector<model::Point> desired);
    void showReadout (const juce::String&, juce::Point<float>);
    void setHoveredSegment (std::optional<model::Tick>);
    void paintCurve (juce::Graphics&, const model::Lane&, juce::Rectangle<int> area);
    void paintHandles (juce::Graphics&, const model::Lane&, juce::Rectangle<int> area);
    juce::Rectangle<int> readoutBounds() const;
    void repaintPlayhead (double tick);

    const TimeAxis& axis;
    const SnapGrid& snap;
    const model::LaneId laneId;
    int headerWidth = defaultHeaderWidth;
    bool culls = true;
    int paintCount = 0;

    model::Lane shown; ///< the lane as last painted: a change that leaves it equal repaints nothing
    DisplayRange shownRange; ///< the values the curve area spans (kept: paint maps every point with it)
    juce::String shownName;
    bool highlighted = false;

    juce::Label name;
    juce::ToggleButton enabled;
    juce::TextButton remove { juce::CharPointer_UTF8 ("\xc3\x97") };

    std::set<model::Tick> selected;
    std::set<model::Tick> draggedTicks; ///< the selection when a drag of points began

    enum class Drag
    {
        none,
        pending, ///< pressed on empty space: a click adds a point, a drag selects a box
        box,
        points,
        bend
    };
    Drag drag = Drag::none;
    bool dragged = false;
    juce::Point<float> downAt;
    std::vector<model::Point> before; ///< the lane's points when the drag began
    model::Point anchor; ///< the point grabbed
    model::Tick bendTick = 0;
    juce::Rectangle<float> box;
    std::set<model::Tick> selectedBeforeBox;
    std::optional<model::Tick> addedByLastClick;
    Gesture gesture { context.session };

    std::optional<model::Tick> hoveredSegment; ///< the segment under the mouse: its bend handle shows
    juce::String readout;
    juce::Point<float> readoutAt;
    double playhead = -1.0;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (AutomationLaneView)
};

} // namespace imbolc::gui
