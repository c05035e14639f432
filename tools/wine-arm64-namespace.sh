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
# program to qemu-aarch64, with ROOT as QEMU's library prefix. Nothing is
# registered outside the namespace (a binfmt_misc mount in a user namespace
# is private to it, since Linux 6.7).

set -eu

root=$1
shift

qemu=$(command -v qemu-aarch64)
mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
# The ELF header of a 64-bit little-endian arm64 executable (e_machine
# 0xb7), and the mask of the bytes compared; flag F opens QEMU now.
magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
printf ':qemu-aarch64:M::%s:%s:%s:F' "$magic" "$mask" "$qemu" \
    >/proc/sys/fs/binfmt_misc/register

export QEMU_LD_PREFIX="$root"
exec "$@"
