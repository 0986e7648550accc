// Proves the real-time harness sees what it must (allocation, deallocation, locking on a marked thread) and
// nothing it must not (atomics, arithmetic, unmarked threads). Every check compares exact counts, so a harness
// that misses a call or flags an innocent one fails here.
//
// Checks run outside the ScopedRealtimeThread scopes: Catch2's own bookkeeping allocates.

#include <catch2/catch.hpp>

#include "imbolc_RealtimeHarness.h"

#include <juce_core/juce_core.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

using Catch::Matchers::Contains;
using imbolc::test::realtimeHarnessActive;
using imbolc::test::realtimeViolations;
using imbolc::test::resetRealtimeViolations;
using imbolc::test::ScopedRealtimeThread;

namespace
{
/** Hides a pointer's value from the optimiser, so it can neither drop an allocation nor fold a null check. */
template <typename T>
T* opaque (T* p)
{
    asm volatile(""
                 : "+r"(p)::"memory");
    return p;
}

/** Resets the record; fails the test at once if the interposers are compiled out. */
void startClean()
{
    REQUIRE (realtimeHarnessActive());
    resetRealtimeViolations();
}
} // namespace

TEST_CASE ("realtime harness catches new and malloc on a marked thread", "[realtime]")
{
    startClean();

    SECTION ("new int")
    {
        int* p = nullptr;
        {
            ScopedRealtimeThread rt;
            p = opaque (new int (42));
        }
        delete p;

        auto v = realtimeViolations();
        CHECK (v.allocations == 1);
        CHECK (v.deallocations == 0);
        CHECK (v.locks == 0);
        CHECK (v.first == "operator new(" + std::to_string (sizeof (int)) + ") on a real-time thread");
    }

    SECTION ("new[] and aligned new")
    {
        struct alignas (64) Aligned
        {
            float x[16];
        };
        float* block = nullptr;
        Aligned* aligned = nullptr;
        {
            ScopedRealtimeThread rt;
            block = opaque (new float[8]);
            aligned = opaque (new Aligned);
        }
        REQUIRE (reinterpret_cast<std::uintptr_t> (aligned) % 64 == 0);
        delete[] block;
        delete aligned;

        auto v = realtimeViolations();
        CHECK (v.allocations == 2);
        CHECK (v.deallocations == 0);
        CHECK (v.first == "operator new[](32) on a real-time thread");
    }

    SECTION ("malloc calloc and realloc")
    {
        void* a = nullptr;
        void* b = nullptr;
        {
            ScopedRealtimeThread rt;
            a = opaque (std::malloc (100));
            b = opaque (std::calloc (4, 8));
            a = opaque (std::realloc (a, 200));
        }
        std::free (a);
        std::free (b);

        auto v = realtimeViolations();
        CHECK (v.allocations == 3);
        CHECK (v.deallocations == 0);
        CHECK (v.first == "malloc(100) on a real-time thread");
    }
}

TEST_CASE ("realtime harness catches container growth on a marked thread", "[realtime]")
{
    startClean();

    SECTION ("std::vector push_back")
    {
        std::vector<int> values;
        {
            ScopedRealtimeThread rt;
            values.push_back (1);
        }

        auto v = realtimeViolations();
        CHECK (v.allocations == 1);
        CHECK (v.deallocations == 0);
        CHECK_THAT (v.first, Contains ("operator new(") && Contains ("on a real-time thread"));
    }

    SECTION ("std::string growth past the small-string buffer")
    {
        std::string text;
        {
            ScopedRealtimeThread rt;
            text.append (100, 'x');
        }

        auto v = realtimeViolations();
        CHECK (v.allocations == 1);
        CHECK (v.deallocations == 0);
        CHECK_THAT (v.first, Contains ("operator new("));
    }

    SECTION ("on a separate std::thread marked real-time")
    {
        std::vector<int> values;
        std::thread audio ([&values]
                           {
                               ScopedRealtimeThread rt;
                               // The second push grows the vector: allocate the new block, free the old.
                               values.push_back (1);
                               values.push_back (2); });
        audio.join();

        auto v = realtimeViolations();
        CHECK (v.allocations == 2);
        CHECK (v.deallocations == 1);
        CHECK (v.locks == 0);
        CHECK_THAT (v.first, Contains ("operator new("));
    }
}

TEST_CASE ("realtime harness catches freeing memory allocated elsewhere", "[realtime]")
{
    startClean();

    auto* object = opaque (new int (1));
    auto* array = opaque (new int[4]);
    auto* raw = opaque (std::malloc (16));
    auto values = std::make_unique<std::vector<int>> (8, 0);
    REQUIRE (realtimeViolations().total() == 0);

    {
        ScopedRealtimeThread rt;
        delete object;
        delete[] array;
        std::free (raw);
        values.reset(); // two frees: the vector's storage, then the vector
    }

    auto v = realtimeViolations();
    CHECK (v.deallocations == 5);
    CHECK (v.allocations == 0);
    CHECK (v.locks == 0);
    CHECK_THAT (v.first, Contains ("operator delete") && Contains ("on a real-time thread"));
}

TEST_CASE ("realtime harness does not count freeing a null pointer", "[realtime]")
{
    startClean();

    {
        ScopedRealtimeThread rt;
        std::free (opaque<void> (nullptr));
        delete opaque<int> (nullptr);
        delete[] opaque<int> (nullptr);
    }

    auto v = realtimeViolations();
    CHECK (v.total() == 0);
    CHECK (v.first.empty());
}

