/* Per-thread sim state: signal stack, Syscall User Dispatch, lookup. */
#include "sim_thread.h"
#include "sim_encl.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "host_caps.h"
#include "sim_signal.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_ON 1
#endif

/* Our sigreturn trampoline lives in [sim_sud_start, sim_sud_end): the only
 * code allowed to make syscalls while the selector is BLOCK (sim_vdso.c). */
extern const char sim_sud_start[], sim_sud_end[];

struct sim_bases_mode sim_bases;
static pthread_once_t bases_once = PTHREAD_ONCE_INIT;

/* Where the kernel lacks FSGSBASE but the instructions run (the sim
 * needs them: host_caps_sim_refusal), a base is read with RDFSBASE/
 * RDGSBASE: arch_prctl's ARCH_GET_FS of the calling thread reads the live
 * base MSR too, and under a hypervisor that MSR read is an exit costing
 * microseconds. Used only where both agree now, for FS and GS. */
static bool read_insn_agrees(void)
{
    uint64_t fs = 0, gs = 0, ifs, igs;

    if (sim_arch_prctl(SIM_ARCH_GET_FS, (uint64_t)(uintptr_t)&fs) ||
        sim_arch_prctl(SIM_ARCH_GET_GS, (uint64_t)(uintptr_t)&gs))
        return false;
    __asm__ volatile("rdfsbase %0" : "=r"(ifs));
    __asm__ volatile("rdgsbase %0" : "=r"(igs));
    return fs == ifs && gs == igs;
}

static void bases_decide(void)
{
    sim_bases.arch_prctl = host_caps_bases_volatile();
    sim_bases.emulate_loss = host_caps_emulate_base_loss();
    sim_bases.read_insn = sim_bases.arch_prctl && host_cap(HOST_CAP_FSGSBASE_INSN) && read_insn_agrees();
}

void sim_bases_init(void)
{
    pthread_once(&bases_once, bases_decide);
}

void sim_thread_emulate_loss(struct sim_thread *t)
{
    uint64_t x = t->loss_rng ? t->loss_rng : ((uint64_t)(uintptr_t)t | 1);

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    t->loss_rng = x;
    if (x & 1)
        return; /* no context switch this time */
    sim_thread_reload_durable(t);
}

static __thread struct sim_thread *current;
static pthread_key_t thread_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

/* Thread exit: stop dispatch and give the signal stack back. */
static void thread_release(void *p)
{
    struct sim_thread *t = p;
    stack_t off = {.ss_flags = SS_DISABLE};

    if (t->switch_timer)
        timer_delete((timer_t)t->switch_timer);
    prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
    sigaltstack(&off, NULL);
    munmap(t, SIM_ALTSTACK_SIZE);
}

static void make_key(void)
{
    if (pthread_key_create(&thread_key, thread_release))
        fprintf(stderr, "geode sim: pthread_key_create failed; thread state will leak\n");
}

/* emulate_loss: a tick every SWITCH_TICK_NS of this thread's CPU time. */
#define SWITCH_TICK_NS 200000

static int start_switch_timer(struct sim_thread *t)
{
    struct sigevent sev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIM_SWITCH_SIG};
    struct itimerspec its = {.it_interval = {0, SWITCH_TICK_NS}, .it_value = {0, SWITCH_TICK_NS}};
    timer_t id;

    sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    if (timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &id))
        return -errno;
    if (timer_settime(id, 0, &its, NULL)) {
        int err = errno;

        timer_delete(id);
        return -err;
    }
    t->switch_timer = (void *)id;
    return 0;
}

static int thread_setup(void)
{
    struct sim_thread *t = mmap(NULL, SIM_ALTSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    stack_t ss;

    if (t == MAP_FAILED)
        return -ENOMEM;
    memset(t, 0, sizeof(*t));
    t->magic = SIM_THREAD_MAGIC;
    t->self = t;
    t->selector = SIM_SELECTOR_ALLOW;
    /* The state page is below the stack the kernel uses. */
    ss = (stack_t){.ss_sp = (char *)t + 4096, .ss_size = SIM_ALTSTACK_SIZE - 4096};
    if (sigaltstack(&ss, NULL) ||
        prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, (unsigned long)sim_sud_start,
              (unsigned long)(sim_sud_end - sim_sud_start), (unsigned long)&t->selector)) {
        int err = errno;

        fprintf(stderr, "geode sim: thread setup (sigaltstack/syscall user dispatch) failed: %s\n", strerror(err));
        munmap(t, SIM_ALTSTACK_SIZE);
        return -err;
    }
    int terr = sim_bases.emulate_loss ? start_switch_timer(t) : 0;

    if (terr)
        fprintf(stderr, "geode sim: no context-switch tick for the base-loss emulation: %s\n", strerror(-terr));
    pthread_once(&key_once, make_key);
    pthread_setspecific(thread_key, t);
    current = t;
    return 0;
}

struct sim_thread *sim_thread_current(void)
{
    return current;
}

long sim_thread_prepare(void)
{
    int ret;

    sim_bases_init();
    ret = current ? 0 : thread_setup();

    if (!ret)
        ret = sim_signals_sync();
    if (!ret) {
        uint64_t gs = sim_rdbase(true);

        current->host_fsbase = sim_rdbase(false);
        /* the enclave's GS left live (sim_thread_to_host): the host's is 0 */
        if (current->gs_kept && gs != current->gs_kept)
            current->gs_kept = 0;
        current->host_gsbase = current->gs_kept ? 0 : gs;
    }
    return ret ? ret : (long)(uintptr_t)current;
}

/* A forked host process: its one thread keeps its signal stack and state
 * page, but the kernel carried over neither the syscall dispatch nor the
 * thread's CPU-time timer. */
int sim_thread_after_fork(void)
{
    struct sim_thread *t = current;

    sim_populate_forked();
    if (!t)
        return 0;
    t->switch_timer = NULL;
    t->in_enclave = false;
    t->selector = SIM_SELECTOR_ALLOW;
    if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, (unsigned long)sim_sud_start,
              (unsigned long)(sim_sud_end - sim_sud_start), (unsigned long)&t->selector))
        return -errno;
    int terr = sim_bases.emulate_loss ? start_switch_timer(t) : 0;

    if (terr)
        fprintf(stderr, "geode sim: no context-switch tick for the base-loss emulation: %s\n", strerror(-terr));
    return 0;
}

struct sim_thread *sim_thread_from_uc(const ucontext_t *uc)
{
    struct sim_thread *t;

    if (uc->uc_stack.ss_flags & SS_DISABLE || !uc->uc_stack.ss_sp)
        return NULL;
    t = (struct sim_thread *)((char *)uc->uc_stack.ss_sp - 4096);
    if (((uintptr_t)t & 4095) || uc->uc_stack.ss_size != SIM_ALTSTACK_SIZE - 4096)
        return NULL;
    return t->magic == SIM_THREAD_MAGIC && t->self == t ? t : NULL;
}
