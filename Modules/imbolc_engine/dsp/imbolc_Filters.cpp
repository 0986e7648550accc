namespace imbolc::engine
{

namespace
{
    constexpr float filterSqrt2 = 1.41421356f;

    /** Time constant of the cutoff's glide towards its target, in seconds. */
    constexpr double cutoffGlideSeconds = 0.001;

    /** Within this many octaves of its target (0.001 %, far below hearing) the glide lands and stops. */
    constexpr float cutoffSnapOctaves = 1.5e-5f;

    /** The highest cutoff the filter realises, as a fraction of the sample rate (tan stays finite). */
    constexpr double maxCutoffRatio = 0.47;

    /** The damping k = 1 / Q for a resonance: exponential from sqrt 2 (0, Butterworth) to 1 / maxQ (1). */
    float dampingFor (float resonance) noexcept
    {
        constexpr float lnKRange = -3.5654494f; // ln ((1 / maxQ) / sqrt 2)
        static_assert (FilterNode::maxQ == 25.0f, "lnKRange is ln (1 / (25 sqrt 2))");
        return filterSqrt2 * std::exp (lnKRange * resonance);
    }
} // namespace

//==============================================================================
FilterNode::FilterNode (model::FilterType t, const std::vector<model::Parameter>& params)
    : NodeProcessor (juce::String ("Filter (") + model::toString (t) + ")", fx::withDefaultTail (params, model::makeFilterParameters (t)), false), type (t)
{
}

void FilterNode::prepareNode (double sampleRate, int)
{
    octaveSmoothing = (float) (1.0 - std::exp (-1.0 / (cutoffGlideSeconds * sampleRate)));
    maxOctave = (float) std::log2 (maxCutoffRatio * sampleRate);
    piOverFsOctave = (float) std::log2 (juce::MathConstants<double>::pi / sampleRate);
    for (auto& s : state)
        s.reset();

    // Start exactly at the current values: no glide from stale ones on the first block.
    targetHz = currentValue (0);
    targetOctave = octaveOf (targetHz);
    octave = targetOctave;
    resonance = currentValue (1);
    k = dampingFor (resonance);
    drive = currentValue (2);
    driveGain = fx::fastDbToGain (18.0f * drive);
    driveOut = 1.0f / std::sqrt (driveGain);
    updateCoefficients();
}

float FilterNode::octaveOf (float hz) const noexcept
{
    return juce::jmin (maxOctave, fx::fastLog2 (juce::jmax (1.0f, hz)));
}

void FilterNode::updateCoefficients() noexcept
{
    float num, den;
    fx::fastTanParts (fx::fastExp2 (octave + piOverFsOctave), num, den);
    coeffs.set (num, den, k);
}

namespace
{
    /** The filter's output for its type, from the TPT core's band-pass and low-pass. */
    template <model::FilterType type>
    inline float filterTap (float x, float bp, float lp, float k) noexcept
    {
        if constexpr (type == model::FilterType::lowPass)
            return lp;
        else if constexpr (type == model::FilterType::highPass)
            return x - k * bp - lp;
        else if constexpr (type == model::FilterType::bandPass)
            return k * bp; // unity gain at the centre
        else
            return x - k * bp;
    }

    /** The TPT coefficients for a cutoff at 2^(oct + offset) Hz over pi / fs and damping k (per sample
        while the cutoff moves: one division). */
    inline void movingCoefficients (float oct, float offset, float k, float& a1, float& a2, float& a3) noexcept
    {
        float num, den;
        fx::fastTanParts (fx::fastExp2Unclamped (oct + offset), num, den); // octaves are within the audio band
        const float inv = 1.0f / (den * den + num * (num + k * den));
        a1 = den * den * inv;
        a2 = num * den * inv;
        a3 = num * num * inv;
    }

    inline float driven (float x, float drive, float gain, float out) noexcept
    {
        // A blend towards the clipped signal, so drive 0 is exactly clean.
        return x + drive * (fx::softClip (x * gain) * out - x);
    }

    /** A block with nothing moving: fixed coefficients, both sides' state in registers, and the two
        sides interleaved so their recursions overlap. */
    template <model::FilterType type, bool drive>
    void filterSteady (float* left, float* right, int n, fx::SvfState* state, fx::SvfCoefficients c, float amount, float gain, float out) noexcept
    {
        fx::SvfState l = state[0], r = state[1];
        for (int i = 0; i < n; ++i)
        {
            float bpL, lpL, bpR, lpR;
            const float inL = drive ? driven (left[i], amount, gain, out) : left[i];
            const float inR = drive ? driven (right[i], amount, gain, out) : right[i];
            l.tick (inL, c, bpL, lpL);
            r.tick (inR, c, bpR, lpR);
            left[i] = filterTap<type> (inL, bpL, lpL, c.k);
            right[i] = filterTap<type> (inR, bpR, lpR, c.k);
        }
        state[0] = l;
        state[1] = r;
    }

    template <model::FilterType type>
    void filterSteady (float* left, float* right, int n, fx::SvfState* state, const fx::SvfCoefficients& c, float amount, float gain, float out) noexcept
    {
        if (amount > 0.0f)
            filterSteady<type, true> (left, right, n, state, c, amount, gain, out);
        else
            filterSteady<type, false> (left, right, n, state, c, amount, gain, out);
    }
} // namespace

void FilterNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    const juce::ScopedNoDenormals noDenormals;
    const int n = buffer.getNumSamples();
    const int channels = juce::jmin (2, buffer.getNumChannels());

    if (isSteady())
    {
        // A mono buffer is both sides (both reads come before both writes, so it stays correct).
        float* left = buffer.getWritePointer (0);
        float* right = buffer.getWritePointer (channels - 1);
        switch (type)
        {
            case model::FilterType::lowPass:
                filterSteady<model::FilterType::lowPass> (left, right, n, state, coeffs, drive, driveGain, driveOut);
                break;
            case model::FilterType::highPass:
                filterSteady<model::FilterType::highPass> (left, right, n, state, coeffs, drive, driveGain, driveOut);
                break;
            case model::FilterType::bandPass:
                filterSteady<model::FilterType::bandPass> (left, right, n, state, coeffs, drive, driveGain, driveOut);
                break;
            case model::FilterType::notch:
                filterSteady<model::FilterType::notch> (left, right, n, state, coeffs, drive, driveGain, driveOut);
                break;
        }
    }
    else
    {
        float* left = buffer.getWritePointer (0);
        float* right = buffer.getWritePointer (buffer.getNumChannels() > 1 ? 1 : 0);
        switch (type)
        {
            case model::FilterType::lowPass:
                processMoving<model::FilterType::lowPass, false> (left, right, n);
                break;
            case model::FilterType::highPass:
                processMoving<model::FilterType::highPass, false> (left, right, n);
                break;
            case model::FilterType::bandPass:
                processMoving<model::FilterType::bandPass, false> (left, right, n);
                break;
            case model::FilterType::notch:
                processMoving<model::FilterType::notch, false> (left, right, n);
                break;
        }
    }

    for (auto& s : state)
        if (s.isBroken())
            s.reset();
}

