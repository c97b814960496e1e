/* Lazy syscall-site rewriting.
 *
 * After a trapped `syscall` whose site reads `mov $imm32,%eax; syscall`
 * (b8 xx xx xx xx 0f 05, as glibc and musl emit it), the 5-byte mov becomes
 * `jmp rel32` to a per-site trampoline in the space reserved after the
 * image. The trailing `0f 05` stays, so a thread that was already past the
 * mov still makes a correct (trapped) syscall. The trampoline:
 *
 *   lea -128(%rsp),%rsp      skip the red zone: the call below pushes
 *   mov $imm32,%eax
 *   call *slot(%rip)         slot = &libos_syscall_entry (arch/entry.S)
 *   lea 128(%rsp),%rsp
 *   jmp site+7
 *
 * Syscalls that need the exact trapped context (sigreturn, clone, fork,
 * vfork, execve, clone3) are never rewritten. */
#include "core/rewrite.h"
#include "core/vma.h"
#include "libos.h"

#define MAX_REGIONS 256
#define TRAMP_LEN 32

struct region {
    uint64_t lo, hi;    /* image text range whose sites may be patched */
    uint64_t tramp;     /* TRAMP_SPACE bytes, committed on first use */
    uint64_t used;      /* bytes of trampolines written (0 = not committed) */
};

static struct region regions[MAX_REGIONS];
static int n_regions;
static spinlock_t rewrite_lock;
volatile uint64_t libos_rewrite_count;

extern char libos_syscall_entry[];

/* execve: the old image and its trampoline space are gone. */
void rewrite_reset(void)
{
    spin_lock(&rewrite_lock);
    n_regions = 0;
    spin_unlock(&rewrite_lock);
}

void rewrite_add_region(uint64_t lo, uint64_t hi, uint64_t tramp)
{
    spin_lock(&rewrite_lock);
    if (n_regions < MAX_REGIONS)
        regions[n_regions++] = (struct region){lo, hi, tramp, 0};
    spin_unlock(&rewrite_lock);
}

/* Executable memory mapped by the program (shared libraries loaded by
 * ld.so): trampoline space is reserved wherever the PAL puts it and used
 * only if it is within reach of the mapping. */
void rewrite_add_mapping(uint64_t lo, uint64_t len)
{
    void *t = NULL;
    if (!libos_cfg.syscall_rewrite || pal->mem_reserve(&t, TRAMP_SPACE, 0) < 0)
        return;
    int64_t d1 = (int64_t)((uint64_t)t - lo), d2 = (int64_t)((uint64_t)t + TRAMP_SPACE - (lo + len));
    const int64_t reach = (1LL << 31) - (1LL << 20);
    if (d1 > reach || d1 < -reach || d2 > reach || d2 < -reach) {
        pal->mem_free(t, TRAMP_SPACE);
        return;
    }
    rewrite_add_region(lo, lo + len, (uint64_t)t);
}

static bool context_sensitive(uint32_t nr)
{
    return nr == 15 || nr == 56 || nr == 57 || nr == 58 || nr == 59 || nr == 322 || nr == 435;
}

static struct region *find_region(uint64_t site)
{
    for (int i = 0; i < n_regions; i++)
        if (site >= regions[i].lo && site + 7 <= regions[i].hi)
            return &regions[i];
    return NULL;
}

/* The first 8 bytes of a region's trampoline space hold the entry address
 * that every trampoline calls through. */
