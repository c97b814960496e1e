/* The trusted PAL's fs family (pal/sgx/enclave/pal_fs.c) end to end through
 * the real host handlers (pal/sgx/urts/urts_ocall_fs.c) on real files under
 * a mkdtemp directory; a hostile host through loopback_tamper; and the host
 * side's input validation called directly. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/statfs.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "tap.h"

#include "ocall_loopback.h"

#include "../../pal/sgx/enclave/pal_fs.c"

/* pal_net.c's, which this test does not link: close drops a handle's
 * wait-set registrations (tested in test_ocall_net). */
void enclave_waitset_forget(pal_handle h)
{
    (void)h;
}

static struct pal_api api;
static char dir[64];

static const char *at(const char *name)
{
    static char buf[4][256];
    static int i;

    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
    return buf[i];
}

/* --- a hostile host: one rewrite of the reply, chosen per check --- */
enum tamper {
    T_COUNT_PLUS_ONE, /* result = requested + 1 (out_size left at the real count) */
    T_COUNT_NE_SIZE,  /* result one less than out_size */
    T_SIZE_SHORT,     /* out_size 8 bytes short */
    T_RESULT_ONE,     /* result 1 where 0 is the only success */
    T_BIG_HANDLE,     /* result = OCALL_MAX_HANDLE */
    T_BAD_ERRNO,      /* result = -1000 */
    T_REC_SHORT,      /* first dirent's d_reclen = 16 */
    T_REC_ODD,        /* first dirent's d_reclen + 1 */
    T_REC_PAST,       /* last dirent's d_reclen + 8 */
    T_REC_NO_NUL,     /* first dirent's name fills its record, no NUL */
    T_REC_TRAILING,   /* 8 extra bytes claimed (result and out_size) */
    T_FAIL_SECOND,    /* the second call of the check fails with -EIO */
    T_HALF,           /* result = half of the real count */
    T_TTY_OK,         /* result 0 and out_size = tamper_size */
    T_TTY_ID,         /* result 0, out the 4-byte id tamper_size */
    T_IFREQ_NONUL,    /* result 0, a 40-byte struct ifreq whose name has no NUL */
    T_IFCONF,         /* result and out_size tamper_size, entries named "lo" */
    T_IFCONF_NONUL,   /* result and out_size 40, an entry whose name has no NUL */
    T_IFCONF_SIZE,    /* result tamper_size, nothing out (the size asked) */
    T_STATFS_FREE,    /* struct pal_statfs with more free blocks than blocks */
};
static enum tamper tamper_kind;
static uint64_t tamper_number, tamper_size, tamper_seen;

static uint16_t reclen_at(const uint8_t *out, uint64_t pos)
{
    uint16_t v;

    memcpy(&v, out + pos + 16, 2);
    return v;
}

static void set_reclen(uint8_t *out, uint64_t pos, uint16_t v)
{
    memcpy(out + pos + 16, &v, 2);
}

static void tamper_dirents(int64_t *result, uint8_t *out, uint64_t *size)
{
    uint64_t pos = 0, last = 0;
    uint16_t first = reclen_at(out, 0);

    while (pos < *size) {
        last = pos;
        pos += reclen_at(out, pos);
    }
    if (tamper_kind == T_REC_SHORT)
        set_reclen(out, 0, 16);
    else if (tamper_kind == T_REC_ODD)
        set_reclen(out, 0, first + 1);
    else if (tamper_kind == T_REC_PAST)
        set_reclen(out, last, reclen_at(out, last) + 8);
    else if (tamper_kind == T_REC_NO_NUL)
        memset(out + 19, 'x', first - 19);
    else if (tamper_kind == T_REC_TRAILING) {
        memset(out + *size, 0, 8);
        *size += 8;
        *result = (int64_t)*size;
    }
}

static void tamper(uint64_t number, int64_t *result, uint8_t *out, uint64_t *size)
{
    if (number != tamper_number)
        return;
    tamper_seen++;
    switch (tamper_kind) {
    case T_COUNT_PLUS_ONE:
        *result = (int64_t)tamper_size + 1;
        break;
    case T_COUNT_NE_SIZE:
        *result = (int64_t)*size - 1;
        break;
    case T_SIZE_SHORT:
        *size -= 8;
        break;
    case T_RESULT_ONE:
        *result = 1;
        break;
    case T_BIG_HANDLE:
        close((int)*result);
        *result = OCALL_MAX_HANDLE;
        break;
    case T_BAD_ERRNO:
        *result = -1000;
        break;
    case T_FAIL_SECOND:
        if (tamper_seen == 2)
            *result = -EIO;
        break;
    case T_HALF:
        *result /= 2;
        *size /= 2;
        break;
    case T_TTY_OK:
        *result = 0;
        *size = tamper_size;
        break;
    case T_IFREQ_NONUL:
        *result = 0;
        *size = 40;
        memset(out, 'A', 40);
        break;
    case T_IFCONF:
        *result = (int64_t)tamper_size;
        *size = tamper_size;
        memset(out, 0, tamper_size);
        for (uint64_t at = 0; at + 40 <= tamper_size; at += 40)
            memcpy(out + at, "lo", 3);
        break;
    case T_IFCONF_SIZE:
        *result = (int64_t)tamper_size;
        *size = 0;
        break;
    case T_IFCONF_NONUL:
        *result = 40;
        *size = 40;
        memset(out, 'A', 40);
        break;
    case T_TTY_ID: {
        int32_t id = (int32_t)tamper_size;
        *result = 0;
        *size = sizeof(id);
        memcpy(out, &id, sizeof(id));
        break;
    }
    case T_STATFS_FREE: {
        struct pal_statfs sf;
        memcpy(&sf, out, sizeof(sf));
        sf.bfree = sf.blocks + 1;
        memcpy(out, &sf, sizeof(sf));
        break;
    }
    default:
        tamper_dirents(result, out, size);
    }
}

static void hostile(uint64_t number, enum tamper kind, uint64_t size)
{
    tamper_number = number;
    tamper_kind = kind;
    tamper_size = size;
    tamper_seen = 0;
    loopback_tamper = tamper;
}

static void honest(void)
{
    loopback_tamper = NULL;
}

/* --- end to end --- */

static pal_handle open_file(const char *name, int flags)
{
    pal_handle h = -1;
    long r = api.file_open(at(name), flags, 0644, &h);

    return r == 0 ? h : r;
}

