/* The sim's ECREATE / EADD / EEXTEND / EINIT behind the driver interface. */
#include "sim_build.h"
#include "sgx_cpuid.h"
#include "sim_thread.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "host_caps.h"
#include "sim_signal.h"
#include "measure.h"
#include "sigstruct.h"
#include "sim_checks.h"
#include "sim_encl.h"
#include "sim_run.h"

#define PAGE SGX_PAGE_SIZE

/* Copies from a caller address like copy_from_user: a bad pointer gives
 * -EFAULT instead of a crash. process_vm_readv on ourselves does exactly
 * that check. */
static int copy_in(void *dst, uint64_t src, size_t len)
{
    struct iovec local = {dst, len}, remote = {(void *)(uintptr_t)src, len};

    if (!src)
        return -EFAULT;
    if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)len)
        return 0;
    return -EFAULT;
}

static int sim_open(const struct sgx_driver *drv, struct sgx_driver_encl **out)
{
    struct sgx_driver_encl *encl = aligned_alloc(PAGE, (sizeof(*encl) + PAGE - 1) & ~(PAGE - 1));

    if (!encl)
        return -ENOMEM;
    memset(encl, 0, sizeof(*encl));
    encl->cpu = drv->priv;
    encl->memfd = -1;
    encl->pkey = -1;
    *out = encl;
    return 0;
}

/* The enclave's pages: a memfd mapped over the caller's reserved range (as
 * the kernel maps the enclave fd there) and once more read-write for the
 * sim's own accesses (sim_encl.h). */
static int map_pages(struct sgx_driver_encl *encl, const struct sgx_secs *secs)
{
    void *mem, *alias;
    uint64_t lo;

    encl->memfd = memfd_create("geode-sim-epc", MFD_CLOEXEC);
    if (encl->memfd < 0)
        return -ENOMEM;
    if (ftruncate(encl->memfd, (off_t)secs->size))
        return -ENOMEM;
    lo = secs->base ? 0 : SGX_LOW_BASE_GAP; /* the host keeps the lowest pages */
    mem = mmap((void *)(uintptr_t)(secs->base + lo), secs->size - lo, PROT_NONE, MAP_SHARED | MAP_FIXED,
               encl->memfd, (off_t)lo);
    if (mem == MAP_FAILED)
        return -ENOMEM;
    encl->base = mem;
    encl->map_len = secs->size - lo;
    alias = mmap(NULL, secs->size, PROT_READ | PROT_WRITE, MAP_SHARED, encl->memfd, 0);
    if (alias == MAP_FAILED)
        return -ENOMEM;
    encl->alias = alias;
    return 0;
}

static int sim_create(struct sgx_driver_encl *encl, struct sgx_enclave_create *arg)
{
    struct sgx_secs secs;
    int ret;

    if (encl->created)
        return -EINVAL;
    ret = copy_in(&secs, arg->src, sizeof(secs));
    if (!ret)
        ret = sim_check_secs(&secs, encl->cpu);
    if (ret)
        return ret;
    encl->secs = secs; /* close() needs SIZE even if the rest fails */
    encl->epoch = 1;   /* ETRACK epochs; tracked = 0: none yet */
    encl->epcm = calloc(secs.size / PAGE, sizeof(*encl->epcm));
    encl->mod_epoch = calloc(secs.size / PAGE, sizeof(*encl->mod_epoch));
    encl->tcs_entry = calloc(secs.size / PAGE, sizeof(*encl->tcs_entry));
    encl->pte = calloc(secs.size / PAGE, 1);
    encl->xtrap = calloc(secs.size / PAGE, 1);
    if (!encl->epcm || !encl->mod_epoch || !encl->tcs_entry || !encl->pte || !encl->xtrap)
        return -ENOMEM; /* freed by close */
    if (encl->cpu->rdtsc_ud && !host_cap(HOST_CAP_TSC_TRAP)) {
        fprintf(stderr, "geode sim: the SGX1 model (RDTSC #UD in enclaves) needs RDTSC trapping: %s\n",
                host_cap_why(HOST_CAP_TSC_TRAP));
        return -EOPNOTSUPP;
    }
    if (encl->cpu->isolation && !host_cap(HOST_CAP_PKU)) {
        fprintf(stderr, "geode sim: isolation needs protection keys: %s\n", host_cap_why(HOST_CAP_PKU));
        return -EOPNOTSUPP;
    }
    ret = map_pages(encl, &secs);
    if (!ret && encl->cpu->isolation)
        ret = sim_isolation_pkey(&encl->pkey);
    if (!ret)
        ret = sgx_measure_init(&encl->measure, secs.ssa_frame_size, secs.size) ? -EIO : 0;
    if (!ret)
        ret = sim_encl_register(encl);
    if (ret)
        return ret;
    encl->created = true;
    return 0;
}

