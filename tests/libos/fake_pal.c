/* libOS unit tier: the fake PAL (fake_pal.h) and the libOS globals that the
 * files under test reference. */
#include "fake_pal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/signal.h"
#include "libos.h"

/* The libOS's globals (entry/main.c, core/config.c, core/thread.c,
 * entry/upcall.c, core/rewrite.c's entry point). */
const struct pal_boot *pal_boot_info;
struct libos_config libos_cfg;
int libos_pid = 1, libos_ppid = 0;
volatile int libos_thread_count = 1;
volatile uint64_t libos_trap_count;
bool libos_threads_ready;
/* arch/entry.S's entry, which rewritten syscall sites call: here it
 * returns 1000 + the syscall number in eax (test_libos_rewrite runs it). */
__asm__(".text\n.globl libos_syscall_entry\n.type libos_syscall_entry, @function\n"
        "libos_syscall_entry:\n\tadd $1000, %eax\n\tret\n");

/* entry/upcall.c's deferred work (host signals): here only the raise hooks;
 * core/thread.c's registry: the calling thread alone. Weak, for a test
 * that links the real files. */
void signal_run_hooks(void) __attribute__((weak));
__attribute__((weak)) void signal_run_deferred(void)
{
    if (signal_run_hooks)
        signal_run_hooks();
}
/* entry/upcall.c's host signals kept while a lock was held: none are
 * handed over here (no PAL upcalls), so there is nothing to raise. */
__attribute__((weak)) void signal_run_deferred_host(void)
{
    struct libos_thread *t = cur_thread();
    t->ndeferred_host = 0;
    t->deferred_host_bits = 0;
}
/* core/signal.c's dispositions: every signal at its default here. */
__attribute__((weak)) bool signal_ignored(int sig)
{
    (void)sig;
    return false;
}
/* entry/upcall.c's end by a signal: the fake PAL's kill. */
__attribute__((weak)) void libos_die_by(int sig)
{
    pal->process_kill(sig);
}
/* core/fd.c's table size, for /proc's FDSize: one chunk. */
__attribute__((weak)) int fd_table_span(void)
{
    return 1024;
}
__attribute__((weak)) struct libos_thread *thread_find(int tid)
{
    struct libos_thread *t = libos_threads_ready ? cur_thread() : NULL;
    return t && t->tid == tid ? t : NULL;
}
__attribute__((weak)) bool thread_blocks(int tid, int sig)
{
    struct libos_thread *t = thread_find(tid);
    return t && (t->sigmask & (1ULL << (sig - 1)));
}
/* core/thread.c's: the tests run one thread, so no other takes a signal. */
__attribute__((weak)) long thread_taker(int sig, const struct libos_thread *except)
{
    (void)sig, (void)except;
    return 0;
}

/* core/process.c's and sys/vfork.c's: no vfork child runs on its parent's
 * thread here unless a test says so. */
__attribute__((weak)) struct libos_thread *vfork_child_thread;
__attribute__((weak)) struct k_sigaction vfork_child_actions[NSIG_ + 1];
__attribute__((weak)) long vfork_materialize(struct pal_context *ctx, bool for_exec)
{
    (void)ctx, (void)for_exec;
    return -PAL_ENOSYS;
}

/* sys/exec.c's: no execve is taking the process in a unit test. */
__attribute__((weak)) void exec_end_if_other(void)
{
}

/* core/user.c's: every pointer a test passes is its own memory. */
__attribute__((weak)) long user_check_write(void *p, size_t len)
{
    (void)p, (void)len;
    return 0;
}

int fake_failures;
uint8_t *fake_arena;
struct fake_call fake_calls[FAKE_MAX_CALLS];
int fake_ncalls;
long fake_fail_next[4];
int64_t fake_clock_ns;
char fake_log[16384];
size_t fake_log_len;
int fake_log_lines;
jmp_buf *fake_exit_jmp;
int fake_killed_sig, fake_exit_status;

static uint8_t page_state[FAKE_ARENA_PAGES], page_prot[FAKE_ARENA_PAGES];

