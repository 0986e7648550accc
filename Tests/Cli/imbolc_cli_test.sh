#!/usr/bin/env bash
# End-to-end test of the imbolc tool: real binary, real files. Usage: imbolc_cli_test.sh PATH/TO/imbolc
set -uo pipefail
imbolc="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passes=0

check() { # check NAME CONDITION...
    local name="$1"; shift
    if "$@"; then passes=$((passes + 1)); else echo "FAILED: $name"; failures=$((failures + 1)); fi
}

# expect_error NAME EXPECTED_EXIT FRAGMENT -- COMMAND...: fails cleanly with one sentence on stderr.
expect_error() {
    local name="$1" code="$2" fragment="$3"; shift 4
    "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    check "$name: exit code $rc, wanted $code" test "$rc" -eq "$code"
    check "$name: one line on stderr" test "$(wc -l <"$work/err")" -eq 1
    check "$name: stderr mentions '$fragment'" grep -q -- "$fragment" "$work/err"
    check "$name: nothing on stdout" test ! -s "$work/out"
}

for size in small large; do
    "$imbolc" demo --size "$size" -o "$work/$size.imbolc" >"$work/summary" 2>&1
    check "demo $size succeeds" test $? -eq 0
    check "demo $size prints a summary" grep -q "instruments:" "$work/summary"
    check "demo $size writes the sampler's sample beside the project" test -s "$work/samples/demo-piano-c4.wav"
    "$imbolc" dump "$work/$size.imbolc" >"$work/$size-1.json"
    check "dump $size succeeds" test $? -eq 0
    "$imbolc" load-json "$work/$size-1.json" -o "$work/$size-2.imbolc"
    check "load-json $size succeeds" test $? -eq 0
    "$imbolc" dump "$work/$size-2.imbolc" >"$work/$size-2.json"
    check "dump -> load-json -> dump is byte-identical ($size)" cmp -s "$work/$size-1.json" "$work/$size-2.json"
    check "the demo is deterministic ($size)" bash -c "'$imbolc' demo --size $size -o '$work/again.imbolc' >/dev/null && cmp -s '$work/$size.imbolc' '$work/again.imbolc'"
done
check "the large session has 10000 notes" test "$(grep -c '"pitch"' "$work/large-1.json")" -ge 10000

head -c 1000 "$work/small.imbolc" >"$work/truncated.imbolc"
printf 'RIFF\0\0\0\0WAVEfmt this is not a project file at all' >"$work/foreign.imbolc"
: >"$work/empty.imbolc"
sed 's/"bpm": 112.0/"bpm": 5000.0/' "$work/small-1.json" >"$work/badvalue.json"
printf '{ "session": { "settings": ' >"$work/broken.json"

expect_error "missing file" 1 "There is no file" -- "$imbolc" dump "$work/nope.imbolc"
expect_error "truncated file" 1 "truncated or corrupt" -- "$imbolc" dump "$work/truncated.imbolc"
expect_error "foreign file" 1 "not an Imbolc project" -- "$imbolc" dump "$work/foreign.imbolc"
expect_error "empty file" 1 "empty" -- "$imbolc" dump "$work/empty.imbolc"
expect_error "JSON syntax error" 1 "not a valid Imbolc project" -- "$imbolc" load-json "$work/broken.json" -o "$work/x.imbolc"
expect_error "JSON value out of range" 1 "tempo" -- "$imbolc" load-json "$work/badvalue.json" -o "$work/x.imbolc"
check "a refused load-json writes nothing" test ! -e "$work/x.imbolc"
expect_error "unknown command" 2 "Unknown command" -- "$imbolc" frobnicate
expect_error "bad option value" 2 "--size must be" -- "$imbolc" demo --size huge -o "$work/y.imbolc"
expect_error "unknown option" 2 "does not know the option" -- "$imbolc" dump --fast "$work/small.imbolc"
expect_error "missing option value" 2 "needs a value" -- "$imbolc" demo -o
expect_error "load-json without -o" 2 "needs -o" -- "$imbolc" load-json "$work/small-1.json"
expect_error "unknown bench suite" 2 "no benchmark suite" -- "$imbolc" bench nosuch

