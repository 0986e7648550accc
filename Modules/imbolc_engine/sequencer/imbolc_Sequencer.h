#pragma once

namespace imbolc::engine
{

/** The transport on the audio thread: play, stop, locate, tempo (with its automation lane) and the
    loop region. Once per block it turns the playhead into a BlockPlan that every chain reads to find
    its notes and automation values.

    Time is kept as an anchor (a tick and the sample count since it) rather than a running sum, so a
    note at tick T starts at exactly the sample T maps to however long the song has played: the
    mapping is recomputed from the anchor, never accumulated. The anchor moves only when the tempo
    changes, the playhead jumps, or the loop wraps.

    Audio thread only, except prepare (while stopped).
*/
class Sequencer
{
public:
    void prepare (double sampleRate) noexcept;

    void play() noexcept;
    void stop() noexcept;
    void locate (double tick) noexcept;
    /** A locate that may go before the song's start (a count-in before tick 0): the ticks before 0
        hold no notes, so they play as silence until the song reaches its start. */
    void locateForCountIn (double tick) noexcept;
    void setTempo (double bpm) noexcept;

    /** While a plugin host's transport is followed: its tempo wins over the session's (and its tempo
        lane) when it has one (bpm > 0), and while `useLoop`, the host's loop [loopStart, loopEnd) in ticks
        replaces the session's (none when loopEnd <= loopStart): the song then wraps on the host's
        sample, inside a block too. following = false gives the session its own timing back. */
    void setHostTiming (bool following, double bpm, bool useLoop, double loopStart, double loopEnd) noexcept;

    /** Installs new session-wide playback data and returns the previous one (to be handed back). */
    GlobalSequence* exchangeGlobal (GlobalSequence* next) noexcept;
    GlobalSequence* getGlobal() const noexcept { return global; }

    /** Plans the next n samples and advances the playhead past them. */
    const BlockPlan& plan (int n) noexcept;

    bool isPlaying() const noexcept { return playing; }
    double getPositionTicks() const noexcept { return positionAt (elapsed); }
    double getTempo() const noexcept { return tempo; }

private:
    double positionAt (std::int64_t samplesSinceAnchor) const noexcept { return anchorTick + (double) samplesSinceAnchor * ticksPerSample; }
    void reanchor (double tick) noexcept;
    double tempoAt (double tick) const noexcept;

    GlobalSequence* global = nullptr;
    BlockPlan current;
    double sampleRate = 48000.0;
    double baseTempo = 120.0, tempo = 120.0, ticksPerSample = 0.0;
    double anchorTick = 0.0;
    std::int64_t elapsed = 0; ///< samples since the anchor
    bool playing = false;
    bool jumped = false; ///< stop or locate happened: the next plan releases sequenced notes
    std::uint32_t pass = 0;

    bool hostFollowing = false, hostLoopOverride = false;
    double hostBpm = 0.0, hostLoopStart = 0.0, hostLoopEnd = 0.0;
};

} // namespace imbolc::engine
