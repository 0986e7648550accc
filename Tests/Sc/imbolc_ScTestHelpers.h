#pragma once

#include <imbolc_TestHelpers.h>
#include <imbolc_sc/imbolc_sc.h>
#include <juce_audio_formats/juce_audio_formats.h>

namespace imbolc::test
{

/** The whole of a WAV file, and its sample rate. */
inline juce::AudioBuffer<float> readWav (const juce::File& file, double& sampleRate)
{
    juce::AudioFormatManager formats;
    formats.registerBasicFormats();
    std::unique_ptr<juce::AudioFormatReader> reader (formats.createReaderFor (file));
    REQUIRE (reader != nullptr);
    sampleRate = reader->sampleRate;
    juce::AudioBuffer<float> buffer ((int) reader->numChannels, (int) reader->lengthInSamples);
    reader->read (&buffer, 0, (int) reader->lengthInSamples, 0, true, true);
    return buffer;
}

/** What scsynth -N made of a score: the audio and everything it printed. */
struct NrtRender
{
    juce::AudioBuffer<float> audio;
    double sampleRate = 0.0;
    std::string output;
};

/** Renders a score on a real scsynth in NRT mode (stereo, 32-bit float, so samples compare exactly)
    through ScoreRenderer::renderScore, in a temporary folder it removes again. */
inline NrtRender renderNrt (const sc::Bytes& score, sc::ScoreRenderer::Options options = {})
{
    options.bitsPerSample = 32;
    const auto folder = juce::File::createTempFile ("imbolc-sc");
    REQUIRE (folder.createDirectory());
    const auto wav = folder.getChildFile ("render.wav");
    const auto result = sc::ScoreRenderer::renderScore (score, wav, options);
    INFO (result.error << "\n"
                       << result.output);
    NrtRender render;
    render.output = result.output;
    if (result.ok())
        render.audio = readWav (wav, render.sampleRate);
    folder.deleteRecursively();
    REQUIRE (result.ok());
    REQUIRE (render.audio.getNumChannels() == 2);
    return render;
}

/** A real scsynth on its own JACK server (the dummy backend: no sound card needed), on a free UDP port;
    both are stopped when the fixture goes. */
struct LiveServer
{
    LiveServer()
    {
        const auto started = local.start ({});
        INFO (started.getErrorMessage());
        REQUIRE (started.wasOk());
        port = local.getPort();
    }

    sc::LocalScsynth local;
    int port = 0;
};

} // namespace imbolc::test
