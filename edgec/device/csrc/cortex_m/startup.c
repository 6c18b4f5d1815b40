/*
 * Startup for the Cortex-M boards the harness runs on: the vector table, the reset
 * handler (.data copied from flash, .bss zeroed, FPU enabled, stack painted) and a
 * fault handler that reports over semihosting and exits. Symbols come from link.ld.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bench.h"
#include "semihost.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_limit[], __stack_top[];

int main(void);
void Reset_Handler(void);
void Fault_Handler(void);

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)

__attribute__((section(".vectors"), used)) void (*const edgec_vectors[16])(void) = {
    (void (*)(void))__stack_top, /* initial stack pointer */
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    Fault_Handler, /* SecureFault (Armv8-M) */
    0, 0, 0,
    Fault_Handler, /* SVCall */
    Fault_Handler, /* DebugMonitor */
    0,
    Fault_Handler, /* PendSV */
    Fault_Handler, /* SysTick: the harness never enables its interrupt */
};

static inline uintptr_t current_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

void Reset_Handler(void)
{
    memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    SCB_CPACR |= 0xFu << 20; /* full access to CP10 and CP11 (FPU, MVE) */
    __asm__ volatile("dsb\n isb" ::: "memory");
#endif
    /* Paint the stack from its limit up to just below this frame. */
    volatile uint32_t *word = __stack_limit;
    uint32_t *end = (uint32_t *)((current_sp() - 64u) & ~(uintptr_t)7u);
    while (word < end) *word++ = EDGEC_STACK_PAINT;
    sh_exit(main());
}

uint32_t edgec_stack_used(int *overflow)
{
    const volatile uint32_t *word = __stack_limit;
    while (word < __stack_top && *word == EDGEC_STACK_PAINT) word++;
    *overflow = word == __stack_limit;
    return (uint32_t)((char *)__stack_top - (const char *)word);
}

/* No heap: generated code plans its memory statically, and RAM is counted from the
 * ELF. malloc() (newlib's, through _sbrk) therefore always fails. */
void *_sbrk(ptrdiff_t increment)
{
    (void)increment;
    errno = ENOMEM;
    return (void *)-1;
}

static void put_hex(char *at, uint32_t value)
{
    for (int i = 7; i >= 0; i--, value >>= 4) at[i] = "0123456789abcdef"[value & 0xFu];
}

/* Report which exception, the fault status registers and the faulting PC. */
__attribute__((used)) static void fault_report(const uint32_t *frame)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    char text[] = "edgec: fault exception=xxxxxxxx cfsr=xxxxxxxx hfsr=xxxxxxxx pc=xxxxxxxx\n";
    put_hex(text + 23, ipsr & 0x1FFu);
    put_hex(text + 37, SCB_CFSR);
    put_hex(text + 51, SCB_HFSR);
    put_hex(text + 63, frame[6]);
    sh_write0(text);
    sh_exit(EDGEC_EXIT_FAULT);
}

__attribute__((naked)) void Fault_Handler(void)
{
    __asm__ volatile("tst lr, #4\n"
                     "ite eq\n"
                     "mrseq r0, msp\n"
                     "mrsne r0, psp\n"
                     "b fault_report\n");
}
