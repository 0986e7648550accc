#pragma once

// Plugin hosting tests run real plugins: Debian's mda-lv2 (LV2) and the VST3 test synth built in
// Tests/Plugins (its path comes from CMake as IMBOLC_TEST_SYNTH_VST3).

#include "imbolc_EngineTestSupport.h"

#include <imbolc_protocol/imbolc_protocol.h>

namespace imbolc::test
{

inline const char* const jx10Uri = "http://drobilla.net/plugins/mda/JX10";
inline const char* const delayUri = "http://drobilla.net/plugins/mda/Delay";

inline model::PluginRef lv2Ref (const char* uri)
{
    model::PluginRef ref;
    ref.format = model::PluginFormat::lv2;
    ref.identifier = uri;
    return ref;
}

/** The test synth; a bare bundle path names the first (only) plugin in it. */
inline model::PluginRef testSynthRef()
{
    model::PluginRef ref;
    ref.format = model::PluginFormat::vst3;
    ref.identifier = IMBOLC_TEST_SYNTH_VST3;
    return ref;
}

/** Test synth parameters (normalized), in the plugin's order. */
enum TestSynthParam : std::uint16_t
{
    synthGain = 0,
    synthTranspose = 1
};

/** An EngineRig that adds plugins the way the app will: inspect the plugin through the engine's own
    PluginHost, put its ref and parameters into the model, dispatch. */
struct PluginRig : EngineRig
{
    using EngineRig::EngineRig;

    engine::PluginHost& host() { return engine.getNodeFactory().getPluginHost(); }

    engine::PluginHost::Inspection inspect (const model::PluginRef& ref)
    {
        juce::String error;
        auto info = host().inspect (ref, error);
        INFO (error);
        REQUIRE (info.has_value());
        return *info;
    }

    model::Source pluginSource (const model::PluginRef& ref)
    {
        const auto info = inspect (ref);
        model::Source s;
        s.kind = model::SourceKind::plugin;
        s.plugin = info.ref;
        s.plugin.state = ref.state;
        s.params = info.params;
        return s;
    }

    model::Stage pluginStage (const model::PluginRef& ref)
    {
        const auto info = inspect (ref);
        model::Stage st;
        st.kind = model::StageKind::effect;
        st.effect = model::EffectType::plugin;
        st.plugin = info.ref;
        st.plugin.state = ref.state;
        st.params = info.params;
        return st;
    }

    model::InstrumentId addPluginInstrument (const model::PluginRef& ref, std::vector<model::Stage> chain = {})
    {
        return model::InstrumentId { act (model::action::AddInstrument { "plugin", pluginSource (ref), model::Backend::internal, std::move (chain) }) };
    }

    /** Renders `seconds` of audio inline; returns the left channel (right in `rightOut` if given). */
    std::vector<float> renderSeconds (double seconds, std::vector<float>* rightOut = nullptr)
    {
        std::vector<float> l, r;
        render (juce::jmax (1, (int) std::ceil (seconds * sampleRate / blockSize)), l, r);
        if (rightOut != nullptr)
            *rightOut = std::move (r);
        return l;
    }

    /** 50 ms of silence, then `note` held for `hold` seconds and released for `tail` seconds: the left
        channel of the note (from its start). */
    std::vector<float> playNote (model::InstrumentId id, int note, float velocity, double hold, double tail)
    {
        renderSeconds (0.05);
        engine.noteOn (id, note, velocity);
        auto out = renderSeconds (hold);
        engine.noteOff (id, note);
        const auto after = renderSeconds (tail);
        out.insert (out.end(), after.begin(), after.end());
        return out;
    }

    void applyAll (const std::vector<model::Action>& actions)
    {
        for (const auto& a : actions)
            act (a);
    }
};

inline std::size_t samplesFor (double seconds) { return (std::size_t) (seconds * EngineRig::sampleRate); }

} // namespace imbolc::test
