#!/bin/sh
# Installs the library into a temporary DESTDIR and uses it the way a
# user's project would: examples/minimal.c compiled with pkg-config, the
# same through a three-line CMake project with find_package, and a check
# that the shared library exports only onnxmini_ symbols. Runs the
# programs on a model when ONNXMINI_DATA_DIR has one.
#
# Usage: tests/check-install.sh [BUILD]   (default: build)

set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
status=0

fail() {
    echo "check-install: $*" >&2
    status=1
}

make -C "$top" --no-print-directory BUILD="$build" install \
    DESTDIR="$stage" PREFIX=/usr >"$stage/install.log" 2>&1 ||
    { cat "$stage/install.log" >&2; exit 1; }
libdir=$stage/usr/lib
model=${ONNXMINI_DATA_DIR:-}/mnist-12.onnx

# pkg-config sees the staged tree through the sysroot variable.
PKG_CONFIG_PATH=$libdir/pkgconfig
PKG_CONFIG_SYSROOT_DIR=$stage
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
cflags=$(pkg-config --cflags onnxmini)
libs=$(pkg-config --libs onnxmini)
static_libs=$(pkg-config --static --libs onnxmini)

# shellcheck disable=SC2086 # the flags are word lists
${CC:-cc} $cflags "$top/examples/minimal.c" -o "$stage/minimal" $libs ||
    fail "cannot build examples/minimal.c with pkg-config ($cflags $libs)"
# shellcheck disable=SC2086
${CC:-cc} $cflags "$top/examples/minimal.c" -o "$stage/minimal-static" \
    -Wl,-Bstatic -lonnxmini -Wl,-Bdynamic $static_libs ||
    fail "cannot link examples/minimal.c statically"

# A project of three lines finds the installed package.
mkdir -p "$stage/cmake-project"
cat >"$stage/cmake-project/CMakeLists.txt" <<EOF_CMAKE
project(uses_onnxmini C)
find_package(onnxmini 0.1 REQUIRED)
add_executable(minimal $top/examples/minimal.c)
target_link_libraries(minimal onnxmini::onnxmini)
EOF_CMAKE
if command -v cmake >/dev/null 2>&1; then
    (cd "$stage/cmake-project" &&
        cmake -S . -B out -DCMAKE_PREFIX_PATH="$stage/usr" >cmake.log 2>&1 &&
        cmake --build out >>cmake.log 2>&1) ||
        { cat "$stage/cmake-project/cmake.log" >&2;
          fail "the CMake project cannot find or build against onnxmini"; }
else
    fail "cmake not found; install the Debian package cmake"
fi

# Only the API is exported.
others=$(nm -D --defined-only "$libdir/libonnxmini.so" |
    awk '{print $3}' | grep -v '^onnxmini_' || true)
[ -z "$others" ] || fail "libonnxmini.so exports non-API symbols: $others"

# The programs run against the installed library.
if [ -f "$model" ]; then
    for program in "$stage/minimal" "$stage/minimal-static" \
        "$stage/cmake-project/out/minimal"; do
        [ -x "$program" ] || continue
        LD_LIBRARY_PATH=$libdir "$program" "$model" >"$stage/out.txt" ||
            fail "$program failed on $model"
        grep -q '^Plus214_Output_0: float \[1,10\]' "$stage/out.txt" ||
            fail "$program printed an unexpected result: $(cat "$stage/out.txt")"
    done
fi

if [ "$status" -eq 0 ]; then
    echo "check-install: pkg-config, static, CMake and symbol checks passed"
fi
exit $status
