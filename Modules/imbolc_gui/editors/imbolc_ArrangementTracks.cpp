// The arrangement's track rows: the headers on the left and the clip area with its gestures.

namespace imbolc::gui
{

namespace
{
    constexpr int arrangementTitleHeight = 15; ///< a placement's name bar
    constexpr float arrangementEdgeGrab = 6.0f; ///< how near its right edge a press resizes a placement

    /** Each instrument's colour, the same in the headers and on its clips: hues spread by the golden
        ratio, so neighbours differ. */
    juce::Colour arrangementColourFor (std::size_t rowIndex)
    {
        const auto hue = std::fmod (0.55 + 0.61803398875 * (double) rowIndex, 1.0);
        return juce::Colour::fromHSV ((float) hue, 0.42f, 0.62f, 1.0f);
    }

    /** Keeps far-off coordinates inside what a Rectangle<int> and the renderer handle. */
    float arrangementClampX (float x) { return juce::jlimit (-100000.0f, 1000000.0f, x); }
} // namespace

//==============================================================================
class ArrangementView::TrackHeaders final : public juce::Component
{
public:
    explicit TrackHeaders (ArrangementView& v)
        : view (v)
    {
        setComponentID ("TrackHeaders");
        setOpaque (true);
    }

    void paint (juce::Graphics& g) override
    {
        using Palette = LookAndFeel::Palette;
        const auto clip = g.getClipBounds();
        g.fillAll (Palette::panel);
        const auto selectedInstrument = view.context.selection.getInstrument();
        const auto first = (std::size_t) juce::jmax (0, clip.getY() / trackHeight);
        for (auto i = first; i < view.rows.size() && (int) i * trackHeight < clip.getBottom(); ++i)
        {
            const auto& row = view.rows[i];
            auto r = juce::Rectangle<int> (0, (int) i * trackHeight, getWidth(), trackHeight);
            const bool isSelected = row.instrument == selectedInstrument;
            g.setColour (isSelected ? Palette::selection : Palette::panel);
            g.fillRect (r);
            g.setColour (arrangementColourFor (i));
            g.fillRect (r.withWidth (4).reduced (0, 3));
            g.setColour (Palette::background);
            g.fillRect (r.withTop (r.getBottom() - 1));
            auto text = r.reduced (12, 6).withTrimmedBottom (1);
            g.setColour (Palette::text);
            g.setFont (juce::Font (13.5f, juce::Font::bold));
            g.drawFittedText (row.name, text.removeFromTop (18), juce::Justification::centredLeft, 1, 0.8f);
            g.setColour (isSelected ? Palette::text.withAlpha (0.75f) : Palette::textDim);
            g.setFont (juce::Font (11.5f));
            const auto clips = row.placements.size();
            const auto audio = row.audioClips.size();
            g.drawText (row.audioTrack ? (audio == 0 ? juce::String ("no audio clips") : juce::String (audio) + (audio == 1 ? " audio clip" : " audio clips"))
                                       : (clips == 0 ? juce::String ("no clips placed") : juce::String (clips) + (clips == 1 ? " placement" : " placements")),
                        text.removeFromTop (16),
                        juce::Justification::centredLeft,
                        false);
        }
        g.setColour (Palette::outline);
        g.fillRect (getLocalBounds().removeFromRight (1));
    }

    void mouseDown (const juce::MouseEvent& e) override
    {
        const auto index = e.y / trackHeight;
        if (e.y >= 0 && index < (int) view.rows.size())
            view.context.selection.selectInstrument (view.rows[(std::size_t) index].instrument);
    }

    void repaintRow (std::size_t index) { repaint (0, (int) index * trackHeight, getWidth(), trackHeight); }

private:
    ArrangementView& view;
};

//==============================================================================
class ArrangementView::TrackArea final : public juce::Component
{
public:
    explicit TrackArea (ArrangementView& v)
        : view (v)
    {
        setComponentID ("Tracks");
        setOpaque (true);
        setWantsKeyboardFocus (true);

        nameEditor.setComponentID ("ClipNameEditor");
        nameEditor.setFont (juce::Font (12.5f, juce::Font::bold));
        nameEditor.setColour (juce::TextEditor::backgroundColourId, LookAndFeel::Palette::background);
        nameEditor.setColour (juce::TextEditor::textColourId, LookAndFeel::Palette::text);
        nameEditor.setColour (juce::TextEditor::focusedOutlineColourId, LookAndFeel::Palette::accent);
        nameEditor.setIndents (4, 1);
        nameEditor.onReturnKey = [this]
        { finishRename (true); };
        nameEditor.onEscapeKey = [this]
        { finishRename (false); };
        nameEditor.onFocusLost = [this]
        { finishRename (true); };
        addChildComponent (nameEditor);
    }

