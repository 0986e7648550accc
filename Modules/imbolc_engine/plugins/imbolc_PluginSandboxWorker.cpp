// The sandbox process's side of the plugin sandbox (`imbolc plugin-sandbox`): one or more plugins
// (slots), each loaded with PluginHost into a PluginNode exactly as the engine loads it in process, and
// served block by block through its own shared block, which comes over the control socket with the
// request that loads it. The main thread is the JUCE message thread (control messages, the editor
// windows); each slot has a processing thread, real-time where the system allows, so plugins sharing
// this process render in parallel and a slow one does not hold up the others' answers.

namespace imbolc::engine
{
namespace
{
    /** Whether the sandbox was started with a display (DISPLAY or WAYLAND_DISPLAY set): only then can
        it show an editor. Set once, before JUCE starts. */
    bool hasDisplay = false;

    /** A window of the sandbox process holding a plugin's editor; the close button closes it. */
    class SandboxEditorWindow final : public juce::DocumentWindow
    {
    public:
        SandboxEditorWindow (const juce::String& title, juce::AudioProcessorEditor* editor, std::function<void()> onClose)
            : juce::DocumentWindow (title, juce::Colours::darkgrey, juce::DocumentWindow::closeButton | juce::DocumentWindow::minimiseButton)
            , closed (std::move (onClose))
        {
            // JUCE's own title bar: a native one needs window-manager atoms that a bare X server
            // (Xvfb, a kiosk) does not have, and asking for them there is a fatal X error.
            setUsingNativeTitleBar (false);
            setContentOwned (editor, true);
            setResizable (editor->isResizable(), false);
            centreWithSize (getWidth(), getHeight());
            setVisible (true);
        }

        void closeButtonPressed() override { closed(); }

    private:
        std::function<void()> closed;
    };

    /** One plugin of the sandbox: its shared block (mapped here), its node, its editor and the thread
        that renders its blocks. Message thread, but for the processing thread's own functions. */
    class SandboxSlot
    {
    public:
        SandboxSlot (int blockFd, sandbox::SharedBlock& block, std::unique_ptr<PluginNode> pluginNode)
            : fd (blockFd), shared (block), node (std::move (pluginNode))
        {
            audio.setSize (sandbox::numChannels, sandbox::maxBlockSamples);
            midi.ensureSize (sandbox::maxMidiEvents * 16);
        }

        ~SandboxSlot()
        {
            stopProcessing();
            editor.reset();
            node.reset();
            ::munmap (&shared, sizeof (sandbox::SharedBlock));
            ::close (fd);
        }

        PluginNode& getNode() noexcept { return *node; }
        std::unique_ptr<SandboxEditorWindow> editor;

        /** Prepares the plugin (the request's values checked) and starts the processing thread. */
        void prepare (double rate, int block, const std::vector<float>& values)
        {
            stopProcessing();
            for (std::size_t i = 0; i < values.size(); ++i)
                node->setParameterRamp ((int) i, values[i], 0);
            node->setPlayConfigDetails (2, 2, rate, block);
            node->prepareToPlay (rate, block);
            preparedBlock = block;
            mappedCount = (int) values.size();
            shared.latency.store (node->getPublishedLatencySamples(), std::memory_order_relaxed);
            startProcessing();
        }

        /** What the processing thread refused since the last look, as one sentence (empty: nothing). */
        juce::String takeRejections()
        {
            const auto why = rejectedWhy.exchange (0);
            if (why == 0)
                return {};
            const auto value = rejectedValue.load();
            juce::String sentence = "the sandbox refused a block whose ";
            if (why == 1)
                sentence << "sample count (" << value << ") is not between 1 and the prepared block size (" << preparedBlock << ")";
            else if (why == 2)
                sentence << "MIDI event count (" << value << ") is not between 0 and " << sandbox::maxMidiEvents;
            else if (why == 3)
                sentence << "parameter count (" << value << ") is not between 0 and " << mappedCount;
            else if (why == 4)
                sentence << "MIDI event " << value << " has a size or a sample position out of range";
            else
                sentence << "parameter " << value << " is not a number between 0 and 1";
            return sentence;
        }

