#pragma once

namespace imbolc::gui
{

/** Imbolc's one look: a dark theme on JUCE's V4 look-and-feel, with the few colours every view shares.
    Set it once on the top-level component (the window or the plugin editor). Message thread. */
class LookAndFeel final : public juce::LookAndFeel_V4
{
public:
    LookAndFeel();

    /** Colours the views draw with directly (meters, selection, refusal). */
    struct Palette
    {
        static inline const juce::Colour background { 0xff1e2126 };
        static inline const juce::Colour panel { 0xff272b31 };
        static inline const juce::Colour panelLight { 0xff323740 };
        static inline const juce::Colour outline { 0xff454b55 };
        static inline const juce::Colour text { 0xffe4e6ea };
        static inline const juce::Colour textDim { 0xff9aa0a9 };
        static inline const juce::Colour accent { 0xff4fb3bf };
        static inline const juce::Colour selection { 0xff3a6f8f };
        static inline const juce::Colour meterLow { 0xff4caf50 };
        static inline const juce::Colour meterMid { 0xffe0c341 };
        static inline const juce::Colour meterHigh { 0xffe5533d };
        static inline const juce::Colour mute { 0xffd98c2b };
        static inline const juce::Colour solo { 0xffd9c92b };
        static inline const juce::Colour warning { 0xffe5733d };
    };

    void drawRotarySlider (juce::Graphics&, int x, int y, int width, int height, float sliderPos, float startAngle,
                           float endAngle, juce::Slider&) override;
};

} // namespace imbolc::gui
