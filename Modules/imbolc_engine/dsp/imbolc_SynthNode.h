#pragma once

namespace imbolc::engine
{

/** A source parameter as a synth reads it: its index in the node, or a fixed fallback (the model's
    default) when the instrument does not carry it (a project saved before it existed). */
struct ParamRef
{
    int index = -1;
    float fallback = 0.0f;
};

/** The base of every built-in polyphonic instrument (model::BuiltInSource).

    Parameters: the instrument's source parameters in model order, then attack, decay, sustain,
    release (model::AmpParam order) at getAmpParameterOffset(): the engine addresses amp parameters
    by that offset.

    MIDI comes through the buffer the chain hands to processBlock: note on/off with velocity, all notes
    off (CC 123: every voice enters its release) and all sound off (CC 120: every voice fades out in a
    few milliseconds). Each event is applied at its own sample offset: the block is rendered in control
    chunks of at most controlInterval samples that also end at every event, so a note starts on the
    sample the sequencer put it on.

    Voices: a fixed pool (VoiceAllocator, allocated here at construction, never on the audio thread)
    under the instrument's voice cap (model::Instrument::voiceCap, changed later by setVoiceLimit), with
    its stealing policy. A stolen voice fades out over stealFadeSeconds in a spare slot while the new
    note starts at once, so a steal never clicks.

    Each voice is multiplied by its amp envelope and velocity; the sum by the source's "level", which
    is interpolated per sample (so are sustain changes), so no tweak zippers. Pitch and timbre
    parameters are read once per control chunk (32 samples, 0.7 ms at 48 kHz): they glide through the
    node's own 20 ms ramps in many small, phase-continuous steps.

    Construction and prepareToPlay: message thread. Everything else: audio thread, no allocation or lock.
*/
class SourceNode : public NodeProcessor
{
public:
    static constexpr int controlInterval = 32;
    static constexpr double stealFadeSeconds = 0.005;

    /** `extraParameters` follow the amp envelope's (a drum kit's per-pad settings), so the amp
        parameters keep the offset the engine addresses them by. */
    SourceNode (juce::String name, const model::Instrument&, bool oneShot, std::vector<model::Parameter> extraParameters = {});
    ~SourceNode() override;

    bool writesEveryOutputSample() const noexcept override { return true; }

    /** Where the amp parameters start in this node's parameter list. */
    int getAmpParameterOffset() const noexcept { return ampOffset; }

    /** Sets the voice cap (clamped to 1..model::Instrument::maxVoiceCap). Lowering it below the number
        of voices sounding steals down to it, with fades. Audio thread. */
    void setVoiceLimit (int) noexcept override;
    int getVoiceLimit() const noexcept { return allocator.getLimit(); }

    /** Voices holding or releasing a note (the ones the cap counts). Audio thread, or while stopped. */
    int getNumActiveVoices() const noexcept { return allocator.getNumActive(); }

    /** Stolen voices still fading out. Audio thread, or while stopped. */
    int getNumFadingVoices() const noexcept { return allocator.getNumStolen(); }

    /** True if an active voice (held or releasing) plays `note`. Audio thread, or while stopped. */
    bool isPlayingNote (int note) const noexcept;

    model::BuiltInSource getKind() const noexcept { return kind; }

    //==============================================================================
    // For the synths (PolySource's voices and shared state).

    /** Resolves a source parameter by name. Message thread (construction). */
    ParamRef sourceParam (const char* name) const;

    /** A parameter's value at the start / end of the current control chunk. Audio thread. */
    float chunkValue (ParamRef r) const noexcept { return r.index >= 0 ? chunkStart[(std::size_t) r.index] : r.fallback; }
    float chunkEndValue (ParamRef r) const noexcept { return r.index >= 0 ? chunkEnd[(std::size_t) r.index] : r.fallback; }

    /** A deterministic seed for each note started (noise, random phases): the same notes give the same sound. */
    std::uint32_t noteSeed() const noexcept { return seed; }

protected:
    /** Resets every voice for a new sample rate. Message thread (prepareToPlay). */
    virtual void resetVoices (double sampleRate) = 0;

    /** Reads per-chunk parameters before the voices render. */
    virtual void beginChunk (int numSamples) noexcept = 0;

    /** Starts `note` in the voice at `slot` (its oscillators restart; the envelope is handled here). */
    virtual void startVoice (int slot, int note, float velocity) noexcept = 0;

