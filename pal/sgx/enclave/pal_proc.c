/* Trusted PAL: logging, process end, ids, time, randomness and the upcall
 * registration. Randomness never comes from the host: RDRAND inside the
 * enclave. Time does (SGX has no trusted clock: pal_clock.c). */
#include "pal_enclave.h"

const struct pal_upcalls *enclave_upcalls;

static int64_t simple(uint64_t number, int64_t a0, int64_t a1)
{
    struct ocall_args a = {{a0, a1, 0, 0, 0, 0}};
    struct ocall_iov iov = {&a, sizeof(a)};

    return enclave_ocallv(number, &iov, 1, NULL, 0, NULL);
}


static void pal_log(const char *msg, size_t len)
{
    struct ocall_args a = {{0}};

    while (len) {
        uint64_t n = len > OCALL_MAX_IO ? OCALL_MAX_IO : len;
        struct ocall_iov iov[2] = {{&a, sizeof(a)}, {msg, n}};

        if (enclave_ocallv(OCALL_LOG, iov, 2, NULL, 0, NULL) < 0)
            return;
        msg += n;
        len -= n;
    }
}

/* The host may refuse to end us; then nothing of the enclave runs again. */
__attribute__((noreturn)) static void stop_forever(uint64_t code)
{
    struct enclave_thread *t = thread_self();

    for (;;)
        enclave_eexit(EXIT_FATAL, FATAL_UNHANDLED, code, t->ursp, t->urbp, t->exit_addr);
}

/* The enclave's counters go with the exit, for the host's debug log. */
__attribute__((noreturn)) static void pal_process_exit(int status)
{
    struct ocall_args a = {{status}};
    struct enclave_stats st;
    struct ocall_iov iov[2] = {{&a, sizeof(a)}, {&st, sizeof(st)}};

    enclave_stats_read(&st);
    enclave_ocallv(OCALL_EXIT, iov, 2, NULL, 0, NULL);
    stop_forever(0x100 | (uint64_t)(status & 0xff));
}

void enclave_exit_process(int status)
{
    pal_process_exit(status);
}

__attribute__((noreturn)) static void pal_process_kill(int signo)
{
    simple(OCALL_KILL_SELF, signo, 0);
    stop_forever(0x200 | (uint64_t)(signo & 0x7f));
}

/* The host stops its process by signo's default action (OCALL_STOP_SELF)
 * and answers once a SIGCONT has continued it: 0, or the host's error for a
 * signal it cannot stop by. */
static long pal_process_stop(int signo)
{
    if (signo < 19 || signo > 22) /* SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU */
        return -PAL_EINVAL;
    int64_t r = simple(OCALL_STOP_SELF, signo, 0);
    return r == 0 || r == -PAL_EINVAL || r == -PAL_EINTR ? r : -PAL_EIO;
}

static long pal_signal_host_ignore(int signo, int ignore)
{
    if ((signo != 21 && signo != 22) || (ignore != 0 && ignore != 1)) /* SIGTTIN, SIGTTOU */
        return -PAL_EINVAL;
    int64_t r = simple(OCALL_SIGNAL_IGNORE, signo, ignore);
    return r <= 0 && r >= -4095 ? r : -PAL_EIO;
}

static long pal_signal_host_block(int signo, int block)
{
    if ((signo != 21 && signo != 22) || (block != 0 && block != 1)) /* SIGTTIN, SIGTTOU */
        return -PAL_EINVAL;
    int64_t r = simple(OCALL_SIGNAL_HOST_BLOCK, signo, block);
    return r <= 0 && r >= -4095 ? r : -PAL_EIO;
}

static long pal_thread_wake(long host_tid)
{
    if (host_tid <= 0 || host_tid > INT32_MAX)
        return -PAL_ESRCH;
    int64_t r = simple(OCALL_THREAD_WAKE, host_tid, 0);
    return r <= 0 && r >= -4095 ? r : -PAL_EIO;
}

static void pal_set_upcalls(const struct pal_upcalls *up)
{
    enclave_upcalls = up;
}

