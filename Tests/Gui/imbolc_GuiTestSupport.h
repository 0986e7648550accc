#pragma once

// What the view tests share: a real SessionHost (engine and all) behind a GuiContext that records the
// Actions the views emit, and a driver that sends real mouse and key events through the window's peer
// (ComponentPeer::handleMouseEvent / handleKeyPress: JUCE's own input path, hit-testing and focus
// included) on the Xvfb display the test binary runs on.

#include <imbolc_gui/imbolc_gui.h>

#include <catch2/catch.hpp>

namespace juce
{
// JUCE's message loop step (juce_linux_Messaging.cpp). runDispatchLoopUntil needs modal loops, which
// this project turns off, so the tests pump the queue with the function it is built on.
bool dispatchNextMessageOnSystemQueue (bool returnIfNoPendingMessages);
} // namespace juce

namespace imbolc::test
{

/** Runs the message loop for `ms` milliseconds (async updates, timers, repaints). */
inline void pumpMessages (int ms = 20)
{
    const auto end = juce::Time::getMillisecondCounter() + (juce::uint32) ms;
    do
    {
        while (juce::dispatchNextMessageOnSystemQueue (true))
        {
        }
        juce::Thread::sleep (1);
    } while (juce::Time::getMillisecondCounter() < end);
}

/** A hosted session for a view to show, with every action the views perform recorded. */
struct GuiFixture
{
    explicit GuiFixture (model::Session session = model::makeReferenceSession (model::ReferenceSize::small))
    {
        host.setSession (std::move (session));
        context.setRecordingActions (true);
    }

    /** The actions performed since the last call, by kind name ("SetParam"), for quick checks. */
    std::vector<std::string> takeActionNames()
    {
        std::vector<std::string> names;
        for (const auto& a : context.takeRecordedActions())
            names.push_back (model::actionName (a));
        return names;
    }

    app::SessionHost host;
    gui::GuiContext context { host };
};

/** The host's session as a seat of a network session would see it, with the seat id, the ownership and
    the scsynth meter the test chooses (a real seat needs a server and a second seat to get into such a
    state; the real path is tested in imbolc_GuiSeatTests.cpp and imbolc_NetworkPanelTests.cpp). Edits,
    meters and change notifications go to and from the real host; there is no analysis, as in a joined
    seat, unless `withAnalysis`. */
class SeatView final : public app::SessionAccess,
                       private app::SessionAccess::Listener
{
public:
    explicit SeatView (app::SessionHost& h, std::uint32_t seatId = 0)
        : seat (seatId), host (h)
    {
        host.addListener (this);
    }
    ~SeatView() override { host.removeListener (this); }

    const model::Session& getSession() const override { return host.getSession(); }
    model::ApplyResult apply (const model::Action& a) override { return host.apply (a); }
    void tick (int waitMs) override { host.tick (waitMs); }
    protocol::msg::Metering getMetering() const override
    {
        auto m = host.getMetering();
        if (server.state != protocol::ServerMeter::State::none)
            m.server = server;
        return m;
    }
    protocol::Ownership getOwnership() const override { return ownership; }
    std::uint32_t getSeatId() const override { return seat; }
    UndoState getUndoState() const override { return host.getUndoState(); }
    engine::AnalysisMeters* getAnalysis() noexcept override { return withAnalysis ? host.getAnalysis() : nullptr; }

    /** Changes who owns what, and tells the views as the network would. */
    void setOwnership (protocol::Ownership o)
    {
        ownership = std::move (o);
        app::SessionChange change;
        change.ownership = true;
        notify (change);
    }

    protocol::Ownership ownership;
    std::uint32_t seat = 0;
    protocol::ServerMeter server; ///< a state other than none: the meters show this scsynth
    bool withAnalysis = false;

private:
    void sessionChanged (const app::SessionChange& c) override { notify (c); }
    app::SessionHost& host;
};

/** Plays the engine as the audio device would: `blocks` blocks of 512 rendered here, with the engine's
    housekeeping (status, meters) between them. */
inline void renderBlocks (app::SessionHost& host, int blocks)
{
    auto& engine = host.getEngine();
    std::vector<float> left (512), right (512);
    float* outs[] = { left.data(), right.data() };
    for (int i = 0; i < blocks; ++i)
    {
        engine.update();
        engine.process (outs, 2, 512);
    }
    engine.update();
}

/** The first component under `root` (itself included) with this component ID and type, or nullptr. */
template <typename ComponentType = juce::Component>
ComponentType* findComponent (juce::Component& root, const juce::String& componentId)
{
    if (root.getComponentID() == componentId)
        if (auto* c = dynamic_cast<ComponentType*> (&root))
            return c;
    for (auto* child : root.getChildren())
        if (auto* found = findComponent<ComponentType> (*child, componentId))
            return found;
    return nullptr;
}

/** Every component under `root` of a type (in paint order, depth first). */
template <typename ComponentType>
std::vector<ComponentType*> findAll (juce::Component& root)
{
    std::vector<ComponentType*> out;
    if (auto* c = dynamic_cast<ComponentType*> (&root))
        out.push_back (c);
    for (auto* child : root.getChildren())
    {
        auto more = findAll<ComponentType> (*child);
        out.insert (out.end(), more.begin(), more.end());
    }
    return out;
}

/** Puts a component on the (Xvfb) desktop as a window and drives it as a person would: the events go
    through the window's peer, so what a click hits is decided by JUCE exactly as for a real mouse. */
class UiDriver
{
public:
    explicit UiDriver (juce::Component& c, int width = 1280, int height = 800)
        : top (c)
    {
        top.setBounds (0, 0, width, height);
        top.setOpaque (true);
        top.addToDesktop (juce::ComponentPeer::windowIsTemporary);
        top.setVisible (true);
        pumpMessages (30);
    }

