namespace imbolc::gui
{

using Palette = LookAndFeel::Palette;

//==============================================================================
model::Tick SnapGrid::step() const noexcept
{
    if (isOff())
        return 0;
    const auto straight = (model::Tick) (4 * model::ticksPerBeat) / division;
    return triplet ? straight * 2 / 3 : straight;
}

model::Tick SnapGrid::snap (model::Tick tick) const noexcept
{
    const auto s = step();
    if (s <= 0)
        return tick;
    const auto down = snapDown (tick);
    return tick - down >= s - (tick - down) ? down + s : down;
}

model::Tick SnapGrid::snapDown (model::Tick tick) const noexcept
{
    const auto s = step();
    if (s <= 0)
        return tick;
    const auto q = tick / s - (tick < 0 && tick % s != 0 ? 1 : 0);
    return q * s;
}

juce::String SnapGrid::getName() const
{
    if (isOff())
        return "Off";
    return "1/" + juce::String (division) + (triplet ? "T" : "");
}

std::vector<SnapGrid> SnapGrid::choices()
{
    std::vector<SnapGrid> out { SnapGrid { 0, false } };
    for (int d : { 1, 2, 4, 8, 16, 32, 64 })
        out.push_back ({ d, false });
    for (int d : { 2, 4, 8, 16, 32, 64 })
        out.push_back ({ d, true });
    return out;
}

//==============================================================================
void TimeAxis::zoomAround (double x, double factor) noexcept
{
    const auto anchor = tickForX (x);
    pixelsPerTick = juce::jlimit (minPixelsPerTick, maxPixelsPerTick, pixelsPerTick * factor);
    scrollTo (anchor, x);
}

void TimeAxis::scrollTo (double tick, double x) noexcept
{
    startTick = std::max (0.0, tick - x / pixelsPerTick);
}

BarGrid BarGrid::of (const model::SessionSettings& s) noexcept
{
    BarGrid g;
    // A beat of the signature's denominator: a quarter is ticksPerBeat, an eighth half of it.
    g.beat = std::max<model::Tick> (1, (model::Tick) model::ticksPerBeat * 4 / std::max (1, s.timeSigDenominator));
    g.bar = g.beat * std::max (1, s.timeSigNumerator);
    return g;
}

//==============================================================================
namespace
{
    /** The first multiple of `step` at or after `tick`. */
    model::Tick firstLine (double tick, model::Tick step)
    {
        return std::max<model::Tick> (0, (model::Tick) std::ceil (tick / (double) step)) * step;
    }

