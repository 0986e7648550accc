#pragma once

#include <imbolc_TestHelpers.h>
#include <imbolc_sc/imbolc_sc.h>

namespace imbolc::test
{
/** A real scsynth on its own JACK server (the dummy backend: no sound card needed), on a free UDP port;
    both are stopped when the fixture goes. */
struct LiveServer
{
    LiveServer()
    {
        const auto started = local.start ({});
        INFO (started.getErrorMessage());
        REQUIRE (started.wasOk());
        port = local.getPort();
    }

    sc::LocalScsynth local;
    int port = 0;
};
} // namespace imbolc::test
