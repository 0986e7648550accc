#include "imbolc_TestHelpers.h"

#include <sys/file.h>
#include <fcntl.h>

using namespace imbolc;
using namespace imbolc::test;

namespace
{
/** A fresh folder in the temporary directory, removed (links not followed) with everything in it. */
struct Folder
{
    juce::TemporaryFile temporary;
    juce::File folder = temporary.getFile();

    Folder() { REQUIRE (folder.createDirectory().wasOk()); }
    juce::File operator/ (const char* name) const { return folder.getChildFile (name); }
    std::string path (const char* name) const { return folder.getChildFile (name).getFullPathName().toStdString(); }
};

std::string refusal (const juce::File& f)
{
    const auto resolved = model::resolveSaveTarget (f);
    REQUIRE_FALSE (resolved.ok());
    REQUIRE (resolved.file == juce::File());
    return resolved.error;
}

juce::File resolvedFile (const juce::File& f)
{
    const auto resolved = model::resolveSaveTarget (f);
    INFO (resolved.error);
    REQUIRE (resolved.ok());
    return resolved.file;
}

bool link (const juce::File& at, const char* target)
{
    return ::symlink (target, at.getFullPathName().toRawUTF8()) == 0;
}
} // namespace

TEST_CASE ("resolveSaveTarget takes a regular file or a new name as it is", "[model][save]")
{
    Folder temp;
    REQUIRE ((temp / "song.imbolc").replaceWithText ("old"));
    CHECK (resolvedFile (temp / "song.imbolc") == temp / "song.imbolc");
    CHECK (resolvedFile (temp / "new.imbolc") == temp / "new.imbolc");
    // Missing folders are the caller's to make or refuse.
    CHECK (resolvedFile (temp / "a/b/new.imbolc") == temp / "a/b/new.imbolc");
}

TEST_CASE ("resolveSaveTarget refuses a folder, a named pipe, a socket and a device, each in its sentence", "[model][save]")
{
    Folder temp;
    REQUIRE ((temp / "folder").createDirectory().wasOk());
    REQUIRE (makeNamedPipe (temp / "pipe"));
    REQUIRE (makeSocketFile (temp / "socket"));

    CHECK (refusal (temp / "folder") == temp.path ("folder") + " is a folder, not a file: give a file name to save to.");
    CHECK (refusal (temp / "pipe") == temp.path ("pipe") + " is a named pipe, not a file: give a file name to save to.");
    CHECK (refusal (temp / "socket") == temp.path ("socket") + " is a socket, not a file: give a file name to save to.");
    // resolveSaveTarget only looks (lstat); nothing in these tests saves to a device.
    CHECK (refusal (juce::File ("/dev/null")) == "/dev/null is a device, not a file: give a file name to save to.");

    CHECK (fileTypeOf (temp / "folder") == S_IFDIR);
    CHECK (fileTypeOf (temp / "pipe") == S_IFIFO);
    CHECK (fileTypeOf (temp / "socket") == S_IFSOCK);
}

TEST_CASE ("resolveSaveTarget follows links to the file they name", "[model][save]")
{
    Folder temp;
    REQUIRE ((temp / "real").createDirectory().wasOk());
    REQUIRE ((temp / "real/song.imbolc").replaceWithText ("old"));
    REQUIRE (link (temp / "absolute", temp.path ("real/song.imbolc").c_str()));
    REQUIRE (link (temp / "relative", "real/song.imbolc"));
    REQUIRE (link (temp / "chain", "relative"));
    CHECK (resolvedFile (temp / "absolute") == temp / "real/song.imbolc");
    CHECK (resolvedFile (temp / "relative") == temp / "real/song.imbolc");
    CHECK (resolvedFile (temp / "chain") == temp / "real/song.imbolc");

    // ".." in a link means what it means to the kernel: relative to where the link's folder really is.
    REQUIRE ((temp / "real/deep").createDirectory().wasOk());
    REQUIRE (link (temp / "alias", "real/deep"));
    REQUIRE (link (temp / "real/deep/up", "../song.imbolc"));
    CHECK (resolvedFile (temp / "alias/up") == temp / "real/song.imbolc");

    // A dangling link saves to the file it names, if that file's folder exists.
    REQUIRE (link (temp / "dangling", "real/not-yet.imbolc"));
    CHECK (resolvedFile (temp / "dangling") == temp / "real/not-yet.imbolc");
    CHECK (fileTypeOf (temp / "real/not-yet.imbolc") == 0); // resolving creates nothing
}

