#pragma once

namespace imbolc::sc
{

/** The voice definition for a built-in source on SuperCollider, or nullopt when the backend does not
    play that source yet (sampler, FM, supersaw, drums: they stay on the internal engine).

    Every voice definition has the controls out, note, amp (the velocity, 0..1), gate, then the model's
    source parameter names (tune, fine, level, width, pwmRate, pwmDepth, colour: each definition reads
    those its source has) and its ADSR names (attack, decay, sustain, release). It plays the oscillator
    at midicps (note + tune + fine / 100), times an ADSR (EnvGen, freed when its release ends:
    doneAction 2), times amp and level, the same on both channels of the stereo bus pair starting at
    `out` (the instrument's strip pans). Any thread.
*/
std::optional<SynthDefBuilder> voiceDefinition (model::BuiltInSource);

/** The name scsynth knows a built-in's voice definition by ("imbolc_saw", ...). */
std::string voiceDefinitionName (model::BuiltInSource);

/** Every voice definition the backend has, for one /d_recv. */
std::vector<SynthDefBuilder> allVoiceDefinitions();

} // namespace imbolc::sc
