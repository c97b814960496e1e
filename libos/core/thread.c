/* Per-thread libOS state, reached through GS. */
#include "core/process.h"
#include "libos.h"

#define LIBOS_STACK_SIZE (128 * 1024)

volatile int libos_thread_count = 1;
int libos_pid = 1, libos_ppid = 0;
bool libos_threads_ready;

/* Live threads, for signals sent to one of them. */
#define MAX_THREADS 4096
static struct libos_thread *registry[MAX_THREADS];
static spinlock_t registry_lock;

static void thread_register(struct libos_thread *t)
{
    spin_lock(&registry_lock);
    for (int i = 0; i < MAX_THREADS; i++)
        if (!registry[i]) {
            registry[i] = t;
            break;
        }
    spin_unlock(&registry_lock);
}

/* The registered thread with id tid, or NULL; under registry_lock. */
static struct libos_thread *find_locked(int tid)
{
    for (int i = 0; i < MAX_THREADS; i++)
        if (registry[i] && registry[i]->tid == tid)
            return registry[i];
    return NULL;
}

struct libos_thread *thread_find(int tid)
{
    spin_lock(&registry_lock);
    struct libos_thread *found = find_locked(tid);
    spin_unlock(&registry_lock);
    return found;
}

/* Read under the lock: the thread cannot exit and be freed meanwhile. */
bool thread_blocks(int tid, int sig)
{
    spin_lock(&registry_lock);
    const struct libos_thread *t = find_locked(tid);
    bool blocks = t && (__atomic_load_n(&t->sigmask, __ATOMIC_SEQ_CST) & (1ULL << (sig - 1)));
    spin_unlock(&registry_lock);
    return blocks;
}

long thread_taker(int sig, const struct libos_thread *except)
{
    uint64_t bit = 1ULL << (sig - 1);
    long tid = 0;
    spin_lock(&registry_lock);
    for (int i = 0; i < MAX_THREADS && !tid; i++) {
        const struct libos_thread *t = registry[i];
        if (t && t != except && t->host_tid > 0 && t != vfork_child_thread &&
            (!(__atomic_load_n(&t->sigmask, __ATOMIC_SEQ_CST) & bit) ||
             (__atomic_load_n(&t->sigwait, __ATOMIC_SEQ_CST) & bit)))
            tid = t->host_tid;
    }
    spin_unlock(&registry_lock);
    return tid;
}

int thread_wake_others(uint64_t pending_bit)
{
    struct libos_thread *self = cur_thread();
    long tids[64];
    int n = 0, others = 0;
    spin_lock(&registry_lock);
    for (int i = 0; i < MAX_THREADS; i++) {
        struct libos_thread *t = registry[i];
        if (!t || t == self)
            continue;
        others++;
        __atomic_or_fetch(&t->pending, pending_bit, __ATOMIC_SEQ_CST);
        if (t->host_tid > 0 && n < (int)ARRAY_LEN(tids))
            tids[n++] = t->host_tid;
    }
    spin_unlock(&registry_lock);
    for (int i = 0; PAL_HAS(pal, thread_wake) && i < n; i++)
        pal->thread_wake(tids[i]);
    return others;
}

void thread_forget(struct libos_thread *t)
{
    spin_lock(&registry_lock);
    for (int i = 0; i < MAX_THREADS; i++)
        if (registry[i] == t)
            registry[i] = NULL;
    spin_unlock(&registry_lock);
}

/* l is one of the calling thread's own. */
static bool held_by(const struct libos_thread *t, const void *l)
{
    for (int i = 0; i < t->nheld && i < MAX_HELD_LOCKS; i++)
        if (t->held[i] == l)
            return true;
    return false;
}

void thread_forget_others(void)
{
    struct libos_thread *self = cur_thread();
    /* The child runs only this thread: the registry is read unlocked (its
     * lock may be one of those released here). A lock is remembered from
     * before it is taken to after it is freed, so one released here was
     * held, wanted or just freed by a thread the child does not have. */
    for (int i = 0; i < MAX_THREADS; i++) {
        const struct libos_thread *t = registry[i];
        if (!t || t == self)
            continue;
        for (int j = 0; j < t->nheld && j < MAX_HELD_LOCKS; j++) {
            spinlock_t *l = t->held[j];
            int taken = 1;
            if (!held_by(self, l)) /* only a word that says taken is changed */
                __atomic_compare_exchange_n(&l->v, &taken, 0, false, __ATOMIC_RELEASE,
                                            __ATOMIC_RELAXED);
        }
    }
    spin_lock(&registry_lock);
    for (int i = 0; i < MAX_THREADS; i++)
        if (registry[i] != self)
            registry[i] = NULL;
    spin_unlock(&registry_lock);
}

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
    thread_register(t);
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
