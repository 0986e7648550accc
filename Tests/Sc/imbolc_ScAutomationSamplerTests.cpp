// Automation, the LFO and the sampler on a real scsynth: rendered by scsynth -N from what the engine's
// sequencer plays (audio compared sample by sample), and followed live by a backend on a running
// server (its nodes and buffers queried back).

#include "imbolc_ScTestHelpers.h"

#include <imbolc_EngineTestSupport.h>
#include <imbolc_app/imbolc_app.h>

using namespace imbolc;
using model::ParamAddress;
using model::ParamGroup;

namespace
{
constexpr double rate = 48000.0;
constexpr std::uint16_t sineLevel = 2; // tune, fine, level

struct Rig
{
    model::Session session;
    model::UndoHistory history;
    model::Dispatcher dispatcher { session, history };
    std::function<void (const std::vector<model::AudioEffect>&)> follow;

    std::uint32_t act (const model::Action& action)
    {
        auto result = dispatcher.apply (action);
        INFO (result.error);
        REQUIRE (result.ok());
        if (follow)
            follow (result.changes.audio);
        return result.createdId;
    }

    model::InstrumentId add (model::Source source, std::vector<model::Stage> chain = {})
    {
        return model::InstrumentId { act (model::action::AddInstrument { "lead", std::move (source), model::Backend::superCollider, std::move (chain) }) };
    }

    model::InstrumentId addSine()
    {
        model::Source s;
        s.builtIn = model::BuiltInSource::sine;
        return add (s);
    }

    model::InstrumentId addSampler (const juce::File& file)
    {
        model::Source s;
        s.builtIn = model::BuiltInSource::sampler;
        s.params = model::makeParameters (model::BuiltInSource::sampler);
        s.samplePath = file.getFullPathName().toStdString();
        const auto id = add (s);
        // Full level at once: the envelope is flat after a 5 ms attack, so the sample passes unshaped.
        act (model::action::SetParam { ParamAddress::instrument (id, ParamGroup::amp, (std::uint16_t) model::AmpParam::attack), 0.005f });
        act (model::action::SetParam { ParamAddress::instrument (id, ParamGroup::amp, (std::uint16_t) model::AmpParam::sustain), 1.0f });
        return id;
    }

