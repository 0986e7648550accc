#!/usr/bin/env bash
# Runs a command on a display of its own: a fresh Xvfb that picks a free display number itself
# (-displayfd, so parallel runs never race for one) with a window manager (openbox) as a desktop has,
# both stopped when the command ends. The GUI tests and the app's end-to-end test run through it.
# JUCE needs the window manager: without one the _NET_WM atoms it sets do not exist and X refuses them.
set -u
for tool in Xvfb openbox xprop; do
    if ! command -v "$tool" > /dev/null; then
        echo "$tool is not installed: install the Debian packages xvfb, openbox and x11-utils (.ci/install-deps.sh does)." >&2
        exit 1
    fi
done
dir=$(mktemp -d)
mkfifo "$dir/fd"
Xvfb -displayfd 3 -screen 0 "${IMBOLC_XVFB_SCREEN:-1600x1000x24}" -nolisten tcp 3> "$dir/fd" 2> "$dir/log" &
xvfb=$!
number=""
read -r -t 30 number < "$dir/fd" || true
rm -f "$dir/fd"
if [ -z "$number" ]; then
    echo "Xvfb did not start: $(tail -n 3 "$dir/log")" >&2
    kill "$xvfb" 2> /dev/null
    rm -rf "$dir"
    exit 1
fi
export DISPLAY=":$number"
openbox --sm-disable > "$dir/wm.log" 2>&1 &
wm=$!
# A loaded machine can take seconds to start it; a window opened before it is ready would be refused.
ready=no
for _ in $(seq 1 600); do
    if xprop -root _NET_SUPPORTING_WM_CHECK 2> /dev/null | grep -q "window id"; then
        ready=yes
        break
    fi
    sleep 0.05
done
if [ "$ready" = yes ]; then
    "$@"
    status=$?
else
    echo "The window manager (openbox) did not start within 30 s: $(tail -n 3 "$dir/wm.log")" >&2
    status=1
fi
kill "$wm" 2> /dev/null
wait "$wm" 2> /dev/null
kill "$xvfb" 2> /dev/null
wait "$xvfb" 2> /dev/null
rm -rf "$dir"
exit $status
