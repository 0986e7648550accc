// Plugin delay compensation: the engine delays the shorter paths to each summing point (instruments to
// buses and the master, buses to the master, sends), so a latent stage moves the whole mix late by its
// latency and nothing else. The latent stage here is the built-in look-ahead limiter with its ceiling
// at 0 dBFS, above every signal these tests make: it then applies a gain of exactly 1 and only delays
// (by its 1 ms look-ahead, 48 samples at 48 kHz), so a mix with it must be, sample for sample, the mix
// without it, 48 samples later.

#include "imbolc_EngineTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;

namespace
{
constexpr int lookAhead = 48; // the limiter's look-ahead at EngineRig's 48 kHz

model::Stage transparentLimiter()
{
    return EngineRig::effect (model::EffectType::limiter, { { 0, 0.0f } }); // ceiling 0 dBFS
}

struct Rendered
{
    std::vector<float> left, right;
};

/** Lets installs and compensation fades settle in silence, then plays note 69 on `ids` at once and
    renders `blocks` blocks from that block on. */
Rendered playTogether (EngineRig& rig, const std::vector<model::InstrumentId>& ids, int blocks, float velocity = 0.5f)
{
    Rendered out;
    rig.render (8, out.left, out.right); // 2,048 samples: every 480-sample fade is over
    out = {};
    for (auto id : ids)
        rig.engine.noteOn (id, 69, velocity);
    rig.render (blocks, out.left, out.right);
    return out;
}

/** The largest |a[i] - scale * b[i - shift]| (b before its start counts as silence). */
float differenceShifted (const std::vector<float>& a, const std::vector<float>& b, int shift, float scale = 1.0f)
{
    float worst = 0.0f;
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        const float expected = i >= (std::size_t) shift ? scale * b[i - (std::size_t) shift] : 0.0f;
        worst = std::max (worst, std::abs (a[i] - expected));
    }
    return worst;
}

/** Both channels of `test` are `reference` delayed by `shift` samples (and scaled), within `tolerance`;
    and, so the check means something, `reference` is loud and not already that delayed copy. */
void checkDelayedCopy (const Rendered& test, const Rendered& reference, int shift, float scale, float tolerance)
{
    REQUIRE (test.left.size() == reference.left.size());
    REQUIRE (rms (reference.left, 0, reference.left.size()) > 0.01);
    CHECK (peak (test.left, 0, test.left.size()) < 0.9f); // the graph's safety limiter stayed out of it
    CHECK (differenceShifted (test.left, reference.left, shift, scale) <= tolerance);
    CHECK (differenceShifted (test.right, reference.right, shift, scale) <= tolerance);
    // Without compensation the paths would be apart: a copy shifted by anything else is far off.
    CHECK (differenceShifted (test.left, reference.left, 0, scale) > 0.01f);
    CHECK (differenceShifted (test.left, reference.left, shift - 1, scale) > 0.001f);
}
} // namespace

TEST_CASE ("delay compensation null test: a latent instrument and a plain one sum to twice the plain one, late", "[engine][latency][pdc]")
{
    EngineRig reference;
    const auto alone = reference.addInstrument (model::BuiltInSource::sine);
    const auto once = playTogether (reference, { alone }, 20);

    EngineRig rig;
    const auto plain = rig.addInstrument (model::BuiltInSource::sine);
    const auto latent = rig.addInstrument (model::BuiltInSource::sine, { transparentLimiter() });
    CHECK (rig.engine.getOutputLatencySamples() == lookAhead);
    const auto both = playTogether (rig, { plain, latent }, 20);

    // Exactly: the same float samples, delayed by whole samples and added (doubling is exact).
    checkDelayedCopy (both, once, lookAhead, 2.0f, 0.0f);
    CHECK (peak (both.left, 0, lookAhead) == 0.0f);
}

