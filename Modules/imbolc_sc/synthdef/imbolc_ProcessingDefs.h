#pragma once

namespace imbolc::sc
{

/** The definition that plays a processing stage on SuperCollider, or nullopt when the backend has
    none (a plugin effect stays on the internal engine).

    Every stage definition has a control `bus` and processes that stereo bus pair in place
    (In.ar, then ReplaceOut.ar): so a paused stage (/n_run 0) leaves the bus as it was, which is
    exactly bypass. Its other controls are the model's parameter names with the model's defaults,
    so a SetParam is one /n_set of the model's name and value; conversions (dB to gain, resonance to
    rq) happen inside the definition. Any thread.
*/
std::optional<SynthDefBuilder> stageDefinition (const model::Stage&);

/** The name scsynth knows a stage's definition by ("imbolc_filter_low-pass", "imbolc_eq", "imbolc_fx_delay"). */
std::string stageDefinitionName (const model::Stage&);

/** "imbolc_strip": a mixer strip. Controls in (stereo bus read), out (stereo bus added to; the
    hardware outputs for the master), level, pan (Balance2), mute (0/1). Level and mute glide over
    10 ms, so a change never clicks. */
SynthDefBuilder stripDefinition();

/** "imbolc_send": adds `in` times level to `out` (both stereo). */
SynthDefBuilder sendDefinition();

/** "imbolc_safety": a limiter at -0.2 dBFS on the stereo pair at `bus`, in place; last of all. */
SynthDefBuilder safetyDefinition();

/** Every stage definition (each filter type, the EQ, every built-in effect), the strip, the send and
    the safety limiter, for one /d_recv. */
std::vector<SynthDefBuilder> allProcessingDefinitions();

} // namespace imbolc::sc