TEST_CASE ("realtime harness catches mutex locks on a marked thread", "[realtime]")
{
    startClean();

    SECTION ("std::mutex lock")
    {
        std::mutex mutex;
        {
            ScopedRealtimeThread rt;
            mutex.lock();
            mutex.unlock();
        }

        auto v = realtimeViolations();
        CHECK (v.locks == 1);
        CHECK (v.allocations == 0);
        CHECK (v.first == "pthread_mutex_lock on a real-time thread");
    }

    SECTION ("std::mutex try_lock")
    {
        std::mutex mutex;
        {
            ScopedRealtimeThread rt;
            if (mutex.try_lock())
                mutex.unlock();
        }

        auto v = realtimeViolations();
        CHECK (v.locks == 1);
        CHECK (v.first == "pthread_mutex_trylock on a real-time thread");
    }

    SECTION ("std::shared_mutex exclusive and shared")
    {
        std::shared_mutex mutex;
        {
            ScopedRealtimeThread rt;
            mutex.lock();
            mutex.unlock();
            mutex.lock_shared();
            mutex.unlock_shared();
        }

        auto v = realtimeViolations();
        CHECK (v.locks == 2);
        CHECK (v.first == "pthread_rwlock_wrlock on a real-time thread");
    }
}

TEST_CASE ("realtime harness lets atomics and arithmetic on preallocated memory through", "[realtime]")
{
    startClean();

    std::vector<float> buffer (512, 0.5f);
    std::atomic<int> counter { 0 };
    std::atomic<float*> published { nullptr };
    float sum = 0.0f;
    {
        ScopedRealtimeThread rt;
        counter.fetch_add (1);
        int expected = 1;
        counter.compare_exchange_strong (expected, 2);
        published.store (buffer.data(), std::memory_order_release);

        for (auto& sample : buffer)
        {
            sample = sample * 0.5f + 0.25f;
            sum += sample;
        }
    }

    CHECK (counter.load() == 2);
    CHECK (sum == Approx (256.0f));
    auto v = realtimeViolations();
    CHECK (v.total() == 0);
    CHECK (v.first.empty());
}

TEST_CASE ("realtime harness ignores unmarked threads and threads whose scope has ended", "[realtime]")
{
    startClean();

    SECTION ("an unmarked thread allocates and locks freely")
    {
        std::thread worker ([]
                            {
                                std::vector<std::string> names;
                                for (int i = 0; i < 100; ++i)
                                    names.push_back (std::string (64, 'n'));
                                std::mutex mutex;
                                const std::lock_guard lock (mutex); });
        worker.join();

        auto* p = opaque (new int (3));
        delete p;

        CHECK (realtimeViolations().total() == 0);
    }

    SECTION ("a marked thread does not mark another thread")
    {
        std::atomic<bool> marked { false }, finished { false };
        std::thread audio ([&]
                           {
                               ScopedRealtimeThread rt;
                               marked = true;
                               while (! finished)
                                   std::this_thread::yield(); });
        while (! marked)
            std::this_thread::yield();

        auto* p = opaque (new int (4)); // on this (unmarked) thread while the other is marked
        delete p;
        finished = true;
        audio.join();

        CHECK (realtimeViolations().total() == 0);
    }

    SECTION ("after the scope ends the thread is no longer flagged")
    {
        {
            ScopedRealtimeThread rt;
        }
        auto* p = opaque (new int (5));
        delete p;

        CHECK (realtimeViolations().total() == 0);
    }

    SECTION ("nested scopes flag until the outermost ends")
    {
        int* p = nullptr;
        {
            ScopedRealtimeThread outer;
            {
                ScopedRealtimeThread inner;
            }
            p = opaque (new int (6)); // still inside outer
        }
        delete p;

        CHECK (realtimeViolations().allocations == 1);
        CHECK (realtimeViolations().total() == 1);
    }
}

TEST_CASE ("realtime harness catches JUCE HeapBlock allocation and CriticalSection locks", "[realtime]")
{
    startClean();

    SECTION ("juce::HeapBlock malloc")
    {
        juce::HeapBlock<float> block;
        {
            ScopedRealtimeThread rt;
            block.malloc (256); // frees the (null) old block first: that is not a violation
        }
        REQUIRE (opaque (block.get()) != nullptr); // used, so the optimiser cannot drop the malloc/free pair

        auto v = realtimeViolations();
        CHECK (v.allocations == 1);
        CHECK (v.deallocations == 0);
        CHECK (v.first == "malloc(" + std::to_string (256 * sizeof (float)) + ") on a real-time thread");
    }

    SECTION ("juce::ScopedLock on a CriticalSection")
    {
        juce::CriticalSection lock;
        {
            ScopedRealtimeThread rt;
            const juce::ScopedLock sl (lock);
        }

        auto v = realtimeViolations();
        CHECK (v.locks == 1);
        CHECK (v.allocations == 0);
        CHECK (v.first == "pthread_mutex_lock on a real-time thread");
    }

    SECTION ("juce::String from text")
    {
        juce::String text;
        {
            ScopedRealtimeThread rt;
            text = juce::String ("a name long enough to need the heap");
        }

        auto v = realtimeViolations();
        CHECK (v.allocations == 1);
        CHECK_THAT (v.first, Contains ("operator new[]("));
    }
}