    void note (model::InstrumentId id, model::Tick tick, int pitch, model::Tick duration)
    {
        model::Note n;
        n.tick = tick;
        n.pitch = (std::uint8_t) pitch;
        n.duration = duration;
        n.velocity = 127;
        act (model::action::AddNote { id, n });
    }
};

/** Renders the session on scsynth -N from the notes (and parameter values) its engine sequences. */
juce::AudioBuffer<float> render (const model::Session& session, std::vector<std::string>* warnings = nullptr)
{
    const auto played = engine::collectExternalNotes (session, rate, 64);
    INFO (played.error);
    REQUIRE (played.ok());
    const auto folder = juce::File::createTempFile ("imbolc-sc");
    REQUIRE (folder.createDirectory());
    const auto wav = folder.getChildFile ("render.wav");
    sc::ScoreRenderer::Options options;
    options.bitsPerSample = 32;
    options.tailSeconds = 0.5;
    const auto result = sc::ScoreRenderer::render (session, sc::scheduledNotes (played.events, played.sampleRate), wav, options);
    INFO (result.error << "\n"
                       << result.output);
    REQUIRE (result.ok());
    if (warnings != nullptr)
        *warnings = result.warnings;
    else
        CHECK (result.warnings.empty());
    double sampleRate = 0.0;
    auto audio = test::readWav (wav, sampleRate);
    folder.deleteRecursively();
    REQUIRE (sampleRate == rate);
    return audio;
}

float peakBetween (const juce::AudioBuffer<float>& audio, double from, double to)
{
    return audio.getMagnitude (0, (int) (from * rate), (int) ((to - from) * rate));
}

/** The last sample in [from, to) louder than `threshold`: where a loud stretch turns quiet. */
int lastLouder (const juce::AudioBuffer<float>& audio, double from, double to, float threshold)
{
    int last = -1;
    for (int i = (int) (from * rate); i < (int) (to * rate); ++i)
        if (std::abs (audio.getSample (0, i)) > threshold)
            last = i;
    return last;
}

/** A 0.5 s test sample at 48 kHz, 32-bit float (so what scsynth plays compares exactly): 441 Hz with a
    third harmonic in the left channel, and in a second channel (stereo) 660 Hz. */
juce::File writeSample (const juce::File& folder, int channels)
{
    const auto file = folder.getChildFile (channels > 1 ? "stereo.wav" : "mono.wav");
    juce::AudioBuffer<float> audio (channels, 24000);
    for (int i = 0; i < audio.getNumSamples(); ++i)
    {
        const auto t = (double) i / rate;
        audio.setSample (0, i, (float) (0.3 * std::sin (juce::MathConstants<double>::twoPi * 441.0 * t) + 0.1 * std::sin (juce::MathConstants<double>::twoPi * 1323.0 * t)));
        if (channels > 1)
            audio.setSample (1, i, (float) (0.25 * std::sin (juce::MathConstants<double>::twoPi * 660.0 * t)));
    }
    juce::WavAudioFormat wav;
    std::unique_ptr<juce::OutputStream> stream (file.createOutputStream());
    REQUIRE (stream != nullptr);
    std::unique_ptr<juce::AudioFormatWriter> writer (wav.createWriterFor (stream.get(), rate, (unsigned int) channels, 32, {}, 0));
    REQUIRE (writer != nullptr);
    stream.release();
    REQUIRE (writer->writeFromAudioSampleBuffer (audio, 0, audio.getNumSamples()));
    return file;
}

juce::AudioBuffer<float> readSample (const juce::File& file)
{
    double sampleRate = 0.0;
    return test::readWav (file, sampleRate);
}

/** Upward zero crossings per second between two samples. */
double frequencyOf (const float* x, int from, int to)
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
    return crossings * rate / (last - first);
}

struct TempFolder
{
    TempFolder() { REQUIRE (folder.createDirectory()); }
    ~TempFolder() { folder.deleteRecursively(); }
    juce::File folder = juce::File::createTempFile ("imbolc-sampler");
};

sc::ScBackend::Options backendOptions (int port, sc::ScBackend::Options::SampleUpload upload = sc::ScBackend::Options::SampleUpload::automatic)
{
    sc::ScBackend::Options o;
    o.server = { "127.0.0.1", port, 4000 };
    o.latencySeconds = 0.05;
    o.statusIntervalMs = 100;
    o.silenceBeforeLostMs = 3000;
    o.sampleUpload = upload;
    return o;
}

/** A real scsynth, a session, and a backend following the session on it. */
struct LiveRig : Rig
{
    explicit LiveRig (sc::ScBackend::Options::SampleUpload upload = sc::ScBackend::Options::SampleUpload::automatic)
    {
        backend = std::make_unique<sc::ScBackend> (backendOptions (server.port, upload));
        const auto started = backend->start (session);
        INFO (started.getErrorMessage());
        REQUIRE (started.wasOk());
        follow = [this] (const auto& effects)
        { backend->apply (session, effects); };
    }

    test::LiveServer server;
    std::unique_ptr<sc::ScBackend> backend;
};

std::vector<std::pair<std::int32_t, std::int32_t>> treeOf (sc::ScsynthClient& client, std::int32_t group)
{
    const auto tree = client.queryTree (group);
    REQUIRE (tree.has_value());
    std::vector<std::pair<std::int32_t, std::int32_t>> nodes;
    for (const auto& n : *tree)
        nodes.emplace_back (n.id, n.children);
    return nodes;
}

/** Every sample of a buffer on the server, read back in chunks. */
std::vector<float> bufferOnServer (sc::ScsynthClient& client, std::int32_t buffer, int samples)
{
    std::vector<float> all;
    for (int start = 0; start < samples; start += sc::ScsynthClient::setnChunk)
    {
        const auto part = client.getBuffer (buffer, start, std::min (sc::ScsynthClient::setnChunk, samples - start));
        REQUIRE (part.has_value());
        all.insert (all.end(), part->begin(), part->end());
    }
    return all;
}
} // namespace

