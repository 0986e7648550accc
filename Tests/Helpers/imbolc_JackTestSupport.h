#pragma once

// A real JACK server for tests (jackd2 on the dummy backend: no sound card) and a small libjack client
// that sends and records raw MIDI with exact frame times. The server's name comes from the same small
// pool the host tests use (imbolc-test-0..4, each held with an flock for the server's life; see
// Tests/Hosts/imbolc_hosts.py for why names are pooled, not fresh).

#include <jack/jack.h>
#include <jack/midiport.h>

#include <csignal>
#include <fcntl.h>
#include <mutex>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace imbolc::test
{

/** A child process in its own process group, stopped with SIGTERM (then SIGKILL after a grace time). */
class TestChild
{
public:
    TestChild() = default;
    ~TestChild() { stop(); }

    bool start (const std::vector<std::string>& args, const std::vector<std::string>& extraEnv, const std::string& logPath)
    {
        std::vector<std::string> env;
        for (char** e = environ; *e != nullptr; ++e)
            env.push_back (*e);
        for (const auto& e : extraEnv)
            env.push_back (e);
        std::vector<char*> argv, envp;
        for (auto& a : args)
            argv.push_back (const_cast<char*> (a.c_str()));
        argv.push_back (nullptr);
        for (auto& e : env)
            envp.push_back (const_cast<char*> (e.c_str()));
        envp.push_back (nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init (&actions);
        posix_spawn_file_actions_addopen (&actions, 1, logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2 (&actions, 1, 2);
        posix_spawnattr_t attr;
        posix_spawnattr_init (&attr);
        posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup (&attr, 0);
        const auto r = posix_spawnp (&pid, argv[0], &actions, &attr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy (&actions);
        posix_spawnattr_destroy (&attr);
        if (r != 0)
            pid = -1;
        return pid > 0;
    }

    bool running()
    {
        if (pid <= 0)
            return false;
        int status = 0;
        if (waitpid (pid, &status, WNOHANG) == pid)
        {
            pid = -1;
            return false;
        }
        return true;
    }

    void stop (double graceSeconds = 20.0)
    {
        if (pid <= 0)
            return;
        ::kill (-pid, SIGTERM);
        const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double> (graceSeconds);
        int status = 0;
        while (waitpid (pid, &status, WNOHANG) == 0)
        {
            if (std::chrono::steady_clock::now() > end)
            {
                ::kill (-pid, SIGKILL);
                waitpid (pid, &status, 0);
                break;
            }
            std::this_thread::sleep_for (std::chrono::milliseconds (20));
        }
        pid = -1;
    }

private:
    pid_t pid = -1;
};

/** jackd -d dummy under a pooled name, started with up to three tries (JACK's registry is contended
    when other tests start servers at the same moment). */
class TestJackServer
{
public:
    explicit TestJackServer (int rate = 48000, int period = 256)
    {
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds (120);
        int failures = 0;
        while (std::chrono::steady_clock::now() < end && failures < 3)
        {
            if (! claimName())
            {
                std::this_thread::sleep_for (std::chrono::milliseconds (250));
                continue;
            }
            log = "/tmp/imbolc-midi-test-" + name + ".log";
            if (server.start ({ "jackd", "-t", "5000", "-n", name, "-d", "dummy", "-r", std::to_string (rate), "-p", std::to_string (period) }, {}, log) && waitUntilUp())
            {
                up = true;
                return;
            }
            server.stop();
            releaseName();
            ++failures;
            std::this_thread::sleep_for (std::chrono::milliseconds (500 * failures));
        }
    }

    ~TestJackServer()
    {
        server.stop();
        releaseName();
    }

    bool isUp() const { return up; }
    const std::string& getName() const { return name; }
    std::string env() const { return "JACK_DEFAULT_SERVER=" + name; }
    std::string readLog() const { return juce::File (log).loadFileAsString().toStdString(); }

private:
    bool claimName()
    {
        for (int slot = 0; slot < 5; ++slot)
        {
            const auto path = "/tmp/imbolc-jack-" + std::to_string (getuid()) + "-" + std::to_string (slot) + ".lock";
            const int fd = ::open (path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd < 0)
                continue;
            if (flock (fd, LOCK_EX | LOCK_NB) == 0)
            {
                lockFd = fd;
                name = "imbolc-test-" + std::to_string (slot);
                return true;
            }
            ::close (fd);
        }
        return false;
    }

    void releaseName()
    {
        if (lockFd >= 0)
            ::close (lockFd);
        lockFd = -1;
    }

    bool waitUntilUp()
    {
        for (int i = 0; i < 75; ++i)
        {
            if (! server.running())
                return false;
            jack_status_t status {};
            if (auto* c = jack_client_open ("imbolc-probe", (jack_options_t) (JackNoStartServer | JackServerName), &status, name.c_str()))
            {
                jack_client_close (c);
                return true;
            }
            std::this_thread::sleep_for (std::chrono::milliseconds (200));
        }
        return false;
    }

    TestChild server;
    std::string name, log;
    int lockFd = -1;
    bool up = false;
};

/** A libjack client of the test's own: one MIDI output it writes scheduled raw events to (by JACK frame),
    one MIDI input it records (bytes and absolute frame), and port connections. */
class TestJackClient
{
public:
    struct Recorded
    {
        std::uint32_t frame = 0;
        std::vector<juce::uint8> bytes;
    };

    explicit TestJackClient (const std::string& server, const std::string& clientName = "imbolc-test-client")
    {
        jack_status_t status {};
        client = jack_client_open (clientName.c_str(), (jack_options_t) (JackNoStartServer | JackServerName), &status, server.c_str());
        if (client == nullptr)
            return;
        out = jack_port_register (client, "out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
        in = jack_port_register (client, "in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
        recorded.reserve (1 << 16);
        jack_set_process_callback (client, &TestJackClient::processCallback, this);
        jack_activate (client);
    }

    ~TestJackClient()
    {
        if (client != nullptr)
        {
            jack_deactivate (client);
            jack_client_close (client);
        }
    }

    bool isOpen() const { return client != nullptr && in != nullptr && out != nullptr; }
    std::string outName() const { return jack_port_name (out); }
    std::string inName() const { return jack_port_name (in); }
    std::uint32_t frameTime() const { return jack_frame_time (client); }
    double sampleRate() const { return (double) jack_get_sample_rate (client); }

    bool connect (const std::string& from, const std::string& to) { return jack_connect (client, from.c_str(), to.c_str()) == 0; }
    bool disconnect (const std::string& from, const std::string& to) { return jack_disconnect (client, from.c_str(), to.c_str()) == 0; }

    /** Queues raw bytes to leave at absolute JACK frame `frame` (a frame already past: the next cycle). */
    void sendAt (std::uint32_t frame, std::vector<juce::uint8> bytes)
    {
        const std::lock_guard<std::mutex> l (lock);
        toSend.push_back ({ frame, std::move (bytes) });
    }

    /** Everything recorded so far. */
    std::vector<Recorded> takeRecorded()
    {
        const std::lock_guard<std::mutex> l (lock);
        return std::move (recorded);
    }

private:
    static int processCallback (jack_nframes_t n, void* self) { return static_cast<TestJackClient*> (self)->process (n); }

    // The test's own client: a mutex here is fine (it is not the code under test, and the test's thread
    // holds it only for a copy).
    int process (jack_nframes_t n)
    {
        const auto start = jack_last_frame_time (client);
        const std::lock_guard<std::mutex> l (lock);
        auto* inBuffer = jack_port_get_buffer (in, n);
        for (std::uint32_t i = 0, count = jack_midi_get_event_count (inBuffer); i < count; ++i)
        {
            jack_midi_event_t e;
            if (jack_midi_event_get (&e, inBuffer, i) == 0)
                recorded.push_back ({ start + e.time, std::vector<juce::uint8> (e.buffer, e.buffer + e.size) });
        }
        auto* outBuffer = jack_port_get_buffer (out, n);
        jack_midi_clear_buffer (outBuffer);
        std::uint32_t last = 0;
        for (auto it = toSend.begin(); it != toSend.end();)
        {
            const auto relative = (std::int32_t) (it->frame - start);
            if (relative >= (std::int32_t) n)
            {
                ++it;
                continue;
            }
            const auto offset = (std::uint32_t) std::max<std::int32_t> ((std::int32_t) last, relative);
            if (jack_midi_event_write (outBuffer, offset, it->bytes.data(), it->bytes.size()) != 0)
                break;
            last = offset;
            it = toSend.erase (it);
        }
        return 0;
    }

    jack_client_t* client = nullptr;
    jack_port_t *out = nullptr, *in = nullptr;
    std::mutex lock;
    std::vector<Recorded> recorded;
    std::vector<Recorded> toSend;
};

} // namespace imbolc::test
