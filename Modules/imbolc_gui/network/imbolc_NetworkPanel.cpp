namespace imbolc::gui
{

namespace
{
    const char* const networkBadPortSentence = "The port must be a whole number from 1 to 65535.";
    const char* const networkNoHostAddressSentence = "Type the address to listen on: 127.0.0.1 for this computer only, 0.0.0.0 for every network.";
    const char* const networkBadJoinAddressSentence = "Type the session's address and port as address:port (for example 192.168.1.20:9999), or pick a session found on the network.";
    const char* const networkNoNameSentence = "Type a seat name: the other seats see you by it.";

    /** The port typed in `text`, or nullopt unless it is a whole number 1..65535. */
    std::optional<int> parseTypedPort (const juce::String& text)
    {
        const auto t = text.trim();
        if (t.isEmpty() || t.length() > 5 || ! t.containsOnly ("0123456789"))
            return std::nullopt;
        const auto port = t.getIntValue();
        if (port < 1 || port > 65535)
            return std::nullopt;
        return port;
    }

    bool isLoopbackAddress (const juce::String& address)
    {
        return address.startsWith ("127.") || address == "localhost" || address == "::1";
    }

    using NetworkLabelledField = std::pair<juce::Label*, juce::TextEditor*>;

    void styleNetworkHeading (juce::Label& l)
    {
        l.setFont (juce::Font (16.0f, juce::Font::bold));
        l.setColour (juce::Label::textColourId, LookAndFeel::Palette::text);
    }

    void styleNetworkFieldLabel (juce::Label& l)
    {
        l.setFont (juce::Font (13.0f));
        l.setColour (juce::Label::textColourId, LookAndFeel::Palette::textDim);
    }
} // namespace

//==============================================================================
void NetworkPanel::LinesModel::paintListBoxItem (int row, juce::Graphics& g, int width, int height, bool selected)
{
    if (! juce::isPositiveAndBelow (row, lines.size()))
        return;
    if (selected)
        g.fillAll (LookAndFeel::Palette::selection);
    g.setColour (selected ? juce::Colours::white : LookAndFeel::Palette::text);
    g.setFont (juce::Font (14.0f));
    g.drawFittedText (lines[row], 6, 0, width - 10, height, juce::Justification::centredLeft, 1, 0.8f);
}

void NetworkPanel::LinesModel::selectedRowsChanged (int lastRowSelected)
{
    if (onPick && lastRowSelected >= 0)
        onPick (lastRowSelected);
}

//==============================================================================
NetworkPanel::NetworkPanel (GuiContext& c)
    : SessionView (c)
{
    setComponentID ("NetworkPanel");

    const auto setUpEditor = [this] (juce::TextEditor& e, const char* id, const juce::String& text, const juce::String& hint)
    {
        e.setComponentID (id);
        e.setText (text, false);
        e.setTextToShowWhenEmpty (hint, LookAndFeel::Palette::textDim);
        e.setSelectAllWhenFocused (true);
        addAndMakeVisible (e);
    };
    for (auto* l : { &hostHeading, &joinHeading, &seatsHeading })
    {
        styleNetworkHeading (*l);
        addAndMakeVisible (l);
    }
    for (auto* l : { &hostAddressLabel, &hostPortLabel, &hostPassphraseLabel, &foundLabel, &joinAddressLabel, &joinNameLabel, &joinPassphraseLabel })
    {
        styleNetworkFieldLabel (*l);
        addAndMakeVisible (l);
    }

    // Host
    setUpEditor (hostAddress, "HostAddress", "127.0.0.1", "127.0.0.1");
    setUpEditor (hostPort, "HostPort", "9999", "9999");
    hostPort.setInputRestrictions (5, "0123456789");
    setUpEditor (hostPassphrase, "HostPassphrase", {}, "needed beyond this computer");
    hostPassphrase.setPasswordCharacter ((juce::juce_wchar) 0x2022);
    hostNote.setText ("127.0.0.1 lets in only this computer; any other address needs a passphrase.", juce::dontSendNotification);
    styleNetworkFieldLabel (hostNote);
    hostNote.setMinimumHorizontalScale (0.8f);
    addAndMakeVisible (hostNote);
    hostButton.setComponentID ("HostButton");
    hostButton.onClick = [this] { hostClicked(); };
    addAndMakeVisible (hostButton);
    hostResult.setComponentID ("HostResult");
    hostResult.setJustificationType (juce::Justification::topLeft);
    addAndMakeVisible (hostResult);

    // Join
    foundList.setComponentID ("FoundSessions");
    foundList.setRowHeight (24);
    foundList.setColour (juce::ListBox::outlineColourId, LookAndFeel::Palette::outline);
    foundList.setOutlineThickness (1);
    foundModel.onPick = [this] (int row)
    {
        if (juce::isPositiveAndBelow (row, (int) found.size()))
            joinAddress.setText (found[(size_t) row].address + ":" + juce::String (found[(size_t) row].port), false);
    };
    addAndMakeVisible (foundList);
    setUpEditor (joinAddress, "JoinAddress", "127.0.0.1:9999", "address:port");
    setUpEditor (joinName, "JoinName", {}, "your name");
    joinName.setInputRestrictions (64);
    setUpEditor (joinPassphrase, "JoinPassphrase", {}, "if the session has one");
    joinPassphrase.setPasswordCharacter ((juce::juce_wchar) 0x2022);
    joinButton.setComponentID ("JoinButton");
    joinButton.onClick = [this] { joinClicked(); };
    addAndMakeVisible (joinButton);
    joinResult.setComponentID ("JoinResult");
    joinResult.setJustificationType (juce::Justification::topLeft);
    addAndMakeVisible (joinResult);

    // Seats
    thisSeat.setComponentID ("ThisSeat");
    connection.setComponentID ("ConnectionState");
    for (auto* l : { &thisSeat, &connection })
    {
        l->setColour (juce::Label::textColourId, LookAndFeel::Palette::text);
        addAndMakeVisible (l);
    }
    seatList.setComponentID ("SeatList");
    seatList.setRowHeight (24);
    seatList.setColour (juce::ListBox::outlineColourId, LookAndFeel::Palette::outline);
    seatList.setOutlineThickness (1);
    addAndMakeVisible (seatList);
    privilegeButton.setComponentID ("RequestPrivilege");
    privilegeButton.setTooltip ("Asks the host for the session privilege: tempo, transport, buses and the master");
    privilegeButton.onClick = [this]
    {
        if (onRequestPrivilege)
            onRequestPrivilege();
    };
    addChildComponent (privilegeButton);

    context.meters.addListener (this);
    refreshSeats();
    setSize (960, 420);
}

NetworkPanel::~NetworkPanel()
{
    context.meters.removeListener (this);
}

void NetworkPanel::setPartsShown (bool host, bool join, bool seats)
{
    hostShown = host;
    joinShown = join;
    seatsShown = seats;
    for (auto* comp : std::initializer_list<juce::Component*> { &hostHeading, &hostAddressLabel, &hostPortLabel, &hostPassphraseLabel, &hostAddress,
                                                                &hostPort, &hostPassphrase, &hostNote, &hostButton, &hostResult })
        comp->setVisible (host);
    for (auto* comp : std::initializer_list<juce::Component*> { &joinHeading, &foundLabel, &foundList, &joinAddressLabel, &joinNameLabel,
                                                                &joinPassphraseLabel, &joinAddress, &joinName, &joinPassphrase, &joinButton, &joinResult })
        comp->setVisible (join);
    for (auto* comp : std::initializer_list<juce::Component*> { &seatsHeading, &thisSeat, &connection })
        comp->setVisible (seats);
    refreshSeats();
    updateDiscovery();
    resized();
}

void NetworkPanel::setResult (juce::Label& label, const juce::String& text, bool isError)
{
    label.setText (text, juce::dontSendNotification);
    label.setColour (juce::Label::textColourId, isError ? LookAndFeel::Palette::warning : LookAndFeel::Palette::accent);
}

//==============================================================================
void NetworkPanel::hostClicked()
{
    const auto address = hostAddress.getText().trim();
    if (address.isEmpty())
        return setResult (hostResult, networkNoHostAddressSentence, true);
    const auto port = parseTypedPort (hostPort.getText());
    if (! port)
        return setResult (hostResult, networkBadPortSentence, true);
    if (! onHost)
        return setResult (hostResult, "Hosting is not available here.", true);

    net::ServerOptions options;
    options.address = address;
    options.port = *port;
    options.passphrase = hostPassphrase.getText().toStdString();
    // The app core decides what it accepts (a passphrase beyond loopback) and says why not.
    const auto result = onHost (options);
    hosting = result.wasOk();
    if (result.failed())
        setResult (hostResult, result.getErrorMessage(), true);
    else
        setResult (hostResult, "Listening on " + address + ":" + juce::String (*port)
                                   + (isLoopbackAddress (address) ? " (this computer only)." : "; seats on the network find it under Join."),
                   false);
    refreshSeats();
}

void NetworkPanel::joinClicked()
{
    auto text = joinAddress.getText().trim();
    const auto colon = text.lastIndexOfChar (':');
    auto address = text.substring (0, juce::jmax (0, colon)).trim();
    if (address.startsWithChar ('[') && address.endsWithChar (']')) // [::1]:9999
        address = address.substring (1, address.length() - 1);
    if (colon <= 0 || address.isEmpty())
        return setResult (joinResult, networkBadJoinAddressSentence, true);
    const auto port = parseTypedPort (text.substring (colon + 1));
    if (! port)
        return setResult (joinResult, networkBadPortSentence, true);
    const auto name = joinName.getText().trim();
    if (name.isEmpty())
        return setResult (joinResult, networkNoNameSentence, true);
    if (! onJoin)
        return setResult (joinResult, "Joining is not available here.", true);

    net::ClientOptions options;
    options.host = address;
    options.port = *port;
    options.name = name.toStdString();
    options.passphrase = joinPassphrase.getText().toStdString();
    const auto result = onJoin (options);
    if (result.failed())
        setResult (joinResult, result.getErrorMessage(), true);
    else
        setResult (joinResult, "Joined " + address + ":" + juce::String (*port) + " as " + name + ".", false);
    refreshSeats();
}

//==============================================================================
void NetworkPanel::setDiscoveryPort (int port)
{
    discoveryPort = port;
    discovery.reset();
    updateDiscovery();
}

void NetworkPanel::updateDiscovery()
{
    // Listening costs a socket and a thread: only while someone can see the list.
    const bool wanted = joinShown && isShowing();
    if (wanted && discovery == nullptr)
    {
        discovery = std::make_unique<juce::NetworkServiceDiscovery::AvailableServiceList> (net::discovery::serviceType, discoveryPort);
        discovery->onChange = [this] { discoveryChanged(); };
    }
    else if (! wanted && discovery != nullptr)
    {
        discovery.reset();
    }
}

void NetworkPanel::discoveryChanged()
{
    if (discovery == nullptr)
        return;
    found.clear();
    for (const auto& service : discovery->getServices())
        found.push_back ({ service.description, service.address.toString(), service.port });
    std::sort (found.begin(), found.end(), [] (const auto& a, const auto& b)
               { return std::tie (a.name, a.address, a.port) < std::tie (b.name, b.address, b.port); });
    foundModel.lines.clear();
    for (const auto& s : found)
        foundModel.lines.add (s.name + "  -  " + s.address + ":" + juce::String (s.port));
    foundList.updateContent();
    foundList.repaint();
}

//==============================================================================
void NetworkPanel::refreshSeats()
{
    const auto ownership = context.session.getOwnership();
    const auto me = context.session.getSeatId();
    shownSeatId = me;

    std::set<std::uint32_t> seats;
    for (const auto& owner : ownership.owners)
        seats.insert (owner.client);
    if (ownership.privilegedClient != 0)
        seats.insert (ownership.privilegedClient);
    if (me != 0)
        seats.insert (me);
    seats.erase (0u);

    const bool inNetwork = hosting || me != 0 || ! seats.empty();
    const auto& session = context.getSession();
    const auto nameOfSeat = [this] (std::uint32_t id)
    {
        const auto name = seatName ? seatName (id) : juce::String();
        return "Seat " + juce::String (id) + (name.isNotEmpty() ? " (" + name + ")" : juce::String());
    };
    const auto ownedBy = [&] (std::uint32_t id)
    {
        juce::StringArray names;
        for (const auto& owner : ownership.owners)
            if (owner.client == id)
            {
                const auto* inst = session.instruments.find (owner.instrument);
                names.add (inst != nullptr ? juce::String (inst->name) : "instrument " + juce::String (owner.instrument.value));
            }
        return names;
    };

    seatLines.clear();
    if (inNetwork)
    {
        seatLines.add (juce::String ("Host") + (me == 0 ? " (this seat)" : "") + ": edits everything nobody owns");
        for (const auto id : seats)
        {
            const auto owned = ownedBy (id);
            auto line = nameOfSeat (id) + (id == me ? ", this seat" : "") + ": ";
            line << (owned.isEmpty() ? juce::String ("owns nothing") : "owns " + owned.joinIntoString (", "));
            if (ownership.privilegedClient == id)
                line << "; holds the privilege";
            seatLines.add (line);
        }
    }
    seatList.setVisible (seatsShown && inNetwork);
    seatsModel.lines = seatLines;
    seatList.updateContent();
    seatList.repaint();

    thisSeat.setText (! inNetwork ? juce::String ("Not in a network session.")
                                  : me == 0 ? juce::String ("This seat: the host")
                                            : "This seat: " + nameOfSeat (me),
                      juce::dontSendNotification);

    // Only a joined seat asks for the privilege; the host has it anyway.
    const bool holds = me != 0 && ownership.privilegedClient == me;
    privilegeButton.setVisible (seatsShown && me != 0);
    privilegeButton.setEnabled (! holds);
    privilegeButton.setButtonText (holds ? "You hold the privilege" : "Request privilege");
}

void NetworkPanel::metersUpdated (const MeterFrame&)
{
    if (connectionState)
    {
        const auto text = "Connection: " + connectionState();
        if (text != connection.getText())
            connection.setText (text, juce::dontSendNotification);
    }
    // A reconnected seat may come back under another id.
    if (context.session.getSeatId() != shownSeatId)
        refreshSeats();
}

void NetworkPanel::sessionChanged (const app::SessionChange& change)
{
    // The seat lines name the owned instruments: a rename or a deletion changes them too.
    if (change.ownership || change.everything || change.items.instrumentsStructural || ! change.items.instruments.empty())
        refreshSeats();
}

//==============================================================================
void NetworkPanel::paint (juce::Graphics& g)
{
    g.fillAll (LookAndFeel::Palette::panel);
    // Hairlines between the shown parts.
    g.setColour (LookAndFeel::Palette::outline);
    for (auto* heading : { &joinHeading, &seatsHeading })
        if (heading->isVisible() && heading->getX() > 12)
            g.fillRect (heading->getX() - 10, 8, 1, getHeight() - 16);
}

void NetworkPanel::resized()
{
    const int parts = (hostShown ? 1 : 0) + (joinShown ? 1 : 0) + (seatsShown ? 1 : 0);
    if (parts == 0)
        return;
    auto area = getLocalBounds().reduced (10);
    const int gap = 20;
    const int width = (area.getWidth() - gap * (parts - 1)) / parts;
    const auto next = [&]
    {
        auto column = area.removeFromLeft (width);
        area.removeFromLeft (gap);
        return column;
    };
    if (hostShown)
        layoutHost (next());
    if (joinShown)
        layoutJoin (next());
    if (seatsShown)
        layoutSeats (next());
}

void NetworkPanel::layoutHost (juce::Rectangle<int> r)
{
    hostHeading.setBounds (r.removeFromTop (26));
    r.removeFromTop (4);
    for (auto [label, editor] : std::initializer_list<NetworkLabelledField> { { &hostAddressLabel, &hostAddress }, { &hostPortLabel, &hostPort }, { &hostPassphraseLabel, &hostPassphrase } })
    {
        label->setBounds (r.removeFromTop (20));
        editor->setBounds (r.removeFromTop (26));
        r.removeFromTop (6);
    }
    hostNote.setBounds (r.removeFromTop (36));
    r.removeFromTop (6);
    hostButton.setBounds (r.removeFromTop (28).removeFromLeft (100));
    r.removeFromTop (8);
    hostResult.setBounds (r.removeFromTop (juce::jmin (r.getHeight(), 80)));
}

void NetworkPanel::layoutJoin (juce::Rectangle<int> r)
{
    joinHeading.setBounds (r.removeFromTop (26));
    r.removeFromTop (4);
    foundLabel.setBounds (r.removeFromTop (20));
    foundList.setBounds (r.removeFromTop (juce::jlimit (50, 110, r.getHeight() - 260)));
    r.removeFromTop (6);
    for (auto [label, editor] : std::initializer_list<NetworkLabelledField> { { &joinAddressLabel, &joinAddress }, { &joinNameLabel, &joinName }, { &joinPassphraseLabel, &joinPassphrase } })
    {
        label->setBounds (r.removeFromTop (20));
        editor->setBounds (r.removeFromTop (26));
        r.removeFromTop (6);
    }
    joinButton.setBounds (r.removeFromTop (28).removeFromLeft (100));
    r.removeFromTop (8);
    joinResult.setBounds (r.removeFromTop (juce::jmin (r.getHeight(), 80)));
}

void NetworkPanel::layoutSeats (juce::Rectangle<int> r)
{
    seatsHeading.setBounds (r.removeFromTop (26));
    r.removeFromTop (4);
    thisSeat.setBounds (r.removeFromTop (22));
    connection.setBounds (r.removeFromTop (22));
    r.removeFromTop (6);
    privilegeButton.setBounds (r.removeFromBottom (28).removeFromLeft (180));
    r.removeFromBottom (8);
    seatList.setBounds (r);
}

} // namespace imbolc::gui
