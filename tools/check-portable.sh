#!/bin/sh
# Check that lib/ is portable C11: every file compiled with
# -std=c11 -pedantic-errors -Werror=vla and the Makefile's warnings as
# errors, by GCC and Clang for Linux and by MinGW-w64's GCC for Windows,
# then checked by Clang for the MSVC targets x86_64-pc-windows-msvc and
# aarch64-pc-windows-msvc.
#
# Usage: tools/check-portable.sh       (make check-portable runs it)
#
# The MSVC targets need the headers of Microsoft's C runtime, which cannot
# be installed here: -nostdlibinc drops the Linux headers, Clang keeps its
# own (stddef.h, stdint.h, limits.h, intrin.h, the intrinsics), and
# tools/msvc-include/ stands in for the C runtime's with the same names
# and types. Each MSVC target is checked twice:
#   as clang-cl   Clang defines __clang__ and _MSC_VER;
#   as cl.exe     with __clang__ undefined, so that the code paths for
#                 Microsoft's compiler are the ones checked; and in the
#                 files that include no intrinsics header, GCC's extension
#                 keywords (__attribute__, __asm__, __typeof__,
#                 __builtin_expect, ...) are poisoned, so one used outside
#                 a guard that only GCC and Clang take fails. Statement expressions, zero-length arrays and the other GNU
# syntax fail through -pedantic-errors. The kernel files get the same -m
# flags as in the Makefile.
#
# Output goes to build-portable/ (PORTABLE_BUILD overrides it). Exit
# status: 0 when every pass is clean, 1 otherwise.

set -eu

prog=check-portable
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

build=${PORTABLE_BUILD:-build-portable}

sh tools/install-deps.sh clang gcc-mingw-w64-x86-64

mkdir -p "$build/include/protobuf-c" "$build/logs"
build=$(cd "$build" && pwd)

# The generated protobuf-c header, and protobuf-c's own header (plain C)
# in a folder of its own, so that no other Linux header comes along.
make --no-print-directory BUILD="$build" "$build/gen/onnx.pb-c.h" >/dev/null
protobuf_h=$(echo '#include <protobuf-c/protobuf-c.h>' |
    cc -E -M -x c - | tr ' \\' '\n\n' | grep 'protobuf-c/protobuf-c\.h$')
cp "$protobuf_h" "$build/include/protobuf-c/"

# The Makefile's warning list, without -Werror, which is added below.
warnings=$(make -pnq BUILD="$build" 2>/dev/null | sed -n 's/^WARNINGS := //p' |
    sed 's/ -Werror\b//g')
strict="-std=c11 -pedantic-errors -Werror=vla $warnings -Werror"
# protobuf-c.h is a system header: its "#if __GNUC__" would trip -Wundef.
includes="-Iinclude -Ilib -I$build/gen -isystem $build/include"

