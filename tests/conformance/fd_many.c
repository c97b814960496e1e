// modes: direct sim
/* Thousands of descriptors, as a server with many clients or a JVM that
 * raises RLIMIT_NOFILE to its hard limit has: once the limit allows it,
 * open and dup hand out the lowest free descriptor past 1024, dup2 and
 * F_DUPFD reach up to the limit and no further (EBADF, EINVAL), a file
 * open past 1024 reads and writes, /proc/self/fd lists them all, poll
 * and select-free I/O work on a high one, a forked child has them, and
 * close_range empties the range. Needs root to raise the hard limit (as
 * natively: without it both runs print the same EPERM). */
#include "conf.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#define LIMIT 5000
#define FILES 1500 /* real files: host descriptors too */

static int count_proc_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

int main(int argc, char **argv)
{
    struct rlimit rl = {LIMIT, LIMIT};

    if (argc > 1 && chdir(argv[1]))
        return 1;
    if (setrlimit(RLIMIT_NOFILE, &rl)) {
        say("setrlimit %d: -1 %s\n", LIMIT, ename(errno));
        return 0;
    }
    say("setrlimit %d: ok\n", LIMIT);
    int before = count_proc_fds();
    int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0600), last = -1, opened = 0;
    if (fd < 0 || write(fd, "0123456789", 10) != 10)
        return 1;
    for (int i = 0; i < FILES; i++) {
        int f = open("data", O_RDONLY);
        if (f < 0) {
            say("open %d: -1 %s\n", i, ename(errno));
            break;
        }
        opened++;
        last = f;
    }
    say("opened %d files, the last above 1024: %s\n", opened, last > 1024 ? "yes" : "no");
    char c = 0;
    ssize_t got = pread(last, &c, 1, 5);
    say("pread from the last: %zd '%c'\n", got, c);
    int d = dup(last);
    say("dup is the next one: %s\n", d == last + 1 ? "yes" : "no");
    val("dup2 to 4999", dup2(fd, LIMIT - 1));
    chk("dup2 to 5000", dup2(fd, LIMIT));
    val("F_DUPFD from 4000", fcntl(fd, F_DUPFD, 4000));
    chk("F_DUPFD from 5000", fcntl(fd, F_DUPFD, LIMIT));
    say("write through 4999 and read back: %s\n",
        pwrite(LIMIT - 1, "x", 1, 0) == 1 && pread(4000, &c, 1, 0) == 1 && c == 'x' ? "yes" : "no");
    int p[2];
    chk("pipe at the top", pipe(p));
    say("pipe descriptors above 1024: %s\n", p[0] > 1024 && p[1] > 1024 ? "yes" : "no");
    struct pollfd pf = {p[0], POLLIN, 0};
    say("poll of the read end, empty: %d\n", poll(&pf, 1, 0));
    if (write(p[1], "y", 1) != 1)
        return 1;
    int ready = poll(&pf, 1, 1000);
    say("poll after a write: %d revents POLLIN %s\n", ready, pf.revents & POLLIN ? "yes" : "no");
    int listed = count_proc_fds();
    say("/proc/self/fd lists every new descriptor: %d\n", listed - before);
    pid_t pid = fork();
    if (pid == 0) {
        char b = 0;
        _exit(read(p[0], &b, 1) == 1 && b == 'y' && fcntl(LIMIT - 1, F_GETFD) >= 0 ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    say("a forked child reads the pipe and has 4999: %s\n",
        WIFEXITED(st) && !WEXITSTATUS(st) ? "yes" : "no");
    chk("close_range 3..4999", syscall(SYS_close_range, 3, LIMIT - 1, 0));
    say("as before: %s\n", count_proc_fds() <= 3 ? "yes" : "no");
    val("lowest free after it", open("data", O_RDONLY));
    return 0;
}
