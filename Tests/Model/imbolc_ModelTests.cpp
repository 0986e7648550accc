#include "imbolc_TestHelpers.h"

#include <random>

using namespace imbolc;
using namespace imbolc::model;

TEST_CASE ("IdMap finds by id in O(1) and stays consistent through adds inserts moves and erases", "[model]")
{
    struct Item
    {
        InstrumentId id;
        int payload = 0;
        bool operator== (const Item&) const = default;
    };
    IdMap<InstrumentId, Item, &Item::id> map;

    for (std::uint32_t i = 1; i <= 200; ++i)
        REQUIRE (map.add ({ InstrumentId { i }, (int) i * 10 }));
    REQUIRE_FALSE (map.add ({ InstrumentId { 5 }, 0 })); // duplicate id refused
    REQUIRE (map.size() == 200);

    std::mt19937 rng (7);
    std::vector<std::uint32_t> live;
    for (std::uint32_t i = 1; i <= 200; ++i)
        live.push_back (i);
    for (int round = 0; round < 150; ++round)
    {
        const auto victim = live[rng() % live.size()];
        REQUIRE (map.erase (InstrumentId { victim }));
        live.erase (std::find (live.begin(), live.end(), victim));
        REQUIRE_FALSE (map.contains (InstrumentId { victim }));
    }
    REQUIRE (map.insert (0, { InstrumentId { 1000 }, 1 }));
    REQUIRE (map[0].id == InstrumentId { 1000 });
    REQUIRE (map.move (InstrumentId { 1000 }, 10));
    REQUIRE (map.indexOf (InstrumentId { 1000 }) == 10);
    REQUIRE (map.isConsistent());

    for (auto id : live)
    {
        auto* item = map.find (InstrumentId { id });
        REQUIRE (item != nullptr);
        CHECK (item->payload == (int) id * 10);
    }
    CHECK (map.find (InstrumentId { 9999 }) == nullptr);
}

TEST_CASE ("IdMap moves an item to the front, to the back and past the end, keeping the others' order", "[model]")
{
    struct Item
    {
        InstrumentId id;
        bool operator== (const Item&) const = default;
    };
    IdMap<InstrumentId, Item, &Item::id> map;
    for (std::uint32_t i = 1; i <= 5; ++i)
        map.add ({ InstrumentId { i } });
    const auto order = [&map]
    {
        std::vector<std::uint32_t> ids;
        for (const auto& item : map)
            ids.push_back (item.id.value);
        return ids;
    };
    using Ids = std::vector<std::uint32_t>;

    REQUIRE (map.move (InstrumentId { 1 }, 4)); // first to last
    CHECK (order() == Ids { 2, 3, 4, 5, 1 });
    REQUIRE (map.move (InstrumentId { 1 }, 0)); // last to first
    CHECK (order() == Ids { 1, 2, 3, 4, 5 });
    REQUIRE (map.move (InstrumentId { 2 }, 1000)); // past the end: last
    CHECK (order() == Ids { 1, 3, 4, 5, 2 });
    REQUIRE (map.move (InstrumentId { 5 }, 1)); // backwards in the middle
    CHECK (order() == Ids { 1, 5, 3, 4, 2 });
    REQUIRE (map.move (InstrumentId { 3 }, 2)); // where it is
    CHECK (order() == Ids { 1, 5, 3, 4, 2 });
    CHECK_FALSE (map.move (InstrumentId { 99 }, 0));
    CHECK (order() == Ids { 1, 5, 3, 4, 2 });
    CHECK (map.isConsistent());
    for (std::size_t i = 0; i < map.size(); ++i)
        CHECK (map.indexOf (map[i].id) == (int) i);
}

TEST_CASE ("Tracks keep notes sorted and find the first note at a tick by binary search", "[model]")
{
    Track track;
    std::mt19937 rng (42);
    for (std::uint32_t i = 1; i <= 2000; ++i)
        track.insert (Note { NoteId { i }, (Tick) (rng() % 10000), 120, (std::uint8_t) (rng() % 128), 100, 1.0f });
    REQUIRE (track.isSorted());
    REQUIRE (track.notes.size() == 2000);

    for (Tick t : { Tick (0), Tick (1), Tick (5000), Tick (9999), Tick (10000) })
    {
        const auto expected = (std::size_t) (std::find_if (track.notes.begin(), track.notes.end(), [t] (const Note& n)
                                                           { return n.tick >= t; })
                                             - track.notes.begin());
        CHECK (track.firstAtOrAfter (t) == expected);
    }

    const auto removed = track.remove (NoteId { 77 });
    REQUIRE (removed.has_value());
    CHECK (removed->id == NoteId { 77 });
    CHECK (track.find (NoteId { 77 }) == nullptr);
    CHECK_FALSE (track.remove (NoteId { 77 }).has_value());
    CHECK (track.isSorted());
}

