// The chain view: which chain it shows, when it rebuilds its panels and when it only updates values, the
// add-stage menu and the plugin windows. Its panels are in imbolc_ChainPanels.cpp.

namespace imbolc::gui
{

//==============================================================================
ChainView::ChainView (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("ChainView");

    title.setComponentID ("chainTitle");
    title.setFont (juce::Font (15.0f, juce::Font::bold));
    title.setColour (juce::Label::textColourId, LookAndFeel::Palette::text);
    addAndMakeVisible (title);

    viewport.setComponentID ("chainViewport");
    viewport.setViewedComponent (new ChainContent(), true);
    viewport.setScrollBarsShown (false, true, true, true);
    viewport.setScrollBarThickness (10);
    addAndMakeVisible (viewport);

    addButton.setComponentID ("addStage");
    addButton.setTooltip ("Add a filter, the EQ, an effect or a plugin at the end of the chain");
    addButton.onClick = [this]
    {
        getAddMenu().showMenuAsync (juce::PopupMenu::Options().withTargetComponent (&addButton),
                                    [safe = juce::WeakReference<ChainView> (this)] (int chosen)
                                    {
                                        if (safe != nullptr)
                                            safe->addMenuItemChosen (chosen);
                                    });
    };
    viewport.getViewedComponent()->addAndMakeVisible (addButton);

    context.selection.addListener (this);
    const auto s = context.selection.getChainSubject();
    subject = { s.node, s.id };
    rebuild();
}

ChainView::~ChainView()
{
    context.selection.removeListener (this);
    pluginWindows.clear(); // editors go before the plugins they show
    panels.clear();
}

void ChainView::selectionChanged()
{
    const auto s = context.selection.getChainSubject();
    if (s.node == subject.node && s.id == subject.id)
        return;
    subject = { s.node, s.id };
    rebuild();
}

const model::Instrument* ChainView::currentInstrument() const
{
    if (subject.node != model::NodeKind::instrument)
        return nullptr;
    return context.getSession().instruments.find (model::InstrumentId { subject.id });
}

const std::vector<model::Stage>* ChainView::currentChain() const
{
    const auto& session = context.getSession();
    switch (subject.node)
    {
        case model::NodeKind::instrument:
            if (const auto* inst = currentInstrument())
                return &inst->chain;
            return nullptr;
        case model::NodeKind::bus:
            if (const auto* bus = session.mixer.buses.find (model::BusId { subject.id }))
                return &bus->chain;
            return nullptr;
        case model::NodeKind::master:
            return &session.mixer.master.chain;
    }
    return nullptr;
}

bool ChainView::touches (const app::SessionChange& change) const
{
    if (change.everything)
        return true;
    switch (subject.node)
    {
        case model::NodeKind::instrument:
            return change.touchesInstrument (model::InstrumentId { subject.id });
        case model::NodeKind::bus:
            return change.items.mixerStructural || change.items.buses.count (model::BusId { subject.id }) != 0;
        case model::NodeKind::master:
            return change.items.mixerStructural || change.items.master;
    }
    return false;
}

bool ChainView::canEdit() const
{
    return subject.node != model::NodeKind::instrument || context.session.canEditInstrument (model::InstrumentId { subject.id });
}

std::string ChainView::structureOf() const
{
    // Everything that decides which panels and knobs exist; values, bypass, LFO settings and the voice
    // cap are updated in place.
    std::ostringstream s;
    s << (int) subject.node << ':' << subject.id << ';';
    const auto params = [&s] (const std::vector<model::Parameter>& list)
    {
        for (const auto& p : list)
            s << p.name << ',';
        s << ';';
    };
    if (const auto* inst = currentInstrument())
    {
        const auto& src = inst->source;
        s << "src" << (int) src.kind << '/' << (int) src.builtIn << '/' << src.plugin.identifier << '/' << src.synthDef << '/' << src.inputChannel << '/' << src.plugin.name << ';';
        params (src.params);
    }
    if (const auto* chain = currentChain())
        for (const auto& st : *chain)
        {
            s << st.id.value << '/' << (int) st.kind << '/' << (int) st.filter << '/' << (int) st.effect << '/' << st.plugin.identifier << '/' << st.plugin.name << ';';
            params (st.params);
        }
    else
        s << "gone";
    return s.str();
}

juce::String ChainView::nameOfSubject() const
{
    switch (subject.node)
    {
        case model::NodeKind::instrument:
            if (const auto* inst = currentInstrument())
                return juce::String (inst->name);
            return {};
        case model::NodeKind::bus:
            if (const auto* bus = context.getSession().mixer.buses.find (model::BusId { subject.id }))
                return "Bus " + juce::String (bus->name);
            return {};
        case model::NodeKind::master:
            return "Master";
    }
    return {};
}

void ChainView::updateTitle()
{
    auto text = nameOfSubject();
    if (text.isEmpty())
        text = "No chain selected";
    else if (subject.node == model::NodeKind::instrument && ! canEdit())
        text << "  (another seat's instrument: read only)";
    title.setText (text, juce::dontSendNotification);
}

void ChainView::rebuild()
{
    ++rebuilds;
    panels.clear();
    structure = structureOf();
    auto& content = *viewport.getViewedComponent();

    if (const auto* inst = currentInstrument())
        panels.push_back (std::make_unique<SourcePanel> (*this, *inst));
    if (const auto* chain = currentChain())
        for (std::size_t i = 0; i < chain->size(); ++i)
            panels.push_back (std::make_unique<StagePanel> (*this, (*chain)[i], i, chain->size()));
    if (const auto* inst = currentInstrument())
    {
        panels.push_back (std::make_unique<AmpPanel> (*this, *inst));
        panels.push_back (std::make_unique<LfoPanel> (*this, *inst));
    }
    for (auto& p : panels)
        content.addAndMakeVisible (*p);

    addButton.setVisible (currentChain() != nullptr);
    content.setEnabled (canEdit());
    updateTitle();
    layoutContent();
    repaint();
}

void ChainView::refreshValues()
{
    for (auto& p : panels)
        p->refresh();
    viewport.getViewedComponent()->setEnabled (canEdit());
    updateTitle();
}

void ChainView::sessionChanged (const app::SessionChange& change)
{
    if (! pluginWindows.empty())
        checkPluginWindows();
    if (! touches (change) && ! change.ownership)
        return;
    if (structureOf() != structure)
        rebuild();
    else
        refreshValues();
}

void ChainView::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
    if (currentChain() == nullptr)
    {
        g.setColour (LookAndFeel::Palette::textDim);
        g.setFont (juce::Font (14.0f));
        g.drawFittedText ("Select an instrument, or a bus or the master in the mixer, to see its chain.", getLocalBounds().reduced (20), juce::Justification::centred, 2);
    }
}

