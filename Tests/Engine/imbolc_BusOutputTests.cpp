// Per-bus direct outputs (ProcessInput::busOutputs): a bus given a pair is written there, post-fader,
// instead of into the master; the pair's index is the bus's position in the mixer order.

#include "imbolc_EngineTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;
using model::ParamGroup;

namespace
{
/** Two buses and four instruments, every way of reaching a bus: a routed output (a to bus 0, b to
    bus 1), an output to one bus with a post-fader send to the other (c), and an instrument at the
    master with a pre-insert send to bus 1 (d). Bus 1 has a delay, so its chain does something.

    `isolateBus1`: bus 0 and instrument d are muted, so the master carries bus 1 alone (d's send is
    taken before its strip, so bus 1 gets the same as unmuted). The mutes are in the model before the
    engine builds its chains (loadSession), so they hold from the first sample with no ramp. */
struct TwoBusSession
{
    EngineRig rig;
    model::BusId bus0, bus1;
    model::InstrumentId a, b, c, d;

    /** `latentMaster`: the master gets the look-ahead limiter with its ceiling at 0 dBFS, above every
        signal here, so it applies a gain of exactly 1 and only delays (by 48 samples). */
    explicit TwoBusSession (bool isolateBus1, bool latentMaster = false)
    {
        if (latentMaster)
            rig.act (model::action::AddStage { NodeKind::master, 0, EngineRig::effect (model::EffectType::limiter, { { 0, 0.0f } }) });
        bus0 = model::BusId { rig.act (model::action::AddBus { "zero" }) };
        bus1 = model::BusId { rig.act (model::action::AddBus { "one" }) };
        rig.act (model::action::AddStage { NodeKind::bus, bus1.value, EngineRig::effect (model::EffectType::delay) });
        a = rig.addInstrument (model::BuiltInSource::saw);
        b = rig.addInstrument (model::BuiltInSource::square);
        c = rig.addInstrument (model::BuiltInSource::sine);
        d = rig.addInstrument (model::BuiltInSource::saw);
        rig.act (model::action::SetOutput { a, bus0 });
        rig.act (model::action::SetOutput { b, bus1 });
        rig.act (model::action::SetOutput { c, bus0 });
        rig.act (model::action::AddSend { c, bus1, 0.7f, false });
        rig.act (model::action::AddSend { d, bus1, 0.5f, true });
        // Quiet enough that the safety limiter never acts: the master then passes bus 1 bit for bit.
        for (auto id : { a, b, c, d })
            rig.setParam (model::ParamAddress::instrument (id, ParamGroup::strip, 0), 0.1f);
        if (isolateBus1)
        {
            rig.act (model::action::SetMute { NodeKind::bus, bus0.value, true });
            rig.act (model::action::SetMute { NodeKind::instrument, d.value, true });
        }
        rig.engine.loadSession (rig.session);
        // The rebuilt master fades in (direct outputs do not pass through it): let that end, in silence.
        std::vector<float> left, right;
        rig.render (8, left, right);
        rig.engine.noteOn (a, 45, 0.9f);
        rig.engine.noteOn (b, 52, 0.8f);
        rig.engine.noteOn (c, 64, 0.7f);
        rig.engine.noteOn (d, 57, 0.9f);
    }
};

/** The master and any direct outputs of `calls` process() calls of `callSize` samples each. */
struct Rendered
{
    std::vector<float> left, right;
    std::vector<std::vector<float>> direct; ///< per busOutputs channel; empty where the channel was null
};

/** `given`: which busOutputs channels are non-null (their count is numBusOutputs). Each call's
    direct channels are pre-filled with garbage, to prove the engine writes every sample. */
Rendered render (engine::Engine& engine, int calls, int callSize, const std::vector<bool>& given)
{
    Rendered out;
    out.direct.resize (given.size());
    std::vector<float> l ((std::size_t) callSize), r ((std::size_t) callSize);
    std::vector<std::vector<float>> channels (given.size(), std::vector<float> ((std::size_t) callSize));
    std::vector<float*> pointers (given.size(), nullptr);
    for (std::size_t i = 0; i < given.size(); ++i)
        if (given[i])
            pointers[i] = channels[i].data();
    float* outs[] = { l.data(), r.data() };

    engine::ProcessInput input;
    input.busOutputs = pointers.data();
    input.numBusOutputs = (int) pointers.size();
    for (int call = 0; call < calls; ++call)
    {
        for (auto& ch : channels)
            std::fill (ch.begin(), ch.end(), 7.0f);
        engine.process (outs, 2, callSize, input);
        engine.update();
        out.left.insert (out.left.end(), l.begin(), l.end());
        out.right.insert (out.right.end(), r.begin(), r.end());
        for (std::size_t i = 0; i < given.size(); ++i)
            if (given[i])
                out.direct[i].insert (out.direct[i].end(), channels[i].begin(), channels[i].end());
    }
    return out;
}

Rendered renderMaster (engine::Engine& engine, int calls, int callSize)
{
    return render (engine, calls, callSize, {});
}

/** Index of the first sample where the two differ, or -1. */
long firstDifference (const std::vector<float>& x, const std::vector<float>& y)
{
    if (x.size() != y.size())
        return 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i] != y[i])
            return (long) i;
    return -1;
}

