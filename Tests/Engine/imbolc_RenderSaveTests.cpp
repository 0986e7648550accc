// Where the offline render and the demo sample write: only ever a regular file (model::AtomicSave).

#include "imbolc_SourceTestSupport.h"

using namespace imbolc;
using namespace imbolc::test;

namespace
{
/** A tenth of a second of an empty session: enough for a WAV file, over at once. */
engine::OfflineRenderer::Result renderShort (const juce::File& out)
{
    engine::OfflineRenderer::Options options;
    options.maxSeconds = 0.1;
    engine::OfflineRenderer renderer (options);
    return renderer.renderToWav (model::Session {}, out);
}

juce::String readText (const juce::File& f)
{
    return f.loadFileAsString();
}
} // namespace

TEST_CASE ("render: a named pipe or a folder as the output is refused and left as it was", "[engine][render]")
{
    TempFolder temp;
    const auto pipe = temp / "pipe.wav";
    REQUIRE (makeNamedPipe (pipe));
    const auto folder = temp / "folder.wav";
    REQUIRE (folder.createDirectory().wasOk());
    REQUIRE (folder.getChildFile ("inside.txt").replaceWithText ("kept"));

    const auto toPipe = renderShort (pipe);
    CHECK (toPipe.error == pipe.getFullPathName() + " is a named pipe, not a file: give a file name to save to.");
    CHECK (toPipe.samples == 0);
    CHECK (fileTypeOf (pipe) == S_IFIFO);

    const auto toFolder = renderShort (folder);
    CHECK (toFolder.error == folder.getFullPathName() + " is a folder, not a file: give a file name to save to.");
    CHECK (fileTypeOf (folder) == S_IFDIR);
    CHECK (readText (folder.getChildFile ("inside.txt")) == "kept");
    CHECK (temp.folder.getNumberOfChildFiles (juce::File::findFilesAndDirectories) == 2);

    const auto missing = renderShort (temp / "no/such/x.wav");
    CHECK (missing.error == "The folder " + (temp / "no/such").getFullPathName() + " does not exist; create it first.");
}

TEST_CASE ("render: through a link into the file it names, a killed render's leftover goes", "[engine][render]")
{
    TempFolder temp;
    const auto real = temp / "real.wav";
    REQUIRE (real.replaceWithText ("an older render"));
    const auto link = temp / "link.wav";
    REQUIRE (::symlink ("real.wav", link.getFullPathName().toRawUTF8()) == 0);
    for (auto name : { "real.wav.tmp-0123abcd", "link.wav.tmp-0123abcd", "other.wav.tmp-0123abcd", "real.wavfoo" })
        REQUIRE ((temp / name).replaceWithText ("left behind"));

    const auto result = renderShort (link);
    INFO (result.error);
    REQUIRE (result.ok());
    CHECK (result.samples >= 4800);
    CHECK (fileTypeOf (link) == S_IFLNK);
    CHECK (link.getLinkedTarget() == real);

    juce::AudioFormatManager formats;
    formats.registerBasicFormats();
    std::unique_ptr<juce::AudioFormatReader> reader (formats.createReaderFor (real));
    REQUIRE (reader != nullptr);
    CHECK (reader->numChannels == 2u);
    CHECK (reader->lengthInSamples == result.samples);

    // The render wrote beside real.wav and cleaned up there: the leftover of a save of real.wav is
    // gone; names that are not real.wav's temporaries stay.
    CHECK (fileTypeOf (temp / "real.wav.tmp-0123abcd") == 0);
    for (auto name : { "link.wav.tmp-0123abcd", "other.wav.tmp-0123abcd", "real.wavfoo" })
        CHECK (readText (temp / name) == "left behind");
    CHECK (temp.folder.getNumberOfChildFiles (juce::File::findFilesAndDirectories) == 5);
}

TEST_CASE ("demo sample: never under something that is not a folder, never over a pipe", "[engine][render][sampler]")
{
    TempFolder temp;
    const auto blocker = temp / "blocker";
    REQUIRE (blocker.replaceWithText ("a file, not a folder"));
    const auto under = blocker.getChildFile ("samples/demo-piano-c4.wav");
    const auto refused = engine::writeDemoSample (under);
    CHECK (refused.getErrorMessage() == "Could not save " + under.getFullPathName() + ": " + blocker.getFullPathName() + " is a file, not a folder.");
    CHECK (readText (blocker) == "a file, not a folder");

    const auto pipe = temp / "pipe.wav";
    REQUIRE (makeNamedPipe (pipe));
    CHECK (engine::writeDemoSample (pipe).getErrorMessage() == pipe.getFullPathName() + " is a named pipe, not a file: give a file name to save to.");
    CHECK (fileTypeOf (pipe) == S_IFIFO);
    CHECK (temp.folder.getNumberOfChildFiles (juce::File::findFilesAndDirectories) == 2);

    // Where it may write, it makes the folder and leaves only the sample.
    const auto ok = engine::writeDemoSample (temp / "samples/demo.wav");
    INFO (ok.getErrorMessage());
    REQUIRE (ok.wasOk());
    CHECK ((temp / "samples/demo.wav").getSize() > 70000);
    CHECK ((temp / "samples").getNumberOfChildFiles (juce::File::findFilesAndDirectories) == 1);
}