//==============================================================================
TEST_CASE ("An automation lane on a SuperCollider instrument changes its sound on scsynth at the lane's tick", "[sc]")
{
    Rig rig;
    const auto id = rig.addSine();
    rig.act (model::action::SetBpm { 120.0 });
    rig.note (id, 0, 69, 4 * model::ticksPerBeat); // A4 for two seconds
    const model::LaneId lane { rig.act (model::action::AddLane { { model::AutomationTargetKind::parameter, ParamAddress::instrument (id, ParamGroup::source, sineLevel) } }) };
    rig.act (model::action::SetPoint { lane, { 0, 0.8f, model::CurveType::step } });
    rig.act (model::action::SetPoint { lane, { 2 * model::ticksPerBeat, 0.2f, model::CurveType::step } }); // at 1.0 s

    const auto audio = render (rig.session);
    const auto before = peakBetween (audio, 0.5, 0.95), after = peakBetween (audio, 1.05, 1.5);
    INFO ("peak before " << before << ", after " << after);
    REQUIRE (before > 0.05f);
    CHECK (after / before == Approx (0.25).epsilon (0.01));

    // The note starts on its sample; the level drops at its tick (one engine block of 64 samples and
    // one scsynth control period at most, plus a period of the tone to see it).
    int onset = -1;
    for (int i = 0; i < audio.getNumSamples() && onset < 0; ++i)
        if (std::abs (audio.getSample (0, i)) > 1.0e-4f)
            onset = i;
    CHECK (onset >= 0);
    CHECK (onset <= 64);
    const auto drop = lastLouder (audio, 0.9, 1.1, 0.5f * (before + after));
    INFO ("the level drops after sample " << drop);
    CHECK (drop >= 48000 - 64 - 110);
    CHECK (drop <= 48000 + 2 * 64);
}

TEST_CASE ("The LFO of a SuperCollider instrument swings its parameter on scsynth in time", "[sc]")
{
    Rig rig;
    const auto id = rig.addSine();
    rig.act (model::action::SetBpm { 120.0 });
    rig.note (id, 0, 69, 2 * model::ticksPerBeat);
    rig.act (model::action::SetParam { ParamAddress::instrument (id, ParamGroup::source, sineLevel), 0.8f });
    // Held at full level once the attack is over, so only the LFO moves the level.
    rig.act (model::action::SetParam { ParamAddress::instrument (id, ParamGroup::amp, (std::uint16_t) model::AmpParam::sustain), 1.0f });
    rig.act (model::action::SetParam { ParamAddress::instrument (id, ParamGroup::lfo, (std::uint16_t) model::LfoParam::rate), 2.0f });
    rig.act (model::action::SetParam { ParamAddress::instrument (id, ParamGroup::lfo, (std::uint16_t) model::LfoParam::depth), 0.25f });
    rig.act (model::action::SetLfo { id, true, model::LfoShape::square, ParamAddress::instrument (id, ParamGroup::source, sineLevel) });

    // A square at depth 0.25 of the level's range (0..2) is 0.8 +- 0.25: 1.05 for a quarter second, then 0.55.
    const auto audio = render (rig.session);
    const auto high = peakBetween (audio, 0.05, 0.2), low = peakBetween (audio, 0.3, 0.45), highAgain = peakBetween (audio, 0.55, 0.7);
    INFO ("peaks " << high << ", " << low << ", " << highAgain);
    REQUIRE (high > 0.05f);
    CHECK (low / high == Approx (0.55 / 1.05).epsilon (0.01));
    CHECK (highAgain == Approx (high).epsilon (0.01));
    const auto flip = lastLouder (audio, 0.2, 0.3, 0.5f * (high + low));
    INFO ("the level flips after sample " << flip);
    CHECK (flip >= 12000 - 64 - 110);
    CHECK (flip <= 12000 + 2 * 64);
}

