// CommandBacklog on the engine's real lock-free queues, with the test playing the audio thread: it pops
// the priority queue, then the normal queue, counting the normal commands it consumed as AudioGraph does.
// Every assertion is on the commands that arrive (type, serial, node, index, value) and the counts.

#include "imbolc_EngineTestSupport.h"

#include <map>

using namespace imbolc;
using engine::Command;
using engine::CommandBacklog;
using T = engine::Command::Type;

namespace
{
/** A queue made for 15 commands holds exactly 15 (one readerwriterqueue block of 16, one slot spare). */
constexpr std::size_t queueSize = 15;

constexpr CommandBacklog::Limits roomy { 100, 100, 100, 100 };

Command change (T type, std::uint32_t serial, std::uint16_t node, std::uint16_t index, float value)
{
    Command c;
    c.type = type;
    c.serial = serial;
    c.node = node;
    c.index = index;
    c.value = value;
    return c;
}

Command param (std::uint32_t serial, std::uint16_t node, std::uint16_t index, float value) { return change (T::setParam, serial, node, index, value); }

Command note (std::uint16_t number) { return change (T::noteOn, 1, 0, number, 1.0f); }

Command structural (T type, std::int32_t slot, std::uint32_t serial, void* object = nullptr)
{
    Command c;
    c.type = type;
    c.slot = slot;
    c.serial = serial;
    c.object = object;
    return c;
}

/** The two queues, the consumed count and the backlog that feeds them. */
struct Wire
{
    engine::CommandQueue priority { queueSize }, normal { queueSize };
    std::atomic<std::uint64_t> normalConsumed { 0 };
    CommandBacklog backlog;

    explicit Wire (CommandBacklog::Limits limits = roomy)
        : backlog (priority, normal, normalConsumed, limits) {}

    /** What the audio thread does at the start of a block: the whole priority queue, then the normal one. */
    std::vector<Command> popBlock()
    {
        std::vector<Command> got;
        Command c;
        while (priority.try_dequeue (c))
            got.push_back (c);
        while (normal.try_dequeue (c))
        {
            got.push_back (c);
            normalConsumed.fetch_add (1, std::memory_order_release);
        }
        return got;
    }

    /** Blocks and flushes (the engine's update()) until nothing waits; everything that arrived, in order. */
    std::vector<Command> drain()
    {
        std::vector<Command> got;
        for (int guard = 0; guard < 1000; ++guard)
        {
            const auto block = popBlock();
            got.insert (got.end(), block.begin(), block.end());
            if (! backlog.hasBacklog() && block.empty())
                break;
            backlog.flush();
        }
        return got;
    }

    void fillPriorityQueue()
    {
        for (std::uint16_t i = 0; i < queueSize; ++i)
            backlog.sendPriority (note (1000 + i), nullptr);
        REQUIRE (priority.size_approx() == queueSize);
        REQUIRE (! backlog.hasBacklog());
    }

    void fillNormalQueue()
    {
        for (std::int32_t i = 0; i < (std::int32_t) queueSize; ++i)
            backlog.sendNormal (structural (T::removeBus, 500 + i, 1), nullptr);
        REQUIRE (normal.size_approx() == queueSize);
        REQUIRE (! backlog.hasBacklog());
    }
};

std::vector<int> indicesOf (const std::vector<Command>& commands)
{
    std::vector<int> v;
    for (const auto& c : commands)
        v.push_back (c.index);
    return v;
}

/** What arrived, less the filler that fillPriorityQueue() and fillNormalQueue() sent. */
std::vector<Command> withoutFiller (const std::vector<Command>& commands)
{
    std::vector<Command> v;
    for (const auto& c : commands)
        if (! (c.type == T::noteOn && c.index >= 1000) && ! (c.type == T::removeBus && c.slot >= 500))
            v.push_back (c);
    return v;
}

std::string describe (const std::vector<Command>& commands)
{
    std::string s;
    for (const auto& c : commands)
        s += std::to_string ((int) c.type) + "/" + std::to_string (c.serial) + "/" + std::to_string (c.node) + "/" + std::to_string (c.index) + "=" + std::to_string (c.value) + " ";
    return s;
}
} // namespace