/* Every `syscall` in enclave code raises #UD already (hardware, or the sim). */
static long pal_trap_syscalls(void) { return 0; }

static long pal_sleep(int64_t ns)
{
    long r;

    if (ns < 0)
        return -PAL_EINVAL;
    r = simple(OCALL_SLEEP, ns, 0);
    return r == 0 || r == -PAL_EINTR ? r : (r < 0 ? r : -PAL_EIO);
}

static long pal_alarm_timer(int64_t value, int64_t interval, int64_t *old_value, int64_t *old_interval)
{
    int64_t prev[2];
    long r = enclave_ocall_out(OCALL_ALARM, value, interval, prev, sizeof(prev));

    if (r < 0)
        return r;
    if (prev[0] < 0 || prev[1] < 0)
        return -PAL_EIO;
    if (old_value)
        *old_value = prev[0];
    if (old_interval)
        *old_interval = prev[1];
    return 0;
}

static long pal_timer_create(int clock, pal_handle *out)
{
    long r = pal_check_handle(simple(OCALL_TIMERFD_CREATE, clock, 0));

    if (r >= 0)
        *out = r;
    return r < 0 ? r : 0;
}

/* A timer's [time left, interval] from the host: each in [0, 2^62) ns. */
static long timer_pair_ok(const int64_t v[2])
{
    return v[0] >= 0 && v[1] >= 0 && v[0] < (1LL << 62) && v[1] < (1LL << 62) ? 0 : -PAL_EIO;
}

static long pal_timer_set(pal_handle h, int flags, int64_t value_ns, int64_t interval_ns, int64_t old[2])
{
    struct ocall_args a = {{h, flags, value_ns, interval_ns, 0, 0}};
    struct ocall_iov iov = {&a, sizeof(a)};
    uint64_t got = 0;
    int64_t prev[2];
    long r;

    if (value_ns < 0 || interval_ns < 0 || flags & ~(PAL_TIMER_ABSTIME | PAL_TIMER_CANCEL_ON_SET))
        return -PAL_EINVAL;
    r = enclave_ocallv(OCALL_TIMERFD_SETTIME, &iov, 1, prev, sizeof(prev), &got);
    if (r < 0)
        return r;
    if (r != 0 || got != sizeof(prev) || timer_pair_ok(prev))
        return -PAL_EIO;
    old[0] = prev[0];
    old[1] = prev[1];
    return 0;
}

static long pal_timer_get(pal_handle h, int64_t cur[2])
{
    int64_t v[2];
    long r = enclave_ocall_out(OCALL_TIMERFD_GETTIME, h, 0, v, sizeof(v));

    if (r < 0)
        return r;
    if (r != 0 || timer_pair_ok(v))
        return -PAL_EIO;
    cur[0] = v[0];
    cur[1] = v[1];
    return 0;
}

static long pal_notify_create(pal_handle *out)
{
    long r = pal_check_handle(simple(OCALL_INOTIFY_INIT, 0, 0));

    if (r >= 0)
        *out = r;
    return r < 0 ? r : 0;
}

static long pal_notify_add(pal_handle h, const char *path, uint32_t mask)
{
    struct ocall_args a = {{h, mask, 0, 0, 0, 0}};
    uint64_t n = pal_strsize(path, 4096);
    struct ocall_iov iov[2] = {{&a, sizeof(a)}, {path, n}};
    int64_t r;

    if (!n)
        return -PAL_ENAMETOOLONG;
    r = enclave_ocallv(OCALL_INOTIFY_ADD, iov, 2, NULL, 0, NULL);
    return r < 0 ? r : (r <= 0x7fffffff ? r : -PAL_EIO); /* a watch descriptor is an int */
}

static long pal_notify_remove(pal_handle h, int32_t wd)
{
    long r = simple(OCALL_INOTIFY_RM, h, wd);

    return r <= 0 ? r : -PAL_EIO;
}

static int rdrand64(uint64_t *v)
{
    for (int tries = 0; tries < 32; tries++) {
        unsigned char ok;

        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return 0;
    }
    return -1;
}

