#pragma once

namespace imbolc::engine
{

/** A small pool of real-time render threads that help the audio thread through one batch of
    independent jobs (the chains of one block), each worker with its own RenderWorkspace.

    The audio thread posts a batch (run), takes jobs itself like any worker, and returns when every
    job has finished, or, with a deadline, when the deadline passes: jobs nobody has started by then
    are never started by a worker (the caller takes every job it can before it waits), and a job a
    worker is still inside is reported late (isFinished false) for the caller to leave out of this
    block. A late worker therefore costs the audio thread at most until the deadline.

    Waiting is lock-free: a worker spins briefly for the next batch (blocks come back to back while
    rendering offline), then sleeps on a futex (Linux; std::atomic::wait elsewhere). Posting a batch is
    two atomic stores and, only when a worker sleeps, one futex wake: no lock, no allocation.

    Threads: start/stop on the message thread while run() is not being called; run and isFinished on
    the audio thread only. Workers get real-time priority where the system grants it (SCHED_FIFO, as
    JACK's own threads), and plain priority otherwise.
*/
class RenderWorkers
{
public:
    /** One job: render item `index` of the current batch into `ws`. Called on the audio thread or a worker. */
    using JobFunction = void (*) (void* context, int index, RenderWorkspace& ws) noexcept;

    RenderWorkers() = default;
    ~RenderWorkers();

    /** How many workers "one per extra core" means on this machine: cores - 1, at most maxWorkers. */
    static int workersForThisMachine() noexcept;
    static constexpr int maxWorkers = 15;

    /** Starts `count` workers (0: none; the audio thread renders alone), replacing any running, with
        workspaces for blocks up to maxBlockSize. Message thread, while run() is not being called. */
    void start (int count, int maxBlockSize);

    /** Stops and joins every worker. Message thread, while run() is not being called. */
    void stop();

    int getNumWorkers() const noexcept { return (int) workers.size(); }

    /** Runs fn (context, i, ws) for every i in [0, numJobs) on the workers and the calling thread (with
        `callerWorkspace`), in any order. Returns true once all have finished; with a deadline, returns
        false if it passed while a worker was still inside a job (the caller knows which from what its
        jobs mark; that job finishes later on its worker). Jobs nobody had started are always run by the
        caller before it waits, so only a job already running can be late. Audio thread. */
    bool run (int numJobs, JobFunction fn, void* context, RenderWorkspace& callerWorkspace, std::optional<std::chrono::steady_clock::time_point> deadline) noexcept;

    /** True when no job of an earlier batch is still running on a worker. Audio thread. */
    bool isIdle() const noexcept { return running.load (std::memory_order_acquire) == 0; }

private:
    struct Worker;
    void workerLoop (Worker&) noexcept;
    /** Claims and runs jobs of batch `batch`, its own range (`home`) first, then what is left in the
        others', until none is left; returns how many it ran. */
    int takeAndRun (std::uint32_t batch, int home, RenderWorkspace&) noexcept;

    std::vector<std::unique_ptr<Worker>> workers;

    /** One range of the batch's jobs per thread (the posting thread's is 0): batch number (bits
        40..63), the range's end (20..39) and its next job (0..19) in one word, on its own cache line.
        One CAS claims a job of the current batch only, against that range's own end, so a worker that
        comes late to a batch never takes a job of the next one. */
    struct alignas (64) Range
    {
        std::atomic<std::uint64_t> cursor { 0 };
    };
    std::array<Range, (std::size_t) maxWorkers + 1> ranges {};
    std::atomic<std::uint64_t> completed { 0 }; ///< batch (bits 32..63) and jobs of it finished (0..31)
    std::atomic<std::uint32_t> batchSignal { 0 }; ///< the futex word: the batch number, bumped per batch
    std::atomic<int> sleepers { 0 };
    std::atomic<int> running { 0 }; ///< workers inside a batch
    std::atomic<bool> quit { false };

    // The current batch's job, written before its cursor is published (see takeAndRun for why a worker
    // can never pair a claim of one batch with the job of another).
    std::atomic<JobFunction> function { nullptr };
    std::atomic<void*> context { nullptr };
    std::atomic<int> posterState { 0 }; ///< the posting thread's real-time test state (see the .cpp)
    std::uint32_t batchNumber = 0;

public:
    static constexpr int maxJobs = (1 << 20) - 1;
};

} // namespace imbolc::engine
