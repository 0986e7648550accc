#pragma once

namespace imbolc::app
{

/** This process's place in a network session, as the desktop app and the plugin both keep it: its own
    session (a SessionHost, which other seats may join while it hosts) and, while it has joined a session
    hosted elsewhere, that RemoteSession. Views show shown(); the own session stays, silent, while a
    joined one is shown, and comes back when the seat leaves.

    Message thread: everything.
*/
class SessionSeat
{
public:
    explicit SessionSeat (SessionHost& own)
        : host (own) {}

    SessionHost& getHost() noexcept { return host; }
    const SessionHost& getHost() const noexcept { return host; }
    RemoteSession* getRemote() const noexcept { return remote.get(); }
    bool isJoined() const noexcept { return remote != nullptr; }

    /** The session the views show: the joined one, or the own one. */
    SessionAccess& shown() noexcept;

    /** Lets other seats join the own session (SessionHost::startHosting). On success `sentence` says
        where it listens. */
    juce::Result startHosting (net::ServerOptions, juce::String& sentence);

    /** Joins a session: connects, waits at most `timeoutMs` for its first full sync. One sentence on
        failure, and nothing changes. */
    juce::Result join (net::ClientOptions, int timeoutMs = 5000);

    /** Leaves a joined session (the own one is shown again) or stops hosting the own one; the sentence
        says which happened. */
    juce::String leave();

    /** "not in a network session", "hosting, 2 seats", "connected", "reconnecting...", "lost: why". */
    juce::String connectionState() const;

    /** A seat's name as the server knows it ("host" for seat 0). */
    juce::String seatName (std::uint32_t seat) const;

private:
    SessionHost& host;
    std::unique_ptr<RemoteSession> remote;

    JUCE_DECLARE_NON_COPYABLE (SessionSeat)
};

} // namespace imbolc::app
