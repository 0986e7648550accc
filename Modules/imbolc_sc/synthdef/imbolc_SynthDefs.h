#pragma once

namespace imbolc::sc
{

/** The voice definition for a built-in source on SuperCollider, or nullopt when the backend does not
    play that source yet (the sampler: it needs a buffer on the server).

    Every voice definition has the controls out, note, amp (the velocity, 0..1), gate, then the model's
    source parameter names (tune, fine, level, width, pwmRate, pwmDepth, colour, detune, voices, mix,
    ratio, index, feedback, pitch, sweep, click, tone, snappy, decay: each definition reads those its
    source has) and the amp envelope's (ampAttack, ampDecay, ampSustain, ampRelease: prefixed, as the
    drums have a "decay" of their own). It plays the source at midicps (note + tune + fine / 100), times
    an ADSR (EnvGen, freed when its release ends: doneAction 2), times amp and level, the same on both
    channels of the stereo bus pair starting at `out` (the instrument's strip pans). Drums ignore the
    note and ring out over their own decay, freeing themselves 80 dB down. Any thread.
*/
std::optional<SynthDefBuilder> voiceDefinition (model::BuiltInSource);

/** The name scsynth knows a built-in's voice definition by ("imbolc_saw", ...). */
std::string voiceDefinitionName (model::BuiltInSource);

/** Every voice definition the backend has, for one /d_recv. */
std::vector<SynthDefBuilder> allVoiceDefinitions();

} // namespace imbolc::sc
