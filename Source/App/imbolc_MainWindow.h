// Imbolc's main window: a DocumentWindow around the gui module's MainComponent, with the menu bar.
#pragma once

#include <imbolc_gui/imbolc_gui.h>

namespace imbolc::desktop
{

/** The window. It shows whatever content the application gives it (the MainComponent of the session
    shown now; a new one when the session is replaced by a joined one) and asks the application before
    closing. Message thread. */
class MainWindow final : public juce::DocumentWindow
{
public:
    MainWindow (juce::MenuBarModel&, std::function<void()> onCloseRequest);
    ~MainWindow() override;

    /** Shows `content` (not owned: the application owns the view and its session). */
    void show (juce::Component& content);

    void closeButtonPressed() override;

    /** "song.imbolc - Imbolc", with a leading "* " while there are unsaved edits. */
    static juce::String titleFor (const juce::String& sessionName, bool dirty);

private:
    std::function<void()> closeRequest;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (MainWindow)
};

} // namespace imbolc::desktop
