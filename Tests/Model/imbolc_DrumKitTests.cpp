#include "imbolc_TestHelpers.h"

using namespace imbolc;
using namespace imbolc::model;
using test::applyOk;

namespace
{
const float notANumber = std::numeric_limits<float>::quiet_NaN();

/** The refusal contract: one sentence, and neither the session nor the history changed at all. */
void expectRefused (Dispatcher& d, const Action& a, const std::string& exactly)
{
    const auto before = d.getSession();
    const auto historyBefore = d.getHistory();
    const auto r = d.apply (a);
    INFO (actionName (a));
    REQUIRE_FALSE (r.ok());
    CHECK (r.error == exactly);
    CHECK (d.getSession() == before);
    CHECK (d.getHistory().hasSameEntries (historyBefore));
}

struct KitFixture : test::Fixture
{
    InstrumentId kit = addInstrument (BuiltInSource::drumKit);
    const DrumKit& drums() { return session.instruments.find (kit)->drums; }
    const DrumStep& cell (int pad, int step) { return drums().rows[(std::size_t) pad][(std::size_t) step]; }
};

} // namespace

TEST_CASE ("A drum-kit instrument starts with the General MIDI kit and an empty 16-step pattern", "[model][drums]")
{
    KitFixture f;
    const auto& kit = f.drums();
    REQUIRE (kit.hasPads());
    CHECK (kit == makeDefaultDrumKit());
    CHECK (kit.steps == 16);
    CHECK (kit.stepsPerBeat == 4);
    CHECK (kit.swing == 0.0f);
    CHECK_FALSE (kit.hasSteps());
    CHECK (kit.pads[0].name == "Kick");
    CHECK (kit.pads[0].kind == DrumPadKind::kick);
    CHECK (kit.pads[2].kind == DrumPadKind::snare);
    CHECK (kit.pads[6].name == "Closed Hat");
    CHECK (kit.pads[10].name == "Open Hat");
    CHECK (kit.pads[10].decay > kit.pads[6].decay);
    std::set<std::string> names;
    for (const auto& pad : kit.pads)
    {
        CHECK (checks::drumPad ("pad", pad).empty());
        names.insert (pad.name);
    }
    CHECK (names.size() == (std::size_t) DrumKit::numPads);
    CHECK (f.session.instruments.find (f.kit)->source.params == makeParameters (BuiltInSource::drumKit));
    CHECK (validate (f.session).empty());

    // Other instruments carry no kit at all (an undo snapshot of them costs nothing more).
    const auto saw = f.addInstrument();
    CHECK (f.session.instruments.find (saw)->drums == DrumKit {});
    CHECK (DrumKit::padForNote (36) == 0);
    CHECK (DrumKit::padForNote (47) == 11);
    CHECK (DrumKit::padForNote (48) == -1);
    CHECK (DrumKit::padForNote (35) == -1);
}

TEST_CASE ("SetDrumStep sets one cell as one undo step, rebuilds only the sequence and sends the instrument", "[model][drums]")
{
    KitFixture f;
    const auto depth = f.history.undoDepth();
    const auto r = applyOk (f.dispatcher, action::SetDrumStep { f.kit, 2, 4, { true, 110, 0.75f } });
    CHECK (f.cell (2, 4) == DrumStep { true, 110, 0.75f });
    CHECK (f.history.undoDepth() == depth + 1);
    CHECK (f.history.peekUndoName() == "Set Drum Step");
    REQUIRE (r.changes.audio.size() == 1);
    CHECK (r.changes.audio[0] == AudioEffect::forId (AudioEffect::Kind::updateDrumPattern, f.kit.value));
    CHECK (r.changes.net.instruments == std::set<InstrumentId> { f.kit });
    CHECK_FALSE (r.changes.net.instrumentsStructural);
    CHECK (r.changes.undoScope == UndoScope { UndoScopeKind::instrument, f.kit.value });

    // The same value again changes nothing and records nothing.
    const auto same = applyOk (f.dispatcher, action::SetDrumStep { f.kit, 2, 4, { true, 110, 0.75f } });
    CHECK (same.changes.audio.empty());
    CHECK (same.changes.net.empty());
    CHECK (f.history.undoDepth() == depth + 1);

    // Edits never coalesce: each click is its own step back.
    applyOk (f.dispatcher, action::SetDrumStep { f.kit, 2, 5, { true, 100, 1.0f } });
    CHECK (f.history.undoDepth() == depth + 2);

    const auto undone = applyOk (f.dispatcher, action::Undo {});
    CHECK_FALSE (f.cell (2, 5).on);
    CHECK (f.cell (2, 4).on);
    REQUIRE (undone.changes.audio.size() == 1);
    CHECK (undone.changes.audio[0] == AudioEffect::forId (AudioEffect::Kind::updateDrumPattern, f.kit.value));
    CHECK (undone.changes.net.instruments.count (f.kit) == 1);
    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.cell (2, 4) == DrumStep {});
    applyOk (f.dispatcher, action::Redo {});
    CHECK (f.cell (2, 4) == DrumStep { true, 110, 0.75f });
}

