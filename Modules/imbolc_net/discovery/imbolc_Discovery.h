#pragma once

namespace imbolc::net
{

/** LAN discovery of sessions (juce::NetworkServiceDiscovery: UDP broadcasts on each interface).
    Finding a session tells a seat where to connect; it lets nobody in (the server still asks for the
    passphrase).
*/
namespace discovery
{
    constexpr const char* serviceType = "imbolc-session";
    constexpr int defaultBroadcastPort = 9998;

    /** Announces a session until destroyed. Any thread. */
    class Advertiser
    {
    public:
        Advertiser (const std::string& sessionName, int sessionPort, int broadcastPort = defaultBroadcastPort);

    private:
        juce::NetworkServiceDiscovery::Advertiser advertiser;
    };

    struct FoundSession
    {
        juce::String name;
        juce::String address;
        int port = 0;
    };

    /** True if this machine has a network interface with a broadcast address, so announcements can
        go out (never on loopback). Any thread. */
    bool canAnnounce();

    /** Listens for `listenMs` and returns the sessions heard, each once. Blocks; not on the message
        thread. */
    std::vector<FoundSession> findSessions (int listenMs, int broadcastPort = defaultBroadcastPort);
} // namespace discovery

} // namespace imbolc::net
