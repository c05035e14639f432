#!/bin/sh
# Cross-build libonnxmini for Windows and run its tests under Wine, once per
# kernel instruction set the CPU has.
#
# Usage: tools/check-windows.sh [x86_64|arm64]
#
#   x86_64 (default; make check-windows)   MinGW-w64's GCC, Debian's Wine;
#          into build-windows/ (WINDOWS_BUILD overrides it).
#   arm64  (make check-windows-arm64)     Clang and LLD for
#          aarch64-w64-mingw32 with a MinGW-w64 runtime built here from
#          Debian's mingw-w64 source package, and Debian's arm64 Wine run
#          by qemu-aarch64 through a binfmt_misc entry that exists only in
#          a private user and mount namespace (unshare); into
#          build-windows-arm64/.
#
# The build folder holds:
#   debian/    Debian source packages of protobuf-c, cmocka, libpng (and
#              for arm64 mingw-w64 and zlib), fetched through a private
#              APT configuration (tools/debian-source.sh)
#   deps/      those compiled for Windows as static libraries; for x86_64,
#              zlib comes from Debian's libz-mingw-w64-dev
#   lib/ bin/ tests/ obj/ gen/   the project, built by the Makefile
#   wine/      a private Wine prefix
#   logs/      the output of every program run
#
# The programs are linked statically, so they import only Windows system
# DLLs; the script checks that, because a program that misses a DLL under
# Wine only exits with a status and prints nothing.
#
# Under Wine, for each instruction set (ONNXMINI_ISA): every unit test that
# builds for Windows, the MNIST model test on the first 1000 test images
# (100 on arm64, which QEMU emulates), the ONNX conformance suite with
# tests/conformance-expected.txt, and the MNIST classifier on the sample
# digits, on a PNG and on the test set. On arm64, the classifier's digits
# for the first 100 test images must also equal those of the Linux build's
# classifier, LINUX_MNIST_CLASSIFY (default build/bin/mnist_classify). The
# data directory is ONNXMINI_DATA_DIR or data/, as for make check.
#
# Exit status: 0 when everything built and passed, 1 otherwise.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

target=${1:-x86_64}
case $target in
x86_64)
    prog=check-windows
    build=${WINDOWS_BUILD:-build-windows}
    host=x86_64-w64-mingw32
    mnist_limit=1000
    linux_classify=
    # dpkg-dev brings dpkg-source, which apt-get source needs to unpack.
    packages="gcc-mingw-w64-x86-64 libz-mingw-w64-dev wine wine64 dpkg-dev"
    ;;
arm64)
    prog=check-windows-arm64
    build=${WINDOWS_ARM64_BUILD:-build-windows-arm64}
    host=aarch64-w64-mingw32
    # QEMU runs the Arm code tens of times slower than the CPU would.
    mnist_limit=100
    packages="clang lld llvm qemu-user dpkg-dev make"
    # The Linux build's classifier, whose digits for the first test images
    # the Windows build must reproduce (make check-windows-arm64 builds it).
    linux_classify=${LINUX_MNIST_CLASSIFY:-$top/build/bin/mnist_classify}
    ;;
*)
    echo "Usage: $0 [x86_64|arm64]" >&2
    exit 2
    ;;
esac

onnx_testdata=${ONNX_TESTDATA:-/usr/share/libonnx-testdata/data}
# One program's limit under Wine, in seconds: far above any test's time,
# so that only a hang reaches it.
program_timeout=900

# Tests that use POSIX interfaces with no Windows branch yet; they are not
# built for Windows.
#   test_graph     mkdtemp, symlink and lstat for the external data tests
#   test_kernels   mmap and mprotect for guard pages after each buffer
#   test_classify  popen with POSIX shell quoting; the classifier checks
#                  below replace it
#   test_alloc     replaces glibc's malloc; elsewhere it only reports that
#                  it did not run
#   test_memory    posix_memalign in its counting allocator
#   test_errors    mkdtemp, symlink, lstat and mkfifo
posix_only_tests="test_graph test_kernels test_classify test_alloc \
test_memory test_errors"

