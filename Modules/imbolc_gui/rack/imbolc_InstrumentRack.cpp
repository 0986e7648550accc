namespace imbolc::gui
{

namespace
{
    constexpr int rowHeight = 46;
    constexpr int headerHeight = 34;

    // Add menu item ids: one range per kind, so a chosen id says what to add.
    constexpr int builtInItemBase = 1;
    constexpr int superColliderItemBase = 101;
    constexpr int pluginItemBase = 1001;
    constexpr int noPluginsItem = 999;

    juce::String describeSource (const model::Source& source)
    {
        switch (source.kind)
        {
            case model::SourceKind::builtIn:
                return model::toString (source.builtIn);
            case model::SourceKind::plugin:
                return source.plugin.name.empty() ? juce::String (source.plugin.identifier) : juce::String (source.plugin.name);
            case model::SourceKind::synthDef:
                return "SynthDef " + juce::String (source.synthDef);
            case model::SourceKind::audioInput:
                return "audio input " + juce::String (source.inputChannel + 1) + "/" + juce::String (source.inputChannel + 2) + (source.monitoring ? "" : " (not monitored)");
            case model::SourceKind::audioClips:
                return "audio track (" + juce::String ((int) source.clips.size()) + (source.clips.size() == 1 ? " clip)" : " clips)");
        }
        return {};
    }

    InstrumentRack::Row::Shown makeShown (GuiContext& context, const model::Instrument& inst, const protocol::Ownership& ownership)
    {
        InstrumentRack::Row::Shown s;
        s.name = juce::String (inst.name);
        s.source = describeSource (inst.source);
        s.superCollider = inst.backend == model::Backend::superCollider;
        s.mute = inst.strip.mute;
        s.solo = inst.strip.solo;
        s.recordArmed = inst.recordArmed;
        s.midiChannel = inst.midiChannel;
        s.midiOutputChannel = inst.midiOutputChannel;
        s.editable = context.session.canEditInstrument (inst.id);
        const auto seat = context.session.getSeatId();
        for (const auto& owner : ownership.owners)
            if (owner.instrument == inst.id && owner.client != seat)
                s.seat = "seat " + juce::String (owner.client);
        return s;
    }
} // namespace

//==============================================================================
/** A row's level meter: its own opaque component, so a new peak repaints only the meter. */
class InstrumentRack::LevelMeter final : public juce::Component
{
public:
    LevelMeter()
    {
        setComponentID ("Meter");
        setOpaque (true);
        setInterceptsMouseClicks (false, false);
    }

    void setPeak (float p)
    {
        if (p == peak)
            return;
        peak = p;
        repaint();
    }

    void paint (juce::Graphics& g) override
    {
        ++paintCount;
        g.fillAll (LookAndFeel::Palette::background);
        if (peak <= 0.0f)
            return;
        // -60 dB .. +6 dB across the width; the colour says how close to clipping it is.
        const auto db = juce::Decibels::gainToDecibels (peak, -60.0f);
        const auto fraction = juce::jlimit (0.0f, 1.0f, (db + 60.0f) / 66.0f);
        g.setColour (db > 0.0f ? LookAndFeel::Palette::meterHigh : db > -6.0f ? LookAndFeel::Palette::meterMid : LookAndFeel::Palette::meterLow);
        g.fillRect (getLocalBounds().toFloat().withWidth ((float) getWidth() * fraction));
    }

    float peak = 0.0f;
    int paintCount = 0;
};

//==============================================================================
InstrumentRack::Row::Row (InstrumentRack& r, model::InstrumentId i)
    : rack (r),
      id (i),
      meter (std::make_unique<LevelMeter>())
{
    setComponentID ("InstrumentRow" + juce::String (id.value));
    setOpaque (true);

    mute.setComponentID ("Mute");
    solo.setComponentID ("Solo");
    mute.setTooltip ("Mute");
    solo.setTooltip ("Solo");
    recordArm.setComponentID ("RecordArm");
    recordArm.setTooltip ("Record arm: while the transport records, what is played into this instrument is recorded");
    mute.setColour (juce::TextButton::buttonOnColourId, LookAndFeel::Palette::mute);
    solo.setColour (juce::TextButton::buttonOnColourId, LookAndFeel::Palette::solo);
    recordArm.setColour (juce::TextButton::buttonOnColourId, LookAndFeel::Palette::meterHigh);
    for (auto* b : { &mute, &solo, &recordArm })
    {
        // The buttons show the session; a click asks for the change.
        b->setClickingTogglesState (false);
        b->setWantsKeyboardFocus (false);
        b->setColour (juce::TextButton::textColourOnId, LookAndFeel::Palette::background);
        const int left = juce::Button::ConnectedOnLeft, right = juce::Button::ConnectedOnRight;
        b->setConnectedEdges (b == &mute ? right : (b == &solo ? left | right : left));
        addAndMakeVisible (*b);
    }
    mute.onClick = [this] { rack.context.perform (model::action::SetMute { model::NodeKind::instrument, id.value, ! shown.mute }); };
    solo.onClick = [this] { rack.context.perform (model::action::SetSolo { model::NodeKind::instrument, id.value, ! shown.solo }); };
    recordArm.onClick = [this] { rack.context.perform (model::action::SetRecordArm { id, ! shown.recordArmed }); };

    addAndMakeVisible (*meter);

    nameEditor.setComponentID ("NameEditor");
    nameEditor.setFont (juce::Font (14.0f, juce::Font::bold));
    nameEditor.setColour (juce::TextEditor::backgroundColourId, LookAndFeel::Palette::background);
    nameEditor.setColour (juce::TextEditor::textColourId, LookAndFeel::Palette::text);
    nameEditor.setColour (juce::TextEditor::focusedOutlineColourId, LookAndFeel::Palette::accent);
    nameEditor.setIndents (4, 2);
    nameEditor.onReturnKey = [this] { finishRename (true); };
    nameEditor.onEscapeKey = [this] { finishRename (false); };
    nameEditor.onFocusLost = [this] { finishRename (true); };
    addChildComponent (nameEditor);
}

InstrumentRack::Row::~Row() = default;

void InstrumentRack::Row::show (const Shown& s)
{
    if (s == shown)
        return;
    shown = s;
    mute.setToggleState (s.mute, juce::dontSendNotification);
    solo.setToggleState (s.solo, juce::dontSendNotification);
    recordArm.setToggleState (s.recordArmed, juce::dontSendNotification);
    mute.setEnabled (s.editable);
    solo.setEnabled (s.editable);
    recordArm.setEnabled (s.editable);
    setTooltip (s.editable ? juce::String() : "Owned by " + (s.seat.isEmpty() ? juce::String ("another seat") : s.seat) + ": only its owner edits it");
    repaint();
}

void InstrumentRack::Row::setSelected (bool shouldBeSelected)
{
    if (selected == shouldBeSelected)
        return;
    selected = shouldBeSelected;
    repaint();
}

void InstrumentRack::Row::setPeak (float p)
{
    meter->setPeak (p);
}

int InstrumentRack::Row::meterPaintCount() const noexcept
{
    return meter->paintCount;
}

juce::Rectangle<int> InstrumentRack::Row::getNameArea() const
{
    return { 10, 4, juce::jmax (0, mute.getX() - 18), 20 };
}

void InstrumentRack::Row::paint (juce::Graphics& g)
{
    ++paintCount;
    g.fillAll (selected ? LookAndFeel::Palette::selection : LookAndFeel::Palette::panel);
    g.setColour (LookAndFeel::Palette::background);
    g.fillRect (getLocalBounds().removeFromBottom (1));
    if (selected)
    {
        g.setColour (LookAndFeel::Palette::accent);
        g.fillRect (0, 0, 3, getHeight() - 1);
    }

    const auto nameArea = getNameArea();
    if (! renaming)
    {
        g.setColour (shown.editable ? LookAndFeel::Palette::text : LookAndFeel::Palette::textDim);
        g.setFont (juce::Font (14.0f, juce::Font::bold));
        g.drawFittedText (shown.name, nameArea, juce::Justification::centredLeft, 1, 0.8f);
    }

    // Second line: the source, then the marks (SuperCollider, the owning seat).
    auto line = juce::Rectangle<int> (nameArea.getX(), nameArea.getBottom() + 1, nameArea.getWidth(), 16);
    const juce::Font small (12.0f);
    g.setFont (small);
    auto marks = line;
    if (shown.seat.isNotEmpty())
    {
        const auto w = small.getStringWidth (shown.seat) + 4;
        g.setColour (LookAndFeel::Palette::mute);
        g.drawText (shown.seat, marks.removeFromRight (w), juce::Justification::centredRight, false);
        marks.removeFromRight (4);
    }
    if (shown.midiChannel > 0)
    {
        // Which MIDI channel plays it whatever is selected: small, like the seat, in the accent colour.
        const auto text = "ch " + juce::String (shown.midiChannel);
        const auto w = small.getStringWidth (text) + 4;
        g.setColour (LookAndFeel::Palette::accent);
        g.drawText (text, marks.removeFromRight (w), juce::Justification::centredRight, false);
        marks.removeFromRight (4);
    }
    if (shown.midiOutputChannel > 0)
    {
        // Its notes also leave on this MIDI output channel (an external synth).
        const auto text = "out " + juce::String (shown.midiOutputChannel);
        const auto w = small.getStringWidth (text) + 4;
        g.setColour (LookAndFeel::Palette::accent);
        g.drawText (text, marks.removeFromRight (w), juce::Justification::centredRight, false);
        marks.removeFromRight (4);
    }
    if (shown.superCollider)
    {
        const auto badge = marks.removeFromRight (22).withSizeKeepingCentre (22, 14).toFloat();
        marks.removeFromRight (4);
        g.setColour (LookAndFeel::Palette::accent);
        g.drawRoundedRectangle (badge.reduced (0.5f), 3.0f, 1.0f);
        g.setFont (juce::Font (10.0f, juce::Font::bold));
        g.drawText ("SC", badge, juce::Justification::centred, false);
        g.setFont (small);
    }
    g.setColour (selected ? LookAndFeel::Palette::text.withAlpha (0.75f) : LookAndFeel::Palette::textDim);
    g.drawFittedText (shown.source, marks, juce::Justification::centredLeft, 1, 0.9f);
}

void InstrumentRack::Row::resized()
{
    auto right = getLocalBounds().removeFromRight (90).reduced (4, 0);
    mute.setBounds (right.getX(), 5, right.getWidth() / 3, 20);
    solo.setBounds (mute.getRight(), 5, right.getWidth() / 3, 20);
    recordArm.setBounds (solo.getRight(), 5, right.getRight() - solo.getRight(), 20);
    meter->setBounds (right.getX(), 31, right.getWidth(), 6);
    nameEditor.setBounds (getNameArea().expanded (4, 2));
}

void InstrumentRack::Row::mouseDown (const juce::MouseEvent& e)
{
    rack.context.selection.selectInstrument (id);
    if (e.mods.isPopupMenu())
        rack.showRowMenu (id);
}

void InstrumentRack::Row::mouseDrag (const juce::MouseEvent& e)
{
    // A few pixels of slack, so a click that wobbles is still a click.
    if (! e.mods.isPopupMenu() && ! renaming && e.getDistanceFromDragStartY() != 0 && std::abs (e.getDistanceFromDragStartY()) > 4)
        rack.dragRow (id, e.getEventRelativeTo (&rack).getPosition());
}

void InstrumentRack::Row::mouseUp (const juce::MouseEvent&)
{
    rack.dropRow (id);
}

void InstrumentRack::Row::mouseDoubleClick (const juce::MouseEvent& e)
{
    if (! e.mods.isPopupMenu() && getNameArea().expanded (0, 2).contains (e.getPosition()))
        rack.beginRename (id);
}

void InstrumentRack::Row::startRename()
{
    renaming = true;
    nameEditor.setText (shown.name, false);
    nameEditor.setVisible (true);
    nameEditor.grabKeyboardFocus();
    nameEditor.selectAll();
    repaint();
}

void InstrumentRack::Row::finishRename (bool commit)
{
    // Hiding the editor takes its focus away, which calls this again: the flag makes that a no-op.
    if (! renaming)
        return;
    renaming = false;
    const auto name = nameEditor.getText().trim();
    nameEditor.setVisible (false);
    repaint();
    if (commit && name != shown.name)
        rack.context.perform (model::action::RenameInstrument { id, name.toStdString() });
}

//==============================================================================
InstrumentRack::InstrumentRack (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("InstrumentRack");
    setOpaque (true);

    addButton.setComponentID ("AddInstrument");
    addButton.setTooltip ("Adds an instrument: a built-in sound, a plugin, or one played on SuperCollider");
    addButton.setWantsKeyboardFocus (false);
    addButton.onClick = [this]
    {
        getAddMenu().showMenuAsync (juce::PopupMenu::Options().withTargetComponent (&addButton),
                                    [safe = juce::Component::SafePointer<InstrumentRack> (this)] (int chosen)
                                    {
                                        if (safe != nullptr)
                                            safe->addMenuItemChosen (chosen);
                                    });
    };
    addAndMakeVisible (addButton);

    viewport.setViewedComponent (&content, false);
    viewport.setScrollBarsShown (true, false);
    addAndMakeVisible (viewport);

    context.selection.addListener (this);
    context.meters.addListener (this);
    highlighted = context.selection.getInstrument();
    rebuildRows();
}

InstrumentRack::~InstrumentRack()
{
    context.meters.removeListener (this);
    context.selection.removeListener (this);
    rows.clear();
}

InstrumentRack::Row* InstrumentRack::getRow (model::InstrumentId id) const
{
    const auto it = rowIndex.find (id);
    return it == rowIndex.end() ? nullptr : rows[it->second].get();
}

//==============================================================================
void InstrumentRack::sessionChanged (const app::SessionChange& change)
{
    const auto& instruments = context.getSession().instruments;
    if (change.everything || change.items.instrumentsStructural)
    {
        // A deleted selection moves to its neighbour in the rack as it was (the rows are still the old ones).
        const auto selected = context.selection.getInstrument();
        if (selected.isValid() && ! instruments.contains (selected))
        {
            auto next = neighbourOf (selected);
            if (! next.isValid() && ! instruments.empty())
                next = instruments.begin()->id;
            context.selection.selectInstrument (next);
        }
        rebuildRows();
        return;
    }

    if (change.ownership)
    {
        refreshOwnership();
        return;
    }

    if (change.items.instruments.empty())
        return;
    const auto ownership = context.session.getOwnership();
    for (const auto id : change.items.instruments)
        if (auto* row = getRow (id))
            if (const auto* inst = instruments.find (id))
                row->show (makeShown (context, *inst, ownership));
}

void InstrumentRack::rebuildRows()
{
    rows.clear();
    rowIndex.clear();
    const auto& instruments = context.getSession().instruments;
    rows.reserve (instruments.size());
    for (const auto& inst : instruments)
    {
        rowIndex[inst.id] = rows.size();
        rows.push_back (std::make_unique<Row> (*this, inst.id));
        content.addAndMakeVisible (*rows.back());
    }
    framePeaks.assign (rows.size(), 0.0f);
    refreshOwnership();
    updateHighlight();
    layoutRows();
}

void InstrumentRack::refreshOwnership()
{
    const auto ownership = context.session.getOwnership();
    const auto& instruments = context.getSession().instruments;
    for (auto& row : rows)
        if (const auto* inst = instruments.find (row->getId()))
            row->show (makeShown (context, *inst, ownership));
}

void InstrumentRack::layoutRows()
{
    const auto total = (int) rows.size() * rowHeight;
    const auto width = viewport.getWidth() - (total > viewport.getHeight() ? viewport.getScrollBarThickness() : 0);
    content.setSize (juce::jmax (0, width), total);
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i]->setBounds (0, (int) i * rowHeight, content.getWidth(), rowHeight);
}

