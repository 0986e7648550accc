#include "imbolc_ProtocolTestSupport.h"

#include <atomic>
#include <csignal>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace imbolc;
using namespace imbolc::test;

namespace
{
model::Session loadOk (const juce::File& f)
{
    auto loaded = protocol::loadProject (f);
    INFO (loaded.error);
    REQUIRE (loaded.ok());
    return std::move (*loaded.session);
}

model::Session renamed (model::Session s, const std::string& name)
{
    s.settings.name = name;
    return s;
}
} // namespace

TEST_CASE ("a saved project loads back equal and no temporary file is left", "[protocol]")
{
    TempFolder temp;
    const auto f = temp.file ("song.imbolc");

    const auto result = protocol::saveProject (smallReference(), f);
    INFO (result.getErrorMessage());
    REQUIRE (result.wasOk());
    REQUIRE (readBytes (f) == protocol::encodeProject (smallReference()));
    REQUIRE (loadOk (f) == smallReference());
    REQUIRE (temp.names() == std::vector<std::string> { "song.imbolc" });
}

TEST_CASE ("a reordered rack is saved and loads back in its order", "[protocol]")
{
    auto session = smallReference();
    REQUIRE (session.instruments.size() >= 3);
    const auto last = session.instruments[session.instruments.size() - 1].id;
    const auto first = session.instruments[0].id;
    model::UndoHistory history;
    model::Dispatcher dispatcher { session, history };
    REQUIRE (dispatcher.apply (model::action::MoveInstrument { last, 0 }).ok());
    REQUIRE (dispatcher.apply (model::action::MoveInstrument { first, 1000 }).ok());
    REQUIRE (session.instruments[0].id == last);
    REQUIRE (session.instruments[session.instruments.size() - 1].id == first);

    TempFolder temp;
    const auto f = temp.file ("reordered.imbolc");
    const auto result = protocol::saveProject (session, f);
    INFO (result.getErrorMessage());
    REQUIRE (result.wasOk());
    const auto loaded = loadOk (f);
    std::vector<model::InstrumentId> saved, back;
    for (const auto& inst : session.instruments)
        saved.push_back (inst.id);
    for (const auto& inst : loaded.instruments)
        back.push_back (inst.id);
    CHECK (back == saved);
    CHECK (loaded.instruments.isConsistent());
    CHECK (loaded == session);
}

TEST_CASE ("saving over a project replaces it", "[protocol]")
{
    TempFolder temp;
    const auto f = temp.file ("song.imbolc");
    const auto every = stopped (makeEveryFieldSession());

    REQUIRE (protocol::saveProject (largeReference(), f).wasOk());
    REQUIRE (protocol::saveProject (every, f).wasOk());
    REQUIRE (readBytes (f) == protocol::encodeProject (every));
    REQUIRE (loadOk (f) == every);
    REQUIRE (temp.names() == std::vector<std::string> { "song.imbolc" });
}

TEST_CASE ("writeFileAtomically writes in chunks and makes a missing folder", "[protocol]")
{
    TempFolder temp;
    const auto f = temp.folder.getChildFile ("new/deeper/data.bin");
    REQUIRE_FALSE (f.getParentDirectory().exists());

    std::vector<std::uint8_t> data (2 * 1024 * 1024 + 123);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = (std::uint8_t) (i * 7 + i / 251);

    std::vector<std::size_t> progress;
    const auto result = protocol::writeFileAtomically (f, data.data(), data.size(), [&] (std::size_t written)
                                                       { progress.push_back (written); });
    INFO (result.getErrorMessage());
    REQUIRE (result.wasOk());
    REQUIRE (progress == std::vector<std::size_t> { 1024 * 1024, 2 * 1024 * 1024, data.size() });
    REQUIRE (readBytes (f) == data);
    REQUIRE (f.getParentDirectory().getNumberOfChildFiles (juce::File::findFilesAndDirectories) == 1);

    // An empty file is a file too.
    const auto empty = temp.file ("empty.bin");
    REQUIRE (protocol::writeFileAtomically (empty, nullptr, 0).wasOk());
    REQUIRE (empty.existsAsFile());
    REQUIRE (empty.getSize() == 0);
}