TEST_CASE ("command backlog: a burst beyond the priority queue waits and arrives in order as the consumer pops", "[engine][backlog]")
{
    Wire wire;
    for (std::uint16_t i = 0; i < 100; ++i)
        wire.backlog.sendPriority (note (i), nullptr);
    CHECK (wire.priority.size_approx() == queueSize);
    CHECK (wire.backlog.getNumWaiting() == 100 - queueSize);

    // The consumer frees space, but what is sent now still queues behind what waits.
    auto first = wire.popBlock();
    CHECK (indicesOf (first).size() == queueSize);
    wire.backlog.sendPriority (note (100), nullptr);
    CHECK (wire.priority.size_approx() == 0);
    CHECK (wire.backlog.getNumWaiting() == 100 - queueSize + 1);

    // Each flush moves one queueful; the waiting count falls as the consumer pops.
    wire.backlog.flush();
    CHECK (wire.backlog.getNumWaiting() == 100 - 2 * queueSize + 1);
    auto rest = wire.drain();
    first.insert (first.end(), rest.begin(), rest.end());

    std::vector<int> expected;
    for (int i = 0; i <= 100; ++i)
        expected.push_back (i);
    CHECK (indicesOf (first) == expected);
    CHECK (! wire.backlog.hasBacklog());
    CHECK (wire.backlog.getNumWaiting() == 0);
    CHECK (wire.backlog.getNumCoalesced() == 0); // notes never coalesce
}

TEST_CASE ("command backlog: waiting changes to one parameter coalesce to the newest value, in the first one's place", "[engine][backlog]")
{
    Wire wire;
    wire.fillPriorityQueue();

    wire.backlog.sendPriority (param (1, 1, 0, 1.0f), nullptr);
    wire.backlog.sendPriority (note (7), nullptr);
    wire.backlog.sendPriority (param (1, 1, 0, 2.0f), nullptr);
    wire.backlog.sendPriority (param (1, 1, 1, 5.0f), nullptr); // another parameter of the node
    wire.backlog.sendPriority (param (1, 1, 0, 3.0f), nullptr);
    wire.backlog.sendPriority (param (2, 1, 0, 9.0f), nullptr); // the same parameter on another chain object
    wire.backlog.sendPriority (change (T::setSendLevel, 1, 1, 0, 0.5f), nullptr); // same node and index, another kind
    wire.backlog.sendPriority (change (T::setSendLevel, 1, 1, 0, 0.25f), nullptr);
    wire.backlog.sendPriority (change (T::setTempo, 0, 0, 0, 100.0f), nullptr);
    wire.backlog.sendPriority (change (T::setTempo, 0, 0, 0, 140.0f), nullptr);

    CHECK (wire.backlog.getNumWaiting() == 6);
    CHECK (wire.backlog.getNumCoalesced() == 4);

    const auto got = withoutFiller (wire.drain());
    INFO (describe (got));
    REQUIRE (got.size() == 6);
    CHECK ((got[0].type == T::setParam && got[0].serial == 1 && got[0].index == 0 && got[0].value == 3.0f));
    CHECK ((got[1].type == T::noteOn && got[1].index == 7));
    CHECK ((got[2].type == T::setParam && got[2].serial == 1 && got[2].index == 1 && got[2].value == 5.0f));
    CHECK ((got[3].type == T::setParam && got[3].serial == 2 && got[3].index == 0 && got[3].value == 9.0f));
    CHECK ((got[4].type == T::setSendLevel && got[4].value == 0.25f));
    CHECK ((got[5].type == T::setTempo && got[5].value == 140.0f));
}

