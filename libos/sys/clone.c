/* clone for threads (CLONE_VM | CLONE_THREAD): a new PAL thread that
 * resumes the program from the parent's syscall context with rax = 0 on
 * the new stack and TLS. Process creation (fork, vfork, clone without
 * CLONE_VM) is not implemented yet and returns -ENOSYS. */
#include <linux/sched.h>

#include "sys/sys.h"

struct clone_start {
    struct pal_context ctx;
    uint64_t tls;
    bool set_tls;
};

static volatile int next_tid = 2;

/* First libOS code of the new thread, on its libOS stack, GS already set. */
static void clone_thread_start(void *arg)
{
    struct clone_start cs = *(struct clone_start *)arg;
    free(arg);
    if (cs.set_tls && pal->set_fs_base((void *)cs.tls) < 0) {
        log_error("thread %d: cannot set its TLS base", cur_thread()->tid);
        libos_exit(127);
    }
    libos_resume_context(&cs.ctx);
}

static long start_thread(uint64_t flags, struct sc_args *args, struct libos_thread *t)
{
    struct clone_start *cs = malloc(sizeof(*cs));
    if (!cs)
        return -PAL_ENOMEM;
    cs->ctx = *args->ctx;
    cs->ctx.rax = 0;
    if (A(1))
        cs->ctx.rsp = A(1);
    cs->tls = A(4);
    cs->set_tls = flags & CLONE_SETTLS;
    __atomic_add_fetch(&libos_thread_count, 1, __ATOMIC_SEQ_CST);
    long r = pal->thread_create(clone_thread_start, cs, (void *)t->stack_top, t);
    if (r < 0) {
        __atomic_sub_fetch(&libos_thread_count, 1, __ATOMIC_SEQ_CST);
        free(cs);
    }
    return r;
}

SYS(clone)
{
    uint64_t flags = A(0);
    const uint64_t need = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
    if ((flags & need) != need) {
        log_warn("clone with flags %lx (a new process): not implemented yet", (unsigned long)flags);
        return -PAL_ENOSYS;
    }
    int tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_SEQ_CST);
    struct libos_thread *t = thread_new(tid);
    if (!t)
        return -PAL_ENOMEM;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = PTR(3);
    if (flags & CLONE_PARENT_SETTID)
        *(int *)PTR(2) = tid;
    if (flags & CLONE_CHILD_SETTID)
        *(int *)PTR(3) = tid;
    long r = start_thread(flags, args, t);
    return r < 0 ? r : tid;
}

/* clone3 is refused so that libc falls back to clone (glibc does on
 * ENOSYS), which carries the same information. */
SYS(clone3) { return -PAL_ENOSYS; }
SYS(fork) { log_warn("fork: not implemented yet"); return -PAL_ENOSYS; }
SYS(vfork) { log_warn("vfork: not implemented yet"); return -PAL_ENOSYS; }