# ------------------------------------------------------------- packages

echo "== $prog: packages"
# $packages is a word list.
# shellcheck disable=SC2086
sh tools/install-deps.sh $packages

mkdir -p "$build"
build=$(cd "$build" && pwd)
deps=$build/deps
logs=$build/logs
mkdir -p "$deps/include/protobuf-c" "$deps/lib" "$deps/obj" "$logs"

if [ -n "${ONNXMINI_DATA_DIR:-}" ]; then
    data_dir=$(cd "$ONNXMINI_DATA_DIR" && pwd)
else
    data_dir=$top/data
fi
ONNXMINI_DATA_DIR=$data_dir sh tools/fetch-data.sh --quiet

# ---------------------------------------------------------- dependencies

echo "== $prog: protobuf-c, cmocka and libpng from Debian's sources"
trees=$(sh tools/debian-source.sh "$build/debian" protobuf-c cmocka libpng1.6)
# The tree list has no spaces: $build has none either, or make would fail.
# shellcheck disable=SC2086
set -- $trees
protobuf_src=$1
cmocka_src=$2
png_src=$3

if [ "$target" = x86_64 ]; then
    cc=$host-gcc
    ar=$host-ar
    objdump=$host-objdump
else
    sh tools/windows-arm64-toolchain.sh "$build"
    cc=$build/toolchain/bin/$host-clang
    ar=llvm-ar
    objdump=llvm-objdump
fi

