// The analysis meters under the real-time harness (Tests/Helpers/imbolc_RealtimeHarness): every malloc,
// free, new, delete and mutex lock on the marked thread is recorded. Not built under sanitizers.

#include "imbolc_MeterTestSupport.h"
#include "imbolc_RealtimeTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using engine::AnalysisMeters;

TEST_CASE ("realtime meters process and read with every analysis on make no allocation or lock", "[engine][meters][realtime]")
{
    REQUIRE (realtimeHarnessActive());

    AnalysisMeters meters;
    meters.prepare (48000.0, 60.0, 60.0);
    meters.setEnabled (AnalysisMeters::all);

    // Everything the loop touches exists before the scope starts.
    constexpr int block = 256;
    std::vector<float> left (block), right (block);
    auto scope = std::make_unique<engine::ScopeFrame>();
    engine::Loudness loudness;
    engine::SpectrumFrame spectrum;
    juce::Random random (7);
    int loudnessReads = 0, spectrumReads = 0, scopeReads = 0;
    float quietest = 0.0f, loudest = -1000.0f;

    resetRealtimeViolations();
    {
        ScopedRealtimeThread realtime;

        // Ten minutes of audio: a noisy tone whose level sweeps from -80 to 0 dBFS and back every 100 s,
        // so the gating histogram fills across its whole range; the views switch off and on and ask for
        // a reset now and then.
        double phase = 0.0;
        constexpr int blocks = 48000 * 60 * 10 / block;
        for (int b = 0; b < blocks; ++b)
        {
            const auto seconds = (double) b * block / 48000.0;
            const auto level = dbfs (-80.0 + 80.0 * std::abs (std::fmod (seconds / 50.0, 2.0) - 1.0));
            for (int i = 0; i < block; ++i)
            {
                phase += 0.13;
                left[(std::size_t) i] = level * (0.7f * (float) std::sin (phase) + 0.3f * (random.nextFloat() - 0.5f));
                right[(std::size_t) i] = level * (0.7f * (float) std::cos (phase) + 0.3f * (random.nextFloat() - 0.5f));
            }

            if (b % 20000 == 10000)
                meters.setEnabled (AnalysisMeters::scope);
            else if (b % 20000 == 10500)
                meters.setEnabled (AnalysisMeters::all);
            if (b % 50000 == 49999)
                meters.requestLoudnessReset();

            meters.process (left.data(), right.data(), block);

            if (meters.readLoudness (loudness))
            {
                ++loudnessReads;
                quietest = std::min (quietest, loudness.momentaryLufs);
                loudest = std::max (loudest, loudness.momentaryLufs);
            }
            spectrumReads += meters.readSpectrum (spectrum) ? 1 : 0;
            scopeReads += meters.readScope (*scope) ? 1 : 0;
        }
    }
    checkRealtimeSafe (realtimeViolations());

    // It really measured all along: about ten loudness readings a second, sixty spectrum and scope frames,
    // across the whole level range.
    CHECK (loudnessReads > 5500);
    CHECK (spectrumReads > 33000);
    CHECK (scopeReads > 33000);
    CHECK (quietest < -70.0f);
    CHECK (loudest > -5.0f);
}
