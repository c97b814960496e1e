/* The initial process stack, laid out as the kernel does: argc, argv[],
 * NULL, envp[], NULL, auxv pairs, AT_NULL, then the strings and the 16
 * AT_RANDOM bytes at the top. No AT_SYSINFO_EHDR: there is no vDSO, so
 * libc makes time calls as syscalls that the libOS sees. */
#include <linux/auxvec.h>

#include "core/mm.h"
#include "elf/elf.h"
#include "core/creds.h"
#include "core/process.h"

#define AUXV_MAX 24

struct builder {
    uint64_t lo, top; /* stack memory; top moves down as strings go in */
};

static uint64_t push_bytes(struct builder *b, const void *data, size_t len)
{
    if (b->top - b->lo < len + 4096)
        return 0;
    b->top -= len;
    memcpy((void *)b->top, data, len);
    return b->top;
}

static int push_strings(struct builder *b, char **v, uint64_t *out, size_t *n)
{
    for (*n = 0; v && v[*n]; (*n)++)
        ;
    for (size_t i = *n; i-- > 0;) {
        out[i] = push_bytes(b, v[i], strlen(v[i]) + 1);
        if (!out[i])
            return -PAL_E2BIG;
    }
    return 0;
}

static size_t fill_auxv(uint64_t *a, const struct stack_info *si, uint64_t rnd, uint64_t execfn,
                        uint64_t platform)
{
    struct creds_ids id;
    creds_ids(&id);
    const uint64_t pairs[][2] = {
        {AT_PHDR, si->prog->phdr}, {AT_PHENT, 56}, {AT_PHNUM, si->prog->phnum},
        {AT_PAGESZ, PAGE_SIZE}, {AT_BASE, si->interp_base}, {AT_FLAGS, 0},
        {AT_ENTRY, si->prog->entry}, {AT_UID, id.uid}, {AT_EUID, id.euid},
        {AT_GID, id.gid}, {AT_EGID, id.egid}, {AT_SECURE, 0},
        {AT_CLKTCK, 100}, {AT_HWCAP, pal_boot_info->hwcap}, {AT_HWCAP2, pal_boot_info->hwcap2},
        {AT_RANDOM, rnd}, {AT_EXECFN, execfn}, {AT_PLATFORM, platform}, {AT_NULL, 0},
    };
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_LEN(pairs); i++) {
        a[n++] = pairs[i][0];
        a[n++] = pairs[i][1];
    }
    return n;
}

/* Writes the pointer block (argc .. auxv) below the strings, 16-aligned. */
static uint64_t write_block(struct builder *b, uint64_t *argp, size_t argc, uint64_t *envpp,
                            size_t envc, uint64_t *aux, size_t auxn)
{
    size_t words = 1 + argc + 1 + envc + 1 + auxn;
    uint64_t sp = ALIGN_DOWN(b->top - words * 8, 16);
    if (sp < b->lo + 4096)
        return 0;
    uint64_t *w = (uint64_t *)sp;
    *w++ = argc;
    memcpy(w, argp, argc * 8), w += argc, *w++ = 0;
    memcpy(w, envpp, envc * 8), w += envc, *w++ = 0;
    memcpy(w, aux, auxn * 8);
    return sp;
}

/* Inaccessible space kept below the stack, like Linux's stack_guard_gap:
 * a runaway recursion faults (SIGSEGV, catchable on a sigaltstack) instead
 * of silently writing into whatever was mapped next to the stack. */
#define STACK_GUARD (1024 * 1024)
/* The top of the stack is committed at once (the arguments are written
 * there and every program uses it); the rest as the program touches it. */
#define STACK_EAGER (128 * 1024)

static int alloc_stack(struct builder *b)
{
    void *p = NULL;
    size_t size = libos_cfg.stack_size, total = size + STACK_GUARD;
    long r = pal->mem_reserve(&p, total, 0);
    if (r == 0) {
        size_t eager = size < STACK_EAGER ? size : STACK_EAGER;
        char *lo = (char *)p + STACK_GUARD;
        r = pal->mem_commit(lo + size - eager, eager, PAL_PROT_READ | PAL_PROT_WRITE);
        if (r == 0 && size > eager)
            r = mm_commit_anon(lo, size - eager, PAL_PROT_READ | PAL_PROT_WRITE);
        if (r < 0)
            pal->mem_free(p, total);
    }
    if (r < 0) {
        log_error("cannot allocate the program stack (sys.stack.size %lu MiB): %s%s",
                  (unsigned long)(size >> 20), errno_name(r),
                  r == -PAL_ENOMEM && (pal_boot_info->flags & PAL_BOOT_ENCLAVE)
                      ? "; raise sgx.enclave_size or lower sys.stack.size"
                      : "");
        return (int)r;
    }
    mm_track_image((uint64_t)p, total, "[stack]");
    b->lo = (uint64_t)p + STACK_GUARD;
    b->top = b->lo + size;
    return 0;
}

int stack_build(char **argv, char **envp, const struct stack_info *si, uint64_t *sp)
{
    struct builder b;
    uint8_t rnd_bytes[16];
    size_t argc, envc, auxn;
    uint64_t aux[AUXV_MAX * 2];
    int r = alloc_stack(&b);
    if (r < 0 || (r = (int)pal->random(rnd_bytes, sizeof(rnd_bytes))) < 0)
        return r;
    uint64_t rnd = push_bytes(&b, rnd_bytes, sizeof(rnd_bytes));
    uint64_t execfn = push_bytes(&b, si->execfn, strlen(si->execfn) + 1);
    uint64_t platform = push_bytes(&b, "x86_64", 7);
    size_t na = 0, ne = 0;
    for (; argv && argv[na]; na++)
        ;
    for (; envp && envp[ne]; ne++)
        ;
    uint64_t *ptrs = malloc((na + ne + 2) * 8);
    if (!ptrs)
        return -PAL_ENOMEM;
    uint64_t args_end = b.top;
    r = push_strings(&b, argv, ptrs, &argc);
    uint64_t envs_end = b.top;
    if (r == 0)
        r = push_strings(&b, envp, ptrs + na + 1, &envc);
    if (r == 0) /* /proc/self/cmdline and environ read these ranges */
        proc_set_args(argc ? ptrs[0] : args_end, args_end, envc ? ptrs[na + 1] : envs_end,
                      envs_end);
    auxn = fill_auxv(aux, si, rnd, execfn, platform);
    *sp = r == 0 ? write_block(&b, ptrs, argc, ptrs + na + 1, envc, aux, auxn) : 0;
    free(ptrs);
    if (!rnd || !execfn || !platform || !*sp) {
        log_error("argv and environment do not fit in the %lu-byte stack",
                  (unsigned long)libos_cfg.stack_size);
        return -PAL_E2BIG;
    }
    return 0;
}
