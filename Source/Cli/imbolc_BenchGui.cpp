// imbolc bench gui: the window's cost on the message thread with the large session, beside a naive GUI
// that repaints every view every frame (a repaint() of the whole MainComponent), measured in the same
// run on the same window. Needs an X display (run under Tests/Helpers/imbolc_with_xvfb.sh).

#include "imbolc_BenchSupport.h"

#include <imbolc_gui/imbolc_gui.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <thread>

namespace juce
{
// JUCE's message loop step (juce_linux_Messaging.cpp): modal loops are off in this project, so the
// suite pumps the queue with the function runDispatchLoopUntil is built on (as the GUI tests do).
bool dispatchNextMessageOnSystemQueue (bool returnIfNoPendingMessages);
} // namespace juce

namespace imbolc::cli::bench
{
const char* const guiNeedsDisplaySentence =
    "imbolc bench gui needs an X display (DISPLAY is not set): run it under xvfb-run or Tests/Helpers/imbolc_with_xvfb.sh.";

bool guiBenchHasDisplay()
{
    const auto* display = std::getenv ("DISPLAY");
    return display != nullptr && *display != 0;
}

namespace
{
    constexpr double sampleRate = 48000.0;
    constexpr int blockSize = 512;
    constexpr int framesPerSecond = 30;

    //==============================================================================
    /** Counts how many components JUCE paints. Installed as every component's cached image: invalidate
        returns true, so repaints reach the peer exactly as without it, and paint() draws the component
        straight into the context (what paintWithinParentContext does without a cached image), counting. */
    struct PaintCounter
    {
        std::int64_t paints = 0;
    };

    class CountingImage final : public juce::CachedComponentImage
    {
    public:
        CountingImage (juce::Component& c, PaintCounter& p)
            : owner (c), counter (p) {}

        void paint (juce::Graphics& g) override
        {
            ++counter.paints;
            owner.paintEntireComponent (g, false); // paints owner and children; never calls back here
        }
        bool invalidateAll() override { return true; }
        bool invalidate (const juce::Rectangle<int>&) override { return true; }
        void releaseResources() override {}

    private:
        juce::Component& owner;
        PaintCounter& counter;
    };

    /** Gives every component under `c` (itself included) a counter; returns how many were new. */
    int installCounters (juce::Component& c, PaintCounter& counter)
    {
        int added = 0;
        if (dynamic_cast<CountingImage*> (c.getCachedComponentImage()) == nullptr)
        {
            c.setCachedComponentImage (new CountingImage (c, counter));
            ++added;
        }
        for (auto* child : c.getChildren())
            added += installCounters (*child, counter);
        return added;
    }

    int countComponents (juce::Component& c)
    {
        int n = 1;
        for (auto* child : c.getChildren())
            n += countComponents (*child);
        return n;
    }

    /** Components visible and at least partly inside every ancestor (not scrolled out of a viewport):
        what a whole-window repaint can reach. `clip` is in c's parent's coordinates. */
    int countOnScreen (juce::Component& c, juce::Rectangle<int> clip)
    {
        const auto visible = c.getBounds().getIntersection (clip);
        if (! c.isVisible() || visible.isEmpty())
            return 0;
        int n = 1;
        for (auto* child : c.getChildren())
            n += countOnScreen (*child, visible - c.getPosition());
        return n;
    }

    /** The top-level window holding the MainComponent: its paintOverChildren runs once for every paint
        the peer performs, so a measured step can tell that it really painted. */
    class Window final : public juce::Component
    {
    public:
        explicit Window (juce::Component& c)
            : content (c)
        {
            setOpaque (true);
            addAndMakeVisible (content);
        }
        void resized() override { content.setBounds (getLocalBounds()); }
        void paintOverChildren (juce::Graphics&) override { ++peerPaints; }

        std::int64_t peerPaints = 0;

    private:
        juce::Component& content;
    };

    /** What the app's own 30 Hz timer does (tick the session), optionally plus a naive full repaint. */
    struct AppTimer final : juce::Timer
    {
        std::function<void()> callback;
        void timerCallback() override { callback(); }
    };

