#pragma once

namespace imbolc::engine
{

/** The base of every built-in node: a juce::AudioProcessor, so built-in sources, effects and hosted
    plugins are the same kind of thing to a chain (and to a stock juce::AudioProcessorGraph).

    Its parameters are the model's (same order, same natural units). A parameter change is a target
    that the node glides to over a short ramp, so tweaks never zipper.

    Construction, prepareToPlay and destruction: any thread but the audio thread (they allocate).
    processBlock, setParameterTarget, reset: the audio thread (or any thread while it is not running).
*/
class NodeProcessor : public juce::AudioProcessor
{
public:
    NodeProcessor (juce::String name, const std::vector<model::Parameter>& params, bool isSource);
    ~NodeProcessor() override;

    /** Glide parameter `index` to `value` (clamped to its range). Out-of-range indices are ignored,
        so a command for a parameter this node does not have cannot corrupt anything. Audio thread. */
    void setParameterTarget (int index, float value) noexcept;

    /** Ramp parameter `index` linearly to `value` over exactly `samples` samples (automation: the
        value lands on the tick it was drawn at). Audio thread. */
    void setParameterRamp (int index, float value, int samples) noexcept;

    /** Adds `offset` (natural units, e.g. Hz for a cutoff) to parameter `index` on top of its ramp,
        clamped to the parameter's range: the LFO modulates without touching the user's value. The
        offset glides there linearly over `samples` (the LFO sends one point per block, so the
        modulation is piecewise linear instead of a staircase). 0 removes it. Audio thread. */
    void setParameterModulation (int index, float offset, int samples = 0) noexcept;

    /** The value parameter `index` is gliding to. Audio thread, or any thread while stopped. */
    float getParameterTarget (int index) const noexcept;

    /** The value parameter `index` has now (ramp position plus modulation, clamped). Audio thread,
        or any thread while stopped. */
    float getParameterValue (int index) const noexcept;

    /** The range of parameter `index` ({0, 0} when it does not exist). Any thread. */
    juce::Range<float> getParameterRange (int index) const noexcept;

    /** Changes how many voices a polyphonic source may sound at once (model::Instrument::voiceCap).
        Sources that are not polyphonic ignore it. Audio thread. */
    virtual void setVoiceLimit (int) noexcept {}

    int getNumNodeParameters() const noexcept { return (int) params.size(); }

    /** True for a source that overwrites every sample it is given, so the chain need not clear first. */
    virtual bool writesEveryOutputSample() const noexcept { return false; }

    /** The latency (samples) this node adds, as published by the thread that set it: a built-in node's
        when it is prepared (what prepareNode gave setLatencySamples), a hosted plugin's whenever the
        plugin reports a change (PluginNode). Unlike getLatencySamples(), whose plain int a plugin
        format may write on the audio thread, any thread may call it. */
    virtual int getPublishedLatencySamples() const noexcept { return publishedLatency.load (std::memory_order_relaxed); }

    /** Ramp length for parameter changes. Message thread, before prepareToPlay. */
    static constexpr double smoothingSeconds = 0.02;

    /** Stands in for processBlock on a block the caller knows to be exact silence (every sample +0.0f,
        see isExactSilence). If this node is at rest, so that such a block would come out as exact
        silence and change nothing in it but its parameters' ramps and its clocks, it advances those
        exactly as processBlock would, leaves the buffer as it is and returns true: the output is then
        the same, bit for bit, as processing the block, for a fraction of the cost. Otherwise it
        changes nothing and returns false, and the caller processes the block.

        Why: in a song most chains are silent most of the time (an instrument between its clips, a
        bus whose senders rest), and their effects would otherwise render silence at full cost. The
        check is exact, never a threshold, so a render stays byte-identical. Audio thread. */
    bool processSilence (int numSamples) noexcept;

    /** True when the first numSamples of every channel are +0.0f (bit for bit: a -0.0f or a
        denormal is not silence). Any thread. */
    static bool isExactSilence (const juce::AudioBuffer<float>&, int numSamples) noexcept;

    /** True when x is +0.0f exactly (the state a node at rest holds). */
    static bool isPositiveZero (float x) noexcept { return std::bit_cast<std::uint32_t> (x) == 0; }
    static bool isPositiveZero (const float* x, int n) noexcept;

    //==============================================================================
    void prepareToPlay (double sampleRate, int maximumExpectedSamplesPerBlock) final;
    void releaseResources() override {}
    void processBlock (juce::AudioBuffer<float>&, juce::MidiBuffer&) final;
    using juce::AudioProcessor::processBlock;