static int epcm_prot(uint8_t type, uint8_t perms)
{
    if (type == SGX_PT_TCS)
        return PROT_NONE;
    return ((perms & SGX_SECINFO_R) ? PROT_READ : 0) | ((perms & SGX_SECINFO_W) ? PROT_WRITE : 0) |
           ((perms & SGX_SECINFO_X) ? PROT_EXEC : 0);
}

/* Source pages read per process_vm_readv in a multi-page add: the uRTS's
 * runs (layout_add.c) are 256 pages, so one read per run. */
#define ADD_CHUNK_PAGES 256

/* Reads whole pages from a caller address like copy_in, as many of `len`
 * bytes as are readable: the bytes read (a multiple of PAGE), or -EFAULT
 * when not even the first page is. */
static int64_t copy_in_pages(pid_t self, uint8_t *dst, uint64_t src, uint64_t len)
{
    struct iovec local = {dst, len}, remote = {(void *)(uintptr_t)src, len};
    ssize_t n;

    if (!src)
        return -EFAULT;
    n = process_vm_readv(self, &local, 1, &remote, 1, 0);
    if (n < (ssize_t)PAGE)
        return -EFAULT;
    return n & ~(ssize_t)(PAGE - 1);
}

/* Zero iff the first word is and every word equals the one before it:
 * libc's memcmp (vectorized for this CPU) does the work. */
static bool page_is_zero(const uint8_t *p)
{
    uint64_t w;

    memcpy(&w, p, sizeof(w));
    return !w && !memcmp(p, p + sizeof(w), PAGE - sizeof(w));
}

/* EADD + (optionally) 16 x EEXTEND of one page whose contents the CPU read
 * into buf, measuring exactly those bytes (what lands in the enclave page).
 * An all-zero page is not written: the memfd page is still zero (never
 * added before, see undo_pages). Sets the EPCM entry; the host mapping's
 * protection is the caller's (protect_pages). */
static int eadd_one(struct sgx_driver_encl *encl, const uint8_t *buf, uint64_t off,
                    const struct sgx_secinfo *si, bool measure, bool zero)
{
    uint8_t type = (uint8_t)sgx_secinfo_type(si->flags), perms = si->flags & SGX_SECINFO_PERM_MASK;
    int ret;

    if (encl->lost)
        return -EIO;
    if (encl->epcm[off / PAGE].valid)
        return -EBUSY;
    if (type == SGX_PT_TCS) {
        ret = sim_check_tcs((const struct sgx_tcs *)buf);
        if (!ret)
            ret = sim_tcs_note(encl, off / PAGE);
        if (ret)
            return ret;
    }
    ret = sgx_measure_eadd(&encl->measure, off, si);
    for (uint64_t c = 0; !ret && measure && c < PAGE; c += SGX_EEXTEND_CHUNK)
        ret = sgx_measure_eextend(&encl->measure, off + c, buf + c);
    if (ret)
        return -EIO;
    if (!zero && !page_is_zero(buf))
        memcpy(sim_alias(encl, off), buf, PAGE);
    encl->epcm[off / PAGE] = (struct sgx_sim_epcm){.valid = 1, .type = type, .perms = perms};
    return 0;
}