# Render: same input, same samples; faster than real time; progress lines when stderr is not a terminal.
"$imbolc" render "$work/small.imbolc" -o "$work/a.wav" >"$work/render-out" 2>"$work/render-err"
check "render succeeds" test $? -eq 0
check "render reports its real-time factor" grep -q "x real time" "$work/render-out"
check "render prints plain progress lines when not on a terminal" grep -q "^Rendering 50%" "$work/render-err"
check "render writes a WAV file" bash -c "head -c 4 '$work/a.wav' | grep -q RIFF"
check "the render is several seconds of audio" test "$(stat -c %s "$work/a.wav")" -gt 1000000
"$imbolc" render "$work/small.imbolc" -o "$work/b.wav" --block 128 >/dev/null 2>&1
"$imbolc" render "$work/small.imbolc" -o "$work/c.wav" >/dev/null 2>&1
check "rendering twice gives the same samples" cmp -s "$work/a.wav" "$work/c.wav"
"$imbolc" render "$work/small.imbolc" -o "$work/d.wav" --sample-rate 44100 --bits 16 >/dev/null 2>&1
check "render at 44.1 kHz / 16 bits succeeds" test $? -eq 0
cp "$work/a.wav" "$work/keep.wav"
expect_error "render without -o" 2 "needs -o" -- "$imbolc" render "$work/small.imbolc"
expect_error "render bad sample rate" 2 "--sample-rate must be" -- "$imbolc" render "$work/small.imbolc" -o "$work/z.wav" --sample-rate fast
expect_error "render tiny block" 2 "--block must be" -- "$imbolc" render "$work/small.imbolc" -o "$work/z.wav" --block 3
expect_error "render bad bit depth" 2 "bit depth" -- "$imbolc" render "$work/small.imbolc" -o "$work/z.wav" --bits 20
expect_error "render into a missing folder" 1 "does not exist" -- "$imbolc" render "$work/small.imbolc" -o "$work/no/such/dir/z.wav"
expect_error "render a corrupt session" 1 "truncated or corrupt" -- "$imbolc" render "$work/truncated.imbolc" -o "$work/keep.wav"
check "a failed render leaves the existing output untouched" cmp -s "$work/a.wav" "$work/keep.wav"
check "a refused render writes nothing" test ! -e "$work/z.wav"

# The SuperCollider backend offline: an OSC score rendered by a real scsynth -N.
"$imbolc" render "$work/small.imbolc" -o "$work/sc.wav" --backend supercollider >"$work/sc-out" 2>"$work/sc-err"
check "render on SuperCollider succeeds" test $? -eq 0
check "render on SuperCollider writes a WAV file" bash -c "head -c 4 '$work/sc.wav' | grep -q RIFF"
check "render on SuperCollider is seconds of audio" test "$(stat -c %s "$work/sc.wav")" -gt 1000000
check "render on SuperCollider names what it cannot play" grep -q "has no SuperCollider voice yet" "$work/sc-err"
expect_error "render on an unknown backend" 2 "--backend must be" -- "$imbolc" render "$work/small.imbolc" -o "$work/z.wav" --backend csound

# Play on the null device (no sound card here) until interrupted.
timeout --preserve-status -s INT 2 "$imbolc" play "$work/small.imbolc" </dev/null >"$work/play-out" 2>"$work/play-err"
check "play stops cleanly on Ctrl-C" test $? -eq 0
check "play says what it plays on" grep -q "Playing\|playing" "$work/play-out"
check "play advances the playhead" grep -q "Playing [1-9]" "$work/play-err"
expect_error "play a missing file" 1 "There is no file" -- "$imbolc" play "$work/nope.imbolc"

# Play on a live scsynth (its own JACK server on the dummy backend): the same session with every
# instrument's backend SuperCollider; the engine sequences, scsynth sounds.
"$imbolc" dump "$work/small.imbolc" | sed 's/"backend": "Internal"/"backend": "SuperCollider"/' >"$work/sc.json"
"$imbolc" load-json "$work/sc.json" -o "$work/sc.imbolc"
check "a session on SuperCollider loads" test $? -eq 0
sc_port=$((40000 + $$ % 20000))
jack_name="imbolc-cli-$$"
jackd --no-realtime -n "$jack_name" -d dummy -r 48000 -p 256 >"$work/jack.log" 2>&1 &
jack_pid=$!
jack_wait -s "$jack_name" -w -t 10 >/dev/null 2>&1
# JACK's shared registry is contended while other tests start servers: a scsynth that could not attach
# exits at once, and another try a moment later succeeds.
for attempt in 1 2 3; do
    JACK_DEFAULT_SERVER="$jack_name" JACK_NO_START_SERVER=1 scsynth -u "$sc_port" -i 0 -o 2 -R 0 -l 4 -D 0 >"$work/scsynth.log" 2>&1 &
    scsynth_pid=$!
    for _ in $(seq 1 100); do
        grep -q "server ready" "$work/scsynth.log" && break
        kill -0 "$scsynth_pid" 2>/dev/null || break
        sleep 0.1
    done
    grep -q "server ready" "$work/scsynth.log" && break
    sleep 0.$((attempt * 3))
