// The network panel against the real application core on loopback: a SessionHost that starts hosting
// through the panel's onHost, a RemoteSession that joins through onJoin, the seats as the host and the
// seat see them, and LAN discovery with the net module's own advertiser.

#include "imbolc_GuiTestSupport.h"
#include "imbolc_TestHelpers.h"

#include <future>

using namespace imbolc;

namespace
{
/** A TCP port nobody listens on now (the kernel's pick, released at once). */
int freePort()
{
    juce::StreamingSocket probe;
    REQUIRE (probe.createListener (0, "127.0.0.1"));
    const auto port = probe.getBoundPort();
    probe.close();
    return port;
}

template <typename T = juce::Component>
T& child (juce::Component& root, const juce::String& id)
{
    auto* c = test::findComponent<T> (root, id);
    INFO (id.toStdString());
    REQUIRE (c != nullptr);
    return *c;
}

/** Clicks an editor (which selects its text) and types over it. */
void typeInto (test::UiDriver& ui, juce::Component& root, const juce::String& id, const juce::String& text)
{
    auto& editor = child<juce::TextEditor> (root, id);
    ui.click (editor);
    ui.pressKey (juce::KeyPress ('a', juce::ModifierKeys::commandModifier, 0));
    if (text.isEmpty())
        ui.pressKey (juce::KeyPress (juce::KeyPress::backspaceKey));
    else
        ui.type (text);
    REQUIRE (editor.getText() == text);
}

bool lineContains (const juce::StringArray& lines, const juce::String& fragment)
{
    for (const auto& l : lines)
        if (l.contains (fragment))
            return true;
    return false;
}

/** What the app shows for a seat's connection (the panel shows whatever the app says). */
juce::String describe (net::SessionClient::State s)
{
    switch (s)
    {
        case net::SessionClient::State::idle:
            return "Not connected";
        case net::SessionClient::State::connecting:
            return "Connecting...";
        case net::SessionClient::State::connected:
            return "Connected";
        case net::SessionClient::State::reconnecting:
            return "Reconnecting...";
        case net::SessionClient::State::failed:
            return "The connection failed";
        case net::SessionClient::State::closed:
            return "The session is over";
    }
    return {};
}
} // namespace

TEST_CASE ("Host hands the typed options to onHost and shows the app core's refusal or where it listens", "[gui][network]")
{
    test::GuiFixture f;
    gui::LookAndFeel lookAndFeel;
    gui::NetworkPanel panel (f.context);
    panel.setLookAndFeel (&lookAndFeel);
    test::UiDriver ui (panel, 960, 420);
    std::vector<net::ServerOptions> calls;
    panel.onHost = [&] (net::ServerOptions o)
    {
        calls.push_back (o);
        return f.host.startHosting (o);
    };
    auto& result = child<juce::Label> (panel, "HostResult");
    CHECK (child<juce::TextEditor> (panel, "HostAddress").getText() == "127.0.0.1");
    CHECK (child<juce::TextEditor> (panel, "HostPort").getText() == "9999");
    CHECK (panel.getThisSeatText() == "Not in a network session.");
    CHECK_FALSE (child (panel, "SeatList").isVisible());

    // Beyond loopback without a passphrase: the app core refuses, and its sentence is shown.
    const auto port = freePort();
    typeInto (ui, panel, "HostAddress", "0.0.0.0");
    typeInto (ui, panel, "HostPort", juce::String (port));
    ui.click (child (panel, "HostButton"));
    REQUIRE (calls.size() == 1);
    CHECK (calls[0].address == "0.0.0.0");
    CHECK (calls[0].port == port);
    CHECK (calls[0].passphrase.empty());
    CHECK (f.host.getServer() == nullptr);
    CHECK (result.getText().containsIgnoreCase ("passphrase"));
    CHECK (result.findColour (juce::Label::textColourId) == gui::LookAndFeel::Palette::warning);

    // Port 0 or out of range: one sentence, and the app is not asked.
    typeInto (ui, panel, "HostPort", "0");
    ui.click (child (panel, "HostButton"));
    CHECK (calls.size() == 1);
    CHECK (result.getText() == "The port must be a whole number from 1 to 65535.");

    // Loopback: hosting starts on the typed port with the typed passphrase.
    typeInto (ui, panel, "HostAddress", "127.0.0.1");
    typeInto (ui, panel, "HostPort", juce::String (port));
    typeInto (ui, panel, "HostPassphrase", "open sesame");
    ui.click (child (panel, "HostButton"));
    REQUIRE (calls.size() == 2);
    CHECK (calls[1].address == "127.0.0.1");
    CHECK (calls[1].passphrase == "open sesame");
    REQUIRE (f.host.getServer() != nullptr);
    CHECK (f.host.getServer()->getPort() == port);
    CHECK (result.getText() == "Listening on 127.0.0.1:" + juce::String (port) + " (this computer only).");
    CHECK (panel.getThisSeatText() == "This seat: the host");
    CHECK (panel.getSeatLines() == juce::StringArray { "Host (this seat): edits everything nobody owns" });
    CHECK (child (panel, "SeatList").isVisible());
    CHECK_FALSE (child (panel, "RequestPrivilege").isVisible()); // the host has no privilege to ask for
    CHECK (f.takeActionNames().empty());
    f.host.stopHosting();
}

