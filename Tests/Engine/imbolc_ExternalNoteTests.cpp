// SuperCollider-backend instruments in the engine: sequenced like internal ones, heard as
// ExternalNoteEvents at exact sample times, silent in the engine's own output.

#include "imbolc_SequencerProbe.h"

#include <catch2/catch.hpp>

#include <ostream>

using namespace imbolc;
using namespace imbolc::test;
using engine::ExternalNoteEvent;

namespace
{
model::InstrumentId addExternal (EngineRig& rig, std::vector<model::Stage> chain = {})
{
    model::Source s;
    s.builtIn = model::BuiltInSource::saw;
    return model::InstrumentId { rig.act (model::action::AddInstrument { "sc", s, model::Backend::superCollider, std::move (chain) }) };
}

std::vector<ExternalNoteEvent> drainAll (engine::Engine& e)
{
    std::vector<ExternalNoteEvent> out;
    e.getExternalNotes().drain ([&] (const ExternalNoteEvent& ev)
                                { out.push_back (ev); });
    return out;
}

std::int64_t clockOf (EngineRig& rig) { return rig.engine.getAudioGraph().getSampleTime(); }

/** A note event reduced to what both a probe source and the external output can say about it. */
struct Timed
{
    std::int64_t sample;
    bool on;
    int pitch, velocity;
    bool operator== (const Timed&) const = default;
};

[[maybe_unused]] std::ostream& operator<< (std::ostream& o, const Timed& t)
{
    return o << (t.on ? "on " : "off ") << t.pitch << " v" << t.velocity << " @" << t.sample;
}

std::vector<Timed> timedOf (const std::vector<ExternalNoteEvent>& events, model::InstrumentId id)
{
    std::vector<Timed> out;
    for (const auto& e : events)
        if (e.instrument == id && e.kind == ExternalNoteEvent::Kind::note)
            out.push_back ({ e.sampleTime, e.on, e.note, e.on ? juce::roundToInt (e.velocity * 127.0f) : 0 });
    return out;
}

std::vector<Timed> timedOf (const ProbeSource& probe, std::int64_t offset = 0)
{
    std::vector<Timed> out;
    for (const auto& e : probe.events)
        out.push_back ({ e.sample + offset, e.on, e.pitch, e.velocity });
    return out;
}

std::vector<Timed> only (const std::vector<Timed>& all, bool on)
{
    std::vector<Timed> out;
    for (const auto& t : all)
        if (t.on == on)
            out.push_back (t);
    return out;
}

int countKind (const std::vector<ExternalNoteEvent>& events, ExternalNoteEvent::Kind kind)
{
    return (int) std::count_if (events.begin(), events.end(), [kind] (const ExternalNoteEvent& e)
                                { return e.kind == kind; });
}
} // namespace

TEST_CASE ("SuperCollider notes come out on the samples their ticks map to", "[engine][external]")
{
    ProbeRig p;
    const auto internal = p.add ({ EngineRig::effect (model::EffectType::gain) });
    const auto sc = addExternal (p.rig, { EngineRig::effect (model::EffectType::gain) });
    REQUIRE (p.probes.size() == 1); // the engine makes the external source itself, not the factory

    const std::vector<model::Tick> ticks { 0, 1, 479, 1000, 1234, 9601, 48000 };
    for (auto id : { internal, sc })
        for (auto t : ticks)
            p.note (id, t, 120, 60 + (int) (t % 24), 1.0f, 30 + (int) (t % 90));
    p.rig.act (model::action::Play {});
    p.renderSamples (expectedSample (48000 + 200, 120.0));

    const auto events = drainAll (p.rig.engine);
    CHECK (p.rig.engine.getExternalNotes().getDropped() == 0);
    for (const auto& e : events)
    {
        CHECK (e.instrument == sc);
        CHECK (e.kind == ExternalNoteEvent::Kind::note);
    }
    const auto external = timedOf (events, sc);
    const auto ons = only (external, true), offs = only (external, false);
    REQUIRE (ons.size() == ticks.size());
    REQUIRE (offs.size() == ticks.size());
    for (std::size_t i = 0; i < ticks.size(); ++i)
    {
        INFO ("tick " << ticks[i]);
        CHECK (ons[i].sample == expectedSample ((double) ticks[i], 120.0));
        CHECK (ons[i].pitch == 60 + (int) (ticks[i] % 24));
        CHECK (ons[i].velocity == 30 + (int) (ticks[i] % 90));
        CHECK (offs[i].sample == expectedSample ((double) (ticks[i] + 120), 120.0));
        CHECK (offs[i].pitch == ons[i].pitch);
    }
    // The internal instrument was handed the very same notes on the very same samples.
    CHECK (external == timedOf (*p.probes[0]));

    // The external source is the engine's, and the stages are parameter-only placeholders (they run
    // on scsynth): their parameters resolve, so lanes and the LFO can drive them, but the factory
    // built no stage for them.
    CHECK (dynamic_cast<engine::ExternalSourceNode*> (p.rig.engine.getSourceWhileStopped (sc)) != nullptr);
    const auto stageOf = [&] (model::InstrumentId id)
    { return model::ParamAddress::stage (model::NodeKind::instrument, id.value, p.rig.session.instruments.find (id)->chain[0].id, 0); };
    CHECK (p.rig.engine.getParameterValueWhileStopped (stageOf (internal)).has_value());
    CHECK (p.rig.engine.getParameterValueWhileStopped (stageOf (sc)).value_or (-1.0f) == Approx (1.0f)); // the gain's default
}

