namespace imbolc::gui
{

namespace
{
    /** The notes copied last, with ticks relative to the earliest: every piano roll of the app pastes them. */
    std::vector<model::Note>& noteClipboard()
    {
        static std::vector<model::Note> notes;
        return notes;
    }

    model::Tick longestOf (const std::vector<model::Note>& notes)
    {
        model::Tick longest = 0;
        for (const auto& n : notes)
            longest = std::max (longest, n.duration);
        return longest;
    }

    bool containsId (const std::vector<model::NoteId>& sorted, model::NoteId id)
    {
        return std::binary_search (sorted.begin(), sorted.end(), id, [] (model::NoteId a, model::NoteId b)
                                   { return a.value < b.value; });
    }

    void sortIds (std::vector<model::NoteId>& ids)
    {
        std::sort (ids.begin(), ids.end(), [] (model::NoteId a, model::NoteId b)
                   { return a.value < b.value; });
        ids.erase (std::unique (ids.begin(), ids.end()), ids.end());
    }
} // namespace

namespace
{
    bool isBlackKey (int pitch) noexcept
    {
        const auto pc = pitch % 12;
        return pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10;
    }

    juce::String pitchName (int pitch)
    {
        return juce::MidiMessage::getMidiNoteName (pitch, true, true, 4);
    }

    constexpr float edgeGrip = 5.0f; ///< pixels at a note's ends that resize instead of move
} // namespace

using Palette = LookAndFeel::Palette;

//==============================================================================
/** The note grid: draws what is visible and turns mouse gestures into EditNotes. */
class PianoRollView::Grid final : public juce::Component
{
public:
    explicit Grid (PianoRollView& r)
        : roll (r), gesture (r.context.session)
    {
        setComponentID ("pianoRoll.grid");
        setWantsKeyboardFocus (false); // the view takes the keys
        setOpaque (true);
    }

    void paint (juce::Graphics& g) override
    {
        const auto clip = g.getClipBounds();
        roll.lastPaintArea = clip;
        g.fillAll (Palette::background);

        // Rows: black keys darker, a line under every C.
        const auto firstPitch = roll.pitchAt ((float) clip.getY()), lastPitch = roll.pitchAt ((float) clip.getBottom());
        for (int p = firstPitch; p >= lastPitch; --p)
        {
            const auto y = roll.yForPitch (p);
            if (isBlackKey (p))
            {
                g.setColour (Palette::panel.darker (0.35f));
                g.fillRect (juce::Rectangle<float> ((float) clip.getX(), y, (float) clip.getWidth(), roll.rowHeight));
            }
            if (p % 12 == 0)
            {
                g.setColour (Palette::outline.withAlpha (0.8f));
                g.fillRect (juce::Rectangle<float> ((float) clip.getX(), y + roll.rowHeight - 1.0f, (float) clip.getWidth(), 1.0f));
            }
        }
        paintTimeGrid (g, clip, roll.axis, BarGrid::of (roll.context.getSession().settings), roll.snap);

        // Past a clip's end its notes do not play: shade it.
        if (roll.subject.clip.isValid())
        {
            const auto end = roll.axis.xForTick ((double) roll.subjectLength());
            if (end < (float) clip.getRight())
            {
                g.setColour (juce::Colours::black.withAlpha (0.35f));
                g.fillRect (juce::Rectangle<float> (std::max (end, (float) clip.getX()), (float) clip.getY(), (float) clip.getRight(), (float) clip.getHeight()));
            }
        }

        const auto fromTick = roll.axis.tickForX (clip.getX()), toTick = roll.axis.tickForX (clip.getRight());
        int painted = 0;
        if (roll.ghostNotes)
        {
            const auto [a, b] = roll.visibleRange (roll.ghosts, fromTick, toTick);
            g.setColour (Palette::textDim.withAlpha (0.25f));
            for (auto i = a; i < b; ++i)
                if (const auto r = roll.noteRect (roll.ghosts[i]); r.intersects (clip.toFloat()))
                    g.fillRect (r.reduced (0.0f, 1.0f));
        }

        const auto [first, last] = roll.visibleRange (roll.shown, fromTick, toTick);
        for (auto i = first; i < last; ++i)
        {
            const auto& n = roll.shown[i];
            const auto r = roll.noteRect (n);
            if (roll.culling && ! r.intersects (clip.toFloat()))
                continue;
            ++painted;
            paintNote (g, n, r.reduced (0.0f, 0.5f));
        }
        roll.paintedNotes = painted;

        if (! box.isEmpty())
        {
            g.setColour (Palette::accent.withAlpha (0.15f));
            g.fillRect (box);
            g.setColour (Palette::accent);
            g.drawRect (box, 1.0f);
        }
        if (roll.playhead >= 0.0)
            paintPlayHead (g, getLocalBounds(), roll.axis, roll.playhead);
    }

