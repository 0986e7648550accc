namespace imbolc::gui
{

InstrumentRack::InstrumentRack (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("InstrumentRack");
}

InstrumentRack::~InstrumentRack() = default;

void InstrumentRack::sessionChanged (const app::SessionChange&)
{
}

void InstrumentRack::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
}

void InstrumentRack::beginRename (model::InstrumentId)
{
}

} // namespace imbolc::gui