TEST_CASE ("resolveSaveTarget refuses links to what it would refuse, into missing folders, and in loops", "[model][save]")
{
    Folder temp;
    REQUIRE ((temp / "folder").createDirectory().wasOk());
    REQUIRE (makeNamedPipe (temp / "pipe"));
    REQUIRE (link (temp / "to-folder", "folder"));
    REQUIRE (link (temp / "to-pipe", temp.path ("pipe").c_str()));
    REQUIRE (link (temp / "nowhere", "missing/x.imbolc"));
    REQUIRE (link (temp / "loop-a", "loop-b"));
    REQUIRE (link (temp / "loop-b", "loop-a"));
    REQUIRE (link (temp / "dot", "."));

    CHECK (refusal (temp / "to-folder") == temp.path ("to-folder") + " is a link to " + temp.path ("folder") + ", which is a folder, not a file: give a file name to save to.");
    CHECK (refusal (temp / "to-pipe") == temp.path ("to-pipe") + " is a link to " + temp.path ("pipe") + ", which is a named pipe, not a file: give a file name to save to.");
    CHECK (refusal (temp / "dot") == temp.path ("dot") + " is a link to " + temp.folder.getFullPathName().toStdString() + ", which is a folder, not a file: give a file name to save to.");
    CHECK (refusal (temp / "nowhere") == temp.path ("nowhere") + " is a link to " + temp.path ("missing/x.imbolc") + ", in a folder that does not exist.");
    CHECK (refusal (temp / "loop-a") == "Could not save " + temp.path ("loop-a") + ": its symbolic links go round in a loop.");
    CHECK (fileTypeOf (temp / "to-folder") == S_IFLNK);
    CHECK (fileTypeOf (temp / "missing") == 0);
}

TEST_CASE ("resolveSaveTarget names what is not a folder on the way", "[model][save]")
{
    Folder temp;
    REQUIRE ((temp / "blocker").replaceWithText ("a file"));
    REQUIRE (makeNamedPipe (temp / "pipe"));
    CHECK (refusal (temp / "blocker/samples/x.wav") == "Could not save " + temp.path ("blocker/samples/x.wav") + ": " + temp.path ("blocker") + " is a file, not a folder.");
    CHECK (refusal (temp / "pipe/x.wav") == "Could not save " + temp.path ("pipe/x.wav") + ": " + temp.path ("pipe") + " is a named pipe, not a folder.");
}

TEST_CASE ("isTemporaryNameFor matches exactly a save's temporary name", "[model][save]")
{
    CHECK (model::isTemporaryNameFor ("x.imbolc.tmp-0123abcd", "x.imbolc"));
    CHECK (model::isTemporaryNameFor ("x.imbolc.tmp-00000000deadbeef", "x.imbolc"));
    CHECK (model::isTemporaryNameFor ("x.imbolc.tmp-f", "x.imbolc"));

    CHECK_FALSE (model::isTemporaryNameFor ("x.imbolc", "x.imbolc"));
    CHECK_FALSE (model::isTemporaryNameFor ("x.imbolcfoo", "x.imbolc"));
    CHECK_FALSE (model::isTemporaryNameFor ("x.imbolc.tmp-", "x.imbolc"));
    CHECK_FALSE (model::isTemporaryNameFor ("x.imbolc.tmp-0123ABCD", "x.imbolc"));
    CHECK_FALSE (model::isTemporaryNameFor ("x.imbolc.tmp-0123abcd.bak", "x.imbolc"));
    CHECK_FALSE (model::isTemporaryNameFor ("x.imbolc.tmp-00000000deadbeef0", "x.imbolc"));
    CHECK_FALSE (model::isTemporaryNameFor ("y.imbolc.tmp-0123abcd", "x.imbolc"));
    CHECK_FALSE (model::isTemporaryNameFor ("ax.imbolc.tmp-0123abcd", "x.imbolc"));
    CHECK_FALSE (model::isTemporaryNameFor (".tmp-0123abcd", ""));
}

