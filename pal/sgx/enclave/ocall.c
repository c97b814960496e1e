/* OCALLs: marshal into a frame below the host stack pointer saved at ECALL
 * entry, EEXIT, and on return copy the result back in, checking everything
 * the host wrote (size against the request, errno against an allow-list). */
#include "enclave_internal.h"

#define EPERM 1
#define EINTR 4
#define EIO 5
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define ENOENT 2
#define EINVAL 22
#define ENOSPC 28
#define ENOSYS 38

/* Host errnos passed through unchanged; anything else becomes -EIO, so a
 * hostile host cannot make the enclave see values its callers never expect. */
static int64_t allow_errno(int64_t result)
{
    static const int64_t allowed[] = {EPERM, ENOENT, EINTR, EIO, EBADF, EAGAIN, ENOMEM, EACCES,
                                      EFAULT, EINVAL, ENOSPC, ENOSYS};

    if (result >= 0)
        return result;
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (result == -allowed[i])
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

int64_t enclave_ocall(uint64_t number, const void *in, uint64_t in_size, void *out, uint64_t out_cap,
                      uint64_t *out_size)
{
    struct enclave_thread *t = thread_self();
    uint64_t data = in_size > out_cap ? in_size : out_cap;
    struct ocall_frame hdr = {.number = number, .in_size = in_size, .out_cap = out_cap, .result = -ENOSYS};
    uint64_t frame, got;

    if (data > OCALL_MAX_DATA)
        return -EINVAL;
    frame = frame_address(t->ursp, sizeof(hdr) + data);
    if (!frame || copy_to_host(frame, &hdr, sizeof(hdr)) ||
        copy_to_host(frame + sizeof(hdr), in, in_size))
        return -EFAULT;
    __atomic_add_fetch(&g_encl.ocalls, 1, __ATOMIC_RELAXED);
    if (g_encl.aex_notify)
        enclave_arm_aexnotify(0, 0); /* never notify while on the host stack */
    enclave_ocall_switch(number, frame, t->urbp, t->exit_addr);
    if (g_encl.aex_notify)
        enclave_arm_aexnotify(0, 1);
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
