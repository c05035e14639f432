#!/bin/sh
# Count the aarch64 instructions that one inference executes, per model and
# kernel instruction set, by running the aarch64 build of onnxmini-bench
# under qemu-aarch64 with QEMU's own execution log. A cost estimate for Arm
# CPUs that needs no Arm hardware; see docs/ARM64.md for the method.
#
# Usage: tools/arm64-instructions.sh [--runs N] [--isas "neon scalar"]
#                                    [MODEL...]
#
# Without models it measures $ONNXMINI_DATA_DIR/mnist-12.onnx and
# build/bench/cifar_cnn.onnx (made by `make bench-models`). The aarch64
# programs come from $ARM64_BUILD (default build-arm64, made by
# `make all-arm64`), and $ARM64_RUNNER (default qemu-aarch64) runs them.
#
# How: QEMU translates guest code into translation blocks (TBs). With
# -d in_asm it logs each block's guest instructions once, when it translates
# the block. With -d exec it logs each execution of a block, and nochain
# makes every execution go through the logged path. The sum over executed
# blocks of their instruction counts is the instruction count of the run.
# Each model runs twice, with 0 and with N untimed warm-up inferences
# before 1 timed one. The difference of the two counts divided by N is the
# cost of one inference, free of start-up, model loading, the first
# inference and the report.
#
# Exit status: 0 on success, 1 when a program or file is missing or a run
# fails, 2 on an invalid option.

set -eu

prog=arm64-instructions
top=$(cd "$(dirname "$0")/.." && pwd)
build=${ARM64_BUILD:-build-arm64}
runner=${ARM64_RUNNER:-qemu-aarch64}
runs=4
isas="neon scalar"

usage() {
    cat <<EOF
Usage: $0 [--runs N] [--isas "ISA..."] [MODEL...]

Count the aarch64 instructions of one inference under qemu-aarch64.

  --runs N      extra inferences whose count is averaged (default 4)
  --isas LIST   kernel instruction sets, separated by blanks
                (default "neon scalar")
  -h, --help    show this help

Environment:
  ONNXMINI_DATA_DIR  directory with mnist-12.onnx, for the default models
  ARM64_BUILD        aarch64 build directory (default build-arm64)
  ARM64_RUNNER       command that runs an aarch64 program (default
                     qemu-aarch64); it is split at blanks
EOF
}

die() {
    echo "$prog: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case $1 in
    --runs)
        [ $# -ge 2 ] || { echo "$prog: --runs needs a value" >&2; exit 2; }
        runs=$2
        shift 2
        ;;
    --isas)
        [ $# -ge 2 ] || { echo "$prog: --isas needs a value" >&2; exit 2; }
        isas=$2
        shift 2
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    --)
        shift
        break
        ;;
    -*)
        echo "$prog: unknown option '$1'" >&2
        usage >&2
        exit 2
        ;;
    *) break ;;
    esac
done

case $runs in
'' | *[!0-9]* | 0)
    echo "$prog: invalid value '$runs' for --runs: expected a positive whole number" >&2
    exit 2
    ;;
esac

cd "$top"
bench=$build/bin/onnxmini-bench
[ -x "$bench" ] || die "$bench not found; run 'make all-arm64' first"
command -v "${runner%% *}" >/dev/null 2>&1 ||
    die "'${runner%% *}' not found; run tools/install-arm64-deps.sh"

if [ $# -eq 0 ]; then
    [ -n "${ONNXMINI_DATA_DIR:-}" ] ||
        die "ONNXMINI_DATA_DIR is not set; set it to the directory with mnist-12.onnx, or name the models"
    set -- "$ONNXMINI_DATA_DIR/mnist-12.onnx" build/bench/cifar_cnn.onnx
fi
for model do
    [ -f "$model" ] || die "model $model not found (build/bench/*.onnx come from 'make bench-models')"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Sums the instructions of the executed translation blocks in a QEMU log of
# -d in_asm,exec,nochain. An "IN:" block lists the guest instructions of a
# block just translated, up to a blank line. The next "Trace" line is that
# block's first execution and names it by the address of its host code
# (field 3), which later Trace lines repeat. A "Stopped execution of TB
# chain before" line names a block that was entered but left before its
# first instruction, so its count is taken back.
# shellcheck disable=SC2016
count_program='
/^IN:/ { in_block = 1; length_now = 0; next }
in_block && /^0x/ { length_now++; next }
in_block && /^$/ { in_block = 0; pending = length_now; next }
$1 == "Trace" {
    if (pending) { size[$3] = pending; pending = 0 }
    total += size[$3]
    next
}
/^Stopped execution of TB chain before/ { total -= size[$7]; next }
END { printf "%.0f\n", total }
'

# Prints the instruction count of one bench run with WARMUP warm-up
# inferences. The log goes through a pipe (fd 3), so it never touches the
# disk. The bench's report is discarded, and its errors are shown.
count_run() {
    model=$1 isa=$2 warmup=$3
    # The runner is split at blanks on purpose.
    # shellcheck disable=SC2086
    { $runner -d in_asm,exec,nochain -D /dev/fd/3 "$bench" "$model" \
          --isa "$isa" --warmup "$warmup" --iterations 1 3>&1 >/dev/null
      echo $? >"$work/status"; } | awk "$count_program" >"$work/count"
    status=$(cat "$work/status")
    [ "$status" -eq 0 ] ||
        die "onnxmini-bench $model --isa $isa --warmup $warmup exited with status $status"
    cat "$work/count"
}

printf '%-24s %-8s %16s %16s\n' model isa "per inference" "start-up + 1"
for model do
    for isa in $isas; do
        base=$(count_run "$model" "$isa" 0)
        more=$(count_run "$model" "$isa" "$runs")
        per=$(awk -v a="$base" -v b="$more" -v n="$runs" \
            'BEGIN { printf "%.0f", (b - a) / n }')
        printf '%-24s %-8s %16s %16s\n' "$(basename "$model")" "$isa" \
            "$per" "$base"
    done
done
