// The audio thread under the real-time harness: every malloc, free, new, delete and mutex lock it makes
// is recorded (Tests/Helpers/imbolc_RealtimeHarness). Built only where the harness can interpose
// (not under sanitizers, which own malloc); the harness's own tests prove it catches violations.

#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;
using model::ParamAddress;
using model::ParamGroup;

TEST_CASE ("realtime engine audio thread makes no allocation or lock through playback and heavy editing", "[engine][realtime]")
{
    REQUIRE (realtimeHarnessActive());

    EngineRig rig;
    const auto keep = rig.addInstrument (model::BuiltInSource::saw, { EngineRig::effect (model::EffectType::delay) });
    const auto bus = model::BusId { rig.act (model::action::AddBus { "fx" }) };
    rig.act (model::action::AddSend { keep, bus, 0.5f, true });
    rig.engine.noteOn (keep, 48, 1.0f);
    rig.act (model::action::Play {});
    rig.engine.update();

    RealtimeAudioThread audio (rig.engine, 4000);
    audio.render (10);

    // 50 instrument adds and deletes, with notes, sends and reroutes.
    std::vector<model::InstrumentId> live;
    for (int i = 0; i < 50; ++i)
    {
        const auto id = rig.addInstrument (i % 3 == 0 ? model::BuiltInSource::noise : model::BuiltInSource::square,
                                           { EngineRig::effect (model::EffectType::delay), EngineRig::effect (model::EffectType::gain) });
        rig.act (model::action::AddSend { id, bus, 0.3f, i % 2 == 0 });
        if (i % 4 == 0)
            rig.act (model::action::SetOutput { id, bus });
        rig.engine.noteOn (id, 36 + i, 0.8f);
        live.push_back (id);
        if (live.size() > 5)
        {
            rig.act (model::action::DeleteInstrument { live.front() });
            live.erase (live.begin());
        }
        audio.render (2);
    }

    // Bus edits: effects replaced (rebuild), muted, soloed, level changed; a second bus added and removed.
    for (int i = 0; i < 6; ++i)
    {
        rig.act (model::action::AddStage { NodeKind::bus, bus.value, EngineRig::effect (model::EffectType::delay) });
        rig.act (model::action::SetSolo { NodeKind::bus, bus.value, i % 2 == 0 });
        rig.setParam ({ NodeKind::bus, bus.value, ParamGroup::strip, 0, 0 }, 0.1f * (float) i);
        const auto extra = model::BusId { rig.act (model::action::AddBus { "extra" }) };
        rig.act (model::action::RemoveBus { extra });
        audio.render (3);
    }
    rig.act (model::action::AddStage { NodeKind::master, 0, EngineRig::effect (model::EffectType::gain) });

    // 10,000 parameter changes in one burst, then let the audio thread drain them.
    std::vector<ParamAddress> addresses;
    for (const auto& inst : rig.session.instruments)
        model::forEachParam (inst, [&] (const ParamAddress& a)
                             { if (a.group != ParamGroup::lfo) addresses.push_back (a); });
    juce::Random random (11);
    for (int i = 0; i < 10000; ++i)
    {
        const auto& a = addresses[(std::size_t) random.nextInt ((int) addresses.size())];
        const auto info = model::findParam (rig.session, a);
        rig.act (model::action::SetParam { a, info->minValue + random.nextFloat() * (info->maxValue - info->minValue) });
    }
    for (int i = 0; i < 100 && rig.engine.getStats().backloggedCommands > 0; ++i)
    {
        audio.render (1);
    }
    for (auto id : live)
        rig.act (model::action::DeleteInstrument { id });
    rig.act (model::action::Stop {});
    checkRealtimeSafe (audio.finish (40));
    CHECK (rig.engine.getStats().backloggedCommands == 0);
    CHECK (audio.blocksRendered() > 150);
    CHECK (peak (audio.getLeft(), 0, (std::size_t) (audio.blocksRendered() * EngineRig::blockSize)) > 0.1f);
}

TEST_CASE ("realtime harness catches an allocation made inside engine processing", "[engine][realtime]")
{
    // Proves the harness sees the engine's audio path: a node that allocates in processBlock is caught.
    struct AllocatingNode final : engine::NodeProcessor
    {
        AllocatingNode()
            : NodeProcessor ("allocates", {}, false) {}
        void prepareNode (double, int) override {}
        void processNode (juce::AudioBuffer<float>& b, juce::MidiBuffer&) noexcept override
        {
            std::vector<float> scratch ((std::size_t) b.getNumSamples());
            b.setSample (0, 0, b.getSample (0, 0) + scratch[0]);
        }
    };
    struct Factory final : engine::NodeFactory
    {
        std::unique_ptr<engine::NodeProcessor> createStage (const model::Stage&) override { return std::make_unique<AllocatingNode>(); }
    };

    REQUIRE (realtimeHarnessActive());
    EngineRig rig (std::make_unique<Factory>());
    rig.addInstrument (model::BuiltInSource::sine, { EngineRig::effect (model::EffectType::gain) });
    rig.engine.update();

    std::vector<float> l (EngineRig::blockSize), r (EngineRig::blockSize);
    float* outs[] = { l.data(), r.data() };
    resetRealtimeViolations();
    {
        ScopedRealtimeThread scope;
        rig.engine.process (outs, 2, EngineRig::blockSize);
    }
    const auto v = realtimeViolations();
    CHECK (v.allocations >= 1);
    CHECK (v.deallocations >= 1);
}
