#include "imbolc_PluginProcessor.h"
#include "imbolc_PluginEditor.h"

namespace imbolc::plugin
{

juce::AudioProcessor::BusesProperties ImbolcProcessor::busesProperties()
{
    // The main stereo out, then one optional stereo out per bus: a host that enables "Bus 2" gets that
    // bus alone there (and no longer in the main mix), to mix it on its own channel.
    auto buses = BusesProperties().withOutput ("Output", juce::AudioChannelSet::stereo(), true);
    // LV2 ports are fixed, and JUCE's LV2 wrapper turns every bus on: there the buses would leave the main
    // mix for ports a host leaves unconnected, so an LV2 Imbolc has the main output only.
    if (juce::PluginHostType::getPluginLoadedAs() == wrapperType_LV2)
        return buses;
    for (int k = 0; k < numBusOutputs; ++k)
        buses = buses.withOutput ("Bus " + juce::String (k + 1), juce::AudioChannelSet::stereo(), false);
    return buses;
}

ImbolcProcessor::ImbolcProcessor()
    : AudioProcessor (busesProperties()),
      output (app::AudioOutput::Options::with (app::AudioOutput::Mode::hosted))
{
    for (int k = 0; k < numMacros; ++k)
    {
        auto* macro = new juce::AudioParameterFloat (juce::ParameterID { "macro" + juce::String (k + 1), 1 }, "Macro " + juce::String (k + 1), 0.0f, 1.0f, 0.0f);
        addParameter (macro);
        macros[(std::size_t) k] = macro;
    }

    // Until the editor shows them, warnings go to the debug log: a plugin has no console.
    host.onWarning = [] ([[maybe_unused]] const juce::String& sentence)
    { DBG ("Imbolc: " << sentence); };
    host.setSession (makeStartingSession());
    setMidiInstrument ({});
    refreshCachedState();
    // The session's housekeeping (retired chains, meters, warnings, the network) runs on the host's
    // message thread.
    startTimerHz (30);
}

ImbolcProcessor::~ImbolcProcessor()
{
    stopTimer();
    output.stop();
    if (seat.isJoined())
        seat.leave();
}

//==============================================================================
bool ImbolcProcessor::isBusesLayoutSupported (const BusesLayout& layouts) const
{
    if (layouts.outputBuses.isEmpty())
        return false;
    const auto main = layouts.getMainOutputChannelSet();
    if (main != juce::AudioChannelSet::stereo() && main != juce::AudioChannelSet::mono())
        return false;
    for (int k = 1; k < layouts.outputBuses.size(); ++k)
        if (! layouts.outputBuses[k].isDisabled() && layouts.outputBuses[k] != juce::AudioChannelSet::stereo())
            return false;
    return layouts.inputBuses.isEmpty();
}

void ImbolcProcessor::prepareToPlay (double sampleRate, int maximumExpectedSamplesPerBlock)
{
    // The engine is prepared where the session lives; a host preparing from its own thread holds the
    // message thread meanwhile (the timer's housekeeping must not run during it).
    std::optional<juce::MessageManagerLock> lock;
    if (! juce::MessageManager::existsAndIsCurrentThread())
        lock.emplace();
    output.stop();
    output.setHostedFormat (sampleRate, maximumExpectedSamplesPerBlock);
    host.prepare (sampleRate, maximumExpectedSamplesPerBlock);
    output.start (host.getEngine());
    setLatencySamples (host.getEngine().getOutputLatencySamples());
}

void ImbolcProcessor::releaseResources()
{
    std::optional<juce::MessageManagerLock> lock;
    if (! juce::MessageManager::existsAndIsCurrentThread())
        lock.emplace();
    output.stop();
}

void ImbolcProcessor::render (juce::AudioBuffer<float>& buffer, const juce::MidiBuffer& midi) noexcept
{
    const int numSamples = buffer.getNumSamples();
    // A joined session plays on the machine that hosts it; this seat's own session waits, silent.
    if (joined.load (std::memory_order_relaxed))
    {
        buffer.clear();
        return;
    }

    for (int k = 0; k < numMacros; ++k)
        macroValues[(std::size_t) k] = macros[(std::size_t) k]->get();

    int busChannels = 0;
    for (int k = 0; k < numBusOutputs; ++k)
    {
        float* left = nullptr;
        float* right = nullptr;
        if (const auto* bus = getBus (false, k + 1); bus != nullptr && bus->isEnabled() && bus->getNumberOfChannels() == 2)
        {
            const int first = getChannelIndexInProcessBlockBuffer (false, k + 1, 0);
            if (first >= 0 && first + 1 < buffer.getNumChannels())
            {
                left = buffer.getWritePointer (first);
                right = buffer.getWritePointer (first + 1);
                busChannels = 2 * (k + 1);
            }
        }
        busPointers[(std::size_t) (2 * k)] = left;
        busPointers[(std::size_t) (2 * k + 1)] = right;
    }

    engine::ProcessInput extras;
    extras.macros = macroValues.data();
    extras.numMacros = numMacros;
    extras.busOutputs = busPointers.data();
    extras.numBusOutputs = busChannels;

    // The main bus is the buffer's first channels; the engine writes the extra outputs through their
    // pointers (silence where the session has no such bus).
    const int mainChannels = juce::jmin (buffer.getNumChannels(), getMainBusNumOutputChannels());
    juce::AudioBuffer<float> main (buffer.getArrayOfWritePointers(), mainChannels, numSamples);
    output.processHosted (main, midi, getPlayHead(), extras);
}

void ImbolcProcessor::processBlock (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi)
{
    render (buffer, midi);
    midi.clear(); // an instrument: nothing goes back out
}

void ImbolcProcessor::processBlockBypassed (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi)
{
    // Bypassed, the song keeps its place with the host and notes still end, so un-bypassing plays on in
    // time with no stuck note; the host hears nothing.
    render (buffer, midi);
    buffer.clear();
    midi.clear();
}

//==============================================================================
juce::AudioProcessorEditor* ImbolcProcessor::createEditor()
{
    return new ImbolcEditor (*this);
}

void ImbolcProcessor::getStateInformation (juce::MemoryBlock& destination)
{
    // Some hosts save from a thread of their own, which must not wait for the message thread (it may be
    // waiting for them): they get what the timer last encoded, at most a second after the last edit.
    if (! juce::MessageManager::existsAndIsCurrentThread())
    {
        const std::lock_guard lock (cacheMutex);
        destination = cachedState;
        return;
    }
    refreshCachedState();
    const std::lock_guard lock (cacheMutex);
    destination = cachedState;
}

void ImbolcProcessor::setStateInformation (const void* data, int sizeInBytes)
{
    std::vector<std::uint8_t> bytes;
    if (data != nullptr && sizeInBytes > 0)
        bytes.assign ((const std::uint8_t*) data, (const std::uint8_t*) data + sizeInBytes);
    // The session is the message thread's: a host restoring from another thread (JUCE plugins on Linux
    // have a message thread of their own until an editor opens) holds it while the session loads, so a
    // getStateInformation right after sees the restored session.
    if (juce::MessageManager::existsAndIsCurrentThread())
        return restore (bytes);
    const juce::MessageManagerLock lock;
    restore (bytes);
}

void ImbolcProcessor::restore (const std::vector<std::uint8_t>& bytes)
{
    // Checked exactly as a project file is (size, checksum, schema, every value); a refusal changes
    // nothing in the session.
    auto decoded = protocol::decodeProject (bytes.data(), bytes.size());
    if (! decoded.ok())
    {
        refusedState = bytes;
        stateError = "The host's saved Imbolc session could not be loaded: " + juce::String (decoded.error)
                     + " Imbolc keeps those bytes for the host's next save until you edit this session.";
        DBG ("Imbolc: " << stateError);
        refreshCachedState();
        if (onStateRefused)
            onStateRefused (stateError);
        return;
    }
    refusedState.clear();
    stateError.clear();
    host.setSession (std::move (*decoded.session));
    setMidiInstrument (midiInstrument);
    refreshCachedState();
}

void ImbolcProcessor::refreshCachedState()
{
    // A refused state goes back to the host as it came until this session is edited: the person may
    // open it with the Imbolc that wrote it.
    const auto& history = host.getHistory();
    if (! refusedState.empty() && (history.canUndo() || history.canRedo()))
        refusedState.clear();
    const auto bytes = refusedState.empty() ? protocol::encodeProject (host.snapshotWithPluginStates()) : refusedState;
    lastCacheMs = juce::Time::getMillisecondCounter();
    const std::lock_guard lock (cacheMutex);
    cachedState.replaceAll (bytes.data(), bytes.size());
    cachedGeneration = host.getEditGeneration();
}

//==============================================================================
juce::Result ImbolcProcessor::join (net::ClientOptions options)
{
    if (auto result = seat.join (std::move (options), 5000); result.failed())
        return result;
    joined = true;
    if (onShownSessionChanged)
        onShownSessionChanged (true);
    return juce::Result::ok();
}

juce::String ImbolcProcessor::leave()
{
    // The views leave the joined session before it goes: they show the own one again first.
    const bool wasJoined = seat.isJoined();
    joined = false;
    if (wasJoined && onShownSessionChanged)
        onShownSessionChanged (false);
    return seat.leave();
}

juce::Result ImbolcProcessor::openSession (const juce::File& file)
{
    if (auto opened = host.open (file); opened.failed())
        return opened;
    refusedState.clear();
    stateError.clear();
    setMidiInstrument (midiInstrument);
    return juce::Result::ok();
}

void ImbolcProcessor::setMidiInstrument (model::InstrumentId id)
{
    const auto& instruments = host.getSession().instruments;
    // A new plugin plays at once: without a choice (or after the chosen one went), the first instrument.
    if (instruments.find (id) == nullptr)
        id = instruments.empty() ? model::InstrumentId {} : instruments.begin()->id;
    midiInstrument = id;
    host.setMidiInputInstrument (id);
}

void ImbolcProcessor::timerCallback()
{
    host.tick();
    if (auto* remote = seat.getRemote())
        remote->tick();

    followMacroMappings();

    // What every path to the output shares (the master chain's look-ahead, a latent plugin on it): the
    // host delays the rest of the song to match. JUCE tells the host when it changed.
    if (const auto latency = host.getEngine().getOutputLatencySamples(); latency != getLatencySamples())
        setLatencySamples (latency);

    // The instrument MIDI plays may have been deleted (here or by a seat).
    if (host.getSession().instruments.find (midiInstrument) == nullptr)
        setMidiInstrument ({});

    // The state a host saving off the message thread gets: a second after an edit, and every few
    // seconds for what hosted plugins changed on their own (their states are captured into it).
    const auto sinceCache = juce::Time::getMillisecondCounter() - lastCacheMs;
    if ((host.getEditGeneration() != cachedGeneration && sinceCache >= 1000) || sinceCache >= 5000)
        refreshCachedState();
}

void ImbolcProcessor::followMacroMappings()
{
    // A macro newly mapped (or remapped, or a session loaded) starts where its parameter stands, so the
    // first value the engine applies for it changes nothing a person hears; the host learns the value.
    const auto& session = host.getSession();
    for (int k = 0; k < numMacros; ++k)
    {
        const auto& mapping = session.macros[(std::size_t) k];
        auto& last = lastMappings[(std::size_t) k];
        if (mapping == last)
            continue;
        last = mapping;
        if (! mapping.assigned || mapping.to == mapping.from)
            continue;
        if (const auto info = model::findParam (session, mapping.param))
        {
            const auto v = juce::jlimit (0.0f, 1.0f, (info->value - mapping.from) / (mapping.to - mapping.from));
            macros[(std::size_t) k]->setValueNotifyingHost (v);
        }
    }
}

model::Session ImbolcProcessor::makeStartingSession()
{
    // A new plugin plays at once: one saw instrument that the host's MIDI plays.
    model::Session session;
    model::UndoHistory scratch;
    model::Dispatcher dispatcher (session, scratch);
    model::Source source;
    source.builtIn = model::BuiltInSource::saw;
    dispatcher.apply (model::action::AddInstrument { "Synth", source, model::Backend::internal, {} });
    return session;
}

} // namespace imbolc::plugin

juce::AudioProcessor* JUCE_CALLTYPE createPluginFilter()
{
    return new imbolc::plugin::ImbolcProcessor();
}
