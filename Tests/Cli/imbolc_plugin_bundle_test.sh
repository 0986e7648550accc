#!/usr/bin/env bash
# Imbolc's plugin bundles as hosts we did not write see them: lilv's lv2info reads the LV2 bundle's
# description (URI, class, ports), and the VST3 bundle's module exports the VST3 entry point.
set -u
dir=$(cd "$1" && pwd) # lilv needs an absolute LV2_PATH
uri="http://imbolc.audio/plugins/imbolc"
passed=0
failed=0
check() {
    local what="$1"
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $what"
    fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check "the LV2 bundle has a manifest" test -f "$dir/LV2/Imbolc.lv2/manifest.ttl"
LV2_PATH="$dir/LV2" lv2info "$uri" >"$work/info" 2>"$work/err"
check "lv2info finds the plugin by its URI" grep -q "^$uri" "$work/info"
check "lv2info reads its name" grep -Eq "^\s*Name:\s+Imbolc$" "$work/info"
# lilv prints the class only as "Plugin" without the LV2 spec bundles (mda's JX10 too): read the TTL.
check "the bundle declares an instrument" grep -q "a lv2:InstrumentPlugin" "$dir/LV2/Imbolc.lv2/dsp.ttl"
check "lv2info finds two audio outputs" test "$(grep -c 'http://lv2plug.in/ns/lv2core#AudioPort' "$work/info")" -ge 2
check "lv2info finds a MIDI input (atom port)" grep -q "http://lv2plug.in/ns/ext/atom#AtomPort" "$work/info"
LV2_PATH="$dir/LV2" lv2ls >"$work/ls"
check "lv2ls lists it" grep -qx "$uri" "$work/ls"

so="$dir/VST3/Imbolc.vst3/Contents/$(uname -m)-linux/Imbolc.so"
check "the VST3 bundle has its module" test -f "$so"
check "the VST3 module exports GetPluginFactory" bash -c "nm -D --defined-only '$so' | grep -qw GetPluginFactory"

if [ "$failed" -ne 0 ]; then
    echo "--- lv2info said:"
    cat "$work/info" "$work/err"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