    private:
        void startProcessing()
        {
            stopping = false;
            // Whatever request is in the block now is old (the engine is parked while it prepares):
            // it is answered here, before the prepare's reply goes out, so the first request the
            // thread sees is the engine's next one however late the thread gets going.
            const auto current = shared.request.load (std::memory_order_acquire);
            shared.reply.store (current, std::memory_order_release);
            processor = std::thread ([this, current]
                                     { process (current); });
        }

        void stopProcessing()
        {
            if (! processor.joinable())
                return;
            stopping = true; // seen within the thread's next futex wait (50 ms at most)
            processor.join();
        }

        void process (std::uint32_t seen)
        {
            // Real-time where the system allows it (rtprio limits); plain otherwise.
            sched_param param {};
            param.sched_priority = juce::jlimit (sched_get_priority_min (SCHED_FIFO), sched_get_priority_max (SCHED_FIFO), 70);
            pthread_setschedparam (pthread_self(), SCHED_FIFO, &param);

            while (! stopping.load (std::memory_order_relaxed))
            {
                const auto now = shared.request.load (std::memory_order_acquire);
                if (now == seen)
                {
                    sandbox::futexWait (shared.request, seen, 50'000'000); // wakes at least every 50 ms to see `stopping`
                    continue;
                }
                seen = now;
                shared.replySamples = renderBlock();
                shared.latency.store (node->getPublishedLatencySamples(), std::memory_order_relaxed);
                shared.reply.store (seen, std::memory_order_release);
                sandbox::futexWake (shared.reply);
            }
        }

        /** Renders the request in the shared block; 0 (and silence) if any count in it is out of range. */
        int renderBlock() noexcept
        {
            const int n = shared.numSamples, events = shared.numMidi, params = shared.numParams;
            auto refuse = [this] (int why, int value)
            {
                rejectedValue.store (value);
                rejectedWhy.store (why);
                shared.rejected.fetch_add (1);
                for (auto& channel : shared.audioOut)
                    std::fill (std::begin (channel), std::end (channel), 0.0f);
                return 0;
            };
            if (n < 1 || n > preparedBlock)
                return refuse (1, n);
            if (events < 0 || events > sandbox::maxMidiEvents)
                return refuse (2, events);
            if (params < 0 || params > mappedCount)
                return refuse (3, params);
            midi.clear();
            for (int e = 0; e < events; ++e)
            {
                const auto& ev = shared.midi[e];
                if (ev.size < 1 || ev.size > 3 || ev.sample < 0 || ev.sample >= n)
                    return refuse (4, e);
                midi.addEvent (ev.bytes, ev.size, ev.sample);
            }
            for (int i = 0; i < params; ++i)
            {
                const float value = node->isParameterStepped (i) ? shared.targets[i] : shared.values[i];
                if (! (value >= 0.0f && value <= 1.0f))
                    return refuse (5, i);
                node->setParameterRamp (i, value, 0);
            }
            juce::AudioBuffer<float> view (audio.getArrayOfWritePointers(), sandbox::numChannels, n);
            for (int c = 0; c < sandbox::numChannels; ++c)
                juce::FloatVectorOperations::copy (view.getWritePointer (c), shared.audioIn[c], n);
            node->processBlock (view, midi);
            for (int c = 0; c < sandbox::numChannels; ++c)
                juce::FloatVectorOperations::copy (shared.audioOut[c], view.getReadPointer (c), n);
            return n;
        }

        int fd;
        sandbox::SharedBlock& shared;
        std::unique_ptr<PluginNode> node;
        int preparedBlock = 0, mappedCount = 0;
        juce::AudioBuffer<float> audio;
        juce::MidiBuffer midi;
        std::thread processor;
        std::atomic<bool> stopping { false };
        std::atomic<int> rejectedWhy { 0 }, rejectedValue { 0 };
    };

    class SandboxWorker final : private juce::Timer
    {
    public:
        explicit SandboxWorker (int fd)
            : controlFd (fd)
        {
        }

