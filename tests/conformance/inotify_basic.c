// modes: direct sim
/* inotify (inotify(7)): watches on a directory and a file, the events a
 * create, write, rename, delete and close make (mask, cookie pairing,
 * names), EAGAIN with nothing to read, poll readiness, a blocking read,
 * IN_ONESHOT, inotify_rm_watch's IN_IGNORED, and the errors. The program
 * works in a directory it makes under argv[1] (its run directory). */
#include "conf.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>

static char buf[8192] __attribute__((aligned(8)));

/* Prints each event: which watch (by name), its mask in words, the name. */
static void show(long n, int wd_dir, int wd_file)
{
    for (long off = 0; off < n;) {
        struct inotify_event *e = (struct inotify_event *)(buf + off);
        static const struct {
            uint32_t bit;
            const char *name;
        } bits[] = {{IN_ACCESS, "ACCESS"},
                    {IN_MODIFY, "MODIFY"},
                    {IN_ATTRIB, "ATTRIB"},
                    {IN_CLOSE_WRITE, "CLOSE_WRITE"},
                    {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"},
                    {IN_OPEN, "OPEN"},
                    {IN_MOVED_FROM, "MOVED_FROM"},
                    {IN_MOVED_TO, "MOVED_TO"},
                    {IN_CREATE, "CREATE"},
                    {IN_DELETE, "DELETE"},
                    {IN_DELETE_SELF, "DELETE_SELF"},
                    {IN_IGNORED, "IGNORED"},
                    {IN_ISDIR, "ISDIR"}};
        char m[160] = "";
        for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
            if (e->mask & bits[i].bit)
                snprintf(m + strlen(m), sizeof(m) - strlen(m), "%s%s", m[0] ? "|" : "",
                         bits[i].name);
        say("  %s %s%s%s cookie %s\n",
            e->wd == wd_dir    ? "dir"
            : e->wd == wd_file ? "file"
                               : "?",
            m, e->len ? " " : "", e->len ? e->name : "", e->cookie ? "set" : "0");
        off += (long)sizeof(*e) + e->len;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    char dir[512], path[600], path2[600];
    snprintf(dir, sizeof(dir), "%s/inotify_dir", argv[1]);
    mkdir(dir, 0755);
    snprintf(path, sizeof(path), "%s/a.txt", dir);
    snprintf(path2, sizeof(path2), "%s/b.txt", dir);

    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    chk("inotify_init1 NONBLOCK|CLOEXEC", fd);
    say("FD_CLOEXEC set: %d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    int wd_dir = inotify_add_watch(
        fd, dir, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_MODIFY);
    chk("add_watch on the directory", wd_dir);
    val("read with nothing to read", read(fd, buf, sizeof(buf)));
    struct pollfd p = {fd, POLLIN, 0};
    val("poll before any change", poll(&p, 1, 0));

    int f = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    val("write", write(f, "hello", 5));
    close(f);
    val("poll after create/write/close", poll(&p, 1, 1000));
    long n = read(fd, buf, sizeof(buf));
    say("events:\n");
    show(n, wd_dir, -1);

    int wd_file = inotify_add_watch(fd, path, IN_ATTRIB | IN_DELETE_SELF);
    chk("add_watch on the file", wd_file);
    say("watch descriptors differ: %d\n", wd_file != wd_dir);
    val("same path again: same descriptor", inotify_add_watch(fd, dir, IN_CREATE) == wd_dir);
    inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO);

    chk("rename a -> b", rename(path, path2));
    chk("chmod b", chmod(path2, 0600));
    chk("unlink b", unlink(path2));
    n = read(fd, buf, sizeof(buf));
    say("events:\n");
    show(n, wd_dir, wd_file);

    /* MOVED_FROM and MOVED_TO share a cookie. */
    f = open(path, O_CREAT | O_WRONLY, 0644);
    close(f);
    read(fd, buf, sizeof(buf));
    rename(path, path2);
    n = read(fd, buf, sizeof(buf));
    struct inotify_event *e1 = (struct inotify_event *)buf;
    struct inotify_event *e2 = (struct inotify_event *)(buf + sizeof(*e1) + e1->len);
    say("rename: %ld bytes, cookies equal and set: %d\n", n,
        n > (long)sizeof(*e1) && e1->cookie && e1->cookie == e2->cookie);

    /* A blocking instance; IN_ONESHOT; rm_watch gives IN_IGNORED. */
    int bfd = inotify_init();
    chk("inotify_init (blocking)", bfd);
    int wd1 = inotify_add_watch(bfd, dir, IN_CREATE | IN_ONESHOT);
    chk("add_watch IN_ONESHOT", wd1);
    snprintf(path, sizeof(path), "%s/c.txt", dir);
    f = open(path, O_CREAT | O_WRONLY, 0644);
    close(f);
    n = read(bfd, buf, sizeof(buf));
    say("blocking read, oneshot:\n");
    show(n, wd1, -1);
    unlink(path);
    int wd2 = inotify_add_watch(bfd, dir, IN_DELETE);
    chk("add_watch again", wd2);
    chk("rm_watch", inotify_rm_watch(bfd, wd2));
    n = read(bfd, buf, sizeof(buf));
    say("after rm_watch:\n");
    show(n, wd2, -1);

    /* Errors. */
    val("read with a 4-byte buffer", read(fd, buf, 4));
    val("add_watch mask 0", inotify_add_watch(fd, dir, 0));
    val("add_watch on a missing path", inotify_add_watch(fd, "/nonexistent/x", IN_CREATE));
    val("add_watch on a pipe fd", inotify_add_watch(0, dir, IN_CREATE));
    val("add_watch on a closed fd", inotify_add_watch(999, dir, IN_CREATE));
    val("rm_watch of an unknown wd", inotify_rm_watch(fd, 12345));
    val("inotify_init1 bad flags", inotify_init1(0x4));
    val("add_watch IN_MASK_CREATE|IN_MASK_ADD",
        inotify_add_watch(fd, dir, IN_CREATE | IN_MASK_CREATE | IN_MASK_ADD));
    val("write", write(fd, "x", 1));
    unlink(path2);
    rmdir(dir);
    return 0;
}