TEST_CASE ("command backlog: a change sent after its predecessor left the backlog waits anew instead of rewriting the sent one", "[engine][backlog]")
{
    Wire wire;
    wire.fillPriorityQueue();
    wire.backlog.sendPriority (param (1, 1, 0, 1.0f), nullptr);

    // One place frees up: the waiting change moves into the queue, which is full again.
    Command c;
    REQUIRE (wire.priority.try_dequeue (c));
    wire.backlog.flush();
    CHECK (wire.backlog.getNumWaiting() == 0);

    wire.backlog.sendPriority (param (1, 1, 0, 2.0f), nullptr);
    CHECK (wire.backlog.getNumWaiting() == 1);
    wire.backlog.sendPriority (param (1, 1, 0, 4.0f), nullptr);
    CHECK (wire.backlog.getNumWaiting() == 1);
    CHECK (wire.backlog.getNumCoalesced() == 1);

    const auto got = withoutFiller (wire.drain());
    INFO (describe (got));
    REQUIRE (got.size() == 2);
    CHECK (got[0].value == 1.0f);
    CHECK (got[1].value == 4.0f);
}

TEST_CASE ("command backlog: structural commands beyond the normal queue wait, keep their order and never coalesce", "[engine][backlog]")
{
    Wire wire;
    for (std::int32_t i = 0; i < 40; ++i)
        wire.backlog.sendNormal (structural (T::removeInstrument, i, 1), nullptr);
    wire.backlog.sendNormal (structural (T::removeInstrument, 39, 1), nullptr); // the same command again
    CHECK (wire.normal.size_approx() == queueSize);
    CHECK (wire.backlog.getNumWaiting() == 41 - queueSize);

    const auto got = wire.drain();
    REQUIRE (got.size() == 41);
    for (std::int32_t i = 0; i < 40; ++i)
        CHECK (got[(std::size_t) i].slot == i);
    CHECK (got[40].slot == 39);
    CHECK (wire.normalConsumed.load() == 41);
    CHECK (wire.backlog.getNumCoalesced() == 0);
}

TEST_CASE ("command backlog: a change to a chain whose install is pending follows the install through the normal queue", "[engine][backlog]")
{
    Wire wire;
    CommandBacklog::ChainOrder chain;

    wire.backlog.sendNormal (structural (T::installInstrument, 3, 7), &chain);
    wire.backlog.sendPriority (param (7, 1, 0, 0.5f), &chain);
    wire.backlog.sendPriority (change (T::setTempo, 0, 0, 0, 90.0f), nullptr); // about no chain: straight through
    CHECK (wire.priority.size_approx() == 1);
    CHECK (wire.normal.size_approx() == 2);

    auto got = wire.popBlock();
    INFO (describe (got));
    REQUIRE (got.size() == 3);
    CHECK (got[0].type == T::setTempo);
    CHECK (got[1].type == T::installInstrument);
    CHECK ((got[2].type == T::setParam && got[2].value == 0.5f));

    // Once the install (and the change behind it) is consumed, changes take the priority queue.
    wire.backlog.sendPriority (param (7, 1, 0, 0.75f), &chain);
    CHECK (wire.priority.size_approx() == 1);
    CHECK (wire.normal.size_approx() == 0);

    // The same holds while the install itself waits in the normal backlog.
    wire.popBlock();
    wire.fillNormalQueue();
    CommandBacklog::ChainOrder replacement;
    wire.backlog.sendNormal (structural (T::installInstrument, 3, 8), &replacement);
    wire.backlog.sendPriority (param (8, 1, 0, 0.25f), &replacement);
    wire.backlog.sendPriority (param (8, 1, 0, 0.125f), &replacement);
    CHECK (wire.priority.size_approx() == 0);
    CHECK (wire.backlog.getNumWaiting() == 3);
    CHECK (wire.backlog.getNumCoalesced() == 0); // the normal backlog keeps every command

    got = withoutFiller (wire.drain());
    INFO (describe (got));
    REQUIRE (got.size() == 3);
    CHECK ((got[0].type == T::installInstrument && got[0].serial == 8));
    CHECK (got[1].value == 0.25f);
    CHECK (got[2].value == 0.125f);
}