void InstrumentRack::updateHighlight()
{
    for (auto& row : rows)
        row->setSelected (row->getId() == highlighted);

    // Keep the selected row in view when the selection was made elsewhere.
    if (auto* row = getRow (highlighted))
    {
        const auto view = viewport.getViewArea();
        const auto b = row->getBounds();
        if (b.getY() < view.getY())
            viewport.setViewPosition (0, b.getY());
        else if (b.getBottom() > view.getBottom() && view.getHeight() > 0)
            viewport.setViewPosition (0, b.getBottom() - view.getHeight());
    }
}

void InstrumentRack::selectionChanged()
{
    const auto now = context.selection.getInstrument();
    const auto& instruments = context.getSession().instruments;
    // The window moves a deleted selection to the first instrument before the rack hears of the
    // change; the rack still has the old order, so it can move it to the deleted row's neighbour.
    if (highlighted.isValid() && now != highlighted && ! instruments.contains (highlighted))
    {
        if (const auto next = neighbourOf (highlighted); next.isValid() && next != now)
        {
            context.selection.selectInstrument (next);
            return;
        }
    }
    highlighted = now;
    updateHighlight();
}

model::InstrumentId InstrumentRack::neighbourOf (model::InstrumentId gone) const
{
    const auto it = rowIndex.find (gone);
    if (it == rowIndex.end())
        return {};
    const auto& instruments = context.getSession().instruments;
    for (auto i = it->second + 1; i < rows.size(); ++i)
        if (instruments.contains (rows[i]->getId()))
            return rows[i]->getId();
    for (auto i = it->second; i-- > 0;)
        if (instruments.contains (rows[i]->getId()))
            return rows[i]->getId();
    return {};
}

