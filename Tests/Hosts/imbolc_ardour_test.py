#!/usr/bin/env python3
"""Imbolc in Ardour 7 headless (ardour7-lua, Ardour 7.3 from Debian), as an LV2 or a VST3, each
ardour7-lua run on a JACK server of its own (jackd -d dummy, 48 kHz, 256 frames; Ardour's JACK
backend), on the display of imbolc_with_xvfb.sh.

The Imbolc session is test.imbolc, written through the CLI (demo, dump, load-json): one saw playing
A4 at known ticks at 125 BPM, no effects, no swing, no loop. It reaches the plugin:
  - LV2, as a person would give it to Ardour: a preset. The test writes a preset bundle (on
    LV2_PATH) whose state is the one property JUCE's LV2 wrapper stores, <URI:StateString>, the
    .imbolc bytes in JUCE's own base64 (MemoryBlock::toBase64Encoding). imbolc_ardour.lua creates a
    session at 48 kHz, sets Ardour's tempo to 125 BPM, adds a MIDI track with Imbolc, loads the
    preset (Plugin:load_preset, restored through lilv), exports [0, END) with Ardour's SimpleExport
    (JACK freewheeling) and saves.
  - VST3, through the state Ardour keeps in its session file. A session with a MIDI track with
    Imbolc is created and saved; the test writes the state into its <vst3><chunk>, in the container
    Ardour writes there (Steinberg's vstpreset layout, the component state being the .imbolc bytes);
    a second ardour7-lua opens it (Ardour restores the state: VST3Plugin::set_state), exports and
    saves. A .vstpreset and Plugin:load_preset would be the person's way, but Ardour 7.3 deadlocks
    in it with any JUCE plugin: VST3Plugin::load_preset holds the plugin's process lock while JUCE's
    setComponentState calls restartComponent(kParamValuesChanged), which takes that lock again (seen
    with gdb; Ardour fixed it in 7.4, commit 3c57085756 "VST3: fix deadlock when loading a preset in
    some plugins").
Then a further ardour7-lua opens the saved session again, exports again, saves the plugin's state as
a preset and saves the session again.

Checks:
  - the first export holds the 8 notes: onsets (first sample at 10% of the peak after 30 ms below it)
    within ONSET_TOLERANCE samples of the same detector on `imbolc render test.imbolc` at 48 kHz, and
    their gaps equal the notes' ticks at 125 BPM to within ONSET_TOLERANCE;
  - the state Ardour keeps for the plugin after reopening and saving is, byte for byte, the one it
    kept after the first save (LV2: the StateString in the state.ttl the session XML points at;
    VST3: the decoded base64 <chunk> in the session XML), and the Imbolc bytes in it (LV2: the
    decoded StateString; VST3: the component state less JUCE's JUCEPrivateData trailer) are the
    test.imbolc bytes loaded. For LV2, Ardour writes a new state directory only when the plugin's
    state differs from the one it loaded (lilv_state_equals), so the saved state's staying in
    state1 is itself Ardour's byte comparison; so the reopen step also saves the running plugin's
    state as a user preset (Plugin:save_preset, which asks the plugin afresh), and its Imbolc bytes
    must be test.imbolc's too;
  - the reopened session's export has the same onsets as the first.

Workarounds, each because of something in Ardour 7.3 or this headless use of it:
  - VST3 scan: ardour7-lua only reads Ardour's plugin cache (ARDOUR::init_post_engine calls
    PluginManager::refresh(cache_only=true); the GUI is what scans), so the test runs Ardour's own
    scanner (/usr/lib/ardour7/ardour-vst3-scanner) on the bundle first, into this test's
    XDG_CACHE_HOME; VST3_PATH (read into the fresh config) points Ardour at the build tree.
  - Master connection: Ardour connects an instrument track's outputs to the master when it adds
    the track, but in some headless runs under load it did not (the saved session had no connection,
    the export was silent while the plugin played); the create step connects them if needed, and
    every step checks the connection before exporting.
  - JACK names: every Ardour gets a JACK client name of its own (IMBOLC_ARDOUR_CLIENT), because JACK
    puts a client's socket at /dev/shm/jack_<client>_<uid>_0 whatever its server, and the two Ardour
    tests run at once.
  - Export format: the stock presets are 16-bit with shaped dither, or lossy; the test writes an
    export preset (imbolc-test.preset: BWAV 32-bit float, no dither) into this Ardour's config dir.
  - Ardour crashes: ardour7-lua 7.3 crashes or is dropped by jackd in a good share of runs, with
    or without Imbolc: with Ardour's own ACE Reasonable Synth instead of Imbolc, 6 and 4 of 10
    reopen runs failed on JACK (async and -S), and 5 to 9 of 16 create/reopen runs on Ardour's
    Dummy backend (heap corruption reported by glibc, "Port already exists" from new_midi_track).
    One cause is seen on JACK: the Session constructor calls jack_set_timebase_callback on the main
    thread while Ardour's auto-connect thread calls jack_set_property (the virtual keyboard's pretty
    name), and libjack (jackd2 1.9.21) does not serialize a client's requests, so jackd reads a
    garbled request ("CheckSize error", "Unknown request" with the metadata URI's text) and drops
    Ardour (whose -X exit then has hung: it is stopped 5 s after saying its engine halted). So
    each ardour7-lua step runs on a new JACK server from the same starting files up to
    MAX_ATTEMPTS times, but only while the failure is one of those (a signal, glibc's heap messages,
    "Port already exists", the engine halted, jackd's garbled-request messages); every retry is
    logged, and a failure of this test's own checks is never retried.

usage: imbolc_ardour_test.py LV2|VST3 PLUGIN_DIR IMBOLC_CLI
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import time
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
STEP_TIMEOUT = 90
MAX_ATTEMPTS = 6


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


def inject_vst3_state(t, sdir, sname, container):
    """Puts a VST3 state (the preset container Ardour itself keeps there) into the saved session's one
    <vst3><chunk>, as Ardour would have saved it had Imbolc held that state."""
    path = os.path.join(sdir, sname + ".ardour")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    chunks = re.findall(r"<chunk>[^<]*</chunk>", text)
    if len(chunks) != 1:
        h.fail("the saved Ardour session has %d VST3 state chunks, not Imbolc's one" % len(chunks))
    text = text.replace(chunks[0], "<chunk>%s</chunk>" % h.base64.b64encode(container).decode())
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    t.log("wrote the test session into the saved Ardour session's VST3 state chunk (%d bytes)" % len(container))


def scan_vst3(t, env, bundle):
    """Ardour's own VST3 scanner writes the cache headless Ardour reads; returns the class id it found."""
    if not os.access(VST3_SCANNER, os.X_OK):
        h.fail("Ardour's VST3 scanner %s is missing (package ardour)" % VST3_SCANNER)
    # Ardour takes a cache as valid only when it is newer than the module to the second: right after a
    # build the scan would otherwise write one of the same second, which Ardour then ignores.
    module = glob.glob(os.path.join(bundle, "Contents", "*-linux", "Imbolc.so"))
    if module:
        time.sleep(max(0.0, os.path.getmtime(module[0]) + 1.1 - time.time()))
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
    return infos[0].get("uid")


