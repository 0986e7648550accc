// Imbolc's own plugin (the VST3 built here) in a host that is JUCE's plugin hosting, for what jalv and
// Ardour cannot check: rates and block sizes, bypass, the host's jumps and loops, two instances at
// once, garbage state. (The real-time harness runs inside processBlock in Tests/ImbolcPlugin, where the
// processor is compiled into the test: here JUCE's VST3 wrapper takes its own callback lock around it.)

#include <imbolc_app/imbolc_app.h>

#include <catch2/catch.hpp>

using namespace imbolc;

namespace
{
constexpr double bpm = 120.0;
constexpr model::Tick noteSpacing = 240; // an eighth note
constexpr int numNotes = 12;

/** A host's play head that the test moves: playing, where, how fast, and an optional loop. */
struct HostClock final : juce::AudioPlayHead
{
    bool playing = true;
    double ppq = 0.0, tempo = bpm;
    bool looping = false;
    double loopStart = 0.0, loopEnd = 0.0;

    juce::Optional<PositionInfo> getPosition() const override
    {
        PositionInfo info;
        info.setIsPlaying (playing);
        info.setPpqPosition (ppq);
        info.setBpm (tempo);
        info.setTimeSignature (juce::AudioPlayHead::TimeSignature { 3, 4 });
        info.setIsLooping (looping);
        info.setLoopPoints (juce::AudioPlayHead::LoopPoints { loopStart, loopEnd });
        return info;
    }

