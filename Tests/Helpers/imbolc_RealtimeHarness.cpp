// The real-time safety harness: interposes the allocator and the pthread lock calls in the test executable
// and records the ones made on threads marked real-time. Linked into test executables only (never into
// a module library, the tool, the app or the plugin): it replaces malloc and operator new for the whole process.
//
// Because the executable defines malloc, operator new and pthread_mutex_lock, the dynamic linker binds every
// call in the process to these definitions (the executable comes first in symbol lookup), including calls
// made from libstdc++ and from JUCE. Allocation forwards straight to glibc's allocator through its exported
// __libc_* entry points, so no dlsym is needed for it; the lock functions are found with dlsym (RTLD_NEXT).
//
// Nothing on the recording path allocates or locks: a thread_local depth, lock-free atomic counters, and a
// fixed buffer for the first violation's description, written by hand rather than by a printf.

#include "imbolc_RealtimeHarness.h"

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <unistd.h>

// The sanitizers replace malloc themselves and intercept the pthread calls; a second interposer would fight
// them. GCC says so with __SANITIZE_*__, clang with __has_feature.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define IMBOLC_REALTIME_HARNESS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define IMBOLC_REALTIME_HARNESS 0
#endif
#endif
#ifndef IMBOLC_REALTIME_HARNESS
#define IMBOLC_REALTIME_HARNESS 1
#endif

namespace
{
// The number of live ScopedRealtimeThread objects on this thread. constinit and trivially destructible, so
// reading it runs no lazy initialiser; initial-exec TLS is a fixed offset from the thread pointer, so reading
// it never goes through __tls_get_addr (which may allocate) even from inside malloc.
[[gnu::tls_model ("initial-exec")]] constinit thread_local int realtimeDepth = 0;
// Live ScopedRealtimeExemption objects on this thread that suspended a real-time marking.
[[gnu::tls_model ("initial-exec")]] constinit thread_local int exemptDepth = 0;

std::atomic<std::int64_t> allocationCount { 0 }, deallocationCount { 0 }, lockCount { 0 };
std::atomic<std::int64_t> exemptAllocationCount { 0 }, exemptDeallocationCount { 0 }, exemptLockCount { 0 };
static_assert (std::atomic<std::int64_t>::is_always_lock_free, "a counter that is not lock-free would take a lock");

// The first violation claims the buffer (firstClaimed) and publishes it when written (firstWritten).
std::atomic<bool> firstClaimed { false }, firstWritten { false };
char firstText[256] {};
} // namespace

namespace imbolc::test
{
std::int64_t RealtimeViolations::total() const noexcept { return allocations + deallocations + locks; }

ScopedRealtimeThread::ScopedRealtimeThread() noexcept { ++realtimeDepth; }
ScopedRealtimeThread::~ScopedRealtimeThread() { --realtimeDepth; }

ScopedRealtimeExemption::ScopedRealtimeExemption() noexcept
    : suspendedDepth (realtimeDepth)
{
    if (suspendedDepth > 0)
    {
        realtimeDepth = 0;
        ++exemptDepth;
    }
}

ScopedRealtimeExemption::~ScopedRealtimeExemption()
{
    if (suspendedDepth > 0)
    {
        --exemptDepth;
        realtimeDepth = suspendedDepth;
    }
}

void resetRealtimeViolations() noexcept
{
    firstWritten.store (false, std::memory_order_release);
    firstText[0] = '\0';
    allocationCount.store (0);
    deallocationCount.store (0);
    lockCount.store (0);
    exemptAllocationCount.store (0);
    exemptDeallocationCount.store (0);
    exemptLockCount.store (0);
    firstClaimed.store (false, std::memory_order_release);
}

RealtimeViolations exemptRealtimeViolations()
{
    RealtimeViolations v;
    v.allocations = exemptAllocationCount.load();
    v.deallocations = exemptDeallocationCount.load();
    v.locks = exemptLockCount.load();
    return v;
}

RealtimeViolations realtimeViolations()
{
    RealtimeViolations v;
    v.allocations = allocationCount.load();
    v.deallocations = deallocationCount.load();
    v.locks = lockCount.load();
    if (firstWritten.load (std::memory_order_acquire))
        v.first = firstText;
    return v;
}

bool realtimeHarnessActive() noexcept { return IMBOLC_REALTIME_HARNESS != 0; }
} // namespace imbolc::test