TEST_CASE ("SuperCollider instruments add nothing to the engine output while internal ones sound", "[engine][external]")
{
    auto build = [] (EngineRig& rig, bool withExternal)
    {
        const auto internal = rig.addInstrument (model::BuiltInSource::saw, { EngineRig::effect (model::EffectType::delay) });
        for (model::Tick t : { 0, 960, 1920 })
            rig.act (model::action::AddNote { internal, { {}, t, 480, 48, 110, 1.0f } });
        std::optional<model::InstrumentId> sc;
        if (withExternal)
        {
            sc = addExternal (rig, { EngineRig::effect (model::EffectType::delay) });
            for (model::Tick t : { 0, 240, 480, 1440 })
                rig.act (model::action::AddNote { *sc, { {}, t, 200, 72, 127, 1.0f } });
        }
        rig.act (model::action::Play {});
        return std::make_pair (internal, sc);
    };

    EngineRig withSc, alone;
    const auto [internal, sc] = build (withSc, true);
    build (alone, false);

    std::vector<float> la, ra, lb, rb;
    float scMeter = 0.0f, internalMeter = 0.0f;
    for (int b = 0; b < 500; ++b)
    {
        withSc.render (1, la, ra);
        alone.render (1, lb, rb);
        const auto m = withSc.engine.getInstrumentMeter (*sc);
        scMeter = std::max ({ scMeter, m.left, m.right });
        internalMeter = std::max (internalMeter, withSc.engine.getInstrumentMeter (internal).left);
    }
    // Sample for sample the output of the internal instrument alone: the external one adds exact zeros.
    CHECK (la == lb);
    CHECK (ra == rb);
    CHECK (peak (la, 0, la.size()) > 0.1f);
    CHECK (scMeter == 0.0f);
    CHECK (internalMeter > 0.1f);
    // And it really played.
    CHECK (only (timedOf (drainAll (withSc.engine), *sc), true).size() == 4);
}