/** `x` from sample `shift` on, against `y` from its start (as long as both last). */
std::vector<float> from (const std::vector<float>& x, int shift)
{
    return { x.begin() + std::min ((std::ptrdiff_t) shift, (std::ptrdiff_t) x.size()), x.end() };
}

float maxAbsDifference (const std::vector<float>& x, const std::vector<float>& y)
{
    float m = 0.0f;
    for (std::size_t i = 0; i < std::min (x.size(), y.size()); ++i)
        m = std::max (m, std::abs (x[i] - y[i]));
    return m;
}
} // namespace

TEST_CASE ("a bus given a direct output pair is written there exactly and left out of the master", "[engine][busoutputs]")
{
    // 256 is the prepared block size; 1000 is split into chunks of 256, 256, 256 and 232, so each
    // chunk after the first must land at its offset in the direct output.
    const int callSize = GENERATE (as<int> {}, 256, 1000);
    const int calls = 48000 / callSize; // a second: the delay on bus 1 repeats
    CAPTURE (callSize);

    TwoBusSession isolated (true), full (false), direct (false);

    // Bus 1's contribution to the master, alone (bus 0 and d muted); then the full mix.
    const auto bus1Alone = renderMaster (isolated.rig.engine, calls, callSize);
    const auto fullMix = renderMaster (full.rig.engine, calls, callSize);
    REQUIRE (rms (bus1Alone.left, 0, bus1Alone.left.size()) > 0.01);
    REQUIRE (peak (fullMix.left, 0, fullMix.left.size()) < 0.9f); // the safety limiter stayed out of it

    // The same session with bus 1's pair given (and bus 0's left null: half a pair mixes as usual).
    const auto withDirect = render (direct.rig.engine, calls, callSize, { true, false, true, true });

    // The direct pair is, sample for sample, what bus 1 added to the master.
    CHECK (firstDifference (withDirect.direct[2], bus1Alone.left) == -1);
    CHECK (firstDifference (withDirect.direct[3], bus1Alone.right) == -1);

    // The master is the full mix without bus 1 (up to the rounding of a different summing order).
    std::vector<float> expectedLeft (fullMix.left.size()), expectedRight (fullMix.right.size());
    for (std::size_t i = 0; i < expectedLeft.size(); ++i)
    {
        expectedLeft[i] = fullMix.left[i] - bus1Alone.left[i];
        expectedRight[i] = fullMix.right[i] - bus1Alone.right[i];
    }
    CHECK (maxAbsDifference (withDirect.left, expectedLeft) < 1.0e-6f);
    CHECK (maxAbsDifference (withDirect.right, expectedRight) < 1.0e-6f);
    CHECK (rms (withDirect.left, 0, withDirect.left.size()) > 0.01); // bus 0 and d are still there

    // Bus 0's half-given pair: bus 0 went to the master, and its given half is silence.
    CHECK (peak (withDirect.direct[0], 0, withDirect.direct[0].size()) == 0.0f);
}