TEST_CASE ("delay compensation null test through a bus and through sends: the mix is the uncompensated one, late", "[engine][latency][pdc]")
{
    // The same session twice, once with latent stages: an instrument straight to the master, one into
    // a bus, one with a post-fader send and one with a pre-insert send.
    enum class Where
    {
        busStage, ///< the bus has the limiter: instruments to the master wait for the bus
        instrumentWithSends, ///< an instrument with sends has it: its pre-insert tap and the others wait
        both ///< both: the instruments' and the bus's latencies add
    };
    const auto where = GENERATE (Where::busStage, Where::instrumentWithSends, Where::both);
    CAPTURE ((int) where);

    auto build = [] (EngineRig& rig, bool latentBus, bool latentInstrument)
    {
        const auto bus = model::BusId { rig.act (model::action::AddBus { "bus" }) };
        if (latentBus)
            rig.act (model::action::AddStage { NodeKind::bus, bus.value, transparentLimiter() });
        const auto direct = rig.addInstrument (model::BuiltInSource::sine);
        const auto bused = rig.addInstrument (model::BuiltInSource::saw);
        rig.act (model::action::SetOutput { bused, bus });
        const auto sender = rig.addInstrument (model::BuiltInSource::square, latentInstrument ? std::vector<model::Stage> { transparentLimiter() } : std::vector<model::Stage> {});
        rig.act (model::action::AddSend { sender, bus, 0.7f, true });
        const auto postSender = rig.addInstrument (model::BuiltInSource::triangle);
        rig.act (model::action::AddSend { postSender, bus, 0.5f, false });
        return std::vector<model::InstrumentId> { direct, bused, sender, postSender };
    };

    EngineRig reference;
    const auto plainIds = build (reference, false, false);
    CHECK (reference.engine.getOutputLatencySamples() == 0);
    const auto plain = playTogether (reference, plainIds, 24, 0.25f);

    EngineRig rig;
    const bool latentBus = where != Where::instrumentWithSends;
    const bool latentInstrument = where != Where::busStage;
    const auto ids = build (rig, latentBus, latentInstrument);
    const int total = (latentBus ? lookAhead : 0) + (latentInstrument ? lookAhead : 0);
    CHECK (rig.engine.getOutputLatencySamples() == total);
    const auto compensated = playTogether (rig, ids, 24, 0.25f);

    // The same samples summed in the same order: exact but for nothing.
    checkDelayedCopy (compensated, plain, total, 1.0f, 0.0f);
}

TEST_CASE ("delay compensation follows latency changes mid-play without a step larger than the signal's own", "[engine][latency][pdc]")
{
    EngineRig rig;
    const auto plain = rig.addInstrument (model::BuiltInSource::sine);
    const auto latent = rig.addInstrument (model::BuiltInSource::sine, { transparentLimiter() });
    const auto limiter = rig.session.instruments.find (latent)->chain.front().id;
    Rendered out = playTogether (rig, { plain, latent }, 40);
    // The signal's own largest step (two aligned sines, through the envelope's attack and decay).
    const float own = maxStep (out.left, 0, out.left.size());
    REQUIRE (own > 0.01f);
    const auto changesFrom = out.left.size() - 1;
    // What a jump of the delay would do to this signal: a step many times its own.
    CHECK (maxStep (out.left, 0, out.left.size()) * 4.0f < differenceShifted (out.left, out.left, lookAhead));

    auto renderMore = [&] (int blocks)
    { rig.render (blocks, out.left, out.right); };

    // A latent stage bypassed, an instrument with latent stages added and removed, the stage back on:
    // each moves the other paths' delays (by 48 or 96 samples, which as a jump would be a click).
    rig.act (model::action::SetStageBypass { NodeKind::instrument, latent.value, limiter, true });
    CHECK (rig.engine.getOutputLatencySamples() == 0);
    renderMore (12);
    const auto silent = rig.addInstrument (model::BuiltInSource::sine, { transparentLimiter(), transparentLimiter() });
    CHECK (rig.engine.getOutputLatencySamples() == 2 * lookAhead);
    renderMore (12);
    rig.act (model::action::SetStageBypass { NodeKind::instrument, latent.value, limiter, false });
    renderMore (12);
    rig.act (model::action::DeleteInstrument { silent });
    CHECK (rig.engine.getOutputLatencySamples() == lookAhead);
    renderMore (12);
    // A bus with a latent stage appears: the instruments at the master wait for it.
    const auto bus = model::BusId { rig.act (model::action::AddBus { "bus" }) };
    rig.act (model::action::AddStage { NodeKind::bus, bus.value, transparentLimiter() });
    CHECK (rig.engine.getOutputLatencySamples() == 2 * lookAhead);
    renderMore (12);
    rig.act (model::action::RemoveBus { bus });
    renderMore (12);

    const float worst = maxStep (out.left, changesFrom, out.left.size());
    const float worstRight = maxStep (out.right, changesFrom, out.right.size());
    INFO ("own step " << own << ", worst step " << worst);
    CHECK (worst <= own * 1.0001f);
    CHECK (worstRight <= own * 1.0001f);
    // And the signal went on throughout (no path fell silent).
    for (std::size_t from = changesFrom; from + 1024 <= out.left.size(); from += 1024)
        CHECK (rms (out.left, from, from + 1024) > 0.05);
}

