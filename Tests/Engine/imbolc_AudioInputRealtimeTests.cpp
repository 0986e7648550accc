// Audio input under the real-time harness: playing inputs through chains, recording takes (recorders
// attached, written and handed back over several play/stop cycles) and playing audio clips make no
// allocation, free or lock on the audio thread.

#include "imbolc_AudioInputTestSupport.h"
#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

TEST_CASE ("realtime audio input, recording and audio clips make no allocation or lock", "[engine][realtime][audioin]")
{
    REQUIRE (realtimeHarnessActive());

    TempFolder folder;
    EngineRig rig;
    rig.engine.setRecordingFolder (folder.get());
    rig.engine.setRecordingLatency (64);
    const auto a = addAudioInput (rig, 0, "A");
    const auto b = addAudioInput (rig, 2, "B");
    rig.act (model::action::SetRecordArm { a, true });
    rig.act (model::action::SetRecordArm { b, true });

    InputFeed feed (4, 48000 * 8, 21);
    std::vector<float> left (EngineRig::blockSize * 2), right (left.size());
    float* outs[] = { left.data(), right.data() };
    std::vector<const float*> inputs (4);
    std::size_t pos = 0;
    double energy = 0.0;
    auto renderCalls = [&] (int calls, int callSize)
    {
        for (int i = 0; i < calls; ++i)
        {
            for (int ch = 0; ch < 4; ++ch)
                inputs[(std::size_t) ch] = feed.from (ch, pos);
            engine::ProcessInput input;
            input.inputs = inputs.data();
            input.numInputChannels = 4;
            {
                ScopedRealtimeThread realtime;
                rig.engine.process (outs, 2, callSize, input);
            }
            pos += (std::size_t) callSize;
            rig.engine.update();
            energy += rms (left, 0, (std::size_t) callSize);
        }
    };

    resetRealtimeViolations();
    renderCalls (4, EngineRig::blockSize);
    std::vector<engine::RecordedTake> takes;
    for (int round = 0; round < 3; ++round)
    {
        rig.act (model::action::Locate { 0 });
        rig.act (model::action::SetRecording { true }); // Stop turns recording off
        rig.act (model::action::Play {});
        renderCalls (40, EngineRig::blockSize * 3 / 2);
        rig.act (model::action::Stop {});
        renderCalls (3, EngineRig::blockSize);
        for (auto& t : rig.engine.takeRecordedTakes())
            takes.push_back (t);
        // Each round's takes play back on an audio track while the next round records.
        model::Source track;
        track.kind = model::SourceKind::audioClips;
        for (const auto& t : takes)
            track.clips.push_back (t.toClip (t.file.getFullPathName().toStdString()));
        std::stable_sort (track.clips.begin(), track.clips.end(), [] (const auto& x, const auto& y)
                          { return x.start < y.start; });
        rig.act (model::action::AddInstrument { "Takes", track });
    }
    const auto violations = realtimeViolations();
    INFO (violations.first);
    CHECK (violations.total() == 0);
    CHECK (takes.size() == 6);
    for (const auto& t : takes)
        CHECK (t.samples == 40 * EngineRig::blockSize * 3 / 2);
    CHECK (energy > 0.0);
}
