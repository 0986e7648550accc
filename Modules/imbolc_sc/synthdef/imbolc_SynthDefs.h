#pragma once

namespace imbolc::sc
{

/** The voice definition for a built-in source on SuperCollider, or nullopt when the backend does not
    play that source yet (sampler, FM, supersaw, drums: they stay on the internal engine).

    Every voice definition has the controls out, freq, amp, gate, pan, width, attack, decay, sustain,
    release: the source oscillator times an ADSR (EnvGen, freed when its release ends: doneAction 2),
    times amp, panned (Pan2) to a stereo pair of audio buses starting at `out`. Any thread.
*/
std::optional<SynthDefBuilder> voiceDefinition (model::BuiltInSource);

/** The name scsynth knows a built-in's voice definition by ("imbolc_saw", ...). */
std::string voiceDefinitionName (model::BuiltInSource);

/** Every voice definition the backend has, for one /d_recv. */
std::vector<SynthDefBuilder> allVoiceDefinitions();

} // namespace imbolc::sc
