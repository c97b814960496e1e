/* SGX2 in the sim, from real enclave runs: EAUG on a fault in the enclave's
 * range (only where the page table allows the access), the PENDING page's
 * #PF with the SGX error-code bit, EACCEPT and its #GP/#PF and error codes,
 * EMODPR through the kernel's RESTRICT_PERMISSIONS ioctl (a write to a page
 * restricted to R faults), EMODPE, EMODT to TRIM + EACCEPT + REMOVE_PAGES
 * (the page comes back zeroed), EACCEPTCOPY, the ioctls' errnos, and a CPU
 * model without SGX2 (CPUID bit clear, #UD, -ENODEV). */
#include <sys/mman.h>

#include "../sgx/enclaves/sim_harness.h"
#include "tap.h"

#define PG 4096ULL
#define HEAP_SECINFO 3328 /* 64-byte aligned, in the heap's first page */
#define SGX_ERR(run, r) ((run).function == SGX_EEXIT ? (r).rdi : 0xdead)
#define ZF(r) (((r).rsi >> 6) & 1)

static sgx_sign_key *key;

static int load(struct tenc *t, bool sgx2)
{
    struct tenc_opts o = {.threads = 1,
                          .nssa = 2,
                          .cpu_edeccssa = true,
                          .key = key,
                          .no_sgx2 = !sgx2,
                          .enclave_size = 1ULL << 22};

    return tenc_load(t, &o);
}

/* The first of `n` pages in a row never added (above the image). */
static uint64_t free_pages(const struct tenc *t, uint64_t n)
{
    const struct sgx_sim_epcm *m = sgx_sim_epcm(t->encl);
    uint64_t run = 0;

    for (uint64_t p = 0; p < t->layout.size / PG - 1; p++) {
        run = m[p].valid ? 0 : run + 1;
        if (run == n)
            return t->base + (p + 1 - n) * PG;
    }
    return 0;
}

static const struct sgx_sim_epcm *epcm(const struct tenc *t, uint64_t addr)
{
    return &sgx_sim_epcm(t->encl)[(addr - t->base) / PG];
}

static void set_secinfo(const struct tenc *t, uint64_t flags)
{
    struct sgx_secinfo si;

    memset(&si, 0, sizeof(si));
    si.flags = flags;
    sgx_sim_dbg_write(t->encl, tenc_heap(t) + HEAP_SECINFO, &si, sizeof(si));
}

/* ENCLU[leaf] with RBX = the SECINFO (+ rbx_delta), RCX = page. */
static void leaf(const struct tenc *t, unsigned lf, uint64_t page, int64_t rbx_delta,
                 struct sgx_enclave_run *run, struct tres *r)
{
    tenc_enter(t, 0, SGX_EENTER, CMD_ENCLU, lf, tenc_heap(t) + HEAP_SECINFO + rbx_delta, page, 0,
               run, r);
}

/* An exception of the last entry: checks it, then skips the instruction
 * (ENCLU or the access: 3 bytes) and resumes to the EEXIT. */
static int fault_then_resume(const struct tenc *t, struct sgx_enclave_run *run, unsigned vector,
                             uint16_t *err)
{
    int ok = is_exception(run, SGX_ERESUME, vector);

    *err = run->exception_error_code;
    tenc_skip(t, 0, 0, 3);
    tenc_resume(t, run);
    return ok && run->function == SGX_EEXIT;
}

static int rd(const struct tenc *t, uint64_t addr, struct sgx_enclave_run *run, struct tres *r)
{
    tenc_enter(t, 0, SGX_EENTER, CMD_PF, addr, 0, 0, 0, run, r);
    return run->function == SGX_EEXIT && r->rdi == 0x2345;
}

static int wr(const struct tenc *t, uint64_t addr, uint64_t v, struct sgx_enclave_run *run,
              struct tres *r)
{
    tenc_enter(t, 0, SGX_EENTER, CMD_WRITE, addr, v, 0, 0, run, r);
    return run->function == SGX_EEXIT && r->rdi == 0x2346;
}

#define RW (SGX_SECINFO_R | SGX_SECINFO_W)
#define PF_EPCM (SGX_PFEC_SGX | SGX_PFEC_P)

