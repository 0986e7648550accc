#pragma once

namespace imbolc::gui
{

/** A strip per instrument, bus and the master. Message thread. */
class MixerView final : public SessionView
{
public:
    explicit MixerView (GuiContext&);
    ~MixerView() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;

private:
    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (MixerView)
};

} // namespace imbolc::gui
