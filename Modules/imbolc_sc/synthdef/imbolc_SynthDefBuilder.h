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

/** Selectors of SuperCollider's BinaryOpUGen (its special index), as numbered in the server's
    BinaryOpUGens.cpp. Only the ones our definitions use. */
enum class BinaryOp : std::int16_t
{
    add = 0,
    sub = 1,
    mul = 2,
    div = 4,
    ge = 11, ///< 1 when a >= b, else 0
    min = 12,
    max = 13,
    pow = 25,
    clip2 = 42 ///< clip to +-b
};

/** Selectors of SuperCollider's UnaryOpUGen, as numbered in the server's UnaryOpUGens.cpp. */
enum class UnaryOp : std::int16_t
{
    neg = 0,
    abs = 5,
    sqrt = 14,
    exp = 15,
    recip = 16,
    midiCps = 17,
    midiRatio = 19,
    dbAmp = 21,
    log = 25,
    sin = 28,
    cos = 29,
    tanh = 36
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

    /** Maths through BinaryOpUGen and UnaryOpUGen. The result runs at the fastest rate of its inputs
        (as sclang makes it), so conversions of controls stay at control rate. */
    Input binary (BinaryOp, Input a, Input b);
    Input unary (UnaryOp, Input a);
    Input add (Input a, Input b) { return binary (BinaryOp::add, a, b); }
    Input sub (Input a, Input b) { return binary (BinaryOp::sub, a, b); }
    Input mul (Input a, Input b) { return binary (BinaryOp::mul, a, b); }

    /** The rate an input runs at: a constant is scalar, a UGen's output runs at the UGen's rate. */
    Rate rateOf (Input) const;

    /** The definition as a complete SCgf v2 file holding this one definition. */
    Bytes build() const;

    /** Appends this definition (without the file header) to `out`: for files holding several. */
    void writeDefinition (Bytes& out) const;

    const std::string& getName() const noexcept { return name; }

    /** The controls as declared: names and default values, in index order. */
    const std::vector<std::pair<std::string, float>>& getParameters() const noexcept { return parameters; }

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
