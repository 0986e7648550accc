// imbolc bench link: Ableton Link between two Imbolc peers in this process, over real UDP multicast on
// the loopback interface only (nothing leaves the machine), and the audio thread's cost of Link.

#include "imbolc_BenchSupport.h"

#include <imbolc_app/imbolc_app.h>

#include <cmath>

namespace imbolc::cli::bench
{
namespace
{
    constexpr int linkBlockSize = 256;

    /** One Imbolc on Link: a session host, its engine on a null device's audio thread, and Link. */
    struct LinkPeer
    {
        explicit LinkPeer (double bpm)
        {
            host.apply (model::action::SetBpm { bpm });
            output.setTransportSource (&link.getTransport());
            host.prepare (output.getSampleRate(), output.getBlockSize());
            output.start (host.getEngine());
        }
        ~LinkPeer()
        {
            output.stop();
            link.setEnabled (false);
        }
        void tick()
        {
            host.tick();
            link.update();
        }
        double ppqAt (std::int64_t micros) const
        {
            const auto b = link.getLastBlock();
            return b.ppq + (double) (micros - b.hostMicros) / 60.0e6 * link.getStatus().bpm;
        }

        app::SessionHost host;
        app::AudioOutput output { []
                                  {
                                      auto o = app::AudioOutput::Options::with (app::AudioOutput::Mode::null);
                                      o.blockSize = linkBlockSize;
                                      return o;
                                  }() };
        app::LinkSession link { host };
    };

    void tickFor (LinkPeer& a, LinkPeer& b, double seconds)
    {
        const auto end = juce::Time::getMillisecondCounterHiRes() + seconds * 1000.0;
        while (juce::Time::getMillisecondCounterHiRes() < end)
        {
            a.tick();
            b.tick();
            juce::Thread::sleep (10);
        }
    }

    double phaseDistance (double x, double y, double quantum)
    {
        auto d = std::fmod (std::abs (x - y), quantum);
        return std::min (d, quantum - d);
    }

    double medianOf (std::vector<double> v)
    {
        std::sort (v.begin(), v.end());
        return v.empty() ? 0.0 : v[v.size() / 2];
    }

    /** Phase error between two playing peers: the song positions both engines are given for one instant
        (each block's position against the clock as its audio thread read it, extrapolated at the tempo),
        beside one block (256 samples) as the baseline: what a block-accurate transport would be off by.
        Link's own session timelines at that instant are printed too. In beats (quantum 4: a 4/4 bar). */
    int benchPhase()
    {
        LinkPeer a (120.0), b (95.0);
        a.link.setEnabled (true);
        b.link.setEnabled (true);
        const auto start = juce::Time::getMillisecondCounterHiRes();
        while (b.link.getStatus().peers < 1 || a.link.getStatus().peers < 1)
        {
            a.tick();
            b.tick();
            juce::Thread::sleep (10);
            if (juce::Time::getMillisecondCounterHiRes() - start > 15000.0)
            {
                std::cout << "\nbench link: the two Link peers did not find each other on loopback in 15 s (UDP multicast on lo).\n";
                return 1;
            }
        }
        a.host.apply (model::action::Play {});
        tickFor (a, b, 2.0); // start on the bar, then let the host time filters settle
        a.host.apply (model::action::SetBpm { 128.0 });
        tickFor (a, b, 1.0);

        std::vector<double> ours, link;
        for (int i = 0; i < 250; ++i) // 5 s
        {
            tickFor (a, b, 0.02);
            const auto now = a.link.nowMicros();
            ours.push_back (phaseDistance (a.ppqAt (now), b.ppqAt (now), 4.0));
            link.push_back (phaseDistance (a.link.getLinkPhase (now), b.link.getLinkPhase (now), 4.0));
        }
        const auto bothPlayed = a.link.getLastBlock().playing && b.link.getLastBlock().playing;
        // The baseline: one block, the error of a transport that is only block-accurate.
        const auto block = linkBlockSize / 48000.0 * 128.0 / 60.0;
        header ("bench link: beat phase between two Imbolc peers on loopback (beats, 4/4 bar, 128 BPM, " + std::to_string (ours.size()) + " samples over 5 s)", "one block");
        const auto ratio = [block] (double o)
        { return o > 0.0 ? std::optional<double> (block / o) : std::nullopt; };
        const auto worstOurs = *std::max_element (ours.begin(), ours.end());
        row ("median phase error, engines' positions", fixed (medianOf (ours), 5), fixed (block, 5), ratio (medianOf (ours)));
        row ("worst phase error, engines' positions", fixed (worstOurs, 5), fixed (block, 5), ratio (worstOurs));
        row ("Link's own timelines (worst, same instant)", fixed (*std::max_element (link.begin(), link.end()), 5), "-", std::nullopt);
        if (! bothPlayed)
        {
            std::cout << "  the peers were not both playing: Link's start did not reach both.\n";
            return 1;
        }
        return 0;
    }

