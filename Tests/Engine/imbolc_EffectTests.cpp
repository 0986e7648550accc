// The built-in filters, EQ and effects (Modules/imbolc_engine/dsp): responses measured on rendered
// sines and impulses, each node made by the engine's factory, and each once through a real chain.

#include "imbolc_EffectTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using namespace imbolc::test::fx;
using model::EffectType;
using model::FilterType;

namespace
{
/** Gain in dB of a steady sine at `hz` through `stage`, measured by RMS after 0.25 s of settling. */
double sineGainDb (const model::Stage& stage, double hz, double sampleRate = rate)
{
    NodeRun run (stage, sampleRate);
    auto left = sine (hz, 0.25f, 0.75, sampleRate), right = left;
    const auto input = left;
    run.process (left, right);
    const auto from = (std::size_t) (0.25 * sampleRate);
    return db (rms (left, from, left.size()) / rms (input, from, input.size()));
}

/** An instrument (sine, note 69 held) with `chain`, rendered for `blocks` blocks through the engine. */
std::vector<float> renderChain (std::vector<model::Stage> chain, int blocks = 150, int noteOffAfter = -1)
{
    EngineRig rig;
    const auto id = rig.addInstrument (model::BuiltInSource::sine, std::move (chain));
    rig.engine.noteOn (id, 69, 1.0f);
    std::vector<float> left, right;
    if (noteOffAfter < 0)
    {
        rig.render (blocks, left, right);
        return left;
    }
    rig.render (noteOffAfter, left, right);
    rig.engine.noteOff (id, 69);
    rig.render (blocks - noteOffAfter, left, right);
    return left;
}

double totalHarmonics (const std::vector<float>& v, double fundamental, std::size_t from, std::size_t to)
{
    double power = 0.0;
    for (int h = 2; h <= 9; ++h)
        power += std::pow (amplitudeAt (v, fundamental * h, from, to), 2.0);
    return std::sqrt (power);
}

constexpr float steadyChainPeak = 0.8f * 0.8f * 0.8f; // source level x sustain x strip level
} // namespace

//==============================================================================
TEST_CASE ("filter low-pass at 1 kHz: -3 dB at the cutoff, flat below, 12 dB per octave above", "[effects][filter]")
{
    const auto stage = filterStage (FilterType::lowPass, 1000.0f);
    CHECK (sineGainDb (stage, 1000.0) == Approx (-3.01).margin (0.5));
    CHECK (sineGainDb (stage, 100.0) >= -0.5);
    CHECK (sineGainDb (stage, 10000.0) <= -30.0);
    CHECK (sineGainDb (stage, 4000.0) == Approx (-24.1).margin (1.5)); // two octaves up: 2 poles
}

TEST_CASE ("filter high-pass at 1 kHz mirrors the low-pass", "[effects][filter]")
{
    const auto stage = filterStage (FilterType::highPass, 1000.0f);
    CHECK (sineGainDb (stage, 1000.0) == Approx (-3.01).margin (0.5));
    CHECK (sineGainDb (stage, 10000.0) >= -0.5);
    CHECK (sineGainDb (stage, 100.0) <= -30.0);
}

TEST_CASE ("filter band-pass peaks at the cutoff with unity gain and falls away on both sides", "[effects][filter]")
{
    const auto stage = filterStage (FilterType::bandPass, 1000.0f);
    const auto centre = sineGainDb (stage, 1000.0);
    CHECK (centre == Approx (0.0).margin (0.5));
    CHECK (sineGainDb (stage, 100.0) <= -15.0);
    CHECK (sineGainDb (stage, 10000.0) <= -15.0);
    CHECK (sineGainDb (stage, 700.0) < centre);
    CHECK (sineGainDb (stage, 1400.0) < centre);

    // More resonance narrows the band around the same unity peak.
    const auto narrow = filterStage (FilterType::bandPass, 1000.0f, 0.6f);
    CHECK (sineGainDb (narrow, 1000.0) == Approx (0.0).margin (0.5));
    CHECK (sineGainDb (narrow, 700.0) < sineGainDb (stage, 700.0) - 6.0);
}

