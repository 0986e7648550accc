namespace imbolc::model
{

namespace
{
    std::vector<Parameter> make (std::initializer_list<ParameterSpec> specs)
    {
        std::vector<Parameter> params;
        params.reserve (specs.size());
        for (const auto& s : specs)
            params.push_back (s.make());
        return params;
    }
} // namespace

const char* toString (BuiltInSource s) noexcept
{
    static constexpr const char* names[] = { "saw", "square", "pulse", "triangle", "sine", "noise", "supersaw", "fm", "sampler", "kick", "snare", "hat", "drum kit" };
    const auto i = (std::size_t) s;
    return i < std::size (names) ? names[i] : "unknown";
}

const char* toString (FilterType f) noexcept
{
    static constexpr const char* names[] = { "low-pass", "high-pass", "band-pass", "notch" };
    const auto i = (std::size_t) f;
    return i < std::size (names) ? names[i] : "unknown";
}

const char* toString (EffectType e) noexcept
{
    static constexpr const char* names[] = { "delay", "reverb", "chorus", "compressor", "distortion", "limiter", "gain", "plugin" };
    const auto i = (std::size_t) e;
    return i < std::size (names) ? names[i] : "unknown";
}

std::vector<Parameter> makeParameters (BuiltInSource s)
{
    // Frequencies in Hz, times in seconds, levels as linear gain, amounts 0..1.
    switch (s)
    {
        case BuiltInSource::saw:
        case BuiltInSource::triangle:
        case BuiltInSource::sine:
            return make ({ { "tune", -24.0f, 24.0f, 0.0f }, { "fine", -100.0f, 100.0f, 0.0f }, { "level", 0.0f, 2.0f, 0.8f } });
        case BuiltInSource::square:
        case BuiltInSource::pulse:
            return make ({ { "tune", -24.0f, 24.0f, 0.0f }, { "fine", -100.0f, 100.0f, 0.0f }, { "level", 0.0f, 2.0f, 0.8f }, { "width", 0.05f, 0.95f, 0.5f }, { "pwmRate", 0.0f, 20.0f, 0.0f }, { "pwmDepth", 0.0f, 0.45f, 0.0f } });
        case BuiltInSource::noise:
            return make ({ { "colour", 0.0f, 1.0f, 0.0f }, { "level", 0.0f, 2.0f, 0.5f } });
        case BuiltInSource::supersaw:
            return make ({ { "tune", -24.0f, 24.0f, 0.0f }, { "detune", 0.0f, 1.0f, 0.3f }, { "voices", 1.0f, 9.0f, 7.0f }, { "mix", 0.0f, 1.0f, 0.7f }, { "level", 0.0f, 2.0f, 0.6f } });
        case BuiltInSource::fm:
            return make ({ { "tune", -24.0f, 24.0f, 0.0f }, { "ratio", 0.25f, 16.0f, 2.0f }, { "index", 0.0f, 20.0f, 2.0f }, { "feedback", 0.0f, 1.0f, 0.0f }, { "level", 0.0f, 2.0f, 0.7f } });
        case BuiltInSource::sampler:
            return make ({ { "rootNote", 0.0f, 127.0f, 60.0f }, { "start", 0.0f, 1.0f, 0.0f }, { "loop", 0.0f, 1.0f, 0.0f }, { "level", 0.0f, 2.0f, 1.0f } });
        case BuiltInSource::kick:
            return make ({ { "pitch", 20.0f, 200.0f, 50.0f }, { "sweep", 0.0f, 1.0f, 0.6f }, { "decay", 0.02f, 2.0f, 0.4f }, { "click", 0.0f, 1.0f, 0.3f }, { "level", 0.0f, 2.0f, 1.0f } });
        case BuiltInSource::snare:
            return make ({ { "tone", 80.0f, 400.0f, 180.0f }, { "snappy", 0.0f, 1.0f, 0.6f }, { "decay", 0.02f, 1.0f, 0.2f }, { "level", 0.0f, 2.0f, 0.9f } });
        case BuiltInSource::hat:
            return make ({ { "tone", 2000.0f, 16000.0f, 8000.0f }, { "decay", 0.01f, 1.0f, 0.08f }, { "level", 0.0f, 2.0f, 0.6f } });
        case BuiltInSource::drumKit:
            // The whole kit's level; each pad's sound is in Instrument::drums.
            return make ({ { "level", 0.0f, 2.0f, 1.0f } });
    }
    return {};
}

std::vector<Parameter> makeFilterParameters (FilterType)
{
    return make ({ { "cutoff", 20.0f, 20000.0f, 2000.0f }, { "resonance", 0.0f, 1.0f, 0.2f }, { "drive", 0.0f, 1.0f, 0.0f } });
}

std::vector<Parameter> makeEqParameters()
{
    static constexpr float centres[eqBandCount] = { 100.0f, 500.0f, 2000.0f, 8000.0f };
    std::vector<Parameter> params;
    for (int band = 0; band < eqBandCount; ++band)
    {
        const auto prefix = "band" + std::to_string (band + 1) + ".";
        params.push_back (ParameterSpec { "", 20.0f, 20000.0f, centres[band] }.make());
        params.back().name = prefix + "freq";
        params.push_back (ParameterSpec { "", -24.0f, 24.0f, 0.0f }.make());
        params.back().name = prefix + "gain";
        params.push_back (ParameterSpec { "", 0.1f, 18.0f, 0.707f }.make());
        params.back().name = prefix + "q";
    }
    return params;
}

std::vector<Parameter> makeEffectParameters (EffectType e)
{
    switch (e)
    {
        case EffectType::delay:
            return make ({ { "time", 0.001f, 4.0f, 0.375f }, { "feedback", 0.0f, 0.98f, 0.4f }, { "mix", 0.0f, 1.0f, 0.3f } });
        case EffectType::reverb:
            return make ({ { "size", 0.0f, 1.0f, 0.5f }, { "damping", 0.0f, 1.0f, 0.5f }, { "width", 0.0f, 1.0f, 1.0f }, { "mix", 0.0f, 1.0f, 0.25f } });
        case EffectType::chorus:
            return make ({ { "rate", 0.01f, 10.0f, 0.8f }, { "depth", 0.0f, 1.0f, 0.3f }, { "mix", 0.0f, 1.0f, 0.5f } });
        case EffectType::compressor:
            return make ({ { "threshold", -60.0f, 0.0f, -18.0f }, { "ratio", 1.0f, 20.0f, 4.0f }, { "attack", 0.0001f, 0.5f, 0.01f }, { "release", 0.005f, 2.0f, 0.15f }, { "makeup", 0.0f, 24.0f, 0.0f } });
        case EffectType::distortion:
            return make ({ { "drive", 0.0f, 1.0f, 0.3f }, { "tone", 0.0f, 1.0f, 0.5f }, { "mix", 0.0f, 1.0f, 1.0f } });
        case EffectType::limiter:
            return make ({ { "ceiling", -24.0f, 0.0f, -0.3f }, { "release", 0.001f, 1.0f, 0.05f } });
        case EffectType::gain:
            return make ({ { "gain", 0.0f, 4.0f, 1.0f } });
        case EffectType::plugin:
            return {}; // a plugin's parameters come from the plugin once it is loaded
    }
    return {};
}

} // namespace imbolc::model
