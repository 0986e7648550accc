#include "imbolc_ScTestHelpers.h"

#include <imbolc_engine/imbolc_engine.h>

using namespace imbolc;

namespace
{
/** A session with one SuperCollider instrument of `source` and one note. */
model::Session oneNoteSession (model::BuiltInSource source, model::Tick tick, std::uint8_t pitch, model::Tick duration)
{
    model::Session session;
    model::UndoHistory history;
    model::Dispatcher dispatcher (session, history);
    model::Source s;
    s.builtIn = source;
    auto added = dispatcher.apply (model::action::AddInstrument { "lead", s, model::Backend::superCollider });
    REQUIRE (added.ok());
    const model::InstrumentId id { added.createdId };
    model::Note note;
    note.tick = tick;
    note.pitch = pitch;
    note.duration = duration;
    note.velocity = 127;
    REQUIRE (dispatcher.apply (model::action::AddNote { id, note }).ok());
    REQUIRE (dispatcher.apply (model::action::SetBpm { 120.0 }).ok());
    return session;
}

/** What the engine's sequencer plays of the session, as a score's notes. */
std::vector<sc::ScheduledNote> notesOf (const model::Session& session, double sampleRate = 48000.0)
{
    const auto played = engine::collectExternalNotes (session, sampleRate, 64);
    INFO (played.error);
    REQUIRE (played.ok());
    return sc::scheduledNotes (played.events, played.sampleRate);
}

/** Renders a session on a real scsynth -N (the notes its engine sequences) and reads the audio back;
    the render must succeed with no warnings. */
juce::AudioBuffer<float> renderSession (const model::Session& session, double tailSeconds, double& sampleRate)
{
    const auto folder = juce::File::createTempFile ("imbolc-sc");
    REQUIRE (folder.createDirectory());
    const auto wav = folder.getChildFile ("session.wav");
    sc::ScoreRenderer::Options options;
    options.tailSeconds = tailSeconds;
    const auto result = sc::ScoreRenderer::render (session, notesOf (session, options.sampleRate), wav, options);
    INFO (result.error);
    REQUIRE (result.ok());
    CHECK (result.warnings.empty());
    auto audio = test::readWav (wav, sampleRate);
    folder.deleteRecursively();
    REQUIRE (sampleRate == options.sampleRate);
    REQUIRE (audio.getNumChannels() == 2);
    return audio;
}

/** Frequency from upward zero crossings between two samples (linear interpolation of each crossing). */
double measuredFrequency (const float* x, int from, int to, double sampleRate)
{
    double first = -1.0, last = -1.0;
    int crossings = 0;
    for (int i = from + 1; i < to; ++i)
        if (x[i - 1] < 0.0f && x[i] >= 0.0f)
        {
            const double t = (i - 1) + (double) -x[i - 1] / (double) (x[i] - x[i - 1]);
            if (first < 0.0)
                first = t;
            else
                ++crossings;
            last = t;
        }
    REQUIRE (crossings > 10);
    return crossings * sampleRate / (last - first);
}
} // namespace

TEST_CASE ("SynthDef files have the SCgf version 2 layout", "[sc]")
{
    sc::SynthDefBuilder d ("test");
    const auto c = d.controls ({ { "freq", 440.0f } });
    const auto osc = d.ugen ("SinOsc", sc::Rate::audio, { c[0], d.constant (0.0f) });
    d.ugen ("Out", sc::Rate::audio, { d.constant (0.0f), osc }, 0);
    const auto bytes = d.build();

    // Header, then the definition, every field at its place (all big-endian, packed).
    const std::vector<std::uint8_t> expected {
        'S', 'C', 'g', 'f', 0, 0, 0, 2, 0, 1, // id, version 2, one definition
        4,
        't',
        'e',
        's',
        't', // name
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        0, // one constant: 0.0
        0,
        0,
        0,
        1,
        0x43,
        0xdc,
        0,
        0, // one parameter, default 440.0
        0,
        0,
        0,
        1,
        4,
        'f',
        'r',
        'e',
        'q',
        0,
        0,
        0,
        0, // its name and index
        0,
        0,
        0,
        3, // three UGens
        7,
        'C',
        'o',
        'n',
        't',
        'r',
        'o',
        'l',
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
        0,
        0,
        1, // Control.kr, 0 in, 1 out, special 0, out rate kr
        6,
        'S',
        'i',
        'n',
        'O',
        's',
        'c',
        2,
        0,
        0,
        0,
        2,
        0,
        0,
        0,
        1,
        0,
        0, // SinOsc.ar, 2 in, 1 out
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0xff,
        0xff,
        0xff,
        0xff,
        0,
        0,
        0,
        0,
        2, // freq from Control 0; phase constant 0; out ar
        3,
        'O',
        'u',
        't',
        2,
        0,
        0,
        0,
        2,
        0,
        0,
        0,
        0,
        0,
        0, // Out.ar, 2 in, 0 out
        0xff,
        0xff,
        0xff,
        0xff,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        0, // bus constant 0, signal from SinOsc
        0,
        0 // no variants
    };
    CHECK (bytes == expected);
}

