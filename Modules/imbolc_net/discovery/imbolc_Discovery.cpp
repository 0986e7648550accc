namespace imbolc::net::discovery
{

Advertiser::Advertiser (const std::string& sessionName, int sessionPort, int broadcastPort)
    : advertiser (serviceType, juce::String (sessionName), broadcastPort, sessionPort, juce::RelativeTime::seconds (1.0))
{
}

std::vector<FoundSession> findSessions (int listenMs, int broadcastPort)
{
    juce::NetworkServiceDiscovery::AvailableServiceList list (serviceType, broadcastPort);
    juce::Thread::sleep (listenMs);

    std::vector<FoundSession> found;
    for (const auto& service : list.getServices())
        found.push_back ({ service.description, service.address.toString(), service.port });
    std::sort (found.begin(), found.end(), [] (const auto& a, const auto& b)
               { return std::tie (a.address, a.port) < std::tie (b.address, b.port); });
    return found;
}

bool canAnnounce()
{
    for (const auto& a : juce::IPAddress::getAllAddresses())
        if (! a.isNull() && juce::IPAddress::getInterfaceBroadcastAddress (a) != juce::IPAddress())
            return true;
    return false;
}

} // namespace imbolc::net::discovery