TEST_CASE ("command backlog: a waiting change for a replaced chain never merges with its successor's", "[engine][backlog]")
{
    Wire wire;
    CommandBacklog::ChainOrder chain;
    wire.backlog.sendNormal (structural (T::installInstrument, 3, 7), &chain);
    wire.popBlock();

    wire.fillPriorityQueue();
    wire.backlog.sendPriority (param (7, 1, 0, 1.0f), &chain); // waits in the priority backlog
    wire.backlog.sendNormal (structural (T::installInstrument, 3, 8), &chain); // the chain is rebuilt
    wire.backlog.sendPriority (param (8, 1, 0, 2.0f), &chain); // behind the new install
    CHECK (wire.backlog.getNumCoalesced() == 0);

    // Each value reaches its own chain object; the new chain's change comes after its install. (The
    // old chain's change may come later still: the audio thread drops it, that chain is gone.)
    const auto got = withoutFiller (wire.drain());
    INFO (describe (got));
    REQUIRE (got.size() == 3);
    std::map<std::uint32_t, float> valueBySerial;
    std::size_t installAt = got.size(), changeAt = got.size();
    for (std::size_t i = 0; i < got.size(); ++i)
    {
        if (got[i].type == T::setParam)
            valueBySerial[got[i].serial] = got[i].value;
        if (got[i].type == T::installInstrument)
            installAt = i;
        if (got[i].type == T::setParam && got[i].serial == 8)
            changeAt = i;
    }
    CHECK (valueBySerial == std::map<std::uint32_t, float> { { 7u, 1.0f }, { 8u, 2.0f } });
    CHECK (installAt < changeAt);
    CHECK (changeAt < got.size());
}

TEST_CASE ("command backlog: objects go over only while the audio thread has room for them, the rest waits for one to come back", "[engine][backlog]")
{
    Wire wire ({ 2, 1, 1, 1 });
    wire.backlog.sendNormal (structural (T::installInstrument, 0, 1), nullptr);
    wire.backlog.sendNormal (structural (T::installInstrument, 1, 2), nullptr);
    wire.backlog.sendNormal (structural (T::installInstrument, 2, 3), nullptr);
    wire.backlog.sendNormal (structural (T::removeInstrument, 0, 1), nullptr); // no object, but behind the install
    CHECK (wire.normal.size_approx() == 2);
    CHECK (wire.backlog.getNumWaiting() == 2);
    CHECK (wire.backlog.getNumChainsOut() == 2);

    auto got = wire.popBlock();
    wire.backlog.flush();
    CHECK (wire.backlog.getNumWaiting() == 2); // the queue has room, the audio thread has not

    wire.backlog.objectReturned (engine::Event::Type::retiredInstrument);
    CHECK (wire.backlog.getNumChainsOut() == 1);
    wire.backlog.flush();
    CHECK (wire.backlog.getNumWaiting() == 0);
    CHECK (wire.backlog.getNumChainsOut() == 2);
    const auto more = wire.popBlock();
    got.insert (got.end(), more.begin(), more.end());
    REQUIRE (got.size() == 4);
    CHECK ((got[2].type == T::installInstrument && got[2].serial == 3));
    CHECK (got[3].type == T::removeInstrument);

    // Routings and sequences share one budget; buses and masters have their own.
    wire.backlog.sendNormal (structural (T::setRouting, 0, 2), nullptr);
    wire.backlog.sendNormal (structural (T::setSequence, 0, 2), nullptr);
    CHECK (wire.backlog.getNumWaiting() == 1);
    wire.backlog.objectReturned (engine::Event::Type::retiredRouting);
    wire.backlog.flush();
    CHECK (wire.backlog.getNumWaiting() == 0);
    wire.backlog.sendNormal (structural (T::installBus, 0, 4), nullptr);
    wire.backlog.sendNormal (structural (T::installMaster, 0, 5), nullptr);
    CHECK (wire.backlog.getNumWaiting() == 0);
    CHECK (wire.backlog.getNumChainsOut() == 4);
    wire.backlog.sendNormal (structural (T::installBus, 1, 6), nullptr);
    CHECK (wire.backlog.getNumWaiting() == 1);
}

