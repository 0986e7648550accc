#pragma once

namespace imbolc::sc
{

/** The voice definition for a built-in source on SuperCollider, or nullopt when the backend does not
    play that source (the drum kit). The sampler's is samplerDefinition (1): a mono buffer.

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

/** The sampler's voice for a buffer of `channels` (1 or 2) channels: controls out, note, amp, gate,
    the model's rootNote, start, loop and level, then buf (the buffer number), rateScale (file rate /
    server rate for a buffer sent with /b_setn, whose rate scsynth takes as its own; 1 for one it read)
    and the amp envelope's. It plays the buffer with PlayBuf (cubic interpolation; exact at the root)
    at BufRateScale * rateScale * midiratio (note - rootNote), from start * BufFrames, looping the
    whole buffer when loop >= 0.5, otherwise ending the voice with the sample. Any thread. */
SynthDefBuilder samplerDefinition (int channels);
std::string samplerDefinitionName (int channels);

/** Every voice definition the backend has, for one /d_recv. */
std::vector<SynthDefBuilder> allVoiceDefinitions();

} // namespace imbolc::sc
