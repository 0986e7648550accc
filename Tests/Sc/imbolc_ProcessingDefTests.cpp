#include "imbolc_ScTestHelpers.h"

using namespace imbolc;

namespace
{
constexpr double sampleRate = 48000.0;

/** Test sources, built with our own builder like everything else we send: a sine, one impulse, and
    noise, each written as a stereo pair to `out`. */
std::vector<sc::SynthDefBuilder> testSources()
{
    std::vector<sc::SynthDefBuilder> defs;

    sc::SynthDefBuilder sine ("test_sine");
    auto c = sine.controls ({ { "out", 0.0f }, { "freq", 440.0f }, { "amp", 0.1f } });
    const auto s = sine.mul (sine.ugen ("SinOsc", sc::Rate::audio, { c[1], sine.constant (0.0f) }), c[2]);
    sine.ugen ("Out", sc::Rate::audio, { c[0], s, s }, 0);
    defs.push_back (sine);

    // Impulse at frequency 0: one sample of 1 when the synth starts, then silence.
    sc::SynthDefBuilder impulse ("test_impulse");
    c = impulse.controls ({ { "out", 0.0f }, { "amp", 0.5f } });
    const auto i = impulse.mul (impulse.ugen ("Impulse", sc::Rate::audio, { impulse.constant (0.0f), impulse.constant (0.0f) }), c[1]);
    impulse.ugen ("Out", sc::Rate::audio, { c[0], i, i }, 0);
    defs.push_back (impulse);

    sc::SynthDefBuilder noise ("test_noise");
    c = noise.controls ({ { "out", 0.0f }, { "amp", 0.5f } });
    const auto l = noise.mul (noise.ugen ("WhiteNoise", sc::Rate::audio, {}), c[1]);
    const auto r = noise.mul (noise.ugen ("WhiteNoise", sc::Rate::audio, {}), c[1]);
    noise.ugen ("Out", sc::Rate::audio, { c[0], l, r }, 0);
    defs.push_back (noise);
    return defs;
}

/** A score under construction: every processing definition and the test sources loaded at time 0. */
struct Score
{
    sc::Bytes bytes;

    Score()
    {
        auto defs = sc::allProcessingDefinitions();
        for (auto& d : testSources())
            defs.push_back (d);
        at (0.0, { { "/d_recv", { sc::synthDefFile (defs) } } });
    }

    void at (double seconds, const std::vector<sc::OscMessage>& messages) { sc::ScoreRenderer::appendBundle (bytes, seconds, messages); }

    /** The score ends (and the render stops) here. */
    void end (double seconds) { at (seconds, { { "/c_set", { (std::int32_t) 0, 0.0f } } }); }
};

/** /s_new at the tail of the root group: nodes run in the order they are made. */
sc::OscMessage synth (const std::string& definition, std::int32_t node, std::vector<sc::OscArgument> controls = {})
{
    std::vector<sc::OscArgument> arguments { definition, node, (std::int32_t) 1, (std::int32_t) 0 };
    arguments.insert (arguments.end(), controls.begin(), controls.end());
    return { "/s_new", arguments };
}

sc::OscMessage set (std::int32_t node, const std::string& control, float value)
{
    return { "/n_set", { node, control, value } };
}

int sampleAt (double seconds) { return (int) std::lround (seconds * sampleRate); }

/** Amplitude of the component at `hz` between two times (a single DFT bin; exact for a whole number
    of periods in the window). */
double amplitudeAt (const juce::AudioBuffer<float>& audio, int channel, double hz, double from, double to)
{
    const auto* x = audio.getReadPointer (channel);
    const int start = sampleAt (from), end = sampleAt (to);
    REQUIRE (end <= audio.getNumSamples());
    double re = 0.0, im = 0.0;
    for (int n = start; n < end; ++n)
    {
        const double phase = juce::MathConstants<double>::twoPi * hz * (double) n / sampleRate;
        re += x[n] * std::cos (phase);
        im += x[n] * std::sin (phase);
    }
    return 2.0 * std::hypot (re, im) / (double) (end - start);
}

double rms (const juce::AudioBuffer<float>& audio, int channel, double from, double to)
{
    return audio.getRMSLevel (channel, sampleAt (from), sampleAt (to) - sampleAt (from));
}

double peak (const juce::AudioBuffer<float>& audio, int channel, double from, double to)
{
    return audio.getMagnitude (channel, sampleAt (from), sampleAt (to) - sampleAt (from));
}

model::Stage stageOf (model::StageKind kind, model::FilterType filter = {}, model::EffectType effect = {})
{
    model::Stage s;
    s.kind = kind;
    s.filter = filter;
    s.effect = effect;
    return s;
}

/** Every stage kind the backend has a definition for, with the model's parameters for it. */
std::vector<std::pair<model::Stage, std::vector<model::Parameter>>> supportedStages()
{
    std::vector<std::pair<model::Stage, std::vector<model::Parameter>>> all;
    for (int i = 0; i < model::numFilterTypes; ++i)
        all.push_back ({ stageOf (model::StageKind::filter, (model::FilterType) i), model::makeFilterParameters ((model::FilterType) i) });
    all.push_back ({ stageOf (model::StageKind::eq), model::makeEqParameters() });
    for (int i = 0; i < model::numBuiltInEffectTypes; ++i)
        all.push_back ({ stageOf (model::StageKind::effect, {}, (model::EffectType) i), model::makeEffectParameters ((model::EffectType) i) });
    return all;
}
} // namespace

