namespace imbolc::gui
{

void Selection::selectInstrument (model::InstrumentId id)
{
    const ChainSubject subject { model::NodeKind::instrument, id.value };
    if (id == instrument && subject == chainSubject)
        return;
    instrument = id;
    chainSubject = subject;
    listeners.call ([] (Listener& l) { l.selectionChanged(); });
}

void Selection::showChainOf (model::NodeKind node, std::uint32_t id)
{
    if (node == model::NodeKind::instrument)
        return selectInstrument (model::InstrumentId { id });
    const ChainSubject subject { node, node == model::NodeKind::master ? 0u : id };
    if (subject == chainSubject)
        return;
    chainSubject = subject;
    listeners.call ([] (Listener& l) { l.selectionChanged(); });
}

void Selection::selectLane (model::LaneId id)
{
    lane = id;
    listeners.call ([] (Listener& l)
                    { l.selectionChanged(); });
}

//==============================================================================
const protocol::StripPeak* MeterFrame::findStrip (model::NodeKind node, std::uint32_t id) const noexcept
{
    for (const auto& s : metering.strips)
        if (s.node == node && s.id == id)
            return &s;
    return nullptr;
}

MeterHub::MeterHub (app::SessionAccess& s)
    : session (s)
{
}

MeterHub::~MeterHub()
{
    stopTimer();
}

void MeterHub::start (int framesPerSecond)
{
    if (framesPerSecond <= 0)
        stopTimer();
    else
        startTimerHz (framesPerSecond);
}

void MeterHub::updateNow()
{
    frame.metering = session.getMetering();
    frame.hasLocalAudio = static_cast<bool> (audioLoad);
    if (audioLoad)
    {
        const auto load = audioLoad();
        frame.cpuLoad = load.cpuLoad;
        frame.droppedBlocks = load.droppedBlocks;
    }
    listeners.call ([this] (Listener& l) { l.metersUpdated (frame); });
}

//==============================================================================
GuiContext::GuiContext (app::SessionAccess& s)
    : session (s),
      meters (s)
{
}

model::ApplyResult GuiContext::perform (const model::Action& action)
{
    if (recording)
        recorded.push_back (action);
    auto result = session.apply (action);
    if (! result.ok())
        showMessage (juce::String (result.error));
    return result;
}

void GuiContext::showMessage (const juce::String& sentence)
{
    if (onMessage)
        onMessage (sentence);
}

juce::File GuiContext::resolveSessionPath (const std::string& path) const
{
    const juce::String text (path);
    if (text.isEmpty())
        return {};
    if (juce::File::isAbsolutePath (text))
        return juce::File (text);
    auto folder = projectFolder != nullptr ? projectFolder() : juce::File();
    if (folder == juce::File())
        folder = juce::File::getCurrentWorkingDirectory();
    return folder.getChildFile (text);
}

} // namespace imbolc::gui