void ChainView::resized()
{
    auto r = getLocalBounds().reduced (8, 4);
    title.setBounds (r.removeFromTop (24));
    r.removeFromTop (4);
    viewport.setBounds (r);
    layoutContent();
}

void ChainView::layoutContent()
{
    auto* content = dynamic_cast<ChainContent*> (viewport.getViewedComponent());
    if (content == nullptr)
        return;
    const auto height = juce::jmax (chainTitleHeight + 2 * chainRowHeight + ParamKnob::preferredHeight + 16,
                                    viewport.getHeight() - viewport.getScrollBarThickness() - 2);
    content->arrows.clear();
    int x = 0;
    const auto* inst = currentInstrument();
    const auto chainPanels = panels.size() - (inst != nullptr ? 2u : 0u); // amp and LFO come after the button
    for (std::size_t i = 0; i < panels.size(); ++i)
    {
        if (i == chainPanels && addButton.isVisible())
        {
            content->arrows.push_back (x - chainPanelGap);
            addButton.setBounds (x, chainTitleHeight, 110, 34);
            x += 110 + 2 * chainPanelGap;
        }
        auto& p = *panels[i];
        const auto w = p.widthFor (height);
        p.setBounds (x, 0, w, height);
        x += w + chainPanelGap;
        if (i + 1 < chainPanels)
            content->arrows.push_back (x - chainPanelGap);
    }
    if (chainPanels == panels.size() && addButton.isVisible())
    {
        if (! panels.empty())
            content->arrows.push_back (x - chainPanelGap);
        addButton.setBounds (x, chainTitleHeight, 110, 34);
        x += 110 + chainPanelGap;
    }
    content->arrowY = chainTitleHeight + 17;
    content->setSize (juce::jmax (x, viewport.getMaximumVisibleWidth()), height);
    content->repaint();
}