TEST_CASE ("removeLeftoverTemporaries removes a dead save's file and nothing else", "[model][save]")
{
    Folder temp;
    for (auto name : { "x.imbolc", "x.imbolc.tmp-0123abcd", "x.imbolc.tmp-ffff", "y.imbolc.tmp-0123abcd", "x.imbolcfoo", "x.imbolc.tmp-0123abcd.bak" })
        REQUIRE ((temp / name).replaceWithText (name));
    REQUIRE (makeNamedPipe (temp / "x.imbolc.tmp-aa"));
    REQUIRE (link (temp / "x.imbolc.tmp-bb", "x.imbolcfoo"));

    CHECK (model::removeLeftoverTemporaries (temp / "x.imbolc") == 2);
    CHECK (fileTypeOf (temp / "x.imbolc.tmp-0123abcd") == 0);
    CHECK (fileTypeOf (temp / "x.imbolc.tmp-ffff") == 0);
    CHECK ((temp / "x.imbolc").loadFileAsString() == "x.imbolc");
    CHECK ((temp / "y.imbolc.tmp-0123abcd").loadFileAsString() == "y.imbolc.tmp-0123abcd");
    CHECK ((temp / "x.imbolcfoo").loadFileAsString() == "x.imbolcfoo");
    CHECK ((temp / "x.imbolc.tmp-0123abcd.bak").existsAsFile());
    CHECK (fileTypeOf (temp / "x.imbolc.tmp-aa") == S_IFIFO);
    CHECK (fileTypeOf (temp / "x.imbolc.tmp-bb") == S_IFLNK);

    // A file some process is writing (it holds the lock) is not a leftover.
    REQUIRE ((temp / "x.imbolc.tmp-1234").replaceWithText ("busy"));
    const int busy = ::open (temp.path ("x.imbolc.tmp-1234").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE (busy >= 0);
    REQUIRE (::flock (busy, LOCK_EX) == 0);
    CHECK (model::removeLeftoverTemporaries (temp / "x.imbolc") == 0);
    CHECK ((temp / "x.imbolc.tmp-1234").loadFileAsString() == "busy");
    ::close (busy);
    CHECK (model::removeLeftoverTemporaries (temp / "x.imbolc") == 1);
    CHECK (fileTypeOf (temp / "x.imbolc.tmp-1234") == 0);
}

TEST_CASE ("AtomicSave replaces the target on commit and leaves nothing without one", "[model][save]")
{
    Folder temp;
    const auto target = temp / "song.imbolc";
    REQUIRE (target.replaceWithText ("old"));
    REQUIRE ((temp / "song.imbolc.tmp-0123abcd").replaceWithText ("left by a killed save"));

    {
        model::AtomicSave save;
        REQUIRE (save.begin (target, model::AtomicSave::MissingFolder::refuse).wasOk());
        CHECK (model::isTemporaryNameFor (save.getFile().getFileName(), "song.imbolc"));
        CHECK (save.getFile().getFileName().length() == juce::String ("song.imbolc.tmp-").length() + 16);
        CHECK (save.getFile().getParentDirectory() == temp.folder);
        // The killed save's file went when this one began; this one's own survives another's cleanup.
        CHECK (fileTypeOf (temp / "song.imbolc.tmp-0123abcd") == 0);
        CHECK (model::removeLeftoverTemporaries (target) == 0);
        REQUIRE (::write (save.getDescriptor(), "abandoned", 9) == 9);
    }
    CHECK (target.loadFileAsString() == "old");
    CHECK (temp.folder.getNumberOfChildFiles (juce::File::findFilesAndDirectories) == 1);

    {
        model::AtomicSave save;
        REQUIRE (save.begin (target, model::AtomicSave::MissingFolder::refuse).wasOk());
        REQUIRE (::write (save.getDescriptor(), "new", 3) == 3);
        REQUIRE (save.commit().wasOk());
    }
    CHECK (target.loadFileAsString() == "new");
    CHECK (temp.folder.getNumberOfChildFiles (juce::File::findFilesAndDirectories) == 1);

    model::AtomicSave missing;
    CHECK (missing.begin (temp / "no/such/x.wav", model::AtomicSave::MissingFolder::refuse).getErrorMessage()
           == "The folder " + (temp / "no/such").getFullPathName() + " does not exist; create it first.");
    CHECK (fileTypeOf (temp / "no") == 0);
}
