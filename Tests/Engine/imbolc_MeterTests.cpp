// The analysis meters (Modules/imbolc_engine/meters): loudness against EBU Tech 3341's reference signals
// and BS.1770-4's coefficient table, the spectrum bands, the scope memory, and the lock-free hand-off
// that runs only while something asks for it.

#include "imbolc_MeterTestSupport.h"

#include <atomic>
#include <complex>
#include <thread>

using namespace imbolc;
using namespace imbolc::test;
using engine::AnalysisMeters;
using engine::LoudnessMeter;
using engine::ScopeBuffer;
using engine::ScopeFrame;
using engine::SpectrumAnalyser;

namespace
{

/** Feeds a LoudnessMeter from a SineSignal. */
auto into (LoudnessMeter& meter)
{
    return [&meter] (const float* l, const float* r, int n)
    { meter.process (l, r, n); };
}

/** Magnitude response in dB of the two K-weighting stages at `hz`. */
double kWeightingDb (const LoudnessMeter::KWeighting& k, double hz, double sampleRate)
{
    const auto z1 = std::polar (1.0, -juce::MathConstants<double>::twoPi * hz / sampleRate); // z^-1
    auto response = [&] (const LoudnessMeter::Biquad& b)
    { return std::abs ((b.b0 + b.b1 * z1 + b.b2 * z1 * z1) / (1.0 + b.a1 * z1 + b.a2 * z1 * z1)); };
    return 20.0 * std::log10 (response (k.shelf) * response (k.highPass));
}

} // namespace

TEST_CASE ("meters K-weighting reproduces the BS.1770-4 48 kHz table and the same curve at 44.1 kHz", "[engine][meters]")
{
    // ITU-R BS.1770-4, tables 1 and 2.
    const auto k48 = LoudnessMeter::kWeightingFor (48000.0);
    CHECK (k48.shelf.b0 == Approx (1.53512485958697).margin (1e-12));
    CHECK (k48.shelf.b1 == Approx (-2.69169618940638).margin (1e-12));
    CHECK (k48.shelf.b2 == Approx (1.19839281085285).margin (1e-12));
    CHECK (k48.shelf.a1 == Approx (-1.69065929318241).margin (1e-12));
    CHECK (k48.shelf.a2 == Approx (0.73248077421585).margin (1e-12));
    CHECK (k48.highPass.b0 == 1.0);
    CHECK (k48.highPass.b1 == -2.0);
    CHECK (k48.highPass.b2 == 1.0);
    CHECK (k48.highPass.a1 == Approx (-1.99004745483398).margin (1e-12));
    CHECK (k48.highPass.a2 == Approx (0.99007225036621).margin (1e-12));

    // At 44.1 kHz the coefficients differ but the curve is the same where the bilinear warp is small: the
    // 48 kHz table used at 44.1 kHz would shift the shelf down by 8 % and miss this by up to 0.3 dB.
    const auto k44 = LoudnessMeter::kWeightingFor (44100.0);
    CHECK (k44.shelf.b0 != Approx (k48.shelf.b0).margin (1e-3));
    for (double hz : { 20.0, 38.0, 100.0, 997.0, 1500.0, 2000.0, 4000.0, 8000.0 })
    {
        INFO (hz << " Hz");
        CHECK (kWeightingDb (k44, hz, 44100.0) == Approx (kWeightingDb (k48, hz, 48000.0)).margin (0.02));
    }
    // The curve's known landmarks: about +0.69 dB at 997 Hz (what the -0.691 offset cancels), +4 dB shelf
    // at high frequencies, the high-pass well down at 20 Hz.
    CHECK (kWeightingDb (k48, 997.0, 48000.0) == Approx (0.691).margin (0.002));
    CHECK (kWeightingDb (k48, 10000.0, 48000.0) == Approx (4.0).margin (0.1));
    CHECK (kWeightingDb (k48, 20.0, 48000.0) < -10.0);
}