TEST_CASE ("external notes and MIDI out are offset by the total output latency", "[engine][latency][pdc]")
{
    EngineRig rig;
    model::Source s;
    s.builtIn = model::BuiltInSource::saw;
    const auto external = model::InstrumentId { rig.act (model::action::AddInstrument { "sc", s, model::Backend::superCollider, {} }) };
    const auto midiOut = rig.addInstrument (model::BuiltInSource::sine);
    rig.act (model::action::SetMidiOutput { midiOut, 3 });

    // One note-on each, live, on the first sample of a block: where do they land?
    auto noteTimes = [&]
    {
        std::vector<float> l, r;
        rig.render (8, l, r); // the new delays are in
        for (engine::ExternalNoteEvent e; rig.engine.getExternalNotes().pop (e);)
        {
        }
        for (engine::MidiOutEvent e; rig.engine.getMidiOut().pop (e);)
        {
        }
        const auto blockStart = rig.engine.getAudioGraph().getSampleTime();
        rig.engine.noteOn (external, 60, 1.0f);
        rig.engine.noteOn (midiOut, 62, 1.0f);
        rig.render (1, l, r);
        std::int64_t externalAt = -1, midiAt = -1;
        for (engine::ExternalNoteEvent e; rig.engine.getExternalNotes().pop (e);)
            if (e.on && e.note == 60)
                externalAt = e.sampleTime - blockStart;
        for (engine::MidiOutEvent e; rig.engine.getMidiOut().pop (e);)
            if (e.size == 3 && e.data[0] == 0x92 && e.data[1] == 62)
                midiAt = e.sampleTime - blockStart;
        rig.engine.allNotesOff (external);
        rig.engine.noteOff (midiOut, 62);
        return std::make_pair (externalAt, midiAt);
    };

    CHECK (noteTimes() == std::make_pair<std::int64_t, std::int64_t> (0, 0));

    // An internal instrument's latent stage delays the mix by 48: the external synth's notes follow.
    rig.addInstrument (model::BuiltInSource::sine, { transparentLimiter() });
    CHECK (noteTimes() == std::make_pair<std::int64_t, std::int64_t> (lookAhead, lookAhead));

    // A latent bus and master add theirs: the total moves them.
    const auto bus = model::BusId { rig.act (model::action::AddBus { "bus" }) };
    rig.act (model::action::AddStage { NodeKind::bus, bus.value, transparentLimiter() });
    rig.act (model::action::AddStage { NodeKind::master, 0, transparentLimiter() });
    CHECK (rig.engine.getOutputLatencySamples() == 3 * lookAhead);
    CHECK (noteTimes() == std::make_pair<std::int64_t, std::int64_t> (3 * lookAhead, 3 * lookAhead));

    // The external instrument's own stages run on its renderer: they add nothing here.
    rig.act (model::action::AddStage { NodeKind::instrument, external.value, transparentLimiter() });
    CHECK (rig.engine.getOutputLatencySamples() == 3 * lookAhead);
}

TEST_CASE ("delay compensation hands memory out only when a path needs a delay, and keeps nothing stuck on delete", "[engine][latency][pdc]")
{
    EngineRig rig;
    const auto plain = rig.addInstrument (model::BuiltInSource::sine);
    std::vector<float> l, r;
    rig.render (4, l, r);
    // Nothing latent: no line has a delay, instruments mix straight into the master.
    CHECK (rig.engine.getAudioGraph().getDirectDelay().isIdle());
    CHECK (rig.engine.getAudioGraph().getOutputLatency() == 0);

    const auto latent = rig.addInstrument (model::BuiltInSource::sine, { transparentLimiter() });
    rig.render (4, l, r);
    CHECK (rig.engine.getAudioGraph().getOutputLatency() == lookAhead);

    // Deleting the latent instrument brings the plain one back to no delay; every chain and memory
    // handed out comes back (liveChains counts the chains still out: the plain one and the master).
    rig.act (model::action::DeleteInstrument { latent });
    rig.render (20, l, r);
    CHECK (rig.engine.getOutputLatencySamples() == 0);
    CHECK (rig.engine.getAudioGraph().getOutputLatency() == 0);
    CHECK (rig.engine.getStats().liveChains == 2);
    rig.engine.noteOn (plain, 60, 1.0f);
    l.clear();
    r.clear();
    rig.render (4, l, r);
    // Heard at once again: the first block's first samples already sound.
    CHECK (peak (l, 0, 64) > 0.0f);
}

