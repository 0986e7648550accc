#pragma once

namespace imbolc::model
{

/** One named, ranged parameter of a source, a processing stage, or a plugin. */
struct Parameter
{
    std::string name;
    float value = 0.0f;
    float minValue = 0.0f;
    float maxValue = 1.0f;
    float defaultValue = 0.0f;

    bool accepts (float v) const noexcept { return std::isfinite (v) && v >= minValue && v <= maxValue; }
    bool operator== (const Parameter&) const = default;
};

/** A parameter description; Parameter instances are made from these. */
struct ParameterSpec
{
    const char* name;
    float minValue, maxValue, defaultValue;

    Parameter make() const { return { name, defaultValue, minValue, maxValue, defaultValue }; }
};

//==============================================================================
enum class BuiltInSource : std::uint8_t
{
    saw,
    square,
    pulse,
    triangle,
    sine,
    noise,
    supersaw,
    fm,
    sampler,
    kick,
    snare,
    hat,
    drumKit ///< 12 pads (Instrument::drums) and their step pattern; added after hat, so older values keep theirs
};
constexpr int numBuiltInSources = 13;

enum class FilterType : std::uint8_t
{
    lowPass,
    highPass,
    bandPass,
    notch
};
constexpr int numFilterTypes = 4;

enum class EffectType : std::uint8_t
{
    delay,
    reverb,
    chorus,
    compressor,
    distortion,
    limiter,
    gain,
    plugin
};
constexpr int numBuiltInEffectTypes = 7; // every EffectType but plugin

/** Bands of the built-in parametric EQ stage. */
constexpr int eqBandCount = 4;

const char* toString (BuiltInSource) noexcept;
const char* toString (FilterType) noexcept;
const char* toString (EffectType) noexcept;

/** The parameters each built-in kind starts with, in index order. Any thread. */
std::vector<Parameter> makeParameters (BuiltInSource);
std::vector<Parameter> makeFilterParameters (FilterType);
std::vector<Parameter> makeEqParameters();
std::vector<Parameter> makeEffectParameters (EffectType);

} // namespace imbolc::model
