#pragma once

// Real-time safety tests' shared setup and verdict: an engine rendered on an audio thread that the
// real-time harness (imbolc_RealtimeHarness.h) watches for its whole life, and the one check that such
// code made no allocation, free or lock. Only for binaries linked with the harness (not sanitizer builds).

#include "imbolc_EngineTestSupport.h"
#include "imbolc_RealtimeHarness.h"

namespace imbolc::test
{

/** An AudioThread marked real-time for its whole life, first block included. The harness's record is
    cleared just before the thread starts, so what it reports afterwards is what the audio thread (and
    any other marked thread) did since. Construct, drive and finish it on the test's thread. */
class RealtimeAudioThread final : public AudioThread
{
public:
    RealtimeAudioThread (engine::Engine& e, int maxBlocks)
        : AudioThread (e, EngineRig::blockSize, maxBlocks, clearRecordThenMark()) {}

    /** Renders `tailBlocks` more blocks (so releases and fades end), stops the thread, lets the engine
        destroy what came back, and returns what real-time threads did since the thread started. */
    [[nodiscard]] RealtimeViolations finish (int tailBlocks)
    {
        render (tailBlocks);
        stop();
        getEngine().update();
        return realtimeViolations();
    }

private:
    // Evaluated as the base class's argument, so the record is cleared before its thread starts.
    static Wrapper clearRecordThenMark()
    {
        resetRealtimeViolations();
        return [] (const std::function<void()>& body)
        {
            ScopedRealtimeThread scope;
            body();
        };
    }
};

/** The verdict on code that must be real-time safe: no allocation, deallocation or mutex lock was
    recorded. The first violation's description goes with any failure. */
inline void checkRealtimeSafe (const RealtimeViolations& v)
{
    INFO ("first violation: " << v.first);
    CHECK (v.allocations == 0);
    CHECK (v.deallocations == 0);
    CHECK (v.locks == 0);
}

} // namespace imbolc::test
