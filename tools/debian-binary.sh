#!/bin/sh
# Download Debian binary packages of another architecture and unpack them
# into a folder, without installing them and without touching the system's
# APT or dpkg configuration: the deb entries (with [arch=ARCH]), the
# package lists and the downloads live in DIR/apt, the files in DIR/root.
#
# Usage: tools/debian-binary.sh ARCH DIR PACKAGE...
#
# The entries mirror the system's deb entries, as in tools/debian-source.sh.
# Dependencies are not followed: the caller names every package it needs.
# Nothing is done when DIR/root already holds the same package list.

set -eu

prog=debian-binary

if [ $# -lt 3 ]; then
    echo "Usage: $0 ARCH DIR PACKAGE..." >&2
    exit 2
fi
arch=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
shift 2
packages="$*"

apt_dir=$dir/apt
root=$dir/root
stamp=$dir/root.packages
if [ -d "$root" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$arch $packages" ]; then
    exit 0
fi

mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" \
    "$apt_dir/sources.list.d" "$apt_dir/debs"
: >"$apt_dir/status"

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
options="arch=$arch"
[ -f "$keyring" ] && options="$options signed-by=$keyring"
apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
    'Identifier: Packages' | sort -u |
    while read -r uri release component; do
        echo "deb [$options] $uri $release $component"
    done >"$apt_dir/sources.list"

# An empty dpkg status file, so that APT plans for a bare $arch system and
# not for the packages installed here.
set -- -o Dir::Etc::sourcelist="$apt_dir/sources.list" \
    -o Dir::Etc::sourceparts="$apt_dir/sources.list.d" \
    -o Dir::State::Lists="$apt_dir/lists" \
    -o Dir::State::status="$apt_dir/status" \
    -o Dir::Cache="$apt_dir/cache" \
    -o APT::Architecture="$arch" -o APT::Architectures="$arch" \
    -o APT::Sandbox::User=root
echo "$prog: fetching $arch packages: $packages" >&2
if ! apt-get "$@" -q update >"$apt_dir/update.log" 2>&1; then
    cat "$apt_dir/update.log" >&2
    echo "$prog: apt-get update of the $arch entries failed" >&2
    exit 1
fi
rm -f "$apt_dir/debs"/*.deb
# $packages is a word list of package names.
# shellcheck disable=SC2086
if ! (cd "$apt_dir/debs" && apt-get "$@" -q download $packages) \
    >"$apt_dir/download.log" 2>&1; then
    cat "$apt_dir/download.log" >&2
    echo "$prog: apt-get download failed for: $packages" >&2
    exit 1
fi

rm -rf "$root"
mkdir -p "$root"
for deb in "$apt_dir/debs"/*.deb; do
    dpkg-deb -x "$deb" "$root"
done
echo "$arch $packages" >"$stamp"
