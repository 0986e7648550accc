// Debian strips JUCE's bundled FLAC and Ogg Vorbis; these tests prove the build wires JUCE's formats to
// the system libraries (libFLAC, libvorbis*, libogg) by encoding and decoding real audio in memory.

#include <catch2/catch.hpp>

#include <juce_audio_formats/juce_audio_formats.h>

#include <cmath>

namespace
{
constexpr double sampleRate = 48000.0;
constexpr int numSamples = 48000;

juce::AudioBuffer<float> makeTone()
{
    juce::AudioBuffer<float> buffer (2, numSamples);
    for (int ch = 0; ch < 2; ++ch)
        for (int i = 0; i < numSamples; ++i)
            buffer.setSample (ch, i, 0.5f * (float) std::sin (2.0 * juce::MathConstants<double>::pi * (440.0 + 110.0 * ch) * i / sampleRate));
    return buffer;
}

juce::AudioBuffer<float> roundTrip (juce::AudioFormat& format, const juce::AudioBuffer<float>& in, int bits, int quality, std::size_t& encodedBytes)
{
    juce::MemoryBlock encoded;
    {
        auto* stream = new juce::MemoryOutputStream (encoded, false);
        std::unique_ptr<juce::AudioFormatWriter> writer (format.createWriterFor (stream, sampleRate, 2, bits, {}, quality));
        REQUIRE (writer != nullptr);
        REQUIRE (writer->writeFromAudioSampleBuffer (in, 0, in.getNumSamples()));
    }
    encodedBytes = encoded.getSize();

    std::unique_ptr<juce::AudioFormatReader> reader (format.createReaderFor (new juce::MemoryInputStream (encoded, false), true));
    REQUIRE (reader != nullptr);
    REQUIRE (reader->numChannels == 2);
    REQUIRE (reader->sampleRate == sampleRate);
    juce::AudioBuffer<float> out (2, (int) reader->lengthInSamples);
    REQUIRE (reader->read (&out, 0, out.getNumSamples(), 0, true, true));
    return out;
}
} // namespace

TEST_CASE ("FLAC through the system libFLAC is lossless at 24 bits", "[platform]")
{
    juce::FlacAudioFormat flac;
    const auto tone = makeTone();
    std::size_t bytes = 0;
    const auto decoded = roundTrip (flac, tone, 24, 5, bytes);
    REQUIRE (decoded.getNumSamples() == numSamples);
    CHECK (bytes < (std::size_t) numSamples * 2 * 3); // it compressed

    float worst = 0.0f;
    for (int ch = 0; ch < 2; ++ch)
        for (int i = 0; i < numSamples; ++i)
            worst = std::max (worst, std::abs (decoded.getSample (ch, i) - tone.getSample (ch, i)));
    CHECK (worst <= 1.0f / (1 << 23)); // within one 24-bit step: only the quantisation to 24 bits
}

TEST_CASE ("Ogg Vorbis through the system libvorbis keeps the signal", "[platform]")
{
    juce::OggVorbisAudioFormat ogg;
    const auto tone = makeTone();
    std::size_t bytes = 0;
    const auto decoded = roundTrip (ogg, tone, 16, 5, bytes);
    REQUIRE (decoded.getNumSamples() >= numSamples);
    CHECK (bytes < (std::size_t) numSamples * 2 * 2 / 4); // lossy: far smaller than 16-bit PCM

    // Lossy, so compare energy and correlation rather than samples.
    for (int ch = 0; ch < 2; ++ch)
    {
        double dot = 0, a2 = 0, b2 = 0;
        for (int i = 0; i < numSamples; ++i)
        {
            const double a = tone.getSample (ch, i), b = decoded.getSample (ch, i);
            dot += a * b;
            a2 += a * a;
            b2 += b * b;
        }
        CHECK (dot / std::sqrt (a2 * b2) > 0.99);
        CHECK (std::sqrt (b2 / a2) == Approx (1.0).margin (0.05));
    }
}
