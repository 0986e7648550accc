namespace imbolc::gui
{

PianoRollView::PianoRollView (GuiContext& c)
    : SessionView (c)
    , grid (std::make_unique<Grid> (*this))
    , keyboard (std::make_unique<Keyboard> (*this))
    , lane (std::make_unique<VelocityLane> (*this))
    , ruler (c, axis, snap)
{
    setComponentID ("PianoRoll");
    for (auto* child : std::initializer_list<juce::Component*> { grid.get(), keyboard.get(), lane.get(), &ruler, &hScroll, &vScroll, &title })
        addAndMakeVisible (child);
    laneViewport.setComponentID ("pianoRoll.lanes");
    laneViewport.setViewedComponent (&laneHolder, false);
    laneViewport.setScrollBarsShown (true, false);
    addChildComponent (laneViewport);

    title.setComponentID ("pianoRoll.title");
    title.setFont (juce::Font (13.0f, juce::Font::bold));
    title.setColour (juce::Label::textColourId, LookAndFeel::Palette::text);

    snapBox.setComponentID ("pianoRoll.snap");
    snapBox.setTooltip ("The grid notes snap to");
    const auto choices = SnapGrid::choices();
    for (int i = 0; i < (int) choices.size(); ++i)
        snapBox.addItem ("Snap " + choices[(std::size_t) i].getName(), i + 1);
    snapBox.onChange = [this]
    {
        const auto all = SnapGrid::choices();
        const auto index = snapBox.getSelectedItemIndex();
        if (index >= 0 && index < (int) all.size())
            setSnap (all[(std::size_t) index]);
    };
    addAndMakeVisible (snapBox);

    const auto setUpToggle = [this] (juce::TextButton& b, const char* id, const char* tip, std::function<void (bool)> onToggle)
    {
        b.setComponentID (id);
        b.setTooltip (tip);
        b.setClickingTogglesState (true);
        b.onClick = [&b, onToggle] { onToggle (b.getToggleState()); };
        addAndMakeVisible (b);
    };
    quantizeButton.setComponentID ("pianoRoll.quantize");
    quantizeButton.setTooltip ("Snaps the selected notes' starts to the grid (Q)");
    quantizeButton.onClick = [this] { quantizeSelection(); };
    addAndMakeVisible (quantizeButton);
    setUpToggle (lengthButton, "pianoRoll.quantizeLength", "Quantize snaps lengths too", [this] (bool on) { setQuantizesLength (on); });
    setUpToggle (drawButton, "pianoRoll.draw", "Draw mode: a click draws a note (B)", [this] (bool on) { setDrawMode (on); });
    setUpToggle (ghostButton, "pianoRoll.ghosts", "Shows the other instruments' notes, dimmed", [this] (bool on) { setShowsGhostNotes (on); });
    setUpToggle (followButton, "pianoRoll.follow", "Keeps the play head in view while playing (F)", [this] (bool on) { setFollowsPlayhead (on); });
    setUpToggle (laneButton, "pianoRoll.laneMode", "The lane below edits velocity, or probability when on", [this] (bool on) { setLaneShowsProbability (on); });
    followButton.setToggleState (followPlayhead, juce::dontSendNotification);

    hScroll.setComponentID ("pianoRoll.hscroll");
    vScroll.setComponentID ("pianoRoll.vscroll");
    hScroll.setAutoHide (false);
    vScroll.setAutoHide (false);
    hScroll.addListener (this);
    vScroll.addListener (this);

    context.meters.addListener (this);
    context.selection.addListener (this);
    setSnap (snap);
    setWantsKeyboardFocus (true);
    selectionChanged();
}

PianoRollView::~PianoRollView()
{
    context.meters.removeListener (this);
    context.selection.removeListener (this);
}

//==============================================================================
void PianoRollView::setSubject (Subject s)
{
    if (s == subject)
        return;
    subject = s;
    selected.clear();
    refreshCaches();
    centreOnSubject();
    updateHeader();
    ruler.setSongOffset (subjectOffset());
    rebuildLanes();
    axisChanged();
}

void PianoRollView::rebuildLanes()
{
    std::vector<model::LaneId> wanted;
    for (const auto& l : context.getSession().automation)
        if (l.target.kind == model::AutomationTargetKind::parameter && l.target.param.node == model::NodeKind::instrument
            && l.target.param.nodeId == subject.instrument.value)
            wanted.push_back (l.id);
    std::vector<model::LaneId> have;
    for (const auto& v : laneViews)
        have.push_back (v->getLane());
    if (wanted == have)
        return;
    std::vector<std::unique_ptr<AutomationLaneView>> next;
    for (auto id : wanted)
    {
        auto it = std::find_if (laneViews.begin(), laneViews.end(), [id] (const auto& v) { return v->getLane() == id; });
        if (it != laneViews.end())
            next.push_back (std::move (*it));
        else
        {
            auto view = std::make_unique<AutomationLaneView> (context, axis, snap, id);
            // Its curve starts where the grid does: the header is as wide as the keyboard.
            view->setHeaderWidth (keyboardWidth);
            laneHolder.addAndMakeVisible (*view);
            next.push_back (std::move (view));
        }
    }
    laneViews = std::move (next);
    resized();
}

std::vector<AutomationLaneView*> PianoRollView::getLaneViews() const
{
    std::vector<AutomationLaneView*> out;
    for (const auto& v : laneViews)
        out.push_back (v.get());
    return out;
}

void PianoRollView::centreOnSubject()
{
    // Before the first layout there is nothing to centre in: resized() does it then.
    if (grid->getHeight() <= 0)
        return;
    centred = true;
    const auto* notes = getNotes();
    if (notes == nullptr || notes->empty())
    {
        scrollToPitch (60); // an empty track opens on middle C, where most parts begin
        return;
    }
    // A newly opened subject shows its first notes.
    const auto& first = notes->front();
    if (axis.xForTick ((double) first.tick) < 0.0f || axis.xForTick ((double) first.tick) > (float) grid->getWidth())
        axis.scrollTo ((double) snap.snapDown (first.tick));
    if (yForPitch (first.pitch) < 0.0f || yForPitch (first.pitch) + rowHeight > (float) grid->getHeight())
        scrollToPitch (first.pitch);
}

void PianoRollView::setFollowsSelection (bool shouldFollow)
{
    followSelection = shouldFollow;
    if (followSelection)
        selectionChanged();
}

void PianoRollView::selectionChanged()
{
    const auto id = context.selection.getInstrument();
    if (followSelection && id != subject.instrument)
        setSubject ({ id, {}, {} });
}

const std::vector<model::Note>* PianoRollView::getNotes() const
{
    const auto& session = context.getSession();
    if (subject.clip.isValid())
    {
        const auto* clip = session.arrangement.clips.find (subject.clip);
        return clip != nullptr ? &clip->notes : nullptr;
    }
    const auto* track = session.pianoRoll.find (subject.instrument);
    return track != nullptr ? &track->notes : nullptr;
}

const model::Note* PianoRollView::findNote (model::NoteId id) const
{
    for (const auto& n : shown)
        if (n.id == id)
            return &n;
    return nullptr;
}

model::Tick PianoRollView::subjectOffset() const
{
    if (const auto* p = context.getSession().arrangement.placements.find (subject.placement))
        return p->start;
    return 0;
}

model::Tick PianoRollView::subjectLength() const
{
    if (subject.clip.isValid())
        if (const auto* clip = context.getSession().arrangement.clips.find (subject.clip))
            return clip->length;
    model::Tick end = 0;
    for (const auto& n : shown)
        end = std::max (end, n.tick + n.duration);
    return end;
}

void PianoRollView::refreshCaches()
{
    const auto* notes = getNotes();
    shown = notes != nullptr ? *notes : std::vector<model::Note> {};
    longestNote = longestOf (shown);
    // Notes that went away leave the selection.
    std::erase_if (selected, [this] (model::NoteId id) { return findNote (id) == nullptr; });
    collectGhosts();
}

void PianoRollView::collectGhosts()
{
    ghosts.clear();
    longestGhost = 0;
    if (! ghostNotes)
        return;
    const auto& session = context.getSession();
    if (! subject.clip.isValid())
    {
        for (const auto& track : session.pianoRoll)
            if (track.instrument != subject.instrument)
                ghosts.insert (ghosts.end(), track.notes.begin(), track.notes.end());
    }
    else if (const auto* here = session.arrangement.placements.find (subject.placement))
    {
        // The notes other instruments play while this placement plays, in the clip's time.
        const auto* clip = session.arrangement.clips.find (subject.clip);
        const auto length = clip != nullptr ? (here->length > 0 ? here->length : clip->length) : 0;
        for (const auto& p : session.arrangement.placements)
        {
            const auto* other = session.arrangement.clips.find (p.clip);
            if (other == nullptr || other->instrument == subject.instrument || other->length <= 0)
                continue;
            const auto otherLength = p.length > 0 ? p.length : other->length;
            for (model::Tick repeat = 0; repeat < otherLength; repeat += other->length)
                for (auto n : other->notes)
                {
                    n.tick += p.start + repeat - here->start;
                    if (n.tick >= 0 && n.tick < length && n.tick < p.start + otherLength - here->start)
                        ghosts.push_back (n);
                }
        }
    }
    std::sort (ghosts.begin(), ghosts.end(), model::noteOrder);
    longestGhost = longestOf (ghosts);
}

void PianoRollView::updateHeader()
{
    const auto& session = context.getSession();
    const auto* inst = session.instruments.find (subject.instrument);
    juce::String text;
    if (inst == nullptr)
        text = "No instrument selected";
    else if (subject.clip.isValid())
    {
        const auto* clip = session.arrangement.clips.find (subject.clip);
        text = "Clip \"" + juce::String (clip != nullptr ? clip->name : std::string ("?")) + "\" of " + juce::String (inst->name);
        if (session.arrangement.mode == model::PlayMode::pattern)
            text += " (plays in song mode)";
    }
    else
    {
        text = juce::String (inst->name) + ": track";
        if (session.arrangement.mode == model::PlayMode::song)
            text += " (plays in pattern mode)";
    }
    title.setText (text, juce::dontSendNotification);
}

//==============================================================================
model::ApplyResult PianoRollView::edit (model::action::EditNotes e)
{
    if (e.remove.empty() && e.change.empty() && e.add.empty())
        return {};
    return context.perform (e);
}

std::vector<model::Note> PianoRollView::selectedNotes() const
{
    std::vector<model::Note> out;
    for (const auto& n : shown)
        if (isSelected (n.id))
            out.push_back (n);
    return out;
}

bool PianoRollView::isSelected (model::NoteId id) const
{
    return containsId (selected, id);
}

void PianoRollView::setSelectedNotes (std::vector<model::NoteId> ids)
{
    sortIds (ids);
    if (ids == selected)
        return;
    // Repaint the notes whose look changes: those leaving and those joining the selection.
    std::vector<model::NoteId> changed;
    std::set_symmetric_difference (ids.begin(), ids.end(), selected.begin(), selected.end(), std::back_inserter (changed),
                                   [] (model::NoteId a, model::NoteId b) { return a.value < b.value; });
    selected = std::move (ids);
    for (auto id : changed)
        if (const auto* n = findNote (id))
        {
            grid->repaint (noteRect (*n).expanded (2.0f).getSmallestIntegerContainer());
            lane->repaintNote (*n);
        }
}

void PianoRollView::selectAll()
{
    std::vector<model::NoteId> all;
    for (const auto& n : shown)
        all.push_back (n.id);
    setSelectedNotes (std::move (all));
}

void PianoRollView::deleteSelection()
{
    auto e = newEdit();
    e.remove = selected;
    if (edit (e).ok())
        selected.clear();
}

void PianoRollView::duplicateSelection()
{
    const auto notes = selectedNotes();
    if (notes.empty())
        return;
    model::Tick start = notes.front().tick, end = 0;
    for (const auto& n : notes)
        end = std::max (end, n.tick + n.duration);
    // Right after the selection, on the grid.
    const auto step = snap.stepOrSixteenth();
    const auto offset = std::max<model::Tick> (step, ((end - start + step - 1) / step) * step);
    auto e = newEdit();
    for (auto n : notes)
    {
        n.tick += offset;
        e.add.push_back (n);
    }
    if (const auto r = edit (e); r.ok())
    {
        std::vector<model::NoteId> ids;
        for (std::uint32_t i = 0; i < (std::uint32_t) e.add.size(); ++i)
            ids.push_back (model::NoteId { r.createdId + i });
        setSelectedNotes (std::move (ids));
    }
}

void PianoRollView::copySelection()
{
    auto notes = selectedNotes();
    if (notes.empty())
        return;
    const auto start = notes.front().tick;
    for (auto& n : notes)
        n.tick -= start;
    noteClipboard() = std::move (notes);
}

void PianoRollView::cutSelection()
{
    copySelection();
    deleteSelection();
}

void PianoRollView::pasteAtPlayhead()
{
    const auto& clip = noteClipboard();
    if (clip.empty() || ! subject.instrument.isValid())
        return;
    const auto head = std::max<model::Tick> (0, (model::Tick) std::max (0.0, playhead) - subjectOffset());
    const auto at = snap.snapDown (head);
    auto e = newEdit();
    for (auto n : clip)
    {
        n.tick += at;
        e.add.push_back (n);
    }
    if (const auto r = edit (e); r.ok())
    {
        std::vector<model::NoteId> ids;
        for (std::uint32_t i = 0; i < (std::uint32_t) e.add.size(); ++i)
            ids.push_back (model::NoteId { r.createdId + i });
        setSelectedNotes (std::move (ids));
    }
}

void PianoRollView::nudgeSelection (int steps, bool byBars)
{
    const auto unit = byBars ? BarGrid::of (context.getSession().settings).bar : snap.stepOrSixteenth();
    auto notes = selectedNotes();
    if (notes.empty())
        return;
    auto delta = unit * steps;
    // Never before tick 0: the whole selection stops at the start together, keeping its shape.
    delta = std::max (delta, -notes.front().tick);
    if (delta == 0)
        return;
    auto e = newEdit();
    for (auto& n : notes)
    {
        n.tick += delta;
        e.change.push_back (n);
    }
    edit (e);
}

void PianoRollView::transposeSelection (int semitones)
{
    auto notes = selectedNotes();
    if (notes.empty())
        return;
    int lowest = 127, highest = 0;
    for (const auto& n : notes)
    {
        lowest = std::min (lowest, (int) n.pitch);
        highest = std::max (highest, (int) n.pitch);
    }
    // Keep the chord's shape: the selection stops together at the keyboard's ends.
    semitones = juce::jlimit (-lowest, 127 - highest, semitones);
    if (semitones == 0)
        return;
    auto e = newEdit();
    for (auto& n : notes)
    {
        n.pitch = (std::uint8_t) ((int) n.pitch + semitones);
        e.change.push_back (n);
    }
    edit (e);
}

void PianoRollView::quantizeSelection()
{
    if (snap.isOff())
    {
        context.showMessage ("Quantize needs a grid: choose one in the snap menu.");
        return;
    }
    auto notes = selected.empty() ? shown : selectedNotes();
    auto e = newEdit();
    for (auto n : notes)
    {
        const auto was = n;
        n.tick = snap.snap (n.tick);
        if (quantizeLength)
            n.duration = std::max (snap.step(), snap.snap (n.duration));
        if (! (n == was))
            e.change.push_back (n);
    }
    edit (e);
}

//==============================================================================
void PianoRollView::setSnap (SnapGrid s)
{
    snap = s;
    const auto all = SnapGrid::choices();
    for (int i = 0; i < (int) all.size(); ++i)
        if (all[(std::size_t) i] == snap)
            snapBox.setSelectedItemIndex (i, juce::dontSendNotification);
    if (! snap.isOff())
        newNoteLength = snap.step();
    grid->repaint();
}

void PianoRollView::setQuantizesLength (bool on)
{
    quantizeLength = on;
    lengthButton.setToggleState (on, juce::dontSendNotification);
}

void PianoRollView::setDrawMode (bool on)
{
    drawMode = on;
    drawButton.setToggleState (on, juce::dontSendNotification);
}

void PianoRollView::setShowsGhostNotes (bool on)
{
    ghostNotes = on;
    ghostButton.setToggleState (on, juce::dontSendNotification);
    collectGhosts();
    grid->repaint();
}

void PianoRollView::setFollowsPlayhead (bool on)
{
    followPlayhead = on;
    followButton.setToggleState (on, juce::dontSendNotification);
}

void PianoRollView::setLaneShowsProbability (bool on)
{
    laneProbability = on;
    laneButton.setToggleState (on, juce::dontSendNotification);
    laneButton.setButtonText (on ? "Probability" : "Velocity");
    lane->repaint();
}

void PianoRollView::setCullingEnabled (bool shouldCull)
{
    culling = shouldCull;
    grid->repaint();
}

void PianoRollView::zoomTime (double factor, float gridX)
{
    axis.zoomAround (gridX < 0.0f ? grid->getWidth() / 2.0 : (double) gridX, factor);
    axisChanged();
}

void PianoRollView::zoomPitch (float factor)
{
    const auto middle = (float) topPitch - (float) grid->getHeight() / rowHeight / 2.0f;
    rowHeight = juce::jlimit (4.0f, 40.0f, rowHeight * factor);
    scrollToPitch (juce::roundToInt (middle));
}

void PianoRollView::scrollToTick (double tick)
{
    axis.scrollTo (tick);
    axisChanged();
}

void PianoRollView::scrollToPitch (int pitch)
{
    const auto rows = grid->getHeight() > 0 ? (int) ((float) grid->getHeight() / rowHeight) : 40;
    topPitch = juce::jlimit (std::min (127, rows - 1), 127, pitch + rows / 2);
    updateScrollBars();
    grid->repaint();
    keyboard->repaint();
}

void PianoRollView::scrollPitchBy (int rows)
{
    topPitch = juce::jlimit (std::min (127, (int) ((float) grid->getHeight() / rowHeight) - 1), 127, topPitch + rows);
    updateScrollBars();
    grid->repaint();
    keyboard->repaint();
}

void PianoRollView::axisChanged()
{
    updateScrollBars();
    ruler.axisChanged();
    grid->repaint();
    lane->repaint();
    for (auto& v : laneViews)
        v->axisChanged();
}

void PianoRollView::updateScrollBars()
{
    const auto visibleTicks = grid->getWidth() / axis.pixelsPerTick;
    const auto total = std::max ({ (double) subjectLength() + 4.0 * model::ticksPerBeat * 4, axis.startTick + visibleTicks, visibleTicks });
    hScroll.setRangeLimits (0.0, total, juce::dontSendNotification);
    hScroll.setCurrentRange (axis.startTick, visibleTicks, juce::dontSendNotification);
    const auto rows = (double) grid->getHeight() / rowHeight;
    vScroll.setRangeLimits (0.0, 128.0, juce::dontSendNotification);
    vScroll.setCurrentRange (127.0 - topPitch, rows, juce::dontSendNotification);
}

void PianoRollView::scrollBarMoved (juce::ScrollBar* bar, double start)
{
    if (bar == &hScroll)
    {
        axis.scrollTo (start);
        ruler.axisChanged();
        grid->repaint();
        lane->repaint();
        for (auto& v : laneViews)
            v->axisChanged();
    }
    else
    {
        topPitch = juce::jlimit (0, 127, 127 - juce::roundToInt (start));
        grid->repaint();
        keyboard->repaint();
    }
}

//==============================================================================
juce::Rectangle<int> PianoRollView::gridArea() const
{
    return grid->getBounds();
}

int PianoRollView::pitchAt (float y) const noexcept
{
    return juce::jlimit (0, 127, topPitch - (int) std::floor (y / rowHeight));
}

juce::Rectangle<float> PianoRollView::noteRect (const model::Note& n) const noexcept
{
    const auto x1 = axis.xForTick ((double) n.tick), x2 = axis.xForTick ((double) (n.tick + n.duration));
    return { x1, yForPitch (n.pitch), std::max (2.0f, x2 - x1), rowHeight };
}

std::pair<std::size_t, std::size_t> PianoRollView::visibleRange (const std::vector<model::Note>& notes, double fromTick, double toTick) const
{
    if (! culling)
        return { 0, notes.size() };
    const auto longest = &notes == &shown ? longestNote : longestGhost;
    const auto earliest = fromTick - (double) longest;
    const auto first = std::lower_bound (notes.begin(), notes.end(), earliest, [] (const model::Note& n, double t)
                                         { return (double) n.tick < t; });
    const auto last = std::lower_bound (first, notes.end(), toTick, [] (const model::Note& n, double t)
                                        { return (double) n.tick < t; });
    return { (std::size_t) (first - notes.begin()), (std::size_t) (last - notes.begin()) };
}

juce::Rectangle<int> PianoRollView::getNoteBounds (model::NoteId id) const
{
    const auto* n = findNote (id);
    if (n == nullptr)
        return {};
    const auto r = noteRect (*n).getSmallestIntegerContainer() + grid->getPosition();
    return r.getIntersection (grid->getBounds());
}

juce::Point<int> PianoRollView::pointFor (double tick, int pitch) const
{
    return juce::Point<float> (axis.xForTick (tick), yForPitch (pitch) + rowHeight / 2.0f).roundToInt() + grid->getPosition();
}

juce::Rectangle<int> PianoRollView::getVelocityBarBounds (model::NoteId id) const
{
    const auto* n = findNote (id);
    if (n == nullptr)
        return {};
    return lane->barFor (*n).getSmallestIntegerContainer() + lane->getPosition();
}

juce::Component& PianoRollView::getGrid() noexcept { return *grid; }
juce::Component& PianoRollView::getKeyboard() noexcept { return *keyboard; }
juce::Component& PianoRollView::getVelocityLane() noexcept { return *lane; }

//==============================================================================
void PianoRollView::resized()
{
    auto r = getLocalBounds();
    auto bar = r.removeFromTop (toolbarHeight).reduced (4, 3);
    title.setBounds (bar.removeFromLeft (std::min (320, bar.getWidth() / 3)));
    snapBox.setBounds (bar.removeFromLeft (110));
    bar.removeFromLeft (4);
    for (auto* b : { &quantizeButton, &lengthButton, &drawButton, &ghostButton, &followButton, &laneButton })
    {
        b->setBounds (bar.removeFromLeft (b == &laneButton ? 92 : 72));
        bar.removeFromLeft (2);
    }

    constexpr int scrollSize = 12;
    auto rulerRow = r.removeFromTop (TimeRuler::preferredHeight);
    rulerRow.removeFromLeft (keyboardWidth);
    rulerRow.removeFromRight (scrollSize);
    ruler.setBounds (rulerRow);

    auto bottom = r.removeFromBottom (scrollSize);
    bottom.removeFromLeft (keyboardWidth);
    bottom.removeFromRight (scrollSize);
    hScroll.setBounds (bottom);

    // Automation lanes under the velocity lane: up to a quarter of the view, scrolling beyond.
    laneViewport.setVisible (! laneViews.empty());
    if (! laneViews.empty())
    {
        auto lanesRow = r.removeFromBottom (std::min ((int) laneViews.size() * automationLaneHeight, r.getHeight() / 4));
        lanesRow.removeFromRight (scrollSize);
        laneViewport.setBounds (lanesRow);
        const auto needsBar = (int) laneViews.size() * automationLaneHeight > lanesRow.getHeight();
        const auto width = lanesRow.getWidth() - (needsBar ? laneViewport.getScrollBarThickness() : 0);
        laneHolder.setSize (width, (int) laneViews.size() * automationLaneHeight);
        for (std::size_t i = 0; i < laneViews.size(); ++i)
            laneViews[i]->setBounds (0, (int) i * automationLaneHeight, width, automationLaneHeight);
    }
    // A short view gives the notes the room first.
    auto laneRow = r.removeFromBottom (juce::jlimit (36, velocityLaneHeight, r.getHeight() / 4));
    laneRow.removeFromRight (scrollSize);
    lane->setBounds (laneRow);

    vScroll.setBounds (r.removeFromRight (scrollSize));
    keyboard->setBounds (r.removeFromLeft (keyboardWidth));
    grid->setBounds (r);
    // Keep the rows on screen after a resize.
    topPitch = juce::jlimit (std::min (127, (int) ((float) grid->getHeight() / rowHeight) - 1), 127, topPitch);
    if (! centred)
        centreOnSubject();
    updateScrollBars();
}

void PianoRollView::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
}

