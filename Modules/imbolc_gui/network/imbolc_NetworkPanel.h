#pragma once

namespace imbolc::gui
{

/** Hosting and joining a network session, and the seats of the session: the content of the dialogs the
    Network menu opens.

    - Host: address (127.0.0.1), port (9999) and passphrase; Host checks the port and hands the options
      to onHost, the app's SessionHost::startHosting, and shows its sentence (a passphrase is required
      beyond loopback: the app core says so) or where the session listens.
    - Join: the sessions LAN discovery hears (net::discovery's service on `discoveryPort`, listened to
      only while the panel is showing), or an address:port typed in; seat name; passphrase. Join checks
      the input (port 1..65535, a name) and says in one sentence what is wrong before onJoin is called.
    - Seats: who owns which instrument and who holds the privilege (context.session.getOwnership()),
      this seat's id, Request privilege for a joined seat, and the connection state, which is polled from
      the meter clock (connectionState).

    The panel never starts or joins anything itself: the app sets the callbacks.

    Message thread.
*/
class NetworkPanel final : public SessionView,
                           private MeterHub::Listener
{
public:
    explicit NetworkPanel (GuiContext&);
    ~NetworkPanel() override;

    /** Starts hosting with the typed options; returns ok or one sentence. Set by the app. */
    std::function<juce::Result (net::ServerOptions)> onHost;

    /** Joins with the typed options; returns ok or one sentence. Set by the app. */
    std::function<juce::Result (net::ClientOptions)> onJoin;

    /** Asks the host for the privilege (RemoteSession::requestPrivilege). Set by the app. */
    std::function<void()> onRequestPrivilege;

    /** "Connected", "Reconnecting..." and the like, shown after "Connection: "; polled each meter frame
        and repainted only when it changes. Unset: no connection line. Set by the app. */
    std::function<juce::String()> connectionState;

    /** A seat's name, where the app knows it (the host's server does); unset or empty: "Seat N". */
    std::function<juce::String (std::uint32_t seatId)> seatName;

    /** Which parts show (each dialog of the Network menu shows what it is about); all by default. */
    void setPartsShown (bool host, bool join, bool seats);

    /** The UDP port discovery listens on (the port sessions are announced on); restarts listening. */
    void setDiscoveryPort (int port);

    /** What the parts show, as text, for the app's dialogs and for tests. */
    juce::String getHostResult() const { return hostResult.getText(); }
    juce::String getJoinResult() const { return joinResult.getText(); }
    const std::vector<net::discovery::FoundSession>& getFoundSessions() const noexcept { return found; }
    const juce::StringArray& getSeatLines() const noexcept { return seatLines; }
    juce::String getThisSeatText() const { return thisSeat.getText(); }
    juce::String getConnectionText() const { return connection.getText(); }

    /** Reads the seats again (the panel also does on every ownership change). */
    void refreshSeats();

    //==============================================================================
    void sessionChanged (const app::SessionChange&) override;
    void paint (juce::Graphics&) override;
    void resized() override;
    void visibilityChanged() override { updateDiscovery(); }
    void parentHierarchyChanged() override { updateDiscovery(); }

private:
    /** A list of text lines; clicking one calls onPick. */
    class LinesModel final : public juce::ListBoxModel
    {
    public:
        juce::StringArray lines;
        std::function<void (int)> onPick;
        int getNumRows() override { return lines.size(); }
        void paintListBoxItem (int row, juce::Graphics&, int width, int height, bool selected) override;
        void selectedRowsChanged (int lastRowSelected) override;
    };

    void metersUpdated (const MeterFrame&) override;
    void hostClicked();
    void joinClicked();
    void updateDiscovery();
    void discoveryChanged();
    void layoutHost (juce::Rectangle<int>);
    void layoutJoin (juce::Rectangle<int>);
    void layoutSeats (juce::Rectangle<int>);
    static void setResult (juce::Label&, const juce::String& text, bool isError);

    bool hostShown = true, joinShown = true, seatsShown = true;

    juce::Label hostHeading { {}, "Host this session" };
    juce::Label hostAddressLabel { {}, "Address" }, hostPortLabel { {}, "Port" }, hostPassphraseLabel { {}, "Passphrase" };
    juce::TextEditor hostAddress, hostPort, hostPassphrase;
    juce::Label hostNote;
    juce::TextButton hostButton { "Host" };
    juce::Label hostResult;
    bool hosting = false;

    juce::Label joinHeading { {}, "Join a session" };
    juce::Label foundLabel { {}, "Sessions on the network" };
    LinesModel foundModel;
    juce::ListBox foundList { "Sessions on the network", &foundModel };
    juce::Label joinAddressLabel { {}, "Address" }, joinNameLabel { {}, "Seat name" }, joinPassphraseLabel { {}, "Passphrase" };
    juce::TextEditor joinAddress, joinName, joinPassphrase;
    juce::TextButton joinButton { "Join" };
    juce::Label joinResult;
    int discoveryPort = net::discovery::defaultBroadcastPort;
    std::unique_ptr<juce::NetworkServiceDiscovery::AvailableServiceList> discovery;
    std::vector<net::discovery::FoundSession> found;

    juce::Label seatsHeading { {}, "Seats" };
    juce::Label thisSeat, connection;
    LinesModel seatsModel;
    juce::ListBox seatList { "Seats", &seatsModel };
    juce::StringArray seatLines;
    juce::TextButton privilegeButton { "Request privilege" };
    std::uint32_t shownSeatId = 0;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (NetworkPanel)
};

} // namespace imbolc::gui