static void test_eaug_accept(struct tenc *t, uint64_t f)
{
    struct sgx_enclave_run run;
    struct tres r;
    uint16_t err = 0;
    uint64_t v = 0;

    set_secinfo(t, SGX_SECINFO_REG | RW | SGX_SECINFO_PENDING);
    leaf(t, SGX_EACCEPT, f, 0, &run, &r);
    CHECK(fault_then_resume(t, &run, SGX_VEC_PF, &err) && !(err & SGX_PFEC_SGX) &&
              !epcm(t, f)->valid,
          "EACCEPT where the page table says PROT_NONE: #PF without the SGX bit (0x%x), nothing "
          "EAUGed",
          err);
    CHECK(t->drv.protect(t->encl, f, 4 * PG, PROT_READ | PROT_WRITE) == 0,
          "host mprotect RW of 4 unadded pages");
    tenc_enter(t, 0, SGX_EENTER, CMD_PF, f + 8, 0, 0, 0, &run, &r);
    CHECK(fault_then_resume(t, &run, SGX_VEC_PF, &err) && (err & PF_EPCM) == PF_EPCM &&
              run.exception_addr == f,
          "read of an unadded page: the kernel EAUGs it, the PENDING page faults with SGX|P (0x%x)",
          err);
    CHECK(epcm(t, f)->valid && epcm(t, f)->type == SGX_PT_REG && epcm(t, f)->perms == RW &&
              epcm(t, f)->state == SGX_SECINFO_PENDING,
          "EAUGed page: REG, RW, PENDING");
    leaf(t, SGX_EACCEPT, f, 0, &run, &r);
    CHECK(SGX_ERR(run, r) == 0 && !ZF(r) && epcm(t, f)->state == 0,
          "EACCEPT of the PENDING page: 0, ZF clear");
    CHECK(wr(t, f + 16, 0x1122334455667788ULL, &run, &r) && rd(t, f + 16, &run, &r) &&
              sgx_sim_dbg_read(t->encl, f + 16, &v, 8) == 0 && v == 0x1122334455667788ULL,
          "the accepted page is read-write for enclave code");
    leaf(t, SGX_EACCEPT, f, 0, &run, &r);
    CHECK(SGX_ERR(run, r) == SGX_PAGE_ATTRIBUTES_MISMATCH && ZF(r),
          "EACCEPT again (not PENDING any more): SGX_PAGE_ATTRIBUTES_MISMATCH, ZF set");
    leaf(t, SGX_EACCEPT, f + PG, 0, &run, &r);
    CHECK(SGX_ERR(run, r) == 0 && epcm(t, f + PG)->valid && epcm(t, f + PG)->state == 0,
          "EACCEPT of a page not EAUGed yet: the kernel EAUGs it on the leaf's fault, then it is "
          "accepted");
}

static void test_gp(struct tenc *t, uint64_t f)
{
    struct sgx_enclave_run run;
    struct tres r;
    uint16_t err;

    set_secinfo(t, SGX_SECINFO_REG | RW | SGX_SECINFO_PENDING);
    leaf(t, SGX_EACCEPT, f, 8, &run, &r);
    CHECK(fault_then_resume(t, &run, SGX_VEC_GP, &err),
          "EACCEPT with a SECINFO not 64-byte aligned: #GP");
    leaf(t, SGX_EACCEPT, f + 8, 0, &run, &r);
    CHECK(fault_then_resume(t, &run, SGX_VEC_GP, &err),
          "EACCEPT of an address not page aligned: #GP");
    set_secinfo(t, SGX_SECINFO_REG | RW | SGX_SECINFO_PENDING | (1ULL << 6));
    leaf(t, SGX_EACCEPT, f, 0, &run, &r);
    CHECK(fault_then_resume(t, &run, SGX_VEC_GP, &err), "EACCEPT with a reserved SECINFO bit: #GP");
    set_secinfo(t, SGX_SECINFO_REG | RW | SGX_SECINFO_PENDING | SGX_SECINFO_MODIFIED);
    leaf(t, SGX_EACCEPT, f, 0, &run, &r);
    CHECK(fault_then_resume(t, &run, SGX_VEC_GP, &err),
          "EACCEPT of PENDING|MODIFIED (not a legal combination): #GP");
    tenc_enter(t, 0, SGX_EENTER, CMD_ENCLU, SGX_EACCEPT, tenc_heap(t) + HEAP_SECINFO,
               t->base + t->layout.size, 0, &run, &r);
    CHECK(fault_then_resume(t, &run, SGX_VEC_GP, &err),
          "EACCEPT of an address outside ELRANGE: #GP");
}

