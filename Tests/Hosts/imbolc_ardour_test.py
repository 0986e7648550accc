#!/usr/bin/env python3
"""Imbolc in Ardour 7, headless (ardour7-lua), as an LV2 or a VST3, on a private JACK server (dummy
backend, 48 kHz, 256; Ardour's JACK backend).

The Imbolc session (test.imbolc, written through the CLI: one saw playing A4 at known ticks at 125
BPM, no effects, no loop) reaches the plugin the way a person would give it to Ardour: as a preset.
  - LV2: a preset bundle on LV2_PATH, its state the StateString property JUCE's LV2 wrapper stores
    (getStateInformation's bytes in JUCE's base64), which Ardour restores through lilv;
  - VST3: a .vstpreset (Steinberg's preset container, the component state being the .imbolc bytes)
    in ~/.vst3/presets/Imbolc/Imbolc, Ardour's VST3 preset folder on Linux.
imbolc_ardour.lua then, in one ardour7-lua process: creates a session at 48 kHz, sets Ardour's tempo
to the session's 125 BPM, adds a MIDI track with Imbolc, loads the preset (Plugin:load_preset),
exports [0, END) through Ardour's SimpleExport (freewheeling JACK) to 32-bit float WAV, and saves. A
second ardour7-lua process opens the saved session, exports again and saves again.

Checks:
  - each export holds the 8 notes: onsets (first sample at 10% of the peak after 30 ms below it)
    within ONSET_TOLERANCE samples of the same detector on `imbolc render test.imbolc` (48 kHz),
    and the gaps between them equal the ticks' gaps at 125 BPM to within ONSET_TOLERANCE;
  - the state Ardour keeps for the plugin after reopening and saving is byte for byte the one it
    kept after the first save (LV2: the StateString in the state.ttl the session XML points at;
    VST3: the base64 <chunk> in the session XML, a preset container with the component and
    controller states), and the Imbolc bytes in it are the test.imbolc bytes loaded (byte for byte);
  - the reopened session's export has the same onsets as the first.

Workarounds, both because ardour7-lua is Ardour without its GUI:
  - VST3: headless Ardour only reads its plugin cache (ARDOUR::init_post_engine calls
    PluginManager::refresh(cache_only=true); the GUI is what scans). So the test runs Ardour's own
    scanner, /usr/lib/ardour7/ardour-vst3-scanner, on the bundle first, as the GUI would, into this
    test's XDG_CACHE_HOME; VST3_PATH (read into the fresh config) points Ardour at the build tree.
  - Export format: the stock presets are 16-bit with shaped dither (or lossy); the test writes an
    export preset (imbolc-test.preset: BWAV 32-bit float, no dither) into this Ardour's config dir.

usage: imbolc_ardour_test.py LV2|VST3 PLUGIN_DIR IMBOLC_CLI
"""

import glob
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imbolc_hosts as h

LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "imbolc_ardour.lua")
PRESET_LABEL = "Imbolc host test"
ONSET_TOLERANCE = 2  # samples
EXPORT_PRESET_ID = "6d4e3b1a-6d2f-4f0e-9d43-1e6b0c3f5a71"
BWAV_FLOAT_FORMAT_ID = "20b4ab09-6452-4cb3-bd66-b921cdbd2942"  # /usr/share/ardour7/export/BWAV 32float Export.format
VST3_SCANNER = "/usr/lib/ardour7/ardour-vst3-scanner"
ARDOUR_LIBS = "/usr/lib/ardour7"
STEP_TIMEOUT = 120