TEST_CASE ("loading a missing or damaged file names the problem", "[protocol]")
{
    TempFolder temp;

    const auto missing = temp.file ("nowhere.imbolc");
    const auto notThere = protocol::loadProject (missing);
    REQUIRE_FALSE (notThere.ok());
    REQUIRE (notThere.error == "There is no file at " + missing.getFullPathName().toStdString() + ".");

    const auto folderResult = protocol::loadProject (temp.folder);
    REQUIRE_FALSE (folderResult.ok());
    REQUIRE (folderResult.error.find (temp.folder.getFullPathName().toStdString()) != std::string::npos);

    const auto text = temp.file ("notes.txt");
    REQUIRE (text.replaceWithText ("just some text, not a project"));
    const auto foreign = protocol::loadProject (text);
    REQUIRE_FALSE (foreign.ok());
    REQUIRE (foreign.error == "This is not an Imbolc project file (wrong file identifier).");

    const auto empty = temp.file ("empty.imbolc");
    REQUIRE (empty.create().wasOk());
    REQUIRE (protocol::loadProject (empty).error == "The file is empty.");
}

TEST_CASE ("a save that cannot be written fails with a sentence and leaves nothing behind", "[protocol]")
{
    TempFolder temp;
    // Tests run as root, so permissions would not stop the write: a regular file where the folder
    // should be does.
    const auto blocker = temp.file ("blocker");
    REQUIRE (blocker.replaceWithText ("a file, not a folder"));
    const auto target = blocker.getChildFile ("x.imbolc");

    const auto result = protocol::saveProject (smallReference(), target);
    REQUIRE (result.failed());
    REQUIRE (result.getErrorMessage() == "Could not save " + target.getFullPathName() + ": " + blocker.getFullPathName() + " is a file, not a folder.");
    REQUIRE (temp.names() == std::vector<std::string> { "blocker" });
    REQUIRE (blocker.loadFileAsString() == "a file, not a folder");
}

TEST_CASE ("saving refuses a folder, a named pipe and a socket, and leaves each as it was", "[protocol]")
{
    TempFolder temp;
    const auto folder = temp.file ("taken.imbolc");
    REQUIRE (folder.createDirectory().wasOk());
    REQUIRE (folder.getChildFile ("inside.txt").replaceWithText ("kept"));
    const auto pipe = temp.file ("pipe.imbolc");
    REQUIRE (makeNamedPipe (pipe));
    const auto socket = temp.file ("socket.imbolc");
    REQUIRE (makeSocketFile (socket));

    const auto refused = [] (const juce::File& f)
    {
        const auto r = protocol::saveProject (smallReference(), f);
        REQUIRE (r.failed());
        return r.getErrorMessage();
    };
    CHECK (refused (folder) == folder.getFullPathName() + " is a folder, not a file: give a file name to save to.");
    CHECK (refused (pipe) == pipe.getFullPathName() + " is a named pipe, not a file: give a file name to save to.");
    CHECK (refused (socket) == socket.getFullPathName() + " is a socket, not a file: give a file name to save to.");

    CHECK (fileTypeOf (folder) == S_IFDIR);
    CHECK (folder.getNumberOfChildFiles (juce::File::findFilesAndDirectories) == 1);
    CHECK (folder.getChildFile ("inside.txt").loadFileAsString() == "kept");
    CHECK (fileTypeOf (pipe) == S_IFIFO);
    CHECK (fileTypeOf (socket) == S_IFSOCK);
    CHECK (temp.names() == std::vector<std::string> { "pipe.imbolc", "socket.imbolc", "taken.imbolc" });
}

