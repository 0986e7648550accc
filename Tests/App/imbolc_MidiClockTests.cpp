// MIDI clock in (app::MidiClockFollower) and MIDI out (app::MidiOutputs) through the app's real audio
// path. The follower is first driven by a hand-made clock on exact samples (its arithmetic, to the
// sample); then two Imbolcs talk over real JACK MIDI (jackd2 on the dummy backend: this machine has no
// ALSA sequencer, so JUCE's MIDI devices cannot run here): one plays with MIDI clock out and an
// instrument on a MIDI output channel, jackd2's own jack_midi_dump records what it sends, and the other
// follows its clock.

#include "imbolc_EngineTestSupport.h"
#include "imbolc_JackTestSupport.h"

#include <imbolc_app/imbolc_app.h>

using namespace imbolc;
using namespace imbolc::test;

namespace
{
constexpr double rate = 48000.0;
constexpr int block = 256;

/** Drives a follower block by block with system messages at absolute sample times, as MidiInputs would
    (each in the block it falls in, before the block's transport is asked for). */
struct ClockFeed
{
    app::MidiClockFollower follower;
    std::vector<std::pair<std::int64_t, std::vector<juce::uint8>>> pending; ///< sorted by time
    std::int64_t blockStart = 0;

    void at (std::int64_t sample, std::vector<juce::uint8> bytes) { pending.emplace_back (sample, std::move (bytes)); }

    void clocks (std::int64_t from, double interval, int count)
    {
        for (int k = 0; k < count; ++k)
            at (from + (std::int64_t) std::llround (k * interval), { 0xf8 });
    }

    struct Block
    {
        std::int64_t start = 0;
        bool said = false;
        engine::HostTransport transport;
    };

    Block next()
    {
        std::stable_sort (pending.begin(), pending.end(), [] (const auto& a, const auto& b)
                          { return a.first < b.first; });
        while (! pending.empty() && pending.front().first < blockStart + block)
        {
            app::TimedMidi m;
            m.size = (std::uint8_t) pending.front().second.size();
            std::copy (pending.front().second.begin(), pending.front().second.end(), m.data.begin());
            follower.midiSystem (m, (int) juce::jmax<std::int64_t> (0, pending.front().first - blockStart));
            pending.erase (pending.begin());
        }
        Block b;
        b.start = blockStart;
        b.said = follower.fill (b.transport, block, rate, 0.0);
        blockStart += block;
        return b;
    }

    Block runUntil (std::int64_t sample)
    {
        Block b;
        while (blockStart <= sample)
            b = next();
        return b;
    }
};

double beatsAt120 (std::int64_t samples) { return (double) samples * 2.0 / rate; }
} // namespace

TEST_CASE ("MIDI clock in: tempo from the clocks, start on the first clock's sample, a position that never jumps", "[app][midi][clock]")
{
    ClockFeed feed;
    feed.follower.setEnabled (true);
    // Nothing heard yet: the session keeps its own time.
    CHECK_FALSE (feed.next().said);

    // A master sends clock at 120 BPM (1,000 samples apart) while stopped, then start at 60,050; the next
    // clock (61,000) is the song's start.
    feed.clocks (10000, 1000.0, 51);
    feed.at (60050, { 0xfa });
    feed.clocks (61000, 1000.0, 24 * 20);
    auto b = feed.runUntil (40000);
    REQUIRE (b.said);
    CHECK_FALSE (b.transport.playing);
    CHECK (b.transport.bpm == Approx (120.0).margin (1.0e-9));
    CHECK (b.transport.ppqPosition == 0.0);

    // The block holding the first clock after start: playing, from a position before 0 that reaches 0 on
    // the clock's sample.
    b = feed.runUntil (61000);
    REQUIRE (b.said);
    CHECK (b.transport.playing);
    CHECK (b.transport.ppqPosition == Approx (beatsAt120 (b.start - 61000)).margin (1.0e-9));
    CHECK (b.transport.ppqPosition < 0.0);

    // Steady clocks: every block exactly where they put it, at exactly their tempo.
    for (int i = 0; i < 400; ++i)
    {
        b = feed.next();
        REQUIRE (b.transport.playing);
        CHECK (b.transport.ppqPosition == Approx (beatsAt120 (b.start - 61000)).margin (1.0e-9));
        CHECK (b.transport.bpm == Approx (120.0).margin (1.0e-9));
    }
}

