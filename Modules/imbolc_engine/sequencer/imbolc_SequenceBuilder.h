#pragma once

namespace imbolc::engine
{

/** The arrangement flattened into plain per-instrument note lists and per-target automation lanes:
    every placement's clip repeated over the placement's length and moved to its start. Flattening
    walks every clip and placement, so it is done once and the result kept until clips or placements
    change (invalidate()).

    Message thread only.
*/
class ArrangementCache
{
public:
    struct Lane
    {
        model::AutomationTarget target;
        model::PointList points;
    };

    /** Clips or placements changed: flatten again on next use. */
    void invalidate() noexcept { valid = false; }

    /** The flattened notes of one instrument in absolute ticks, in note order (empty if none). */
    const std::vector<model::Note>& notesFor (const model::Session&, model::InstrumentId);

    /** Clip automation, merged per target across placements. */
    const std::vector<Lane>& lanes (const model::Session&);

    /** The tick the last placement ends on. */
    model::Tick getEnd (const model::Session&);

    /** How many times the arrangement has been flattened (tests prove the cache holds). */
    int getFlattenCount() const noexcept { return flattenCount; }

private:
    void ensure (const model::Session&);

    bool valid = false;
    int flattenCount = 0;
    std::unordered_map<std::uint32_t, std::vector<model::Note>> notes;
    std::vector<Lane> clipLanes;
    model::Tick end = 0;
    const std::vector<model::Note> none {};
};

/** Where swing moves a tick. Within each beat the second eighth (tick 240 of 480) is delayed by
    swing × one sixteenth, so swing 1 is a hard shuffle (the off-beat at 3/4 of the beat); the rest of
    the beat is stretched or squeezed linearly around it, so the order of notes never changes. Any thread. */
double swingTick (model::Tick tick, float swing) noexcept;

/** Resolves a parameter address to the lane that drives it inside its chain; nullopt if nothing there. */
using LaneResolver = std::function<std::optional<ParamLane> (const model::ParamAddress&)>;
using ChainLaneResolver = std::function<std::optional<ChainLane> (const model::ParamAddress&)>;

/** A drum kit's pattern as one cycle of notes (InstrumentSequence::pattern), with its length in
    ticks; nothing for an instrument that is not a drum kit or whose pattern has no step on. The kit's
    own swing moves its odd steps (the session's swing is for the piano roll). Message thread. */
void buildDrumPattern (const model::Instrument&, InstrumentSequence&);

/** What one instrument plays: the piano roll (pattern mode) or the arrangement (song mode), swung,
    plus every enabled automation lane that targets it, plus a drum kit's pattern. Message thread. */
std::unique_ptr<InstrumentSequence> buildInstrumentSequence (const model::Session&, const model::Instrument&, ArrangementCache&, const LaneResolver&);

/** Tempo, loop and the bus and master lanes. Message thread. */
std::unique_ptr<GlobalSequence> buildGlobalSequence (const model::Session&, ArrangementCache&, const ChainLaneResolver&);

/** The tick the song's last note ends on in the active play mode (render length); at least one cycle
    of every drum pattern that has a step on. Message thread. */
model::Tick songEndTick (const model::Session&, ArrangementCache&);

} // namespace imbolc::engine
