#pragma once

namespace imbolc::gui
{

/** The audio files an arrangement's audio clips play, as waveform overviews: one juce::AudioThumbnail per
    file, whose samples the AudioThumbnailCache's own thread reads, so painting never waits for the disk.

    open() is the only call that touches the disk (the file's header, as AudioThumbnail::setSource reads
    it); views call it when the session changes, never while painting. `onProgress` is called (message
    thread) whenever more of a file's overview has been read, for the view to repaint.

    Message thread.
*/
class AudioClipFiles final : private juce::ChangeListener
{
public:
    explicit AudioClipFiles (std::function<void()> onProgress);
    ~AudioClipFiles() override;

    /** What is known of one file. */
    struct File
    {
        juce::File file;
        std::unique_ptr<juce::AudioThumbnail> thumbnail;
        bool missing = true; ///< it does not exist or is not audio this build reads
        double sampleRate = 0.0; ///< the file's own (0 when missing)
        std::int64_t length = 0; ///< frames in the file (0 when missing)
    };

    /** Starts reading `file` if it is not known yet (its header now, its samples in the background). */
    const File& open (const juce::File& file);

    /** The file as far as open() saw it, or nullptr if it was never opened. Never touches the disk. */
    const File* find (const juce::File& file) const;

    /** True when every opened file that exists has its whole overview read (tests wait for it). */
    bool isFullyLoaded() const;

    /** Forgets the files not in `keep` (a clip that went, a session that closed). */
    void retainOnly (const std::set<juce::String>& keepFullPaths);

private:
    void changeListenerCallback (juce::ChangeBroadcaster*) override;

    std::function<void()> onProgress;
    juce::AudioFormatManager formats;
    juce::AudioThumbnailCache cache { 32 };
    std::map<juce::String, std::unique_ptr<File>> files; ///< by full path

    JUCE_DECLARE_NON_COPYABLE (AudioClipFiles)
};

} // namespace imbolc::gui