    /** Renders the voice's raw signal (before envelope and velocity) over n <= controlInterval samples,
        overwriting `left` (and `right` when isStereo()). Returns false once the voice has ended by
        itself (a drum that decayed, a sample that ran out); it must still have written all n samples. */
    virtual bool renderVoice (int slot, float* left, float* right, int numSamples) noexcept = 0;

    virtual bool isStereo() const noexcept { return false; }

private:
    void prepareNode (double sampleRate, int maximumBlockSize) final;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept final;

    void handleMidi (const juce::uint8* data, int numBytes) noexcept;
    void noteOn (int note, float velocity) noexcept;
    void noteOff (int note) noexcept;
    void allNotesOff() noexcept;
    void allSoundOff() noexcept;
    void beginControlChunk (int numSamples) noexcept;
    void renderChunk (float* left, float* right, int numSamples) noexcept;

    model::BuiltInSource kind;
    std::vector<model::Parameter> sourceParams;
    int ampOffset = 0;
    ParamRef level;
    bool oneShot;

    VoiceAllocator allocator;
    std::vector<AmpEnvelope> envelopes;
    std::vector<float> velocities, fades, levels;
    std::vector<float> chunkStart, chunkEnd;
    AmpEnvelope::Rates rates;
    float fadeStep = 1.0f / 240.0f;
    std::int64_t sampleTime = 0;
    std::uint32_t seed = 0, noteCounter = 0;

    alignas (16) std::array<float, controlInterval> voiceLeft {}, voiceRight {}, gains {}, mixLeft {}, mixRight {};

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (SourceNode)
};

//==============================================================================
/** A built-in instrument: SourceNode's machinery around one kind of voice.

    Synth provides: `name`, `oneShot` (drums ignore note off), `stereo`, a `Setup` (what the factory
    hands over, e.g. a loaded sample), a `Shared` (per-node state read once per chunk, constructed
    from the node and the setup, with prepare (sampleRate) and update (node)), and a `Voice` with
    start (shared, note, velocity, seed) and bool render (shared, left, right, n).
*/
template <typename Synth>
class PolySource final : public SourceNode
{
public:
    explicit PolySource (const model::Instrument& inst, typename Synth::Setup setup = {})
        : SourceNode (Synth::name, inst, Synth::oneShot, extraParametersOf (inst)), shared (*this, std::move (setup)), voices ((std::size_t) VoiceAllocator::capacity)
    {
    }

    const typename Synth::Shared& getShared() const noexcept { return shared; }

private:
    /** A synth may have parameters of its own beyond the model's source parameters (Synth::extraParameters). */
    static std::vector<model::Parameter> extraParametersOf (const model::Instrument& inst)
    {
        if constexpr (requires { Synth::extraParameters (inst); })
            return Synth::extraParameters (inst);
        else
            return {};
    }

    void resetVoices (double sampleRate) override
    {
        shared.prepare (sampleRate);
        for (auto& v : voices)
            v = typename Synth::Voice {};
    }
    void beginChunk (int) noexcept override { shared.update (*this); }
    void startVoice (int slot, int note, float velocity) noexcept override { voices[(std::size_t) slot].start (shared, note, velocity, noteSeed()); }
    bool renderVoice (int slot, float* left, float* right, int n) noexcept override { return voices[(std::size_t) slot].render (shared, left, right, n); }
    bool isStereo() const noexcept override { return shared.isStereo(); }

    typename Synth::Shared shared;
    std::vector<typename Synth::Voice> voices;
};

/** What most synths need from the factory: nothing. */
struct NoSetup
{
};

//==============================================================================
// The tone sources. Each voice's pitch is 440 Hz * 2^((note - 69 + tune + fine / 100) / 12).

/** Shared pitch state: the node-wide transposition ratio, recomputed only when tune or fine move. */
struct PitchShared
{
    ParamRef tune, fine;
    double sampleRate = 48000.0;
    float ratio = 1.0f, semitones = 0.0f;
    const dsp::BlepTables* blep = &dsp::BlepTables::get();

    PitchShared (const SourceNode& node)
        : tune (node.sourceParam ("tune")), fine (node.sourceParam ("fine")) {}

    void prepare (double sr)
    {
        sampleRate = sr;
        semitones = 0.0f;
        ratio = 1.0f;
    }

    void update (const SourceNode& node) noexcept
    {
        const float s = node.chunkValue (tune) + node.chunkValue (fine) * 0.01f;
        if (s != semitones)
        {
            semitones = s;
            ratio = std::exp2 (s / 12.0f);
        }
    }

