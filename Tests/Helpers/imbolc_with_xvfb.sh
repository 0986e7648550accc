#!/usr/bin/env bash
# Runs a command on a display of its own: a fresh Xvfb that picks a free display number itself
# (-displayfd, so parallel runs never race for one) with a window manager (openbox) as a desktop has,
# both stopped when the command ends. The GUI tests and the app's end-to-end test run through it.
# JUCE needs the window manager: without one the _NET_WM atoms it sets do not exist and X refuses them.
set -u
for tool in Xvfb openbox xprop xdpyinfo; do
    if ! command -v "$tool" > /dev/null; then
        echo "$tool is not installed: install the Debian packages xvfb, openbox and x11-utils (.ci/install-deps.sh does)." >&2
        exit 1
    fi
done
dir=$(mktemp -d)
xvfb=""
wm=""

stop_display() {
    [ -n "$wm" ] && kill "$wm" 2> /dev/null && wait "$wm" 2> /dev/null
    [ -n "$xvfb" ] && kill "$xvfb" 2> /dev/null && wait "$xvfb" 2> /dev/null
    wm=""
    xvfb=""
}

# One try: an Xvfb that answers, and openbox running on it. A display number that another run's
# server was still giving up (a parallel test ending) can refuse connections: then the caller tries
# again with a new server.
start_display() {
    rm -f "$dir/fd"
    mkfifo "$dir/fd"
    Xvfb -displayfd 3 -screen 0 "${IMBOLC_XVFB_SCREEN:-1600x1000x24}" -nolisten tcp 3> "$dir/fd" 2> "$dir/log" &
    xvfb=$!
    local number=""
    read -r -t 30 number < "$dir/fd" || true
    [ -n "$number" ] || return 1
    export DISPLAY=":$number"
    local up=no
    for _ in $(seq 1 100); do
        if xdpyinfo > /dev/null 2>&1; then
            up=yes
            break
        fi
        sleep 0.05
    done
    [ "$up" = yes ] || return 1
    openbox --sm-disable > "$dir/wm.log" 2>&1 &
    wm=$!
    # A loaded machine can take seconds to start it; a window opened before it is ready is refused.
    for _ in $(seq 1 400); do
        xprop -root _NET_SUPPORTING_WM_CHECK 2> /dev/null | grep -q "window id" && return 0
        kill -0 "$wm" 2> /dev/null || return 1
        sleep 0.05
    done
    return 1
}

ready=no
# Six tries, a short random pause between them: two GUI tests starting at the same moment can pick the
# same display (seen once in CI: "server already running" three times in a row).
for attempt in 1 2 3 4 5 6; do
    if start_display; then
        ready=yes
        break
    fi
    stop_display
    sleep "0.$((RANDOM % 9 + 1))"
done
if [ "$ready" = no ]; then
    echo "Could not start a display (Xvfb with openbox) after 6 tries: $(tail -n 2 "$dir/log" "$dir/wm.log" 2> /dev/null)" >&2
    rm -rf "$dir"
    exit 1
fi

"$@"
status=$?
stop_display
rm -rf "$dir"
exit $status
