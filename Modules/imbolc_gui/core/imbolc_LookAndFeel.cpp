namespace imbolc::gui
{

LookAndFeel::LookAndFeel()
    : juce::LookAndFeel_V4 (juce::LookAndFeel_V4::ColourScheme {
        Palette::background, // window background
        Palette::panel, // widget background
        Palette::panelLight, // menu background
        Palette::outline, // outline
        Palette::text, // default text
        Palette::panelLight, // default fill
        juce::Colours::white, // highlighted text
        Palette::selection, // highlighted fill
        Palette::text // menu text
    })
{
    setColour (juce::Slider::rotarySliderFillColourId, Palette::accent);
    setColour (juce::Slider::thumbColourId, Palette::accent);
    setColour (juce::Slider::trackColourId, Palette::accent.withAlpha (0.6f));
    setColour (juce::TextButton::buttonOnColourId, Palette::accent.darker (0.3f));
    setColour (juce::ListBox::backgroundColourId, Palette::panel);
    setColour (juce::TooltipWindow::backgroundColourId, Palette::panelLight);
}

void LookAndFeel::drawRotarySlider (juce::Graphics& g, int x, int y, int width, int height, float sliderPos,
                                    float startAngle, float endAngle, juce::Slider& slider)
{
    // A plain arc knob: the value arc over a dim track, and a pointer; readable at 32 px.
    const auto bounds = juce::Rectangle<int> (x, y, width, height).toFloat().reduced (3.0f);
    const auto radius = juce::jmin (bounds.getWidth(), bounds.getHeight()) / 2.0f;
    const auto centre = bounds.getCentre();
    const auto angle = startAngle + sliderPos * (endAngle - startAngle);
    const auto lineW = juce::jmax (2.0f, radius * 0.18f);
    const auto arcRadius = radius - lineW * 0.5f;
    const bool enabled = slider.isEnabled();

    juce::Path track;
    track.addCentredArc (centre.x, centre.y, arcRadius, arcRadius, 0.0f, startAngle, endAngle, true);
    g.setColour (Palette::outline);
    g.strokePath (track, juce::PathStrokeType (lineW, juce::PathStrokeType::curved, juce::PathStrokeType::rounded));

    juce::Path value;
    value.addCentredArc (centre.x, centre.y, arcRadius, arcRadius, 0.0f, startAngle, angle, true);
    g.setColour (slider.findColour (juce::Slider::rotarySliderFillColourId).withAlpha (enabled ? 1.0f : 0.4f));
    g.strokePath (value, juce::PathStrokeType (lineW, juce::PathStrokeType::curved, juce::PathStrokeType::rounded));

    const juce::Point<float> tip (centre.x + (arcRadius - lineW) * std::sin (angle), centre.y - (arcRadius - lineW) * std::cos (angle));
    g.setColour (Palette::text.withAlpha (enabled ? 1.0f : 0.4f));
    g.drawLine ({ centre, tip }, lineW * 0.7f);
}

} // namespace imbolc::gui
