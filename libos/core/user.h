/* Checking program pointers before the PAL sees them. The PAL may write
 * through a pointer in its own code (the trusted PAL copies across the
 * enclave boundary), where a fault is fatal; touched here, in a syscall
 * handler, a bad pointer faults in the libOS and the syscall ends with
 * -EFAULT (entry/syscall.c run_handler). */
#ifndef GEODE_LIBOS_USER_H
#define GEODE_LIBOS_USER_H

#include "libos.h"

/* Reads one byte of every page of [p, p + len); 0, or -EFAULT for NULL
 * or a wrapping range (a bad mapping faults instead). */
long user_check_read(const void *p, size_t len);
/* Same, and writes each touched byte back unchanged: the range must be
 * writable. */
long user_check_write(void *p, size_t len);

#endif
