// MIDI recording and MIDI learn through the app core: a real SessionHost and its real engine, driven
// with ProcessInput::midi (what a plugin host's or a live device's MIDI is) at chosen samples on this
// thread, then tick() as the message thread's timer does. At 120 BPM and 48 kHz a sample is 0.02
// ticks, so sample 50 * t is tick t.

#include <imbolc_app/imbolc_app.h>

#include "imbolc_TestHelpers.h"

using namespace imbolc;
using model::action::Play;
using model::action::SetRecording;
using model::action::Stop;

namespace
{
constexpr int block = 256;

struct Rig
{
    app::SessionHost host;
    std::int64_t rendered = 0; ///< samples since the first block
    std::vector<std::pair<std::int64_t, juce::MidiMessage>> scheduled;

    Rig() { host.prepare (48000.0, block); }

    model::InstrumentId addInstrument (int midiChannel = 0)
    {
        model::Source source;
        source.builtIn = model::BuiltInSource::saw;
        const auto r = host.apply (model::action::AddInstrument { "keys", source });
        REQUIRE (r.ok());
        const model::InstrumentId id { r.createdId };
        if (midiChannel > 0)
            REQUIRE (host.apply (model::action::SetMidiChannel { id, midiChannel }).ok());
        return id;
    }

    void act (const model::Action& a) { REQUIRE (host.apply (a).ok()); }

    /** A message at sample `at` (counted from the first block rendered). */
    void at (std::int64_t sample, const juce::MidiMessage& m) { scheduled.emplace_back (sample, m); }

    /** Renders until `sample`, one block at a time, ticking the host after each. */
    void renderTo (std::int64_t sample)
    {
        std::vector<float> l ((std::size_t) block), r ((std::size_t) block);
        float* outs[] = { l.data(), r.data() };
        while (rendered < sample)
        {
            juce::MidiBuffer midi;
            for (const auto& [s, m] : scheduled)
                if (s >= rendered && s < rendered + block)
                    midi.addEvent (m, (int) (s - rendered));
            engine::ProcessInput input;
            input.midi = &midi;
            host.getEngine().process (outs, 2, block, input);
            rendered += block;
            host.tick();
        }
    }

    /** Stop, and render until the engine has reported it (the recorder then ends the take). */
    void stop()
    {
        act (Stop {});
        renderTo (rendered + 16 * block);
        REQUIRE_FALSE (host.getMidiRecorder().isRecording());
    }

    const std::vector<model::Note>& notesOf (model::InstrumentId id) const { return host.getSession().pianoRoll.find (id)->notes; }
};

juce::MidiMessage on (int channel, int pitch, int velocity = 100) { return juce::MidiMessage::noteOn (channel, pitch, (juce::uint8) velocity); }
juce::MidiMessage off (int channel, int pitch) { return juce::MidiMessage::noteOff (channel, pitch); }

bool hasNote (const std::vector<model::Note>& notes, model::Tick tick, model::Tick duration, int pitch, int velocity = 100)
{
    return std::any_of (notes.begin(), notes.end(), [&] (const model::Note& n)
                        { return n.tick == tick && n.duration == duration && n.pitch == pitch && n.velocity == velocity; });
}
} // namespace