    int paintCount = 0;

    //==============================================================================
    juce::Rectangle<int> boundsOf (std::size_t rowIndex, const model::Placement& p) const
    {
        const auto x1 = arrangementClampX (view.axis.xForTick ((double) p.start));
        const auto x2 = arrangementClampX (view.axis.xForTick ((double) (p.start + view.placementLength (p))));
        const auto left = (int) std::floor (x1);
        return { left, (int) rowIndex * trackHeight + 2, juce::jmax (2, (int) std::ceil (x2) - left), trackHeight - 4 };
    }

    void repaintRow (std::size_t index) { repaint (0, (int) index * trackHeight, getWidth(), trackHeight); }

    juce::Rectangle<int> audioBoundsOf (std::size_t rowIndex, const model::AudioClip& c) const
    {
        const auto x1 = arrangementClampX (view.axis.xForTick ((double) c.start));
        const auto x2 = arrangementClampX (view.axis.xForTick (view.audioClipEnd (c)));
        const auto left = (int) std::floor (x1);
        return { left, (int) rowIndex * trackHeight + 2, juce::jmax (2, (int) std::ceil (x2) - left), trackHeight - 4 };
    }

    void repaintPlayhead (double tick)
    {
        if (tick >= 0.0)
            repaint ((int) view.axis.xForTick (tick) - 1, 0, 4, getHeight());
    }

    //==============================================================================
    void paint (juce::Graphics& g) override
    {
        using Palette = LookAndFeel::Palette;
        ++paintCount;
        const auto clip = g.getClipBounds();
        g.fillAll (Palette::background);
        const auto& session = view.context.getSession();
        const bool dim = session.arrangement.mode == model::PlayMode::pattern;

        // Rows in view (every row when not culling: the baseline draws everything and lets the
        // renderer's clip throw it away).
        const auto first = view.culls ? (std::size_t) juce::jmax (0, clip.getY() / trackHeight) : 0;
        const auto end = view.culls ? std::min (view.rows.size(), (std::size_t) juce::jmax (0, (clip.getBottom() + trackHeight - 1) / trackHeight))
                                    : view.rows.size();
        g.setColour (Palette::panel.withAlpha (0.35f));
        for (auto i = first; i < end; ++i)
            if (i % 2 == 1)
                g.fillRect (0, (int) i * trackHeight, getWidth(), trackHeight);
        paintTimeGrid (g, clip, view.axis, BarGrid::of (session.settings), view.snap);
        g.setColour (Palette::outline.withAlpha (0.6f));
        for (auto i = first; i < end; ++i)
            g.fillRect (clip.getX(), (int) (i + 1) * trackHeight - 1, clip.getWidth(), 1);

        const auto visibleStart = view.culls ? std::max (0.0, view.axis.tickForX (clip.getX())) : 0.0;
        const auto visibleEnd = view.culls ? view.axis.tickForX (clip.getRight()) : std::numeric_limits<double>::max();
        for (auto i = first; i < end; ++i)
        {
            const auto& row = view.rows[i];
            const auto colour = arrangementColourFor (i);
            for (const auto& p : row.placements)
            {
                const auto bounds = boundsOf (i, p);
                if (view.culls && (bounds.getRight() < clip.getX() || bounds.getX() > clip.getRight()))
                    continue;
                const auto it = row.clips.find (p.clip);
                paintPlacement (g, p, it != row.clips.end() ? &it->second : nullptr, bounds, colour, dim, view.selected.count (p.id) != 0, visibleStart, visibleEnd);
            }
            for (const auto& c : row.audioClips)
            {
                if (view.culls && ((double) c.start > visibleEnd || view.audioClipEnd (c) < visibleStart))
                    continue;
                const bool isSelected = view.selectedAudio.has_value() && view.selectedAudio->instrument == row.instrument && view.selectedAudio->clip == c;
                paintAudioClip (g, c, audioBoundsOf (i, c), colour, isSelected, clip);
            }
        }

        // The copies a copy-drag would make.
        if (drag == Drag::copy && dragged)
            for (const auto& [id, start] : startsAtDown)
                if (const auto* p = session.arrangement.placements.find (id))
                    if (const auto index = view.rowIndexOf (clipInstrument (p->clip)); index >= 0)
                    {
                        auto ghost = *p;
                        ghost.start = start + delta;
                        const auto r = boundsOf ((std::size_t) index, ghost).toFloat().reduced (0.5f);
                        g.setColour (Palette::text.withAlpha (0.18f));
                        g.fillRoundedRectangle (r, 3.0f);
                        g.setColour (Palette::text.withAlpha (0.8f));
                        g.drawRoundedRectangle (r, 3.0f, 1.2f);
                    }

        if (! box.isEmpty())
        {
            g.setColour (Palette::accent.withAlpha (0.15f));
            g.fillRect (box);
            g.setColour (Palette::accent);
            g.drawRect (box, 1.0f);
        }
        if (view.playhead >= 0.0) // none until the first meter frame
            paintPlayHead (g, getLocalBounds(), view.axis, view.playhead);
    }

