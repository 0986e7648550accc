// What leaves the engine as MIDI (Engine::getMidiOut): MIDI clock out on the exact samples of every 20th
// tick with start, continue, stop and song position as receivers expect them, and an instrument's notes
// (sequenced and live) on its MIDI output channel, ended when the channel changes or the instrument goes.

#include "imbolc_EngineTestSupport.h"

using namespace imbolc;
using namespace imbolc::model;
using test::EngineRig;

namespace
{
constexpr int block = EngineRig::blockSize;
// 120 BPM at 48 kHz: 0.02 ticks a sample, so a clock (20 ticks) every 1,000 samples and a sixteenth
// (120 ticks) every 6,000.
constexpr std::int64_t samplesPerClock = 1000;

struct Sent
{
    std::int64_t at = 0;
    std::vector<std::uint8_t> bytes;
};

std::vector<Sent> takeOut (EngineRig& rig)
{
    std::vector<Sent> out;
    for (engine::MidiOutEvent e; rig.engine.getMidiOut().pop (e);)
        out.push_back ({ e.sampleTime, std::vector<std::uint8_t> (e.data.begin(), e.data.begin() + e.size) });
    return out;
}

void render (EngineRig& rig, int samples, const juce::MidiBuffer* midi = nullptr)
{
    std::vector<float> l ((std::size_t) samples), r ((std::size_t) samples);
    float* outs[] = { l.data(), r.data() };
    engine::ProcessInput input;
    input.midi = midi;
    rig.engine.process (outs, 2, samples, input);
    rig.engine.update();
}

std::int64_t now (EngineRig& rig) { return rig.engine.getAudioGraph().getSampleTime(); }

/** The clocks in `sent` (their sample times), and the other messages in order. */
std::vector<std::int64_t> clocksOf (const std::vector<Sent>& sent)
{
    std::vector<std::int64_t> at;
    for (const auto& s : sent)
        if (s.bytes == std::vector<std::uint8_t> { 0xf8 })
            at.push_back (s.at);
    return at;
}

std::vector<Sent> withoutClocks (const std::vector<Sent>& sent)
{
    std::vector<Sent> rest;
    for (const auto& s : sent)
        if (s.bytes != std::vector<std::uint8_t> { 0xf8 })
            rest.push_back (s);
    return rest;
}

using Bytes = std::vector<std::uint8_t>;
} // namespace

TEST_CASE ("MIDI clock out: start and 24 clocks a beat on their exact samples, stop, song position", "[engine][midiout]")
{
    EngineRig rig;
    render (rig, block);
    CHECK (takeOut (rig).empty()); // off: nothing at all

    rig.engine.setMidiClockOut (true);
    render (rig, block);
    {
        // Stopped: where the play head stands (the song's start), once.
        const auto sent = takeOut (rig);
        REQUIRE (sent.size() == 1);
        CHECK (sent[0].bytes == Bytes { 0xf2, 0, 0 });
        render (rig, block);
        CHECK (takeOut (rig).empty());
    }

    rig.act (action::Play {});
    const auto playStart = now (rig);
    for (int b = 0; b < 40; ++b)
        render (rig, block); // 10,240 samples, in blocks that do not divide a clock
    auto sent = takeOut (rig);
    REQUIRE (! sent.empty());
    CHECK (sent[0].bytes == Bytes { 0xfa });
    CHECK (sent[0].at == playStart);
    const auto clocks = clocksOf (sent);
    REQUIRE (clocks.size() == 11);
    for (std::size_t k = 0; k < clocks.size(); ++k)
        CHECK (clocks[k] == playStart + (std::int64_t) k * samplesPerClock);
    CHECK (withoutClocks (sent).size() == 1);

    rig.act (action::Stop {});
    const auto stopAt = now (rig);
    render (rig, block);
    sent = takeOut (rig);
    REQUIRE (sent.size() == 2);
    CHECK (sent[0].bytes == Bytes { 0xfc });
    CHECK (sent[0].at == stopAt);
    CHECK (sent[1].bytes == Bytes { 0xf2, 1, 0 }); // stopped 204.8 ticks in: within the second sixteenth

    // A locate while stopped: the sixteenth it falls in.
    rig.act (action::Locate { 1930 });
    render (rig, block);
    sent = takeOut (rig);
    REQUIRE (sent.size() == 1);
    CHECK (sent[0].bytes == Bytes { 0xf2, 16, 0 });

    // Play from there: the receiver continues on the next sixteenth (tick 2040, 5,500 samples on) with
    // its position, and clocks from it.
    rig.act (action::Play {});
    const auto resumeStart = now (rig);
    for (int b = 0; b < 80; ++b)
        render (rig, block);
    sent = takeOut (rig);
    const auto rest = withoutClocks (sent);
    REQUIRE (rest.size() == 2);
    CHECK (rest[0].bytes == Bytes { 0xf2, 17, 0 });
    CHECK (rest[1].bytes == Bytes { 0xfb });
    CHECK (rest[0].at == resumeStart + 5500);
    CHECK (rest[1].at == resumeStart + 5500);
    const auto resumed = clocksOf (sent);
    REQUIRE (resumed.size() >= 8);
    CHECK (resumed[0] == resumeStart + 5500);
    for (std::size_t k = 1; k < resumed.size(); ++k)
        CHECK (resumed[k] - resumed[k - 1] == samplesPerClock);
    // The clock goes where the song goes: the sixteenth after the continue is 6 clocks later.
    CHECK (resumed[6] == resumeStart + 5500 + 6000);

    // Off while playing: the receiver stops.
    rig.engine.setMidiClockOut (false);
    render (rig, block);
    sent = takeOut (rig);
    REQUIRE (sent.size() == 1);
    CHECK (sent[0].bytes == Bytes { 0xfc });
}

