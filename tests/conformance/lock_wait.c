// modes: direct sim
/* Waiting for and releasing record locks (fcntl(2) F_SETLKW): a child
 * blocked on the parent's lock gets it only after the parent unlocks (it
 * then reads what the parent wrote last); closing any descriptor of the
 * file drops the process's locks; a split range unlocks only its hole. */
#include "conf.h"
#include <fcntl.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

static const char *probe(int fd, off_t start)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = 1};
    if (fcntl(fd, F_GETLK, &fl) == -1)
        return ename(errno);
    return fl.l_type == F_UNLCK ? "free" : "locked";
}

int main(int argc, char **argv)
{
    char path[4096];
    int c2p[2], p2c[2];
    if (argc < 2 || pipe(c2p) || pipe(p2c))
        return 2;
    snprintf(path, sizeof(path), "%s/lockfile", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || pwrite(fd, "A", 1, 0) != 1)
        return 1;
    chk("parent F_SETLK F_WRLCK whole file", lk(fd, F_SETLK, F_WRLCK, 0, 0));
    pid_t pid = xfork();
    if (pid == 0) {
        char c = '?';
        post(c2p[1]);
        chk("child F_SETLKW", lk(fd, F_SETLKW, F_WRLCK, 0, 1));
        if (pread(fd, &c, 1, 0) != 1)
            _exit(1);
        say("child holds the lock and reads: %c\n", c);
        _exit(0);
    }
    await(c2p[0]);
    usleep(200000);
    if (pwrite(fd, "B", 1, 0) != 1)
        return 1;
    /* Printed after the reap: the woken child's lines race with it. */
    int unlocked = lk(fd, F_SETLK, F_UNLCK, 0, 0), unlock_errno = errno;
    reap("child", pid);
    errno = unlock_errno;
    chk("parent F_UNLCK", unlocked);

    chk("parent F_SETLK F_WRLCK [0,+100)", lk(fd, F_SETLK, F_WRLCK, 0, 100));
    chk("parent F_UNLCK [40,+20)", lk(fd, F_SETLK, F_UNLCK, 40, 20));
    pid = xfork();
    if (pid == 0) {
        say("child sees byte 30 %s, 50 %s, 70 %s\n", probe(fd, 30), probe(fd, 50), probe(fd, 70));
        post(c2p[1]);
        await(p2c[0]);
        say("child sees byte 30 %s after the parent closed another descriptor\n", probe(fd, 30));
        _exit(0);
    }
    await(c2p[0]);
    int other = open(path, O_RDONLY);
    close(other);
    post(p2c[1]);
    reap("child", pid);
    return 0;
}