static int region_open(struct region *r)
{
    if (r->used)
        return 0;
    long e = pal->mem_commit((void *)r->tramp, TRAMP_SPACE,
                             PAL_PROT_READ | PAL_PROT_WRITE | PAL_PROT_EXEC);
    if (e < 0) {
        log_warn("syscall rewriting: cannot commit trampoline space: %s", errno_name(e));
        return (int)e;
    }
    *(uint64_t *)r->tramp = (uint64_t)libos_syscall_entry;
    r->used = TRAMP_LEN;
    return 0;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static uint64_t write_trampoline(struct region *r, uint64_t site, uint32_t nr)
{
    uint8_t *t = (uint8_t *)(r->tramp + r->used);
    static const uint8_t lea_down[] = {0x48, 0x8d, 0x64, 0x24, 0x80};
    static const uint8_t lea_up[] = {0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00};
    memcpy(t, lea_down, 5);
    t[5] = 0xb8, put32(t + 6, nr);
    t[10] = 0xff, t[11] = 0x15;
    put32(t + 12, (uint32_t)(r->tramp - (uint64_t)(t + 16)));
    memcpy(t + 16, lea_up, 8);
    t[24] = 0xe9, put32(t + 25, (uint32_t)(site + 7 - (uint64_t)(t + 29)));
    r->used += TRAMP_LEN;
    return (uint64_t)t;
}

static bool cas8(uint64_t site, const uint8_t *jmp)
{
    uint64_t *q = (uint64_t *)ALIGN_DOWN(site, 8);
    uint64_t old = *q, nw = old;
    memcpy((uint8_t *)&nw + (site & 7), jmp, 5);
    return __atomic_compare_exchange_n(q, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static bool cas16(uint64_t site, const uint8_t *jmp)
{
    uint64_t *q = (uint64_t *)ALIGN_DOWN(site, 16);
    uint64_t lo = q[0], hi = q[1], nw[2] = {lo, hi};
    memcpy((uint8_t *)nw + (site & 15), jmp, 5);
    bool ok;
    __asm__ volatile("lock cmpxchg16b %1"
                     : "=@ccz"(ok), "+m"(*(volatile uint64_t(*)[2])q), "+a"(lo), "+d"(hi)
                     : "b"(nw[0]), "c"(nw[1])
                     : "memory");
    return ok;
}

/* Replaces the 5-byte mov with the jmp in one atomic store, so a thread
 * fetching the site sees either the old or the new instruction. When the
 * 5 bytes straddle a 16-byte boundary that is only safe single-threaded. */
static bool store_jmp(uint64_t site, const uint8_t *jmp)
{
    if ((site & 7) <= 3)
        return cas8(site, jmp);
    if ((site & 15) <= 11)
        return cas16(site, jmp);
    if (__atomic_load_n(&libos_thread_count, __ATOMIC_SEQ_CST) > 1)
        return false;
    memcpy((void *)site, jmp, 5);
    return true;
}

/* The program's protection of the page holding a; -1 when not mapped. */
static int prot_at(uint64_t a)
{
    struct vma v;
    return vma_find(a, &v) ? v.prot : -1;
}

/* Only code the program can still execute is patched, and the protection
 * it gave the page(s) is put back (a RWX page stays writable). */
static bool patch_site(uint64_t site, uint64_t target)
{
    uint8_t jmp[5] = {0xe9};
    put32(jmp + 1, (uint32_t)(target - (site + 5)));
    uint64_t first = ALIGN_DOWN(site, PAGE_SIZE), last = ALIGN_DOWN(site + 4, PAGE_SIZE);
    int p1 = prot_at(first), p2 = prot_at(last);
    if (p1 < 0 || p2 < 0 || !(p1 & PAL_PROT_EXEC) || !(p2 & PAL_PROT_EXEC))
        return false;
    const int rwx = PAL_PROT_READ | PAL_PROT_WRITE | PAL_PROT_EXEC;
    if (pal->mem_protect((void *)first, last + PAGE_SIZE - first, rwx) < 0)
        return false;
    bool ok = store_jmp(site, jmp);
    pal->mem_protect((void *)first, PAGE_SIZE, p1);
    if (last != first)
        pal->mem_protect((void *)last, PAGE_SIZE, p2);
    return ok;
}

static bool in_reach(uint64_t a, uint64_t b)
{
    int64_t d = (int64_t)(a - b);
    return d > -(1LL << 31) + 4096 && d < (1LL << 31) - 4096;
}

void rewrite_site(uint64_t rip)
{
    uint64_t site = rip - 7;
    spin_lock(&rewrite_lock);
    struct region *r = find_region(site);
    const uint8_t *s = (const uint8_t *)site;
    if (!r || s[0] != 0xb8 || s[5] != 0x0f || s[6] != 0x05)
        goto out;
    uint32_t nr;
    memcpy(&nr, s + 1, 4);
    if (context_sensitive(nr) || r->used + TRAMP_LEN > TRAMP_SPACE || !in_reach(site, r->tramp) ||
        region_open(r) < 0)
        goto out;
    if (patch_site(site, write_trampoline(r, site, nr)))
        libos_rewrite_count++;
out:
    spin_unlock(&rewrite_lock);
}