    double processCpuSeconds()
    {
        timespec t {};
        clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &t);
        return (double) t.tv_sec + (double) t.tv_nsec * 1e-9;
    }

    double nanosSince (Clock::time_point start)
    {
        return (double) std::chrono::duration_cast<std::chrono::nanoseconds> (Clock::now() - start).count();
    }

    double percentile (std::vector<double> v, double p)
    {
        std::sort (v.begin(), v.end());
        const auto i = juce::jlimit<std::size_t> (0, v.size() - 1, (std::size_t) (p * (double) v.size()));
        return v[i];
    }

    std::optional<double> ratioOf (double baseline, double ours)
    {
        if (ours <= 0.0)
            return std::nullopt;
        return baseline / ours;
    }

    //==============================================================================
    /** The window as the app shows it: the large session in a SessionHost, the MainComponent with the
        mixer and the analysis panel visible, the first instrument selected, on the display. */
    struct Rig
    {
        gui::LookAndFeel lookAndFeel;
        PaintCounter counter;
        app::SessionHost host { [] { app::SessionHost::Options o; o.sampleRate = sampleRate; o.blockSize = blockSize; return o; }() };
        gui::GuiContext context { host };
        juce::ApplicationCommandManager commands;
        std::unique_ptr<gui::MainComponent> main;
        std::unique_ptr<Window> window;
        juce::ComponentPeer* peer = nullptr;
        model::InstrumentId selected;

        Rig()
        {
            juce::LookAndFeel::setDefaultLookAndFeel (&lookAndFeel);
            host.setSession (model::makeReferenceSession (model::ReferenceSize::large));
            main = std::make_unique<gui::MainComponent> (context, commands);
            commands.registerAllCommandsForTarget (main.get());
            commands.setFirstCommandTarget (main.get());
            main->setMixerVisible (true);
            main->setAnalysisVisible (true);
            selected = host.getSession().instruments.begin()->id;
            context.selection.selectInstrument (selected);

            window = std::make_unique<Window> (*main);
            window->setBounds (0, 0, 1400, 880); // the app's default window size
            window->addToDesktop (juce::ComponentPeer::windowIsTemporary);
            window->setVisible (true);
            peer = window->getPeer();
            settle (300);
        }

        ~Rig()
        {
            context.meters.stop();
            if (window != nullptr)
                window->removeFromDesktop();
            window.reset();
            main.reset();
            juce::LookAndFeel::setDefaultLookAndFeel (nullptr);
        }

        static void dispatchPending()
        {
            while (juce::dispatchNextMessageOnSystemQueue (true))
            {
            }
        }

        /** Runs the message loop for `ms` (asyncs, X events such as the shared-memory blit's completion,
            which the next paint waits for), with counters on any component created meanwhile. */
        void settle (int ms)
        {
            const auto end = Clock::now() + std::chrono::milliseconds (ms);
            do
            {
                dispatchPending();
                std::this_thread::sleep_for (std::chrono::milliseconds (1));
            } while (Clock::now() < end);
            if (installCounters (*main, counter) > 0)
            {
                peer->performAnyPendingRepaintsNow(); // setCachedComponentImage repaints: let that pass
                settle (ms);
            }
        }

        /** One display frame on the message thread: what the app's timers do, then the paint. */
        void frame (bool fullRepaint)
        {
            host.tick (0);
            context.meters.updateNow();
            if (fullRepaint)
                main->repaint();
            dispatchPending();
            peer->performAnyPendingRepaintsNow();
        }

        /** One edit as a view makes it, then the paint it causes. */
        void tweak (float value, bool fullRepaint)
        {
            context.perform (model::action::SetParam { model::ParamAddress::instrument (selected, model::ParamGroup::strip, 0), value });
            if (fullRepaint)
                main->repaint();
            dispatchPending();
            peer->performAnyPendingRepaintsNow();
        }
    };

    struct FrameFigures
    {
        std::vector<double> nanos, paints;
        int unpainted = 0; ///< frames whose paint had to wait for the previous blit (left out)
    };