TEST_CASE ("Every stage definition for scsynth has the model parameter names and defaults as controls", "[sc]")
{
    for (const auto& [stage, params] : supportedStages())
    {
        const auto name = sc::stageDefinitionName (stage);
        INFO (name);
        const auto definition = sc::stageDefinition (stage);
        REQUIRE (definition.has_value());
        CHECK (definition->getName() == name);
        CHECK_THAT (name, Catch::StartsWith ("imbolc_"));

        const auto& controls = definition->getParameters();
        REQUIRE (controls.size() == params.size() + 1);
        CHECK (controls[0] == std::pair<std::string, float> ("bus", 0.0f));
        for (const auto& p : params)
        {
            INFO (p.name);
            const auto found = std::find_if (controls.begin(), controls.end(), [&] (const auto& c)
                                             { return c.first == p.name; });
            REQUIRE (found != controls.end());
            CHECK (found->second == p.defaultValue);
        }

        // The names are in the bytes scsynth reads, as written.
        const auto bytes = definition->build();
        const std::string text (bytes.begin(), bytes.end());
        for (const auto& p : params)
            CHECK (text.find ((char) p.name.size() + p.name) != std::string::npos);
    }

    CHECK (sc::stageDefinitionName (stageOf (model::StageKind::filter, model::FilterType::lowPass)) == "imbolc_filter_lowpass");
    CHECK (sc::stageDefinitionName (stageOf (model::StageKind::effect, {}, model::EffectType::delay)) == "imbolc_fx_delay");
    CHECK_FALSE (sc::stageDefinition (stageOf (model::StageKind::effect, {}, model::EffectType::plugin)).has_value());
    CHECK (sc::stageDefinitionName (stageOf (model::StageKind::effect, {}, model::EffectType::plugin)).empty());

    // One of each, every name once.
    const auto all = sc::allProcessingDefinitions();
    std::set<std::string> names;
    for (const auto& d : all)
        names.insert (d.getName());
    CHECK (all.size() == supportedStages().size() + 3);
    CHECK (names.size() == all.size());
    CHECK (names.count ("imbolc_strip") == 1);
    CHECK (names.count ("imbolc_send") == 1);
    CHECK (names.count ("imbolc_safety") == 1);
}