bool FilterNode::isSteady() const noexcept
{
    return ! isSmoothing (0) && ! isSmoothing (1) && ! isSmoothing (2) && octave == targetOctave
           && currentValue (0) == targetHz && currentValue (1) == resonance && currentValue (2) == drive;
}

bool FilterNode::isAtRest() const noexcept
{
    // Zero state and silence in: every tap is +0 (x - k bp - lp = 0 - 0 - 0), whatever the
    // coefficients, and the drive's blend of 0 is 0.
    return isPositiveZero (state[0].ic1) && isPositiveZero (state[0].ic2) && isPositiveZero (state[1].ic1) && isPositiveZero (state[1].ic2);
}

void FilterNode::advanceAtRest (int n) noexcept
{
    if (isSteady())
        return; // nothing moves: the steady path changes nothing but the samples
    // The moving path without the recursion: the ramps, the cutoff's glide and the last coefficients,
    // exactly as processing would leave them. The buffer is not touched.
    processMoving<model::FilterType::lowPass, true> (nullptr, nullptr, n);
}

template <model::FilterType filterType, bool silent>
void FilterNode::processMoving (float* left, float* right, int n) noexcept
{
    // Everything the loops update lives in locals: the output stores could otherwise alias these
    // members (all floats), and the compiler would reload them after every sample.
    fx::SvfState l = state[0], r = state[1];
    float tHz = targetHz, goal = targetOctave, now = octave, res = resonance, kk = k;
    float drv = drive, dGain = driveGain, dOut = driveOut;
    const float smoothing = octaveSmoothing, offset = piOverFsOctave, top = maxOctave;
    // Resonance and drive usually sit still while the cutoff moves: their maths runs only if not.
    const bool resonanceMoves = isSmoothing (1) || currentValue (1) != res;
    const bool driveMoves = isSmoothing (2) || currentValue (2) != drv;

    // Per 32-sample slice, in separate passes, so no long chain of dependent maths sits in the
    // filter's own recursion: the parameter values (the node's ramps are linear, so each is
    // interpolated across the slice from its start and end), their octaves, the glide, the
    // coefficients (independent per sample: these passes vectorise), then the filter with a
    // coefficient set per sample.
    constexpr int slice = 32;
    alignas (16) float octs[slice], ks[slice], a1[slice], a2[slice], a3[slice];
    for (int start = 0; start < n; start += slice)
    {
        const int len = juce::jmin (slice, n - start);
        const float step = 1.0f / (float) len;

        const float hz0 = currentValue (0);
        tHz = skipValue (0, len);
        const float hzStep = (tHz - hz0) * step;
        for (int j = 0; j < len; ++j)
            octs[j] = juce::jlimit (1.0f, 1.0e6f, hz0 + hzStep * (float) (j + 1));
        octs[len - 1] = juce::jmax (1.0f, tHz);
        for (int j = 0; j < len; ++j)
            octs[j] = std::min (top, fx::fastLog2 (octs[j]));
        goal = octs[len - 1];

        for (int j = 0; j < len; ++j)
        {
            const float distance = octs[j] - now;
            now = std::abs (distance) < cutoffSnapOctaves ? octs[j] : now + distance * smoothing;
            octs[j] = now;
        }

        const float k0 = kk;
        if (resonanceMoves)
        {
            res = skipValue (1, len);
            kk = dampingFor (res);
        }
        const float kStep = (kk - k0) * step;
        for (int j = 0; j < len; ++j)
            ks[j] = k0 + kStep * (float) (j + 1);
        ks[len - 1] = kk;

        if constexpr (silent)
            movingCoefficients (octs[len - 1], offset, ks[len - 1], a1[len - 1], a2[len - 1], a3[len - 1]); // only the last is kept
        else
            for (int j = 0; j < len; ++j)
                movingCoefficients (octs[j], offset, ks[j], a1[j], a2[j], a3[j]);

        // The drive amount and its gains, interpolated across the slice too.
        const float drv0 = drv, gain0 = dGain, out0 = dOut;
        if (driveMoves)
        {
            drv = skipValue (2, len);
            dGain = fx::fastDbToGain (18.0f * drv);
            dOut = 1.0f / std::sqrt (dGain);
        }
        const float drvStep = (drv - drv0) * step, gainStep = (dGain - gain0) * step, outStep = (dOut - out0) * step;
        const bool anyDrive = drv0 > 0.0f || drv > 0.0f;

        for (int j = 0; j < (silent ? 0 : len); ++j)
        {
            const int i = start + j;
            float inL = left[i], inR = right[i];
            if (anyDrive)
            {
                const float t = (float) (j + 1);
                const float d = drv0 + drvStep * t, g = gain0 + gainStep * t, o = out0 + outStep * t;
                inL = driven (inL, d, g, o);
                inR = driven (inR, d, g, o);
            }
            const fx::SvfCoefficients c { ks[j], a1[j], a2[j], a3[j] };
            float bp, lp;
            l.tick (inL, c, bp, lp);
            const float outL = filterTap<filterType> (inL, bp, lp, c.k);
            r.tick (inR, c, bp, lp);
            right[i] = filterTap<filterType> (inR, bp, lp, c.k); // a mono buffer: both reads came first
            left[i] = outL;
        }

        coeffs = { ks[len - 1], a1[len - 1], a2[len - 1], a3[len - 1] };
    }

    state[0] = l;
    state[1] = r;
    targetHz = tHz;
    targetOctave = goal;
    octave = now;
    resonance = res;
    k = kk;
    drive = drv;
    driveGain = dGain;
    driveOut = dOut;
}

