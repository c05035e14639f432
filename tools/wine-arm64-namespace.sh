#!/bin/sh
# Run a command with Debian's arm64 Wine under QEMU, inside a private user
# and mount namespace. tools/check-windows.sh arm64 runs it as
#
#   unshare --user --map-root-user --mount sh tools/wine-arm64-namespace.sh \
#       ROOT COMMAND [ARGUMENT...]
#
# where ROOT holds the unpacked arm64 packages (wine64, libwine, libc6 and
# the libraries Wine's loader links to).
#
# Wine starts its server and every Windows process as new Linux processes,
# so running only the first one under qemu-aarch64 is not enough: a
# binfmt_misc instance of this namespace's own sends every arm64 ELF
# program to qemu-aarch64. Nothing is registered outside the namespace (a
# binfmt_misc mount in a user namespace is private to it, since Linux 6.7).
#
# The arm64 programs find their dynamic loader (/lib/ld-linux-aarch64.so.1)
# and libraries (/lib/aarch64-linux-gnu, /usr/lib/aarch64-linux-gnu) at the
# usual paths, because ROOT/lib and ROOT/usr/lib are laid over /usr/lib
# (Debian 12 has /lib -> usr/lib) with an overlay mount that only this
# namespace sees. QEMU's library prefix (QEMU_LD_PREFIX, -L) is not used:
# QEMU 7.2 opens and stats every absolute path that also exists under the
# prefix in the prefix instead, "/" included. Wine then finds that "/" is
# not the directory that drive Z: links to, so it maps no Linux path to a
# drive: the working directory becomes \\?\unix\..., and a program that
# opens "/work/x" gets "No such file or directory".

set -eu

root=$1
shift

for tree in "$root/lib" "$root/usr/lib"; do
    if [ ! -d "$tree" ]; then
        echo "wine-arm64-namespace: $tree is missing; $root must contain the unpacked libc6:arm64" >&2
        exit 1
    fi
done
case $(readlink /lib) in
usr/lib | /usr/lib) ;;
*)
    echo "wine-arm64-namespace: /lib is not a link to usr/lib (a merged /usr," \
        "as in Debian 12), which the overlay of /usr/lib needs" >&2
    exit 1
    ;;
esac

# The leftmost lower directory is the top layer, so ROOT's loader and libc
# replace those of an installed libc6:arm64 (two builds of glibc must not
# be mixed), and the host's other files stay visible.
mount -t overlay overlay -o "lowerdir=$root/lib:$root/usr/lib:/usr/lib" /usr/lib

qemu=$(command -v qemu-aarch64)
mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
# The ELF header of a 64-bit little-endian arm64 executable (e_machine
# 0xb7), and the mask of the bytes compared; flag F opens QEMU now.
magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
printf ':qemu-aarch64:M::%s:%s:%s:F' "$magic" "$mask" "$qemu" \
    >/proc/sys/fs/binfmt_misc/register

unset QEMU_LD_PREFIX
exec "$@"
