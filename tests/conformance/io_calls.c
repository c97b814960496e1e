// modes: direct sim
/* Reads and writes on regular files (read(2), write(2), pread(2),
 * readv(2), preadv2(2), ftruncate(2), copy_file_range(2), sendfile(2)):
 * access modes, O_APPEND (pwrite appends too, as Linux documents in BUGS),
 * zero counts, bad buffers, holes read as zeros. */
#include "conf.h"
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static void show(int fd, const char *what)
{
    char b[32] = {0};
    long n = pread(fd, b, sizeof(b) - 1, 0);
    say("%s: %ld [", what, n);
    for (long i = 0; i < n; i++)
        say("%c", pc(b[i]));
    say("]\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int w = open("f", O_WRONLY | O_CREAT | O_TRUNC, 0600), r = open("f", O_RDONLY);
    char buf[16];
    if (w < 0 || r < 0)
        return 1;
    chk("write to an O_RDONLY fd", write(r, "x", 1));
    chk("read from an O_WRONLY fd", read(w, buf, 1));
    chk("pread from an O_WRONLY fd", pread(w, buf, 1, 0));
    val("write 0 bytes", write(w, "", 0));
    val("write", write(w, "abcdef", 6));
    chk("write from a bad buffer", write(w, BAD, 4));
    chk("read into a bad buffer", read(r, BAD, 4));
    val("read 0 bytes", read(r, buf, 0));
    val("pwrite at 10 (a hole)", pwrite(w, "Z", 1, 10));
    show(r, "content");
    int a = open("f", O_WRONLY | O_APPEND);
    val("lseek 0 on the O_APPEND fd", lseek(a, 0, SEEK_SET));
    val("write with O_APPEND", write(a, "+", 1));
    val("pwrite at 0 with O_APPEND", pwrite(a, "!", 1, 0));
    show(r, "content");
    val("lseek SEEK_END -2", lseek(r, -2, SEEK_END));
    val("read", read(r, buf, 8));
    chk("lseek SEEK_END -100", lseek(r, -100, SEEK_END));
    struct iovec iov[3] = {{buf, 2}, {NULL, 0}, {buf + 2, 3}};
    val("preadv at 1, middle iovec empty", preadv(r, iov, 3, 1));
    say("got %c%c%c%c%c\n", buf[0], buf[1], buf[2], buf[3], buf[4]);
    chk("preadv at -1", preadv(r, iov, 3, -1));
    val("preadv2 offset -1 (the file position)", preadv2(r, iov, 1, -1, 0));
    struct iovec big[2] = {{buf, 1}, {buf, (size_t)-1 / 2 + 2}};
    chk("readv total past SSIZE_MAX", readv(r, big, 2));
    chk("ftruncate -1", ftruncate(w, -1));
    chk("ftruncate to 20", ftruncate(w, 20));
    show(r, "content");
    int out = open("g", O_RDWR | O_CREAT | O_TRUNC, 0600);
    loff_t in_off = 1, out_off = 0;
    val("copy_file_range 4 from 1", copy_file_range(r, &in_off, out, &out_off, 4, 0));
    say("offsets now %lld %lld\n", (long long)in_off, (long long)out_off);
    chk("copy_file_range flags 1", copy_file_range(r, &in_off, out, &out_off, 4, 1));
    chk("copy_file_range to an O_RDONLY fd", copy_file_range(r, NULL, r, NULL, 4, 0));
    off_t so = 2;
    val("sendfile 3 from 2", sendfile(out, r, &so, 3));
    say("sendfile offset now %lld\n", (long long)so);
    show(out, "copy");
    chk("sendfile from an O_WRONLY fd", sendfile(out, w, NULL, 3));
    return 0;
}
