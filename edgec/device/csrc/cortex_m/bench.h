/* What the Cortex-M bench program and edgec/device/cortex_m.py agree on. */
#ifndef EDGEC_BENCH_H
#define EDGEC_BENCH_H

#include <stdint.h>

/* Exit codes of the program (QEMU's exit status through semihosting). */
enum {
    EDGEC_EXIT_OK = 0,
    EDGEC_EXIT_IO = 2,        /* input.bin missing or not a whole number of samples */
    EDGEC_EXIT_FAULT = 3,     /* a CPU fault (HardFault, BusFault, ...) */
    EDGEC_EXIT_MODEL = 4,     /* edgec_model_invoke returned non-zero */
};

/* Stack painting (startup.c): the stack is filled with this word before main. */
#define EDGEC_STACK_PAINT 0xEDC57ACCu
/* Bytes of stack used so far, from its top down to the deepest overwritten word;
 * *overflow is set when no painted word is left at the bottom. */
uint32_t edgec_stack_used(int *overflow);

#endif