# Compiles the C files given after the library name into deps/lib/libNAME.a
# with the flags in $dep_flags, unless the library was already built from
# the same source tree (a stamp file records it).
build_static() {
    name=$1
    tree=$2
    shift 2
    stamp=$deps/lib/lib$name.stamp
    if [ -f "$deps/lib/lib$name.a" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$tree" ]; then
        return 0
    fi
    rm -rf "${deps:?}/obj/$name"
    mkdir -p "$deps/obj/$name"
    for source do
        # $dep_flags is a list of compiler options.
        # shellcheck disable=SC2086
        "$cc" -O2 $dep_flags -c "$source" \
            -o "$deps/obj/$name/$(basename "$source" .c).o"
    done
    rm -f "$deps/lib/lib$name.a"
    "$ar" rcs "$deps/lib/lib$name.a" "$deps/obj/$name"/*.o
    echo "$tree" >"$stamp"
    echo "built $deps/lib/lib$name.a from $tree"
}

# protobuf-c: only the runtime, one file.
cp "$protobuf_src/protobuf-c/protobuf-c.h" "$deps/include/protobuf-c/"
dep_flags="-std=c99 -I$protobuf_src"
build_static protobuf-c "$protobuf_src" "$protobuf_src/protobuf-c/protobuf-c.c"

# cmocka: src/cmocka.c with the config.h that CMake would write for MinGW.
# MinGW's C99 printf (__USE_MINGW_ANSI_STDIO) prints the %zu that the
# tests' messages use; msvcrt.dll's printf does not know it.
mkdir -p "$deps/cmocka-config"
cat >"$deps/cmocka-config/config.h" <<'EOF'
/* cmocka's configuration for MinGW-w64, written by tools/check-windows.sh. */
#define HAVE_MALLOC_H 1
#define HAVE_INTTYPES_H 1
#define HAVE_SIGNAL_H 1
#define HAVE_SETJMP_H 1
#define HAVE_STDARG_H 1
#define HAVE_STDDEF_H 1
#define HAVE_STDINT_H 1
#define HAVE_GCC_THREAD_LOCAL_STORAGE 1
#define WORDS_SIZEOF_VOID_P 8
EOF
cp "$cmocka_src/include/cmocka.h" "$deps/include/"
dep_flags="-std=gnu99 -D__USE_MINGW_ANSI_STDIO=1 -DHAVE_CONFIG_H \
-I$deps/cmocka-config -I$cmocka_src/include"
build_static cmocka "$cmocka_src" "$cmocka_src/src/cmocka.c"

# zlib: Debian has no arm64 MinGW build of it, so it is compiled from
# Debian's source package like the others.
if [ "$target" = arm64 ]; then
    zlib_src=$(sh tools/debian-source.sh "$build/debian" zlib)
    cp "$zlib_src/zlib.h" "$zlib_src/zconf.h" "$deps/include/"
    dep_flags="-I$zlib_src"
    set --
    for part in adler32 compress crc32 deflate gzclose gzlib gzread gzwrite \
        infback inffast inflate inftrees trees uncompr zutil; do
        set -- "$@" "$zlib_src/$part.c"
    done
    build_static z "$zlib_src" "$@"
fi

# libpng: the library files with the prebuilt default configuration.
cp "$png_src/scripts/pnglibconf.h.prebuilt" "$deps/include/pnglibconf.h"
cp "$png_src/png.h" "$png_src/pngconf.h" "$deps/include/"
# PNG_ARM_NEON_OPT=0: the NEON filters live in files outside the list.
dep_flags="-I$deps/include -DPNG_ARM_NEON_OPT=0"
set --
for part in png pngerror pngget pngmem pngpread pngread pngrio pngrtran \
    pngrutil pngset pngtrans pngwio pngwrite pngwtran pngwutil; do
    set -- "$@" "$png_src/$part.c"
done
build_static png "$png_src" "$@"


# ---------------------------------------------------------------- build

# The Makefile's targets, with the MinGW tools and the libraries above.
# -lpthread is MinGW's winpthreads, for clock_gettime in the tests.
make_windows() {
    make --no-print-directory BUILD="$build" CC="$cc" AR="$ar" \
        CPPFLAGS="-I$deps/include" LDFLAGS="-static -L$deps/lib" \
        PNG_CFLAGS= PNG_LIBS=-lpng LIB_DEPS="-lprotobuf-c -lm -lpthread" "$@"
}

echo "== $prog: library"
make_windows -j2 WERROR=1 "$build/lib/libonnxmini.a" >"$logs/build-lib.log" 2>&1 || {
    tail -n 40 "$logs/build-lib.log"
    echo "$prog: the library does not build with $cc; log $logs/build-lib.log" >&2
    exit 1
}

# The test programs of the Makefile, less the POSIX-only ones.
tests=
for test_target in $(make -pnq BUILD="$build" CC="$cc" 2>/dev/null |
    sed -n 's/^TEST_BIN := //p'); do
    case " $posix_only_tests " in
    *" $(basename "$test_target") "*) ;;
    *) tests="$tests $test_target" ;;
    esac
done
programs="$build/bin/onnxmini-conformance $build/bin/mnist_classify \
$build/bin/minimal"

# MinGW's GCC checks the formats of functions declared with the "printf"
# attribute (cmocka's, the tests' own) against msvcrt.dll, which lacks %zu,
# although these programs use MinGW's C99 printf (_POSIX_C_SOURCE turns it
# on), so format warnings are off for them. The library above was built
# with them on.
echo "== $prog: programs and tests"
# Each program is linked anew (make looks for the name without .exe), so
# one that no longer builds cannot leave an old .exe behind. A test that
# does not build is counted as a failure below; the others still run.
for program in $programs $tests; do
    rm -f "$program.exe"
done
# $programs and $tests are lists of paths without spaces.
# shellcheck disable=SC2086
make_windows -k -j2 WERROR=1 CFLAGS="-O3 -g -Wno-format" $programs $tests \
    >"$logs/build-programs.log" 2>&1 || true
for program in $programs; do
    if [ ! -f "$program.exe" ]; then
        grep -E 'error|Error' "$logs/build-programs.log" | head -n 40
        echo "$prog: $program.exe does not build with $cc; log $logs/build-programs.log" >&2
        exit 1
    fi