generic=$(ls lib/*.c lib/ops/*.c lib/kernels/*.c lib/kernels/scalar/*.c)
x86_kernels=$(ls lib/kernels/x86/*.c)
arm_kernels=$(ls lib/kernels/arm/*.c 2>/dev/null || true)
x86_isas=$(for f in $x86_kernels; do printf ' -DOM_HAVE_%s' "$(basename "$f" .c | tr a-z A-Z)"; done)
arm_isas=$(for f in $arm_kernels; do printf ' -DOM_HAVE_%s' "$(basename "$f" .c | tr a-z A-Z)"; done)

# The -m flags of a kernel file, as the Makefile gives them.
isa_flags() {
    case $(basename "$1" .c) in
    sse2) echo "-msse2" ;;
    avx2) echo "-mavx2 -mfma" ;;
    avx512) echo "-mavx512f -mavx2 -mfma" ;;
    *) echo "" ;;
    esac
}

# Files that include a compiler's intrinsics or CPUID header, whose
# declarations use the GCC keywords that are poisoned elsewhere.
uses_intrinsics() {
    grep -Eq '^[[:space:]]*#[[:space:]]*include[[:space:]]*<([a-z0-9_]*intrin\.h|arm_neon\.h|cpuid\.h)>' "$1"
}

poison=$build/gcc-extensions.h
cat >"$poison" <<'EOF'
/* GCC's extension keywords, which Microsoft's C compiler rejects; written by
 * tools/check-portable.sh and included before each file that uses no
 * intrinsics header. */
#pragma GCC poison __attribute__ __asm__ __asm asm __typeof__ __typeof typeof
#pragma GCC poison __extension__ __builtin_expect __builtin_unreachable
#pragma GCC poison __builtin_prefetch __builtin_assume_aligned __label__
#pragma GCC poison __builtin_ctz __builtin_clz __builtin_popcount __int128
EOF

passes=0
failures=

# Runs one pass: $1 names it, $2 is the compiler command (a word list),
# $3 the options for every file, $4 the files, $5 "poison" to poison GCC's
# keywords in files without intrinsics. The output goes to logs/NAME.log.
run_pass() {
    name=$1
    log=$build/logs/$name.log
    : >"$log"
    status=0
    for file in $4; do
        extra=$(isa_flags "$file")
        if [ "${5:-}" = poison ] && ! uses_intrinsics "$file"; then
            extra="$extra -include $poison"
        fi
        # The commands and options are word lists.
        # shellcheck disable=SC2086
        $2 $3 $extra "$file" >>"$log" 2>&1 || {
            echo "  $file" >>"$log"
            status=1
        }
    done
    passes=$((passes + 1))
    if [ "$status" -eq 0 ]; then
        echo "ok   $name ($(echo $4 | wc -w) files)"
    else
        failures="$failures $name"
        echo "FAIL $name; log $log"
        head -n 30 "$log"
    fi
}

echo "== $prog: strict C11 (-std=c11 -pedantic-errors -Werror=vla)"
# _POSIX_C_SOURCE as in the Makefile; with MinGW it also selects the C99
# printf that the library's formats (%zu) need.
posix=-D_POSIX_C_SOURCE=200809L
run_pass "gcc-x86_64-linux" "gcc -O2 -c -o /dev/null" \
    "$strict $posix $includes $x86_isas" "$generic $x86_kernels"
run_pass "clang-x86_64-linux" "clang -O2 -c -o /dev/null" \
    "$strict $posix $includes $x86_isas" "$generic $x86_kernels"
run_pass "mingw-gcc-x86_64-windows" "x86_64-w64-mingw32-gcc -O2 -c -o /dev/null" \
    "$strict $posix $includes $x86_isas" "$generic $x86_kernels"

echo "== $prog: Clang for the MSVC targets (-fsyntax-only)"
msvc="-fsyntax-only $strict -nostdlibinc -isystem tools/msvc-include $includes"
for as in clang-cl cl; do
    undef=
    quiet=
    poison_mode=
    if [ "$as" = cl ]; then
        undef=-U__clang__
        # Without __clang__ the library's printf-like functions lose their
        # format attribute, so Clang would report their vsnprintf calls;
        # cl.exe has no such warning on by default.
        quiet=-Wno-format-nonliteral
        poison_mode=poison
    fi
    run_pass "x86_64-pc-windows-msvc-as-$as" \
        "clang --target=x86_64-pc-windows-msvc $undef" \
        "$msvc $x86_isas $quiet" "$generic $x86_kernels" $poison_mode
    run_pass "aarch64-pc-windows-msvc-as-$as" \
        "clang --target=aarch64-pc-windows-msvc $undef" \
        "$msvc $arm_isas $quiet" "$generic $arm_kernels" $poison_mode
done
if [ -z "$arm_kernels" ]; then
    echo "note: no lib/kernels/arm/*.c yet; the Arm64 passes covered the generic files"
fi

failed=$(echo $failures | wc -w)
echo "portable: $((passes - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
