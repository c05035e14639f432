#!/bin/sh
# Tests the onnxmini command-line tool. 'info' runs on the MNIST models.
# 'run' runs on the MNIST test data and on every ONNX backend test listed
# in conformance-expected.txt, and its outputs are compared with the
# expected files. Further checks cover .npy input and output, 'ops'
# against the README's table, 'bench', and the exit status and message of
# invalid command lines and missing files.
#
# Usage: tests/test_tool.sh [BUILD]
#
# The MNIST checks need ONNXMINI_DATA_DIR; they are skipped when it is
# unset, unless CI is "true". The backend tests come from the Debian
# package libonnx-testdata (or ONNX_TESTDATA). ONNXMINI_TEST_RUNNER, when
# set, prefixes every command that runs a built program (see run-tests.sh).

build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
tool=$build/bin/onnxmini
conformance=$build/bin/onnxmini-conformance
# Split at blanks on purpose: the runner is a command and its arguments.
runner=${ONNXMINI_TEST_RUNNER:-}
testdata=${ONNX_TESTDATA:-/usr/share/libonnx-testdata/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

fail() {
    echo "FAIL: $*" >&2
    failed=$((failed + 1))
}

# expect STATUS NAME COMMAND...: runs the command with stdout in
# $work/stdout and stderr in $work/stderr, and checks its exit status. A
# non-zero status must come with a message on stderr.
expect() {
    want=$1
    name=$2
    shift 2
    # shellcheck disable=SC2086
    $runner "$@" >"$work/stdout" 2>"$work/stderr"
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "$name: exit status $got, expected $want ($*)"
        sed 's/^/    /' "$work/stderr" >&2
        return 1
    fi
    if [ "$want" -ne 0 ] && [ ! -s "$work/stderr" ]; then
        fail "$name: exit status $got but no message on stderr ($*)"
        return 1
    fi
    passed=$((passed + 1))
    return 0
}

# differs NAME COMMAND...: 'onnxmini compare' reports a difference: exit
# status 1 with the verdict on stdout, since it is a result, not an error.
differs() {
    name=$1
    shift
    # shellcheck disable=SC2086
    $runner "$@" >"$work/stdout" 2>"$work/stderr"
    got=$?
    if [ "$got" -ne 1 ] || [ -s "$work/stderr" ]; then
        fail "$name: exit status $got, expected 1 and no message ($*)"
        sed 's/^/    /' "$work/stderr" >&2
        return 1
    fi
    passed=$((passed + 1))
    return 0
}

# contains NAME FILE PATTERN: the file has a line matching the extended
# regular expression.
contains() {
    if grep -Eq -- "$3" "$2"; then
        passed=$((passed + 1))
    else
        fail "$1: no line matches '$3' in:"
        sed 's/^/    /' "$2" >&2
    fi
}

# write_npy DESCR SHAPE FORTRAN_ORDER < DATA: writes a version 1.0 .npy
# file to stdout the way NumPy lays it out: the dict padded with spaces
# and a newline so that the data starts at a multiple of 64 bytes.
write_npy() {
    dict="{'descr': '$1', 'fortran_order': $3, 'shape': $2, }"
    pad=$(((64 - (10 + ${#dict} + 1) % 64) % 64))
    length=$((${#dict} + pad + 1))
    printf '\223NUMPY\001\000'
    # shellcheck disable=SC2059 # the format is the two length bytes
    printf "\\$(printf %03o $((length % 256)))\\$(printf %03o $((length / 256)))"
    printf "%-$((${#dict} + pad))s\n" "$dict"
    cat
}

if [ ! -x "$tool" ]; then
    echo "test_tool: $tool not found; run make first" >&2
    exit 1
fi

# ---------------------------------------------------------------- no data

expect 0 "--version" "$tool" --version &&
    contains "--version" "$work/stdout" '^onnxmini [0-9]+\.[0-9]+\.[0-9]+ '
expect 0 "--help" "$tool" --help &&
    contains "--help" "$work/stdout" '^Usage: onnxmini COMMAND'
for command in info run bench ops compare; do
    expect 0 "$command --help" "$tool" "$command" --help &&
        contains "$command --help" "$work/stdout" "^Usage: onnxmini $command"
done
expect 2 "no command" "$tool"
expect 2 "unknown command" "$tool" frobnicate &&
    contains "unknown command" "$work/stderr" "unknown command 'frobnicate'"
expect 2 "run: unknown option" "$tool" run model.onnx --bogus &&
    contains "run: unknown option" "$work/stderr" "unknown option '--bogus'"
expect 2 "run: --input without NAME" "$tool" run model.onnx --input x.pb
expect 2 "info: no model" "$tool" info
expect 2 "info: invalid --batch" "$tool" info model.onnx --batch 0 &&
    contains "info: invalid --batch" "$work/stderr" "invalid value '0' for --batch"
expect 2 "compare: one file" "$tool" compare a.pb
expect 2 "bench: unknown option" "$tool" bench --bogus &&
    contains "bench: unknown option" "$work/stderr" \
        "^onnxmini bench: unknown option '--bogus'"
expect 1 "info: missing file" "$tool" info "$work/missing.onnx" &&
    contains "info: missing file" "$work/stderr" "cannot open model '.*missing.onnx'"
expect 1 "run: missing file" "$tool" run "$work/missing.onnx" &&
    contains "run: missing file" "$work/stderr" "missing.onnx"
# A device never ends and a folder has nothing to read: both are refused
# before reading, not read until memory runs out.
if [ -c /dev/zero ]; then
    expect 1 "info: device" "$tool" info /dev/zero &&
        contains "info: device" "$work/stderr" "not a regular file or a pipe"
fi
expect 1 "info: folder" "$tool" info "$work" &&
    contains "info: folder" "$work/stderr" "not a regular file or a pipe"
printf '\377\377\377\377' >"$work/garbage.onnx"
expect 1 "info: not a protobuf" "$tool" info "$work/garbage.onnx" &&
    contains "info: not a protobuf" "$work/stderr" "not a valid ONNX model"

# ops lists the registry. The README's first operator table must be its
# --markdown output.
expect 0 "ops" "$tool" ops &&
    contains "ops" "$work/stdout" '^Conv +ai\.onnx +1 to [0-9]+$'
expect 0 "ops --markdown" "$tool" ops --markdown &&
    contains "ops --markdown" "$work/stdout" '^\| Conv \| ai\.onnx \| 1 to [0-9]+ \|$'
cp "$work/stdout" "$work/ops.md"
awk '/^## Supported operators/ { section = 1; next }
     section && /^\|/ { table = 1; print; next }
     table { exit }' "$top/README.md" >"$work/readme-ops.md"
if cmp -s "$work/ops.md" "$work/readme-ops.md"; then
    passed=$((passed + 1))
else
    fail "README.md's first table under 'Supported operators' differs from 'onnxmini ops --markdown':"
    diff "$work/readme-ops.md" "$work/ops.md" | sed 's/^/    /' >&2
fi

# ---------------------------------------------------------------- MNIST

data=${ONNXMINI_DATA_DIR:-}
if [ -z "$data" ] && [ "${CI:-}" != true ]; then
    echo "test_tool: ONNXMINI_DATA_DIR is not set; skipping the MNIST checks"
elif [ -z "$data" ]; then
    fail "ONNXMINI_DATA_DIR is not set, and CI=true needs the MNIST checks"
else
    set0=$data/mnist-8-test-data/test_data_set_0
    set1=$data/mnist-8-test-data/test_data_set_1

    # info: the facts of the model zoo's files (IR 3 lists the weights as
    # inputs too; both graphs have 12 nodes and 5998 weights).
    for model in mnist-8 mnist-12; do
        expect 0 "info $model" "$tool" info "$data/$model.onnx" || continue
        contains "info $model" "$work/stdout" '^unsupported operators: none$'
        contains "info $model" "$work/stdout" '^  Input3 +float +\[1,1,28,28\]$'
        contains "info $model" "$work/stdout" '^  Plus214_Output_0 +float +\[1,10\]$'
        contains "info $model" "$work/stdout" '^operators: 12 nodes, 6 operator types$'
        for op_count in "Add 3" "Conv 2" "MaxPool 2" "Relu 2" "Reshape 2" \
            "MatMul 1"; do
            contains "info $model" "$work/stdout" \
                "^  ${op_count% *} +${op_count#* }\$"
        done
        contains "info $model" "$work/stdout" '^parameters +5998 in 8 initializers'
        contains "info $model" "$work/stdout" '^memory plan +batch 1, isa [a-z0-9]+$'
        contains "info $model" "$work/stdout" '^  arena +[1-9][0-9]* bytes'
    done
    expect 0 "info mnist-8" "$tool" info "$data/mnist-8.onnx" &&
        contains "info mnist-8" "$work/stdout" '^ir version +3$' &&
        contains "info mnist-8" "$work/stdout" '^  \(and 8 inputs backed by initializers\)$'
    expect 0 "info --json" "$tool" info --json "$data/mnist-12.onnx" &&
        contains "info --json" "$work/stdout" \
            '"inputs": \[\{"name": "Input3", "type": "float", "shape": \[1, 1, 28, 28\]\}\]' &&
        contains "info --json" "$work/stdout" '"elements": 5998'
    expect 1 "info --batch on a fixed batch" "$tool" info --batch 4 \
        "$data/mnist-12.onnx" &&
        contains "info --batch on a fixed batch" "$work/stderr" "cannot apply"

    # The int8 model uses operators the library lacks: info lists them up
    # front and still succeeds.
    expect 0 "info int8" "$tool" info "$data/mnist-12-int8.onnx" &&
        head -n 2 "$work/stdout" >"$work/head" &&
        contains "info int8" "$work/head" '^unsupported operators: 5 of 7 operator types \(8 nodes\)$'
    for op in "QuantizeLinear (domain ai.onnx, opset 12)" \
        "DequantizeLinear (domain ai.onnx, opset 12)" \
        "QLinearConv (domain ai.onnx, opset 12)" \
        "QLinearMatMul (domain ai.onnx, opset 12)" \
        "QLinearAdd (domain com.microsoft, opset 1)"; do
        contains "info int8" "$work/stdout" "^  $(echo "$op" | sed 's/[().]/\\&/g')"
    done
    contains "info int8" "$work/stdout" 'Input3_Convolution28_QuantizeLinear'
    contains "info int8" "$work/stdout" '^library +cannot load the model'
    contains "info int8" "$work/stdout" '^memory plan +not available'
    expect 1 "run int8" "$tool" run "$data/mnist-12-int8.onnx" &&
        contains "run int8" "$work/stderr" "QuantizeLinear"

    # run: the written output matches the expected one, and is named after
    # the graph output.
    out=$work/mnist
    expect 0 "run mnist-12" "$tool" run "$data/mnist-12.onnx" \
        --input-dir "$set0" --output-dir "$out" --npy &&
        contains "run mnist-12" "$work/stdout" '^Plus214_Output_0: float \[1,10\], min -?[0-9.]+, max -?[0-9.]+$'
    expect 0 "run mnist-12: output_0.pb" "$tool" compare "$out/output_0.pb" \
        "$set0/output_0.pb"
    expect 0 "run mnist-12: output_0.npy" "$tool" compare "$out/output_0.npy" \
        "$set0/output_0.pb"
    if grep -q Plus214_Output_0 "$out/output_0.pb"; then
        passed=$((passed + 1))
    else
        fail "run mnist-12: output_0.pb does not hold the name Plus214_Output_0"
    fi
    differs "compare: different data sets" "$tool" compare \
        "$out/output_0.pb" "$set1/output_0.pb" &&
        contains "compare: different data sets" "$work/stdout" '^float \[1,10\]: differ: '
    differs "compare: different shapes" "$tool" compare "$set0/input_0.pb" \
        "$set0/output_0.pb" &&
        contains "compare: different shapes" "$work/stdout" \
            '^differ: shape \[1,1,28,28\], expected \[1,10\]$'
    expect 0 "run --isa scalar" "$tool" run "$data/mnist-12.onnx" --isa scalar \
        --input "Input3=$set1/input_0.pb" --output-dir "$work/scalar" &&
        expect 0 "run --isa scalar: output" "$tool" compare \
            "$work/scalar/output_0.pb" "$set1/output_0.pb"
    expect 1 "run: unknown --isa" "$tool" run "$data/mnist-12.onnx" \
        --isa no-such-isa --input "Input3=$set0/input_0.pb"
    expect 1 "run: input not given" "$tool" run "$data/mnist-12.onnx" &&
        contains "run: input not given" "$work/stderr" "input 'Input3' is not given"
    expect 1 "run: unknown input name" "$tool" run "$data/mnist-12.onnx" \
        --input "Nope=$set0/input_0.pb" &&
        contains "run: unknown input name" "$work/stderr" "Nope"
    expect 1 "run: input given twice" "$tool" run "$data/mnist-12.onnx" \
        --input-dir "$set0" --input "Input3=$set1/input_0.pb" &&
        contains "run: input given twice" "$work/stderr" "given twice"

    # .npy input: the pixels of input_0.pb (its last 3136 bytes are the
    # raw little-endian floats) behind a NumPy header.
    tail -c 3136 "$set0/input_0.pb" | write_npy '<f4' '(1, 1, 28, 28)' False \
        >"$work/input.npy"
    expect 0 "run .npy input" "$tool" run "$data/mnist-12.onnx" \
        --input "Input3=$work/input.npy" --output-dir "$work/npy" --npy &&
        expect 0 "run .npy input: output" "$tool" compare \
            "$work/npy/output_0.npy" "$set0/output_0.pb"
    tail -c 3136 "$set0/input_0.pb" | write_npy '<f4' '(1, 1, 28, 28)' True \
        >"$work/fortran.npy"
    expect 1 "run: Fortran-order .npy" "$tool" run "$data/mnist-12.onnx" \
        --input "Input3=$work/fortran.npy" &&
        contains "run: Fortran-order .npy" "$work/stderr" "Fortran"
    tail -c 3136 "$set0/input_0.pb" | write_npy '<f8' '(1, 1, 28, 14)' False \
        >"$work/double.npy"
    expect 1 "run: .npy of the wrong type" "$tool" run "$data/mnist-12.onnx" \
        --input "Input3=$work/double.npy" &&
        contains "run: .npy of the wrong type" "$work/stderr" "Input3"
    expect 0 "bench" "$tool" bench "$data/mnist-12.onnx" --warmup 1 \
        --iterations 3 --json &&
        contains "bench" "$work/stdout" '"median_us": [0-9]'
fi

# ------------------------------------------------- backend test folders

# Every test that must pass: run data set 0 and compare each expected
# output with the written one. The written outputs then become the
# expected ones of a test folder of their own, and the conformance runner
# checks them against fresh runs of the library. So the runner, not the
# tool, reads those files and matches the inputs.
if [ ! -d "$testdata/node" ]; then
    fail "$testdata/node not found; install the Debian package libonnx-testdata or set ONNX_TESTDATA"
else
    n_tests=0
    for test in $(grep -v '^#' "$top/tests/conformance-expected.txt"); do
        dir=$testdata/$test
        name=${test%%/*}_${test#*/}
        layout=$work/layout/$name
        out=$layout/test_data_set_0
        n_tests=$((n_tests + 1))
        if ! $runner "$tool" run "$dir/model.onnx" --input-dir "$dir/test_data_set_0" \
            --output-dir "$out" >"$work/run.log" 2>&1; then
            fail "run $test: $(cat "$work/run.log")"
            continue
        fi
        for expected in "$dir"/test_data_set_0/output_*.pb; do
            if ! $runner "$tool" compare "$out/${expected##*/}" "$expected" \
                >"$work/compare.log" 2>&1; then
                fail "run $test: ${expected##*/}: $(cat "$work/compare.log")"
                continue 2
            fi
        done
        ln -s "$dir/model.onnx" "$layout/model.onnx"
        # Tests without inputs (Constant) leave the pattern unexpanded.
        for input in "$dir"/test_data_set_0/input_*.pb; do
            [ -f "$input" ] && ln -s "$input" "$out/"
        done
        passed=$((passed + 1))
    done
    if [ "$n_tests" -lt 50 ]; then
        fail "only $n_tests tests listed in tests/conformance-expected.txt"
    fi
    if $runner "$conformance" "$work/layout" >"$work/layout.log" 2>&1 &&
        grep -q "^$n_tests passed, 0 failed, 0 skipped\$" "$work/layout.log"; then
        passed=$((passed + 1))
    else
        fail "the conformance runner does not accept the written outputs:"
        grep -v '^PASS ' "$work/layout.log" | sed 's/^/    /' >&2
    fi
fi

echo "test_tool: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
