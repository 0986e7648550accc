namespace imbolc::engine
{

ScopeBuffer::ScopeBuffer (int capacityToUse)
    : capacity (std::max (1, capacityToUse))
    , left ((std::size_t) capacity)
    , right ((std::size_t) capacity)
{
}

void ScopeBuffer::reset() noexcept
{
    std::fill (left.begin(), left.end(), 0.0f);
    std::fill (right.begin(), right.end(), 0.0f);
    writeIndex = 0;
    position = 0;
}

void ScopeBuffer::push (const float* newLeft, const float* newRight, int n) noexcept
{
    if (n <= 0)
        return;

    position += (std::uint64_t) n;
    // Of a run longer than the ring only the tail survives; skip the rest instead of overwriting it in turn.
    const int skip = std::max (0, n - capacity);
    newLeft += skip;
    newRight += skip;
    n -= skip;

    const int first = std::min (n, capacity - writeIndex);
    std::copy (newLeft, newLeft + first, left.begin() + writeIndex);
    std::copy (newRight, newRight + first, right.begin() + writeIndex);
    std::copy (newLeft + first, newLeft + n, left.begin());
    std::copy (newRight + first, newRight + n, right.begin());
    writeIndex = (writeIndex + n) % capacity;
}

void ScopeBuffer::copyLatest (float* outLeft, float* outRight, int count) const noexcept
{
    count = std::clamp (count, 0, capacity);
    const int start = (writeIndex - count + capacity) % capacity;
    const int first = std::min (count, capacity - start);
    std::copy (left.begin() + start, left.begin() + start + first, outLeft);
    std::copy (right.begin() + start, right.begin() + start + first, outRight);
    std::copy (left.begin(), left.begin() + (count - first), outLeft + first);
    std::copy (right.begin(), right.begin() + (count - first), outRight + first);
}

} // namespace imbolc::engine
