#pragma once

namespace imbolc::engine
{

class PluginSandbox;

/** What the engine asks of a hosted plugin's node, wherever the plugin runs: in this process
    (PluginNode) or in a sandbox process (SandboxedPluginNode). Message thread, all of it. */
class HostedPluginNode : public NodeProcessor
{
public:
    using NodeProcessor::NodeProcessor;

    /** What the plugin was loaded from (its state as the model had it then). */
    virtual const model::PluginRef& getRef() const noexcept = 0;

    /** The plugin's current state (a sandboxed plugin that cannot answer: the last state it gave). */
    virtual std::vector<std::uint8_t> captureState() = 0;

    /** The plugin instance when it runs in this process, else nullptr. */
    virtual juce::AudioPluginInstance* getInProcessInstance() noexcept { return nullptr; }

    /** The sandbox the plugin runs in, else nullptr. */
    virtual PluginSandbox* getSandbox() noexcept { return nullptr; }

    /** The state the model held for this plugin when the node was made (which may differ from the
        state it was loaded from: a rebuilt chain's plugin starts from its predecessor's live state).
        A later rebuild carries the live state over only while the model still holds this one. */
    void setModelState (std::vector<std::uint8_t> state) { modelState = std::move (state); }
    const std::vector<std::uint8_t>& getModelState() const noexcept { return modelState; }

private:
    std::vector<std::uint8_t> modelState;
};

/** A hosted VST3 or LV2 plugin as a chain node: an instrument's source (fed the chain's MIDI) or an
    effect stage (fed its audio).

    Parameters: node parameter i is plugin parameter i, normalized 0..1 (PluginHost::getParameters).
    A source has four more after them, the model's amp envelope, which a plugin instrument ignores (it
    has its own) but which keep the engine's amp addresses valid. Changes from the engine (tweaks,
    automation ramps, LFO offsets) reach the plugin once per block, through
    AudioProcessorParameter::setValue on the audio thread, the only route JUCE's hosting API offers.
    JUCE's LV2 host stores the value atomically; JUCE 7.0.5's VST3 host also stores it atomically but
    first asks MessageManager::isThisTheMessageThread(), which takes an (uncontended) mutex, and its
    processBlock locks the CriticalSection of its MIDI event list. Neither allocates. The plugin
    tests measure both paths (Tests/Plugins/imbolc_PluginRealtimeTests.cpp).

    Channels: chains are stereo. A VST3 plugin is asked for stereo (in and out for an effect, out for
    an instrument); an LV2 plugin keeps the audio ports it declares. One that only offers mono gets the
    mono sum of the input and its output is copied to both sides. Extra buses (side chains, more
    outputs) get silence and are not heard. A stereo-in, stereo-out plugin renders in place.

    Construction, prepareToPlay, captureState: message thread (that is where VST3 and LV2 plugins
    expect to be instantiated, activated and asked for their state). processBlock: the audio thread.
*/
class PluginNode final : public HostedPluginNode
{
public:
    /** `pluginParams` are the model's Source::params or Stage::params (a source adds the amp four
        itself); `ref` is what the plugin was loaded from, state included. Message thread. */
    PluginNode (std::unique_ptr<juce::AudioPluginInstance>, model::PluginRef ref, const std::vector<model::Parameter>& pluginParams, bool isSource);
    ~PluginNode() override;

    /** The hosted plugin. Its parameters may be read from any thread; everything else is the message
        thread's, while this node lives. */
    juce::AudioPluginInstance& getInstance() noexcept { return *instance; }

    /** What the plugin was loaded from (its state as the model had it then). Message thread. */
    const model::PluginRef& getRef() const noexcept override { return ref; }

    /** How many node parameters drive plugin parameters. */
    int getNumMappedParameters() const noexcept { return (int) mapped.size(); }

    /** The plugin's current state. Message thread, while audio runs or not. */
    std::vector<std::uint8_t> captureState() override;

    juce::AudioPluginInstance* getInProcessInstance() noexcept override { return instance.get(); }

    /** True if mapped parameter `index` is discrete: it jumps to its target instead of sweeping (so a
        sandbox hands it the target, as processNode does). Any thread. */
    bool isParameterStepped (int index) const noexcept { return index >= 0 && index < (int) mapped.size() && mapped[(std::size_t) index].stepped; }

    double getTailLengthSeconds() const override { return instance->getTailLengthSeconds(); }

    /** The plugin's latency as it last reported it. JUCE's VST3 host sets it when the plugin is
        prepared and when the plugin says it changed (on the message thread, as VST3 asks); JUCE's LV2
        host reads the plugin's latency port after every block, on the audio thread. Either way it is
        captured on that thread as it changes and published here. Any thread. */
    int getPublishedLatencySamples() const noexcept override { return latency.samples.load (std::memory_order_relaxed); }

private:
    void prepareNode (double sampleRate, int maximumBlockSize) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;

    void chooseBusLayout();

    struct Mapped
    {
        juce::AudioProcessorParameter* parameter = nullptr;
        float lastSent = -1.0f;
        bool stepped = false; ///< discrete: jumps to its target instead of sweeping through every step
    };

    /** Hears the plugin's latency changes on whichever thread the format host makes them: the
        callback runs right after the write, on the writer's thread, and only stores an atomic (it may
        be the audio thread: no allocation, no lock). */
    struct LatencyListener final : juce::AudioProcessorListener
    {
        std::atomic<int> samples { 0 };
        void audioProcessorParameterChanged (juce::AudioProcessor*, int, float) override {}
        void audioProcessorChanged (juce::AudioProcessor* processor, const ChangeDetails& details) override
        {
            if (details.latencyChanged)
                samples.store (processor->getLatencySamples(), std::memory_order_relaxed);
        }
    };

    std::unique_ptr<juce::AudioPluginInstance> instance;
    LatencyListener latency;
    model::PluginRef ref;
    std::vector<Mapped> mapped;
    bool isSourceNode;
    bool inPlace = false; ///< the plugin is stereo in and out: it renders straight into the chain's buffer
    int mainIns = 0, mainOuts = 0;
    juce::AudioBuffer<float> scratch;
    juce::MidiBuffer midi;

    static constexpr int midiCapacityBytes = 8192;
};

} // namespace imbolc::engine