TEST_CASE ("MIDI clock in follows a tempo change within a beat without a jump, stops, and continues from a song position", "[app][midi][clock]")
{
    ClockFeed feed;
    feed.follower.setEnabled (true);
    feed.clocks (0, 1000.0, 48);
    feed.at (47500, { 0xfa });
    feed.clocks (48000, 1000.0, 96); // 4 beats at 120 from 48,000
    const double slow = rate * 60.0 / (90.0 * 24.0); // 1,333.3 samples: 90 BPM
    const std::int64_t change = 48000 + 96000;
    feed.clocks (change, slow, 24 * 8);
    auto b = feed.runUntil (change - 1);
    REQUIRE (b.transport.playing);

    // Every block continues the last at the tempo it was given (the engine never relocates: a jump would
    // cut held notes), and after one beat at the new tempo the tempo and position are the clock's.
    double expected = b.transport.ppqPosition + block * b.transport.bpm / (60.0 * rate);
    double worstLean = 0.0;
    while (b.start < change + (std::int64_t) (4 * 24 * slow))
    {
        b = feed.next();
        REQUIRE (b.transport.playing);
        CHECK (b.transport.ppqPosition == Approx (expected).margin (1.0e-9));
        expected = b.transport.ppqPosition + block * b.transport.bpm / (60.0 * rate);
        if (b.start > change + (std::int64_t) (24 * slow))
            worstLean = std::max (worstLean, std::abs (b.transport.bpm - 90.0));
    }
    const auto status = feed.follower.getStatus();
    CHECK (status.bpm == Approx (90.0).margin (0.01));
    CHECK (worstLean < 90.0 * 0.01); // a beat after the change it hardly leans
    // The clocks put this block 4 beats past the change, plus the part of a clock since the last one.
    const auto clocksSince = (double) (b.start - change) / slow;
    CHECK (b.transport.ppqPosition == Approx (4.0 + clocksSince / 24.0).margin (0.01));

    // Stop: the position is where the next clock would have been.
    const auto lastClock = change + (std::int64_t) std::llround ((24 * 8 - 1) * slow);
    b = feed.runUntil (lastClock - 300);
    CHECK (b.transport.playing);
    feed.at (lastClock + 100, { 0xfc });
    b = feed.runUntil (lastClock + 400);
    CHECK_FALSE (b.transport.playing);
    CHECK (b.transport.ppqPosition == Approx (4.0 + 8.0).margin (1.0e-9));

    // A song position pointer (sixteenth 41: beat 10.25) while stopped moves the play head; continue and
    // the next clock play from there.
    feed.at (lastClock + 2000, { 0xf2, 41, 0 });
    b = feed.runUntil (lastClock + 3000);
    CHECK_FALSE (b.transport.playing);
    CHECK (b.transport.ppqPosition == 10.25);
    feed.at (lastClock + 5000, { 0xfb });
    feed.clocks (lastClock + 6000, slow, 48);
    b = feed.runUntil (lastClock + 6000);
    CHECK (b.transport.playing);
    CHECK (b.transport.ppqPosition == Approx (10.25 - (double) (lastClock + 6000 - b.start) * 90.0 / (60.0 * rate)).margin (1.0e-6));
}

