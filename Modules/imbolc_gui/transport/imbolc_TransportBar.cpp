namespace imbolc::gui
{

TransportBar::TransportBar (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("TransportBar");
}

TransportBar::~TransportBar() = default;

void TransportBar::sessionChanged (const app::SessionChange&)
{
}

void TransportBar::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
}

} // namespace imbolc::gui
