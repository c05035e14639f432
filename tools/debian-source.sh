#!/bin/sh
# Download and unpack Debian source packages without touching the system's
# APT configuration: the deb-src entries, the package lists and the cache
# live in DIR/apt, and the unpacked trees in DIR/src.
#
# Usage: tools/debian-source.sh DIR PACKAGE...
#
# The deb-src entries mirror the system's deb entries (same servers, suites
# and components, read with apt-get indextargets), so a machine that
# reaches a Debian mirror or proxy for binary packages reaches it for
# sources too. A package whose tree already exists in DIR/src is not
# fetched again. It prints the path of each unpacked tree, one a line, in
# the order of the arguments. dpkg-source (package dpkg-dev) unpacks them.

set -eu

prog=debian-source

if [ $# -lt 2 ]; then
    echo "Usage: $0 DIR PACKAGE..." >&2
    exit 2
fi
mkdir -p "$1"
dir=$(cd "$1" && pwd)
shift
packages="$*"

apt_dir=$dir/apt
src_dir=$dir/src
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" \
    "$apt_dir/sources.list.d" "$src_dir"

# The unpacked tree of a source package: PACKAGE-VERSION, newest first.
tree_of() {
    find "$src_dir" -mindepth 1 -maxdepth 1 -type d -name "$1-[0-9]*" |
        sort -V | tail -n 1
}

missing=
for package in $packages; do
    [ -n "$(tree_of "$package")" ] || missing="$missing $package"
done

if [ -n "$missing" ]; then
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    options=
    [ -f "$keyring" ] && options="[signed-by=$keyring] "
    apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
        'Identifier: Packages' | sort -u |
        while read -r uri release component; do
            echo "deb-src $options$uri $release $component"
        done >"$apt_dir/sources.list"
    if [ ! -s "$apt_dir/sources.list" ]; then
        echo "$prog: the system's APT configuration lists no deb entries" >&2
        exit 1
    fi

    # The downloads run as root, since APT's sandbox user _apt cannot
    # write into a work tree.
    set -- -o Dir::Etc::sourcelist="$apt_dir/sources.list" \
        -o Dir::Etc::sourceparts="$apt_dir/sources.list.d" \
        -o Dir::State::Lists="$apt_dir/lists" \
        -o Dir::Cache="$apt_dir/cache" \
        -o APT::Sandbox::User=root
    echo "$prog: fetching the source packages:$missing" >&2
    if ! apt-get "$@" -q update >"$apt_dir/update.log" 2>&1; then
        cat "$apt_dir/update.log" >&2
        echo "$prog: apt-get update of the deb-src entries failed" >&2
        exit 1
    fi
    # A security or updates suite can list a version whose files a mirror
    # does not have yet, so a failed package is tried again with the
    # version of the release itself (PACKAGE/CODENAME).
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    for package in $missing; do
        if (cd "$src_dir" && apt-get "$@" -q source "$package") \
            >"$apt_dir/source-$package.log" 2>&1; then
            continue
        fi
        if [ -n "$codename" ] &&
            (cd "$src_dir" && apt-get "$@" -q source "$package/$codename") \
            >>"$apt_dir/source-$package.log" 2>&1; then
            continue
        fi
        cat "$apt_dir/source-$package.log" >&2
        echo "$prog: apt-get source failed for $package" >&2
        exit 1
    done
fi

for package in $packages; do
    tree=$(tree_of "$package")
    if [ -z "$tree" ]; then
        echo "$prog: apt-get source left no tree for $package in $src_dir" >&2
        exit 1
    fi
    echo "$tree"
done