# What ardour7-lua's own failures look like, as opposed to this test's checks (which end the Lua
# script with error() and a sentence, and are never retried): a crash (SIGSEGV, or SIGABRT from
# glibc's heap checks or an uncaught exception), and jackd dropping Ardour's client after reading a
# garbled request.
ARDOUR_CRASH = re.compile(r"Engine halted|JACK HALTED|Port already exists|corrupted|double free|free\(\)|basic_string: construction from null")
JACK_GARBLED = re.compile(r"CheckSize error|Unknown request")
HALTED = re.compile(r"Engine halted|JACK HALTED")


def run_lua(t, home_env, name, args, prepare):
    """One ardour7-lua step on a fresh JACK server, retried (up to MAX_ATTEMPTS, each from the same
    starting files) only when Ardour itself crashed or was dropped by jackd; see the header."""
    crashes = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        prepare()
        jack = h.Jack(t, label="jackd-%s-%d" % (name, attempt))
        env = dict(home_env, IMBOLC_ARDOUR_CLIENT="imbolc-ardour-%d-%s-%d" % (os.getpid(), name, attempt),
                   **{k: v for k, v in jack.env().items() if k.startswith("JACK_")})
        proc = t.spawn(["stdbuf", "-oL", "-eL", "ardour7-lua", "-X", LUA] + args, "ardour-%s-%d" % (name, attempt), env=env)
        try:
            # -X makes ardour7-lua exit when its engine halts, but it has hung in that exit: 5 s after
            # it says so, it is stopped here.
            deadline, halted = time.monotonic() + STEP_TIMEOUT, None
            while proc.poll() is None:
                if time.monotonic() > deadline:
                    h.fail("ardour7-lua (%s) did not finish within %d s" % (name, STEP_TIMEOUT))
                if halted is None and HALTED.search(t.output(proc)):
                    halted = time.monotonic()
                if halted is not None and time.monotonic() - halted > 5:
                    t.stop(proc)
                time.sleep(0.2)
        finally:
            jack.stop()
            # A crashed client leaves its semaphore in /dev/shm (jackd frees those of clients that close).
            for leftover in glob.glob("/dev/shm/jack_sem.*_%s_%s" % (jack.name, env["IMBOLC_ARDOUR_CLIENT"])):
                os.remove(leftover)
        said = t.output(proc)
        if proc.returncode == 0 and ("IMBOLC-ARDOUR-OK " + name) in said:
            break
        garbled = JACK_GARBLED.search(jack.log_text())
        crash = proc.returncode < 0 or garbled or ARDOUR_CRASH.search(said)
        last = [l for l in said.splitlines() if l.strip() and not l.startswith("[WARNING]") and "midnam" not in l.lower()]
        if not crash:
            errors = [l for l in said.splitlines() if l.startswith("Error")]
            h.fail("ardour7-lua (%s) failed (exit %s): %s" % (name, proc.returncode, (errors or last or ["no output"])[-1].strip()))
        why = "signal %d" % -proc.returncode if proc.returncode < 0 else "exit %d" % proc.returncode
        why += ": " + (last[-1].strip() if last else "no output")
        if garbled:
            why += " (jackd: %s)" % garbled.group(0)
        crashes.append(why)
        t.log("ardour7-lua (%s) attempt %d: Ardour crashed (%s); trying again on a new JACK server" % (name, attempt, why))
    else:
        h.fail("ardour7-lua (%s) crashed in all %d attempts (Ardour 7.3's own crashes, see the header); the last: %s" % (name, MAX_ATTEMPTS, crashes[-1]))
    for line in said.splitlines():
        if line.split(" ")[0].split("\t")[0] in ("tempo", "plugin", "preset", "exported", "saved", "preset-saved"):
            t.log("  ardour: " + line.replace("\t", " "))
    return crashes


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


