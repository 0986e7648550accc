namespace imbolc::protocol
{

FrameReader::FrameReader (std::size_t maxBytes)
    : maxFrameBytes (std::min<std::size_t> (maxBytes, std::numeric_limits<std::uint32_t>::max()))
{
}

void FrameReader::feed (const std::uint8_t* data, std::size_t size)
{
    if (! failure.empty() || data == nullptr || size == 0)
        return;

    // Bytes already returned are dropped before new ones are appended, so the buffer holds at most
    // the unread frames: it never grows with the length of the connection.
    if (readPosition > 0)
    {
        buffer.erase (buffer.begin(), buffer.begin() + (std::ptrdiff_t) readPosition);
        readPosition = 0;
    }
    buffer.insert (buffer.end(), data, data + size);

    // A bad length is an error as soon as its four bytes are here, not once its payload has arrived.
    checkNextLength();
}

bool FrameReader::next (Bytes& payload)
{
    if (! checkNextLength())
        return false;

    const auto available = buffer.size() - readPosition;
    if (available < frameLengthBytes)
        return false;
    const auto length = (std::size_t) readFrameLength (buffer.data() + readPosition);
    if (available - frameLengthBytes < length)
        return false;

    const auto* start = buffer.data() + readPosition + frameLengthBytes;
    payload.assign (start, start + length);
    readPosition += frameLengthBytes + length;
    if (readPosition == buffer.size())
    {
        buffer.clear();
        readPosition = 0;
    }
    checkNextLength();
    return true;
}

bool FrameReader::checkNextLength()
{
    if (! failure.empty())
        return false;
    if (buffer.size() - readPosition < frameLengthBytes)
        return true;

    const auto length = readFrameLength (buffer.data() + readPosition);
    if (length == 0)
        failure = "The peer sent a frame of length zero, which the protocol does not allow; the connection is broken.";
    else if (length > maxFrameBytes)
        failure = "The peer announced a frame of " + std::to_string (length) + " bytes, more than the limit of "
                  + std::to_string (maxFrameBytes) + "; the connection is broken.";
    else
        return true;

    // Nothing after a broken frame can be trusted: the memory is released at once.
    Bytes().swap (buffer);
    readPosition = 0;
    return false;
}

} // namespace imbolc::protocol