TEST_CASE ("Join checks the address, the port and the seat name before calling onJoin, in one sentence", "[gui][network]")
{
    test::GuiFixture f;
    gui::LookAndFeel lookAndFeel;
    gui::NetworkPanel panel (f.context);
    panel.setLookAndFeel (&lookAndFeel);
    test::UiDriver ui (panel, 960, 420);
    int calls = 0;
    panel.onJoin = [&] (net::ClientOptions)
    {
        ++calls;
        return juce::Result::fail ("not reached");
    };
    auto& result = child<juce::Label> (panel, "JoinResult");
    typeInto (ui, panel, "JoinName", "Ana");

    const auto badPort = juce::String ("The port must be a whole number from 1 to 65535.");
    for (const auto* address : { "127.0.0.1:70000", "127.0.0.1:0", "127.0.0.1:abc", "127.0.0.1:" })
    {
        typeInto (ui, panel, "JoinAddress", address);
        ui.click (child (panel, "JoinButton"));
        CHECK (result.getText() == badPort);
    }
    for (const auto* address : { "192.168.1.20", ":9999", "" })
    {
        typeInto (ui, panel, "JoinAddress", address);
        ui.click (child (panel, "JoinButton"));
        CHECK (result.getText() == "Type the session's address and port as address:port (for example 192.168.1.20:9999), or pick a session found on the network.");
    }
    typeInto (ui, panel, "JoinAddress", "127.0.0.1:9999");
    typeInto (ui, panel, "JoinName", "   ");
    ui.click (child (panel, "JoinButton"));
    CHECK (result.getText() == "Type a seat name: the other seats see you by it.");
    CHECK (result.findColour (juce::Label::textColourId) == gui::LookAndFeel::Palette::warning);
    CHECK (calls == 0);

    // Good input reaches the app, and its sentence is shown.
    typeInto (ui, panel, "JoinName", "Ana");
    ui.click (child (panel, "JoinButton"));
    CHECK (calls == 1);
    CHECK (result.getText() == "not reached");
}

