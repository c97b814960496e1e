// modes: direct sim
/* POSIX record locks between processes (fcntl(2) F_SETLK/F_GETLK): a
 * write lock held by the parent is reported to the child with its type,
 * range and holder, and refuses the child's locks that overlap it; read
 * locks are shared; a process never conflicts with itself; a child's
 * locks go when it exits. */
#include "conf.h"
#include <fcntl.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

static const char *tname(short t)
{
    return t == F_RDLCK ? "F_RDLCK" : t == F_WRLCK ? "F_WRLCK" : t == F_UNLCK ? "F_UNLCK" : "?";
}

static void getlk(const char *who, int fd, short type, off_t start, off_t len, pid_t holder)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    if (fcntl(fd, F_GETLK, &fl) == -1) {
        say("%s F_GETLK %s [%lld,+%lld): -1 %s\n", who, tname(type), (long long)start,
            (long long)len, ename(errno));
        return;
    }
    say("%s F_GETLK %s [%lld,+%lld): %s", who, tname(type), (long long)start, (long long)len,
        tname(fl.l_type));
    if (fl.l_type != F_UNLCK)
        say(" [%lld,+%lld) whence %d held by %s", (long long)fl.l_start, (long long)fl.l_len,
            fl.l_whence, fl.l_pid == holder ? "the other process" : "someone else");
    say("\n");
}

int main(int argc, char **argv)
{
    char path[4096];
    int c2p[2], p2c[2];
    if (argc < 2 || pipe(c2p) || pipe(p2c))
        return 2;
    snprintf(path, sizeof(path), "%s/lockfile", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return 1;
    pid_t parent = getpid();
    chk("parent F_SETLK F_WRLCK [0,+100)", lk(fd, F_SETLK, F_WRLCK, 0, 100));
    getlk("parent", fd, F_WRLCK, 50, 10, 0);
    pid_t pid = xfork();
    if (pid == 0) {
        getlk("child", fd, F_WRLCK, 50, 10, parent);
        getlk("child", fd, F_RDLCK, 0, 0, parent);
        getlk("child", fd, F_WRLCK, 100, 10, parent);
        chk("child F_SETLK F_RDLCK [0,+10)", lk(fd, F_SETLK, F_RDLCK, 0, 10));
        chk("child F_SETLK F_WRLCK [99,+2)", lk(fd, F_SETLK, F_WRLCK, 99, 2));
        chk("child F_SETLK F_WRLCK [100,+10)", lk(fd, F_SETLK, F_WRLCK, 100, 10));
        post(c2p[1]);
        await(p2c[0]);
        chk("child F_SETLK F_RDLCK [0,+10) on the read lock", lk(fd, F_SETLK, F_RDLCK, 0, 10));
        chk("child F_SETLK F_WRLCK [20,+10) on the read lock", lk(fd, F_SETLK, F_WRLCK, 20, 10));
        getlk("child", fd, F_WRLCK, 0, 1, parent);
        _exit(0);
    }
    await(c2p[0]);
    getlk("parent", fd, F_WRLCK, 100, 10, pid);
    getlk("parent", fd, F_RDLCK, 105, 1, pid);
    chk("parent F_SETLK F_RDLCK [0,+100) (converts)", lk(fd, F_SETLK, F_RDLCK, 0, 100));
    post(p2c[1]);
    reap("child", pid);
    getlk("parent after the child exited", fd, F_WRLCK, 0, 0, pid);
    chk("F_SETLK bad type", lk(fd, F_SETLK, 42, 0, 1));
    chk("F_SETLK negative start", lk(fd, F_SETLK, F_WRLCK, -5, 1));
    return 0;
}
