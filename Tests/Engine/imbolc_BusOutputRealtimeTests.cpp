// Direct bus outputs under the real-time harness: rendering with them on, while buses are added,
// removed (shifting the mixer order) and rebuilt, and the master becomes latent, makes no allocation,
// free or lock.

#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;

TEST_CASE ("realtime direct bus outputs make no allocation or lock through bus edits", "[engine][realtime][busoutputs]")
{
    REQUIRE (realtimeHarnessActive());

    EngineRig rig;
    std::vector<model::BusId> buses;
    for (int i = 0; i < 4; ++i)
        buses.push_back (model::BusId { rig.act (model::action::AddBus { "bus" }) });
    for (int i = 0; i < 4; ++i)
    {
        const auto inst = rig.addInstrument (model::BuiltInSource::saw, { EngineRig::effect (model::EffectType::delay) });
        rig.act (model::action::SetOutput { inst, buses[(std::size_t) i] });
        rig.act (model::action::AddSend { inst, buses[(std::size_t) ((i + 1) % 4)], 0.4f, i % 2 == 0 });
        rig.engine.noteOn (inst, 40 + 5 * i, 0.8f);
    }
    rig.engine.update();

    // Eight pairs, every other one given; calls of 1.5 blocks, so every call is split into chunks.
    constexpr int callSize = EngineRig::blockSize * 3 / 2;
    std::vector<std::vector<float>> channels (16, std::vector<float> ((std::size_t) callSize));
    std::vector<float*> pointers (16, nullptr);
    for (int k = 0; k < 8; k += 2)
        for (int side = 0; side < 2; ++side)
            pointers[(std::size_t) (2 * k + side)] = channels[(std::size_t) (2 * k + side)].data();
    std::vector<float> left ((std::size_t) callSize), right ((std::size_t) callSize);
    float* outs[] = { left.data(), right.data() };
    engine::HostTransport transport;
    transport.playing = true;
    engine::ProcessInput input;
    input.busOutputs = pointers.data();
    input.numBusOutputs = (int) pointers.size();
    input.transport = &transport;

    double directEnergy = 0.0;
    auto renderCalls = [&] (int calls)
    {
        for (int i = 0; i < calls; ++i)
        {
            {
                ScopedRealtimeThread realtime;
                rig.engine.process (outs, 2, callSize, input);
            }
            transport.ppqPosition += callSize * 2.0 / EngineRig::sampleRate;
            rig.engine.update();
            directEnergy += rms (channels[0], 0, (std::size_t) callSize) + rms (channels[4], 0, (std::size_t) callSize);
        }
    };

    resetRealtimeViolations();
    renderCalls (10);
    for (int round = 0; round < 6; ++round)
    {
        // A bus before the others goes and comes back at the end: every later bus moves one place.
        rig.clock.now += 60000;
        rig.act (model::action::RemoveBus { buses.front() });
        buses.erase (buses.begin());
        renderCalls (3);
        buses.push_back (model::BusId { rig.act (model::action::AddBus { "again" }) });
        // A bus's effects replaced: its old and new chains crossfade into its direct output.
        rig.act (model::action::AddStage { NodeKind::bus, buses[1].value, EngineRig::effect (model::EffectType::gain) });
        renderCalls (3);
        // A latent master: every bus's direct output is delayed by it from now on, and the buses that
        // go through the master feed their direct-output delay (a copy) to keep it ready.
        if (round == 2)
            rig.act (model::action::AddStage { NodeKind::master, 0, EngineRig::effect (model::EffectType::limiter) });
    }
    renderCalls (20);
    checkRealtimeSafe (realtimeViolations());
    CHECK (directEnergy > 0.01);
    CHECK (rig.engine.getOutputLatencySamples() > 0);
}