TEST_CASE ("Swing and probability shape SuperCollider notes exactly as internal ones", "[engine][external]")
{
    // The same session twice, the second with the instrument switched to SuperCollider: the model is
    // the same (note ids included, which seed the probability rolls), so only the renderer may differ.
    constexpr model::Tick loopEnd = 8 * 480;
    const auto loopSamples = expectedSample ((double) loopEnd, 120.0);
    auto run = [&] (bool external)
    {
        ProbeRig p;
        const auto id = p.add();
        for (int i = 0; i < 64; ++i)
            p.note (id, i * 60, 50 + (i % 3) * 20, 48 + (i * 5) % 24, i % 2 == 0 ? 1.0f : 0.5f, 20 + i);
        p.rig.act (model::action::SetSwing { 0.5f });
        p.rig.act (model::action::SetLoop { { true, 0, loopEnd } });
        if (external)
            p.rig.act (model::action::SetBackend { id, model::Backend::superCollider });
        p.rig.act (model::action::Play {});
        p.renderSamples (3 * loopSamples + 1000); // three passes: each rolls the probabilities anew
        return external ? timedOf (drainAll (p.rig.engine), id) : timedOf (*p.probes[0]);
    };

    const auto internal = run (false);
    const auto external = run (true);
    CHECK (external == internal);

    const auto ons = only (internal, true);
    CHECK (ons.size() > 3 * 32); // every certain note, three times
    CHECK (ons.size() < 3 * 64); // and not every uncertain one
    // Swing 0.5 moves the second eighth (tick 240) by half a sixteenth, to tick 300.
    const auto at = [&] (std::int64_t sample)
    { return std::any_of (ons.begin(), ons.end(), [sample] (const Timed& t)
                          { return t.sample == sample; }); };
    CHECK (at (expectedSample (300, 120.0)));
    CHECK_FALSE (at (expectedSample (240, 120.0)));
    // The rolls differ between passes (seeded by the pass), and both renderers saw the same ones.
    std::vector<int> perPass (3, 0);
    for (const auto& t : ons)
        ++perPass[(std::size_t) juce::jlimit<std::int64_t> (0, 2, t.sample / loopSamples)];
    CHECK (perPass[0] + perPass[1] + perPass[2] == (int) ons.size());
    CHECK ((perPass[0] != perPass[1] || perPass[1] != perPass[2]));
}

TEST_CASE ("Stop and locate end sounding SuperCollider notes on the block they happen", "[engine][external]")
{
    EngineRig rig;
    const auto sc = addExternal (rig);
    rig.act (model::action::AddNote { sc, { {}, 0, 8 * 480, 60, 100, 1.0f } });
    rig.act (model::action::AddNote { sc, { {}, 0, 16 * 480, 72, 100, 1.0f } });
    rig.act (model::action::Play {});
    std::vector<float> l, r;
    rig.render (40, l, r);
    auto events = drainAll (rig.engine);
    REQUIRE (events.size() == 2);
    CHECK (events[0].on);
    CHECK (events[1].on);
    CHECK (events[0].sampleTime == 0);

    // Stop: both end on the first sample after it.
    const auto stopAt = clockOf (rig);
    rig.act (model::action::Stop {});
    rig.render (1, l, r);
    events = drainAll (rig.engine);
    REQUIRE (events.size() == 2);
    for (const auto& e : events)
    {
        CHECK_FALSE (e.on);
        CHECK (e.kind == ExternalNoteEvent::Kind::note);
        CHECK (e.sampleTime == stopAt);
    }
    CHECK (events[0].note + events[1].note == 60 + 72);
    rig.render (10, l, r);
    CHECK (drainAll (rig.engine).empty());

    // Back to the top and play: both start again on the first sample.
    rig.act (model::action::Locate { 0 });
    rig.act (model::action::Play {});
    const auto playAt = clockOf (rig);
    rig.render (1, l, r);
    events = drainAll (rig.engine);
    REQUIRE (events.size() == 2);
    CHECK (events[0].on);
    CHECK (events[0].sampleTime == playAt);
    CHECK (events[1].sampleTime == playAt);

    // A locate while playing ends them too, and starts nothing (no note begins at tick 480).
    rig.render (20, l, r);
    CHECK (drainAll (rig.engine).empty());
    const auto locateAt = clockOf (rig);
    rig.act (model::action::Locate { 480 });
    rig.render (1, l, r);
    events = drainAll (rig.engine);
    REQUIRE (events.size() == 2);
    for (const auto& e : events)
    {
        CHECK_FALSE (e.on);
        CHECK (e.sampleTime == locateAt);
    }
}

