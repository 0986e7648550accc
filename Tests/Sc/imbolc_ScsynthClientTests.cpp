#include <imbolc_TestHelpers.h>
#include <imbolc_sc/imbolc_sc.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

using namespace imbolc;

namespace
{
/** A child process that is asked to stop (SIGTERM) and waited for: JACK and scsynth clean up their
    shared memory only when they exit on their own (a SIGKILLed jackd leaves entries in JACK's
    registry behind, and enough of them stop any new jackd from starting). */
class TestProcess
{
public:
    bool start (const std::vector<std::string>& arguments, const std::vector<std::string>& extraEnvironment = {})
    {
        std::vector<char*> argv;
        for (const auto& a : arguments)
            argv.push_back (const_cast<char*> (a.c_str()));
        argv.push_back (nullptr);

        std::vector<std::string> environment (extraEnvironment);
        for (char** e = environ; *e != nullptr; ++e)
            environment.emplace_back (*e);
        std::vector<char*> envp;
        for (const auto& e : environment)
            envp.push_back (const_cast<char*> (e.c_str()));
        envp.push_back (nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init (&actions);
        posix_spawn_file_actions_addopen (&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen (&actions, 2, "/dev/null", O_WRONLY, 0);
        const auto spawned = posix_spawnp (&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy (&actions);
        return spawned == 0;
    }

    /** True if the process ended within the time. */
    bool waitForExit (int timeoutMs)
    {
        for (int i = 0; pid > 0 && i < timeoutMs / 10; ++i)
        {
            if (::waitpid (pid, nullptr, WNOHANG) == pid)
            {
                pid = -1;
                return true;
            }
            juce::Thread::sleep (10);
        }
        return pid <= 0;
    }

    void stop()
    {
        if (pid <= 0)
            return;
        ::kill (pid, SIGTERM);
        for (int i = 0; i < 300; ++i) // 3 s to exit cleanly, then no more asking
        {
            if (::waitpid (pid, nullptr, WNOHANG) == pid)
            {
                pid = -1;
                return;
            }
            juce::Thread::sleep (10);
        }
        ::kill (pid, SIGKILL);
        ::waitpid (pid, nullptr, 0);
        pid = -1;
    }

    ~TestProcess() { stop(); }

private:
    pid_t pid = -1;
};

/** A real scsynth on its own JACK server (the dummy backend: no sound card needed), on a free UDP port;
    both are stopped when the fixture goes. */
class LiveServer
{
public:
    LiveServer()
    {
        juce::DatagramSocket probe;
        REQUIRE (probe.bindToPort (0));
        port = probe.getBoundPort();
        probe.shutdown();

        const auto jackName = "imbolc-test-" + std::to_string (port);
        REQUIRE (jack.start ({ "jackd", "--no-realtime", "-n", jackName, "-d", "dummy", "-r", "48000", "-p", "256" }));
        juce::Thread::sleep (300);
        REQUIRE (scsynth.start ({ "scsynth", "-u", std::to_string (port), "-i", "0", "-o", "2", "-R", "0", "-l", "4" },
                                { "JACK_DEFAULT_SERVER=" + jackName, "JACK_NO_START_SERVER=1" }));

        // Ready when it answers: a short-timeout client retried for up to 10 s.
        for (int attempt = 0; attempt < 50 && ! ready; ++attempt)
        {
            sc::ScsynthClient probeClient ({ "127.0.0.1", port, 200 });
            ready = probeClient.connect().wasOk();
        }
        REQUIRE (ready);
    }

    ~LiveServer()
    {
        // /quit first: scsynth then closes its JACK client itself, and jackd can free everything.
        if (ready)
        {
            sc::ScsynthClient quitter ({ "127.0.0.1", port, 500 });
            quitter.send ({ "/quit", {} });
            scsynth.waitForExit (3000);
        }
        scsynth.stop();
        jack.stop();
    }

    int port = 0;

private:
    TestProcess jack, scsynth;
    bool ready = false;
};
} // namespace

TEST_CASE ("A client connects to a real scsynth and lays out its groups in its own id range", "[sc][live]")
{
    LiveServer server;
    sc::ScsynthClient first ({ "127.0.0.1", server.port, 2000 });
    const auto connected = first.connect();
    INFO (connected.getErrorMessage());
    REQUIRE (connected.wasOk());

    const auto status = first.queryStatus();
    REQUIRE (status.has_value());
    CHECK (status->nominalSampleRate == 48000.0);
    const auto groupsBefore = status->groups;

    REQUIRE (first.createGroups().wasOk());
    auto tree = first.queryTree (0);
    REQUIRE (tree.has_value());
    // The root, then (possibly other clients' nodes, and) our six groups at the tail, in layout order.
    std::vector<std::int32_t> ours;
    for (const auto& node : *tree)
        if (node.id >= first.nodeBase() && node.id < first.nodeBase() + 1000 && node.children >= 0)
            ours.push_back (node.id - first.nodeBase());
    CHECK (ours == std::vector<std::int32_t> (sc::ScsynthClient::groupLayout.begin(), sc::ScsynthClient::groupLayout.end()));
    CHECK (first.queryStatus()->groups == groupsBefore + 6);

    // A second client gets another id, so its groups never collide with the first one's.
    sc::ScsynthClient second ({ "127.0.0.1", server.port, 2000 });
    REQUIRE (second.connect().wasOk());
    CHECK (second.getClientId() != first.getClientId());
    REQUIRE (second.createGroups().wasOk());
    CHECK (first.queryStatus()->groups == groupsBefore + 12);
}

TEST_CASE ("Our own SynthDefs load on a real scsynth and a voice plays in the sources group", "[sc][live]")
{
    LiveServer server;
    sc::ScsynthClient client ({ "127.0.0.1", server.port, 2000 });
    REQUIRE (client.connect().wasOk());
    REQUIRE (client.createGroups().wasOk());

    const auto before = client.queryStatus()->definitions;
    const auto load = client.loadDefinitions (sc::synthDefFile (sc::allVoiceDefinitions()));
    INFO (load.getErrorMessage());
    REQUIRE (load.wasOk());
    CHECK (client.queryStatus()->definitions == before + (int) sc::allVoiceDefinitions().size());

    const auto sources = client.nodeBase() + 100;
    const auto voice = client.nodeBase() + 1000;
    client.send ({ "/s_new", { std::string ("imbolc_saw"), voice, (std::int32_t) 0, sources, std::string ("freq"), 220.0f } });
    REQUIRE (client.sync());
    const auto tree = client.queryTree (sources);
    REQUIRE (tree.has_value());
    REQUIRE (tree->size() == 2); // the group and its one synth
    CHECK (tree->at (0).id == sources);
    CHECK (tree->at (0).children == 1);
    CHECK (tree->at (1).id == voice);
    CHECK (tree->at (1).children == -1);
    CHECK (client.queryStatus()->synths == 1);
}

TEST_CASE ("Connecting to an absent scsynth fails with a sentence", "[sc]")
{
    juce::DatagramSocket probe;
    REQUIRE (probe.bindToPort (0));
    const auto port = probe.getBoundPort();
    probe.shutdown();

    sc::ScsynthClient client ({ "127.0.0.1", port, 300 });
    const auto result = client.connect();
    REQUIRE (result.failed());
    CHECK (result.getErrorMessage().contains ("No scsynth answered"));
}

TEST_CASE ("A voice is one timetagged bundle: it starts after the latency and ends after its release", "[sc][live]")
{
    LiveServer server;
    sc::ScsynthClient client ({ "127.0.0.1", server.port, 2000 });
    REQUIRE (client.connect().wasOk());
    REQUIRE (client.createGroups().wasOk());
    REQUIRE (client.loadDefinitions (sc::synthDefFile (sc::allVoiceDefinitions())).wasOk());

    // A latency long enough to see on a shared machine: the voice starts no sooner than it says.
    const double latency = 0.25;
    const auto sentAt = juce::Time::getMillisecondCounterHiRes();
    const auto voice = client.startVoice ("imbolc_sine", client.nodeBase() + 100, { { "freq", 330.0f }, { "release", 0.05f } }, latency);
    REQUIRE (client.waitForNode (voice, false, 3000));
    const auto startedAfter = (juce::Time::getMillisecondCounterHiRes() - sentAt) / 1000.0;
    INFO ("started after " << startedAfter << " s, latency " << latency << " s");
    CHECK (startedAfter >= latency * 0.9);
    CHECK (client.liveVoices() == 1);

    client.releaseVoice (voice, 0.0);
    REQUIRE (client.waitForNode (voice, true, 3000));
    REQUIRE (test::eventually ([&]
                               { return client.liveVoices() == 0; },
                               1000));
    CHECK (client.queryStatus()->synths == 0); // the voice freed itself: back in the pool

    // Latency defaults: one block plus 5 ms, never under 10 ms.
    CHECK (sc::ScsynthClient::defaultLatencySeconds (48000.0, 64) == Approx (0.010));
    CHECK (sc::ScsynthClient::defaultLatencySeconds (48000.0, 1024) == Approx (1024.0 / 48000.0 + 0.005));
}

TEST_CASE ("Voice bundles carry a timetag at least the latency ahead", "[sc]")
{
    // The timetag scsynth will read: decode the bundle's 8 bytes after "#bundle".
    const auto before = sc::ScsynthClient::ntpNow();
    const auto bundle = sc::osc::encodeBundle (before + 0.2, { { "/s_new", { std::string ("imbolc_saw"), (std::int32_t) 1000 } } });
    REQUIRE (bundle.size() > 16);
    const auto word = [&] (std::size_t at)
    { return ((std::uint32_t) bundle[at] << 24) | ((std::uint32_t) bundle[at + 1] << 16) | ((std::uint32_t) bundle[at + 2] << 8) | bundle[at + 3]; };
    const double timetag = (double) word (8) + (double) word (12) / 4294967296.0;
    CHECK (timetag >= before + 0.2 - 1.0e-6);
    CHECK (timetag < before + 0.2 + 1.0e-3);
}
