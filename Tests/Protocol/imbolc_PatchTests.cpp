#include "imbolc_ProtocolTestSupport.h"
#include <deque>

using namespace imbolc;
using namespace imbolc::test;

namespace
{
/** The server side of a session: a dispatcher whose accepted actions accumulate a dirty set. */
struct PatchServer
{
    explicit PatchServer (model::Session start)
        : session (std::move (start)) {}

    /** Applies an action; true if accepted (then its dirty set is merged). */
    bool apply (const model::Action& a)
    {
        clock.now += 10'000; // apart enough that undo never coalesces two edits
        auto r = dispatcher.apply (a);
        if (r.ok())
            dirty.merge (r.changes.net);
        return r.ok();
    }

    void applyOk (const model::Action& a)
    {
        clock.now += 10'000;
        auto r = dispatcher.apply (a);
        INFO (model::actionName (a) << ": " << r.error);
        REQUIRE (r.ok());
        dirty.merge (r.changes.net);
    }

    protocol::StatePatch takePatch()
    {
        auto patch = protocol::makePatch (session, dirty, ++seq);
        dirty = {};
        return patch;
    }

    FakeClock clock;
    model::Session session;
    model::UndoHistory history { clock.function() };
    model::Dispatcher dispatcher { session, history };
    model::NetDirty dirty;
    protocol::Seq seq = 0;
};

/** Brings the mirror up to the server with one patch and checks they are equal; returns the patch. */
protocol::StatePatch requireConverges (PatchServer& server, model::Session& mirror)
{
    auto patch = server.takePatch();
    const auto error = protocol::applyPatch (mirror, patch);
    INFO (error);
    REQUIRE (error.empty());
    REQUIRE (mirror == server.session);
    REQUIRE (protocol::sessionHash (mirror) == protocol::sessionHash (server.session));
    return patch;
}

/** Applies a patch that must be refused; checks the sentence and that the mirror did not change. */
std::string requireRejected (model::Session& mirror, const protocol::StatePatch& patch)
{
    const auto before = mirror;
    const auto hashBefore = protocol::sessionHash (mirror);
    const auto error = protocol::applyPatch (mirror, patch);
    INFO (error);
    REQUIRE_FALSE (error.empty());
    REQUIRE (error.back() == '.');
    REQUIRE (error.find ('\n') == std::string::npos);
    REQUIRE (mirror == before);
    REQUIRE (protocol::sessionHash (mirror) == hashBefore);
    REQUIRE (mirror.instruments.isConsistent());
    REQUIRE (mirror.pianoRoll.isConsistent());
    return error;
}

bool onlyNoteOps (const protocol::StatePatch& p)
{
    return ! p.instruments && p.instrumentUpdates.empty() && ! p.pianoRoll && p.trackUpdates.empty() && ! p.automation
           && p.laneUpdates.empty() && p.pointOps.empty() && ! p.arrangement && ! p.mixer && p.busUpdates.empty() && ! p.master
           && ! p.settings && ! p.transport;
}

/** The first instrument whose track has at least `minNotes` notes. */
model::InstrumentId instrumentWithNotes (const model::Session& s, std::size_t minNotes)
{
    for (const auto& t : s.pianoRoll)
        if (t.notes.size() >= minNotes)
            return t.instrument;
    FAIL ("The reference session has no track with enough notes.");
    return {};
}

/** A value the lane's target accepts: that of its first point. */
float inRangeValue (const model::Lane& lane)
{
    REQUIRE_FALSE (lane.points.points.empty());
    return lane.points.points.front().value;
}

const fb::StatePatch& verifiedPatch (const protocol::Bytes& frame)
{
    REQUIRE (frame.size() > 8);
    REQUIRE (protocol::readFrameLength (frame.data()) == frame.size() - 4);
    // The payload starts 4 bytes into the frame: read it from its own (aligned) allocation, as a
    // receiver does, since FlatBuffers reads 8-byte structs in place. Kept alive for the caller.
    static std::deque<protocol::Bytes> payloads;
    payloads.emplace_back (frame.begin() + 4, frame.end());
    const auto* payload = payloads.back().data();
    REQUIRE (flatbuffers::BufferHasIdentifier (payload, protocol::wireIdentifier));
    flatbuffers::Verifier verifier (payload, frame.size() - 4);
    REQUIRE (verifier.VerifyBuffer<fb::Message> (protocol::wireIdentifier));
    const auto* message = flatbuffers::GetRoot<fb::Message> (payload);
    REQUIRE (message->payload_type() == fb::Payload::StatePatch);
    return *message->payload_as_StatePatch();
}
} // namespace

//==============================================================================
TEST_CASE ("Note edits travel as note operations and converge", "[protocol][patch]")
{
    PatchServer server (smallReference());
    auto mirror = smallReference();
    const auto inst = instrumentWithNotes (server.session, 2);
    const auto& track = *server.session.pianoRoll.find (inst);
    const auto noteId = track.notes[1].id;

    server.applyOk (model::action::AddNote { inst, { {}, 100, 240, 61, 90, 1.0f } });
    auto patch = requireConverges (server, mirror);
    REQUIRE (onlyNoteOps (patch));
    REQUIRE (patch.noteOps.size() == 1);
    REQUIRE (patch.noteOps[0].kind == model::NoteOp::Kind::add);
    REQUIRE (patch.nextId == server.session.nextId);

    server.applyOk (model::action::MoveNote { inst, noteId, 3000, 40 });
    REQUIRE (onlyNoteOps (requireConverges (server, mirror)));
    server.applyOk (model::action::ResizeNote { inst, noteId, 17 });
    REQUIRE (onlyNoteOps (requireConverges (server, mirror)));
    server.applyOk (model::action::SetNoteVelocity { inst, noteId, 3, 0.5f });
    REQUIRE (onlyNoteOps (requireConverges (server, mirror)));

    // Several edits in one patch, replayed in order (move ahead of another note, then delete it).
    server.applyOk (model::action::MoveNote { inst, noteId, 0, 0 });
    server.applyOk (model::action::AddNote { inst, { {}, 0, 10, 0, 1, 0.0f } });
    server.applyOk (model::action::DeleteNote { inst, noteId });
    patch = requireConverges (server, mirror);
    REQUIRE (onlyNoteOps (patch));
    REQUIRE (patch.noteOps.size() == 3);
    REQUIRE (patch.noteOps[2].kind == model::NoteOp::Kind::remove);
    REQUIRE (mirror.pianoRoll.find (inst)->isSorted());
}