    /** What the host does after a block of n samples: moves on, wrapping at its loop end like a host
        that does not split its blocks there. */
    void advance (int n, double rate)
    {
        if (! playing)
            return;
        ppq += n / rate * tempo / 60.0;
        if (looping && ppq >= loopEnd)
            ppq = loopStart + (ppq - loopEnd);
    }
};

/** One plucked instrument: short notes every eighth, each followed by silence, so onsets are plain. */
model::Session pluckSession (int pitchOffset = 0)
{
    model::Session session;
    model::UndoHistory scratch;
    model::Dispatcher dispatcher (session, scratch);
    model::Source source;
    source.builtIn = model::BuiltInSource::saw;
    REQUIRE (dispatcher.apply (model::action::AddInstrument { "Pluck", source, model::Backend::internal, {} }).ok());
    const auto id = session.instruments.begin()->id;
    for (int n = 0; n < numNotes; ++n)
        REQUIRE (dispatcher.apply (model::action::AddNote { id, { {}, n * noteSpacing, 30, (std::uint8_t) (60 + pitchOffset + (n % 4)), 110, 1.0f } }).ok());
    REQUIRE (dispatcher.apply (model::action::SetBpm { bpm }).ok());
    return session;
}

/** JUCE's VST3 host wraps a plugin's state in XML with the component's bytes in base64. */
juce::MemoryBlock vst3StateHolding (juce::AudioPluginInstance& plugin, const void* data, std::size_t size)
{
    juce::MemoryBlock state;
    plugin.getStateInformation (state);
    auto xml = juce::AudioProcessor::getXmlFromBinary (state.getData(), (int) state.getSize());
    REQUIRE (xml != nullptr);
    auto* component = xml->getChildByName ("IComponent");
    REQUIRE (component != nullptr);
    component->deleteAllTextElements();
    component->addTextElement (juce::MemoryBlock (data, size).toBase64Encoding());
    juce::MemoryBlock out;
    juce::AudioProcessor::copyXmlToBinary (*xml, out);
    return out;
}

/** The component's bytes inside JUCE's VST3 host state (the wrapper may append its own data after
    them: the project file is found by decoding, whose checksum makes a wrong length fail). */
juce::MemoryBlock componentBytes (juce::AudioPluginInstance& plugin)
{
    juce::MemoryBlock state;
    plugin.getStateInformation (state);
    const auto xml = juce::AudioProcessor::getXmlFromBinary (state.getData(), (int) state.getSize());
    REQUIRE (xml != nullptr);
    REQUIRE (xml->getChildByName ("IComponent") != nullptr);
    juce::MemoryBlock component;
    REQUIRE (component.fromBase64Encoding (xml->getChildByName ("IComponent")->getAllSubText()));
    return component;
}

std::optional<model::Session> sessionIn (const juce::MemoryBlock& component)
{
    const auto* bytes = (const std::uint8_t*) component.getData();
    for (std::size_t n = component.getSize(); n > 0 && n + 4096 > component.getSize(); --n)
        if (auto decoded = protocol::decodeProject (bytes, n); decoded.ok())
            return std::move (decoded.session);
    return std::nullopt;
}

struct LoadedPlugin
{
    engine::PluginHost host;
    std::unique_ptr<juce::AudioPluginInstance> plugin;
};

std::unique_ptr<juce::AudioPluginInstance> loadImbolc (engine::PluginHost& host, double rate, int block)
{
    model::PluginRef ref;
    ref.format = model::PluginFormat::vst3;
    ref.identifier = std::string (IMBOLC_PLUGIN_DIR) + "/VST3/Imbolc.vst3";
    juce::String error;
    auto plugin = host.createInstance (ref, rate, block, error);
    INFO (error);
    REQUIRE (plugin != nullptr);
    return plugin;
}

void restore (juce::AudioPluginInstance& plugin, const model::Session& session)
{
    const auto bytes = protocol::encodeProject (session);
    const auto state = vst3StateHolding (plugin, bytes.data(), bytes.size());
    // On this (the message) thread the session loads at once; the engine takes it at the next block.
    plugin.setStateInformation (state.getData(), (int) state.getSize());
}

/** Renders `total` samples of the left output, in blocks whose sizes come from `sizes` in turn. */
std::vector<float> renderThrough (juce::AudioPluginInstance& plugin, HostClock& clock, double rate, int total, const std::vector<int>& sizes, std::function<void (int sampleAt)> beforeBlock = {})
{
    std::vector<float> out;
    out.reserve ((std::size_t) total);
    juce::AudioBuffer<float> buffer (2, 4096);
    juce::MidiBuffer midi;
    std::size_t next = 0;
    while ((int) out.size() < total)
    {
        const int n = juce::jmin (sizes[next++ % sizes.size()], total - (int) out.size());
        if (beforeBlock)
            beforeBlock ((int) out.size());
        buffer.setSize (2, n, false, false, true);
        buffer.clear();
        plugin.processBlock (buffer, midi);
        midi.clear();
        clock.advance (n, rate);
        out.insert (out.end(), buffer.getReadPointer (0), buffer.getReadPointer (0) + n);
    }
    return out;
}

/** Where sound starts after at least `gap` samples of silence. */
std::vector<int> onsetsOf (const std::vector<float>& x, int gap = 200)
{
    std::vector<int> onsets;
    int quiet = gap;
    for (int i = 0; i < (int) x.size(); ++i)
    {
        // The first sample a voice makes is exactly zero (a saw from phase 0); the next one is not.
        if (std::abs (x[(std::size_t) i]) > 1.0e-6f)
        {
            if (quiet >= gap)
                onsets.push_back (i);
            quiet = 0;
        }
        else
        {
            ++quiet;
        }
    }
    return onsets;
}

/** Where note n's first sample falls at `rate` when the song starts at sample `from` (tick `tick0`). */
double expectedSample (model::Tick tick, double rate, model::Tick tick0 = 0, int from = 0)
{
    return from + (double) (tick - tick0) / model::ticksPerBeat * 60.0 / bpm * rate;
}

std::string describe (const std::vector<int>& v)
{
    std::string s;
    for (auto x : v)
        s += std::to_string (x) + " ";
    return s;
}
} // namespace