    void paintNote (juce::Graphics& g, const model::Note& n, juce::Rectangle<float> r) const
    {
        const bool isSelected = roll.isSelected (n.id);
        // Brighter for louder; an unlikely note is paler.
        const auto base = isSelected ? Palette::accent.brighter (0.5f) : Palette::accent;
        const auto level = 0.45f + 0.55f * (float) n.velocity / 127.0f;
        g.setColour (base.withMultipliedBrightness (level).withAlpha (0.4f + 0.6f * n.probability));
        g.fillRoundedRectangle (r, 2.0f);
        g.setColour (isSelected ? juce::Colours::white : Palette::background.withAlpha (0.8f));
        g.drawRoundedRectangle (r, 2.0f, isSelected ? 1.5f : 1.0f);
        if (n.probability < 1.0f && r.getWidth() > 28.0f && r.getHeight() >= 9.0f)
        {
            g.setColour (Palette::background);
            g.setFont (juce::Font (std::min (11.0f, r.getHeight() - 1.0f)));
            g.drawText (juce::String (juce::roundToInt (n.probability * 100.0f)) + "%", r.reduced (3.0f, 0.0f), juce::Justification::centredLeft, false);
        }
    }

    //==========================================================================
    /** The note under a point (the topmost: the last drawn), or nullptr. */
    const model::Note* noteAt (juce::Point<float> p) const
    {
        const auto tick = roll.axis.tickForX (p.x);
        const auto [first, last] = roll.visibleRange (roll.shown, tick, tick + 1.0);
        for (auto i = last; i > first; --i)
            if (roll.noteRect (roll.shown[i - 1]).contains (p))
                return &roll.shown[i - 1];
        return nullptr;
    }

    juce::MouseCursor getMouseCursor() override
    {
        const auto p = getMouseXYRelative().toFloat();
        if (const auto* n = noteAt (p))
        {
            const auto r = roll.noteRect (*n);
            if (p.x - r.getX() < edgeGrip || r.getRight() - p.x < edgeGrip)
                return juce::MouseCursor::LeftRightResizeCursor;
            return juce::MouseCursor::DraggingHandCursor;
        }
        return roll.drawMode ? juce::MouseCursor::CrosshairCursor : juce::MouseCursor::NormalCursor;
    }