TEST_CASE ("Live notes on a SuperCollider instrument come out as events", "[engine][external]")
{
    EngineRig rig;
    const auto internal = rig.addInstrument (model::BuiltInSource::saw);
    const auto sc = addExternal (rig);
    std::vector<float> l, r;
    rig.render (2, l, r);
    CHECK (drainAll (rig.engine).empty());

    const auto onAt = clockOf (rig);
    rig.engine.noteOn (sc, 64, 0.5f);
    rig.engine.noteOn (internal, 65, 1.0f); // internal notes stay inside the engine
    rig.render (1, l, r);
    auto events = drainAll (rig.engine);
    REQUIRE (events.size() == 1);
    CHECK (events[0].instrument == sc);
    CHECK (events[0].on);
    CHECK (events[0].note == 64);
    CHECK (events[0].velocity == Approx (64.0f / 127.0f)); // MIDI's 7 bits: round (0.5 x 127)
    CHECK (events[0].sampleTime == onAt);

    rig.render (3, l, r);
    CHECK (peak (l, l.size() - 2 * EngineRig::blockSize, l.size()) > 0.05f); // the internal one sounds

    const auto offAt = clockOf (rig);
    rig.engine.noteOff (sc, 64);
    rig.render (1, l, r);
    const auto allOffAt = clockOf (rig);
    rig.engine.allNotesOff (sc);
    rig.render (1, l, r);
    events = drainAll (rig.engine);
    REQUIRE (events.size() == 2);
    CHECK_FALSE (events[0].on);
    CHECK (events[0].kind == ExternalNoteEvent::Kind::note);
    CHECK (events[0].note == 64);
    CHECK (events[0].velocity == 0.0f);
    CHECK (events[0].sampleTime == offAt);
    CHECK (events[1].kind == ExternalNoteEvent::Kind::allNotesOff);
    CHECK (events[1].instrument == sc);
    CHECK (events[1].sampleTime == allOffAt);

    // A re-prepare restarts the sample clock and ends whatever the renderer still holds.
    rig.engine.noteOn (sc, 70, 1.0f);
    rig.render (1, l, r);
    CHECK (drainAll (rig.engine).size() == 1);
    rig.engine.prepare (EngineRig::sampleRate, EngineRig::blockSize);
    CHECK (clockOf (rig) == 0);
    rig.render (1, l, r);
    events = drainAll (rig.engine);
    REQUIRE (events.size() == 1);
    CHECK (events[0].kind == ExternalNoteEvent::Kind::allNotesOff);
    CHECK (events[0].sampleTime == 0);
}

TEST_CASE ("Events keep their exact samples when a callback spans several engine blocks", "[engine][external]")
{
    EngineRig rig; // blocks of 256; the device below asks for 1000 samples per callback
    const auto sc = addExternal (rig);
    const std::vector<model::Tick> ticks { 3, 10, 19, 200, 333, 961 };
    for (auto t : ticks)
        rig.act (model::action::AddNote { sc, { {}, t, 7, 50, 100, 1.0f } });
    rig.act (model::action::Play {});

    std::vector<float> l (1000), r (1000);
    float* outs[] = { l.data(), r.data() };
    engine::ExternalNotes::ClockPoint clock;
    CHECK_FALSE (rig.engine.getExternalNotes().readClock (clock)); // nothing published before audio runs
    for (int callback = 0; callback < 60; ++callback)
    {
        const auto before = engine::ExternalNotes::nowSeconds();
        rig.engine.process (outs, 2, 1000);
        const auto after = engine::ExternalNotes::nowSeconds();
        rig.engine.update();
        REQUIRE (rig.engine.getExternalNotes().readClock (clock));
        CHECK (clock.sampleTime == callback * 1000); // the callback's first sample
        CHECK (clock.seconds >= before);
        CHECK (clock.seconds <= after);
    }
    const auto ons = only (timedOf (drainAll (rig.engine), sc), true);
    REQUIRE (ons.size() == ticks.size());
    for (std::size_t i = 0; i < ticks.size(); ++i)
        CHECK (ons[i].sample == expectedSample ((double) ticks[i], 120.0));
}

