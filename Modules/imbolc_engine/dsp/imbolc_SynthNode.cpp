namespace imbolc::engine
{

namespace
{
    /** The model's source parameters followed by the amp envelope, in model::AmpParam order. */
    std::vector<model::Parameter> sourceWithAmp (std::vector<model::Parameter> params, const model::Adsr& amp, const std::vector<model::Parameter>& extra)
    {
        params.push_back ({ "attack", amp.attack, 0.005f, 10.0f, 0.005f });
        params.push_back ({ "decay", amp.decay, 0.0f, 10.0f, 0.1f });
        params.push_back ({ "sustain", amp.sustain, 0.0f, 1.0f, 0.8f });
        params.push_back ({ "release", amp.release, 0.005f, 20.0f, 0.2f });
        params.insert (params.end(), extra.begin(), extra.end());
        return params;
    }
} // namespace

SourceNode::SourceNode (juce::String nodeName, const model::Instrument& inst, bool isOneShot, std::vector<model::Parameter> extraParameters)
    : NodeProcessor (std::move (nodeName), sourceWithAmp (inst.source.params, inst.amp, extraParameters), true), kind (inst.source.builtIn), sourceParams (inst.source.params), ampOffset ((int) inst.source.params.size()), oneShot (isOneShot), allocator (inst.voiceCap), envelopes ((std::size_t) VoiceAllocator::capacity), velocities ((std::size_t) VoiceAllocator::capacity, 0.0f), fades ((std::size_t) VoiceAllocator::capacity, 1.0f), levels ((std::size_t) VoiceAllocator::capacity, 0.0f), chunkStart ((std::size_t) getNumNodeParameters(), 0.0f), chunkEnd ((std::size_t) getNumNodeParameters(), 0.0f)
{
    level = sourceParam ("level");
    dsp::BlepTables::get(); // built here, on the message thread, never first on the audio thread
}

SourceNode::~SourceNode() = default;

ParamRef SourceNode::sourceParam (const char* paramName) const
{
    for (std::size_t i = 0; i < sourceParams.size(); ++i)
        if (sourceParams[i].name == paramName)
            return { (int) i, sourceParams[i].value };
    for (const auto& p : model::makeParameters (kind))
        if (p.name == paramName)
            return { -1, p.defaultValue };
    return { -1, 0.0f };
}

bool SourceNode::isPlayingNote (int note) const noexcept
{
    for (int i = 0; i < allocator.getNumUsed(); ++i)
    {
        const auto& s = allocator[allocator.used()[i]];
        if (s.note == note && (s.state == VoiceAllocator::State::held || s.state == VoiceAllocator::State::released))
            return true;
    }
    return false;
}

void SourceNode::setVoiceLimit (int limit) noexcept
{
    allocator.setLimit (limit);
    for (int v = allocator.chooseVictimOverLimit (levels.data()); v >= 0; v = allocator.chooseVictimOverLimit (levels.data()))
        allocator.steal (v);
}

void SourceNode::prepareNode (double sampleRate, int)
{
    allocator.reset();
    for (auto& e : envelopes)
        e.reset();
    std::fill (fades.begin(), fades.end(), 1.0f);
    std::fill (levels.begin(), levels.end(), 0.0f);
    fadeStep = (float) (1.0 / juce::jmax (1.0, stealFadeSeconds * sampleRate));
    sampleTime = 0;
    noteCounter = 0;
    seed = 0;
    resetVoices (sampleRate);
    for (int i = 0; i < getNumNodeParameters(); ++i)
        chunkStart[(std::size_t) i] = chunkEnd[(std::size_t) i] = currentValue (i);
}

//==============================================================================
void SourceNode::noteOn (int note, float velocity) noexcept
{
    seed = ++noteCounter;
    const int victim = allocator.chooseVictim (note, levels.data());
    if (victim >= 0)
        allocator.steal (victim);
    int slot = allocator.acquire();
    if (slot < 0)
    {
        // Every spare slot is fading: cut the quietest fade short (only under a storm of steals).
        allocator.free (allocator.quietestStolen (levels.data()));
        slot = allocator.acquire();
    }
    allocator.start (slot, note, sampleTime);
    envelopes[(std::size_t) slot].reset();
    envelopes[(std::size_t) slot].start();
    velocities[(std::size_t) slot] = velocity;
    fades[(std::size_t) slot] = 1.0f;
    levels[(std::size_t) slot] = 0.0f;
    startVoice (slot, note, velocity);
}

void SourceNode::noteOff (int note) noexcept
{
    const auto& r = rates;
    for (int i = 0; i < allocator.getNumUsed(); ++i)
    {
        const int s = allocator.used()[i];
        if (allocator[s].state == VoiceAllocator::State::held && allocator[s].note == note)
        {
            allocator.release (s, sampleTime);
            if (! oneShot) // drums ring out whatever the key does
                envelopes[(std::size_t) s].release (r);
        }
    }
}

void SourceNode::allNotesOff() noexcept
{
    const auto& r = rates;
    for (int i = 0; i < allocator.getNumUsed(); ++i)
    {
        const int s = allocator.used()[i];
        if (allocator[s].state == VoiceAllocator::State::held || allocator[s].state == VoiceAllocator::State::released)
        {
            allocator.release (s, sampleTime);
            envelopes[(std::size_t) s].release (r); // drums too: all notes off means stop
        }
    }
}

void SourceNode::allSoundOff() noexcept
{
    for (int i = 0; i < allocator.getNumUsed(); ++i)
        allocator.steal (allocator.used()[i]);
}

void SourceNode::handleMidi (const juce::uint8* data, int numBytes) noexcept
{
    if (numBytes < 3)
        return;
    const int status = data[0] & 0xf0;
    if (status == 0x90)
    {
        if (data[2] == 0)
            noteOff (data[1] & 0x7f);
        else
            noteOn (data[1] & 0x7f, (float) (data[2] & 0x7f) / 127.0f);
    }
    else if (status == 0x80)
        noteOff (data[1] & 0x7f);
    else if (status == 0xb0)
    {
        if (data[1] == 123)
            allNotesOff();
        else if (data[1] == 120)
            allSoundOff();
    }
}

//==============================================================================
void SourceNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) noexcept
{
    const int numSamples = buffer.getNumSamples();
    auto* left = buffer.getWritePointer (0);
    auto* right = buffer.getNumChannels() > 1 ? buffer.getWritePointer (1) : nullptr;

    auto events = midi.cbegin();
    const auto end = midi.cend();
    int pos = 0;
    while (pos < numSamples)
    {
        // The chunk runs from here to the next event (or controlInterval samples). Its parameter values
        // are read before this sample's events, so a note started here sees them.
        auto next = events;
        while (next != end && (*next).samplePosition <= pos)
            ++next;
        const int until = next != end ? juce::jlimit (pos + 1, numSamples, (*next).samplePosition) : numSamples;
        const int n = juce::jmin (controlInterval, until - pos);
        beginControlChunk (n);
        for (; events != next; ++events)
            handleMidi ((*events).data, (*events).numBytes);
        renderChunk (left + pos, right != nullptr ? right + pos : nullptr, n);
        pos += n;
    }
    // Events at or past the block's end take effect before the next block.
    for (; events != end; ++events)
        handleMidi ((*events).data, (*events).numBytes);
}

