#pragma once

namespace imbolc::engine
{

/** One note as the sequencer plays it: absolute ticks after swing (fractional: swing moves notes off
    the grid), so the audio thread does no musical arithmetic beyond tick-to-sample mapping. */
struct SequencedNote
{
    double tick = 0.0;
    double endTick = 0.0;
    std::uint32_t noteId = 0; ///< seeds the probability roll, so a render is the same every time
    std::uint8_t pitch = 60;
    std::uint8_t velocity = 100;
    float probability = 1.0f;
};

/** An automation lane resolved to the node parameter (or send) it drives inside one chain. */
struct ParamLane
{
    enum class Kind : std::uint8_t
    {
        nodeParam, ///< node, index: NodeProcessor parameter
        sendLevel ///< index: send position
    };
    Kind kind = Kind::nodeParam;
    int node = 0;
    int index = 0;
    model::PointList points;
};

/** What one instrument plays: its notes sorted by tick (found per block by binary search) and the
    automation lanes that target it. Built on the message thread from the piano roll (pattern mode) or
    the flattened arrangement (song mode), handed to the audio thread whole, immutable there, and
    handed back for destruction when replaced. */
struct InstrumentSequence
{
    std::vector<SequencedNote> notes;
    std::vector<ParamLane> lanes;

    /** A drum kit's pattern: one cycle of its steps as notes (pitch 36 + pad, swung, sorted by tick,
        ticks within [0, patternTicks)) that repeats every patternTicks from tick 0 while the transport
        plays, whatever the play mode. The audio thread maps each span's ticks into cycles, so the
        sequence holds one cycle however long the song plays. Empty: no pattern. */
    std::vector<SequencedNote> pattern;
    double patternTicks = 0.0;
};

/** The probability roll of a pattern step on one cycle of the pattern during one pass through the loop
    region: every cycle and every pass rolls anew, the same way on every run. Any thread. */
inline std::uint32_t patternPass (std::uint32_t loopPass, std::int64_t cycle) noexcept
{
    return loopPass * 0x9e3779b9u + (std::uint32_t) cycle;
}

/** Automation of a bus's or the master's parameter, by chain slot. */
struct ChainLane
{
    ChainKind chain = ChainKind::bus;
    std::int32_t slot = 0;
    ParamLane lane;
};

/** Session-wide playback data: tempo (with its lane), loop region, bus and master lanes. */
struct GlobalSequence
{
    double bpm = 120.0;
    model::PointList tempoLane; ///< empty: the tempo is bpm
    bool loopEnabled = false;
    double loopStart = 0.0, loopEnd = 0.0;
    std::vector<ChainLane> lanes;
};

/** How one block maps to musical time: up to a few spans (a loop wrap starts a new one), each with a
    linear tick-to-sample mapping. Made by the Sequencer once per block and read by every chain. */
struct BlockPlan
{
    struct Span
    {
        int offset = 0; ///< first sample of the span within the block
        int length = 0;
        double startTick = 0.0; ///< tick at sample `offset`
        double ticksPerSample = 0.0;
        bool releaseFirst = false; ///< the playhead jumped here: sequenced notes end at `offset`
        std::uint32_t pass = 0; ///< loop wraps since play: seeds probability rolls

        /** The sample (from the span's start) a tick falls on: the first at or after it. A result of
            `length` or more belongs to a later span. Every note, and MIDI clock, follows this rule. */
        int sampleAt (double tick) const noexcept { return (int) std::ceil ((tick - startTick) / ticksPerSample - 1.0e-6); }
    };

    static constexpr int maxSpans = 8;

    bool playing = false;
    bool releaseAll = false; ///< stopped or located since the previous block: end sequenced notes at 0
    int numSpans = 0;
    std::array<Span, maxSpans> spans {};
    double endTick = 0.0; ///< the tick the block ends on (automation lands here)
};

/** The deterministic probability roll for a note on a given pass through the loop. Any thread. */
inline bool notePasses (const SequencedNote& n, std::uint32_t pass) noexcept
{
    if (n.probability >= 1.0f)
        return true;
    // A 32-bit integer hash (lowbias32) of note id and pass: uniform enough, and identical every run.
    auto x = n.noteId * 0x9e3779b9u ^ (pass + 0x7f4a7c15u);
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return (float) (x >> 8) * (1.0f / 16777216.0f) < n.probability;
}

} // namespace imbolc::engine
