#!/bin/sh
# PyTorch models against PyTorch's outputs: ResNet-18, MobileNetV2,
# SqueezeNet 1.1 and LeNet-5, exported at opsets 13 and 17 by
# tests/torch/make_models.py (make torch-models) as ONNX backend test
# folders with a batch-1 and a batch-2 data set. Each must pass the
# conformance runner with rtol 1e-3 and atol 1e-4, where the runner accepts
# a float output when |got - expected| <= atol + rtol * |expected|.
#
# Then two mutated copies, made with tests/torch/mutate_model.py, must FAIL
# on their values, which shows that the comparison can fail: SqueezeNet
# with one Conv's bias dropped, and MobileNetV2 with one Clip (ReLU6)
# without its max.
#
# Last, onnxmini-bench's FLOP count of each model at batch 1 must equal
# flops.txt, which the generator counted on the PyTorch modules. This part
# is skipped under ONNXMINI_TEST_RUNNER, because the counter is the same
# code on every target and each count needs a run of the model.
#
# Usage: tests/test_torch_models.sh [BUILD]   (default: build)
#
# ONNXMINI_TORCH_MODELS is the folder of the exported models (default
# BUILD/torch-models). Without the models the test is skipped with a
# message, except that with CI=true it fails. ONNXMINI_TORCH_MODEL_NAMES
# limits the run to some of the eight folders (blank-separated names), and
# ONNXMINI_TORCH_DATA_SETS to the first N data sets of each (N = 1: batch 1
# only). make check-arm64 sets both, because under QEMU one ResNet-18 image
# takes 14 s with the NEON kernels and 35 s with the scalar ones.
# ONNXMINI_TEST_RUNNER prefixes the conformance runner's command (see
# run-tests.sh). The mutations run on the host with PYTHON3 (default
# /usr/bin/python3).

prog=test_torch_models
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
models=${ONNXMINI_TORCH_MODELS:-$build/torch-models}
python=${PYTHON3:-/usr/bin/python3}
# Split at blanks on purpose: the runner is a command and its arguments.
runner=${ONNXMINI_TEST_RUNNER:-}
conformance=$build/bin/onnxmini-conformance
rtol=1e-3
atol=1e-4

all_names="resnet18_opset13 resnet18_opset17 mobilenet_v2_opset13
mobilenet_v2_opset17 squeezenet1_1_opset13 squeezenet1_1_opset17
lenet5_opset13 lenet5_opset17"
names=${ONNXMINI_TORCH_MODEL_NAMES:-$all_names}
data_sets=${ONNXMINI_TORCH_DATA_SETS:-}

case $data_sets in
'' | [1-9] | [1-9][0-9]) ;;
*)
    echo "$prog: ONNXMINI_TORCH_DATA_SETS is '$data_sets', expected a" \
        "number of data sets from 1 to 99" >&2
    exit 1
    ;;
esac

if [ ! -f "$models/resnet18_opset13/model.onnx" ]; then
    if [ "${CI:-}" = true ]; then
        echo "$prog: no PyTorch models in $models, and CI=true needs them;" \
            "'make torch-models' writes them (it needs python3-torch and" \
            "python3-torchvision)" >&2
        exit 1
    fi
    echo "$prog: skipped: no PyTorch models in $models; 'make torch-models'" \
        "writes them when python3-torch and python3-torchvision are installed"
    exit 0
fi
if [ ! -x "$conformance" ]; then
    echo "$prog: $conformance not found; build it with 'make'" >&2
    exit 1
fi

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failed=0

# ---------------------------------------------------------------- models

# With ONNXMINI_TORCH_DATA_SETS, each test folder is a copy made of
# symbolic links to the model and to the first N data sets.
set --
for name in $names; do
    if [ -z "$data_sets" ]; then
        set -- "$@" "$models/$name"
        continue
    fi
    mkdir -p "$work/limited/$name" || exit 1
    ln -s "$models/$name/model.onnx" "$work/limited/$name/" || exit 1
    index=0
    while [ $index -lt "$data_sets" ]; do
        ln -s "$models/$name/test_data_set_$index" "$work/limited/$name/" ||
            exit 1
        index=$((index + 1))
    done
    set -- "$@" "$work/limited/$name"
done
count=$#
# shellcheck disable=SC2086
$runner "$conformance" --rtol $rtol --atol $atol "$@" >"$work/models.log"
status=$?
cat "$work/models.log"
if [ $status -ne 0 ]; then
    echo "$prog: the conformance runner exited with status $status" >&2
    failed=1
fi
# UNSUPPORTED does not change the runner's exit status, so check the count.
if ! grep -qx "$count passed, 0 failed, 0 skipped" "$work/models.log"; then
    echo "$prog: expected all $count models to pass" >&2
    failed=1
fi

# ---------------------------------------------------------------- mutations

# Each line: mutation, source folder, name of the mutated copy.
mutations="conv-bias squeezenet1_1_opset13 squeezenet1_1_no_conv_bias
clip-max mobilenet_v2_opset13 mobilenet_v2_no_clip_max"

echo "$mutations" | while read -r mutation source copy; do
    if ! "$python" "$top/tests/torch/mutate_model.py" "$mutation" \
        "$models/$source" "$work/$copy"; then
        echo "$prog: could not make the mutated copy $copy" >&2
        exit 1
    fi
    # shellcheck disable=SC2086
    $runner "$conformance" --rtol $rtol --atol $atol "$work/$copy" \
        >"$work/$copy.log"
    status=$?
    # The runner's lines, marked so that a passing log does not read as a
    # failure.
    sed 's/^/expected for a mutated copy: /' "$work/$copy.log"
    # The model must run and its values differ: a load or run error would
    # also give FAIL, but would prove nothing about the comparison.
    if [ $status -ne 1 ] ||
        ! grep -q "^FAIL $copy: .* values differ" "$work/$copy.log"; then
        echo "$prog: the mutated copy $copy was expected to FAIL with" \
            "differing values (exit status $status)" >&2
        exit 1
    fi
done || failed=1

# ---------------------------------------------------------------- FLOPs

bench=$build/bin/onnxmini-bench
flop_summary="FLOP counts match PyTorch's"
if [ -n "$runner" ]; then
    flop_summary="FLOP counts not checked under $runner"
else
    for name in $names; do
        expected=$(cat "$models/$name/flops.txt") || { failed=1; continue; }
        "$bench" "$models/$name/model.onnx" --warmup 0 --iterations 1 \
            --json >"$work/bench.json"
        counted=$(sed -n 's/.*"flops_per_run": \([0-9]*\),.*/\1/p' \
            "$work/bench.json")
        if [ "$counted" = "$expected" ]; then
            echo "FLOPs $name: $counted"
        else
            echo "$prog: $name: onnxmini-bench counted ${counted:-no}" \
                "FLOPs, expected $expected from flops.txt:" >&2
            cat "$work/bench.json" >&2
            failed=1
        fi
    done
fi

if [ $failed -ne 0 ]; then
    echo "$prog: FAILED"
    exit 1
fi
echo "$prog: $count models passed, 2 mutated copies failed as expected," \
    "$flop_summary"