TEST_CASE ("an offline render starts on the song's first sample whatever the latency", "[engine][latency][render]")
{
    // The same song with and without a latent stage on the master (a look-ahead limiter that only
    // delays): the render leaves the engine's latency out at the start, so both give the same samples.
    auto song = [] (bool latentMaster)
    {
        model::Session session;
        model::UndoHistory history;
        model::Dispatcher d (session, history);
        model::Source s;
        s.builtIn = model::BuiltInSource::sine;
        s.params = model::makeParameters (s.builtIn);
        const auto id = model::InstrumentId { applyOk (d, model::action::AddInstrument { "sine", s, model::Backend::internal, {} }).createdId };
        model::Note n;
        n.tick = 0;
        n.duration = model::ticksPerBeat;
        n.pitch = 69;
        n.velocity = 80;
        applyOk (d, model::action::AddNote { id, n });
        if (latentMaster)
            applyOk (d, model::action::AddStage { NodeKind::master, 0, transparentLimiter() });
        return session;
    };
    auto render = [] (const model::Session& session, int& latency)
    {
        engine::OfflineRenderer::Options o;
        o.maxSeconds = 1.0;
        engine::OfflineRenderer renderer (o);
        juce::AudioBuffer<float> out;
        REQUIRE (renderer.renderToBuffer (session, out).ok());
        engine::Engine probe;
        probe.loadSession (session);
        probe.update();
        latency = probe.getOutputLatencySamples();
        return out;
    };
    int plainLatency = -1, latentLatency = -1;
    const auto plain = render (song (false), plainLatency);
    const auto latent = render (song (true), latentLatency);
    CHECK (plainLatency == 0);
    CHECK (latentLatency == lookAhead);
    // Both end once their tails are quiet, block by block: they may differ by the samples left out.
    const int common = juce::jmin (plain.getNumSamples(), latent.getNumSamples());
    CHECK (std::abs (plain.getNumSamples() - latent.getNumSamples()) <= lookAhead);
    REQUIRE (common > 24000);
    REQUIRE (plain.getMagnitude (0, common) > 0.1f);
    // The note starts on the first sample of both.
    CHECK (plain.getSample (0, 1) != 0.0f);
    CHECK (latent.getSample (0, 1) != 0.0f);
    // The master's limiter leaves the level as it is (ceiling 0 dBFS), so the two renders match sample
    // for sample, up to the limiter's own rounding; one sample off would differ by the sine's step.
    // From 20 ms on: every chain fades in over its first 10 ms of output, which the latent render's
    // master spends partly on the samples left out.
    const int from = 960;
    float worst = 0.0f, step = 0.0f;
    int best = 0;
    float bestError = std::numeric_limits<float>::max();
    for (int shift = -2; shift <= 2; ++shift)
    {
        float error = 0.0f;
        for (int i = from; i + 8 < common; ++i)
            error = std::max (error, std::abs (plain.getSample (0, i + shift) - latent.getSample (0, i)));
        if (error < bestError)
            bestError = error, best = shift;
    }
    int worstAt = -1;
    for (int i = from; i < common; ++i)
    {
        if (std::abs (plain.getSample (0, i) - latent.getSample (0, i)) > worst)
            worstAt = i;
        worst = std::max (worst, std::abs (plain.getSample (0, i) - latent.getSample (0, i)));
        step = std::max (step, std::abs (plain.getSample (0, i) - plain.getSample (0, i - 1)));
    }
    INFO ("largest difference " << worst << " at " << worstAt << ", the signal's largest step " << step << ", best shift " << best << " " << bestError);
    CHECK (best == 0);
    CHECK (worst < 0.05f * step);
}
