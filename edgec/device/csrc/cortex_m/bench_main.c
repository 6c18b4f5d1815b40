/*
 * The bench program: reads input.bin (samples of EDGEC_BENCH_INPUT_BYTES, the model's
 * inputs concatenated in graph order), runs edgec_model_invoke on each, writes
 * output.bin (the outputs likewise) and stats.txt (samples, stack, the stack already in
 * use where the model is called, SysTick ticks per inference), all through semihosting,
 * then exits with 0.
 *
 * Each inference sits between the markers "edgec:invoke" and "edgec:return", which
 * the instruction counter uses; SysTick (at the core clock, counting virtual time
 * under -icount) gives a second, coarser count of the same span.
 */
#include <stdint.h>

#include "bench.h"
#include "edgec_bench_config.h" /* generated: EDGEC_BENCH_INPUT_BYTES, EDGEC_BENCH_OUTPUT_BYTES */
#include "semihost.h"

int edgec_model_invoke(const int8_t *input, int8_t *output);
extern uint32_t __stack_top[];

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_ENABLE_CORE_CLOCK 0x5u
#define SYST_COUNTFLAG (1u << 16)

static int8_t input[EDGEC_BENCH_INPUT_BYTES] __attribute__((aligned(16)));
static int8_t output[EDGEC_BENCH_OUTPUT_BYTES] __attribute__((aligned(16)));

static char *put_line(char *at, const char *key, long value)
{
    while (*key) *at++ = *key++;
    *at++ = ' ';
    char digits[12];
    int n = 0;
    unsigned long magnitude = value < 0 ? 0ul - (unsigned long)value : (unsigned long)value;
    do digits[n++] = (char)('0' + magnitude % 10u); while ((magnitude /= 10u) != 0);
    if (value < 0) *at++ = '-';
    while (n) *at++ = digits[--n];
    *at++ = '\n';
    return at;
}

int main(void)
{
    int in = sh_open("input.bin", SH_MODE_RB);
    int out = sh_open("output.bin", SH_MODE_WB);
    int stats = sh_open("stats.txt", SH_MODE_WB);
    if (in < 0 || out < 0 || stats < 0) return EDGEC_EXIT_IO;
    long length = sh_flen(in);
    if (length <= 0 || length % EDGEC_BENCH_INPUT_BYTES != 0) return EDGEC_EXIT_IO;
    long samples = length / EDGEC_BENCH_INPUT_BYTES;

    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = SYST_ENABLE_CORE_CLOCK;

    /* Stack in use where the model is called: the rest of the high-water mark is the model's. */
    uint32_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    long caller_stack = (long)((uint32_t)__stack_top - sp);

    char line[32];
    for (long s = 0; s < samples; s++) {
        if (sh_read(in, input, sizeof input) != 0) return EDGEC_EXIT_IO;
        (void)SYST_CSR; /* reading clears COUNTFLAG */
        uint32_t before = SYST_CVR;
        EDGEC_PROFILE_OP(-2, "edgec:invoke");
        int status = edgec_model_invoke(input, output);
        EDGEC_PROFILE_OP(-3, "edgec:return");
        uint32_t after = SYST_CVR;
        int wrapped = (SYST_CSR & SYST_COUNTFLAG) != 0;
        if (status != 0) return EDGEC_EXIT_MODEL;
        long ticks = wrapped ? -1 : (long)((before - after) & 0x00FFFFFFu);
        sh_write(stats, line, (size_t)(put_line(line, "ticks", ticks) - line));
        if (sh_write(out, output, sizeof output) != 0) return EDGEC_EXIT_IO;
    }

    int overflow;
    uint32_t stack = edgec_stack_used(&overflow);
    char *end = put_line(line, "samples", samples);
    end = put_line(end, "stack_bytes", (long)stack);
    sh_write(stats, line, (size_t)(end - line));
    end = put_line(line, "stack_overflow", overflow);
    end = put_line(end, "caller_stack_bytes", caller_stack);
    sh_write(stats, line, (size_t)(end - line));
    sh_close(in);
    sh_close(out);
    sh_close(stats);
    return EDGEC_EXIT_OK;
}
