#pragma once

namespace imbolc::model
{

/** A strongly typed identifier. Zero means "none"; valid ids start at 1.

    Every id in a session comes from one counter (Session::nextId) that only grows, so an id is never
    reused within a session, even after undo, and ids of different kinds never collide either, which
    makes them usable as node ids by the engine and the network without translation.
*/
template <typename Tag>
struct Id
{
    std::uint32_t value = 0;

    constexpr bool isValid() const noexcept { return value != 0; }
    constexpr auto operator<=> (const Id&) const = default;
};

struct InstrumentTag;
using InstrumentId = Id<InstrumentTag>;
struct StageTag;
using StageId = Id<StageTag>;
struct BusTag;
using BusId = Id<BusTag>;
struct NoteTag;
using NoteId = Id<NoteTag>;
struct LaneTag;
using LaneId = Id<LaneTag>;
struct ClipTag;
using ClipId = Id<ClipTag>;
struct PlacementTag;
using PlacementId = Id<PlacementTag>;

} // namespace imbolc::model

template <typename Tag>
struct std::hash<imbolc::model::Id<Tag>>
{
    std::size_t operator() (imbolc::model::Id<Tag> id) const noexcept { return std::hash<std::uint32_t>() (id.value); }
};
