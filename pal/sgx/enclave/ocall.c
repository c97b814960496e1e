/* OCALLs: marshal into a frame below the host stack pointer saved at ECALL
 * entry, EEXIT, and on return copy the result back in, checking everything
 * the host wrote (size against the request, errno against an allow-list). */
#include "enclave_internal.h"
#include "ocall_exitless.h"
#include "pal_signal.h"
#ifdef GEODE_TEST_ECALLS
#include "test/ecalls_test.h"
#endif

#define EIO 5
#define EFAULT 14
#define EINVAL 22
#define ENOSYS 38

#define ERRNO_MAX 133 /* EHWPOISON, the highest Linux errno */

/* Host errnos that are Linux errno values pass through unchanged; anything
 * else becomes -EIO, so a hostile host cannot make the enclave see values its
 * callers never expect. */
static int64_t allow_errno(int64_t result)
{
    if (result >= 0 || result >= -ERRNO_MAX)
        return result;
    return -EIO;
}

/* The frame sits below the saved host RSP and its red zone, 64-byte aligned. */
static uint64_t frame_address(uint64_t ursp, uint64_t bytes)
{
    if (ursp < bytes + 256)
        return 0;
    return (ursp - 128 - bytes) & ~63ULL;
}

/* Host code that an AEX sends to the AEP runs on the untrusted stack at
 * SSA[0].URSP, which EENTER (or ERESUME) set to the host's stack pointer:
 * the vDSO's exception handler and the user handler it calls, a signal
 * frame the kernel pushes there, the EEXIT of a nested stage 1 and the
 * entries after it. All of that lies below URSP, where the frame is. So
 * while a frame is live, URSP is the frame: an AEX then puts the host
 * below it (the AEX pseudocode loads RSP from this field; the next EENTER
 * or ERESUME writes the host's stack pointer there again, and the host
 * enters from where the AEX left it, at or below the frame). Only ever
 * lowered: the frame of an outer OCALL stays above it too. */
static void keep_host_below(uint64_t frame)
{
    struct sgx_gprsgx *g = enclave_ssa_gpr(0);

    if (g->ursp > frame)
        __atomic_store_n(&g->ursp, frame, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST); /* before the first byte of the frame */
}

/* Writes the header and gathers the input into the frame at `frame`. */
static int64_t write_frame(uint64_t frame, const struct ocall_frame *hdr, const struct ocall_iov *in,
                           unsigned n_in)
{
    uint64_t pos = frame + sizeof(*hdr);

    if (copy_to_host(frame, hdr, sizeof(*hdr)))
        return -EFAULT;
    for (unsigned i = 0; i < n_in; i++) {
        if (copy_to_host(pos, in[i].base, in[i].len))
            return -EFAULT;
        pos += in[i].len;
    }
    return 0;
}

/* The host's reply in the frame at `frame`, checked: the one place that
 * reads a reply, whether it came back by EEXIT/EENTER or from a worker. */
static int64_t check_reply(uint64_t frame, void *out, uint64_t out_cap, uint64_t *out_size)
{
    struct ocall_frame hdr;
    uint64_t got;

    if (copy_from_host(&hdr, frame, sizeof(hdr)))
        return -EFAULT;
    got = hdr.out_size;
    if (hdr.result >= 0 && got > out_cap)
        return -EIO; /* the host claims more than we asked for */
    if (hdr.result >= 0 && copy_from_host(out, frame + sizeof(hdr), got))
        return -EFAULT;
    if (out_size)
        *out_size = hdr.result >= 0 ? got : 0;
    return allow_errno(hdr.result);
}

/* check_reply, then the host signals posted meanwhile go to the libOS. */
static int64_t read_frame(uint64_t frame, void *out, uint64_t out_cap, uint64_t *out_size)
{
    int64_t r = check_reply(frame, out, out_cap, out_size);

    if (!thread_self()->quiet_ocalls)
        enclave_signal_after_ocall(); /* the frame is read: it may be reused */
    return r;
}

/* A worker serves the frame in this thread's slot (ocall_exitless.c). */
static int64_t exitless(uint64_t frame, const struct ocall_frame *hdr, const struct ocall_iov *in,
                        unsigned n_in, void *out, uint64_t *out_size)
{
    int64_t r = write_frame(frame, hdr, in, n_in);

    if (!r)
        r = enclave_exitless_call(frame);
    return r ? r : read_frame(frame, out, hdr->out_cap, out_size);
}