TEST_CASE ("Switching the backend moves an instrument between the renderer and the events", "[engine][external]")
{
    ProbeRig p;
    const auto id = p.add();
    p.note (id, 0, 240, 60);
    p.note (id, 480, 240, 64);
    p.rig.act (model::action::SetLoop { { true, 0, 960 } });
    p.rig.act (model::action::Play {});
    const auto loop = expectedSample (960, 120.0);
    p.renderSamples (loop);
    CHECK (only (timedOf (*p.probes[0]), true).size() == 3); // ticks 0 and 480, and 0 of the second pass
    CHECK (drainAll (p.rig.engine).empty());

    // Internal to SuperCollider: from the block of the switch on, the notes are events.
    p.rig.act (model::action::SetBackend { id, model::Backend::superCollider });
    const auto switchAt = clockOf (p.rig);
    p.renderSamples (2 * loop);
    const auto end = clockOf (p.rig);
    auto events = drainAll (p.rig.engine);
    CHECK (countKind (events, ExternalNoteEvent::Kind::allNotesOff) == 0); // the old chain was internal
    std::vector<std::int64_t> want, got;
    for (std::int64_t pass = 0; pass < 4; ++pass)
        for (model::Tick t : { 0, 480 })
            if (const auto s = pass * loop + expectedSample ((double) t, 120.0); s >= switchAt && s < end)
                want.push_back (s);
    for (const auto& t : only (timedOf (events, id), true))
        got.push_back (t.sample);
    CHECK (want.size() >= 3);
    CHECK (got == want);
    // (The internal chain's probe is gone: it was destroyed with its chain once it had faded out.)

    // A rebuild of the external chain (a new source) ends its notes at once, and it plays on.
    model::Source square;
    square.builtIn = model::BuiltInSource::square;
    p.rig.act (model::action::SetSource { id, square });
    const auto rebuildAt = clockOf (p.rig);
    p.renderSamples (loop);
    events = drainAll (p.rig.engine);
    REQUIRE (! events.empty());
    CHECK (events[0].kind == ExternalNoteEvent::Kind::allNotesOff);
    CHECK (events[0].sampleTime == rebuildAt);
    CHECK (countKind (events, ExternalNoteEvent::Kind::allNotesOff) == 1);
    CHECK (only (timedOf (events, id), true).size() == 2);

    // Back to internal: one allNotesOff, no more events, and a new internal source plays the notes.
    p.rig.act (model::action::SetBackend { id, model::Backend::internal });
    const auto backAt = clockOf (p.rig);
    p.renderSamples (2 * loop);
    events = drainAll (p.rig.engine);
    REQUIRE (events.size() == 1);
    CHECK (events[0].kind == ExternalNoteEvent::Kind::allNotesOff);
    CHECK (events[0].sampleTime == backAt);
    REQUIRE (p.probes.size() == 2);
    const auto ons = only (timedOf (*p.probes[1], backAt), true);
    REQUIRE (ons.size() >= 3);
    for (const auto& t : ons)
        CHECK ((t.sample % loop == 0 || t.sample % loop == expectedSample (480, 120.0)));
}

TEST_CASE ("A full external note queue drops and counts without blocking", "[engine][external]")
{
    SECTION ("the queue holds exactly its capacity")
    {
        engine::ExternalNotes notes (4);
        int accepted = 0;
        for (int i = 0; i < 10; ++i)
        {
            notes.beginBlock (i * 100);
            accepted += notes.pushNote (model::InstrumentId { 7 }, 60 + i, 1.0f, true, 5) ? 1 : 0;
        }
        CHECK (accepted == 4);
        CHECK (notes.getDropped() == 6);
        for (int i = 0; i < 4; ++i)
        {
            ExternalNoteEvent e;
            REQUIRE (notes.pop (e));
            CHECK (e.note == 60 + i);
            CHECK (e.sampleTime == i * 100 + 5);
            CHECK (e.instrument == model::InstrumentId { 7 });
        }
        ExternalNoteEvent e;
        CHECK_FALSE (notes.pop (e));
        // Room again once read.
        CHECK (notes.pushAllNotesOff (model::InstrumentId { 7 }, 0));
        CHECK (notes.getDropped() == 6);
        CHECK (notes.drain ([] (const ExternalNoteEvent&) {}) == 1);
    }

    SECTION ("the engine keeps rendering with nobody reading")
    {
        engine::Engine::Options options;
        options.externalNoteCapacity = 8;
        EngineRig rig (nullptr, options);
        const auto sc = addExternal (rig);
        for (int pitch = 40; pitch < 60; ++pitch)
            rig.act (model::action::AddNote { sc, { {}, 0, 480, (std::uint8_t) pitch, 100, 1.0f } });
        rig.act (model::action::Play {});
        std::vector<float> l, r;
        rig.render (1, l, r); // 20 note-ons into room for 8
        CHECK (rig.engine.getExternalNotes().getDropped() == 12);
        rig.render (200, l, r); // 20 note-offs, nobody reading: all dropped
        CHECK (rig.engine.getExternalNotes().getDropped() == 32);
        const auto events = drainAll (rig.engine);
        REQUIRE (events.size() == 8);
        for (std::size_t i = 0; i < events.size(); ++i)
        {
            CHECK (events[i].on);
            CHECK (events[i].note == 40 + (int) i); // the oldest are kept, in order
        }
        // Read, it takes events again.
        rig.engine.noteOn (sc, 80, 1.0f);
        rig.render (1, l, r);
        CHECK (drainAll (rig.engine).size() == 1);
        CHECK (rig.engine.getExternalNotes().getDropped() == 32);
    }
}