/* Pages [off, off+len) were added but cannot be mapped: they are not added
 * after all (EPCM entries cleared, memfd pages back to zero). */
static void undo_pages(struct sgx_driver_encl *encl, uint64_t off, uint64_t len)
{
    for (uint64_t c = 0; c < len; c += PAGE)
        encl->epcm[(off + c) / PAGE] = (struct sgx_sim_epcm){0};
    if (fallocate(encl->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len))
        memset(sim_alias(encl, off), 0, len);
}

/* The host mapping of a run of added pages gets their EPCM permissions,
 * with one (pkey_)mprotect for the whole run. */
static int protect_pages(struct sgx_driver_encl *encl, uint64_t off, uint64_t len, const struct sgx_secinfo *si)
{
    int prot = epcm_prot((uint8_t)sgx_secinfo_type(si->flags), si->flags & SGX_SECINFO_PERM_MASK);

    memset(encl->pte + off / PAGE, prot, len / PAGE); /* the kernel's mmap of them (driver_kernel.c) */
    if (pkey_mprotect((void *)(uintptr_t)(encl->secs.base + off), len, prot, encl->pkey)) {
        undo_pages(encl, off, len);
        return -EIO;
    }
    return 0;
}

/* Pages read in place: each source page is read once by sim_read_page,
 * which tells an all-zero page (measured, neither copied nor written) from
 * any other (copied once into buf, from which it is checked, measured and
 * written: what is measured is what lands, as with the CPU's one read).
 * A page that cannot be read stops the add there with -EFAULT, as the
 * kernel's copy from the source does (sim_read_page takes the fault). *c
 * advances by the pages added. */
static int eadd_in_place(struct sgx_driver_encl *encl, const struct sgx_enclave_add_pages *arg,
                         const struct sgx_secinfo *si, uint8_t *buf, uint64_t *c)
{
    static const uint8_t zero[PAGE] __attribute__((aligned(PAGE)));
    bool measure = arg->flags & SGX_PAGE_MEASURE;
    int ret = 0;

    while (!ret && *c < arg->length) {
        long r = arg->src ? sim_read_page(buf, (const void *)(uintptr_t)(arg->src + *c)) : -EFAULT;

        if (r < 0)
            return (int)r;
        ret = eadd_one(encl, r ? buf : zero, arg->offset + *c, si, measure, !r);
        *c += ret ? 0 : PAGE;
    }
    return ret;
}

/* The same through process_vm_readv, in chunks (when the sim cannot take
 * SIGSEGV/SIGBUS for sim_read_page). */
static int eadd_copied(struct sgx_driver_encl *encl, const struct sgx_enclave_add_pages *arg,
                       const struct sgx_secinfo *si, uint8_t *buf, uint64_t *c)
{
    bool measure = arg->flags & SGX_PAGE_MEASURE;
    pid_t self = getpid();
    int ret = 0;

    while (!ret && *c < arg->length) {
        uint64_t want = arg->length - *c < ADD_CHUNK_PAGES * PAGE ? arg->length - *c : ADD_CHUNK_PAGES * PAGE;
        int64_t got = copy_in_pages(self, buf, arg->src + *c, want);

        if (got < 0)
            return (int)got;
        for (int64_t p = 0; !ret && p < got; p += PAGE) {
            ret = eadd_one(encl, buf + p, arg->offset + *c, si, measure, false);
            *c += ret ? 0 : PAGE;
        }
        if (!ret && (uint64_t)got < want)
            ret = -EFAULT; /* the next page is unreadable */
    }
    return ret;
}

/* EADDs [arg->offset, +length) in page order; *done is the bytes added (a
 * prefix), also on failure. The faults of sim_read_page need the sim's
 * SIGSEGV/SIGBUS handler (taken over here, chaining the host's, as at the
 * first entry) and the two unblocked while it reads. */