//==============================================================================
juce::PopupMenu ChainView::getAddMenu()
{
    juce::PopupMenu menu;
    menu.addSectionHeader ("Filters");
    for (int f = 0; f < model::numFilterTypes; ++f)
        menu.addItem (chainFilterItemBase + f, chainCapitalised (model::toString ((model::FilterType) f)) + " filter");
    menu.addSectionHeader ("EQ");
    menu.addItem (chainEqItem, "EQ (" + juce::String (model::eqBandCount) + " bands)");
    menu.addSectionHeader ("Effects");
    for (int e = 0; e < model::numBuiltInEffectTypes; ++e)
        menu.addItem (chainEffectItemBase + e, chainCapitalised (model::toString ((model::EffectType) e)));

    menuPlugins.clear();
    for (const auto& d : context.knownPlugins.getTypes())
        if (! d.isInstrument && app::pluginRefFor (d).has_value())
            menuPlugins.push_back (d);
    std::sort (menuPlugins.begin(), menuPlugins.end(), [] (const auto& a, const auto& b)
               { return a.name.compareNatural (b.name) < 0; });
    juce::PopupMenu plugins;
    for (std::size_t i = 0; i < menuPlugins.size(); ++i)
    {
        const auto& d = menuPlugins[i];
        plugins.addItem (chainPluginItemBase + (int) i, d.name + " (" + (d.manufacturerName.isNotEmpty() ? d.manufacturerName + ", " : juce::String()) + d.pluginFormatName + ")");
    }
    if (menuPlugins.empty())
        menu.addItem (-1, "No plugin effects found (scan for plugins first)", false);
    else
        menu.addSubMenu ("Plugins", plugins);
    return menu;
}

void ChainView::addMenuItemChosen (int itemId)
{
    if (itemId <= 0 || currentChain() == nullptr)
        return;
    model::Stage stage;
    if (itemId >= chainFilterItemBase && itemId < chainFilterItemBase + model::numFilterTypes)
    {
        stage.kind = model::StageKind::filter;
        stage.filter = (model::FilterType) (itemId - chainFilterItemBase);
    }
    else if (itemId == chainEqItem)
    {
        stage.kind = model::StageKind::eq;
    }
    else if (itemId >= chainEffectItemBase && itemId < chainEffectItemBase + model::numBuiltInEffectTypes)
    {
        stage.kind = model::StageKind::effect;
        stage.effect = (model::EffectType) (itemId - chainEffectItemBase);
    }
    else if (itemId >= chainPluginItemBase && itemId < chainPluginItemBase + (int) menuPlugins.size())
    {
        // Loaded once for its parameters, so the stage shows knobs for them like any other.
        const auto& d = menuPlugins[(size_t) (itemId - chainPluginItemBase)];
        juce::String error;
        const auto inspection = app::inspectPlugin (d, error);
        if (! inspection)
            return context.showMessage (error.isNotEmpty() ? error : "The plugin " + d.name + " could not be loaded.");
        stage.kind = model::StageKind::effect;
        stage.effect = model::EffectType::plugin;
        stage.plugin = inspection->ref;
        stage.params = inspection->params;
    }
    else
    {
        return;
    }
    context.perform (model::action::AddStage { subject.node, subject.id, std::move (stage), -1 });
}

