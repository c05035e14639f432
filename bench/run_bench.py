#!/usr/bin/python3
"""Run onnxmini-bench on every benchmark model, instruction set and batch
size, and write the results page (docs/BENCHMARKS.md).

An instruction set that the CPU lacks, or that the library build does not
have (onnxmini-bench exits with status 3), is skipped with a note, and so
is a PyTorch model missing from the models folder (make_models.py links
them only when make torch-models could export them). Any other failure is
listed on the page and makes the script exit with status 1.

With --ort-modules, each model is also timed with ONNX Runtime
(bench/ort_bench.js) in alternation with libonnxmini, for a second table.

Usage: run_bench.py --bench PATH --models DIR [--max-time S]
                    [--peak-gflops P] [--cc CC] [--cflags FLAGS]
                    [--ort-modules DIR] [--output FILE]
"""

import argparse
import datetime
import json
import os
import subprocess
import sys

# onnxmini-bench's exit status for an instruction set it cannot use.
EXIT_ISA_UNAVAILABLE = 3

# (model file, batch sizes)
CASES = [
    ("mnist.onnx", [1, 64]),
    ("cifar_cnn.onnx", [1, 32]),
    ("vgg_block.onnx", [1]),
    ("resnet18.onnx", [1]),
    ("mobilenet_v2.onnx", [1]),
    ("squeezenet1_1.onnx", [1]),
]

# The models that make_models.py links from tests/torch/make_models.py's
# output, which needs PyTorch; the others are always written.
TORCH_MODELS = {"resnet18.onnx", "mobilenet_v2.onnx", "squeezenet1_1.onnx"}

# Instruction sets in the order of the page, with the /proc/cpuinfo flags
# each one needs.
ISAS = [
    ("scalar", []),
    ("sse2", ["sse2"]),
    ("avx2", ["avx2", "fma"]),
    ("avx512", ["avx512f"]),
]

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Alternating rounds per model in the comparison with ONNX Runtime.
ORT_ROUNDS = 2


# ---------------------------------------------------------------- machine


def cpu_info():
    """Return the model name, the clock in MHz (a string) and the set of
    flags of the first CPU in /proc/cpuinfo."""
    fields = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return (fields.get("model name", "unknown"), fields.get("cpu MHz"),
            set(fields.get("flags", "").split()))


def command_output(command):
    """Return the first line a command prints, or None when it fails."""
    try:
        result = subprocess.run(command, capture_output=True, text=True,
                                check=True, cwd=REPOSITORY)
    except (OSError, subprocess.CalledProcessError):
        return None
    lines = result.stdout.strip().splitlines()
    return lines[0] if lines else ""


def commit_description():
    commit = command_output(["git", "rev-parse", "--short", "HEAD"])
    if commit is None:
        return "unknown (not a git checkout)"
    changes = command_output(["git", "status", "--porcelain",
                              "--untracked-files=no"])
    return commit + (" with uncommitted changes" if changes else "")


# ---------------------------------------------------------------- runs


def measure_peaks(program):
    """Run onnxmini-peak; return {isa: GFLOP/s}, empty when it cannot
    run."""
    if not program:
        return {}
    try:
        result = subprocess.run([program], capture_output=True, text=True,
                                timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if result.returncode != 0:
        return {}
    peaks = {}
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) == 2:
            peaks[fields[0]] = float(fields[1])
    return peaks


def run_case(args, isa, model, batch):
    """Run onnxmini-bench once (isa None: the library's choice); return
    (exit status, JSON result or None, error message)."""
    command = [args.bench, os.path.join(args.models, model),
               "--batch", str(batch), "--threads", "1",
               "--max-time", str(args.max_time),
               "--peak-gflops", str(args.peak_gflops), "--json"]
    if isa:
        command += ["--isa", isa]
    # The warm-up and the timed loop are each bounded by --max-time; the
    # rest is loading and planning.
    timeout = 4 * args.max_time + 120
    try:
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return 1, None, f"timed out after {timeout:.0f} s"
    message = result.stderr.strip().replace("\n", " ")
    if result.returncode != 0:
        return result.returncode, None, message or \
            f"exit status {result.returncode}"
    try:
        return 0, json.loads(result.stdout), ""
    except json.JSONDecodeError as error:
        return 1, None, f"invalid JSON output ({error})"