TEST_CASE ("SetDrumSteps paints many cells as one edit: one undo step takes the whole drag back", "[model][drums]")
{
    KitFixture f;
    applyOk (f.dispatcher, action::SetDrumStep { f.kit, 0, 0, { true, 127, 1.0f } });
    const auto depth = f.history.undoDepth();

    std::vector<action::DrumStepEdit> drag;
    for (int s = 0; s < 16; s += 2)
        drag.push_back ({ 6, s, { true, 90, 1.0f } });
    drag.push_back ({ 6, 0, { true, 60, 0.5f } }); // the same cell again: the later value wins
    const auto r = applyOk (f.dispatcher, action::SetDrumSteps { f.kit, drag });
    CHECK (f.history.undoDepth() == depth + 1);
    CHECK (f.cell (6, 0) == DrumStep { true, 60, 0.5f });
    for (int s = 2; s < 16; s += 2)
        CHECK (f.cell (6, s) == DrumStep { true, 90, 1.0f });
    CHECK_FALSE (f.cell (6, 1).on);
    CHECK (r.changes.audio == std::vector<AudioEffect> { AudioEffect::forId (AudioEffect::Kind::updateDrumPattern, f.kit.value) });

    applyOk (f.dispatcher, action::Undo {});
    for (int s = 0; s < 16; ++s)
        CHECK_FALSE (f.cell (6, s).on);
    CHECK (f.cell (0, 0).on); // the edit before the drag stays
    applyOk (f.dispatcher, action::Redo {});
    CHECK (f.cell (6, 14).on);

    // Nothing that changes nothing (an empty list, or values already there) records an entry.
    const auto before = f.history.undoDepth();
    applyOk (f.dispatcher, action::SetDrumSteps { f.kit, {} });
    applyOk (f.dispatcher, action::SetDrumSteps { f.kit, { { 6, 2, { true, 90, 1.0f } } } });
    CHECK (f.history.undoDepth() == before);
}

TEST_CASE ("SetDrumPad: a level, tune or decay is a targeted effect, a new kind or sample rebuilds, a name is silent", "[model][drums]")
{
    KitFixture f;
    auto pad = f.drums().pads[6];

    pad.level = 0.25f;
    pad.tune = -5.0f;
    pad.decay = 1.5f;
    auto r = applyOk (f.dispatcher, action::SetDrumPad { f.kit, 6, pad });
    CHECK (f.drums().pads[6] == pad);
    REQUIRE (r.changes.audio.size() == 1);
    CHECK (r.changes.audio[0].kind == AudioEffect::Kind::setDrumPad);
    CHECK (r.changes.audio[0].id == f.kit.value);
    CHECK (r.changes.audio[0].param.index == 6);
    CHECK (r.changes.net.instruments.count (f.kit) == 1);

    pad.name = "Shaker";
    r = applyOk (f.dispatcher, action::SetDrumPad { f.kit, 6, pad });
    CHECK (r.changes.audio.empty());
    CHECK (r.changes.net.instruments.count (f.kit) == 1);

    pad.kind = DrumPadKind::sample;
    pad.samplePath = "samples/shaker.wav";
    r = applyOk (f.dispatcher, action::SetDrumPad { f.kit, 6, pad });
    CHECK (r.changes.audio == std::vector<AudioEffect> { AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, f.kit.value) });
    CHECK (f.drums().pads[6].samplePath == "samples/shaker.wav");
    CHECK (validate (f.session).empty());

    // Undoing the sample asks for the rebuild again; undoing the name needs nothing; undoing the
    // level, tune and decay is the targeted effect again.
    r = applyOk (f.dispatcher, action::Undo {});
    CHECK (r.changes.audio == std::vector<AudioEffect> { AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, f.kit.value) });
    r = applyOk (f.dispatcher, action::Undo {});
    CHECK (r.changes.audio.empty());
    CHECK (f.drums().pads[6].name == "Closed Hat");
    r = applyOk (f.dispatcher, action::Undo {});
    REQUIRE (r.changes.audio.size() == 1);
    CHECK (r.changes.audio[0].kind == AudioEffect::Kind::setDrumPad);
    CHECK (r.changes.audio[0].param.index == 6);
    CHECK (f.drums().pads[6] == makeDefaultDrumPad (6));
}