    bool isStereo() const noexcept { return false; }

    /** Cycles per sample at 0 transposition for a note. */
    double baseIncrement (int note) const noexcept { return 440.0 * std::exp2 ((note - 69) / 12.0) / sampleRate; }

    /** The increment a voice uses, kept below Nyquist. */
    float increment (double base) const noexcept { return juce::jmin (0.49f, (float) base * ratio); }
};

/** Band-limited sawtooth (BLEP). */
struct SawSynth
{
    static constexpr const char* name = "Saw";
    static constexpr bool oneShot = false;
    using Setup = NoSetup;

    struct Shared : PitchShared
    {
        Shared (const SourceNode& n, Setup)
            : PitchShared (n) {}
    };

    struct Voice
    {
        dsp::BlepSaw osc;
        double base = 0.0;

        void start (const Shared& s, int note, float, std::uint32_t) noexcept
        {
            base = s.baseIncrement (note);
            osc.phase = 0.5f; // starts at 0, mid-ramp: no jump to smooth
        }

        bool render (const Shared& s, float* out, float*, int n) noexcept
        {
            const float dt = s.increment (base);
            const float period = 1.0f / dt;
            for (int i = 0; i < n; ++i)
                out[i] = osc.next (dt, period, *s.blep);
            return true;
        }
    };
};

/** Band-limited square / pulse (BLEP) with pulse-width modulation by a per-voice sine LFO:
    width + pwmDepth * sin (2 pi pwmRate t), clamped to 0.02..0.98. Square and pulse share it. */
struct PulseSynth
{
    static constexpr const char* name = "Pulse";
    static constexpr bool oneShot = false;
    using Setup = NoSetup;

    struct Shared : PitchShared
    {
        ParamRef width, pwmRate, pwmDepth;
        float widthStart = 0.5f, widthEnd = 0.5f, depthStart = 0.0f, depthEnd = 0.0f, rate = 0.0f;
        int chunk = 0;

        Shared (const SourceNode& n, Setup)
            : PitchShared (n), width (n.sourceParam ("width")), pwmRate (n.sourceParam ("pwmRate")), pwmDepth (n.sourceParam ("pwmDepth")) {}

        void update (const SourceNode& n) noexcept
        {
            PitchShared::update (n);
            widthStart = n.chunkValue (width);
            widthEnd = n.chunkEndValue (width);
            depthStart = n.chunkValue (pwmDepth);
            depthEnd = n.chunkEndValue (pwmDepth);
            rate = (float) (n.chunkValue (pwmRate) / sampleRate); // LFO cycles per sample
        }
    };

    struct Voice
    {
        dsp::BlepPulse osc;
        double base = 0.0;
        float lfoPhase = 0.0f;

        void start (const Shared& s, int note, float, std::uint32_t) noexcept
        {
            base = s.baseIncrement (note);
            osc.phase = 0.0f;
            lfoPhase = 0.0f;
        }

        bool render (const Shared& s, float* out, float*, int n) noexcept
        {
            const float dt = s.increment (base);
            // The width at both ends of the chunk, interpolated per sample.
            const float lfoEnd = lfoPhase + s.rate * (float) n;
            const float w0 = juce::jlimit (0.02f, 0.98f, s.widthStart + s.depthStart * dsp::sin2pi (lfoPhase));
            const float w1 = juce::jlimit (0.02f, 0.98f, s.widthEnd + s.depthEnd * dsp::sin2pi (lfoEnd));
            const float step = (w1 - w0) / (float) n;
            const float period = 1.0f / dt;
            for (int i = 0; i < n; ++i)
                out[i] = osc.next (dt, period, w0 + step * (float) (i + 1), *s.blep);
            lfoPhase = lfoEnd - (float) (int) lfoEnd;
            return true;
        }
    };
};

/** Band-limited triangle (BLAMP). */
struct TriangleSynth
{
    static constexpr const char* name = "Triangle";
    static constexpr bool oneShot = false;
    using Setup = NoSetup;

    struct Shared : PitchShared
    {
        Shared (const SourceNode& n, Setup)
            : PitchShared (n) {}
    };

    struct Voice
    {
        dsp::BlampTriangle osc;
        double base = 0.0;

        void start (const Shared& s, int note, float, std::uint32_t) noexcept
        {
            base = s.baseIncrement (note);
            osc.phase = 0.25f; // starts at 0, rising
        }

