namespace imbolc::net
{

Outbox::Outbox()
    : Outbox (Limits {})
{
}

Outbox::Outbox (Limits l)
    : limits (l)
{
}

bool Outbox::push (FrameKind kind, SharedFrame frame)
{
    // An empty frame has no bytes to write: queued, it would sit at the head with an empty pending()
    // while hasData() says there is something to send.
    jassert (frame != nullptr && ! frame->empty());
    if (frame == nullptr || frame->empty())
        return queue.size() <= limits.maxFrames && bytes <= limits.maxBytes;

    switch (kind)
    {
        case FrameKind::control:
            break;
        case FrameKind::metering:
            dropUnstarted (FrameKind::metering);
            break;
        case FrameKind::fullSync:
            // The full sync carries the whole state: the patches and older syncs before it are redundant.
            dropUnstarted (FrameKind::patch);
            dropUnstarted (FrameKind::fullSync);
            break;
        case FrameKind::patch:
        {
            // Two unsent patches mean the client is falling behind: keep only the newest, and because
            // the dropped delta is lost the client can now only catch up with a full sync.
            const auto before = dropped;
            dropUnstarted (FrameKind::patch);
            if (dropped != before)
                fullSyncNeeded = true;
            break;
        }
    }

    bytes += frame->size();
    queue.push_back ({ kind, std::move (frame), 0 });
    return queue.size() <= limits.maxFrames && bytes <= limits.maxBytes;
}

std::span<const std::uint8_t> Outbox::pending() const noexcept
{
    if (queue.empty())
        return {};
    const auto& head = queue.front();
    return std::span<const std::uint8_t> (*head.frame).subspan (head.offset);
}

void Outbox::consumed (std::size_t count) noexcept
{
    // A writev of several frames can finish one frame and start the next in one call.
    jassert (count <= bytes);
    while (count > 0 && ! queue.empty())
    {
        auto& head = queue.front();
        const auto step = std::min (count, head.frame->size() - head.offset);
        head.offset += step;
        bytes -= step;
        count -= step;
        if (head.offset == head.frame->size())
            queue.pop_front();
    }
}

void Outbox::dropUnstarted (FrameKind kind)
{
    // A started frame is never dropped: the peer has already read its first bytes, and cutting it
    // short would desynchronise the framing of everything after it.
    const auto isDroppable = [kind] (const Entry& e)
    { return e.kind == kind && e.offset == 0; };

    for (const auto& e : queue)
        if (isDroppable (e))
        {
            bytes -= e.frame->size();
            ++dropped;
        }
    queue.erase (std::remove_if (queue.begin(), queue.end(), isDroppable), queue.end());
}

} // namespace imbolc::net