TEST_CASE ("filter notch is deep at the cutoff and passes the rest", "[effects][filter]")
{
    const auto stage = filterStage (FilterType::notch, 1000.0f);
    CHECK (sineGainDb (stage, 1000.0) <= -40.0);
    CHECK (sineGainDb (stage, 100.0) >= -0.5);
    CHECK (sineGainDb (stage, 10000.0) >= -0.5);
}

TEST_CASE ("filter resonance 1 peaks well above 0 dB at the cutoff and stays bounded", "[effects][filter]")
{
    const auto stage = filterStage (FilterType::lowPass, 1000.0f, 1.0f);
    const auto peakDb = sineGainDb (stage, 1000.0);
    CHECK (peakDb > 20.0);
    CHECK (peakDb == Approx (db (engine::FilterNode::maxQ)).margin (0.5)); // Q 25 at the cutoff

    // An impulse rings and dies away: stable, not self-oscillating.
    NodeRun run (stage);
    std::vector<float> left ((std::size_t) rate, 0.0f);
    left[0] = 1.0f;
    auto right = left;
    run.process (left, right);
    CHECK (allFinite (left));
    CHECK (peak (left, 0, left.size()) < 1.0f);
    CHECK (peak (left, left.size() - 4800, left.size()) < 1.0e-6f);

    // Resonance 0 is Butterworth: no peak at all.
    CHECK (sineGainDb (filterStage (FilterType::lowPass, 1000.0f, 0.0f), 700.0) < 0.0);
}

TEST_CASE ("filter drive saturates before the filter and drive 0 is clean", "[effects][filter]")
{
    const auto input = sine (200.0, 0.8f, 0.5);
    const auto from = (std::size_t) (0.1 * rate), to = input.size();
    auto harmonicsWith = [&] (float drive)
    {
        NodeRun run (filterStage (FilterType::lowPass, 20000.0f, 0.0f, drive));
        auto left = input, right = input;
        run.process (left, right);
        return totalHarmonics (left, 200.0, from, to) / amplitudeAt (left, 200.0, from, to);
    };
    CHECK (harmonicsWith (0.0f) < 1.0e-4);
    CHECK (harmonicsWith (1.0f) > 0.05);
}

TEST_CASE ("filter cutoff swept fast by automation and stepped by modulation stays smooth and finite", "[effects][filter]")
{
    // The cutoff is what automation and the LFO move. First ten octaves in 64 samples, back and forth
    // (automation ramps); then jumps of up to +-10 kHz every 64 samples (an LFO applied per block).
    auto sweep = [] (FilterType type, float resonance)
    {
        const auto input = sine (220.0, 0.5f, 2.0);
        NodeRun run (filterStage (type, 1000.0f, resonance));
        auto left = input, right = input;
        juce::Random random (7);
        run.process (left, right, 64, [&] (int index)
                     {
                         if (index < 750)
                         {
                             run.node->setParameterRamp (0, index % 2 == 0 ? 20000.0f : 20.0f, 64);
                         }
                         else
                         {
                             run.node->setParameterRamp (0, 1000.0f, 0);
                             run.node->setParameterModulation (0, random.nextFloat() * 20000.0f - 10000.0f);
                         } });
        return left;
    };

    for (auto type : { FilterType::lowPass, FilterType::highPass, FilterType::bandPass, FilterType::notch })
    {
        INFO (model::toString (type));
        // Without resonance nothing rings, so any large step would be zipper or a coefficient glitch.
        // The input's own largest step is 0.5 * 2 pi * 220 / 48000 = 0.0144; a stock TPT filter
        // (juce::dsp::StateVariableTPTFilter) handed the same cutoffs unsmoothed steps by about 0.5.
        const auto clean = sweep (type, 0.0f);
        CHECK (allFinite (clean));
        CHECK (peak (clean, 0, clean.size()) < 1.0f);
        CHECK (maxStep (clean, 1, clean.size()) < 0.08f);

        // With resonance the sweep rings at the cutoff (up to about 11 kHz here), but stays bounded.
        for (float resonance : { 0.5f, 1.0f })
        {
            const auto ringing = sweep (type, resonance);
            CHECK (allFinite (ringing));
            CHECK (peak (ringing, 0, ringing.size()) < 0.5f * engine::FilterNode::maxQ * 0.5f);
        }
    }
}