TEST_CASE ("SetDrumPattern sets length, steps per beat and swing, a shorter pattern keeps the steps it hides", "[model][drums]")
{
    KitFixture f;
    applyOk (f.dispatcher, action::SetDrumPattern { f.kit, 32, 4, 0.0f });
    applyOk (f.dispatcher, action::SetDrumStep { f.kit, 0, 31, { true, 100, 1.0f } });
    const auto r = applyOk (f.dispatcher, action::SetDrumPattern { f.kit, 16, 8, 0.5f });
    CHECK (r.changes.audio == std::vector<AudioEffect> { AudioEffect::forId (AudioEffect::Kind::updateDrumPattern, f.kit.value) });
    CHECK (f.drums().steps == 16);
    CHECK (f.drums().stepsPerBeat == 8);
    CHECK (f.drums().swing == 0.5f);
    CHECK_FALSE (f.drums().hasSteps()); // step 31 is past the end now...
    expectRefused (f.dispatcher, action::SetDrumStep { f.kit, 0, 31, {} }, "Step 31 is outside the pattern's steps 0 to 15.");
    applyOk (f.dispatcher, action::SetDrumPattern { f.kit, 32, 8, 0.5f });
    CHECK (f.cell (0, 31).on); // ...and back when it grows again

    for (int perBeat : { 2, 3, 4, 6, 8 })
        applyOk (f.dispatcher, action::SetDrumPattern { f.kit, 64, perBeat, 1.0f });
    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.drums().stepsPerBeat == 6);
}

