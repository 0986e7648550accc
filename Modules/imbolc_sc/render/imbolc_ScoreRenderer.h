#pragma once

namespace imbolc::sc
{

/** One note event of a score: what the engine's sequencer played, at the second it played it. */
struct ScheduledNote
{
    model::InstrumentId instrument;
    std::int32_t note = 60;
    float velocity = 0.0f; ///< 0..1; ignored for a note-off
    bool on = true;
    bool allOff = false; ///< every held note of the instrument ends (stop, locate)
    double seconds = 0.0;

    /** A parameter value instead of a note (automation, the LFO): SessionMirror::automate. */
    bool param = false;
    model::ParamGroup group = model::ParamGroup::source;
    std::uint32_t item = 0;
    int index = 0;
    float value = 0.0f;
};

/** The engine's external-note events (engine::ExternalNoteEvent: instrument, note, velocity, on,
    kind, sampleTime, and a parameter's group, item, index and value) as a score's notes. A template, so this module needs no engine: the caller that
    has both hands the engine's events in. Any thread. */
template <typename Event>
std::vector<ScheduledNote> scheduledNotes (const std::vector<Event>& events, double sampleRate)
{
    std::vector<ScheduledNote> notes;
    notes.reserve (events.size());
    for (const auto& e : events)
    {
        ScheduledNote n;
        n.instrument = e.instrument;
        n.note = (std::int32_t) e.note;
        n.velocity = e.velocity;
        n.on = e.on && e.kind == Event::Kind::note;
        n.allOff = e.kind == Event::Kind::allNotesOff;
        n.seconds = (double) e.sampleTime / sampleRate;
        if (e.kind == Event::Kind::param)
        {
            n.param = true;
            n.group = e.group, n.item = e.item, n.index = (int) e.index, n.value = e.value;
        }
        notes.push_back (n);
    }
    return notes;
}

/** Renders a session offline on SuperCollider: writes an OSC score and runs `scsynth -N` (non-real-time
    mode), so SuperCollider rendering works without any audio device or running server.

    The score builds the session with the same SessionMirror as a live server (every instrument the
    backend can play, with its chain, strip, sends, buses and master), then plays the notes it is
    given: the engine's sequencer decides them (tempo lane, swing, probability, song mode), so the
    score plays what the internal engine would. Voices are reclaimed where their release ends, so the
    voice cap and stealing act as they do live. Instruments it cannot play are named in the warnings.
    Any thread that owns the session copy it is given.
*/
class ScoreRenderer
{
public:
    struct Options
    {
        double sampleRate = 48000.0;
        int blockSize = 64;
        double tailSeconds = 2.0; ///< after the last note's release, for effect tails
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

    /** The OSC score for a session and its notes (any order: they are sorted by time). Any thread. */
    static Score makeScore (const model::Session&, std::vector<ScheduledNote>, const Options&);

    struct Result
    {
        std::string error; ///< empty on success; otherwise one sentence
        std::string output; ///< what scsynth printed (stdout and stderr together)
        std::vector<std::string> warnings;
        double seconds = 0.0;
        bool ok() const noexcept { return error.empty(); }
    };

    /** Writes the score beside `wav`, runs scsynth on it, and leaves the audio in `wav` (moved into
        place only when complete). Blocks until scsynth ends. Not the audio thread. */
    static Result render (const model::Session&, std::vector<ScheduledNote>, const juce::File& wav, const Options&);

    /** Renders any score (bundles in time order, as appendBundle writes them) to a stereo `wav` the
        same way: scsynth -N with no inputs and two outputs, the audio moved into place only when
        complete (model::AtomicSave: a folder, device, named pipe or socket is refused with a
        sentence, a symbolic link is followed to the file it names, the folder must exist). Blocks
        until scsynth ends. Not the audio thread. */
    static Result renderScore (const Bytes& score, const juce::File& wav, const Options&);

    /** Appends one bundle at `seconds` to a score: [int32 size][bundle]. */
    static void appendBundle (Bytes& score, double seconds, const std::vector<OscMessage>&);

    /** Hardware outputs of the NRT render: the private buses start after them. */
    static constexpr std::int32_t outputChannels = 2;
};

} // namespace imbolc::sc