TEST_CASE ("Recording turns played notes into piano-roll notes at their exact ticks, one undo step per take, held notes end at stop", "[app][record]")
{
    Rig rig;
    const auto id = rig.addInstrument();
    rig.host.setMidiInputInstrument (id);
    rig.renderTo (4 * block); // stopped: played, not recorded
    rig.at (rig.rendered + 100, on (1, 50));
    rig.at (rig.rendered + 200, off (1, 50));
    rig.renderTo (rig.rendered + 2 * block);

    rig.act (SetRecording { true });
    rig.act (Play {});
    const auto start = rig.rendered; // tick 0 is this sample
    rig.at (start + 50 * 20, on (1, 60, 100)); // tick 20
    rig.at (start + 50 * 500, off (1, 60)); // tick 500
    rig.at (start + 50 * 600, on (1, 64, 77)); // tick 600, held to the stop
    rig.at (start + 50 * 700, juce::MidiMessage::controllerEvent (1, 1, 64)); // not a note: not recorded
    // The Stop is applied after the block that ends on sample start + 51200 (tick 1024).
    rig.renderTo (start + 200 * block);
    CHECK (rig.notesOf (id).empty()); // a take is one edit: committed when it ends
    rig.stop();

    const auto& notes = rig.notesOf (id);
    REQUIRE (notes.size() == 2);
    CHECK (hasNote (notes, 20, 480, 60, 100));
    CHECK (hasNote (notes, 600, 1024 - 600, 64, 77));
    CHECK (rig.host.getMidiRecorder().getCommittedTakes() == 1);

    // One undo step removes the whole take.
    const auto undo = rig.host.getUndoState();
    CHECK (undo.canUndo);
    rig.act (model::action::Undo {});
    CHECK (rig.notesOf (id).empty());
}

TEST_CASE ("Armed instruments play and record live MIDI, the selected one does only when none is armed", "[app][record]")
{
    Rig rig;
    const auto selected = rig.addInstrument();
    const auto armed = rig.addInstrument (2);
    rig.host.setMidiInputInstrument (selected);
    rig.act (model::action::SetRecordArm { armed, true });
    rig.act (SetRecording { true });
    rig.act (Play {});
    const auto start = rig.rendered;
    rig.at (start + 50 * 10, on (1, 60)); // channel 1 (claimed by no one) plays the armed one, not the selection
    rig.at (start + 50 * 110, off (1, 60));
    rig.at (start + 50 * 30, on (2, 67)); // channel 2 plays the armed one
    rig.at (start + 50 * 90, off (2, 67));
    rig.renderTo (start + 40 * block);
    rig.stop();
    CHECK (rig.notesOf (selected).empty());
    REQUIRE (rig.notesOf (armed).size() == 2);
    CHECK (hasNote (rig.notesOf (armed), 30, 60, 67));
    CHECK (hasNote (rig.notesOf (armed), 10, 100, 60));
}

TEST_CASE ("Loop recording: each pass is a take, overdubbed or replacing the earlier passes' notes", "[app][record]")
{
    const bool replace = GENERATE (false, true);
    Rig rig;
    const auto id = rig.addInstrument();
    rig.host.setMidiInputInstrument (id);
    rig.act (model::action::SetLoop { { true, 0, 480 } }); // one beat: 24,000 samples a pass
    rig.act (model::action::SetRecordOptions { replace ? model::RecordMode::replace : model::RecordMode::overdub, 0 });
    rig.act (SetRecording { true });
    rig.act (Play {});
    const auto start = rig.rendered;
    constexpr int pass = 24000;
    rig.at (start + 50 * 100, on (1, 60)); // pass 0: tick 100 to 200
    rig.at (start + 50 * 200, off (1, 60));
    rig.at (start + pass + 50 * 300, on (1, 62)); // pass 1: tick 300 to 350
    rig.at (start + pass + 50 * 350, off (1, 62));
    rig.at (start + 2 * pass + 50 * 400, on (1, 65)); // pass 2: tick 400, held over the wrap: ends at 480
    rig.renderTo (start + 3 * pass + 10 * block);
    rig.stop();

    const auto& notes = rig.notesOf (id);
    if (replace)
    {
        // Each pass that played replaced what the earlier ones recorded.
        REQUIRE (notes.size() == 1);
        CHECK (hasNote (notes, 400, 80, 65));
    }
    else
    {
        REQUIRE (notes.size() == 3);
        CHECK (hasNote (notes, 100, 100, 60));
        CHECK (hasNote (notes, 300, 50, 62));
        CHECK (hasNote (notes, 400, 80, 65));
    }
    CHECK (rig.host.getMidiRecorder().getCommittedTakes() == 3);

    // Undo takes back the last pass only.
    rig.act (model::action::Undo {});
    const auto& after = rig.notesOf (id);
    if (replace)
    {
        REQUIRE (after.size() == 1);
        CHECK (hasNote (after, 300, 50, 62));
    }
    else
    {
        CHECK (after.size() == 2);
        CHECK_FALSE (hasNote (after, 400, 80, 65));
    }
}