TEST_CASE ("MIDI clock in: a master that falls silent stops the song, gone for 2 s, the session has its own time", "[app][midi][clock]")
{
    ClockFeed feed;
    feed.follower.setEnabled (true);
    feed.at (900, { 0xfa });
    feed.clocks (1000, 1000.0, 100);
    auto b = feed.runUntil (50000);
    REQUIRE (b.transport.playing);
    // The last clock is at 100,000: 8 intervals (8,000 samples) is less than a quarter second (12,000).
    b = feed.runUntil (100000 + 11000);
    CHECK (b.transport.playing);
    b = feed.runUntil (100000 + 12600);
    CHECK_FALSE (b.transport.playing);
    CHECK (b.transport.ppqPosition == Approx (100.0 / 24.0).margin (1.0e-9)); // 100 clocks received
    b = feed.runUntil (100000 + 2 * 48000 + 512);
    CHECK_FALSE (b.said);
    CHECK_FALSE (feed.follower.getStatus().receiving);

    // Off: it says nothing even while a clock comes.
    feed.follower.setEnabled (false);
    feed.clocks (feed.blockStart, 1000.0, 50);
    b = feed.runUntil (feed.blockStart + 40000);
    CHECK_FALSE (b.said);
}

TEST_CASE ("Imbolc's MIDI clock and an instrument's notes over JACK: jack_midi_dump records them on their frames, and a second Imbolc follows the clock", "[app][midi][clock][jack]")
{
    TestJackServer server;
    INFO (server.readLog());
    REQUIRE (server.isUp());

    // The master: clock out, and an instrument whose notes leave on channel 3 (one every beat).
    EngineRig master;
    const auto synth = master.addInstrument (model::BuiltInSource::saw);
    for (int beat = 0; beat < 8; ++beat)
        master.act (model::action::AddNote { synth, model::Note { {}, beat * 480, 240, (std::uint8_t) (60 + beat), 100, 1.0f } });
    master.act (model::action::SetMidiOutput { synth, 3 });
    master.engine.setMidiClockOut (true);
    app::JackMidi masterJack;
    app::JackMidi::Options mo;
    mo.clientName = "imbolc-clock-master";
    mo.serverName = server.getName();
    const auto masterOpened = masterJack.open (mo);
    INFO (masterOpened.getErrorMessage());
    REQUIRE (masterOpened.wasOk());
    auto nullOptions = app::AudioOutput::Options::with (app::AudioOutput::Mode::null);
    nullOptions.sampleRate = rate;
    nullOptions.blockSize = block;
    app::AudioOutput masterOutput (nullOptions);
    app::MidiOutputs sender (master.engine);
    sender.setJack (&masterJack);

    // The follower: MIDI in from its JACK port, clock in as its transport.
    EngineRig follower;
    app::MidiInputs inputs;
    app::JackMidi followerJack;
    followerJack.setInputSink (&inputs);
    app::JackMidi::Options fo;
    fo.clientName = "imbolc-clock-follower";
    fo.serverName = server.getName();
    REQUIRE (followerJack.open (fo).wasOk());
    inputs.setProducerDelay (1, followerJack.getInputDelaySeconds());
    app::MidiClockFollower clockIn;
    clockIn.setEnabled (true);
    inputs.setRealtimeListener (&clockIn);
    app::AudioOutput followerOutput (nullOptions);
    followerOutput.setMidiInputs (&inputs);
    followerOutput.setTransportSource (&clockIn);

    // jackd2's MIDI monitor, as an external synth would listen.
    TestChild dump;
    const std::string dumpLog = "/tmp/imbolc-midi-test-dump-" + server.getName() + ".log";
    REQUIRE (dump.start ({ "stdbuf", "-oL", "jack_midi_dump", "-a", "imbolc-dump" }, { server.env(), "JACK_NO_START_SERVER=1" }, dumpLog));
    TestJackClient patch (server.getName(), "imbolc-patchbay");
    REQUIRE (patch.isOpen());
    bool connected = false;
    for (int i = 0; i < 100 && ! connected; ++i)
    {
        connected = patch.connect (masterJack.getOutputPortName().toStdString(), "imbolc-dump:input");
        if (! connected)
            std::this_thread::sleep_for (std::chrono::milliseconds (50));
    }
    REQUIRE (connected);
    REQUIRE (patch.connect (masterJack.getOutputPortName().toStdString(), followerJack.getInputPortName().toStdString()));

    masterOutput.start (master.engine);
    followerOutput.start (follower.engine);
    // The null device's block is "heard" when the next one starts, one block (256 frames) after its
    // callback. A message for it must be in JACK's queue before the JACK cycle that holds its frame runs,
    // and that cycle may start up to one JACK period (also 256 frames) earlier still: with the null
    // device's latency alone the two timers' phase decided whether a message left on its frame or at
    // the start of the next cycle (CI saw the start message 36 and 48 frames late, and every note with
    // it). A real interface reports its whole output latency; here the JACK period is added.
    sender.setLatencySeconds (masterOutput.getOutputLatencySeconds() + block / rate);
    sender.start();
    auto runFor = [&] (double seconds, const std::function<void()>& each = {})
    {
        const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double> (seconds);
        while (std::chrono::steady_clock::now() < end)
        {
            master.engine.update();
            follower.engine.update();
            if (each)
                each();
            std::this_thread::sleep_for (std::chrono::milliseconds (5));
        }
    };
    runFor (0.5);
    master.act (model::action::Play {});
    runFor (3.0);

    // The follower plays at the master's tempo and with its beat. (The play heads compared are those the
    // engines publish with their meters, every 1/30 s each, so the difference read here carries up to
    // one meter interval, 0.067 beats, besides the MIDI's way through JACK.)
    auto status = clockIn.getStatus();
    CHECK (status.receiving);
    CHECK (status.playing);
    CHECK (status.bpm == Approx (120.0).margin (0.2));
    CHECK (follower.engine.isPlaying());
    std::vector<double> lag;
    runFor (1.0, [&]
            { lag.push_back ((master.engine.getPlayheadTicks() - follower.engine.getPlayheadTicks()) / model::ticksPerBeat); });
    std::sort (lag.begin(), lag.end());
    const auto medianLag = lag[lag.size() / 2];
    WARN ("the follower's play head is " << medianLag << " beats behind the master's (median of their published play heads)");
    CHECK (std::abs (medianLag) < 0.25);

    // A tempo change on the master reaches the follower within a few beats.
    master.act (model::action::SetBpm { 90.0 });
    runFor (3.0);
    status = clockIn.getStatus();
    CHECK (status.bpm == Approx (90.0).margin (0.3));
    CHECK (follower.engine.isPlaying());

    master.act (model::action::Stop {});
    runFor (1.5);
    CHECK_FALSE (follower.engine.isPlaying());
    CHECK_FALSE (clockIn.getStatus().playing);

    sender.stop();
    masterOutput.stop();
    followerOutput.stop();
    dump.stop (5.0);
    masterJack.close();
    followerJack.close();

    // What jack_midi_dump saw: "  FRAME: f8", "  FRAME: 92 3c 64 ..."
    std::vector<std::pair<std::int64_t, std::vector<int>>> seen;
    juce::StringArray lines;
    lines.addLines (juce::File (dumpLog).loadFileAsString());
    for (const auto& line : lines)
    {
        if (! line.containsChar (':'))
            continue;
        const auto frame = line.upToFirstOccurrenceOf (":", false, false).trim().getLargeIntValue();
        auto tokens = juce::StringArray::fromTokens (line.fromFirstOccurrenceOf (":", false, false).trim(), " ", "");
        std::vector<int> bytes;
        for (const auto& t : tokens)
        {
            if (t.length() != 2 || ! t.containsOnly ("0123456789abcdef"))
                break;
            bytes.push_back (t.getHexValue32());
        }
        if (! bytes.empty())
            seen.emplace_back (frame, bytes);
    }
    INFO ("jack_midi_dump printed " << lines.size() << " lines");
    const auto startIt = std::find_if (seen.begin(), seen.end(), [] (const auto& s)
                                       { return s.second == std::vector<int> { 0xfa }; });
    REQUIRE (startIt != seen.end());
    const auto startFrame = startIt->first;
    // Clock n after the start (the first is on the start's sample) belongs on frame n * 1,000 of the
    // 120 BPM part. The grid's origin is the median of what the clocks say: one message the machine
    // stalled (it leaves at the start of the next JACK cycle) moves neither it nor the notes measured
    // against it, as measuring from the start message alone did.
    std::vector<std::int64_t> clockGaps, noteErrors, clockOrigins;
    std::int64_t lastClock = -1, clocksSeen = 0;
    std::vector<std::pair<int, std::int64_t>> notesSeen; ///< (beat, frame)
    for (auto it = startIt; it != seen.end(); ++it)
    {
        if (it->second == std::vector<int> { 0xf8 })
        {
            if (lastClock >= 0 && it->first - lastClock < 1100) // the 120 BPM part
                clockGaps.push_back (it->first - lastClock);
            if (clocksSeen < 24 * 6)
                clockOrigins.push_back (it->first - clocksSeen * 1000);
            lastClock = it->first;
            ++clocksSeen;
        }
        else if (it->second.size() == 3 && it->second[0] == 0x92 && it->second[2] > 0)
        {
            // Note k (pitch 60 + k) is on beat k: 24,000 frames after the start at 120 BPM.
            const auto k = it->second[1] - 60;
            if (k >= 0 && k < 6)
                notesSeen.emplace_back (k, it->first);
        }
    }
    REQUIRE (clockGaps.size() > 100);
    REQUIRE (clockOrigins.size() == 24 * 6);
    std::sort (clockOrigins.begin(), clockOrigins.end());
    const auto origin = clockOrigins[clockOrigins.size() / 2];
    for (const auto& [k, frame] : notesSeen)
        noteErrors.push_back (std::abs (frame - origin - (std::int64_t) k * 24000));
    REQUIRE (noteErrors.size() >= 5);
    std::sort (clockGaps.begin(), clockGaps.end());
    std::sort (noteErrors.begin(), noteErrors.end());
    const auto exactClocks = std::count_if (clockGaps.begin(), clockGaps.end(), [] (std::int64_t g)
                                            { return std::abs (g - 1000) <= 2; });
    const auto onGrid = std::count_if (clockOrigins.begin(), clockOrigins.end(), [origin] (std::int64_t o)
                                       { return std::abs (o - origin) <= 2; });
    WARN ("MIDI clock over JACK: " << exactClocks << " of " << clockGaps.size() << " gaps within 2 frames of 1000, " << onGrid << " of "
                                   << clockOrigins.size() << " clocks within 2 frames of their grid; the start " << (startFrame - origin)
                                   << " frames off it; notes off their beat by at most " << noteErrors.back() << " frames (median "
                                   << noteErrors[noteErrors.size() / 2] << ")");
    // The machine may stall either clock (see the live MIDI tests): medians are asserted exact. On this
    // shared two-core VM under a parallel test run the notes' median came out anywhere from 0 to 3
    // frames (63 us), so 4 frames is the bound; a note a block or a tick late is still far outside it.
    // Most clocks sit on one grid (a stall moves one message, not the rest). The start message belongs
    // on the first clock's frame; it is one message, so a sender the machine stalls past its JACK cycle
    // may send it up to a cycle (256 frames) late, never early.
    CHECK (std::abs (clockGaps[clockGaps.size() / 2] - 1000) <= 2);
    CHECK (onGrid * 4 >= (std::int64_t) clockOrigins.size() * 3);
    CHECK (startFrame - origin >= -4);
    CHECK (startFrame - origin <= block + 4);
    CHECK (noteErrors[noteErrors.size() / 2] <= 4);
    CHECK (sender.getStats().dropped == 0);
}
