#!/usr/bin/env python3
"""Imbolc's LV2 in jalv (lilv's console host), on a private JACK server (dummy backend, 48 kHz, 256).

How: jalv loads the plugin from a state file this test writes (-l: a state.ttl whose StateString is
the test session: one saw, attack 5 ms, release 10 ms), so jalv restores Imbolc's state through
lilv. jack_midiseq (from jackd2) loops a sequence of three A4 notes, at 0, 1/4 and 3/4 of its 24000
sample period, into jalv's MIDI input; jack_rec records jalv's two outputs for 4 s to a 24-bit WAV.
The server runs synchronously (-S), so a client late on a loaded machine delays a cycle rather than
losing it. Every client has a name of this run's own (JACK's client sockets ignore the server's name).
Then:
  - the recording is not silent, and its note onsets come in the sequence's pattern: each gap between
    onsets is 1/4, 1/2 or 1/4 of the period in that cyclic order, to within TOLERANCE samples (JACK
    counts frames exactly on both ends, so these are ratios to the period, not wall-clock times);
  - the output is silent 40 ms after each note off: the loaded session's 10 ms release, where the
    plugin's starting session (release 200 ms) would still sound, so the state really was restored;
  - jalv printed nothing that looks like an error, and exited with 0 within 10 s of its console's
    stdin closing (the way jalv is told to quit).

usage: imbolc_jalv_test.py PLUGIN_DIR IMBOLC_CLI
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imbolc_hosts as h

PERIOD = 24000  # jack_midiseq loop, samples
NOTES = [(0, 69, 3000), (6000, 69, 3000), (18000, 69, 3000)]  # start, pitch, length
RATIOS = [0.25, 0.5, 0.25]  # the gaps onset to onset, in periods, cyclically
RECORD_SECONDS = 4
TOLERANCE = 4  # samples


def body(t):
    plugin_dir, imbolc = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    for p in ("jalv", "jack_midiseq", "jack_rec"):
        h.need_program(p)
    if not os.path.isfile(os.path.join(plugin_dir, "LV2", "Imbolc.lv2", "manifest.ttl")):
        h.fail("there is no LV2 bundle at %s/LV2/Imbolc.lv2 (build imbolc_plugin_LV2)" % plugin_dir)

    _, session = h.make_test_session(imbolc, t.work)
    state_dir = t.path("state")
    os.makedirs(state_dir)
    preset = h.write_lv2_preset_bundle(t.path("preset"), "Imbolc host test", session)
    os.rename(preset, os.path.join(state_dir, "state.ttl"))

    jack = h.Jack(t, sync=True)
    # Client names of this run only: JACK puts a client's socket at /dev/shm/jack_<client>_<uid>_0
    # whatever its server, so another test's client of the same name would take it. (jack_rec always
    # names itself "jackrec": only two runs of this test at the same moment could meet there.)
    client = "imbolc-jalv-%d" % os.getpid()
    sequencer = "imbolc-seq-%d" % os.getpid()
    env = jack.env(LV2_PATH=os.path.join(plugin_dir, "LV2"))
    jalv = t.spawn(["jalv", "-x", "-n", client, "-l", state_dir], "jalv", env=env, stdin=h.subprocess.PIPE)

    def jalv_ports():
        if jalv.poll() is not None:
            h.fail("jalv exited at start (exit %s): %s" % (jalv.returncode, t.output(jalv).strip()[-300:]))
        return [p for p in jack.ports() if p.startswith(client + ":")]

    h.wait_for(lambda: len(jalv_ports()) >= 3, 30, "jalv registering its JACK ports")
    ports = jalv_ports()
    t.log("jalv ports: %s" % " ".join(ports))
    ins = [p for p in ports if "midi" in p.lower() or p.endswith(":in")]
    outs = [p for p in ports if p not in ins]
    if len(ins) != 1 or len(outs) != 2:
        h.fail("jalv's ports are not one MIDI input and two audio outputs: %s" % ", ".join(ports))

    seq_args = ["jack_midiseq", sequencer, str(PERIOD)]
    for start, pitch, length in NOTES:
        seq_args += [str(start), str(pitch), str(length)]
    seq = t.spawn(seq_args, "jack_midiseq", env=jack.env())
    h.wait_for(lambda: any(p.startswith(sequencer + ":") for p in jack.ports()), 15, "jack_midiseq registering its port")
    seq_port = next(p for p in jack.ports() if p.startswith(sequencer + ":"))
    jack.connect(seq_port, ins[0])

    wav = t.path("jalv.wav")
    # -B: a ring buffer for the whole recording, so a starved disk thread on a loaded machine cannot
    # make it drop frames (jack_rec counts those as overruns, and the test fails on any).
    rec = t.spawn(["jack_rec", "-f", wav, "-d", str(RECORD_SECONDS), "-b", "24", "-B", str((RECORD_SECONDS + 2) * h.RATE)] + outs, "jack_rec", env=jack.env())
    try:
        rec.wait(RECORD_SECONDS + 30)
    except h.subprocess.TimeoutExpired:
        h.fail("jack_rec did not finish a %d s recording within %d s" % (RECORD_SECONDS, RECORD_SECONDS + 30))
    if rec.returncode != 0 or "overrun" in t.output(rec).lower():
        h.fail("jack_rec failed (exit %s): %s" % (rec.returncode, t.output(rec).strip()[-300:]))
    jack.check_alive()

    # Told to quit: jalv's console reads commands from stdin until it closes.
    if jalv.poll() is not None:
        h.fail("jalv exited while playing (exit %s)" % jalv.returncode)
    jalv.stdin.close()
    try:
        jalv.wait(10)
    except h.subprocess.TimeoutExpired:
        h.fail("jalv did not exit within 10 s of its stdin closing")
    said = t.output(jalv)
    bad = [line for line in said.splitlines() if any(w in line.lower() for w in ("error", "fail", "warning", "cannot", "unable"))]
    if bad:
        h.fail("jalv printed %s" % bad[0].strip())
    if jalv.returncode != 0:
        h.fail("jalv exited with %d when told to quit" % jalv.returncode)
    t.log("jalv quit cleanly on EOF (exit 0), no errors in its output")

    rate, channels = h.read_wav(wav)
    if rate != h.RATE or len(channels) != 2:
        h.fail("jack_rec wrote %d channels at %d Hz, not 2 at %d" % (len(channels), rate, h.RATE))
    left = channels[0]
    top = h.peak(left)
    t.log("recorded %d frames, peak %.3f" % (len(left), top))
    if top < 0.01:
        h.fail("jalv's output is silent (peak %.5f) while jack_midiseq played notes into it" % top)
    found = h.onsets(left, 0.1 * top, quiet=1440)
    # The first onset may be a note cut by the recording's start: judge from the second.
    found = found[1:]
    gaps = [b - a for a, b in zip(found, found[1:])]
    t.log("onsets: %s" % found)
    t.log("gaps: %s" % gaps)
    expected_count = RECORD_SECONDS * h.RATE // PERIOD * len(NOTES)
    if len(found) < expected_count - 4:
        h.fail("found %d note onsets (each after 30 ms below 10%% of the peak) in %d s where the sequence plays %d notes"
               % (len(found), RECORD_SECONDS, expected_count))
    phase = min(range(3), key=lambda k: sum(abs(g - RATIOS[(i + k) % 3] * PERIOD) for i, g in enumerate(gaps)))
    worst = 0
    for i, g in enumerate(gaps):
        want = RATIOS[(i + phase) % 3] * PERIOD
        worst = max(worst, abs(g - want))
        if abs(g - want) > TOLERANCE:
            h.fail("onset gap %d is %d samples (%.4f of the period) where the sequence has %.2f of it (%d)"
                   % (i, g, g / PERIOD, RATIOS[(i + phase) % 3], want))
    t.log("%d gaps match the sequence's 1/4, 1/2, 1/4 of its period; worst error %d samples (tolerance %d)" % (len(gaps), worst, TOLERANCE))

    # The loaded session's release is 10 ms: 40 ms after each note off (3000 samples after its onset)
    # the output is silent. The starting session's 200 ms release would still be far above this.
    for on in found:
        tail = left[on + 3000 + 1920:on + 3000 + 2400]
        if len(tail) == 480 and h.peak(tail) > 0.001 * top:
            h.fail("the output still sounds 40 ms after a note off (peak %.4f of the notes'): jalv did not restore the test session's 10 ms release" % (h.peak(tail) / top))
    t.log("each note is silent 40 ms after its note off: the loaded session's envelope plays")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(h.Harness("jalv", deadline=100).run(body))