def run_all(args, cpu_flags):
    """Run every case; return (rows, notes on skipped instruction sets,
    failure count)."""
    rows, notes, failures = [], [], 0
    present = []
    for model, batches in CASES:
        if model in TORCH_MODELS and \
                not os.path.isfile(os.path.join(args.models, model)):
            notes.append(f"`{model}`: skipped, not found in {args.models} "
                         "(`make torch-models` exports it when "
                         "python3-torch and python3-torchvision are "
                         "installed).")
            continue
        present.append((model, batches))
    cases = [(model, batch) for model, batches in present
             for batch in batches]
    total = len(ISAS) * len(cases)
    for isa_index, (isa, needed_flags) in enumerate(ISAS):
        missing = [flag for flag in needed_flags if flag not in cpu_flags]
        if missing:
            notes.append(f"`{isa}`: skipped, the CPU lacks "
                         f"{', '.join(missing)}.")
            continue
        for case_index, (model, batch) in enumerate(cases):
            step = f"[{isa_index * len(cases) + case_index + 1}/{total}]"
            status, result, message = run_case(args, isa, model, batch)
            if status == EXIT_ISA_UNAVAILABLE:
                # Not in this build: the other cases would fail the same way.
                reason = message.removeprefix("onnxmini-bench: ")
                reason = reason.removeprefix(f"--isa {isa}: ")
                notes.append(f"`{isa}`: skipped, the library reports: "
                             f"{reason}")
                print(f"{step} {isa}: not available, skipped", flush=True)
                break
            rows.append((isa, model, batch, result, message))
            if result:
                print(f"{step} {isa} {model} batch {batch}: median "
                      f"{result['median_us']:.1f} us over {result['runs']} "
                      "runs", flush=True)
            else:
                failures += 1
                print(f"{step} {isa} {model} batch {batch}: FAILED: "
                      f"{message}", file=sys.stderr, flush=True)
    return rows, notes, failures


def run_ort(args, model, batch):
    """Time one case with ONNX Runtime (bench/ort_bench.js); return (JSON
    result or None, error message)."""
    command = ["node", os.path.join(REPOSITORY, "bench", "ort_bench.js"),
               os.path.join(args.models, model), str(batch),
               str(args.max_time)]
    environment = dict(os.environ, ORT_NODE_MODULES=args.ort_modules)
    timeout = 4 * args.max_time + 120
    try:
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=timeout, check=False,
                                env=environment)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, str(error)
    if result.returncode != 0:
        return None, result.stderr.strip().replace("\n", " ") or \
            f"exit status {result.returncode}"
    try:
        return json.loads(result.stdout), ""
    except json.JSONDecodeError as error:
        return None, f"invalid JSON output ({error})"


def compare_ort(args, rows):
    """Time every measured case with libonnxmini's default instruction set
    and with ONNX Runtime in turn, ORT_ROUNDS times each. Return rows of
    (model, batch, libonnxmini result, ONNX Runtime result, message) with
    each side's fastest median."""
    cases = []
    for _, model, batch, _, _ in rows:
        if (model, batch) not in cases:
            cases.append((model, batch))
    comparison = []
    for index, (model, batch) in enumerate(cases):
        ours, theirs, message = None, None, ""
        for _ in range(ORT_ROUNDS):
            status, result, error = run_case(args, None, model, batch)
            if status == 0 and (not ours or
                                result["median_us"] < ours["median_us"]):
                ours = result
            message = message or error
            result, error = run_ort(args, model, batch)
            if result and (not theirs or
                           result["median_us"] < theirs["median_us"]):
                theirs = result
            message = message or error
        comparison.append((model, batch, ours, theirs, message))
        print(f"[{index + 1}/{len(cases)}] {model} batch {batch}: "
              f"libonnxmini {ours['median_us'] if ours else 'failed'}, "
              f"ONNX Runtime {theirs['median_us'] if theirs else 'failed'}",
              flush=True)
    return comparison


def comparison_lines(comparison):
    """Return the Markdown section comparing with ONNX Runtime."""
    version = next((c[3]["version"] for c in comparison if c[3]), "unknown")
    lines = [
        "",
        "## Against ONNX Runtime on the same machine",
        "",
        f"ONNX Runtime {version} (npm package onnxruntime-node, CPU "
        "execution provider, one intra-op thread, all graph "
        "optimisations) against libonnxmini with its default instruction "
        "set, each model timed "
        f"{ORT_ROUNDS} times by each engine, alternating; the table gives "
        "each engine's fastest median. ONNX Runtime's times include the "
        "JavaScript call around each run (a few microseconds).",
        "",
        "| model | batch | libonnxmini (µs) | ONNX Runtime (µs) "
        "| ONNX Runtime / libonnxmini |",
        "|---|---:|---:|---:|---:|",
    ]
    for model, batch, ours, theirs, message in comparison:
        if not ours or not theirs:
            message = message.replace("|", "\\|")
            lines.append(f"| {model} | {batch} | "
                         f"{microseconds(ours['median_us']) if ours else '-'}"
                         f" | "
                         f"{microseconds(theirs['median_us']) if theirs else '-'}"
                         f" | failed: {message} |")
            continue
        lines.append(f"| {model} | {batch} "
                     f"| {microseconds(ours['median_us'])} "
                     f"| {microseconds(theirs['median_us'])} "
                     f"| {theirs['median_us'] / ours['median_us']:.2f} |")
    return lines