TEST_CASE ("Every drum-kit refusal is one sentence and leaves the session and its history untouched", "[model][drums]")
{
    KitFixture f;
    applyOk (f.dispatcher, action::SetDrumStep { f.kit, 1, 1, { true, 100, 1.0f } }); // something to undo
    const auto saw = f.addInstrument();
    auto& d = f.dispatcher;
    const InstrumentId ghost { 999999 };
    const DrumStep on { true, 100, 1.0f };

    expectRefused (d, action::SetDrumStep { ghost, 0, 0, on }, "There is no instrument 999999.");
    expectRefused (d, action::SetDrumStep { saw, 0, 0, on }, "Instrument " + std::to_string (saw.value) + " is not a drum kit.");
    expectRefused (d, action::SetDrumStep { f.kit, -1, 0, on }, "Pad -1 is outside the kit's pads 0 to 11.");
    expectRefused (d, action::SetDrumStep { f.kit, 12, 0, on }, "Pad 12 is outside the kit's pads 0 to 11.");
    expectRefused (d, action::SetDrumStep { f.kit, 0, -1, on }, "Step -1 is outside the pattern's steps 0 to 15.");
    expectRefused (d, action::SetDrumStep { f.kit, 0, 16, on }, "Step 16 is outside the pattern's steps 0 to 15.");
    expectRefused (d, action::SetDrumStep { f.kit, 0, 0, { true, 0, 1.0f } }, "Pad 0 step 0 has velocity 0 (must be 1 to 127).");
    expectRefused (d, action::SetDrumStep { f.kit, 0, 0, { true, 128, 1.0f } }, "Pad 0 step 0 has velocity 128 (must be 1 to 127).");
    expectRefused (d, action::SetDrumStep { f.kit, 0, 0, { true, 100, notANumber } }, "Pad 0 step 0 probability is nan (must be 0 to 1).");
    expectRefused (d, action::SetDrumStep { f.kit, 0, 0, { true, 100, 1.5f } }, "Pad 0 step 0 probability is 1.5 (must be 0 to 1).");

    // A list is checked whole before anything is set: a bad last cell refuses the first ones too.
    expectRefused (d, action::SetDrumSteps { f.kit, { { 0, 0, on }, { 0, 1, on }, { 3, 99, on } } }, "Step 99 is outside the pattern's steps 0 to 15.");
    expectRefused (d, action::SetDrumSteps { saw, { { 0, 0, on } } }, "Instrument " + std::to_string (saw.value) + " is not a drum kit.");
    std::vector<action::DrumStepEdit> tooMany (DrumKit::numPads * DrumKit::maxSteps + 1, { 0, 0, on });
    expectRefused (d, action::SetDrumSteps { f.kit, tooMany }, "A drum step edit sets 769 steps (at most 768).");

    auto pad = f.drums().pads[0];
    expectRefused (d, action::SetDrumPad { f.kit, 12, pad }, "Pad 12 is outside the kit's pads 0 to 11.");
    expectRefused (d, action::SetDrumPad { saw, 0, pad }, "Instrument " + std::to_string (saw.value) + " is not a drum kit.");
    auto bad = pad;
    bad.level = 3.0f;
    expectRefused (d, action::SetDrumPad { f.kit, 0, bad }, "Pad 0 level is 3 (must be 0 to 2).");
    bad = pad;
    bad.level = notANumber;
    expectRefused (d, action::SetDrumPad { f.kit, 0, bad }, "Pad 0 level is nan (must be 0 to 2).");
    bad = pad;
    bad.tune = 25.0f;
    expectRefused (d, action::SetDrumPad { f.kit, 0, bad }, "Pad 0 tune is 25 (must be -24 to 24).");
    bad = pad;
    bad.decay = 0.0f;
    expectRefused (d, action::SetDrumPad { f.kit, 0, bad }, "Pad 0 decay is 0 (must be 0.01 to 4).");
    bad = pad;
    bad.kind = (DrumPadKind) 7;
    expectRefused (d, action::SetDrumPad { f.kit, 0, bad }, "Pad 0 has an unknown kind 7.");
    bad = pad;
    bad.name = std::string (300, 'x');
    expectRefused (d, action::SetDrumPad { f.kit, 0, bad }, "Pad 0 name is 300 bytes long (at most 256).");
    bad = pad;
    bad.samplePath = std::string (5000, 'p');
    expectRefused (d, action::SetDrumPad { f.kit, 0, bad }, "Pad 0 has a sample path longer than 4096 bytes.");

    expectRefused (d, action::SetDrumPattern { f.kit, 15, 4, 0.0f }, "The drum pattern has 15 steps (must be 16 to 64).");
    expectRefused (d, action::SetDrumPattern { f.kit, 65, 4, 0.0f }, "The drum pattern has 65 steps (must be 16 to 64).");
    expectRefused (d, action::SetDrumPattern { f.kit, 16, 5, 0.0f }, "The drum pattern has 5 steps per beat (must be 2, 3, 4, 6 or 8).");
    expectRefused (d, action::SetDrumPattern { f.kit, 16, 4, notANumber }, "The drum pattern swing is nan (must be 0 to 1).");
    expectRefused (d, action::SetDrumPattern { f.kit, 16, 4, -0.1f }, "The drum pattern swing is -0.1 (must be 0 to 1).");
    expectRefused (d, action::SetDrumPattern { saw, 16, 4, 0.0f }, "Instrument " + std::to_string (saw.value) + " is not a drum kit.");
}

TEST_CASE ("A drum kit plays on the internal engine only: SuperCollider is refused in one sentence", "[model][drums]")
{
    KitFixture f;
    Source drums;
    drums.builtIn = BuiltInSource::drumKit;
    const auto name = std::to_string (f.kit.value);
    expectRefused (f.dispatcher, action::SetBackend { f.kit, Backend::superCollider }, "Instrument " + name + " is a drum kit, which only the internal engine plays: SuperCollider has no drum-kit voice.");
    expectRefused (f.dispatcher, action::AddInstrument { "SC kit", drums, Backend::superCollider }, "The new instrument is a drum kit, which only the internal engine plays: SuperCollider has no drum-kit voice.");
    const auto sc = InstrumentId { applyOk (f.dispatcher, action::AddInstrument { "SC saw", {}, Backend::superCollider }).createdId };
    expectRefused (f.dispatcher, action::SetSource { sc, drums }, "Instrument " + std::to_string (sc.value) + " is a drum kit, which only the internal engine plays: SuperCollider has no drum-kit voice.");
}

