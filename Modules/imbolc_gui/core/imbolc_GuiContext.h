#pragma once

namespace imbolc::gui
{

/** A list of listeners that may add or remove listeners while being called (a view closing itself):
    each call reaches those registered when it started and still registered when their turn comes.
    (juce::ListenerList does the same, but g++ 12 warns inside it in every unit that uses it.) */
template <typename ListenerType>
class Listeners
{
public:
    void add (ListenerType* l)
    {
        if (l != nullptr && std::find (items.begin(), items.end(), l) == items.end())
            items.push_back (l);
    }
    void remove (ListenerType* l) { items.erase (std::remove (items.begin(), items.end(), l), items.end()); }

    template <typename Callback>
    void call (Callback&& callback)
    {
        const auto registered = items;
        for (auto* l : registered)
            if (std::find (items.begin(), items.end(), l) != items.end())
                callback (*l);
    }

private:
    std::vector<ListenerType*> items;
};

/** What the views are about: the selected instrument (the rack's selection) and whose chain the chain
    view shows (the selected instrument's, or a bus's or the master's picked in the mixer). Message thread. */
class Selection
{
public:
    struct Listener
    {
        virtual ~Listener() = default;
        virtual void selectionChanged() = 0;
    };

    model::InstrumentId getInstrument() const noexcept { return instrument; }

    /** Selects `id` (invalid: nothing), which also makes its chain the one shown, and tells the
        listeners if that is a change. */
    void selectInstrument (model::InstrumentId id);

    /** Whose chain the chain view shows: an instrument (the selected one), a bus, or the master (id 0). */
    struct ChainSubject
    {
        model::NodeKind node = model::NodeKind::instrument;
        std::uint32_t id = 0;
        bool operator== (const ChainSubject&) const = default;
    };
    ChainSubject getChainSubject() const noexcept { return chainSubject; }

    /** Shows a bus's or the master's chain (or an instrument's, which selects it). */
    void showChainOf (model::NodeKind node, std::uint32_t id);

    /** The automation lane a person asked to see ("Show Its Lane" on a knob, or a lane just added):
        the arrangement scrolls it into view and marks it. Invalid: none. */
    model::LaneId getLane() const noexcept { return lane; }
    /** Selects lane `id` (invalid: none) and tells the listeners, also when it was selected already,
        so asking again scrolls to it again. */
    void selectLane (model::LaneId id);

    void addListener (Listener* l) { listeners.add (l); }
    void removeListener (Listener* l) { listeners.remove (l); }

private:
    model::InstrumentId instrument;
    ChainSubject chainSubject;
    model::LaneId lane;
    Listeners<Listener> listeners;
};

//==============================================================================
/** One frame of meter readings: what the session's host reports plus the local audio output's load. */
struct MeterFrame
{
    protocol::msg::Metering metering;
    float cpuLoad = 0.0f; ///< the audio callback's share of its time budget, 0..1 (0 with no local audio)
    int droppedBlocks = 0; ///< device over- and underruns since the output started (-1: unknown)
    bool hasLocalAudio = false; ///< false in a joined seat: the load figures mean nothing

    /** Peak of one strip in this frame, or nullptr if the frame has none for it. */
    const protocol::StripPeak* findStrip (model::NodeKind, std::uint32_t id) const noexcept;
};

/** The one timer that drives every meter and the play head at the display rate.

    It reads the session's meters once per frame and hands the same frame to every listener, so the cost
    of metering does not grow with the number of meters on screen, and views repaint only when their own
    reading changed. The audio thread is never touched: the readings are the engine's status snapshots.

    Message thread.
*/
class MeterHub : private juce::Timer
{
public:
    struct Listener
    {
        virtual ~Listener() = default;
        virtual void metersUpdated (const MeterFrame&) = 0;
    };

    /** What the local audio output reports, for the transport bar (set by the app; unset in a seat). */
    struct AudioLoad
    {
        float cpuLoad = 0.0f;
        int droppedBlocks = 0;
    };
    std::function<AudioLoad()> audioLoad;

