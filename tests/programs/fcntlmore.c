/* Descriptor semantics from fcntl(2), flock(2), pipe(7), signal(7),
 * recv(2), fallocate(2), copy_file_range(2), mknod(2), posix_fadvise(2),
 * printed for comparison with a native run (tests/direct/t_creds.sh).
 *   fcntlmore DIR   (DIR: a scratch directory on the host) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errnames.h"

static char dir[512];

static char *at(const char *name)
{
    static char p[4][600];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
    return p[i];
}

static int wait_child(pid_t p)
{
    int st;
    waitpid(p, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static volatile sig_atomic_t got_pipe;
static void on_pipe(int s)
{
    got_pipe = s;
}

/* A write without reader: killed by SIGPIPE by default; EPIPE with a
 * handler (which runs) or with SIGPIPE ignored; MSG_NOSIGNAL: no signal. */
static void sigpipe(void)
{
    int p[2];
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        pipe(p);
        close(p[0]);
        write(p[1], "x", 1);
        _exit(0);
    }
    printf("default SIGPIPE: child status %d\n", wait_child(c));
    signal(SIGPIPE, on_pipe);
    pipe(p);
    close(p[0]);
    res("write to a pipe without reader (handler)", write(p[1], "x", 1));
    printf("handler ran: %d\n", got_pipe);
    got_pipe = 0;
    struct iovec iov = {"ab", 2};
    res("writev to a pipe without reader", writev(p[1], &iov, 1));
    printf("handler ran: %d\n", got_pipe);
    close(p[1]);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    close(sv[1]);
    got_pipe = 0;
    res("send MSG_NOSIGNAL to a closed peer", send(sv[0], "x", 1, MSG_NOSIGNAL));
    printf("handler ran: %d\n", got_pipe);
    res("send to a closed peer", send(sv[0], "x", 1, 0));
    printf("handler ran: %d\n", got_pipe);
    close(sv[0]);
    sigset_t block, pend;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    sigprocmask(SIG_BLOCK, &block, NULL);
    pipe(p);
    close(p[0]);
    got_pipe = 0;
    res("write with SIGPIPE blocked", write(p[1], "x", 1));
    sigpending(&pend);
    printf("SIGPIPE pending while blocked %d, handler ran %d\n", sigismember(&pend, SIGPIPE),
           got_pipe);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("handler ran once unblocked %d\n", got_pipe);
    close(p[1]);
    signal(SIGPIPE, SIG_IGN);
    pipe(p);
    close(p[0]);
    res("write with SIGPIPE ignored", write(p[1], "x", 1));
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);
}

/* The holder as a test can compare it: our parent (by its id as we see
 * it), -1 (an OFD lock), or some process outside our view (its pid
 * natively, 0 from inside a pid namespace or an enclave). */
static const char *holder(const struct flock *fl)
{
    if (fl->l_type == F_UNLCK)
        return "-";
    if (fl->l_pid == -1)
        return "-1";
    return fl->l_pid == getppid() && fl->l_pid != 0 ? "parent" : "some";
}

static void show_lock(const char *what, int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    long r = fcntl(fd, cmd, &fl);
    if (r < 0)
        printf("%s = -1 %s\n", what, ename(errno));
    else
        printf("%s: type %s start %ld len %ld pid %s\n", what,
               fl.l_type == F_UNLCK   ? "unlck"
               : fl.l_type == F_RDLCK ? "rdlck"
                                      : "wrlck",
               (long)fl.l_start, (long)fl.l_len, holder(&fl));
}