done
built_tests=
unbuilt_tests=
for test in $tests; do
    if [ -f "$test.exe" ]; then
        built_tests="$built_tests $test"
    else
        unbuilt_tests="$unbuilt_tests $(basename "$test")"
    fi
done
tests=$built_tests
echo "built:$(for p in $programs $tests; do printf ' %s' "$(basename "$p")"; done)"
echo "not built for Windows (POSIX only): $posix_only_tests"

# Only DLLs that every Windows has; anything else would be missing under
# Wine and on a user's machine.
for program in $programs $tests; do
    imports=$("$objdump" -p "$program.exe" | sed -n 's/^[[:space:]]*DLL Name: //p')
    for dll in $imports; do
        case $(echo "$dll" | tr A-Z a-z) in
        kernel32.dll | msvcrt.dll | ucrtbase.dll | api-ms-win-*.dll | \
            advapi32.dll | user32.dll | ws2_32.dll | bcrypt.dll) ;;
        *)
            echo "$prog: $program.exe imports $dll, which is not linked statically" >&2
            exit 1
            ;;
        esac
    done
done

# ----------------------------------------------------------------- Wine

export WINEPREFIX="$build/wine"
export WINEARCH=win64
export WINEDEBUG=-all
# No Mono or Gecko: nothing here needs .NET or HTML, and a new prefix would
# otherwise offer to download them.
export WINEDLLOVERRIDES="mscoree,mshtml="

if [ "$target" = x86_64 ]; then
    wine_command=wine
    wineserver_command=wineserver
else
    # Debian's arm64 Wine, unpacked (not installed) with the libraries its
    # loader links to, run by tools/wine-arm64-namespace.sh. Wine's server
    # script runs /usr/lib/wine/wineserver64. Outside the namespace, that
    # is the x86-64 server of an installed x86-64 Wine, which does not
    # support arm64 processes, so the script is pointed at the arm64 server
    # beside it.
    sh tools/debian-binary.sh arm64 "$build/wine-arm64" wine64 libwine \
        libc6 libgcc-s1 libunwind8 liblzma5
    wine_root=$build/wine-arm64/root
    sed -i "s|^wineserver64=.*|wineserver64=$wine_root/usr/lib/wine/wineserver64|" \
        "$wine_root/usr/lib/wine/wineserver"
    in_namespace="unshare --user --map-root-user --mount sh \
$top/tools/wine-arm64-namespace.sh $wine_root"
    wine_command="$in_namespace $wine_root/usr/lib/wine/wine64"
    wineserver_command="$in_namespace $wine_root/usr/lib/wine/wineserver64"
fi

# Stops this prefix's wineserver, which otherwise stays for a few seconds
# and keeps open any pipe it inherited.
# $wineserver_command is a word list.
# shellcheck disable=SC2086
trap '$wineserver_command -k >/dev/null 2>&1 || true' EXIT

# arm64: a server that stays until the trap above stops it. Otherwise Wine
# starts a new server whenever the last program has ended, and with it
# Wine's own services, which take about 4 s under QEMU each time (0.3 s
# per program with the server kept). Without it the programs still start
# their own server, only slower, so a failure here is not an error.
if [ "$target" = arm64 ]; then
    mkdir -p "$WINEPREFIX"
    # $wineserver_command is a word list.
    # shellcheck disable=SC2086
    $wineserver_command -p >"$logs/wineserver.log" 2>&1 || true
fi

# Runs a Windows program under Wine with its output in the log file $1.
run_wine() {
    log=$1
    shift
    # $wine_command is a word list.
    # shellcheck disable=SC2086
    timeout "$program_timeout" $wine_command "$@" >"$log" 2>&1
}

