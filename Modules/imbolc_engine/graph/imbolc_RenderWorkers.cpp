#include <climits>

#if JUCE_INTEL
#include <immintrin.h>
#endif

#if JUCE_LINUX
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__GNUC__) && defined(__ELF__)
// The real-time test harness (Tests/Helpers/imbolc_RealtimeHarness.cpp) defines these; in every other
// program they stay null. A worker runs its jobs in the real-time state of the thread that posted them,
// so a test that marks its audio thread real-time checks what the workers do on its behalf too, and an
// exemption it made for foreign code (a hosted plugin) holds on the worker as well.
extern "C" int imbolcRealtimeTestCapture() noexcept __attribute__ ((weak));
extern "C" int imbolcRealtimeTestAdopt (int state) noexcept __attribute__ ((weak));
#define IMBOLC_REALTIME_TEST_HOOKS 1
#else
#define IMBOLC_REALTIME_TEST_HOOKS 0
#endif

namespace imbolc::engine
{
namespace
{
    constexpr std::uint64_t batchBits = 24, countBits = 20;
    constexpr std::uint64_t countMask = (1u << countBits) - 1;
    constexpr std::uint32_t batchMask = (1u << batchBits) - 1;

    std::uint32_t cursorBatch (std::uint64_t c) noexcept { return (std::uint32_t) (c >> (2 * countBits)) & batchMask; }
    int cursorCount (std::uint64_t c) noexcept { return (int) ((c >> countBits) & countMask); }
    int cursorNext (std::uint64_t c) noexcept { return (int) (c & countMask); }

    int captureRealtimeState() noexcept
    {
#if IMBOLC_REALTIME_TEST_HOOKS
        if (imbolcRealtimeTestCapture != nullptr)
            return imbolcRealtimeTestCapture();
#endif
        return 0;
    }

    int adoptRealtimeState (int state) noexcept
    {
#if IMBOLC_REALTIME_TEST_HOOKS
        if (imbolcRealtimeTestAdopt != nullptr)
            return imbolcRealtimeTestAdopt (state);
#endif
        juce::ignoreUnused (state);
        return 0;
    }