TEST_CASE ("filter recovers from a non-finite input instead of staying silent", "[effects][filter]")
{
    NodeRun run (filterStage (FilterType::lowPass, 1000.0f));
    std::vector<float> left ((std::size_t) block, std::numeric_limits<float>::quiet_NaN());
    auto right = left;
    run.process (left, right);
    auto l2 = sine (100.0, 0.5f, 0.2), r2 = l2;
    run.process (l2, r2);
    CHECK (allFinite (l2));
    CHECK (peak (l2, l2.size() / 2, l2.size()) > 0.4f);
}

TEST_CASE ("filter and eq responses hold at 44.1 and 96 kHz, and a cutoff above the band is clamped", "[effects][filter][eq]")
{
    for (double sampleRate : { 44100.0, 96000.0 })
    {
        INFO (sampleRate);
        CHECK (sineGainDb (filterStage (FilterType::lowPass, 1000.0f), 1000.0, sampleRate) == Approx (-3.01).margin (0.5));
        CHECK (sineGainDb (filterStage (FilterType::highPass, 5000.0f), 5000.0, sampleRate) == Approx (-3.01).margin (0.5));
        CHECK (sineGainDb (filterStage (FilterType::notch, 1000.0f), 1000.0, sampleRate) <= -40.0);
        CHECK (sineGainDb (eqStage ({ { 2, 3000.0f, 12.0f, 2.0f } }), 3000.0, sampleRate) == Approx (12.0).margin (0.5));
    }
    // 20 kHz at 22.05 kHz: above Nyquist, so the filter runs at its highest cutoff and stays stable.
    NodeRun run (filterStage (FilterType::lowPass, 20000.0f, 1.0f), 22050.0);
    auto left = noise (0.5, 0.5f, 4), right = left;
    run.process (left, right);
    CHECK (allFinite (left));
    CHECK (peak (left, 0, left.size()) < 0.5f * engine::FilterNode::maxQ);
}

//==============================================================================
TEST_CASE ("eq band at +12 dB measures +12 dB at its centre and a cut measures its cut", "[effects][eq]")
{
    CHECK (sineGainDb (eqStage ({ { 1, 1000.0f, 12.0f, 1.0f } }), 1000.0) == Approx (12.0).margin (0.5));
    CHECK (sineGainDb (eqStage ({ { 1, 1000.0f, 12.0f, 1.0f } }), 100.0) == Approx (0.0).margin (0.5));
    CHECK (sineGainDb (eqStage ({ { 3, 6000.0f, -12.0f, 4.0f } }), 6000.0) == Approx (-12.0).margin (0.5));
    CHECK (sineGainDb (eqStage ({ { 0, 80.0f, 6.0f, 0.707f } }), 80.0) == Approx (6.0).margin (0.5));

    // Four bands at once: each centre lands where it was set (the bands are far apart and narrow).
    const auto four = eqStage ({ { 0, 100.0f, 6.0f, 4.0f }, { 1, 500.0f, -6.0f, 4.0f }, { 2, 2000.0f, 9.0f, 4.0f }, { 3, 8000.0f, -9.0f, 4.0f } });
    CHECK (sineGainDb (four, 100.0) == Approx (6.0).margin (0.5));
    CHECK (sineGainDb (four, 500.0) == Approx (-6.0).margin (0.5));
    CHECK (sineGainDb (four, 2000.0) == Approx (9.0).margin (0.5));
    CHECK (sineGainDb (four, 8000.0) == Approx (-9.0).margin (0.5));
}

