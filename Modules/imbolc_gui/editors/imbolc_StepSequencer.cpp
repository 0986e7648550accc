namespace imbolc::gui
{

namespace
{
    /** The step sequencer's measures, in pixels (a struct: the module is one translation unit). */
    struct StepLayout
    {
        static constexpr int header = 40;
        static constexpr int row = 26;
        static constexpr int padColumn = 214;
        static constexpr int name = 122, level = 42, tune = 40; // the pad column's parts
        static constexpr int lane = 72, laneGap = 8;
        static constexpr int pads = model::DrumKit::numPads;
    };

    const char* kindBadge (model::DrumPadKind kind)
    {
        switch (kind)
        {
            case model::DrumPadKind::kick:
                return "KICK";
            case model::DrumPadKind::snare:
                return "SNARE";
            case model::DrumPadKind::hat:
                return "HAT";
            case model::DrumPadKind::sample:
                return "SAMPLE";
        }
        return "";
    }

    juce::String stepsPerBeatName (int n)
    {
        switch (n)
        {
            case 2:
                return "2: eighths";
            case 3:
                return "3: eighth triplets";
            case 4:
                return "4: sixteenths";
            case 6:
                return "6: sixteenth triplets";
            case 8:
                return "8: thirty-seconds";
        }
        return juce::String (n);
    }

    /** A cell's colour: brighter the louder it is. */
    juce::Colour cellColour (const model::DrumStep& s)
    {
        return LookAndFeel::Palette::panelLight.interpolatedWith (LookAndFeel::Palette::accent, 0.35f + 0.65f * (float) s.velocity / 127.0f);
    }
} // namespace

//==============================================================================
/** The pads (name, level, tune) and the cells, in one component: rows line up, and a drag that
    paints may cross rows. */
class StepSequencerView::Grid final : public juce::Component
{
public:
    explicit Grid (StepSequencerView& v)
        : view (v)
    {
        setComponentID ("stepGrid");
        setOpaque (true);
        setRepaintsOnMouseActivity (false);
    }

    int numSteps() const
    {
        const auto* kit = view.getKit();
        return kit != nullptr ? kit->steps : model::DrumKit::minSteps;
    }

    float cellWidth() const { return (float) (getWidth() - StepLayout::padColumn) / (float) numSteps(); }

    juce::Rectangle<int> cellBounds (int pad, int step) const
    {
        const auto x0 = StepLayout::padColumn + (int) std::round (cellWidth() * (float) step);
        const auto x1 = StepLayout::padColumn + (int) std::round (cellWidth() * (float) (step + 1));
        return { x0, pad * StepLayout::row, x1 - x0, StepLayout::row };
    }

    juce::Rectangle<int> columnBounds (int step) const { return cellBounds (0, step).withHeight (StepLayout::pads * StepLayout::row); }
    static juce::Rectangle<int> nameBounds (int pad) { return { 0, pad * StepLayout::row, StepLayout::name, StepLayout::row }; }
    static juce::Rectangle<int> levelBounds (int pad) { return { StepLayout::name + 4, pad * StepLayout::row, StepLayout::level, StepLayout::row }; }
    static juce::Rectangle<int> tuneBounds (int pad) { return { StepLayout::name + 8 + StepLayout::level, pad * StepLayout::row, StepLayout::tune, StepLayout::row }; }

    /** The cell under a point, clamped into the grid (a drag past its edge keeps painting the edge). */
    std::pair<int, int> cellAt (juce::Point<int> p) const
    {
        const auto pad = juce::jlimit (0, StepLayout::pads - 1, p.y / StepLayout::row);
        const auto step = juce::jlimit (0, numSteps() - 1, (int) std::floor ((float) (p.x - StepLayout::padColumn) / cellWidth()));
        return { pad, step };
    }

    void paint (juce::Graphics& g) override
    {
        ++paintCount;
        using P = LookAndFeel::Palette;
        g.fillAll (P::background);
        const auto* kit = view.getKit();
        if (kit == nullptr)
            return;
        const auto clip = g.getClipBounds();

        for (int pad = 0; pad < StepLayout::pads; ++pad)
            if (clip.intersects (juce::Rectangle<int> (0, pad * StepLayout::row, StepLayout::padColumn, StepLayout::row)))
                paintPad (g, pad);

        // Beats shaded in turn, bars ruled, the play head's column lit, then the cells.
        const auto steps = kit->steps, perBeat = kit->stepsPerBeat;
        for (int step = 0; step < steps; ++step)
        {
            const auto column = columnBounds (step);
            if (! clip.intersects (column))
                continue;
            g.setColour ((step / perBeat) % 2 == 0 ? P::panel.brighter (0.12f) : P::background);
            g.fillRect (column);
            if (step % (4 * perBeat) == 0)
            {
                g.setColour (P::outline);
                g.fillRect (column.withWidth (1));
            }
            if (step == view.playingStep)
            {
                g.setColour (P::text.withAlpha (0.12f));
                g.fillRect (column);
            }
            for (int pad = 0; pad < StepLayout::pads; ++pad)
                paintCell (g, pad, step, view.cellValue (pad, step), step == view.playingStep);
        }
    }

    void paintPad (juce::Graphics& g, int pad)
    {
        using P = LookAndFeel::Palette;
        const auto sound = view.padValue (pad);
        const bool selected = pad == view.selectedPad;
        const auto row = juce::Rectangle<int> (0, pad * StepLayout::row, StepLayout::padColumn, StepLayout::row);
        g.setColour (selected ? P::selection : (pad % 2 == 0 ? P::panel : P::panel.brighter (0.04f)));
        g.fillRect (row.withTrimmedBottom (1));
        if (selected)
        {
            g.setColour (P::accent);
            g.fillRect (row.withWidth (3).withTrimmedBottom (1));
        }

        auto name = nameBounds (pad).reduced (8, 0);
        g.setFont (juce::Font (10.0f, juce::Font::bold));
        g.setColour (selected ? P::text.withAlpha (0.7f) : P::textDim);
        const auto badge = juce::String (kindBadge (sound.kind));
        g.drawText (badge, name.removeFromRight (juce::roundToInt (g.getCurrentFont().getStringWidthFloat (badge)) + 2), juce::Justification::centredRight, false);
        g.setColour (P::text);
        g.setFont (juce::Font (13.0f, selected ? juce::Font::bold : juce::Font::plain));
        g.drawFittedText (sound.name.empty() ? juce::String ("Pad " + juce::String (pad + 1)) : juce::String (sound.name), name.withTrimmedRight (4), juce::Justification::centredLeft, 1, 0.8f);

        // Level as a bar (100 % is unity, the bar's middle), tune in semitones.
        const auto level = levelBounds (pad).reduced (0, 5).toFloat();
        g.setColour (P::background);
        g.fillRoundedRectangle (level, 2.0f);
        g.setColour (P::meterLow.withAlpha (0.7f));
        g.fillRoundedRectangle (level.withWidth (level.getWidth() * sound.level / model::DrumPad::maxLevel), 2.0f);
        g.setColour (P::text);
        g.setFont (juce::Font (11.0f));
        g.drawText (juce::String (juce::roundToInt (sound.level * 100.0f)) + "%", level, juce::Justification::centred, false);

        const auto tune = tuneBounds (pad).reduced (0, 5).toFloat();
        g.setColour (P::background);
        g.fillRoundedRectangle (tune, 2.0f);
        g.setColour (sound.tune == 0.0f ? P::textDim : P::text);
        const auto semitones = juce::roundToInt (sound.tune);
        g.drawText ((semitones > 0 ? "+" : "") + juce::String (semitones) + " st", tune, juce::Justification::centred, false);
    }

    void paintCell (juce::Graphics& g, int pad, int step, const model::DrumStep& cell, bool playing)
    {
        using P = LookAndFeel::Palette;
        const auto r = cellBounds (pad, step).reduced (2, 3).toFloat();
        // An empty cell is darker than the light beats' columns and lighter than the dark ones'.
        g.setColour (P::panel.darker (0.1f));
        g.fillRoundedRectangle (r, 2.5f);
        if (! cell.on)
            return;
        // The fill rises with the probability: a full cell always plays, a half one half the time.
        const auto colour = playing ? cellColour (cell).brighter (0.5f) : cellColour (cell);
        g.setColour (colour);
        g.fillRoundedRectangle (r.withTrimmedTop (r.getHeight() * (1.0f - cell.probability)), 2.5f);
        if (cell.probability < 1.0f)
            g.drawRoundedRectangle (r.reduced (0.5f), 2.5f, 1.0f);
    }

    //==============================================================================
    void mouseDown (const juce::MouseEvent& e) override
    {
        drag = Drag::none;
        if (view.getKit() == nullptr)
            return;
        const auto p = e.getPosition();
        if (p.x < StepLayout::padColumn)
        {
            const auto pad = juce::jlimit (0, StepLayout::pads - 1, p.y / StepLayout::row);
            if (e.mods.isPopupMenu())
                return showPadMenu (pad);
            if (nameBounds (pad).contains (p))
            {
                view.selectPad (pad);
                view.audition (pad, true);
                drag = Drag::audition;
                return;
            }
            if (! view.canEdit())
                return;
            dragPad = pad;
            const auto sound = view.padValue (pad);
            drag = levelBounds (pad).contains (p) ? Drag::level : tuneBounds (pad).contains (p) ? Drag::tune
                                                                                                : Drag::none;
            startValue = drag == Drag::level ? sound.level : sound.tune;
            return;
        }

        const auto [pad, step] = cellAt (p);
        if (e.mods.isPopupMenu())
            return showStepMenu (pad, step);
        if (! view.canEdit())
            return;
        dragPad = pad;
        dragStep = step;
        startCell = view.cellValue (pad, step);
        if (e.mods.isShiftDown() || e.mods.isAltDown())
        {
            drag = e.mods.isShiftDown() ? Drag::velocity : Drag::probability;
            view.preview[{ pad, step }] = { true, startCell.velocity, startCell.probability };
        }
        else
        {
            // The first cell decides what the drag paints: it turns over, every other cell follows it.
            drag = Drag::paint;
            paintOn = ! startCell.on;
            view.preview[{ pad, step }] = { paintOn, startCell.velocity, startCell.probability };
        }
        view.repaintCell (pad, step);
    }

    void mouseDrag (const juce::MouseEvent& e) override
    {
        const auto up = -e.getDistanceFromDragStartY(); // pixels upwards
        switch (drag)
        {
            case Drag::paint:
            {
                const auto [pad, step] = cellAt (e.getPosition());
                if (view.preview.count ({ pad, step }) == 0)
                {
                    const auto cell = view.cellValue (pad, step);
                    view.preview[{ pad, step }] = { paintOn, cell.velocity, cell.probability };
                    view.repaintCell (pad, step);
                }
                break;
            }
            case Drag::velocity:
                view.preview[{ dragPad, dragStep }].velocity = (std::uint8_t) juce::jlimit (1, 127, startCell.velocity + up);
                view.repaintCell (dragPad, dragStep);
                break;
            case Drag::probability:
                view.preview[{ dragPad, dragStep }].probability = juce::jlimit (0.0f, 1.0f, std::round (startCell.probability * 100.0f + (float) up) / 100.0f);
                view.repaintCell (dragPad, dragStep);
                break;
            case Drag::level:
            case Drag::tune:
            {
                auto sound = view.padValue (dragPad);
                if (drag == Drag::level)
                    sound.level = juce::jlimit (0.0f, model::DrumPad::maxLevel, std::round ((startValue + 0.01f * (float) up) * 100.0f) / 100.0f);
                else
                    sound.tune = juce::jlimit (-model::DrumPad::maxTune, model::DrumPad::maxTune, std::round (startValue + (float) up / 4.0f));
                view.padPreview = std::make_pair (dragPad, sound);
                repaint (0, dragPad * StepLayout::row, StepLayout::padColumn, StepLayout::row);
                break;
            }
            case Drag::audition:
            case Drag::none:
                break;
        }
    }

    void mouseUp (const juce::MouseEvent&) override
    {
        const auto was = std::exchange (drag, Drag::none);
        if (was == Drag::audition)
            view.audition (-1, false);
        else if (was == Drag::paint || was == Drag::velocity || was == Drag::probability)
            view.commitCells();
        else if ((was == Drag::level || was == Drag::tune) && view.padPreview)
        {
            const auto [pad, sound] = *std::exchange (view.padPreview, std::nullopt);
            view.setPad (pad, sound);
            repaint (0, pad * StepLayout::row, StepLayout::padColumn, StepLayout::row);
        }
    }

    void mouseDoubleClick (const juce::MouseEvent& e) override
    {
        // Level and tune go back to their defaults.
        const auto p = e.getPosition();
        if (view.getKit() == nullptr || p.x >= StepLayout::padColumn || ! view.canEdit())
            return;
        const auto pad = juce::jlimit (0, StepLayout::pads - 1, p.y / StepLayout::row);
        auto sound = view.padValue (pad);
        if (levelBounds (pad).contains (p))
            sound.level = 1.0f;
        else if (tuneBounds (pad).contains (p))
            sound.tune = 0.0f;
        else
            return;
        view.setPad (pad, sound);
    }

    int paintCount = 0;

private:
    enum class Drag
    {
        none,
        audition,
        paint,
        velocity,
        probability,
        level,
        tune
    };

    void showPadMenu (int pad)
    {
        view.getPadMenu (pad).showMenuAsync (juce::PopupMenu::Options().withTargetScreenArea (localAreaToGlobal (nameBounds (pad))),
                                             [safe = juce::Component::SafePointer<StepSequencerView> (&view), pad] (int chosen)
                                             {
                                                 if (safe != nullptr && chosen != 0)
                                                     safe->padMenuItemChosen (pad, chosen);
                                             });
    }

    void showStepMenu (int pad, int step)
    {
        view.getStepMenu (pad, step).showMenuAsync (juce::PopupMenu::Options().withTargetScreenArea (localAreaToGlobal (cellBounds (pad, step))),
                                                    [safe = juce::Component::SafePointer<StepSequencerView> (&view), pad, step] (int chosen)
                                                    {
                                                        if (safe != nullptr && chosen != 0)
                                                            safe->stepMenuItemChosen (pad, step, chosen);
                                                    });
    }

    StepSequencerView& view;
    Drag drag = Drag::none;
    int dragPad = -1, dragStep = -1;
    model::DrumStep startCell;
    float startValue = 0.0f;
    bool paintOn = true;
};

//==============================================================================
/** The selected pad's velocities, one bar per step, drawn by dragging across them. */
class StepSequencerView::VelocityLane final : public juce::Component
{
public:
    explicit VelocityLane (StepSequencerView& v)
        : view (v)
    {
        setComponentID ("velocityLane");
        setOpaque (true);
    }

    juce::Rectangle<int> columnBounds (int step) const
    {
        const auto cells = view.grid->cellBounds (0, step);
        return { cells.getX(), 0, cells.getWidth(), getHeight() };
    }

    void paint (juce::Graphics& g) override
    {
        ++paintCount;
        using P = LookAndFeel::Palette;
        g.fillAll (P::panel);
        const auto* kit = view.getKit();
        if (kit == nullptr)
            return;
        g.setColour (P::textDim);
        g.setFont (juce::Font (11.0f));
        const auto sound = view.padValue (view.selectedPad);
        g.drawFittedText ("Velocity\n" + juce::String (sound.name), juce::Rectangle<int> (8, 0, StepLayout::padColumn - 16, getHeight()), juce::Justification::centredLeft, 2, 0.8f);

        const auto clip = g.getClipBounds();
        for (int step = 0; step < kit->steps; ++step)
        {
            const auto column = columnBounds (step);
            if (! clip.intersects (column))
                continue;
            if (step == view.playingStep)
            {
                g.setColour (P::text.withAlpha (0.12f));
                g.fillRect (column);
            }
            const auto cell = view.cellValue (view.selectedPad, step);
            auto bar = column.reduced (2, 4).toFloat();
            bar = bar.withTrimmedTop (bar.getHeight() * (1.0f - (float) cell.velocity / 127.0f));
            if (cell.on)
            {
                g.setColour (cellColour (cell));
                g.fillRect (bar);
            }
            else
            {
                g.setColour (P::outline);
                g.drawRect (bar, 1.0f);
            }
        }
    }

    void mouseDown (const juce::MouseEvent& e) override { mouseDrag (e); }

    void mouseDrag (const juce::MouseEvent& e) override
    {
        if (view.getKit() == nullptr || ! view.canEdit() || e.x < StepLayout::padColumn)
            return;
        const auto step = view.grid->cellAt ({ e.x, 0 }).second;
        auto cell = view.cellValue (view.selectedPad, step);
        if (! cell.on)
            return; // only steps that play have a velocity to draw
        const auto inner = (float) juce::jmax (1, getHeight() - 8);
        cell.velocity = (std::uint8_t) juce::jlimit (1, 127, juce::roundToInt (127.0f * (1.0f - (float) (e.y - 4) / inner)));
        view.preview[{ view.selectedPad, step }] = cell;
        view.repaintCell (view.selectedPad, step);
    }

    void mouseUp (const juce::MouseEvent&) override { view.commitCells(); }

    int paintCount = 0;

private:
    StepSequencerView& view;
};

//==============================================================================
StepSequencerView::StepSequencerView (GuiContext& c)
    : SessionView (c), grid (std::make_unique<Grid> (*this)), lane (std::make_unique<VelocityLane> (*this))
{
    setComponentID ("StepSequencer");
    setOpaque (true);

    for (auto* label : { &stepsLabel, &perBeatLabel, &swingLabel })
    {
        label->setFont (juce::Font (12.0f));
        label->setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
        label->setJustificationType (juce::Justification::centredRight);
        addChildComponent (*label);
    }

    steps.setComponentID ("steps");
    steps.setRange (model::DrumKit::minSteps, model::DrumKit::maxSteps, 1.0);
    steps.setTextBoxStyle (juce::Slider::TextBoxLeft, false, 36, 22);
    steps.setTooltip ("How many steps the pattern has before it repeats");
    steps.onValueChange = [this]
    {
        if (const auto* kit = getKit())
            setPattern ((int) steps.getValue(), kit->stepsPerBeat, kit->swing);
    };
    addChildComponent (steps);

    stepsPerBeat.setComponentID ("stepsPerBeat");
    for (int n : model::DrumKit::stepsPerBeatChoices)
        stepsPerBeat.addItem (stepsPerBeatName (n), n);
    stepsPerBeat.setTooltip ("How many steps make a beat");
    stepsPerBeat.onChange = [this]
    {
        if (const auto* kit = getKit(); kit != nullptr && stepsPerBeat.getSelectedId() != 0)
            setPattern (kit->steps, stepsPerBeat.getSelectedId(), kit->swing);
    };
    addChildComponent (stepsPerBeat);

    swing.setComponentID ("swing");
    swing.setRange (0.0, 1.0, 0.01);
    swing.setTextBoxStyle (juce::Slider::TextBoxRight, false, 44, 22);
    swing.textFromValueFunction = [] (double v)
    { return juce::String (juce::roundToInt (v * 100.0)) + "%"; };
    swing.valueFromTextFunction = [] (const juce::String& text)
    { return text.retainCharacters ("0123456789.").getDoubleValue() / 100.0; };
    swing.setTooltip ("Delays every second step by up to half a step");
    // A drag is one edit, sent when it ends; a typed value or a click is sent at once.
    swing.onValueChange = [this]
    {
        if (! swing.isMouseButtonDown())
            if (const auto* kit = getKit())
                setPattern (kit->steps, kit->stepsPerBeat, (float) swing.getValue());
    };
    swing.onDragEnd = [this]
    {
        if (const auto* kit = getKit())
            setPattern (kit->steps, kit->stepsPerBeat, (float) swing.getValue());
    };
    addChildComponent (swing);

    clear.setComponentID ("clear");
    clear.setTooltip ("Turns every step of the pattern off (one undo step)");
    clear.onClick = [this]
    {
        const auto* kit = getKit();
        if (kit == nullptr)
            return;
        for (int pad = 0; pad < StepLayout::pads; ++pad)
            for (int step = 0; step < kit->steps; ++step)
                if (kit->rows[(std::size_t) pad][(std::size_t) step].on)
                    preview[{ pad, step }] = { false, kit->rows[(std::size_t) pad][(std::size_t) step].velocity, kit->rows[(std::size_t) pad][(std::size_t) step].probability };
        commitCells();
    };
    addChildComponent (clear);

    addChildComponent (*grid);
    addChildComponent (*lane);
    context.meters.addListener (this);
    refresh();
}

StepSequencerView::~StepSequencerView()
{
    context.meters.removeListener (this);
    audition (-1, false);
}

void StepSequencerView::setInstrument (model::InstrumentId id)
{
    if (id == instrument)
        return;
    audition (-1, false);
    instrument = id;
    preview.clear();
    padPreview.reset();
    shown = {};
    playingStep = -1;
    refresh();
}

const model::DrumKit* StepSequencerView::getKit() const
{
    const auto* inst = context.getSession().instruments.find (instrument);
    return inst != nullptr && inst->source.isDrumKit() && inst->drums.hasPads() ? &inst->drums : nullptr;
}

juce::String StepSequencerView::getMessage() const
{
    return message;
}

void StepSequencerView::selectPad (int pad)
{
    pad = juce::jlimit (0, StepLayout::pads - 1, pad);
    if (pad == selectedPad)
        return;
    const auto old = selectedPad;
    selectedPad = pad;
    grid->repaint (0, old * StepLayout::row, StepLayout::padColumn, StepLayout::row);
    grid->repaint (0, pad * StepLayout::row, StepLayout::padColumn, StepLayout::row);
    lane->repaint();
}

bool StepSequencerView::canEdit() const
{
    return context.session.canEditInstrument (instrument);
}

int StepSequencerView::getGridPaintCount() const noexcept
{
    return grid->paintCount + lane->paintCount;
}

//==============================================================================
juce::Rectangle<int> StepSequencerView::getCellBounds (int pad, int step) const
{
    return grid->isVisible() ? grid->cellBounds (pad, step) + grid->getPosition() : juce::Rectangle<int>();
}

juce::Rectangle<int> StepSequencerView::getPadNameBounds (int pad) const
{
    return grid->isVisible() ? Grid::nameBounds (pad) + grid->getPosition() : juce::Rectangle<int>();
}

juce::Rectangle<int> StepSequencerView::getPadLevelBounds (int pad) const
{
    return grid->isVisible() ? Grid::levelBounds (pad) + grid->getPosition() : juce::Rectangle<int>();
}

juce::Rectangle<int> StepSequencerView::getPadTuneBounds (int pad) const
{
    return grid->isVisible() ? Grid::tuneBounds (pad) + grid->getPosition() : juce::Rectangle<int>();
}

juce::Rectangle<int> StepSequencerView::getVelocityBounds (int step) const
{
    return lane->isVisible() ? lane->columnBounds (step) + lane->getPosition() : juce::Rectangle<int>();
}

//==============================================================================
model::DrumStep StepSequencerView::cellValue (int pad, int step) const
{
    if (auto it = preview.find ({ pad, step }); it != preview.end())
        return it->second;
    const auto* kit = getKit();
    return kit != nullptr ? kit->rows[(std::size_t) pad][(std::size_t) step] : model::DrumStep {};
}

model::DrumPad StepSequencerView::padValue (int pad) const
{
    if (padPreview && padPreview->first == pad)
        return padPreview->second;
    const auto* kit = getKit();
    return kit != nullptr ? kit->pads[(std::size_t) pad] : model::DrumPad {};
}

void StepSequencerView::repaintCell (int pad, int step)
{
    grid->repaint (grid->cellBounds (pad, step));
    if (pad == selectedPad)
        lane->repaint (lane->columnBounds (step));
}

void StepSequencerView::repaintStepColumn (int step)
{
    if (step < 0 || ! grid->isVisible())
        return;
    grid->repaint (grid->columnBounds (step));
    lane->repaint (lane->columnBounds (step));
}

//==============================================================================
void StepSequencerView::commitCells()
{
    const auto* kit = getKit();
    const auto cells = std::exchange (preview, {});
    if (kit == nullptr)
        return;
    std::vector<model::action::DrumStepEdit> edits;
    for (const auto& [at, value] : cells)
        if (at.second < kit->steps && kit->rows[(std::size_t) at.first][(std::size_t) at.second] != value)
            edits.push_back ({ at.first, at.second, value });
    if (edits.size() == 1)
        context.perform (model::action::SetDrumStep { instrument, edits[0].pad, edits[0].step, edits[0].value });
    else if (! edits.empty())
        context.perform (model::action::SetDrumSteps { instrument, std::move (edits) });
    // What the preview showed goes back to the session's value, whether or not the edit was made.
    for (const auto& [at, value] : cells)
        repaintCell (at.first, at.second);
}

void StepSequencerView::setCell (int pad, int step, model::DrumStep value)
{
    if (const auto* kit = getKit(); kit != nullptr && kit->rows[(std::size_t) pad][(std::size_t) step] != value)
        context.perform (model::action::SetDrumStep { instrument, pad, step, value });
}

void StepSequencerView::setPad (int pad, model::DrumPad sound)
{
    if (const auto* kit = getKit(); kit != nullptr && kit->pads[(std::size_t) pad] != sound)
        context.perform (model::action::SetDrumPad { instrument, pad, std::move (sound) });
}

void StepSequencerView::setPattern (int length, int perBeat, float amount)
{
    const auto* kit = getKit();
    if (kit == nullptr || (kit->steps == length && kit->stepsPerBeat == perBeat && kit->swing == amount))
        return;
    if (! context.perform (model::action::SetDrumPattern { instrument, length, perBeat, amount }).ok())
        refresh(); // the controls go back to what the session holds
}

void StepSequencerView::audition (int pad, bool on)
{
    // One pad sounds at a time: a new one (or none) ends the one before.
    if (auditioning >= 0)
        context.session.auditionNote (instrument, model::DrumKit::firstNote + auditioning, 0.0f, false);
    auditioning = on ? pad : -1;
    if (on && pad >= 0)
        context.session.auditionNote (instrument, model::DrumKit::firstNote + pad, 0.8f, true);
}

//==============================================================================
void StepSequencerView::sessionChanged (const app::SessionChange& change)
{
    if (change.touchesInstrument (instrument) || change.ownership)
        refresh();
}

void StepSequencerView::metersUpdated (const MeterFrame& frame)
{
    const auto* kit = getKit();
    const auto step = kit != nullptr && frame.metering.playing ? kit->stepAt ((double) frame.metering.playhead) : -1;
    if (step == playingStep)
        return;
    const auto old = std::exchange (playingStep, step);
    repaintStepColumn (old);
    repaintStepColumn (step);
}

void StepSequencerView::refresh()
{
    const auto* inst = context.getSession().instruments.find (instrument);
    const auto* kit = getKit();
    juce::String nextMessage;
    if (inst == nullptr)
        nextMessage = "Choose a drum-kit instrument to edit its pattern here.";
    else if (kit == nullptr)
        nextMessage = juce::String (inst->name) + " is not a drum kit: make the drum kit its source to edit steps here.";

    const bool show = kit != nullptr;
    for (juce::Component* c : { (juce::Component*) &stepsLabel, (juce::Component*) &perBeatLabel, (juce::Component*) &swingLabel, (juce::Component*) &steps, (juce::Component*) &stepsPerBeat, (juce::Component*) &swing, (juce::Component*) &clear, (juce::Component*) grid.get(), (juce::Component*) lane.get() })
        c->setVisible (show);
    if (nextMessage != message)
    {
        message = nextMessage;
        repaint();
    }
    if (! show)
    {
        shown = {};
        return;
    }

    const bool editable = canEdit();
    steps.setValue (kit->steps, juce::dontSendNotification);
    stepsPerBeat.setSelectedId (kit->stepsPerBeat, juce::dontSendNotification);
    if (! swing.isMouseButtonDown())
        swing.setValue (kit->swing, juce::dontSendNotification);
    for (juce::Component* c : { (juce::Component*) &steps, (juce::Component*) &stepsPerBeat, (juce::Component*) &swing })
        c->setEnabled (editable);
    clear.setEnabled (editable && kit->hasSteps());

    // Only what changed repaints: the whole grid when its shape or a pad changed, else the cells.
    if (shown.steps != kit->steps || shown.stepsPerBeat != kit->stepsPerBeat || shown.pads != kit->pads || ! shown.hasPads())
    {
        grid->repaint();
        lane->repaint();
        repaint (0, 0, getWidth(), StepLayout::header);
    }
    else
    {
        for (int pad = 0; pad < StepLayout::pads; ++pad)
            for (int step = 0; step < kit->steps; ++step)
                if (shown.rows[(std::size_t) pad][(std::size_t) step] != kit->rows[(std::size_t) pad][(std::size_t) step])
                    repaintCell (pad, step);
    }
    shown = *kit;
    if (inst != nullptr && juce::String (inst->name) != shownName)
    {
        shownName = inst->name;
        repaint (0, 0, StepLayout::padColumn, StepLayout::header);
    }
}

//==============================================================================
void StepSequencerView::paint (juce::Graphics& g)
{
    using P = LookAndFeel::Palette;
    g.fillAll (P::background);
    if (message.isNotEmpty())
    {
        g.setColour (P::textDim);
        g.setFont (juce::Font (14.0f));
        g.drawFittedText (message, getLocalBounds().reduced (24), juce::Justification::centred, 3);
        return;
    }
    g.setColour (P::text);
    g.setFont (juce::Font (15.0f, juce::Font::bold));
    g.drawFittedText (shownName, juce::Rectangle<int> (10, 0, StepLayout::padColumn - 16, StepLayout::header), juce::Justification::centredLeft, 1, 0.7f);
}

void StepSequencerView::resized()
{
    auto header = getLocalBounds().removeFromTop (StepLayout::header).reduced (4, 7);
    header.removeFromLeft (StepLayout::padColumn - 4);
    stepsLabel.setBounds (header.removeFromLeft (40));
    steps.setBounds (header.removeFromLeft (96));
    header.removeFromLeft (8);
    perBeatLabel.setBounds (header.removeFromLeft (60));
    stepsPerBeat.setBounds (header.removeFromLeft (170));
    header.removeFromLeft (8);
    swingLabel.setBounds (header.removeFromLeft (48));
    swing.setBounds (header.removeFromLeft (juce::jmin (220, juce::jmax (120, header.getWidth() - 80))));
    clear.setBounds (header.removeFromRight (64));

    auto area = getLocalBounds().withTrimmedTop (StepLayout::header).reduced (6, 0);
    grid->setBounds (area.removeFromTop (StepLayout::pads * StepLayout::row));
    area.removeFromTop (StepLayout::laneGap);
    lane->setBounds (area.removeFromTop (StepLayout::lane));
}

} // namespace imbolc::gui
