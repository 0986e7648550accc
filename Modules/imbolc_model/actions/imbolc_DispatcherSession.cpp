#include "imbolc_DispatcherContext.h"

namespace imbolc::model
{

void Dispatcher::Context::timingChanged()
{
    audio (AudioEffect::forId (AudioEffect::Kind::updateTiming, 0));
    net().settings = true;
}

void Dispatcher::Context::transportChanged (bool located)
{
    audio (AudioEffect::forId (AudioEffect::Kind::transport, located ? 1u : 0u));
    net().transport = true;
}

//==============================================================================
// Session settings

std::string Dispatcher::Context::handle (const action::RenameSession& a)
{
    if (auto e = checks::name ("The session name", a.name); ! e.empty())
        return e;
    edit (sessionScope());
    session.settings.name = a.name;
    net().settings = true;
    return {};
}

std::string Dispatcher::Context::handle (const action::SetBpm& a)
{
    if (auto e = checks::bpm (a.bpm); ! e.empty())
        return e;
    edit (sessionScope(), sessionKey);
    session.settings.bpm = a.bpm;
    timingChanged();
    return {};
}

std::string Dispatcher::Context::handle (const action::SetTimeSignature& a)
{
    if (auto e = checks::timeSignature (a.numerator, a.denominator); ! e.empty())
        return e;
    edit (sessionScope());
    session.settings.timeSigNumerator = a.numerator;
    session.settings.timeSigDenominator = a.denominator;
    timingChanged();
    return {};
}

std::string Dispatcher::Context::handle (const action::SetKey& a)
{
    if (a.key < 0 || a.key > 11)
        return sentence ("Key ", a.key, " is not a pitch class (0 to 11).");
    if ((int) a.scale >= numScales)
        return "Unknown scale.";
    edit (sessionScope());
    session.settings.key = a.key;
    session.settings.scale = a.scale;
    net().settings = true;
    return {};
}

std::string Dispatcher::Context::handle (const action::SetSwing& a)
{
    if (! std::isfinite (a.swing) || a.swing < 0.0f || a.swing > 1.0f)
        return sentence ("A swing of ", a.swing, " is outside 0 to 1.");
    edit (sessionScope(), sessionKey);
    session.settings.swing = a.swing;
    timingChanged();
    return {};
}

std::string Dispatcher::Context::handle (const action::SetLoop& a)
{
    if (auto e = checks::loop (a.loop); ! e.empty())
        return e;
    edit (sessionScope());
    session.settings.loop = a.loop;
    timingChanged();
    return {};
}

//==============================================================================
// Transport: live state, not undoable

std::string Dispatcher::Context::handle (const action::Play&)
{
    session.transport.playing = true;
    transportChanged();
    return {};
}

std::string Dispatcher::Context::handle (const action::Stop&)
{
    session.transport.playing = false;
    session.transport.recording = false;
    transportChanged();
    return {};
}

std::string Dispatcher::Context::handle (const action::Locate& a)
{
    if (a.tick < 0)
        return "The playhead cannot move before the start.";
    session.transport.position = a.tick;
    transportChanged (true);
    return {};
}

std::string Dispatcher::Context::handle (const action::SetRecording& a)
{
    session.transport.recording = a.recording;
    transportChanged();
    return {};
}

std::string Dispatcher::Context::handle (const action::SetAutomationRecording& a)
{
    session.transport.automationRecording = a.enabled;
    transportChanged();
    return {};
}

} // namespace imbolc::model
