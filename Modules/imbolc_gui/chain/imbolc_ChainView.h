#pragma once

namespace imbolc::gui
{

/** The selected instrument's source and stages, with every parameter. Message thread. */
class ChainView final : public SessionView
{
public:
    explicit ChainView (GuiContext&);
    ~ChainView() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;

private:
    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (ChainView)
};

} // namespace imbolc::gui
