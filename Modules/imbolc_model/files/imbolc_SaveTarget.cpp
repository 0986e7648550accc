#if ! (JUCE_LINUX || JUCE_MAC || JUCE_BSD)
#error "Saving tells file kinds apart and locks temporary files with POSIX calls (lstat, flock, fsync of a folder)."
#endif

namespace imbolc::model
{

namespace
{
    constexpr const char* giveAFileName = ", not a file: give a file name to save to.";

    /** Longer chains are refused as a loop, as the kernel does (its limit is 40). */
    constexpr int maxLinkHops = 40;

    /** What a file of this mode is, for a sentence. */
    std::string kindOf (mode_t mode)
    {
        if (S_ISREG (mode))
            return "a file";
        if (S_ISDIR (mode))
            return "a folder";
        if (S_ISCHR (mode) || S_ISBLK (mode))
            return "a device";
        if (S_ISFIFO (mode))
            return "a named pipe";
        if (S_ISSOCK (mode))
            return "a socket";
        return "a special file";
    }

    SaveTarget refuse (std::string sentence)
    {
        return { {}, std::move (sentence) };
    }

    std::string couldNotSave (const std::string& requested, const std::string& why)
    {
        return "Could not save " + requested + ": " + why + ".";
    }

    std::string parentOf (const std::string& path)
    {
        const auto slash = path.find_last_of ('/');
        return slash == 0 || slash == std::string::npos ? std::string ("/") : path.substr (0, slash);
    }

    /** The sentence for a path that runs through something that is not a folder (ENOTDIR): the
        nearest ancestor that exists names the culprit. */
    std::string throughNonFolder (const std::string& requested, const std::string& path)
    {
        for (auto ancestor = parentOf (path);; ancestor = parentOf (ancestor))
        {
            struct stat info
            {
            };
            if (::stat (ancestor.c_str(), &info) == 0)
                return S_ISDIR (info.st_mode) ? couldNotSave (requested, std::strerror (ENOTDIR))
                                              : couldNotSave (requested, ancestor + " is " + kindOf (info.st_mode) + ", not a folder");
            if (ancestor == "/")
                return couldNotSave (requested, std::strerror (ENOTDIR));
        }
    }

    std::string lookupFailure (const std::string& requested, const std::string& path, int error)
    {
        if (error == ENOTDIR)
            return throughNonFolder (requested, path);
        if (error == ELOOP)
            return couldNotSave (requested, "its symbolic links go round in a loop");
        return couldNotSave (requested, std::strerror (error));
    }

    /** The absolute path a link names, its folder resolved by the kernel (realpath) so that ".." in
        the link means what it means to the kernel, not to string editing. Empty with `problem` set
        when that folder cannot be resolved. */
    std::string followLink (const std::string& requested, const std::string& link, const struct stat& info, std::string& problem)
    {
        std::string contents ((std::size_t) juce::jmax ((off_t) PATH_MAX, info.st_size) + 1, '\0');
        const auto length = ::readlink (link.c_str(), contents.data(), contents.size());
        if (length < 0 || (std::size_t) length >= contents.size())
        {
            problem = couldNotSave (requested, length < 0 ? std::strerror (errno) : "its link is too long");
            return {};
        }
        contents.resize ((std::size_t) length);
        if (contents.empty())
        {
            problem = couldNotSave (requested, "its link is empty");
            return {};
        }

        auto named = contents.front() == '/' ? contents : parentOf (link) + "/" + contents;
        while (named.size() > 1 && named.back() == '/')
            named.pop_back(); // "dir/" names dir
        const auto slash = named.find_last_of ('/');
        const auto leaf = named.substr (slash + 1);
        const auto folder = named.substr (0, slash);
        const auto resolve = leaf == "." || leaf == ".." ? named : folder.empty() ? std::string ("/")
                                                                                  : folder;

        char resolved[PATH_MAX + 1] {};
        if (::realpath (resolve.c_str(), resolved) == nullptr)
        {
            const auto error = errno;
            problem = error == ENOENT ? requested + " is a link to " + named + ", in a folder that does not exist."
                                      : lookupFailure (requested, named, error);
            return {};
        }
        if (resolve == named)
            return resolved; // "." or "..": a folder, which the caller refuses
        const std::string base (resolved);
        return (base == "/" ? std::string() : base) + "/" + leaf;
    }

    /** 64 random bits as hex, for a temporary name nobody else will pick. /dev/urandom when it is
        there; otherwise time, pid and a counter, which O_EXCL makes safe anyway. */
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

    int fsyncRetrying (int fd)
    {
        int result;
        do
            result = ::fsync (fd);
        while (result != 0 && errno == EINTR);
        return result;
    }