def live_state(home, fmt):
    """The Imbolc bytes in the preset the reopen step saved from the running plugin."""
    if fmt == "LV2":
        found = [p for p in glob.glob(os.path.join(home, ".lv2", "*.lv2", "*.ttl")) if not p.endswith("manifest.ttl")]
        if len(found) != 1:
            h.fail("Ardour saved %d LV2 preset files for Imbolc after reopening, not 1" % len(found))
        return h.read_lv2_state(found[0]), os.path.relpath(found[0], home)
    path = os.path.join(home, ".vst3", "presets", "Imbolc", "Imbolc", "Imbolc after reopen.vstpreset")
    if not os.path.isfile(path):
        h.fail("Ardour saved no VST3 preset for Imbolc after reopening (%s)" % path)
    with open(path, "rb") as f:
        _, chunks = h.vst3_chunks(f.read())
    if "Comp" not in chunks:
        h.fail("the VST3 preset Ardour saved after reopening has no component state")
    return h.strip_juce_vst3_trailer(chunks["Comp"])[0], os.path.relpath(path, home)


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
    env = h.ardour_env(home, lv2_path=os.path.join(plugin_dir, "LV2") + ":" + presets,
                       vst3_path=os.path.join(plugin_dir, "VST3") if fmt == "VST3" else None)
    last_tick = h.TEST_NOTES[-1] + h.TEST_NOTE_TICKS
    end = int(h.tick_to_sample(last_tick) + 0.5 * h.RATE)
    sdir, sname = t.path("ardour-session"), "imbolc-host-test"
    bpm = "%g" % h.TEST_BPM

    def snapshot(name):
        shutil.copytree(sdir, t.path(name), symlinks=True)

        def restore():
            shutil.rmtree(sdir, ignore_errors=True)
            shutil.copytree(t.path(name), sdir, symlinks=True)
            for d in (os.path.join(home, ".lv2"), os.path.join(home, ".vst3", "presets")):
                shutil.rmtree(d, ignore_errors=True)
        return restore

    crashes = []
    if fmt == "LV2":
        h.write_lv2_preset_bundle(os.path.join(presets, "imbolc-host-test.lv2"), PRESET_LABEL, session)
        crashes += run_lua(t, env, "create", ["create", sdir, sname, fmt, bpm, PRESET_LABEL, str(end), "first"],
                           lambda: shutil.rmtree(sdir, ignore_errors=True))
    else:
        uid = scan_vst3(t, env, bundle)
        crashes += run_lua(t, env, "create", ["create", sdir, sname, fmt, bpm], lambda: shutil.rmtree(sdir, ignore_errors=True))
        inject_vst3_state(t, sdir, sname, h.vst3_preset(uid, session))
        crashes += run_lua(t, env, "reopen", ["reopen", sdir, sname, str(end), "first"], snapshot("ardour-session-injected"))
    blob_a, imbolc_a, where_a = saved_state(sdir, sname, fmt)
    t.log("state after the first save: %s" % where_a)

    crashes += run_lua(t, env, "reopen", ["reopen", sdir, sname, str(end), "reopened"], snapshot("ardour-session-saved"))
    blob_b, imbolc_b, where_b = saved_state(sdir, sname, fmt)
    t.log("state after reopening and saving: %s" % where_b)
    imbolc_live, where_live = live_state(home, fmt)
    t.log("state the plugin returned after reopening (saved as a preset): ~/%s" % where_live)
    if crashes:
        t.log("Ardour crashed %d times on the way (retried): %s" % (len(crashes), "; ".join(crashes)))

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
    if imbolc_live != session:
        ja, jb = h.session_json(imbolc, session, t.work, "loaded"), h.session_json(imbolc, imbolc_live, t.work, "live")
        h.fail("the state Imbolc returned after reopening (%d bytes) is not the test.imbolc loaded (%d bytes): %s"
               % (len(imbolc_live), len(session), h.describe_difference(ja, jb) or "the same session, encoded differently"))
    t.log("and the state Imbolc itself returned after reopening is test.imbolc's bytes too")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__)
        sys.exit(2)
    sys.exit(h.Harness("ardour-" + sys.argv[1].lower(), deadline=420).run(body))