TEST_CASE ("command backlog: takeUnsentObjects hands back the waiting objects and leaves a clean backlog", "[engine][backlog]")
{
    Wire wire;
    int chainObject = 0, routingObject = 0;
    wire.fillNormalQueue();
    wire.fillPriorityQueue();
    wire.backlog.sendNormal (structural (T::installInstrument, 1, 2, &chainObject), nullptr);
    wire.backlog.sendNormal (structural (T::removeInstrument, 1, 2), nullptr);
    wire.backlog.sendNormal (structural (T::setRouting, 1, 2, &routingObject), nullptr);
    wire.backlog.sendPriority (param (2, 1, 0, 1.0f), nullptr);
    wire.backlog.sendPriority (param (2, 1, 1, 1.0f), nullptr);
    CHECK (wire.backlog.getNumWaiting() == 5);

    const auto unsent = wire.backlog.takeUnsentObjects();
    REQUIRE (unsent.size() == 2);
    CHECK ((unsent[0].type == T::installInstrument && unsent[0].object == &chainObject));
    CHECK ((unsent[1].type == T::setRouting && unsent[1].object == &routingObject));
    CHECK (! wire.backlog.hasBacklog());

    // Coalescing still finds the right place in the emptied backlog.
    wire.backlog.sendPriority (param (2, 1, 0, 2.0f), nullptr);
    wire.backlog.sendPriority (param (2, 1, 0, 3.0f), nullptr);
    CHECK (wire.backlog.getNumWaiting() == 1);
    const auto got = withoutFiller (wire.drain());
    INFO (describe (got));
    REQUIRE (got.size() == 1);
    CHECK (got[0].value == 3.0f);
}

TEST_CASE ("command backlog: with a real consumer thread every parameter ends on its newest value and never goes back", "[engine][backlog]")
{
    Wire wire;
    constexpr int numParams = 40, numChanges = 20000;
    std::vector<Command> received;
    received.reserve ((std::size_t) numChanges);
    std::atomic<bool> quit { false };
    std::atomic<int> count { 0 };

    std::thread consumer ([&]
                          {
        while (! quit.load())
        {
            const auto block = wire.popBlock();
            received.insert (received.end(), block.begin(), block.end());
            count.store ((int) received.size());
            std::this_thread::sleep_for (std::chrono::microseconds (50));
        } });

    // Each change's value is its sequence number, so "newer" is "larger".
    for (int i = 0; i < numChanges; ++i)
    {
        wire.backlog.sendPriority (param (1, 1, (std::uint16_t) (i % numParams), (float) i), nullptr);
        if (i % 500 == 0)
            wire.backlog.flush();
    }
    while (wire.backlog.hasBacklog())
    {
        wire.backlog.flush();
        std::this_thread::yield();
    }
    const auto expected = numChanges - (int) wire.backlog.getNumCoalesced();
    CHECK (test::eventually ([&]
                             { return count.load() == expected; }));
    quit = true;
    consumer.join();

    CHECK (wire.backlog.getNumCoalesced() > 0); // the burst really outran the queue
    std::map<int, float> last;
    bool monotonic = true;
    for (const auto& c : received)
    {
        if (auto it = last.find (c.index); it != last.end() && c.value <= it->second)
            monotonic = false;
        last[c.index] = c.value;
    }
    CHECK (monotonic);
    REQUIRE (last.size() == (std::size_t) numParams);
    for (int p = 0; p < numParams; ++p)
        CHECK (last[p] == (float) (numChanges - numParams + p));
}
