// modes: direct sim
/* A new thread starts with its creator's floating-point environment, as
 * Linux's clone copies the FP state: the SSE rounding mode and
 * flush-to-zero in MXCSR, and the x87 control word's rounding and
 * precision. Each mode set in the parent is what the thread reads back and
 * computes with (1/3 rounded up and down differ in the last bit). */
#include "conf.h"
#include <pthread.h>

static uint32_t get_mxcsr(void)
{
    uint32_t v;
    __asm__ volatile("stmxcsr %0" : "=m"(v));
    return v;
}

static void set_mxcsr(uint32_t v)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(v));
}

static uint16_t get_fcw(void)
{
    uint16_t v;
    __asm__ volatile("fnstcw %0" : "=m"(v));
    return v;
}

static void set_fcw(uint16_t v)
{
    __asm__ volatile("fldcw %0" : : "m"(v));
}

static volatile double one = 1.0, three = 3.0;
static volatile long double lone = 1.0L, lthree = 3.0L;

static void *report(void *arg)
{
    volatile double q = one / three;
    volatile long double lq = lone / lthree;
    uint64_t bits;
    memcpy(&bits, (const void *)&q, 8);
    uint64_t lbits;
    memcpy(&lbits, (const void *)&lq, 8);
    say("  %s: mxcsr %#x fcw %#x 1/3 sse %#llx x87 %#llx\n", (const char *)arg,
        get_mxcsr() & 0xffc0, get_fcw(), (unsigned long long)bits, (unsigned long long)lbits);
    return NULL;
}

int main(void)
{
    static const struct {
        const char *name;
        uint32_t rc; /* rounding control: 0 nearest, 1 down, 2 up, 3 toward zero */
        int ftz;
        uint16_t pc; /* x87 precision: 0 single, 2 double, 3 extended */
    } modes[] = {
        {"nearest", 0, 0, 3}, {"down", 1, 0, 3}, {"up", 2, 0, 2},
        {"toward zero", 3, 0, 0}, {"up, flush-to-zero", 2, 1, 3},
    };
    uint32_t mx0 = get_mxcsr();
    uint16_t cw0 = get_fcw();
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        set_mxcsr((mx0 & ~0xe000u) | modes[i].rc << 13 | (modes[i].ftz ? 0x8000u : 0));
        set_fcw((uint16_t)((cw0 & ~0xf00u) | modes[i].rc << 10 | modes[i].pc << 8));
        say("%s\n", modes[i].name);
        report("parent");
        pthread_t t;
        if (pthread_create(&t, NULL, report, "thread") || pthread_join(t, NULL))
            say("  pthread_create failed\n");
        set_mxcsr(mx0);
        set_fcw(cw0);
    }
    return 0;
}