TEST_CASE ("saving through a symbolic link replaces the file it names and keeps the link", "[protocol]")
{
    TempFolder temp;
    const auto real = temp.file ("real/song.imbolc");
    REQUIRE (protocol::saveProject (largeReference(), real).wasOk());
    const auto link = temp.file ("song.imbolc");
    REQUIRE (::symlink ("real/song.imbolc", link.getFullPathName().toRawUTF8()) == 0);

    const auto saved = protocol::saveProject (smallReference(), link);
    INFO (saved.getErrorMessage());
    REQUIRE (saved.wasOk());
    REQUIRE (readBytes (real) == protocol::encodeProject (smallReference()));
    REQUIRE (fileTypeOf (link) == S_IFLNK);
    REQUIRE (link.getLinkedTarget() == real);
    REQUIRE (temp.names() == std::vector<std::string> { "real", "song.imbolc" });
    REQUIRE (real.getParentDirectory().getNumberOfChildFiles (juce::File::findFilesAndDirectories) == 1);

    // A dangling link: the file it names is created, and the link then leads to it.
    const auto later = temp.file ("later.imbolc");
    REQUIRE (::symlink ("real/later.imbolc", later.getFullPathName().toRawUTF8()) == 0);
    REQUIRE (protocol::saveProject (smallReference(), later).wasOk());
    REQUIRE (fileTypeOf (later) == S_IFLNK);
    REQUIRE (readBytes (temp.file ("real/later.imbolc")) == protocol::encodeProject (smallReference()));
}

TEST_CASE ("the next save of a file removes what a killed save of it left, and nothing else", "[protocol]")
{
    TempFolder temp;
    for (auto name : { "x.imbolc.tmp-0123abcd", "y.imbolc.tmp-0123abcd", "x.imbolcfoo" })
        REQUIRE (temp.file (name).replaceWithText ("left behind"));

    REQUIRE (protocol::saveProject (smallReference(), temp.file ("x.imbolc")).wasOk());
    REQUIRE (temp.names() == std::vector<std::string> { "x.imbolc", "x.imbolcfoo", "y.imbolc.tmp-0123abcd" });
    REQUIRE (temp.file ("y.imbolc.tmp-0123abcd").loadFileAsString() == "left behind");
    REQUIRE (temp.file ("x.imbolcfoo").loadFileAsString() == "left behind");
}

