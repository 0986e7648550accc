#pragma once

namespace imbolc::gui
{

/** Spectrum, loudness and scope of the master output.

    The analyses cost the audio thread something, so they run only while this panel is on screen: it
    enables them (engine::AnalysisMeters::all) when it becomes showing and disables them when it is hidden
    or destroyed. It reads new results on the context's MeterHub frames (the window's one meter timer) and
    repaints a display only when a new frame of its kind was read.

    A joined seat has no analysis (the audio plays on the host): the panel says so instead.

    Component IDs: "AnalysisPanel", "Momentary", "ShortTerm", "Integrated" (the LUFS values),
    "ResetLoudness", "Spectrum", "Scope", "AnalysisUnavailable".

    Message thread.
*/
class AnalysisPanel final : public SessionView,
                            private MeterHub::Listener
{
public:
    explicit AnalysisPanel (GuiContext&);
    ~AnalysisPanel() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;
    void resized() override;
    void visibilityChanged() override;
    void parentHierarchyChanged() override;

    /** True while this panel has the analyses switched on (it is showing and the session plays here). */
    bool isAnalysing() const noexcept { return analysing; }

    /** Restarts the loudness measurement (the reset button). */
    void resetLoudness();

    /** The newest readings shown (tests, tools). */
    const engine::Loudness& getLoudness() const noexcept { return loudness; }
    const engine::SpectrumFrame& getSpectrum() const noexcept { return spectrum; }
    const engine::ScopeFrame& getScope() const noexcept { return scope; }

    /** How many new loudness, spectrum and scope frames were read since the panel was made. */
    struct FramesRead
    {
        int loudness = 0, spectrum = 0, scope = 0;
    };
    FramesRead getFramesRead() const noexcept { return framesRead; }

    /** "-14.2 LUFS" or "-inf" (nothing measured yet, or silence). */
    static juce::String lufsText (float lufs);

private:
    class SpectrumDisplay;
    class ScopeDisplay;

    void updateAnalysing();
    void metersUpdated (const MeterFrame&) override;
    void showLoudness();

    engine::Loudness loudness;
    engine::SpectrumFrame spectrum;
    std::unique_ptr<engine::ScopeFrame> scopeStorage; // 16 KB: off the component
    engine::ScopeFrame& scope;
    FramesRead framesRead;
    bool analysing = false;
    bool hasSpectrum = false, hasScope = false;

    juce::Label title, unavailable;
    juce::Label momentaryCaption, shortTermCaption, integratedCaption;
    juce::Label momentary, shortTerm, integrated;
    juce::TextButton resetButton { "Reset" };
    std::unique_ptr<SpectrumDisplay> spectrumDisplay;
    std::unique_ptr<ScopeDisplay> scopeDisplay;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (AnalysisPanel)
};

} // namespace imbolc::gui