TEST_CASE ("meters loudness of EBU Tech 3341 test 1 and 2 sines at 48 and 44.1 kHz", "[engine][meters]")
{
    // Tech 3341 test 1: a 1 kHz sine at -23.0 dBFS in both channels reads -23.0 LUFS (M, S and I, +-0.1);
    // test 2: the same at -33.0 dBFS reads -33.0. dBFS here is the sine's peak level: each channel's mean
    // square is A^2 / 2, the two channels add to A^2, and K-weighting's +0.69 dB at 1 kHz cancels the
    // -0.691 offset, so the reading is 20 log10 A.
    for (double rate : { 48000.0, 44100.0 })
    {
        for (double level : { -23.0, -33.0 })
        {
            INFO (rate << " Hz, " << level << " dBFS");
            LoudnessMeter meter;
            meter.prepare (rate);
            SineSignal sine { rate };
            sine.play (20.0, dbfs (level), dbfs (level), into (meter));

            CHECK (meter.getMomentaryLufs() == Approx (level).margin (0.1));
            CHECK (meter.getShortTermLufs() == Approx (level).margin (0.1));
            CHECK (meter.getIntegratedLufs() == Approx (level).margin (0.1));
            CHECK (meter.getMeasuredSeconds() == Approx (20.0));
        }
    }
}

TEST_CASE ("meters loudness of a -20 dBFS sine is 3 LU above a -23 dBFS one", "[engine][meters]")
{
    auto integrated = [] (double level)
    {
        LoudnessMeter meter;
        SineSignal sine;
        sine.play (10.0, dbfs (level), dbfs (level), into (meter));
        return meter.getIntegratedLufs();
    };
    CHECK (integrated (-20.0) - integrated (-23.0) == Approx (3.0).margin (0.01));
}

TEST_CASE ("meters loudness of a full-scale 997 Hz sine in one channel is -3.01 LUFS", "[engine][meters]")
{
    // BS.1770-4's calibration: one channel's mean square is 0.5 (-3.01 dB) and the -0.691 offset cancels
    // K-weighting's gain at 997 Hz exactly.
    for (double rate : { 48000.0, 44100.0 })
    {
        INFO (rate << " Hz");
        LoudnessMeter meter;
        meter.prepare (rate);
        SineSignal sine { rate, 997.0 };
        sine.play (5.0, 1.0f, 0.0f, into (meter));
        CHECK (meter.getMomentaryLufs() == Approx (-3.01).margin (0.1));
        CHECK (meter.getIntegratedLufs() == Approx (-3.01).margin (0.1));
    }
}

TEST_CASE ("meters loudness windows are 400 ms momentary and 3 s short-term", "[engine][meters]")
{
    LoudnessMeter meter;
    SineSignal sine;
    sine.play (10.0, dbfs (-23.0), dbfs (-23.0), into (meter));
    sine.play (0.3, 0.0f, 0.0f, into (meter));

    // 300 ms of silence leave a quarter of the momentary window and 27/30 of the short-term one sounding.
    CHECK (meter.getMomentaryLufs() == Approx (-23.0 + 10.0 * std::log10 (0.25)).margin (0.1));
    CHECK (meter.getShortTermLufs() == Approx (-23.0 + 10.0 * std::log10 (0.9)).margin (0.1));

    // Silent once the windows have passed (only the K-weighting filters' decaying tail is left).
    sine.play (3.0, 0.0f, 0.0f, into (meter));
    CHECK (meter.getMomentaryLufs() < -200.0f);
    CHECK (meter.getShortTermLufs() < -200.0f);
}

TEST_CASE ("meters integrated loudness ignores silence and sections below the absolute gate", "[engine][meters]")
{
    LoudnessMeter meter;
    SineSignal sine;
    sine.play (20.0, dbfs (-23.0), dbfs (-23.0), into (meter));
    const auto toneAlone = meter.getIntegratedLufs();
    CHECK (toneAlone == Approx (-23.0).margin (0.1));

    // Without the gate, 20 s of silence would halve the mean energy: -26 LUFS. With it, only the three
    // 400 ms blocks that straddle the end of the tone (3/4, 1/2 and 1/4 tone) join the tone's 197 blocks:
    // the mean energy becomes 198.5 / 200 of the tone's.
    sine.play (20.0, 0.0f, 0.0f, into (meter));
    const auto withSilence = toneAlone + 10.0 * std::log10 (198.5 / 200.0);
    CHECK (meter.getIntegratedLufs() == Approx (withSilence).margin (0.002));

    // -75 dBFS is below -70 LUFS: gated out too (ungated it would pull the mean to about -27.8).
    sine.play (20.0, dbfs (-75.0), dbfs (-75.0), into (meter));
    CHECK (meter.getIntegratedLufs() == Approx (withSilence).margin (0.002));
    CHECK (meter.getMeasuredSeconds() == Approx (60.0));
}

