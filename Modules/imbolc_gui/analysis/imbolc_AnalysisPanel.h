#pragma once

namespace imbolc::gui
{

/** Spectrum, loudness and scope of the master output. Message thread. */
class AnalysisPanel final : public SessionView
{
public:
    explicit AnalysisPanel (GuiContext&);
    ~AnalysisPanel() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;

private:
    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (AnalysisPanel)
};

} // namespace imbolc::gui
