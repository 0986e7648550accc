// The mixer: the strips in session order, what a change refreshes, the meters from the one meter clock,
// buses added and removed. One strip is in imbolc_MixerStrip.cpp.

namespace imbolc::gui
{

//==============================================================================
MixerView::MixerView (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("MixerView");
    setOpaque (true);

    viewport.setComponentID ("MixerViewport");
    viewport.setViewedComponent (&content, false);
    viewport.setScrollBarsShown (false, true);
    viewport.setScrollBarThickness (10);
    addAndMakeVisible (viewport);

    addBusButton.setComponentID ("AddBus");
    addBusButton.setTooltip ("Add a bus (an effect return or a group)");
    addBusButton.onClick = [this]
    {
        const auto result = context.perform (model::action::AddBus { {} });
        if (result.ok())
            if (auto* strip = findStrip (model::NodeKind::bus, result.createdId))
                viewport.setViewPosition (juce::jmax (0, strip->getRight() - viewport.getMaximumVisibleWidth() + 80), 0);
    };
    content.addAndMakeVisible (addBusButton);

    master = std::make_unique<MixerStrip> (context, model::NodeKind::master, 0);
    addAndMakeVisible (*master);

    rebuildStrips();
    context.meters.addListener (this);
    context.selection.addListener (this);
}

MixerView::~MixerView()
{
    context.selection.removeListener (this);
    context.meters.removeListener (this);
}

MixerStrip* MixerView::findStrip (model::NodeKind kind, std::uint32_t nodeId) const noexcept
{
    const auto it = byNode.find (keyOf (kind, kind == model::NodeKind::master ? 0u : nodeId));
    return it != byNode.end() ? it->second.strip : nullptr;
}

std::vector<MixerStrip*> MixerView::getStrips() const
{
    std::vector<MixerStrip*> out;
    for (const auto& s : strips)
        out.push_back (s.get());
    out.push_back (master.get());
    return out;
}

void MixerView::rebuildStrips()
{
    const auto& session = context.getSession();
    const auto scroll = viewport.getViewPosition();

    byNode.clear();
    strips.clear();
    strips.reserve (session.instruments.size() + session.mixer.buses.size());
    for (const auto& inst : session.instruments)
        strips.push_back (std::make_unique<MixerStrip> (context, model::NodeKind::instrument, inst.id.value));
    for (const auto& bus : session.mixer.buses)
        strips.push_back (std::make_unique<MixerStrip> (context, model::NodeKind::bus, bus.id.value));
    for (auto& s : strips)
    {
        content.addAndMakeVisible (*s);
        byNode[keyOf (s->getNode(), s->getId())] = { s.get() };
    }
    byNode[keyOf (model::NodeKind::master, 0)] = { master.get() };

    ++rebuilds;
    busNamesChanged();
    layoutStrips();
    for (auto& s : strips)
        s->refresh();
    master->refresh();
    refreshInputs();
    selectionChanged();
    viewport.setViewPosition (scroll);
}

void MixerView::layoutStrips()
{
    const auto h = juce::jmax (0, viewport.getHeight() - viewport.getScrollBarThickness());
    int x = 0;
    for (auto& s : strips)
    {
        s->setBounds (x, 0, MixerStrip::width, h);
        x += MixerStrip::width;
    }
    addBusButton.setBounds (x + 8, 8, 56, 28);
    content.setSize (x + 72, h);
}

void MixerView::refreshInputs()
{
    // Each bus names what feeds it, the master counts what goes straight to it.
    const auto& session = context.getSession();
    std::unordered_map<std::uint32_t, juce::StringArray> outs, sends;
    int toMaster = 0;
    for (const auto& inst : session.instruments)
    {
        if (inst.strip.output.isValid())
            outs[inst.strip.output.value].add (inst.name);
        else
            ++toMaster;
        for (const auto& send : inst.strip.sends)
            sends[send.bus.value].add (inst.name);
    }
    for (auto& s : strips)
    {
        if (s->getNode() != model::NodeKind::bus)
            continue;
        juce::StringArray lines;
        if (const auto it = outs.find (s->getId()); it != outs.end())
            lines.add ("In: " + it->second.joinIntoString (", "));
        if (const auto it = sends.find (s->getId()); it != sends.end())
            lines.add ("Sends: " + it->second.joinIntoString (", "));
        s->setInputsText (lines.isEmpty() ? juce::String ("Nothing goes here yet") : lines.joinIntoString ("\n"));
    }
    const auto buses = (int) session.mixer.buses.size();
    master->setInputsText ("In: " + juce::String (toMaster) + (toMaster == 1 ? " instrument" : " instruments")
                           + "\n+ " + juce::String (buses) + (buses == 1 ? " bus" : " buses") + "\nthen a safety limiter");
}

void MixerView::sessionChanged (const app::SessionChange& change)
{
    const auto& items = change.items;
    const auto& session = context.getSession();
    if (change.everything || items.instrumentsStructural || items.mixerStructural
        || strips.size() != session.instruments.size() + session.mixer.buses.size())
    {
        rebuildStrips();
        return;
    }

    // Look up what changed rather than walking every strip: a knob drag elsewhere refreshes one strip.
    bool feedsChanged = false;
    for (const auto& instrument : items.instruments)
        if (auto* s = findStrip (model::NodeKind::instrument, instrument.value))
            feedsChanged = s->refresh() || feedsChanged;
    for (const auto& bus : items.buses)
        if (auto* s = findStrip (model::NodeKind::bus, bus.value))
            s->refresh();
    if (items.master)
        master->refresh();

    // Bus names appear in every instrument strip's output menu and send rows.
    if (! items.buses.empty() && busNamesChanged())
        for (auto& s : strips)
            s->refreshBusNames();
    if (change.ownership)
        for (auto& s : strips)
            s->refreshEditable();
    if (feedsChanged)
        refreshInputs();
}

bool MixerView::busNamesChanged()
{
    const auto& buses = context.getSession().mixer.buses;
    std::vector<std::string> names;
    names.reserve (buses.size());
    for (const auto& b : buses)
        names.push_back (b.name);
    if (names == busNames)
        return false;
    busNames = std::move (names);
    return true;
}

void MixerView::metersUpdated (const MeterFrame& frame)
{
    const auto now = juce::Time::getMillisecondCounterHiRes();
    ++meterFrames;
    // One pass over the frame with a lookup per reading, rather than findStrip() per strip, so the cost
    // stays linear in a session of a thousand instruments.
    for (const auto& peak : frame.metering.strips)
        if (const auto it = byNode.find (keyOf (peak.node, peak.id)); it != byNode.end())
        {
            it->second.strip->getMeter().setPeaks (peak.left, peak.right, now);
            it->second.lastFrame = meterFrames;
        }
    master->getMeter().setPeaks (frame.metering.masterLeft, frame.metering.masterRight, now);

    // A strip the frame did not mention reads silence (its hold still falls).
    for (auto& [key, entry] : byNode)
        if (entry.strip != master.get() && entry.lastFrame != meterFrames)
            entry.strip->getMeter().setPeaks (0.0f, 0.0f, now);
}

void MixerView::selectionChanged()
{
    const auto subject = context.selection.getChainSubject();
    for (auto& [key, entry] : byNode)
        entry.strip->setShowingChain (entry.strip->getNode() == subject.node && entry.strip->getId() == subject.id);
}

void MixerView::paint (juce::Graphics& g)
{
    g.fillAll (Palette::panel);
    if (master != nullptr)
    {
        g.setColour (Palette::outline);
        g.fillRect (master->getX() - 3, 4, 1, getHeight() - 8);
    }
}

void MixerView::resized()
{
    auto area = getLocalBounds().reduced (0, 2);
    master->setBounds (area.removeFromRight (MixerStrip::width).withHeight (juce::jmax (0, area.getHeight() - viewport.getScrollBarThickness())));
    area.removeFromRight (6);
    viewport.setBounds (area);
    layoutStrips();
}

} // namespace imbolc::gui
