#!/usr/bin/env python3
"""The real Imbolc app, driven as a person would with xdotool on an Xvfb display (run through
Tests/Helpers/imbolc_with_xvfb.sh): it opens a session, adds an instrument from the rack's menu, turns a
knob of it, saves, undoes the turn, saves again, and the saved files' JSON (from `imbolc dump`) must show
exactly that. A screenshot of each main view is written under the build folder (gui-screenshots/app-*.png)
and checked to be neither blank nor the same as the previous one.

The app writes where its identified components are on the screen to IMBOLC_UI_MAP, so the clicks land on
what they mean. Usage: imbolc_app_end_to_end.py IMBOLC_APP IMBOLC_CLI
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

app_binary, cli_binary = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="imbolc-e2e-")
shots = os.path.join(os.getcwd(), "gui-screenshots")
os.makedirs(shots, exist_ok=True)
session_file = os.path.join(work, "song.imbolc")
ui_map = os.path.join(work, "ui.json")
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)
    return condition


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def dump(path):
    return json.loads(run(cli_binary, "dump", path))["session"]


def read_map():
    try:
        with open(ui_map) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def wait_for(condition, what, timeout=15.0):
    end = time.time() + timeout
    while time.time() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    check(False, "timed out waiting for " + what)
    return None


def find(pattern):
    """The first component whose ID path matches `pattern` (a regex), as (path, x, y, w, h)."""
    for path, rect in read_map().items():
        if isinstance(rect, list) and re.search(pattern, path):
            return (path, *rect)
    return None


def centre(found):
    _, x, y, w, h = found
    return x + w // 2, y + h // 2


def xdotool(*args):
    subprocess.run(["xdotool", *map(str, args)], check=True)


def click(found):
    x, y = centre(found)
    xdotool("mousemove", "--sync", x, y, "click", 1)


def key(*keys):
    xdotool("key", "--clearmodifiers", *keys)


def screenshot(name, found=None):
    path = os.path.join(shots, "app-" + name + ".png")
    if found is None:
        subprocess.run(["import", "-window", "root", path], check=True)
    else:
        _, x, y, w, h = found
        subprocess.run(["import", "-window", "root", "-crop", f"{w}x{h}+{x}+{y}", "+repage", path], check=True)
    return path


def colours(path):
    return int(run("convert", path, "-format", "%k", "info:").strip())


def differs(a, b):
    # ImageMagick's compare exits 1 when the images differ and prints the number of differing pixels;
    # images of different sizes differ too (exit 1 with an error message).
    result = subprocess.run(["compare", "-metric", "AE", a, b, "null:"], capture_output=True, text=True)
    return result.returncode != 0


def find_onsets(path, threshold=1e-3, gap=2400):
    """The first sample of each sound in a WAV (left channel): a sound is louder than `threshold` after
    `gap` quieter samples, and starts at the first non-zero sample after the digital silence before it
    (an attack ramps up from zero, so the threshold is crossed a few samples after the start)."""
    import wave
    with wave.open(path) as w:
        width, channels, frames = w.getsampwidth(), w.getnchannels(), w.readframes(w.getnframes())
    step = width * channels
    full = float(1 << (8 * width - 1))
    samples = [int.from_bytes(frames[i * step:i * step + width], "little", signed=True) for i in range(len(frames) // step)]
    onsets, quiet = [], gap
    for i, s in enumerate(samples):
        if abs(s) / full > threshold:
            if quiet >= gap:
                start = i
                while start > 0 and samples[start - 1] != 0:
                    start -= 1
                onsets.append(start)
            quiet = 0
        else:
            quiet += 1
    return onsets


def title():
    return read_map().get("title", "")


# A session to open: the demo song, as `imbolc demo` writes it.
run(cli_binary, "demo", "-o", session_file, "--size", "small")
before = dump(session_file)

env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(work, "config"), IMBOLC_UI_MAP=ui_map)
app = subprocess.Popen([app_binary, session_file], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
try:
    wait_for(lambda: title() == "song.imbolc - Imbolc", "the window to open song.imbolc", 30)
    window = subprocess.run(["xdotool", "search", "--sync", "--name", "song.imbolc - Imbolc"], capture_output=True, text=True).stdout.split()
    check(len(window) >= 1, "the window is on the display")
    xdotool("windowactivate", "--sync", window[0])
    time.sleep(0.5)

    # A screenshot of each main view: none blank, none the same as the one before.
    previous = None
    for view in ["TransportBar", "InstrumentRack", "ChainView", "MixerView"]:
        found = wait_for(lambda: find("^MainComponent/" + view + "$"), "the " + view)
        if not found:
            continue
        shot = screenshot(view, found)
        check(colours(shot) > 8, view + " is drawn (not blank)")
        if previous:
            check(differs(shot, previous), view + " differs from the view before it")
        previous = shot

    rows_before = len([p for p in read_map() if re.search(r"^MainComponent/InstrumentRack/.*InstrumentRow\d+$", p)])
    check(rows_before == len(before["instruments"]), f"the rack shows every instrument ({rows_before})")

    # Add an instrument: the rack's Add menu, first item (a saw), chosen with the keyboard.
    click(find(r"^MainComponent/InstrumentRack/AddInstrument$"))
    time.sleep(0.6)
    key("Down")
    key("Return")
    wait_for(lambda: len([p for p in read_map() if re.search(r"InstrumentRow\d+$", p)]) == rows_before + 1, "the new instrument's row")
    check(title().startswith("* "), "the title shows unsaved changes after the edit")

    # Turn the new instrument's first source knob (it is selected, so the chain view shows it): drag up.
    knob = wait_for(lambda: find(r"^MainComponent/ChainView/.*knob\.source\.0\.0/slider$"), "the new instrument's first knob")
    if knob:
        x, y = centre(knob)
        xdotool("mousemove", "--sync", x, y, "mousedown", 1)
        for step in range(1, 9):
            xdotool("mousemove", "--sync", x, y - step * 8)
        xdotool("mouseup", 1)
    time.sleep(0.3)
    screenshot("after-edit")

    # Save (Ctrl+S writes the file the session came from), then undo the knob and save again.
    key("ctrl+s")
    wait_for(lambda: not title().startswith("* "), "the save to finish")
    edited = dump(session_file)
    key("ctrl+z")
    wait_for(lambda: title().startswith("* "), "the undo to mark the session edited")
    key("ctrl+s")
    wait_for(lambda: not title().startswith("* "), "the second save")
    undone = dump(session_file)

    # The saved files show exactly the edits: one saw added, its first parameter turned, then back.
    check(len(edited["instruments"]) == len(before["instruments"]) + 1, "the first save has one more instrument")
    added = edited["instruments"][-1] if edited["instruments"] else {}
    check(added.get("source", {}).get("built_in") == "Saw", "the added instrument is a saw")
    param = added.get("source", {}).get("params", [{}])[0]
    check(param.get("value") != param.get("default_value"), f"the knob turned its parameter ({param.get('name')} = {param.get('value')})")
    check(edited["instruments"][:-1] == before["instruments"], "every other instrument is as it was")
    undone_param = undone["instruments"][-1]["source"]["params"][0] if len(undone["instruments"]) == len(edited["instruments"]) else {}
    check(len(undone["instruments"]) == len(edited["instruments"]), "undo took back only the knob, not the instrument")
    check(undone_param.get("value") == undone_param.get("default_value"), "undo put the parameter back to its default")
    for part in ["settings", "arrangement", "automation", "mixer"]:
        check(undone[part] == before[part], "the " + part + " is unchanged")
    added_id = added.get("id")
    tracks = [t for t in undone["piano_roll"] if t.get("instrument") != added_id]
    check(tracks == before["piano_roll"], "every track's notes are unchanged")
    check(all(not t.get("notes") for t in undone["piano_roll"] if t.get("instrument") == added_id), "the new instrument has no notes")

    # The analysis panel, shown from the keyboard, is the last main view.
    key("ctrl+shift+a")
    analysis = wait_for(lambda: find("^MainComponent/AnalysisPanel$"), "the analysis panel")
    if analysis:
        time.sleep(1.0)
        shot = screenshot("AnalysisPanel", analysis)
        check(colours(shot) > 8, "AnalysisPanel is drawn (not blank)")
        check(differs(shot, previous), "AnalysisPanel differs from the view before it")
    screenshot("window")

    # The piano roll: draw four notes on the new instrument (it is selected, so the roll shows its
    # track), play them, save; the render of the saved file must start them on the samples they mean.
    key("ctrl+2")
    grid = wait_for(lambda: find(r"PianoRoll/pianoRoll\.grid$"), "the piano roll's grid")
    roll = wait_for(lambda: read_map().get("pianoRoll"), "the piano roll's geometry")
    drawn_ticks = [0, 480, 960, 1440]
    if grid and roll:
        _, gx, gy, gw, gh = grid
        for tick in drawn_ticks:
            x = gx + int((tick - roll["startTick"]) * roll["pixelsPerTick"]) + 4
            y = gy + int((roll["topPitch"] - 60) * roll["rowHeight"] + roll["rowHeight"] / 2)
            check(gx <= x < gx + gw and gy <= y < gy + gh, f"tick {tick} of C4 is on the grid's screen ({x}, {y})")
            xdotool("mousemove", "--sync", x, y, "click", "--repeat", "2", "--delay", "60", 1)
            time.sleep(0.3)
        screenshot("PianoRoll", grid)
    start_head = read_map().get("playhead", 0)
    key("space")
    wait_for(lambda: read_map().get("playhead", 0) > start_head + 480, "the play head to move while playing", 10)
    key("space")
    key("ctrl+s")
    wait_for(lambda: not title().startswith("* "), "the save of the drawn notes")
    drawn = dump(session_file)
    track = [t for t in drawn["piano_roll"] if t.get("instrument") == added_id]
    notes = track[0].get("notes", []) if track else []
    check(sorted(n.get("tick", 0) for n in notes) == drawn_ticks, f"the drawn notes are in the saved file at {drawn_ticks} ({notes})")
    check(len(notes) == len(drawn_ticks) and all(n.get("pitch") == 60 and n.get("duration") == 120 for n in notes),
          "each drawn note is C4, a sixteenth long")

    # Only the drawn notes sound in the render: the other instruments are muted (a drum kit plays its
    # pattern without notes) and their tracks emptied, and the buses' and master's chains taken out (a
    # limiter's look-ahead would move the onsets), through dump and load-json.
    for t in drawn["piano_roll"]:
        if t.get("instrument") != added_id:
            t["notes"] = []
    for inst in drawn["instruments"]:
        if inst.get("id") != added_id:
            inst["strip"]["mute"] = True
    drawn["arrangement"]["placements"] = []
    for bus in drawn["mixer"].get("buses", []):
        bus["chain"] = []
    drawn["mixer"].get("master", {})["chain"] = []
    solo_json = os.path.join(work, "solo.json")
    with open(solo_json, "w") as f:
        json.dump({"session": drawn}, f)
    solo_file = os.path.join(work, "solo.imbolc")
    run(cli_binary, "load-json", solo_json, "-o", solo_file)
    wav = os.path.join(work, "solo.wav")
    subprocess.run([cli_binary, "render", solo_file, "-o", wav], check=True, capture_output=True)
    onsets = find_onsets(wav)
    bpm = drawn["settings"]["bpm"]
    expected = [round(t * 48000 * 60.0 / (bpm * 480)) for t in drawn_ticks]
    check(len(onsets) == len(expected), f"the render has {len(expected)} onsets ({onsets})")
    check(len(onsets) == len(expected) and all(abs(a - b) <= 2 for a, b in zip(onsets, expected)),
          f"the onsets are on the samples the ticks mean: {onsets} vs {expected}")
    key("ctrl+s")

    # Quit: nothing is unsaved, so it closes without asking.
    key("ctrl+q")
    try:
        app.wait(15)
        check(app.returncode == 0, "the app quit cleanly")
    except subprocess.TimeoutExpired:
        check(False, "the app quit when asked")
finally:
    if app.poll() is None:
        app.kill()
    output = app.communicate()[0]
    if failures and output:
        print("--- the app's output ---\n" + output)

# Bad input: a file that is not a session. The window opens on a new session and says why, in one
# sentence, and the file is left as it was.
garbage = os.path.join(work, "not-a-session.imbolc")
os.makedirs(work, exist_ok=True)
with open(garbage, "wb") as f:
    f.write(b"these bytes are no Imbolc session" * 10)
os.remove(ui_map)
app = subprocess.Popen([app_binary, garbage], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
try:
    wait_for(lambda: title().endswith(" - Imbolc"), "the window to open", 30)
    window = subprocess.run(["xdotool", "search", "--sync", "--name", " - Imbolc$"], capture_output=True, text=True).stdout.split()
    if window:
        xdotool("windowactivate", "--sync", window[0])
    status = wait_for(lambda: read_map().get("status", ""), "a message about the file", 30) or ""
    check(status.startswith("Could not open not-a-session.imbolc: ") and "not an Imbolc project file" in status,
          "the window says why the file did not open: " + status)
    check("not-a-session" not in title(), "the window does not claim the file is open (" + title() + ")")
    with open(garbage, "rb") as f:
        check(f.read() == b"these bytes are no Imbolc session" * 10, "the file is left as it was")
    check(app.poll() is None, "the app is still running")
    key("ctrl+q")
    try:
        app.wait(15)
    except subprocess.TimeoutExpired:
        check(False, "the app quit when asked after a bad file")
finally:
    if app.poll() is None:
        app.kill()
    shutil.rmtree(work, ignore_errors=True)

print(f"{0 if failures else 1} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