if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "== $prog: new Wine prefix $WINEPREFIX"
    # Wine 8 without the 32-bit part reports that syswow64 is missing; a
    # 64-bit prefix does not need it.
    run_wine "$logs/wineboot.log" wineboot -i || {
        cat "$logs/wineboot.log"
        echo "$prog: wineboot failed to create $WINEPREFIX" >&2
        exit 1
    }
fi

# Records the result of one check: $1 is its name, $2 its status (0 for a
# pass), $3 the log to show on failure.
record() {
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok   $1"
    else
        failed=$((failed + 1))
        failures="$failures $1"
        echo "FAIL $1 (status $2; log $3)"
        tail -n 20 "$3"
    fi
}

run_wine "$logs/isas.log" "$build/bin/onnxmini-conformance.exe" --list-isas || {
    cat "$logs/isas.log"
    echo "$prog: onnxmini-conformance.exe --list-isas failed under Wine" >&2
    exit 1
}
isas=$(tr -d '\r' <"$logs/isas.log" | grep -E '^[a-z0-9]+$' || true)
if [ -z "$isas" ]; then
    cat "$logs/isas.log"
    echo "$prog: onnxmini-conformance.exe --list-isas listed no instruction set" >&2
    exit 1
fi
echo "== $prog: instruction sets this CPU runs under Wine:" $isas

# The sample digits are named t10k-NNNNN-labelD.pgm. The PNG check
# converts the first one, so that libpng is exercised as well.
digits=$(ls "$data_dir"/digits/*-label[0-9].pgm 2>/dev/null || true)
if [ -z "$digits" ]; then
    echo "$prog: no sample digits in $data_dir/digits" >&2
    exit 1
fi
png_digit=$(echo "$digits" | head -n 1)
png_file=$logs/$(basename "$png_digit" .pgm).png
/usr/bin/python3 - "$png_digit" "$png_file" <<'EOF'
# Writes a binary PGM (P5, maxval 255) as an 8-bit grayscale PNG.
import struct
import sys
import zlib

with open(sys.argv[1], "rb") as f:
    data = f.read()
fields = []
pos = 0
while len(fields) < 4:
    while data[pos:pos + 1].isspace():
        pos += 1
    if data[pos:pos + 1] == b"#":
        pos = data.index(b"\n", pos)
        continue
    end = pos
    while not data[end:end + 1].isspace():
        end += 1
    fields.append(data[pos:end])
    pos = end
if fields[0] != b"P5" or int(fields[3]) != 255:
    sys.exit(f"{sys.argv[1]}: not a P5 PGM with maxval 255")
width, height = int(fields[1]), int(fields[2])
pixels = data[pos + 1:pos + 1 + width * height]
rows = b"".join(b"\0" + pixels[y * width:(y + 1) * width] for y in range(height))


def chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body +
            struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


with open(sys.argv[2], "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n")
    f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)))
    f.write(chunk(b"IDAT", zlib.compress(rows)))
    f.write(chunk(b"IEND", b""))
EOF

# Checks that the classifier's JSON line in the log $1 names digit $2.
json_digit_is() {
    tr -d '\r' <"$1" | grep -q "\"digit\": $2[,}]"
}

# Prints "FILE DIGIT" for each image in the classifier's JSON log $1, with
# the file's name without its folder.
json_predictions() {
    tr -d '\r' <"$1" |
        sed -n 's/^{"file": "\([^"]*\)", "digit": \([0-9]\)[,}].*/\1 \2/p' |
        sed 's|^.*/||'
}

# arm64: the first $mnist_limit test images as 28x28 PGM files, and the
# digits that the Linux build's classifier gives them with the scalar
# kernels. Under Wine, each instruction set must give the same digits.
first_images=
if [ -n "$linux_classify" ]; then
    if [ ! -x "$linux_classify" ]; then
        echo "$prog: the Linux classifier $linux_classify is missing; run" \
            "make build/bin/mnist_classify or set LINUX_MNIST_CLASSIFY" >&2
        exit 1
    fi
    first_dir=$build/mnist-first$mnist_limit
    rm -rf "$first_dir"
    mkdir -p "$first_dir"
    /usr/bin/python3 - "$data_dir" "$mnist_limit" "$first_dir" <<'EOF'