    FrameFigures playFrames (Rig& rig, bool fullRepaint, int frames)
    {
        FrameFigures f;
        const auto period = std::chrono::microseconds (1000000 / framesPerSecond);
        auto next = Clock::now();
        while ((int) f.nanos.size() < frames && f.unpainted < frames)
        {
            const auto paints = rig.counter.paints;
            const auto peerPaints = rig.window->peerPaints;
            const auto start = Clock::now();
            rig.frame (fullRepaint);
            const auto nanos = nanosSince (start);
            if (rig.window->peerPaints == peerPaints)
                ++f.unpainted;
            else
            {
                f.nanos.push_back (nanos);
                f.paints.push_back ((double) (rig.counter.paints - paints));
            }
            // The rest of the frame: the loop runs (X events, the blit's completion) until the next one.
            next += period;
            do
            {
                Rig::dispatchPending();
                std::this_thread::sleep_for (std::chrono::milliseconds (1));
            } while (Clock::now() < next);
        }
        return f;
    }

    struct IdleFigures
    {
        double cpuShare = 0.0; ///< process CPU seconds per wall second
        double paintsPerSecond = 0.0;
    };

    IdleFigures idle (Rig& rig, bool fullRepaint, double seconds)
    {
        AppTimer appTimer;
        appTimer.callback = [&]
        {
            rig.host.tick (0);
            if (fullRepaint)
                rig.main->repaint();
        };
        rig.context.meters.start (framesPerSecond);
        appTimer.startTimerHz (framesPerSecond);
        // Unmeasured first: the meters' fall after the transport stopped, and the switch of variant.
        const auto warmUp = Clock::now() + std::chrono::milliseconds (1500);
        while (Clock::now() < warmUp)
            juce::dispatchNextMessageOnSystemQueue (false);
        const auto paints = rig.counter.paints;
        const auto cpu = processCpuSeconds();
        const auto start = Clock::now();
        const auto end = start + std::chrono::microseconds ((std::int64_t) (seconds * 1e6));
        while (Clock::now() < end)
            juce::dispatchNextMessageOnSystemQueue (false); // sleeps in poll() until something is due
        const auto wall = nanosSince (start) * 1e-9;
        IdleFigures f { (processCpuSeconds() - cpu) / wall, (double) (rig.counter.paints - paints) / wall };
        appTimer.stopTimer();
        rig.context.meters.stop();
        rig.settle (50);
        return f;
    }

    struct TweakFigures
    {
        std::vector<double> nanos, paints;
    };

    TweakFigures tweaks (Rig& rig, bool fullRepaint, int count)
    {
        TweakFigures f;
        for (int attempt = 0; (int) f.nanos.size() < count && attempt < count * 3; ++attempt)
        {
            rig.settle (30);
            const auto paints = rig.counter.paints;
            const auto peerPaints = rig.window->peerPaints;
            const auto value = (attempt % 2 == 0) ? 0.35f + 0.001f * (float) attempt : 0.65f - 0.001f * (float) attempt;
            const auto start = Clock::now();
            rig.tweak (value, fullRepaint);
            const auto nanos = nanosSince (start);
            if (rig.window->peerPaints == peerPaints)
                continue; // the paint waited for the previous blit: not a measurement
            f.nanos.push_back (nanos);
            f.paints.push_back ((double) (rig.counter.paints - paints));
        }
        return f;
    }

    std::string percent (double share)
    {
        return fixed (100.0 * share, 1) + " %";
    }

    //==============================================================================
    /** The arrangement view alone in the app's window size on the large session, scrolled down to where
        the last tracks meet the first automation lanes (1,000 points each), so both are in view. */
    struct ArrangementRig
    {
        static app::SessionHost::Options options()
        {
            app::SessionHost::Options o;
            o.sampleRate = sampleRate;
            o.blockSize = blockSize;
            return o;
        }