// The engine's render workers (imbolc_RenderWorkers.cpp) look these up as weak symbols: a worker runs a
// batch of jobs in the state of the thread that posted it (real-time, exempt, or neither), so every
// real-time test checks what workers do on its audio thread's behalf, and an exemption made for a
// hosted plugin holds on the worker that processes it. Neither allocates nor locks.
extern "C" int imbolcRealtimeTestCapture() noexcept { return (realtimeDepth & 0xffff) | (exemptDepth << 16); }

extern "C" int imbolcRealtimeTestAdopt (int state) noexcept
{
    const int previous = imbolcRealtimeTestCapture();
    realtimeDepth = state & 0xffff;
    exemptDepth = state >> 16;
    return previous;
}

#if IMBOLC_REALTIME_HARNESS

// glibc's own allocator entry points: exported by libc.so.6 for exactly this use (malloc interposers).
extern "C"
{
    void* __libc_malloc (std::size_t) noexcept;
    void* __libc_calloc (std::size_t, std::size_t) noexcept;
    void* __libc_realloc (void*, std::size_t) noexcept;
    void __libc_free (void*) noexcept;
    void* __libc_memalign (std::size_t, std::size_t) noexcept;
    void* __libc_valloc (std::size_t) noexcept;
    void* __libc_pvalloc (std::size_t) noexcept;
}

namespace
{
enum class Violation
{
    allocation,
    deallocation,
    lock
};

constexpr std::size_t noSize = ~std::size_t { 0 };

/** Appends to a fixed buffer, truncating, never allocating (a printf may allocate or lock in some paths). */
struct FixedWriter
{
    char* out;
    std::size_t capacity, length = 0;

    void append (const char* text) noexcept
    {
        while (*text != '\0' && length + 1 < capacity)
            out[length++] = *text++;
        out[length] = '\0';
    }

