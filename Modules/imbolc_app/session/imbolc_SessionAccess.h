#pragma once

namespace imbolc::app
{

/** What an edit, a patch or a load changed: what a view must repaint, and nothing more.

    `items` is the dispatcher's network dirty set (per subsystem, per item, note and point edits as
    operations) for a local edit, and the same built from the patch for a joined seat; `everything`
    says the whole session was replaced (open, new, full sync), so every view redraws.
*/
struct SessionChange
{
    model::NetDirty items;
    bool ownership = false; ///< who owns which instrument, or who holds the privilege, changed
    bool everything = false; ///< a new session: repaint all

    /** True if the instrument `id` (its settings, chain or strip) is among what changed. */
    bool touchesInstrument (model::InstrumentId id) const
    {
        return everything || items.instrumentsStructural || items.instruments.count (id) != 0;
    }
    /** True if the notes of `id` changed. */
    bool touchesTrack (model::InstrumentId id) const;
};

/** A session as a view sees it: read a snapshot, send an Action, hear what changed.

    The same interface over a session this process hosts (SessionHost) and one it joined over the
    network (RemoteSession), so a view cannot tell them apart. Views never reach past it into the engine
    or the network.

    Message thread: every function, and every listener callback (they run inside apply() or tick()).
*/
class SessionAccess
{
public:
    struct Listener
    {
        virtual ~Listener() = default;
        /** The session changed; `getSession()` already shows the change. Message thread. */
        virtual void sessionChanged (const SessionChange&) = 0;
    };

    virtual ~SessionAccess() = default;

    /** The session as this seat sees it now. The reference stays valid; the value changes only inside
        apply() and tick(). Message thread. */
    virtual const model::Session& getSession() const = 0;

    /** Edits the session. A hosted session applies it at once and returns the dispatcher's verdict; a
        joined one sends it and returns ok when sent (the edit arrives with the next patch; a refusal
        arrives later through onWarning). Message thread. */
    virtual model::ApplyResult apply (const model::Action&) = 0;

    /** Does the periodic work: network, engine housekeeping, autosave; notifies listeners of what changed
        since the last call. Waits up to `waitMs` for network traffic when there may be some. Call it from
        a timer or a loop. Message thread. */
    virtual void tick (int waitMs = 0) = 0;

    /** Meters for views: playhead, tempo, master and per-strip peaks, the scsynth's state. Message thread. */
    virtual protocol::msg::Metering getMetering() const = 0;

    /** Who owns which instrument and who holds the privilege; empty when nobody else is in the session.
        Message thread. */
    virtual protocol::Ownership getOwnership() const = 0;

    /** This seat's id in a network session (0: the host, or a session of one's own). Message thread. */
    virtual std::uint32_t getSeatId() const = 0;

    /** What Edit > Undo and Redo would do for this seat. */
    struct UndoState
    {
        bool canUndo = false, canRedo = false;
        juce::String undoName, redoName; ///< "Set Cutoff"; empty when unknown
    };
    /** A hosted session knows its history; a joined seat's lives on the host, so both are offered
        without a name (the host refuses with a sentence when there is nothing to undo). Message thread. */
    virtual UndoState getUndoState() const = 0;

    /** The master output's spectrum, loudness and scope where this process plays the session; nullptr
        in a joined seat. Enable only what a shown view needs. Message thread. */
    virtual engine::AnalysisMeters* getAnalysis() noexcept { return nullptr; }

    /** The plugin loaded as instrument `nodeId`'s source (`stage` invalid) or as a stage of a chain, for
        its editor window; nullptr in a joined seat or when none is loaded. Valid until that chain is
        rebuilt: look it up again after a change. Message thread. */
    virtual juce::AudioPluginInstance* findPlugin (model::NodeKind, std::uint32_t /*nodeId*/, model::StageId = {}) { return nullptr; }

    /** Opens the editor of a plugin that runs in a sandbox process, in a window of that process (the
        plugin's editor cannot live in this one). nullopt when no sandboxed plugin is there (one in
        process is findPlugin's, for a window here); a failed Result says in one sentence why the
        editor could not open. Message thread. */
    virtual std::optional<juce::Result> openSandboxedEditor (model::NodeKind, std::uint32_t /*nodeId*/, model::StageId = {}) { return std::nullopt; }

    /** Plays a note on an instrument now, outside the song (a keyboard, auditioning); does nothing in a
        joined seat. Message thread. */
    virtual void auditionNote (model::InstrumentId, int /*noteNumber*/, float /*velocity*/, bool /*on*/) {}

    /** MIDI learn: the next controller or pitch bend played live creates a mapping of `param` (one
        AddMidiMapping over the parameter's whole range, linear, on the message's channel). Returns
        false where this seat hears no MIDI (a joined seat: the host's MIDI is the host's). Asking
        again replaces the parameter waiting; cancelMidiLearn forgets it. Message thread. */
    virtual bool learnMidi (const model::ParamAddress&) { return false; }
    virtual void cancelMidiLearn() {}
    /** The parameter waiting for a controller, if any. Message thread. */
    virtual std::optional<model::ParamAddress> getMidiLearnTarget() const { return std::nullopt; }

    /** Brackets one gesture of a person (a drag, a knob turn, a painted row of steps): the edits between
        begin and end undo as one step in this seat's history, however long the gesture takes. A
        joined seat sends the gesture with its edits, so the host keeps the seat's history the same way.
        Nested begins are counted; the gesture ends with the outermost end. Message thread. */
    void beginGesture() noexcept;
    void endGesture() noexcept;
    /** The gesture edits now belong to, 0 outside one. Message thread. */
    std::uint32_t getGesture() const noexcept { return gestureDepth > 0 ? gesture : 0; }

    /** True if this seat may edit the instrument (it owns it, or nobody else does and this is the host).
        Message thread. */
    bool canEditInstrument (model::InstrumentId) const;

    /** Message thread. */
    void addListener (Listener*);
    void removeListener (Listener*);

    /** Sentences a person should see (a refused edit from the network, a plugin that did not load, a
        failed autosave, scsynth lost). Unset: they are dropped. Message thread. */
    std::function<void (const juce::String&)> onWarning;

protected:
    void notify (const SessionChange&);
    void warn (const juce::String&);

private:
    std::vector<Listener*> listeners;
    std::uint32_t gesture = 0;
    int gestureDepth = 0;
};

} // namespace imbolc::app
