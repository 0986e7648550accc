// The desktop app's windows besides the main one: audio settings, keyboard shortcuts, offline render
// with progress. Each is a non-modal window (this project runs without modal loops) that the
// application owns and closes.
#pragma once

#include <imbolc_gui/imbolc_gui.h>

namespace imbolc::desktop
{

/** A plain non-modal window around one component, closed by its close button; `onClose` lets the owner
    forget it (the owner deletes it). Message thread. */
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
    /** `done` gets one sentence for the status line (written, cancelled or why it failed). */
    RenderJob (model::Session, juce::File target, juce::File baseDirectory, std::function<void (juce::String)> done);
    ~RenderJob() override;

    void resized() override;
    void paint (juce::Graphics&) override;

    /** Stops the render (the target file is left as it was). */
    void cancel() { cancelled = true; }
    bool isFinished() const noexcept { return finished; }

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

} // namespace imbolc::desktop
