/* System V message queues: msgget, msgsnd, msgrcv, msgctl (svipc(7),
 * msgget(2), msgop(2), msgctl(2)).
 *
 * The table (queues, message records and the blocks their text is kept
 * in) lives as System V semaphores' does (sysv_sem.c): one PAL memfd the
 * first process maps shared and the tree inherits, or, inside an enclave,
 * the process's own memory from the first msgget, where a forked child's
 * inherited queue ids are invalid (EINVAL, with a warning) rather than
 * queues that silently stop carrying anything between the two.
 *
 * A queue holds at most msg_qbytes bytes and as many messages (Linux's
 * rule); a sender waits for room and a receiver for a message on the
 * queue's futex word, which every change bumps and wakes. Texts are kept
 * in blocks of BLOCK bytes chained from the message's record. */
#include <linux/ipc.h>
#include <linux/msg.h>

#include "core/creds.h"
#include "core/mm.h"
#include "core/signal.h"
#include "core/user.h"
#include "sys/sys.h"
#include "sys/sysv_ipc.h"

#define QUEUES 256    /* MSGMNI */
#define MSGMAX_ 8192  /* largest text (Linux's default) */
#define MSGMNB_ 16384 /* a queue's default msg_qbytes */
#define RECORDS 16384 /* messages in all queues */
#define BLOCK 256     /* bytes of text per block */
#define BLOCKS 16384  /* 4 MiB of text in all */
#define IPC_64_ 0x0100
#define MSG_COPY_ 040000
#define CAP_SYS_RESOURCE_ 24
#define NSEC 1000000000LL

struct record {
    int32_t next, first_block; /* -1: none */
    int64_t mtype;
    uint32_t size;
};

struct queue {
    int32_t key;
    uint32_t seq, live;
    struct ipc_owner own;
    int32_t head, tail; /* records, oldest first; -1: empty */
    uint64_t cbytes, qnum, qbytes;
    int32_t lspid, lrpid;
    int64_t stime, rtime, ctime;
    uint32_t gen; /* futex word: bumped and woken at every change */
};

struct table {
    uint32_t lock;
    int32_t free_record, free_block; /* chains of free ones; -1: none */
    uint32_t ready;
    struct queue q[QUEUES];
    struct record rec[RECORDS];
    int32_t block_next[BLOCKS];
    uint8_t text[BLOCKS][BLOCK];
};

#define TABLE_BYTES ALIGN_UP(sizeof(struct table), PAGE_SIZE)

/* The kernel's struct msqid64_ds and msginfo on x86-64. */
struct k_msqid_ds {
    int32_t key;
    uint32_t uid, gid, cuid, cgid, mode;
    uint16_t seq, pad2;
    uint64_t unused1, unused2;
    int64_t stime, rtime, ctime;
    uint64_t cbytes, qnum, qbytes;
    int32_t lspid, lrpid;
    uint64_t unused4, unused5;
};
_Static_assert(sizeof(struct k_msqid_ds) == 120, "struct msqid64_ds on x86-64");

struct k_msginfo {
    int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
    uint16_t msgseg;
};

static struct table *tab;
static bool priv; /* the table is the process's own */
static spinlock_t init_lock;

/* Free chains made once: every record and block free. Locked. */
static void table_ready(void)
{
    if (tab->ready)
        return;
    for (int i = 0; i < RECORDS; i++)
        tab->rec[i].next = i + 1 < RECORDS ? i + 1 : -1;
    for (int i = 0; i < BLOCKS; i++)
        tab->block_next[i] = i + 1 < BLOCKS ? i + 1 : -1;
    tab->free_record = tab->free_block = 0;
    tab->ready = 1;
}

void sysv_msg_init(void)
{
    tab = ipc_table_shared("geode-sysv-msg", TABLE_BYTES);
}

/* The table, made now when it is the process's own (the first msgget
 * inside an enclave); NULL: none. */
static struct table *table(void)
{
    return ipc_table_private((void **)&tab, &init_lock, TABLE_BYTES, &priv);
}

static void lock(void)
{
    ipc_lock(&tab->lock);
    table_ready();
}

static void unlock(void)
{
    ipc_unlock(&tab->lock);
}

static int q_id(int slot)
{
    return ipc_id(tab->q[slot].seq, slot);
}

/* The live queue of id, or -1. Locked. */
static int find_id(int id)
{
    int slot = ipc_slot(id, QUEUES);
    return slot >= 0 && tab->q[slot].live && q_id(slot) == id ? slot : -1;
}

/* Waiters see the change. Locked. */
static void changed(int slot)
{
    ipc_changed(&tab->q[slot].gen);
}

