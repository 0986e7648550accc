#pragma once

#include <imbolc_TestHelpers.h>
#include <imbolc_net/imbolc_net.h>

#include <future>
#include <random>

namespace imbolc::test
{

/** Bytes from hex digits ("00ff..."), for test vectors. */
inline protocol::Bytes fromHex (std::string_view hex)
{
    REQUIRE (hex.size() % 2 == 0);
    protocol::Bytes out;
    for (std::size_t i = 0; i < hex.size(); i += 2)
        out.push_back (static_cast<std::uint8_t> (std::stoi (std::string (hex.substr (i, 2)), nullptr, 16)));
    return out;
}

/** Lower-case hex digits of bytes, for messages that show a vector. */
inline std::string toHex (const protocol::Bytes& bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve (bytes.size() * 2);
    for (const auto b : bytes)
    {
        out.push_back (digits[b >> 4]);
        out.push_back (digits[b & 0x0f]);
    }
    return out;
}

/** Short timers so the tests run in seconds: the behaviour is the product's, only the clock is faster. */
inline net::ServerOptions fastServerOptions()
{
    net::ServerOptions o;
    o.port = 0;
    o.pingIntervalMs = 200;
    o.silenceTimeoutMs = 1500;
    o.reservationMs = 3000;
    o.privilegeHoldMs = 300;
    o.writer.stallTimeoutMs = 500;
    return o;
}

inline net::ClientOptions clientOptions (int port, std::string name)
{
    net::ClientOptions o;
    o.port = port;
    o.name = std::move (name);
    o.backoffInitialMs = 50;
    o.backoffMaxMs = 400;
    o.reconnectForMs = 5000;
    o.silenceTimeoutMs = 3000;
    return o;
}

/** A real server on a loopback port, its main loop on its own thread (which therefore owns the session:
    the test reaches the session only through onServer()). */
class ServerFixture
{
public:
    explicit ServerFixture (model::Session initial, net::ServerOptions options = fastServerOptions())
        : session (std::move (initial))
        , server (session, std::move (options))
    {
        server.onLog = [this] (const juce::String& line)
        {
            const std::lock_guard lock (logMutex);
            logLines.push_back (line);
        };
        const auto result = server.start();
        INFO (result.getErrorMessage());
        REQUIRE (result.wasOk());
        loop = std::thread ([this]
                            {
            while (! quit.load())
            {
                server.poll (5);
                std::deque<std::function<void()>> batch;
                {
                    const std::lock_guard lock (taskMutex);
                    batch.swap (tasks);
                }
                for (auto& task : batch)
                    task();
            } });
    }

    ~ServerFixture()
    {
        quit = true;
        loop.join();
    }

    int port() const { return server.getPort(); }

    /** Runs fn on the server's main loop thread and returns its result. */
    template <typename Fn>
    auto onServer (Fn&& fn) -> decltype (fn())
    {
        using R = decltype (fn());
        auto task = std::make_shared<std::packaged_task<R()>> (std::forward<Fn> (fn));
        auto result = task->get_future();
        {
            const std::lock_guard lock (taskMutex);
            tasks.push_back ([task]
                             { (*task)(); });
        }
        return result.get();
    }

    std::uint64_t hash()
    {
        return onServer ([this]
                         { return protocol::sessionHash (session); });
    }

    protocol::Seq seq()
    {
        return onServer ([this]
                         { return server.getSeq(); });
    }

    model::ApplyResult apply (const model::Action& a)
    {
        return onServer ([this, a]
                         { return server.applyLocal (a); });
    }

    std::vector<juce::String> log()
    {
        const std::lock_guard lock (logMutex);
        return logLines;
    }

    model::Session session;
    net::SessionServer server;

private:
    std::thread loop;
    std::atomic<bool> quit { false };
    std::mutex taskMutex, logMutex;
    std::deque<std::function<void()>> tasks;
    std::vector<juce::String> logLines;
};

/** A raw TCP peer that speaks frames by hand: for forged, malformed and stalled clients. */
class RawPeer
{
public:
    explicit RawPeer (int port)
    {
        REQUIRE (socket.connect ("127.0.0.1", port, 2000));
    }

    void sendBytes (const protocol::Bytes& bytes) { REQUIRE (socket.write (bytes.data(), (int) bytes.size()) == (int) bytes.size()); }
    void send (const protocol::Message& m) { sendBytes (protocol::encodeFrame (m)); }

    /** The next message, or nullopt if the connection closed or nothing came within the timeout. */
    std::optional<protocol::Message> receive (int timeoutMs = 3000)
    {
        const auto deadline = juce::Time::getMillisecondCounter() + (juce::uint32) timeoutMs;
        protocol::Bytes payload;
        while (true)
        {
            if (frames.next (payload))
            {
                auto decoded = protocol::decodeMessage (payload.data(), payload.size());
                return decoded.message;
            }
            const auto now = juce::Time::getMillisecondCounter();
            if (now >= deadline)
                return std::nullopt;
            const auto ready = socket.waitUntilReady (true, (int) (deadline - now));
            if (ready <= 0)
                return std::nullopt;
            std::uint8_t buffer[65536];
            const auto n = socket.read (buffer, sizeof (buffer), false);
            if (n <= 0)
            {
                closed = true;
                return std::nullopt;
            }
            frames.feed (buffer, (std::size_t) n);
        }
    }

    /** Reads until a message of type T arrives (skipping others); nullopt on close or timeout. */
    template <typename T>
    std::optional<T> receiveA (int timeoutMs = 3000)
    {
        const auto deadline = juce::Time::getMillisecondCounter() + (juce::uint32) timeoutMs;
        while (juce::Time::getMillisecondCounter() < deadline)
        {
            auto m = receive ((int) (deadline - juce::Time::getMillisecondCounter()));
            if (! m.has_value())
                return std::nullopt;
            if (auto* t = std::get_if<T> (&*m))
                return *t;
        }
        return std::nullopt;
    }

    /** True once the server has closed the connection (reads until EOF or timeout). */
    bool waitForClose (int timeoutMs = 3000)
    {
        const auto deadline = juce::Time::getMillisecondCounter() + (juce::uint32) timeoutMs;
        while (! closed && juce::Time::getMillisecondCounter() < deadline)
            receive ((int) (deadline - juce::Time::getMillisecondCounter()));
        return closed;
    }

    /** Completes a new-seat handshake by hand; returns the Welcome. */
    protocol::msg::Welcome join (const std::string& name, std::vector<model::InstrumentId> instruments = {})
    {
        auto challenge = receiveA<protocol::msg::Challenge>();
        REQUIRE (challenge.has_value());
        serverNonce = challenge->serverNonce;
        protocol::msg::Hello hello;
        hello.name = name;
        hello.requestedInstruments = std::move (instruments);
        hello.clientNonce = net::security::randomBytes (protocol::nonceBytes);
        clientNonce = hello.clientNonce;
        send (hello);
        auto welcome = receiveA<protocol::msg::Welcome>();
        REQUIRE (welcome.has_value());
        return *welcome;
    }

    juce::StreamingSocket socket;
    protocol::FrameReader frames;
    protocol::Bytes serverNonce, clientNonce;
    bool closed = false;
};

/** A note-on in a session's first instrument's track, for tests that need a cheap valid edit. */
inline model::action::AddNote someNote (model::InstrumentId instrument, model::Tick tick, std::uint8_t pitch = 60)
{
    model::Note n;
    n.tick = tick;
    n.duration = 120;
    n.pitch = pitch;
    return { instrument, n };
}

} // namespace imbolc::test
