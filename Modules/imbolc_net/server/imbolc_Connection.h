#pragma once

namespace imbolc::net
{

/** One TCP connection: the socket, shared by the thread that reads it and the writer thread that owns
    its write half. Closing is a shutdown(2) of both halves, which wakes a reader blocked in recv();
    the descriptor itself is closed only when the last owner lets go, so no thread ever uses a closed
    (or reused) descriptor.
*/
class Connection
{
public:
    Connection (std::uint32_t id, std::unique_ptr<juce::StreamingSocket> socket);
    ~Connection();

    std::uint32_t getId() const noexcept { return id; }
    int getHandle() const noexcept { return handle; }

    /** Who is on the other end, for messages ("127.0.0.1:53412"). */
    juce::String describe() const;

    /** Ends both directions now. Any thread; idempotent. */
    void shutdown() noexcept;
    bool isShutdown() const noexcept { return closed.load(); }

    /** Blocks until bytes arrive (at most `timeoutMs`); returns the count, 0 on timeout, -1 when the
        peer closed or the connection failed. The reading thread only. */
    int read (std::uint8_t* buffer, std::size_t size, int timeoutMs);

    /** Writes what the socket takes now without waiting; returns the count (0 if it would block) or -1
        on failure. The writing thread only. */
    long writeSome (const std::uint8_t* data, std::size_t size) noexcept;

private:
    const std::uint32_t id;
    std::unique_ptr<juce::StreamingSocket> socket;
    const int handle;
    std::atomic<bool> closed { false };
};

using ConnectionPtr = std::shared_ptr<Connection>;

/** Writes a whole frame with a deadline: the client's path (one small frame at a time) and the
    server's handshake refusals. Returns false if the deadline passes or the connection fails. */
bool writeAll (Connection&, const protocol::Bytes& frame, int timeoutMs);

} // namespace imbolc::net
