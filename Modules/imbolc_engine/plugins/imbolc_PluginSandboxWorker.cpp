// The sandbox process's side of the plugin sandbox (`imbolc plugin-sandbox`): one plugin, loaded with
// PluginHost into a PluginNode exactly as the engine loads it in process, served block by block
// through the shared block. The main thread is the JUCE message thread (control messages, the editor
// window); a processing thread, real-time where the system allows, renders.

namespace imbolc::engine
{
namespace
{
    /** A window of the sandbox process holding the plugin's editor; the close button closes it. */
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

    class SandboxWorker final : private juce::Timer
    {
    public:
        SandboxWorker (int fd, sandbox::SharedBlock& block)
            : controlFd (fd), shared (block)
        {
            audio.setSize (sandbox::numChannels, sandbox::maxBlockSamples);
            midi.ensureSize (sandbox::maxMidiEvents * 16);
        }

        int run()
        {
            reader = std::thread ([this]
                                  { readControl(); });
            startTimer (100);
            juce::MessageManager::getInstance()->runDispatchLoop();
            stopTimer();
            stopProcessing();
            editor.reset();
            node.reset();
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
                    juce::MessageManager::callAsync ([this, frame]
                                                     { handle (frame); });
                    continue;
                }
                // A stream cannot find its next frame after a malformed one: say why and end.
                juce::MessageManager::callAsync ([this, error]
                                                 {
                                                     if (error.isNotEmpty())
                                                         notice (error);
                                                     juce::MessageManager::getInstance()->stopDispatchLoop(); });
                return;
            }
        }

        void send (sandbox::MessageType type, std::uint32_t id, juce::MemoryBlock payload)
        {
            sandbox::Frame f;
            f.type = type;
            f.id = id;
            f.payload = std::move (payload);
            sandbox::writeFrame (controlFd, f);
        }

        void reply (std::uint32_t id, const sandbox::Reply& r) { send (sandbox::MessageType::reply, id, r.encode()); }

        void fail (std::uint32_t id, const juce::String& sentence)
        {
            sandbox::Reply r;
            r.text = sentence;
            reply (id, r);
        }

        void notice (const juce::String& text)
        {
            sandbox::PayloadWriter w;
            w.text (text);
            send (sandbox::MessageType::notice, 0, w.take());
        }

        void handle (const sandbox::Frame& f)
        {
            reportRejections();
            switch (f.type)
            {
                case sandbox::MessageType::load:
                    return load (f);
                case sandbox::MessageType::prepare:
                    return prepare (f);
                case sandbox::MessageType::getState:
                {
                    if (node == nullptr)
                        return fail (f.id, "No plugin is loaded in this sandbox.");
                    sandbox::Reply r;
                    r.ok = true;
                    r.data = node->captureState();
                    return reply (f.id, r);
                }
                case sandbox::MessageType::openEditor:
                    return openEditor (f.id);
                case sandbox::MessageType::closeEditor:
                {
                    editor.reset();
                    sandbox::Reply r;
                    r.ok = true;
                    return reply (f.id, r);
                }
                case sandbox::MessageType::quit:
                {
                    sandbox::Reply r;
                    r.ok = true;
                    reply (f.id, r);
                    juce::MessageManager::getInstance()->stopDispatchLoop();
                    return;
                }
                case sandbox::MessageType::reply:
                case sandbox::MessageType::notice:
                    return fail (f.id, "A plugin sandbox takes requests, not replies or notices.");
            }
        }

        void load (const sandbox::Frame& f)
        {
            sandbox::PayloadReader r (f.payload);
            std::uint8_t format = 0, source = 0;
            juce::String identifier;
            model::PluginRef ref;
            std::uint32_t mapped = 0, block = 0;
            double rate = 0.0;
            if (! (r.u8 (format) && r.text (identifier) && r.bytes (ref.state) && r.u32 (mapped) && r.u8 (source) && r.f64 (rate) && r.u32 (block) && r.atEnd()))
                return fail (f.id, "The request to load a plugin is malformed.");
            if (format > (std::uint8_t) model::PluginFormat::lv2 || source > 1 || mapped > (std::uint32_t) sandbox::maxParameters
                || ! (rate > 0.0 && rate <= 1.0e6) || block < 1 || block > (std::uint32_t) sandbox::maxBlockSamples)
                return fail (f.id, "The request to load a plugin has values out of range.");
            if (node != nullptr)
                return fail (f.id, "This sandbox already has a plugin loaded.");
            ref.format = (model::PluginFormat) format;
            ref.identifier = identifier.toStdString();
            isSource = source == 1;

            juce::String error;
            auto instance = host.createInstance (ref, rate, (int) block, error);
            if (instance == nullptr)
                return fail (f.id, error);
            auto params = PluginHost::getParameters (*instance);
            if (params.size() > mapped)
                params.resize (mapped);
            sandbox::Reply reply;
            reply.ok = true;
            reply.text = instance->getName();
            reply.warning = error; // a state that could not be applied: the plugin runs from its defaults
            reply.b = instance->hasEditor() ? 1 : 0;
            node = std::make_unique<PluginNode> (std::move (instance), ref, params, isSource);
            reply.a = node->getNumMappedParameters();
            this->reply (f.id, reply);
        }

