/* Log lines go to the PAL's diagnostic stream, prefixed with "geode: ". */
#include "libos.h"

int libos_log_level = LOG_ERROR;

void log_at(int level, const char *fmt, ...)
{
    if (level > libos_log_level || !pal)
        return;
    char buf[512];
    int n = snprintf(buf, sizeof(buf), "geode: ");
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
    va_end(ap);
    if ((size_t)n >= sizeof(buf) - 1)
        n = sizeof(buf) - 2;
    buf[n++] = '\n';
    pal->log(buf, (size_t)n);
}

/* Each thread remembers the locks it holds so that a syscall aborted by a
 * bad program pointer (core/syscall.c) can release them. */
void spin_lock(spinlock_t *l)
{
    while (__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
    if (libos_threads_ready) {
        struct libos_thread *t = cur_thread();
        if (t->nheld < MAX_HELD_LOCKS)
            t->held[t->nheld] = l;
        t->nheld++;
    }
}

void spin_unlock(spinlock_t *l)
{
    if (libos_threads_ready) {
        struct libos_thread *t = cur_thread();
        t->nheld--;
    }
    __atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
}

/* libprotobuf-c references these; in the libOS they end the process. */
__attribute__((noreturn)) void __assert_fail(const char *expr, const char *file, unsigned line,
                                             const char *fn)
{
    log_error("internal assertion failed: %s (%s:%u, %s)", expr, file, line, fn);
    libos_exit(134);
}

__attribute__((noreturn)) void __stack_chk_fail(void)
{
    log_error("internal error: stack smashing detected in the libOS");
    libos_exit(134);
}
