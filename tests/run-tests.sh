#!/bin/sh
# Run every test program in BUILD/tests and every tests/test_*.sh script,
# then print one summary line. Exit status 1 when any of them fails.
#
# Usage: tests/run-tests.sh [BUILD]   (default: build)
#
# ONNXMINI_TEST_ISAS chooses the kernel instruction sets: "all" runs the
# whole suite once per instruction set that the build and the CPU have
# (ONNXMINI_ISA set for each run), a list such as "scalar avx2" runs those,
# and unset or empty runs once with the library's default choice.
#
# ONNXMINI_TEST_RUNNER, when set, is a command prefix for every test program
# and for the programs the tests start, for example "qemu-aarch64" to run an
# aarch64 build on an x86-64 machine. It is split at blanks, and quotes in
# it are not interpreted.

build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
# Split at blanks on purpose: the runner is a command and its arguments.
runner=${ONNXMINI_TEST_RUNNER:-}
passed=0
failed=0
failures=

# shellcheck disable=SC2086
case ${ONNXMINI_TEST_ISAS:-} in
all) isas=$($runner "$build/bin/onnxmini-conformance" --list-isas) || exit 1 ;;
*) isas=${ONNXMINI_TEST_ISAS:-default} ;;
esac

for isa in $isas; do
    if [ "$isa" = default ]; then
        unset ONNXMINI_ISA
        label=
    else
        ONNXMINI_ISA=$isa
        export ONNXMINI_ISA
        label=" [$isa]"
    fi
    for test in "$build"/tests/test_* "$top"/tests/test_*.sh; do
        [ -f "$test" ] || continue
        name=$(basename "$test")$label
        echo "== $name"
        # shellcheck disable=SC2086
        case "$test" in
        *.sh) sh "$test" "$build" ;;
        *) ONNXMINI_BUILD_DIR="$build" $runner "$test" ;;
        esac
        if [ $? -eq 0 ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            failures="$failures $name"
        fi
    done
done

if [ "$failed" -ne 0 ]; then
    echo "failed test programs:$failures"
fi
echo "programs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
