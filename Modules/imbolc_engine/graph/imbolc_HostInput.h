#pragma once

namespace imbolc::engine
{

/** A plugin host's transport for one block, as the engine follows it: playing or stopped, where (in
    quarter notes from the host's start) and how fast. */
struct HostTransport
{
    bool playing = false;
    double ppqPosition = 0.0; ///< the block's first sample, in quarter notes
    double bpm = 120.0;

    bool operator== (const HostTransport&) const = default;
};

/** What a block receives besides its output buffers, when a plugin host drives the engine: the block's
    MIDI (played on the engine's MIDI input instrument, at each event's sample) and the host's transport
    (followed: play, stop, tempo, and a locate whenever the host's position leaves the engine's). Both
    optional; null means none. Read on the audio thread during process() only. */
struct ProcessInput
{
    const juce::MidiBuffer* midi = nullptr;
    const HostTransport* transport = nullptr;
};

} // namespace imbolc::engine
