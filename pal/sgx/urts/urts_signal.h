/* uRTS: host signals for the libOS in the enclave (urts_signal.c). */
#ifndef GEODE_SGX_URTS_SIGNAL_H
#define GEODE_SGX_URTS_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

struct urts_enclave;

/* Installs the handlers of the forwarded signals (SIGHUP, SIGINT, SIGQUIT,
 * SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGCHLD, SIGWINCH) for enclave e, the
 * only one of the process, and returns the host address of the pending mask
 * for enclave_run_args.signal_word (0 when the handlers cannot be installed:
 * the signals then keep their default actions). */
uint64_t urts_signal_setup(struct urts_enclave *e);
/* In the word, a forwarded signal (all below 32) sent by another process of
 * the program's tree sets bit signo - 1 + URTS_SIGNAL_INSIDE_SHIFT instead
 * of bit signo - 1 (the libOS's PAL_SIGNAL_FROM_INSIDE); a realtime signal
 * (34..64) sets bit signo - 34 of the second word, or that bit plus
 * URTS_SIGNAL_INSIDE_SHIFT. */
#define URTS_SIGNAL_INSIDE_SHIFT 32
#define URTS_SIGNAL_RT_FIRST 34
/* 64 is the sim's base-loss test tick (sim_signal.h: SIM_SWITCH_SIG). */
#define URTS_SIGNAL_RT_LAST 63
/* A SIGCHLD for a child that stopped or continued (not ended) sets this
 * bit (SIGSTOP's, never forwarded) instead of SIGCHLD's: the libOS's
 * PAL_SIGNAL_CHILD_STATE. */
#define URTS_SIGNAL_CHILD_STATE (1ULL << (19 - 1))
/* True for the host signals urts_signal_setup forwards to the enclave. */
int urts_signal_forwarded(int sig);
/* sys.enable_sigterm_injection is false: a host SIGTERM never reaches the
 * word; the first is reported on stderr, a second ends geode (143). Call
 * before urts_signal_setup. */
void urts_signal_keep_sigterm_out(bool out);
/* Host code installed a signal handler after e was entered: the driver
 * (the sim) takes handlers over again before the next entry. Every host
 * sigaction made while an enclave exists must be followed by this. */
void urts_handlers_changed(struct urts_enclave *e);
/* A SIGINT or SIGTERM arriving while another one is still pending (the
 * enclave has not taken it) ends geode at once by that signal. While the
 * enclave is marked dead (a fatal error, a loss being handled; until it is
 * marked alive again, at a new start), the first one does. */
void urts_signal_dead(bool is_dead);
/* Forgets every pending signal (a restarted program must not get the lost
 * one's). */
void urts_signal_clear(void);
/* pthread_create for a host helper thread (an exitless worker, the EPC-loss
 * watcher, the signer): it never takes a forwarded signal, so the kernel
 * gives each to an enclave thread, and realtime signals of one number are
 * taken in the order they were sent when the program has one thread. */
#include <pthread.h>
int urts_helper_thread(pthread_t *t, void *(*fn)(void *), void *arg);
struct ocall_signal_sender;
/* OCALL_PROCS_SIGNAL_SENDER: the oldest recorded sender of signal sig
 * from inside the tree, taken off its queue (1), or none (0, with the
 * count the queue dropped); -EINVAL for a bad number. */
int urts_signal_sender(int sig, struct ocall_signal_sender *out);
/* The cancellable host calls of OCALLs (host_cp.h) use each host thread's
 * own wake flag, which this file's handlers set. */
void urts_wake_flag_install(void);

#endif
