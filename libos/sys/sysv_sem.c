/* System V semaphores: semget, semop, semtimedop, semctl (svipc(7),
 * semget(2), semop(2), semctl(2)).
 *
 * The table of sets and their semaphores lives where System V shared
 * memory's does (sysv_shm.c): in one PAL memfd that the first process
 * creates at start and every process of the tree inherits, mapped shared,
 * guarded by a futex lock that works across processes; without a PAL
 * that shares memory (inside an enclave) in the process's own memory,
 * made at the first semget. There a forked child cannot share its
 * parent's sets: they are gone in the child (EINVAL), and fork says so in
 * the log.
 *
 * A semop applies all of its operations or none, in order (Linux's
 * try_atomic_semop). One that cannot proceed waits on its set's futex
 * word, which every change of the set bumps and wakes: semop, SETVAL,
 * SETALL, IPC_RMID (then EIDRM) and the undo at exit. SEM_UNDO
 * adjustments are kept in the table by process id (so SETVAL and SETALL
 * clear them in every process, as Linux does) and applied when the
 * process exits; a forked child starts with none, execve keeps them.
 *
 * Permissions are Linux's ipcperms: the owner's or creator's bits by the
 * effective uid, the group's by the groups, the others' else; root's
 * CAP_IPC_OWNER passes. IPC_SET and IPC_RMID are the owner's, the
 * creator's or CAP_SYS_ADMIN's. */
#include <linux/ipc.h>
#include <linux/sem.h>

#include "core/creds.h"
#include "core/mm.h"
#include "core/signal.h"
#include "core/user.h"
#include "fs/vfs.h"
#include "sys/sys.h"
#include "sys/sysv_ipc.h"

#define SETS 256      /* SEMMNI */
#define SEMS 32000    /* SEMMNS: semaphores in all sets */
#define SEMMSL_ 32000 /* per set (Linux's default) */
#define SEMOPM_ 500   /* operations per semop (Linux's default) */
#define SEMVMX_ 32767 /* largest value */
#define UNDOS 4096    /* SEM_UNDO adjustments in all processes */
#define IPC_64_ 0x0100
#define NSEC 1000000000LL

struct sem {
    int32_t val, pid;
    uint32_t ncnt, zcnt; /* waiting for an increase, for zero */
};

struct set {
    int32_t key;
    uint32_t seq, live;
    struct ipc_owner own;
    int32_t first, nsems; /* its semaphores: pool[first, first + nsems) */
    int64_t otime, ctime;
    uint32_t gen; /* futex word: bumped and woken at every change */
};

struct undo {
    int32_t pid, slot; /* pid 0: a free entry */
    uint32_t seq;
    int32_t num, adj;
};

struct table {
    uint32_t lock; /* 0 free, 1 held, 2 held with waiters */
    struct set set[SETS];
    struct undo undo[UNDOS];
    struct sem pool[SEMS];
};

#define TABLE_BYTES ALIGN_UP(sizeof(struct table), PAGE_SIZE)

/* The kernel's struct semid64_ds and seminfo on x86-64. */
struct k_semid_ds {
    int32_t key;
    uint32_t uid, gid, cuid, cgid, mode;
    uint16_t seq, pad2;
    uint64_t unused1, unused2;
    int64_t otime;
    uint64_t unused3;
    int64_t ctime;
    uint64_t unused4, nsems, unused5, unused6;
};
_Static_assert(sizeof(struct k_semid_ds) == 104, "struct semid64_ds on x86-64");