static void test_restrict(struct tenc *t, uint64_t f)
{
    struct sgx_enclave_restrict_permissions rp = {f - t->base, PG, SGX_SECINFO_R, 0, 0};
    struct sgx_enclave_run run;
    struct tres r;
    uint16_t err = 0;
    int ret = t->drv.restrict_permissions(t->encl, &rp);

    CHECK(ret == 0 && rp.count == PG && epcm(t, f)->perms == SGX_SECINFO_R &&
              epcm(t, f)->state == SGX_SECINFO_PR,
          "RESTRICT_PERMISSIONS to R: EMODPR leaves R with PR set (%d)", ret);
    CHECK(rd(t, f, &run, &r), "a PR page is still readable");
    tenc_enter(t, 0, SGX_EENTER, CMD_WRITE, f, 1, 0, 0, &run, &r);
    CHECK(fault_then_resume(t, &run, SGX_VEC_PF, &err) && (err & PF_EPCM) == PF_EPCM &&
              (err & SGX_PFEC_W),
          "a write to it faults: #PF with SGX|P|W (0x%x) though the page table allows it", err);
    set_secinfo(t, SGX_SECINFO_REG | SGX_SECINFO_R | SGX_SECINFO_PR);
    leaf(t, SGX_EACCEPT, f, 0, &run, &r);
    CHECK(SGX_ERR(run, r) == 0 && epcm(t, f)->state == 0,
          "EACCEPT of REG|R|PR after the ioctl's ETRACK: 0");
    set_secinfo(t, SGX_SECINFO_REG | RW | SGX_SECINFO_X);
    leaf(t, SGX_EMODPE, f, 0, &run, &r);
    CHECK(run.function == SGX_EEXIT && epcm(t, f)->perms == (RW | SGX_SECINFO_X),
          "EMODPE extends R to RWX");
    CHECK(wr(t, f, 5, &run, &r), "the page is writable again");
    rp = (struct sgx_enclave_restrict_permissions){f - t->base, PG, SGX_SECINFO_W, 0, 0};
    CHECK(t->drv.restrict_permissions(t->encl, &rp) == -EINVAL,
          "RESTRICT_PERMISSIONS W without R: -EINVAL");
    rp = (struct sgx_enclave_restrict_permissions){f - t->base, PG, SGX_SECINFO_R, 0, 4096};
    CHECK(t->drv.restrict_permissions(t->encl, &rp) == -EINVAL,
          "RESTRICT_PERMISSIONS with count != 0: -EINVAL");
    rp = (struct sgx_enclave_restrict_permissions){f + 3 * PG - t->base, PG, SGX_SECINFO_R, 0, 0};
    CHECK(t->drv.restrict_permissions(t->encl, &rp) == -EFAULT && rp.count == 0,
          "RESTRICT_PERMISSIONS of a page not in the enclave: -EFAULT, count 0");
    rp = (struct sgx_enclave_restrict_permissions){f - t->base + 1, PG, SGX_SECINFO_R, 0, 0};
    CHECK(t->drv.restrict_permissions(t->encl, &rp) == -EINVAL,
          "RESTRICT_PERMISSIONS not page aligned: -EINVAL");
}

static void test_trim(struct tenc *t, uint64_t f)
{
    struct sgx_enclave_modify_types mt = {f - t->base, PG, SGX_PT_TRIM, 0, 0};
    struct sgx_enclave_remove_pages rm = {f - t->base, PG, 0};
    struct sgx_enclave_run run;
    struct tres r;
    uint16_t err = 0;
    uint64_t v = 1;

    CHECK(t->drv.modify_types(t->encl, &mt) == 0 && mt.count == PG &&
              epcm(t, f)->type == SGX_PT_TRIM && epcm(t, f)->state == SGX_SECINFO_MODIFIED &&
              epcm(t, f)->perms == 0,
          "MODIFY_TYPES to TRIM: EMODT, MODIFIED, no permissions");
    CHECK(t->drv.remove_pages(t->encl, &rm) == -EPERM && rm.count == 0,
          "REMOVE_PAGES before the EACCEPT: -EPERM");
    tenc_enter(t, 0, SGX_EENTER, CMD_PF, f, 0, 0, 0, &run, &r);
    CHECK(fault_then_resume(t, &run, SGX_VEC_PF, &err) && (err & PF_EPCM) == PF_EPCM,
          "a read of the trimmed page: #PF with SGX (0x%x)", err);
    set_secinfo(t, ((uint64_t)SGX_PT_TRIM << 8) | SGX_SECINFO_MODIFIED);
    leaf(t, SGX_EACCEPT, f, 0, &run, &r);
    CHECK(SGX_ERR(run, r) == 0, "EACCEPT of TRIM|MODIFIED after the ioctl's ETRACK: 0");
    rm = (struct sgx_enclave_remove_pages){f - t->base, PG, 0};
    CHECK(t->drv.remove_pages(t->encl, &rm) == 0 && rm.count == PG && !epcm(t, f)->valid,
          "REMOVE_PAGES after the EACCEPT: EREMOVE, the page is gone");
    set_secinfo(t, SGX_SECINFO_REG | RW | SGX_SECINFO_PENDING);
    leaf(t, SGX_EACCEPT, f, 0, &run, &r);
    CHECK(SGX_ERR(run, r) == 0 && sgx_sim_dbg_read(t->encl, f, &v, 8) == 0 && v == 0,
          "EAUGed again on the next access and accepted: its contents are zero");
    mt = (struct sgx_enclave_modify_types){f - t->base, PG, SGX_PT_REG, 0, 0};
    CHECK(t->drv.modify_types(t->encl, &mt) == -EINVAL, "MODIFY_TYPES to REG: -EINVAL");
    rm = (struct sgx_enclave_remove_pages){f - t->base, PG, 0};
    CHECK(t->drv.remove_pages(t->encl, &rm) == -EPERM, "REMOVE_PAGES of a REG page: -EPERM");
}

