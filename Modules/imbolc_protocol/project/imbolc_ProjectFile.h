#pragma once

namespace imbolc::protocol
{

/** Writes bytes to a file atomically (model::AtomicSave): a temporary file `<name>.tmp-<hex>` beside
    the target, fsync, rename over the target, fsync of the folder. If the process dies at any point,
    the target holds either the old file or the new one, never a mix, and the next save of the same
    file removes the temporary file the dead one left. Only a regular file is replaced: a folder,
    device, named pipe or socket is refused with a sentence, and a symbolic link is followed to the
    file it names (model::resolveSaveTarget). Missing folders are made. `afterChunk` (for tests) is
    called after each chunk is written with the bytes written so far. Any thread but the audio thread.
*/
juce::Result writeFileAtomically (const juce::File& target, const void* data, std::size_t size, const std::function<void (std::size_t written)>& afterChunk = {});

/** Encodes and saves a session now, atomically. Any thread but the audio thread. */
juce::Result saveProject (const model::Session&, const juce::File&);

/** Reads and decodes a project file; one sentence on failure. Any thread but the audio thread. */
DecodeResult loadProject (const juce::File&);

/** Saves snapshots on a background thread so the message thread never waits for the disk.

    saveAsync() takes a copy of the session (the caller keeps editing) and returns at once. If a save is
    requested while another is waiting, only the newest waits: the older one would be overwritten anyway.
    Completion callbacks run on the saver's thread; post to the message thread from there if needed.
*/
class ProjectSaver
{
public:
    using Callback = std::function<void (const juce::File&, juce::Result)>;

    ProjectSaver();
    /** Finishes every requested save, then stops the thread. */
    ~ProjectSaver();

    /** Message thread (or any one thread). */
    void saveAsync (model::Session snapshot, const juce::File& target, Callback done = {});

    /** Blocks until every requested save has finished. Not on the audio thread. */
    void waitUntilIdle();

private:
    void run();

    struct Job
    {
        model::Session session;
        juce::File target;
        Callback done;
    };

    std::mutex mutex;
    std::condition_variable wake, idle;
    std::optional<Job> pending;
    bool busy = false, quit = false;
    std::thread thread;
};

} // namespace imbolc::protocol