struct k_seminfo {
    int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

struct k_sembuf {
    uint16_t num;
    int16_t op, flg;
};

struct k_timespec {
    int64_t tv_sec, tv_nsec;
};

static struct table *tab;
static spinlock_t init_lock;
static bool priv; /* the table is the process's own */
/* This process's id once it made a SEM_UNDO operation (0: none; a forked
 * child, whose id differs, has none). */
static int undo_pid;

void sysv_sem_init(void)
{
    tab = ipc_table_shared("geode-sysv-sem", TABLE_BYTES);
}

/* The table, made now when it is the process's own (the first semget
 * inside an enclave); NULL: none. */
static struct table *table(void)
{
    return ipc_table_private((void **)&tab, &init_lock, TABLE_BYTES, &priv);
}

static void lock(void)
{
    ipc_lock(&tab->lock);
}

static void unlock(void)
{
    ipc_unlock(&tab->lock);
}

static int set_id(int slot)
{
    return ipc_id(tab->set[slot].seq, slot);
}

/* The live set of id, or -1. Locked. */
static int find_id(int id)
{
    int slot = ipc_slot(id, SETS);
    return slot >= 0 && tab->set[slot].live && set_id(slot) == id ? slot : -1;
}

/* Waiters see the change (their futex word moved). Locked. */
static void changed(int slot)
{
    ipc_changed(&tab->set[slot].gen);
}

/* Room for n semaphores in the pool: the lowest gap between live sets
 * (first fit), or -1. Locked. */
static int pool_room(int n)
{
    for (int at = 0; at + n <= SEMS;) {
        int next = at;
        for (int i = 0; i < SETS; i++) {
            const struct set *s = &tab->set[i];
            if (s->live && s->first < at + n && s->first + s->nsems > at &&
                s->first + s->nsems > next)
                next = s->first + s->nsems;
        }
        if (next == at)
            return at;
        at = next;
    }
    return -1;
}

/* The adjustments of slot's semaphore num (-1: all) go, in every process. */
static void undo_clear(int slot, int num)
{
    for (int i = 0; i < UNDOS; i++) {
        struct undo *u = &tab->undo[i];
        if (u->pid && u->slot == slot && u->seq == tab->set[slot].seq && (num < 0 || u->num == num))
            u->pid = 0;
    }
}

static long new_set(int32_t key, int nsems, int flg)
{
    int slot = -1, first;
    for (int i = 0; i < SETS && slot < 0; i++)
        if (!tab->set[i].live)
            slot = i;
    if (slot < 0 || (first = pool_room(nsems)) < 0)
        return -PAL_ENOSPC;
    struct creds_ids ids;
    creds_ids(&ids);
    struct set *s = &tab->set[slot];
    memset(&tab->pool[first], 0, (size_t)nsems * sizeof(tab->pool[0]));
    *s = (struct set){.key = key,
                      .seq = s->seq + 1,
                      .live = 1,
                      .own = {ids.euid, ids.egid, ids.euid, ids.egid, (uint32_t)flg & 0777},
                      .first = first,
                      .nsems = nsems,
                      .ctime = ipc_now_s(),
                      .gen = s->gen};
    return set_id(slot);
}

SYS(semget)
{
    int32_t key = (int32_t)A(0);
    int nsems = (int)A(1), flg = (int)A(2);
    if (nsems < 0 || nsems > SEMMSL_)
        return -PAL_EINVAL;
    if (!table())
        return -PAL_ENOSPC;
    lock();
    long r = -PAL_ENOENT;
    int slot = -1;
    for (int i = 0; key != IPC_PRIVATE && i < SETS && slot < 0; i++)
        if (tab->set[i].live && tab->set[i].key == key)
            slot = i;
    if (slot >= 0) {
        const struct set *s = &tab->set[slot];
        if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
            r = -PAL_EEXIST;
        else if (nsems > s->nsems)
            r = -PAL_EINVAL;
        else
            r = ipc_may(&s->own, (uint32_t)((flg >> 6) | (flg >> 3) | flg) & 7) ? -PAL_EACCES
                                                                                : set_id(slot);
    } else if (key == IPC_PRIVATE || (flg & IPC_CREAT)) {
        r = nsems == 0 ? -PAL_EINVAL : new_set(key, nsems, flg);
    }
    unlock();
    return r;
}

/* A SEM_UNDO adjustment of -op for this process. Locked. */
static long undo_add(int slot, int num, int op)
{
    int free_at = -1;
    __atomic_store_n(&undo_pid, libos_pid, __ATOMIC_RELAXED);
    for (int i = 0; i < UNDOS; i++) {
        struct undo *u = &tab->undo[i];
        if (u->pid == libos_pid && u->slot == slot && u->seq == tab->set[slot].seq &&
            u->num == num) {
            u->adj -= op;
            return 0;
        }
        if (!u->pid && free_at < 0)
            free_at = i;
    }
    if (free_at < 0)
        return -PAL_ENOSPC;
    tab->undo[free_at] = (struct undo){libos_pid, slot, tab->set[slot].seq, num, -op};
    return 0;
}

/* Linux's perform_atomic_semop: 0 when every operation went through (in
 * order; values and pids updated), 1 when one must wait (nothing
 * changed; *block is its index), or an error (nothing changed). Locked. */
static long try_ops(int slot, const struct k_sembuf *ops, int n, int *block)
{
    struct sem *pool = &tab->pool[tab->set[slot].first];
    long r = 0;
    int i;
    for (i = 0; i < n && !r; i++) {
        struct sem *m = &pool[ops[i].num];
        int v = m->val + ops[i].op;
        if (ops[i].op == 0 ? m->val != 0 : v < 0)
            r = (ops[i].flg & IPC_NOWAIT) ? -PAL_EAGAIN : 1;
        else if (v > SEMVMX_)
            r = -PAL_ERANGE;
        else
            m->val = v;
        if (r)
            *block = i;
    }
    if (r) { /* back, in reverse */
        for (int k = i - 2; k >= 0; k--)
            pool[ops[k].num].val -= ops[k].op;
        return r;
    }
    for (i = 0; i < n; i++) {
        pool[ops[i].num].pid = libos_pid;
        if ((ops[i].flg & SEM_UNDO) && ops[i].op && undo_add(slot, ops[i].num, ops[i].op) < 0)
            r = -PAL_ENOSPC;
    }
    if (r) { /* no room to undo: not done after all */
        for (int k = n - 1; k >= 0; k--)
            pool[ops[k].num].val -= ops[k].op;
        for (int k = 0; k < UNDOS; k++) /* the entries just added or changed */
            for (int j = 0; j < n; j++)
                if ((ops[j].flg & SEM_UNDO) && tab->undo[k].pid == libos_pid &&
                    tab->undo[k].slot == slot && tab->undo[k].num == ops[j].num)
                    tab->undo[k].adj += ops[j].op;
    }
    return r;
}

/* semop and semtimedop on the copy ops[0, n) of the program's array. */
static long semop_ops(int id, const struct k_sembuf *ops, size_t n, int64_t left)
{
    if (id < 0 || !table())
        return -PAL_EINVAL;
    bool alter = false;
    int maxnum = 0;
    for (size_t i = 0; i < n; i++) {
        alter |= ops[i].op != 0;
        maxnum = ops[i].num > maxnum ? ops[i].num : maxnum;
    }
    lock();
    int slot = find_id(id);
    long r = slot < 0 ? -PAL_EINVAL : maxnum >= tab->set[slot].nsems ? -PAL_EFBIG : 0;
    if (!r)
        r = ipc_may(&tab->set[slot].own, alter ? 2 : 4);
    while (!r) {
        int block = 0;
        r = try_ops(slot, ops, (int)n, &block);
        if (r == 0) {
            tab->set[slot].otime = ipc_now_s();
            if (alter)
                changed(slot);
            break;
        }
        if (r != 1)
            break;
        /* Wait for a change of the set, counted where GETNCNT/GETZCNT look. */
        struct set *s = &tab->set[slot];
        uint32_t seq = s->seq, gen = __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE);
        struct sem *m = &tab->pool[s->first + ops[block].num];
        bool zero = ops[block].op == 0;
        zero ? m->zcnt++ : m->ncnt++;
        unlock();
        r = ipc_wait(&s->gen, gen, &left);
        lock();
        if (!s->live || s->seq != seq) {
            r = -PAL_EIDRM;
            break;
        }
        zero ? m->zcnt-- : m->ncnt--;
    }
    unlock();
    return r;
}

