// Stages at rest under the real-time harness: skipping silence, with parameters moving every block,
// makes no allocation, free or lock.

#include "imbolc_RealtimeTestSupport.h"
#include "imbolc_RestTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;
using namespace imbolc::test::fx;

TEST_CASE ("realtime skipping silence at rest neither allocates nor locks", "[effects][rest][realtime]")
{
    REQUIRE (realtimeHarnessActive());
    for (const auto& c : everyRestingStage())
    {
        NodeRun run (c.stage);
        INFO (run.node->getName());
        juce::Random random (3);
        int skipped = 0;
        resetRealtimeViolations();
        {
            ScopedRealtimeThread scope;
            for (int b = 0; b < 400; ++b)
            {
                moveParameters (*run.node, c.moved, random, b);
                skipped += run.node->processSilence (1 + random.nextInt (block)) ? 1 : 0;
            }
        }
        checkRealtimeSafe (realtimeViolations());
        CHECK (skipped == 400); // fresh, and never woken: at rest throughout
    }
}
