#!/bin/sh
# Run each fuzz target for a fixed time on its corpus.
#
# Usage: tests/fuzz/run-fuzzers.sh FUZZ_BUILD SECONDS TARGET...
#
# Runs FUZZ_BUILD/fuzz/fuzz_TARGET on FUZZ_BUILD/corpus-TARGET (which
# grows with what the fuzzer finds) for SECONDS seconds, one target after
# the other, with one worker. The full log goes to FUZZ_BUILD/fuzz-TARGET.log
# and a crashing input to FUZZ_BUILD/artifacts/TARGET/. Prints libFuzzer's
# final statistics for each target. Exits 1 when any target reports a
# crash, a leak, a timeout (an input running over TIMEOUT seconds, default
# 10) or running out of memory (over 2048 MB).

set -u

prog=run-fuzzers

if [ $# -lt 3 ]; then
    echo "usage: $0 FUZZ_BUILD SECONDS TARGET..." >&2
    exit 2
fi
build=$1
seconds=$2
shift 2
timeout=${TIMEOUT:-10}
failed=

for target do
    bin=$build/fuzz/fuzz_$target
    log=$build/fuzz-$target.log
    corpus=$build/corpus-$target
    artifacts=$build/artifacts/$target/
    if [ ! -x "$bin" ]; then
        echo "$prog: $bin not found; run 'make fuzz'" >&2
        exit 1
    fi
    mkdir -p "$corpus" "$artifacts"
    echo "== fuzz_$target: $seconds s on $corpus"
    "$bin" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" \
        >"$log" 2>&1
    status=$?
    # The last status line (#N ... cov: ft: corp: exec/s:) and the totals.
    grep -E '^#[0-9]+[[:space:]]' "$log" | tail -n 1
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$log"
    grep -E '^stat::(new_units_added|peak_rss_mb)' "$log"
    if [ "$status" -ne 0 ]; then
        echo "$prog: fuzz_$target failed with status $status;" \
            "the end of $log:" >&2
        tail -n 60 "$log" >&2
        failed="$failed $target"
    fi
done

if [ -n "$failed" ]; then
    echo "$prog: failed:$failed (inputs in $build/artifacts/)" >&2
    exit 1
fi
echo "$prog: no failures in$(printf ' %s' "$@")"
