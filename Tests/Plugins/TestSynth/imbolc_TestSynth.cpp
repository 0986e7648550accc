// A tiny, deterministic VST3 instrument the plugin-hosting tests load through the real VST3 path
// (Debian ships no VST3 plugins). It plays a sine at the pitch of the last held MIDI note, at exactly
// `gain` amplitude, on a mono output (so hosting also proves the mono-to-stereo mapping). Its state is
// its two parameter values plus the tuning reference (A4 in Hz), which is state but not a parameter, as
// a sampler's loaded sample or a synth's tuning table is: a host can only keep it by keeping the state.

#include <juce_audio_processors/juce_audio_processors.h>

namespace imbolc::testplugin
{

class TestSynth final : public juce::AudioProcessor
{
public:
    TestSynth()
        : juce::AudioProcessor (BusesProperties().withOutput ("Output", juce::AudioChannelSet::mono(), true))
    {
        addParameter (gain = new juce::AudioParameterFloat ({ "gain", 1 }, "Gain", 0.0f, 1.0f, 0.5f));
        // Normalized 0..1 maps to -12..+12 semitones, 0.5 = no transposition.
        addParameter (transpose = new juce::AudioParameterFloat ({ "transpose", 1 }, "Transpose", 0.0f, 1.0f, 0.5f));
    }

    bool isBusesLayoutSupported (const BusesLayout& layouts) const override
    {
        return layouts.inputBuses.isEmpty() && layouts.outputBuses.size() == 1 && layouts.getMainOutputChannelSet() == juce::AudioChannelSet::mono();
    }

    void prepareToPlay (double newSampleRate, int) override
    {
        sampleRate = newSampleRate;
        phase = 0.0;
        note = -1;
    }

    void releaseResources() override {}

    void processBlock (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) override
    {
        int position = 0;
        for (const auto meta : midi)
        {
            render (buffer, position, meta.samplePosition);
            position = juce::jmax (position, meta.samplePosition);
            const auto m = meta.getMessage();
            if (m.isNoteOn())
            {
                note = m.getNoteNumber();
                phase = 0.0;
            }
            else if (m.isNoteOff() && m.getNoteNumber() == note)
            {
                note = -1;
            }
        }
        render (buffer, position, buffer.getNumSamples());
    }

    juce::AudioProcessorEditor* createEditor() override { return nullptr; }
    bool hasEditor() const override { return false; }
    const juce::String getName() const override { return "Imbolc Test Synth"; }
    bool acceptsMidi() const override { return true; }
    bool producesMidi() const override { return false; }
    double getTailLengthSeconds() const override { return 0.0; }
    int getNumPrograms() override { return 1; }
    int getCurrentProgram() override { return 0; }
    void setCurrentProgram (int) override {}
    const juce::String getProgramName (int) override { return {}; }
    void changeProgramName (int, const juce::String&) override {}

    void getStateInformation (juce::MemoryBlock& block) override
    {
        juce::MemoryOutputStream out (block, false);
        out.writeInt (stateMagic);
        out.writeFloat (gain->get());
        out.writeFloat (transpose->get());
        out.writeFloat (referenceHz);
    }

    void setStateInformation (const void* data, int size) override
    {
        juce::MemoryInputStream in (data, (std::size_t) juce::jmax (0, size), false);
        if (size != 16 || in.readInt() != stateMagic)
            return; // not ours: keep the current values rather than apply garbage
        *gain = in.readFloat();
        *transpose = in.readFloat();
        referenceHz = juce::jlimit (100.0f, 1000.0f, in.readFloat());
    }

private:
    void render (juce::AudioBuffer<float>& buffer, int from, int to)
    {
        if (to <= from)
            return;
        if (note < 0)
        {
            buffer.clear (from, to - from);
            return;
        }
        const auto semitones = (double) note + (transpose->get() * 24.0 - 12.0);
        const auto increment = juce::MathConstants<double>::twoPi * (double) referenceHz * std::pow (2.0, (semitones - 69.0) / 12.0) / sampleRate;
        const auto amplitude = gain->get();
        for (int i = from; i < to; ++i)
        {
            const auto sample = amplitude * (float) std::sin (phase);
            for (int c = 0; c < buffer.getNumChannels(); ++c)
                buffer.setSample (c, i, sample);
            phase = std::fmod (phase + increment, juce::MathConstants<double>::twoPi);
        }
    }

    static constexpr int stateMagic = 0x49545359; // "ITSY"

    juce::AudioParameterFloat* gain = nullptr;
    juce::AudioParameterFloat* transpose = nullptr;
    std::atomic<float> referenceHz { 440.0f };
    double sampleRate = 48000.0, phase = 0.0;
    int note = -1;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (TestSynth)
};

} // namespace imbolc::testplugin

juce::AudioProcessor* JUCE_CALLTYPE createPluginFilter()
{
    return new imbolc::testplugin::TestSynth();
}