static int set_lock(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

/* The child looks at the parent's locks on "lk" and reports. */
static void child_view(const char *tag)
{
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        int fd = open(at("lk"), O_RDWR);
        char w[128];
        snprintf(w, sizeof(w), "%s: child F_GETLK wr 0..100", tag);
        show_lock(w, fd, F_GETLK, F_WRLCK, 0, 100);
        snprintf(w, sizeof(w), "%s: child F_GETLK rd 10..20", tag);
        show_lock(w, fd, F_GETLK, F_RDLCK, 10, 10);
        snprintf(w, sizeof(w), "%s: child F_SETLK wr 0..100", tag);
        res(w, set_lock(fd, F_SETLK, F_WRLCK, 0, 100));
        snprintf(w, sizeof(w), "%s: child F_SETLK wr 200..", tag);
        res(w, set_lock(fd, F_SETLK, F_WRLCK, 200, 0));
        snprintf(w, sizeof(w), "%s: child F_OFD_GETLK wr 0..", tag);
        show_lock(w, fd, F_OFD_GETLK, F_WRLCK, 0, 0);
        snprintf(w, sizeof(w), "%s: child flock EX|NB", tag);
        res(w, flock(fd, LOCK_EX | LOCK_NB));
        fflush(stdout);
        _exit(0);
    }
    wait_child(c);
}

static void locks(void)
{
    int fd = open(at("lk"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "0123456789", 10);
    show_lock("own F_GETLK (nothing held)", fd, F_GETLK, F_WRLCK, 0, 0);
    res("F_SETLK wr 0..50", set_lock(fd, F_SETLK, F_WRLCK, 0, 50));
    res("F_SETLK rd 50..100", set_lock(fd, F_SETLK, F_RDLCK, 50, 50));
    show_lock("own F_GETLK sees no own lock", fd, F_GETLK, F_WRLCK, 0, 0);
    child_view("posix");
    int d = dup(fd);
    close(d);
    child_view("after close of a dup");
    res("F_SETLK bad type", set_lock(fd, F_SETLK, 7, 0, 0));
    int ro = open(at("lk"), O_RDONLY);
    res("F_SETLK wr on a read-only fd", set_lock(ro, F_SETLK, F_WRLCK, 0, 1));
    close(ro);
    res("F_OFD_SETLK rd 0..", set_lock(fd, F_OFD_SETLK, F_RDLCK, 0, 0));
    child_view("ofd rd");
    struct flock bad = {.l_type = F_RDLCK, .l_pid = 5};
    res("F_OFD_SETLK with l_pid", fcntl(fd, F_OFD_SETLK, &bad));
    res("flock EX", flock(fd, LOCK_EX));
    child_view("flock");
    res("flock UN", flock(fd, LOCK_UN));
    res("flock bad op", flock(fd, 0));
    close(fd);
}

static volatile sig_atomic_t got_io;
static void on_io(int s)
{
    got_io = s;
}

/* O_ASYNC: SIGIO to the owner when the socket becomes readable. */
static void async_io(void)
{
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    signal(SIGIO, on_io);
    res("F_SETOWN self", fcntl(sv[0], F_SETOWN, getpid()));
    int on = 1;
    res("FIOASYNC on", ioctl(sv[0], FIOASYNC, &on));
    printf("F_GETFL has O_ASYNC %d\n", (fcntl(sv[0], F_GETFL) & O_ASYNC) != 0);
    write(sv[1], "x", 1);
    for (int i = 0; i < 200 && !got_io; i++)
        usleep(5000);
    printf("SIGIO arrived %d\n", got_io == SIGIO);
    res("F_SETFL without O_ASYNC", fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) & ~O_ASYNC));
    printf("F_GETFL has O_ASYNC %d\n", (fcntl(sv[0], F_GETFL) & O_ASYNC) != 0);
    got_io = 0;
    write(sv[1], "y", 1);
    usleep(50000);
    printf("SIGIO after O_ASYNC off %d\n", got_io);
    signal(SIGIO, SIG_DFL);
    close(sv[0]), close(sv[1]);
}

static void owners(void)
{
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct f_owner_ex ex = {F_OWNER_PID, getpid()};
    res("F_SETOWN_EX pid", fcntl(sv[0], F_SETOWN_EX, &ex));
    memset(&ex, 0, sizeof(ex));
    res("F_GETOWN_EX", fcntl(sv[0], F_GETOWN_EX, &ex));
    printf("owner type %d is self %d\n", ex.type, ex.pid == getpid());
    res("F_GETOWN is self", fcntl(sv[0], F_GETOWN) == getpid());
    ex = (struct f_owner_ex){7, 1};
    res("F_SETOWN_EX bad type", fcntl(sv[0], F_SETOWN_EX, &ex));
    res("F_SETOWN -pgrp", fcntl(sv[0], F_SETOWN, -getpgrp()));
    res("F_GETOWN is -pgrp", fcntl(sv[0], F_GETOWN) == -getpgrp());
    res("F_GETOWN_EX", fcntl(sv[0], F_GETOWN_EX, &ex));
    printf("owner type %d\n", ex.type);
    res("F_SETSIG 65", fcntl(sv[0], F_SETSIG, 65));
    res("F_SETSIG SIGUSR1", fcntl(sv[0], F_SETSIG, SIGUSR1));
    res("F_GETSIG", fcntl(sv[0], F_GETSIG));
    close(sv[0]);
    close(sv[1]);
}

