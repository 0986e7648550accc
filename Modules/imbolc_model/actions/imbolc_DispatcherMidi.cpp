#include "imbolc_DispatcherContext.h"

namespace imbolc::model
{

void Dispatcher::Context::midiMappingsChanged()
{
    // The engine resolves mappings with the macros (the same targets, the same re-resolution when a
    // chain is rebuilt); seats get them with the settings they live in.
    audio (AudioEffect::forId (AudioEffect::Kind::updateMacros, 0));
    net().settings = true;
}

std::string Dispatcher::Context::handle (const action::SetRecordOptions& a)
{
    if (auto e = checks::recordOptions (a.mode, a.countInBars); ! e.empty())
        return e;
    edit (sessionScope());
    session.settings.recordMode = a.mode;
    session.settings.countInBars = a.countInBars;
    net().settings = true;
    return {};
}

std::string Dispatcher::Context::handle (const action::SetPluginIsolation& a)
{
    if (auto e = checks::pluginIsolation (a.isolation); ! e.empty())
        return e;
    if (a.isolation == session.settings.pluginIsolation)
        return {};
    edit (sessionScope());
    session.settings.pluginIsolation = a.isolation;
    // The engine moves every plugin (sources and stages of instruments, buses, the master) to where
    // they now run, with their current state.
    audio (AudioEffect::forId (AudioEffect::Kind::pluginIsolation, 0));
    net().settings = true;
    return {};
}

std::string Dispatcher::Context::handle (const action::AddMidiMapping& a)
{
    if (auto e = checks::midiMapping (session, a.mapping); ! e.empty())
        return e;
    auto& all = session.settings.midiMappings;
    const auto existing = findMidiMapping (session, a.mapping.param);
    if (existing < 0 && all.size() >= (std::size_t) maxMidiMappings)
        return sentence ("The session has ", maxMidiMappings, " MIDI mappings already; forget one first.");
    edit (sessionScope());
    // One parameter, one controller: learning a new one for a mapped parameter replaces the old.
    if (existing >= 0)
        all[(std::size_t) existing] = a.mapping;
    else
        all.push_back (a.mapping);
    midiMappingsChanged();
    return {};
}

std::string Dispatcher::Context::handle (const action::ChangeMidiMapping& a)
{
    const auto existing = findMidiMapping (session, a.mapping.param);
    if (existing < 0)
        return sentence ("No MIDI controller drives ", describe (session, a.mapping.param), ".");
    if (auto e = checks::midiMapping (session, a.mapping); ! e.empty())
        return e;
    edit (sessionScope());
    session.settings.midiMappings[(std::size_t) existing] = a.mapping;
    midiMappingsChanged();
    return {};
}

std::string Dispatcher::Context::handle (const action::RemoveMidiMapping& a)
{
    const auto existing = findMidiMapping (session, a.param);
    if (existing < 0)
        return sentence ("No MIDI controller drives ", describe (session, a.param), ".");
    edit (sessionScope());
    auto& all = session.settings.midiMappings;
    all.erase (all.begin() + existing);
    midiMappingsChanged();
    return {};
}

} // namespace imbolc::model
