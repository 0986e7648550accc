namespace imbolc::engine
{

namespace
{
    std::vector<model::Parameter> effectParameters (model::EffectType type, const std::vector<model::Parameter>& given)
    {
        return fx::withDefaultTail (given, model::makeEffectParameters (type));
    }

    /** One-pole coefficient for a time constant in seconds (0 for an instant response). */
    float timeCoefficient (float seconds, double sampleRate) noexcept
    {
        return seconds > 0.0f ? (float) std::exp (-1.0 / ((double) seconds * sampleRate)) : 0.0f;
    }

    // Freeverb as juce::Reverb tunes it: the feedback is size * 0.28 + 0.7; the longest comb is 1617
    // samples at 44.1 kHz (plus the 23-sample stereo spread).
    constexpr float reverbRoomScale = 0.28f, reverbRoomOffset = 0.7f;
    constexpr double reverbLongestComb = (1617.0 + 23.0) / 44100.0;
} // namespace

//==============================================================================
ReverbNode::ReverbNode (const std::vector<model::Parameter>& params)
    : NodeProcessor ("Reverb", effectParameters (model::EffectType::reverb, params), false)
{
}

void ReverbNode::apply (float newSize, float newDamping, float newWidth, float newMix) noexcept
{
    if (newSize == size && newDamping == damping && newWidth == width && newMix == mix)
        return;
    if (newSize != size)
    {
        // The 60 dB decay of the longest comb at this feedback; damping only shortens the highs.
        const double feedback = newSize * reverbRoomScale + reverbRoomOffset;
        tailSeconds.store ((float) (reverbLongestComb * -3.0 / std::log10 (feedback)), std::memory_order_relaxed);
    }
    size = newSize;
    damping = newDamping;
    width = newWidth;
    mix = newMix;

    // juce::Reverb scales wetLevel by 3 and dryLevel by 2 inside.
    const float angle = mix * juce::MathConstants<float>::halfPi;
    juce::Reverb::Parameters p;
    p.roomSize = size;
    p.damping = damping;
    p.width = width;
    p.wetLevel = std::sin (angle) / 3.0f;
    p.dryLevel = std::cos (angle) * 0.5f;
    p.freezeMode = 0.0f;
    reverb.setParameters (p);
}

void ReverbNode::prepareNode (double sampleRate, int)
{
    reverb.setSampleRate (sampleRate);
    size = damping = width = mix = -1.0f;
    apply (currentValue (0), currentValue (1), currentValue (2), currentValue (3));

    // juce::Reverb glides every parameter over 10 ms, from its previous values too: run that glide
    // out on silence here, so the first block already has these values (mix 0 is then exactly dry).
    float silence[2][256] = {};
    for (int done = 0; done <= (int) (0.01 * sampleRate) + 1; done += 256)
    {
        std::fill (silence[0], silence[0] + 256, 0.0f);
        std::fill (silence[1], silence[1] + 256, 0.0f);
        reverb.processStereo (silence[0], silence[1], 256);
    }
    reverb.reset();
}

void ReverbNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    const juce::ScopedNoDenormals noDenormals;
    const int n = buffer.getNumSamples();
    float* left = buffer.getWritePointer (0);
    float* right = buffer.getWritePointer (buffer.getNumChannels() > 1 ? 1 : 0);
    // A non-finite sample would circulate in the tank's feedback for good: it enters as silence.
    for (int c = 0; c < juce::jmin (2, buffer.getNumChannels()); ++c)
    {
        float* x = buffer.getWritePointer (c);
        if (! fx::allFinite (x, n))
            for (int i = 0; i < n; ++i)
                x[i] = std::isfinite (x[i]) ? x[i] : 0.0f;
    }

    const bool moving = isSmoothing (0) || isSmoothing (1) || isSmoothing (2) || isSmoothing (3);
    const int step = moving ? subBlock : n; // one call for the whole block when nothing moves
    for (int start = 0; start < n; start += step)
    {
        const int len = juce::jmin (step, n - start);
        apply (skipValue (0, len), skipValue (1, len), skipValue (2, len), skipValue (3, len));
        if (left != right)
            reverb.processStereo (left + start, right + start, len);
        else
            reverb.processMono (left + start, len);
    }
}

bool ReverbNode::isAtRest() const noexcept
{
    return reverb.isSilent();
}