static void test_acceptcopy(struct tenc *t, uint64_t f)
{
    uint64_t src = tenc_heap(t) + 2 * PG, v = 0;
    struct sgx_enclave_run run;
    struct tres r;
    uint16_t err = 0;
    uint8_t pat[PG];

    for (size_t i = 0; i < PG; i++)
        pat[i] = (uint8_t)(i * 7 + 1);
    sgx_sim_dbg_write(t->encl, src, pat, PG);
    tenc_heap_set(t, HEAP_COPY_SRC, src);
    set_secinfo(t, SGX_SECINFO_REG | SGX_SECINFO_R);
    leaf(t, SGX_EACCEPTCOPY, f, 0, &run, &r);
    CHECK(
        SGX_ERR(run, r) == 0 && epcm(t, f)->perms == SGX_SECINFO_R && epcm(t, f)->state == 0 &&
            sgx_sim_dbg_read(t->encl, f + 8, &v, 8) == 0 && !memcmp(&v, pat + 8, 8),
        "EACCEPTCOPY into a page EAUGed on the leaf's fault: the source's contents, permissions R");
    tenc_enter(t, 0, SGX_EENTER, CMD_WRITE, f, 1, 0, 0, &run, &r);
    CHECK(fault_then_resume(t, &run, SGX_VEC_PF, &err) && (err & PF_EPCM) == PF_EPCM,
          "and a write to it faults");
    leaf(t, SGX_EACCEPTCOPY, f, 0, &run, &r);
    CHECK(SGX_ERR(run, r) == SGX_PAGE_ATTRIBUTES_MISMATCH,
          "EACCEPTCOPY of a page not PENDING: mismatch");
}

static void test_no_sgx2(void)
{
    struct sgx_enclave_restrict_permissions rp = {0, PG, SGX_SECINFO_R, 0, 0};
    struct sgx_enclave_run run;
    struct cpuid_regs c;
    struct tres r;
    struct tenc t;
    uint16_t err;

    if (!CHECK(load(&t, false) == 0, "enclave on a CPU model without SGX2"))
        return;
    sgx_sim_cpuid(&t.cpu, 0, &c);
    CHECK(!(c.eax & SGX_CPUID0_EAX_SGX2), "CPUID(0x12,0).EAX bit 1 clear");
    leaf(&t, SGX_EACCEPT, t.base, 0, &run, &r);
    CHECK(fault_then_resume(&t, &run, SGX_VEC_UD, &err), "EACCEPT: #UD");
    CHECK(t.drv.restrict_permissions(t.encl, &rp) == -ENODEV, "RESTRICT_PERMISSIONS: -ENODEV");
    tenc_close(&t);
}

int main(int argc, char **argv)
{
    struct sgx_sim_counters n;
    struct cpuid_regs c;
    struct tenc t;
    uint64_t f;

    (void)argc;
    harness_init(argv[0]);
    key = sgx_key_generate(NULL);
    if (!CHECK(key && load(&t, true) == 0, "enclave on the default (SGX2) model"))
        return TAP_DONE();
    sgx_sim_cpuid(&t.cpu, 0, &c);
    CHECK(c.eax & SGX_CPUID0_EAX_SGX2, "CPUID(0x12,0).EAX bit 1 set");
    f = free_pages(&t, 8);
    if (CHECK(f, "8 unadded pages in ELRANGE")) {
        test_eaug_accept(&t, f);
        test_gp(&t, f);
        test_restrict(&t, f);
        test_trim(&t, f);
        test_acceptcopy(&t, f + 2 * PG);
        sgx_sim_counters(t.encl, &n);
        CHECK(n.eaug == 4 && n.eremove == 1 && n.emodpr == 1 && n.emodt == 1 && n.emodpe == 1,
              "counters: EAUG %lu EREMOVE %lu EMODPR %lu EMODT %lu EMODPE %lu",
              (unsigned long)n.eaug, (unsigned long)n.eremove, (unsigned long)n.emodpr,
              (unsigned long)n.emodt, (unsigned long)n.emodpe);
    }
    tenc_close(&t);
    test_no_sgx2();
    sgx_key_free(key);
    return TAP_DONE();
}