        bool render (const Shared& s, float* out, float*, int n) noexcept
        {
            const float dt = s.increment (base);
            const float period = 1.0f / dt;
            for (int i = 0; i < n; ++i)
                out[i] = osc.next (dt, period, *s.blep);
            return true;
        }
    };
};

/** Sine. */
struct SineSynth
{
    static constexpr const char* name = "Sine";
    static constexpr bool oneShot = false;
    using Setup = NoSetup;

    struct Shared : PitchShared
    {
        Shared (const SourceNode& n, Setup)
            : PitchShared (n) {}
    };

    struct Voice
    {
        float phase = 0.0f;
        double base = 0.0;

        void start (const Shared& s, int note, float, std::uint32_t) noexcept
        {
            base = s.baseIncrement (note);
            phase = 0.0f;
        }

        bool render (const Shared& s, float* out, float*, int n) noexcept
        {
            const float dt = s.increment (base);
            for (int i = 0; i < n; ++i)
            {
                out[i] = dsp::sin2pi (phase);
                phase += dt;
                if (phase >= 1.0f)
                    phase -= 1.0f;
            }
            return true;
        }
    };
};

/** Noise, from white (colour 0) to pink (colour 1, -3 dB per octave), at about the same loudness.
    Pitch is ignored: every note sounds the same noise under its own envelope. */
struct NoiseSynth
{
    static constexpr const char* name = "Noise";
    static constexpr bool oneShot = false;
    using Setup = NoSetup;

    struct Shared
    {
        ParamRef colour;
        float colourStart = 0.0f, colourEnd = 0.0f;

        Shared (const SourceNode& n, Setup)
            : colour (n.sourceParam ("colour")) {}
        void prepare (double) {}
        void update (const SourceNode& n) noexcept
        {
            colourStart = n.chunkValue (colour);
            colourEnd = n.chunkEndValue (colour);
        }
        bool isStereo() const noexcept { return false; }
    };

    struct Voice
    {
        dsp::Noise noise;
        float b0 = 0.0f, b1 = 0.0f, b2 = 0.0f;

        void start (const Shared&, int, float, std::uint32_t seed) noexcept
        {
            noise.seed (dsp::hash32 (seed));
            b0 = b1 = b2 = 0.0f;
        }

        bool render (const Shared& s, float* out, float*, int n) noexcept
        {
            const float step = (s.colourEnd - s.colourStart) / (float) n;
            for (int i = 0; i < n; ++i)
            {
                const float white = noise.next();
                // Paul Kellett's economy pink filter (within 0.5 dB of -3 dB/octave above 40 Hz),
                // scaled to white's loudness.
                b0 = 0.99765f * b0 + white * 0.0990460f;
                b1 = 0.96300f * b1 + white * 0.2965164f;
                b2 = 0.57000f * b2 + white * 1.0526913f;
                const float pink = (b0 + b1 + b2 + white * 0.1848f) * pinkGain;
                const float c = s.colourStart + step * (float) (i + 1);
                out[i] = white + c * (pink - white);
            }
            return true;
        }

        static constexpr float pinkGain = 0.34f;
    };
};

/** A supersaw: up to 9 band-limited saws, a centre one and detuned side ones, each with its own
    random starting phase (as the JP-8000's free-running oscillators). `voices` is continuous: a side
    saw fades in as the count passes it, so moving it never clicks. `mix` balances the side saws
    against the centre (Szabo's JP-8000 curves); the sum is normalised so the loudness stays put. */
struct SupersawSynth
{
    static constexpr const char* name = "Supersaw";
    static constexpr bool oneShot = false;
    using Setup = NoSetup;
    static constexpr int maxSaws = 9;

    /** Saw j's detune in semitones (j = 0 is the centre) at a detune amount 0..1. */
    static float detuneSemitones (int j, float detune) noexcept
    {
        // Inner pair first, so fewer voices keep the spread's shape; the outer pairs reach +-1.9
        // semitones at full detune (the JP-8000's widest is about +-11 %).
        static constexpr float offsets[maxSaws] = { 0.0f, -0.34f, 0.35f, -1.09f, 1.08f, -1.9f, 1.85f, -1.5f, 1.45f };
        const float curve = detune * (0.1f + 0.9f * detune);
        return offsets[juce::jlimit (0, maxSaws - 1, j)] * curve;
    }

