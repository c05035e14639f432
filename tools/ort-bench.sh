#!/bin/sh
# Install ONNX Runtime's Node.js package (onnxruntime-node) from the npm
# registry into a folder outside the repository, for `make bench
# BENCH_ORT=1`, and print that folder's node_modules path.
#
# Usage: tools/ort-bench.sh
#
# ORT_DIR chooses the folder (default: $TMPDIR/onnxmini-onnxruntime-node,
# TMPDIR defaulting to /tmp) and ORT_VERSION the package version (default:
# the newest). The package's install script only fetches GPU libraries, so
# it runs with --ignore-scripts; the CPU library comes with the package.
# Nothing is installed when the folder already has the package.

set -eu

prog=ort-bench
dir=${ORT_DIR:-${TMPDIR:-/tmp}/onnxmini-onnxruntime-node}
version=${ORT_VERSION:-latest}

if [ ! -f "$dir/node_modules/onnxruntime-node/package.json" ]; then
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        sh "$(dirname "$0")/install-deps.sh" nodejs npm >&2
    fi
    mkdir -p "$dir"
    echo "$prog: installing onnxruntime-node@$version into $dir" >&2
    (cd "$dir" && npm install --no-save --ignore-scripts --no-audit \
        --no-fund "onnxruntime-node@$version" >&2) || {
        echo "$prog: npm could not install onnxruntime-node; the" \
            "comparison needs the npm registry" >&2
        exit 1
    }
fi
echo "$dir/node_modules"
