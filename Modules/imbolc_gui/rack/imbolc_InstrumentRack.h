#pragma once

namespace imbolc::gui
{

/** Every instrument of the session, with its add, delete, duplicate, rename, reorder and select. Message thread. */
class InstrumentRack final : public SessionView
{
public:
    explicit InstrumentRack (GuiContext&);
    ~InstrumentRack() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;

    /** Starts editing the name of instrument `id` in place (Edit > Rename). */
    void beginRename (model::InstrumentId id);

private:
    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (InstrumentRack)
};

} // namespace imbolc::gui
