// The window's content in process: its commands (undo and redo named after the edit, play/stop, delete,
// duplicate, loop, view toggles) through a real ApplicationCommandManager and real key presses.

#include "imbolc_GuiTestSupport.h"

using namespace imbolc;

namespace
{
model::ParamAddress firstStageParam (const model::Session& s, model::InstrumentId* owner = nullptr)
{
    for (const auto& inst : s.instruments)
        if (! inst.chain.empty() && ! inst.chain.front().params.empty())
        {
            if (owner != nullptr)
                *owner = inst.id;
            return model::ParamAddress::stage (model::NodeKind::instrument, inst.id.value, inst.chain.front().id, 0);
        }
    FAIL ("the demo session has an instrument with a stage");
    return {};
}
} // namespace

TEST_CASE ("The window's Undo and Redo are named after the edit and take it back through the dispatcher", "[gui]")
{
    test::GuiFixture f;
    juce::ApplicationCommandManager commands;
    gui::MainComponent main (f.context, commands);
    commands.registerAllCommandsForTarget (&main);
    commands.setFirstCommandTarget (&main);

    juce::ApplicationCommandInfo info (gui::commands::editUndo);
    REQUIRE (commands.getTargetForCommand (gui::commands::editUndo, info) == &main);
    CHECK_FALSE ((info.flags & juce::ApplicationCommandInfo::isDisabled) == 0);

    model::InstrumentId owner;
    const auto param = firstStageParam (f.host.getSession(), &owner);
    const auto before = model::findParam (f.host.getSession(), param)->value;
    const auto* stage = f.host.getSession().instruments.find (owner)->findStage (model::StageId { param.itemId });
    const auto expectedName = "Undo Set " + juce::String (stage->params.at (0).name).substring (0, 1).toUpperCase() + juce::String (stage->params.at (0).name).substring (1);
    const auto target = juce::jlimit (stage->params[0].minValue, stage->params[0].maxValue, before * 0.5f + stage->params[0].minValue * 0.5f + 1.0f);
    REQUIRE (f.context.perform (model::action::SetParam { param, target }).ok());

    commands.getTargetForCommand (gui::commands::editUndo, info);
    CHECK ((info.flags & juce::ApplicationCommandInfo::isDisabled) == 0);
    CHECK (info.shortName == expectedName);

    REQUIRE (commands.invokeDirectly (gui::commands::editUndo, false));
    CHECK (model::findParam (f.host.getSession(), param)->value == before);
    commands.getTargetForCommand (gui::commands::editRedo, info);
    CHECK (info.shortName == "Redo" + expectedName.fromFirstOccurrenceOf ("Undo", false, false));
    REQUIRE (commands.invokeDirectly (gui::commands::editRedo, false));
    CHECK (model::findParam (f.host.getSession(), param)->value == target);
}

TEST_CASE ("Space plays and stops, Delete deletes the selected instrument, through the key map", "[gui]")
{
    test::GuiFixture f;
    juce::ApplicationCommandManager commands;
    gui::MainComponent main (f.context, commands);
    commands.registerAllCommandsForTarget (&main);
    commands.setFirstCommandTarget (&main);
    main.addKeyListener (commands.getKeyMappings());
    test::UiDriver ui (main);
    main.grabKeyboardFocus();
    test::pumpMessages (20);

    ui.pressKey (juce::KeyPress (juce::KeyPress::spaceKey));
    CHECK (f.host.getSession().transport.playing);
    ui.pressKey (juce::KeyPress (juce::KeyPress::spaceKey));
    CHECK_FALSE (f.host.getSession().transport.playing);

    const auto count = f.host.getSession().instruments.size();
    const auto selected = f.context.selection.getInstrument();
    REQUIRE (f.host.getSession().instruments.contains (selected));
    main.grabKeyboardFocus();
    ui.pressKey (juce::KeyPress (juce::KeyPress::deleteKey));
    CHECK (f.host.getSession().instruments.size() == count - 1);
    CHECK_FALSE (f.host.getSession().instruments.contains (selected));
    // The selection moves to an instrument that is still there.
    CHECK (f.host.getSession().instruments.contains (f.context.selection.getInstrument()));
    CHECK (f.takeActionNames() == std::vector<std::string> { "Play", "Stop", "DeleteInstrument" });
}

TEST_CASE ("A refused edit is shown in the status line with the dispatcher's sentence", "[gui]")
{
    test::GuiFixture f;
    juce::ApplicationCommandManager commands;
    gui::MainComponent main (f.context, commands);
    const auto result = f.context.perform (model::action::SetBpm { -5.0 });
    REQUIRE_FALSE (result.ok());
    CHECK (main.getLastMessage() == juce::String (result.error));
    auto* status = test::findComponent<juce::Label> (main, "StatusLine");
    REQUIRE (status != nullptr);
    CHECK (status->getText() == juce::String (result.error));
}

TEST_CASE ("The layout a person made is remembered, and a damaged layout keeps the defaults", "[gui]")
{
    test::GuiFixture f;
    juce::ApplicationCommandManager commands;
    gui::MainComponent main (f.context, commands);
    main.setAnalysisVisible (true);
    main.setMixerVisible (false);
    const auto saved = main.getLayoutState();

    gui::MainComponent other (f.context, commands);
    CHECK_FALSE (other.isAnalysisVisible());
    other.setLayoutState (saved);
    CHECK (other.isAnalysisVisible());
    CHECK_FALSE (other.isMixerVisible());
    other.setLayoutState ("{ not json");
    CHECK (other.isAnalysisVisible());
}

