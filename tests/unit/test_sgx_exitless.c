/* Exitless OCALLs in a real trusted PAL on the sim: OCALL_ADD round trips
 * served by host workers with no EEXIT/EENTER (sim counters), the enclave's
 * and host's counters, the area checks (inside the enclave, misaligned,
 * set twice), a hostile host (the frame hook, which workers run too)
 * caught exactly as on the exit path, and the host side alone: ring
 * entries that are not a slot's frame, stale entries, READ on a pipe
 * handed back and served by OCALL_EXITLESS_WAIT, wait input validation. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "urts_exitless.h"
#include "urts_internal.h"
#include "sim_build.h"
#include "sim_run.h"
#include "tap.h"

#define EIO_ 5
#define EFAULT_ 14
#define EBUSY_ 16
#define EPERM_ 1

static struct sgx_sim_cpu cpus[2];
static struct sgx_driver drvs[2];

static struct urts_enclave *make(const char *pal, int k)
{
    struct urts_desc d = {.pal_path = pal,
                          .threads = 2,
                          .nssa = 3,
                          .stack_size = 65536,
                          .heap_size = 65536,
                          .aex_notify = true};
    struct urts_enclave *e = NULL;
    struct sgx_err err = {{0}};

    sgx_sim_cpu_default(&cpus[k], true);
    sgx_sim_driver_init(&drvs[k], &cpus[k]);
    if (urts_create(&drvs[k], &d, &e, &err)) {
        CHECK(0, "PAL enclave: %s", err.msg);
        return NULL;
    }
    return e;
}

/* status * 1 (0 or -errno) or urts error * 1000; *value = exitless count. */
static int64_t bench(struct urts_enclave *e, uint64_t area, uint64_t count, uint64_t *value)
{
    struct ecall_ocall_bench b = {.exitless = area, .count = count};
    struct urts_result r = {0};
    int ret = urts_ecall(e, 0, ECALL_OCALL_BENCH, &b, 0, &r);

    if (value)
        *value = r.value;
    return ret ? ret * 1000 : r.status;
}

static uint64_t sim_eexits(struct urts_enclave *e)
{
    struct sgx_sim_counters c;

    sgx_sim_counters(urts_driver_encl(e), &c);
    return c.eexit;
}

static struct enclave_stats stats(struct urts_enclave *e)
{
    struct enclave_stats s = {0};

    urts_ecall(e, 0, ECALL_STATS, &s, 0, NULL);
    return s;
}

/* ---- hostile host: the same hook on both paths ----------------------------- */
enum tamper { T_NONE, T_OUT_SIZE, T_RESULT, T_EPERM };
static volatile enum tamper tamper;

static void frame_hook(struct ocall_frame *f, void *ctx)
{
    (void)ctx;
    if (f->number != OCALL_ADD)
        return;
    if (tamper == T_OUT_SIZE)
        f->out_size = f->out_cap + 1;
    else if (tamper == T_RESULT)
        f->result = -500;
    else if (tamper == T_EPERM)
        f->result = -EPERM_;
}

static void hostile(struct urts_enclave *exitless, struct urts_enclave *plain)
{
    static const struct {
        enum tamper t;
        int64_t want;
        const char *what;
    } cases[] = {
        {T_OUT_SIZE, -EIO_, "out_size past out_cap"},
        {T_RESULT, -EIO_, "a result that is no errno"},
        {T_EPERM, -EPERM_, "a Linux errno (passes through)"},
    };

    urts_set_frame_hook(exitless, frame_hook, NULL);
    urts_set_frame_hook(plain, frame_hook, NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t v = 0;
        tamper = cases[i].t;
        int64_t a = bench(exitless, 0, 20, &v), b = bench(plain, 0, 20, NULL);
        CHECK(a == cases[i].want && b == cases[i].want,
              "hostile worker, %s: exitless %lld, exit path %lld (want %lld)", cases[i].what,
              (long long)a, (long long)b, (long long)cases[i].want);
    }
    tamper = T_NONE;
    CHECK(bench(exitless, 0, 20, NULL) == 0, "honest again: exitless OCALLs work");
    urts_set_frame_hook(exitless, NULL, NULL);
    urts_set_frame_hook(plain, NULL, NULL);
}

