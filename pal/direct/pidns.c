/* Direct PAL: the shared pid-namespace table, its lock and id allocation
 * (the design is in pidns.h). */
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "host.h"
#include "pidns.h"

#define NS_SLOTS 4096
#define NS_ID_MAX (1 << 22) /* Linux's largest pid_max */
#define FUTEX_WAITERS_ 0x80000000u
#define FUTEX_OWNER_DIED_ 0x40000000u
#define FUTEX_TID_MASK_ 0x3fffffffu

struct ns_table {
    void *robust_next; /* the lock's robust-list entry: unused but its address */
    uint32_t lock;     /* 0, or the holder's host tid (| WAITERS / OWNER_DIED) */
    int32_t next_id;
    int32_t root_host;
    /* Slots at or past top have never been used: the scans stop there
     * (written under the lock, read with or without it). */
    int32_t top;
    struct ns_entry e[NS_SLOTS];
};

/* The kernel's struct robust_list_head. One static head serves every host
 * thread of every process of the tree (the table and this variable have
 * the same addresses in forked children): its pending entry is the table
 * lock, which the kernel marks OWNER_DIED when the thread whose tid it
 * holds dies. The list itself stays empty. */
static struct {
    void *next;
    long futex_offset;
    void *pending;
} robust_head = {&robust_head, 0, NULL};

static struct ns_table *ns;
static struct ns_entry *self;
static int root_fd = -1;
/* A pipe whose write end only process 1 holds: when it ends, however it
 * ends (SIGKILL too), the pipe hangs up, and every other process of the
 * tree, which watches the read end through its own open file description
 * with O_ASYNC, F_SETOWN itself and F_SETSIG SIGKILL, gets SIGKILL from
 * the kernel, as Linux kills a pid namespace's processes when its init
 * ends. -1 where it could not be made (the tree then lives on until a
 * process signals: pidns_check_root). */
static int death_r = -1, death_w = -1;

struct ns_entry *pidns_self(void) { return self; }
struct ns_entry *pidns_slot(int i) { return &ns->e[i]; }
int pidns_slots(void) { return __atomic_load_n(&ns->top, __ATOMIC_ACQUIRE); }

void pidns_thread_start(void)
{
    if (ns)
        HS2(SYS_set_robust_list, &robust_head, sizeof(robust_head));
}

int pidns_init(void)
{
    long m = HS6(SYS_mmap, 0, sizeof(struct ns_table), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m < 0)
        return (int)m;
    ns = (struct ns_table *)m;
    robust_head.futex_offset = (long)offsetof(struct ns_table, lock);
    robust_head.pending = &ns->robust_next;
    int32_t pid = (int32_t)HS0(SYS_getpid), pgrp = (int32_t)HS1(SYS_getpgid, 0);
    ns->root_host = pid;
    ns->next_id = 2;
    self = &ns->e[0];
    ns->top = 1;
    *self = (struct ns_entry){.kind = NS_PROCESS, .host = pid, .owner = 1,
                              .pgid = pgrp == pid ? 1 : 0,
                              .sid = HS1(SYS_getsid, 0) == pid ? 1 : 0, .hpgid = pgrp};
    __atomic_store_n(&self->id, 1, __ATOMIC_RELEASE);
    long r = HS2(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1);
    if (r == 0)
        r = root_fd = (int)HS2(SYS_pidfd_open, pid, 0);
    if (r < 0)
        return (int)r;
    int death[2];
    if (HS2(SYS_pipe2, death, 0) == 0)
        death_r = death[0], death_w = death[1];
    pidns_thread_start();
    return 0;
}

/* A process other than 1: its own file description of the death pipe's
 * read end, set to SIGKILL this process at the hang-up; already hung up
 * (process 1 ended before this could be set), it ends now. */