TEST_CASE ("meters integrated loudness of EBU Tech 3341 tests 3 and 4", "[engine][meters]")
{
    // Test 3: -36 / -23 / -36 dBFS for 10 / 60 / 10 s. Test 4: -72 / -36 / -23 / -36 / -72 dBFS for
    // 10 / 10 / 60 / 10 / 10 s. Both read I = -23.0 +-0.1: the -72 sections fall to the absolute gate and the
    // -36 ones to the relative gate (the gated mean is about -24.2 LUFS, so the threshold is about -34.2).
    struct Section
    {
        double seconds, level;
    };
    const std::vector<std::vector<Section>> tests {
        { { 10, -36 }, { 60, -23 }, { 10, -36 } },
        { { 10, -72 }, { 10, -36 }, { 60, -23 }, { 10, -36 }, { 10, -72 } },
    };
    for (const auto& sections : tests)
    {
        LoudnessMeter meter;
        SineSignal sine;
        for (const auto& s : sections)
            sine.play (s.seconds, dbfs (s.level), dbfs (s.level), into (meter));
        CHECK (meter.getIntegratedLufs() == Approx (-23.0).margin (0.1));
    }
}

TEST_CASE ("meters relative gate drops only sections more than 10 LU below the mean", "[engine][meters]")
{
    SECTION ("20 dB quieter: gated out")
    {
        // Mean of both halves: -20 + 10 log10 ((1 + 0.01) / 2) = -22.97 LUFS, so the relative threshold is
        // -32.97 and the -40 half is dropped: I = -20 (the three 400 ms blocks straddling the change stay,
        // costing 0.03 LU). Without the relative gate it would read -22.97.
        LoudnessMeter meter;
        SineSignal sine;
        sine.play (20.0, dbfs (-20.0), dbfs (-20.0), into (meter));
        sine.play (20.0, dbfs (-40.0), dbfs (-40.0), into (meter));
        CHECK (meter.getIntegratedLufs() == Approx (-20.0).margin (0.05));
    }

    SECTION ("6 dB quieter: kept")
    {
        // Threshold about -32: both halves count, and I is the energy mean of the two levels.
        LoudnessMeter meter;
        SineSignal sine;
        sine.play (20.0, dbfs (-20.0), dbfs (-20.0), into (meter));
        sine.play (20.0, dbfs (-26.0), dbfs (-26.0), into (meter));
        const auto expected = -20.0 + 10.0 * std::log10 ((1.0 + std::pow (10.0, -0.6)) / 2.0); // -22.04
        CHECK (meter.getIntegratedLufs() == Approx (expected).margin (0.05));
    }
}

TEST_CASE ("meters loudness reset forgets the integrated history", "[engine][meters]")
{
    LoudnessMeter meter;
    SineSignal sine;
    CHECK (meter.getIntegratedLufs() == -std::numeric_limits<float>::infinity());
    sine.play (10.0, dbfs (-10.0), dbfs (-10.0), into (meter));
    meter.reset();
    CHECK (meter.getIntegratedLufs() == -std::numeric_limits<float>::infinity());
    CHECK (meter.getMeasuredSeconds() == 0.0);
    sine.play (10.0, dbfs (-30.0), dbfs (-30.0), into (meter));
    CHECK (meter.getIntegratedLufs() == Approx (-30.0).margin (0.1));
}

TEST_CASE ("meters spectrum shows a sine in its own band only", "[engine][meters]")
{
    struct Case
    {
        double rate, hz;
        int band;
    };
    for (auto c : { Case { 48000.0, 1000.0, 3 }, Case { 44100.0, 1000.0, 3 }, Case { 48000.0, 100.0, 1 }, Case { 48000.0, 10000.0, 6 } })
    {
        INFO (c.hz << " Hz at " << c.rate);
        SpectrumAnalyser analyser;
        analyser.prepare (c.rate, 30.0);
        SineSignal sine { c.rate, c.hz };
        sine.play (0.5, 0.5f, 0.5f, [&] (const float* l, const float* r, int n)
                   { analyser.process (l, r, n); });

        // A sine of peak 0.5 reads -6.02 dBFS in its band, whatever its position between FFT bins.
        const auto& bands = analyser.getFrame().bandsDb;
        CHECK (bands[(std::size_t) c.band] == Approx (-6.02).margin (0.2));
        for (int b = 0; b < SpectrumAnalyser::numBands; ++b)
            if (std::abs (b - c.band) >= 2)
            {
                INFO ("band " << b << " reads " << bands[(std::size_t) b]);
                CHECK (bands[(std::size_t) b] < bands[(std::size_t) c.band] - 30.0f);
            }

        // The fine view peaks in the band whose edges hold the sine.
        const auto& fine = analyser.getFrame().fineDb;
        const auto loudest = (int) (std::max_element (fine.begin(), fine.end()) - fine.begin());
        CHECK (SpectrumAnalyser::fineBandEdgeHz (loudest) <= c.hz);
        CHECK (SpectrumAnalyser::fineBandEdgeHz (loudest + 1) > c.hz);
    }
}

