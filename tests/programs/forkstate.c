/* What a forked child must have of its parent, and what it must not share:
 * memory (a copy: heap, stack, globals, a large touched allocation, a
 * PROT_NONE and a read-only mapping), descriptors (a pipe both use),
 * the calling thread's registers (callee-saved, SSE, MXCSR), signal
 * dispositions and mask, the current directory, fork from a second thread,
 * vfork + execve and posix_spawn of this program, exit statuses and
 * deaths by signal, getppid. Prints one line per check and failures=N;
 * the output is the same natively, in direct mode and in an enclave.
 * argv[1] = "big": also a 100 MiB process; "child": the exec'd child. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int failures;
static int global_value = 1234;

static void report(const char *name, int good)
{
    printf("%s %s\n", good ? "ok" : "FAIL", name);
    failures += !good;
    fflush(stdout);
}

/* Runs fn in a child and reports whether it exited 0. */
static void in_child(const char *name, int (*fn)(void *), void *arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg));
    int st = 0;
    report(name, pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static unsigned char *heap_block;

static int check_memory(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1 << 20; i++)
        if (heap_block[i] != (unsigned char)(i * 7))
            return 1;
    memset(heap_block, 0x55, 1 << 20);
    global_value = 99;
    return 0;
}

static unsigned char *big_block;
static size_t big_size = 100u << 20;

static int check_big(void *arg)
{
    (void)arg;
    for (size_t i = 0; i < big_size; i += 4096)
        if (big_block[i] != (unsigned char)(i >> 12))
            return 1;
    return 0;
}

static unsigned char *ro_page, *none_page;

static int check_mappings(void *arg)
{
    (void)arg;
    if (ro_page[100] != 0xab)
        return 1;
    if (mprotect(none_page, 4096, PROT_READ) || none_page[5] != 0xcd)
        return 2;
    return 0;
}

/* Registers across the fork system call itself: callee-saved GPRs, every
 * XMM register and MXCSR as the program left them. */
static int regs_fork(void)
{
    uint64_t x0 = 0x1111222233334444ULL, x15 = 0x5555666677778888ULL, o0 = 0, o15 = 0;
    unsigned mxcsr_in = 0x3f80 | 0x6000, mxcsr_out = 0, saved_mxcsr;
    uint64_t rbx_in = 0xabcdef0123456789ULL, rbx_out = 0;
    long r;

    __asm__ volatile("stmxcsr %0" : "=m"(saved_mxcsr));
    __asm__ volatile("movq %0, %%xmm0\n\tmovq %1, %%xmm15\n\tldmxcsr %2" ::"r"(x0), "r"(x15), "m"(mxcsr_in)
                     : "xmm0", "xmm15");
    __asm__ volatile("push %%rbx\n\t"
                     "mov %3, %%rbx\n\t"
                     "syscall\n\t"
                     "mov %%rbx, %1\n\t"
                     "pop %%rbx"
                     : "=a"(r), "=r"(rbx_out)
                     : "0"((long)SYS_fork), "r"(rbx_in)
                     : "rcx", "r11", "memory");
    __asm__ volatile("movq %%xmm0, %0\n\tmovq %%xmm15, %1\n\tstmxcsr %2" : "=r"(o0), "=r"(o15), "=m"(mxcsr_out));
    __asm__ volatile("ldmxcsr %0" ::"m"(saved_mxcsr));
    int good = o0 == x0 && o15 == x15 && mxcsr_out == mxcsr_in && rbx_out == rbx_in;
    if (r == 0)
        _exit(good ? 0 : 1);
    int st = 0;
    if (r < 0 || waitpid((pid_t)r, &st, 0) != r)
        return 0;
    return good && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int s)
{
    (void)s;
    got_usr1 = 1;
}

static int check_signals(void *arg)
{
    (void)arg;
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    if (!sigismember(&cur, SIGUSR2))
        return 1;
    raise(SIGUSR1);
    return got_usr1 ? 0 : 2;
}

