#pragma once

namespace imbolc::sc
{

/** A scsynth this process starts and owns, on a free UDP port: for tests, `imbolc bench sc`, and
    playing on this machine without starting a server by hand.

    With Options::ownJack it first starts its own JACK server on the dummy backend (no sound card: CI
    and headless machines), named after the port so several can run at once. scsynth's output goes to
    a log file, because that is where it reports bundles that arrived late ("late 0.012...").

    Stopping asks scsynth to /quit and JACK to exit (SIGTERM), waiting for both: a killed jackd leaves
    its shared memory behind, and enough of that stops any new jackd from starting.

    POSIX (posix_spawn). One thread at a time.
*/
class LocalScsynth
{
public:
    struct Options
    {
        int port = 0; ///< 0: a free port
        bool ownJack = true; ///< start jackd -d dummy for it
        int sampleRate = 48000;
        int jackPeriod = 256;
        int maxLogins = 4;
        int audioBuses = 1024;
        juce::String scsynth = "scsynth", jackd = "jackd";
    };

    LocalScsynth() = default;
    ~LocalScsynth();

    /** Starts JACK (if asked) and scsynth, and waits (up to 10 s) until scsynth answers. */
    juce::Result start (Options);

    /** Stops scsynth alone (JACK stays): the server is gone, as if it had crashed. */
    void stopServer();

    /** Starts scsynth again on the same port, and waits until it answers. */
    juce::Result restartServer();

    /** Stops scsynth, then JACK. */
    void stop();

    int getPort() const noexcept { return options.port; }

    /** What scsynth has printed so far (stdout and stderr). */
    juce::String readLog() const;

private:
    struct Process
    {
        pid_t pid = -1;
        bool start (const std::vector<std::string>& arguments, const std::vector<std::string>& extraEnvironment, const std::string& output);
        bool waitForExit (int timeoutMs);
        void stop();
    };

    juce::Result startJack();
    juce::Result startServer();

    Options options;
    std::string jackName;
    juce::File log;
    Process jack, server;
};

} // namespace imbolc::sc
