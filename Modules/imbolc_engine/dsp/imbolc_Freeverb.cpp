namespace imbolc::engine::fx
{

namespace
{
    /** One all-pass over `count` samples whose delayed values are all older than the run (it is no
        longer than the line), so the loop carries nothing from one sample to the next. */
    void allPassRun (float* __restrict samples, float* __restrict line, int count) noexcept
    {
        for (int i = 0; i < count; ++i)
        {
            const float held = line[i];
            float written = samples[i] + (held * 0.5f);
            written += 0.1f; // JUCE_UNDENORMALISE, which juce::Reverb applies: it rounds, so it is kept
            written -= 0.1f;
            line[i] = written;
            samples[i] = held - samples[i];
        }
    }

    /** The glide's next `count` values, as SmoothedValue::getNextValue gives them one by one. */
    void fillGlide (juce::SmoothedValue<float>& glide, float* values, int count) noexcept
    {
        if (glide.isSmoothing())
            for (int i = 0; i < count; ++i)
                values[i] = glide.getNextValue();
        else
            std::fill (values, values + count, glide.getTargetValue());
    }
} // namespace

void Freeverb::Line::setSize (int newSize)
{
    if (newSize != size)
    {
        index = 0;
        buffer.malloc ((size_t) newSize);
        size = newSize;
    }
    clear();
}

Freeverb::Freeverb()
{
    setParameters (Parameters());
    setSampleRate (44100.0);
}

void Freeverb::setParameters (const Parameters& newParams) noexcept
{
    // juce::Reverb::setParameters, expression for expression.
    const float wetScaleFactor = 3.0f, dryScaleFactor = 2.0f;
    const float wet = newParams.wetLevel * wetScaleFactor;
    dryGain.setTargetValue (newParams.dryLevel * dryScaleFactor);
    wetGain1.setTargetValue (0.5f * wet * (1.0f + newParams.width));
    wetGain2.setTargetValue (0.5f * wet * (1.0f - newParams.width));

    const bool frozen = newParams.freezeMode >= 0.5f;
    gain = frozen ? 0.0f : 0.015f;
    parameters = newParams;

    const float roomScaleFactor = 0.28f, roomOffset = 0.7f, dampScaleFactor = 0.4f;
    damping.setTargetValue (frozen ? 0.0f : parameters.damping * dampScaleFactor);
    feedback.setTargetValue (frozen ? 1.0f : parameters.roomSize * roomScaleFactor + roomOffset);
}

void Freeverb::setSampleRate (double sampleRate)
{
    jassert (sampleRate > 0);
    static constexpr short combTunings[] = { 1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617 }; // at 44.1 kHz
    static constexpr short allPassTunings[] = { 556, 441, 341, 225 };
    constexpr int stereoSpread = 23;
    const int rate = (int) sampleRate;
    // juce::Reverb's sizes; at least one sample, where juce's would divide by zero below ~200 Hz.
    auto scaled = [rate] (int tuning)
    { return juce::jmax (1, (rate * tuning) / 44100); };

    chunk = maxChunk;
    for (int i = 0; i < numCombs; ++i)
    {
        comb[0][i].setSize (scaled (combTunings[i]));
        comb[1][i].setSize (scaled (combTunings[i] + stereoSpread));
        chunk = juce::jmin (chunk, comb[0][i].size, comb[1][i].size);
    }
    for (int i = 0; i < numAllPasses; ++i)
    {
        allPass[0][i].setSize (scaled (allPassTunings[i]));
        allPass[1][i].setSize (scaled (allPassTunings[i] + stereoSpread));
        chunk = juce::jmin (chunk, allPass[0][i].size, allPass[1][i].size);
    }
    std::fill (std::begin (combLast), std::end (combLast), 0.0f);

    const double smoothTime = 0.01;
    for (auto* glide : { &damping, &feedback, &dryGain, &wetGain1, &wetGain2 })
        glide->reset (sampleRate, smoothTime);
}

void Freeverb::reset() noexcept
{
    for (int c = 0; c < 2; ++c)
    {
        for (auto& line : comb[c])
            line.clear();
        for (auto& line : allPass[c])
            line.clear();
    }
    std::fill (std::begin (combLast), std::end (combLast), 0.0f);
}

template <int channels>
void Freeverb::combs (int length) noexcept
{
    // Four combs per register (GCC/Clang vector extensions: SSE on x86-64, NEON on ARM), filled
    // straight from the lines and written straight back: the chunk is store-bound, so no transposed
    // copies of the lines.
    using Lanes = float __attribute__ ((vector_size (16)));
    constexpr int columns = channels * numCombs, registers = columns / 4;

    Lanes last[registers];
    for (int r = 0; r < registers; ++r)
        last[r] = Lanes { combLast[4 * r], combLast[4 * r + 1], combLast[4 * r + 2], combLast[4 * r + 3] };

    for (int done = 0; done < length;)
    {
        // A stretch in which no line wraps, so every comb's position is its start plus i.
        int stretch = length - done;
        float* at[columns];
        for (int column = 0; column < columns; ++column)
        {
            const Line& line = comb[column / numCombs][column % numCombs];
            stretch = juce::jmin (stretch, line.size - line.index);
            at[column] = line.buffer + line.index;
        }

        for (int i = 0; i < stretch; ++i)
        {
            const int k = done + i;
            const float damp = dampings[k], undamped = 1.0f - damp, feedbackLevel = feedbacks[k], in = input[k];
            for (int c = 0; c < channels; ++c)
            {
                float* const* lines = at + c * numCombs;
                const Lanes low { lines[0][i], lines[1][i], lines[2][i], lines[3][i] };
                const Lanes high { lines[4][i], lines[5][i], lines[6][i], lines[7][i] };

                // juce's CombFilter::process, operation for operation, one comb per lane.
                Lanes held[2] = { (low * undamped) + (last[2 * c] * damp), (high * undamped) + (last[2 * c + 1] * damp) };
                for (int h = 0; h < 2; ++h)
                {
                    held[h] = held[h] + 0.1f; // JUCE_UNDENORMALISE
                    held[h] = held[h] - 0.1f;
                    last[2 * c + h] = held[h];
                    Lanes written = in + (held[h] * feedbackLevel);
                    written = written + 0.1f;
                    written = written - 0.1f;
                    for (int lane = 0; lane < 4; ++lane)
                        lines[4 * h + lane][i] = written[lane];
                }

                // The combs' sum, from zero and in comb order, as juce::Reverb accumulates it.
                float sum = 0.0f;
                for (int lane = 0; lane < 4; ++lane)
                    sum += low[lane];
                for (int lane = 0; lane < 4; ++lane)
                    sum += high[lane];
                sums[c][k] = sum;
            }
        }

        for (int column = 0; column < columns; ++column)
            comb[column / numCombs][column % numCombs].advance (stretch);
        done += stretch;
    }

    for (int r = 0; r < registers; ++r)
        for (int lane = 0; lane < 4; ++lane)
            combLast[4 * r + lane] = last[r][lane];
}

void Freeverb::allPasses (int channel, float* samples, int length) noexcept
{
    for (auto& line : allPass[channel]) // in series
    {
        const int beforeWrap = juce::jmin (length, line.size - line.index);
        allPassRun (samples, line.buffer + line.index, beforeWrap);
        allPassRun (samples + beforeWrap, line.buffer, length - beforeWrap);
        line.advance (length);
    }
}

void Freeverb::processStereo (float* left, float* right, int numSamples) noexcept
{
    for (int start = 0; start < numSamples; start += chunk)
    {
        const int length = juce::jmin (chunk, numSamples - start);
        float* l = left + start;
        float* r = right + start;
        for (int i = 0; i < length; ++i)
            input[i] = (l[i] + r[i]) * gain;
        fillGlide (damping, dampings, length);
        fillGlide (feedback, feedbacks, length);

        combs<2> (length);
        allPasses (0, sums[0], length);
        allPasses (1, sums[1], length);

        const float* outL = sums[0];
        const float* outR = sums[1];
        if (! dryGain.isSmoothing() && ! wetGain1.isSmoothing() && ! wetGain2.isSmoothing())
        {
            const float dry = dryGain.getTargetValue(), wet1 = wetGain1.getTargetValue(), wet2 = wetGain2.getTargetValue();
            for (int i = 0; i < length; ++i)
            {
                l[i] = outL[i] * wet1 + outR[i] * wet2 + l[i] * dry;
                r[i] = outR[i] * wet1 + outL[i] * wet2 + r[i] * dry;
            }
        }
        else
        {
            for (int i = 0; i < length; ++i)
            {
                const float dry = dryGain.getNextValue(), wet1 = wetGain1.getNextValue(), wet2 = wetGain2.getNextValue();
                l[i] = outL[i] * wet1 + outR[i] * wet2 + l[i] * dry;
                r[i] = outR[i] * wet1 + outL[i] * wet2 + r[i] * dry;
            }
        }
    }
}

bool Freeverb::isSilent() const noexcept
{
    const auto zero = [] (const float* x, int n)
    {
        std::uint32_t bits = 0;
        for (int i = 0; i < n; ++i)
            bits |= std::bit_cast<std::uint32_t> (x[i]);
        return bits == 0;
    };
    if (! zero (combLast, 2 * numCombs))
        return false;
    for (int c = 0; c < 2; ++c)
    {
        for (const auto& line : comb[c])
            if (! zero (line.buffer, line.size))
                return false;
        for (const auto& line : allPass[c])
            if (! zero (line.buffer, line.size))
                return false;
    }
    return true;
}

void Freeverb::advanceSilence (int numSamples, bool stereo) noexcept
{
    const auto move = [] (juce::SmoothedValue<float>& glide, int count)
    {
        if (glide.isSmoothing())
            for (int i = 0; i < count; ++i)
                glide.getNextValue();
    };
    for (int start = 0; start < numSamples; start += chunk)
    {
        // processStereo's and processMono's chunks, glides and line steps, without the samples.
        const int length = juce::jmin (chunk, numSamples - start);
        move (damping, length);
        move (feedback, length);
        if (stereo ? (dryGain.isSmoothing() || wetGain1.isSmoothing() || wetGain2.isSmoothing()) : (dryGain.isSmoothing() || wetGain1.isSmoothing()))
            for (int i = 0; i < length; ++i)
            {
                dryGain.getNextValue();
                wetGain1.getNextValue();
                if (stereo)
                    wetGain2.getNextValue();
            }
        for (int c = 0; c < (stereo ? 2 : 1); ++c)
        {
            for (auto& line : comb[c])
                line.advance (length);
            for (auto& line : allPass[c])
                line.advance (length);
        }
    }
}

void Freeverb::processMono (float* samples, int numSamples) noexcept
{
    for (int start = 0; start < numSamples; start += chunk)
    {
        const int length = juce::jmin (chunk, numSamples - start);
        float* x = samples + start;
        for (int i = 0; i < length; ++i)
            input[i] = x[i] * gain;
        fillGlide (damping, dampings, length);
        fillGlide (feedback, feedbacks, length);

        combs<1> (length);
        allPasses (0, sums[0], length);

        // juce::Reverb's mono path moves only the dry and first wet glides.
        const float* out = sums[0];
        if (! dryGain.isSmoothing() && ! wetGain1.isSmoothing())
        {
            const float dry = dryGain.getTargetValue(), wet1 = wetGain1.getTargetValue();
            for (int i = 0; i < length; ++i)
                x[i] = out[i] * wet1 + x[i] * dry;
        }
        else
        {
            for (int i = 0; i < length; ++i)
            {
                const float dry = dryGain.getNextValue(), wet1 = wetGain1.getNextValue();
                x[i] = out[i] * wet1 + x[i] * dry;
            }
        }
    }
}

} // namespace imbolc::engine::fx