bool PianoRollView::keyPressed (const juce::KeyPress& key)
{
    const auto mods = key.getModifiers();
    const auto code = key.getKeyCode();
    const bool cmd = mods.isCommandDown();
    if (code == juce::KeyPress::deleteKey || code == juce::KeyPress::backspaceKey)
    {
        // Nothing selected: let the window have the key (it deletes the selected instrument).
        if (selected.empty())
            return false;
        deleteSelection();
        return true;
    }
    if (cmd && (code == 'A' || code == 'a'))
        return selectAll(), true;
    if (cmd && (code == 'D' || code == 'd'))
    {
        if (selected.empty())
            return false;
        duplicateSelection();
        return true;
    }
    if (cmd && (code == 'C' || code == 'c'))
        return copySelection(), true;
    if (cmd && (code == 'X' || code == 'x'))
        return cutSelection(), true;
    if (cmd && (code == 'V' || code == 'v'))
        return pasteAtPlayhead(), true;
    if (code == juce::KeyPress::leftKey || code == juce::KeyPress::rightKey)
        return nudgeSelection (code == juce::KeyPress::leftKey ? -1 : 1, mods.isShiftDown()), true;
    if (code == juce::KeyPress::upKey || code == juce::KeyPress::downKey)
        return transposeSelection ((code == juce::KeyPress::upKey ? 1 : -1) * (mods.isShiftDown() ? 12 : 1)), true;
    if (cmd)
        return false;
    const auto c = key.getTextCharacter();
    if (c == 'q' || c == 'Q')
        return quantizeSelection(), true;
    if (c == 'b' || c == 'B')
        return setDrawMode (! drawMode), true;
    if (c == 'f' || c == 'F')
        return setFollowsPlayhead (! followPlayhead), true;
    if (c == '+' || c == '=')
        return (mods.isAltDown() ? zoomPitch (1.2f) : zoomTime (1.25)), true;
    if (c == '-' || c == '_')
        return (mods.isAltDown() ? zoomPitch (1.0f / 1.2f) : zoomTime (0.8)), true;
    return false;
}

