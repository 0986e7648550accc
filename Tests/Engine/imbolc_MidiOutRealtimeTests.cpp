// MIDI output and MIDI clock out under the real-time harness: instruments with MIDI output channels play
// sequenced notes in a loop and live notes and controllers, clock out runs through loop wraps, channels
// change and instruments come and go, with the queue drained only now and then (so it fills and drops).

#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

TEST_CASE ("realtime MIDI output and MIDI clock out make no allocation or lock", "[engine][realtime][midiout]")
{
    REQUIRE (realtimeHarnessActive());
    engine::Engine::Options options;
    options.midiOutCapacity = 2048;
    EngineRig rig (nullptr, options);
    std::vector<model::InstrumentId> ids;
    for (int i = 0; i < 4; ++i)
    {
        ids.push_back (rig.addInstrument (model::BuiltInSource::saw));
        for (int n = 0; n < 16; ++n)
            rig.act (model::action::AddNote { ids.back(), model::Note { {}, n * 120, 100, (std::uint8_t) (48 + n + i), 100, 1.0f } });
        rig.act (model::action::SetMidiOutput { ids.back(), 1 + i });
    }
    rig.engine.setMidiInputInstrument (ids[0]);
    rig.engine.setMidiClockOut (true);
    rig.act (model::action::SetLoop { { true, 0, 1920 } });
    rig.act (model::action::Play {});

    std::vector<juce::MidiBuffer> midi (4);
    for (int b = 0; b < 4; ++b)
        for (int k = 0; k < 20; ++k)
        {
            midi[(std::size_t) b].addEvent (juce::MidiMessage::noteOn (1, 60 + k, (juce::uint8) 80), k * 10);
            midi[(std::size_t) b].addEvent (juce::MidiMessage::controllerEvent (1, 1, k), k * 10 + 1);
            midi[(std::size_t) b].addEvent (juce::MidiMessage::noteOff (1, 60 + k), k * 10 + 5);
        }

    constexpr int callSize = EngineRig::blockSize * 3 / 2;
    std::vector<float> left ((std::size_t) callSize), right ((std::size_t) callSize);
    float* outs[] = { left.data(), right.data() };
    std::size_t sent = 0;
    int call = 0;
    auto renderCalls = [&] (int calls, bool drain)
    {
        for (int i = 0; i < calls; ++i, ++call)
        {
            engine::ProcessInput input;
            input.midi = &midi[(std::size_t) call % midi.size()];
            input.midiBlockSamples = callSize;
            {
                ScopedRealtimeThread realtime;
                rig.engine.process (outs, 2, callSize, input);
            }
            rig.engine.update();
            if (drain)
                for (engine::MidiOutEvent e; rig.engine.getMidiOut().pop (e);)
                    ++sent;
        }
    };

    resetRealtimeViolations();
    renderCalls (20, true);
    renderCalls (200, false); // nobody drains: the queue fills and drops
    for (int round = 0; round < 10; ++round)
    {
        const auto who = ids[(std::size_t) round % 4];
        rig.act (model::action::SetMidiOutput { who, 1 + (round * 5) % 16 });
        renderCalls (3, true);
        rig.act (model::action::AddStage { model::NodeKind::instrument, who.value, EngineRig::effect (model::EffectType::gain) });
        renderCalls (3, true);
        rig.engine.setMidiClockOut (round % 2 == 0);
        rig.act (model::action::Locate { (model::Tick) (round * 97) });
        renderCalls (4, true);
    }
    const auto extra = rig.addInstrument (model::BuiltInSource::sine);
    rig.act (model::action::SetMidiOutput { extra, 16 });
    renderCalls (4, true);
    rig.act (model::action::DeleteInstrument { extra });
    renderCalls (10, true);
    checkRealtimeSafe (realtimeViolations());

    CHECK (sent > 1000);
    CHECK (rig.engine.getMidiOut().getDropped() > 0);
}