TEST_CASE ("Dragging the dividers resizes the panels, and the sizes are remembered with the layout", "[gui]")
{
    test::GuiFixture f;
    juce::ApplicationCommandManager commands;
    gui::MainComponent main (f.context, commands);
    test::UiDriver ui (main);

    auto* rackDivider = test::findComponent (main, "RackDivider");
    auto* mixerDivider = test::findComponent (main, "MixerDivider");
    REQUIRE (rackDivider != nullptr);
    REQUIRE (mixerDivider != nullptr);
    const auto rackBefore = main.getRack().getWidth();
    const auto mixerBefore = main.getMixer().getHeight();
    const auto c = rackDivider->getLocalBounds().getCentre();
    ui.drag (*rackDivider, c, c + juce::Point<int> (60, 0), 6);
    CHECK (main.getRack().getWidth() == rackBefore + 60);
    CHECK (main.getChainView().getX() == main.getRack().getRight() + rackDivider->getWidth());
    const auto m = mixerDivider->getLocalBounds().getCentre();
    ui.drag (*mixerDivider, m, m + juce::Point<int> (0, -40), 4);
    CHECK (main.getMixer().getHeight() == mixerBefore + 40);
    CHECK (main.getChainView().getBottom() <= main.getMixer().getY());

    gui::MainComponent other (f.context, commands);
    other.setSize (main.getWidth(), main.getHeight());
    other.setLayoutState (main.getLayoutState());
    CHECK (other.getRack().getWidth() == rackBefore + 60);
    CHECK (other.getMixer().getHeight() == mixerBefore + 40);
}

TEST_CASE ("A session whose plugin is not installed opens with one sentence naming it, and keeps the instrument", "[gui]")
{
    test::GuiFixture f (model::Session {});
    juce::ApplicationCommandManager commands;
    gui::MainComponent main (f.context, commands);

    model::Session session;
    model::UndoHistory scratch;
    model::Dispatcher dispatcher (session, scratch);
    model::Source source;
    source.kind = model::SourceKind::plugin;
    source.plugin.format = model::PluginFormat::lv2;
    source.plugin.identifier = "http://imbolc.invalid/plugins/not-installed";
    source.plugin.name = "Not Installed Synth";
    REQUIRE (dispatcher.apply (model::action::AddInstrument { "missing", source }).ok());
    const auto expected = session;

    f.host.setSession (session);
    // The engine reports what it could not load during its housekeeping (the app's timer).
    for (int waited = 0; main.getLastMessage().isEmpty() && waited < 5000; waited += 10)
    {
        f.host.tick (0);
        test::pumpMessages (10);
    }
    INFO (main.getLastMessage());
    CHECK (main.getLastMessage().contains ("not-installed"));
    CHECK (f.host.getSession() == expected); // nothing lost: the instrument stays, to play where it is installed
    CHECK (test::findComponent (main, "InstrumentRow" + juce::String (expected.instruments.begin()->id.value)) != nullptr);
}

TEST_CASE ("Options > Run Plugins sets where the session's plugins run, ticks the choice and undoes", "[gui]")
{
    test::GuiFixture f;
    juce::ApplicationCommandManager commands;
    gui::MainComponent main (f.context, commands);
    commands.registerAllCommandsForTarget (&main);
    commands.setFirstCommandTarget (&main);

    auto ticked = [&] (juce::CommandID id)
    {
        juce::ApplicationCommandInfo info (id);
        REQUIRE (commands.getTargetForCommand (id, info) == &main);
        return (info.flags & juce::ApplicationCommandInfo::isTicked) != 0;
    };
    using namespace gui::commands;
    REQUIRE (f.host.getSession().settings.pluginIsolation == model::PluginIsolation::inProcess);
    CHECK (ticked (optionsPluginsInProcess));
    CHECK_FALSE (ticked (optionsPluginsPerPlugin));

    REQUIRE (commands.invokeDirectly (optionsPluginsPerPlugin, false));
    CHECK (f.host.getSession().settings.pluginIsolation == model::PluginIsolation::perPlugin);
    CHECK (ticked (optionsPluginsPerPlugin));
    CHECK_FALSE (ticked (optionsPluginsInProcess));
    CHECK_FALSE (ticked (optionsPluginsShared));

    // One shared sandbox is a choice like the others.
    juce::ApplicationCommandInfo shared (optionsPluginsShared);
    commands.getTargetForCommand (optionsPluginsShared, shared);
    CHECK ((shared.flags & juce::ApplicationCommandInfo::isDisabled) == 0);
    CHECK (shared.shortName == "All in One Sandbox");
    REQUIRE (commands.invokeDirectly (optionsPluginsShared, false));
    CHECK (f.host.getSession().settings.pluginIsolation == model::PluginIsolation::shared);
    CHECK (ticked (optionsPluginsShared));
    CHECK_FALSE (ticked (optionsPluginsPerPlugin));
    REQUIRE (commands.invokeDirectly (editUndo, false));
    CHECK (f.host.getSession().settings.pluginIsolation == model::PluginIsolation::perPlugin);

    // Each choice is one undo step, named after the edit.
    juce::ApplicationCommandInfo undo (editUndo);
    commands.getTargetForCommand (editUndo, undo);
    CHECK (undo.shortName == "Undo Set Plugin Isolation");
    REQUIRE (commands.invokeDirectly (editUndo, false));
    CHECK (f.host.getSession().settings.pluginIsolation == model::PluginIsolation::inProcess);
    CHECK (ticked (optionsPluginsInProcess));
}
