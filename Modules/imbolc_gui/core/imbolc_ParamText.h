#pragma once

namespace imbolc::gui
{

/** How a parameter is shown and typed: its unit from its name, its value as text, typed text as a value.
    Any thread (pure functions). */
namespace paramtext
{
    /** The unit of a model parameter by its name ("Hz", "s", "dB", "%", ""). */
    juce::String unitFor (const std::string& parameterName);

    /** "1.20 kHz", "350 ms", "-6.0 dB", "45 %": the value with its unit, short. */
    juce::String format (const model::Parameter&);

    /** The value a person typed ("1.2k", "1200 Hz", "350ms", "-6"), or nullopt if it is not a number.
        Out-of-range values are returned as typed (the dispatcher refuses them with its sentence). */
    std::optional<float> parse (const juce::String& text, const model::Parameter&);
} // namespace paramtext

} // namespace imbolc::gui