TEST_CASE ("Every processing definition loads and runs on scsynth and the safety stage holds 0.98", "[sc]")
{
    Score score;
    // Noise through every stage in series with their defaults (a gain of 4 last), then strip and send;
    // then louder noise (peaks near 2) added before the safety limiter: all of them loaded, all run.
    std::vector<sc::OscMessage> nodes { synth ("test_noise", 1000, { std::string ("amp"), 0.5f }) };
    std::int32_t node = 1001;
    for (const auto& [stage, params] : supportedStages())
    {
        const bool isGain = stage.kind == model::StageKind::effect && stage.effect == model::EffectType::gain;
        nodes.push_back (synth (sc::stageDefinitionName (stage), node++, { std::string ("bus"), 0.0f, std::string (isGain ? "gain" : "bus"), isGain ? 4.0f : 0.0f }));
    }
    nodes.push_back (synth ("imbolc_strip", node++, { std::string ("in"), 2.0f, std::string ("out"), 0.0f }));
    nodes.push_back (synth ("imbolc_send", node++, { std::string ("in"), 0.0f, std::string ("out"), 4.0f, std::string ("level"), 1.0f }));
    nodes.push_back (synth ("test_noise", node++, { std::string ("amp"), 2.0f }));
    nodes.push_back (synth ("imbolc_safety", node++, { std::string ("bus"), 0.0f }));
    score.at (0.0, nodes);
    score.end (0.5);

    const auto render = test::renderNrt (score.bytes);
    INFO (render.output);
    for (const auto& line : juce::StringArray::fromLines (render.output))
    {
        INFO (line);
        CHECK_FALSE (line.containsIgnoreCase ("FAILURE"));
        CHECK_FALSE (line.containsIgnoreCase ("not found"));
        CHECK_FALSE (line.containsIgnoreCase ("not installed"));
        CHECK_FALSE (line.containsIgnoreCase ("error"));
        CHECK_FALSE (line.containsIgnoreCase ("exception"));
    }

    for (int c = 0; c < 2; ++c)
    {
        const auto* x = render.audio.getReadPointer (c);
        CHECK (std::all_of (x, x + render.audio.getNumSamples(), [] (float v)
                            { return std::isfinite (v); }));
        const auto loudest = peak (render.audio, c, 0.1, 0.5);
        INFO ("channel " << c << " peak " << loudest);
        CHECK (loudest > 0.9); // the safety limits the loud noise, it does not silence it
        CHECK (loudest <= 0.98f * 1.0001f);
    }
}

TEST_CASE ("Filters on scsynth take out the tones outside their band", "[sc]")
{
    // Three tones (100 Hz, 1 kHz, 8 kHz), each filter type in turn for a quarter second.
    Score score;
    score.at (0.0, { synth ("test_sine", 1000, { std::string ("freq"), 100.0f, std::string ("amp"), 0.2f }), synth ("test_sine", 1001, { std::string ("freq"), 1000.0f, std::string ("amp"), 0.2f }), synth ("test_sine", 1002, { std::string ("freq"), 8000.0f, std::string ("amp"), 0.2f }) });
    const std::vector<std::pair<model::FilterType, float>> filters { { model::FilterType::lowPass, 500.0f }, { model::FilterType::highPass, 500.0f }, { model::FilterType::bandPass, 1000.0f }, { model::FilterType::notch, 1000.0f } };
    for (std::size_t i = 0; i < filters.size(); ++i)
    {
        const auto start = 0.25 * (double) (i + 1);
        const auto node = (std::int32_t) (2000 + i);
        score.at (start, { synth (sc::stageDefinitionName (stageOf (model::StageKind::filter, filters[i].first)), node, { std::string ("cutoff"), filters[i].second, std::string ("resonance"), 0.5f }) });
        score.at (start + 0.25, { { "/n_free", { node } } });
    }
    score.end (1.3);
    const auto render = test::renderNrt (score.bytes);

    // Each segment measured away from its edges (0.1 s: a whole number of periods of every tone).
    auto gains = [&] (int segment)
    {
        const double from = 0.25 * segment + 0.1, to = from + 0.1;
        std::array<double, 3> g {};
        const double dry[3] = { amplitudeAt (render.audio, 0, 100.0, 0.1, 0.2), amplitudeAt (render.audio, 0, 1000.0, 0.1, 0.2), amplitudeAt (render.audio, 0, 8000.0, 0.1, 0.2) };
        const double hz[3] = { 100.0, 1000.0, 8000.0 };
        for (int t = 0; t < 3; ++t)
            g[(std::size_t) t] = amplitudeAt (render.audio, 1, hz[t], from, to) / dry[t];
        INFO ("segment " << segment << ": 100 Hz x" << g[0] << ", 1 kHz x" << g[1] << ", 8 kHz x" << g[2]);
        CHECK (dry[0] == Approx (0.2).epsilon (0.01));
        return g;
    };

    const auto lowPass = gains (1), highPass = gains (2), bandPass = gains (3), notch = gains (4);
    CHECK (lowPass[0] > 0.9);
    CHECK (lowPass[0] < 1.15);
    CHECK (lowPass[2] < 0.02);
    CHECK (highPass[2] > 0.9);
    CHECK (highPass[2] < 1.15);
    CHECK (highPass[0] < 0.1);
    CHECK (bandPass[1] == Approx (1.0).epsilon (0.1));
    CHECK (bandPass[0] < 0.1);
    CHECK (bandPass[2] < 0.1);
    CHECK (notch[1] < 0.05);
    CHECK (notch[0] > 0.9);
    CHECK (notch[2] > 0.9);
}

