namespace imbolc::gui
{

ToolWindow::ToolWindow (const juce::String& title, juce::Component* content, bool resizable, std::function<void()> onClose)
    : juce::DocumentWindow (title, LookAndFeel::Palette::background, juce::DocumentWindow::closeButton),
      closed (std::move (onClose))
{
    setUsingNativeTitleBar (true);
    setContentOwned (content, true);
    setResizable (resizable, false);
    centreWithSize (getWidth(), getHeight());
    setVisible (true);
}

void ToolWindow::closeButtonPressed()
{
    // The owner deletes this window: call last.
    if (closed)
        closed();
}

//==============================================================================
RenderJob::RenderJob (model::Session s, juce::File t, juce::File base, std::function<void (juce::String)> d)
    : juce::Thread ("imbolc render"),
      session (std::move (s)),
      target (std::move (t)),
      baseDirectory (std::move (base)),
      done (std::move (d))
{
    setComponentID ("RenderJob");
    label.setText ("Rendering " + target.getFileName() + "...", juce::dontSendNotification);
    addAndMakeVisible (label);
    addAndMakeVisible (bar);
    cancelButton.setComponentID ("RenderCancel");
    cancelButton.onClick = [this] { cancel(); };
    addAndMakeVisible (cancelButton);
    setSize (420, 120);
    startThread();
    startTimerHz (20);
}

RenderJob::~RenderJob()
{
    cancelled = true;
    stopThread (10000);
}

void RenderJob::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
}

void RenderJob::resized()
{
    auto area = getLocalBounds().reduced (12);
    label.setBounds (area.removeFromTop (24));
    area.removeFromTop (6);
    bar.setBounds (area.removeFromTop (24));
    area.removeFromTop (10);
    cancelButton.setBounds (area.removeFromRight (90).removeFromTop (28));
}

void RenderJob::run()
{
    const auto result = app::renderSessionToWav (session, target, baseDirectory, [this] (double fraction) { sharedProgress = fraction; },
                                                 [this] { return cancelled.load() || threadShouldExit(); });
    juce::String sentence;
    if (result.ok())
        sentence = "Rendered " + target.getFullPathName() + " (" + juce::String (result.audioSeconds, 1) + " s of audio, "
                   + juce::String (result.realTimeFactor, 1) + "x real time).";
    else
        sentence = result.error;
    {
        const std::lock_guard lock (outcomeMutex);
        outcome = sentence;
    }
    rendered = true;
}

void RenderJob::timerCallback()
{
    progress = sharedProgress.load();
    if (! rendered.load() || finished)
        return;
    finished = true;
    stopTimer();
    juce::String sentence;
    {
        const std::lock_guard lock (outcomeMutex);
        sentence = outcome;
    }
    // The owner may delete this job from the callback.
    auto callback = done;
    callback (sentence);
}

} // namespace imbolc::gui
