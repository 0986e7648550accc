// The engine's promises, on real audio: targeted rebuild, continuity, clean deletes, targeted
// parameters, bounded command queues. Every assertion is on rendered samples or engine state.

#include "imbolc_EngineTestSupport.h"

#include <set>

using namespace imbolc;
using namespace imbolc::test;
using model::NodeKind;
using model::ParamAddress;
using model::ParamGroup;

namespace
{
constexpr auto blockSize = (std::size_t) EngineRig::blockSize;
constexpr float steady = 0.8f * 0.8f * 0.8f; // a sustained sine: source level, sustain, strip level

ParamAddress strip (model::InstrumentId id, model::StripParam p) { return ParamAddress::instrument (id, ParamGroup::strip, (std::uint16_t) p); }
ParamAddress sourceLevel (model::InstrumentId id) { return ParamAddress::instrument (id, ParamGroup::source, 2); } // sine: tune, fine, level
} // namespace

TEST_CASE ("engine renders a held note at its pitch through the master", "[engine]")
{
    EngineRig rig;
    const auto a = rig.addInstrument (model::BuiltInSource::sine);
    rig.engine.noteOn (a, 69, 1.0f);
    std::vector<float> left, right;
    rig.render (100, left, right);

    // 440 Hz at full velocity: source level 0.8 x sustain 0.8 x strip level 0.8 at the centre (the
    // balance law keeps the centre at unity) once attack and decay (0.105 s) are over.
    CHECK (frequencyOf (left, 4800, left.size(), EngineRig::sampleRate) == Approx (440.0).margin (3.0));
    CHECK (peak (left, 6000, left.size()) == Approx (steady).margin (0.005f));
    CHECK (left == right);

    rig.engine.noteOff (a, 69);
    std::vector<float> l2, r2;
    rig.render (100, l2, r2);
    CHECK (peak (l2, l2.size() - 4800, l2.size()) == 0.0f); // released (0.2 s) and silent
}

TEST_CASE ("engine keeps an instrument sample-identical while 50 others come and go and a bus is rebuilt", "[engine][continuity]")
{
    // Instrument A holds a tone through a feedback delay (a long tail). In the edited run, 50 other
    // instruments are added (routed to a muted bus, playing notes) and deleted, and that bus's effects
    // are replaced, all while a real audio thread renders. The master must equal, sample for sample,
    // a run without those edits.
    const auto delay = EngineRig::effect (model::EffectType::delay, { { 0, 0.05f }, { 1, 0.6f }, { 2, 0.5f } });
    constexpr int totalBlocks = 600;

    auto setUp = [&] (EngineRig& rig)
    {
        const auto a = rig.addInstrument (model::BuiltInSource::saw, { delay });
        const auto bus = model::BusId { rig.act (model::action::AddBus { "others" }) };
        rig.act (model::action::SetMute { NodeKind::bus, bus.value, true });
        rig.engine.noteOn (a, 57, 0.9f);
        rig.engine.update();
        return bus;
    };

    EngineRig reference;
    setUp (reference);
    AudioThread refAudio (reference.engine, EngineRig::blockSize, totalBlocks);
    refAudio.allow (totalBlocks);
    refAudio.waitUntilCaughtUp();
    refAudio.stop();

    EngineRig edited;
    const auto bus = setUp (edited);
    AudioThread audio (edited.engine, EngineRig::blockSize, totalBlocks);
    audio.allow (20);
    audio.waitUntilCaughtUp();

    std::vector<model::InstrumentId> others;
    for (int i = 0; i < 50; ++i)
    {
        const auto id = edited.addInstrument (i % 2 == 0 ? model::BuiltInSource::square : model::BuiltInSource::noise, { delay });
        edited.act (model::action::SetOutput { id, bus });
        edited.engine.noteOn (id, 40 + i, 1.0f);
        others.push_back (id);
        audio.allow (3);
        if (i % 5 == 4)
        {
            // Replace the bus's effects: its chain is rebuilt, nothing else.
            edited.act (model::action::AddStage { NodeKind::bus, bus.value, EngineRig::effect (model::EffectType::gain, { { 0, 2.0f } }) });
            audio.allow (2);
        }
        if (others.size() > 3)
        {
            edited.act (model::action::DeleteInstrument { others.front() });
            others.erase (others.begin());
        }
        audio.waitUntilCaughtUp();
    }
    for (auto id : others)
        edited.act (model::action::DeleteInstrument { id });
    audio.allow (totalBlocks);
    audio.waitUntilCaughtUp();
    audio.stop();
    edited.engine.update();

    REQUIRE (audio.blocksRendered() == totalBlocks);
    REQUIRE (peak (refAudio.getLeft(), 0, refAudio.getLeft().size()) > 0.1f); // A really sounds
    CHECK (edited.engine.getStats().destroyedChains >= 50 + 10); // the others and the old bus chains are gone
    CHECK (edited.engine.getStats().backloggedCommands == 0);
    CHECK (audio.getLeft() == refAudio.getLeft());
    CHECK (audio.getRight() == refAudio.getRight());
}