/* ---- the host side alone, on slot 1 (the enclave uses TCS 0 only) ---------- */
static void enqueue(struct exitless_queue *q, uint64_t frame)
{
    uint64_t pos = q->enq;

    q->ring[pos % EXITLESS_RING].frame = frame;
    __atomic_store_n(&q->enq, pos + 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&q->ring[pos % EXITLESS_RING].seq, pos + 1, __ATOMIC_RELEASE);
}

/* What the host's wait path does for a sleeping worker (urts_exitless.c). */
static void wake(struct exitless_queue *q)
{
    __atomic_add_fetch(&q->wake, 1, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, &q->wake, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static struct exitless_slot *slot(uint64_t area, uint32_t i)
{
    return (struct exitless_slot *)(area + EXITLESS_QUEUE_SIZE + i * EXITLESS_SLOT_SIZE);
}

/* Waits (up to 2 s) until the request is no longer `from` nor being run. */
static uint32_t wait_status(struct exitless_slot *s, uint32_t from)
{
    uint32_t st;

    for (int i = 0; i < 2000; i++) {
        st = __atomic_load_n(&s->status, __ATOMIC_ACQUIRE);
        if (st != from && st != EXITLESS_RUNNING)
            break;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    return __atomic_load_n(&s->status, __ATOMIC_ACQUIRE);
}

/* Workers sleep after a few idle milliseconds; the enclave's next exit
 * (OCALL_EXITLESS_WAIT) wakes one, as a few OCALLs here do. */
static void queue_call(struct urts_enclave *e, uint64_t area, uint64_t number, const struct ocall_args *a,
                       uint64_t out_cap)
{
    struct exitless_slot *s = slot(area, 1);

    bench(e, 0, 10, NULL);
    s->frame = (struct ocall_frame){.number = number, .in_size = sizeof(*a), .out_cap = out_cap};
    memcpy(s->frame.data, a, sizeof(*a));
    __atomic_store_n(&s->status, EXITLESS_QUEUED, __ATOMIC_SEQ_CST);
    enqueue((struct exitless_queue *)area, (uint64_t)(uintptr_t)&s->frame);
    wake((struct exitless_queue *)area); /* the workers may have gone to sleep since (slow hosts, ASan) */
}

static void queue_read(struct urts_enclave *e, uint64_t area, int fd, uint64_t len)
{
    queue_call(e, area, OCALL_READ, &(struct ocall_args){{fd, (int64_t)len}}, len);
}

static void host_side(struct urts_enclave *e, uint64_t area)
{
    struct exitless_queue *q = (struct exitless_queue *)area;
    struct exitless_slot *s = slot(area, 1);
    struct urts_exitless_counters before, after;
    uint64_t got = 0;
    int p[2];
    char tmp[] = "/tmp/geode-exitless-XXXXXX";
    int fd = mkstemp(tmp);

    urts_exitless_counters(e, &before);
    /* Not a slot's frame: the status word, inside a slot, past the last. */
    s->status = EXITLESS_QUEUED;
    enqueue(q, (uint64_t)(uintptr_t)s);
    enqueue(q, (uint64_t)(uintptr_t)&s->frame + 8);
    enqueue(q, (uint64_t)(uintptr_t)&slot(area, 2)->frame);
    enqueue(q, 0);
    nanosleep(&(struct timespec){0, 20000000}, NULL);
    urts_exitless_counters(e, &after);
    CHECK(s->status == EXITLESS_QUEUED && after.by_worker == before.by_worker &&
              after.handoffs == before.handoffs,
          "ring entries that are not a slot's frame are ignored");
    s->status = EXITLESS_DONE;
    enqueue(q, (uint64_t)(uintptr_t)&s->frame);
    nanosleep(&(struct timespec){0, 20000000}, NULL);
    CHECK(s->status == EXITLESS_DONE, "a stale entry (request no longer QUEUED) is skipped");

    if (CHECK(fd >= 0 && write(fd, "0123456789", 10) == 10 && lseek(fd, 0, SEEK_SET) == 0,
              "temporary file")) {
        queue_read(e, area, fd, 4);
        CHECK(wait_status(s, EXITLESS_QUEUED) == EXITLESS_DONE && s->frame.result == 4 &&
                  s->frame.out_size == 4 && !memcmp(s->frame.data, "0123", 4),
              "READ on a regular file: served by a worker (status %u result %lld out %llu)", s->status,
              (long long)s->frame.result, (unsigned long long)s->frame.out_size);
    }
    if (CHECK(pipe(p) == 0 && write(p[1], "xy", 2) == 2, "pipe")) {
        queue_read(e, area, p[0], 2);
        CHECK(wait_status(s, EXITLESS_QUEUED) == EXITLESS_HANDOFF, "READ on a pipe: handed back");
        CHECK(urts_exitless_wait(e, 1, NULL, 0, NULL, 0, &got) == 0 && s->status == EXITLESS_DONE &&
                  s->frame.result == 2 && !memcmp(s->frame.data, "xy", 2),
              "OCALL_EXITLESS_WAIT serves the handed-back READ on the caller's thread");
        close(p[0]);
        close(p[1]);
    }
    int sv[2];
    if (CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && write(sv[1], "ab", 2) == 2, "socketpair")) {
        queue_read(e, area, sv[0], 8);
        CHECK(wait_status(s, EXITLESS_QUEUED) == EXITLESS_HANDOFF, "READ on a blocking socket: handed back");
        CHECK(urts_exitless_wait(e, 1, NULL, 0, NULL, 0, &got) == 0 && s->frame.result == 2,
              "... and served on the caller's thread");
        fcntl(sv[0], F_SETFL, O_NONBLOCK);
        queue_read(e, area, sv[0], 8);
        CHECK(wait_status(s, EXITLESS_QUEUED) == EXITLESS_DONE && s->frame.result == -EAGAIN,
              "READ on an empty non-blocking socket: a worker's EAGAIN (status %u result %lld)", s->status,
              (long long)s->frame.result);
        CHECK(write(sv[1], "cd", 2) == 2, "write");
        queue_read(e, area, sv[0], 8);
        CHECK(wait_status(s, EXITLESS_QUEUED) == EXITLESS_DONE && s->frame.result == 2 &&
                  !memcmp(s->frame.data, "cd", 2),
              "READ on a non-blocking socket with data: served by a worker");
        /* A wait on an epoll set: nothing ready gives the call back whole. */
        int ep = epoll_create1(0);
        struct epoll_event ev = {.events = EPOLLIN};
        struct ocall_args a = {{ep, 4, 20000000 /* 20 ms */}};
        CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev) == 0, "epoll set");
        queue_call(e, area, OCALL_WAITSET_WAIT, &a, 4 * sizeof(struct ocall_wait_event));
        CHECK(wait_status(s, EXITLESS_QUEUED) == EXITLESS_HANDOFF && !memcmp(s->frame.data, &a, sizeof(a)),
              "WAITSET_WAIT with a timeout and nothing ready: handed back, its input as it was");
        CHECK(urts_exitless_wait(e, 1, NULL, 0, NULL, 0, &got) == 0 && s->frame.result == 0,
              "... and waited out on the caller's thread");
        CHECK(write(sv[1], "e", 1) == 1, "write");
        queue_call(e, area, OCALL_WAITSET_WAIT, &a, 4 * sizeof(struct ocall_wait_event));
        CHECK(wait_status(s, EXITLESS_QUEUED) == EXITLESS_DONE && s->frame.result == 1,
              "WAITSET_WAIT with an event ready: served by a worker (status %u result %lld)", s->status,
              (long long)s->frame.result);
        close(ep);
        close(sv[0]);
        close(sv[1]);
    }
    CHECK(urts_exitless_wait(e, 1, (const uint8_t *)"x", 1, NULL, 0, &got) == -EINVAL,
          "OCALL_EXITLESS_WAIT with input: -EINVAL");
    CHECK(urts_exitless_wait(e, 2, NULL, 0, NULL, 0, &got) == -EINVAL,
          "OCALL_EXITLESS_WAIT from a thread past the last: -EINVAL");
    s->status = EXITLESS_FREE;
    CHECK(urts_exitless_wait(e, 1, NULL, 0, NULL, 0, &got) == 0 && s->status == EXITLESS_FREE,
          "OCALL_EXITLESS_WAIT with nothing queued returns (the enclave checks the status)");
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
}

