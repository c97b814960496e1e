// modes: direct sim
/* Trailing slashes and symlinks in path resolution (path_resolution(7),
 * open(2), stat(2), unlink(2), rmdir(2), readlink(2), mkdir(2)): "name/"
 * must name a directory (ENOTDIR), a final symlink is then followed even
 * by lstat and O_NOFOLLOW, O_CREAT with it is EISDIR, unlink and rmdir do
 * not follow it; symlink chains with relative, absolute and ".." targets,
 * loops (ELOOP), a file used as a directory (ENOTDIR). */
#include "conf.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static char dir[PATH_MAX / 2];

static const char *at(const char *name)
{
    static char buf[4][PATH_MAX];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
    return buf[i];
}

static void try_open(const char *name, int flags)
{
    char what[PATH_MAX + 32];
    int fd = open(at(name), flags, 0644);
    snprintf(what, sizeof(what), "open %s%s%s", name, flags & O_CREAT ? " O_CREAT" : "",
             flags & O_NOFOLLOW ? " O_NOFOLLOW" : "");
    chk(what, fd);
    if (fd >= 0)
        close(fd);
}

static void try_stat(const char *name)
{
    struct stat st;
    char what[PATH_MAX + 16];
    snprintf(what, sizeof(what), "stat %s", name);
    if (stat(at(name), &st) == 0)
        say("%s: %s\n", what, S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : "other");
    else
        chk(what, -1);
    snprintf(what, sizeof(what), "lstat %s", name);
    if (lstat(at(name), &st) == 0)
        say("%s: %s\n", what,
            S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "link" : S_ISREG(st.st_mode) ? "file" : "other");
    else
        chk(what, -1);
}

int main(int argc, char **argv)
{
    if (argc < 2 || snprintf(dir, sizeof(dir), "%s", argv[1]) >= (int)sizeof(dir))
        return 1;
    if (mkdir(at("real"), 0755) || mkdir(at("real/sub"), 0755) || mkdir(at("other"), 0755))
        return 1;
    int fd = open(at("real/sub/f"), O_CREAT | O_WRONLY, 0644);
    if (fd < 0 || write(fd, "data", 4) != 4)
        return 1;
    close(fd);
    if (symlink("real", at("l1")) || symlink(at("l1"), at("abs")) ||
        symlink("../real/sub", at("other/rel")) || symlink("l1/sub", at("chain")) ||
        symlink("loop2", at("loop1")) || symlink("loop1", at("loop2")) ||
        symlink("sub/f", at("real/fl")) || symlink(at("real/sub/f"), at("absf")))
        return 1;

    static const char *const names[] = {
        "l1/sub/f", "abs/sub/f", "other/rel/f", "chain/f", "loop1/x", "l1/fl", "absf",
        "l1/sub/nope", "abs/nope/x", "l1/sub/f/x", "chain/../l1/sub/f", "abs/sub/../sub/f",
        "real/sub/f/", "l1/fl/", "absf/", "l1/", "real/", "nope/", "loop1",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        try_open(names[i], O_RDONLY);
        try_stat(names[i]);
    }
    try_open("absf/", O_RDONLY | O_NOFOLLOW);
    try_open("l1/", O_RDONLY | O_NOFOLLOW);
    try_open("absf", O_RDONLY | O_NOFOLLOW);
    try_open("newx/", O_CREAT | O_WRONLY);
    try_open("real/", O_CREAT | O_RDONLY);
    try_open("real/sub/f/", O_CREAT | O_RDONLY);
    say("newx created: %s\n", access(at("newx"), F_OK) == 0 ? "yes" : "no");

    char buf[64];
    chk("readlink real/sub/f/", readlink(at("real/sub/f/"), buf, sizeof(buf)));
    chk("readlink absf/", readlink(at("absf/"), buf, sizeof(buf)));
    chk("readlink l1/", readlink(at("l1/"), buf, sizeof(buf)));
    val("readlink chain", readlink(at("chain"), buf, sizeof(buf)));

    chk("unlink real/sub/f/", unlink(at("real/sub/f/")));
    chk("unlink absf/", unlink(at("absf/")));
    chk("unlink l1/", unlink(at("l1/")));
    chk("unlink real/", unlink(at("real/")));
    chk("unlink nope/", unlink(at("nope/")));
    chk("rmdir real/sub/f/", rmdir(at("real/sub/f/")));
    chk("rmdir l1/", rmdir(at("l1/")));
    chk("rmdir nope/", rmdir(at("nope/")));
    say("f still there: %s\n", access(at("real/sub/f"), F_OK) == 0 ? "yes" : "no");
    say("real still there: %s\n", access(at("real"), F_OK) == 0 ? "yes" : "no");
    chk("mkdir newd/", mkdir(at("newd/"), 0755));
    chk("rmdir newd/", rmdir(at("newd/")));
    chk("mkdir real/sub/f/d", mkdir(at("real/sub/f/d"), 0755));
    return 0;
}