    /** Sleeps while `word` holds `expected` (a spurious return is fine: the caller loops). */
    void waitOn (std::atomic<std::uint32_t>& word, std::uint32_t expected) noexcept
    {
#if JUCE_LINUX
        static_assert (sizeof (std::atomic<std::uint32_t>) == sizeof (std::uint32_t));
        syscall (SYS_futex, reinterpret_cast<std::uint32_t*> (&word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
#else
        word.wait (expected, std::memory_order_acquire);
#endif
    }

    void wakeAll (std::atomic<std::uint32_t>& word) noexcept
    {
#if JUCE_LINUX
        syscall (SYS_futex, reinterpret_cast<std::uint32_t*> (&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
#else
        word.notify_all();
#endif
    }

    void cpuPause() noexcept
    {
#if JUCE_INTEL
        _mm_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
    }

    /** How long a worker spins for the next batch before it sleeps: offline, blocks follow each other
        within microseconds, and a futex wake-up costs tens of them. */
    constexpr auto spinTime = std::chrono::microseconds (60);
} // namespace

struct RenderWorkers::Worker
{
    int index = 1; ///< its range of each batch (the posting thread has range 0)
    RenderWorkspace workspace;
    std::thread thread;
};

RenderWorkers::~RenderWorkers() { stop(); }

int RenderWorkers::workersForThisMachine() noexcept
{
    return juce::jlimit (0, maxWorkers, (int) std::thread::hardware_concurrency() - 1);
}

void RenderWorkers::start (int count, int maxBlockSize)
{
    stop();
    quit.store (false);
    for (int i = 0; i < juce::jlimit (0, maxWorkers, count); ++i)
    {
        auto w = std::make_unique<Worker>();
        w->index = i + 1;
        w->workspace.prepare (maxBlockSize);
        auto* raw = w.get();
        w->thread = std::thread ([this, raw]
                                 { workerLoop (*raw); });
#if JUCE_LINUX
        // Real-time priority just below a JACK client's process thread, where the system allows it
        // (rtprio in limits.conf, or root); otherwise the worker keeps normal priority and still helps.
        sched_param param {};
        param.sched_priority = juce::jlimit (sched_get_priority_min (SCHED_FIFO), sched_get_priority_max (SCHED_FIFO), 70);
        pthread_setschedparam (w->thread.native_handle(), SCHED_FIFO, &param);
#endif
        workers.push_back (std::move (w));
    }
}

void RenderWorkers::stop()
{
    if (workers.empty())
        return;
    quit.store (true);
    batchSignal.fetch_add (1);
    wakeAll (batchSignal);
    for (auto& w : workers)
        w->thread.join();
    workers.clear();
    running.store (0);
}

bool RenderWorkers::run (int numJobs, JobFunction fn, void* ctx, RenderWorkspace& callerWorkspace, std::optional<std::chrono::steady_clock::time_point> deadline) noexcept
{
    numJobs = juce::jlimit (0, maxJobs, numJobs);
    if (workers.empty() || numJobs <= 1)
    {
        for (int i = 0; i < numJobs; ++i)
            fn (ctx, i, callerWorkspace);
        return true;
    }

    batchNumber = (batchNumber + 1) & batchMask;
    function.store (fn, std::memory_order_relaxed);
    context.store (ctx, std::memory_order_relaxed);
    posterState.store (captureRealtimeState(), std::memory_order_relaxed);
    completed.store ((std::uint64_t) batchNumber << 32, std::memory_order_relaxed);
    // Each thread's share is a contiguous range of the jobs, the same one every block (the running
    // order is stable), so a chain keeps rendering on the same core with its state in that core's
    // cache; a thread that runs out takes what is left in the others' ranges.
    const int participants = (int) workers.size() + 1;
    for (int p = 0; p < participants; ++p)
    {
        const auto begin = (std::uint64_t) (numJobs * p / participants), end = (std::uint64_t) (numJobs * (p + 1) / participants);
        ranges[(std::size_t) p].cursor.store (((std::uint64_t) batchNumber << (2 * countBits)) | (end << countBits) | begin, std::memory_order_relaxed);
    }
    // Seq-cst pair with the worker's sleepers increment and re-check: either the worker sees the new
    // batch before it sleeps, or we see it sleeping and wake it.
    batchSignal.store (batchNumber, std::memory_order_seq_cst);
    if (sleepers.load (std::memory_order_seq_cst) > 0)
        wakeAll (batchSignal);

    int finished = takeAndRun (batchNumber, 0, callerWorkspace);
    const auto target = ((std::uint64_t) batchNumber << 32) | (std::uint64_t) numJobs;
    if (finished > 0)
        finished = (int) (completed.fetch_add ((std::uint64_t) finished, std::memory_order_acq_rel) + (std::uint64_t) finished == target);
    else
        finished = completed.load (std::memory_order_acquire) == target;

    for (int spins = 0; ! finished; ++spins)
    {
        if (completed.load (std::memory_order_acquire) == target)
            return true;
        if (deadline.has_value() && (spins & 63) == 0 && std::chrono::steady_clock::now() >= *deadline)
            return false;
        cpuPause();
    }
    return true;
}

int RenderWorkers::takeAndRun (std::uint32_t batch, int home, RenderWorkspace& ws) noexcept
{
    const int participants = (int) workers.size() + 1;
    int ran = 0;
    for (int k = 0; k < participants; ++k)
    {
        auto& cursor = ranges[(std::size_t) ((home + k) % participants)].cursor;
        for (;;)
        {
            auto c = cursor.load (std::memory_order_acquire);
            if (cursorBatch (c) != batch || cursorNext (c) >= cursorCount (c))
                break;
            // Read before the claim: the job of batch k is only replaced after every job of batch k
            // has been claimed (the caller takes all that is left before it returns), and that claim
            // would make this CAS fail. So a successful claim pairs with this job.
            auto* fn = function.load (std::memory_order_relaxed);
            auto* ctx = context.load (std::memory_order_relaxed);
            if (! cursor.compare_exchange_weak (c, c + 1, std::memory_order_acq_rel, std::memory_order_acquire))
                continue;
            fn (ctx, cursorNext (c), ws);
            ++ran;
        }
    }
    return ran;
}

void RenderWorkers::workerLoop (Worker& self) noexcept
{
    // The audio thread renders with denormals flushed to zero (AudioGraph::process): so must every
    // worker, for the same samples and the same cost (a decaying tail in denormals costs x86 up to 100x).
    // The floating-point mode is per thread and lasts for the thread's life.
    juce::FloatVectorOperations::disableDenormalisedNumberSupport (true);
    std::uint32_t seen = batchSignal.load();
    for (;;)
    {
        std::uint32_t now = batchSignal.load (std::memory_order_acquire);
        const auto spinUntil = std::chrono::steady_clock::now() + spinTime;
        for (int spins = 1; now == seen && ! quit.load (std::memory_order_relaxed); ++spins)
        {
            if ((spins & 63) != 0 || std::chrono::steady_clock::now() < spinUntil)
            {
                cpuPause();
            }
            else
            {
                sleepers.fetch_add (1, std::memory_order_seq_cst);
                if (batchSignal.load (std::memory_order_seq_cst) == seen && ! quit.load())
                    waitOn (batchSignal, seen);
                sleepers.fetch_sub (1, std::memory_order_seq_cst);
            }
            now = batchSignal.load (std::memory_order_acquire);
        }
        if (quit.load())
            return;
        seen = now;

        running.fetch_add (1, std::memory_order_acq_rel);
        const auto batch = now;
        const int previous = adoptRealtimeState (posterState.load (std::memory_order_relaxed));
        const int ran = takeAndRun (batch, self.index, self.workspace);
        adoptRealtimeState (previous);
        if (ran > 0)
        {
            // Counted only against its own batch: a worker that was late for batch k must not count
            // towards batch k + 1.
            auto c = completed.load (std::memory_order_acquire);
            while ((std::uint32_t) (c >> 32) == batch && ! completed.compare_exchange_weak (c, c + (std::uint64_t) ran, std::memory_order_acq_rel, std::memory_order_acquire))
            {
            }
        }
        running.fetch_sub (1, std::memory_order_acq_rel);
    }
}

} // namespace imbolc::engine
