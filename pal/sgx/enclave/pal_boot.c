/* Trusted PAL: starting the libOS inside the enclave (ECALL_RUN).
 *
 * The libOS image is the enclave's second ELF (measured, at elf_offset[1]);
 * the manifest is the measured blob. From the host come only the command
 * line, the environment and a few facts (stdio handles, CPU count, HWCAP),
 * copied in once and checked; the libOS decides from the measured manifest
 * whether it uses the host's arguments and environment at all. */
#include "pal_enclave.h"
#include "pal_signal.h"

#define PAGE 4096ULL
#define ET_DYN 3
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PF_W 2
#define EM_X86_64 62

struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static struct pal_api api;
static struct pal_boot boot;
static uint32_t started;

static struct ecall_result fail(int64_t err)
{
    return (struct ecall_result){(uint64_t)err, 0};
}

/* Relocates the libOS image at [load, load + span) and returns its entry, or 0. */
static uint64_t prepare_libos(uint64_t load, uint64_t span)
{
    const struct elf64_ehdr *eh = (const struct elf64_ehdr *)load;
    const struct elf64_phdr *ph;

    if (span < sizeof(*eh) || eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[2] != 'L' ||
        eh->ident[3] != 'F' || eh->type != ET_DYN || eh->machine != EM_X86_64 ||
        eh->phentsize != sizeof(*ph) || eh->phoff > span ||
        (span - eh->phoff) / sizeof(*ph) < eh->phnum || eh->entry >= span)
        return 0;
    ph = (const struct elf64_phdr *)(load + eh->phoff);
    for (uint16_t i = 0; i < eh->phnum; i++) {
        if (ph[i].type != PT_DYNAMIC)
            continue;
        if (ph[i].vaddr > span || ph[i].memsz > span - ph[i].vaddr)
            return 0;
        return enclave_relocate_image(load, (const void *)(load + ph[i].vaddr), span) ? 0
                                                                                       : load + eh->entry;
    }
    return 0;
}

/* Enclave memory for the copies below (never freed: they live as long as
 * the process, as pal_boot promises). */
static void *boot_alloc(uint64_t size)
{
    void *p = NULL;

    size = (size + PAGE - 1) & ~(PAGE - 1);
    if (api.mem_reserve(&p, size, 0) || api.mem_commit(p, size, PAL_PROT_READ | PAL_PROT_WRITE))
        return NULL;
    return p;
}

/* Copies the host's strings in and splits them: exactly argc + envc
 * NUL-terminated strings filling strings_size bytes. */
static int copy_strings(const struct enclave_run_args *ra, const char ***argv, const char ***envp)
{
    uint64_t n = ra->argc + ra->envc, k = 0;
    char *s;
    const char **v;

    if (ra->argc > ENCLAVE_RUN_MAX_STRINGS || ra->envc > ENCLAVE_RUN_MAX_STRINGS ||
        ra->strings_size > ENCLAVE_RUN_MAX_STRINGS || n > ra->strings_size)
        return -PAL_E2BIG;
    s = boot_alloc(ra->strings_size + 1);
    v = boot_alloc((n + 2) * sizeof(*v));
    if (!s || !v)
        return -PAL_ENOMEM;
    if (copy_from_host(s, ra->strings, ra->strings_size))
        return -PAL_EFAULT;
    for (uint64_t pos = 0; pos < ra->strings_size; k++) {
        uint64_t len = pal_strsize(s + pos, ra->strings_size - pos);

        if (!len || k >= n)
            return -PAL_EINVAL;
        v[k + (k >= ra->argc)] = s + pos; /* a NULL separates argv from envp */
        pos += len;
    }
    if (k != n)
        return -PAL_EINVAL;
    v[ra->argc] = NULL;
    v[n + 1] = NULL;
    *argv = v;
    *envp = v + ra->argc + 1;
    return 0;
}

uint8_t enclave_bases_volatile;

static void fill_api(void)
{
    api.version = PAL_API_VERSION;
    api.size = sizeof(api);
    enclave_fill_proc(&api);
    enclave_fill_procs(&api);
    api.signal_sender = enclave_signal_sender; /* pal_signal.c */
    enclave_fill_mem(&api);
    enclave_fill_thread(&api);
    enclave_fill_fs(&api);
    enclave_fill_net(&api);
    enclave_fill_fork(&api);
    enclave_fill_shm(&api);
    enclave_fill_attest(&api);
    enclave_fill_crypto(&api);
}

/* --- fork (pal_fork.c): the libOS keeps pointers to api and boot --- */

struct enclave_fork_state enclave_boot_fork_state(void)
{
    return (struct enclave_fork_state){&boot, sizeof(boot)};
}

/* ECALL_FORK, first: this enclave has run nothing yet, and from now on
 * ECALL_RUN may not start a libOS here. 0 or -1. */
int enclave_boot_claim(void)
{
    return __atomic_exchange_n(&started, 1, __ATOMIC_ACQ_REL) ? -1 : 0;
}

