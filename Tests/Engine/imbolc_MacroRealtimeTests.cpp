// Macros and channel-routed host MIDI under the real-time harness: a plugin host's audio thread hands
// the engine macro values that change every block (and blocks split in two) and MIDI on several
// channels, while the message thread remaps macros, changes channels and rebuilds chains.

#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

namespace
{
/** A host's audio thread: every block passes macro values (all 16, moving) and one of a few prepared
    MIDI buffers, and every fourth block is split in two calls at an automation point. Marked real-time
    for its whole life; it renders only as many blocks as the test allows. */
class HostThread
{
public:
    HostThread (engine::Engine& e, const std::vector<juce::MidiBuffer>& midiBuffers, int maxBlocks)
        : engine (e), midi (midiBuffers), capacity (maxBlocks), left ((std::size_t) (EngineRig::blockSize * maxBlocks)), right (left.size())
    {
        resetRealtimeViolations();
        thread = std::thread ([this]
                              {
            ScopedRealtimeThread realtime;
            loop(); });
    }

    ~HostThread() { stop(); }

    void render (int blocks)
    {
        allowed.fetch_add (blocks);
        while (rendered.load() < juce::jmin (allowed.load(), capacity))
        {
            engine.update();
            std::this_thread::sleep_for (std::chrono::microseconds (200));
        }
    }

    RealtimeViolations finish (int tailBlocks)
    {
        render (tailBlocks);
        stop();
        engine.update();
        return realtimeViolations();
    }

    const std::vector<float>& getLeft() const { return left; }

private:
    void stop()
    {
        quit = true;
        if (thread.joinable())
            thread.join();
    }

    void loop()
    {
        constexpr int block = EngineRig::blockSize;
        std::array<float, model::numMacros> macros {};
        while (! quit.load())
        {
            const int done = rendered.load();
            if (done >= capacity || done >= allowed.load())
            {
                std::this_thread::yield();
                continue;
            }
            for (int k = 0; k < model::numMacros; ++k)
                macros[(std::size_t) k] = (float) ((done * (k + 3)) % 17) / 16.0f;

            engine::ProcessInput input;
            input.macros = macros.data();
            input.numMacros = model::numMacros;
            input.midi = &midi[(std::size_t) done % midi.size()];
            input.midiBlockSamples = block;
            float* outs[] = { left.data() + done * block, right.data() + done * block };
            if (done % 4 == 3)
            {
                // Split at an automation point: the second call has new values and the rest of the MIDI.
                constexpr int split = 100;
                engine.process (outs, 2, split, input);
                for (auto& m : macros)
                    m = 1.0f - m;
                input.midiStart = split;
                float* rest[] = { outs[0] + split, outs[1] + split };
                engine.process (rest, 2, block - split, input);
            }
            else
            {
                engine.process (outs, 2, block, input);
            }
            rendered.store (done + 1);
        }
    }

    engine::Engine& engine;
    const std::vector<juce::MidiBuffer>& midi;
    int capacity;
    std::vector<float> left, right;
    std::atomic<int> allowed { 0 }, rendered { 0 };
    std::atomic<bool> quit { false };
    std::thread thread;
};
} // namespace

