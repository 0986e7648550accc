#pragma once

// Instrumentation for sequencer timing: a source that records the absolute sample of every note event
// the engine hands it, and a rig whose instruments all get one.

#include "imbolc_EngineTestSupport.h"

namespace imbolc::test
{

/** A source that records the absolute sample index of every note event it is handed. It is not a
    stand-in for a real component: it is instrumentation, so timing is asserted on the sample the
    engine delivered the event at, independently of any synth's attack shape. */
class ProbeSource final : public engine::NodeProcessor
{
public:
    struct Event
    {
        std::int64_t sample;
        bool on;
        int pitch;
        int velocity = 0; ///< MIDI 1..127 for note-ons
    };

    explicit ProbeSource (const model::Instrument& inst)
        : NodeProcessor ("Probe", engine::withAmpPlaceholders (inst.source.params), true)
    {
        events.reserve (100000);
    }

    std::vector<Event> events;
    std::int64_t processed = 0;

private:
    void prepareNode (double, int) override { processed = 0; }
    void processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) noexcept override
    {
        for (const auto m : midi)
        {
            const auto msg = m.getMessage();
            if ((msg.isNoteOn() || msg.isNoteOff()) && events.size() < events.capacity())
                events.push_back ({ processed + m.samplePosition, msg.isNoteOn(), msg.getNoteNumber(), msg.isNoteOn() ? (int) msg.getVelocity() : 0 });
        }
        processed += buffer.getNumSamples();
        buffer.clear();
    }
};

struct ProbeFactory final : engine::NodeFactory
{
    std::vector<ProbeSource*>* made;
    explicit ProbeFactory (std::vector<ProbeSource*>* m)
        : made (m) {}
    std::unique_ptr<engine::NodeProcessor> createSource (const model::Instrument& inst) override
    {
        auto p = std::make_unique<ProbeSource> (inst);
        made->push_back (p.get());
        return p;
    }
};

struct ProbeRig
{
    std::vector<ProbeSource*> probes;
    EngineRig rig { std::make_unique<ProbeFactory> (&probes) };

    model::InstrumentId add (std::vector<model::Stage> chain = {}) { return rig.addInstrument (model::BuiltInSource::sine, std::move (chain)); }

    model::NoteId note (model::InstrumentId id, model::Tick tick, model::Tick duration, int pitch = 60, float probability = 1.0f, int velocity = 100)
    {
        model::Note n;
        n.tick = tick;
        n.duration = duration;
        n.pitch = (std::uint8_t) pitch;
        n.probability = probability;
        n.velocity = (std::uint8_t) velocity;
        return model::NoteId { rig.act (model::action::AddNote { id, n }) };
    }

    void renderSamples (std::int64_t samples)
    {
        std::vector<float> l, r;
        rig.render ((int) ((samples + EngineRig::blockSize - 1) / EngineRig::blockSize), l, r);
    }

    std::vector<ProbeSource::Event> eventsOf (int index, bool on) const
    {
        std::vector<ProbeSource::Event> out;
        for (const auto& e : probes[(std::size_t) index]->events)
            if (e.on == on)
                out.push_back (e);
        return out;
    }
};

/** The first sample at or after `tick` at a constant tempo, computed independently of the engine. */
inline std::int64_t expectedSample (double tick, double bpm)
{
    const double samplesPerTick = EngineRig::sampleRate * 60.0 / (bpm * model::ticksPerBeat);
    return (std::int64_t) std::ceil (tick * samplesPerTick - 1.0e-6);
}

} // namespace imbolc::test