TEST_CASE ("A count-in plays its bars before the record position, what is played during it is not recorded", "[app][record]")
{
    Rig rig;
    const auto id = rig.addInstrument();
    rig.host.setMidiInputInstrument (id);
    rig.act (model::action::SetRecordOptions { model::RecordMode::overdub, 1 });
    rig.act (SetRecording { true });
    rig.act (Play {});
    const auto start = rig.rendered; // tick -1920 (one 4/4 bar before 0)
    constexpr int bar = 4 * 24000;
    rig.at (start + 1000, on (1, 48)); // during the count-in
    rig.at (start + 2000, off (1, 48));
    rig.at (start + bar + 50 * 100, on (1, 72)); // tick 100
    rig.at (start + bar + 50 * 340, off (1, 72));
    rig.renderTo (start + bar + 80 * block);
    rig.stop();
    const auto& notes = rig.notesOf (id);
    REQUIRE (notes.size() == 1);
    INFO ("recorded: tick " << notes[0].tick << ", duration " << notes[0].duration << ", pitch " << (int) notes[0].pitch << ", velocity " << (int) notes[0].velocity);
    CHECK (hasNote (notes, 100, 240, 72));
}

TEST_CASE ("MIDI learn: the next controller maps the parameter (one edit), and then drives it", "[app][midilearn]")
{
    Rig rig;
    const auto id = rig.addInstrument();
    const auto level = model::ParamAddress::instrument (id, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level);
    CHECK_FALSE (rig.host.learnMidi (model::ParamAddress::instrument (model::InstrumentId { 999 }, model::ParamGroup::strip, 0)));
    REQUIRE (rig.host.learnMidi (level));
    CHECK (rig.host.getMidiLearnTarget() == level);

    rig.at (100, on (1, 60)); // a note does not teach anything
    rig.at (300, juce::MidiMessage::controllerEvent (3, 11, 0));
    rig.at (400, juce::MidiMessage::controllerEvent (4, 12, 0)); // after learning: no second mapping
    rig.renderTo (2 * block);
    CHECK_FALSE (rig.host.getMidiLearnTarget().has_value());
    const auto& mappings = rig.host.getSession().settings.midiMappings;
    REQUIRE (mappings.size() == 1);
    CHECK (mappings[0].source == model::MidiSource::controller);
    CHECK (mappings[0].channel == 3);
    CHECK (mappings[0].controller == 11);
    CHECK (mappings[0].param == level);
    const auto info = *model::findParam (rig.host.getSession(), level);
    CHECK (mappings[0].min == info.minValue);
    CHECK (mappings[0].max == info.maxValue);

    // Now the controller moves it, at its value's place in the range.
    rig.at (rig.rendered + 10, juce::MidiMessage::controllerEvent (3, 11, 127));
    rig.renderTo (rig.rendered + block);
    CHECK (rig.host.getEngine().getParameterValueWhileStopped (level) == info.maxValue);

    // Pitch bend learns too, and replaces the mapping of the same parameter.
    REQUIRE (rig.host.learnMidi (level));
    rig.at (rig.rendered + 10, juce::MidiMessage::pitchWheel (5, 8192));
    rig.renderTo (rig.rendered + block);
    REQUIRE (mappings.size() == 1);
    CHECK (mappings[0].source == model::MidiSource::pitchBend);
    CHECK (mappings[0].channel == 5);
}
