/* System V shared memory: shmget, shmat, shmdt, shmctl (svipc(7),
 * shmget(2), shmop(2), shmctl(2)).
 *
 * Every process of the program sees the same segments, whichever created
 * them and whenever. So the segment table and the segments' pages live in
 * one PAL memfd that the first process creates at start, before any fork,
 * and that every process of the tree inherits, mapped shared: the table at
 * offset 0 (mapped in libOS memory, guarded by a futex lock that works
 * across processes), each segment's pages at an offset of its own after
 * it. A segment's pages are attached with file_map_shared, so stores are
 * seen by every attach at once. Freed extents are reused (zeroed first);
 * the memfd, and with it every segment, ends with the last process of the
 * tree.
 *
 * Attaches are per process (a private list, copied by fork, whose child
 * counts as attached as on Linux) and end at shmdt, munmap of the whole
 * attach, execve and exit. A process killed by a signal does not detach:
 * a segment it held after IPC_RMID then lives until the tree ends.
 *
 * Without a PAL that shares memory (inside an enclave) the table is the
 * process's own, in libOS memory, and so is each segment: the same rule as
 * MAP_SHARED|MAP_ANONYMOUS there (a forked child gets a copy of every
 * segment and of the table, and they stop sharing; fork warns about each
 * writable attach). An enclave page has one address, so a segment lives in
 * its one attach while attached, and in a saved copy (none while all
 * zeros) while not; a second attach of a segment already attached in the
 * process fails with ENOMEM and a warning instead of an unshared copy.
 *
 * Ids: a segment's owner and creator are the euid/egid of the process
 * that made it; shm_perm.mode is kept and reported, not enforced. */
#include <linux/ipc.h>
#include <linux/shm.h>

#include "core/mm.h"
#include "core/vma.h"
#include "fs/vfs.h"
#include "core/creds.h"
#include "sys/sys.h"
#include "sys/sysv_ipc.h"

#define SEGS 1024                /* SHMMNI */
#define POOL_BYTES (64ULL << 30) /* the memfd's (sparse) size: SHMALL */
#define MAX_ATTACH 256           /* per process (SHMSEG) */
#define IPC_64_ 0x0100
#define SHM_DEST_ 01000 /* shm_perm.mode: marked for removal */

enum seg_state { SEG_FREE, SEG_LIVE, SEG_REMOVED };

struct seg {
    int32_t key;
    uint32_t seq, state, mode;
    uint32_t uid, gid, cuid, cgid;
    int32_t cpid, lpid;
    uint64_t size, nattch;
    int64_t off;   /* of its pages in the memfd */
    uint64_t home; /* private: the attach holding its pages (0: none) */
    void *saved;   /* private, not attached: its pages (NULL: all zeros) */
    int64_t atime, dtime, ctime;
};

struct extent {
    int64_t off, len;
};

struct table {
    uint32_t lock; /* 0 free, 1 held, 2 held with waiters */
    uint32_t n_free;
    int64_t next_off; /* bump allocation after the table */
    struct extent free_[SEGS];
    struct seg seg[SEGS];
};

#define TABLE_BYTES ALIGN_UP(sizeof(struct table), PAGE_SIZE)

/* The kernel's struct shmid64_ds on x86-64, as IPC_STAT copies it out. */
struct k_shmid_ds {
    int32_t key;
    uint32_t uid, gid, cuid, cgid, mode;
    uint16_t seq, pad2;
    uint64_t unused1, unused2;
    uint64_t segsz;
    int64_t atime, dtime, ctime;
    int32_t cpid, lpid;
    uint64_t nattch, unused4, unused5;
};
_Static_assert(sizeof(struct k_shmid_ds) == 112, "struct shmid64_ds on x86-64");

