#!/usr/bin/env bash
# imbolc plugins end to end: a real scan in a real process, of the VST3 test plugins built here (one of
# which crashes when scanned) and of the system's LV2 plugins (mda-lv2).
# Usage: imbolc_plugins_test.sh PATH/TO/imbolc TEST_PLUGIN_DIR
set -uo pipefail
imbolc="$1"
plugin_dir="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passes=0

check() { # check NAME CONDITION...
    local name="$1"; shift
    if "$@"; then passes=$((passes + 1)); else echo "FAILED: $name"; failures=$((failures + 1)); fi
}

export XDG_CONFIG_HOME="$work/config"
export IMBOLC_PLUGIN_PATH="$plugin_dir"

# First run: the crasher takes its scanning process down; the scan goes on without it and says so.
"$imbolc" plugins >"$work/out1" 2>"$work/err1"
check "first scan succeeds despite the crash" test $? -eq 0
check "first scan reports the crash" grep -q "The scan crashed while loading .*Imbolc Crasher.vst3" "$work/out1"
check "first scan shows progress" grep -Eq "^Scanning [0-9]+/[0-9]+: " "$work/out1"
check "first scan lists the VST3 test synth" grep -Eq "^VST3 +Imbolc Test Synth +Imbolc +instrument +.*Imbolc Test Synth.vst3\|VST3-" "$work/out1"
check "first scan prints nothing on stderr" test ! -s "$work/err1"
check "the list is saved under XDG_CONFIG_HOME" test -s "$work/config/imbolc/plugins.xml"

# Second run: the crasher is remembered and skipped, never loaded again.
"$imbolc" plugins >"$work/out2" 2>"$work/err2"
check "second scan succeeds" test $? -eq 0
check "second scan does not crash" bash -c "! grep -q 'The scan crashed' '$work/out2'"
check "second scan skips the crasher" grep -q "^Skipping [0-9]*/[0-9]*: .*Imbolc Crasher.vst3 (crashed a previous scan)" "$work/out2"
check "second scan lists the crasher as skipped" grep -Eq "^VST3 +Imbolc Crasher +- +skipped \(crashed a previous scan\)" "$work/out2"
check "second scan lists the VST3 test synth" grep -Eq "^VST3 +Imbolc Test Synth +Imbolc +instrument" "$work/out2"
check "second scan lists mda JX10 as an LV2 instrument" grep -Eq "^LV2 +MDA JX10 +David Robillard +instrument +http://drobilla.net/plugins/mda/JX10$" "$work/out2"
check "second scan lists mda Delay as an LV2 effect" grep -Eq "^LV2 +MDA Delay +David Robillard +effect +http://drobilla.net/plugins/mda/Delay$" "$work/out2"
# Every LV2 plugin lv2ls knows (lilv-utils) is in our list.
if command -v lv2ls >/dev/null; then
    lv2ls | grep "drobilla.net/plugins/mda/" | sort >"$work/lv2ls"
    grep -E "^LV2 " "$work/out2" | grep -Eo "http://drobilla.net/plugins/mda/[A-Za-z0-9]+$" | sort >"$work/ours"
    check "the mda plugins listed match lv2ls ($(wc -l <"$work/lv2ls") of them)" cmp -s "$work/lv2ls" "$work/ours"
fi

# --rescan forgets everything, so the crasher is tried (and crashes) again.
"$imbolc" plugins --rescan >"$work/out3" 2>"$work/err3"
check "rescan succeeds" test $? -eq 0
check "rescan tries the crasher again" grep -q "The scan crashed while loading .*Imbolc Crasher.vst3" "$work/out3"

# Bad input: one sentence on stderr, nothing else.
"$imbolc" plugins --fast >"$work/out4" 2>"$work/err4"
check "unknown argument: exit code 2" test $? -eq 2
check "unknown argument: one sentence" test "$(wc -l <"$work/err4")" -eq 1
mkdir -p "$work/readonly" && touch "$work/readonly/imbolc" # a file where the config folder should be
XDG_CONFIG_HOME="$work/readonly" "$imbolc" plugins >"$work/out5" 2>"$work/err5"
check "unwritable config folder: exit code 1" test $? -eq 1
check "unwritable config folder: one sentence" test "$(wc -l <"$work/err5")" -eq 1
check "unwritable config folder: says where" grep -q "$work/readonly/imbolc" "$work/err5"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