    void paintPlacement (juce::Graphics& g, const model::Placement& p, const ClipShown* clip, juce::Rectangle<int> bounds, juce::Colour colour, bool dim, bool isSelected, double visibleStart, double visibleEnd)
    {
        using Palette = LookAndFeel::Palette;
        const auto r = bounds.toFloat().reduced (0.5f, 0.0f);
        // Pattern mode: the song does not play, so the clips fade back.
        const auto body = dim ? colour.withMultipliedSaturation (0.35f).withAlpha (0.45f) : colour.withAlpha (0.85f);
        g.setColour (body);
        g.fillRoundedRectangle (r, 3.0f);
        g.setColour (dim ? body.darker (0.3f) : colour.darker (0.35f));
        g.fillRoundedRectangle (r.withHeight ((float) arrangementTitleHeight), 3.0f);
        g.fillRect (r.withTrimmedTop (3.0f).withHeight ((float) arrangementTitleHeight - 3.0f));

        juce::Graphics::ScopedSaveState state (g);
        g.reduceClipRegion (bounds);
        if (clip != nullptr)
        {
            g.setColour (Palette::text.withAlpha (dim ? 0.55f : 1.0f));
            g.setFont (juce::Font (11.5f, juce::Font::bold));
            // The name stays readable when the block starts off the left edge, and ends where the clip's
            // first pass does (each repeat shows it again).
            const auto textLeft = juce::jmax (r.getX(), 0.0f);
            const auto firstPassEnd = juce::jmin (r.getRight(), view.axis.xForTick ((double) (p.start + std::min (clip->clip.length, view.placementLength (p)))));
            g.drawText (juce::String (clip->clip.name), juce::Rectangle<float> (textLeft + 5.0f, r.getY(), firstPassEnd - textLeft - 8.0f, (float) arrangementTitleHeight), juce::Justification::centredLeft, true);
            paintNotes (g, p, *clip, r.withTrimmedTop ((float) arrangementTitleHeight + 2.0f).withTrimmedBottom (3.0f), dim, visibleStart, visibleEnd);
        }
        g.setColour (isSelected ? juce::Colours::white : colour.darker (0.6f));
        g.drawRoundedRectangle (r.reduced (0.5f), 3.0f, isSelected ? 1.8f : 1.0f);
    }

