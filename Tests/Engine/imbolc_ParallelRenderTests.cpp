// Parallel rendering: the engine with render workers gives the single thread's samples bit for bit (live
// and offline), and a worker that is late costs its own chain, never the device's block.

#include "imbolc_EngineTestSupport.h"

#include <cstring>

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;
using model::ParamGroup;

namespace
{
engine::Engine::Options withWorkers (int workers, bool waitForLate = true)
{
    engine::Engine::Options o;
    o.renderWorkers = workers;
    o.waitForLateWorkers = waitForLate;
    return o;
}

bool bitIdentical (const std::vector<float>& a, const std::vector<float>& b)
{
    return a.size() == b.size() && std::memcmp (a.data(), b.data(), a.size() * sizeof (float)) == 0;
}

/** A session with everything that meets in a mix: sources of several kinds, effects with state and tails,
    an instrument on a bus, pre- and post-insert sends, two buses with effects, a SuperCollider-backend
    instrument (rendered outside, its chain still in the graph), live notes and sequenced ones, edits
    while it plays. Both rigs get exactly the same actions. */
struct BusySession
{
    EngineRig rig;
    std::vector<float> left, right;

    explicit BusySession (int workers)
        : rig (nullptr, withWorkers (workers))
    {
        using model::BuiltInSource;
        using model::EffectType;
        const auto reverbBus = model::BusId { rig.act (model::action::AddBus { "verb" }) };
        const auto delayBus = model::BusId { rig.act (model::action::AddBus { "echo" }) };
        rig.act (model::action::AddStage { NodeKind::bus, reverbBus.value, EngineRig::effect (EffectType::reverb) });
        rig.act (model::action::AddStage { NodeKind::bus, delayBus.value, EngineRig::effect (EffectType::delay) });

        const BuiltInSource kinds[] = { BuiltInSource::saw, BuiltInSource::square, BuiltInSource::noise, BuiltInSource::sine, BuiltInSource::supersaw, BuiltInSource::pulse };
        const EffectType effects[] = { EffectType::chorus, EffectType::distortion, EffectType::compressor, EffectType::delay, EffectType::reverb, EffectType::gain };
        for (int i = 0; i < 12; ++i)
        {
            const auto id = rig.addInstrument (kinds[i % 6], { EngineRig::effect (effects[i % 6]), EngineRig::effect (effects[(i + 2) % 6]) });
            rig.act (model::action::AddSend { id, reverbBus, 0.2f + 0.05f * (float) i, i % 3 == 0 });
            if (i % 4 == 1)
                rig.act (model::action::SetOutput { id, delayBus });
            model::Note n;
            n.tick = (model::Tick) (i * model::ticksPerBeat / 4);
            n.duration = model::ticksPerBeat;
            n.pitch = (std::uint8_t) (40 + 3 * i);
            rig.act (model::action::AddNote { id, n });
            rig.engine.noteOn (id, 48 + i, 0.7f);
        }
        model::Source sc;
        sc.builtIn = BuiltInSource::saw;
        rig.act (model::action::AddInstrument { "sc", sc, model::Backend::superCollider, {} });
        rig.act (model::action::Play {});
    }

    void play()
    {
        rig.render (60, left, right);
        // Edits while it plays: a parameter, a delete, an add, a reroute.
        const auto first = rig.session.instruments[0].id;
        rig.setParam ({ NodeKind::instrument, first.value, ParamGroup::strip, 0, 0 }, 0.3f);
        rig.act (model::action::DeleteInstrument { rig.session.instruments[3].id });
        const auto added = rig.addInstrument (model::BuiltInSource::saw, { EngineRig::effect (model::EffectType::chorus) });
        rig.engine.noteOn (added, 60, 0.9f);
        rig.render (60, left, right);
        rig.act (model::action::SetOutput { added, rig.session.mixer.buses[0].id });
        rig.render (60, left, right);
    }
};
} // namespace