static void death_watch(void)
{
    char path[32] = "/proc/self/fd/";
    if (death_w >= 0) { /* inherited: only process 1 may hold it */
        HS1(SYS_close, death_w);
        death_w = -1;
    }
    if (death_r < 0)
        return;
    path[14 + direct_fmt_u32(path + 14, (uint32_t)death_r)] = 0;
    long fd = HS4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_NONBLOCK, 0);
    if (fd < 0)
        return; /* no /proc: the tree lives on as before */
    if (HS3(SYS_fcntl, fd, F_SETOWN, HS0(SYS_getpid)) < 0 ||
        HS3(SYS_fcntl, fd, F_SETSIG, SIGKILL) < 0 ||
        HS3(SYS_fcntl, fd, F_SETFL, O_ASYNC | O_NONBLOCK) < 0 ||
        HS3(SYS_dup3, fd, death_r, 0) != death_r) {
        HS1(SYS_close, fd);
        return;
    }
    HS1(SYS_close, fd);
    struct pollfd p = {.fd = death_r, .events = POLLIN};
    if (HS3(SYS_poll, &p, 1, 0) == 1 && (p.revents & POLLHUP)) {
        HS2(SYS_kill, HS0(SYS_getpid), SIGKILL);
        HS1(SYS_exit_group, 128 + SIGKILL);
    }
}

void pidns_child_start(struct ns_entry *e)
{
    self = e;
    __atomic_store_n(&e->host, (int32_t)HS0(SYS_getpid), __ATOMIC_RELEASE);
    pidns_thread_start();
    death_watch();
}

bool pidns_held(void)
{
    return ns && (__atomic_load_n(&ns->lock, __ATOMIC_RELAXED) & FUTEX_TID_MASK_) ==
                     (uint32_t)HS0(SYS_gettid);
}

