/* Host shared memory for enclave processes: the trusted PAL's pal_shm.c
 * through the real host handlers (urts_ocall_shm.c) in-process: a file
 * mapped outside the "enclave" (a reserved range standing for it), shared
 * with a forked child, futex waits and wakes across the fork; a hostile host
 * answering with addresses inside the enclave, unaligned or wrapping; the
 * futex wrapper keeping enclave addresses for the trusted table; and the
 * host side refusing ranges it did not map. */
#define HOST_COPY_NO_ENCLAVE 1
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

#include "urts_internal.h"
#include "ocall_loopback.h"

#include "../../pal/sgx/enclave/host_copy.c"

struct enclave_globals g_encl;

#include "../../pal/sgx/enclave/pal_shm.c"

#define PG 4096

static struct pal_api api;

/* The trusted futex table, as pal_futex.c would be: counts its calls. */
static int inner_waits, inner_wakes;

static long fake_wait(uint32_t *addr, uint32_t val, int64_t timeout_ns)
{
    (void)addr, (void)val, (void)timeout_ns;
    inner_waits++;
    return -PAL_EAGAIN;
}

static long fake_wake(uint32_t *addr, int n)
{
    (void)addr, (void)n;
    inner_wakes++;
    return 0;
}

static int64_t tamper_result;
static int tamper_on;

static void tamper(uint64_t number, int64_t *result, uint8_t *out, uint64_t *size)
{
    (void)out, (void)size;
    if (tamper_on && number == OCALL_SHM_MAP)
        *result = tamper_result;
}