TEST_CASE ("meters spectrum is computed at most the requested number of times per second", "[engine][meters]")
{
    SpectrumAnalyser analyser;
    analyser.prepare (48000.0, 30.0);
    int frames = 0;
    SineSignal sine;
    sine.blockSize = 64;
    sine.play (2.0, 0.5f, 0.5f, [&] (const float* l, const float* r, int n)
               { frames += analyser.process (l, r, n) ? 1 : 0; });
    CHECK (frames == 60);
}

TEST_CASE ("meters scope buffer holds exactly the last N samples written", "[engine][meters]")
{
    ScopeBuffer buffer (100);
    std::vector<float> left (1000), right (1000), outLeft (100), outRight (100);
    std::uint64_t position = 0;

    auto write = [&] (int n)
    {
        fillScopePattern (position, left.data(), right.data(), n);
        buffer.push (left.data(), right.data(), n);
        position += (std::uint64_t) n;
    };
    auto checkLatest = [&] (int count)
    {
        buffer.copyLatest (outLeft.data(), outRight.data(), count);
        for (int i = 0; i < count; ++i)
        {
            const auto p = (std::int64_t) position - count + i;
            const auto expected = p < 0 ? 0.0f : scopePattern ((std::uint64_t) p);
            INFO ("sample " << i << " of " << count << " at position " << position);
            REQUIRE (outLeft[(std::size_t) i] == expected);
            REQUIRE (outRight[(std::size_t) i] == -expected);
        }
    };

    write (30); // not yet full: the older samples read as silence
    checkLatest (100);
    for (int n : { 37, 64, 1, 99, 100, 250, 13 }) // wraps, exact fills, and one run longer than the ring
    {
        write (n);
        checkLatest (100);
        checkLatest (17);
    }
    CHECK (buffer.getPosition() == position);
}

TEST_CASE ("meters hand the scope over frame by frame with its position", "[engine][meters]")
{
    AnalysisMeters meters;
    meters.prepare (48000.0, 30.0, 100.0); // a scope frame every 480 samples
    meters.setEnabled (AnalysisMeters::scope);

    auto frame = std::make_unique<ScopeFrame>();
    CHECK_FALSE (meters.readScope (*frame));

    std::vector<float> left (480), right (480);
    std::uint64_t position = 0;
    for (int block = 0; block < 10; ++block)
    {
        fillScopePattern (position, left.data(), right.data(), 480);
        meters.process (left.data(), right.data(), 480);
        position += 480;

        REQUIRE (meters.readScope (*frame));
        CHECK (frame->endPosition == position);
        CHECK (scopeFrameMatchesPattern (*frame));
        CHECK_FALSE (meters.readScope (*frame)); // nothing newer yet
    }
}