//==============================================================================
int ChainView::stagePositionAt (int contentX, const juce::Component* dragged) const
{
    int position = 0;
    for (const auto& p : panels)
        if (p.get() != dragged && dynamic_cast<StagePanel*> (p.get()) != nullptr && p->getBounds().getCentreX() < contentX)
            ++position;
    return position;
}

ParamKnob* ChainView::findKnob (const model::ParamAddress& a) const
{
    for (const auto& p : panels)
        for (const auto& k : p->knobs)
            if (k->getAddress() == a)
                return k.get();
    return nullptr;
}

std::vector<ParamKnob*> ChainView::getKnobs() const
{
    std::vector<ParamKnob*> out;
    for (const auto& p : panels)
        for (const auto& k : p->knobs)
            out.push_back (k.get());
    return out;
}

juce::DocumentWindow* ChainView::findPluginWindow (model::NodeKind node, std::uint32_t nodeId, model::StageId stage) const
{
    const auto it = pluginWindows.find ({ (int) node, nodeId, stage.value });
    return it != pluginWindows.end() ? it->second.get() : nullptr;
}

bool ChainView::openPluginWindow (model::StageId stage)
{
    auto* plugin = context.session.findPlugin (subject.node, subject.id, stage);
    if (plugin == nullptr)
    {
        // A plugin in a sandbox shows its editor in a window of the sandbox's own process.
        if (const auto opened = context.session.openSandboxedEditor (subject.node, subject.id, stage))
        {
            if (opened->failed())
                context.showMessage (opened->getErrorMessage());
            return opened->wasOk();
        }
        return false;
    }
    const WindowKey key { (int) subject.node, subject.id, stage.value };
    if (auto it = pluginWindows.find (key); it != pluginWindows.end() && &it->second->processor == plugin)
    {
        it->second->toFront (true);
        return true;
    }
    const auto titleText = plugin->getName() + " - " + nameOfSubject();
    pluginWindows[key] = std::make_unique<PluginWindow> (*plugin, titleText, [safe = juce::WeakReference<ChainView> (this), key]
                                                         {
                                                             // Deleted after the close click has unwound, not inside it.
                                                             juce::MessageManager::callAsync ([safe, key]
                                                                                              {
                                                                                                  if (safe != nullptr)
                                                                                                      safe->pluginWindows.erase (key);
                                                                                              }); });
    return true;
}

void ChainView::checkPluginWindows()
{
    // A rebuilt chain has new plugin instances and a removed stage none: an editor must never outlive
    // the plugin it shows, so each window is checked against what the session now holds.
    for (auto it = pluginWindows.begin(); it != pluginWindows.end();)
    {
        const auto [node, nodeId, stage] = it->first;
        auto* plugin = context.session.findPlugin ((model::NodeKind) node, nodeId, model::StageId { stage });
        if (plugin == &it->second->processor)
        {
            ++it;
            continue;
        }
        if (plugin == nullptr)
        {
            it = pluginWindows.erase (it);
            continue;
        }
        const auto bounds = it->second->getBounds();
        const auto titleText = it->second->getName();
        auto onClose = [safe = juce::WeakReference<ChainView> (this), key = it->first]
        {
            juce::MessageManager::callAsync ([safe, key]
                                             {
                                                 if (safe != nullptr)
                                                     safe->pluginWindows.erase (key); });
        };
        it->second.reset();
        it->second = std::make_unique<PluginWindow> (*plugin, titleText, std::move (onClose));
        it->second->setTopLeftPosition (bounds.getPosition());
        ++it;
    }
}

} // namespace imbolc::gui