static long send_fd(int sock, int fd)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    memset(cbuf, 0, sizeof(cbuf));
    struct msghdr m = {.msg_iov = &(struct iovec){"F", 1},
                       .msg_iovlen = 1,
                       .msg_control = cbuf,
                       .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET, c->cmsg_type = SCM_RIGHTS, c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    return sendmsg(sock, &m, 0);
}

/* -1, or the received descriptor; *flags: msg_flags. */
static int recv_fd(int sock, size_t space, int *flags)
{
    char cbuf[CMSG_SPACE(sizeof(int))], b;
    struct msghdr m = {.msg_iov = &(struct iovec){&b, 1},
                       .msg_iovlen = 1,
                       .msg_control = cbuf,
                       .msg_controllen = space};
    if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) < 0)
        return -1;
    *flags = m.msg_flags;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    int fd = -1;
    if (c && c->cmsg_type == SCM_RIGHTS)
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
    return fd;
}

/* SCM_RIGHTS: a descriptor passed within a process and to a child. */
static void pass_fds(void)
{
    int sv[2], p[2], fl = 0;
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pipe(p);
    res("sendmsg SCM_RIGHTS (pipe read end)", send_fd(sv[0], p[0]));
    int got = recv_fd(sv[1], CMSG_SPACE(sizeof(int)), &fl);
    struct stat a, b;
    fstat(p[0], &a), fstat(got, &b);
    printf("received a new fd %d, same pipe %d, cloexec %d, flags %x\n", got != p[0] && got >= 0,
           a.st_ino == b.st_ino, fcntl(got, F_GETFD) == FD_CLOEXEC, fl);
    close(got);
    res("sendmsg SCM_RIGHTS again", send_fd(sv[0], p[0]));
    got = recv_fd(sv[1], 8, &fl); /* no room for the descriptor */
    printf("short control buffer: fd %d MSG_CTRUNC %d\n", got, (fl & MSG_CTRUNC) != 0);
    res("sendmsg SCM_RIGHTS bad fd", send_fd(sv[0], 999));
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        int fd = recv_fd(sv[1], CMSG_SPACE(sizeof(int)), &fl);
        char buf[8] = {0};
        read(fd, buf, 3);
        printf("child read through the passed fd: %s\n", buf);
        fflush(stdout);
        _exit(0);
    }
    res("send the pipe to the child", send_fd(sv[0], p[0]));
    write(p[1], "abc", 3);
    wait_child(c);
    close(p[0]), close(p[1]), close(sv[0]), close(sv[1]);
}

/* recvfrom's address on a connected TCP socket is ignored (none comes
 * back): a bad pointer is not touched. */
static void recv_from(void)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    bind(ls, (struct sockaddr *)&a, sizeof(a));
    listen(ls, 1);
    getsockname(ls, (struct sockaddr *)&a, &alen);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof(a));
    int s = accept(ls, NULL, NULL);
    send(c, "hello", 5, 0);
    char buf[16];
    socklen_t fl = 16;
    res("recvfrom with a bad from", recvfrom(s, buf, sizeof(buf), 0, (void *)16, &fl));
    printf("fromlen %u\n", fl);
    send(c, "again", 5, 0);
    struct msghdr m = {.msg_name = (void *)16,
                       .msg_namelen = 16,
                       .msg_iov = &(struct iovec){buf, sizeof(buf)},
                       .msg_iovlen = 1};
    res("recvmsg with a bad name", recvmsg(s, &m, 0));
    printf("namelen %u\n", m.msg_namelen);
    close(s), close(c), close(ls);
}

