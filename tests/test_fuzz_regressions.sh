#!/bin/sh
# Replay the inputs under tests/fuzz/regressions/TARGET/ (inputs that once
# crashed fuzz target TARGET or broke a contract it checks) through the
# same target code, linked without libFuzzer into BUILD/tests/fuzz/.
#
# Usage: tests/test_fuzz_regressions.sh [BUILD]   (default: build)
#
# Fails when a replay program is missing, when no target has inputs, and
# when any input crashes, hangs, breaks a contract or (in a sanitizer
# build) makes a sanitizer report an error.
# ONNXMINI_TEST_RUNNER is a command prefix for the replay programs, as in
# tests/run-tests.sh.

prog=test_fuzz_regressions
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
# Split at blanks on purpose: the runner is a command and its arguments.
runner=${ONNXMINI_TEST_RUNNER:-}
replayed=0
failed=0

for dir in "$top"/tests/fuzz/regressions/*/; do
    [ -d "$dir" ] || continue
    dir=${dir%/}
    target=$(basename "$dir")
    # A target without regression inputs has nothing to replay.
    [ -n "$(find "$dir" -type f ! -name '.*' | head -n 1)" ] || continue
    replay=$build/tests/fuzz/replay-$target
    if [ ! -x "$replay" ]; then
        echo "$prog: $replay not found; build it with 'make'" >&2
        failed=$((failed + 1))
        continue
    fi
    # shellcheck disable=SC2086
    if $runner "$replay" "$dir"; then
        replayed=$((replayed + 1))
    else
        echo "$prog: replay-$target failed on an input in $dir" >&2
        failed=$((failed + 1))
    fi
done

echo "$prog: $replayed targets passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$replayed" -gt 0 ]
