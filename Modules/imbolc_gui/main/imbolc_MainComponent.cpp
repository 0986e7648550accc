namespace imbolc::gui
{

MainComponent::MainComponent (GuiContext& c, juce::ApplicationCommandManager& manager)
    : SessionView (c),
      commandManager (manager),
      transport (c),
      rack (c),
      chain (c),
      mixer (c),
      analysis (c),
      arrangement (c),
      pianoRoll (c),
      drums (c),
      rackDivider (true, [this] (int d) { rackWidth = juce::jlimit (160, 800, rackWidth + d); resized(); }),
      mixerDivider (false, [this] (int d) { mixerHeight = juce::jlimit (120, 800, mixerHeight - d); resized(); }),
      analysisDivider (true, [this] (int d) { analysisWidth = juce::jlimit (200, 900, analysisWidth - d); resized(); }),
      chainDivider (false, [this] (int d) { chainHeight = juce::jlimit (0, 900, chainHeight - d); resized(); })
{
    chainDivider.setComponentID ("ChainDivider");
    addAndMakeVisible (chainDivider);
    editors.setComponentID ("Editors");
    editors.setTabBarDepth (26);
    editors.setOutline (0);
    const auto tabColour = LookAndFeel::Palette::panel;
    editors.addTab ("Arrangement", tabColour, &arrangement, false);
    editors.addTab ("Piano Roll", tabColour, &pianoRoll, false);
    // A double-click on a placement opens its clip in the piano roll, in the clip's own time.
    arrangement.onOpenClip = [this] (model::ClipId clip, model::PlacementId placement)
    {
        const auto* c = context.getSession().arrangement.clips.find (clip);
        if (c == nullptr)
            return;
        context.selection.selectInstrument (c->instrument);
        pianoRoll.setSubject ({ c->instrument, clip, placement });
        showEditor (Editor::pianoRoll);
        pianoRoll.grabKeyboardFocus();
    };
    editors.addTab ("Drums", tabColour, &drums, false);
    context.selection.addListener (this);
    addAndMakeVisible (editors);

    rackDivider.setComponentID ("RackDivider");
    mixerDivider.setComponentID ("MixerDivider");
    analysisDivider.setComponentID ("AnalysisDivider");
    addAndMakeVisible (rackDivider);
    addAndMakeVisible (mixerDivider);
    addChildComponent (analysisDivider);
    setComponentID ("MainComponent");
    for (auto* view : std::initializer_list<juce::Component*> { &transport, &rack, &chain, &mixer })
        addAndMakeVisible (view);
    addChildComponent (analysis);

    status.setComponentID ("StatusLine");
    status.setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
    status.setFont (juce::Font (13.0f));
    addAndMakeVisible (status);

    context.onMessage = [this] (const juce::String& sentence) { showMessage (sentence); };
    context.session.onWarning = [this] (const juce::String& sentence) { showMessage (sentence); };

    // Select the first instrument, so the chain view shows something from the start.
    if (! context.getSession().instruments.empty())
        context.selection.selectInstrument (context.getSession().instruments.begin()->id);
    selectionChanged();

    setWantsKeyboardFocus (true);
    setSize (1280, 800);
}

MainComponent::~MainComponent()
{
    context.selection.removeListener (this);
    context.onMessage = nullptr;
    context.session.onWarning = nullptr;
}

void MainComponent::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::background);
}

void MainComponent::resized()
{
    auto area = getLocalBounds();
    transport.setBounds (area.removeFromTop (56));
    status.setBounds (area.removeFromBottom (24).reduced (6, 0));
    constexpr int divider = 5;
    mixerDivider.setVisible (mixer.isVisible());
    if (mixer.isVisible())
    {
        mixer.setBounds (area.removeFromBottom (juce::jmin (mixerHeight, area.getHeight() * 2 / 3)));
        mixerDivider.setBounds (area.removeFromBottom (divider));
    }
    rack.setBounds (area.removeFromLeft (juce::jmin (rackWidth, area.getWidth() / 2)));
    rackDivider.setBounds (area.removeFromLeft (divider));
    analysisDivider.setVisible (analysis.isVisible());
    if (analysis.isVisible())
    {
        analysis.setBounds (area.removeFromRight (juce::jmin (analysisWidth, area.getWidth() / 2)));
        analysisDivider.setBounds (area.removeFromRight (divider));
    }
    // The editors over the chain; the chain keeps its height until the editors would get too little.
    const auto chainPart = juce::jlimit (0, std::max (0, area.getHeight() - 160), chainHeight);
    chain.setBounds (area.removeFromBottom (chainPart));
    chainDivider.setBounds (area.removeFromBottom (divider));
    editors.setBounds (area);
}

