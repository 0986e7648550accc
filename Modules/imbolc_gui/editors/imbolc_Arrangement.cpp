namespace imbolc::gui
{

namespace
{
    juce::String arrangementStageName (const model::Stage& s)
    {
        switch (s.kind)
        {
            case model::StageKind::filter:
                return paramtext::displayName (model::toString (s.filter)) + " filter";
            case model::StageKind::eq:
                return "EQ";
            case model::StageKind::effect:
                if (s.effect == model::EffectType::plugin)
                    return s.plugin.name.empty() ? juce::String ("Plugin") : juce::String (s.plugin.name);
                return paramtext::displayName (model::toString (s.effect));
        }
        return "Stage";
    }

    constexpr double arrangementZoomStep = 1.5;
} // namespace

//==============================================================================
ArrangementView::ArrangementView (GuiContext& c)
    : SessionView (c), ruler (c, axis, snap), audioFiles ([this]
                                                          {
                                                             if (tracks != nullptr)
                                                                 tracks->repaint(); })
{
    setComponentID ("Arrangement");
    setOpaque (true);
    setWantsKeyboardFocus (true);
    axis.pixelsPerTick = 16.0 / model::ticksPerBeat; // a bar of 4/4 is 64 pixels: a song's overview

    using Palette = LookAndFeel::Palette;
    patternButton.setComponentID ("ModePattern");
    songButton.setComponentID ("ModeSong");
    patternButton.setTooltip ("Pattern mode: each instrument's piano-roll track loops");
    songButton.setTooltip ("Song mode: the arrangement plays, clip by clip");
    for (auto* b : { &patternButton, &songButton })
    {
        // They show the session's mode; a click asks for the change.
        b->setClickingTogglesState (false);
        b->setWantsKeyboardFocus (false);
        b->setConnectedEdges (b == &patternButton ? juce::Button::ConnectedOnRight : juce::Button::ConnectedOnLeft);
        addAndMakeVisible (*b);
    }
    patternButton.onClick = [this]
    { context.perform (model::action::SetPlayMode { model::PlayMode::pattern }); };
    songButton.onClick = [this]
    { context.perform (model::action::SetPlayMode { model::PlayMode::song }); };

    snapBox.setComponentID ("Snap");
    snapBox.setTooltip ("The grid placements and points snap to");
    const auto choices = SnapGrid::choices();
    for (std::size_t i = 0; i < choices.size(); ++i)
    {
        snapBox.addItem (choices[i].getName(), (int) i + 1);
        if (choices[i] == snap)
            snapBox.setSelectedId ((int) i + 1, juce::dontSendNotification);
    }
    snapBox.onChange = [this]
    {
        const auto all = SnapGrid::choices();
        if (const auto i = snapBox.getSelectedId() - 1; i >= 0 && i < (int) all.size())
            setSnap (all[(std::size_t) i]);
    };
    snapBox.setWantsKeyboardFocus (false);
    addAndMakeVisible (snapBox);

    zoomOutButton.setComponentID ("ZoomOut");
    zoomInButton.setComponentID ("ZoomIn");
    zoomOutButton.setTooltip ("Zoom out (-, or Ctrl+wheel)");
    zoomInButton.setTooltip ("Zoom in (+, or Ctrl+wheel)");
    zoomOutButton.setConnectedEdges (juce::Button::ConnectedOnRight);
    zoomInButton.setConnectedEdges (juce::Button::ConnectedOnLeft);
    zoomOutButton.onClick = [this]
    { zoomBy (1.0 / arrangementZoomStep); };
    zoomInButton.onClick = [this]
    { zoomBy (arrangementZoomStep); };

    followButton.setComponentID ("Follow");
    followButton.setTooltip ("Follow the play head: turn the page when it reaches the edge");
    followButton.setClickingTogglesState (true);
    followButton.onClick = [this]
    { setFollowPlayhead (followButton.getToggleState()); };

    addLaneButton.setComponentID ("AddLane");
    addLaneButton.setTooltip ("Adds an automation lane: tempo, swing, or a parameter of the selected instrument");
    addLaneButton.onClick = [this]
    {
        getAddLaneMenu().showMenuAsync (juce::PopupMenu::Options().withTargetComponent (&addLaneButton),
                                        [safe = juce::Component::SafePointer<ArrangementView> (this)] (int chosen)
                                        {
                                            if (safe != nullptr)
                                                safe->addLaneMenuItemChosen (chosen);
                                        });
    };
    for (auto* b : { &zoomOutButton, &zoomInButton, &followButton, &addLaneButton })
    {
        b->setWantsKeyboardFocus (false);
        addAndMakeVisible (*b);
    }

    patternNote.setComponentID ("PatternNote");
    patternNote.setText ("Pattern mode: the piano-roll tracks loop; switch to Song to play the arrangement", juce::dontSendNotification);
    patternNote.setFont (juce::Font (13.0f));
    patternNote.setColour (juce::Label::textColourId, Palette::background);
    patternNote.setColour (juce::Label::backgroundColourId, Palette::mute);
    patternNote.setBorderSize ({ 1, 10, 1, 10 });
    addChildComponent (patternNote);

    addAndMakeVisible (ruler);

    headers = std::make_unique<TrackHeaders> (*this);
    tracks = std::make_unique<TrackArea> (*this);
    lanesCaption.setText ("Automation", juce::dontSendNotification);
    lanesCaption.setFont (juce::Font (12.0f, juce::Font::bold));
    lanesCaption.setColour (juce::Label::textColourId, Palette::textDim);
    lanesCaption.setColour (juce::Label::backgroundColourId, Palette::panel);
    lanesCaption.setBorderSize ({ 1, 10, 1, 10 });
    lanesCaption.setInterceptsMouseClicks (false, false);
    content.addAndMakeVisible (*headers);
    content.addAndMakeVisible (*tracks);
    content.addAndMakeVisible (lanesCaption);
    body.addAndMakeVisible (content);
    addAndMakeVisible (body);

    timeScroll.setComponentID ("TimeScroll");
    trackScroll.setComponentID ("TrackScroll");
    for (auto* bar : { &timeScroll, &trackScroll })
    {
        bar->setAutoHide (false);
        bar->addListener (this);
        addAndMakeVisible (*bar);
    }

    shownInstrument = context.selection.getInstrument();
    shownChainSubject = context.selection.getChainSubject();
    shownBars = BarGrid::of (context.getSession().settings);
    rebuildRows();
    syncLanes();
    refreshToolbar();
    patternNote.setVisible (shownMode == model::PlayMode::pattern);
    context.selection.addListener (this);
    context.meters.addListener (this);
}

ArrangementView::~ArrangementView()
{
    context.meters.removeListener (this);
    context.selection.removeListener (this);
    lanes.clear();
}

juce::Component& ArrangementView::getTrackArea() noexcept { return *tracks; }
juce::Component& ArrangementView::getTrackHeaders() noexcept { return *headers; }
int ArrangementView::getTrackAreaPaintCount() const noexcept { return tracks->paintCount; }

model::Tick ArrangementView::barTicks() const
{
    return BarGrid::of (context.getSession().settings).bar;
}

model::Tick ArrangementView::placementLength (const model::Placement& p) const
{
    if (p.length > 0)
        return p.length;
    const auto* clip = context.getSession().arrangement.clips.find (p.clip);
    return clip != nullptr ? clip->length : 0;
}

//==============================================================================
std::vector<ArrangementView::Row> ArrangementView::makeRows() const
{
    const auto& session = context.getSession();
    std::vector<Row> out;
    out.reserve (session.instruments.size());
    std::unordered_map<model::InstrumentId, std::size_t> index;
    for (const auto& inst : session.instruments)
    {
        index[inst.id] = out.size();
        out.push_back ({ inst.id, juce::String (inst.name), {}, {}, false, {} });
        if (inst.source.kind == model::SourceKind::audioClips)
        {
            out.back().audioTrack = true;
            out.back().audioClips = inst.source.clips;
        }
    }
    for (const auto& clip : session.arrangement.clips)
        if (const auto it = index.find (clip.instrument); it != index.end())
        {
            ClipShown shown { clip };
            if (! clip.notes.empty())
            {
                shown.lowPitch = 127;
                shown.highPitch = 0;
                for (const auto& n : clip.notes)
                {
                    shown.lowPitch = std::min (shown.lowPitch, (int) n.pitch);
                    shown.highPitch = std::max (shown.highPitch, (int) n.pitch);
                    shown.longestNote = std::max (shown.longestNote, n.duration);
                }
            }
            out[it->second].clips.emplace (clip.id, std::move (shown));
        }
    for (const auto& p : session.arrangement.placements)
        if (const auto* clip = session.arrangement.clips.find (p.clip))
            if (const auto it = index.find (clip->instrument); it != index.end())
                out[it->second].placements.push_back (p);
    for (auto& row : out)
        std::stable_sort (row.placements.begin(), row.placements.end(), [] (const model::Placement& a, const model::Placement& b)
                          { return a.start < b.start; });
    return out;
}

void ArrangementView::rebuildRows()
{
    rows = makeRows();
    openAudioFiles();
    rowIndex.clear();
    for (std::size_t i = 0; i < rows.size(); ++i)
        rowIndex[rows[i].instrument] = i;
    layoutContent();
    headers->repaint();
    tracks->repaint();
}

void ArrangementView::refreshRows()
{
    auto now = makeRows();
    if (now.size() != rows.size())
        return rebuildRows();
    for (std::size_t i = 0; i < rows.size(); ++i)
    {
        if (now[i] == rows[i])
            continue;
        // Only the tracks whose placements or clips changed repaint.
        const bool headerChanged = now[i].name != rows[i].name || now[i].placements.size() != rows[i].placements.size();
        rows[i] = std::move (now[i]);
        tracks->repaintRow (i);
        if (headerChanged)
            headers->repaintRow (i);
    }
    openAudioFiles();
    updateTimeScrollBar();
}

void ArrangementView::refreshNames()
{
    const auto& instruments = context.getSession().instruments;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (const auto* inst = instruments.find (rows[i].instrument); inst != nullptr && rows[i].name != juce::String (inst->name))
        {
            rows[i].name = juce::String (inst->name);
            headers->repaintRow (i);
        }
}

int ArrangementView::rowIndexOf (model::InstrumentId id) const
{
    const auto it = rowIndex.find (id);
    return it != rowIndex.end() ? (int) it->second : -1;
}

void ArrangementView::syncLanes()
{
    // Lanes that stay keep their view (and their selected points); new ones get one, gone ones lose it.
    std::unordered_map<model::LaneId, std::unique_ptr<AutomationLaneView>> old;
    for (auto& view : lanes)
        old[view->getLane()] = std::move (view);
    lanes.clear();
    for (const auto& lane : context.getSession().automation)
    {
        if (auto it = old.find (lane.id); it != old.end())
        {
            lanes.push_back (std::move (it->second));
            old.erase (it);
            continue;
        }
        auto view = std::make_unique<AutomationLaneView> (context, axis, snap, lane.id);
        view->setHeaderWidth (headerWidth);
        view->setCullsToVisibleRange (culls);
        content.addAndMakeVisible (*view);
        lanes.push_back (std::move (view));
    }
    old.clear();
    layoutContent();
}

AutomationLaneView* ArrangementView::findLaneView (model::LaneId id) const
{
    for (const auto& view : lanes)
        if (view->getLane() == id)
            return view.get();
    return nullptr;
}

std::vector<AutomationLaneView*> ArrangementView::getLaneViews() const
{
    std::vector<AutomationLaneView*> out;
    for (const auto& view : lanes)
        out.push_back (view.get());
    return out;
}

//==============================================================================
void ArrangementView::sessionChanged (const app::SessionChange& change)
{
    const auto& items = change.items;
    if (change.everything || items.instrumentsStructural)
        rebuildRows();
    else if (items.arrangement)
        refreshRows();
    else if (! items.instruments.empty())
    {
        refreshNames(); // a knob turn, a rename: only a name, or an audio track's clips, can have changed here
        refreshAudioRows (items.instruments);
    }
    if (change.everything || items.automationStructural)
        syncLanes();
    if (change.everything || items.arrangement)
    {
        refreshToolbar();
        // Placements that went (deleted here, or by another seat) leave the selection.
        const auto& placements = context.getSession().arrangement.placements;
        std::erase_if (selected, [&] (model::PlacementId id)
                       { return ! placements.contains (id); });
    }
    if (change.everything || items.settings)
    {
        // The bar lines follow the time signature; the tempo, swing and loop do not show here.
        if (const auto bars = BarGrid::of (context.getSession().settings); ! (bars == shownBars))
        {
            shownBars = bars;
            tracks->repaint();
        }
        // An audio clip's length in ticks follows the tempo.
        if (std::any_of (rows.begin(), rows.end(), [] (const Row& r)
                         { return ! r.audioClips.empty(); }))
            tracks->repaint();
        updateTimeScrollBar();
    }
}

void ArrangementView::refreshToolbar()
{
    const auto mode = context.getSession().arrangement.mode;
    patternButton.setToggleState (mode == model::PlayMode::pattern, juce::dontSendNotification);
    songButton.setToggleState (mode == model::PlayMode::song, juce::dontSendNotification);
    if (mode == shownMode)
        return;
    shownMode = mode;
    patternNote.setVisible (mode == model::PlayMode::pattern);
    resized();
    tracks->repaint(); // the clips dim in pattern mode
}

void ArrangementView::selectionChanged()
{
    const auto instrument = context.selection.getInstrument();
    const auto subject = context.selection.getChainSubject();
    if (instrument != shownInstrument)
    {
        for (auto id : { shownInstrument, instrument })
            if (const auto i = rowIndexOf (id); i >= 0)
                headers->repaintRow ((std::size_t) i);
        shownInstrument = instrument;
        shownChainSubject = subject;
        return;
    }
    if (! (subject == shownChainSubject))
    {
        shownChainSubject = subject;
        return;
    }
    // Neither the instrument nor the chain changed: a lane was asked for (perhaps again).
    if (context.selection.getLane().isValid())
        showLane (context.selection.getLane());
}

void ArrangementView::showLane (model::LaneId id)
{
    auto* view = findLaneView (id);
    if (view == nullptr)
        return;
    const auto b = view->getBounds();
    if (b.getY() < scrollY || b.getBottom() > scrollY + body.getHeight())
        scrollTracksTo (b.getY() - lanesCaptionHeight);
}

void ArrangementView::metersUpdated (const MeterFrame& frame)
{
    const auto tick = (double) frame.metering.playhead;
    if (tick != playhead)
    {
        const auto old = std::exchange (playhead, tick);
        tracks->repaintPlayhead (old);
        tracks->repaintPlayhead (tick);
    }
    if (! follow || ! frame.metering.playing || tracks->getWidth() <= 0)
        return;
    // Page turns, not a scroll every frame: the view stays still to read between them.
    const auto x = axis.xForTick (tick);
    if (x < 0.0f || x > (float) tracks->getWidth() - 16.0f)
    {
        axis.scrollTo (tick, 16.0);
        axisChanged();
    }
}

//==============================================================================
void ArrangementView::setAxis (const TimeAxis& a)
{
    if (a == axis)
        return;
    axis = a;
    axisChanged();
}

void ArrangementView::zoomBy (double factor)
{
    const auto width = (double) tracks->getWidth();
    const auto head = (double) axis.xForTick (std::max (0.0, playhead));
    axis.zoomAround (head >= 0.0 && head <= width ? head : width / 2.0, factor);
    axisChanged();
}

void ArrangementView::setSnap (const SnapGrid& s)
{
    if (s == snap)
        return;
    snap = s;
    const auto choices = SnapGrid::choices();
    for (std::size_t i = 0; i < choices.size(); ++i)
        if (choices[i] == snap)
            snapBox.setSelectedId ((int) i + 1, juce::dontSendNotification);
    axisChanged(); // the grid lines change
}

void ArrangementView::setFollowPlayhead (bool shouldFollow)
{
    follow = shouldFollow;
    followButton.setToggleState (shouldFollow, juce::dontSendNotification);
}

void ArrangementView::axisChanged()
{
    ruler.axisChanged();
    tracks->repaint();
    for (auto& lane : lanes)
        lane->axisChanged();
    updateTimeScrollBar();
}

void ArrangementView::updateTimeScrollBar()
{
    const auto& session = context.getSession();
    double end = (double) session.settings.loop.end;
    for (const auto& p : session.arrangement.placements)
        end = std::max (end, (double) (p.start + placementLength (p)));
    for (const auto& row : rows)
        if (! row.audioClips.empty())
            end = std::max (end, audioClipEnd (row.audioClips.back())); // by start: the last is usually the latest

    const auto visible = std::max (1.0, (double) tracks->getWidth() / axis.pixelsPerTick);
    // Some room after the song, to place the next clip.
    end = std::max (end + 8.0 * (double) barTicks(), axis.startTick + visible);
    timeScroll.setRangeLimits (0.0, end, juce::dontSendNotification);
    timeScroll.setCurrentRange (axis.startTick, visible, juce::dontSendNotification);
}

void ArrangementView::scrollBarMoved (juce::ScrollBar* bar, double newRangeStart)
{
    if (bar == &timeScroll)
    {
        if (axis.startTick == std::max (0.0, newRangeStart))
            return;
        axis.startTick = std::max (0.0, newRangeStart);
        axisChanged();
    }
    else if (bar == &trackScroll)
    {
        scrollTracksTo ((int) newRangeStart);
    }
}

void ArrangementView::scrollTracksTo (int y)
{
    y = juce::jlimit (0, juce::jmax (0, contentHeight - body.getHeight()), y);
    trackScroll.setCurrentRange (y, body.getHeight(), juce::dontSendNotification);
    if (y == scrollY)
        return;
    scrollY = y;
    content.setTopLeftPosition (0, -scrollY);
}

void ArrangementView::mouseWheelMove (const juce::MouseEvent& e, const juce::MouseWheelDetails& wheel)
{
    if (e.mods.isCommandDown() || e.mods.isCtrlDown())
    {
        // Zoom around the mouse, so what is under it stays under it.
        const auto x = (double) e.getEventRelativeTo (tracks.get()).position.x;
        axis.zoomAround (x, std::pow (2.0, (double) wheel.deltaY * 2.5));
        axisChanged();
        return;
    }
    const auto horizontal = e.mods.isShiftDown() ? (wheel.deltaX != 0.0f ? wheel.deltaX : wheel.deltaY) : wheel.deltaX;
    if (horizontal != 0.0f)
    {
        axis.scrollTo (axis.startTick - (double) horizontal * 400.0 / axis.pixelsPerTick);
        axisChanged();
    }
    if (! e.mods.isShiftDown() && wheel.deltaY != 0.0f)
        scrollTracksTo (scrollY - juce::roundToInt (wheel.deltaY * 400.0f));
}

bool ArrangementView::keyPressed (const juce::KeyPress& key)
{
    if (key == juce::KeyPress::deleteKey || key == juce::KeyPress::backspaceKey)
    {
        if (selectedAudio.has_value())
        {
            deleteSelectedAudioClip();
            return true;
        }
        if (selected.empty())
            return false;
        deleteSelectedPlacements();
        return true;
    }
    if (key == juce::KeyPress ('a', juce::ModifierKeys::commandModifier, 0))
    {
        selectAllPlacements();
        return true;
    }
    if (key == juce::KeyPress ('d', juce::ModifierKeys::commandModifier, 0))
    {
        duplicateSelectedPlacements();
        return true;
    }
    if (key == juce::KeyPress::escapeKey && (! selected.empty() || selectedAudio.has_value()))
    {
        setSelectedPlacements ({});
        setSelectedAudioClip (std::nullopt);
        return true;
    }
    const auto c = key.getTextCharacter();
    if (! key.getModifiers().isCommandDown() && (c == '+' || c == '=' || key.getKeyCode() == '+'))
    {
        zoomBy (arrangementZoomStep);
        return true;
    }
    if (! key.getModifiers().isCommandDown() && (c == '-' || key.getKeyCode() == '-'))
    {
        zoomBy (1.0 / arrangementZoomStep);
        return true;
    }
    return false;
}

//==============================================================================
void ArrangementView::repaintPlacement (model::PlacementId id)
{
    const auto b = getPlacementBounds (id);
    if (! b.isEmpty())
        tracks->repaint (b.expanded (2));
}

juce::Rectangle<int> ArrangementView::getPlacementBounds (model::PlacementId id) const
{
    const auto& arrangement = context.getSession().arrangement;
    const auto* p = arrangement.placements.find (id);
    const auto* clip = p != nullptr ? arrangement.clips.find (p->clip) : nullptr;
    const auto index = clip != nullptr ? rowIndexOf (clip->instrument) : -1;
    return index >= 0 ? tracks->boundsOf ((std::size_t) index, *p) : juce::Rectangle<int>();
}

juce::Rectangle<int> ArrangementView::getTrackBounds (model::InstrumentId id) const
{
    const auto index = rowIndexOf (id);
    return index >= 0 ? juce::Rectangle<int> (0, index * trackHeight, tracks->getWidth(), trackHeight) : juce::Rectangle<int>();
}

void ArrangementView::setSelectedPlacements (std::set<model::PlacementId> ids)
{
    if (ids == selected)
        return;
    // Only the placements whose selection changed repaint.
    std::vector<model::PlacementId> changed;
    std::set_symmetric_difference (ids.begin(), ids.end(), selected.begin(), selected.end(), std::back_inserter (changed));
    selected = std::move (ids);
    for (auto id : changed)
        repaintPlacement (id);
    if (! selected.empty())
        setSelectedAudioClip (std::nullopt);
}

//==============================================================================
const AudioClipFiles::File* ArrangementView::audioFileOf (const model::AudioClip& clip) const
{
    return audioFiles.find (context.resolveSessionPath (clip.path));
}

double ArrangementView::samplesPerTick (const model::AudioClip& clip) const
{
    const auto* file = audioFileOf (clip);
    const auto rate = file != nullptr && file->sampleRate > 0.0 ? file->sampleRate : 48000.0;
    const auto& settings = context.getSession().settings;
    return rate * 60.0 / (std::max (1.0, settings.bpm) * (double) std::max (1, settings.ticksPerBeat));
}

double ArrangementView::audioClipEnd (const model::AudioClip& clip) const
{
    return (double) clip.start + (double) clip.length / samplesPerTick (clip);
}

void ArrangementView::openAudioFiles()
{
    std::set<juce::String> used;
    for (const auto& row : rows)
        for (const auto& clip : row.audioClips)
        {
            const auto file = context.resolveSessionPath (clip.path);
            if (used.insert (file.getFullPathName()).second)
                audioFiles.open (file);
        }
    audioFiles.retainOnly (used);
}

void ArrangementView::refreshAudioRows (const std::set<model::InstrumentId>& changed)
{
    const auto& instruments = context.getSession().instruments;
    bool any = false;
    for (auto id : changed)
    {
        const auto index = rowIndexOf (id);
        const auto* inst = instruments.find (id);
        if (index < 0 || inst == nullptr)
            continue;
        auto& row = rows[(std::size_t) index];
        const bool audio = inst->source.kind == model::SourceKind::audioClips;
        if (row.audioTrack == audio && (! audio || row.audioClips == inst->source.clips))
            continue;
        row.audioTrack = audio;
        row.audioClips = audio ? inst->source.clips : std::vector<model::AudioClip> {};
        tracks->repaintRow ((std::size_t) index);
        headers->repaintRow ((std::size_t) index);
        any = true;
    }
    if (! any)
        return;
    openAudioFiles();
    updateTimeScrollBar();
    // A clip that went (deleted here, or by another seat) leaves the selection.
    if (selectedAudio.has_value())
    {
        const auto* inst = instruments.find (selectedAudio->instrument);
        if (inst == nullptr || std::find (inst->source.clips.begin(), inst->source.clips.end(), selectedAudio->clip) == inst->source.clips.end())
            setSelectedAudioClip (std::nullopt);
    }
}

juce::Rectangle<int> ArrangementView::getAudioClipBounds (model::InstrumentId id, std::size_t index) const
{
    const auto row = rowIndexOf (id);
    if (row < 0 || index >= rows[(std::size_t) row].audioClips.size())
        return {};
    return tracks->audioBoundsOf ((std::size_t) row, rows[(std::size_t) row].audioClips[index]);
}

void ArrangementView::setSelectedAudioClip (std::optional<AudioClipRef> ref)
{
    if (ref == selectedAudio)
        return;
    for (const auto* r : { &selectedAudio, &ref })
        if (r->has_value())
            if (const auto row = rowIndexOf ((*r)->instrument); row >= 0)
                tracks->repaintRow ((std::size_t) row);
    selectedAudio = std::move (ref);
    if (selectedAudio.has_value() && ! selected.empty())
        setSelectedPlacements ({});
}

void ArrangementView::deleteSelectedAudioClip()
{
    if (! selectedAudio.has_value())
        return;
    const auto doomed = *selectedAudio;
    if (context.perform (model::action::EditAudioClip { doomed.instrument, doomed.clip, {}, true }).ok())
        setSelectedAudioClip (std::nullopt);
}

const std::vector<float>& ArrangementView::audioClipGainChoicesDb()
{
    static const std::vector<float> choices { 12.0f, 6.0f, 3.0f, 0.0f, -3.0f, -6.0f, -12.0f, -24.0f, -100.0f };
    return choices;
}

juce::PopupMenu ArrangementView::getAudioClipMenu (const AudioClipRef& ref)
{
    juce::PopupMenu gain;
    const auto& choices = audioClipGainChoicesDb();
    const auto nowDb = juce::Decibels::gainToDecibels (ref.clip.gain, -100.0f);
    for (std::size_t i = 0; i < choices.size(); ++i)
    {
        const auto db = choices[i];
        const auto text = db <= -100.0f ? juce::String ("Silent") : (db > 0.0f ? "+" : "") + juce::String (juce::roundToInt (db)) + " dB";
        gain.addItem (audioClipGainItemBase + (int) i, text, true, std::abs (nowDb - db) < 0.05f);
    }
    juce::PopupMenu menu;
    menu.addSectionHeader (context.resolveSessionPath (ref.clip.path).getFileName());
    menu.addSubMenu ("Gain", gain);
    menu.addSeparator();
    menu.addItem (deleteAudioClipItem, "Delete Clip");
    return menu;
}

void ArrangementView::audioClipMenuItemChosen (const AudioClipRef& ref, int itemId)
{
    if (itemId == deleteAudioClipItem)
    {
        if (context.perform (model::action::EditAudioClip { ref.instrument, ref.clip, {}, true }).ok() && selectedAudio == ref)
            setSelectedAudioClip (std::nullopt);
        return;
    }
    const auto& choices = audioClipGainChoicesDb();
    const auto index = itemId - audioClipGainItemBase;
    if (index < 0 || index >= (int) choices.size())
        return;
    auto edited = ref.clip;
    // The 4x (+12 dB) ceiling is the model's: 10^(12/20) is a hair above it.
    edited.gain = juce::jmin (model::AudioClip::maxGain, juce::Decibels::decibelsToGain (choices[(std::size_t) index], -100.0f));
    // The edit's notification drops the old value from the selection: it is selected again as it is now.
    const bool wasSelected = selectedAudio == ref;
    if (context.perform (model::action::EditAudioClip { ref.instrument, ref.clip, edited }).ok() && wasSelected)
        setSelectedAudioClip (AudioClipRef { ref.instrument, edited });
}

void ArrangementView::selectAllPlacements()
{
    std::set<model::PlacementId> all;
    for (const auto& p : context.getSession().arrangement.placements)
        all.insert (p.id);
    setSelectedPlacements (std::move (all));
}

void ArrangementView::deleteSelectedPlacements()
{
    if (selected.empty())
        return;
    const auto doomed = selected;
    Gesture gesture (context.session);
    gesture.begin();
    for (auto id : doomed)
        context.perform (model::action::DeletePlacement { id });
}

void ArrangementView::duplicateSelectedPlacements()
{
    const auto& placements = context.getSession().arrangement.placements;
    std::vector<model::Placement> originals;
    model::Tick first = std::numeric_limits<model::Tick>::max(), last = 0;
    for (const auto& p : placements)
        if (selected.count (p.id) != 0)
        {
            originals.push_back (p);
            first = std::min (first, p.start);
            last = std::max (last, p.start + placementLength (p));
        }
    if (originals.empty())
        return;
    // The copies start where the selection ends, keeping their distances: a group repeats as a group.
    const auto offset = last - first;
    std::set<model::PlacementId> copies;
    Gesture gesture (context.session);
    gesture.begin();
    for (const auto& p : originals)
        if (const auto r = context.perform (model::action::AddPlacement { p.clip, p.start + offset, p.length }); r.ok() && r.createdId != 0)
            copies.insert (model::PlacementId { r.createdId });
    gesture.end();
    if (! copies.empty())
        setSelectedPlacements (std::move (copies));
}

//==============================================================================
juce::PopupMenu ArrangementView::getAddLaneMenu()
{
    const auto& session = context.getSession();
    addLaneTargets.clear();
    const auto add = [&] (juce::PopupMenu& menu, const model::AutomationTarget& target, const juce::String& name)
    {
        addLaneTargets.push_back (target);
        menu.addItem ((int) addLaneTargets.size(), name, true, automation::findLane (session, target).isValid());
    };
    juce::PopupMenu menu;
    add (menu, automation::tempo(), "Tempo");
    add (menu, automation::swing(), "Swing");
    menu.addSeparator();

    const auto* inst = session.instruments.find (context.selection.getInstrument());
    if (inst == nullptr)
    {
        menu.addItem (-1, "Select an instrument for its parameters", false);
        return menu;
    }
    menu.addSectionHeader (juce::String (inst->name));
    // One sub-menu per part of the instrument, in the order the chain view shows them.
    juce::PopupMenu part;
    juce::String partName;
    std::pair<model::ParamGroup, std::uint32_t> partKey { model::ParamGroup::source, 0 };
    const auto flush = [&]
    {
        if (part.getNumItems() > 0)
            menu.addSubMenu (partName, part);
        part = {};
    };
    model::forEachParam (*inst, [&] (const model::ParamAddress& a)
                         {
                             // Amp, LFO, level, pan and sends are one part: the voice and the strip.
                             const auto group = a.group == model::ParamGroup::lfo ? model::ParamGroup::amp
                                              : a.group == model::ParamGroup::send ? model::ParamGroup::strip
                                                                                   : a.group;
                             const std::pair key { group, group == model::ParamGroup::stage ? a.itemId : 0u };
                             if (key != partKey || part.getNumItems() == 0)
                             {
                                 flush();
                                 partKey = key;
                                 if (group == model::ParamGroup::source)
                                     partName = "Source";
                                 else if (group == model::ParamGroup::stage)
                                 {
                                     const auto* stage = inst->findStage (model::StageId { a.itemId });
                                     partName = stage != nullptr ? arrangementStageName (*stage) : juce::String ("Stage");
                                 }
                                 else
                                     partName = group == model::ParamGroup::amp ? "Envelope and LFO" : "Mixer";
                             }
                             add (part, automation::parameter (a), automation::parameterName (session, a)); });
    flush();
    return menu;
}

void ArrangementView::addLaneMenuItemChosen (int itemId)
{
    if (itemId < 1 || itemId > (int) addLaneTargets.size())
        return;
    const auto target = addLaneTargets[(std::size_t) itemId - 1];
    const auto exists = automation::findLane (context.getSession(), target).isValid();
    automation::menuItemChosen (context, target, exists ? automation::showLaneItem : automation::automateItem);
}

juce::PopupMenu ArrangementView::getPlacementMenu (model::PlacementId id)
{
    juce::PopupMenu menu;
    const auto& arrangement = context.getSession().arrangement;
    const auto* p = arrangement.placements.find (id);
    const auto* clip = p != nullptr ? arrangement.clips.find (p->clip) : nullptr;
    if (clip == nullptr)
        return menu;
    menu.addItem (renameClipItem, "Rename Clip");
    juce::PopupMenu lengths;
    for (int bars : { 1, 2, 4, 8 })
        lengths.addItem (clipLengthItemBase + bars, bars == 1 ? juce::String ("1 bar") : juce::String (bars) + " bars", true, clip->length == bars * barTicks());
    menu.addSubMenu ("Set Clip Length", lengths);
    menu.addItem (duplicatePlacementItem, "Duplicate");
    menu.addSeparator();
    menu.addItem (deletePlacementItem, "Delete");
    return menu;
}

void ArrangementView::placementMenuItemChosen (model::PlacementId id, int itemId)
{
    const auto& arrangement = context.getSession().arrangement;
    const auto* p = arrangement.placements.find (id);
    if (p == nullptr || itemId == 0)
        return;
    // Duplicate and Delete act on the selection the placement is part of, or on it alone.
    if (selected.count (id) == 0)
        setSelectedPlacements ({ id });
    switch (itemId)
    {
        case renameClipItem:
            beginRenameClip (id);
            return;
        case duplicatePlacementItem:
            duplicateSelectedPlacements();
            return;
        case deletePlacementItem:
            deleteSelectedPlacements();
            return;
        default:
            break;
    }
    const auto bars = itemId - clipLengthItemBase;
    if (bars == 1 || bars == 2 || bars == 4 || bars == 8)
        context.perform (model::action::SetClipLength { p->clip, bars * barTicks() });
}

void ArrangementView::beginRenameClip (model::PlacementId id)
{
    tracks->beginRename (id);
}

void ArrangementView::setCullsToVisibleRange (bool shouldCull)
{
    culls = shouldCull;
    for (auto& lane : lanes)
        lane->setCullsToVisibleRange (shouldCull);
    tracks->repaint();
}

//==============================================================================
void ArrangementView::paint (juce::Graphics& g)
{
    using Palette = LookAndFeel::Palette;
    g.fillAll (Palette::background);
    auto bar = getLocalBounds().removeFromTop (toolbarHeight);
    g.setColour (Palette::panelLight);
    g.fillRect (bar);
    g.setColour (Palette::outline);
    g.fillRect (bar.removeFromBottom (1));

    g.setColour (Palette::textDim);
    g.setFont (juce::Font (12.0f));
    g.drawText ("Snap", snapBox.getBounds().translated (-40, 0).withWidth (36), juce::Justification::centredRight, false);

    // The corner left of the ruler, over the track headers.
    const auto corner = juce::Rectangle<int> (0, ruler.getY(), headerWidth, ruler.getHeight());
    g.setColour (Palette::panel);
    g.fillRect (corner);
    g.setColour (Palette::textDim);
    g.drawText ("Tracks", corner.reduced (10, 0), juce::Justification::centredLeft, false);
    g.setColour (Palette::outline);
    g.fillRect (corner.withTop (corner.getBottom() - 1));
    g.fillRect (corner.withLeft (corner.getRight() - 1));
}

void ArrangementView::resized()
{
    auto area = getLocalBounds();
    auto bar = area.removeFromTop (toolbarHeight).reduced (8, 4);
    patternButton.setBounds (bar.removeFromLeft (70));
    songButton.setBounds (bar.removeFromLeft (60));
    bar.removeFromLeft (52);
    snapBox.setBounds (bar.removeFromLeft (84));
    bar.removeFromLeft (14);
    zoomOutButton.setBounds (bar.removeFromLeft (30));
    zoomInButton.setBounds (bar.removeFromLeft (30));
    bar.removeFromLeft (14);
    followButton.setBounds (bar.removeFromLeft (64));
    bar.removeFromLeft (14);
    addLaneButton.setBounds (bar.removeFromLeft (72));

    if (patternNote.isVisible())
        patternNote.setBounds (area.removeFromTop (noteHeight));
    auto rulerRow = area.removeFromTop (TimeRuler::preferredHeight);
    ruler.setBounds (rulerRow.withTrimmedLeft (headerWidth).withTrimmedRight (scrollBarThickness));
    auto bottom = area.removeFromBottom (scrollBarThickness);
    timeScroll.setBounds (bottom.withTrimmedLeft (headerWidth).withTrimmedRight (scrollBarThickness));
    trackScroll.setBounds (area.removeFromRight (scrollBarThickness));
    body.setBounds (area);
    layoutContent();
}

void ArrangementView::layoutContent()
{
    const auto w = body.getWidth();
    const auto tracksHeight = (int) rows.size() * trackHeight;
    headers->setBounds (0, 0, headerWidth, tracksHeight);
    tracks->setBounds (headerWidth, 0, juce::jmax (0, w - headerWidth), tracksHeight);
    auto y = tracksHeight;
    lanesCaption.setVisible (! lanes.empty());
    if (! lanes.empty())
    {
        lanesCaption.setBounds (0, y, w, lanesCaptionHeight);
        y += lanesCaptionHeight;
    }
    for (auto& lane : lanes)
    {
        lane->setBounds (0, y, w, AutomationLaneView::preferredHeight);
        y += AutomationLaneView::preferredHeight;
    }
    contentHeight = y;
    content.setSize (w, y);
    trackScroll.setRangeLimits (0.0, juce::jmax (contentHeight, body.getHeight()), juce::dontSendNotification);
    scrollY = juce::jlimit (0, juce::jmax (0, contentHeight - body.getHeight()), scrollY);
    content.setTopLeftPosition (0, -scrollY);
    trackScroll.setCurrentRange (scrollY, body.getHeight(), juce::dontSendNotification);
    updateTimeScrollBar();
}

} // namespace imbolc::gui
