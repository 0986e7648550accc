namespace imbolc::protocol
{

namespace
{
    constexpr std::size_t fileChunkBytes = 1024 * 1024;

    DecodeResult fileLoadFailure (std::string sentence)
    {
        return { std::nullopt, std::move (sentence) };
    }

    /** Writes all of a block, resuming after partial writes and signals. False with errno set on failure. */
    bool writeFully (int fd, const std::uint8_t* data, std::size_t size)
    {
        while (size > 0)
        {
            const auto n = ::write (fd, data, size);
            if (n < 0)
            {
                if (errno == EINTR)
                    continue;
                return false;
            }
            if (n == 0)
            {
                errno = EIO;
                return false;
            }
            data += n;
            size -= (std::size_t) n;
        }
        return true;
    }
} // namespace

//==============================================================================
juce::Result writeFileAtomically (const juce::File& target, const void* data, std::size_t size, const std::function<void (std::size_t written)>& afterChunk)
{
    model::AtomicSave save;
    if (auto started = save.begin (target, model::AtomicSave::MissingFolder::make); started.failed())
        return started;

    const auto* bytes = static_cast<const std::uint8_t*> (data);
    std::size_t written = 0;
    while (written < size)
    {
        const auto chunk = std::min (fileChunkBytes, size - written);
        if (! writeFully (save.getDescriptor(), bytes + written, chunk))
            return model::saveFailure (save.getTarget(), errno);
        written += chunk;
        if (afterChunk)
            afterChunk (written);
    }
    return save.commit();
}

juce::Result saveProject (const model::Session& session, const juce::File& file)
{
    const auto bytes = encodeProject (session);
    return writeFileAtomically (file, bytes.data(), bytes.size());
}

DecodeResult loadProject (const juce::File& file)
{
    const auto path = file.getFullPathName().toStdString();
    if (file.isDirectory())
        return fileLoadFailure (path + " is a folder, not an Imbolc project.");
    if (! file.existsAsFile())
        return fileLoadFailure ("There is no file at " + path + ".");

    const int fd = ::open (path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fileLoadFailure ("Could not open " + path + ": " + std::strerror (errno) + ".");

    struct stat info
    {
    };
    if (::fstat (fd, &info) != 0)
    {
        const auto error = errno;
        ::close (fd);
        return fileLoadFailure ("Could not read " + path + ": " + std::strerror (error) + ".");
    }
    if ((std::uint64_t) info.st_size > maxProjectBytes)
    {
        ::close (fd);
        return fileLoadFailure (path + " is too large to be an Imbolc project (" + std::to_string (info.st_size) + " bytes).");
    }

    std::vector<std::uint8_t> bytes ((std::size_t) info.st_size);
    std::size_t got = 0;
    while (got < bytes.size())
    {
        const auto n = ::read (fd, bytes.data() + got, bytes.size() - got);
        if (n < 0)
        {
            if (errno == EINTR)
                continue;
            const auto error = errno;
            ::close (fd);
            return fileLoadFailure ("Could not read " + path + ": " + std::strerror (error) + ".");
        }
        if (n == 0)
            break; // the file shrank while we read it: decode what is there, which the checks will judge
        got += (std::size_t) n;
    }
    ::close (fd);
    bytes.resize (got);

    return decodeProject (bytes.data(), bytes.size());
}

//==============================================================================
ProjectSaver::ProjectSaver()
    : thread ([this]
              { run(); })
{
}

ProjectSaver::~ProjectSaver()
{
    {
        const std::lock_guard lock (mutex);
        quit = true;
    }
    wake.notify_all();
    thread.join();
}

void ProjectSaver::saveAsync (model::Session snapshot, const juce::File& target, Callback done)
{
    {
        const std::lock_guard lock (mutex);
        // A job still waiting is replaced, and its callback dropped: its snapshot is older than this one
        // and would only have been overwritten. Only saves that actually ran report back.
        pending = Job { std::move (snapshot), target, std::move (done) };
    }
    wake.notify_all();
}

void ProjectSaver::waitUntilIdle()
{
    std::unique_lock lock (mutex);
    idle.wait (lock, [this]
               { return ! pending.has_value() && ! busy; });
}

void ProjectSaver::run()
{
    std::unique_lock lock (mutex);
    for (;;)
    {
        wake.wait (lock, [this]
                   { return pending.has_value() || quit; });
        if (! pending.has_value())
            break; // quitting, and every requested save has been written

        {
            auto job = std::move (*pending);
            pending.reset();
            busy = true;
            lock.unlock();

            auto result = juce::Result::ok();
            try
            {
                result = saveProject (job.session, job.target);
            }
            catch (const std::exception& e)
            {
                result = juce::Result::fail ("Could not save " + job.target.getFullPathName() + ": " + juce::String (e.what()) + ".");
            }

            if (job.done)
                job.done (job.target, result);
        } // the snapshot is freed here, outside the lock

        lock.lock();
        busy = false;
        idle.notify_all();
    }
}

} // namespace imbolc::protocol
