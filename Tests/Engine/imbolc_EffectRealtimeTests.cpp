// The built-in filters, EQ and effects under the real-time harness: processing, with parameters
// moving every block (targets, automation ramps, LFO modulation), makes no allocation, free or lock.

#include "imbolc_EffectTestSupport.h"
#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using namespace imbolc::test::fx;
using model::EffectType;
using model::FilterType;

namespace
{
std::vector<model::Stage> everyBuiltInStage()
{
    std::vector<model::Stage> stages;
    for (auto type : { FilterType::lowPass, FilterType::highPass, FilterType::bandPass, FilterType::notch })
        stages.push_back (filterStage (type, 1000.0f, 0.5f, 0.3f));
    stages.push_back (eqStage ({ { 0, 120.0f, 4.0f, 1.0f }, { 2, 2500.0f, -6.0f, 3.0f } }));
    for (auto type : { EffectType::delay, EffectType::reverb, EffectType::chorus, EffectType::compressor, EffectType::distortion, EffectType::limiter, EffectType::gain })
        stages.push_back (effectStage (type));
    return stages;
}
} // namespace

TEST_CASE ("realtime every built-in filter and effect processes with moving parameters without allocating or locking", "[effects][realtime]")
{
    REQUIRE (realtimeHarnessActive());

    for (const auto& stage : everyBuiltInStage())
    {
        NodeRun run (stage);
        auto& node = *run.node;
        INFO (node.getName());
        const int count = node.getNumNodeParameters();
        REQUIRE (count == (int) stage.params.size());

        // Everything the loop touches exists before it starts. The buffer is sized by setSize (not
        // the constructor, which reserves a few bytes less than setSize later asks for).
        juce::AudioBuffer<float> buffer;
        buffer.setSize (2, block);
        juce::MidiBuffer midi;
        juce::Random random (99);
        std::vector<float> input = noise (0.1, 0.8f, 1);
        bool finite = true;

        resetRealtimeViolations();
        {
            ScopedRealtimeThread scope;
            for (int b = 0; b < 600; ++b)
            {
                const int n = 1 + random.nextInt (block); // hosts hand over odd block sizes too
                buffer.setSize (2, n, false, false, true);
                for (int c = 0; c < 2; ++c)
                    for (int i = 0; i < n; ++i)
                        buffer.setSample (c, i, input[(std::size_t) ((b * 37 + i * (c + 1)) % (int) input.size())]);

                for (int p = 0; p < count; ++p)
                {
                    const auto range = node.getParameterRange (p);
                    const float value = range.getStart() + random.nextFloat() * range.getLength();
                    switch ((b + p) % 4)
                    {
                        case 0:
                            node.setParameterTarget (p, value);
                            break;
                        case 1:
                            node.setParameterRamp (p, value, random.nextInt (2 * block));
                            break;
                        case 2:
                            node.setParameterModulation (p, (random.nextFloat() - 0.5f) * range.getLength());
                            break;
                        default:
                            node.setParameterModulation (p, 0.0f);
                            break;
                    }
                }
                node.processBlock (buffer, midi);
                for (int c = 0; c < 2; ++c)
                    for (int i = 0; i < n; ++i)
                        finite = finite && std::isfinite (buffer.getSample (c, i));
                (void) node.getTailLengthSeconds();
            }
        }
        checkRealtimeSafe (realtimeViolations());
        CHECK (finite);
    }
}

TEST_CASE ("realtime engine audio thread runs every built-in stage through parameter bursts without allocating or locking", "[effects][realtime][engine]")
{
    REQUIRE (realtimeHarnessActive());

    EngineRig rig;
    const auto id = rig.addInstrument (model::BuiltInSource::saw, everyBuiltInStage());
    rig.act (model::action::AddStage { model::NodeKind::master, 0, effectStage (EffectType::limiter) });
    rig.engine.noteOn (id, 45, 1.0f);
    rig.engine.update();

    RealtimeAudioThread audio (rig.engine, 1000);
    audio.render (10);

    std::vector<model::ParamAddress> addresses;
    model::forEachParam (*rig.session.instruments.find (id), [&] (const model::ParamAddress& a)
                         { if (a.group == model::ParamGroup::stage) addresses.push_back (a); });
    REQUIRE (addresses.size() > 40);

    juce::Random random (17);
    for (int round = 0; round < 40; ++round)
    {
        for (int i = 0; i < 100; ++i)
        {
            const auto& a = addresses[(std::size_t) random.nextInt ((int) addresses.size())];
            const auto info = model::findParam (rig.session, a);
            rig.setParam (a, info->minValue + random.nextFloat() * (info->maxValue - info->minValue));
        }
        audio.render (5);
    }
    rig.engine.noteOff (id, 45);
    checkRealtimeSafe (audio.finish (40));
    const auto rendered = (std::size_t) (audio.blocksRendered() * EngineRig::blockSize);
    CHECK (allFinite (std::vector<float> (audio.getLeft().begin(), audio.getLeft().begin() + (long) rendered)));
    CHECK (peak (audio.getLeft(), 0, rendered) > 0.01f);
    CHECK (peak (audio.getLeft(), 0, rendered) <= engine::SafetyLimiterNode::ceiling);
}
