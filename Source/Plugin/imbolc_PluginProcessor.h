// The Imbolc plugin's processor: a whole session, played by the engine inside another host.
#pragma once

#include <imbolc_gui/imbolc_gui.h>

namespace imbolc::plugin
{

/** A whole Imbolc session on one track of another host (VST3, LV2).

    - The session lives in an app::SessionHost whose engine the host's audio thread drives through an
      app::AudioOutput in hosted mode: the host's MIDI plays the selected instrument (or the instruments
      set to its channel), its play head drives the song (tempo, play/stop, position, loop, meter).
    - The host's saved state is the project file's bytes (plugin states captured); a restore is
      validated exactly like a file load. A refused state leaves a valid session, says why in the editor,
      and is handed back unchanged to the host's next save until the session is edited, so nothing is lost.
    - numMacros fixed parameters that the session maps to any of its parameters.
    - Main stereo out, and optional stereo outputs per bus: an enabled one carries that bus alone.
    - The editor is the desktop app's window content; a network session can be hosted or joined from it.

    Nothing here is global: every instance has its own session, engine, look and feel and commands, and
    the process's allocator (the host's) is left alone. Plugins are never scanned in the host's process.

    Threads: the host's audio thread calls processBlock; everything else is the message thread, except
    getStateInformation, which some hosts call elsewhere (it then returns the state the timer last
    encoded), and setStateInformation, prepareToPlay and releaseResources, which hold the message
    thread (juce::MessageManagerLock) when a host calls them from another.
*/
class ImbolcProcessor final : public juce::AudioProcessor, private juce::Timer
{
public:
    static constexpr int numMacros = 16;
    static constexpr int numBusOutputs = 8; ///< optional extra stereo outputs: buses 1..8 in mixer order

    ImbolcProcessor();
    ~ImbolcProcessor() override;

    //==============================================================================
    const juce::String getName() const override { return "Imbolc"; }
    bool acceptsMidi() const override { return true; }
    bool producesMidi() const override { return false; }
    bool isMidiEffect() const override { return false; }
    double getTailLengthSeconds() const override { return 2.0; }

    bool isBusesLayoutSupported (const BusesLayout&) const override;
    void prepareToPlay (double sampleRate, int maximumExpectedSamplesPerBlock) override;
    void releaseResources() override;
    void processBlock (juce::AudioBuffer<float>&, juce::MidiBuffer&) override;
    void processBlockBypassed (juce::AudioBuffer<float>&, juce::MidiBuffer&) override;

    bool hasEditor() const override { return true; }
    juce::AudioProcessorEditor* createEditor() override;

    int getNumPrograms() override { return 1; }
    int getCurrentProgram() override { return 0; }
    void setCurrentProgram (int) override {}
    const juce::String getProgramName (int) override { return {}; }
    void changeProgramName (int, const juce::String&) override {}

    void getStateInformation (juce::MemoryBlock&) override;
    void setStateInformation (const void* data, int sizeInBytes) override;

    //==============================================================================
    /** The session and the seat (hosting, joining). Message thread. */
    app::SessionHost& getHost() noexcept { return host; }
    app::SessionSeat& getSeat() noexcept { return seat; }

    /** Joins a network session: the plugin is then silent (the host plays it) and the editor shows it.
        Leaving brings the own session back. Message thread. */
    juce::Result join (net::ClientOptions);
    juce::String leave();
    bool isJoined() const noexcept { return joined.load (std::memory_order_relaxed); }

    /** Replaces the session with a project file's (File > Open Session). One sentence on failure, and
        the session stays. Message thread. */
    juce::Result openSession (const juce::File&);

    /** Why the host's saved state was refused at the last restore (empty: it was not). Message thread. */
    juce::String getStateError() const { return stateError; }

    /** The instrument the host's MIDI plays when no instrument claims its channel (the editor's
        selection). Message thread. */
    void setMidiInstrument (model::InstrumentId);
    model::InstrumentId getMidiInstrument() const noexcept { return midiInstrument; }

    /** The editor's panel layout, kept while the editor is closed. Message thread. */
    juce::String editorLayout;
    juce::Rectangle<int> editorSize { 1280, 800 };

    /** Told (message thread) when the session the editor should show changes: after joining (true), and
        before leaving (false), while the joined session is still there for the views that show it. */
    std::function<void (bool joinedNow)> onShownSessionChanged;

    /** Told (message thread) the sentence when a host's saved state was refused. */
    std::function<void (const juce::String&)> onStateRefused;

    juce::AudioParameterFloat* getMacro (int index) const noexcept { return macros[(std::size_t) index]; }

private:
    void timerCallback() override;
    void render (juce::AudioBuffer<float>&, const juce::MidiBuffer&) noexcept;
    void refreshCachedState();
    void restore (const std::vector<std::uint8_t>&);
    void followMacroMappings();
    static model::Session makeStartingSession();
    static BusesProperties busesProperties();

    /** No render workers: a host owns its cores and schedules its tracks on them (neither VST3 nor LV2
        lets a plugin ask for more), so the engine renders on the host's audio thread alone. */
    app::SessionHost host { []
                            {
                                app::SessionHost::Options o;
                                o.engine.renderWorkers = 0;
                                return o;
                            }() };
    app::SessionSeat seat { host };
    app::AudioOutput output;
    std::atomic<bool> joined { false };
    model::InstrumentId midiInstrument;

    std::array<juce::AudioParameterFloat*, numMacros> macros {};
    std::array<float, numMacros> macroValues {}; ///< audio thread: this block's values
    std::array<float*, 2 * numBusOutputs> busPointers {}; ///< audio thread: the enabled extra outputs
    std::array<model::Macro, (std::size_t) model::numMacros> lastMappings {};
    static_assert (numMacros == model::numMacros);

    juce::String stateError;
    std::vector<std::uint8_t> refusedState; ///< handed back to the host until the session is edited

    /** The last encoded state, for hosts that ask off the message thread. */
    std::mutex cacheMutex;
    juce::MemoryBlock cachedState;
    std::uint64_t cachedGeneration = ~std::uint64_t {};
    juce::uint32 lastCacheMs = 0;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (ImbolcProcessor)
};

} // namespace imbolc::plugin