TEST_CASE ("A consumer thread drains what a real audio thread plays", "[engine][external]")
{
    EngineRig rig;
    const auto sc = addExternal (rig);
    constexpr int numNotes = 200;
    for (int i = 0; i < numNotes; ++i)
        rig.act (model::action::AddNote { sc, { {}, i * 30, 20, (std::uint8_t) (40 + i % 40), 100, 1.0f } });
    rig.act (model::action::Play {});

    std::atomic<bool> quit { false };
    std::vector<ExternalNoteEvent> received;
    std::thread consumer ([&]
                          {
        auto& notes = rig.engine.getExternalNotes();
        while (! quit.load())
            if (notes.drain ([&] (const ExternalNoteEvent& e) { received.push_back (e); }) == 0)
                std::this_thread::sleep_for (std::chrono::microseconds (100));
        notes.drain ([&] (const ExternalNoteEvent& e) { received.push_back (e); }); });

    const auto blocks = (int) (expectedSample (numNotes * 30 + 100, 120.0) / EngineRig::blockSize) + 2;
    AudioThread audio (rig.engine, EngineRig::blockSize, blocks);
    audio.allow (blocks);
    audio.waitUntilCaughtUp();
    audio.stop();
    quit = true;
    consumer.join();

    CHECK (rig.engine.getExternalNotes().getDropped() == 0);
    const auto ons = only (timedOf (received, sc), true);
    const auto offs = only (timedOf (received, sc), false);
    REQUIRE (ons.size() == (std::size_t) numNotes);
    REQUIRE (offs.size() == (std::size_t) numNotes);
    for (int i = 0; i < numNotes; ++i)
    {
        CHECK (ons[(std::size_t) i].sample == expectedSample (i * 30, 120.0));
        CHECK (offs[(std::size_t) i].sample == expectedSample (i * 30 + 20, 120.0));
    }
}

TEST_CASE ("collectExternalNotes plays the placed clips of a song at their sample times", "[engine][external][render]")
{
    EngineRig rig;
    const auto sc = addExternal (rig, { EngineRig::effect (model::EffectType::reverb) });
    const auto internal = rig.addInstrument (model::BuiltInSource::saw);
    rig.act (model::action::AddNote { sc, { {}, 0, 100, 60, 90, 1.0f } });
    rig.act (model::action::AddNote { sc, { {}, 480, 100, 62, 91, 1.0f } });
    rig.act (model::action::AddNote { internal, { {}, 0, 100, 70, 100, 1.0f } });
    const model::ClipId clip { rig.act (model::action::AddClip { sc, "A", 960, true }) };
    const model::ClipId other { rig.act (model::action::AddClip { internal, "B", 960, true }) };
    rig.act (model::action::AddPlacement { clip, 1920, 0 });
    rig.act (model::action::AddPlacement { clip, 4800, 1440 }); // longer than the clip: it repeats, cut at 1440
    rig.act (model::action::AddPlacement { other, 0, 0 });
    rig.act (model::action::AddNote { sc, { {}, 3000, 10, 90, 100, 1.0f } }); // the piano roll is not what a song plays
    rig.act (model::action::SetPlayMode { model::PlayMode::song });
    rig.act (model::action::SetLoop { { true, 0, 960 } }); // a render ignores the loop

    const std::vector<std::pair<model::Tick, int>> want { { 1920, 60 }, { 2400, 62 }, { 4800, 60 }, { 5280, 62 }, { 5760, 60 } };
    std::vector<ExternalNoteEvent> first;
    for (int blockSize : { 256, 100, 1024 })
    {
        INFO ("block size " << blockSize);
        const auto score = engine::collectExternalNotes (rig.session, 48000.0, blockSize);
        REQUIRE (score.ok());
        CHECK (score.sampleRate == 48000.0);
        CHECK (score.samples >= expectedSample (5760 + 100, 120.0));
        for (const auto& e : score.events)
        {
            CHECK (e.instrument == sc);
            CHECK (e.kind == ExternalNoteEvent::Kind::note);
        }
        const auto timed = timedOf (score.events, sc);
        const auto ons = only (timed, true), offs = only (timed, false);
        REQUIRE (ons.size() == want.size());
        REQUIRE (offs.size() == want.size());
        for (std::size_t i = 0; i < want.size(); ++i)
        {
            CHECK (ons[i].sample == expectedSample ((double) want[i].first, 120.0));
            CHECK (ons[i].pitch == want[i].second);
            CHECK (ons[i].velocity == (want[i].second == 60 ? 90 : 91));
            CHECK (offs[i].sample == expectedSample ((double) want[i].first + 100, 120.0));
        }
        CHECK (std::is_sorted (score.events.begin(), score.events.end(), [] (const auto& a, const auto& b)
                               { return a.sampleTime < b.sampleTime; }));
        // The block size changes nothing: the times are the sequencer's, not the blocks'.
        if (first.empty())
            first = score.events;
        else
            CHECK (score.events == first);
    }

    SECTION ("a session that cannot play says why")
    {
        const auto score = engine::collectExternalNotes (rig.session, 48000.0, 4);
        CHECK_FALSE (score.ok());
        CHECK (score.events.empty());
    }
}