struct k_shminfo {
    uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4];
};
struct k_shm_info {
    int32_t used_ids, pad;
    uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

static struct table *tab;
static struct file *pool; /* the memfd, O_RDWR */
static bool priv;         /* no memfd: the table and segments are the process's own */

static struct attach {
    uint64_t addr, len;
    int slot;
} attaches[MAX_ATTACH];
static int n_attach;
static spinlock_t attach_lock;

/* The process's own table, in libOS memory (copied by fork). */
static void init_private(void)
{
    void *p = NULL;
    if (pal->mem_reserve(&p, TABLE_BYTES, 0) < 0)
        return;
    if (pal->mem_commit(p, TABLE_BYTES, PAL_PROT_READ | PAL_PROT_WRITE) < 0) {
        pal->mem_free(p, TABLE_BYTES);
        return;
    }
    priv = true;
    tab = p;
}

void sysv_shm_init(void)
{
    if (!PAL_HAS(pal, memfd_create) || !PAL_HAS(pal, file_map_shared)) {
        init_private();
        return;
    }
    pal_handle h;
    if (pal->memfd_create("geode-sysv-shm", &h) < 0)
        return;
    void *p = NULL;
    if (pal->ftruncate(h, (int64_t)POOL_BYTES) < 0 || pal->mem_reserve(&p, TABLE_BYTES, 0) < 0) {
        pal->close(h);
        return;
    }
    if (pal->file_map_shared(h, p, TABLE_BYTES, 0, PAL_PROT_READ | PAL_PROT_WRITE) < 0 ||
        !(pool = file_new(&host_file_ops, h, 02 /* O_RDWR */))) {
        pal->mem_free(p, TABLE_BYTES);
        pal->close(h);
        return;
    }
    pool->path = strdup("/SYSV00000000 (deleted)");
    tab = p;
    tab->next_off = (int64_t)TABLE_BYTES;
}

/* The table lock: a futex on shared memory, so it holds across processes. */
static void lock(void)
{
    ipc_lock(&tab->lock);
}

static void unlock(void)
{
    ipc_unlock(&tab->lock);
}

static int seg_id(int slot)
{
    return ipc_id(tab->seg[slot].seq, slot);
}

/* The segment of id, live or removed-but-attached; -1 if none. Locked. */
static int find_id(int id)
{
    int slot = ipc_slot(id, SEGS);
    return slot >= 0 && tab->seg[slot].state != SEG_FREE && seg_id(slot) == id ? slot : -1;
}

/* Zeroes pages of the memfd that an earlier segment used. */
static long zero_extent(int64_t off, int64_t len)
{
    void *p = NULL;
    long r = pal->mem_reserve(&p, (size_t)len, 0);
    if (r < 0)
        return r;
    r = pal->file_map_shared(pool->h, p, (size_t)len, off, PAL_PROT_READ | PAL_PROT_WRITE);
    if (r == 0)
        memset(p, 0, (size_t)len);
    pal->mem_free(p, (size_t)len);
    return r;
}

/* Room for len bytes in the memfd: a freed extent (first fit), or new. */
static long alloc_extent(int64_t len, int64_t *off)
{
    for (uint32_t i = 0; i < tab->n_free; i++) {
        struct extent *e = &tab->free_[i];
        if (e->len < len)
            continue;
        *off = e->off;
        long r = zero_extent(e->off, len);
        if (r < 0)
            return r;
        e->off += len, e->len -= len;
        if (e->len == 0)
            *e = tab->free_[--tab->n_free];
        return 0;
    }
    if (tab->next_off + len > (int64_t)POOL_BYTES)
        return -PAL_ENOSPC;
    *off = tab->next_off;
    tab->next_off += len;
    return 0;
}

static void free_seg(int slot)
{
    struct seg *s = &tab->seg[slot];
    int64_t len = (int64_t)ALIGN_UP(s->size, PAGE_SIZE);
    if (priv) {
        if (s->saved)
            pal->mem_free(s->saved, (size_t)len);
        s->saved = NULL;
        s->state = SEG_FREE;
        s->seq++;
        return;
    }
    if (s->off + len == tab->next_off)
        tab->next_off = s->off;
    else if (tab->n_free < SEGS)
        tab->free_[tab->n_free++] = (struct extent){s->off, len};
    s->state = SEG_FREE;
    s->seq++;
}

/* One attach fewer for slot (shmdt, munmap, exit); frees a removed
 * segment with none left. Locked. */
static void detach_locked(int slot)
{
    struct seg *s = &tab->seg[slot];
    s->nattch--;
    s->dtime = ipc_now_s();
    s->lpid = libos_pid;
    if (s->state == SEG_REMOVED && s->nattch == 0)
        free_seg(slot);
}

SYS(shmget)
{
    int32_t key = (int32_t)A(0);
    uint64_t size = A(1);
    int flg = (int)A(2);
    if (!tab)
        return -PAL_ENOSYS;
    lock();
    long r = -PAL_ENOENT;
    int slot = -1;
    for (int i = 0; key != IPC_PRIVATE && i < SEGS && slot < 0; i++)
        if (tab->seg[i].state == SEG_LIVE && tab->seg[i].key == key)
            slot = i;
    if (slot >= 0) {
        if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
            r = -PAL_EEXIST;
        else if (size > tab->seg[slot].size)
            r = -PAL_EINVAL;
        else
            r = seg_id(slot);
    } else if (key == IPC_PRIVATE || (flg & IPC_CREAT)) {
        for (int i = 0; i < SEGS && slot < 0; i++)
            if (tab->seg[i].state == SEG_FREE)
                slot = i;
        int64_t off = 0;
        if (size < 1 || size > POOL_BYTES - TABLE_BYTES)
            r = -PAL_EINVAL;
        else if (slot < 0)
            r = -PAL_ENOSPC;
        else if (!priv)
            r = alloc_extent((int64_t)ALIGN_UP(size, PAGE_SIZE), &off);
        else
            r = 0;
        if (r == 0) {
            struct seg *s = &tab->seg[slot];
            uint32_t seq = s->seq;
            struct creds_ids c;
            creds_ids(&c);
            *s = (struct seg){.key = key,
                              .seq = seq,
                              .state = SEG_LIVE,
                              .mode = (uint32_t)flg & 0777,
                              .uid = c.euid,
                              .gid = c.egid,
                              .cuid = c.euid,
                              .cgid = c.egid,
                              .cpid = libos_pid,
                              .size = size,
                              .off = off,
                              .ctime = ipc_now_s()};
            r = seg_id(slot);
        }
    }
    unlock();
    return r;
}

/* Private: the segment's pages come to the new attach p (reserved, len
 * bytes): its saved copy, or zeros. attach_lock held. */
static long attach_private(int slot, void *p, uint64_t len, struct vma *v)
{
    lock();
    struct seg *s = &tab->seg[slot];
    long r = 0;
    if (s->home) {
        log_warn("shmat: segment %d is attached at %lx already; an enclave page has one address, "
                 "so it cannot be attached twice in one process (ENOMEM)",
                 seg_id(slot), (unsigned long)s->home);
        r = -PAL_ENOMEM;
    }
    if (r == 0)
        r = pal->mem_commit(p, len, PAL_PROT_READ | PAL_PROT_WRITE);
    if (r == 0 && s->saved) {
        memcpy(p, s->saved, len);
        pal->mem_free(s->saved, len);
        s->saved = NULL;
    }
    if (r == 0 && v->prot != (PAL_PROT_READ | PAL_PROT_WRITE))
        r = pal->mem_protect(p, len, v->prot);
    if (r == 0) {
        v->start = (uint64_t)p, v->end = v->start + len;
        r = vma_add(v);
    }
    if (r == 0)
        s->home = (uint64_t)p;
    unlock();
    if (r < 0)
        pal->mem_free(p, len);
    return r;
}

/* Private: the pages of the attach at s->home are saved unless the segment
 * ends with this detach. Locked. */
static void save_private(struct seg *s, uint64_t len)
{
    void *b = NULL;
    if (!(s->state == SEG_REMOVED && s->nattch == 1) && pal->mem_reserve(&b, len, 0) == 0) {
        if (pal->mem_commit(b, len, PAL_PROT_READ | PAL_PROT_WRITE) == 0 &&
            pal->mem_protect((void *)s->home, len, PAL_PROT_READ) == 0) {
            memcpy(b, (void *)s->home, len);
            s->saved = b;
        } else {
            pal->mem_free(b, len);
        }
    }
    s->home = 0;
}

SYS(shmat)
{
    int id = (int)A(0), flg = (int)A(2);
    uint64_t addr = A(1);
    if (!tab)
        return -PAL_ENOSYS;
    if (addr & (PAGE_SIZE - 1)) {
        if (!(flg & SHM_RND))
            return -PAL_EINVAL;
        addr &= ~(uint64_t)(PAGE_SIZE - 1); /* SHMLBA is a page on x86-64 */
    }
    if ((flg & SHM_REMAP) && !addr)
        return -PAL_EINVAL;
    int prot = PAL_PROT_READ | (flg & SHM_RDONLY ? 0 : PAL_PROT_WRITE) |
               (flg & SHM_EXEC ? PAL_PROT_EXEC : 0);
    lock();
    int slot = find_id(id);
    long r = slot < 0 ? -PAL_EINVAL : 0;
    struct vma v = {.prot = prot, .shared = true, .host_shared = !priv, .file = priv ? NULL : pool};
    uint64_t len = 0;
    if (r == 0) {
        len = ALIGN_UP(tab->seg[slot].size, PAGE_SIZE);
        v.off = tab->seg[slot].off;
        tab->seg[slot].nattch++; /* held while the lock is dropped */
    }
    unlock();
    if (r < 0)
        return r;
    spin_lock(&attach_lock);
    r = n_attach < MAX_ATTACH ? 0 : -PAL_EMFILE;
    void *p = (void *)addr;
    if (r == 0) {
        if (addr && (flg & SHM_REMAP))
            vma_remove(addr, len, true);
        r = pal->mem_reserve(&p, len,
                             addr ? PAL_MEM_FIXED | (flg & SHM_REMAP ? 0 : PAL_MEM_NOREPLACE) : 0);
        if (r == -PAL_EEXIST)
            r = -PAL_EINVAL; /* Linux: the range is in use and SHM_REMAP is absent */
    }
    if (r == 0)
        r = priv ? attach_private(slot, p, len, &v) : mm_place(&v, p, len);
    if (r == 0)
        attaches[n_attach++] = (struct attach){(uint64_t)p, len, slot};
    spin_unlock(&attach_lock);
    lock();
    if (r < 0) {
        detach_locked(slot);
    } else {
        tab->seg[slot].atime = ipc_now_s();
        tab->seg[slot].lpid = libos_pid;
    }
    unlock();
    return r < 0 ? r : (long)p;
}

/* Forgets attach i of this process and its mapping. attach_lock held. */
static void drop_attach(int i, bool unmap)
{
    struct attach a = attaches[i];
    attaches[i] = attaches[--n_attach];
    if (priv) {
        lock();
        save_private(&tab->seg[a.slot], a.len);
        unlock();
    }
    if (unmap) {
        vma_remove(a.addr, a.len, false);
        pal->mem_free((void *)a.addr, a.len);
    }
    lock();
    detach_locked(a.slot);
    unlock();
}

SYS(shmdt)
{
    if (!tab)
        return -PAL_ENOSYS;
    spin_lock(&attach_lock);
    long r = -PAL_EINVAL;
    for (int i = 0; i < n_attach && r < 0; i++)
        if (attaches[i].addr == A(0)) {
            drop_attach(i, true);
            r = 0;
        }
    spin_unlock(&attach_lock);
    return r;
}

void sysv_shm_unmapped(uint64_t start, uint64_t len)
{
    if (!tab || !__atomic_load_n(&n_attach, __ATOMIC_RELAXED))
        return;
    spin_lock(&attach_lock);
    for (int i = n_attach - 1; i >= 0; i--)
        if (attaches[i].addr >= start && attaches[i].addr + attaches[i].len <= start + len)
            drop_attach(i, false);
    spin_unlock(&attach_lock);
}

void sysv_shm_detach_all(void)
{
    if (!tab)
        return;
    spin_lock(&attach_lock);
    while (n_attach > 0)
        drop_attach(n_attach - 1, true);
    spin_unlock(&attach_lock);
}

void sysv_shm_forked(void)
{
    if (!tab || !n_attach || priv) /* private: the child's copy counts them already */
        return;
    lock();
    for (int i = 0; i < n_attach; i++)
        tab->seg[attaches[i].slot].nattch++;
    unlock();
}

static void to_k(int slot, struct k_shmid_ds *k)
{
    const struct seg *s = &tab->seg[slot];
    *k = (struct k_shmid_ds){.key = s->key,
                             .uid = s->uid,
                             .gid = s->gid,
                             .cuid = s->cuid,
                             .cgid = s->cgid,
                             .mode = s->mode | (s->state == SEG_REMOVED ? SHM_DEST_ : 0),
                             .seq = (uint16_t)s->seq,
                             .segsz = s->size,
                             .atime = s->atime,
                             .dtime = s->dtime,
                             .ctime = s->ctime,
                             .cpid = s->cpid,
                             .lpid = s->lpid,
                             .nattch = s->nattch};
}

static long shm_info(int cmd, void *buf)
{
    int top = 0, used = 0;
    uint64_t pages = 0;
    lock();
    for (int i = 0; i < SEGS; i++)
        if (tab->seg[i].state != SEG_FREE) {
            top = i, used++;
            pages += ALIGN_UP(tab->seg[i].size, PAGE_SIZE) / PAGE_SIZE;
        }
    unlock();
    if (cmd == IPC_INFO)
        *(struct k_shminfo *)buf = (struct k_shminfo){.shmmax = POOL_BYTES - TABLE_BYTES,
                                                      .shmmin = 1,
                                                      .shmmni = SEGS,
                                                      .shmseg = MAX_ATTACH,
                                                      .shmall = POOL_BYTES / PAGE_SIZE};
    else
        *(struct k_shm_info *)buf =
            (struct k_shm_info){.used_ids = used, .shm_tot = pages, .shm_rss = pages};
    return top;
}

SYS(shmctl)
{
    int id = (int)A(0), cmd = (int)A(1) & ~IPC_64_;
    void *buf = PTR(2);
    if (!tab)
        return -PAL_ENOSYS;
    if (cmd == IPC_INFO || cmd == SHM_INFO)
        return buf ? shm_info(cmd, buf) : -PAL_EFAULT;
    struct k_shmid_ds k;
    if (cmd == IPC_SET) {
        if (!buf)
            return -PAL_EFAULT;
        memcpy(&k, buf, sizeof(k)); /* a bad pointer faults: EFAULT */
    }
    lock();
    int slot = cmd == SHM_STAT || cmd == SHM_STAT_ANY
                   ? (id >= 0 && id < SEGS && tab->seg[id].state != SEG_FREE ? id : -1)
                   : find_id(id);
    long r = slot < 0 ? -PAL_EINVAL : 0;
    if (r == 0) {
        struct seg *s = &tab->seg[slot];
        switch (cmd) {
        case IPC_STAT:
        case SHM_STAT:
        case SHM_STAT_ANY:
            to_k(slot, &k);
            r = cmd == IPC_STAT ? 0 : seg_id(slot);
            break;
        case IPC_SET:
            s->uid = k.uid, s->gid = k.gid, s->mode = (s->mode & ~0777u) | (k.mode & 0777);
            s->ctime = ipc_now_s();
            break;
        case IPC_RMID:
            s->state = SEG_REMOVED;
            s->key = IPC_PRIVATE;
            s->ctime = ipc_now_s();
            if (s->nattch == 0)
                free_seg(slot);
            break;
        case SHM_LOCK:
        case SHM_UNLOCK:
            break; /* no swap to keep the pages from */
        default:
            r = -PAL_EINVAL;
        }
    }
    unlock();
    if (r >= 0 && (cmd == IPC_STAT || cmd == SHM_STAT || cmd == SHM_STAT_ANY)) {
        if (!buf)
            return -PAL_EFAULT;
        memcpy(buf, &k, sizeof(k)); /* after unlock: a bad pointer faults here */
    }
    return r;
}