    /** An audio clip: a block in the track's colour with the file's name (and gain, when not 0 dB) and
        the waveform of the part of the file it plays; a missing file is hatched and says so. The
        waveform is what the thumbnail has read so far: painting never reads the file. */
    void paintAudioClip (juce::Graphics& g, const model::AudioClip& c, juce::Rectangle<int> bounds, juce::Colour colour, bool isSelected, juce::Rectangle<int> visible)
    {
        using Palette = LookAndFeel::Palette;
        const auto r = bounds.toFloat().reduced (0.5f, 0.0f);
        const auto* file = view.audioFileOf (c);
        const bool missing = file == nullptr || file->missing;
        const auto name = view.context.resolveSessionPath (c.path).getFileName();

        juce::Graphics::ScopedSaveState state (g);
        g.reduceClipRegion (bounds.expanded (1));
        if (missing)
        {
            // Clearly not audio: a dark block with warning stripes and a dashed outline.
            g.setColour (Palette::background.brighter (0.08f));
            g.fillRoundedRectangle (r, 3.0f);
            g.setColour (juce::Colour (0xffd06a4a).withAlpha (0.35f));
            const auto from = juce::jmax (r.getX(), (float) visible.getX() - r.getHeight());
            const auto to = juce::jmin (r.getRight(), (float) visible.getRight() + r.getHeight());
            for (auto x = from - std::fmod (from, 12.0f); x < to; x += 12.0f)
                g.drawLine (x, r.getBottom(), x + r.getHeight(), r.getY(), 2.0f);
            juce::Path outline;
            outline.addRoundedRectangle (r.reduced (0.5f), 3.0f);
            juce::Path dashed;
            const float dashes[] = { 5.0f, 3.0f };
            juce::PathStrokeType (1.2f).createDashedStroke (dashed, outline, dashes, 2);
            g.setColour (isSelected ? juce::Colours::white : juce::Colour (0xffd06a4a));
            g.fillPath (dashed);
            g.setColour (Palette::text);
            g.setFont (juce::Font (11.5f, juce::Font::bold));
            const auto textLeft = juce::jmax (r.getX(), 0.0f) + 5.0f;
            g.drawText ("missing: " + name, juce::Rectangle<float> (textLeft, r.getY(), r.getRight() - textLeft - 3.0f, (float) arrangementTitleHeight), juce::Justification::centredLeft, true);
            return;
        }

        g.setColour (colour.withAlpha (0.85f));
        g.fillRoundedRectangle (r, 3.0f);
        g.setColour (colour.darker (0.35f));
        g.fillRoundedRectangle (r.withHeight ((float) arrangementTitleHeight), 3.0f);
        g.fillRect (r.withTrimmedTop (3.0f).withHeight ((float) arrangementTitleHeight - 3.0f));

        // The waveform of the visible part only: the thumbnail draws its overview between two times.
        const auto wave = r.withTrimmedTop ((float) arrangementTitleHeight + 1.0f).withTrimmedBottom (2.0f);
        const auto spt = view.samplesPerTick (c);
        const auto fromX = juce::jmax (wave.getX(), (float) visible.getX());
        const auto toX = juce::jmin (wave.getRight(), (float) visible.getRight());
        if (toX > fromX && file->sampleRate > 0.0)
        {
            auto secondsAt = [&] (float x)
            { return ((double) c.offset + (view.axis.tickForX (x) - (double) c.start) * spt) / file->sampleRate; };
            const auto area = juce::Rectangle<float> (fromX, wave.getY(), toX - fromX, wave.getHeight()).getSmallestIntegerContainer();
            g.setColour (juce::Colours::white.withAlpha (0.8f));
            file->thumbnail->drawChannels (g, area, secondsAt ((float) area.getX()), secondsAt ((float) area.getRight()), juce::jmax (0.001f, c.gain));
        }

        g.setColour (Palette::text);
        g.setFont (juce::Font (11.5f, juce::Font::bold));
        auto label = name;
        if (std::abs (c.gain - 1.0f) > 1.0e-4f)
            label << "  " << (c.gain <= 0.0f ? juce::String ("silent") : juce::String (juce::Decibels::gainToDecibels (c.gain), 1) + " dB");
        const auto textLeft = juce::jmax (r.getX(), 0.0f) + 5.0f;
        g.drawText (label, juce::Rectangle<float> (textLeft, r.getY(), r.getRight() - textLeft - 3.0f, (float) arrangementTitleHeight), juce::Justification::centredLeft, true);
        g.setColour (isSelected ? juce::Colours::white : colour.darker (0.6f));
        g.drawRoundedRectangle (r.reduced (0.5f), 3.0f, isSelected ? 1.8f : 1.0f);
    }

    /** The clip's notes in miniature, once per repetition, only those in view (unless not culling). */
    void paintNotes (juce::Graphics& g, const model::Placement& p, const ClipShown& shown, juce::Rectangle<float> area, bool dim, double visibleStart, double visibleEnd)
    {
        const auto& clip = shown.clip;
        const auto clipLength = std::max<model::Tick> (1, clip.length);
        const auto length = view.placementLength (p);
        const auto pitchSpan = std::max (12, shown.highPitch - shown.lowPitch + 1);
        const auto lowPitch = shown.lowPitch - (pitchSpan - (shown.highPitch - shown.lowPitch + 1)) / 2;
        const auto noteH = juce::jmax (1.5f, area.getHeight() / (float) pitchSpan);
        const auto repetitions = (length + clipLength - 1) / clipLength;

        // Only the repetitions that reach into view.
        auto firstRep = (model::Tick) 0, lastRep = repetitions - 1;
        if (view.culls)
        {
            firstRep = std::max<model::Tick> (0, (model::Tick) std::floor ((visibleStart - (double) p.start) / (double) clipLength));
            lastRep = std::min (lastRep, (model::Tick) std::floor ((visibleEnd - (double) p.start) / (double) clipLength));
        }
        for (auto rep = firstRep; rep <= lastRep; ++rep)
        {
            const auto repStart = p.start + rep * clipLength;
            const auto repLength = std::min (clipLength, p.start + length - repStart);
            if (rep > 0)
            {
                // Where the clip starts again: a line down the block, a notch in the name bar, and the
                // name again, fainter, where there is room for it.
                const auto x = view.axis.xForTick ((double) repStart);
                const auto top = area.getY() - (float) arrangementTitleHeight - 2.0f;
                g.setColour (juce::Colours::black.withAlpha (0.45f));
                g.fillRect (juce::Rectangle<float> (x - 0.5f, top, 1.5f, area.getBottom() + 3.0f - top));
                juce::Path notch;
                notch.addTriangle (x - 4.0f, top, x + 4.0f, top, x, top + 5.0f);
                g.setColour (juce::Colours::white.withAlpha (dim ? 0.35f : 0.7f));
                g.fillPath (notch);
                const auto width = view.axis.xForTick ((double) (repStart + repLength)) - x;
                if (width > 48.0f)
                {
                    g.setColour (LookAndFeel::Palette::text.withAlpha (dim ? 0.35f : 0.6f));
                    g.setFont (juce::Font (11.5f));
                    g.drawText (juce::String (clip.name), juce::Rectangle<float> (x + 6.0f, top, width - 9.0f, (float) arrangementTitleHeight), juce::Justification::centredLeft, true);
                }
            }
            // Repeats are drawn a little fainter than the clip's first pass.
            g.setColour (juce::Colours::white.withAlpha ((dim ? 0.4f : 0.85f) * (rep > 0 ? 0.75f : 1.0f)));
            auto from = clip.notes.begin();
            if (view.culls)
            {
                // A note that starts before the view can still reach into it, up to the clip's longest note.
                const auto fromTick = (model::Tick) std::floor (visibleStart) - repStart - shown.longestNote;
                from = std::lower_bound (clip.notes.begin(), clip.notes.end(), fromTick, [] (const model::Note& n, model::Tick t)
                                         { return n.tick < t; });
            }
            const auto toTick = view.culls ? (double) repLength : (double) std::numeric_limits<model::Tick>::max();
            const auto visibleEndInRep = visibleEnd - (double) repStart;
            for (auto it = from; it != clip.notes.end() && (double) it->tick < toTick; ++it)
            {
                if (it->tick >= repLength)
                    break; // past the clip's end: kept in the clip but not played
                if (view.culls && (double) it->tick > visibleEndInRep)
                    break;
                const auto x1 = view.axis.xForTick ((double) (repStart + it->tick));
                const auto x2 = view.axis.xForTick ((double) (repStart + std::min (repLength, it->tick + it->duration)));
                const auto y = area.getBottom() - (float) (it->pitch - lowPitch + 1) * (area.getHeight() / (float) pitchSpan);
                g.fillRect (juce::Rectangle<float> (arrangementClampX (x1), y, juce::jmax (1.0f, arrangementClampX (x2) - arrangementClampX (x1) - 0.5f), noteH));
            }
        }
    }

