/* The libOS heap: power-of-two size classes carved from 1 MiB arenas that
 * come from the PAL; blocks above 64 KiB get their own PAL mapping. Every
 * block has a 16-byte header holding its class (or mapping size). */
#include "lib/lib.h"

#define MIN_SHIFT 4
#define MAX_SHIFT 16
#define ARENA_SIZE (1UL << 20)
#define BIG_TAG 0xff

struct header {
    uint64_t size;  /* class shift, or total mapping size for big blocks */
    uint64_t big;   /* 1 for a dedicated mapping */
};

struct free_block {
    struct free_block *next;
};

static struct free_block *free_lists[MAX_SHIFT + 1];
static char *arena_cur, *arena_end;
static spinlock_t heap_lock;

static void *pal_alloc_pages(size_t size)
{
    void *addr = NULL;
    if (pal->mem_reserve(&addr, size, 0) < 0)
        return NULL;
    if (pal->mem_commit(addr, size, PAL_PROT_READ | PAL_PROT_WRITE) < 0) {
        pal->mem_free(addr, size);
        return NULL;
    }
    return addr;
}

/* A block of class shift from the free list or the arena, under heap_lock;
 * NULL when the arena has no room left for it. */
static struct header *take(unsigned shift)
{
    struct header *h = (struct header *)free_lists[shift];
    if (h) {
        free_lists[shift] = free_lists[shift]->next;
    } else if ((size_t)(arena_end - arena_cur) >= (1UL << shift)) {
        h = (struct header *)arena_cur;
        arena_cur += 1UL << shift;
    }
    return h;
}

static void *alloc_big(size_t n)
{
    size_t total = ALIGN_UP(n + sizeof(struct header), PAGE_SIZE);
    struct header *h = pal_alloc_pages(total);
    if (!h)
        return NULL;
    h->size = total;
    h->big = 1;
    return h + 1;
}

/* The PAL is never called under heap_lock: a memory operation may hand a
 * host signal to the libOS, which may allocate (and a fork takes the lock,
 * alloc_fork_lock, while the PAL copies memory). A new arena is mapped
 * unlocked; one that another thread installed meanwhile wins, and the
 * spare goes back. */
void *malloc(size_t n)
{
    size_t need = n + sizeof(struct header);
    if (n > (1UL << MAX_SHIFT) - sizeof(struct header))
        return alloc_big(n);
    unsigned shift = MIN_SHIFT;
    while ((1UL << shift) < need)
        shift++;
    spin_lock_raw(&heap_lock);
    struct header *h = take(shift);
    spin_unlock_raw(&heap_lock);
    while (!h) {
        char *a = pal_alloc_pages(ARENA_SIZE);
        if (!a)
            return NULL;
        spin_lock_raw(&heap_lock);
        h = take(shift);
        if (!h) {
            arena_cur = a, arena_end = a + ARENA_SIZE, a = NULL;
            h = take(shift);
        }
        spin_unlock_raw(&heap_lock);
        if (a)
            pal->mem_free(a, ARENA_SIZE);
    }
    h->size = shift;
    h->big = 0;
    return h + 1;
}

void free(void *p)
{
    if (!p)
        return;
    struct header *h = (struct header *)p - 1;
    if (h->big) {
        pal->mem_free(h, h->size);
        return;
    }
    unsigned shift = (unsigned)h->size;
    spin_lock_raw(&heap_lock);
    ((struct free_block *)h)->next = free_lists[shift];
    free_lists[shift] = (struct free_block *)h;
    spin_unlock_raw(&heap_lock);
}

static size_t usable_size(void *p)
{
    struct header *h = (struct header *)p - 1;
    return (h->big ? h->size : (1UL << h->size)) - sizeof(struct header);
}

void *calloc(size_t n, size_t sz)
{
    if (sz && n > (size_t)-1 / sz)
        return NULL;
    void *p = malloc(n * sz);
    if (p)
        memset(p, 0, n * sz);
    return p;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    size_t old = usable_size(p);
    if (n <= old)
        return p;
    void *q = malloc(n);
    if (q) {
        memcpy(q, p, old);
        free(p);
    }
    return q;
}

/* fork: no other thread is inside the allocator while the PAL copies or
 * forks this process, so the child's heap is whole (sys/clone.c). */
spinlock_t *alloc_fork_lock(void)
{
    return &heap_lock;
}
