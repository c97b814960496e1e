// modes: direct sim
/* ioprio_get(2) and ioprio_set(2) on the calling process: the default,
 * each class, levels, bad classes and "which" values, ESRCH. */
#include "conf.h"
#include <sys/syscall.h>

static long get(int which, int who) { return syscall(SYS_ioprio_get, which, who); }
static long set(int which, int who, int v) { return syscall(SYS_ioprio_set, which, who, v); }

int main(void)
{
    static const int values[] = {
        /* Only values both layouts judge alike: before Linux 6.5 the level
         * was all 13 low bits, since then 3 bits and hints above them. */
        (1 << 13) | 0, (1 << 13) | 7, (2 << 13) | 4, (3 << 13) | 0, (3 << 13) | 99, 1, (7 << 13),
        (4 << 13) | 1, 0,
    };
    val("default (process)", get(1, 0));
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char what[64];
        snprintf(what, sizeof(what), "set 0x%x", values[i]);
        chk(what, set(1, 0, values[i]));
        snprintf(what, sizeof(what), "get after 0x%x", values[i]);
        val(what, get(1, 0));
    }
    chk("set which 0", set(0, 0, 0));
    chk("set which 4", set(4, 0, 0));
    chk("get which 9", get(9, 0));
    val("get own pid", get(1, getpid()));
    chk("get pid 999999", get(1, 999999));
    chk("set pid 999999", set(1, 999999, (2 << 13) | 1));
    return 0;
}