TEST_CASE ("The plugin plays the song on the same samples at 44.1, 48 and 96 kHz in blocks of 1 to 4096 samples that change every block", "[app][plugin][host]")
{
    for (const double rate : { 44100.0, 48000.0, 96000.0 })
    {
        INFO ("rate " << rate);
        engine::PluginHost host;
        auto plugin = loadImbolc (host, rate, 4096);
        plugin->prepareToPlay (rate, 4096);
        restore (*plugin, pluckSession());

        const int total = (int) expectedSample (numNotes * noteSpacing, rate);
        HostClock steady;
        plugin->setPlayHead (&steady);
        const auto reference = onsetsOf (renderThrough (*plugin, steady, rate, total, { 512 }));
        INFO ("steady blocks: " << describe (reference));
        REQUIRE ((int) reference.size() == numNotes);
        for (int n = 0; n < numNotes; ++n)
            CHECK (std::abs (reference[(std::size_t) n] - expectedSample (n * noteSpacing, rate)) <= 2.0);

        // From the start again, with block sizes from 1 to 4096 that change every block.
        plugin->releaseResources();
        plugin->prepareToPlay (rate, 4096);
        HostClock ragged;
        plugin->setPlayHead (&ragged);
        const auto onsets = onsetsOf (renderThrough (*plugin, ragged, rate, total, { 1, 4096, 7, 300, 64, 1, 2, 1023, 128, 31, 2048, 5 }));
        INFO ("ragged blocks: " << describe (onsets));
        CHECK (onsets == reference);
        plugin->releaseResources();
    }
}

TEST_CASE ("The plugin follows the host's jumps and its loop on the exact sample, and stays in time through bypass", "[app][plugin][host]")
{
    constexpr double rate = 48000.0;
    engine::PluginHost host;
    auto plugin = loadImbolc (host, rate, 512);
    plugin->prepareToPlay (rate, 512);
    restore (*plugin, pluckSession());
    const double samplesPerTick = 60.0 / bpm * rate / model::ticksPerBeat;

    SECTION ("a jump: the host locates from the start to quarter note 2 at sample 12000")
    {
        HostClock clock;
        plugin->setPlayHead (&clock);
        const int jumpAt = 12000;
        const auto out = renderThrough (*plugin, clock, rate, 40000, { 500 }, [&] (int at)
                                        {
                                            if (at == jumpAt)
                                                clock.ppq = 2.0;
                                        });
        const auto onsets = onsetsOf (out);
        INFO (describe (onsets));
        // Before the jump: ticks 0, 240, 480 at their samples; after it, tick 960 at the jump's sample,
        // then every eighth from there.
        std::vector<double> expected;
        for (model::Tick t = 0; expectedSample (t, rate) < jumpAt; t += noteSpacing)
            expected.push_back (expectedSample (t, rate));
        for (model::Tick t = 960; expectedSample (t, rate, 960, jumpAt) < 40000 && t < numNotes * noteSpacing; t += noteSpacing)
            expected.push_back (expectedSample (t, rate, 960, jumpAt));
        REQUIRE (onsets.size() == expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i)
            CHECK (std::abs (onsets[i] - expected[i]) <= 2.0);
    }

    SECTION ("a loop the host wraps inside a block: quarter notes 1 to 2, blocks of 1000 that cross its end")
    {
        HostClock clock;
        clock.ppq = 1.0;
        clock.looping = true;
        clock.loopStart = 1.0;
        clock.loopEnd = 2.0;
        plugin->setPlayHead (&clock);
        const auto out = renderThrough (*plugin, clock, rate, 4 * 24000, { 1000 });
        const auto onsets = onsetsOf (out);
        INFO (describe (onsets));
        // Each pass plays ticks 480 and 720 (quarter note 1 and 1.5): a pass lasts 24000 samples, and
        // passes start at 0, 24000, 48000, 72000: inside blocks, not at their edges.
        REQUIRE (onsets.size() == 8);
        for (int pass = 0; pass < 4; ++pass)
        {
            CHECK (std::abs (onsets[(std::size_t) (2 * pass)] - pass * 24000.0) <= 2.0);
            CHECK (std::abs (onsets[(std::size_t) (2 * pass + 1)] - (pass * 24000.0 + 240 * samplesPerTick)) <= 2.0);
        }
    }

    SECTION ("bypass: silent while bypassed, and in time with the host after it")
    {
        HostClock clock;
        plugin->setPlayHead (&clock);
        auto* bypass = plugin->getBypassParameter();
        REQUIRE (bypass != nullptr);
        const auto out = renderThrough (*plugin, clock, rate, 48000, { 480 }, [&] (int at)
                                        {
                                            bypass->setValue (at >= 6240 && at < 23520 ? 1.0f : 0.0f);
                                        });
        const auto onsets = onsetsOf (out);
        INFO (describe (onsets));
        for (auto at : onsets)
            CHECK ((at < 6240 || at >= 23520));
        // After bypass: every eighth note in its place, as if nothing happened.
        std::vector<double> expected;
        for (model::Tick t = 0; expectedSample (t, rate) < 48000 && t < numNotes * noteSpacing; t += noteSpacing)
            if (const auto s = expectedSample (t, rate); s < 6240 || s >= 23520)
                expected.push_back (s);
        REQUIRE (onsets.size() == expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i)
            CHECK (std::abs (onsets[i] - expected[i]) <= 2.0);
    }
    plugin->releaseResources();
}

