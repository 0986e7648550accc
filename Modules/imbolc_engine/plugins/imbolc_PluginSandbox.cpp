// The plugin sandbox: the engine's side (SandboxProcess, PluginSandbox, SandboxedPluginNode) and the
// wire both sides share (the shared blocks, the futexes, the control frames with their slots and
// descriptors). The sandbox process's side is in imbolc_PluginSandboxWorker.cpp.

namespace imbolc::engine
{

//==============================================================================
juce::StringArray PluginSandboxOptions::defaultWorkerCommand()
{
    // The same search a plugin build makes for the scan worker: a build tree or an install keeps the
    // command-line tool beside (or a few folders above) whatever binary this is.
    auto dir = juce::File::getSpecialLocation (juce::File::currentExecutableFile).getParentDirectory();
    for (int up = 0; up < 6 && dir.exists(); ++up, dir = dir.getParentDirectory())
        if (const auto candidate = dir.getChildFile ("imbolc"); candidate.existsAsFile() && ! candidate.isDirectory())
            return { candidate.getFullPathName(), "plugin-sandbox" };
    for (const auto& folder : juce::StringArray::fromTokens (juce::SystemStats::getEnvironmentVariable ("PATH", {}), ":", {}))
        if (folder.isNotEmpty())
            if (const auto candidate = juce::File (folder).getChildFile ("imbolc"); candidate.existsAsFile())
                return { candidate.getFullPathName(), "plugin-sandbox" };
    return {};
}

namespace sandbox
{
    void futexWake (std::atomic<std::uint32_t>& word) noexcept
    {
        static_assert (sizeof (std::atomic<std::uint32_t>) == sizeof (std::uint32_t) && std::atomic<std::uint32_t>::is_always_lock_free);
        syscall (SYS_futex, reinterpret_cast<std::uint32_t*> (&word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
    }

    void futexWait (std::atomic<std::uint32_t>& word, std::uint32_t expected, std::int64_t timeoutNs) noexcept
    {
        if (timeoutNs <= 0)
            return;
        timespec timeout {};
        timeout.tv_sec = (time_t) (timeoutNs / 1000000000);
        timeout.tv_nsec = (long) (timeoutNs % 1000000000);
        syscall (SYS_futex, reinterpret_cast<std::uint32_t*> (&word), FUTEX_WAIT, expected, &timeout, nullptr, 0);
    }

    SharedMemory::~SharedMemory()
    {
        if (block != nullptr)
            ::munmap (block, sizeof (SharedBlock));
        if (fd >= 0)
            ::close (fd);
    }

    bool SharedMemory::create (std::uint32_t slot, juce::String& error)
    {
        // A name only for the moment it takes to open it: unlinked at once, the block lives as long as
        // the descriptors and mappings do, so nothing is left in /dev/shm whoever dies.
        static std::atomic<int> counter { 0 };
        const auto name = "/imbolc-sandbox-" + std::to_string (::getpid()) + "-" + std::to_string (counter++);
        fd = ::shm_open (name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
        {
            error = "Could not create the plugin sandbox's shared memory (" + juce::String (std::strerror (errno)) + ").";
            return false;
        }
        ::shm_unlink (name.c_str());
        void* mapped = MAP_FAILED;
        if (::ftruncate (fd, (off_t) sizeof (SharedBlock)) == 0)
            mapped = ::mmap (nullptr, sizeof (SharedBlock), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (mapped == MAP_FAILED)
        {
            error = "Could not map the plugin sandbox's shared memory (" + juce::String (std::strerror (errno)) + ").";
            return false;
        }
        block = new (mapped) SharedBlock; // zero-filled by ftruncate; atomics start at 0
        block->magic = sharedMagic;
        block->version = sharedVersion;
        block->size = (std::uint32_t) sizeof (SharedBlock);
        block->slot = slot;
        return true;
    }

    void closeDescriptors (Frame& frame) noexcept
    {
        for (const auto fd : frame.fds)
            if (fd >= 0)
                ::close (fd);
        frame.fds.clear();
    }

    namespace
    {
        constexpr std::size_t headerBytes = 20;
        /** Descriptors one read takes in; more (a sender that is not Imbolc's) are cut off and counted. */
        constexpr int maxDescriptorsPerRead = 4;

        bool isKnownType (std::uint16_t t) noexcept
        {
            return (t >= (std::uint16_t) MessageType::load && t <= (std::uint16_t) MessageType::unload)
                   || t == (std::uint16_t) MessageType::reply || t == (std::uint16_t) MessageType::notice;
        }

        /** One recvmsg: data into `dest`, descriptors that came with it onto `fds` (close-on-exec). */
        ssize_t receive (int fd, void* dest, std::size_t n, std::vector<int>& fds)
        {
            iovec io { dest, n };
            alignas (cmsghdr) char control[CMSG_SPACE (sizeof (int) * maxDescriptorsPerRead)];
            msghdr msg {};
            msg.msg_iov = &io;
            msg.msg_iovlen = 1;
            msg.msg_control = control;
            msg.msg_controllen = sizeof (control);
            const auto got = ::recvmsg (fd, &msg, MSG_CMSG_CLOEXEC);
            if (got < 0)
                return got;
            for (auto* c = CMSG_FIRSTHDR (&msg); c != nullptr; c = CMSG_NXTHDR (&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                {
                    const auto count = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);
                    for (std::size_t i = 0; i < count; ++i)
                    {
                        int received = -1;
                        std::memcpy (&received, CMSG_DATA (c) + i * sizeof (int), sizeof (int));
                        fds.push_back (received);
                    }
                }
            if ((msg.msg_flags & MSG_CTRUNC) != 0)
                fds.push_back (-1); // the kernel dropped the rest: the frame carries too many
            return got;
        }

        /** Reads exactly `n` bytes before `deadlineMs` (a Time::getMillisecondCounter value; 0: none);
            descriptors that come along are added to `fds`. */
        ReadResult readExactly (int fd, void* dest, std::size_t n, juce::uint32 deadlineMs, bool hasDeadline, std::vector<int>& fds)
        {
            auto* p = static_cast<char*> (dest);
            while (n > 0)
            {
                int wait = -1;
                if (hasDeadline)
                {
                    const auto now = juce::Time::getMillisecondCounter();
                    wait = now >= deadlineMs ? 0 : (int) (deadlineMs - now);
                }
                pollfd pfd { fd, POLLIN, 0 };
                const int ready = ::poll (&pfd, 1, wait);
                if (ready < 0 && errno == EINTR)
                    continue;
                if (ready == 0)
                    return ReadResult::timeout;
                if (ready < 0)
                    return ReadResult::closed;
                const auto got = receive (fd, p, n, fds);
                if (got < 0 && (errno == EINTR || errno == EAGAIN))
                    continue;
                if (got <= 0)
                    return ReadResult::closed;
                p += got;
                n -= (std::size_t) got;
            }
            return ReadResult::ok;
        }

        std::uint32_t readLE32 (const std::uint8_t* p) noexcept { return (std::uint32_t) p[0] | ((std::uint32_t) p[1] << 8) | ((std::uint32_t) p[2] << 16) | ((std::uint32_t) p[3] << 24); }
        std::uint16_t readLE16 (const std::uint8_t* p) noexcept { return (std::uint16_t) (p[0] | (p[1] << 8)); }
    } // namespace

    bool writeFrame (int fd, const Frame& frame)
    {
        juce::MemoryOutputStream out;
        out.writeInt ((int) controlMagic);
        out.writeShort ((short) controlVersion);
        out.writeShort ((short) frame.type);
        out.writeInt ((int) frame.id);
        out.writeInt ((int) frame.slot);
        out.writeInt ((int) frame.payload.getSize());
        out.write (frame.payload.getData(), frame.payload.getSize());
        const auto* p = static_cast<const char*> (out.getData());
        auto left = out.getDataSize();
        bool withDescriptors = ! frame.fds.empty();
        while (left > 0)
        {
            iovec io { const_cast<char*> (p), left };
            msghdr msg {};
            msg.msg_iov = &io;
            msg.msg_iovlen = 1;
            std::vector<char> control;
            if (withDescriptors)
            {
                // With the frame's first bytes: the reader finds them while it reads the header.
                control.resize (CMSG_SPACE (sizeof (int) * frame.fds.size()));
                msg.msg_control = control.data();
                msg.msg_controllen = control.size();
                auto* c = CMSG_FIRSTHDR (&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN (sizeof (int) * frame.fds.size());
                std::memcpy (CMSG_DATA (c), frame.fds.data(), sizeof (int) * frame.fds.size());
            }
            // MSG_NOSIGNAL: a sandbox that died must not kill the engine with SIGPIPE.
            const auto sent = ::sendmsg (fd, &msg, MSG_NOSIGNAL);
            if (sent < 0 && errno == EINTR)
                continue;
            if (sent <= 0)
                return false;
            withDescriptors = false;
            p += sent;
            left -= (std::size_t) sent;
        }
        return true;
    }

    ReadResult readFrame (int fd, Frame& frame, int timeoutMs, juce::String& error)
    {
        const bool hasDeadline = timeoutMs >= 0;
        const auto deadline = juce::Time::getMillisecondCounter() + (juce::uint32) juce::jmax (0, timeoutMs);
        std::uint8_t header[headerBytes];
        frame.fds.clear();
        // The magic number alone first: a sender that is not speaking this protocol is named at once,
        // however short its nonsense.
        auto r = readExactly (fd, header, 4, deadline, hasDeadline, frame.fds);
        if (r == ReadResult::ok && readLE32 (header) != controlMagic)
        {
            error = "A plugin sandbox control message does not start with Imbolc's magic number.";
            r = ReadResult::malformed;
        }
        else if (r == ReadResult::ok)
        {
            // The rest of a header follows its start at once: a sender that stops there is broken.
            r = readExactly (fd, header + 4, headerBytes - 4, juce::Time::getMillisecondCounter() + (juce::uint32) juce::jmax (5000, timeoutMs), true, frame.fds);
            if (r == ReadResult::timeout)
            {
                error = "A plugin sandbox control message stopped inside its header.";
                r = ReadResult::malformed;
            }
        }
        if (r != ReadResult::ok)
        {
            closeDescriptors (frame);
            return r;
        }
        const auto length = readLE32 (header + 16);
        const auto version = readLE16 (header + 4), type = readLE16 (header + 6);
        if (version != controlVersion)
            error = "A plugin sandbox control message has version " + juce::String (version) + ", not " + juce::String (controlVersion) + ".";
        else if (! isKnownType (type))
            error = "A plugin sandbox control message has the unknown type " + juce::String (type) + ".";
        else if (length > maxPayloadBytes)
            error = "A plugin sandbox control message claims " + juce::String (length) + " bytes, more than the limit of " + juce::String (maxPayloadBytes) + ".";
        if (error.isNotEmpty())
        {
            closeDescriptors (frame);
            return ReadResult::malformed;
        }
        frame.type = (MessageType) type;
        frame.id = readLE32 (header + 8);
        frame.slot = readLE32 (header + 12);
        frame.payload.setSize (length, false);
        // The rest of a frame follows its header at once: a sender that stops half-way is broken.
        const auto rest = readExactly (fd, frame.payload.getData(), length, juce::Time::getMillisecondCounter() + (juce::uint32) juce::jmax (5000, timeoutMs), true, frame.fds);
        if (rest != ReadResult::ok)
            closeDescriptors (frame);
        if (rest == ReadResult::timeout)
        {
            error = "A plugin sandbox control message stopped after its header.";
            return ReadResult::malformed;
        }
        return rest;
    }

    void PayloadWriter::bytes (const void* data, std::size_t size)
    {
        u32 ((std::uint32_t) size);
        out.write (data, size);
    }

    void PayloadWriter::text (const juce::String& s)
    {
        const auto utf8 = s.toStdString();
        bytes (utf8.data(), utf8.size());
    }

    bool PayloadReader::take (void* dest, std::size_t n)
    {
        if (n > size - pos)
        {
            pos = size; // whatever comes next fails too
            return false;
        }
        std::memcpy (dest, data + pos, n);
        pos += n;
        return true;
    }

    bool PayloadReader::u8 (std::uint8_t& v) { return take (&v, 1); }
    bool PayloadReader::u32 (std::uint32_t& v)
    {
        std::uint8_t b[4];
        if (! take (b, 4))
            return false;
        v = readLE32 (b);
        return true;
    }
    bool PayloadReader::i32 (std::int32_t& v)
    {
        std::uint32_t u = 0;
        const bool ok = u32 (u);
        v = (std::int32_t) u;
        return ok;
    }
    bool PayloadReader::f64 (double& v)
    {
        std::uint8_t b[8];
        if (! take (b, 8))
            return false;
        const auto bits = (std::uint64_t) readLE32 (b) | ((std::uint64_t) readLE32 (b + 4) << 32);
        std::memcpy (&v, &bits, 8);
        return true;
    }
    bool PayloadReader::f32 (float& v)
    {
        std::uint32_t u = 0;
        if (! u32 (u))
            return false;
        std::memcpy (&v, &u, 4);
        return true;
    }
    bool PayloadReader::bytes (std::vector<std::uint8_t>& v)
    {
        std::uint32_t n = 0;
        if (! u32 (n) || n > size - pos)
            return false;
        v.assign (data + pos, data + pos + n);
        pos += n;
        return true;
    }
    bool PayloadReader::text (juce::String& s)
    {
        std::vector<std::uint8_t> b;
        if (! bytes (b))
            return false;
        s = juce::String::fromUTF8 (reinterpret_cast<const char*> (b.data()), (int) b.size());
        return true;
    }

    /** A reply's fields: ok, a sentence (an error, or the plugin's name), a second one (a warning),
        bytes (a state) and three integers. */
    struct Reply
    {
        bool ok = false;
        juce::String text, warning;
        std::vector<std::uint8_t> data;
        std::int32_t a = 0, b = 0, c = 0;

        juce::MemoryBlock encode() const
        {
            PayloadWriter w;
            w.u8 (ok ? 1 : 0);
            w.text (text);
            w.text (warning);
            w.bytes (data.data(), data.size());
            w.i32 (a);
            w.i32 (b);
            w.i32 (c);
            return w.take();
        }

        static std::optional<Reply> decode (const juce::MemoryBlock& payload)
        {
            PayloadReader r (payload);
            Reply reply;
            std::uint8_t ok = 0;
            if (! (r.u8 (ok) && ok <= 1 && r.text (reply.text) && r.text (reply.warning) && r.bytes (reply.data) && r.i32 (reply.a) && r.i32 (reply.b) && r.i32 (reply.c) && r.atEnd()))
                return std::nullopt;
            reply.ok = ok == 1;
            return reply;
        }
    };
} // namespace sandbox

//==============================================================================
SandboxProcess::SandboxProcess (PluginSandboxOptions o, bool isShared)
    : options (std::move (o))
    , shared (isShared)
{
}

SandboxProcess::~SandboxProcess()
{
    if (pid > 0 && isHealthy())
    {
        // A polite quit first (its plugins may clean up), then the kill it cannot refuse.
        sandbox::Frame quit;
        quit.type = sandbox::MessageType::quit;
        quit.id = nextId++;
        if (sandbox::writeFrame (controlFd, quit))
            for (int i = 0; i < 50; ++i)
            {
                int status = 0;
                if (::waitpid ((pid_t) pid, &status, WNOHANG) == (pid_t) pid)
                {
                    pid = 0;
                    break;
                }
                juce::Thread::sleep (10);
            }
    }
    kill();
}

std::uint32_t SandboxProcess::attach (PluginSandbox& box)
{
    slots.push_back (&box);
    return nextSlot++;
}

void SandboxProcess::detach (PluginSandbox& box)
{
    std::erase (slots, &box);
    if (! box.loadSent || slots.empty() || ! isHealthy())
        return; // a process of its own ends with it; a dead one is restarted without it
    // The others play on: only this plugin is let go.
    sandbox::Frame reply;
    juce::String error;
    request (box.slot, sandbox::MessageType::unload, {}, -1, reply, PluginSandbox::stateTimeoutMs, error);
    sandbox::closeDescriptors (reply);
}

bool SandboxProcess::spawn (juce::String& error)
{
    kill();
    auto command = options.workerCommand.isEmpty() ? PluginSandboxOptions::defaultWorkerCommand() : options.workerCommand;
    if (command.isEmpty())
    {
        error = "No imbolc program was found to run the plugin sandbox.";
        return false;
    }

    int pair[2];
    if (::socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    {
        error = "Could not create the plugin sandbox's control socket (" + juce::String (std::strerror (errno)) + ").";
        return false;
    }
    // Above the descriptor the child gets (3), so dup2 never finds one already in place.
    controlFd = ::fcntl (pair[0], F_DUPFD_CLOEXEC, 10);
    const int childFd = ::fcntl (pair[1], F_DUPFD_CLOEXEC, 10);
    ::close (pair[0]);
    ::close (pair[1]);

    command.addArray ({ "--control-fd", "3" });
    std::vector<std::string> args;
    for (const auto& a : command)
        args.push_back (a.toStdString());
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back (a.data());
    argv.push_back (nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init (&actions);
    posix_spawn_file_actions_adddup2 (&actions, childFd, 3);
    pid_t child = 0;
    const int rc = args[0].find ('/') != std::string::npos ? ::posix_spawn (&child, args[0].c_str(), &actions, nullptr, argv.data(), environ)
                                                           : ::posix_spawnp (&child, args[0].c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy (&actions);
    ::close (childFd);
    if (rc != 0)
    {
        ::close (controlFd);
        controlFd = -1;
        error = "Could not start the plugin sandbox (" + command[0] + ": " + juce::String (std::strerror (rc)) + ").";
        return false;
    }
    pid = (int) child;
    broken = {};
    for (auto* box : slots)
        box->loadSent = false; // nothing is loaded in a new process
    return true;
}

void SandboxProcess::kill()
{
    if (pid > 0)
    {
        ::kill ((pid_t) pid, SIGKILL);
        int status = 0;
        while (::waitpid ((pid_t) pid, &status, 0) < 0 && errno == EINTR)
        {
        }
        pid = 0;
    }
    if (controlFd >= 0)
    {
        ::close (controlFd);
        controlFd = -1;
    }
    broken = {};
    for (auto* box : slots)
    {
        box->editorOpen = false;
        box->loadSent = false;
    }
}

PluginSandbox* SandboxProcess::slotFor (std::uint32_t slot) const noexcept
{
    for (auto* box : slots)
        if (box->slot == slot)
            return box;
    return nullptr;
}

bool SandboxProcess::request (std::uint32_t slot, sandbox::MessageType type, juce::MemoryBlock payload, int fd, sandbox::Frame& reply, int timeoutMs, juce::String& error)
{
    if (! isHealthy())
    {
        error = "The plugin sandbox is not running.";
        return false;
    }
    sandbox::Frame frame;
    frame.type = type;
    frame.id = nextId++;
    frame.slot = slot;
    frame.payload = std::move (payload);
    if (fd >= 0)
        frame.fds.push_back (fd);
    if (! sandbox::writeFrame (controlFd, frame))
    {
        error = "The plugin sandbox is gone.";
        broken = "closed its control socket";
        return false;
    }
    const auto deadline = juce::Time::getMillisecondCounter() + (juce::uint32) timeoutMs;
    for (;;)
    {
        const auto now = juce::Time::getMillisecondCounter();
        juce::String problem;
        const auto r = sandbox::readFrame (controlFd, reply, now >= deadline ? 0 : (int) (deadline - now), problem);
        if (r == sandbox::ReadResult::timeout)
        {
            error = "The plugin sandbox did not answer within " + juce::String (timeoutMs / 1000.0, 1) + " s.";
            // Its message thread is stuck (a plugin deadlocked there): a hang of that plugin's, which
            // the next supervise() handles. A late answer is stale and skipped.
            if (auto* box = slotFor (slot))
                box->unanswered.store (box->options.hangSeconds);
            else
                broken = "did not answer a control request within " + juce::String (timeoutMs / 1000.0, 1) + " s and was killed";
            return false;
        }
        if (r == sandbox::ReadResult::closed)
        {
            error = "The plugin sandbox ended.";
            broken = "closed its control socket";
            return false;
        }
        if (r == sandbox::ReadResult::ok && ! reply.fds.empty())
        {
            sandbox::closeDescriptors (reply);
            problem = "A plugin sandbox control message carries descriptors, which only the engine sends.";
        }
        if (r == sandbox::ReadResult::malformed || problem.isNotEmpty())
        {
            error = problem;
            broken = "sent a malformed message (" + problem.trimCharactersAtEnd (".") + ")";
            return false;
        }
        if (reply.type == sandbox::MessageType::notice)
            handleNotice (reply);
        else if (reply.type == sandbox::MessageType::reply && reply.id == frame.id)
            return true;
        // else: a reply to a request that timed out before; it is stale.
    }
}

bool SandboxProcess::requestForTest (const sandbox::Frame& frame, sandbox::Frame& reply, juce::String& error)
{
    if (! isHealthy() || ! sandbox::writeFrame (controlFd, frame))
    {
        error = "The plugin sandbox is not running.";
        return false;
    }
    juce::String problem;
    const auto r = sandbox::readFrame (controlFd, reply, options.controlTimeoutMs, problem);
    if (r != sandbox::ReadResult::ok)
        error = r == sandbox::ReadResult::malformed ? problem : juce::String ("The plugin sandbox did not answer.");
    return r == sandbox::ReadResult::ok;
}

void SandboxProcess::handleNotice (sandbox::Frame& frame)
{
    sandbox::closeDescriptors (frame);
    sandbox::PayloadReader r (frame.payload);
    juce::String text;
    if (! r.text (text) || ! r.atEnd())
        text = "The plugin sandbox sent a notice that could not be read.";
    if (frame.slot == 0)
    {
        // About the sandbox as a whole (a malformed request it read before it ended): every plugin in it
        // is concerned.
        for (auto* box : slots)
            if (box->loaded)
                box->handleNotice (text);
    }
    else if (auto* box = slotFor (frame.slot))
        box->handleNotice (text);
    // else: about a plugin that has left since; nobody to tell.
}

void SandboxProcess::supervise()
{
    if (pid <= 0 && controlFd < 0)
        return; // nothing runs (not started yet, or every plugin in it stopped for good)

    // Unasked messages (notices) and the end of the socket: a process that ended closes it.
    bool closed = ! broken.isEmpty();
    juce::String malformed;
    while (! closed)
    {
        pollfd pfd { controlFd, POLLIN, 0 };
        if (controlFd < 0 || ::poll (&pfd, 1, 0) <= 0)
            break;
        sandbox::Frame frame;
        const auto r = sandbox::readFrame (controlFd, frame, 1000, malformed);
        if (r == sandbox::ReadResult::ok && frame.type == sandbox::MessageType::notice && frame.fds.empty())
            handleNotice (frame);
        else if (r == sandbox::ReadResult::ok)
            sandbox::closeDescriptors (frame); // a stale reply
        else if (r != sandbox::ReadResult::timeout)
            closed = true;
    }

    int status = 0;
    bool ended = false;
    // A process that died closes its socket a moment before it can be reaped: give it that moment,
    // so the warning can say how it ended.
    for (int i = 0; pid > 0 && i < (closed ? 100 : 1); ++i)
    {
        if (::waitpid ((pid_t) pid, &status, WNOHANG) == (pid_t) pid)
        {
            pid = 0;
            ended = true;
            break;
        }
        if (closed)
            juce::Thread::sleep (2);
    }

    PluginSandbox* hung = nullptr;
    for (auto* box : slots)
    {
        if (box->loaded && box->unanswered.load() >= box->options.hangSeconds && hung == nullptr)
            hung = box;
        if (box->badReply.exchange (false) && ! box->badReplyWarned)
        {
            box->badReplyWarned = true; // once per process: a sandbox that keeps doing it would flood the list
            box->notices.push_back (box->describe() + " answered a block with the wrong number of samples; such blocks are silent.");
        }
    }

    if (! (ended || closed || hung != nullptr))
    {
        // Now and then the state a restart would start from. A sandbox whose message thread does not
        // answer within a bounded time (a plugin that deadlocked there) counts as hung: the message
        // thread of the engine is not held up longer than that.
        for (auto* box : slots)
            if (box->alive.load() && juce::Time::getMillisecondCounter() - box->lastCaptureMs >= (juce::uint32) (box->options.stateCaptureSeconds * 1000.0))
                if (! box->askState (PluginSandbox::stateTimeoutMs))
                {
                    // The socket closed under the request: the next look says how the process ended.
                    if (broken.isNotEmpty())
                        return;
                    hung = box;
                    break;
                }
        if (hung == nullptr)
            return;
    }

    juce::String what;
    if (ended && WIFSIGNALED (status))
        what = "crashed (signal " + juce::String (WTERMSIG (status)) + ", " + juce::String (::strsignal (WTERMSIG (status))) + ")";
    else if (ended)
        what = "ended (exit code " + juce::String (WEXITSTATUS (status)) + ")";
    else if (hung != nullptr)
        what = "stopped answering for " + juce::String (hung->options.hangSeconds, 1) + " s and was killed";
    else if (broken.isNotEmpty())
        what = broken;
    else
        what = malformed.isNotEmpty() ? "sent a malformed message (" + malformed.trimCharactersAtEnd (".") + ")" : juce::String ("closed its control socket");
    recover (what, hung);
}

juce::String SandboxProcess::describeDeath (const PluginSandbox& box, const juce::String& what, const PluginSandbox* culprit) const
{
    if (! shared)
        return box.describe() + " " + what; // its own process: what the process did, it did
    int others = 0;
    for (auto* b : slots)
        others += b != &box && b->loaded ? 1 : 0;
    const auto along = others == 0 ? juce::String() : " (with " + juce::String (others) + (others == 1 ? " other plugin)" : " other plugins)");
    if (culprit == &box)
        return box.describe() + " " + what.upToFirstOccurrenceOf (" and was killed", false, false) + ", so the shared sandbox it runs in was killed" + along;
    if (culprit != nullptr)
        return box.describe() + " went silent: the shared sandbox it runs in was killed because " + culprit->describe().fromFirstOccurrenceOf ("The plugin ", false, false) + " " + what.upToFirstOccurrenceOf (" and was killed", false, false);
    return box.describe() + " went silent: the shared sandbox it runs in" + along + " " + what;
}

void SandboxProcess::recover (const juce::String& what, PluginSandbox* culprit)
{
    for (auto* box : slots)
        box->park();
    std::vector<PluginSandbox*> again;
    std::vector<std::pair<PluginSandbox*, juce::String>> why;
    for (auto* box : slots)
        if (box->loaded)
            why.emplace_back (box, describeDeath (*box, what, culprit));
    kill();
    for (auto& [box, sentence] : why)
    {
        box->loaded = false;
        if (box->restarts >= box->options.maxRestarts)
        {
            box->gaveUp = true;
            box->notices.push_back (sentence + "; it was restarted " + juce::String (box->restarts) + " times already, so it stays silent until it is restarted by hand.");
            continue;
        }
        ++box->restarts;
        again.push_back (box);
    }
    if (again.empty())
        return;
    // One new process for all of them, each from its own last captured state.
    const auto failed = startWith (again);
    for (auto& [box, sentence] : why)
    {
        if (std::find (again.begin(), again.end(), box) == again.end())
            continue;
        const auto failure = std::find_if (failed.begin(), failed.end(), [b = box] (const auto& f)
                                           { return f.first == b; });
        if (failure != failed.end())
            box->notices.push_back (sentence + " and could not be restarted (" + failure->second.trimCharactersAtEnd (".") + "); it stays silent.");
        else
            box->notices.push_back (sentence + "; its sandbox was restarted with its last saved state (restart " + juce::String (box->restarts) + " of " + juce::String (box->options.maxRestarts) + "), the rest of the session played on.");
    }
}

std::vector<std::pair<PluginSandbox*, juce::String>> SandboxProcess::startWith (std::vector<PluginSandbox*> plugins)
{
    std::vector<std::pair<PluginSandbox*, juce::String>> failed;
    // A plugin that brings the new process down while it loads is left out and the rest go into
    // another: at most one more process per plugin.
    while (! plugins.empty())
    {
        juce::String error;
        if (! spawn (error))
        {
            for (auto* box : plugins)
            {
                box->gaveUp = true;
                failed.emplace_back (box, error);
            }
            break;
        }
        std::vector<PluginSandbox*> retry;
        bool died = false;
        for (auto* box : plugins)
        {
            if (died)
            {
                retry.push_back (box);
                continue;
            }
            if (box->loadAndPrepare (error))
                continue;
            box->loaded = false;
            box->gaveUp = true;
            failed.emplace_back (box, error);
            if (! isHealthy() || box->unanswered.load() >= box->options.hangSeconds)
            {
                died = true;
                // The ones loaded before it went down with it.
                for (auto* loadedBox : plugins)
                {
                    if (loadedBox == box)
                        break;
                    if (loadedBox->loaded)
                    {
                        loadedBox->park();
                        loadedBox->loaded = false;
                        retry.push_back (loadedBox);
                    }
                }
            }
        }
        if (! died)
            break;
        kill();
        plugins = std::move (retry);
    }
    if (std::none_of (slots.begin(), slots.end(), [] (auto* b)
                      { return b->loaded; }))
        kill(); // nobody left in it
    return failed;
}

juce::Result SandboxProcess::restart (PluginSandbox& byHand)
{
    for (auto* box : slots)
        box->park();
    if (isHealthy())
    {
        // Still running (a restart by hand of a live plugin): keep what each has now, if it answers
        // soon (a hung one is restarted from the state captured before).
        for (auto* box : slots)
            if (box->loaded)
            {
                sandbox::Frame frame;
                juce::String ignored;
                if (request (box->slot, sandbox::MessageType::getState, {}, -1, frame, PluginSandbox::stateTimeoutMs, ignored))
                    if (auto reply = sandbox::Reply::decode (frame.payload); reply && reply->ok)
                        box->lastState = reply->data;
            }
    }
    kill();
    byHand.restarts = 0;
    byHand.gaveUp = false;
    std::vector<PluginSandbox*> plugins;
    for (auto* box : slots)
        if (box->loaded || box == &byHand)
        {
            box->loaded = false;
            plugins.push_back (box);
        }
    juce::Result result = juce::Result::ok();
    for (auto& [box, error] : startWith (plugins))
    {
        if (box == &byHand)
            result = juce::Result::fail (error);
        else
            box->notices.push_back (box->describe() + " was restarted with the shared sandbox (\"" + byHand.pluginName + "\" was restarted by hand) and could not be loaded again (" + error.trimCharactersAtEnd (".") + "); it stays silent.");
    }
    return result;
}

//==============================================================================
PluginSandbox::PluginSandbox (PluginSandboxOptions o, model::PluginRef r, int mapped, bool source, juce::String ownerName, std::shared_ptr<SandboxProcess> p)
    : options (std::move (o))
    , ref (std::move (r))
    , numMapped (juce::jlimit (0, sandbox::maxParameters, mapped))
    , isSource (source)
    , owner (std::move (ownerName))
    , pluginName (ref.name.empty() ? juce::String (ref.identifier) : juce::String (ref.name))
    , process (p != nullptr ? std::move (p) : std::make_shared<SandboxProcess> (options, false))
    , lastState (ref.state)
{
    slot = process->attach (*this);
}

PluginSandbox::~PluginSandbox()
{
    park();
    process->detach (*this);
}

bool PluginSandbox::request (sandbox::MessageType type, juce::MemoryBlock payload, sandbox::Frame& reply, int timeoutMs, juce::String& error)
{
    return process->request (slot, type, std::move (payload), -1, reply, timeoutMs, error);
}

void PluginSandbox::handleNotice (const juce::String& text)
{
    if (text == "editor-closed")
        editorOpen = false;
    else
        notices.push_back (describe() + ": " + text);
}

bool PluginSandbox::loadAndPrepare (juce::String& error)
{
    if (memory.block == nullptr && ! memory.create (slot, error))
        return false;
    // The audio thread is parked and no process has this block: it starts from a clean slate.
    badReplyWarned = false;
    unanswered.store (0.0);
    auto& shared = *memory.block;
    shared.request.store (0);
    shared.reply.store (0);
    shared.latency.store (0);
    shared.rejected.store (0);

    sandbox::PayloadWriter w;
    w.u8 ((std::uint8_t) ref.format);
    w.text (juce::String (ref.identifier));
    w.bytes (lastState.data(), lastState.size());
    w.u32 ((std::uint32_t) numMapped);
    w.u8 (isSource ? 1 : 0);
    w.f64 (sampleRate > 0.0 ? sampleRate : 48000.0);
    w.u32 ((std::uint32_t) juce::jlimit (1, sandbox::maxBlockSamples, blockSize > 0 ? blockSize : 512));
    sandbox::Frame frame;
    loadSent = true;
    if (! process->request (slot, sandbox::MessageType::load, w.take(), memory.fd, frame, options.controlTimeoutMs, error))
    {
        // A plugin that crashes while it loads ends its sandbox: say which plugin it was.
        error = "The plugin \"" + pluginName + "\" could not be loaded in its sandbox (" + error.trimCharactersAtEnd (".") + ").";
        return false;
    }
    const auto reply = sandbox::Reply::decode (frame.payload);
    if (! reply)
    {
        error = "The plugin sandbox's answer to loading \"" + pluginName + "\" could not be read.";
        return false;
    }
    if (! reply->ok)
    {
        error = reply->text;
        return false;
    }
    loaded = true;
    if (reply->warning.isNotEmpty())
        notices.push_back (reply->warning);
    if (ref.name.empty())
        pluginName = reply->text;
    numMapped = juce::jlimit (0, numMapped, reply->a);
    return ! prepared || sendPrepare (error);
}

bool PluginSandbox::sendPrepare (juce::String& error)
{
    sandbox::Frame frame;
    sandbox::PayloadWriter p;
    p.f64 (sampleRate);
    p.u32 ((std::uint32_t) blockSize);
    p.u32 ((std::uint32_t) juce::jmin ((int) preparedValues.size(), numMapped));
    for (int i = 0; i < juce::jmin ((int) preparedValues.size(), numMapped); ++i)
        p.f32 (preparedValues[(std::size_t) i]);
    if (! request (sandbox::MessageType::prepare, p.take(), frame, options.controlTimeoutMs, error))
        return false;
    const auto prepReply = sandbox::Reply::decode (frame.payload);
    if (! prepReply || ! prepReply->ok)
    {
        error = prepReply ? prepReply->text : juce::String ("The plugin sandbox's answer to preparing the plugin could not be read.");
        return false;
    }
    generation.fetch_add (1, std::memory_order_release);
    unanswered.store (0.0);
    alive.store (true, std::memory_order_seq_cst);
    lastCaptureMs = juce::Time::getMillisecondCounter();
    return true;
}

bool PluginSandbox::start (double rate, int block, juce::String& error)
{
    sampleRate = rate;
    blockSize = block;
    // A death of the shared sandbox not seen yet is handled first (the plugins in it restart), so
    // this one joins a process that works.
    process->supervise();
    if (! process->isHealthy() && ! process->spawn (error))
        return false;
    if (loadAndPrepare (error))
        return true;
    loaded = false;
    if (! process->isShared())
        process->kill();
    // In the shared sandbox the others are not touched: a plugin that would not load leaves them as
    // they were, and one that took the process down with it is a death supervise() handles.
    return false;
}

bool PluginSandbox::prepare (double rate, int maxBlock, const std::vector<float>& values, juce::String& error)
{
    sampleRate = rate;
    blockSize = juce::jmin (maxBlock, sandbox::maxBlockSamples);
    preparedValues = values;
    prepared = true;
    if (gaveUp)
    {
        error = "it crashed " + juce::String (restarts + 1) + " times; restart it by hand";
        return false;
    }
    park();
    if (loaded && process->isHealthy() && sendPrepare (error))
        return true;
    if (process->isShared())
    {
        // Its process died meanwhile: it is restarted with every plugin in it, this one included
        // (prepared now), as supervise() would. A plugin that only failed to prepare stays silent.
        process->supervise();
        if (! alive.load() && error.isEmpty())
            error = "its shared sandbox could not be restarted";
        return alive.load();
    }
    // Not running (it died meanwhile), or it could not prepare: a fresh process from the last state.
    process->kill();
    if (! process->spawn (error) || ! loadAndPrepare (error))
    {
        loaded = false;
        process->kill();
        return false;
    }
    return true;
}

std::vector<std::uint8_t> PluginSandbox::captureState()
{
    askState (options.controlTimeoutMs);
    return lastState;
}

bool PluginSandbox::askState (int timeoutMs)
{
    if (! alive.load())
        return false;
    lastCaptureMs = juce::Time::getMillisecondCounter();
    sandbox::Frame frame;
    juce::String error;
    if (! request (sandbox::MessageType::getState, {}, frame, timeoutMs, error))
        return false;
    if (auto reply = sandbox::Reply::decode (frame.payload); reply && reply->ok)
        lastState = std::move (reply->data);
    return true;
}

void PluginSandbox::park() noexcept
{
    // Dekker-style with the audio thread's beginAudio: once alive is false and inUse has been seen
    // false, the audio thread is out of the shared block and will not come back until alive is true.
    alive.store (false, std::memory_order_seq_cst);
    while (inUse.load (std::memory_order_seq_cst))
        std::this_thread::yield();
}

void PluginSandbox::reportMiss (double seconds) noexcept
{
    // One writer (whichever thread renders this node; never two at once).
    unanswered.store (unanswered.load (std::memory_order_relaxed) + seconds, std::memory_order_relaxed);
}

bool PluginSandbox::beginAudio() noexcept
{
    inUse.store (true, std::memory_order_seq_cst);
    if (alive.load (std::memory_order_seq_cst))
        return true;
    inUse.store (false, std::memory_order_seq_cst);
    return false;
}

void PluginSandbox::supervise (std::vector<juce::String>& warnings)
{
    process->supervise();
    takeWarnings (warnings);
}

void PluginSandbox::takeWarnings (std::vector<juce::String>& warnings)
{
    for (auto& n : std::exchange (notices, {}))
        warnings.push_back (std::move (n));
}

juce::Result PluginSandbox::restart()
{
    return process->restart (*this);
}

juce::Result PluginSandbox::openEditor()
{
    sandbox::Frame frame;
    juce::String error;
    if (! alive.load())
        return juce::Result::fail ("The plugin \"" + pluginName + "\" is not running (its sandbox is stopped).");
    if (! request (sandbox::MessageType::openEditor, {}, frame, options.controlTimeoutMs, error))
        return juce::Result::fail (error);
    const auto reply = sandbox::Reply::decode (frame.payload);
    if (! reply)
        return juce::Result::fail ("The plugin sandbox's answer to opening the editor could not be read.");
    if (! reply->ok)
        return juce::Result::fail (reply->text);
    editorOpen = true;
    return juce::Result::ok();
}

juce::Result PluginSandbox::closeEditor()
{
    sandbox::Frame frame;
    juce::String error;
    if (! request (sandbox::MessageType::closeEditor, {}, frame, options.controlTimeoutMs, error))
        return juce::Result::fail (error);
    editorOpen = false;
    const auto reply = sandbox::Reply::decode (frame.payload);
    return reply && reply->ok ? juce::Result::ok() : juce::Result::fail (reply ? reply->text : juce::String ("The plugin sandbox's answer could not be read."));
}

//==============================================================================
SandboxedPluginNode::SandboxedPluginNode (std::shared_ptr<PluginSandbox> box, const std::vector<model::Parameter>& pluginParams, bool isSource)
    : HostedPluginNode (box->getPluginName(), isSource ? withAmpPlaceholders (pluginParams) : pluginParams, isSource)
    , sandbox (std::move (box))
    , numMapped (juce::jmin ((int) pluginParams.size(), sandbox::maxParameters))
    , isSourceNode (isSource)
    , pipelined (sandbox->getOptions().pipelined)
{
}

SandboxedPluginNode::~SandboxedPluginNode() = default;

int SandboxedPluginNode::getPublishedLatencySamples() const noexcept
{
    auto* self = const_cast<SandboxedPluginNode*> (this);
    // The sandbox writes its plugin's latency into the shared block: never trusted beyond a minute.
    const int plugin = juce::jlimit (0, 48000 * 60, (int) self->sandbox->getShared().latency.load (std::memory_order_relaxed));
    return pipelineLatency.load (std::memory_order_relaxed) + plugin;
}

void SandboxedPluginNode::prepareNode (double sampleRate, int maximumBlockSize)
{
    pipelineSamples = pipelined ? juce::jmin (maximumBlockSize, sandbox::maxBlockSamples) : 0;
    ring.setSize (sandbox::numChannels, 2 * sandbox::maxBlockSamples + 1);
    ring.clear();
    ringRead = 0;
    ringFill = pipelineSamples; // exactly one block of silence ahead of the first answer
    scratch.setSize (sandbox::numChannels, juce::jmax (1, maximumBlockSize));
    fadeSamples = juce::jmax (1, juce::roundToInt (sampleRate * 0.002));
    fadeRemaining = 0;
    fadeInRemaining = 0;
    answering = false;
    silenced = false;
    pending = false;
    values.assign ((std::size_t) numMapped, 0.0f);
    targets.assign ((std::size_t) numMapped, 0.0f);
    for (auto& s : lastSample)
        s = 0.0f;

    std::vector<float> values;
    for (int i = 0; i < numMapped; ++i)
        values.push_back (getParameterValue (i));
    juce::String error;
    if (! sandbox->prepare (sampleRate, maximumBlockSize, values, error))
        sandbox->addNotice ("it could not be prepared in its sandbox (" + error.trimCharactersAtEnd (".") + "), so it is silent");
    generation = sandbox->getGeneration() - 1; // the audio thread starts afresh
    pipelineLatency.store (pipelineSamples, std::memory_order_relaxed);
}

void SandboxedPluginNode::writeRequest (sandbox::SharedBlock& sh, const juce::AudioBuffer<float>& buffer, const juce::MidiBuffer& midi, int n) noexcept
{
    for (int c = 0; c < sandbox::numChannels; ++c)
        juce::FloatVectorOperations::copy (sh.audioIn[c], buffer.getReadPointer (juce::jmin (c, buffer.getNumChannels() - 1)), n);
    int events = 0;
    if (isSourceNode) // an effect hears no MIDI, as a PluginNode stage does not
        for (const auto meta : midi)
        {
            if (events >= sandbox::maxMidiEvents)
                break;
            if (meta.numBytes < 1 || meta.numBytes > 3 || meta.samplePosition < 0 || meta.samplePosition >= n)
                continue; // sysex does not cross; nothing else a chain carries is longer
            auto& e = sh.midi[events++];
            e.sample = meta.samplePosition;
            e.size = (std::uint8_t) meta.numBytes;
            for (int b = 0; b < 3; ++b)
                e.bytes[b] = b < meta.numBytes ? meta.data[b] : 0;
        }
    sh.numMidi = events;
    sh.numSamples = n;
    sh.numParams = numMapped;
    for (int i = 0; i < numMapped; ++i)
    {
        sh.values[i] = values[(std::size_t) i];
        sh.targets[i] = targets[(std::size_t) i];
    }
    // Timed from before the wake: a real-time sandbox thread woken on this core runs at once.
    sentAt = std::chrono::steady_clock::now();
    sh.request.store (++sequence, std::memory_order_release);
    sandbox::futexWake (sh.request);
}

SandboxedPluginNode::Answer SandboxedPluginNode::awaitReply (sandbox::SharedBlock& sh, int n) noexcept
{
    const auto blockSeconds = (double) n / currentSampleRate;
    const auto start = std::chrono::steady_clock::now();
    const auto& o = sandbox->getOptions();
    const auto waitSeconds = o.offline ? o.hangSeconds : o.deadlineFraction * blockSeconds; // offline: as long as it takes, short of a hang
    const auto deadline = start + std::chrono::nanoseconds ((std::int64_t) (waitSeconds * 1.0e9));
    bool answered = false;
    for (int spin = 0;; ++spin)
    {
        const auto seen = sh.reply.load (std::memory_order_acquire);
        if (seen == sequence)
        {
            answered = true;
            break;
        }
        if (spin < 200)
            continue; // a sandbox on another core often answers within microseconds
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            break;
        sandbox::futexWait (sh.reply, seen, std::chrono::duration_cast<std::chrono::nanoseconds> (deadline - now).count());
    }
    const auto end = std::chrono::steady_clock::now();
    if (! answered)
    {
        ++timing.missed;
        sandbox->reportMiss (juce::jmax (blockSeconds, std::chrono::duration<double> (end - start).count()));
        return Answer::missed;
    }
    if (sh.replySamples != n)
    {
        // Answered, but not what was asked (it refused the block, or it is broken): that block is lost.
        ++timing.missed;
        sandbox->reportBadReply();
        return Answer::wrong;
    }
    ++timing.answered;
    timing.lastRoundTripSeconds = std::chrono::duration<double> (end - sentAt).count();
    timing.roundTripSum += timing.lastRoundTripSeconds;
    sandbox->reportAnswer();
    return Answer::answered;
}

void SandboxedPluginNode::fadeOut (juce::AudioBuffer<float>& buffer, int n) noexcept
{
    // From the last sample played straight down to silence: no step, so no click.
    sandbox->reportLost();
    silenced = true;
    if (answering)
    {
        answering = false;
        fadeRemaining = fadeSamples;
        fadeInRemaining = 0;
    }
    for (int c = 0; c < buffer.getNumChannels(); ++c)
    {
        auto* out = buffer.getWritePointer (c);
        const float from = lastSample[juce::jmin (c, sandbox::numChannels - 1)];
        int left = fadeRemaining;
        for (int i = 0; i < n; ++i)
        {
            out[i] = left > 0 ? from * (float) left / (float) fadeSamples : 0.0f;
            left = juce::jmax (0, left - 1);
        }
    }
    fadeRemaining = juce::jmax (0, fadeRemaining - n);
    if (fadeRemaining == 0)
        for (auto& s : lastSample)
            s = 0.0f;
}

void SandboxedPluginNode::play (juce::AudioBuffer<float>& buffer, const float* const* source, int n) noexcept
{
    if (! answering)
    {
        answering = true;
        // Back after silence (a restart, or a late answer): fade in. The first answer after prepare
        // plays as it is, so a sandboxed plugin sounds exactly as it does in process.
        fadeInRemaining = silenced ? fadeSamples : 0;
    }
    for (int c = 0; c < buffer.getNumChannels(); ++c)
    {
        auto* out = buffer.getWritePointer (c);
        const auto* in = source[juce::jmin (c, sandbox::numChannels - 1)];
        juce::FloatVectorOperations::copy (out, in, n);
        int left = fadeInRemaining;
        for (int i = 0; i < n && left > 0; ++i, --left)
            out[i] *= 1.0f - (float) left / (float) fadeSamples;
        lastSample[juce::jmin (c, sandbox::numChannels - 1)] = out[n - 1];
    }
    fadeInRemaining = juce::jmax (0, fadeInRemaining - n);
}

void SandboxedPluginNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) noexcept
{
    const int n = buffer.getNumSamples();
    if (n <= 0)
        return;
    // Parameters move every block whatever the sandbox does, as a PluginNode's do.
    for (int i = 0; i < numMapped; ++i)
    {
        values[(std::size_t) i] = skipValue (i, n);
        targets[(std::size_t) i] = getParameterTarget (i);
    }
    if (n > sandbox::maxBlockSamples || n > scratch.getNumSamples() || ! sandbox->beginAudio())
    {
        fadeOut (buffer, n);
        return;
    }
    auto& sh = sandbox->getShared();
    if (const auto g = sandbox->getGeneration(); g != generation)
    {
        // A new sandbox process: its counters start at 0 and nothing is in flight.
        generation = g;
        sequence = sh.request.load (std::memory_order_relaxed);
        pending = false;
        ring.clear();
        ringRead = 0;
        ringFill = pipelineSamples;
    }

    if (! pipelined)
    {
        if (pending)
        {
            if (sh.reply.load (std::memory_order_acquire) != sequence)
            {
                // Still working on a block it missed: nothing new goes in until it is done.
                ++timing.missed;
                sandbox->reportMiss ((double) n / currentSampleRate);
                sandbox->endAudio();
                fadeOut (buffer, n);
                return;
            }
            pending = false; // the late answer is dropped: its block was played as silence
        }
        writeRequest (sh, buffer, midi, n);
        const auto answer = awaitReply (sh, n);
        if (answer == Answer::answered)
        {
            const float* out[] = { sh.audioOut[0], sh.audioOut[1] };
            play (buffer, out, n);
        }
        else
        {
            pending = answer == Answer::missed;
            fadeOut (buffer, n);
        }
        sandbox->endAudio();
        return;
    }

    // Pipelined: the previous block's answer joins the ring, this block goes out, and the ring (one
    // maxBlockSize behind) gives this block's output.
    if (pending)
    {
        const auto answer = awaitReply (sh, pendingSamples);
        if (answer == Answer::missed)
        {
            sandbox->endAudio();
            fadeOut (buffer, n);
            return;
        }
        // A wrong answer is a lost block: silence keeps the ring exactly one block long.
        const int capacity = ring.getNumSamples();
        const int at = (ringRead + ringFill) % capacity, first = juce::jmin (pendingSamples, capacity - at);
        for (int c = 0; c < sandbox::numChannels; ++c)
        {
            auto* dest = ring.getWritePointer (c);
            if (answer == Answer::answered)
            {
                juce::FloatVectorOperations::copy (dest + at, sh.audioOut[c], first);
                juce::FloatVectorOperations::copy (dest, sh.audioOut[c] + first, pendingSamples - first);
            }
            else
            {
                juce::FloatVectorOperations::clear (dest + at, first);
                juce::FloatVectorOperations::clear (dest, pendingSamples - first);
            }
        }
        ringFill += pendingSamples;
        pending = false;
    }
    writeRequest (sh, buffer, midi, n);
    pending = true;
    pendingSamples = n;
    sandbox->endAudio();

    const int capacity = ring.getNumSamples();
    const int take = juce::jmin (n, ringFill), first = juce::jmin (take, capacity - ringRead);
    for (int c = 0; c < sandbox::numChannels; ++c)
    {
        auto* dest = scratch.getWritePointer (c);
        const auto* src = ring.getReadPointer (c);
        juce::FloatVectorOperations::copy (dest, src + ringRead, first);
        juce::FloatVectorOperations::copy (dest + first, src, take - first);
        juce::FloatVectorOperations::clear (dest + take, n - take);
    }
    ringRead = (ringRead + take) % capacity;
    ringFill -= take;
    const float* out[] = { scratch.getReadPointer (0), scratch.getReadPointer (1) };
    play (buffer, out, n);
}

} // namespace imbolc::engine