# Writes the first COUNT images of the MNIST test set in DATA_DIR as binary
# PGM files OUT_DIR/t10k-NNNNN.pgm. The image file names are those that
# mnist_classify --mnist accepts.
import gzip
import os
import struct
import sys

data_dir, count, out_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for name in ("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte",
             "t10k-images.idx3-ubyte.gz", "t10k-images.idx3-ubyte"):
    path = os.path.join(data_dir, name)
    if os.path.exists(path):
        break
else:
    sys.exit(f"no MNIST test image file in {data_dir}")
opener = gzip.open if path.endswith(".gz") else open
with opener(path, "rb") as f:
    magic, images, rows, columns = struct.unpack(">IIII", f.read(16))
    if magic != 2051 or images < count:
        sys.exit(f"{path}: not an IDX image file with at least {count} images")
    for index in range(count):
        pixels = f.read(rows * columns)
        name = os.path.join(out_dir, f"t10k-{index:05d}.pgm")
        with open(name, "wb") as pgm:
            pgm.write(b"P5\n%d %d\n255\n" % (columns, rows) + pixels)
EOF
    first_images=$(ls "$first_dir"/t10k-*.pgm)
    linux_predictions=$logs/predictions.linux.txt
    status=0
    # $first_images is a list of paths without spaces.
    # shellcheck disable=SC2086
    "$linux_classify" --json --isa scalar --model "$data_dir/mnist-12.onnx" \
        $first_images >"$logs/classify-first.linux.log" 2>&1 || status=$?
    json_predictions "$logs/classify-first.linux.log" >"$linux_predictions"
    if [ "$status" -ne 0 ] ||
        [ "$(wc -l <"$linux_predictions")" -ne "$mnist_limit" ]; then
        tail -n 20 "$logs/classify-first.linux.log"
        echo "$prog: the Linux classifier failed on the first $mnist_limit" \
            "test images (exit status $status); log" \
            "$logs/classify-first.linux.log" >&2
        exit 1
    fi
fi

passed=0
failed=0
failures=
for name in $unbuilt_tests; do
    failed=$((failed + 1))
    failures="$failures $name"
    echo "FAIL $name: does not build with $cc; log $logs/build-programs.log"
    grep -A3 "tests/$name.c:[0-9]*:[0-9]*: error" "$logs/build-programs.log" | head -n 12
done