        gui::LookAndFeel lookAndFeel;
        app::SessionHost host { options() };
        gui::GuiContext context { host };
        std::unique_ptr<gui::ArrangementView> view;
        std::unique_ptr<Window> window;
        juce::ComponentPeer* peer = nullptr;
        model::Tick songEnd = 0;

        ArrangementRig()
        {
            juce::LookAndFeel::setDefaultLookAndFeel (&lookAndFeel);
            host.setSession (model::makeReferenceSession (model::ReferenceSize::large));
            for (const auto& p : host.getSession().arrangement.placements)
                songEnd = std::max (songEnd, p.start + 8 * model::ticksPerBeat);
            view = std::make_unique<gui::ArrangementView> (context);
            window = std::make_unique<Window> (*view);
            window->setBounds (0, 0, 1400, 880);
            window->addToDesktop (juce::ComponentPeer::windowIsTemporary);
            window->setVisible (true);
            peer = window->getPeer();
            view->scrollTracksTo ((int) host.getSession().instruments.size() * gui::ArrangementView::trackHeight - 6 * gui::ArrangementView::trackHeight);
            settle (300);
        }

        ~ArrangementRig()
        {
            if (window != nullptr)
                window->removeFromDesktop();
            window.reset();
            view.reset();
            juce::LookAndFeel::setDefaultLookAndFeel (nullptr);
        }

        static void settle (int ms)
        {
            const auto end = Clock::now() + std::chrono::milliseconds (ms);
            do
            {
                Rig::dispatchPending();
                std::this_thread::sleep_for (std::chrono::milliseconds (1));
            } while (Clock::now() < end);
        }

        /** One display frame: the app's tick, the meters (the play head), a scroll step if scrolling,
            the messages, the paint. */
        void frame (bool scrolling)
        {
            if (scrolling)
            {
                auto axis = view->getAxis();
                const auto next = axis.startTick + 24.0 / axis.pixelsPerTick; // 24 pixels a frame
                axis.scrollTo (next > (double) songEnd ? 0.0 : next);
                view->setAxis (axis);
            }
            host.tick (0);
            context.meters.updateNow();
            Rig::dispatchPending();
            peer->performAnyPendingRepaintsNow();
        }
    };

    FrameFigures arrangementFrames (ArrangementRig& rig, bool cull, bool scrolling, int frames)
    {
        rig.view->setCullsToVisibleRange (cull);
        rig.peer->performAnyPendingRepaintsNow();
        ArrangementRig::settle (30);
        FrameFigures f;
        const auto period = std::chrono::microseconds (1000000 / framesPerSecond);
        auto next = Clock::now();
        while ((int) f.nanos.size() < frames && f.unpainted < frames)
        {
            const auto peerPaints = rig.window->peerPaints;
            const auto start = Clock::now();
            rig.frame (scrolling);
            const auto nanos = nanosSince (start);
            if (rig.window->peerPaints == peerPaints)
                ++f.unpainted;
            else
                f.nanos.push_back (nanos);
            next += period;
            do
            {
                Rig::dispatchPending();
                std::this_thread::sleep_for (std::chrono::milliseconds (1));
            } while (Clock::now() < next);
        }
        return f;
    }

    /** Both variants in alternating halves, so a noisy neighbour weighs on both alike. */
    std::pair<FrameFigures, FrameFigures> arrangementRun (ArrangementRig& rig, bool scrolling, int frames)
    {
        std::pair<FrameFigures, FrameFigures> out;
        for (int half = 0; half < 2; ++half)
            for (auto* figures : { &out.first, &out.second })
            {
                const auto part = arrangementFrames (rig, figures == &out.first, scrolling, frames / 2);
                figures->nanos.insert (figures->nanos.end(), part.nanos.begin(), part.nanos.end());
                figures->unpainted += part.unpainted;
            }
        return out;
    }

