#!/bin/sh
# Install what `make check-arm64` needs to cross-compile for aarch64 and run
# the result under user-mode QEMU: Debian's cross compiler, qemu-user, and
# the arm64 builds of the libraries the project links (from Debian's
# multiarch archive).
#
# Usage: tools/install-arm64-deps.sh
#
# When arm64 is already a foreign architecture and every package is
# installed, it prints one line and runs no apt-get, so it is cheap to run
# before every build. Otherwise it adds the architecture, runs apt-get update
# and installs the missing packages, as root or through sudo. Debian and its
# derivatives only.

set -eu

prog=install-arm64-deps
lock_wait=300

# gcc-aarch64-linux-gnu is the cross compiler, and libc6-dev-arm64-cross
# (only recommended by it) the C library it links against. At run time
# qemu-aarch64 uses the loader and libc of libc6:arm64, the multiarch
# package that the arm64 -dev packages depend on (the Makefile explains why).
# qemu-user-binfmt is left out on purpose: the tests call qemu-aarch64
# explicitly and must not depend on binfmt_misc.
packages="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user libc6:arm64 \
libprotobuf-c-dev:arm64 libcmocka-dev:arm64 libpng-dev:arm64 zlib1g-dev:arm64"

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "$prog: dpkg or apt-get not found. This script supports only Debian and its derivatives." >&2
    exit 1
fi

have_arch=0
if dpkg --print-foreign-architectures | grep -qx arm64; then
    have_arch=1
fi

missing=
for name in $packages; do
    status=$(dpkg-query -W -f='${Status}' "$name" 2>/dev/null) || status=
    case $status in
    *" installed") ;;
    *) missing="$missing $name" ;;
    esac
done

if [ "$have_arch" -eq 1 ] && [ -z "$missing" ]; then
    echo "$prog: arm64 is enabled and all aarch64 packages are installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=
elif command -v sudo >/dev/null 2>&1; then
    as_root=sudo
else
    echo "$prog: not running as root and sudo is not installed." >&2
    echo "$prog: as root, run:" >&2
    echo "  dpkg --add-architecture arm64 && apt-get update &&" \
        "apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

if [ "$have_arch" -eq 0 ]; then
    echo "$prog: adding the foreign architecture arm64"
    $as_root dpkg --add-architecture arm64
fi

echo "$prog: missing packages:$missing"
# The package lists must be read again after a new architecture, and an
# install of missing packages needs current lists anyway.
# Another apt-get may hold the dpkg lock (an install in another terminal),
# so both calls wait for it for up to lock_wait seconds.
# $as_root and $missing are unquoted on purpose: they are word lists.
# shellcheck disable=SC2086
if ! $as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=$lock_wait update; then
    echo "$prog: ${as_root:+sudo }apt-get update failed. Check the network and the APT sources." >&2
    exit 1
fi
# shellcheck disable=SC2086
if ! $as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=$lock_wait install -y \
    --no-install-recommends $missing; then
    echo "$prog: ${as_root:+sudo }apt-get install failed for:$missing" >&2
    exit 1
fi
echo "$prog: installed:$missing"