    ~UiDriver()
    {
        releaseMouse();
        top.removeFromDesktop();
    }

    juce::ComponentPeer& peer()
    {
        auto* p = top.getPeer();
        REQUIRE (p != nullptr);
        return *p;
    }

    /** A point of `target` (its centre by default) in the window's coordinates. */
    juce::Point<float> toWindow (juce::Component& target, std::optional<juce::Point<int>> local = {})
    {
        const auto p = local.value_or (target.getLocalBounds().getCentre());
        return top.getLocalPoint (&target, p).toFloat();
    }

    void moveTo (juce::Point<float> at, juce::ModifierKeys mods = {})
    {
        peer().handleMouseEvent (juce::MouseInputSource::InputSourceType::mouse, at, mods, juce::MouseInputSource::defaultPressure,
                                 0.0f, nextTime());
    }

    void press (juce::Point<float> at, juce::ModifierKeys mods = {}, bool right = false)
    {
        moveTo (at, mods);
        const auto button = right ? juce::ModifierKeys::rightButtonModifier : juce::ModifierKeys::leftButtonModifier;
        juce::ModifierKeys::currentModifiers = mods.withFlags (button);
        peer().handleMouseEvent (juce::MouseInputSource::InputSourceType::mouse, at, mods.withFlags (button),
                                 juce::MouseInputSource::defaultPressure, 0.0f, nextTime());
    }

    void release (juce::Point<float> at, juce::ModifierKeys mods = {})
    {
        juce::ModifierKeys::currentModifiers = mods.withoutMouseButtons();
        peer().handleMouseEvent (juce::MouseInputSource::InputSourceType::mouse, at, mods.withoutMouseButtons(),
                                 juce::MouseInputSource::defaultPressure, 0.0f, nextTime());
    }

    /** A click (press and release) on `target`, at `local` or its centre. */
    void click (juce::Component& target, std::optional<juce::Point<int>> local = {}, juce::ModifierKeys mods = {})
    {
        const auto at = toWindow (target, local);
        press (at, mods);
        release (at, mods);
        time += 400; // past the double-click interval: the next click is a new one
        pumpMessages (5);
    }

