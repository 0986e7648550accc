#pragma once

#include "imbolc_EngineTestSupport.h"

#include <complex>

namespace imbolc::test
{

/** One built-in source node, made by the real NodeFactory, played by MIDI events at exact sample
    times and rendered block by block, the way a chain drives it. */
struct SourceRig
{
    static constexpr double sampleRate = 48000.0;
    static constexpr int blockSize = 256;

    model::Instrument instrument;
    std::unique_ptr<engine::NodeProcessor> node;
    engine::SourceNode* source = nullptr;
    std::vector<float> left, right;
    std::int64_t now = 0; ///< samples rendered so far

    struct Event
    {
        std::int64_t time;
        std::array<juce::uint8, 3> bytes;
    };
    std::vector<Event> pending;

    static model::Instrument makeInstrument (model::BuiltInSource kind, std::initializer_list<std::pair<const char*, float>> values = {}, int voiceCap = model::Instrument::defaultVoiceCap)
    {
        model::Instrument inst;
        inst.name = "Test";
        inst.source.builtIn = kind;
        inst.source.params = model::makeParameters (kind);
        inst.voiceCap = voiceCap;
        for (auto [name, value] : values)
        {
            bool found = false;
            for (auto& p : inst.source.params)
                if (p.name == name)
                    p.value = value, found = true;
            if (! found)
            {
                // Amp envelope values by name.
                const std::string n = name;
                if (n == "attack")
                    inst.amp.attack = value;
                else if (n == "decay")
                    inst.amp.decay = value;
                else if (n == "sustain")
                    inst.amp.sustain = value;
                else if (n == "release")
                    inst.amp.release = value;
                else
                    FAIL ("no parameter " << n);
            }
        }
        return inst;
    }

    explicit SourceRig (const model::Instrument& inst, engine::NodeFactory* factory = nullptr)
        : instrument (inst)
    {
        engine::NodeFactory defaultFactory;
        node = (factory != nullptr ? factory : &defaultFactory)->createSource (inst);
        source = dynamic_cast<engine::SourceNode*> (node.get());
        REQUIRE (source != nullptr);
        node->setPlayConfigDetails (0, 2, sampleRate, blockSize);
        node->prepareToPlay (sampleRate, blockSize);
    }

    explicit SourceRig (model::BuiltInSource kind, std::initializer_list<std::pair<const char*, float>> values = {}, int voiceCap = model::Instrument::defaultVoiceCap)
        : SourceRig (makeInstrument (kind, values, voiceCap)) {}

    int paramIndex (const std::string& name) const
    {
        for (std::size_t i = 0; i < instrument.source.params.size(); ++i)
            if (instrument.source.params[i].name == name)
                return (int) i;
        FAIL ("no source parameter " << name);
        return -1;
    }

    void noteOn (int note, float velocity = 1.0f, std::int64_t at = -1) { add (at, 0x90, note, juce::jlimit (1, 127, juce::roundToInt (velocity * 127.0f))); }
    void noteOff (int note, std::int64_t at = -1) { add (at, 0x80, note, 64); }
    void controller (int number, std::int64_t at = -1) { add (at, 0xb0, number, 0); }

    void add (std::int64_t at, int status, int data1, int data2)
    {
        pending.push_back ({ at < 0 ? now : at, { (juce::uint8) status, (juce::uint8) data1, (juce::uint8) data2 } });
    }

    /** Renders at least `samples` more samples (whole blocks), appending to left/right. */
    void render (std::int64_t samples)
    {
        juce::AudioBuffer<float> buffer (2, blockSize);
        juce::MidiBuffer midi;
        const auto target = now + samples;
        while (now < target)
        {
            midi.clear();
            for (auto it = pending.begin(); it != pending.end();)
            {
                if (it->time < now + blockSize)
                {
                    midi.addEvent (it->bytes.data(), 3, (int) juce::jmax<std::int64_t> (0, it->time - now));
                    it = pending.erase (it);
                }
                else
                    ++it;
            }
            // Garbage in: a source that writes every sample must overwrite it.
            for (int c = 0; c < 2; ++c)
                juce::FloatVectorOperations::fill (buffer.getWritePointer (c), 123.0f, blockSize);
            node->processBlock (buffer, midi);
            left.insert (left.end(), buffer.getReadPointer (0), buffer.getReadPointer (0) + blockSize);
            right.insert (right.end(), buffer.getReadPointer (1), buffer.getReadPointer (1) + blockSize);
            now += blockSize;
        }
    }

    void renderSeconds (double seconds) { render ((std::int64_t) std::ceil (seconds * sampleRate)); }
};

//==============================================================================
/** In-place radix-2 FFT (n a power of two). */
inline void fft (std::vector<std::complex<double>>& a)
{
    const std::size_t n = a.size();
    for (std::size_t i = 1, j = 0; i < n; ++i)
    {
        std::size_t bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j)
            std::swap (a[i], a[j]);
    }
    for (std::size_t len = 2; len <= n; len <<= 1)
    {
        const double angle = -2.0 * juce::MathConstants<double>::pi / (double) len;
        const std::complex<double> w (std::cos (angle), std::sin (angle));
        for (std::size_t i = 0; i < n; i += len)
        {
            std::complex<double> wk (1.0, 0.0);
            for (std::size_t k = 0; k < len / 2; ++k)
            {
                const auto u = a[i + k], v = a[i + k + len / 2] * wk;
                a[i + k] = u + v;
                a[i + k + len / 2] = u - v;
                wk *= w;
            }
        }
    }
}