void InstrumentRack::metersUpdated (const MeterFrame& frame)
{
    std::fill (framePeaks.begin(), framePeaks.end(), 0.0f);
    for (const auto& strip : frame.metering.strips)
        if (strip.node == model::NodeKind::instrument)
            if (const auto it = rowIndex.find (model::InstrumentId { strip.id }); it != rowIndex.end())
                framePeaks[it->second] = juce::jmax (strip.left, strip.right);
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i]->setPeak (framePeaks[i]);
}

//==============================================================================
void InstrumentRack::beginRename (model::InstrumentId id)
{
    auto* row = getRow (id);
    if (row == nullptr)
        return;
    if (! context.session.canEditInstrument (id))
    {
        context.showMessage ("\"" + row->getShown().name + "\" belongs to " + (row->getShown().seat.isEmpty() ? juce::String ("another seat") : row->getShown().seat) + ": only its owner can rename it.");
        return;
    }
    context.selection.selectInstrument (id);
    viewport.setViewPosition (0, juce::jlimit (0, juce::jmax (0, content.getHeight() - viewport.getHeight()), row->getY() - viewport.getHeight() / 3));
    row->startRename();
}

juce::PopupMenu InstrumentRack::getAddMenu()
{
    juce::PopupMenu menu;
    for (int i = 0; i < model::numBuiltInSources; ++i)
        menu.addItem (builtInItemBase + i, model::toString ((model::BuiltInSource) i));
    menu.addSeparator();

    // Only formats the engine can load are offered, named as its plugin host names them.
    addMenuPlugins.clear();
    for (const auto& d : context.knownPlugins.getTypes())
        if (d.isInstrument && app::pluginRefFor (d).has_value())
            addMenuPlugins.push_back (d);
    std::stable_sort (addMenuPlugins.begin(), addMenuPlugins.end(), [] (const auto& a, const auto& b) { return a.name.compareNatural (b.name) < 0; });
    juce::PopupMenu plugins;
    for (std::size_t i = 0; i < addMenuPlugins.size(); ++i)
        plugins.addItem (pluginItemBase + (int) i, addMenuPlugins[i].name + " (" + addMenuPlugins[i].pluginFormatName + ")");
    if (addMenuPlugins.empty())
        plugins.addItem (noPluginsItem, "No plugin instruments found (scan for plugins first)", false);
    menu.addSubMenu ("Plugins", plugins);

    juce::PopupMenu superCollider;
    for (int i = 0; i < model::numBuiltInSources; ++i)
        if ((model::BuiltInSource) i != model::BuiltInSource::drumKit) // it plays on the internal engine only
            superCollider.addItem (superColliderItemBase + i, model::toString ((model::BuiltInSource) i));
    menu.addSubMenu ("On SuperCollider", superCollider);
    return menu;
}