static int check_cwd(void *arg)
{
    char buf[256];
    return getcwd(buf, sizeof(buf)) && !strcmp(buf, (const char *)arg) ? 0 : 1;
}

static int check_ppid(void *arg)
{
    return getppid() == *(pid_t *)arg ? 0 : 1;
}

static void *thread_fork(void *arg)
{
    (void)arg;
    pid_t pid = fork();
    if (pid == 0)
        _exit(global_value == 1234 ? 21 : 22);
    int st = 0;
    waitpid(pid, &st, 0);
    return (void *)(intptr_t)(WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void statuses(void)
{
    int st = 0;
    pid_t pid = fork();
    if (pid == 0)
        _exit(42);
    report("exit status 42", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42);
    pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        kill(getpid(), SIGTERM);
        pause();
        _exit(0);
    }
    report("death by SIGTERM", waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    kill(pid, SIGKILL);
    report("killed by the parent", waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void pipes(void)
{
    int p[2], q[2];
    char buf[16] = {0};
    if (pipe(p) || pipe(q)) {
        report("pipe both ways", 0);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        char in[8] = {0};
        close(p[1]);
        close(q[0]);
        if (read(p[0], in, 4) != 4)
            _exit(1);
        in[0] = 'P';
        _exit(write(q[1], in, 4) == 4 ? 0 : 2);
    }
    close(p[0]);
    close(q[1]);
    int w = write(p[1], "ping", 4) == 4;
    int r = read(q[0], buf, sizeof(buf)) == 4 && !memcmp(buf, "Ping", 4);
    int st = 0;
    waitpid(pid, &st, 0);
    close(p[1]);
    close(q[0]);
    report("pipe both ways", w && r && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void exec_children(const char *self)
{
    int st = 0;
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        execl(self, self, "child", (char *)NULL);
        _exit(127);
    }
    report("vfork + execve", pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 33);
    char *args[] = {(char *)self, "child", NULL};
    int r = posix_spawn(&pid, self, NULL, NULL, args, environ);
    report("posix_spawn", r == 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 33);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "child"))
        return 33;
    heap_block = malloc(1 << 20);
    for (int i = 0; i < 1 << 20; i++)
        heap_block[i] = (unsigned char)(i * 7);
    in_child("heap and globals copied", check_memory, NULL);
    int same = 1;
    for (int i = 0; i < 1 << 20; i++)
        same &= heap_block[i] == (unsigned char)(i * 7);
    report("the child's writes stay in the child", same && global_value == 1234);

    ro_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    none_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ro_page[100] = 0xab;
    none_page[5] = 0xcd;
    mprotect(ro_page, 4096, PROT_READ);
    mprotect(none_page, 4096, PROT_NONE);
    in_child("read-only and PROT_NONE pages copied", check_mappings, NULL);

    report("registers across fork (RBX, XMM0, XMM15, MXCSR)", regs_fork());

    signal(SIGUSR1, on_usr1);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, NULL);
    in_child("signal handler and mask inherited", check_signals, NULL);
    sigprocmask(SIG_UNBLOCK, &block, NULL);

    if (chdir("/tmp") == 0)
        in_child("current directory inherited", check_cwd, "/tmp");
    pid_t me = getpid();
    in_child("getppid is the parent", check_ppid, &me);

    pthread_t t;
    void *res = NULL;
    pthread_create(&t, NULL, thread_fork, NULL);
    pthread_join(t, &res);
    report("fork from a second thread", (intptr_t)res == 21);

    statuses();
    pipes();
    exec_children(argv[0]);

    if (argc > 1 && !strcmp(argv[1], "big")) {
        big_block = malloc(big_size);
        for (size_t i = 0; i < big_size; i += 4096)
            big_block[i] = (unsigned char)(i >> 12);
        in_child("100 MiB process copied", check_big, NULL);
    }
    printf("failures=%d\n", failures);
    return failures != 0;
}