TEST_CASE ("engine fades a deleted instrument out without a click and destroys it off the audio thread", "[engine][delete]")
{
    static std::mutex mutex;
    static std::vector<std::thread::id> destroyers;
    engine::InstrumentChain::onDestroyed = [] (std::thread::id id)
    {
        std::lock_guard<std::mutex> lock (mutex);
        destroyers.push_back (id);
    };

    EngineRig rig;
    const auto a = rig.addInstrument (model::BuiltInSource::sine);
    rig.engine.noteOn (a, 69, 1.0f);
    rig.engine.update();

    AudioThread audio (rig.engine, EngineRig::blockSize, 120);
    audio.allow (40);
    audio.waitUntilCaughtUp();
    rig.act (model::action::DeleteInstrument { a });
    audio.allow (80);
    audio.waitUntilCaughtUp();
    audio.stop();
    rig.engine.update();
    engine::InstrumentChain::onDestroyed = nullptr;

    const auto& out = audio.getLeft();
    const float amplitude = peak (out, 30 * blockSize, 40 * blockSize);
    REQUIRE (amplitude == Approx (steady).margin (0.005f));

    // Silent at the end, and the last sound is a ramp down, not a cut.
    std::size_t last = 0;
    for (std::size_t i = 0; i < out.size(); ++i)
        if (out[i] != 0.0f)
            last = i;
    REQUIRE (last > 40 * blockSize);
    CHECK (peak (out, last + 1, out.size()) == 0.0f);
    CHECK (peak (out, last - 480, last - 360) > 0.6f * amplitude); // about 10 ms (480 samples) of fade
    CHECK (peak (out, last - 110, last + 1) < 0.3f * amplitude);

    // No step anywhere is larger than the steady tone's own largest step (plus the ramp's slope).
    const float steadyStep = maxStep (out, 30 * blockSize, 40 * blockSize);
    CHECK (maxStep (out, 40 * blockSize, out.size()) <= steadyStep * 1.1f);

    std::lock_guard<std::mutex> lock (mutex);
    REQUIRE (destroyers.size() == 1);
    CHECK (destroyers[0] != audio.getId());
    CHECK (destroyers[0] == std::this_thread::get_id());
    destroyers.clear();
}

