#pragma once

namespace imbolc::engine
{

/** The built-in filter stage (model::StageKind::filter): a stereo Zavalishin TPT state-variable
    filter, low-pass, high-pass, band-pass (unity gain at the centre) or notch.

    Parameters (model::makeFilterParameters): cutoff (Hz, 20..20000), resonance (0..1: Q 0.707,
    Butterworth, up to Q 25, a +28 dB peak that rings but never self-oscillates) and drive (0..1: soft
    saturation before the filter, up to +18 dB into the clipper; 0 is clean).

    The cutoff is what the LFO and automation move, so the filter follows it every sample: the target
    glides in octaves (one pole, 1 ms), so block-rate modulation steps become smooth sweeps, not
    zipper, and while it moves the coefficients are recomputed every sample (polynomial log2 and exp2,
    a Padé tan, a single division).
*/
class FilterNode final : public NodeProcessor
{
public:
    FilterNode (model::FilterType, const std::vector<model::Parameter>& params);

    /** The highest resonance's Q. */
    static constexpr float maxQ = 25.0f;

private:
    void prepareNode (double sampleRate, int maximumBlockSize) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;
    bool isAtRest() const noexcept override;
    void advanceAtRest (int numSamples) noexcept override;
    bool isSteady() const noexcept;
    void updateCoefficients() noexcept;
    float octaveOf (float hz) const noexcept;
    /** The moving path: parameters, glide and coefficients per sample. `silent`: all of it but the
        filter itself (advanceAtRest; the pointers are not used). */
    template <model::FilterType, bool silent>
    void processMoving (float* left, float* right, int n) noexcept;

    model::FilterType type;
    fx::SvfCoefficients coeffs;
    fx::SvfState state[2];

    // The cutoff's glide, in octaves (log2 Hz): the target (clamped) and where the filter is now.
    float targetHz = -1.0f, targetOctave = 10.0f, octave = 10.0f;
    float octaveSmoothing = 0.0f, maxOctave = 14.0f, piOverFsOctave = 0.0f;
    float resonance = -1.0f, k = 1.41421356f;
    float drive = -1.0f, driveGain = 1.0f, driveOut = 1.0f;
};

/** The built-in parametric EQ stage (model::StageKind::eq): four peaking (bell) bands, each a TPT
    state-variable bell, which has exactly the RBJ cookbook peaking response (same prototype, same
    prewarping at the centre) without a direct-form biquad's trouble at low frequencies.

    Parameters (model::makeEqParameters): per band freq (Hz), gain (dB, -24..24), q (0.1..18).
    Coefficients are recomputed per 32-sample sub-block while a band's values move. A band at 0 dB
    is skipped: it is exactly transparent, and a flat EQ costs nothing.
*/
class EqNode final : public NodeProcessor
{
public:
    explicit EqNode (const std::vector<model::Parameter>& params);

    static constexpr int subBlock = 32;

private:
    void prepareNode (double sampleRate, int maximumBlockSize) override;
    void processNode (juce::AudioBuffer<float>&, juce::MidiBuffer&) noexcept override;
    bool isAtRest() const noexcept override;
    void advanceAtRest (int numSamples) noexcept override;

    struct Band
    {
        float freq = -1.0f, gainDb = 0.0f, q = -1.0f;
        float m1 = 0.0f; // bell = x + m1 * band-pass
        bool active = false;
        fx::SvfCoefficients coeffs;
        fx::SvfState state[2];
    };

    void updateBand (Band&, float freq, float gainDb, float q) noexcept;

    std::array<Band, model::eqBandCount> bands;
};

} // namespace imbolc::engine
