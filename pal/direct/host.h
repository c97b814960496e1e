/* Direct PAL internals: raw host syscalls (host_syscall.S) and the pieces
 * of the PAL that other direct-PAL files share. Nothing here may use glibc
 * once the program runs: FS belongs to the program, so no errno, no stdio,
 * no stack protector. */
#ifndef GEODE_PAL_DIRECT_HOST_H
#define GEODE_PAL_DIRECT_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pal.h"
#include "host_cp.h"

long host_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
void host_sigreturn(void);
long host_clone_thread(unsigned long flags, void *stack_top, void (*fn)(void *), void *arg);

/* Bounds of the allowed syscall region (defined by the linker). */
extern char __start_geode_hostsys[], __stop_geode_hostsys[];

#define HS0(n) host_syscall((n), 0, 0, 0, 0, 0, 0)
#define HS1(n, a) host_syscall((n), (long)(a), 0, 0, 0, 0, 0)
#define HS2(n, a, b) host_syscall((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define HS3(n, a, b, c) host_syscall((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define HS4(n, a, b, c, d) host_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define HS5(n, a, b, c, d, e) \
    host_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define HS6(n, a, b, c, d, e, f) \
    host_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* Table fillers, one per file (pal_mem.c, pal_file.c, ...). */
void direct_fill_mem(struct pal_api *api);
void direct_fill_file(struct pal_api *api);
void direct_fill_net(struct pal_api *api);
void direct_fill_thread(struct pal_api *api);
void direct_fill_misc(struct pal_api *api);
void direct_fill_signal(struct pal_api *api);
void direct_fill_proc(struct pal_api *api);
void direct_fill_groups(struct pal_api *api);
void direct_fill_procinfo(struct pal_api *api);
void direct_fill_crypto(struct pal_api *api);

/* True for the host signals the PAL hands to the libOS (host_signal). */
int direct_signal_forwarded(int sig);
/* The SGX host serves process_signal for an enclave with pal_proc.c's
 * code: fn says which host signals its own handlers forward. */
void direct_proc_use_forwarded(int (*fn)(int sig));
/* geode leads its own host process group, unless it is a terminal's
 * foreground job (pal_run.c); before pidns_init, while glibc may be used. */
void direct_own_process_group(void);

/* Writes v in decimal at p (no NUL); returns its length (at most 10). */
int direct_fmt_u32(char *p, uint32_t v);

/* Writes a message to host stderr with a raw write (usable anywhere). */
void direct_log(const char *msg, size_t len);
void direct_log_str(const char *msg);
#include "diag.h"

/* Whether rip is in the host vDSO's code, which pal_misc.c calls for the
 * time (its fallback syscalls are run on the host by on_sigsys). */
bool direct_vdso_contains(uint64_t rip);

/* Signal handling and Syscall User Dispatch (pal_signal.c). */
int direct_signals_install(void);
long direct_sud_enable(void);
/* Per-thread alternate signal stack; called on every new host thread. */
int direct_altstack_setup(void);

/* Loads an ELF static-pie image (libos.elf): maps it, applies its
 * R_X86_64_RELATIVE relocations. Returns 0 or -1 after printing why. */
struct direct_image {
    void *base;
    size_t size;
    void *entry;
};
int direct_load_libos(const char *path, struct direct_image *img);

#include "pal_direct.h" /* pal_direct_run, geode_kernel_auxval */

#endif
