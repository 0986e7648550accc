#include "imbolc_DispatcherContext.h"

namespace imbolc::model
{

DrumKit* Dispatcher::Context::drumKit (InstrumentId id, std::string& error)
{
    auto* inst = instrument (id, error);
    if (inst == nullptr)
        return nullptr;
    if (! inst->source.isDrumKit() || ! inst->drums.hasPads())
    {
        error = sentence ("Instrument ", id.value, " is not a drum kit.");
        return nullptr;
    }
    return &inst->drums;
}

std::string Dispatcher::Context::checkDrumCell (const DrumKit& kit, std::int32_t pad, std::int32_t step, const DrumStep& value)
{
    if (pad < 0 || pad >= DrumKit::numPads)
        return sentence ("Pad ", pad, " is outside the kit's pads 0 to ", DrumKit::numPads - 1, ".");
    if (step < 0 || step >= kit.steps)
        return sentence ("Step ", step, " is outside the pattern's steps 0 to ", kit.steps - 1, ".");
    return checks::drumStep (sentence ("Pad ", pad, " step ", step), value);
}

void Dispatcher::Context::drumPatternChanged (InstrumentId id)
{
    // Only the instrument's sequence is rebuilt: its chain, voices and effect tails carry on.
    audio (AudioEffect::forId (AudioEffect::Kind::updateDrumPattern, id.value));
    net().instruments.insert (id);
}

//==============================================================================
std::string Dispatcher::Context::handle (const action::SetDrumStep& a)
{
    std::string error;
    auto* kit = drumKit (a.instrument, error);
    if (kit == nullptr)
        return error;
    if (auto e = checkDrumCell (*kit, a.pad, a.step, a.value); ! e.empty())
        return e;
    auto& cell = kit->rows[(std::size_t) a.pad][(std::size_t) a.step];
    if (cell == a.value)
        return {}; // nothing to undo, nothing to send

    edit (instrumentScope (a.instrument));
    cell = a.value;
    drumPatternChanged (a.instrument);
    return {};
}

std::string Dispatcher::Context::handle (const action::SetDrumSteps& a)
{
    std::string error;
    auto* kit = drumKit (a.instrument, error);
    if (kit == nullptr)
        return error;
    constexpr auto most = (std::size_t) DrumKit::numPads * DrumKit::maxSteps;
    if (a.steps.size() > most)
        return sentence ("A drum step edit sets ", a.steps.size(), " steps (at most ", most, ").");
    bool changes = false;
    for (const auto& cell : a.steps)
    {
        if (auto e = checkDrumCell (*kit, cell.pad, cell.step, cell.value); ! e.empty())
            return e;
        changes = changes || kit->rows[(std::size_t) cell.pad][(std::size_t) cell.step] != cell.value;
    }
    if (! changes)
        return {};

    edit (instrumentScope (a.instrument));
    for (const auto& e : a.steps)
        kit->rows[(std::size_t) e.pad][(std::size_t) e.step] = e.value;
    drumPatternChanged (a.instrument);
    return {};
}

std::string Dispatcher::Context::handle (const action::SetDrumPad& a)
{
    std::string error;
    auto* kit = drumKit (a.instrument, error);
    if (kit == nullptr)
        return error;
    if (a.pad < 0 || a.pad >= DrumKit::numPads)
        return sentence ("Pad ", a.pad, " is outside the kit's pads 0 to ", DrumKit::numPads - 1, ".");
    if (auto e = checks::drumPad (sentence ("Pad ", a.pad), a.sound); ! e.empty())
        return e;
    auto& pad = kit->pads[(std::size_t) a.pad];
    if (pad == a.sound)
        return {};

    // Another kind or sample is another voice: the source is rebuilt. Level, tune and decay are
    // parameters of the kit's node, set where it plays; a name is not heard at all.
    const bool newVoice = pad.kind != a.sound.kind || pad.samplePath != a.sound.samplePath;
    const bool newSettings = pad.level != a.sound.level || pad.tune != a.sound.tune || pad.decay != a.sound.decay;
    edit (instrumentScope (a.instrument));
    pad = a.sound;
    if (newVoice)
        audio (AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, a.instrument.value));
    else if (newSettings)
    {
        auto e = AudioEffect::forId (AudioEffect::Kind::setDrumPad, a.instrument.value);
        e.param = ParamAddress::instrument (a.instrument, ParamGroup::source, (std::uint16_t) a.pad);
        audio (e);
    }
    net().instruments.insert (a.instrument);
    return {};
}

std::string Dispatcher::Context::handle (const action::SetDrumPattern& a)
{
    std::string error;
    auto* kit = drumKit (a.instrument, error);
    if (kit == nullptr)
        return error;
    if (auto e = checks::drumPattern ("The drum pattern", a.steps, a.stepsPerBeat, a.swing); ! e.empty())
        return e;
    if (kit->steps == a.steps && kit->stepsPerBeat == a.stepsPerBeat && kit->swing == a.swing)
        return {};

    edit (instrumentScope (a.instrument));
    kit->steps = a.steps;
    kit->stepsPerBeat = a.stepsPerBeat;
    kit->swing = a.swing;
    drumPatternChanged (a.instrument);
    return {};
}

//==============================================================================
void Dispatcher::Context::drumKitRestored (Instrument& normalised, const Instrument& now, std::vector<AudioEffect>& effects)
{
    auto& was = normalised.drums;
    const auto& kit = now.drums;
    if (was == kit || ! was.hasPads() || ! kit.hasPads())
        return; // unchanged, or a kit that came or went with its source: the rebuild covers it

    if (was.rows != kit.rows || was.steps != kit.steps || was.stepsPerBeat != kit.stepsPerBeat || was.swing != kit.swing)
    {
        effects.push_back (AudioEffect::forId (AudioEffect::Kind::updateDrumPattern, now.id.value));
        was.rows = kit.rows;
        was.steps = kit.steps;
        was.stepsPerBeat = kit.stepsPerBeat;
        was.swing = kit.swing;
    }
    for (std::size_t p = 0; p < kit.pads.size(); ++p)
    {
        auto& a = was.pads[p];
        const auto& b = kit.pads[p];
        a.name = b.name;
        if (a.kind != b.kind || a.samplePath != b.samplePath || a == b)
            continue; // a new voice is left for the rebuild to notice
        auto e = AudioEffect::forId (AudioEffect::Kind::setDrumPad, now.id.value);
        e.param = ParamAddress::instrument (now.id, ParamGroup::source, (std::uint16_t) p);
        effects.push_back (e);
        a = b;
    }
}

} // namespace imbolc::model