TEST_CASE ("Switching a source to the drum kit gives the default kit once, switching away and back keeps the pattern", "[model][drums]")
{
    test::Fixture f;
    const auto id = f.addInstrument();
    Source drums;
    drums.builtIn = BuiltInSource::drumKit;
    const auto r = applyOk (f.dispatcher, action::SetSource { id, drums });
    CHECK (r.changes.audio == std::vector<AudioEffect> { AudioEffect::forId (AudioEffect::Kind::rebuildInstrument, id.value) });
    CHECK (f.session.instruments.find (id)->drums == makeDefaultDrumKit());
    applyOk (f.dispatcher, action::SetDrumStep { id, 3, 3, { true, 77, 1.0f } });

    applyOk (f.dispatcher, action::SetSource { id, Source {} });
    expectRefused (f.dispatcher, action::SetDrumStep { id, 3, 4, {} }, "Instrument " + std::to_string (id.value) + " is not a drum kit.");
    CHECK (validate (f.session).empty()); // a saw that still holds its old kit is fine
    applyOk (f.dispatcher, action::SetSource { id, drums });
    CHECK (f.session.instruments.find (id)->drums.rows[3][3].velocity == 77);

    // Undo takes the source and the kit back together (one instrument snapshot).
    applyOk (f.dispatcher, action::Undo {});
    applyOk (f.dispatcher, action::Undo {});
    applyOk (f.dispatcher, action::Undo {});
    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.instruments.find (id)->drums == DrumKit {});
    CHECK_FALSE (f.session.instruments.find (id)->source.isDrumKit());

    // A duplicate takes the kit with it.
    applyOk (f.dispatcher, action::Redo {});
    applyOk (f.dispatcher, action::Redo {});
    const auto copy = InstrumentId { applyOk (f.dispatcher, action::DuplicateInstrument { id }).createdId };
    CHECK (f.session.instruments.find (copy)->drums == f.session.instruments.find (id)->drums);
    CHECK (f.session.instruments.find (copy)->drums.rows[3][3].on);
}

TEST_CASE ("validate() refuses a broken kit with a sentence naming it", "[model][drums]")
{
    KitFixture f;
    auto& inst = *f.session.instruments.find (f.kit);
    const auto what = "Instrument " + std::to_string (f.kit.value);
    REQUIRE (validate (f.session).empty());

    SECTION ("a drum-kit source without pads")
    {
        inst.drums = {};
        CHECK (validate (f.session) == what + " is a drum kit without its 12 pads.");
    }
    SECTION ("eleven pads")
    {
        inst.drums.pads.pop_back();
        CHECK (validate (f.session) == what + " has a drum kit of 11 pads and 12 rows (must be none or 12 of each).");
    }
    SECTION ("a pattern too long")
    {
        inst.drums.steps = 100;
        CHECK (validate (f.session) == what + " drum pattern has 100 steps (must be 16 to 64).");
    }
    SECTION ("a step with no velocity, hidden past the end")
    {
        inst.drums.rows[4][40].velocity = 0;
        CHECK (validate (f.session) == what + " pad 4 step 40 has velocity 0 (must be 1 to 127).");
    }
    SECTION ("a pad tuned out of range")
    {
        inst.drums.pads[9].tune = -30.0f;
        CHECK (validate (f.session) == what + " pad 9 tune is -30 (must be -24 to 24).");
    }
}

TEST_CASE ("Step timing: a step is 480 / stepsPerBeat ticks, swing delays the odd steps by up to half a step", "[model][drums]")
{
    DrumKit kit = makeDefaultDrumKit();
    CHECK (kit.stepTicks() == 120);
    CHECK (kit.cycleTicks() == 16 * 120);
    CHECK (kit.stepStart (0) == 0.0);
    CHECK (kit.stepStart (1) == 120.0);
    kit.swing = 0.5f;
    CHECK (kit.stepStart (1) == 150.0);
    CHECK (kit.stepStart (2) == 240.0);
    CHECK (kit.stepStart (15) == 15 * 120.0 + 30.0);
    kit.swing = 1.0f;
    CHECK (kit.stepStart (3) == 360.0 + 60.0);

    // The playing step: swung steps start late, the pattern repeats from tick 0.
    kit.swing = 0.5f;
    CHECK (kit.stepAt (0.0) == 0);
    CHECK (kit.stepAt (149.0) == 0);
    CHECK (kit.stepAt (150.0) == 1);
    CHECK (kit.stepAt (239.0) == 1);
    CHECK (kit.stepAt (240.0) == 2);
    CHECK (kit.stepAt (1920.0 + 150.0) == 1);
    CHECK (kit.stepAt (1920.0 * 1000.0 + 1919.0) == 15);
    CHECK (kit.stepAt (-1.0) == -1);

    kit.stepsPerBeat = 3;
    kit.steps = 24;
    CHECK (kit.stepTicks() == 160);
    CHECK (kit.cycleTicks() == 24 * 160);
    for (int n : DrumKit::stepsPerBeatChoices)
        CHECK (ticksPerBeat % n == 0);
}
