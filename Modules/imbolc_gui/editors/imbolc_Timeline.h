#pragma once

namespace imbolc::gui
{

/** The grid edits snap to: whole notes down to 1/64, straight or triplet, or off. Plain value, any thread. */
struct SnapGrid
{
    /** Notes per whole note: 1 = whole, 4 = quarter ... 64; 0 = off. */
    int division = 16;
    bool triplet = false;

    bool isOff() const noexcept { return division <= 0; }

    /** Ticks per grid step (a triplet step is two thirds of the straight one); 0 when off. */
    model::Tick step() const noexcept;

    /** The nearest grid line (the tick itself when off). */
    model::Tick snap (model::Tick) const noexcept;
    /** The grid line at or before the tick. */
    model::Tick snapDown (model::Tick) const noexcept;
    /** What a new note, or a move by keys, uses when the grid is off: a sixteenth. */
    model::Tick stepOrSixteenth() const noexcept { return isOff() ? model::ticksPerBeat / 4 : step(); }

    /** "1/16", "1/8T", "Off". */
    juce::String getName() const;

    /** The grids a snap menu offers, in order: Off, 1/1 ... 1/64, then 1/2T ... 1/64T. */
    static std::vector<SnapGrid> choices();

    bool operator== (const SnapGrid&) const = default;
};

/** Ticks to pixels and back along one horizontal axis: what the piano roll, the arrangement, the ruler
    and the automation lanes share, so they zoom and scroll as one. Plain value. */
struct TimeAxis
{
    double pixelsPerTick = 48.0 / model::ticksPerBeat; ///< 48 pixels per beat
    double startTick = 0.0; ///< the tick at x = 0

    static constexpr double minPixelsPerTick = 1.0 / model::ticksPerBeat; ///< a beat is a pixel
    static constexpr double maxPixelsPerTick = 2000.0 / model::ticksPerBeat; ///< a beat is 2000 pixels

    float xForTick (double tick) const noexcept { return (float) ((tick - startTick) * pixelsPerTick); }
    double tickForX (double x) const noexcept { return startTick + x / pixelsPerTick; }
    /** The tick at x, never negative, rounded down to a whole tick. */
    model::Tick tickAt (double x) const noexcept { return std::max<model::Tick> (0, (model::Tick) std::floor (tickForX (x))); }

    /** Zooms by `factor` keeping the tick under `x` where it is (the mouse's place, or the play head). */
    void zoomAround (double x, double factor) noexcept;
    /** Scrolls so `tick` is at `x`, never before tick 0. */
    void scrollTo (double tick, double x = 0.0) noexcept;

    bool operator== (const TimeAxis&) const = default;
};

/** The musical grid of a session: bar and beat lengths in ticks from the time signature. */
struct BarGrid
{
    model::Tick beat = model::ticksPerBeat; ///< one beat of the signature's denominator
    model::Tick bar = 4 * model::ticksPerBeat;

    static BarGrid of (const model::SessionSettings&) noexcept;

    bool operator== (const BarGrid&) const = default;
};

/** Draws the vertical lines of bars, beats and the snap grid across `area` (which starts at x 0 of
    `axis`); lines denser than a few pixels are left out, so a zoomed-out view stays legible and its cost
    does not grow with the song. Message thread. */
void paintTimeGrid (juce::Graphics&, juce::Rectangle<int> area, const TimeAxis&, const BarGrid&, const SnapGrid&);

/** Draws the play head at `tick` across `area`. */
void paintPlayHead (juce::Graphics&, juce::Rectangle<int> area, const TimeAxis&, double tick);

/** The bar ruler above a time-based editor: bar numbers, the loop region and the play head.

    Click: locate there. Drag: set the loop region (snapped) and switch it on; drag its edges to change
    it, Shift-drag its middle to move it (a plain drag there sets a new region); double-click it: loop
    on or off. Emits SetLoop and Locate through the context.
    The owner gives it the axis and the grid, and calls axisChanged() after it scrolled or zoomed.

    Message thread. */
class TimeRuler : public SessionView,
                  private MeterHub::Listener
{
public:
    TimeRuler (GuiContext&, const TimeAxis&, const SnapGrid&);
    ~TimeRuler() override;

    void axisChanged() { repaint(); }

    /** Where the axis's tick 0 lies on the song (a clip opened from a placement starts there): the loop
        region, the play head and a locate are in song time, the bar numbers in the axis's. */
    void setSongOffset (model::Tick offset)
    {
        songOffset = offset;
        repaint();
    }

    void paint (juce::Graphics&) override;
    void mouseDown (const juce::MouseEvent&) override;
    void mouseDrag (const juce::MouseEvent&) override;
    void mouseUp (const juce::MouseEvent&) override;
    void mouseDoubleClick (const juce::MouseEvent&) override;
    juce::MouseCursor getMouseCursor() override;

    void sessionChanged (const app::SessionChange&) override;

    static constexpr int preferredHeight = 24;

private:
    void metersUpdated (const MeterFrame&) override;

    enum class Drag
    {
        none,
        create,
        start,
        end,
        move
    };
    /** The loop edge within a few pixels of x (not Component::hitTest, which it would hide). */
    Drag loopEdgeAt (float x) const;

    const TimeAxis& axis;
    const SnapGrid& snap;
    Drag drag = Drag::none;
    model::LoopRegion dragStartLoop;
    model::Tick dragStartTick = 0;
    bool dragged = false;
    Gesture gesture { context.session };
    double shownPlayhead = -1.0;
    model::Tick songOffset = 0;
};

} // namespace imbolc::gui
