#!/bin/sh
# Collect the seed corpora of the fuzz targets from data the project reads
# but never commits.
#
# Usage: tests/fuzz/make-corpus.sh FUZZ_BUILD DATA_DIR TESTDATA_DIR
#
#   FUZZ_BUILD/corpus-model   every TESTDATA_DIR/*/*/model.onnx (the ONNX
#                             backend tests, Debian package libonnx-testdata)
#                             and DATA_DIR/mnist-*.onnx
#   FUZZ_BUILD/corpus-tensor  their test_data_set_*/*.pb files, TensorProto
#                             inputs and outputs
#   FUZZ_BUILD/corpus-graph   empty: fuzz_graph.c builds its models itself
#
# Each target's files in tests/fuzz/regressions/ are added as well. Files
# are named by their SHA-1, so running the script again adds nothing twice
# and keeps what the fuzzers added. A missing DATA_DIR is reported and
# skipped; a missing TESTDATA_DIR fails.

set -eu

prog=make-corpus

if [ $# -ne 3 ]; then
    echo "usage: $0 FUZZ_BUILD DATA_DIR TESTDATA_DIR" >&2
    exit 2
fi
build=$1
data=$2
testdata=$3
top=$(cd "$(dirname "$0")/../.." && pwd)

if [ ! -d "$testdata" ]; then
    echo "$prog: $testdata not found;" \
        "install the Debian package libonnx-testdata" >&2
    exit 1
fi
if [ ! -d "$data" ]; then
    echo "$prog: data directory $data not found;" \
        "the MNIST seeds are left out" >&2
    data=
fi

# Lists the regression inputs of target $1, if it has any.
regressions() {
    if [ -d "$top/tests/fuzz/regressions/$1" ]; then
        find "$top/tests/fuzz/regressions/$1" -type f ! -name '.*'
    fi
}

# Copies the files named on stdin, one per line, into folder $1 under
# their SHA-1; prints how many the folder then holds.
collect() {
    mkdir -p "$1"
    # The paths come from find over fixed folders and contain no newline.
    tr '\n' '\0' | xargs -0 -r sha1sum | while read -r sum path; do
        [ -f "$1/$sum" ] || cp "$path" "$1/$sum"
    done
    echo "$prog: $1: $(find "$1" -type f | wc -l) files"
}

{
    find "$testdata" -mindepth 3 -maxdepth 3 -name model.onnx -type f
    [ -z "$data" ] || find "$data" -maxdepth 1 -name 'mnist-*.onnx' -type f
    regressions model
} | collect "$build/corpus-model"

{
    find "$testdata" -mindepth 4 -maxdepth 4 \
        -path '*/test_data_set_*/*.pb' -type f
    [ -z "$data" ] || find "$data" -mindepth 3 -maxdepth 3 \
        -path '*/mnist-*-test-data/test_data_set_*/*.pb' -type f
    regressions tensor
} | collect "$build/corpus-tensor"

regressions graph | collect "$build/corpus-graph"