TEST_CASE ("eq at 0 dB everywhere passes the input through unchanged", "[effects][eq]")
{
    NodeRun run (eqStage ({ { 0, 60.0f, 0.0f, 10.0f }, { 2, 3000.0f, 0.0f, 0.3f } }));
    const auto input = noise (0.5, 0.7f, 3);
    auto left = input, right = input;
    run.process (left, right);
    CHECK (maxDifference (left, input) < 1.0e-6f);
    CHECK (maxDifference (right, input) < 1.0e-6f);
}

TEST_CASE ("eq band moved while playing glides without blowing up and returns to transparent", "[effects][eq]")
{
    NodeRun run (eqStage());
    const auto input = sine (1000.0, 0.25f, 2.0);
    auto left = input, right = input;
    juce::Random random (5);
    run.process (left, right, 128, [&] (int index)
                 {
                     if (index < 500)
                     {
                         run.node->setParameterTarget (3, 20.0f + random.nextFloat() * 19980.0f);
                         run.node->setParameterTarget (4, random.nextFloat() * 48.0f - 24.0f);
                         run.node->setParameterTarget (5, 0.1f + random.nextFloat() * 17.9f);
                     }
                     else
                         run.node->setParameterTarget (4, 0.0f); });
    CHECK (allFinite (left));
    const auto tail = left.size() - 4800;
    CHECK (maxDifference (std::vector<float> (left.begin() + (long) tail, left.end()), std::vector<float> (input.begin() + (long) tail, input.end())) < 1.0e-6f);
}

//==============================================================================
TEST_CASE ("compressor takes a signal 20 dB over the threshold at ratio 4 down by 15 dB, and makeup adds", "[effects][compressor]")
{
    // Threshold -30 dBFS, ratio 4, attack 5 ms, release 100 ms; a 1 kHz sine peaking at -10 dBFS.
    auto compressed = [] (float makeup)
    {
        NodeRun run (effectStage (EffectType::compressor, { { 0, -30.0f }, { 1, 4.0f }, { 2, 0.005f }, { 3, 0.1f }, { 4, makeup } }));
        const auto input = sine (1000.0, juce::Decibels::decibelsToGain (-10.0f), 1.0);
        auto left = input, right = input;
        run.process (left, right);
        const auto from = (std::size_t) (0.5 * rate);
        return db (rms (left, from, left.size()) / rms (input, from, input.size()));
    };
    CHECK (compressed (0.0f) == Approx (-15.0).margin (0.5));
    CHECK (compressed (6.0f) == Approx (-9.0).margin (0.5));

    // Well under the threshold (below the knee) nothing changes.
    NodeRun quiet (effectStage (EffectType::compressor, { { 0, -20.0f }, { 1, 8.0f } }));
    const auto input = sine (1000.0, juce::Decibels::decibelsToGain (-30.0f), 0.5);
    auto left = input, right = input;
    quiet.process (left, right);
    CHECK (maxDifference (left, input) < 1.0e-6f);
}

TEST_CASE ("compressor attack and release shape the gain reduction over time", "[effects][compressor]")
{
    // A burst 20 dB over the threshold after silence: the reduction takes about the attack time to
    // build, and about the release time to let go once the burst stops.
    NodeRun run (effectStage (EffectType::compressor, { { 0, -30.0f }, { 1, 4.0f }, { 2, 0.02f }, { 3, 0.2f } }));
    auto* comp = dynamic_cast<engine::CompressorNode*> (run.node.get());
    REQUIRE (comp != nullptr);
    auto burst = sine (1000.0, juce::Decibels::decibelsToGain (-10.0f), 0.5);
    auto l = burst, r = burst;
    std::vector<float> reduction;
    run.process (l, r, 48, [&] (int)
                 { reduction.push_back (comp->getGainReductionDb()); });
    // 20 ms in (one time constant): about 63 % of the 15 dB; by 200 ms it has settled.
    CHECK (reduction[20] == Approx (15.0 * 0.632).margin (1.5));
    CHECK (reduction.back() == Approx (15.0).margin (0.3));

    std::vector<float> silence ((std::size_t) (0.2 * rate), 0.0f), s2 = silence;
    run.process (silence, s2);
    CHECK (comp->getGainReductionDb() == Approx (15.0 * 0.368).margin (1.0)); // one release time later
}

