#pragma once

namespace imbolc::gui
{

/** A plain non-modal window around one component (the app's tool windows: audio settings, shortcuts,
    plugins, network, render), closed by its close button; `onClose` lets the owner forget it (the owner
    deletes it: this project runs without modal loops). Message thread. */
class ToolWindow final : public juce::DocumentWindow
{
public:
    ToolWindow (const juce::String& title, juce::Component* content, bool resizable, std::function<void()> onClose);
    void closeButtonPressed() override;

private:
    std::function<void()> closed;
};

/** Renders a session to a WAV file on a background thread with a progress bar and a Cancel button.
    The session is copied when the render starts, so editing goes on meanwhile. Message thread, except
    the render itself. */
class RenderJob final : public juce::Component,
                        private juce::Thread,
                        private juce::Timer
{
public:
    /** Starts at once. `done` gets one sentence for the status line (what was written, that it was
        cancelled, or why it failed) on the message thread; the job may be deleted from it. */
    RenderJob (model::Session, juce::File target, juce::File baseDirectory, std::function<void (juce::String)> done);
    ~RenderJob() override;

    void resized() override;
    void paint (juce::Graphics&) override;

    /** Stops the render (the target file is left as it was). */
    void cancel() { cancelled = true; }
    bool isFinished() const noexcept { return finished; }
    double getProgress() const noexcept { return progress; }

private:
    void run() override;
    void timerCallback() override;

    model::Session session;
    juce::File target, baseDirectory;
    std::function<void (juce::String)> done;
    double progress = 0.0;
    std::atomic<double> sharedProgress { 0.0 };
    std::atomic<bool> cancelled { false }, rendered { false };
    bool finished = false;
    juce::String outcome;
    std::mutex outcomeMutex;
    juce::ProgressBar bar { progress };
    juce::Label label;
    juce::TextButton cancelButton { "Cancel" };
};

} // namespace imbolc::gui