    //==============================================================================
    struct Hit
    {
        std::size_t row = 0;
        model::Placement placement;
        bool rightEdge = false;
    };

    std::optional<Hit> hitAt (juce::Point<float> at) const
    {
        if (at.y < 0.0f)
            return std::nullopt;
        const auto index = (std::size_t) (at.y / (float) trackHeight);
        if (index >= view.rows.size())
            return std::nullopt;
        const auto& row = view.rows[index];
        // The last drawn is on top.
        for (auto it = row.placements.rbegin(); it != row.placements.rend(); ++it)
        {
            const auto b = boundsOf (index, *it).toFloat();
            if (b.contains (at))
                return Hit { index, *it, b.getWidth() > 3.0f * arrangementEdgeGrab && at.x >= b.getRight() - arrangementEdgeGrab };
        }
        return std::nullopt;
    }

    enum class AudioEdge
    {
        none,
        left,
        right
    };
    struct AudioHit
    {
        std::size_t row = 0;
        model::AudioClip clip;
        AudioEdge edge = AudioEdge::none;
    };

    std::optional<AudioHit> audioHitAt (juce::Point<float> at) const
    {
        if (at.y < 0.0f)
            return std::nullopt;
        const auto index = (std::size_t) (at.y / (float) trackHeight);
        if (index >= view.rows.size())
            return std::nullopt;
        const auto& clips = view.rows[index].audioClips;
        // The last drawn is on top.
        for (auto it = clips.rbegin(); it != clips.rend(); ++it)
        {
            const auto b = audioBoundsOf (index, *it).toFloat();
            if (! b.contains (at))
                continue;
            auto edge = AudioEdge::none;
            if (b.getWidth() > 3.0f * arrangementEdgeGrab)
            {
                if (at.x >= b.getRight() - arrangementEdgeGrab)
                    edge = AudioEdge::right;
                else if (at.x < b.getX() + arrangementEdgeGrab)
                    edge = AudioEdge::left;
            }
            return AudioHit { index, *it, edge };
        }
        return std::nullopt;
    }

