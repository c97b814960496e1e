// modes: direct sim
/* FUTEX_WAKE_OP (futex(2); glibc's pthread_cond_signal before 2.25): the
 * operation on the second word (set, add, or, and-not, xor, with the shift
 * flag), the comparison of its old value deciding whether the second
 * word's waiters are woken too; the count of threads woken; an unknown
 * operation or comparison is ENOSYS, a misaligned second word EINVAL, a
 * bad one EFAULT. */
#include "conf.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>

static uint32_t w1, w2;

static long wake_op(uint32_t *a, int n, int n2, uint32_t *b, uint32_t enc)
{
    return syscall(SYS_futex, a, FUTEX_WAKE_OP_PRIVATE, n, (unsigned long)n2, b, enc);
}

static int ready, released, exited;

/* Waits on its word until released (a wake before the release, or a
 * value that changed, just means waiting again on the new value). */
static void *waiter(void *arg)
{
    uint32_t *w = arg;
    __atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&released, __ATOMIC_SEQ_CST))
        syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, __atomic_load_n(w, __ATOMIC_SEQ_CST), NULL);
    __atomic_add_fetch(&exited, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void try(const char *what, uint32_t start, uint32_t enc)
{
    w2 = start;
    long r = wake_op(&w1, 1, 1, &w2, enc);
    say("%s: %ld %s, word %#x\n", what, r, r < 0 ? ename(errno) : "", w2);
}

int main(void)
{
    try("set 7, old == 10", 10, FUTEX_OP(FUTEX_OP_SET, 7, FUTEX_OP_CMP_EQ, 10));
    try("add 5, old > 5", 10, FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_GT, 5));
    try("add -1, old < 0", 0, FUTEX_OP(FUTEX_OP_ADD, 0xfff, FUTEX_OP_CMP_LT, 0));
    try("or 0x30", 0x0f, FUTEX_OP(FUTEX_OP_OR, 0x30, FUTEX_OP_CMP_NE, 0));
    try("andn 3", 0xff, FUTEX_OP(FUTEX_OP_ANDN, 3, FUTEX_OP_CMP_LE, 1));
    try("xor 0xff", 0x0f, FUTEX_OP(FUTEX_OP_XOR, 0xff, FUTEX_OP_CMP_GE, 16));
    try("or 1 << 20", 0, (uint32_t)(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT) << 28 | 20u << 12);
    try("operation 7", 1, 7u << 28);
    try("comparison 9", 1, FUTEX_OP(FUTEX_OP_SET, 0, 9, 0));
    long r = wake_op(&w1, 1, 1, (uint32_t *)((char *)&w2 + 1), FUTEX_OP(FUTEX_OP_SET, 0, 0, 0));
    say("misaligned second word: %ld %s\n", r, r < 0 ? ename(errno) : "");
    r = wake_op(&w1, 1, 1, (uint32_t *)16, FUTEX_OP(FUTEX_OP_SET, 0, 0, 0));
    say("bad second word: %ld %s\n", r, r < 0 ? ename(errno) : "");

    /* Two waiters on the first word and one on the second (four threads:
     * an enclave's default): one of the first's woken, and the second's
     * when the comparison holds. */
    for (int holds = 1; holds >= 0; holds--) {
        pthread_t t[3];
        w1 = 0, w2 = 0, ready = released = exited = 0;
        for (int i = 0; i < 3; i++)
            if (pthread_create(&t[i], NULL, waiter, i < 2 ? &w1 : &w2)) {
                say("pthread_create failed\n");
                return 1;
            }
        while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 3)
            usleep(1000);
        usleep(200 * 1000); /* into their waits */
        r = wake_op(&w1, 1, 5, &w2, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, holds ? 0 : 9));
        say("waiters, comparison %s: woke %ld, word %u\n", holds ? "holds" : "fails", r, w2);
        __atomic_store_n(&released, 1, __ATOMIC_SEQ_CST);
        while (__atomic_load_n(&exited, __ATOMIC_SEQ_CST) < 3) {
            syscall(SYS_futex, &w1, FUTEX_WAKE_PRIVATE, 5);
            syscall(SYS_futex, &w2, FUTEX_WAKE_PRIVATE, 5);
            usleep(1000);
        }
        for (int i = 0; i < 3; i++)
            pthread_join(t[i], NULL);
    }
    return 0;
}