//==============================================================================
EqNode::EqNode (const std::vector<model::Parameter>& params)
    : NodeProcessor ("EQ", fx::withDefaultTail (params, model::makeEqParameters()), false)
{
}

void EqNode::prepareNode (double, int)
{
    for (std::size_t b = 0; b < bands.size(); ++b)
    {
        auto& band = bands[b];
        band.freq = -1.0f; // force a recompute
        for (auto& s : band.state)
            s.reset();
        const int p = (int) b * 3;
        updateBand (band, currentValue (p), currentValue (p + 1), currentValue (p + 2));
    }
}

void EqNode::updateBand (Band& band, float freq, float gainDb, float q) noexcept
{
    if (freq == band.freq && gainDb == band.gainDb && q == band.q)
        return;
    band.freq = freq;
    band.gainDb = gainDb;
    band.q = q;
    band.active = gainDb != 0.0f;
    if (! band.active)
    {
        // Skipped from now on: clear its memory so it restarts clean when its gain moves again.
        band.m1 = 0.0f;
        for (auto& s : band.state)
            s.reset();
        return;
    }
    // Simper's bell: H(s) = (s^2 + s A / Q + 1) / (s^2 + s / (A Q) + 1), A = 10^(dB / 40): the RBJ
    // peaking prototype, gain A^2 at the centre.
    const float a = fx::fastDbToGain (0.5f * gainDb);
    const float hz = juce::jmin (freq, (float) (maxCutoffRatio * currentSampleRate));
    const float g = fx::fastTan (juce::MathConstants<float>::pi * hz / (float) currentSampleRate);
    const float kk = 1.0f / (juce::jmax (0.01f, q) * a);
    band.coeffs.set (g, kk);
    band.m1 = kk * (a * a - 1.0f);
}