static void test_open_read_write(void)
{
    char buf[64] = {0};
    struct pal_stat st, st2;
    struct stat hs;
    pal_handle h = open_file("f", O_RDWR | O_CREAT | O_TRUNC);

    CHECK(h >= 0, "file_open creates (%ld)", (long)h);
    CHECK(api.write(h, "hello world", 11) == 11, "write 11 bytes");
    CHECK(api.seek(h, 0, SEEK_CUR) == 11, "seek SEEK_CUR is the position");
    CHECK(api.seek(h, 0, SEEK_SET) == 0, "seek SEEK_SET 0");
    CHECK(api.read(h, buf, sizeof(buf)) == 11 && !memcmp(buf, "hello world", 11), "read back");
    CHECK(api.read(h, buf, sizeof(buf)) == 0, "read at the end is 0");
    CHECK(api.pread(h, buf, 5, 6) == 5 && !memcmp(buf, "world", 5), "pread at an offset");
    CHECK(api.pwrite(h, "W", 1, 6) == 1, "pwrite one byte");
    CHECK(api.seek(h, 0, SEEK_CUR) == 11, "pread/pwrite leave the position");
    CHECK(api.fstat(h, &st) == 0 && st.size == 11 && S_ISREG(st.mode), "fstat: size, mode");
    CHECK(stat(at("f"), &hs) == 0 && st.ino == hs.st_ino && st.dev == hs.st_dev &&
              st.mtime_ns == hs.st_mtim.tv_sec * 1000000000LL + hs.st_mtim.tv_nsec,
          "fstat agrees with the host's stat");
    CHECK(api.stat(at("f"), 0, &st2) == 0 && st2.ino == st.ino && st2.size == 11, "stat by path");
    CHECK(api.stat(at("missing"), 0, &st2) == -PAL_ENOENT, "stat of a missing file: -ENOENT");
    CHECK(api.seek(h, -5, SEEK_SET) == -PAL_EINVAL, "seek before 0: -EINVAL");
    CHECK(api.close(h) == 0, "close");
    CHECK(api.close(h) == -PAL_EBADF, "close again: -EBADF");
    CHECK(open_file("missing", O_RDONLY) == -PAL_ENOENT, "open of a missing file: -ENOENT");
    CHECK(open_file("f", O_RDWR | O_CREAT | O_EXCL) == -PAL_EEXIST, "O_EXCL: -EEXIST");
}

static void test_large(void)
{
    size_t n = 300 * 1024;
    uint8_t *a = malloc(n + 1), *b = calloc(1, n); /* a + 1 is written below: n + 1 bytes */
    pal_handle h = open_file("big", O_RDWR | O_CREAT | O_TRUNC);
    uint64_t calls;

    for (size_t i = 0; i < n; i++)
        a[i] = (uint8_t)(i * 7 + i / 251);
    calls = loopback_calls;
    CHECK(api.pwrite(h, a, n, 0) == (long)n, "pwrite 300 KiB");
    CHECK(loopback_calls - calls == 5, "in 5 OCALLs of at most OCALL_MAX_IO");
    calls = loopback_calls;
    CHECK(api.pread(h, b, n, 0) == (long)n && !memcmp(a, b, n), "pread 300 KiB, equal");
    CHECK(loopback_calls - calls == 5, "in 5 OCALLs");
    calls = loopback_calls;
    CHECK(api.pread(h, b, n, 200 * 1024) == 100 * 1024 && !memcmp(a + 200 * 1024, b, 100 * 1024),
          "pread past the end stops at the short chunk");
    CHECK(loopback_calls - calls == 2, "after 2 OCALLs");
    calls = loopback_calls;
    CHECK(api.read(h, b, n) == OCALL_MAX_IO && loopback_calls - calls == 1,
          "read: one OCALL of OCALL_MAX_IO");
    CHECK(api.seek(h, 0, SEEK_SET) == 0, "rewind");
    CHECK(api.write(h, a + 1, n) == (long)n, "write 300 KiB");
    CHECK(pread(h, b, n, 0) == (ssize_t)n && !memcmp(a + 1, b, n), "host sees the written bytes");
    api.close(h);
    free(a);
    free(b);
}

/* Lists a directory through readdir with a small buffer (several calls). */
static int list_dir(const char *path, char names[][32], int max)
{
    uint8_t buf[96];
    pal_handle h = -1;
    int count = 0;
    long r;

    if (api.file_open(path, O_RDONLY | O_DIRECTORY, 0, &h))
        return -1;
    while ((r = api.readdir(h, buf, sizeof(buf))) > 0) {
        for (long pos = 0; pos < r; pos += reclen_at(buf, (uint64_t)pos))
            if (count < max)
                snprintf(names[count++], 32, "%s", (char *)buf + pos + 19);
    }
    api.close(h);
    return r < 0 ? (int)r : count;
}

static int has_name(char names[][32], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return 1;
    return 0;
}

static void test_readdir(void)
{
    const char *want[] = {".", "..", "one", "two-longer-name", "three", "sub"};
    char names[16][32];
    int n, all = 1;

    mkdir(at("d"), 0755);
    close(open(at("d/one"), O_CREAT | O_WRONLY, 0644));
    close(open(at("d/two-longer-name"), O_CREAT | O_WRONLY, 0644));
    close(open(at("d/three"), O_CREAT | O_WRONLY, 0644));
    mkdir(at("d/sub"), 0755);
    n = list_dir(at("d"), names, 16);
    CHECK(n == 6, "readdir lists 6 entries (%d)", n);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        all &= has_name(names, n, want[i]);
    CHECK(all, "readdir lists every entry by name");
}

