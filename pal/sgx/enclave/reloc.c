/* Self-relocation: the enclave is loaded at a base chosen at run time, so the
 * static-pie's R_X86_64_RELATIVE relocations are applied once, on the first
 * ECALL, before any absolute pointer in data is used. Until then only
 * PC-relative references work, which is all this file uses (hidden symbols). */
#include "enclave_internal.h"

#define DT_NULL 0
#define DT_RELA 7
#define DT_RELASZ 8
#define DT_RELAENT 9
#define DT_REL 17
#define R_X86_64_RELATIVE 8

struct dyn {
    int64_t tag;
    uint64_t val;
};

struct rela {
    uint64_t offset, info;
    int64_t addend;
};

extern const struct dyn _DYNAMIC[] __attribute__((visibility("hidden")));
extern const char __ehdr_start[] __attribute__((visibility("hidden")));

/* Applies the RELATIVE relocations of the image loaded at `load` whose
 * dynamic section is dyn; every relocation target must lie in [load, load +
 * span). Returns 0, or -1 for anything else (other relocation types, REL
 * tables, a target or table outside the image). */
int enclave_relocate_image(uint64_t load, const void *dynamic, uint64_t span)
{
    uint64_t rela = 0, relasz = 0, relaent = sizeof(struct rela);

    for (const struct dyn *d = dynamic; d->tag != DT_NULL; d++) {
        if (d->tag == DT_RELA)
            rela = d->val;
        else if (d->tag == DT_RELASZ)
            relasz = d->val;
        else if (d->tag == DT_RELAENT)
            relaent = d->val;
        else if (d->tag == DT_REL)
            return -1;
    }
    if (relaent != sizeof(struct rela) || rela > span || relasz > span - rela)
        return -1;
    for (uint64_t off = 0; off + relaent <= relasz; off += relaent) {
        const struct rela *r = (const struct rela *)(load + rela + off);

        if ((uint32_t)r->info != R_X86_64_RELATIVE || r->offset > span - 8)
            return -1;
        *(uint64_t *)(load + r->offset) = load + (uint64_t)r->addend;
    }
    return 0;
}

/* The PAL itself, on the first ECALL: only PC-relative references until
 * this returns. Returns 0, or -1 if the image has relocations we do not
 * handle (only RELATIVE ones are possible in a static-pie without TLS). */
int enclave_relocate(void)
{
    return enclave_relocate_image((uint64_t)__ehdr_start, _DYNAMIC, ~0ULL >> 1);
}
