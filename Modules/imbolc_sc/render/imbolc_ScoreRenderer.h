#pragma once

namespace imbolc::sc
{

/** Renders a session offline on SuperCollider: writes an OSC score and runs `scsynth -N` (non-real-time
    mode), so SuperCollider rendering works without any audio device or running server.

    What the score plays today: the piano roll (pattern mode) of every unmuted instrument whose source
    is a built-in the backend has a voice definition for, at the session's tempo, each note one voice
    (/s_new at its start, gate 0 at its end, freed by its envelope), with the instrument's ADSR, level
    and pan. Instruments it cannot play are named in the warnings. Message thread or any thread that
    owns the session copy it is given.
*/
class ScoreRenderer
{
public:
    struct Options
    {
        double sampleRate = 48000.0;
        int blockSize = 64;
        double tailSeconds = 2.0; ///< after the last note's end, for releases
        int bitsPerSample = 24; ///< 16, 24 or 32 (float)
        juce::String scsynth = "scsynth"; ///< the program (found on PATH)
    };

    struct Score
    {
        Bytes bytes; ///< the score file: [int32 size][OSC bundle] ...
        double seconds = 0.0; ///< its length
        int voices = 0;
        std::vector<std::string> warnings;
    };

    /** The OSC score for a session. Any thread. */
    static Score makeScore (const model::Session&, const Options&);

    struct Result
    {
        std::string error; ///< empty on success; otherwise one sentence
        std::vector<std::string> warnings;
        double seconds = 0.0;
        std::string output; ///< what scsynth printed (stdout and stderr together)
        bool ok() const noexcept { return error.empty(); }
    };

    /** Writes the score beside `wav`, runs scsynth on it, and leaves the audio in `wav` (moved into
        place only when complete). Blocks until scsynth ends. Not the audio thread. */
    static Result render (const model::Session&, const juce::File& wav, const Options&);

    /** Renders any score (bundles in time order, as appendBundle writes them) to a stereo `wav` the
        same way: scsynth -N with no inputs and two outputs, the audio moved into place only when
        complete. `seconds` and `warnings` of the result stay empty. Blocks until scsynth ends. Not
        the audio thread. */
    static Result renderScore (const Bytes& score, const juce::File& wav, const Options&);

    /** Appends one bundle at `seconds` to a score in scsynth's NRT format ([int32 size][bundle]).
        Bundles must come in time order; the last one's time is where the render ends. Any thread. */
    static void appendBundle (Bytes& score, double seconds, const std::vector<OscMessage>&);

    /** Node ids of voices start here; groups are below (see the group layout). */
    static constexpr std::int32_t firstNodeId = 1000;
    static constexpr std::int32_t sourcesGroup = 100;
};

} // namespace imbolc::sc
