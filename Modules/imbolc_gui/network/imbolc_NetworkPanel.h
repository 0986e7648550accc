#pragma once

namespace imbolc::gui
{

/** Hosting and joining a network session, and the seats of the session. Message thread. */
class NetworkPanel final : public SessionView
{
public:
    explicit NetworkPanel (GuiContext&);
    ~NetworkPanel() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;

private:
    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (NetworkPanel)
};

} // namespace imbolc::gui
