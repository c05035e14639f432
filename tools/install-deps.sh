#!/bin/sh
# Install the Debian packages that the build, the example and the tests need,
# plus any package names given as arguments (CI adds valgrind, for example).
#
# Usage: tools/install-deps.sh [PACKAGE...]
#
# When every package is already installed it prints one line and runs no
# apt-get, so it is cheap to run before every build. Otherwise it runs
# apt-get update and apt-get install for the missing ones, as root or through
# sudo.

set -eu

prog=install-deps

# build-essential brings gcc, make and libc6-dev. protobuf-c-compiler
# generates the ONNX protobuf code. libpng-dev and zlib1g-dev are for the
# MNIST example; libcmocka-dev, libonnx-testdata (the official ONNX
# backend tests) and cmake (the installed package's CMake check) are for
# the tests.
required="build-essential pkg-config protobuf-c-compiler libprotobuf-c-dev \
libcmocka-dev libpng-dev zlib1g-dev libonnx-testdata cmake"

for name do
    # Debian package names, optionally with ":arch". Rejecting anything else
    # keeps an argument such as "-y" from reaching apt-get as an option.
    case $name in
    '' | [!a-z0-9]* | *[!a-z0-9.+:-]*)
        echo "$prog: invalid package name: '$name'" >&2
        exit 2
        ;;
    esac
done

# The required list is a fixed word list, so splitting it is intended.
# shellcheck disable=SC2086
set -- $required "$@"
packages="$*"

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "$prog: apt-get or dpkg-query not found. This script supports only Debian and its derivatives." >&2
    echo "$prog: install the equivalents of these Debian packages with your system's package manager:" >&2
    echo "  $packages" >&2
    exit 1
fi

missing=
for name in $packages; do
    status=$(dpkg-query -W -f='${Status}' "$name" 2>/dev/null) || status=
    case $status in
    *" installed") ;;
    *) missing="$missing $name" ;;
    esac
done

if [ -z "$missing" ]; then
    echo "$prog: all $# required packages are installed"
    exit 0
fi

echo "$prog: missing packages:$missing"

if [ "$(id -u)" -eq 0 ]; then
    as_root=
elif command -v sudo >/dev/null 2>&1; then
    as_root=sudo
else
    echo "$prog: not running as root and sudo is not installed." >&2
    echo "$prog: as root, run:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

# sudo resets the environment, so the variable is passed through env.
# $as_root and $missing are unquoted on purpose: they are word lists.
# shellcheck disable=SC2086
if ! $as_root env DEBIAN_FRONTEND=noninteractive apt-get update; then
    echo "$prog: ${as_root:+sudo }apt-get update failed. Check the network and the APT sources." >&2
    exit 1
fi
# shellcheck disable=SC2086
if ! $as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends $missing; then
    echo "$prog: ${as_root:+sudo }apt-get install failed for:$missing" >&2
    exit 1
fi
echo "$prog: installed:$missing"