/* ECALL_FORK_PREPARE: while it runs neither ECALL_RUN nor ECALL_FORK can
 * start (their claim fails), and it may not run once either has. 0 when
 * held, -1 when this enclave ran something already. */
int enclave_boot_hold(void)
{
    uint32_t none = 0;

    return __atomic_compare_exchange_n(&started, &none, 2, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
               ? 0
               : -1;
}

void enclave_boot_release(void)
{
    __atomic_store_n(&started, 0, __ATOMIC_RELEASE);
}

/* The child took the parent's boot block. */
int enclave_boot_adopt(void)
{
    if (boot.version != PAL_API_VERSION)
        return -1;
    fill_api();
    return 0;
}

/* The pages of the libOS image's writable PT_LOAD segments, from the
 * measured image (its headers are read-only). */
int enclave_libos_writable(uint64_t *lo, uint64_t *hi)
{
    const struct sgx_layout_tls *tls = tls_self();
    uint64_t load = g_encl.base + tls->elf_offset[1], span = tls->elf_span[1], a = ~0ULL, b = 0;
    const struct elf64_ehdr *eh = (const struct elf64_ehdr *)load;
    const struct elf64_phdr *ph;

    if (tls->n_elfs < 2 || span < sizeof(*eh) || eh->phentsize != sizeof(*ph) || eh->phoff > span ||
        (span - eh->phoff) / sizeof(*ph) < eh->phnum)
        return -1;
    ph = (const struct elf64_phdr *)(load + eh->phoff);
    for (uint16_t i = 0; i < eh->phnum; i++) {
        if (ph[i].type != PT_LOAD || !(ph[i].flags & PF_W))
            continue;
        if (ph[i].vaddr > span || ph[i].memsz > span - ph[i].vaddr)
            return -1;
        if (ph[i].vaddr < a)
            a = ph[i].vaddr;
        if (ph[i].vaddr + ph[i].memsz > b)
            b = ph[i].vaddr + ph[i].memsz;
    }
    if (a >= b)
        return -1;
    *lo = load + (a & ~(PAGE - 1));
    *hi = load + ((b + PAGE - 1) & ~(PAGE - 1));
    return 0;
}

struct ecall_result enclave_run_libos(uint64_t arg)
{
    const struct sgx_layout_tls *tls = tls_self();
    struct enclave_thread *t = thread_self();
    struct enclave_run_args ra;
    const char **argv, **envp;
    uint64_t entry, fs;
    int r;

    if (__atomic_exchange_n(&started, 1, __ATOMIC_ACQ_REL))
        return fail(-PAL_EBUSY);
    if (copy_from_host(&ra, arg, sizeof(ra)))
        return fail(-PAL_EFAULT);
    for (int i = 0; i < 3; i++)
        if (ra.stdio[i] < -1 || ra.stdio[i] >= OCALL_MAX_HANDLE)
            return fail(-PAL_EINVAL);
    if (!ra.cpu_count || ra.cpu_count > ENCLAVE_RUN_MAX_CPUS || tls->n_elfs < 2 ||
        (ra.host_flags & ~ENCLAVE_HOST_BASES_VOLATILE))
        return fail(-PAL_EINVAL);
    __atomic_store_n(&enclave_bases_volatile, (ra.host_flags & ENCLAVE_HOST_BASES_VOLATILE) != 0,
                     __ATOMIC_RELAXED);
    fill_api();
    if (enclave_heap_init(g_encl.base + tls->heap_offset, tls->heap_size))
        return fail(-PAL_ENOMEM);
    r = copy_strings(&ra, &argv, &envp);
    if (r)
        return fail(r);
    entry = prepare_libos(g_encl.base + tls->elf_offset[1], tls->elf_span[1]);
    if (!entry)
        return fail(-PAL_ENOEXEC);
    boot = (struct pal_boot){
        .version = PAL_API_VERSION,
        .flags = PAL_BOOT_ENCLAVE,
        .manifest = (const uint8_t *)(g_encl.base + tls->blob_offset),
        .manifest_len = tls->blob_size,
        .argc = (int)ra.argc,
        .argv = argv,
        .envp = envp,
        .libos_base = (void *)(g_encl.base + tls->elf_offset[1]),
        .libos_size = tls->elf_span[1],
        .stdio = {ra.stdio[0], ra.stdio[1], ra.stdio[2]},
        .cpu_count = (uint32_t)ra.cpu_count,
        .hwcap = ra.hwcap,
        /* Bit 1, FSGSBASE: not for programs where the host loses bases. */
        .hwcap2 = enclave_bases_volatile ? ra.hwcap2 & ~2ULL : ra.hwcap2,
        .pal_text_lo = g_encl.base + tls->elf_offset[0],
        .pal_text_hi = g_encl.base + tls->elf_offset[0] + tls->elf_span[0],
    };
    fs = enclave_rdfsbase();
    t->fs_base = fs;
    t->libos_gs = 0;
    ((libos_entry_fn)entry)(&api, &boot);
    return fail(-PAL_ENOEXEC); /* the libOS never returns */
}