start=$(date +%s)
for isa in $isas; do
    echo "== $prog: ISA $isa"
    export ONNXMINI_ISA="$isa"

    # The unit and model tests. The data was verified above, so CI=true
    # turns a missing data file into a failure instead of a skip.
    for test in $tests; do
        name=$(basename "$test")
        log=$logs/$name.$isa.log
        status=0
        CI=true ONNXMINI_DATA_DIR="$data_dir" ONNXMINI_BUILD_DIR="$build" \
            ONNXMINI_TEST_MNIST_LIMIT=$mnist_limit \
            run_wine "$log" "$test.exe" || status=$?
        record "$name [$isa]" "$status" "$log"
    done

    # The whole conformance suite: the listed tests must pass and the
    # others must not crash the runner.
    log=$logs/conformance.$isa.log
    status=0
    run_wine "$log" "$build/bin/onnxmini-conformance.exe" \
        --expect tests/conformance-expected.txt "$onnx_testdata/node" \
        "$onnx_testdata/pytorch-converted" "$onnx_testdata/pytorch-operator" \
        "$onnx_testdata/simple" || status=$?
    tr -d '\r' <"$log" | tail -n 2 | sed 's/^/    /'
    record "onnxmini-conformance [$isa]" "$status" "$log"

    # The classifier on each sample digit and on the PNG: one check for
    # all of them, with a line for each image it gets wrong.
    log=$logs/classify-images.$isa.log
    : >"$log"
    wrong=0
    for image in $digits "$png_file"; do
        name=$(basename "$image")
        label=$(echo "$name" | sed -n 's/.*-label\([0-9]\)\..*/\1/p')
        image_log=$logs/classify-$name.$isa.log
        status=0
        run_wine "$image_log" "$build/bin/mnist_classify.exe" --json \
            --model "$data_dir/mnist-12.onnx" "$image" || status=$?
        if [ "$status" -ne 0 ] || ! json_digit_is "$image_log" "$label"; then
            echo "$name: expected digit $label, exit status $status; log $image_log" >>"$log"
            wrong=$((wrong + 1))
        fi
    done
    record "mnist_classify on $(echo $digits | wc -w) PGM digits and a PNG [$isa]" \
        "$wrong" "$log"

    # arm64: the classifier's digit for each of the first test images must
    # be the Linux build's.
    if [ -n "$first_images" ]; then
        log=$logs/classify-first.$isa.log
        predictions=$logs/predictions.$isa.txt
        status=0
        # $first_images is a list of paths without spaces.
        # shellcheck disable=SC2086
        run_wine "$log" "$build/bin/mnist_classify.exe" --json \
            --model "$data_dir/mnist-12.onnx" $first_images || status=$?
        json_predictions "$log" >"$predictions"
        differences=$(diff "$linux_predictions" "$predictions" || true)
        if [ -n "$differences" ]; then
            {
                echo "digits of the Linux build (<) and under Wine (>) that differ:"
                echo "$differences"
            } >>"$log"
            status=1
        fi
        echo "    mnist_classify on the first $mnist_limit test images:" \
            "$(echo "$differences" | grep -c '^<') of the Linux build's" \
            "$mnist_limit digits not reproduced"
        record "mnist_classify on the first $mnist_limit images as on Linux [$isa]" \
            "$status" "$log"
    fi

    # The classifier's evaluation of the first test images. 95 % is a
    # floor far below the model's accuracy and far above the 10 % of a
    # broken kernel.
    log=$logs/classify-mnist.$isa.log
    status=0
    run_wine "$log" "$build/bin/mnist_classify.exe" --json \
        --model "$data_dir/mnist-12.onnx" --mnist "$data_dir" \
        --limit $mnist_limit || status=$?
    accuracy=$(tr -d '\r' <"$log" | sed -n 's/.*"accuracy": \([0-9.]*\).*/\1/p')
    used_isa=$(tr -d '\r' <"$log" | sed -n 's/.*"isa": "\([a-z0-9]*\)".*/\1/p')
    if [ "$status" -eq 0 ] &&
        ! awk -v a="${accuracy:-0}" 'BEGIN { exit !(a >= 0.95) }'; then
        echo "accuracy ${accuracy:-missing}, expected at least 0.95" >>"$log"
        status=1
    fi
    if [ "$status" -eq 0 ] && [ "$used_isa" != "$isa" ]; then
        echo "ran with ISA '$used_isa', expected '$isa' from ONNXMINI_ISA" >>"$log"
        status=1
    fi
    echo "    mnist_classify --mnist --limit $mnist_limit: accuracy ${accuracy:-missing}, ISA ${used_isa:-missing}"
    record "mnist_classify --mnist [$isa]" "$status" "$log"
done

# The minimal example once, with the default instruction set.
unset ONNXMINI_ISA
log=$logs/minimal.log
status=0
run_wine "$log" "$build/bin/minimal.exe" "$data_dir/mnist-12.onnx" || status=$?
record "minimal" "$status" "$log"

echo "== $prog: ran under Wine in $(($(date +%s) - start)) s; logs in $logs"
if [ "$failed" -ne 0 ]; then
    echo "failed:$failures"
fi
echo "windows: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
