#pragma once

namespace imbolc::gui
{

/** A stereo peak meter with a peak hold per channel, in dB from minDb to maxDb.

    It is fed by its owner's MeterHub listener (never a timer of its own) and asks for a repaint only when
    what it draws changed by at least a pixel, so a silent or steady strip costs nothing per frame.

    The bar shows the newest peak as reported (the engine's peak since its previous report); the hold
    line keeps the highest peak for holdMs, then falls at fallDbPerSecond until it meets the bar.

    Message thread.
*/
class LevelMeter final : public juce::Component
{
public:
    static constexpr float minDb = -60.0f, maxDb = 6.0f;
    static constexpr double holdMs = 1500.0;
    static constexpr float fallDbPerSecond = 20.0f;

    LevelMeter();

    /** Takes a new reading (linear peaks per channel) made at `nowMs` (a millisecond clock such as
        juce::Time::getMillisecondCounterHiRes()); repaints only if the drawing changed. */
    void setPeaks (float left, float right, double nowMs);

    /** What the meter shows for channel 0 (left) or 1 (right), as linear gain. */
    float getLevel (int channel) const noexcept;
    /** The peak hold of channel 0 or 1, as linear gain. */
    float getHold (int channel) const noexcept;
    /** How many repaints the meter asked for since it was made (tests: nothing changed, no repaint). */
    int getRepaintRequests() const noexcept { return repaintRequests; }

    void paint (juce::Graphics&) override;
    void resized() override;

    /** Where a level in dB sits on the scale, 0 (minDb or below) to 1 (maxDb). */
    static float proportionOf (float db) noexcept;

private:
    struct Channel
    {
        float levelDb = -std::numeric_limits<float>::infinity();
        float holdDb = -std::numeric_limits<float>::infinity();
        double holdSinceMs = 0.0;
    };

    /** What paint() draws, in pixels: a reading that moves none of these does not repaint. */
    struct Drawn
    {
        std::array<int, 2> bar { 0, 0 }, hold { -1, -1 };
        bool operator== (const Drawn&) const = default;
    };

    Drawn computeDrawn() const noexcept;

    std::array<Channel, 2> channels;
    Drawn drawn;
    double lastReadingMs = -1.0;
    int repaintRequests = 0;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (LevelMeter)
};

//==============================================================================
/** One strip of the mixer: an instrument's, a bus's or the master's.

    It shows its node's level (a fader in dB), pan, mute, solo, routing and, for an instrument, its sends,
    and emits the Actions that change them. refresh() copies the model into the controls without sending
    notifications; each control's setter leaves it untouched (and unpainted) when the value is the same.

    Child component IDs (for tests and tools): "Name", "Fader", "Pan", "Mute", "Solo", "Meter", and
    "Output", "AddSend", "Send.<busId>" (with "SendLevel", "SendTap", "RemoveSend") on an instrument;
    "FX" on a bus and the master; "RemoveBus" and "Inputs" on a bus; "Inputs" on the master.

    Message thread.
*/
class MixerStrip final : public juce::Component
{
public:
    static constexpr int width = 112;

    MixerStrip (GuiContext&, model::NodeKind, std::uint32_t id);
    ~MixerStrip() override;

    model::NodeKind getNode() const noexcept { return node; }
    std::uint32_t getId() const noexcept { return id; }

    /** Shows what the session says about this strip's node (and greys an instrument this seat may not
        edit). Does nothing if the node is gone: the view rebuilds its strips then. Returns true if what
        this instrument feeds the buses and the master (its name, output or sends) changed. */
    bool refresh();

    /** Updates only the bus names an instrument strip shows (output menu, send rows) after a bus change. */
    void refreshBusNames();

    /** Re-reads whether this seat may edit the instrument (ownership changed). */
    void refreshEditable();

    /** Shows the routing text of a bus or the master strip ("Out: Kick, Snare"). */
    void setInputsText (const juce::String&);

    /** Outlines the strip whose chain the chain view shows. */
    void setShowingChain (bool);

    LevelMeter& getMeter() noexcept { return meter; }

    /** The level fader's right-click menu: "Automate Level", or "Show Its Lane" when it has one. */
    juce::PopupMenu getFaderMenu() const;
    void faderMenuItemChosen (int itemId);

    /** The add-send menu: every bus this instrument does not send to yet (item id: the bus id). */
    juce::PopupMenu getAddSendMenu() const;
    /** Adds a send to the bus `busId` chosen in getAddSendMenu() (0: the menu was dismissed). */
    void addSendMenuItemChosen (int busId);

