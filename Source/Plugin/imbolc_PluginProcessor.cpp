// The Imbolc plugin's processor: a whole session, played by the engine inside another host.
//
// The session lives in a SessionHost in hosted mode: the host's audio thread hands each block in through
// AudioOutput::processHosted with its MIDI (played on the MIDI input instrument) and its play head (the
// engine follows the host's transport and tempo). The host's saved state is the project file's bytes, so a
// host's session reloads exactly as an .imbolc file would. A plugin never tunes the process's allocator:
// the process is the host's.

#include <imbolc_app/imbolc_app.h>

namespace imbolc::plugin
{

/** The host's play head as the engine follows it. Audio thread.
    - The position in quarter notes is filled in when the host gave only its position in samples.
      JUCE 7's LV2 wrapper reads that position from time:beat alone, which Ardour and jalv never send
      (they send time:frame, time:bar and time:barBeat), so under them the engine would never follow
      the host's transport. From the samples at the host's tempo the position is exact while the
      host's tempo is constant from its zero.
    - A position before zero (a pre-roll, a count-in; Ardour's VST3 export starts with a block at
      -240 samples) is reported as stopped at zero, so the session waits at its start: the engine
      clamps a negative position to zero and would play its first notes that much early. */
class HostPlayHead final : public juce::AudioPlayHead
{
public:
    juce::AudioPlayHead* wrap (juce::AudioPlayHead* hostPlayHead, double rate) noexcept
    {
        host = hostPlayHead;
        sampleRate = rate;
        return host != nullptr ? this : nullptr;
    }

    juce::Optional<PositionInfo> getPosition() const override
    {
        auto position = host->getPosition();
        if (! position.hasValue())
            return position;
        if (! position->getPpqPosition().hasValue() && sampleRate > 0.0)
        {
            const auto samples = position->getTimeInSamples();
            const auto bpm = position->getBpm();
            if (samples.hasValue() && bpm.hasValue() && *bpm > 0.0)
                position->setPpqPosition ((double) *samples / sampleRate * *bpm / 60.0);
        }
        if (const auto ppq = position->getPpqPosition(); ppq.hasValue() && *ppq < 0.0)
        {
            position->setIsPlaying (false);
            position->setPpqPosition (0.0);
        }
        return position;
    }

private:
    juce::AudioPlayHead* host = nullptr;
    double sampleRate = 0.0;
};

class ImbolcProcessor final : public juce::AudioProcessor, private juce::Timer
{
public:
    ImbolcProcessor()
        : AudioProcessor (BusesProperties().withOutput ("Output", juce::AudioChannelSet::stereo(), true)), output (app::AudioOutput::Options::with (app::AudioOutput::Mode::hosted))
    {
        // A plugin has no console; until its editor shows them, warnings go to the debug log.
        host.onWarning = [] ([[maybe_unused]] const juce::String& sentence)
        { DBG ("Imbolc: " << sentence); };
        host.setSession (makeStartingSession());
        selectFirstInstrument();
        // The session's housekeeping (retired chains, meters, warnings) runs on the host's message thread.
        startTimerHz (30);
    }

    ~ImbolcProcessor() override
    {
        stopTimer();
        output.stop();
    }

    //==============================================================================
    const juce::String getName() const override { return "Imbolc"; }
    bool acceptsMidi() const override { return true; }
    bool producesMidi() const override { return false; }
    bool isMidiEffect() const override { return false; }
    double getTailLengthSeconds() const override { return 0.0; }

    bool isBusesLayoutSupported (const BusesLayout& layouts) const override
    {
        const auto out = layouts.getMainOutputChannelSet();
        return out == juce::AudioChannelSet::stereo() || out == juce::AudioChannelSet::mono();
    }

    void prepareToPlay (double sampleRate, int maximumExpectedSamplesPerBlock) override
    {
        output.stop();
        output.setHostedFormat (sampleRate, maximumExpectedSamplesPerBlock);
        host.prepare (sampleRate, maximumExpectedSamplesPerBlock);
        output.start (host.getEngine());
    }

    void releaseResources() override { output.stop(); }

    void processBlock (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) override
    {
        output.processHosted (buffer, midi, hostPlayHead.wrap (getPlayHead(), getSampleRate()));
    }

    //==============================================================================
    // The real editor is the plugin issue's; until then hosts show no editor rather than an empty one.
    bool hasEditor() const override { return false; }
    juce::AudioProcessorEditor* createEditor() override { return nullptr; }

    int getNumPrograms() override { return 1; }
    int getCurrentProgram() override { return 0; }
    void setCurrentProgram (int) override {}
    const juce::String getProgramName (int) override { return {}; }
    void changeProgramName (int, const juce::String&) override {}

    /** The session as a project file's bytes. Hosts call this on their message thread. */
    void getStateInformation (juce::MemoryBlock& destination) override
    {
        const auto bytes = protocol::encodeProject (host.getSession());
        destination.replaceAll (bytes.data(), bytes.size());
    }

    /** A saved session: verified and decoded like a project file; bad bytes leave the session as it was. */
    void setStateInformation (const void* data, int sizeInBytes) override
    {
        if (data == nullptr || sizeInBytes <= 0)
            return;
        auto decoded = protocol::decodeProject ((const std::uint8_t*) data, (std::size_t) sizeInBytes);
        if (! decoded.ok())
        {
            DBG ("Imbolc: the host's saved state was refused: " << decoded.error);
            return;
        }
        host.setSession (std::move (*decoded.session));
        selectFirstInstrument();
    }

private:
    /** A new plugin plays at once: one saw instrument that the host's MIDI plays. */
    static model::Session makeStartingSession()
    {
        model::Session session;
        model::UndoHistory scratch;
        model::Dispatcher dispatcher (session, scratch);
        model::Source source;
        source.builtIn = model::BuiltInSource::saw;
        dispatcher.apply (model::action::AddInstrument { "Synth", source, model::Backend::internal, {} });
        return session;
    }

    void selectFirstInstrument()
    {
        const auto& instruments = host.getSession().instruments;
        host.setMidiInputInstrument (instruments.empty() ? model::InstrumentId {} : instruments.begin()->id);
    }

    void timerCallback() override { host.tick(); }

    app::SessionHost host;
    app::AudioOutput output;
    HostPlayHead hostPlayHead;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (ImbolcProcessor)
};

} // namespace imbolc::plugin

juce::AudioProcessor* JUCE_CALLTYPE createPluginFilter()
{
    return new imbolc::plugin::ImbolcProcessor();
}
