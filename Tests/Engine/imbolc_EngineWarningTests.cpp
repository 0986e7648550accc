// What the engine cannot play, it says: instruments and buses beyond its slots, and sources this
// version renders as silence. Every assertion is on the warning sentences or the installed chains.

#include "imbolc_EngineTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::AudioEffect;
using model::InstrumentId;
using model::NodeKind;
namespace action = model::action;

namespace
{
using Warnings = std::vector<juce::String>;

/** Applies an action to the rig, requiring that it asks the engine for `expected` (so a test of "no
    warning again" is known to have rebuilt something). */
void applyExpecting (EngineRig& rig, const model::Action& a, AudioEffect::Kind expected)
{
    const auto r = applyOk (rig.dispatcher, a);
    const bool asked = std::any_of (r.changes.audio.begin(), r.changes.audio.end(), [expected] (const AudioEffect& e)
                                    { return e.kind == expected; });
    INFO (model::actionName (a));
    REQUIRE (asked);
    rig.engine.apply (rig.session, r.changes);
}

void renderABlock (EngineRig& rig)
{
    std::vector<float> left, right;
    rig.render (1, left, right);
}

model::Source sourceOfKind (model::SourceKind kind, std::string synthDef = {})
{
    model::Source s;
    s.kind = kind;
    s.synthDef = std::move (synthDef);
    return s;
}
} // namespace

TEST_CASE ("An engine out of instrument slots names the instrument it cannot play, and plays it once a slot is free", "[engine]")
{
    engine::Engine::Options options;
    options.instrumentSlots = 2;
    EngineRig rig (nullptr, options);
    const auto first = rig.addInstrument();
    const auto second = rig.addInstrument();
    REQUIRE (rig.engine.takeWarnings().empty());

    const auto third = InstrumentId { rig.act (action::AddInstrument { "Third", model::Source {} }) };
    CHECK (rig.engine.takeWarnings() == Warnings { "Instrument 'Third' is not played: the engine has no instrument slot left (it has 2)." });
    renderABlock (rig);
    CHECK (rig.engine.getSourceWhileStopped (first) != nullptr);
    CHECK (rig.engine.getSourceWhileStopped (second) != nullptr);
    CHECK (rig.engine.getSourceWhileStopped (third) == nullptr);

    rig.act (action::DeleteInstrument { first });
    applyExpecting (rig, action::SetBackend { third, model::Backend::internal }, AudioEffect::Kind::rebuildInstrument);
    renderABlock (rig);
    CHECK (rig.engine.getSourceWhileStopped (third) != nullptr);
    CHECK (rig.engine.takeWarnings().empty());
}

TEST_CASE ("An engine out of bus slots names the bus it cannot play", "[engine]")
{
    engine::Engine::Options options;
    options.busSlots = 2;
    EngineRig rig (nullptr, options);
    rig.act (action::AddBus { "One" });
    rig.act (action::AddBus { "Two" });
    REQUIRE (rig.engine.takeWarnings().empty());

    rig.act (action::AddBus { "Three" });
    CHECK (rig.engine.takeWarnings() == Warnings { "Bus 'Three' is not played: all of the engine's 2 bus slots are taken (a deleted bus keeps its slot while it fades out)." });
}

TEST_CASE ("An audio-input source plays on the internal engine, on SuperCollider it is silent, said once per instrument", "[engine]")
{
    EngineRig rig;
    const auto input = sourceOfKind (model::SourceKind::audioInput);
    const auto mic = InstrumentId { rig.act (action::AddInstrument { "Mic", input }) };
    CHECK (rig.engine.takeWarnings().empty()); // the engine plays device input (see imbolc_AudioInputEngineTests)

    const Warnings micWarning { "Instrument 'Mic' plays audio input, which only the internal engine can play: set its backend to internal." };
    applyExpecting (rig, action::SetBackend { mic, model::Backend::superCollider }, AudioEffect::Kind::rebuildInstrument);
    CHECK (rig.engine.takeWarnings() == micWarning);

    // Building the same instrument with the same source again says nothing new: a stage edit, the same
    // source set again, and a full rebuild (the undo of another instrument's add).
    model::Stage lowPass;
    applyExpecting (rig, action::AddStage { NodeKind::instrument, mic.value, lowPass }, AudioEffect::Kind::rebuildInstrument);
    applyExpecting (rig, action::SetSource { mic, input }, AudioEffect::Kind::rebuildInstrument);
    rig.addInstrument();
    applyExpecting (rig, action::Undo {}, AudioEffect::Kind::fullRebuild);
    CHECK (rig.engine.takeWarnings().empty());
}

TEST_CASE ("A SynthDef source on the internal backend is silent, and the engine says so once per instrument and source", "[engine]")
{
    EngineRig rig;
    const auto pad = InstrumentId { rig.act (action::AddInstrument { "Pad", sourceOfKind (model::SourceKind::synthDef, "warmPad") }) };
    const Warnings padWarning { "Instrument 'Pad' plays the SynthDef 'warmPad', which only SuperCollider can play: set its backend to SuperCollider." };
    CHECK (rig.engine.takeWarnings() == padWarning);

    model::Stage lowPass;
    applyExpecting (rig, action::AddStage { NodeKind::instrument, pad.value, lowPass }, AudioEffect::Kind::rebuildInstrument);
    CHECK (rig.engine.takeWarnings().empty());

    // On SuperCollider it is not the engine's to play: nothing to say. Back on the internal backend it
    // is silent again, and said again.
    applyExpecting (rig, action::SetBackend { pad, model::Backend::superCollider }, AudioEffect::Kind::rebuildInstrument);
    CHECK (rig.engine.takeWarnings().empty());
    applyExpecting (rig, action::SetBackend { pad, model::Backend::internal }, AudioEffect::Kind::rebuildInstrument);
    CHECK (rig.engine.takeWarnings() == padWarning);

    // Another SynthDef is another source.
    applyExpecting (rig, action::SetSource { pad, sourceOfKind (model::SourceKind::synthDef, "bell") }, AudioEffect::Kind::rebuildInstrument);
    CHECK (rig.engine.takeWarnings() == Warnings { "Instrument 'Pad' plays the SynthDef 'bell', which only SuperCollider can play: set its backend to SuperCollider." });

    // A built-in source plays: no warning.
    rig.addInstrument (model::BuiltInSource::sine);
    CHECK (rig.engine.takeWarnings().empty());
}
