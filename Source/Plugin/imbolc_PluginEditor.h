// The Imbolc plugin's editor: the desktop app's window content (imbolc_gui's MainComponent) under a menu
// bar, over the session the processor keeps.
#pragma once

#include "imbolc_PluginProcessor.h"

namespace imbolc::plugin
{

/** The plugin's window inside the host: the same views as the desktop app (transport, rack, editors,
    chain, mixer), a menu bar for what the app's menus do that a plugin can (sessions, render, plugins,
    shortcuts, the network), resizable. Its views and context are rebuilt when the shown session changes
    (joined, left); the layout and size are kept by the processor while the editor is closed.

    Its look and feel, command manager and key map are its own: two Imbolc editors in one host do not
    share anything. Message thread.
*/
class ImbolcEditor final : public juce::AudioProcessorEditor,
                           public juce::MenuBarModel,
                           public juce::ApplicationCommandTarget,
                           private gui::Selection::Listener
{
public:
    explicit ImbolcEditor (ImbolcProcessor&);
    ~ImbolcEditor() override;

    void resized() override;
    void paint (juce::Graphics&) override;

    //==============================================================================
    juce::ApplicationCommandTarget* getNextCommandTarget() override { return nullptr; }
    void getAllCommands (juce::Array<juce::CommandID>&) override;
    void getCommandInfo (juce::CommandID, juce::ApplicationCommandInfo&) override;
    bool perform (const InvocationInfo&) override;

    juce::StringArray getMenuBarNames() override;
    juce::PopupMenu getMenuForIndex (int index, const juce::String&) override;
    void menuItemSelected (int, int) override {}

    /** The views (tests look at them). */
    gui::MainComponent* getContent() noexcept { return content.get(); }
    gui::GuiContext* getContext() noexcept { return context.get(); }
    juce::ApplicationCommandManager& getCommandManager() noexcept { return commandManager; }

    /** The `imbolc` command-line tool that scans plugins for this editor (in its own processes, never in
        the host's): beside the plugin's bundle or on the PATH; none: rescanning is off. */
    static juce::File findScanWorker();

private:
    void showSession();
    void selectionChanged() override;
    void showStatus (const juce::String&, bool isWarning = false);
    void showToolWindow (const juce::String& key, const juce::String& title, std::function<juce::Component*()> make, bool resizable);
    void showNetwork (bool hosting);
    void showPlugins();
    void chooseSessionToOpen();
    void chooseExportTarget();
    void chooseRenderTarget();
    void loadPluginList();

    ImbolcProcessor& processor;
    gui::LookAndFeel lookAndFeel;
    juce::ApplicationCommandManager commandManager;
    juce::MenuBarComponent menuBar;
    juce::KnownPluginList knownPlugins;
    std::unique_ptr<gui::GuiContext> context;
    std::unique_ptr<gui::MainComponent> content;
    std::unique_ptr<juce::FileChooser> chooser;
    std::map<juce::String, std::unique_ptr<gui::ToolWindow>> toolWindows;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (ImbolcEditor)
};

} // namespace imbolc::plugin
