// The process-wide allocator tuning is an explicit opt-in (the test runner's main makes it, as the
// imbolc tool's does): it is in effect in this process, and asking again changes nothing.

#include "imbolc_EngineTestSupport.h"

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// glibc's malloc, its settings and its counts; AddressSanitizer and ThreadSanitizer bring their own.
#if defined(__GLIBC__) && ! defined(__SANITIZE_ADDRESS__) && ! defined(__SANITIZE_THREAD__)
#define IMBOLC_TEST_GLIBC_MALLOC 1
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#undef IMBOLC_TEST_GLIBC_MALLOC
#endif
#endif
#endif

using namespace imbolc;

#if defined(IMBOLC_TEST_GLIBC_MALLOC)
namespace
{
/** Whether a block of `bytes` gets its own mmap (glibc counts those in hblks) rather than heap space. */
bool isMappedOnItsOwn (std::size_t bytes)
{
    // Through a volatile pointer, so the compiler cannot drop the malloc and free pair.
    void* (*volatile allocate) (std::size_t) = std::malloc;
    const auto before = mallinfo2().hblks;
    void* block = allocate (bytes);
    REQUIRE (block != nullptr);
    const auto during = mallinfo2().hblks;
    std::free (block);
    return during > before;
}

// 48 MiB: untuned glibc always maps a block this big on its own (its dynamic threshold stops at
// 32 MiB); tuned, blocks up to 64 MiB come from the heap.
constexpr std::size_t big = 48 * 1024 * 1024;
} // namespace

TEST_CASE ("the process allocator is tuned by the runner's main before any test, as the imbolc tool tunes its own", "[engine][allocator]")
{
    // Seen before this test asks for the tuning itself, so it is what main() did (no engine does it).
    CHECK_FALSE (isMappedOnItsOwn (big));
    // Above the tuned threshold glibc still maps: the check above would see an untuned allocator.
    CHECK (isMappedOnItsOwn (96 * 1024 * 1024));
}
#endif

TEST_CASE ("tuning the process allocator again changes nothing and reports the same", "[engine][allocator]")
{
#if defined(__GLIBC__)
    CHECK (engine::tuneProcessAllocatorForRealtime());
    CHECK (engine::tuneProcessAllocatorForRealtime());
#else
    CHECK_FALSE (engine::tuneProcessAllocatorForRealtime()); // nothing to tune outside glibc
    CHECK_FALSE (engine::tuneProcessAllocatorForRealtime());
#endif
#if defined(IMBOLC_TEST_GLIBC_MALLOC)
    CHECK_FALSE (isMappedOnItsOwn (big));
#endif
}
