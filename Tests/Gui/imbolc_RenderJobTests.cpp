// File > Render to WAV: the render runs on its own thread with a progress bar; the finished file holds
// the song, and Cancel stops it leaving whatever file was there as it was.

#include "imbolc_GuiTestSupport.h"

using namespace imbolc;

namespace
{
/** Pumps the message loop until the job has reported, at most `ms`. */
bool waitForJob (const gui::RenderJob& job, int ms)
{
    for (int waited = 0; ! job.isFinished() && waited < ms; waited += 20)
        test::pumpMessages (20);
    return job.isFinished();
}
} // namespace

TEST_CASE ("Render to WAV writes the song with progress, and says what it wrote", "[gui][render]")
{
    juce::TemporaryFile temp (".wav");
    const auto target = temp.getFile();
    juce::String said;
    gui::RenderJob job (model::makeReferenceSession (model::ReferenceSize::small), target, juce::File::getCurrentWorkingDirectory(),
                        [&said] (juce::String sentence) { said = sentence; });
    test::UiDriver ui (job, 420, 120);
    REQUIRE (waitForJob (job, 120000));
    INFO (said);
    CHECK (said.startsWith ("Rendered " + target.getFullPathName()));
    CHECK (job.getProgress() == Approx (1.0));

    juce::WavAudioFormat wav;
    std::unique_ptr<juce::AudioFormatReader> reader (wav.createReaderFor (target.createInputStream().release(), true));
    REQUIRE (reader != nullptr);
    CHECK (reader->numChannels == 2);
    CHECK (reader->sampleRate == 48000.0);
    CHECK (reader->lengthInSamples > 48000); // the demo song is several seconds long
    juce::AudioBuffer<float> audio (2, (int) std::min<juce::int64> (reader->lengthInSamples, 10 * 48000));
    reader->read (&audio, 0, audio.getNumSamples(), 0, true, true);
    CHECK (audio.getMagnitude (0, audio.getNumSamples()) > 0.01f);
}

TEST_CASE ("Cancel stops a render and leaves the file that was there as it was", "[gui][render]")
{
    juce::TemporaryFile temp (".wav");
    const auto target = temp.getFile();
    REQUIRE (target.replaceWithText ("an earlier render"));
    juce::String said;
    // The large session takes seconds to render: long enough to cancel in the middle.
    gui::RenderJob job (model::makeReferenceSession (model::ReferenceSize::large), target, juce::File::getCurrentWorkingDirectory(),
                        [&said] (juce::String sentence) { said = sentence; });
    test::UiDriver ui (job, 420, 120);
    for (int waited = 0; job.getProgress() <= 0.0 && waited < 30000; waited += 10)
        test::pumpMessages (10);
    CHECK (job.getProgress() > 0.0);
    CHECK (job.getProgress() < 1.0);
    ui.click (*test::findComponent (job, "RenderCancel"));
    REQUIRE (waitForJob (job, 30000));
    CHECK (said == "The render was cancelled.");
    CHECK (target.loadFileAsString() == "an earlier render");
}