        int run()
        {
            reader = std::thread ([this]
                                  { readControl(); });
            startTimer (100);
            juce::MessageManager::getInstance()->runDispatchLoop();
            stopTimer();
            slots.clear(); // each slot's thread ends, its editor and plugin go
            ::shutdown (controlFd, SHUT_RDWR); // ends the reader's recv
            reader.join();
            return 0;
        }

    private:
        void timerCallback() override { reportRejections(); }

        //======================================================================
        // Control, on the message thread.
        void readControl()
        {
            for (;;)
            {
                sandbox::Frame frame;
                juce::String error;
                const auto r = sandbox::readFrame (controlFd, frame, -1, error);
                if (r == sandbox::ReadResult::ok)
                {
                    // The frame's descriptors go with it and are closed or kept by handle().
                    juce::MessageManager::callAsync ([this, frame]() mutable
                                                     { handle (frame); });
                    continue;
                }
                // A stream cannot find its next frame after a malformed one: say why and end.
                juce::MessageManager::callAsync ([this, error]
                                                 {
                                                     if (error.isNotEmpty())
                                                         notice (0, error);
                                                     juce::MessageManager::getInstance()->stopDispatchLoop(); });
                return;
            }
        }

        void send (sandbox::MessageType type, std::uint32_t id, std::uint32_t slot, juce::MemoryBlock payload)
        {
            sandbox::Frame f;
            f.type = type;
            f.id = id;
            f.slot = slot;
            f.payload = std::move (payload);
            sandbox::writeFrame (controlFd, f);
        }

        void reply (const sandbox::Frame& request, const sandbox::Reply& r) { send (sandbox::MessageType::reply, request.id, request.slot, r.encode()); }

        void ok (const sandbox::Frame& request)
        {
            sandbox::Reply r;
            r.ok = true;
            reply (request, r);
        }

        void fail (const sandbox::Frame& request, const juce::String& sentence)
        {
            sandbox::Reply r;
            r.text = sentence;
            reply (request, r);
        }

        void notice (std::uint32_t slot, const juce::String& text)
        {
            sandbox::PayloadWriter w;
            w.text (text);
            send (sandbox::MessageType::notice, 0, slot, w.take());
        }

        SandboxSlot* find (std::uint32_t slot)
        {
            const auto it = slots.find (slot);
            return it == slots.end() ? nullptr : it->second.get();
        }

        void handle (sandbox::Frame& f)
        {
            reportRejections();
            if (f.type == sandbox::MessageType::load)
                return load (f);
            if (! f.fds.empty())
            {
                const auto count = f.fds.size();
                sandbox::closeDescriptors (f);
                return fail (f, "Only a request to load a plugin carries a descriptor; this one carries " + juce::String ((int) count) + ".");
            }
            if (f.type == sandbox::MessageType::quit)
            {
                if (f.slot != 0)
                    return fail (f, "A request to quit is for the whole sandbox, slot 0, not slot " + juce::String (f.slot) + ".");
                ok (f);
                juce::MessageManager::getInstance()->stopDispatchLoop();
                return;
            }
            if (f.type == sandbox::MessageType::reply || f.type == sandbox::MessageType::notice)
                return fail (f, "A plugin sandbox takes requests, not replies or notices.");
            auto* slot = find (f.slot);
            if (slot == nullptr)
                return fail (f, "This sandbox has no plugin in slot " + juce::String (f.slot) + ".");
            switch (f.type)
            {
                case sandbox::MessageType::prepare:
                    return prepare (f, *slot);
                case sandbox::MessageType::getState:
                {
                    sandbox::Reply r;
                    r.ok = true;
                    r.data = slot->getNode().captureState();
                    return reply (f, r);
                }
                case sandbox::MessageType::openEditor:
                    return openEditor (f, *slot);
                case sandbox::MessageType::closeEditor:
                    slot->editor.reset();
                    return ok (f);
                case sandbox::MessageType::unload:
                    slots.erase (f.slot);
                    return ok (f);
                case sandbox::MessageType::load:
                case sandbox::MessageType::quit:
                case sandbox::MessageType::reply:
                case sandbox::MessageType::notice:
                    break;
            }
        }

