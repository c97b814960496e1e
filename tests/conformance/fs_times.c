// modes: direct sim
/* File times, from utimensat(2), futimens(3), utimes(2), utime(2),
 * inode(7): UTIME_NOW, UTIME_OMIT, AT_SYMLINK_NOFOLLOW on a symlink,
 * EINVAL on a bad tv_nsec, times given explicitly read back, and the order
 * of times (a write moves mtime and ctime forward, a read with atime
 * given explicitly does not move it back). Only explicitly set times and
 * relations are printed, never the clock. */
#include "conf.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <utime.h>

static struct stat st;

static void times_of(const char *what, const char *p, int nofollow)
{
    if ((nofollow ? lstat(p, &st) : stat(p, &st)))
        say("%s: -1 %s\n", what, ename(errno));
    else
        say("%s: atime %ld.%09ld mtime %ld.%09ld\n", what, (long)st.st_atim.tv_sec,
            st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static int cmp(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec != b->tv_sec     ? (a->tv_sec < b->tv_sec ? -1 : 1)
           : a->tv_nsec != b->tv_nsec ? (a->tv_nsec < b->tv_nsec ? -1 : 1)
                                      : 0;
}

static const char *rel(int c)
{
    return c < 0 ? "earlier" : c > 0 ? "later" : "same";
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int f = open("f", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (f < 0 || symlink("f", "sym") || mkdir("d", 0700))
        return 1;
    struct timespec ts[2] = {{1000000000, 123456789}, {1100000000, 5}};
    chk("utimensat explicit", utimensat(AT_FDCWD, "f", ts, 0));
    times_of("f", "f", 0);
    ts[0] = (struct timespec){0, UTIME_OMIT};
    ts[1] = (struct timespec){1200000000, 0};
    chk("utimensat atime UTIME_OMIT", utimensat(AT_FDCWD, "f", ts, 0));
    times_of("f", "f", 0);
    ts[0] = (struct timespec){1300000000, 0};
    ts[1] = (struct timespec){0, UTIME_OMIT};
    chk("utimensat mtime UTIME_OMIT", utimensat(AT_FDCWD, "f", ts, 0));
    times_of("f", "f", 0);
    ts[0] = ts[1] = (struct timespec){0, UTIME_OMIT};
    struct stat before;
    stat("f", &before);
    chk("utimensat both UTIME_OMIT", utimensat(AT_FDCWD, "f", ts, 0));
    stat("f", &st);
    say("ctime after both omitted: %s\n", rel(cmp(&st.st_ctim, &before.st_ctim)));
    ts[0] = (struct timespec){0, UTIME_NOW};
    ts[1] = (struct timespec){0, UTIME_OMIT};
    chk("utimensat atime UTIME_NOW", utimensat(AT_FDCWD, "f", ts, 0));
    stat("f", &st);
    say("atime now later than the old one: %s, mtime kept: %s\n",
        cmp(&st.st_atim, &before.st_atim) > 0 ? "yes" : "no",
        cmp(&st.st_mtim, &before.st_mtim) == 0 ? "yes" : "no");
    chk("utimensat NULL (both now)", utimensat(AT_FDCWD, "f", NULL, 0));
    stat("f", &st);
    say("mtime %s than before, atime %s mtime\n", rel(cmp(&st.st_mtim, &before.st_mtim)),
        cmp(&st.st_atim, &st.st_mtim) == 0 ? "equals" : "differs from");

    ts[0] = (struct timespec){0, 1000000000};
    chk("utimensat tv_nsec 1e9", utimensat(AT_FDCWD, "f", ts, 0));
    ts[0] = (struct timespec){0, -1};
    chk("utimensat tv_nsec -1", utimensat(AT_FDCWD, "f", ts, 0));
    ts[0] = (struct timespec){5, UTIME_OMIT};
    ts[1] = (struct timespec){7, UTIME_NOW};
    chk("utimensat tv_sec ignored with UTIME_OMIT/NOW", utimensat(AT_FDCWD, "f", ts, 0));
    chk("utimensat bad flags", utimensat(AT_FDCWD, "f", NULL, 0x4));
    chk("utimensat a missing file", utimensat(AT_FDCWD, "missing", NULL, 0));
    chk("utimensat bad dirfd", utimensat(999, "f", NULL, 0));
    chk("utimensat \"\"", utimensat(AT_FDCWD, "", NULL, 0));
    chk("utimensat a bad times pointer", syscall(SYS_utimensat, AT_FDCWD, "f", BAD, 0));

    ts[0] = (struct timespec){1400000000, 1};
    ts[1] = (struct timespec){1400000000, 2};
    chk("utimensat AT_SYMLINK_NOFOLLOW on the symlink",
        utimensat(AT_FDCWD, "sym", ts, AT_SYMLINK_NOFOLLOW));
    times_of("the symlink itself", "sym", 1);
    struct stat tf;
    stat("f", &tf);
    say("the target's mtime unchanged: %s\n", tf.st_mtim.tv_sec != 1400000000 ? "yes" : "no");
    ts[1] = (struct timespec){1500000000, 3};
    chk("utimensat through the symlink", utimensat(AT_FDCWD, "sym", ts, 0));
    times_of("the target", "f", 0);

    ts[0] = (struct timespec){1600000000, 10};
    ts[1] = (struct timespec){1600000000, 20};
    chk("futimens", futimens(f, ts));
    times_of("f", "f", 0);
    chk("futimens a bad fd", futimens(999, ts));
    int ro = open("f", O_RDONLY);
    chk("futimens on a read-only fd", futimens(ro, ts));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    chk("utimensat relative to a dir fd", utimensat(dfd, "../f", ts, 0));
    chk("futimens on a directory fd", futimens(dfd, ts));
    times_of("d", "d", 0);

    struct timeval tv[2] = {{1700000000, 999999}, {1700000001, 0}};
    chk("utimes", utimes("f", tv));
    times_of("f", "f", 0);
    tv[0].tv_usec = 1000000;
    chk("utimes tv_usec 1e6", utimes("f", tv));
    tv[0].tv_usec = -1;
    chk("utimes tv_usec -1", utimes("f", tv));
    chk("utimes NULL", utimes("f", NULL));
    struct utimbuf ub = {1800000000, 1800000001};
    chk("utime", utime("f", &ub));
    times_of("f", "f", 0);
    chk("utime a missing file", utime("missing", &ub));
    chk("futimesat relative to a dir fd", syscall(SYS_futimesat, dfd, "../f", NULL));

    ts[0] = (struct timespec){1000, 0};
    ts[1] = (struct timespec){2000, 0};
    utimensat(AT_FDCWD, "f", ts, 0);
    stat("f", &before);
    if (pwrite(f, "x", 1, 0) != 1)
        return 1;
    stat("f", &st);
    /* ctime was set to the clock's time just before: "same" is possible */
    say("after a write: mtime %s, ctime earlier: %s, atime %s\n",
        rel(cmp(&st.st_mtim, &before.st_mtim)),
        cmp(&st.st_ctim, &before.st_ctim) < 0 ? "yes" : "no",
        rel(cmp(&st.st_atim, &before.st_atim)));
    utimensat(AT_FDCWD, "d", ts, 0);
    stat("d", &before);
    close(open("d/new", O_CREAT | O_WRONLY, 0600));
    stat("d", &st);
    say("directory after a create: mtime %s, ctime earlier: %s\n",
        rel(cmp(&st.st_mtim, &before.st_mtim)),
        cmp(&st.st_ctim, &before.st_ctim) < 0 ? "yes" : "no");
    return 0;
}