TEST_CASE ("A seat joins through the panel, the seats part lists it, the instrument it owns and the privilege", "[gui][network]")
{
    test::GuiFixture f; // the host
    gui::LookAndFeel lookAndFeel;
    gui::NetworkPanel hostPanel (f.context);
    hostPanel.setLookAndFeel (&lookAndFeel);
    hostPanel.setPartsShown (true, false, true);
    test::UiDriver hostUi (hostPanel, 700, 420);
    hostPanel.onHost = [&] (net::ServerOptions o) { return f.host.startHosting (o); };
    hostPanel.seatName = [&] (std::uint32_t id)
    {
        for (const auto& s : f.host.getServer()->getSeats())
            if (s.id == id)
                return juce::String (s.name);
        return juce::String();
    };
    const auto port = freePort();
    typeInto (hostUi, hostPanel, "HostPort", juce::String (port));
    hostUi.click (child (hostPanel, "HostButton"));
    REQUIRE (f.host.getServer() != nullptr);

    // Another person's window before joining: a session of their own, with the join part.
    test::GuiFixture lobby;
    gui::NetworkPanel joinPanel (lobby.context);
    joinPanel.setPartsShown (false, true, false);
    test::UiDriver joinUi (joinPanel, 400, 420);
    std::unique_ptr<app::RemoteSession> remote;
    std::optional<net::ClientOptions> joined;
    joinPanel.onJoin = [&] (net::ClientOptions o)
    {
        joined = o;
        remote = std::make_unique<app::RemoteSession> (o);
        // The host's loop keeps running while the seat connects (both live in this test's thread).
        auto pending = std::async (std::launch::async, [&] { return remote->connect (5000); });
        while (pending.wait_for (std::chrono::milliseconds (0)) != std::future_status::ready)
            f.host.tick (5);
        return pending.get();
    };
    typeInto (joinUi, joinPanel, "JoinAddress", "127.0.0.1:" + juce::String (port));
    typeInto (joinUi, joinPanel, "JoinName", "Ana");
    joinUi.click (child (joinPanel, "JoinButton"));
    REQUIRE (joined.has_value());
    CHECK (joined->host == "127.0.0.1");
    CHECK (joined->port == port);
    CHECK (joined->name == "Ana");
    REQUIRE (remote != nullptr);
    REQUIRE (remote->getState() == net::SessionClient::State::connected);
    CHECK (joinPanel.getJoinResult() == "Joined 127.0.0.1:" + juce::String (port) + " as Ana.");

    // The joined seat's own window: its panel shows its seat, the privilege button and the connection.
    const auto seatId = remote->getSeatId();
    REQUIRE (seatId != 0);
    auto seatContext = std::make_unique<gui::GuiContext> (*remote);
    seatContext->setRecordingActions (true);
    auto seatPanel = std::make_unique<gui::NetworkPanel> (*seatContext);
    seatPanel->setLookAndFeel (&lookAndFeel);
    seatPanel->setPartsShown (false, false, true);
    seatPanel->onRequestPrivilege = [&] { remote->requestPrivilege(); };
    seatPanel->connectionState = [&] { return describe (remote->getState()); };
    test::UiDriver seatUi (*seatPanel, 400, 420);
    const auto seatLabel = "Seat " + juce::String (seatId);
    CHECK (seatPanel->getThisSeatText() == "This seat: " + seatLabel);
    CHECK (seatPanel->getSeatLines().contains (seatLabel + ", this seat: owns nothing"));
    auto& request = child<juce::TextButton> (*seatPanel, "RequestPrivilege");
    CHECK (request.isVisible());
    CHECK (request.isEnabled());
    seatContext->meters.updateNow(); // one frame of the meter clock
    CHECK (seatPanel->getConnectionText() == "Connection: Connected");

    // The seat adds an instrument, which it then owns: both panels say so.
    const auto loopUntil = [&] (const std::function<bool()>& condition)
    {
        return test::eventually ([&]
                                 {
                                     f.host.tick (2);
                                     remote->tick (2);
                                     return condition(); },
                                 5000);
    };
    model::Source saw;
    saw.builtIn = model::BuiltInSource::saw;
    REQUIRE (seatContext->perform (model::action::AddInstrument { "Ana's bass", saw }).ok());
    CHECK (std::string (model::actionName (seatContext->takeRecordedActions().at (0))) == "AddInstrument");
    REQUIRE (loopUntil ([&] { return lineContains (seatPanel->getSeatLines(), "owns Ana's bass"); }));
    CHECK (seatPanel->getSeatLines().contains (seatLabel + ", this seat: owns Ana's bass"));
    const auto owners = f.host.getOwnership().owners;
    REQUIRE (owners.size() == 1);
    CHECK (owners[0].client == seatId);
    CHECK (f.host.getSession().instruments.find (owners[0].instrument)->name == "Ana's bass");
    REQUIRE (loopUntil ([&] { return hostPanel.getSeatLines().size() == 2; }));
    CHECK (hostPanel.getSeatLines()[0] == "Host (this seat): edits everything nobody owns");
    CHECK (hostPanel.getSeatLines()[1] == seatLabel + " (Ana): owns Ana's bass");

    // Request privilege: the host grants it, and both panels show who holds it.
    seatUi.click (request);
    REQUIRE (loopUntil ([&] { return f.host.getOwnership().privilegedClient == seatId && lineContains (seatPanel->getSeatLines(), "holds the privilege"); }));
    CHECK (seatPanel->getSeatLines().contains (seatLabel + ", this seat: owns Ana's bass; holds the privilege"));
    CHECK (request.getButtonText() == "You hold the privilege");
    CHECK_FALSE (request.isEnabled());
    REQUIRE (loopUntil ([&] { return lineContains (hostPanel.getSeatLines(), "holds the privilege"); }));
    CHECK (hostPanel.getSeatLines()[1] == seatLabel + " (Ana): owns Ana's bass; holds the privilege");
    CHECK (lobby.takeActionNames().empty());

    hostUi.click (child (hostPanel, "HostPassphrase")); // leaves the text fields unfocused in the shot
    test::saveScreenshot (hostPanel, "network-panel-host");
    test::saveScreenshot (*seatPanel, "network-panel-seat");

    // The host goes away: the seat's connection line follows on the next meter frame.
    f.host.stopHosting();
    REQUIRE (test::eventually ([&]
                               {
                                   remote->tick (2);
                                   return remote->getState() != net::SessionClient::State::connected; },
                               5000));
    seatContext->meters.updateNow();
    CHECK (seatPanel->getConnectionText() == "Connection: " + describe (remote->getState()));
    CHECK (seatPanel->getConnectionText() != "Connection: Connected");

    seatPanel.reset();
    seatContext.reset();
    remote.reset();
}

