/* Test harness for the sim's execution leaves: loads tests/sgx/enclaves/
 * test_encl.S's ELF with the image builder, signs it, builds it through the
 * sim driver and enters it through drv->enter, as the host runtime does.
 * Included by tests/unit/test_sgx_sim_*.c (static functions only). */
#ifndef GEODE_TEST_SIM_HARNESS_H
#define GEODE_TEST_SIM_HARNESS_H

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layout.h"
#include "sigstruct.h"
#include "sim_build.h"
#include "sim_run.h"

/* test_encl.S's commands and records. */
enum { CMD_ECHO, CMD_UD, CMD_PF, CMD_DE, CMD_BP, CMD_SYSCALL, CMD_LOOP, CMD_EDECCSSA, CMD_EREPORT, CMD_EGETKEY,
       CMD_SPIN, CMD_SETFLAG, CMD_RDTSC, CMD_ENCLU, CMD_WRITE, CMD_PEXIT, CMD_PEXIT_BADRBP };
#define HEAP_COPY_SRC 3400
#define GUARD (0x5e5e5e5eULL << 32)
#define ARM_NOTIFY 1
#define HEAP_SPIN_STARTED 3080
#define HEAP_NOTIFY_COUNT 3200
#define HEAP_LAST_EXITINFO 3208
#define HEAP_LAST_RIP 3216
#define HEAP_LAST_CSSA 3224
#define HEAP_FAULT_IN_HANDLER 3300

struct tenc {
    struct sgx_sim_cpu cpu;
    struct sgx_driver drv;
    struct sgx_driver_encl *encl;
    struct sgx_layout layout;
    uint64_t base;
    uint32_t threads;
};

struct tenc_opts {
    uint32_t threads, nssa;
    bool aexnotify;     /* enclave attribute (and TCS flag) */
    bool cpu_edeccssa;
    bool cpu_no_aexnotify; /* the simulated CPU lacks the AEXNOTIFY attribute */
    bool isolation;        /* protection keys deny host access to enclave pages */
    bool rdtsc_ud;         /* RDTSC is #UD in enclaves (SGX1 model) */
    bool no_exinfo;        /* MISCSELECT.EXINFO clear */
    bool no_sgx2;          /* the simulated CPU lacks SGX2 */
    uint64_t enclave_size; /* 0: the smallest that fits */
    uint64_t heap_size;
    sgx_sign_key *key;
    bool stop_before_init; /* leave it created with pages added */
};

/* Registers at EEXIT, as the vDSO's user_handler sees them. */
struct tres {
    uint64_t rdi, rsi, rdx, r8, r9;
    int calls;
};

static __attribute__((unused)) char harness_elf[4096];

/* The enclave ELF beside this build's tests/, or else in $GEODE_BUILD (the
 * sanitizer run rebuilds only the test programs in its own tree). */
static __attribute__((unused)) void harness_init(const char *argv0)
{
    const char *build = getenv("GEODE_BUILD");
    char tmp[4096];

    snprintf(tmp, sizeof(tmp), "%s", argv0);
    snprintf(harness_elf, sizeof(harness_elf), "%s/../enclaves/test_encl.elf", dirname(tmp));
    if (access(harness_elf, R_OK) && build)
        snprintf(harness_elf, sizeof(harness_elf), "%s/enclaves/test_encl.elf", build);
    sgx_sim_set_root_key((const uint8_t *)"geode-test-root!");
}

static __attribute__((unused)) int tenc_sign(struct tenc *t, const struct tenc_opts *o, uint64_t attrs, struct sgx_sigstruct *sig)
{
    struct sgx_sign_params p = {.date_bcd = 0x20261122, .miscselect = o->no_exinfo ? 0 : SGX_MISC_EXINFO,
                                .miscmask = ~0U,
                                .attributes = {attrs, SGX_XFRM_LEGACY | SGX_XFRM_AVX},
                                .attribute_mask = {~0ULL, ~0ULL}, .isv_prod_id = 7, .isv_svn = 3};

    if (sgx_layout_measure(&t->layout, p.enclave_hash))
        return -1;
    return sgx_sigstruct_sign(&p, o->key, sig, NULL);
}