TEST_CASE ("engine sends a parameter tweak to exactly one node", "[engine][targeting]")
{
    // X is panned hard left and Y hard right, so each channel is one instrument. Tweaking X's source
    // level must change the left channel and leave the right one sample-identical to an untouched run.
    auto setUp = [] (EngineRig& rig)
    {
        const auto x = rig.addInstrument (model::BuiltInSource::saw);
        const auto y = rig.addInstrument (model::BuiltInSource::saw);
        rig.setParam (strip (x, model::StripParam::pan), -1.0f);
        rig.setParam (strip (y, model::StripParam::pan), 1.0f);
        rig.engine.noteOn (x, 60, 1.0f);
        rig.engine.noteOn (y, 64, 1.0f);
        return std::make_pair (x, y);
    };

    EngineRig reference, tweaked;
    setUp (reference);
    const auto [x, y] = setUp (tweaked);

    std::vector<float> refL, refR, l, r;
    reference.render (60, refL, refR);
    tweaked.render (20, l, r);
    tweaked.setParam (sourceLevel (x), 0.2f);
    tweaked.render (40, l, r);

    CHECK (r == refR);
    CHECK (std::equal (l.begin(), l.begin() + 20 * blockSize, refL.begin())); // the same until the tweak
    CHECK (peak (l, 40 * blockSize, l.size()) == Approx (peak (refL, 40 * blockSize, refL.size()) * 0.25f).margin (0.01f));
    CHECK (tweaked.engine.getParameterTargetWhileStopped (sourceLevel (x)) == 0.2f);
    CHECK (tweaked.engine.getParameterTargetWhileStopped (sourceLevel (y)) == 0.8f);

    // Meters report per instrument through the status queue: X is now quieter than Y.
    CHECK (tweaked.engine.getInstrumentMeter (x).left < tweaked.engine.getInstrumentMeter (y).right * 0.5f);
    CHECK (tweaked.engine.getInstrumentMeter (x).right == 0.0f);
}

TEST_CASE ("engine smooths a parameter change instead of jumping", "[engine][smoothing]")
{
    EngineRig rig;
    const auto a = rig.addInstrument (model::BuiltInSource::sine);
    rig.engine.noteOn (a, 69, 1.0f);
    std::vector<float> l, r;
    rig.render (20, l, r);
    rig.setParam (strip (a, model::StripParam::level), 0.0f);
    rig.render (20, l, r);

    // 20 ms ramp: still sounding 5 ms after the change, silent after 25 ms, never a jump.
    const auto change = 20 * blockSize;
    CHECK (peak (l, change + 120, change + 360) > 0.3f);
    CHECK (peak (l, change + 1200, l.size()) == 0.0f);
    CHECK (maxStep (l, change - 1, change + 2000) <= maxStep (l, 4800, change) * 1.05f);
}

TEST_CASE ("engine absorbs 10000 parameter changes before one block and keeps every newest value", "[engine][burst]")
{
    EngineRig rig;
    std::vector<ParamAddress> addresses;
    for (int i = 0; i < 40; ++i)
    {
        const auto id = rig.addInstrument (model::BuiltInSource::square,
                                           { EngineRig::effect (model::EffectType::delay), EngineRig::effect (model::EffectType::gain) });
        model::forEachParam (*rig.session.instruments.find (id), [&] (const ParamAddress& a)
                             {
                                 if (a.group != ParamGroup::lfo)
                                     addresses.push_back (a); });
    }
    std::vector<float> l, r;
    rig.render (2, l, r); // every chain installed

    juce::Random random (7);
    for (int i = 0; i < 10000; ++i)
    {
        const auto& a = addresses[(std::size_t) random.nextInt ((int) addresses.size())];
        const auto info = model::findParam (rig.session, a);
        REQUIRE (info.has_value());
        const float value = info->minValue + random.nextFloat() * (info->maxValue - info->minValue);
        rig.act (model::action::SetParam { a, value });
    }
    const auto stats = rig.engine.getStats();
    CHECK (stats.backloggedCommands > 0); // the burst outran the bounded queue...
    CHECK (stats.coalescedChanges > 0); // ...and waiting changes to the same parameter coalesced

    for (int block = 0; block < 10 && rig.engine.getStats().backloggedCommands > 0; ++block)
        rig.render (1, l, r);
    rig.render (1, l, r);
    REQUIRE (rig.engine.getStats().backloggedCommands == 0);

    int checked = 0;
    for (const auto& a : addresses)
    {
        const auto expected = model::findParam (rig.session, a)->value;
        const auto actual = rig.engine.getParameterTargetWhileStopped (a);
        INFO (model::describe (rig.session, a));
        REQUIRE (actual.has_value());
        CHECK (*actual == expected);
        ++checked;
    }
    CHECK (checked == (int) addresses.size());
}

