// The real-time safety harness: the audio thread must never allocate, free or lock a mutex.
//
// A test marks a thread real-time with ScopedRealtimeThread, runs the code under test on it, and then checks
// realtimeViolations(). imbolc_RealtimeHarness.cpp interposes malloc and friends, every replaceable operator
// new/delete and the pthread mutex and rwlock lock calls, so it must be linked into test executables only.
// Under AddressSanitizer or ThreadSanitizer the interposers are compiled out (the sanitizers own malloc) and
// realtimeHarnessActive() returns false; the build does not make real-time test binaries there at all.

#pragma once

#include <cstdint>
#include <string>

namespace imbolc::test
{

/** What real-time threads did that they must not, since the last resetRealtimeViolations(). */
struct RealtimeViolations
{
    std::int64_t allocations = 0, deallocations = 0, locks = 0;
    std::string first; // description of the first violation, e.g. "operator new(64) on a real-time thread"; empty if none

    std::int64_t total() const noexcept;
};

/** RAII: marks the calling thread real-time for its lifetime (nestable).

    Construct and destroy it on the same thread (any thread). While one is alive on a thread, every allocation,
    deallocation and mutex lock that thread makes is recorded as a violation. Constructing and destroying it
    neither allocates nor locks.
*/
class ScopedRealtimeThread
{
public:
    ScopedRealtimeThread() noexcept;
    ~ScopedRealtimeThread();

    ScopedRealtimeThread (const ScopedRealtimeThread&) = delete;
    ScopedRealtimeThread& operator= (const ScopedRealtimeThread&) = delete;
};

/** RAII: suspends the real-time marking of the calling thread for its lifetime, for code that is not
    ours to fix (a third-party plugin called from our audio path). What that code does is counted apart,
    in exemptRealtimeViolations(), so a test can assert zero for our own code and still report exactly
    what the foreign code did. A no-op on a thread that is not marked real-time. Same thread rules as
    ScopedRealtimeThread; neither allocates nor locks. */
class ScopedRealtimeExemption
{
public:
    ScopedRealtimeExemption() noexcept;
    ~ScopedRealtimeExemption();

    ScopedRealtimeExemption (const ScopedRealtimeExemption&) = delete;
    ScopedRealtimeExemption& operator= (const ScopedRealtimeExemption&) = delete;

private:
    int suspendedDepth;
};

/** Forgets every recorded violation. Call from a non-real-time thread while no real-time thread is running. */
void resetRealtimeViolations() noexcept;

/** A snapshot of the violations recorded so far. Call from a non-real-time thread: building the description
    string allocates, which on a real-time thread would itself be recorded. */
RealtimeViolations realtimeViolations();

/** What real-time threads did inside ScopedRealtimeExemption scopes since the last reset (no
    description). Same calling rules as realtimeViolations(). */
RealtimeViolations exemptRealtimeViolations();

/** True when the interposers are compiled in; false when built under a sanitizer. Any thread may call it. */
bool realtimeHarnessActive() noexcept;

} // namespace imbolc::test
