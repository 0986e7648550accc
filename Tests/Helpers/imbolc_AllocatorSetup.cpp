// Linked into the test binaries that run the engine: the process's allocator tuned as the imbolc tool and
// the app tune theirs (before main, as they do at its start), so tests see the product's allocator.

#include <imbolc_engine/imbolc_engine.h>

namespace
{
[[maybe_unused]] const bool allocatorTuned = imbolc::engine::tuneProcessAllocatorForRealtime();
} // namespace