    struct Shared
    {
        ParamRef tune, detune, voices, mix;
        double sampleRate = 48000.0;
        const dsp::BlepTables* blep = &dsp::BlepTables::get();
        std::array<float, maxSaws> ratio {}, gainStart {}, gainEnd {};
        float lastTune = -1000.0f, lastDetune = -1.0f;
        int active = maxSaws; ///< saws with any gain this chunk

        Shared (const SourceNode& n, Setup)
            : tune (n.sourceParam ("tune")), detune (n.sourceParam ("detune")), voices (n.sourceParam ("voices")), mix (n.sourceParam ("mix")) {}

        void prepare (double sr)
        {
            sampleRate = sr;
            lastTune = -1000.0f;
        }

        static void gains (float count, float mixAmount, std::array<float, maxSaws>& out) noexcept
        {
            const float centre = -0.55366f * mixAmount + 0.99785f;
            const float side = -0.73764f * mixAmount * mixAmount + 1.2841f * mixAmount + 0.044372f;
            float power = centre * centre;
            out[0] = centre;
            for (int j = 1; j < maxSaws; ++j)
            {
                const float presence = juce::jlimit (0.0f, 1.0f, count - (float) j);
                out[(std::size_t) j] = side * presence;
                power += out[(std::size_t) j] * out[(std::size_t) j];
            }
            const float norm = 1.0f / std::sqrt (juce::jmax (1.0e-6f, power));
            for (auto& g : out)
                g *= norm;
        }

        void update (const SourceNode& n) noexcept
        {
            const float t = n.chunkValue (tune), d = n.chunkValue (detune);
            if (t != lastTune || d != lastDetune)
            {
                lastTune = t;
                lastDetune = d;
                for (int j = 0; j < maxSaws; ++j)
                    ratio[(std::size_t) j] = std::exp2 ((t + detuneSemitones (j, d)) / 12.0f);
            }
            gains (n.chunkValue (voices), n.chunkValue (mix), gainStart);
            gains (n.chunkEndValue (voices), n.chunkEndValue (mix), gainEnd);
            active = 1;
            for (int j = 1; j < maxSaws; ++j)
                if (gainStart[(std::size_t) j] > 0.0f || gainEnd[(std::size_t) j] > 0.0f)
                    active = j + 1;
        }

        bool isStereo() const noexcept { return false; }
    };

    struct Voice
    {
        std::array<dsp::BlepSaw, maxSaws> saws;
        double base = 0.0;

        void start (const Shared& s, int note, float, std::uint32_t seed) noexcept
        {
            base = 440.0 * std::exp2 ((note - 69) / 12.0) / s.sampleRate;
            for (int j = 0; j < maxSaws; ++j)
                saws[(std::size_t) j].phase = (float) (dsp::hash32 (seed * 16u + (std::uint32_t) j) >> 8) * (1.0f / 16777216.0f);
        }

        bool render (const Shared& s, float* out, float*, int n) noexcept
        {
            for (int i = 0; i < n; ++i)
                out[i] = 0.0f;
            for (int j = 0; j < s.active; ++j)
            {
                auto& saw = saws[(std::size_t) j];
                const float dt = juce::jmin (0.49f, (float) base * s.ratio[(std::size_t) j]);
                const float period = 1.0f / dt;
                const float g0 = s.gainStart[(std::size_t) j];
                const float step = (s.gainEnd[(std::size_t) j] - g0) / (float) n;
                for (int i = 0; i < n; ++i)
                    out[i] += saw.next (dt, period, *s.blep) * (g0 + step * (float) (i + 1));
            }
            return true;
        }
    };
};

/** Two-operator FM: a sine carrier phase-modulated by a sine modulator at `ratio` times its frequency,
    `index` radians deep, the modulator fed back on itself (`feedback` 1 = 1 radian, averaged over two
    samples as in the DX7, which keeps it from chattering; past 1 radian the modulator grows an edge
    and its spectrum no longer ends).

    Band-limiting: FM's sidebands are not band-limited by construction, so the index is kept sane
    instead. Sidebands sit at fc + k fm; with index I, those past k = I + 3 I^(1/3) + 1 are more than
    60 dB down (Bessel functions fall off fast past their order), and 2 I + 3 bounds that. Feedback
    widens the modulator's own spectrum, counted as fm (1 + 5 feedback). So the effective index is the
    largest with fc + (2 I + 3) fm (1 + 5 feedback) under Nyquist (indexLimit): measured, fold-back
    stays 70 dB under the tone from MIDI 48 to 100, any ratio, index and feedback. High notes with
    high ratios therefore lose brightness (down to a pure sine) rather than fold back as noise. */
struct FmSynth
{
    static constexpr const char* name = "FM";
    static constexpr bool oneShot = false;
    using Setup = NoSetup;

