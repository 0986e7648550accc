#pragma once

namespace imbolc::sc
{

/** How a session's SuperCollider side maps onto scsynth's nodes and buses, and the OSC that builds and
    changes it. No sockets: the live backend sends what it returns, the score renderer writes it into
    a score. The same code decides both, so an offline render is built exactly as a live server is.

    The tree, in this client's range of the fixed group layout (ScsynthClient::groupLayout):
    - sources (100): one group per instrument holding its voices. A source or envelope tweak is one
      /n_set to that group: scsynth passes it on to every sounding voice.
    - processing (200): one group per instrument holding its stages in chain order, each a synth that
      processes the instrument's stereo bus in place (ReplaceOut); bypass is /n_run 0 on that synth.
      Pre-insert sends sit at the head of the group.
    - output (300): per instrument its strip (level, pan, mute; to a bus or the master) and its
      post-insert sends.
    - bus processing (350): one group per bus (its stages, then its strip to the master), then the
      master's group (its stages, then its strip to the hardware outputs).
    - safety (999): a limiter on the hardware outputs, last of all.

    Node ids come from one counter in this client's range and are never reused, so adding or deleting
    one instrument never changes another's ids. Audio buses come from this client's block of private
    buses, one stereo pair per instrument, per bus and for the master.

    Voices: each instrument has a model::VoiceAllocator, the same voice cap and stealing policy as the
    internal engine. A stolen voice is released over 5 ms (gate -1.005, EnvGen's forced release) and
    its slot is reclaimed when scsynth reports the node ended (nodeEnded), as every voice is.

    One thread at a time (the backend serialises its callers).
*/
class SessionMirror
{
public:
    struct Range
    {
        std::int32_t nodeBase = 0; ///< this client's first node id (client id << 26)
        std::int32_t firstBus = 16; ///< the first private audio bus of this client's block
        std::int32_t busCount = 240; ///< channels in the block
        std::int32_t hardwareOut = 0; ///< the first hardware output bus
        bool everyInstrument = false; ///< play every instrument, not only those whose backend is SuperCollider (offline render)
        std::int32_t firstBuffer = 0; ///< this client's first buffer number (samplers' samples)
        std::int32_t bufferCount = 128; ///< buffers in its block
    };

    explicit SessionMirror (Range);
    ~SessionMirror();
    SessionMirror (SessionMirror&&) noexcept;

    using Messages = std::vector<OscMessage>;

    /** The group id of one of the layout's groups, in this client's range. */
    std::int32_t layoutGroup (std::size_t index) const noexcept { return range.nodeBase + ScsynthClient::groupLayout[index]; }
    enum LayoutIndex : std::size_t
    {
        sources,
        processing,
        output,
        busProcessing,
        record,
        safety
    };

    /** Every node of the session (instruments, buses, master, safety), to send once the group layout
        exists. Forgets whatever was built before. */
    Messages build (const model::Session&);

    /** The targeted changes for one applied action: a parameter tweak is one /n_set to one node,
        adding or deleting an instrument builds or frees only its nodes, a bus's effects touch only
        its group in bus processing. `session` is the session after the action. */
    Messages apply (const model::Session&, const std::vector<model::AudioEffect>&);

    /** Starts a voice (with stealing under the instrument's cap). `time` orders notes for the policy
        (any monotonic count). Empty when the instrument is not played here. */
    Messages noteOn (model::InstrumentId, int note, float velocity, std::int64_t time);
    Messages noteOff (model::InstrumentId, int note, std::int64_t time);
    Messages allNotesOff (model::InstrumentId);

    /** An automated or LFO-modulated value of one of an instrument's parameters (the engine's
        ExternalNoteEvent::Kind::param): one /n_set to the node that owns it, as a tweak is (source and
        amp values go to the voice group and to the voices started after it; stage values to the
        stage's node; strip and send values to theirs). It needs no session: the mirror keeps the
        names. Empty when the instrument or parameter is not played here. */
    Messages automate (model::InstrumentId, model::ParamGroup, std::uint32_t item, int index, float value);

    /** A sampler's sample the server must load into `buffer` before its voices sound: the mirror
        only names it (it has no socket); the backend reads or sends it and then calls setSampleVoice,
        the score renderer puts a /b_allocRead in the score. */
    struct SampleLoad
    {
        model::InstrumentId instrument;
        std::string owner; ///< "Instrument \"name\"", for sentences
        std::int32_t buffer = -1;
        std::string path;
    };

    /** The samples to load since the last call (adding, rebuilding, recovering). */
    std::vector<SampleLoad> takeSampleLoads();

    /** How a sampler's loaded buffer plays: `channels` 1 or 2 picks the mono or stereo voice, 0 leaves
        the instrument silent (the sample could not be loaded); `rateScale` is the file's rate over the
        server's for a buffer sent with /b_setn (1 for one the server read). */
    void setSampleVoice (model::InstrumentId, int channels, float rateScale);

