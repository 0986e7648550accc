#pragma once

namespace imbolc::gui
{

/** How a parameter is shown and typed: its unit from its name, its value as text, typed text as a value.

    The model stores frequencies in Hz, times in seconds, levels as linear gain (shown in dB), amounts
    0..1 (shown as %), and a few levels directly in dB (threshold, makeup, ceiling, an EQ band's gain);
    the text follows how each is stored, so "45" typed into a mix means 0.45 and "-6" typed into a level
    means a gain of 0.5.

    Any thread (pure functions).
*/
namespace paramtext
{
    /** The unit of a model parameter by its name ("Hz", "s", "dB", "%", ":1", "st", "ct", ""). A name
        with a group prefix ("band2.gain", "lfo rate") is read by its last part. */
    juce::String unitFor (const std::string& parameterName);

    /** "1.20 kHz", "350 ms", "-6.0 dB", "45 %": the value with its unit, short. */
    juce::String format (const model::Parameter&);

    /** The value a person typed ("1.2k", "1200 Hz", "350ms", "0.35 s", "-6", "45%"), in the model's
        units, or nullopt if it is not a value of this kind of parameter. Out-of-range values are returned
        as typed (the dispatcher refuses them with its sentence).

        A bare number is read in the unit the value is shown in: Hz for a frequency ("1.2k" for kHz), %
        for an amount, dB for a level, and ms or s for a time as the current value is shown (a knob that
        shows "350 ms" reads "500" as 500 ms, one that shows "1.50 s" reads "2" as 2 s). */
    std::optional<float> parse (const juce::String& text, const model::Parameter&);

    /** For a plugin's parameters: the model holds them normalised 0..1 whatever they mean, so their
        names say nothing about the stored value. Shown and read as plain numbers. */
    juce::String formatPlain (const model::Parameter&);
    std::optional<float> parsePlain (const juce::String& text, const model::Parameter&);

    /** A parameter name for people: "pwmRate" -> "PWM rate", "band2.freq" -> "Band 2 freq". */
    juce::String displayName (const std::string& parameterName);
} // namespace paramtext

} // namespace imbolc::gui
