/* Signal ownership and dispatch for the sim.
 *
 * The sim's handler is installed (with its own sigreturn trampoline, so it
 * works while syscalls are blocked) for the synchronous fault signals and for
 * every signal, standard or real-time, that has a host handler; the host's
 * action is kept and called on the host side ("chaining"). So no signal
 * needs to be blocked while enclave code runs. Handlers the host installs later
 * are taken over at the next entry (sim_signals_sync). */
#ifndef GEODE_SGX_SIM_SIGNAL_H
#define GEODE_SGX_SIM_SIGNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <ucontext.h>

/* Takes over signals whose handler is not the sim's, when any may have
 * changed since the last time (sim_signals_changed): at every entry, and
 * asking the kernel for every handler each time was most of an OCALL's cost.
 * Host side. 0 or -errno. */
int sim_signals_sync(void);
/* Takes SIGSEGV and SIGBUS over now if they are not the sim's (asks the
 * kernel: a host handler installed without handlers_changed is chained
 * too). Host side. 0 or -errno. */
int sim_signals_take_faults(void);
/* The host installed handlers (sgx_driver.handlers_changed). */
void sim_signals_changed(void);

/* Runs the host's action for sig with the (host-side) context uc, as the
 * kernel would have delivered it. */
void sim_signal_chain(int sig, siginfo_t *si, ucontext_t *uc);

/* Reads the 4096-byte page at src as EADD does, like the kernel's
 * copy_from_user: 0 when it is all zero (dst untouched), 1 when it is not
 * (then copied into dst, the bytes tested), -EFAULT when src cannot be
 * read. A fault inside it is taken by the sim's SIGSEGV/SIGBUS handler
 * (sim_signals_take_faults first), which resumes at its error return. */
long sim_read_page(void *dst, const void *src);
/* The handler's part: true when uc faulted in sim_read_page (now resumed
 * at its -EFAULT return). */
bool sim_read_page_fixup(ucontext_t *uc);

/* The context-switch tick of the base-loss emulation (sim_thread.h; test
 * hook only): the last real-time signal, the sim's own in that mode. */
#define SIM_SWITCH_SIG 64

#endif