int fake_done(void)
{
    printf("# %d failure(s)\n", fake_failures);
    return fake_failures ? 1 : 0;
}

static long page_index(uint64_t addr)
{
    uint64_t base = (uint64_t)fake_arena;
    if (addr < base || addr >= base + FAKE_ARENA_PAGES * PAGE_SIZE)
        return -1;
    return (long)((addr - base) / PAGE_SIZE);
}

int fake_page_state(uint64_t addr)
{
    long i = page_index(addr);
    return i < 0 ? -1 : page_state[i];
}

int fake_page_prot(uint64_t addr)
{
    long i = page_index(addr);
    return i < 0 ? -1 : page_prot[i];
}

/* The arena pages [addr, addr + size), or -1 when the range is not page
 * aligned or leaves the arena. */
static long range(const void *addr, size_t size, long *n)
{
    long i = page_index((uint64_t)addr);
    if (i < 0 || (uint64_t)addr % PAGE_SIZE || size == 0 || size % PAGE_SIZE ||
        (size_t)i + size / PAGE_SIZE > FAKE_ARENA_PAGES)
        return -1;
    *n = (long)(size / PAGE_SIZE);
    return i;
}

static long record(enum fake_op op, const void *addr, size_t size, int arg, long ret)
{
    if (fake_ncalls < FAKE_MAX_CALLS)
        fake_calls[fake_ncalls++] = (struct fake_call){op, (uint64_t)addr, size, arg, ret};
    return ret;
}

static long injected(enum fake_op op)
{
    long e = fake_fail_next[op];
    fake_fail_next[op] = 0;
    return e;
}

static void set_pages(long i, long n, int state, int prot)
{
    memset(page_state + i, state, (size_t)n);
    memset(page_prot + i, prot, (size_t)n);
    if (mprotect(fake_arena + i * PAGE_SIZE, (size_t)n * PAGE_SIZE, prot) != 0)
        abort();
}

static long fake_mem_reserve(void **addr, size_t size, int flags)
{
    long e = injected(OP_RESERVE), n = 0, i;
    if (e)
        return record(OP_RESERVE, *addr, size, flags, e);
    size = ALIGN_UP(size, PAGE_SIZE);
    if (flags & PAL_MEM_FIXED) {
        i = range(*addr, size, &n);
        if (i < 0)
            return record(OP_RESERVE, *addr, size, flags, -PAL_ENOMEM);
        for (long k = 0; (flags & PAL_MEM_NOREPLACE) && k < n; k++)
            if (page_state[i + k] != FAKE_FREE)
                return record(OP_RESERVE, *addr, size, flags, -PAL_EEXIST);
    } else {
        /* First fit, as an mmap without a usable hint. */
        n = (long)(size / PAGE_SIZE);
        long run = 0;
        for (i = 0; i < FAKE_ARENA_PAGES && run < n; i++)
            run = page_state[i] == FAKE_FREE ? run + 1 : 0;
        if (run < n)
            return record(OP_RESERVE, *addr, size, flags, -PAL_ENOMEM);
        i -= n;
        *addr = fake_arena + i * PAGE_SIZE;
    }
    set_pages(i, n, FAKE_RESERVED, PAL_PROT_NONE);
    return record(OP_RESERVE, *addr, size, flags, 0);
}

static long fake_mem_commit(void *addr, size_t size, int prot)
{
    long n, i = range(addr, size, &n), e = injected(OP_COMMIT);
    if (e || i < 0)
        return record(OP_COMMIT, addr, size, prot, e ? e : -PAL_EINVAL);
    for (long k = 0; k < n; k++)
        if (page_state[i + k] == FAKE_FREE)
            return record(OP_COMMIT, addr, size, prot, -PAL_EINVAL);
    set_pages(i, n, FAKE_COMMITTED, PAL_PROT_READ | PAL_PROT_WRITE);
    memset(addr, 0, size);
    set_pages(i, n, FAKE_COMMITTED, prot);
    return record(OP_COMMIT, addr, size, prot, 0);
}