    void mouseDown (const juce::MouseEvent& e) override
    {
        roll.grabKeyboardFocus();
        mode = Mode::none;
        box = {};
        downPos = e.position;
        copying = false;
        if (! roll.subject.instrument.isValid() || roll.getNotes() == nullptr || e.mods.isPopupMenu())
            return;

        const auto tick = roll.axis.tickAt (e.position.x);
        const auto pitch = roll.pitchAt (e.position.y);
        if (const auto* n = noteAt (e.position))
        {
            const auto note = *n;
            if (e.getNumberOfClicks() >= 2)
            {
                auto edit = roll.newEdit();
                edit.remove.push_back (note.id);
                roll.edit (edit);
                return;
            }
            if (e.mods.isShiftDown())
            {
                auto ids = roll.selected;
                if (roll.isSelected (note.id))
                    std::erase (ids, note.id);
                else
                    ids.push_back (note.id);
                roll.setSelectedNotes (ids);
                return;
            }
            if (! roll.isSelected (note.id))
                roll.setSelectedNotes ({ note.id });
            const auto r = roll.noteRect (note);
            mode = e.position.x - r.getX() < edgeGrip && r.getWidth() > 3.0f * edgeGrip ? Mode::resizeStart
                   : r.getRight() - e.position.x < edgeGrip                             ? Mode::resizeEnd
                                                                                        : Mode::move;
            copying = mode == Mode::move && (e.mods.isCommandDown() || e.mods.isAltDown());
            beginDrag (note);
            audition (note.pitch, note.velocity);
            return;
        }

        if (roll.drawMode || e.getNumberOfClicks() >= 2)
        {
            // Draw a note where the mouse is, the last length used; dragging sets its length.
            model::Note note { {}, roll.snap.snapDown (tick), std::max<model::Tick> (1, roll.newNoteLength), (std::uint8_t) pitch, 100, 1.0f };
            if (roll.subject.clip.isValid() && note.tick >= roll.subjectLength())
                return;
            gesture.begin();
            auto edit = roll.newEdit();
            edit.add.push_back (note);
            const auto r = roll.edit (edit);
            if (! r.ok())
                return gesture.end();
            note.id = model::NoteId { r.createdId };
            roll.setSelectedNotes ({ note.id });
            mode = Mode::draw;
            beginDrag (note);
            audition (note.pitch, note.velocity);
            return;
        }

        mode = Mode::box;
        boxBase = e.mods.isShiftDown() ? roll.selected : std::vector<model::NoteId> {};
        if (! e.mods.isShiftDown())
            roll.setSelectedNotes ({});
    }

    void mouseDrag (const juce::MouseEvent& e) override
    {
        if (mode == Mode::none)
            return;
        if (mode == Mode::box)
        {
            const auto old = box;
            box = juce::Rectangle<float> (downPos, e.position);
            repaint (old.getUnion (box).expanded (2.0f).getSmallestIntegerContainer());
            selectInBox();
            return;
        }
        if (! dragging && e.getDistanceFromDragStart() < 3 && mode != Mode::draw)
            return;
        dragging = true;
        const auto rawDelta = (model::Tick) std::llround ((e.position.x - downPos.x) / roll.axis.pixelsPerTick);
        switch (mode)
        {
            case Mode::move:
                moveBy (rawDelta, roll.pitchAt (e.position.y) - roll.pitchAt (downPos.y));
                break;
            case Mode::resizeEnd:
            case Mode::draw:
                resizeEndBy (rawDelta);
                break;
            case Mode::resizeStart:
                resizeStartBy (rawDelta);
                break;
            case Mode::none:
            case Mode::box:
                break;
        }
    }

    void mouseUp (const juce::MouseEvent&) override
    {
        if (mode == Mode::box)
            repaint (box.expanded (2.0f).getSmallestIntegerContainer());
        box = {};
        // A drawn or resized note's length is the next drawn note's.
        if ((mode == Mode::draw || mode == Mode::resizeEnd) && ! original.empty())
            if (const auto* n = roll.findNote (anchor))
                roll.newNoteLength = n->duration;
        mode = Mode::none;
        dragging = false;
        original.clear();
        gesture.end();
        stopAudition();
    }

    void mouseWheelMove (const juce::MouseEvent& e, const juce::MouseWheelDetails& wheel) override
    {
        const auto amount = std::abs (wheel.deltaY) > std::abs (wheel.deltaX) ? wheel.deltaY : wheel.deltaX;
        if (e.mods.isCommandDown())
            roll.zoomTime (amount > 0 ? 1.2 : 1.0 / 1.2, e.position.x);
        else if (e.mods.isAltDown())
            roll.zoomPitch (amount > 0 ? 1.15f : 1.0f / 1.15f);
        else if (e.mods.isShiftDown() || std::abs (wheel.deltaX) > std::abs (wheel.deltaY))
            roll.scrollToTick (std::max (0.0, roll.axis.startTick - (double) amount * 200.0 / roll.axis.pixelsPerTick));
        else
            roll.scrollPitchBy (juce::roundToInt (wheel.deltaY * 12.0f));
    }

private:
    enum class Mode
    {
        none,
        box,
        move,
        resizeStart,
        resizeEnd,
        draw
    };