TEST_CASE ("ExternalClock maps smoothly through jitter and re-anchors on a jump", "[engine][external]")
{
    constexpr double rate = 48000.0;
    constexpr int block = 480; // 10 ms
    engine::ExternalClock clock (rate);
    juce::Random random (5);
    const double start = 1000.0;
    auto truth = [&] (std::int64_t s)
    { return start + (double) s / rate; };

    // Callbacks that start up to 4 ms late: the mapping stays a straight line near the truth.
    double worst = 0.0;
    for (int b = 0; b < 2000; ++b)
    {
        const std::int64_t s = (std::int64_t) b * block;
        const auto jitter = random.nextDouble() * 0.004;
        const bool anchoredHere = clock.observe (s, truth (s) + jitter);
        CHECK (anchoredHere == (b == 0));
        if (b > 500) // once the first reading's own jitter has been averaged away
            worst = std::max (worst, std::abs (clock.toSeconds (s) - (truth (s) + 0.002))); // the mean delay
        // The slope is the sample rate, whatever the jitter: a block maps to exactly 10 ms.
        REQUIRE (clock.toSeconds (s + block) - clock.toSeconds (s) == Approx (0.01).margin (1.0e-9));
    }
    CHECK (clock.getReanchorCount() == 1);
    CHECK (worst < 0.001); // the 4 ms of jitter averaged down to well under a millisecond

    // Following the slow drift of the device against the steady clock (100 ppm) without a jump.
    engine::ExternalClock drifting (rate);
    for (int b = 0; b < 60000; ++b) // ten minutes
    {
        const std::int64_t s = (std::int64_t) b * block;
        drifting.observe (s, start + (double) s / (rate * (1.0 - 100.0e-6)));
    }
    const std::int64_t last = (std::int64_t) 59999 * block;
    CHECK (drifting.getReanchorCount() == 1);
    CHECK (std::abs (drifting.toSeconds (last) - (start + (double) last / (rate * (1.0 - 100.0e-6)))) < 0.0005);

    // A small step (10 ms) is slewed, not jumped to; a big one (50 ms, an xrun) re-anchors at once.
    const std::int64_t s = 2000 * block;
    const auto before = clock.toSeconds (s);
    CHECK_FALSE (clock.observe (s, truth (s) + 0.002 + 0.010));
    CHECK (clock.toSeconds (s) - before == Approx (0.0001).margin (0.00005));
    CHECK (clock.observe (s + block, truth (s + block) + 0.050));
    CHECK (clock.getReanchorCount() == 2);
    CHECK (clock.toSeconds (s + block) == truth (s + block) + 0.050);

    // The sample clock restarting (a prepare) re-anchors too, even on a plausible time.
    CHECK (clock.observe (0, truth (s + 2 * block) + 0.050));
    CHECK (clock.getReanchorCount() == 3);
    CHECK (clock.toSeconds (block) == Approx (truth (s + 2 * block) + 0.050 + 0.01));
}
