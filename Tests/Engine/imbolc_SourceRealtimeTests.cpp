// Every built-in source under the real-time harness: chords, retriggers, steals, cap changes, all
// notes/sound off and parameter changes, with every malloc, free and mutex lock the audio thread makes
// recorded (Tests/Helpers/imbolc_RealtimeHarness). Built only where the harness can interpose.

#include "imbolc_RealtimeTestSupport.h"
#include "imbolc_SourceTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

TEST_CASE ("realtime sources: every kind plays, steals and takes changes without allocating or locking", "[sources][realtime]")
{
    REQUIRE (realtimeHarnessActive());
    TempFolder temp;
    REQUIRE (engine::writeDemoSample (temp / "samples/demo-piano-c4.wav"));
    engine::NodeFactory factory;
    factory.setBaseDirectory (temp.folder);

    constexpr int blockSize = 256, blocks = 300;
    struct Played
    {
        std::unique_ptr<engine::NodeProcessor> node;
        float peak = 0.0f;
        bool finite = true;
    };
    std::vector<Played> nodes;
    for (int k = 0; k < model::numBuiltInSources; ++k)
    {
        auto inst = SourceRig::makeInstrument ((model::BuiltInSource) k, {}, 6);
        inst.source.samplePath = "samples/demo-piano-c4.wav";
        nodes.push_back ({ factory.createSource (inst) });
        nodes.back().node->setPlayConfigDetails (0, 2, 48000.0, blockSize);
        nodes.back().node->prepareToPlay (48000.0, blockSize);
    }
    REQUIRE (factory.takeWarnings().empty());

    juce::AudioBuffer<float> buffer (2, blockSize);
    juce::MidiBuffer midi;
    midi.ensureSize (4096);
    juce::Random random (2024);

    resetRealtimeViolations();
    {
        ScopedRealtimeThread scope;
        for (auto& played : nodes)
        {
            auto& node = *played.node;
            const int numParams = node.getNumNodeParameters();
            for (int b = 0; b < blocks; ++b)
            {
                midi.clear();
                // A chord of up to five notes at random offsets (six-voice cap: steals), some repeated
                // pitches (retriggers), note offs, and now and then all notes off or all sound off.
                // (A drum kit's pads are on 36 to 47: it plays from there, and some notes miss the kit.)
                const int lowest = node.getName() == engine::DrumKitSynth::name ? 36 : 48;
                for (int i = random.nextInt (6); --i >= 0;)
                {
                    const juce::uint8 on[] = { 0x90, (juce::uint8) (lowest + random.nextInt (24)), (juce::uint8) (1 + random.nextInt (127)) };
                    midi.addEvent (on, 3, random.nextInt (blockSize));
                }
                for (int i = random.nextInt (4); --i >= 0;)
                {
                    const juce::uint8 off[] = { 0x80, (juce::uint8) (48 + random.nextInt (24)), 64 };
                    midi.addEvent (off, 3, random.nextInt (blockSize));
                }
                if (b % 50 == 49)
                {
                    const juce::uint8 cc[] = { 0xb0, 123, 0 };
                    midi.addEvent (cc, 3, random.nextInt (blockSize));
                }
                if (b % 77 == 76)
                {
                    const juce::uint8 cc[] = { 0xb0, 120, 0 };
                    midi.addEvent (cc, 3, random.nextInt (blockSize));
                }
                // Parameter glides, jumps, ramps and modulation anywhere in range, amp included.
                for (int i = 0; i < 3; ++i)
                {
                    const int p = random.nextInt (numParams);
                    const auto range = node.getParameterRange (p);
                    const float v = range.getStart() + random.nextFloat() * range.getLength();
                    switch (random.nextInt (3))
                    {
                        case 0:
                            node.setParameterTarget (p, v);
                            break;
                        case 1:
                            node.setParameterRamp (p, v, random.nextInt (2000));
                            break;
                        default:
                            node.setParameterModulation (p, (random.nextFloat() - 0.5f) * range.getLength() * 0.2f);
                            break;
                    }
                }
                if (b % 40 == 0)
                    node.setVoiceLimit (b % 80 == 0 ? 1 + random.nextInt (8) : model::Instrument::maxVoiceCap);

                node.processBlock (buffer, midi);
                for (int c = 0; c < 2; ++c)
                    for (int i = 0; i < blockSize; ++i)
                    {
                        const float s = buffer.getSample (c, i);
                        played.finite = played.finite && std::isfinite (s);
                        played.peak = std::max (played.peak, std::abs (s));
                    }
            }
        }
    }
    checkRealtimeSafe (realtimeViolations());
    for (std::size_t k = 0; k < nodes.size(); ++k)
    {
        INFO (model::toString ((model::BuiltInSource) k));
        CHECK (nodes[k].finite);
        CHECK (nodes[k].peak > 0.01f);
        CHECK (nodes[k].peak < 16.0f);
    }
}

TEST_CASE ("realtime sources: every kind in the engine, with voice caps and edits, on a real audio thread", "[sources][realtime][engine]")
{
    REQUIRE (realtimeHarnessActive());
    TempFolder temp;
    REQUIRE (engine::writeDemoSample (temp / "samples/demo-piano-c4.wav"));

    EngineRig rig;
    rig.engine.getNodeFactory().setBaseDirectory (temp.folder);
    std::vector<model::InstrumentId> ids;
    for (int k = 0; k < model::numBuiltInSources; ++k)
    {
        model::Source s;
        s.builtIn = (model::BuiltInSource) k;
        s.samplePath = "samples/demo-piano-c4.wav";
        ids.push_back (model::InstrumentId { rig.act (model::action::AddInstrument { model::toString (s.builtIn), s, model::Backend::internal, {} }) });
    }
    REQUIRE (rig.engine.getNodeFactory().takeWarnings().empty());
    rig.engine.update();

    RealtimeAudioThread audio (rig.engine, 1000);
    audio.render (4);

    juce::Random random (99);
    for (int round = 0; round < 60; ++round)
    {
        for (auto id : ids)
        {
            for (int i = 0; i < 3; ++i)
                rig.engine.noteOn (id, 40 + random.nextInt (40), 0.2f + 0.8f * random.nextFloat());
            if (round % 3 == 2)
                rig.engine.noteOff (id, 40 + random.nextInt (40));
            if (round % 10 == 5)
                rig.act (model::action::SetVoiceCap { id, 1 + random.nextInt (12) });
            if (round % 17 == 16)
                rig.engine.allNotesOff (id);
            const auto& inst = *rig.session.instruments.find (id);
            const auto p = (std::uint16_t) random.nextInt ((int) inst.source.params.size());
            const auto& param = inst.source.params[p];
            rig.setParam (model::ParamAddress::instrument (id, model::ParamGroup::source, p), param.minValue + random.nextFloat() * (param.maxValue - param.minValue));
            rig.setParam (model::ParamAddress::instrument (id, model::ParamGroup::amp, (std::uint16_t) random.nextInt (4)), 0.005f + random.nextFloat() * 0.5f);
        }
        audio.render (4);
    }
    checkRealtimeSafe (audio.finish (40));
    CHECK (rig.engine.getStats().backloggedCommands == 0);
    CHECK (peak (audio.getLeft(), 0, (std::size_t) (audio.blocksRendered() * EngineRig::blockSize)) > 0.1f);
}