//==============================================================================
TEST_CASE ("limiter output never exceeds the ceiling on a hot signal, and passes a quiet one unchanged", "[effects][limiter]")
{
    for (float ceilingDb : { -0.3f, -6.0f, -18.0f })
    {
        INFO ("ceiling " << ceilingDb);
        NodeRun run (effectStage (EffectType::limiter, { { 0, ceilingDb }, { 1, 0.05f } }));
        const float ceiling = juce::Decibels::decibelsToGain (ceilingDb);

        // Music-like and nasty: sines, noise bursts up to +18 dBFS, single-sample spikes, a square.
        juce::Random random (42);
        std::vector<float> left ((std::size_t) (2.0 * rate)), right (left.size());
        for (std::size_t i = 0; i < left.size(); ++i)
        {
            const double t = (double) i / rate;
            float s = 0.6f * (float) std::sin (juce::MathConstants<double>::twoPi * 110.0 * t) + 0.3f * (float) std::sin (juce::MathConstants<double>::twoPi * 1750.0 * t);
            if ((i / 2400) % 3 == 1)
                s += 8.0f * (random.nextFloat() * 2.0f - 1.0f);
            if (i % 9973 == 0)
                s = 8.0f;
            if (t > 1.5)
                s = (i / 100) % 2 == 0 ? 3.0f : -3.0f;
            left[i] = s;
            right[i] = -0.5f * s;
        }
        run.process (left, right, 100);
        CHECK (peak (left, 0, left.size()) <= ceiling);
        CHECK (peak (right, 0, right.size()) <= ceiling);
        CHECK (peak (left, 0, left.size()) > 0.9f * ceiling); // limiting, not muting
    }

    NodeRun run (effectStage (EffectType::limiter, { { 0, -1.0f }, { 1, 0.05f } }));
    const int latency = run.node->getLatencySamples();
    CHECK (latency == 48); // 1 ms
    const auto input = sine (440.0, 0.5f, 0.3);
    auto left = input, right = input;
    run.process (left, right);
    for (std::size_t i = (std::size_t) latency; i < left.size(); ++i)
        REQUIRE (left[i] == input[i - (std::size_t) latency]);
}

TEST_CASE ("limiter ramps the gain down ahead of a peak instead of stepping", "[effects][limiter]")
{
    NodeRun run (effectStage (EffectType::limiter, { { 0, -6.0f }, { 1, 0.1f } }));
    // A steady sine that suddenly doubles: the gain change is spread over the look-ahead.
    auto left = sine (100.0, 0.4f, 0.5);
    for (std::size_t i = left.size() / 2; i < left.size(); ++i)
        left[i] *= 2.5f;
    auto right = left;
    run.process (left, right);
    CHECK (peak (left, 0, left.size()) <= juce::Decibels::decibelsToGain (-6.0f));
    CHECK (maxStep (left, 1, left.size()) < 0.02f); // the 100 Hz sine's own steps are about 0.013
}

//==============================================================================
TEST_CASE ("distortion adds harmonics, the tone control darkens them, and mix 0 is dry", "[effects][distortion]")
{
    const auto input = sine (1000.0, 0.5f, 0.5);
    const auto from = (std::size_t) (0.1 * rate), to = input.size();
    auto distort = [&] (float drive, float tone, float mix)
    {
        NodeRun run (effectStage (EffectType::distortion, { { 0, drive }, { 1, tone }, { 2, mix } }));
        auto left = input, right = input;
        run.process (left, right);
        return left;
    };

    const auto clean = totalHarmonics (input, 1000.0, from, to) / amplitudeAt (input, 1000.0, from, to);
    CHECK (clean < 1.0e-4);

    const auto hot = distort (0.7f, 1.0f, 1.0f);
    const auto fundamental = amplitudeAt (hot, 1000.0, from, to);
    CHECK (totalHarmonics (hot, 1000.0, from, to) / fundamental > 0.1); // THD above 10 %
    CHECK (amplitudeAt (hot, 3000.0, from, to) / fundamental > 0.05); // odd
    CHECK (amplitudeAt (hot, 2000.0, from, to) / fundamental > 0.005); // and even (asymmetric)
    CHECK (allFinite (hot));
    CHECK (peak (hot, 0, hot.size()) < 1.5f);

    const auto dark = distort (0.7f, 0.0f, 1.0f);
    CHECK (amplitudeAt (dark, 7000.0, from, to) < 0.1 * amplitudeAt (hot, 7000.0, from, to));

    CHECK (distort (1.0f, 0.5f, 0.0f) == input);
}