    /** What a drag of an audio clip makes of it, from the clip as it was at the press: moved along the
        track, or trimmed at one edge, snapped like the placements; never before the song or the file,
        never past the file's end, never shorter than a grid step. */
    model::AudioClip draggedAudioClip (double rawDelta) const
    {
        auto c = audioAnchor;
        const auto spt = view.samplesPerTick (audioAnchor);
        switch (audioDrag)
        {
            case AudioEdge::none:
                c.start = std::max<model::Tick> (0, view.snap.snap (audioAnchor.start + (model::Tick) std::llround (rawDelta)));
                break;
            case AudioEdge::left:
            {
                const auto minimum = std::min (audioAnchor.length, std::max<std::int64_t> (1, std::llround ((double) view.snap.stepOrSixteenth() * spt)));
                auto start = std::max<model::Tick> (0, view.snap.snap (audioAnchor.start + (model::Tick) std::llround (rawDelta)));
                auto samples = (std::int64_t) std::llround ((double) (start - audioAnchor.start) * spt);
                const auto clamped = juce::jlimit (-audioAnchor.offset, audioAnchor.length - minimum, samples);
                if (clamped != samples)
                {
                    samples = clamped;
                    start = audioAnchor.start + (model::Tick) std::llround ((double) samples / spt);
                }
                c.start = std::max<model::Tick> (0, start);
                c.offset = audioAnchor.offset + samples;
                c.length = audioAnchor.length - samples;
                break;
            }
            case AudioEdge::right:
            {
                const auto minimum = std::min (audioAnchor.length, std::max<std::int64_t> (1, std::llround ((double) view.snap.stepOrSixteenth() * spt)));
                const auto* file = view.audioFileOf (audioAnchor);
                // A missing file's length is unknown: such a clip can only get shorter.
                const auto maximum = file != nullptr && ! file->missing ? std::max (minimum, file->length - audioAnchor.offset) : audioAnchor.length;
                const auto end = view.snap.snap ((model::Tick) std::llround (view.audioClipEnd (audioAnchor) + rawDelta));
                c.length = juce::jlimit (minimum, maximum, (std::int64_t) std::llround ((double) (end - audioAnchor.start) * spt));
                break;
            }
        }
        return c;
    }

    model::InstrumentId clipInstrument (model::ClipId id) const
    {
        const auto* clip = view.context.getSession().arrangement.clips.find (id);
        return clip != nullptr ? clip->instrument : model::InstrumentId {};
    }

    void mouseMove (const juce::MouseEvent& e) override
    {
        if (const auto audio = audioHitAt (e.position))
        {
            setMouseCursor (audio->edge != AudioEdge::none ? juce::MouseCursor::LeftRightResizeCursor : juce::MouseCursor::NormalCursor);
            return;
        }
        const auto hit = hitAt (e.position);
        setMouseCursor (hit && hit->rightEdge ? juce::MouseCursor::LeftRightResizeCursor : juce::MouseCursor::NormalCursor);
    }

    void mouseDown (const juce::MouseEvent& e) override
    {
        grabKeyboardFocus();
        drag = Drag::none;
        dragged = false;
        delta = 0;
        downAt = e.position;
        audioDragging = false;

        if (const auto audio = audioHitAt (e.position))
        {
            const AudioClipRef ref { view.rows[audio->row].instrument, audio->clip };
            view.setSelectedAudioClip (ref);
            if (e.mods.isPopupMenu())
            {
                view.getAudioClipMenu (ref).showMenuAsync (juce::PopupMenu::Options().withTargetComponent (this).withMousePosition(),
                                                           [safe = juce::Component::SafePointer<ArrangementView> (&view), ref] (int chosen)
                                                           {
                                                               if (safe != nullptr)
                                                                   safe->audioClipMenuItemChosen (ref, chosen);
                                                           });
                return;
            }
            audioDragging = true;
            audioDrag = audio->edge;
            audioInstrument = ref.instrument;
            audioAnchor = audioNow = audio->clip;
            return;
        }

        const auto hit = hitAt (e.position);
        if (hit)
            view.setSelectedAudioClip (std::nullopt);

        if (e.mods.isPopupMenu())
        {
            if (! hit)
                return;
            if (view.selected.count (hit->placement.id) == 0)
                view.setSelectedPlacements ({ hit->placement.id });
            const auto id = hit->placement.id;
            view.getPlacementMenu (id).showMenuAsync (juce::PopupMenu::Options().withTargetComponent (this).withMousePosition(),
                                                      [safe = juce::Component::SafePointer<ArrangementView> (&view), id] (int chosen)
                                                      {
                                                          if (safe != nullptr)
                                                              safe->placementMenuItemChosen (id, chosen);
                                                      });
            return;
        }

        if (! hit)
        {
            view.setSelectedAudioClip (std::nullopt);
            drag = Drag::box;
            selectedBeforeBox = e.mods.isShiftDown() ? view.selected : std::set<model::PlacementId> {};
            if (! e.mods.isShiftDown())
                view.setSelectedPlacements ({});
            return;
        }

        const auto id = hit->placement.id;
        clickedWithoutDrag = id;
        if (e.mods.isShiftDown())
        {
            auto now = view.selected;
            if (now.count (id) != 0)
            {
                now.erase (id); // Shift-click on a selected placement takes it out
                view.setSelectedPlacements (std::move (now));
                clickedWithoutDrag = {};
                return;
            }
            now.insert (id);
            view.setSelectedPlacements (std::move (now));
            clickedWithoutDrag = {};
        }
        else if (view.selected.count (id) == 0)
        {
            view.setSelectedPlacements ({ id });
        }

        anchor = id;
        anchorStart = hit->placement.start;
        anchorLength = view.placementLength (hit->placement);
        startsAtDown.clear();
        for (const auto& p : view.context.getSession().arrangement.placements)
            if (view.selected.count (p.id) != 0)
                startsAtDown[p.id] = p.start;
        if (hit->rightEdge)
            drag = Drag::resize;
        else
            drag = e.mods.isAltDown() || e.mods.isCommandDown() ? Drag::copy : Drag::move;
    }

