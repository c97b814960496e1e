/* uRTS: the host side of OCALLs. The frame is in host memory but written by
 * the enclave; it is validated like any other input before anything runs. */
#include <errno.h>
#include <string.h>

#include "urts_exitless.h"
#include "urts_internal.h"
#include "urts_ocall.h"

typedef int64_t (*ocall_fn)(struct urts_enclave *e, uint32_t thread, const uint8_t *in, uint64_t in_size,
                            uint8_t *out, uint64_t out_cap, uint64_t *out_size);

static int64_t ocall_add(struct urts_enclave *e, uint32_t thread, const uint8_t *in, uint64_t in_size,
                         uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    uint64_t v[2], sum;

    (void)e;
    (void)thread;
    if (in_size != sizeof(v) || out_cap < sizeof(sum))
        return -EINVAL;
    memcpy(v, in, sizeof(v));
    sum = v[0] + v[1];
    memcpy(out, &sum, sizeof(sum));
    *out_size = sizeof(sum);
    return 0;
}

static int64_t ocall_hook(struct urts_enclave *e, uint32_t thread, const uint8_t *in, uint64_t in_size,
                          uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    uint64_t cookie;

    (void)out;
    (void)out_cap;
    *out_size = 0;
    if (in_size != sizeof(cookie))
        return -EINVAL;
    memcpy(&cookie, in, sizeof(cookie));
    return e->hook ? e->hook(e, thread, cookie, e->hook_ctx) : 0;
}

static const ocall_fn ocall_table[OCALL_COUNT] = {
    [OCALL_ADD] = ocall_add,
    [OCALL_HOOK] = ocall_hook,
    [OCALL_EXITLESS_WAIT] = urts_exitless_wait,
};

urts_ocall_family_fn urts_ocall_family(uint64_t number)
{
    if ((number >= OCALL_FS_FIRST && number <= OCALL_FS_LAST) ||
        (number >= OCALL_FS_MORE_FIRST && number <= OCALL_FS_MORE_LAST))
        return urts_ocall_fs;
    if (number >= OCALL_NET_FIRST && number <= OCALL_NET_LAST)
        return urts_ocall_net;
    if (number >= OCALL_PROC_FIRST && number <= OCALL_PROC_LAST)
        return urts_ocall_proc;
    if (number >= OCALL_PROCS_FIRST && number <= OCALL_PROCS_LAST)
        return urts_ocall_procs;
    if (number >= OCALL_SHM_FIRST && number <= OCALL_SHM_LAST)
        return urts_ocall_shm;
    if (number >= OCALL_ATTEST_FIRST && number <= OCALL_ATTEST_LAST)
        return urts_ocall_attest;
    return NULL;
}

int urts_ocall_begin(struct urts_ocall_in *r, const uint8_t *in, uint64_t in_size)
{
    if (in_size < sizeof(r->a))
        return -EINVAL;
    memcpy(&r->a, in, sizeof(r->a));
    r->p = in;
    r->len = in_size;
    r->pos = sizeof(r->a);
    return 0;
}

const uint8_t *urts_ocall_bytes(struct urts_ocall_in *r, int64_t len)
{
    const uint8_t *b;

    if (len < 0 || (uint64_t)len > r->len - r->pos)
        return NULL;
    b = r->p + r->pos;
    r->pos += (uint64_t)len;
    return b;
}

const char *urts_ocall_str(struct urts_ocall_in *r, int64_t len)
{
    uint64_t start = r->pos;
    const uint8_t *b;

    if (len < 1 || !(b = urts_ocall_bytes(r, len)))
        return NULL;
    if (memchr(b, 0, (size_t)len) != b + len - 1) {
        r->pos = start;
        return NULL;
    }
    return (const char *)b;
}

int urts_ocall_end(const struct urts_ocall_in *r)
{
    return r->pos == r->len;
}

int urts_serve_ocall(struct urts_enclave *e, uint32_t thread, uint64_t number, uint64_t frame)
{
    struct ocall_frame *f = (struct ocall_frame *)(uintptr_t)frame;
    uint8_t in[OCALL_MAX_DATA];
    uint64_t in_size, out_cap, out_size = 0;

    if (urts_halted(e))
        return -ECANCELED;
    if (!frame || frame % 8)
        return -EPROTO;
    in_size = f->in_size;
    out_cap = f->out_cap;
    if (f->number != number || in_size > OCALL_MAX_DATA || out_cap > OCALL_MAX_DATA)
        return -EPROTO;
    urts_count(&e->cnt.ocalls);
    /* Input copied first: data[] is also where the output goes. */
    memcpy(in, f->data, in_size);
    if (number < OCALL_COUNT && ocall_table[number])
        f->result = ocall_table[number](e, thread, in, in_size, f->data, out_cap, &out_size);
    else if (urts_ocall_family(number))
        f->result = urts_ocall_family(number)(e, thread, number, in, in_size, f->data, out_cap, &out_size);
    else
        f->result = -ENOSYS;
    if (out_size > out_cap)
        out_size = out_cap;
    f->out_size = f->result >= 0 ? out_size : 0;
    if (e->frame_hook)
        e->frame_hook(f, e->frame_hook_ctx);
    return 0;
}

void urts_set_frame_hook(struct urts_enclave *e, urts_frame_hook_fn fn, void *ctx)
{
    e->frame_hook = fn;
    e->frame_hook_ctx = ctx;
}

void urts_set_aep_hook(struct urts_enclave *e, urts_aep_hook_fn fn, void *ctx)
{
    e->aep_hook = fn;
    e->aep_hook_ctx = ctx;
}