void InstrumentRack::addMenuItemChosen (int itemId)
{
    const auto builtIn = [] (int index)
    {
        model::Source s;
        s.kind = model::SourceKind::builtIn;
        s.builtIn = (model::BuiltInSource) index;
        return s;
    };
    if (itemId >= builtInItemBase && itemId < builtInItemBase + model::numBuiltInSources)
    {
        const auto index = itemId - builtInItemBase;
        addInstrument (model::toString ((model::BuiltInSource) index), builtIn (index), model::Backend::internal);
    }
    else if (itemId >= superColliderItemBase && itemId < superColliderItemBase + model::numBuiltInSources)
    {
        const auto index = itemId - superColliderItemBase;
        addInstrument (model::toString ((model::BuiltInSource) index), builtIn (index), model::Backend::superCollider);
    }
    else if (itemId >= pluginItemBase && itemId - pluginItemBase < (int) addMenuPlugins.size())
    {
        // Loaded once for its parameters, so they can be shown, automated and saved like any other.
        const auto& d = addMenuPlugins[(std::size_t) (itemId - pluginItemBase)];
        juce::String error;
        const auto inspection = app::inspectPlugin (d, error);
        if (! inspection)
            return context.showMessage (error.isNotEmpty() ? error : "The plugin " + d.name + " could not be loaded.");
        model::Source s;
        s.kind = model::SourceKind::plugin;
        s.plugin = inspection->ref;
        s.params = inspection->params;
        addInstrument (d.name, std::move (s), model::Backend::internal);
    }
}