/* Waits for a change of q, unlocked meanwhile: -EIDRM when it was
 * removed, -EINTR with a signal pending, 0: look again. Locked. */
static long await_change(struct queue *q)
{
    uint32_t seq = q->seq, gen = __atomic_load_n(&q->gen, __ATOMIC_ACQUIRE);
    unlock();
    long r = ipc_wait(&q->gen, gen, NULL);
    lock();
    return !q->live || q->seq != seq ? -PAL_EIDRM : r;
}

/* Record r and its blocks go back to the free chains. Locked. */
static void free_record(int r)
{
    for (int b = tab->rec[r].first_block; b >= 0;) {
        int next = tab->block_next[b];
        tab->block_next[b] = tab->free_block;
        tab->free_block = b;
        b = next;
    }
    tab->rec[r].next = tab->free_record;
    tab->free_record = r;
}

/* A record holding text[0, size) with mtype, or -1 (no room). Locked. */
static int new_record(const uint8_t *text, size_t size, int64_t mtype)
{
    size_t need = (size + BLOCK - 1) / BLOCK;
    int r = tab->free_record, first = -1, *link = &first;
    size_t got = 0;
    for (int b = tab->free_block; b >= 0 && got < need; b = tab->block_next[b])
        got++;
    if (r < 0 || got < need)
        return -1;
    tab->free_record = tab->rec[r].next;
    for (size_t i = 0; i < need; i++) {
        int b = tab->free_block;
        tab->free_block = tab->block_next[b];
        size_t n = size - i * BLOCK < BLOCK ? size - i * BLOCK : BLOCK;
        memcpy(tab->text[b], text + i * BLOCK, n);
        *link = b;
        link = &tab->block_next[b];
    }
    *link = -1;
    tab->rec[r] =
        (struct record){.next = -1, .first_block = first, .mtype = mtype, .size = (uint32_t)size};
    return r;
}

static void record_text(int r, uint8_t *out, size_t n)
{
    size_t at = 0;
    for (int b = tab->rec[r].first_block; b >= 0 && at < n; b = tab->block_next[b]) {
        size_t k = n - at < BLOCK ? n - at : BLOCK;
        memcpy(out + at, tab->text[b], k);
        at += k;
    }
}

static void drop_queue(int slot)
{
    struct queue *q = &tab->q[slot];
    for (int r = q->head; r >= 0;) {
        int next = tab->rec[r].next;
        free_record(r);
        r = next;
    }
    q->head = q->tail = -1;
    q->live = 0;
    q->seq++;
    changed(slot);
}

SYS(msgget)
{
    int32_t key = (int32_t)A(0);
    int flg = (int)A(1);
    if (!table())
        return -PAL_ENOSPC;
    lock();
    long r = -PAL_ENOENT;
    int slot = -1;
    for (int i = 0; key != IPC_PRIVATE && i < QUEUES && slot < 0; i++)
        if (tab->q[i].live && tab->q[i].key == key)
            slot = i;
    if (slot >= 0) {
        if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
            r = -PAL_EEXIST;
        else
            r = ipc_may(&tab->q[slot].own, (uint32_t)((flg >> 6) | (flg >> 3) | flg) & 7)
                    ? -PAL_EACCES
                    : q_id(slot);
    } else if (key == IPC_PRIVATE || (flg & IPC_CREAT)) {
        for (int i = 0; i < QUEUES && slot < 0; i++)
            if (!tab->q[i].live)
                slot = i;
        r = -PAL_ENOSPC;
        if (slot >= 0) {
            struct creds_ids ids;
            creds_ids(&ids);
            struct queue *q = &tab->q[slot];
            *q = (struct queue){
                .key = key,
                .seq = q->seq + 1,
                .live = 1,
                .own = {ids.euid, ids.egid, ids.euid, ids.egid, (uint32_t)flg & 0777},
                .head = -1,
                .tail = -1,
                .qbytes = MSGMNB_,
                .ctime = ipc_now_s(),
                .gen = q->gen};
            r = q_id(slot);
        }
    }
    unlock();
    return r;
}

