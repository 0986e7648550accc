#include "imbolc_TestHelpers.h"

using namespace imbolc;
using namespace imbolc::model;
using test::applyOk;

TEST_CASE ("SetMidiOutput is an instrument edit: targeted, undoable, no rebuild, bad channels refused", "[model][midiout]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    const auto b = f.addInstrument();

    const auto r = applyOk (f.dispatcher, action::SetMidiOutput { a, 3 });
    CHECK (f.session.instruments.find (a)->midiOutputChannel == 3);
    CHECK (f.session.instruments.find (b)->midiOutputChannel == 0);
    REQUIRE (r.changes.audio.size() == 1);
    CHECK (r.changes.audio[0] == AudioEffect::forId (AudioEffect::Kind::updateInstrument, a.value));
    NetDirty expected;
    expected.instruments = { a };
    CHECK (r.changes.net == expected);
    CHECK (r.changes.undoScope == UndoScope { UndoScopeKind::instrument, a.value });
    CHECK (editName (f.session, action::SetMidiOutput { a, 3 }) == "Set MIDI Output");

    const auto undo = applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.instruments.find (a)->midiOutputChannel == 0);
    REQUIRE (undo.changes.audio.size() == 1);
    CHECK (undo.changes.audio[0] == AudioEffect::forId (AudioEffect::Kind::updateInstrument, a.value));
    applyOk (f.dispatcher, action::Redo {});
    CHECK (f.session.instruments.find (a)->midiOutputChannel == 3);

    // Refused with one sentence and no trace.
    const auto before = f.session;
    const auto depth = f.dispatcher.getHistory().undoDepth();
    CHECK (f.dispatcher.apply (action::SetMidiOutput { a, 17 }).error == "MIDI channel 17 does not exist (0 for none, or 1 to 16).");
    CHECK (f.dispatcher.apply (action::SetMidiOutput { a, -1 }).error == "MIDI channel -1 does not exist (0 for none, or 1 to 16).");
    CHECK (f.dispatcher.apply (action::SetMidiOutput { InstrumentId { 999 }, 1 }).error == "There is no instrument 999.");
    CHECK (f.session == before);
    CHECK (f.dispatcher.getHistory().undoDepth() == depth);

    // A session that says 17 does not load.
    auto bad = f.session;
    bad.instruments.find (b)->midiOutputChannel = 17;
    CHECK (validate (bad).find ("MIDI channel 17") != std::string::npos);
}