void MainComponent::selectionChanged()
{
    // The drum editor shows the selected instrument's kit (or says it is not a kit), like the piano roll.
    drums.setInstrument (context.selection.getInstrument());
}

void MainComponent::showEditor (Editor e)
{
    editors.setCurrentTabIndex ((int) e);
}

MainComponent::Editor MainComponent::getShownEditor() const
{
    return (Editor) std::max (0, editors.getCurrentTabIndex());
}

void MainComponent::sessionChanged (const app::SessionChange& change)
{
    // The selection follows the session: a deleted instrument's selection moves to a neighbour.
    const auto& instruments = context.getSession().instruments;
    const auto selected = context.selection.getInstrument();
    if ((change.everything || change.items.instrumentsStructural) && ! instruments.contains (selected))
        context.selection.selectInstrument (instruments.empty() ? model::InstrumentId {} : instruments.begin()->id);
    // Undo's name and what can be done change with every edit.
    commandManager.commandStatusChanged();
}

void MainComponent::showMessage (const juce::String& sentence, bool isWarning)
{
    lastMessage = sentence;
    status.setText (sentence, juce::dontSendNotification);
    status.setColour (juce::Label::textColourId, isWarning ? LookAndFeel::Palette::warning : LookAndFeel::Palette::textDim);
}

void MainComponent::setAnalysisVisible (bool shouldShow)
{
    analysis.setVisible (shouldShow);
    resized();
}

void MainComponent::setMixerVisible (bool shouldShow)
{
    mixer.setVisible (shouldShow);
    resized();
}

juce::String MainComponent::getLayoutState() const
{
    juce::DynamicObject::Ptr o = new juce::DynamicObject();
    o->setProperty ("rackWidth", rackWidth);
    o->setProperty ("mixerHeight", mixerHeight);
    o->setProperty ("analysisWidth", analysisWidth);
    o->setProperty ("chainHeight", chainHeight);
    o->setProperty ("editor", editors.getCurrentTabIndex());
    o->setProperty ("mixer", mixer.isVisible());
    o->setProperty ("analysis", analysis.isVisible());
    return juce::JSON::toString (juce::var (o.get()), true);
}

void MainComponent::setLayoutState (const juce::String& text)
{
    // A remembered layout is the user's own file: anything unreadable keeps the defaults.
    const auto v = juce::JSON::parse (text);
    if (! v.isObject())
        return;
    const auto clampInt = [&v] (const char* name, int current, int lo, int hi)
    {
        const auto p = v.getProperty (name, current);
        return p.isInt() || p.isDouble() ? juce::jlimit (lo, hi, (int) p) : current;
    };
    rackWidth = clampInt ("rackWidth", rackWidth, 160, 800);
    mixerHeight = clampInt ("mixerHeight", mixerHeight, 120, 800);
    analysisWidth = clampInt ("analysisWidth", analysisWidth, 200, 900);
    chainHeight = clampInt ("chainHeight", chainHeight, 0, 900);
    editors.setCurrentTabIndex (clampInt ("editor", editors.getCurrentTabIndex(), 0, editors.getNumTabs() - 1));
    mixer.setVisible ((bool) v.getProperty ("mixer", true));
    analysis.setVisible ((bool) v.getProperty ("analysis", false));
    resized();
}

//==============================================================================
MainComponent::Divider::Divider (bool isVertical, std::function<void (int)> moved)
    : vertical (isVertical), onMove (std::move (moved))
{
    setMouseCursor (vertical ? juce::MouseCursor::LeftRightResizeCursor : juce::MouseCursor::UpDownResizeCursor);
    setRepaintsOnMouseActivity (true);
}