TEST_CASE ("MIDI clock out at a loop wrap: stop, the loop start's position and continue on the wrap sample, a loop from the start restarts", "[engine][midiout]")
{
    EngineRig rig;
    rig.engine.setMidiClockOut (true);
    rig.act (action::SetLoop { { true, 960, 1920 } });
    rig.act (action::Locate { 1800 });
    render (rig, block);
    takeOut (rig);
    rig.act (action::Play {});
    const auto playStart = now (rig);
    for (int b = 0; b < 40; ++b)
        render (rig, block);
    auto sent = takeOut (rig);
    auto rest = withoutClocks (sent);
    // From tick 1800 (a sixteenth): position and continue at once; the wrap at 1920 comes 6,000 samples later.
    REQUIRE (rest.size() == 5);
    CHECK (rest[0].bytes == Bytes { 0xf2, 15, 0 });
    CHECK (rest[1].bytes == Bytes { 0xfb });
    CHECK (rest[1].at == playStart);
    CHECK (rest[2].bytes == Bytes { 0xfc });
    CHECK (rest[3].bytes == Bytes { 0xf2, 8, 0 });
    CHECK (rest[4].bytes == Bytes { 0xfb });
    for (std::size_t i = 2; i < 5; ++i)
        CHECK (rest[i].at == playStart + 6000);
    // No clock is lost or doubled at the wrap.
    const auto clocks = clocksOf (sent);
    for (std::size_t k = 1; k < clocks.size(); ++k)
        CHECK (clocks[k] - clocks[k - 1] == samplesPerClock);
    CHECK (std::count (clocks.begin(), clocks.end(), playStart + 6000) == 1);

    // A loop from the song's start: the receiver starts again rather than continuing from zero.
    rig.act (action::Stop {});
    rig.act (action::SetLoop { { true, 0, 480 } });
    rig.act (action::Locate { 0 });
    render (rig, block);
    takeOut (rig);
    rig.act (action::Play {});
    const auto loopStart = now (rig);
    for (int b = 0; b < 100; ++b)
        render (rig, block);
    rest = withoutClocks (takeOut (rig));
    REQUIRE (rest.size() == 3);
    CHECK (rest[0].bytes == Bytes { 0xfa });
    CHECK (rest[1].bytes == Bytes { 0xfc });
    CHECK (rest[2].bytes == Bytes { 0xfa });
    CHECK (rest[1].at == loopStart + 24000);
    CHECK (rest[2].at == loopStart + 24000);
}

TEST_CASE ("MIDI clock out during a count-in: the receiver starts on the song's start, not before", "[engine][midiout]")
{
    EngineRig rig;
    rig.engine.setMidiClockOut (true);
    render (rig, block);
    takeOut (rig);
    rig.engine.startCountIn (rig.session, 1); // 4 beats of 4/4 before tick 0
    const auto countStart = now (rig);
    for (int b = 0; b < 400; ++b)
        render (rig, block);
    const auto sent = takeOut (rig);
    const auto rest = withoutClocks (sent);
    REQUIRE (! rest.empty());
    CHECK (rest[0].bytes == Bytes { 0xfa });
    CHECK (rest[0].at == countStart + 4 * 24000);
    const auto clocks = clocksOf (sent);
    REQUIRE (! clocks.empty());
    CHECK (clocks[0] == countStart + 4 * 24000);
}

