namespace imbolc::gui
{

namespace
{
    using AnalysisPalette = LookAndFeel::Palette;

    constexpr float analysisSpectrumFloorDb = -90.0f, analysisSpectrumTopDb = 0.0f;

    void analysisStyleCaption (juce::Label& l, const juce::String& text)
    {
        l.setText (text, juce::dontSendNotification);
        l.setFont (juce::Font (11.0f));
        l.setColour (juce::Label::textColourId, AnalysisPalette::textDim);
        l.setJustificationType (juce::Justification::centred);
        l.setBorderSize ({});
    }

    void analysisStyleValue (juce::Label& l, const juce::String& componentId)
    {
        l.setComponentID (componentId);
        l.setFont (juce::Font (20.0f, juce::Font::bold));
        l.setColour (juce::Label::textColourId, AnalysisPalette::text);
        l.setJustificationType (juce::Justification::centred);
        l.setBorderSize ({});
        l.setMinimumHorizontalScale (0.6f);
    }
} // namespace

//==============================================================================
/** The 32 fine bands as bars on a logarithmic frequency axis, 0 to -90 dBFS. */
class AnalysisPanel::SpectrumDisplay final : public juce::Component
{
public:
    explicit SpectrumDisplay (const AnalysisPanel& p)
        : panel (p)
    {
        setComponentID ("Spectrum");
        setOpaque (true);
    }

    void paint (juce::Graphics& g) override
    {
        using Analyser = engine::SpectrumAnalyser;
        g.fillAll (AnalysisPalette::background);
        const auto plot = getLocalBounds().toFloat().withTrimmedBottom (14.0f).withTrimmedLeft (24.0f).withTrimmedTop (5.0f).reduced (2.0f);
        const auto xOf = [&] (float hz)
        { return plot.getX() + plot.getWidth() * std::log (hz / Analyser::fineLowHz) / std::log (Analyser::fineHighHz / Analyser::fineLowHz); };
        const auto yOf = [&] (float db)
        { return plot.getBottom() - plot.getHeight() * juce::jlimit (0.0f, 1.0f, (db - analysisSpectrumFloorDb) / (analysisSpectrumTopDb - analysisSpectrumFloorDb)); };

        g.setFont (juce::Font (10.0f));
        for (float db = analysisSpectrumTopDb; db >= analysisSpectrumFloorDb; db -= 18.0f)
        {
            g.setColour (AnalysisPalette::outline.withAlpha (0.6f));
            g.fillRect (plot.getX(), yOf (db), plot.getWidth(), 1.0f);
            g.setColour (AnalysisPalette::textDim);
            g.drawText (juce::String ((int) db), juce::Rectangle<float> (0.0f, yOf (db) - 6.0f, 22.0f, 12.0f), juce::Justification::centredRight);
        }
        for (const auto& [hz, text] : { std::pair { 100.0f, "100" }, std::pair { 1000.0f, "1k" }, std::pair { 10000.0f, "10k" } })
        {
            g.setColour (AnalysisPalette::outline.withAlpha (0.6f));
            g.fillRect (xOf (hz), plot.getY(), 1.0f, plot.getHeight());
            g.setColour (AnalysisPalette::textDim);
            g.drawText (text, juce::Rectangle<float> (xOf (hz) - 20.0f, plot.getBottom() + 2.0f, 40.0f, 12.0f), juce::Justification::centred);
        }

        if (! panel.hasSpectrum)
            return;
        const auto& frame = panel.getSpectrum();
        for (int i = 0; i < Analyser::numFineBands; ++i)
        {
            const auto x0 = xOf (Analyser::fineBandEdgeHz (i)), x1 = xOf (Analyser::fineBandEdgeHz (i + 1));
            const auto db = frame.fineDb[(std::size_t) i];
            const auto top = yOf (db);
            if (top >= plot.getBottom())
                continue;
            g.setColour (db > -6.0f ? AnalysisPalette::meterHigh : AnalysisPalette::accent);
            g.fillRect (juce::Rectangle<float>::leftTopRightBottom (x0 + 0.5f, top, juce::jmax (x0 + 1.5f, x1 - 0.5f), plot.getBottom()));
        }
    }

private:
    const AnalysisPanel& panel;
};

//==============================================================================
/** The newest 2048 samples of the master, left and right overlaid, as min/max per pixel column. */
class AnalysisPanel::ScopeDisplay final : public juce::Component
{
public:
    explicit ScopeDisplay (const AnalysisPanel& p)
        : panel (p)
    {
        setComponentID ("Scope");
        setOpaque (true);
    }

