// Render workers under the real-time harness. A worker runs each batch in the real-time state of the
// audio thread that posted it (imbolcRealtimeTestAdopt in the harness), so what the workers do for a
// marked audio thread is checked as strictly as the audio thread itself; the second test proves the
// harness really sees the workers.

#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;

namespace
{
engine::Engine::Options twoWorkers (bool waitForLate)
{
    engine::Engine::Options o;
    o.renderWorkers = 2;
    o.waitForLateWorkers = waitForLate;
    return o;
}
} // namespace

TEST_CASE ("realtime render workers make no allocation or lock while chains come and go", "[engine][realtime][parallel]")
{
    REQUIRE (realtimeHarnessActive());
    for (const bool waitForLate : { true, false })
    {
        EngineRig rig (nullptr, twoWorkers (waitForLate));
        REQUIRE (rig.engine.getAudioGraph().getNumRenderWorkers() == 2);
        const auto bus = model::BusId { rig.act (model::action::AddBus { "fx" }) };
        rig.act (model::action::AddStage { NodeKind::bus, bus.value, EngineRig::effect (model::EffectType::reverb) });
        const auto bus2 = model::BusId { rig.act (model::action::AddBus { "fx2" }) };
        rig.act (model::action::AddStage { NodeKind::bus, bus2.value, EngineRig::effect (model::EffectType::delay) });
        std::vector<model::InstrumentId> live;
        for (int i = 0; i < 16; ++i)
        {
            live.push_back (rig.addInstrument (i % 2 == 0 ? model::BuiltInSource::saw : model::BuiltInSource::supersaw,
                                               { EngineRig::effect (model::EffectType::chorus), EngineRig::effect (model::EffectType::compressor) }));
            rig.act (model::action::AddSend { live.back(), i % 2 == 0 ? bus : bus2, 0.4f, i % 3 == 0 });
            rig.engine.noteOn (live.back(), 40 + i, 0.6f);
        }
        rig.act (model::action::Play {});
        rig.engine.update();

        RealtimeAudioThread audio (rig.engine, 3000);
        audio.render (20);
        for (int i = 0; i < 30; ++i)
        {
            rig.act (model::action::DeleteInstrument { live.front() });
            live.erase (live.begin());
            live.push_back (rig.addInstrument (model::BuiltInSource::noise, { EngineRig::effect (model::EffectType::delay) }));
            rig.act (model::action::AddSend { live.back(), bus, 0.3f, i % 2 == 0 });
            rig.engine.noteOn (live.back(), 50, 0.5f);
            if (i % 5 == 0)
                rig.act (model::action::AddStage { NodeKind::bus, bus2.value, EngineRig::effect (model::EffectType::gain) });
            audio.render (3);
        }
        rig.act (model::action::Stop {});
        checkRealtimeSafe (audio.finish (30));
        CHECK (peak (audio.getLeft(), 0, audio.getLeft().size()) > 0.01f);
    }
}

namespace
{
/** A stage that allocates whenever a thread other than the audio thread renders it: it must be caught. */
class AllocatingNode final : public engine::NodeProcessor
{
public:
    explicit AllocatingNode (const model::Stage& stage)
        : NodeProcessor ("Allocating", stage.params, false) {}

    static inline std::atomic<std::thread::id> audioThread {};
    static inline std::atomic<int> allocatedOnWorker { 0 };

private:
    void prepareNode (double, int) override {}
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override
    {
        if (std::this_thread::get_id() == audioThread.load())
            return;
        auto* p = new int[16] {};
        p[0] = 1;
        allocatedOnWorker += p[0];
        delete[] p;
    }
};

struct AllocatingFactory final : engine::NodeFactory
{
    std::unique_ptr<engine::NodeProcessor> createStage (const model::Stage& stage) override
    {
        if (stage.kind == model::StageKind::effect && stage.effect == model::EffectType::gain)
            return std::make_unique<AllocatingNode> (stage);
        return NodeFactory::createStage (stage);
    }
};
} // namespace

TEST_CASE ("realtime harness catches an allocation a render worker makes for the audio thread", "[engine][realtime][parallel]")
{
    REQUIRE (realtimeHarnessActive());
    EngineRig rig (std::make_unique<AllocatingFactory>(), twoWorkers (true));
    for (int i = 0; i < 16; ++i)
        rig.addInstrument (model::BuiltInSource::saw, { EngineRig::effect (model::EffectType::gain), EngineRig::effect (model::EffectType::reverb) });
    rig.engine.update();

    AllocatingNode::allocatedOnWorker = 0;
    RealtimeAudioThread audio (rig.engine, 400);
    audio.render (1);
    AllocatingNode::audioThread = audio.getId();
    audio.render (100);
    const auto v = audio.finish (1);
    REQUIRE (AllocatingNode::allocatedOnWorker.load() > 0); // the workers did render chains
    CHECK (v.allocations >= AllocatingNode::allocatedOnWorker.load());
    CHECK (v.deallocations >= AllocatingNode::allocatedOnWorker.load());
}