TEST_CASE ("The join part lists the sessions LAN discovery hears while it is showing, and a click fills the address", "[gui][network]")
{
    if (! net::discovery::canAnnounce())
    {
        // The advertiser announces only on broadcast-capable interfaces (never on loopback).
        WARN ("No network interface with a broadcast address here: LAN discovery cannot be exercised.");
        FAIL_CHECK ("LAN discovery needs a broadcast-capable interface.");
        return;
    }

    test::GuiFixture f;
    gui::LookAndFeel lookAndFeel;
    gui::NetworkPanel panel (f.context);
    panel.setLookAndFeel (&lookAndFeel);
    // Not the default port: other test runs on this machine may be announcing sessions of their own.
    const auto discoveryPort = 20000 + juce::Random::getSystemRandom().nextInt (20000);
    panel.setDiscoveryPort (discoveryPort);
    test::UiDriver ui (panel, 960, 420);
    CHECK (panel.getFoundSessions().empty());

    // What SessionHost::startHosting announces beyond loopback: the session's name and port.
    net::discovery::Advertiser advertiser ("Rehearsal", 45678, discoveryPort);
    REQUIRE (test::eventually ([&]
                               {
                                   test::pumpMessages (20);
                                   return ! panel.getFoundSessions().empty(); },
                               5000));
    REQUIRE (panel.getFoundSessions().size() == 1);
    const auto session = panel.getFoundSessions()[0];
    CHECK (session.name == "Rehearsal");
    CHECK (session.port == 45678);
    CHECK (session.address.isNotEmpty());

    auto& list = child<juce::ListBox> (panel, "FoundSessions");
    CHECK (list.getModel()->getNumRows() == 1);
    ui.click (list, list.getRowPosition (0, true).getCentre());
    CHECK (child<juce::TextEditor> (panel, "JoinAddress").getText() == session.address + ":45678");
    test::saveScreenshot (panel, "network-panel-discovery");
    CHECK (f.takeActionNames().empty());
}
