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

} // namespace imbolc::sc::osc
