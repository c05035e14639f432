#!/bin/sh
# The official ONNX backend tests: every test in conformance-expected.txt
# must pass, and the whole suite must run without a crash.
#
# Usage: tests/test_conformance.sh [BUILD]
#
# ONNXMINI_TEST_RUNNER, when set, prefixes the conformance runner's command
# (see run-tests.sh).

build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
data=${ONNX_TESTDATA:-/usr/share/libonnx-testdata/data}

if [ ! -d "$data/node" ]; then
    echo "test_conformance: $data/node not found; install the Debian" \
        "package libonnx-testdata or set ONNX_TESTDATA" >&2
    exit 1
fi
log=$(mktemp)
# ONNXMINI_TEST_RUNNER (see run-tests.sh) is split at blanks on purpose.
# shellcheck disable=SC2086
${ONNXMINI_TEST_RUNNER:-} "$build/bin/onnxmini-conformance" \
    --expect "$top/tests/conformance-expected.txt" \
    "$data/node" "$data/pytorch-converted" "$data/pytorch-operator" \
    "$data/simple" >"$log"
status=$?
# The per-test lines go to the log; the FAIL lines and the summary show.
grep '^FAIL ' "$log"
tail -n 2 "$log"
rm -f "$log"
exit $status
