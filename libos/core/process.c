/* The process's name (comm) and the place of its argument and environment
 * strings: set by exec (elf/stack.c, sys/exec.c) and prctl, shown by
 * /proc (proc/proc_text.c). */
#include "core/process.h"

struct libos_thread *vfork_child_thread; /* sys/vfork.c sets it */
static char comm[16]; /* the kernel's comm: 15 characters */
static spinlock_t comm_lock;

void proc_set_name(const char *name)
{
    if (!name) {
        const char *slash = strrchr(libos_cfg.exec_path, '/');
        name = slash ? slash + 1 : libos_cfg.exec_path;
    }
    spin_lock(&comm_lock);
    snprintf(comm, sizeof(comm), "%s", name);
    spin_unlock(&comm_lock);
    if (PAL_HAS(pal, process_set_name))
        pal->process_set_name(comm);
}

const char *proc_name(void)
{
    return comm;
}

void proc_name_copy(char out[16])
{
    spin_lock(&comm_lock);
    memcpy(out, comm, sizeof(comm));
    spin_unlock(&comm_lock);
}

static uint64_t args_range[4]; /* arg_start, arg_end, env_start, env_end */

void proc_set_args(uint64_t arg_start, uint64_t arg_end, uint64_t env_start, uint64_t env_end)
{
    args_range[0] = arg_start, args_range[1] = arg_end;
    args_range[2] = env_start, args_range[3] = env_end;
}

uint64_t proc_args(int i)
{
    return args_range[i];
}

/* Children's times the host counted but Linux does not: those of children
 * reaped because SIGCHLD was ignored (wait(2), "NOTES"). */
static int64_t unaccounted[2];
static spinlock_t unaccounted_lock;

long proc_rusage(int who, int64_t t[2])
{
    t[0] = t[1] = 0;
    if (PAL_HAS(pal, rusage_get)) {
        long r = pal->rusage_get(who, t);
        if (r < 0 || who != -1)
            return r;
        spin_lock(&unaccounted_lock);
        for (int i = 0; i < 2; i++)
            t[i] = t[i] > unaccounted[i] ? t[i] - unaccounted[i] : 0;
        spin_unlock(&unaccounted_lock);
        return 0;
    }
    /* Without it: the CPU-time clocks, all of it user time; no children. */
    if (who == -1)
        return 0;
    return PAL_HAS(pal, cpu_clock_get) ? pal->cpu_clock_get(who == 1 ? 0 : -1, &t[0])
                                       : pal->clock_get(who == 1 ? 3 : 2, &t[0]);
}

long proc_wait_unaccounted(long target, int *status, int options)
{
    int64_t before[2] = {0, 0}, after[2] = {0, 0};
    bool counted = PAL_HAS(pal, rusage_get) && pal->rusage_get(-1, before) == 0;
    long r = pal->process_wait(target, status, options);
    if (r > 0 && counted && pal->rusage_get(-1, after) == 0) {
        spin_lock(&unaccounted_lock);
        for (int i = 0; i < 2; i++)
            unaccounted[i] += after[i] - before[i];
        spin_unlock(&unaccounted_lock);
    }
    return r;
}

/* Names of threads other than the main one (PR_SET_NAME in a thread
 * names that thread alone; /proc/PID/comm is the main thread's). A thread
 * starts with its creator's name. An entry of a thread that is gone is
 * taken again when the table is full. */
#define NAMED_THREADS 256
static struct {
    int tid;
    char comm[16];
} thread_names[NAMED_THREADS];
static spinlock_t names_lock;

static int name_slot(int tid, bool add)
{
    int free_slot = -1;
    for (int i = 0; i < NAMED_THREADS; i++) {
        if (thread_names[i].tid == tid)
            return i;
        if (free_slot < 0 && thread_names[i].tid == 0)
            free_slot = i;
    }
    for (int i = 0; add && free_slot < 0 && i < NAMED_THREADS; i++)
        if (!thread_find(thread_names[i].tid))
            free_slot = i;
    return add ? free_slot : -1;
}

void proc_set_thread_name(int tid, const char *name)
{
    if (tid == libos_pid) {
        proc_set_name(name);
        return;
    }
    spin_lock(&names_lock);
    int i = name_slot(tid, true);
    if (i >= 0) {
        thread_names[i].tid = tid;
        snprintf(thread_names[i].comm, sizeof(thread_names[i].comm), "%s", name);
    }
    spin_unlock(&names_lock);
}

void proc_thread_name_copy(int tid, char out[16])
{
    spin_lock(&names_lock);
    int i = tid == libos_pid ? -1 : name_slot(tid, false);
    if (i >= 0)
        memcpy(out, thread_names[i].comm, 16);
    spin_unlock(&names_lock);
    if (i < 0)
        proc_name_copy(out);
}

void proc_thread_started(int creator, int tid)
{
    char name[16];
    proc_thread_name_copy(creator, name);
    proc_set_thread_name(tid, name);
}

void proc_forked(void)
{
    /* The child is the forking thread: its name is the process's. */
    if (cur_thread()->tid != libos_pid) {
        char name[16];
        proc_thread_name_copy(cur_thread()->tid, name);
        proc_set_name(name);
    }
    memset(thread_names, 0, sizeof(thread_names));
    names_lock = (spinlock_t){0};
    unaccounted[0] = unaccounted[1] = 0;
    unaccounted_lock = (spinlock_t){0};
}
