#!/bin/sh
# Run every test program in BUILD/tests and every tests/test_*.sh script,
# then print one summary line. Exit status 1 when any of them fails.
#
# Usage: tests/run-tests.sh [BUILD]   (default: build)

build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
failures=

for test in "$build"/tests/test_* "$top"/tests/test_*.sh; do
    [ -f "$test" ] || continue
    name=$(basename "$test")
    echo "== $name"
    case "$test" in
    *.sh) sh "$test" "$build" ;;
    *) ONNXMINI_BUILD_DIR="$build" "$test" ;;
    esac
    if [ $? -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures="$failures $name"
    fi
done

if [ "$failed" -ne 0 ]; then
    echo "failed test programs:$failures"
fi
echo "programs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