    /** The output selector's item id of a bus (the master is 1). */
    static int outputItemId (model::BusId bus) noexcept { return bus.isValid() ? (int) bus.value + 1 : 1; }

    /** The linear gain a fader shows as "-6.0 dB", and back; "-inf dB" is silence. */
    static juce::String gainToText (double gain);
    static double textToGain (const juce::String&);

    void paint (juce::Graphics&) override;
    void resized() override;
    void mouseDown (const juce::MouseEvent&) override;

private:
    class SendRow;

    const model::Instrument* findInstrument() const;
    const model::Bus* findBus() const;
    void perform (const model::Action&);
    void showChain();
    void setParam (model::StripParam, double value);
    model::ParamAddress levelAddress() const noexcept { return { node, id, model::ParamGroup::strip, 0, (std::uint16_t) model::StripParam::level }; }
    void rebuildOutputItems();
    void rebuildSendRows (const std::vector<model::Send>&);
    void layoutSendRows();

    GuiContext& context;
    const model::NodeKind node;
    const std::uint32_t id;

    juce::Label name;
    MenuSlider fader { juce::Slider::LinearVertical, juce::Slider::TextBoxBelow };
    juce::Slider pan { juce::Slider::RotaryHorizontalVerticalDrag, juce::Slider::TextBoxBelow };
    juce::TextButton mute { "M" }, solo { "S" }, fxButton { "FX" };
    juce::ShapeButton removeButton;
    juce::ComboBox output;
    juce::TextButton addSend { "+" };
    juce::Label sendsHeader, inputs;
    juce::Viewport sendsViewport;
    juce::Component sendsContent;
    std::vector<std::unique_ptr<SendRow>> sendRows;
    LevelMeter meter;

    std::vector<std::pair<model::BusId, std::string>> shownBuses; ///< what the output menu lists

    /** What an instrument strip last reported as feeding the buses (for the bus strips' inputs text). */
    struct Feeds
    {
        std::string name;
        model::BusId output;
        std::vector<model::BusId> sends;
        bool operator== (const Feeds&) const = default;
    };
    Feeds shownFeeds;
    bool showingChain = false;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (MixerStrip)
};

//==============================================================================
/** The mixer: a strip per instrument (session order) and per bus in a horizontally scrolling row, an
    "Add bus" button after the buses, and the master strip pinned at the right.

    Its meters are driven by the context's MeterHub (the window's one meter timer). A session change
    refreshes only the strips it touched; strips are rebuilt only when instruments or buses were added,
    removed or reordered, or the session was replaced.

    Component IDs: "MixerView", "MixerViewport", "AddBus", and each strip's "Strip.instrument.<id>",
    "Strip.bus.<id>" or "Strip.master".

    Message thread.
*/
class MixerView final : public SessionView,
                        private MeterHub::Listener,
                        private Selection::Listener
{
public:
    explicit MixerView (GuiContext&);
    ~MixerView() override;

    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;
    void resized() override;

    /** The strip of a node, or nullptr (the master's id is 0). */
    MixerStrip* findStrip (model::NodeKind, std::uint32_t id) const noexcept;

    /** Every strip, instruments then buses then the master. */
    std::vector<MixerStrip*> getStrips() const;

    /** How many times the strips were rebuilt (tests: a value change must not rebuild). */
    int getRebuildCount() const noexcept { return rebuilds; }

private:
    void rebuildStrips();
    void layoutStrips();
    void refreshInputs();
    bool busNamesChanged();
    void metersUpdated (const MeterFrame&) override;
    void selectionChanged() override;

    static std::uint64_t keyOf (model::NodeKind kind, std::uint32_t nodeId) noexcept
    {
        return ((std::uint64_t) kind << 32) | nodeId;
    }

    juce::Viewport viewport;
    juce::Component content;
    juce::TextButton addBusButton { "+ Bus" };
    std::vector<std::unique_ptr<MixerStrip>> strips; ///< instruments, then buses (in the viewport)
    std::unique_ptr<MixerStrip> master; ///< pinned right, outside the viewport
    struct Entry
    {
        MixerStrip* strip = nullptr;
        std::uint64_t lastFrame = 0; ///< the last meter frame that had a reading for it
    };
    std::unordered_map<std::uint64_t, Entry> byNode; ///< every strip, master included
    std::uint64_t meterFrames = 0;
    std::vector<std::string> busNames; ///< as the instrument strips show them
    int rebuilds = 0;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (MixerView)
};

} // namespace imbolc::gui