TEST_CASE ("A sampler on SuperCollider plays its sample exactly at the root and an octave up at twice the speed", "[sc]")
{
    TempFolder temp;
    const auto file = writeSample (temp.folder, 1);
    const auto sample = readSample (file);
    Rig rig;
    const auto id = rig.addSampler (file);
    rig.act (model::action::SetBpm { 120.0 });
    rig.note (id, 0, 60, 2 * model::ticksPerBeat); // the root, held past the sample's end
    rig.note (id, 4 * model::ticksPerBeat, 72, 2 * model::ticksPerBeat); // at 2.0 s, an octave up

    const auto audio = render (rig.session);
    // Find where the sample starts (the first note is on sample 0; allow the safety stage's delay),
    // then fit one gain (velocity, level, the strip's pan law) and compare every sample.
    const auto* out = audio.getReadPointer (0);
    const auto* in = sample.getReadPointer (0);
    int lag = 0;
    double best = -1.0;
    for (int l = 0; l <= 256; ++l)
    {
        double c = 0.0;
        for (int i = 2000; i < 6000; ++i)
            c += (double) out[i + l] * in[i];
        if (c > best)
            best = c, lag = l;
    }
    double num = 0.0, den = 0.0;
    for (int i = 480; i < 23000; ++i)
        num += (double) out[i + lag] * in[i], den += (double) in[i] * in[i];
    const auto gain = num / den;
    double worst = 0.0;
    for (int i = 480; i < 23000; ++i)
        worst = std::max (worst, std::abs ((double) out[i + lag] - gain * in[i]));
    INFO ("lag " << lag << ", gain " << gain << ", worst difference " << worst);
    CHECK (gain > 0.3);
    CHECK (worst < 1.0e-5);
    // The voice ends with the sample (no loop): silence after it, long before the note's end.
    CHECK (peakBetween (audio, 0.52, 0.95) < 1.0e-6f);

    // An octave up: 882 Hz, over in a quarter second.
    const auto start = (int) (2.0 * rate) + lag;
    const auto frequency = frequencyOf (out, start + 480, start + 11000);
    INFO ("frequency " << frequency);
    CHECK (std::abs (frequency - 882.0) < 1.0);
    CHECK (peakBetween (audio, 2.05, 2.2) > 0.1f);
    CHECK (peakBetween (audio, 2.27, 2.9) < 1.0e-6f);
}

TEST_CASE ("A score with a sampler whose file is missing says so once and renders the rest", "[sc]")
{
    Rig rig;
    const auto sampler = rig.addSampler (juce::File ("/nonexistent/imbolc/missing.wav"));
    const auto sine = rig.addSine();
    rig.act (model::action::SetBpm { 120.0 });
    rig.note (sampler, 0, 60, model::ticksPerBeat);
    rig.note (sine, 0, 69, model::ticksPerBeat);
    std::vector<std::string> warnings;
    const auto audio = render (rig.session, &warnings);
    REQUIRE (warnings.size() == 1);
    CHECK_THAT (warnings[0], Catch::Contains ("missing.wav") && Catch::Contains ("does not exist"));
    CHECK (peakBetween (audio, 0.1, 0.4) > 0.05f); // the sine plays
}