    struct Shared
    {
        ParamRef tune, ratio, index, feedback;
        double sampleRate = 48000.0;
        float tuneRatio = 1.0f, lastTune = -1000.0f;
        float modRatio = 1.0f, indexStart = 0.0f, indexEnd = 0.0f, feedbackStart = 0.0f, feedbackEnd = 0.0f;

        Shared (const SourceNode& n, Setup)
            : tune (n.sourceParam ("tune")), ratio (n.sourceParam ("ratio")), index (n.sourceParam ("index")), feedback (n.sourceParam ("feedback")) {}

        void prepare (double sr)
        {
            sampleRate = sr;
            lastTune = -1000.0f;
        }

        void update (const SourceNode& n) noexcept
        {
            const float t = n.chunkValue (tune);
            if (t != lastTune)
            {
                lastTune = t;
                tuneRatio = std::exp2 (t / 12.0f);
            }
            modRatio = n.chunkValue (ratio);
            indexStart = n.chunkValue (index);
            indexEnd = n.chunkEndValue (index);
            feedbackStart = n.chunkValue (feedback) * maxFeedback;
            feedbackEnd = n.chunkEndValue (feedback) * maxFeedback;
        }

        bool isStereo() const noexcept { return false; }

        /** The largest index whose sidebands stay below Nyquist, for a carrier and modulator of these
            frequencies (cycles per sample) and a feedback of `beta` radians. */
        static float indexLimit (float carrierCycles, float modulatorCycles, float beta = 0.0f) noexcept
        {
            const float spread = modulatorCycles * (1.0f + feedbackSpread * beta);
            return juce::jmax (0.0f, ((0.5f - carrierCycles) / juce::jmax (1.0e-9f, spread) - 3.0f) * 0.5f);
        }

        static constexpr float feedbackSpread = 5.0f;
        static constexpr float maxFeedback = 1.0f; ///< radians at feedback 1
    };

    struct Voice
    {
        double base = 0.0;
        float carrier = 0.0f, modulator = 0.0f, fb1 = 0.0f, fb2 = 0.0f;

        void start (const Shared& s, int note, float, std::uint32_t) noexcept
        {
            base = 440.0 * std::exp2 ((note - 69) / 12.0) / s.sampleRate;
            carrier = modulator = fb1 = fb2 = 0.0f;
        }

        bool render (const Shared& s, float* out, float*, int n) noexcept
        {
            constexpr float toCycles = 1.0f / juce::MathConstants<float>::twoPi;
            const float dc = juce::jmin (0.49f, (float) base * s.tuneRatio);
            const float dm = juce::jmin (0.49f, dc * s.modRatio);
            const float limit = Shared::indexLimit (dc, dm, juce::jmax (s.feedbackStart, s.feedbackEnd));
            const float i0 = juce::jmin (limit, s.indexStart) * toCycles;
            const float iStep = (juce::jmin (limit, s.indexEnd) * toCycles - i0) / (float) n;
            const float f0 = s.feedbackStart * toCycles * 0.5f;
            const float fStep = (s.feedbackEnd * toCycles * 0.5f - f0) / (float) n;
            if (f0 == 0.0f && fStep == 0.0f)
            {
                // No feedback: no sample depends on the one before, so the loop pipelines.
                for (int i = 0; i < n; ++i)
                {
                    out[i] = dsp::sin2pi (carrier + (i0 + iStep * (float) (i + 1)) * dsp::sin2pi (modulator));
                    carrier += dc;
                    carrier -= (float) (int) carrier;
                    modulator += dm;
                    modulator -= (float) (int) modulator;
                }
                fb1 = fb2 = 0.0f;
                return true;
            }
            for (int i = 0; i < n; ++i)
            {
                const float m = dsp::sin2pi (modulator + (f0 + fStep * (float) i) * (fb1 + fb2));
                fb2 = fb1;
                fb1 = m;
                out[i] = dsp::sin2pi (carrier + (i0 + iStep * (float) (i + 1)) * m);
                carrier += dc;
                carrier -= (float) (int) carrier;
                modulator += dm;
                modulator -= (float) (int) modulator;
            }
            return true;
        }
    };
};

} // namespace imbolc::engine
