// How parameters are shown and typed: every built-in parameter name has a unit, values print short with
// it, and what a person types is read back into the model's own units.

#include "imbolc_GuiTestSupport.h"

using namespace imbolc;
using gui::paramtext::format;
using gui::paramtext::parse;
using gui::paramtext::unitFor;

namespace
{
model::Parameter withValue (model::Parameter p, float v)
{
    p.value = v;
    return p;
}

model::Parameter named (const std::vector<model::Parameter>& list, const std::string& name)
{
    for (const auto& p : list)
        if (p.name == name)
            return p;
    FAIL ("no parameter " << name);
    return {};
}

model::Parameter cutoff() { return model::makeFilterParameters (model::FilterType::lowPass).at (0); }
} // namespace

TEST_CASE ("paramtext names the unit of every model parameter", "[gui][paramtext]")
{
    CHECK (unitFor ("cutoff") == "Hz");
    CHECK (unitFor ("band3.freq") == "Hz");
    CHECK (unitFor ("pwmRate") == "Hz");
    CHECK (unitFor ("lfo rate") == "Hz");
    CHECK (unitFor ("attack") == "s");
    CHECK (unitFor ("release") == "s");
    CHECK (unitFor ("time") == "s");
    CHECK (unitFor ("decay") == "s");
    CHECK (unitFor ("threshold") == "dB");
    CHECK (unitFor ("band1.gain") == "dB");
    CHECK (unitFor ("gain") == "dB");
    CHECK (unitFor ("level") == "dB");
    CHECK (unitFor ("mix") == "%");
    CHECK (unitFor ("depth") == "%");
    CHECK (unitFor ("feedback") == "%");
    CHECK (unitFor ("ratio") == ":1");
    CHECK (unitFor ("tune") == "st");
    CHECK (unitFor ("fine") == "ct");
    CHECK (unitFor ("voices") == "");
    CHECK (unitFor ("Some Plugin Knob") == "");

    // Every parameter the model makes reads back what it prints (the round trip a click on the value does).
    std::vector<model::Parameter> all;
    for (int s = 0; s < model::numBuiltInSources; ++s)
        for (const auto& p : model::makeParameters ((model::BuiltInSource) s))
            all.push_back (p);
    for (int f = 0; f < model::numFilterTypes; ++f)
        for (const auto& p : model::makeFilterParameters ((model::FilterType) f))
            all.push_back (p);
    for (const auto& p : model::makeEqParameters())
        all.push_back (p);
    for (int e = 0; e < model::numBuiltInEffectTypes; ++e)
        for (const auto& p : model::makeEffectParameters ((model::EffectType) e))
            all.push_back (p);
    for (const auto& p : all)
    {
        for (const auto v : { p.minValue, p.defaultValue, p.maxValue, p.minValue + (p.maxValue - p.minValue) * 0.37f })
        {
            const auto shown = format (withValue (p, v));
            INFO (p.name << " = " << v << " shows " << shown);
            CHECK (shown.isNotEmpty());
            CHECK (shown.length() <= 12);
            const auto back = parse (shown, withValue (p, v));
            REQUIRE (back.has_value());
            // About three significant digits (whole percents): the value read back is within a shown step.
            if (p.name == "loop")
                CHECK ((*back >= 0.5f) == (v >= 0.5f));
            else if (v == 0.0f && (p.name == "level" || p.name == "gain"))
                CHECK (*back == 0.0f);
            else
                CHECK (std::abs (*back - v) <= std::max ({ std::abs (v) * 0.02f, (p.maxValue - p.minValue) * 0.006f, 0.005f }));
        }
    }
}

TEST_CASE ("paramtext prints short values with their unit", "[gui][paramtext]")
{
    CHECK (format (withValue (cutoff(), 1200.0f)) == "1.20 kHz");
    CHECK (format (withValue (cutoff(), 350.0f)) == "350 Hz");
    CHECK (format (withValue (cutoff(), 12500.0f)) == "12.5 kHz");
    CHECK (format (withValue (cutoff(), 45.26f)) == "45.3 Hz");

    const auto delay = model::makeEffectParameters (model::EffectType::delay);
    CHECK (format (withValue (named (delay, "time"), 0.35f)) == "350 ms");
    CHECK (format (withValue (named (delay, "time"), 1.5f)) == "1.50 s");
    CHECK (format (withValue (named (delay, "mix"), 0.45f)) == "45 %");
    CHECK (format (withValue (named (delay, "feedback"), 0.045f)) == "4.5 %");

    const auto comp = model::makeEffectParameters (model::EffectType::compressor);
    CHECK (format (withValue (named (comp, "threshold"), -6.0f)) == "-6.0 dB");
    CHECK (format (withValue (named (comp, "ratio"), 4.0f)) == "4.0:1");
    CHECK (format (withValue (named (comp, "attack"), 0.01f)) == "10.0 ms");

    // Linear gains are shown in dB; an EQ band's gain is stored in dB already.
    const auto gain = model::makeEffectParameters (model::EffectType::gain).at (0);
    CHECK (format (withValue (gain, 1.0f)) == "0.0 dB");
    CHECK (format (withValue (gain, 0.5f)) == "-6.0 dB");
    CHECK (format (withValue (gain, 0.0f)) == "-inf dB");
    CHECK (format (withValue (named (model::makeEqParameters(), "band2.gain"), -3.5f)) == "-3.5 dB");

    // A distortion's tone is an amount (0..1), a snare's a frequency.
    CHECK (format (withValue (named (model::makeEffectParameters (model::EffectType::distortion), "tone"), 0.5f)) == "50 %");
    CHECK (format (withValue (named (model::makeParameters (model::BuiltInSource::snare), "tone"), 180.0f)) == "180 Hz");

    const auto sampler = model::makeParameters (model::BuiltInSource::sampler);
    CHECK (format (named (sampler, "rootNote")) == "C4 (60)");
    CHECK (format (withValue (named (sampler, "loop"), 1.0f)) == "on");
    CHECK (format (withValue (named (model::makeParameters (model::BuiltInSource::saw), "tune"), 7.0f)) == "+7 st");
    CHECK (format (withValue (named (model::makeParameters (model::BuiltInSource::saw), "fine"), -12.0f)) == "-12 ct");
    CHECK (format (named (model::makeParameters (model::BuiltInSource::supersaw), "voices")) == "7");
    CHECK (format (model::Parameter { "pan", -0.3f, -1.0f, 1.0f, 0.0f }) == "L 30");
    CHECK (gui::paramtext::formatPlain (model::Parameter { "Cutoff", 0.25f, 0.0f, 1.0f, 0.5f }) == "0.250");
}