    void paint (juce::Graphics& g) override
    {
        g.fillAll (AnalysisPalette::background);
        const auto plot = getLocalBounds().toFloat().reduced (2.0f);
        const auto midY = plot.getCentreY();
        g.setColour (AnalysisPalette::outline);
        g.fillRect (plot.getX(), midY, plot.getWidth(), 1.0f);
        if (! panel.hasScope)
            return;

        const auto& frame = panel.getScope();
        drawChannel (g, frame.left, plot, AnalysisPalette::accent);
        drawChannel (g, frame.right, plot, AnalysisPalette::meterMid.withAlpha (0.7f));
    }

private:
    static void drawChannel (juce::Graphics& g, const std::array<float, engine::ScopeFrame::size>& samples,
                             juce::Rectangle<float> plot, juce::Colour colour)
    {
        const auto columns = juce::jmax (1, (int) plot.getWidth());
        const auto half = plot.getHeight() * 0.5f;
        const auto midY = plot.getCentreY();
        g.setColour (colour);
        for (int x = 0; x < columns; ++x)
        {
            const auto first = (std::size_t) ((long long) x * engine::ScopeFrame::size / columns);
            const auto end = juce::jmax (first + 1, (std::size_t) ((long long) (x + 1) * engine::ScopeFrame::size / columns));
            auto lo = samples[first], hi = samples[first];
            for (auto i = first + 1; i < end && i < samples.size(); ++i)
            {
                lo = juce::jmin (lo, samples[i]);
                hi = juce::jmax (hi, samples[i]);
            }
            const auto top = midY - juce::jlimit (-1.0f, 1.0f, hi) * half;
            const auto bottom = midY - juce::jlimit (-1.0f, 1.0f, lo) * half;
            g.fillRect (plot.getX() + (float) x, top, 1.0f, juce::jmax (1.0f, bottom - top));
        }
    }

