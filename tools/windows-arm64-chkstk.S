// __chkstk for Windows on Arm64, for tools/windows-arm64-toolchain.sh.
// Clang calls it before lowering sp by more than a page, with the size in
// 16-byte units in x15. It reads one word in each page of the new area,
// from the top down, so that Windows can grow the stack through its guard
// page one page at a time. It changes only x16, x17 and the flags. (GCC's
// libgcc or LLVM's compiler-rt provide it elsewhere; Debian packages
// neither for this target.)
    .text
    .p2align 2
    .globl __chkstk
__chkstk:
    lsl     x16, x15, #4
    mov     x17, sp
1:
    sub     x17, x17, #4096
    ldr     xzr, [x17]
    subs    x16, x16, #4096
    b.gt    1b
    ret
