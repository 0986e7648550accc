namespace imbolc::gui
{

NetworkPanel::NetworkPanel (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("NetworkPanel");
}

NetworkPanel::~NetworkPanel() = default;

void NetworkPanel::sessionChanged (const app::SessionChange&)
{
}

void NetworkPanel::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
}

} // namespace imbolc::gui