/** Power spectrum (bins 0..n/2) of n samples from `from`, under a 4-term Blackman-Harris window
    (sidelobes 92 dB down, so a leak never passes for an alias). */
inline std::vector<double> powerSpectrum (const std::vector<float>& signal, std::size_t from, std::size_t n)
{
    REQUIRE (from + n <= signal.size());
    std::vector<std::complex<double>> a (n);
    for (std::size_t i = 0; i < n; ++i)
    {
        const double x = juce::MathConstants<double>::twoPi * (double) i / (double) n;
        const double w = 0.35875 - 0.48829 * std::cos (x) + 0.14128 * std::cos (2 * x) - 0.01168 * std::cos (3 * x);
        a[i] = signal[from + i] * w;
    }
    fft (a);
    std::vector<double> power (n / 2 + 1);
    for (std::size_t i = 0; i < power.size(); ++i)
        power[i] = std::norm (a[i]);
    return power;
}

/** Energy outside the harmonics of `fundamentals` (everything a band-limited tone should not have:
    folded-back aliases) relative to the energy on them, in dB. A bin counts as harmonic within
    `tolerance` Hz of any k * f; bins under 20 Hz (DC) are ignored. */
inline double aliasToHarmonicDb (const std::vector<float>& signal, std::size_t from, std::size_t n, const std::vector<double>& fundamentals, double sampleRate, double tolerance = 12.0)
{
    const auto power = powerSpectrum (signal, from, n);
    double harmonic = 0.0, alias = 0.0;
    for (std::size_t i = 0; i < power.size(); ++i)
    {
        const double f = (double) i * sampleRate / (double) n;
        if (f < 20.0)
            continue;
        bool onHarmonic = false;
        for (double f0 : fundamentals)
        {
            const double k = std::round (f / f0);
            if (k >= 1.0 && std::abs (f - k * f0) <= tolerance)
                onHarmonic = true;
        }
        (onHarmonic ? harmonic : alias) += power[i];
    }
    return 10.0 * std::log10 (alias / harmonic);
}

/** The frequency of the strongest peak between lo and hi Hz, interpolated between bins (Gaussian fit
    on the log power). */
inline double peakFrequency (const std::vector<float>& signal, std::size_t from, std::size_t n, double lo, double hi, double sampleRate)
{
    const auto power = powerSpectrum (signal, from, n);
    const double binHz = sampleRate / (double) n;
    std::size_t best = 0;
    for (auto i = (std::size_t) std::ceil (lo / binHz); i <= (std::size_t) (hi / binHz) && i + 1 < power.size(); ++i)
        if (best == 0 || power[i] > power[best])
            best = i;
    REQUIRE (best > 0);
    const double a = std::log (power[best - 1] + 1e-300), b = std::log (power[best] + 1e-300), c = std::log (power[best + 1] + 1e-300);
    const double offset = 0.5 * (a - c) / (a - 2.0 * b + c);
    return ((double) best + offset) * binHz;
}

inline double cents (double f, double reference) { return 1200.0 * std::log2 (f / reference); }

/** A temporary folder, deleted at the end of the test. */
struct TempFolder
{
    juce::File folder = juce::File::getSpecialLocation (juce::File::tempDirectory).getChildFile ("imbolc-test-" + juce::String::toHexString (juce::Random().nextInt64()));
    TempFolder() { folder.createDirectory(); }
    ~TempFolder() { folder.deleteRecursively(); }
    juce::File operator/ (const char* name) const { return folder.getChildFile (name); }
};

/** Writes a test tone to a WAV or FLAC file (by extension): a sine per channel. */
inline bool writeTone (const juce::File& file, double rate, double seconds, std::vector<double> hzPerChannel, int bits = 16)
{
    const int channels = (int) hzPerChannel.size();
    const int length = (int) (rate * seconds);
    juce::AudioBuffer<float> audio (channels, length);
    for (int c = 0; c < channels; ++c)
        for (int i = 0; i < length; ++i)
            audio.setSample (c, i, (float) (0.5 / (c + 1) * std::sin (juce::MathConstants<double>::twoPi * hzPerChannel[(std::size_t) c] * i / rate)));
    file.deleteFile();
    std::unique_ptr<juce::AudioFormat> format;
    if (file.hasFileExtension ("flac"))
        format = std::make_unique<juce::FlacAudioFormat>();
    else
        format = std::make_unique<juce::WavAudioFormat>();
    auto stream = std::make_unique<juce::FileOutputStream> (file);
    if (! stream->openedOk())
        return false;
    std::unique_ptr<juce::AudioFormatWriter> writer (format->createWriterFor (stream.get(), rate, (unsigned int) channels, bits, {}, 0));
    if (writer == nullptr)
        return false;
    stream.release();
    return writer->writeFromAudioSampleBuffer (audio, 0, length);
}

} // namespace imbolc::test