    const juce::String getName() const override { return name; }
    bool acceptsMidi() const override { return source; }
    bool producesMidi() const override { return false; }
    double getTailLengthSeconds() const override { return 0.0; }
    juce::AudioProcessorEditor* createEditor() override { return nullptr; }
    bool hasEditor() const override { return false; }
    int getNumPrograms() override { return 1; }
    int getCurrentProgram() override { return 0; }
    void setCurrentProgram (int) override {}
    const juce::String getProgramName (int) override { return {}; }
    void changeProgramName (int, const juce::String&) override {}
    void getStateInformation (juce::MemoryBlock&) override;
    void setStateInformation (const void* data, int sizeInBytes) override;

protected:
    /** Allocate and reset here: called from prepareToPlay, never on the audio thread. */
    virtual void prepareNode (double sampleRate, int maximumBlockSize) = 0;

    /** Render in place. Audio thread; must not allocate, lock or block. */
    virtual void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept = 0;

    /** True when a block of exact silence (+0.0f) would come out as exact silence and leave every
        state of this node as it is but its parameters' ramps and its clocks (delay line positions, LFO
        phases). Only then does processSilence call advanceAtRest; a node that cannot tell says false
        (the default: it is always processed). Audio thread. */
    virtual bool isAtRest() const noexcept { return false; }

    /** What processNode would do to this node on numSamples of exact silence while it is at rest:
        advance the parameters (with the same nextValue/skipValue calls, in the same slices, so every
        value lands on the same float) and the clocks. Audio thread. */
    virtual void advanceAtRest (int) noexcept {}

    /** As numSamples calls of nextValue (i), without the values (a ramp adds its step sample by sample,
        which skipValue's single multiplication would not reproduce bit for bit). */
    void advanceValue (int i, int numSamples) noexcept
    {
        auto& p = params[(std::size_t) i];
        if (p.remaining > 0 || p.modRemaining > 0)
            for (int k = 0; k < numSamples; ++k)
                p.next();
    }

    /** The next value of parameter i, ramp and modulation included (advance once per sample). Audio thread. */
    float nextValue (int i) noexcept { return params[(std::size_t) i].next(); }

    /** The current value without advancing (for per-block parameters). */
    float currentValue (int i) const noexcept { return params[(std::size_t) i].value(); }

    /** Advance parameter i by n samples (for nodes that read it once per block); returns the new value. */
    float skipValue (int i, int n) noexcept { return params[(std::size_t) i].skip (n); }

    /** True while the value moves: a ramp is running or a modulation offset applies. */
    bool isSmoothing (int i) const noexcept { return params[(std::size_t) i].remaining > 0 || params[(std::size_t) i].modulation != 0.0f || params[(std::size_t) i].modRemaining > 0; }

    double currentSampleRate = 48000.0;

private:
    std::atomic<int> publishedLatency { 0 };

    /** A linear ramp to a target (a SmoothedValue cannot ramp over a given length without snapping),
        plus an additive modulation offset. */
    struct Param
    {
        float minValue, maxValue, target;
        float current = 0.0f, step = 0.0f, modulation = 0.0f, modTarget = 0.0f, modStep = 0.0f;
        int remaining = 0, modRemaining = 0;

        float value() const noexcept { return modulation == 0.0f ? current : juce::jlimit (minValue, maxValue, current + modulation); }
        float next() noexcept
        {
            if (remaining > 0 && --remaining == 0)
                current = target;
            else if (remaining > 0)
                current += step;
            if (modRemaining > 0 && --modRemaining == 0)
                modulation = modTarget;
            else if (modRemaining > 0)
                modulation += modStep;
            return value();
        }
        float skip (int n) noexcept
        {
            if (n >= remaining)
                current = target, remaining = 0;
            else
                current += step * (float) n, remaining -= n;
            if (n >= modRemaining)
                modulation = modTarget, modRemaining = 0;
            else
                modulation += modStep * (float) n, modRemaining -= n;
            return value();
        }
        void rampTo (float v, int samples) noexcept
        {
            target = v;
            remaining = juce::jmax (0, samples);
            if (remaining == 0)
                current = v;
            else
                step = (target - current) / (float) remaining;
        }
    };

    int smoothingSamples = 960;
    bool resting = false; ///< isAtRest held when last asked, and no block was processed since

    juce::String name;
    std::vector<Param> params;
    bool source;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (NodeProcessor)
};

/** The parameters of a source node that has no amp envelope of its own (a hosted plugin, a silent or
    an external source): the source's, then four placeholders where built-in sources have their amp
    envelope (model::AmpParam order), so the engine addresses amp parameters at the same node indices
    on every source. Any thread but the audio thread (it allocates). */
std::vector<model::Parameter> withAmpPlaceholders (std::vector<model::Parameter> sourceParams);

} // namespace imbolc::engine
