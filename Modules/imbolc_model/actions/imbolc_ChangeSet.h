#pragma once

namespace imbolc::model
{

/** What the audio side must do after an edit, as narrowly as possible. */
struct AudioEffect
{
    enum class Kind : std::uint8_t
    {
        setParam, ///< param, value: set one parameter on one node
        setStripSwitches, ///< node, id: mute/solo changed (cheap; no rebuild)
        setBypass, ///< node, id, param.itemId = stage, value 1 = bypassed (no rebuild)
        reroute, ///< id = instrument: output or sends changed; chain untouched
        updateInstrument, ///< id = instrument: voice cap, LFO shape/target, groove or MIDI channel changed (no rebuild)
        rebuildInstrument, ///< id = instrument: its chain must be rebuilt
        addInstrument, ///< id = instrument
        deleteInstrument, ///< id = instrument
        addBus, ///< id = bus
        deleteBus, ///< id = bus
        rebuildBus, ///< id = bus: rebuild only that bus's processing
        rebuildMaster, ///< the master chain changed
        updateTrack, ///< id = instrument: its notes changed
        updateLane, ///< id = lane: its points or target changed, or it was added or removed
        updateArrangement, ///< clips or placements changed: re-flatten
        updateTiming, ///< tempo, time signature, swing or loop changed
        transport, ///< play/stop/locate/record; id 1 = a locate (jump even to the same tick)
        fullRebuild, ///< everything (project load, full-scope undo)
        updateDrumPattern, ///< id = instrument: its drum pattern changed: rebuild only its sequence (in either play mode)
        setDrumPad, ///< id = instrument, param.index = pad: that pad's level, tune or decay changed (targeted, no rebuild)
        updateMacros, ///< the session's macro map changed: the engine re-resolves it (no rebuild)
        pluginIsolation ///< where plugins run changed: every chain holding a plugin is rebuilt
    };

    Kind kind = Kind::fullRebuild;
    std::uint32_t id = 0;
    NodeKind node = NodeKind::instrument;
    ParamAddress param;
    float value = 0.0f;

    bool operator== (const AudioEffect&) const = default;

    static AudioEffect forParam (const ParamAddress& p, float v) { return { Kind::setParam, 0, p.node, p, v }; }
    static AudioEffect forId (Kind k, std::uint32_t id, NodeKind node = NodeKind::instrument) { return { k, id, node, {}, 0.0f }; }
};

/** One piano-roll edit, so the network can send the edit instead of the track. */
struct NoteOp
{
    enum class Kind : std::uint8_t
    {
        add,
        remove,
        update
    };
    Kind kind;
    InstrumentId instrument;
    Note note; ///< the note after the edit (for remove: as it was)
    bool operator== (const NoteOp&) const = default;
};

/** One automation-point edit. */
struct PointOp
{
    enum class Kind : std::uint8_t
    {
        set,
        remove
    };
    Kind kind;
    LaneId lane;
    Point point; ///< for remove only the tick matters
    bool operator== (const PointOp&) const = default;
};

/** What the network must send: accumulates between broadcasts (merge). Structural flags mean
    "send that subsystem whole"; item sets mean "send these items whole"; ops are fine-grained edits of
    items that are not in the item sets.
*/
struct NetDirty
{
    bool settings = false;
    bool transport = false;

    bool instrumentsStructural = false;
    std::set<InstrumentId> instruments;

    bool pianoRollStructural = false;
    std::set<InstrumentId> tracks;
    std::vector<NoteOp> noteOps;

    bool automationStructural = false;
    std::set<LaneId> lanes;
    std::vector<PointOp> pointOps;

    bool arrangement = false;

    bool mixerStructural = false;
    std::set<BusId> buses;
    bool master = false;

    bool macros = false; ///< the macro map (all numMacros slots travel together: a few hundred bytes)

    bool empty() const noexcept;
    void merge (const NetDirty&);
    static NetDirty everything();

    bool operator== (const NetDirty&) const = default;
};

enum class UndoScopeKind : std::uint8_t
{
    none, ///< not undoable (transport, undo/redo themselves)
    instrument, ///< one instrument's settings and chain
    track, ///< one instrument's piano-roll notes
    lane, ///< one automation lane's points
    session, ///< settings, arrangement, automation lanes, mixer, macros (not instruments or notes)
    full ///< everything: instrument or bus added or removed
};

struct UndoScope
{
    UndoScopeKind kind = UndoScopeKind::none;
    std::uint32_t id = 0; ///< the instrument (instrument, track) or lane
    bool operator== (const UndoScope&) const = default;
};

/** Sequential edits with the same key within the coalescing window share one undo entry. */
struct CoalesceKey
{
    enum class Kind : std::uint8_t
    {
        none,
        instrumentParams,
        sessionParams
    };
    Kind kind = Kind::none;
    std::uint32_t id = 0;
    bool operator== (const CoalesceKey&) const = default;
};

/** Everything an applied action changed. */
struct ChangeSet
{
    std::vector<AudioEffect> audio;
    NetDirty net;
    UndoScope undoScope;
};

} // namespace imbolc::model