    void beginDrag (const model::Note& under)
    {
        gesture.begin();
        anchor = under.id;
        original = roll.selectedNotes();
        anchorOriginal = under;
        lastDelta = 0;
        lastPitch = 0;
        dragging = false;
    }

    /** Makes the copies a Ctrl- or Alt-drag moves, leaving the originals where they are. */
    void makeCopies()
    {
        auto edit = roll.newEdit();
        edit.add = original;
        const auto r = roll.edit (edit);
        if (! r.ok())
            return;
        std::vector<model::NoteId> ids;
        for (std::uint32_t i = 0; i < (std::uint32_t) original.size(); ++i)
        {
            if (original[i].id == anchor)
                anchor = model::NoteId { r.createdId + i };
            original[i].id = model::NoteId { r.createdId + i };
            ids.push_back (original[i].id);
        }
        roll.setSelectedNotes (ids);
        copying = false;
    }

    void moveBy (model::Tick rawDelta, int pitchDelta)
    {
        if (original.empty())
            return;
        // The note under the mouse lands on the grid; the others keep their distance to it.
        auto delta = roll.snap.snap (anchorOriginal.tick + rawDelta) - anchorOriginal.tick;
        model::Tick earliest = original.front().tick;
        int lowest = 127, highest = 0;
        for (const auto& n : original)
        {
            earliest = std::min (earliest, n.tick);
            lowest = std::min (lowest, (int) n.pitch);
            highest = std::max (highest, (int) n.pitch);
        }
        delta = std::max (delta, -earliest);
        pitchDelta = juce::jlimit (-lowest, 127 - highest, pitchDelta);
        if (delta == lastDelta && pitchDelta == lastPitch)
            return;
        if (copying)
            makeCopies();
        lastDelta = delta;
        lastPitch = pitchDelta;
        auto edit = roll.newEdit();
        for (auto n : original)
        {
            n.tick += delta;
            n.pitch = (std::uint8_t) ((int) n.pitch + pitchDelta);
            edit.change.push_back (n);
        }
        if (roll.edit (edit).ok() && pitchDelta != auditioned - anchorOriginal.pitch)
            audition (anchorOriginal.pitch + pitchDelta, anchorOriginal.velocity);
    }

    void resizeEndBy (model::Tick rawDelta)
    {
        const auto end = roll.snap.snap (anchorOriginal.tick + anchorOriginal.duration + rawDelta);
        const auto delta = end - (anchorOriginal.tick + anchorOriginal.duration);
        if (delta == lastDelta)
            return;
        lastDelta = delta;
        const auto minimum = std::max<model::Tick> (1, roll.snap.isOff() ? 1 : roll.snap.step() / 2);
        auto edit = roll.newEdit();
        for (auto n : original)
        {
            n.duration = std::max (minimum, n.duration + delta);
            edit.change.push_back (n);
        }
        roll.edit (edit);
    }

    void resizeStartBy (model::Tick rawDelta)
    {
        auto delta = roll.snap.snap (anchorOriginal.tick + rawDelta) - anchorOriginal.tick;
        if (delta == lastDelta)
            return;
        lastDelta = delta;
        auto edit = roll.newEdit();
        for (auto n : original)
        {
            // The end stays; the start moves, never past the end nor before 0.
            const auto end = n.tick + n.duration;
            n.tick = juce::jlimit<model::Tick> (0, end - 1, n.tick + delta);
            n.duration = end - n.tick;
            edit.change.push_back (n);
        }
        roll.edit (edit);
    }

    void selectInBox()
    {
        const auto from = roll.axis.tickForX (box.getX()), to = roll.axis.tickForX (box.getRight());
        auto ids = boxBase;
        const auto [first, last] = roll.visibleRange (roll.shown, from, to);
        for (auto i = first; i < last; ++i)
            if (roll.noteRect (roll.shown[i]).intersects (box))
                ids.push_back (roll.shown[i].id);
        roll.setSelectedNotes (std::move (ids));
    }

    void audition (int pitch, int velocity)
    {
        stopAudition();
        roll.context.session.auditionNote (roll.subject.instrument, pitch, (float) velocity / 127.0f, true);
        auditioned = pitch;
    }

