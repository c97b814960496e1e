// modes: direct sim
/* RLIMIT_NOFILE as getrlimit(2), open(2), dup(2), dup2(2), fcntl(2) and
 * pipe(2) describe it: new descriptors stay below the soft limit (EMFILE),
 * dup2/dup3 to a descriptor at or above it give EBADF, F_DUPFD from it
 * EINVAL; a descriptor already above a lowered limit stays usable; the
 * hard limit cannot go above /proc/sys/fs/nr_open (EPERM). */
#include "conf.h"
#include <fcntl.h>
#include <sys/resource.h>

static int lowest_free(void)
{
    int fd = open("/dev/null", O_RDONLY);
    if (fd >= 0)
        close(fd);
    return fd;
}

int main(void)
{
    struct rlimit rl, lim = {16, 16};
    if (getrlimit(RLIMIT_NOFILE, &rl))
        return 1;
    say("soft <= hard: %s\n", rl.rlim_cur <= rl.rlim_max ? "yes" : "no");
    int high = dup2(0, 30);
    val("dup2 to 30 under the default limit", high);
    chk("setrlimit 16/16", setrlimit(RLIMIT_NOFILE, &lim));
    say("fd 30 above the new limit still usable: %s\n", fcntl(30, F_GETFD) >= 0 ? "yes" : "no");
    int opened = 0, last = -1;
    for (;;) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) {
            say("open past the limit: -1 %s\n", ename(errno));
            break;
        }
        last = fd, opened++;
    }
    say("highest new descriptor: %d\n", last);
    int p[2];
    chk("pipe at the limit", pipe(p));
    chk("dup at the limit", dup(0));
    chk("dup2 to 16", dup2(0, 16));
    chk("dup2 to 15 (open: replaced)", dup2(0, 15));
    chk("dup3 to 16", dup3(0, 16, O_CLOEXEC));
    chk("F_DUPFD from 16", fcntl(0, F_DUPFD, 16));
    chk("F_DUPFD_CLOEXEC from 16", fcntl(0, F_DUPFD_CLOEXEC, 16));
    for (int fd = 3; fd < 16; fd++)
        close(fd);
    val("lowest free after closing", lowest_free());
    val("F_DUPFD from 10", fcntl(0, F_DUPFD, 10));
    struct rlimit zero = {0, 16};
    chk("setrlimit 0/16", setrlimit(RLIMIT_NOFILE, &zero));
    chk("open with soft limit 0", open("/dev/null", O_RDONLY));
    chk("dup2 to 0 with soft limit 0", dup2(1, 0));
    struct rlimit huge = {16, 1ul << 40};
    chk("setrlimit hard above nr_open", setrlimit(RLIMIT_NOFILE, &huge));
    struct rlimit bad = {17, 16};
    chk("setrlimit soft above hard", setrlimit(RLIMIT_NOFILE, &bad));
    chk("setrlimit 16/16 again", setrlimit(RLIMIT_NOFILE, &lim));
    if (getrlimit(RLIMIT_NOFILE, &rl))
        return 1;
    say("limit now: %lu/%lu\n", (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
    (void)opened;
    return 0;
}