static void space(void)
{
    struct stat st;
    int fd = creat(at("cr"), 0600);
    res("creat", fd < 0 ? -1 : 0);
    fstat(fd, &st);
    printf("creat mode %o flags wronly %d\n", st.st_mode & 0777,
           (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY);
    res("fallocate 0..8192", fallocate(fd, 0, 0, 8192));
    fstat(fd, &st);
    printf("size %ld\n", (long)st.st_size);
    res("fallocate KEEP_SIZE", fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 4096));
    fstat(fd, &st);
    printf("size %ld\n", (long)st.st_size);
    res("fallocate len 0", fallocate(fd, 0, 0, 0));
    res("fallocate bad fd", fallocate(-1, 0, 0, 1));
    res("fadvise SEQUENTIAL", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) ? -1 : 0);
    printf("fadvise bad advice = %s\n", ename(posix_fadvise(fd, 0, 0, 99)));
    int p[2];
    pipe(p);
    printf("fadvise on a pipe = %s\n", ename(posix_fadvise(p[0], 0, 0, 0)));
    res("fallocate on a pipe", fallocate(p[1], 0, 0, 1));
    close(p[0]), close(p[1]);
    close(fd);
    fd = open(at("src"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "abcdefghijklmnopqrstuvwxyz", 26);
    int out = open(at("dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    loff_t oi = 2, oo = 0;
    res("copy_file_range 10 from 2", syscall(SYS_copy_file_range, fd, &oi, out, &oo, 10, 0));
    printf("offsets %ld %ld pos %ld\n", (long)oi, (long)oo, (long)lseek(out, 0, SEEK_CUR));
    lseek(fd, 20, SEEK_SET);
    res("copy_file_range at positions", syscall(SYS_copy_file_range, fd, NULL, out, NULL, 100, 0));
    printf("positions %ld %ld\n", (long)lseek(fd, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR));
    char buf[32] = {0};
    pread(out, buf, sizeof(buf) - 1, 0);
    printf("dst %s\n", buf);
    res("copy_file_range flags", syscall(SYS_copy_file_range, fd, NULL, out, NULL, 1, 1));
    oi = 0, oo = 5;
    res("copy_file_range overlap", syscall(SYS_copy_file_range, fd, &oi, fd, &oo, 10, 0));
    close(fd), close(out);
    res("mknod fifo", mknod(at("fifo"), S_IFIFO | 0600, 0));
    stat(at("fifo"), &st);
    printf("fifo is fifo %d\n", S_ISFIFO(st.st_mode));
    res("mknod fifo again", mknod(at("fifo"), S_IFIFO | 0600, 0));
    res("mknodat regular", mknodat(AT_FDCWD, at("reg"), S_IFREG | 0640, 0));
    stat(at("reg"), &st);
    printf("reg is reg %d size %ld\n", S_ISREG(st.st_mode), (long)st.st_size);
    res("mknod bad type", mknod(at("bad"), 0170000 | 0600, 0));
    res("fdatasync", fdatasync(1) == 0 || errno == EINVAL ? 0 : -1);
    sync();
    fd = open(at("reg"), O_RDONLY);
    res("syncfs", syncfs(fd));
    close(fd);
}

/* Another process (not ours) holds a lock on file: what we see of it. */
static void probe(const char *file)
{
    int fd = open(file, O_RDWR);
    show_lock("probe F_GETLK wr whole file", fd, F_GETLK, F_WRLCK, 0, 0);
    res("probe F_SETLK wr 0..10", set_lock(fd, F_SETLK, F_WRLCK, 0, 10));
    res("probe F_SETLK wr 1000..", set_lock(fd, F_SETLK, F_WRLCK, 1000, 0));
    res("probe flock EX|NB", flock(fd, LOCK_EX | LOCK_NB));
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    if (argc > 2 && !strcmp(argv[1], "-probe")) {
        probe(argv[2]);
        return 0;
    }
    snprintf(dir, sizeof(dir), "%s", argv[1]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigpipe();
    locks();
    owners();
    async_io();
    pass_fds();
    recv_from();
    space();
    return 0;
}