    void append (std::size_t number) noexcept
    {
        char digits[24];
        int n = 0;
        do
            digits[n++] = (char) ('0' + number % 10);
        while ((number /= 10) != 0);
        char reversed[24];
        for (int i = 0; i < n; ++i)
            reversed[i] = digits[n - 1 - i];
        reversed[n] = '\0';
        append (reversed);
    }
};

/** Called by every interposer: records the call if the calling thread is marked real-time. */
void noteCall (Violation kind, const char* what, std::size_t size = noSize) noexcept
{
    if (realtimeDepth <= 0)
    {
        if (exemptDepth > 0)
            (kind == Violation::allocation ? exemptAllocationCount : kind == Violation::deallocation ? exemptDeallocationCount
                                                                                                     : exemptLockCount)
                .fetch_add (1, std::memory_order_relaxed);
        return;
    }

    (kind == Violation::allocation ? allocationCount : kind == Violation::deallocation ? deallocationCount
                                                                                       : lockCount)
        .fetch_add (1, std::memory_order_relaxed);

    if (firstClaimed.exchange (true, std::memory_order_acq_rel))
        return;

    FixedWriter writer { firstText, sizeof (firstText) };
    writer.append (what);
    if (size != noSize)
    {
        writer.append ("(");
        writer.append (size);
        writer.append (")");
    }
    writer.append (" on a real-time thread");
    firstWritten.store (true, std::memory_order_release);
}

[[noreturn]] void fatal (const char* message) noexcept
{
    [[maybe_unused]] auto written = ::write (STDERR_FILENO, message, std::strlen (message));
    std::abort();
}

// True while this thread is inside dlsym for a lock function. glibc's dlsym takes its own lock internally
// (not through the interposable symbol), and may call calloc, which forwards straight to glibc; if a future
// dlsym did call pthread_mutex_lock we would have no real function to forward to, so fail loudly.
constinit thread_local bool resolvingLockFunction = false;

/** The real lock function after ours in lookup order (libc's), resolved on first use; any thread. */
template <typename Fn>
Fn nextFunction (std::atomic<Fn>& slot, const char* name) noexcept
{
    if (auto fn = slot.load (std::memory_order_acquire))
        return fn;

    if (resolvingLockFunction)
        fatal ("imbolc real-time harness: a lock function was called while dlsym resolved one\n");

    resolvingLockFunction = true;
    auto fn = reinterpret_cast<Fn> (::dlsym (RTLD_NEXT, name));
    resolvingLockFunction = false;

    if (fn == nullptr)
        fatal ("imbolc real-time harness: dlsym (RTLD_NEXT) found no pthread lock function\n");

    slot.store (fn, std::memory_order_release); // racing resolvers store the same pointer
    return fn;
}

using MutexFunction = int (*) (pthread_mutex_t*);
using RwlockFunction = int (*) (pthread_rwlock_t*);
std::atomic<MutexFunction> realMutexLock { nullptr }, realMutexTrylock { nullptr };
std::atomic<RwlockFunction> realRwlockRdlock { nullptr }, realRwlockWrlock { nullptr };

// Resolve before main, while the process is single-threaded; the lazy path covers static initialisers that
// lock before this runs.
[[gnu::constructor]] void resolveLockFunctions() noexcept
{
    nextFunction (realMutexLock, "pthread_mutex_lock");
    nextFunction (realMutexTrylock, "pthread_mutex_trylock");
    nextFunction (realRwlockRdlock, "pthread_rwlock_rdlock");
    nextFunction (realRwlockWrlock, "pthread_rwlock_wrlock");
}

bool isValidAlignment (std::size_t alignment) noexcept
{
    return alignment != 0 && (alignment & (alignment - 1)) == 0;
}

void* allocate (std::size_t size, std::size_t alignment) noexcept
{
    return alignment <= alignof (std::max_align_t) ? __libc_malloc (size) : __libc_memalign (alignment, size);
}

/** operator new's contract: never nullptr, retry through the new-handler, else std::bad_alloc. */
void* allocateOrThrow (std::size_t size, std::size_t alignment)
{
    if (size == 0)
        size = 1;

    for (;;)
    {
        if (auto* p = allocate (size, alignment))
            return p;

        auto handler = std::get_new_handler();
        if (handler == nullptr)
            throw std::bad_alloc();
        handler();
    }
}

void* allocateOrNull (std::size_t size, std::size_t alignment) noexcept
{
    try
    {
        return allocateOrThrow (size, alignment);
    }
    catch (...)
    {
        return nullptr;
    }
}

void release (void* p, const char* what) noexcept
{
    if (p == nullptr) // freeing nothing is harmless, so it is not a violation
        return;
    noteCall (Violation::deallocation, what);
    __libc_free (p);
}
} // namespace

//==============================================================================
// The C allocator.
extern "C"
{
    void* malloc (std::size_t size) noexcept
    {
        noteCall (Violation::allocation, "malloc", size);
        return __libc_malloc (size);
    }

    void* calloc (std::size_t count, std::size_t size) noexcept
    {
        noteCall (Violation::allocation, "calloc", count * size);
        return __libc_calloc (count, size);
    }

    void* realloc (void* p, std::size_t size) noexcept
    {
        if (p != nullptr && size == 0) // glibc frees in this case
            noteCall (Violation::deallocation, "realloc");
        else
            noteCall (Violation::allocation, "realloc", size);
        return __libc_realloc (p, size);
    }

    void free (void* p) noexcept { release (p, "free"); }

    int posix_memalign (void** out, std::size_t alignment, std::size_t size) noexcept
    {
        noteCall (Violation::allocation, "posix_memalign", size);
        if (! isValidAlignment (alignment) || alignment % sizeof (void*) != 0)
            return EINVAL;

        // posix_memalign reports through its result and leaves errno alone.
        const auto savedErrno = errno;
        auto* p = __libc_memalign (alignment, size);
        errno = savedErrno;
        if (p == nullptr)
            return ENOMEM;
        *out = p;
        return 0;
    }

    void* aligned_alloc (std::size_t alignment, std::size_t size) noexcept
    {
        noteCall (Violation::allocation, "aligned_alloc", size);
        if (! isValidAlignment (alignment))
        {
            errno = EINVAL;
            return nullptr;
        }
        return __libc_memalign (alignment, size);
    }

    void* memalign (std::size_t alignment, std::size_t size) noexcept
    {
        noteCall (Violation::allocation, "memalign", size);
        return __libc_memalign (alignment, size);
    }

    void* valloc (std::size_t size) noexcept
    {
        noteCall (Violation::allocation, "valloc", size);
        return __libc_valloc (size);
    }

    void* pvalloc (std::size_t size) noexcept
    {
        noteCall (Violation::allocation, "pvalloc", size);
        return __libc_pvalloc (size);
    }

    //==============================================================================
    // The lock calls. Unlocking is not recorded: every unlock follows a lock that already was.
    int pthread_mutex_lock (pthread_mutex_t* mutex) noexcept
    {
        noteCall (Violation::lock, "pthread_mutex_lock");
        return nextFunction (realMutexLock, "pthread_mutex_lock") (mutex);
    }

    int pthread_mutex_trylock (pthread_mutex_t* mutex) noexcept
    {
        noteCall (Violation::lock, "pthread_mutex_trylock");
        return nextFunction (realMutexTrylock, "pthread_mutex_trylock") (mutex);
    }

    int pthread_rwlock_rdlock (pthread_rwlock_t* lock) noexcept
    {
        noteCall (Violation::lock, "pthread_rwlock_rdlock");
        return nextFunction (realRwlockRdlock, "pthread_rwlock_rdlock") (lock);
    }

    int pthread_rwlock_wrlock (pthread_rwlock_t* lock) noexcept
    {
        noteCall (Violation::lock, "pthread_rwlock_wrlock");
        return nextFunction (realRwlockWrlock, "pthread_rwlock_wrlock") (lock);
    }
}