TEST_CASE ("realtime macros and MIDI channels: moving macro values, split blocks and channel-routed MIDI make no allocation or lock", "[engine][realtime][macros]")
{
    REQUIRE (realtimeHarnessActive());
    EngineRig rig;
    std::vector<model::InstrumentId> ids;
    for (int i = 0; i < 6; ++i)
        ids.push_back (rig.addInstrument (model::BuiltInSource::saw, { EngineRig::effect (model::EffectType::gain) }));
    const auto bus = model::BusId { rig.act (model::action::AddBus { "Verb" }) };
    rig.act (model::action::AddStage { model::NodeKind::bus, bus.value, EngineRig::effect (model::EffectType::gain) });
    rig.act (model::action::AddSend { ids[0], bus, 0.25f });
    for (int i = 0; i < 4; ++i)
        rig.act (model::action::SetMidiChannel { ids[(std::size_t) i], i + 1 });
    rig.engine.setMidiInputInstrument (ids[5]);

    // Every macro mapped: levels, pans, a stage parameter, a send, the bus and the master.
    auto level = [] (model::InstrumentId id, std::uint16_t index)
    { return model::ParamAddress::instrument (id, model::ParamGroup::strip, index); };
    auto mapAll = [&]
    {
        int k = 0;
        for (const auto id : ids)
        {
            rig.act (model::action::SetMacro { k++, model::Macro { true, level (id, 0), 0.1f, 0.9f } });
            rig.act (model::action::SetMacro { k++, model::Macro { true, level (id, 1), 1.0f, -1.0f } });
        }
        const auto stage = rig.session.instruments.find (ids[1])->chain[0].id;
        const auto stageParam = model::ParamAddress::stage (model::NodeKind::instrument, ids[1].value, stage, 0);
        const auto info = *model::findParam (rig.session, stageParam);
        rig.act (model::action::SetMacro { k++, model::Macro { true, stageParam, info.minValue, info.maxValue } });
        rig.act (model::action::SetMacro { k++, model::Macro { true, model::ParamAddress::instrument (ids[0], model::ParamGroup::send, 0, bus.value), 0.0f, 1.0f } });
        rig.act (model::action::SetMacro { k++, model::Macro { true, { model::NodeKind::bus, bus.value, model::ParamGroup::strip, 0, 0 }, 0.0f, 1.0f } });
        rig.act (model::action::SetMacro { k++, model::Macro { true, { model::NodeKind::master, 0, model::ParamGroup::strip, 0, 0 }, 0.5f, 1.0f } });
        REQUIRE (k == model::numMacros);
    };
    mapAll();

    // MIDI on channels 1..6 and 16, notes and note-offs and a controller, some before or past the block.
    std::vector<juce::MidiBuffer> midi (8);
    for (int b = 0; b < 8; ++b)
    {
        for (int ch = 1; ch <= 6; ++ch)
        {
            midi[(std::size_t) b].addEvent (juce::MidiMessage::noteOn (ch, 40 + b + ch, (juce::uint8) 90), (b * 31 + ch * 7) % EngineRig::blockSize);
            midi[(std::size_t) b].addEvent (juce::MidiMessage::noteOff (ch, 40 + ((b + 5) % 8) + ch), (b * 17 + ch * 11) % EngineRig::blockSize);
        }
        midi[(std::size_t) b].addEvent (juce::MidiMessage::noteOn (16, 70 + b, (juce::uint8) 60), 130);
        midi[(std::size_t) b].addEvent (juce::MidiMessage::controllerEvent (2, 1, b * 10), 200);
        midi[(std::size_t) b].addEvent (juce::MidiMessage::noteOff (16, 70 + b), EngineRig::blockSize + 40); // past the block: its last sample
    }
    rig.engine.update();

    HostThread host (rig.engine, midi, 2000);
    host.render (100);

    // The message thread remaps, moves channels, rebuilds chains and deletes and restores one, while
    // the host keeps moving every macro.
    juce::Random random (7);
    for (int i = 0; i < 40; ++i)
    {
        const auto who = ids[(std::size_t) random.nextInt (5)];
        rig.act (model::action::SetMidiChannel { who, random.nextInt (17) });
        rig.act (model::action::SetMacro { random.nextInt (12), model::Macro { true, level (who, 0), random.nextFloat(), random.nextFloat() } });
        if (i % 5 == 0)
            rig.act (model::action::AddStage { model::NodeKind::instrument, who.value, EngineRig::effect (model::EffectType::gain) });
        if (i % 9 == 0)
        {
            rig.act (model::action::DeleteInstrument { ids[2] });
            host.render (3);
            rig.act (model::action::Undo {});
        }
        if (i % 7 == 0)
            rig.engine.setMidiInputInstrument (ids[(std::size_t) random.nextInt (6)]);
        host.render (8);
    }
    mapAll();
    host.render (50);
    checkRealtimeSafe (host.finish (20));

    // It really played (the channels reached their instruments).
    CHECK (peak (host.getLeft(), 0, host.getLeft().size()) > 0.05f);
}
