namespace imbolc::engine
{

AnalysisMeters::AnalysisMeters()
{
    prepare (48000.0);
}

void AnalysisMeters::prepare (double sampleRate, double spectrumFramesPerSecond, double scopeFramesPerSecond) noexcept
{
    jassert (scopeFramesPerSecond > 0.0);
    loudnessMeter.prepare (sampleRate);
    spectrumAnalyser.prepare (sampleRate, spectrumFramesPerSecond);
    scopeBuffer.reset();
    scopeHop = std::max (1, juce::roundToInt (sampleRate / scopeFramesPerSecond));
    samplesSinceScope = 0;
    // Whatever is enabled now starts clean at the next process(), and results of the old rate are dropped.
    running = none;
    loudnessOut.discardUnread();
    spectrumOut.discardUnread();
    scopeOut.discardUnread();
}

void AnalysisMeters::setEnabled (Flags flags) noexcept
{
    jassert ((flags & ~all) == 0);
    enabled.store (flags & all, std::memory_order_relaxed);
}

void AnalysisMeters::process (const float* left, const float* right, int n) noexcept
{
    const auto flags = enabled.load (std::memory_order_relaxed);
    const auto switchedOn = flags & ~running;
    running = flags;
    if (flags == none || n <= 0)
        return;

    if ((flags & loudness) != 0)
    {
        // Load before exchanging: the common case (no request) then costs no read-modify-write.
        if ((switchedOn & loudness) != 0
            || (loudnessResetRequested.load (std::memory_order_relaxed)
                && loudnessResetRequested.exchange (false, std::memory_order_relaxed)))
            loudnessMeter.reset();

        if (loudnessMeter.process (left, right, n))
        {
            loudnessOut.back() = { loudnessMeter.getMomentaryLufs(),
                                   loudnessMeter.getShortTermLufs(),
                                   loudnessMeter.getIntegratedLufs(),
                                   loudnessMeter.getMeasuredSeconds() };
            loudnessOut.publish();
        }
    }

    if ((flags & spectrum) != 0)
    {
        if ((switchedOn & spectrum) != 0)
            spectrumAnalyser.reset();

        if (spectrumAnalyser.process (left, right, n))
        {
            spectrumOut.back() = spectrumAnalyser.getFrame();
            spectrumOut.publish();
        }
    }

    if ((flags & scope) != 0)
    {
        if ((switchedOn & scope) != 0)
        {
            scopeBuffer.reset();
            samplesSinceScope = 0;
        }

        scopeBuffer.push (left, right, n);
        samplesSinceScope += n;
        if (samplesSinceScope >= scopeHop)
        {
            samplesSinceScope %= scopeHop;
            auto& frame = scopeOut.back();
            scopeBuffer.copyLatest (frame.left.data(), frame.right.data(), ScopeFrame::size);
            frame.endPosition = scopeBuffer.getPosition();
            scopeOut.publish();
        }
    }
}

} // namespace imbolc::engine