TEST_CASE ("paramtext reads what a person types into the model's units", "[gui][paramtext]")
{
    const auto c = cutoff();
    CHECK (parse ("1.2k", c) == 1200.0f);
    CHECK (parse ("1.2 kHz", c) == 1200.0f);
    CHECK (parse ("1200 Hz", c) == 1200.0f);
    CHECK (parse ("1200hz", c) == 1200.0f);
    CHECK (parse ("  800 ", c) == 800.0f);
    CHECK (parse ("1,5k", c) == 1500.0f);
    CHECK_FALSE (parse ("loud", c).has_value());
    CHECK_FALSE (parse ("12 apples", c).has_value());
    CHECK_FALSE (parse ("", c).has_value());
    CHECK (parse ("30000", c) == 30000.0f); // out of range is returned: the dispatcher refuses it

    auto time = named (model::makeEffectParameters (model::EffectType::delay), "time");
    CHECK (parse ("350ms", time) == Approx (0.35f));
    CHECK (parse ("0.35 s", time) == Approx (0.35f));
    CHECK (parse ("2s", time) == 2.0f);
    // A bare number is read in the unit the value is shown in.
    CHECK (parse ("500", withValue (time, 0.35f)) == Approx (0.5f)); // shown "350 ms"
    CHECK (parse ("2", withValue (time, 1.5f)) == 2.0f); // shown "1.50 s"

    const auto threshold = named (model::makeEffectParameters (model::EffectType::compressor), "threshold");
    CHECK (parse ("-6", threshold) == -6.0f);
    CHECK (parse ("-6 dB", threshold) == -6.0f);
    CHECK (parse ("+3db", threshold) == 3.0f);

    const auto gain = model::makeEffectParameters (model::EffectType::gain).at (0);
    CHECK (parse ("-6", gain) == Approx (0.501187f));
    CHECK (parse ("0 dB", gain) == Approx (1.0f));
    CHECK (parse ("-inf", gain) == 0.0f);
    CHECK (parse ("2x", gain) == 2.0f);

    const auto mix = named (model::makeEffectParameters (model::EffectType::delay), "mix");
    CHECK (parse ("45", mix) == Approx (0.45f));
    CHECK (parse ("45%", mix) == Approx (0.45f));
    CHECK (parse ("45 %", mix) == Approx (0.45f));
    CHECK_FALSE (parse ("45 Hz", mix).has_value());

    const auto ratio = named (model::makeEffectParameters (model::EffectType::compressor), "ratio");
    CHECK (parse ("4:1", ratio) == 4.0f);
    CHECK (parse ("8", ratio) == 8.0f);

    const auto sampler = model::makeParameters (model::BuiltInSource::sampler);
    CHECK (parse ("C4", named (sampler, "rootNote")) == 60.0f);
    CHECK (parse ("A#3", named (sampler, "rootNote")) == 58.0f);
    CHECK (parse ("64", named (sampler, "rootNote")) == 64.0f);
    CHECK (parse ("on", named (sampler, "loop")) == 1.0f);
    CHECK (parse ("off", named (sampler, "loop")) == 0.0f);

    const model::Parameter pan { "pan", 0.0f, -1.0f, 1.0f, 0.0f };
    CHECK (parse ("L 30", pan) == Approx (-0.3f));
    CHECK (parse ("R50", pan) == Approx (0.5f));
    CHECK (parse ("C", pan) == 0.0f);

    CHECK (gui::paramtext::parsePlain ("0.25", c) == 0.25f);
    CHECK_FALSE (gui::paramtext::parsePlain ("0.25 Hz", c).has_value());
}

TEST_CASE ("paramtext names parameters for people", "[gui][paramtext]")
{
    CHECK (gui::paramtext::displayName ("cutoff") == "Cutoff");
    CHECK (gui::paramtext::displayName ("pwmRate") == "PWM rate");
    CHECK (gui::paramtext::displayName ("rootNote") == "Root note");
    CHECK (gui::paramtext::displayName ("band2.freq") == "Band 2 freq");
    CHECK (gui::paramtext::displayName ("band4.q") == "Band 4 Q");
}