    void stopAudition()
    {
        if (auditioned >= 0)
            roll.context.session.auditionNote (roll.subject.instrument, auditioned, 0.0f, false);
        auditioned = -1;
    }

    PianoRollView& roll;
    Gesture gesture;
    Mode mode = Mode::none;
    bool dragging = false, copying = false;
    juce::Point<float> downPos;
    juce::Rectangle<float> box;
    std::vector<model::NoteId> boxBase;
    std::vector<model::Note> original; ///< the dragged notes as they were at mouse down
    model::Note anchorOriginal;
    model::NoteId anchor;
    model::Tick lastDelta = 0;
    int lastPitch = 0;
    int auditioned = -1;
};

//==============================================================================
/** The keys left of the grid: C names, and a click plays the key on the instrument. */
class PianoRollView::Keyboard final : public juce::Component
{
public:
    explicit Keyboard (PianoRollView& r)
        : roll (r)
    {
        setComponentID ("pianoRoll.keyboard");
        setOpaque (true);
    }

    ~Keyboard() override { stop(); }

    void paint (juce::Graphics& g) override
    {
        g.fillAll (Palette::panelLight);
        const auto clip = g.getClipBounds();
        g.setFont (juce::Font (std::min (11.0f, roll.rowHeight - 1.0f)));
        for (int p = roll.pitchAt ((float) clip.getY()); p >= roll.pitchAt ((float) clip.getBottom()); --p)
        {
            const juce::Rectangle<float> r (0.0f, roll.yForPitch (p), (float) getWidth(), roll.rowHeight);
            const bool black = isBlackKey (p);
            // A black key is narrower, with the white keys' edge showing to its right.
            g.setColour (juce::Colour (0xffd8dadd));
            g.fillRect (r);
            g.setColour (p == playing ? Palette::accent : (black ? juce::Colour (0xff16181b) : juce::Colour (0xffd8dadd)));
            g.fillRect (black ? r.withTrimmedRight ((float) getWidth() * 0.35f) : r);
            g.setColour (Palette::outline);
            g.fillRect (r.withTop (r.getBottom() - 1.0f));
            if (p % 12 == 0 && roll.rowHeight >= 8.0f)
            {
                g.setColour (Palette::background);
                g.drawText (pitchName (p), r.reduced (3.0f, 0.0f), juce::Justification::centredRight, false);
            }
        }
    }

    void mouseDown (const juce::MouseEvent& e) override { play (roll.pitchAt (e.position.y)); }
    void mouseDrag (const juce::MouseEvent& e) override
    {
        if (const auto p = roll.pitchAt (e.position.y); p != playing)
            play (p);
    }
    void mouseUp (const juce::MouseEvent&) override { stop(); }
    void mouseWheelMove (const juce::MouseEvent& e, const juce::MouseWheelDetails& w) override { roll.grid->mouseWheelMove (e, w); }

    int getPlayingPitch() const noexcept { return playing; }

private:
    void play (int pitch)
    {
        stop();
        if (! roll.subject.instrument.isValid())
            return;
        playing = pitch;
        roll.context.session.auditionNote (roll.subject.instrument, pitch, 0.8f, true);
        repaintKey (pitch);
    }

    void stop()
    {
        if (playing < 0)
            return;
        roll.context.session.auditionNote (roll.subject.instrument, playing, 0.0f, false);
        const auto was = playing;
        playing = -1;
        repaintKey (was);
    }

    void repaintKey (int pitch) { repaint (juce::Rectangle<float> (0.0f, roll.yForPitch (pitch), (float) getWidth(), roll.rowHeight).getSmallestIntegerContainer()); }

    PianoRollView& roll;
    int playing = -1;
};

//==============================================================================
/** Velocity (or probability) of the notes above, as bars at their starts; drag across to draw values. */
class PianoRollView::VelocityLane final : public juce::Component
{
public:
    explicit VelocityLane (PianoRollView& r)
        : roll (r), gesture (r.context.session)
    {
        setComponentID ("pianoRoll.velocity");
        setOpaque (true);
    }

