// modes: direct sim
/* Copies between descriptors and vectored I/O, from sendfile(2),
 * copy_file_range(2), splice(2), tee(2), vmsplice(2), readv(2),
 * preadv2(2): offsets given or not (and which position moves), counts
 * past the end of the file, the errnos of each (EBADF, EINVAL, ESPIPE),
 * RWF_* flags, IOV_MAX, zero-length vectors. */
#include "conf.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static void show(const char *what, int fd)
{
    char b[64] = {0};
    long n = pread(fd, b, sizeof(b) - 1, 0);
    say("%s: %ld [", what, n);
    for (long i = 0; i < n; i++)
        say("%c", pc(b[i]));
    say("]\n");
}

static void drain(const char *what, int fd)
{
    char b[64] = {0};
    long n = read(fd, b, sizeof(b) - 1);
    if (n < 0) {
        say("%s: -1 %s\n", what, ename(errno));
        return;
    }
    say("%s: %ld [%.*s]\n", what, n, (int)n, b);
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int src = open("src", O_RDWR | O_CREAT | O_TRUNC, 0600);
    int dst = open("dst", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (src < 0 || dst < 0 || write(src, "abcdefghijklmnopqrstuvwxyz", 26) != 26 ||
        lseek(src, 0, SEEK_SET))
        return 1;
    int ro = open("src", O_RDONLY), wo = open("dst", O_WRONLY);
    int pp[2];
    if (pipe(pp))
        return 1;

    val("sendfile 5, offset NULL", sendfile(dst, src, NULL, 5));
    val("src position moved to", lseek(src, 0, SEEK_CUR));
    off_t off = 20;
    val("sendfile 100 from 20 (past the end)", sendfile(dst, src, &off, 100));
    say("offset now %lld, src position still %lld\n", (long long)off,
        (long long)lseek(src, 0, SEEK_CUR));
    off = 26;
    val("sendfile at the end", sendfile(dst, src, &off, 10));
    show("dst", dst);
    val("sendfile into a pipe", sendfile(pp[1], src, NULL, 3));
    drain("pipe has", pp[0]);
    chk("sendfile from a pipe", sendfile(dst, pp[0], NULL, 3));
    chk("sendfile to an O_RDONLY fd", sendfile(ro, src, NULL, 3));
    chk("sendfile from an O_WRONLY fd", sendfile(dst, wo, NULL, 3));
    chk("sendfile a bad fd", sendfile(dst, 999, NULL, 3));
    off = -1;
    chk("sendfile offset -1", sendfile(dst, src, &off, 3));
    val("sendfile count 0", sendfile(dst, src, NULL, 0));
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    chk("sendfile from a directory", sendfile(dst, dfd, NULL, 3));

    if (ftruncate(dst, 0) || lseek(dst, 0, SEEK_SET))
        return 1;
    loff_t in = 2, out = 4;
    val("copy_file_range 5 from 2 to 4", copy_file_range(src, &in, dst, &out, 5, 0));
    say("offsets now %lld %lld\n", (long long)in, (long long)out);
    show("dst", dst);
    in = 24;
    val("copy_file_range past the end", copy_file_range(src, &in, dst, NULL, 10, 0));
    val("dst position moved to", lseek(dst, 0, SEEK_CUR));
    in = 26;
    val("copy_file_range at the end", copy_file_range(src, &in, dst, NULL, 10, 0));
    in = 0, out = 4;
    chk("copy_file_range overlapping in one file", copy_file_range(src, &in, src, &out, 8, 0));
    in = 0, out = 10;
    val("copy_file_range within one file, not overlapping",
        copy_file_range(src, &in, src, &out, 5, 0));
    show("src", src);
    chk("copy_file_range a bad fd", copy_file_range(999, NULL, dst, NULL, 5, 0));
    chk("copy_file_range to an O_RDONLY fd", copy_file_range(src, NULL, ro, NULL, 5, 0));
    chk("copy_file_range from an O_WRONLY fd", copy_file_range(wo, NULL, dst, NULL, 5, 0));
    chk("copy_file_range from a pipe", copy_file_range(pp[0], NULL, dst, NULL, 5, 0));
    chk("copy_file_range from a directory", copy_file_range(dfd, NULL, dst, NULL, 5, 0));
    in = -1;
    chk("copy_file_range offset -1", copy_file_range(src, &in, dst, NULL, 5, 0));
    val("copy_file_range count 0", copy_file_range(src, NULL, dst, NULL, 0, 0));
    int app = open("dst", O_WRONLY | O_APPEND);
    chk("copy_file_range to an O_APPEND fd", copy_file_range(src, NULL, app, NULL, 5, 0));

    off = 3;
    val("splice file -> pipe from 3", splice(src, &off, pp[1], NULL, 4, 0));
    say("offset now %lld\n", (long long)off);
    int q[2];
    if (pipe(q))
        return 1;
    val("tee pipe -> pipe", tee(pp[0], q[1], 100, 0));
    drain("the tee'd copy", q[0]);
    loff_t o2 = 0;
    if (ftruncate(dst, 0))
        return 1;
    val("splice pipe -> file at 0", splice(pp[0], NULL, dst, &o2, 100, 0));
    show("dst", dst);
    chk("splice file -> file", splice(src, NULL, dst, NULL, 4, 0));
    chk("splice with an offset on the pipe", splice(pp[0], &o2, dst, NULL, 4, 0));
    chk("splice a bad fd", splice(999, NULL, pp[1], NULL, 4, 0));
    chk("splice bad flags", splice(src, NULL, pp[1], NULL, 4, 0x100));
    val("splice count 0", splice(src, NULL, pp[1], NULL, 0, 0));
    chk("splice from an empty pipe, SPLICE_F_NONBLOCK",
        splice(pp[0], NULL, dst, NULL, 4, SPLICE_F_NONBLOCK));
    chk("tee a file", tee(src, q[1], 4, 0));
    chk("tee a pipe to itself", tee(pp[0], pp[1], 4, 0));
    chk("tee from an empty pipe, SPLICE_F_NONBLOCK", tee(pp[0], q[1], 4, SPLICE_F_NONBLOCK));
    struct iovec v[2] = {{"vm", 2}, {"splice", 6}};
    val("vmsplice into a pipe", vmsplice(pp[1], v, 2, 0));
    drain("pipe has", pp[0]);
    char r1[3] = {0}, r2[4] = {0};
    if (write(pp[1], "readback", 8) != 8)
        return 1;
    struct iovec rv[2] = {{r1, 2}, {r2, 3}};
    val("vmsplice out of a pipe", vmsplice(pp[0], rv, 2, 0));
    say("got %s %s\n", r1, r2);
    drain("pipe keeps", pp[0]);
    chk("vmsplice a file", vmsplice(src, v, 2, 0));
    chk("vmsplice bad flags", vmsplice(pp[1], v, 2, 0x100));

    char a[4] = {0}, b[4] = {0};
    struct iovec iv[3] = {{a, 3}, {NULL, 0}, {b, 3}};
    val("preadv2 at 0, flags 0", preadv2(src, iv, 3, 0, 0));
    say("got %s %s\n", a, b);
    val("preadv2 RWF_HIPRI", preadv2(src, iv, 1, 0, RWF_HIPRI));
    chk("preadv2 flags 0x10000", preadv2(src, iv, 1, 0, 0x10000));
    chk("preadv2 RWF_APPEND (a write flag)", preadv2(src, iv, 1, 0, RWF_APPEND));
    struct iovec wv[2] = {{"12", 2}, {"34", 2}};
    val("pwritev2 RWF_APPEND at 0", pwritev2(dst, wv, 2, 0, RWF_APPEND));
    show("dst", dst);
    val("pwritev2 RWF_DSYNC at 0", pwritev2(dst, wv, 1, 0, RWF_DSYNC));
    val("pwritev2 RWF_SYNC at 2", pwritev2(dst, wv, 1, 2, RWF_SYNC));
    val("pwritev2 RWF_NOAPPEND on an O_APPEND fd at 0", pwritev2(app, wv + 1, 1, 0, RWF_NOAPPEND));
    show("dst", dst);
    val("pwritev2 offset -1 (the position)", pwritev2(dst, wv, 1, -1, 0));
    chk("pwritev2 flags 0x10000", pwritev2(dst, wv, 1, 0, 0x10000));
    chk("pwritev2 on an O_RDONLY fd", pwritev2(ro, wv, 1, 0, 0));
    chk("pwritev2 at -2", pwritev2(dst, wv, 1, -2, 0));
    chk("preadv2 on a pipe at 0", preadv2(pp[0], iv, 1, 0, 0));
    volatile int many = IOV_MAX + 1;
    chk("writev IOV_MAX+1", syscall(SYS_writev, dst, wv, many));
    chk("preadv2 IOV_MAX+1", syscall(SYS_preadv2, src, iv, many, 0, 0, 0));
    val("writev 0 vectors", writev(dst, wv, 0));
    struct iovec zv[2] = {{NULL, 0}, {NULL, 0}};
    val("writev two empty vectors", writev(dst, zv, 2));
    val("readv two empty vectors", readv(src, zv, 2));
    struct iovec badv = {BAD, 4};
    chk("writev from a bad pointer", writev(dst, &badv, 1));
    chk("readv a bad iovec array", syscall(SYS_readv, src, BAD, 1));
    val("readv at the end", (lseek(src, 0, SEEK_END), readv(src, iv, 3)));
    return 0;
}