static int eadd_range(struct sgx_driver_encl *encl, const struct sgx_enclave_add_pages *arg,
                      const struct sgx_secinfo *si, uint8_t *buf, uint64_t *done)
{
    sigset_t faults, old;
    uint64_t c = 0;
    int ret;

    sigemptyset(&faults);
    sigaddset(&faults, SIGSEGV);
    sigaddset(&faults, SIGBUS);
    if (!sim_signals_take_faults() && !pthread_sigmask(SIG_UNBLOCK, &faults, &old)) {
        ret = eadd_in_place(encl, arg, si, buf, &c);
        if (sigismember(&old, SIGSEGV) || sigismember(&old, SIGBUS))
            pthread_sigmask(SIG_SETMASK, &old, NULL);
    } else {
        ret = eadd_copied(encl, arg, si, buf, &c);
    }
    *done = c;
    if (c && protect_pages(encl, arg->offset, c, si)) {
        *done = 0;
        return -EIO;
    }
    return ret;
}

/* The kernel's checks of an ADD_PAGES request, and its SECINFO. */
static int add_args(const struct sgx_driver_encl *encl, struct sgx_enclave_add_pages *arg,
                    struct sgx_secinfo *si)
{
    int ret;

    arg->count = 0;
    if (!encl->created || encl->initialized)
        return -EINVAL;
    if ((arg->src | arg->offset | arg->length) & (PAGE - 1) || !arg->length ||
        arg->offset >= encl->secs.size || arg->length > encl->secs.size - arg->offset)
        return -EINVAL;
    if (!encl->secs.base && arg->offset < SGX_LOW_BASE_GAP)
        return -EINVAL; /* below the host's mmap_min_addr: nothing can be mapped there */
    if (arg->flags & ~(uint64_t)SGX_PAGE_MEASURE)
        return -EINVAL;
    ret = copy_in(si, arg->secinfo, sizeof(*si));
    return ret ? ret : sim_check_secinfo(si);
}

/* Zero pages: measured (EEXTEND of zeros when asked) and marked added,
 * nothing read or written (the memfd page is zero until then). A TCS
 * cannot be all zeros (sim_check_tcs refuses it, as with a source). */
static int sim_add_zero_pages(struct sgx_driver_encl *encl, struct sgx_enclave_add_pages *arg)
{
    static const uint8_t zero[PAGE] __attribute__((aligned(PAGE)));
    struct sgx_secinfo si;
    uint64_t c = 0;
    int ret = add_args(encl, arg, &si);

    /* Pages not measured, not a TCS: the EPCM and the EADD records in one
     * pass each (a 4 GiB heap is a million pages), as eadd_one would. */
    if (!ret && !(arg->flags & SGX_PAGE_MEASURE) && sgx_secinfo_type(si.flags) != SGX_PT_TCS && !encl->lost) {
        uint64_t first = arg->offset / PAGE, n = 0, pages = arg->length / PAGE;
        uint8_t type = (uint8_t)sgx_secinfo_type(si.flags), perms = si.flags & SGX_SECINFO_PERM_MASK;

        while (n < pages && !encl->epcm[first + n].valid)
            n++;
        if (sgx_measure_eadd_run(&encl->measure, arg->offset, n, &si))
            return -EIO;
        for (uint64_t k = 0; k < n; k++)
            encl->epcm[first + k] = (struct sgx_sim_epcm){.valid = 1, .type = type, .perms = perms};
        c = n * PAGE;
        ret = n < pages ? -EBUSY : 0;
    }
    while (!ret && c < arg->length) {
        ret = eadd_one(encl, zero, arg->offset + c, &si, arg->flags & SGX_PAGE_MEASURE, true);
        c += ret ? 0 : PAGE;
    }
    if (c && protect_pages(encl, arg->offset, c, &si))
        return -EIO;
    arg->count = c;
    return ret;
}