static __attribute__((unused)) int tenc_add_all(struct tenc *t)
{
    static uint8_t page[4096] __attribute__((aligned(4096)));
    struct sgx_secinfo si __attribute__((aligned(64)));
    int ret = 0;

    /* Page by page: an entry's run of zero pages too. */
    for (size_t i = 0; !ret && i < t->layout.n_pages; i++) {
        const struct sgx_layout_page *p = &t->layout.pages[i];

        for (uint64_t k = 0; !ret && k < sgx_layout_entry_pages(p); k++) {
            struct sgx_enclave_add_pages a = {(uintptr_t)page, p->offset + k * 4096, 4096, (uintptr_t)&si,
                                              p->measured ? SGX_PAGE_MEASURE : 0, 0};

            memset(&si, 0, sizeof(si));
            si.flags = p->secinfo_flags;
            if (p->data)
                memcpy(page, p->data, 4096);
            else
                memset(page, 0, 4096);
            ret = t->drv.add_pages(t->encl, &a);
        }
    }
    return ret;
}

/* Builds, signs and (unless stop_before_init) initializes. 0 or an error. */
static __attribute__((unused)) int tenc_load(struct tenc *t, const struct tenc_opts *o)
{
    static struct sgx_secs secs;
    struct sgx_layout_elf elf = {harness_elf, 0, false};
    uint64_t attrs = SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG | (o->aexnotify ? SGX_ATTR_AEXNOTIFY : 0);
    struct sgx_layout_desc d = {.elfs = &elf, .n_elfs = 1, .threads = o->threads ? o->threads : 1,
                                .stack_size = 65536, .nssa = o->nssa ? o->nssa : 2, .attributes = attrs,
                                .xfrm = SGX_XFRM_LEGACY | SGX_XFRM_AVX,
                                .miscselect = o->no_exinfo ? 0 : SGX_MISC_EXINFO,
                                .heap_size = o->heap_size ? o->heap_size : 16384,
                                .enclave_size = o->enclave_size};
    struct sgx_err e = {{0}};
    struct sgx_sigstruct sig;
    int ret;

    memset(t, 0, sizeof(*t));
    t->threads = d.threads;
    sgx_sim_cpu_default(&t->cpu, !o->cpu_no_aexnotify);
    t->cpu.edeccssa = o->cpu_edeccssa;
    t->cpu.isolation = o->isolation;
    t->cpu.rdtsc_ud = o->rdtsc_ud;
    t->cpu.sgx2 = !o->no_sgx2;
    sgx_sim_driver_init(&t->drv, &t->cpu);
    if (sgx_layout_build(&d, &t->layout, &e)) {
        fprintf(stderr, "layout: %s\n", e.msg);
        return -1;
    }
    if (t->layout.ssa_frame_size != 1 || tenc_sign(t, o, attrs, &sig))
        return -2;
    memset(&secs, 0, sizeof(secs));
    secs.size = t->layout.size;
    secs.ssa_frame_size = 1;
    secs.miscselect = d.miscselect;
    secs.attributes = (struct sgx_attributes){attrs, SGX_XFRM_LEGACY | SGX_XFRM_AVX};
    ret = t->drv.open(&t->drv, &t->encl);
    ret = ret ? ret : sgx_reserve_range(secs.size, &secs.base);
    ret = ret ? ret : t->drv.create(t->encl, &(struct sgx_enclave_create){(uintptr_t)&secs});
    ret = ret ? ret : tenc_add_all(t);
    t->base = secs.base;
    if (ret || o->stop_before_init)
        return ret;
    return t->drv.init(t->encl, &(struct sgx_enclave_init){(uintptr_t)&sig});
}

static __attribute__((unused)) void tenc_close(struct tenc *t)
{
    if (t->encl)
        t->drv.close(t->encl);
    sgx_layout_free(&t->layout);
    t->encl = NULL;
}

/* The image builder's TCS for thread i (a copy of the page it planned). */
static const struct sgx_tcs *tenc_tcs_plan(const struct tenc *t, uint32_t i)
{
    for (size_t k = 0; k < t->layout.n_pages; k++)
        if (!strcmp(t->layout.pages[k].region, "tcs") && i-- == 0)
            return (const struct sgx_tcs *)t->layout.pages[k].data;
    return NULL;
}

static __attribute__((unused)) uint64_t tenc_tcs(const struct tenc *t, uint32_t i)
{
    return t->base + (uint64_t)i * 4096; /* TCS pages come first */
}

static __attribute__((unused)) uint64_t tenc_ssa_gpr(const struct tenc *t, uint32_t thread, uint32_t frame)
{
    return t->base + tenc_tcs_plan(t, thread)->ossa + frame * 4096ULL + 4096 - sizeof(struct sgx_gprsgx);
}

static __attribute__((unused)) struct sgx_gprsgx tenc_gpr(const struct tenc *t, uint32_t thread, uint32_t frame)
{
    struct sgx_gprsgx g;

    memset(&g, 0xee, sizeof(g));
    sgx_sim_dbg_read(t->encl, tenc_ssa_gpr(t, thread, frame), &g, sizeof(g));
    return g;
}

