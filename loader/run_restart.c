/* `geode run` after EPC loss or a fatal error: noticing it, stopping every
 * enclave thread, and the sim's loss timer for tests (run_restart.h).
 *
 * One watch thread per start of the program injects the planned loss and,
 * once a loss or a fatal error is reported while the main host thread is
 * still inside ECALL_RUN (blocked in an OCALL: a sleep, a read), interrupts
 * that OCALL until the ECALL returns: the re-entry then reports the loss,
 * or, after a fatal error (the enclave is halted), the thread is not
 * entered again. The host threads that report either never wait
 * themselves, so none of them can hold up the main thread (which may be
 * joining one in OCALL_THREAD_START). */
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "run_restart.h"
#include "urts_signal.h"

#define MS 1000000L
#define KICK_INTERVAL_MS 10

int run_loss_plan_parse(const char *spec, struct run_loss_plan *plan)
{
    const char *p = spec;

    plan->n = 0;
    while (*p) {
        char *end;
        unsigned long v;

        if (*p < '0' || *p > '9' || plan->n == RUN_LOSS_PLAN_MAX)
            return -EINVAL;
        errno = 0;
        v = strtoul(p, &end, 10);
        if (errno || v > 3600000 || (*end && *end != ','))
            return -EINVAL;
        plan->ms[plan->n++] = (unsigned)v;
        p = *end ? end + 1 : end;
        if (*end && !*p)
            return -EINVAL; /* trailing comma */
    }
    return plan->n ? 0 : -EINVAL;
}

static void on_kick(int sig)
{
    (void)sig; /* only there to interrupt a blocking system call */
}

static void deadline_after(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * MS;
    if (ts->tv_nsec >= 1000 * MS) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000 * MS;
    }
}

static bool passed(const struct timespec *t)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* Under s->lock: the first report of this start's loss (unless the run is
 * ending on a fatal error already: what follows is its consequence). */
static void note_loss(struct run_supervisor *s, uint32_t thread)
{
    if (!s->lost && !s->fatal) {
        s->lost = true;
        sgx_err_set(&s->why, "%s", urts_last_error(s->e, thread));
        urts_signal_dead(true); /* the program cannot take a signal now */
    }
    pthread_cond_broadcast(&s->cond);
}

/* Under s->lock: the first error that ends the run. From here on no OCALL
 * is served (the program cannot act any more), and the line naming the
 * error goes out at once, before the threads are stopped (a signal may end
 * geode meanwhile). */
static void note_fatal(struct run_supervisor *s, uint32_t thread)
{
    if (!s->lost && !s->fatal) {
        s->fatal = true;
        urts_halt(s->e);
        if (thread)
            sgx_err_set(&s->why, "enclave thread %u: %s", thread, urts_last_error(s->e, thread));
        else
            sgx_err_set(&s->why, "%s", urts_last_error(s->e, thread));
        urts_signal_dead(true);
        fprintf(stderr, "geode run: %s\n", s->why.msg);
        fflush(stderr);
    }
    pthread_cond_broadcast(&s->cond);
}

static void on_thread_lost(struct urts_enclave *e, uint32_t thread, void *ctx)
{
    struct run_supervisor *s = ctx;

    (void)e;
    pthread_mutex_lock(&s->lock);
    note_loss(s, thread);
    pthread_mutex_unlock(&s->lock);
}

static void on_thread_fatal(struct urts_enclave *e, uint32_t thread, void *ctx)
{
    struct run_supervisor *s = ctx;

    (void)e;
    pthread_mutex_lock(&s->lock);
    note_fatal(s, thread);
    pthread_mutex_unlock(&s->lock);
}

/* After a fatal error the process ends even if some enclave thread never
 * leaves (it runs inside without exits): the others are stopped first. */
__attribute__((noreturn)) static void give_up(struct run_supervisor *s)
{
    urts_stop_threads(s->e, RUN_KICK_SIGNAL, RUN_FATAL_STOP_MS);
    fflush(NULL);
    _exit(1);
}

/* Under s->lock: interrupts the main thread's OCALL (and its futex wait)
 * until ECALL_RUN returns (repeated: a kick may land just before the thread
 * blocks); gives up on the process after the stop timeout. */
static void kick_main(struct run_supervisor *s)
{
    uint32_t *word = (uint32_t *)(uintptr_t)urts_futex_word(s->e, 0);
    struct timespec limit, tick;

    deadline_after(&limit, s->fatal ? RUN_FATAL_STOP_MS : RUN_STOP_TIMEOUT_MS);
    while (s->main_in_ecall && !s->timer_cancel) {
        syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        pthread_kill(s->main, RUN_KICK_SIGNAL);
        if (passed(&limit) && s->fatal) {
            pthread_mutex_unlock(&s->lock); /* the stopped threads' handlers take it */
            give_up(s);
        }
        if (passed(&limit)) {
            fprintf(stderr,
                    "geode run: %s; the main thread does not leave its OCALL within %d ms: "
                    "giving up\n",
                    s->why.msg, RUN_STOP_TIMEOUT_MS);
            fflush(NULL);
            _exit(1);
        }
        deadline_after(&tick, KICK_INTERVAL_MS);
        pthread_cond_timedwait(&s->cond, &s->lock, &tick);
    }
}