TEST_CASE ("A strip on scsynth scales by its level and glides to silence when muted and pans by balance", "[sc]")
{
    // A 1 kHz sine (peak 0.25) on the private pair 2-3, through a strip to the outputs.
    Score score;
    score.at (0.0, { synth ("test_sine", 1000, { std::string ("out"), 2.0f, std::string ("freq"), 1000.0f, std::string ("amp"), 0.25f }), synth ("imbolc_strip", 1001, { std::string ("in"), 2.0f, std::string ("out"), 0.0f, std::string ("level"), 1.0f }) });
    score.at (0.25, { set (1001, "level", 0.5f) });
    score.at (0.5, { set (1001, "mute", 1.0f) });
    score.at (0.75, { set (1001, "mute", 0.0f), set (1001, "level", 1.0f), set (1001, "pan", -1.0f) });
    score.end (1.0);
    const auto render = test::renderNrt (score.bytes);
    const auto& audio = render.audio;

    // Centre is unity: both sides carry the sine as it came.
    const auto full = rms (audio, 0, 0.1, 0.2), expected = 0.25 / std::sqrt (2.0);
    CHECK (full == Approx (expected).epsilon (0.01));
    CHECK (rms (audio, 1, 0.1, 0.2) == Approx (expected).epsilon (0.01));

    const auto half = rms (audio, 0, 0.35, 0.45);
    CHECK (half / full == Approx (0.5).epsilon (0.01));

    // The mute glides: a few milliseconds after it the sine is quieter but still there...
    const auto gliding = peak (audio, 0, 0.502, 0.504);
    INFO ("2-4 ms after the mute: peak " << gliding);
    CHECK (gliding > 0.01);
    CHECK (gliding < 0.25);
    // ... and soon after it is silent (until the block before 0.75 s, where the next bundle runs).
    CHECK (peak (audio, 0, 0.56, 0.745) < 1.0e-5);
    CHECK (peak (audio, 1, 0.56, 0.745) < 1.0e-5);

    // Hard left: the left side at unity, the right silent.
    CHECK (rms (audio, 0, 0.85, 0.95) == Approx (expected).epsilon (0.01));
    CHECK (peak (audio, 1, 0.85, 0.95) < 1.0e-5);
}

TEST_CASE ("A gain stage on scsynth doubles and a paused stage leaves the bus bit-identical", "[sc]")
{
    auto sourceOnly = [] (bool withStage)
    {
        Score score;
        std::vector<sc::OscMessage> start { synth ("test_sine", 1000, { std::string ("freq"), 440.0f, std::string ("amp"), 0.3f }) };
        if (withStage)
        {
            // Bypassed from the start, as the backend bypasses: /n_run 0.
            start.push_back (synth ("imbolc_fx_gain", 1001, { std::string ("gain"), 2.0f }));
            start.push_back ({ "/n_run", { (std::int32_t) 1001, (std::int32_t) 0 } });
        }
        score.at (0.0, start);
        if (withStage)
            score.at (0.25, { { "/n_run", { (std::int32_t) 1001, (std::int32_t) 1 } } });
        score.end (0.5);
        return test::renderNrt (score.bytes).audio;
    };
    const auto plain = sourceOnly (false);
    const auto staged = sourceOnly (true);
    REQUIRE (plain.getNumSamples() == staged.getNumSamples());

    const int resumed = sampleAt (0.25), block = 64;
    int differentWhilePaused = 0, notDoubled = 0;
    for (int c = 0; c < 2; ++c)
    {
        const auto* a = plain.getReadPointer (c);
        const auto* b = staged.getReadPointer (c);
        for (int i = 0; i < resumed - block; ++i)
            differentWhilePaused += std::memcmp (&a[i], &b[i], sizeof (float)) != 0 ? 1 : 0;
        for (int i = resumed + block; i < plain.getNumSamples(); ++i)
            notDoubled += b[i] != 2.0f * a[i] ? 1 : 0;
    }
    CHECK (plain.getMagnitude (0, 0, resumed) > 0.29f);
    CHECK (differentWhilePaused == 0);
    CHECK (notDoubled == 0);
}