# ---------------------------------------------------------------- page


def microseconds(value):
    return f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def result_row(isa, model, batch, result, message):
    if not result:
        # A "|" in the message would end the table cell.
        message = message.replace("|", "\\|")
        return f"| {isa} | {model} | {batch} | failed: {message} | | | | | |"
    used = result["isa"] if result["isa"] == isa else \
        f"{isa} (ran {result['isa']})"
    gflops = result["gflops"]
    fraction = result["fraction_of_peak"]
    return (f"| {used} | {model} | {batch} "
            f"| {microseconds(result['median_us'])} "
            f"| {microseconds(result['p99_us'])} "
            f"| {result['inferences_per_second']:,.1f} "
            f"| {'unknown' if gflops is None else f'{gflops:.2f}'} "
            f"| {'unknown' if fraction is None else f'{100 * fraction:.1f} %'}"
            f" | {result['runs']} |")


def write_page(args, path, rows, notes, cpu, comparison):
    """Write the Markdown page with the machine, the results and the
    method."""
    cpu_name, cpu_mhz, cpu_flags = cpu
    now = datetime.datetime.now(datetime.timezone.utc)
    compiler = command_output([args.cc, "--version"]) or args.cc
    simd = " ".join(f for f in ("sse2", "avx2", "fma", "avx512f")
                    if f in cpu_flags) or "none"
    version = next((r[3]["library_version"] for r in rows if r[3]),
                   "unknown")
    batches = ", ".join(f"{model} at batch {' and '.join(map(str, b))}"
                        for model, b in CASES)

    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by `make bench` (bench/run_bench.py). Do not edit: "
        "the next run overwrites this file. -->",
        "",
        "Generated by `make bench`. Latency of libonnxmini on the benchmark "
        "models, per kernel instruction set, on one thread.",
        "",
        "## Machine and build",
        "",
        "| | |",
        "|---|---|",
        f"| date | {now:%Y-%m-%d %H:%M} UTC |",
        f"| CPU | {cpu_name} ({os.cpu_count()} logical CPUs; flags: "
        f"{simd}{'; hypervisor' if 'hypervisor' in cpu_flags else ''}) |",
        f"| clock in /proc/cpuinfo | {float(cpu_mhz):.0f} MHz |"
        if cpu_mhz else None,
        f"| compiler | {compiler} |",
        f"| CFLAGS | `{args.cflags}` |" if args.cflags else None,
        f"| commit | {commit_description()} |",
        f"| library | {version} |",
        f"| peak used below | {args.peak_gflops:g} GFLOP/s "
        f"({args.peak_source}; see Method) |",
        "",
        "## Results",
        "",
        "Latencies in microseconds per run; a run is one batch. GFLOP/s "
        "counts the Conv, MatMul and Gemm FLOPs of a run over the median "
        "latency.",
        "",
        "| ISA | model | batch | median (µs) | p99 (µs) | inferences/s "
        "| GFLOP/s | % of peak | runs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [result_row(*row) for row in rows]
    if notes:
        lines += ["", "Not measured:", ""]
        lines += [f"* {note}" for note in notes]
    if comparison:
        lines += comparison_lines(comparison)
    lines += [
        "",
        "## Method",
        "",
        f"* `build/bin/onnxmini-bench` runs each model ({batches}) with "
        "`--threads 1` and one `--isa` at a time. It fills every input with "
        "the same pseudo-random data on every run (floats uniform in "
        "[-1, 1)), sets the inputs once, and times each "
        "`onnxmini_session_run` call on its own with `CLOCK_MONOTONIC`.",
        "* Each measurement makes up to 10 warm-up runs, then up to 200 "
        f"timed runs, and stops either loop once {args.max_time:g} s have "
        "passed in it (at least 1 warm-up and 5 timed runs). The `runs` "
        "column gives the number of timed runs. The median is the middle "
        "of the sorted times; p99 is the nearest-rank 99th percentile, so "
        "with fewer than 100 runs it is the slowest run.",
        "* FLOPs are 2 × multiply-accumulates of every Conv, MatMul and "
        "Gemm, from the benchmark's own shape propagation over the model "
        "file. Bias terms and the other operators (Add, Clip, Concat, "
        "Constant, Flatten, GlobalAveragePool, Identity, MaxPool, Relu, "
        "Reshape) count as 0. Inferences per second are the batch size over "
        "the median.",
        f"* The peak of {args.peak_gflops:g} GFLOP/s is one core's "
        "single-precision FMA throughput: `onnxmini-peak` "
        "(`bench/peak/peak.c`) times long loops of independent FMAs of the "
        "widest vectors the CPU has and reports the best of five, per "
        "instruction set. Every row is compared with the best of them, so "
        "the SSE2 and scalar rows, and on CPUs whose AVX2 peak is half their "
        "AVX-512 peak the AVX2 rows, can only reach a fraction. Under a "
        "hypervisor, the model name and clock in /proc/cpuinfo need not be "
        "those of the real part. `BENCH_PEAK_GFLOPS` sets a peak instead of "
        "measuring one.",
        "* `scalar` is the portable C reference kernels; the compiler may "
        "still vectorise them for the target's baseline (SSE2 on x86-64), "
        "as GCC does at -O2 since version 12.",
        "* Other processes, and under a hypervisor other guests, share the "
        "cores, so single runs can be much slower than the median (see "
        "p99). Compare medians, and rerun before trusting a small "
        "difference.",
        "",
        "## Reproduce",
        "",
        "```sh",
        "ONNXMINI_DATA_DIR=/path/to/data make bench",
        "ONNXMINI_DATA_DIR=/path/to/data make bench BENCH_ORT=1  "
        "# with the ONNX Runtime comparison",
        "```",
        "",
        "`make bench` builds `build/bin/onnxmini-bench`, writes the models "
        "into `build/bench/` with `bench/make_models.py` (the MNIST model "
        "comes from `mnist-12.onnx` in the data directory, the others have "
        "seeded random weights; ResNet-18, MobileNetV2 and SqueezeNet 1.1 "
        "are the opset-13 exports of `tests/torch/make_models.py`, which "
        "need PyTorch), runs `bench/run_bench.py` and rewrites this page. "
        "`BENCH_ORT=1` adds the comparison: `tools/ort-bench.sh` installs "
        "onnxruntime-node from the npm registry into a folder outside the "
        "repository (Node.js and npm from Debian if they are missing), and "
        "`bench/ort_bench.js` times each model with it. "
        "`BENCH_MAX_TIME` (seconds per loop, default 5) and "
        "`BENCH_PEAK_GFLOPS` change the bound and the peak. "
        "One measurement by hand:",
        "",
        "```sh",
        "build/bin/onnxmini-bench build/bench/cifar_cnn.onnx --batch 32 "
        f"--isa scalar --peak-gflops {args.peak_gflops:g}",
        "```",
        "",
    ]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(line for line in lines if line is not None))


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(
        description="Run the benchmarks and write the results page.")
    parser.add_argument("--bench", required=True,
                        help="the onnxmini-bench program")
    parser.add_argument("--models", required=True,
                        help="folder written by make_models.py")
    parser.add_argument("--max-time", type=float, default=5.0,
                        help="seconds after which each warm-up and timed "
                        "loop stops (default 5)")
    parser.add_argument("--peak-gflops", default="",
                        help="peak GFLOP/s to compare against (default: "
                        "measured with --peak-program)")
    parser.add_argument("--peak-program", default="",
                        help="onnxmini-peak, which measures the peak")
    parser.add_argument("--cc", default="cc",
                        help="the compiler that built the library, for the "
                        "page")
    parser.add_argument("--cflags", default="",
                        help="the CFLAGS of the build, for the page")
    parser.add_argument("--ort-modules", default="",
                        help="node_modules folder with onnxruntime-node: "
                        "also compare with ONNX Runtime")
    parser.add_argument("--output", default="docs/BENCHMARKS.md",
                        help="page to write (default docs/BENCHMARKS.md)")
    args = parser.parse_args()
    args.peak_source = "given with --peak-gflops"
    args.peaks = {}
    if args.peak_gflops:
        args.peak_gflops = float(args.peak_gflops)
    else:
        args.peaks = measure_peaks(args.peak_program)
        if not args.peaks:
            parser.error("no peak: give --peak-gflops, or a --peak-program "
                         "that runs on this CPU")
        args.peak_gflops = max(args.peaks.values())
        args.peak_source = "measured by onnxmini-peak: " + ", ".join(
            f"{isa} {value:g}" for isa, value in sorted(args.peaks.items()))
    if args.max_time <= 0 or args.peak_gflops <= 0:
        parser.error("--max-time and --peak-gflops must be positive")

    cpu = cpu_info()
    rows, notes, failures = run_all(args, cpu[2])
    comparison = compare_ort(args, rows) if args.ort_modules else []
    write_page(args, args.output, rows, notes, cpu, comparison)
    print(f"wrote {args.output}")
    if failures:
        print(f"run_bench.py: {failures} measurements failed; see "
              f"{args.output}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
