namespace imbolc::sc
{

bool LocalScsynth::Process::start (const std::vector<std::string>& arguments, const std::vector<std::string>& extraEnvironment, const std::string& output)
{
    std::vector<char*> argv;
    for (const auto& a : arguments)
        argv.push_back (const_cast<char*> (a.c_str()));
    argv.push_back (nullptr);

    std::vector<std::string> environment (extraEnvironment);
    for (char** e = environ; *e != nullptr; ++e)
        environment.emplace_back (*e);
    std::vector<char*> envp;
    for (const auto& e : environment)
        envp.push_back (const_cast<char*> (e.c_str()));
    envp.push_back (nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init (&actions);
    posix_spawn_file_actions_addopen (&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2 (&actions, 1, 2);
    const auto spawned = posix_spawnp (&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy (&actions);
    if (spawned != 0)
        pid = -1;
    return spawned == 0;
}

bool LocalScsynth::Process::waitForExit (int timeoutMs)
{
    for (int i = 0; pid > 0 && i <= timeoutMs / 10; ++i)
    {
        if (::waitpid (pid, nullptr, WNOHANG) == pid)
        {
            pid = -1;
            return true;
        }
        juce::Thread::sleep (10);
    }
    return pid <= 0;
}

void LocalScsynth::Process::stop()
{
    if (pid <= 0)
        return;
    ::kill (pid, SIGTERM);
    if (waitForExit (3000)) // 3 s to exit cleanly, then no more asking
        return;
    ::kill (pid, SIGKILL);
    ::waitpid (pid, nullptr, 0);
    pid = -1;
}

//==============================================================================
LocalScsynth::~LocalScsynth()
{
    stop();
}

juce::Result LocalScsynth::start (Options o)
{
    stop();
    options = std::move (o);
    if (options.port == 0)
    {
        juce::DatagramSocket probe;
        if (! probe.bindToPort (0))
            return juce::Result::fail ("Could not find a free UDP port for scsynth.");
        options.port = probe.getBoundPort();
    }
    log = juce::File::getSpecialLocation (juce::File::tempDirectory).getChildFile ("imbolc-scsynth-" + juce::String (options.port) + ".log");
    log.deleteFile();

    // JACK's shared registry is contended when several servers start at once (tests run side by side):
    // a jackd or scsynth that loses the race fails at once, and another try a moment later succeeds.
    auto result = juce::Result::ok();
    for (int attempt = 0; attempt < 3; ++attempt)
    {
        if (attempt > 0)
        {
            stop();
            juce::Thread::sleep (300 * attempt);
        }
        result = options.ownJack ? startJack() : juce::Result::ok();
        if (result.wasOk())
            result = startServer();
        if (result.wasOk())
            return result;
    }
    stop();
    return result;
}

juce::Result LocalScsynth::startJack()
{
    jackName = "imbolc-" + std::to_string (options.port);
    const auto jackLog = log.getSiblingFile (log.getFileNameWithoutExtension() + "-jack.log");
    if (! jack.start ({ options.jackd.toStdString(), "--no-realtime", "-n", jackName, "-d", "dummy", "-r", std::to_string (options.sampleRate), "-p", std::to_string (options.jackPeriod) }, {}, jackLog.getFullPathName().toStdString()))
        return juce::Result::fail ("Could not start jackd (" + options.jackd + "): install JACK (Debian: jackd2).");

    // Ready when jack_wait says it runs (a fixed sleep is not enough on a busy machine: scsynth then
    // fails with "could not initialize audio").
    for (int i = 0; i < 50; ++i)
    {
        juce::ChildProcess check;
        if (check.start (juce::StringArray { "jack_wait", "-s", juce::String (jackName), "-c" }, juce::ChildProcess::wantStdOut)
            && check.readAllProcessOutput().trim() == "running")
            return juce::Result::ok();
        if (jack.waitForExit (0))
            break;
        juce::Thread::sleep (200);
    }
    return juce::Result::fail ("jackd did not start for scsynth: " + jackLog.loadFileAsString().trim().getLastCharacters (200));
}

juce::Result LocalScsynth::startServer()
{
    std::vector<std::string> environment;
    if (options.ownJack)
        environment = { "JACK_DEFAULT_SERVER=" + jackName, "JACK_NO_START_SERVER=1" };
    if (! server.start ({ options.scsynth.toStdString(), "-u", std::to_string (options.port), "-i", "0", "-o", "2", "-R", "0", "-l", std::to_string (options.maxLogins), "-a", std::to_string (options.audioBuses), "-D", "0" },
                        environment,
                        log.getFullPathName().toStdString()))
        return juce::Result::fail ("Could not start scsynth (" + options.scsynth + "): install SuperCollider's server (Debian: supercollider-server).");

    // Ready when it answers /status: a short-timeout client retried for up to 10 s.
    for (int attempt = 0; attempt < 50; ++attempt)
    {
        ScsynthClient probe ({ "127.0.0.1", options.port, 200 });
        if (probe.queryStatus().has_value())
            return juce::Result::ok();
        if (server.waitForExit (0))
            break;
    }
    server.stop();
    return juce::Result::fail ("scsynth did not start on port " + juce::String (options.port) + ": " + readLog().trim().getLastCharacters (200));
}

void LocalScsynth::stopServer()
{
    if (server.pid <= 0)
        return;
    // /quit first: scsynth then closes its JACK client itself, and jackd can free everything.
    ScsynthClient quitter ({ "127.0.0.1", options.port, 500 });
    quitter.send ({ "/quit", {} });
    if (! server.waitForExit (3000))
        server.stop();
}

juce::Result LocalScsynth::restartServer()
{
    stopServer();
    auto result = startServer();
    for (int attempt = 1; result.failed() && attempt < 3; ++attempt) // as in start(): JACK's registry may be contended
    {
        juce::Thread::sleep (300 * attempt);
        result = startServer();
    }
    return result;
}

void LocalScsynth::stop()
{
    stopServer();
    jack.stop();
}

juce::String LocalScsynth::readLog() const
{
    return log.loadFileAsString();
}

} // namespace imbolc::sc