SYS(msgsnd)
{
    int id = (int)A(0), flg = (int)A(3);
    const uint8_t *msgp = PTR(1);
    size_t size = A(2);
    if (size > MSGMAX_ || id < 0)
        return -PAL_EINVAL;
    int64_t mtype;
    memcpy(&mtype, msgp, sizeof(mtype)); /* a bad pointer faults: EFAULT */
    if (mtype < 1)
        return -PAL_EINVAL;
    uint8_t *text = malloc(size ? size : 1);
    if (!text)
        return -PAL_ENOMEM;
    if (user_check_read(msgp + sizeof(mtype), size) < 0) {
        free(text);
        return -PAL_EFAULT;
    }
    memcpy(text, msgp + sizeof(mtype), size);
    if (!table()) {
        free(text);
        return -PAL_EINVAL;
    }
    lock();
    int slot = find_id(id);
    long r = slot < 0 ? -PAL_EINVAL : ipc_may(&tab->q[slot].own, 2);
    while (!r) {
        struct queue *q = &tab->q[slot];
        int rec = -1;
        if (q->cbytes + size <= q->qbytes && q->qnum + 1 <= q->qbytes)
            rec = new_record(text, size, mtype);
        if (rec >= 0) {
            if (q->tail >= 0)
                tab->rec[q->tail].next = rec;
            else
                q->head = rec;
            q->tail = rec;
            q->cbytes += size, q->qnum++;
            q->lspid = libos_pid, q->stime = ipc_now_s();
            changed(slot);
            break;
        }
        if (flg & IPC_NOWAIT) {
            r = -PAL_EAGAIN;
            break;
        }
        r = await_change(q);
    }
    unlock();
    free(text);
    return r;
}

/* The record msgrcv takes for msgtyp (and MSG_EXCEPT), *prev the one
 * before it; -1: none. Locked. */
static int pick(const struct queue *q, int64_t msgtyp, bool except, int *prev)
{
    int best = -1, best_prev = -1;
    for (int r = q->head, p = -1; r >= 0; p = r, r = tab->rec[r].next) {
        int64_t t = tab->rec[r].mtype;
        bool take = msgtyp == 0  ? true
                    : msgtyp > 0 ? (except ? t != msgtyp : t == msgtyp)
                                 : t <= -msgtyp && (best < 0 || t < tab->rec[best].mtype);
        if (!take)
            continue;
        best = r, best_prev = p;
        if (msgtyp >= 0)
            break;
    }
    *prev = best_prev;
    return best;
}

SYS(msgrcv)
{
    int id = (int)A(0), flg = (int)A(4);
    uint8_t *msgp = PTR(1);
    size_t cap = A(2);
    int64_t msgtyp = (int64_t)A(3);
    if ((int64_t)cap < 0 || id < 0)
        return -PAL_EINVAL;
    if ((flg & MSG_COPY_) && (!(flg & IPC_NOWAIT) || (flg & MSG_EXCEPT)))
        return -PAL_EINVAL;
    if (user_check_write(msgp, sizeof(int64_t) + cap) < 0)
        return -PAL_EFAULT;
    uint8_t *text = malloc(cap ? cap : 1);
    if (!text)
        return -PAL_ENOMEM;
    if (!table()) {
        free(text);
        return -PAL_EINVAL;
    }
    int64_t mtype = 0;
    lock();
    int slot = find_id(id);
    long r = slot < 0 ? -PAL_EINVAL : ipc_may(&tab->q[slot].own, 4);
    bool done = false;
    while (!r && !done) {
        struct queue *q = &tab->q[slot];
        int prev = -1, rec = -1;
        if (flg & MSG_COPY_) { /* msgtyp is the index of the message to copy */
            rec = q->head;
            for (int64_t i = 0; rec >= 0 && i < msgtyp; i++)
                rec = tab->rec[rec].next;
            if (msgtyp < 0)
                rec = -1;
        } else {
            rec = pick(q, msgtyp, flg & MSG_EXCEPT, &prev);
        }
        if (rec >= 0) {
            size_t size = tab->rec[rec].size;
            if (size > cap && !(flg & MSG_NOERROR)) {
                r = -PAL_E2BIG;
                break;
            }
            size_t n = size < cap ? size : cap;
            record_text(rec, text, n);
            mtype = tab->rec[rec].mtype;
            r = (long)n;
            done = true;
            if (!(flg & MSG_COPY_)) {
                if (prev >= 0)
                    tab->rec[prev].next = tab->rec[rec].next;
                else
                    q->head = tab->rec[rec].next;
                if (q->tail == rec)
                    q->tail = prev;
                q->cbytes -= size, q->qnum--;
                q->lrpid = libos_pid, q->rtime = ipc_now_s();
                free_record(rec);
                changed(slot);
            }
            break;
        }
        if (flg & IPC_NOWAIT) {
            r = -PAL_ENOMSG;
            break;
        }
        r = await_change(q);
    }
    unlock();
    if (done) { /* after unlock: checked writable above */
        memcpy(msgp, &mtype, sizeof(mtype));
        memcpy(msgp + sizeof(mtype), text, (size_t)r);
    }
    free(text);
    return r;
}

