// What the engine cannot play, it says: instruments and buses beyond its slots. Every assertion is on
// the warning sentences or the installed chains.

#include "imbolc_EngineTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using model::AudioEffect;
using model::InstrumentId;
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
