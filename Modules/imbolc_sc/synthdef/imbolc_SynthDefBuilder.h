#pragma once

namespace imbolc::sc
{

using Bytes = std::vector<std::uint8_t>;

/** Calculation rates of SuperCollider unit generators. */
enum class Rate : std::int8_t
{
    scalar = 0,
    control = 1,
    audio = 2
};

/** Writes SuperCollider synth definitions in the SCgf version 2 binary format ("SynthDef2", see
    SuperCollider's "Synth Definition File Format" reference), which scsynth loads with /d_recv. Our own
    code builds every definition: no binary blobs are copied in.

    A definition is a graph of unit generators in topological order (each UGen's inputs come from
    UGens added before it, or from constants), plus named control parameters that /s_new and /n_set
    address by name. Any thread; one builder per definition.
*/
class SynthDefBuilder
{
public:
    /** One input of a UGen: an output of an earlier UGen, or a constant. */
    struct Input
    {
        std::int32_t ugen = -1; ///< -1: a constant
        std::int32_t index = 0; ///< output index of the UGen, or index into the constants
    };

    explicit SynthDefBuilder (std::string name);

    /** Declares the named controls, all at once (they become one Control UGen, first in the graph,
        as sclang writes them). Returns one input per control, in order. */
    std::vector<Input> controls (const std::vector<std::pair<std::string, float>>& namesAndDefaults);

    Input constant (float value);

    /** Adds a UGen; returns its first output. */
    Input ugen (const std::string& className, Rate rate, const std::vector<Input>& inputs, int numOutputs = 1, std::int16_t specialIndex = 0);

    /** Arithmetic through BinaryOpUGen (selectors from SuperCollider's BinaryOpUGen). */
    Input add (Input a, Input b, Rate rate = Rate::audio) { return ugen ("BinaryOpUGen", rate, { a, b }, 1, 0); }
    Input mul (Input a, Input b, Rate rate = Rate::audio) { return ugen ("BinaryOpUGen", rate, { a, b }, 1, 2); }

    /** The definition as a complete SCgf v2 file holding this one definition. */
    Bytes build() const;

    /** Appends this definition (without the file header) to `out`: for files holding several. */
    void writeDefinition (Bytes& out) const;

    const std::string& getName() const noexcept { return name; }

private:
    struct UGen
    {
        std::string className;
        Rate rate;
        std::vector<Input> inputs;
        int numOutputs;
        std::int16_t specialIndex;
    };

    std::string name;
    std::vector<float> constantValues;
    std::vector<std::pair<std::string, float>> parameters;
    std::vector<UGen> ugens;
};

/** A file of several definitions (one /d_recv for all of them). */
Bytes synthDefFile (const std::vector<SynthDefBuilder>& definitions);

} // namespace imbolc::sc
