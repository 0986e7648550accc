#include "imbolc_EngineTestSupport.h"

using namespace imbolc;
using namespace imbolc::model;
using test::EngineRig;

namespace
{
constexpr int block = EngineRig::blockSize;

ParamAddress levelOf (InstrumentId id)
{
    return ParamAddress::instrument (id, ParamGroup::strip, (std::uint16_t) StripParam::level);
}

/** Renders one call of `n` samples with host macro values (null: none), appending the left channel. */
void renderWith (EngineRig& rig, std::vector<float>& out, int n, const float* macros, const juce::MidiBuffer* midi = nullptr)
{
    std::vector<float> l ((std::size_t) n), r ((std::size_t) n);
    float* outs[] = { l.data(), r.data() };
    engine::ProcessInput input;
    input.macros = macros;
    input.numMacros = macros != nullptr ? numMacros : 0;
    input.midi = midi;
    rig.engine.process (outs, 2, n, input);
    rig.engine.update();
    out.insert (out.end(), l.begin(), l.end());
}

/** A saw playing at the given strip level, settled (its attack done): the macro's rig and its reference. */
InstrumentId playingSaw (EngineRig& rig, float level)
{
    const auto id = rig.addInstrument (BuiltInSource::saw);
    rig.setParam (levelOf (id), level);
    rig.engine.noteOn (id, 45, 0.5f);
    std::vector<float> ignored;
    for (int b = 0; b < 20; ++b)
        renderWith (rig, ignored, block, nullptr);
    return id;
}

float peak (const std::vector<float>& v, std::size_t from, std::size_t to)
{
    float p = 0.0f;
    for (auto i = from; i < std::min (to, v.size()); ++i)
        p = std::max (p, std::abs (v[i]));
    return p;
}
} // namespace

TEST_CASE ("A macro sets its parameter at the first sample of the call whose host value changed", "[engine][macros]")
{
    // The same saw twice: one under a macro on its level, one at unity. Their ratio, sample by sample,
    // is the level the macro set.
    EngineRig rig, reference;
    const auto id = playingSaw (rig, 0.8f);
    playingSaw (reference, 1.0f);

    const bool inverted = GENERATE (false, true);
    const Macro macro = inverted ? Macro { true, levelOf (id), 1.0f, 0.2f } : Macro { true, levelOf (id), 0.0f, 1.0f };
    rig.act (action::SetMacro { 3, macro });

    // Host values per call: steady, then a change at a block boundary, then a block split in two at an
    // automation point (as Ardour does), then no macros at all (the last value holds).
    std::array<float, numMacros> values {};
    const std::vector<std::pair<int, float>> calls { { block, 0.5f }, { block, 0.5f }, { block, 0.25f }, { 100, 0.75f }, { block - 100, 1.0f }, { block, 1.0f }, { block, -1.0f } };
    std::vector<float> out, ref;
    std::vector<float> expected;
    for (auto [n, v] : calls)
    {
        values[3] = v;
        const bool none = v < 0.0f;
        renderWith (rig, out, n, none ? nullptr : values.data());
        renderWith (reference, ref, n, nullptr);
        const float level = none ? expected.back() : macro.valueFor (v);
        expected.insert (expected.end(), (std::size_t) n, level);
    }
    REQUIRE (out.size() == expected.size());

    int compared = 0;
    for (std::size_t i = 0; i < out.size(); ++i)
    {
        if (std::abs (ref[i]) < 1.0e-3f)
            continue;
        INFO ("sample " << i << " (block " << i / block << ", offset " << i % block << ")");
        REQUIRE (out[i] / ref[i] == Approx (expected[i]).epsilon (1.0e-4));
        ++compared;
    }
    CHECK (compared > (int) out.size() * 9 / 10);

    // In particular: each change is already there at its first sample, not a block (or a glide) late.
    for (std::size_t at : { (std::size_t) 2 * block, (std::size_t) 3 * block, (std::size_t) 3 * block + 100 })
    {
        // The first sample with signal at or after the change.
        auto i = at;
        while (std::abs (ref[i]) < 1.0e-3f)
            ++i;
        CHECK (i < at + 3);
        CHECK (out[i] / ref[i] == Approx (expected[at]).epsilon (1.0e-4));
        CHECK (out[at - 1] / ref[at - 1] == Approx (expected[at - 1]).epsilon (1.0e-4));
    }
    // The engine's node holds the value too.
    CHECK (rig.engine.getParameterValueWhileStopped (levelOf (id)) == Approx (macro.valueFor (1.0f)));
}

