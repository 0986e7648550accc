namespace imbolc::gui
{

AudioClipFiles::AudioClipFiles (std::function<void()> progress)
    : onProgress (std::move (progress))
{
    formats.registerBasicFormats();
}

AudioClipFiles::~AudioClipFiles()
{
    // The thumbnails go before the cache whose thread reads for them.
    for (auto& [path, f] : files)
        if (f->thumbnail != nullptr)
            f->thumbnail->removeChangeListener (this);
    files.clear();
}

const AudioClipFiles::File& AudioClipFiles::open (const juce::File& file)
{
    const auto key = file.getFullPathName();
    if (const auto it = files.find (key); it != files.end())
        return *it->second;
    auto f = std::make_unique<File>();
    f->file = file;
    // 128 samples per overview point: detailed down to a few milliseconds a pixel; a minute of 48 kHz
    // audio is 22500 points (two bytes each) per channel.
    f->thumbnail = std::make_unique<juce::AudioThumbnail> (128, formats, cache);
    // The header says the rate and length the clip's samples are counted in; the thumbnail reads the
    // samples on the cache's thread.
    if (file.existsAsFile())
        if (std::unique_ptr<juce::AudioFormatReader> reader (formats.createReaderFor (file)); reader != nullptr && reader->sampleRate > 0.0)
        {
            f->sampleRate = reader->sampleRate;
            f->length = reader->lengthInSamples;
            reader.reset();
            f->missing = ! f->thumbnail->setSource (new juce::FileInputSource (file));
        }
    f->thumbnail->addChangeListener (this);
    return *files.emplace (key, std::move (f)).first->second;
}

const AudioClipFiles::File* AudioClipFiles::find (const juce::File& file) const
{
    const auto it = files.find (file.getFullPathName());
    return it != files.end() ? it->second.get() : nullptr;
}

bool AudioClipFiles::isFullyLoaded() const
{
    return std::all_of (files.begin(), files.end(), [] (const auto& entry)
                        { return entry.second->missing || entry.second->thumbnail->isFullyLoaded(); });
}

void AudioClipFiles::retainOnly (const std::set<juce::String>& keep)
{
    for (auto it = files.begin(); it != files.end();)
    {
        if (keep.count (it->first) != 0)
        {
            ++it;
            continue;
        }
        it->second->thumbnail->removeChangeListener (this);
        it = files.erase (it);
    }
}

void AudioClipFiles::changeListenerCallback (juce::ChangeBroadcaster*)
{
    if (onProgress)
        onProgress();
}

} // namespace imbolc::gui