TEST_CASE ("a save killed midway leaves the previous file intact", "[protocol]")
{
    TempFolder temp;
    const auto f = temp.file ("song.imbolc");

    const auto& a = smallReference();
    REQUIRE (protocol::saveProject (a, f).wasOk());
    const auto aBytes = readBytes (f);

    // Everything the child needs is made before the fork.
    const auto bBytes = protocol::encodeProject (largeReference());
    REQUIRE (bBytes.size() > 1024 * 1024);

    int pipeFds[2];
    REQUIRE (::pipe (pipeFds) == 0);

    const auto child = ::fork();
    REQUIRE (child >= 0);
    if (child == 0)
    {
        ::close (pipeFds[0]);
        const int signalFd = pipeFds[1];
        protocol::writeFileAtomically (f, bBytes.data(), bBytes.size(), [signalFd] (std::size_t)
                                       {
                                           const char byte = 1;
                                           [[maybe_unused]] const auto n = ::write (signalFd, &byte, 1);
                                           for (;;)
                                               ::pause(); });
        ::_exit (3); // only reached if the write never got to a chunk
    }

    ::close (pipeFds[1]);
    pollfd waitFor { pipeFds[0], POLLIN, 0 };
    const auto ready = ::poll (&waitFor, 1, 30'000);
    char byte = 0;
    const auto got = ready == 1 ? ::read (pipeFds[0], &byte, 1) : 0;
    ::close (pipeFds[0]);

    ::kill (child, SIGKILL);
    int status = 0;
    REQUIRE (::waitpid (child, &status, 0) == child);

    REQUIRE (got == 1);
    REQUIRE (WIFSIGNALED (status));
    REQUIRE (WTERMSIG (status) == SIGKILL);

    // The target is byte for byte the old file, and still loads.
    REQUIRE (readBytes (f) == aBytes);
    REQUIRE (loadOk (f) == a);

    // The kill landed mid-save: the half-written temporary file is there, shorter than the new file.
    const auto leftovers = temp.temporaryFiles();
    REQUIRE (leftovers.size() == 1);
    REQUIRE (leftovers[0].getFileName().startsWith ("song.imbolc.tmp-"));
    REQUIRE (leftovers[0].getSize() > 0);
    REQUIRE ((std::size_t) leftovers[0].getSize() < bBytes.size());

    // Saving again works, replaces the file and removes what the killed save left.
    const auto b = largeReference();
    REQUIRE (protocol::saveProject (b, f).wasOk());
    REQUIRE (readBytes (f) == bBytes);
    REQUIRE (loadOk (f) == b);
    REQUIRE (temp.names() == std::vector<std::string> { "song.imbolc" });
}

TEST_CASE ("ProjectSaver saves snapshots on its own thread with the newest last", "[protocol]")
{
    TempFolder temp;
    const auto f = temp.file ("async.imbolc");

    auto session = smallReference();
    const auto before = session;

    std::mutex mutex;
    std::vector<std::thread::id> callbackThreads;
    std::vector<std::string> savedNames;
    std::vector<bool> results;

    {
        protocol::ProjectSaver saver;
        for (int i = 1; i <= 3; ++i)
        {
            const auto name = "Snapshot " + std::to_string (i);
            saver.saveAsync (renamed (session, name), f, [&, name] (const juce::File& target, juce::Result result)
                             {
                                 const std::lock_guard lock (mutex);
                                 // Catch2 is not thread-safe: record here, check on the test's thread.
                                 results.push_back (result.wasOk() && target == f);
                                 callbackThreads.push_back (std::this_thread::get_id());
                                 savedNames.push_back (name); });
        }
        saver.waitUntilIdle();

        REQUIRE (loadOk (f) == renamed (session, "Snapshot 3"));
        REQUIRE (session == before);

        const std::lock_guard lock (mutex);
        // Older snapshots may have been replaced while waiting, but the newest always ran, last.
        REQUIRE_FALSE (savedNames.empty());
        REQUIRE (savedNames.back() == "Snapshot 3");
        REQUIRE (std::is_sorted (savedNames.begin(), savedNames.end()));
        for (auto ok : results)
            REQUIRE (ok);
        for (auto id : callbackThreads)
            REQUIRE (id != std::this_thread::get_id());
    }

    REQUIRE (temp.names() == std::vector<std::string> { "async.imbolc" });
}

TEST_CASE ("ProjectSaver finishes a requested save before it is destroyed", "[protocol]")
{
    TempFolder temp;
    const auto f = temp.file ("late.imbolc");
    std::atomic<int> callbacks { 0 };

    {
        protocol::ProjectSaver saver;
        saver.saveAsync (largeReference(), f, [&] (const juce::File&, juce::Result r)
                         {
                             if (r.wasOk())
                                 ++callbacks; });
    }

    REQUIRE (callbacks == 1);
    REQUIRE (loadOk (f) == largeReference());

    // A failed save reports its sentence through the callback.
    const auto blocker = temp.file ("blocker");
    REQUIRE (blocker.replaceWithText ("x"));
    juce::String message;
    {
        protocol::ProjectSaver saver;
        saver.saveAsync (smallReference(), blocker.getChildFile ("y.imbolc"), [&] (const juce::File&, juce::Result r)
                         { message = r.getErrorMessage(); });
        saver.waitUntilIdle();
    }
    REQUIRE (message == "Could not save " + blocker.getChildFile ("y.imbolc").getFullPathName() + ": " + blocker.getFullPathName() + " is a file, not a folder.");
}
