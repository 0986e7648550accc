#pragma once

namespace imbolc::app
{

/** Turns what is played live (the engine's captured MIDI, Engine::takeLiveMidi) into notes while the
    transport records: each take becomes one EditNotes edit, so one undo step undoes it.

    - Which instruments record: the armed ones (model::Instrument::recordArmed); when none is armed,
      the selected one (the MIDI input instrument). A note is recorded into the instrument that played
      it, if that instrument records.
    - Where: the instrument's piano-roll track in pattern mode; in song mode, the clip of that
      instrument under the take's first note (notes outside that clip's span are left out; with no
      clip there, the take is not recorded).
    - Notes played during a count-in (before the record position) are not recorded.
    - Loop recording: with the loop on, each pass is a take, committed when the next pass brings its
      first note or when the recording ends; a note still held at the loop end ends there. Overdub
      adds every pass; replace makes a pass that recorded notes replace the notes the earlier passes of
      the same recording added (a pass with nothing played keeps them).
    - Notes still held when the transport stops end at the stop position; punching out (recording
      off while playing) ends them at the play head.

    Message thread only. It never touches the engine: SessionHost feeds it and applies its edits.
*/
class MidiRecorder
{
public:
    /** Where the engine stands now (Engine::isPlaying, Engine::getPlayheadTicks after update()). */
    struct EngineState
    {
        bool playing = false;
        double playheadTicks = 0.0;
    };

    /** Applies one edit and returns the dispatcher's verdict (SessionHost::apply). */
    using ApplyFunction = std::function<model::ApplyResult (const model::Action&)>;

    explicit MidiRecorder (ApplyFunction applyEdit)
        : apply (std::move (applyEdit)) {}

    /** Feeds the live MIDI played since the last call, then ends the take if the transport stopped (the
        session says so and the engine reports it stopped: its play head is then the stop position) or
        recording ended while playing. `selected` records when no instrument is armed. Message thread. */
    void process (const model::Session&, model::InstrumentId selected, const std::vector<engine::Engine::LiveMidi>&, EngineState);

    /** True while a recording is in progress (notes may be held or waiting to be committed). */
    bool isRecording() const noexcept { return active; }

    /** Takes committed since this recorder was made (tests, status). */
    int getCommittedTakes() const noexcept { return committedTakes; }

private:
    struct Held
    {
        double startTick = 0.0;
        int velocity = 100;
    };

    bool records (const model::Session&, model::InstrumentId selected, model::InstrumentId who) const;
    void endHeld (double atTick, const model::LoopRegion&);
    void commitPass (const model::Session&);

    ApplyFunction apply;
    bool active = false;
    std::uint32_t pass = 0;
    std::map<std::pair<std::uint32_t, int>, Held> held; ///< (instrument, pitch) -> the note sounding
    std::map<std::uint32_t, std::vector<model::Note>> pending; ///< this pass's notes, by instrument (absolute ticks)
    /** The notes earlier passes of this recording added, by instrument: what a replace pass removes. */
    std::map<std::uint32_t, std::pair<model::ClipId, std::vector<model::NoteId>>> recorded;
    int committedTakes = 0;
};

} // namespace imbolc::app
