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

std::string Dispatcher::Context::handle (const action::SetMidiChannel& a)
{
    std::string error;
    auto* inst = instrument (a.instrument, error);
    if (inst == nullptr)
        return error;
    if (auto e = checks::midiChannel (a.channel); ! e.empty())
        return e;
    edit (instrumentScope (a.instrument));
    inst->midiChannel = (std::int8_t) a.channel;
    // The chain learns its channel by a small command; nothing is rebuilt.
    audio (AudioEffect::forId (AudioEffect::Kind::updateInstrument, a.instrument.value));
    net().instruments.insert (a.instrument);
    return {};
}

std::string Dispatcher::Context::handle (const action::SetMidiOutput& a)
{
    std::string error;
    auto* inst = instrument (a.instrument, error);
    if (inst == nullptr)
        return error;
    if (auto e = checks::midiChannel (a.channel); ! e.empty())
        return e;
    edit (instrumentScope (a.instrument));
    inst->midiOutputChannel = (std::int8_t) a.channel;
    // Like its input channel: the chain learns it by a small command (ending the notes it sent on the
    // old channel); nothing is rebuilt.
    audio (AudioEffect::forId (AudioEffect::Kind::updateInstrument, a.instrument.value));
    net().instruments.insert (a.instrument);
    return {};
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
