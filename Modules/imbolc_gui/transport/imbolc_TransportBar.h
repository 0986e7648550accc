#pragma once

namespace imbolc::gui
{

/** The transport bar: play, stop, loop, position, tempo, time signature, key, swing, load. Message thread. */
class TransportBar final : public SessionView
{
public:
    explicit TransportBar (GuiContext&);
    ~TransportBar() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;

private:
    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (TransportBar)
};

} // namespace imbolc::gui