static void to_k(int slot, struct k_msqid_ds *k)
{
    const struct queue *q = &tab->q[slot];
    *k = (struct k_msqid_ds){.key = q->key,
                             .uid = q->own.uid,
                             .gid = q->own.gid,
                             .cuid = q->own.cuid,
                             .cgid = q->own.cgid,
                             .mode = q->own.mode,
                             .seq = (uint16_t)q->seq,
                             .stime = q->stime,
                             .rtime = q->rtime,
                             .ctime = q->ctime,
                             .cbytes = q->cbytes,
                             .qnum = q->qnum,
                             .qbytes = q->qbytes,
                             .lspid = q->lspid,
                             .lrpid = q->lrpid};
}

SYS(msgctl)
{
    int id = (int)A(0), cmd = (int)A(1) & ~IPC_64_;
    void *buf = PTR(2);
    if (!table())
        return -PAL_EINVAL;
    if (cmd == IPC_INFO || cmd == MSG_INFO) {
        int top = 0, used = 0, msgs = 0, bytes = 0;
        lock();
        for (int i = 0; i < QUEUES; i++)
            if (tab->q[i].live) {
                top = i, used++;
                msgs += (int)tab->q[i].qnum, bytes += (int)tab->q[i].cbytes;
            }
        unlock();
        struct k_msginfo info = {.msgpool = cmd == MSG_INFO ? used : BLOCKS * BLOCK / 1024,
                                 .msgmap = cmd == MSG_INFO ? msgs : RECORDS,
                                 .msgmax = MSGMAX_,
                                 .msgmnb = MSGMNB_,
                                 .msgmni = QUEUES,
                                 .msgssz = BLOCK,
                                 .msgtql = cmd == MSG_INFO ? bytes : RECORDS,
                                 .msgseg = (uint16_t)(BLOCKS > 0xffff ? 0xffff : BLOCKS)};
        memcpy(buf, &info, sizeof(info)); /* a bad pointer faults: EFAULT */
        return top;
    }
    struct k_msqid_ds k;
    if (cmd == IPC_SET)
        memcpy(&k, buf, sizeof(k)); /* a bad pointer faults: EFAULT */
    lock();
    int slot = cmd == MSG_STAT || cmd == MSG_STAT_ANY
                   ? (id >= 0 && id < QUEUES && tab->q[id].live ? id : -1)
                   : find_id(id);
    long r = slot < 0 ? -PAL_EINVAL : 0;
    if (!r) {
        struct queue *q = &tab->q[slot];
        switch (cmd) {
        case IPC_STAT:
        case MSG_STAT:
        case MSG_STAT_ANY:
            r = cmd == MSG_STAT_ANY ? 0 : ipc_may(&q->own, 4);
            if (!r)
                to_k(slot, &k);
            r = r ? r : cmd == IPC_STAT ? 0 : q_id(slot);
            break;
        case IPC_SET: {
            r = ipc_owns(&q->own);
            struct creds *c = creds_locked();
            bool raise_ok = creds_capable(c, CAP_SYS_RESOURCE_);
            creds_unlock();
            if (!r && k.qbytes > MSGMNB_ && k.qbytes > q->qbytes && !raise_ok)
                r = -PAL_EPERM;
            if (!r) {
                q->own.uid = k.uid, q->own.gid = k.gid;
                q->own.mode = (q->own.mode & ~0777u) | (k.mode & 0777);
                q->qbytes = k.qbytes;
                q->ctime = ipc_now_s();
                changed(slot); /* senders may fit now */
            }
            break;
        }
        case IPC_RMID:
            r = ipc_owns(&q->own);
            if (!r)
                drop_queue(slot);
            break;
        default:
            r = -PAL_EINVAL;
        }
    }
    unlock();
    if (r >= 0 && (cmd == IPC_STAT || cmd == MSG_STAT || cmd == MSG_STAT_ANY))
        memcpy(buf, &k, sizeof(k)); /* after unlock: a bad pointer faults here */
    return r;
}

/* A forked child inside an enclave: the queues it inherited are not its
 * own (sysv_sem_forked's rule). */
void sysv_msg_forked(void)
{
    if (!tab || !priv)
        return;
    int gone = 0;
    for (int i = 0; i < QUEUES; i++)
        if (tab->q[i].live) {
            drop_queue(i);
            gone++;
        }
    if (gone)
        log_warn("fork: %d System V message queue(s) of the parent are not this child's (an "
                 "enclave shares no memory with another): their ids are invalid here",
                 gone);
}
