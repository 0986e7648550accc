// imbolc serve and imbolc join: the session host (engine + server) and a headless seat.

#include "imbolc_Cli.h"

#include <iomanip>

namespace imbolc::cli
{

namespace
{
    std::string hex (std::uint64_t v)
    {
        std::ostringstream s;
        s << "0x" << std::hex << std::setw (16) << std::setfill ('0') << v;
        return s.str();
    }

    std::string ids (const std::vector<model::InstrumentId>& list)
    {
        std::string out;
        for (auto id : list)
        {
            if (! out.empty())
                out += ',';
            out += std::to_string (id.value);
        }
        return out.empty() ? "none" : out;
    }

    float peakDb (float peak) { return peak > 1.0e-5f ? 20.0f * std::log10 (peak) : -100.0f; }

    /** One line per message, for people and scripts. */
    std::string describe (const protocol::Message& m, std::uint64_t hashAfter)
    {
        namespace msg = protocol::msg;
        std::ostringstream s;
        s << std::fixed << std::setprecision (1);
        std::visit (
            [&] (const auto& x)
            {
                using T = std::decay_t<decltype (x)>;
                if constexpr (std::is_same_v<T, msg::Welcome>)
                    s << "welcome: seat " << x.clientId << ", instruments " << ids (x.grantedInstruments) << ", privilege " << (x.privilege ? "yes" : "no");
                else if constexpr (std::is_same_v<T, msg::ReconnectSuccessful>)
                    s << "reconnected: seat " << x.clientId << ", instruments " << ids (x.restoredInstruments) << ", privilege " << (x.privilege ? "yes" : "no");
                else if constexpr (std::is_same_v<T, msg::FullStateSync>)
                {
                    std::size_t notes = 0;
                    for (const auto& t : x.session.pianoRoll)
                        notes += t.notes.size();
                    s << "full sync " << x.seq << ": \"" << x.session.settings.name << "\", " << x.session.instruments.size() << " instruments, " << notes
                      << " notes, " << x.session.settings.bpm << " BPM, hash " << hex (hashAfter);
                }
                else if constexpr (std::is_same_v<T, protocol::StatePatch>)
                {
                    s << "patch " << x.seq << ":";
                    if (x.settings)
                        s << " settings";
                    if (x.transport)
                        s << " transport";
                    if (x.instruments)
                        s << " instruments(all " << x.instruments->size() << ")";
                    if (! x.instrumentUpdates.empty())
                        s << " instruments(" << x.instrumentUpdates.size() << ")";
                    if (x.pianoRoll)
                        s << " piano-roll(all)";
                    if (! x.trackUpdates.empty())
                        s << " tracks(" << x.trackUpdates.size() << ")";
                    if (! x.noteOps.empty())
                        s << " note-ops(" << x.noteOps.size() << ")";
                    if (x.automation)
                        s << " automation(all)";
                    if (! x.laneUpdates.empty())
                        s << " lanes(" << x.laneUpdates.size() << ")";
                    if (! x.pointOps.empty())
                        s << " point-ops(" << x.pointOps.size() << ")";
                    if (x.arrangement)
                        s << " arrangement";
                    if (x.mixer)
                        s << " mixer(all)";
                    if (! x.busUpdates.empty())
                        s << " buses(" << x.busUpdates.size() << ")";
                    if (x.master)
                        s << " master";
                    if (x.ownership)
                        s << " ownership";
                    s << ", hash " << hex (hashAfter);
                }
                else if constexpr (std::is_same_v<T, msg::Metering>)
                {
                    s << "metering: tick " << x.playhead << ", " << x.bpm << " BPM, " << (x.playing ? "playing" : "stopped") << ", master " << peakDb (x.masterLeft) << "/"
                      << peakDb (x.masterRight) << " dB, " << x.strips.size() << " strips";
                    if (x.server.state != protocol::ServerMeter::State::none)
                        s << ", scsynth " << (x.server.state == protocol::ServerMeter::State::lost ? "lost" : juce::String (x.server.averageCpu, 1).toStdString() + " % CPU, " + std::to_string (x.server.synths) + " synths");
                }
                else if constexpr (std::is_same_v<T, msg::ActionRejected>)
                    s << "rejected " << x.requestId << ": " << x.reason;
                else if constexpr (std::is_same_v<T, msg::PrivilegeDenied>)
                    s << "privilege denied: " << x.reason;
                else if constexpr (std::is_same_v<T, msg::PrivilegeRevoked>)
                    s << "privilege revoked: now seat " << x.newHolder;
                else if constexpr (std::is_same_v<T, msg::Shutdown>)
                    s << "shutdown: " << x.reason;
                else if constexpr (std::is_same_v<T, msg::Error>)
                    s << "error: " << x.message;
                else
                    s << protocol::messageName (m);
            },
            m);
        return s.str();
    }
} // namespace

//==============================================================================
int serveCommand (const std::vector<std::string>& raw)
{
    auto args = Args::parse (raw, { "--listen", "--passphrase", "--scsynth", "--play" }, "serve");
    args.expectPositionals (1, "imbolc serve FILE [--listen ADDR:PORT] [--passphrase P] [--scsynth ADDR:PORT] [--play yes]");
    const auto scsynth = parseEndpoint (args.options.count ("--scsynth") != 0 ? args.options["--scsynth"] : std::string ("127.0.0.1:57110"), "--scsynth", 57110);
    bool play = false;
    if (auto it = args.options.find ("--play"); it != args.options.end())
    {
        if (it->second != "yes" && it->second != "no")
            throw UsageError ("--play must be yes or no, not '" + it->second + "'.");
        play = it->second == "yes";
    }
    const auto file = fileArgument (args.positional[0]);
    auto loaded = loadSessionFile (file);
    if (! loaded)
        return 1;

    net::ServerOptions options;
    if (auto it = args.options.find ("--listen"); it != args.options.end())
    {
        const auto endpoint = parseEndpoint (it->second, "--listen");
        options.address = endpoint.address;
        options.port = endpoint.port;
    }
    if (auto it = args.options.find ("--passphrase"); it != args.options.end())
    {
        if (it->second.size() < 8)
            throw UsageError ("The passphrase must have at least 8 characters.");
        options.passphrase = it->second;
    }
    juce::ScopedJuceInitialiser_GUI juce;
    app::SessionHost host;
    host.onWarning = printWarning;
    host.onLog = [] (const juce::String& line)
    { std::cout << line << std::endl; };
    if (play)
        loaded->transport.playing = true;
    host.setSession (std::move (*loaded), file);

    // Listen first: a refused address or a port in use is reported before any audio device opens.
    // Nothing is served until tick() polls, by which time the engine runs.
    if (const auto started = host.startHosting (options); started.failed())
    {
        const bool aboutPassphrase = options.passphrase.empty() && started.getErrorMessage().contains ("passphrase");
        std::cerr << started.getErrorMessage() << (aboutPassphrase ? " Give one with --passphrase." : "") << "\n";
        return 1;
    }

    app::AudioOutput output;
    host.prepare (output.getSampleRate(), output.getBlockSize());

    // SuperCollider instruments play on scsynth (this machine or another), following every edit.
    if (app::hasSuperColliderInstruments (host.getSession()) || args.options.count ("--scsynth") != 0)
    {
        sc::ScBackend::Options scOptions;
        scOptions.server = { scsynth.address, scsynth.port, 2000 };
        scOptions.sampleRate = output.getSampleRate();
        scOptions.blockSize = output.getBlockSize();
        if (auto r = host.startSuperCollider (scOptions); r.failed())
            std::cerr << r.getErrorMessage() << " The SuperCollider instruments stay silent.\n";
    }

    // Edits made in the rehearsal are kept: saved back to the file in the background every 30 s, and at
    // the end.
    host.setAutosave ({ 30000, true, {} });

    output.start (host.getEngine());
    std::cout << "Engine running " << output.describe() << ". Ctrl-C ends the session." << std::endl;
    std::cout << (host.getSession().transport.playing ? "The transport is playing."
                                                      : "The transport is stopped until a seat with the privilege presses play (or serve with --play yes).")
              << std::endl;
    installInterruptHandler();

    while (! wasInterrupted())
        host.tick (10);

    std::cout << "Ending the session." << std::endl;
    host.autosaveNow (true);
    output.stop();
    return 0;
}

//==============================================================================
int joinCommand (const std::vector<std::string>& raw)
{
    auto args = Args::parse (raw, { "--name", "--passphrase", "--instruments", "--privilege", "--for", "--json", "--find" }, "join");
    const auto usage = "imbolc join ADDR:PORT --name N [--passphrase P] [--instruments ID,ID] [--privilege yes] [--for SECONDS] [--json yes]";

    if (auto it = args.options.find ("--find"); it != args.options.end())
    {
        const auto seconds = integerOption (args, "--find", 2, 1, 60);
        const auto found = net::discovery::findSessions (seconds * 1000);
        if (found.empty())
            std::cout << "No sessions announced on this network in " << seconds << " s.\n";
        for (const auto& s : found)
            std::cout << s.address << ":" << s.port << "  " << s.name << "\n";
        return 0;
    }

    args.expectPositionals (1, usage);
    if (args.options.count ("--name") == 0)
        throw UsageError ("imbolc join needs --name N: the name other seats see.");

    const auto endpoint = parseEndpoint (args.positional[0], "The session address");
    net::ClientOptions options;
    options.host = endpoint.address;
    options.port = endpoint.port;
    options.name = args.options["--name"];
    if (auto problem = model::checks::name ("The seat's name", options.name); ! problem.empty())
        throw UsageError (problem);
    if (auto it = args.options.find ("--passphrase"); it != args.options.end())
        options.passphrase = it->second;
    if (auto it = args.options.find ("--instruments"); it != args.options.end())
    {
        juce::StringArray list;
        list.addTokens (juce::String (it->second), ",", "");
        for (const auto& token : list)
        {
            const auto t = token.trim();
            if (t.isEmpty() || ! t.containsOnly ("0123456789") || t.length() > 9)
                throw UsageError ("--instruments must be instrument ids separated by commas, not '" + it->second + "'.");
            options.requestedInstruments.push_back (model::InstrumentId { (std::uint32_t) t.getLargeIntValue() });
        }
    }
    auto yesNo = [&] (const std::string& name)
    {
        auto it = args.options.find (name);
        if (it == args.options.end())
            return false;
        if (it->second != "yes" && it->second != "no")
            throw UsageError (name + " must be yes or no, not '" + it->second + "'.");
        return it->second == "yes";
    };
    options.requestPrivilege = yesNo ("--privilege");
    const bool json = yesNo ("--json");
    const int seconds = integerOption (args, "--for", 0, 0, 86400);

    net::SessionClient client (options);
    std::mutex printMutex;
    std::uint32_t lastMeteringMs = 0;
    client.onLog = [&] (const juce::String& line)
    {
        const std::lock_guard lock (printMutex);
        std::cerr << line << std::endl;
    };
    if (json)
    {
        client.onRawFrame = [&] (const std::uint8_t* data, std::size_t size)
        {
            std::string error;
            const auto text = protocol::messageToJson (data, size, error);
            const std::lock_guard lock (printMutex);
            std::cout << (text.empty() ? "{ \"error\": \"" + error + "\" }\n" : text) << std::flush;
        };
    }
    else
    {
        client.onMessage = [&] (const protocol::Message& m)
        {
            // Metering comes 30 times a second: one line a second is plenty for a person.
            if (std::holds_alternative<protocol::msg::Metering> (m))
            {
                const auto now = juce::Time::getMillisecondCounter();
                if (now - lastMeteringMs < 1000)
                    return;
                lastMeteringMs = now;
            }
            if (std::holds_alternative<protocol::msg::Ping> (m) || std::holds_alternative<protocol::msg::Pong> (m))
                return;
            const bool changesState = std::holds_alternative<protocol::StatePatch> (m) || std::holds_alternative<protocol::msg::FullStateSync> (m);
            const auto line = describe (m, changesState ? client.getSessionHash() : 0);
            const std::lock_guard lock (printMutex);
            std::cout << line << std::endl;
        };
    }

    installInterruptHandler();
    if (const auto result = client.connect (10000); result.failed())
    {
        const bool aboutPassphrase = options.passphrase.empty() && result.getErrorMessage().contains ("passphrase");
        std::cerr << result.getErrorMessage() << (aboutPassphrase ? " Give it with --passphrase." : "") << "\n";
        return 1;
    }

    const auto started = juce::Time::getMillisecondCounter();
    while (! wasInterrupted())
    {
        const auto state = client.getState();
        if (state == net::SessionClient::State::failed || state == net::SessionClient::State::closed)
            break;
        if (seconds > 0 && juce::Time::getMillisecondCounter() - started >= (juce::uint32) seconds * 1000u)
            break;
        juce::Thread::sleep (20);
    }

    const auto state = client.getState();
    const auto error = client.getError();
    const auto hash = client.getSessionHash();
    const auto seq = client.getSeq();
    client.disconnect();
    {
        const std::lock_guard lock (printMutex);
        std::cout << "left at seq " << seq << ", hash " << hex (hash) << std::endl;
    }
    if (state == net::SessionClient::State::failed)
    {
        std::cerr << error << "\n";
        return 1;
    }
    return 0;
}

} // namespace imbolc::cli
