#pragma once

// Shared by the audio-input tests: a deterministic multichannel input fed to the engine through
// ProcessInput as a device feeds it, call after call, and small file helpers.

#include "imbolc_EngineTestSupport.h"

namespace imbolc::test
{

/** An `audio input` instrument listening to the pair that starts at `channel`, at the master. */
inline model::InstrumentId addAudioInput (EngineRig& rig, int channel, const std::string& name = "Mic")
{
    model::Source s;
    s.kind = model::SourceKind::audioInput;
    s.inputChannel = channel;
    return model::InstrumentId { rig.act (model::action::AddInstrument { name, s }) };
}

struct Rendered
{
    std::vector<float> left, right;
};

/** `channels` input channels of `length` samples of noise (each channel its own, at most 0.45 so the
    master's safety limiter never acts), handed to process() in consecutive calls. */
class InputFeed
{
public:
    InputFeed (int channels, std::size_t length, int seed)
        : signal ((std::size_t) channels, std::vector<float> (length))
    {
        juce::Random random (seed);
        for (auto& channel : signal)
            for (auto& v : channel)
                v = (random.nextFloat() - 0.5f) * 0.9f;
    }

    /** Input channel `ch` at sample `i` since the feed began. */
    float at (int ch, std::size_t i) const { return signal[(std::size_t) ch][i]; }

    /** Input channel `ch` from sample `i` on. */
    const float* from (int ch, std::size_t i) const { return signal[(std::size_t) ch].data() + i; }

    /** How many samples of input have been handed over so far. */
    std::size_t position() const noexcept { return pos; }

    /** Renders `calls` process() calls of `callSize` samples, each given the next part of the input,
        calling update() after each as the message thread would. */
    Rendered render (engine::Engine& engine, int calls, int callSize)
    {
        Rendered out;
        std::vector<float> l ((std::size_t) callSize), r ((std::size_t) callSize);
        float* outs[] = { l.data(), r.data() };
        std::vector<const float*> inputs (signal.size());
        for (int c = 0; c < calls; ++c)
        {
            REQUIRE (pos + (std::size_t) callSize <= signal[0].size());
            for (std::size_t ch = 0; ch < signal.size(); ++ch)
                inputs[ch] = signal[ch].data() + pos;
            engine::ProcessInput input;
            input.inputs = inputs.data();
            input.numInputChannels = (int) inputs.size();
            engine.process (outs, 2, callSize, input);
            engine.update();
            pos += (std::size_t) callSize;
            out.left.insert (out.left.end(), l.begin(), l.end());
            out.right.insert (out.right.end(), r.begin(), r.end());
        }
        return out;
    }

private:
    std::vector<std::vector<float>> signal;
    std::size_t pos = 0;
};

/** A fresh folder, deleted with everything in it when the test ends. */
struct TempFolder
{
    TempFolder()
        : folder (juce::File::getSpecialLocation (juce::File::tempDirectory).getNonexistentChildFile ("imbolc-audioin-test", "", false))
    {
        folder.createDirectory();
    }
    ~TempFolder() { folder.deleteRecursively(); }
    const juce::File& get() const noexcept { return folder; }

    juce::File folder;
};

/** The whole of an audio file, as floats (empty if it cannot be read). */
inline juce::AudioBuffer<float> readWav (const juce::File& file)
{
    juce::AudioFormatManager formats;
    formats.registerBasicFormats();
    std::unique_ptr<juce::AudioFormatReader> reader (formats.createReaderFor (file));
    juce::AudioBuffer<float> audio;
    if (reader == nullptr)
        return audio;
    audio.setSize ((int) reader->numChannels, (int) reader->lengthInSamples);
    reader->read (&audio, 0, (int) reader->lengthInSamples, 0, true, true);
    return audio;
}

} // namespace imbolc::test