def write_export_preset(home):
    d = os.path.join(home, ".config", "ardour7", "export")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "imbolc-test.preset"), "w") as f:
        f.write("""<?xml version="1.0" encoding="UTF-8"?>
<ExportPreset id="%s" name="Imbolc test: WAV 32-bit float">
  <ExportFormat id="%s"/>
  <ExportFilename>
    <Folder relative="1" path="export"/>
    <Field name="label" enabled="0"/>
    <Field name="session" enabled="0"/>
    <Field name="snapshot" enabled="0"/>
    <Field name="timespan" enabled="1"/>
    <Field name="revision" enabled="0"/>
    <Field name="time" enabled="0" value="T_None"/>
    <Field name="date" enabled="0" value="D_None"/>
  </ExportFilename>
</ExportPreset>
""" % (EXPORT_PRESET_ID, BWAV_FLOAT_FORMAT_ID))


def scan_vst3(t, env, bundle):
    """Ardour's own VST3 scanner writes the cache headless Ardour reads; returns the class id it found."""
    if not os.access(VST3_SCANNER, os.X_OK):
        h.fail("Ardour's VST3 scanner %s is missing (package ardour)" % VST3_SCANNER)
    scan_env = dict(env, LD_LIBRARY_PATH=ARDOUR_LIBS)
    r = subprocess.run([VST3_SCANNER, "-f", bundle], env=scan_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    said = r.stdout.decode("utf-8", "replace")
    caches = glob.glob(os.path.join(env["XDG_CACHE_HOME"], "ardour7", "vst", "*.v3i"))
    if r.returncode != 0 or len(caches) != 1:
        h.fail("ardour-vst3-scanner did not index %s (exit %d, %d cache files): %s" % (bundle, r.returncode, len(caches), said.strip()[-300:]))
    root = ET.parse(caches[0]).getroot()
    infos = [e for e in root.iter() if e.get("uid")]
    if len(infos) != 1 or infos[0].get("name") != "Imbolc":
        h.fail("Ardour's VST3 cache %s does not describe one plugin named Imbolc" % caches[0])
    t.log("ardour-vst3-scanner indexed Imbolc.vst3: uid %s, category %s" % (infos[0].get("uid"), infos[0].get("category")))
    return infos[0].get("uid"), infos[0].get("vendor")


def run_lua(t, env, name, args):
    proc = t.spawn(["stdbuf", "-oL", "-eL", "ardour7-lua", "-X", LUA] + args, "ardour-" + name, env=env)
    try:
        proc.wait(STEP_TIMEOUT)
    except subprocess.TimeoutExpired:
        h.fail("ardour7-lua (%s) did not finish within %d s" % (name, STEP_TIMEOUT))
    said = t.output(proc)
    if proc.returncode != 0 or ("IMBOLC-ARDOUR-OK " + name) not in said:
        errors = [l for l in said.splitlines() if l.startswith("Error") or "[ERROR]" in l or "failed" in l.lower()]
        h.fail("ardour7-lua (%s) failed (exit %s): %s" % (name, proc.returncode, (errors[-1] if errors else said.strip()[-300:]).strip()))
    for line in said.splitlines():
        if line.split(" ")[0].split("\t")[0] in ("tempo", "plugin", "preset", "exported", "saved"):
            t.log("  ardour: " + line.replace("\t", " "))
    return said


def saved_state(session_dir, name, fmt):
    """The plugin's state as Ardour saved it, and the Imbolc bytes inside it."""
    xml_path = os.path.join(session_dir, name + ".ardour")
    root = ET.parse(xml_path).getroot()
    procs = [p for p in root.iter("Processor") if p.get("type") == fmt.lower() and p.get("name") == "Imbolc"]
    if len(procs) != 1:
        h.fail("the saved session has %d Imbolc processors, not 1" % len(procs))
    proc = procs[0]
    if fmt == "LV2":
        node = proc.find("lv2")
        if node is None or not node.get("state-dir"):
            h.fail("Ardour saved no LV2 state directory for Imbolc (its <lv2> node has no state-dir)")
        ttl = os.path.join(session_dir, "plugins", proc.get("id"), node.get("state-dir"), "state.ttl")
        if not os.path.isfile(ttl):
            h.fail("Ardour's session names an LV2 state %s that is not there" % ttl)
        with open(ttl, encoding="utf-8") as f:
            m = re.search(r"<%s>\s+\"([^\"]*)\"" % re.escape(h.STATE_KEY), f.read())
        if not m:
            h.fail("Ardour's saved LV2 state %s has no %s" % (ttl, h.STATE_KEY))
        blob = m.group(1).encode()
        return blob, h.juce_base64_decode(m.group(1)), os.path.relpath(ttl, session_dir)
    node = proc.find("vst3")
    chunk = node.find("chunk") if node is not None else None
    if chunk is None or not (chunk.text or "").strip():
        h.fail("Ardour saved no VST3 state chunk for Imbolc")
    blob = h.base64.b64decode(chunk.text.strip())
    _, chunks = h.vst3_chunks(blob)
    if "Comp" not in chunks:
        h.fail("Ardour's VST3 state for Imbolc has no component state")
    imbolc_bytes, trailer = h.strip_juce_vst3_trailer(chunks["Comp"])
    return blob, imbolc_bytes, "%s <vst3><chunk> (%d bytes: %s)" % (
        name + ".ardour", len(blob), ", ".join("%s %d" % (k, len(v)) for k, v in chunks.items()))


def note_onsets(t, wav, what, length=None):
    rate, channels = h.read_wav(wav)
    if rate != h.RATE:
        h.fail("%s is at %d Hz, not %d" % (what, rate, h.RATE))
    if length is not None and len(channels[0]) != length:
        h.fail("%s has %d samples where %d were exported" % (what, len(channels[0]), length))
    left = channels[0]
    top = h.peak(left)
    if top < 0.01:
        h.fail("%s is silent (peak %.5f)" % (what, top))
    found = h.onsets(left, 0.1 * top, quiet=1440)
    t.log("%s: peak %.3f, onsets %s" % (what, top, found))
    if len(found) != len(h.TEST_NOTES):
        h.fail("%s has %d note onsets where the session has %d notes" % (what, len(found), len(h.TEST_NOTES)))
    return found, left


def body(t):
    fmt, plugin_dir, imbolc = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    if fmt not in ("LV2", "VST3"):
        h.fail("the format is LV2 or VST3, not %s" % fmt)
    h.need_program("ardour7-lua")
    bundle = os.path.join(plugin_dir, fmt, "Imbolc.lv2" if fmt == "LV2" else "Imbolc.vst3")
    if not os.path.isdir(bundle):
        h.fail("there is no %s bundle at %s (build imbolc_plugin_%s)" % (fmt, bundle, fmt))

    test_file, session = h.make_test_session(imbolc, t.work)
    t.log("test session: %s, %d bytes" % (test_file, len(session)))
    render = t.path("render.wav")
    h.run_checked([imbolc, "render", test_file, "-o", render, "--sample-rate", str(h.RATE), "--bits", "32"], "imbolc render")

    home = t.path("home")
    os.makedirs(home)
    write_export_preset(home)
    presets = t.path("lv2-presets")
    jack = h.Jack(t)
    env = h.ardour_env(jack, home, lv2_path=os.path.join(plugin_dir, "LV2") + ":" + presets,
                       vst3_path=os.path.join(plugin_dir, "VST3") if fmt == "VST3" else None)
    if fmt == "LV2":
        h.write_lv2_preset_bundle(os.path.join(presets, "imbolc-host-test.lv2"), PRESET_LABEL, session)
    else:
        uid, vendor = scan_vst3(t, env, bundle)
        d = os.path.join(home, ".vst3", "presets", vendor, "Imbolc")
        os.makedirs(d)
        with open(os.path.join(d, PRESET_LABEL + ".vstpreset"), "wb") as f:
            f.write(h.vst3_preset(uid, session))

    last_tick = h.TEST_NOTES[-1] + h.TEST_NOTE_TICKS
    end = int(h.tick_to_sample(last_tick) + 0.5 * h.RATE)
    sdir, sname = t.path("ardour-session"), "imbolc-host-test"

    run_lua(t, env, "create", ["create", sdir, sname, fmt, PRESET_LABEL, "%g" % h.TEST_BPM, str(end), "first"])
    jack.check_alive()
    blob_a, imbolc_a, where_a = saved_state(sdir, sname, fmt)
    t.log("state after the first save: %s" % where_a)

    run_lua(t, env, "reopen", ["reopen", sdir, sname, str(end), "reopened"])
    jack.check_alive()
    blob_b, imbolc_b, where_b = saved_state(sdir, sname, fmt)
    t.log("state after reopening and saving: %s" % where_b)

    # The audio: the first export against the CLI's render and against the ticks.
    expected_ticks = [h.tick_to_sample(x) for x in h.TEST_NOTES]
    rendered, _ = note_onsets(t, render, "imbolc render")
    first, first_audio = note_onsets(t, os.path.join(sdir, "out", "first.wav"), "Ardour's export", end)
    worst_render = max(abs(a - b) for a, b in zip(first, rendered))
    for i, (a, b) in enumerate(zip(first, rendered)):
        if abs(a - b) > ONSET_TOLERANCE:
            h.fail("note %d starts at sample %d in Ardour's export and at %d in imbolc render (tolerance %d)" % (i, a, b, ONSET_TOLERANCE))
    gaps_err = max(abs((first[i] - first[0]) - (expected_ticks[i] - expected_ticks[0])) for i in range(len(first)))
    if gaps_err > ONSET_TOLERANCE:
        h.fail("the export's onsets are %g samples off the notes' ticks at %g BPM (relative to the first)" % (gaps_err, h.TEST_BPM))
    t.log("onsets in Ardour's export: %s" % first)
    t.log("note ticks at %g BPM as samples: %s" % (h.TEST_BPM, [round(x, 2) for x in expected_ticks]))
    t.log("export vs imbolc render: worst %d samples; export vs ticks (relative to the first onset, which is %d samples after tick 0): worst %g; tolerance %d"
          % (worst_render, first[0], gaps_err, ONSET_TOLERANCE))

    reopened, reopened_audio = note_onsets(t, os.path.join(sdir, "out", "reopened.wav"), "the reopened session's export", end)
    if reopened != first:
        h.fail("the reopened session's notes start at %s, not at %s as before saving" % (reopened, first))
    same_audio = reopened_audio == first_audio
    t.log("the reopened session's export has the same onsets%s" % (" and identical samples" if same_audio else " (samples differ, worst %.2g)" % max(abs(a - b) for a, b in zip(first_audio, reopened_audio))))

    # The state, byte for byte.
    if blob_a != blob_b:
        ja, jb = h.session_json(imbolc, imbolc_a, t.work, "state-a"), h.session_json(imbolc, imbolc_b, t.work, "state-b")
        h.fail("Ardour's saved %s state changed across reopen and save (%d vs %d bytes; in the session: %s)"
               % (fmt, len(blob_a), len(blob_b), h.describe_difference(ja, jb) or "the same session, encoded differently"))
    t.log("Ardour's saved state is the same %d bytes before and after reopen + save" % len(blob_b))
    if imbolc_b != session:
        ja, jb = h.session_json(imbolc, session, t.work, "loaded"), h.session_json(imbolc, imbolc_b, t.work, "saved")
        h.fail("the Imbolc state Ardour saved (%d bytes) is not the test.imbolc loaded (%d bytes): %s"
               % (len(imbolc_b), len(session), h.describe_difference(ja, jb) or "the same session, encoded differently"))
    t.log("the Imbolc bytes in it are test.imbolc's %d bytes, byte for byte" % len(session))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__)
        sys.exit(2)
    sys.exit(h.Harness("ardour-" + (sys.argv[1].lower() if len(sys.argv) > 1 else "x")).run(body))
