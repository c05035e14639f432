#!/bin/sh
# Build a C toolchain for Windows on Arm64 (aarch64-w64-mingw32) from
# Debian's Clang and LLD and the MinGW-w64 runtime of Debian's mingw-w64
# source package, into BUILD/toolchain. tools/check-windows.sh arm64 runs
# it; a second run does nothing.
#
# Usage: tools/windows-arm64-toolchain.sh BUILD
#
# BUILD/toolchain/
#   sysroot/aarch64-w64-mingw32/   MinGW-w64's headers and C runtime for
#                                  arm64 (crt2.o, libmingw32, libmingwex,
#                                  libmsvcrt, libkernel32, ...), and
#                                  libpthread.a (winpthreads, static)
#   rt/         libgcc.a with __chkstk (tools/windows-arm64-chkstk.S) and an
#               empty libgcc_eh.a: Clang's MinGW driver links both, and
#               Debian has neither this target's libgcc nor its
#               compiler-rt
#   bin/aarch64-w64-mingw32-clang  the compiler driver to use as CC
#
# The C runtime links against msvcrt.dll, which Windows on Arm and Wine
# both have.

set -eu

prog=windows-arm64-toolchain
host=aarch64-w64-mingw32

if [ $# -ne 1 ]; then
    echo "Usage: $0 BUILD" >&2
    exit 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
build=$(cd "$1" && pwd)
toolchain=$build/toolchain
sysroot=$toolchain/sysroot
prefix=$sysroot/$host
logs=$toolchain/logs
cc=$toolchain/bin/$host-clang

# The driver: -L is only used when linking, hence the warning option.
mkdir -p "$toolchain/bin" "$toolchain/rt" "$logs"
cat >"$cc" <<EOF
#!/bin/sh
# Written by tools/windows-arm64-toolchain.sh.
exec clang --target=$host --sysroot="$sysroot" -fuse-ld=lld \\
    -Wno-unused-command-line-argument -L"$toolchain/rt" "\$@"
EOF
chmod +x "$cc"

if [ -f "$toolchain/done" ]; then
    exit 0
fi

src=$(sh "$top/tools/debian-source.sh" "$build/debian" mingw-w64)

# Runs a build step with its output in logs/NAME.log, shown on failure.
step() {
    name=$1
    shift
    if ! "$@" >"$logs/$name.log" 2>&1; then
        tail -n 30 "$logs/$name.log"
        echo "$prog: $name failed; log $logs/$name.log" >&2
        exit 1
    fi
}

echo "$prog: the runtime support library"
clang --target=$host -c "$top/tools/windows-arm64-chkstk.S" \
    -o "$toolchain/rt/chkstk.o"
rm -f "$toolchain/rt/libgcc.a" "$toolchain/rt/libgcc_eh.a"
llvm-ar rcs "$toolchain/rt/libgcc.a" "$toolchain/rt/chkstk.o"
llvm-ar rcs "$toolchain/rt/libgcc_eh.a"

echo "$prog: MinGW-w64 headers"
mkdir -p "$toolchain/headers"
step headers-configure sh -c "cd '$toolchain/headers' && \
    '$src/mingw-w64-headers/configure' --host=$host --prefix='$prefix' \
    --with-default-msvcrt=msvcrt"
step headers-install make -C "$toolchain/headers" install

echo "$prog: MinGW-w64 C runtime for arm64 (a few minutes)"
mkdir -p "$toolchain/crt"
step crt-configure sh -c "cd '$toolchain/crt' && \
    CC='$cc' AR=llvm-ar RANLIB=llvm-ranlib DLLTOOL=llvm-dlltool \
    '$src/mingw-w64-crt/configure' --host=$host --prefix='$prefix' \
    --enable-libarm64 --disable-lib32 --disable-lib64 --disable-libarm32 \
    --with-default-msvcrt=msvcrt"
step crt-make make -C "$toolchain/crt" -j"$(nproc)"
step crt-install make -C "$toolchain/crt" install

# winpthreads' build also compiles a Windows resource, which needs a
# resource compiler this toolchain lacks, so its C files are compiled
# directly into a static libpthread.a. Clang's -pthread links it, and the
# tests use its clock_gettime.
echo "$prog: winpthreads"
winpthreads=$src/mingw-w64-libraries/winpthreads
cp "$winpthreads/include/"*.h "$prefix/include/"
mkdir -p "$toolchain/winpthreads"
for source in "$winpthreads/src/"*.c; do
    part=$(basename "$source" .c)
    step "winpthreads-$part" "$cc" -O2 -I"$winpthreads/include" \
        -I"$winpthreads/src" -DIN_WINPTHREAD -DWINPTHREAD_STATIC \
        -c "$source" -o "$toolchain/winpthreads/$part.o"
done
rm -f "$prefix/lib/libpthread.a"
llvm-ar rcs "$prefix/lib/libpthread.a" "$toolchain/winpthreads/"*.o

touch "$toolchain/done"
echo "$prog: $cc is ready"