    juce::Rectangle<float> barFor (const model::Note& n) const
    {
        const auto x = roll.axis.xForTick ((double) n.tick) + (float) keyboardWidth;
        const auto value = roll.laneProbability ? n.probability : (float) n.velocity / 127.0f;
        const auto height = ((float) getHeight() - 6.0f) * value;
        return { x - 2.0f, (float) getHeight() - height, 5.0f, height };
    }

    void repaintNote (const model::Note& n) { repaintColumn (roll.axis.xForTick ((double) n.tick), roll.axis.xForTick ((double) n.tick)); }
    void repaintColumn (float gridX1, float gridX2)
    {
        repaint (juce::Rectangle<float> (gridX1 + (float) keyboardWidth - 4.0f, 0.0f, gridX2 - gridX1 + 9.0f, (float) getHeight()).getSmallestIntegerContainer());
    }

    void paint (juce::Graphics& g) override
    {
        g.fillAll (Palette::panel.darker (0.2f));
        g.setColour (Palette::outline);
        g.fillRect (0, 0, getWidth(), 1);
        g.setColour (Palette::textDim);
        g.setFont (juce::Font (11.0f));
        g.drawText (roll.laneProbability ? "Prob." : "Vel.", juce::Rectangle<int> (4, 4, keyboardWidth - 6, 14), juce::Justification::left, false);

        const auto clip = g.getClipBounds();
        const auto from = roll.axis.tickForX (clip.getX() - keyboardWidth - 4), to = roll.axis.tickForX (clip.getRight() - keyboardWidth + 4);
        // Starts only: a bar sits at its note's start, so notes that began earlier draw nothing here.
        const auto first = std::lower_bound (roll.shown.begin(), roll.shown.end(), from, [] (const model::Note& n, double t)
                                             { return (double) n.tick < t; });
        for (auto it = first; it != roll.shown.end() && (double) it->tick <= to; ++it)
        {
            const auto r = barFor (*it);
            if (r.getX() < (float) keyboardWidth - 2.0f)
                continue;
            g.setColour (roll.isSelected (it->id) ? Palette::accent.brighter (0.5f) : Palette::accent.withAlpha (0.7f));
            g.fillRect (r);
            g.fillEllipse (r.getX() - 1.0f, r.getY() - 3.0f, 7.0f, 7.0f);
        }
    }

    void mouseDown (const juce::MouseEvent& e) override
    {
        gesture.begin();
        lastX = e.position.x;
        setAt (e.position.x, e.position.x, e.position.y);
    }

    void mouseDrag (const juce::MouseEvent& e) override
    {
        setAt (lastX, e.position.x, e.position.y);
        lastX = e.position.x;
    }

    void mouseUp (const juce::MouseEvent&) override { gesture.end(); }

private:
    /** Sets the value from y on every note whose bar lies between two x (the mouse's path since the last
        event), only the selected ones when there is a selection. */
    void setAt (float xa, float xb, float y)
    {
        const auto value = juce::jlimit (0.0f, 1.0f, ((float) getHeight() - y) / ((float) getHeight() - 6.0f));
        const auto lo = std::min (xa, xb) - 3.0f, hi = std::max (xa, xb) + 3.0f;
        auto edit = roll.newEdit();
        const auto from = roll.axis.tickForX (lo - keyboardWidth), to = roll.axis.tickForX (hi - keyboardWidth);
        const auto first = std::lower_bound (roll.shown.begin(), roll.shown.end(), from, [] (const model::Note& n, double t)
                                             { return (double) n.tick < t; });
        for (auto it = first; it != roll.shown.end() && (double) it->tick <= to; ++it)
        {
            if (! roll.selected.empty() && ! roll.isSelected (it->id))
                continue;
            auto n = *it;
            if (roll.laneProbability)
                n.probability = std::round (value * 100.0f) / 100.0f;
            else
                n.velocity = (std::uint8_t) juce::jlimit (1, 127, juce::roundToInt (value * 127.0f));
            if (! (n == *it))
                edit.change.push_back (n);
        }
        roll.edit (edit);
    }

    PianoRollView& roll;
    Gesture gesture;
    float lastX = 0.0f;
};

} // namespace imbolc::gui
