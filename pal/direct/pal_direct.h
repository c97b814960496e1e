/* The direct PAL's entry points for the `geode` command (cmd_run.c):
 * the only declarations of pal/direct/ that code outside it uses. */
#ifndef GEODE_PAL_DIRECT_H
#define GEODE_PAL_DIRECT_H

#include <stddef.h>
#include <stdint.h>

/* Runs the libOS image at libos_path in this process with the canonical
 * manifest blob; returns only when it cannot start (the exit status). */
int pal_direct_run(const char *libos_path, const uint8_t *blob, size_t blob_len, int argc,
                   char **argv);

/* The kernel's auxv entry of type (glibc's getauxval(AT_HWCAP) is not the
 * kernel's on x86: programs expect CPUID.1:EDX). */
uint64_t geode_kernel_auxval(uint64_t type);

#endif
