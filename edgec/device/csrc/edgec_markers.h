/*
 * EDGEC_PROFILE_OP(index, "NAME") as the emulator harnesses define it (forced in with
 * -include): one `nop` at the call site, whose address goes with the op's index and
 * name into the non-loaded section .edgec_markers of the ELF. The instruction counter
 * (insn_count.c) watches those addresses, so a profiled build costs one instruction
 * per marker and no RAM or flash. The "memory" clobber keeps loads and stores from
 * moving across a marker, so each op's instructions land on that op.
 *
 * Table entry: address (pointer-sized), index (int32), name (NUL-terminated), padded
 * to 8 bytes. `index` must be a compile-time constant and `name` a string literal.
 */
#ifndef EDGEC_MARKERS_H
#define EDGEC_MARKERS_H

#define EDGEC_PROFILE_OP(index, name)                                        \
    __asm__ volatile("1: nop\n"                                              \
                     ".pushsection .edgec_markers,\"\",%%progbits\n"         \
                     ".balign 8\n"                                           \
                     ".dc.a 1b\n"                                            \
                     ".dc.l %c0\n"                                           \
                     ".asciz " #name "\n"                                    \
                     ".balign 8\n"                                           \
                     ".popsection\n" ::"i"(index)                            \
                     : "memory")

#endif