        void prepare (const sandbox::Frame& f)
        {
            if (node == nullptr)
                return fail (f.id, "No plugin is loaded in this sandbox.");
            sandbox::PayloadReader r (f.payload);
            double rate = 0.0;
            std::uint32_t block = 0, count = 0;
            if (! (r.f64 (rate) && r.u32 (block) && r.u32 (count)) || ! (rate > 0.0 && rate <= 1.0e6) || block < 1
                || block > (std::uint32_t) sandbox::maxBlockSamples || count > (std::uint32_t) node->getNumMappedParameters())
                return fail (f.id, "The request to prepare the plugin is malformed or out of range.");
            std::vector<float> values (count);
            for (auto& v : values)
                if (! r.f32 (v) || ! std::isfinite (v))
                    return fail (f.id, "The request to prepare the plugin has a parameter value that is not a number.");
            if (! r.atEnd())
                return fail (f.id, "The request to prepare the plugin has bytes after its end.");

            stopProcessing();
            for (std::size_t i = 0; i < values.size(); ++i)
                node->setParameterRamp ((int) i, values[i], 0);
            node->setPlayConfigDetails (2, 2, rate, (int) block);
            node->prepareToPlay (rate, (int) block);
            preparedBlock = (int) block;
            mappedCount = (int) count;
            shared.latency.store (node->getPublishedLatencySamples(), std::memory_order_relaxed);
            startProcessing();

            sandbox::Reply reply;
            reply.ok = true;
            reply.a = node->getPublishedLatencySamples();
            this->reply (f.id, reply);
        }

        void openEditor (std::uint32_t id)
        {
            if (node == nullptr)
                return fail (id, "No plugin is loaded in this sandbox.");
            if (editor != nullptr)
            {
                editor->toFront (true);
                sandbox::Reply r;
                r.ok = true;
                return reply (id, r);
            }
            auto& instance = node->getInstance();
            if (! instance.hasEditor())
                return fail (id, "The plugin \"" + instance.getName() + "\" has no editor.");
            if (juce::SystemStats::getEnvironmentVariable ("DISPLAY", {}).isEmpty() && juce::SystemStats::getEnvironmentVariable ("WAYLAND_DISPLAY", {}).isEmpty())
                return fail (id, "The plugin sandbox has no display (DISPLAY is not set), so it cannot show the editor of \"" + instance.getName() + "\".");
            auto* view = instance.createEditorIfNeeded();
            if (view == nullptr)
                return fail (id, "The plugin \"" + instance.getName() + "\" could not make its editor.");
            editor = std::make_unique<SandboxEditorWindow> (instance.getName(), view, [this]
                                                            {
                                                               // Deleted after the click that closed it has been handled.
                                                               juce::MessageManager::callAsync ([this]
                                                                                                {
                                                                                                    editor.reset();
                                                                                                    notice ("editor-closed"); }); });
            sandbox::Reply r;
            r.ok = true;
            reply (id, r);
        }

        /** What the processing thread refused since the last look, as one sentence for the engine. */
        void reportRejections()
        {
            const auto why = rejectedWhy.exchange (0);
            if (why == 0)
                return;
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
            notice (sentence);
        }

        //======================================================================
        // Processing.
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

        int controlFd;
        sandbox::SharedBlock& shared;
        PluginHost host;
        std::unique_ptr<PluginNode> node;
        std::unique_ptr<SandboxEditorWindow> editor;
        bool isSource = false;
        int preparedBlock = 0, mappedCount = 0;
        juce::AudioBuffer<float> audio;
        juce::MidiBuffer midi;
        std::thread reader, processor;
        std::atomic<bool> stopping { false };
        std::atomic<int> rejectedWhy { 0 }, rejectedValue { 0 };
    };
} // namespace

int runPluginSandboxWorker (int controlFd, int sharedFd)
{
    // Dies with the engine that started it, whatever way the engine ends.
    ::prctl (PR_SET_PDEATHSIG, SIGKILL);
    ::signal (SIGPIPE, SIG_IGN);

    struct stat info = {};
    if (controlFd < 0 || sharedFd < 0 || ::fstat (sharedFd, &info) != 0 || (std::size_t) info.st_size != sizeof (sandbox::SharedBlock))
    {
        std::cerr << "imbolc plugin-sandbox: the shared block is missing or not " << sizeof (sandbox::SharedBlock) << " bytes.\n";
        return 2;
    }
    void* mapped = ::mmap (nullptr, sizeof (sandbox::SharedBlock), PROT_READ | PROT_WRITE, MAP_SHARED, sharedFd, 0);
    if (mapped == MAP_FAILED)
    {
        std::cerr << "imbolc plugin-sandbox: could not map the shared block.\n";
        return 2;
    }
    auto& shared = *static_cast<sandbox::SharedBlock*> (mapped);
    if (shared.magic != sandbox::sharedMagic || shared.version != sandbox::sharedVersion || shared.size != sizeof (sandbox::SharedBlock))
    {
        std::cerr << "imbolc plugin-sandbox: the shared block is not a version " << sandbox::sharedVersion << " Imbolc sandbox block.\n";
        return 2;
    }

    juce::ScopedJuceInitialiser_GUI gui;
    int result = 0;
    {
        SandboxWorker worker (controlFd, shared);
        result = worker.run();
    }
    ::munmap (mapped, sizeof (sandbox::SharedBlock));
    return result;
}

} // namespace imbolc::engine
