namespace imbolc::gui
{

PluginBrowser::PluginBrowser (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("PluginBrowser");
}

PluginBrowser::~PluginBrowser() = default;

void PluginBrowser::sessionChanged (const app::SessionChange&)
{
}

void PluginBrowser::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
}

} // namespace imbolc::gui
