// Imbolc, the desktop application: one window over a session this process hosts (SessionHost, playing
// on the audio device) or one it joined over the network (RemoteSession). The views come from
// imbolc_gui; this file owns the session, the audio output, the settings, the menus and the file,
// audio and network commands.

#include "imbolc_MainWindow.h"

#include <iostream>

namespace imbolc::desktop
{

namespace
{
    constexpr int recentFileBase = 0x7000; // menu ids of the recent files
    constexpr int autosaveIntervalMs = 30000;

    juce::File configDirectory()
    {
        return engine::PluginScanner::defaultDirectory();
    }

    /** Where an untitled session's edits are autosaved (one per machine user: the app opens one window). */
    juce::File untitledAutosaveFile()
    {
        return configDirectory().getChildFile ("untitled.imbolc.autosave");
    }
} // namespace

/** The audio settings window: JUCE's device selector with its MIDI input list and MIDI output choice,
    and a switch for Imbolc's own JACK MIDI ports (JUCE's MIDI devices are ALSA only on Linux). It calls
    the app's settings only. */
class AudioSettingsPanel final : public juce::Component
{
public:
    AudioSettingsPanel (juce::AudioDeviceManager& devices, bool jackMidiOn)
        : selector (devices, 0, 0, 2, 2, true, true, true, false)
    {
        addAndMakeVisible (selector);
        jackMidi.setButtonText ("JACK MIDI ports (Imbolc:midi_in, Imbolc:midi_out)");
        jackMidi.setToggleState (jackMidiOn, juce::dontSendNotification);
        jackMidi.setComponentID ("jackMidi");
        jackMidi.onClick = [this]
        {
            if (onJackMidi)
                onJackMidi (jackMidi.getToggleState());
        };
        addAndMakeVisible (jackMidi);
    }

    std::function<void (bool)> onJackMidi;

