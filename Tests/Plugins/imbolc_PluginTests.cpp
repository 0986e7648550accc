#include "imbolc_EngineTestSupport.h"
TEST_CASE ("plugin placeholder", "[plugins]") { REQUIRE (true); }
