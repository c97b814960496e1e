/* Signal state: (1) the interrupted code's SSE registers survive a handler
 * that clobbers them, both when the signal arrives on a trapped syscall and
 * (after the site is rewritten) on the trampoline path; (2) a handler on a
 * sigaltstack catches a stack overflow and the program goes on cleanly. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile int handled;
static sigjmp_buf jb;
static char altstack[64 * 1024];
static volatile int overflow_on_alt;

static void clobber_xmm(int sig)
{
    (void)sig;
    handled++;
    __asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\tpcmpeqd %%xmm1, %%xmm1\n\t"
                     "pcmpeqd %%xmm2, %%xmm2\n\tpcmpeqd %%xmm7, %%xmm7\n\t"
                     "pcmpeqd %%xmm8, %%xmm8\n\tpcmpeqd %%xmm15, %%xmm15\n\t"
                     ::: "xmm0", "xmm1", "xmm2", "xmm7", "xmm8", "xmm15");
}

/* Loads xmm0/1/2/7/8/15 from in, sends SIGUSR1 to ourselves with a raw
 * `mov $62,%eax; syscall` (a rewritable site), and stores them to out. */
static void kill_keeping_xmm(const uint8_t in[96], uint8_t out[96])
{
    long pid = getpid();
    __asm__ volatile("movdqu 0(%[in]), %%xmm0\n\tmovdqu 16(%[in]), %%xmm1\n\t"
                     "movdqu 32(%[in]), %%xmm2\n\tmovdqu 48(%[in]), %%xmm7\n\t"
                     "movdqu 64(%[in]), %%xmm8\n\tmovdqu 80(%[in]), %%xmm15\n\t"
                     "mov $62, %%eax\n\tsyscall\n\t"
                     "movdqu %%xmm0, 0(%[out])\n\tmovdqu %%xmm1, 16(%[out])\n\t"
                     "movdqu %%xmm2, 32(%[out])\n\tmovdqu %%xmm7, 48(%[out])\n\t"
                     "movdqu %%xmm8, 64(%[out])\n\tmovdqu %%xmm15, 80(%[out])\n\t"
                     : "+D"(pid)
                     : [in] "r"(in), [out] "r"(out), "S"((long)SIGUSR1)
                     : "rax", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm7", "xmm8",
                       "xmm15");
}

static int check(int cond, const char *what)
{
    printf("%s %s\n", cond ? "pass" : "FAIL", what);
    return cond ? 0 : 1;
}

static int sse_survives(void)
{
    int fails = 0;
    signal(SIGUSR1, clobber_xmm);
    for (int round = 0; round < 3; round++) {
        uint8_t in[96], out[96];
        for (int i = 0; i < 96; i++)
            in[i] = (uint8_t)(i * 7 + round + 1);
        memset(out, 0, sizeof(out));
        int before = handled;
        kill_keeping_xmm(in, out);
        char name[80];
        snprintf(name, sizeof(name), "round %d: handler ran", round);
        fails += check(handled == before + 1, name);
        snprintf(name, sizeof(name), "round %d: xmm registers preserved across the handler",
                 round);
        fails += check(memcmp(in, out, sizeof(in)) == 0, name);
    }
    return fails;
}

static void on_overflow(int sig)
{
    char here;
    overflow_on_alt = &here >= altstack && &here < altstack + sizeof(altstack);
    siglongjmp(jb, sig);
}

/* Not a tail call, and each frame touches its buffer: the stack must grow. */
static int recurse(int depth)
{
    volatile char pad[1024];
    pad[0] = (char)depth;
    if (depth == 1 << 30)
        return pad[0];
    return recurse(depth + 1) + pad[0];
}

static int overflow_caught(void)
{
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_overflow;
    sa.sa_flags = SA_ONSTACK;
    if (sigaltstack(&ss, NULL) || sigaction(SIGSEGV, &sa, NULL))
        return check(0, "sigaltstack + sigaction");
    if (sigsetjmp(jb, 1) == 0) {
        printf("unreachable %d\n", recurse(0));
        return check(0, "stack overflow raised SIGSEGV");
    }
    return check(overflow_on_alt, "stack overflow caught by a handler on the sigaltstack");
}

int main(void)
{
    int fails = sse_survives();
    fails += overflow_caught();
    printf("failures=%d\n", fails);
    return fails ? 1 : 0;
}
