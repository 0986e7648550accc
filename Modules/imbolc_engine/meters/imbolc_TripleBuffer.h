#pragma once

namespace imbolc::engine
{

/** Hands the newest value of a trivially copyable T from one writer thread to one reader thread without
    locks, waiting or tearing: a triple buffer.

    Three slots; at any moment the writer owns one (the back), the reader owns one (the front) and the third
    (the middle) holds the newest published value. Publishing swaps back and middle, reading swaps middle and
    front, each with one atomic exchange, so neither side ever sees a slot the other is writing. A value
    published while the reader is not reading simply replaces the previous one: the reader gets the newest,
    never a queue of old ones. That is what a meter wants (an audio thread producing results faster than
    a view repaints must never block, and the view only ever shows the latest).

    Exactly one writer thread and one reader thread (they may be the same). Memory is allocated once, in
    the constructor.
*/
template <typename T>
class TripleBuffer
{
    static_assert (std::is_trivially_copyable_v<T>, "values are copied with plain assignment across threads");
    static_assert (std::atomic<std::uint32_t>::is_always_lock_free, "the hand-off must never lock");

public:
    /** Allocates the three slots (value-initialised). Any thread, before the writer and reader start. */
    TripleBuffer()
        : slots (std::make_unique<T[]> (3)) {}

    TripleBuffer (const TripleBuffer&) = delete;
    TripleBuffer& operator= (const TripleBuffer&) = delete;

    /** The slot the writer fills before publish(). Writer thread only; stays valid until the next publish(). */
    T& back() noexcept { return slots[backIndex]; }

    /** Makes back() the newest value and hands the writer a free slot. Writer thread only; wait-free. */
    void publish() noexcept
    {
        // acq_rel: release our writes to the slot we hand over; acquire the reader's finished reads of the
        // slot we get back before we overwrite it.
        backIndex = middle.exchange (backIndex | freshBit, std::memory_order_acq_rel) & indexMask;
    }

    /** Copies the newest published value into `out` and returns true if one was published since the last
        successful read; otherwise leaves `out` alone and returns false. Reader thread only; wait-free. */
    bool read (T& out) noexcept
    {
        if ((middle.load (std::memory_order_relaxed) & freshBit) == 0)
            return false;

        frontIndex = middle.exchange (frontIndex, std::memory_order_acq_rel) & indexMask;
        out = slots[frontIndex];
        return true;
    }

    /** Forgets any value not yet read, so the next read() returns false until the writer publishes again.
        Only while neither the writer nor the reader is running. */
    void discardUnread() noexcept { middle.fetch_and (indexMask, std::memory_order_relaxed); }

private:
    static constexpr std::uint32_t indexMask = 3, freshBit = 4;

    std::unique_ptr<T[]> slots;
    std::atomic<std::uint32_t> middle { 1 }; ///< index of the middle slot, plus freshBit while it is unread
    std::uint32_t backIndex = 0; ///< writer's own
    std::uint32_t frontIndex = 2; ///< reader's own
};

} // namespace imbolc::engine
