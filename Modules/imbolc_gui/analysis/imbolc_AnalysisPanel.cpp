namespace imbolc::gui
{

AnalysisPanel::AnalysisPanel (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("AnalysisPanel");
}

AnalysisPanel::~AnalysisPanel() = default;

void AnalysisPanel::sessionChanged (const app::SessionChange&)
{
}

void AnalysisPanel::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
}

} // namespace imbolc::gui
