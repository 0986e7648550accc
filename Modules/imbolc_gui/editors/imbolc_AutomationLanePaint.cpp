// How an automation lane draws itself: its header, the bar grid, the curve (only the part in view),
// the handles, a box being dragged, the value readout and the play head.

namespace imbolc::gui
{

void AutomationLaneView::resized()
{
    auto header = getLocalBounds().withWidth (headerWidth).reduced (8, 5);
    auto buttons = header.removeFromBottom (22);
    name.setBounds (header);
    remove.setBounds (buttons.removeFromRight (24));
    buttons.removeFromRight (6);
    enabled.setBounds (buttons.removeFromLeft (56));
}

void AutomationLaneView::paint (juce::Graphics& g)
{
    ++paintCount;
    using Palette = LookAndFeel::Palette;
    const auto bounds = getLocalBounds();
    const auto clip = g.getClipBounds();

    // Header.
    auto header = bounds.withWidth (headerWidth);
    if (clip.intersects (header))
    {
        g.setColour (highlighted ? Palette::selection : Palette::panelLight);
        g.fillRect (header);
        if (highlighted)
        {
            g.setColour (Palette::accent);
            g.fillRect (header.withWidth (3));
        }
        g.setColour (Palette::outline);
        g.fillRect (header.removeFromRight (1));
    }

    const auto area = getCurveArea();
    g.setColour (Palette::background);
    g.fillRect (area);
    g.setColour (Palette::outline);
    g.fillRect (bounds.withTop (bounds.getBottom() - 1));

    const auto* lane = findLane();
    if (lane == nullptr || ! clip.intersects (area))
        return;
    juce::Graphics::ScopedSaveState clipped (g);
    g.reduceClipRegion (area);

    // The bar grid, shifted to where the curve area starts.
    {
        juce::Graphics::ScopedSaveState s (g);
        g.setOrigin (headerWidth, 0);
        paintTimeGrid (g, area.withX (0), axis, BarGrid::of (context.getSession().settings), snap);
    }

    paintCurve (g, *lane, area);
    paintHandles (g, *lane, area);

    if (! box.isEmpty())
    {
        g.setColour (Palette::accent.withAlpha (0.15f));
        g.fillRect (box);
        g.setColour (Palette::accent);
        g.drawRect (box, 1.0f);
    }

    if (readout.isNotEmpty())
    {
        const auto r = readoutBounds().toFloat();
        g.setColour (Palette::panelLight.withAlpha (0.92f));
        g.fillRoundedRectangle (r, 3.0f);
        g.setColour (Palette::text);
        g.setFont (juce::Font (11.5f));
        g.drawText (readout, r, juce::Justification::centred, false);
    }

    if (playhead >= 0.0)
    {
        const auto x = xForTick (playhead);
        g.setColour (Palette::accent);
        g.fillRect (juce::Rectangle<float> (x, (float) area.getY(), 1.5f, (float) area.getHeight()));
    }
}

void AutomationLaneView::paintCurve (juce::Graphics& g, const model::Lane& lane, juce::Rectangle<int> area)
{
    using Palette = LookAndFeel::Palette;
    const auto& points = lane.points.points;
    const auto colour = lane.enabled ? Palette::accent : Palette::textDim;
    if (points.empty())
    {
        g.setColour (Palette::textDim);
        g.setFont (juce::Font (12.0f));
        g.drawText ("Click to add a point", area.reduced (10, 0), juce::Justification::centredLeft, false);
        return;
    }

    const auto left = (float) area.getX(), right = (float) area.getRight();
    std::size_t first = 0, last = points.size() - 1;
    if (culls)
    {
        // The point before the view and the one after it, so the segments crossing its edges are drawn.
        const auto from = laneFirstPointAtOrAfter (points, axis.tickForX (left - (float) headerWidth));
        first = from > 0 ? from - 1 : 0;
        last = std::min (points.size() - 1, laneFirstPointAtOrAfter (points, axis.tickForX (right - (float) headerWidth)));
    }

    juce::Path curve;
    const auto startX = std::min (left, xForTick ((double) points[first].tick));
    curve.startNewSubPath (startX, yForValue (points[first].value));
    for (auto i = first; i <= last; ++i)
    {
        const auto& a = points[i];
        const auto xa = xForTick ((double) a.tick), ya = yForValue (a.value);
        curve.lineTo (xa, ya);
        if (i + 1 >= points.size())
        {
            curve.lineTo (std::max (right, xa), ya); // the last value holds
            break;
        }
        const auto& b = points[i + 1];
        const auto xb = xForTick ((double) b.tick);
        if (a.curve == model::CurveType::step)
        {
            curve.lineTo (xb, ya);
            continue;
        }
        if (a.curve == model::CurveType::linear && a.shape == 0 && ! shownRange.logarithmic)
            continue; // a straight line: the next lineTo draws it
        // Sampled every few pixels, only across the part in view.
        const auto from = std::max (xa, left), to = std::min (xb, right);
        for (auto x = from; x < to; x += 3.0f)
        {
            const auto fraction = model::shapeSegment (a.curve, a.shape, (double) ((x - xa) / (xb - xa)));
            curve.lineTo (x, yForValue (a.value + (b.value - a.value) * (float) fraction));
        }
    }
    if (last + 1 < points.size())
    {
        const auto& b = points[last + 1];
        curve.lineTo (xForTick ((double) b.tick), yForValue (b.value));
    }

    auto fill = curve;
    const auto bounds = curve.getBounds();
    fill.lineTo (bounds.getRight(), (float) area.getBottom());
    fill.lineTo (bounds.getX(), (float) area.getBottom());
    fill.closeSubPath();
    g.setColour (colour.withAlpha (0.12f));
    g.fillPath (fill);
    g.setColour (colour.withAlpha (lane.enabled ? 0.95f : 0.6f));
    g.strokePath (curve, juce::PathStrokeType (1.6f));
}

void AutomationLaneView::paintHandles (juce::Graphics& g, const model::Lane& lane, juce::Rectangle<int> area)
{
    using Palette = LookAndFeel::Palette;
    const auto& points = lane.points.points;
    const auto left = (float) area.getX() - laneHitRadius, right = (float) area.getRight() + laneHitRadius;
    auto i = culls ? laneFirstPointAtOrAfter (points, axis.tickForX (left - (float) headerWidth)) : 0;
    for (; i < points.size(); ++i)
    {
        const auto& p = points[i];
        const auto h = getHandlePosition (p);
        if (h.x > right && culls)
            break;
        const auto r = juce::Rectangle<float> (laneHandleRadius * 2.0f, laneHandleRadius * 2.0f).withCentre (h);
        const bool isSelected = selected.count (p.tick) != 0;
        g.setColour (isSelected ? juce::Colours::white : (lane.enabled ? Palette::accent : Palette::textDim));
        g.fillEllipse (r);
        g.setColour (isSelected ? Palette::accent : Palette::background);
        g.drawEllipse (r, 1.2f);

        // A segment's bend handle shows when it is bent, or under the mouse.
        const bool bendShown = p.shape != 0 || hoveredSegment == p.tick || (drag == Drag::bend && bendTick == p.tick);
        if (const auto bend = bendShown ? getBendHandlePosition (p.tick) : std::nullopt)
        {
            g.setColour ((p.shape != 0 ? Palette::text : Palette::textDim).withAlpha (0.8f));
            g.drawEllipse (juce::Rectangle<float> (6.0f, 6.0f).withCentre (*bend), 1.0f);
        }
    }
}

} // namespace imbolc::gui