TEST_CASE ("Point edits travel as point operations and converge", "[protocol][patch]")
{
    PatchServer server (smallReference());
    auto mirror = smallReference();
    REQUIRE_FALSE (server.session.automation.empty());
    const auto lane = server.session.automation[0].id;
    const auto value = inRangeValue (server.session.automation[0]);

    server.applyOk (model::action::SetPoint { lane, { 12345, value, model::CurveType::step } });
    auto patch = requireConverges (server, mirror);
    REQUIRE (patch.pointOps.size() == 1);
    REQUIRE (patch.laneUpdates.empty());
    REQUIRE_FALSE (patch.automation);

    server.applyOk (model::action::MovePoint { lane, 12345, { 20000, value, model::CurveType::sCurve } });
    patch = requireConverges (server, mirror);
    REQUIRE (patch.pointOps.size() == 2); // a move is a remove and a set
    REQUIRE (patch.pointOps[0].kind == model::PointOp::Kind::remove);

    server.applyOk (model::action::DeletePoint { lane, 20000 });
    patch = requireConverges (server, mirror);
    REQUIRE (patch.pointOps.size() == 1);
    REQUIRE (mirror.automation.find (lane)->points.find (20000) == nullptr);
}

TEST_CASE ("Instrument edits travel as that instrument and rack changes as the rack", "[protocol][patch]")
{
    PatchServer server (smallReference());
    auto mirror = smallReference();
    const auto inst = server.session.instruments[0].id;

    server.applyOk (model::action::SetParam { model::ParamAddress::instrument (inst, model::ParamGroup::amp, 0), 0.5f });
    auto patch = requireConverges (server, mirror);
    REQUIRE (patch.instrumentUpdates.size() == 1);
    REQUIRE (patch.instrumentUpdates[0].id == inst);
    REQUIRE_FALSE (patch.instruments);

    server.applyOk (model::action::RenameInstrument { inst, "Renamed" });
    patch = requireConverges (server, mirror);
    REQUIRE (patch.instrumentUpdates.size() == 1);
    REQUIRE (mirror.instruments.find (inst)->name == "Renamed");

    model::Source source;
    source.builtIn = model::BuiltInSource::fm;
    server.applyOk (model::action::AddInstrument { "New", source, model::Backend::internal, {} });
    patch = requireConverges (server, mirror);
    REQUIRE (patch.instruments);
    REQUIRE (patch.pianoRoll);
    REQUIRE (patch.instrumentUpdates.empty());

    server.applyOk (model::action::DeleteInstrument { inst });
    patch = requireConverges (server, mirror);
    REQUIRE (patch.instruments);
    REQUIRE_FALSE (mirror.instruments.contains (inst));
}

TEST_CASE ("Bus and arrangement edits converge", "[protocol][patch]")
{
    PatchServer server (smallReference());
    auto mirror = smallReference();
    const auto inst = server.session.instruments[0].id;

    server.applyOk (model::action::AddBus { "Aux" });
    auto patch = requireConverges (server, mirror);
    REQUIRE (patch.mixer);
    const auto bus = server.session.mixer.buses[server.session.mixer.buses.size() - 1].id;

    server.applyOk (model::action::RenameBus { bus, "Aux 2" });
    patch = requireConverges (server, mirror);
    REQUIRE_FALSE (patch.mixer);
    REQUIRE (patch.busUpdates.size() == 1);

    server.applyOk (model::action::SetParam { { model::NodeKind::master, 0, model::ParamGroup::strip, 0, 0 }, 0.7f });
    patch = requireConverges (server, mirror);
    REQUIRE (patch.master);
    REQUIRE_FALSE (patch.mixer);

    server.applyOk (model::action::AddSend { inst, bus, 0.5f });
    server.applyOk (model::action::RemoveBus { bus });
    patch = requireConverges (server, mirror);
    REQUIRE (patch.mixer);

    server.applyOk (model::action::AddClip { inst, "Clip", 1920, true });
    patch = requireConverges (server, mirror);
    REQUIRE (patch.arrangement);
    const auto clip = server.session.arrangement.clips[server.session.arrangement.clips.size() - 1].id;
    server.applyOk (model::action::AddPlacement { clip, 960 });
    const auto placement = server.session.arrangement.placements[server.session.arrangement.placements.size() - 1].id;
    server.applyOk (model::action::MovePlacement { placement, 4800 });
    server.applyOk (model::action::SetPlayMode { model::PlayMode::song });
    requireConverges (server, mirror);
    server.applyOk (model::action::DeleteClip { clip });
    requireConverges (server, mirror);
}

