#pragma once

namespace imbolc::model
{

/** Where a save to a path really writes, or the one sentence saying why nothing may be written. */
struct SaveTarget
{
    juce::File file; ///< the regular file to replace or create: the path itself, or the file its symbolic links name
    std::string error; ///< empty when `file` may be written

    bool ok() const noexcept { return error.empty(); }
};

/** Checks a path before anything is saved to it, so that a save only ever replaces a regular file.

    - A regular file, or nothing yet: saved there (missing folders are the caller's to make or refuse).
    - A folder, a device, a named pipe or a socket: refused ("/tmp/x is a folder, not a file: give a
      file name to save to."), because replacing one by renaming a file over it destroys it.
    - A symbolic link: followed, link after link, to what it names, and that is checked the same way;
      the save replaces the file the link names and the link stays a link. A dangling link saves to
      (creates) the file it names, as the shell's `>` does, if that file's folder exists; otherwise it
      is refused. Links that go round in a loop are refused.
    - A path through something that is not a folder ("a/file/x") is refused, naming that ancestor.

    Kept in the model because every module that saves (protocol, engine, sc) can reach it. Any thread
    but the audio thread: it asks the file system.
*/
SaveTarget resolveSaveTarget (const juce::File& target);

/** True when `name` is what an AtomicSave of a file called `targetName` names its temporary file:
    `<targetName>.tmp-` then 1 to 16 lower-case hex digits, and nothing after. Any thread. */
bool isTemporaryNameFor (const juce::String& name, const juce::String& targetName);

/** Removes what killed saves of `target` left beside it: regular files named as isTemporaryNameFor
    says that no save is writing now (a save locks its temporary file until it ends). Nothing else is
    touched: other files' temporaries, near-misses of the pattern, links and special files stay.
    Returns how many files it removed. Any thread but the audio thread. */
int removeLeftoverTemporaries (const juce::File& target);

/** "Could not save <target>: <what errno says>." Any thread. */
juce::Result saveFailure (const juce::File& target, int errorNumber);

//==============================================================================
/** One atomic save: the content goes to a temporary file beside the target, which replaces the
    target by a rename only when complete, so the target holds either the old content or the new one,
    whatever happens. The one implementation behind project files, renders and the demo sample.

    begin() checks the target (resolveSaveTarget), removes what killed saves of it left behind, and
    creates the temporary file; the caller writes through getDescriptor() or opens getFile(); commit()
    makes it the target. Without a commit (an error, an exception), the temporary file is removed.

    One thread at a time; not the audio thread.
*/
class AtomicSave
{
public:
    enum class MissingFolder
    {
        make, ///< creates the target's missing folders
        refuse ///< fails with "The folder ... does not exist; create it first."
    };

    AtomicSave() = default;
    AtomicSave (const AtomicSave&) = delete;
    AtomicSave& operator= (const AtomicSave&) = delete;
    ~AtomicSave();

    /** Starts the save: one sentence on failure, with nothing written. Call once. */
    juce::Result begin (const juce::File& requested, MissingFolder);

    /** The file the save replaces: the requested one, or the file its links name. */
    const juce::File& getTarget() const noexcept { return target; }

    /** The temporary file, `<target name>.tmp-<16 hex digits>` beside the target. */
    juce::File getFile() const { return juce::File (juce::String (path)); }

    /** Open for writing (and locked, so other saves' cleanup leaves it alone) from begin() to commit(). */
    int getDescriptor() const noexcept { return fd; }

    /** Syncs the temporary file's data (whoever wrote it), renames it over the target and syncs the
        folder so the new name survives a power cut. */
    juce::Result commit();

private:
    juce::File target;
    std::string path;
    int fd = -1;
    bool committed = false;
};

} // namespace imbolc::model