TEST_CASE ("Automation points: one per tick sorted and values follow each segment's curve", "[model]")
{
    PointList list;
    CHECK_FALSE (list.valueAt (0).has_value());
    list.set ({ 1000, 1.0f, CurveType::linear });
    list.set ({ 0, 0.0f, CurveType::exponential }); // a point's curve shapes the segment after it
    list.set ({ 2000, 0.0f, CurveType::step });
    list.set ({ 3000, 1.0f, CurveType::sCurve });
    list.set ({ 4000, 0.0f, CurveType::exponential });
    list.set ({ 5000, 1.0f, CurveType::linear });
    REQUIRE (list.set ({ 1000, 2.0f, CurveType::linear })); // replaces, does not duplicate
    REQUIRE (list.points.size() == 6);
    REQUIRE (list.isSorted());

    CHECK (*list.valueAt (-50) == Approx (0.0f)); // before the first point: the first value
    CHECK (*list.valueAt (500) == Approx (2.0f * 0.125f)); // exponential (cubic) from 0 to 2 at x = 0.5
    CHECK (*list.valueAt (2500) == Approx (0.0f)); // a step holds until the next point
    CHECK (*list.valueAt (3500) == Approx (0.5f)); // an S-curve is symmetric about its middle
    CHECK (*list.valueAt (3250) == Approx (1.0f - 0.15625f)); // 1 - (3x^2 - 2x^3) at x = 0.25
    CHECK (*list.valueAt (4500) == Approx (0.125f)); // cubic from 0 to 1 at x = 0.5
    CHECK (*list.valueAt (9999) == Approx (1.0f)); // after the last point: the last value

    REQUIRE (list.remove (3000).has_value());
    CHECK_FALSE (list.remove (3000).has_value());
    CHECK (list.find (3000) == nullptr);
}

TEST_CASE ("Reference sessions are valid deterministic and the size the spec asks for", "[model]")
{
    const auto small = makeReferenceSession (ReferenceSize::small);
    const auto large = makeReferenceSession (ReferenceSize::large);
    CHECK (validate (small).empty());
    CHECK (validate (large).empty());
    CHECK (small == makeReferenceSession (ReferenceSize::small));
    CHECK (large == makeReferenceSession (ReferenceSize::large));

    // Small: every built-in source, filter type, the EQ and every built-in effect; a bus with a send;
    // automation; an arrangement.
    std::set<BuiltInSource> sources;
    std::set<FilterType> filters;
    std::set<EffectType> effects;
    bool eq = false;
    auto visit = [&] (const std::vector<Stage>& chain)
    {
        for (const auto& st : chain)
        {
            if (st.kind == StageKind::filter)
                filters.insert (st.filter);
            if (st.kind == StageKind::effect)
                effects.insert (st.effect);
            eq |= st.kind == StageKind::eq;
        }
    };
    bool sends = false;
    for (const auto& inst : small.instruments)
    {
        sources.insert (inst.source.builtIn);
        visit (inst.chain);
        sends |= ! inst.strip.sends.empty();
    }
    for (const auto& bus : small.mixer.buses)
        visit (bus.chain);
    visit (small.mixer.master.chain);
    CHECK (sources.size() == (std::size_t) numBuiltInSources);
    CHECK (filters.size() == (std::size_t) numFilterTypes);
    CHECK (effects.size() == (std::size_t) numBuiltInEffectTypes);
    CHECK (eq);
    CHECK (sends);
    CHECK (small.automation.size() >= 2);
    CHECK (small.arrangement.placements.size() >= 2);

    // Large: 64 instruments x 4 stages, 10,000 notes, 64 lanes x 1,000 points, 8 buses.
    CHECK (large.instruments.size() == 64);
    for (const auto& inst : large.instruments)
        CHECK (inst.chain.size() == 4);
    std::size_t notes = 0;
    for (const auto& t : large.pianoRoll)
        notes += t.notes.size();
    CHECK (notes == 10000);
    CHECK (large.automation.size() == 64);
    for (const auto& lane : large.automation)
        CHECK (lane.points.points.size() == 1000);
    CHECK (large.mixer.buses.size() == 8);
}

TEST_CASE ("validate() names the first broken invariant", "[model]")
{
    const auto good = makeReferenceSession (ReferenceSize::small);
    REQUIRE (validate (good).empty());

    SECTION ("unsorted notes")
    {
        auto s = good;
        auto& notes = s.pianoRoll[0].notes;
        REQUIRE (notes.size() >= 2);
        std::swap (notes.front(), notes.back());
        CHECK_THAT (validate (s), Catch::Contains ("out of order"));
    }
    SECTION ("an output to a missing bus")
    {
        auto s = good;
        s.instruments[0].strip.output = BusId { 999999 };
        CHECK_THAT (validate (s), Catch::Contains ("does not exist"));
    }
    SECTION ("an id used twice across kinds")
    {
        auto s = good;
        s.instruments[0].chain[0].id = StageId { s.instruments[1].id.value };
        CHECK_THAT (validate (s), Catch::Contains ("used twice"));
    }
    SECTION ("an id not yet handed out")
    {
        auto s = good;
        s.nextId = 3;
        CHECK_THAT (validate (s), Catch::Contains ("outside the ids handed out"));
    }
    SECTION ("a NaN parameter")
    {
        auto s = good;
        s.instruments[0].source.params[0].value = std::numeric_limits<float>::quiet_NaN();
        CHECK_FALSE (validate (s).empty());
    }
    SECTION ("an enum out of range")
    {
        auto s = good;
        s.instruments[0].chain[0].kind = (StageKind) 77;
        CHECK_THAT (validate (s), Catch::Contains ("unknown kind"));
    }
    SECTION ("a missing track")
    {
        auto s = good;
        s.pianoRoll.erase (s.instruments[0].id);
        CHECK_THAT (validate (s), Catch::Contains ("tracks"));
    }
    SECTION ("more instruments than a session holds")
    {
        CHECK (validate (test::sessionWithInstruments (Session::maxInstruments)).empty());
        CHECK (validate (test::sessionWithInstruments (Session::maxInstruments + 1)) == "The session has 1025 instruments (at most 1024).");
    }
}