    int benchArrangement()
    {
        std::cout << "\nOpening the arrangement view on the large session..." << std::flush;
        ArrangementRig rig;
        if (rig.peer == nullptr)
        {
            std::cerr << "imbolc bench gui could not put the arrangement's window on the display.\n";
            return 1;
        }
        std::cout << " done.\n";

        constexpr int frames = 200;
        auto scrolling = arrangementRun (rig, true, frames);
        std::pair<FrameFigures, FrameFigures> playing;
        std::int64_t blocksPlayed = 0;
        {
            PacedAudioThread audio (rig.host.getEngine(), sampleRate, blockSize);
            rig.view->setFollowPlayhead (true);
            rig.context.perform (model::action::Play {});
            ArrangementRig::settle (200);
            playing = arrangementRun (rig, false, frames);
            rig.context.perform (model::action::Stop {});
            ArrangementRig::settle (100);
            blocksPlayed = audio.blocksRendered();
        }

        header ("bench gui: arrangement view, message thread per frame, large session (64 tracks, 128 placements,\n  64 lanes of 1,000 points)", "no culling");
        for (const auto& [what, figures] : { std::pair { "scrolling 24 px a frame", &scrolling }, std::pair { "playing, following the head", &playing } })
        {
            if (figures->first.nanos.empty() || figures->second.nanos.empty())
            {
                std::cerr << "No arrangement frame painted: the display never finished a blit.\n";
                return 1;
            }
            const auto ours = percentile (figures->first.nanos, 0.5), all = percentile (figures->second.nanos, 0.5);
            const auto ours99 = percentile (figures->first.nanos, 0.99), all99 = percentile (figures->second.nanos, 0.99);
            row (std::string (what) + ": median", human (ours), human (all), ratioOf (all, ours));
            row (std::string (what) + ": 99th pct", human (ours99), human (all99), ratioOf (all99, ours99));
        }
        std::cout << "\n  Baseline: the same view drawing every note of every placement and every point of every lane\n"
                     "  (no culling to the visible range), alternating with ours in the same run. A frame is host.tick,\n"
                     "  MeterHub::updateNow, a scroll step when scrolling, the pending messages and the peer's paint,\n"
                     "  paced at 30 Hz; the window shows the last tracks and the first lanes. Playing: "
                  << blocksPlayed << " blocks rendered\n  on a paced audio thread; "
                  << scrolling.first.unpainted + scrolling.second.unpainted + playing.first.unpainted + playing.second.unpainted
                  << " frames left out (the paint waited for the previous blit).\n";
        return 0;
    }

    //==============================================================================
    /** The piano roll alone in a window, on one track of 10,000 notes (a sixteenth apart over 625 bars,
        pitches spread over three octaves), with culling on (ours) or off (the baseline that draws every
        note, as an editor without a visible-range search would). */
    struct RollRig
    {
        static constexpr int noteCount = 10000;

        app::SessionHost host { [] { app::SessionHost::Options o; o.sampleRate = sampleRate; o.blockSize = blockSize; return o; }() };
        gui::GuiContext context { host };
        std::unique_ptr<gui::PianoRollView> roll;
        std::unique_ptr<Window> window;
        juce::ComponentPeer* peer = nullptr;

        RollRig()
        {
            host.setSession (model::makeReferenceSession (model::ReferenceSize::small));
            const auto inst = host.getSession().instruments.begin()->id;
            model::action::EditNotes fill { inst, {} };
            for (const auto& n : host.getSession().pianoRoll.find (inst)->notes)
                fill.remove.push_back (n.id);
            for (int i = 0; i < noteCount; ++i)
                fill.add.push_back ({ {}, (model::Tick) i * model::ticksPerBeat / 4, model::ticksPerBeat / 4, (std::uint8_t) (48 + (i * 5) % 36), (std::uint8_t) (40 + i % 80), 1.0f });
            host.apply (fill);
            roll = std::make_unique<gui::PianoRollView> (context);
            roll->setFollowsSelection (false);
            roll->setSubject ({ inst, {}, {} });
            window = std::make_unique<Window> (*roll);
            window->setBounds (0, 0, 1400, 700);
            window->addToDesktop (juce::ComponentPeer::windowIsTemporary);
            window->setVisible (true);
            peer = window->getPeer();
            settle (300);
        }