TEST_CASE ("A macro re-applies when its mapping or its chain changes, skips a stale target, and reaches a send", "[engine][macros]")
{
    EngineRig rig;
    const auto id = playingSaw (rig, 0.8f);
    std::array<float, numMacros> values {};
    values[0] = 0.5f;
    std::vector<float> out;

    // Unmapped: the host's value changes nothing.
    renderWith (rig, out, block, values.data());
    CHECK (rig.engine.getParameterValueWhileStopped (levelOf (id)) == Approx (0.8f));

    // Mapped while the host holds 0.5: the next call applies it, though the value did not move.
    rig.act (action::SetMacro { 0, Macro { true, levelOf (id), 0.0f, 2.0f } });
    renderWith (rig, out, block, values.data());
    CHECK (rig.engine.getParameterValueWhileStopped (levelOf (id)) == Approx (1.0f));

    // A new span: applied at once too.
    rig.act (action::SetMacro { 0, Macro { true, levelOf (id), 0.0f, 1.0f } });
    renderWith (rig, out, block, values.data());
    CHECK (rig.engine.getParameterValueWhileStopped (levelOf (id)) == Approx (0.5f));

    // The chain is rebuilt (a new source): the new chain starts at the model's level, and the macro
    // puts its value back on the first call after.
    Source square;
    square.builtIn = BuiltInSource::square;
    rig.act (action::SetSource { id, square });
    renderWith (rig, out, block, values.data());
    CHECK (rig.engine.getParameterValueWhileStopped (levelOf (id)) == Approx (0.5f));
    CHECK (rig.session.instruments.find (id)->strip.level == Approx (0.8f)); // the model is not the host's

    // A send level, set at once (no glide).
    const auto bus = BusId { rig.act (action::AddBus { "Verb" }) };
    rig.act (action::AddSend { id, bus, 0.1f });
    rig.act (action::SetMacro { 1, Macro { true, ParamAddress::instrument (id, ParamGroup::send, 0, bus.value), 0.0f, 2.0f } });
    values[1] = 0.75f;
    renderWith (rig, out, block, values.data());
    const auto& target = rig.engine.getAudioGraph().getMacroTarget (1);
    CHECK (target.kind == engine::MacroTarget::Kind::sendLevel);
    CHECK (target.to == 2.0f);

    // Unmapped: the parameter stays where the macro left it, and no further host value reaches it.
    rig.act (action::SetMacro { 0, Macro {} });
    values[0] = 0.9f;
    renderWith (rig, out, block, values.data());
    CHECK (rig.engine.getParameterValueWhileStopped (levelOf (id)) == Approx (0.5f));
    CHECK (rig.engine.getAudioGraph().getMacroTarget (0).kind == engine::MacroTarget::Kind::none);

    // Deleting the instrument unassigns its macros; a target left stale on the audio thread (its chain
    // gone before the new map arrives) is skipped without harm.
    rig.act (action::SetMacro { 0, Macro { true, levelOf (id), 0.0f, 1.0f } });
    rig.act (action::DeleteInstrument { id });
    values[0] = 0.1f;
    renderWith (rig, out, block, values.data());
    CHECK (rig.engine.getAudioGraph().getMacroTarget (0).kind == engine::MacroTarget::Kind::none);
}

