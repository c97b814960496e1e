/* Signal handlers that change the interrupted context: a SIGSEGV handler
 * that skips the faulting instruction by advancing RIP, one that repairs
 * the faulting register so the instruction succeeds when retried, and a
 * SIGUSR1 handler that changes a general register the interrupted code
 * then sees. Prints failures=N; exits 0 when N is 0. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static int failures;
static volatile long good_value = 1234;

static void expect(int cond, const char *what)
{
    if (!cond) {
        printf("FAIL: %s\n", what);
        failures++;
    }
}

/* The faulting load below is "mov (%rax),%rax": 3 bytes (48 8b 00). */
static void skip_handler(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    (void)sig;
    (void)si;
    uc->uc_mcontext.gregs[REG_RIP] += 3;
    uc->uc_mcontext.gregs[REG_RAX] = 77;
}

static void repair_handler(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    (void)sig;
    (void)si;
    uc->uc_mcontext.gregs[REG_RAX] = (greg_t)&good_value; /* retried load now succeeds */
}

static void usr1_handler(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    (void)sig;
    (void)si;
    uc->uc_mcontext.gregs[REG_RBX] = 0x5151; /* the interrupted code reads RBX after kill() */
}

static long faulting_load(void *p)
{
    long v;
    __asm__ volatile("mov %1, %%rax\n\t.byte 0x48, 0x8b, 0x00\n\tmov %%rax, %0"
                     : "=r"(v)
                     : "r"(p)
                     : "rax", "memory");
    return v;
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, NULL);
}

int main(void)
{
    install(SIGSEGV, skip_handler);
    expect(faulting_load((void *)16) == 77, "SIGSEGV handler skips the instruction and sets RAX");
    install(SIGSEGV, repair_handler);
    expect(faulting_load((void *)16) == 1234, "SIGSEGV handler repairs RAX; retried load succeeds");

    install(SIGUSR1, usr1_handler);
    long rbx;
    __asm__ volatile("mov $0, %%rbx\n\t"
                     "mov %1, %%edi\n\t"
                     "mov %2, %%esi\n\t"
                     "mov $62, %%eax\n\t" /* kill(getpid(), SIGUSR1) */
                     "syscall\n\t"
                     "mov %%rbx, %0"
                     : "=r"(rbx)
                     : "r"((int)getpid()), "r"(SIGUSR1)
                     : "rax", "rbx", "rcx", "rdx", "rdi", "rsi", "r11", "memory");
    expect(rbx == 0x5151, "SIGUSR1 handler's change to RBX is seen after the syscall");
    printf("failures=%d\n", failures);
    return failures ? 1 : 0;
}