TEST_CASE ("OSC messages and bundles encode as OSC 1.0 says", "[sc]")
{
    const auto m = sc::osc::encodeMessage ({ "/n_set", { (std::int32_t) 1000, std::string ("gate"), 0.5f } });
    const std::vector<std::uint8_t> expected {
        '/', 'n', '_', 's', 'e', 't', 0, 0, ',', 'i', 's', 'f', 0, 0, 0, 0, 0, 0, 0x03, 0xe8, 'g', 'a', 't', 'e', 0, 0, 0, 0, 0x3f, 0, 0, 0
    };
    CHECK (m == expected);

    const auto b = sc::osc::encodeBundle (1.5, { { "/a", {} } });
    const std::vector<std::uint8_t> bundle {
        '#', 'b', 'u', 'n', 'd', 'l', 'e', 0, 0, 0, 0, 1, 0x80, 0, 0, 0, // 1.5 s in NTP fixed point
        0,
        0,
        0,
        8,
        '/',
        'a',
        0,
        0,
        ',',
        0,
        0,
        0
    };
    CHECK (b == bundle);
}

TEST_CASE ("An NRT render on scsynth puts one note at its sample and its pitch", "[sc]")
{
    // A3 (220 Hz) on beat 2 at 120 BPM: starts at 0.5 s, lasts a beat.
    const auto session = oneNoteSession (model::BuiltInSource::sine, model::ticksPerBeat, 57, model::ticksPerBeat);
    double sampleRate = 0.0;
    const auto audio = renderSession (session, 0.5, sampleRate);
    const sc::ScoreRenderer::Options options;
    // 0.5 s of note, its release, and the tail.
    CHECK (audio.getNumSamples() >= (int) (sampleRate * 1.0));

    const auto* left = audio.getReadPointer (0);
    int onset = -1;
    for (int i = 0; i < audio.getNumSamples() && onset < 0; ++i)
        if (std::abs (left[i]) > 1.0e-4f)
            onset = i;
    const int expectedOnset = (int) (0.5 * sampleRate);
    INFO ("onset at sample " << onset << ", expected " << expectedOnset);
    CHECK (onset >= expectedOnset);
    CHECK (onset <= expectedOnset + options.blockSize);

    const auto frequency = measuredFrequency (left, expectedOnset + 2400, expectedOnset + 21600, sampleRate);
    INFO ("frequency " << frequency);
    CHECK (std::abs (frequency - 220.0) < 0.5);

    // The note ends at 1.0 s and its 0.2 s release has run out well before the end of the file.
    const auto tail = audio.getMagnitude (0, (int) (1.3 * sampleRate), audio.getNumSamples() - (int) (1.3 * sampleRate));
    CHECK (tail < 1.0e-3f);
}

TEST_CASE ("A score names the instruments it cannot play and plays the rest", "[sc]")
{
    auto session = oneNoteSession (model::BuiltInSource::saw, 0, 60, 240);
    model::UndoHistory history;
    model::Dispatcher dispatcher (session, history);
    model::Source sampler;
    sampler.builtIn = model::BuiltInSource::sampler;
    auto added = dispatcher.apply (model::action::AddInstrument { "bells", sampler, model::Backend::superCollider });
    REQUIRE (added.ok());
    REQUIRE (dispatcher.apply (model::action::AddNote { model::InstrumentId { added.createdId }, model::Note {} }).ok());

    const auto score = sc::ScoreRenderer::makeScore (session, notesOf (session), {});
    CHECK (score.voices == 1);
    REQUIRE (score.warnings.size() == 1);
    CHECK_THAT (score.warnings[0], Catch::Contains ("bells") && Catch::Contains ("sampler"));
}

TEST_CASE ("Rendering without scsynth says what to install", "[sc]")
{
    const auto session = oneNoteSession (model::BuiltInSource::saw, 0, 60, 240);
    sc::ScoreRenderer::Options options;
    options.scsynth = "/nonexistent/scsynth";
    const auto folder = juce::File::createTempFile ("imbolc-sc");
    REQUIRE (folder.createDirectory());
    const auto result = sc::ScoreRenderer::render (session, notesOf (session), folder.getChildFile ("x.wav"), options);
    CHECK_FALSE (result.ok());
    CHECK_THAT (result.error, Catch::Contains ("supercollider-server"));
    CHECK_FALSE (folder.getChildFile ("x.wav").exists());
    folder.deleteRecursively();
}

