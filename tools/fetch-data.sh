#!/bin/sh
# Find, verify and, when needed, download the data files listed in
# tools/data.sha256: the ONNX model zoo's MNIST models and the MNIST test set.
#
# Usage: tools/fetch-data.sh [--print-dir] [--quiet]
#
# With ONNXMINI_DATA_DIR set, the files must already be in that directory and
# the script only reads it (it may be read-only). A relative value is taken
# from the repository root, so it means the same from any working directory.
# Without ONNXMINI_DATA_DIR, the script uses data/ in the repository root: it
# keeps the files there whose sums match and downloads the others. A value
# that names that same data/ directory counts as unset, because the Makefile
# always exports ONNXMINI_DATA_DIR.
#
# There is no skip path: a file that is missing or wrong at the end fails the
# run, on CI as anywhere else.
#
# Exit status: 0 when every file matches its pinned sum, 1 when a file is
# missing or wrong or another step fails, 2 on an unknown option.

set -eu

prog=fetch-data

# Download locations. The two variables let a user point at a local mirror.
model_base_url=${ONNXMINI_MODEL_BASE_URL:-https://github.com/onnx/models/raw/main/validated/vision/classification/mnist/model}
mnist_base_urls=${ONNXMINI_MNIST_BASE_URLS:-https://ossci-datasets.s3.amazonaws.com/mnist https://storage.googleapis.com/cvdf-datasets/mnist}

# Seconds. The connect timeout keeps a machine without internet from waiting
# long; the transfer limit is generous for the largest file (1.6 MB).
connect_timeout=15
transfer_timeout=300

usage() {
    cat <<EOF
Usage: $0 [--print-dir] [--quiet]

Verify the data files listed in tools/data.sha256, downloading missing ones
into data/ in the repository root unless ONNXMINI_DATA_DIR is set.

  --print-dir   print the absolute data directory that would be used and exit
  --quiet       print nothing when all files are verified
  -h, --help    show this help

Environment:
  ONNXMINI_DATA_DIR         directory that already contains the files; it is
                            only read, never written. A relative path is taken
                            from the repository root.
  ONNXMINI_MODEL_BASE_URL   base URL for the .onnx files
  ONNXMINI_MNIST_BASE_URLS  space-separated base URLs for the MNIST files,
                            tried in order
EOF
}

die() {
    echo "$prog: $*" >&2
    exit 1
}

print_dir=0
quiet=0
for arg do
    case $arg in
    --print-dir) print_dir=1 ;;
    --quiet) quiet=1 ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        echo "$prog: unknown option: $arg" >&2
        usage >&2
        exit 2
        ;;
    esac
done

# Print the absolute form of directory path $1 with symbolic links and ".."
# resolved. When $1 does not exist, only its parent is resolved.
absolute_dir() {
    if [ -d "$1" ]; then
        (CDPATH='' cd -- "$1" && pwd -P)
    elif [ -d "$(dirname -- "$1")" ]; then
        parent=$(CDPATH='' cd -- "$(dirname -- "$1")" && pwd -P)
        echo "${parent%/}/$(basename -- "$1")"
    else
        echo "$1"
    fi
}

script_dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)
root=$(CDPATH='' cd -- "$script_dir/.." && pwd -P)
manifest=$script_dir/data.sha256
default_dir=$(absolute_dir "$root/data")

