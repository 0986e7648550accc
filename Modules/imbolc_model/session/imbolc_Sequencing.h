#pragma once

namespace imbolc::model
{

/** Ticks per beat, fixed for every session. */
constexpr std::int32_t ticksPerBeat = 480;

/** Musical time in ticks. 64-bit: a long song at high tempo never overflows. */
using Tick = std::int64_t;

struct Note
{
    NoteId id;
    Tick tick = 0;
    Tick duration = ticksPerBeat;
    std::uint8_t pitch = 60; ///< MIDI note 0..127
    std::uint8_t velocity = 100; ///< 1..127
    float probability = 1.0f; ///< 0..1

    bool operator== (const Note&) const = default;
};

/** The order notes are kept in: by tick, then pitch, then id, so the order is total and stable. */
inline bool noteOrder (const Note& a, const Note& b) noexcept
{
    return std::tie (a.tick, a.pitch, a.id.value) < std::tie (b.tick, b.pitch, b.id.value);
}

/** Notes of one instrument, always sorted by noteOrder. */
struct Track
{
    InstrumentId instrument;
    std::vector<Note> notes;

    /** Inserts keeping the order. O(log n) search + O(n) move. */
    void insert (const Note&);
    /** Removes by id; returns the removed note if there was one. */
    std::optional<Note> remove (NoteId);
    const Note* find (NoteId) const noexcept;
    bool isSorted() const noexcept;

    /** Index of the first note starting at or after a tick (binary search). */
    std::size_t firstAtOrAfter (Tick) const noexcept;

    bool operator== (const Track&) const = default;
};

using PianoRoll = IdMap<InstrumentId, Track, &Track::instrument>;

//==============================================================================
enum class CurveType : std::uint8_t
{
    linear,
    exponential,
    step,
    sCurve
};

/** An automation point. The curve shapes the segment from this point to the next, and `shape` bends
    it: -100..100 percent, 0 the curve's own form. Whole percents, because that is what the file and
    the wire store (a seat's mirror must equal the host's exactly). */
struct Point
{
    Tick tick = 0;
    float value = 0.0f;
    CurveType curve = CurveType::linear;
    std::int8_t shape = 0;
    bool operator== (const Point&) const = default;

    static constexpr int maxShape = 100;
};

/** Where a segment is at `x` (0..1 of the way from its first point to the next), following `curve`
    bent by `shape` (-100..100): the fraction of the value change made. Linear and exponential bend
    as a power curve (positive shapes rise early), the S-curve steepens or flattens its middle, a step
    ignores the shape. Monotonic, 0 at 0 and 1 at 1. No allocation: the audio thread calls it. */
double shapeSegment (CurveType curve, int shape, double x) noexcept;

enum class AutomationTargetKind : std::uint8_t
{
    parameter,
    bpm,
    swing
};

struct AutomationTarget
{
    AutomationTargetKind kind = AutomationTargetKind::parameter;
    ParamAddress param; ///< kind == parameter
    bool operator== (const AutomationTarget&) const = default;
};

/** Points kept sorted by tick, one point per tick. */
struct PointList
{
    std::vector<Point> points;

    /** Adds a point or replaces the one at the same tick. Returns true if it replaced one. */
    bool set (const Point&);
    std::optional<Point> remove (Tick);
    const Point* find (Tick) const noexcept;
    bool isSorted() const noexcept;

    /** The value at a tick, following each segment's curve; nullopt when there are no points. */
    std::optional<float> valueAt (Tick t) const noexcept { return valueAtTick ((double) t); }

    /** The same at a fractional tick (the engine's playhead lies between ticks). No allocation: the
        audio thread calls it. */
    std::optional<float> valueAtTick (double) const noexcept;

    bool operator== (const PointList&) const = default;
};

struct Lane
{
    LaneId id;
    AutomationTarget target;
    bool enabled = true;
    PointList points;
    bool operator== (const Lane&) const = default;
};

using Automation = IdMap<LaneId, Lane, &Lane::id>;

//==============================================================================
enum class PlayMode : std::uint8_t
{
    pattern,
    song
};

struct ClipLane
{
    AutomationTarget target;
    PointList points;
    bool operator== (const ClipLane&) const = default;
};

/** A reusable block of notes (and automation) for one instrument, placed on the timeline. */
struct Clip
{
    ClipId id;
    std::string name;
    InstrumentId instrument;
    Tick length = 4 * ticksPerBeat;
    std::vector<Note> notes; ///< sorted by noteOrder, ticks relative to the clip start
    std::vector<ClipLane> automation;
    bool operator== (const Clip&) const = default;
};

struct Placement
{
    PlacementId id;
    ClipId clip;
    Tick start = 0;
    Tick length = 0; ///< 0 = the clip's own length
    bool operator== (const Placement&) const = default;
};

struct Arrangement
{
    PlayMode mode = PlayMode::pattern;
    IdMap<ClipId, Clip, &Clip::id> clips;
    IdMap<PlacementId, Placement, &Placement::id> placements;
    bool operator== (const Arrangement&) const = default;
};

} // namespace imbolc::model
