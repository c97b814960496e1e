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

/* Returns 0, or -1 if the image has relocations we do not handle (only
 * RELATIVE ones are possible in a static-pie without TLS). */
int enclave_relocate(void)
{
    uint64_t load = (uint64_t)__ehdr_start;
    uint64_t rela = 0, relasz = 0, relaent = sizeof(struct rela);

    for (const struct dyn *d = _DYNAMIC; d->tag != DT_NULL; d++) {
        if (d->tag == DT_RELA)
            rela = d->val;
        else if (d->tag == DT_RELASZ)
            relasz = d->val;
        else if (d->tag == DT_RELAENT)
            relaent = d->val;
        else if (d->tag == DT_REL)
            return -1;
    }
    if (relaent != sizeof(struct rela))
        return -1;
    for (uint64_t off = 0; off + relaent <= relasz; off += relaent) {
        const struct rela *r = (const struct rela *)(load + rela + off);

        if ((uint32_t)r->info != R_X86_64_RELATIVE)
            return -1;
        *(uint64_t *)(load + r->offset) = load + (uint64_t)r->addend;
    }
    return 0;
}
