// imbolc bench net: the session network's costs beside the baselines the original Imbolc measured or
// predicted, all from this run: the same message as JSON text, the same note edit as a whole-track
// patch, one serialization per seat per broadcast, and the same fan-out without a stalled seat.

#include "imbolc_BenchSupport.h"

#include <flatbuffers/idl.h>
#include <imbolc_SchemaText.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace imbolc::cli::bench
{
namespace
{
    namespace msg = protocol::msg;

    std::int64_t nowNanos()
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds> (Clock::now().time_since_epoch()).count();
    }

    /** The message schema's JSON parser, built once: the JSON baseline is timed without parsing the
        schema (a JSON peer would not redo that per message either), so only the text work is charged
        to it. The JSON view's options (every field, enums by name) but compact, as a JSON wire protocol
        would send it: the view's indentation would flatter our size ratio. */
    std::unique_ptr<flatbuffers::Parser> makeCompactMessageParser()
    {
        flatbuffers::IDLOptions options;
        options.strict_json = true;
        options.indent_step = -1;
        options.output_default_scalars_in_json = true;
        options.output_enum_identifiers = true;
        auto parser = std::make_unique<flatbuffers::Parser> (options);
        if (! parser->Parse (protocol::detail::schemaText) || ! parser->SetRootType ("Message"))
            return {};
        parser->file_identifier_ = protocol::wireIdentifier;
        return parser;
    }

    //==============================================================================
    int runFullSync (const model::Session& session)
    {
        header ("bench net: FullStateSync of the large session (original's prediction: 3-5x smaller, 10-50x faster)", "JSON text");

        const protocol::Ownership ownership;
        protocol::Bytes frame;
        const auto encodeNs = medianNanos (11, [&]
                                           { frame = protocol::encodeFullSyncFrame (1, session, ownership); });
        // The payload in its own (malloc-aligned) buffer: FlatBuffers' text generator reads it in place.
        const protocol::Bytes payload (frame.begin() + 4, frame.end());

        std::string error;
        const auto viewJson = protocol::messageToJson (payload.data(), payload.size(), error);
        auto parser = makeCompactMessageParser();
        if (viewJson.empty() || parser == nullptr)
        {
            std::cerr << "The full sync has no JSON form: " << (error.empty() ? "the embedded schema does not parse" : error) << "\n";
            return 1;
        }

        std::string json;
        const auto jsonEncodeNs = medianNanos (5, [&]
                                               {
            json.clear();
            flatbuffers::GenerateText (*parser, payload.data(), &json); });

        // Both sides must give back the very session they started from, or the comparison is void.
        bool decodedEqual = true;
        const auto decodeNs = medianNanos (11, [&]
                                           {
            const auto decoded = protocol::decodeMessage (payload.data(), payload.size());
            decodedEqual = decodedEqual && decoded.ok() && std::get<msg::FullStateSync> (*decoded.message).session == session; });
        const auto jsonDecodeNs = medianNanos (5, [&]
                                               {
            // Text to a buffer against the schema, then to the model like the binary path.
            const auto parsed = parser->ParseJson (json.c_str());
            const auto decoded = protocol::decodeMessage (parser->builder_.GetBufferPointer(), parser->builder_.GetSize());
            decodedEqual = decodedEqual && parsed && decoded.ok() && std::get<msg::FullStateSync> (*decoded.message).session == session; });
        if (! decodedEqual)
        {
            std::cerr << "A decoded full sync differs from the session it was encoded from.\n";
            return 1;
        }

        row ("size (compact JSON)", bytes ((double) frame.size()), bytes ((double) json.size()), (double) json.size() / (double) frame.size());
        row ("size (indented JSON view: messageToJson)", bytes ((double) frame.size()), bytes ((double) viewJson.size()), (double) viewJson.size() / (double) frame.size());
        row ("encode", human (encodeNs), human (jsonEncodeNs), jsonEncodeNs / encodeNs);
        row ("decode + verify (to the model Session)", human (decodeNs), human (jsonDecodeNs), jsonDecodeNs / decodeNs);
        std::cout << "  Binary: encodeFullSyncFrame from the session; decodeMessage (FlatBuffers verifier, range checks,\n"
                     "  model Session). JSON: FlatBuffers' text generator on the already encoded buffer (cheaper than\n"
                     "  walking the session, so the baseline is flattered); parse against the schema + decodeMessage.\n";
        return 0;
    }

    //==============================================================================
    int runNoteEdit (const model::Session& large)
    {
        header ("bench net: one note edit in the large session", "whole track");

        auto session = large;
        model::UndoHistory history;
        model::Dispatcher dispatcher (session, history);
        const auto instrument = session.instruments[5].id;
        const auto note = session.pianoRoll.find (instrument)->notes[3];
        const auto result = dispatcher.apply (model::action::MoveNote { instrument, note.id, note.tick + 240, (std::uint8_t) (note.pitch + 1) });
        if (! result.ok() || result.changes.net.noteOps.size() != 1 || ! result.changes.net.tracks.empty())
        {
            std::cerr << "The note edit did not give one note operation: " << result.error << "\n";
            return 1;
        }

        model::NetDirty wholeTrack;
        wholeTrack.tracks = { instrument };
        const auto asOperation = protocol::encodePatchFrame (session, result.changes.net, 1);
        const auto asTrack = protocol::encodePatchFrame (session, wholeTrack, 1);
        const auto notes = session.pianoRoll.find (instrument)->notes.size();
        row ("patch frame for a MoveNote (" + std::to_string (notes) + "-note track)", bytes ((double) asOperation.size()), bytes ((double) asTrack.size()), (double) asTrack.size() / (double) asOperation.size());
        return 0;
    }

    //==============================================================================
    /** A server on a loopback port with its main loop on its own thread, as the host's message thread
        would run it. The session is reached only by that thread until stop(). */
    class LoopbackServer
    {
    public:
        explicit LoopbackServer (model::Session initial)
            : session (std::move (initial))
        {
            net::ServerOptions options;
            options.port = 0;
            server = std::make_unique<net::SessionServer> (session, options);
        }

        ~LoopbackServer() { stop(); }

        juce::Result start()
        {
            auto result = server->start();
            if (result.wasOk())
                loop = std::thread ([this]
                                    {
                    while (! quit.load())
                        server->poll (5); });
            return result;
        }

        /** Ends the main loop; afterwards this thread may read the server. */
        void stop()
        {
            quit = true;
            if (loop.joinable())
                loop.join();
        }

        int port() const { return server->getPort(); }
        net::SessionServer& get() { return *server; }

    private:
        model::Session session;
        std::unique_ptr<net::SessionServer> server;
        std::thread loop;
        std::atomic<bool> quit { false };
    };

    /** A seat that completes the handshake by hand and then never reads again: its socket buffer fills
        with the full sync and the patches after it, and the server must not let it hold anyone up. */
    class StalledSeat
    {
    public:
        std::string join (int port)
        {
            if (! socket.connect ("127.0.0.1", port, 2000))
                return "The stalled seat could not connect.";
            if (! receiveA<msg::Challenge>())
                return "The stalled seat got no Challenge.";
            msg::Hello hello;
            hello.name = "Stalled";
            hello.clientNonce = net::security::randomBytes (protocol::nonceBytes);
            const auto frame = protocol::encodeFrame (hello);
            if (socket.write (frame.data(), (int) frame.size()) != (int) frame.size())
                return "The stalled seat could not send its Hello.";
            if (! receiveA<msg::Welcome>())
                return "The stalled seat was not welcomed.";
            return {};
        }

    private:
        template <typename T>
        bool receiveA()
        {
            const auto deadline = juce::Time::getMillisecondCounter() + 5000;
            protocol::Bytes payload;
            while (juce::Time::getMillisecondCounter() < deadline)
            {
                while (frames.next (payload))
                    if (const auto decoded = protocol::decodeMessage (payload.data(), payload.size()); decoded.ok() && std::holds_alternative<T> (*decoded.message))
                        return true;
                std::uint8_t buffer[4096];
                if (socket.waitUntilReady (true, 100) <= 0)
                    continue;
                const auto n = socket.read (buffer, sizeof (buffer), false);
                if (n <= 0)
                    return false;
                frames.feed (buffer, (std::size_t) n);
            }
            return false;
        }

        juce::StreamingSocket socket;
        protocol::FrameReader frames;
    };

    struct FanOut
    {
        static constexpr int fastSeats = 32;
        static constexpr int editsPerSecond = 100;

        std::vector<double> latenciesMs; ///< every fast seat's every edit, send to visible in its mirror
        std::size_t unseen = 0; ///< edits some fast seat never saw (0 when the run is sound)
        int seats = 0;
        std::string error;
    };

    /** Edit i sets the strip level to (i + 1) / 1024: exact in a float, distinct, in range, and never
        the reference session's own level, so a mirror's level names the newest edit it has. */
    float editValue (int i) { return (float) (i + 1) / 1024.0f; }
    int editIndex (float level)
    {
        const auto scaled = (double) level * 1024.0;
        return scaled == std::floor (scaled) ? (int) scaled - 1 : -1;
    }

    /** 32 fast seats (and a stalled one, if asked) join the server at `port`; an editing seat owning
        `target` sets its level 100 times a second for `seconds`; every fast seat stamps when each edit
        (or a newer one, when patches coalesced them) is in its mirror. */
    FanOut fanOut (int port, model::InstrumentId target, bool withStalledSeat, int seconds)
    {
        FanOut out;
        const auto edits = FanOut::editsPerSecond * seconds;
        const auto sentAt = std::make_unique<std::atomic<std::int64_t>[]> ((std::size_t) edits);

        struct Watcher
        {
            std::vector<double> latenciesMs;
            std::atomic<int> nextEdit { 0 };
        };
        std::vector<std::unique_ptr<Watcher>> watchers;
        std::vector<std::unique_ptr<net::SessionClient>> seats;

        for (int i = 0; i < FanOut::fastSeats; ++i)
        {
            net::ClientOptions options;
            options.port = port;
            options.name = "Fast " + std::to_string (i + 1);
            auto& watcher = *watchers.emplace_back (std::make_unique<Watcher>());
            watcher.latenciesMs.reserve ((std::size_t) edits);
            auto& seat = *seats.emplace_back (std::make_unique<net::SessionClient> (options));
            seat.onStateChanged = [&watcher, &seat, &sentAt, target] (std::uint64_t)
            {
                const auto now = nowNanos();
                int newest = -1;
                seat.withSession ([&] (const model::Session& s)
                                  {
                    if (const auto* instrument = s.instruments.find (target))
                        newest = editIndex (instrument->strip.level); });
                for (auto e = watcher.nextEdit.load(); e <= newest; ++e)
                    watcher.latenciesMs.push_back ((double) (now - sentAt[(std::size_t) e].load()) / 1e6);
                if (newest >= watcher.nextEdit.load())
                    watcher.nextEdit = newest + 1;
            };
            if (const auto connected = seat.connect (10000); connected.failed())
            {
                out.error = "A fast seat could not join: " + connected.getErrorMessage().toStdString();
                return out;
            }
        }

        net::ClientOptions editorOptions;
        editorOptions.port = port;
        editorOptions.name = "Editor";
        editorOptions.requestedInstruments = { target };
        net::SessionClient editor (editorOptions);
        if (const auto connected = editor.connect (10000); connected.failed())
        {
            out.error = "The editing seat could not join: " + connected.getErrorMessage().toStdString();
            return out;
        }
        const auto owners = editor.getOwnership().owners;
        if (std::find (owners.begin(), owners.end(), protocol::Ownership::Owner { target, editor.getClientId() }) == owners.end())
        {
            out.error = "The editing seat was not granted its instrument.";
            return out;
        }

        // Joined last, so its socket is still filling while the edits run.
        StalledSeat stalled;
        if (withStalledSeat)
            if (out.error = stalled.join (port); ! out.error.empty())
                return out;
        out.seats = FanOut::fastSeats + 1 + (withStalledSeat ? 1 : 0);

        const auto level = model::ParamAddress::instrument (target, model::ParamGroup::strip, (std::uint16_t) model::StripParam::level);
        const auto start = Clock::now();
        for (int i = 0; i < edits; ++i)
        {
            std::this_thread::sleep_until (start + std::chrono::microseconds (1'000'000 / FanOut::editsPerSecond) * i);
            sentAt[(std::size_t) i] = nowNanos();
            if (editor.send (model::action::SetParam { level, editValue (i) }) == 0)
            {
                out.error = "The editing seat lost its connection.";
                return out;
            }
        }

        const auto deadline = Clock::now() + std::chrono::seconds (5);
        const auto allSeen = [&]
        { return std::all_of (watchers.begin(), watchers.end(), [&] (const auto& w)
                              { return w->nextEdit.load() >= edits; }); };
        while (! allSeen() && Clock::now() < deadline)
            std::this_thread::sleep_for (std::chrono::milliseconds (5));

        seats.clear(); // joins every network thread: the watchers are this thread's again
        for (const auto& w : watchers)
        {
            out.unseen += (std::size_t) (edits - w->nextEdit.load());
            out.latenciesMs.insert (out.latenciesMs.end(), w->latenciesMs.begin(), w->latenciesMs.end());
        }
        std::sort (out.latenciesMs.begin(), out.latenciesMs.end());
        return out;
    }

    double percentile (const std::vector<double>& sorted, double p)
    {
        if (sorted.empty())
            return 0.0;
        return sorted[std::min (sorted.size() - 1, (std::size_t) (p * (double) sorted.size()))];
    }

    std::string millis (double ms) { return fixed (ms, 1) + " ms"; }

    //==============================================================================
    /** `imbolc serve` in a child process, so that its memory is the host's alone (not the seats'). */
    class ServeProcess
    {
    public:
        ServeProcess (const juce::File& sessionFile, const juce::File& logFile)
            : log (logFile)
        {
            const auto exe = juce::File::getSpecialLocation (juce::File::currentExecutableFile).getFullPathName().toStdString();
            std::vector<std::string> args { exe, "serve", sessionFile.getFullPathName().toStdString(), "--listen", "127.0.0.1:0" };
            std::vector<char*> argv;
            for (auto& a : args)
                argv.push_back (a.data());
            argv.push_back (nullptr);

            posix_spawn_file_actions_t actions;
            posix_spawn_file_actions_init (&actions);
            const auto logPath = logFile.getFullPathName().toStdString();
            posix_spawn_file_actions_addopen (&actions, STDOUT_FILENO, logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            posix_spawn_file_actions_adddup2 (&actions, STDOUT_FILENO, STDERR_FILENO);
            if (posix_spawn (&pid, exe.c_str(), &actions, nullptr, argv.data(), environ) != 0)
                pid = -1;
            posix_spawn_file_actions_destroy (&actions);
        }

        ~ServeProcess() { stop(); }

        /** The port once the engine runs (its memory is then the idle host's), or 0 on failure. */
        int waitUntilRunning (int timeoutMs)
        {
            const auto deadline = juce::Time::getMillisecondCounter() + (juce::uint32) timeoutMs;
            while (pid > 0 && juce::Time::getMillisecondCounter() < deadline)
            {
                const auto text = log.loadFileAsString();
                const auto serving = text.fromFirstOccurrenceOf ("Serving ", false, false).upToFirstOccurrenceOf ("\n", false, false);
                if (text.contains ("Engine running") && serving.isNotEmpty())
                    return serving.fromLastOccurrenceOf (":", false, false).getIntValue();
                if (int status = 0; waitpid (pid, &status, WNOHANG) == pid)
                {
                    pid = -1;
                    break;
                }
                juce::Thread::sleep (20);
            }
            return 0;
        }

        /** A field of /proc/PID/status in bytes (VmRSS, VmHWM), or 0. */
        double memory (const char* field) const
        {
            const auto status = juce::File ("/proc/" + juce::String (pid) + "/status").loadFileAsString();
            const auto line = status.fromFirstOccurrenceOf (juce::String (field) + ":", false, false).upToFirstOccurrenceOf ("\n", false, false);
            return line.trim().getDoubleValue() * 1024.0; // "123456 kB"
        }

        /** Ends the session as Ctrl-C would; returns the exit status (-1 if it had to be killed). */
        int stop()
        {
            if (pid <= 0)
                return -1;
            kill (pid, SIGINT);
            int status = 0;
            for (int waited = 0; waited < 10000; waited += 20)
            {
                if (waitpid (pid, &status, WNOHANG) == pid)
                {
                    pid = -1;
                    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
                }
                juce::Thread::sleep (20);
            }
            kill (pid, SIGKILL);
            waitpid (pid, &status, 0);
            pid = -1;
            return -1;
        }

    private:
        juce::File log;
        pid_t pid = -1;
    };

    //==============================================================================
    int runFanOut (const model::Session& large)
    {
        const auto target = large.instruments[0].id;
        constexpr int seconds = 10;

        auto run = [&] (bool withStalledSeat, net::SessionServer::Stats& stats) -> FanOut
        {
            LoopbackServer server (large);
            if (const auto started = server.start(); started.failed())
                return { {}, 0, 0, started.getErrorMessage().toStdString() };
            auto result = fanOut (server.port(), target, withStalledSeat, seconds);
            server.stop();
            stats = server.get().getStats();
            return result;
        };

        std::cout << "\nbench net: fan-out on loopback (large session, 32 fast seats, 100 edits/s for " << seconds << " s)...\n"
                  << std::flush;
        net::SessionServer::Stats stalledStats, plainStats;
        const auto stalled = run (true, stalledStats);
        const auto plain = run (false, plainStats);
        for (const auto* r : { &stalled, &plain })
            if (! r->error.empty())
            {
                std::cerr << r->error << "\n";
                return 1;
            }

        header ("bench net: edit latency at 32 seats (send -> applied in the mirror)", "no stalled");
        row ("p50, with a stalled seat", millis (percentile (stalled.latenciesMs, 0.50)), millis (percentile (plain.latenciesMs, 0.50)), percentile (plain.latenciesMs, 0.50) / std::max (1e-3, percentile (stalled.latenciesMs, 0.50)));
        row ("p99, with a stalled seat", millis (percentile (stalled.latenciesMs, 0.99)), millis (percentile (plain.latenciesMs, 0.99)), percentile (plain.latenciesMs, 0.99) / std::max (1e-3, percentile (stalled.latenciesMs, 0.99)));
        row ("max", millis (stalled.latenciesMs.empty() ? 0.0 : stalled.latenciesMs.back()), millis (plain.latenciesMs.empty() ? 0.0 : plain.latenciesMs.back()), std::nullopt);
        row ("edits never seen by a fast seat", std::to_string (stalled.unseen), std::to_string (plain.unseen), std::nullopt);
        row ("seats suspended", std::to_string (stalledStats.suspensions), std::to_string (plainStats.suspensions), std::nullopt);

        header ("bench net: serialization (with the stalled seat)", "per seat");
        const auto perBroadcast = (double) stalledStats.patchSerializations / (double) std::max<std::uint64_t> (1, stalledStats.patchesBroadcast);
        const auto receivers = FanOut::fastSeats + 1; // the fast seats and the editor; the stalled seat only until suspended
        row ("serializations per patch broadcast", fixed (perBroadcast, 2), std::to_string (receivers), (double) receivers / perBroadcast);
        row ("patches broadcast for " + std::to_string (FanOut::editsPerSecond * seconds) + " edits", std::to_string (stalledStats.patchesBroadcast), "-", std::nullopt);
        row ("bytes written by the server", bytes ((double) stalledStats.bytesWritten), bytes ((double) plainStats.bytesWritten), std::nullopt);
        std::cout << "  Latency baseline: the same run without the stalled seat. Serialization baseline: one encoding\n"
                     "  per receiving seat per broadcast (the original before serialize-once).\n";
        return 0;
    }

    int runServerMemory (const model::Session& large)
    {
        const auto folder = juce::File::getSpecialLocation (juce::File::tempDirectory).getChildFile ("imbolc-bench-net-" + juce::String (juce::Random().nextInt64()));
        folder.createDirectory();
        const auto file = folder.getChildFile ("large.imbolc");
        if (const auto saved = protocol::saveProject (large, file); saved.failed())
        {
            std::cerr << saved.getErrorMessage() << "\n";
            folder.deleteRecursively();
            return 1;
        }

        constexpr int seconds = 3;
        int status = 0;
        {
            ServeProcess serve (file, folder.getChildFile ("serve.log"));
            const auto port = serve.waitUntilRunning (30000);
            if (port <= 0)
            {
                std::cerr << "imbolc serve did not start: " << folder.getChildFile ("serve.log").loadFileAsString() << "\n";
                status = 1;
            }
            else
            {
                juce::Thread::sleep (300);
                const auto idle = serve.memory ("VmRSS");
                const auto result = fanOut (port, large.instruments[0].id, true, seconds);
                const auto loaded = serve.memory ("VmRSS");
                const auto peak = serve.memory ("VmHWM");
                const auto exitStatus = serve.stop();
                if (! result.error.empty() || exitStatus != 0)
                {
                    std::cerr << (result.error.empty() ? "imbolc serve did not end cleanly on SIGINT." : result.error) << "\n";
                    status = 1;
                }
                else
                {
                    header ("bench net: memory of `imbolc serve` (engine + server, its own process)", "-");
                    row ("RSS, large session loaded, no seats", bytes (idle), "-", std::nullopt);
                    row ("RSS with " + std::to_string (result.seats) + " seats after " + std::to_string (seconds) + " s of edits", bytes (loaded), "-", std::nullopt);
                    row ("peak RSS (VmHWM)", bytes (peak), "-", std::nullopt);
                    row ("growth per seat", bytes ((loaded - idle) / result.seats), "-", std::nullopt);
                }
            }
        }
        folder.deleteRecursively();
        return status;
    }
} // namespace

int benchNet()
{
    std::cout << "Building the large reference session..." << std::flush;
    const auto large = model::makeReferenceSession (model::ReferenceSize::large);
    std::cout << " done.\n";

    int status = runFullSync (large);
    status |= runNoteEdit (large);
    status |= runFanOut (large);
    status |= runServerMemory (large);
    std::cout << "\n  Ratios are baseline / imbolc: above 1 means Imbolc is faster or smaller.\n";
    return status;
}

} // namespace imbolc::cli::bench