TEST_CASE ("parallel rendering gives the single thread's samples bit for bit", "[engine][parallel]")
{
    BusySession alone (0), helped (3);
    REQUIRE (alone.rig.engine.getAudioGraph().getNumRenderWorkers() == 0);
    REQUIRE (helped.rig.engine.getAudioGraph().getNumRenderWorkers() == 3);
    alone.play();
    helped.play();

    REQUIRE (peak (alone.left, 0, alone.left.size()) > 0.01f); // it is not silence that matches
    CHECK (bitIdentical (alone.left, helped.left));
    CHECK (bitIdentical (alone.right, helped.right));
    CHECK (helped.rig.engine.getAudioGraph().getLateRenderBlocks() == 0);
}

TEST_CASE ("an offline render with render workers is bit-identical to one without", "[engine][parallel]")
{
    const auto session = model::makeReferenceSession (model::ReferenceSize::large);
    auto renderWith = [&] (int workers)
    {
        engine::OfflineRenderer::Options o;
        o.maxSeconds = 6.0;
        o.renderWorkers = workers;
        engine::OfflineRenderer renderer (o);
        juce::AudioBuffer<float> out;
        const auto result = renderer.renderToBuffer (session, out);
        REQUIRE (result.ok());
        return out;
    };
    const auto alone = renderWith (0);
    const auto helped = renderWith (1);
    REQUIRE (alone.getNumSamples() == helped.getNumSamples());
    REQUIRE (alone.getNumSamples() >= 6 * 48000);
    REQUIRE (alone.getMagnitude (0, alone.getNumSamples()) > 0.01f);
    for (int c = 0; c < 2; ++c)
        CHECK (std::memcmp (alone.getReadPointer (c), helped.getReadPointer (c), sizeof (float) * (std::size_t) alone.getNumSamples()) == 0);
}

//==============================================================================
namespace
{
/** A pass-through stage that, once armed, stalls the first time a thread other than the audio thread
    renders it: a stand-in for a worker the system deschedules (no real component misbehaves on cue). */
class StallNode final : public engine::NodeProcessor
{
public:
    explicit StallNode (const model::Stage& stage)
        : NodeProcessor ("Stall", stage.params, false) {}

    static inline std::atomic<bool> armed { false }, stalled { false };
    static inline std::atomic<std::thread::id> audioThread {};
    static constexpr int stallMs = 120;

private:
    void prepareNode (double, int) override {}
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override
    {
        if (std::this_thread::get_id() != audioThread.load() && armed.exchange (false))
        {
            stalled = true;
            std::this_thread::sleep_for (std::chrono::milliseconds (stallMs));
        }
    }
};

struct StallFactory final : engine::NodeFactory
{
    std::unique_ptr<engine::NodeProcessor> createStage (const model::Stage& stage) override
    {
        if (stage.kind == model::StageKind::effect && stage.effect == model::EffectType::gain)
            return std::make_unique<StallNode> (stage);
        return NodeFactory::createStage (stage);
    }
};
} // namespace