static __attribute__((unused)) uint32_t tenc_cssa(const struct tenc *t, uint32_t thread)
{
    uint32_t cssa = 0xdead;

    sgx_sim_dbg_read(t->encl, tenc_tcs(t, thread) + offsetof(struct sgx_tcs, cssa), &cssa, 4);
    return cssa;
}

static __attribute__((unused)) uint64_t tenc_heap(const struct tenc *t)
{
    const struct sgx_layout_tls *tls = NULL;

    for (size_t k = 0; k < t->layout.n_pages && !tls; k++)
        if (!strcmp(t->layout.pages[k].region, "tls"))
            tls = (const struct sgx_layout_tls *)t->layout.pages[k].data;
    return tls ? t->base + tls->heap_offset : 0;
}

static __attribute__((unused)) uint64_t tenc_heap_u64(const struct tenc *t, uint64_t off)
{
    uint64_t v = 0xdeadbeef;

    sgx_sim_dbg_read(t->encl, tenc_heap(t) + off, &v, 8);
    return v;
}

static __attribute__((unused)) void tenc_heap_set(const struct tenc *t, uint64_t off, uint64_t v)
{
    sgx_sim_dbg_write(t->encl, tenc_heap(t) + off, &v, 8);
}

/* Adds n to the saved RIP of an SSA frame (what a stage-2 handler does). */
static __attribute__((unused)) void tenc_skip(const struct tenc *t, uint32_t thread, uint32_t frame, uint64_t n)
{
    struct sgx_gprsgx g = tenc_gpr(t, thread, frame);

    g.rip += n;
    sgx_sim_dbg_write(t->encl, tenc_ssa_gpr(t, thread, frame) + offsetof(struct sgx_gprsgx, rip), &g.rip, 8);
}

/* Calls the vDSO keeping R12-R15 (the enclave may clobber them; the real
 * vDSO does not save them either). */
int harness_call_vdso(vdso_sgx_enter_enclave_t fn, unsigned long rdi, unsigned long rsi, unsigned long rdx,
                      unsigned int function, unsigned long r8, unsigned long r9, struct sgx_enclave_run *run);
__asm__(".text\n"
        ".globl harness_call_vdso\n"
        "harness_call_vdso:\n"
        "  push %rbp\n"
        "  mov %rsp, %rbp\n"
        "  push %rbx\n"
        "  push %r12\n"
        "  push %r13\n"
        "  push %r14\n"
        "  push %r15\n"
        "  pushq 24(%rbp)\n"
        "  mov %rdi, %rax\n"
        "  mov %rsi, %rdi\n"
        "  mov %rdx, %rsi\n"
        "  mov %rcx, %rdx\n"
        "  mov %r8d, %ecx\n"
        "  mov %r9, %r8\n"
        "  mov 16(%rbp), %r9\n"
        "  call *%rax\n"
        "  add $8, %rsp\n"
        "  pop %r15\n"
        "  pop %r14\n"
        "  pop %r13\n"
        "  pop %r12\n"
        "  pop %rbx\n"
        "  pop %rbp\n"
        "  ret\n");

static __attribute__((unused)) int record_exit(long rdi, long rsi, long rdx, long ursp, long r8, long r9, struct sgx_enclave_run *run)
{
    struct tres *r = (struct tres *)(uintptr_t)run->user_data;

    (void)ursp;
    *r = (struct tres){(uint64_t)rdi, (uint64_t)rsi, (uint64_t)rdx, (uint64_t)r8, (uint64_t)r9, r->calls + 1};
    return 0;
}

/* One drv->enter with the recording user_handler; returns enter's result. */
static __attribute__((unused)) int tenc_enter(const struct tenc *t, uint32_t thread, unsigned fn, uint64_t cmd, uint64_t a, uint64_t b,
                      uint64_t c, uint64_t flags, struct sgx_enclave_run *run, struct tres *res)
{
    memset(run, 0, sizeof(*run));
    memset(res, 0, sizeof(*res));
    run->tcs = tenc_tcs(t, thread);
    run->user_handler = (uintptr_t)record_exit;
    run->user_data = (uintptr_t)res;
    return harness_call_vdso(t->drv.enter, cmd, a, b, fn, c, GUARD | flags, run);
}

/* ERESUME on the same run structure (keeps user_handler/user_data). */
static __attribute__((unused)) int tenc_resume(const struct tenc *t, struct sgx_enclave_run *run)
{
    return harness_call_vdso(t->drv.enter, 0, 0, 0, SGX_ERESUME, 0, 0, run);
}

static __attribute__((unused)) int is_exception(const struct sgx_enclave_run *run, unsigned function, unsigned vector)
{
    return run->function == function && run->exception_vector == vector;
}

#endif