    const AnalysisPanel& panel;
};

//==============================================================================
AnalysisPanel::AnalysisPanel (GuiContext& c)
    : SessionView (c),
      scopeStorage (std::make_unique<engine::ScopeFrame>()),
      scope (*scopeStorage)
{
    setComponentID ("AnalysisPanel");
    setOpaque (true);

    title.setText ("Master analysis", juce::dontSendNotification);
    title.setFont (juce::Font (14.0f, juce::Font::bold));
    title.setColour (juce::Label::textColourId, AnalysisPalette::text);
    addAndMakeVisible (title);

    analysisStyleCaption (momentaryCaption, "Momentary");
    analysisStyleCaption (shortTermCaption, "Short-term");
    analysisStyleCaption (integratedCaption, "Integrated");
    analysisStyleValue (momentary, "Momentary");
    analysisStyleValue (shortTerm, "ShortTerm");
    analysisStyleValue (integrated, "Integrated");
    for (auto* l : { &momentaryCaption, &shortTermCaption, &integratedCaption, &momentary, &shortTerm, &integrated })
        addAndMakeVisible (l);

    resetButton.setComponentID ("ResetLoudness");
    resetButton.setTooltip ("Restart the loudness measurement (integrated counts from now)");
    resetButton.onClick = [this]
    { resetLoudness(); };
    addAndMakeVisible (resetButton);

    spectrumDisplay = std::make_unique<SpectrumDisplay> (*this);
    scopeDisplay = std::make_unique<ScopeDisplay> (*this);
    addAndMakeVisible (*spectrumDisplay);
    addAndMakeVisible (*scopeDisplay);

    unavailable.setComponentID ("AnalysisUnavailable");
    unavailable.setText ("Analysis plays where the session is hosted", juce::dontSendNotification);
    unavailable.setJustificationType (juce::Justification::centred);
    unavailable.setColour (juce::Label::textColourId, AnalysisPalette::textDim);
    addChildComponent (unavailable);

    showLoudness();
    sessionChanged ({});
    context.meters.addListener (this);
}

AnalysisPanel::~AnalysisPanel()
{
    context.meters.removeListener (this);
    if (analysing)
        if (auto* analysis = context.session.getAnalysis())
            analysis->setEnabled (engine::AnalysisMeters::none);
}

juce::String AnalysisPanel::lufsText (float lufs)
{
    return std::isfinite (lufs) ? juce::String (lufs, 1) : juce::String ("-inf");
}

void AnalysisPanel::sessionChanged (const app::SessionChange&)
{
    // Whether analysis exists depends on where the session plays, not on what an edit changed; this is
    // a pointer check, so it costs nothing to ask on every change.
    const bool available = context.session.getAnalysis() != nullptr;
    if (unavailable.isVisible() == available)
    {
        unavailable.setVisible (! available);
        for (auto* child : std::initializer_list<juce::Component*> { &momentaryCaption, &shortTermCaption, &integratedCaption, &momentary,
                                                                     &shortTerm, &integrated, &resetButton, spectrumDisplay.get(), scopeDisplay.get() })
            child->setVisible (available);
    }
    updateAnalysing();
}

void AnalysisPanel::visibilityChanged()
{
    updateAnalysing();
}

void AnalysisPanel::parentHierarchyChanged()
{
    updateAnalysing();
}

void AnalysisPanel::updateAnalysing()
{
    auto* analysis = context.session.getAnalysis();
    const bool shouldAnalyse = analysis != nullptr && isShowing();
    if (shouldAnalyse == analysing)
        return;
    analysing = shouldAnalyse;
    if (analysis == nullptr)
        return;
    analysis->setEnabled (analysing ? engine::AnalysisMeters::all : engine::AnalysisMeters::none);
    if (analysing)
    {
        // Switched on, the meters start from a clean state: so does what the panel shows.
        loudness = {};
        hasSpectrum = hasScope = false;
        showLoudness();
        spectrumDisplay->repaint();
        scopeDisplay->repaint();
    }
}

void AnalysisPanel::resetLoudness()
{
    if (auto* analysis = context.session.getAnalysis())
        analysis->requestLoudnessReset();
    loudness = {};
    showLoudness();
}

void AnalysisPanel::showLoudness()
{
    momentary.setText (lufsText (loudness.momentaryLufs), juce::dontSendNotification);
    shortTerm.setText (lufsText (loudness.shortTermLufs), juce::dontSendNotification);
    integrated.setText (lufsText (loudness.integratedLufs), juce::dontSendNotification);
    integratedCaption.setText (loudness.measuredSeconds > 0.0 ? "Integrated (" + juce::String ((int) loudness.measuredSeconds) + " s)"
                                                              : juce::String ("Integrated"),
                               juce::dontSendNotification);
}

void AnalysisPanel::metersUpdated (const MeterFrame&)
{
    // A minimised window or a hidden parent sends no visibility callback: check each frame (cheap).
    updateAnalysing();
    if (! analysing)
        return;
    auto* analysis = context.session.getAnalysis();
    if (analysis == nullptr)
        return;

    if (analysis->readLoudness (loudness))
    {
        ++framesRead.loudness;
        showLoudness(); // the labels repaint only if their text changed
    }
    if (analysis->readSpectrum (spectrum))
    {
        ++framesRead.spectrum;
        hasSpectrum = true;
        spectrumDisplay->repaint();
    }
    if (analysis->readScope (scope))
    {
        ++framesRead.scope;
        hasScope = true;
        scopeDisplay->repaint();
    }
}

void AnalysisPanel::paint (juce::Graphics& g)
{
    g.fillAll (AnalysisPalette::panel);
    g.setColour (AnalysisPalette::outline);
    g.fillRect (0, 0, 1, getHeight());
    g.setColour (AnalysisPalette::textDim);
    g.setFont (juce::Font (11.0f));
    if (spectrumDisplay->isVisible())
    {
        g.drawText ("Spectrum (dBFS)", spectrumDisplay->getBounds().translated (0, -15).withHeight (14), juce::Justification::centredLeft);
        g.drawText ("Scope (L / R)", scopeDisplay->getBounds().translated (0, -15).withHeight (14), juce::Justification::centredLeft);
        g.drawText ("LUFS", momentary.getBounds().withY (momentaryCaption.getY() - 14).withHeight (12).withWidth (60), juce::Justification::centredLeft);
    }
}

void AnalysisPanel::resized()
{
    auto area = getLocalBounds().reduced (10, 8).withTrimmedLeft (1);
    auto header = area.removeFromTop (24);
    resetButton.setBounds (header.removeFromRight (60).reduced (0, 1));
    title.setBounds (header);
    unavailable.setBounds (getLocalBounds().reduced (10));

    area.removeFromTop (20);
    auto captions = area.removeFromTop (14);
    auto values = area.removeFromTop (28);
    const auto third = area.getWidth() / 3;
    momentaryCaption.setBounds (captions.removeFromLeft (third));
    shortTermCaption.setBounds (captions.removeFromLeft (third));
    integratedCaption.setBounds (captions);
    momentary.setBounds (values.removeFromLeft (third));
    shortTerm.setBounds (values.removeFromLeft (third));
    integrated.setBounds (values);

    area.removeFromTop (24);
    auto spectrumArea = area.removeFromTop ((area.getHeight() - 18) * 3 / 5);
    spectrumDisplay->setBounds (spectrumArea);
    area.removeFromTop (18);
    scopeDisplay->setBounds (area);
}

} // namespace imbolc::gui