    explicit MeterHub (app::SessionAccess&);
    ~MeterHub() override;

    /** Starts (or changes) the frame rate; 0 stops. */
    void start (int framesPerSecond = 30);
    void stop() { stopTimer(); }

    /** Reads the meters and calls every listener now (what the timer does each frame; tests call it). */
    void updateNow();

    const MeterFrame& latest() const noexcept { return frame; }

    void addListener (Listener* l) { listeners.add (l); }
    void removeListener (Listener* l) { listeners.remove (l); }

private:
    void timerCallback() override { updateNow(); }

    app::SessionAccess& session;
    MeterFrame frame;
    Listeners<Listener> listeners;
};

//==============================================================================
/** What every view is given: the session (hosted or joined, it cannot tell), the selection, the meter
    clock, and one way to edit and to tell the user something.

    Message thread.
*/
class GuiContext
{
public:
    explicit GuiContext (app::SessionAccess&);

    app::SessionAccess& session;
    Selection selection;
    MeterHub meters;

    const model::Session& getSession() const { return session.getSession(); }

    /** The plugins the user's scan found (the app fills it; empty in a fresh plugin editor). */
    juce::KnownPluginList knownPlugins;

    /** Ableton Link, when this window's session is hosted in this process (the app sets both): the
        transport bar's Link button shows linkStatus and asks setLinkEnabled, an app-level command (Link
        is not part of the session). Unset: the button is disabled, its tooltip saying linkUnavailable. */
    std::function<app::LinkSession::Status()> linkStatus;
    std::function<void (bool)> setLinkEnabled;
    juce::String linkUnavailable { "Ableton Link is the hosting seat's: a joined seat follows the host's tempo and start/stop." };

    /** The folder a session's relative file paths (audio clips' "Song Audio/Take 1.wav") are found in:
        the hosting process's project folder (the app sets it). Unset, or returning none: the current
        working directory. A joined seat's files are the host's, so its clips show as missing. */
    std::function<juce::File()> projectFolder;
    /** `path` as a file: absolute, or relative to projectFolder. Never touches the disk. */
    juce::File resolveSessionPath (const std::string& path) const;

    /** Applies an edit. A refusal is shown to the user (showMessage) and returned; nothing is changed. */
    model::ApplyResult perform (const model::Action&);

    /** Shows one sentence to the user (the window's status line; unset: dropped). */
    void showMessage (const juce::String& sentence);
    std::function<void (const juce::String&)> onMessage;

    /** Every action performed through this context, in order, when recording is on (tests look at what
        a gesture emitted). Off by default: costs nothing. */
    void setRecordingActions (bool shouldRecord) { recording = shouldRecord; }
    std::vector<model::Action> takeRecordedActions() { return std::exchange (recorded, {}); }

private:
    bool recording = false;
    std::vector<model::Action> recorded;

    JUCE_DECLARE_NON_COPYABLE (GuiContext)
};

/** A person's gesture on the session (a drag, a knob turn): its edits undo as one step. A view begins
    it on mouse down and ends it on mouse up; if the view goes away mid-drag (the session changed under
    it), the destructor ends it, so the session never stays inside a gesture. Message thread. */
class Gesture
{
public:
    explicit Gesture (app::SessionAccess& s)
        : session (s) {}
    ~Gesture() { end(); }

    void begin()
    {
        if (! active)
            session.beginGesture();
        active = true;
    }
    void end()
    {
        if (active)
            session.endGesture();
        active = false;
    }
    bool isActive() const noexcept { return active; }

private:
    app::SessionAccess& session;
    bool active = false;

    JUCE_DECLARE_NON_COPYABLE (Gesture)
};

/** A component that hears about session changes while it exists. Subclasses override sessionChanged. */
class SessionView : public juce::Component,
                    public app::SessionAccess::Listener
{
public:
    explicit SessionView (GuiContext& c)
        : context (c)
    {
        context.session.addListener (this);
    }
    ~SessionView() override { context.session.removeListener (this); }

protected:
    GuiContext& context;
};

} // namespace imbolc::gui
