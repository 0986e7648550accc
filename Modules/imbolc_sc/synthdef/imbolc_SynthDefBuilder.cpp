namespace imbolc::sc
{

namespace
{
    // SCgf is big-endian and packed.
    void putInt32 (Bytes& out, std::int32_t v)
    {
        const auto u = (std::uint32_t) v;
        out.insert (out.end(), { (std::uint8_t) (u >> 24), (std::uint8_t) (u >> 16), (std::uint8_t) (u >> 8), (std::uint8_t) u });
    }

    void putInt16 (Bytes& out, std::int16_t v)
    {
        const auto u = (std::uint16_t) v;
        out.insert (out.end(), { (std::uint8_t) (u >> 8), (std::uint8_t) u });
    }

    void putFloat (Bytes& out, float f)
    {
        std::uint32_t u = 0;
        std::memcpy (&u, &f, sizeof (u));
        putInt32 (out, (std::int32_t) u);
    }

    void putPString (Bytes& out, const std::string& s)
    {
        jassert (s.size() < 256);
        out.push_back ((std::uint8_t) std::min<std::size_t> (s.size(), 255));
        out.insert (out.end(), s.begin(), s.begin() + (std::ptrdiff_t) std::min<std::size_t> (s.size(), 255));
    }
} // namespace

SynthDefBuilder::SynthDefBuilder (std::string n)
    : name (std::move (n))
{
}

std::vector<SynthDefBuilder::Input> SynthDefBuilder::controls (const std::vector<std::pair<std::string, float>>& namesAndDefaults)
{
    jassert (parameters.empty() && ugens.empty()); // one Control UGen, first
    parameters = namesAndDefaults;
    const auto index = (std::int32_t) ugens.size();
    ugens.push_back ({ "Control", Rate::control, {}, (int) parameters.size(), 0 });

    std::vector<Input> outputs;
    for (std::int32_t i = 0; i < (std::int32_t) parameters.size(); ++i)
        outputs.push_back ({ index, i });
    return outputs;
}

SynthDefBuilder::Input SynthDefBuilder::constant (float value)
{
    for (std::size_t i = 0; i < constantValues.size(); ++i)
        if (constantValues[i] == value)
            return { -1, (std::int32_t) i };
    constantValues.push_back (value);
    return { -1, (std::int32_t) constantValues.size() - 1 };
}

SynthDefBuilder::Input SynthDefBuilder::ugen (const std::string& className, Rate rate, const std::vector<Input>& inputs, int numOutputs, std::int16_t specialIndex)
{
    // Topological order: every input comes from a UGen already in the graph.
    jassert (std::all_of (inputs.begin(), inputs.end(), [this] (const Input& in)
                          { return in.ugen < (std::int32_t) ugens.size(); }));
    ugens.push_back ({ className, rate, inputs, numOutputs, specialIndex });
    return { (std::int32_t) ugens.size() - 1, 0 };
}

SynthDefBuilder::Input SynthDefBuilder::binary (BinaryOp op, Input a, Input b)
{
    return ugen ("BinaryOpUGen", std::max (rateOf (a), rateOf (b)), { a, b }, 1, (std::int16_t) op);
}

SynthDefBuilder::Input SynthDefBuilder::unary (UnaryOp op, Input a)
{
    return ugen ("UnaryOpUGen", rateOf (a), { a }, 1, (std::int16_t) op);
}

Rate SynthDefBuilder::rateOf (Input in) const
{
    return in.ugen < 0 ? Rate::scalar : ugens[(std::size_t) in.ugen].rate;
}

void SynthDefBuilder::writeDefinition (Bytes& out) const
{
    putPString (out, name);

    putInt32 (out, (std::int32_t) constantValues.size());
    for (auto c : constantValues)
        putFloat (out, c);

    putInt32 (out, (std::int32_t) parameters.size());
    for (const auto& [paramName, value] : parameters)
        putFloat (out, value);
    putInt32 (out, (std::int32_t) parameters.size());
    for (std::size_t i = 0; i < parameters.size(); ++i)
    {
        putPString (out, parameters[i].first);
        putInt32 (out, (std::int32_t) i);
    }

    putInt32 (out, (std::int32_t) ugens.size());
    for (const auto& u : ugens)
    {
        putPString (out, u.className);
        out.push_back ((std::uint8_t) u.rate);
        putInt32 (out, (std::int32_t) u.inputs.size());
        putInt32 (out, u.numOutputs);
        putInt16 (out, u.specialIndex);
        for (const auto& in : u.inputs)
        {
            putInt32 (out, in.ugen);
            putInt32 (out, in.index);
        }
        for (int i = 0; i < u.numOutputs; ++i)
            out.push_back ((std::uint8_t) u.rate);
    }

    putInt16 (out, 0); // no variants
}

Bytes SynthDefBuilder::build() const
{
    return synthDefFile ({ *this });
}

Bytes synthDefFile (const std::vector<SynthDefBuilder>& definitions)
{
    Bytes out { 'S', 'C', 'g', 'f' };
    putInt32 (out, 2);
    putInt16 (out, (std::int16_t) definitions.size());
    for (const auto& d : definitions)
        d.writeDefinition (out);
    return out;
}

} // namespace imbolc::sc
