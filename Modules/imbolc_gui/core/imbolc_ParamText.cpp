namespace imbolc::gui::paramtext
{

namespace
{
    enum class TextStyle
    {
        plain,
        count, ///< whole numbers (voices)
        hertz,
        seconds,
        decibels, ///< stored in dB
        linearGain, ///< stored as a linear factor, shown in dB
        percent, ///< stored 0..1
        ratio,
        semitones,
        cents,
        note, ///< a MIDI note number, shown with its name
        toggle, ///< off below 0.5, on from 0.5
        pan ///< -1..1, shown L/C/R
    };

    /** The last part of a name, lower case: "band2.gain" -> "gain", "lfo rate" -> "rate". */
    juce::String baseName (const std::string& name)
    {
        auto s = juce::String (name).trim();
        s = s.fromLastOccurrenceOf (".", false, false).fromLastOccurrenceOf (" ", false, false);
        return s.toLowerCase();
    }

    TextStyle styleByName (const juce::String& base)
    {
        static const std::map<juce::String, TextStyle> styles {
            { "cutoff", TextStyle::hertz },
            { "frequency", TextStyle::hertz },
            { "freq", TextStyle::hertz },
            { "pitch", TextStyle::hertz },
            { "tone", TextStyle::hertz },
            { "rate", TextStyle::hertz },
            { "pwmrate", TextStyle::hertz },
            { "attack", TextStyle::seconds },
            { "decay", TextStyle::seconds },
            { "release", TextStyle::seconds },
            { "time", TextStyle::seconds },
            { "threshold", TextStyle::decibels },
            { "makeup", TextStyle::decibels },
            { "ceiling", TextStyle::decibels },
            { "gain", TextStyle::linearGain },
            { "level", TextStyle::linearGain },
            { "mix", TextStyle::percent },
            { "depth", TextStyle::percent },
            { "pwmdepth", TextStyle::percent },
            { "feedback", TextStyle::percent },
            { "resonance", TextStyle::percent },
            { "drive", TextStyle::percent },
            { "width", TextStyle::percent },
            { "colour", TextStyle::percent },
            { "color", TextStyle::percent },
            { "detune", TextStyle::percent },
            { "sweep", TextStyle::percent },
            { "click", TextStyle::percent },
            { "snappy", TextStyle::percent },
            { "start", TextStyle::percent },
            { "size", TextStyle::percent },
            { "damping", TextStyle::percent },
            { "sustain", TextStyle::percent },
            { "amount", TextStyle::percent },
            { "ratio", TextStyle::ratio },
            { "tune", TextStyle::semitones },
            { "fine", TextStyle::cents },
            { "rootnote", TextStyle::note },
            { "loop", TextStyle::toggle },
            { "pan", TextStyle::pan },
            { "voices", TextStyle::count },
        };
        const auto it = styles.find (base);
        return it != styles.end() ? it->second : TextStyle::plain;
    }

    /** The style by name, corrected by how this parameter is stored: a "tone" of 0..1 is an amount, not
        a frequency; a "gain" that goes below zero is already in dB (an EQ band's). */
    TextStyle styleOf (const model::Parameter& p)
    {
        auto style = styleByName (baseName (p.name));
        if (style == TextStyle::hertz && p.maxValue <= 1.0f)
            return TextStyle::percent;
        if (style == TextStyle::linearGain && p.minValue < 0.0f)
            return TextStyle::decibels;
        return style;
    }

    juce::String unitOf (TextStyle style)
    {
        switch (style)
        {
            case TextStyle::hertz:
                return "Hz";
            case TextStyle::seconds:
                return "s";
            case TextStyle::decibels:
            case TextStyle::linearGain:
                return "dB";
            case TextStyle::percent:
                return "%";
            case TextStyle::ratio:
                return ":1";
            case TextStyle::semitones:
                return "st";
            case TextStyle::cents:
                return "ct";
            case TextStyle::plain:
            case TextStyle::count:
            case TextStyle::note:
            case TextStyle::toggle:
            case TextStyle::pan:
                return {};
        }
        return {};
    }

    juce::String fixed (double v, int decimals)
    {
        char buffer[64];
        std::snprintf (buffer, sizeof (buffer), "%.*f", decimals, v);
        juce::String s (buffer);
        // "-0.0" says nothing a person needs.
        return s.startsWithChar ('-') && s.removeCharacters ("-0.").isEmpty() ? s.substring (1) : s;
    }

    /** Fewer decimals for bigger numbers, so every value is about three significant digits. */
    juce::String threeDigits (double v)
    {
        const auto a = std::abs (v);
        return fixed (v, a >= 99.95 ? 0 : (a >= 9.995 ? 1 : 2)); // decided on the rounded value: 9.9999 is "10.0"
    }

    juce::String noteName (float value)
    {
        const auto n = juce::jlimit (0, 127, juce::roundToInt (value));
        return juce::MidiMessage::getMidiNoteName (n, true, true, 4) + " (" + juce::String (n) + ")";
    }

    /** A leading number and what follows it: "-1.2k" -> (-1.2, "k"). nullopt if there is no number. */
    std::optional<std::pair<double, juce::String>> splitNumber (const juce::String& text)
    {
        const auto t = text.trim();
        int i = 0;
        const int n = t.length();
        if (i < n && (t[i] == '+' || t[i] == '-'))
            ++i;
        int digits = 0;
        while (i < n && juce::CharacterFunctions::isDigit (t[i]))
            ++i, ++digits;
        if (i < n && (t[i] == '.' || t[i] == ','))
        {
            ++i;
            while (i < n && juce::CharacterFunctions::isDigit (t[i]))
                ++i, ++digits;
        }
        if (digits == 0)
            return std::nullopt;
        const auto number = t.substring (0, i).replaceCharacter (',', '.');
        return std::make_pair (number.getDoubleValue(), t.substring (i).trim().toLowerCase());
    }

    std::optional<float> toFloat (double v)
    {
        if (! std::isfinite (v))
            return std::nullopt;
        return (float) v;
    }

    std::optional<float> parseNote (const juce::String& text)
    {
        // "C4", "c#3", "Eb5", "A-1" with middle C as C4 (the name format() shows).
        auto t = text.trim().toLowerCase().removeCharacters (" ");
        if (t.isEmpty())
            return std::nullopt;
        static const int semis[] = { 9, 11, 0, 2, 4, 5, 7 }; // a..g
        const auto letter = t[0];
        if (letter < 'a' || letter > 'g')
            return std::nullopt;
        int semitone = semis[letter - 'a'];
        int i = 1;
        if (i < t.length() && (t[i] == '#' || t[i] == 'b'))
            semitone += t[i++] == '#' ? 1 : -1;
        const auto octaveText = t.substring (i);
        if (octaveText.isEmpty() || ! octaveText.trimCharactersAtStart ("-").containsOnly ("0123456789"))
            return std::nullopt;
        return (float) ((octaveText.getIntValue() + 1) * 12 + semitone);
    }
} // namespace

juce::String unitFor (const std::string& parameterName)
{
    return unitOf (styleByName (baseName (parameterName)));
}

juce::String format (const model::Parameter& p)
{
    const double v = p.value;
    switch (styleOf (p))
    {
        case TextStyle::hertz:
            if (std::abs (v) >= 999.5)
                return threeDigits (v / 1000.0) + " kHz";
            return threeDigits (v) + " Hz";
        case TextStyle::seconds:
            if (std::abs (v) < 0.9995)
                return threeDigits (v * 1000.0) + " ms";
            return fixed (v, 2) + " s";
        case TextStyle::decibels:
            return fixed (v, 1) + " dB";
        case TextStyle::linearGain:
            if (v <= 0.0)
                return "-inf dB";
            return fixed (juce::Decibels::gainToDecibels (v, -1000.0), 1) + " dB";
        case TextStyle::percent:
        {
            const auto percent = v * 100.0;
            const bool whole = std::abs (percent) >= 9.95 || std::abs (percent - std::round (percent)) < 0.05;
            return fixed (percent, whole ? 0 : 1) + " %";
        }
        case TextStyle::ratio:
            return fixed (v, v < 1.0 ? 2 : 1) + ":1";
        case TextStyle::semitones:
            return (v > 0.0 ? "+" : "") + fixed (v, std::abs (v - std::round (v)) < 0.005 ? 0 : 2) + " st";
        case TextStyle::cents:
            return (v > 0.0 ? "+" : "") + fixed (v, 0) + " ct";
        case TextStyle::note:
            return noteName (p.value);
        case TextStyle::toggle:
            return v >= 0.5 ? "on" : "off";
        case TextStyle::pan:
        {
            const auto percent = juce::roundToInt (v * 100.0);
            if (percent == 0)
                return "C";
            return (percent < 0 ? "L " : "R ") + juce::String (std::abs (percent));
        }
        case TextStyle::count:
            return juce::String (juce::roundToInt (v));
        case TextStyle::plain:
            return threeDigits (v);
    }
    return threeDigits (v);
}

std::optional<float> parse (const juce::String& text, const model::Parameter& p)
{
    const auto style = styleOf (p);
    const auto lower = text.trim().toLowerCase();

    // The words and names format() shows are read back.
    if (style == TextStyle::toggle && (lower == "on" || lower == "off"))
        return lower == "on" ? 1.0f : 0.0f;
    if (style == TextStyle::linearGain && (lower == "-inf" || lower == "-inf db"))
        return 0.0f;
    if (style == TextStyle::note)
        if (auto n = parseNote (lower.upToFirstOccurrenceOf ("(", false, false)))
            return n;
    if (style == TextStyle::pan && lower.isNotEmpty() && (lower[0] == 'l' || lower[0] == 'r' || lower == "c"))
    {
        if (lower == "c")
            return 0.0f;
        const auto amount = splitNumber (lower.substring (1));
        if (! amount || amount->second.isNotEmpty())
            return std::nullopt;
        return toFloat ((lower[0] == 'l' ? -1.0 : 1.0) * amount->first / 100.0);
    }

    const auto split = splitNumber (lower);
    if (! split)
        return std::nullopt;
    const auto [number, suffix] = *split;
    const auto unitIs = [&suffix] (std::initializer_list<const char*> names)
    {
        for (auto* n : names)
            if (suffix == n)
                return true;
        return false;
    };

    switch (style)
    {
        case TextStyle::hertz:
            if (unitIs ({ "", "hz" }))
                return toFloat (number);
            if (unitIs ({ "k", "khz" }))
                return toFloat (number * 1000.0);
            return std::nullopt;
        case TextStyle::seconds:
            if (unitIs ({ "ms", "msec" }))
                return toFloat (number / 1000.0);
            if (unitIs ({ "s", "sec" }))
                return toFloat (number);
            if (suffix.isEmpty())
                return toFloat (std::abs (p.value) < 0.9995f ? number / 1000.0 : number); // as format() shows it
            return std::nullopt;
        case TextStyle::decibels:
            return unitIs ({ "", "db" }) ? toFloat (number) : std::nullopt;
        case TextStyle::linearGain:
            if (unitIs ({ "", "db" }))
                return toFloat (juce::Decibels::decibelsToGain (number, -1000.0));
            if (unitIs ({ "x" }))
                return toFloat (number);
            return std::nullopt;
        case TextStyle::percent:
            return unitIs ({ "", "%" }) ? toFloat (number / 100.0) : std::nullopt;
        case TextStyle::ratio:
            return unitIs ({ "", ":1", "x" }) ? toFloat (number) : std::nullopt;
        case TextStyle::semitones:
            return unitIs ({ "", "st", "semitones" }) ? toFloat (number) : std::nullopt;
        case TextStyle::cents:
            return unitIs ({ "", "ct", "cents" }) ? toFloat (number) : std::nullopt;
        case TextStyle::toggle:
            return suffix.isEmpty() ? toFloat (number) : std::nullopt;
        case TextStyle::pan:
            return unitIs ({ "", "%" }) ? toFloat (number / 100.0) : std::nullopt;
        case TextStyle::note:
        case TextStyle::count:
        case TextStyle::plain:
            return suffix.isEmpty() ? toFloat (number) : std::nullopt;
    }
    return std::nullopt;
}

juce::String formatPlain (const model::Parameter& p)
{
    return fixed (p.value, 3);
}

std::optional<float> parsePlain (const juce::String& text, const model::Parameter&)
{
    const auto split = splitNumber (text);
    if (! split || split->second.isNotEmpty())
        return std::nullopt;
    return toFloat (split->first);
}

juce::String displayName (const std::string& parameterName)
{
    juce::String out;
    const auto name = juce::String (parameterName).trim();
    for (int i = 0; i < name.length(); ++i)
    {
        const auto c = name[i];
        const juce::juce_wchar previous = i > 0 ? name[i - 1] : 0;
        if (c == '.' || c == '_')
        {
            out << ' ';
            continue;
        }
        // Word breaks at camelCase humps and between letters and digits.
        if (i > 0 && previous != '.' && previous != ' '
            && ((juce::CharacterFunctions::isUpperCase (c) && juce::CharacterFunctions::isLowerCase (previous))
                || (juce::CharacterFunctions::isDigit (c) && juce::CharacterFunctions::isLetter (previous))))
            out << ' ';
        out << juce::String::charToString (c);
    }
    juce::StringArray words;
    words.addTokens (out, " ", {});
    words.removeEmptyStrings();
    for (int i = 0; i < words.size(); ++i)
    {
        auto w = words[i];
        if (w.equalsIgnoreCase ("pwm") || w.equalsIgnoreCase ("lfo") || w.equalsIgnoreCase ("eq"))
            w = w.toUpperCase();
        else if (w.equalsIgnoreCase ("q"))
            w = "Q";
        else if (i == 0)
            w = w.substring (0, 1).toUpperCase() + w.substring (1).toLowerCase();
        else if (! w.containsOnly ("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
            w = w.toLowerCase();
        words.set (i, w);
    }
    return words.joinIntoString (" ");
}

} // namespace imbolc::gui::paramtext
