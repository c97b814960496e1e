#include "sigstruct_show.h"

#include <string.h>

#include "hexfmt.h"
#include "sigstruct.h"

static void print_hex(FILE *out, const char *name, const uint8_t *p, size_t len)
{
    char buf[2 * SGX_MODULUS_SIZE + 1];

    hex_encode(p, len, buf);
    fprintf(out, "%-18s %s\n", name, buf);
}

static void print_attrs(FILE *out, const char *name, const struct sgx_attributes *a)
{
    fprintf(out, "%-18s flags=0x%016llx xfrm=0x%016llx\n", name, (unsigned long long)a->flags,
            (unsigned long long)a->xfrm);
}

static void print_flag_names(FILE *out, uint64_t flags)
{
    static const struct {
        uint64_t bit;
        const char *name;
    } names[] = {{SGX_ATTR_INIT, "INIT"},         {SGX_ATTR_DEBUG, "DEBUG"},
                 {SGX_ATTR_MODE64BIT, "MODE64BIT"}, {SGX_ATTR_PROVISIONKEY, "PROVISIONKEY"},
                 {SGX_ATTR_EINITTOKENKEY, "EINITTOKENKEY"}, {SGX_ATTR_CET, "CET"},
                 {SGX_ATTR_KSS, "KSS"},           {SGX_ATTR_AEXNOTIFY, "AEXNOTIFY"}};

    fprintf(out, "%-18s", "attribute names");
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (flags & names[i].bit)
            fprintf(out, " %s", names[i].name);
    if (flags & ~SGX_ATTR_KNOWN)
        fprintf(out, " unknown(0x%llx)", (unsigned long long)(flags & ~SGX_ATTR_KNOWN));
    fprintf(out, "\n");
}

static void print_header(FILE *out, const struct sgx_sigstruct *s)
{
    print_hex(out, "header", s->header, sizeof(s->header));
    fprintf(out, "%-18s 0x%04x\n", "vendor", s->vendor);
    fprintf(out, "%-18s %04x-%02x-%02x\n", "date", s->date >> 16, (s->date >> 8) & 0xff, s->date & 0xff);
    print_hex(out, "header2", s->header2, sizeof(s->header2));
    fprintf(out, "%-18s 0x%08x\n", "swdefined", s->swdefined);
    print_hex(out, "modulus", s->modulus, sizeof(s->modulus));
    fprintf(out, "%-18s %u\n", "exponent", s->exponent);
    print_hex(out, "signature", s->signature, sizeof(s->signature));
}

static void print_body(FILE *out, const struct sgx_sigstruct *s)
{
    fprintf(out, "%-18s 0x%08x\n", "miscselect", s->miscselect);
    fprintf(out, "%-18s 0x%08x\n", "miscmask", s->miscmask);
    print_hex(out, "isvfamilyid", s->isv_family_id, sizeof(s->isv_family_id));
    print_attrs(out, "attributes", &s->attributes);
    print_flag_names(out, s->attributes.flags);
    print_attrs(out, "attributemask", &s->attribute_mask);
    print_hex(out, "enclavehash", s->enclave_hash, sizeof(s->enclave_hash));
    print_hex(out, "isvextprodid", s->isv_ext_prod_id, sizeof(s->isv_ext_prod_id));
    fprintf(out, "%-18s %u\n", "isvprodid", s->isv_prod_id);
    fprintf(out, "%-18s %u\n", "isvsvn", s->isv_svn);
    print_hex(out, "q1", s->q1, sizeof(s->q1));
    print_hex(out, "q2", s->q2, sizeof(s->q2));
}

int sgx_sigstruct_print(FILE *out, const struct sgx_sigstruct *sig)
{
    struct sgx_err e = {{0}};
    uint8_t mrsigner[32];
    int ret;

    print_header(out, sig);
    print_body(out, sig);
    if (sgx_sigstruct_mrsigner(sig, mrsigner) == 0)
        print_hex(out, "mrsigner", mrsigner, sizeof(mrsigner));
    ret = sgx_sigstruct_verify(sig, &e);
    if (ret == 0)
        fprintf(out, "%-18s valid\n", "signature status");
    else
        fprintf(out, "%-18s INVALID (%s%s)\n", "signature status", e.msg,
                ret == SGX_INVALID_SIG_STRUCT ? "; EINIT: SGX_INVALID_SIG_STRUCT"
                : ret == SGX_INVALID_SIGNATURE ? "; EINIT: SGX_INVALID_SIGNATURE" : "");
    return ret;
}