static void test_paths(void)
{
    char buf[64];
    struct pal_stat st;
    struct stat hs;
    int64_t times[2] = {1000000000LL * 1234567 + 89, PAL_UTIME_OMIT};
    pal_handle h;

    CHECK(api.mkdir(at("m"), 0700) == 0 && stat(at("m"), &hs) == 0 && S_ISDIR(hs.st_mode) &&
              (hs.st_mode & 0777) == 0700,
          "mkdir with mode");
    CHECK(api.mkdir(at("m"), 0700) == -PAL_EEXIST, "mkdir again: -EEXIST");
    CHECK(api.rename(at("m"), at("m2")) == 0 && access(at("m2"), F_OK) == 0 &&
              access(at("m"), F_OK) != 0,
          "rename");
    CHECK(api.unlink(at("m2"), 1) == 0 && access(at("m2"), F_OK) != 0, "unlink is_dir (rmdir)");
    CHECK(api.unlink(at("f"), 1) == -PAL_ENOTDIR, "rmdir of a file: -ENOTDIR");
    CHECK(api.link(at("f"), at("f.link")) == 0 && stat(at("f.link"), &hs) == 0 && hs.st_nlink == 2,
          "link");
    CHECK(api.link(at("f"), at("f.link")) == -PAL_EEXIST, "link onto an existing name: -EEXIST");
    CHECK(api.symlink("f", at("sl")) == 0, "symlink");
    memset(buf, 0, sizeof(buf));
    CHECK(api.readlink(at("sl"), buf, sizeof(buf)) == 1 && buf[0] == 'f' && !buf[1],
          "readlink: length, no NUL written");
    CHECK(api.readlink(at("f"), buf, sizeof(buf)) == -PAL_EINVAL, "readlink of a file: -EINVAL");
    CHECK(api.stat(at("sl"), 1, &st) == 0 && S_ISLNK(st.mode), "stat nofollow: the link");
    CHECK(api.stat(at("sl"), 0, &st) == 0 && S_ISREG(st.mode), "stat follows the link");
    CHECK(api.unlink(at("sl"), 0) == 0 && api.unlink(at("f.link"), 0) == 0 &&
              access(at("f.link"), F_OK) != 0,
          "unlink files");
    CHECK(api.chmod(at("f"), 0600) == 0 && stat(at("f"), &hs) == 0 && (hs.st_mode & 0777) == 0600,
          "chmod");
    CHECK(api.access(at("f"), R_OK | W_OK) == 0, "access R_OK|W_OK");
    CHECK(api.access(at("f"), X_OK) == -PAL_EACCES || getuid() == 0, "access X_OK: -EACCES");
    CHECK(api.access(at("nope"), F_OK) == -PAL_ENOENT, "access of a missing file: -ENOENT");
    CHECK(api.utimes(at("f"), times, 0) == 0 && stat(at("f"), &hs) == 0 &&
              hs.st_atim.tv_sec == 1234567 && hs.st_atim.tv_nsec == 89,
          "utimes sets atime to the nanosecond, mtime omitted");
    times[0] = PAL_UTIME_NOW;
    times[1] = 5000000000LL;
    CHECK(api.utimes(at("f"), times, 0) == 0 && stat(at("f"), &hs) == 0 && hs.st_mtim.tv_sec == 5 &&
              hs.st_atim.tv_sec > 1234567,
          "utimes with PAL_UTIME_NOW");
    h = open_file("f", O_RDWR);
    CHECK(api.ftruncate(h, 3) == 0 && api.fstat(h, &st) == 0 && st.size == 3, "ftruncate");
    CHECK(api.fsync(h) == 0, "fsync");
    CHECK(api.tty_ioctl(h, TCGETS, buf, 60, 0) == -PAL_ENOTTY, "tty_ioctl TCGETS on a file: -ENOTTY");
    api.close(h);
}

/* Ownership, locks, space and special files (the group after utimes). */
static void test_owner_locks_space(void)
{
    struct pal_stat st;
    struct stat hs;
    pal_handle h = open_file("ol", O_RDWR | O_CREAT);
    struct pal_flock lk = {.type = F_WRLCK, .whence = SEEK_SET, .start = 0, .len = 10};

    CHECK(api.chown(at("ol"), getuid(), getgid(), 0) == 0, "chown to the caller's ids");
    CHECK(api.chown(at("nope"), 0, 0, 1) == -PAL_ENOENT, "chown of a missing file: -ENOENT");
    CHECK(api.fchown(h, (uint32_t)-1, (uint32_t)-1) == 0, "fchown with -1 ids: unchanged");
    CHECK(api.file_lock(h, F_GETLK, &lk) == 0 && lk.type == F_UNLCK, "F_GETLK: F_UNLCK read back");
    lk = (struct pal_flock){.type = F_WRLCK, .whence = SEEK_SET, .start = 0, .len = 10};
    CHECK(api.file_lock(h, F_SETLK, &lk) == 0, "F_SETLK");
    pid_t c = fork();
    if (c == 0) {
        int fd = open(at("ol"), O_RDWR);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1};
        _exit(fcntl(fd, F_SETLK, &fl) == -1 && errno == EAGAIN ? 0 : 1);
    }
    int status;
    waitpid(c, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the lock is the host's: another process gets EAGAIN");
    CHECK(api.file_lock(h, 99, &lk) == -PAL_EINVAL, "file_lock with an unknown command: -EINVAL");
    CHECK(api.file_flock(h, LOCK_EX | LOCK_NB) == 0 && api.file_flock(h, LOCK_UN) == 0, "flock");
    CHECK(api.fallocate(h, 0, 0, 5000) == 0 && api.fstat(h, &st) == 0 && st.size == 5000,
          "fallocate grows the file");
    CHECK(api.fadvise(h, 0, 0, POSIX_FADV_WILLNEED) == 0, "fadvise");
    CHECK(api.fadvise(h, 0, 0, 99) == -PAL_EINVAL, "fadvise with an unknown advice: -EINVAL");
    CHECK(api.fdatasync(h) == 0 && api.sync(h) == 0 && api.sync(-1) == 0, "fdatasync, syncfs, sync");
    api.close(h);
    CHECK(api.mknod(at("fifo"), S_IFIFO | 0600) == 0 && stat(at("fifo"), &hs) == 0 &&
              S_ISFIFO(hs.st_mode),
          "mknod of a FIFO");
    CHECK(api.mknod(at("chr"), S_IFCHR | 0600) == -PAL_EPERM, "mknod of a device: -EPERM");
    int p[2];
    CHECK(pipe(p) == 0 && api.pipe_size(p[0], -1) == 65536 && api.pipe_size(p[1], 4096) == 4096 &&
              api.pipe_size(p[0], -1) == 4096,
          "pipe_size reads and sets a host pipe's capacity");
    CHECK(api.pipe_size(p[0], (int64_t)1 << 32) == -PAL_EINVAL, "pipe_size past an int: -EINVAL");
    CHECK(api.file_flags(p[1], O_APPEND | O_NONBLOCK) == 0 &&
              (fcntl(p[1], F_GETFL) & (O_APPEND | O_NONBLOCK)) == (O_APPEND | O_NONBLOCK) &&
              (api.file_flags(p[1], -1) & O_ACCMODE) == O_WRONLY && api.file_flags(p[1], 0) == 0 &&
              !(api.file_flags(p[1], -1) & (O_APPEND | O_NONBLOCK)),
          "file_flags sets and reads the host's status flags");
    close(p[0]), close(p[1]);
}