TEST_CASE ("Settings and transport patches converge and the hash covers the transport", "[protocol][patch]")
{
    PatchServer server (smallReference());
    auto mirror = smallReference();

    server.applyOk (model::action::SetBpm { 133.5 });
    server.applyOk (model::action::RenameSession { "Rehearsal" });
    auto patch = requireConverges (server, mirror);
    REQUIRE (patch.settings);
    REQUIRE_FALSE (patch.transport);

    const auto stoppedHash = protocol::sessionHash (mirror);
    server.applyOk (model::action::Play {});
    server.applyOk (model::action::Locate { 960 });
    patch = requireConverges (server, mirror);
    REQUIRE (patch.transport);
    REQUIRE (mirror.transport.playing);

    // Only `playing` differs: the project encoding keeps it, so the hash must differ.
    auto playingOnly = mirror;
    playingOnly.transport.position = 0;
    auto stoppedOnly = playingOnly;
    stoppedOnly.transport.playing = false;
    REQUIRE (protocol::sessionHash (playingOnly) != protocol::sessionHash (stoppedOnly));
    REQUIRE (protocol::sessionHash (stoppedOnly) == stoppedHash); // back to the state before Play and Locate
    REQUIRE (protocol::sessionHash (stoppedOnly) == protocol::sessionHash (model::Session (stoppedOnly)));
}

TEST_CASE ("Undo and redo converge and send the restored item whole", "[protocol][patch]")
{
    PatchServer server (smallReference());
    auto mirror = smallReference();
    const auto inst = instrumentWithNotes (server.session, 1);

    // An edit and its undo in one patch: the track travels whole and the edit's op is dropped.
    server.applyOk (model::action::AddNote { inst, { {}, 50, 100, 70, 80, 1.0f } });
    server.applyOk (model::action::Undo {});
    auto patch = requireConverges (server, mirror);
    REQUIRE (patch.trackUpdates.size() == 1);
    REQUIRE (patch.noteOps.empty());

    server.applyOk (model::action::Redo {});
    requireConverges (server, mirror);

    server.applyOk (model::action::SetParam { model::ParamAddress::instrument (inst, model::ParamGroup::amp, 1), 2.0f });
    requireConverges (server, mirror);
    server.applyOk (model::action::Undo {});
    patch = requireConverges (server, mirror);
    REQUIRE (patch.instrumentUpdates.size() == 1);

    model::Source source;
    server.applyOk (model::action::AddInstrument { "Undone", source, model::Backend::internal, {} });
    requireConverges (server, mirror);
    server.applyOk (model::action::Undo {});
    requireConverges (server, mirror);
    server.applyOk (model::action::Redo {});
    requireConverges (server, mirror);
}

TEST_CASE ("More than half of a subsystem changed sends it whole", "[protocol][patch]")
{
    const auto& session = largeReference();
    const auto half = session.pianoRoll.size() / 2;
    REQUIRE (half >= 2);

    model::NetDirty dirty;
    for (std::size_t i = 0; i < half; ++i)
        dirty.tracks.insert (session.pianoRoll[i].instrument);
    auto patch = protocol::makePatch (session, dirty, 1);
    REQUIRE_FALSE (patch.pianoRoll);
    REQUIRE (patch.trackUpdates.size() == half);

    dirty.tracks.insert (session.pianoRoll[half].instrument);
    patch = protocol::makePatch (session, dirty, 2);
    REQUIRE (patch.pianoRoll);
    REQUIRE (*patch.pianoRoll == session.pianoRoll);
    REQUIRE (patch.trackUpdates.empty());

    model::NetDirty lanes;
    for (std::size_t i = 0; i <= session.automation.size() / 2; ++i)
        lanes.lanes.insert (session.automation[i].id);
    lanes.pointOps.push_back ({ model::PointOp::Kind::set, session.automation[0].id, { 1, 0.5f, model::CurveType::linear } });
    patch = protocol::makePatch (session, lanes, 3);
    REQUIRE (patch.automation);
    REQUIRE (patch.laneUpdates.empty());
    REQUIRE (patch.pointOps.empty());

    // A mirror at the same state accepts whole subsystems that equal its own.
    auto mirror = session;
    REQUIRE (protocol::applyPatch (mirror, patch).empty());
    REQUIRE (mirror == session);
}

TEST_CASE ("Operations on an item sent whole are dropped", "[protocol][patch]")
{
    const auto& session = smallReference();
    const auto a = session.pianoRoll[0].instrument;
    const auto b = session.pianoRoll[1].instrument;
    const auto& lane = session.automation[0];

    model::NetDirty dirty;
    dirty.tracks.insert (a);
    dirty.noteOps.push_back ({ model::NoteOp::Kind::add, a, { { 9999 }, 0, 1, 1, 1, 1.0f } });
    dirty.noteOps.push_back ({ model::NoteOp::Kind::add, b, { { 9998 }, 0, 1, 1, 1, 1.0f } });
    dirty.lanes.insert (lane.id);
    dirty.pointOps.push_back ({ model::PointOp::Kind::set, lane.id, { 5, 0.0f, model::CurveType::linear } });
    const auto patch = protocol::makePatch (session, dirty, 1);
    REQUIRE (patch.trackUpdates.size() == 1);
    REQUIRE (patch.trackUpdates[0] == session.pianoRoll[0]);
    REQUIRE (patch.noteOps.size() == 1);
    REQUIRE (patch.noteOps[0].instrument == b);
    REQUIRE (patch.laneUpdates.size() == 1);
    REQUIRE (patch.pointOps.empty());

    // A structural flag drops every op of that subsystem.
    dirty.pianoRollStructural = true;
    const auto whole = protocol::makePatch (session, dirty, 2);
    REQUIRE (whole.pianoRoll);
    REQUIRE (whole.noteOps.empty());
    REQUIRE (whole.trackUpdates.empty());
}