TEST_CASE ("a bus at its direct output waits out the master's latent stages: every output is late by the one latency reported", "[engine][busoutputs][latency]")
{
    // A host compensates all of a plugin's outputs by the one latency it reports, which counts the
    // master's stages; a bus that skips the master must be late by them too, or it is heard early.
    TwoBusSession plain (false), latent (false, true);
    REQUIRE (plain.rig.engine.getOutputLatencySamples() == 0);
    const int latency = latent.rig.engine.getOutputLatencySamples();
    REQUIRE (latency == 48); // the limiter's 1 ms look-ahead at 48 kHz

    const std::vector<bool> bus1Direct { false, false, true, true };
    const auto early = render (plain.rig.engine, 100, 256, bus1Direct);
    const auto late = render (latent.rig.engine, 100, 256, bus1Direct);
    REQUIRE (rms (early.direct[2], 0, early.direct[2].size()) > 0.01);
    REQUIRE (rms (early.left, 0, early.left.size()) > 0.01);

    for (std::size_t side : { 2u, 3u })
    {
        CAPTURE (side);
        // Bus 1's pair is the plain session's, `latency` samples later, bit for bit; silence before.
        CHECK (peak (late.direct[side], 0, (std::size_t) latency) == 0.0f);
        const auto shifted = from (late.direct[side], latency);
        CHECK (firstDifference (shifted, { early.direct[side].begin(), early.direct[side].begin() + (std::ptrdiff_t) shifted.size() }) == -1);
    }
    // The master (bus 0 and the instruments at the master) is late by exactly as much.
    const auto masterShifted = from (late.left, latency);
    CHECK (firstDifference (masterShifted, { early.left.begin(), early.left.begin() + (std::ptrdiff_t) masterShifted.size() }) == -1);
}

TEST_CASE ("a direct output pair for a bus that does not exist is filled with silence", "[engine][busoutputs]")
{
    TwoBusSession session (false);
    // Pairs 0..5 given; the session has buses 0 and 1 only.
    const auto out = render (session.rig.engine, 20, 300, std::vector<bool> (12, true));
    for (int k = 2; k < 6; ++k)
        for (int side = 0; side < 2; ++side)
        {
            const auto& channel = out.direct[(std::size_t) (2 * k + side)];
            CAPTURE (k, side);
            REQUIRE (channel.size() == 20u * 300u);
            CHECK (std::all_of (channel.begin(), channel.end(), [] (float s)
                                { return s == 0.0f; }));
        }
    CHECK (rms (out.direct[0], 0, out.direct[0].size()) > 0.001);
    CHECK (rms (out.direct[2], 0, out.direct[2].size()) > 0.001);
    // Both buses went out directly: the master has only d.
    CHECK (rms (out.left, 0, out.left.size()) > 0.001);
}

TEST_CASE ("direct outputs follow the mixer order as buses are removed, added and restored", "[engine][busoutputs]")
{
    EngineRig rig;
    const auto x = model::BusId { rig.act (model::action::AddBus { "x" }) };
    const auto y = model::BusId { rig.act (model::action::AddBus { "y" }) };
    rig.act (model::action::AddBus { "z" });
    const auto tone = rig.addInstrument (model::BuiltInSource::sine);
    rig.act (model::action::SetOutput { tone, y });
    rig.engine.noteOn (tone, 60, 0.8f);

    // Only the second pair is given: bus y's while the order is x, y, z.
    const std::vector<bool> second { false, false, true, true };
    auto heardDirectly = [&]
    {
        const auto out = render (rig.engine, 8, EngineRig::blockSize, second);
        // The last blocks, after the change's fades.
        const auto from = out.left.size() / 2;
        return std::make_pair (rms (out.direct[2], from, out.direct[2].size()), rms (out.left, from, out.left.size()));
    };

    auto [direct, master] = heardDirectly();
    CHECK (direct > 0.01);
    CHECK (master == 0.0);

    // x goes: y is first now, and its (null) pair sends it to the master; the second pair is z's, silent.
    rig.clock.now += 60000; // each edit its own undo step
    rig.act (model::action::RemoveBus { x });
    std::tie (direct, master) = heardDirectly();
    CHECK (direct == 0.0);
    CHECK (master > 0.01);

    // A bus added at the end moves nothing.
    rig.clock.now += 60000;
    rig.act (model::action::AddBus { "w" });
    std::tie (direct, master) = heardDirectly();
    CHECK (direct == 0.0);
    CHECK (master > 0.01);

    // Undo twice (a full rebuild each): x is back before y, so y is second again. The undo rebuilds
    // the tone's chain, so it gets its note again.
    rig.act (model::action::Undo {});
    rig.act (model::action::Undo {});
    REQUIRE (rig.session.mixer.buses.indexOf (y) == 1);
    rig.engine.noteOn (tone, 60, 0.8f);
    std::tie (direct, master) = heardDirectly();
    CHECK (direct > 0.01);
    CHECK (master == 0.0);
}