    /** scsynth reported a node ended (/n_end): a voice's slot is free again. */
    void nodeEnded (std::int32_t node);

    /** Sentences about what the backend cannot play (a source with no voice definition, a plugin
        stage, no bus left), since the last call. */
    std::vector<std::string> takeWarnings();

    //==============================================================================
    struct InstrumentNodes
    {
        std::int32_t bus = -1; ///< first channel of its stereo pair
        std::int32_t voiceGroup = 0, chainGroup = 0, strip = 0;
        std::vector<std::pair<std::uint32_t, std::int32_t>> stages; ///< StageId -> node (plays: not every stage)
        std::vector<std::pair<std::uint32_t, std::int32_t>> sends; ///< BusId -> node
        std::string voiceDefinition; ///< empty when the source has none
        std::int32_t buffer = -1; ///< a sampler's sample, else -1
    };
    const InstrumentNodes* findInstrument (model::InstrumentId) const;

    struct BusNodes
    {
        std::int32_t bus = -1;
        std::int32_t group = 0, strip = 0;
        std::vector<std::pair<std::uint32_t, std::int32_t>> stages;
        bool muted = false; ///< as last sent to its strip
    };
    const BusNodes* findBus (model::BusId) const;
    const BusNodes& getMaster() const noexcept { return master; }

    /** Voices started and not yet reported ended. */
    std::size_t liveVoices() const noexcept;

    const Range& getRange() const noexcept { return range; }

private:
    struct Voices;
    struct Instrument
    {
        InstrumentNodes nodes;
        std::vector<std::pair<std::string, float>> voiceControls; ///< the model's source and ADSR values (a sampler's buf and rateScale after them)
        std::size_t numSourceParams = 0; ///< voiceControls' first entries are the source's, then the four amp values
        std::vector<std::pair<std::uint32_t, std::vector<std::string>>> stageParams; ///< StageId -> its parameter names
        std::string samplePath; ///< what `nodes.buffer` holds
        int sampleChannels = 1; ///< of the loaded sample (0: it could not be loaded)
        float rateScale = 1.0f;
        std::unique_ptr<Voices> voices;
        bool muted = false;
        bool oneShot = false; ///< drums: a note off does not end the voice (it rings out)
    };

    bool plays (const model::Instrument&) const noexcept;
    std::int32_t nextNode() noexcept { return range.nodeBase + nodeCounter++; }
    std::int32_t allocateBus();
    void freeBus (std::int32_t);
    std::int32_t busChannel (model::BusId) const; ///< a bus's pair, or the master's when absent or invalid

    void addInstrument (const model::Session&, const model::Instrument&, Messages&);
    void removeInstrument (model::InstrumentId, Messages&);
    void buildStages (const std::vector<model::Stage>&, std::int32_t bus, std::int32_t group, std::vector<std::pair<std::uint32_t, std::int32_t>>& nodes, Messages&, const std::string& owner);
    void buildSends (const model::Instrument&, Instrument&, Messages&);
    void rebuildInstrument (const model::Session&, const model::Instrument&, Messages&);
    void addBus (const model::Bus&, Messages&, std::int32_t beforeNode);
    void removeBus (model::BusId, Messages&);
    void buildMaster (const model::Master&, Messages&);
    void refreshMutes (const model::Session&, Messages&);
    void setParam (const model::Session&, const model::ParamAddress&, float value, Messages&);
    void setBypass (const model::AudioEffect&, Messages&);
    void releaseVoice (Instrument&, int slot, float gate, Messages&);
    Messages releaseHeld (model::InstrumentId, int note, std::int64_t time, bool allNotes);
    static std::vector<std::pair<std::string, float>> voiceControlsOf (const model::Instrument&);
    void refreshVoice (const model::Instrument&, Instrument&, Messages&, bool warnSilent);
    std::int32_t allocateBuffer();
    static bool isOneShot (const model::Instrument&) noexcept;

    Range range;
    std::int32_t nodeCounter = 1000;
    std::vector<std::int32_t> freeBuses; ///< stereo pairs, lowest last
    std::map<std::uint32_t, Instrument> instruments;
    std::map<std::uint32_t, BusNodes> buses;
    std::vector<std::uint32_t> busOrder; ///< creation order (their order in bus processing)
    BusNodes master;
    std::int32_t safetyNode = 0;
    std::unordered_map<std::int32_t, std::pair<std::uint32_t, int>> voiceNodes; ///< node -> instrument, slot
    std::set<std::int32_t> usedBuffers;
    std::vector<SampleLoad> sampleLoads;
    std::vector<std::string> warnings;
};

} // namespace imbolc::sc