    void mouseDrag (const juce::MouseEvent& e) override
    {
        if (audioDragging)
        {
            // The same slack as for placements; then each change of the clip is one EditAudioClip of the
            // clip as the last one left it, all in one gesture.
            if (! dragged && e.getDistanceFromDragStartX() * e.getDistanceFromDragStartX() + e.getDistanceFromDragStartY() * e.getDistanceFromDragStartY() < 9)
                return;
            dragged = true;
            const auto next = draggedAudioClip (view.axis.tickForX (e.position.x) - view.axis.tickForX (downAt.x));
            if (next == audioNow)
                return;
            gesture.begin();
            if (view.context.perform (model::action::EditAudioClip { audioInstrument, audioNow, next }).ok())
            {
                audioNow = next;
                view.setSelectedAudioClip (AudioClipRef { audioInstrument, next });
            }
            return;
        }
        // A few pixels of slack, so a click that wobbles is still a click.
        if (drag == Drag::none || (! dragged && e.getDistanceFromDragStartX() * e.getDistanceFromDragStartX() + e.getDistanceFromDragStartY() * e.getDistanceFromDragStartY() < 9))
            return;
        dragged = true;
        clickedWithoutDrag = {};
        const auto rawDelta = view.axis.tickForX (e.position.x) - view.axis.tickForX (downAt.x);
        switch (drag)
        {
            case Drag::box:
            {
                repaint (box.getSmallestIntegerContainer().expanded (2));
                box = juce::Rectangle<float> (downAt, e.position);
                auto now = selectedBeforeBox;
                for (std::size_t i = 0; i < view.rows.size(); ++i)
                {
                    const auto rowArea = juce::Rectangle<float> (0.0f, (float) (i * trackHeight), (float) getWidth(), (float) trackHeight);
                    if (! rowArea.intersects (box))
                        continue;
                    for (const auto& p : view.rows[i].placements)
                        if (boundsOf (i, p).toFloat().intersects (box))
                            now.insert (p.id);
                }
                view.setSelectedPlacements (std::move (now));
                repaint (box.getSmallestIntegerContainer().expanded (2));
                break;
            }
            case Drag::move:
            case Drag::copy:
            {
                // The grabbed placement lands on the grid; the others keep their distance to it. Only
                // along the time: a clip belongs to its instrument, so it never changes track.
                auto newDelta = view.snap.snap (anchorStart + (model::Tick) std::llround (rawDelta)) - anchorStart;
                for (const auto& [id, start] : startsAtDown)
                    newDelta = std::max (newDelta, -start);
                if (drag == Drag::copy)
                {
                    if (newDelta != delta)
                    {
                        delta = newDelta;
                        repaint();
                    }
                    break;
                }
                delta = newDelta;
                gesture.begin();
                for (const auto& [id, start] : startsAtDown)
                    if (const auto* p = view.context.getSession().arrangement.placements.find (id); p != nullptr && p->start != start + delta)
                        view.context.perform (model::action::MovePlacement { id, start + delta });
                break;
            }
            case Drag::resize:
            {
                const auto* p = view.context.getSession().arrangement.placements.find (anchor);
                if (p == nullptr)
                    break;
                const auto minimum = std::max<model::Tick> (1, view.snap.stepOrSixteenth());
                const auto end = view.snap.snap (anchorStart + anchorLength + (model::Tick) std::llround (rawDelta));
                const auto length = std::max (minimum, end - anchorStart);
                gesture.begin();
                if (length != view.placementLength (*p))
                    view.context.perform (model::action::ResizePlacement { anchor, length });
                break;
            }
            case Drag::none:
                break;
        }
    }