static long fake_mem_protect(void *addr, size_t size, int prot)
{
    long n, i = range(addr, size, &n), e = injected(OP_PROTECT);
    if (e || i < 0)
        return record(OP_PROTECT, addr, size, prot, e ? e : -PAL_EINVAL);
    for (long k = 0; k < n; k++)
        if (page_state[i + k] != FAKE_COMMITTED)
            return record(OP_PROTECT, addr, size, prot, -PAL_ENOMEM);
    set_pages(i, n, FAKE_COMMITTED, prot);
    return record(OP_PROTECT, addr, size, prot, 0);
}

static long fake_mem_free(void *addr, size_t size)
{
    long n, i = range(addr, ALIGN_UP(size, PAGE_SIZE), &n), e = injected(OP_FREE);
    if (e || i < 0)
        return record(OP_FREE, addr, size, 0, e ? e : -PAL_EINVAL);
    set_pages(i, n, FAKE_FREE, PAL_PROT_NONE);
    madvise(addr, (size_t)n * PAGE_SIZE, MADV_DONTNEED);
    return record(OP_FREE, addr, size, 0, 0);
}

void fake_map(void *addr, size_t len, int prot)
{
    long n, i = range(addr, len, &n);
    if (i < 0)
        abort();
    set_pages(i, n, FAKE_COMMITTED, prot);
}

static void fake_log_write(const char *msg, size_t len)
{
    if (getenv("FAKE_PAL_VERBOSE"))
        fwrite(msg, 1, len, stderr);
    size_t room = sizeof(fake_log) - 1 - fake_log_len;
    if (len > room)
        len = room;
    memcpy(fake_log + fake_log_len, msg, len);
    fake_log_len += len;
    fake_log[fake_log_len] = 0;
    fake_log_lines++;
}

void fake_log_clear(void)
{
    fake_log_len = 0;
    fake_log[0] = 0;
    fake_log_lines = 0;
}

static __attribute__((noreturn)) void end(void)
{
    if (fake_exit_jmp)
        longjmp(*fake_exit_jmp, 1);
    printf("not ok - the code under test ended the process (signal %d, status %d)\n",
           fake_killed_sig, fake_exit_status);
    exit(1);
}

static __attribute__((noreturn)) void fake_process_kill(int signo)
{
    fake_killed_sig = signo;
    end();
}

static __attribute__((noreturn)) void fake_process_exit(int status)
{
    fake_exit_status = status;
    end();
}

__attribute__((noreturn)) void libos_exit(int status)
{
    fake_process_exit(status);
}

static long fake_clock_get(int clock, int64_t *ns)
{
    (void)clock;
    *ns = fake_clock_ns;
    return 0;
}

static long fake_sleep(int64_t ns)
{
    fake_clock_ns += ns;
    return 0;
}

static struct pal_api fake_api = {
    .version = PAL_API_VERSION,
    .size = sizeof(struct pal_api),
    .log = fake_log_write,
    .process_exit = fake_process_exit,
    .process_kill = fake_process_kill,
    .mem_reserve = fake_mem_reserve,
    .mem_commit = fake_mem_commit,
    .mem_protect = fake_mem_protect,
    .mem_free = fake_mem_free,
    .clock_get = fake_clock_get,
    .sleep = fake_sleep,
};

void fake_pal_init(void)
{
    if (!fake_arena) {
        void *a = mmap(NULL, FAKE_ARENA_PAGES * PAGE_SIZE, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (a == MAP_FAILED)
            abort();
        fake_arena = a;
    }
    set_pages(0, FAKE_ARENA_PAGES, FAKE_FREE, PAL_PROT_NONE);
    fake_ncalls = 0;
    memset(fake_fail_next, 0, sizeof(fake_fail_next));
    fake_clock_ns = 0;
    fake_log_clear();
    fake_exit_jmp = NULL;
    fake_killed_sig = fake_exit_status = 0;
    pal = &fake_api;
}
