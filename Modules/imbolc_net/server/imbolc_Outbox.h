#pragma once

namespace imbolc::net
{

/** How a queued frame may be dropped (the per-client drop policy). */
enum class FrameKind : std::uint8_t
{
    control, ///< never dropped: handshake, rejections, privilege, pings, errors
    patch, ///< a state patch: a delta, so dropping one obliges a full sync (see Outbox)
    fullSync, ///< supersedes every unstarted patch and older full sync
    metering ///< only the latest matters: replaces an unstarted older one
};

/** A serialized frame shared by every client it is sent to (serialize once, send many). */
using SharedFrame = std::shared_ptr<const protocol::Bytes>;

/** One client's queue of frames waiting for its socket, with the drop policy.

    - metering keeps only the latest unstarted frame;
    - a full sync drops every unstarted patch and older unstarted full sync;
    - a patch pushed behind an unstarted patch drops the older one(s) and raises needsFullSync(): patches
      are deltas, so the client can only catch up with a full sync (the server sends one);
    - control frames are never dropped;
    - the frame being written (started) is never dropped, whatever is pushed behind it.

    A push that leaves more than Limits::maxFrames frames or Limits::maxBytes unsent bytes reports
    overflow: the server suspends that client rather than let it slow the others.

    Not thread-safe: the writer thread owns every outbox.
*/
class Outbox
{
public:
    struct Limits
    {
        std::size_t maxFrames = 8;
        std::size_t maxBytes = 64u * 1024u * 1024u;
    };

    Outbox();
    explicit Outbox (Limits limits);

    /** Queues a frame under the drop policy; returns false on overflow (the frame is queued anyway). */
    bool push (FrameKind kind, SharedFrame frame);

    /** True while any byte is waiting. */
    bool hasData() const noexcept { return ! queue.empty(); }

    /** The unsent bytes of the head frame (empty when nothing waits). */
    std::span<const std::uint8_t> pending() const noexcept;

    /** Records that `count` bytes of pending() were written; a finished frame leaves the queue. */
    void consumed (std::size_t count) noexcept;

    std::size_t frameCount() const noexcept { return queue.size(); }

    /** True while more than the bound waits (what push() reports). */
    bool isOverBound() const noexcept { return queue.size() > limits.maxFrames || bytes > limits.maxBytes; }
    std::size_t unsentBytes() const noexcept { return bytes; }

    /** True once a patch was dropped, until cleared: the client needs a full sync. */
    bool needsFullSync() const noexcept { return fullSyncNeeded; }
    void clearNeedsFullSync() noexcept { fullSyncNeeded = false; }

    /** Frames dropped by the policy so far (for tests and the benchmark). */
    std::uint64_t droppedCount() const noexcept { return dropped; }

private:
    struct Entry
    {
        FrameKind kind;
        SharedFrame frame;
        std::size_t offset = 0; ///< bytes already written; > 0 means started: never dropped
    };

    void dropUnstarted (FrameKind kind);

    Limits limits;
    std::deque<Entry> queue;
    std::size_t bytes = 0;
    bool fullSyncNeeded = false;
    std::uint64_t dropped = 0;
};

} // namespace imbolc::net