static long semop_common(int id, const struct k_sembuf *user_ops, size_t n,
                         const struct k_timespec *ts)
{
    int64_t left = -1;
    if (n < 1)
        return -PAL_EINVAL;
    if (n > SEMOPM_)
        return -PAL_E2BIG;
    if (ts) {
        struct k_timespec t = *ts; /* a bad pointer faults: EFAULT */
        if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= NSEC)
            return -PAL_EINVAL;
        left = t.tv_sec * NSEC + t.tv_nsec;
    }
    struct k_sembuf ops[SEMOPM_];            /* 3 KiB */
    memcpy(ops, user_ops, n * sizeof(*ops)); /* a bad pointer faults: EFAULT */
    return semop_ops(id, ops, n, left);
}

SYS(semop)
{
    return semop_common((int)A(0), PTR(1), A(2), NULL);
}

SYS(semtimedop)
{
    return semop_common((int)A(0), PTR(1), A(2), PTR(3));
}

static void to_k(int slot, struct k_semid_ds *k)
{
    const struct set *s = &tab->set[slot];
    *k = (struct k_semid_ds){.key = s->key,
                             .uid = s->own.uid,
                             .gid = s->own.gid,
                             .cuid = s->own.cuid,
                             .cgid = s->own.cgid,
                             .mode = s->own.mode,
                             .seq = (uint16_t)s->seq,
                             .otime = s->otime,
                             .ctime = s->ctime,
                             .nsems = (uint64_t)s->nsems};
}

