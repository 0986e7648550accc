// Audio input from a real audio device: JUCE's JACK device (JUCE_JACK=1) on a private `jackd -S -d dummy`
// (this machine has no sound card), opened by app::AudioOutput in device mode, with jackd2's real
// `jack_metro` client feeding Imbolc's input ports. An armed audio input records while the transport
// records; the WAV must hold the metronome's clicks exactly one beat (24,000 samples at 120 BPM and
// 48 kHz) apart, and the take's clip must sit where the device's stated latency puts it.
//
// Server names come from the pool the host tests use (imbolc-test-0..4, each held with an flock in
// the temporary folder for the server's life, see Tests/Hosts/imbolc_hosts.py).

#include "imbolc_AudioInputTestSupport.h"
#include <imbolc_app/imbolc_app.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace imbolc;
using namespace imbolc::test;

namespace
{
/** A child process started with posix_spawnp (inheriting this process's environment), stopped with
    SIGTERM (SIGKILL only after `grace`) and reaped. */
class Child
{
public:
    explicit Child (std::vector<std::string> args)
    {
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back (a.data());
        argv.push_back (nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init (&actions);
        posix_spawn_file_actions_addopen (&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen (&actions, 2, "/dev/null", O_WRONLY, 0);
        if (posix_spawnp (&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
            pid = -1;
        posix_spawn_file_actions_destroy (&actions);
    }
    ~Child() { stop(); }

    bool running() const noexcept { return pid > 0 && waitpid (pid, nullptr, WNOHANG) == 0; }

    void stop (double grace = 20.0)
    {
        if (pid <= 0)
            return;
        kill (pid, SIGTERM);
        const auto end = juce::Time::getMillisecondCounterHiRes() + grace * 1000.0;
        while (waitpid (pid, nullptr, WNOHANG) == 0)
        {
            if (juce::Time::getMillisecondCounterHiRes() > end)
            {
                kill (pid, SIGKILL);
                waitpid (pid, nullptr, 0);
                break;
            }
            juce::Thread::sleep (20);
        }
        pid = -1;
    }

private:
    pid_t pid = -1;
};

/** Runs a command to its end; its exit code and what it printed. */
std::pair<int, juce::String> run (const juce::StringArray& args)
{
    juce::ChildProcess p;
    if (! p.start (args, juce::ChildProcess::wantStdOut))
        return { -1, {} };
    const auto out = p.readAllProcessOutput();
    p.waitForProcessToFinish (10000);
    return { (int) p.getExitCode(), out };
}

/** A private JACK server on the dummy backend, named from the host tests' pool; clients (JUCE's JACK
    device, jack_metro, jack_lsp) find it through JACK_DEFAULT_SERVER, set for this process. */
class JackServer
{
public:
    JackServer()
    {
        for (int attempt = 0; attempt < 480 && name.isEmpty(); ++attempt)
        {
            for (int slot = 0; slot < 5 && name.isEmpty(); ++slot)
            {
                const auto path = juce::File::getSpecialLocation (juce::File::tempDirectory).getChildFile ("imbolc-jack-" + juce::String ((int) getuid()) + "-" + juce::String (slot) + ".lock");
                const int fd = open (path.getFullPathName().toRawUTF8(), O_WRONLY | O_CREAT | O_APPEND, 0644);
                if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) == 0)
                {
                    lock = fd;
                    name = "imbolc-test-" + juce::String (slot);
                }
                else if (fd >= 0)
                {
                    close (fd);
                }
            }
            if (name.isEmpty())
                juce::Thread::sleep (250);
        }
        if (name.isEmpty())
            return;
        setenv ("JACK_DEFAULT_SERVER", name.toRawUTF8(), 1);
        setenv ("JACK_NO_START_SERVER", "1", 1);
        // -S: the server waits for every client each cycle, so a client late on the loaded machine delays
        // the cycle instead of losing it, and sample counts stay exact.
        for (int tries = 0; tries < 3 && ! up; ++tries)
        {
            server = std::make_unique<Child> (std::vector<std::string> { "jackd", "-S", "-t", "5000", "-n", name.toStdString(), "-d", "dummy", "-r", "48000", "-p", "256" });
            up = eventually ([this]
                             { return run ({ "jack_lsp" }).first == 0 || ! server->running(); },
                             15000)
                 && server->running();
            if (! up)
                server.reset();
        }
    }

    ~JackServer()
    {
        server.reset();
        unsetenv ("JACK_DEFAULT_SERVER");
        if (lock >= 0)
            close (lock);
    }

    bool isUp() const noexcept { return up; }
    const juce::String& getName() const noexcept { return name; }

    juce::StringArray ports() const
    {
        return juce::StringArray::fromLines (run ({ "jack_lsp" }).second.trim());
    }

private:
    juce::String name;
    int lock = -1;
    std::unique_ptr<Child> server;
    bool up = false;
};

/** Sample positions where a click starts: the first sample above `threshold` after at least `quiet`
    samples below it. */
std::vector<int> clickOnsets (const float* x, int n, float threshold, int quiet)
{
    std::vector<int> onsets;
    int sinceLoud = 0; // a click the recording starts inside is not an onset
    for (int i = 0; i < n; ++i)
    {
        if (std::abs (x[i]) > threshold)
        {
            if (sinceLoud >= quiet)
                onsets.push_back (i);
            sinceLoud = 0;
        }
        else
        {
            ++sinceLoud;
        }
    }
    return onsets;
}
} // namespace

TEST_CASE ("JUCE's JACK device feeds a real JACK client's clicks into a recorded take, one beat apart", "[app][audioin][jack]")
{
    juce::ScopedJuceInitialiser_GUI juce;
    JackServer jack;
    REQUIRE (jack.isUp());

    TempFolder folder;
    const auto project = folder.get().getChildFile ("Live.imbolc");
    app::SessionHost host;
    host.setSession (model::Session {}, project);
    REQUIRE (host.saveAs (project).wasOk());
    std::vector<juce::String> warnings;
    host.onWarning = [&] (const juce::String& w)
    { warnings.push_back (w); };

    app::AudioOutput::Options options;
    options.savedDeviceState = "<DEVICESETUP deviceType=\"JACK\" audioOutputDeviceName=\"system\" audioInputDeviceName=\"system\" audioDeviceRate=\"48000\" audioDeviceBufferSize=\"256\"/>";
    options.fallBackToNull = false;
    app::AudioOutput output (options);
    INFO (output.describe());
    REQUIRE (output.getMode() == app::AudioOutput::Mode::device);
    REQUIRE (output.getDeviceManager()->getCurrentAudioDeviceType() == "JACK");
    REQUIRE (output.getSampleRate() == 48000.0);
    host.prepare (output.getSampleRate(), output.getBlockSize());
    output.start (host.getEngine());
    const int latency = output.getDeviceLatencySamples();
    CHECK (host.getEngine().getRecordingLatency() == latency);

    // jack_metro: a real JACK client that clicks every beat at 120 BPM; its port feeds Imbolc's first input.
    Child metro ({ "jack_metro", "-b", "120", "-n", "metro" });
    REQUIRE (eventually ([&]
                         { return jack.ports().contains ("metro:120_bpm"); },
                         10000));
    juce::String ourInput, ourSecondInput;
    for (const auto& port : jack.ports())
    {
        if (port.endsWith (":in_1") && ! port.startsWith ("system:"))
            ourInput = port;
        if (port.endsWith (":in_2") && ! port.startsWith ("system:"))
            ourSecondInput = port;
    }
    REQUIRE (ourInput.isNotEmpty());
    REQUIRE (ourSecondInput.isNotEmpty());
    // Only the metronome reaches the pair (JUCE connects the device's capture ports when it opens).
    for (const auto& capture : { "system:capture_1", "system:capture_2" })
        for (const auto& ours : { ourInput, ourSecondInput })
            run ({ "jack_disconnect", capture, ours });
    REQUIRE (run ({ "jack_connect", "metro:120_bpm", ourInput }).first == 0);

    model::Source input;
    input.kind = model::SourceKind::audioInput;
    input.monitoring = false; // nothing to hear on a dummy device; recording does not depend on it
    const auto mic = model::InstrumentId { host.apply (model::action::AddInstrument { "Metro", input }).createdId };
    REQUIRE (host.apply (model::action::SetRecordArm { mic, true }).ok());
    REQUIRE (host.apply (model::action::SetRecording { true }).ok());
    constexpr model::Tick from = model::ticksPerBeat * 4; // two seconds in: the clip lands after the start
    REQUIRE (host.apply (model::action::Locate { from }).ok());
    REQUIRE (host.apply (model::action::Play {}).ok());
    // About three seconds of the device's own clock (the dummy backend runs in real time).
    const auto end = juce::Time::getMillisecondCounterHiRes() + 3000.0;
    while (juce::Time::getMillisecondCounterHiRes() < end)
    {
        host.tick();
        juce::Thread::sleep (10);
    }
    REQUIRE (host.apply (model::action::Stop {}).ok());
    REQUIRE (eventually ([&]
                         { host.tick(); return host.getSession().instruments.size() == 2; },
                         5000));
    output.stop();
    metro.stop (5.0);

    const auto& track = host.getSession().instruments[1];
    REQUIRE (track.source.clips.size() == 1);
    const auto clip = track.source.clips[0];
    CHECK (clip.path == "Live Audio/Metro-take.wav");

    const auto wav = readWav (folder.get().getChildFile ("Live Audio/Metro-take.wav"));
    REQUIRE (wav.getNumChannels() == 2);
    REQUIRE (wav.getNumSamples() > 48000 * 2);
    const auto onsets = clickOnsets (wav.getReadPointer (0), wav.getNumSamples(), 0.05f, 12000);
    std::string clicks;
    for (auto o : onsets)
        clicks += std::to_string (o) + " ";
    INFO ("clicks at " << clicks);
    REQUIRE (onsets.size() >= 4);
    for (std::size_t i = 1; i < onsets.size(); ++i)
        CHECK (onsets[i] - onsets[i - 1] == 24000);
    // The second channel of the pair had nothing connected: silence.
    CHECK (wav.getMagnitude (1, 0, wav.getNumSamples()) == 0.0f);

    // The clip sits the device's stated input + output latency before the song position it was
    // recorded at: 50 samples per tick at 120 BPM and 48 kHz. Recording begins with the first block
    // that plays with the recorder attached: the Locate's block, or on a busy machine, where Play and
    // the recorder reach the audio thread in different blocks, a block or two after it.
    const int block = output.getBlockSize();
    const auto recordedAt = (std::int64_t) clip.start * 50 - clip.offset + latency; // the take's first sample, in song samples
    INFO ("recorded from song sample " << recordedAt << ", " << block << "-sample blocks");
    CHECK (recordedAt >= (std::int64_t) from * 50);
    CHECK (recordedAt <= (std::int64_t) from * 50 + 2 * block);
    CHECK ((recordedAt - (std::int64_t) from * 50) % block == 0);
    const double exact = (double) recordedAt / 50.0 - latency / 50.0;
    CHECK (clip.start == (model::Tick) std::ceil (exact - 1e-9));
    CHECK (clip.offset == std::llround (((double) clip.start - exact) * 50.0));
    CHECK (clip.length == wav.getNumSamples() - clip.offset);
    WARN ("JACK device latency (input + output) " << latency << " samples; clip at tick " << clip.start << " + " << clip.offset << " samples; " << onsets.size() << " clicks");
    CHECK (warnings.empty());
}