        ~RollRig()
        {
            if (window != nullptr)
                window->removeFromDesktop();
            window.reset();
            roll.reset();
        }

        void settle (int ms)
        {
            const auto end = Clock::now() + std::chrono::milliseconds (ms);
            do
            {
                Rig::dispatchPending();
                std::this_thread::sleep_for (std::chrono::milliseconds (1));
            } while (Clock::now() < end);
        }

        /** Frames of zooming out and back in around the middle (a wheel gesture), each painted. */
        FrameFigures zoomFrames (bool cull, int frames)
        {
            roll->setCullingEnabled (cull);
            roll->scrollToTick (0.0);
            settle (30);
            FrameFigures out;
            for (int i = 0; i < frames; ++i)
            {
                const auto start = Clock::now();
                roll->zoomTime ((i / 10) % 2 == 0 ? 0.8 : 1.25);
                Rig::dispatchPending();
                peer->performAnyPendingRepaintsNow();
                out.nanos.push_back (nanosSince (start));
                out.paints.push_back (roll->getPaintedNoteCount());
                settle (5);
            }
            return out;
        }

        /** Frames while the song plays and the view follows the play head: tick, meters, paint. */
        FrameFigures playFrames (bool cull, int frames)
        {
            roll->setCullingEnabled (cull);
            FrameFigures out;
            for (int i = 0; i < frames; ++i)
            {
                const auto start = Clock::now();
                host.tick (0);
                context.meters.updateNow();
                Rig::dispatchPending();
                peer->performAnyPendingRepaintsNow();
                out.nanos.push_back (nanosSince (start));
                out.paints.push_back (roll->getPaintedNoteCount());
                settle (30);
            }
            return out;
        }
    };

    void benchPianoRoll()
    {
        std::cout << "Opening the piano roll on one track of " << RollRig::noteCount << " notes..." << std::flush;
        RollRig rig;
        if (rig.peer == nullptr)
            return void (std::cerr << "\nimbolc bench gui could not put the piano roll on the display.\n");
        std::cout << " done.\n";

        FrameFigures oursZoom, fullZoom, oursPlay, fullPlay;
        const auto append = [] (FrameFigures& to, const FrameFigures& from)
        {
            to.nanos.insert (to.nanos.end(), from.nanos.begin(), from.nanos.end());
            to.paints.insert (to.paints.end(), from.paints.begin(), from.paints.end());
        };
        for (int half = 0; half < 2; ++half)
        {
            append (oursZoom, rig.zoomFrames (true, 60));
            append (fullZoom, rig.zoomFrames (false, 60));
        }
        {
            PacedAudioThread audio (rig.host.getEngine(), sampleRate, blockSize);
            rig.context.perform (model::action::Play {});
            rig.settle (200);
            for (int half = 0; half < 2; ++half)
            {
                append (oursPlay, rig.playFrames (true, 60));
                append (fullPlay, rig.playFrames (false, 60));
            }
            rig.context.perform (model::action::Stop {});
            rig.settle (100);
        }

        header ("bench gui: piano roll, one track of 10,000 notes, 1400 x 700", "draws every note");
        const auto z = percentile (oursZoom.nanos, 0.5), zb = percentile (fullZoom.nanos, 0.5);
        row ("frame while zooming (median)", human (z), human (zb), ratioOf (zb, z));
        const auto zn = percentile (oursZoom.paints, 0.5), zbn = percentile (fullZoom.paints, 0.5);
        row ("notes drawn per zoom frame (median)", fixed (zn, 0), fixed (zbn, 0), ratioOf (zbn, zn));
        const auto p = percentile (oursPlay.nanos, 0.5), pb = percentile (fullPlay.nanos, 0.5);
        row ("frame while playing, following (median)", human (p), human (pb), ratioOf (pb, p));
        const auto p99 = percentile (oursPlay.nanos, 0.99), pb99 = percentile (fullPlay.nanos, 0.99);
        row ("frame while playing, 99th percentile", human (p99), human (pb99), ratioOf (pb99, p99));
        std::cout << "\n  Baseline: the same view with its visible-range search off, so every frame draws all 10,000\n"
                     "  notes (the clip still limits the pixels); a zoom frame is one zoom step and its paint, a play\n"
                     "  frame host.tick, MeterHub::updateNow and the paint of what the play head moved.\n";
    }
} // namespace

