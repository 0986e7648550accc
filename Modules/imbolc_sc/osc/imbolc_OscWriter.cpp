namespace imbolc::sc::osc
{

namespace
{
    void putOscInt32 (Bytes& out, std::uint32_t u)
    {
        out.insert (out.end(), { (std::uint8_t) (u >> 24), (std::uint8_t) (u >> 16), (std::uint8_t) (u >> 8), (std::uint8_t) u });
    }

    void padToFour (Bytes& out)
    {
        while (out.size() % 4 != 0)
            out.push_back (0);
    }

    void putOscString (Bytes& out, const std::string& s)
    {
        out.insert (out.end(), s.begin(), s.end());
        out.push_back (0); // at least one terminating zero, then padding
        padToFour (out);
    }
} // namespace

Bytes encodeMessage (const OscMessage& m)
{
    Bytes out;
    putOscString (out, m.address);

    std::string tags = ",";
    for (const auto& a : m.arguments)
        tags += std::visit ([] (const auto& v) -> char
                            {
                                using T = std::decay_t<decltype (v)>;
                                if constexpr (std::is_same_v<T, std::int32_t>)
                                    return 'i';
                                else if constexpr (std::is_same_v<T, float>)
                                    return 'f';
                                else if constexpr (std::is_same_v<T, std::string>)
                                    return 's';
                                else if constexpr (std::is_same_v<T, double>)
                                    return 'd';
                                else
                                    return 'b'; },
                            a);
    putOscString (out, tags);

    for (const auto& a : m.arguments)
    {
        std::visit ([&out] (const auto& v)
                    {
                        using T = std::decay_t<decltype (v)>;
                        if constexpr (std::is_same_v<T, std::int32_t>)
                            putOscInt32 (out, (std::uint32_t) v);
                        else if constexpr (std::is_same_v<T, float>)
                        {
                            std::uint32_t u = 0;
                            std::memcpy (&u, &v, sizeof (u));
                            putOscInt32 (out, u);
                        }
                        else if constexpr (std::is_same_v<T, std::string>)
                            putOscString (out, v);
                        else if constexpr (std::is_same_v<T, double>)
                        {
                            std::uint64_t u = 0;
                            std::memcpy (&u, &v, sizeof (u));
                            putOscInt32 (out, (std::uint32_t) (u >> 32));
                            putOscInt32 (out, (std::uint32_t) u);
                        }
                        else
                        {
                            putOscInt32 (out, (std::uint32_t) v.size());
                            out.insert (out.end(), v.begin(), v.end());
                            padToFour (out);
                        } },
                    a);
    }
    return out;
}

Bytes encodeBundle (double seconds, const std::vector<OscMessage>& messages)
{
    Bytes out;
    putOscString (out, "#bundle");
    const auto whole = (std::uint32_t) std::floor (seconds);
    const auto fraction = (std::uint32_t) std::min<long long> (std::llround ((seconds - std::floor (seconds)) * 4294967296.0), 0xFFFFFFFFll);
    putOscInt32 (out, whole);
    putOscInt32 (out, fraction);
    for (const auto& m : messages)
    {
        const auto encoded = encodeMessage (m);
        putOscInt32 (out, (std::uint32_t) encoded.size());
        out.insert (out.end(), encoded.begin(), encoded.end());
    }
    return out;
}

std::optional<OscMessage> decodeMessage (const std::uint8_t* data, std::size_t size)
{
    std::size_t at = 0;
    auto readString = [&] (std::string& out) -> bool
    {
        const auto start = at;
        while (at < size && data[at] != 0)
            ++at;
        if (at >= size)
            return false;
        out.assign ((const char*) data + start, at - start);
        at = (at + 4) & ~(std::size_t) 3; // past the terminator and the padding
        return at <= size;
    };
    auto readWord = [&] (std::uint32_t& out) -> bool
    {
        if (size - at < 4 || at > size)
            return false;
        out = ((std::uint32_t) data[at] << 24) | ((std::uint32_t) data[at + 1] << 16) | ((std::uint32_t) data[at + 2] << 8) | data[at + 3];
        at += 4;
        return true;
    };

    OscMessage m;
    std::string tags;
    if (data == nullptr || size < 4 || ! readString (m.address) || m.address.empty() || m.address[0] != '/')
        return std::nullopt;
    if (at == size)
        return m; // no type tags: no arguments
    if (! readString (tags) || tags.empty() || tags[0] != ',')
        return std::nullopt;

    for (std::size_t t = 1; t < tags.size(); ++t)
    {
        std::uint32_t word = 0, low = 0;
        switch (tags[t])
        {
            case 'i':
                if (! readWord (word))
                    return std::nullopt;
                m.arguments.emplace_back ((std::int32_t) word);
                break;
            case 'f':
            {
                if (! readWord (word))
                    return std::nullopt;
                float f = 0.0f;
                std::memcpy (&f, &word, sizeof (f));
                m.arguments.emplace_back (f);
                break;
            }
            case 'd':
            case 'h':
            {
                if (! readWord (word) || ! readWord (low))
                    return std::nullopt;
                const auto u = ((std::uint64_t) word << 32) | low;
                if (tags[t] == 'd')
                {
                    double d = 0.0;
                    std::memcpy (&d, &u, sizeof (d));
                    m.arguments.emplace_back (d);
                }
                else
                {
                    const auto v = (std::int64_t) u;
                    if (v < INT32_MIN || v > INT32_MAX)
                        return std::nullopt;
                    m.arguments.emplace_back ((std::int32_t) v);
                }
                break;
            }
            case 's':
            {
                std::string s;
                if (! readString (s))
                    return std::nullopt;
                m.arguments.emplace_back (std::move (s));
                break;
            }
            case 'b':
            {
                if (! readWord (word) || word > size - at)
                    return std::nullopt;
                m.arguments.emplace_back (Bytes (data + at, data + at + word));
                at = (at + word + 3) & ~(std::size_t) 3;
                if (at > size)
                    return std::nullopt;
                break;
            }
            case 'T':
                m.arguments.emplace_back ((std::int32_t) 1);
                break;
            case 'F':
                m.arguments.emplace_back ((std::int32_t) 0);
                break;
            default:
                return std::nullopt;
        }
    }
    return m;
}

} // namespace imbolc::sc::osc