static void test_nonblocking(void)
{
    int p[2];
    char c;

    if (pipe(p)) {
        SKIP("pipe: %s", strerror(errno));
        return;
    }
    CHECK(api.set_nonblocking(p[0], 1) == 0 && (fcntl(p[0], F_GETFL) & O_NONBLOCK),
          "set_nonblocking on a pipe");
    CHECK(api.read(p[0], &c, 1) == -PAL_EAGAIN, "an empty non-blocking pipe: -EAGAIN");
    CHECK(api.set_nonblocking(p[0], 0) == 0 && !(fcntl(p[0], F_GETFL) & O_NONBLOCK),
          "and back to blocking");
    close(p[0]);
    close(p[1]);
    CHECK(api.set_nonblocking(p[0], 1) == -PAL_EBADF, "set_nonblocking on a closed fd: -EBADF");
}

static void test_tty(void)
{
    uint8_t buf[64];
    uint64_t calls = loopback_calls;
    int m = posix_openpt(O_RDWR | O_NOCTTY);

    CHECK(api.tty_ioctl(0, 0x5412, buf, 60, 0) == -PAL_ENOTTY,
          "tty_ioctl: a request not in pal_ioctl.h (TIOCSTI) -ENOTTY");
    CHECK(api.tty_ioctl(0, TCGETS, buf, 35, 0) == -PAL_ENOTTY, "TCGETS into 35 bytes: -ENOTTY");
    CHECK(api.tty_ioctl(0, TIOCGWINSZ, buf, 7, 0) == -PAL_ENOTTY, "TIOCGWINSZ into 7: -ENOTTY");
    CHECK(loopback_calls == calls, "without an OCALL");
    if (m < 0) {
        SKIP("posix_openpt: %s", strerror(errno));
        return;
    }
    CHECK(api.tty_ioctl(m, TCGETS, buf, sizeof(buf), 0) == 0, "TCGETS on a pty");
    CHECK(api.tty_ioctl(m, TIOCGWINSZ, buf, 8, 0) == 0, "TIOCGWINSZ on a pty");
    close(m);
}

static void test_nosymlinks(void)
{
    pal_handle h = -1;
    struct pal_stat st;

    mkdir(at("real"), 0755);
    close(open(at("real/x"), O_CREAT | O_WRONLY, 0644));
    symlink("real", at("ln"));
    CHECK(api.file_open(at("ln/x"), O_RDONLY, 0, &h) == 0, "open through a symlink");
    api.close(h);
    CHECK(api.file_open(at("ln/x"), O_RDONLY | PAL_O_NOSYMLINKS, 0, &h) == -PAL_ELOOP,
          "PAL_O_NOSYMLINKS through a symlink: -ELOOP");
    CHECK(api.file_open(at("real/x"), O_RDONLY | PAL_O_NOSYMLINKS, 0, &h) == 0,
          "PAL_O_NOSYMLINKS without one opens");
    api.close(h);
    CHECK(api.file_open(at("real/new"), O_RDWR | O_CREAT | PAL_O_NOSYMLINKS, 0640, &h) == 0,
          "PAL_O_NOSYMLINKS with O_CREAT");
    CHECK(api.fstat(h, &st) == 0 && (st.mode & 0777) == (0640 & ~umask(022)), "created mode");
    api.close(h);
    CHECK(api.stat(at("ln/x"), PAL_STAT_NOSYMLINKS, &st) == -PAL_ELOOP,
          "stat PAL_STAT_NOSYMLINKS through a symlink: -ELOOP");
    CHECK(api.stat(at("real/x"), PAL_STAT_NOSYMLINKS, &st) == 0 && S_ISREG(st.mode),
          "stat PAL_STAT_NOSYMLINKS without one");
    CHECK(api.stat(at("ln"), 1 | PAL_STAT_NOSYMLINKS, &st) == 0 && S_ISLNK(st.mode),
          "stat PAL_STAT_NOSYMLINKS of a final symlink: the link itself");
}

static void test_long_paths(void)
{
    char *p = malloc(5000);
    uint64_t calls = loopback_calls;
    pal_handle h;
    struct pal_stat st;

    memset(p, 'a', 4999);
    p[4999] = 0;
    CHECK(api.file_open(p, O_RDONLY, 0, &h) == -PAL_ENAMETOOLONG, "open: -ENAMETOOLONG");
    CHECK(api.stat(p, 0, &st) == -PAL_ENAMETOOLONG, "stat: -ENAMETOOLONG");
    CHECK(api.rename(at("f"), p) == -PAL_ENAMETOOLONG, "rename to: -ENAMETOOLONG");
    CHECK(api.symlink(p, at("s")) == -PAL_ENAMETOOLONG, "symlink target: -ENAMETOOLONG");
    p[4096] = 0; /* 4097 bytes with the NUL */
    CHECK(api.mkdir(p, 0755) == -PAL_ENAMETOOLONG, "mkdir of 4097 bytes: -ENAMETOOLONG");
    CHECK(loopback_calls == calls, "and no OCALL");
    p[4095] = 0; /* 4096 with the NUL: goes to the host */
    CHECK(api.access(p, F_OK) == -PAL_ENOENT || api.access(p, F_OK) == -PAL_ENAMETOOLONG,
          "4096 bytes reach the host");
    CHECK(loopback_calls > calls, "with an OCALL");
    free(p);
}

/* --- a hostile host --- */

static void test_hostile_counts(void)
{
    uint8_t buf[256];
    pal_handle h = open_file("f", O_RDWR);
    uint64_t calls;

    pwrite(h, "0123456789abcdef", 16, 0);
    hostile(OCALL_READ, T_COUNT_PLUS_ONE, 16);
    CHECK(api.read(h, buf, 16) == -PAL_EIO, "read: count > requested -> -EIO");
    hostile(OCALL_PREAD, T_COUNT_NE_SIZE, 0);
    CHECK(api.pread(h, buf, 16, 0) == -PAL_EIO, "pread: count != out_size -> -EIO");
    hostile(OCALL_PREAD, T_COUNT_PLUS_ONE, 16);
    CHECK(api.pread(h, buf, 16, 0) == -PAL_EIO, "pread: count > requested -> -EIO");
    hostile(OCALL_WRITE, T_COUNT_PLUS_ONE, 4);
    CHECK(api.write(h, "abcd", 4) == -PAL_EIO, "write: count > requested -> -EIO");
    hostile(OCALL_PWRITE, T_COUNT_PLUS_ONE, 4);
    CHECK(api.pwrite(h, "abcd", 4, 0) == -PAL_EIO, "pwrite: count > requested -> -EIO");
    honest();

    size_t n = 3 * OCALL_MAX_IO;
    uint8_t *big = calloc(1, n);
    hostile(OCALL_PWRITE, T_FAIL_SECOND, 0);
    CHECK(api.pwrite(h, big, n, 0) == OCALL_MAX_IO,
          "pwrite: an error after a chunk gives the bytes so far");
    hostile(OCALL_PREAD, T_FAIL_SECOND, 0);
    CHECK(api.pread(h, big, n, 0) == OCALL_MAX_IO, "pread: the same");
    hostile(OCALL_WRITE, T_HALF, 0);
    calls = loopback_calls;
    CHECK(api.write(h, big, n) == OCALL_MAX_IO / 2 && loopback_calls - calls == 1,
          "write: a short chunk ends the loop");
    honest();
    free(big);
    api.close(h);
}

