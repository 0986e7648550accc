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
