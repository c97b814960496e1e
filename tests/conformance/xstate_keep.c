// modes: direct sim
/* The extended register state a program may use (xsave(7)'s view: what
 * CPUID and XGETBV say it may) survives what Linux keeps it across:
 * system calls and signals (a timer's, taken wherever the program is).
 * With AVX-512 (zmm16-31 and the opmask registers, which only AVX-512
 * code touches), else AVX (ymm upper halves). In an enclave an interrupt
 * is an AEX: what XFRM leaves out of the SSA frame would be lost there.
 * Prints the same line on the same host natively and under geode. */
#include "conf.h"
#include <cpuid.h>
#include <sys/syscall.h>
#include <sys/time.h>

static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
    (void)sig;
    ticks++;
}

static int usable(void)
{
    unsigned a, b, c, d, lo, hi;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) /* OSXSAVE */
        return 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    int avx = (c & (1u << 28)) && (lo & 6) == 6;
    if (!avx)
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 1;
    return (b & (1u << 16)) && (lo & 0xe6) == 0xe6 ? 2 : 1;
}

/* The register lists below stay one per macro call. */
// clang-format off
/* zmm16-31 = i * 0x0101..., k1-k7 = i * 0x1111... (AVX-512), or ymm8-15
 * = i * 0x0101... (AVX), from a pattern whose byte is i. */
static void load512(void)
{
    __asm__ volatile(
#define Z(n) "mov $" #n " * 0x0101010101010101, %%rax\n\tvpbroadcastq %%rax, %%zmm" #n "\n\t"
        Z(16) Z(17) Z(18) Z(19) Z(20) Z(21) Z(22) Z(23) Z(24) Z(25) Z(26) Z(27) Z(28) Z(29) Z(30) Z(31)
#undef Z
#define K(n) "mov $" #n " * 0x1111111111111111, %%rax\n\tkmovq %%rax, %%k" #n "\n\t"
        K(1) K(2) K(3) K(4) K(5) K(6) K(7)
#undef K
        ::: "rax", "memory");
}

static int check512(void)
{
    uint64_t z[16][8] __attribute__((aligned(64))), k[8];
    __asm__ volatile(
#define Z(n, i) "vmovdqu64 %%zmm" #n ", " #i "*64(%0)\n\t"
        Z(16, 0) Z(17, 1) Z(18, 2) Z(19, 3) Z(20, 4) Z(21, 5) Z(22, 6) Z(23, 7) Z(24, 8) Z(25, 9)
        Z(26, 10) Z(27, 11) Z(28, 12) Z(29, 13) Z(30, 14) Z(31, 15)
#undef Z
#define K(n) "kmovq %%k" #n ", " #n "*8(%1)\n\t"
        K(1) K(2) K(3) K(4) K(5) K(6) K(7)
#undef K
        ::"r"(z), "r"(k) : "memory");
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 8; j++)
            if (z[i][j] != (uint64_t)(16 + i) * 0x0101010101010101ULL)
                return 0;
    for (int n = 1; n < 8; n++)
        if (k[n] != (uint64_t)n * 0x1111111111111111ULL)
            return 0;
    return 1;
}

static void load256(void)
{
    __asm__ volatile(
#define Y(n) "mov $" #n " * 0x0101010101010101, %%rax\n\tvmovq %%rax, %%xmm0\n\tvpbroadcastq %%xmm0, %%ymm" #n "\n\t"
        Y(8) Y(9) Y(10) Y(11) Y(12) Y(13) Y(14) Y(15)
#undef Y
        ::: "rax", "xmm0", "memory");
}

static int check256(void)
{
    uint64_t y[8][4] __attribute__((aligned(32)));
    __asm__ volatile(
#define Y(n, i) "vmovdqu %%ymm" #n ", " #i "*32(%0)\n\t"
        Y(8, 0) Y(9, 1) Y(10, 2) Y(11, 3) Y(12, 4) Y(13, 5) Y(14, 6) Y(15, 7)
#undef Y
        ::"r"(y) : "memory");
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++)
            if (y[i][j] != (uint64_t)(8 + i) * 0x0101010101010101ULL)
                return 0;
    return 1;
}

// clang-format on

int main(void)
{
    int level = usable();
    if (!level) {
        say("no AVX on this host\n");
        return 0;
    }
    struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 500}, {0, 500}};
    setitimer(ITIMER_REAL, &it, NULL);
    int kept = 1;
    level == 2 ? load512() : load256();
    /* System calls (raw: nothing of libc's between the loads and the
     * checks), and spinning, where the timer's signals land. */
    int i;
    for (i = 0; (i < 2000 || ticks < 20) && i < 1000000 && kept; i++) {
        syscall(SYS_getppid);
        for (volatile int s = 0; s < 2000; s++)
            ;
        if (i % 100 == 99)
            kept = level == 2 ? check512() : check256();
    }
    it = (struct itimerval){{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    say("%s registers kept across system calls and signals: %s\n", level == 2 ? "AVX-512" : "AVX",
        kept && ticks >= 20 ? "yes"
        : kept              ? "yes, but too few signals came"
                            : "no");
    return 0;
}