    void mouseUp (const juce::MouseEvent&) override
    {
        if (std::exchange (audioDragging, false))
        {
            gesture.end();
            dragged = false;
            return;
        }
        const auto was = std::exchange (drag, Drag::none);
        if (was == Drag::box)
        {
            repaint (box.getSmallestIntegerContainer().expanded (2));
            box = {};
        }
        if (was == Drag::copy && dragged)
        {
            repaint();
            if (delta != 0)
            {
                // The copies, one undo step.
                gesture.begin();
                std::set<model::PlacementId> copies;
                for (const auto& [id, start] : startsAtDown)
                    if (const auto* p = view.context.getSession().arrangement.placements.find (id))
                    {
                        const auto placement = *p; // the session changes under the reference
                        if (const auto r = view.context.perform (model::action::AddPlacement { placement.clip, start + delta, placement.length }); r.ok() && r.createdId != 0)
                            copies.insert (model::PlacementId { r.createdId });
                    }
                gesture.end();
                if (! copies.empty())
                    view.setSelectedPlacements (std::move (copies));
            }
        }
        gesture.end();
        // A click (no drag) on one of several selected placements selects just it.
        if (! dragged && clickedWithoutDrag.isValid())
            view.setSelectedPlacements ({ clickedWithoutDrag });
        clickedWithoutDrag = {};
        dragged = false;
    }

    void mouseDoubleClick (const juce::MouseEvent& e) override
    {
        if (e.mods.isPopupMenu() || audioHitAt (e.position))
            return;
        if (const auto hit = hitAt (e.position))
        {
            if (view.onOpenClip)
                view.onOpenClip (hit->placement.clip, hit->placement.id);
            return;
        }
        const auto index = e.y / trackHeight;
        if (e.y < 0 || index >= (int) view.rows.size() || view.rows[(std::size_t) index].audioTrack)
            return; // an audio track plays recorded audio, not notes
        // A new one-bar clip for this track, placed where the person clicked: one undo step.
        const auto instrument = view.rows[(std::size_t) index].instrument;
        const auto tick = std::max<model::Tick> (0, view.snap.snapDown (view.axis.tickAt (e.position.x)));
        Gesture both (view.context.session);
        both.begin();
        const auto clip = view.context.perform (model::action::AddClip { instrument, {}, view.barTicks(), false });
        if (clip.ok() && clip.createdId != 0)
            if (const auto placed = view.context.perform (model::action::AddPlacement { model::ClipId { clip.createdId }, tick, 0 }); placed.ok() && placed.createdId != 0)
                view.setSelectedPlacements ({ model::PlacementId { placed.createdId } });
        both.end();
    }

    //==============================================================================
    void beginRename (model::PlacementId id)
    {
        const auto* p = view.context.getSession().arrangement.placements.find (id);
        const auto* clip = p != nullptr ? view.context.getSession().arrangement.clips.find (p->clip) : nullptr;
        if (clip == nullptr)
            return;
        const auto index = view.rowIndexOf (clip->instrument);
        if (index < 0)
            return;
        renaming = clip->id;
        auto r = boundsOf ((std::size_t) index, *p).withHeight (arrangementTitleHeight + 6);
        r.setX (juce::jmax (0, r.getX()));
        r.setWidth (juce::jmax (140, juce::jmin (r.getWidth(), getWidth() - r.getX())));
        nameEditor.setBounds (r);
        nameEditor.setText (juce::String (clip->name), false);
        nameEditor.setVisible (true);
        nameEditor.grabKeyboardFocus();
        nameEditor.selectAll();
    }

    bool isRenaming() const noexcept { return renaming.isValid(); }

private:
    void finishRename (bool commit)
    {
        // Hiding the editor takes its focus away, which calls this again: the id makes that a no-op.
        const auto clip = std::exchange (renaming, model::ClipId {});
        if (! clip.isValid())
            return;
        const auto name = nameEditor.getText().trim();
        nameEditor.setVisible (false);
        const auto* c = view.context.getSession().arrangement.clips.find (clip);
        if (commit && c != nullptr && name.isNotEmpty() && name != juce::String (c->name))
            view.context.perform (model::action::RenameClip { clip, name.toStdString() });
    }

    ArrangementView& view;
    enum class Drag
    {
        none,
        box,
        move,
        copy,
        resize
    };
    Drag drag = Drag::none;
    bool dragged = false;
    juce::Point<float> downAt;
    std::map<model::PlacementId, model::Tick> startsAtDown; ///< the selection's starts at the press
    model::PlacementId anchor, clickedWithoutDrag;
    model::Tick anchorStart = 0, anchorLength = 0, delta = 0;
    std::set<model::PlacementId> selectedBeforeBox;
    bool audioDragging = false;
    AudioEdge audioDrag = AudioEdge::none;
    model::InstrumentId audioInstrument;
    model::AudioClip audioAnchor, audioNow; ///< the dragged clip at the press, and as the last edit left it
    juce::Rectangle<float> box;
    Gesture gesture { view.context.session };
    juce::TextEditor nameEditor;
    model::ClipId renaming;
};

} // namespace imbolc::gui
