namespace imbolc::sc
{

namespace
{
    std::int32_t intArgument (const OscMessage& m, std::size_t i)
    {
        if (i < m.arguments.size())
            if (const auto* v = std::get_if<std::int32_t> (&m.arguments[i]))
                return *v;
        return INT32_MIN;
    }

    std::string stringArgument (const OscMessage& m, std::size_t i)
    {
        if (i < m.arguments.size())
            if (const auto* v = std::get_if<std::string> (&m.arguments[i]))
                return *v;
        return {};
    }

    double numberArgument (const OscMessage& m, std::size_t i)
    {
        if (i >= m.arguments.size())
            return 0.0;
        return std::visit ([] (const auto& v) -> double
                           {
                               using T = std::decay_t<decltype (v)>;
                               if constexpr (std::is_same_v<T, std::int32_t> || std::is_same_v<T, float> || std::is_same_v<T, double>)
                                   return (double) v;
                               else
                                   return 0.0; },
                           m.arguments[i]);
    }
    /** Bundles go in one UDP datagram; this stays far below the 64 KiB limit. */
    constexpr std::size_t maxBundleBytes = 8192;
} // namespace

ScsynthClient::ScsynthClient (Options o)
    : options (std::move (o))
{
    socket.bindToPort (0);
    receiver = std::thread ([this]
                            { receive(); });
}

ScsynthClient::~ScsynthClient()
{
    if (registered)
        send ({ "/notify", { (std::int32_t) 0 } });
    quit = true;
    socket.shutdown();
    receiver.join();
}

void ScsynthClient::receive()
{
    std::vector<std::uint8_t> buffer (65536);
    while (! quit.load())
    {
        if (socket.waitUntilReady (true, 100) <= 0)
            continue;
        const auto n = socket.read (buffer.data(), (int) buffer.size(), false);
        if (n <= 0)
            continue;
        if (auto message = osc::decodeMessage (buffer.data(), (std::size_t) n))
        {
            if (message->address == "/n_end")
            {
                const std::lock_guard lock (voiceMutex);
                voices.erase (intArgument (*message, 0));
                endedNodes.push_back (intArgument (*message, 0));
                if (endedNodes.size() > 1 << 20) // nobody is taking them: don't grow without bound
                    endedNodes.erase (endedNodes.begin(), endedNodes.begin() + (1 << 19));
            }
            else if (message->address == "/status.reply")
            {
                if (auto status = parseStatusReply (*message))
                {
                    const std::lock_guard lock (voiceMutex);
                    newestStatus = std::make_pair (*status, juce::Time::getMillisecondCounterHiRes());
                }
            }
            const std::lock_guard lock (mutex);
            replies.push_back (std::move (*message));
            while (replies.size() > 1024) // nobody is reading: keep the newest
                replies.pop_front();
        }
        arrived.notify_all();
    }
}

std::optional<OscMessage> ScsynthClient::waitFor (const std::function<bool (const OscMessage&)>& matches, int timeoutMs)
{
    std::unique_lock lock (mutex);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds (timeoutMs);
    while (true)
    {
        for (auto it = replies.begin(); it != replies.end(); ++it)
            if (matches (*it))
            {
                auto found = std::move (*it);
                replies.erase (it);
                return found;
            }
        if (arrived.wait_until (lock, deadline) == std::cv_status::timeout)
            return std::nullopt;
    }
}

bool ScsynthClient::send (const OscMessage& message)
{
    const auto bytes = osc::encodeMessage (message);
    return socket.write (options.host, options.port, bytes.data(), (int) bytes.size()) == (int) bytes.size();
}

bool ScsynthClient::sync()
{
    const auto id = nextSyncId++;
    if (! send ({ "/sync", { id } }))
        return false;
    return waitFor ([id] (const OscMessage& m)
                    { return m.address == "/synced" && intArgument (m, 0) == id; },
                    options.timeoutMs)
        .has_value();
}

juce::Result ScsynthClient::connect()
{
    const auto where = options.host + ":" + juce::String (options.port);
    if (! send ({ "/notify", { (std::int32_t) 1 } }))
        return juce::Result::fail ("Could not send to scsynth at " + where + ".");

    // /done /notify clientID [maxLogins]; or /fail when the server has no room for another client.
    const auto reply = waitFor ([] (const OscMessage& m)
                                { return (m.address == "/done" || m.address == "/fail") && stringArgument (m, 0) == "/notify"; },
                                options.timeoutMs);
    if (! reply.has_value())
        return juce::Result::fail ("No scsynth answered at " + where + " within " + juce::String (options.timeoutMs) + " ms: start it (scsynth -u "
                                   + juce::String (options.port) + ") or check the address.");
    if (reply->address == "/fail")
        return juce::Result::fail ("scsynth at " + where + " refused this client: " + juce::String (stringArgument (*reply, 1)));

    const auto id = intArgument (*reply, 1);
    if (id < 0 || id > 31)
        return juce::Result::fail ("scsynth at " + where + " gave a client id out of range.");
    clientId = id;
    registered = true;
    if (! sync())
        return juce::Result::fail ("scsynth at " + where + " stopped answering after /notify.");
    return juce::Result::ok();
}

juce::Result ScsynthClient::createGroups()
{
    for (auto group : groupLayout)
        send ({ "/g_new", { nodeBase() + group, (std::int32_t) 1, (std::int32_t) 0 } }); // addToTail of the root
    if (! sync())
        return juce::Result::fail ("scsynth did not confirm the group layout.");
    return juce::Result::ok();
}

std::optional<ScsynthClient::Status> ScsynthClient::parseStatusReply (const OscMessage& reply)
{
    // /status.reply: 1, ugens, synths, groups, definitions, average and peak CPU, nominal and actual
    // sample rate.
    if (reply.address != "/status.reply" || reply.arguments.size() < 9)
        return std::nullopt;
    // Every number is checked before it is converted: a float out of int's range converts to nothing.
    const auto count = [&] (std::size_t i) -> std::optional<int>
    {
        const auto v = numberArgument (reply, i);
        if (! std::isfinite (v) || v < 0.0 || v > (double) std::numeric_limits<int>::max())
            return std::nullopt;
        return (int) v;
    };
    const auto load = [&] (std::size_t i) -> std::optional<float>
    {
        const auto v = numberArgument (reply, i);
        if (! std::isfinite (v) || std::abs (v) > 1.0e6)
            return std::nullopt;
        return (float) v;
    };
    const auto ugens = count (1), synths = count (2), groups = count (3), definitions = count (4);
    const auto average = load (5), peak = load (6);
    const auto nominal = numberArgument (reply, 7), actual = numberArgument (reply, 8);
    if (! ugens || ! synths || ! groups || ! definitions || ! average || ! peak || ! std::isfinite (nominal) || ! std::isfinite (actual))
        return std::nullopt;
    Status s;
    s.ugens = *ugens;
    s.synths = *synths;
    s.groups = *groups;
    s.definitions = *definitions;
    s.averageCpu = *average;
    s.peakCpu = *peak;
    s.nominalSampleRate = nominal;
    s.actualSampleRate = actual;
    return s;
}

std::optional<std::vector<ScsynthClient::TreeNode>> ScsynthClient::parseTreeReply (const OscMessage& reply)
{
    // flag (controls included: 0 here), then per node: id, child count (-1 for a synth, followed by
    // its definition name).
    if (reply.address != "/g_queryTree.reply")
        return std::nullopt;
    std::vector<TreeNode> nodes;
    std::size_t i = 1;
    while (i + 1 < reply.arguments.size())
    {
        const auto id = intArgument (reply, i);
        const auto children = intArgument (reply, i + 1);
        if (id == INT32_MIN || children == INT32_MIN || children < -1)
            return std::nullopt;
        nodes.push_back ({ id, children });
        i += children < 0 ? 3 : 2;
    }
    return nodes;
}

std::optional<ScsynthClient::Status> ScsynthClient::queryStatus()
{
    {
        // A reply to an earlier request (requestStatus) must not pass for the answer to this one.
        const std::lock_guard lock (mutex);
        std::erase_if (replies, [] (const OscMessage& m)
                       { return m.address == "/status.reply"; });
    }
    send ({ "/status", {} });
    const auto reply = waitFor ([] (const OscMessage& m)
                                { return m.address == "/status.reply"; },
                                options.timeoutMs);
    return reply.has_value() ? parseStatusReply (*reply) : std::nullopt;
}

std::optional<float> ScsynthClient::getControl (std::int32_t node, const std::string& name)
{
    send ({ "/s_get", { node, name } });
    const auto reply = waitFor ([&] (const OscMessage& m)
                                { return m.address == "/n_set" && intArgument (m, 0) == node && stringArgument (m, 1) == name; },
                                options.timeoutMs);
    if (! reply.has_value())
        return std::nullopt;
    return (float) numberArgument (*reply, 2);
}

void ScsynthClient::requestStatus()
{
    send ({ "/status", {} });
}

std::optional<std::pair<ScsynthClient::Status, double>> ScsynthClient::latestStatus() const
{
    const std::lock_guard lock (voiceMutex);
    return newestStatus;
}

std::vector<std::int32_t> ScsynthClient::takeEndedNodes()
{
    const std::lock_guard lock (voiceMutex);
    return std::exchange (endedNodes, {});
}

bool ScsynthClient::sendNow (const std::vector<OscMessage>& messages)
{
    bool ok = true;
    std::vector<OscMessage> pending;
    std::size_t pendingBytes = 16;
    const auto flush = [&]
    {
        if (pending.empty())
            return;
        const auto bundle = osc::encodeBundle (osc::immediately, pending);
        ok = socket.write (options.host, options.port, bundle.data(), (int) bundle.size()) == (int) bundle.size() && ok;
        pending.clear();
        pendingBytes = 16;
    };
    for (const auto& m : messages)
    {
        const auto size = osc::encodeMessage (m).size() + 4;
        if (size + 16 > maxBundleBytes)
        {
            flush();
            ok = send (m) && ok;
            continue;
        }
        if (pendingBytes + size > maxBundleBytes)
            flush();
        pending.push_back (m);
        pendingBytes += size;
    }
    flush();
    return ok;
}

bool ScsynthClient::sendAt (double ntpSeconds, const std::vector<OscMessage>& messages)
{
    if (messages.empty())
        return true;
    const auto bundle = osc::encodeBundle (ntpSeconds, messages);
    return socket.write (options.host, options.port, bundle.data(), (int) bundle.size()) == (int) bundle.size();
}

juce::Result ScsynthClient::loadDefinitions (const Bytes& file)
{
    send ({ "/d_recv", { file } });
    const auto reply = waitFor ([] (const OscMessage& m)
                                { return (m.address == "/done" || m.address == "/fail") && stringArgument (m, 0) == "/d_recv"; },
                                options.timeoutMs);
    if (! reply.has_value())
        return juce::Result::fail ("scsynth did not confirm the SynthDefs.");
    if (reply->address == "/fail")
        return juce::Result::fail ("scsynth refused the SynthDefs: " + juce::String (stringArgument (*reply, 1)));
    return juce::Result::ok();
}

juce::Result ScsynthClient::allocRead (std::int32_t buffer, const std::string& path, const std::vector<std::int32_t>& channels)
{
    const std::string command = channels.empty() ? "/b_allocRead" : "/b_allocReadChannel";
    OscMessage m { command, { buffer, path, (std::int32_t) 0, (std::int32_t) 0 } };
    for (auto c : channels)
        m.arguments.emplace_back (c);
    send (m);
    const auto reply = waitFor ([&] (const OscMessage& r)
                                { return (r.address == "/done" && stringArgument (r, 0) == command && intArgument (r, 1) == buffer) || (r.address == "/fail" && stringArgument (r, 0) == command); },
                                options.timeoutMs);
    if (! reply.has_value())
        return juce::Result::fail ("scsynth did not confirm reading \"" + juce::String (path) + "\".");
    if (reply->address == "/fail")
        return juce::Result::fail ("scsynth could not read \"" + juce::String (path) + "\": " + juce::String (stringArgument (*reply, 1)));
    return juce::Result::ok();
}

juce::Result ScsynthClient::sendBuffer (std::int32_t buffer, int frames, int channels, const float* interleaved)
{
    if (frames <= 0 || channels <= 0)
        return juce::Result::fail ("An empty sample cannot be sent to scsynth.");
    send ({ "/b_alloc", { buffer, (std::int32_t) frames, (std::int32_t) channels } });
    const auto reply = waitFor ([] (const OscMessage& r)
                                { return (r.address == "/done" || r.address == "/fail") && stringArgument (r, 0) == "/b_alloc"; },
                                options.timeoutMs);
    if (! reply.has_value() || reply->address == "/fail")
        return juce::Result::fail ("scsynth could not make a buffer of " + juce::String (frames) + " frames for the sample.");

    const auto total = (std::int64_t) frames * channels;
    int sinceSync = 0;
    for (std::int64_t start = 0; start < total; start += setnChunk)
    {
        const auto count = (int) std::min<std::int64_t> (setnChunk, total - start);
        OscMessage m { "/b_setn", { buffer, (std::int32_t) start, (std::int32_t) count } };
        m.arguments.reserve ((std::size_t) count + 3);
        for (int i = 0; i < count; ++i)
            m.arguments.emplace_back (interleaved[start + i]);
        if (! send (m))
            return juce::Result::fail ("The sample could not be sent to scsynth.");
        // A burst of datagrams larger than the server's receive buffer would be lost: wait for it to
        // catch up every 64 KiB or so.
        if (++sinceSync == 16)
        {
            sinceSync = 0;
            if (! sync())
                return juce::Result::fail ("scsynth stopped answering while the sample was sent.");
        }
    }
    if (! sync())
        return juce::Result::fail ("scsynth stopped answering while the sample was sent.");
    return juce::Result::ok();
}

std::optional<std::vector<float>> ScsynthClient::getBuffer (std::int32_t buffer, int start, int count)
{
    if (count <= 0 || count > setnChunk || start < 0)
        return std::nullopt;
    send ({ "/b_getn", { buffer, (std::int32_t) start, (std::int32_t) count } });
    const auto reply = waitFor ([&] (const OscMessage& r)
                                { return (r.address == "/b_setn" && intArgument (r, 0) == buffer && intArgument (r, 1) == start)
                                         || (r.address == "/fail" && stringArgument (r, 0) == "/b_getn"); },
                                options.timeoutMs);
    if (! reply.has_value() || reply->address != "/b_setn" || intArgument (*reply, 2) != count || reply->arguments.size() != (std::size_t) count + 3)
        return std::nullopt;
    std::vector<float> values;
    for (std::size_t i = 3; i < reply->arguments.size(); ++i)
    {
        const auto* v = std::get_if<float> (&reply->arguments[i]);
        if (v == nullptr)
            return std::nullopt;
        values.push_back (*v);
    }
    return values;
}

std::optional<std::vector<ScsynthClient::TreeNode>> ScsynthClient::queryTree (std::int32_t group)
{
    send ({ "/g_queryTree", { group, (std::int32_t) 0 } });
    const auto reply = waitFor ([] (const OscMessage& m)
                                { return m.address == "/g_queryTree.reply"; },
                                options.timeoutMs);
    if (! reply.has_value())
        return std::nullopt;
    return parseTreeReply (*reply);
}

//==============================================================================
double ScsynthClient::ntpNow()
{
    using namespace std::chrono;
    constexpr double secondsFrom1900To1970 = 2208988800.0;
    return duration<double> (system_clock::now().time_since_epoch()).count() + secondsFrom1900To1970;
}

std::int32_t ScsynthClient::startVoice (const std::string& definition, std::int32_t group, const std::vector<std::pair<std::string, float>>& controls, double latencySeconds)
{
    const auto node = nodeBase() + nextNode++;
    OscMessage m { "/s_new", { definition, node, (std::int32_t) 0, group } };
    for (const auto& [name, value] : controls)
    {
        m.arguments.emplace_back (name);
        m.arguments.emplace_back (value);
    }
    {
        const std::lock_guard lock (voiceMutex);
        voices.insert (node);
    }
    const auto bundle = osc::encodeBundle (ntpNow() + latencySeconds, { m });
    socket.write (options.host, options.port, bundle.data(), (int) bundle.size());
    return node;
}

void ScsynthClient::releaseVoice (std::int32_t node, double latencySeconds)
{
    const auto bundle = osc::encodeBundle (ntpNow() + latencySeconds, { { "/n_set", { node, std::string ("gate"), 0.0f } } });
    socket.write (options.host, options.port, bundle.data(), (int) bundle.size());
}

bool ScsynthClient::waitForNode (std::int32_t node, bool ended, int timeoutMs)
{
    const std::string address = ended ? "/n_end" : "/n_go";
    return waitFor ([&] (const OscMessage& m)
                    { return m.address == address && intArgument (m, 0) == node; },
                    timeoutMs)
        .has_value();
}

std::size_t ScsynthClient::liveVoices() const
{
    const std::lock_guard lock (voiceMutex);
    return voices.size();
}

} // namespace imbolc::sc