/* The OCALL proper, with this thread's frame area below `base`. */
static int64_t ocall_at(struct enclave_thread *t, uint64_t base, uint64_t number, const struct ocall_iov *in,
                        unsigned n_in, void *out, uint64_t out_cap, uint64_t *out_size)
{
    uint64_t in_size = 0, data, frame, fs, gs;
    struct ocall_frame hdr;
    uint8_t notify = 0;
    int64_t r;

    for (unsigned i = 0; i < n_in; i++) {
        if (in[i].len > OCALL_MAX_DATA)
            return -EINVAL;
        in_size += in[i].len;
    }
    data = in_size > out_cap ? in_size : out_cap;
    if (data > OCALL_MAX_DATA)
        return -EINVAL;
    hdr = (struct ocall_frame){.number = number, .in_size = in_size, .out_cap = out_cap, .result = -ENOSYS};
    frame = t->ocall_busy ? 0 /* inside another OCALL's copy: its slot may be busy */
                          : enclave_exitless_frame(number, n_in && in[0].len >= sizeof(int64_t)
                                                                 ? ((const struct ocall_args *)in[0].base)->a[0]
                                                                 : -1);
    if (frame) {
        t->ocall_busy = base; /* an OCALL meanwhile goes exit-based, below base */
        return exitless(frame, &hdr, in, n_in, out, out_size);
    }
    frame = frame_address(base, sizeof(hdr) + data);
    if (!frame)
        return -EFAULT;
    t->ocall_busy = frame;
    keep_host_below(frame);
    r = write_frame(frame, &hdr, in, n_in);
    if (r)
        return r;
#ifdef GEODE_TEST_ECALLS
    if (t->fault_after_frame) {
        t->fault_after_frame = 0;
        enclave_fault_ud2(); /* an exception between the frame and the EEXIT */
    }
#endif
    __atomic_add_fetch(&g_encl.ocalls, 1, __ATOMIC_RELAXED);
    fs = enclave_rdfsbase();
    gs = enclave_rdgsbase();
    if (g_encl.aex_notify) {
        /* Never notify while on the host stack; back as they were after. */
        notify = enclave_ssa_gpr(0)->aexnotify & SGX_SSA_AEXNOTIFY_ENABLE;
        enclave_arm_aexnotify(0, 0);
    }
    enclave_ocall_switch(number, frame, t->urbp, t->exit_addr, (uint64_t)t - THR_OFF);
    if (notify)
        enclave_arm_aexnotify(0, 1);
    enclave_set_bases(fs, gs); /* EENTER left both at the TLS page */
    return read_frame(frame, out, out_cap, out_size);
}

/* An OCALL made while another one's frame is being written or read (a
 * fault in that copy, served in the PAL) puts its frame below the other's:
 * the host stack below a frame is free once the host has answered. */
int64_t enclave_ocall_out(uint64_t number, int64_t a0, int64_t a1, void *out, uint64_t out_len)
{
    struct ocall_args a = {{a0, a1, 0, 0, 0, 0}};
    struct ocall_iov iov = {&a, sizeof(a)};
    uint64_t got = 0;
    int64_t r = enclave_ocallv(number, &iov, 1, out, out_len, &got);

    return r >= 0 && got != out_len ? -PAL_EIO : r;
}

int64_t enclave_ocallv(uint64_t number, const struct ocall_iov *in, unsigned n_in, void *out,
                       uint64_t out_cap, uint64_t *out_size)
{
    struct enclave_thread *t = thread_self();
    uint64_t outer = t->ocall_busy;
    int64_t r = ocall_at(t, outer ? outer : t->ursp, number, in, n_in, out, out_cap, out_size);

    t->ocall_busy = outer;
    return r;
}

int64_t enclave_ocall(uint64_t number, const void *in, uint64_t in_size, void *out, uint64_t out_cap,
                      uint64_t *out_size)
{
    struct ocall_iov iov = {in, in_size};

    return enclave_ocallv(number, &iov, 1, out, out_cap, out_size);
}