TEST_CASE ("a late render worker costs its own chain, never the device's block", "[engine][parallel]")
{
    EngineRig rig (std::make_unique<StallFactory>(), withWorkers (1, false));
    std::vector<model::InstrumentId> ids;
    for (int i = 0; i < 8; ++i)
    {
        ids.push_back (rig.addInstrument (model::BuiltInSource::saw, { EngineRig::effect (model::EffectType::gain) }));
        rig.engine.noteOn (ids.back(), 48 + i, 0.5f);
    }
    std::vector<float> left, right;
    rig.render (8, left, right);
    StallNode::audioThread = std::this_thread::get_id();

    // Blocks until a worker has stalled in a chain (the audio thread takes jobs too, so it may take a
    // few tries), each timed.
    StallNode::stalled = false;
    StallNode::armed = true;
    std::vector<float> l ((std::size_t) EngineRig::blockSize), r ((std::size_t) EngineRig::blockSize);
    float* outs[] = { l.data(), r.data() };
    double worstMs = 0.0;
    int tries = 0;
    for (; tries < 400 && ! StallNode::stalled.load(); ++tries)
    {
        const auto start = std::chrono::steady_clock::now();
        rig.engine.process (outs, 2, EngineRig::blockSize);
        worstMs = std::max (worstMs, std::chrono::duration<double, std::milli> (std::chrono::steady_clock::now() - start).count());
    }
    REQUIRE (StallNode::stalled.load());
    auto& graph = rig.engine.getAudioGraph();
    CHECK (graph.getLateRenderBlocks() == 1);
    // While the worker sleeps inside its chain, the other chains play on and the block returns.
    float during = 0.0f;
    for (int b = 0; b < 5; ++b)
    {
        const auto start = std::chrono::steady_clock::now();
        rig.engine.process (outs, 2, EngineRig::blockSize);
        worstMs = std::max (worstMs, std::chrono::duration<double, std::milli> (std::chrono::steady_clock::now() - start).count());
        during = std::max (during, juce::FloatVectorOperations::findMaximum (l.data(), EngineRig::blockSize));
    }
    INFO ("worst block " << worstMs << " ms against a stall of " << StallNode::stallMs << " ms");
    CHECK (worstMs < 0.25 * StallNode::stallMs);
    CHECK (during > 0.01f);

    // Once the worker is through, the late chain is back and commands flow again.
    std::this_thread::sleep_for (std::chrono::milliseconds (StallNode::stallMs + 50));
    rig.setParam ({ NodeKind::instrument, ids[0].value, ParamGroup::strip, 0, 0 }, 0.25f);
    rig.render (20, left, right);
    CHECK (graph.getLateRenderBlocks() == 1);
    CHECK (rig.engine.getParameterTargetWhileStopped ({ NodeKind::instrument, ids[0].value, ParamGroup::strip, 0, 0 }) == Approx (0.25f));
    for (auto id : ids)
        CHECK (rig.engine.getInstrumentMeter (id).left > 0.0f);
}

namespace
{
/** A pass-through stage that notes every time it runs with denormals not flushed to zero, and on which
    thread it ran: instrumentation of the floating-point mode the engine gives its nodes. */
class DenormalProbe final : public engine::NodeProcessor
{
public:
    explicit DenormalProbe (const model::Stage& stage)
        : NodeProcessor ("Denormal probe", stage.params, false) {}

    static inline std::atomic<int> runsWithDenormals { 0 }, runsOffAudioThread { 0 };
    static inline std::atomic<std::thread::id> audioThread {};

private:
    void prepareNode (double, int) override {}
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override
    {
        if (! juce::FloatVectorOperations::areDenormalsDisabled())
            ++runsWithDenormals;
        if (std::this_thread::get_id() != audioThread.load())
            ++runsOffAudioThread;
    }
};

struct DenormalProbeFactory final : engine::NodeFactory
{
    std::unique_ptr<engine::NodeProcessor> createStage (const model::Stage& stage) override
    {
        if (stage.kind == model::StageKind::effect && stage.effect == model::EffectType::gain)
            return std::make_unique<DenormalProbe> (stage);
        return NodeFactory::createStage (stage);
    }
};
} // namespace

TEST_CASE ("render workers flush denormals to zero as the audio thread does", "[engine][parallel]")
{
    // A decaying tail reaches denormal floats: flushed on one thread and not on another, the same
    // chain would give other samples (and cost up to 100x) depending on where it rendered.
    EngineRig rig (std::make_unique<DenormalProbeFactory>(), withWorkers (2));
    for (int i = 0; i < 16; ++i)
        rig.addInstrument (model::BuiltInSource::saw, { EngineRig::effect (model::EffectType::gain) });
    rig.engine.update();
    DenormalProbe::audioThread = std::this_thread::get_id();
    DenormalProbe::runsWithDenormals = 0;
    DenormalProbe::runsOffAudioThread = 0;
    std::vector<float> left, right;
    rig.render (200, left, right);
    REQUIRE (DenormalProbe::runsOffAudioThread.load() > 0); // the workers did render chains
    CHECK (DenormalProbe::runsWithDenormals.load() == 0);
}
