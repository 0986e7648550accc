namespace imbolc::protocol
{

namespace
{
    constexpr std::size_t fileChunkBytes = 1024 * 1024;

    juce::Result fileSaveFailure (const juce::File& target, int errorNumber)
    {
        return juce::Result::fail ("Could not save " + target.getFullPathName() + ": " + juce::String (std::strerror (errorNumber)) + ".");
    }

    DecodeResult fileLoadFailure (std::string sentence)
    {
        return { std::nullopt, std::move (sentence) };
    }

    /** 64 random bits as hex, for a temporary name nobody else will pick. /dev/urandom when it is
        there; otherwise time, pid and a counter, which O_EXCL makes safe anyway.
    */
    juce::String randomHexSuffix()
    {
        std::uint64_t value = 0;
        bool haveRandom = false;
        const int fd = ::open ("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
        {
            haveRandom = ::read (fd, &value, sizeof (value)) == (ssize_t) sizeof (value);
            ::close (fd);
        }
        if (! haveRandom)
        {
            static std::atomic<std::uint64_t> counter { 0 };
            value = (std::uint64_t) juce::Time::getHighResolutionTicks() ^ ((std::uint64_t)::getpid() << 32)
                    ^ (counter.fetch_add (1) * 0x9E3779B97F4A7C15ull);
        }
        return juce::String::toHexString ((juce::int64) value).paddedLeft ('0', 16);
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

    int fsyncRetrying (int fd)
    {
        int result;
        do
            result = ::fsync (fd);
        while (result != 0 && errno == EINTR);
        return result;
    }

    /** The temporary file of one save: closed and removed on every way out (errors, exceptions from
        the chunk callback) unless the save committed it by renaming it over the target.
    */
    class TemporarySaveFile
    {
    public:
        TemporarySaveFile() = default;
        TemporarySaveFile (const TemporarySaveFile&) = delete;
        TemporarySaveFile& operator= (const TemporarySaveFile&) = delete;

        ~TemporarySaveFile()
        {
            closeFile();
            if (! committed && ! path.empty())
                ::unlink (path.c_str());
        }

        /** Creates a fresh file beside the target. False with errno set on failure. */
        bool create (const juce::File& folder, const juce::String& targetName)
        {
            for (int attempt = 0; attempt < 16; ++attempt)
            {
                path = folder.getChildFile (targetName + ".tmp-" + randomHexSuffix()).getFullPathName().toStdString();
                fd = ::open (path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                if (fd >= 0)
                    return true;
                if (errno != EEXIST)
                    break;
            }
            path.clear();
            return false;
        }

        /** False with errno set on failure. */
        bool closeFile()
        {
            if (fd < 0)
                return true;
            const auto result = ::close (fd);
            fd = -1;
            return result == 0;
        }

        int fd = -1;
        std::string path;
        bool committed = false;
    };
} // namespace

//==============================================================================
juce::Result writeFileAtomically (const juce::File& target, const void* data, std::size_t size, const std::function<void (std::size_t written)>& afterChunk)
{
    const auto folder = target.getParentDirectory();
    if (! folder.exists())
    {
        // A path that exists but is not a folder is left to open() below, which names the problem (ENOTDIR).
        if (auto made = folder.createDirectory(); made.failed())
            return juce::Result::fail ("Could not save " + target.getFullPathName() + ": " + made.getErrorMessage().trimCharactersAtEnd (".") + ".");
    }

    TemporarySaveFile temp;
    if (! temp.create (folder, target.getFileName()))
        return fileSaveFailure (target, errno);

    const auto* bytes = static_cast<const std::uint8_t*> (data);
    std::size_t written = 0;
    while (written < size)
    {
        const auto chunk = std::min (fileChunkBytes, size - written);
        if (! writeFully (temp.fd, bytes + written, chunk))
            return fileSaveFailure (target, errno);
        written += chunk;
        if (afterChunk)
            afterChunk (written);
    }

    // The data must be on disk before the rename makes it the target, or a crash could leave the
    // target renamed but empty.
    if (fsyncRetrying (temp.fd) != 0)
        return fileSaveFailure (target, errno);
    if (! temp.closeFile())
        return fileSaveFailure (target, errno);

    const auto targetPath = target.getFullPathName().toStdString();
    if (::rename (temp.path.c_str(), targetPath.c_str()) != 0)
        return fileSaveFailure (target, errno);
    temp.committed = true;

    // The rename itself lives in the folder: sync it so the new name survives a power cut.
    const auto folderPath = folder.getFullPathName().toStdString();
    const int folderFd = ::open (folderPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folderFd < 0)
        return fileSaveFailure (target, errno);
    const auto synced = fsyncRetrying (folderFd);
    const auto syncError = errno;
    ::close (folderFd);
    // Some file systems cannot sync a folder (EINVAL); the rename has happened, which is all they offer.
    if (synced != 0 && syncError != EINVAL)
        return fileSaveFailure (target, syncError);

    return juce::Result::ok();
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