bool pidns_lock(void)
{
    uint32_t tid = (uint32_t)HS0(SYS_gettid), waiters = 0;
    for (;;) {
        uint32_t v = __atomic_load_n(&ns->lock, __ATOMIC_ACQUIRE);
        if ((v & FUTEX_TID_MASK_) == tid)
            return false;
        if ((v & FUTEX_TID_MASK_) == 0) {
            /* Free, or its holder died (OWNER_DIED): every change to the
             * table is safe to stop at any store, so take it as it is. */
            if (__atomic_compare_exchange_n(&ns->lock, &v, tid | waiters | (v & FUTEX_WAITERS_),
                                            false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                return true;
            continue;
        }
        /* Once this thread has slept, it keeps WAITERS set when it takes
         * the lock, so that its unlock wakes whoever still sleeps. */
        waiters = FUTEX_WAITERS_;
        if (!(v & FUTEX_WAITERS_) &&
            !__atomic_compare_exchange_n(&ns->lock, &v, v | FUTEX_WAITERS_, false,
                                         __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            continue;
        HS4(SYS_futex, &ns->lock, FUTEX_WAIT, v | FUTEX_WAITERS_, NULL);
    }
}

void pidns_unlock(void)
{
    uint32_t v = __atomic_exchange_n(&ns->lock, 0, __ATOMIC_RELEASE);
    if (v & FUTEX_WAITERS_)
        HS3(SYS_futex, &ns->lock, FUTEX_WAKE, 1);
}

struct ns_entry *pidns_find(int32_t id)
{
    for (int i = 0, n = pidns_slots(); id > 0 && i < n; i++)
        if (ns->e[i].id == id)
            return &ns->e[i];
    return NULL;
}

struct ns_entry *pidns_find_host(int32_t host)
{
    for (int i = 0, n = pidns_slots(); host > 0 && i < n; i++)
        if (ns->e[i].id && ns->e[i].kind == NS_PROCESS && ns->e[i].host == host)
            return &ns->e[i];
    return NULL;
}

/* An id is busy while a process or thread has it, or a live process uses
 * it as its group or session id (Linux does not reuse those either). */
static bool id_busy(int32_t id)
{
    for (int i = 0, n = pidns_slots(); i < n; i++) {
        const struct ns_entry *e = &ns->e[i];
        if (e->id == id || (e->id && e->kind == NS_PROCESS && (e->pgid == id || e->sid == id)))
            return true;
    }
    return false;
}

static int32_t alloc_id(void)
{
    for (int tries = 0; tries < NS_ID_MAX; tries++) {
        int32_t id = ns->next_id;
        ns->next_id = id + 1 >= NS_ID_MAX ? 2 : id + 1;
        if (!id_busy(id))
            return id;
    }
    return 0;
}

struct ns_entry *pidns_new(int kind, int32_t owner)
{
    for (int i = 0; i < NS_SLOTS; i++) {
        struct ns_entry *e = &ns->e[i];
        if (e->id != 0)
            continue;
        int32_t id = alloc_id();
        if (!id)
            return NULL;
        *e = (struct ns_entry){.kind = kind, .owner = kind == NS_PROCESS ? id : owner};
        if (i >= ns->top)
            __atomic_store_n(&ns->top, i + 1, __ATOMIC_RELEASE);
        __atomic_store_n(&e->id, id, __ATOMIC_RELEASE);
        return e;
    }
    return NULL;
}

void pidns_remove(struct ns_entry *e)
{
    int32_t id = e->id;
    __atomic_store_n(&e->id, 0, __ATOMIC_RELEASE);
    if (e->kind != NS_PROCESS)
        return;
    for (int i = 0, n = pidns_slots(); i < n; i++)
        if (ns->e[i].id && ns->e[i].kind == NS_THREAD && ns->e[i].owner == id)
            __atomic_store_n(&ns->e[i].id, 0, __ATOMIC_RELEASE);
}

void pidns_check_root(void)
{
    if (self->id == 1)
        return;
    struct pollfd p = {.fd = root_fd, .events = POLLIN};
    if (HS3(SYS_poll, &p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP | POLLNVAL))) {
        /* The namespace's init has ended: Linux would have killed us. */
        pidns_unlock();
        HS2(SYS_kill, HS0(SYS_getpid), SIGKILL);
        HS1(SYS_exit_group, 128 + SIGKILL);
    }
}

void pidns_root_exit(void)
{
    if (!ns || self->id != 1)
        return;
    bool locked = pidns_lock();
    for (int i = 0, n = pidns_slots(); i < n; i++) {
        const struct ns_entry *e = &ns->e[i];
        if (e->id > 1 && e->kind == NS_PROCESS && e->host > 0)
            HS2(SYS_kill, e->host, SIGKILL);
    }
    if (locked)
        pidns_unlock();
}

bool pidns_host_inside(int32_t host)
{
    if (!ns || host <= 0)
        return false;
    for (int i = 0, n = pidns_slots(); i < n; i++) {
        const struct ns_entry *e = &ns->e[i];
        if (__atomic_load_n(&e->id, __ATOMIC_ACQUIRE) && e->kind == NS_PROCESS &&
            __atomic_load_n(&e->host, __ATOMIC_RELAXED) == host)
            return true;
    }
    return false;
}

int32_t pidns_peek_host(int32_t host)
{
    if (!ns)
        return 0; /* no namespace (yet): no process of it */
    for (int i = 0, n = pidns_slots(); host > 0 && i < n; i++) {
        const struct ns_entry *e = &ns->e[i];
        int32_t id = __atomic_load_n(&e->id, __ATOMIC_ACQUIRE);
        if (id && e->kind == NS_PROCESS && __atomic_load_n(&e->host, __ATOMIC_RELAXED) == host &&
            __atomic_load_n(&e->id, __ATOMIC_ACQUIRE) == id)
            return id;
    }
    return 0;
}

int32_t pidns_id_of_host(int32_t host)
{
    if (host <= 0 || !pidns_self())
        return host;
    pidns_lock();
    const struct ns_entry *e = pidns_find_host(host);
    int32_t id = e ? e->id : 0;
    pidns_unlock();
    return id;
}