static int sim_add_pages(struct sgx_driver_encl *encl, struct sgx_enclave_add_pages *arg)
{
    struct sgx_secinfo si;
    uint64_t done = 0;
    uint8_t *buf;
    int ret = add_args(encl, arg, &si);

    if (ret)
        return ret;
    /* Page aligned: a TCS is checked in place as a struct sgx_tcs. One
     * buffer per thread, kept: a fresh 1 MiB would be mapped and faulted
     * in at every call. */
    static __thread uint8_t *chunk;
    if (!chunk)
        chunk = aligned_alloc(PAGE, ADD_CHUNK_PAGES * PAGE);
    buf = chunk;
    if (!buf)
        return -ENOMEM;
    ret = eadd_range(encl, arg, &si, buf, &done);
    arg->count = done;
    return ret;
}

static int masked_mismatch(uint64_t a, uint64_t b, uint64_t mask)
{
    return (a & mask) != (b & mask);
}

/* EINIT proper: returns 0 or an SGX error code (or -errno for host failures). */
static int sim_einit(struct sgx_driver_encl *encl, const struct sgx_sigstruct *sig)
{
    const struct sgx_attributes *a = &encl->secs.attributes;
    uint8_t mrenclave[32];
    int ret = sgx_sigstruct_verify(sig, NULL);

    if (ret)
        return ret;
    /* Without launch tokens only Intel's launch enclave may use EINITTOKENKEY. */
    if (a->flags & SGX_ATTR_EINITTOKENKEY)
        return SGX_INVALID_ATTRIBUTE;
    if (masked_mismatch(a->flags, sig->attributes.flags, sig->attribute_mask.flags) ||
        masked_mismatch(a->xfrm, sig->attributes.xfrm, sig->attribute_mask.xfrm) ||
        masked_mismatch(encl->secs.miscselect, sig->miscselect, sig->miscmask))
        return SGX_INVALID_ATTRIBUTE;
    if (sgx_measure_peek(&encl->measure, mrenclave))
        return -EIO;
    if (memcmp(mrenclave, sig->enclave_hash, sizeof(mrenclave)))
        return SGX_INVALID_MEASUREMENT;
    memcpy(encl->secs.mrenclave, mrenclave, sizeof(mrenclave));
    if (sgx_sigstruct_mrsigner(sig, encl->secs.mrsigner))
        return -EIO;
    memcpy(encl->isv_family_id, sig->isv_family_id, 16);
    memcpy(encl->isv_ext_prod_id, sig->isv_ext_prod_id, 16);
    encl->secs.isv_prod_id = sig->isv_prod_id;
    encl->secs.isv_svn = sig->isv_svn;
    encl->secs.attributes.flags |= SGX_ATTR_INIT;
    return 0;
}

static int sim_init(struct sgx_driver_encl *encl, struct sgx_enclave_init *arg)
{
    struct sgx_sigstruct sig;
    int ret;

    if (!encl->created || encl->initialized)
        return -EINVAL;
    if (encl->lost)
        return -EIO;
    ret = copy_in(&sig, arg->sigstruct, sizeof(sig));
    if (ret)
        return ret;
    /* The kernel's own checks, made before it runs EINIT. */
    if ((encl->secs.attributes.flags & SGX_ATTR_PROVISIONKEY) && !encl->cpu->provision_allowed)
        return -EACCES;
    if (sig.vendor != 0 && sig.vendor != SGX_SIGSTRUCT_VENDOR_INTEL)
        return -EINVAL;
    ret = sim_einit(encl, &sig);
    if (ret == 0) {
        sim_root_key_ensure();
        encl->initialized = true;
        sgx_measure_free(&encl->measure);
    }
    return ret;
}

/* The EPC memfd is needed while pages are added (undo_pages); the mapping
 * and the alias keep its pages after that. */
static void sim_release_fd(struct sgx_driver_encl *encl)
{
    if (encl && encl->initialized && encl->memfd >= 0) {
        close(encl->memfd);
        encl->memfd = -1;
    }
}