static void test_hostile_stat(void)
{
    struct pal_stat st, before;
    uint8_t buf[64];
    pal_handle h = open_file("f", O_RDWR);

    memset(&before, 0x5a, sizeof(before));
    st = before;
    hostile(OCALL_STAT, T_SIZE_SHORT, 0);
    CHECK(api.stat(at("f"), 0, &st) == -PAL_EIO, "stat: out_size short -> -EIO");
    CHECK(!memcmp(&st, &before, sizeof(st)), "and the caller's struct untouched");
    hostile(OCALL_FSTAT, T_SIZE_SHORT, 0);
    CHECK(api.fstat(h, &st) == -PAL_EIO, "fstat: out_size short -> -EIO");
    hostile(OCALL_FSTAT, T_RESULT_ONE, 0);
    CHECK(api.fstat(h, &st) == -PAL_EIO, "fstat: result 1 -> -EIO");
    hostile(OCALL_MKDIR, T_RESULT_ONE, 0);
    CHECK(api.mkdir(at("r1"), 0755) == -PAL_EIO, "mkdir: result 1 -> -EIO");
    hostile(OCALL_FILE_OPEN, T_BIG_HANDLE, 0);
    CHECK(api.file_open(at("f"), O_RDONLY, 0, &h) == -PAL_EIO,
          "file_open: handle >= OCALL_MAX_HANDLE -> -EIO");
    hostile(OCALL_SEEK, T_BAD_ERRNO, 0);
    CHECK(api.seek(h, 0, SEEK_SET) == -PAL_EIO, "seek: result -1000 -> -EIO");
    hostile(OCALL_TTY_IOCTL, T_TTY_OK, 35);
    CHECK(api.tty_ioctl(h, TCGETS, buf, 36, 0) == -PAL_EIO, "tty_ioctl: 35 bytes for TCGETS -> -EIO");
    hostile(OCALL_TTY_IOCTL, T_TTY_OK, 36);
    memset(buf, 0xAA, sizeof(buf));
    CHECK(api.tty_ioctl(h, TCGETS, buf, 36, 0) == 0 && buf[36] == 0xAA,
          "tty_ioctl: exactly the kernel's 36 bytes accepted, and not one more written");
    hostile(OCALL_TTY_IOCTL, T_TTY_OK, 4);
    CHECK(api.tty_ioctl(h, TIOCGWINSZ, buf, 8, 0) == -PAL_EIO,
          "tty_ioctl: 4 bytes for TIOCGWINSZ -> -EIO");
    hostile(OCALL_TTY_IOCTL, T_IFREQ_NONUL, 0);
    memset(buf, 0, sizeof(buf));
    memcpy(buf, "lo", 3);
    CHECK(api.tty_ioctl(h, 0x8933 /* SIOCGIFINDEX */, buf, 40, 0) == -PAL_EIO && !strcmp((char *)buf, "lo"),
          "tty_ioctl: a struct ifreq reply whose name has no NUL -> -EIO, the caller's untouched");
    /* SIOCGIFCONF: whole entries that fit, named, or nothing. */
    uint8_t ifc[80];
    hostile(OCALL_TTY_IOCTL, T_IFCONF, 40);
    CHECK(api.tty_ioctl(h, 0x8912, ifc, 40, 0) == 40 && !strcmp((char *)ifc, "lo"),
          "tty_ioctl: SIOCGIFCONF, one whole named entry for room for one -> 40");
    hostile(OCALL_TTY_IOCTL, T_IFCONF_SIZE, 120);
    CHECK(api.tty_ioctl(h, 0x8912, NULL, 0, 0) == 120, "tty_ioctl: SIOCGIFCONF size asked -> 120");
    hostile(OCALL_TTY_IOCTL, T_IFCONF, 44);
    CHECK(api.tty_ioctl(h, 0x8912, ifc, 80, 0) == -PAL_EIO,
          "tty_ioctl: SIOCGIFCONF, 44 bytes (not whole entries) -> -EIO");
    hostile(OCALL_TTY_IOCTL, T_IFCONF_SIZE, 44);
    CHECK(api.tty_ioctl(h, 0x8912, NULL, 0, 0) == -PAL_EIO,
          "tty_ioctl: SIOCGIFCONF, a size of 44 (not whole entries) -> -EIO");
    hostile(OCALL_TTY_IOCTL, T_IFCONF, 80);
    CHECK(api.tty_ioctl(h, 0x8912, ifc, 40, 0) == -PAL_EIO,
          "tty_ioctl: SIOCGIFCONF, 80 bytes for room for 40 -> -EIO");
    hostile(OCALL_TTY_IOCTL, T_IFCONF_NONUL, 0);
    CHECK(api.tty_ioctl(h, 0x8912, ifc, 80, 0) == -PAL_EIO,
          "tty_ioctl: SIOCGIFCONF, an entry whose name has no NUL -> -EIO");
    hostile(OCALL_TTY_IOCTL, T_IFCONF, 0);
    CHECK(api.tty_ioctl(h, 0x8912, ifc, 44, 0) == -PAL_EINVAL,
          "tty_ioctl: SIOCGIFCONF with room for a part of an entry -> -EINVAL, no OCALL");
    int32_t id = 77;
    hostile(OCALL_TTY_IOCTL, T_TTY_ID, (uint64_t)(uint32_t)-3);
    CHECK(api.tty_ioctl(h, TIOCGPGRP, &id, 4, 0) == -PAL_EIO && id == 77,
          "tty_ioctl: a negative TIOCGPGRP group -> -EIO, the caller's id untouched");
    hostile(OCALL_TTY_IOCTL, T_TTY_ID, OCALL_PROCS_ID_MAX);
    CHECK(api.tty_ioctl(h, TIOCGSID, &id, 4, 0) == -PAL_EIO && id == 77,
          "tty_ioctl: a TIOCGSID session past the namespace's ids -> -EIO");
    hostile(OCALL_TTY_IOCTL, T_TTY_ID, 5);
    CHECK(api.tty_ioctl(h, TIOCGPGRP, &id, 4, 0) == 0 && id == 5,
          "tty_ioctl: a TIOCGPGRP group of the namespace accepted");
    CHECK(api.tty_ioctl(h, TIOCGPGRP, &id, 4, 2) == -PAL_ENOTTY,
          "tty_ioctl: flags other than PAL_TTY_QUIET -> -ENOTTY");
    honest();
    api.close(h);
}

