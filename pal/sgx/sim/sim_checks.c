#include "sim_checks.h"

#include <errno.h>

#include "ssa_size.h"

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static int check_secs_reserved(const struct sgx_secs *s)
{
    return all_zero(s->reserved1, sizeof(s->reserved1)) && all_zero(s->reserved2, sizeof(s->reserved2)) &&
           all_zero(s->reserved3, sizeof(s->reserved3)) && all_zero(s->reserved4, sizeof(s->reserved4));
}

int sim_check_secs(const struct sgx_secs *s, const struct sgx_sim_cpu *cpu)
{
    uint32_t need_pages;

    if (s->size < 2 * SGX_PAGE_SIZE || (s->size & (s->size - 1)) || (s->base & (s->size - 1)))
        return -EINVAL;
    if (s->miscselect & ~cpu->miscselect)
        return -EINVAL;
    /* INIT is set by EINIT only; a 64-bit host only builds 64-bit enclaves. */
    if ((s->attributes.flags & SGX_ATTR_INIT) || !(s->attributes.flags & SGX_ATTR_MODE64BIT) ||
        (s->attributes.flags & ~cpu->attributes))
        return -EINVAL;
    if ((s->attributes.xfrm & SGX_XFRM_LEGACY) != SGX_XFRM_LEGACY || (s->attributes.xfrm & ~cpu->xfrm))
        return -EINVAL;
    if (sgx_ssa_frame_pages(s->attributes.xfrm, s->miscselect, &need_pages, NULL) ||
        s->ssa_frame_size < need_pages)
        return -EINVAL;
    return check_secs_reserved(s) ? 0 : -EINVAL;
}

int sim_check_secinfo(const struct sgx_secinfo *si)
{
    uint64_t perms = si->flags & SGX_SECINFO_PERM_MASK;
    enum sgx_page_type type = sgx_secinfo_type(si->flags);

    if (type != SGX_PT_REG && type != SGX_PT_TCS)
        return -EINVAL;
    if ((perms & SGX_SECINFO_W) && !(perms & SGX_SECINFO_R))
        return -EINVAL;
    if (type == SGX_PT_TCS && perms)
        return -EINVAL;
    /* Reserved: every FLAGS bit but R/W/X and the type, and bytes 8..63. */
    if (si->flags & ~(SGX_SECINFO_PERM_MASK | SGX_SECINFO_TYPE_MASK))
        return -EINVAL;
    return all_zero(si->reserved, sizeof(si->reserved)) ? 0 : -EINVAL;
}

int sim_check_tcs(const struct sgx_tcs *t)
{
    if (t->state || (t->flags & SGX_TCS_DBGOPTIN) || (t->flags & ~SGX_TCS_FLAGS_KNOWN) ||
        t->cssa >= t->nssa || t->aep || !all_zero(t->reserved, sizeof(t->reserved)))
        return -EFAULT;
    if ((t->ossa | t->ofsbase | t->ogsbase) & (SGX_PAGE_SIZE - 1))
        return -EFAULT;
    if ((t->fslimit & 0xfff) != 0xfff || (t->gslimit & 0xfff) != 0xfff)
        return -EFAULT;
    return 0;
}