TEST_CASE ("An instrument's MIDI output plays its notes and live MIDI on its channel at their samples", "[engine][midiout]")
{
    EngineRig rig;
    const auto synth = rig.addInstrument (BuiltInSource::saw);
    const auto other = rig.addInstrument (BuiltInSource::sine);
    rig.act (action::AddNote { synth, Note { {}, 0, 240, 60, 100, 1.0f } });
    rig.act (action::AddNote { synth, Note { {}, 480, 480, 64, 90, 1.0f } });
    rig.act (action::AddNote { other, Note { {}, 0, 480, 48, 100, 1.0f } }); // no MIDI output: stays inside
    rig.act (action::SetMidiOutput { synth, 5 });
    rig.engine.setMidiInputInstrument (synth);
    render (rig, block);
    CHECK (takeOut (rig).empty());

    rig.act (action::Play {});
    const auto playStart = now (rig);
    juce::MidiBuffer live;
    live.addEvent (juce::MidiMessage::noteOn (1, 72, (juce::uint8) 70), 33);
    live.addEvent (juce::MidiMessage::controllerEvent (1, 1, 64), 40);
    live.addEvent (juce::MidiMessage::pitchWheel (1, 10000), 41);
    render (rig, block, &live);
    for (int b = 0; b < 200; ++b) // 1.07 s: both sequenced notes start and end
        render (rig, block);
    auto sent = takeOut (rig);
    // 120 BPM: tick 240 is 12,000 samples in, tick 480 24,000, tick 960 48,000.
    const std::vector<Sent> expected {
        { playStart + 0, { 0x94, 60, 100 } },
        { playStart + 33, { 0x94, 72, 70 } },
        { playStart + 40, { 0xb4, 1, 64 } },
        { playStart + 41, { 0xe4, 10000 & 0x7f, 10000 >> 7 } },
        { playStart + 12000, { 0x84, 60, 64 } },
        { playStart + 24000, { 0x94, 64, 90 } },
        { playStart + 48000, { 0x84, 64, 64 } },
    };
    REQUIRE (sent.size() == expected.size());
    for (std::size_t i = 0; i < sent.size(); ++i)
    {
        INFO ("message " << i);
        CHECK (sent[i].at == expected[i].at);
        CHECK (sent[i].bytes == expected[i].bytes);
    }

    // The held live note ends on the old channel when the channel changes, and the new one carries on.
    rig.act (action::SetMidiOutput { synth, 12 });
    const auto changedAt = now (rig);
    juce::MidiBuffer off;
    off.addEvent (juce::MidiMessage::noteOff (1, 72), 5);
    render (rig, block, &off);
    sent = takeOut (rig);
    REQUIRE (sent.size() == 2);
    CHECK (sent[0].bytes == Bytes { 0x84, 72, 64 });
    CHECK (sent[0].at == changedAt);
    CHECK (sent[1].bytes == Bytes { 0x8b, 72, 0 }); // the live note-off, as played, on the new channel
    CHECK (sent[1].at == changedAt + 5);

    // Deleting the instrument: what its output holds ends, once, and the fading chain sends nothing more.
    juce::MidiBuffer hold;
    hold.addEvent (juce::MidiMessage::noteOn (1, 50, (juce::uint8) 99), 0);
    render (rig, block, &hold);
    takeOut (rig);
    rig.act (action::DeleteInstrument { synth });
    const auto deletedAt = now (rig);
    for (int b = 0; b < 10; ++b)
        render (rig, block);
    sent = takeOut (rig);
    REQUIRE (sent.size() == 1);
    CHECK (sent[0].bytes == Bytes { 0x8b, 50, 64 });
    CHECK (sent[0].at == deletedAt);
}

TEST_CASE ("Stop ends an instrument's sequenced notes on its MIDI output, nobody draining drops and counts", "[engine][midiout]")
{
    EngineRig rig;
    const auto synth = rig.addInstrument (BuiltInSource::saw);
    rig.act (action::AddNote { synth, Note { {}, 0, 4 * 480, 60, 100, 1.0f } });
    rig.act (action::SetMidiOutput { synth, 1 });
    rig.act (action::Play {});
    for (int b = 0; b < 10; ++b)
        render (rig, block);
    rig.act (action::Stop {});
    const auto stopAt = now (rig);
    render (rig, block);
    const auto sent = takeOut (rig);
    REQUIRE (sent.size() == 2);
    CHECK (sent[0].bytes == Bytes { 0x90, 60, 100 });
    CHECK (sent[1].bytes == Bytes { 0x80, 60, 64 });
    CHECK (sent[1].at == stopAt);

    // Clock out with nobody draining (an offline render, no output in use): full, then dropped and
    // counted, never grown.
    engine::Engine::Options small;
    small.midiOutCapacity = 64;
    EngineRig tiny (nullptr, small);
    tiny.engine.setMidiClockOut (true);
    tiny.act (action::Play {});
    for (int b = 0; b < 2000; ++b) // 512 clocks
        render (tiny, block);
    CHECK (tiny.engine.getMidiOut().getDropped() > 0);
    std::size_t kept = 0;
    for (engine::MidiOutEvent e; tiny.engine.getMidiOut().pop (e);)
        ++kept;
    CHECK (kept >= 64);
    CHECK (kept < 300);
}