void MainComponent::Divider::paint (juce::Graphics& g)
{
    g.fillAll (isMouseOverOrDragging() ? LookAndFeel::Palette::accent.withAlpha (0.5f) : LookAndFeel::Palette::background);
}

void MainComponent::Divider::mouseDown (const juce::MouseEvent&)
{
    lastOffset = 0;
}

void MainComponent::Divider::mouseDrag (const juce::MouseEvent& e)
{
    // On the screen, and as deltas since the last drag event: the divider itself moves as the panels
    // resize, so distances in its own coordinates would count the move twice.
    const auto offset = vertical ? e.getScreenX() - e.getMouseDownScreenX() : e.getScreenY() - e.getMouseDownScreenY();
    const auto delta = offset - lastOffset;
    lastOffset = offset;
    if (delta != 0 && onMove)
        onMove (delta);
}

//==============================================================================
void MainComponent::getAllCommands (juce::Array<juce::CommandID>& ids)
{
    using namespace commands;
    ids.addArray ({ editUndo, editRedo, editDelete, editDuplicate, editRename, transportPlayStop,
                    transportLocateStart, transportLoop, viewMixer, viewAnalysis, viewArrangement, viewPianoRoll, viewDrums,
                    optionsPluginsInProcess, optionsPluginsPerPlugin, optionsPluginsShared });
}

void MainComponent::getCommandInfo (juce::CommandID id, juce::ApplicationCommandInfo& info)
{
    using namespace commands;
    const auto& session = context.getSession();
    const auto undo = context.session.getUndoState();
    const bool hasSelection = session.instruments.contains (context.selection.getInstrument());
    const auto ctrl = juce::ModifierKeys::commandModifier;
    switch (id)
    {
        case editUndo:
            info.setInfo (undo.undoName.isEmpty() ? "Undo" : "Undo " + undo.undoName, "Takes back the last edit", "Edit", 0);
            info.addDefaultKeypress ('z', ctrl);
            info.setActive (undo.canUndo);
            break;
        case editRedo:
            info.setInfo (undo.redoName.isEmpty() ? "Redo" : "Redo " + undo.redoName, "Makes the last undone edit again", "Edit", 0);
            info.addDefaultKeypress ('z', ctrl | juce::ModifierKeys::shiftModifier);
            info.addDefaultKeypress ('y', ctrl);
            info.setActive (undo.canRedo);
            break;
        case editDelete:
            info.setInfo ("Delete Instrument", "Deletes the selected instrument", "Edit", 0);
            info.addDefaultKeypress (juce::KeyPress::deleteKey, 0);
            info.setActive (hasSelection);
            break;
        case editDuplicate:
            info.setInfo ("Duplicate Instrument", "Copies the selected instrument with its chain and notes", "Edit", 0);
            info.addDefaultKeypress ('d', ctrl);
            info.setActive (hasSelection);
            break;
        case editRename:
            info.setInfo ("Rename Instrument...", "Renames the selected instrument", "Edit", 0);
            info.addDefaultKeypress (juce::KeyPress::F2Key, 0);
            info.setActive (hasSelection);
            break;
        case transportPlayStop:
            info.setInfo (session.transport.playing ? "Stop" : "Play", "Starts or stops the transport", "Transport", 0);
            info.addDefaultKeypress (juce::KeyPress::spaceKey, 0);
            break;
        case transportLocateStart:
            info.setInfo ("Go to Start", "Moves the play head to the start", "Transport", 0);
            info.addDefaultKeypress (juce::KeyPress::homeKey, 0);
            break;
        case transportLoop:
            info.setInfo ("Loop", "Turns the loop region on or off", "Transport", 0);
            info.addDefaultKeypress ('l', ctrl);
            info.setTicked (session.settings.loop.enabled);
            break;
        case viewMixer:
            info.setInfo ("Mixer", "Shows or hides the mixer", "View", 0);
            info.addDefaultKeypress ('m', ctrl);
            info.setTicked (mixer.isVisible());
            break;
        case viewAnalysis:
            info.setInfo ("Analysis", "Shows or hides the spectrum, loudness and scope", "View", 0);
            info.addDefaultKeypress ('a', ctrl | juce::ModifierKeys::shiftModifier);
            info.setTicked (analysis.isVisible());
            break;
        case viewArrangement:
            info.setInfo ("Arrangement", "Shows the song: clips placed on the tracks, and the automation lanes", "View", 0);
            info.addDefaultKeypress ('1', ctrl);
            info.setTicked (getShownEditor() == Editor::arrangement);
            break;
        case viewPianoRoll:
            info.setInfo ("Piano Roll", "Shows the piano roll of the selected instrument", "View", 0);
            info.addDefaultKeypress ('2', ctrl);
            info.setTicked (getShownEditor() == Editor::pianoRoll);
            break;
        case viewDrums:
            info.setInfo ("Drum Steps", "Shows the step sequencer of the selected drum kit", "View", 0);
            info.addDefaultKeypress ('3', ctrl);
            info.setTicked (getShownEditor() == Editor::drums);
            break;
        case optionsPluginsInProcess:
            info.setInfo ("In Imbolc's Process", "Plugins run inside Imbolc: the cheapest, but a plugin that crashes ends the session", "Options", 0);
            info.setTicked (session.settings.pluginIsolation == model::PluginIsolation::inProcess);
            break;
        case optionsPluginsPerPlugin:
            info.setInfo ("Each in Its Own Sandbox", "Each plugin runs in a process of its own: a crash silences only that plugin", "Options", 0);
            info.setTicked (session.settings.pluginIsolation == model::PluginIsolation::perPlugin);
            break;
        case optionsPluginsShared:
            info.setInfo ("All in One Sandbox", "All plugins share one process apart from Imbolc: fewer processes, but a crash silences (and restarts) every plugin in it", "Options", 0);
            info.setTicked (session.settings.pluginIsolation == model::PluginIsolation::shared);
            break;
        default:
            break;
    }
}

