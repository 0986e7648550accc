namespace imbolc::gui
{

ChainView::ChainView (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("ChainView");
}

ChainView::~ChainView() = default;

void ChainView::sessionChanged (const app::SessionChange&)
{
}

void ChainView::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
}

} // namespace imbolc::gui