TEST_CASE ("engine mutes and solos with a fade and resolves solo across instruments", "[engine][mute]")
{
    EngineRig rig;
    const auto x = rig.addInstrument (model::BuiltInSource::sine);
    const auto y = rig.addInstrument (model::BuiltInSource::sine);
    rig.setParam (strip (x, model::StripParam::pan), -1.0f);
    rig.setParam (strip (y, model::StripParam::pan), 1.0f);
    rig.engine.noteOn (x, 69, 1.0f);
    rig.engine.noteOn (y, 69, 1.0f);
    std::vector<float> l, r;
    rig.render (20, l, r);
    REQUIRE (peak (r, 10 * blockSize, 20 * blockSize) > 0.5f);

    rig.act (model::action::SetSolo { NodeKind::instrument, x.value, true });
    rig.render (20, l, r);
    CHECK (peak (r, 30 * blockSize, 40 * blockSize) == 0.0f); // y silenced by x's solo
    CHECK (peak (l, 30 * blockSize, 40 * blockSize) > 0.5f);
    CHECK (maxStep (r, 20 * blockSize, 40 * blockSize) <= maxStep (r, 4800, 20 * blockSize) * 1.05f);

    rig.act (model::action::SetSolo { NodeKind::instrument, x.value, false });
    rig.act (model::action::SetMute { NodeKind::instrument, x.value, true });
    rig.render (20, l, r);
    CHECK (peak (l, 50 * blockSize, 60 * blockSize) == 0.0f);
    CHECK (peak (r, 50 * blockSize, 60 * blockSize) > 0.5f);
}

TEST_CASE ("engine routes sends and outputs through buses to the master", "[engine][routing]")
{
    EngineRig rig;
    const auto a = rig.addInstrument (model::BuiltInSource::sine);
    const auto bus = model::BusId { rig.act (model::action::AddBus { "verb" }) };
    rig.act (model::action::AddStage { NodeKind::bus, bus.value, EngineRig::effect (model::EffectType::gain, { { 0, 0.5f } }) });
    rig.setParam ({ NodeKind::bus, bus.value, ParamGroup::strip, 0, 0 }, 1.0f); // bus level unity
    rig.engine.noteOn (a, 69, 1.0f);
    std::vector<float> l, r;
    rig.render (30, l, r); // past attack and decay
    l.clear();
    rig.render (20, l, r);
    const float direct = peak (l, 10 * blockSize, 20 * blockSize);
    REQUIRE (direct == Approx (steady).margin (0.005f));

    // A post send at 1.0 into a bus with gain 0.5 adds half again.
    rig.act (model::action::AddSend { a, bus, 1.0f });
    rig.render (20, l, r);
    CHECK (peak (l, 30 * blockSize, 40 * blockSize) == Approx (direct * 1.5f).margin (0.01f));

    // The send level is a parameter: targeted, smoothed.
    rig.setParam (ParamAddress::instrument (a, ParamGroup::send, 0, bus.value), 0.0f);
    rig.render (20, l, r);
    CHECK (peak (l, 50 * blockSize, 60 * blockSize) == Approx (direct).margin (0.01f));

    // Output to the bus instead of the master: only the bus path (gain 0.5) remains.
    rig.act (model::action::SetOutput { a, bus });
    rig.render (20, l, r);
    CHECK (peak (l, 70 * blockSize, 80 * blockSize) == Approx (direct * 0.5f).margin (0.01f));

    // Deleting the bus sends the instrument back to the master, and the bus slot is freed later.
    rig.act (model::action::RemoveBus { bus });
    rig.render (20, l, r);
    CHECK (peak (l, 90 * blockSize, 100 * blockSize) == Approx (direct).margin (0.01f));
    CHECK (rig.engine.getStats().liveChains == 2); // the instrument and the master
}

