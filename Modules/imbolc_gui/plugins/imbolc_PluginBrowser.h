#pragma once

namespace imbolc::gui
{

/** The scanned plugins: format, name, maker, kind, a search box, rescan with progress, crashed plugins shown as skipped. Message thread. */
class PluginBrowser final : public SessionView
{
public:
    explicit PluginBrowser (GuiContext&);
    ~PluginBrowser() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;

private:
    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (PluginBrowser)
};

} // namespace imbolc::gui