TEST_CASE ("Host MIDI plays the instruments on its channel, a channel nobody claims plays the selected instrument", "[engine][midi][macros]")
{
    // Channel 1: instrument A; channel 2: B; C is the MIDI input instrument (the selection) with no
    // channel. Notes on channels 1, 2 and 5 in one host block.
    struct Event
    {
        int channel, sample, note;
    };
    const std::vector<Event> all { { 1, 10, 57 }, { 2, 50, 60 }, { 5, 90, 64 } };

    // Renders the session with only `who` audible (solo), the host block holding `events`.
    auto render = [] (int who, const std::vector<Event>& events)
    {
        EngineRig rig;
        InstrumentId ids[3];
        for (auto& id : ids)
            id = rig.addInstrument (BuiltInSource::saw);
        rig.act (action::SetMidiChannel { ids[0], 1 });
        rig.act (action::SetMidiChannel { ids[1], 2 });
        rig.engine.setMidiInputInstrument (ids[2]);
        rig.act (action::SetSolo { NodeKind::instrument, ids[who].value, true });
        std::vector<float> out;
        for (int b = 0; b < 4; ++b)
            renderWith (rig, out, block, nullptr);
        out.clear();

        juce::MidiBuffer midi;
        for (const auto& e : events)
            midi.addEvent (juce::MidiMessage::noteOn (e.channel, e.note, (juce::uint8) 100), e.sample);
        renderWith (rig, out, block, nullptr, &midi);
        renderWith (rig, out, block, nullptr);
        return out;
    };

    const int expectedSample[] = { 10, 50, 90 };
    for (int who = 0; who < 3; ++who)
    {
        INFO ("instrument " << juce::String::charToString ("ABC"[who]));
        const auto out = render (who, all);
        // Silent up to its own event's sample, sounding from there.
        const auto at = (std::size_t) expectedSample[who];
        CHECK (peak (out, 0, at) == 0.0f);
        CHECK (peak (out, at, at + 2) > 0.0f);
        // And it heard nothing else: the same as a block with only its own event.
        const auto alone = render (who, { all[(std::size_t) who] });
        CHECK (out == alone);
    }

    // Without channels every event plays the selected instrument, as before.
    EngineRig rig;
    const auto a = rig.addInstrument (BuiltInSource::saw);
    const auto c = rig.addInstrument (BuiltInSource::saw);
    rig.engine.setMidiInputInstrument (c);
    rig.act (action::SetSolo { NodeKind::instrument, a.value, true });
    std::vector<float> out;
    for (int b = 0; b < 4; ++b)
        renderWith (rig, out, block, nullptr);
    out.clear();
    juce::MidiBuffer midi;
    midi.addEvent (juce::MidiMessage::noteOn (1, 57, (juce::uint8) 100), 10);
    renderWith (rig, out, block, nullptr, &midi);
    CHECK (peak (out, 0, out.size()) == 0.0f); // a, soloed, is not selected and claims no channel
}

TEST_CASE ("An instrument's MIDI channel follows undo and a rebuild of its chain", "[engine][midi][macros]")
{
    EngineRig rig;
    const auto a = rig.addInstrument (BuiltInSource::saw);
    const auto selected = rig.addInstrument (BuiltInSource::saw);
    rig.engine.setMidiInputInstrument (selected);
    rig.act (action::SetSolo { NodeKind::instrument, a.value, true });

    auto noteAt = [&rig] (int channel, int sample)
    {
        std::vector<float> out;
        for (int b = 0; b < 4; ++b)
            renderWith (rig, out, block, nullptr);
        out.clear();
        juce::MidiBuffer midi;
        midi.addEvent (juce::MidiMessage::noteOn (channel, 48, (juce::uint8) 100), sample);
        midi.addEvent (juce::MidiMessage::noteOff (channel, 48), sample + 20);
        renderWith (rig, out, block, nullptr, &midi);
        for (int b = 0; b < 60; ++b) // let the release (0.2 s) end
            renderWith (rig, out, block, nullptr);
        return peak (out, 0, (std::size_t) block) > 0.0f;
    };

    rig.act (action::SetMidiChannel { a, 3 });
    CHECK (noteAt (3, 7));
    CHECK_FALSE (noteAt (4, 7));
    rig.act (action::Undo {});
    CHECK_FALSE (noteAt (3, 7));
    rig.act (action::Redo {});
    CHECK (noteAt (3, 7));
    // A rebuilt chain (new stage) keeps hearing its channel.
    Stage filter;
    filter.kind = StageKind::filter;
    rig.act (action::AddStage { NodeKind::instrument, a.value, filter });
    CHECK (noteAt (3, 7));
}