data_env=${ONNXMINI_DATA_DIR:-}
if [ -n "$data_env" ]; then
    case $data_env in
    /*) data_dir=$(absolute_dir "$data_env") ;;
    *) data_dir=$(absolute_dir "$root/$data_env") ;;
    esac
else
    data_dir=$default_dir
fi
if [ "$data_dir" = "$default_dir" ]; then
    mode=download
else
    mode=verify
fi

if [ "$print_dir" -eq 1 ]; then
    echo "$data_dir"
    exit 0
fi

# Read the manifest: "SHA256  NAME" lines, with "#" comments and blank lines.
[ -r "$manifest" ] || die "manifest not found: $manifest"
entries=$(sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$manifest")
file_count=0
file_names=
while read -r sum name extra; do
    case $sum in
    *[!0-9a-f]*) die "$manifest: invalid sha256 '$sum' (expected 64 lowercase hex digits)" ;;
    esac
    [ "${#sum}" -eq 64 ] ||
        die "$manifest: invalid sha256 '$sum' (expected 64 lowercase hex digits)"
    case $name in
    '' | */* | .*) die "$manifest: invalid file name '$name' for sum $sum" ;;
    esac
    [ -z "$extra" ] || die "$manifest: unexpected text after '$name': $extra"
    file_count=$((file_count + 1))
    file_names="$file_names $name"
done <<EOF
$entries
EOF
[ "$file_count" -gt 0 ] || die "$manifest: no entries"

# For names ending in .gz the manifest pins the decompressed bytes, because
# mirrors serve the same payload with different gzip headers.
sum_note() {
    case $1 in
    *.gz) echo " (of the decompressed bytes)" ;;
    esac
}

# Print the sha256 of file $1, which is stored under manifest name $2.
file_sum() {
    case $2 in
    *.gz)
        if ! gzip -t -- "$1" 2>/dev/null; then
            echo "(not a valid gzip file)"
            return 0
        fi
        digest=$(gzip -dc -- "$1" | sha256sum)
        ;;
    *)
        digest=$(sha256sum <"$1")
        ;;
    esac
    echo "${digest%% *}"
}

# Check that $1/$2 exists with sha256 $3. On failure, report the problem and
# return 1.
verify_file() {
    path=$1/$2
    if [ ! -e "$path" ]; then
        echo "$prog: missing: $path (expected sha256$(sum_note "$2") $3)" >&2
        return 1
    fi
    if [ ! -f "$path" ] || [ ! -r "$path" ]; then
        echo "$prog: not a readable regular file: $path" >&2
        return 1
    fi
    actual=$(file_sum "$path" "$2")
    if [ "$actual" != "$3" ]; then
        echo "$prog: sha256 mismatch$(sum_note "$2"): $path" >&2
        echo "  expected $3" >&2
        echo "  actual   $actual" >&2
        return 1
    fi
    return 0
}

# Print the download URLs for manifest name $1, best first.
urls_for() {
    case $1 in
    *.onnx)
        echo "$model_base_url/$1"
        ;;
    *)
        for base in $mnist_base_urls; do
            echo "$base/$1"
        done
        ;;
    esac
}

# ---------------------------------------------------------------- verify only

if [ "$mode" = verify ]; then
    if [ ! -d "$data_dir" ]; then
        die "ONNXMINI_DATA_DIR=$data_env: directory not found: $data_dir"
    fi
    bad=0
    while read -r sum name; do
        verify_file "$data_dir" "$name" "$sum" || bad=$((bad + 1))
    done <<EOF
$entries
EOF
    if [ "$bad" -gt 0 ]; then
        echo "$prog: $bad of $file_count files in $data_dir are missing or wrong." >&2
        echo "$prog: ONNXMINI_DATA_DIR must name a directory that contains:$file_names" >&2
        echo "$prog: or unset ONNXMINI_DATA_DIR to download the files into $default_dir" >&2
        exit 1
    fi
    if [ "$quiet" -eq 0 ]; then
        echo "$prog: using $data_dir (ONNXMINI_DATA_DIR): $file_count files verified against tools/data.sha256"
    fi
    exit 0
fi

# ---------------------------------------------------------------- download

if command -v curl >/dev/null 2>&1; then
    downloader=curl
elif command -v wget >/dev/null 2>&1; then
    downloader=wget
else
    downloader=
fi

# Download URL $1 to file $2.
fetch_url() {
    case $downloader in
    curl)
        curl --fail --location --silent --show-error \
            --connect-timeout "$connect_timeout" --max-time "$transfer_timeout" \
            --output "$2" "$1"
        ;;
    wget)
        wget --no-verbose --tries=1 --timeout="$connect_timeout" \
            --output-document="$2" "$1"
        ;;
    esac
}