//==============================================================================
void PianoRollView::sessionChanged (const app::SessionChange& change)
{
    if (change.everything || change.items.automationStructural)
        rebuildLanes();
    if (change.everything || change.items.instrumentsStructural || change.items.instruments.count (subject.instrument) != 0
        || change.items.arrangement || change.items.settings)
    {
        updateHeader();
        ruler.setSongOffset (subjectOffset());
    }

    const bool subjectGone = ! context.getSession().instruments.contains (subject.instrument)
                             || (subject.clip.isValid() && ! context.getSession().arrangement.clips.contains (subject.clip));
    if (subjectGone && subject.instrument.isValid())
    {
        setSubject (followSelection ? Subject { context.selection.getInstrument(), {}, {} } : Subject {});
        return;
    }

    const bool mine = subject.clip.isValid() ? (change.everything || change.items.arrangement)
                                             : (change.everything || change.items.pianoRollStructural || change.touchesTrack (subject.instrument));
    const bool ghostsChanged = ghostNotes && (change.everything || change.items.pianoRollStructural || ! change.items.tracks.empty()
                                              || ! change.items.noteOps.empty() || change.items.arrangement);
    if (! mine && ! ghostsChanged)
        return;

    // Only the notes an operation touched repaint, where they were and where they are; anything
    // bigger (a whole track, a clip, ghosts) repaints the grid.
    const bool onlyOps = mine && ! subject.clip.isValid() && ! change.everything && ! change.items.pianoRollStructural
                         && change.items.tracks.count (subject.instrument) == 0 && ! ghostsChanged;
    if (onlyOps)
    {
        std::vector<juce::Rectangle<float>> dirty;
        for (const auto& op : change.items.noteOps)
            if (op.instrument == subject.instrument)
            {
                if (const auto* before = findNote (op.note.id))
                    dirty.push_back (noteRect (*before));
                dirty.push_back (noteRect (op.note));
            }
        refreshCaches();
        for (const auto& r : dirty)
        {
            grid->repaint (r.expanded (2.0f).getSmallestIntegerContainer());
            lane->repaintColumn (r.getX(), r.getRight());
        }
        return;
    }
    refreshCaches();
    grid->repaint();
    lane->repaint();
    updateScrollBars();
}