juce::String InstrumentRack::uniqueName (const juce::String& base) const
{
    std::set<juce::String> used;
    for (const auto& inst : context.getSession().instruments)
        used.insert (juce::String (inst.name));
    if (used.count (base) == 0)
        return base;
    for (int n = 2;; ++n)
        if (const auto candidate = base + " " + juce::String (n); used.count (candidate) == 0)
            return candidate;
}

void InstrumentRack::addInstrument (const juce::String& baseName, model::Source source, model::Backend backend)
{
    const auto result = context.perform (model::action::AddInstrument { uniqueName (baseName).toStdString(), std::move (source), backend });
    if (result.ok() && result.createdId != 0)
        context.selection.selectInstrument (model::InstrumentId { result.createdId });
}

juce::PopupMenu InstrumentRack::getRowMenu (model::InstrumentId id)
{
    const bool editable = context.session.canEditInstrument (id);
    juce::PopupMenu menu;
    menu.addItem (renameItem, "Rename", editable);
    menu.addItem (duplicateItem, "Duplicate", context.getSession().instruments.contains (id));
    const auto index = indexOf (id);
    menu.addItem (moveUpItem, "Move Up", editable && index > 0);
    menu.addItem (moveDownItem, "Move Down", editable && index >= 0 && index + 1 < (int) rows.size());
    {
        const auto* inst = context.getSession().instruments.find (id);
        const int current = inst != nullptr ? inst->midiChannel : 0;
        juce::PopupMenu channels;
        channels.addItem (midiChannelItem, "None (follows selection)", editable, current == 0);
        for (int c = 1; c <= model::Instrument::maxMidiChannel; ++c)
            channels.addItem (midiChannelItem + c, juce::String (c), editable, current == c);
        menu.addSubMenu ("MIDI Channel", channels, inst != nullptr);
        // Its notes to an external synth: the MIDI output device and Imbolc's JACK MIDI output.
        const int out = inst != nullptr ? inst->midiOutputChannel : 0;
        juce::PopupMenu outputs;
        outputs.addItem (midiOutputItem, "None", editable, out == 0);
        for (int c = 1; c <= model::Instrument::maxMidiChannel; ++c)
            outputs.addItem (midiOutputItem + c, "Channel " + juce::String (c), editable, out == c);
        menu.addSubMenu ("MIDI Output", outputs, inst != nullptr);
    }
    menu.addSeparator();
    menu.addItem (deleteItem, "Delete", editable);
    return menu;
}

