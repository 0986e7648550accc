// A VST3 plugin that misbehaves on purpose while it plays, so the plugin sandbox can be tested against a
// real crash and a real hang in a real process (the Crasher next to it only crashes a scan).
//
// It is an instrument and an effect at once: stereo in, stereo out, MIDI in. It passes its input through
// unchanged (silence as a source, whose input is silence) and counts the note-ons it hears, which is
// state but not a parameter: a host keeps it only by keeping the plugin's state, as the sandbox's
// restart must. Its parameters choose the fault:
// - "Fault": none, crash (a write through a null pointer: SIGSEGV, as a buggy plugin dies) or hang (an
//   endless loop in processBlock, as a deadlocked plugin stops answering);
// - "After blocks": the fault strikes in the processBlock call this many blocks after prepareToPlay
//   (0: never by count), so it works as an effect stage, which hears no MIDI;
// - a note-on of note 0 makes the fault strike at once (a source can be crashed when a test wants).
// With "Fault" at none it is a well-behaved pass-through whatever else happens.

#include <juce_audio_processors/juce_audio_processors.h>

namespace imbolc::testplugin
{

class FaultyPlugin final : public juce::AudioProcessor
{
public:
    FaultyPlugin()
        : juce::AudioProcessor (BusesProperties()
                                    .withInput ("Input", juce::AudioChannelSet::stereo(), true)
                                    .withOutput ("Output", juce::AudioChannelSet::stereo(), true))
    {
        addParameter (fault = new juce::AudioParameterChoice ({ "fault", 1 }, "Fault", juce::StringArray { "none", "crash", "hang" }, 0));
        addParameter (after = new juce::AudioParameterInt ({ "after", 1 }, "After blocks", 0, 1000, 0));
    }

    bool isBusesLayoutSupported (const BusesLayout& layouts) const override
    {
        return layouts.getMainOutputChannelSet() == juce::AudioChannelSet::stereo()
               && (layouts.getMainInputChannelSet() == juce::AudioChannelSet::stereo() || layouts.getMainInputChannelSet().isDisabled());
    }

    void prepareToPlay (double, int) override { blocks = 0; }
    void releaseResources() override {}

    void processBlock (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) override
    {
        ++blocks;
        for (const auto meta : midi)
        {
            const auto m = meta.getMessage();
            if (m.isNoteOn() && m.getNoteNumber() == 0)
                strike();
            if (m.isNoteOn())
                notesHeard = notesHeard + 1;
        }
        if (after->get() > 0 && blocks > after->get())
            strike();
        // Input passes through: the buffer already holds it (a host gives a stereo-in plugin its input
        // in the same channels its output goes to).
        for (int c = getTotalNumInputChannels(); c < buffer.getNumChannels(); ++c)
            buffer.clear (c, 0, buffer.getNumSamples());
    }

    juce::AudioProcessorEditor* createEditor() override { return new juce::GenericAudioProcessorEditor (*this); }
    bool hasEditor() const override { return true; }
    const juce::String getName() const override { return "Imbolc Faulty"; }
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
        out.writeInt (fault->getIndex());
        out.writeInt (after->get());
        out.writeInt (notesHeard.load());
    }

    void setStateInformation (const void* data, int size) override
    {
        juce::MemoryInputStream in (data, (std::size_t) juce::jmax (0, size), false);
        if (size != 16 || in.readInt() != stateMagic)
            return; // not ours: keep the current values rather than apply garbage
        *fault = juce::jlimit (0, 2, in.readInt());
        *after = juce::jlimit (0, 1000, in.readInt());
        notesHeard = juce::jmax (0, in.readInt());
    }

private:
    void strike()
    {
        if (fault->getIndex() == 1)
        {
            volatile int* nowhere = nullptr;
            *nowhere = 42; // SIGSEGV
        }
        else if (fault->getIndex() == 2)
        {
            volatile bool forever = true;
            while (forever)
            {
            }
        }
    }

    static constexpr int stateMagic = 0x46415554; // "FAUT"

    juce::AudioParameterChoice* fault = nullptr;
    juce::AudioParameterInt* after = nullptr;
    std::atomic<int> notesHeard { 0 };
    int blocks = 0;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (FaultyPlugin)
};

} // namespace imbolc::testplugin

juce::AudioProcessor* JUCE_CALLTYPE createPluginFilter()
{
    return new imbolc::testplugin::FaultyPlugin();
}
