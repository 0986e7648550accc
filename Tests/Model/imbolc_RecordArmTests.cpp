#include "imbolc_TestHelpers.h"

using namespace imbolc;
using namespace imbolc::model;
using test::applyOk;

TEST_CASE ("SetRecordArm is a switch, not an edit: no undo entry, no engine work, and undo leaves it alone", "[model][recording]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    const auto b = f.addInstrument();
    const auto depth = f.dispatcher.getHistory().undoDepth();

    const auto r = applyOk (f.dispatcher, action::SetRecordArm { a, true });
    CHECK (f.session.instruments.find (a)->recordArmed);
    CHECK_FALSE (f.session.instruments.find (b)->recordArmed);
    CHECK (r.changes.audio.empty());
    NetDirty expected;
    expected.instruments = { a };
    CHECK (r.changes.net == expected);
    CHECK (f.dispatcher.getHistory().undoDepth() == depth);

    // An edit of the armed instrument made before it was armed, undone: the arm stays.
    applyOk (f.dispatcher, action::SetMidiChannel { a, 4 });
    applyOk (f.dispatcher, action::SetRecordArm { a, false });
    applyOk (f.dispatcher, action::SetRecordArm { a, true });
    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.instruments.find (a)->midiChannel == 0);
    CHECK (f.session.instruments.find (a)->recordArmed);
    applyOk (f.dispatcher, action::Redo {});
    CHECK (f.session.instruments.find (a)->midiChannel == 4);
    CHECK (f.session.instruments.find (a)->recordArmed);

    const auto before = f.session;
    const auto refused = f.dispatcher.apply (action::SetRecordArm { InstrumentId { 999 }, true });
    CHECK (refused.error == "There is no instrument 999.");
    CHECK (f.session == before);
}