        void load (sandbox::Frame& f)
        {
            // Whatever is refused, the descriptors that came are closed: only a slot keeps one.
            auto fds = std::exchange (f.fds, {});
            const auto closeAll = [&fds]
            {
                for (const auto fd : fds)
                    if (fd >= 0)
                        ::close (fd);
            };
            const auto refuse = [&] (const juce::String& sentence)
            {
                closeAll();
                fail (f, sentence);
            };
            if (f.slot == 0)
                return refuse ("A plugin cannot be loaded into slot 0, which stands for the whole sandbox.");
            if (slots.count (f.slot) != 0)
                return refuse ("Slot " + juce::String (f.slot) + " of this sandbox already has a plugin loaded.");
            if (slots.size() >= sandbox::maxSlots)
                return refuse ("This sandbox already serves " + juce::String ((int) sandbox::maxSlots) + " plugins, its most.");

            sandbox::PayloadReader r (f.payload);
            std::uint8_t format = 0, source = 0;
            juce::String identifier;
            model::PluginRef ref;
            std::uint32_t mapped = 0, block = 0;
            double rate = 0.0;
            if (! (r.u8 (format) && r.text (identifier) && r.bytes (ref.state) && r.u32 (mapped) && r.u8 (source) && r.f64 (rate) && r.u32 (block) && r.atEnd()))
                return refuse ("The request to load a plugin is malformed.");
            if (format > (std::uint8_t) model::PluginFormat::lv2 || source > 1 || mapped > (std::uint32_t) sandbox::maxParameters
                || ! (rate > 0.0 && rate <= 1.0e6) || block < 1 || block > (std::uint32_t) sandbox::maxBlockSamples)
                return refuse ("The request to load a plugin has values out of range.");

            // Its shared block: exactly one descriptor, of exactly the block's size, with this
            // version's header naming this slot.
            if (fds.size() != 1 || fds[0] < 0)
                return refuse ("The request to load a plugin must carry exactly one descriptor (its shared block), not " + juce::String ((int) fds.size()) + ".");
            struct stat info = {};
            if (::fstat (fds[0], &info) != 0 || ! S_ISREG (info.st_mode) || (std::size_t) info.st_size != sizeof (sandbox::SharedBlock))
                return refuse ("The shared block sent with the request to load a plugin is not " + juce::String ((int) sizeof (sandbox::SharedBlock)) + " bytes of shared memory.");
            void* mappedBlock = ::mmap (nullptr, sizeof (sandbox::SharedBlock), PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
            if (mappedBlock == MAP_FAILED)
                return refuse ("The shared block sent with the request to load a plugin could not be mapped.");
            auto& shared = *static_cast<sandbox::SharedBlock*> (mappedBlock);
            if (shared.magic != sandbox::sharedMagic || shared.version != sandbox::sharedVersion || shared.size != sizeof (sandbox::SharedBlock) || shared.slot != f.slot)
            {
                ::munmap (mappedBlock, sizeof (sandbox::SharedBlock));
                return refuse ("The shared block sent with the request to load a plugin is not a version " + juce::String (sandbox::sharedVersion) + " Imbolc sandbox block for slot " + juce::String (f.slot) + ".");
            }

            ref.format = (model::PluginFormat) format;
            ref.identifier = identifier.toStdString();
            juce::String error;
            auto instance = host.createInstance (ref, rate, (int) block, error);
            if (instance == nullptr)
            {
                ::munmap (mappedBlock, sizeof (sandbox::SharedBlock));
                return refuse (error);
            }
            auto params = PluginHost::getParameters (*instance);
            if (params.size() > mapped)
                params.resize (mapped);
            sandbox::Reply reply;
            reply.ok = true;
            reply.text = instance->getName();
            reply.warning = error; // a state that could not be applied: the plugin runs from its defaults
            reply.b = instance->hasEditor() ? 1 : 0;
            auto node = std::make_unique<PluginNode> (std::move (instance), ref, params, source == 1);
            reply.a = node->getNumMappedParameters();
            slots[f.slot] = std::make_unique<SandboxSlot> (fds[0], shared, std::move (node));
            this->reply (f, reply);
        }

        void prepare (const sandbox::Frame& f, SandboxSlot& slot)
        {
            sandbox::PayloadReader r (f.payload);
            double rate = 0.0;
            std::uint32_t block = 0, count = 0;
            if (! (r.f64 (rate) && r.u32 (block) && r.u32 (count)) || ! (rate > 0.0 && rate <= 1.0e6) || block < 1
                || block > (std::uint32_t) sandbox::maxBlockSamples || count > (std::uint32_t) slot.getNode().getNumMappedParameters())
                return fail (f, "The request to prepare the plugin is malformed or out of range.");
            std::vector<float> values (count);
            for (auto& v : values)
                if (! r.f32 (v) || ! std::isfinite (v))
                    return fail (f, "The request to prepare the plugin has a parameter value that is not a number.");
            if (! r.atEnd())
                return fail (f, "The request to prepare the plugin has bytes after its end.");

            slot.prepare (rate, (int) block, values);
            sandbox::Reply reply;
            reply.ok = true;
            reply.a = slot.getNode().getPublishedLatencySamples();
            this->reply (f, reply);
        }

        void openEditor (const sandbox::Frame& f, SandboxSlot& slot)
        {
            if (slot.editor != nullptr)
            {
                slot.editor->toFront (true);
                return ok (f);
            }
            auto& instance = slot.getNode().getInstance();
            if (! instance.hasEditor())
                return fail (f, "The plugin \"" + instance.getName() + "\" has no editor.");
            if (! hasDisplay)
                return fail (f, "The plugin sandbox has no display (DISPLAY is not set), so it cannot show the editor of \"" + instance.getName() + "\".");
            auto* view = instance.createEditorIfNeeded();
            if (view == nullptr)
                return fail (f, "The plugin \"" + instance.getName() + "\" could not make its editor.");
            const auto id = f.slot;
            slot.editor = std::make_unique<SandboxEditorWindow> (instance.getName(), view, [this, id]
                                                                 {
                                                                    // Deleted after the click that closed it has been handled (by slot id:
                                                                    // the plugin may have been unloaded by then).
                                                                    juce::MessageManager::callAsync ([this, id]
                                                                                                     {
                                                                                                         if (auto* s = find (id); s != nullptr && s->editor != nullptr)
                                                                                                         {
                                                                                                             s->editor.reset();
                                                                                                             notice (id, "editor-closed");
                                                                                                         } }); });
            ok (f);
        }

        /** What the processing threads refused since the last look, one sentence per slot. */
        void reportRejections()
        {
            for (auto& [id, slot] : slots)
                if (const auto sentence = slot->takeRejections(); sentence.isNotEmpty())
                    notice (id, sentence);
        }

        int controlFd;
        PluginHost host;
        std::map<std::uint32_t, std::unique_ptr<SandboxSlot>> slots;
        std::thread reader;
    };
} // namespace

int runPluginSandboxWorker (int controlFd)
{
    // Dies with the engine that started it, whatever way the engine ends.
    ::prctl (PR_SET_PDEATHSIG, SIGKILL);
    ::signal (SIGPIPE, SIG_IGN);

    struct stat info = {};
    if (controlFd < 0 || ::fstat (controlFd, &info) != 0 || ! S_ISSOCK (info.st_mode))
    {
        std::cerr << "imbolc plugin-sandbox: the control descriptor is missing or not a socket.\n";
        return 2;
    }

    // A sandbox started without a display must not find one: JUCE (ours, and a JUCE plugin's own copy)
    // falls back to ":0.0" when DISPLAY is unset or empty, which may be another session's X server, and
    // Xlib ends the process when that server goes (it did, under parallel tests). A display name no
    // server answers to keeps every JUCE in this process headless; editors then say there is no display.
    const auto* display = std::getenv ("DISPLAY");
    const auto* wayland = std::getenv ("WAYLAND_DISPLAY");
    hasDisplay = (display != nullptr && *display != 0) || (wayland != nullptr && *wayland != 0);
    if (! hasDisplay)
        ::setenv ("DISPLAY", ":imbolc-sandbox-has-no-display", 1);

    juce::ScopedJuceInitialiser_GUI gui;
    SandboxWorker worker (controlFd);
    return worker.run();
}

} // namespace imbolc::engine