void ReverbNode::advanceAtRest (int n) noexcept
{
    // processNode's slices, with the reverb's glides and lines moved on instead of run (a chain's
    // buffer is stereo, so it is the stereo path).
    const bool moving = isSmoothing (0) || isSmoothing (1) || isSmoothing (2) || isSmoothing (3);
    const int step = moving ? subBlock : n;
    for (int start = 0; start < n; start += step)
    {
        const int len = juce::jmin (step, n - start);
        apply (skipValue (0, len), skipValue (1, len), skipValue (2, len), skipValue (3, len));
        reverb.advanceSilence (len, true);
    }
}

//==============================================================================
ChorusNode::ChorusNode (const std::vector<model::Parameter>& params)
    : NodeProcessor ("Chorus", effectParameters (model::EffectType::chorus, params), false)
{
}

void ChorusNode::prepareNode (double sampleRate, int)
{
    msToSamples = (float) (sampleRate * 0.001);
    const int needed = (int) std::ceil ((centreMs + sweepMs) * msToSamples) + 4;
    const int size = juce::nextPowerOfTwo (needed);
    mask = size - 1;
    line.calloc ((std::size_t) size * 2);
    writeIndex = 0;
    phase = 0.0f;
}

void ChorusNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    const juce::ScopedNoDenormals noDenormals;
    const int n = buffer.getNumSamples();
    const int channels = juce::jmin (2, buffer.getNumChannels());
    float* io[2] = { buffer.getWritePointer (0), buffer.getWritePointer (channels - 1) };
    float* rings[2] = { line.get(), line.get() + mask + 1 };
    const float invRate = 1.0f / (float) currentSampleRate;
    const float centre = centreMs * msToSamples, sweep = sweepMs * msToSamples;

    // Parameters per 32-sample slice: the rate at its end, depth and mix interpolated across it.
    for (int start = 0; start < n; start += subBlock)
    {
        const int len = juce::jmin (subBlock, n - start);
        const float depth0 = currentValue (1), mix0 = currentValue (2);
        const float increment = skipValue (0, len) * invRate;
        const float depthStep = (skipValue (1, len) - depth0) / (float) len;
        const float mixStep = (skipValue (2, len) - mix0) / (float) len;

        for (int j = 0; j < len; ++j)
        {
            const int i = start + j;
            const float depth = sweep * (depth0 + depthStep * (float) (j + 1));
            const float mix = mix0 + mixStep * (float) (j + 1);
            phase += increment;
            if (phase >= 1.0f)
                phase -= 1.0f;

            for (int c = 0; c < channels; ++c)
            {
                float* ring = rings[c];
                const float dry = io[c][i];
                ring[writeIndex] = dry;

                float p = phase + (c == 0 ? 0.0f : 0.25f);
                if (p >= 1.0f)
                    p -= 1.0f;
                const float delay = centre + depth * fx::lfoSine (p); // >= 3 ms: taps never cross the write head
                const float readPos = (float) (writeIndex + mask + 1) - delay; // positive: truncation floors
                const int whole = (int) readPos;
                const float t = readPos - (float) whole;

                // Cubic Hermite (Catmull-Rom) through the four samples around the read position.
                const float xm1 = ring[(whole - 1) & mask], x0 = ring[whole & mask], x1 = ring[(whole + 1) & mask], x2 = ring[(whole + 2) & mask];
                const float c1 = 0.5f * (x1 - xm1);
                const float c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
                const float c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
                const float wet = ((c3 * t + c2) * t + c1) * t + x0;

                io[c][i] = dry + mix * (wet - dry);
            }
            writeIndex = (writeIndex + 1) & mask;
        }
    }
}

bool ChorusNode::isAtRest() const noexcept
{
    // Both rings silent: every tap reads +0, and the blend of 0 with 0 is 0.
    return isPositiveZero (line.get(), 2 * (mask + 1));
}

void ChorusNode::advanceAtRest (int n) noexcept
{
    // The slices' parameter steps and the LFO's phase, sample by sample as processNode moves it; the
    // rings would be written with the zeros they already hold.
    const float invRate = 1.0f / (float) currentSampleRate;
    for (int start = 0; start < n; start += subBlock)
    {
        const int len = juce::jmin (subBlock, n - start);
        const float increment = skipValue (0, len) * invRate;
        skipValue (1, len);
        skipValue (2, len);
        for (int j = 0; j < len; ++j)
        {
            phase += increment;
            if (phase >= 1.0f)
                phase -= 1.0f;
        }
    }
    writeIndex = (writeIndex + n) & mask;
}