static void sim_close(struct sgx_driver_encl *encl)
{
    if (!encl)
        return;
    sim_encl_unregister(encl);
    if (encl->base)
        munmap(encl->base, encl->map_len);
    if (encl->alias)
        munmap(encl->alias, encl->secs.size);
    if (encl->memfd >= 0)
        close(encl->memfd);
    sgx_measure_free(&encl->measure);
    free(encl->epcm);
    free(encl->mod_epoch);
    free(encl->tcs_entry);
    free(encl->pte);
    free(encl->xtrap);
    free(encl->tcs_pages);
    free(encl);
}

/* One byte per page of the enclave, bit 0 set where the memfd has a page
 * (mincore of the alias). 0 or -errno. */
static int sim_resident(struct sgx_driver_encl *encl, unsigned char *vec, size_t pages)
{
    if (!encl || !encl->alias || pages != encl->secs.size / PAGE)
        return -EINVAL;
    return mincore(encl->alias, encl->secs.size, vec) ? -errno : 0;
}

/* Gives the pages marked in vec that are in the EPCM a memfd page now: an
 * all-zero page EADD skipped (eadd_one) has none until its first access,
 * which then faults on the critical path of whoever touches it first. The
 * contents stay zero; nothing the enclave can see changes. */
static void sim_prefault(struct sgx_driver_encl *encl, const unsigned char *vec, size_t pages)
{
    size_t run = 0;

    if (!encl || !encl->alias || pages != encl->secs.size / PAGE)
        return;
    for (size_t i = 0; i <= pages; i++) {
        if (i < pages && (vec[i] & 1) && encl->epcm[i].valid) {
            run++;
            continue;
        }
        if (run)
            madvise(encl->alias + (i - run) * PAGE, run * PAGE, MADV_POPULATE_WRITE);
        run = 0;
    }
}

void sgx_sim_cpu_default(struct sgx_sim_cpu *cpu, bool aex_notify)
{
    memset(cpu, 0, sizeof(*cpu)); /* every option off unless set below (isolation, rdtsc_ud) */
    cpu->attributes = SGX_ATTR_DEBUG | SGX_ATTR_MODE64BIT | SGX_ATTR_PROVISIONKEY | SGX_ATTR_EINITTOKENKEY |
                      SGX_ATTR_KSS | (aex_notify ? SGX_ATTR_AEXNOTIFY : 0);
    /* The host's AVX-512 too: enclave code runs on the host's XCR0, so the
     * sim must be able to save what a program may use (sim_xsave.c). */
    cpu->xfrm = SGX_XFRM_LEGACY | SGX_XFRM_AVX | xfrm_host_optional(UINT32_MAX);
    cpu->miscselect = SGX_MISC_EXINFO;
    cpu->provision_allowed = false;
    cpu->edeccssa = true;
    cpu->sgx2 = true;
}

void sgx_sim_driver_init(struct sgx_driver *drv, const struct sgx_sim_cpu *cpu)
{
    *drv = (struct sgx_driver){
        .name = "sim",
        .open = sim_open,
        .create = sim_create,
        .add_pages = sim_add_pages,
        .add_zero_pages = sim_add_zero_pages,
        .init = sim_init,
        .close = sim_close,
        .enter = sgx_sim_vdso_enter,
        .priv = (void *)cpu,
        .handlers_changed = sim_signals_changed,
        .after_fork = sim_thread_after_fork,
        .release_fd = sim_release_fd,
        .restrict_permissions = sim_restrict_permissions,
        .modify_types = sim_modify_types,
        .remove_pages = sim_remove_pages,
        .augment = sim_augment,
        .protect = sim_protect,
        .inject_epc_loss = sgx_sim_inject_epc_loss,
        .resident = sim_resident,
        .prefault = sim_prefault,
        .sgx2 = cpu->sgx2,
    };
}

const struct sgx_secs *sgx_sim_secs(const struct sgx_driver_encl *encl)
{
    return encl->created ? &encl->secs : NULL;
}

const struct sgx_sim_epcm *sgx_sim_epcm(const struct sgx_driver_encl *encl)
{
    return encl->created ? encl->epcm : NULL;
}

bool sgx_sim_initialized(const struct sgx_driver_encl *encl)
{
    return encl->initialized;
}