# Return 0 when downloader exit status $1 means the host could not be
# reached. For curl these are 5 and 6 (proxy or host name not resolved),
# 7 (connection failed) and 28 (timed out). For wget it is 4 (network failure).
is_network_failure() {
    case $downloader:$1 in
    curl:5 | curl:6 | curl:7 | curl:28 | wget:4) return 0 ;;
    esac
    return 1
}

# Hosts that failed once are skipped for the remaining files, so a machine
# without internet waits at most one connect timeout per host.
unreachable_hosts=
tmp_file=
trap 'if [ -n "$tmp_file" ]; then rm -f -- "$tmp_file"; fi' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Download manifest name $1 with sha256 $2 into the data directory: to a
# temporary name first, renamed only after its sum matches. Returns 1 when
# no URL gave the right file.
download_file() {
    if [ -z "$downloader" ]; then
        echo "$prog: cannot download $1: neither curl nor wget is installed" >&2
        return 1
    fi
    urls=$(urls_for "$1")
    for url in $urls; do
        host=${url#*://}
        host=${host%%/*}
        case " $unreachable_hosts " in
        *" $host "*)
            echo "$prog: skipping $url: $host was unreachable" >&2
            continue
            ;;
        esac

        echo "$prog: downloading $url" >&2
        tmp_file=$data_dir/.$1.$$.part
        status=0
        fetch_url "$url" "$tmp_file" </dev/null || status=$?
        if [ "$status" -ne 0 ]; then
            if is_network_failure "$status"; then
                unreachable_hosts="$unreachable_hosts $host"
            fi
            echo "$prog: download failed ($downloader exit status $status): $url" >&2
            rm -f -- "$tmp_file"
            continue
        fi

        actual=$(file_sum "$tmp_file" "$1")
        if [ "$actual" != "$2" ]; then
            echo "$prog: sha256 mismatch$(sum_note "$1") in download from $url" >&2
            echo "  expected $2" >&2
            echo "  actual   $actual" >&2
            rm -f -- "$tmp_file"
            continue
        fi
        mv -f -- "$tmp_file" "$data_dir/$1"
        tmp_file=
        return 0
    done
    return 1
}

mkdir -p -- "$data_dir" || die "cannot create the data directory $data_dir"

verified=0
downloaded=0
failed=
while read -r sum name; do
    if [ -e "$data_dir/$name" ]; then
        if verify_file "$data_dir" "$name" "$sum"; then
            verified=$((verified + 1))
            continue
        fi
        echo "$prog: replacing $data_dir/$name with a new download" >&2
    fi
    if download_file "$name" "$sum"; then
        verified=$((verified + 1))
        downloaded=$((downloaded + 1))
    else
        failed="$failed $name"
    fi
done <<EOF
$entries
EOF

if [ -n "$failed" ]; then
    {
        echo "$prog: could not download:$failed"
        echo "$prog: to continue, do one of these:"
        echo "  1. Set ONNXMINI_DATA_DIR to a directory that contains all of these files"
        echo "     (a relative path is taken from the repository root):"
        for name in $file_names; do
            echo "       $name"
        done
        echo "     for example: ONNXMINI_DATA_DIR=/path/to/data make check"
        echo "  2. Download the missing files by hand into $data_dir/"
        echo "     (for the MNIST files, any one of the URLs is enough):"
        for name in $failed; do
            for url in $(urls_for "$name"); do
                echo "       $url"
            done
        done
        echo "     then run $0 again to check them against tools/data.sha256."
    } >&2
    exit 1
fi

if [ "$quiet" -eq 0 ]; then
    if [ "$downloaded" -gt 0 ]; then
        echo "$prog: using $data_dir: $verified files verified against tools/data.sha256 ($downloaded downloaded)"
    else
        echo "$prog: using $data_dir: $verified files verified against tools/data.sha256"
    fi
fi
exit 0