TEST_CASE ("A score builds chains strips and the master as a live server gets them and they sound", "[sc]")
{
    // One sine note through every stage kind the backend has, then its strip and the master.
    auto session = oneNoteSession (model::BuiltInSource::sine, 0, 69, model::ticksPerBeat);
    model::UndoHistory history;
    model::Dispatcher dispatcher (session, history);
    const auto id = (*session.instruments.begin()).id;
    for (int f = 0; f < model::numFilterTypes; ++f)
    {
        model::Stage stage;
        stage.kind = model::StageKind::filter;
        stage.filter = (model::FilterType) f;
        REQUIRE (dispatcher.apply (model::action::AddStage { model::NodeKind::instrument, id.value, stage }).ok());
    }
    for (int e = 0; e < model::numBuiltInEffectTypes; ++e)
    {
        model::Stage stage;
        stage.kind = model::StageKind::effect;
        stage.effect = (model::EffectType) e;
        REQUIRE (dispatcher.apply (model::action::AddStage { model::NodeKind::instrument, id.value, stage }).ok());
    }
    model::Stage eq;
    eq.kind = model::StageKind::eq;
    REQUIRE (dispatcher.apply (model::action::AddStage { model::NodeKind::instrument, id.value, eq }).ok());

    const auto render = [&] (const model::Session& s)
    {
        double rate = 0.0;
        return renderSession (s, 0.3, rate);
    };

    const auto full = render (session);
    const auto peak = full.getMagnitude (0, 0, full.getNumSamples());
    INFO ("peak " << peak);
    // Every definition loaded and ran: one that failed would leave the bus silent. (The band-pass and
    // notch at 2 kHz, in series on a 440 Hz sine, leave little.)
    CHECK (peak > 1.0e-4f);
    CHECK (peak <= 1.0f); // under the safety limiter's ceiling

    // The strip's level acts after the chain: half the level, half the amplitude (a sine note alone).
    auto plain = oneNoteSession (model::BuiltInSource::sine, 0, 69, model::ticksPerBeat);
    const auto loud = render (plain);
    model::UndoHistory h2;
    model::Dispatcher d2 (plain, h2);
    REQUIRE (d2.apply (model::action::SetParam { model::ParamAddress::instrument ((*plain.instruments.begin()).id, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level), 0.4f }).ok());
    const auto quiet = render (plain);
    const auto ratio = quiet.getRMSLevel (0, 4800, 14400) / loud.getRMSLevel (0, 4800, 14400);
    INFO ("ratio " << ratio);
    CHECK (ratio == Approx (0.5).margin (0.02));
}

TEST_CASE ("Supersaw FM and the drums play on SuperCollider and the drums ring out by themselves", "[sc]")
{
    using B = model::BuiltInSource;
    for (auto source : { B::supersaw, B::fm, B::kick, B::snare, B::hat })
    {
        // One short note at 0 (the drums ignore how short), 1.5 s of score after it.
        const auto session = oneNoteSession (source, 0, 60, model::ticksPerBeat / 8);
        INFO (model::toString (source));
        double rate = 0.0;
        const auto audio = renderSession (session, 1.5, rate);
        const auto first = audio.getRMSLevel (0, 0, (int) (0.05 * rate));
        INFO ("RMS over the first 50 ms " << first);
        CHECK (first > 0.01f);
        // Kick 0.4 s, snare 0.2 s, hat 0.08 s of decay: silent (-80 dB) by 1 s; the others were released.
        const auto late = audio.getMagnitude (0, (int) (1.0 * rate), audio.getNumSamples() - (int) (1.0 * rate));
        INFO ("peak after 1 s " << late);
        CHECK (late < 1.0e-3f);
    }
}

TEST_CASE ("An NRT render refuses a named pipe or a folder as its output, scsynth or not", "[sc]")
{
    juce::TemporaryFile temporary;
    const auto folder = temporary.getFile();
    REQUIRE (folder.createDirectory().wasOk());
    const auto pipe = folder.getChildFile ("pipe.wav");
    REQUIRE (test::makeNamedPipe (pipe));
    const auto taken = folder.getChildFile ("taken.wav");
    REQUIRE (taken.createDirectory().wasOk());

    sc::ScoreRenderer::Options options;
    options.scsynth = "/nonexistent/scsynth"; // the output is checked before scsynth is looked for
    sc::Bytes score;
    sc::ScoreRenderer::appendBundle (score, 0.1, { { "/c_set", { (std::int32_t) 0, 0.0f } } });

    CHECK (sc::ScoreRenderer::renderScore (score, pipe, options).error == pipe.getFullPathName().toStdString() + " is a named pipe, not a file: give a file name to save to.");
    CHECK (sc::ScoreRenderer::renderScore (score, taken, options).error == taken.getFullPathName().toStdString() + " is a folder, not a file: give a file name to save to.");
    CHECK (test::fileTypeOf (pipe) == S_IFIFO);
    CHECK (test::fileTypeOf (taken) == S_IFDIR);
    // With a file name, it is scsynth that is missing, and nothing is left behind.
    CHECK (sc::ScoreRenderer::renderScore (score, folder.getChildFile ("x.wav"), options).error.rfind ("There is no scsynth", 0) == 0);
    CHECK (folder.getNumberOfChildFiles (juce::File::findFilesAndDirectories) == 2);
}
