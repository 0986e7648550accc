#include "imbolc_MainWindow.h"

namespace imbolc::desktop
{

MainWindow::MainWindow (juce::MenuBarModel& menus, std::function<void()> onCloseRequest)
    : juce::DocumentWindow ("Imbolc", gui::LookAndFeel::Palette::background, juce::DocumentWindow::allButtons),
      closeRequest (std::move (onCloseRequest))
{
    setUsingNativeTitleBar (true);
    setResizable (true, false);
    setResizeLimits (900, 560, 10000, 10000);
    setMenuBar (&menus);
}

MainWindow::~MainWindow()
{
    setMenuBar (nullptr);
    clearContentComponent();
}

void MainWindow::show (juce::Component& content)
{
    const auto bounds = isOnDesktop() ? getBounds() : juce::Rectangle<int>();
    setContentNonOwned (&content, false);
    if (! bounds.isEmpty())
        setBounds (bounds);
    setVisible (true);
}

void MainWindow::closeButtonPressed()
{
    if (closeRequest)
        closeRequest();
}

juce::String MainWindow::titleFor (const juce::String& sessionName, bool dirty)
{
    return (dirty ? "* " : "") + sessionName + " - Imbolc";
}

} // namespace imbolc::desktop
