#pragma once

namespace imbolc::engine
{

/** Renders a session offline, as fast as the machine allows: the calling thread plays both the
    message thread and the audio thread, so the engine is exactly the one that plays live (same chains,
    same sequencer, same block loop) and the same input always gives the same samples.

    The output starts on the song's first sample: the engine's total latency (delay compensation:
    Engine::getOutputLatencySamples, as it stands when the render starts) is left out at the start.

    The song runs from tick 0 to its last note's end in the active play mode (the loop region is
    ignored: a render is the whole song), then on until the tails (release, delay, reverb) fall below
    -90 dBFS for a quarter of a second, or maxTailSeconds pass.

    Any thread but a real-time one; one render per Engine.
*/
class OfflineRenderer
{
public:
    struct Options
    {
        double sampleRate = 48000.0;
        int blockSize = 512;
        double maxTailSeconds = 10.0;
        int bitsPerSample = 24; ///< 16, 24 or 32 (float)
        double maxSeconds = 0.0; ///< stop after this much audio (0: the whole song and its tail)
        /** Render threads beside the rendering one (-1: one per extra core, 0: none). The output is
            byte-identical whatever the number. */
        int renderWorkers = -1;
        /** Asked after every block (from the rendering thread): true ends the render with the error
            "The render was cancelled." and, for a WAV, leaves any existing file as it was. */
        std::function<bool()> shouldCancel;
        /** How sandboxed plugins run (the worker command, the hang time). Where plugins run is the
            session's choice (SessionSettings::pluginIsolation), as when it plays: a plugin that
            crashes during an export does not take the app along. Offline, a sandbox's blocks have
            no deadline (PluginSandboxOptions::offline); one that crashes or hangs anyway ends the
            render with a sentence naming it, and a WAV is not written. A plugin that takes
            hangSeconds over one block is hung: 10 s here (live, half a second is). */
        PluginSandboxOptions pluginSandbox = []
        {
            PluginSandboxOptions o;
            o.hangSeconds = 10.0;
            return o;
        }();
    };

    struct Progress
    {
        double fraction = 0.0; ///< of the song (the tail is not known in advance)
        double renderedSeconds = 0.0, songSeconds = 0.0;
        bool inTail = false;
    };
    using ProgressCallback = std::function<void (const Progress&)>;

    struct Result
    {
        juce::String error; ///< empty on success: one sentence otherwise
        std::int64_t samples = 0;
        double audioSeconds = 0.0, wallSeconds = 0.0;
        std::vector<juce::String> warnings; ///< things that rendered but not as written (missing samples, plugins)

        bool ok() const noexcept { return error.isEmpty(); }
        double realTimeFactor() const noexcept { return wallSeconds > 0.0 ? audioSeconds / wallSeconds : 0.0; }
    };

    /** A null factory means the built-in one. */
    OfflineRenderer (const Options&, std::unique_ptr<NodeFactory> factory = {});

    /** Checks the options; returns one sentence when they cannot work, else empty. */
    static juce::String checkOptions (const Options&);

    /** Renders into `out` (stereo; resized). */
    Result renderToBuffer (const model::Session&, juce::AudioBuffer<float>& out, const ProgressCallback& = {});

    /** Renders into a WAV file, written beside it first and moved into place only when complete
        (model::AtomicSave), so a failed render never leaves a truncated file or clobbers an existing
        one. A folder, device, named pipe or socket is refused with a sentence, a symbolic link is
        followed to the file it names, and the folder must exist. */
    Result renderToWav (const model::Session&, const juce::File& out, const ProgressCallback& = {});

private:
    template <typename Sink>
    Result render (const model::Session&, Sink&&, const ProgressCallback&);

    Options options;
    std::unique_ptr<NodeFactory> factory;
};

//==============================================================================
/** What the SuperCollider-backend instruments of a session play over its whole song. */
struct ExternalNoteScore
{
    juce::String error; ///< empty on success: one sentence otherwise
    /** Every event, sorted by sampleTime; events on the same sample keep the order the engine made
        them in (an instrument's note-off before its retrigger, an allNotesOff before what follows). */
    std::vector<ExternalNoteEvent> events;
    double sampleRate = 0.0; ///< of sampleTime
    std::int64_t samples = 0; ///< how many samples the engine ran (sampleTime 0 is the song's tick 0)

    bool ok() const noexcept { return error.isEmpty(); }
};

/** Runs an engine over `session` as a render does (from tick 0 to the song's end in the active play
    mode, loop region ignored, stopped at the end so no note is left hanging) as fast as the machine
    allows, and collects every ExternalNoteEvent with its exact sample time: the basis of an offline
    SuperCollider score. The queue is drained after every block and sized so one block can never
    fill it.

    Internal instruments are sequenced too (the engine is the one that plays live) but built with
    silent nodes: their sound is not wanted, so no plugin or sample is loaded and no DSP runs.

    Any thread but a real-time one. */
ExternalNoteScore collectExternalNotes (const model::Session&, double sampleRate, int blockSize);

} // namespace imbolc::engine