TEST_CASE ("meters compute and publish nothing while no view asks", "[engine][meters]")
{
    AnalysisMeters meters;
    meters.prepare (48000.0);
    engine::Loudness loudness;
    engine::SpectrumFrame spectrum;
    auto scope = std::make_unique<ScopeFrame>();
    SineSignal sine;
    auto process = [&] (const float* l, const float* r, int n)
    { meters.process (l, r, n); };
    // Which of loudness, spectrum and scope published something since the last look.
    auto published = [&]
    { return std::array { meters.readLoudness (loudness), meters.readSpectrum (spectrum), meters.readScope (*scope) }; };
    constexpr std::array nothing { false, false, false };

    // Off by default.
    CHECK (meters.getEnabled() == AnalysisMeters::none);
    sine.play (1.0, dbfs (-23.0), dbfs (-23.0), process);
    CHECK (published() == nothing);

    // On: all three publish.
    meters.setEnabled (AnalysisMeters::all);
    sine.play (1.0, dbfs (-23.0), dbfs (-23.0), process);
    REQUIRE (meters.readLoudness (loudness));
    CHECK (loudness.momentaryLufs == Approx (-23.0).margin (0.1));
    CHECK (loudness.integratedLufs == Approx (-23.0).margin (0.1));
    CHECK (loudness.measuredSeconds == Approx (1.0));
    REQUIRE (meters.readSpectrum (spectrum));
    CHECK (spectrum.bandsDb[3] == Approx (-23.0).margin (0.2));
    REQUIRE (meters.readScope (*scope));
    CHECK (scope->endPosition == 48000);

    // Off again: ten seconds of audio and nothing new.
    meters.setEnabled (AnalysisMeters::none);
    sine.play (10.0, dbfs (-10.0), dbfs (-10.0), process);
    CHECK (published() == nothing);

    // Loudness alone back on: it starts clean (the -10 dBFS audio above was never measured) and the
    // others stay quiet.
    meters.setEnabled (AnalysisMeters::loudness);
    sine.play (0.5, dbfs (-30.0), dbfs (-30.0), process);
    REQUIRE (published() == std::array { true, false, false });
    CHECK (loudness.measuredSeconds == Approx (0.5));
    CHECK (loudness.integratedLufs == Approx (-30.0).margin (0.1));
}

TEST_CASE ("meters loudness reset request restarts integration on the audio side", "[engine][meters]")
{
    AnalysisMeters meters;
    meters.setEnabled (AnalysisMeters::loudness);
    SineSignal sine;
    auto process = [&] (const float* l, const float* r, int n)
    { meters.process (l, r, n); };
    engine::Loudness loudness;

    sine.play (5.0, dbfs (-10.0), dbfs (-10.0), process);
    meters.requestLoudnessReset();
    sine.play (5.0, dbfs (-30.0), dbfs (-30.0), process);
    REQUIRE (meters.readLoudness (loudness));
    CHECK (loudness.integratedLufs == Approx (-30.0).margin (0.1));
    CHECK (loudness.measuredSeconds == Approx (5.0).margin (0.1));
}

TEST_CASE ("meters readers on another thread never see a torn result", "[engine][meters]")
{
    // The audio thread publishes a scope frame every block while a reader copies them as fast as it can;
    // every sample of every frame read must be the pattern at that frame's own position.
    AnalysisMeters meters;
    meters.prepare (48000.0, 1000.0, 48000.0 / 64.0);
    meters.setEnabled (AnalysisMeters::all);

    constexpr std::uint64_t totalSamples = 48000 * 20;
    std::atomic<bool> done { false };

    std::thread audio ([&]
                       {
                           std::vector<float> left (64), right (64);
                           for (std::uint64_t position = 0; position < totalSamples; position += 64)
                           {
                               fillScopePattern (position, left.data(), right.data(), 64);
                               meters.process (left.data(), right.data(), 64);
                           }
                           done.store (true); });

    auto frame = std::make_unique<ScopeFrame>();
    engine::Loudness loudness;
    engine::SpectrumFrame spectrum;
    int scopeFrames = 0, torn = 0, loudnessReadings = 0, badLoudness = 0;
    std::uint64_t lastEnd = 0;
    double lastSeconds = 0.0;
    for (bool finished = false; ! finished;)
    {
        finished = done.load();
        if (meters.readScope (*frame))
        {
            ++scopeFrames;
            torn += (scopeFrameMatchesPattern (*frame) && frame->endPosition > lastEnd) ? 0 : 1;
            lastEnd = frame->endPosition;
        }
        if (meters.readLoudness (loudness))
        {
            // Published every 100 ms step: whole steps, never going back.
            ++loudnessReadings;
            const auto steps = loudness.measuredSeconds * 10.0;
            badLoudness += (std::abs (steps - std::round (steps)) < 1e-6 && loudness.measuredSeconds > lastSeconds) ? 0 : 1;
            lastSeconds = loudness.measuredSeconds;
        }
        meters.readSpectrum (spectrum);
    }
    audio.join();

    CHECK (torn == 0);
    CHECK (badLoudness == 0);
    CHECK (scopeFrames > 10);
    CHECK (loudnessReadings > 1);
    // The last frame published is the newest: the reader ends on the final block.
    CHECK (lastEnd == totalSamples);
    CHECK (lastSeconds == Approx (20.0));
}