    void resized() override
    {
        auto r = getLocalBounds().reduced (8);
        jackMidi.setBounds (r.removeFromBottom (28));
        selector.setBounds (r);
    }

private:
    juce::AudioDeviceSelectorComponent selector;
    juce::ToggleButton jackMidi;
};

class ImbolcApplication final : public juce::JUCEApplication,
                                public juce::MenuBarModel,
                                private juce::Timer,
                                private juce::ChangeListener
{
public:
    const juce::String getApplicationName() override { return "Imbolc"; }
    const juce::String getApplicationVersion() override { return IMBOLC_VERSION_STRING; }
    bool moreThanOneInstanceAllowed() override { return true; }

    //==============================================================================
    void initialise (const juce::String& commandLine) override
    {
        auto args = juce::StringArray::fromTokens (commandLine, true);
        args.removeEmptyStrings();
        for (auto& a : args)
            a = a.unquoted();

        // The plugin scan runs in child processes of this same program, so a crashing plugin takes
        // down only the child (see app::PluginScanSupervisor).
        if (args.contains ("--scan-worker"))
        {
            setApplicationReturnValue (app::runPluginScanWorker (std::cout, configDirectory()));
            quit();
            return;
        }

        engine::tuneProcessAllocatorForRealtime();
        juce::LookAndFeel::setDefaultLookAndFeel (&lookAndFeel);

        juce::PropertiesFile::Options o;
        o.applicationName = "Imbolc";
        o.filenameSuffix = ".settings";
        o.storageFormat = juce::PropertiesFile::storeAsXML;
        configDirectory().createDirectory();
        settings = std::make_unique<juce::PropertiesFile> (configDirectory().getChildFile ("app.settings"), o);
        recentFiles.restoreFromString (settings->getValue ("recentFiles"));
        recentFiles.removeNonExistentFiles();

        host = std::make_unique<app::SessionHost>();
        host->onLog = [this] (const juce::String& line) { showStatus (line); };
        host->setAutosave ({ autosaveIntervalMs, false, untitledAutosaveFile() });
        host->setFollowsHostTiming (false); // the app's engine is the clock: no plugin host to follow
        seat = std::make_unique<app::SessionSeat> (*host);
        startAudio();
        loadPluginList();

        commandManager.registerAllCommandsForTarget (this);
        window = std::make_unique<MainWindow> (*this, [this] { systemRequestedQuit(); });
        window->addKeyListener (commandManager.getKeyMappings());
        showSession (*host);
        if (auto keys = settings->getXmlValue ("keyMappings"))
            commandManager.getKeyMappings()->restoreFromXml (*keys);
        window->setVisible (true);
        if (auto bounds = settings->getValue ("windowBounds"); bounds.isNotEmpty())
            window->restoreWindowStateFromString (bounds);
        else
            window->centreWithSize (juce::jmin (1400, juce::Desktop::getInstance().getDisplays().getPrimaryDisplay()->userArea.getWidth()),
                                    juce::jmin (880, juce::Desktop::getInstance().getDisplays().getPrimaryDisplay()->userArea.getHeight()));

        // A file named on the command line opens; otherwise a new session. Either way, edits that a crash
        // left in an autosave are offered back.
        juce::File toOpen;
        for (const auto& a : args)
            if (! a.startsWith ("-"))
                toOpen = juce::File::getCurrentWorkingDirectory().getChildFile (a);
        if (toOpen != juce::File())
            openFile (toOpen);
        offerRecovery();

        startTimerHz (30);
    }

    void shutdown() override
    {
        stopTimer();
        if (settings != nullptr)
        {
            if (window != nullptr)
                settings->setValue ("windowBounds", window->getWindowStateAsString());
            if (content != nullptr)
                settings->setValue ("layout", content->getLayoutState());
            if (auto keys = commandManager.getKeyMappings()->createXml (true))
                settings->setValue ("keyMappings", keys.get());
            settings->saveIfNeeded();
        }
        toolWindows.clear();
        renderWindow.reset();
        if (window != nullptr)
            window->clearContentComponent();
        content.reset();
        context.reset();
        if (seat != nullptr && seat->isJoined())
            seat->leave();
        seat.reset();
        if (output != nullptr)
            output->stop();
        midiInputs.detach();
        midiInputs.setRealtimeListener (nullptr);
        if (midiOutputs != nullptr)
            midiOutputs->stop();
        midiOutputs.reset();
        output.reset();
        transportSources.reset();
        clockIn.reset();
        link.reset();
        jackMidi.close();
        host.reset();
        window.reset();
        juce::LookAndFeel::setDefaultLookAndFeel (nullptr);
    }

    void systemRequestedQuit() override
    {
        if (host == nullptr)
            return quit();
        // The own session's edits count even while a joined session is shown: it is still there.
        if (! host->isDirty())
            return closeCleanly();
        const auto own = host->getFile() != juce::File() ? host->getFile().getFileName() : juce::String (host->getSession().settings.name);
        askToSave ("Save the changes to " + own + " before closing?", [this] { closeCleanly(); });
    }

    void anotherInstanceStarted (const juce::String&) override {}

    //==============================================================================
    juce::ApplicationCommandTarget* getNextCommandTarget() override { return nullptr; }

    void getAllCommands (juce::Array<juce::CommandID>& ids) override
    {
        using namespace gui::commands;
        ids.addArray ({ fileNew, fileOpen, fileSave, fileSaveAs, fileRender, fileQuit, optionsAudio, optionsMidiClockOut, optionsMidiClockIn, viewShortcuts, viewPlugins, viewMidiMappings,
                        networkHost, networkJoin, networkLeave, networkRequestPrivilege });
    }

    void getCommandInfo (juce::CommandID id, juce::ApplicationCommandInfo& info) override
    {
        using namespace gui::commands;
        const auto ctrl = juce::ModifierKeys::commandModifier;
        const bool joined = this->joined() != nullptr;
        switch (id)
        {
            case fileNew:
                info.setInfo ("New", "Starts an empty session", "File", 0);
                info.addDefaultKeypress ('n', ctrl);
                info.setActive (! joined);
                break;
            case fileOpen:
                info.setInfo ("Open...", "Opens a session file", "File", 0);
                info.addDefaultKeypress ('o', ctrl);
                info.setActive (! joined);
                break;
            case fileSave:
                info.setInfo ("Save", "Saves the session to its file", "File", 0);
                info.addDefaultKeypress ('s', ctrl);
                info.setActive (! joined);
                break;
            case fileSaveAs:
                info.setInfo ("Save As...", "Saves the session to another file", "File", 0);
                info.addDefaultKeypress ('s', ctrl | juce::ModifierKeys::shiftModifier);
                info.setActive (! joined);
                break;
            case fileRender:
                info.setInfo ("Render to WAV...", "Renders the whole song to a WAV file", "File", 0);
                info.addDefaultKeypress ('r', ctrl);
                info.setActive (renderWindow == nullptr);
                break;
            case fileQuit:
                info.setInfo ("Quit", "Closes Imbolc", "File", 0);
                info.addDefaultKeypress ('q', ctrl);
                break;
            case optionsAudio:
                info.setInfo ("Audio Settings...", "Chooses the audio device, its rate and buffer size", "Options", 0);
                info.setActive (output != nullptr && output->getDeviceManager() != nullptr);
                break;
            case optionsMidiClockOut:
                info.setInfo ("Send MIDI Clock", "Sends MIDI clock, start, stop and song position to the MIDI output device and Imbolc's JACK MIDI output", "Options", 0);
                info.setTicked (host != nullptr && host->getEngine().isMidiClockOut());
                info.setActive (! joined);
                break;
            case optionsMidiClockIn:
                // Only the hosting seat has a transport to drive; Ableton Link and an external clock
                // would fight over it, so Link on makes this unavailable.
                info.setInfo ("Follow MIDI Clock", "The session follows the tempo, start and stop of a MIDI clock on a MIDI input", "Options", 0);
                info.setTicked (clockIn != nullptr && clockIn->isEnabled());
                info.setActive (! joined && clockIn != nullptr && (link == nullptr || ! link->isEnabled()));
                break;
            case viewShortcuts:
                info.setInfo ("Keyboard Shortcuts...", "Lists and changes the keyboard shortcuts", "View", 0);
                break;
            case viewMidiMappings:
                info.setInfo ("MIDI Mappings...", "Lists the learned MIDI controllers, with their channels, ranges and curves", "View", 0);
                break;
            case viewPlugins:
                info.setInfo ("Plugins...", "Browses and rescans the installed plugins", "View", 0);
                info.addDefaultKeypress ('p', ctrl | juce::ModifierKeys::shiftModifier);
                break;
            case networkHost:
                // A joined seat sees the seats here; a host also starts hosting here.
                info.setInfo (joined ? "Seats..." : "Host This Session...", joined ? "Lists the seats of the session" : "Lets other seats join this session", "Network", 0);
                break;
            case networkJoin:
                info.setInfo ("Join a Session...", "Joins a session hosted on the network", "Network", 0);
                info.setActive (! joined);
                break;
            case networkLeave:
                info.setInfo (joined ? "Leave the Session" : "Stop Hosting", "Ends this seat's part in the network session", "Network", 0);
                info.setActive (joined || host->getServer() != nullptr);
                break;
            case networkRequestPrivilege:
                info.setInfo ("Request the Privilege", "Asks the host for the session privilege (tempo, transport, buses)", "Network", 0);
                info.setActive (joined);
                break;
            default:
                break;
        }
    }

    bool perform (const InvocationInfo& info) override
    {
        using namespace gui::commands;
        switch (info.commandID)
        {
            case fileNew:
                guardUnsaved ("Save the changes to " + sessionName() + " before starting a new session?", [this]
                              {
                                  host->setSession (model::Session {});
                                  showStatus ("New session.");
                              });
                return true;
            case fileOpen:
                guardUnsaved ("Save the changes to " + sessionName() + " before opening another session?", [this] { chooseFileToOpen(); });
                return true;
            case fileSave:
                save (nullptr);
                return true;
            case fileSaveAs:
                saveAs (nullptr);
                return true;
            case fileRender:
                chooseRenderTarget();
                return true;
            case fileQuit:
                systemRequestedQuit();
                return true;
            case optionsAudio:
                showAudioSettings();
                return true;
            case optionsMidiClockOut:
                setMidiClockOut (! host->getEngine().isMidiClockOut(), true);
                return true;
            case optionsMidiClockIn:
                setMidiClockIn (clockIn != nullptr && ! clockIn->isEnabled(), true);
                return true;
            case viewShortcuts:
                showShortcuts();
                return true;
            case viewPlugins:
                showPlugins();
                return true;
            case viewMidiMappings:
                showToolWindow ("midimappings", "MIDI Mappings", [this]
                                {
                                    auto* panel = new gui::MidiMappingPanel (*context);
                                    panel->setSize (720, 420);
                                    return panel;
                                },
                                true);
                return true;
            case networkHost:
                showNetwork (true);
                return true;
            case networkJoin:
                showNetwork (false);
                return true;
            case networkLeave:
                leaveNetwork();
                return true;
            case networkRequestPrivilege:
                if (joined() != nullptr)
                    joined()->requestPrivilege();
                return true;
            default:
                return false;
        }
    }

    //==============================================================================
    juce::StringArray getMenuBarNames() override { return { "File", "Edit", "Transport", "View", "Options", "Network" }; }

    juce::PopupMenu getMenuForIndex (int index, const juce::String&) override
    {
        using namespace gui::commands;
        juce::PopupMenu m;
        auto* cm = &commandManager;
        switch (index)
        {
            case 0:
            {
                m.addCommandItem (cm, fileNew);
                m.addCommandItem (cm, fileOpen);
                juce::PopupMenu recent;
                recentFiles.createPopupMenuItems (recent, recentFileBase, true, true);
                m.addSubMenu ("Open Recent", recent, recent.getNumItems() > 0 && joined() == nullptr);
                m.addSeparator();
                m.addCommandItem (cm, fileSave);
                m.addCommandItem (cm, fileSaveAs);
                m.addSeparator();
                m.addCommandItem (cm, fileRender);
                m.addSeparator();
                m.addCommandItem (cm, fileQuit);
                break;
            }
            case 1:
                m.addCommandItem (cm, editUndo);
                m.addCommandItem (cm, editRedo);
                m.addSeparator();
                m.addCommandItem (cm, editDuplicate);
                m.addCommandItem (cm, editRename);
                m.addCommandItem (cm, editDelete);
                break;
            case 2:
                m.addCommandItem (cm, transportPlayStop);
                m.addCommandItem (cm, transportLocateStart);
                m.addCommandItem (cm, transportLoop);
                break;
            case 3:
                m.addCommandItem (cm, viewArrangement);
                m.addCommandItem (cm, viewPianoRoll);
                m.addCommandItem (cm, viewDrums);
                m.addSeparator();
                m.addCommandItem (cm, viewMixer);
                m.addCommandItem (cm, viewAnalysis);
                m.addCommandItem (cm, viewPlugins);
                m.addCommandItem (cm, viewMidiMappings);
                m.addSeparator();
                m.addCommandItem (cm, viewShortcuts);
                break;
            case 4:
                m.addCommandItem (cm, optionsAudio);
                m.addSeparator();
                m.addCommandItem (cm, optionsMidiClockOut);
                m.addCommandItem (cm, optionsMidiClockIn);
                m.addSeparator();
                {
                    juce::PopupMenu plugins;
                    plugins.addCommandItem (cm, optionsPluginsInProcess);
                    plugins.addCommandItem (cm, optionsPluginsPerPlugin);
                    plugins.addCommandItem (cm, optionsPluginsShared);
                    m.addSubMenu ("Run Plugins", plugins);
                }
                break;
            case 5:
                m.addCommandItem (cm, networkHost);
                m.addCommandItem (cm, networkJoin);
                m.addCommandItem (cm, networkRequestPrivilege);
                m.addSeparator();
                m.addCommandItem (cm, networkLeave);
                break;
            default:
                break;
        }
        return m;
    }

    void menuItemSelected (int itemId, int) override
    {
        if (itemId >= recentFileBase && itemId < recentFileBase + 100)
        {
            const auto file = recentFiles.getFile (itemId - recentFileBase);
            guardUnsaved ("Save the changes to " + sessionName() + " before opening another session?", [this, file] { openFile (file); });
        }
    }

private:
    //==============================================================================
    void startAudio()
    {
        app::AudioOutput::Options options;
        options.savedDeviceState = settings->getValue ("audioDevice");
        midiInputs.detach();
        output = std::make_unique<app::AudioOutput> (options);
        host->prepare (output->getSampleRate(), output->getBlockSize());
        // Ableton Link drives the engine's transport block by block while it is on (off: it says nothing);
        // else an external MIDI clock while one is followed and comes.
        if (link == nullptr)
            link = std::make_unique<app::LinkSession> (*host);
        if (clockIn == nullptr)
            clockIn = std::make_unique<app::MidiClockFollower> (host.get());
        transportSources = std::make_unique<app::TransportSources> (std::initializer_list<app::TransportSource*> { &link->getTransport(), clockIn.get() });
        output->setTransportSource (transportSources.get());
        // Live MIDI: the devices enabled in the audio settings, and Imbolc's JACK MIDI port when asked for;
        // the MIDI clock it carries goes to the clock follower.
        midiInputs.setRealtimeListener (clockIn.get());
        output->setMidiInputs (&midiInputs);
        output->start (host->getEngine());
        if (auto* devices = output->getDeviceManager())
        {
            devices->addChangeListener (this);
            midiInputs.attach (*devices);
        }
        setJackMidi (settings->getBoolValue ("jackMidi", true), false);
        // MIDI out: instruments' MIDI output channels and MIDI clock, to the chosen device and JACK.
        if (midiOutputs == nullptr)
            midiOutputs = std::make_unique<app::MidiOutputs> (host->getEngine());
        midiOutputs->setJack (&jackMidi);
        midiOutputs->setLatencySeconds (output->getOutputLatencySeconds());
        followMidiOutputDevice (false);
        midiOutputs->start();
        setMidiClockOut (settings->getBoolValue ("midiClockOut", false), false);
        setMidiClockIn (settings->getBoolValue ("midiClockIn", false), false);
    }

    /** The MIDI output device chosen in the audio settings (AudioDeviceManager's default MIDI output) is
        where instruments' MIDI outputs and MIDI clock go, besides JACK. */
    void followMidiOutputDevice (bool tell)
    {
        auto* devices = output != nullptr ? output->getDeviceManager() : nullptr;
        if (midiOutputs == nullptr || devices == nullptr)
            return;
        const auto id = devices->getDefaultMidiOutputIdentifier();
        if (id == midiOutputDevice)
            return;
        midiOutputDevice = id;
        const auto result = midiOutputs->setDevice (id);
        if (tell || result.failed())
            showStatus (result.failed() ? result.getErrorMessage() : (id.isEmpty() ? juce::String ("No MIDI output device.") : "MIDI output to " + midiOutputs->getDeviceName() + "."), result.failed());
    }

    void setMidiClockOut (bool on, bool tell)
    {
        settings->setValue ("midiClockOut", on);
        host->getEngine().setMidiClockOut (on);
        commandManager.commandStatusChanged();
        if (tell)
            showStatus (on ? "MIDI clock goes to the MIDI output device and " + (jackMidi.isOpen() ? jackMidi.getOutputPortName() : juce::String ("JACK (not running)")) + "." : "MIDI clock out is off.");
    }

    /** Following an external MIDI clock: Ableton Link goes off (one clock drives the transport). */
    void setMidiClockIn (bool on, bool tell)
    {
        if (clockIn == nullptr)
            return;
        if (on && link != nullptr && link->isEnabled())
            link->setEnabled (false);
        settings->setValue ("midiClockIn", on);
        clockIn->setEnabled (on);
        commandManager.commandStatusChanged();
        if (tell)
            showStatus (on ? "Imbolc follows a MIDI clock on its MIDI inputs (start, stop and tempo)." : "Imbolc keeps its own time.");
    }

    /** Imbolc's own JACK MIDI ports (JUCE's devices are ALSA only): opened when a JACK server runs. */
    void setJackMidi (bool on, bool tell)
    {
        settings->setValue ("jackMidi", on);
        if (! on)
        {
            jackMidi.close();
            if (tell)
                showStatus ("JACK MIDI is off.");
            return;
        }
        if (jackMidi.isOpen())
            return;
        jackMidi.setInputSink (&midiInputs);
        const auto opened = jackMidi.open ({});
        midiInputs.setProducerDelay (1, jackMidi.getInputDelaySeconds());
        if (tell)
            showStatus (opened.wasOk() ? "JACK MIDI ports " + jackMidi.getInputPortName() + " and " + jackMidi.getOutputPortName() + " are open." : opened.getErrorMessage(), opened.failed());
    }

    /** The device selector changed the device: remember the choice; a first device after none moves
        playback from the null device onto it. */
    void changeListenerCallback (juce::ChangeBroadcaster*) override
    {
        auto* devices = output->getDeviceManager();
        if (devices == nullptr)
            return;
        if (auto state = devices->createStateXml())
            settings->setValue ("audioDevice", state->toString());
        else
            settings->removeValue ("audioDevice");
        settings->saveIfNeeded();
        if (output->getMode() == app::AudioOutput::Mode::null && devices->getCurrentAudioDevice() != nullptr)
        {
            devices->removeChangeListener (this);
            output->stop();
            output.reset();
            startAudio();
            if (context != nullptr)
                context->meters.audioLoad = audioLoadSource();
        }
        showStatus ("Audio " + output->describe() + ".");
        followMidiOutputDevice (true);
        if (midiOutputs != nullptr)
            midiOutputs->setLatencySeconds (output->getOutputLatencySeconds());
    }

    std::function<gui::MeterHub::AudioLoad()> audioLoadSource()
    {
        return [this]
        {
            const auto load = output != nullptr ? output->getLoad() : app::AudioOutput::Load {};
            return gui::MeterHub::AudioLoad { load.cpu, load.droppedBlocks };
        };
    }

    void loadPluginList()
    {
        engine::PluginScanner scanner (configDirectory());
        scanner.load();
        knownPlugins.clear();
        for (const auto& d : scanner.getList().getTypes())
            knownPlugins.addType (d);
        for (const auto& crashed : scanner.getCrashed())
            knownPlugins.addToBlacklist (crashed);
    }

    /** Shows a session in the window: a new context and new views for it (a joined session's ids and
        ownership differ from the hosted one's, so nothing is carried over but the layout). */
    void showSession (app::SessionAccess& access)
    {
        juce::String layout = content != nullptr ? content->getLayoutState() : settings->getValue ("layout");
        if (window != nullptr)
            window->clearContentComponent();
        content.reset();
        context.reset();

        context = std::make_unique<gui::GuiContext> (access);
        for (const auto& d : knownPlugins.getTypes())
            context->knownPlugins.addType (d);
        for (const auto& b : knownPlugins.getBlacklistedFiles())
            context->knownPlugins.addToBlacklist (b);
        if (&access == host.get())
        {
            context->meters.audioLoad = audioLoadSource();
            // Audio clips name their files relative to the project's folder.
            context->projectFolder = [this]
            { return host->getFile() != juce::File() ? host->getFile().getParentDirectory() : juce::File(); };
        }
        if (&access == host.get() && link != nullptr)
        {
            context->linkStatus = [this]
            { return link->getStatus(); };
            context->setLinkEnabled = [this] (bool on)
            {
                // One clock drives the transport: Link on stops following a MIDI clock.
                if (on && clockIn != nullptr && clockIn->isEnabled())
                    setMidiClockIn (false, false);
                link->setEnabled (on);
                commandManager.commandStatusChanged();
                showStatus (on ? "Ableton Link is on." : "Ableton Link is off.");
            };
        }
        else if (link != nullptr)
        {
            // Joined: the host's tempo is the session's; only the hosting seat may use Link or a MIDI clock.
            link->setEnabled (false);
            if (clockIn != nullptr)
                clockIn->setEnabled (false);
        }
        content = std::make_unique<gui::MainComponent> (*context, commandManager);
        content->setNextTarget (this);
        commandManager.registerAllCommandsForTarget (content.get());
        commandManager.setFirstCommandTarget (content.get());
        if (layout.isNotEmpty())
            content->setLayoutState (layout);
        context->meters.start (30);
        window->show (*content);
        content->grabKeyboardFocus();
        updateTitle();
    }

    app::SessionAccess& shownSession() { return seat->shown(); }
    app::RemoteSession* joined() const { return seat != nullptr ? seat->getRemote() : nullptr; }

    /** News for the status line; refusals and warnings reach it through the context. */
    void showStatus (const juce::String& sentence, bool isWarning = false)
    {
        if (content != nullptr)
            content->showMessage (sentence, isWarning);
    }

    void timerCallback() override
    {
        // Live MIDI plays the selected instrument of this process's own session.
        if (context != nullptr && joined() == nullptr)
            if (const auto selected = context->selection.getInstrument(); selected != midiTarget)
            {
                midiTarget = selected;
                host->setMidiInputInstrument (selected);
            }
        shownSession().tick (0);
        if (link != nullptr && joined() == nullptr)
            link->update();
        if (clockIn != nullptr && joined() == nullptr)
            clockIn->update();
        updateTitle();
        writeUiMap();
    }

    juce::String sessionName() const
    {
        if (joined() != nullptr)
            return juce::String (joined()->getSession().settings.name) + " (joined)";
        const auto file = host->getFile();
        return file != juce::File() ? file.getFileName() : juce::String (host->getSession().settings.name);
    }

    void updateTitle()
    {
        if (window == nullptr)
            return;
        const auto title = MainWindow::titleFor (sessionName(), joined() == nullptr && host->isDirty());
        if (window->getName() != title)
            window->setName (title);
    }

    //==============================================================================
    void openFile (const juce::File& file)
    {
        if (joined() != nullptr)
            return;
        if (auto opened = host->open (file); opened.failed())
        {
            // The session on screen stays as it was: nothing is lost by a bad file.
            showStatus ("Could not open " + file.getFileName() + ": " + opened.getErrorMessage(), true);
            return;
        }
        recentFiles.addFile (file);
        rememberRecentFiles();
        showStatus ("Opened " + file.getFullPathName() + ".");
    }

    void rememberRecentFiles()
    {
        settings->setValue ("recentFiles", recentFiles.toString());
        settings->saveIfNeeded();
    }

    void chooseFileToOpen()
    {
        chooser = std::make_unique<juce::FileChooser> ("Open a session", host->getFile().getParentDirectory(), "*.imbolc");
        chooser->launchAsync (juce::FileBrowserComponent::openMode | juce::FileBrowserComponent::canSelectFiles, [this] (const juce::FileChooser& fc)
                              {
                                  const auto file = fc.getResult();
                                  if (file != juce::File())
                                      openFile (file);
                              });
    }

    /** Saves to the session's file, or asks for one; `then` runs after a successful save. */
    void save (std::function<void()> then)
    {
        if (host->getFile() == juce::File())
            return saveAs (std::move (then));
        if (auto saved = host->save(); saved.failed())
            return showStatus (saved.getErrorMessage(), true);
        showStatus ("Saved " + host->getFile().getFullPathName() + ".");
        if (then)
            then();
    }

    void saveAs (std::function<void()> then)
    {
        const auto start = host->getFile() != juce::File() ? host->getFile() : juce::File::getSpecialLocation (juce::File::userHomeDirectory).getChildFile (juce::String (host->getSession().settings.name) + ".imbolc");
        chooser = std::make_unique<juce::FileChooser> ("Save the session as", start, "*.imbolc");
        chooser->launchAsync (juce::FileBrowserComponent::saveMode | juce::FileBrowserComponent::canSelectFiles | juce::FileBrowserComponent::warnAboutOverwriting,
                              [this, then] (const juce::FileChooser& fc)
                              {
                                  auto file = fc.getResult();
                                  if (file == juce::File())
                                      return;
                                  if (! file.hasFileExtension ("imbolc"))
                                      file = file.withFileExtension ("imbolc");
                                  if (auto saved = host->saveAs (file); saved.failed())
                                      return showStatus (saved.getErrorMessage(), true);
                                  recentFiles.addFile (file);
                                  rememberRecentFiles();
                                  showStatus ("Saved " + file.getFullPathName() + ".");
                                  if (then)
                                      then();
                              });
    }

    /** Runs `action` now if there is nothing unsaved; otherwise asks Save / Don't Save / Cancel first. */
    void guardUnsaved (const juce::String& question, std::function<void()> action)
    {
        if (joined() != nullptr || ! host->isDirty())
            return action();
        askToSave (question, std::move (action));
    }

    void askToSave (const juce::String& question, std::function<void()> then)
    {
        juce::AlertWindow::showYesNoCancelBox (juce::MessageBoxIconType::QuestionIcon, "Unsaved changes", question, "Save", "Don't Save", "Cancel", nullptr,
                                               juce::ModalCallbackFunction::create ([this, then] (int choice)
                                                                                    {
                                                                                        if (choice == 1)
                                                                                            save (then);
                                                                                        else if (choice == 2)
                                                                                        {
                                                                                            discardAutosave();
                                                                                            then();
                                                                                        }
                                                                                    }));
    }

    /** Edits a person chose not to keep are not offered back after the next start. */
    void discardAutosave()
    {
        const auto side = host->getFile() != juce::File() ? app::autosaveFileFor (host->getFile()) : untitledAutosaveFile();
        side.deleteFile();
    }

    void closeCleanly()
    {
        if (joined() != nullptr)
            joined()->disconnect();
        quit();
    }

    /** After a crash an autosave side file is left (a save or a chosen discard removes it): offer it. */
    void offerRecovery()
    {
        const auto original = host->getFile();
        const auto side = original != juce::File() ? app::autosaveFileFor (original) : untitledAutosaveFile();
        if (! side.existsAsFile() || (original.existsAsFile() && side.getLastModificationTime() < original.getLastModificationTime()))
            return;
        const auto when = side.getLastModificationTime().toString (true, true, false);
        juce::AlertWindow::showOkCancelBox (juce::MessageBoxIconType::QuestionIcon, "Recover unsaved edits?",
                                            "Imbolc found edits to " + (original != juce::File() ? original.getFileName() : juce::String ("an untitled session"))
                                                + " that were not saved when it last closed (autosaved " + when + "). Recover them?",
                                            "Recover", "Discard", nullptr,
                                            juce::ModalCallbackFunction::create ([this, side, original] (int choice)
                                                                                 {
                                                                                     if (choice != 1)
                                                                                     {
                                                                                         side.deleteFile();
                                                                                         return;
                                                                                     }
                                                                                     auto loaded = app::loadSessionFile (side);
                                                                                     if (! loaded.ok())
                                                                                         return showStatus ("The autosaved edits cannot be read: " + loaded.error, true);
                                                                                     host->setSession (std::move (*loaded.session), original, true);
                                                                                     showStatus ("Recovered the autosaved edits; save to keep them.");
                                                                                 }));
    }

    //==============================================================================
    void chooseRenderTarget()
    {
        const auto base = host->getFile() != juce::File() ? host->getFile().withFileExtension ("wav") : juce::File::getSpecialLocation (juce::File::userHomeDirectory).getChildFile ("render.wav");
        chooser = std::make_unique<juce::FileChooser> ("Render to WAV", base, "*.wav");
        chooser->launchAsync (juce::FileBrowserComponent::saveMode | juce::FileBrowserComponent::canSelectFiles | juce::FileBrowserComponent::warnAboutOverwriting,
                              [this] (const juce::FileChooser& fc)
                              {
                                  auto file = fc.getResult();
                                  if (file == juce::File())
                                      return;
                                  startRender (file.hasFileExtension ("wav") ? file : file.withFileExtension ("wav"));
                              });
    }

    void startRender (const juce::File& target)
    {
        const auto base = host->getFile() != juce::File() ? host->getFile().getParentDirectory() : juce::File::getCurrentWorkingDirectory();
        auto* job = new gui::RenderJob (shownSession().getSession(), target, base, [this] (juce::String sentence)
                                   {
                                       showStatus (sentence, ! sentence.startsWith ("Rendered"));
                                       juce::MessageManager::callAsync ([this] { renderWindow.reset(); });
                                   });
        renderWindow = std::make_unique<gui::ToolWindow> ("Render", job, false, [this]
                                                     {
                                                         if (auto* j = dynamic_cast<gui::RenderJob*> (renderWindow->getContentComponent()))
                                                             j->cancel();
                                                     });
        commandManager.commandStatusChanged();
    }

    //==============================================================================
    void showToolWindow (const juce::String& key, const juce::String& title, std::function<juce::Component*()> make, bool resizable)
    {
        if (auto it = toolWindows.find (key); it != toolWindows.end())
            return it->second->toFront (true);
        toolWindows[key] = std::make_unique<gui::ToolWindow> (title, make(), resizable, [this, key]
                                                         { juce::MessageManager::callAsync ([this, key] { toolWindows.erase (key); }); });
    }

    void showAudioSettings()
    {
        auto* devices = output->getDeviceManager();
        if (devices == nullptr)
            return;
        showToolWindow ("audio", "Audio Settings", [this, devices]
                        {
                            // The device, and live MIDI: the MIDI input devices that play the selected
                            // instrument, the MIDI output device, and Imbolc's own JACK MIDI ports.
                            auto* panel = new AudioSettingsPanel (*devices, settings->getBoolValue ("jackMidi", true));
                            panel->onJackMidi = [this] (bool on) { setJackMidi (on, true); };
                            panel->setSize (560, 520);
                            return panel;
                        },
                        true);
    }

    void showShortcuts()
    {
        showToolWindow ("shortcuts", "Keyboard Shortcuts", [this]
                        {
                            auto* editor = new juce::KeyMappingEditorComponent (*commandManager.getKeyMappings(), true);
                            editor->setSize (560, 640);
                            return editor;
                        },
                        true);
    }

    void showPlugins()
    {
        showToolWindow ("plugins", "Plugins", [this]
                        {
                            auto* browser = new gui::PluginBrowser (*context);
                            // The scan's children are this program in its worker mode.
                            browser->setScanWorker ({ juce::File::getSpecialLocation (juce::File::currentExecutableFile).getFullPathName(), "--scan-worker" },
                                                    configDirectory());
                            browser->onScanFinished = [this] (const juce::Result& r)
                            {
                                loadPluginList();
                                showStatus (r.wasOk() ? "Plugin scan finished: " + juce::String (knownPlugins.getNumTypes()) + " plugins." : r.getErrorMessage(), r.failed());
                            };
                            browser->setSize (760, 520);
                            return browser;
                        },
                        true);
    }

    /** The network window: hosting (and the seats) for a hosted session, joining otherwise. */
    void showNetwork (bool hosting)
    {
        toolWindows.erase ("network");
        showToolWindow ("network", hosting ? "Host This Session" : "Join a Session", [this, hosting]
                        {
                            auto* panel = new gui::NetworkPanel (*context);
                            panel->setPartsShown (hosting && joined() == nullptr, ! hosting, hosting);
                            panel->onHost = [this] (net::ServerOptions o)
                            {
                                juce::String sentence;
                                auto started = seat->startHosting (std::move (o), sentence);
                                if (started.wasOk())
                                    showStatus (sentence);
                                commandManager.commandStatusChanged();
                                return started;
                            };
                            panel->onJoin = [this] (net::ClientOptions o) { return join (std::move (o)); };
                            panel->onRequestPrivilege = [this]
                            {
                                if (joined() != nullptr)
                                    joined()->requestPrivilege();
                            };
                            panel->connectionState = [this] { return seat->connectionState(); };
                            panel->seatName = [this] (std::uint32_t id) { return seat->seatName (id); };
                            panel->setSize (560, 520);
                            return panel;
                        },
                        true);
    }

    /** Joins a session: the window then shows it (the same views over the seat's mirror), and this
        process's own session stays, silent, until the seat leaves. */
    juce::Result join (net::ClientOptions options)
    {
        if (auto result = seat->join (std::move (options), 5000); result.failed())
            return result;
        output->stop();
        // The views of the hosted session (the network panel among them) go after this call returns.
        juce::MessageManager::callAsync ([this]
                                         {
                                             toolWindows.clear();
                                             showSession (seat->shown());
                                             commandManager.commandStatusChanged();
                                             showStatus ("Joined " + juce::String (joined()->getSession().settings.name) + " as seat " + juce::String (joined()->getSeatId()) + ".");
                                         });
        return juce::Result::ok();
    }

    void leaveNetwork()
    {
        if (joined() != nullptr)
        {
            toolWindows.clear();
            showSession (*host); // before the joined session and its views go
            const auto sentence = seat->leave();
            output->start (host->getEngine());
            showStatus (sentence);
            return;
        }
        showStatus (seat->leave());
    }

    //==============================================================================
    /** For the end-to-end test (IMBOLC_UI_MAP names a file): where every identified component is on the
        screen, keyed by the path of component IDs ("ChainView/knob.source.0.0/slider"), so the test can
        click what it means without guessing pixels. */
    void writeUiMap()
    {
        static const auto path = juce::SystemStats::getEnvironmentVariable ("IMBOLC_UI_MAP", {});
        if (path.isEmpty() || window == nullptr || ++uiMapCounter % 8 != 0)
            return;
        juce::DynamicObject::Ptr map = new juce::DynamicObject();
        std::function<void (juce::Component&, const juce::String&)> visit = [&] (juce::Component& c, const juce::String& parentPath)
        {
            if (! c.isShowing())
                return;
            auto path = parentPath;
            if (c.getComponentID().isNotEmpty())
            {
                path = parentPath.isEmpty() ? c.getComponentID() : parentPath + "/" + c.getComponentID();
                const auto r = c.getScreenBounds();
                map->setProperty (path, juce::Array<juce::var> { r.getX(), r.getY(), r.getWidth(), r.getHeight() });
            }
            for (auto* child : c.getChildren())
                visit (*child, path);
        };
        visit (*window, {});
        map->setProperty ("title", window->getName());
        map->setProperty ("status", content != nullptr ? content->getLastMessage() : juce::String());
        if (content != nullptr && context != nullptr)
        {
            // The piano roll's mapping from ticks and pitches to pixels, so the test can draw notes where
            // it means them, and the play head, so it can tell the song plays.
            auto& roll = content->getPianoRoll();
            juce::DynamicObject::Ptr r = new juce::DynamicObject();
            r->setProperty ("pixelsPerTick", roll.getAxis().pixelsPerTick);
            r->setProperty ("startTick", roll.getAxis().startTick);
            r->setProperty ("topPitch", roll.getTopPitch());
            r->setProperty ("rowHeight", roll.getRowHeight());
            map->setProperty ("pianoRoll", juce::var (r.get()));
            map->setProperty ("playhead", (juce::int64) context->session.getMetering().playhead);
        }
        const juce::File file (path);
        const auto temp = file.getSiblingFile (file.getFileName() + ".tmp");
        temp.replaceWithText (juce::JSON::toString (juce::var (map.get())));
        temp.moveFileTo (file);
    }

    //==============================================================================
    gui::LookAndFeel lookAndFeel;
    juce::ApplicationCommandManager commandManager;
    std::unique_ptr<juce::PropertiesFile> settings;
    juce::RecentlyOpenedFilesList recentFiles;
    juce::KnownPluginList knownPlugins;

    app::MidiInputs midiInputs; ///< outlives the output that plays it and the JACK client that feeds it
    app::JackMidi jackMidi;
    model::InstrumentId midiTarget;
    std::unique_ptr<app::SessionHost> host;
    std::unique_ptr<app::LinkSession> link; ///< after host (it uses it), before output (whose audio thread uses it)
    std::unique_ptr<app::MidiClockFollower> clockIn; ///< likewise
    std::unique_ptr<app::TransportSources> transportSources; ///< Link, then the MIDI clock
    std::unique_ptr<app::MidiOutputs> midiOutputs; ///< sends the host engine's MIDI out (after host: it uses its engine)
    juce::String midiOutputDevice;
    std::unique_ptr<app::AudioOutput> output;
    std::unique_ptr<app::SessionSeat> seat;
    std::unique_ptr<gui::GuiContext> context;
    std::unique_ptr<gui::MainComponent> content;
    std::unique_ptr<MainWindow> window;
    std::unique_ptr<juce::FileChooser> chooser;
    std::unique_ptr<gui::ToolWindow> renderWindow;
    std::map<juce::String, std::unique_ptr<gui::ToolWindow>> toolWindows;
    int uiMapCounter = 0;
};

} // namespace imbolc::desktop

START_JUCE_APPLICATION (imbolc::desktop::ImbolcApplication)
