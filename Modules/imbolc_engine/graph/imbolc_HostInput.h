#pragma once

namespace imbolc::engine
{

/** A plugin host's transport for one block, as the engine follows it: playing or stopped, where (in
    quarter notes from the host's start), how fast, its loop and its meter. */
struct HostTransport
{
    bool playing = false;
    double ppqPosition = 0.0; ///< the block's first sample, in quarter notes
    double bpm = 120.0; ///< 0: the host has no tempo, the session's own is kept

    /** The host's loop, in quarter notes; while the host plays with it on, the song wraps where the
        host does (inside a block too, on the exact sample) and the session's own loop does not apply. */
    bool looping = false;
    double loopStartPpq = 0.0, loopEndPpq = 0.0;

    /** The host's meter; 0: it gives none. The engine does not need it (ticks are quarter-note based);
        it is published for the session's display (Engine::getHostTiming). */
    int timeSigNumerator = 0, timeSigDenominator = 0;

    bool operator== (const HostTransport&) const = default;
};

/** What a block receives besides its output buffers, when a plugin host drives the engine: the block's
    MIDI (played on the engine's MIDI input instrument, at each event's sample) and the host's transport
    (followed: play, stop, tempo, and a locate whenever the host's position leaves the engine's). Both
    optional; null means none. Read on the audio thread during process() only. */
struct ProcessInput
{
    const juce::MidiBuffer* midi = nullptr;
    /** The part of `midi` this call renders: events at [midiStart, midiStart + numSamples) play, at their
        position minus midiStart. A host block split in two (at the host's loop wrap) is two calls over
        the one buffer, so nothing is copied. midiBlockSamples is the whole host block's length (0: this
        call's); events a host put before or past its block play at its first or last sample. */
    int midiStart = 0;
    int midiBlockSamples = 0;
    const HostTransport* transport = nullptr;

    /** Host-automatable macro values (0..1), one per model::Session macro slot; null: none this block.
        A value that changed since the last block reaches its mapped parameter at this call's first
        sample. */
    const float* macros = nullptr;
    int numMacros = 0;

    /** Direct outputs per bus, in the session's mixer order: busOutputs[2k] and [2k + 1] are bus k's
        left and right, numSamples long. A bus with a non-null pair is written there (after its chain
        and fader: exactly what it would have added to the master) instead of into the master; null
        pairs, half-null pairs, or k >= numBusOutputs / 2, mix into the master as usual. Every non-null
        channel is written in full: silence where no bus fills it (a pair for a bus that does not
        exist). The master's stages and safety limiter do not process direct outputs. */
    float* const* busOutputs = nullptr;
    int numBusOutputs = 0;

    /** The audio device's input channels for this call, numSamples long each (a null channel is
        silence): what `audio input` instruments play (model::Source::inputChannel names the first of
        their pair) and what armed ones record. Null: no inputs (the null device, a plugin host). */
    const float* const* inputs = nullptr;
    int numInputChannels = 0;
};

} // namespace imbolc::engine
