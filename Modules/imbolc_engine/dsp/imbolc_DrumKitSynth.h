#pragma once

namespace imbolc::engine
{

/** A drum kit (model::BuiltInSource::drumKit): the instrument's 12 pads (model::DrumKit) as one-shot
    voices on MIDI notes 36 to 47 (model::DrumKit::firstNote + pad; any other note is silent), so the
    kit's pattern, piano-roll notes and live MIDI all play it the same way.

    A pad is one of the drum synths (KickSynth, SnareSynth, HatSynth: the same voices as the kick,
    snare and hat instruments, at their default settings) or a sample played as SamplerSynth plays it.
    Its `tune` transposes the kick's pitch, the snare's and the hat's tone, or the sample's playback
    rate; its `decay` is the drum synth's 60 dB fall (a sample plays to its end); its `level` scales
    the voice. Like any one-shot, a note off does not cut a pad: it rings out over its decay.

    Each pad's level, tune and decay are parameters of the node, after the amp envelope's, three per pad
    (padParameterIndex), so a change is one targeted command per value that glides like any other
    parameter; a new kind or sample is a new node (the chain is rebuilt). A voice applies its pad's
    level per sample; tune and decay are read per control chunk, and a pad's synth settings are only
    recomputed when they moved.

    Samples are loaded by the NodeFactory on the message thread (Setup). Everything the voices touch is
    allocated at construction: the audio thread never allocates.
*/
struct DrumKitSynth
{
    static constexpr const char* name = "Drum kit";
    static constexpr bool oneShot = true;
    static constexpr int numPads = model::DrumKit::numPads;

    enum PadParameter
    {
        padLevel,
        padTune,
        padDecay,
        numPadParameters
    };

    /** Where pad `pad`'s `which` parameter sits in the node, given its amp offset (the number of source
        parameters). Any thread. */
    static int padParameterIndex (int ampOffset, int pad, PadParameter which) noexcept { return ampOffset + 4 + pad * numPadParameters + which; }

    /** The node's parameters after the amp envelope's: each pad's level, tune and decay. */
    static std::vector<model::Parameter> extraParameters (const model::Instrument&);

    /** What the factory hands over: each pad's kind and, for a sample pad, its audio. */
    struct Setup
    {
        std::array<model::DrumPadKind, (std::size_t) numPads> kinds {};
        std::array<std::shared_ptr<const SampleData>, (std::size_t) numPads> samples; ///< null: silent
    };

    /** One pad's state: a shared state for every kind (only its own kind's is used), and its settings. */
    struct Pad
    {
        Pad (const SourceNode& n, int index, model::DrumPadKind kind, std::shared_ptr<const SampleData> sample);

        model::DrumPadKind kind = model::DrumPadKind::kick;
        KickSynth::Shared kick;
        SnareSynth::Shared snare;
        HatSynth::Shared hat;
        SamplerSynth::Shared sample;
        ParamRef level, tune, decay;
        float kickPitch = 50.0f, snareTone = 180.0f, hatTone = 8000.0f; ///< at tune 0: the drum synths' defaults
        float lastTune = -1000.0f, lastDecay = -1.0f;
        float gainStart = 1.0f, gainEnd = 1.0f; ///< this control chunk's level, at its start and end
    };

    struct Shared
    {
        Shared (const SourceNode& n, Setup setup);
        void prepare (double sampleRate);
        void update (const SourceNode& n) noexcept;
        bool isStereo() const noexcept { return stereo; }

        std::vector<Pad> pads;
        double sampleRate = 48000.0;
        bool stereo = false; ///< a stereo sample pad makes the kit stereo; mono pads then play on both sides
    };

    struct Voice
    {
        int pad = -1; ///< -1: a note outside the kit, which plays nothing
        model::DrumPadKind kind = model::DrumPadKind::kick;
        KickSynth::Voice kick;
        SnareSynth::Voice snare;
        HatSynth::Voice hat;
        SamplerSynth::Voice sample;

        void start (const Shared& s, int note, float velocity, std::uint32_t seed) noexcept;
        bool render (const Shared& s, float* left, float* right, int n) noexcept;
    };
};

} // namespace imbolc::engine
