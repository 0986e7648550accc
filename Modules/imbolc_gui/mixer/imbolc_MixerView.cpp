namespace imbolc::gui
{

MixerView::MixerView (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("MixerView");
}

MixerView::~MixerView() = default;

void MixerView::sessionChanged (const app::SessionChange&)
{
}

void MixerView::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
}

} // namespace imbolc::gui