TEST_CASE ("Two plugin instances in one host play their own sessions: each output is bit-identical to the instance playing alone", "[app][plugin][host]")
{
    constexpr double rate = 48000.0;
    constexpr int total = 48128; // 188 blocks of 256
    auto alone = [&] (int pitchOffset)
    {
        engine::PluginHost host;
        auto plugin = loadImbolc (host, rate, 256);
        plugin->prepareToPlay (rate, 256);
        restore (*plugin, pluckSession (pitchOffset));
        HostClock clock;
        plugin->setPlayHead (&clock);
        auto out = renderThrough (*plugin, clock, rate, total, { 256 });
        plugin->releaseResources();
        return out;
    };
    const auto low = alone (0), high = alone (7);
    REQUIRE (low != high);


    engine::PluginHost host;
    auto a = loadImbolc (host, rate, 256);
    auto b = loadImbolc (host, rate, 256);
    a->prepareToPlay (rate, 256);
    b->prepareToPlay (rate, 256);
    restore (*a, pluckSession (0));
    restore (*b, pluckSession (7));
    HostClock clockA, clockB;
    a->setPlayHead (&clockA);
    b->setPlayHead (&clockB);
    std::vector<float> outA, outB;
    juce::AudioBuffer<float> buffer (2, 256);
    juce::MidiBuffer midi;
    for (int done = 0; done < total; done += 256)
    {
        for (auto [plugin, clock, out] : { std::tuple { a.get(), &clockA, &outA }, std::tuple { b.get(), &clockB, &outB } })
        {
            buffer.clear();
            plugin->processBlock (buffer, midi);
            clock->advance (256, rate);
            out->insert (out->end(), buffer.getReadPointer (0), buffer.getReadPointer (0) + 256);
        }
    }
    CHECK (outA == low);
    CHECK (outB == high);
    a->releaseResources();
    b->releaseResources();
}

TEST_CASE ("Garbage state is refused: the plugin keeps a valid session that plays, and hands the refused bytes back until edited", "[app][plugin][host]")
{
    constexpr double rate = 48000.0;
    engine::PluginHost host;
    auto plugin = loadImbolc (host, rate, 256);
    plugin->prepareToPlay (rate, 256);
    restore (*plugin, pluckSession());
    const auto good = sessionIn (componentBytes (*plugin));
    REQUIRE (good.has_value());
    REQUIRE (protocol::sessionHash (*good) == protocol::sessionHash (pluckSession()));

    const auto valid = protocol::encodeProject (pluckSession (5));
    juce::Random random (17);
    std::vector<std::vector<std::uint8_t>> garbage;
    garbage.push_back ({ 'n', 'o', 't', ' ', 'a', ' ', 's', 'e', 's', 's', 'i', 'o', 'n' });
    garbage.push_back (std::vector<std::uint8_t> (valid.begin(), valid.begin() + (std::ptrdiff_t) valid.size() / 2)); // truncated
    auto flipped = valid;
    flipped[flipped.size() / 2] ^= 0x40; // one bit: the checksum refuses it
    garbage.push_back (flipped);
    std::vector<std::uint8_t> noise (4096);
    for (auto& b : noise)
        b = (std::uint8_t) random.nextInt (256);
    garbage.push_back (noise);

    for (const auto& bad : garbage)
    {
        const auto state = vst3StateHolding (*plugin, bad.data(), bad.size());
        plugin->setStateInformation (state.getData(), (int) state.getSize());

        // The refused bytes go back to the host as they came: nothing of the person's is lost.
        const auto back = componentBytes (*plugin);
        REQUIRE (back.getSize() >= bad.size());
        CHECK (std::memcmp (back.getData(), bad.data(), bad.size()) == 0);

        // And the plugin still plays a valid session: the one it had.
        HostClock clock;
        plugin->setPlayHead (&clock);
        const auto out = renderThrough (*plugin, clock, rate, 24000, { 256 });
        CHECK (onsetsOf (out).size() == 2); // the notes at 0 and 12000
    }

    // A valid state after garbage loads, and is what the host saves from then on.
    restore (*plugin, pluckSession (5));
    const auto reloaded = sessionIn (componentBytes (*plugin));
    REQUIRE (reloaded.has_value());
    CHECK (protocol::sessionHash (*reloaded) == protocol::sessionHash (pluckSession (5)));
    plugin->releaseResources();
}