TEST_CASE ("Ownership and the id counter always travel", "[protocol][patch]")
{
    const auto& session = smallReference();
    protocol::Ownership owners { { { session.instruments[0].id, 3 } }, 3 };
    auto patch = protocol::makePatch (session, {}, 7, &owners);
    REQUIRE (patch.seq == 7);
    REQUIRE (patch.nextId == session.nextId);
    REQUIRE (patch.ownership == owners);
    REQUIRE_FALSE (protocol::makePatch (session, {}, 8).ownership);
}

//==============================================================================
namespace
{
/** A random action against the current session: mostly on items that exist, sometimes on ids that do
    not or with values out of range, so that some are rejected. */
model::Action randomAction (std::mt19937& rng, const model::Session& s)
{
    using namespace model;
    auto pick = [&rng] (int n)
    { return std::uniform_int_distribution<int> (0, std::max (n, 1) - 1) (rng); };
    auto chance = [&pick] (int percent)
    { return pick (100) < percent; };
    auto bogus = [&pick]
    { return (std::uint32_t) (900'000 + pick (1000)); };

    auto instrument = [&]() -> InstrumentId
    { return s.instruments.empty() || chance (5) ? InstrumentId { bogus() } : s.instruments[(std::size_t) pick ((int) s.instruments.size())].id; };
    auto lane = [&]() -> LaneId
    { return s.automation.empty() || chance (5) ? LaneId { bogus() } : s.automation[(std::size_t) pick ((int) s.automation.size())].id; };
    auto bus = [&]() -> BusId
    { return s.mixer.buses.empty() || chance (5) ? BusId { bogus() } : s.mixer.buses[(std::size_t) pick ((int) s.mixer.buses.size())].id; };
    auto clip = [&]() -> ClipId
    { return s.arrangement.clips.empty() || chance (5) ? ClipId { bogus() } : s.arrangement.clips[(std::size_t) pick ((int) s.arrangement.clips.size())].id; };
    auto placement = [&]() -> PlacementId
    { return s.arrangement.placements.empty() || chance (5) ? PlacementId { bogus() } : s.arrangement.placements[(std::size_t) pick ((int) s.arrangement.placements.size())].id; };
    auto note = [&] (InstrumentId i) -> NoteId
    {
        const auto* t = s.pianoRoll.find (i);
        return t == nullptr || t->notes.empty() || chance (5) ? NoteId { bogus() } : t->notes[(std::size_t) pick ((int) t->notes.size())].id;
    };
    auto pointTick = [&] (LaneId l) -> Tick
    {
        const auto* found = s.automation.find (l);
        return found == nullptr || found->points.points.empty() || chance (10) ? (Tick) pick (20000) : found->points.points[(std::size_t) pick ((int) found->points.points.size())].tick;
    };
    auto tick = [&]
    { return chance (3) ? (Tick) -5 : (Tick) pick (15360); };
    auto pitch = [&]
    { return (std::uint8_t) (chance (3) ? 128 + pick (100) : pick (128)); };
    auto kit = [&]() -> InstrumentId
    {
        // Mostly a drum kit (the small reference has one; AddInstrument may add more), sometimes another.
        std::vector<InstrumentId> kits;
        for (const auto& inst : s.instruments)
            if (inst.source.isDrumKit())
                kits.push_back (inst.id);
        return kits.empty() || chance (10) ? instrument() : kits[(std::size_t) pick ((int) kits.size())];
    };
    auto drumStep = [&]
    { return DrumStep { chance (70), (std::uint8_t) (chance (3) ? 0 : 1 + pick (127)), chance (20) ? 0.5f : 1.0f }; };

    switch (pick (46))
    {
        case 0:
        case 1:
        case 2:
            return action::AddNote { instrument(), { {}, tick(), 1 + pick (960), pitch(), (std::uint8_t) (1 + pick (127)), 1.0f } };
        case 3:
        {
            const auto i = instrument();
            return action::DeleteNote { i, note (i) };
        }
        case 4:
        case 5:
        {
            const auto i = instrument();
            return action::MoveNote { i, note (i), tick(), pitch() };
        }
        case 6:
        {
            const auto i = instrument();
            return action::ResizeNote { i, note (i), (Tick) pick (960) };
        }
        case 7:
        {
            const auto i = instrument();
            return action::SetNoteVelocity { i, note (i), (std::uint8_t) pick (130), chance (5) ? 2.0f : 0.5f };
        }
        case 8:
        case 9:
            return action::SetPoint { lane(), { tick(), (float) pick (100) / 100.0f, (CurveType) pick (4) } };
        case 10:
        {
            const auto l = lane();
            return action::DeletePoint { l, pointTick (l) };
        }
        case 11:
        {
            const auto l = lane();
            return action::MovePoint { l, pointTick (l), { tick(), 0.25f, CurveType::step } };
        }
        case 12:
        case 13:
            return action::SetParam { ParamAddress::instrument (instrument(), ParamGroup::amp, (std::uint16_t) pick (5)), (float) pick (1200) / 100.0f };
        case 14:
            return action::RenameInstrument { instrument(), "Instrument " + std::to_string (pick (1000)) };
        case 15:
        {
            Source source;
            source.builtIn = (BuiltInSource) pick (numBuiltInSources);
            return action::AddInstrument { "Added", source, Backend::internal, {} };
        }
        case 16:
            return s.instruments.size() > 3 ? Action { action::DeleteInstrument { instrument() } } : Action { action::Stop {} };
        case 17:
            return action::AddBus { "Bus" };
        case 18:
            return action::RemoveBus { bus() };
        case 19:
            return action::RenameBus { bus(), "Bus " + std::to_string (pick (100)) };
        case 20:
            return action::SetMute { NodeKind::instrument, instrument().value, chance (50) };
        case 21:
            return action::AddLane { { AutomationTargetKind::parameter, ParamAddress::instrument (instrument(), ParamGroup::amp, 2) } };
        case 22:
            return action::RemoveLane { lane() };
        case 23:
            return action::AddClip { instrument(), "Clip", chance (5) ? (Tick) 0 : (Tick) 1920, chance (50) };
        case 24:
            return action::AddPlacement { clip(), tick() };
        case 25:
            return action::MovePlacement { placement(), tick() };
        case 26:
            return action::DeletePlacement { placement() };
        case 27:
            return action::SetBpm { chance (10) ? 5000.0 : 60.0 + pick (120) };
        case 28:
            return chance (50) ? Action { action::Play {} } : Action { action::Locate { tick() } };
        case 29:
            return action::Undo {};
        case 30:
            return action::MoveInstrument { instrument(), (std::int32_t) pick ((int) s.instruments.size() + 2) - 1 }; // -1 is refused, size() is past the end
        case 31:
        case 32:
        {
            // A selection edit: some notes moved, one removed, a few added (sometimes a bogus id: refused whole).
            const auto i = instrument();
            action::EditNotes edit { i, {} };
            if (const auto* t = s.pianoRoll.find (i); t != nullptr && ! t->notes.empty())
            {
                auto moved = t->notes[(std::size_t) pick ((int) t->notes.size())];
                moved.tick = tick();
                edit.change.push_back (moved);
                const auto removed = note (i);
                if (removed != moved.id)
                    edit.remove.push_back (removed);
            }
            for (int n = pick (3); n >= 0; --n)
                edit.add.push_back (Note { {}, tick(), 120, (std::uint8_t) (40 + pick (40)), 90, 1.0f });
            return edit;
        }
        case 33:
        {
            const auto l = lane();
            action::EditPoints edit { l };
            if (chance (50))
                edit.remove.push_back (pointTick (l));
            edit.set.push_back ({ tick(), (float) pick (100) / 100.0f, (CurveType) pick (4), (std::int8_t) (pick (201) - 100) });
            return edit;
        }
        case 34:
            return action::SetDrumStep { kit(), pick (13), pick (17), drumStep() }; // pad 12 and step 16 are refused
        case 35:
        {
            action::SetDrumSteps paint { kit(), {} };
            const auto pad = pick (12);
            for (int n = 1 + pick (8); --n >= 0;)
                paint.steps.push_back ({ pad, pick (16), drumStep() });
            return paint;
        }
        case 36:
        {
            auto pad = makeDefaultDrumPad (pick (12));
            pad.level = (float) pick (250) / 100.0f; // above 2 is refused
            pad.tune = (float) pick (25);
            return action::SetDrumPad { kit(), pick (12), pad };
        }
        case 37:
            return action::SetDrumPattern { kit(), 16 + pick (50), DrumKit::stepsPerBeatChoices[pick (5)], (float) pick (100) / 100.0f };
        case 38:
        {
            // A level (an instrument's, a bus's or the master's) or an instrument's first stage
            // parameter, so deletions unassign some; slot 16 and spans above 2 are refused.
            const auto inst = instrument();
            ParamAddress param = ParamAddress::instrument (inst, ParamGroup::strip, 0);
            if (chance (30))
                param = { NodeKind::bus, bus().value, ParamGroup::strip, 0, 0 };
            else if (chance (10))
                param = { NodeKind::master, 0, ParamGroup::strip, 0, 0 };
            else if (const auto* found = s.instruments.find (inst); found != nullptr && ! found->chain.empty() && chance (50))
                param = ParamAddress::stage (NodeKind::instrument, inst.value, found->chain[0].id, 0);
            auto span = [&]
            { return param.group == ParamGroup::stage ? (float) (20 + pick (2000)) : (float) pick (220) / 100.0f; };
            return action::SetMacro { pick (17), Macro { ! chance (15), param, span(), span() } };
        }
        case 39:
            return action::SetMidiChannel { instrument(), pick (18) }; // 17 is refused
        case 40:
            return action::SetRecordArm { instrument(), chance (50) };
        case 41:
        {
            // A controller mapped to an instrument's level or pan (channel 17 and CC 128 are refused).
            MidiMapping m;
            m.source = chance (30) ? MidiSource::pitchBend : MidiSource::controller;
            m.channel = pick (18);
            m.controller = pick (129);
            m.param = ParamAddress::instrument (instrument(), ParamGroup::strip, (std::uint16_t) (chance (50) ? StripParam::level : StripParam::pan));
            m.min = 0.0f;
            m.max = (float) pick (2) * 0.5f;
            m.curve = (MidiCurve) pick (3);
            if (chance (20))
                return action::RemoveMidiMapping { m.param };
            if (chance (20))
                return action::ChangeMidiMapping { m };
            return action::AddMidiMapping { m };
        }
        case 42:
            return action::SetRecordOptions { chance (50) ? RecordMode::replace : RecordMode::overdub, pick (4) };
        case 43:
            return action::SetMidiOutput { instrument(), pick (18) }; // 17 is refused
        case 44:
            return action::SetPluginIsolation { (PluginIsolation) pick (4) }; // 3 is refused
        default:
            return action::Redo {};
    }
}
} // namespace

TEST_CASE ("Eight mirrors converge on the server after 2000 random actions", "[protocol][patch]")
{
    std::mt19937 rng (20240601);
    PatchServer server (smallReference());
    std::vector<model::Session> mirrors (8, smallReference());

    int accepted = 0, rejected = 0, patches = 0, opPatches = 0;
    auto broadcast = [&]
    {
        const auto patch = server.takePatch();
        ++patches;
        opPatches += (patch.noteOps.empty() && patch.pointOps.empty()) ? 0 : 1;
        const auto serverHash = protocol::sessionHash (server.session);
        for (auto& mirror : mirrors)
        {
            const auto error = protocol::applyPatch (mirror, patch);
            INFO ("patch " << patch.seq << ": " << error);
            REQUIRE (error.empty());
            REQUIRE (protocol::sessionHash (mirror) == serverHash);
        }
    };

    auto untilPatch = 1 + (int) (rng() % 20);
    for (int i = 0; i < 2000; ++i)
    {
        // Eight clients take turns; the server applies in arrival order, as it would.
        const auto action = randomAction (rng, server.session);
        (server.apply (action) ? accepted : rejected)++;
        if (--untilPatch == 0)
        {
            broadcast();
            untilPatch = 1 + (int) (rng() % 20);
        }
    }
    broadcast();

    INFO (accepted << " accepted, " << rejected << " rejected, " << patches << " patches");
    REQUIRE (accepted > 1000);
    REQUIRE (rejected > 100);
    REQUIRE (opPatches > 20);
    REQUIRE (model::validate (server.session).empty());
    for (const auto& mirror : mirrors)
        REQUIRE (mirror == server.session);
}

//==============================================================================
TEST_CASE ("applyPatch rejects bad patches and leaves the mirror unchanged", "[protocol][patch]")
{
    const auto& start = smallReference();
    auto mirror = start;
    const auto inst = instrumentWithNotes (start, 2);
    const auto& track = *start.pianoRoll.find (inst);
    const auto existing = track.notes[0];

    protocol::StatePatch base;
    base.seq = 1;
    base.nextId = start.nextId + 10;
    model::Note fresh { { start.nextId }, 10, 10, 60, 100, 1.0f };
    model::InstrumentId other;
    for (const auto& t : start.pianoRoll)
        if (t.instrument != inst && ! t.notes.empty())
            other = t.instrument;
    REQUIRE (other.isValid());
    const auto usedElsewhere = start.pianoRoll.find (other)->notes[0];

    SECTION ("unknown instrument")
    {
        auto p = base;
        auto updated = start.instruments[0];
        updated.id = model::InstrumentId { 777'777 };
        p.instrumentUpdates.push_back (updated);
        requireRejected (mirror, p);
    }
    SECTION ("a note operation on an instrument without a track")
    {
        auto p = base;
        p.noteOps.push_back ({ model::NoteOp::Kind::add, model::InstrumentId { 777'777 }, fresh });
        requireRejected (mirror, p);
    }
    SECTION ("duplicate note id")
    {
        auto p = base;
        p.noteOps.push_back ({ model::NoteOp::Kind::add, inst, existing });
        REQUIRE (requireRejected (mirror, p).find ("already has it") != std::string::npos);
    }
    SECTION ("note out of range")
    {
        auto p = base;
        auto bad = fresh;
        bad.pitch = 200;
        p.noteOps.push_back ({ model::NoteOp::Kind::add, inst, bad });
        requireRejected (mirror, p);
        bad = fresh;
        bad.probability = std::numeric_limits<float>::quiet_NaN();
        p.noteOps = { { model::NoteOp::Kind::update, inst, bad } };
        requireRejected (mirror, p);
    }
    SECTION ("note id at or above the id counter")
    {
        auto p = base;
        auto bad = fresh;
        bad.id = model::NoteId { p.nextId };
        p.noteOps.push_back ({ model::NoteOp::Kind::add, inst, bad });
        requireRejected (mirror, p);
    }
    SECTION ("removing or updating a note that is not there")
    {
        auto p = base;
        p.noteOps.push_back ({ model::NoteOp::Kind::remove, inst, fresh });
        requireRejected (mirror, p);
        p.noteOps = { { model::NoteOp::Kind::update, inst, fresh } };
        requireRejected (mirror, p);
    }
    SECTION ("an operation of unknown kind")
    {
        auto p = base;
        p.noteOps.push_back ({ (model::NoteOp::Kind) 9, inst, existing });
        requireRejected (mirror, p);
        p.noteOps.clear();
        p.pointOps.push_back ({ (model::PointOp::Kind) 9, start.automation[0].id, {} });
        requireRejected (mirror, p);
    }
    SECTION ("unsorted whole track")
    {
        auto p = base;
        auto t = track;
        std::swap (t.notes.front(), t.notes.back());
        p.trackUpdates.push_back (t);
        requireRejected (mirror, p);
    }
    SECTION ("a whole track with one note id twice")
    {
        auto p = base;
        auto t = track;
        t.notes[1].id = t.notes[0].id;
        std::sort (t.notes.begin(), t.notes.end(), model::noteOrder);
        p.trackUpdates.push_back (t);
        requireRejected (mirror, p);
    }
    SECTION ("a lane targeting nothing")
    {
        auto p = base;
        auto lane = start.automation[0];
        lane.target = { model::AutomationTargetKind::parameter, model::ParamAddress::instrument (model::InstrumentId { 777'777 }, model::ParamGroup::amp, 0) };
        p.laneUpdates.push_back (lane);
        requireRejected (mirror, p);
    }
    SECTION ("a point operation on a missing lane or point")
    {
        auto p = base;
        p.pointOps.push_back ({ model::PointOp::Kind::set, model::LaneId { 777'777 }, {} });
        requireRejected (mirror, p);
        p.pointOps = { { model::PointOp::Kind::remove, start.automation[0].id, { 987'654, 0.0f, model::CurveType::linear } } };
        requireRejected (mirror, p);
        p.pointOps = { { model::PointOp::Kind::set, start.automation[0].id, { 5, std::numeric_limits<float>::infinity(), model::CurveType::linear } } };
        requireRejected (mirror, p);
    }
    SECTION ("a whole rack without the piano roll to match")
    {
        auto p = base;
        p.instruments = start.instruments;
        model::Instrument extra;
        extra.id = model::InstrumentId { start.nextId };
        p.instruments->add (extra);
        REQUIRE (requireRejected (mirror, p).find ("tracks") != std::string::npos);
    }
    SECTION ("an instrument routed to a bus that does not exist")
    {
        auto p = base;
        auto updated = start.instruments[0];
        updated.strip.output = model::BusId { 777'777 };
        p.instrumentUpdates.push_back (updated);
        requireRejected (mirror, p);
    }
    SECTION ("settings out of range and an id counter going back")
    {
        auto p = base;
        p.settings = start.settings;
        p.settings->bpm = 0.0;
        requireRejected (mirror, p);
        p = base;
        p.nextId = start.nextId - 1;
        requireRejected (mirror, p);
        p = base;
        p.transport = model::Transport { true, false, false, -1 };
        requireRejected (mirror, p);
    }
    SECTION ("the last operation is bad while every earlier part is good")
    {
        auto p = base;
        p.settings = start.settings;
        p.settings->name = "Changed";
        p.transport = model::Transport { true, false, false, 480 };
        auto updated = start.instruments[0];
        updated.name = "Changed too";
        p.instrumentUpdates.push_back (updated);
        p.noteOps.push_back ({ model::NoteOp::Kind::add, inst, fresh });
        p.noteOps.push_back ({ model::NoteOp::Kind::remove, inst, existing });
        p.pointOps.push_back ({ model::PointOp::Kind::set, start.automation[0].id, { 77, 0.5f, model::CurveType::linear } });
        auto good = p;
        p.pointOps.push_back ({ model::PointOp::Kind::remove, start.automation[0].id, { 987'654, 0.0f, model::CurveType::linear } });
        requireRejected (mirror, p);

        // Without that last operation the same patch applies, and changes exactly what it says.
        REQUIRE (protocol::applyPatch (mirror, good).empty());
        REQUIRE (mirror.settings.name == "Changed");
        REQUIRE (mirror.transport.playing);
        REQUIRE (mirror.instruments[0].name == "Changed too");
        REQUIRE (mirror.pianoRoll.find (inst)->find (fresh.id) != nullptr);
        REQUIRE (mirror.pianoRoll.find (inst)->find (existing.id) == nullptr);
        REQUIRE (mirror.automation[0].points.find (77) != nullptr);
        REQUIRE (mirror.nextId == base.nextId);
        REQUIRE (model::validate (mirror).empty());
    }

    // Found by the fuzz target (Tests/Fuzz): item edits were checked item by item, so an id used
    // elsewhere in the session (a note of another track) could come in as a note or a stage id, and the
    // mirror ended up invalid ("Id 59 is used twice").
    SECTION ("a note operation adding a note with another track's note id")
    {
        auto p = base;
        p.noteOps.push_back ({ model::NoteOp::Kind::add, inst, usedElsewhere });
        REQUIRE (requireRejected (mirror, p).find ("used twice") != std::string::npos);
    }
    SECTION ("a track update holding another track's note id")
    {
        auto p = base;
        auto track = *start.pianoRoll.find (inst);
        track.insert (usedElsewhere);
        p.trackUpdates.push_back (track);
        requireRejected (mirror, p);
    }
    SECTION ("an instrument update giving a stage a note's id")
    {
        auto p = base;
        auto updated = *start.instruments.find (inst);
        REQUIRE_FALSE (updated.chain.empty());
        updated.chain[0].id = model::StageId { usedElsewhere.id.value };
        p.instrumentUpdates.push_back (updated);
        requireRejected (mirror, p);
    }
    SECTION ("two tracks adding the same new id")
    {
        auto p = base;
        p.noteOps.push_back ({ model::NoteOp::Kind::add, inst, fresh });
        p.noteOps.push_back ({ model::NoteOp::Kind::add, other, fresh });
        requireRejected (mirror, p);
    }
    SECTION ("new ids, and old ones that undo brings back, are accepted")
    {
        PatchServer server (start);
        server.applyOk (model::action::AddNote { inst, { {}, 50, 100, 70, 80, 1.0f } });
        model::Stage lowPass;
        lowPass.kind = model::StageKind::filter;
        server.applyOk (model::action::AddStage { model::NodeKind::instrument, inst.value, lowPass });
        requireConverges (server, mirror);

        const auto removedStage = server.session.instruments.find (inst)->chain[0].id;
        server.applyOk (model::action::DeleteNote { other, usedElsewhere.id });
        server.applyOk (model::action::RemoveStage { model::NodeKind::instrument, inst.value, removedStage });
        requireConverges (server, mirror);

        server.applyOk (model::action::Undo {});
        server.applyOk (model::action::Undo {});
        requireConverges (server, mirror);
        REQUIRE (mirror.pianoRoll.find (other)->find (usedElsewhere.id) != nullptr);
        REQUIRE (mirror.instruments.find (inst)->findStage (removedStage) != nullptr);
    }
}

//==============================================================================
TEST_CASE ("A note edit in the large session travels as one operation under 100 bytes", "[protocol][patch]")
{
    PatchServer server (largeReference());
    const auto inst = instrumentWithNotes (server.session, 100);
    const auto noteId = server.session.pianoRoll.find (inst)->notes[50].id;

    auto frameFor = [&server, inst] (const model::Action& a)
    {
        server.applyOk (a);
        auto frame = protocol::encodePatchFrame (server.session, server.dirty, ++server.seq);
        const auto& patch = verifiedPatch (frame);
        REQUIRE (patch.note_ops() != nullptr);
        REQUIRE (patch.note_ops()->size() == 1);
        REQUIRE (patch.track_updates() == nullptr);
        REQUIRE (patch.piano_roll() == nullptr);
        REQUIRE (patch.seq() == server.seq);
        REQUIRE (patch.next_id() == server.session.nextId);
        const auto& op = *patch.note_ops()->Get (0);
        const auto& expected = server.dirty.noteOps.at (0);
        REQUIRE ((int) op.kind() == (int) expected.kind);
        REQUIRE (op.instrument() == inst.value);
        REQUIRE (op.id() == expected.note.id.value);
        REQUIRE (op.tick() == expected.note.tick);
        REQUIRE (op.pitch() == expected.note.pitch);
        server.dirty = {};
        return frame;
    };

    const auto add = frameFor (model::action::AddNote { inst, { {}, 123, 45, 67, 89, 1.0f } });
    const auto move = frameFor (model::action::MoveNote { inst, noteId, 4000, 72 });
    const auto remove = frameFor (model::action::DeleteNote { inst, noteId });
    INFO ("add " << add.size() << ", move " << move.size() << ", delete " << remove.size() << " bytes");
    // The whole frame on the wire (length prefix included), not just the operation's share.
    REQUIRE (add.size() < 100);
    REQUIRE (add.size() == move.size());
    REQUIRE (add.size() == remove.size());

    model::NetDirty wholeTrack;
    wholeTrack.tracks.insert (inst);
    const auto trackFrame = protocol::encodePatchFrame (server.session, wholeTrack, 1);
    const auto& patch = verifiedPatch (trackFrame);
    REQUIRE (patch.track_updates() != nullptr);
    REQUIRE (patch.track_updates()->size() == 1);
    REQUIRE (patch.track_updates()->Get (0)->notes()->size() == server.session.pianoRoll.find (inst)->notes.size());
    INFO ("whole track " << trackFrame.size() << " bytes");
    REQUIRE (trackFrame.size() > 20 * add.size());
}

TEST_CASE ("encodePatchFrame carries the parts makePatch chooses", "[protocol][patch]")
{
    PatchServer server (smallReference());
    const auto inst = instrumentWithNotes (server.session, 1);
    const auto lane = server.session.automation[0].id;
    server.applyOk (model::action::SetParam { model::ParamAddress::instrument (inst, model::ParamGroup::amp, 0), 0.5f });
    server.applyOk (model::action::AddNote { inst, { {}, 1, 2, 3, 4, 1.0f } });
    server.applyOk (model::action::SetPoint { lane, { 7, inRangeValue (server.session.automation[0]), model::CurveType::step } });
    server.applyOk (model::action::SetBpm { 99.0 });
    server.applyOk (model::action::AddBus { "B" });
    protocol::Ownership owners { { { inst, 2 } }, 2 };

    const auto value = protocol::makePatch (server.session, server.dirty, 5, &owners);
    const auto frame = protocol::encodePatchFrame (server.session, server.dirty, 5, &owners);
    REQUIRE (frame == protocol::encodePatchFrame (server.session, server.dirty, 5, &owners)); // deterministic
    const auto& patch = verifiedPatch (frame);

    REQUIRE (patch.seq() == 5);
    REQUIRE (patch.settings() != nullptr);
    REQUIRE (patch.settings()->bpm() == 99.0);
    REQUIRE (patch.transport() == nullptr);
    REQUIRE (patch.instruments() == nullptr);
    REQUIRE (patch.instrument_updates()->size() == value.instrumentUpdates.size());
    REQUIRE (patch.instrument_updates()->Get (0)->id() == inst.value);
    REQUIRE (patch.note_ops()->size() == value.noteOps.size());
    REQUIRE (patch.point_ops()->size() == value.pointOps.size());
    REQUIRE (patch.point_ops()->Get (0)->point().tick() == 7);
    REQUIRE (patch.point_ops()->Get (0)->point().curve() == fb::CurveType::Step);
    REQUIRE (value.mixer);
    REQUIRE (patch.mixer() != nullptr);
    REQUIRE (patch.mixer()->buses()->size() == value.mixer->buses.size());
    REQUIRE (patch.bus_updates() == nullptr);
    REQUIRE (patch.arrangement() == nullptr);
    REQUIRE (patch.ownership()->owners()->size() == 1);
    REQUIRE (patch.ownership()->owners()->Get (0)->client() == 2);
    REQUIRE (patch.ownership()->privileged_client() == 2);
}

TEST_CASE ("A note beyond 32-bit ticks travels in its whole track and the frame equals the value's", "[protocol][patch]")
{
    PatchServer server (smallReference());
    auto mirror = server.session;
    const auto inst = instrumentWithNotes (server.session, 1);
    const auto far = (model::Tick) std::numeric_limits<std::uint32_t>::max() + 480;

    server.applyOk (model::action::AddNote { inst, { {}, far, 240, 60, 100, 1.0f } });
    server.applyOk (model::action::AddNote { inst, { {}, 960, 240, 62, 100, 1.0f } });
    const auto frame = protocol::encodePatchFrame (server.session, server.dirty, server.seq + 1);
    auto patch = protocol::makePatch (server.session, server.dirty, server.seq + 1);

    // Its track goes whole (the near note's op with it): no op is cut to 32 bits.
    REQUIRE (patch.noteOps.empty());
    REQUIRE (patch.trackUpdates.size() == 1);
    REQUIRE (patch.trackUpdates[0].instrument == inst);
    REQUIRE (frame == protocol::encodeFrame (patch));

    auto decoded = protocol::decodeMessage (frame.data() + 4, frame.size() - 4);
    REQUIRE (decoded.ok());
    REQUIRE (protocol::applyPatch (mirror, std::get<protocol::StatePatch> (*decoded.message)).empty());
    REQUIRE (mirror == server.session);
}
