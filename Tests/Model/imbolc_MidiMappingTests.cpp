#include "imbolc_TestHelpers.h"

using namespace imbolc;
using namespace imbolc::model;
using test::applyOk;

namespace
{
ParamAddress levelOf (InstrumentId id)
{
    return ParamAddress::instrument (id, ParamGroup::strip, (std::uint16_t) StripParam::level);
}

MidiMapping ccOn (const ParamAddress& p, int cc = 74)
{
    MidiMapping m;
    m.controller = cc;
    m.param = p;
    return m;
}

std::string refusal (Dispatcher& d, const Action& a)
{
    const auto before = d.getSession();
    const auto depth = d.getHistory().undoDepth();
    const auto r = d.apply (a);
    CHECK (d.getSession() == before);
    CHECK (d.getHistory().undoDepth() == depth);
    return r.error;
}
} // namespace

TEST_CASE ("A MIDI mapping's curves keep their ends and bend between them, its range may be inverted", "[model][midilearn]")
{
    for (auto c : { MidiCurve::linear, MidiCurve::exponential, MidiCurve::logarithmic })
    {
        CHECK (MidiMapping::shape (c, 0.0f) == Approx (0.0f).margin (1.0e-6));
        CHECK (MidiMapping::shape (c, 1.0f) == Approx (1.0f));
        CHECK (MidiMapping::shape (c, -3.0f) == Approx (0.0f).margin (1.0e-6)); // clamped
        CHECK (MidiMapping::shape (c, 7.0f) == Approx (1.0f));
        float last = -1.0f;
        for (int i = 0; i <= 127; ++i)
        {
            const auto v = MidiMapping::shape (c, (float) i / 127.0f);
            CHECK (v > last); // rising all the way
            last = v;
        }
    }
    // (e^2 - 1) / (e^4 - 1) and ln (1 + (e^4 - 1) / 2) / 4: the two curves are each other's inverse.
    CHECK (MidiMapping::shape (MidiCurve::exponential, 0.5f) == Approx (0.1192029f).epsilon (1.0e-5));
    CHECK (MidiMapping::shape (MidiCurve::logarithmic, 0.5f) == Approx (0.8312500f).epsilon (1.0e-5));
    for (float x : { 0.1f, 0.3f, 0.77f })
        CHECK (MidiMapping::shape (MidiCurve::logarithmic, MidiMapping::shape (MidiCurve::exponential, x)) == Approx (x).epsilon (1.0e-5));

    MidiMapping m;
    m.min = 2.0f;
    m.max = -2.0f;
    CHECK (m.valueFor (0.0f) == 2.0f);
    CHECK (m.valueFor (1.0f) == -2.0f);
    CHECK (m.valueFor (0.25f) == Approx (1.0f));
    m.curve = MidiCurve::exponential;
    CHECK (m.valueFor (0.5f) == Approx (2.0f - 4.0f * 0.1192029f).epsilon (1.0e-5));
}

TEST_CASE ("MIDI mappings are added, changed and removed in session-scope undo steps that the engine and seats hear of", "[model][midilearn]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    auto m = ccOn (levelOf (a));
    m.channel = 3;
    m.min = 0.25f;
    m.max = 1.5f;
    const auto r = applyOk (f.dispatcher, action::AddMidiMapping { m });
    REQUIRE (f.session.settings.midiMappings.size() == 1);
    CHECK (f.session.settings.midiMappings[0] == m);
    CHECK (findMidiMapping (f.session, levelOf (a)) == 0);
    REQUIRE (r.changes.audio.size() == 1);
    CHECK (r.changes.audio[0].kind == AudioEffect::Kind::updateMacros);
    CHECK (r.changes.net.settings);
    CHECK (r.changes.undoScope == UndoScope { UndoScopeKind::session, 0 });

    // Learning another controller for the same parameter replaces the mapping; another parameter adds one.
    auto again = ccOn (levelOf (a), 7);
    applyOk (f.dispatcher, action::AddMidiMapping { again });
    REQUIRE (f.session.settings.midiMappings.size() == 1);
    CHECK (f.session.settings.midiMappings[0].controller == 7);
    const auto cutoff = ParamAddress::stage (NodeKind::instrument, a.value, f.firstStage (a), 0);
    const auto info = *findParam (f.session, cutoff);
    auto onCutoff = ccOn (cutoff, 7);
    onCutoff.min = info.minValue;
    onCutoff.max = info.maxValue;
    applyOk (f.dispatcher, action::AddMidiMapping { onCutoff });
    CHECK (f.session.settings.midiMappings.size() == 2);

    again.curve = MidiCurve::exponential;
    again.source = MidiSource::pitchBend;
    applyOk (f.dispatcher, action::ChangeMidiMapping { again });
    CHECK (f.session.settings.midiMappings[0] == again);

    applyOk (f.dispatcher, action::RemoveMidiMapping { levelOf (a) });
    CHECK (f.session.settings.midiMappings.size() == 1);

    // Undo walks it all back, telling the engine each time.
    for (int i = 0; i < 4; ++i)
    {
        const auto u = applyOk (f.dispatcher, action::Undo {});
        CHECK (std::any_of (u.changes.audio.begin(), u.changes.audio.end(), [] (const AudioEffect& e)
                            { return e.kind == AudioEffect::Kind::updateMacros; }));
    }
    REQUIRE (f.session.settings.midiMappings.size() == 1);
    CHECK (f.session.settings.midiMappings[0] == m);
}