    void rightClick (juce::Component& target, std::optional<juce::Point<int>> local = {})
    {
        const auto at = toWindow (target, local);
        press (at, {}, true);
        release (at);
        time += 400;
        pumpMessages (5);
    }

    void doubleClick (juce::Component& target, std::optional<juce::Point<int>> local = {})
    {
        const auto at = toWindow (target, local);
        press (at);
        release (at);
        press (at);
        release (at);
        time += 400;
        pumpMessages (5);
    }

    /** Presses at `from` (in target's coordinates), moves in `steps` to `to`, releases. */
    void drag (juce::Component& target, juce::Point<int> from, juce::Point<int> to, int steps = 8, juce::ModifierKeys mods = {})
    {
        const auto a = toWindow (target, from);
        const auto b = toWindow (target, to);
        press (a, mods);
        for (int i = 1; i <= steps; ++i)
        {
            const auto p = a + (b - a) * ((float) i / (float) steps);
            peer().handleMouseEvent (juce::MouseInputSource::InputSourceType::mouse, p, mods.withFlags (juce::ModifierKeys::leftButtonModifier),
                                     juce::MouseInputSource::defaultPressure, 0.0f, nextTime());
        }
        release (b, mods);
        time += 400;
        pumpMessages (5);
    }

    void wheel (juce::Component& target, float deltaY, std::optional<juce::Point<int>> local = {})
    {
        juce::MouseWheelDetails w;
        w.deltaX = 0.0f;
        w.deltaY = deltaY;
        w.isReversed = false;
        w.isSmooth = false;
        w.isInertial = false;
        peer().handleMouseWheel (juce::MouseInputSource::InputSourceType::mouse, toWindow (target, local), nextTime(), w);
        pumpMessages (5);
    }

    /** A key as the focused component receives it (through the peer, like a real key press). */
    void pressKey (const juce::KeyPress& key)
    {
        peer().handleKeyPress (key);
        pumpMessages (5);
    }

    /** Types text into whatever has the keyboard focus, one key at a time. */
    void type (const juce::String& text)
    {
        for (auto c : text)
            peer().handleKeyPress (juce::KeyPress ((int) c, {}, c));
        pumpMessages (5);
    }

    /** Selects everything in the focused text editor and types over it, then presses return. */
    void typeReplacing (const juce::String& text)
    {
        pressKey (juce::KeyPress ('a', juce::ModifierKeys::commandModifier, 0));
        type (text);
        pressKey (juce::KeyPress (juce::KeyPress::returnKey));
    }

private:
    void releaseMouse()
    {
        juce::ModifierKeys::currentModifiers = {};
    }

    juce::int64 nextTime()
    {
        time += 16;
        return time;
    }

    juce::Component& top;
    juce::int64 time = juce::Time::currentTimeMillis();
};

/** The component rendered to an image, as the screen would show it (for checks that it drew something). */
inline juce::Image snapshot (juce::Component& c)
{
    return c.createComponentSnapshot (c.getLocalBounds(), true, 1.0f);
}

/** How many distinct colours an image has (a blank or one-colour view has 1 or 2). */
inline int countColours (const juce::Image& image, int step = 3)
{
    std::set<juce::uint32> colours;
    for (int y = 0; y < image.getHeight(); y += step)
        for (int x = 0; x < image.getWidth(); x += step)
            colours.insert (image.getPixelAt (x, y).getARGB());
    return (int) colours.size();
}

/** Writes a PNG for people to look at (under the build folder's gui-screenshots/). */
inline juce::File saveScreenshot (juce::Component& c, const juce::String& name)
{
    auto dir = juce::File::getCurrentWorkingDirectory().getChildFile ("gui-screenshots");
    dir.createDirectory();
    auto file = dir.getChildFile (name + ".png");
    file.deleteFile();
    juce::FileOutputStream out (file);
    juce::PNGImageFormat().writeImageToStream (snapshot (c), out);
    return file;
}

} // namespace imbolc::test