void InstrumentRack::rowMenuItemChosen (model::InstrumentId id, int itemId)
{
    switch (itemId)
    {
        case renameItem:
            beginRename (id);
            break;
        case duplicateItem:
            if (const auto result = context.perform (model::action::DuplicateInstrument { id }); result.ok() && result.createdId != 0)
                context.selection.selectInstrument (model::InstrumentId { result.createdId });
            break;
        case deleteItem:
            // The selection moves to a neighbour in sessionChanged (the same for Edit > Delete).
            context.perform (model::action::DeleteInstrument { id });
            break;
        case moveUpItem:
            moveInstrument (id, indexOf (id) - 1);
            break;
        case moveDownItem:
            moveInstrument (id, indexOf (id) + 1);
            break;
        default:
            if (itemId >= midiChannelItem && itemId <= midiChannelItem + model::Instrument::maxMidiChannel)
                if (const auto* inst = context.getSession().instruments.find (id); inst != nullptr && inst->midiChannel != itemId - midiChannelItem)
                    context.perform (model::action::SetMidiChannel { id, itemId - midiChannelItem });
            if (itemId >= midiOutputItem && itemId <= midiOutputItem + model::Instrument::maxMidiChannel)
                if (const auto* inst = context.getSession().instruments.find (id); inst != nullptr && inst->midiOutputChannel != itemId - midiOutputItem)
                    context.perform (model::action::SetMidiOutput { id, itemId - midiOutputItem });
            break;
    }
}

