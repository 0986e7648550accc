// Engine, continued: plugin delay compensation. The message thread measures every chain's latency
// (what its nodes publish) and tells the audio thread how long each path must wait so that every path
// reaches its summing point together:
// - every instrument's output is delayed to the most latent instrument's latency (Linst), and its
//   pre-insert send tap (which has only its source's latency) as well;
// - every bus's output is delayed to the most latent bus's latency (maxBus), and the instruments that go
//   straight to the master are summed apart and delayed by maxBus (buses feed only the master);
// - the total, Linst + maxBus + the master's stages, is what the listener hears late by;
// - a bus that goes to its own direct output (a plugin's multi-out) skips the master, so it waits out
//   the master's stages on its second line: every output is late by the total the plugin reports.
// With nothing latent no line has memory or runs.

namespace imbolc::engine
{

int Engine::Compensation::stagesLatency() const noexcept
{
    int total = 0;
    for (const auto& s : stages)
        if (! s.bypassed && s.node != nullptr)
            total += juce::jmax (0, s.node->getPublishedLatencySamples());
    return total;
}

void Engine::Compensation::setBypassed (std::uint32_t stageId, bool bypassed) noexcept
{
    for (auto& s : stages)
        if (s.stageId == stageId)
            s.bypassed = bypassed;
}

namespace
{
    int sourceLatency (const NodeProcessor* source) noexcept
    {
        return source != nullptr ? juce::jmax (0, source->getPublishedLatencySamples()) : 0;
    }
} // namespace

Engine::Latencies Engine::measureLatencies() const noexcept
{
    Latencies l;
    for (const auto& [id, ref] : instruments)
        if (ref.slot >= 0 && ! ref.compensation.external)
            l.instruments = juce::jmax (l.instruments, sourceLatency (ref.compensation.source) + ref.compensation.stagesLatency());
    for (const auto& [id, ref] : buses)
        if (ref.slot >= 0)
            l.buses = juce::jmax (l.buses, ref.compensation.stagesLatency());
    for (const auto& stage : masterStages)
        if (! stage.bypassed && stage.node != nullptr)
            l.master += juce::jmax (0, stage.node->getPublishedLatencySamples());
    l.instruments = juce::jmin (l.instruments, CompensationDelay::maxDelaySamples);
    l.buses = juce::jmin (l.buses, CompensationDelay::maxDelaySamples);
    return l;
}

void Engine::sendCompensation (ChainKind kind, ChainRef* ref, Compensation& comp, int line, int delay)
{
    const auto k = (std::size_t) line;
    delay = juce::jlimit (0, CompensationDelay::maxDelaySamples, delay);
    if (comp.delay[k] == delay)
        return;
    Command c;
    c.type = Command::Type::setCompensation;
    c.chain = kind;
    c.slot = ref != nullptr ? ref->slot : 0;
    c.serial = ref != nullptr ? ref->serial : 0;
    c.index = (std::uint16_t) line;
    c.position = delay;
    // Memory only grows, and only here: the audio thread swaps it in and hands the old one back.
    if (delay > comp.memory[k])
    {
        auto memory = CompensationDelay::makeMemory (delay, maxBlockSize);
        comp.memory[k] = CompensationDelay::delayFor (memory->getNumSamples());
        c.object = memory.release();
    }
    comp.delay[k] = delay;
    sendNormal (c, ref); // behind the chain's install
}

void Engine::presetCompensation (ChainBase& chain, Compensation& comp, std::array<int, 2> delays)
{
    // The chain is still this thread's: its lines get their memory and stand at their delays at once
    // (no crossfade from no delay), so a rebuilt chain is heard aligned from its first sample.
    for (int line = 0; line < 2; ++line)
    {
        const auto k = (std::size_t) line;
        const int delay = juce::jlimit (0, CompensationDelay::maxDelaySamples, delays[k]);
        auto* target = chain.getCompensation (line);
        if (delay == 0 || target == nullptr)
            continue;
        auto memory = CompensationDelay::makeMemory (delay, maxBlockSize);
        comp.memory[k] = CompensationDelay::delayFor (memory->getNumSamples());
        std::unique_ptr<CompensationDelay::Memory> none (target->exchangeMemory (memory.release()));
        target->setDelay (delay);
        target->reset();
        comp.delay[k] = delay;
    }
}

std::array<int, 2> Engine::compensationFor (const Compensation& comp, bool bus) const noexcept
{
    const auto l = measureLatencies();
    if (bus)
        return { l.buses - comp.stagesLatency(), l.master };
    if (comp.external)
        return {};
    const int source = sourceLatency (comp.source);
    return { l.instruments - source - comp.stagesLatency(), comp.preSends ? l.instruments - source : 0 };
}

void Engine::syncCompensation()
{
    const auto l = measureLatencies();
    for (auto& [id, ref] : instruments)
    {
        if (ref.slot < 0)
            continue;
        auto& comp = ref.compensation;
        if (comp.external)
            continue; // silent here: its renderer is offset by the total instead
        const int source = sourceLatency (comp.source);
        const int instrument = source + comp.stagesLatency();
        sendCompensation (ChainKind::instrument, &ref, comp, 0, l.instruments - instrument);
        sendCompensation (ChainKind::instrument, &ref, comp, 1, comp.preSends ? l.instruments - source : 0);
    }
    for (auto& [id, ref] : buses)
        if (ref.slot >= 0)
        {
            sendCompensation (ChainKind::bus, &ref, ref.compensation, 0, l.buses - ref.compensation.stagesLatency());
            sendCompensation (ChainKind::bus, &ref, ref.compensation, 1, l.master);
        }
    sendCompensation (ChainKind::master, nullptr, directCompensation, 0, l.buses);

    if (const int total = l.total(); total != sentOutputLatency)
    {
        sentOutputLatency = total;
        Command c;
        c.type = Command::Type::setCompensation;
        c.chain = ChainKind::master;
        c.index = 1;
        c.position = total;
        sendNormal (c, nullptr);
    }
}

} // namespace imbolc::engine