static void run(struct urts_enclave *ex, struct urts_enclave *plain)
{
    uint64_t area = 0, v = 0, x0, x1;
    struct urts_exitless_counters hc;
    struct enclave_stats s;

    CHECK(bench(plain, urts_base(plain) + 0x10000, 1, NULL) == -EFAULT_,
          "exitless area inside the enclave: -EFAULT");
    if (!CHECK(urts_exitless_start(ex, 2, &area) == 0 && area, "2 workers started"))
        return;
    CHECK(urts_exitless_start(ex, 1, &v) == -EINVAL, "starting twice: -EINVAL");
    CHECK(bench(plain, area + 8, 1, NULL) == -EFAULT_, "misaligned exitless area: -EFAULT");
    x0 = sim_eexits(plain);
    CHECK(bench(plain, 0, 100, &v) == 0 && v == 0 && sim_eexits(plain) - x0 == 101,
          "without an area: 100 OCALLs, 101 EEXITs, none exitless");

    /* The area is set up by the first batch. Workers poll only while they
     * get a CPU: on a loaded machine a batch may find none polling, and
     * each OCALL is then served by OCALL_EXITLESS_WAIT (one exit each). */
    v = 0;
    for (int batch = 0; batch < 20 && !v; batch++) {
        x0 = sim_eexits(ex);
        if (!CHECK(bench(ex, batch ? 0 : area, 1000, &v) == 0,
                   "1000 OCALL_ADD round trips, batch %d", batch))
            return;
        x1 = sim_eexits(ex);
        CHECK(x1 - x0 == 1 + (1000 - v),
              "%llu of 1000 exitless; EEXITs: %llu = the ECALL's own + one per fallback",
              (unsigned long long)v, (unsigned long long)(x1 - x0));
    }
    CHECK(v > 0, "a worker served OCALLs without an exit");
    s = stats(ex);
    urts_exitless_counters(ex, &hc);
    printf("# host: by worker %llu, handed back %llu, served inline %llu, waits %llu; enclave: "
           "waits %llu\n",
           (unsigned long long)hc.by_worker, (unsigned long long)hc.handoffs,
           (unsigned long long)hc.inline_served, (unsigned long long)hc.waits,
           (unsigned long long)s.exitless_waits);
    CHECK(s.exitless >= v && hc.by_worker >= v,
          "counters: enclave exitless %llu, host by worker %llu", (unsigned long long)s.exitless,
          (unsigned long long)hc.by_worker);
    CHECK(bench(ex, area + 2 * 4096, 1, NULL) == -EBUSY_, "a second area: -EBUSY");
    CHECK(bench(ex, 0, 10, NULL) == 0, "area 0 leaves the set-up one");
    hostile(ex, plain);
    host_side(ex, area);
}

int main(void)
{
    const char *b = getenv("GEODE_BUILD");
    char pal[512];
    struct urts_enclave *ex, *plain;
    uint64_t got = 0;

    sgx_sim_cpu_default(&cpus[0], true);
    sgx_sim_driver_init(&drvs[0], &cpus[0]);
    if (!drvs[0].enter) {
        SKIP("sim entry not available");
        return TAP_DONE();
    }
    {
        struct urts_enclave none = {0};
        CHECK(urts_exitless_wait(&none, 0, NULL, 0, NULL, 0, &got) == -EINVAL,
              "OCALL_EXITLESS_WAIT without exitless OCALLs: -EINVAL");
    }
    snprintf(pal, sizeof(pal), "%s/pal-enclave-test.elf", b ? b : "build");
    ex = make(pal, 0);
    plain = make(pal, 1);
    if (ex && plain)
        run(ex, plain);
    if (ex)
        urts_exitless_stop(ex);
    urts_destroy(ex);
    urts_destroy(plain);
    return TAP_DONE();
}