int InstrumentRack::indexOf (model::InstrumentId id) const
{
    const auto it = rowIndex.find (id);
    return it != rowIndex.end() ? (int) it->second : -1;
}

void InstrumentRack::moveInstrument (model::InstrumentId id, int position)
{
    if (position < 0 || position == indexOf (id))
        return;
    context.perform (model::action::MoveInstrument { id, position });
}

void InstrumentRack::dragRow (model::InstrumentId id, juce::Point<int> positionInRack)
{
    if (indexOf (id) < 0 || ! context.session.canEditInstrument (id))
        return;
    // The row under the pointer, in the scrolled list; past the last row means last.
    const auto inContent = content.getLocalPoint (this, positionInRack);
    const auto index = juce::jlimit (0, juce::jmax (0, (int) rows.size() - 1), inContent.y / rowHeight);
    if (index != dropIndex)
    {
        dropIndex = index;
        repaint();
    }
}

void InstrumentRack::dropRow (model::InstrumentId id)
{
    if (dropIndex < 0)
        return;
    const auto target = std::exchange (dropIndex, -1);
    repaint();
    moveInstrument (id, target);
}

void InstrumentRack::paintOverChildren (juce::Graphics& g)
{
    if (dropIndex < 0 || dropIndex >= (int) rows.size())
        return;
    // A bar across the row whose place the dragged instrument will take.
    const auto b = getLocalArea (&content, rows[(std::size_t) dropIndex]->getBounds());
    g.setColour (LookAndFeel::Palette::accent);
    g.fillRect (b.getX(), b.getCentreY() - 1, b.getWidth(), 3);
}

void InstrumentRack::showRowMenu (model::InstrumentId id)
{
    getRowMenu (id).showMenuAsync (juce::PopupMenu::Options().withTargetComponent (getRow (id)),
                                   [safe = juce::Component::SafePointer<InstrumentRack> (this), id] (int chosen)
                                   {
                                       if (safe != nullptr)
                                           safe->rowMenuItemChosen (id, chosen);
                                   });
}

//==============================================================================
void InstrumentRack::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
    auto header = getLocalBounds().removeFromTop (headerHeight);
    g.setColour (LookAndFeel::Palette::panelLight);
    g.fillRect (header);
    g.setColour (LookAndFeel::Palette::text);
    g.setFont (juce::Font (14.0f, juce::Font::bold));
    g.drawText ("Instruments", header.reduced (10, 0), juce::Justification::centredLeft, false);
    g.setColour (LookAndFeel::Palette::outline);
    g.fillRect (getLocalBounds().removeFromRight (1));
    g.fillRect (header.removeFromBottom (1));
}

void InstrumentRack::resized()
{
    auto area = getLocalBounds().withTrimmedRight (1);
    auto header = area.removeFromTop (headerHeight);
    addButton.setBounds (header.removeFromRight (72).reduced (6, 5));
    viewport.setBounds (area);
    layoutRows();
}

} // namespace imbolc::gui
