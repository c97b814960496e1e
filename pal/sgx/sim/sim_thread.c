/* Per-thread sim state: signal stack, Syscall User Dispatch, lookup. */
#include "sim/sim_thread.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "sim/sim_signal.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_ON 1
#endif

/* Our sigreturn trampoline lives in [sim_sud_start, sim_sud_end): the only
 * code allowed to make syscalls while the selector is BLOCK (sim_vdso.c). */
extern const char sim_sud_start[], sim_sud_end[];

static __thread struct sim_thread *current;
static pthread_key_t thread_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

/* Thread exit: stop dispatch and give the signal stack back. */
static void thread_release(void *p)
{
    struct sim_thread *t = p;
    stack_t off = {.ss_flags = SS_DISABLE};

    prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
    sigaltstack(&off, NULL);
    munmap(t, SIM_ALTSTACK_SIZE);
}

static void make_key(void)
{
    if (pthread_key_create(&thread_key, thread_release))
        fprintf(stderr, "geode sim: pthread_key_create failed; thread state will leak\n");
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
    pthread_once(&key_once, make_key);
    pthread_setspecific(thread_key, t);
    current = t;
    return 0;
}

int sim_thread_prepare(void)
{
    int ret = current ? 0 : thread_setup();

    if (!ret)
        ret = sim_signals_sync();
    if (!ret) {
        current->host_fsbase = sim_rdfsbase();
        current->host_gsbase = sim_rdgsbase();
    }
    return ret;
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
