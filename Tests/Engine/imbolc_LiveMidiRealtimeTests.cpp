// Live MIDI capture, learned MIDI mappings and the count-in click under the real-time harness: blocks
// full of notes, controllers (a flood of them, mapped, splitting the call at their samples) and pitch
// bend, with the capture queue drained only now and then (so it fills and drops), while the message
// thread adds, changes and removes mappings and starts count-ins.

#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

TEST_CASE ("realtime live MIDI capture, MIDI mappings and the count-in make no allocation or lock", "[engine][realtime][livemidi]")
{
    REQUIRE (realtimeHarnessActive());
    EngineRig rig;
    std::vector<model::InstrumentId> ids;
    for (int i = 0; i < 4; ++i)
        ids.push_back (rig.addInstrument (model::BuiltInSource::saw, { EngineRig::effect (model::EffectType::gain) }));
    rig.act (model::action::SetMidiChannel { ids[1], 2 });
    rig.engine.setMidiInputInstrument (ids[0]);
    auto level = [] (model::InstrumentId id, std::uint16_t index)
    { return model::ParamAddress::instrument (id, model::ParamGroup::strip, index); };
    auto mapping = [&] (model::InstrumentId id, std::uint16_t index, int cc, model::MidiCurve curve)
    {
        model::MidiMapping m;
        m.source = cc < 0 ? model::MidiSource::pitchBend : model::MidiSource::controller;
        m.controller = juce::jmax (0, cc);
        m.channel = juce::jmax (0, cc) % 3;
        m.param = level (id, index);
        m.min = index == 0 ? 0.1f : -1.0f;
        m.max = index == 0 ? 0.9f : 1.0f;
        m.curve = curve;
        return m;
    };
    for (int i = 0; i < 4; ++i)
    {
        rig.act (model::action::AddMidiMapping { mapping (ids[(std::size_t) i], 0, 7 + i, model::MidiCurve::exponential) });
        rig.act (model::action::AddMidiMapping { mapping (ids[(std::size_t) i], 1, 10 + i, model::MidiCurve::logarithmic) });
    }
    rig.act (model::action::SetLoop { { true, 0, 1920 } });
    rig.act (model::action::Play {});

    // Eight blocks of MIDI: notes on two channels, 40 mapped controllers at distinct samples (more
    // splits than a call allows), pitch bend, and events before and past the block.
    std::vector<juce::MidiBuffer> midi (8);
    for (int b = 0; b < 8; ++b)
    {
        auto& m = midi[(std::size_t) b];
        for (int ch = 1; ch <= 2; ++ch)
        {
            m.addEvent (juce::MidiMessage::noteOn (ch, 40 + b + ch, (juce::uint8) 90), (b * 31 + ch * 7) % EngineRig::blockSize);
            m.addEvent (juce::MidiMessage::noteOff (ch, 40 + ((b + 5) % 8) + ch), (b * 17 + ch * 11) % EngineRig::blockSize);
        }
        for (int k = 0; k < 40; ++k)
            m.addEvent (juce::MidiMessage::controllerEvent (1 + k % 3, 7 + k % 8, (k * 13 + b) % 128), 3 + k * 6);
        m.addEvent (juce::MidiMessage::pitchWheel (1, (b * 2000) % 16384), 77);
        m.addEvent (juce::MidiMessage::noteOff (1, 41 + b), EngineRig::blockSize + 40);
    }

    constexpr int callSize = EngineRig::blockSize * 3 / 2; // every call split into chunks too
    std::vector<float> left ((std::size_t) callSize), right ((std::size_t) callSize);
    float* outs[] = { left.data(), right.data() };
    double energy = 0.0;
    std::size_t captured = 0;
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
                captured += rig.engine.takeLiveMidi().size();
            energy += rms (left, 0, (std::size_t) callSize);
        }
    };

    resetRealtimeViolations();
    renderCalls (20, true);
    renderCalls (260, false); // nobody drains: the queue (about 8,000 here) fills and drops
    for (int round = 0; round < 10; ++round)
    {
        const auto who = ids[(std::size_t) round % 4];
        rig.act (model::action::ChangeMidiMapping { mapping (who, 0, 20 + round, (model::MidiCurve) (round % 3)) });
        renderCalls (3, true);
        rig.act (model::action::RemoveMidiMapping { level (who, 1) });
        rig.act (model::action::AddStage { model::NodeKind::instrument, who.value, EngineRig::effect (model::EffectType::gain) });
        renderCalls (3, true);
        rig.act (model::action::AddMidiMapping { mapping (who, 1, -1, model::MidiCurve::linear) });
        if (round % 3 == 0)
            rig.engine.startCountIn (rig.session, 1 + round % 2);
        renderCalls (6, true);
    }
    renderCalls (10, true);
    checkRealtimeSafe (realtimeViolations());

    CHECK (energy > 0.01);
    CHECK (captured > 1000);
    CHECK (rig.engine.getLiveMidiDrops() > 0);
}