//==============================================================================
TEST_CASE ("Automated values reach their nodes on a live scsynth and new voices start with them", "[sc][live]")
{
    LiveRig rig;
    auto& backend = *rig.backend;
    model::Source saw;
    saw.builtIn = model::BuiltInSource::saw;
    model::Stage lowPass;
    lowPass.kind = model::StageKind::filter;
    lowPass.filter = model::FilterType::lowPass;
    lowPass.params = model::makeFilterParameters (model::FilterType::lowPass);
    const auto id = rig.add (saw, { lowPass });
    const auto stage = rig.session.instruments.find (id)->chain[0].id;
    const auto nodes = *backend.findInstrument (id);
    auto& client = backend.getClient();

    // What the engine sends for an SC instrument's lanes, as ScOutput hands it over: a timed value.
    const auto soon = sc::ScsynthClient::ntpNow();
    backend.automate (id, ParamGroup::stage, stage.value, 0, 640.0f, soon);
    backend.automate (id, ParamGroup::strip, 0, (int) model::StripParam::pan, -0.5f, soon);
    backend.automate (id, ParamGroup::source, 0, 0, -12.0f, soon); // tune
    backend.automate (id, ParamGroup::amp, 0, (int) model::AmpParam::release, 0.7f, soon);
    REQUIRE (test::eventually ([&]
                               { return client.getControl (nodes.stages[0].second, "cutoff") == 640.0f; },
                               2000));
    CHECK (client.getControl (nodes.strip, "pan") == Approx (-0.5f));

    // A voice started after the values starts with them.
    backend.noteOn (id, 60, 0.8f, sc::ScsynthClient::ntpNow());
    REQUIRE (test::eventually ([&]
                               { return treeOf (client, nodes.voiceGroup).size() == 2; },
                               2000));
    const auto voice = treeOf (client, nodes.voiceGroup)[1].first;
    CHECK (client.getControl (voice, "tune") == Approx (-12.0f));
    CHECK (client.getControl (voice, "ampRelease") == Approx (0.7f));

    // And a sounding voice follows the next value, due a little later: not before it is due.
    const auto due = sc::ScsynthClient::ntpNow() + 0.3;
    backend.automate (id, ParamGroup::source, 0, 0, 5.0f, due);
    std::this_thread::sleep_for (std::chrono::milliseconds (150));
    CHECK (client.getControl (voice, "tune") == Approx (-12.0f));
    REQUIRE (test::eventually ([&]
                               { return client.getControl (voice, "tune") == 5.0f; },
                               2000));
    CHECK (sc::ScsynthClient::ntpNow() >= due);
    CHECK (backend.takeWarnings().empty());
}

TEST_CASE ("A sampler's sample reaches a live scsynth read from its path or sent in chunks, and plays", "[sc][live]")
{
    using U = sc::ScBackend::Options::SampleUpload;
    TempFolder temp;
    for (const auto upload : { U::serverReads, U::send })
        for (const int channels : { 1, 2 })
        {
            INFO ((upload == U::send ? "sent with /b_setn" : "read with /b_allocRead") << ", " << channels << " channel(s)");
            const auto file = writeSample (temp.folder, channels);
            const auto sample = readSample (file);
            LiveRig rig (upload);
            auto& backend = *rig.backend;
            const auto id = rig.addSampler (file);
            const auto nodes = *backend.findInstrument (id);
            REQUIRE (nodes.buffer >= 0);
            CHECK (backend.takeWarnings().empty());
            CHECK (nodes.voiceDefinition == sc::samplerDefinitionName (channels));

            // The buffer holds the file's samples exactly, frame by frame.
            auto& client = backend.getClient();
            const auto held = bufferOnServer (client, nodes.buffer, sample.getNumSamples() * channels);
            int mismatches = 0;
            for (int f = 0; f < sample.getNumSamples(); ++f)
                for (int c = 0; c < channels; ++c)
                    mismatches += held[(std::size_t) (f * channels + c)] != sample.getSample (c, f) ? 1 : 0;
            CHECK (mismatches == 0);

            // A note starts a voice that reads that buffer at the file's rate, and it ends with the sample.
            backend.noteOn (id, 60, 1.0f, sc::ScsynthClient::ntpNow());
            REQUIRE (test::eventually ([&]
                                       { return treeOf (client, nodes.voiceGroup).size() == 2; },
                                       2000));
            const auto voice = treeOf (client, nodes.voiceGroup)[1].first;
            CHECK (client.getControl (voice, "buf") == Approx ((float) nodes.buffer));
            CHECK (client.getControl (voice, "rateScale") == Approx (1.0f));
            REQUIRE (test::eventually ([&]
                                       {
                                           backend.update (rig.session);
                                           return backend.getMeters().liveVoices == 0; },
                                       3000));

            // Deleting the instrument frees its buffer on the server.
            rig.act (model::action::DeleteInstrument { id });
            client.sync();
            CHECK_FALSE (client.getBuffer (nodes.buffer, 0, 4).has_value());
        }
}