static int scratch_file(size_t len)
{
    char path[] = "/tmp/geode-test-shm-XXXXXX";
    int fd = mkstemp(path);

    if (fd >= 0) {
        unlink(path);
        if (ftruncate(fd, (off_t)len) < 0) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

static void test_map_and_fork(void)
{
    int fd = scratch_file(2 * PG);
    void *p = NULL;
    uint32_t got = 0;

    long r = api.file_map_untrusted(fd, 2 * PG, 0, PAL_PROT_READ | PAL_PROT_WRITE, &p);
    CHECK(r == 0 && p && host_range_ok(g_encl.base, g_encl.size, (uint64_t)p, 2 * PG),
          "a file mapped outside the enclave (%p)", p);
    if (!p)
        return;
    ((volatile uint32_t *)p)[0] = 0;
    pid_t pid = fork();
    if (pid == 0) {
        usleep(50000); /* the parent is asleep in the host futex by now */
        __atomic_store_n((uint32_t *)p, 7, __ATOMIC_SEQ_CST);
        ((volatile uint32_t *)p)[PG / 4] = 0xabcd;
        _exit(api.futex_wake((uint32_t *)p, 1) == 1 ? 0 : 3);
    }
    long w = 0;
    while (__atomic_load_n((uint32_t *)p, __ATOMIC_SEQ_CST) == 0 && w == 0)
        w = api.futex_wait((uint32_t *)p, 0, 5000000000LL);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK((w == 0 || w == -PAL_EAGAIN) && *(volatile uint32_t *)p == 7 && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0,
          "a forked child's store and futex wake reach the parent's wait (wait %ld, status %d)", w,
          status);
    pread(fd, &got, sizeof(got), PG);
    CHECK(got == 0xabcd, "the child's store is in the file (%x)", got);
    CHECK(inner_waits == 0 && inner_wakes == 0, "no call reached the trusted futex table");
    CHECK(api.untrusted_protect(p, PG, PAL_PROT_READ) == 0, "protect a page read-only");
    CHECK(api.untrusted_unmap((char *)p + PG, PG) == 0, "unmap the second page");
    CHECK(api.untrusted_protect((char *)p + PG, PG, PAL_PROT_READ) == -PAL_ENOMEM,
          "protect of the unmapped page: refused by the host");
    CHECK(api.untrusted_unmap(p, PG) == 0, "unmap the first page");
    close(fd);
}

static void test_hostile_addresses(void)
{
    char path[] = "/tmp/geode-test-shm-XXXXXX";
    int fd = mkstemp(path);
    int ro = open(path, O_RDONLY);

    unlink(path);
    if (ftruncate(fd, 2 * PG) < 0)
        CHECK(0, "ftruncate");
    uint64_t calls = loopback_calls;
    void *p = NULL;
    const struct {
        int64_t addr;
        const char *what;
    } bad[] = {
        {(int64_t)g_encl.base, "the enclave's first page"},
        {(int64_t)(g_encl.base + 8 * PG), "a page in the middle of the enclave"},
        {(int64_t)(g_encl.base - PG), "a range straddling the enclave's start"},
        {(int64_t)(g_encl.base + g_encl.size - PG), "a range straddling the enclave's end"},
        {(int64_t)(g_encl.base + g_encl.size + 8 * PG + 16), "an unaligned address outside"},
        {(int64_t)(0 - (uint64_t)PG), "a range that wraps"},
    };

    loopback_tamper = tamper;
    tamper_on = 1;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tamper_result = bad[i].addr;
        p = NULL;
        CHECK(api.file_map_untrusted(fd, 2 * PG, 0, PAL_PROT_READ, &p) == -PAL_EIO && p == NULL,
              "a host answering with %s: -EIO", bad[i].what);
    }
    tamper_on = 0;
    loopback_tamper = NULL;
    calls = loopback_calls;
    CHECK(api.untrusted_unmap((void *)g_encl.base, PG) == -PAL_EINVAL &&
              api.untrusted_protect((void *)(g_encl.base + PG), PG, PAL_PROT_READ) == -PAL_EINVAL &&
              loopback_calls == calls,
          "unmap and protect of enclave pages: -EINVAL without asking the host");
    CHECK(api.futex_wait((uint32_t *)g_encl.base, 0, -1) == -PAL_EAGAIN &&
              api.futex_wake((uint32_t *)g_encl.base, 1) == 0 && inner_waits == 1 &&
              inner_wakes == 1 && loopback_calls == calls,
          "futexes on enclave addresses stay with the trusted table");
    CHECK(api.file_map_untrusted(fd, PG, 1, PAL_PROT_READ, &p) == -PAL_EINVAL &&
              api.file_map_untrusted(fd, PG / 2, 0, PAL_PROT_READ, &p) == -PAL_EINVAL &&
              api.file_map_untrusted(fd, PG, 0, 8, &p) == -PAL_EINVAL && loopback_calls == calls,
          "unaligned offset or length, unknown prot: -EINVAL without asking the host");
    CHECK(api.file_map_untrusted(fd, PG, 0, PAL_PROT_READ | PAL_PROT_EXEC, &p) == -PAL_EPERM &&
              api.untrusted_protect((void *)(g_encl.base + g_encl.size), PG, PAL_PROT_EXEC) ==
                  -PAL_EACCES &&
              loopback_calls == calls,
          "PROT_EXEC (the enclave cannot run code outside it): -EPERM / -EACCES without asking the "
          "host");
    CHECK(api.file_map_untrusted(ro, PG, 0, PAL_PROT_READ | PAL_PROT_WRITE, &p) == -PAL_EACCES,
          "MAP_SHARED writable of a read-only handle: -EACCES from the host");
    close(ro);
    close(fd);
}

static int64_t host_call(struct urts_enclave *e, uint64_t nr, int64_t a0, int64_t a1, int64_t a2,
                         int64_t a3)
{
    struct ocall_args a = {{a0, a1, a2, a3}};
    uint64_t got = 1;

    return urts_ocall_shm(e, 0, nr, (const uint8_t *)&a, sizeof(a), NULL, 0, &got);
}

static void test_host_side(void)
{
    struct urts_enclave e;
    char *own = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    memset(&e, 0, sizeof(e));
    e.base = (uint64_t)(uintptr_t)own + 8 * PG;
    e.size = PG;
    CHECK(host_call(&e, OCALL_SHM_UNMAP, (int64_t)own, PG, 0, 0) == -EINVAL &&
              host_call(&e, OCALL_SHM_PROTECT, (int64_t)own, PG, PROT_NONE, 0) == -EINVAL &&
              host_call(&e, OCALL_SHM_FUTEX_WAIT, (int64_t)own, 0, 0, 0) == -EINVAL &&
              host_call(&e, OCALL_SHM_FUTEX_WAKE, (int64_t)own, 1, 0, 0) == -EINVAL,
          "unmap, protect and futexes on memory the host did not map for the enclave: -EINVAL");
    own[0] = 1;
    CHECK(own[0] == 1, "and that memory is still there");
    int64_t a = host_call(&e, OCALL_SHM_MAP, -1, 3 * PG, 0, PROT_READ | PROT_WRITE);
    CHECK(a > 0 && a % PG == 0, "anonymous shared memory mapped (%lx)", (long)a);
    if (a > 0) {
        CHECK(host_call(&e, OCALL_SHM_UNMAP, a + PG, PG, 0, 0) == 0 &&
                  host_call(&e, OCALL_SHM_PROTECT, a, PG, PROT_READ, 0) == 0 &&
                  host_call(&e, OCALL_SHM_PROTECT, a + 2 * PG, PG, PROT_READ, 0) == 0 &&
                  host_call(&e, OCALL_SHM_PROTECT, a + PG, PG, PROT_READ, 0) == -EINVAL &&
                  host_call(&e, OCALL_SHM_PROTECT, a, 3 * PG, PROT_READ, 0) == -EINVAL,
              "a hole in the middle: both sides remain, the hole and ranges across it are refused");
        CHECK(host_call(&e, OCALL_SHM_FUTEX_WAIT, a + 2, 0, 0, 0) == -EINVAL &&
                  host_call(&e, OCALL_SHM_FUTEX_WAIT, a, 5, 1000, 0) == -EAGAIN &&
                  host_call(&e, OCALL_SHM_FUTEX_WAIT, a, 0, 1000000, 0) == -ETIMEDOUT,
              "futex wait: unaligned -EINVAL, value mismatch -EAGAIN, timeout -ETIMEDOUT");
        CHECK(host_call(&e, OCALL_SHM_UNMAP, a, PG, 0, 0) == 0 &&
                  host_call(&e, OCALL_SHM_UNMAP, a + 2 * PG, PG, 0, 0) == 0 &&
                  host_call(&e, OCALL_SHM_UNMAP, a, PG, 0, 0) == -EINVAL,
              "unmapped pieces leave the table");
    }
    e.base = 0; /* every address the kernel can give is "inside" */
    e.size = 1ULL << 47;
    CHECK(host_call(&e, OCALL_SHM_MAP, -1, PG, 0, PROT_READ) == -ENOMEM,
          "a mapping the kernel put over the enclave is undone: -ENOMEM");
    CHECK(host_call(&e, OCALL_SHM_MAP, -1, PG, PG, PROT_READ) == -EINVAL &&
              host_call(&e, OCALL_SHM_MAP, 3, PG + 1, 0, PROT_READ) == -EINVAL &&
              host_call(&e, OCALL_SHM_MAP, 3, PG, 0, 8) == -EINVAL,
          "map input checks: anonymous with an offset, unaligned length, unknown prot");
    munmap(own, 3 * PG);
}

int main(void)
{
    /* A reserved range stands for the enclave. */
    void *encl = mmap(NULL, 64 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    g_encl.base = (uint64_t)(uintptr_t)encl;
    g_encl.size = 64 * PG;
    api.futex_wait = fake_wait;
    api.futex_wake = fake_wake;
    enclave_fill_shm(&api);
    test_map_and_fork();
    test_hostile_addresses();
    test_host_side();
    return TAP_DONE();
}