done
check "scsynth started for the play test" grep -q "server ready" "$work/scsynth.log"
timeout --preserve-status -s INT 3 "$imbolc" play "$work/sc.imbolc" --scsynth "127.0.0.1:$sc_port" </dev/null >"$work/scplay-out" 2>"$work/scplay-err"
check "play on scsynth stops cleanly on Ctrl-C" test $? -eq 0
check "play on scsynth sent the sequenced notes" grep -q "^scsynth: [1-9][0-9]* notes, CPU" "$work/scplay-out"
check "no bundle reached scsynth late" bash -c "! grep -q '^late' '$work/scsynth.log'"
# A hosted session plays on the same scsynth, and its seats see the server in the meters.
cp "$work/sc.imbolc" "$work/sc-hosted.imbolc"
"$imbolc" serve "$work/sc-hosted.imbolc" --listen 127.0.0.1:0 --scsynth "127.0.0.1:$sc_port" </dev/null >"$work/scserve-out" 2>"$work/scserve-err" &
scserve_pid=$!
scserve_port=""
for _ in $(seq 1 100); do
    scserve_port=$(sed -n 's/^Serving .* on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/scserve-out")
    [ -n "$scserve_port" ] && break
    sleep 0.1
done
"$imbolc" join "127.0.0.1:$scserve_port" --name Listener --for 2 >"$work/scjoin-out" 2>&1
check "a seat sees the host's scsynth in the meters" grep -q "^metering: .*, scsynth [0-9.]* % CPU, [0-9]* synths" "$work/scjoin-out"
kill -INT "$scserve_pid"
wait "$scserve_pid"
check "serve with scsynth ends cleanly on Ctrl-C" test $? -eq 0
kill -TERM "$scsynth_pid"; wait "$scsynth_pid" 2>/dev/null
kill -TERM "$jack_pid"; wait "$jack_pid" 2>/dev/null
rm -f "/dev/shm/SuperColliderServer_$sc_port" # a terminated scsynth leaves its shared memory behind
timeout --preserve-status -s INT 4 "$imbolc" play "$work/sc.imbolc" --scsynth "127.0.0.1:$sc_port" </dev/null >"$work/scplay-out" 2>"$work/scplay-err"
check "play without scsynth still plays" test $? -eq 0
check "play without scsynth says so in a sentence" grep -q "No scsynth answered at 127.0.0.1:$sc_port.*stay silent" "$work/scplay-err"
expect_error "play with a bad --scsynth" 2 "--scsynth must be" -- "$imbolc" play "$work/sc.imbolc" --scsynth 127.0.0.1:port

# serve and join: a real host and a real seat on loopback. Port 0 lets the server pick a free port,
# which it prints.
cp "$work/small.imbolc" "$work/hosted.imbolc"
"$imbolc" serve "$work/hosted.imbolc" --listen 127.0.0.1:0 </dev/null >"$work/serve-out" 2>"$work/serve-err" &
serve_pid=$!
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/^Serving .* on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve-out")
    [ -n "$port" ] && break
    sleep 0.1
done
check "serve says where it listens" test -n "$port"
first=$("$imbolc" dump "$work/small.imbolc" | grep -m1 '"id"' | grep -o '[0-9]*')
"$imbolc" join "127.0.0.1:$port" --name Tester --instruments "$first" --for 1 >"$work/join-out" 2>"$work/join-err"
check "join succeeds" test $? -eq 0
check "join is welcomed as seat 1 with the instrument it asked for" grep -q "^welcome: seat 1, instruments $first," "$work/join-out"
check "join receives the whole session first" grep -q "^full sync [0-9]*: \"" "$work/join-out"
check "join prints the hash it ended with" grep -q "^left at seq [0-9]*, hash 0x" "$work/join-out"
"$imbolc" join "127.0.0.1:$port" --name Reader --for 1 --json yes >"$work/join-json" 2>&1
check "join --json prints FlatBuffers' JSON of each frame" grep -q '"payload_type": "FullStateSync"' "$work/join-json"
expect_error "join without a name" 2 "needs --name" -- "$imbolc" join "127.0.0.1:$port"
expect_error "join a bad address" 2 "ADDRESS:PORT" -- "$imbolc" join "127.0.0.1:99999" --name X
kill -INT "$serve_pid"
wait "$serve_pid"
check "serve ends cleanly on Ctrl-C" test $? -eq 0
check "serve logged the seat" grep -q "Seat 1 (Tester) joined" "$work/serve-out"
check "serve without edits leaves the file as it was" cmp -s "$work/small.imbolc" "$work/hosted.imbolc"
expect_error "join with nobody serving" 1 "Could not reach a session" -- "$imbolc" join "127.0.0.1:$port" --name Late
expect_error "serve beyond loopback needs a passphrase" 1 "passphrase" -- "$imbolc" serve "$work/hosted.imbolc" --listen 0.0.0.0:0
expect_error "serve with a bad --listen" 2 "--listen must be" -- "$imbolc" serve "$work/hosted.imbolc" --listen 127.0.0.1:port
expect_error "serve a missing file" 1 "There is no file" -- "$imbolc" serve "$work/nope.imbolc"

# Saving never replaces what is not a file: a named pipe and a folder are refused and stay as they were.
mkfifo "$work/pipe.imbolc"
expect_error "demo into a named pipe" 1 "is a named pipe, not a file" -- "$imbolc" demo -o "$work/pipe.imbolc"
check "a refused demo leaves the named pipe a named pipe" test -p "$work/pipe.imbolc"
mkdir "$work/taken.wav" && echo kept >"$work/taken.wav/inside"
expect_error "render into a folder" 1 "is a folder, not a file" -- "$imbolc" render "$work/small.imbolc" -o "$work/taken.wav"
check "a refused render leaves the folder and what is in it" test "$(ls -A "$work/taken.wav")" = inside -a "$(cat "$work/taken.wav/inside")" = kept

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
