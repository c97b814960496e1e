/* Per-thread libOS state, reached through GS. */
#include "libos.h"

#define LIBOS_STACK_SIZE (128 * 1024)

volatile int libos_thread_count = 1;
int libos_pid = 1, libos_ppid = 0;
bool libos_threads_ready;

struct libos_thread *thread_new(int tid)
{
    struct libos_thread *t = calloc(1, sizeof(*t));
    char *stack = malloc(LIBOS_STACK_SIZE);
    if (!t || !stack) {
        log_error("out of memory creating the state of thread %d", tid);
        return NULL;
    }
    t->self = t;
    t->stack_top = ALIGN_DOWN((uint64_t)stack + LIBOS_STACK_SIZE, 16);
    t->tid = tid;
    return t;
}

struct libos_thread *thread_init_current(int tid)
{
    struct libos_thread *t = thread_new(tid);
    if (t && pal->set_gs_base(t) < 0) {
        log_error("the PAL cannot set GS for thread %d", tid);
        return NULL;
    }
    libos_threads_ready = t != NULL;
    return t;
}
