#include "imbolc_ScTestHelpers.h"

using namespace imbolc;

TEST_CASE ("A client connects to a real scsynth and lays out its groups in its own id range", "[sc][live]")
{
    test::LiveServer server;
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
        if (node.id != 0 && node.id >= first.nodeBase() && node.id < first.nodeBase() + 1000 && node.children >= 0) // not the root (client 0 shares its range)
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
    test::LiveServer server;
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
    client.send ({ "/s_new", { std::string ("imbolc_saw"), voice, (std::int32_t) 0, sources, std::string ("note"), 57.0f } });
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
    test::LiveServer server;
    sc::ScsynthClient client ({ "127.0.0.1", server.port, 2000 });
    REQUIRE (client.connect().wasOk());
    REQUIRE (client.createGroups().wasOk());
    REQUIRE (client.loadDefinitions (sc::synthDefFile (sc::allVoiceDefinitions())).wasOk());

    // A latency long enough to see on a shared machine: the voice starts no sooner than it says.
    const double latency = 0.25;
    const auto sentAt = juce::Time::getMillisecondCounterHiRes();
    const auto voice = client.startVoice ("imbolc_sine", client.nodeBase() + 100, { { "note", 64.0f }, { "ampRelease", 0.05f } }, latency);
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

TEST_CASE ("Replies from the server are checked before they are read", "[sc]")
{
    using sc::OscMessage;
    const OscMessage good { "/status.reply", { (std::int32_t) 1, (std::int32_t) 120, (std::int32_t) 9, (std::int32_t) 14, (std::int32_t) 21, 3.5f, 7.25f, 48000.0, 47999.98 } };
    const auto status = sc::ScsynthClient::parseStatusReply (good);
    REQUIRE (status.has_value());
    CHECK (status->ugens == 120);
    CHECK (status->synths == 9);
    CHECK (status->peakCpu == 7.25f);
    CHECK (status->actualSampleRate == 47999.98);

    // Found by the OSC fuzzer: a count far beyond int's range (converting it was undefined behaviour).
    auto huge = good;
    huge.arguments[2] = 1.0e30f;
    CHECK_FALSE (sc::ScsynthClient::parseStatusReply (huge).has_value());
    auto negative = good;
    negative.arguments[1] = (std::int32_t) -4;
    CHECK_FALSE (sc::ScsynthClient::parseStatusReply (negative).has_value());
    auto notANumber = good;
    notANumber.arguments[5] = std::numeric_limits<float>::quiet_NaN();
    CHECK_FALSE (sc::ScsynthClient::parseStatusReply (notANumber).has_value());
    auto shortReply = good;
    shortReply.arguments.resize (5);
    CHECK_FALSE (sc::ScsynthClient::parseStatusReply (shortReply).has_value());

    const OscMessage tree { "/g_queryTree.reply", { (std::int32_t) 0, (std::int32_t) 100, (std::int32_t) 1, (std::int32_t) 1000, (std::int32_t) -1, std::string ("imbolc_saw") } };
    const auto nodes = sc::ScsynthClient::parseTreeReply (tree);
    REQUIRE (nodes.has_value());
    REQUIRE (nodes->size() == 2);
    CHECK (nodes->at (1).id == 1000);
    auto badTree = tree;
    badTree.arguments[4] = (std::int32_t) -7;
    CHECK_FALSE (sc::ScsynthClient::parseTreeReply (badTree).has_value());
    auto wrongKind = tree;
    wrongKind.arguments[1] = std::string ("100");
    CHECK_FALSE (sc::ScsynthClient::parseTreeReply (wrongKind).has_value());
}