//==============================================================================
// Every replaceable operator new and delete (C++17: plain, array, nothrow, aligned, sized).
void* operator new (std::size_t size)
{
    noteCall (Violation::allocation, "operator new", size);
    return allocateOrThrow (size, 0);
}

void* operator new[] (std::size_t size)
{
    noteCall (Violation::allocation, "operator new[]", size);
    return allocateOrThrow (size, 0);
}

void* operator new (std::size_t size, const std::nothrow_t&) noexcept
{
    noteCall (Violation::allocation, "operator new", size);
    return allocateOrNull (size, 0);
}

void* operator new[] (std::size_t size, const std::nothrow_t&) noexcept
{
    noteCall (Violation::allocation, "operator new[]", size);
    return allocateOrNull (size, 0);
}

void* operator new (std::size_t size, std::align_val_t alignment)
{
    noteCall (Violation::allocation, "operator new", size);
    return allocateOrThrow (size, (std::size_t) alignment);
}

void* operator new[] (std::size_t size, std::align_val_t alignment)
{
    noteCall (Violation::allocation, "operator new[]", size);
    return allocateOrThrow (size, (std::size_t) alignment);
}

void* operator new (std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept
{
    noteCall (Violation::allocation, "operator new", size);
    return allocateOrNull (size, (std::size_t) alignment);
}

void* operator new[] (std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept
{
    noteCall (Violation::allocation, "operator new[]", size);
    return allocateOrNull (size, (std::size_t) alignment);
}

void operator delete (void* p) noexcept { release (p, "operator delete"); }
void operator delete[] (void* p) noexcept { release (p, "operator delete[]"); }
void operator delete (void* p, std::size_t) noexcept { release (p, "operator delete"); }
void operator delete[] (void* p, std::size_t) noexcept { release (p, "operator delete[]"); }
void operator delete (void* p, std::align_val_t) noexcept { release (p, "operator delete"); }
void operator delete[] (void* p, std::align_val_t) noexcept { release (p, "operator delete[]"); }
void operator delete (void* p, std::size_t, std::align_val_t) noexcept { release (p, "operator delete"); }
void operator delete[] (void* p, std::size_t, std::align_val_t) noexcept { release (p, "operator delete[]"); }
void operator delete (void* p, const std::nothrow_t&) noexcept { release (p, "operator delete"); }
void operator delete[] (void* p, const std::nothrow_t&) noexcept { release (p, "operator delete[]"); }
void operator delete (void* p, std::align_val_t, const std::nothrow_t&) noexcept { release (p, "operator delete"); }
void operator delete[] (void* p, std::align_val_t, const std::nothrow_t&) noexcept { release (p, "operator delete[]"); }

#endif // IMBOLC_REALTIME_HARNESS
