/* uRTS: the program's processes (urts_procs.h). The namespace and every
 * call on it are the direct PAL's (pal/direct/pidns.c, pal_proc.c,
 * pal_pgrp.c, pal_procinfo.c): raw host syscalls usable from any host
 * thread. What differs from direct mode is only which host signals reach
 * the program (urts_signal.c's set) and the absence of SUD. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "pidns.h"
#include "urts_procs.h"
#include "urts_signal.h"

static struct pal_api direct;
static __thread bool thread_known;

void urts_procs_thread(void)
{
    if (thread_known || !pidns_self())
        return;
    /* The namespace lock is a robust futex: a host thread that dies while
     * it holds it must release it. The kernel knows one robust list per
     * thread; glibc's (robust pthread mutexes) is not used by the host. */
    pidns_thread_start();
    thread_known = true;
}

int urts_procs_init(void)
{
    struct pal_api d = {0};
    int r;

    urts_wake_flag_install(); /* before the direct PAL's calls below can run */
    urts_rusage_children_mark();
    direct_own_process_group();
    r = pidns_init();
    if (r) {
        fprintf(stderr, "geode run: cannot create the program's pid namespace: %s\n", strerror(-r));
        return r;
    }
    thread_known = true;
    direct_proc_use_forwarded(urts_signal_forwarded);
    direct_fill_proc(&d);
    direct_fill_file(&d); /* process_set_pdeathsig */
    direct_fill_signal(&d); /* process_stop, signal_host_ignore, signal_host_block */
    /* Only the calls the enclave is served; process_create/fork stay the
     * enclave host's own. */
    direct.process_wait = d.process_wait;
    direct.process_signal = d.process_signal;
    direct.process_id = d.process_id;
    direct.process_parent = d.process_parent;
    direct.process_setpgid = d.process_setpgid;
    direct.process_getpgid = d.process_getpgid;
    direct.process_setsid = d.process_setsid;
    direct.process_getsid = d.process_getsid;
    direct.thread_id_alloc = d.thread_id_alloc;
    direct.thread_id_free = d.thread_id_free;
    direct.id_owner = d.id_owner;
    direct.process_open = d.process_open;
    direct.process_info = d.process_info;
    direct.process_list = d.process_list;
    direct.process_set_name = d.process_set_name;
    direct.process_set_pdeathsig = d.process_set_pdeathsig;
    direct.process_sched = d.process_sched;
    direct.process_set_subreaper = d.process_set_subreaper;
    direct.thread_affinity = d.thread_affinity;
    direct.process_sigqueue = d.process_sigqueue;
    direct.set_fs_ids = d.set_fs_ids;
    direct.process_stop = d.process_stop;
    direct.signal_host_ignore = d.signal_host_ignore;
    direct.signal_host_block = d.signal_host_block;
    return 0;
}

const struct pal_api *urts_procs_api(void)
{
    return &direct;
}

void urts_procs_restart(void)
{
    struct ns_entry *me = pidns_self();

    if (!me)
        return;
    urts_procs_thread();
    bool locked = pidns_lock();
    for (int i = 0; i < pidns_slots(); i++) {
        struct ns_entry *t = pidns_slot(i);

        if (t->id && t->kind == NS_THREAD && t->owner == me->id)
            pidns_remove(t);
    }
    if (locked)
        pidns_unlock();
}

void urts_procs_exit(void)
{
    if (!pidns_self())
        return;
    urts_procs_thread();
    pidns_root_exit();
}

/* A host fork of this geode process, as direct_process_fork makes one:
 * the child's id is taken before the fork so that the child knows it at
 * once, and host signals wait until it does (one arriving before would be
 * judged by the parent's id: process 1 ignores some). The synchronous
 * faults stay unblocked (the sim needs them). */
struct urts_fork_id {
    struct ns_entry *e;
    sigset_t old;
};

long urts_procs_fork_begin(struct urts_fork_id **out)
{
    struct urts_fork_id *f;
    struct ns_entry *e;
    const struct ns_entry *me = pidns_self();
    sigset_t all;

    *out = NULL;
    if (!me)
        return -ENOSYS;
    f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    urts_procs_thread();
    pidns_lock();
    e = pidns_new(NS_PROCESS, 0);
    if (e)
        e->pgid = me->pgid, e->sid = me->sid, e->hpgid = me->hpgid;
    pidns_unlock();
    if (!e) {
        free(f);
        return -EAGAIN;
    }
    f->e = e;
    sigfillset(&all);
    static const int faults[] = {SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
    for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
        sigdelset(&all, faults[i]);
    pthread_sigmask(SIG_BLOCK, &all, &f->old);
    *out = f;
    return 0;
}

int urts_procs_adopt_self(void)
{
    struct ns_entry *e;

    urts_procs_thread();
    pidns_lock();
    e = pidns_find_host(getpid());
    pidns_unlock();
    if (!e || e->kind != NS_PROCESS)
        return -ESRCH;
    urts_rusage_children_mark();
    pidns_child_start(e);
    thread_known = true;
    return 0;
}

void urts_procs_fork_child(struct urts_fork_id *f)
{
    urts_rusage_children_mark(); /* (the kernel starts a child's at 0) */
    pidns_child_start(f->e);
    thread_known = true;
    pthread_sigmask(SIG_SETMASK, &f->old, NULL);
    free(f);
}

long urts_procs_fork_end(struct urts_fork_id *f, pid_t host_pid)
{
    struct ns_entry *e = f->e;
    /* fork()'s own -1: its errno (fork never fails with EPERM). */
    long r = host_pid == -1 ? (errno ? -errno : -EAGAIN) : host_pid < 0 ? (long)host_pid : -EAGAIN;

    pthread_sigmask(SIG_SETMASK, &f->old, NULL);
    free(f);
    if (host_pid > 0) {
        __atomic_store_n(&e->host, (int32_t)host_pid, __ATOMIC_RELEASE);
        return e->id;
    }
    pidns_lock();
    pidns_remove(e);
    pidns_unlock();
    return r;
}
