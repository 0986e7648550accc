// Ableton Link on the audio thread: LinkSession's per-block conversion (Link's audio session state,
// captured, and committed once when Link starts) under the real-time harness, with a real Link instance
// enabled on loopback.

#include <catch2/catch.hpp>
#include <imbolc_app/imbolc_app.h>

#include "imbolc_RealtimeHarness.h"

using namespace imbolc;

TEST_CASE ("Link's per-block capture on the audio thread neither allocates nor locks", "[link][realtime]")
{
    REQUIRE (test::realtimeHarnessActive());
    app::LinkSession::setLoopbackOnly (true);
    app::SessionHost host;
    app::LinkSession link { host };
    link.setEnabled (true);
    // Playing, so the start (a commit of the audio session state) is on the audio thread's path too.
    REQUIRE (host.apply (model::action::Play {}).ok());

    engine::HostTransport t;
    int filled = 0, played = 0;
    test::resetRealtimeViolations();
    std::thread audio ([&]
                       {
        for (int i = 0; i < 400; ++i)
        {
            {
                test::ScopedRealtimeThread rt;
                if (link.getTransport().fill (t, 256, 48000.0, 0.005))
                {
                    ++filled;
                    played += t.playing ? 1 : 0;
                }
            }
            std::this_thread::sleep_for (std::chrono::microseconds (500));
        } });
    audio.join();
    const auto v = test::realtimeViolations();
    INFO (v.first);
    CHECK (v.total() == 0);
    CHECK (filled == 400);
    CHECK (played > 0);
    CHECK (t.bpm == Approx (host.getSession().settings.bpm));
    CHECK (t.timeSigNumerator == 4);
    CHECK (t.timeSigDenominator == 4);

    link.setEnabled (false);
    CHECK_FALSE (link.getTransport().fill (t, 256, 48000.0, 0.005));
}