bool MainComponent::perform (const InvocationInfo& info)
{
    using namespace commands;
    const auto& session = context.getSession();
    const auto selected = context.selection.getInstrument();
    switch (info.commandID)
    {
        case editUndo:
            context.perform (model::action::Undo {});
            return true;
        case editRedo:
            context.perform (model::action::Redo {});
            return true;
        case editDelete:
            if (session.instruments.contains (selected))
                context.perform (model::action::DeleteInstrument { selected });
            return true;
        case editDuplicate:
            if (session.instruments.contains (selected))
                if (const auto result = context.perform (model::action::DuplicateInstrument { selected }); result.ok() && result.createdId != 0)
                    context.selection.selectInstrument (model::InstrumentId { result.createdId });
            return true;
        case editRename:
            rack.beginRename (selected);
            return true;
        case transportPlayStop:
            if (session.transport.playing)
                context.perform (model::action::Stop {});
            else
                context.perform (model::action::Play {});
            return true;
        case transportLocateStart:
            context.perform (model::action::Locate { 0 });
            return true;
        case transportLoop:
        {
            auto loop = session.settings.loop;
            loop.enabled = ! loop.enabled;
            context.perform (model::action::SetLoop { loop });
            return true;
        }
        case viewMixer:
            setMixerVisible (! mixer.isVisible());
            commandManager.commandStatusChanged();
            return true;
        case viewAnalysis:
            setAnalysisVisible (! analysis.isVisible());
            commandManager.commandStatusChanged();
            return true;
        case viewArrangement:
            showEditor (Editor::arrangement);
            arrangement.grabKeyboardFocus();
            commandManager.commandStatusChanged();
            return true;
        case viewPianoRoll:
            showEditor (Editor::pianoRoll);
            pianoRoll.grabKeyboardFocus();
            commandManager.commandStatusChanged();
            return true;
        case viewDrums:
            showEditor (Editor::drums);
            commandManager.commandStatusChanged();
            return true;
        case optionsPluginsInProcess:
        case optionsPluginsPerPlugin:
        case optionsPluginsShared:
        {
            const auto isolation = info.commandID == optionsPluginsShared      ? model::PluginIsolation::shared
                                   : info.commandID == optionsPluginsPerPlugin ? model::PluginIsolation::perPlugin
                                                                               : model::PluginIsolation::inProcess;
            if (isolation != session.settings.pluginIsolation)
                context.perform (model::action::SetPluginIsolation { isolation });
            commandManager.commandStatusChanged();
            return true;
        }
        default:
            return false;
    }
}

} // namespace imbolc::gui