TEST_CASE ("Bad MIDI mappings and record options are refused with one sentence and change nothing", "[model][midilearn]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    auto m = ccOn (levelOf (a));
    m.channel = 17;
    CHECK (refusal (f.dispatcher, action::AddMidiMapping { m }) == "MIDI channel 17 does not exist (0 for any, or 1 to 16).");
    m = ccOn (levelOf (a), 128);
    CHECK (refusal (f.dispatcher, action::AddMidiMapping { m }) == "MIDI controller 128 does not exist (0 to 127).");
    m = ccOn (levelOf (a));
    m.max = std::numeric_limits<float>::quiet_NaN();
    CHECK (refusal (f.dispatcher, action::AddMidiMapping { m }) == "A MIDI mapping's range must be finite numbers.");
    m = ccOn (levelOf (a));
    m.max = 50.0f;
    CHECK_THAT (refusal (f.dispatcher, action::AddMidiMapping { m }), Catch::Contains ("outside the range"));
    m = ccOn (levelOf (a));
    m.curve = (MidiCurve) 9;
    CHECK (refusal (f.dispatcher, action::AddMidiMapping { m }) == "A MIDI mapping has an unknown curve.");
    m = ccOn (levelOf (a));
    m.source = (MidiSource) 5;
    CHECK (refusal (f.dispatcher, action::AddMidiMapping { m }) == "A MIDI mapping has an unknown source.");
    m = ccOn (levelOf (InstrumentId { 4242 }));
    CHECK_THAT (refusal (f.dispatcher, action::AddMidiMapping { m }), Catch::Contains ("there is no such parameter"));
    CHECK_THAT (refusal (f.dispatcher, action::ChangeMidiMapping { ccOn (levelOf (a)) }), Catch::Contains ("No MIDI controller drives"));
    CHECK_THAT (refusal (f.dispatcher, action::RemoveMidiMapping { levelOf (a) }), Catch::Contains ("No MIDI controller drives"));
    CHECK (refusal (f.dispatcher, action::SetRecordOptions { RecordMode::overdub, -1 }) == "A count-in of -1 bars is not offered (0 to 2).");
    CHECK (refusal (f.dispatcher, action::SetRecordOptions { (RecordMode) 4, 0 }) == "Unknown record mode (overdub or replace).");

    // A full map refuses one more (a parameter per mapping: the first 128 of the session's parameters).
    std::vector<ParamAddress> params;
    for (int i = 0; i < 40; ++i)
        f.addInstrument();
    for (const auto& inst : f.session.instruments)
        forEachParam (inst, [&] (const ParamAddress& p)
                      { params.push_back (p); });
    REQUIRE (params.size() > (std::size_t) maxMidiMappings);
    for (int i = 0; i < maxMidiMappings; ++i)
    {
        const auto info = *findParam (f.session, params[(std::size_t) i]);
        auto one = ccOn (params[(std::size_t) i]);
        one.min = info.minValue;
        one.max = info.maxValue;
        applyOk (f.dispatcher, action::AddMidiMapping { one });
    }
    const auto info = *findParam (f.session, params[(std::size_t) maxMidiMappings]);
    auto extra = ccOn (params[(std::size_t) maxMidiMappings]);
    extra.min = info.minValue;
    extra.max = info.maxValue;
    CHECK_THAT (refusal (f.dispatcher, action::AddMidiMapping { extra }), Catch::Contains ("128 MIDI mappings already"));
    CHECK (validate (f.session).empty());
}

TEST_CASE ("Deleting what a MIDI mapping drives removes the mapping in the same undo step", "[model][midilearn]")
{
    test::Fixture f;
    const auto a = f.addInstrument();
    const auto b = f.addInstrument();
    const auto stage = f.firstStage (b);
    const auto cutoff = ParamAddress::stage (NodeKind::instrument, b.value, stage, 0);
    const auto info = *findParam (f.session, cutoff);
    auto onCutoff = ccOn (cutoff);
    onCutoff.min = info.minValue;
    onCutoff.max = info.maxValue;
    applyOk (f.dispatcher, action::AddMidiMapping { ccOn (levelOf (a)) });
    applyOk (f.dispatcher, action::AddMidiMapping { onCutoff });

    applyOk (f.dispatcher, action::RemoveStage { NodeKind::instrument, b.value, stage });
    REQUIRE (f.session.settings.midiMappings.size() == 1);
    applyOk (f.dispatcher, action::DeleteInstrument { a });
    CHECK (f.session.settings.midiMappings.empty());
    CHECK (validate (f.session).empty());

    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.settings.midiMappings.size() == 1);
    applyOk (f.dispatcher, action::Undo {});
    CHECK (f.session.settings.midiMappings.size() == 2);

    // A session that names a missing node is invalid; two mappings of one parameter too.
    auto broken = f.session;
    broken.settings.midiMappings[0].param = levelOf (InstrumentId { 999 });
    CHECK_THAT (validate (broken), Catch::Contains ("drives a node that does not exist"));
    broken = f.session;
    broken.settings.midiMappings[1] = broken.settings.midiMappings[0];
    CHECK_THAT (validate (broken), Catch::Contains ("the same parameter"));
}
