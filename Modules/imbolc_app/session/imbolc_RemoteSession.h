#pragma once

namespace imbolc::app
{

/** What a patch changed, as a view needs to know it (the seat-side twin of the dispatcher's dirty set).
    Any thread. */
SessionChange changeOfPatch (const protocol::StatePatch&);

/** A session joined over the network, behind the same interface as a hosted one (SessionAccess).

    The SessionClient keeps the mirror on its network thread; this keeps a snapshot for the message
    thread, refreshed in tick() when a patch or full sync arrived, and tells listeners which items the
    patches touched. Edits are sent to the host, which applies them or refuses them (onWarning).

    Message thread: everything. The client's own thread only queues for tick().
*/
class RemoteSession final : public SessionAccess
{
public:
    explicit RemoteSession (net::ClientOptions);

    /** Leaves the session (Goodbye). */
    ~RemoteSession() override;

    /** Connects and completes the handshake and the first full sync, waiting at most `timeoutMs`; then
        the snapshot shows the session. One sentence on failure. Message thread.

        From then on tick() tells onWarning when the link to the host is lost, comes back or ends. */
    juce::Result connect (int timeoutMs = 5000);

    /** Leaves the session: the host frees this seat's instruments for others. Message thread. */
    void disconnect();

    net::SessionClient::State getState() const noexcept { return client.getState(); }

    //==============================================================================
    const model::Session& getSession() const override { return snapshot; }
    model::ApplyResult apply (const model::Action&) override;
    void tick (int waitMs = 0) override;
    protocol::msg::Metering getMetering() const override;
    protocol::Ownership getOwnership() const override { return ownership; }
    std::uint32_t getSeatId() const override { return client.getClientId(); }
    UndoState getUndoState() const override { return { true, true, {}, {} }; }

    /** Asks the host for the session privilege (tempo, transport, buses, master...). The answer arrives
        as an ownership change, or a warning if denied. Message thread. */
    void requestPrivilege() { client.requestPrivilege(); }

    net::SessionClient& getClient() noexcept { return client; }

private:
    void received (const protocol::Message&);
    void refresh();
    void reportConnection();

    net::SessionClient client;
    model::Session snapshot;
    protocol::Ownership ownership;

    std::mutex pendingMutex; ///< guards what the network thread hands to tick()
    SessionChange pending;
    bool changed = false;
    std::vector<juce::String> pendingWarnings;
    net::SessionClient::State lastState = net::SessionClient::State::idle;
    bool leaving = false; ///< this seat left: the closed connection is no news

    JUCE_DECLARE_NON_COPYABLE (RemoteSession)
};

} // namespace imbolc::app
