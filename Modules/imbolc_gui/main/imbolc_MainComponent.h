#pragma once

namespace imbolc::gui
{

/** The command ids of Imbolc's window, shared by the app's menus, its key map and the plugin editor. */
namespace commands
{
    enum : juce::CommandID
    {
        fileNew = 0x1001,
        fileOpen,
        fileSave,
        fileSaveAs,
        fileRender,
        fileQuit,
        editUndo = 0x2001,
        editRedo,
        editDelete,
        editDuplicate,
        editRename,
        transportPlayStop = 0x3001,
        transportLocateStart,
        transportLoop,
        viewMixer = 0x4001,
        viewAnalysis,
        viewPlugins,
        viewShortcuts,
        viewArrangement,
        viewPianoRoll,
        viewDrums,
        viewMacros, ///< "Macros...": the app or plugin opens a MacroPanel in a tool window
        viewMidiMappings, ///< "MIDI Mappings...": the app or plugin opens a MidiMappingPanel in a tool window
        optionsAudio = 0x5001,
        optionsMidiClockOut, ///< "Send MIDI Clock": a setting of this machine, kept by the app
        optionsMidiClockIn, ///< "Follow MIDI Clock": the session follows an external MIDI clock
        optionsPluginsInProcess, ///< "Run Plugins > In Imbolc's Process" (SetPluginIsolation)
        optionsPluginsPerPlugin, ///< "Run Plugins > Each in Its Own Sandbox"
        optionsPluginsShared, ///< "Run Plugins > All in One Sandbox"
        networkHost = 0x6001,
        networkJoin,
        networkLeave,
        networkRequestPrivilege,
    };
} // namespace commands

/** The window's content: transport bar on top, the instrument rack on the left, the editors (arrangement,
    piano roll, drum steps) in the middle over the selected instrument's chain, the mixer below, the analysis panel on the right when shown, and a status line
    with the last message at the bottom.

    It handles the commands that act on the session it shows (undo, redo, delete, duplicate, rename,
    play/stop, locate, loop, where plugins run, the view toggles); the application handles file, audio
    and network commands as the next target in the chain.

    Message thread.
*/
class MainComponent final : public SessionView,
                            public juce::ApplicationCommandTarget,
                            private Selection::Listener
{
public:
    MainComponent (GuiContext&, juce::ApplicationCommandManager&);
    ~MainComponent() override;

    void resized() override;
    void paint (juce::Graphics&) override;
    void sessionChanged (const app::SessionChange&) override;

    /** Shows one sentence in the status line (and keeps it there until the next): a refusal or a warning
        in the warning colour, news ("Saved ...") plainly. */
    void showMessage (const juce::String&, bool isWarning = true);
    juce::String getLastMessage() const { return lastMessage; }

    void setAnalysisVisible (bool);
    bool isAnalysisVisible() const noexcept { return analysis.isVisible(); }
    void setMixerVisible (bool);
    bool isMixerVisible() const noexcept { return mixer.isVisible(); }

    /** The layout a person made (panel sizes and which panels show), to remember and restore. */
    juce::String getLayoutState() const;
    void setLayoutState (const juce::String&);

    /** The next command target (the application's, for files, audio and network). */
    void setNextTarget (juce::ApplicationCommandTarget* t) { nextTarget = t; }

    //==============================================================================
    juce::ApplicationCommandTarget* getNextCommandTarget() override { return nextTarget; }
    void getAllCommands (juce::Array<juce::CommandID>&) override;
    void getCommandInfo (juce::CommandID, juce::ApplicationCommandInfo&) override;
    bool perform (const InvocationInfo&) override;

    TransportBar& getTransportBar() noexcept { return transport; }
    InstrumentRack& getRack() noexcept { return rack; }
    ChainView& getChainView() noexcept { return chain; }
    MixerView& getMixer() noexcept { return mixer; }
    ArrangementView& getArrangement() noexcept { return arrangement; }
    PianoRollView& getPianoRoll() noexcept { return pianoRoll; }
    StepSequencerView& getStepSequencer() noexcept { return drums; }

    /** The editor tabs, in order. */
    enum class Editor
    {
        arrangement,
        pianoRoll,
        drums
    };
    void showEditor (Editor);
    Editor getShownEditor() const;
    AnalysisPanel& getAnalysisPanel() noexcept { return analysis; }

    /** A bar between two panels that a person drags to share the space between them. */
    class Divider final : public juce::Component
    {
    public:
        Divider (bool vertical, std::function<void (int delta)> moved);
        void paint (juce::Graphics&) override;
        void mouseDown (const juce::MouseEvent&) override;
        void mouseDrag (const juce::MouseEvent&) override;

    private:
        bool vertical;
        std::function<void (int)> onMove;
        int lastOffset = 0;
    };

    /** The panel sizes a person chose (the dividers): the rack's width, the mixer's height, the
        analysis panel's width, the chain's height under the editors. */
    void selectionChanged() override;

    juce::Rectangle<int> getPanelSizes() const { return { rackWidth, mixerHeight, analysisWidth, chainHeight }; }

private:
    juce::ApplicationCommandManager& commandManager;
    juce::ApplicationCommandTarget* nextTarget = nullptr;

    TransportBar transport;
    InstrumentRack rack;
    ChainView chain;
    MixerView mixer;
    AnalysisPanel analysis;
    ArrangementView arrangement;
    PianoRollView pianoRoll;
    StepSequencerView drums;
    juce::TabbedComponent editors { juce::TabbedButtonBar::TabsAtTop };
    juce::Label status;
    juce::String lastMessage;

    int rackWidth = 260, mixerHeight = 250, analysisWidth = 320, chainHeight = 190;
    Divider rackDivider, mixerDivider, analysisDivider, chainDivider;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (MainComponent)
};

} // namespace imbolc::gui