static long sem_info(int cmd, struct k_seminfo *out)
{
    int top = 0, used = 0, sems = 0;
    lock();
    for (int i = 0; i < SETS; i++)
        if (tab->set[i].live)
            top = i, used++, sems += tab->set[i].nsems;
    unlock();
    *out = (struct k_seminfo){.semmap = SEMS,
                              .semmni = SETS,
                              .semmns = SEMS,
                              .semmnu = UNDOS,
                              .semmsl = SEMMSL_,
                              .semopm = SEMOPM_,
                              .semume = SEMOPM_,
                              .semusz = cmd == SEM_INFO ? used : 20,
                              .semvmx = SEMVMX_,
                              .semaem = cmd == SEM_INFO ? sems : SEMVMX_};
    return top;
}

/* The number of semaphores of set id for GETALL and SETALL, whose array
 * the program gives (checked here, outside the table lock: a bad pointer
 * faults here, with nothing held or allocated); 0 for other commands or
 * an unknown id, which semctl then reports. */
static long all_room(int id, int cmd, uint64_t arg)
{
    if (cmd != GETALL && cmd != SETALL)
        return 0;
    lock();
    int slot = find_id(id);
    long n = slot < 0 ? 0 : tab->set[slot].nsems;
    unlock();
    if (n && (cmd == GETALL ? user_check_write((void *)arg, (size_t)n * 2)
                            : user_check_read((const void *)arg, (size_t)n * 2)))
        return -PAL_EFAULT;
    return n;
}

