// modes: direct sim
/* File sizes and space, from truncate(2), ftruncate(2), fallocate(2),
 * lseek(2) SEEK_DATA/SEEK_HOLE, posix_fadvise(2), readahead(2),
 * statfs(2), fsync(2), sync_file_range(2), syncfs(2): growing reads zeros,
 * shrinking, the errnos of each; fallocate's modes as the scratch
 * directory's file system answers them; statfs relations only. */
#include "conf.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <linux/falloc.h>

static long size_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) ? -1 : (long)st.st_size;
}

static void zeros(const char *what, int fd, off_t off, size_t n)
{
    char b[64];
    long r = pread(fd, b, n, off);
    size_t z = 0;
    for (long i = 0; i < r; i++)
        z += b[i] == 0;
    say("%s: read %ld, zeros %zu\n", what, r, z);
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int f = open("f", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (f < 0 || write(f, "0123456789", 10) != 10 || mkdir("d", 0700))
        return 1;
    chk("ftruncate to 4", ftruncate(f, 4));
    val("size", size_of(f));
    chk("ftruncate to 32", ftruncate(f, 32));
    val("size", size_of(f));
    zeros("bytes 4..31", f, 4, 28);
    val("file position unchanged", lseek(f, 0, SEEK_CUR));
    chk("ftruncate -1", ftruncate(f, -1));
    chk("ftruncate a bad fd", ftruncate(999, 0));
    int ro = open("f", O_RDONLY);
    chk("ftruncate an O_RDONLY fd", ftruncate(ro, 0));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    chk("ftruncate a directory fd", ftruncate(dfd, 0));
    int pp[2];
    if (pipe(pp))
        return 1;
    chk("ftruncate a pipe", ftruncate(pp[1], 0));
    chk("truncate to 8", truncate("f", 8));
    val("size", size_of(f));
    chk("truncate a directory", truncate("d", 0));
    chk("truncate a missing file", truncate("missing", 0));
    chk("truncate -1", truncate("f", -1));
    chk("truncate through a file", truncate("f/x", 0));
    chk("truncate \"\"", truncate("", 0));
    int ap = open("f", O_WRONLY | O_APPEND);
    chk("ftruncate an O_APPEND fd", ftruncate(ap, 6));
    val("size", size_of(f));

    chk("fallocate 0..100", fallocate(f, 0, 0, 100));
    val("size", size_of(f));
    zeros("bytes 6..63", f, 6, 58);
    chk("fallocate KEEP_SIZE to 200", fallocate(f, FALLOC_FL_KEEP_SIZE, 100, 100));
    val("size", size_of(f));
    if (pwrite(f, "abcdefgh", 8, 0) != 8)
        return 1;
    chk("fallocate PUNCH_HOLE|KEEP_SIZE 2..4",
        fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2, 2));
    zeros("bytes 0..7", f, 0, 8);
    val("size", size_of(f));
    chk("fallocate PUNCH_HOLE without KEEP_SIZE", fallocate(f, FALLOC_FL_PUNCH_HOLE, 0, 2));
    chk("fallocate len 0", fallocate(f, 0, 0, 0));
    chk("fallocate offset -1", fallocate(f, 0, -1, 10));
    chk("fallocate mode 0x1000", fallocate(f, 0x1000, 0, 10));
    chk("fallocate an O_RDONLY fd", fallocate(ro, 0, 0, 10));
    chk("fallocate a directory", fallocate(dfd, 0, 0, 10));
    chk("fallocate a pipe", fallocate(pp[1], 0, 0, 10));
    chk("fallocate a bad fd", fallocate(999, 0, 0, 10));
    chk("fallocate an O_APPEND fd", fallocate(ap, 0, 0, 10));

    int h = open("holes", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (h < 0 || pwrite(h, "x", 1, 1 << 20) != 1)
        return 1;
    long data = lseek(h, 0, SEEK_DATA), hole = lseek(h, 0, SEEK_HOLE);
    say("SEEK_DATA from 0 lands in the last block: %s\n",
        data > 0 && data <= (1 << 20) ? "yes" : "no");
    val("SEEK_HOLE from 0", hole);
    val("SEEK_HOLE from the data", lseek(h, 1 << 20, SEEK_HOLE));
    chk("SEEK_DATA past the end", lseek(h, (1 << 20) + 1, SEEK_DATA));
    chk("SEEK_HOLE past the end", lseek(h, (1 << 20) + 1, SEEK_HOLE));
    chk("SEEK_DATA at -1", lseek(h, -1, SEEK_DATA));
    chk("SEEK_DATA on a pipe", lseek(pp[0], 0, SEEK_DATA));

    chk("posix_fadvise NORMAL", -posix_fadvise(f, 0, 0, POSIX_FADV_NORMAL) ? -1 : 0);
    val("posix_fadvise SEQUENTIAL", posix_fadvise(f, 0, 0, POSIX_FADV_SEQUENTIAL));
    val("posix_fadvise DONTNEED", posix_fadvise(f, 0, 100, POSIX_FADV_DONTNEED));
    say("posix_fadvise advice 99: %s\n", ename(posix_fadvise(f, 0, 0, 99)));
    say("posix_fadvise len -1: %s\n", ename(posix_fadvise(f, 0, -1, POSIX_FADV_NORMAL)));
    say("posix_fadvise a pipe: %s\n", ename(posix_fadvise(pp[0], 0, 0, POSIX_FADV_NORMAL)));
    say("posix_fadvise a bad fd: %s\n", ename(posix_fadvise(999, 0, 0, POSIX_FADV_NORMAL)));
    chk("readahead", readahead(f, 0, 100));
    chk("readahead a pipe", readahead(pp[0], 0, 100));
    chk("readahead a bad fd", readahead(999, 0, 100));

    chk("fsync", fsync(f));
    chk("fsync a directory", fsync(dfd));
    chk("fsync a read-only fd", fsync(ro));
    chk("fsync a bad fd", fsync(999));
    chk("fdatasync", fdatasync(f));
    chk("fdatasync a bad fd", fdatasync(999));
    chk("syncfs", syncfs(f));
    chk("syncfs a bad fd", syncfs(999));
    chk("sync_file_range", sync_file_range(f, 0, 0, SYNC_FILE_RANGE_WRITE));
    chk("sync_file_range bad flags", sync_file_range(f, 0, 0, 8));
    chk("sync_file_range offset -1", sync_file_range(f, -1, 0, 0));
    chk("sync_file_range a pipe", sync_file_range(pp[1], 0, 0, 0));
    chk("sync_file_range a bad fd", sync_file_range(999, 0, 0, 0));

    struct statfs s1, s2;
    chk("statfs", statfs(".", &s1));
    chk("fstatfs", fstatfs(f, &s2));
    say("same f_type and f_fsid: %s\n",
        s1.f_type == s2.f_type && !memcmp(&s1.f_fsid, &s2.f_fsid, sizeof(s1.f_fsid)) ? "yes"
                                                                                     : "no");
    say("f_bsize > 0: %s, f_bfree <= f_blocks: %s, f_bavail <= f_bfree: %s, f_namelen %ld\n",
        s1.f_bsize > 0 ? "yes" : "no", s1.f_bfree <= s1.f_blocks ? "yes" : "no",
        s1.f_bavail <= s1.f_bfree ? "yes" : "no", (long)s1.f_namelen);
    chk("statfs a missing path", statfs("missing", &s1));
    chk("statfs through a file", statfs("f/x", &s1));
    chk("fstatfs a bad fd", fstatfs(999, &s1));
    chk("fstatfs a pipe", fstatfs(pp[0], &s1));
    chk("statfs a bad pointer", statfs(".", BAD));
    return 0;
}
