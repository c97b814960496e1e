/* Trusted PAL: host signals for the libOS (pal_signal.c). */
#ifndef GEODE_PAL_SIGNAL_H
#define GEODE_PAL_SIGNAL_H

#include "enclave_internal.h"
#include "pal.h"

/* ECALL_RUN: the host word signals are posted in (enclave_run_args.
 * signal_word; 0: none). -PAL_EFAULT unless 8-aligned and outside the
 * enclave; set once. */
int enclave_signal_set_word(uint64_t word);
/* After an OCALL returned: posted signals go to the libOS with no context. */
void enclave_signal_after_ocall(void);
/* Before ctx (GS = the libOS's) resumes: posted signals go to the libOS,
 * with ctx when it is program code. */
void enclave_signal_check(struct pal_context *ctx);
/* A notification interrupted program code at ctx (GS = the libOS's): the
 * posted signals go to the libOS with it, or, none posted, host_signal
 * (ctx, 0) delivers what the libOS has pending for this thread (a wake). */
void enclave_signal_notified_program(struct pal_context *ctx);
/* Stage 2 of a notification (EXITINFO valid = 0): returns, or resumes the
 * program redirected to a handler. */
void enclave_signal_notified(struct exc_ctx *ctx);

/* pal.h signal_sender: the sender of the signal being handed to the libOS
 * on this thread, when another process of the tree sent it. */
long enclave_signal_sender(int signo, struct pal_sender *out);

/* pal_upcall.c: the interrupted program context through the libOS's
 * host_signal upcall (enclave_signal_notified_program), then resumed. */
__attribute__((noreturn)) void enclave_upcall_signal(struct exc_ctx *ctx);

#endif