TEST_CASE ("engine bypasses a stage with a crossfade and without rebuilding", "[engine][bypass]")
{
    EngineRig rig;
    const auto a = rig.addInstrument (model::BuiltInSource::sine, { EngineRig::effect (model::EffectType::gain, { { 0, 0.25f } }) });
    const auto stage = rig.session.instruments.find (a)->chain[0].id;
    rig.engine.noteOn (a, 69, 1.0f);
    std::vector<float> l, r;
    rig.render (30, l, r); // past attack and decay
    l.clear();
    rig.render (20, l, r);
    CHECK (peak (l, 10 * blockSize, 20 * blockSize) == Approx (steady * 0.25f).margin (0.005f));
    const auto destroyedBefore = rig.engine.getStats().destroyedChains;

    rig.act (model::action::SetStageBypass { NodeKind::instrument, a.value, stage, true });
    rig.render (20, l, r);
    CHECK (peak (l, 30 * blockSize, 40 * blockSize) == Approx (steady).margin (0.005f));
    CHECK (rig.engine.getStats().destroyedChains == destroyedBefore); // no chain was replaced
    CHECK (maxStep (l, 20 * blockSize, 40 * blockSize) <= maxStep (l, 30 * blockSize, 40 * blockSize) * 1.05f);
}

TEST_CASE ("engine survives a new sample rate with notes held and leaves none stuck", "[engine][prepare]")
{
    EngineRig rig;
    const auto a = rig.addInstrument (model::BuiltInSource::sine, { EngineRig::effect (model::EffectType::delay) });
    rig.engine.noteOn (a, 69, 1.0f);
    std::vector<float> l, r;
    rig.render (20, l, r);
    REQUIRE (peak (l, 0, l.size()) > 0.3f);

    rig.engine.prepare (44100.0, 128);
    std::vector<float> l2 (128), r2 (128);
    float* outs[] = { l2.data(), r2.data() };
    std::vector<float> after;
    for (int b = 0; b < 50; ++b)
    {
        rig.engine.process (outs, 2, 128);
        after.insert (after.end(), l2.begin(), l2.end());
    }
    CHECK (peak (after, 0, after.size()) == 0.0f); // voices and tails restarted: nothing stuck

    rig.engine.noteOn (a, 81, 1.0f);
    after.clear();
    for (int b = 0; b < 200; ++b)
    {
        rig.engine.process (outs, 2, 128);
        rig.engine.update();
        after.insert (after.end(), l2.begin(), l2.end());
    }
    rig.engine.allNotesOff (a);
    // 880 Hz at the new rate, through a 30 % wet delay: the dry tone dominates the crossing count.
    CHECK (frequencyOf (after, 4410, after.size(), 44100.0) == Approx (880.0).margin (15.0));
}

TEST_CASE ("engine reloads a whole session and replaces every chain", "[engine][load]")
{
    EngineRig rig;
    for (int i = 0; i < 5; ++i)
        rig.engine.noteOn (rig.addInstrument(), 60 + i, 1.0f);
    std::vector<float> l, r;
    rig.render (10, l, r);
    REQUIRE (peak (l, 5 * blockSize, l.size()) > 0.1f);

    const auto other = model::makeReferenceSession (model::ReferenceSize::small);
    rig.engine.loadSession (other);
    rig.render (20, l, r);
    CHECK (peak (l, 25 * blockSize, l.size()) == 0.0f); // the old chains faded out; the new ones hold no notes
    CHECK (rig.engine.getStats().liveChains == (int) (other.instruments.size() + other.mixer.buses.size() + 1));
    CHECK (rig.engine.getStats().backloggedCommands == 0);
}