void PianoRollView::metersUpdated (const MeterFrame& frame)
{
    const auto offset = subjectOffset();
    auto tick = (double) frame.metering.playhead - (double) offset;
    if (subject.clip.isValid())
    {
        // Inside the placement, where the clip repeats: the head is in the clip's own time.
        const auto* clip = context.getSession().arrangement.clips.find (subject.clip);
        const auto* placement = context.getSession().arrangement.placements.find (subject.placement);
        if (clip == nullptr || placement == nullptr || clip->length <= 0 || tick < 0.0
            || tick >= (double) (placement->length > 0 ? placement->length : clip->length))
            tick = -1.0;
        else
            tick = std::fmod (tick, (double) clip->length);
    }
    if (tick == playhead)
        return;
    const auto old = playhead;
    playhead = tick;

    if (followPlayhead && frame.metering.playing && tick >= 0.0 && grid->getWidth() > 0)
    {
        // Page when the head leaves the view, as a reader turns a page: the notes stay still while read.
        const auto x = axis.xForTick (tick);
        if (x < 0.0f || x > (float) grid->getWidth() * 0.95f)
        {
            axis.scrollTo (tick, grid->getWidth() * 0.05);
            axisChanged();
            return;
        }
    }
    for (auto t : { old, tick })
        if (t >= 0.0)
            grid->repaint (juce::Rectangle<int> ((int) axis.xForTick (t) - 2, 0, 5, grid->getHeight()));
}

} // namespace imbolc::gui
