#include <jack/jack.h>
#include <jack/midiport.h>

namespace imbolc::app
{

namespace
{
    jack_client_t* jackClient (void* c) { return static_cast<jack_client_t*> (c); }
    jack_port_t* jackPort (void* p) { return static_cast<jack_port_t*> (p); }
} // namespace

JackMidi::JackMidi() = default;

JackMidi::~JackMidi()
{
    close();
}

juce::Result JackMidi::open (Options options)
{
    close();
    outQueue = std::make_unique<moodycamel::ReaderWriterQueue<TimedMidi>> ((std::size_t) juce::jmax (16, options.outputQueueSize));
    int openOptions = JackNoStartServer;
    if (options.serverName.isNotEmpty())
        openOptions |= JackServerName;
    inputMarginSeconds = options.inputMarginSeconds;
    jack_status_t status {};
    auto* c = options.serverName.isNotEmpty()
                  ? jack_client_open (options.clientName.toRawUTF8(), (jack_options_t) openOptions, &status, options.serverName.toRawUTF8())
                  : jack_client_open (options.clientName.toRawUTF8(), (jack_options_t) openOptions, &status);
    if (c == nullptr)
        return juce::Result::fail ("No JACK server runs" + (options.serverName.isNotEmpty() ? " named " + options.serverName : juce::String()) + ", so there is no JACK MIDI.");
    client = c;
    framesStarted = false;
    inPort = jack_port_register (c, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    outPort = jack_port_register (c, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    if (inPort == nullptr || outPort == nullptr)
    {
        close();
        return juce::Result::fail ("JACK refused Imbolc's MIDI ports.");
    }
    jack_set_process_callback (c, &JackMidi::processCallback, this);
    jack_set_port_connect_callback (c, &JackMidi::connectCallback, this);
    jack_on_shutdown (c, &JackMidi::shutdownCallback, this);
    if (jack_activate (c) != 0)
    {
        close();
        return juce::Result::fail ("JACK would not start Imbolc's MIDI client.");
    }
    return juce::Result::ok();
}

void JackMidi::close()
{
    if (client == nullptr)
        return;
    auto* c = jackClient (client);
    // Deactivating waits for the process callback to return: after it, nothing reads the sink or queue.
    jack_deactivate (c);
    jack_client_close (c);
    client = nullptr;
    inPort = outPort = nullptr;
    if (auto* s = sink.load())
        s->jackInputLost();
}

juce::String JackMidi::getInputPortName() const
{
    return inPort != nullptr ? juce::String (jack_port_name (jackPort (inPort))) : juce::String();
}

juce::String JackMidi::getOutputPortName() const
{
    return outPort != nullptr ? juce::String (jack_port_name (jackPort (outPort))) : juce::String();
}

double JackMidi::getSampleRate() const noexcept
{
    return client != nullptr ? (double) jack_get_sample_rate (jackClient (client)) : 0.0;
}

double JackMidi::getInputDelaySeconds() const noexcept
{
    if (client == nullptr)
        return 0.0;
    const auto rate = (double) jack_get_sample_rate (jackClient (client));
    return rate > 0.0 ? (double) jack_get_buffer_size (jackClient (client)) / rate + inputMarginSeconds : 0.0;
}

bool JackMidi::send (const TimedMidi& m) noexcept
{
    if (outQueue == nullptr || m.size < 1 || m.size > 3 || ! outQueue->try_enqueue (m))
    {
        droppedOut.fetch_add (1, std::memory_order_relaxed);
        return false;
    }
    return true;
}

int JackMidi::processCallback (std::uint32_t numFrames, void* self)
{
    return static_cast<JackMidi*> (self)->process (numFrames);
}

int JackMidi::process (std::uint32_t numFrames) noexcept
{
    auto* c = jackClient (client);
    const auto cycleStart = jack_last_frame_time (c);

    // Frames to the steady clock on a smooth line of our own (slope 1 / rate, see engine::ExternalClock: it averages the callbacks' jitter)
    // through each cycle's start frame and the time its callback runs. jack_frames_to_time would do,
    // but it counts in JACK's clock (jackd2 reads CLOCK_MONOTONIC_RAW on Linux, which runs apart from the
    // steady clock: 0.2 s here after a few hours), and its DLL was measured to bend event spacing by up
    // to 9 % for seconds after a late cycle of the dummy backend. Frame spacing is what a sender meant.
    const auto steadyNow = engine::ExternalNotes::nowSeconds();
    if (! framesStarted)
    {
        framesStarted = true;
        lastCycleStart = cycleStart;
        frames = 0;
        frameClock = engine::ExternalClock ((double) jack_get_sample_rate (c));
    }
    frames += (std::int64_t) (std::int32_t) (cycleStart - lastCycleStart);
    lastCycleStart = cycleStart;
    frameClock.observe (frames, steadyNow);
    const auto cycleSeconds = frameClock.toSeconds (frames);
    const auto rate = frameClock.getSampleRate();

    auto* in = jack_port_get_buffer (jackPort (inPort), numFrames);
    auto* target = sink.load (std::memory_order_acquire);
    const auto count = jack_midi_get_event_count (in);
    for (std::uint32_t i = 0; i < count; ++i)
    {
        jack_midi_event_t event;
        if (jack_midi_event_get (&event, in, i) != 0 || target == nullptr)
            continue;
        target->jackMidiIn (event.buffer, event.size, cycleSeconds + (double) event.time / rate);
    }

    auto* out = jack_port_get_buffer (jackPort (outPort), numFrames);
    jack_midi_clear_buffer (out);
    std::uint32_t last = 0;
    while (const auto* e = outQueue->peek())
    {
        const auto ahead = std::floor ((e->seconds - cycleSeconds) * rate + 0.5);
        const auto relative = (std::int32_t) juce::jlimit (-1.0e9, 1.0e9, ahead);
        if (relative >= (std::int32_t) numFrames)
            break; // a later cycle's
        // JACK wants events in time order; a late one leaves at once.
        const auto offset = (std::uint32_t) juce::jmax ((std::int32_t) last, relative);
        if (jack_midi_event_write (out, offset, e->data.data(), e->size) != 0)
            break; // the port's buffer is full: the rest waits for the next cycle
        last = offset;
        outQueue->pop();
    }
    return 0;
}

void JackMidi::connectCallback (std::uint32_t a, std::uint32_t b, int connect, void* self)
{
    auto& me = *static_cast<JackMidi*> (self);
    if (connect != 0 || me.client == nullptr)
        return;
    auto* c = jackClient (me.client);
    if (jack_port_by_id (c, a) == jackPort (me.inPort) || jack_port_by_id (c, b) == jackPort (me.inPort))
        if (auto* s = me.sink.load())
            s->jackInputLost();
}

void JackMidi::shutdownCallback (void* self)
{
    if (auto* s = static_cast<JackMidi*> (self)->sink.load())
        s->jackInputLost();
}

} // namespace imbolc::app
