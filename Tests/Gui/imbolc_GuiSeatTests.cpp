// A GUI seat and a headless seat in one session: the window over a RemoteSession edits through its
// views, the host applies, and the real `imbolc join` process (a separate program on a real loopback
// socket) ends on the same session hash as the host and the GUI seat; an edit the host refuses is shown
// in the GUI seat's status line with the server's reason.

#include "imbolc_GuiTestSupport.h"

#include <future>
#include <mutex>
#include <iomanip>
#include <sstream>
#include <thread>

using namespace imbolc;

namespace
{
std::string hex (std::uint64_t v)
{
    std::ostringstream s;
    s << "0x" << std::hex << std::setw (16) << std::setfill ('0') << v;
    return s.str();
}

/** Ticks the host and the seat (the app's timer does this) until `done` or the time is up. */
template <typename Condition>
bool tickUntil (app::SessionHost& host, app::RemoteSession& seat, Condition done, int ms = 5000)
{
    const auto end = juce::Time::getMillisecondCounter() + (juce::uint32) ms;
    while (juce::Time::getMillisecondCounter() < end)
    {
        host.tick (0);
        seat.tick (2);
        test::pumpMessages (1);
        if (done())
            return true;
    }
    return false;
}
} // namespace

TEST_CASE ("A GUI seat and a headless imbolc join converge on the host's session, and a refused edit is shown", "[gui][net]")
{
    app::SessionHost host;
    host.setSession (model::makeReferenceSession (model::ReferenceSize::small));
    net::ServerOptions serverOptions;
    serverOptions.port = 0;
    REQUIRE (host.startHosting (serverOptions).wasOk());
    const auto port = host.getServer()->getPort();

    const auto owned = host.getSession().instruments.begin()->id;
    const auto other = std::next (host.getSession().instruments.begin())->id;

    // The GUI seat asks for the first instrument.
    net::ClientOptions seatOptions;
    seatOptions.port = port;
    seatOptions.name = "gui";
    seatOptions.requestedInstruments = { owned };
    app::RemoteSession seat (seatOptions);
    juce::Result joined = juce::Result::fail ("not tried");
    auto joining = std::async (std::launch::async, [&] { joined = seat.connect (10000); });
    while (joining.wait_for (std::chrono::milliseconds (2)) != std::future_status::ready)
        host.tick (0);
    REQUIRE (joined.wasOk());

    // The headless seat: the real command-line program, printing each state change with its hash.
    juce::ChildProcess cli;
    REQUIRE (cli.start (juce::StringArray { IMBOLC_CLI_PATH, "join", "127.0.0.1:" + juce::String (port), "--name", "cli", "--for", "20" },
                        juce::ChildProcess::wantStdOut));
    // Byte by byte: juce::ChildProcess::readProcessOutput waits until its whole buffer is full.
    std::mutex outputMutex;
    juce::String cliOutput;
    std::thread reader ([&] {
        char c = 0;
        while (cli.readProcessOutput (&c, 1) == 1)
        {
            const std::lock_guard lock (outputMutex);
            cliOutput += juce::String::charToString ((juce::juce_wchar) (unsigned char) c);
        }
    });
    const auto cliPrinted = [&] (const std::string& text)
    {
        const std::lock_guard lock (outputMutex);
        return cliOutput.contains (juce::String (text));
    };
    REQUIRE (tickUntil (host, seat, [&] { return host.getServer()->getOwnership().toWire().owners.size() >= 1 && seat.getOwnership().owners.size() >= 1; }));

    gui::GuiContext context (seat);
    juce::ApplicationCommandManager commands;
    gui::MainComponent main (context, commands);
    test::UiDriver ui (main);
    context.selection.selectInstrument (owned);
    test::pumpMessages (20);

    // An edit through the chain view's first knob of the seat's own instrument.
    juce::Slider* knob = nullptr;
    for (auto* s : test::findAll<juce::Slider> (main.getChainView()))
        if (s->isShowing() && s->isEnabled())
        {
            knob = s;
            break;
        }
    REQUIRE (knob != nullptr);
    const auto before = host.getSession();
    const auto b = knob->getLocalBounds();
    ui.drag (*knob, b.getCentre(), b.getCentre() + juce::Point<int> (0, -30), 6);
    REQUIRE (tickUntil (host, seat, [&] { return host.getSession() != before && protocol::sessionHash (seat.getSession()) == protocol::sessionHash (host.getSession()); }));
    CHECK (host.getSession().instruments.find (owned) != nullptr);
    CHECK (*host.getSession().instruments.find (owned) != *before.instruments.find (owned));
    CHECK (*host.getSession().instruments.find (other) == *before.instruments.find (other));

    // The headless seat printed the same hash after the edit.
    const auto expected = hex (protocol::sessionHash (host.getSession()));
    CHECK (tickUntil (host, seat, [&] { return cliPrinted (expected); }, 5000));

    // An edit of an instrument the seat does not own: the host refuses, and the window says why.
    REQUIRE (context.perform (model::action::SetMute { model::NodeKind::instrument, other.value, true }).ok()); // sent
    REQUIRE (tickUntil (host, seat, [&] { return main.getLastMessage().isNotEmpty(); }));
    INFO (main.getLastMessage());
    CHECK (main.getLastMessage().containsIgnoreCase ("instrument"));
    CHECK_FALSE (host.getSession().instruments.find (other)->strip.mute);

    // The host goes away: the seat's window says so, and its session stays on screen.
    const auto lastSeen = seat.getSession();
    host.stopHosting();
    const auto end = juce::Time::getMillisecondCounter() + 5000;
    while (juce::Time::getMillisecondCounter() < end && ! main.getLastMessage().containsIgnoreCase ("host"))
    {
        seat.tick (5);
        test::pumpMessages (1);
    }
    INFO (main.getLastMessage());
    CHECK ((main.getLastMessage().contains ("The host ended the session") || main.getLastMessage().contains ("connection to the host")));
    CHECK (seat.getSession() == lastSeen);

    cli.kill();
    reader.join();
    seat.disconnect();
}