static long readdir_once(enum tamper kind)
{
    uint8_t buf[4096];
    pal_handle h = -1;
    long r;

    if (api.file_open(at("d"), O_RDONLY | O_DIRECTORY, 0, &h))
        return -1000;
    hostile(OCALL_READDIR, kind, 0);
    r = api.readdir(h, buf, sizeof(buf));
    honest();
    api.close(h);
    return r;
}

static void test_statfs(void)
{
    struct pal_statfs st, before;
    struct statfs hs;
    pal_handle h = open_file("sf", O_RDWR | O_CREAT);

    CHECK(api.fs_stat(dir, &st) == 0 && statfs(dir, &hs) == 0 && st.type == hs.f_type &&
              st.bsize == hs.f_bsize && st.blocks == hs.f_blocks && st.namelen == hs.f_namelen,
          "fs_stat agrees with the host's statfs");
    CHECK(api.fs_fstat(h, &st) == 0 && st.type == hs.f_type && st.files == hs.f_files,
          "fs_fstat agrees with the host's statfs");
    CHECK(api.fs_stat(at("missing/x"), &st) == -PAL_ENOENT, "fs_stat: -ENOENT");
    CHECK(api.fs_fstat(OCALL_MAX_HANDLE - 1, &st) == -PAL_EBADF, "fs_fstat: -EBADF");
    memset(&before, 0x5a, sizeof(before));
    st = before;
    hostile(OCALL_STATFS, T_SIZE_SHORT, 0);
    CHECK(api.fs_stat(dir, &st) == -PAL_EIO, "fs_stat: out_size short -> -EIO");
    CHECK(!memcmp(&st, &before, sizeof(st)), "and the caller's struct untouched");
    hostile(OCALL_STATFS, T_STATFS_FREE, 0);
    CHECK(api.fs_stat(dir, &st) == -PAL_EIO, "fs_stat: more free blocks than blocks -> -EIO");
    hostile(OCALL_FSTATFS, T_RESULT_ONE, 0);
    CHECK(api.fs_fstat(h, &st) == -PAL_EIO, "fs_fstat: result 1 -> -EIO");
    honest();
    api.close(h);
}

static void test_hostile_readdir(void)
{
    CHECK(readdir_once(T_REC_SHORT) == -PAL_EIO, "readdir: d_reclen < 20 -> -EIO");
    CHECK(readdir_once(T_REC_ODD) == -PAL_EIO, "readdir: d_reclen not 8-aligned -> -EIO");
    CHECK(readdir_once(T_REC_PAST) == -PAL_EIO, "readdir: a record past the bytes -> -EIO");
    CHECK(readdir_once(T_REC_NO_NUL) == -PAL_EIO, "readdir: no NUL in d_name -> -EIO");
    CHECK(readdir_once(T_REC_TRAILING) == -PAL_EIO, "readdir: records short of the total -> -EIO");
    CHECK(readdir_once(T_COUNT_NE_SIZE) == -PAL_EIO, "readdir: result != out_size -> -EIO");
    CHECK(readdir_once(T_RESULT_ONE) == -PAL_EIO, "readdir: result 1 -> -EIO");
}

static void test_hostile_readlink(void)
{
    char buf[8];

    symlink("abcdefgh-long-target", at("rl"));
    hostile(OCALL_READLINK, T_COUNT_NE_SIZE, 0);
    CHECK(api.readlink(at("rl"), buf, sizeof(buf)) == -PAL_EIO,
          "readlink: length != out_size -> -EIO");
    hostile(OCALL_READLINK, T_COUNT_PLUS_ONE, sizeof(buf));
    CHECK(api.readlink(at("rl"), buf, sizeof(buf)) == -PAL_EIO,
          "readlink: length > buflen -> -EIO");
    honest();
    CHECK(api.readlink(at("rl"), buf, sizeof(buf)) == 8 && !memcmp(buf, "abcdefgh", 8),
          "readlink truncates to buflen, as Linux does");
}

/* --- the host side called directly with malformed input --- */

static int64_t host_call(uint64_t nr, const int64_t a[4], const void *tail, size_t tail_len,
                         uint64_t in_size, uint64_t cap)
{
    static uint8_t in[OCALL_MAX_DATA], out[OCALL_MAX_DATA];
    struct ocall_args args = {{a[0], a[1], a[2], a[3]}};
    uint64_t size = 77;
    int64_t r;

    memcpy(in, &args, sizeof(args));
    memcpy(in + sizeof(args), tail, tail_len);
    r = urts_ocall_fs(NULL, 0, nr, in, in_size ? in_size : sizeof(args) + tail_len, out, cap,
                      &size);
    return r < 0 && size != 0 ? -9999 : r; /* no output with an error */
}

static void test_host_paths(void)
{
    const char *p = at("hv"), *q = at("hv2");
    size_t n = strlen(p);
    char tail[512];

    memcpy(tail, p, n);
    CHECK(host_call(OCALL_MKDIR, (int64_t[4]){0755, (int64_t)n}, tail, n, 0, 0) == -EINVAL,
          "host: a path without its NUL -> -EINVAL");
    CHECK(host_call(OCALL_MKDIR, (int64_t[4]){0755, (int64_t)n + 10}, p, n + 1, 0, 0) == -EINVAL,
          "host: a path length past the input -> -EINVAL");
    memcpy(tail, p, n + 1);
    memcpy(tail + n + 1, "xx", 2);
    CHECK(host_call(OCALL_MKDIR, (int64_t[4]){0755, (int64_t)n + 1}, tail, n + 3, 0, 0) == -EINVAL,
          "host: trailing bytes after the path -> -EINVAL");
    tail[n - 1] = 0; /* a NUL inside, and one at the end */
    CHECK(host_call(OCALL_MKDIR, (int64_t[4]){0755, (int64_t)n + 1}, tail, n + 1, 0, 0) == -EINVAL,
          "host: a NUL inside the path -> -EINVAL");
    CHECK(host_call(OCALL_MKDIR, (int64_t[4]){0755, -1}, p, n + 1, 0, 0) == -EINVAL,
          "host: a negative length -> -EINVAL");
    CHECK(host_call(OCALL_MKDIR, (int64_t[4]){0755, (int64_t)n + 1}, p, n + 1, 40, 0) == -EINVAL,
          "host: input shorter than the arguments -> -EINVAL");
    CHECK(access(p, F_OK) != 0, "host: and nothing was created");
    CHECK(host_call(OCALL_MKDIR, (int64_t[4]){0755, (int64_t)n + 1}, p, n + 1, 0, 0) == 0 &&
              access(p, F_OK) == 0,
          "host: the well-formed call creates it");
    memcpy(tail, p, n + 1);
    memcpy(tail + n + 1, q, strlen(q));
    CHECK(host_call(OCALL_RENAME, (int64_t[4]){(int64_t)n + 1, (int64_t)strlen(q)}, tail,
                    n + 1 + strlen(q), 0, 0) == -EINVAL &&
              access(p, F_OK) == 0,
          "host: rename's second path without its NUL -> -EINVAL, not renamed");
    CHECK(host_call(OCALL_UNLINK, (int64_t[4]){2, (int64_t)n + 1}, p, n + 1, 0, 0) == -EINVAL &&
              access(p, F_OK) == 0,
          "host: unlink is_dir 2 -> -EINVAL, not removed");
    CHECK(host_call(OCALL_STAT, (int64_t[4]){0, (int64_t)n + 1}, p, n + 1, 0, 16) == -EINVAL,
          "host: stat with out_cap below struct pal_stat -> -EINVAL");
    CHECK(host_call(OCALL_STAT, (int64_t[4]){4, (int64_t)n + 1}, p, n + 1, 0, 4096) == -EINVAL,
          "host: stat with unknown flags -> -EINVAL");
}

