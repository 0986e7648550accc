namespace imbolc::engine
{

ExternalSourceNode::ExternalSourceNode (const model::Instrument& inst, ExternalNotes& n)
    : NodeProcessor ("External source", withAmpPlaceholders (inst.source.params), true), notes (n), instrument (inst.id), numSourceParams ((int) inst.source.params.size())
{
}

void ExternalSourceNode::prepareNode (double, int)
{
    // A re-prepare (new rate or block size) forgets what the sequencer was holding, as it restarts
    // internal voices: the external renderer's notes must end too. The event is sent by the first
    // block (the audio thread is the queue's only producer), before anything else.
    releaseFirst = prepared;
    prepared = true;
}

void ExternalSourceNode::detach() noexcept
{
    if (detached)
        return;
    detached = true;
    notes.pushAllNotesOff (instrument, 0);
}

void ExternalSourceNode::processNode (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) noexcept
{
    buffer.clear();
    if (detached)
        return;
    if (std::exchange (releaseFirst, false))
        notes.pushAllNotesOff (instrument, 0);

    for (const auto m : midi)
    {
        const auto* data = m.data;
        if (m.numBytes < 3)
            continue;
        const int status = data[0] & 0xf0;
        const int note = data[1] & 0x7f, value = data[2] & 0x7f;
        if (status == 0x90 && value > 0)
            notes.pushNote (instrument, note, (float) value / 127.0f, true, m.samplePosition);
        else if (status == 0x80 || status == 0x90)
            notes.pushNote (instrument, note, 0.0f, false, m.samplePosition);
        else if (status == 0xb0 && (data[1] == 123 || data[1] == 120))
            notes.pushAllNotesOff (instrument, m.samplePosition);
    }
}

} // namespace imbolc::engine
