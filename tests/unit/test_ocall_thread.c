/* Host side of the thread OCALLs (pal/sgx/urts/urts_thread.c) on a bare
 * struct urts_enclave (no enclave is built): futex waits and wakes only on
 * the words the host handed out, real futex(2) behaviour (mismatch,
 * timeout, a wake from another thread), input validation through the proc
 * family dispatcher (short input, trailing bytes), and slot checks of
 * OCALL_THREAD_START. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#include "urts_internal.h"
#include "urts_ocall.h"

#define THREADS 3

static struct urts_enclave *make_enclave(void)
{
    struct urts_enclave *e = calloc(1, sizeof(*e));

    e->threads = THREADS;
    e->thread = calloc(THREADS, sizeof(*e->thread));
    for (uint32_t i = 0; i < THREADS; i++) {
        e->thread[i].encl = e;
        e->thread[i].index = i;
    }
    return e;
}

static int64_t call(struct urts_enclave *e, uint32_t thread, uint64_t number, int64_t a0,
                    int64_t a1, int64_t a2)
{
    struct ocall_args a = {{a0, a1, a2}};
    uint64_t got = 99;
    int64_t r = urts_ocall_proc(e, thread, number, (const uint8_t *)&a, sizeof(a), NULL, 0, &got);

    return got == 0 ? r : -1000;
}

struct waiter_arg {
    struct urts_enclave *e;
    int64_t result;
};

static void *waiter(void *p)
{
    struct waiter_arg *w = p;

    w->result = call(w->e, 1, OCALL_FUTEX_WAIT, (int64_t)urts_futex_word(w->e, 1), 0, -1);
    return NULL;
}

static void check_validation(struct urts_enclave *e)
{
    int64_t w0 = (int64_t)urts_futex_word(e, 0), w1 = (int64_t)urts_futex_word(e, 1);
    struct ocall_args a = {{w0, 0, 0}};
    uint8_t longer[sizeof(a) + 1] = {0};
    uint64_t got;

    CHECK(w0 && w1 && w0 != w1 && w0 % 4 == 0, "each TCS has its own aligned word");
    CHECK(urts_futex_word(e, THREADS) == 0, "no word for a thread that does not exist");
    CHECK(call(e, 0, OCALL_FUTEX_WAIT, w1, 0, 0) == -EINVAL,
          "wait on another thread's word: -EINVAL");
    CHECK(call(e, 0, OCALL_FUTEX_WAIT, w0 + 4, 0, 0) == -EINVAL,
          "wait on an address not handed out: -EINVAL");
    CHECK(call(e, 0, OCALL_FUTEX_WAIT, w0, 1LL << 32, 0) == -EINVAL,
          "expected value above 32 bits: -EINVAL");
    CHECK(call(e, 0, OCALL_FUTEX_WAIT, w0, 0, -2) == -EINVAL, "timeout below -1: -EINVAL");
    CHECK(call(e, THREADS, OCALL_FUTEX_WAIT, w0, 0, 0) == -EINVAL,
          "calling thread out of range: -EINVAL");
    CHECK(call(e, 0, OCALL_FUTEX_WAKE, (int64_t)(uintptr_t)&e->threads, 0, 0) == -EINVAL,
          "wake of an address not handed out: -EINVAL");
    CHECK(urts_ocall_proc(e, 0, OCALL_FUTEX_WAKE, (const uint8_t *)&a, sizeof(a) - 1, NULL, 0,
                          &got) == -EINVAL,
          "short input: -EINVAL");
    memcpy(longer, &a, sizeof(a));
    CHECK(urts_ocall_proc(e, 0, OCALL_FUTEX_WAKE, longer, sizeof(longer), NULL, 0, &got) == -EINVAL,
          "trailing byte: -EINVAL");
    CHECK(call(e, 0, OCALL_THREAD_START, 0, 0, 0) == -EINVAL,
          "start on slot 0 (the main thread's): -EINVAL");
    CHECK(call(e, 0, OCALL_THREAD_START, THREADS, 0, 0) == -EINVAL,
          "start past the last TCS: -EINVAL");
    CHECK(call(e, 0, OCALL_THREAD_START, -1, 0, 0) == -EINVAL, "negative slot: -EINVAL");
}

static void check_futex(struct urts_enclave *e)
{
    int64_t w0 = (int64_t)urts_futex_word(e, 0), w1 = (int64_t)urts_futex_word(e, 1);
    struct waiter_arg wa = {e, 1};
    pthread_t t;
    int64_t woke = 0;

    e->thread[0].futex_word = 5;
    CHECK(call(e, 0, OCALL_FUTEX_WAIT, w0, 4, -1) == -EAGAIN,
          "word differs from the expected value: -EAGAIN");
    CHECK(call(e, 0, OCALL_FUTEX_WAIT, w0, 5, 20 * 1000 * 1000) == -ETIMEDOUT,
          "20 ms timeout: -ETIMEDOUT");
    CHECK(call(e, 0, OCALL_FUTEX_WAKE, w1, 0, 0) == 0, "wake with nobody waiting: 0");
    pthread_create(&t, NULL, waiter, &wa);
    for (int i = 0; i < 200 && !woke; i++) {
        usleep(5000);
        woke = call(e, 0, OCALL_FUTEX_WAKE, w1, 0, 0);
    }
    pthread_join(t, NULL);
    CHECK(woke == 1 && wa.result == 0,
          "a wake from another thread ends an untimed wait (woke %lld, result %lld)",
          (long long)woke, (long long)wa.result);
}

int main(void)
{
    struct urts_enclave *e = make_enclave();

    check_validation(e);
    check_futex(e);
    free(e->thread);
    free(e);
    return TAP_DONE();
}