static void *watch_main(void *p)
{
    struct run_supervisor *s = p;
    bool inject = s->timer_ms != ~0U;
    struct timespec at;

    deadline_after(&at, inject ? s->timer_ms : 0);
    pthread_mutex_lock(&s->lock);
    while (!s->timer_cancel) {
        if ((s->lost || s->fatal) && s->main_in_ecall) {
            kick_main(s);
        } else if (inject && !s->lost && !s->fatal) {
            if (pthread_cond_timedwait(&s->cond, &s->lock, &at) == ETIMEDOUT && !s->timer_cancel) {
                if (urts_inject_epc_loss(s->e))
                    fprintf(stderr, "geode run: this SGX driver cannot lose EPC on request\n");
                inject = false;
            }
        } else {
            pthread_cond_wait(&s->cond, &s->lock);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int run_supervisor_init(struct run_supervisor *s, struct urts_enclave *e,
                        const struct run_loss_plan *plan)
{
    struct sigaction sa = {.sa_handler = on_kick}; /* no SA_RESTART: the call returns EINTR */
    pthread_condattr_t ca;
    int ret;

    memset(s, 0, sizeof(*s));
    s->e = e;
    s->plan = plan;
    s->main = pthread_self();
    sigemptyset(&sa.sa_mask);
    if (sigaction(RUN_KICK_SIGNAL, &sa, NULL))
        return -errno;
    urts_handlers_changed(e);
    ret = pthread_condattr_init(&ca);
    if (!ret)
        ret = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (!ret)
        ret = pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (ret)
        return -ret;
    pthread_mutex_init(&s->lock, NULL);
    urts_set_lost_handler(e, on_thread_lost, s);
    urts_set_fatal_handler(e, on_thread_fatal, s);
    return 0;
}

void run_supervisor_destroy(struct run_supervisor *s)
{
    urts_set_lost_handler(s->e, NULL, NULL);
    urts_set_fatal_handler(s->e, NULL, NULL);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
}

void run_ecall_begin(struct run_supervisor *s, unsigned start)
{
    pthread_mutex_lock(&s->lock);
    s->main_in_ecall = true;
    s->lost = false;
    s->timer_cancel = false;
    urts_signal_dead(false);
    s->timer_ms = s->plan && start < s->plan->n ? s->plan->ms[start] : ~0U;
    pthread_mutex_unlock(&s->lock);
    /* Without a watch thread a loss is still seen, but an OCALL blocked in
     * the host is not interrupted: the loss shows when it returns. */
    s->timer_on = urts_helper_thread(&s->timer, watch_main, s) == 0;
    if (!s->timer_on && s->timer_ms != ~0U)
        fprintf(stderr,
                "geode run: cannot start the EPC loss timer (GEODE_SIM_EPC_LOSS_AFTER_MS)\n");
}

void run_ecall_end(struct run_supervisor *s, int ret)
{
    pthread_mutex_lock(&s->lock);
    s->main_in_ecall = false;
    if (ret == URTS_ELOST)
        note_loss(s, 0);
    else if (ret && ret != URTS_ESTOPPED)
        note_fatal(s, 0);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

int run_wait_end(struct run_supervisor *s)
{
    int ret;

    pthread_mutex_lock(&s->lock);
    while (!s->lost && !s->fatal)
        pthread_cond_wait(&s->cond, &s->lock);
    ret = s->lost ? URTS_ELOST : URTS_EFATAL;
    pthread_mutex_unlock(&s->lock);
    return ret;
}

static void stop_watch(struct run_supervisor *s)
{
    if (!s->timer_on)
        return;
    pthread_mutex_lock(&s->lock);
    s->timer_cancel = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->timer, NULL);
    s->timer_on = false;
}

int run_stop_all(struct run_supervisor *s, struct sgx_err *err)
{
    static const struct itimerval off;
    int ret;

    stop_watch(s);
    ret = urts_stop_threads(s->e, RUN_KICK_SIGNAL, RUN_STOP_TIMEOUT_MS);
    if (ret)
        return sgx_err_set(err,
                           "enclave threads still in the host after %d ms: the enclave "
                           "cannot be rebuilt safely",
                           RUN_STOP_TIMEOUT_MS),
               ret;
    /* The lost program's alarm must not fire in the next start. */
    setitimer(ITIMER_REAL, &off, NULL);
    return 0;
}

int run_fail(struct run_supervisor *s)
{
    stop_watch(s);
    if (urts_stop_threads(s->e, RUN_KICK_SIGNAL, RUN_FATAL_STOP_MS)) {
        fflush(NULL); /* a thread still runs inside: no teardown under it */
        _exit(1);
    }
    return 1;
}