    /** The audio thread's cost: capturing Link's session state into a HostTransport per block (ours),
        beside a whole engine block without Link (the baseline), in the same run. */
    int benchCost()
    {
        app::SessionHost host;
        for (int i = 0; i < 8; ++i)
        {
            model::Source source;
            source.builtIn = model::BuiltInSource::saw;
            source.params = model::makeParameters (source.builtIn);
            model::Stage gain;
            gain.kind = model::StageKind::effect;
            gain.effect = model::EffectType::gain;
            gain.params = model::makeEffectParameters (gain.effect);
            host.apply (model::action::AddInstrument { "bench", source, model::Backend::internal, { gain } });
        }
        host.prepare (48000.0, linkBlockSize);
        host.apply (model::action::Play {});
        app::LinkSession link (host);
        link.setEnabled (true);
        host.apply (model::action::Play {}); // with Link on: a start request to Link

        auto& engine = host.getEngine();
        std::vector<float> l (linkBlockSize), r (linkBlockSize);
        float* outs[] = { l.data(), r.data() };
        auto& source = link.getTransport();
        engine::HostTransport transport;
        engine::ProcessInput withLink;
        withLink.transport = &transport;
        constexpr int runs = 4000;
        // Interleaved, so both see the same machine: capture alone, a block without Link, a block with it.
        std::vector<double> capture, plain, linked;
        for (int i = 0; i < runs; ++i)
        {
            capture.push_back (medianNanos (1, [&]
                                            { source.fill (transport, linkBlockSize, 48000.0, 0.005); }));
            plain.push_back (medianNanos (1, [&]
                                          { engine.process (outs, 2, linkBlockSize); }));
            linked.push_back (medianNanos (1, [&]
                                           {
                source.fill (transport, linkBlockSize, 48000.0, 0.005);
                engine.process (outs, 2, linkBlockSize, withLink); }));
            host.tick();
            link.update();
        }
        const auto c = medianOf (capture), p = medianOf (plain), w = medianOf (linked);
        header ("bench link: audio thread per 256-sample block (8 saw instruments, playing; median of " + std::to_string (runs) + ")", "no Link");
        row ("Link capture + HostTransport (fill)", human (c), human (p), p / c);
        row ("whole block with Link vs without", human (w), human (p), p / w);
        std::cout << "  Link's share of a block: " << fixed (100.0 * c / p, 2) << " %; of the block's time budget (5.33 ms): "
                  << fixed (100.0 * c / (linkBlockSize / 48000.0 * 1.0e9), 4) << " %\n";
        link.setEnabled (false);
        return 0;
    }
} // namespace

int benchLink()
{
    // Link talks on the loopback interface only: the bench's traffic stays on this machine.
    app::LinkSession::setLoopbackOnly (true);
    int status = benchPhase();
    status |= benchCost();
    return status;
}

} // namespace imbolc::cli::bench
