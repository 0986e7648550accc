#pragma once

namespace imbolc::engine
{

/** A decoded sample: up to two channels of float audio at the file's own rate. Immutable once loaded,
    so several chains (an instrument rebuilt while its old chain fades) can share one. */
struct SampleData
{
    juce::AudioBuffer<float> audio;
    double sampleRate = 48000.0;

    int getLength() const noexcept { return audio.getNumSamples(); }
    int getNumChannels() const noexcept { return audio.getNumChannels(); }
};

/** The longest sample the sampler loads; longer files play their first this-many seconds. */
constexpr double maxSampleSeconds = 600.0;

/** Reads a WAV, FLAC (or any format `formats` knows) into memory. On failure returns nullptr and sets
    `problem` to why, as the end of a sentence ("does not exist", "is not an audio file it can
    read", ...); `truncated` is set when the file was longer than maxSampleSeconds. Message thread. */
std::shared_ptr<const SampleData> loadSample (juce::AudioFormatManager& formats, const juce::File& file, juce::String& problem, bool& truncated);

/** Writes a short, deterministic plucked-string sample at C4 (MIDI 60, 261.63 Hz): 0.5 s, mono,
    48 kHz, 24-bit WAV, so the demo session's sampler has something to play. Creates the parent
    folder, and saves as project files are saved (model::AtomicSave): never over a folder, device,
    named pipe or socket, never creating a folder under something that is not one, through a symbolic
    link into the file it names. One sentence on failure. Any thread but the audio thread. */
juce::Result writeDemoSample (const juce::File& file);

/** The sampler: plays its sample pitched by the note relative to `rootNote` (a semitone per note;
    fractional roots fine-tune), resampled by cubic (Catmull-Rom) interpolation, from `start` (0..1 of
    the length). With `loop` at or above 0.5 it loops from the start point to the end while the key is
    held and through the release; otherwise the voice ends with the sample (with a 2 ms fade so a sample
    that does not end at zero does not click). A stereo file plays in stereo.

    Pitching up reads the sample faster without band-limiting it first, so a sample rich in highs
    transposed far up will alias a little; within an octave or so of the root it is inaudible.

    Without a sample (missing or unreadable file) every note is silent. */
struct SamplerSynth
{
    static constexpr const char* name = "Sampler";
    static constexpr bool oneShot = false;

    struct Setup
    {
        std::shared_ptr<const SampleData> sample;
    };

    struct Shared
    {
        ParamRef rootNote, start, loop;
        std::shared_ptr<const SampleData> sample;
        const float* channels[2] = { nullptr, nullptr };
        int length = 0, numChannels = 0;
        double sampleRate = 48000.0, rateRatio = 1.0;
        double rootRatio = 1.0, startFrame = 0.0;
        float lastRoot = -1.0f;
        bool looping = false;
        double endFadeFrames = 96.0;

        Shared (const SourceNode& n, Setup setup);
        void prepare (double sr);
        void update (const SourceNode& n) noexcept;
        bool isStereo() const noexcept { return numChannels > 1; }

        /** Frame i of channel c, 0 outside the sample (or wrapped into the loop when looping). */
        float frame (int c, std::int64_t i) const noexcept;
    };

    struct Voice
    {
        double position = 0.0, noteRatio = 1.0;

        void start (const Shared& s, int note, float, std::uint32_t) noexcept;
        bool render (const Shared& s, float* left, float* right, int n) noexcept;
    };
};

} // namespace imbolc::engine