void SourceNode::beginControlChunk (int n) noexcept
{
    const int numParams = getNumNodeParameters();
    for (int p = 0; p < numParams; ++p)
    {
        chunkStart[(std::size_t) p] = currentValue (p);
        chunkEnd[(std::size_t) p] = skipValue (p, n);
    }

    const double sr = currentSampleRate;
    rates.attackStep = (float) (1.0 / juce::jmax (1.0, chunkStart[(std::size_t) ampOffset] * sr));
    rates.decaySamplesPerUnit = (float) (chunkStart[(std::size_t) ampOffset + 1] * sr);
    rates.sustainStart = chunkStart[(std::size_t) ampOffset + 2];
    rates.sustainStep = (chunkEnd[(std::size_t) ampOffset + 2] - rates.sustainStart) / (float) n;
    rates.releaseSamplesPerUnit = (float) (chunkStart[(std::size_t) ampOffset + 3] * sr);
    // The sustain value at sample i is the one after i + 1 steps, like every other ramp.
    rates.sustainStart += rates.sustainStep;

    beginChunk (n);
}

void SourceNode::renderChunk (float* left, float* right, int n) noexcept
{
    sampleTime += n;
    const int numUsed = allocator.getNumUsed();
    if (numUsed == 0)
    {
        // Nothing sounds: silence, and nothing else to do.
        std::fill (left, left + n, 0.0f);
        if (right != nullptr)
            std::fill (right, right + n, 0.0f);
        return;
    }

    const bool stereo = isStereo();
    std::fill (mixLeft.begin(), mixLeft.begin() + n, 0.0f);
    if (stereo)
        std::fill (mixRight.begin(), mixRight.begin() + n, 0.0f);

    for (int k = numUsed; --k >= 0;)
    {
        const int s = allocator.used()[k];
        const auto slot = (std::size_t) s;
        const bool running = renderVoice (s, voiceLeft.data(), voiceRight.data(), n);
        const bool enveloped = envelopes[slot].process (gains.data(), n, rates);

        const float velocity = velocities[slot];
        float fade = fades[slot];
        if (allocator[s].state == VoiceAllocator::State::stolen)
        {
            for (int i = 0; i < n; ++i)
            {
                fade = juce::jmax (0.0f, fade - fadeStep);
                gains[(std::size_t) i] *= velocity * fade;
            }
            fades[slot] = fade;
        }
        else
        {
            for (int i = 0; i < n; ++i)
                gains[(std::size_t) i] *= velocity;
        }

        for (int i = 0; i < n; ++i)
            mixLeft[(std::size_t) i] += voiceLeft[(std::size_t) i] * gains[(std::size_t) i];
        if (stereo)
            for (int i = 0; i < n; ++i)
                mixRight[(std::size_t) i] += voiceRight[(std::size_t) i] * gains[(std::size_t) i];

        levels[slot] = envelopes[slot].level * velocity * fade;
        if (! running || ! enveloped || fade <= 0.0f)
        {
            envelopes[slot].reset();
            allocator.free (s);
        }
    }

    const float levelStart = chunkValue (level);
    const float levelStep = (chunkEndValue (level) - levelStart) / (float) n;
    const auto* fromRight = stereo ? mixRight.data() : mixLeft.data();
    for (int i = 0; i < n; ++i)
    {
        const float g = levelStart + levelStep * (float) (i + 1);
        left[i] = mixLeft[(std::size_t) i] * g;
        if (right != nullptr)
            right[i] = fromRight[(std::size_t) i] * g;
    }
}

} // namespace imbolc::engine