    bool sameFile (const struct stat& a, const struct stat& b)
    {
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    }
} // namespace

//==============================================================================
SaveTarget resolveSaveTarget (const juce::File& target)
{
    const auto requested = target.getFullPathName().toStdString();
    auto path = requested;
    for (int hops = 0;; ++hops)
    {
        struct stat info
        {
        };
        if (::lstat (path.c_str(), &info) != 0)
        {
            const auto error = errno;
            if (error != ENOENT)
                return refuse (lookupFailure (requested, path, error));
            // Nothing there: a new file. Reached through a link, its folder exists (followLink checked).
            return { juce::File (juce::String (path)), {} };
        }
        if (S_ISREG (info.st_mode))
            return { juce::File (juce::String (path)), {} };
        if (! S_ISLNK (info.st_mode))
            return refuse (path == requested ? requested + " is " + kindOf (info.st_mode) + giveAFileName
                                             : requested + " is a link to " + path + ", which is " + kindOf (info.st_mode) + giveAFileName);
        if (hops == maxLinkHops)
            return refuse (lookupFailure (requested, path, ELOOP));

        std::string problem;
        path = followLink (requested, path, info, problem);
        if (path.empty())
            return refuse (problem);
    }
}

bool isTemporaryNameFor (const juce::String& name, const juce::String& targetName)
{
    const auto prefix = targetName + ".tmp-";
    if (targetName.isEmpty() || ! name.startsWith (prefix))
        return false;
    const auto suffix = name.substring (prefix.length());
    return suffix.length() >= 1 && suffix.length() <= 16 && suffix.containsOnly ("0123456789abcdef");
}

int removeLeftoverTemporaries (const juce::File& target)
{
    const auto folder = target.getParentDirectory().getFullPathName().toStdString();
    const auto targetName = target.getFileName();
    DIR* listing = ::opendir (folder.c_str());
    if (listing == nullptr)
        return 0;

    int removed = 0;
    while (const auto* entry = ::readdir (listing))
    {
        if (! isTemporaryNameFor (juce::String::fromUTF8 (entry->d_name), targetName))
            continue;
        const auto path = folder + "/" + entry->d_name;
        struct stat before
        {
        };
        // lstat first: opening a device or a pipe to look at it can have effects of its own.
        if (::lstat (path.c_str(), &before) != 0 || ! S_ISREG (before.st_mode))
            continue;
        const int fd = ::open (path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct stat opened
        {
        };
        // A save that is still writing holds the lock: its file is not a leftover.
        if (::fstat (fd, &opened) == 0 && sameFile (before, opened) && ::flock (fd, LOCK_EX | LOCK_NB) == 0)
            removed += ::unlink (path.c_str()) == 0 ? 1 : 0;
        ::close (fd);
    }
    ::closedir (listing);
    return removed;
}

juce::Result saveFailure (const juce::File& target, int errorNumber)
{
    return juce::Result::fail ("Could not save " + target.getFullPathName() + ": " + juce::String (std::strerror (errorNumber)) + ".");
}

//==============================================================================
AtomicSave::~AtomicSave()
{
    // Removed before the lock goes with the descriptor, so no other save's cleanup races this one.
    if (! committed && ! path.empty())
        ::unlink (path.c_str());
    if (fd >= 0)
        ::close (fd);
}

juce::Result AtomicSave::begin (const juce::File& requested, MissingFolder missingFolder)
{
    jassert (fd < 0 && path.empty()); // once per AtomicSave

    auto resolved = resolveSaveTarget (requested);
    if (! resolved.ok())
        return juce::Result::fail (resolved.error);
    target = resolved.file;

    const auto folder = target.getParentDirectory();
    if (! folder.isDirectory())
    {
        if (missingFolder == MissingFolder::refuse)
            return juce::Result::fail ("The folder " + folder.getFullPathName() + " does not exist; create it first.");
        if (auto made = folder.createDirectory(); made.failed())
            return juce::Result::fail ("Could not save " + target.getFullPathName() + ": " + made.getErrorMessage().trimCharactersAtEnd (".") + ".");
    }

    removeLeftoverTemporaries (target);

    for (int attempt = 0; attempt < 16; ++attempt)
    {
        const auto candidate = folder.getChildFile (target.getFileName() + ".tmp-" + randomHexSuffix()).getFullPathName().toStdString();
        const int created = ::open (candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (created < 0)
        {
            if (errno == EEXIST)
                continue;
            return saveFailure (target, errno);
        }

        // Between the create and the lock another save's cleanup may have taken the file for a
        // leftover and removed it: then the name is no longer this file's, and a new one is made.
        struct stat opened
        {
        }, named {};
        if (::flock (created, LOCK_EX | LOCK_NB) == 0 && ::fstat (created, &opened) == 0
            && ::lstat (candidate.c_str(), &named) == 0 && sameFile (opened, named))
        {
            fd = created;
            path = candidate;
            return juce::Result::ok();
        }
        ::close (created);
    }
    return saveFailure (target, EEXIST);
}

juce::Result AtomicSave::commit()
{
    jassert (fd >= 0 && ! committed);
    if (fd < 0)
        return saveFailure (target, EBADF);

    // The data must be on disk before the rename makes it the target, or a crash could leave the
    // target renamed but empty. Syncing this descriptor syncs the file, whoever wrote it.
    if (fsyncRetrying (fd) != 0)
        return saveFailure (target, errno);

    // The descriptor (and its lock) is kept until the rename, so no cleanup takes the file meanwhile.
    if (::rename (path.c_str(), target.getFullPathName().toRawUTF8()) != 0)
        return saveFailure (target, errno);
    committed = true;
    ::close (fd); // the data is synced: closing cannot lose it
    fd = -1;

    // The rename itself lives in the folder: sync it so the new name survives a power cut.
    const auto folderPath = target.getParentDirectory().getFullPathName();
    const int folderFd = ::open (folderPath.toRawUTF8(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folderFd < 0)
        return saveFailure (target, errno);
    const auto synced = fsyncRetrying (folderFd);
    const auto syncError = errno;
    ::close (folderFd);
    // Some file systems cannot sync a folder (EINVAL); the rename has happened, which is all they offer.
    if (synced != 0 && syncError != EINVAL)
        return saveFailure (target, syncError);
    return juce::Result::ok();
}

} // namespace imbolc::model
