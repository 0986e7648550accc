namespace imbolc::gui
{

namespace
{
    constexpr float laneHandleRadius = 3.5f;
    constexpr float laneHitRadius = 6.0f;
    constexpr int laneCurveInset = 6; ///< the curve's top and bottom stay off the lane's edges
    constexpr float laneBendHandleMinWidth = 28.0f; ///< a segment narrower than this has no bend handle

    const char* laneCurveName (model::CurveType c)
    {
        switch (c)
        {
            case model::CurveType::linear:
                return "Linear";
            case model::CurveType::exponential:
                return "Exponential";
            case model::CurveType::step:
                return "Step";
            case model::CurveType::sCurve:
                return "S-Curve";
        }
        return "Curve";
    }

    /** Index of the first point at or after `tick`. */
    std::size_t laneFirstPointAtOrAfter (const std::vector<model::Point>& points, double tick)
    {
        return (std::size_t) (std::lower_bound (points.begin(), points.end(), tick, [] (const model::Point& p, double t)
                                                { return (double) p.tick < t; })
                              - points.begin());
    }

    const model::Point* laneFindPoint (const std::vector<model::Point>& points, model::Tick tick)
    {
        const auto i = laneFirstPointAtOrAfter (points, (double) tick);
        return i < points.size() && points[i].tick == tick ? &points[i] : nullptr;
    }
} // namespace

AutomationLaneView::AutomationLaneView (GuiContext& c, const TimeAxis& a, const SnapGrid& s, model::LaneId id)
    : SessionView (c), axis (a), snap (s), laneId (id)
{
    setComponentID ("Lane." + juce::String (id.value));
    setOpaque (true);
    setWantsKeyboardFocus (true);

    name.setFont (juce::Font (12.5f, juce::Font::bold));
    name.setColour (juce::Label::textColourId, LookAndFeel::Palette::text);
    name.setMinimumHorizontalScale (0.7f);
    name.setJustificationType (juce::Justification::topLeft);
    name.setInterceptsMouseClicks (false, false);
    addAndMakeVisible (name);

    enabled.setComponentID ("LaneEnabled");
    enabled.setButtonText ("On");
    enabled.setTooltip ("Whether this lane plays (off: the value stays where it is set by hand)");
    enabled.setClickingTogglesState (false); // it shows the session; a click asks for the change
    enabled.setWantsKeyboardFocus (false);
    enabled.onClick = [this]
    { context.perform (model::action::SetLaneEnabled { laneId, ! shown.enabled }); };
    addAndMakeVisible (enabled);

    remove.setComponentID ("LaneRemove");
    remove.setTooltip ("Remove this lane and its points");
    remove.setWantsKeyboardFocus (false);
    remove.onClick = [this]
    {
        // The owner drops this view when the lane goes: removed from a later message, so the button
        // is not deleted inside its own click.
        juce::MessageManager::callAsync ([safe = juce::Component::SafePointer<AutomationLaneView> (this)]
                                         {
                                             if (safe != nullptr)
                                                 safe->context.perform (model::action::RemoveLane { safe->laneId }); });
    };
    addAndMakeVisible (remove);

    refreshShown();
    refreshHeader();
    highlighted = context.selection.getLane() == laneId;
    context.meters.addListener (this);
    context.selection.addListener (this);
}

AutomationLaneView::~AutomationLaneView()
{
    context.selection.removeListener (this);
    context.meters.removeListener (this);
}

const model::Lane* AutomationLaneView::findLane() const
{
    return context.getSession().automation.find (laneId);
}

void AutomationLaneView::setHeaderWidth (int w)
{
    if (w == headerWidth)
        return;
    headerWidth = w;
    resized();
    repaint();
}

void AutomationLaneView::axisChanged()
{
    repaint (getCurveArea());
}

void AutomationLaneView::setCullsToVisibleRange (bool shouldCull)
{
    culls = shouldCull;
    repaint();
}

juce::Rectangle<int> AutomationLaneView::getCurveArea() const
{
    return getLocalBounds().withTrimmedLeft (headerWidth).withTrimmedBottom (1);
}

//==============================================================================
AutomationLaneView::DisplayRange AutomationLaneView::computeDisplayRange() const
{
    const auto& session = context.getSession();
    DisplayRange r;
    switch (shown.target.kind)
    {
        case model::AutomationTargetKind::bpm:
        {
            // The tempo's range (20..999) would squash a song's tempo into a sliver: show the usual
            // tempos, widened to any point outside them.
            r.lo = 40.0f;
            r.hi = 240.0f;
            for (const auto& p : shown.points.points)
            {
                r.lo = std::min (r.lo, p.value);
                r.hi = std::max (r.hi, p.value);
            }
            return r;
        }
        case model::AutomationTargetKind::swing:
            return r;
        case model::AutomationTargetKind::parameter:
            break;
    }
    const auto p = automation::findParameter (session, shown.target.param);
    if (! p || p->maxValue <= p->minValue)
        return r;
    r.lo = p->minValue;
    r.hi = p->maxValue;
    const auto unit = paramtext::unitFor (p->name);
    // Frequencies and times are heard on a log scale (as the knobs skew them).
    r.logarithmic = ! automation::isPlainParameter (session, shown.target.param) && (unit == "Hz" || unit == "s")
                    && r.lo > 0.0f && r.hi / r.lo >= 10.0f;
    return r;
}

float AutomationLaneView::normalise (float value, const DisplayRange& r) const
{
    if (r.hi <= r.lo)
        return 0.5f;
    const auto n = r.logarithmic ? std::log (std::max (value, r.lo) / r.lo) / std::log (r.hi / r.lo)
                                 : (value - r.lo) / (r.hi - r.lo);
    return juce::jlimit (0.0f, 1.0f, n);
}

float AutomationLaneView::clampToModel (float value) const
{
    if (const auto range = automation::valueRange (context.getSession(), shown.target))
        return range->clipValue (value);
    return value;
}

float AutomationLaneView::yForValue (float value) const
{
    const auto area = getCurveArea().reduced (0, laneCurveInset).toFloat();
    return area.getBottom() - normalise (value, shownRange) * area.getHeight();
}

float AutomationLaneView::valueForY (float y) const
{
    const auto area = getCurveArea().reduced (0, laneCurveInset).toFloat();
    const auto& r = shownRange;
    const auto n = area.getHeight() > 0.0f ? juce::jlimit (0.0f, 1.0f, (area.getBottom() - y) / area.getHeight()) : 0.5f;
    const auto v = r.logarithmic ? r.lo * std::pow (r.hi / r.lo, n) : r.lo + n * (r.hi - r.lo);
    return clampToModel (v);
}

float AutomationLaneView::xForTick (double tick) const
{
    return (float) headerWidth + axis.xForTick (tick);
}

juce::Point<float> AutomationLaneView::getHandlePosition (const model::Point& p) const
{
    return { xForTick ((double) p.tick), yForValue (p.value) };
}

std::optional<juce::Point<float>> AutomationLaneView::getBendHandlePosition (model::Tick segmentStart) const
{
    const auto& points = shown.points.points;
    const auto i = laneFirstPointAtOrAfter (points, (double) segmentStart);
    if (i + 1 >= points.size() || points[i].tick != segmentStart)
        return std::nullopt;
    const auto &a = points[i], &b = points[i + 1];
    const auto xa = xForTick ((double) a.tick), xb = xForTick ((double) b.tick);
    if (a.curve == model::CurveType::step || xb - xa < laneBendHandleMinWidth || a.value == b.value)
        return std::nullopt;
    const auto fraction = model::shapeSegment (a.curve, a.shape, 0.5);
    return juce::Point<float> ((xa + xb) * 0.5f, yForValue (a.value + (b.value - a.value) * (float) fraction));
}

const model::Point* AutomationLaneView::pointAt (juce::Point<float> at) const
{
    const auto& points = shown.points.points;
    const model::Point* best = nullptr;
    auto bestDistance = laneHitRadius;
    for (auto i = laneFirstPointAtOrAfter (points, axis.tickForX (at.x - (float) headerWidth - laneHitRadius)); i < points.size(); ++i)
    {
        const auto h = getHandlePosition (points[i]);
        if (h.x > at.x + laneHitRadius)
            break;
        if (const auto d = h.getDistanceFrom (at); d <= bestDistance)
        {
            bestDistance = d;
            best = &points[i];
        }
    }
    return best;
}

std::optional<model::Tick> AutomationLaneView::segmentAt (float x) const
{
    const auto& points = shown.points.points;
    const auto tick = axis.tickForX (x - (float) headerWidth);
    const auto after = std::upper_bound (points.begin(), points.end(), tick, [] (double t, const model::Point& p)
                                         { return t < (double) p.tick; });
    if (after == points.begin())
        return std::nullopt;
    return std::prev (after)->tick;
}

std::optional<model::Tick> AutomationLaneView::bendHandleAt (juce::Point<float> at) const
{
    if (const auto segment = segmentAt (at.x))
        if (const auto handle = getBendHandlePosition (*segment); handle && handle->getDistanceFrom (at) <= laneHitRadius)
            return segment;
    return std::nullopt;
}

//==============================================================================
void AutomationLaneView::sessionChanged (const app::SessionChange& change)
{
    const auto& items = change.items;
    const bool mine = change.everything || items.automationStructural || items.lanes.count (laneId) != 0
                      || std::any_of (items.pointOps.begin(), items.pointOps.end(), [this] (const model::PointOp& op)
                                      { return op.lane == laneId; });
    if (mine)
    {
        refreshHeader();
        refreshShown();
    }
    else if (touchesTarget (change))
    {
        // The lane is as it was; what its header names (an instrument or bus renamed) or the range it
        // is drawn in (a source switched type) may not be.
        refreshHeader();
        refreshRange();
    }
}

bool AutomationLaneView::touchesTarget (const app::SessionChange& change) const
{
    const auto& target = shown.target;
    if (target.kind != model::AutomationTargetKind::parameter)
        return false;
    const auto& items = change.items;
    const auto& a = target.param;
    if (a.group == model::ParamGroup::send && (items.mixerStructural || items.buses.count (model::BusId { a.itemId }) != 0))
        return true; // "Send to <bus>"
    switch (a.node)
    {
        case model::NodeKind::instrument:
            return change.touchesInstrument (model::InstrumentId { a.nodeId });
        case model::NodeKind::bus:
            return items.mixerStructural || items.buses.count (model::BusId { a.nodeId }) != 0;
        case model::NodeKind::master:
            return items.master;
    }
    return false;
}

void AutomationLaneView::refreshRange()
{
    if (const auto range = computeDisplayRange(); ! (range == shownRange))
    {
        shownRange = range;
        repaint (getCurveArea());
    }
}

bool AutomationLaneView::refreshShown()
{
    const auto* lane = findLane();
    auto now = lane != nullptr ? *lane : model::Lane { laneId, shown.target, false, {} };
    if (now == shown)
    {
        refreshRange();
        return false;
    }
    shown = std::move (now);
    shownRange = computeDisplayRange();
    enabled.setToggleState (shown.enabled, juce::dontSendNotification);
    // Points that went (deleted, moved by another seat) are no longer selected.
    for (auto it = selected.begin(); it != selected.end();)
        it = laneFindPoint (shown.points.points, *it) == nullptr ? selected.erase (it) : std::next (it);
    repaint();
    return true;
}

void AutomationLaneView::refreshHeader()
{
    const auto* lane = findLane();
    if (lane == nullptr)
        return;
    const auto text = automation::targetName (context.getSession(), lane->target);
    if (text != shownName)
    {
        shownName = text;
        name.setText (text, juce::dontSendNotification);
        name.setTooltip (text);
    }
}

void AutomationLaneView::selectionChanged()
{
    const bool now = context.selection.getLane() == laneId;
    if (now != highlighted)
    {
        highlighted = now;
        repaint (getLocalBounds().withWidth (headerWidth));
    }
}

void AutomationLaneView::metersUpdated (const MeterFrame& frame)
{
    const auto tick = (double) frame.metering.playhead;
    if (tick == playhead)
        return;
    const auto old = std::exchange (playhead, tick);
    repaintPlayhead (old);
    repaintPlayhead (tick);
}

void AutomationLaneView::repaintPlayhead (double tick)
{
    if (tick < 0.0)
        return;
    const auto x = xForTick (tick);
    const auto area = getCurveArea();
    if (x >= (float) area.getX() - 2.0f && x <= (float) area.getRight() + 2.0f)
        repaint (juce::Rectangle<int> ((int) x - 1, 0, 4, getHeight()).getIntersection (area));
}

//==============================================================================
void AutomationLaneView::setSelectedPoints (std::set<model::Tick> ticks)
{
    if (ticks == selected)
        return;
    selected = std::move (ticks);
    repaint (getCurveArea());
}

void AutomationLaneView::deleteSelectedPoints()
{
    std::vector<model::Tick> ticks;
    for (auto t : selected)
        if (laneFindPoint (shown.points.points, t) != nullptr)
            ticks.push_back (t);
    if (ticks.empty())
        return;
    context.perform (model::action::EditPoints { laneId, std::move (ticks), {} });
}

void AutomationLaneView::setDesiredPoints (std::vector<model::Point> desired)
{
    // The edit that turns the lane into `desired`: what a drag of several points sends at each step,
    // so a point dragged over another and beyond gives that one back.
    std::sort (desired.begin(), desired.end(), [] (const model::Point& a, const model::Point& b)
               { return a.tick < b.tick; });
    const auto* lane = findLane();
    if (lane == nullptr)
        return;
    model::action::EditPoints edit { laneId };
    for (const auto& p : lane->points.points)
        if (laneFindPoint (desired, p.tick) == nullptr)
            edit.remove.push_back (p.tick);
    for (const auto& p : desired)
        if (const auto* now = laneFindPoint (lane->points.points, p.tick); now == nullptr || ! (*now == p))
            edit.set.push_back (p);
    if (! edit.remove.empty() || ! edit.set.empty())
        context.perform (edit);
}

juce::PopupMenu AutomationLaneView::getSegmentMenu (model::Tick segmentStart) const
{
    juce::PopupMenu menu;
    const auto* p = laneFindPoint (shown.points.points, segmentStart);
    if (p == nullptr)
        return menu;
    menu.addSectionHeader ("Curve");
    for (auto c : { model::CurveType::linear, model::CurveType::exponential, model::CurveType::step, model::CurveType::sCurve })
        menu.addItem ((int) c + 1, laneCurveName (c), true, p->curve == c);
    menu.addSeparator();
    menu.addItem (deletePointItem, "Delete Point");
    return menu;
}

void AutomationLaneView::segmentMenuItemChosen (model::Tick segmentStart, int itemId)
{
    const auto* p = laneFindPoint (shown.points.points, segmentStart);
    if (p == nullptr)
        return;
    if (itemId == deletePointItem)
    {
        context.perform (model::action::DeletePoint { laneId, segmentStart });
        return;
    }
    if (itemId < linearItem || itemId > sCurveItem)
        return;
    auto changed = *p;
    changed.curve = (model::CurveType) (itemId - 1);
    if (! (changed == *p))
        context.perform (model::action::SetPoint { laneId, changed });
}

//==============================================================================
juce::Rectangle<int> AutomationLaneView::readoutBounds() const
{
    if (readout.isEmpty())
        return {};
    const auto area = getCurveArea();
    const auto w = juce::Font (11.5f).getStringWidth (readout) + 10;
    auto x = (int) readoutAt.x + 10;
    if (x + w > area.getRight())
        x = (int) readoutAt.x - 10 - w;
    return juce::Rectangle<int> (juce::jmax (area.getX(), x), area.getY() + 2, w, 16);
}

void AutomationLaneView::showReadout (const juce::String& text, juce::Point<float> at)
{
    if (text == readout && at == readoutAt)
        return;
    repaint (readoutBounds());
    readout = text;
    readoutAt = at;
    repaint (readoutBounds());
}

void AutomationLaneView::setHoveredSegment (std::optional<model::Tick> segment)
{
    if (segment == hoveredSegment)
        return;
    for (auto t : { hoveredSegment, segment })
        if (t)
            if (const auto handle = getBendHandlePosition (*t))
                repaint (juce::Rectangle<int> (12, 12).withCentre (handle->roundToInt()));
    hoveredSegment = segment;
}

void AutomationLaneView::mouseMove (const juce::MouseEvent& e)
{
    const auto inCurve = getCurveArea().toFloat().contains (e.position) && findLane() != nullptr;
    setHoveredSegment (inCurve ? segmentAt (e.position.x) : std::nullopt);
    if (! inCurve)
        return showReadout ({}, {});
    const auto& session = context.getSession();
    if (const auto* p = pointAt (e.position))
        showReadout (automation::formatValue (session, shown.target, p->value), getHandlePosition (*p));
    else if (const auto bend = bendHandleAt (e.position))
        showReadout ("Shape " + juce::String ((int) laneFindPoint (shown.points.points, *bend)->shape), e.position);
    else
        showReadout (automation::formatValue (session, shown.target, valueForY (e.position.y)), e.position);
}

void AutomationLaneView::mouseExit (const juce::MouseEvent&)
{
    if (drag != Drag::none)
        return;
    showReadout ({}, {});
    setHoveredSegment (std::nullopt);
}

void AutomationLaneView::mouseDown (const juce::MouseEvent& e)
{
    drag = Drag::none;
    dragged = false;
    if (e.getNumberOfClicks() == 1)
        addedByLastClick.reset();
    if (e.position.x < (float) headerWidth)
    {
        context.selection.selectLane (laneId);
        return;
    }
    if (findLane() == nullptr)
        return;
    grabKeyboardFocus();
    downAt = e.position;
    before = shown.points.points;

    if (e.mods.isPopupMenu())
    {
        const auto* p = pointAt (e.position);
        const auto segment = p != nullptr ? std::optional<model::Tick> (p->tick) : segmentAt (e.position.x);
        if (! segment)
            return;
        getSegmentMenu (*segment).showMenuAsync (juce::PopupMenu::Options().withTargetComponent (this).withMousePosition(),
                                                 [safe = juce::Component::SafePointer<AutomationLaneView> (this), tick = *segment] (int chosen)
                                                 {
                                                     if (safe != nullptr)
                                                         safe->segmentMenuItemChosen (tick, chosen);
                                                 });
        return;
    }

    const auto* p = pointAt (e.position);
    const auto bend = p == nullptr ? bendHandleAt (e.position) : std::nullopt;
    if (bend || (p == nullptr && e.mods.isAltDown()))
    {
        const auto segment = bend ? bend : segmentAt (e.position.x);
        const auto i = segment ? laneFirstPointAtOrAfter (before, (double) *segment) : before.size();
        if (i + 1 < before.size())
        {
            drag = Drag::bend;
            bendTick = *segment;
            anchor = before[i];
        }
        return;
    }

    if (p != nullptr)
    {
        auto now = selected;
        if (e.mods.isShiftDown() && now.count (p->tick) != 0)
        {
            now.erase (p->tick); // Shift-click on a selected point takes it out of the selection
            setSelectedPoints (std::move (now));
            return;
        }
        if (e.mods.isShiftDown())
            now.insert (p->tick);
        else if (now.count (p->tick) == 0)
            now = { p->tick };
        setSelectedPoints (std::move (now));
        drag = Drag::points;
        draggedTicks = selected;
        anchor = *p;
        showReadout (automation::formatValue (context.getSession(), shown.target, p->value), getHandlePosition (*p));
        return;
    }
    drag = Drag::pending;
}

void AutomationLaneView::mouseDrag (const juce::MouseEvent& e)
{
    // A few pixels of slack, so a click that wobbles is still a click.
    if (drag == Drag::none || (! dragged && e.getDistanceFromDragStart() < 3))
        return;
    dragged = true;
    const auto curveHeight = (float) juce::jmax (1, getCurveArea().reduced (0, laneCurveInset).getHeight());

    switch (drag)
    {
        case Drag::pending:
            drag = Drag::box;
            selectedBeforeBox = e.mods.isShiftDown() ? selected : std::set<model::Tick> {};
            [[fallthrough]];
        case Drag::box:
        {
            repaint (box.getSmallestIntegerContainer().expanded (2));
            box = juce::Rectangle<float> (downAt, e.position);
            auto now = selectedBeforeBox;
            for (const auto& p : shown.points.points)
                if (box.expanded (laneHandleRadius).contains (getHandlePosition (p)))
                    now.insert (p.tick);
            setSelectedPoints (std::move (now));
            repaint (box.getSmallestIntegerContainer().expanded (2));
            break;
        }
        case Drag::points:
        {
            gesture.begin();
            const auto& range = shownRange;
            // Time: the grabbed point lands on the grid, the others keep their distance to it.
            const auto rawDelta = axis.tickForX (e.position.x - (float) headerWidth) - axis.tickForX (downAt.x - (float) headerWidth);
            auto delta = snap.snap (anchor.tick + (model::Tick) std::llround (rawDelta)) - anchor.tick;
            model::Tick earliest = std::numeric_limits<model::Tick>::max();
            for (auto t : draggedTicks)
                earliest = std::min (earliest, t);
            if (earliest != std::numeric_limits<model::Tick>::max())
                delta = std::max (delta, -earliest);
            // Value: every point moves by the same height on screen.
            const auto dy = (downAt.y - e.position.y) / curveHeight;
            std::vector<model::Point> desired;
            std::set<model::Tick> moved;
            model::Point anchorNow = anchor;
            for (const auto& p : before)
                if (draggedTicks.count (p.tick) == 0)
                    desired.push_back (p);
            std::vector<model::Point> movedPoints;
            for (const auto& p : before)
            {
                if (draggedTicks.count (p.tick) == 0)
                    continue;
                auto q = p;
                q.tick = p.tick + delta;
                const auto n = juce::jlimit (0.0f, 1.0f, normalise (p.value, range) + dy);
                q.value = clampToModel (range.logarithmic ? range.lo * std::pow (range.hi / range.lo, n) : range.lo + n * (range.hi - range.lo));
                if (p.tick == anchor.tick)
                    anchorNow = q;
                movedPoints.push_back (q);
                moved.insert (q.tick);
            }
            // A moved point replaces one that stays at its tick.
            std::erase_if (desired, [&] (const model::Point& p)
                           { return moved.count (p.tick) != 0; });
            desired.insert (desired.end(), movedPoints.begin(), movedPoints.end());
            setDesiredPoints (std::move (desired));
            // The selection follows the points; `before` and draggedTicks stay as they were at the press,
            // so every step is measured from there.
            selected = moved;
            repaint (getCurveArea());
            showReadout (automation::formatValue (context.getSession(), shown.target, anchorNow.value), getHandlePosition (anchorNow));
            break;
        }
        case Drag::bend:
        {
            gesture.begin();
            const auto i = laneFirstPointAtOrAfter (before, (double) bendTick);
            if (i + 1 >= before.size())
                break;
            // Up raises the segment's middle: for a falling segment that is the other way round.
            const auto direction = before[i + 1].value >= before[i].value ? 1.0f : -1.0f;
            const auto change = (downAt.y - e.position.y) / curveHeight * 2.0f * (float) model::Point::maxShape * direction;
            auto p = before[i];
            p.shape = (std::int8_t) juce::jlimit (-model::Point::maxShape, model::Point::maxShape, (int) before[i].shape + juce::roundToInt (change));
            if (const auto* now = laneFindPoint (shown.points.points, bendTick); now != nullptr && ! (*now == p))
                context.perform (model::action::SetPoint { laneId, p });
            showReadout ("Shape " + juce::String ((int) p.shape), e.position);
            break;
        }
        case Drag::none:
            break;
    }
}

void AutomationLaneView::mouseUp (const juce::MouseEvent& e)
{
    const auto was = std::exchange (drag, Drag::none);
    gesture.end();
    if (was == Drag::box)
    {
        repaint (box.getSmallestIntegerContainer().expanded (2));
        box = {};
        return;
    }
    if (was != Drag::pending || dragged || findLane() == nullptr)
        return;

    // A click on empty space: a new point there, on the grid, its value from the height.
    const auto tick = snap.snap (axis.tickAt (e.position.x - (float) headerWidth));
    model::Point p { tick, valueForY (e.position.y), model::CurveType::linear, 0 };
    const auto& points = shown.points.points;
    if (const auto* existing = laneFindPoint (points, tick))
    {
        p.curve = existing->curve;
        p.shape = existing->shape;
    }
    else if (const auto i = laneFirstPointAtOrAfter (points, (double) tick); i > 0)
    {
        p.curve = points[i - 1].curve; // the segment it splits keeps its kind on both sides
    }
    if (context.perform (model::action::SetPoint { laneId, p }).ok())
    {
        addedByLastClick = tick;
        setSelectedPoints ({ tick });
    }
}

void AutomationLaneView::mouseDoubleClick (const juce::MouseEvent& e)
{
    if (e.mods.isPopupMenu())
        return;
    const auto* p = pointAt (e.position);
    // The first click of a double-click on empty space made this point: keep it.
    if (p == nullptr || (addedByLastClick && *addedByLastClick == p->tick))
        return;
    const auto tick = p->tick;
    if (context.perform (model::action::DeletePoint { laneId, tick }).ok())
    {
        selected.erase (tick);
        showReadout ({}, {});
    }
}

bool AutomationLaneView::keyPressed (const juce::KeyPress& key)
{
    if (key == juce::KeyPress::deleteKey || key == juce::KeyPress::backspaceKey)
    {
        if (selected.empty())
            return false;
        deleteSelectedPoints();
        return true;
    }
    if (key == juce::KeyPress ('a', juce::ModifierKeys::commandModifier, 0))
    {
        std::set<model::Tick> all;
        for (const auto& p : shown.points.points)
            all.insert (p.tick);
        setSelectedPoints (std::move (all));
        return true;
    }
    if (key == juce::KeyPress::escapeKey && ! selected.empty())
    {
        setSelectedPoints ({});
        return true;
    }
    return false;
}

} // namespace imbolc::gui
