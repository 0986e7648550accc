#pragma once

namespace imbolc::sc
{

/** The definition that runs a chain's processing stage on SuperCollider, or nullopt when the backend
    has none (plugin effects stay on the internal engine; also a definition that reads a parameter the
    model no longer has, which the tests catch).

    Every stage definition has the control `bus` first, then one control per model parameter, named
    exactly as the model names it ("cutoff", "band1.gain", ...) with the model's default value: a
    model SetParam is `/n_set node <name> <value>` with no conversion on our side (dB to gain,
    resonance to rq, feedback to decay time all happen inside the definition). It processes the
    stereo pair of audio buses at `bus` in place (In.ar, then ReplaceOut.ar), so bypass is
    `/n_run node 0`: a paused stage leaves the bus exactly as it was.

    What each one does (the same laws as the internal engine's stages where SuperCollider allows):
    - filters (RLPF, RHPF, BPF, BRF): rq = sqrt 2 * (1 / (25 sqrt 2))^resonance, i.e. Q from 0.707
      (Butterworth) at resonance 0 to 25 at 1; drive blends towards tanh of the signal 18 dB hotter
      (scaled back by 9 dB): drive 0 is exactly clean. Cutoff is held below 0.45 of the sample rate.
    - eq: four BPeakEQ bands in series, rq = 1 / q, gain in dB.
    - delay: CombC per side (4 s at most: with a real-time pool of 8 MB, scsynth's default -m, there
      is room for about three delay stages; start the server with a larger -m for more): the first
      echo at `time` at unity, each further one `feedback` times the last (decay time derived from
      feedback); out = dry + mix * (wet - dry).
    - reverb: FreeVerb2 (room = size, damp = damping) fully wet, its width by mid/side
      (1 = as FreeVerb2 gives it, 0 = mono), mixed equal-power (dry cos, wet sin of mix * pi / 2).
    - chorus: DelayC per side around 10 ms, swept +-7 ms * depth by a sine at `rate` (the right side
      a quarter cycle later); out = dry + mix * (wet - dry).
    - compressor: Compander on both sides, keyed by the louder side; threshold in dB, slope above it
      1 / ratio, attack = clamp time, release = relax time, makeup in dB. A hard knee (the internal
      engine's has 6 dB).
    - distortion: tanh of the signal up to 30 dB hotter (with a drive-dependent bias: even
      harmonics), scaled back, DC removed (LeakDC, 10 Hz), then a Butterworth low-pass from 500 Hz
      (tone 0) to 20 kHz (tone 1); out = dry + mix * (wet - dry).
    - limiter: Limiter per side at the ceiling (dB). Limiter's look-ahead cannot change after the node
      starts, so it is fixed (limiterLookaheadSeconds; the signal is delayed by twice that) and the
      `release` control is accepted but has no effect on SuperCollider.
    - gain: the signal times gain.

    Any thread.
*/
std::optional<SynthDefBuilder> stageDefinition (const model::Stage&);

/** The name scsynth knows a stage's definition by: "imbolc_filter_lowpass", "imbolc_filter_highpass",
    "imbolc_filter_bandpass", "imbolc_filter_notch", "imbolc_eq", "imbolc_fx_delay", "imbolc_fx_reverb",
    "imbolc_fx_chorus", "imbolc_fx_compressor", "imbolc_fx_distortion", "imbolc_fx_limiter",
    "imbolc_fx_gain"; empty for a stage that has no definition (plugin effects). Any thread. */
std::string stageDefinitionName (const model::Stage&);

/** Look-ahead of the limiter stage and of the safety stage, in seconds (their delay is twice this). */
constexpr float limiterLookaheadSeconds = 0.005f;

/** "imbolc_strip": a mixer strip. Reads the stereo pair at `in` and adds it (Out.ar: summing) to the
    pair at `out` (0: the hardware outputs), times `level` (default 0.8), times 1 - `mute` (0 or 1),
    panned by `pan` (-1..1) with the internal engine's balance law: the centre is unity, turning one
    way only turns the other side down (pan -1: left unity, right silent). Level, mute and pan glide
    (Lag, 10 ms to -60 dB), so changing them does not click. Controls in order: in, out, level, pan,
    mute. Any thread. */
SynthDefBuilder stripDefinition();

/** "imbolc_send": adds the stereo pair at `in` to the pair at `out`, times `level` (default 0, glides
    like the strip's). Controls in order: in, out, level. Any thread. */
SynthDefBuilder sendDefinition();

/** The safety stage's ceiling: 0.98 (-0.18 dBFS). */
constexpr float safetyCeiling = 0.98f;

/** "imbolc_safety": the output's last stage, in place on the stereo pair at `bus` (default 0): a peak
    limiter at safetyCeiling with instant attack and no look-ahead (no latency), both sides linked,
    so nothing past it clips. Control: bus. Any thread. */
SynthDefBuilder safetyDefinition();

/** Every processing definition (each filter type, the EQ, each built-in effect, strip, send and
    safety), for one /d_recv. Any thread. */
std::vector<SynthDefBuilder> allProcessingDefinitions();

} // namespace imbolc::sc
