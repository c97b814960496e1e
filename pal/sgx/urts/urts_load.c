/* uRTS: building the enclave (layout, measurement, signature, ECREATE/EADD/EINIT). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "urts_internal.h"

#define PAGE 4096ULL

static int describe(const struct urts_enclave *e, struct sgx_layout_elf *elfs, struct sgx_layout_desc *ld,
                    struct sgx_err *err)
{
    const struct urts_desc *d = &e->desc;

    if (d->layout) {
        *ld = *d->layout;
        if (d->xfrm) /* the run's XFRM: the layout's and what this host adds */
            ld->xfrm = d->xfrm;
        return ld->nssa < 2 ? sgx_err_set(err, "NSSA must be at least 2, got %u", ld->nssa), -EINVAL : 0;
    }
    if (!d->pal_path || d->n_extra + 1 > SGX_LAYOUT_MAX_ELFS || (d->n_extra && !d->extra))
        return sgx_err_set(err, "enclave description: the trusted PAL and at most %d further ELFs",
                           SGX_LAYOUT_MAX_ELFS - 1), -EINVAL;
    if (d->nssa < 2)
        return sgx_err_set(err, "NSSA must be at least 2 (stage 1 runs in SSA frame 1), got %u", d->nssa),
               -EINVAL;
    elfs[0] = (struct sgx_layout_elf){.path = d->pal_path};
    for (size_t i = 0; i < d->n_extra; i++)
        elfs[i + 1] = d->extra[i];
    *ld = (struct sgx_layout_desc){
        .elfs = elfs, .n_elfs = d->n_extra + 1, .blob = d->blob, .blob_size = d->blob_size,
        .threads = d->threads, .stack_size = d->stack_size, .nssa = d->nssa,
        .attributes = SGX_ATTR_MODE64BIT | (d->aex_notify ? SGX_ATTR_AEXNOTIFY : 0),
        .xfrm = d->xfrm ? d->xfrm : SGX_XFRM_LEGACY, .miscselect = SGX_MISC_EXINFO, .heap_size = d->heap_size};
    return 0;
}

/* The heap-low layout's enclave is based at 0: [SGX_LOW_BASE_GAP, size) of
 * this process must be free (it is in a PIE process, whose own mappings
 * are far above). */
