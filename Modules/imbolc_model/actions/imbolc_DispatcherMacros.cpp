#include "imbolc_DispatcherContext.h"

namespace imbolc::model
{

void Dispatcher::Context::macrosChanged()
{
    audio (AudioEffect::forId (AudioEffect::Kind::updateMacros, 0));
    net().macros = true;
}

std::string Dispatcher::Context::handle (const action::SetMacro& a)
{
    if (auto e = checks::macro (session, a.index, a.macro); ! e.empty())
        return e;
    // Session-wide like the tempo: the macros belong to the session a host automates, not to one
    // instrument, so their undo entry is the session part (which holds them).
    edit (sessionScope());
    if (a.macro.assigned)
        // One parameter, one macro: two host parameters driving the same value would fight.
        for (int k = 0; k < numMacros; ++k)
            if (k != a.index && session.macros[(std::size_t) k].assigned && session.macros[(std::size_t) k].param == a.macro.param)
                session.macros[(std::size_t) k] = Macro {};
    session.macros[(std::size_t) a.index] = a.macro;
    macrosChanged();
    return {};
}

std::string Dispatcher::Context::setChannel (InstrumentId id, std::int32_t channel, std::int8_t Instrument::*field)
{
    std::string error;
    auto* inst = instrument (id, error);
    if (inst == nullptr)
        return error;
    if (auto e = checks::midiChannel (channel); ! e.empty())
        return e;
    edit (instrumentScope (id));
    inst->*field = (std::int8_t) channel;
    // The chain learns its channel by a small command (an output channel that changes first ends the
    // notes sent on the old one); nothing is rebuilt.
    audio (AudioEffect::forId (AudioEffect::Kind::updateInstrument, id.value));
    net().instruments.insert (id);
    return {};
}

std::string Dispatcher::Context::handle (const action::SetMidiChannel& a)
{
    return setChannel (a.instrument, a.channel, &Instrument::midiChannel);
}

std::string Dispatcher::Context::handle (const action::SetMidiOutput& a)
{
    return setChannel (a.instrument, a.channel, &Instrument::midiOutputChannel);
}

std::string Dispatcher::Context::handle (const action::SetRecordArm& a)
{
    std::string error;
    auto* inst = instrument (a.instrument, error);
    if (inst == nullptr)
        return error;
    // No edit(): arming is a performance switch, like the transport's record button. The engine does
    // not hear of it (what records reads the model); the seats do.
    inst->recordArmed = a.armed;
    net().instruments.insert (a.instrument);
    return {};
}

} // namespace imbolc::model
