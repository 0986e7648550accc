// Delay compensation under the real-time harness: while latencies change (latent stages added,
// bypassed and removed on instruments, buses and the master; instruments with latent stages added and
// deleted), the audio thread crossfades its delay lines and takes the larger memory the message thread
// made, with no allocation, free or lock.

#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;

TEST_CASE ("realtime delay compensation follows changing latencies without allocating or locking", "[engine][realtime][latency][pdc]")
{
    REQUIRE (realtimeHarnessActive());

    auto limiter = []
    { return EngineRig::effect (model::EffectType::limiter, { { 0, 0.0f } }); };

    EngineRig rig;
    const auto bus = model::BusId { rig.act (model::action::AddBus { "bus" }) };
    const auto lead = rig.addInstrument (model::BuiltInSource::saw, { limiter() });
    const auto pad = rig.addInstrument (model::BuiltInSource::sine);
    rig.act (model::action::AddSend { pad, bus, 0.5f, true });
    rig.act (model::action::AddSend { lead, bus, 0.3f, false });
    const auto leadLimiter = rig.session.instruments.find (lead)->chain.front().id;
    rig.engine.noteOn (lead, 48, 0.8f);
    rig.engine.noteOn (pad, 55, 0.8f);
    rig.engine.update();

    RealtimeAudioThread audio (rig.engine, 2000);
    audio.render (4);

    std::vector<model::InstrumentId> latent;
    for (int round = 0; round < 12; ++round)
    {
        // Ever longer chains of limiters: the other paths' delay lines need larger memory each time.
        std::vector<model::Stage> stages;
        for (int i = 0; i <= round; ++i)
            stages.push_back (limiter());
        latent.push_back (rig.addInstrument (model::BuiltInSource::square, std::move (stages)));
        rig.engine.noteOn (latent.back(), 60 + round, 0.5f);
        audio.render (2);

        rig.act (model::action::SetStageBypass { NodeKind::instrument, lead.value, leadLimiter, round % 2 == 0 });
        rig.act (model::action::AddStage { NodeKind::bus, bus.value, limiter() });
        audio.render (2);
        if (round % 3 == 0)
            rig.act (model::action::AddStage { NodeKind::master, 0, limiter() });
        rig.act (model::action::SetSendTap { lead, bus, round % 2 == 1 });
        audio.render (2);

        if (latent.size() > 3)
        {
            rig.act (model::action::DeleteInstrument { latent.front() });
            latent.erase (latent.begin());
        }
        audio.render (2);
    }
    CHECK (rig.engine.getOutputLatencySamples() > 12 * 48);

    // Everything latent goes: every line fades back to no delay.
    for (auto id : latent)
        rig.act (model::action::DeleteInstrument { id });
    rig.act (model::action::RemoveBus { bus });
    rig.act (model::action::SetStageBypass { NodeKind::instrument, lead.value, leadLimiter, true });
    while (! rig.session.mixer.master.chain.empty())
        rig.act (model::action::RemoveStage { NodeKind::master, 0, rig.session.mixer.master.chain.front().id });
    checkRealtimeSafe (audio.finish (40));
    CHECK (rig.engine.getOutputLatencySamples() == 0);
    CHECK (rig.engine.getAudioGraph().getOutputLatency() == 0);
    CHECK (rig.engine.getAudioGraph().getDirectDelay().isIdle());
    CHECK (rig.engine.getStats().backloggedCommands == 0);
}