static int reserve_low(uint64_t size, uint64_t *base)
{
    void *p = mmap((void *)(uintptr_t)SGX_LOW_BASE_GAP, size - SGX_LOW_BASE_GAP, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

    if (p == MAP_FAILED)
        return -errno;
    if (p != (void *)(uintptr_t)SGX_LOW_BASE_GAP) {
        munmap(p, size - SGX_LOW_BASE_GAP);
        return -EEXIST;
    }
    *base = 0;
    return 0;
}

static int create_secs(struct urts_enclave *e, const struct sgx_layout *l, const struct sgx_layout_desc *ld,
                       struct sgx_err *err)
{
    struct sgx_secs *secs = aligned_alloc(PAGE, sizeof(*secs));
    int ret;

    if (!secs)
        return sgx_err_set(err, "out of memory for the SECS"), -ENOMEM;
    memset(secs, 0, sizeof(*secs));
    ret = ld->heap_low ? reserve_low(l->size, &e->base) : sgx_reserve_range(l->size, &e->base);
    if (ret) {
        free(secs);
        return sgx_err_set(err, "cannot reserve 0x%llx bytes for the enclave: %s", (unsigned long long)l->size,
                           strerror(-ret)), ret;
    }
    secs->size = e->size = l->size;
    secs->base = e->base;
    secs->ssa_frame_size = l->ssa_frame_size;
    secs->miscselect = ld->miscselect;
    secs->attributes = (struct sgx_attributes){ld->attributes, ld->xfrm};
    ret = e->drv->create(e->encl, &(struct sgx_enclave_create){(uintptr_t)secs});
    free(secs);
    if (ret)
        sgx_err_set(err, "ECREATE failed: %s", strerror(-ret));
    return ret;
}

static int sign_and_init(struct urts_enclave *e, const struct sgx_layout_desc *ld, const uint8_t mr[32],
                         struct sgx_err *err)
{
    struct sgx_sign_params p = {.date_bcd = sgx_date_bcd_today(), .miscselect = ld->miscselect,
                                .miscmask = ~0U, .attributes = {ld->attributes, ld->xfrm},
                                .attribute_mask = {~0ULL, ~0ULL}};
    struct sgx_sigstruct *sig = malloc(sizeof(*sig));
    int ret = 0;

    if (!sig)
        return sgx_err_set(err, "out of memory for the SIGSTRUCT"), -ENOMEM;
    memcpy(p.enclave_hash, mr, 32);
    if (e->desc.sigstruct && e->desc.sigstruct_wait) {
        ret = e->desc.sigstruct_wait(e->desc.sigstruct_arg);
        if (ret) {
            free(sig);
            return sgx_err_set(err, "no SIGSTRUCT to EINIT with: %s", strerror(-ret)), ret;
        }
    }
    if (e->desc.sigstruct)
        memcpy(sig, e->desc.sigstruct, sizeof(*sig));
    else
        ret = sgx_sigstruct_sign(&p, e->key, sig, err);
    if (!ret) {
        ret = e->drv->init(e->encl, &(struct sgx_enclave_init){(uintptr_t)sig});
        if (ret > 0)
            sgx_err_set(err, "EINIT failed with SGX error %d", ret);
        else if (ret < 0)
            sgx_err_set(err, "EINIT failed: %s", strerror(-ret));
    }
    free(sig);
    return ret > 0 ? -EPERM : ret;
}

/* TCS pages in layout order are threads 0, 1, ... */
static int find_tcs(struct urts_enclave *e, const struct sgx_layout *l, struct sgx_err *err)
{
    uint32_t t = 0;

    for (size_t i = 0; i < l->n_pages && t < e->threads; i++)
        if (sgx_secinfo_type(l->pages[i].secinfo_flags) == SGX_PT_TCS)
            e->thread[t++].tcs = e->base + l->pages[i].offset;
    if (t != e->threads)
        return sgx_err_set(err, "layout has %u TCS pages for %u threads", t, e->threads), -EINVAL;
    return 0;
}

static int build_layout(struct urts_enclave *e, struct sgx_layout *l, struct sgx_layout_desc *ld,
                        uint8_t mr[32], struct sgx_err *err)
{
    struct sgx_layout_elf elfs[SGX_LAYOUT_MAX_ELFS];
    int ret = describe(e, elfs, ld, err);

    if (!ret)
        ret = sgx_layout_build(ld, l, err);
    if (ret)
        return ret;
    /* The trusted PAL addresses SSA frames as single pages (docs/sgx-pal.md). */
    if (l->ssa_frame_size != 1) {
        sgx_layout_free(l);
        return sgx_err_set(err, "XFRM 0x%llx needs %u-page SSA frames; the trusted PAL supports 1",
                           (unsigned long long)ld->xfrm, l->ssa_frame_size), -EINVAL;
    }
    ret = sgx_layout_measure(l, mr);
    if (ret) {
        sgx_layout_free(l);
        sgx_err_set(err, "measuring the layout failed: %s", strerror(-ret));
    }
    return ret;
}

int urts_build(struct urts_enclave *e, struct sgx_err *err)
{
    struct sgx_layout own, *lp = &own;
    struct sgx_layout_desc ld;
    uint8_t mr[32] = {0};
    int ret;

    /* A prebuilt page list is used as is (its ELFs are not read again, so
     * what runs is what was measured and signed); its SIGSTRUCT carries the
     * MRENCLAVE, so mr is not needed. */
    if (e->desc.pages && e->desc.layout && e->desc.sigstruct) {
        lp = (struct sgx_layout *)e->desc.pages;
        ret = describe(e, NULL, &ld, err);
        if (!ret && lp->ssa_frame_size != 1) {
            sgx_err_set(err, "the trusted PAL supports 1-page SSA frames, the layout has %u",
                        lp->ssa_frame_size);
            ret = -EINVAL;
        }
    } else {
        ret = build_layout(e, &own, &ld, mr, err);
    }
    if (ret)
        return ret;
    struct sgx_layout l = *lp;
    ret = e->drv->open(e->drv, &e->encl);
    if (ret)
        sgx_err_set(err, "%s: cannot open an enclave: %s", e->drv->name, strerror(-ret));
    if (!ret)
        ret = create_secs(e, &l, &ld, err);
    if (!ret)
        ret = sgx_layout_add_pages(e->drv, e->encl, &l, err);
    if (!ret)
        e->cnt.eadd = sgx_layout_page_count(&l);
    if (!ret)
        ret = sign_and_init(e, &ld, mr, err);
    if (!ret)
        ret = find_tcs(e, &l, err);
    /* Built: the descriptor is not needed any more, and a forked process
     * must not hold this enclave's (urts_fork.c, urts_pool.c). */
    if (!ret && e->drv->release_fd)
        e->drv->release_fd(e->encl);
    if (lp == &own)
        sgx_layout_free(&own);
    if (ret && e->encl) {
        e->drv->close(e->encl);
        e->encl = NULL;
    }
    return ret;
}

static int setup_threads(struct urts_enclave *e, struct sgx_err *err)
{
    e->threads = e->desc.threads;
    if (!e->threads || e->threads > SGX_LAYOUT_MAX_THREADS)
        return sgx_err_set(err, "threads must be 1..%d", SGX_LAYOUT_MAX_THREADS), -EINVAL;
    e->thread = calloc(e->threads, sizeof(*e->thread));
    if (!e->thread)
        return sgx_err_set(err, "out of memory for %u threads", e->threads), -ENOMEM;
    for (uint32_t t = 0; t < e->threads; t++) {
        e->thread[t].encl = e;
        e->thread[t].index = t;
    }
    return 0;
}

int urts_create(const struct sgx_driver *drv, const struct urts_desc *desc, struct urts_enclave **out,
                struct sgx_err *err)
{
    struct urts_enclave *e = calloc(1, sizeof(*e));
    int ret;

    if (!e)
        return sgx_err_set(err, "out of memory"), -ENOMEM;
    urts_trap_install();
    e->drv = drv;
    e->desc = *desc;
    e->key = desc->key;
    if (!e->key && !desc->sigstruct) {
        e->key = sgx_key_generate(err);
        e->own_key = true;
    }
    ret = e->key || desc->sigstruct ? setup_threads(e, err) : -ENOMEM;
    if (!ret)
        ret = urts_build(e, err);
    if (!ret && drv->enter)
        ret = urts_configure(e, err);
    if (ret) {
        urts_destroy(e);
        return ret;
    }
    *out = e;
    return 0;
}

/* At debug log level: what the host saw, and what the enclave counted
 * itself (AEXs the host handled for AEX-Notify come back as ERESUMEs; the
 * enclave's EDECCSSA count is its own, the host cannot see it). */
void urts_print_counters(const struct urts_enclave *e, const struct enclave_stats *inside)
{
    const struct urts_counters *c = &e->cnt;

    fprintf(e->desc.log_counters,
            "geode: enclave transitions: EENTER %llu EEXIT %llu ERESUME %llu AEX(reported) %llu "
            "OCALL %llu",
            (unsigned long long)c->eenter, (unsigned long long)c->eexit,
            (unsigned long long)c->eresume, (unsigned long long)c->exceptions,
            (unsigned long long)c->ocalls);
    if (inside) {
        fprintf(e->desc.log_counters,
                "; inside: ECALL %llu OCALL %llu (exitless %llu) exceptions %llu notifications %llu "
                "EDECCSSA %llu stage-1 exits %llu\n",
                (unsigned long long)inside->ecalls, (unsigned long long)inside->ocalls,
                (unsigned long long)inside->exitless, (unsigned long long)inside->exceptions,
                (unsigned long long)inside->notifications, (unsigned long long)inside->edeccssa,
                (unsigned long long)inside->stage1_exits);
        fprintf(e->desc.log_counters,
                "geode: enclave build and fork: EADD %llu pages; received at fork %llu pages "
                "(data %llu)\n",
                (unsigned long long)e->cnt.eadd, (unsigned long long)inside->fork_pages,
                (unsigned long long)inside->fork_data_pages);
    } else {
        fprintf(e->desc.log_counters, "; inside: unavailable (enclave lost or not built)\n");
    }
}

static void log_counters(struct urts_enclave *e)
{
    struct enclave_stats s = {0};
    bool have = e->encl && urts_ecall(e, 0, ECALL_STATS, &s, 0, NULL) == 0;

    urts_print_counters(e, have ? &s : NULL);
}

void urts_destroy(struct urts_enclave *e)
{
    if (!e)
        return;
    if (e->desc.log_counters)
        log_counters(e);
    if (e->encl)
        e->drv->close(e->encl);
    if (e->own_key)
        sgx_key_free(e->key);
    free(e->thread);
    free(e);
}

int urts_rebuild(struct urts_enclave *e, struct sgx_err *err)
{
    int ret;

    if (e->encl)
        e->drv->close(e->encl);
    e->encl = NULL;
    e->restarts++;
    __atomic_store_n(&e->halted, 0, __ATOMIC_SEQ_CST); /* the new enclave's threads may run */
    ret = urts_build(e, err);
    return ret ? ret : urts_configure(e, err);
}