//==============================================================================
TEST_CASE ("reverb turns an impulse into a decaying tail, reports it, and mix 0 is dry", "[effects][reverb]")
{
    NodeRun run (effectStage (EffectType::reverb, { { 0, 0.6f }, { 1, 0.3f }, { 2, 1.0f }, { 3, 1.0f } }));
    std::vector<float> left ((std::size_t) (3.0 * rate), 0.0f);
    left[0] = 1.0f;
    auto right = left;
    run.process (left, right);
    auto window = [&] (double from, double to)
    { return rms (left, (std::size_t) (from * rate), (std::size_t) (to * rate)); };
    CHECK (allFinite (left));
    CHECK (window (0.05, 0.25) > 1.0e-3);
    CHECK (window (0.5, 0.7) < window (0.05, 0.25));
    CHECK (window (1.0, 1.2) < window (0.5, 0.7));
    CHECK (window (2.5, 3.0) < 0.01 * window (0.05, 0.25));
    CHECK (left != right); // width 1: a stereo tail

    const auto tail = run.node->getTailLengthSeconds();
    CHECK (tail > 1.0);
    CHECK (tail < 20.0);
    NodeRun bigRoom (effectStage (EffectType::reverb, { { 0, 1.0f } }));
    CHECK (bigRoom.node->getTailLengthSeconds() > tail);

    // A non-finite input is taken as silence: the tank does not fill with NaN.
    std::vector<float> bad ((std::size_t) block, std::numeric_limits<float>::infinity()), bad2 = bad;
    run.process (bad, bad2);
    auto after = sine (300.0, 0.5f, 0.5), after2 = after;
    run.process (after, after2);
    CHECK (allFinite (after));
    CHECK (peak (after, after.size() / 2, after.size()) > 0.01f);

    NodeRun dry (effectStage (EffectType::reverb, { { 3, 0.0f } }));
    const auto input = noise (0.5, 0.5f, 9);
    auto l = input, r = input;
    dry.process (l, r);
    CHECK (l == input);
    CHECK (r == input);
}

//==============================================================================
TEST_CASE ("chorus changes the signal, mix 0 is dry, and depth 0 is a clean 10 ms delay", "[effects][chorus]")
{
    const auto input = sine (440.0, 0.5f, 1.0);
    auto chorus = [&] (float rate_, float depth, float mix)
    {
        NodeRun run (effectStage (EffectType::chorus, { { 0, rate_ }, { 1, depth }, { 2, mix } }));
        auto left = input, right = input;
        run.process (left, right);
        return std::make_pair (left, right);
    };

    const auto [l, r] = chorus (1.5f, 0.6f, 0.5f);
    CHECK (maxDifference (l, input) > 0.05f);
    CHECK (l != r); // the two sides are modulated a quarter cycle apart
    CHECK (allFinite (l));
    CHECK (maxStep (l, 1, l.size()) < 0.06f); // no clicks: the sine's own step is 0.029

    CHECK (chorus (1.5f, 0.6f, 0.0f).first == input);

    const auto delayed = chorus (1.0f, 0.0f, 1.0f).first;
    const auto d = (std::size_t) (engine::ChorusNode::centreMs * 0.001 * rate);
    for (std::size_t i = d; i < delayed.size(); ++i)
        REQUIRE (delayed[i] == Approx (input[i - d]).margin (1.0e-6));
}

