#include "imbolc_PluginEditor.h"

namespace imbolc::plugin
{

ImbolcEditor::ImbolcEditor (ImbolcProcessor& p)
    : AudioProcessorEditor (p), processor (p), menuBar (this)
{
    // Set on this editor, not as the process's default: the host and other plugins keep theirs.
    setLookAndFeel (&lookAndFeel);
    loadPluginList();
    commandManager.registerAllCommandsForTarget (this);
    addKeyListener (commandManager.getKeyMappings());
    addAndMakeVisible (menuBar);

    processor.onShownSessionChanged = [safe = juce::Component::SafePointer<ImbolcEditor> (this)] (bool joinedNow)
    {
        if (safe == nullptr)
            return;
        // Leaving: the views must leave the joined session before it is destroyed.
        if (! joinedNow)
            return safe->showSession();
        // Joining is asked from inside a view's callback (the network panel): the views go after it returns.
        juce::MessageManager::callAsync ([safe]
                                         {
                                             if (safe != nullptr)
                                                 safe->showSession();
                                         });
    };
    processor.onStateRefused = [this] (const juce::String& sentence) { showStatus (sentence, true); };

    showSession();
    if (processor.getStateError().isNotEmpty())
        showStatus (processor.getStateError(), true);

    setResizable (true, true);
    setResizeLimits (720, 480, 4096, 2400);
    setSize (processor.editorSize.getWidth(), processor.editorSize.getHeight());
}

ImbolcEditor::~ImbolcEditor()
{
    processor.onShownSessionChanged = nullptr;
    processor.onStateRefused = nullptr;
    processor.editorSize = getLocalBounds();
    if (content != nullptr)
        processor.editorLayout = content->getLayoutState();
    menuBar.setModel (nullptr);
    toolWindows.clear();
    chooser.reset();
    if (context != nullptr)
        context->selection.removeListener (this);
    content.reset();
    context.reset();
    setLookAndFeel (nullptr);
}

void ImbolcEditor::resized()
{
    auto area = getLocalBounds();
    menuBar.setBounds (area.removeFromTop (juce::LookAndFeel::getDefaultLookAndFeel().getDefaultMenuBarHeight()));
    if (content != nullptr)
        content->setBounds (area);
}

void ImbolcEditor::paint (juce::Graphics& g)
{
    g.fillAll (getLookAndFeel().findColour (juce::ResizableWindow::backgroundColourId));
}

//==============================================================================
void ImbolcEditor::showSession()
{
    juce::String layout = content != nullptr ? content->getLayoutState() : processor.editorLayout;
    if (context != nullptr)
        context->selection.removeListener (this);
    toolWindows.clear();
    content.reset();
    context.reset();

    auto* remote = processor.getSeat().getRemote();
    app::SessionAccess& shown = processor.isJoined() && remote != nullptr ? static_cast<app::SessionAccess&> (*remote) : processor.getHost();
    context = std::make_unique<gui::GuiContext> (shown);
    for (const auto& d : knownPlugins.getTypes())
        context->knownPlugins.addType (d);
    for (const auto& b : knownPlugins.getBlacklistedFiles())
        context->knownPlugins.addToBlacklist (b);
    content = std::make_unique<gui::MainComponent> (*context, commandManager);
    content->setNextTarget (this);
    commandManager.registerAllCommandsForTarget (content.get());
    commandManager.setFirstCommandTarget (content.get());
    if (layout.isNotEmpty())
        content->setLayoutState (layout);
    addAndMakeVisible (*content);
    resized();

    // The host's MIDI plays the selected instrument of the own session.
    if (! processor.isJoined())
        context->selection.selectInstrument (processor.getMidiInstrument());
    context->selection.addListener (this);
    context->meters.start (30);
    commandManager.commandStatusChanged();
}

void ImbolcEditor::selectionChanged()
{
    if (context != nullptr && ! processor.isJoined())
        if (const auto id = context->selection.getInstrument(); id.isValid())
            processor.setMidiInstrument (id);
}

void ImbolcEditor::showStatus (const juce::String& sentence, bool isWarning)
{
    if (content != nullptr)
        content->showMessage (sentence, isWarning);
}

void ImbolcEditor::loadPluginList()
{
    // What the desktop app (or `imbolc plugins`) scanned: the plugin itself never scans in the host.
    engine::PluginScanner scanner (app::pluginListDirectory());
    scanner.load();
    knownPlugins.clear();
    for (const auto& d : scanner.getList().getTypes())
        knownPlugins.addType (d);
    for (const auto& crashed : scanner.getCrashed())
        knownPlugins.addToBlacklist (crashed);
}

juce::File ImbolcEditor::findScanWorker()
{
    // The plugin's own binary is this module (JUCE finds it with dladdr): a build tree or an install
    // keeps the command-line tool a few folders above the bundle.
    auto dir = juce::File::getSpecialLocation (juce::File::currentExecutableFile).getParentDirectory();
    for (int up = 0; up < 6 && dir.exists(); ++up, dir = dir.getParentDirectory())
        if (const auto candidate = dir.getChildFile ("imbolc"); candidate.existsAsFile())
            return candidate;
    for (const auto& folder : juce::StringArray::fromTokens (juce::SystemStats::getEnvironmentVariable ("PATH", {}), ":", {}))
        if (folder.isNotEmpty())
            if (const auto candidate = juce::File (folder).getChildFile ("imbolc"); candidate.existsAsFile())
                return candidate;
    return {};
}

//==============================================================================
void ImbolcEditor::getAllCommands (juce::Array<juce::CommandID>& ids)
{
    using namespace gui::commands;
    ids.addArray ({ fileNew, fileOpen, fileSaveAs, fileRender, viewShortcuts, viewPlugins, viewMacros, viewMidiMappings, networkHost, networkJoin, networkLeave, networkRequestPrivilege });
}

void ImbolcEditor::getCommandInfo (juce::CommandID id, juce::ApplicationCommandInfo& info)
{
    using namespace gui::commands;
    const auto ctrl = juce::ModifierKeys::commandModifier;
    const bool joined = processor.isJoined();
    switch (id)
    {
        case fileNew:
            info.setInfo ("New Session", "Replaces this plugin's session with an empty one", "File", 0);
            info.setActive (! joined);
            break;
        case fileOpen:
            info.setInfo ("Open Session...", "Loads an Imbolc session file into this plugin", "File", 0);
            info.addDefaultKeypress ('o', ctrl);
            info.setActive (! joined);
            break;
        case fileSaveAs:
            // The host saves the session with its project; this writes a copy the desktop app opens.
            info.setInfo ("Export Session As...", "Writes this plugin's session to an Imbolc session file", "File", 0);
            info.addDefaultKeypress ('s', ctrl | juce::ModifierKeys::shiftModifier);
            break;
        case fileRender:
            info.setInfo ("Render to WAV...", "Renders the whole song to a WAV file", "File", 0);
            info.addDefaultKeypress ('r', ctrl);
            info.setActive (toolWindows.count ("render") == 0);
            break;
        case viewShortcuts:
            info.setInfo ("Keyboard Shortcuts...", "Lists and changes the keyboard shortcuts", "View", 0);
            break;
        case viewPlugins:
            info.setInfo ("Plugins...", "Browses the installed plugins", "View", 0);
            info.addDefaultKeypress ('p', ctrl | juce::ModifierKeys::shiftModifier);
            break;
        case viewMacros:
            info.setInfo ("Macros...", "Lists what the host's Macro 1..16 parameters drive, with their ranges", "View", 0);
            info.addDefaultKeypress ('m', ctrl | juce::ModifierKeys::shiftModifier);
            break;
        case viewMidiMappings:
            info.setInfo ("MIDI Mappings...", "Lists the learned MIDI controllers (the host's MIDI), with their channels, ranges and curves", "View", 0);
            break;
        case networkHost:
            info.setInfo (joined ? "Seats..." : "Host This Session...", joined ? "Lists the seats of the session" : "Lets other seats join this session", "Network", 0);
            break;
        case networkJoin:
            info.setInfo ("Join a Session...", "Joins a session hosted on the network", "Network", 0);
            info.setActive (! joined);
            break;
        case networkLeave:
            info.setInfo (joined ? "Leave the Session" : "Stop Hosting", "Ends this seat's part in the network session", "Network", 0);
            info.setActive (joined || processor.getHost().getServer() != nullptr);
            break;
        case networkRequestPrivilege:
            info.setInfo ("Request the Privilege", "Asks the host for the session privilege (tempo, transport, buses)", "Network", 0);
            info.setActive (joined);
            break;
        default:
            break;
    }
}

bool ImbolcEditor::perform (const InvocationInfo& info)
{
    using namespace gui::commands;
    switch (info.commandID)
    {
        case fileNew:
            juce::AlertWindow::showOkCancelBox (juce::MessageBoxIconType::QuestionIcon, "New session", "Replace this plugin's session with an empty one? Undo cannot bring the current one back.",
                                                "Replace", "Cancel", this,
                                                juce::ModalCallbackFunction::create ([safe = juce::Component::SafePointer<ImbolcEditor> (this)] (int choice)
                                                                                     {
                                                                                         if (safe == nullptr || choice != 1)
                                                                                             return;
                                                                                         safe->processor.getHost().setSession (model::Session {});
                                                                                         safe->processor.setMidiInstrument ({});
                                                                                         safe->showStatus ("New session.");
                                                                                     }));
            return true;
        case fileOpen:
            chooseSessionToOpen();
            return true;
        case fileSaveAs:
            chooseExportTarget();
            return true;
        case fileRender:
            chooseRenderTarget();
            return true;
        case viewShortcuts:
            showToolWindow ("shortcuts", "Keyboard Shortcuts", [this]
                            {
                                auto* editor = new juce::KeyMappingEditorComponent (*commandManager.getKeyMappings(), true);
                                editor->setSize (560, 640);
                                return editor;
                            },
                            true);
            return true;
        case viewPlugins:
            showPlugins();
            return true;
        case viewMacros:
            showToolWindow ("macros", "Macros", [this]
                            {
                                auto* panel = new gui::MacroPanel (*context);
                                panel->setSize (620, 560);
                                return panel;
                            },
                            true);
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
            showStatus (processor.leave());
            commandManager.commandStatusChanged();
            return true;
        case networkRequestPrivilege:
            if (auto* remote = processor.getSeat().getRemote())
                remote->requestPrivilege();
            return true;
        default:
            return false;
    }
}

juce::StringArray ImbolcEditor::getMenuBarNames()
{
    return { "File", "Edit", "Transport", "View", "Network" };
}

juce::PopupMenu ImbolcEditor::getMenuForIndex (int index, const juce::String&)
{
    using namespace gui::commands;
    juce::PopupMenu m;
    auto* cm = &commandManager;
    switch (index)
    {
        case 0:
            m.addCommandItem (cm, fileNew);
            m.addCommandItem (cm, fileOpen);
            m.addCommandItem (cm, fileSaveAs);
            m.addSeparator();
            m.addCommandItem (cm, fileRender);
            break;
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
            m.addCommandItem (cm, viewMacros);
            m.addCommandItem (cm, viewMidiMappings);
            m.addSeparator();
            m.addCommandItem (cm, viewShortcuts);
            break;
        case 4:
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

//==============================================================================
void ImbolcEditor::showToolWindow (const juce::String& key, const juce::String& title, std::function<juce::Component*()> make, bool resizable)
{
    if (auto it = toolWindows.find (key); it != toolWindows.end())
        return it->second->toFront (true);
    auto window = std::make_unique<gui::ToolWindow> (title, make(), resizable, [safe = juce::Component::SafePointer<ImbolcEditor> (this), key]
                                                     { juce::MessageManager::callAsync ([safe, key]
                                                                                        {
                                                                                            if (safe != nullptr)
                                                                                                safe->toolWindows.erase (key);
                                                                                        }); });
    window->setLookAndFeel (&lookAndFeel);
    toolWindows[key] = std::move (window);
}

void ImbolcEditor::showPlugins()
{
    showToolWindow ("plugins", "Plugins", [this]
                    {
                        auto* browser = new gui::PluginBrowser (*context);
                        // Scans run in the command-line tool's processes: a crashing plugin must never take
                        // the host down with it.
                        if (const auto worker = findScanWorker(); worker != juce::File())
                            browser->setScanWorker ({ worker.getFullPathName(), "plugins", "--scan-worker" });
                        browser->onScanFinished = [this] (const juce::Result& r)
                        {
                            loadPluginList();
                            if (context != nullptr)
                            {
                                context->knownPlugins.clear();
                                for (const auto& d : knownPlugins.getTypes())
                                    context->knownPlugins.addType (d);
                            }
                            showStatus (r.wasOk() ? "Plugin scan finished: " + juce::String (knownPlugins.getNumTypes()) + " plugins." : r.getErrorMessage(), r.failed());
                        };
                        browser->setSize (760, 520);
                        return browser;
                    },
                    true);
}

void ImbolcEditor::showNetwork (bool hosting)
{
    toolWindows.erase ("network");
    showToolWindow ("network", hosting ? "Host This Session" : "Join a Session", [this, hosting]
                    {
                        auto* panel = new gui::NetworkPanel (*context);
                        panel->setPartsShown (hosting && ! processor.isJoined(), ! hosting, hosting);
                        panel->onHost = [this] (net::ServerOptions o)
                        {
                            juce::String sentence;
                            auto started = processor.getSeat().startHosting (std::move (o), sentence);
                            if (started.wasOk())
                                showStatus (sentence);
                            commandManager.commandStatusChanged();
                            return started;
                        };
                        panel->onJoin = [this] (net::ClientOptions o) { return processor.join (std::move (o)); };
                        panel->onRequestPrivilege = [this]
                        {
                            if (auto* remote = processor.getSeat().getRemote())
                                remote->requestPrivilege();
                        };
                        panel->connectionState = [this] { return processor.getSeat().connectionState(); };
                        panel->seatName = [this] (std::uint32_t seat) { return processor.getSeat().seatName (seat); };
                        panel->setSize (560, 520);
                        return panel;
                    },
                    true);
}

void ImbolcEditor::chooseSessionToOpen()
{
    chooser = std::make_unique<juce::FileChooser> ("Open an Imbolc session", processor.getHost().getFile().getParentDirectory(), "*.imbolc");
    chooser->launchAsync (juce::FileBrowserComponent::openMode | juce::FileBrowserComponent::canSelectFiles,
                          [safe = juce::Component::SafePointer<ImbolcEditor> (this)] (const juce::FileChooser& fc)
                          {
                              const auto file = fc.getResult();
                              if (safe == nullptr || file == juce::File())
                                  return;
                              if (auto opened = safe->processor.openSession (file); opened.failed())
                                  return safe->showStatus ("Could not open " + file.getFileName() + ": " + opened.getErrorMessage(), true);
                              safe->showStatus ("Opened " + file.getFullPathName() + ".");
                          });
}

void ImbolcEditor::chooseExportTarget()
{
    const auto& session = processor.getSeat().shown().getSession();
    const auto start = juce::File::getSpecialLocation (juce::File::userHomeDirectory).getChildFile (juce::File::createLegalFileName (juce::String (session.settings.name)) + ".imbolc");
    chooser = std::make_unique<juce::FileChooser> ("Export the session as", start, "*.imbolc");
    chooser->launchAsync (juce::FileBrowserComponent::saveMode | juce::FileBrowserComponent::canSelectFiles | juce::FileBrowserComponent::warnAboutOverwriting,
                          [safe = juce::Component::SafePointer<ImbolcEditor> (this)] (const juce::FileChooser& fc)
                          {
                              auto file = fc.getResult();
                              if (safe == nullptr || file == juce::File())
                                  return;
                              if (! file.hasFileExtension ("imbolc"))
                                  file = file.withFileExtension ("imbolc");
                              // A copy: the host's project keeps the session; its file stays where it was.
                              auto& p = safe->processor;
                              const auto session = p.isJoined() ? p.getSeat().shown().getSession() : p.getHost().snapshotWithPluginStates();
                              const auto bytes = protocol::encodeProject (session);
                              if (auto written = protocol::writeFileAtomically (file, bytes.data(), bytes.size()); written.failed())
                                  return safe->showStatus ("Could not export the session: " + written.getErrorMessage(), true);
                              safe->showStatus ("Exported the session to " + file.getFullPathName() + ".");
                          });
}

void ImbolcEditor::chooseRenderTarget()
{
    const auto base = juce::File::getSpecialLocation (juce::File::userHomeDirectory).getChildFile ("render.wav");
    chooser = std::make_unique<juce::FileChooser> ("Render to WAV", base, "*.wav");
    chooser->launchAsync (juce::FileBrowserComponent::saveMode | juce::FileBrowserComponent::canSelectFiles | juce::FileBrowserComponent::warnAboutOverwriting,
                          [safe = juce::Component::SafePointer<ImbolcEditor> (this)] (const juce::FileChooser& fc)
                          {
                              auto file = fc.getResult();
                              if (safe == nullptr || file == juce::File())
                                  return;
                              if (! file.hasFileExtension ("wav"))
                                  file = file.withFileExtension ("wav");
                              auto& p = safe->processor;
                              const auto folder = p.getHost().getFile() != juce::File() ? p.getHost().getFile().getParentDirectory() : file.getParentDirectory();
                              safe->showToolWindow ("render", "Render", [safe, file, folder]
                                                    {
                                                        return new gui::RenderJob (safe->processor.getSeat().shown().getSession(), file, folder, [safe] (juce::String sentence)
                                                                                   {
                                                                                       if (safe == nullptr)
                                                                                           return;
                                                                                       safe->showStatus (sentence, ! sentence.startsWith ("Rendered"));
                                                                                       juce::MessageManager::callAsync ([safe]
                                                                                                                        {
                                                                                                                            if (safe != nullptr)
                                                                                                                                safe->toolWindows.erase ("render");
                                                                                                                        });
                                                                                   });
                                                    },
                                                    false);
                          });
}

} // namespace imbolc::plugin
