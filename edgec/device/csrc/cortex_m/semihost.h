/* Arm semihosting calls (the "Semihosting for AArch32 and AArch64" specification):
 * file I/O on the host and the exit code, through QEMU's -semihosting. */
#ifndef EDGEC_SEMIHOST_H
#define EDGEC_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

enum { SH_MODE_RB = 1, SH_MODE_WB = 5 };

int sh_open(const char *path, int mode);
int sh_close(int fd);
/* Both return the number of bytes NOT transferred (0 = all), as the spec says. */
size_t sh_read(int fd, void *buf, size_t len);
size_t sh_write(int fd, const void *buf, size_t len);
long sh_flen(int fd);
void sh_write0(const char *text);
__attribute__((noreturn)) void sh_exit(int code);

#endif
