namespace imbolc::engine
{

namespace
{
    bool isCoalescable (Command::Type t) noexcept
    {
        using T = Command::Type;
        return t == T::setParam || t == T::setSendLevel || t == T::setMuted || t == T::setBypass || t == T::setTempo || t == T::setVoiceLimit;
    }

    /** Commands that set the same thing on the same chain object share a key: the newest wins. */
    std::uint64_t coalescingKey (const Command& c) noexcept
    {
        return ((std::uint64_t) c.serial << 32) | ((std::uint64_t) c.type << 24) | ((std::uint64_t) (c.node & 0xfff) << 12) | (std::uint64_t) (c.index & 0xfff);
    }

    /** Routing and sequences: objects that come back one event each, sharing one budget. */
    bool carriesSmallObject (const Command& c) noexcept
    {
        using T = Command::Type;
        const auto t = c.type;
        return t == T::setRouting || t == T::setSequence || t == T::setGlobalSequence;
    }

    bool carriesObject (const Command& c) noexcept
    {
        using T = Command::Type;
        const auto t = c.type;
        return t == T::installInstrument || t == T::installBus || t == T::installMaster || t == T::attachRecorder || (t == T::setCompensation && c.object != nullptr)
               || carriesSmallObject (c);
    }
} // namespace

CommandBacklog::CommandBacklog (CommandQueue& priority, CommandQueue& normal, const std::atomic<std::uint64_t>& consumed, Limits l)
    : priorityQueue (priority), normalQueue (normal), normalConsumed (consumed), limits (l)
{
}

void CommandBacklog::sendPriority (const Command& c, ChainOrder* chain)
{
    // Until every normal command about this chain (its install above all) has been consumed, its
    // changes follow them through the normal queue: the priority queue would overtake the install.
    if (chain != nullptr && normalConsumed.load (std::memory_order_acquire) < chain->lastNormalSeq)
    {
        sendNormal (c, chain);
        return;
    }
    if (priorityBacklog.empty() && priorityQueue.try_enqueue (c))
        return;

    if (isCoalescable (c.type))
    {
        const auto key = coalescingKey (c);
        if (auto it = priorityBacklogIndex.find (key); it != priorityBacklogIndex.end())
        {
            priorityBacklog[(std::size_t) (it->second - priorityBacklogFront)].value = c.value;
            ++coalesced;
            return;
        }
        priorityBacklogIndex.emplace (key, priorityBacklogFront + priorityBacklog.size());
    }
    priorityBacklog.push_back (c);
}

void CommandBacklog::sendNormal (const Command& c, ChainOrder* chain)
{
    const auto seq = ++normalAccepted;
    if (chain != nullptr)
        chain->lastNormalSeq = seq;
    if (normalBacklog.empty() && trySendNormalNow (c))
        return;
    normalBacklog.push_back (c);
}

bool CommandBacklog::trySendNormalNow (const Command& c)
{
    using T = Command::Type;
    // Never hand over more objects than the audio thread has room to run and to give back.
    if ((c.type == T::installInstrument && outstandingInstruments >= limits.instruments)
        || (c.type == T::installBus && outstandingBuses >= limits.buses)
        || (c.type == T::installMaster && outstandingMasters >= limits.masters)
        || (carriesSmallObject (c) && outstandingSmallObjects >= limits.smallObjects))
        return false;
    if (! normalQueue.try_enqueue (c))
        return false;
    outstandingInstruments += c.type == T::installInstrument ? 1 : 0;
    outstandingBuses += c.type == T::installBus ? 1 : 0;
    outstandingMasters += c.type == T::installMaster ? 1 : 0;
    outstandingSmallObjects += carriesSmallObject (c) ? 1 : 0;
    return true;
}

void CommandBacklog::flush()
{
    while (! normalBacklog.empty() && trySendNormalNow (normalBacklog.front()))
        normalBacklog.pop_front();

    while (! priorityBacklog.empty() && priorityQueue.try_enqueue (priorityBacklog.front()))
    {
        const auto& c = priorityBacklog.front();
        if (isCoalescable (c.type))
            if (auto it = priorityBacklogIndex.find (coalescingKey (c)); it != priorityBacklogIndex.end() && it->second == priorityBacklogFront)
                priorityBacklogIndex.erase (it);
        priorityBacklog.pop_front();
        ++priorityBacklogFront;
    }
}

void CommandBacklog::objectReturned (Event::Type type)
{
    switch (type)
    {
        case Event::Type::retiredInstrument:
            --outstandingInstruments;
            return;
        case Event::Type::retiredBus:
            --outstandingBuses;
            return;
        case Event::Type::retiredMaster:
            --outstandingMasters;
            return;
        case Event::Type::retiredRouting:
        case Event::Type::retiredSequence:
        case Event::Type::retiredGlobalSequence:
            --outstandingSmallObjects;
            return;
        case Event::Type::retiredDelayMemory:
            // Outside the budgets: a line's memory comes back only when a larger one replaces it (a
            // chain's last memory dies with the chain), at most once per doubling of its delay.
            return;
        case Event::Type::retiredRecorder:
            return; // a few at most (AudioGraph::maxRecorders), outside the budgets
    }
}

std::vector<Command> CommandBacklog::takeUnsentObjects()
{
    std::vector<Command> unsent;
    for (const auto& c : normalBacklog)
        if (carriesObject (c))
            unsent.push_back (c);
    normalBacklog.clear();
    priorityBacklogFront += priorityBacklog.size();
    priorityBacklog.clear();
    priorityBacklogIndex.clear();
    return unsent;
}

} // namespace imbolc::engine