//==============================================================================
CompressorNode::CompressorNode (const std::vector<model::Parameter>& params)
    : NodeProcessor ("Compressor", effectParameters (model::EffectType::compressor, params), false)
{
}

void CompressorNode::prepareNode (double, int)
{
    attack = release = -1.0f; // recomputed on the first sample
    held = smoothed = 0.0f;
}

void CompressorNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    const juce::ScopedNoDenormals noDenormals;
    const int n = buffer.getNumSamples();
    const int channels = juce::jmin (2, buffer.getNumChannels());
    float* left = buffer.getWritePointer (0);
    float* right = buffer.getWritePointer (channels - 1);
    constexpr float halfKnee = 0.5f * kneeDb;
    float held_ = held, smoothed_ = smoothed;

    // The detector's settings per 32-sample slice (its output is smoothed anyway); the makeup gain,
    // which reaches the output directly, interpolated across the slice.
    for (int start = 0; start < n; start += subBlock)
    {
        const int len = juce::jmin (subBlock, n - start);
        const float threshold = skipValue (0, len);
        const float slope = 1.0f - 1.0f / skipValue (1, len);
        const float att = skipValue (2, len);
        const float rel = skipValue (3, len);
        const float makeup0 = currentValue (4);
        const float makeupStep = (skipValue (4, len) - makeup0) / (float) len;
        setTimes (att, rel);

        for (int j = 0; j < len; ++j)
        {
            const int i = start + j;
            // Gain computer: how many dB this sample's peak should come down.
            const float level = juce::jmax (std::abs (left[i]), std::abs (right[i]));
            float reduction = 0.0f;
            if (level > 1.0e-6f) // -120 dBFS: well below any threshold
            {
                const float over = fx::fastGainToDb (level) - threshold;
                if (over >= halfKnee)
                    reduction = slope * over;
                else if (over > -halfKnee)
                    reduction = slope * (over + halfKnee) * (over + halfKnee) / (2.0f * kneeDb);
            }
            if (! (reduction < 1000.0f)) // a non-finite input must not stick in the detector
                reduction = 0.0f;

            // Smooth decoupled peak detector in dB: instant rise then release, then the attack smoothing.
            held_ = juce::jmax (reduction, releaseCoeff * held_ + (1.0f - releaseCoeff) * reduction);
            smoothed_ = attackCoeff * smoothed_ + (1.0f - attackCoeff) * held_;

            const float gain = fx::fastDbToGain (makeup0 + makeupStep * (float) (j + 1) - smoothed_);
            left[i] *= gain;
            if (right != left)
                right[i] *= gain;
        }
    }
    held = held_;
    smoothed = smoothed_;
}

void CompressorNode::setTimes (float att, float rel) noexcept
{
    if (att != attack)
    {
        attack = att;
        attackCoeff = timeCoefficient (att, currentSampleRate);
    }
    if (rel != release)
    {
        release = rel;
        releaseCoeff = timeCoefficient (rel, currentSampleRate);
    }
}

bool CompressorNode::isAtRest() const noexcept
{
    // A silent sample asks for no reduction, and a detector at zero stays there; silence times any
    // gain is silence.
    return isPositiveZero (held) && isPositiveZero (smoothed);
}

void CompressorNode::advanceAtRest (int n) noexcept
{
    for (int start = 0; start < n; start += subBlock)
    {
        const int len = juce::jmin (subBlock, n - start);
        skipValue (0, len);
        skipValue (1, len);
        const float att = skipValue (2, len);
        const float rel = skipValue (3, len);
        skipValue (4, len);
        setTimes (att, rel);
    }
}

//==============================================================================
DistortionNode::DistortionNode (const std::vector<model::Parameter>& params)
    : NodeProcessor ("Distortion", effectParameters (model::EffectType::distortion, params), false)
{
}

void DistortionNode::prepareNode (double sampleRate, int)
{
    drive = tone = -1.0f;
    dcCoeff = (float) (1.0 - juce::MathConstants<double>::twoPi * 10.0 / sampleRate); // 10 Hz
    for (int c = 0; c < 2; ++c)
    {
        dcIn[c] = dcOut[c] = 0.0f;
        toneState[c].reset();
    }
}

void DistortionNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    const juce::ScopedNoDenormals noDenormals;
    const int n = buffer.getNumSamples();
    const int channels = juce::jmin (2, buffer.getNumChannels());

    for (int i = 0; i < n; ++i)
    {
        const float drv = nextValue (0);
        const float tn = nextValue (1);
        const float mix = nextValue (2);
        setDriveAndTone (drv, tn);

        for (int c = 0; c < channels; ++c)
        {
            float* x = buffer.getWritePointer (c) + i;
            const float dry = *x;
            const float shaped = (fx::softClip (dry * gain + bias) - biasOffset) * outGain;
            const float blocked = shaped - dcIn[c] + dcCoeff * dcOut[c];
            dcIn[c] = shaped;
            dcOut[c] = blocked;
            float bp, wet;
            toneState[c].tick (blocked, toneCoeffs, bp, wet);
            *x = dry + mix * (wet - dry);
        }
    }

    for (int c = 0; c < 2; ++c)
        if (toneState[c].isBroken() || ! std::isfinite (dcOut[c]) || ! std::isfinite (dcIn[c]))
        {
            toneState[c].reset();
            dcIn[c] = dcOut[c] = 0.0f;
        }
}

void DistortionNode::setDriveAndTone (float drv, float tn) noexcept
{
    if (drv != drive)
    {
        drive = drv;
        gain = fx::fastDbToGain (30.0f * drv);
        outGain = 1.0f / std::sqrt (gain);
        bias = 0.1f + 0.2f * drv; // the asymmetry: even harmonics
        biasOffset = fx::softClip (bias); // taken off again, so silence stays silence
    }
    if (tn != tone)
    {
        tone = tn;
        const float toneCeiling = (float) (0.47 * currentSampleRate);
        const float piOverFs = juce::MathConstants<float>::pi / (float) currentSampleRate;
        const float hz = juce::jmin (toneCeiling, 500.0f * fx::fastExp2 (5.321928f * tn)); // 500 Hz .. 20 kHz
        toneCoeffs.set (fx::fastTan (hz * piOverFs), juce::MathConstants<float>::sqrt2); // Butterworth
    }
}

bool DistortionNode::isAtRest() const noexcept
{
    // Silence is clipped to softClip (bias) - biasOffset = 0, and the DC blocker and the tone filter
    // at zero keep it there.
    for (int c = 0; c < 2; ++c)
        if (! isPositiveZero (dcIn[c]) || ! isPositiveZero (dcOut[c]) || ! isPositiveZero (toneState[c].ic1) || ! isPositiveZero (toneState[c].ic2))
            return false;
    return true;
}

void DistortionNode::advanceAtRest (int n) noexcept
{
    // Every value is a function of the parameters' last values alone: move them on, then set them.
    for (int p = 0; p < 3; ++p)
        advanceValue (p, n);
    setDriveAndTone (currentValue (0), currentValue (1));
}

//==============================================================================
LimiterNode::LimiterNode (const std::vector<model::Parameter>& params)
    : NodeProcessor ("Limiter", effectParameters (model::EffectType::limiter, params), false)
{
}

void LimiterNode::prepareNode (double sampleRate, int maximumBlockSize)
{
    const int lookAhead = juce::jmax (1, juce::roundToInt (lookAheadSeconds * sampleRate));
    window = lookAhead + 1;
    delayed.calloc ((std::size_t) window * 2);
    averaged.malloc ((std::size_t) window);
    minMask = juce::nextPowerOfTwo (window) - 1;
    minValues.malloc ((std::size_t) minMask + 1);
    minTimes.malloc ((std::size_t) minMask + 1);
    for (int i = 0; i < window; ++i)
        averaged[i] = 1.0f;
    sum = (double) window;
    minHead = minCount = 0;
    position = 0;
    now = 0;
    envelope = 1.0f;
    lastGain = 1.0f;
    release = -1.0f;
    ceilingDb = 1.0f;
    silence.setSize (2, juce::jmax (1, maximumBlockSize));
    silence.clear();
    setLatencySamples (lookAhead);
}

void LimiterNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) noexcept
{
    const juce::ScopedNoDenormals noDenormals;
    const int n = buffer.getNumSamples();
    const int channels = juce::jmin (2, buffer.getNumChannels());
    float* io[2] = { buffer.getWritePointer (0), buffer.getWritePointer (channels - 1) };
    float* rings[2] = { delayed.get(), delayed.get() + window };
    const double invWindow = 1.0 / (double) window;

    for (int i = 0; i < n; ++i)
    {
        const float cdb = nextValue (0);
        const float rel = nextValue (1);
        setCeilingAndRelease (cdb, rel);

        // The gain this incoming sample needs, released towards unity (never above what it needs).
        float peak = 0.0f;
        for (int c = 0; c < channels; ++c)
        {
            float s = io[c][i];
            if (! std::isfinite (s))
                s = io[c][i] = 0.0f;
            peak = juce::jmax (peak, std::abs (s));
        }
        const float needed = peak > ceiling ? ceiling / peak : 1.0f;
        envelope = juce::jmin (needed, 1.0f - releaseCoeff * (1.0f - envelope));

        // Sliding minimum over the window: a monotonic queue of (value, time), oldest at the head.
        // Expire first, so it never holds more than `window` entries.
        if (minCount > 0 && now - minTimes[minHead] >= (std::uint32_t) window)
        {
            minHead = (minHead + 1) & minMask;
            --minCount;
        }
        while (minCount > 0 && minValues[(minHead + minCount - 1) & minMask] >= envelope)
            --minCount;
        const int tail = (minHead + minCount) & minMask;
        minValues[tail] = envelope;
        minTimes[tail] = now;
        ++minCount;
        const float minimum = minValues[minHead];

        // Moving average of the minima over the same window: linear 1 ms ramps between gains.
        sum += (double) minimum - (double) averaged[position];
        averaged[position] = minimum;
        const float gain = juce::jmin (1.0f, (float) (sum * invWindow));
        lastGain = gain;

        // Out goes the sample that came in `window - 1` samples ago (its slot is the next one).
        const int oldest = position + 1 < window ? position + 1 : 0;
        for (int c = 0; c < channels; ++c)
        {
            rings[c][position] = io[c][i];
            io[c][i] = juce::jlimit (-ceiling, ceiling, rings[c][oldest] * gain);
        }
        position = oldest;
        ++now;
    }

    // Keep the running sum from drifting: rebuild it once per block (window is about 48 samples).
    double exact = 0.0;
    for (int j = 0; j < window; ++j)
        exact += (double) averaged[j];
    sum = exact;
}

void LimiterNode::setCeilingAndRelease (float cdb, float rel) noexcept
{
    if (cdb != ceilingDb)
    {
        ceilingDb = cdb;
        ceiling = juce::Decibels::decibelsToGain (cdb);
    }
    if (rel != release)
    {
        release = rel;
        releaseCoeff = timeCoefficient (rel, currentSampleRate);
    }
}

bool LimiterNode::isAtRest() const noexcept
{
    // Nothing delayed: whatever its gain does, silence in is silence out (0 times any gain, clamped).
    return isPositiveZero (delayed.get(), 2 * window);
}

bool LimiterNode::isGainSettled() const noexcept
{
    // The gain at a point silence leaves where it is: unity, or, after it has limited, the level its
    // release gets stuck at a few ulps below unity (1 - rc (1 - e) rounds back to e once the step is
    // under half an ulp), under a release that is not moving; and every minimum in the window and in
    // the queue that gain, so a silent sample changes none of them.
    if (isSmoothing (1) || currentValue (1) != release)
        return false;
    const float e = envelope;
    if (juce::jmin (1.0f, 1.0f - releaseCoeff * (1.0f - e)) != e)
        return false;
    for (int i = 0; i < window; ++i)
        if (averaged[i] != e)
            return false;
    for (int i = 0; i < minCount; ++i)
        if (minValues[(minHead + i) & minMask] != e)
            return false;
    return true;
}

void LimiterNode::advanceAtRest (int n) noexcept
{
    if (! isGainSettled())
    {
        // The gain still moves (a release under way, or a release time that changes): its envelope,
        // minima and average evolve as processing silence moves them, so process silence, here.
        juce::MidiBuffer none;
        for (int done = 0; done < n;) // one piece unless n is above the prepared block size
        {
            const int piece = juce::jmin (n - done, silence.getNumSamples());
            juce::AudioBuffer<float> block (silence.getArrayOfWritePointers(), 2, piece);
            processNode (block, none);
            done += piece;
        }
        return;
    }
    advanceValue (0, n);
    advanceValue (1, n);
    setCeilingAndRelease (currentValue (0), currentValue (1));

    // Each silent sample pops every entry (all equal to the gain) and pushes its own: the queue ends
    // as the last one. The running sum gains e - e = 0 per sample, so it stays what it is.
    now += (std::uint32_t) n;
    minCount = 1;
    minValues[minHead] = envelope;
    minTimes[minHead] = now - 1;
    position = (int) ((position + (std::int64_t) n) % window);
    lastGain = juce::jmin (1.0f, (float) (sum * (1.0 / (double) window)));
}

} // namespace imbolc::engine