TEST_CASE ("A host's play head is read with its loop and meter, and whatever makes no sense in it is ignored", "[app][plugin]")
{
    HostClock clock;
    clock.tempo = 87.0;
    clock.looping = true;
    clock.loopStart = 4.0;
    clock.loopEnd = 12.0;
    auto t = app::AudioOutput::readPlayHead (&clock);
    REQUIRE (t.has_value());
    CHECK (t->playing);
    CHECK (t->bpm == 87.0);
    CHECK (t->looping);
    CHECK (t->loopStartPpq == 4.0);
    CHECK (t->loopEndPpq == 12.0);
    CHECK (t->timeSigNumerator == 3);
    CHECK (t->timeSigDenominator == 4);

    // A loop that ends before it starts, or is not a number, is no loop; a tempo out of range is none.
    clock.loopEnd = 4.0;
    CHECK_FALSE (app::AudioOutput::readPlayHead (&clock)->looping);
    clock.loopEnd = std::numeric_limits<double>::quiet_NaN();
    CHECK_FALSE (app::AudioOutput::readPlayHead (&clock)->looping);
    clock.tempo = 5000.0;
    CHECK (app::AudioOutput::readPlayHead (&clock)->bpm == 0.0);
    clock.ppq = std::numeric_limits<double>::infinity();
    CHECK_FALSE (app::AudioOutput::readPlayHead (&clock).has_value());
    CHECK_FALSE (app::AudioOutput::readPlayHead (nullptr).has_value());

    struct OddMeter final : juce::AudioPlayHead
    {
        juce::Optional<PositionInfo> getPosition() const override
        {
            PositionInfo info;
            info.setPpqPosition (1.0);
            info.setTimeSignature (juce::AudioPlayHead::TimeSignature { 5, 3 }); // no such note value
            return info;
        }
    } odd;
    const auto o = app::AudioOutput::readPlayHead (&odd);
    REQUIRE (o.has_value());
    CHECK (o->timeSigNumerator == 0);
    CHECK (o->bpm == 0.0); // none given
}

TEST_CASE ("A host that gives its position only in samples (Ardour and jalv through JUCE's LV2 wrapper) is followed at its tempo", "[app][plugin]")
{
    struct SamplesOnly final : juce::AudioPlayHead
    {
        juce::Optional<PositionInfo> getPosition() const override
        {
            PositionInfo info;
            info.setIsPlaying (true);
            info.setTimeInSamples (96000);
            info.setBpm (90.0);
            return info;
        }
    } host;
    const auto t = app::AudioOutput::readPlayHead (&host, 48000.0);
    REQUIRE (t.has_value());
    CHECK (t->ppqPosition == Approx (3.0)); // two seconds at 90 BPM
    CHECK_FALSE (app::AudioOutput::readPlayHead (&host).has_value()); // no rate: no way to tell

    // A pre-roll before the song's zero waits, stopped, at the start.
    HostClock preRoll;
    preRoll.ppq = -0.25;
    const auto early = app::AudioOutput::readPlayHead (&preRoll, 48000.0);
    REQUIRE (early.has_value());
    CHECK_FALSE (early->playing);
    CHECK (early->ppqPosition == 0.0);
}