static void test_host_handles(void)
{
    int fd = open(at("hf"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct stat hs;

    CHECK(host_call(OCALL_WRITE, (int64_t[4]){fd, 100}, "0123456789", 10, 0, 0) == -EINVAL &&
              fstat(fd, &hs) == 0 && hs.st_size == 0,
          "host: write length past the input -> -EINVAL, nothing written");
    CHECK(host_call(OCALL_WRITE, (int64_t[4]){fd, 4}, "0123456789", 10, 0, 0) == -EINVAL &&
              fstat(fd, &hs) == 0 && hs.st_size == 0,
          "host: write with trailing bytes -> -EINVAL, nothing written");
    CHECK(host_call(OCALL_WRITE, (int64_t[4]){fd, 10}, "0123456789", 10, 0, 0) == 10,
          "host: the well-formed write");
    CHECK(host_call(OCALL_PREAD, (int64_t[4]){fd, 100, 0}, "", 0, 0, 50) == -EINVAL,
          "host: pread longer than out_cap -> -EINVAL");
    CHECK(host_call(OCALL_READ, (int64_t[4]){fd, OCALL_MAX_IO + 1}, "", 0, 0, OCALL_MAX_DATA) ==
              -EINVAL,
          "host: read longer than OCALL_MAX_IO -> -EINVAL");
    CHECK(host_call(OCALL_READ, (int64_t[4]){fd, 4}, "x", 1, 0, 4) == -EINVAL,
          "host: read with trailing bytes -> -EINVAL");
    CHECK(host_call(OCALL_CLOSE, (int64_t[4]){-1}, "", 0, 0, 0) == -EBADF,
          "host: handle -1 -> -EBADF");
    CHECK(host_call(OCALL_CLOSE, (int64_t[4]){(int64_t)1 << 32 | fd}, "", 0, 0, 0) == -EBADF &&
              fcntl(fd, F_GETFD) >= 0,
          "host: a handle past OCALL_MAX_HANDLE -> -EBADF, not truncated to an fd");
    CHECK(host_call(OCALL_TTY_IOCTL, (int64_t[4]){fd, TCGETS, 60}, "", 0, 0, 64) == -EINVAL,
          "host: TCGETS of 60 bytes -> -EINVAL");
    CHECK(host_call(OCALL_TTY_IOCTL, (int64_t[4]){fd, 0x5412, 60}, "", 0, 0, 64) == -ENOTTY,
          "host: an ioctl request not in pal_ioctl.h -> -ENOTTY");
    CHECK(host_call(OCALL_TTY_IOCTL, (int64_t[4]){fd, 0x5402, 36}, "", 0, 0, 64) == -EINVAL,
          "host: TCSETS without its 36 input bytes -> -EINVAL");
    CHECK(host_call(OCALL_NONBLOCK, (int64_t[4]){fd, 2}, "", 0, 0, 0) == -EINVAL,
          "host: set_nonblocking on = 2 -> -EINVAL");
    CHECK(host_call(OCALL_FSTATFS + 1, (int64_t[4]){0}, "", 0, 0, 0) == -ENOSYS,
          "host: an unused fs number -> -ENOSYS");
    CHECK(host_call(OCALL_FS_LAST + 1, (int64_t[4]){0}, "", 0, 0, 0) == -ENOSYS &&
              host_call(OCALL_FS_MORE_LAST + 1, (int64_t[4]){0}, "", 0, 0, 0) == -ENOSYS,
          "host: numbers between and past the fs ranges -> -ENOSYS");
    CHECK(host_call(OCALL_FILE_LOCK, (int64_t[4]){fd, 4 /* F_SETFD */, 0, 0}, "", 0, 0, 64) ==
              -EINVAL,
          "host: file_lock with a command that is not a lock -> -EINVAL");
    CHECK(host_call(OCALL_FCHOWN, (int64_t[4]){fd, (int64_t)1 << 32, 0}, "", 0, 0, 0) == -EINVAL,
          "host: fchown with an id past 32 bits -> -EINVAL");
    close(fd);
}

static int remove_one(const char *path, const struct stat *s, int flag, struct FTW *ftw)
{
    (void)s, (void)flag, (void)ftw;
    return remove(path);
}

/* host_call with all six arguments. */
static int64_t host_call6(uint64_t nr, const int64_t a[6], const void *tail, size_t tail_len,
                          uint64_t cap, uint8_t *outp, uint64_t *size)
{
    static uint8_t in[OCALL_MAX_DATA], out[OCALL_MAX_DATA];
    struct ocall_args args = {{a[0], a[1], a[2], a[3], a[4], a[5]}};

    *size = 77;
    memcpy(in, &args, sizeof(args));
    memcpy(in + sizeof(args), tail, tail_len);
    int64_t r = urts_ocall_fs(NULL, 0, nr, in, sizeof(args) + tail_len, out, cap, size);
    if (outp && r >= 0)
        memcpy(outp, out, *size);
    return r;
}

/* The OCALLs that are one host step: rename flags, link of a handle,
 * splice, xattrs, pwrite flags (docs/sgx-pal.md). */
static void test_host_one_step(void)
{
    const char *a = at("xa"), *b = at("xb"), *l = at("xl");
    size_t na = strlen(a) + 1, nb = strlen(b) + 1, nl = strlen(l) + 1;
    char tail[1024], got[16] = {0};
    uint64_t size;
    int fa = open(a, O_RDWR | O_CREAT | O_TRUNC, 0600), fb = open(b, O_RDWR | O_CREAT | O_TRUNC, 0600);

    CHECK(fa >= 0 && fb >= 0 && write(fa, "A", 1) == 1 && write(fb, "B", 1) == 1, "host: two files");
    memcpy(tail, a, na);
    memcpy(tail + na, b, nb);
    CHECK(host_call6(OCALL_RENAME_FLAGS, (int64_t[6]){(int64_t)na, (int64_t)nb, 3}, tail, na + nb, 0,
                     NULL, &size) == -EINVAL,
          "host: rename flags 3 -> -EINVAL");
    CHECK(host_call6(OCALL_RENAME_FLAGS, (int64_t[6]){(int64_t)na, (int64_t)nb, 2}, tail, na + nb, 0,
                     NULL, &size) == 0 &&
              pread(open(a, O_RDONLY), got, 1, 0) == 1 && got[0] == 'B',
          "host: RENAME_EXCHANGE swaps the two names");
    CHECK(host_call6(OCALL_RENAME_FLAGS, (int64_t[6]){(int64_t)na, (int64_t)nb, 1}, tail, na + nb, 0,
                     NULL, &size) == -EEXIST,
          "host: RENAME_NOREPLACE onto an existing name -> -EEXIST");
    CHECK(host_call6(OCALL_LINK_HANDLE, (int64_t[6]){fa, (int64_t)nl}, l, nl, 0, NULL, &size) == 0 &&
              access(l, F_OK) == 0,
          "host: link_handle names the open file");
    CHECK(host_call6(OCALL_LINK_HANDLE, (int64_t[6]){-1, (int64_t)nl}, l, nl, 0, NULL, &size) ==
              -EBADF,
          "host: link_handle of handle -1 -> -EBADF");
    CHECK(host_call6(OCALL_SPLICE, (int64_t[6]){fa, -1, fb, -1, 1, 0x10}, "", 0, 0, NULL, &size) ==
              -EINVAL,
          "host: splice flags 0x10 -> -EINVAL");
    CHECK(host_call6(OCALL_SPLICE, (int64_t[6]){fa, -3, fb, -1, 1, 0}, "", 0, 0, NULL, &size) ==
              -EINVAL,
          "host: splice off_in -3 -> -EINVAL");
    CHECK(host_call6(OCALL_PWRITE, (int64_t[6]){fb, 1, 0, 0x1000}, "Z", 1, 0, NULL, &size) == -EINVAL,
          "host: pwrite with an unknown RWF flag -> -EINVAL");
    CHECK(host_call6(OCALL_PWRITE, (int64_t[6]){fb, 1, 0, 0x10 /* RWF_APPEND */}, "Z", 1, 0, NULL,
                     &size) == 1 &&
              pread(fb, got, 2, 0) == 2 && got[1] == 'Z',
          "host: pwrite RWF_APPEND appends");
    memcpy(tail, a, na);
    memcpy(tail + na, "user.t", 7);
    memcpy(tail + na + 7, "val", 3);
    CHECK(host_call6(OCALL_XATTR, (int64_t[6]){9, -1, (int64_t)na, 7, 3}, tail, na + 10, 0, NULL,
                     &size) == -EINVAL,
          "host: xattr op 9 -> -EINVAL");
    CHECK(host_call6(OCALL_XATTR, (int64_t[6]){PAL_XATTR_SET, -1, (int64_t)na, 7, 3}, tail, na + 10,
                     0, NULL, &size) == 0,
          "host: xattr set");
    int64_t r = host_call6(OCALL_XATTR, (int64_t[6]){PAL_XATTR_GET, -1, (int64_t)na, 7, 0}, tail,
                           na + 7, 0, NULL, &size);
    CHECK(r == 3 && size == 0, "host: xattr get of size 0: the length, no bytes");
    r = host_call6(OCALL_XATTR, (int64_t[6]){PAL_XATTR_GET, -1, (int64_t)na, 7, 8}, tail, na + 7, 8,
                   (uint8_t *)got, &size);
    CHECK(r == 3 && size == 3 && !memcmp(got, "val", 3), "host: xattr get");
    CHECK(host_call6(OCALL_XATTR, (int64_t[6]){PAL_XATTR_GET, -1, (int64_t)na, 7, 8}, tail, na + 7,
                     4, NULL, &size) == -EINVAL,
          "host: xattr get with a buffer past out_cap -> -EINVAL");
    CHECK(host_call6(OCALL_XATTR, (int64_t[6]){PAL_XATTR_LIST, -1, (int64_t)na, 7, 8}, tail, na + 7,
                     8, NULL, &size) == -EINVAL,
          "host: xattr list with a name -> -EINVAL");
    /* SIOCGIFCONF on a socket: the size, then entries into out_cap. */
    int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    uint8_t ents[4096];
    int64_t need = host_call6(OCALL_TTY_IOCTL, (int64_t[6]){sk, 0x8912, 0, 0}, "", 0, 0, NULL, &size);
    CHECK(need >= 40 && need % 40 == 0 && size == 0, "host: SIOCGIFCONF size asked: whole entries, no bytes");
    r = need <= 4096 ? host_call6(OCALL_TTY_IOCTL, (int64_t[6]){sk, 0x8912, need, 0}, "", 0, 4096,
                                  ents, &size)
                     : -1;
    CHECK(r == need && size == (uint64_t)need && pal_ioctl_ifconf_ok(ents, r, (uint64_t)need),
          "host: SIOCGIFCONF: every entry, named");
    CHECK(host_call6(OCALL_TTY_IOCTL, (int64_t[6]){sk, 0x8912, 80, 0}, "", 0, 40, NULL, &size) ==
              -EINVAL,
          "host: SIOCGIFCONF for more than out_cap -> -EINVAL");
    close(sk);
    close(fa);
    close(fb);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/geode-ocall-fs-XXXXXX");
    if (!mkdtemp(dir)) {
        printf("not ok - mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    umask(022);
    enclave_fill_fs(&api);
    CHECK(api.file_map == NULL, "file_map stays NULL");
    test_open_read_write();
    test_large();
    test_readdir();
    test_paths();
    test_owner_locks_space();
    test_nonblocking();
    test_tty();
    test_nosymlinks();
    test_long_paths();
    test_hostile_counts();
    test_hostile_stat();
    test_statfs();
    test_hostile_readdir();
    test_hostile_readlink();
    test_host_paths();
    test_host_handles();
    test_host_one_step();
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return TAP_DONE();
}