namespace
{
    /** `count` bells in series on both sides (a fixed count, so the loops unroll and the state stays
        out of memory). A mono buffer (left == right) gets the same value twice. */
    template <int count>
    void eqBands (float* left, float* right, int n, const fx::SvfCoefficients* coeffs, const float* m1, fx::SvfState* l, fx::SvfState* r) noexcept
    {
        fx::SvfCoefficients c[count];
        float m[count];
        fx::SvfState sl[count], sr[count];
        for (int b = 0; b < count; ++b)
            c[b] = coeffs[b], m[b] = m1[b], sl[b] = l[b], sr[b] = r[b];

        for (int i = 0; i < n; ++i)
        {
            float xl = left[i], xr = right[i];
            for (int b = 0; b < count; ++b)
            {
                float bp, lp;
                sl[b].tick (xl, c[b], bp, lp);
                xl += m[b] * bp;
                sr[b].tick (xr, c[b], bp, lp);
                xr += m[b] * bp;
            }
            left[i] = xl;
            right[i] = xr;
        }
        for (int b = 0; b < count; ++b)
            l[b] = sl[b], r[b] = sr[b];
    }
} // namespace

bool EqNode::isAtRest() const noexcept
{
    // A bell of silence through zero state is 0 + m1 * 0: +0 for any gain.
    for (const auto& band : bands)
        for (const auto& s : band.state)
            if (! isPositiveZero (s.ic1) || ! isPositiveZero (s.ic2))
                return false;
    return true;
}

void EqNode::advanceAtRest (int n) noexcept
{
    // processNode's slices and updates, without the bands' recursions.
    bool moving = false;
    for (int p = 0; p < getNumNodeParameters(); ++p)
        moving = moving || isSmoothing (p);
    const int step = moving ? subBlock : n;
    for (int start = 0; start < n; start += step)
    {
        const int len = juce::jmin (step, n - start);
        for (std::size_t b = 0; b < bands.size(); ++b)
        {
            const int p = (int) b * 3;
            updateBand (bands[b], skipValue (p, len), skipValue (p + 1, len), skipValue (p + 2, len));
        }
    }
}

void EqNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    const juce::ScopedNoDenormals noDenormals;
    const int n = buffer.getNumSamples();
    const int channels = juce::jmin (2, buffer.getNumChannels());

    float* left = buffer.getWritePointer (0);
    float* right = buffer.getWritePointer (channels - 1);
    bool moving = false;
    for (int p = 0; p < getNumNodeParameters(); ++p)
        moving = moving || isSmoothing (p);
    const int step = moving ? subBlock : n; // nothing moves: the whole block in one pass

    for (int start = 0; start < n; start += step)
    {
        const int len = juce::jmin (step, n - start);

        // The active bands' coefficients and state, copied out so they live in registers and the
        // bands of both sides run in one pass (eight independent recursions overlap).
        fx::SvfCoefficients c[model::eqBandCount];
        float m1[model::eqBandCount];
        fx::SvfState l[model::eqBandCount], r[model::eqBandCount];
        int active[model::eqBandCount];
        int count = 0;
        for (std::size_t b = 0; b < bands.size(); ++b)
        {
            auto& band = bands[b];
            const int p = (int) b * 3;
            updateBand (band, skipValue (p, len), skipValue (p + 1, len), skipValue (p + 2, len));
            if (! band.active)
                continue;
            c[count] = band.coeffs;
            m1[count] = band.m1;
            l[count] = band.state[0];
            r[count] = band.state[1];
            active[count++] = (int) b;
        }
        if (count == 0)
            continue;

        switch (count)
        {
            case 1:
                eqBands<1> (left + start, right + start, len, c, m1, l, r);
                break;
            case 2:
                eqBands<2> (left + start, right + start, len, c, m1, l, r);
                break;
            case 3:
                eqBands<3> (left + start, right + start, len, c, m1, l, r);
                break;
            default:
                eqBands<4> (left + start, right + start, len, c, m1, l, r);
                break;
        }
        for (int b = 0; b < count; ++b)
        {
            bands[(std::size_t) active[b]].state[0] = l[b];
            bands[(std::size_t) active[b]].state[1] = r[b];
        }
    }

    for (auto& band : bands)
        for (auto& s : band.state)
            if (s.isBroken())
                s.reset();
}

} // namespace imbolc::engine
