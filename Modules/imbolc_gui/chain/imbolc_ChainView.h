#pragma once

namespace imbolc::gui
{

class ParamKnob;

/** The chain of the selection's chain subject (an instrument, a bus or the master), left to right in
    signal order: for an instrument its source, its stages, an "Add stage" button, the amp envelope with
    the voice cap, and the LFO; for a bus or the master its stages and the button.

    Every continuous parameter is a ParamKnob. The panels are rebuilt only when the chain's structure
    changes (a stage added, removed, moved or of another kind, another source); any other edit updates
    the values in place, so a tweak repaints the one knob it moved. An instrument this seat may not edit
    is shown greyed out.

    A plugin source or stage has an "Edit" button that opens the plugin's own editor (or a generic one)
    in a window of its own; the windows close when their stage goes away or this view is destroyed.

    Component IDs: "chainTitle", "chainViewport"; panels "source", "stage.<id>", "amp", "lfo"; in a stage
    panel "bypass", "remove", "moveLeft", "moveRight", "edit"; in the source panel "sourceType",
    "samplePath", "loadSample", "edit"; "addStage"; "voiceCap"; "lfoEnabled", "lfoShape", "lfoTarget";
    knobs as ParamKnob names them.

    Message thread.
*/
class ChainView final : public SessionView,
                        private Selection::Listener
{
public:
    explicit ChainView (GuiContext&);
    ~ChainView() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;
    void resized() override;

    /** The "Add stage" menu: the filters, the EQ, every built-in effect and the scanned plugin effects.
        Its items are handled by addMenuItemChosen (the button shows it asynchronously). */
    juce::PopupMenu getAddMenu();

    /** Adds the stage of a getAddMenu() item id at the end of the chain (0: the menu was dismissed). */
    void addMenuItemChosen (int itemId);

    /** The knob of a parameter of the shown chain, or nullptr. */
    ParamKnob* findKnob (const model::ParamAddress&) const;

    /** Every knob on show, in chain order. */
    std::vector<ParamKnob*> getKnobs() const;

    /** How many times the panels were built (a structural change or another subject). */
    int getRebuildCount() const noexcept { return rebuilds; }

    /** The open editor window of a plugin (source: stage invalid), or nullptr. */
    juce::DocumentWindow* findPluginWindow (model::NodeKind, std::uint32_t nodeId, model::StageId) const;

    /** Opens (or brings to the front) the editor window of the shown chain's plugin; false if the plugin
        is not loaded here. A plugin in a sandbox opens its editor in the sandbox's process
        (SessionAccess::openSandboxedEditor); why it could not goes to the status line. */
    bool openPluginWindow (model::StageId);

    class Panel;
    class SourcePanel;
    class StagePanel;
    class AmpPanel;
    class LfoPanel;
    class PluginWindow;

private:
    void selectionChanged() override;

    struct Subject
    {
        model::NodeKind node = model::NodeKind::instrument;
        std::uint32_t id = 0;
    };

    /** The shown chain, or nullptr if the subject is gone (a deleted bus, no instrument). */
    const std::vector<model::Stage>* currentChain() const;
    const model::Instrument* currentInstrument() const;
    bool touches (const app::SessionChange&) const;
    bool canEdit() const;
    /** Where a stage panel dropped with its centre at `contentX` goes in the chain. */
    int stagePositionAt (int contentX, const juce::Component* dragged) const;
    std::string structureOf() const;

    void rebuild();
    void refreshValues();
    void updateTitle();
    void layoutContent();
    void checkPluginWindows();

    juce::String nameOfSubject() const;

    using WindowKey = std::tuple<int, std::uint32_t, std::uint32_t>;

    Subject subject;
    std::string structure;
    int rebuilds = 0;

    juce::Label title;
    juce::Viewport viewport;
    std::vector<std::unique_ptr<Panel>> panels;
    juce::TextButton addButton { "+ Add stage" };
    std::vector<juce::PluginDescription> menuPlugins;
    std::map<WindowKey, std::unique_ptr<PluginWindow>> pluginWindows;

    JUCE_DECLARE_WEAK_REFERENCEABLE (ChainView)
    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (ChainView)
};

} // namespace imbolc::gui