SYS(semctl)
{
    int id = (int)A(0), num = (int)A(1), cmd = (int)A(2) & ~IPC_64_;
    uint64_t arg = A(3);
    if (!table())
        return -PAL_EINVAL;
    long room = all_room(id, cmd, arg);
    if (room < 0)
        return room;
    uint16_t *all_vals = room ? malloc((size_t)room * sizeof(uint16_t)) : NULL;
    if (room && !all_vals)
        return -PAL_ENOMEM;
    if (cmd == SETALL && room)
        memcpy(all_vals, (const void *)arg, (size_t)room * sizeof(uint16_t));
    if (cmd == IPC_INFO || cmd == SEM_INFO) {
        struct k_seminfo info;
        long top = sem_info(cmd, &info);
        memcpy((void *)arg, &info, sizeof(info)); /* a bad pointer faults: EFAULT */
        return top;
    }
    struct k_semid_ds k;
    if (cmd == IPC_SET)
        memcpy(&k, (const void *)arg, sizeof(k));
    lock();
    int slot = cmd == SEM_STAT || cmd == SEM_STAT_ANY
                   ? (id >= 0 && id < SETS && tab->set[id].live ? id : -1)
                   : find_id(id);
    long r = slot < 0 ? -PAL_EINVAL : 0;
    int nsems = slot < 0 ? 0 : tab->set[slot].nsems;
    if (!r && (cmd == GETALL || cmd == SETALL) && nsems != room)
        r = -PAL_EIDRM; /* removed (and made again) meanwhile */
    if (!r) {
        struct set *s = &tab->set[slot];
        struct sem *pool = &tab->pool[s->first];
        switch (cmd) {
        case IPC_STAT:
        case SEM_STAT:
        case SEM_STAT_ANY:
            r = cmd == SEM_STAT_ANY ? 0 : ipc_may(&s->own, 4);
            if (!r)
                to_k(slot, &k);
            r = r ? r : cmd == IPC_STAT ? 0 : set_id(slot);
            break;
        case IPC_SET:
            r = ipc_owns(&s->own);
            if (!r) {
                s->own.uid = k.uid, s->own.gid = k.gid;
                s->own.mode = (s->own.mode & ~0777u) | (k.mode & 0777);
                s->ctime = ipc_now_s();
            }
            break;
        case IPC_RMID:
            r = ipc_owns(&s->own);
            if (!r) {
                undo_clear(slot, -1);
                s->live = 0;
                s->seq++;
                changed(slot);
            }
            break;
        case GETVAL:
        case GETPID:
        case GETNCNT:
        case GETZCNT:
            r = num < 0 || num >= nsems ? -PAL_EINVAL : ipc_may(&s->own, 4);
            if (!r)
                r = cmd == GETVAL    ? pool[num].val
                    : cmd == GETPID  ? pool[num].pid
                    : cmd == GETNCNT ? (long)pool[num].ncnt
                                     : (long)pool[num].zcnt;
            break;
        case GETALL:
            r = ipc_may(&s->own, 4);
            for (int i = 0; !r && i < nsems; i++)
                all_vals[i] = (uint16_t)pool[i].val;
            break;
        case SETVAL:
            r = num < 0 || num >= nsems              ? -PAL_EINVAL
                : (int)arg < 0 || (int)arg > SEMVMX_ ? -PAL_ERANGE
                                                     : 0;
            r = r ? r : ipc_may(&s->own, 2);
            if (!r) {
                pool[num].val = (int)arg;
                pool[num].pid = libos_pid;
                undo_clear(slot, num);
                s->ctime = ipc_now_s();
                changed(slot);
            }
            break;
        case SETALL:
            r = ipc_may(&s->own, 2);
            for (int i = 0; !r && i < nsems; i++)
                if (all_vals[i] > SEMVMX_)
                    r = -PAL_ERANGE;
            for (int i = 0; !r && i < nsems; i++) {
                pool[i].val = all_vals[i];
                pool[i].pid = libos_pid;
            }
            if (!r) {
                undo_clear(slot, -1);
                s->ctime = ipc_now_s();
                changed(slot);
            }
            break;
        default:
            r = -PAL_EINVAL;
        }
    }
    unlock();
    if (r >= 0 && (cmd == IPC_STAT || cmd == SEM_STAT || cmd == SEM_STAT_ANY))
        memcpy((void *)arg, &k, sizeof(k)); /* after unlock: a bad pointer faults here */
    if (r == 0 && cmd == GETALL)
        memcpy((void *)arg, all_vals, (size_t)nsems * sizeof(all_vals[0]));
    free(all_vals);
    return r;
}

/* The process ends: its SEM_UNDO adjustments are applied, each value kept
 * within [0, SEMVMX] (Linux's exit_sem), and waiters woken. */
void sysv_sem_exit(void)
{
    /* Only a process that made a SEM_UNDO operation takes the table's lock
     * here, and once: its end may come from a signal while it is in here
     * already, or while another process of the tree holds the lock. */
    int pid = __atomic_exchange_n(&undo_pid, 0, __ATOMIC_ACQ_REL);
    if (!tab || pid == 0 || pid != libos_pid)
        return;
    lock();
    for (int i = 0; i < UNDOS; i++) {
        struct undo *u = &tab->undo[i];
        if (u->pid != libos_pid)
            continue;
        struct set *s = &tab->set[u->slot];
        if (s->live && s->seq == u->seq && u->num < s->nsems) {
            struct sem *m = &tab->pool[s->first + u->num];
            int v = m->val + u->adj;
            m->val = v < 0 ? 0 : v > SEMVMX_ ? SEMVMX_ : v;
            m->pid = libos_pid;
            changed(u->slot);
        }
        u->pid = 0;
    }
    unlock();
}

/* A forked child: no adjustments of its own (its pid has none). Inside
 * an enclave its table is a copy that no longer shares with the parent's,
 * so the sets it inherited are gone in it (their ids EINVAL, their keys
 * free), which the program sees, rather than semaphores that silently
 * stop synchronizing anything: said in the log once. */
void sysv_sem_forked(void)
{
    if (!tab || !priv)
        return;
    int gone = 0;
    for (int i = 0; i < SETS; i++)
        if (tab->set[i].live) {
            tab->set[i].live = 0;
            tab->set[i].seq++;
            gone++;
        }
    for (int i = 0; i < UNDOS; i++)
        tab->undo[i].pid = 0;
    if (gone)
        log_warn("fork: %d System V semaphore set(s) of the parent are not this child's (an "
                 "enclave shares no memory with another): their ids are invalid here",
                 gone);
}
