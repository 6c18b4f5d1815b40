#include "semihost.h"

#include <string.h>

enum {
    SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05, SYS_READ = 0x06,
    SYS_FLEN = 0x0C, SYS_EXIT_EXTENDED = 0x20,
};
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

/* On M-profile the semihosting trap is BKPT 0xAB: r0 = operation, r1 = argument. */
static int sh_call(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

int sh_open(const char *path, int mode)
{
    uintptr_t args[3] = {(uintptr_t)path, (uintptr_t)mode, strlen(path)};
    return sh_call(SYS_OPEN, args);
}

int sh_close(int fd)
{
    uintptr_t args[1] = {(uintptr_t)fd};
    return sh_call(SYS_CLOSE, args);
}

size_t sh_read(int fd, void *buf, size_t len)
{
    uintptr_t args[3] = {(uintptr_t)fd, (uintptr_t)buf, len};
    return (size_t)sh_call(SYS_READ, args);
}

size_t sh_write(int fd, const void *buf, size_t len)
{
    uintptr_t args[3] = {(uintptr_t)fd, (uintptr_t)buf, len};
    return (size_t)sh_call(SYS_WRITE, args);
}

long sh_flen(int fd)
{
    uintptr_t args[1] = {(uintptr_t)fd};
    return sh_call(SYS_FLEN, args);
}

void sh_write0(const char *text)
{
    sh_call(SYS_WRITE0, text);
}

void sh_exit(int code)
{
    uintptr_t args[2] = {ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)code};
    for (;;) sh_call(SYS_EXIT_EXTENDED, args);
}
