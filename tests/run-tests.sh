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

build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
failures=

case ${ONNXMINI_TEST_ISAS:-} in
all) isas=$("$build/bin/onnxmini-conformance" --list-isas) || exit 1 ;;
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
done

if [ "$failed" -ne 0 ]; then
    echo "failed test programs:$failures"
fi
echo "programs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
