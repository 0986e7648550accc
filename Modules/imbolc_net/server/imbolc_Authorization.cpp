namespace imbolc::net
{

protocol::Ownership Seats::toWire() const
{
    protocol::Ownership o;
    o.owners.reserve (owners.size());
    for (auto [instrument, seat] : owners)
        o.owners.push_back ({ instrument, seat });
    o.privilegedClient = privileged;
    return o;
}

namespace
{
    /** What an action touches, for the ownership rules. */
    struct Scope
    {
        enum class Kind : std::uint8_t
        {
            anyone, ///< allowed to every seat (adding an instrument)
            instrument, ///< needs the instrument's ownership
            sessionWide, ///< needs the privilege
            unknownTarget ///< names nothing (the dispatcher will say what)
        };
        Kind kind = Kind::sessionWide;
        model::InstrumentId instrument;
        const char* what = "This change";
    };

    Scope instrumentScope (model::InstrumentId id) { return { Scope::Kind::instrument, id, nullptr }; }
    Scope sessionScope (const char* what) { return { Scope::Kind::sessionWide, {}, what }; }

    Scope nodeScope (model::NodeKind node, std::uint32_t nodeId, const char* busWhat)
    {
        if (node == model::NodeKind::instrument)
            return instrumentScope (model::InstrumentId { nodeId });
        return sessionScope (busWhat);
    }

    Scope targetScope (const model::AutomationTarget& target)
    {
        switch (target.kind)
        {
            case model::AutomationTargetKind::bpm:
                return sessionScope ("Automating the tempo");
            case model::AutomationTargetKind::swing:
                return sessionScope ("Automating the swing");
            case model::AutomationTargetKind::parameter:
                break;
        }
        return nodeScope (target.param.node, target.param.nodeId, "Automating a bus or the master");
    }

    Scope laneScope (const model::Session& session, model::LaneId id)
    {
        if (const auto* lane = session.automation.find (id))
            return targetScope (lane->target);
        return { Scope::Kind::unknownTarget, {}, nullptr };
    }

    Scope clipScope (const model::Session& session, model::ClipId id)
    {
        if (const auto* clip = session.arrangement.clips.find (id))
            return instrumentScope (clip->instrument);
        return { Scope::Kind::unknownTarget, {}, nullptr };
    }

    Scope placementScope (const model::Session& session, model::PlacementId id)
    {
        if (const auto* placement = session.arrangement.placements.find (id))
            return clipScope (session, placement->clip);
        return { Scope::Kind::unknownTarget, {}, nullptr };
    }

    Scope undoScope (const model::Session& session, const model::UndoScope& scope)
    {
        using K = model::UndoScopeKind;
        switch (scope.kind)
        {
            case K::instrument:
            case K::track:
                return instrumentScope (model::InstrumentId { scope.id });
            case K::lane:
                return laneScope (session, model::LaneId { scope.id });
            case K::session:
                return sessionScope ("Undoing a session-wide edit");
            case K::full:
                return sessionScope ("Undoing the addition, removal or move of an instrument, or the addition or removal of a bus,");
            case K::none:
                break;
        }
        return { Scope::Kind::unknownTarget, {}, nullptr };
    }

    Scope scopeOf (const model::Session& session, const model::Action& action, const model::UndoHistory& history)
    {
        namespace a = model::action;
        return std::visit (
            [&] (const auto& x) -> Scope
            {
                using T = std::decay_t<decltype (x)>;
                if constexpr (std::is_same_v<T, a::AddInstrument>)
                    return { Scope::Kind::anyone, {}, nullptr };
                else if constexpr (std::is_same_v<T, a::MoveInstrument>)
                    // A rack edit like deleting or duplicating: the right to edit the instrument that
                    // moves (the others only change places, as they do when one is deleted).
                    return instrumentScope (x.instrument);
                else if constexpr (std::is_same_v<T, a::SetDrumStep> || std::is_same_v<T, a::SetDrumSteps> || std::is_same_v<T, a::SetDrumPad> || std::is_same_v<T, a::SetDrumPattern>)
                    // A drum kit's pads and pattern are part of its instrument, like its source: the
                    // right to edit that instrument. Spelled out, so a change to the generic branch
                    // below cannot reclassify them.
                    return instrumentScope (x.instrument);
                else if constexpr (std::is_same_v<T, a::SetMidiChannel> || std::is_same_v<T, a::SetRecordArm> || std::is_same_v<T, a::SetMidiOutput>)
                    // Which channel plays an instrument, and whether it records, are its own settings,
                    // like its voice cap.
                    return instrumentScope (x.instrument);
                else if constexpr (requires { requires std::is_same_v<std::decay_t<decltype (x.instrument)>, model::InstrumentId>; })
                    return instrumentScope (x.instrument);
                else if constexpr (std::is_same_v<T, a::SetParam>)
                    return nodeScope (x.param.node, x.param.nodeId, "Changing a bus or the master");
                else if constexpr (requires { x.node; x.nodeId; })
                    return nodeScope (x.node, x.nodeId, "Changing a bus or the master");
                else if constexpr (std::is_same_v<T, a::AddLane>)
                    return targetScope (x.target);
                else if constexpr (requires { x.lane; })
                    return laneScope (session, x.lane);
                else if constexpr (std::is_same_v<T, a::DeleteClip> || std::is_same_v<T, a::RenameClip> || std::is_same_v<T, a::SetClipLength> || std::is_same_v<T, a::AddPlacement>)
                    return clipScope (session, x.clip);
                else if constexpr (requires { x.placement; })
                    return placementScope (session, x.placement);
                else if constexpr (std::is_same_v<T, a::AddBus> || std::is_same_v<T, a::RemoveBus> || std::is_same_v<T, a::RenameBus>)
                    return sessionScope ("Adding, removing or renaming a bus");
                else if constexpr (std::is_same_v<T, a::Undo>)
                {
                    if (auto scope = history.peekScope())
                        return undoScope (session, *scope);
                    return { Scope::Kind::anyone, {}, nullptr }; // the dispatcher says "nothing to undo"
                }
                else if constexpr (std::is_same_v<T, a::Redo>)
                {
                    if (auto scope = history.peekRedoScope())
                        return undoScope (session, *scope);
                    return { Scope::Kind::anyone, {}, nullptr };
                }
                else if constexpr (std::is_same_v<T, a::Play> || std::is_same_v<T, a::Stop> || std::is_same_v<T, a::Locate> || std::is_same_v<T, a::SetRecording> || std::is_same_v<T, a::SetAutomationRecording>)
                    return sessionScope ("The transport");
                else if constexpr (std::is_same_v<T, a::SetBpm>)
                    return sessionScope ("Changing the tempo");
                else if constexpr (std::is_same_v<T, a::SetMacro>)
                    // The macros are the session's face to a plugin host, like its tempo and loop: one
                    // map for everyone, whichever instrument a macro drives.
                    return sessionScope ("Mapping a macro");
                else if constexpr (std::is_same_v<T, a::AddMidiMapping> || std::is_same_v<T, a::ChangeMidiMapping> || std::is_same_v<T, a::RemoveMidiMapping>)
                    // Like the macros: one map of controllers for the session, whichever instrument a
                    // mapping drives (and only the hosting seat hears the MIDI).
                    return sessionScope ("Mapping a MIDI controller");
                else if constexpr (std::is_same_v<T, a::SetRecordOptions>)
                    return sessionScope ("Changing the record options");
                else if constexpr (std::is_same_v<T, a::SetPluginIsolation>)
                    return sessionScope ("Changing where plugins run");
                else
                    return sessionScope ("This session-wide change");
            },
            action);
    }
} // namespace

Authorization authorize (const model::Session& session, const Seats& seats, std::uint32_t seat, const model::Action& action, const model::UndoHistory& history, const std::function<std::string (std::uint32_t)>& seatName)
{
    const auto scope = scopeOf (session, action, history);
    const bool privileged = seat != 0 && seats.privileged == seat;

    switch (scope.kind)
    {
        case Scope::Kind::anyone:
        case Scope::Kind::unknownTarget:
            return {};

        case Scope::Kind::sessionWide:
            if (privileged)
                return { {}, true };
            return { std::string (scope.what) + " needs the session privilege; request it first.", false };

        case Scope::Kind::instrument:
        {
            const auto owner = seats.ownerOf (scope.instrument);
            if (owner == seat)
                return {};
            if (owner == 0 && privileged)
                return { {}, true };
            if (owner == 0)
                return { "Instrument " + std::to_string (scope.instrument.value) + " belongs to nobody: only the seat with the session privilege may edit it.", false };
            return { "Instrument " + std::to_string (scope.instrument.value) + " belongs to seat " + std::to_string (owner) + " (" + seatName (owner) + ").", false };
        }
    }
    return {};
}

} // namespace imbolc::net
