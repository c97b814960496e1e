/* XSAVE images between the signal frame and SSA frames.
 *
 * The kernel's signal frame holds the FPU state as a standard-format
 * (non-compacted) XSAVE image: legacy region, header at 512, components at
 * the offsets CPUID(0xD, i).EBX gives; bytes 464..511 of the legacy region
 * carry the kernel's own descriptor (fx_sw_bytes) and must survive. The SSA
 * frame uses the same format, so components are copied at the same offsets,
 * limited to the enclave's XFRM and to what the frame holds. */
#include <cpuid.h>
#include <string.h>

#include "sim_ctx.h"
#include "sim_encl.h"
#include "sim_thread.h"

#define LEGACY_COPY 464 /* legacy region bytes, up to the software area */
#define HDR_OFF 512
#define FP_XSTATE_MAGIC1 0x46505853U
#define MAX_COMP 19

struct fx_sw {
    uint32_t magic1, extended_size;
    uint64_t xfeatures;
    uint32_t xstate_size;
};

/* Offset and size of each component (>= 2) in the standard format, 0
 * when the CPU lacks it: read once, as they never change, for CPUID is a
 * VM exit on a guest (microseconds) and these copies run at every AEX,
 * EENTER and EEXIT (four components with AVX-512, both ways, made the
 * sim's transitions ten times slower). Filled by the first caller, maybe
 * in a signal handler: every caller computes the same values, published
 * with a release store. */
static struct {
    uint32_t off, size;
} extents[MAX_COMP];
static int extents_ready; /* __atomic */

static void comp_extent(int i, uint32_t *off, uint32_t *size)
{
    if (!__atomic_load_n(&extents_ready, __ATOMIC_ACQUIRE)) {
        for (int k = 2; k < MAX_COMP; k++) {
            unsigned a, b, c, d;

            if (__get_cpuid_count(0xd, (unsigned)k, &a, &b, &c, &d) && a)
                extents[k].size = a, extents[k].off = b;
        }
        __atomic_store_n(&extents_ready, 1, __ATOMIC_RELEASE);
    }
    *off = extents[i].off;
    *size = extents[i].size;
}

/* The frame's XSAVE features (0 when the kernel used FXSAVE only). */
static uint64_t frame_features(const uint8_t *fp)
{
    struct fx_sw sw;

    memcpy(&sw, fp + LEGACY_COPY, sizeof(sw));
    return sw.magic1 == FP_XSTATE_MAGIC1 ? sw.xfeatures : 0;
}

static void copy_components(uint8_t *dst, const uint8_t *src, uint64_t mask)
{
    for (int i = 2; i < MAX_COMP; i++) {
        uint32_t off, size;

        if (!(mask & (1ULL << i)))
            continue;
        comp_extent(i, &off, &size);
        if (size)
            memcpy(dst + off, src + off, size);
    }
}

void sim_xsave_save(const ucontext_t *uc, uint8_t *frame, uint64_t xfrm)
{
    const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
    uint64_t feat, bv;

    if (!fp)
        return;
    feat = frame_features(fp) & xfrm;
    memcpy(frame, fp, LEGACY_COPY);
    bv = 3; /* x87 and SSE are always present in the legacy region */
    if (feat) {
        uint64_t fbv;

        memcpy(&fbv, fp + HDR_OFF, 8);
        bv = (fbv & feat) | 3;
        copy_components(frame, fp, feat & ~3ULL);
    }
    memset(frame + HDR_OFF, 0, 64);
    memcpy(frame + HDR_OFF, &bv, 8);
}

void sim_xsave_restore(ucontext_t *uc, const uint8_t *frame, uint64_t xfrm)
{
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    uint64_t feat, fbv, sbv;

    if (!fp)
        return;
    feat = frame_features(fp) & xfrm;
    memcpy(fp, frame, LEGACY_COPY);
    if (!feat)
        return;
    memcpy(&fbv, fp + HDR_OFF, 8);
    memcpy(&sbv, frame + HDR_OFF, 8);
    copy_components(fp, frame, feat & ~3ULL);
    /* Components outside XFRM (e.g. PKRU) keep the host's value. */
    fbv = (fbv & ~feat) | (sbv & feat) | 3;
    memcpy(fp + HDR_OFF, &fbv, 8);
}

void sim_xsave_init(ucontext_t *uc, uint64_t xfrm)
{
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    uint64_t feat, fbv;
    uint16_t fcw = 0x37f;
    uint32_t mxcsr = 0x1f80;

    if (!fp)
        return;
    feat = frame_features(fp) & xfrm;
    memset(fp, 0, LEGACY_COPY);
    memcpy(fp, &fcw, 2);
    memcpy(fp + 24, &mxcsr, 4);
    if (!feat)
        return;
    memcpy(&fbv, fp + HDR_OFF, 8);
    fbv &= ~(feat & ~3ULL); /* XRSTOR puts cleared components in init state */
    memcpy(fp + HDR_OFF, &fbv, 8);
}

/* The PKRU slot of the signal frame's XSAVE image, or NULL. */
static uint32_t *frame_pkru(ucontext_t *uc)
{
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    uint32_t off, size;
    uint64_t bv;

    if (!fp || !(frame_features(fp) & (1ULL << 9)))
        return NULL;
    comp_extent(9, &off, &size);
    if (size < 4)
        return NULL;
    /* A clear XSTATE_BV bit would make sigreturn load PKRU's init value. */
    memcpy(&bv, fp + HDR_OFF, 8);
    bv |= 1ULL << 9;
    memcpy(fp + HDR_OFF, &bv, 8);
    return (uint32_t *)(fp + off);
}

void sim_pkru_enter(struct sim_thread *t, ucontext_t *uc)
{
    uint32_t *pkru = t->encl->pkey > 0 ? frame_pkru(uc) : NULL;

    if (!pkru)
        return;
    t->host_pkru = *pkru;
    *pkru &= ~(3U << (2 * t->encl->pkey));
}

void sim_pkru_leave(struct sim_thread *t, ucontext_t *uc)
{
    uint32_t *pkru = t->encl->pkey > 0 ? frame_pkru(uc) : NULL;

    if (pkru)
        *pkru = t->host_pkru;
}
