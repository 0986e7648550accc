// Engine::getOutputLatencySamples: the latency of the master chain's stages, which every path to the
// output shares (plus, with delay compensation, the most latent instrument's and bus's).

#include "imbolc_EngineTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;

namespace
{
int limiterLookAhead (double sampleRate)
{
    return juce::roundToInt (engine::LimiterNode::lookAheadSeconds * sampleRate);
}

model::StageId lastMasterStage (const model::Session& session)
{
    return session.mixer.master.chain.back().id;
}
} // namespace

TEST_CASE ("the output latency is the master limiter's look-ahead, at 44.1 and 48 kHz", "[engine][latency]")
{
    const double rate = GENERATE (44100.0, 48000.0);
    CAPTURE (rate);
    EngineRig rig;
    rig.engine.prepare (rate, EngineRig::blockSize);
    CHECK (rig.engine.getOutputLatencySamples() == 0);

    rig.act (model::action::AddStage { NodeKind::master, 0, EngineRig::effect (model::EffectType::limiter) });
    CHECK (limiterLookAhead (rate) == (rate == 44100.0 ? 44 : 48));
    CHECK (rig.engine.getOutputLatencySamples() == limiterLookAhead (rate));

    // Stages without latency add nothing.
    rig.act (model::action::AddStage { NodeKind::master, 0, EngineRig::effect (model::EffectType::gain) });
    CHECK (rig.engine.getOutputLatencySamples() == limiterLookAhead (rate));

    // An instrument's limiter and a bus's add theirs: delay compensation delays every other path to
    // the most latent instrument's and the most latent bus's (imbolc_DelayCompensationTests.cpp).
    rig.addInstrument (model::BuiltInSource::sine, { EngineRig::effect (model::EffectType::limiter) });
    CHECK (rig.engine.getOutputLatencySamples() == 2 * limiterLookAhead (rate));
    const auto bus = rig.act (model::action::AddBus { "bus" });
    rig.act (model::action::AddStage { NodeKind::bus, bus, EngineRig::effect (model::EffectType::limiter) });
    CHECK (rig.engine.getOutputLatencySamples() == 3 * limiterLookAhead (rate));

    // Removing the master's limiter leaves the others'.
    const auto limiter = rig.session.mixer.master.chain.front().id;
    rig.act (model::action::RemoveStage { NodeKind::master, 0, limiter });
    CHECK (rig.engine.getOutputLatencySamples() == 2 * limiterLookAhead (rate));
}

TEST_CASE ("the output latency follows the rate, bypass, a second limiter and a project load", "[engine][latency]")
{
    EngineRig rig;
    rig.act (model::action::AddStage { NodeKind::master, 0, EngineRig::effect (model::EffectType::limiter) });
    CHECK (rig.engine.getOutputLatencySamples() == 48);

    // A new rate re-prepares the installed master.
    rig.engine.prepare (44100.0, 512);
    CHECK (rig.engine.getOutputLatencySamples() == 44);
    rig.engine.prepare (96000.0, 128);
    CHECK (rig.engine.getOutputLatencySamples() == 96);
    rig.engine.prepare (48000.0, EngineRig::blockSize);

    // Two limiters in series delay twice.
    rig.act (model::action::AddStage { NodeKind::master, 0, EngineRig::effect (model::EffectType::limiter) });
    CHECK (rig.engine.getOutputLatencySamples() == 96);

    // A bypassed stage does not run, so it adds nothing; back on, it does.
    const auto second = lastMasterStage (rig.session);
    rig.act (model::action::SetStageBypass { NodeKind::master, 0, second, true });
    CHECK (rig.engine.getOutputLatencySamples() == 48);
    rig.act (model::action::SetStageBypass { NodeKind::master, 0, second, false });
    CHECK (rig.engine.getOutputLatencySamples() == 96);

    // A master built bypassed (a project load) starts without it.
    rig.act (model::action::SetStageBypass { NodeKind::master, 0, second, true });
    rig.engine.loadSession (rig.session);
    CHECK (rig.engine.getOutputLatencySamples() == 48);
    rig.engine.loadSession (model::Session {});
    CHECK (rig.engine.getOutputLatencySamples() == 0);
}

TEST_CASE ("a master stage's own reported latency counts, read while the audio thread runs", "[engine][latency]")
{
    // A stage that reports a latency of its own, as a hosted plugin does: 100 samples plus the limiter's.
    struct LatentNode final : engine::NodeProcessor
    {
        LatentNode()
            : NodeProcessor ("latent", {}, false) {}
        void prepareNode (double, int) override { setLatencySamples (100); }
        void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override {}
    };
    struct Factory final : engine::NodeFactory
    {
        std::unique_ptr<engine::NodeProcessor> createStage (const model::Stage& stage) override
        {
            if (stage.effect == model::EffectType::gain)
                return std::make_unique<LatentNode>();
            return NodeFactory::createStage (stage);
        }
    };

    EngineRig rig (std::make_unique<Factory>());
    const auto inst = rig.addInstrument (model::BuiltInSource::saw);
    rig.engine.noteOn (inst, 48, 1.0f);
    rig.engine.update();

    AudioThread audio (rig.engine, EngineRig::blockSize, 400);
    audio.render (10);
    rig.act (model::action::AddStage { NodeKind::master, 0, EngineRig::effect (model::EffectType::gain) });
    rig.act (model::action::AddStage { NodeKind::master, 0, EngineRig::effect (model::EffectType::limiter) });
    for (int i = 0; i < 50; ++i)
    {
        audio.allow (1);
        CHECK (rig.engine.getOutputLatencySamples() == 148);
        rig.engine.update();
    }
    audio.waitUntilCaughtUp();
    rig.act (model::action::RemoveStage { NodeKind::master, 0, rig.session.mixer.master.chain.front().id });
    CHECK (rig.engine.getOutputLatencySamples() == 48);
    audio.render (20);
    audio.stop();
}
