#pragma once

namespace imbolc::engine
{

/** The source of an instrument rendered outside the engine (model::Backend::superCollider): its chain
    is sequenced exactly like an internal instrument's (piano roll or arrangement, swing, probability,
    loop, tempo, live notes), and this node turns the block's MIDI into ExternalNoteEvents at their
    exact sample times instead of sound. Its output is silence.

    Note-ons and note-offs (a note-on of velocity 0 is a note-off) become note events; all-notes-off
    and all-sound-off (CC 123, CC 120) become one allNotesOff event.

    Its parameters are the source's plus amp placeholders, like any source without an envelope of its
    own, so the instrument's parameters resolve as they do on an internal chain (the external renderer
    reads their values from the model).

    Construction and prepare: the message thread. processBlock and detach: the audio thread.
*/
class ExternalSourceNode final : public NodeProcessor
{
public:
    /** `notes` must outlive the node (the engine owns both). Message thread. */
    ExternalSourceNode (const model::Instrument&, ExternalNotes& notes);

    model::InstrumentId getInstrumentId() const noexcept { return instrument; }

    /** The chain is going (deleted, rebuilt, its backend switched): the notes it started end with one
        allNotesOff at the start of the current block, and it sends nothing from then on, so its fade
        never doubles the notes of the chain that replaces it. Audio thread. */
    void detach() noexcept;

    bool isDetached() const noexcept { return detached; }

    /** How many of its parameters are the source's (the four amp placeholders follow). Any thread. */
    int getNumSourceParams() const noexcept { return numSourceParams; }

    /** The queue its notes (and its chain's parameter values) go to. */
    ExternalNotes& getNotes() const noexcept { return notes; }
    bool writesEveryOutputSample() const noexcept override { return true; }

private:
    void prepareNode (double, int) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;

    ExternalNotes& notes;
    model::InstrumentId instrument;
    int numSourceParams = 0;
    bool detached = false;
    bool prepared = false;
    bool releaseFirst = false; ///< prepared again: voices the renderer holds are no longer tracked
};

} // namespace imbolc::engine