TEST_CASE ("A delay on scsynth repeats an impulse after its time at its mix and feedback levels", "[sc]")
{
    // time 0.25 s (12000 samples), feedback 0.5, mix 0.5; an impulse of 0.5 at 0.1 s.
    Score score;
    score.at (0.0, { synth ("imbolc_fx_delay", 1000, { std::string ("time"), 0.25f, std::string ("feedback"), 0.5f, std::string ("mix"), 0.5f }) });
    score.at (0.1, { { "/s_new", { std::string ("test_impulse"), (std::int32_t) 1001, (std::int32_t) 0, (std::int32_t) 0, std::string ("amp"), 0.5f } } }); // at the head: before the delay
    score.end (0.8);
    const auto render = test::renderNrt (score.bytes);
    const auto* x = render.audio.getReadPointer (0);
    const int n = render.audio.getNumSamples();

    int onset = -1;
    for (int i = 0; i < n && onset < 0; ++i)
        if (std::abs (x[i]) > 1.0e-6f)
            onset = i;
    INFO ("impulse at sample " << onset);
    REQUIRE (onset >= 0);
    CHECK (std::abs (onset - sampleAt (0.1)) <= 64);
    CHECK (x[onset] == Approx (0.25).epsilon (0.001)); // dry * (1 - mix)

    // The loudest sample near each echo: where it is and how loud.
    auto echo = [&] (int expectedAt, int& at)
    {
        at = expectedAt - 64;
        for (int i = expectedAt - 64; i <= expectedAt + 64; ++i)
            if (std::abs (x[i]) > std::abs (x[at]))
                at = i;
        return x[at];
    };
    int first = 0, second = 0;
    const auto firstLevel = echo (onset + 12000, first), secondLevel = echo (onset + 24000, second);
    INFO ("echoes at " << first << " (" << firstLevel << ") and " << second << " (" << secondLevel << ")");
    CHECK (std::abs (first - (onset + 12000)) <= 1);
    CHECK (std::abs (second - (onset + 24000)) <= 1);
    CHECK (firstLevel == Approx (0.25).epsilon (0.02)); // the impulse * mix
    CHECK (secondLevel == Approx (0.125).epsilon (0.02)); // then * feedback

    // Nothing in between.
    float between = 0.0f;
    for (int i = onset + 2; i < first - 2; ++i)
        between = std::max (between, std::abs (x[i]));
    for (int i = first + 3; i < second - 2; ++i)
        between = std::max (between, std::abs (x[i]));
    CHECK (between < 1.0e-3f);
}

TEST_CASE ("EQ controls named with a dot are set by name on scsynth", "[sc]")
{
    // A 2 kHz sine through the EQ; its third band sits at 2 kHz. At 0.25 s: band3.gain +12 dB.
    Score score;
    score.at (0.0, { synth ("test_sine", 1000, { std::string ("freq"), 2000.0f, std::string ("amp"), 0.1f }), synth ("imbolc_eq", 1001) });
    score.at (0.25, { set (1001, "band3.gain", 12.0f) });
    score.end (0.5);
    const auto render = test::renderNrt (score.bytes);

    const auto flat = amplitudeAt (render.audio, 0, 2000.0, 0.1, 0.2);
    const auto boosted = amplitudeAt (render.audio, 0, 2000.0, 0.35, 0.45);
    CHECK (flat == Approx (0.1).epsilon (0.01));
    CHECK (boosted / flat == Approx (std::pow (10.0, 12.0 / 20.0)).epsilon (0.02));
}

TEST_CASE ("A limiter on scsynth holds its ceiling and a compressor turns a loud tone down by its ratio", "[sc]")
{
    // A full-scale 1 kHz sine: 0.5 s through a limiter at -6 dB, then 0.5 s through a compressor
    // (threshold -20 dB, ratio 4: 20 dB over comes out 5 dB over, at -15 dB).
    Score score;
    score.at (0.0, { synth ("test_sine", 1000, { std::string ("freq"), 1000.0f, std::string ("amp"), 1.0f }), synth ("imbolc_fx_limiter", 1001, { std::string ("ceiling"), -6.0f }) });
    score.at (0.5, { { "/n_free", { (std::int32_t) 1001 } }, synth ("imbolc_fx_compressor", 1002, { std::string ("threshold"), -20.0f, std::string ("ratio"), 4.0f }) });
    score.end (1.0);
    const auto render = test::renderNrt (score.bytes);

    const auto ceiling = std::pow (10.0, -6.0 / 20.0);
    const auto limited = peak (render.audio, 0, 0.1, 0.45);
    INFO ("limited peak " << limited);
    CHECK (limited <= ceiling * 1.001);
    CHECK (limited > ceiling * 0.95);

    const auto compressed = amplitudeAt (render.audio, 0, 1000.0, 0.8, 0.9);
    INFO ("compressed amplitude " << compressed);
    CHECK (compressed == Approx (std::pow (10.0, -15.0 / 20.0)).epsilon (0.1));
}