TEST_CASE ("A sampler whose file is missing or not audio is one warning on a live scsynth and nothing breaks", "[sc][live]")
{
    TempFolder temp;
    const auto text = temp.folder.getChildFile ("notes.wav");
    REQUIRE (text.replaceWithText ("this is not a WAV file"));
    LiveRig rig;
    auto& backend = *rig.backend;

    const auto missing = rig.addSampler (temp.folder.getChildFile ("gone.wav"));
    auto warnings = backend.takeWarnings();
    REQUIRE (warnings.size() == 1);
    CHECK_THAT (warnings[0], Catch::Contains ("gone.wav") && Catch::Contains ("does not exist") && Catch::Contains ("silent"));

    const auto notAudio = rig.addSampler (text);
    warnings = backend.takeWarnings();
    REQUIRE (warnings.size() == 1);
    CHECK_THAT (warnings[0], Catch::Contains ("notes.wav") && Catch::Contains ("not an audio file"));

    // Their notes start nothing; the server and the rest of the session carry on.
    const auto sine = rig.addSine();
    for (auto id : { missing, notAudio, sine })
        backend.noteOn (id, 60, 0.8f, sc::ScsynthClient::ntpNow());
    auto& client = backend.getClient();
    REQUIRE (test::eventually ([&]
                               { return treeOf (client, backend.findInstrument (sine)->voiceGroup).size() == 2; },
                               2000));
    CHECK (treeOf (client, backend.findInstrument (missing)->voiceGroup).size() == 1);
    CHECK (treeOf (client, backend.findInstrument (notAudio)->voiceGroup).size() == 1);
    CHECK (backend.getState() == sc::ScBackend::State::running);
    CHECK (backend.takeWarnings().empty());
}

TEST_CASE ("A running engine's lane on a SuperCollider stage reaches scsynth through ScOutput", "[sc][live]")
{
    // The whole live path: the engine's audio thread (here a thread calling process() at the device's
    // pace) queues the lane's values, ScOutput's sender maps them to wall time and the backend sends
    // them as timed /n_set bundles.
    test::LiveServer server;
    test::EngineRig rig;
    model::Source saw;
    saw.builtIn = model::BuiltInSource::saw;
    model::Stage lowPass;
    lowPass.kind = model::StageKind::filter;
    lowPass.filter = model::FilterType::lowPass;
    lowPass.params = model::makeFilterParameters (model::FilterType::lowPass);
    const model::InstrumentId id { rig.act (model::action::AddInstrument { "lead", saw, model::Backend::superCollider, { lowPass } }) };
    const auto stage = rig.session.instruments.find (id)->chain[0].id;
    const model::LaneId lane { rig.act (model::action::AddLane { { model::AutomationTargetKind::parameter, ParamAddress::stage (model::NodeKind::instrument, id.value, stage, 0) } }) };
    rig.act (model::action::SetPoint { lane, { 0, 640.0f, model::CurveType::linear } });

    app::ScOutput output (rig.engine, backendOptions (server.port));
    const auto started = output.start (rig.session);
    INFO (started.getErrorMessage());
    REQUIRE (started.wasOk());
    const auto nodes = *output.getBackend().findInstrument (id);
    auto& client = output.getBackend().getClient();
    CHECK (client.getControl (nodes.stages[0].second, "cutoff") == Approx (2000.0f)); // the model's value
    rig.act (model::action::Play {});

    std::atomic<bool> quit { false };
    std::thread audio ([&]
                       {
        std::vector<float> l ((std::size_t) test::EngineRig::blockSize), r (l.size());
        float* outs[] = { l.data(), r.data() };
        const auto period = std::chrono::microseconds ((int) (1.0e6 * test::EngineRig::blockSize / test::EngineRig::sampleRate));
        auto next = std::chrono::steady_clock::now();
        while (! quit.load())
        {
            rig.engine.process (outs, 2, test::EngineRig::blockSize);
            next += period;
            std::this_thread::sleep_until (next);
        } });
    const auto reached = test::eventually ([&]
                                           {
                                               rig.engine.update();
                                               return client.getControl (nodes.stages[0].second, "cutoff") == 640.0f; },
                                           3000);
    quit = true;
    audio.join();
    CHECK (reached);
    CHECK (rig.engine.getExternalNotes().getParamsDropped() == 0);
    CHECK (output.takeWarnings().empty());
}