static long pal_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    uint64_t v;

    while (len) {
        size_t n = len < 8 ? len : 8;

        if (rdrand64(&v))
            return -PAL_EIO;
        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
    return 0;
}

long enclave_yield(void)
{
    return simple(OCALL_YIELD, 0, 0) < 0 ? -PAL_EIO : 0;
}

/* CPU-time clocks through OCALL_CLOCK_GET with Linux's clock ids (a
 * thread's: ~tid << 3 | CPUCLOCK_PERTHREAD | CPUCLOCK_SCHED); the process's
 * never goes back, and no value is negative. */
static long pal_cpu_clock_get(long host_tid, int64_t *ns)
{
    static int64_t last_process;
    int64_t v;
    int clock = host_tid < 0    ? 2 /* CLOCK_PROCESS_CPUTIME_ID */
                : host_tid == 0 ? 3 /* CLOCK_THREAD_CPUTIME_ID */
                                : (int)((~(uint32_t)host_tid << 3) | 6);
    long r = enclave_ocall_out(OCALL_CLOCK_GET, clock, 0, &v, sizeof(v));

    if (r < 0)
        return r == -PAL_EINVAL ? r : -PAL_EIO;
    if (v < 0)
        return -PAL_EIO;
    *ns = host_tid < 0 ? enclave_never_back(&last_process, v) : v;
    return 0;
}

/* getrusage's user and system times through OCALL_RUSAGE: none is
 * negative, and the process's and the children's never go back. */
static long pal_rusage_get(int who, int64_t times[2])
{
    static int64_t last[2][2]; /* [children?][user, system] */
    int64_t v[2];
    if (who != 0 && who != 1 && who != -1)
        return -PAL_EINVAL;
    long r = enclave_ocall_out(OCALL_RUSAGE, who, 0, v, sizeof(v));
    if (r < 0)
        return r == -PAL_EINVAL ? r : -PAL_EIO;
    for (int i = 0; i < 2; i++) {
        if (v[i] < 0)
            return -PAL_EIO;
        if (who == 1)
            continue;
        int64_t *l = &last[who < 0][i], prev = __atomic_load_n(l, __ATOMIC_RELAXED);
        while (v[i] > prev &&
               !__atomic_compare_exchange_n(l, &prev, v[i], 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            ;
        if (v[i] < prev)
            v[i] = prev;
    }
    times[0] = v[0], times[1] = v[1];
    return 0;
}

static long pal_clock_res(int clock, int64_t *ns)
{
    int64_t v;
    long r = enclave_ocall_out(OCALL_CLOCK_RES, clock, 0, &v, sizeof(v));
    if (r < 0)
        return r == -PAL_EINVAL ? r : -PAL_EIO;
    if (v < 1 || v > 1000000000LL)
        return -PAL_EIO;
    *ns = v;
    return 0;
}

void enclave_fill_proc(struct pal_api *api)
{
    api->log = pal_log;
    api->process_exit = pal_process_exit;
    api->process_kill = pal_process_kill;
    api->process_stop = pal_process_stop;
    api->signal_host_ignore = pal_signal_host_ignore;
    api->thread_wake = pal_thread_wake;
    api->signal_host_block = pal_signal_host_block;
    api->process_create = NULL;
    api->set_upcalls = pal_set_upcalls;
    api->trap_syscalls = pal_trap_syscalls;
    api->clock_get = enclave_clock_get;
    api->cpu_clock_get = pal_cpu_clock_get;
    api->rusage_get = pal_rusage_get;
    api->clock_res = pal_clock_res;
    api->sleep = pal_sleep;
    api->alarm_timer = pal_alarm_timer;
    api->timer_create = pal_timer_create;
    api->timer_set = pal_timer_set;
    api->timer_get = pal_timer_get;
    api->notify_create = pal_notify_create;
    api->notify_add = pal_notify_add;
    api->notify_remove = pal_notify_remove;
    api->random = pal_random;
    api->yield = enclave_yield;
}