/** The whole window: playing, idle, one edit. */
static int benchWindow()
{
    std::cout << "Opening the window on the large session (64 instruments, 10,000 notes, 64 lanes)..." << std::flush;
    Rig rig;
    if (rig.peer == nullptr)
    {
        std::cout << "\n";
        std::cerr << "imbolc bench gui could not put its window on the display.\n";
        return 1;
    }
    std::cout << " done.\n";

    const auto allComponents = countComponents (*rig.main);
    const auto onScreenComponents = countOnScreen (*rig.main, rig.window->getLocalBounds());

    //==============================================================================
    constexpr int frames = 300;
    FrameFigures oursPlay, fullPlay;
    std::int64_t blocksPlayed = 0;
    {
        PacedAudioThread audio (rig.host.getEngine(), sampleRate, blockSize);
        rig.context.perform (model::action::Play {});
        rig.settle (200);
        // Alternating halves, so a noisy neighbour or the song's busier bars weigh on both alike.
        for (int half = 0; half < 2; ++half)
        {
            auto a = playFrames (rig, false, frames / 2);
            auto b = playFrames (rig, true, frames / 2);
            oursPlay.nanos.insert (oursPlay.nanos.end(), a.nanos.begin(), a.nanos.end());
            oursPlay.paints.insert (oursPlay.paints.end(), a.paints.begin(), a.paints.end());
            oursPlay.unpainted += a.unpainted;
            fullPlay.nanos.insert (fullPlay.nanos.end(), b.nanos.begin(), b.nanos.end());
            fullPlay.paints.insert (fullPlay.paints.end(), b.paints.begin(), b.paints.end());
            fullPlay.unpainted += b.unpainted;
        }
        rig.context.perform (model::action::Stop {});
        rig.settle (100);
        blocksPlayed = audio.blocksRendered();
    }

    header ("bench gui: message thread per frame, large session playing, every meter showing", "full repaint");
    if (oursPlay.nanos.empty() || fullPlay.nanos.empty())
    {
        std::cerr << "No frame painted: the display never finished a blit.\n";
        return 1;
    }
    const auto oursMedian = percentile (oursPlay.nanos, 0.5), fullMedian = percentile (fullPlay.nanos, 0.5);
    const auto ours99 = percentile (oursPlay.nanos, 0.99), full99 = percentile (fullPlay.nanos, 0.99);
    row ("frame: tick, meters, messages, paint (median)", human (oursMedian), human (fullMedian), ratioOf (fullMedian, oursMedian));
    row ("frame, 99th percentile", human (ours99), human (full99), ratioOf (full99, ours99));
    const auto oursFramePaints = percentile (oursPlay.paints, 0.5), fullFramePaints = percentile (fullPlay.paints, 0.5);
    row ("components painted per frame (median)", fixed (oursFramePaints, 0), fixed (fullFramePaints, 0), ratioOf (fullFramePaints, oursFramePaints));
    row ("share of a 30 Hz frame's 33.3 ms (median)", percent (oursMedian / 33.333e6), percent (fullMedian / 33.333e6), std::nullopt);

    //==============================================================================
    header ("bench gui: idle (transport stopped, nothing edited), 3 s each, timers at 30 Hz", "full repaint");
    const auto oursIdle = idle (rig, false, 3.0);
    const auto fullIdle = idle (rig, true, 3.0);
    row ("process CPU per second of wall time", percent (oursIdle.cpuShare), percent (fullIdle.cpuShare), ratioOf (fullIdle.cpuShare, oursIdle.cpuShare));
    row ("components painted per second", fixed (oursIdle.paintsPerSecond, 0), fixed (fullIdle.paintsPerSecond, 0), ratioOf (fullIdle.paintsPerSecond, oursIdle.paintsPerSecond));

    //==============================================================================
    TweakFigures oursTweak, fullTweak;
    {
        PacedAudioThread audio (rig.host.getEngine(), sampleRate, blockSize); // takes the engine's side of each edit, as in the app
        for (int half = 0; half < 2; ++half)
        {
            auto a = tweaks (rig, false, 30);
            auto b = tweaks (rig, true, 30);
            oursTweak.nanos.insert (oursTweak.nanos.end(), a.nanos.begin(), a.nanos.end());
            oursTweak.paints.insert (oursTweak.paints.end(), a.paints.begin(), a.paints.end());
            fullTweak.nanos.insert (fullTweak.nanos.end(), b.nanos.begin(), b.nanos.end());
            fullTweak.paints.insert (fullTweak.paints.end(), b.paints.begin(), b.paints.end());
        }
    }
    header ("bench gui: one edit (SetParam: the selected instrument's strip level), stopped", "full repaint");
    if (oursTweak.nanos.empty() || fullTweak.nanos.empty())
    {
        std::cerr << "No edit was painted: the display never finished a blit.\n";
        return 1;
    }
    const auto oursTweakNs = percentile (oursTweak.nanos, 0.5), fullTweakNs = percentile (fullTweak.nanos, 0.5);
    row ("perform to repaint finished (median)", human (oursTweakNs), human (fullTweakNs), ratioOf (fullTweakNs, oursTweakNs));
    const auto oursTweakPaints = percentile (oursTweak.paints, 0.5), fullTweakPaints = percentile (fullTweak.paints, 0.5);
    row ("components painted for the edit (median)", fixed (oursTweakPaints, 0), fixed (fullTweakPaints, 0), ratioOf (fullTweakPaints, oursTweakPaints));
    row ("components in the window (on screen / all)", std::to_string (onScreenComponents) + " / " + std::to_string (allComponents), "-", std::nullopt);

    std::cout << "\n  Ratios are baseline / imbolc: above 1 means Imbolc does less. Baseline: the same window and\n"
                 "  the same work with a repaint() of the whole MainComponent every frame (or with the edit), as a\n"
                 "  GUI that repaints every view each frame would. A frame is host.tick, MeterHub::updateNow,\n"
                 "  the pending messages and ComponentPeer::performAnyPendingRepaintsNow, paced at 30 Hz while the\n"
                 "  engine renders on its own thread at real-time pace ("
              << blocksPlayed << " blocks of " << blockSize << " played);\n"
                 "  " << oursPlay.nanos.size() << " + " << fullPlay.nanos.size() << " frames measured ("
              << oursPlay.unpainted + fullPlay.unpainted << " left out: the paint had to wait for the previous blit). Idle: no\n"
                 "  audio thread, the MeterHub and the app's tick timer at 30 Hz, the loop sleeping between them,\n"
                 "  measured after 1.5 s of the same (the meters' fall after the stop).\n"
                 "  Components painted: JUCE paint passes counted per component by a CachedComponentImage on each.\n";
    return 0;
}

int benchGui()
{
    if (! guiBenchHasDisplay())
    {
        std::cerr << guiNeedsDisplaySentence << "\n";
        return 1;
    }

    juce::ScopedJuceInitialiser_GUI juceGui;
    juce::MessageManager::getInstance()->setCurrentThreadAsMessageThread();
    if (juce::Desktop::getInstance().getDisplays().getPrimaryDisplay() == nullptr)
    {
        std::cerr << "imbolc bench gui could not open the X display " << std::getenv ("DISPLAY")
                  << ": run it under xvfb-run or Tests/Helpers/imbolc_with_xvfb.sh.\n";
        return 1;
    }
    // One window at a time: the app's window and the arrangement alone on the large session, then the
    // piano roll on one track of 10,000 notes.
    if (const auto status = benchWindow(); status != 0)
        return status;
    if (const auto status = benchArrangement(); status != 0)
        return status;
    benchPianoRoll();
    return 0;
}

} // namespace imbolc::cli::bench
