#!/usr/bin/env bash
# Runs a command on a display of its own: a fresh Xvfb that picks a free display number itself
# (-displayfd, so parallel runs never race for one), stopped when the command ends. The GUI tests and
# the app's end-to-end test run through it; it needs Xvfb (Debian package xvfb).
set -u
if ! command -v Xvfb > /dev/null; then
    echo "Xvfb is not installed: install the Debian package xvfb (.ci/install-deps.sh does)." >&2
    exit 1
fi
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
"$@"
status=$?
kill "$xvfb" 2> /dev/null
wait "$xvfb" 2> /dev/null
rm -rf "$dir"
exit $status