    void paintLines (juce::Graphics& g, juce::Rectangle<int> area, const TimeAxis& axis, model::Tick step, juce::Colour colour)
    {
        if (step <= 0 || (double) step * axis.pixelsPerTick < 5.0)
            return; // denser than 5 pixels: a wash, not lines
        g.setColour (colour);
        const auto endTick = axis.tickForX (area.getRight());
        for (auto t = firstLine (axis.tickForX (area.getX()), step); (double) t <= endTick; t += step)
            g.fillRect (juce::Rectangle<float> (axis.xForTick ((double) t), (float) area.getY(), 1.0f, (float) area.getHeight()));
    }
} // namespace

void paintTimeGrid (juce::Graphics& g, juce::Rectangle<int> area, const TimeAxis& axis, const BarGrid& bars, const SnapGrid& snap)
{
    // Finest first, so the bar lines draw over the beat lines.
    paintLines (g, area, axis, snap.step(), Palette::outline.withAlpha (0.25f));
    paintLines (g, area, axis, bars.beat, Palette::outline.withAlpha (0.55f));
    // Bars thin out by powers of two when zoomed far out, so some always show.
    auto barStep = bars.bar;
    while ((double) barStep * axis.pixelsPerTick < 12.0)
        barStep *= 2;
    paintLines (g, area, axis, barStep, Palette::outline.brighter (0.4f));
}

void paintPlayHead (juce::Graphics& g, juce::Rectangle<int> area, const TimeAxis& axis, double tick)
{
    const auto x = axis.xForTick (tick);
    if (x < (float) area.getX() - 1.0f || x > (float) area.getRight())
        return;
    g.setColour (Palette::accent);
    g.fillRect (juce::Rectangle<float> (x, (float) area.getY(), 1.5f, (float) area.getHeight()));
}

//==============================================================================
TimeRuler::TimeRuler (GuiContext& c, const TimeAxis& a, const SnapGrid& s)
    : SessionView (c)
    , axis (a)
    , snap (s)
{
    setComponentID ("ruler");
    context.meters.addListener (this);
}

TimeRuler::~TimeRuler()
{
    context.meters.removeListener (this);
}

void TimeRuler::paint (juce::Graphics& g)
{
    auto bounds = getLocalBounds();
    g.fillAll (Palette::panel);
    const auto& settings = context.getSession().settings;
    const auto bars = BarGrid::of (settings);

    // The loop region: bright when on, a dim outline when off.
    const auto& loop = settings.loop;
    const auto x1 = axis.xForTick ((double) (loop.start - songOffset)), x2 = axis.xForTick ((double) (loop.end - songOffset));
    if (x2 > 0.0f && x1 < (float) getWidth())
    {
        const juce::Rectangle<float> r (x1, 0.0f, x2 - x1, (float) getHeight());
        g.setColour (Palette::accent.withAlpha (loop.enabled ? 0.35f : 0.08f));
        g.fillRect (r);
        g.setColour (Palette::accent.withAlpha (loop.enabled ? 0.9f : 0.35f));
        g.fillRect (r.withWidth (2.0f));
        g.fillRect (r.withLeft (r.getRight() - 2.0f));
    }

    // Bar numbers where there is room for them, and ticks for beats.
    auto barStep = bars.bar;
    while ((double) barStep * axis.pixelsPerTick < 36.0)
        barStep *= 2;
    g.setFont (juce::Font (11.0f));
    const auto endTick = axis.tickForX (getWidth());
    g.setColour (Palette::textDim);
    if ((double) bars.beat * axis.pixelsPerTick >= 6.0)
        for (auto t = firstLine (axis.startTick, bars.beat); (double) t <= endTick; t += bars.beat)
            g.fillRect (juce::Rectangle<float> (axis.xForTick ((double) t), (float) getHeight() - 5.0f, 1.0f, 5.0f));
    for (auto t = firstLine (axis.startTick, barStep); (double) t <= endTick; t += barStep)
    {
        const auto x = axis.xForTick ((double) t);
        g.setColour (Palette::text);
        g.fillRect (juce::Rectangle<float> (x, 0.0f, 1.0f, (float) getHeight()));
        g.drawText (juce::String (t / bars.bar + 1), juce::Rectangle<float> (x + 3.0f, 0.0f, 40.0f, (float) getHeight() - 6.0f),
                    juce::Justification::centredLeft, false);
    }

    if (shownPlayhead >= 0.0)
    {
        const auto x = axis.xForTick (shownPlayhead - (double) songOffset);
        juce::Path head;
        head.addTriangle (x - 5.0f, 0.0f, x + 5.0f, 0.0f, x, 8.0f);
        g.setColour (Palette::accent);
        g.fillPath (head);
    }
    g.setColour (Palette::outline);
    g.fillRect (bounds.removeFromBottom (1));
}

TimeRuler::Drag TimeRuler::loopEdgeAt (float x) const
{
    const auto& loop = context.getSession().settings.loop;
    const auto x1 = axis.xForTick ((double) (loop.start - songOffset)), x2 = axis.xForTick ((double) (loop.end - songOffset));
    if (std::abs (x - x1) <= 4.0f)
        return Drag::start;
    if (std::abs (x - x2) <= 4.0f)
        return Drag::end;
    return Drag::none;
}

juce::MouseCursor TimeRuler::getMouseCursor()
{
    const auto hit = loopEdgeAt ((float) getMouseXYRelative().x);
    return hit == Drag::none ? juce::MouseCursor::NormalCursor : juce::MouseCursor::LeftRightResizeCursor;
}

void TimeRuler::mouseDown (const juce::MouseEvent& e)
{
    const auto& loop = context.getSession().settings.loop;
    dragStartLoop = loop;
    dragStartTick = axis.tickAt (e.position.x) + songOffset;
    dragged = false;
    drag = loopEdgeAt (e.position.x);
    if (drag == Drag::none)
        drag = e.mods.isShiftDown() && dragStartTick > loop.start && dragStartTick < loop.end ? Drag::move : Drag::create;
    gesture.begin();
}

void TimeRuler::mouseDrag (const juce::MouseEvent& e)
{
    if (drag == Drag::none || e.getDistanceFromDragStart() < 3)
        return;
    dragged = true;
    const auto tick = axis.tickAt (e.position.x) + songOffset;
    auto loop = dragStartLoop;
    const auto minimum = std::max<model::Tick> (1, snap.stepOrSixteenth());
    switch (drag)
    {
        case Drag::create:
        {
            const auto a = snap.snap (dragStartTick), b = snap.snap (tick);
            loop.start = std::min (a, b);
            loop.end = std::max (std::max (a, b), loop.start + minimum);
            loop.enabled = true;
            break;
        }
        case Drag::start:
            loop.start = juce::jlimit<model::Tick> (0, loop.end - minimum, snap.snap (tick));
            break;
        case Drag::end:
            loop.end = std::max (loop.start + minimum, snap.snap (tick));
            break;
        case Drag::move:
        {
            const auto delta = snap.snap (tick) - snap.snap (dragStartTick);
            const auto shift = std::max (-loop.start, delta);
            loop.start += shift;
            loop.end += shift;
            break;
        }
        case Drag::none:
            return;
    }
    if (! (loop == context.getSession().settings.loop))
        context.perform (model::action::SetLoop { loop });
}

void TimeRuler::mouseUp (const juce::MouseEvent& e)
{
    gesture.end();
    if (! dragged && drag != Drag::none && e.getNumberOfClicks() == 1)
        context.perform (model::action::Locate { snap.snap (axis.tickAt (e.position.x)) + songOffset });
    drag = Drag::none;
}

void TimeRuler::mouseDoubleClick (const juce::MouseEvent& e)
{
    auto loop = context.getSession().settings.loop;
    const auto tick = axis.tickAt (e.position.x) + songOffset;
    if (tick >= loop.start && tick < loop.end)
    {
        loop.enabled = ! loop.enabled;
        context.perform (model::action::SetLoop { loop });
    }
}

void TimeRuler::sessionChanged (const app::SessionChange& change)
{
    if (change.everything || change.items.settings)
        repaint();
}

void TimeRuler::metersUpdated (const MeterFrame& frame)
{
    const auto tick = (double) frame.metering.playhead;
    if (tick == shownPlayhead)
        return;
    const auto old = shownPlayhead;
    shownPlayhead = tick;
    // Only the strips the head left and entered.
    for (auto t : { old, tick })
        if (t >= 0.0)
            repaint (juce::Rectangle<int> ((int) axis.xForTick (t - (double) songOffset) - 6, 0, 13, 9));
}

} // namespace imbolc::gui