//==============================================================================
TEST_CASE ("every built-in stage runs through an instrument chain built by the engine's factory", "[effects][engine]")
{
    const auto reference = renderChain ({});
    const auto steadyFrom = (std::size_t) (0.25 * rate);
    REQUIRE (peak (reference, steadyFrom, reference.size()) == Approx (steadyChainPeak).margin (0.005f));

    SECTION ("filters")
    {
        CHECK (peak (renderChain ({ filterStage (FilterType::lowPass, 100.0f) }), steadyFrom, reference.size()) < 0.05f);
        CHECK (peak (renderChain ({ filterStage (FilterType::highPass, 5000.0f) }), steadyFrom, reference.size()) < 0.01f);
        CHECK (peak (renderChain ({ filterStage (FilterType::bandPass, 440.0f) }), steadyFrom, reference.size()) == Approx (steadyChainPeak).margin (0.01f));
        CHECK (peak (renderChain ({ filterStage (FilterType::notch, 440.0f) }), steadyFrom, reference.size()) < 0.01f);
    }
    SECTION ("eq")
    {
        const auto cut = renderChain ({ eqStage ({ { 1, 440.0f, -12.0f, 2.0f } }) });
        CHECK (peak (cut, steadyFrom, cut.size()) == Approx (steadyChainPeak * juce::Decibels::decibelsToGain (-12.0f)).margin (0.005f));
    }
    SECTION ("compressor")
    {
        // The stage sees the source's 0.64 peak (-3.9 dBFS): 26.1 dB over -30, a quarter of it stays.
        const auto out = renderChain ({ effectStage (EffectType::compressor, { { 0, -30.0f }, { 1, 4.0f } }) });
        const auto overDb = 20.0 * std::log10 (0.64) + 30.0;
        const auto expected = steadyChainPeak * std::pow (10.0, -0.75 * overDb / 20.0);
        CHECK (peak (out, (std::size_t) (0.5 * rate), out.size()) == Approx (expected).epsilon (0.06));
    }
    SECTION ("limiter")
    {
        const auto out = renderChain ({ effectStage (EffectType::limiter, { { 0, -12.0f } }) });
        CHECK (peak (out, 0, out.size()) <= juce::Decibels::decibelsToGain (-12.0f) * 0.8f + 1.0e-6f); // then the strip's 0.8
        CHECK (peak (out, steadyFrom, out.size()) > juce::Decibels::decibelsToGain (-12.0f) * 0.8f * 0.95f);
    }
    SECTION ("distortion")
    {
        const auto out = renderChain ({ effectStage (EffectType::distortion, { { 0, 0.8f }, { 1, 1.0f } }) });
        const auto to = out.size();
        CHECK (totalHarmonics (out, 440.0, steadyFrom, to) / amplitudeAt (out, 440.0, steadyFrom, to) > 0.1);
    }
    SECTION ("chorus")
    {
        // Depth 0, mix 1: exactly the reference, 10 ms late.
        const auto out = renderChain ({ effectStage (EffectType::chorus, { { 1, 0.0f }, { 2, 1.0f } }) });
        const auto d = (std::size_t) (0.01 * rate);
        for (std::size_t i = d; i < out.size(); ++i)
            REQUIRE (out[i] == Approx (reference[i - d]).margin (1.0e-6));
    }
    SECTION ("reverb")
    {
        // The note is released after 40 blocks (0.2 s release): without the reverb the end is silent.
        const auto dry = renderChain ({}, 200, 40);
        const auto wet = renderChain ({ effectStage (EffectType::reverb, { { 0, 0.8f }, { 3, 0.5f } }) }, 200, 40);
        const auto end = (std::size_t) (200 * EngineRig::blockSize);
        CHECK (peak (dry, end - 4800, end) == 0.0f);
        CHECK (peak (wet, end - 4800, end) > 1.0e-3f);
    }
}
